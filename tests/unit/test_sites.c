/* test_sites.c - the site tree, windows, departments and users on the demo city, with actors
 * built by hand. Every failing write runs inside store_write and is checked to leave no row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "demo/demo.h"
#include "sites/session.h"
#include "sites/sites.h"
#include "sites/users.h"
#include "testdb.h"

static struct testdb tmpl; /* the seeded demo, copied for every test */

static int group_setup(void **state)
{
    (void)state;
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
    testdb_close(t);
    free(t);
    return 0;
}

/* --- helpers --- */

static int64_t site_id(struct testdb *t, const char *code)
{
    int64_t id = testdb_int(t, "SELECT id FROM sites WHERE code = ?", code);
    if (id <= 0)
        fail_msg("no site %s", code);
    return id;
}

static int64_t user_id(struct testdb *t, const char *login)
{
    int64_t id = testdb_int(t, "SELECT id FROM users WHERE login = ?", login);
    if (id <= 0)
        fail_msg("no user %s", login);
    return id;
}

static int64_t dept_id(struct testdb *t, const char *code)
{
    int64_t id = testdb_int(t, "SELECT id FROM departments WHERE code = ?", code);
    if (id <= 0)
        fail_msg("no department %s", code);
    return id;
}

static int64_t count(struct testdb *t, const char *table)
{
    char sql[64];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", table);
    return testdb_int(t, sql, NULL);
}

static enum bb_err fill_actor(struct store_tx *tx, void *arg)
{
    struct actor *a = arg;
    enum bb_err rc = site_path(tx, a->site_id, a->site_path);
    if (rc)
        return rc;
    struct store_stmt *s;
    rc = store_prepare(tx, "SELECT level FROM sites WHERE id = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_int(s, 1, a->site_id);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && row)
        snprintf(a->site_level, sizeof a->site_level, "%s", store_col_text(s, 0));
    store_finalize(s);
    return rc;
}

/* An actor with role r at the site with code; user_id from login when it names a user. */
static struct actor actor(struct testdb *t, enum role r, const char *code, const char *login)
{
    struct actor a;
    memset(&a, 0, sizeof a);
    a.role = r;
    a.site_id = site_id(t, code);
    if (login) {
        a.user_id = user_id(t, login);
        snprintf(a.login, sizeof a.login, "%s", login);
    }
    assert_int_equal(store_read(t->st, fill_actor, &a), BB_OK);
    assert_true(strlen(a.site_path) > 2);
    assert_true(strlen(a.site_level) > 0);
    return a;
}

/* One domain call, run inside store_write. */
struct call {
    const struct actor *a;
    const void *in;
    int64_t id;
    const char *field;
    json_t *out;
    int64_t after, next;
    int limit;
};

static enum bb_err do_site_create(struct store_tx *tx, void *arg)
{
    struct call *c = arg;
    return site_create(tx, c->a, c->in, &c->id, &c->field);
}

static enum bb_err do_site_update(struct store_tx *tx, void *arg)
{
    struct call *c = arg;
    return site_update(tx, c->a, c->id, c->in, &c->field);
}

static enum bb_err do_site_list(struct store_tx *tx, void *arg)
{
    struct call *c = arg;
    return site_list(tx, c->a, c->after, c->limit, &c->out, &c->next);
}

static enum bb_err do_site_get(struct store_tx *tx, void *arg)
{
    struct call *c = arg;
    return site_get(tx, c->a, c->id, &c->out);
}

static enum bb_err do_site_ancestry(struct store_tx *tx, void *arg)
{
    struct call *c = arg;
    return site_ancestry(tx, c->id, &c->out);
}

static enum bb_err do_window_create(struct store_tx *tx, void *arg)
{
    struct call *c = arg;
    return window_create(tx, c->a, c->in, &c->id, &c->field);
}

static enum bb_err do_dept_create(struct store_tx *tx, void *arg)
{
    struct call *c = arg;
    return dept_create(tx, c->a, c->in, &c->id, &c->field);
}

static enum bb_err do_user_create(struct store_tx *tx, void *arg)
{
    struct call *c = arg;
    return user_create(tx, c->a, c->in, &c->id, &c->field);
}

static enum bb_err do_user_update(struct store_tx *tx, void *arg)
{
    struct call *c = arg;
    return user_update(tx, c->a, c->id, c->in, &c->field);
}

static enum bb_err do_user_get(struct store_tx *tx, void *arg)
{
    struct call *c = arg;
    return user_get(tx, c->a, c->id, &c->out);
}

/* Runs fn in a write transaction; checks the result and the reported field (NULL: none). */
static void expect(struct testdb *t, store_fn fn, struct call *c, enum bb_err want,
                   const char *want_field, int line)
{
    c->field = NULL;
    enum bb_err rc = store_write(t->st, fn, c);
    if (rc != want)
        fail_msg("line %d: got %s, want %s (field %s)", line, bb_err_code(rc),
                 bb_err_code(want), c->field ? c->field : "-");
    if (want_field && (!c->field || strcmp(c->field, want_field) != 0))
        fail_msg("line %d: field %s, want %s", line, c->field ? c->field : "(null)", want_field);
}
#define EXPECT(fn, c, want, field) expect(t, fn, c, want, field, __LINE__)

/* --- sites --- */

static void test_demo_shape(void **state)
{
    struct testdb *t = *state;
    assert_int_equal(count(t, "sites"), 12);
    assert_int_equal(count(t, "departments"), 10);
    assert_int_equal(count(t, "users"), 15);
    assert_int_equal(count(t, "windows"), 36);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM sites WHERE parent_id IS NULL", NULL),
                     1);
    /* every path is its parent's path plus its own id */
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM sites c JOIN sites p "
                                   "ON p.id = c.parent_id WHERE c.path <> p.path || c.id || '/'",
                                NULL), 0);
}

