/* case_query.c - lists, the one-time notice, the public progress query, alerts and the sweep
 * that applies deemed acceptance. */
#include <stdio.h>
#include <string.h>
#include "../calendar/calendar.h"
#include "../core/clock.h"
#include "../core/idcard.h"
#include "../store/row.h"
#include "case_int.h"
#include "../store/ratelimit.h"
#include "pii.h"

#define PROGRESS_FAILS 20   /* wrong receipt/code guesses per address per window */
#define PROGRESS_WINDOW 900

/* Collects the receipts of cases matching sql (first column: id, second: receipt). */
static enum bb_err each_case(struct store_tx *tx, struct store_stmt *s, struct workday_cal *cal,
                             const struct actor *a, const char *state, int limit, json_t *items,
                             int64_t *next)
{
    int today = case_today();
    enum bb_err rc = BB_OK;
    for (bool row = true; !rc;) {
        rc = store_step(s, &row);
        if (rc || !row)
            break;
        struct case_row c;
        rc = case_load(tx, store_col_text(s, 1), &c);
        if (rc)
            break;
        int left;
        const char *st;
        bool provisional;
        case_clock(cal, &c, today, &left, &st, &provisional);
        if ((a && !case_visible(a, &c)) || (state && strcmp(state, st) != 0))
            continue;
        if ((int)json_array_size(items) == limit) {
            *next = store_col_int(s, 0) - 1; /* resume at this row */
            break;
        }
        json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:I,s:s?,s:s?,s:o,s:s}", "receipt", c.receipt,
                              "status", c.status, "item", c.item_code, "site_id",
                              (json_int_t)c.site_id, "holder_site_id",
                              (json_int_t)c.holder_site_id, "received_on",
                              c.received_on[0] ? c.received_on : NULL, "deadline",
                              c.deadline[0] ? c.deadline : NULL, "days_left",
                              left == INT32_MIN ? json_null() : json_integer(left), "state", st);
        if (!o || json_array_append_new(items, o))
            rc = BB_NOMEM;
    }
    return rc;
}

enum bb_err case_list(struct store_tx *tx, const struct actor *a, const struct case_query *q,
                      json_t **items, int64_t *next)
{
    *next = 0;
    char hash[TOKEN_HEX] = "";
    if (q->q && strlen(q->q) == IDCARD_LEN) /* an exact ID number: find by its keyed hash */
        pii_lookup_hash(q->q, hash);
    struct store_stmt *s;
    enum bb_err rc = store_prepare(
        tx, "SELECT c.id, c.receipt FROM cases c JOIN sites hs ON hs.id = c.holder_site_id "
            "JOIN sites ss ON ss.id = c.site_id JOIN items i ON i.id = c.item_id "
            "JOIN applicants ap ON ap.id = c.applicant_id "
            "WHERE (substr(hs.path, 1, length(?)) = ? OR substr(ss.path, 1, length(?)) = ?) "
            "AND (? IS NULL OR c.status = ?) AND (? IS NULL OR i.code = ?) "
            "AND (? = 0 OR c.holder_user_id = ?) AND (? = 0 OR c.holder_site_id = ?) "
            "AND (? IS NULL OR substr(c.receipt, 1, length(?)) = ? OR ap.id_hash = ?) "
            "AND c.id > ? ORDER BY c.id LIMIT 2000", &s);
    if (rc)
        return rc;
    const char *scope = a->site_path;
    int i = 1;
    rc = store_bind_text(s, i++, scope);
    if (!rc) rc = store_bind_text(s, i++, scope);
    if (!rc) rc = store_bind_text(s, i++, scope);
    if (!rc) rc = store_bind_text(s, i++, scope);
    if (!rc) rc = store_bind_text(s, i++, q->status);
    if (!rc) rc = store_bind_text(s, i++, q->status);
    if (!rc) rc = store_bind_text(s, i++, q->item);
    if (!rc) rc = store_bind_text(s, i++, q->item);
    if (!rc) rc = store_bind_int(s, i++, q->holder_me);
    if (!rc) rc = store_bind_int(s, i++, a->user_id);
    if (!rc) rc = store_bind_int(s, i++, q->site_id);
    if (!rc) rc = store_bind_int(s, i++, q->site_id);
    if (!rc) rc = store_bind_text(s, i++, q->q);
    if (!rc) rc = store_bind_text(s, i++, q->q);
    if (!rc) rc = store_bind_text(s, i++, q->q);
    if (!rc) rc = store_bind_text(s, i++, hash);
    if (!rc) rc = store_bind_int(s, i++, q->after);
    struct workday_cal *cal = NULL;
    if (!rc)
        rc = calendar_load(tx, &cal);
    *items = json_array();
    if (!rc)
        rc = each_case(tx, s, cal, a, q->state, q->limit, *items, next);
    store_finalize(s);
    workday_cal_free(cal);
    return rc;
}

