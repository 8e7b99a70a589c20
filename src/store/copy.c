/* copy.c - copies a whole database from a SQLite store into another store (PostgreSQL) in one
 * write transaction and proves the copy with per-table row counts and checksums. The schema
 * (tables, typed columns, primary and foreign keys) is read from the SQLite source; everything
 * else is portable SQL through store.h. */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "copy.h"

#define MAX_COLS 64
#define MAX_DEPS 16
#define SUM_BYTES 16           /* per row and per table: BLAKE2b-128 */
#define MAX_PARAMS 100         /* per INSERT: what store_pg.c binds per statement */
#define MAX_BATCH 100          /* rows per INSERT */

struct col {
    char name[64];
    char type; /* 'i' integer, 'r' real, 't' text */
    int pk;    /* position in the primary key (1-based), 0 when not part of it */
};

struct table {
    char name[64];
    int ncols;
    struct col cols[MAX_COLS];
    int ndeps;
    char deps[MAX_DEPS][64]; /* tables it references (other than itself) */
    bool self_ref;           /* references itself (sites.parent_id) */
    bool has_path;           /* has a `path` column: order by its length, parents first */
};

struct schema {
    int n;
    struct table *t; /* COPY_MAX_TABLES, in copy order once sorted */
};

static void fail(struct copy_result *r, const char *fmt, ...)
{
    if (r->err[0])
        return; /* keep the first, most specific reason */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, sizeof r->err, fmt, ap);
    va_end(ap);
}

/* Names come from our own schema, but they are quoted in SQL anyway: refuse anything that
 * would need escaping. */
static bool plain_name(const char *s)
{
    if (!*s || strlen(s) >= 64)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return false;
    return true;
}

static char col_type(const char *decl)
{
    char up[32];
    size_t i = 0;
    for (; decl && decl[i] && i < sizeof up - 1; i++)
        up[i] = (char)(decl[i] >= 'a' && decl[i] <= 'z' ? decl[i] - 32 : decl[i]);
    up[i] = 0;
    if (strstr(up, "INT"))
        return 'i';
    if (strstr(up, "REAL") || strstr(up, "FLOA") || strstr(up, "DOUB"))
        return 'r';
    if (strstr(up, "TEXT") || strstr(up, "CHAR"))
        return 't';
    return 0; /* BLOB, ANY: not in Bangban's schema, and not copied blindly */
}

/* --- reading the source schema (SQLite catalogue) --- */

static enum bb_err read_columns(struct store_tx *tx, struct table *t, struct copy_result *r)
{
    struct store_stmt *s = NULL;
    enum bb_err rc = store_prepare(tx, "SELECT name, type, pk FROM pragma_table_info(?) "
                                       "ORDER BY cid", &s);
    if (!rc)
        rc = store_bind_text(s, 1, t->name);
    for (bool row = true; !rc;) {
        rc = store_step(s, &row);
        if (rc || !row)
            break;
        const char *name = store_col_text(s, 0);
        const char *decl = store_col_text(s, 1);
        if (t->ncols == MAX_COLS || !name || !plain_name(name)) {
            fail(r, "table %s: too many columns or an unusual column name", t->name);
            rc = BB_INVALID;
            break;
        }
        struct col *c = &t->cols[t->ncols++];
        snprintf(c->name, sizeof c->name, "%s", name);
        c->type = col_type(decl);
        c->pk = (int)store_col_int(s, 2);
        if (!c->type) {
            fail(r, "table %s: column %s has type %s, which cannot be copied", t->name, name,
                 decl ? decl : "(none)");
            rc = BB_INVALID;
        }
        if (strcmp(name, "path") == 0)
            t->has_path = true;
    }
    store_finalize(s);
    if (!rc && t->ncols == 0) {
        fail(r, "table %s has no columns", t->name);
        rc = BB_INVALID;
    }
    return rc;
}

static enum bb_err read_deps(struct store_tx *tx, struct table *t, struct copy_result *r)
{
    struct store_stmt *s = NULL;
    enum bb_err rc = store_prepare(tx, "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?)",
                                   &s);
    if (!rc)
        rc = store_bind_text(s, 1, t->name);
    for (bool row = true; !rc;) {
        rc = store_step(s, &row);
        if (rc || !row)
            break;
        const char *ref = store_col_text(s, 0);
        if (!ref)
            continue;
        if (strcmp(ref, t->name) == 0) {
            t->self_ref = true;
            continue;
        }
        if (t->ndeps == MAX_DEPS) {
            fail(r, "table %s references too many tables", t->name);
            rc = BB_INVALID;
            break;
        }
        snprintf(t->deps[t->ndeps++], 64, "%s", ref);
    }
    store_finalize(s);
    return rc;
}