static void test_site_list_system(void **state)
{
    struct testdb *t = *state;
    struct call c = {.a = NULL, .limit = 100};
    assert_int_equal(store_read(t->st, do_site_list, &c), BB_OK);
    assert_int_equal(json_array_size(c.out), 12);
    assert_int_equal(c.next, 0);
    /* ordered by id, each with the documented fields */
    int64_t prev = 0;
    size_t i;
    json_t *s;
    json_array_foreach(c.out, i, s) {
        int64_t id = json_integer_value(json_object_get(s, "id"));
        assert_true(id > prev);
        prev = id;
        const char *keys[] = {"parent_id", "level", "name", "code", "address", "lat", "lng",
                              "hours", "phone"};
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            assert_non_null(json_object_get(s, keys[k]));
        assert_null(json_object_get(s, "path"));
    }
    json_decref(c.out);

    /* paging */
    c = (struct call){.a = NULL, .limit = 5};
    assert_int_equal(store_read(t->st, do_site_list, &c), BB_OK);
    assert_int_equal(json_array_size(c.out), 5);
    int64_t fifth = json_integer_value(json_object_get(json_array_get(c.out, 4), "id"));
    assert_int_equal(c.next, fifth);
    json_decref(c.out);
    c = (struct call){.a = NULL, .limit = 100, .after = fifth};
    assert_int_equal(store_read(t->st, do_site_list, &c), BB_OK);
    assert_int_equal(json_array_size(c.out), 7);
    json_decref(c.out);
}

static void test_site_list_scoped(void **state)
{
    struct testdb *t = *state;
    struct actor village = actor(t, ROLE_AGENT, "152502001001", "agent");
    struct call c = {.a = &village, .limit = 100};
    assert_int_equal(store_read(t->st, do_site_list, &c), BB_OK);
    assert_int_equal(json_array_size(c.out), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(c.out, 0), "id")),
                     village.site_id);
    json_decref(c.out);

    struct actor town = actor(t, ROLE_CLERK, "152502001000", "clerk");
    c = (struct call){.a = &town, .limit = 100};
    assert_int_equal(store_read(t->st, do_site_list, &c), BB_OK);
    assert_int_equal(json_array_size(c.out), 4);
    size_t i;
    json_t *s;
    json_array_foreach(c.out, i, s)
        assert_memory_equal(json_string_value(json_object_get(s, "code")), "152502001", 9);
    json_decref(c.out);

    struct actor city = actor(t, ROLE_AUDITOR, "152502000000", "auditor");
    c = (struct call){.a = &city, .limit = 100};
    assert_int_equal(store_read(t->st, do_site_list, &c), BB_OK);
    assert_int_equal(json_array_size(c.out), 12);
    json_decref(c.out);

    /* get follows the same scope */
    c = (struct call){.a = &village, .id = site_id(t, "152502001000")};
    assert_int_equal(store_read(t->st, do_site_get, &c), BB_FORBIDDEN);
    c = (struct call){.a = &village, .id = site_id(t, "152502001002")};
    assert_int_equal(store_read(t->st, do_site_get, &c), BB_FORBIDDEN);
    c = (struct call){.a = &village, .id = village.site_id};
    assert_int_equal(store_read(t->st, do_site_get, &c), BB_OK);
    assert_string_equal(json_string_value(json_object_get(c.out, "code")), "152502001001");
    assert_string_equal(json_string_value(json_object_get(c.out, "level")), "village");
    json_decref(c.out);
    c = (struct call){.a = &city, .id = 9999};
    assert_int_equal(store_read(t->st, do_site_get, &c), BB_NOT_FOUND);
}

