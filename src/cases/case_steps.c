/* case_steps.c - each case action's own rules: who holds the case, what was handed over and
 * received, where it can be accepted, which departments decide. case_actions.c has already checked
 * state, role and version; after the step it bumps the version and writes the event. */
#include <stdio.h>
#include <string.h>
#include "../calendar/calendar.h"
#include "../core/clock.h"
#include "../sites/sites.h"
#include "case_int.h"

/* --- shared rules --- */

static enum bb_err at_holder(struct case_step *x)
{
    return x->a->site_id == x->c.holder_site_id ? BB_OK : BB_FORBIDDEN;
}

static enum bb_err pending_handoff(struct case_step *x, bool *pending)
{
    return store_query_int(x->tx, "SELECT id FROM handoffs WHERE case_id = ? AND received_at "
                                  "IS NULL", 1, &x->c.id, pending, NULL);
}

static enum bb_err no_pending(struct case_step *x)
{
    enum bb_err rc = pending_handoff(x, &x->pending);
    return rc ? rc : x->pending ? BB_WRONG_STATE : BB_OK; /* receive it first */
}

static enum bb_err date_add(struct case_step *x, int from, int64_t n, char out[WORKDAY_DATE_LEN])
{
    int d;
    bool provisional;
    enum bb_err rc = workday_add(x->cal, from, (int)n, &d, &provisional);
    return rc ? rc : workday_format(d, out);
}

/* Working days a handoff to site may wait for its receipt: each level has its own limit. */
static int leg_limit(struct case_step *x, int64_t site)
{
    bool district = false;
    (void)store_query_int(x->tx, "SELECT id FROM sites WHERE id = ? AND level = 'district'", 1,
                          &site, &district, NULL);
    return district ? case_get_policy()->leg_days_district : case_get_policy()->leg_days;
}

static enum bb_err need_text(struct case_step *x, const char *v, const char *name)
{
    if (v && *v)
        return BB_OK;
    *x->field = name;
    return BB_MISSING_FIELD;
}

/* "[3,4]" of the material ids, or of the given ones after checking each is the case's and
 * satisfies the SQL condition cond (on case_materials cm). */
static enum bb_err material_list(struct case_step *x, const char *cond, char *out, size_t n,
                                 int *count)
{
    char sql[400];
    snprintf(sql, sizeof sql, "SELECT material_id FROM case_materials cm WHERE case_id = ? AND "
                              "(%s) ORDER BY id", cond);
    struct store_stmt *s;
    enum bb_err rc = store_prepare(x->tx, sql, &s);
    if (rc)
        return rc;
    rc = store_bind_int(s, 1, x->c.id);
    int64_t ok[CASE_MAX_MATERIALS];
    int nok = 0;
    for (bool row = true; !rc && row && nok < CASE_MAX_MATERIALS;) {
        rc = store_step(s, &row);
        if (!rc && row)
            ok[nok++] = store_col_int(s, 0);
    }
    store_finalize(s);
    if (rc)
        return rc;
    const int64_t *ids = x->in->has_materials ? x->in->materials : ok;
    int nids = x->in->has_materials ? x->in->nmaterials : nok;
    size_t used = (size_t)snprintf(out, n, "[");
    for (int i = 0; i < nids; i++) {
        bool found = false;
        for (int k = 0; k < nok; k++)
            found |= ok[k] == ids[i];
        if (!found) {
            *x->field = "materials";
            return BB_INVALID;
        }
        used += (size_t)snprintf(out + used, n - used, "%s%lld", i ? "," : "", (long long)ids[i]);
        if (used >= n)
            return BB_INVALID;
    }
    snprintf(out + used, n - used, "]");
    *count = nids;
    return BB_OK;
}

static enum bb_err set_materials(struct case_step *x, const char *list, const char *set)
{
    char sql[300];
    snprintf(sql, sizeof sql, "UPDATE case_materials SET %s WHERE case_id = ? AND material_id IN "
                              "(%s)", set, store_sql_int_list(x->tx));
    return store_run(x->tx, sql, "it", x->c.id, list);
}

