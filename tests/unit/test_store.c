/* test_store.c - opening and migrating, transactions, error mapping and paged rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "store/row.h"
#include "store/store.h"
#include "testdb.h"

static int setup(void **state)
{
    struct testdb *t = calloc(1, sizeof *t);
    if (!t || testdb_open(t, false)) {
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

static enum bb_err make_table(struct store_tx *tx, void *arg)
{
    (void)arg;
    return store_exec(tx, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, "
                          "n INTEGER CHECK (n >= 0), v REAL, note TEXT)");
}

static enum bb_err insert_five(struct store_tx *tx, void *arg)
{
    (void)arg;
    static const char *const names[] = {"a", "b", "c", "d", "e"};
    enum bb_err rc = BB_OK;
    for (int i = 0; i < 5 && !rc; i++)
        rc = store_run(tx, "INSERT INTO t (id, name, n, v, note) VALUES (?, ?, ?, ?, ?)", "itidt",
                       (int64_t)(i + 1), names[i], (int64_t)(i * 10), i + 0.5,
                       i % 2 ? "odd" : NULL);
    return rc;
}

static void test_open_creates_schema(void **state)
{
    struct testdb *t = *state;
    assert_true(store_schema_known() >= 1);
    assert_int_equal(store_schema_version(t->st), store_schema_known());
    assert_int_equal(testdb_int(t, "SELECT MAX(version) FROM schema_migrations", NULL),
                     store_schema_known());
    /* every domain table exists */
    const char *tables[] = {"sites", "departments", "windows", "users", "sessions",
                            "rate_limits"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
                                       "AND name = ?", tables[i]), 1);
    /* the database file is private from the first byte */
    struct stat sb;
    assert_int_equal(stat(t->path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
}

static void test_reopen_is_noop(void **state)
{
    struct testdb *t = *state;
    assert_int_equal(store_write(t->st, make_table, NULL), BB_OK);
    assert_int_equal(store_write(t->st, insert_five, NULL), BB_OK);
    int64_t rows = testdb_int(t, "SELECT COUNT(*) FROM schema_migrations", NULL);
    assert_int_equal(testdb_reopen(t), BB_OK);
    assert_int_equal(store_schema_version(t->st), store_schema_known());
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM schema_migrations", NULL), rows);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM t", NULL), 5);
    /* and a second time */
    assert_int_equal(testdb_reopen(t), BB_OK);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM schema_migrations", NULL), rows);
}

static enum bb_err add_future_version(struct store_tx *tx, void *arg)
{
    (void)arg;
    return store_run(tx, "INSERT INTO schema_migrations (version, name, applied_at) "
                         "VALUES (?, ?, ?)", "iti", (int64_t)store_schema_known() + 1,
                     "from_the_future", (int64_t)0);
}

static void test_newer_schema_refused(void **state)
{
    struct testdb *t = *state;
    assert_int_equal(store_write(t->st, add_future_version, NULL), BB_OK);
    store_close(t->st);
    t->st = NULL;
    struct store *st = (struct store *)1;
    assert_int_equal(store_open(t->path, 4, &st), BB_SCHEMA_NEWER);
    assert_null(st);
    /* refusing changed nothing: still refused */
    assert_int_equal(store_open(t->path, 1, &st), BB_SCHEMA_NEWER);
    assert_null(st);
}

static void test_open_unwritable_path(void **state)
{
    (void)state;
    struct store *st = (struct store *)1;
    enum bb_err rc = store_open("/nonexistent-dir-bb/x/t.db", 1, &st);
    assert_int_equal(rc, BB_IO);
    assert_null(st);
}

static enum bb_err insert_then_fail(struct store_tx *tx, void *arg)
{
    (void)arg;
    enum bb_err rc = store_run(tx, "INSERT INTO t (id, name) VALUES (100, 'doomed')", "");
    if (rc)
        return rc;
    rc = store_run(tx, "UPDATE t SET name = 'changed' WHERE id = 1", "");
    if (rc)
        return rc;
    return BB_INVALID;
}

static void test_write_rolls_back(void **state)
{
    struct testdb *t = *state;
    assert_int_equal(store_write(t->st, make_table, NULL), BB_OK);
    assert_int_equal(store_write(t->st, insert_five, NULL), BB_OK);
    assert_int_equal(store_write(t->st, insert_then_fail, NULL), BB_INVALID);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM t WHERE id = 100", NULL), 0);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM t WHERE name = 'a'", NULL), 1);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM t", NULL), 5);
    /* the connection is usable again after the rollback (and for all 4 connections) */
    for (int i = 0; i < 8; i++)
        assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM t", NULL), 5);
}

