/* api_cases.c - /api/v1/cases: intake, lists, the case, its notice, actions, alerts; and the
 * public progress query. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../cases/cases.h"
#include "../catalog/catalog.h"
#include "../core/json.h"
#include "../front/complaints.h"
#include "../front/ratings.h"
#include "api.h"
#include "api_idem.h"

/* --- create --- */

struct create_ctx {
    struct req *r;
    struct case_in in;
    struct api_idem idem;
    const char *field;
    json_t *out;
    int status;
};

static enum bb_err create_fn(struct store_tx *tx, void *arg)
{
    struct create_ctx *c = arg;
    enum bb_err rc = api_idem_lookup(tx, &c->idem);
    if (rc || c->idem.replay)
        return rc;
    char receipt[CASE_RECEIPT_LEN];
    rc = case_create(tx, &c->r->actor, &c->in, receipt, &c->field);
    if (!rc)
        rc = case_get(tx, &c->r->actor, receipt, false, &c->out);
    if (!rc)
        rc = api_idem_store(tx, &c->idem, 201, c->out);
    c->status = 201;
    return rc;
}

static enum bb_err parse_create(json_t *o, struct case_in *in, const char **field)
{
    static const char *const app_fields[] = {"name", "id_number", "phone", NULL};
    static const char *const ent_fields[] = {"scope", "valid_until", "signed_on", NULL};
    static const char *const mat_fields[] = {"material", "received", NULL};
    enum bb_err rc = json_str(o, "item", NULL, false, 1, 32, &in->item_code, field);
    bool p;
    in->channel = "station";
    if (!rc)
        rc = json_str(o, "channel", &p, false, 1, 16, &in->channel, field);
    json_t *app = json_object_get(o, "applicant");
    if (!rc && !app) {
        *field = "applicant";
        return BB_MISSING_FIELD;
    }
    if (!rc && !json_is_object(app)) {
        *field = "applicant";
        return BB_WRONG_TYPE;
    }
    const char *f = NULL;
    if (!rc) {
        rc = json_only(app, app_fields, &f);
        if (!rc)
            rc = json_str(app, "name", NULL, false, 0, 200, &in->name, &f);
        if (!rc)
            rc = json_str(app, "id_number", NULL, false, 0, 64, &in->id_number, &f);
        if (!rc)
            rc = json_str(app, "phone", NULL, false, 0, 64, &in->phone, &f);
        if (rc) {
            static _Thread_local char buf[48];
            snprintf(buf, sizeof buf, "applicant.%s", f ? f : "");
            *field = buf;
            return rc;
        }
    }
    json_t *ent = json_object_get(o, "entrustment");
    if (!rc && ent && !json_is_null(ent)) {
        if (!json_is_object(ent)) {
            *field = "entrustment";
            return BB_WRONG_TYPE;
        }
        rc = json_only(ent, ent_fields, &f);
        if (!rc)
            rc = json_str(ent, "scope", NULL, false, 0, 1000, &in->ent_scope, &f);
        if (!rc)
            rc = json_str(ent, "signed_on", NULL, false, 0, 16, &in->ent_signed_on, &f);
        if (!rc)
            rc = json_str(ent, "valid_until", NULL, false, 0, 16, &in->ent_valid_until, &f);
        if (rc) {
            static _Thread_local char buf[48];
            snprintf(buf, sizeof buf, "entrustment.%s", f ? f : "");
            *field = buf;
            return rc;
        }
        in->entrusted = true;
    }
    json_t *mats = json_object_get(o, "materials");
    if (!rc && mats) {
        if (!json_is_array(mats) || json_array_size(mats) > CASE_MAX_MATERIALS) {
            *field = "materials";
            return json_is_array(mats) ? BB_INVALID : BB_WRONG_TYPE;
        }
        size_t i;
        json_t *m;
        json_array_foreach(mats, i, m) {
            int64_t id = 0;
            bool received = true;
            f = NULL;
            if (!json_is_object(m))
                rc = BB_WRONG_TYPE;
            if (!rc)
                rc = json_only(m, mat_fields, &f);
            if (!rc)
                rc = json_int(m, "material", NULL, false, 1, INT64_MAX, &id, NULL, &f);
            if (!rc)
                rc = json_bool(m, "received", &p, &received, &f);
            if (rc) {
                *field = catalog_field("materials", (int)i, f ? f : "material");
                return rc;
            }
            if (received)
                in->received[in->nreceived++] = id;
        }
    }
    return rc;
}