static int find(const struct schema *sc, const char *name, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(sc->t[i].name, name) == 0)
            return i;
    return -1;
}

/* Parents first: repeatedly take the first table (by name) whose referenced tables are all
 * placed. A cycle between tables cannot be ordered and is refused. */
static enum bb_err order_tables(struct schema *sc, struct copy_result *r)
{
    struct table *sorted = calloc(COPY_MAX_TABLES, sizeof *sorted);
    bool *placed = calloc(COPY_MAX_TABLES, sizeof *placed);
    if (!sorted || !placed) {
        free(sorted);
        free(placed);
        return BB_NOMEM;
    }
    int done = 0;
    while (done < sc->n) {
        int pick = -1;
        for (int i = 0; i < sc->n && pick < 0; i++) {
            if (placed[i])
                continue;
            bool ready = true;
            for (int d = 0; d < sc->t[i].ndeps && ready; d++) {
                int j = find(sc, sc->t[i].deps[d], sc->n);
                ready = j < 0 || placed[j]; /* a table outside the copy constrains nothing */
            }
            if (ready)
                pick = i;
        }
        if (pick < 0) {
            fail(r, "the source's foreign keys form a cycle; cannot order the tables");
            free(sorted);
            free(placed);
            return BB_INVALID;
        }
        placed[pick] = true;
        sorted[done++] = sc->t[pick];
    }
    memcpy(sc->t, sorted, (size_t)sc->n * sizeof *sorted);
    free(sorted);
    free(placed);
    return BB_OK;
}

static enum bb_err read_schema(struct store_tx *tx, struct schema *sc, struct copy_result *r)
{
    struct store_stmt *s = NULL;
    enum bb_err rc = store_prepare(tx, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                       "AND name NOT LIKE 'sqlite%' "
                                       "AND name <> 'schema_migrations' ORDER BY name", &s);
    for (bool row = true; !rc;) {
        rc = store_step(s, &row);
        if (rc || !row)
            break;
        const char *name = store_col_text(s, 0);
        if (!name || !plain_name(name) || sc->n == COPY_MAX_TABLES) {
            fail(r, "the source has too many tables or an unusual table name");
            rc = BB_INVALID;
            break;
        }
        snprintf(sc->t[sc->n++].name, 64, "%s", name);
    }
    store_finalize(s);
    for (int i = 0; !rc && i < sc->n; i++) {
        rc = read_columns(tx, &sc->t[i], r);
        if (!rc)
            rc = read_deps(tx, &sc->t[i], r);
    }
    if (!rc && sc->n == 0) {
        fail(r, "the source has no tables");
        rc = BB_INVALID;
    }
    return rc ? rc : order_tables(sc, r);
}

/* --- SQL text --- */

struct sql {
    char *p;
    size_t len, cap;
    bool oom;
};

static void add(struct sql *q, const char *fmt, ...)
{
    if (q->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(q->p ? q->p + q->len : NULL, q->p ? q->cap - q->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            q->oom = true;
            return;
        }
        if (q->p && q->len + (size_t)n < q->cap) {
            q->len += (size_t)n;
            return;
        }
        size_t cap = q->cap ? q->cap : 256;
        while (cap <= q->len + (size_t)n)
            cap *= 2;
        char *np = realloc(q->p, cap);
        if (!np) {
            q->oom = true;
            return;
        }
        q->p = np;
        q->cap = cap;
    }
}

static void add_cols(struct sql *q, const struct table *t)
{
    for (int c = 0; c < t->ncols; c++)
        add(q, "%s\"%s\"", c ? ", " : "", t->cols[c].name);
}

/* SELECT of every column; parents first when ordered (by path length, then primary key). */
static void select_sql(struct sql *q, const struct table *t, bool ordered)
{
    add(q, "SELECT ");
    add_cols(q, t);
    add(q, " FROM \"%s\"", t->name);
    if (!ordered)
        return;
    const char *sep = " ORDER BY ";
    if (t->self_ref && t->has_path) {
        add(q, "%slength(\"path\")", sep);
        sep = ", ";
    }
    for (int k = 1; k <= t->ncols; k++)
        for (int c = 0; c < t->ncols; c++)
            if (t->cols[c].pk == k) {
                add(q, "%s\"%s\"", sep, t->cols[c].name);
                sep = ", ";
            }
}

static void insert_sql(struct sql *q, const struct table *t, int rows)
{
    add(q, "INSERT INTO \"%s\" (", t->name);
    add_cols(q, t);
    add(q, ") VALUES ");
    for (int i = 0; i < rows; i++) {
        add(q, "%s(", i ? ", " : "");
        for (int c = 0; c < t->ncols; c++)
            add(q, "%s?", c ? ", " : "");
        add(q, ")");
    }
}

