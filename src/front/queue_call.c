/* queue_call.c - calling (叫号) and what a window does with its ticket: recall, start, skip,
 * finish, transfer. Exactly-once is the database's job: the window row is locked first (one
 * call at a time per window, on any node), and a ticket is claimed by a conditional UPDATE that
 * only a still-waiting ticket passes, so two windows never get the same one. */
#include <stdio.h>
#include <string.h>
#include "../cases/cases.h"
#include "../core/clock.h"
#include "../sites/sites.h"
#include "queue_int.h"

#define CLAIM_TRIES 50

struct win {
    int64_t site_id;
    bool active;
    char kind[16];
};

/* Loads the window and takes its row lock (a no-op write) until the transaction ends. */
static enum bb_err lock_window(struct store_tx *tx, int64_t id, struct win *w)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "UPDATE windows SET updated_at = updated_at WHERE id = ? "
                                       "RETURNING site_id, active, kind", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_int(s, 1, id);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    if (!rc) {
        w->site_id = store_col_int(s, 0);
        w->active = store_col_int(s, 1) != 0;
        snprintf(w->kind, sizeof w->kind, "%s", store_col_text(s, 2));
    }
    store_finalize(s);
    return rc;
}

/* The first waiting ticket of the queue in call order (0 when none). */
static enum bb_err pick(struct store_tx *tx, const struct win *w, const char *day, int64_t *id)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT t.id FROM tickets t WHERE t.site_id = ? "
                                       "AND t.day = ? AND t.kind = ? AND t.status = 'waiting' "
                                       "ORDER BY " Q_ORDER("t") " LIMIT 1", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_int(s, 1, w->site_id);
    if (!rc)
        rc = store_bind_text(s, 2, day);
    if (!rc)
        rc = store_bind_text(s, 3, w->kind);
    if (!rc)
        rc = store_step(s, &row);
    *id = !rc && row ? store_col_int(s, 0) : 0;
    store_finalize(s);
    return rc;
}

/* Claims ticket id for the window; *won is false when another window took it first. */
static enum bb_err claim(struct store_tx *tx, const struct actor *a, int64_t window_id,
                         int64_t id, bool *won)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "UPDATE tickets SET status = 'called', window_id = ?, "
                                       "user_id = ?, called_at = ?, call_count = 1 "
                                       "WHERE id = ? AND status = 'waiting' RETURNING id", &s);
    if (rc)
        return rc;
    rc = store_bind_int(s, 1, window_id);
    if (!rc)
        rc = a ? store_bind_int(s, 2, a->user_id) : store_bind_null(s, 2);
    if (!rc)
        rc = store_bind_int(s, 3, clock_now());
    if (!rc)
        rc = store_bind_int(s, 4, id);
    if (!rc)
        rc = store_step(s, won);
    store_finalize(s);
    return rc;
}

static enum bb_err number_of(struct store_tx *tx, int64_t id, char out[8])
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT number FROM tickets WHERE id = ?", &s);
    bool row = false;
    if (!rc)
        rc = store_bind_int(s, 1, id);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && row)
        snprintf(out, 8, "%s", store_col_text(s, 0));
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    store_finalize(s);
    return rc;
}

enum bb_err queue_call_next(struct store_tx *tx, const struct actor *a, int64_t window_id,
                            int64_t *id)
{
    struct win w;
    enum bb_err rc = lock_window(tx, window_id, &w);
    if (!rc)
        rc = q_desk_check(tx, a, w.site_id);
    if (!rc && !w.active)
        rc = BB_WRONG_STATE;
    if (rc)
        return rc;
    char day[WORKDAY_DATE_LEN];
    q_today_str(day);
    int64_t busy = 0;
    bool found = false;
    const char *busy_sql = "SELECT COUNT(*) FROM tickets WHERE window_id = ? AND day = ? "
                           "AND status IN ('called', 'serving')";
    struct store_stmt *s;
    rc = store_prepare(tx, busy_sql, &s);
    if (!rc)
        rc = store_bind_int(s, 1, window_id);
    if (!rc)
        rc = store_bind_text(s, 2, day);
    if (!rc)
        rc = store_step(s, &found);
    if (!rc && found)
        busy = store_col_int(s, 0);
    store_finalize(s);
    if (!rc && busy)
        return BB_WINDOW_BUSY;
    bool won = false;
    for (int i = 0; !rc && !won && i < CLAIM_TRIES; i++) {
        rc = pick(tx, &w, day, id);
        if (!rc && !*id)
            return BB_QUEUE_EMPTY;
        if (!rc)
            rc = claim(tx, a, window_id, *id, &won); /* lost: someone else took it; pick again */
    }
    if (!rc && !won)
        rc = BB_UNAVAILABLE; /* extraordinary contention: let the client retry */
    char number[8] = "";
    if (!rc)
        rc = number_of(tx, *id, number);
    if (!rc)
        rc = q_bump(tx, w.site_id);
    if (!rc)
        rc = q_audit(tx, a, "call", *id, number, window_id);
    return rc;
}

/* --- actions on a ticket --- */

