/* case_common.c - loading a case, visibility, the timeline, the deadline view. */
#include <stdio.h>
#include <string.h>
#include "../audit/audit.h"
#include "../core/clock.h"
#include "case_int.h"

static struct case_policy policy = {2, 1, 1, 5};

void case_set_policy(const struct case_policy *p) { policy = *p; }
const struct case_policy *case_get_policy(void) { return &policy; }

int case_today(void) { return (int)((clock_now() + 8 * 3600) / 86400); }

static void text(struct store_stmt *s, int col, char *out, size_t n)
{
    snprintf(out, n, "%s", store_col_null(s, col) ? "" : store_col_text(s, col));
}

enum bb_err case_load(struct store_tx *tx, const char *receipt, struct case_row *c)
{
    memset(c, 0, sizeof *c);
    struct store_stmt *s;
    enum bb_err rc = store_prepare(
        tx, "SELECT c.id, c.item_id, c.item_version, c.site_id, c.first_user_id, "
            "c.holder_site_id, COALESCE(c.holder_user_id, 0), c.version, c.extension_days, "
            "v.promised_days, v.department_id, c.materials_returned, c.visited, c.receipt, "
            "c.status, v.case_type, i.code, c.received_on, c.notice_given_on, c.notice_due, "
            "c.accepted_on, c.deadline, c.paused_since, hs.path, ss.path, hs.level, "
            "v.joint_departments, d.code "
            "FROM cases c JOIN items i ON i.id = c.item_id "
            "JOIN item_versions v ON v.item_id = c.item_id AND v.version = c.item_version "
            "JOIN departments d ON d.id = v.department_id "
            "JOIN sites hs ON hs.id = c.holder_site_id JOIN sites ss ON ss.id = c.site_id "
            "WHERE c.receipt = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_text(s, 1, receipt);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    if (!rc) {
        int64_t *ints[] = {&c->id, &c->item_id, &c->item_version, &c->site_id,
                           &c->first_user_id, &c->holder_site_id, &c->holder_user_id,
                           &c->version, &c->extension_days, &c->promised_days,
                           &c->department_id};
        for (int i = 0; i < 11; i++)
            *ints[i] = store_col_int(s, i);
        c->materials_returned = store_col_int(s, 11) != 0;
        c->visited = store_col_int(s, 12) != 0;
        text(s, 13, c->receipt, sizeof c->receipt);
        text(s, 14, c->status, sizeof c->status);
        text(s, 15, c->case_type, sizeof c->case_type);
        text(s, 16, c->item_code, sizeof c->item_code);
        text(s, 17, c->received_on, sizeof c->received_on);
        text(s, 18, c->notice_given_on, sizeof c->notice_given_on);
        text(s, 19, c->notice_due, sizeof c->notice_due);
        text(s, 20, c->accepted_on, sizeof c->accepted_on);
        text(s, 21, c->deadline, sizeof c->deadline);
        text(s, 22, c->paused_since, sizeof c->paused_since);
        text(s, 23, c->holder_path, sizeof c->holder_path);
        text(s, 24, c->site_path, sizeof c->site_path);
        text(s, 25, c->holder_level, sizeof c->holder_level);
        text(s, 26, c->joint, sizeof c->joint);
        text(s, 27, c->dept_code, sizeof c->dept_code);
    }
    store_finalize(s);
    return rc;
}

bool case_visible(const struct actor *a, const struct case_row *c)
{
    return !a || authz_in_subtree(a->site_path, c->holder_path) ||
           authz_in_subtree(a->site_path, c->site_path);
}

enum bb_err case_event(struct store_tx *tx, const struct actor *a, const struct case_row *c,
                       const char *action, const char *status, const char *note)
{
    enum bb_err rc = store_run(tx, "INSERT INTO case_events (case_id, at, action, status, "
                                   "user_id, site_id, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               "iittiit", c->id, clock_now(), action, status,
                               a ? a->user_id : (int64_t)0, a ? a->site_id : (int64_t)0, note);
    char what[40], object[48];
    snprintf(what, sizeof what, "case.%s", action);
    snprintf(object, sizeof object, "case:%s", c->receipt);
    return rc ? rc : audit_append(tx, a, what, object, "ok", NULL);
}

void case_clock(const struct workday_cal *cal, const struct case_row *c, int today,
                int *days_left, const char **state, bool *provisional)
{
    *days_left = INT32_MIN;
    *state = "normal";
    *provisional = false;
    const char *due = NULL;
    if (!strcmp(c->status, "accepted") || !strcmp(c->status, "in_review"))
        due = c->deadline;
    else if ((!strcmp(c->status, "intake") || !strcmp(c->status, "submitted")) &&
             !c->notice_given_on[0])
        due = c->notice_due; /* before acceptance only the notice rule runs */
    int d;
    if (!due || !due[0] || workday_parse(due, &d))
        return;
    int left;
    if (workday_between(cal, today, d, &left, provisional))
        return;
    if (c->paused_since[0]) {
        *state = "normal"; /* waiting for the resident: the clock stands still */
        *days_left = left;
        return;
    }
    *days_left = left;
    *state = left < 0 ? "overdue" : left <= policy.due_soon_days ? "due_soon" : "normal";
}
