/* pool.h - a small fixed pool of worker threads for slow CPU work (password hashing).
 * No wider than the cores, so a login storm queues here instead of starving the event threads. */
#ifndef BB_POOL_H
#define BB_POOL_H
#include "../core/err.h"

struct pool;
typedef void (*pool_fn)(void *arg);

/* Starts n threads at scheduling niceness nice (0 = normal; > 0 yields the CPU to everything
 * else, so background hashing cannot starve the event threads). BB_NOMEM / BB_INTERNAL. */
enum bb_err pool_start(int n, int nice, struct pool **out);
/* Queues fn(arg); BB_NOMEM when the job cannot be allocated. FIFO order. */
enum bb_err pool_submit(struct pool *p, pool_fn fn, void *arg);
/* Runs every queued job, then joins and frees the threads. */
void pool_stop(struct pool *p);

#endif
