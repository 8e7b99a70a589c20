/* test_catalog_io.c - the catalogue as CSV (docs/catalog-format.md): export -> import -> export
 * round trips, the demo data files against the export, an import with many problems reported
 * by file, line and column with nothing written, header and syntax errors, updates, new and
 * retired items, and progress on a large generated file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "catalog/catalog_io.h"
#include "core/csv.h"
#include "core/embedded.h"
#include "testdb.h"

#define CAP (32 * 1024 * 1024)

static struct testdb tmpl;

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

/* The row counts of items, item_versions and materials in one number (each below 10,000). */
static int64_t rows(struct testdb *t)
{
    return testdb_int(t, "SELECT (SELECT COUNT(*) FROM items) * 100000000 + (SELECT COUNT(*) "
                         "FROM item_versions) * 10000 + (SELECT COUNT(*) FROM materials)", NULL);
}

struct export_call {
    const struct actor *a;
    bool materials;
    struct buf out;
};

static enum bb_err do_export(struct store_tx *tx, void *arg)
{
    struct export_call *c = arg;
    return catalog_export(tx, c->a, c->materials, &c->out);
}

/* The export of items.csv or materials.csv as a malloc'd string. */
static char *export_text(struct testdb *t, bool materials)
{
    struct export_call c = {.materials = materials};
    buf_init(&c.out, CAP);
    assert_int_equal(store_read(t->st, do_export, &c), BB_OK);
    assert_non_null(c.out.data);
    return c.out.data;
}

static enum bb_err import_text(struct testdb *t, const struct actor *a, const char *items,
                               const char *materials, struct import_report *rep)
{
    struct import_input in = {items, materials, strlen(items), strlen(materials), "items.csv",
                              "materials.csv", NULL};
    return catalog_import(t->st, a, &in, rep);
}

/* Imports as the system; the problems go to dump as JSON text. */
static enum bb_err import_dump(struct testdb *t, const char *items, const char *materials,
                               char *dump, size_t len)
{
    struct import_report rep;
    enum bb_err rc = import_text(t, NULL, items, materials, &rep);
    char *s = json_dumps(rep.problems, JSON_COMPACT);
    snprintf(dump, len, "%s", s ? s : "");
    free(s);
    json_decref(rep.problems);
    return rc;
}

/* Imports and checks the result and the counts. */
static void import_ok(struct testdb *t, const char *items, const char *materials, int created,
                      int updated, int unchanged)
{
    struct import_report rep;
    enum bb_err rc = import_text(t, NULL, items, materials, &rep);
    if (rc != BB_OK) {
        char *s = json_dumps(rep.problems, JSON_COMPACT);
        fail_msg("import: %s %s", bb_err_code(rc), s ? s : "");
    }
    assert_int_equal(json_array_size(rep.problems), 0);
    assert_int_equal(rep.created, created);
    assert_int_equal(rep.updated, updated);
    assert_int_equal(rep.unchanged, unchanged);
    json_decref(rep.problems);
}

/* Rewrites CSV text record by record: field col of record row (0 = header) set to value (when
 * value is set), columns in reverse order (reverse), CRLF record ends and a BOM (crlf). */
struct rewrite {
    int row, col;
    const char *value;
    bool reverse, crlf;
};

static char *rewrite(const char *text, struct rewrite w)
{
    struct csv_reader r;
    csv_init(&r, text, strlen(text), CAP);
    struct buf out;
    buf_init(&out, CAP);
    if (w.crlf)
        assert_int_equal(buf_addstr(&out, "\xEF\xBB\xBF"), BB_OK);
    long line;
    int more, row = 0;
    while (csv_next(&r, &line, &more) == BB_OK && more) {
        const char *f[CSV_MAX_FIELDS];
        for (int i = 0; i < r.nfields; i++)
            f[i] = w.reverse ? r.fields[r.nfields - 1 - i] : r.fields[i];
        if (w.value && row == w.row)
            f[w.reverse ? r.nfields - 1 - w.col : w.col] = w.value;
        struct buf one;
        buf_init(&one, CAP);
        assert_int_equal(csv_write_row(&one, f, r.nfields), BB_OK);
        assert_int_equal(buf_add(&out, one.data, one.len - 1), BB_OK);
        assert_int_equal(buf_addstr(&out, w.crlf ? "\r\n" : "\n"), BB_OK);
        buf_free(&one);
        row++;
    }
    csv_free(&r);
    return out.data;
}

