/* store_sqlite.c - the embedded SQLite backend: a fixed pool of connections (one per worker
 * thread in practice), WAL, foreign keys, synchronous=FULL so an acknowledged write survives a
 * power cut, and a busy timeout so writers queue instead of failing. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../core/log.h"
#include "store_int.h"

#define BUSY_TIMEOUT_MS 5000
#define CACHE_SLOTS 128   /* prepared statements kept per connection */

/* A cached prepared statement. Domain SQL is string literals, so the text's address is a cheap
 * key; the text itself is compared on a hit, so a reused buffer can never fetch the wrong one. */
struct cached {
    const char *key;
    sqlite3_stmt *st;
    bool busy;
};

struct conn {
    sqlite3 *db;
    struct cached cache[CACHE_SLOTS];
    sqlite3_stmt *begin_r, *begin_w, *commit, *rollback;
};

struct lite {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int n, nfree;
    struct conn *conns;  /* all connections */
    struct conn **free_; /* stack of idle ones */
};

struct lite_tx {
    struct store_obj base;
    struct lite *db;
    struct conn *conn;
};

struct lite_stmt {
    struct store_obj base;
    sqlite3_stmt *st;
    sqlite3 *conn;
    struct cached *slot; /* NULL when not cached: finalize for real */
};

static enum bb_err map(int rc, sqlite3 *conn)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return BB_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return BB_UNAVAILABLE;
    case SQLITE_NOMEM:
        return BB_NOMEM;
    case SQLITE_CONSTRAINT:
        return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY ? BB_CONFLICT
                                                                                    : BB_INVALID;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
        log_msg("error", NULL, "sqlite: %s", conn ? sqlite3_errmsg(conn) : sqlite3_errstr(rc));
        return BB_IO;
    default:
        log_msg("error", NULL, "sqlite: %s", conn ? sqlite3_errmsg(conn) : sqlite3_errstr(rc));
        return BB_DB;
    }
}

