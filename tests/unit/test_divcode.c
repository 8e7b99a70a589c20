/* test_divcode.c - shapes of 12-digit division codes and the parent/child prefix rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/divcode.h"

static void test_valid_levels(void **state)
{
    (void)state;
    assert_int_equal(divcode_level("152502000000"), DIVCODE_DISTRICT); /* 锡林浩特市 (county) */
    assert_int_equal(divcode_level("110105000000"), DIVCODE_DISTRICT); /* 朝阳区 */
    assert_int_equal(divcode_level("152500000000"), DIVCODE_DISTRICT); /* 锡林郭勒盟 (city) */
    assert_int_equal(divcode_level("152502001000"), DIVCODE_TOWNSHIP);
    assert_int_equal(divcode_level("152502200000"), DIVCODE_TOWNSHIP);
    assert_int_equal(divcode_level("152502001001"), DIVCODE_VILLAGE);
    assert_int_equal(divcode_level("152502200202"), DIVCODE_VILLAGE);
    assert_int_equal(divcode_level("650102001001"), DIVCODE_VILLAGE);  /* last province row */
    assert_int_equal(divcode_level("441900003000"), DIVCODE_TOWNSHIP); /* 东莞: no counties */
}

static void test_bad_codes(void **state)
{
    (void)state;
    const char *bad[] = {
        NULL,
        "",
        "15250200100",    /* 11 digits */
        "1525020010010",  /* 13 digits */
        "15250200100a",
        "15250200100 ",
        " 52502001001",
        "1525O2001001",   /* letter O */
        "-52502001001",
        "992502001001",   /* no province 99 */
        "002502001001",
        "162502001001",   /* no province 16 */
        "000000000000",
        "150000000000",   /* province only */
        "110000000000",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (divcode_level(bad[i]) != DIVCODE_BAD)
            fail_msg("'%s' accepted", bad[i] ? bad[i] : "(null)");
}

static void test_under(void **state)
{
    (void)state;
    /* townships under their county */
    assert_true(divcode_under("152502001000", "152502000000", DIVCODE_DISTRICT));
    assert_true(divcode_under("152502200000", "152502000000", DIVCODE_DISTRICT));
    assert_false(divcode_under("152501001000", "152502000000", DIVCODE_DISTRICT));
    assert_false(divcode_under("152602001000", "152502000000", DIVCODE_DISTRICT));
    assert_false(divcode_under("110105001000", "152502000000", DIVCODE_DISTRICT));
    /* villages under their township */
    assert_true(divcode_under("152502001001", "152502001000", DIVCODE_TOWNSHIP));
    assert_true(divcode_under("152502001999", "152502001000", DIVCODE_TOWNSHIP));
    assert_false(divcode_under("152502002001", "152502001000", DIVCODE_TOWNSHIP));
    assert_false(divcode_under("152503001001", "152502001000", DIVCODE_TOWNSHIP));
    /* a city-level centre covers the townships of all its counties ... */
    assert_true(divcode_under("152502001000", "152500000000", DIVCODE_DISTRICT));
    assert_true(divcode_under("152501003000", "152500000000", DIVCODE_DISTRICT));
    /* ... but not another prefecture's */
    assert_false(divcode_under("152602001000", "152500000000", DIVCODE_DISTRICT));
    assert_false(divcode_under("112502001000", "152500000000", DIVCODE_DISTRICT));
    /* a village has no children */
    assert_false(divcode_under("152502001001", "152502001001", DIVCODE_VILLAGE));
    assert_false(divcode_under("152502001001", "152502001000", DIVCODE_BAD));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_levels),
        cmocka_unit_test(test_bad_codes),
        cmocka_unit_test(test_under),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
