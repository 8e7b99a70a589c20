/* api_items.c - /api/v1/items: the service catalogue for staff. */
#include <stdio.h>
#include <string.h>
#include "../audit/audit.h"
#include "../catalog/catalog.h"
#include "../core/json.h"
#include "api_idem.h"
#include "api.h"

static const char *const item_fields[] = {
    "code", "name", "domain", "department", "level", "object", "case_type", "statutory_days",
    "promised_days", "fee", "result_type", "result", "online", "legal_basis", "conditions",
    "process", "joint_departments", "materials", NULL};
/* What a client may send back from a GET, ignored: read-only fields. */
static const char *const material_fields[] = {"id", "name", "required", "condition", "form",
                                              "copies", "source", "note", NULL};

/* Text fields: flag, JSON name, offset in item_in, max characters. */
static const struct {
    unsigned flag;
    const char *name;
    size_t off, max;
} texts[] = {
    {IF_NAME, "name", offsetof(struct item_in, name), 100},
    {IF_DOMAIN, "domain", offsetof(struct item_in, domain), 32},
    {IF_DEPARTMENT, "department", offsetof(struct item_in, department), 32},
    {IF_LEVEL, "level", offsetof(struct item_in, level), 16},
    {IF_OBJECT, "object", offsetof(struct item_in, object), 16},
    {IF_CASE_TYPE, "case_type", offsetof(struct item_in, case_type), 16},
    {IF_FEE, "fee", offsetof(struct item_in, fee), 200},
    {IF_RESULT_TYPE, "result_type", offsetof(struct item_in, result_type), 16},
    {IF_RESULT, "result", offsetof(struct item_in, result), 200},
    {IF_LEGAL_BASIS, "legal_basis", offsetof(struct item_in, legal_basis), 2000},
    {IF_CONDITIONS, "conditions", offsetof(struct item_in, conditions), 2000},
    {IF_PROCESS, "process", offsetof(struct item_in, process), 1000},
};

struct item_body {
    struct item_in in;
    struct material_in mats[ITEM_MAX_MATERIALS];
    char joint[256];
};

static enum bb_err parse_joint(json_t *arr, struct item_body *b, const char **field)
{
    *field = "joint_departments";
    if (!json_is_array(arr))
        return BB_WRONG_TYPE;
    size_t i, used = 0;
    json_t *v;
    b->joint[0] = '\0';
    json_array_foreach(arr, i, v) {
        if (!json_is_string(v))
            return BB_WRONG_TYPE;
        int n = snprintf(b->joint + used, sizeof b->joint - used, "%s%s", i ? ";" : "",
                         json_string_value(v));
        if (n < 0 || (size_t)n >= sizeof b->joint - used || strchr(json_string_value(v), ';'))
            return BB_INVALID;
        used += (size_t)n;
    }
    b->in.joint = b->joint;
    b->in.set |= IF_JOINT;
    return BB_OK;
}

static enum bb_err parse_material(json_t *m, int i, struct material_in *out, const char **field)
{
    if (!json_is_object(m)) {
        *field = "materials";
        return BB_WRONG_TYPE;
    }
    const char *f = NULL;
    enum bb_err rc = json_only(m, material_fields, &f);
    bool p;
    out->required = true;
    out->copies = 0;
    if (!rc)
        rc = json_str(m, "name", NULL, false, 0, 1000, &out->name, &f);
    if (!rc)
        rc = json_bool(m, "required", &p, &out->required, &f);
    if (!rc)
        rc = json_str(m, "condition", &p, true, 0, 1000, &out->condition, &f);
    if (!rc)
        rc = json_str(m, "form", NULL, false, 0, 32, &out->form, &f);
    if (!rc)
        rc = json_int(m, "copies", &p, false, -1000, 1000, &out->copies, NULL, &f);
    if (!rc)
        rc = json_str(m, "source", &p, true, 0, 1000, &out->source, &f);
    if (!rc)
        rc = json_str(m, "note", &p, true, 0, 1000, &out->note, &f);
    if (rc) /* name the element: materials[2].form */
        *field = f ? catalog_field("materials", i, f) : "materials";
    return rc;
}

