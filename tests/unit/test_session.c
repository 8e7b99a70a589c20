/* test_session.c - sign-in, rate limits, session lookup and expiry on the demo city.
 * The clock is moved with clock_set_offset and put back in every teardown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/clock.h"
#include "core/crypto.h"
#include "demo/demo.h"
#include "sites/session.h"
#include "sites/sites.h"
#include "testdb.h"

static struct testdb tmpl;
static struct session_policy default_policy;

static int group_setup(void **state)
{
    (void)state;
    default_policy = *session_policy();
    return testdb_template(&tmpl);
}

static int group_teardown(void **state)
{
    (void)state;
    testdb_close(&tmpl);
    return 0;
}

static int setup(void **state)
{
    struct testdb *t = calloc(1, sizeof *t);
    if (!t || testdb_open_copy(t, tmpl.path)) {
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct testdb *t = *state;
    clock_set_offset(0);
    session_set_policy(&default_policy);
    testdb_close(t);
    free(t);
    return 0;
}

static bool is_hex64(const char *s)
{
    if (strlen(s) != 64)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

/* Signs in expecting want; frees the returned user. */
static void login(struct testdb *t, const char *user, const char *pw, const char *addr,
                  enum bb_err want, struct login_result *out, int line)
{
    struct login_result lr;
    enum bb_err rc = session_login(t->st, user, pw, addr, &lr);
    if (rc != want)
        fail_msg("line %d: login %s from %s: got %s, want %s", line, user, addr,
                 bb_err_code(rc), bb_err_code(want));
    if (rc == BB_OK) {
        assert_non_null(lr.user);
    } else {
        assert_null(lr.user);
        assert_string_equal(lr.token, "");
    }
    if (out) {
        *out = lr;
        out->user = NULL;
    }
    json_decref(lr.user);
}
#define LOGIN(u, pw, addr, want, out) login(t, u, pw, addr, want, out, __LINE__)

struct lookup {
    const char *token;
    struct actor a;
    char csrf[TOKEN_HEX];
    bool touch;
};

static enum bb_err do_lookup(struct store_tx *tx, void *arg)
{
    struct lookup *l = arg;
    return session_lookup(tx, l->token, &l->a, l->csrf, &l->touch);
}

static enum bb_err lookup(struct testdb *t, const char *token, struct lookup *l)
{
    memset(l, 0, sizeof *l);
    l->token = token;
    return store_read(t->st, do_lookup, l);
}

static enum bb_err do_touch(struct store_tx *tx, void *arg) { return session_touch(tx, arg); }
static enum bb_err do_logout(struct store_tx *tx, void *arg) { return session_logout(tx, arg); }

static enum bb_err deactivate(struct store_tx *tx, void *arg)
{
    return store_run(tx, "UPDATE users SET active = 0 WHERE login = ?", "t", (const char *)arg);
}

static int64_t sessions_of(struct testdb *t, const char *login_name)
{
    return testdb_int(t, "SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id "
                         "WHERE u.login = ?", login_name);
}

static void test_login_ok(void **state)
{
    struct testdb *t = *state;
    struct login_result lr;
    assert_int_equal(session_login(t->st, "agent", DEMO_PASSWORD, "198.51.100.1", &lr), BB_OK);
    assert_true(is_hex64(lr.token));
    assert_true(is_hex64(lr.csrf));
    assert_string_not_equal(lr.token, lr.csrf);
    assert_int_equal(lr.retry_after, 0);
    assert_non_null(lr.user);
    assert_string_equal(json_string_value(json_object_get(lr.user, "login")), "agent");
    assert_string_equal(json_string_value(json_object_get(lr.user, "role")), "agent");
    assert_string_equal(json_string_value(json_object_get(lr.user, "name")), "王海燕");
    assert_true(json_integer_value(json_object_get(lr.user, "id")) > 0);
    assert_int_equal(json_integer_value(json_object_get(lr.user, "site_id")),
                     testdb_int(t, "SELECT id FROM sites WHERE code = ?", "152502001001"));
    assert_true(json_is_null(json_object_get(lr.user, "department_id")));
    assert_null(json_object_get(lr.user, "password_hash"));
    assert_null(json_object_get(lr.user, "password"));
    char *dump = json_dumps(lr.user, 0);
    assert_non_null(dump);
    assert_null(strstr(dump, "argon2"));
    free(dump);
    json_decref(lr.user);

    /* the database holds the token's digest, never the token */
    char digest[TOKEN_HEX];
    crypto_digest(lr.token, digest);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM sessions WHERE token_hash = ?", digest),
                     1);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM sessions WHERE token_hash = ?",
                                lr.token), 0);

    /* a second sign-in is a second, different session */
    struct login_result lr2;
    LOGIN("agent", DEMO_PASSWORD, "198.51.100.1", BB_OK, &lr2);
    assert_string_not_equal(lr.token, lr2.token);
    assert_int_equal(sessions_of(t, "agent"), 2);
}

