/* queue_int.h - what the queue's files share: the day, kinds and their prefixes, the call
 * order, the ticket as the API shows it, the version bump and the audit entry. */
#ifndef BB_QUEUE_INT_H
#define BB_QUEUE_INT_H
#include "../core/workday.h"
#include "queue.h"

/* Today (+08:00) as a day number and as "YYYY-MM-DD". */
int q_today(void);
void q_today_str(char out[WORKDAY_DATE_LEN]);

/* The window kinds in display order (NULL-terminated) and the number prefix of kind ('A' for
 * general ... 'G' for self_service; 0 when kind is unknown). */
extern const char *const q_kinds[];
char q_prefix(const char *kind);

/* The call order of waiting tickets aliased x: the priority lane (绿色通道) first, then the time
 * taken (a transferred ticket keeps it), then the id. */
#define Q_LANE(x) "CASE WHEN " x ".priority = 'none' THEN 1 ELSE 0 END"
#define Q_ORDER(x) Q_LANE(x) ", " x ".taken_at, " x ".id"

/* SELECT list and joins of one ticket aliased t (read with q_ticket_json). */
#define Q_TICKET_SELECT                                                                        \
    "SELECT t.id, t.site_id, t.day, t.number, t.kind, t.priority, t.status, t.window_id, "      \
    "w.name, i.code, ap.code, t.taken_at, t.called_at, t.call_count, t.started_at, "           \
    "t.finished_at, c.receipt, t.rate_code, "                                                  \
    "CASE WHEN t.status = 'waiting' THEN (SELECT COUNT(*) FROM tickets o "                     \
    " WHERE o.site_id = t.site_id AND o.day = t.day AND o.kind = t.kind "                      \
    " AND o.status = 'waiting' AND (" Q_LANE("o") " < " Q_LANE("t") " OR (" Q_LANE("o")        \
    " = " Q_LANE("t") " AND (o.taken_at < t.taken_at "                                         \
    " OR (o.taken_at = t.taken_at AND o.id < t.id))))) END "                                   \
    "FROM tickets t LEFT JOIN windows w ON w.id = t.window_id "                                \
    "LEFT JOIN items i ON i.id = t.item_id LEFT JOIN appointments ap ON ap.id = t.appointment_id " \
    "LEFT JOIN cases c ON c.id = t.case_id "

/* The current row of a Q_TICKET_SELECT statement as the API shows it (a new reference, NULL
 * when out of memory); with_code adds rate_code. */
json_t *q_ticket_json(struct store_stmt *s, bool with_code);
/* Runs Q_TICKET_SELECT followed by tail (a WHERE / ORDER BY clause whose parameters bind
 * binds from arg) and appends every row to arr as q_ticket_json makes it. */
typedef enum bb_err (*q_binder)(struct store_stmt *s, const void *arg);
enum bb_err q_tickets(struct store_tx *tx, const char *tail, q_binder bind, const void *arg,
                      bool with_code, json_t *arr);

/* Bumps the site's queue version: every ticket change calls it in its own transaction. */
enum bb_err q_bump(struct store_tx *tx, int64_t site_id);
/* True in *open when the site has an active window of kind. */
enum bb_err q_kind_open(struct store_tx *tx, int64_t site_id, const char *kind, bool *open);
/* One audit entry "ticket.<what>" on object "ticket:<id>" with the number (and window). */
enum bb_err q_audit(struct store_tx *tx, const struct actor *a, const char *what, int64_t id,
                    const char *number, int64_t window_id);
/* May a change tickets at site_id? Staff with FRONT_DESK, at that very site (NULL a: yes). */
enum bb_err q_desk_check(struct store_tx *tx, const struct actor *a, int64_t site_id);

#endif
