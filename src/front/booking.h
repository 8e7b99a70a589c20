/* booking.h - 预约 appointments: a site's bookable services (a window kind, optionally one item,
 * opening hours, slot length and capacity), slots computed from the hours on working days of the
 * holiday calendar, and residents' bookings with their life (booked -> cancelled | checked_in |
 * no_show). Capacity holds in the database: one conditional UPDATE of slot_counts per booking,
 * whichever node takes it. Every function runs in the caller's transaction; on a validation
 * failure *field names the input field (a static string). */
#ifndef BB_BOOKING_H
#define BB_BOOKING_H
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "../sites/authz.h"
#include "../store/store.h"

/* --- opening hours and slots (pure) ------------------------------------------------------- */

#define BOOKING_MAX_RANGES 4
#define BOOKING_MAX_SLOTS 288        /* 24 h of 5-minute slots */
#define BOOKING_CODE_LEN 8

/* Ranges in minutes after midnight, ascending and not overlapping. */
struct booking_hours {
    int n;
    int from[BOOKING_MAX_RANGES], to[BOOKING_MAX_RANGES];
};

/* Parses "09:00-12:00,13:30-17:30": 1-4 ranges HH:MM-HH:MM (00:00..24:00), each from < to,
 * ascending, not overlapping (touching is fine). False on anything else. */
bool booking_hours_parse(const char *s, struct booking_hours *h);
/* Start minutes of the slots: every slot_minutes from each range's start while the slot ends
 * within the range. Writes at most max, returns how many. */
int booking_slot_starts(const struct booking_hours *h, int slot_minutes, int *starts, int max);
/* Today's day number (+08:00) from the clock. */
int booking_today(void);
/* Unix time of minute m (after midnight, +08:00) of day. */
int64_t booking_unix(int day, int minute);

/* --- bookable services -------------------------------------------------------------------- */

enum {
    BS_NAME = 1 << 0, BS_KIND = 1 << 1, BS_ITEM = 1 << 2, BS_HOURS = 1 << 3,
    BS_SLOT = 1 << 4, BS_CAPACITY = 1 << 5, BS_ACTIVE = 1 << 6,
};

struct bsvc_in {
    unsigned set;              /* BS_* present; create reads every field, BS_ITEM/BS_ACTIVE
                                * say whether item/active were given */
    int64_t site_id;           /* create only */
    const char *name, *kind, *item, *hours; /* item NULL: any item the site handles */
    int64_t slot_minutes, capacity;
    bool active;
};

/* MANAGE_BOOKING on the site. BB_INVALID with *field (site_id, kind, item, hours,
 * slot_minutes, capacity), BB_FORBIDDEN. */
enum bb_err bsvc_create(struct store_tx *tx, const struct actor *a, const struct bsvc_in *in,
                        int64_t *id, const char **field);
enum bb_err bsvc_update(struct store_tx *tx, const struct actor *a, int64_t id,
                        const struct bsvc_in *in, const char **field);
/* READ_FRONT on the site (a NULL actor reads anything). */
enum bb_err bsvc_get(struct store_tx *tx, const struct actor *a, int64_t id, json_t **out);
/* Services in the actor's subtree (only site_id's when > 0), by id, paged. */
enum bb_err bsvc_list(struct store_tx *tx, const struct actor *a, int64_t site_id,
                      int64_t after, int limit, json_t **items, int64_t *next);

/* --- public reads -------------------------------------------------------------------------- */

/* {"items":[{"id","name","level","code","parent_id","address","phone","hours"}]} */
enum bb_err booking_public_sites(struct store_tx *tx, json_t **out);
/* The slots of site_id on date (as in the contract). BB_NOT_FOUND (site), BB_MISSING_FIELD or
 * BB_INVALID with *field "date". */
enum bb_err booking_slots(struct store_tx *tx, int64_t site_id, const char *date, json_t **out,
                          const char **field);

/* --- appointments -------------------------------------------------------------------------- */

struct booking_in {
    const char *slot, *item, *name, *phone;
    const char *addr;          /* client address, for the per-address booking limit */
};

