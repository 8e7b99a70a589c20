/* api_site_items.c - which items a site offers (/api/v1/sites/{id}/items) and the integrated
 * list of every site's offerings (/api/v1/site-items). */
#include <stdio.h>
#include <stdlib.h>
#include "../audit/audit.h"
#include "../catalog/catalog.h"
#include "../core/json.h"
#include "api.h"

#define MAX_SITE_ITEMS 2000

struct ctx {
    struct req *r;
    int64_t site_id;
    struct site_item_in *in;
    int n;
    char field[48];
    json_t *out;
};

static enum bb_err get_fn(struct store_tx *tx, void *arg)
{
    struct ctx *c = arg;
    return site_items_get(tx, &c->r->actor, c->site_id, &c->out);
}

static enum bb_err put_fn(struct store_tx *tx, void *arg)
{
    struct ctx *c = arg;
    enum bb_err rc = site_items_put(tx, &c->r->actor, c->site_id, c->in, c->n, c->field,
                                    sizeof c->field);
    char object[32];
    snprintf(object, sizeof object, "site:%lld", (long long)c->site_id);
    if (!rc)
        rc = audit_append(tx, &c->r->actor, "site_items.put", object, "ok", NULL);
    return rc ? rc : site_items_get(tx, &c->r->actor, c->site_id, &c->out);
}

void api_site_items_get(struct req *r)
{
    struct ctx c = {.r = r};
    if (!api_id(r, 0, &c.site_id))
        return;
    enum bb_err rc = store_read(r->st, get_fn, &c);
    if (!api_failed(r, rc, NULL))
        reply_json(r, 200, c.out);
}

void api_site_items_put(struct req *r)
{
    static const char *const allowed[] = {"items", NULL};
    static const char *const entry_fields[] = {"code", "mode", NULL};
    struct ctx c = {.r = r};
    json_t *o;
    if (!api_id(r, 0, &c.site_id) || !api_body(r, allowed, &o))
        return;
    json_t *items = json_object_get(o, "items");
    enum bb_err rc = BB_OK;
    const char *field = "items";
    if (!items)
        rc = BB_MISSING_FIELD;
    else if (!json_is_array(items))
        rc = BB_WRONG_TYPE;
    else if (json_array_size(items) > MAX_SITE_ITEMS)
        rc = BB_INVALID;
    else if (!(c.in = calloc(json_array_size(items) + 1, sizeof *c.in)))
        rc = BB_NOMEM;
    size_t i;
    json_t *e;
    if (!rc)
        json_array_foreach(items, i, e) {
            const char *f = NULL;
            if (!json_is_object(e))
                rc = BB_WRONG_TYPE;
            if (!rc)
                rc = json_only(e, entry_fields, &f);
            if (!rc)
                rc = json_str(e, "code", NULL, false, 1, 32, &c.in[i].code, &f);
            if (!rc)
                rc = json_str(e, "mode", NULL, false, 1, 16, &c.in[i].mode, &f);
            if (rc) {
                field = f ? catalog_field("items", (int)i, f) : "items";
                break;
            }
            c.n++;
        }
    if (!rc) {
        rc = store_write(r->st, put_fn, &c);
        field = c.field[0] ? c.field : NULL;
    }
    if (!api_failed(r, rc, field))
        reply_json(r, 200, c.out);
    else
        json_decref(c.out);
    free(c.in);
    json_decref(o);
}

struct all_ctx {
    struct req *r;
    const char *item;
    int64_t site, after, next;
    int limit;
    json_t *items;
};

static enum bb_err all_fn(struct store_tx *tx, void *arg)
{
    struct all_ctx *c = arg;
    return site_items_integrated(tx, &c->r->actor, c->site, c->item, c->after, c->limit,
                                 &c->items, &c->next);
}

void api_site_items_all(struct req *r)
{
    struct all_ctx c = {.r = r, .item = req_query(r, "item")};
    if (!api_page(r, &c.after, &c.limit) || !api_query_id(r, "site", &c.site))
        return;
    enum bb_err rc = store_read(r->st, all_fn, &c);
    if (api_failed(r, rc, NULL))
        return;
    api_reply_page(r, c.items, c.next);
}
