/* test_catalog_list.c - reading the catalogue on the demo city (51 imported items, offered by
 * every site): item_list search, filters and paging, the public view with where to go, and the
 * per-site lists (site_items_put/get/integrated) with their scope. Every failing write runs
 * inside store_write and is checked to leave nothing behind. Item changes: test_catalog.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "catalog/catalog.h"
#include "sites/sites.h"
#include "testdb.h"

#include "catalog_fixture.inc"
}

/* --- the list --- */

/* Lists with q (and the rest of c->q); returns the codes joined by ' '. */
static char *codes(struct testdb *t, struct call *c)
{
    assert_int_equal(read_op(t, LIST, c), BB_OK);
    static char out[1024];
    out[0] = '\0';
    size_t i;
    json_t *it;
    json_array_foreach(c->out, i, it) {
        size_t n = strlen(out);
        snprintf(out + n, sizeof out - n, "%s%s", n ? " " : "", str(it, "code"));
    }
    json_decref(c->out);
    return out;
}

static void test_list_search_and_filters(void **state)
{
    struct testdb *t = *state;
    struct call c = {.q = {.q = "社会保障卡", .limit = 100}};
    assert_string_equal(codes(t, &c), "11000103001 11000103002");
    c = (struct call){.q = {.q = "残疾人证", .limit = 100}};
    assert_string_equal(codes(t, &c), "07001001001 07001001002");
    c = (struct call){.q = {.q = "0700", .limit = 100}}; /* code prefix */
    assert_string_equal(codes(t, &c), "07000202000 07000504000 07000704000 07000801000 "
                                      "07001001001 07001001002 07001101000 07001103000 "
                                      "07001104000");
    c = (struct call){.q = {.q = "05001204000", .limit = 100}};
    assert_string_equal(codes(t, &c), "05001204000");
    c = (struct call){.q = {.q = "1204000", .limit = 100}}; /* not a prefix */
    assert_string_equal(codes(t, &c), "");
    c = (struct call){.q = {.q = "不存在的事项", .limit = 100}};
    assert_string_equal(codes(t, &c), "");
    /* LIKE wildcards in q are plain characters */
    const char *wild[] = {"%", "_", "\\", "%%", "_%_"};
    for (size_t i = 0; i < sizeof wild / sizeof wild[0]; i++) {
        c = (struct call){.q = {.q = wild[i], .limit = 100}};
        if (strcmp(codes(t, &c), "") != 0)
            fail_msg("q [%s] matched items", wild[i]);
    }
    struct item_in in = base("12000001000");
    in.name = "100%报销_测试";
    make_item(t, &in, true);
    c = (struct call){.q = {.q = "%", .limit = 100}};
    assert_string_equal(codes(t, &c), "12000001000");
    c = (struct call){.q = {.q = "_", .limit = 100}};
    assert_string_equal(codes(t, &c), "12000001000");

    c = (struct call){.q = {.domain = "残疾人服务", .limit = 100}};
    assert_string_equal(codes(t, &c), "05001002000 05001003000 05001004000 07001001001 "
                                      "07001001002");
    c = (struct call){.q = {.domain = "残疾人服务", .q = "补贴", .limit = 100}};
    assert_string_equal(codes(t, &c), "05001002000 05001003000");
    c = (struct call){.q = {.level = "township", .domain = "社会保险", .limit = 100}};
    assert_string_equal(codes(t, &c), "11000101000 11000103002 11000104000 12000001000");
    c = (struct call){.q = {.status = "draft", .limit = 100}};
    assert_string_equal(codes(t, &c), "");

    /* one row has the documented fields */
    c = (struct call){.q = {.q = "11000102000", .limit = 1}};
    assert_int_equal(read_op(t, LIST, &c), BB_OK);
    json_t *row = json_array_get(c.out, 0);
    assert_string_equal(str(row, "name"), "城乡居民养老保险待遇申领");
    assert_string_equal(str(row, "department"), "rs");
    assert_string_equal(str(row, "case_type"), "promised");
    assert_int_equal(json_integer_value(json_object_get(row, "statutory_days")), 20);
    assert_int_equal(json_integer_value(json_object_get(row, "promised_days")), 10);
    assert_int_equal(json_integer_value(json_object_get(row, "version")), 1);
    assert_true(json_is_null(json_object_get(row, "mode")));
    assert_string_equal(c.next, "");
    json_decref(c.out);
}

