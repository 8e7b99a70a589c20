/* queue_stats.c - what the hall's display shows (the snapshot and its version) and the queue
 * statistics: waits (taken -> called) and service times (started -> finished), per window kind
 * and per hour of taking. */
#include <stdio.h>
#include <string.h>
#include "../core/clock.h"
#include "../sites/sites.h"
#include "queue_int.h"

#define CALLING_MAX 8
#define NEXT_MAX 5
#define STATS_MAX_DAYS 366

enum bb_err queue_version(struct store_tx *tx, int64_t site_id, int64_t *version)
{
    bool found = false;
    *version = 0;
    return store_query_int(tx, "SELECT version FROM queue_versions WHERE site_id = ?", 1,
                           &site_id, &found, version);
}

static enum bb_err calling(struct store_tx *tx, int64_t site_id, const char *day, json_t *arr)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT t.number, t.kind, w.name, t.called_at, "
                                       "t.call_count FROM tickets t "
                                       "JOIN windows w ON w.id = t.window_id "
                                       "WHERE t.site_id = ? AND t.day = ? "
                                       "AND t.status IN ('called', 'serving') "
                                       "ORDER BY t.called_at DESC, t.id DESC LIMIT ?", &s);
    if (rc)
        return rc;
    rc = store_bind_int(s, 1, site_id);
    if (!rc)
        rc = store_bind_text(s, 2, day);
    if (!rc)
        rc = store_bind_int(s, 3, CALLING_MAX);
    bool row = true;
    while (!rc && row) {
        rc = store_step(s, &row);
        if (rc || !row)
            break;
        char iso[32];
        clock_iso(store_col_int(s, 3), iso, sizeof iso);
        json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:I}", "number", store_col_text(s, 0), "kind",
                              store_col_text(s, 1), "window", store_col_text(s, 2), "called_at",
                              iso, "call_count", (json_int_t)store_col_int(s, 4));
        if (!o || json_array_append_new(arr, o))
            rc = BB_NOMEM;
    }
    store_finalize(s);
    return rc;
}

/* One kind's waiting line: its count and the next numbers to be called. */
static enum bb_err waiting(struct store_tx *tx, int64_t site_id, const char *day,
                          const char *kind, json_t *arr)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT t.number FROM tickets t WHERE t.site_id = ? "
                                       "AND t.day = ? AND t.kind = ? AND t.status = 'waiting' "
                                       "ORDER BY " Q_ORDER("t"), &s);
    if (rc)
        return rc;
    json_t *next = json_array();
    rc = next ? store_bind_int(s, 1, site_id) : BB_NOMEM;
    if (!rc)
        rc = store_bind_text(s, 2, day);
    if (!rc)
        rc = store_bind_text(s, 3, kind);
    int64_t count = 0;
    bool row = true;
    while (!rc && row) {
        rc = store_step(s, &row);
        if (!rc && row && count++ < NEXT_MAX &&
            json_array_append_new(next, json_string(store_col_text(s, 0))))
            rc = BB_NOMEM;
    }
    store_finalize(s);
    json_t *o = rc ? NULL : json_pack("{s:s,s:I,s:O}", "kind", kind, "count", (json_int_t)count,
                                      "next", next);
    json_decref(next);
    if (!rc && (!o || json_array_append_new(arr, o)))
        rc = BB_NOMEM;
    return rc;
}

enum bb_err queue_snapshot(struct store_tx *tx, int64_t site_id, json_t **out)
{
    *out = NULL;
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT name FROM sites WHERE id = ?", &s);
    bool row = false;
    char name[256] = "";
    if (!rc)
        rc = store_bind_int(s, 1, site_id);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && row)
        snprintf(name, sizeof name, "%s", store_col_text(s, 0));
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    store_finalize(s);
    int64_t version = 0;
    if (!rc)
        rc = queue_version(tx, site_id, &version);
    char day[WORKDAY_DATE_LEN];
    q_today_str(day);
    json_t *call = json_array(), *wait = json_array();
    if (!rc && (!call || !wait))
        rc = BB_NOMEM;
    if (!rc)
        rc = calling(tx, site_id, day, call);
    for (int i = 0; !rc && q_kinds[i]; i++) {
        bool open = false;
        rc = q_kind_open(tx, site_id, q_kinds[i], &open);
        if (!rc && open)
            rc = waiting(tx, site_id, day, q_kinds[i], wait);
    }
    if (!rc) {
        *out = json_pack("{s:I,s:s,s:s,s:I,s:O,s:O}", "site_id", (json_int_t)site_id, "site",
                         name, "day", day, "version", (json_int_t)version, "calling", call,
                         "waiting", wait);
        if (!*out)
            rc = BB_NOMEM;
    }
    json_decref(call);
    json_decref(wait);
    return rc;
}