/* --- checksums --- */

struct sums {
    unsigned char *d; /* SUM_BYTES per row */
    int64_t n, cap;
};

static void hash_value(crypto_generichash_state *h, char tag, const char *v, size_t len)
{
    unsigned char head[9];
    head[0] = (unsigned char)tag;
    for (int i = 0; i < 8; i++)
        head[1 + i] = (unsigned char)((uint64_t)len >> (8 * i));
    crypto_generichash_update(h, head, tag == 'N' ? 1 : sizeof head);
    if (tag != 'N')
        crypto_generichash_update(h, (const unsigned char *)v, len);
}

/* Digest of the current row of s (columns typed as t says), appended to sums. The text each
 * value is rendered as is also what the copy binds, so both sides are read alike. */
static enum bb_err row_sum(struct store_stmt *s, const struct table *t, struct sums *sm)
{
    if (sm->n == sm->cap) {
        int64_t cap = sm->cap ? sm->cap * 2 : 1024;
        unsigned char *nd = realloc(sm->d, (size_t)cap * SUM_BYTES);
        if (!nd)
            return BB_NOMEM;
        sm->d = nd;
        sm->cap = cap;
    }
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, SUM_BYTES);
    char num[40];
    for (int c = 0; c < t->ncols; c++) {
        if (store_col_null(s, c)) {
            hash_value(&h, 'N', NULL, 0);
        } else if (t->cols[c].type == 'i') {
            int n = snprintf(num, sizeof num, "%lld", (long long)store_col_int(s, c));
            hash_value(&h, 'I', num, (size_t)n);
        } else if (t->cols[c].type == 'r') {
            int n = snprintf(num, sizeof num, "%.17g", store_col_double(s, c));
            hash_value(&h, 'R', num, (size_t)n);
        } else {
            const char *v = store_col_text(s, c);
            hash_value(&h, 'T', v ? v : "", v ? strlen(v) : 0);
        }
    }
    crypto_generichash_final(&h, sm->d + sm->n * SUM_BYTES, SUM_BYTES);
    sm->n++;
    return BB_OK;
}

static int cmp_sum(const void *a, const void *b) { return memcmp(a, b, SUM_BYTES); }

/* The table's checksum: BLAKE2b over its sorted row digests (order-free), as hex. */
static void table_sum(struct sums *sm, char hex[COPY_SUM_HEX])
{
    if (sm->n > 1)
        qsort(sm->d, (size_t)sm->n, SUM_BYTES, cmp_sum);
    unsigned char out[SUM_BYTES];
    crypto_generichash(out, sizeof out, sm->n ? sm->d : (const unsigned char *)"",
                       (unsigned long long)sm->n * SUM_BYTES, NULL, 0);
    sodium_bin2hex(hex, COPY_SUM_HEX, out, sizeof out);
}

/* Counts and checksums table t as tx sees it. */
static enum bb_err sum_table(struct store_tx *tx, const struct table *t, int64_t *rows,
                             char hex[COPY_SUM_HEX], struct copy_result *r)
{
    struct sql q = {0};
    select_sql(&q, t, false);
    if (q.oom) {
        free(q.p);
        return BB_NOMEM;
    }
    struct store_stmt *s = NULL;
    enum bb_err rc = store_prepare(tx, q.p, &s);
    if (rc) {
        fail(r, "cannot read table %s of the target", t->name);
        free(q.p);
        return rc;
    }
    struct sums sm = {0};
    for (bool row = true; !rc;) {
        rc = store_step(s, &row);
        if (rc || !row)
            break;
        rc = row_sum(s, t, &sm);
    }
    store_finalize(s);
    free(q.p);
    if (!rc) {
        *rows = sm.n;
        table_sum(&sm, hex);
    }
    free(sm.d);
    return rc;
}

/* --- the copy --- */

struct copy_ctx {
    struct store *src, *dst;
    struct schema sc;
    store_fn check;
    void *check_arg;
    struct copy_result *r;
    struct store_tx *stx; /* the source's read transaction */
};

static bool is_pg(struct store *st) { return strcmp(store_backend(st), "postgresql") == 0; }

