/* booking_slots.c - what residents see before booking: every site, and a day's slots at a site,
 * computed from each active service's hours on working days (调休 Saturdays open, statutory
 * holidays closed), with the places left from slot_counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../calendar/calendar.h"
#include "../core/clock.h"
#include "../store/row.h"
#include "booking.h"
#include "front.h"

#define SITE_SERVICES_MAX 64 /* services one site shows; more would not fit a page anyway */

enum bb_err booking_public_sites(struct store_tx *tx, json_t **out)
{
    static const char *const names[] = {"id", "name", "level", "code", "parent_id", "address",
                                        "phone", "hours"};
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT id, name, level, code, parent_id, address, phone, "
                                       "hours FROM sites ORDER BY id", &s);
    if (rc)
        return rc;
    json_t *items = NULL;
    int64_t next;
    rc = store_rows_json(s, "isssisss", names, 100000, &items, &next);
    store_finalize(s);
    if (rc)
        return rc;
    *out = json_pack("{s:o}", "items", items);
    return *out ? BB_OK : BB_NOMEM;
}

/* Is day a working day on the database's holiday calendar? */
static enum bb_err working(struct store_tx *tx, int day, bool *open)
{
    struct workday_cal *cal;
    enum bb_err rc = calendar_load(tx, &cal);
    if (rc)
        return rc;
    *open = workday_is_working(cal, day);
    workday_cal_free(cal);
    return BB_OK;
}

static int last_bookable_day(void) { return booking_today() + front_get_policy()->booking_days; }