static void test_bad_credentials(void **state)
{
    struct testdb *t = *state;
    LOGIN("agent", "bangban-demo ", "198.51.100.2", BB_BAD_CREDENTIALS, NULL);
    LOGIN("agent", "", "198.51.100.2", BB_BAD_CREDENTIALS, NULL);
    LOGIN("Agent", DEMO_PASSWORD, "198.51.100.2", BB_BAD_CREDENTIALS, NULL);
    LOGIN("nobody", DEMO_PASSWORD, "198.51.100.2", BB_BAD_CREDENTIALS, NULL);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM sessions", NULL), 0);
    /* an inactive account looks exactly like a wrong password */
    assert_int_equal(store_write(t->st, deactivate, (void *)"agent2"), BB_OK);
    LOGIN("agent2", DEMO_PASSWORD, "198.51.100.2", BB_BAD_CREDENTIALS, NULL);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM sessions", NULL), 0);
}

static void test_rate_limit_per_login(void **state)
{
    struct testdb *t = *state;
    for (int i = 0; i < 5; i++)
        LOGIN("clerk", "wrong", "203.0.113.1", BB_BAD_CREDENTIALS, NULL);
    struct login_result lr;
    assert_int_equal(session_login(t->st, "clerk", DEMO_PASSWORD, "203.0.113.1", &lr),
                     BB_RATE_LIMITED);
    assert_null(lr.user);
    assert_true(lr.retry_after > 0);
    assert_true(lr.retry_after <= 900);
    assert_true(lr.retry_after >= 890); /* the window started moments ago */
    /* per login: another address does not help */
    assert_int_equal(session_login(t->st, "clerk", DEMO_PASSWORD, "203.0.113.99", &lr),
                     BB_RATE_LIMITED);
    /* another login from the same address still works */
    LOGIN("clerk2", DEMO_PASSWORD, "203.0.113.1", BB_OK, NULL);
    assert_int_equal(sessions_of(t, "clerk"), 0);

    /* still limited just before the window ends ... */
    clock_set_offset(800);
    assert_int_equal(session_login(t->st, "clerk", DEMO_PASSWORD, "203.0.113.1", &lr),
                     BB_RATE_LIMITED);
    assert_true(lr.retry_after > 0);
    assert_true(lr.retry_after <= 100);
    /* ... and free after it */
    clock_set_offset(901);
    LOGIN("clerk", DEMO_PASSWORD, "203.0.113.1", BB_OK, NULL);
}

/* A success clears the login's failure count (per_login lowered to 2 to keep hashing cheap:
 * without the reset the second round's failure would reach the limit). */
static void test_success_resets_count(void **state)
{
    struct testdb *t = *state;
    struct session_policy p = default_policy;
    p.per_login = 2;
    session_set_policy(&p);
    for (int round = 0; round < 2; round++) {
        LOGIN("clerk3", "wrong", "203.0.113.2", BB_BAD_CREDENTIALS, NULL);
        LOGIN("clerk3", DEMO_PASSWORD, "203.0.113.2", BB_OK, NULL);
    }
    /* and the lowered limit does bite */
    LOGIN("clerk3", "wrong", "203.0.113.2", BB_BAD_CREDENTIALS, NULL);
    LOGIN("clerk3", "wrong", "203.0.113.2", BB_BAD_CREDENTIALS, NULL);
    LOGIN("clerk3", DEMO_PASSWORD, "203.0.113.2", BB_RATE_LIMITED, NULL);
}

