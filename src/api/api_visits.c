/* api_visits.c - 上门服务 home visits: schedule, the day lists, the visit, done / cancel. */
#include <string.h>
#include "../core/json.h"
#include "../core/workday.h"
#include "../front/visits.h"
#include "api.h"
#include "api_idem.h"

struct write_ctx {
    struct req *r;
    struct api_idem idem;
    struct visit_in in;
    int64_t id;
    const char *action, *text, *field;
    json_t *out;
};

static enum bb_err write_fn(struct store_tx *tx, void *arg)
{
    struct write_ctx *c = arg;
    enum bb_err rc = api_idem_lookup(tx, &c->idem);
    if (rc || c->idem.replay)
        return rc;
    if (c->action)
        rc = visit_act(tx, &c->r->actor, c->id, c->action, c->text, &c->field);
    else
        rc = visit_create(tx, &c->r->actor, &c->in, &c->id, &c->field);
    if (!rc)
        rc = visit_get(tx, NULL, c->id, &c->out);
    if (!rc)
        rc = api_idem_store(tx, &c->idem, c->action ? 200 : 201, c->out);
    return rc;
}

static void visit_write(struct req *r, struct write_ctx *c)
{
    if (!api_idem_begin(r, &c->idem))
        return;
    enum bb_err rc = store_write(r->st, write_fn, c);
    if (rc) {
        json_decref(c->out);
        json_decref(c->idem.body);
        reply_error(r, rc, c->field);
    } else if (c->idem.replay) {
        reply_json(r, c->idem.status, c->idem.body);
    } else {
        reply_json(r, c->action ? 200 : 201, c->out);
    }
}

void api_visits_create(struct req *r)
{
    static const char *const allowed[] = {"case", "day", "time", "address", "group", "agent",
                                          NULL};
    json_t *o;
    if (!api_body(r, allowed, &o))
        return;
    struct write_ctx c = {.r = r};
    bool p;
    enum bb_err rc = json_str(o, "case", NULL, false, 1, 32, &c.in.receipt, &c.field);
    if (!rc)
        rc = json_str(o, "day", NULL, false, 1, 10, &c.in.day, &c.field);
    if (!rc)
        rc = json_str(o, "time", &p, true, 1, 5, &c.in.time, &c.field);
    if (!rc)
        rc = json_str(o, "address", NULL, false, 1, 200, &c.in.address, &c.field);
    if (!rc)
        rc = json_str(o, "group", NULL, false, 1, 32, &c.in.group, &c.field);
    if (!rc)
        rc = json_int(o, "agent", &p, true, 1, INT64_MAX, &c.in.agent, NULL, &c.field);
    if (!api_failed(r, rc, c.field))
        visit_write(r, &c);
    json_decref(o);
}

struct list_ctx {
    struct req *r;
    struct visit_query q;
    json_t *items;
    int64_t next;
};

static enum bb_err list_fn(struct store_tx *tx, void *arg)
{
    struct list_ctx *c = arg;
    return visit_list(tx, &c->r->actor, &c->q, &c->items, &c->next);
}

void api_visits_list(struct req *r)
{
    struct list_ctx c = {.r = r};
    const char *mine = req_query(r, "mine");
    int day;
    c.q.date = req_query(r, "date");
    c.q.status = req_query(r, "status");
    if (!api_page(r, &c.q.offset, &c.q.limit) || !api_query_id(r, "site", &c.q.site_id))
        return;
    if (c.q.date && workday_parse(c.q.date, &day)) {
        reply_error(r, BB_INVALID, "date");
        return;
    }
    if (mine && strcmp(mine, "true") && strcmp(mine, "false")) {
        reply_error(r, BB_INVALID, "mine");
        return;
    }
    c.q.mine = mine && !strcmp(mine, "true");
    if (c.q.status && strcmp(c.q.status, "scheduled") && strcmp(c.q.status, "done") &&
        strcmp(c.q.status, "cancelled")) {
        reply_error(r, BB_INVALID, "status");
        return;
    }
    if (!api_failed(r, store_read(r->st, list_fn, &c), NULL))
        api_reply_page(r, c.items, c.next);
}

void api_visits_get(struct req *r) { api_get_one(r, visit_get); }

void api_visits_act(struct req *r)
{
    static const char *const f_done[] = {"outcome", NULL};
    static const char *const f_cancel[] = {"reason", NULL};
    struct write_ctx c = {.r = r, .action = r->params[1]};
    if (!api_id(r, 0, &c.id))
        return;
    bool done = !strcmp(c.action, "done");
    if (!done && strcmp(c.action, "cancel")) {
        reply_error(r, BB_NO_ROUTE, NULL);
        return;
    }
    json_t *o;
    if (!api_body(r, done ? f_done : f_cancel, &o))
        return;
    enum bb_err rc = json_str(o, done ? "outcome" : "reason", NULL, false, 1, 1000, &c.text,
                              &c.field);
    if (!api_failed(r, rc, c.field))
        visit_write(r, &c);
    json_decref(o);
}
