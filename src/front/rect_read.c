/* rect_read.c - rectifications as staff and residents see them: one with its rating and events,
 * lists with the computed state, and the alerts of overdue and due-soon ones. */
#include <stdio.h>
#include <string.h>
#include "../calendar/calendar.h"
#include "../core/clock.h"
#include "../store/row.h"
#include "rect_int.h"

static json_t *iso(int64_t t)
{
    char buf[32];
    clock_iso(t, buf, sizeof buf);
    return json_string(buf);
}

/* Columns every rating read selects, in this order, from ratings r. */
#define RATING_COLS                                                                         \
    "r.id, r.site_id, st.name, CASE WHEN r.case_id IS NULL THEN 'visit' ELSE 'case' END, "  \
    "c.receipt, t.number, r.level, r.tags, r.comment, r.channel, r.created_at, x.id, "      \
    "x.status FROM ratings r JOIN sites st ON st.id = r.site_id "                           \
    "LEFT JOIN cases c ON c.id = r.case_id LEFT JOIN tickets t ON t.id = r.ticket_id "      \
    "LEFT JOIN rectifications x ON x.rating_id = r.id "

static json_t *rating_row(struct store_stmt *s, bool with_rect)
{
    static const char *const names[] = {"id", "site_id", "site", "target", "receipt",
                                        "number", "level"};
    json_t *o = store_row_json(s, "iissssi", names);
    if (!o)
        return NULL;
    json_t *tags = json_loads(store_col_text(s, 7), 0, NULL);
    json_object_set_new(o, "tags", tags ? tags : json_array());
    json_object_set_new(o, "comment", store_col_null(s, 8) ? json_null()
                                                           : json_string(store_col_text(s, 8)));
    json_object_set_new(o, "channel", json_string(store_col_text(s, 9)));
    json_object_set_new(o, "created_at", iso(store_col_int(s, 10)));
    if (with_rect)
        json_object_set_new(o, "rectification",
                            store_col_null(s, 11)
                                ? json_null()
                                : json_pack("{s:I,s:s}", "id", (json_int_t)store_col_int(s, 11),
                                            "status", store_col_text(s, 12)));
    return o;
}

/* rating_row as staff lists show it, for store_rows_page. */
static json_t *list_row(struct store_stmt *s, void *arg)
{
    (void)arg;
    return rating_row(s, true);
}

enum bb_err rating_staff_json(struct store_tx *tx, int64_t id, bool with_rect, json_t **out)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT " RATING_COLS "WHERE r.id = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_int(s, 1, id);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    if (!rc && !(*out = rating_row(s, with_rect)))
        rc = BB_NOMEM;
    store_finalize(s);
    return rc;
}

/* The path of the site a list is narrowed to (the actor's own when site_id is 0). */
static enum bb_err scope_path(struct store_tx *tx, const struct actor *a, int64_t site_id,
                              char path[SITE_PATH_MAX], const char **field)
{
    if (!authz_can(a, AUTHZ_READ_FRONT, a ? a->site_path : "/"))
        return BB_FORBIDDEN;
    snprintf(path, SITE_PATH_MAX, "%s", a ? a->site_path : "/");
    if (!site_id)
        return BB_OK;
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT path FROM sites WHERE id = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_int(s, 1, site_id);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && row)
        snprintf(path, SITE_PATH_MAX, "%s", store_col_text(s, 0));
    store_finalize(s);
    if (!rc && !row) {
        *field = "site";
        return BB_INVALID;
    }
    if (!rc && a && !authz_in_subtree(a->site_path, path))
        return BB_FORBIDDEN;
    return rc;
}

static enum bb_err day_bound(const char *date, int add, int64_t *out, const char *name,
                             const char **field)
{
    int d;
    if (!date)
        return BB_OK;
    if (workday_parse(date, &d)) {
        *field = name;
        return BB_INVALID;
    }
    *out = rect_day_start(d + add);
    return BB_OK;
}

enum bb_err rating_list(struct store_tx *tx, const struct actor *a, const struct rating_query *q,
                        json_t **items, int64_t *next, const char **field)
{
    *next = 0;
    char path[SITE_PATH_MAX];
    int64_t from = INT64_MIN, to = INT64_MAX;
    enum bb_err rc = scope_path(tx, a, q->site_id, path, field);
    if (!rc)
        rc = day_bound(q->from, 0, &from, "from", field);
    if (!rc)
        rc = day_bound(q->to, 1, &to, "to", field);
    struct store_stmt *s;
    if (!rc)
        rc = store_prepare(tx, "SELECT " RATING_COLS
                               "WHERE substr(st.path, 1, length(?)) = ? AND (? = 0 OR r.level = ?) "
                               "AND r.created_at >= ? AND r.created_at < ? AND r.id > ? "
                               "ORDER BY r.id LIMIT ?", &s);
    if (rc)
        return rc;
    int i = 1;
    rc = store_bind_text(s, i++, path);
    if (!rc) rc = store_bind_text(s, i++, path);
    if (!rc) rc = store_bind_int(s, i++, q->level);
    if (!rc) rc = store_bind_int(s, i++, q->level);
    if (!rc) rc = store_bind_int(s, i++, from);
    if (!rc) rc = store_bind_int(s, i++, to);
    if (!rc) rc = store_bind_int(s, i++, q->after);
    if (!rc) rc = store_bind_int(s, i++, q->limit + 1);
    if (!rc)
        rc = store_rows_page(s, list_row, NULL, q->limit, items, next);
    store_finalize(s);
    return rc;
}

