/* api.h - the JSON API handlers (one file per resource) and the helpers they share.
 * A handler parses and validates its input, calls the domain inside one store transaction and
 * sets exactly one reply. Handlers are listed in http/routes.def. */
#ifndef BB_API_H
#define BB_API_H
#include <stdbool.h>
#include "../http/req.h"

#define BB_VERSION "0.1.0"
#define BIG_TEXT (16u * 1024 * 1024) /* characters of an uploaded file */

/* Process-wide options the API needs (set once at start-up). */
struct api_options {
    bool secure_cookies;
};
void api_configure(const struct api_options *o);
const struct api_options *api_options(void);

#define ROUTE(m, p, h, acc, fl) void h(struct req *r);
#include "../http/routes.def"
#undef ROUTE

/* --- helpers (api_util.c) --- */

/* Parses the body as a JSON object whose keys are all in allowed (NULL-terminated). On failure
 * replies the error and returns false. *obj is a new reference on success. */
bool api_body(struct req *r, const char *const *allowed, json_t **obj);
/* Path parameter i as a positive id; replies 404 and returns false when it is not one. */
bool api_id(struct req *r, int i, int64_t *id);
/* Optional positive-id query parameter (0 when absent); replies 422 on a bad value. */
bool api_query_id(struct req *r, const char *name, int64_t *id);
/* limit (default 50, clamped to 200) alone, for lists with their own cursor format. */
bool api_limit(struct req *r, int *limit);
/* limit (default 50, clamped to 200) and cursor from the query; replies 422 on bad ones. */
bool api_page(struct req *r, int64_t *after, int *limit);

/* Replies 200 {"items": items (stolen), "next": "<id>" or null when next is 0}. */
void api_reply_page(struct req *r, json_t *items, int64_t next);

typedef enum bb_err (*api_get_fn)(struct store_tx *tx, const struct actor *a, int64_t id,
                                  json_t **out);
typedef enum bb_err (*api_list_fn)(struct store_tx *tx, const struct actor *a, int64_t filter,
                                   int64_t after, int limit, json_t **items, int64_t *next);
typedef enum bb_err (*api_apply_fn)(struct store_tx *tx, const struct actor *a, const void *in,
                                    int64_t *id, const char **field);

/* GET /.../{id}: runs get in a read transaction and replies 200 with the record. */
void api_get_one(struct req *r, api_get_fn get);
/* GET list: pages with limit/cursor, filter from the query parameter filter_param (or 0). */
void api_list(struct req *r, api_list_fn list, const char *filter_param);
/* POST/PATCH: runs apply, an audit entry ("<kind>.create|update", object "<kind>:<id>") and
 * get(id) in one write transaction; replies status with the record. For PATCH pass the id;
 * apply fills it on create. */
void api_write(struct req *r, int status, api_apply_fn apply, const void *in, int64_t id,
               api_get_fn get, const char *kind);

/* True when v is one of the strings of set (NULL-terminated): a query filter's allowed values. */
bool api_one_of(const char *v, const char *const *set);

/* Fails the request with err/field when rc is set; true when it did. */
bool api_failed(struct req *r, enum bb_err rc, const char *field);

#endif
