/* api_hotline.c - API keys (district admins) and 12345 hotline work orders: the hotline's own
 * calls (public routes that authenticate with an API key here) and the sites' inbox. */
#include <string.h>
#include "../core/json.h"
#include "../front/apikeys.h"
#include "../front/hotline.h"
#include "api.h"
#include "api_idem.h"

/* --- API keys --- */

static enum bb_err keys_list(struct store_tx *tx, const struct actor *a, int64_t filter,
                             int64_t after, int limit, json_t **items, int64_t *next)
{
    (void)filter;
    return apikey_list(tx, a, after, limit, items, next);
}

void api_keys_list(struct req *r) { api_list(r, keys_list, NULL); }

struct key_ctx {
    struct req *r;
    struct api_idem idem;
    const char *name, *field;
    int64_t id;
    char key[APIKEY_LEN];
    json_t *out;
};

static enum bb_err key_write_fn(struct store_tx *tx, void *arg)
{
    struct key_ctx *c = arg;
    enum bb_err rc = api_idem_lookup(tx, &c->idem);
    if (rc || c->idem.replay)
        return rc;
    if (c->name)
        rc = apikey_create(tx, &c->r->actor, c->name, &c->id, c->key, &c->field);
    else
        rc = apikey_revoke(tx, &c->r->actor, c->id);
    if (!rc)
        rc = apikey_get(tx, &c->r->actor, c->id, &c->out);
    /* A retry gets the record without the key: the clear key is never stored, not even here. */
    if (!rc)
        rc = api_idem_store(tx, &c->idem, c->name ? 201 : 200, c->out);
    if (!rc && c->name) {
        json_object_set_new(c->out, "key", json_string(c->key));
        json_object_del(c->out, "revoked_at");
        json_object_del(c->out, "last_used_at");
    }
    return rc;
}

static void key_write(struct req *r, struct key_ctx *c, int status)
{
    if (!api_idem_begin(r, &c->idem))
        return;
    enum bb_err rc = store_write(r->st, key_write_fn, c);
    if (rc) {
        json_decref(c->out);
        json_decref(c->idem.body);
        reply_error(r, rc, c->field);
    } else if (c->idem.replay) {
        reply_json(r, c->idem.status, c->idem.body);
    } else {
        reply_json(r, status, c->out);
    }
}

void api_keys_create(struct req *r)
{
    static const char *const allowed[] = {"name", NULL};
    json_t *o;
    if (!api_body(r, allowed, &o))
        return;
    struct key_ctx c = {.r = r};
    enum bb_err rc = json_str(o, "name", NULL, false, 1, 64, &c.name, &c.field);
    if (!api_failed(r, rc, c.field))
        key_write(r, &c, 201);
    json_decref(o);
}

void api_keys_revoke(struct req *r)
{
    static const char *const allowed[] = {NULL};
    struct key_ctx c = {.r = r};
    json_t *o = NULL;
    if (!api_id(r, 0, &c.id))
        return;
    if (r->body.len && !api_body(r, allowed, &o))
        return;
    json_decref(o);
    key_write(r, &c, 200);
}

/* --- the hotline's calls --- */

/* The key the caller sent: `Authorization: Bearer <key>`, else `X-Api-Key`. */
static const char *sent_key(struct req *r)
{
    const char *h = req_header(r, "Authorization");
    if (h && strncmp(h, "Bearer ", 7) == 0)
        return h + 7;
    return req_header(r, "X-Api-Key");
}

struct order_ctx {
    struct req *r;
    const char *key;
    int64_t key_id, id;
    struct hotline_in in;
    const char *order_no, *field;
    bool created;
    json_t *out;
};

static enum bb_err auth_fn(struct store_tx *tx, void *arg)
{
    struct order_ctx *c = arg;
    return apikey_check(tx, c->key, &c->key_id);
}

/* Authenticates the calling system before anything else; replies 401 and returns false when
 * the key is missing, unknown or revoked. */
static bool hotline_auth(struct req *r, struct order_ctx *c)
{
    c->key = sent_key(r);
    enum bb_err rc = store_write(r->st, auth_fn, c);
    return !api_failed(r, rc, NULL);
}

static enum bb_err order_create_fn(struct store_tx *tx, void *arg)
{
    struct order_ctx *c = arg;
    enum bb_err rc = apikey_check(tx, c->key, &c->key_id); /* revoked meanwhile? */
    if (!rc)
        rc = hotline_create(tx, c->key_id, &c->in, &c->id, &c->created, &c->field);
    if (!rc)
        rc = hotline_get_external_id(tx, c->id, &c->out);
    return rc;
}

