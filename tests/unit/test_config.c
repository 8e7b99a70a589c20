/* test_config.c - one validator for config file, environment and flags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "core/config.h"

static const char *const env_names[] = {"BANGBAN_DB",       "BANGBAN_LISTEN",
                                        "BANGBAN_THREADS",  "BANGBAN_HASH_THREADS",
                                        "BANGBAN_MAX_BODY", "BANGBAN_SECURE_COOKIES",
                                        "BANGBAN_USER",     "BANGBAN_FAKE_NOW"};

static void clear_env(void)
{
    for (size_t i = 0; i < sizeof env_names / sizeof env_names[0]; i++)
        unsetenv(env_names[i]);
}

static int env_setup(void **state)
{
    (void)state;
    clear_env();
    return 0;
}

static int env_teardown(void **state)
{
    (void)state;
    clear_env();
    return 0;
}

static void test_defaults(void **state)
{
    (void)state;
    struct config c;
    config_defaults(&c);
    assert_string_equal(c.host, "127.0.0.1");
    assert_int_equal(c.port, 8080);
    assert_true(c.threads >= 1);
    assert_true(c.hash_threads >= 1);
    assert_int_equal(c.max_body, 1024 * 1024);
    assert_false(c.secure_cookies);
    assert_int_equal(c.fake_now, 0);
    assert_true(strlen(c.db) > 0);
}

/* Sets key=value expecting ok; on failure err must be filled and name the key. */
static void set(struct config *c, const char *key, const char *value, bool ok)
{
    char err[256] = "";
    bool got = config_set(c, key, value, err, sizeof err);
    if (got != ok)
        fail_msg("config_set(%s, '%s') = %d, want %d (%s)", key, value, got, ok, err);
    if (!ok) {
        assert_true(strlen(err) > 0);
        assert_non_null(strstr(err, key));
    }
}

static void test_listen(void **state)
{
    (void)state;
    struct config c;
    config_defaults(&c);
    set(&c, "listen", "127.0.0.1:8080", true);
    assert_string_equal(c.host, "127.0.0.1");
    assert_int_equal(c.port, 8080);
    set(&c, "listen", "0.0.0.0:65535", true);
    assert_string_equal(c.host, "0.0.0.0");
    assert_int_equal(c.port, 65535);
    set(&c, "listen", "[::1]:1", true);
    assert_string_equal(c.host, "[::1]");
    assert_int_equal(c.port, 1);
    const char *bad[] = {"nohost", ":80", "1.2.3.4:0", "1.2.3.4:70000", "1.2.3.4:", "1.2.3.4:8o",
                         "1.2.3.4:-1", "", "1.2.3.4:99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        set(&c, "listen", bad[i], false);
        /* a refused value leaves the setting as it was */
        assert_string_equal(c.host, "[::1]");
        assert_int_equal(c.port, 1);
    }
    char longhost[128];
    memset(longhost, 'h', 100);
    snprintf(longhost + 100, sizeof longhost - 100, ":80");
    set(&c, "listen", longhost, false);
}

static void test_numbers(void **state)
{
    (void)state;
    struct config c;
    config_defaults(&c);
    set(&c, "threads", "1", true);
    assert_int_equal(c.threads, 1);
    set(&c, "threads", "256", true);
    assert_int_equal(c.threads, 256);
    const char *bad_threads[] = {"0", "257", "-1", "", "abc", "4x", "1e3"};
    for (size_t i = 0; i < sizeof bad_threads / sizeof bad_threads[0]; i++) {
        set(&c, "threads", bad_threads[i], false);
        assert_int_equal(c.threads, 256);
    }
    set(&c, "hash_threads", "64", true);
    assert_int_equal(c.hash_threads, 64);
    set(&c, "hash_threads", "0", false);
    set(&c, "hash_threads", "65", false);
    assert_int_equal(c.hash_threads, 64);
    set(&c, "max_body", "1024", true);
    assert_int_equal(c.max_body, 1024);
    set(&c, "max_body", "1023", false);
    set(&c, "max_body", "67108865", false);
    set(&c, "max_body", "67108864", true);
    assert_int_equal(c.max_body, 67108864);
    set(&c, "fake_now", "1764201600", true);
    assert_int_equal(c.fake_now, 1764201600);
    set(&c, "fake_now", "0", false);
    set(&c, "fake_now", "99999999999", false);
    assert_int_equal(c.fake_now, 1764201600);
}

static void test_strings_and_flags(void **state)
{
    (void)state;
    struct config c;
    config_defaults(&c);
    set(&c, "db", "/var/lib/bangban/b.db", true);
    assert_string_equal(c.db, "/var/lib/bangban/b.db");
    set(&c, "db", "", false);
    char longpath[600];
    memset(longpath, 'p', sizeof longpath - 1);
    longpath[sizeof longpath - 1] = '\0';
    set(&c, "db", longpath, false);
    assert_string_equal(c.db, "/var/lib/bangban/b.db");
    set(&c, "secure_cookies", "true", true);
    assert_true(c.secure_cookies);
    set(&c, "secure_cookies", "false", true);
    assert_false(c.secure_cookies);
    set(&c, "secure_cookies", "yes", false);
    set(&c, "secure_cookies", "1", false);
    set(&c, "user", "bangban", true);
    assert_string_equal(c.user, "bangban");
    set(&c, "user", "", false);
}