/* --- the actions --- */

enum bb_err case_step_submit(struct case_step *x)
{
    enum bb_err rc = at_holder(x);
    if (!rc)
        rc = no_pending(x);
    if (rc)
        return rc;
    if (x->a->role == ROLE_AGENT || x->a->role == ROLE_WEB_AGENT) {
        bool ok; /* an agent hands on only what the resident entrusted */
        char today[WORKDAY_DATE_LEN];
        workday_format(x->today, today);
        struct store_stmt *s;
        rc = store_prepare(x->tx, "SELECT case_id FROM entrustments WHERE case_id = ? AND "
                                  "revoked_at IS NULL AND valid_until >= ?", &s);
        if (!rc) {
            rc = store_bind_int(s, 1, x->c.id);
            if (!rc)
                rc = store_bind_text(s, 2, today);
            if (!rc)
                rc = store_step(s, &ok);
            store_finalize(s);
        }
        if (!rc && !ok) {
            *x->field = "entrustment";
            return BB_FORBIDDEN;
        }
    }
    int64_t to = x->in->to_site, parent = 0;
    bool found;
    rc = store_query_int(x->tx, "SELECT COALESCE(parent_id, 0) FROM sites WHERE id = ?", 1,
                         &x->c.holder_site_id, &found, &parent);
    if (rc)
        return rc;
    if (!to)
        to = parent;
    char path[SITE_PATH_MAX];
    if (!to || site_path(x->tx, to, path) || !authz_in_subtree(path, x->c.holder_path) ||
        to == x->c.holder_site_id) {
        *x->field = "to_site"; /* up the relay: an ancestor of where it is now */
        return BB_INVALID;
    }
    char list[600], due[WORKDAY_DATE_LEN];
    int n;
    rc = material_list(x, "cm.received = 1 AND cm.custody_site_id IS NOT NULL", list, sizeof list,
                       &n);
    if (!rc)
        rc = date_add(x, x->today, leg_limit(x, to), due);
    if (!rc)
        rc = store_run(x->tx, "INSERT INTO handoffs (case_id, from_site_id, from_user_id, "
                              "to_site_id, sent_at, due, materials) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       "iiiiitt", x->c.id, x->c.holder_site_id, x->a->user_id, to, clock_now(),
                       due, list);
    if (!rc)
        rc = set_materials(x, list, "custody_site_id = NULL"); /* in transit */
    if (!rc)
        rc = store_run(x->tx, "UPDATE cases SET holder_site_id = ?, holder_user_id = NULL "
                              "WHERE id = ?", "ii", to, x->c.id);
    x->status = "submitted";
    snprintf(x->note, sizeof x->note, "to site %lld, materials %s", (long long)to, list);
    return rc;
}

