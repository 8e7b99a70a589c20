/* visits.c - 上门服务: scheduling a home visit for a case, the day lists, done / cancel. */
#include <stdio.h>
#include <string.h>
#include "../audit/audit.h"
#include "../cases/case_int.h"
#include "../core/clock.h"
#include "../core/json.h"
#include "../sites/sites.h"
#include "complaints.h"
#include "visits.h"

static bool time_valid(const char *t)
{
    return strlen(t) == 5 && t[0] >= '0' && t[0] <= '2' && t[1] >= '0' && t[1] <= '9' &&
           t[2] == ':' && t[3] >= '0' && t[3] <= '5' && t[4] >= '0' && t[4] <= '9' &&
           (t[0] < '2' || t[1] <= '3');
}

static bool group_valid(const char *g)
{
    static const char *const groups[] = {"elderly_alone", "disabled", "seriously_ill", "other"};
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        if (!strcmp(g, groups[i]))
            return true;
    return false;
}

enum bb_err visit_check(const struct visit_in *in, int today, const char **field)
{
    int day;
    size_t n;
    const char *missing = !in->receipt ? "case" : !in->day ? "day" : !in->address ? "address"
                                                  : !in->group ? "group" : NULL;
    if (missing) {
        *field = missing;
        return BB_MISSING_FIELD;
    }
    if (workday_parse(in->day, &day) || day < today)
        *field = "day"; /* a visit is not scheduled in the past */
    else if (in->time && !time_valid(in->time))
        *field = "time";
    else if ((n = utf8_chars(in->address)) < 1 || n > 200)
        *field = "address";
    else if (!group_valid(in->group))
        *field = "group";
    else
        return BB_OK;
    return BB_INVALID;
}

/* The agent's site and its path, when the agent is active staff. */
static enum bb_err agent_site(struct store_tx *tx, int64_t user, int64_t *site,
                              char path[SITE_PATH_MAX])
{
    enum bb_err rc = desk_staff(tx, user, path);
    bool found = false;
    if (!rc)
        rc = store_query_int(tx, "SELECT site_id FROM users WHERE id = ?", 1, &user, &found,
                             site);
    return rc;
}

enum bb_err visit_create(struct store_tx *tx, const struct actor *a, const struct visit_in *in,
                         int64_t *id, const char **field)
{
    if (a && !authz_can(a, AUTHZ_HOME_VISIT, a->site_path))
        return BB_FORBIDDEN;
    enum bb_err rc = visit_check(in, desk_today(), field);
    if (rc)
        return rc;
    struct case_row c;
    rc = case_load(tx, in->receipt, &c);
    if (rc == BB_NOT_FOUND) {
        *field = "case";
        return BB_INVALID;
    }
    if (rc)
        return rc;
    if (!case_visible(a, &c))
        return BB_FORBIDDEN;
    if (!strcmp(c.status, "archived") || !strcmp(c.status, "refused") ||
        !strcmp(c.status, "withdrawn"))
        return BB_WRONG_STATE; /* nothing left to do at the resident's home */
    int64_t agent = in->agent ? in->agent : (a ? a->user_id : 0), site = 0;
    char path[SITE_PATH_MAX];
    rc = agent_site(tx, agent, &site, path);
    if (!rc && !authz_in_subtree(path, c.holder_path) && !authz_in_subtree(path, c.site_path))
        rc = BB_INVALID; /* the agent's site must reach the case */
    if (rc == BB_INVALID)
        *field = "agent";
    if (!rc && a && !authz_can(a, AUTHZ_HOME_VISIT, path))
        rc = BB_FORBIDDEN; /* only for oneself or staff of one's own subtree */
    if (rc)
        return rc;
    struct store_stmt *s;
    rc = store_prepare(tx, "INSERT INTO home_visits (case_id, site_id, agent_user_id, day, time, "
                           "address, grp, status, created_by, created_at, updated_at) VALUES "
                           "(?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?, ?) RETURNING id", &s);
    if (rc)
        return rc;
    int64_t now = clock_now();
    int i = 1;
    rc = store_bind_int(s, i++, c.id);
    if (!rc) rc = store_bind_int(s, i++, site);
    if (!rc) rc = store_bind_int(s, i++, agent);
    if (!rc) rc = store_bind_text(s, i++, in->day);
    if (!rc) rc = store_bind_text(s, i++, in->time);
    if (!rc) rc = store_bind_text(s, i++, in->address);
    if (!rc) rc = store_bind_text(s, i++, in->group);
    if (!rc) rc = store_bind_int(s, i++, a ? a->user_id : agent);
    if (!rc) rc = store_bind_int(s, i++, now);
    if (!rc) rc = store_bind_int(s, i++, now);
    bool row = false;
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_INTERNAL;
    if (!rc)
        *id = store_col_int(s, 0);
    store_finalize(s);
    char object[40], detail[64];
    snprintf(object, sizeof object, "home_visit:%lld", (long long)*id);
    snprintf(detail, sizeof detail, "{\"case\":\"%s\"}", c.receipt);
    return rc ? rc : audit_append(tx, a, "home_visit.create", object, "ok", detail);
}

