/* router.h - matching a method and path against routes.def. */
#ifndef BB_ROUTER_H
#define BB_ROUTER_H
#include <stdbool.h>
#include "req.h"

enum route_access { PUBLIC, SESSION };
enum { POOL = 1, BIG = 2, STREAM = 4 }; /* STREAM: a long-lived text/event-stream reply (sse.c) */

/* Body cap of BIG routes (catalogue imports). */
#define BIG_BODY_MAX (16u * 1024 * 1024)

typedef void (*route_handler)(struct req *r);

struct route {
    const char *method, *pattern;
    route_handler handler;
    const char *handler_name;
    enum route_access access;
    int flags;
};

/* Finds the route for method + path and fills r->params. NULL with *path_known set when the
 * path exists under another method (405), NULL and unset when no route has the path (404). */
const struct route *router_match(struct req *r, const char *method, const char *path,
                                 bool *path_known);
/* The whole table, for tests and the authorization matrix. */
const struct route *router_routes(int *n);

#endif
