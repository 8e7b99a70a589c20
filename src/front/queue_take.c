/* queue_take.c - taking a ticket (取号) at a kiosk, at the desk, or by checking in a booking.
 * Numbers come from ticket_counters with one upsert, so two nodes taking at once get two
 * numbers; the UNIQUE (site_id, day, number) key backs that up. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "../core/clock.h"
#include "../sites/sites.h"
#include "queue_int.h"

#define RATE_CODE_LEN 6

static bool priority_ok(const char *p, bool appointment)
{
    static const char *const walk_in[] = {"none", "elderly", "disabled", "pregnant", NULL};
    for (const char *const *k = walk_in; *k; k++)
        if (strcmp(*k, p) == 0)
            return true;
    return appointment && strcmp(p, "appointment") == 0; /* only booking check-in sets it */
}

static enum bb_err item_id_of(struct store_tx *tx, const char *code, int64_t *id)
{
    bool found = false;
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT id FROM items WHERE code = ? "
                                       "AND status = 'published'", &s);
    if (rc)
        return rc;
    rc = store_bind_text(s, 1, code);
    if (!rc)
        rc = store_step(s, &found);
    if (!rc && found)
        *id = store_col_int(s, 0);
    store_finalize(s);
    return !rc && !found ? BB_INVALID : rc;
}

/* Next sequence number of the site's day and kind: one atomic upsert. */
static enum bb_err next_seq(struct store_tx *tx, int64_t site_id, const char *day,
                            const char *kind, int64_t *seq)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "INSERT INTO ticket_counters (site_id, day, kind, last) "
                                       "VALUES (?, ?, ?, 1) ON CONFLICT (site_id, day, kind) "
                                       "DO UPDATE SET last = ticket_counters.last + 1 "
                                       "RETURNING last", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_int(s, 1, site_id);
    if (!rc)
        rc = store_bind_text(s, 2, day);
    if (!rc)
        rc = store_bind_text(s, 3, kind);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_INTERNAL;
    if (!rc)
        *seq = store_col_int(s, 0);
    store_finalize(s);
    return rc;
}

/* 6 characters without look-alikes (no 0/O, 1/I/L), printed on the slip. */
static void rate_code(char out[RATE_CODE_LEN + 1])
{
    static const char abc[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    for (int i = 0; i < RATE_CODE_LEN; i++)
        out[i] = abc[randombytes_uniform(sizeof abc - 1)];
    out[RATE_CODE_LEN] = 0;
}

enum bb_err ticket_take(struct store_tx *tx, const struct actor *a, const struct ticket_in *in,
                        int64_t *id, const char **field)
{
    char path[SITE_PATH_MAX];
    enum bb_err rc = site_path(tx, in->site_id, path);
    if (rc == BB_NOT_FOUND)
        *field = "site_id";
    if (!rc && a)
        rc = q_desk_check(tx, a, in->site_id);
    if (rc)
        return rc;
    bool open = false;
    char prefix = q_prefix(in->kind);
    rc = prefix ? q_kind_open(tx, in->site_id, in->kind, &open) : BB_OK;
    if (!rc && !open) {
        *field = "kind";
        return BB_INVALID;
    }
    const char *priority = in->priority ? in->priority
                           : in->appointment_id ? "appointment" : "none";
    if (!rc && !priority_ok(priority, in->appointment_id > 0)) {
        *field = "priority";
        return BB_INVALID;
    }
    int64_t item = 0;
    if (!rc && in->item_code) {
        rc = item_id_of(tx, in->item_code, &item);
        if (rc == BB_INVALID)
            *field = "item";
    }
    char day[WORKDAY_DATE_LEN];
    q_today_str(day);
    int64_t seq = 0;
    if (!rc)
        rc = next_seq(tx, in->site_id, day, in->kind, &seq);
    if (!rc && seq > 999)
        return BB_CONFLICT; /* A999 was the day's last number of this kind */
    char number[8], code[RATE_CODE_LEN + 1];
    snprintf(number, sizeof number, "%c%03d", prefix, (int)seq);
    rate_code(code);
    struct store_stmt *s = NULL;
    if (!rc)
        rc = store_prepare(tx, "INSERT INTO tickets (site_id, day, kind, seq, number, priority, "
                               "appointment_id, item_id, status, rate_code, taken_at) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'waiting', ?, ?) RETURNING id", &s);
    if (rc)
        return rc;
    rc = store_bind_int(s, 1, in->site_id);
    if (!rc)
        rc = store_bind_text(s, 2, day);
    if (!rc)
        rc = store_bind_text(s, 3, in->kind);
    if (!rc)
        rc = store_bind_int(s, 4, seq);
    if (!rc)
        rc = store_bind_text(s, 5, number);
    if (!rc)
        rc = store_bind_text(s, 6, priority);
    if (!rc)
        rc = in->appointment_id ? store_bind_int(s, 7, in->appointment_id) : store_bind_null(s, 7);
    if (!rc)
        rc = item ? store_bind_int(s, 8, item) : store_bind_null(s, 8);
    if (!rc)
        rc = store_bind_text(s, 9, code);
    if (!rc)
        rc = store_bind_int(s, 10, clock_now());
    bool row = false;
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && row)
        *id = store_col_int(s, 0);
    store_finalize(s);
    if (!rc && !row)
        rc = BB_INTERNAL;
    if (!rc)
        rc = q_bump(tx, in->site_id);
    if (!rc)
        rc = q_audit(tx, a, "take", *id, number, 0);
    return rc;
}