/* Index of the record (0 = header) starting with code, in a file without line breaks in
 * fields (the demo export). */
static int row_of(const char *text, const char *code)
{
    char key[24];
    snprintf(key, sizeof key, "\n%s,", code);
    const char *at = strstr(text, key);
    assert_non_null(at);
    int row = 1;
    for (const char *p = text; p < at; p++)
        row += *p == '\n';
    return row;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The records of text (after the header) rewritten canonically and sorted, joined by '\n'. */
static char *row_set(const char *text, size_t len, char *header, size_t header_len)
{
    struct csv_reader r;
    csv_init(&r, text, len, CAP);
    char *recs[512];
    int n = 0;
    long line;
    int more;
    while (csv_next(&r, &line, &more) == BB_OK && more) {
        struct buf one;
        buf_init(&one, CAP);
        assert_int_equal(csv_write_row(&one, r.fields, r.nfields), BB_OK);
        if (line == 1 || n == 512) {
            snprintf(header, header_len, "%s", line == 1 ? one.data : "too many rows");
            buf_free(&one);
        } else {
            recs[n++] = one.data;
        }
    }
    csv_free(&r);
    qsort(recs, (size_t)n, sizeof recs[0], cmp_str);
    struct buf out;
    buf_init(&out, CAP);
    for (int i = 0; i < n; i++) {
        assert_int_equal(buf_addstr(&out, recs[i]), BB_OK);
        free(recs[i]);
    }
    return out.data ? out.data : calloc(1, 1);
}

static const char ITEMS_HEADER[] = "code,name,domain,department,level,object,case_type,"
                                   "statutory_days,promised_days,fee,result_type,result,online,"
                                   "legal_basis,conditions,process,joint_departments\n";
static const char MATS_HEADER[] = "item_code,name,required,condition,form,copies,source,note\n";

/* Appends an items.csv row of an rs township item. */
static void item_row(struct buf *b, const char *code, const char *name, const char *domain,
                     const char *case_type, const char *statutory, const char *promised,
                     const char *conditions)
{
    const char *f[] = {code, name, domain, "rs", "township", "individual", case_type,
                       statutory, promised, "不收费", "none", "", "yes", "《测试条例》第一条",
                       conditions, "申请 > 办结", ""};
    assert_int_equal(csv_write_row(b, f, 17), BB_OK);
}

static void material_row(struct buf *b, const char *code, const char *required,
                         const char *form)
{
    const char *f[] = {code, "居民身份证", required, "", form, "0", "申请人自备", ""};
    assert_int_equal(csv_write_row(b, f, 8), BB_OK);
}

/* --- tests --- */

static void test_export_import_round_trip(void **state)
{
    struct testdb *t = *state;
    char *items = export_text(t, false), *mats = export_text(t, true);
    assert_int_equal(strncmp(items, ITEMS_HEADER, strlen(ITEMS_HEADER)), 0);
    assert_int_equal(strncmp(mats, MATS_HEADER, strlen(MATS_HEADER)), 0);
    int64_t before = rows(t);
    import_ok(t, items, mats, 0, 0, 51);
    assert_int_equal(rows(t), before);
    char *items2 = export_text(t, false), *mats2 = export_text(t, true);
    assert_string_equal(items2, items);
    assert_string_equal(mats2, mats);

    /* CRLF with a BOM, and columns in another order, are the same content */
    char *crlf_items = rewrite(items, (struct rewrite){.crlf = true});
    char *crlf_mats = rewrite(mats, (struct rewrite){.crlf = true});
    import_ok(t, crlf_items, crlf_mats, 0, 0, 51);
    char *rev_items = rewrite(items, (struct rewrite){.reverse = true});
    char *rev_mats = rewrite(mats, (struct rewrite){.reverse = true});
    import_ok(t, rev_items, rev_mats, 0, 0, 51);
    assert_int_equal(rows(t), before);
    char *done[] = {rev_items, rev_mats, crlf_items, crlf_mats, items2, mats2};
    for (size_t i = 0; i < sizeof done / sizeof done[0]; i++)
        free(done[i]);

    /* only an admin of a district-level site may import */
    const struct actor who[] = {
        {.role = ROLE_CLERK, .site_path = "/1/", .site_level = "district"},
        {.role = ROLE_ADMIN, .site_path = "/1/2/", .site_level = "township"}};
    for (int i = 0; i < 2; i++) {
        struct import_report rep;
        assert_int_equal(import_text(t, &who[i], items, mats, &rep), BB_FORBIDDEN);
        json_decref(rep.problems);
    }
    free(items);
    free(mats);
}

/* data/catalog/items.csv and materials.csv hold exactly what the seeded demo exports. */
static void test_demo_data_matches_export(void **state)
{
    struct testdb *t = *state;
    const char *paths[] = {"/catalog/items.csv", "/catalog/materials.csv"};
    for (int m = 0; m < 2; m++) {
        const struct embedded_file *f = data_file(paths[m]);
        assert_non_null(f);
        char *exported = export_text(t, m == 1);
        char h1[512] = "", h2[512] = "";
        char *data_rows = row_set((const char *)f->data, f->len, h1, sizeof h1);
        char *export_rows = row_set(exported, strlen(exported), h2, sizeof h2);
        assert_string_equal(h1, m ? MATS_HEADER : ITEMS_HEADER);
        assert_string_equal(h2, h1);
        assert_string_equal(export_rows, data_rows);
        free(data_rows);
        free(export_rows);
        free(exported);
    }
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM items WHERE status = 'published'",
                                NULL), 51);
}