enum bb_err case_step_receive(struct case_step *x)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(x->tx, "SELECT id, materials FROM handoffs WHERE case_id = ? "
                                          "AND received_at IS NULL AND to_site_id = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    int64_t hid = 0;
    char listed[600] = "";
    rc = store_bind_int(s, 1, x->c.id);
    if (!rc)
        rc = store_bind_int(s, 2, x->a->site_id);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && row) {
        hid = store_col_int(s, 0);
        snprintf(listed, sizeof listed, "%s", store_col_text(s, 1));
    }
    store_finalize(s);
    if (rc)
        return rc;
    if (!row)
        return BB_WRONG_STATE; /* nothing on its way to this site */
    char cond[700], got[600];
    /* listed is "[3,4]" as this file wrote it: digits and commas, safe inside quotes */
    const char *ints = store_sql_int_list(x->tx), *q = strchr(ints, '?');
    snprintf(cond, sizeof cond, "cm.material_id IN (%.*s'%s'%s)", (int)(q - ints), ints, listed,
             q + 1);
    int n;
    rc = material_list(x, cond, got, sizeof got, &n);
    char missing[1400] = "";
    if (!rc && strcmp(got, listed) != 0) /* what was listed but did not arrive */
        snprintf(missing, sizeof missing, "listed %s, arrived %s%s%s", listed, got,
                 x->in->discrepancy ? ": " : "", x->in->discrepancy ? x->in->discrepancy : "");
    else if (!rc && x->in->discrepancy)
        snprintf(missing, sizeof missing, "%s", x->in->discrepancy);
    if (!rc)
        rc = store_run(x->tx, "UPDATE handoffs SET received_at = ?, received_by = ?, "
                              "received_materials = ?, discrepancy = ? WHERE id = ?", "iitti",
                       clock_now(), x->a->user_id, got, missing[0] ? missing : NULL, hid);
    char set[64];
    snprintf(set, sizeof set, "custody_site_id = %lld", (long long)x->a->site_id);
    if (!rc)
        rc = set_materials(x, got, set);
    if (!rc && strcmp(got, listed) != 0) { /* what did not arrive is missing again */
        char sql[400];
        snprintf(sql, sizeof sql, "UPDATE case_materials SET received = 0, custody_site_id = NULL "
                                  "WHERE case_id = ? AND material_id IN (%s) "
                                  "AND material_id NOT IN (%s)", store_sql_int_list(x->tx),
                 store_sql_int_list(x->tx));
        rc = store_run(x->tx, sql, "itt", x->c.id, listed, got);
    }
    if (!rc)
        rc = store_run(x->tx, "UPDATE cases SET holder_user_id = ? WHERE id = ?", "ii",
                       x->a->user_id, x->c.id);
    snprintf(x->note, sizeof x->note, "%s", missing[0] ? missing : got);
    return rc;
}

/* Only a site that accepts the item (受理) may accept or refuse it: a district centre, or a site
 * listing it as accept. Others collect or consult and submit it on. */
static enum bb_err accepting_holder(struct case_step *x)
{
    enum bb_err rc = at_holder(x);
    if (!rc)
        rc = no_pending(x);
    if (rc)
        return rc;
    bool accepts = strcmp(x->c.holder_level, "district") == 0;
    int64_t args[] = {x->c.holder_site_id, x->c.item_id};
    if (!accepts)
        rc = store_query_int(x->tx, "SELECT id FROM site_items WHERE site_id = ? AND item_id = ? "
                                    "AND mode = 'accept'", 2, args, &accepts, NULL);
    return rc ? rc : accepts ? BB_OK : BB_FORBIDDEN;
}

enum bb_err case_step_accept(struct case_step *x)
{
    enum bb_err rc = accepting_holder(x);
    if (rc)
        return rc;
    int64_t missing = 0;
    bool found;
    rc = store_query_int(x->tx, "SELECT COUNT(*) FROM case_materials WHERE case_id = ? AND "
                                "required = 1 AND received = 0", 1, &x->c.id, &found, &missing);
    if (!rc && missing) {
        *x->field = "materials";
        return BB_MATERIALS_MISSING;
    }
    char today[WORKDAY_DATE_LEN], deadline[WORKDAY_DATE_LEN];
    workday_format(x->today, today);
    if (!rc) /* the promised clock starts now */
        rc = date_add(x, x->today, x->c.promised_days, deadline);
    if (!rc)
        rc = store_run(x->tx, "UPDATE cases SET accepted_on = ?, deadline = ?, holder_user_id = ? "
                              "WHERE id = ?", "ttii", today, deadline, x->a->user_id, x->c.id);
    x->status = "accepted";
    return rc;
}

enum bb_err case_step_request_supplement(struct case_step *x)
{
    enum bb_err rc = at_holder(x);
    if (rc)
        return rc;
    if (!x->in->has_materials || x->in->nmaterials == 0) {
        *x->field = "materials";
        return BB_MISSING_FIELD;
    }
    char list[600], today[WORKDAY_DATE_LEN];
    int n;
    rc = material_list(x, "1 = 1", list, sizeof list, &n);
    workday_format(x->today, today);
    if (!rc)
        rc = set_materials(x, list, "received = 0, custody_site_id = NULL");
    bool running = !strcmp(x->c.status, "accepted") || !strcmp(x->c.status, "in_review");
    if (!rc) /* after acceptance the promised clock stops until the resident supplies them */
        rc = store_run(x->tx, "UPDATE cases SET notice_given_on = ?, paused_since = "
                              "CASE WHEN ? AND paused_since IS NULL THEN ? ELSE paused_since END "
                              "WHERE id = ?", "titi", today, (int64_t)running, today, x->c.id);
    snprintf(x->note, sizeof x->note, "missing %s%s%s", list, x->in->note ? ": " : "",
             x->in->note ? x->in->note : "");
    return rc;
}

