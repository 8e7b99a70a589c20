/* store.c - the front of the store: picks the backend at open, runs transactions, forwards
 * statement calls through the backend's ops. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "../core/log.h"
#include "store_int.h"

struct store {
    const struct store_ops *ops;
    void *impl;
    int version;
};

#define OPS(o) (((struct store_obj *)(void *)(o))->ops)

bool store_target_is_pg(const char *target)
{
    return target && (strncmp(target, "postgresql://", 13) == 0 ||
                      strncmp(target, "postgres://", 11) == 0);
}

enum bb_err store_open(const char *path, int conns, struct store **out)
{
    *out = NULL;
    struct store *st = calloc(1, sizeof *st);
    if (!st)
        return BB_NOMEM;
    st->ops = store_target_is_pg(path) ? &store_pg_ops : &store_sqlite_ops;
    enum bb_err rc = st->ops->open(path, conns, &st->impl);
    if (rc) {
        free(st);
        return rc;
    }
    rc = store_migrate(st, &st->version);
    if (rc) {
        store_close(st);
        return rc;
    }
    *out = st;
    return BB_OK;
}

void store_close(struct store *st)
{
    if (!st)
        return;
    st->ops->close(st->impl);
    free(st);
}

int store_schema_version(struct store *st) { return st->version; }

static enum bb_err run(struct store *st, bool write, store_fn fn, void *arg)
{
    struct store_tx *tx;
    enum bb_err rc = st->ops->begin(st->impl, write, &tx);
    if (rc)
        return rc;
    rc = fn(tx, arg);
    enum bb_err end = st->ops->end(tx, rc == BB_OK);
    return rc ? rc : end;
}

enum bb_err store_read(struct store *st, store_fn fn, void *arg) { return run(st, false, fn, arg); }
enum bb_err store_write(struct store *st, store_fn fn, void *arg) { return run(st, true, fn, arg); }

enum bb_err store_prepare(struct store_tx *tx, const char *sql, struct store_stmt **out)
{
    return OPS(tx)->prepare(tx, sql, out);
}
enum bb_err store_bind_int(struct store_stmt *s, int i, int64_t v) { return OPS(s)->bind_int(s, i, v); }
enum bb_err store_bind_text(struct store_stmt *s, int i, const char *v) { return OPS(s)->bind_text(s, i, v); }
enum bb_err store_bind_double(struct store_stmt *s, int i, double v) { return OPS(s)->bind_double(s, i, v); }
enum bb_err store_bind_null(struct store_stmt *s, int i) { return OPS(s)->bind_null(s, i); }
enum bb_err store_step(struct store_stmt *s, bool *row) { return OPS(s)->step(s, row); }
int64_t store_col_int(struct store_stmt *s, int c) { return OPS(s)->col_int(s, c); }
double store_col_double(struct store_stmt *s, int c) { return OPS(s)->col_double(s, c); }
const char *store_col_text(struct store_stmt *s, int c) { return OPS(s)->col_text(s, c); }
bool store_col_null(struct store_stmt *s, int c) { return OPS(s)->col_null(s, c); }
void store_finalize(struct store_stmt *s)
{
    if (s)
        OPS(s)->finalize(s);
}
enum bb_err store_exec(struct store_tx *tx, const char *sql) { return OPS(tx)->exec(tx, sql); }

const char *store_sql_int_list(struct store_tx *tx)
{
    return OPS(tx)->int_list_sql ? OPS(tx)->int_list_sql : "SELECT value FROM json_each(?)";
}

const char *store_backend(struct store *st) { return st->ops->name; }

enum bb_err store_query_int(struct store_tx *tx, const char *sql, int nargs, const int64_t *args,
                            bool *found, int64_t *out)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, sql, &s);
    if (rc)
        return rc;
    for (int i = 0; i < nargs && !rc; i++)
        rc = store_bind_int(s, i + 1, args[i]);
    bool row = false;
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && row && out)
        *out = store_col_int(s, 0);
    if (found)
        *found = row;
    store_finalize(s);
    return rc;
}

enum bb_err store_run(struct store_tx *tx, const char *sql, const char *types, ...)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, sql, &s);
    if (rc)
        return rc;
    va_list ap;
    va_start(ap, types);
    for (int i = 0; types[i] && !rc; i++) {
        if (types[i] == 'i')
            rc = store_bind_int(s, i + 1, va_arg(ap, int64_t));
        else if (types[i] == 'd')
            rc = store_bind_double(s, i + 1, va_arg(ap, double));
        else
            rc = store_bind_text(s, i + 1, va_arg(ap, const char *));
    }
    va_end(ap);
    for (bool row = true; !rc && row;)
        rc = store_step(s, &row);
    store_finalize(s);
    return rc;
}