static void test_rate_limit_per_addr(void **state)
{
    struct testdb *t = *state;
    struct session_policy p = default_policy;
    p.per_addr = 3;
    session_set_policy(&p);
    assert_int_equal(session_policy()->per_addr, 3);
    LOGIN("ghost1", "x", "203.0.113.3", BB_BAD_CREDENTIALS, NULL);
    LOGIN("ghost2", "x", "203.0.113.3", BB_BAD_CREDENTIALS, NULL);
    LOGIN("webagent", "x", "203.0.113.3", BB_BAD_CREDENTIALS, NULL);
    struct login_result lr;
    assert_int_equal(session_login(t->st, "agent3", DEMO_PASSWORD, "203.0.113.3", &lr),
                     BB_RATE_LIMITED);
    assert_true(lr.retry_after > 0 && lr.retry_after <= 900);
    LOGIN("agent3", DEMO_PASSWORD, "203.0.113.4", BB_OK, NULL);
}

static void test_lookup(void **state)
{
    struct testdb *t = *state;
    struct login_result lr;
    LOGIN("agent", DEMO_PASSWORD, "198.51.100.5", BB_OK, &lr);
    struct lookup l;
    assert_int_equal(lookup(t, lr.token, &l), BB_OK);
    assert_int_equal(l.a.role, ROLE_AGENT);
    assert_string_equal(l.a.login, "agent");
    assert_int_equal(l.a.user_id, testdb_int(t, "SELECT id FROM users WHERE login = ?", "agent"));
    assert_int_equal(l.a.site_id,
                     testdb_int(t, "SELECT id FROM sites WHERE code = ?", "152502001001"));
    assert_int_equal(l.a.department_id, 0);
    assert_string_equal(l.a.site_level, "village");
    char path[SITE_PATH_MAX];
    snprintf(path, sizeof path, "/%lld/%lld/%lld/",
             (long long)testdb_int(t, "SELECT id FROM sites WHERE code = ?", "152502000000"),
             (long long)testdb_int(t, "SELECT id FROM sites WHERE code = ?", "152502001000"),
             (long long)l.a.site_id);
    assert_string_equal(l.a.site_path, path);
    assert_string_equal(l.csrf, lr.csrf);
    assert_false(l.touch); /* just signed in */

    clock_set_offset(120);
    assert_int_equal(lookup(t, lr.token, &l), BB_OK);
    assert_true(l.touch);
    assert_int_equal(store_write(t->st, do_touch, lr.token), BB_OK);
    assert_int_equal(lookup(t, lr.token, &l), BB_OK);
    assert_false(l.touch);

    /* an approver carries the department */
    LOGIN("approver", DEMO_PASSWORD, "198.51.100.5", BB_OK, &lr);
    assert_int_equal(lookup(t, lr.token, &l), BB_OK);
    assert_int_equal(l.a.role, ROLE_APPROVER);
    assert_int_equal(l.a.department_id,
                     testdb_int(t, "SELECT id FROM departments WHERE code = ?", "rs"));
    assert_string_equal(l.a.site_level, "district");

    /* unknown tokens */
    char fake[TOKEN_HEX];
    crypto_token(fake);
    assert_int_equal(lookup(t, fake, &l), BB_UNAUTHENTICATED);
    assert_int_equal(lookup(t, "", &l), BB_UNAUTHENTICATED);
    /* the stored digest is not a token */
    char digest[TOKEN_HEX];
    crypto_digest(lr.token, digest);
    assert_int_equal(lookup(t, digest, &l), BB_UNAUTHENTICATED);
}

static void test_idle_expiry(void **state)
{
    struct testdb *t = *state;
    struct login_result lr;
    struct lookup l;
    LOGIN("coord", DEMO_PASSWORD, "198.51.100.6", BB_OK, &lr);
    clock_set_offset(1740);
    assert_int_equal(lookup(t, lr.token, &l), BB_OK);
    clock_set_offset(1860);
    assert_int_equal(lookup(t, lr.token, &l), BB_UNAUTHENTICATED);

    /* touching restarts the idle clock */
    clock_set_offset(0);
    LOGIN("coord", DEMO_PASSWORD, "198.51.100.6", BB_OK, &lr);
    clock_set_offset(1500);
    assert_int_equal(lookup(t, lr.token, &l), BB_OK);
    assert_int_equal(store_write(t->st, do_touch, lr.token), BB_OK);
    clock_set_offset(3240);
    assert_int_equal(lookup(t, lr.token, &l), BB_OK);
    clock_set_offset(3360);
    assert_int_equal(lookup(t, lr.token, &l), BB_UNAUTHENTICATED);
}

