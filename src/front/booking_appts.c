/* booking_appts.c - residents' appointments: booking a place (capacity held by one conditional
 * UPDATE of the slot's count, so it holds on any number of nodes), reading, cancelling, staff
 * lists, no-show marking and the tick that marks past days' missed bookings. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "../audit/audit.h"
#include "../calendar/calendar.h"
#include "../cases/pii.h"
#include "../core/clock.h"
#include "../core/json.h"
#include "../sites/sites.h"
#include "booking.h"
#include "front.h"

#define BOOKINGS_PER_HOUR 20 /* per client address */

/* No 0/O, 1/I/L: read aloud or typed from a slip without mistakes. */
static const char code_alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

static enum bb_err audit_appt(struct store_tx *tx, const struct actor *a, const char *action,
                              int64_t id, const char *detail)
{
    char object[48];
    snprintf(object, sizeof object, "appointment:%lld", (long long)id);
    return audit_append(tx, a, action, object, "ok", detail);
}

static enum bb_err exists(struct store_stmt *s, bool *found)
{
    enum bb_err rc = store_step(s, found);
    store_finalize(s);
    return rc;
}

/* --no-show-limit missed appointments within --no-show-days suspend booking. */
static enum bb_err blocked(struct store_tx *tx, const char *hash, bool *out)
{
    const struct front_policy *p = front_get_policy();
    *out = false;
    if (p->no_show_limit <= 0)
        return BB_OK;
    char since[WORKDAY_DATE_LEN];
    workday_format(booking_today() - p->no_show_days, since);
    struct store_stmt *s;
    enum bb_err rc = booking_stmt(tx, &s, "SELECT COUNT(*) FROM appointments WHERE "
                                          "phone_hash = ? AND status = 'no_show' AND day >= ?",
                                  "tt", hash, since);
    if (rc)
        return rc;
    bool row = false;
    rc = store_step(s, &row);
    if (!rc && row)
        *out = store_col_int(s, 0) >= p->no_show_limit;
    store_finalize(s);
    return rc;
}

/* Takes one place of the slot, or BB_SLOT_FULL: the row is made first so the conditional
 * UPDATE always has something to test, and the database serialises concurrent takers. */
static enum bb_err take_place(struct store_tx *tx, const struct booking_slot *sl, const char *day)
{
    enum bb_err rc = store_run(tx, "INSERT INTO slot_counts (service_id, day, start, booked) "
                                   "VALUES (?, ?, ?, 0) ON CONFLICT (service_id, day, start) "
                                   "DO NOTHING", "itt", sl->service_id, day, sl->start_s);
    struct store_stmt *s;
    if (!rc)
        rc = booking_stmt(tx, &s, "UPDATE slot_counts SET booked = booked + 1 WHERE "
                                  "service_id = ? AND day = ? AND start = ? AND booked < ? "
                                  "RETURNING booked", "itti", sl->service_id, day, sl->start_s,
                          sl->capacity);
    if (rc)
        return rc;
    bool row = false;
    rc = store_step(s, &row);
    store_finalize(s);
    return rc ? rc : row ? BB_OK : BB_SLOT_FULL;
}

/* A booking code not in use (31^8 codes: a clash is rare, so just draw again). */
static enum bb_err new_code(struct store_tx *tx, char code[BOOKING_CODE_LEN + 1])
{
    for (int tries = 0; tries < 8; tries++) {
        for (int i = 0; i < BOOKING_CODE_LEN; i++)
            code[i] = code_alphabet[randombytes_uniform(sizeof code_alphabet - 1)];
        code[BOOKING_CODE_LEN] = '\0';
        struct store_stmt *s;
        bool taken;
        enum bb_err rc = booking_stmt(tx, &s, "SELECT 1 FROM appointments WHERE code = ?", "t",
                                      code);
        if (!rc)
            rc = exists(s, &taken);
        if (rc || !taken)
            return rc;
    }
    return BB_INTERNAL;
}

static enum bb_err check_input(struct store_tx *tx, const struct booking_in *in,
                               const struct booking_slot *sl, int64_t *item_id,
                               const char **field)
{
    enum bb_err rc = booking_item(tx, sl->site_id, in->item, item_id, field);
    if (rc)
        return rc;
    if (sl->item_id && sl->item_id != *item_id)
        *field = "item"; /* this service is for another item */
    else if (utf8_chars(in->name) < 1 || utf8_chars(in->name) > 32)
        *field = "name";
    else if (!pii_phone_valid(in->phone))
        *field = "phone";
    else
        return BB_OK;
    return BB_INVALID;
}

