/* case_actions.c - the case life as a table (actions.def: action, from-states, roles) plus one
 * function per action for its own rules. case_act checks state, role, version; the action writes
 * its changes; then the version, the timeline event and the audit entry follow, all in the
 * caller's one transaction. */
#include <stdio.h>
#include <string.h>
#include "../calendar/calendar.h"
#include "../core/clock.h"
#include "../sites/sites.h"
#include "case_int.h"


#define R(id) (1u << ROLE_##id)

static const struct {
    const char *name, *from;
    unsigned roles;
    case_step_fn fn;
} actions[] = {
#define CASE_ACTION(n, from, roles) {#n, from, roles, case_step_##n},
#include "actions.def"
#undef CASE_ACTION
};
#define NACTIONS (sizeof actions / sizeof actions[0])

bool case_action_known(const char *name)
{
    for (size_t i = 0; i < NACTIONS; i++)
        if (strcmp(actions[i].name, name) == 0)
            return true;
    return false;
}

static bool state_allows(const char *from, const char *status)
{
    char key[24];
    snprintf(key, sizeof key, "|%s|", status);
    return strstr(from, key) != NULL;
}

/* What the actor could do now: state and role from the table, then each action's own
 * preconditions (holder site, pending handoff, where it can be accepted, departments). */
enum bb_err case_allowed_for(struct store_tx *tx, const struct actor *a, const struct case_row *c,
                             json_t **out)
{
    *out = json_array();
    if (!*out)
        return BB_NOMEM;
    bool pending_any = false, pending_me = false, accepts = !strcmp(c->holder_level, "district");
    bool unreceived = false, has_parent = false, entrusted = false;
    int64_t args[] = {c->id, a->site_id};
    enum bb_err rc = store_query_int(tx, "SELECT id FROM handoffs WHERE case_id = ? AND "
                                         "received_at IS NULL", 1, &c->id, &pending_any, NULL);
    if (!rc)
        rc = store_query_int(tx, "SELECT id FROM handoffs WHERE case_id = ? AND received_at IS "
                                 "NULL AND to_site_id = ?", 2, args, &pending_me, NULL);
    int64_t sargs[] = {c->holder_site_id, c->item_id};
    if (!rc && !accepts)
        rc = store_query_int(tx, "SELECT id FROM site_items WHERE site_id = ? AND item_id = ? AND "
                                 "mode = 'accept'", 2, sargs, &accepts, NULL);
    if (!rc)
        rc = store_query_int(tx, "SELECT id FROM case_materials WHERE case_id = ? AND "
                                 "received = 0", 1, &c->id, &unreceived, NULL);
    if (!rc)
        rc = store_query_int(tx, "SELECT parent_id FROM sites WHERE id = ? AND parent_id IS NOT "
                                 "NULL", 1, &c->holder_site_id, &has_parent, NULL);
    bool entrust_valid = false; /* standing and not expired: what lets an agent submit */
    if (!rc)
        rc = store_query_int(tx, "SELECT case_id FROM entrustments WHERE case_id = ? AND "
                                 "revoked_at IS NULL", 1, &c->id, &entrusted, NULL);
    if (!rc && entrusted) {
        char today[WORKDAY_DATE_LEN];
        workday_format(case_today(), today);
        struct store_stmt *es;
        rc = store_prepare(tx, "SELECT case_id FROM entrustments WHERE case_id = ? AND "
                               "valid_until >= ?", &es);
        if (!rc) {
            rc = store_bind_int(es, 1, c->id);
            if (!rc)
                rc = store_bind_text(es, 2, today);
            if (!rc)
                rc = store_step(es, &entrust_valid);
            store_finalize(es);
        }
    }
    char dept[32] = "";
    if (!rc && a->role == ROLE_APPROVER) {
        struct store_stmt *s;
        rc = store_prepare(tx, "SELECT code FROM departments WHERE id = ?", &s);
        bool row = false;
        if (!rc) {
            rc = store_bind_int(s, 1, a->department_id);
            if (!rc)
                rc = store_step(s, &row);
            if (!rc && row)
                snprintf(dept, sizeof dept, "%s", store_col_text(s, 0));
            store_finalize(s);
        }
    }
    if (rc)
        return rc;
    bool holder = a->site_id == c->holder_site_id;
    bool immediate = !strcmp(c->case_type, "immediate");
    bool subtree = authz_in_subtree(a->site_path, c->holder_path);
    for (size_t i = 0; i < NACTIONS; i++) {
        const char *n = actions[i].name;
        if (!state_allows(actions[i].from, c->status) || !(actions[i].roles & (1u << a->role)))
            continue;
        bool ok;
        if (!strcmp(n, "submit"))
            ok = holder && !pending_any && has_parent &&
                 ((a->role != ROLE_AGENT && a->role != ROLE_WEB_AGENT) || entrust_valid);
        else if (!strcmp(n, "receive"))
            ok = pending_me;
        else if (!strcmp(n, "accept") || !strcmp(n, "refuse"))
            ok = holder && !pending_any && accepts;
        else if (!strcmp(n, "supplement"))
            ok = holder && c->notice_given_on[0] && unreceived;
        else if (!strcmp(n, "forward") || !strcmp(n, "return_materials"))
            ok = holder && !pending_any;
        else if (!strcmp(n, "decide"))
            ok = (strcmp(c->status, "accepted") != 0 || immediate) &&
                 (a->role == ROLE_APPROVER ? dept[0] && case_deciding_dept(c, dept) && subtree
                                           : immediate && holder);
        else if (!strcmp(n, "archive"))
            ok = holder && c->materials_returned && c->visited;
        else if (!strcmp(n, "extend"))
            ok = subtree;
        else if (!strcmp(n, "revoke_entrustment"))
            ok = entrusted && (holder || a->site_id == c->site_id);
        else
            ok = holder;
        if (ok)
            json_array_append_new(*out, json_string(n));
    }
    return BB_OK;
}