static enum bb_err insert_dup(struct store_tx *tx, void *arg)
{
    (void)arg;
    return store_run(tx, "INSERT INTO t (name) VALUES (?)", "t", "a");
}

static enum bb_err insert_dup_pk(struct store_tx *tx, void *arg)
{
    (void)arg;
    return store_run(tx, "INSERT INTO t (id, name) VALUES (1, 'zz')", "");
}

static enum bb_err insert_check(struct store_tx *tx, void *arg)
{
    (void)arg;
    return store_run(tx, "INSERT INTO t (name, n) VALUES (?, ?)", "ti", "neg", (int64_t)-1);
}

static enum bb_err bad_sql(struct store_tx *tx, void *arg)
{
    (void)arg;
    return store_run(tx, "INSERT INTO no_such_table VALUES (1)", "");
}

static void test_error_mapping(void **state)
{
    struct testdb *t = *state;
    assert_int_equal(store_write(t->st, make_table, NULL), BB_OK);
    assert_int_equal(store_write(t->st, insert_five, NULL), BB_OK);
    assert_int_equal(store_write(t->st, insert_dup, NULL), BB_CONFLICT);
    assert_int_equal(store_write(t->st, insert_dup_pk, NULL), BB_CONFLICT);
    assert_int_equal(store_write(t->st, insert_check, NULL), BB_INVALID);
    enum bb_err rc = store_write(t->st, bad_sql, NULL);
    assert_int_not_equal(rc, BB_OK);
    assert_int_equal(bb_err_status(rc), 500);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM t", NULL), 5);
}

struct readback {
    int64_t id, n;
    double v;
    char name[16], note[16];
    bool note_null;
};

static enum bb_err read_row(struct store_tx *tx, void *arg)
{
    struct readback *r = arg;
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT id, name, n, v, note FROM t WHERE id = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_int(s, 1, r->id);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    if (!rc) {
        snprintf(r->name, sizeof r->name, "%s", store_col_text(s, 1));
        r->n = store_col_int(s, 2);
        r->v = store_col_double(s, 3);
        r->note_null = store_col_null(s, 4);
        snprintf(r->note, sizeof r->note, "%s",
                 store_col_text(s, 4) ? store_col_text(s, 4) : "(null)");
    }
    store_finalize(s);
    return rc;
}

static void test_run_binds(void **state)
{
    struct testdb *t = *state;
    assert_int_equal(store_write(t->st, make_table, NULL), BB_OK);
    assert_int_equal(store_write(t->st, insert_five, NULL), BB_OK);
    struct readback r = {.id = 4};
    assert_int_equal(store_read(t->st, read_row, &r), BB_OK);
    assert_string_equal(r.name, "d");
    assert_int_equal(r.n, 30);
    assert_true(r.v == 3.5);
    assert_false(r.note_null);
    assert_string_equal(r.note, "odd");
    r = (struct readback){.id = 3};
    assert_int_equal(store_read(t->st, read_row, &r), BB_OK);
    assert_true(r.note_null); /* NULL text binds SQL NULL */
    r = (struct readback){.id = 42};
    assert_int_equal(store_read(t->st, read_row, &r), BB_NOT_FOUND);
}

struct qi {
    const char *sql;
    int nargs;
    int64_t args[2];
    bool found;
    int64_t out;
};

static enum bb_err query_int(struct store_tx *tx, void *arg)
{
    struct qi *q = arg;
    return store_query_int(tx, q->sql, q->nargs, q->args, &q->found, &q->out);
}

static void test_query_int(void **state)
{
    struct testdb *t = *state;
    assert_int_equal(store_write(t->st, make_table, NULL), BB_OK);
    assert_int_equal(store_write(t->st, insert_five, NULL), BB_OK);
    struct qi q = {"SELECT n FROM t WHERE id = ?", 1, {3, 0}, false, -1};
    assert_int_equal(store_read(t->st, query_int, &q), BB_OK);
    assert_true(q.found);
    assert_int_equal(q.out, 20);
    q = (struct qi){"SELECT n FROM t WHERE id = ?", 1, {99, 0}, true, -1};
    assert_int_equal(store_read(t->st, query_int, &q), BB_OK);
    assert_false(q.found);
    assert_int_equal(q.out, -1); /* untouched when nothing came back */
    q = (struct qi){"SELECT COUNT(*) FROM t WHERE id BETWEEN ? AND ?", 2, {2, 4}, false, -1};
    assert_int_equal(store_read(t->st, query_int, &q), BB_OK);
    assert_true(q.found);
    assert_int_equal(q.out, 3);
}