struct want_problem {
    const char *file;
    long line;
    const char *column, *code;
};

static bool is_problem(json_t *p, const struct want_problem *w)
{
    const char *file = json_string_value(json_object_get(p, "file"));
    const char *col = json_string_value(json_object_get(p, "column"));
    const char *code = json_string_value(json_object_get(p, "code"));
    return file && col && code && strcmp(file, w->file) == 0 && strcmp(col, w->column) == 0 &&
           strcmp(code, w->code) == 0 &&
           json_integer_value(json_object_get(p, "line")) == w->line &&
           json_is_string(json_object_get(p, "message")) &&
           json_is_string(json_object_get(p, "message_en"));
}

static bool has_problem(json_t *problems, const char *file, long line, const char *column,
                        const char *code)
{
    const struct want_problem w = {file, line, column, code};
    for (size_t i = 0; i < json_array_size(problems); i++)
        if (is_problem(json_array_get(problems, i), &w))
            return true;
    return false;
}

/* Checks that problems holds the wanted ones in this order (exact: and no others), and that
 * the whole list is sorted by file, then line. */
static void check_problems(json_t *problems, const struct want_problem *want, size_t n,
                           bool exact)
{
    char all[4096];
    char *dump = json_dumps(problems, JSON_COMPACT);
    snprintf(all, sizeof all, "%s", dump ? dump : "");
    free(dump);
    size_t np = json_array_size(problems), k = 0;
    if (exact && np != n)
        fail_msg("%zu problems, want %zu: %s", np, n, all);
    for (size_t i = 0; i < np; i++) {
        json_t *p = json_array_get(problems, i);
        if (k < n && is_problem(p, &want[k]))
            k++;
        if (i == 0)
            continue;
        json_t *q = json_array_get(problems, i - 1);
        int c = strcmp(json_string_value(json_object_get(q, "file")),
                       json_string_value(json_object_get(p, "file")));
        if (c > 0 || (c == 0 && json_integer_value(json_object_get(q, "line")) >
                                    json_integer_value(json_object_get(p, "line"))))
            fail_msg("problem %zu out of order: %s", i, all);
    }
    if (k < n)
        fail_msg("missing %s:%ld:%s %s in %s", want[k].file, want[k].line, want[k].column,
                 want[k].code, all);
}

