/* store_pg.c - the PostgreSQL backend over libpq: a pool of connections opened on demand, a
 * per-connection cache of prepared statements (keyed by the SQL text's address, as in
 * store_sqlite.c), `?` placeholders rewritten to $1..$n, parameters and results as text.
 * Reads run in REPEATABLE READ READ ONLY transactions (one consistent snapshot, never
 * blocked); writes in READ COMMITTED behind one advisory lock, so write transactions of all
 * nodes run one at a time exactly as SQLite's BEGIN IMMEDIATE makes them (the audit chain
 * takes "last id + 1"). The exactly-once rules are conditional UPDATE ... RETURNING or unique
 * indexes and would hold without it. A write statement runs inside a savepoint so that, as in SQLite, a failed statement
 * (a unique conflict the domain handles) leaves the transaction usable. A lost connection is
 * BB_UNAVAILABLE and is reset before it is handed out again. */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/log.h"
#include "store_int.h"

#define CACHE_SLOTS 256 /* prepared statements kept per connection */
#define MAX_PARAMS 100
#define WRITE_LOCK "4242600600" /* pg_advisory_xact_lock key held by every write transaction */
#define LOCK_TIMEOUT "5s"

struct cached {
    const char *key; /* the caller's SQL text address */
    char *sql;       /* its text, compared on a hit */
    char name[16];   /* server-side prepared statement name */
    int nparams;
};

struct conn {
    PGconn *pg;
    bool broken; /* reset before the next use */
    unsigned next_name;
    struct cached cache[CACHE_SLOTS];
};

struct pgdb {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char *target;
    int n, nfree;
    struct conn *conns;
    struct conn **free_;
};

struct pg_tx {
    struct store_obj base;
    struct pgdb *db;
    struct conn *conn;
    bool write;
};

struct pg_stmt {
    struct store_obj base;
    struct pg_tx *tx;
    const char *name; /* the cached prepared statement, or NULL: */
    char *text;       /* the rewritten SQL of an uncached one */
    bool savepoint;   /* a write statement: runs inside SAVEPOINT bb_stmt */
    int nparams;
    char *values[MAX_PARAMS];
    PGresult *res;
    int row, nrows;
};

/* --- errors --- */

static bool conn_lost(struct conn *c, const char *state)
{
    if (PQstatus(c->pg) != CONNECTION_OK)
        return true;
    /* 08: connection exception; 57P01..03: the server is shutting down or restarting */
    return state && (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
                     strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0);
}

/* libpq's message on one line (it ends in newlines and may hold several lines). */
static const char *one_line(const char *msg, char *buf, size_t n)
{
    snprintf(buf, n, "%s", msg ? msg : "");
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == '\t')
            *p = ' ';
    for (size_t len = strlen(buf); len && buf[len - 1] == ' ';)
        buf[--len] = '\0';
    return buf;
}

/* Maps a failed result (res may be NULL) to a bb_err, logging what is unexpected. */
static enum bb_err map_error(struct conn *c, PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (conn_lost(c, state)) {
        c->broken = true;
        char b[512];
        log_msg("error", NULL, "postgresql: connection lost: %s",
                one_line(PQerrorMessage(c->pg), b, sizeof b));
        return BB_UNAVAILABLE;
    }
    if (state && strcmp(state, "23505") == 0)
        return BB_CONFLICT;
    if (state && strncmp(state, "23", 2) == 0)
        return BB_INVALID;
    if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
                  strcmp(state, "55P03") == 0))
        return BB_UNAVAILABLE;
    if (state && strcmp(state, "53200") == 0)
        return BB_NOMEM;
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char b[512];
    log_msg("error", NULL, "postgresql: %s %s", state ? state : "-",
            one_line(msg ? msg : PQerrorMessage(c->pg), b, sizeof b));
    return BB_DB;
}

/* Runs a parameterless command; BB_OK when it succeeded. */
static enum bb_err simple(struct conn *c, const char *sql)
{
    PGresult *r = PQexec(c->pg, sql);
    ExecStatusType st = PQresultStatus(r);
    enum bb_err e = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? BB_OK : map_error(c, r);
    PQclear(r);
    return e;
}

