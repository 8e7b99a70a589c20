/* rectify.c - 整改 of a bad rating: opening it (who, due when), its clock, and the staff actions
 * verify -> rectify -> visit -> close, with review (复核) of the resident's appeal one level up. */
#include <stdio.h>
#include <string.h>
#include "../audit/audit.h"
#include "../calendar/calendar.h"
#include "../cases/cases.h"
#include "../core/clock.h"
#include "front.h"
#include "rect_int.h"

int rect_today(void) { return (int)((clock_now() + 8 * 3600) / 86400); }

int64_t rect_day_start(int day) { return (int64_t)day * 86400 - 8 * 3600; }

enum bb_err rect_due(const struct workday_cal *cal, int from, int days, int *due)
{
    return workday_add(cal, from, days, due, NULL);
}

const char *rect_state(const struct workday_cal *cal, const char *status, const char *due,
                       int today)
{
    int d, left;
    if (strcmp(status, "open") && strcmp(status, "verified") && strcmp(status, "rectified"))
        return "normal"; /* the return visit was made: the clock has stopped */
    if (workday_parse(due, &d))
        return "normal";
    if (today > d)
        return "overdue";
    if (workday_between(cal, today, d, &left, NULL))
        return "normal";
    return left <= case_get_policy()->due_soon_days ? "due_soon" : "normal";
}

enum bb_err rect_assignee(struct store_tx *tx, int64_t site_id, int64_t *user_id)
{
    bool found;
    enum bb_err rc = store_query_int(
        tx, "SELECT id FROM users WHERE site_id = ? AND active = 1 "
            "AND role IN ('admin', 'coordinator', 'clerk', 'agent') "
            "ORDER BY CASE role WHEN 'clerk' THEN 1 WHEN 'agent' THEN 2 ELSE 0 END, id LIMIT 1",
        1, &site_id, &found, user_id);
    if (!rc && !found)
        *user_id = 0;
    return rc;
}

static enum bb_err due_from_today(struct store_tx *tx, char due[WORKDAY_DATE_LEN])
{
    struct workday_cal *cal;
    enum bb_err rc = calendar_load(tx, &cal);
    if (rc)
        return rc;
    int d;
    rc = rect_due(cal, rect_today(), front_get_policy()->rectify_days, &d);
    workday_cal_free(cal);
    return rc ? rc : workday_format(d, due);
}

enum bb_err rect_open(struct store_tx *tx, int64_t rating_id, int64_t site_id, int64_t *id,
                      char due[WORKDAY_DATE_LEN])
{
    int64_t assignee;
    char today[WORKDAY_DATE_LEN];
    enum bb_err rc = rect_assignee(tx, site_id, &assignee);
    if (!rc)
        rc = due_from_today(tx, due);
    if (!rc)
        rc = workday_format(rect_today(), today);
    struct store_stmt *s;
    if (!rc)
        rc = store_prepare(tx, "INSERT INTO rectifications (rating_id, site_id, assignee_user_id, "
                               "status, opened_on, due, created_at, updated_at) "
                               "VALUES (?, ?, ?, 'open', ?, ?, ?, ?) RETURNING id", &s);
    if (rc)
        return rc;
    int64_t now = clock_now();
    bool row = false;
    rc = store_bind_int(s, 1, rating_id);
    if (!rc) rc = store_bind_int(s, 2, site_id);
    if (!rc) rc = assignee ? store_bind_int(s, 3, assignee) : store_bind_null(s, 3);
    if (!rc) rc = store_bind_text(s, 4, today);
    if (!rc) rc = store_bind_text(s, 5, due);
    if (!rc) rc = store_bind_int(s, 6, now);
    if (!rc) rc = store_bind_int(s, 7, now);
    if (!rc) rc = store_step(s, &row);
    if (!rc && row)
        *id = store_col_int(s, 0);
    store_finalize(s);
    if (!rc && !row)
        rc = BB_INTERNAL;
    return rc ? rc : rect_event(tx, NULL, *id, "open", "open", NULL);
}

