/* test_json.c - depth capping, strict object parsing and the typed field readers. */
#include <setjmp.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/json.h"

static int depth_of(const char *s) { return json_depth(s, strlen(s), JSON_MAX_DEPTH); }

/* Parses s, failing the test unless it is an object. */
static json_t *obj(const char *s)
{
    json_t *o = NULL;
    enum bb_err rc = json_parse_object(s, strlen(s), &o);
    if (rc != BB_OK)
        fail_msg("could not parse %s: %d", s, rc);
    return o;
}

/* n nested arrays inside an object: {"a":[[...]]} is n + 1 deep. */
static char *nested(int arrays)
{
    size_t len = (size_t)arrays * 2 + 8;
    char *s = malloc(len + 1);
    assert_non_null(s);
    size_t k = 0;
    s[k++] = '{';
    memcpy(s + k, "\"a\":", 4);
    k += 4;
    for (int i = 0; i < arrays; i++)
        s[k++] = '[';
    for (int i = 0; i < arrays; i++)
        s[k++] = ']';
    s[k++] = '}';
    s[k] = '\0';
    return s;
}

static void test_depth(void **state)
{
    (void)state;
    assert_int_equal(depth_of(""), 0);
    assert_int_equal(depth_of("1"), 0);
    assert_int_equal(depth_of("{}"), 1);
    assert_int_equal(depth_of("{\"a\":[1,{\"b\":[]}]}"), 4);
    assert_int_equal(depth_of("[[]][[[]]]"), 3); /* deepest, not total */
    /* brackets inside strings do not count */
    assert_int_equal(depth_of("{\"a\":\"[[[[{{{{\"}"), 1);
    assert_int_equal(depth_of("{\"[{\":\"}]\"}"), 1);
    /* an escaped quote does not end the string ... */
    assert_int_equal(depth_of("{\"a\":\"\\\"[[[\"}"), 1);
    /* ... but an escaped backslash does not escape the closing quote */
    assert_int_equal(depth_of("{\"a\":\"\\\\\",\"b\":[[1]]}"), 3);
    /* stray closers never make the depth negative */
    assert_int_equal(depth_of("]]]}}[["), 2);
    /* stops early once past max */
    assert_int_equal(json_depth("[[[[[[[[", 8, 2), 3);
    /* respects len, not the NUL */
    assert_int_equal(json_depth("[[[[", 2, 32), 2);
}

static void test_parse_object(void **state)
{
    (void)state;
    json_t *o = NULL;
    const char *good = "{\"name\":\"希日塔拉\",\"n\":1}";
    assert_int_equal(json_parse_object(good, strlen(good), &o), BB_OK);
    assert_non_null(o);
    assert_true(json_is_object(o));
    assert_string_equal(json_string_value(json_object_get(o, "name")), "希日塔拉");
    json_decref(o);

    const char *bad[] = {"", "{", "{\"a\":}", "{\"a\":1,}", "{'a':1}", "{\"a\":1}x", "nul",
                         "{\"a\":\"\\u0000\"}", "{\"a\":1e400}", "{\"a\":\"\xff\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o = (json_t *)1;
        assert_int_equal(json_parse_object(bad[i], strlen(bad[i]), &o), BB_BAD_JSON);
        assert_null(o);
    }
    /* duplicate keys are refused, not silently last-wins */
    const char *dup = "{\"a\":1,\"a\":2}";
    assert_int_equal(json_parse_object(dup, strlen(dup), &o), BB_BAD_JSON);
    assert_null(o);

    /* valid JSON that is not an object (scalars: see test_parse_scalar) */
    const char *notobj[] = {"[]", "[1,2]", "[{\"a\":1}]"};
    for (size_t i = 0; i < sizeof notobj / sizeof notobj[0]; i++) {
        o = (json_t *)1;
        assert_int_equal(json_parse_object(notobj[i], strlen(notobj[i]), &o), BB_WRONG_TYPE);
        assert_null(o);
    }
    /* len is honoured: the object ends where len says */
    const char *prefix = "{\"a\":1}garbage";
    assert_int_equal(json_parse_object(prefix, 7, &o), BB_OK);
    json_decref(o);
}

/* A body that is valid JSON but a scalar ("1", "\"s\"", "null", "true") is 422 wrong_type, not
 * 400 bad_json (json_loadb needs JSON_DECODE_ANY to accept top-level scalars). */
