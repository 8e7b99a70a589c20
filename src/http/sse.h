/* sse.h - live queue displays: text/event-stream replies that push a site's queue snapshot
 * whenever its queue version changes. Versions live in the database (queue_versions), so a call
 * made on any node reaches displays connected to any other: one watcher thread per node reads
 * the versions of the sites it has displays for twice a second. A waiting stream holds no
 * thread: its connection is suspended until there is something to send. */
#ifndef BB_SSE_H
#define BB_SSE_H
#include <stdint.h>
#include <jansson.h>
#include "../core/err.h"
#include "../store/store.h"
#include "req.h"

struct MHD_Response;

/* Starts the watcher thread. */
enum bb_err sse_start(struct store *st);
/* Ends every stream (their clients reconnect elsewhere) and stops the watcher; call before
 * waiting for in-flight requests, since a stream is one until it ends. */
void sse_stop(void);

/* Makes r's reply a stream of site's queue, starting with snapshot (stolen) at version. */
enum bb_err sse_subscribe(struct req *r, int64_t site_id, int64_t version, json_t *snapshot);
/* The libmicrohttpd response for a subscribed request (NULL on failure: the stream is dropped). */
struct MHD_Response *sse_response(struct req *r);
/* Streams open on this node (for tests and the log). */
int sse_count(void);

#endif
