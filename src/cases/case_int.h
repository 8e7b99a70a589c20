/* case_int.h - shared by the cases module's files only. */
#ifndef BB_CASE_INT_H
#define BB_CASE_INT_H
#include "../core/workday.h"
#include "cases.h"

struct case_row {
    int64_t id, item_id, item_version, site_id, first_user_id, holder_site_id, holder_user_id;
    int64_t version, extension_days, promised_days, department_id;
    bool materials_returned, visited;
    char receipt[CASE_RECEIPT_LEN], status[16], case_type[16], item_code[16];
    char received_on[WORKDAY_DATE_LEN], notice_given_on[WORKDAY_DATE_LEN];
    char notice_due[WORKDAY_DATE_LEN], accepted_on[WORKDAY_DATE_LEN];
    char deadline[WORKDAY_DATE_LEN], paused_since[WORKDAY_DATE_LEN];
    char holder_path[SITE_PATH_MAX], site_path[SITE_PATH_MAX], holder_level[12];
    char joint[256], dept_code[32];
};

/* Loads a case by receipt: BB_NOT_FOUND when unknown. */
enum bb_err case_load(struct store_tx *tx, const char *receipt, struct case_row *c);
/* True when the actor may see the case: its holder or intake site lies in the actor's subtree. */
bool case_visible(const struct actor *a, const struct case_row *c);
/* Today's day number in China time. */
int case_today(void);
/* Appends a timeline event and the matching audit entry. */
enum bb_err case_event(struct store_tx *tx, const struct actor *a, const struct case_row *c,
                       const char *action, const char *status, const char *note);
/* The actions this actor could take on the case now (a new JSON array). */
enum bb_err case_allowed_for(struct store_tx *tx, const struct actor *a, const struct case_row *c,
                             json_t **out);
/* The actions the status allows (a new JSON array of names). */
json_t *case_allowed(const char *status);
/* Deadline view: days_left (INT32_MIN when none), state "normal|due_soon|overdue". */
void case_clock(const struct workday_cal *cal, const struct case_row *c, int today,
                int *days_left, const char **state, bool *provisional);


/* One action in progress (case_actions.c drives, case_steps.c holds each action's rules). */
struct case_step {
    struct store_tx *tx;
    const struct actor *a;
    struct case_row c;
    const struct case_action *in;
    const char **field;
    struct workday_cal *cal;
    int today;
    const char *status; /* the status after the action */
    bool pending;       /* refused because a handoff awaits its receipt */
    char note[2048];
};

typedef enum bb_err (*case_step_fn)(struct case_step *x);
#define CASE_ACTION(n, from, roles) enum bb_err case_step_##n(struct case_step *x);
#include "actions.def"
#undef CASE_ACTION
/* True when dept must decide the case (the item's department, or one of its joint ones). */
bool case_deciding_dept(const struct case_row *c, const char *dept);

#endif