static void test_parse_scalar(void **state)
{
    (void)state;
    const char *scalars[] = {"1", "\"s\"", "null", "true", "-2.5"};
    for (size_t i = 0; i < sizeof scalars / sizeof scalars[0]; i++) {
        json_t *o = (json_t *)1;
        enum bb_err rc = json_parse_object(scalars[i], strlen(scalars[i]), &o);
        if (rc != BB_WRONG_TYPE)
            fail_msg("json_parse_object(%s) = %s, want wrong_type", scalars[i], bb_err_code(rc));
        assert_null(o);
    }
}

static void test_parse_depth_cap(void **state)
{
    (void)state;
    json_t *o = NULL;
    char *s = nested(JSON_MAX_DEPTH - 1); /* exactly 32 deep */
    assert_int_equal(json_depth(s, strlen(s), 100), JSON_MAX_DEPTH);
    assert_int_equal(json_parse_object(s, strlen(s), &o), BB_OK);
    json_decref(o);
    free(s);

    s = nested(JSON_MAX_DEPTH); /* 33 deep */
    o = (json_t *)1;
    assert_int_equal(json_parse_object(s, strlen(s), &o), BB_BAD_JSON);
    assert_null(o);
    free(s);

    s = nested(5000); /* far past the cap: refused before jansson recurses */
    assert_int_equal(json_parse_object(s, strlen(s), &o), BB_BAD_JSON);
    free(s);
}

static void test_only(void **state)
{
    (void)state;
    json_t *o = obj("{\"name\":\"x\",\"code\":\"y\"}");
    const char *const ok[] = {"name", "code", "phone", NULL};
    const char *const narrow[] = {"name", NULL};
    const char *const none[] = {NULL};
    const char *field = NULL;
    assert_int_equal(json_only(o, ok, &field), BB_OK);
    assert_null(field);
    assert_int_equal(json_only(o, narrow, &field), BB_UNKNOWN_FIELD);
    assert_non_null(field);
    assert_string_equal(field, "code");
    field = NULL;
    assert_int_equal(json_only(o, none, &field), BB_UNKNOWN_FIELD);
    assert_non_null(field);
    json_decref(o);

    json_t *empty = obj("{}");
    assert_int_equal(json_only(empty, none, &field), BB_OK);
    json_decref(empty);
}

static void test_str(void **state)
{
    (void)state;
    json_t *o = obj("{\"name\":\"赵志刚\",\"n\":5,\"nul\":null,\"e\":\"\",\"a\":\"abc\"}");
    const char *out = NULL, *field = NULL;
    bool present = false;

    /* required, present */
    assert_int_equal(json_str(o, "name", NULL, false, 1, 64, &out, &field), BB_OK);
    assert_string_equal(out, "赵志刚");

    /* required, missing */
    field = NULL;
    assert_int_equal(json_str(o, "phone", NULL, false, 1, 64, &out, &field), BB_MISSING_FIELD);
    assert_string_equal(field, "phone");

    /* wrong type */
    field = NULL;
    assert_int_equal(json_str(o, "n", NULL, false, 0, 64, &out, &field), BB_WRONG_TYPE);
    assert_string_equal(field, "n");

    /* length limits: counted in characters, both ends inclusive */
    assert_int_equal(json_str(o, "name", NULL, false, 3, 3, &out, &field), BB_OK);
    field = NULL;
    assert_int_equal(json_str(o, "name", NULL, false, 1, 2, &out, &field), BB_INVALID);
    assert_string_equal(field, "name");
    field = NULL;
    assert_int_equal(json_str(o, "a", NULL, false, 4, 10, &out, &field), BB_INVALID);
    assert_string_equal(field, "a");
    field = NULL;
    assert_int_equal(json_str(o, "e", NULL, false, 1, 10, &out, &field), BB_INVALID);
    assert_string_equal(field, "e");
    assert_int_equal(json_str(o, "e", NULL, false, 0, 10, &out, &field), BB_OK);
    assert_string_equal(out, "");

    /* optional, absent: *present false and *out untouched */
    const char *sentinel = "untouched";
    out = sentinel;
    present = true;
    assert_int_equal(json_str(o, "phone", &present, true, 0, 10, &out, &field), BB_OK);
    assert_false(present);
    assert_ptr_equal(out, sentinel);

    /* optional, present */
    assert_int_equal(json_str(o, "a", &present, false, 0, 10, &out, &field), BB_OK);
    assert_true(present);
    assert_string_equal(out, "abc");

    /* nullable null: present, value NULL */
    out = sentinel;
    present = false;
    assert_int_equal(json_str(o, "nul", &present, true, 1, 10, &out, &field), BB_OK);
    assert_true(present);
    assert_null(out);

    /* null where null is not allowed */
    field = NULL;
    assert_int_not_equal(json_str(o, "nul", &present, false, 0, 10, &out, &field), BB_OK);
    assert_string_equal(field, "nul");
    field = NULL;
    assert_int_not_equal(json_str(o, "nul", NULL, false, 0, 10, &out, &field), BB_OK);
    assert_string_equal(field, "nul");
    json_decref(o);
}

