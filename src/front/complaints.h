/* complaints.h - 办不成事反映: a resident (on the public page, at the complaint window, or through
 * the 12345 hotline) reports something they could not get done at a site; staff of the site or
 * above assign it, answer it within --complaint-days working days, and the resident rates the
 * answer, which closes it. Also the helpers the hotline and home visits share with it. */
#ifndef BB_COMPLAINTS_H
#define BB_COMPLAINTS_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "../core/buf.h"
#include "../core/crypto.h"
#include "../core/workday.h"
#include "../sites/authz.h"
#include "../store/store.h"

#define COMPLAINT_CODE_LEN 9 /* 8 characters and the NUL */
#define COMPLAINT_PER_HOUR 10 /* public filings per address per hour */

struct complaint_in {
    int64_t site_id;         /* 0: the actor's own site (window filing) */
    const char *item_code;   /* NULL: none; else a published item */
    const char *name, *phone, *description;
    const char *source;      /* web, window, hotline */
};

/* Files a complaint (a NULL for the public page and the hotline; staff need FRONT_DESK at the
 * site). BB_INVALID / BB_MISSING_FIELD with *field; *id and code (may be NULL) filled. */
enum bb_err complaint_create(struct store_tx *tx, const struct actor *a,
                             const struct complaint_in *in, int64_t *id,
                             char code[COMPLAINT_CODE_LEN], const char **field);
/* The complaint as staff see it (names and phones masked). */
enum bb_err complaint_get(struct store_tx *tx, const struct actor *a, int64_t id, json_t **out);

struct complaint_query {
    int64_t site_id;                   /* 0: the whole subtree */
    const char *status, *state;        /* NULL: any */
    int64_t after;
    int limit;
};
enum bb_err complaint_list(struct store_tx *tx, const struct actor *a,
                           const struct complaint_query *q, json_t **items, int64_t *next);

/* assign {user}, answer {answer}, close. BB_WRONG_STATE from another status, BB_INVALID with
 * *field, BB_FORBIDDEN outside RECTIFY scope. */
enum bb_err complaint_act(struct store_tx *tx, const struct actor *a, int64_t id,
                          const char *action, int64_t user, const char *answer,
                          const char **field);

/* Public: the complaint by code and phone; BB_NOT_FOUND for a wrong pair. */
enum bb_err complaint_public_get(struct store_tx *tx, const char *code, const char *phone,
                                 json_t **out);
/* Public: the resident's level (1-5) for the answer: answered -> closed. */
enum bb_err complaint_rate(struct store_tx *tx, const char *code, const char *phone, int level);

/* Write transaction: counts one public filing from addr; *retry_after > 0 (and nothing
 * counted) when the address already filed COMPLAINT_PER_HOUR within the hour. */
enum bb_err complaint_file_limited(struct store_tx *tx, const char *addr, int *retry_after);
/* Write transaction: counts a failed public look-up when failed; *retry_after > 0 once the
 * address is over its limit. */
enum bb_err complaint_lookup_limited(struct store_tx *tx, const char *addr, bool failed,
                                     int *retry_after);

/* Appends {"kind":"complaint_overdue","id","code","site","due"} for open or assigned complaints
 * past due in the actor's subtree (merged into GET /api/v1/alerts). */
enum bb_err complaint_alerts(struct store_tx *tx, const struct actor *a, json_t *items);

/* The due date: days working days after opened (front policy complaint_days). */
enum bb_err complaint_due(const struct workday_cal *cal, int opened, int days,
                          char due[WORKDAY_DATE_LEN]);
/* "overdue" when status is open/assigned and today is past due, else "normal". */
const char *complaint_state(const char *status, const char *due, int today);

/* --- shared by complaints.c, hotline.c, visits.c --- */

/* Today's day number in China time (+08:00). */
int desk_today(void);
/* The id of a published item with code; BB_INVALID when there is none. */
enum bb_err desk_item(struct store_tx *tx, const char *code, int64_t *item_id);
/* Seals a valid phone: lookup hash, sealed hex (sealed initialised here, free it) and mask.
 * BB_INVALID when the phone is not a mainland mobile number. */
enum bb_err desk_phone(const char *phone, char hash[TOKEN_HEX], struct buf *sealed,
                       char masked[16]);
/* BB_OK when user is an active staff member (agent, web_agent, clerk, coordinator, admin);
 * fills their site's path. BB_INVALID when not. */
enum bb_err desk_staff(struct store_tx *tx, int64_t user, char path[SITE_PATH_MAX]);
/* Unix time as ISO 8601 +08:00, or JSON null for SQL NULL column col. */
json_t *desk_time(struct store_stmt *s, int col);
/* Text column or JSON null. */
json_t *desk_text(struct store_stmt *s, int col);

#endif