static void test_list_paging(void **state)
{
    struct testdb *t = *state;
    char seen[64][16];
    int n = 0, pages = 0;
    char cursor[32] = "";
    do {
        struct call c = {.q = {.limit = 7, .after = cursor[0] ? cursor : NULL}};
        assert_int_equal(read_op(t, LIST, &c), BB_OK);
        assert_true(json_array_size(c.out) <= 7);
        size_t i;
        json_t *it;
        json_array_foreach(c.out, i, it) {
            assert_true(n < 64);
            snprintf(seen[n], sizeof seen[n], "%s", str(it, "code"));
            if (n && strcmp(seen[n - 1], seen[n]) >= 0)
                fail_msg("%s after %s", seen[n], seen[n - 1]);
            n++;
        }
        if (c.next[0])
            assert_string_equal(c.next, seen[n - 1]);
        snprintf(cursor, sizeof cursor, "%s", c.next);
        json_decref(c.out);
        pages++;
    } while (cursor[0]);
    assert_int_equal(n, 51);
    assert_int_equal(pages, 8);
    assert_string_equal(seen[0], "01001102000");
    assert_string_equal(seen[50], "11000902000");
}

static void test_list_site_and_public(void **state)
{
    struct testdb *t = *state;
    struct item_in in = base("12000001000"); /* published, offered nowhere */
    make_item(t, &in, true);
    in = base("12000002000"), in.name = "草稿事项"; /* never published */
    make_item(t, &in, false);
    struct call c = {.code = "11000105000"};
    EXPECT(RETIRE, &c, BB_OK, NULL);
    struct item_in edit = {.set = IF_NAME, .name = "尚未发布的新名称"};
    c = (struct call){.code = "11000101000", .in = &edit};
    EXPECT(UPDATE, &c, BB_OK, NULL);

    int64_t village = site_id(t, "152502001001"), town = site_id(t, "152502001000");
    c = (struct call){.q = {.site_id = village, .limit = 100}};
    assert_int_equal(read_op(t, LIST, &c), BB_OK);
    assert_int_equal(json_array_size(c.out), 51); /* the demo offers every item there */
    size_t i;
    json_t *it;
    json_array_foreach(c.out, i, it) {
        const char *code = str(it, "code"), *mode = str(it, "mode");
        assert_string_not_equal(code, "12000001000");
        if (strcmp(code, "11000105000") == 0)
            assert_string_equal(mode, "consult");
        else if (strcmp(code, "11000101000") == 0)
            assert_string_equal(mode, "collect");
    }
    json_decref(c.out);
    c = (struct call){.q = {.site_id = town, .q = "社会保障卡", .limit = 100}};
    assert_int_equal(read_op(t, LIST, &c), BB_OK);
    assert_int_equal(json_array_size(c.out), 2);
    assert_string_equal(str(json_array_get(c.out, 0), "mode"), "collect");
    assert_string_equal(str(json_array_get(c.out, 1), "mode"), "accept");
    json_decref(c.out);

    /* staff see every status; the public only what is in force */
    c = (struct call){.q = {.limit = 100}};
    assert_int_equal(read_op(t, LIST, &c), BB_OK);
    assert_int_equal(json_array_size(c.out), 53);
    json_decref(c.out);
    c = (struct call){.q = {.limit = 100, .public_only = true}};
    assert_int_equal(read_op(t, LIST, &c), BB_OK);
    assert_int_equal(json_array_size(c.out), 51); /* 53 - draft - retired */
    json_array_foreach(c.out, i, it) {
        assert_string_equal(str(it, "status"), "published");
        assert_string_not_equal(str(it, "code"), "12000002000");
        assert_string_not_equal(str(it, "code"), "11000105000");
    }
    json_decref(c.out);
    c = (struct call){.q = {.q = "草稿事项", .limit = 100, .public_only = true}};
    assert_string_equal(codes(t, &c), "");
    c = (struct call){.q = {.q = "尚未发布", .limit = 100, .public_only = true}};
    assert_string_equal(codes(t, &c), ""); /* a pending draft's text stays private */
    c = (struct call){.q = {.q = "城乡居民基本养老保险参保登记", .limit = 100,
                            .public_only = true}};
    assert_string_equal(codes(t, &c), "11000101000");
    c = (struct call){.q = {.status = "retired", .limit = 100}};
    assert_string_equal(codes(t, &c), "11000105000");
    c = (struct call){.q = {.status = "draft", .limit = 100}};
    assert_string_equal(codes(t, &c), "12000002000");
}