static enum bb_err insert(struct store_tx *tx, const struct booking_in *in,
                          const struct booking_slot *sl, int64_t item_id, const char *day,
                          const char *hash, const char *code, int64_t *id)
{
    char masked[16];
    pii_mask_phone(in->phone, masked);
    struct buf sealed;
    buf_init(&sealed, 1024);
    enum bb_err rc = pii_seal(in->phone, &sealed);
    struct store_stmt *s = NULL;
    int64_t now = clock_now();
    if (!rc)
        rc = booking_stmt(tx, &s, "INSERT INTO appointments (code, site_id, service_id, day, "
                                  "start, item_id, name, phone_hash, phone_sealed, phone_masked, "
                                  "status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
                                  "?, ?, ?, 'booked', ?, ?) RETURNING id", "tiittittttii", code,
                          sl->site_id, sl->service_id, day, sl->start_s, item_id, in->name, hash,
                          sealed.data, masked, now, now);
    buf_free(&sealed);
    if (rc)
        return rc;
    bool row = false;
    rc = store_step(s, &row);
    if (!rc && row)
        *id = store_col_int(s, 0);
    store_finalize(s);
    return rc;
}

enum bb_err booking_create(struct store_tx *tx, const struct booking_in *in,
                           char code[BOOKING_CODE_LEN + 1], int *retry_after, const char **field)
{
    char key[96];
    snprintf(key, sizeof key, "booking:%s", in->addr ? in->addr : "");
    enum bb_err rc = booking_rate(tx, key, BOOKINGS_PER_HOUR, 3600, false, retry_after);
    if (rc || *retry_after)
        return rc ? rc : BB_RATE_LIMITED;
    struct booking_slot sl;
    int64_t item_id = 0, id = 0;
    rc = booking_slot_resolve(tx, in->slot, &sl, field);
    if (!rc)
        rc = check_input(tx, in, &sl, &item_id, field);
    if (rc)
        return rc;
    char hash[TOKEN_HEX], day[WORKDAY_DATE_LEN];
    pii_lookup_hash(in->phone, hash);
    workday_format(sl.day, day);
    bool no, dup = false;
    rc = blocked(tx, hash, &no);
    if (!rc && no)
        return BB_BOOKING_BLOCKED;
    struct store_stmt *s;
    if (!rc)
        rc = booking_stmt(tx, &s, "SELECT 1 FROM appointments WHERE phone_hash = ? AND "
                                  "site_id = ? AND day = ? AND status IN ('booked', 'checked_in')",
                          "tit", hash, sl.site_id, day);
    if (!rc)
        rc = exists(s, &dup);
    if (!rc && dup) {
        *field = "phone"; /* one booking per resident, site and day */
        return BB_CONFLICT;
    }
    if (!rc)
        rc = take_place(tx, &sl, day);
    if (!rc)
        rc = new_code(tx, code);
    if (!rc)
        rc = insert(tx, in, &sl, item_id, day, hash, code, &id);
    if (!rc) /* only bookings made count towards the address's hourly limit */
        rc = booking_rate(tx, key, BOOKINGS_PER_HOUR, 3600, true, retry_after);
    char detail[96];
    snprintf(detail, sizeof detail, "{\"slot\":\"%s\"}", in->slot);
    if (!rc)
        rc = audit_appt(tx, NULL, "appointment.create", id, detail);
    return rc;
}

enum bb_err booking_find(struct store_tx *tx, const char *code, const char *phone, int64_t *id)
{
    if (!code || !phone || strlen(code) != BOOKING_CODE_LEN || strlen(phone) > 32)
        return BB_NOT_FOUND;
    char up[BOOKING_CODE_LEN + 1];
    for (int i = 0; i <= BOOKING_CODE_LEN; i++)
        up[i] = (char)(code[i] >= 'a' && code[i] <= 'z' ? code[i] - 32 : code[i]);
    struct store_stmt *s;
    enum bb_err rc = booking_stmt(tx, &s, "SELECT id, phone_hash FROM appointments WHERE code = ?",
                                  "t", up);
    if (rc)
        return rc;
    bool row = false;
    char hash[TOKEN_HEX];
    pii_lookup_hash(phone, hash);
    rc = store_step(s, &row);
    bool ok = !rc && row && crypto_streq(hash, store_col_text(s, 1));
    if (ok && id)
        *id = store_col_int(s, 0);
    store_finalize(s);
    return rc ? rc : ok ? BB_OK : BB_NOT_FOUND; /* wrong code or phone: the same answer */
}

