/* cases.h - 办件: intake under an entrustment, the village -> township -> district relay with
 * custody of materials, acceptance, back-office decision, issuance back down the relay, return
 * visit and archive; deadlines in working days; the public progress query. Every function runs
 * in the caller's transaction; every change writes the case, a timeline event and an audit entry
 * in that one transaction. */
#ifndef BB_CASES_H
#define BB_CASES_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "../sites/authz.h"
#include "../store/store.h"

#define CASE_RECEIPT_LEN 24
#define CASE_MAX_MATERIALS 60

struct case_policy {
    int due_soon_days;   /* working days left that count as due soon (2) */
    int leg_days;        /* working days a handoff to a township or village may stay unconfirmed */
    int leg_days_district; /* the same for a handoff to a district centre */
    int notice_days;     /* working days to give the one-time notice (5, 行政许可法 art. 32) */
};
void case_set_policy(const struct case_policy *p);
const struct case_policy *case_get_policy(void);

struct case_in {
    const char *item_code, *name, *id_number, *phone, *channel;
    bool entrusted;                       /* an entrustment object was sent */
    const char *ent_scope, *ent_signed_on, *ent_valid_until;
    int64_t received[CASE_MAX_MATERIALS]; /* material ids received at intake */
    int nreceived;
};

/* Opens a case at the actor's site. *field names the bad input ("applicant.id_number", ...). */
enum bb_err case_create(struct store_tx *tx, const struct actor *a, const struct case_in *in,
                        char receipt[CASE_RECEIPT_LEN], const char **field);

struct case_action {
    const char *name;                     /* submit, receive, accept, ... */
    int64_t if_match;                     /* 0 = not sent */
    int64_t to_site;                      /* 0 = default */
    bool has_materials;
    int64_t materials[CASE_MAX_MATERIALS];
    int nmaterials;
    const char *note, *reason, *legal_basis, *discrepancy;
    bool has_approved, approved, has_satisfied, satisfied;
    int64_t days;
};

/* Applies an action. BB_WRONG_STATE (with *allowed: a new JSON array of the actions the state
 * allows), BB_FORBIDDEN, BB_VERSION_MISMATCH, BB_MATERIALS_MISSING, BB_INVALID/BB_MISSING_FIELD
 * with *field. */
enum bb_err case_act(struct store_tx *tx, const struct actor *a, const char *receipt,
                     const struct case_action *in, const char **field, json_t **allowed);
/* True when name is an action. */
bool case_action_known(const char *name);

/* The case as the API shows it. reveal: the full ID number (audited), for the holder site. */
enum bb_err case_get(struct store_tx *tx, const struct actor *a, const char *receipt,
                     bool reveal, json_t **out);

struct case_query {
    const char *status, *state, *item, *q;
    bool holder_me;
    int64_t site_id;
    int64_t after;                         /* cursor: case id */
    int limit;
};
enum bb_err case_list(struct store_tx *tx, const struct actor *a, const struct case_query *q,
                      json_t **items, int64_t *next);
enum bb_err case_notice(struct store_tx *tx, const struct actor *a, const char *receipt,
                        json_t **out);
/* Public progress by receipt and query code or the phone's last four digits. */
enum bb_err case_progress(struct store_tx *tx, const char *receipt, const char *code,
                          const char *phone4, json_t **out);
/* Counts a failed public lookup per address when failed (write transaction) and reports
 * *retry_after > 0 once the address is over its limit. */
enum bb_err case_progress_limited(struct store_tx *tx, const char *addr, bool failed,
                                  int *retry_after);
/* Due-soon, overdue, notice-due cases and late handoffs at the actor's site. */
enum bb_err case_alerts(struct store_tx *tx, const struct actor *a, json_t **out);
/* Applies deemed acceptance (行政许可法 art. 32) to cases past their notice day. */
enum bb_err case_sweep(struct store_tx *tx, int *changed);

#endif
