/* audit.c - appending and verifying the audit chain. The write lock taken by every write
 * transaction (BEGIN IMMEDIATE on SQLite) serialises appends, so "the last hash" is stable. */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "../core/buf.h"
#include "../core/clock.h"
#include "../core/crypto.h"
#include "audit.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* BLAKE2b-256 over the fields, each length-prefixed so no two records can collide by shifting
 * text between fields. */
static void entry_hash(int64_t id, int64_t at, int64_t user, const char *action,
                       const char *object, const char *result, const char *detail,
                       const char *prev, char out[TOKEN_HEX])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    char nums[80];
    int n = snprintf(nums, sizeof nums, "%" PRId64 "|%" PRId64 "|%" PRId64 "|", id, at, user);
    crypto_generichash_update(&st, (const unsigned char *)nums, (unsigned long long)n);
    const char *parts[] = {action, object, result, detail ? detail : "", prev};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        char len[24];
        int ln = snprintf(len, sizeof len, "%zu:", strlen(parts[i]));
        crypto_generichash_update(&st, (const unsigned char *)len, (unsigned long long)ln);
        crypto_generichash_update(&st, (const unsigned char *)parts[i], strlen(parts[i]));
    }
    unsigned char h[32];
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(out, TOKEN_HEX, h, sizeof h);
}

enum bb_err audit_append_user(struct store_tx *tx, int64_t user_id, const char *action,
                              const char *object, const char *result, const char *detail)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", &s);
    if (rc)
        return rc;
    bool row = false;
    int64_t last = 0;
    char prev[TOKEN_HEX] = GENESIS;
    rc = store_step(s, &row);
    if (!rc && row) {
        last = store_col_int(s, 0);
        snprintf(prev, sizeof prev, "%s", store_col_text(s, 1));
    }
    store_finalize(s);
    if (rc)
        return rc;
    int64_t id = last + 1, at = clock_now();
    char hash[TOKEN_HEX];
    entry_hash(id, at, user_id, action, object, result, detail, prev, hash);
    return store_run(tx, "INSERT INTO audit (id, at, user_id, action, object, result, detail, "
                         "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", "iiitttttt", id,
                     at, user_id, action, object, result, detail, prev, hash);
}

enum bb_err audit_append(struct store_tx *tx, const struct actor *a, const char *action,
                         const char *object, const char *result, const char *detail)
{
    return audit_append_user(tx, a ? a->user_id : 0, action, object, result, detail);
}

enum bb_err audit_verify(struct store_tx *tx, int64_t *count, int64_t *bad_id)
{
    *count = 0;
    *bad_id = 0;
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT id, at, user_id, action, object, result, detail, "
                                       "prev_hash, hash FROM audit ORDER BY id", &s);
    if (rc)
        return rc;
    char prev[TOKEN_HEX] = GENESIS;
    int64_t expect = 1;
    for (bool row = true; !rc && !*bad_id;) {
        rc = store_step(s, &row);
        if (rc || !row)
            break;
        int64_t id = store_col_int(s, 0);
        char hash[TOKEN_HEX];
        entry_hash(id, store_col_int(s, 1), store_col_int(s, 2), store_col_text(s, 3),
                   store_col_text(s, 4), store_col_text(s, 5),
                   store_col_null(s, 6) ? NULL : store_col_text(s, 6), prev, hash);
        if (id != expect || strcmp(store_col_text(s, 7), prev) != 0 ||
            strcmp(store_col_text(s, 8), hash) != 0)
            *bad_id = id; /* a gap, a broken link or altered content */
        snprintf(prev, sizeof prev, "%s", store_col_text(s, 8));
        expect = id + 1;
        (*count)++;
    }
    store_finalize(s);
    return rc;
}
