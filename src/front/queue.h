/* queue.h - 排队叫号: tickets per site and window kind, numbered per day with a prefix per kind
 * (A general, B assisted, C specialised, D complaint, E cross_region, F issuance,
 * G self_service); priority lane (绿色通道) first, then order of taking; windows call the next
 * ticket they can serve, exactly once, whichever node they talk to (the database decides). */
#ifndef BB_QUEUE_H
#define BB_QUEUE_H
#include <stdint.h>
#include <jansson.h>
#include "../sites/authz.h"
#include "../store/store.h"

struct ticket_in {
    int64_t site_id;
    const char *kind;           /* window kind */
    const char *priority;       /* none (NULL), elderly, disabled, pregnant, appointment */
    const char *item_code;      /* optional */
    int64_t appointment_id;     /* 0 = none (set by booking check-in) */
};

/* Takes a ticket (a = NULL: a public kiosk). BB_INVALID with *field ("kind": no active window
 * of that kind at the site; "priority", "item"), BB_NOT_FOUND (site), BB_FORBIDDEN, BB_CONFLICT
 * when the day's numbers of that kind are used up. *id is the new ticket. Bumps the site's
 * queue version. */
enum bb_err ticket_take(struct store_tx *tx, const struct actor *a, const struct ticket_in *in,
                        int64_t *id, const char **field);
/* The ticket as the API shows it; with_code adds rate_code (the slip's rating code). */
enum bb_err ticket_get(struct store_tx *tx, const struct actor *a, int64_t id, bool with_code,
                       json_t **out);
/* The site's queue version (0 when no ticket ever changed): what live displays watch. */
enum bb_err queue_version(struct store_tx *tx, int64_t site_id, int64_t *version);
/* The display snapshot of GET /api/v1/public/sites/{id}/queue. */
enum bb_err queue_snapshot(struct store_tx *tx, int64_t site_id, json_t **out);

/* Staff lists: tickets of a site (0: the actor's own) on a day (NULL: today), optionally of one
 * status; by id, after the cursor. BB_INVALID with *field ("date", "status"). */
struct ticket_query {
    int64_t site_id;
    const char *date, *status;
    int64_t after;
    int limit;
};
enum bb_err ticket_list(struct store_tx *tx, const struct actor *a, const struct ticket_query *q,
                        json_t **items, int64_t *next, const char **field);

/* Calls the next waiting ticket of the window's kind at its site to the window: priority lane
 * first, then the order of taking. The actor must work at the window's own site. BB_NOT_FOUND
 * (window), BB_FORBIDDEN, BB_WRONG_STATE (inactive window), BB_WINDOW_BUSY (it still has a called
 * or serving ticket), BB_QUEUE_EMPTY. *id is the ticket now called. */
enum bb_err queue_call_next(struct store_tx *tx, const struct actor *a, int64_t window_id,
                            int64_t *id);

/* recall, start, skip, finish (case: a receipt, optional), transfer (kind). BB_WRONG_STATE,
 * BB_FORBIDDEN (not at the ticket's site), BB_INVALID/BB_MISSING_FIELD with *field. */
struct ticket_action {
    const char *name;
    const char *kind;          /* transfer */
    const char *case_receipt;  /* finish; NULL = none */
};
bool ticket_action_known(const char *name);
enum bb_err ticket_act(struct store_tx *tx, const struct actor *a, int64_t id,
                       const struct ticket_action *in, const char **field);

/* The calling console's view of a window: {"window","current","waiting","waiting_count"}. */
enum bb_err queue_window_view(struct store_tx *tx, const struct actor *a, int64_t window_id,
                              json_t **out);
/* Statistics of a site (0: the actor's own) from..to (NULL: today). BB_INVALID with *field. */
enum bb_err queue_stats(struct store_tx *tx, const struct actor *a, int64_t site_id,
                        const char *from, const char *to, json_t **out, const char **field);

#endif