enum bb_err case_step_supplement(struct case_step *x)
{
    enum bb_err rc = at_holder(x);
    if (rc)
        return rc;
    if (!x->c.notice_given_on[0])
        return BB_WRONG_STATE; /* nothing was asked for */
    if (!x->in->has_materials || x->in->nmaterials == 0) {
        *x->field = "materials";
        return BB_MISSING_FIELD;
    }
    char list[600], set[64];
    int n;
    rc = material_list(x, "cm.received = 0", list, sizeof list, &n);
    snprintf(set, sizeof set, "received = 1, custody_site_id = %lld", (long long)x->a->site_id);
    if (!rc)
        rc = set_materials(x, list, set);
    int64_t missing = 0;
    bool found;
    if (!rc)
        rc = store_query_int(x->tx, "SELECT COUNT(*) FROM case_materials WHERE case_id = ? AND "
                                    "required = 1 AND received = 0", 1, &x->c.id, &found, &missing);
    int since, deadline, paused;
    if (!rc && !missing && x->c.paused_since[0] && !workday_parse(x->c.paused_since, &since) &&
        !workday_parse(x->c.deadline, &deadline)) {
        bool provisional; /* resume: the deadline moves by the working days spent waiting */
        rc = workday_between(x->cal, since, x->today, &paused, &provisional);
        char moved[WORKDAY_DATE_LEN];
        if (!rc)
            rc = date_add(x, deadline, paused > 0 ? paused : 0, moved);
        if (!rc)
            rc = store_run(x->tx, "UPDATE cases SET deadline = ?, paused_since = NULL WHERE id = ?",
                           "ti", moved, x->c.id);
    }
    snprintf(x->note, sizeof x->note, "received %s", list);
    return rc;
}

enum bb_err case_step_forward(struct case_step *x)
{
    enum bb_err rc = at_holder(x);
    if (!rc)
        rc = no_pending(x);
    if (!rc) /* to the back office of the item's department */
        rc = store_run(x->tx, "UPDATE cases SET holder_user_id = NULL WHERE id = ?", "i", x->c.id);
    x->status = "in_review";
    snprintf(x->note, sizeof x->note, "to department %s", x->c.dept_code);
    return rc;
}

/* The departments that must decide: the joint list, or the item's own. */
bool case_deciding_dept(const struct case_row *c, const char *dept)
{
    if (!c->joint[0])
        return strcmp(c->dept_code, dept) == 0;
    size_t n = strlen(dept);
    for (const char *p = c->joint; p && *p;) {
        if (strncmp(p, dept, n) == 0 && (p[n] == ';' || p[n] == '\0'))
            return true;
        p = strchr(p, ';');
        p = p ? p + 1 : NULL;
    }
    return false;
}