enum bb_err rect_load(struct store_tx *tx, int64_t id, struct rect_row *r)
{
    memset(r, 0, sizeof *r);
    struct store_stmt *s;
    enum bb_err rc = store_prepare(
        tx, "SELECT x.id, x.rating_id, x.site_id, COALESCE(x.assignee_user_id, 0), x.version, "
            "x.visit_satisfied IS NOT NULL, x.appeal IS NOT NULL, x.status, x.due, st.path "
            "FROM rectifications x JOIN sites st ON st.id = x.site_id WHERE x.id = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_int(s, 1, id);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    if (!rc) {
        r->id = store_col_int(s, 0);
        r->rating_id = store_col_int(s, 1);
        r->site_id = store_col_int(s, 2);
        r->assignee = store_col_int(s, 3);
        r->version = store_col_int(s, 4);
        r->visited = store_col_int(s, 5) != 0;
        r->appealed = store_col_int(s, 6) != 0;
        snprintf(r->status, sizeof r->status, "%s", store_col_text(s, 7));
        snprintf(r->due, sizeof r->due, "%s", store_col_text(s, 8));
        snprintf(r->site_path, sizeof r->site_path, "%s", store_col_text(s, 9));
    }
    store_finalize(s);
    return rc;
}

enum bb_err rect_event(struct store_tx *tx, const struct actor *a, int64_t id,
                       const char *action, const char *status, const char *note)
{
    enum bb_err rc = store_run(tx, "INSERT INTO rectification_events (rectification_id, at, "
                                   "action, status, user_id, note) VALUES (?, ?, ?, ?, ?, ?)",
                               "iittit", id, clock_now(), action, status,
                               a ? a->user_id : (int64_t)0, note);
    char what[48], object[48];
    snprintf(what, sizeof what, "rectification.%s", action);
    snprintf(object, sizeof object, "rectification:%lld", (long long)id);
    return rc ? rc : audit_append(tx, a, what, object, "ok", NULL);
}

bool rect_appealable(const struct rect_row *r)
{
    return !r->appealed && r->visited &&
           (!strcmp(r->status, "visited") || !strcmp(r->status, "closed"));
}

/* --- actions --- */

struct rect_step {
    const char *name, *from;
    bool review;  /* 复核: a higher level's admin or coordinator */
};

static const struct rect_step steps[] = {
    {"verify", "open", false},
    {"rectify", "verified", false},
    {"visit", "rectified", false},
    {"close", "visited", false},
    {"review", "appealed", true},
};

bool rect_action_known(const char *name)
{
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (!strcmp(steps[i].name, name))
            return true;
    return false;
}

static bool may(const struct actor *a, const struct rect_step *st, const struct rect_row *r)
{
    if (!st->review)
        return authz_can(a, AUTHZ_RECTIFY, r->site_path);
    /* 复核 is the next level's: never the rated site's own staff */
    return authz_can(a, AUTHZ_REVIEW, r->site_path) && (!a || a->site_id != r->site_id);
}

static enum bb_err need_note(const struct rect_action *in, const char **field)
{
    *field = "note";
    if (!in->note)
        return BB_MISSING_FIELD;
    return in->note[0] ? BB_OK : BB_INVALID;
}

static bool one_of(const char *v, const char *x, const char *y)
{
    return v && (!strcmp(v, x) || !strcmp(v, y));
}

/* Checks the body and applies the change with a conditional UPDATE (the version and status it
 * was read at), so a concurrent change on another node cannot be overwritten. *status gets the
 * new status. */