static void test_bad_file_reports_everything(void **state)
{
    struct testdb *t = *state;
    struct buf items, mats;
    buf_init(&items, CAP);
    buf_init(&mats, CAP);
    assert_int_equal(buf_addstr(&items, ITEMS_HEADER), BB_OK);
    item_row(&items, "12000001000", "测试事项甲", "社会保险", "promised", "10", "5",
             "第一行\n第二行"); /* lines 2-3 */
    item_row(&items, "12000002000", "领域不对", "社保", "promised", "10", "5", "");
    item_row(&items, "12000003000", "时限不对", "社会保险", "promised", "5", "8", "");
    item_row(&items, "12000004000", "材料不对", "社会保险", "promised", "10", "5", "");
    item_row(&items, "12000001000", "测试事项乙", "社会保险", "promised", "10", "5", "");
    assert_int_equal(buf_addstr(&items, "12000005000,只有三列,社会保险\n"), BB_OK);
    item_row(&items, "12000006000", "天数不是数", "社会保险", "promised", "十", "5", "");
    assert_int_equal(buf_addstr(&mats, MATS_HEADER), BB_OK);
    material_row(&mats, "12000001000", "required", "original");
    material_row(&mats, "12000002000", "required", "original");
    material_row(&mats, "12000003000", "required", "original");
    material_row(&mats, "12000004000", "required", "scan");
    material_row(&mats, "12999999000", "required", "original");
    material_row(&mats, "12000006000", "maybe", "original");

    int64_t before = rows(t);
    struct import_report rep;
    assert_int_equal(import_text(t, NULL, items.data, mats.data, &rep), BB_IMPORT_INVALID);
    const struct want_problem want[] = {
        {"items.csv", 4, "domain", "unknown_domain"},
        {"items.csv", 5, "promised_days", "limits_mismatch"},
        {"items.csv", 7, "code", "conflict"}, /* the second listing */
        {"items.csv", 8, "", "invalid"},
        {"items.csv", 9, "statutory_days", "invalid"},
        {"materials.csv", 5, "form", "invalid"},
        {"materials.csv", 6, "item_code", "not_found"},
        {"materials.csv", 7, "required", "invalid"},
    };
    check_problems(rep.problems, want, sizeof want / sizeof want[0], false);
    assert_int_equal(rep.created + rep.updated + rep.unchanged, 0);
    json_decref(rep.problems);
    assert_int_equal(rows(t), before);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM items WHERE code LIKE '12%'", NULL), 0);
    buf_free(&items);
    buf_free(&mats);
}

/* A code listed twice is one problem (on its second listing); the first listing's materials
 * are in the file, so it must not also be reported as having none. */
static void test_duplicate_code_takes_materials(void **state)
{
    struct testdb *t = *state;
    struct buf items, mats;
    buf_init(&items, CAP);
    buf_init(&mats, CAP);
    assert_int_equal(buf_addstr(&items, ITEMS_HEADER), BB_OK);
    item_row(&items, "12000001000", "甲", "社会保险", "promised", "10", "5", "");
    item_row(&items, "12000001000", "乙", "社会保险", "promised", "10", "5", "");
    assert_int_equal(buf_addstr(&mats, MATS_HEADER), BB_OK);
    material_row(&mats, "12000001000", "required", "original");
    char dump[1024];
    enum bb_err rc = import_dump(t, items.data, mats.data, dump, sizeof dump);
    buf_free(&items);
    buf_free(&mats);
    assert_int_equal(rc, BB_IMPORT_INVALID);
    assert_non_null(strstr(dump, "\"line\":3,\"column\":\"code\",\"code\":\"conflict\""));
    if (strstr(dump, "\"line\":2,"))
        fail_msg("line 2 is fine (its material is in materials.csv), got %s", dump);
}

