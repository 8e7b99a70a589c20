/* session.c - sign-in and sessions. A sign-in is three steps so the slow password check holds
 * no lock: read (limits, stored hash), verify (no transaction), write (session or failure). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "../audit/audit.h"
#include "../core/clock.h"
#include "users.h"
#include "../store/ratelimit.h"
#include "session.h"

#define TOUCH_EVERY_S 60

static struct session_policy policy = {1800, 43200, 900, 5, 20};

void session_set_policy(const struct session_policy *p) { policy = *p; }
const struct session_policy *session_policy(void) { return &policy; }

/* A hash to verify against when the login is unknown, so both paths cost the same time. */
static char dummy_hash[PWHASH_STR];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void make_dummy(void)
{
    char pw[TOKEN_HEX];
    crypto_token(pw);
    if (crypto_pw_hash(pw, dummy_hash))
        dummy_hash[0] = '\0';
}

struct login_ctx {
    const char *login, *addr, *password;
    char key_login[64], key_addr[80];
    int64_t now, user_id;
    char hash[PWHASH_STR];
    bool active, ok;
    struct login_result *out;
};

/* Raises *wait to the seconds until key may try again (unchanged when under its limit). */
static enum bb_err limited(struct store_tx *tx, const char *key, int limit, int64_t now, int *wait)
{
    int left = 0;
    enum bb_err rc = ratelimit_wait(tx, key, now, policy.window_s, limit, &left);
    if (!rc && left > *wait)
        *wait = left;
    return rc;
}

static enum bb_err login_read(struct store_tx *tx, void *arg)
{
    struct login_ctx *c = arg;
    int wait = 0;
    enum bb_err rc = limited(tx, c->key_login, policy.per_login, c->now, &wait);
    if (!rc)
        rc = limited(tx, c->key_addr, policy.per_addr, c->now, &wait);
    if (rc)
        return rc;
    if (wait) {
        c->out->retry_after = wait;
        return BB_RATE_LIMITED;
    }
    struct store_stmt *s;
    rc = store_prepare(tx, "SELECT id, password_hash, active FROM users WHERE login = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_text(s, 1, c->login);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && row) {
        c->user_id = store_col_int(s, 0);
        snprintf(c->hash, sizeof c->hash, "%s", store_col_text(s, 1));
        c->active = store_col_int(s, 2) != 0;
    }
    store_finalize(s);
    return rc;
}

static enum bb_err count_failure(struct store_tx *tx, const char *key, int64_t now)
{
    return ratelimit_bump(tx, key, now, policy.window_s);
}

static enum bb_err login_write(struct store_tx *tx, void *arg)
{
    struct login_ctx *c = arg;
    enum bb_err rc;
    if (!c->ok) {
        rc = count_failure(tx, c->key_login, c->now);
        if (!rc)
            rc = count_failure(tx, c->key_addr, c->now);
        if (!rc)
            rc = audit_append_user(tx, c->user_id, "session.login", c->key_login, "denied", NULL);
        return rc;
    }
    rc = audit_append_user(tx, c->user_id, "session.login", c->key_login, "ok", NULL);
    if (rc)
        return rc;
    rc = store_run(tx, "DELETE FROM rate_limits WHERE key = ?", "t", c->key_login);
    if (!rc) /* drop this user's expired sessions while we are here */
        rc = store_run(tx, "DELETE FROM sessions WHERE user_id = ? AND last_seen < ?", "ii",
                       c->user_id, c->now - policy.idle_s);
    if (rc)
        return rc;
    char digest[TOKEN_HEX];
    crypto_token(c->out->token);
    crypto_token(c->out->csrf);
    crypto_digest(c->out->token, digest);
    struct store_stmt *s;
    rc = store_prepare(tx, "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen) "
                           "VALUES (?, ?, ?, ?, ?)", &s);
    if (rc)
        return rc;
    bool row;
    rc = store_bind_text(s, 1, digest);
    if (!rc)
        rc = store_bind_int(s, 2, c->user_id);
    if (!rc)
        rc = store_bind_text(s, 3, c->out->csrf);
    if (!rc)
        rc = store_bind_int(s, 4, c->now);
    if (!rc)
        rc = store_bind_int(s, 5, c->now);
    if (!rc)
        rc = store_step(s, &row);
    store_finalize(s);
    if (!rc)
        rc = user_get(tx, NULL, c->user_id, &c->out->user);
    return rc;
}

enum bb_err session_login(struct store *st, const char *login, const char *password,
                          const char *addr, struct login_result *out)
{
    memset(out, 0, sizeof *out);
    struct login_ctx c = {.login = login, .addr = addr, .password = password, .out = out};
    c.now = clock_now();
    snprintf(c.key_login, sizeof c.key_login, "login:%s", login);
    snprintf(c.key_addr, sizeof c.key_addr, "addr:%s", addr);
    enum bb_err rc = store_read(st, login_read, &c);
    if (rc)
        return rc;
    pthread_once(&dummy_once, make_dummy);
    if (c.user_id) {
        c.ok = crypto_pw_verify(c.hash, password) && c.active;
    } else {
        (void)crypto_pw_verify(dummy_hash, password);
        c.ok = false;
    }
    rc = store_write(st, login_write, &c);
    if (rc) {
        json_decref(out->user);
        out->user = NULL;
        return rc;
    }
    return c.ok ? BB_OK : BB_BAD_CREDENTIALS;
}

enum bb_err session_lookup(struct store_tx *tx, const char *token, struct actor *a,
                           char csrf[TOKEN_HEX], bool *touch)
{
    char digest[TOKEN_HEX];
    crypto_digest(token, digest);
    struct store_stmt *s;
    enum bb_err rc = store_prepare(
        tx, "SELECT s.user_id, s.csrf, s.created_at, s.last_seen, u.role, u.site_id, "
            "COALESCE(u.department_id, 0), u.login, u.active, st.level, st.path "
            "FROM sessions s JOIN users u ON u.id = s.user_id JOIN sites st ON st.id = u.site_id "
            "WHERE s.token_hash = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_text(s, 1, digest);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_UNAUTHENTICATED;
    if (!rc) {
        int64_t now = clock_now(), created = store_col_int(s, 2), seen = store_col_int(s, 3);
        if (now - seen > policy.idle_s || now - created > policy.absolute_s ||
            !store_col_int(s, 8) || !role_parse(store_col_text(s, 4), &a->role))
            rc = BB_UNAUTHENTICATED;
        *touch = now - seen >= TOUCH_EVERY_S;
    }
    if (!rc) {
        a->user_id = store_col_int(s, 0);
        snprintf(csrf, TOKEN_HEX, "%s", store_col_text(s, 1));
        a->site_id = store_col_int(s, 5);
        a->department_id = store_col_int(s, 6);
        snprintf(a->login, sizeof a->login, "%s", store_col_text(s, 7));
        snprintf(a->site_level, sizeof a->site_level, "%s", store_col_text(s, 9));
        snprintf(a->site_path, sizeof a->site_path, "%s", store_col_text(s, 10));
    }
    store_finalize(s);
    return rc;
}

enum bb_err session_touch(struct store_tx *tx, const char *token)
{
    char digest[TOKEN_HEX];
    crypto_digest(token, digest);
    return store_run(tx, "UPDATE sessions SET last_seen = ? WHERE token_hash = ?", "it",
                     clock_now(), digest);
}

enum bb_err session_logout(struct store_tx *tx, const char *token)
{
    char digest[TOKEN_HEX];
    crypto_digest(token, digest);
    return store_run(tx, "DELETE FROM sessions WHERE token_hash = ?", "t", digest);
}