enum bb_err case_notice(struct store_tx *tx, const struct actor *a, const char *receipt,
                        json_t **out)
{
    struct case_row c;
    enum bb_err rc = case_load(tx, receipt, &c);
    if (rc)
        return rc;
    if (!case_visible(a, &c))
        return BB_FORBIDDEN;
    if (!c.notice_given_on[0])
        return BB_NOT_FOUND; /* nothing was missing: no notice was given */
    static const char *const names[] = {"material", "name", "condition"};
    struct store_stmt *s;
    rc = store_prepare(tx, "SELECT cm.material_id, cm.name, m.condition FROM case_materials cm "
                           "JOIN materials m ON m.id = cm.material_id WHERE cm.case_id = ? AND "
                           "cm.received = 0 AND cm.required = 1 ORDER BY cm.id", &s);
    json_t *missing = NULL;
    int64_t next;
    if (!rc) {
        rc = store_bind_int(s, 1, c.id);
        if (!rc)
            rc = store_rows_json(s, "iss", names, CASE_MAX_MATERIALS, &missing, &next);
        store_finalize(s);
    }
    if (rc)
        return rc;
    *out = json_pack("{s:s,s:s,s:o,s:o,s:s}", "receipt", c.receipt, "item", c.item_code,
                     "missing", missing, "given_on",
                     c.notice_given_on[0] ? json_string(c.notice_given_on) : json_null(), "due",
                     c.notice_due);
    return *out ? BB_OK : BB_NOMEM;
}

enum bb_err case_progress(struct store_tx *tx, const char *receipt, const char *code,
                          const char *phone4, json_t **out)
{
    struct case_row c;
    enum bb_err rc = case_load(tx, receipt, &c);
    if (rc)
        return rc;
    bool found;
    int64_t id = c.id;
    struct store_stmt *s;
    rc = store_prepare(tx, "SELECT query_code, phone4 FROM cases WHERE id = ?", &s);
    if (rc)
        return rc;
    rc = store_bind_int(s, 1, id);
    if (!rc)
        rc = store_step(s, &found);
    bool ok = !rc && found &&
              ((code && crypto_streq(code, store_col_text(s, 0))) ||
               (phone4 && strlen(phone4) == 4 && crypto_streq(phone4, store_col_text(s, 1))));
    store_finalize(s);
    if (rc)
        return rc;
    if (!ok)
        return BB_NOT_FOUND; /* the same answer as an unknown receipt: nothing to probe */
    struct workday_cal *cal;
    rc = calendar_load(tx, &cal);
    if (rc)
        return rc;
    int left;
    const char *state;
    bool provisional;
    case_clock(cal, &c, case_today(), &left, &state, &provisional);
    workday_cal_free(cal);
    static const char *const names[] = {"at", "action", "status", "site"};
    json_t *timeline = NULL;
    int64_t next;
    rc = store_prepare(tx, "SELECT e.at, e.action, e.status, st.name FROM case_events e "
                           "LEFT JOIN sites st ON st.id = e.site_id WHERE e.case_id = ? "
                           "ORDER BY e.id", &s);
    if (!rc) {
        rc = store_bind_int(s, 1, id);
        if (!rc)
            rc = store_rows_json(s, "isss", names, 1000, &timeline, &next);
        store_finalize(s);
    }
    if (rc)
        return rc;
    size_t k;
    json_t *ev;
    json_array_foreach(timeline, k, ev) {
        char iso[32];
        clock_iso(json_integer_value(json_object_get(ev, "at")), iso, sizeof iso);
        json_object_set_new(ev, "at", json_string(iso));
    }
    *out = json_pack("{s:s,s:s,s:s,s:s?,s:o,s:s,s:o}", "receipt", c.receipt, "item", c.item_code,
                     "status", c.status, "deadline", c.deadline[0] ? c.deadline : NULL,
                     "days_left", left == INT32_MIN ? json_null() : json_integer(left), "state",
                     state, "timeline", timeline);
    return *out ? BB_OK : BB_NOMEM;
}

enum bb_err case_progress_limited(struct store_tx *tx, const char *addr, bool failed,
                                  int *retry_after)
{
    char key[96];
    snprintf(key, sizeof key, "progress:%s", addr);
    int64_t now = clock_now();
    enum bb_err rc = failed ? ratelimit_bump(tx, key, now, PROGRESS_WINDOW) : BB_OK;
    return rc ? rc : ratelimit_wait(tx, key, now, PROGRESS_WINDOW, PROGRESS_FAILS, retry_after);
}