#define V_COLS "v.id, k.receipt, i.code, iv.name, v.site_id, v.agent_user_id, u.name, v.day, " \
    "v.time, v.address, v.grp, v.status, v.outcome, v.created_at, st.path"
#define V_FROM " FROM home_visits v JOIN cases k ON k.id = v.case_id " \
    "JOIN items i ON i.id = k.item_id " \
    "JOIN item_versions iv ON iv.item_id = k.item_id AND iv.version = k.item_version " \
    "JOIN users u ON u.id = v.agent_user_id JOIN sites st ON st.id = v.site_id "

static json_t *row_json(struct store_stmt *s)
{
    return json_pack("{s:I,s:{s:s,s:s,s:s},s:I,s:{s:I,s:s},s:s,s:o,s:s,s:s,s:s,s:o,s:o}", "id",
                     (json_int_t)store_col_int(s, 0), "case", "receipt", store_col_text(s, 1),
                     "item", store_col_text(s, 2), "item_name", store_col_text(s, 3), "site_id",
                     (json_int_t)store_col_int(s, 4), "agent", "id",
                     (json_int_t)store_col_int(s, 5), "name", store_col_text(s, 6), "day",
                     store_col_text(s, 7), "time", desk_text(s, 8), "address",
                     store_col_text(s, 9), "group", store_col_text(s, 10), "status",
                     store_col_text(s, 11), "outcome", desk_text(s, 12), "created_at",
                     desk_time(s, 13));
}

/* The agent reads their own visits; others need the visit's site in their subtree. */
static bool readable(const struct actor *a, int64_t agent, const char *path)
{
    return !a || a->user_id == agent || authz_can(a, AUTHZ_READ_FRONT, path);
}

enum bb_err visit_get(struct store_tx *tx, const struct actor *a, int64_t id, json_t **out)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT " V_COLS V_FROM "WHERE v.id = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_int(s, 1, id);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    if (!rc && !readable(a, store_col_int(s, 5), store_col_text(s, 14)))
        rc = BB_FORBIDDEN;
    if (!rc && !(*out = row_json(s)))
        rc = BB_NOMEM;
    store_finalize(s);
    return rc;
}

