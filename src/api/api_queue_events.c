/* api_queue_events.c - GET /api/v1/public/sites/{id}/queue/events: the hall display's live
 * stream (http/sse.c keeps it going; here it starts with the current snapshot). */
#include "../front/queue.h"
#include "../http/sse.h"
#include "api.h"

struct events_ctx {
    int64_t site_id, version;
    json_t *snapshot;
};

static enum bb_err first_fn(struct store_tx *tx, void *arg)
{
    struct events_ctx *c = arg;
    enum bb_err rc = queue_version(tx, c->site_id, &c->version);
    return rc ? rc : queue_snapshot(tx, c->site_id, &c->snapshot);
}

void api_public_queue_events(struct req *r)
{
    struct events_ctx c = {0};
    if (!api_id(r, 0, &c.site_id))
        return;
    enum bb_err rc = store_read(r->st, first_fn, &c);
    if (!rc)
        rc = sse_subscribe(r, c.site_id, c.version, c.snapshot);
    else
        json_decref(c.snapshot);
    api_failed(r, rc, NULL);
}
