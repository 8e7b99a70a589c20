/* migrate.c - applies missing schema steps, each in its own write transaction (so two
 * processes starting at once serialise on the write lock and the second sees it done), and
 * refuses a database that a newer Bangban has migrated further than this build knows. */
#include <stdio.h>
#include "../core/clock.h"
#include "../core/log.h"
#include "migrations.h"
#include "store_int.h"

struct step_arg {
    const struct migration *m;
    int applied;
};

static enum bb_err current(struct store_tx *tx, int64_t *v)
{
    enum bb_err rc = store_exec(tx, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                    " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                                    " applied_at INTEGER NOT NULL) STRICT");
    if (rc)
        return rc;
    bool found;
    *v = 0;
    return store_query_int(tx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", 0, NULL,
                           &found, v);
}

static enum bb_err apply_step(struct store_tx *tx, void *arg)
{
    struct step_arg *a = arg;
    int64_t v;
    enum bb_err rc = current(tx, &v);
    if (rc || v >= a->m->version)
        return rc; /* another process got there first */
    rc = store_exec(tx, a->m->sql);
    if (rc)
        return rc;
    struct store_stmt *s;
    rc = store_prepare(tx, "INSERT INTO schema_migrations (version, name, applied_at) "
                           "VALUES (?, ?, ?)", &s);
    if (rc)
        return rc;
    bool row;
    rc = store_bind_int(s, 1, a->m->version);
    if (!rc)
        rc = store_bind_text(s, 2, a->m->name);
    if (!rc)
        rc = store_bind_int(s, 3, clock_now());
    if (!rc)
        rc = store_step(s, &row);
    store_finalize(s);
    a->applied = 1;
    return rc;
}

static enum bb_err read_version(struct store_tx *tx, void *arg) { return current(tx, arg); }

int store_schema_known(void)
{
    size_t n;
    const struct migration *m = migrations(&n);
    return n ? m[n - 1].version : 0;
}

enum bb_err store_migrate(struct store *st, int *version)
{
    int64_t v = 0;
    enum bb_err rc = store_write(st, read_version, &v);
    if (rc)
        return rc;
    int known = store_schema_known();
    if (v > known) {
        log_msg("error", NULL,
                "database schema is version %lld, newer than this Bangban knows (%d): "
                "upgrade Bangban before opening it", (long long)v, known);
        return BB_SCHEMA_NEWER;
    }
    size_t n;
    const struct migration *m = migrations(&n);
    for (size_t i = 0; i < n; i++) {
        if (m[i].version <= v)
            continue;
        struct step_arg a = {&m[i], 0};
        rc = store_write(st, apply_step, &a);
        if (rc) {
            log_msg("error", NULL, "migration %d (%s) failed", m[i].version, m[i].name);
            return rc;
        }
        if (a.applied)
            log_msg("info", NULL, "applied migration %d (%s)", m[i].version, m[i].name);
    }
    *version = known;
    return BB_OK;
}
