/* visits.h - 上门服务: staff schedule a home visit for a case of a resident from a special group
 * (elderly living alone, disabled, seriously ill), an agent goes on the day and records the
 * outcome; a visit can be cancelled with a reason. Only a scheduled visit changes. */
#ifndef BB_VISITS_H
#define BB_VISITS_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "../sites/authz.h"
#include "../store/store.h"

struct visit_in {
    const char *receipt;   /* the case */
    const char *day;       /* YYYY-MM-DD, today or later */
    const char *time;      /* HH:MM or NULL */
    const char *address;   /* 1-200 characters */
    const char *group;     /* elderly_alone, disabled, seriously_ill, other */
    int64_t agent;         /* user id; 0: the caller */
};

/* Checks what needs no database: day (not before today), time, address, group. BB_INVALID or
 * BB_MISSING_FIELD with *field. */
enum bb_err visit_check(const struct visit_in *in, int today, const char **field);
/* Schedules a visit (AUTHZ_HOME_VISIT; the case visible to a; the agent active staff at a site
 * whose subtree holds the case's holder or opening site). */
enum bb_err visit_create(struct store_tx *tx, const struct actor *a, const struct visit_in *in,
                         int64_t *id, const char **field);
enum bb_err visit_get(struct store_tx *tx, const struct actor *a, int64_t id, json_t **out);

struct visit_query {
    const char *date, *status;   /* NULL: any */
    bool mine;                   /* the caller's visits as the agent */
    int64_t site_id;             /* 0: the whole subtree */
    int64_t offset;              /* ordered by day and time, so pages go by offset */
    int limit;
};
/* *next is the offset of the next page, 0 when none. */
enum bb_err visit_list(struct store_tx *tx, const struct actor *a, const struct visit_query *q,
                       json_t **items, int64_t *next);
/* done {outcome} / cancel {reason}: only from scheduled (else BB_WRONG_STATE). */
enum bb_err visit_act(struct store_tx *tx, const struct actor *a, int64_t id, const char *action,
                      const char *text, const char **field);

#endif
