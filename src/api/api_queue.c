/* api_queue.c - 排队叫号: taking tickets (kiosk and desk), calling, ticket actions, the window
 * console's view, the display snapshot and statistics (docs/api-queue.md). */
#include <string.h>
#include "../core/json.h"
#include "../front/queue.h"
#include "api.h"
#include "api_idem.h"

/* --- changes: take, call-next, actions; one write transaction each --- */

enum op { OP_TAKE, OP_CALL, OP_ACT };

struct wctx {
    struct req *r;
    const struct actor *a;     /* NULL: the public kiosk */
    enum op op;
    struct ticket_in in;
    struct ticket_action act;
    int64_t id;                /* window (call) or ticket (act); the ticket afterwards */
    const char *field;
    json_t *out;
    struct api_idem idem;
};

static enum bb_err write_fn(struct store_tx *tx, void *arg)
{
    struct wctx *c = arg;
    enum bb_err rc = api_idem_lookup(tx, &c->idem);
    if (rc || c->idem.replay)
        return rc;
    if (c->op == OP_TAKE)
        rc = ticket_take(tx, c->a, &c->in, &c->id, &c->field);
    else if (c->op == OP_CALL)
        rc = queue_call_next(tx, c->a, c->id, &c->id);
    else
        rc = ticket_act(tx, c->a, c->id, &c->act, &c->field);
    if (!rc) /* read back as the system: a kiosk has no actor, and the slip needs its code */
        rc = ticket_get(tx, NULL, c->id, true, &c->out);
    if (!rc)
        rc = api_idem_store(tx, &c->idem, c->op == OP_TAKE ? 201 : 200, c->out);
    return rc;
}

static void run_write(struct wctx *c)
{
    enum bb_err rc = store_write(c->r->st, write_fn, c);
    if (!rc && c->idem.replay) {
        reply_json(c->r, c->idem.status, c->idem.body);
        return;
    }
    if (!api_failed(c->r, rc, c->field)) {
        reply_json(c->r, c->op == OP_TAKE ? 201 : 200, c->out);
        return;
    }
    json_decref(c->out);
    json_decref(c->idem.body);
}

/* The body as an object; an empty body counts as {} (call-next and most actions need none). */
static bool body_or_empty(struct req *r, const char *const *allowed, json_t **o)
{
    if (r->body.len == 0) {
        *o = json_object();
        if (!*o)
            reply_error(r, BB_NOMEM, NULL);
        return *o != NULL;
    }
    return api_body(r, allowed, o);
}

static void take(struct req *r, const struct actor *a)
{
    static const char *const allowed[] = {"site_id", "kind", "priority", "item", NULL};
    struct wctx c = {.r = r, .a = a, .op = OP_TAKE};
    json_t *o;
    if ((a && !api_idem_begin(r, &c.idem)) || !api_body(r, allowed, &o))
        return;
    bool p = false;
    enum bb_err rc = json_int(o, "site_id", a ? &p : NULL, false, 1, INT64_MAX, &c.in.site_id,
                              NULL, &c.field);
    if (!rc && a && !p)
        c.in.site_id = a->site_id;
    if (!rc)
        rc = json_str(o, "kind", NULL, false, 1, 16, &c.in.kind, &c.field);
    if (!rc)
        rc = json_str(o, "priority", &p, true, 1, 16, &c.in.priority, &c.field);
    if (!rc)
        rc = json_str(o, "item", &p, true, 1, 32, &c.in.item_code, &c.field);
    if (!api_failed(r, rc, c.field))
        run_write(&c);
    json_decref(o);
}

void api_public_ticket_take(struct req *r) { take(r, NULL); }
void api_tickets_take(struct req *r) { take(r, &r->actor); }

void api_windows_call_next(struct req *r)
{
    static const char *const allowed[] = {NULL};
    struct wctx c = {.r = r, .a = &r->actor, .op = OP_CALL};
    json_t *o;
    if (!api_id(r, 0, &c.id) || !api_idem_begin(r, &c.idem) || !body_or_empty(r, allowed, &o))
        return;
    run_write(&c);
    json_decref(o);
}