static void expect_one_problem(struct testdb *t, const char *items, const char *mats,
                               struct want_problem want, const char *en)
{
    int64_t before = rows(t);
    struct import_report rep;
    assert_int_equal(import_text(t, NULL, items, mats, &rep), BB_IMPORT_INVALID);
    check_problems(rep.problems, &want, 1, true);
    if (en) {
        const char *msg = json_string_value(
            json_object_get(json_array_get(rep.problems, 0), "message_en"));
        if (!msg || !strstr(msg, en))
            fail_msg("message_en [%s] lacks [%s]", msg ? msg : "(null)", en);
    }
    json_decref(rep.problems);
    assert_int_equal(rows(t), before);
}

static void test_header_problems(void **state)
{
    struct testdb *t = *state;
    char *items = export_text(t, false), *mats = export_text(t, true);
    /* items without the fee column (its header cell renamed: an unknown column too) */
    char *renamed = rewrite(items, (struct rewrite){.row = 0, .col = 9, .value = "fees"});
    int64_t before = rows(t);
    struct import_report rep;
    assert_int_equal(import_text(t, NULL, renamed, mats, &rep), BB_IMPORT_INVALID);
    assert_int_equal(json_array_size(rep.problems), 2);
    assert_true(has_problem(rep.problems, "items.csv", 1, "fees", "unknown_field"));
    assert_true(has_problem(rep.problems, "items.csv", 1, "fee", "missing_field"));
    json_decref(rep.problems);
    free(renamed);
    renamed = rewrite(mats, (struct rewrite){.row = 0, .col = 7, .value = "remark"});
    assert_int_equal(import_text(t, NULL, items, renamed, &rep), BB_IMPORT_INVALID);
    assert_int_equal(json_array_size(rep.problems), 2);
    assert_true(has_problem(rep.problems, "materials.csv", 1, "remark", "unknown_field"));
    assert_true(has_problem(rep.problems, "materials.csv", 1, "note", "missing_field"));
    json_decref(rep.problems);
    free(renamed);
    /* a header of two columns: the 15 others are missing */
    assert_int_equal(import_text(t, NULL, "code,name\n11000101000,x\n", mats, &rep),
                     BB_IMPORT_INVALID);
    assert_int_equal(json_array_size(rep.problems), 15);
    assert_true(has_problem(rep.problems, "items.csv", 1, "joint_departments", "missing_field"));
    json_decref(rep.problems);
    assert_int_equal(rows(t), before);

    expect_one_problem(t, "", mats, (struct want_problem){"items.csv", 1, "", "invalid"},
                       "no header");
    free(items);
    free(mats);
}

static void test_csv_syntax_errors(void **state)
{
    struct testdb *t = *state;
    char *items = export_text(t, false), *mats = export_text(t, true);
    struct buf b;
    buf_init(&b, CAP);
    assert_int_equal(buf_addstr(&b, ITEMS_HEADER), BB_OK);
    item_row(&b, "12000001000", "甲", "社会保险", "promised", "10", "5", "");
    assert_int_equal(buf_addstr(&b, "12000002000,\"未闭合,社会保险\nrs,township\n"), BB_OK);
    expect_one_problem(t, b.data, mats, (struct want_problem){"items.csv", 3, "", "invalid"},
                       "unterminated quote");
    buf_free(&b);

    buf_init(&b, CAP);
    assert_int_equal(buf_addstr(&b, MATS_HEADER), BB_OK);
    material_row(&b, "11000101000", "required", "original");
    assert_int_equal(buf_addstr(&b, "11000101000,居民\"身份证,required,,original,0,,\n"), BB_OK);
    expect_one_problem(t, items, b.data,
                       (struct want_problem){"materials.csv", 3, "", "invalid"},
                       "quote inside an unquoted field");
    buf_free(&b);

    /* a record over 64 KiB */
    buf_init(&b, CAP);
    assert_int_equal(buf_addstr(&b, ITEMS_HEADER), BB_OK);
    item_row(&b, "12000001000", "甲", "社会保险", "promised", "10", "5", "");
    char *huge = malloc(70 * 1024);
    memset(huge, 'a', 70 * 1024 - 1);
    huge[70 * 1024 - 1] = '\0';
    item_row(&b, "12000002000", "乙", "社会保险", "promised", "10", "5", huge);
    free(huge);
    expect_one_problem(t, b.data, mats, (struct want_problem){"items.csv", 3, "", "too_large"},
                       NULL);
    buf_free(&b);
    free(items);
    free(mats);
}

