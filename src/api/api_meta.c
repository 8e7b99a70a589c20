/* api_meta.c - health and version. */
#include "api.h"

static enum bb_err ping(struct store_tx *tx, void *arg)
{
    (void)arg;
    bool found;
    int64_t one;
    return store_query_int(tx, "SELECT 1", 0, NULL, &found, &one);
}

void api_healthz(struct req *r)
{
    enum bb_err rc = store_read(r->st, ping, NULL);
    if (rc) {
        reply_error(r, BB_UNAVAILABLE, NULL);
        return;
    }
    reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

void api_version(struct req *r)
{
    reply_json(r, 200, json_pack("{s:s,s:s,s:i}", "name", "bangban", "version", BB_VERSION,
                                 "schema", store_schema_version(r->st)));
}