static struct site_in site_in(int64_t parent, const char *level, const char *code)
{
    return (struct site_in){.parent_id = parent, .level = level, .name = "测试站点",
                            .code = code};
}

static void test_site_create_ok(void **state)
{
    struct testdb *t = *state;
    struct actor admin = actor(t, ROLE_ADMIN, "152502000000", "admin");
    int64_t city = site_id(t, "152502000000");
    struct site_in in = site_in(city, "township", "152502003000");
    in.set = F_ADDRESS | F_LAT | F_LNG;
    in.address = "某路1号";
    in.lat = 43.9;
    in.lng_null = true;
    struct call c = {.a = &admin, .in = &in};
    EXPECT(do_site_create, &c, BB_OK, NULL);
    assert_true(c.id > 0);
    int64_t town = c.id;
    char want[SITE_PATH_MAX + 32];
    snprintf(want, sizeof want, "%s%lld/", admin.site_path, (long long)town);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM sites WHERE path = ?", want), 1);
    c = (struct call){.a = &admin, .id = town};
    assert_int_equal(store_read(t->st, do_site_get, &c), BB_OK);
    assert_int_equal(json_integer_value(json_object_get(c.out, "parent_id")), city);
    assert_string_equal(json_string_value(json_object_get(c.out, "address")), "某路1号");
    assert_true(json_real_value(json_object_get(c.out, "lat")) == 43.9);
    assert_true(json_is_null(json_object_get(c.out, "lng")));
    assert_true(json_is_null(json_object_get(c.out, "phone")));
    json_decref(c.out);

    /* a township admin may add a village to their own township */
    struct actor tadmin = actor(t, ROLE_ADMIN, "152502001000", "tadmin");
    in = site_in(tadmin.site_id, "village", "152502001004");
    c = (struct call){.a = &tadmin, .in = &in};
    EXPECT(do_site_create, &c, BB_OK, NULL);
    assert_int_equal(count(t, "sites"), 14);
    /* and it is inside their subtree */
    c = (struct call){.a = &tadmin, .limit = 100};
    assert_int_equal(store_read(t->st, do_site_list, &c), BB_OK);
    assert_int_equal(json_array_size(c.out), 5);
    json_decref(c.out);

    /* the system may create a root; it must be district level */
    in = site_in(0, "district", "152501000000");
    c = (struct call){.a = NULL, .in = &in};
    EXPECT(do_site_create, &c, BB_OK, NULL);
    snprintf(want, sizeof want, "/%lld/", (long long)c.id);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM sites WHERE path = ?", want), 1);
    in = site_in(0, "township", "152501001000");
    EXPECT(do_site_create, &c, BB_INVALID, "level");
}