enum bb_err case_step_decide(struct case_step *x)
{
    bool immediate = strcmp(x->c.case_type, "immediate") == 0;
    if (!strcmp(x->c.status, "accepted") && !immediate)
        return BB_WRONG_STATE; /* forward to the back office first */
    int64_t dept_id = x->c.department_id;
    char dept[32];
    snprintf(dept, sizeof dept, "%s", x->c.dept_code);
    if (x->a->role == ROLE_APPROVER) {
        struct store_stmt *s;
        enum bb_err rc = store_prepare(x->tx, "SELECT code FROM departments WHERE id = ?", &s);
        bool row = false;
        if (!rc)
            rc = store_bind_int(s, 1, x->a->department_id);
        if (!rc)
            rc = store_step(s, &row);
        if (!rc && row)
            snprintf(dept, sizeof dept, "%s", store_col_text(s, 0));
        store_finalize(s);
        if (rc)
            return rc;
        if (!row || !case_deciding_dept(&x->c, dept) ||
            !authz_in_subtree(x->a->site_path, x->c.holder_path))
            return BB_FORBIDDEN;
        dept_id = x->a->department_id;
    } else if (!immediate || at_holder(x)) {
        return BB_FORBIDDEN; /* the window decides only 即办件, where it holds them */
    }
    if (!x->in->has_approved) {
        *x->field = "approved";
        return BB_MISSING_FIELD;
    }
    if (!x->in->approved && need_text(x, x->in->reason, "reason"))
        return BB_MISSING_FIELD;
    enum bb_err rc = store_run(x->tx, "INSERT INTO decisions (case_id, department_id, approved, "
                                      "reason, user_id, at) VALUES (?, ?, ?, ?, ?, ?) "
                                      "ON CONFLICT (case_id, department_id) DO UPDATE SET "
                                      "approved = excluded.approved, reason = excluded.reason, "
                                      "user_id = excluded.user_id, at = excluded.at",
                               "iiitii", x->c.id, dept_id, (int64_t)x->in->approved,
                               x->in->reason, x->a->user_id, clock_now());
    int64_t decided = 0, rejected = 0, needed = 1;
    bool found;
    if (!rc)
        rc = store_query_int(x->tx, "SELECT COUNT(*) FROM decisions WHERE case_id = ?", 1,
                             &x->c.id, &found, &decided);
    if (!rc)
        rc = store_query_int(x->tx, "SELECT COUNT(*) FROM decisions WHERE case_id = ? AND "
                                    "approved = 0", 1, &x->c.id, &found, &rejected);
    if (x->c.joint[0]) /* 联办件: every listed department decides */
        for (const char *p = x->c.joint; *p; p++)
            needed += *p == ';';
    snprintf(x->note, sizeof x->note, "%s %s%s%s", dept, x->in->approved ? "approved" : "not approved",
             x->in->reason ? ": " : "", x->in->reason ? x->in->reason : "");
    if (!rc && decided >= needed) {
        x->status = "decided";
        rc = store_run(x->tx, "UPDATE cases SET decision = ? WHERE id = ?", "ti",
                       rejected ? "not_approved" : "approved", x->c.id);
    }
    return rc;
}

enum bb_err case_step_refuse(struct case_step *x)
{
    enum bb_err rc = accepting_holder(x);
    if (!rc)
        rc = need_text(x, x->in->reason, "reason");
    if (!rc)
        rc = need_text(x, x->in->legal_basis, "legal_basis");
    if (!rc)
        rc = store_run(x->tx, "UPDATE cases SET decision = 'refused' WHERE id = ?", "i", x->c.id);
    x->status = "refused";
    snprintf(x->note, sizeof x->note, "%s (%s)", x->in->reason ? x->in->reason : "",
             x->in->legal_basis ? x->in->legal_basis : "");
    return rc;
}

enum bb_err case_step_issue(struct case_step *x)
{
    enum bb_err rc = at_holder(x);
    if (rc)
        return rc;
    x->status = "issued";
    if (!x->in->to_site)
        return BB_OK; /* handed over here, at the issuance window */
    char path[SITE_PATH_MAX];
    if (site_path(x->tx, x->in->to_site, path) || !authz_in_subtree(x->c.holder_path, path) ||
        x->in->to_site == x->c.holder_site_id) {
        *x->field = "to_site"; /* back down the relay */
        return BB_INVALID;
    }
    char due[WORKDAY_DATE_LEN];
    rc = date_add(x, x->today, leg_limit(x, x->in->to_site), due);
    if (!rc)
        rc = store_run(x->tx, "INSERT INTO handoffs (case_id, from_site_id, from_user_id, "
                              "to_site_id, sent_at, due, materials) VALUES (?, ?, ?, ?, ?, ?, '[]')",
                       "iiiiit", x->c.id, x->c.holder_site_id, x->a->user_id, x->in->to_site,
                       clock_now(), due);
    if (!rc)
        rc = store_run(x->tx, "UPDATE cases SET holder_site_id = ?, holder_user_id = NULL "
                              "WHERE id = ?", "ii", x->in->to_site, x->c.id);
    snprintf(x->note, sizeof x->note, "result to site %lld", (long long)x->in->to_site);
    return rc;
}

