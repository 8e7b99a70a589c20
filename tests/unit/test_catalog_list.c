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
    testdb_close(*state);
    free(*state);
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

static enum bb_err fill_actor(struct store_tx *tx, void *arg)
{
    struct actor *a = arg;
    struct store_stmt *s = NULL;
    bool row = false;
    enum bb_err rc = site_path(tx, a->site_id, a->site_path);
    if (!rc)
        rc = store_prepare(tx, "SELECT level FROM sites WHERE id = ?", &s);
    if (!rc)
        rc = store_bind_int(s, 1, a->site_id);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && row)
        snprintf(a->site_level, sizeof a->site_level, "%s", store_col_text(s, 0));
    if (s)
        store_finalize(s);
    return rc;
}

/* An actor with role r at the site with code, as the user login. */
static struct actor actor(struct testdb *t, enum role r, const char *code, const char *login)
{
    struct actor a = {.role = r, .site_id = site_id(t, code)};
    a.user_id = testdb_int(t, "SELECT id FROM users WHERE login = ?", login);
    snprintf(a.login, sizeof a.login, "%s", login);
    assert_true(a.user_id > 0);
    assert_int_equal(store_read(t->st, fill_actor, &a), BB_OK);
    return a;
}

/* The row counts of the four catalogue tables in one number (each below 10,000), to show a
 * failed write left nothing. */
static int64_t rows(struct testdb *t)
{
    return testdb_int(t, "SELECT (SELECT COUNT(*) FROM items) * 1000000000000 + (SELECT "
                         "COUNT(*) FROM item_versions) * 100000000 + (SELECT COUNT(*) FROM "
                         "materials) * 10000 + (SELECT COUNT(*) FROM site_items)", NULL);
}

enum op { CREATE, UPDATE, UPDATE_VERSION, PUBLISH, RETIRE, GET, LIST, PUT, SITE_GET, INTEGRATED };

/* One catalogue call, run inside store_write or store_read by run_op. */
struct call {
    enum op op;
    const struct actor *a;
    const char *code;
    const struct item_in *in;
    int64_t version, site, after, next_id;
    enum item_view view;
    struct item_query q;
    const struct site_item_in *list;
    int n;
    const char *field;
    char field_buf[64], next[32];
    json_t *out;
};

static enum bb_err run_op(struct store_tx *tx, void *arg)
{
    struct call *c = arg;
    switch (c->op) {
    case CREATE: return item_create(tx, c->a, c->in, &c->field);
    case UPDATE: return item_update(tx, c->a, c->code, c->in, &c->field);
    case UPDATE_VERSION:
        return item_update_version(tx, c->a, c->code, c->version, c->in, &c->field);
    case PUBLISH: return item_publish(tx, c->a, c->code, &c->field);
    case RETIRE: return item_retire(tx, c->a, c->code);
    case GET: return item_get(tx, c->a, c->code, c->view, c->version, &c->out);
    case LIST: return item_list(tx, c->a, &c->q, &c->out, c->next, sizeof c->next);
    case PUT: {
        c->field_buf[0] = '\0';
        enum bb_err rc = site_items_put(tx, c->a, c->site, c->list, c->n, c->field_buf,
                                        sizeof c->field_buf);
        c->field = c->field_buf[0] ? c->field_buf : NULL;
        return rc;
    }
    case SITE_GET: return site_items_get(tx, c->a, c->site, &c->out);
    case INTEGRATED:
        return site_items_integrated(tx, c->a, c->site, c->code, c->after, c->q.limit, &c->out,
                                     &c->next_id);
    }
    return BB_INTERNAL;
}

/* Runs op in a write transaction; checks the result and the field (NULL: not checked). A
 * failure must leave every catalogue table as it was. */
static void expect(struct testdb *t, enum op op, struct call *c, enum bb_err want,
                   const char *want_field, int line)
{
    int64_t before = rows(t);
    c->op = op;
    c->field = NULL;
    enum bb_err rc = store_write(t->st, run_op, c);
    if (rc != want)
        fail_msg("line %d: got %s, want %s (field %s)", line, bb_err_code(rc),
                 bb_err_code(want), c->field ? c->field : "-");
    if (want_field && (!c->field || strcmp(c->field, want_field) != 0))
        fail_msg("line %d: field %s, want %s", line, c->field ? c->field : "(null)", want_field);
    if (rc != BB_OK && rows(t) != before)
        fail_msg("line %d: a failed call changed rows: %lld -> %lld", line, (long long)before,
                 (long long)rows(t));
}
#define EXPECT(op, c, want, field) expect(t, op, c, want, field, __LINE__)

/* Runs a read-only op; returns its result. */
static enum bb_err read_op(struct testdb *t, enum op op, struct call *c)
{
    c->op = op;
    return store_read(t->st, run_op, c);
}

/* Reads one item as the system. */
static json_t *get(struct testdb *t, const char *code, enum item_view view, int64_t version)
{
    struct call c = {.code = code, .view = view, .version = version};
    enum bb_err rc = read_op(t, GET, &c);
    if (rc)
        fail_msg("item_get %s view %d: %s", code, (int)view, bb_err_code(rc));
    return c.out;
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "(not a string)";
}

static const struct material_in mats1[] = {
    {.name = "居民身份证", .form = "original", .required = true, .source = "申请人自备"},
    {.name = "委托书", .condition = "委托他人办理的", .form = "original", .copies = 1},
};

/* A valid promised item of rs with two materials. */
static struct item_in base(const char *code)
{
    return (struct item_in){.set = IF_ALL, .code = code, .name = "测试事项申请",
                            .domain = "社会保险", .department = "rs", .level = "township",
                            .object = "individual", .case_type = "promised",
                            .statutory_days = 10, .promised_days = 5, .fee = "不收费",
                            .result_type = "document", .result = "证明", .online = true,
                            .legal_basis = "《测试条例》第一条", .conditions = "本市居民",
                            .process = "申请 > 受理 > 办结", .joint = "", .materials = mats1,
                            .nmaterials = 2};
}

/* Creates (and optionally publishes) an item as the system. */
static void make_item(struct testdb *t, const struct item_in *in, bool publish)
{
    struct call c = {.in = in, .code = in->code};
    EXPECT(CREATE, &c, BB_OK, NULL);
    if (publish)
        EXPECT(PUBLISH, &c, BB_OK, NULL);
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