static void test_site_create_failures(void **state)
{
    struct testdb *t = *state;
    struct actor admin = actor(t, ROLE_ADMIN, "152502000000", "admin");
    struct actor clerk = actor(t, ROLE_CLERK, "152502000000", "cityclerk");
    struct actor tadmin = actor(t, ROLE_ADMIN, "152502001000", "tadmin");
    int64_t city = site_id(t, "152502000000");
    int64_t town = site_id(t, "152502001000");
    int64_t town2 = site_id(t, "152502002000");
    struct site_in in;
    struct call c = {.a = &admin, .in = &in};

    in = site_in(city, "village", "152502003001"); /* a village straight under the district */
    EXPECT(do_site_create, &c, BB_BAD_PARENT, "level");
    in = site_in(city, "district", "152503000000");
    EXPECT(do_site_create, &c, BB_BAD_PARENT, "level");
    in = site_in(town, "township", "152502009000");
    EXPECT(do_site_create, &c, BB_BAD_PARENT, "level");
    in = site_in(city, "county", "152502003000");
    EXPECT(do_site_create, &c, BB_BAD_PARENT, "level");

    in = site_in(town, "village", "152502002009"); /* another township's prefix */
    EXPECT(do_site_create, &c, BB_BAD_DIVCODE, "code");
    in = site_in(city, "township", "152501003000"); /* another county's prefix */
    EXPECT(do_site_create, &c, BB_BAD_DIVCODE, "code");
    in = site_in(city, "township", "152502003001"); /* a village-shaped code */
    EXPECT(do_site_create, &c, BB_BAD_DIVCODE, "code");
    in = site_in(city, "township", "15250200300");
    EXPECT(do_site_create, &c, BB_BAD_DIVCODE, "code");
    in = site_in(city, "township", "99250200300a");
    EXPECT(do_site_create, &c, BB_BAD_DIVCODE, "code");

    in = site_in(city, "township", "152502001000"); /* taken */
    EXPECT(do_site_create, &c, BB_CONFLICT, "code");
    in = site_in(town2, "village", "152502002001"); /* taken */
    EXPECT(do_site_create, &c, BB_CONFLICT, "code");

    in = site_in(9999, "township", "152502003000");
    EXPECT(do_site_create, &c, BB_BAD_PARENT, "parent_id");

    in = site_in(0, "district", "152503000000"); /* only the system makes roots */
    EXPECT(do_site_create, &c, BB_MISSING_FIELD, "parent_id");

    in = site_in(city, "township", "152502003000");
    c.a = &clerk;
    EXPECT(do_site_create, &c, BB_FORBIDDEN, NULL);
    c.a = &tadmin; /* above their subtree */
    EXPECT(do_site_create, &c, BB_FORBIDDEN, NULL);
    in = site_in(town2, "village", "152502002009"); /* a sibling township */
    EXPECT(do_site_create, &c, BB_FORBIDDEN, NULL);

    assert_int_equal(count(t, "sites"), 12);
}

/* Creates a valid site and then a clashing one in the same transaction. */
static enum bb_err create_two(struct store_tx *tx, void *arg)
{
    struct call *c = arg;
    const struct site_in *ins = c->in;
    enum bb_err rc = site_create(tx, c->a, &ins[0], &c->id, &c->field);
    if (rc)
        return rc;
    return site_create(tx, c->a, &ins[1], &c->id, &c->field);
}

static void test_site_create_rolls_back(void **state)
{
    struct testdb *t = *state;
    struct actor admin = actor(t, ROLE_ADMIN, "152502000000", "admin");
    int64_t city = site_id(t, "152502000000");
    struct site_in ins[2] = {site_in(city, "township", "152502003000"),
                             site_in(city, "township", "152502003000")};
    struct call c = {.a = &admin, .in = ins};
    EXPECT(create_two, &c, BB_CONFLICT, "code");
    assert_int_equal(count(t, "sites"), 12);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM sites WHERE code = ?", "152502003000"),
                     0);
    /* and the same first step alone commits */
    c = (struct call){.a = &admin, .in = &ins[0]};
    EXPECT(do_site_create, &c, BB_OK, NULL);
    assert_int_equal(count(t, "sites"), 13);
}

