/* test_err.c - the error table: statuses, stable codes, bilingual messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "core/err.h"

/* True when s holds at least one non-ASCII byte (a Chinese message, not an English copy). */
static bool has_multibyte(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return true;
    return false;
}

static void test_every_code_has_status_and_messages(void **state)
{
    (void)state;
    for (int i = 0; i < BB_ERR__COUNT; i++) {
        enum bb_err e = (enum bb_err)i;
        int st = bb_err_status(e);
        if (e == BB_OK)
            assert_int_equal(st, 200);
        else
            assert_true((st >= 400 && st <= 599));
        const char *code = bb_err_code(e), *zh = bb_err_message(e), *en = bb_err_message_en(e);
        assert_non_null(code);
        assert_non_null(zh);
        assert_non_null(en);
        assert_true(strlen(code) > 0);
        assert_true(strlen(zh) > 0);
        assert_true(strlen(en) > 0);
        assert_true(has_multibyte(zh));
        assert_false(has_multibyte(code));
        assert_string_not_equal(zh, en);
        /* codes are snake_case identifiers */
        for (const char *p = code; *p; p++)
            assert_true(((*p >= 'a' && *p <= 'z') || *p == '_'));
    }
}

static void test_only_ok_is_200(void **state)
{
    (void)state;
    for (int i = 1; i < BB_ERR__COUNT; i++)
        assert_int_not_equal(bb_err_status((enum bb_err)i), 200);
    assert_string_equal(bb_err_code(BB_OK), "ok");
}

/* Client errors must be distinguishable by code; only the 5xx internals share "internal". */
static void test_4xx_codes_distinct(void **state)
{
    (void)state;
    for (int i = 0; i < BB_ERR__COUNT; i++) {
        if (bb_err_status((enum bb_err)i) >= 500)
            continue;
        for (int j = 0; j < BB_ERR__COUNT; j++) {
            if (i == j)
                continue;
            if (strcmp(bb_err_code((enum bb_err)i), bb_err_code((enum bb_err)j)) == 0)
                fail_msg("error %d and %d share code '%s'", i, j, bb_err_code((enum bb_err)i));
        }
    }
}

static void test_shared_internal_code(void **state)
{
    (void)state;
    const enum bb_err internal[] = {BB_INTERNAL, BB_NOMEM, BB_DB, BB_IO};
    for (size_t i = 0; i < sizeof internal / sizeof internal[0]; i++) {
        assert_int_equal(bb_err_status(internal[i]), 500);
        assert_string_equal(bb_err_code(internal[i]), "internal");
    }
    /* each still tells its own story in the message */
    assert_string_not_equal(bb_err_message(BB_NOMEM), bb_err_message(BB_DB));
}

static void test_known_statuses(void **state)
{
    (void)state;
    assert_int_equal(bb_err_status(BB_BAD_JSON), 400);
    assert_string_equal(bb_err_code(BB_BAD_JSON), "bad_json");
    assert_int_equal(bb_err_status(BB_BAD_CREDENTIALS), 401);
    assert_int_equal(bb_err_status(BB_UNAUTHENTICATED), 401);
    assert_int_equal(bb_err_status(BB_CSRF), 403);
    assert_int_equal(bb_err_status(BB_FORBIDDEN), 403);
    assert_int_equal(bb_err_status(BB_NOT_FOUND), 404);
    assert_int_equal(bb_err_status(BB_NO_ROUTE), 404);
    assert_int_equal(bb_err_status(BB_METHOD), 405);
    assert_string_equal(bb_err_code(BB_METHOD), "method_not_allowed");
    assert_int_equal(bb_err_status(BB_CONFLICT), 409);
    assert_int_equal(bb_err_status(BB_TOO_LARGE), 413);
    assert_int_equal(bb_err_status(BB_MISSING_FIELD), 422);
    assert_int_equal(bb_err_status(BB_BAD_DIVCODE), 422);
    assert_string_equal(bb_err_code(BB_BAD_DIVCODE), "bad_division_code");
    assert_int_equal(bb_err_status(BB_RATE_LIMITED), 429);
    assert_int_equal(bb_err_status(BB_UNAVAILABLE), 503);
}

static void test_out_of_range(void **state)
{
    (void)state;
    const enum bb_err bad[] = {BB_ERR__COUNT, (enum bb_err)(BB_ERR__COUNT + 7),
                               (enum bb_err)1000000, (enum bb_err)-1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(bb_err_status(bad[i]), 500);
        assert_string_equal(bb_err_code(bad[i]), "internal");
        assert_string_equal(bb_err_message(bad[i]), bb_err_message(BB_INTERNAL));
        assert_string_equal(bb_err_message_en(bad[i]), bb_err_message_en(BB_INTERNAL));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_code_has_status_and_messages),
        cmocka_unit_test(test_only_ok_is_200),
        cmocka_unit_test(test_4xx_codes_distinct),
        cmocka_unit_test(test_shared_internal_code),
        cmocka_unit_test(test_known_statuses),
        cmocka_unit_test(test_out_of_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
