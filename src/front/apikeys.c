/* apikeys.c - API keys for other systems: create (shown once), list, revoke, check. */
#include <stdio.h>
#include <string.h>
#include "../audit/audit.h"
#include "../core/clock.h"
#include "../core/crypto.h"
#include "../core/json.h"
#include "../store/row.h"
#include "complaints.h"
#include "apikeys.h"

#define TOUCH_EVERY_S 60

static bool allowed(const struct actor *a)
{
    return authz_can(a, AUTHZ_MANAGE_API_KEYS, a ? a->site_path : "/");
}

enum bb_err apikey_create(struct store_tx *tx, const struct actor *a, const char *name,
                          int64_t *id, char key[APIKEY_LEN], const char **field)
{
    if (!allowed(a))
        return BB_FORBIDDEN;
    size_t n = utf8_chars(name);
    if (n < 1 || n > 64) {
        *field = "name";
        return BB_INVALID;
    }
    char hex[TOKEN_HEX], digest[TOKEN_HEX], prefix[APIKEY_PREFIX + 1];
    crypto_token(hex);
    snprintf(key, APIKEY_LEN, "bbk_%.48s", hex);
    crypto_digest(key, digest);
    snprintf(prefix, sizeof prefix, "%s", key);
    int64_t now = clock_now();
    bool found = false;
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "INSERT INTO api_keys (name, prefix, key_hash, created_by, "
                                       "created_at) VALUES (?, ?, ?, ?, ?) RETURNING id", &s);
    if (rc)
        return rc;
    rc = store_bind_text(s, 1, name);
    if (!rc) rc = store_bind_text(s, 2, prefix);
    if (!rc) rc = store_bind_text(s, 3, digest);
    if (!rc) rc = store_bind_int(s, 4, a ? a->user_id : 0);
    if (!rc) rc = store_bind_int(s, 5, now);
    if (!rc) rc = store_step(s, &found);
    if (!rc && !found)
        rc = BB_INTERNAL;
    if (!rc)
        *id = store_col_int(s, 0);
    store_finalize(s);
    char object[40];
    snprintf(object, sizeof object, "api_key:%lld", (long long)*id);
    return rc ? rc : audit_append(tx, a, "api_key.create", object, "ok", NULL);
}

#define K_COLS "SELECT id, name, prefix, created_at, revoked_at, last_used_at FROM api_keys "

static json_t *row_json(struct store_stmt *s)
{
    return json_pack("{s:I,s:s,s:s,s:o,s:o,s:o}", "id", (json_int_t)store_col_int(s, 0), "name",
                     store_col_text(s, 1), "prefix", store_col_text(s, 2), "created_at",
                     desk_time(s, 3), "revoked_at", desk_time(s, 4), "last_used_at",
                     desk_time(s, 5));
}

enum bb_err apikey_get(struct store_tx *tx, const struct actor *a, int64_t id, json_t **out)
{
    if (!allowed(a))
        return BB_FORBIDDEN;
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, K_COLS "WHERE id = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_int(s, 1, id);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    if (!rc && !(*out = row_json(s)))
        rc = BB_NOMEM;
    store_finalize(s);
    return rc;
}

static json_t *list_row(struct store_stmt *s, void *arg)
{
    (void)arg;
    return row_json(s);
}

enum bb_err apikey_list(struct store_tx *tx, const struct actor *a, int64_t after, int limit,
                        json_t **items, int64_t *next)
{
    if (!allowed(a))
        return BB_FORBIDDEN;
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, K_COLS "WHERE id > ? ORDER BY id LIMIT ?", &s);
    if (rc)
        return rc;
    rc = store_bind_int(s, 1, after);
    if (!rc)
        rc = store_bind_int(s, 2, limit + 1);
    if (!rc)
        rc = store_rows_page(s, list_row, NULL, limit, items, next);
    store_finalize(s);
    return rc;
}

enum bb_err apikey_revoke(struct store_tx *tx, const struct actor *a, int64_t id)
{
    if (!allowed(a))
        return BB_FORBIDDEN;
    bool found = false;
    int64_t got;
    enum bb_err rc = store_query_int(tx, "SELECT id FROM api_keys WHERE id = ?", 1, &id, &found,
                                     &got);
    if (!rc && !found)
        rc = BB_NOT_FOUND;
    int64_t args[2] = {clock_now(), id};
    if (!rc)
        rc = store_query_int(tx, "UPDATE api_keys SET revoked_at = ? WHERE id = ? "
                                 "AND revoked_at IS NULL RETURNING id", 2, args, &found, &got);
    if (!rc && !found)
        rc = BB_WRONG_STATE;
    char object[40];
    snprintf(object, sizeof object, "api_key:%lld", (long long)id);
    return rc ? rc : audit_append(tx, a, "api_key.revoke", object, "ok", NULL);
}

enum bb_err apikey_check(struct store_tx *tx, const char *key, int64_t *id)
{
    if (!key || strlen(key) != APIKEY_LEN - 1 || strncmp(key, "bbk_", 4) != 0)
        return BB_BAD_API_KEY;
    char digest[TOKEN_HEX];
    crypto_digest(key, digest);
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT id FROM api_keys WHERE key_hash = ? "
                                       "AND revoked_at IS NULL", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_text(s, 1, digest);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_BAD_API_KEY;
    if (!rc)
        *id = store_col_int(s, 0);
    store_finalize(s);
    int64_t now = clock_now();
    if (!rc) /* at most one write a minute per key, not one per call */
        rc = store_run(tx, "UPDATE api_keys SET last_used_at = ? WHERE id = ? AND "
                           "(last_used_at IS NULL OR last_used_at < ?)", "iii", now, *id,
                       now - TOUCH_EVERY_S);
    return rc;
}
