/* store_int.h - the backend vtable behind store.h (smtpd queue_backend style).
 * store.c holds the front; each backend fills one struct store_ops. */
#ifndef BB_STORE_INT_H
#define BB_STORE_INT_H
#include "store.h"

struct store_ops {
    const char *name;
    enum bb_err (*open)(const char *target, int conns, void **impl);
    void (*close)(void *impl);
    /* Takes a connection and begins a transaction (write = takes the write lock up front). */
    enum bb_err (*begin)(void *impl, bool write, struct store_tx **tx);
    /* Commits (commit = true) or rolls back, and gives the connection back. */
    enum bb_err (*end)(struct store_tx *tx, bool commit);
    enum bb_err (*prepare)(struct store_tx *tx, const char *sql, struct store_stmt **out);
    enum bb_err (*bind_int)(struct store_stmt *s, int idx, int64_t v);
    enum bb_err (*bind_text)(struct store_stmt *s, int idx, const char *v);
    enum bb_err (*bind_double)(struct store_stmt *s, int idx, double v);
    enum bb_err (*bind_null)(struct store_stmt *s, int idx);
    enum bb_err (*step)(struct store_stmt *s, bool *row);
    int64_t (*col_int)(struct store_stmt *s, int col);
    double (*col_double)(struct store_stmt *s, int col);
    const char *(*col_text)(struct store_stmt *s, int col);
    bool (*col_null)(struct store_stmt *s, int col);
    void (*finalize)(struct store_stmt *s);
    enum bb_err (*exec)(struct store_tx *tx, const char *sql);
    /* The dialect. ddl: translates a schema step written in SQLite DDL (a new string the
     * caller frees; NULL = used as it is). schema_lock_sql: run first in every migration
     * transaction so nodes starting together apply each step once (NULL: the write lock
     * already serialises). int_list_sql: see store_sql_int_list. */
    char *(*ddl)(const char *sql);
    const char *schema_lock_sql;
    const char *int_list_sql;
};

/* Every backend's tx and stmt start with this header so the front can find the ops. */
struct store_obj {
    const struct store_ops *ops;
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;
/* SQLite DDL -> PostgreSQL DDL (store_pg_ddl.c): a new string, NULL when out of memory. */
char *store_pg_ddl(const char *sql);

/* The backend of an open transaction. */
static inline const struct store_ops *store_tx_ops(struct store_tx *tx)
{
    return ((struct store_obj *)(void *)tx)->ops;
}
/* True when target names a PostgreSQL database (postgresql:// or postgres://). */
bool store_target_is_pg(const char *target);

/* Migrations (migrate.c): brings the schema of an open store up to date. */
enum bb_err store_migrate(struct store *st, int *version);

#endif