void api_hotline_order_create(struct req *r)
{
    static const char *const allowed[] = {"order_no", "kind", "site_code", "site_id", "item",
                                          "name", "phone", "description", NULL};
    struct order_ctx c = {.r = r};
    if (!hotline_auth(r, &c))
        return;
    json_t *o;
    if (!api_body(r, allowed, &o))
        return;
    struct hotline_in *in = &c.in;
    bool has_code = json_object_get(o, "site_code") != NULL;
    bool p;
    enum bb_err rc = json_str(o, "order_no", NULL, false, 1, 64, &in->order_no, &c.field);
    if (!rc)
        rc = json_str(o, "kind", NULL, false, 1, 16, &in->kind, &c.field);
    if (!rc && has_code && json_object_get(o, "site_id")) {
        rc = BB_INVALID; /* one way to name the site */
        c.field = "site_id";
    }
    if (!rc && has_code)
        rc = json_str(o, "site_code", NULL, false, 1, 12, &in->site_code, &c.field);
    if (!rc && !has_code)
        rc = json_int(o, "site_id", &p, false, 1, INT64_MAX, &in->site_id, NULL, &c.field);
    if (!rc && !has_code && !p) {
        rc = BB_MISSING_FIELD;
        c.field = "site_code";
    }
    if (!rc)
        rc = json_str(o, "item", &p, true, 1, 32, &in->item_code, &c.field);
    if (!rc)
        rc = json_str(o, "name", NULL, false, 1, 50, &in->name, &c.field);
    if (!rc)
        rc = json_str(o, "phone", NULL, false, 1, 32, &in->phone, &c.field);
    if (!rc)
        rc = json_str(o, "description", NULL, false, 1, 2000, &in->description, &c.field);
    if (!rc)
        rc = store_write(r->st, order_create_fn, &c);
    if (!api_failed(r, rc, c.field))
        reply_json(r, c.created ? 201 : 200, c.out);
    else
        json_decref(c.out);
    json_decref(o);
}

static enum bb_err order_get_fn(struct store_tx *tx, void *arg)
{
    struct order_ctx *c = arg;
    enum bb_err rc = apikey_check(tx, c->key, &c->key_id);
    return rc ? rc : hotline_get_external(tx, c->key_id, c->order_no, &c->out);
}

void api_hotline_order_get(struct req *r)
{
    struct order_ctx c = {.r = r, .key = sent_key(r), .order_no = r->params[0]};
    if (!api_failed(r, store_write(r->st, order_get_fn, &c), NULL))
        reply_json(r, 200, c.out);
}

/* --- the sites' inbox --- */

struct list_ctx {
    struct req *r;
    struct hotline_query q;
    json_t *items;
    int64_t next;
};

static enum bb_err list_fn(struct store_tx *tx, void *arg)
{
    struct list_ctx *c = arg;
    return hotline_list(tx, &c->r->actor, &c->q, &c->items, &c->next);
}

void api_hotline_orders_list(struct req *r)
{
    static const char *const statuses[] = {"open", "answered", "closed", NULL};
    static const char *const kinds[] = {"complaint", "consultation", "case", NULL};
    struct list_ctx c = {.r = r};
    c.q.status = req_query(r, "status");
    c.q.kind = req_query(r, "kind");
    if (!api_page(r, &c.q.after, &c.q.limit) || !api_query_id(r, "site", &c.q.site_id))
        return;
    if (c.q.status && !api_one_of(c.q.status, statuses)) {
        reply_error(r, BB_INVALID, "status");
        return;
    }
    if (c.q.kind && !api_one_of(c.q.kind, kinds)) {
        reply_error(r, BB_INVALID, "kind");
        return;
    }
    if (!api_failed(r, store_read(r->st, list_fn, &c), NULL))
        api_reply_page(r, c.items, c.next);
}

void api_hotline_orders_get(struct req *r) { api_get_one(r, hotline_get); }

struct act_ctx {
    struct req *r;
    struct api_idem idem;
    int64_t id;
    const char *action, *text, *field;
    json_t *out;
};

static enum bb_err act_fn(struct store_tx *tx, void *arg)
{
    struct act_ctx *c = arg;
    enum bb_err rc = api_idem_lookup(tx, &c->idem);
    if (rc || c->idem.replay)
        return rc;
    rc = hotline_act(tx, &c->r->actor, c->id, c->action, c->text, &c->field);
    if (!rc)
        rc = hotline_get(tx, NULL, c->id, &c->out);
    if (!rc)
        rc = api_idem_store(tx, &c->idem, 200, c->out);
    return rc;
}

void api_hotline_orders_act(struct req *r)
{
    static const char *const f_answer[] = {"answer", NULL};
    static const char *const f_link[] = {"receipt", NULL};
    static const char *const f_none[] = {NULL};
    struct act_ctx c = {.r = r, .action = r->params[1]};
    if (!api_id(r, 0, &c.id))
        return;
    const char *const *allowed = !strcmp(c.action, "answer") ? f_answer
                                 : !strcmp(c.action, "link") ? f_link
                                 : !strcmp(c.action, "close") ? f_none
                                                              : NULL;
    if (!allowed) {
        reply_error(r, BB_NO_ROUTE, NULL);
        return;
    }
    json_t *o;
    if (!api_body(r, allowed, &o))
        return;
    enum bb_err rc = BB_OK;
    if (allowed == f_answer)
        rc = json_str(o, "answer", NULL, false, 1, 2000, &c.text, &c.field);
    else if (allowed == f_link)
        rc = json_str(o, "receipt", NULL, false, 1, 32, &c.text, &c.field);
    if (!rc && !api_idem_begin(r, &c.idem)) {
        json_decref(o);
        return;
    }
    if (!rc)
        rc = store_write(r->st, act_fn, &c);
    if (api_failed(r, rc, c.field)) {
        json_decref(c.out);
        json_decref(c.idem.body);
    } else if (c.idem.replay) {
        reply_json(r, c.idem.status, c.idem.body);
    } else {
        reply_json(r, 200, c.out);
    }
    json_decref(o);
}
