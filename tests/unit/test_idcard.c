/* test_idcard.c - GB 11643-1999 citizen ID numbers: check character, birth date, masking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "core/idcard.h"

/* "today" for every test */
#define TODAY 2026, 3, 1

static void test_valid(void **state)
{
    (void)state;
    char norm[IDCARD_LEN + 1];
    const char *good[] = {
        "11010519491231002X", /* GB 11643 example */
        "440524188001010014", /* GB 11643 example, born 1880 */
        "152502199003071230",
        "11010519000101001X",
        "110105200002290013", /* 2000 is a leap year */
        "110105202603010012", /* born today */
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        memset(norm, '?', sizeof norm);
        if (!idcard_valid(good[i], TODAY, norm))
            fail_msg("'%s' rejected", good[i]);
        assert_string_equal(norm, good[i]);
    }
    assert_true(idcard_valid("11010519491231002X", TODAY, NULL));
}

static void test_lowercase_x(void **state)
{
    (void)state;
    char norm[IDCARD_LEN + 1];
    assert_true(idcard_valid("11010519491231002x", TODAY, norm));
    assert_string_equal(norm, "11010519491231002X");
    /* x only as the check character */
    assert_false(idcard_valid("1101051949123100x2", TODAY, norm));
}

static void test_invalid(void **state)
{
    (void)state;
    const char *bad[] = {
        NULL,
        "",
        "110105194912310021",  /* wrong check digit (X expected) */
        "440524188001010015",  /* wrong check digit (4 expected) */
        "44052418800101001X",
        "11010519491231002",   /* 17 characters */
        "11010519491231002XX", /* 19 */
        "1101051949123100",
        "A1010519491231002X",  /* letters */
        "11010519491231O02X",
        "11010519491231002Y",
        "X10105194912310021",
        " 11010519491231002X",
        "11010519491231002X ",
        "11010519491231-02X",
        "110105202602300018",  /* 2026-02-30: check right, date not real */
        "110105190002290017",  /* 1900-02-29: 1900 is no leap year */
        "110105179912310016",  /* born 1799 */
        "110105202603020018",  /* tomorrow */
        "11010520300101001X",  /* future */
        "１10105194912310021", /* full-width digit */
    };
    char norm[IDCARD_LEN + 1];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(norm, '?', sizeof norm);
        if (idcard_valid(bad[i], TODAY, norm))
            fail_msg("'%s' accepted", bad[i] ? bad[i] : "(null)");
        assert_string_equal(norm, "");
    }
    /* the control for the date cases: same region and sequence, a real past date */
    assert_true(idcard_valid("110105202601010019", TODAY, norm));
    /* the future is relative to today */
    assert_false(idcard_valid("11010520300101001X", 2029, 12, 31, NULL));
    assert_true(idcard_valid("11010520300101001X", 2030, 1, 1, NULL));
    /* every single-digit typo in the example is caught by the check character */
    char typo[IDCARD_LEN + 1];
    for (int pos = 0; pos < IDCARD_LEN - 1; pos++) {
        for (char c = '0'; c <= '9'; c++) {
            memcpy(typo, "11010519491231002X", sizeof typo);
            if (typo[pos] == c)
                continue;
            typo[pos] = c;
            if (idcard_valid(typo, TODAY, NULL))
                fail_msg("typo '%s' accepted", typo);
        }
    }
}

static void test_mask(void **state)
{
    (void)state;
    char out[IDCARD_LEN + 1];
    idcard_mask("11010519491231002X", out);
    assert_string_equal(out, "110105********002X");
    idcard_mask("11010519491231002x", out);
    assert_string_equal(out, "110105********002X");
    idcard_mask("440524188001010014", out);
    assert_string_equal(out, "440524********0014");
    /* not 18 characters: nothing leaks */
    idcard_mask("11010519491231002", out);
    assert_string_equal(out, "******************");
    idcard_mask("11010519491231002X1", out);
    assert_string_equal(out, "******************");
    idcard_mask("", out);
    assert_string_equal(out, "******************");
    idcard_mask(NULL, out);
    assert_string_equal(out, "******************");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_lowercase_x),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_mask),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
