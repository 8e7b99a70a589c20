/* api_ratings.c - 好差评 ratings, appeals and rectifications (docs/api-ratings.md). The public
 * endpoints prove the target with its code; wrong pairs are counted per address. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../cases/cases.h"
#include "../core/json.h"
#include "../front/ratings.h"
#include "api.h"
#include "api_idem.h"

/* --- public: the target and the address limit --- */

/* Strict positive decimal id from a query value. */
static bool parse_pos(const char *v, int64_t *out)
{
    if (!v || !*v || *v == '0' || strlen(v) > 18)
        return false;
    for (const char *p = v; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    *out = strtoll(v, NULL, 10);
    return true;
}

/* Exactly one of receipt / ticket, and a code. */
static enum bb_err check_target(const struct rating_target *t, bool has_ticket,
                                const char **field)
{
    *field = "receipt";
    if ((t->receipt != NULL) == has_ticket)
        return BB_INVALID;
    if (t->receipt && (!t->receipt[0] || strlen(t->receipt) >= CASE_RECEIPT_LEN))
        return BB_INVALID;
    *field = "code";
    if (!t->code)
        return BB_MISSING_FIELD;
    *field = NULL;
    return BB_OK;
}

static enum bb_err body_target(json_t *o, struct rating_target *t, const char **field)
{
    bool has_receipt, has_ticket;
    enum bb_err rc = json_str(o, "receipt", &has_receipt, false, 1, CASE_RECEIPT_LEN - 1,
                              &t->receipt, field);
    if (!rc)
        rc = json_int(o, "ticket", &has_ticket, false, 1, INT64_MAX, &t->ticket_id, NULL, field);
    if (!rc)
        rc = json_str(o, "code", NULL, false, 1, 64, &t->code, field);
    if (!rc)
        rc = check_target(t, has_ticket, field);
    return rc;
}

enum pub_kind { PUB_VIEW, PUB_RATE, PUB_APPEAL };

struct pub_ctx {
    struct req *r;
    enum pub_kind kind;
    struct rating_in in;
    const char *reason;
    int retry_after;
    const char *field;
    json_t *out;
};

static enum bb_err pub_fn(struct store_tx *tx, void *arg)
{
    struct pub_ctx *c = arg;
    enum bb_err rc = rating_limited(tx, c->r->addr, false, &c->retry_after);
    if (!rc && c->retry_after > 0)
        return BB_RATE_LIMITED; /* over the limit: even a right code waits */
    if (rc)
        return rc;
    if (c->kind == PUB_VIEW)
        return rating_rateable(tx, &c->in.t, &c->out);
    if (c->kind == PUB_RATE)
        return rating_submit(tx, &c->in, &c->out, &c->field);
    return rating_appeal(tx, &c->in.t, c->reason, &c->out);
}

static enum bb_err count_fn(struct store_tx *tx, void *arg)
{
    struct pub_ctx *c = arg;
    return rating_limited(tx, c->r->addr, true, &c->retry_after);
}

static void pub_run(struct pub_ctx *c, int status)
{
    struct req *r = c->r;
    enum bb_err rc = c->kind == PUB_VIEW ? store_read(r->st, pub_fn, c)
                                         : store_write(r->st, pub_fn, c);
    if (rc == BB_NOT_FOUND && !store_write(r->st, count_fn, c) && c->retry_after > 0)
        rc = BB_RATE_LIMITED; /* this wrong guess was one too many */
    if (rc == BB_RATE_LIMITED)
        r->retry_after = c->retry_after;
    if (api_failed(r, rc, c->field)) {
        json_decref(c->out);
        return;
    }
    reply_json(r, status, c->out);
}

void api_public_rateable(struct req *r)
{
    struct pub_ctx c = {.r = r, .kind = PUB_VIEW};
    const char *ticket = req_query(r, "ticket");
    c.in.t.receipt = req_query(r, "receipt");
    c.in.t.code = req_query(r, "code");
    if (ticket && !parse_pos(ticket, &c.in.t.ticket_id)) {
        reply_error(r, BB_INVALID, "ticket");
        return;
    }
    enum bb_err rc = check_target(&c.in.t, ticket != NULL, &c.field);
    if (api_failed(r, rc, c.field))
        return;
    pub_run(&c, 200);
}

static enum bb_err parse_rating(json_t *o, struct rating_in *in, const char **field)
{
    bool p;
    enum bb_err rc = body_target(o, &in->t, field);
    if (!rc)
        rc = json_int(o, "level", NULL, false, 1, 5, &in->level, NULL, field);
    if (!rc)
        rc = json_str(o, "comment", &p, true, 0, 500, &in->comment, field);
    in->channel = "web";
    if (!rc)
        rc = json_str(o, "channel", &p, false, 1, 16, &in->channel, field);
    json_t *tags = json_object_get(o, "tags");
    if (rc || !tags || json_is_null(tags))
        return rc;
    *field = "tags";
    if (!json_is_array(tags))
        return BB_WRONG_TYPE;
    if (json_array_size(tags) > RATING_MAX_TAGS)
        return BB_INVALID;
    size_t i;
    json_t *t;
    json_array_foreach(tags, i, t) {
        static _Thread_local char name[32];
        snprintf(name, sizeof name, "tags[%zu]", i);
        *field = name;
        if (!json_is_string(t))
            return BB_WRONG_TYPE;
        const char *s = json_string_value(t);
        size_t n = utf8_chars(s);
        if (strlen(s) != json_string_length(t) || n < 1 || n > 20)
            return BB_INVALID;
        in->tags[in->ntags++] = s;
    }
    *field = NULL;
    return BB_OK;
}

void api_public_rate(struct req *r)
{
    static const char *const allowed[] = {"receipt", "ticket", "code", "level", "tags",
                                          "comment", "channel", NULL};
    struct pub_ctx c = {.r = r, .kind = PUB_RATE};
    json_t *o;
    if (!api_body(r, allowed, &o))
        return;
    enum bb_err rc = parse_rating(o, &c.in, &c.field);
    if (!api_failed(r, rc, c.field))
        pub_run(&c, 201);
    json_decref(o);
}

void api_public_appeal(struct req *r)
{
    static const char *const allowed[] = {"receipt", "ticket", "code", "reason", NULL};
    struct pub_ctx c = {.r = r, .kind = PUB_APPEAL};
    json_t *o;
    if (!api_body(r, allowed, &o))
        return;
    enum bb_err rc = body_target(o, &c.in.t, &c.field);
    if (!rc)
        rc = json_str(o, "reason", NULL, false, 1, 500, &c.reason, &c.field);
    if (!api_failed(r, rc, c.field))
        pub_run(&c, 200);
    json_decref(o);
}

/* --- staff: lists --- */

struct list_ctx {
    struct req *r;
    struct rating_query rq;
    struct rect_query xq;
    bool rect;
    const char *field;
    json_t *items;
    int64_t next;
};

static enum bb_err list_fn(struct store_tx *tx, void *arg)
{
    struct list_ctx *c = arg;
    if (c->rect)
        return rect_list(tx, &c->r->actor, &c->xq, &c->items, &c->next, &c->field);
    return rating_list(tx, &c->r->actor, &c->rq, &c->items, &c->next, &c->field);
}

static void list_run(struct list_ctx *c)
{
    enum bb_err rc = store_read(c->r->st, list_fn, c);
    if (api_failed(c->r, rc, c->field)) {
        json_decref(c->items);
        return;
    }
    api_reply_page(c->r, c->items, c->next);
}

void api_ratings_list(struct req *r)
{
    struct list_ctx c = {.r = r};
    if (!api_page(r, &c.rq.after, &c.rq.limit) || !api_query_id(r, "site", &c.rq.site_id))
        return;
    const char *level = req_query(r, "level");
    if (level && (!parse_pos(level, &c.rq.level) || c.rq.level > 5)) {
        reply_error(r, BB_INVALID, "level");
        return;
    }
    c.rq.from = req_query(r, "from");
    c.rq.to = req_query(r, "to");
    list_run(&c);
}

void api_rectifications_list(struct req *r)
{
    struct list_ctx c = {.r = r, .rect = true};
    if (!api_page(r, &c.xq.after, &c.xq.limit) || !api_query_id(r, "site", &c.xq.site_id))
        return;
    c.xq.status = req_query(r, "status");
    c.xq.state = req_query(r, "state");
    list_run(&c);
}

void api_rectifications_get(struct req *r) { api_get_one(r, rect_get); }

/* --- staff: actions --- */

struct act_ctx {
    struct req *r;
    int64_t id;
    struct rect_action in;
    struct api_idem idem;
    const char *field;
    json_t *out;
};

static enum bb_err act_fn(struct store_tx *tx, void *arg)
{
    struct act_ctx *c = arg;
    enum bb_err rc = api_idem_lookup(tx, &c->idem);
    if (rc || c->idem.replay)
        return rc;
    rc = rect_act(tx, &c->r->actor, c->id, &c->in, &c->field);
    if (!rc)
        rc = rect_get(tx, &c->r->actor, c->id, &c->out);
    if (!rc)
        rc = api_idem_store(tx, &c->idem, 200, c->out);
    return rc;
}

static bool if_match(struct req *r, int64_t *out)
{
    const char *match = req_header(r, "If-Match");
    *out = 0;
    if (!match)
        return true;
    char *end = NULL;
    long long v = strtoll(match[0] == '"' ? match + 1 : match, &end, 10);
    if (v <= 0 || !end || (*end && strcmp(end, "\"") != 0)) {
        reply_error(r, BB_INVALID, "If-Match");
        return false;
    }
    *out = v;
    return true;
}

void api_rectifications_act(struct req *r)
{
    static const char *const allowed[] = {"note", "verdict", "outcome", "satisfied", NULL};
    struct act_ctx c = {.r = r};
    c.in.name = r->params[1];
    if (!api_id(r, 0, &c.id))
        return;
    if (!rect_action_known(c.in.name)) {
        reply_error(r, BB_NO_ROUTE, NULL);
        return;
    }
    json_t *o;
    if (!if_match(r, &c.in.if_match) || !api_idem_begin(r, &c.idem) || !api_body(r, allowed, &o))
        return;
    bool p;
    enum bb_err rc = json_str(o, "note", &p, true, 0, 500, &c.in.note, &c.field);
    if (!rc)
        rc = json_str(o, "verdict", &p, false, 1, 16, &c.in.verdict, &c.field);
    if (!rc)
        rc = json_str(o, "outcome", &p, false, 1, 16, &c.in.outcome, &c.field);
    if (!rc)
        rc = json_bool(o, "satisfied", &c.in.has_satisfied, &c.in.satisfied, &c.field);
    if (!rc)
        rc = store_write(r->st, act_fn, &c);
    if (!rc && c.idem.replay) {
        reply_json(r, c.idem.status, c.idem.body);
    } else if (!api_failed(r, rc, c.field)) {
        reply_json(r, 200, c.out);
    } else {
        json_decref(c.out);
        json_decref(c.idem.body);
    }
    json_decref(o);
}