/* --- connections --- */

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* NOTICEs ("relation exists, skipping") are not worth a log line */
}

static void cache_clear(struct conn *c)
{
    for (int i = 0; i < CACHE_SLOTS; i++) {
        free(c->cache[i].sql);
        c->cache[i] = (struct cached){0};
    }
}

static void conn_setup(struct conn *c)
{
    PQsetNoticeProcessor(c->pg, quiet, NULL);
    PQsetClientEncoding(c->pg, "UTF8");
    /* a writer waits at most this long for the write lock (SQLite's busy timeout): then
     * 55P03, BB_UNAVAILABLE */
    PQclear(PQexec(c->pg, "SET lock_timeout = '" LOCK_TIMEOUT "'"));
}

static enum bb_err conn_open(struct pgdb *db, struct conn *c)
{
    c->pg = PQconnectdb(db->target);
    if (!c->pg)
        return BB_NOMEM;
    if (PQstatus(c->pg) != CONNECTION_OK) {
        /* the message names host and port; the URL itself may hold a password */
        char b[512];
        log_msg("error", NULL, "cannot connect to PostgreSQL (database %s): %s",
                PQdb(c->pg) ? PQdb(c->pg) : "?", one_line(PQerrorMessage(c->pg), b, sizeof b));
        c->broken = true;
        return BB_UNAVAILABLE;
    }
    conn_setup(c);
    c->broken = false;
    return BB_OK;
}

/* Makes c usable: connects it the first time, reconnects it after a loss. */
static enum bb_err conn_ready(struct pgdb *db, struct conn *c)
{
    if (!c->pg)
        return conn_open(db, c);
    if (!c->broken && PQstatus(c->pg) == CONNECTION_OK)
        return BB_OK;
    cache_clear(c); /* the server forgot the prepared statements */
    PQreset(c->pg);
    if (PQstatus(c->pg) != CONNECTION_OK) {
        char b[512];
        log_msg("error", NULL, "postgresql: reconnect failed: %s",
                one_line(PQerrorMessage(c->pg), b, sizeof b));
        c->broken = true;
        return BB_UNAVAILABLE;
    }
    conn_setup(c);
    c->broken = false;
    log_msg("info", NULL, "postgresql: reconnected");
    return BB_OK;
}

static void pg_close(void *impl)
{
    struct pgdb *db = impl;
    if (!db)
        return;
    for (int i = 0; i < db->n; i++) {
        cache_clear(&db->conns[i]);
        if (db->conns[i].pg)
            PQfinish(db->conns[i].pg);
    }
    free(db->conns);
    free(db->free_);
    free(db->target);
    pthread_mutex_destroy(&db->mu);
    pthread_cond_destroy(&db->cv);
    free(db);
}

static enum bb_err pg_open(const char *target, int conns, void **impl)
{
    *impl = NULL;
    if (conns < 1)
        conns = 1;
    struct pgdb *db = calloc(1, sizeof *db);
    if (!db)
        return BB_NOMEM;
    pthread_mutex_init(&db->mu, NULL);
    pthread_cond_init(&db->cv, NULL);
    db->target = strdup(target);
    db->conns = calloc((size_t)conns, sizeof *db->conns);
    db->free_ = calloc((size_t)conns, sizeof *db->free_);
    if (!db->target || !db->conns || !db->free_) {
        pg_close(db);
        return BB_NOMEM;
    }
    db->n = conns;
    for (int i = conns - 1; i >= 0; i--)
        db->free_[db->nfree++] = &db->conns[i];
    /* One connection now, so an unreachable server fails at start; the rest on demand. */
    enum bb_err rc = conn_open(db, &db->conns[0]);
    if (rc) {
        pg_close(db);
        return rc;
    }
    *impl = db;
    return BB_OK;
}

static struct conn *take(struct pgdb *db)
{
    pthread_mutex_lock(&db->mu);
    while (db->nfree == 0)
        pthread_cond_wait(&db->cv, &db->mu);
    struct conn *c = db->free_[--db->nfree];
    pthread_mutex_unlock(&db->mu);
    return c;
}