/* --- rectifications --- */

#define RECT_COLS                                                                          \
    "x.id, x.rating_id, x.site_id, st.name, x.assignee_user_id, u.name, x.status, "        \
    "x.opened_on, x.due, x.verification, x.verdict, x.rectification, x.visit_note, "       \
    "x.visit_satisfied, x.appeal, x.review, x.review_outcome, x.version, st.path "         \
    "FROM rectifications x JOIN sites st ON st.id = x.site_id "                            \
    "LEFT JOIN users u ON u.id = x.assignee_user_id "

static json_t *allowed_for(const struct actor *a, const char *status, int64_t site_id,
                           const char *path)
{
    static const char *const from[][2] = {{"open", "verify"},   {"verified", "rectify"},
                                          {"rectified", "visit"}, {"visited", "close"},
                                          {"appealed", "review"}};
    json_t *out = json_array();
    for (size_t i = 0; out && i < sizeof from / sizeof from[0]; i++) {
        if (strcmp(status, from[i][0]))
            continue;
        bool review = !strcmp(from[i][1], "review");
        bool ok = review ? authz_can(a, AUTHZ_REVIEW, path) && (!a || a->site_id != site_id)
                         : authz_can(a, AUTHZ_RECTIFY, path);
        if (ok)
            json_array_append_new(out, json_string(from[i][1]));
    }
    return out;
}

/* The record of the current row (without events). */
static json_t *rect_row_json(struct store_tx *tx, struct store_stmt *s,
                             const struct workday_cal *cal, const struct actor *a, int today)
{
    static const char *const names[] = {"id", "rating_id", "site_id", "site", "assignee_id",
                                        "assignee", "status", "opened_on", "due",
                                        "verification", "verdict", "rectification",
                                        "visit_note", "visit_satisfied", "appeal", "review",
                                        "review_outcome", "version"};
    json_t *o = store_row_json(s, "iiisissssssssbsssi", names);
    if (!o)
        return NULL;
    const char *status = store_col_text(s, 6);
    json_t *assignee = store_col_null(s, 4)
                           ? json_null()
                           : json_pack("{s:I,s:s}", "id", (json_int_t)store_col_int(s, 4),
                                       "name", store_col_text(s, 5));
    json_object_set_new(o, "assignee", assignee);
    json_object_del(o, "assignee_id");
    json_object_set_new(o, "state", json_string(rect_state(cal, status, store_col_text(s, 8),
                                                           today)));
    json_object_set_new(o, "allowed_actions",
                        allowed_for(a, status, store_col_int(s, 2), store_col_text(s, 18)));
    json_t *rating = NULL;
    if (rating_staff_json(tx, store_col_int(s, 1), false, &rating)) {
        json_decref(o);
        return NULL;
    }
    json_object_set_new(o, "rating", rating);
    json_object_del(o, "rating_id");
    return o;
}

static enum bb_err events_json(struct store_tx *tx, int64_t id, json_t **out)
{
    static const char *const names[] = {"id", "at", "action", "status", "user", "note"};
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT e.id, e.at, e.action, e.status, u.name, e.note "
                                       "FROM rectification_events e LEFT JOIN users u ON "
                                       "u.id = e.user_id WHERE e.rectification_id = ? "
                                       "ORDER BY e.id", &s);
    if (rc)
        return rc;
    int64_t next;
    rc = store_bind_int(s, 1, id);
    if (!rc)
        rc = store_rows_json(s, "iissss", names, 1000, out, &next);
    store_finalize(s);
    size_t k;
    json_t *ev;
    if (!rc)
        json_array_foreach(*out, k, ev) {
            json_object_set_new(ev, "at", iso(json_integer_value(json_object_get(ev, "at"))));
            json_object_del(ev, "id");
        }
    return rc;
}

