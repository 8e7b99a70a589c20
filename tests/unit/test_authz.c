/* test_authz.c - roles and the role x action x scope matrix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "sites/authz.h"

static const char *const role_names[] = {"agent",       "web_agent", "clerk",  "approver",
                                         "coordinator", "admin",     "auditor"};

static void test_roles_round_trip(void **state)
{
    (void)state;
    assert_int_equal(ROLE__COUNT, 7);
    for (int i = 0; i < ROLE__COUNT; i++) {
        enum role r = ROLE__COUNT;
        assert_true(role_parse(role_names[i], &r));
        assert_int_equal(r, i);
        assert_string_equal(role_name(r), role_names[i]);
        assert_true(strlen(role_title(r)) > 0);
        assert_string_not_equal(role_title(r), role_names[i]);
    }
    enum role r = ROLE_CLERK;
    const char *unknown[] = {"", "Admin", "root", "admin ", "clerk\n", "agents", "web-agent"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        assert_false(role_parse(unknown[i], &r));
        assert_int_equal(r, ROLE_CLERK); /* untouched */
    }
    assert_string_equal(role_name(ROLE__COUNT), "?");
    assert_string_equal(role_title((enum role)99), "?");
}

static void test_subtree(void **state)
{
    (void)state;
    assert_true(authz_in_subtree("/1/2/", "/1/2/"));
    assert_true(authz_in_subtree("/1/2/", "/1/2/5/"));
    assert_true(authz_in_subtree("/1/", "/1/22/7/"));
    assert_false(authz_in_subtree("/1/2/", "/1/22/"));
    assert_false(authz_in_subtree("/1/2/", "/1/"));
    assert_false(authz_in_subtree("/1/2/", "/1/3/"));
    assert_false(authz_in_subtree("/1/2/", NULL));
    assert_false(authz_in_subtree("", "/1/"));
}

enum target { OWN, CHILD, SIBLING, PARENT, PREFIX, NTARGETS };
static const char *const targets[NTARGETS] = {"/1/2/", "/1/2/5/", "/1/3/", "/1/", "/1/22/"};

static struct actor actor_of(enum role r, const char *level)
{
    struct actor a;
    memset(&a, 0, sizeof a);
    a.user_id = 7;
    a.site_id = 2;
    a.role = r;
    snprintf(a.login, sizeof a.login, "%s", role_name(r));
    snprintf(a.site_level, sizeof a.site_level, "%s", level);
    snprintf(a.site_path, sizeof a.site_path, "/1/2/");
    return a;
}

static void test_matrix(void **state)
{
    (void)state;
    const char *levels[] = {"district", "township", "village"};
    for (size_t l = 0; l < 3; l++)
        for (int r = 0; r < ROLE__COUNT; r++) {
            struct actor a = actor_of((enum role)r, levels[l]);
            bool admin = r == ROLE_ADMIN;
            for (int t = 0; t < NTARGETS; t++) {
                bool inside = t == OWN || t == CHILD;
                const char *p = targets[t];
                if (authz_can(&a, AUTHZ_READ_SITE, p) != inside)
                    fail_msg("READ_SITE %s@%s on %s", role_names[r], levels[l], p);
                if (authz_can(&a, AUTHZ_MANAGE_SITE, p) != (admin && inside))
                    fail_msg("MANAGE_SITE %s@%s on %s", role_names[r], levels[l], p);
                /* departments are not site-scoped */
                if (!authz_can(&a, AUTHZ_READ_DEPT, p))
                    fail_msg("READ_DEPT %s@%s on %s", role_names[r], levels[l], p);
                bool dept = admin && strcmp(levels[l], "district") == 0;
                if (authz_can(&a, AUTHZ_MANAGE_DEPT, p) != dept)
                    fail_msg("MANAGE_DEPT %s@%s on %s", role_names[r], levels[l], p);
            }
            assert_true(authz_can(&a, AUTHZ_READ_DEPT, NULL));
            assert_int_equal(authz_can(&a, AUTHZ_MANAGE_DEPT, NULL),
                             admin && strcmp(levels[l], "district") == 0);
            /* a site action with no target site is never allowed */
            assert_false(authz_can(&a, AUTHZ_READ_SITE, NULL));
            assert_false(authz_can(&a, AUTHZ_MANAGE_SITE, NULL));
        }
}

static void test_empty_path_sees_nothing(void **state)
{
    (void)state;
    struct actor a = actor_of(ROLE_ADMIN, "district");
    a.site_path[0] = '\0'; /* an actor whose site path was never filled in */
    assert_false(authz_can(&a, AUTHZ_READ_SITE, "/1/"));
    assert_false(authz_can(&a, AUTHZ_MANAGE_SITE, "/1/2/"));
}

static void test_system_actor(void **state)
{
    (void)state;
    const enum authz_action acts[] = {AUTHZ_READ_SITE, AUTHZ_MANAGE_SITE, AUTHZ_READ_DEPT,
                                      AUTHZ_MANAGE_DEPT};
    for (size_t i = 0; i < 4; i++) {
        for (int t = 0; t < NTARGETS; t++)
            assert_true(authz_can(NULL, acts[i], targets[t]));
        assert_true(authz_can(NULL, acts[i], NULL));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles_round_trip),
        cmocka_unit_test(test_subtree),
        cmocka_unit_test(test_matrix),
        cmocka_unit_test(test_empty_path_sees_nothing),
        cmocka_unit_test(test_system_actor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