static void give(struct pgdb *db, struct conn *c)
{
    pthread_mutex_lock(&db->mu);
    db->free_[db->nfree++] = c;
    pthread_cond_signal(&db->cv);
    pthread_mutex_unlock(&db->mu);
}

/* --- transactions --- */

static enum bb_err pg_begin(void *impl, bool write, struct store_tx **out)
{
    struct pgdb *db = impl;
    struct pg_tx *tx = malloc(sizeof *tx);
    if (!tx)
        return BB_NOMEM;
    tx->base.ops = &store_pg_ops;
    tx->db = db;
    tx->write = write;
    tx->conn = take(db);
    /* Writers take one installation-wide lock first, as SQLite's BEGIN IMMEDIATE does: domain
     * code written for one writer at a time (the audit chain's next id, read-then-insert
     * checks) stays right on any number of nodes. Readers never wait for it. */
    const char *sql = write ? "BEGIN; SELECT pg_advisory_xact_lock(" WRITE_LOCK ")"
                            : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    enum bb_err rc = conn_ready(db, tx->conn);
    if (!rc)
        rc = simple(tx->conn, sql);
    if (rc == BB_UNAVAILABLE && tx->conn->broken) {
        /* An idle connection the server dropped (a restart): one fresh try. */
        rc = conn_ready(db, tx->conn);
        if (!rc)
            rc = simple(tx->conn, sql);
    }
    if (rc) {
        if (!tx->conn->broken && PQtransactionStatus(tx->conn->pg) != PQTRANS_IDLE)
            simple(tx->conn, "ROLLBACK");
        give(db, tx->conn);
        free(tx);
        return rc;
    }
    *out = (struct store_tx *)tx;
    return BB_OK;
}