static void test_get_public(void **state)
{
    struct testdb *t = *state;
    struct item_in edit = {.set = IF_NAME, .name = "尚未发布的新名称"};
    struct call c = {.code = "11000101000", .in = &edit};
    EXPECT(UPDATE, &c, BB_OK, NULL);
    json_t *o = get(t, "11000101000", VIEW_PUBLIC, 0);
    assert_null(json_object_get(o, "draft_version"));
    assert_string_equal(str(o, "name"), "城乡居民基本养老保险参保登记");
    assert_int_equal(json_integer_value(json_object_get(o, "version")), 1);
    assert_true(json_array_size(json_object_get(o, "materials")) > 0);
    json_t *sites = json_object_get(o, "sites");
    assert_int_equal(json_array_size(sites), 12); /* the centre, 3 townships, 8 villages */
    json_t *first = json_array_get(sites, 0);
    assert_int_equal(json_integer_value(json_object_get(first, "id")),
                     site_id(t, "152502000000"));
    assert_string_equal(str(first, "mode"), "accept");
    assert_string_equal(str(first, "level"), "district");
    assert_true(json_is_string(json_object_get(first, "address")));
    assert_true(json_is_string(json_object_get(first, "phone")));
    json_decref(o);
    o = get(t, "11000101000", VIEW_CURRENT, 0); /* staff view: no sites, draft shown */
    assert_null(json_object_get(o, "sites"));
    assert_int_equal(json_integer_value(json_object_get(o, "draft_version")), 2);
    json_decref(o);

    struct item_in in = base("12000001000");
    make_item(t, &in, false);
    c = (struct call){.code = "12000001000", .view = VIEW_PUBLIC};
    assert_int_equal(read_op(t, GET, &c), BB_NOT_FOUND);
    c.code = "12999999000";
    assert_int_equal(read_op(t, GET, &c), BB_NOT_FOUND);
}

/* --- site lists --- */

static void test_site_items(void **state)
{
    struct testdb *t = *state;
    assert_true(site_item_mode_valid("accept") && site_item_mode_valid("collect") &&
                site_item_mode_valid("consult"));
    assert_false(site_item_mode_valid("Accept") || site_item_mode_valid("") ||
                 site_item_mode_valid(NULL) || site_item_mode_valid("sell"));
    struct item_in in = base("12000001000"); /* a draft: not offerable */
    make_item(t, &in, false);
    struct call r = {.code = "11000105000"};
    EXPECT(RETIRE, &r, BB_OK, NULL);

    struct actor admin = actor(t, ROLE_ADMIN, "152502000000", "admin");
    int64_t village = site_id(t, "152502001001");
    struct site_item_in list[] = {{"11000102000", "consult"}, {"11000101000", "accept"},
                                  {"05001204000", "collect"}};
    struct call c = {.a = &admin, .site = village, .list = list, .n = 3};
    EXPECT(PUT, &c, BB_OK, NULL);
    c = (struct call){.a = &admin, .site = village};
    assert_int_equal(read_op(t, SITE_GET, &c), BB_OK);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(c.out, "site"), "id")),
                     village);
    json_t *items = json_object_get(c.out, "items");
    assert_int_equal(json_array_size(items), 3);
    assert_string_equal(str(json_array_get(items, 0), "code"), "05001204000"); /* by code */
    assert_string_equal(str(json_array_get(items, 0), "mode"), "collect");
    assert_string_equal(str(json_array_get(items, 2), "code"), "11000102000");
    assert_string_equal(str(json_array_get(items, 2), "mode"), "consult");
    assert_string_equal(str(json_array_get(items, 2), "case_type"), "promised");
    json_decref(c.out);

    /* every bad entry is named by index, and the old list stays */
    const struct { struct site_item_in e; const char *field; } bad[] = {
        {{"11000101000", "sell"}, "items[1].mode"},
        {{"11000101000", NULL}, "items[1].mode"},
        {{"12999999000", "accept"}, "items[1].code"},
        {{NULL, "accept"}, "items[1].code"},
        {{"11000105000", "accept"}, "items[1].code"}, /* retired */
        {{"12000001000", "accept"}, "items[1].code"}, /* never published */
        {{"11000102000", "collect"}, "items[1].code"}, /* listed twice */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct site_item_in two[] = {{"11000102000", "accept"}, bad[i].e};
        c = (struct call){.a = &admin, .site = village, .list = two, .n = 2};
        EXPECT(PUT, &c, BB_INVALID, bad[i].field);
    }
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM site_items si JOIN sites s ON s.id = "
                                   "si.site_id WHERE s.code = ?", "152502001001"), 3);

    /* scope: a township keeps its villages; not its siblings'; agents keep none */
    struct actor tadmin = actor(t, ROLE_ADMIN, "152502001000", "tadmin");
    struct actor coord = actor(t, ROLE_COORDINATOR, "152502000000", "coord");
    struct actor agent = actor(t, ROLE_AGENT, "152502001001", "agent");
    struct actor clerk = actor(t, ROLE_CLERK, "152502001000", "clerk");
    c = (struct call){.a = &tadmin, .site = site_id(t, "152502001002"), .list = list, .n = 1};
    EXPECT(PUT, &c, BB_OK, NULL);
    c.site = site_id(t, "152502002001");
    EXPECT(PUT, &c, BB_FORBIDDEN, NULL);
    c.site = site_id(t, "152502000000");
    EXPECT(PUT, &c, BB_FORBIDDEN, NULL);
    c = (struct call){.a = &agent, .site = village, .list = list, .n = 1};
    EXPECT(PUT, &c, BB_FORBIDDEN, NULL);
    c.a = &clerk;
    EXPECT(PUT, &c, BB_FORBIDDEN, NULL);
    c = (struct call){.a = &coord, .site = site_id(t, "152502200201"), .list = list, .n = 0};
    EXPECT(PUT, &c, BB_OK, NULL); /* an empty list */
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM site_items si JOIN sites s ON s.id = "
                                   "si.site_id WHERE s.code = ?", "152502200201"), 0);
    c = (struct call){.a = &admin, .site = 9999, .list = list, .n = 1};
    EXPECT(PUT, &c, BB_NOT_FOUND, NULL);

    /* reading a site's list follows the site scope */
    c = (struct call){.a = &agent, .site = village};
    assert_int_equal(read_op(t, SITE_GET, &c), BB_OK);
    json_decref(c.out);
    c.site = site_id(t, "152502001002");
    assert_int_equal(read_op(t, SITE_GET, &c), BB_FORBIDDEN);
}

