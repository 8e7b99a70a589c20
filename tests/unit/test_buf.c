/* test_buf.c - the capped growable buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/buf.h"

static void test_empty(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 16);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.max, 16);
    assert_int_equal(buf_add(&b, "", 0), BB_OK);
    assert_int_equal(b.len, 0);
    buf_free(&b);
    buf_free(&b); /* freeing twice is harmless */
}

static void test_exact_cap(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 10);
    assert_int_equal(buf_addstr(&b, "0123456789"), BB_OK);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "0123456789");
    assert_int_equal(b.max, 10);

    /* one byte more is refused and leaves the buffer as it was */
    char *data = b.data;
    size_t cap = b.cap;
    assert_int_equal(buf_add(&b, "x", 1), BB_TOO_LARGE);
    assert_int_equal(b.len, 10);
    assert_ptr_equal(b.data, data);
    assert_int_equal(b.cap, cap);
    assert_string_equal(b.data, "0123456789");
    /* but nothing at all still fits */
    assert_int_equal(buf_add(&b, "", 0), BB_OK);
    buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.max, 10); /* the cap survives a free */
}

static void test_too_large_at_once(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 10);
    assert_int_equal(buf_addstr(&b, "0123456789A"), BB_TOO_LARGE);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(buf_addstr(&b, "abc"), BB_OK);
    /* sizes that would overflow len + n are refused, not wrapped */
    assert_int_equal(buf_add(&b, "x", SIZE_MAX), BB_TOO_LARGE);
    assert_int_equal(buf_add(&b, "x", SIZE_MAX - 1), BB_TOO_LARGE);
    assert_int_equal(b.len, 3);
    assert_string_equal(b.data, "abc");
    buf_free(&b);
}

static void test_growth(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 100000);
    char chunk[97];
    size_t total = 0;
    for (int i = 0; total + sizeof chunk <= 100000; i++) {
        memset(chunk, 'a' + i % 26, sizeof chunk);
        assert_int_equal(buf_add(&b, chunk, sizeof chunk), BB_OK);
        total += sizeof chunk;
        assert_int_equal(b.len, total);
        assert_true(b.cap > b.len); /* room for the NUL */
        assert_int_equal(b.data[b.len], '\0');
    }
    /* content survived every realloc */
    for (size_t i = 0; i < total; i++)
        if (b.data[i] != (char)('a' + (i / sizeof chunk) % 26))
            fail_msg("byte %zu is '%c'", i, b.data[i]);
    /* fill to exactly the cap */
    size_t rest = 100000 - total;
    char *fill = malloc(rest + 1);
    assert_non_null(fill);
    memset(fill, 'z', rest + 1);
    assert_int_equal(buf_add(&b, fill, rest + 1), BB_TOO_LARGE);
    assert_int_equal(b.len, total);
    assert_int_equal(buf_add(&b, fill, rest), BB_OK);
    assert_int_equal(b.len, 100000);
    assert_int_equal(buf_add(&b, fill, 1), BB_TOO_LARGE);
    free(fill);
    buf_free(&b);
}

static void test_binary(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 64);
    const char bin[] = {'a', '\0', 'b'};
    assert_int_equal(buf_add(&b, bin, 3), BB_OK);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, bin, 3);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_exact_cap),
        cmocka_unit_test(test_too_large_at_once),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_binary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