static void test_changed_and_new_items(void **state)
{
    struct testdb *t = *state;
    char *items = export_text(t, false), *mats = export_text(t, true);
    int row = row_of(items, "11000101000");
    char *changed = rewrite(items, (struct rewrite){.row = row, .col = 1,
                                                    .value = "城乡居民养老保险参保登记（新）"});
    import_ok(t, changed, mats, 0, 1, 50);
    import_ok(t, changed, mats, 0, 0, 51); /* again: nothing to do */
    assert_int_equal(testdb_int(t, "SELECT published_version FROM items WHERE code = ?",
                                "11000101000"), 2);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM item_versions v JOIN items i ON "
                                   "i.id = v.item_id WHERE i.code = ? AND v.version = 1 AND "
                                   "v.state = 'superseded' AND v.name = "
                                   "'城乡居民基本养老保险参保登记'", "11000101000"), 1);
    assert_int_equal(testdb_int(t, "SELECT COUNT(DISTINCT m.version_id) FROM materials m JOIN "
                                   "item_versions v ON v.id = m.version_id JOIN items i ON "
                                   "i.id = v.item_id WHERE i.code = ?", "11000101000"), 2);

    /* a material's copies changed: only its item is updated */
    int mrow = row_of(mats, "11000102000");
    char *mchanged = rewrite(mats, (struct rewrite){.row = mrow, .col = 5, .value = "3"});
    import_ok(t, changed, mchanged, 0, 1, 50);
    assert_int_equal(testdb_int(t, "SELECT published_version FROM items WHERE code = ?",
                                "11000102000"), 2);

    /* a file holding one new item creates it and leaves the others alone */
    struct buf ni, nm;
    buf_init(&ni, CAP);
    buf_init(&nm, CAP);
    assert_int_equal(buf_addstr(&ni, ITEMS_HEADER), BB_OK);
    item_row(&ni, "12000001000", "新事项", "社会保险", "immediate", "1", "0", "");
    assert_int_equal(buf_addstr(&nm, MATS_HEADER), BB_OK);
    material_row(&nm, "12000001000", "required", "electronic");
    import_ok(t, ni.data, nm.data, 1, 0, 0);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM items WHERE code = ? AND status = "
                                   "'published' AND published_version = 1 AND draft_version "
                                   "IS NULL", "12000001000"), 1);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM items WHERE status = 'published'",
                                NULL), 52);
    import_ok(t, ni.data, nm.data, 0, 0, 1);
    buf_free(&ni);
    buf_free(&nm);
    free(changed);
    free(mchanged);
    free(items);
    free(mats);
}

static enum bb_err do_retire(struct store_tx *tx, void *arg)
{
    return item_retire(tx, NULL, arg);
}

static void test_retired_item_in_file(void **state)
{
    struct testdb *t = *state;
    char *items = export_text(t, false), *mats = export_text(t, true);
    assert_int_equal(store_write(t->st, do_retire, "11000101000"), BB_OK);
    int row = row_of(items, "11000101000");
    char *changed = rewrite(items, (struct rewrite){.row = row, .col = 1, .value = "改名"});
    expect_one_problem(t, changed, mats, (struct want_problem){"items.csv", row + 1, "code",
                                                                "item_retired"}, NULL);
    free(changed);
    free(items);
    free(mats);
}

/* api.md: the export is "in the import format (exporting and importing round-trips exactly)";
 * the export includes retired items (published_version set), which the import refuses. */
