/* router.c - the route table (routes.def) and a segment-by-segment matcher. The table is small
 * (tens of rows) so a linear scan beats anything cleverer. */
#include <string.h>
#include "../api/api.h"
#include "router.h"

static const struct route routes[] = {
#define ROUTE(m, p, h, acc, fl) {#m, p, h, #h, acc, fl},
#include "routes.def"
#undef ROUTE
};

const struct route *router_routes(int *n)
{
    *n = (int)(sizeof routes / sizeof routes[0]);
    return routes;
}

/* Matches path against pattern, copying {param} segments into r. */
static bool match(struct req *r, const char *pattern, const char *path)
{
    int np = 0;
    size_t used = 0;
    while (*pattern && *path) {
        if (*pattern != '/' || *path != '/')
            return false;
        pattern++;
        path++;
        const char *pe = strchr(pattern, '/'), *se = strchr(path, '/');
        size_t pl = pe ? (size_t)(pe - pattern) : strlen(pattern);
        size_t sl = se ? (size_t)(se - path) : strlen(path);
        if (pl > 0 && pattern[0] == '{') {
            if (sl == 0 || np == REQ_MAX_PARAMS || used + sl + 1 > sizeof r->param_buf)
                return false;
            char *dst = r->param_buf + used;
            memcpy(dst, path, sl);
            dst[sl] = '\0';
            r->params[np++] = dst;
            used += sl + 1;
        } else if (pl != sl || memcmp(pattern, path, pl) != 0) {
            return false;
        }
        pattern += pl;
        path += sl;
    }
    return *pattern == '\0' && *path == '\0';
}

const struct route *router_match(struct req *r, const char *method, const char *path,
                                 bool *path_known)
{
    *path_known = false;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (!match(r, routes[i].pattern, path))
            continue;
        if (strcmp(routes[i].method, method) == 0)
            return &routes[i];
        *path_known = true;
    }
    return NULL;
}