static enum bb_err check_empty(struct store_tx *tx, struct copy_ctx *x)
{
    for (int i = 0; i < x->sc.n; i++) {
        const struct table *t = &x->sc.t[i];
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM \"%s\"", t->name);
        int64_t n = 0;
        bool found;
        enum bb_err rc = store_query_int(tx, sql, 0, NULL, &found, &n);
        if (rc) {
            fail(x->r, "the target has no usable table %s (%s)", t->name, bb_err_message_en(rc));
            return rc;
        }
        if (n > 0) {
            fail(x->r, "the target is not empty (table %s has %lld rows); migrate into a new, "
                       "empty database", t->name, (long long)n);
            return BB_CONFLICT;
        }
    }
    return BB_OK;
}

/* Copies table t from the source snapshot into tx, batching rows into multi-row INSERTs, and
 * records its count and checksum. */
static enum bb_err copy_table(struct store_tx *tx, struct copy_ctx *x, const struct table *t,
                              struct copy_table *out)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM \"%s\"", t->name);
    int64_t total = 0;
    bool found;
    enum bb_err rc = store_query_int(x->stx, sql, 0, NULL, &found, &total);
    if (rc)
        return rc;
    int batch = MAX_PARAMS / t->ncols;
    if (batch > MAX_BATCH)
        batch = MAX_BATCH;
    if (batch < 1)
        batch = 1;
    struct sql sel = {0}, full = {0}, rest = {0};
    select_sql(&sel, t, true);
    insert_sql(&full, t, batch);
    if (total % batch)
        insert_sql(&rest, t, (int)(total % batch));
    struct store_stmt *s = NULL, *ins = NULL;
    struct sums sm = {0};
    int64_t left = total;
    int in_batch = 0, k = 0;
    rc = sel.oom || full.oom || rest.oom ? BB_NOMEM : store_prepare(x->stx, sel.p, &s);
    for (bool row = true; !rc;) {
        rc = store_step(s, &row);
        if (rc || !row)
            break;
        if (left == 0) /* cannot happen inside one snapshot */
            break;
        if (!ins) {
            k = left >= batch ? batch : (int)left;
            rc = store_prepare(tx, k == batch ? full.p : rest.p, &ins);
            if (rc)
                break;
            in_batch = 0;
        }
        int base = in_batch * t->ncols;
        for (int c = 0; c < t->ncols && !rc; c++) {
            int idx = base + c + 1;
            if (store_col_null(s, c))
                rc = store_bind_null(ins, idx);
            else if (t->cols[c].type == 'i')
                rc = store_bind_int(ins, idx, store_col_int(s, c));
            else if (t->cols[c].type == 'r')
                rc = store_bind_double(ins, idx, store_col_double(s, c));
            else
                rc = store_bind_text(ins, idx, store_col_text(s, c));
        }
        if (!rc)
            rc = row_sum(s, t, &sm);
        left--;
        if (!rc && ++in_batch == k) {
            bool more;
            rc = store_step(ins, &more);
            store_finalize(ins);
            ins = NULL;
        }
    }
    store_finalize(ins);
    store_finalize(s);
    if (!rc && (left != 0 || sm.n != total)) {
        fail(x->r, "table %s changed while it was read", t->name);
        rc = BB_INVALID;
    }
    if (rc) {
        fail(x->r, "copying table %s failed: %s", t->name, bb_err_message_en(rc));
    } else {
        snprintf(out->name, sizeof out->name, "%s", t->name);
        out->rows = sm.n;
        table_sum(&sm, out->sum);
        x->r->rows += sm.n;
    }
    free(sm.d);
    free(sel.p);
    free(full.p);
    free(rest.p);
    return rc;
}

/* PostgreSQL identity sequences do not move when ids are given explicitly: set each past the
 * copied ids so the next insert gets max(id) + 1. Tables without a sequence are left alone
 * (pg_get_serial_sequence gives NULL, and setval(NULL) does nothing). */
static enum bb_err reset_sequences(struct store_tx *tx, struct copy_ctx *x)
{
    for (int i = 0; i < x->sc.n; i++) {
        const struct table *t = &x->sc.t[i];
        int npk = 0, pkc = -1;
        for (int c = 0; c < t->ncols; c++)
            if (t->cols[c].pk) {
                npk++;
                pkc = c;
            }
        if (npk != 1 || t->cols[pkc].type != 'i')
            continue;
        char sql[400];
        snprintf(sql, sizeof sql,
                 "SELECT setval(pg_get_serial_sequence('%s', '%s'), COALESCE(MAX(\"%s\"), 0) + 1, "
                 "false) FROM \"%s\"", t->name, t->cols[pkc].name, t->cols[pkc].name, t->name);
        bool found;
        int64_t v;
        enum bb_err rc = store_query_int(tx, sql, 0, NULL, &found, &v);
        if (rc) {
            fail(x->r, "cannot reset the id sequence of %s: %s", t->name, bb_err_message_en(rc));
            return rc;
        }
    }
    return BB_OK;
}