enum bb_err visit_list(struct store_tx *tx, const struct actor *a, const struct visit_query *q,
                       json_t **items, int64_t *next)
{
    const char *scope = a ? a->site_path : "/";
    int64_t me = a ? a->user_id : 0;
    if (!*scope || (a && !authz_can(a, AUTHZ_READ_FRONT, scope)))
        return BB_FORBIDDEN;
    enum bb_err rc = q->site_id ? site_check(tx, a, AUTHZ_READ_FRONT, q->site_id) : BB_OK;
    if (rc)
        return rc;
    struct store_stmt *s;
    rc = store_prepare(tx, "SELECT " V_COLS V_FROM
                           "WHERE (v.agent_user_id = ? OR (? = 0 AND "
                           "substr(st.path, 1, length(?)) = ?)) "
                           "AND (? = 0 OR v.site_id = ?) AND (? IS NULL OR v.day = ?) "
                           "AND (? IS NULL OR v.status = ?) "
                           "ORDER BY v.day, CASE WHEN v.time IS NULL THEN 1 ELSE 0 END, v.time, "
                           "v.id LIMIT ? OFFSET ?", &s);
    if (rc)
        return rc;
    int i = 1;
    rc = store_bind_int(s, i++, me);
    if (!rc) rc = store_bind_int(s, i++, q->mine);
    if (!rc) rc = store_bind_text(s, i++, scope);
    if (!rc) rc = store_bind_text(s, i++, scope);
    if (!rc) rc = store_bind_int(s, i++, q->site_id);
    if (!rc) rc = store_bind_int(s, i++, q->site_id);
    if (!rc) rc = store_bind_text(s, i++, q->date);
    if (!rc) rc = store_bind_text(s, i++, q->date);
    if (!rc) rc = store_bind_text(s, i++, q->status);
    if (!rc) rc = store_bind_text(s, i++, q->status);
    if (!rc) rc = store_bind_int(s, i++, q->limit + 1);
    if (!rc) rc = store_bind_int(s, i++, q->offset);
    *next = 0;
    *items = json_array();
    for (int n = 0; !rc; n++) {
        bool row;
        rc = store_step(s, &row);
        if (rc || !row)
            break;
        if (n == q->limit) {
            *next = q->offset + q->limit;
            break;
        }
        if (json_array_append_new(*items, row_json(s)))
            rc = BB_NOMEM;
    }
    store_finalize(s);
    if (rc) {
        json_decref(*items);
        *items = NULL;
    }
    return rc;
}

enum bb_err visit_act(struct store_tx *tx, const struct actor *a, int64_t id, const char *action,
                      const char *text, const char **field)
{
    bool done = !strcmp(action, "done");
    if (!done && strcmp(action, "cancel"))
        return BB_NO_ROUTE;
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT v.agent_user_id, st.path FROM home_visits v "
                                       "JOIN sites st ON st.id = v.site_id WHERE v.id = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_int(s, 1, id);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    if (!rc && a && a->user_id != store_col_int(s, 0) &&
        !authz_can(a, AUTHZ_HOME_VISIT, store_col_text(s, 1)))
        rc = BB_FORBIDDEN;
    store_finalize(s);
    if (rc)
        return rc;
    size_t n = utf8_chars(text);
    if (n < 1 || n > 1000) {
        *field = done ? "outcome" : "reason";
        return BB_INVALID;
    }
    bool found = false;
    rc = store_prepare(tx, "UPDATE home_visits SET status = ?, outcome = ?, updated_at = ? "
                           "WHERE id = ? AND status = 'scheduled' RETURNING id", &s);
    if (rc)
        return rc;
    rc = store_bind_text(s, 1, done ? "done" : "cancelled");
    if (!rc) rc = store_bind_text(s, 2, text);
    if (!rc) rc = store_bind_int(s, 3, clock_now());
    if (!rc) rc = store_bind_int(s, 4, id);
    if (!rc) rc = store_step(s, &found);
    store_finalize(s);
    if (!rc && !found)
        rc = BB_WRONG_STATE;
    char what[40], object[40];
    snprintf(what, sizeof what, "home_visit.%s", action);
    snprintf(object, sizeof object, "home_visit:%lld", (long long)id);
    return rc ? rc : audit_append(tx, a, what, object, "ok", NULL);
}
