/* audit.h - the append-only, hash-chained audit log (GB/T 22239-2019 L3 8.1.4.3: who, when,
 * what, result; protected from change). Each row's hash covers its content and the previous
 * row's hash, so editing or deleting any row breaks every hash after it. Never put personal data
 * (ID numbers, phones, names of residents) in an entry. */
#ifndef BB_AUDIT_H
#define BB_AUDIT_H
#include <stdint.h>
#include "../sites/authz.h"
#include "../store/store.h"

/* Appends one entry inside the caller's write transaction. a may be NULL (the system).
 * action: "site.create", "session.login" ...; object: "site:5"; result: "ok" or "denied";
 * detail: a short JSON text or NULL. */
enum bb_err audit_append(struct store_tx *tx, const struct actor *a, const char *action,
                         const char *object, const char *result, const char *detail);
/* Same, naming the user directly (sign-in, where there is no actor yet; 0 = unknown). */
enum bb_err audit_append_user(struct store_tx *tx, int64_t user_id, const char *action,
                              const char *object, const char *result, const char *detail);
/* Walks the whole chain. BB_OK with *bad_id = 0 when intact; else *bad_id is the first entry
 * whose hash does not match. *count gets the number of entries checked. */
enum bb_err audit_verify(struct store_tx *tx, int64_t *count, int64_t *bad_id);

#endif
