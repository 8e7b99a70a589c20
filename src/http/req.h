/* req.h - one HTTP request as the API handlers see it, and the ways to answer it.
 * The http layer owns the struct; handlers read the request and set exactly one reply. */
#ifndef BB_REQ_H
#define BB_REQ_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "../core/buf.h"
#include "../core/crypto.h"
#include "../sites/authz.h"
#include "../store/store.h"

#define REQ_MAX_PARAMS 4

struct MHD_Connection;
struct sse_stream;

struct req {
    struct store *st;
    struct MHD_Connection *conn;
    const char *method, *path;          /* owned by libmicrohttpd, valid for the request */
    char id[65];                        /* request id: X-Request-Id, 1-64 chars */
    char addr[64];                      /* client address */
    const char *params[REQ_MAX_PARAMS]; /* {id} path segments, in order */
    char param_buf[256];
    struct buf body;
    int64_t started_us;

    /* set by the http layer before the handler runs on a signed-in route */
    bool signed_in;
    struct actor actor;
    char token[TOKEN_HEX], csrf[TOKEN_HEX];

    /* the reply */
    int status;
    char *reply;                        /* malloc'd body */
    size_t reply_len;
    const char *ctype;
    char set_cookie[256];
    int retry_after;                    /* > 0 adds Retry-After */
    bool cacheable;                     /* static assets may be cached */
    struct sse_stream *stream;          /* set by sse_subscribe: the reply is a live stream */
};

/* Query-string value or NULL. */
const char *req_query(struct req *r, const char *key);
/* Request header value or NULL. */
const char *req_header(struct req *r, const char *name);
/* Cookie value or NULL. */
const char *req_cookie(struct req *r, const char *name);

/* Replies status with obj serialised (obj is stolen; NULL replies with no body). */
void reply_json(struct req *r, int status, json_t *obj);
/* Replies the error's status with {"error":{"code","message","message_en","field"}}. */
void reply_error(struct req *r, enum bb_err err, const char *field);
/* Replies raw bytes (copied). */
void reply_bytes(struct req *r, int status, const char *ctype, const void *data, size_t len);

#endif