/* --- statistics --- */

struct agg {
    int64_t tickets, served, no_show, waits, wait_sum, wait_max, serves, serve_sum;
};

static void add(struct agg *g, const char *status, int64_t wait, int64_t serve)
{
    g->tickets++;
    g->served += strcmp(status, "done") == 0;
    g->no_show += strcmp(status, "no_show") == 0;
    if (wait >= 0) {
        g->waits++;
        g->wait_sum += wait;
        if (wait > g->wait_max)
            g->wait_max = wait;
    }
    if (serve >= 0) {
        g->serves++;
        g->serve_sum += serve;
    }
}

/* Averages are rounded to whole seconds; null when nothing was measured. */
static json_t *avg(int64_t sum, int64_t n)
{
    return n ? json_integer((sum + n / 2) / n) : json_null();
}

static json_t *agg_json(const struct agg *g, const char *key, json_t *val)
{
    json_t *o = json_pack("{s:I,s:I,s:I,s:o,s:o,s:o}", "tickets", (json_int_t)g->tickets,
                          "served", (json_int_t)g->served, "no_show", (json_int_t)g->no_show,
                          "avg_wait_s", avg(g->wait_sum, g->waits), "max_wait_s",
                          g->waits ? json_integer(g->wait_max) : json_null(), "avg_serve_s",
                          avg(g->serve_sum, g->serves));
    if (o && key)
        json_object_set_new(o, key, val);
    else
        json_decref(val);
    return o;
}

enum bb_err queue_stats(struct store_tx *tx, const struct actor *a, int64_t site_id,
                        const char *from, const char *to, json_t **out, const char **field)
{
    *out = NULL;
    int today = q_today(), d0 = today, d1 = today;
    if (from && workday_parse(from, &d0)) {
        *field = "from";
        return BB_INVALID;
    }
    if (to && workday_parse(to, &d1)) {
        *field = "to";
        return BB_INVALID;
    }
    if (!to)
        d1 = d0 > today ? d0 : today;
    if (d1 < d0 || d1 - d0 >= STATS_MAX_DAYS) {
        *field = "to";
        return BB_INVALID;
    }
    if (!site_id)
        site_id = a ? a->site_id : 0;
    enum bb_err rc = site_check(tx, a, AUTHZ_READ_FRONT, site_id);
    if (rc)
        return rc;
    char f[WORKDAY_DATE_LEN], t[WORKDAY_DATE_LEN];
    workday_format(d0, f);
    workday_format(d1, t);
    struct store_stmt *s;
    rc = store_prepare(tx, "SELECT kind, status, taken_at, "
                           "COALESCE(called_at - taken_at, -1), "
                           "CASE WHEN status = 'done' AND started_at IS NOT NULL "
                           "THEN finished_at - started_at ELSE -1 END "
                           "FROM tickets WHERE site_id = ? AND day >= ? AND day <= ?", &s);
    if (rc)
        return rc;
    struct agg total = {0}, kinds[8] = {{0}}, hours[24] = {{0}};
    rc = store_bind_int(s, 1, site_id);
    if (!rc)
        rc = store_bind_text(s, 2, f);
    if (!rc)
        rc = store_bind_text(s, 3, t);
    bool row = true;
    while (!rc && row) {
        rc = store_step(s, &row);
        if (rc || !row)
            break;
        const char *status = store_col_text(s, 1);
        int64_t wait = store_col_int(s, 3), serve = store_col_int(s, 4);
        int k = q_prefix(store_col_text(s, 0)) - 'A';
        int hour = (int)(((store_col_int(s, 2) + 8 * 3600) % 86400) / 3600);
        add(&total, status, wait, serve);
        if (k >= 0 && k < 8)
            add(&kinds[k], status, wait, serve);
        add(&hours[hour], status, wait, serve);
    }
    store_finalize(s);
    if (rc)
        return rc;
    json_t *by_kind = json_array(), *by_hour = json_array();
    for (int k = 0; by_kind && q_kinds[k]; k++)
        if (kinds[k].tickets)
            json_array_append_new(by_kind, agg_json(&kinds[k], "kind", json_string(q_kinds[k])));
    for (int h = 0; by_hour && h < 24; h++)
        if (hours[h].tickets)
            json_array_append_new(by_hour, agg_json(&hours[h], "hour", json_integer(h)));
    *out = json_pack("{s:I,s:s,s:s,s:o,s:o,s:o}", "site_id", (json_int_t)site_id, "from", f,
                     "to", t, "total", agg_json(&total, NULL, NULL), "by_kind", by_kind,
                     "by_hour", by_hour);
    return *out ? BB_OK : BB_NOMEM;
}
