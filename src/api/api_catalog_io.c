/* api_catalog_io.c - catalogue import (two CSV texts in one JSON body) and export (text/csv). */
#include <string.h>
#include "../catalog/catalog_io.h"
#include "../core/json.h"
#include "api.h"

void api_catalog_import(struct req *r)
{
    static const char *const allowed[] = {"items_csv", "materials_csv", NULL};
    json_t *o;
    if (!api_body(r, allowed, &o))
        return;
    const char *field = NULL;
    struct import_input in = {.items_name = "items.csv", .materials_name = "materials.csv"};
    enum bb_err rc = json_str(o, "items_csv", NULL, false, 1, BIG_TEXT, &in.items, &field);
    if (!rc)
        rc = json_str(o, "materials_csv", NULL, false, 1, BIG_TEXT, &in.materials, &field);
    if (api_failed(r, rc, field)) {
        json_decref(o);
        return;
    }
    in.items_len = strlen(in.items);
    in.materials_len = strlen(in.materials);
    struct import_report rep;
    rc = catalog_import(r->st, &r->actor, &in, &rep);
    json_decref(o);
    if (rc == BB_IMPORT_INVALID) {
        json_t *e = json_pack("{s:{s:s,s:s,s:s,s:n,s:O}}", "error", "code", bb_err_code(rc),
                              "message", bb_err_message(rc), "message_en",
                              bb_err_message_en(rc), "field", "problems", rep.problems);
        reply_json(r, bb_err_status(rc), e);
    } else if (!api_failed(r, rc, NULL)) {
        reply_json(r, 200, json_pack("{s:i,s:i,s:i}", "created", rep.created, "updated",
                                     rep.updated, "unchanged", rep.unchanged));
    }
    json_decref(rep.problems);
}

struct export_ctx {
    struct req *r;
    bool materials;
    struct buf out;
};

static enum bb_err export_fn(struct store_tx *tx, void *arg)
{
    struct export_ctx *c = arg;
    return catalog_export(tx, &c->r->actor, c->materials, &c->out);
}

void api_catalog_export(struct req *r)
{
    const char *file = req_query(r, "file");
    if (!file || (strcmp(file, "items") != 0 && strcmp(file, "materials") != 0)) {
        reply_error(r, BB_INVALID, "file");
        return;
    }
    struct export_ctx c = {.r = r, .materials = strcmp(file, "materials") == 0};
    buf_init(&c.out, 256u * 1024 * 1024);
    enum bb_err rc = store_read(r->st, export_fn, &c);
    if (!api_failed(r, rc, NULL))
        reply_bytes(r, 200, "text/csv; charset=utf-8", c.out.data ? c.out.data : "", c.out.len);
    buf_free(&c.out);
}
