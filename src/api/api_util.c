/* api_util.c - request parsing and the read/list/write skeletons every resource uses. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../audit/audit.h"
#include "../core/json.h"
#include "api_idem.h"
#include "api.h"

static struct api_options opts;

void api_configure(const struct api_options *o) { opts = *o; }
const struct api_options *api_options(void) { return &opts; }

bool api_failed(struct req *r, enum bb_err rc, const char *field)
{
    if (!rc)
        return false;
    reply_error(r, rc, field);
    return true;
}

bool api_body(struct req *r, const char *const *allowed, json_t **obj)
{
    *obj = NULL;
    const char *field = NULL;
    enum bb_err rc = json_parse_object(r->body.data ? r->body.data : "", r->body.len, obj);
    if (!rc)
        rc = json_only(*obj, allowed, &field);
    if (rc) {
        reply_error(r, rc, field);
        json_decref(*obj);
        *obj = NULL;
        return false;
    }
    return true;
}

/* Strict positive decimal: no sign, no spaces, no leading zeros, fits in int64. */
static bool parse_id(const char *s, int64_t *out)
{
    if (!s || !*s || *s == '0' || strlen(s) > 18)
        return false;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno || v <= 0)
        return false;
    *out = v;
    return true;
}

bool api_id(struct req *r, int i, int64_t *id)
{
    if (!parse_id(r->params[i], id)) {
        reply_error(r, BB_NOT_FOUND, NULL);
        return false;
    }
    return true;
}

bool api_query_id(struct req *r, const char *name, int64_t *id)
{
    const char *v = req_query(r, name);
    *id = 0;
    if (!v)
        return true;
    if (!parse_id(v, id)) {
        reply_error(r, BB_INVALID, name);
        return false;
    }
    return true;
}

bool api_limit(struct req *r, int *limit)
{
    *limit = 50;
    const char *l = req_query(r, "limit");
    if (l) {
        int64_t v;
        if (!parse_id(l, &v)) {
            reply_error(r, BB_INVALID, "limit");
            return false;
        }
        *limit = v > 200 ? 200 : (int)v;
    }
    return true;
}

bool api_page(struct req *r, int64_t *after, int *limit)
{
    *after = 0;
    if (!api_limit(r, limit))
        return false;
    const char *c = req_query(r, "cursor");
    if (c && !parse_id(c, after)) {
        reply_error(r, BB_INVALID, "cursor");
        return false;
    }
    return true;
}

struct one_ctx {
    struct req *r;
    api_get_fn get;
    int64_t id;
    json_t *out;
};

static enum bb_err one_fn(struct store_tx *tx, void *arg)
{
    struct one_ctx *c = arg;
    return c->get(tx, &c->r->actor, c->id, &c->out);
}

void api_get_one(struct req *r, api_get_fn get)
{
    struct one_ctx c = {r, get, 0, NULL};
    if (!api_id(r, 0, &c.id))
        return;
    enum bb_err rc = store_read(r->st, one_fn, &c);
    if (api_failed(r, rc, NULL)) {
        json_decref(c.out);
        return;
    }
    reply_json(r, 200, c.out);
}

void api_reply_page(struct req *r, json_t *items, int64_t next)
{
    char cursor[24];
    snprintf(cursor, sizeof cursor, "%lld", (long long)next);
    reply_json(r, 200, json_pack("{s:o,s:o}", "items", items, "next",
                                 next ? json_string(cursor) : json_null()));
}

struct list_ctx {
    struct req *r;
    api_list_fn list;
    int64_t filter, after, next;
    int limit;
    json_t *items;
};

static enum bb_err list_fn(struct store_tx *tx, void *arg)
{
    struct list_ctx *c = arg;
    return c->list(tx, &c->r->actor, c->filter, c->after, c->limit, &c->items, &c->next);
}

void api_list(struct req *r, api_list_fn list, const char *filter_param)
{
    struct list_ctx c = {.r = r, .list = list};
    if (!api_page(r, &c.after, &c.limit))
        return;
    if (filter_param && !api_query_id(r, filter_param, &c.filter))
        return;
    enum bb_err rc = store_read(r->st, list_fn, &c);
    if (api_failed(r, rc, NULL))
        return;
    api_reply_page(r, c.items, c.next);
}

struct write_ctx {
    struct req *r;
    api_apply_fn apply;
    const void *in;
    int64_t id;
    api_get_fn get;
    json_t *out;
    const char *field;
    const char *kind;
    bool create;
    struct api_idem idem;
};

static enum bb_err write_fn(struct store_tx *tx, void *arg)
{
    struct write_ctx *c = arg;
    enum bb_err rc = api_idem_lookup(tx, &c->idem);
    if (rc || c->idem.replay)
        return rc; /* a retry: the first answer, and no second change */
    rc = c->apply(tx, &c->r->actor, c->in, &c->id, &c->field);
    char action[48], object[48];
    snprintf(action, sizeof action, "%s.%s", c->kind, c->create ? "create" : "update");
    snprintf(object, sizeof object, "%s:%lld", c->kind, (long long)c->id);
    if (!rc)
        rc = audit_append(tx, &c->r->actor, action, object, "ok", NULL);
    if (!rc) /* read back as the system: the actor may create what it cannot read */
        rc = c->get(tx, NULL, c->id, &c->out);
    if (!rc)
        rc = api_idem_store(tx, &c->idem, c->create ? 201 : 200, c->out);
    return rc;
}

void api_write(struct req *r, int status, api_apply_fn apply, const void *in, int64_t id,
               api_get_fn get, const char *kind)
{
    struct write_ctx c = {r, apply, in, id, get, NULL, NULL, kind, status == 201, {0}};
    if (strcmp(r->method, "POST") == 0 && !api_idem_begin(r, &c.idem))
        return;
    enum bb_err rc = store_write(r->st, write_fn, &c);
    if (rc) {
        json_decref(c.out);
        json_decref(c.idem.body);
        reply_error(r, rc, c.field);
        return;
    }
    if (c.idem.replay)
        reply_json(r, c.idem.status, c.idem.body);
    else
        reply_json(r, status, c.out);
}

bool api_one_of(const char *v, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(v, *set) == 0)
            return true;
    return false;
}
