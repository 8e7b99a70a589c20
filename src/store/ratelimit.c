/* ratelimit.c - fixed-window counters in the rate_limits table (see ratelimit.h). */
#include "ratelimit.h"

enum bb_err ratelimit_bump(struct store_tx *tx, const char *key, int64_t now, int window_s)
{
    int64_t stale = now - window_s; /* a window that began this long ago is over */
    return store_run(tx, "INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 1) "
                         "ON CONFLICT (key) DO UPDATE SET "
                         "count = CASE WHEN rate_limits.window_start <= ? THEN 1 "
                         "ELSE rate_limits.count + 1 END, "
                         "window_start = CASE WHEN rate_limits.window_start <= ? "
                         "THEN excluded.window_start ELSE rate_limits.window_start END",
                     "tiii", key, now, stale, stale);
}

enum bb_err ratelimit_wait(struct store_tx *tx, const char *key, int64_t now, int window_s,
                           int max, int *retry_after)
{
    *retry_after = 0;
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT window_start, count FROM rate_limits WHERE key = ?",
                                   &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_text(s, 1, key);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && row) {
        int64_t left = store_col_int(s, 0) + window_s - now;
        if (left > 0 && store_col_int(s, 1) >= max)
            *retry_after = (int)left;
    }
    store_finalize(s);
    return rc;
}
