/* api_idem.h - Idempotency-Key handling for POSTs that create or change things. */
#ifndef BB_API_IDEM_H
#define BB_API_IDEM_H
#include "../core/crypto.h"
#include "../http/req.h"

struct api_idem {
    const char *key;          /* NULL: no key sent */
    char caller[32];
    char hash[TOKEN_HEX];     /* of method, path and body */
    bool replay;              /* the stored answer applies */
    int status;
    json_t *body;             /* the stored answer (new reference) */
};

/* Reads the header; replies 422 and returns false for a malformed key. */
bool api_idem_begin(struct req *r, struct api_idem *id);
/* Inside the write transaction: finds an earlier use of the key. BB_IDEM_MISMATCH when it was
 * used with another request; id->replay when the stored answer should be sent again. */
enum bb_err api_idem_lookup(struct store_tx *tx, struct api_idem *id);
/* Inside the same transaction, after the change: remembers the answer. */
enum bb_err api_idem_store(struct store_tx *tx, struct api_idem *id, int status, json_t *body);

#endif