#define APPT_SQL "SELECT a.id, a.code, a.site_id, st.name, b.name, b.kind, a.day, a.start, " \
                 "b.slot_minutes, i.code, iv.name, a.name, a.phone_masked, a.status, t.number " \
                 "FROM appointments a JOIN sites st ON st.id = a.site_id " \
                 "JOIN booking_services b ON b.id = a.service_id " \
                 "JOIN items i ON i.id = a.item_id " \
                 "LEFT JOIN item_versions iv ON iv.item_id = i.id " \
                 "AND iv.version = i.published_version " \
                 "LEFT JOIN tickets t ON t.id = a.ticket_id "

/* The current row of APPT_SQL as the API shows it (staff also see the id). */
static json_t *appt_json(struct store_stmt *s, bool staff)
{
    int day = 0;
    const char *d = store_col_text(s, 6), *t = store_col_text(s, 7);
    workday_parse(d, &day);
    int m = ((t[0] - '0') * 10 + (t[1] - '0')) * 60 + (t[3] - '0') * 10 + (t[4] - '0');
    char start[32], end[32], name[64];
    clock_iso(booking_unix(day, m), start, sizeof start);
    clock_iso(booking_unix(day, m + (int)store_col_int(s, 8)), end, sizeof end);
    pii_mask_name(store_col_text(s, 11), name, sizeof name);
    json_t *o = json_pack("{s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s?},s:s,s:s,s:s,s:s?}",
                          "code", store_col_text(s, 1), "site_id",
                          (json_int_t)store_col_int(s, 2), "site", store_col_text(s, 3),
                          "service", store_col_text(s, 4), "kind", store_col_text(s, 5), "day",
                          d, "start", start, "end", end, "item", "code", store_col_text(s, 9),
                          "name", store_col_null(s, 10) ? NULL : store_col_text(s, 10), "name",
                          name, "phone", store_col_text(s, 12), "status", store_col_text(s, 13),
                          "ticket", store_col_null(s, 14) ? NULL : store_col_text(s, 14));
    if (o && staff)
        json_object_set_new(o, "id", json_integer(store_col_int(s, 0)));
    return o;
}

enum bb_err booking_json(struct store_tx *tx, int64_t id, bool staff, json_t **out)
{
    struct store_stmt *s;
    enum bb_err rc = booking_stmt(tx, &s, APPT_SQL "WHERE a.id = ?", "i", id);
    if (rc)
        return rc;
    bool row = false;
    rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    if (!rc)
        rc = (*out = appt_json(s, staff)) ? BB_OK : BB_NOMEM;
    store_finalize(s);
    return rc;
}

struct appt_row {
    int64_t site_id, service_id;
    int day, start;
    char day_s[WORKDAY_DATE_LEN], start_s[6], status[16];
};

static enum bb_err load(struct store_tx *tx, int64_t id, struct appt_row *r)
{
    struct store_stmt *s;
    enum bb_err rc = booking_stmt(tx, &s, "SELECT site_id, service_id, day, start, status FROM "
                                          "appointments WHERE id = ?", "i", id);
    if (rc)
        return rc;
    bool row = false;
    rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    if (!rc) {
        r->site_id = store_col_int(s, 0);
        r->service_id = store_col_int(s, 1);
        snprintf(r->day_s, sizeof r->day_s, "%s", store_col_text(s, 2));
        snprintf(r->start_s, sizeof r->start_s, "%s", store_col_text(s, 3));
        snprintf(r->status, sizeof r->status, "%s", store_col_text(s, 4));
        workday_parse(r->day_s, &r->day);
        const char *t = r->start_s;
        r->start = ((t[0] - '0') * 10 + (t[1] - '0')) * 60 + (t[3] - '0') * 10 + (t[4] - '0');
    }
    store_finalize(s);
    return rc;
}

/* booked -> to, exactly once (a concurrent change makes it BB_WRONG_STATE). */
static enum bb_err move(struct store_tx *tx, int64_t id, const char *to, int64_t ticket_id)
{
    struct store_stmt *s;
    enum bb_err rc = booking_stmt(tx, &s, "UPDATE appointments SET status = ?, "
                                          "ticket_id = NULLIF(?, 0), updated_at = ? "
                                          "WHERE id = ? AND status = 'booked' RETURNING id",
                                  "tiii", to, ticket_id, clock_now(), id);
    if (rc)
        return rc;
    bool row = false;
    rc = store_step(s, &row);
    store_finalize(s);
    return rc ? rc : row ? BB_OK : BB_WRONG_STATE;
}