static const struct act {
    const char *name;
    const char *from;  /* SQL list of the states it starts from */
    const char *set;   /* the change */
} acts[] = {
    {"recall", "('called')", "call_count = call_count + 1"},
    {"start", "('called')", "status = 'serving', started_at = ?"},
    {"skip", "('called')", "status = 'no_show', finished_at = ?"},
    {"finish", "('serving')", "status = 'done', finished_at = ?, case_id = ?"},
    {"transfer", "('called', 'serving')",
     "status = 'waiting', kind = ?, window_id = NULL, user_id = NULL, started_at = NULL, "
     "transfers = transfers + 1"},
};

bool ticket_action_known(const char *name)
{
    for (size_t i = 0; name && i < sizeof acts / sizeof acts[0]; i++)
        if (strcmp(acts[i].name, name) == 0)
            return true;
    return false;
}

struct tk {
    int64_t site_id, window_id;
    char kind[16], number[8], status[12];
};

static enum bb_err load(struct store_tx *tx, int64_t id, struct tk *t)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT site_id, COALESCE(window_id, 0), kind, number, "
                                       "status FROM tickets WHERE id = ?", &s);
    bool row = false;
    if (!rc)
        rc = store_bind_int(s, 1, id);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    if (!rc) {
        t->site_id = store_col_int(s, 0);
        t->window_id = store_col_int(s, 1);
        snprintf(t->kind, sizeof t->kind, "%s", store_col_text(s, 2));
        snprintf(t->number, sizeof t->number, "%s", store_col_text(s, 3));
        snprintf(t->status, sizeof t->status, "%s", store_col_text(s, 4));
    }
    store_finalize(s);
    return rc;
}

/* The case a finished visit produced: it must exist and the actor must be able to see it. */
static enum bb_err case_of(struct store_tx *tx, const struct actor *a, const char *receipt,
                           int64_t *case_id, const char **field)
{
    json_t *c = NULL;
    enum bb_err rc = case_get(tx, a, receipt, false, &c);
    json_decref(c);
    if (rc == BB_NOT_FOUND) {
        *field = "case";
        return BB_INVALID;
    }
    if (rc)
        return rc;
    bool found = false;
    struct store_stmt *s;
    rc = store_prepare(tx, "SELECT id FROM cases WHERE receipt = ?", &s);
    if (!rc)
        rc = store_bind_text(s, 1, receipt);
    if (!rc)
        rc = store_step(s, &found);
    if (!rc && found)
        *case_id = store_col_int(s, 0);
    store_finalize(s);
    return !rc && !found ? BB_INTERNAL : rc;
}

enum bb_err ticket_act(struct store_tx *tx, const struct actor *a, int64_t id,
                       const struct ticket_action *in, const char **field)
{
    const struct act *act = NULL;
    for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++)
        if (in->name && strcmp(acts[i].name, in->name) == 0)
            act = &acts[i];
    if (!act)
        return BB_NOT_FOUND;
    struct tk t;
    enum bb_err rc = load(tx, id, &t);
    if (!rc)
        rc = q_desk_check(tx, a, t.site_id);
    if (rc)
        return rc;
    bool transfer = strcmp(act->name, "transfer") == 0, finish = strcmp(act->name, "finish") == 0;
    if (transfer && !in->kind) {
        *field = "kind";
        return BB_MISSING_FIELD;
    }
    char quoted[16];
    snprintf(quoted, sizeof quoted, "'%s'", t.status);
    if (!strstr(act->from, quoted))
        return BB_WRONG_STATE; /* before the input's merits: the state decides what makes sense */
    int64_t case_id = 0;
    if (transfer) {
        bool open = false;
        rc = q_prefix(in->kind) && strcmp(in->kind, t.kind) != 0
                 ? q_kind_open(tx, t.site_id, in->kind, &open)
                 : BB_OK;
        if (!rc && !open) {
            *field = "kind";
            return BB_INVALID;
        }
    } else if (finish && in->case_receipt) {
        rc = case_of(tx, a, in->case_receipt, &case_id, field);
    }
    char sql[512];
    snprintf(sql, sizeof sql, "UPDATE tickets SET %s WHERE id = ? AND status IN %s RETURNING id",
             act->set, act->from);
    struct store_stmt *s = NULL;
    if (!rc)
        rc = store_prepare(tx, sql, &s);
    if (rc)
        return rc;
    int i = 1;
    if (transfer)
        rc = store_bind_text(s, i++, in->kind);
    else if (strcmp(act->name, "recall") != 0)
        rc = store_bind_int(s, i++, clock_now());
    if (!rc && finish)
        rc = case_id ? store_bind_int(s, i++, case_id) : store_bind_null(s, i++);
    if (!rc)
        rc = store_bind_int(s, i, id);
    bool row = false;
    if (!rc)
        rc = store_step(s, &row);
    store_finalize(s);
    if (!rc && !row)
        rc = BB_WRONG_STATE; /* changed meanwhile (another node) */
    if (!rc)
        rc = q_bump(tx, t.site_id);
    if (!rc)
        rc = q_audit(tx, a, act->name, id, t.number, t.window_id);
    return rc;
}