struct page {
    int64_t after;
    int limit;
    json_t *items;
    int64_t next;
};

static enum bb_err list_page(struct store_tx *tx, void *arg)
{
    struct page *p = arg;
    static const char *const names[] = {"id", "name", "n", "v", "note"};
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT id, name, n, v, note FROM t WHERE id > ? "
                                       "ORDER BY id LIMIT ?", &s);
    if (rc)
        return rc;
    rc = store_bind_int(s, 1, p->after);
    if (!rc)
        rc = store_bind_int(s, 2, p->limit + 1);
    if (!rc)
        rc = store_rows_json(s, "isids", names, p->limit, &p->items, &p->next);
    store_finalize(s);
    return rc;
}

static void check_ids(json_t *items, int from, int count)
{
    assert_true(json_is_array(items));
    assert_int_equal(json_array_size(items), (size_t)count);
    for (int i = 0; i < count; i++)
        assert_int_equal(json_integer_value(json_object_get(json_array_get(items, (size_t)i),
                                                            "id")), from + i);
}

static void test_rows_paging(void **state)
{
    struct testdb *t = *state;
    assert_int_equal(store_write(t->st, make_table, NULL), BB_OK);
    assert_int_equal(store_write(t->st, insert_five, NULL), BB_OK);

    struct page p = {0, 2, NULL, -1};
    assert_int_equal(store_read(t->st, list_page, &p), BB_OK);
    check_ids(p.items, 1, 2);
    assert_int_equal(p.next, 2);
    json_t *first = json_array_get(p.items, 0);
    assert_string_equal(json_string_value(json_object_get(first, "name")), "a");
    assert_true(json_is_integer(json_object_get(first, "n")));
    assert_true(json_is_real(json_object_get(first, "v")));
    assert_true(json_is_null(json_object_get(first, "note")));
    json_decref(p.items);

    p = (struct page){2, 2, NULL, -1};
    assert_int_equal(store_read(t->st, list_page, &p), BB_OK);
    check_ids(p.items, 3, 2);
    assert_int_equal(p.next, 4);
    json_decref(p.items);

    p = (struct page){4, 2, NULL, -1};
    assert_int_equal(store_read(t->st, list_page, &p), BB_OK);
    check_ids(p.items, 5, 1);
    assert_int_equal(p.next, 0); /* last page */
    json_decref(p.items);

    p = (struct page){0, 5, NULL, -1}; /* exactly all rows: no next page */
    assert_int_equal(store_read(t->st, list_page, &p), BB_OK);
    check_ids(p.items, 1, 5);
    assert_int_equal(p.next, 0);
    json_decref(p.items);

    p = (struct page){5, 2, NULL, -1};
    assert_int_equal(store_read(t->st, list_page, &p), BB_OK);
    check_ids(p.items, 1, 0);
    assert_int_equal(p.next, 0);
    json_decref(p.items);
}

static enum bb_err one_bool_row(struct store_tx *tx, void *arg)
{
    json_t **out = arg;
    static const char *const names[] = {"flag", "off"};
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT 5, 0", &s);
    if (rc)
        return rc;
    bool row;
    rc = store_step(s, &row);
    if (!rc)
        *out = store_row_json(s, "bb", names);
    store_finalize(s);
    return rc;
}

static void test_row_json_bool(void **state)
{
    struct testdb *t = *state;
    json_t *o = NULL;
    assert_int_equal(store_read(t->st, one_bool_row, &o), BB_OK);
    assert_non_null(o);
    assert_true(json_is_true(json_object_get(o, "flag")));
    assert_true(json_is_false(json_object_get(o, "off")));
    json_decref(o);
}

/* --- the per-connection statement cache (keyed by the SQL text's address) --- */

struct buf_sql {
    char sql[96];
    int64_t got[3];
};

/* One buffer, three different statements in it: each must run its own text. */
static enum bb_err reuse_buffer(struct store_tx *tx, void *arg)
{
    struct buf_sql *b = arg;
    static const char *const texts[] = {"SELECT COUNT(*) FROM t", "SELECT MAX(n) FROM t",
                                        "SELECT MIN(id) + 100 FROM t"};
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 3; i++) {
            snprintf(b->sql, sizeof b->sql, "%s", texts[i]);
            bool found;
            int64_t v = -1;
            enum bb_err rc = store_query_int(tx, b->sql, 0, NULL, &found, &v);
            if (rc)
                return rc;
            if (round > 0 && v != b->got[i])
                return BB_INTERNAL;
            b->got[i] = v;
        }
    return BB_OK;
}