void api_cases_create(struct req *r)
{
    static const char *const allowed[] = {"item", "applicant", "channel", "entrustment",
                                          "materials", NULL};
    struct create_ctx c = {.r = r};
    json_t *o;
    if (!api_idem_begin(r, &c.idem) || !api_body(r, allowed, &o))
        return;
    enum bb_err rc = parse_create(o, &c.in, &c.field);
    if (!rc)
        rc = store_write(r->st, create_fn, &c);
    if (!rc && c.idem.replay)
        reply_json(r, c.idem.status, c.idem.body);
    else if (!api_failed(r, rc, c.field))
        reply_json(r, 201, c.out);
    else {
        json_decref(c.out);
        json_decref(c.idem.body);
    }
    json_decref(o);
}

/* --- reads --- */

struct get_ctx {
    struct req *r;
    bool reveal;
    int kind; /* 0 case, 1 notice, 2 alerts */
    json_t *out;
};

static enum bb_err get_fn(struct store_tx *tx, void *arg)
{
    struct get_ctx *c = arg;
    if (c->kind == 1)
        return case_notice(tx, &c->r->actor, c->r->params[0], &c->out);
    if (c->kind == 2) {
        /* the home's alerts: cases, then bad ratings and complaints running late */
        enum bb_err rc = case_alerts(tx, &c->r->actor, &c->out);
        if (!rc)
            rc = rect_alerts(tx, &c->r->actor, c->out);
        if (!rc)
            rc = complaint_alerts(tx, &c->r->actor, c->out);
        return rc;
    }
    return case_get(tx, &c->r->actor, c->r->params[0], c->reveal, &c->out);
}

static void get_any(struct req *r, int kind)
{
    struct get_ctx c = {r, false, kind, NULL};
    const char *reveal = req_query(r, "reveal");
    c.reveal = reveal && strcmp(reveal, "id") == 0;
    /* revealing writes an audit entry, so it needs a write transaction */
    enum bb_err rc = c.reveal ? store_write(r->st, get_fn, &c) : store_read(r->st, get_fn, &c);
    if (api_failed(r, rc, NULL))
        return;
    reply_json(r, 200, kind == 2 ? json_pack("{s:o}", "items", c.out) : c.out);
}

void api_cases_get(struct req *r) { get_any(r, 0); }
void api_cases_notice(struct req *r) { get_any(r, 1); }
void api_alerts(struct req *r) { get_any(r, 2); }

struct list_ctx {
    struct req *r;
    struct case_query q;
    json_t *items;
    int64_t next;
};

static enum bb_err list_fn(struct store_tx *tx, void *arg)
{
    struct list_ctx *c = arg;
    return case_list(tx, &c->r->actor, &c->q, &c->items, &c->next);
}

void api_cases_list(struct req *r)
{
    struct list_ctx c = {.r = r};
    if (!api_page(r, &c.q.after, &c.q.limit) || !api_query_id(r, "site", &c.q.site_id))
        return;
    c.q.status = req_query(r, "status");
    c.q.state = req_query(r, "state");
    c.q.item = req_query(r, "item");
    c.q.q = req_query(r, "q");
    const char *holder = req_query(r, "holder");
    if (holder && strcmp(holder, "me") != 0) {
        reply_error(r, BB_INVALID, "holder");
        return;
    }
    c.q.holder_me = holder != NULL;
    enum bb_err rc = store_read(r->st, list_fn, &c);
    if (api_failed(r, rc, NULL)) {
        json_decref(c.items);
        return;
    }
    api_reply_page(r, c.items, c.next);
}

/* --- actions --- */

struct act_ctx {
    struct req *r;
    struct case_action in;
    struct api_idem idem;
    const char *field;
    json_t *allowed, *out;
};

static enum bb_err act_fn(struct store_tx *tx, void *arg)
{
    struct act_ctx *c = arg;
    enum bb_err rc = api_idem_lookup(tx, &c->idem);
    if (rc || c->idem.replay)
        return rc;
    rc = case_act(tx, &c->r->actor, c->r->params[0], &c->in, &c->field, &c->allowed);
    if (!rc)
        rc = case_get(tx, &c->r->actor, c->r->params[0], false, &c->out);
    if (!rc)
        rc = api_idem_store(tx, &c->idem, 200, c->out);
    return rc;
}