static enum bb_err api_item_parse(json_t *o, bool create, struct item_body *b, const char **field)
{
    memset(b, 0, sizeof *b);
    struct item_in *in = &b->in;
    enum bb_err rc = BB_OK;
    bool p;
    if (create)
        rc = json_str(o, "code", NULL, false, 0, 32, &in->code, field);
    else if (json_object_get(o, "code")) {
        *field = "code";
        return BB_READ_ONLY;
    }
    for (size_t k = 0; !rc && k < sizeof texts / sizeof texts[0]; k++) {
        const char **dst = (const char **)(void *)((char *)in + texts[k].off);
        rc = json_str(o, texts[k].name, &p, false, 0, texts[k].max * 4, dst, field);
        if (!rc && p)
            in->set |= texts[k].flag;
    }
    if (!rc)
        rc = json_int(o, "statutory_days", &p, false, -100000, 100000, &in->statutory_days, NULL,
                      field);
    if (!rc && p)
        in->set |= IF_STATUTORY;
    if (!rc)
        rc = json_int(o, "promised_days", &p, false, -100000, 100000, &in->promised_days, NULL,
                      field);
    if (!rc && p)
        in->set |= IF_PROMISED;
    if (!rc)
        rc = json_bool(o, "online", &p, &in->online, field);
    if (!rc && p)
        in->set |= IF_ONLINE;
    json_t *joint = json_object_get(o, "joint_departments");
    if (!rc && joint)
        rc = parse_joint(joint, b, field);
    json_t *mats = json_object_get(o, "materials");
    if (!rc && mats) {
        if (!json_is_array(mats)) {
            *field = "materials";
            return BB_WRONG_TYPE;
        }
        if (json_array_size(mats) > ITEM_MAX_MATERIALS) {
            *field = "materials";
            return BB_INVALID;
        }
        size_t i;
        json_t *m;
        json_array_foreach(mats, i, m) {
            rc = parse_material(m, (int)i, &b->mats[i], field);
            if (rc)
                return rc;
        }
        in->materials = b->mats;
        in->nmaterials = (int)json_array_size(mats);
        in->set |= IF_MATERIALS;
    }
    return rc;
}

/* --- writes --- */

struct write_ctx {
    struct req *r;
    const char *code;
    int64_t version;
    struct item_body *b;
    int op; /* 0 create, 1 update, 2 update version, 3 publish, 4 retire */
    const char *field;
    json_t *out;
    struct api_idem idem;
};

static enum bb_err write_fn(struct store_tx *tx, void *arg)
{
    struct write_ctx *c = arg;
    const struct actor *a = &c->r->actor;
    enum bb_err rc = api_idem_lookup(tx, &c->idem);
    if (rc || c->idem.replay)
        return rc;
    switch (c->op) {
    case 0: rc = item_create(tx, a, &c->b->in, &c->field); break;
    case 1: rc = item_update(tx, a, c->code, &c->b->in, &c->field); break;
    case 2: rc = item_update_version(tx, a, c->code, c->version, &c->b->in, &c->field); break;
    case 3: rc = item_publish(tx, a, c->code, &c->field); break;
    default: rc = item_retire(tx, a, c->code); break;
    }
    static const char *const actions[] = {"item.create", "item.update", "item.update",
                                          "item.publish", "item.retire"};
    char object[48];
    snprintf(object, sizeof object, "item:%s", c->code);
    if (!rc)
        rc = audit_append(tx, a, actions[c->op], object, "ok", NULL);
    if (!rc) /* show what the change produced: the draft after edits, else the current version */
        rc = item_get(tx, a, c->code, c->op <= 2 ? VIEW_DRAFT : VIEW_CURRENT, 0, &c->out);
    if (!rc)
        rc = api_idem_store(tx, &c->idem, c->op == 0 ? 201 : 200, c->out);
    return rc;
}