static void test_absolute_expiry(void **state)
{
    struct testdb *t = *state;
    struct login_result lr;
    struct lookup l;
    LOGIN("auditor", DEMO_PASSWORD, "198.51.100.7", BB_OK, &lr);
    /* busy all day: touched every 20 minutes */
    for (int64_t off = 1200; off <= 42000; off += 1200) {
        clock_set_offset(off);
        if (lookup(t, lr.token, &l) != BB_OK)
            fail_msg("session gone at +%lld s", (long long)off);
        assert_int_equal(store_write(t->st, do_touch, lr.token), BB_OK);
    }
    clock_set_offset(43140);
    assert_int_equal(lookup(t, lr.token, &l), BB_OK);
    assert_int_equal(store_write(t->st, do_touch, lr.token), BB_OK);
    /* 12 h after sign-in, two minutes after the last touch */
    clock_set_offset(43260);
    assert_int_equal(lookup(t, lr.token, &l), BB_UNAUTHENTICATED);
}

static void test_short_policy(void **state)
{
    struct testdb *t = *state;
    struct session_policy p = default_policy;
    p.idle_s = 100;
    p.absolute_s = 1000;
    session_set_policy(&p);
    struct login_result lr;
    struct lookup l;
    LOGIN("agent4", DEMO_PASSWORD, "198.51.100.8", BB_OK, &lr);
    clock_set_offset(60);
    assert_int_equal(lookup(t, lr.token, &l), BB_OK);
    clock_set_offset(200);
    assert_int_equal(lookup(t, lr.token, &l), BB_UNAUTHENTICATED);
}

static void test_logout(void **state)
{
    struct testdb *t = *state;
    struct login_result lr, keep;
    struct lookup l;
    LOGIN("webagent", DEMO_PASSWORD, "198.51.100.9", BB_OK, &lr);
    LOGIN("webagent", DEMO_PASSWORD, "198.51.100.9", BB_OK, &keep);
    assert_int_equal(lookup(t, lr.token, &l), BB_OK);
    assert_int_equal(store_write(t->st, do_logout, lr.token), BB_OK);
    assert_int_equal(lookup(t, lr.token, &l), BB_UNAUTHENTICATED);
    /* the other session of the same user lives on */
    assert_int_equal(lookup(t, keep.token, &l), BB_OK);
    assert_int_equal(sessions_of(t, "webagent"), 1);
    /* logging out twice, or an unknown token, is harmless */
    assert_int_equal(store_write(t->st, do_logout, lr.token), BB_OK);
    assert_int_equal(sessions_of(t, "webagent"), 1);
}

static void test_inactive_user_session(void **state)
{
    struct testdb *t = *state;
    struct login_result lr;
    struct lookup l;
    LOGIN("tadmin", DEMO_PASSWORD, "198.51.100.10", BB_OK, &lr);
    assert_int_equal(lookup(t, lr.token, &l), BB_OK);
    assert_int_equal(store_write(t->st, deactivate, (void *)"tadmin"), BB_OK);
    assert_int_equal(lookup(t, lr.token, &l), BB_UNAUTHENTICATED);
}

/* Signing in drops the user's own idle-expired sessions. */
static void test_login_prunes_expired(void **state)
{
    struct testdb *t = *state;
    LOGIN("cityclerk", DEMO_PASSWORD, "198.51.100.11", BB_OK, NULL);
    LOGIN("agent2", DEMO_PASSWORD, "198.51.100.11", BB_OK, NULL);
    clock_set_offset(2000);
    LOGIN("cityclerk", DEMO_PASSWORD, "198.51.100.11", BB_OK, NULL);
    assert_int_equal(sessions_of(t, "cityclerk"), 1);
    assert_int_equal(sessions_of(t, "agent2"), 1); /* not someone else's */
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_login_ok),
        T(test_bad_credentials),
        T(test_rate_limit_per_login),
        T(test_success_resets_count),
        T(test_rate_limit_per_addr),
        T(test_lookup),
        T(test_idle_expiry),
        T(test_absolute_expiry),
        T(test_short_policy),
        T(test_logout),
        T(test_inactive_user_session),
        T(test_login_prunes_expired),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