static enum bb_err pg_end(struct store_tx *t, bool commit)
{
    struct pg_tx *tx = (struct pg_tx *)t;
    struct conn *c = tx->conn;
    enum bb_err e = BB_OK;
    if (!c->broken) {
        if (commit) {
            PGresult *r = PQexec(c->pg, "COMMIT");
            if (PQresultStatus(r) != PGRES_COMMAND_OK)
                e = map_error(c, r);
            else if (strcmp(PQcmdStatus(r), "COMMIT") != 0) /* an aborted transaction */
                e = BB_DB;
            PQclear(r);
        }
        if ((!commit || e) && !c->broken && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
            simple(c, "ROLLBACK");
    }
    give(tx->db, c);
    free(tx);
    return e;
}

/* --- statements --- */

/* sql with each `?` outside '...' and "..." replaced by $1, $2, ...; NULL when out of memory. */
static char *rewrite(const char *sql, int *nparams)
{
    size_t len = strlen(sql), q = 0;
    for (const char *p = sql; *p; p++)
        q += *p == '?';
    size_t cap = len + q * 20 + 1; /* "CAST($n AS TEXT)" for "?": under 20 more each */
    char *out = malloc(cap);
    if (!out)
        return NULL;
    char *o = out;
    int n = 0;
    char quote = 0;
    for (const char *p = sql; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0; /* a doubled quote re-opens at the next character: same result */
            *o++ = *p;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
            *o++ = *p;
        } else if (*p == '?' && strncmp(p + 1, " IS ", 4) == 0) {
            /* `? IS NULL` alone gives PostgreSQL no type to infer; every value is sent as
             * text, so testing it as text is right whatever was bound */
            o += snprintf(o, cap - (size_t)(o - out), "CAST($%d AS TEXT)", ++n);
        } else if (*p == '?') {
            o += snprintf(o, cap - (size_t)(o - out), "$%d", ++n);
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    *nparams = n;
    return out;
}

/* Is sql a statement that changes rows (not a SELECT)? */
static bool is_write_sql(const char *sql)
{
    while (*sql == ' ' || *sql == '\n' || *sql == '\t' || *sql == '(')
        sql++;
    return strncmp(sql, "SELECT", 6) != 0 && strncmp(sql, "select", 6) != 0;
}

static enum bb_err prepare_on(struct conn *c, const char *name, const char *sql, int *nparams)
{
    char *text = rewrite(sql, nparams);
    if (!text)
        return BB_NOMEM;
    if (*nparams > MAX_PARAMS) {
        free(text);
        log_msg("error", NULL, "postgresql: statement has more than %d parameters", MAX_PARAMS);
        return BB_INTERNAL;
    }
    PGresult *r = PQprepare(c->pg, name, text, *nparams, NULL);
    free(text);
    enum bb_err e = PQresultStatus(r) == PGRES_COMMAND_OK ? BB_OK : map_error(c, r);
    PQclear(r);
    return e;
}

static enum bb_err pg_prepare(struct store_tx *t, const char *sql, struct store_stmt **out)
{
    struct pg_tx *tx = (struct pg_tx *)t;
    struct conn *c = tx->conn;
    if (c->broken)
        return BB_UNAVAILABLE;
    struct pg_stmt *s = calloc(1, sizeof *s);
    if (!s)
        return BB_NOMEM;
    s->base.ops = &store_pg_ops;
    s->tx = tx;
    s->row = -1;
    s->savepoint = tx->write && is_write_sql(sql);
    size_t h = ((uintptr_t)sql >> 3) % CACHE_SLOTS;
    struct cached *free_slot = NULL;
    for (size_t i = 0; i < 8; i++) { /* short linear probe */
        struct cached *e = &c->cache[(h + i) % CACHE_SLOTS];
        if (!e->sql) {
            if (!free_slot)
                free_slot = e;
            continue;
        }
        if (e->key == sql && strcmp(e->sql, sql) == 0) {
            s->name = e->name;
            s->nparams = e->nparams;
            *out = (struct store_stmt *)s;
            return BB_OK;
        }
    }
    if (!free_slot) { /* uncached: parsed with its parameters at the first step */
        s->text = rewrite(sql, &s->nparams);
        if (!s->text) {
            free(s);
            return BB_NOMEM;
        }
        if (s->nparams > MAX_PARAMS) {
            free(s->text);
            free(s);
            log_msg("error", NULL, "postgresql: more than %d parameters", MAX_PARAMS);
            return BB_INTERNAL;
        }
        *out = (struct store_stmt *)s;
        return BB_OK;
    }
    enum bb_err rc;
    if (s->savepoint && (rc = simple(c, "SAVEPOINT bb_prep")) != BB_OK) {
        free(s);
        return rc;
    }
    char name[16];
    snprintf(name, sizeof name, "bb%u", c->next_name++);
    rc = prepare_on(c, name, sql, &s->nparams);
    if (s->savepoint && !c->broken) /* a bad statement must not abort the transaction */
        simple(c, rc ? "ROLLBACK TO SAVEPOINT bb_prep; RELEASE SAVEPOINT bb_prep"
                     : "RELEASE SAVEPOINT bb_prep");
    if (!rc && !(free_slot->sql = strdup(sql))) {
        char dealloc[40];
        snprintf(dealloc, sizeof dealloc, "DEALLOCATE %s", name);
        simple(c, dealloc);
        rc = BB_NOMEM;
    }
    if (rc) {
        free(s);
        return rc;
    }
    free_slot->key = sql;
    memcpy(free_slot->name, name, sizeof name);
    free_slot->nparams = s->nparams;
    s->name = free_slot->name;
    *out = (struct store_stmt *)s;
    return BB_OK;
}

#define PS(s) ((struct pg_stmt *)(s))

static enum bb_err set_value(struct store_stmt *st, int i, char *v, bool copy)
{
    struct pg_stmt *s = PS(st);
    if (i < 1 || i > s->nparams) {
        log_msg("error", NULL, "postgresql: bind index %d out of range (%d)", i, s->nparams);
        return BB_INTERNAL;
    }
    char *val = v && copy ? strdup(v) : v;
    if (v && !val)
        return BB_NOMEM;
    free(s->values[i - 1]);
    s->values[i - 1] = val;
    return BB_OK;
}

static enum bb_err pg_bind_int(struct store_stmt *s, int i, int64_t v)
{
    char b[24];
    snprintf(b, sizeof b, "%lld", (long long)v);
    return set_value(s, i, b, true);
}
static enum bb_err pg_bind_text(struct store_stmt *s, int i, const char *v)
{
    return set_value(s, i, (char *)v, true);
}
static enum bb_err pg_bind_double(struct store_stmt *s, int i, double v)
{
    char b[40];
    snprintf(b, sizeof b, "%.17g", v);
    return set_value(s, i, b, true);
}
static enum bb_err pg_bind_null(struct store_stmt *s, int i) { return set_value(s, i, NULL, false); }

static enum bb_err execute(struct pg_stmt *s)
{
    struct conn *c = s->tx->conn;
    if (c->broken)
        return BB_UNAVAILABLE;
    enum bb_err rc;
    if (s->savepoint && (rc = simple(c, "SAVEPOINT bb_stmt")) != BB_OK)
        return rc;
    const char *const *v = (const char *const *)s->values;
    s->res = s->name ? PQexecPrepared(c->pg, s->name, s->nparams, v, NULL, NULL, 0)
                     : PQexecParams(c->pg, s->text, s->nparams, NULL, v, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(s->res);
    rc = st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK ? BB_OK : map_error(c, s->res);
    if (s->savepoint && !c->broken)
        simple(c, rc ? "ROLLBACK TO SAVEPOINT bb_stmt; RELEASE SAVEPOINT bb_stmt"
                     : "RELEASE SAVEPOINT bb_stmt");
    if (rc) {
        PQclear(s->res);
        s->res = NULL;
        return rc;
    }
    s->nrows = PQntuples(s->res);
    return BB_OK;
}

static enum bb_err pg_step(struct store_stmt *st, bool *row)
{
    struct pg_stmt *s = PS(st);
    *row = false;
    if (!s->res) {
        enum bb_err rc = execute(s);
        if (rc)
            return rc;
    }
    if (s->row < s->nrows)
        s->row++;
    *row = s->row < s->nrows;
    return BB_OK;
}

static const char *value(struct store_stmt *st, int col)
{
    struct pg_stmt *s = PS(st);
    if (!s->res || s->row < 0 || s->row >= s->nrows || col < 0 || col >= PQnfields(s->res) ||
        PQgetisnull(s->res, s->row, col))
        return NULL;
    return PQgetvalue(s->res, s->row, col);
}

static int64_t pg_col_int(struct store_stmt *s, int col)
{
    const char *v = value(s, col);
    if (!v)
        return 0;
    if (v[0] == 't' && !v[1]) /* a boolean expression, as SQLite's 1/0 */
        return 1;
    if (v[0] == 'f' && !v[1])
        return 0;
    return strtoll(v, NULL, 10);
}
static double pg_col_double(struct store_stmt *s, int col)
{
    const char *v = value(s, col);
    return v ? strtod(v, NULL) : 0.0;
}
static const char *pg_col_text(struct store_stmt *s, int col) { return value(s, col); }
static bool pg_col_null(struct store_stmt *st, int col)
{
    struct pg_stmt *s = PS(st);
    if (!s->res || s->row < 0 || s->row >= s->nrows || col < 0 || col >= PQnfields(s->res))
        return true;
    return PQgetisnull(s->res, s->row, col);
}

static void pg_finalize(struct store_stmt *st)
{
    struct pg_stmt *s = PS(st);
    for (int i = 0; i < s->nparams; i++)
        free(s->values[i]);
    free(s->text);
    PQclear(s->res);
    free(s);
}

static enum bb_err pg_exec(struct store_tx *t, const char *sql)
{
    struct pg_tx *tx = (struct pg_tx *)t;
    if (tx->conn->broken)
        return BB_UNAVAILABLE;
    return simple(tx->conn, sql);
}

const struct store_ops store_pg_ops = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .begin = pg_begin,
    .end = pg_end,
    .prepare = pg_prepare,
    .bind_int = pg_bind_int,
    .bind_text = pg_bind_text,
    .bind_double = pg_bind_double,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_int = pg_col_int,
    .col_double = pg_col_double,
    .col_text = pg_col_text,
    .col_null = pg_col_null,
    .finalize = pg_finalize,
    .exec = pg_exec,
    .ddl = store_pg_ddl,
    .schema_lock_sql = "SELECT pg_advisory_xact_lock(4242600601)",
    .int_list_sql = "SELECT value::bigint FROM json_array_elements_text(?::json)",
};