enum bb_err case_alerts(struct store_tx *tx, const struct actor *a, json_t **out)
{
    *out = json_array();
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT c.id, c.receipt FROM cases c WHERE "
                                       "c.holder_site_id = ? AND c.status IN ('intake', "
                                       "'submitted', 'accepted', 'in_review') ORDER BY c.id", &s);
    if (rc)
        return rc;
    struct workday_cal *cal = NULL;
    rc = store_bind_int(s, 1, a->site_id);
    if (!rc)
        rc = calendar_load(tx, &cal);
    int today = case_today();
    for (bool row = true; !rc;) {
        rc = store_step(s, &row);
        if (rc || !row)
            break;
        struct case_row c;
        rc = case_load(tx, store_col_text(s, 1), &c);
        int left;
        const char *state;
        bool provisional;
        if (!rc)
            case_clock(cal, &c, today, &left, &state, &provisional);
        if (rc || !strcmp(state, "normal"))
            continue;
        bool before = !strcmp(c.status, "intake") || !strcmp(c.status, "submitted");
        const char *kind = before ? "notice_due" : state;
        json_array_append_new(*out, json_pack("{s:s,s:s,s:s,s:i,s:s}", "kind", kind, "receipt",
                                              c.receipt, "status", c.status, "days_left", left,
                                              "due", before ? c.notice_due : c.deadline));
    }
    store_finalize(s);
    char today_s[WORKDAY_DATE_LEN];
    workday_format(today, today_s);
    if (!rc) /* handoffs to this site, or from it, still unconfirmed after their leg limit */
        rc = store_prepare(tx, "SELECT c.receipt, h.due, h.to_site_id, h.from_site_id "
                               "FROM handoffs h JOIN cases c ON c.id = h.case_id "
                               "WHERE h.received_at IS NULL AND h.due < ? "
                               "AND (h.to_site_id = ? OR h.from_site_id = ?)", &s);
    if (!rc) {
        rc = store_bind_text(s, 1, today_s);
        if (!rc) rc = store_bind_int(s, 2, a->site_id);
        if (!rc) rc = store_bind_int(s, 3, a->site_id);
        for (bool row = true; !rc;) {
            rc = store_step(s, &row);
            if (rc || !row)
                break;
            json_array_append_new(*out, json_pack("{s:s,s:s,s:s,s:I,s:I}", "kind",
                                                  "handoff_late", "receipt", store_col_text(s, 0),
                                                  "due", store_col_text(s, 1), "to_site_id",
                                                  (json_int_t)store_col_int(s, 2), "from_site_id",
                                                  (json_int_t)store_col_int(s, 3)));
        }
        store_finalize(s);
    }
    workday_cal_free(cal);
    return rc;
}

enum bb_err case_sweep(struct store_tx *tx, int *changed)
{
    *changed = 0;
    char today[WORKDAY_DATE_LEN];
    workday_format(case_today(), today);
    /* 行政许可法 art. 32: no notice of missing materials within the notice days means the
     * application counts as accepted from the day the materials arrived. */
    struct store_stmt *s;
    /* Only where it has reached a site that can accept it: a village that merely collects
     * cannot be deemed to have accepted anything. */
    enum bb_err rc = store_prepare(tx, "SELECT c.id, c.receipt FROM cases c "
                                       "JOIN sites hs ON hs.id = c.holder_site_id "
                                       "WHERE c.status IN ('intake', 'submitted') "
                                       "AND c.notice_given_on IS NULL AND c.notice_due < ? "
                                       "AND (hs.level = 'district' OR EXISTS (SELECT 1 FROM "
                                       "site_items si WHERE si.site_id = c.holder_site_id AND "
                                       "si.item_id = c.item_id AND si.mode = 'accept'))", &s);
    if (rc)
        return rc;
    char receipts[64][CASE_RECEIPT_LEN];
    int n = 0;
    rc = store_bind_text(s, 1, today);
    for (bool row = true; !rc && n < 64;) {
        rc = store_step(s, &row);
        if (!rc && row)
            snprintf(receipts[n++], CASE_RECEIPT_LEN, "%s", store_col_text(s, 1));
        if (!row)
            break;
    }
    store_finalize(s);
    struct workday_cal *cal = NULL;
    if (!rc && n)
        rc = calendar_load(tx, &cal);
    for (int k = 0; !rc && k < n; k++) {
        struct case_row c;
        rc = case_load(tx, receipts[k], &c);
        int received, deadline;
        bool provisional;
        char due[WORKDAY_DATE_LEN];
        if (!rc)
            rc = workday_parse(c.received_on, &received);
        if (!rc)
            rc = workday_add(cal, received, (int)c.promised_days, &deadline, &provisional);
        if (!rc)
            rc = workday_format(deadline, due);
        if (!rc)
            rc = store_run(tx, "UPDATE cases SET status = 'accepted', accepted_on = received_on, "
                               "deadline = ?, version = version + 1, updated_at = ? WHERE id = ?",
                           "tii", due, clock_now(), c.id);
        if (!rc)
            rc = case_event(tx, NULL, &c, "deemed_accept", "accepted",
                            "逾期未出具一次性告知，依《行政许可法》第三十二条自收到材料之日起视为受理");
        if (!rc)
            (*changed)++;
    }
    workday_cal_free(cal);
    return rc;
}