static enum bb_err compare(struct store_tx *tx, const struct schema *sc, struct copy_result *r,
                           bool record)
{
    enum bb_err worst = BB_OK;
    for (int i = 0; i < sc->n; i++) {
        struct copy_table *ct = &r->t[i];
        int64_t rows = 0;
        char sum[COPY_SUM_HEX] = "";
        enum bb_err rc = sum_table(tx, &sc->t[i], &rows, sum, r);
        if (rc)
            return rc;
        bool ok = rows == ct->rows && strcmp(sum, ct->sum) == 0;
        if (record) {
            ct->dst_rows = rows;
            snprintf(ct->dst_sum, sizeof ct->dst_sum, "%s", sum);
            ct->ok = ok;
        }
        if (!ok && !worst) {
            fail(r, "table %s differs after the copy: %lld rows (checksum %s) in the source, "
                    "%lld rows (checksum %s) in the target", ct->name, (long long)ct->rows,
                 ct->sum, (long long)rows, sum);
            worst = BB_INVALID;
        }
    }
    return worst;
}

static enum bb_err copy_write(struct store_tx *tx, void *arg)
{
    struct copy_ctx *x = arg;
    enum bb_err rc = check_empty(tx, x);
    for (int i = 0; !rc && i < x->sc.n; i++)
        rc = copy_table(tx, x, &x->sc.t[i], &x->r->t[i]);
    if (!rc)
        x->r->ntables = x->sc.n;
    if (!rc && is_pg(x->dst))
        rc = reset_sequences(tx, x);
    if (!rc)
        rc = compare(tx, &x->sc, x->r, false); /* a difference rolls it all back */
    if (!rc && x->check) {
        rc = x->check(tx, x->check_arg);
        if (rc)
            fail(x->r, "the check of the copied data failed: %s", bb_err_message_en(rc));
    }
    return rc;
}

static enum bb_err copy_read(struct store_tx *stx, void *arg)
{
    struct copy_ctx *x = arg;
    x->stx = stx;
    enum bb_err rc = read_schema(stx, &x->sc, x->r);
    if (!rc)
        rc = store_write(x->dst, copy_write, x);
    return rc;
}

static struct copy_ctx *ctx_new(struct store *src, struct store *dst, struct copy_result *r)
{
    struct copy_ctx *x = calloc(1, sizeof *x);
    if (x)
        x->sc.t = calloc(COPY_MAX_TABLES, sizeof *x->sc.t);
    if (!x || !x->sc.t) {
        free(x);
        return NULL;
    }
    x->src = src;
    x->dst = dst;
    x->r = r;
    return x;
}

static void ctx_free(struct copy_ctx *x)
{
    free(x->sc.t);
    free(x);
}

enum bb_err copy_store(struct store *src, struct store *dst, store_fn check, void *arg,
                       struct copy_result *r)
{
    memset(r, 0, sizeof *r);
    if (strcmp(store_backend(src), "sqlite") != 0) {
        fail(r, "the source must be a SQLite database");
        return BB_INVALID;
    }
    if (store_schema_version(src) != store_schema_version(dst)) {
        fail(r, "the source is at schema %d but the target at %d", store_schema_version(src),
             store_schema_version(dst));
        return BB_INVALID;
    }
    struct copy_ctx *x = ctx_new(src, dst, r);
    if (!x)
        return BB_NOMEM;
    x->check = check;
    x->check_arg = arg;
    enum bb_err rc = store_read(src, copy_read, x);
    if (rc) {
        fail(r, "the copy failed: %s", bb_err_message_en(rc));
        r->ntables = 0;
        r->rows = 0;
    }
    ctx_free(x);
    return rc;
}

static enum bb_err verify_dst(struct store_tx *tx, void *arg)
{
    struct copy_ctx *x = arg;
    return compare(tx, &x->sc, x->r, true);
}

static enum bb_err verify_src(struct store_tx *tx, void *arg)
{
    struct copy_ctx *x = arg;
    enum bb_err rc = read_schema(tx, &x->sc, x->r);
    if (!rc && x->sc.n != x->r->ntables) {
        fail(x->r, "the source's tables changed since the copy");
        rc = BB_INVALID;
    }
    return rc ? rc : store_read(x->dst, verify_dst, x);
}

enum bb_err copy_verify(struct store *src, struct store *dst, struct copy_result *r)
{
    struct copy_ctx *x = ctx_new(src, dst, r);
    if (!x)
        return BB_NOMEM;
    enum bb_err rc = store_read(src, verify_src, x);
    ctx_free(x);
    return rc;
}