static void test_unknown_key(void **state)
{
    (void)state;
    struct config c, before;
    config_defaults(&c);
    memcpy(&before, &c, sizeof c);
    char err[256] = "";
    assert_false(config_set(&c, "port", "80", err, sizeof err));
    assert_non_null(strstr(err, "port"));
    assert_false(config_set(&c, "Threads", "4", err, sizeof err));
    assert_false(config_set(&c, "", "4", err, sizeof err));
    assert_memory_equal(&c, &before, sizeof c);
}

/* Writes text to a new temp file; returns its path in path. */
static void write_file(char *path, size_t n, const char *text)
{
    snprintf(path, n, "/tmp/bb-unit-conf-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
}

static void test_file(void **state)
{
    (void)state;
    char path[64], err[512];
    struct config c;
    config_defaults(&c);
    write_file(path, sizeof path,
               "# Bangban settings\n"
               "\n"
               "   # indented comment\n"
               "db = /srv/bangban.db\n"
               "listen=0.0.0.0:9090\n"
               "\tthreads =  12  \r\n"
               "secure_cookies = true\n");
    err[0] = '\0';
    assert_true(config_file(&c, path, err, sizeof err));
    assert_string_equal(c.db, "/srv/bangban.db");
    assert_string_equal(c.host, "0.0.0.0");
    assert_int_equal(c.port, 9090);
    assert_int_equal(c.threads, 12);
    assert_true(c.secure_cookies);
    unlink(path);

    /* a bad value: reported as file:line, with the key */
    write_file(path, sizeof path, "# comment\n\nthreads = 4\nthreads = 0\nlisten = :1\n");
    err[0] = '\0';
    assert_false(config_file(&c, path, err, sizeof err));
    char want[128];
    snprintf(want, sizeof want, "%s:4:", path);
    if (!strstr(err, want))
        fail_msg("error '%s' does not start with %s", err, want);
    assert_non_null(strstr(err, "threads"));
    unlink(path);

    /* a line that is not key = value */
    write_file(path, sizeof path, "db = x.db\njust words\n");
    err[0] = '\0';
    assert_false(config_file(&c, path, err, sizeof err));
    snprintf(want, sizeof want, "%s:2:", path);
    assert_non_null(strstr(err, want));
    unlink(path);

    /* an unknown key */
    write_file(path, sizeof path, "\n\n\ncolour = blue\n");
    err[0] = '\0';
    assert_false(config_file(&c, path, err, sizeof err));
    snprintf(want, sizeof want, "%s:4:", path);
    assert_non_null(strstr(err, want));
    assert_non_null(strstr(err, "colour"));
    unlink(path);

    /* a missing file */
    err[0] = '\0';
    assert_false(config_file(&c, "/nonexistent/bangban.conf", err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/bangban.conf"));
}

static void test_env(void **state)
{
    (void)state;
    struct config c;
    char err[256] = "";
    config_defaults(&c);
    struct config before;
    memcpy(&before, &c, sizeof c);
    /* nothing set: nothing changes */
    assert_true(config_env(&c, err, sizeof err));
    assert_memory_equal(&c, &before, sizeof c);

    setenv("BANGBAN_THREADS", "3", 1);
    setenv("BANGBAN_HASH_THREADS", "2", 1);
    setenv("BANGBAN_LISTEN", "10.0.0.1:8443", 1);
    setenv("BANGBAN_DB", "/tmp/env.db", 1);
    setenv("BANGBAN_SECURE_COOKIES", "true", 1);
    assert_true(config_env(&c, err, sizeof err));
    assert_int_equal(c.threads, 3);
    assert_int_equal(c.hash_threads, 2);
    assert_string_equal(c.host, "10.0.0.1");
    assert_int_equal(c.port, 8443);
    assert_string_equal(c.db, "/tmp/env.db");
    assert_true(c.secure_cookies);

    setenv("BANGBAN_THREADS", "0", 1);
    err[0] = '\0';
    assert_false(config_env(&c, err, sizeof err));
    assert_non_null(strstr(err, "threads"));
    unsetenv("BANGBAN_THREADS");

    setenv("BANGBAN_MAX_BODY", "12", 1);
    err[0] = '\0';
    assert_false(config_env(&c, err, sizeof err));
    assert_non_null(strstr(err, "max_body"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_listen),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_strings_and_flags),
        cmocka_unit_test(test_unknown_key),
        cmocka_unit_test(test_file),
        cmocka_unit_test_setup_teardown(test_env, env_setup, env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
