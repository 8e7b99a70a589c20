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

#endif