static enum bb_err parse_action(json_t *o, struct case_action *in, const char **field)
{
    bool p;
    enum bb_err rc = json_int(o, "to_site", &p, false, 1, INT64_MAX, &in->to_site, NULL, field);
    const char *texts[] = {"note", "reason", "legal_basis", "discrepancy"};
    const char **dst[] = {&in->note, &in->reason, &in->legal_basis, &in->discrepancy};
    for (int i = 0; !rc && i < 4; i++)
        rc = json_str(o, texts[i], &p, true, 0, 500, dst[i], field);
    if (!rc)
        rc = json_bool(o, "approved", &in->has_approved, &in->approved, field);
    if (!rc)
        rc = json_bool(o, "satisfied", &in->has_satisfied, &in->satisfied, field);
    if (!rc)
        rc = json_int(o, "days", &p, false, -1000, 1000, &in->days, NULL, field);
    json_t *mats = json_object_get(o, "materials");
    if (!rc && mats) {
        *field = "materials";
        if (!json_is_array(mats))
            return BB_WRONG_TYPE;
        if (json_array_size(mats) > CASE_MAX_MATERIALS)
            return BB_INVALID;
        size_t i;
        json_t *m;
        json_array_foreach(mats, i, m) {
            if (!json_is_integer(m))
                return BB_WRONG_TYPE;
            in->materials[in->nmaterials++] = json_integer_value(m);
        }
        in->has_materials = true;
        *field = NULL;
    }
    return rc;
}

void api_cases_act(struct req *r)
{
    static const char *const allowed[] = {"to_site", "materials", "note", "reason",
                                          "legal_basis", "discrepancy", "approved", "satisfied",
                                          "days", NULL};
    struct act_ctx c = {.r = r};
    c.in.name = r->params[1];
    if (!case_action_known(c.in.name)) {
        reply_error(r, BB_NO_ROUTE, NULL);
        return;
    }
    const char *match = req_header(r, "If-Match");
    if (match) {
        char *end = NULL;
        long long v = strtoll(match[0] == '"' ? match + 1 : match, &end, 10);
        if (v <= 0 || !end || (*end && strcmp(end, "\"") != 0)) {
            reply_error(r, BB_INVALID, "If-Match");
            return;
        }
        c.in.if_match = v;
    }
    json_t *o;
    if (!api_idem_begin(r, &c.idem) || !api_body(r, allowed, &o))
        return;
    enum bb_err rc = parse_action(o, &c.in, &c.field);
    if (!rc)
        rc = store_write(r->st, act_fn, &c);
    if (!rc && c.idem.replay) {
        reply_json(r, c.idem.status, c.idem.body);
    } else if (rc == BB_WRONG_STATE) {
        json_t *e = json_pack("{s:{s:s,s:s,s:s,s:n,s:o}}", "error", "code", bb_err_code(rc),
                              "message", bb_err_message(rc), "message_en", bb_err_message_en(rc),
                              "field", "allowed", c.allowed ? c.allowed : json_array());
        reply_json(r, bb_err_status(rc), e);
    } else if (!api_failed(r, rc, c.field)) {
        reply_json(r, 200, c.out);
    } else {
        json_decref(c.out);
        json_decref(c.allowed);
        json_decref(c.idem.body);
    }
    json_decref(o);
}

/* --- public progress --- */

struct progress_ctx {
    struct req *r;
    const char *receipt, *code, *phone4;
    bool failed;
    int retry_after;
    json_t *out;
};

static enum bb_err progress_limit_fn(struct store_tx *tx, void *arg)
{
    struct progress_ctx *c = arg;
    return case_progress_limited(tx, c->r->addr, c->failed, &c->retry_after);
}

static enum bb_err progress_fn(struct store_tx *tx, void *arg)
{
    struct progress_ctx *c = arg;
    return case_progress(tx, c->receipt, c->code, c->phone4, &c->out);
}

void api_public_progress(struct req *r)
{
    struct progress_ctx c = {.r = r, .receipt = req_query(r, "receipt"),
                             .code = req_query(r, "code"), .phone4 = req_query(r, "phone4")};
    if (!c.receipt || strlen(c.receipt) >= CASE_RECEIPT_LEN) {
        reply_error(r, c.receipt ? BB_INVALID : BB_MISSING_FIELD, "receipt");
        return;
    }
    if (!c.code && !c.phone4) {
        reply_error(r, BB_MISSING_FIELD, "code");
        return;
    }
    enum bb_err rc = store_read(r->st, progress_fn, &c);
    c.failed = rc == BB_NOT_FOUND;
    /* Wrong guesses are counted per address; past the limit even right ones wait. */
    enum bb_err lrc = c.failed ? store_write(r->st, progress_limit_fn, &c) : BB_OK;
    if (!lrc && c.retry_after > 0) {
        json_decref(c.out);
        r->retry_after = c.retry_after;
        reply_error(r, BB_RATE_LIMITED, NULL);
        return;
    }
    if (!api_failed(r, rc, NULL))
        reply_json(r, 200, c.out);
}
