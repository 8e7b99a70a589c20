/* api_complaints.c - 办不成事 complaints: public filing, follow-up and rating (rate-limited per
 * address), staff filing at the window, lists, the complaint, assign / answer / close. */
#include <string.h>
#include "../core/json.h"
#include "../front/complaints.h"
#include "api.h"
#include "api_idem.h"

static const char *const allowed_public[] = {"site_id", "item", "name", "phone",
                                             "description", NULL};

/* Fields shared by public and window filing; site_id required when required. */
static enum bb_err parse_in(json_t *o, struct complaint_in *in, bool site_required,
                            const char **field)
{
    bool p;
    enum bb_err rc = json_int(o, "site_id", site_required ? NULL : &p, false, 1, INT64_MAX,
                              &in->site_id, NULL, field);
    if (!rc)
        rc = json_str(o, "item", &p, true, 1, 32, &in->item_code, field);
    if (!rc)
        rc = json_str(o, "name", NULL, false, 1, 50, &in->name, field);
    if (!rc)
        rc = json_str(o, "phone", NULL, false, 1, 32, &in->phone, field);
    if (!rc)
        rc = json_str(o, "description", NULL, false, 1, 2000, &in->description, field);
    return rc;
}

/* --- public --- */

struct pub_ctx {
    struct req *r;
    struct complaint_in in;
    const char *code, *phone, *field;
    int64_t level;
    bool failed;
    int retry_after;
    json_t *out;
};

static enum bb_err public_file_fn(struct store_tx *tx, void *arg)
{
    struct pub_ctx *c = arg;
    enum bb_err rc = complaint_file_limited(tx, c->r->addr, &c->retry_after);
    if (!rc && c->retry_after)
        rc = BB_RATE_LIMITED; /* rolls back: nothing filed, nothing counted */
    int64_t id;
    char code[COMPLAINT_CODE_LEN];
    if (!rc)
        rc = complaint_create(tx, NULL, &c->in, &id, code, &c->field);
    if (!rc)
        rc = complaint_public_get(tx, code, c->in.phone, &c->out);
    return rc;
}

static void reply_limited(struct req *r, int retry_after)
{
    r->retry_after = retry_after;
    reply_error(r, BB_RATE_LIMITED, NULL);
}

void api_public_complain(struct req *r)
{
    json_t *o;
    if (!api_body(r, allowed_public, &o))
        return;
    struct pub_ctx c = {.r = r, .in.source = "web"};
    enum bb_err rc = parse_in(o, &c.in, true, &c.field);
    if (!rc)
        rc = store_write(r->st, public_file_fn, &c);
    if (rc == BB_RATE_LIMITED)
        reply_limited(r, c.retry_after);
    else if (!api_failed(r, rc, c.field))
        reply_json(r, 201, c.out);
    else
        json_decref(c.out);
    json_decref(o);
}

static enum bb_err lookup_limit_fn(struct store_tx *tx, void *arg)
{
    struct pub_ctx *c = arg;
    return complaint_lookup_limited(tx, c->r->addr, c->failed, &c->retry_after);
}

/* After a public look-up: a wrong pair is counted; past the limit the answer is 429. */
static void reply_public(struct req *r, struct pub_ctx *c, enum bb_err rc)
{
    c->failed = rc == BB_NOT_FOUND;
    enum bb_err lrc = c->failed ? store_write(r->st, lookup_limit_fn, c) : BB_OK;
    if (!lrc && c->retry_after > 0) {
        json_decref(c->out);
        reply_limited(r, c->retry_after);
    } else if (!api_failed(r, rc, c->field)) {
        reply_json(r, 200, c->out);
    } else {
        json_decref(c->out);
    }
}

static enum bb_err public_get_fn(struct store_tx *tx, void *arg)
{
    struct pub_ctx *c = arg;
    return complaint_public_get(tx, c->code, c->phone, &c->out);
}

void api_public_complaint_get(struct req *r)
{
    struct pub_ctx c = {.r = r, .code = r->params[0], .phone = req_query(r, "phone")};
    if (!c.phone) {
        reply_error(r, BB_MISSING_FIELD, "phone");
        return;
    }
    reply_public(r, &c, store_read(r->st, public_get_fn, &c));
}

static enum bb_err public_rate_fn(struct store_tx *tx, void *arg)
{
    struct pub_ctx *c = arg;
    enum bb_err rc = complaint_rate(tx, c->code, c->phone, (int)c->level);
    return rc ? rc : complaint_public_get(tx, c->code, c->phone, &c->out);
}