static void test_export_with_retired_item_round_trips(void **state)
{
    struct testdb *t = *state;
    assert_int_equal(store_write(t->st, do_retire, "11000101000"), BB_OK);
    char *items = export_text(t, false), *mats = export_text(t, true);
    char dump[512];
    enum bb_err rc = import_dump(t, items, mats, dump, sizeof dump);
    free(items);
    free(mats);
    if (rc != BB_OK)
        fail_msg("re-importing the export: %s %s", bb_err_code(rc), dump);
}

/* catalog-format.md: "identical content changes nothing". Importing the same file twice must
 * leave the second import unchanged, also when a required material names a condition (which
 * is not stored) or a number has a leading zero. */
static void test_same_file_twice_is_unchanged(void **state)
{
    struct testdb *t = *state;
    struct buf items, mats;
    buf_init(&items, CAP);
    buf_init(&mats, CAP);
    assert_int_equal(buf_addstr(&items, ITEMS_HEADER), BB_OK);
    item_row(&items, "12000001000", "甲", "社会保险", "promised", "10", "5", "");
    item_row(&items, "12000002000", "乙", "社会保险", "promised", "010", "5", "");
    assert_int_equal(buf_addstr(&mats, MATS_HEADER), BB_OK);
    assert_int_equal(buf_addstr(&mats, "12000001000,户口簿,required,本人办理时,original,0,,\n"),
                     BB_OK);
    material_row(&mats, "12000002000", "required", "original");
    import_ok(t, items.data, mats.data, 2, 0, 0);
    struct import_report rep;
    assert_int_equal(import_text(t, NULL, items.data, mats.data, &rep), BB_OK);
    int updated = rep.updated;
    json_decref(rep.problems);
    int64_t versions = testdb_int(t, "SELECT COUNT(*) FROM item_versions v JOIN items i ON "
                                     "i.id = v.item_id WHERE i.code LIKE '12%'", NULL);
    buf_free(&items);
    buf_free(&mats);
    if (updated != 0 || versions != 2)
        fail_msg("second import of the same file: updated %d (want 0), %lld versions (want 2)",
                 updated, (long long)versions);
}

static long progress_calls, progress_done[8], progress_total;

static void on_progress(long done, long total)
{
    if (progress_calls < 8)
        progress_done[progress_calls] = done;
    progress_calls++;
    progress_total = total;
}

static void test_progress_on_large_file(void **state)
{
    struct testdb *t = *state;
    enum { N = 2500 };
    struct buf items, mats;
    buf_init(&items, CAP);
    buf_init(&mats, CAP);
    assert_int_equal(buf_addstr(&items, ITEMS_HEADER), BB_OK);
    assert_int_equal(buf_addstr(&mats, MATS_HEADER), BB_OK);
    for (int i = N; i >= 1; i--) { /* out of order: the import sorts */
        char code[16], name[32];
        snprintf(code, sizeof code, "12%06d000", i);
        snprintf(name, sizeof name, "生成事项%d", i);
        item_row(&items, code, name, "其他", "immediate", "1", "0", "");
        material_row(&mats, code, "required", "copy");
    }
    struct import_input in = {items.data, mats.data, items.len, mats.len, "items.csv",
                              "materials.csv", on_progress};
    struct import_report rep;
    progress_calls = 0;
    assert_int_equal(catalog_import(t->st, NULL, &in, &rep), BB_OK);
    assert_int_equal(rep.created, N);
    json_decref(rep.problems);
    assert_int_equal(progress_calls, 2);
    assert_int_equal(progress_done[0], 1000);
    assert_int_equal(progress_done[1], 2000);
    assert_int_equal(progress_total, N);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM items WHERE status = 'published'",
                                NULL), 51 + N);
    buf_free(&items);
    buf_free(&mats);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_export_import_round_trip),
        T(test_demo_data_matches_export),
        T(test_bad_file_reports_everything),
        T(test_duplicate_code_takes_materials),
        T(test_header_problems),
        T(test_csv_syntax_errors),
        T(test_changed_and_new_items),
        T(test_retired_item_in_file),
        T(test_export_with_retired_item_round_trips),
        T(test_same_file_twice_is_unchanged),
        T(test_progress_on_large_file),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
