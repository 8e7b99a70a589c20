/* session.h - sign-in, sessions and sign-in rate limits. Everything lives in the database, so
 * any node of a deployment can serve any request. Tokens travel only to the browser; the
 * database holds their BLAKE2b digest. */
#ifndef BB_SESSION_H
#define BB_SESSION_H
#include <jansson.h>
#include "../core/crypto.h"
#include "../store/store.h"
#include "authz.h"

struct session_policy {
    int idle_s;          /* 30 min */
    int absolute_s;      /* 12 h */
    int window_s;        /* rate-limit window, 15 min */
    int per_login;       /* failed sign-ins per login per window */
    int per_addr;        /* failed sign-ins per client address per window */
};

void session_set_policy(const struct session_policy *p);
const struct session_policy *session_policy(void);

struct login_result {
    char token[TOKEN_HEX];
    char csrf[TOKEN_HEX];
    json_t *user;        /* new reference on success */
    int retry_after;     /* seconds, with BB_RATE_LIMITED */
};

/* Checks the rate limits, verifies the password (slow: call it from the hashing pool, never
 * inside a transaction) and opens a session. BB_BAD_CREDENTIALS for an unknown login, a wrong
 * password or an inactive account (indistinguishable on purpose), BB_RATE_LIMITED with
 * retry_after set. */
enum bb_err session_login(struct store *st, const char *login, const char *password,
                          const char *addr, struct login_result *out);
/* Resolves a token to its actor and CSRF token. BB_UNAUTHENTICATED when unknown, expired or the
 * user is inactive. *touch is set when last_seen is old enough to be refreshed. */
enum bb_err session_lookup(struct store_tx *tx, const char *token, struct actor *a,
                           char csrf[TOKEN_HEX], bool *touch);
/* Refreshes last_seen (the idle clock). */
enum bb_err session_touch(struct store_tx *tx, const char *token);
enum bb_err session_logout(struct store_tx *tx, const char *token);

#endif
