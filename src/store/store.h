/* store.h - the one small SQL interface of Bangban, independent of the database engine.
 * Domain code writes portable SQL with `?` placeholders, inside store_read / store_write.
 * A struct store is shared by all threads; transactions and statements belong to one thread. */
#ifndef BB_STORE_H
#define BB_STORE_H
#include <stdbool.h>
#include <stdint.h>
#include "../core/err.h"

struct store;
struct store_tx;
struct store_stmt;

typedef enum bb_err (*store_fn)(struct store_tx *tx, void *arg);

/* Opens the database at path (SQLite file; created if missing) with up to conns connections,
 * and brings its schema up to date. A path starting with postgresql:// or postgres:// is a
 * PostgreSQL URL instead (libpq; the database must exist; BB_UNAVAILABLE when unreachable). BB_SCHEMA_NEWER when a newer Bangban wrote it; BB_IO/BB_DB
 * when it cannot be opened. On BB_OK the caller owns *out and frees it with store_close. */
enum bb_err store_open(const char *path, int conns, struct store **out);
void store_close(struct store *st);
/* "sqlite" or "postgresql". */
const char *store_backend(struct store *st);
/* Schema version the database is at, and the highest this build knows. */
int store_schema_version(struct store *st);
int store_schema_known(void);

/* Runs fn in one read transaction (a consistent snapshot). Returns fn's result. */
enum bb_err store_read(struct store *st, store_fn fn, void *arg);
/* Runs fn in one write transaction: committed (durably) when fn returns BB_OK and rolled back
 * otherwise, so a failing request writes nothing. Returns fn's result, or the commit's error. */
enum bb_err store_write(struct store *st, store_fn fn, void *arg);

/* Prepares sql (placeholders `?`). The statement must be finalized before fn returns. */
enum bb_err store_prepare(struct store_tx *tx, const char *sql, struct store_stmt **out);
/* Binds parameter idx (1-based). Text is copied; NULL text binds SQL NULL. */
enum bb_err store_bind_int(struct store_stmt *s, int idx, int64_t v);
enum bb_err store_bind_text(struct store_stmt *s, int idx, const char *v);
enum bb_err store_bind_double(struct store_stmt *s, int idx, double v);
enum bb_err store_bind_null(struct store_stmt *s, int idx);
/* Advances: *row = true with a row to read, false when done. BB_CONFLICT on a uniqueness
 * violation, BB_INVALID on another constraint, BB_UNAVAILABLE when the database is busy. */
enum bb_err store_step(struct store_stmt *s, bool *row);
/* Column readers (0-based); text is valid until the next step or finalize, NULL for SQL NULL. */
int64_t store_col_int(struct store_stmt *s, int col);
double store_col_double(struct store_stmt *s, int col);
const char *store_col_text(struct store_stmt *s, int col);
bool store_col_null(struct store_stmt *s, int col);
void store_finalize(struct store_stmt *s);

/* Runs sql that has no parameters and returns no rows. */
enum bb_err store_exec(struct store_tx *tx, const char *sql);
/* A subquery giving the integers of a JSON array bound as text to its one `?`, e.g.
 * "... AND id IN (" + store_sql_int_list(tx) + ")": json_each on SQLite,
 * json_array_elements_text on PostgreSQL. */
const char *store_sql_int_list(struct store_tx *tx);
/* Prepares sql, binds the variadic arguments described by types ('i' int64_t, 't' const char *
 * (NULL binds NULL), 'd' double), steps it to the end and finalizes it. */
enum bb_err store_run(struct store_tx *tx, const char *sql, const char *types, ...);
/* Prepares sql, binds the int64 args, steps once: *found tells if a row came back, and *out
 * gets its first column (an id from RETURNING, a COUNT). */
enum bb_err store_query_int(struct store_tx *tx, const char *sql, int nargs, const int64_t *args,
                            bool *found, int64_t *out);

#endif
