/* users.h - staff accounts: one role, one site, a department for approvers.
 * Password hashes are made by the caller (outside any transaction: hashing is slow) and never
 * leave this module. */
#ifndef BB_USERS_H
#define BB_USERS_H
#include "sites.h"

struct user_in {
    unsigned set;                 /* F_NAME, F_ROLE, F_SITE, F_DEPT, F_PASSWORD, F_ACTIVE */
    const char *login;            /* create only */
    const char *name, *role;
    const char *password_hash;    /* from crypto_pw_hash */
    int64_t site_id, department_id; /* department 0 = none */
    bool active;
};

/* True when login is 2-32 of [a-z0-9._-]. */
bool user_login_valid(const char *login);
enum bb_err user_create(struct store_tx *tx, const struct actor *a, const struct user_in *in,
                        int64_t *id, const char **field);
/* Changing the password or deactivating ends the user's sessions. */
enum bb_err user_update(struct store_tx *tx, const struct actor *a, int64_t id,
                        const struct user_in *in, const char **field);
enum bb_err user_get(struct store_tx *tx, const struct actor *a, int64_t id, json_t **out);
enum bb_err user_list(struct store_tx *tx, const struct actor *a, int64_t site_id, int64_t after,
                      int limit, json_t **items, int64_t *next);

#endif