static enum bb_err apply(struct store_tx *tx, const struct actor *a, const struct rect_row *r,
                         const struct rect_action *in, const char **status, const char **field)
{
    const char *n = in->name;
    enum bb_err rc = BB_OK;
    int64_t now = clock_now();
    char due[WORKDAY_DATE_LEN];
    const char *sql = NULL;
    *status = NULL;
    if (strcmp(n, "close"))
        rc = need_note(in, field);
    if (rc)
        return rc;
    *field = NULL;
    if (!strcmp(n, "verify")) {
        *field = "verdict";
        if (!in->verdict)
            return BB_MISSING_FIELD;
        if (!one_of(in->verdict, "founded", "unfounded"))
            return BB_INVALID;
        *status = "verified";
        sql = "UPDATE rectifications SET status = ?, verification = ?, verdict = ?, ";
    } else if (!strcmp(n, "rectify")) {
        *status = "rectified";
        sql = "UPDATE rectifications SET status = ?, rectification = ?, ";
    } else if (!strcmp(n, "visit")) {
        *field = "satisfied";
        if (!in->has_satisfied)
            return BB_MISSING_FIELD;
        *status = in->satisfied ? "closed" : "visited";
        sql = in->satisfied ? "UPDATE rectifications SET status = ?, visit_note = ?, "
                              "visit_satisfied = 1, closed_at = ?, "
                            : "UPDATE rectifications SET status = ?, visit_note = ?, "
                              "visit_satisfied = 0, ";
    } else if (!strcmp(n, "close")) {
        *status = "closed";
        sql = "UPDATE rectifications SET status = ?, closed_at = ?, ";
    } else { /* review */
        *field = "outcome";
        if (!in->outcome)
            return BB_MISSING_FIELD;
        if (!one_of(in->outcome, "upheld", "redo"))
            return BB_INVALID;
        bool redo = !strcmp(in->outcome, "redo");
        *status = redo ? "open" : "closed";
        if (redo && (rc = due_from_today(tx, due)))
            return rc;
        sql = redo ? "UPDATE rectifications SET status = ?, review = ?, review_outcome = ?, "
                     "reviewer_user_id = ?, due = ?, closed_at = NULL, "
                   : "UPDATE rectifications SET status = ?, review = ?, review_outcome = ?, "
                     "reviewer_user_id = ?, closed_at = ?, ";
    }
    *field = NULL;
    char full[512];
    snprintf(full, sizeof full, "%sversion = version + 1, updated_at = ? "
                                "WHERE id = ? AND version = ? AND status = ? RETURNING id", sql);
    struct store_stmt *s;
    rc = store_prepare(tx, full, &s);
    if (rc)
        return rc;
    int i = 1;
    rc = store_bind_text(s, i++, *status);
    if (!rc && strcmp(n, "close"))
        rc = store_bind_text(s, i++, in->note);
    if (!rc && !strcmp(n, "verify"))
        rc = store_bind_text(s, i++, in->verdict);
    if (!rc && !strcmp(n, "review")) {
        rc = store_bind_text(s, i++, in->outcome);
        if (!rc)
            rc = store_bind_int(s, i++, a ? a->user_id : 0);
        if (!rc && !strcmp(*status, "open"))
            rc = store_bind_text(s, i++, due);
    }
    if (!rc && !strcmp(*status, "closed"))
        rc = store_bind_int(s, i++, now);
    if (!rc) rc = store_bind_int(s, i++, now);
    if (!rc) rc = store_bind_int(s, i++, r->id);
    if (!rc) rc = store_bind_int(s, i++, r->version);
    if (!rc) rc = store_bind_text(s, i++, r->status);
    bool row = false;
    if (!rc)
        rc = store_step(s, &row);
    store_finalize(s);
    if (!rc && !row)
        rc = BB_VERSION_MISMATCH; /* changed since it was read */
    return rc;
}

enum bb_err rect_act(struct store_tx *tx, const struct actor *a, int64_t id,
                     const struct rect_action *in, const char **field)
{
    *field = NULL;
    const struct rect_step *st = NULL;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (!strcmp(steps[i].name, in->name))
            st = &steps[i];
    if (!st)
        return BB_NO_ROUTE;
    struct rect_row r;
    enum bb_err rc = rect_load(tx, id, &r);
    if (rc)
        return rc;
    if (!authz_can(a, AUTHZ_READ_FRONT, r.site_path))
        return BB_FORBIDDEN;
    if (in->if_match && in->if_match != r.version)
        return BB_VERSION_MISMATCH;
    if (strcmp(r.status, st->from))
        return BB_WRONG_STATE;
    if (!may(a, st, &r))
        return BB_FORBIDDEN;
    const char *status;
    rc = apply(tx, a, &r, in, &status, field);
    if (!rc)
        rc = rect_event(tx, a, id, in->name, status, in->note);
    return rc;
}