static void test_site_update(void **state)
{
    struct testdb *t = *state;
    struct actor admin = actor(t, ROLE_ADMIN, "152502000000", "admin");
    int64_t town = site_id(t, "152502001000");
    struct site_in in = {.set = F_CODE, .code = "152502003000"};
    struct call c = {.a = &admin, .in = &in, .id = town};

    /* its villages (152502001xxx) would no longer sit under it */
    EXPECT(do_site_update, &c, BB_BAD_DIVCODE, "code");
    in.code = "152501001000"; /* outside the parent county */
    EXPECT(do_site_update, &c, BB_BAD_DIVCODE, "code");
    in.code = "152502001001"; /* not a township code */
    EXPECT(do_site_update, &c, BB_BAD_DIVCODE, "code");
    in.code = "152502002000"; /* taken (and its villages do not fit either) */
    EXPECT(do_site_update, &c, BB_BAD_DIVCODE, "code");
    assert_int_equal(
        testdb_int(t, "SELECT id FROM sites WHERE code = ?", "152502001000"), town);

    /* a village may move within its township's range */
    int64_t v3 = site_id(t, "152502001003");
    c = (struct call){.a = &admin, .in = &in, .id = v3};
    in.code = "152502001009";
    EXPECT(do_site_update, &c, BB_OK, NULL);
    assert_int_equal(testdb_int(t, "SELECT id FROM sites WHERE code = ?", "152502001009"), v3);
    in.code = "152502002009";
    EXPECT(do_site_update, &c, BB_BAD_DIVCODE, "code");
    in.code = "152502001001";
    EXPECT(do_site_update, &c, BB_CONFLICT, "code");
    assert_int_equal(testdb_int(t, "SELECT id FROM sites WHERE code = ?", "152502001009"), v3);

    /* a township without villages may change its code */
    struct site_in nt = site_in(admin.site_id, "township", "152502003000");
    c = (struct call){.a = &admin, .in = &nt};
    EXPECT(do_site_create, &c, BB_OK, NULL);
    int64_t empty_town = c.id;
    in = (struct site_in){.set = F_CODE | F_NAME, .code = "152502004000", .name = "新名称"};
    c = (struct call){.a = &admin, .in = &in, .id = empty_town};
    EXPECT(do_site_update, &c, BB_OK, NULL);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM sites WHERE code = ? AND name = '新名称'",
                                "152502004000"), 1);

    /* only fields in set change */
    in = (struct site_in){.set = F_PHONE, .phone = "0479-0000000"};
    c = (struct call){.a = &admin, .in = &in, .id = town};
    EXPECT(do_site_update, &c, BB_OK, NULL);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM sites WHERE code = '152502001000' AND "
                                   "phone = '0479-0000000' AND "
                                   "name = '希日塔拉街道便民服务中心' AND address IS NOT NULL AND "
                                   "lat IS NOT NULL", NULL), 1);

    /* scope and existence */
    struct actor clerk = actor(t, ROLE_CLERK, "152502000000", "cityclerk");
    struct actor tadmin = actor(t, ROLE_ADMIN, "152502002000", NULL);
    in = (struct site_in){.set = F_NAME, .name = "x"};
    c = (struct call){.a = &clerk, .in = &in, .id = town};
    EXPECT(do_site_update, &c, BB_FORBIDDEN, NULL);
    c.a = &tadmin;
    EXPECT(do_site_update, &c, BB_FORBIDDEN, NULL);
    c = (struct call){.a = &admin, .in = &in, .id = 9999};
    EXPECT(do_site_update, &c, BB_NOT_FOUND, NULL);
}

static void test_site_ancestry(void **state)
{
    struct testdb *t = *state;
    const char *codes[] = {"152502000000", "152502200000", "152502200202"};
    const char *levels[] = {"district", "township", "village"};
    struct call c = {.id = site_id(t, codes[2])};
    assert_int_equal(store_read(t->st, do_site_ancestry, &c), BB_OK);
    assert_int_equal(json_array_size(c.out), 3);
    for (size_t i = 0; i < 3; i++) {
        json_t *e = json_array_get(c.out, i);
        assert_int_equal(json_integer_value(json_object_get(e, "id")), site_id(t, codes[i]));
        assert_string_equal(json_string_value(json_object_get(e, "level")), levels[i]);
        assert_true(json_is_string(json_object_get(e, "name")));
    }
    json_decref(c.out);

    c = (struct call){.id = site_id(t, "152502000000")};
    assert_int_equal(store_read(t->st, do_site_ancestry, &c), BB_OK);
    assert_int_equal(json_array_size(c.out), 1);
    json_decref(c.out);

    c = (struct call){.id = 9999};
    assert_int_equal(store_read(t->st, do_site_ancestry, &c), BB_NOT_FOUND);
}

/* Site ids past 9 give paths like /1/10/ beside /1/1x/: ancestry must not pick up look-alikes. */
static void test_site_ancestry_many_ids(void **state)
{
    struct testdb *t = *state;
    int64_t city = site_id(t, "152502000000");
    char code[16];
    int64_t last = 0;
    for (int i = 3; i <= 12; i++) {
        snprintf(code, sizeof code, "152502%03d000", i);
        struct site_in in = site_in(city, "township", code);
        struct call c = {.a = NULL, .in = &in};
        EXPECT(do_site_create, &c, BB_OK, NULL);
        last = c.id;
    }
    snprintf(code, sizeof code, "152502012001");
    struct site_in in = site_in(last, "village", code);
    struct call c = {.a = NULL, .in = &in};
    EXPECT(do_site_create, &c, BB_OK, NULL);
    c = (struct call){.id = c.id};
    assert_int_equal(store_read(t->st, do_site_ancestry, &c), BB_OK);
    assert_int_equal(json_array_size(c.out), 3);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(c.out, 1), "id")), last);
    json_decref(c.out);
}

/* --- windows --- */

