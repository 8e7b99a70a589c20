/* apikeys.h - keys other systems (the 12345 hotline) call in with. A key is `bbk_` + 48 hex
 * characters, shown once at creation and stored only as its BLAKE2b digest; a revoked key is
 * refused from the next request on, on every node (the database decides). */
#ifndef BB_APIKEYS_H
#define BB_APIKEYS_H
#include <stdint.h>
#include <jansson.h>
#include "../sites/authz.h"
#include "../store/store.h"

#define APIKEY_LEN 53     /* "bbk_" + 48 hex + NUL */
#define APIKEY_PREFIX 8   /* characters kept for display */

/* Creates a key named name (1-64 characters; a: AUTHZ_MANAGE_API_KEYS). key gets the clear
 * key, the only time it exists outside the caller. */
enum bb_err apikey_create(struct store_tx *tx, const struct actor *a, const char *name,
                          int64_t *id, char key[APIKEY_LEN], const char **field);
/* {"id","name","prefix","created_at","revoked_at","last_used_at"} */
enum bb_err apikey_get(struct store_tx *tx, const struct actor *a, int64_t id, json_t **out);
enum bb_err apikey_list(struct store_tx *tx, const struct actor *a, int64_t after, int limit,
                        json_t **items, int64_t *next);
/* BB_WRONG_STATE when already revoked. */
enum bb_err apikey_revoke(struct store_tx *tx, const struct actor *a, int64_t id);
/* The key's id when key is a live key (write transaction: notes last_used_at, at most once a
 * minute). BB_BAD_API_KEY when missing, malformed, unknown or revoked. */
enum bb_err apikey_check(struct store_tx *tx, const char *key, int64_t *id);

#endif