static void test_cache_reused_buffer(void **state)
{
    struct testdb *t = *state;
    assert_int_equal(store_write(t->st, make_table, NULL), BB_OK);
    assert_int_equal(store_write(t->st, insert_five, NULL), BB_OK);
    struct buf_sql b;
    for (int i = 0; i < 6; i++) { /* enough rounds to meet every connection's cache */
        memset(&b, 0, sizeof b);
        assert_int_equal(store_read(t->st, reuse_buffer, &b), BB_OK);
        assert_int_equal(b.got[0], 5);
        assert_int_equal(b.got[1], 40);
        assert_int_equal(b.got[2], 101);
    }
}

static const char nested_sql[] = "SELECT id FROM t WHERE id >= ? ORDER BY id";

/* The same literal opened again while the first use is still stepping. */
static enum bb_err nested_same_sql(struct store_tx *tx, void *arg)
{
    int64_t *sum = arg;
    struct store_stmt *outer;
    enum bb_err rc = store_prepare(tx, nested_sql, &outer);
    if (rc)
        return rc;
    rc = store_bind_int(outer, 1, 1);
    for (bool row = true; !rc && row;) {
        rc = store_step(outer, &row);
        if (rc || !row)
            break;
        struct store_stmt *inner;
        rc = store_prepare(tx, nested_sql, &inner);
        if (rc)
            break;
        rc = store_bind_int(inner, 1, store_col_int(outer, 0));
        for (bool r2 = true; !rc && r2;) {
            rc = store_step(inner, &r2);
            if (!rc && r2)
                (*sum)++;
        }
        store_finalize(inner);
    }
    store_finalize(outer);
    return rc;
}

static void test_cache_nested_same_sql(void **state)
{
    struct testdb *t = *state;
    assert_int_equal(store_write(t->st, make_table, NULL), BB_OK);
    assert_int_equal(store_write(t->st, insert_five, NULL), BB_OK);
    for (int i = 0; i < 6; i++) {
        int64_t sum = 0;
        assert_int_equal(store_read(t->st, nested_same_sql, &sum), BB_OK);
        assert_int_equal(sum, 5 + 4 + 3 + 2 + 1);
    }
}

static const char insert_sql[] = "INSERT INTO t (name) VALUES (?)";

static enum bb_err insert_name(struct store_tx *tx, void *arg)
{
    return store_run(tx, insert_sql, "t", (const char *)arg);
}

/* A cached statement that failed is usable again, with no stale binding or error. */
static void test_cache_after_error(void **state)
{
    struct testdb *t = *state;
    assert_int_equal(store_write(t->st, make_table, NULL), BB_OK);
    assert_int_equal(store_write(t->st, insert_five, NULL), BB_OK);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(store_write(t->st, insert_name, (void *)"a"), BB_CONFLICT);
        char name[16];
        snprintf(name, sizeof name, "new%d", i);
        assert_int_equal(store_write(t->st, insert_name, name), BB_OK);
    }
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM t", NULL), 11);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM t WHERE name LIKE 'new%'", NULL), 6);
}

#define MANY_SQL 300

/* More distinct statements than the cache holds, each run twice. */
static enum bb_err many_statements(struct store_tx *tx, void *arg)
{
    char **texts = arg;
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < MANY_SQL; i++) {
            bool found;
            int64_t v = -1;
            enum bb_err rc = store_query_int(tx, texts[i], 0, NULL, &found, &v);
            if (rc)
                return rc;
            if (!found || v != i)
                return BB_INTERNAL;
        }
    return BB_OK;
}

static void test_cache_many_statements(void **state)
{
    struct testdb *t = *state;
    char *texts[MANY_SQL];
    for (int i = 0; i < MANY_SQL; i++) {
        texts[i] = malloc(32);
        assert_non_null(texts[i]);
        snprintf(texts[i], 32, "SELECT %d", i);
    }
    for (int i = 0; i < 3; i++)
        assert_int_equal(store_read(t->st, many_statements, texts), BB_OK);
    for (int i = 0; i < MANY_SQL; i++)
        free(texts[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_creates_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_is_noop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
        cmocka_unit_test(test_open_unwritable_path),
        cmocka_unit_test_setup_teardown(test_write_rolls_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_mapping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_binds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_int, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows_paging, setup, teardown),
        cmocka_unit_test_setup_teardown(test_row_json_bool, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_reused_buffer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_nested_same_sql, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_after_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_many_statements, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