enum bb_err rect_get(struct store_tx *tx, const struct actor *a, int64_t id, json_t **out)
{
    struct store_stmt *s;
    *out = NULL;
    enum bb_err rc = store_prepare(tx, "SELECT " RECT_COLS "WHERE x.id = ?", &s);
    if (rc)
        return rc;
    struct workday_cal *cal = NULL;
    bool row = false;
    rc = store_bind_int(s, 1, id);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    if (!rc && !authz_can(a, AUTHZ_READ_FRONT, store_col_text(s, 18)))
        rc = BB_FORBIDDEN;
    if (!rc)
        rc = calendar_load(tx, &cal);
    if (!rc && !(*out = rect_row_json(tx, s, cal, a, rect_today())))
        rc = BB_NOMEM;
    store_finalize(s);
    workday_cal_free(cal);
    json_t *events = NULL;
    if (!rc)
        rc = events_json(tx, id, &events);
    if (!rc)
        json_object_set_new(*out, "events", events);
    else {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

static bool known(const char *v, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(v, *list))
            return true;
    return false;
}

enum bb_err rect_list(struct store_tx *tx, const struct actor *a, const struct rect_query *q,
                      json_t **items, int64_t *next, const char **field)
{
    static const char *const statuses[] = {"open", "verified", "rectified", "visited",
                                           "appealed", "closed", NULL};
    static const char *const states[] = {"normal", "due_soon", "overdue", NULL};
    *next = 0;
    *items = NULL;
    if (q->status && !known(q->status, statuses)) {
        *field = "status";
        return BB_INVALID;
    }
    if (q->state && !known(q->state, states)) {
        *field = "state";
        return BB_INVALID;
    }
    char path[SITE_PATH_MAX];
    enum bb_err rc = scope_path(tx, a, q->site_id, path, field);
    struct store_stmt *s;
    if (!rc)
        rc = store_prepare(tx, "SELECT " RECT_COLS "WHERE substr(st.path, 1, length(?)) = ? "
                               "AND (? IS NULL OR x.status = ?) AND x.id > ? "
                               "ORDER BY x.id LIMIT 2000", &s);
    if (rc)
        return rc;
    struct workday_cal *cal = NULL;
    rc = store_bind_text(s, 1, path);
    if (!rc) rc = store_bind_text(s, 2, path);
    if (!rc) rc = store_bind_text(s, 3, q->status);
    if (!rc) rc = store_bind_text(s, 4, q->status);
    if (!rc) rc = store_bind_int(s, 5, q->after);
    if (!rc)
        rc = calendar_load(tx, &cal);
    int today = rect_today();
    *items = json_array();
    for (bool row = true; !rc && *items;) {
        rc = store_step(s, &row);
        if (rc || !row)
            break;
        if (q->state && strcmp(q->state, rect_state(cal, store_col_text(s, 6),
                                                    store_col_text(s, 8), today)))
            continue;
        if ((int)json_array_size(*items) == q->limit) {
            *next = json_integer_value(json_object_get(json_array_get(*items, q->limit - 1),
                                                       "id"));
            break;
        }
        json_t *o = rect_row_json(tx, s, cal, a, today);
        if (!o || json_array_append_new(*items, o))
            rc = BB_NOMEM;
    }
    store_finalize(s);
    workday_cal_free(cal);
    return rc ? rc : *items ? BB_OK : BB_NOMEM;
}

enum bb_err rect_alerts(struct store_tx *tx, const struct actor *a, json_t *items)
{
    const char *scope = a ? a->site_path : "/";
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT x.id, st.name, x.site_id, x.status, x.due, "
                                       "st.path FROM rectifications x JOIN sites st ON "
                                       "st.id = x.site_id WHERE substr(st.path, 1, length(?)) = ? "
                                       "AND x.status IN ('open', 'verified', 'rectified') "
                                       "ORDER BY x.due, x.id", &s);
    if (rc)
        return rc;
    struct workday_cal *cal = NULL;
    rc = store_bind_text(s, 1, scope);
    if (!rc) rc = store_bind_text(s, 2, scope);
    if (!rc)
        rc = calendar_load(tx, &cal);
    int today = rect_today();
    for (bool row = true; !rc;) {
        rc = store_step(s, &row);
        if (rc || !row)
            break;
        if (!authz_can(a, AUTHZ_RECTIFY, store_col_text(s, 5)))
            continue;
        const char *st = rect_state(cal, store_col_text(s, 3), store_col_text(s, 4), today);
        if (!strcmp(st, "normal"))
            continue;
        json_t *o = json_pack("{s:s,s:I,s:s,s:I,s:s}", "kind",
                              !strcmp(st, "overdue") ? "rectification_overdue"
                                                     : "rectification_due_soon",
                              "id", (json_int_t)store_col_int(s, 0), "site",
                              store_col_text(s, 1), "site_id", (json_int_t)store_col_int(s, 2),
                              "due", store_col_text(s, 4));
        if (!o || json_array_append_new(items, o))
            rc = BB_NOMEM;
    }
    store_finalize(s);
    workday_cal_free(cal);
    return rc;
}

enum bb_err rect_public_json(struct store_tx *tx, int64_t id, json_t **out)
{
    struct rect_row r;
    enum bb_err rc = rect_load(tx, id, &r);
    struct store_stmt *s;
    if (!rc)
        rc = store_prepare(tx, "SELECT status, due, rectification, visit_note "
                               "FROM rectifications WHERE id = ?", &s);
    if (rc)
        return rc;
    static const char *const names[] = {"status", "due", "rectification", "visit_note"};
    bool row = false;
    rc = store_bind_int(s, 1, id);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    if (!rc && !(*out = store_row_json(s, "ssss", names)))
        rc = BB_NOMEM;
    store_finalize(s);
    if (!rc)
        json_object_set_new(*out, "appealable", json_boolean(rect_appealable(&r)));
    return rc;
}