/* Digits s[0..n) as a number; -1 unless all are digits. */
static long digits(const char *s, int n)
{
    long v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

enum bb_err booking_slot_resolve(struct store_tx *tx, const char *slot, struct booking_slot *out,
                                 const char **field)
{
    *field = "slot";
    /* <service>-YYYYMMDD-HHMM: the service id has 1-18 digits without a leading zero. */
    const char *dash = strchr(slot, '-');
    size_t idlen = dash ? (size_t)(dash - slot) : 0;
    if (!dash || idlen < 1 || idlen > 18 || slot[0] == '0' || strlen(dash) != 14 ||
        dash[9] != '-')
        return BB_INVALID;
    long id = digits(slot, (int)idlen), ymd = digits(dash + 1, 8), hm = digits(dash + 10, 4);
    if (id < 1 || ymd < 0 || hm < 0 || hm % 100 > 59 || hm / 100 > 23 ||
        workday_from_ymd((int)(ymd / 10000), (int)(ymd / 100 % 100), (int)(ymd % 100), &out->day))
        return BB_INVALID;
    out->start = (int)(hm / 100 * 60 + hm % 100);
    snprintf(out->start_s, sizeof out->start_s, "%02ld:%02ld", hm / 100, hm % 100);
    struct store_stmt *s;
    enum bb_err rc = booking_stmt(tx, &s, "SELECT site_id, COALESCE(item_id, 0), capacity, kind, "
                                          "hours, slot_minutes, active FROM booking_services "
                                          "WHERE id = ?", "i", (int64_t)id);
    if (rc)
        return rc;
    bool row = false, active = false;
    struct booking_hours h = {0};
    int slot_minutes = 0;
    rc = store_step(s, &row);
    if (!rc && row) {
        out->service_id = id;
        out->site_id = store_col_int(s, 0);
        out->item_id = store_col_int(s, 1);
        out->capacity = store_col_int(s, 2);
        snprintf(out->kind, sizeof out->kind, "%s", store_col_text(s, 3));
        booking_hours_parse(store_col_text(s, 4), &h);
        slot_minutes = (int)store_col_int(s, 5);
        active = store_col_int(s, 6) != 0;
    }
    store_finalize(s);
    if (rc || !row)
        return rc ? rc : BB_INVALID;
    out->end = out->start + slot_minutes;
    if (booking_unix(out->day, out->start) <= clock_now())
        return BB_SLOT_PAST;
    if (out->day > last_bookable_day())
        return BB_INVALID;
    *field = NULL;
    bool open = false;
    rc = working(tx, out->day, &open);
    if (rc)
        return rc;
    int starts[BOOKING_MAX_SLOTS];
    int n = booking_slot_starts(&h, slot_minutes, starts, BOOKING_MAX_SLOTS);
    bool fits = false;
    for (int i = 0; i < n; i++)
        fits |= starts[i] == out->start;
    return open && active && fits ? BB_OK : BB_SLOT_CLOSED;
}

struct svc {
    int64_t id, item_id, capacity;
    char name[200], kind[16], item[32];
    int starts[BOOKING_MAX_SLOTS], n, next, slot_minutes;
    int booked[BOOKING_MAX_SLOTS];
};

/* Places booked per start of one service on day. */
static enum bb_err counts(struct store_tx *tx, struct svc *v, const char *day)
{
    struct store_stmt *s;
    enum bb_err rc = booking_stmt(tx, &s, "SELECT start, booked FROM slot_counts "
                                          "WHERE service_id = ? AND day = ?", "it", v->id, day);
    if (rc)
        return rc;
    for (bool row = true; !rc;) {
        rc = store_step(s, &row);
        if (rc || !row)
            break;
        const char *t = store_col_text(s, 0);
        int m = (int)(digits(t, 2) * 60 + digits(t + 3, 2));
        for (int i = 0; i < v->n; i++)
            if (v->starts[i] == m)
                v->booked[i] = (int)store_col_int(s, 1);
    }
    store_finalize(s);
    return rc;
}

static enum bb_err load_services(struct store_tx *tx, int64_t site_id, const char *day,
                                 struct svc *v, int *nv)
{
    struct store_stmt *s;
    enum bb_err rc = booking_stmt(tx, &s, "SELECT b.id, b.name, b.kind, i.code, b.hours, "
                                          "b.slot_minutes, b.capacity FROM booking_services b "
                                          "LEFT JOIN items i ON i.id = b.item_id "
                                          "WHERE b.site_id = ? AND b.active = 1 ORDER BY b.id "
                                          "LIMIT ?", "ii", site_id, (int64_t)SITE_SERVICES_MAX);
    if (rc)
        return rc;
    *nv = 0;
    for (bool row = true; !rc;) {
        rc = store_step(s, &row);
        if (rc || !row)
            break;
        struct svc *x = &v[(*nv)++];
        memset(x, 0, sizeof *x);
        x->id = store_col_int(s, 0);
        snprintf(x->name, sizeof x->name, "%s", store_col_text(s, 1));
        snprintf(x->kind, sizeof x->kind, "%s", store_col_text(s, 2));
        snprintf(x->item, sizeof x->item, "%s", store_col_null(s, 3) ? "" : store_col_text(s, 3));
        struct booking_hours h;
        booking_hours_parse(store_col_text(s, 4), &h);
        x->slot_minutes = (int)store_col_int(s, 5);
        x->capacity = store_col_int(s, 6);
        x->n = booking_slot_starts(&h, x->slot_minutes, x->starts, BOOKING_MAX_SLOTS);
    }
    store_finalize(s);
    for (int i = 0; !rc && i < *nv; i++)
        rc = counts(tx, &v[i], day);
    return rc;
}

static json_t *slot_json(const struct svc *v, int i, int day)
{
    int y, m, d, t = v->starts[i];
    workday_to_ymd(day, &y, &m, &d);
    char id[64], start[32], end[32];
    snprintf(id, sizeof id, "%lld-%04d%02d%02d-%02d%02d", (long long)v->id, y, m, d, t / 60,
             t % 60);
    clock_iso(booking_unix(day, t), start, sizeof start);
    clock_iso(booking_unix(day, t + v->slot_minutes), end, sizeof end);
    int64_t left = v->capacity - v->booked[i];
    return json_pack("{s:s,s:I,s:s,s:s,s:s?,s:s,s:s,s:I,s:I}", "id", id, "service_id",
                     (json_int_t)v->id, "service", v->name, "kind", v->kind, "item",
                     v->item[0] ? v->item : NULL, "start", start, "end", end, "capacity",
                     (json_int_t)v->capacity, "remaining", (json_int_t)(left > 0 ? left : 0));
}

/* Every service's slots that have not started, merged by start time (then service id). */
static enum bb_err merge(struct svc *v, int nv, int day, json_t *items)
{
    int64_t now = clock_now();
    for (;;) {
        int best = -1;
        for (int k = 0; k < nv; k++) {
            while (v[k].next < v[k].n && booking_unix(day, v[k].starts[v[k].next]) <= now)
                v[k].next++;
            if (v[k].next < v[k].n &&
                (best < 0 || v[k].starts[v[k].next] < v[best].starts[v[best].next]))
                best = k;
        }
        if (best < 0)
            return BB_OK;
        json_t *o = slot_json(&v[best], v[best].next++, day);
        if (!o || json_array_append_new(items, o))
            return BB_NOMEM;
    }
}

enum bb_err booking_slots(struct store_tx *tx, int64_t site_id, const char *date, json_t **out,
                          const char **field)
{
    bool found = false;
    int64_t any;
    enum bb_err rc = store_query_int(tx, "SELECT id FROM sites WHERE id = ?", 1, &site_id, &found,
                                     &any);
    if (rc || !found)
        return rc ? rc : BB_NOT_FOUND;
    int day, last = last_bookable_day();
    *field = "date";
    if (!date)
        return BB_MISSING_FIELD;
    if (workday_parse(date, &day) || day < booking_today() || day > last)
        return BB_INVALID;
    *field = NULL;
    bool open;
    rc = working(tx, day, &open);
    if (rc)
        return rc;
    char until[WORKDAY_DATE_LEN];
    workday_format(last, until);
    json_t *items = json_array();
    struct svc *v = open ? calloc(SITE_SERVICES_MAX, sizeof *v) : NULL;
    if (!items || (open && !v)) {
        json_decref(items);
        return BB_NOMEM;
    }
    int nv = 0;
    if (open)
        rc = load_services(tx, site_id, date, v, &nv);
    if (!rc)
        rc = merge(v, nv, day, items);
    free(v);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = json_pack("{s:I,s:s,s:b,s:s,s:o}", "site_id", (json_int_t)site_id, "date", date,
                     "open", open, "bookable_until", until, "items", items);
    return *out ? BB_OK : BB_NOMEM;
}