/* Builds {"name":"<n copies of ch>"} and checks json_str with max 64. */
static enum bb_err name_of(const char *ch, int n)
{
    char text[1024];
    size_t k = (size_t)snprintf(text, sizeof text, "{\"name\":\"");
    for (int i = 0; i < n; i++)
        k += (size_t)snprintf(text + k, sizeof text - k, "%s", ch);
    snprintf(text + k, sizeof text - k, "\"}");
    json_t *o = obj(text);
    const char *out = NULL, *field = NULL;
    enum bb_err rc = json_str(o, "name", NULL, false, 1, 64, &out, &field);
    if (rc)
        assert_string_equal(field, "name");
    json_decref(o);
    return rc;
}

static void test_str_utf8_limits(void **state)
{
    (void)state;
    assert_int_equal(name_of("政", 64), BB_OK);      /* 192 bytes, 64 characters */
    assert_int_equal(name_of("政", 65), BB_INVALID);
    assert_int_equal(name_of("a", 64), BB_OK);
    assert_int_equal(name_of("a", 65), BB_INVALID);
    assert_int_equal(name_of("𠀀", 64), BB_OK);     /* 4-byte characters */
    assert_int_equal(name_of("𠀀", 65), BB_INVALID);
    assert_int_equal(name_of("\\u4e2d", 64), BB_OK);  /* escapes count once decoded */
}

static void test_int(void **state)
{
    (void)state;
    json_t *o = obj("{\"i\":42,\"neg\":-3,\"f\":1.5,\"s\":\"7\",\"nul\":null,\"b\":true,"
                    "\"big\":9223372036854775807}");
    int64_t v = 0;
    bool present = false, is_null = true;
    const char *field = NULL;
    assert_int_equal(json_int(o, "i", NULL, false, 0, 100, &v, &is_null, &field), BB_OK);
    assert_int_equal(v, 42);
    assert_false(is_null);
    assert_int_equal(json_int(o, "i", NULL, false, 42, 42, &v, NULL, &field), BB_OK);
    field = NULL;
    assert_int_equal(json_int(o, "i", NULL, false, 0, 41, &v, NULL, &field), BB_INVALID);
    assert_string_equal(field, "i");
    field = NULL;
    assert_int_equal(json_int(o, "neg", NULL, false, 0, 100, &v, NULL, &field), BB_INVALID);
    assert_string_equal(field, "neg");
    assert_int_equal(json_int(o, "big", NULL, false, 0, INT64_MAX, &v, NULL, &field), BB_OK);
    assert_true(v == INT64_MAX);
    const char *wrong[] = {"f", "s", "b"};
    for (size_t i = 0; i < 3; i++) {
        field = NULL;
        assert_int_equal(json_int(o, wrong[i], NULL, false, 0, 100, &v, NULL, &field),
                         BB_WRONG_TYPE);
        assert_string_equal(field, wrong[i]);
    }
    field = NULL;
    assert_int_equal(json_int(o, "missing", NULL, false, 0, 100, &v, NULL, &field),
                     BB_MISSING_FIELD);
    assert_string_equal(field, "missing");

    /* optional absent: *present false, *out untouched */
    v = 99;
    present = true;
    assert_int_equal(json_int(o, "missing", &present, true, 0, 100, &v, &is_null, &field), BB_OK);
    assert_false(present);
    assert_int_equal(v, 99);

    /* nullable null */
    v = 99;
    is_null = false;
    assert_int_equal(json_int(o, "nul", &present, true, 0, 100, &v, &is_null, &field), BB_OK);
    assert_true(present);
    assert_true(is_null);
    assert_int_equal(v, 99);
    field = NULL;
    assert_int_not_equal(json_int(o, "nul", &present, false, 0, 100, &v, &is_null, &field),
                         BB_OK);
    assert_string_equal(field, "nul");
    json_decref(o);
}

