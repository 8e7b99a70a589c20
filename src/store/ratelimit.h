/* ratelimit.h - fixed-window counters per key in the rate_limits table, so every node of an
 * installation counts the same: failed sign-ins, wrong public look-ups, bookings and complaints
 * per address. */
#ifndef BB_RATELIMIT_H
#define BB_RATELIMIT_H
#include <stdint.h>
#include "store.h"

/* Adds one to key's count; a window that began window_s seconds or more before now starts
 * again at now with a count of one. */
enum bb_err ratelimit_bump(struct store_tx *tx, const char *key, int64_t now, int window_s);
/* *retry_after = seconds until key's window ends when it already holds max or more, else 0. */
enum bb_err ratelimit_wait(struct store_tx *tx, const char *key, int64_t now, int window_s,
                           int max, int *retry_after);

#endif
