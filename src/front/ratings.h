/* ratings.h - 好差评 (国办发〔2019〕51号, GB/T 39734-2020): one rating per case (一事一评) or
 * per on-site visit (一次一评: a queue ticket), given by the resident with the code printed on
 * the receipt or the slip; a bad rating (level 1-2) opens a 整改 rectification at the rated site:
 * verify (核实) -> rectify (整改) -> return visit (回访) -> closed, with one appeal (申诉) by the
 * resident after the visit, reviewed (复核) at the next level up. Every function runs in the
 * caller's transaction and audits every change there. */
#ifndef BB_RATINGS_H
#define BB_RATINGS_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "../core/workday.h"
#include "../sites/authz.h"
#include "../store/store.h"

#define RATING_MAX_TAGS 10
#define RATING_FAILS 20     /* wrong receipt/ticket + code pairs per address per window */
#define RATING_WINDOW 900   /* seconds */

/* What a resident rates: a case (receipt) or a visit (ticket id), proved by its code. */
struct rating_target {
    const char *receipt;  /* NULL unless a case */
    int64_t ticket_id;    /* 0 unless a visit */
    const char *code;     /* the case's query_code or the ticket's rate_code */
};

struct rating_in {
    struct rating_target t;
    int64_t level;                         /* 1 .. 5 */
    const char *tags[RATING_MAX_TAGS];
    int ntags;
    const char *comment;                   /* NULL: none */
    const char *channel;                   /* web, qr, progress, window */
};

/* The public rateable view. BB_NOT_FOUND when the pair does not match (an unknown target and a
 * wrong code answer alike). */
enum bb_err rating_rateable(struct store_tx *tx, const struct rating_target *t, json_t **out);
/* Records the rating and, for level <= 2, opens the rectification. BB_NOT_FOUND (wrong pair),
 * BB_NOT_RATEABLE (not finished), BB_ALREADY_RATED (also when the unique key decides a race),
 * BB_INVALID with *field. *out is the public rating with "rectification":{"id","due"}|null. */
enum bb_err rating_submit(struct store_tx *tx, const struct rating_in *in, json_t **out,
                          const char **field);
/* The resident's 申诉 once the return visit was made. BB_NOT_FOUND (wrong pair),
 * BB_WRONG_STATE (no rectification, no visit yet, or appealed before). *out: the public
 * rectification view. */
enum bb_err rating_appeal(struct store_tx *tx, const struct rating_target *t, const char *reason,
                          json_t **out);
/* Counts a failed public lookup per address when failed (write transaction only) and reports
 * *retry_after > 0 once the address is over RATING_FAILS within RATING_WINDOW. */
enum bb_err rating_limited(struct store_tx *tx, const char *addr, bool failed, int *retry_after);

struct rating_query {
    int64_t site_id;      /* 0: the actor's subtree; else that site's subtree */
    int64_t level;        /* 0: any */
    const char *from, *to; /* YYYY-MM-DD (China time) or NULL */
    int64_t after;        /* cursor: rating id */
    int limit;
};
/* Ratings of the actor's subtree. BB_FORBIDDEN (role, or a site outside it), BB_INVALID with
 * *field for a bad date. */
enum bb_err rating_list(struct store_tx *tx, const struct actor *a, const struct rating_query *q,
                        json_t **items, int64_t *next, const char **field);

/* --- rectifications (rectify.c, rect_*.c) --- */

struct rect_query {
    int64_t site_id;      /* 0: the actor's subtree; else that site's subtree */
    const char *status, *state; /* NULL: any */
    int64_t after;
    int limit;
};
enum bb_err rect_list(struct store_tx *tx, const struct actor *a, const struct rect_query *q,
                      json_t **items, int64_t *next, const char **field);
/* The rectification with its rating and events. BB_NOT_FOUND, BB_FORBIDDEN. */
enum bb_err rect_get(struct store_tx *tx, const struct actor *a, int64_t id, json_t **out);

struct rect_action {
    const char *name;     /* verify, rectify, visit, close, review */
    int64_t if_match;     /* 0 = not sent */
    const char *note, *verdict, *outcome;
    bool has_satisfied, satisfied;
};
/* True when name is an action. */
bool rect_action_known(const char *name);
/* Applies an action. BB_NOT_FOUND, BB_FORBIDDEN, BB_VERSION_MISMATCH, BB_WRONG_STATE,
 * BB_MISSING_FIELD / BB_INVALID with *field. */
enum bb_err rect_act(struct store_tx *tx, const struct actor *a, int64_t id,
                     const struct rect_action *in, const char **field);
/* Appends {"kind":"rectification_overdue"|"rectification_due_soon","id","site","site_id","due"}
 * for open, verified or rectified rectifications in the actor's subtree that the actor may
 * work on (AUTHZ_RECTIFY). */
enum bb_err rect_alerts(struct store_tx *tx, const struct actor *a, json_t *items);

/* Opens the rectification of a bad rating at site_id (inside rating_submit): assignee, today,
 * due in front_get_policy()->rectify_days working days, an "open" event. */
enum bb_err rect_open(struct store_tx *tx, int64_t rating_id, int64_t site_id, int64_t *id,
                      char due[WORKDAY_DATE_LEN]);
/* The site's responsible person: its first active admin or coordinator (lowest id), else clerk,
 * else agent; 0 when there is nobody. */
enum bb_err rect_assignee(struct store_tx *tx, int64_t site_id, int64_t *user_id);
/* The due day: days working days after from. */
enum bb_err rect_due(const struct workday_cal *cal, int from, int days, int *due);
/* "overdue" (the due day passed while open, verified or rectified), "due_soon" (at most
 * case_get_policy()->due_soon_days working days left then) or "normal". */
const char *rect_state(const struct workday_cal *cal, const char *status, const char *due,
                       int today);
/* Today's day number in China time. */
int rect_today(void);

#endif