static void test_num(void **state)
{
    (void)state;
    double d = 0;
    bool present = false, is_null = true;
    const char *field = NULL;
    json_t *o = obj("{\"lat\":43.9333,\"whole\":116,\"s\":\"1\",\"nul\":null}");
    assert_int_equal(json_num(o, "lat", NULL, false, -90, 90, &d, &is_null, &field), BB_OK);
    assert_true(fabs(d - 43.9333) < 1e-12);
    assert_false(is_null);
    /* integers are numbers too */
    assert_int_equal(json_num(o, "whole", NULL, false, -180, 180, &d, NULL, &field), BB_OK);
    assert_true(d == 116.0);
    field = NULL;
    assert_int_equal(json_num(o, "whole", NULL, false, -90, 90, &d, NULL, &field), BB_INVALID);
    assert_string_equal(field, "whole");
    field = NULL;
    assert_int_equal(json_num(o, "s", NULL, false, -90, 90, &d, NULL, &field), BB_WRONG_TYPE);
    assert_string_equal(field, "s");
    field = NULL;
    assert_int_equal(json_num(o, "lng", NULL, false, -90, 90, &d, NULL, &field),
                     BB_MISSING_FIELD);
    assert_string_equal(field, "lng");
    d = 7;
    assert_int_equal(json_num(o, "lng", &present, true, -90, 90, &d, &is_null, &field), BB_OK);
    assert_false(present);
    assert_true(d == 7.0);
    assert_int_equal(json_num(o, "nul", &present, true, -90, 90, &d, &is_null, &field), BB_OK);
    assert_true(present);
    assert_true(is_null);
    assert_true(d == 7.0);
    json_decref(o);
}

static void test_bool(void **state)
{
    (void)state;
    json_t *o = obj("{\"t\":true,\"f\":false,\"i\":1,\"s\":\"true\",\"nul\":null}");
    bool v = false, present = false;
    const char *field = NULL;
    assert_int_equal(json_bool(o, "t", NULL, &v, &field), BB_OK);
    assert_true(v);
    assert_int_equal(json_bool(o, "f", NULL, &v, &field), BB_OK);
    assert_false(v);
    const char *wrong[] = {"i", "s"};
    for (size_t i = 0; i < 2; i++) {
        field = NULL;
        assert_int_equal(json_bool(o, wrong[i], NULL, &v, &field), BB_WRONG_TYPE);
        assert_string_equal(field, wrong[i]);
    }
    field = NULL;
    assert_int_equal(json_bool(o, "active", NULL, &v, &field), BB_MISSING_FIELD);
    assert_string_equal(field, "active");
    v = true;
    present = true;
    assert_int_equal(json_bool(o, "active", &present, &v, &field), BB_OK);
    assert_false(present);
    assert_true(v);
    /* booleans are never nullable */
    field = NULL;
    assert_int_not_equal(json_bool(o, "nul", &present, &v, &field), BB_OK);
    assert_string_equal(field, "nul");
    json_decref(o);
}

static void test_utf8_chars(void **state)
{
    (void)state;
    assert_int_equal(utf8_chars(""), 0);
    assert_int_equal(utf8_chars("abc"), 3);
    assert_int_equal(utf8_chars("锡林浩特"), 4);
    assert_int_equal(utf8_chars("a锡b"), 3);
    assert_int_equal(utf8_chars("é"), 1);           /* 2 bytes */
    assert_int_equal(utf8_chars("𠀀x"), 2);         /* 4 bytes + 1 */
    assert_int_equal(utf8_chars("\xff\xfe"), 2);    /* invalid bytes count one each */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_parse_object),
        cmocka_unit_test(test_parse_scalar),
        cmocka_unit_test(test_parse_depth_cap),
        cmocka_unit_test(test_only),
        cmocka_unit_test(test_str),
        cmocka_unit_test(test_str_utf8_limits),
        cmocka_unit_test(test_int),
        cmocka_unit_test(test_num),
        cmocka_unit_test(test_bool),
        cmocka_unit_test(test_utf8_chars),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
