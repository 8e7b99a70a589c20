/* test_store.c - the SQLite backend against the store contract (store_contract.inc: opening and
 * migrating, transactions, error mapping, binds, paged rows, the statement cache), plus what
 * only a file has: its mode, an unwritable path. Each test gets its own temp directory. */
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
#include "core/crypto.h"
#include "core/log.h"
#include "store/row.h"
#include "store/store.h"
#include "testdb.h"
#include "store_contract.inc"

/* --- the SQLite fixture: <mkdtemp dir>/t.db, the directory removed afterwards --- */

static int sqlite_create(struct contract_db *db)
{
    struct testdb *t = calloc(1, sizeof *t); /* only its dir and path: testdb_close cleans up */
    if (!t)
        return -1;
    crypto_init();
    log_set_quiet(1);
    snprintf(t->dir, sizeof t->dir, "/tmp/bb-unit-XXXXXX");
    if (!mkdtemp(t->dir)) {
        free(t);
        return -1;
    }
    snprintf(t->path, sizeof t->path, "%s/t.db", t->dir);
    snprintf(db->target, sizeof db->target, "%s", t->path);
    db->priv = t;
    return 0;
}

static void sqlite_drop(struct contract_db *db)
{
    testdb_close(db->priv);
    free(db->priv);
    db->priv = NULL;
}

static const struct store_fixture sqlite_fixture = {
    .backend = "sqlite",
    .relation_sql = "SELECT COUNT(*) FROM sqlite_master WHERE type IN ('table', 'index') "
                    "AND name = ?",
    .table_t_sql = "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, "
                   "n INTEGER CHECK (n >= 0), v REAL, note TEXT)",
    .unavailable = NULL,
    .create = sqlite_create,
    .drop = sqlite_drop,
};

/* --- SQLite only --- */

/* The database file is private from the first byte. */
static void test_file_is_private(void **state)
{
    struct contract_db *db = contract_db(state);
    struct stat sb;
    assert_int_equal(stat(db->target, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
}

static void test_open_unwritable_path(void **state)
{
    (void)state;
    struct store *st = (struct store *)1;
    enum bb_err rc = store_open("/nonexistent-dir-bb/x/t.db", 1, &st);
    assert_int_equal(rc, BB_IO);
    assert_null(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        STORE_CONTRACT_TESTS(&sqlite_fixture),
        contract_test(test_file_is_private, &sqlite_fixture),
        cmocka_unit_test(test_open_unwritable_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
