/* server.h - the HTTP server: libmicrohttpd thread pool, routing, sessions + CSRF, static
 * pages, access log, graceful shutdown on SIGTERM/SIGINT. */
#ifndef BB_SERVER_H
#define BB_SERVER_H
#include <stdbool.h>
#include <stddef.h>
#include "../core/err.h"
#include "../store/store.h"

struct server_opts {
    const char *host;       /* listen address, e.g. 127.0.0.1 */
    int port;
    int threads;            /* event threads */
    int hash_threads;       /* password-hashing pool; <= cores */
    size_t max_body;        /* bytes */
    bool secure_cookies;    /* add Secure to the session cookie (behind TLS) */
    const char *drop_user;  /* become this user once the port is bound (root starts) */
    const char *const *own_files; /* files to hand to drop_user */
    void (*tick)(struct store *st); /* background work (deadline sweeps), or NULL */
    const char *trusted_proxy; /* comma-separated proxy addresses whose X-Forwarded-For counts */
    int tick_seconds;
};

/* Serves until SIGTERM or SIGINT, then stops accepting, lets in-flight requests finish (up to
 * 10 s) and returns BB_OK. BB_IO when the address cannot be bound. */
enum bb_err server_run(struct store *st, const struct server_opts *o);

#endif