static enum bb_err conn_open(const char *path, struct conn *out)
{
    sqlite3 *c = NULL;
    int rc = sqlite3_open_v2(path, &c, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                             SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        log_msg("error", NULL, "cannot open database %s: %s", path,
                c ? sqlite3_errmsg(c) : sqlite3_errstr(rc));
        sqlite3_close(c);
        return BB_IO;
    }
    sqlite3_busy_timeout(c, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(c, 1);
    rc = sqlite3_exec(c, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
                         "PRAGMA synchronous=FULL; PRAGMA trusted_schema=OFF;", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        enum bb_err e = map(rc, c);
        log_msg("error", NULL, "cannot configure database %s: %s", path, sqlite3_errmsg(c));
        sqlite3_close(c);
        return e ? e : BB_DB;
    }
    out->db = c;
    if (sqlite3_prepare_v3(c, "BEGIN", -1, SQLITE_PREPARE_PERSISTENT, &out->begin_r, NULL) ||
        sqlite3_prepare_v3(c, "BEGIN IMMEDIATE", -1, SQLITE_PREPARE_PERSISTENT, &out->begin_w,
                           NULL) ||
        sqlite3_prepare_v3(c, "COMMIT", -1, SQLITE_PREPARE_PERSISTENT, &out->commit, NULL) ||
        sqlite3_prepare_v3(c, "ROLLBACK", -1, SQLITE_PREPARE_PERSISTENT, &out->rollback, NULL))
        return BB_DB; /* lite_close finalizes what was prepared */
    return BB_OK;
}

static void conn_close(struct conn *c)
{
    for (int i = 0; i < CACHE_SLOTS; i++)
        sqlite3_finalize(c->cache[i].st);
    sqlite3_finalize(c->begin_r);
    sqlite3_finalize(c->begin_w);
    sqlite3_finalize(c->commit);
    sqlite3_finalize(c->rollback);
    sqlite3_close(c->db);
}

/* Runs one of the connection's transaction statements. */
static int run_tx_stmt(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void lite_close(void *impl)
{
    struct lite *db = impl;
    if (!db)
        return;
    for (int i = 0; i < db->n; i++)
        conn_close(&db->conns[i]);
    free(db->conns);
    free(db->free_);
    pthread_mutex_destroy(&db->mu);
    pthread_cond_destroy(&db->cv);
    free(db);
}

static enum bb_err lite_open(const char *path, int conns, void **impl)
{
    *impl = NULL;
    if (conns < 1)
        conns = 1;
    /* Create the file ourselves so it is 0600 from the first byte (WAL files inherit it). */
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        log_msg("error", NULL, "cannot open database %s: %s", path, strerror(errno));
        return BB_IO;
    }
    close(fd);
    struct lite *db = calloc(1, sizeof *db);
    if (!db)
        return BB_NOMEM;
    pthread_mutex_init(&db->mu, NULL);
    pthread_cond_init(&db->cv, NULL);
    db->conns = calloc((size_t)conns, sizeof *db->conns);
    db->free_ = calloc((size_t)conns, sizeof *db->free_);
    if (!db->conns || !db->free_) {
        lite_close(db);
        return BB_NOMEM;
    }
    for (int i = 0; i < conns; i++) {
        enum bb_err rc = conn_open(path, &db->conns[i]);
        db->n++; /* counted even on failure so lite_close cleans it up */
        if (rc) {
            lite_close(db);
            return rc;
        }
        db->free_[db->nfree++] = &db->conns[i];
    }
    *impl = db;
    return BB_OK;
}

static struct conn *take(struct lite *db)
{
    pthread_mutex_lock(&db->mu);
    while (db->nfree == 0)
        pthread_cond_wait(&db->cv, &db->mu);
    struct conn *c = db->free_[--db->nfree];
    pthread_mutex_unlock(&db->mu);
    return c;
}

static void give(struct lite *db, struct conn *c)
{
    pthread_mutex_lock(&db->mu);
    db->free_[db->nfree++] = c;
    pthread_cond_signal(&db->cv);
    pthread_mutex_unlock(&db->mu);
}

static enum bb_err lite_begin(void *impl, bool write, struct store_tx **out)
{
    struct lite *db = impl;
    struct lite_tx *tx = malloc(sizeof *tx);
    if (!tx)
        return BB_NOMEM;
    tx->base.ops = &store_sqlite_ops;
    tx->db = db;
    tx->conn = take(db);
    int rc = run_tx_stmt(write ? tx->conn->begin_w : tx->conn->begin_r);
    if (rc != SQLITE_OK) {
        enum bb_err e = map(rc, tx->conn->db);
        give(db, tx->conn);
        free(tx);
        return e ? e : BB_DB;
    }
    *out = (struct store_tx *)tx;
    return BB_OK;
}

static enum bb_err lite_end(struct store_tx *t, bool commit)
{
    struct lite_tx *tx = (struct lite_tx *)t;
    enum bb_err e = BB_OK;
    if (commit)
        e = map(run_tx_stmt(tx->conn->commit), tx->conn->db);
    if ((!commit || e) && !sqlite3_get_autocommit(tx->conn->db))
        run_tx_stmt(tx->conn->rollback);
    give(tx->db, tx->conn);
    free(tx);
    return e;
}

static enum bb_err lite_prepare(struct store_tx *t, const char *sql, struct store_stmt **out)
{
    struct lite_tx *tx = (struct lite_tx *)t;
    struct lite_stmt *s = malloc(sizeof *s);
    if (!s)
        return BB_NOMEM;
    s->base.ops = &store_sqlite_ops;
    s->conn = tx->conn->db;
    s->slot = NULL;
    size_t h = ((uintptr_t)sql >> 3) % CACHE_SLOTS;
    struct cached *free_slot = NULL;
    for (size_t i = 0; i < 8; i++) { /* short linear probe */
        struct cached *c = &tx->conn->cache[(h + i) % CACHE_SLOTS];
        if (!c->st) {
            if (!free_slot)
                free_slot = c;
            continue;
        }
        if (c->key == sql && !c->busy && strcmp(sqlite3_sql(c->st), sql) == 0) {
            c->busy = true;
            s->st = c->st;
            s->slot = c;
            *out = (struct store_stmt *)s;
            return BB_OK;
        }
    }
    int rc = sqlite3_prepare_v3(tx->conn->db, sql, -1, free_slot ? SQLITE_PREPARE_PERSISTENT : 0,
                                &s->st, NULL);
    if (rc != SQLITE_OK) {
        enum bb_err e = map(rc, tx->conn->db);
        free(s);
        return e ? e : BB_DB;
    }
    if (free_slot) {
        *free_slot = (struct cached){sql, s->st, true};
        s->slot = free_slot;
    }
    *out = (struct store_stmt *)s;
    return BB_OK;
}

#define ST(s) (((struct lite_stmt *)(s))->st)
#define CONN(s) (((struct lite_stmt *)(s))->conn)

static enum bb_err lite_bind_int(struct store_stmt *s, int i, int64_t v)
{
    return map(sqlite3_bind_int64(ST(s), i, v), CONN(s));
}
static enum bb_err lite_bind_text(struct store_stmt *s, int i, const char *v)
{
    if (!v)
        return map(sqlite3_bind_null(ST(s), i), CONN(s));
    return map(sqlite3_bind_text(ST(s), i, v, -1, SQLITE_TRANSIENT), CONN(s));
}
static enum bb_err lite_bind_double(struct store_stmt *s, int i, double v)
{
    return map(sqlite3_bind_double(ST(s), i, v), CONN(s));
}
static enum bb_err lite_bind_null(struct store_stmt *s, int i)
{
    return map(sqlite3_bind_null(ST(s), i), CONN(s));
}

static enum bb_err lite_step(struct store_stmt *s, bool *row)
{
    int rc = sqlite3_step(ST(s));
    *row = (rc == SQLITE_ROW);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        return BB_OK;
    return map(rc, CONN(s));
}

static int64_t lite_col_int(struct store_stmt *s, int c) { return sqlite3_column_int64(ST(s), c); }
static double lite_col_double(struct store_stmt *s, int c) { return sqlite3_column_double(ST(s), c); }
static const char *lite_col_text(struct store_stmt *s, int c)
{
    return (const char *)sqlite3_column_text(ST(s), c);
}
static bool lite_col_null(struct store_stmt *s, int c)
{
    return sqlite3_column_type(ST(s), c) == SQLITE_NULL;
}
static void lite_finalize(struct store_stmt *s)
{
    struct lite_stmt *ls = (struct lite_stmt *)s;
    if (ls->slot) { /* back to the cache, reset and unbound */
        sqlite3_reset(ls->st);
        sqlite3_clear_bindings(ls->st);
        ls->slot->busy = false;
    } else {
        sqlite3_finalize(ls->st);
    }
    free(s);
}

static enum bb_err lite_exec(struct store_tx *t, const char *sql)
{
    struct lite_tx *tx = (struct lite_tx *)t;
    return map(sqlite3_exec(tx->conn->db, sql, NULL, NULL, NULL), tx->conn->db);
}

const struct store_ops store_sqlite_ops = {
    .name = "sqlite",
    .open = lite_open,
    .close = lite_close,
    .begin = lite_begin,
    .end = lite_end,
    .prepare = lite_prepare,
    .bind_int = lite_bind_int,
    .bind_text = lite_bind_text,
    .bind_double = lite_bind_double,
    .bind_null = lite_bind_null,
    .step = lite_step,
    .col_int = lite_col_int,
    .col_double = lite_col_double,
    .col_text = lite_col_text,
    .col_null = lite_col_null,
    .finalize = lite_finalize,
    .exec = lite_exec,
};