void api_tickets_act(struct req *r)
{
    static const char *const none[] = {NULL};
    static const char *const transfer[] = {"kind", NULL};
    static const char *const finish[] = {"case", NULL};
    struct wctx c = {.r = r, .a = &r->actor, .op = OP_ACT};
    c.act.name = r->params[1];
    if (!api_id(r, 0, &c.id))
        return;
    if (!ticket_action_known(c.act.name)) {
        reply_error(r, BB_NO_ROUTE, NULL);
        return;
    }
    bool is_transfer = strcmp(c.act.name, "transfer") == 0;
    bool is_finish = strcmp(c.act.name, "finish") == 0;
    json_t *o;
    if (!api_idem_begin(r, &c.idem) ||
        !body_or_empty(r, is_transfer ? transfer : is_finish ? finish : none, &o))
        return;
    bool p = false;
    enum bb_err rc = BB_OK;
    if (is_transfer)
        rc = json_str(o, "kind", NULL, false, 1, 16, &c.act.kind, &c.field);
    if (is_finish)
        rc = json_str(o, "case", &p, true, 1, 32, &c.act.case_receipt, &c.field);
    if (!api_failed(r, rc, c.field))
        run_write(&c);
    json_decref(o);
}

/* --- reads --- */

struct rctx {
    struct req *r;
    int64_t id;
    struct ticket_query q;
    const char *from, *to, *field;
    json_t *out;
    int64_t next;
};

static enum bb_err get_fn(struct store_tx *tx, void *arg)
{
    struct rctx *c = arg;
    return ticket_get(tx, &c->r->actor, c->id, true, &c->out);
}

static enum bb_err list_fn(struct store_tx *tx, void *arg)
{
    struct rctx *c = arg;
    return ticket_list(tx, &c->r->actor, &c->q, &c->out, &c->next, &c->field);
}

static enum bb_err window_fn(struct store_tx *tx, void *arg)
{
    struct rctx *c = arg;
    return queue_window_view(tx, &c->r->actor, c->id, &c->out);
}

static enum bb_err snapshot_fn(struct store_tx *tx, void *arg)
{
    struct rctx *c = arg;
    return queue_snapshot(tx, c->id, &c->out);
}

static enum bb_err stats_fn(struct store_tx *tx, void *arg)
{
    struct rctx *c = arg;
    return queue_stats(tx, &c->r->actor, c->id, c->from, c->to, &c->out, &c->field);
}

static void run_read(struct rctx *c, store_fn fn)
{
    enum bb_err rc = store_read(c->r->st, fn, c);
    if (api_failed(c->r, rc, c->field))
        json_decref(c->out);
    else
        reply_json(c->r, 200, c->out);
}

void api_tickets_get(struct req *r)
{
    struct rctx c = {.r = r};
    if (api_id(r, 0, &c.id))
        run_read(&c, get_fn);
}

void api_tickets_list(struct req *r)
{
    struct rctx c = {.r = r};
    if (!api_page(r, &c.q.after, &c.q.limit) || !api_query_id(r, "site", &c.q.site_id))
        return;
    c.q.date = req_query(r, "date");
    c.q.status = req_query(r, "status");
    enum bb_err rc = store_read(r->st, list_fn, &c);
    if (!api_failed(r, rc, c.field))
        api_reply_page(r, c.out, c.next);
}

void api_windows_queue(struct req *r)
{
    struct rctx c = {.r = r};
    if (api_id(r, 0, &c.id))
        run_read(&c, window_fn);
}

void api_public_queue(struct req *r)
{
    struct rctx c = {.r = r};
    if (api_id(r, 0, &c.id))
        run_read(&c, snapshot_fn);
}

void api_queue_stats(struct req *r)
{
    struct rctx c = {.r = r};
    if (!api_query_id(r, "site", &c.id))
        return;
    c.from = req_query(r, "from");
    c.to = req_query(r, "to");
    run_read(&c, stats_fn);
}