json_t *case_allowed(const char *status)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < NACTIONS; i++)
        if (state_allows(actions[i].from, status))
            json_array_append_new(arr, json_string(actions[i].name));
    return arr;
}

enum bb_err case_act(struct store_tx *tx, const struct actor *a, const char *receipt,
                     const struct case_action *in, const char **field, json_t **allowed)
{
    *allowed = NULL;
    size_t k = 0;
    while (k < NACTIONS && strcmp(actions[k].name, in->name) != 0)
        k++;
    if (k == NACTIONS)
        return BB_NOT_FOUND;
    struct case_step x = {.tx = tx, .a = a, .in = in, .field = field, .today = case_today()};
    enum bb_err rc = case_load(tx, receipt, &x.c);
    if (rc)
        return rc;
    if (!case_visible(a, &x.c))
        return BB_FORBIDDEN;
    if (in->if_match && in->if_match != x.c.version)
        return BB_VERSION_MISMATCH;
    if (!state_allows(actions[k].from, x.c.status)) {
        enum bb_err arc = case_allowed_for(tx, a, &x.c, allowed);
        return arc ? arc : BB_WRONG_STATE;
    }
    if (!(actions[k].roles & (1u << a->role)))
        return BB_FORBIDDEN;
    rc = calendar_load(tx, &x.cal);
    if (rc)
        return rc;
    x.status = x.c.status;
    rc = actions[k].fn(&x);
    workday_cal_free(x.cal);
    if (rc == BB_WRONG_STATE) {
        enum bb_err arc = case_allowed_for(tx, a, &x.c, allowed);
        if (arc)
            rc = arc;
    }
    if (!rc)
        rc = store_run(tx, "UPDATE cases SET status = ?, version = version + 1, updated_at = ? "
                           "WHERE id = ?", "tii", x.status, clock_now(), x.c.id);
    if (!rc)
        rc = case_event(tx, a, &x.c, in->name, x.status,
                        x.note[0] ? x.note : in->note);
    return rc;
}