enum bb_err case_step_return_materials(struct case_step *x)
{
    enum bb_err rc = at_holder(x);
    if (!rc)
        rc = no_pending(x);
    if (!rc)
        rc = store_run(x->tx, "UPDATE cases SET materials_returned = 1 WHERE id = ?", "i",
                       x->c.id);
    snprintf(x->note, sizeof x->note, "%s", x->in->note ? x->in->note : "原件已退还并签收");
    return rc;
}

enum bb_err case_step_visit(struct case_step *x)
{
    enum bb_err rc = at_holder(x);
    if (rc)
        return rc;
    if (!x->in->has_satisfied) {
        *x->field = "satisfied";
        return BB_MISSING_FIELD;
    }
    snprintf(x->note, sizeof x->note, "%s%s%s", x->in->satisfied ? "满意" : "不满意",
             x->in->note ? ": " : "", x->in->note ? x->in->note : "");
    return store_run(x->tx, "UPDATE cases SET visited = 1 WHERE id = ?", "i", x->c.id);
}

enum bb_err case_step_archive(struct case_step *x)
{
    enum bb_err rc = at_holder(x);
    if (!rc && (!x->c.materials_returned || !x->c.visited))
        rc = BB_WRONG_STATE; /* originals back and the return visit done first */
    x->status = "archived";
    return rc;
}

enum bb_err case_step_withdraw(struct case_step *x)
{
    enum bb_err rc = at_holder(x);
    if (!rc)
        rc = need_text(x, x->in->reason, "reason");
    x->status = "withdrawn";
    snprintf(x->note, sizeof x->note, "%s", x->in->reason ? x->in->reason : "");
    return rc;
}

enum bb_err case_step_extend(struct case_step *x)
{
    if (!authz_in_subtree(x->a->site_path, x->c.holder_path))
        return BB_FORBIDDEN;
    if (x->in->days < 1 || x->in->days > 60) {
        *x->field = "days";
        return BB_INVALID;
    }
    enum bb_err rc = need_text(x, x->in->reason, "reason");
    int deadline;
    char moved[WORKDAY_DATE_LEN];
    if (!rc && workday_parse(x->c.deadline, &deadline))
        rc = BB_WRONG_STATE;
    if (!rc)
        rc = date_add(x, deadline, x->in->days, moved);
    if (!rc)
        rc = store_run(x->tx, "UPDATE cases SET deadline = ?, extension_days = extension_days + ? "
                              "WHERE id = ?", "tii", moved, x->in->days, x->c.id);
    snprintf(x->note, sizeof x->note, "+%lld: %s", (long long)x->in->days,
             x->in->reason ? x->in->reason : "");
    return rc;
}

/* --- the driver --- */


/* The resident takes back the entrustment (at the station that took it, or where the case is);
 * an agent can then no longer hand the case on. */
enum bb_err case_step_revoke_entrustment(struct case_step *x)
{
    if (x->a->site_id != x->c.site_id && x->a->site_id != x->c.holder_site_id)
        return BB_FORBIDDEN;
    bool live;
    enum bb_err rc = store_query_int(x->tx, "SELECT case_id FROM entrustments WHERE case_id = ? "
                                            "AND revoked_at IS NULL", 1, &x->c.id, &live, NULL);
    if (!rc && !live)
        return BB_WRONG_STATE; /* none, or already revoked */
    if (!rc)
        rc = store_run(x->tx, "UPDATE entrustments SET revoked_at = ? WHERE case_id = ?", "ii",
                       clock_now(), x->c.id);
    snprintf(x->note, sizeof x->note, "%s", x->in->reason ? x->in->reason : "委托已撤销");
    return rc;
}
