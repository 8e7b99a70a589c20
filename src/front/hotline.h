/* hotline.h - 12345 hotline work orders (工单): the hotline's system files them with an API key;
 * a complaint order becomes a 办不成事 complaint at once, a consultation or case order waits in
 * the site's inbox until staff answer it or link the case opened for it. Per key, an order
 * number names one order: sent again with the same content it is the same order, with other
 * content it is refused (409), so the hotline can retry safely. */
#ifndef BB_HOTLINE_H
#define BB_HOTLINE_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "../sites/authz.h"
#include "../store/store.h"

struct hotline_in {
    const char *order_no, *kind;       /* kind: complaint, consultation, case */
    const char *site_code;             /* 12-digit division code, or */
    int64_t site_id;                   /* 0 when site_code is used */
    const char *item_code;             /* NULL: none */
    const char *name, *phone, *description;
};

/* Files the order for key key_id. *created false when the same order already existed (same
 * content): *id is that order. BB_CONFLICT (field order_no) when it existed with other content;
 * BB_INVALID / BB_MISSING_FIELD with *field. Audited with a NULL actor naming the key. */
enum bb_err hotline_create(struct store_tx *tx, int64_t key_id, const struct hotline_in *in,
                           int64_t *id, bool *created, const char **field);
/* The order as the hotline reads it back: only key_id's orders (else BB_NOT_FOUND). */
enum bb_err hotline_get_external(struct store_tx *tx, int64_t key_id, const char *order_no,
                                 json_t **out);
/* The external view by id (to answer a create). */
enum bb_err hotline_get_external_id(struct store_tx *tx, int64_t id, json_t **out);
/* The order as staff see it (READ_FRONT at its site; name and phone masked). */
enum bb_err hotline_get(struct store_tx *tx, const struct actor *a, int64_t id, json_t **out);

struct hotline_query {
    int64_t site_id;
    const char *status, *kind;
    int64_t after;
    int limit;
};
enum bb_err hotline_list(struct store_tx *tx, const struct actor *a,
                         const struct hotline_query *q, json_t **items, int64_t *next);
/* answer {answer}, link {receipt}, close. BB_WRONG_STATE, BB_INVALID with *field. */
enum bb_err hotline_act(struct store_tx *tx, const struct actor *a, int64_t id,
                        const char *action, const char *text, const char **field);

#endif