void api_public_complaint_rate(struct req *r)
{
    static const char *const allowed[] = {"phone", "level", NULL};
    json_t *o;
    if (!api_body(r, allowed, &o))
        return;
    struct pub_ctx c = {.r = r, .code = r->params[0]};
    enum bb_err rc = json_str(o, "phone", NULL, false, 1, 32, &c.phone, &c.field);
    if (!rc)
        rc = json_int(o, "level", NULL, false, 1, 5, &c.level, NULL, &c.field);
    if (rc)
        reply_error(r, rc, c.field);
    else
        reply_public(r, &c, store_write(r->st, public_rate_fn, &c));
    json_decref(o);
}

/* --- staff --- */

struct staff_ctx {
    struct req *r;
    struct api_idem idem;
    struct complaint_in in;
    int64_t id, user;
    const char *action, *answer, *field;
    json_t *out;
};

static enum bb_err staff_fn(struct store_tx *tx, void *arg)
{
    struct staff_ctx *c = arg;
    enum bb_err rc = api_idem_lookup(tx, &c->idem);
    if (rc || c->idem.replay)
        return rc;
    if (c->action)
        rc = complaint_act(tx, &c->r->actor, c->id, c->action, c->user, c->answer, &c->field);
    else
        rc = complaint_create(tx, &c->r->actor, &c->in, &c->id, NULL, &c->field);
    if (!rc) /* read back as the system: the filer may not read the site's complaints */
        rc = complaint_get(tx, NULL, c->id, &c->out);
    if (!rc)
        rc = api_idem_store(tx, &c->idem, c->action ? 200 : 201, c->out);
    return rc;
}

static void staff_write(struct req *r, struct staff_ctx *c)
{
    if (!api_idem_begin(r, &c->idem))
        return;
    enum bb_err rc = store_write(r->st, staff_fn, c);
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

void api_complaints_create(struct req *r)
{
    json_t *o;
    if (!api_body(r, allowed_public, &o))
        return;
    struct staff_ctx c = {.r = r, .in.source = "window"};
    enum bb_err rc = parse_in(o, &c.in, false, &c.field);
    if (!api_failed(r, rc, c.field))
        staff_write(r, &c);
    json_decref(o);
}

struct list_ctx {
    struct req *r;
    struct complaint_query q;
    json_t *items;
    int64_t next;
};

static enum bb_err list_fn(struct store_tx *tx, void *arg)
{
    struct list_ctx *c = arg;
    return complaint_list(tx, &c->r->actor, &c->q, &c->items, &c->next);
}

void api_complaints_list(struct req *r)
{
    static const char *const statuses[] = {"open", "assigned", "answered", "closed", NULL};
    static const char *const states[] = {"normal", "overdue", NULL};
    struct list_ctx c = {.r = r};
    c.q.status = req_query(r, "status");
    c.q.state = req_query(r, "state");
    if (!api_page(r, &c.q.after, &c.q.limit) || !api_query_id(r, "site", &c.q.site_id))
        return;
    if (c.q.status && !api_one_of(c.q.status, statuses)) {
        reply_error(r, BB_INVALID, "status");
        return;
    }
    if (c.q.state && !api_one_of(c.q.state, states)) {
        reply_error(r, BB_INVALID, "state");
        return;
    }
    if (!api_failed(r, store_read(r->st, list_fn, &c), NULL))
        api_reply_page(r, c.items, c.next);
}

void api_complaints_get(struct req *r) { api_get_one(r, complaint_get); }

void api_complaints_act(struct req *r)
{
    static const char *const f_assign[] = {"user", NULL};
    static const char *const f_answer[] = {"answer", NULL};
    static const char *const f_none[] = {NULL};
    struct staff_ctx c = {.r = r, .action = r->params[1]};
    if (!api_id(r, 0, &c.id))
        return;
    const char *const *allowed = !strcmp(c.action, "assign")   ? f_assign
                                 : !strcmp(c.action, "answer") ? f_answer
                                 : !strcmp(c.action, "close")  ? f_none
                                                               : NULL;
    if (!allowed) {
        reply_error(r, BB_NO_ROUTE, NULL);
        return;
    }
    json_t *o;
    if (!api_body(r, allowed, &o))
        return;
    enum bb_err rc = BB_OK;
    if (allowed == f_assign)
        rc = json_int(o, "user", NULL, false, 1, INT64_MAX, &c.user, NULL, &c.field);
    else if (allowed == f_answer)
        rc = json_str(o, "answer", NULL, false, 1, 2000, &c.answer, &c.field);
    if (!api_failed(r, rc, c.field))
        staff_write(r, &c);
    json_decref(o);
}