static void test_window_create(void **state)
{
    struct testdb *t = *state;
    struct actor admin = actor(t, ROLE_ADMIN, "152502000000", "admin");
    struct actor clerk = actor(t, ROLE_CLERK, "152502000000", "cityclerk");
    int64_t town = site_id(t, "152502001000");
    int64_t rs = dept_id(t, "rs");
    int64_t before = count(t, "windows");
    struct window_in in = {.site_id = town, .kind = "specialised", .name = "人社专区"};
    struct call c = {.a = &admin, .in = &in};

    EXPECT(do_window_create, &c, BB_MISSING_FIELD, "department_id");
    in.set = F_DEPT; /* department 0 is none */
    EXPECT(do_window_create, &c, BB_MISSING_FIELD, "department_id");
    in.kind = "vip";
    EXPECT(do_window_create, &c, BB_INVALID, "kind");
    in.kind = "general";
    in.department_id = 9999;
    EXPECT(do_window_create, &c, BB_INVALID, "department_id");
    in = (struct window_in){.site_id = 9999, .kind = "general", .name = "x"};
    EXPECT(do_window_create, &c, BB_INVALID, "site_id");
    in = (struct window_in){.site_id = town, .kind = "general", .name = "x"};
    c.a = &clerk;
    EXPECT(do_window_create, &c, BB_FORBIDDEN, NULL);
    assert_int_equal(count(t, "windows"), before);

    in = (struct window_in){.set = F_DEPT, .site_id = town, .kind = "specialised",
                            .name = "人社专区", .department_id = rs};
    c = (struct call){.a = &admin, .in = &in};
    EXPECT(do_window_create, &c, BB_OK, NULL);
    assert_int_equal(count(t, "windows"), before + 1);
    char idtext[24];
    snprintf(idtext, sizeof idtext, "%lld", (long long)c.id);
    assert_int_equal(testdb_int(t, "SELECT department_id FROM windows WHERE id = CAST(? AS "
                                   "INTEGER) AND kind = 'specialised' AND active = 1", idtext),
                     rs);

    const char *kinds[] = {"general", "assisted", "specialised", "complaint", "cross_region",
                           "issuance", "self_service"};
    for (size_t i = 0; i < 7; i++)
        assert_true(window_kind_valid(kinds[i]));
    assert_false(window_kind_valid("General"));
    assert_false(window_kind_valid(""));
    assert_false(window_kind_valid("special"));
}

/* --- departments --- */

static void test_dept_create(void **state)
{
    struct testdb *t = *state;
    struct actor admin = actor(t, ROLE_ADMIN, "152502000000", "admin");
    struct actor tadmin = actor(t, ROLE_ADMIN, "152502001000", "tadmin");
    struct actor clerk = actor(t, ROLE_CLERK, "152502000000", "cityclerk");
    struct dept_in in = {.name = "司法局"};
    struct call c = {.a = &admin, .in = &in};
    const char *bad[] = {"Bad", "x", "a-b", "sj ", "", "abcdefghijklmnopq", "司法"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        in.code = bad[i];
        EXPECT(do_dept_create, &c, BB_INVALID, "code");
    }
    in.code = "rs";
    EXPECT(do_dept_create, &c, BB_CONFLICT, "code");
    in.code = "sj";
    c.a = &tadmin; /* only a district-level admin */
    EXPECT(do_dept_create, &c, BB_FORBIDDEN, NULL);
    c.a = &clerk;
    EXPECT(do_dept_create, &c, BB_FORBIDDEN, NULL);
    assert_int_equal(count(t, "departments"), 10);
    c.a = &admin;
    EXPECT(do_dept_create, &c, BB_OK, NULL);
    in.code = "abcdefghijklmnop"; /* 16: the longest allowed */
    EXPECT(do_dept_create, &c, BB_OK, NULL);
    in.code = "a_1";
    EXPECT(do_dept_create, &c, BB_OK, NULL);
    assert_int_equal(count(t, "departments"), 13);
}

/* --- users --- */

static struct user_in new_user(const char *login, const char *role, int64_t site)
{
    return (struct user_in){.login = login, .name = "新同事", .role = role, .site_id = site,
                            .password_hash = "$argon2id$not-a-real-hash"};
}

