/* reply.c - building replies and reading request parts (query, headers, cookies). */
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include "../core/log.h"
#include "req.h"

const char *req_query(struct req *r, const char *key)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *req_header(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_cookie(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

static void set_reply(struct req *r, int status, const char *ctype, char *body, size_t len)
{
    free(r->reply);
    r->status = status;
    r->ctype = ctype;
    r->reply = body;
    r->reply_len = len;
}

void reply_json(struct req *r, int status, json_t *obj)
{
    if (!obj) {
        set_reply(r, status, "application/json", NULL, 0);
        return;
    }
    char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(obj);
    if (!s) {
        set_reply(r, 500, "application/json", NULL, 0);
        return;
    }
    set_reply(r, status, "application/json; charset=utf-8", s, strlen(s));
}

void reply_error(struct req *r, enum bb_err err, const char *field)
{
    int status = bb_err_status(err);
    if (status >= 500)
        log_msg("error", r->id, "request failed: %s (%d)", bb_err_message_en(err), (int)err);
    json_t *e = json_pack("{s:{s:s,s:s,s:s,s:o}}", "error", "code", bb_err_code(err), "message",
                          bb_err_message(err), "message_en", bb_err_message_en(err), "field",
                          field ? json_string(field) : json_null());
    reply_json(r, status, e);
}

void reply_bytes(struct req *r, int status, const char *ctype, const void *data, size_t len)
{
    char *copy = malloc(len ? len : 1);
    if (!copy) {
        set_reply(r, 500, "application/json", NULL, 0);
        return;
    }
    memcpy(copy, data, len);
    set_reply(r, status, ctype, copy, len);
}
