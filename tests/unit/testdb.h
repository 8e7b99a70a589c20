/* testdb.h - a throw-away database for unit tests: a mkdtemp directory holding t.db (never
 * ":memory:", so WAL, file modes and reopening behave as in production), optionally seeded
 * with the demo city, removed again on close. */
#ifndef BB_TESTDB_H
#define BB_TESTDB_H
#include <stdbool.h>
#include <stdint.h>
#include "sites/authz.h"
#include "store/store.h"

struct testdb {
    char dir[64];          /* /tmp/bb-unit-XXXXXX */
    char path[96];         /* <dir>/t.db */
    struct store *st;      /* open store, NULL when closed */
};

/* Makes a new temp directory, opens <dir>/t.db with 4 connections and, when seed is true,
 * seeds the demo (slow: 15 password hashes). Returns 0 on success, -1 (and cleans up) if not. */
int testdb_open(struct testdb *t, bool seed);
/* As testdb_open(t, false), but the database starts as a copy of the closed database file
 * at from (and its -wal file when one exists). Cheap: use it per test after seeding a
 * template once per group with testdb_template. */
int testdb_open_copy(struct testdb *t, const char *from);
/* Seeds the demo into a new database and closes its store, leaving t->path to copy from. */
int testdb_template(struct testdb *t);
/* As testdb_template, with the shipped holiday calendar (data/holidays/: 2025, 2026) installed
 * too; demo seeding alone has weekends only. */
int testdb_template_holidays(struct testdb *t);
/* Closes the store and opens the same file again; returns store_open's result (t->st is NULL
 * unless it is BB_OK). */
enum bb_err testdb_reopen(struct testdb *t);
/* Closes the store if open and removes every file in the directory and the directory. */
void testdb_close(struct testdb *t);

/* Runs sql (no parameters, or one text parameter when text is not NULL) in a read transaction
 * and returns the first column of the first row; 0 when there is no row, -1 on error. */
int64_t testdb_int(struct testdb *t, const char *sql, const char *text);
/* As testdb_int, for the first column as text: a new string the caller frees, "(null)" for SQL
 * NULL, "(no row)" when there is no row; NULL on error. */
char *testdb_text(struct testdb *t, const char *sql, const char *text);
/* The user login as the API would see them: id, role, department, site, its level and path.
 * 0, or -1 when there is no such user or a query fails. */
int testdb_actor(struct testdb *t, const char *login, struct actor *out);

#endif