static void test_user_create(void **state)
{
    struct testdb *t = *state;
    struct actor admin = actor(t, ROLE_ADMIN, "152502000000", "admin");
    struct actor tadmin = actor(t, ROLE_ADMIN, "152502001000", "tadmin");
    struct actor clerk = actor(t, ROLE_CLERK, "152502000000", "cityclerk");
    int64_t town = site_id(t, "152502001000");
    int64_t rs = dept_id(t, "rs");
    struct user_in in;
    struct call c = {.a = &admin, .in = &in};

    in = new_user("newapprover", "approver", town);
    EXPECT(do_user_create, &c, BB_MISSING_FIELD, "department_id");
    in.set = F_DEPT;
    in.department_id = 9999;
    EXPECT(do_user_create, &c, BB_INVALID, "department_id");
    in = new_user("newclerk", "clerk", town);
    in.set = F_DEPT;
    in.department_id = rs;
    EXPECT(do_user_create, &c, BB_INVALID, "department_id");
    in = new_user("newclerk", "superuser", town);
    EXPECT(do_user_create, &c, BB_INVALID, "role");
    const char *bad_logins[] = {"A", "x", "Admin", "bad login", "名字", "a/b", "a@b", "",
                                "abcdefghijklmnopqrstuvwxyz0123456"};
    for (size_t i = 0; i < sizeof bad_logins / sizeof bad_logins[0]; i++) {
        in = new_user(bad_logins[i], "clerk", town);
        EXPECT(do_user_create, &c, BB_INVALID, "login");
    }
    in = new_user("clerk", "clerk", town); /* taken */
    EXPECT(do_user_create, &c, BB_CONFLICT, "login");
    in = new_user("newclerk", "clerk", 9999);
    EXPECT(do_user_create, &c, BB_INVALID, "site_id");
    in = new_user("newclerk", "clerk", admin.site_id);
    c.a = &tadmin; /* above their subtree */
    EXPECT(do_user_create, &c, BB_FORBIDDEN, NULL);
    in = new_user("newclerk", "clerk", town);
    c.a = &clerk;
    EXPECT(do_user_create, &c, BB_FORBIDDEN, NULL);
    assert_int_equal(count(t, "users"), 15);

    in = new_user("new.approver-1", "approver", town);
    in.set = F_DEPT;
    in.department_id = rs;
    c.a = &admin;
    EXPECT(do_user_create, &c, BB_OK, NULL);
    in = new_user("ab", "agent", site_id(t, "152502001001"));
    c.a = &tadmin;
    EXPECT(do_user_create, &c, BB_OK, NULL);
    in = new_user("abcdefghijklmnopqrstuvwxyz012345", "clerk", town); /* 32 */
    EXPECT(do_user_create, &c, BB_OK, NULL);
    assert_int_equal(count(t, "users"), 18);

    /* what comes back never holds the hash */
    c = (struct call){.a = &admin, .id = user_id(t, "new.approver-1")};
    assert_int_equal(store_read(t->st, do_user_get, &c), BB_OK);
    assert_null(json_object_get(c.out, "password_hash"));
    assert_string_equal(json_string_value(json_object_get(c.out, "role")), "approver");
    assert_int_equal(json_integer_value(json_object_get(c.out, "department_id")), rs);
    assert_true(json_is_true(json_object_get(c.out, "active")));
    json_decref(c.out);
}

static void test_user_update_self(void **state)
{
    struct testdb *t = *state;
    struct actor admin = actor(t, ROLE_ADMIN, "152502000000", "admin");
    struct user_in in = {.set = F_ROLE, .role = "clerk"};
    struct call c = {.a = &admin, .in = &in, .id = admin.user_id};
    EXPECT(do_user_update, &c, BB_INVALID, "role");
    in = (struct user_in){.set = F_ACTIVE, .active = false};
    EXPECT(do_user_update, &c, BB_INVALID, "active");
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM users WHERE login = ? AND "
                                   "role = 'admin' AND active = 1", "admin"), 1);
    /* restating one's own role, or renaming oneself, is fine */
    in = (struct user_in){.set = F_ROLE | F_NAME, .role = "admin", .name = "赵志强"};
    EXPECT(do_user_update, &c, BB_OK, NULL);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM users WHERE login = ? AND "
                                   "name = '赵志强' AND role = 'admin'", "admin"), 1);
    /* another admin may change this admin's role */
    struct actor tadmin = actor(t, ROLE_ADMIN, "152502001000", "tadmin");
    int64_t clerk = user_id(t, "clerk");
    in = (struct user_in){.set = F_ROLE, .role = "coordinator"};
    c = (struct call){.a = &tadmin, .in = &in, .id = clerk};
    EXPECT(do_user_update, &c, BB_OK, NULL);
    /* but not for users above their subtree */
    c = (struct call){.a = &tadmin, .in = &in, .id = admin.user_id};
    EXPECT(do_user_update, &c, BB_FORBIDDEN, NULL);
}

/* An admin deactivating themselves while restating their unchanged role
 * ({"role":"admin","active":false}) is refused, naming "active", the field at fault. */
