/* api_idem.c - Idempotency-Key: a POST sent again with the same key gets the first answer, and
 * the key is stored in the same transaction as the change it guards, so a retry after a lost
 * answer can never make a second case. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/clock.h"
#include "api.h"
#include "api_idem.h"

bool api_idem_begin(struct req *r, struct api_idem *id)
{
    memset(id, 0, sizeof *id);
    const char *key = req_header(r, "Idempotency-Key");
    if (!key)
        return true;
    size_t n = strlen(key);
    bool ok = n >= 1 && n <= 128;
    for (size_t i = 0; ok && i < n; i++)
        ok = key[i] > 32 && key[i] < 127;
    if (!ok) {
        reply_error(r, BB_INVALID, "Idempotency-Key");
        return false;
    }
    id->key = key;
    snprintf(id->caller, sizeof id->caller, "user:%lld", (long long)r->actor.user_id);
    struct buf b;
    buf_init(&b, 2u * 1024 * 1024);
    enum bb_err rc = buf_addstr(&b, r->method);
    if (!rc)
        rc = buf_addstr(&b, " ");
    if (!rc)
        rc = buf_addstr(&b, r->path);
    if (!rc)
        rc = buf_add(&b, "\n", 1);
    if (!rc && r->body.len)
        rc = buf_add(&b, r->body.data, r->body.len);
    if (!rc)
        crypto_digest(b.data, id->hash);
    buf_free(&b);
    if (rc)
        reply_error(r, rc, NULL);
    return rc == BB_OK;
}

enum bb_err api_idem_lookup(struct store_tx *tx, struct api_idem *id)
{
    if (!id->key)
        return BB_OK;
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT request_hash, status, body FROM idempotency "
                                       "WHERE caller = ? AND key = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_text(s, 1, id->caller);
    if (!rc)
        rc = store_bind_text(s, 2, id->key);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && row) {
        if (strcmp(store_col_text(s, 0), id->hash) != 0) {
            rc = BB_IDEM_MISMATCH;
        } else {
            id->replay = true;
            id->status = (int)store_col_int(s, 1);
            id->body = json_loads(store_col_text(s, 2), 0, NULL);
            if (!id->body)
                rc = BB_INTERNAL;
        }
    }
    store_finalize(s);
    return rc;
}

enum bb_err api_idem_store(struct store_tx *tx, struct api_idem *id, int status, json_t *body)
{
    if (!id->key)
        return BB_OK;
    char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!text)
        return BB_NOMEM;
    enum bb_err rc = store_run(tx, "INSERT INTO idempotency (caller, key, request_hash, status, "
                                   "body, created_at) VALUES (?, ?, ?, ?, ?, ?)", "tttiti",
                               id->caller, id->key, id->hash, (int64_t)status, text, clock_now());
    free(text);
    return rc;
}