/* Books a place. BB_INVALID (slot, item, name, phone), BB_SLOT_PAST, BB_SLOT_CLOSED,
 * BB_SLOT_FULL, BB_CONFLICT (that phone already booked there that day), BB_BOOKING_BLOCKED,
 * BB_RATE_LIMITED with *retry_after. code gets the booking code. Audited. */
enum bb_err booking_create(struct store_tx *tx, const struct booking_in *in,
                           char code[BOOKING_CODE_LEN + 1], int *retry_after, const char **field);
/* The appointment for the booking code and phone; BB_NOT_FOUND when either is wrong. Sets
 * *id (may be NULL) to its id. */
enum bb_err booking_find(struct store_tx *tx, const char *code, const char *phone, int64_t *id);
/* The appointment as the resident sees it (staff: with its id). */
enum bb_err booking_json(struct store_tx *tx, int64_t id, bool staff, json_t **out);
/* Cancels a booked appointment before its slot starts (BB_WRONG_STATE otherwise) and frees
 * the place. Audited as the system. */
enum bb_err booking_cancel(struct store_tx *tx, int64_t id);
/* Checks in on the booking's day (BB_WRONG_STATE otherwise): takes a ticket with priority
 * appointment in the service's window kind; *ticket_id is it. a = NULL: the resident. */
enum bb_err booking_check_in(struct store_tx *tx, const struct actor *a, int64_t id,
                             int64_t *ticket_id);
/* Marks a booked appointment whose slot has started no_show (staff, FRONT_DESK). */
enum bb_err booking_no_show(struct store_tx *tx, const struct actor *a, int64_t id);
/* FRONT_DESK on the appointment's site (for staff actions), BB_NOT_FOUND when unknown. */
enum bb_err booking_staff_check(struct store_tx *tx, const struct actor *a, int64_t id);
/* A day's appointments of a site by start time (READ_FRONT). status NULL: every status;
 * BB_INVALID field "status" when unknown. */
enum bb_err booking_list(struct store_tx *tx, const struct actor *a, int64_t site_id,
                         const char *date, const char *status, json_t **items,
                         const char **field);
/* The server's tick: still-booked appointments of past days become no_show. */
enum bb_err booking_sweep(struct store_tx *tx, int *changed);

/* Per-address limit on public lookups by code and phone: *retry_after > 0 once too many failed
 * in the window; with count, records one more failure. */
enum bb_err booking_lookup_limited(struct store_tx *tx, const char *addr, bool count,
                                   int *retry_after);

/* --- internal (booking*.c) ------------------------------------------------------------------ */

/* A slot resolved from its id "<service>-<YYYYMMDD>-<HHMM>". */
struct booking_slot {
    int64_t service_id, site_id, item_id, capacity; /* item_id 0: any item */
    int day, start, end;                            /* day number; minutes after midnight */
    char kind[16];
    char start_s[6];                                /* "HH:MM" as stored in slot_counts */
};
/* BB_INVALID (field "slot") when malformed, of an unknown service or after the bookable days;
 * BB_SLOT_PAST once it has started; BB_SLOT_CLOSED on a closed day, outside the hours or for an
 * inactive service. */
enum bb_err booking_slot_resolve(struct store_tx *tx, const char *slot, struct booking_slot *out,
                                 const char **field);
/* booked -> checked_in with the ticket, exactly once (BB_WRONG_STATE otherwise). */
enum bb_err booking_check_in_mark(struct store_tx *tx, int64_t id, int64_t ticket_id);

/* Prepares sql and binds the arguments ('i' int64_t, 't' text). */
enum bb_err booking_stmt(struct store_tx *tx, struct store_stmt **s, const char *sql,
                         const char *types, ...);
/* The published item by code, handled at the site (site_items, or any at a district centre).
 * BB_INVALID with *field "item" otherwise. */
enum bb_err booking_item(struct store_tx *tx, int64_t site_id, const char *code, int64_t *item_id,
                         const char **field);
/* Rate limit on key: a window of window_s seconds holding up to max events. With count, adds
 * one event (when not over). *retry_after > 0 when over the limit. */
enum bb_err booking_rate(struct store_tx *tx, const char *key, int max, int window_s, bool count,
                         int *retry_after);

#endif