static void test_user_update_self_deactivate_field(void **state)
{
    struct testdb *t = *state;
    struct actor admin = actor(t, ROLE_ADMIN, "152502000000", "admin");
    struct user_in in = {.set = F_ROLE | F_ACTIVE, .role = "admin", .active = false};
    struct call c = {.a = &admin, .in = &in, .id = admin.user_id};
    EXPECT(do_user_update, &c, BB_INVALID, "active");
}

static void test_user_update_role_and_department(void **state)
{
    struct testdb *t = *state;
    struct actor admin = actor(t, ROLE_ADMIN, "152502000000", "admin");
    int64_t approver = user_id(t, "approver");
    int64_t clerk = user_id(t, "clerk");
    /* leaving the approver role drops the department */
    struct user_in in = {.set = F_ROLE, .role = "clerk"};
    struct call c = {.a = &admin, .in = &in, .id = approver};
    EXPECT(do_user_update, &c, BB_OK, NULL);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM users WHERE login = ? AND role = "
                                   "'clerk' AND department_id IS NULL", "approver"), 1);
    /* becoming an approver needs one */
    c = (struct call){.a = &admin, .in = &in, .id = clerk};
    in = (struct user_in){.set = F_ROLE, .role = "approver"};
    EXPECT(do_user_update, &c, BB_MISSING_FIELD, "department_id");
    in = (struct user_in){.set = F_ROLE | F_DEPT, .role = "approver",
                          .department_id = dept_id(t, "mz")};
    EXPECT(do_user_update, &c, BB_OK, NULL);
    /* moving a user to a site that does not exist */
    in = (struct user_in){.set = F_SITE, .site_id = 9999};
    EXPECT(do_user_update, &c, BB_INVALID, "site_id");
    c = (struct call){.a = &admin, .in = &in, .id = 9999};
    in = (struct user_in){.set = F_NAME, .name = "x"};
    EXPECT(do_user_update, &c, BB_NOT_FOUND, NULL);
}

static int64_t sessions_of(struct testdb *t, const char *login)
{
    return testdb_int(t, "SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id "
                         "WHERE u.login = ?", login);
}

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

static void test_password_change_ends_sessions(void **state)
{
    struct testdb *t = *state;
    struct actor admin = actor(t, ROLE_ADMIN, "152502000000", "admin");
    struct login_result lr, other;
    assert_int_equal(session_login(t->st, "clerk", DEMO_PASSWORD, "192.0.2.1", &lr), BB_OK);
    json_decref(lr.user);
    assert_int_equal(session_login(t->st, "clerk2", DEMO_PASSWORD, "192.0.2.1", &other), BB_OK);
    json_decref(other.user);
    assert_int_equal(sessions_of(t, "clerk"), 1);

    /* a rename keeps the session */
    struct user_in in = {.set = F_NAME, .name = "萨仁花"};
    struct call c = {.a = &admin, .in = &in, .id = user_id(t, "clerk")};
    EXPECT(do_user_update, &c, BB_OK, NULL);
    assert_int_equal(sessions_of(t, "clerk"), 1);
    struct lookup l = {.token = lr.token};
    assert_int_equal(store_read(t->st, do_lookup, &l), BB_OK);

    /* a new password ends it */
    in = (struct user_in){.set = F_PASSWORD, .password_hash = "$argon2id$new"};
    EXPECT(do_user_update, &c, BB_OK, NULL);
    assert_int_equal(sessions_of(t, "clerk"), 0);
    l = (struct lookup){.token = lr.token};
    assert_int_equal(store_read(t->st, do_lookup, &l), BB_UNAUTHENTICATED);
    /* and only the user's own sessions */
    assert_int_equal(sessions_of(t, "clerk2"), 1);

    /* deactivating ends sessions too */
    in = (struct user_in){.set = F_ACTIVE, .active = false};
    c.id = user_id(t, "clerk2");
    EXPECT(do_user_update, &c, BB_OK, NULL);
    assert_int_equal(sessions_of(t, "clerk2"), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_demo_shape),
        T(test_site_list_system),
        T(test_site_list_scoped),
        T(test_site_create_ok),
        T(test_site_create_failures),
        T(test_site_create_rolls_back),
        T(test_site_update),
        T(test_site_ancestry),
        T(test_site_ancestry_many_ids),
        T(test_window_create),
        T(test_dept_create),
        T(test_user_create),
        T(test_user_update_self),
        T(test_user_update_self_deactivate_field),
        T(test_user_update_role_and_department),
        T(test_password_change_ends_sessions),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