enum bb_err booking_cancel(struct store_tx *tx, int64_t id)
{
    struct appt_row r;
    enum bb_err rc = load(tx, id, &r);
    if (rc)
        return rc;
    if (strcmp(r.status, "booked") != 0 || booking_unix(r.day, r.start) <= clock_now())
        return BB_WRONG_STATE;
    rc = move(tx, id, "cancelled", 0);
    if (!rc) /* the place is free again */
        rc = store_run(tx, "UPDATE slot_counts SET booked = booked - 1 WHERE service_id = ? "
                           "AND day = ? AND start = ? AND booked > 0", "itt", r.service_id,
                       r.day_s, r.start_s);
    if (!rc)
        rc = audit_appt(tx, NULL, "appointment.cancel", id, NULL);
    return rc;
}

enum bb_err booking_staff_check(struct store_tx *tx, const struct actor *a, int64_t id)
{
    struct appt_row r;
    char path[SITE_PATH_MAX];
    enum bb_err rc = load(tx, id, &r);
    if (!rc)
        rc = site_path(tx, r.site_id, path);
    if (!rc && !authz_can(a, AUTHZ_FRONT_DESK, path))
        rc = BB_FORBIDDEN;
    return rc;
}

enum bb_err booking_no_show(struct store_tx *tx, const struct actor *a, int64_t id)
{
    struct appt_row r;
    enum bb_err rc = booking_staff_check(tx, a, id);
    if (!rc)
        rc = load(tx, id, &r);
    if (rc)
        return rc;
    if (booking_unix(r.day, r.start) > clock_now())
        return BB_WRONG_STATE; /* not missed yet */
    rc = move(tx, id, "no_show", 0);
    if (!rc)
        rc = audit_appt(tx, a, "appointment.no_show", id, NULL);
    return rc;
}

enum bb_err booking_check_in_mark(struct store_tx *tx, int64_t id, int64_t ticket_id)
{
    return move(tx, id, "checked_in", ticket_id);
}

static const char *const statuses[] = {"booked", "cancelled", "checked_in", "no_show", NULL};

enum bb_err booking_list(struct store_tx *tx, const struct actor *a, int64_t site_id,
                         const char *date, const char *status, json_t **items,
                         const char **field)
{
    if (!site_id)
        site_id = a->site_id;
    enum bb_err rc = site_check(tx, a, AUTHZ_READ_FRONT, site_id);
    if (rc)
        return rc;
    char day[WORKDAY_DATE_LEN];
    int d = booking_today();
    if (date && workday_parse(date, &d)) {
        *field = "date";
        return BB_INVALID;
    }
    workday_format(d, day);
    bool ok = !status;
    for (const char *const *p = statuses; !ok && *p; p++)
        ok = strcmp(*p, status) == 0;
    if (!ok) {
        *field = "status";
        return BB_INVALID;
    }
    struct store_stmt *s;
    rc = booking_stmt(tx, &s, APPT_SQL "WHERE a.site_id = ? AND a.day = ? AND "
                                       "(? IS NULL OR a.status = ?) ORDER BY a.start, a.id",
                      "ittt", site_id, day, status, status);
    if (rc)
        return rc;
    *items = json_array();
    for (bool row = true; !rc && *items;) {
        rc = store_step(s, &row);
        if (rc || !row)
            break;
        json_t *o = appt_json(s, true);
        if (!o || json_array_append_new(*items, o))
            rc = BB_NOMEM;
    }
    store_finalize(s);
    if (!*items)
        rc = BB_NOMEM;
    return rc;
}

#define SWEEP_BATCH 200

enum bb_err booking_sweep(struct store_tx *tx, int *changed)
{
    *changed = 0;
    char today[WORKDAY_DATE_LEN];
    workday_format(booking_today(), today);
    int64_t ids[SWEEP_BATCH];
    int n = 0;
    struct store_stmt *s;
    enum bb_err rc = booking_stmt(tx, &s, "UPDATE appointments SET status = 'no_show', "
                                          "updated_at = ? WHERE id IN (SELECT id FROM "
                                          "appointments WHERE status = 'booked' AND day < ? "
                                          "ORDER BY id LIMIT ?) RETURNING id", "iti",
                                  clock_now(), today, (int64_t)SWEEP_BATCH);
    if (rc)
        return rc;
    for (bool row = true; !rc && n < SWEEP_BATCH;) {
        rc = store_step(s, &row);
        if (rc || !row)
            break;
        ids[n++] = store_col_int(s, 0);
    }
    store_finalize(s);
    for (int i = 0; !rc && i < n; i++)
        rc = audit_appt(tx, NULL, "appointment.no_show", ids[i], "{\"by\":\"sweep\"}");
    if (!rc)
        *changed = n;
    return rc;
}
