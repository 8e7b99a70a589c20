/* queue_common.c - the queue's shared pieces: day, kinds, the ticket record, version bumps,
 * audit entries and the front-desk check. */
#include <stdio.h>
#include <string.h>
#include "../audit/audit.h"
#include "../core/clock.h"
#include "../sites/sites.h"
#include "../store/row.h"
#include "queue_int.h"

const char *const q_kinds[] = {"general",      "assisted", "specialised", "complaint",
                               "cross_region", "issuance", "self_service", NULL};

int q_today(void) { return (int)((clock_now() + 8 * 3600) / 86400); }

void q_today_str(char out[WORKDAY_DATE_LEN]) { workday_format(q_today(), out); }

char q_prefix(const char *kind)
{
    for (int i = 0; kind && q_kinds[i]; i++)
        if (strcmp(q_kinds[i], kind) == 0)
            return (char)('A' + i);
    return 0;
}

static json_t *time_or_null(struct store_stmt *s, int col)
{
    if (store_col_null(s, col))
        return json_null();
    char iso[32];
    clock_iso(store_col_int(s, col), iso, sizeof iso);
    return json_string(iso);
}

static json_t *text_or_null(struct store_stmt *s, int col)
{
    const char *v = store_col_text(s, col);
    return v ? json_string(v) : json_null();
}

json_t *q_ticket_json(struct store_stmt *s, bool with_code)
{
    json_t *win = store_col_null(s, 7)
                      ? json_null()
                      : json_pack("{s:I,s:s?}", "id", (json_int_t)store_col_int(s, 7), "name",
                                  store_col_text(s, 8));
    json_t *o = json_pack(
        "{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:I,s:o,s:o,s:o,s:o}", "id",
        (json_int_t)store_col_int(s, 0), "site_id", (json_int_t)store_col_int(s, 1), "day",
        store_col_text(s, 2), "number", store_col_text(s, 3), "kind", store_col_text(s, 4),
        "priority", store_col_text(s, 5), "status", store_col_text(s, 6), "window", win, "item",
        text_or_null(s, 9), "appointment", text_or_null(s, 10), "taken_at", time_or_null(s, 11),
        "called_at", time_or_null(s, 12), "call_count", (json_int_t)store_col_int(s, 13),
        "started_at", time_or_null(s, 14), "finished_at", time_or_null(s, 15), "case",
        text_or_null(s, 16), "waiting_before",
        store_col_null(s, 18) ? json_null() : json_integer(store_col_int(s, 18)));
    if (o && with_code)
        json_object_set_new(o, "rate_code", json_string(store_col_text(s, 17)));
    return o;
}

enum bb_err q_tickets(struct store_tx *tx, const char *tail, q_binder bind, const void *arg,
                      bool with_code, json_t *arr)
{
    char sql[2048];
    snprintf(sql, sizeof sql, "%s%s", Q_TICKET_SELECT, tail);
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, sql, &s);
    if (rc)
        return rc;
    rc = bind(s, arg);
    bool row = true;
    while (!rc && row) {
        rc = store_step(s, &row);
        if (!rc && row) {
            json_t *o = q_ticket_json(s, with_code);
            rc = o ? (json_array_append_new(arr, o) ? BB_NOMEM : BB_OK) : BB_NOMEM;
        }
    }
    store_finalize(s);
    return rc;
}

enum bb_err q_bump(struct store_tx *tx, int64_t site_id)
{
    return store_run(tx, "INSERT INTO queue_versions (site_id, version) VALUES (?, 1) "
                         "ON CONFLICT (site_id) DO UPDATE SET version = queue_versions.version + 1",
                     "i", site_id);
}

enum bb_err q_kind_open(struct store_tx *tx, int64_t site_id, const char *kind, bool *open)
{
    *open = false;
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT 1 FROM windows WHERE site_id = ? AND kind = ? "
                                       "AND active = 1 LIMIT 1", &s);
    if (rc)
        return rc;
    rc = store_bind_int(s, 1, site_id);
    if (!rc)
        rc = store_bind_text(s, 2, kind);
    if (!rc)
        rc = store_step(s, open);
    store_finalize(s);
    return rc;
}

enum bb_err q_audit(struct store_tx *tx, const struct actor *a, const char *what, int64_t id,
                    const char *number, int64_t window_id)
{
    char action[40], object[40], detail[96];
    snprintf(action, sizeof action, "ticket.%s", what);
    snprintf(object, sizeof object, "ticket:%lld", (long long)id);
    if (window_id)
        snprintf(detail, sizeof detail, "{\"number\":\"%s\",\"window\":%lld}", number,
                 (long long)window_id);
    else
        snprintf(detail, sizeof detail, "{\"number\":\"%s\"}", number);
    return audit_append(tx, a, action, object, "ok", detail);
}

enum bb_err q_desk_check(struct store_tx *tx, const struct actor *a, int64_t site_id)
{
    enum bb_err rc = site_check(tx, a, AUTHZ_FRONT_DESK, site_id);
    if (!rc && a && a->site_id != site_id)
        rc = BB_FORBIDDEN; /* calling and serving happen at one's own site, not below it */
    return rc;
}