static void test_site_items_integrated(void **state)
{
    struct testdb *t = *state;
    /* the system sees one item at every site */
    struct call c = {.code = "11000101000", .q = {.limit = 100}};
    assert_int_equal(read_op(t, INTEGRATED, &c), BB_OK);
    assert_int_equal(json_array_size(c.out), 12);
    json_decref(c.out);

    /* a township admin pages through its own four sites, each row once */
    struct actor tadmin = actor(t, ROLE_ADMIN, "152502001000", "tadmin");
    int64_t want = testdb_int(t, "SELECT COUNT(*) FROM site_items si JOIN sites s ON s.id = "
                                 "si.site_id WHERE instr(s.path, ?) = 1", tadmin.site_path);
    assert_true(want > 51);
    int64_t mine[] = {site_id(t, "152502001000"), site_id(t, "152502001001"),
                      site_id(t, "152502001002"), site_id(t, "152502001003")};
    int64_t total = 0, last = 0;
    c = (struct call){.a = &tadmin, .q = {.limit = 40}};
    do {
        assert_int_equal(read_op(t, INTEGRATED, &c), BB_OK);
        size_t i;
        json_t *it;
        json_array_foreach(c.out, i, it) {
            int64_t id = json_integer_value(json_object_get(it, "id"));
            int64_t site = json_integer_value(json_object_get(it, "site_id"));
            assert_true(id > last);
            last = id;
            assert_true(site == mine[0] || site == mine[1] || site == mine[2] ||
                        site == mine[3]);
            assert_true(json_is_string(json_object_get(it, "site_name")));
            assert_true(json_is_string(json_object_get(it, "mode")));
            total++;
        }
        json_decref(c.out);
        c.after = c.next_id;
    } while (c.next_id);
    assert_int_equal(total, want);

    c = (struct call){.a = &tadmin, .site = mine[2], .code = "11000105000", .q = {.limit = 10}};
    assert_int_equal(read_op(t, INTEGRATED, &c), BB_OK);
    assert_int_equal(json_array_size(c.out), 1);
    assert_string_equal(str(json_array_get(c.out, 0), "mode"), "consult");
    json_decref(c.out);
    c.site = site_id(t, "152502002001");
    assert_int_equal(read_op(t, INTEGRATED, &c), BB_FORBIDDEN);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_list_search_and_filters),
        T(test_list_paging),
        T(test_list_site_and_public),
        T(test_get_public),
        T(test_site_items),
        T(test_site_items_integrated),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