static void write_item(struct req *r, int op, const char *code, int64_t version, int status)
{
    struct item_body b;
    struct write_ctx c = {r, code, version, &b, op, NULL, NULL, {0}};
    json_t *o = NULL;
    if (strcmp(r->method, "POST") == 0 && !api_idem_begin(r, &c.idem))
        return;
    if (op <= 2) {
        if (!api_body(r, item_fields, &o))
            return;
        enum bb_err rc = api_item_parse(o, op == 0, &b, &c.field);
        if (api_failed(r, rc, c.field)) {
            json_decref(o);
            return;
        }
        if (op == 0)
            c.code = b.in.code;
    }
    enum bb_err rc = store_write(r->st, write_fn, &c);
    if (rc) {
        json_decref(c.out);
        json_decref(c.idem.body);
        reply_error(r, rc, c.field);
    } else if (c.idem.replay) {
        reply_json(r, c.idem.status, c.idem.body);
    } else {
        reply_json(r, status, c.out);
    }
    json_decref(o);
}

void api_items_create(struct req *r) { write_item(r, 0, NULL, 0, 201); }
void api_items_update(struct req *r) { write_item(r, 1, r->params[0], 0, 200); }
void api_items_publish(struct req *r) { write_item(r, 3, r->params[0], 0, 200); }
void api_items_retire(struct req *r) { write_item(r, 4, r->params[0], 0, 200); }

void api_items_update_version(struct req *r)
{
    int64_t n;
    if (api_id(r, 1, &n))
        write_item(r, 2, r->params[0], n, 200);
}

/* --- reads --- */

struct get_ctx {
    struct req *r;
    enum item_view view;
    int64_t version;
    json_t *out;
};

static enum bb_err get_fn(struct store_tx *tx, void *arg)
{
    struct get_ctx *c = arg;
    return item_get(tx, &c->r->actor, c->r->params[0], c->view, c->version, &c->out);
}

void api_items_get(struct req *r)
{
    struct get_ctx c = {r, VIEW_CURRENT, 0, NULL};
    const char *draft = req_query(r, "draft");
    if (draft && strcmp(draft, "true") == 0)
        c.view = VIEW_DRAFT;
    if (req_query(r, "version")) {
        if (!api_query_id(r, "version", &c.version))
            return;
        c.view = VIEW_VERSION;
    }
    enum bb_err rc = store_read(r->st, get_fn, &c);
    if (!api_failed(r, rc, NULL))
        reply_json(r, 200, c.out);
}

void api_public_items_get(struct req *r)
{
    struct get_ctx c = {r, VIEW_PUBLIC, 0, NULL};
    enum bb_err rc = store_read(r->st, get_fn, &c);
    if (!api_failed(r, rc, NULL))
        reply_json(r, 200, c.out);
}

struct list_ctx {
    struct req *r;
    struct item_query q;
    json_t *items;
    char next[32];
};

static enum bb_err list_fn(struct store_tx *tx, void *arg)
{
    struct list_ctx *c = arg;
    return item_list(tx, &c->r->actor, &c->q, &c->items, c->next, sizeof c->next);
}

static void list_items(struct req *r, bool public_only)
{
    struct list_ctx c = {.r = r};
    if (!api_limit(r, &c.q.limit) || !api_query_id(r, "site", &c.q.site_id))
        return;
    c.q.public_only = public_only;
    c.q.q = req_query(r, "q");
    if (c.q.q && !*c.q.q)
        c.q.q = NULL; /* an empty search box means everything */
    if (c.q.q && strlen(c.q.q) > 100) {
        reply_error(r, BB_INVALID, "q");
        return;
    }
    c.q.domain = req_query(r, "domain");
    c.q.level = public_only ? NULL : req_query(r, "level");
    c.q.status = public_only ? NULL : req_query(r, "status");
    if (c.q.status && strcmp(c.q.status, "draft") != 0 && strcmp(c.q.status, "published") != 0 &&
        strcmp(c.q.status, "retired") != 0) {
        reply_error(r, BB_INVALID, "status");
        return;
    }
    c.q.after = req_query(r, "cursor");
    if (c.q.after && !catalog_code_valid(c.q.after)) {
        reply_error(r, BB_INVALID, "cursor");
        return;
    }
    enum bb_err rc = store_read(r->st, list_fn, &c);
    if (api_failed(r, rc, NULL))
        return;
    reply_json(r, 200, json_pack("{s:o,s:o}", "items", c.items, "next",
                                 c.next[0] ? json_string(c.next) : json_null()));
}

void api_items_list(struct req *r) { list_items(r, false); }
void api_public_items_list(struct req *r) { list_items(r, true); }
