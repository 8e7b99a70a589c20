/* rect_int.h - shared by ratings.c, rectify.c and rect_*.c only. */
#ifndef BB_RECT_INT_H
#define BB_RECT_INT_H
#include "ratings.h"

struct rect_row {
    int64_t id, rating_id, site_id, assignee, version;
    bool visited;                  /* a return visit was made (visit_satisfied set) */
    bool appealed;                 /* the one appeal was used */
    char status[16], due[WORKDAY_DATE_LEN];
    char site_path[SITE_PATH_MAX];
};

/* Loads a rectification: BB_NOT_FOUND when unknown. */
enum bb_err rect_load(struct store_tx *tx, int64_t id, struct rect_row *r);
/* Appends an event (a NULL: the resident or the system) and the matching audit entry. */
enum bb_err rect_event(struct store_tx *tx, const struct actor *a, int64_t id,
                       const char *action, const char *status, const char *note);
/* True when the resident may appeal now: visited, or closed after a visit, and not yet. */
bool rect_appealable(const struct rect_row *r);
/* {"status","due","rectification","visit_note","appealable"} of the rectification. */
enum bb_err rect_public_json(struct store_tx *tx, int64_t id, json_t **out);
/* The rating as staff see it: {"id","site_id","site","target","receipt","number","level",
 * "tags","comment","channel","created_at"}, plus "rectification":{"id","status"}|null when
 * with_rect. */
enum bb_err rating_staff_json(struct store_tx *tx, int64_t id, bool with_rect, json_t **out);
/* Unix time of 00:00 China time on day. */
int64_t rect_day_start(int day);

#endif
