/* test_router.c - matching methods and paths against routes.def. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "api/api.h"
#include "http/router.h"

static const struct route *match(const char *method, const char *path, bool *known,
                                 struct req *r)
{
    memset(r, 0, sizeof *r);
    *known = true; /* must be reset by the router */
    return router_match(r, method, path, known);
}

static void test_match_with_param(void **state)
{
    (void)state;
    struct req r;
    bool known;
    const struct route *rt = match("GET", "/api/v1/sites/42", &known, &r);
    assert_non_null(rt);
    assert_true(rt->handler == api_sites_get);
    assert_string_equal(rt->handler_name, "api_sites_get");
    assert_string_equal(rt->method, "GET");
    assert_int_equal(rt->access, SESSION);
    assert_non_null(r.params[0]);
    assert_string_equal(r.params[0], "42");

    rt = match("PATCH", "/api/v1/sites/42", &known, &r);
    assert_non_null(rt);
    assert_true(rt->handler == api_sites_update);
    assert_string_equal(r.params[0], "42");

    /* the parameter is a whole segment, whatever it holds (handlers validate it) */
    rt = match("GET", "/api/v1/users/abc", &known, &r);
    assert_non_null(rt);
    assert_true(rt->handler == api_users_get);
    assert_string_equal(r.params[0], "abc");
}

static void test_match_static(void **state)
{
    (void)state;
    struct req r;
    bool known;
    const struct route *rt = match("GET", "/api/v1/sites", &known, &r);
    assert_non_null(rt);
    assert_true(rt->handler == api_sites_list);
    assert_null(r.params[0]);
    rt = match("POST", "/api/v1/sites", &known, &r);
    assert_non_null(rt);
    assert_true(rt->handler == api_sites_create);
    rt = match("POST", "/api/v1/session", &known, &r);
    assert_non_null(rt);
    assert_true(rt->handler == api_session_create);
    assert_int_equal(rt->access, PUBLIC);
    assert_int_equal(rt->flags & POOL, POOL);
    rt = match("DELETE", "/api/v1/session", &known, &r);
    assert_non_null(rt);
    assert_true(rt->handler == api_session_delete);
    assert_int_equal(rt->access, SESSION);
    rt = match("GET", "/healthz", &known, &r);
    assert_non_null(rt);
    assert_true(rt->handler == api_healthz);
    assert_int_equal(rt->access, PUBLIC);
}

static void test_unknown_path(void **state)
{
    (void)state;
    struct req r;
    bool known;
    const char *paths[] = {"/api/v1/nope", "/", "", "/api", "/api/v1", "/api/v2/sites",
                           "/api/v1/sites/42/windows", "/API/V1/SITES", "/healthz/x",
                           "api/v1/sites", "/api/v1/sitesx", "/api/v1/site"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        const struct route *rt = match("GET", paths[i], &known, &r);
        if (rt || known)
            fail_msg("'%s' matched (known=%d)", paths[i], known);
    }
}

static void test_wrong_method(void **state)
{
    (void)state;
    struct req r;
    bool known;
    assert_null(match("PUT", "/api/v1/sites/42", &known, &r));
    assert_true(known);
    assert_null(match("DELETE", "/api/v1/sites", &known, &r));
    assert_true(known);
    assert_null(match("POST", "/healthz", &known, &r));
    assert_true(known);
    assert_null(match("get", "/api/v1/sites", &known, &r)); /* methods are case-sensitive */
    assert_true(known);
    assert_null(match("PATCH", "/api/v1/me", &known, &r));
    assert_true(known);
}

static void test_slashes_and_empty_segments(void **state)
{
    (void)state;
    struct req r;
    bool known;
    const char *paths[] = {"/api/v1/sites/", "/api/v1/sites/42/", "/api/v1/sites//",
                           "/api/v1//sites", "//api/v1/sites", "/api/v1/sites//42",
                           "/healthz/", "/api/v1/me/"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        const struct route *rt = match("GET", paths[i], &known, &r);
        if (rt || known)
            fail_msg("'%s' matched (known=%d)", paths[i], known);
    }
}

static void test_long_param(void **state)
{
    (void)state;
    struct req r;
    bool known;
    char path[600] = "/api/v1/sites/";
    size_t n = strlen(path);
    memset(path + n, '9', 400);
    path[n + 400] = '\0';
    /* longer than the parameter buffer: refused, not overflowed */
    assert_null(match("GET", path, &known, &r));
    /* one that fits is copied whole */
    path[n + 100] = '\0';
    const struct route *rt = match("GET", path, &known, &r);
    assert_non_null(rt);
    assert_int_equal(strlen(r.params[0]), 100);
}

static void test_table_well_formed(void **state)
{
    (void)state;
    int n = 0;
    const struct route *routes = router_routes(&n);
    assert_non_null(routes);
    assert_true(n >= 20);
    const char *methods[] = {"GET", "POST", "PATCH", "PUT", "DELETE"};
    for (int i = 0; i < n; i++) {
        const struct route *rt = &routes[i];
        bool ok = false;
        for (size_t m = 0; m < 5; m++)
            ok = ok || strcmp(rt->method, methods[m]) == 0;
        if (!ok)
            fail_msg("route %d has method '%s'", i, rt->method);
        assert_non_null(rt->pattern);
        assert_int_equal(rt->pattern[0], '/');
        assert_non_null(rt->handler);
        assert_non_null(rt->handler_name);
        assert_true(strncmp(rt->handler_name, "api_", 4) == 0);
        assert_true(rt->access == PUBLIC || rt->access == SESSION);
        /* a route's own pattern (with a sample id) finds that route */
        char path[128];
        size_t k = 0;
        for (const char *p = rt->pattern; *p && k < sizeof path - 3;) {
            if (*p == '{') {
                path[k++] = '7';
                p = strchr(p, '}') + 1;
            } else {
                path[k++] = *p++;
            }
        }
        path[k] = '\0';
        struct req r;
        bool known;
        const struct route *found = match(rt->method, path, &known, &r);
        if (found != rt)
            fail_msg("'%s %s' does not find its own route", rt->method, path);
        /* no two routes share method and pattern */
        for (int j = i + 1; j < n; j++)
            if (strcmp(rt->method, routes[j].method) == 0 &&
                strcmp(rt->pattern, routes[j].pattern) == 0)
                fail_msg("duplicate route %s %s", rt->method, rt->pattern);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_with_param),
        cmocka_unit_test(test_match_static),
        cmocka_unit_test(test_unknown_path),
        cmocka_unit_test(test_wrong_method),
        cmocka_unit_test(test_slashes_and_empty_segments),
        cmocka_unit_test(test_long_param),
        cmocka_unit_test(test_table_well_formed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
