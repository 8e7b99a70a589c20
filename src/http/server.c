/* server.c - libmicrohttpd glue. Each request: collect the body (capped), route, resolve the
 * session, check CSRF, run the handler (on the hashing pool for POOL routes, with the connection
 * suspended), send the reply with the request id, log one JSON line when it completes. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <sodium.h>
#include "../core/log.h"
#include "../core/privdrop.h"
#include "../sites/session.h"
#include "assets.h"
#include "pool.h"
#include "router.h"
#include "server.h"
#include "sse.h"

enum req_state { ST_NEW, ST_BODY, ST_RUNNING, ST_DONE };

struct conn_ctx {
    struct req r;
    enum req_state state;
    bool too_large;
    bool path_known;     /* some route has this path (405 rather than 404) */
    const struct route *route;
};

struct server {
    struct store *st;
    struct server_opts o;
    struct pool *hash_pool;
    atomic_bool stopping;
    atomic_int inflight; /* requests begun and not yet completed */
};

static struct server srv;

static int64_t now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* Accepts the client's X-Request-Id when it is short and plain, else makes one. */
static void set_request_id(struct req *r)
{
    const char *given = req_header(r, "X-Request-Id");
    if (given) {
        size_t n = strlen(given);
        bool ok = n > 0 && n < sizeof r->id;
        for (size_t i = 0; ok && i < n; i++) {
            char c = given[i];
            ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.';
        }
        if (ok) {
            memcpy(r->id, given, n + 1);
            return;
        }
    }
    unsigned char raw[8];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(r->id, sizeof r->id, raw, sizeof raw);
}

static void set_addr(struct req *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(r->addr, sizeof r->addr, "unknown");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, r->addr,
                  sizeof r->addr);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, r->addr,
                  sizeof r->addr);
}

/* True when addr is one of the comma-separated addresses in list. */
static bool listed(const char *list, const char *addr)
{
    size_t n = strlen(addr);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, addr, n) == 0)
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

/* Behind trusted reverse proxies the client is the rightmost X-Forwarded-For entry that is not
 * itself a trusted proxy (entries further left are the client's own claims). Per-address limits
 * then count residents, not the proxy. */
static void forwarded_addr(struct req *r)
{
    const char *xff = req_header(r, "X-Forwarded-For");
    if (!srv.o.trusted_proxy || !xff || !listed(srv.o.trusted_proxy, r->addr))
        return;
    char buf[512];
    size_t len = strlen(xff);
    if (len >= sizeof buf)
        return;
    memcpy(buf, xff, len + 1);
    for (;;) {
        char *comma = strrchr(buf, ',');
        char *s = comma ? comma + 1 : buf;
        while (*s == ' ')
            s++;
        size_t n = strcspn(s, " ");
        s[n] = '\0';
        unsigned char a[16];
        if (n >= sizeof r->addr ||
            (inet_pton(AF_INET, s, a) != 1 && inet_pton(AF_INET6, s, a) != 1))
            return; /* not an address: keep the proxy's own */
        if (!listed(srv.o.trusted_proxy, s)) {
            memcpy(r->addr, s, n + 1);
            return;
        }
        if (!comma)
            return;
        *comma = '\0';
    }
}

static enum MHD_Result send_reply(struct conn_ctx *c)
{
    struct req *r = &c->r;
    struct MHD_Response *resp;
    if (r->stream) {
        resp = c->route && (c->route->flags & STREAM) ? sse_response(r) : NULL;
        if (!resp)
            return MHD_NO;
    } else {
        resp = MHD_create_response_from_buffer(
            r->reply_len, r->reply ? r->reply : (void *)"",
            r->reply ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
        if (!resp)
            return MHD_NO;
        r->reply = NULL; /* libmicrohttpd frees it now */
    }
    if (r->ctype && r->reply_len)
        MHD_add_response_header(resp, "Content-Type", r->ctype);
    MHD_add_response_header(resp, "X-Request-Id", r->id);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
    MHD_add_response_header(resp, "Cache-Control", r->cacheable ? "public, max-age=300"
                                                                 : "no-store");
    if (r->set_cookie[0])
        MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
    if (r->retry_after > 0) {
        char s[16];
        snprintf(s, sizeof s, "%d", r->retry_after);
        MHD_add_response_header(resp, "Retry-After", s);
    }
    if (atomic_load(&srv.stopping))
        MHD_add_response_header(resp, "Connection", "close");
    enum MHD_Result ok = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    c->state = ST_DONE;
    return ok;
}

struct auth_arg {
    struct req *r;
    bool touch;
};

static enum bb_err auth_read(struct store_tx *tx, void *arg)
{
    struct auth_arg *a = arg;
    return session_lookup(tx, a->r->token, &a->r->actor, a->r->csrf, &a->touch);
}

static enum bb_err auth_touch(struct store_tx *tx, void *arg)
{
    return session_touch(tx, ((struct req *)arg)->token);
}

/* Resolves the session cookie and, on mutations, the CSRF header. */
static enum bb_err authenticate(struct req *r)
{
    const char *tok = req_cookie(r, "bb_session");
    if (!tok || strlen(tok) != TOKEN_HEX - 1)
        return BB_UNAUTHENTICATED;
    memcpy(r->token, tok, TOKEN_HEX);
    struct auth_arg a = {r, false};
    enum bb_err rc = store_read(r->st, auth_read, &a);
    if (rc)
        return rc;
    r->signed_in = true;
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
        const char *h = req_header(r, "X-CSRF-Token");
        if (!h || !crypto_streq(h, r->csrf))
            return BB_CSRF;
    }
    if (a.touch && store_write(r->st, auth_touch, r) != BB_OK)
        log_msg("warn", r->id, "could not refresh the session's idle clock");
    return BB_OK;
}

static void serve_static(struct req *r)
{
    const struct asset *a = asset_find(r->path);
    if (!a) {
        reply_error(r, BB_NO_ROUTE, NULL);
        return;
    }
    reply_bytes(r, 200, a->ctype, a->data, a->len);
    r->cacheable = strstr(a->ctype, "text/html") == NULL;
}

static void run_handler(struct conn_ctx *c)
{
    struct req *r = &c->r;
    if (c->route->access == SESSION) {
        enum bb_err rc = authenticate(r);
        if (rc) {
            reply_error(r, rc, NULL);
            return;
        }
    }
    c->route->handler(r);
    if (!r->status)
        reply_error(r, BB_INTERNAL, NULL); /* a handler that forgot to answer */
}

static void pool_job(void *arg)
{
    struct conn_ctx *c = arg;
    run_handler(c); /* state stays ST_RUNNING: on_request sends the reply once resumed */
    MHD_resume_connection(c->r.conn);
}

/* Decides what to do once the whole body is in. Returns true when a reply is ready now. */
static bool dispatch(struct conn_ctx *c)
{
    struct req *r = &c->r;
    if (c->too_large) {
        reply_error(r, BB_TOO_LARGE, NULL);
        return true;
    }
    if (!c->route) {
        if (c->path_known)
            reply_error(r, BB_METHOD, NULL);
        else if (strcmp(r->method, "GET") == 0 && strncmp(r->path, "/api/", 5) != 0)
            serve_static(r);
        else
            reply_error(r, BB_NO_ROUTE, NULL);
        return true;
    }
    if (c->route->flags & POOL) {
        c->state = ST_RUNNING;
        MHD_suspend_connection(r->conn);
        if (pool_submit(srv.hash_pool, pool_job, c) == BB_OK)
            return false;
        MHD_resume_connection(r->conn);
        reply_error(r, BB_NOMEM, NULL);
        return true;
    }
    run_handler(c);
    return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
    (void)cls;
    (void)version;
    struct conn_ctx *c = *con_cls;
    if (!c) {
        c = calloc(1, sizeof *c);
        if (!c)
            return MHD_NO;
        *con_cls = c;
        atomic_fetch_add(&srv.inflight, 1);
        c->r.st = srv.st;
        c->r.conn = conn;
        c->r.method = method;
        c->r.path = url;
        c->r.started_us = now_us();
        set_request_id(&c->r);
        set_addr(&c->r);
        forwarded_addr(&c->r);
        c->state = ST_BODY;
        /* Route first: the body cap depends on the route. */
        c->route = router_match(&c->r, method, url, &c->path_known);
        size_t cap = c->route && (c->route->flags & BIG) ? BIG_BODY_MAX : srv.o.max_body;
        buf_init(&c->r.body, cap);
        const char *cl = req_header(&c->r, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > cap) {
            /* Refuse before reading: the body is never wanted. */
            reply_error(&c->r, BB_TOO_LARGE, NULL);
            return send_reply(c);
        }
        return MHD_YES;
    }
    if (c->state == ST_DONE) { /* reply already queued (early 413): ignore the rest */
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!c->too_large && buf_add(&c->r.body, upload_data, *upload_size) != BB_OK)
            c->too_large = true; /* keep draining; answer 413 at the end */
        *upload_size = 0;
        return MHD_YES;
    }
    if (c->state == ST_RUNNING) /* resumed: the pool job has finished */
        return send_reply(c);
    if (!dispatch(c))
        return MHD_YES; /* suspended; pool_job resumes us */
    return send_reply(c);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    struct conn_ctx *c = *con_cls;
    if (!c)
        return;
    struct req *r = &c->r;
    json_t *line = json_pack("{s:s,s:s,s:s,s:s,s:i,s:I,s:I,s:s}", "level", "info", "req", r->id,
                             "method", r->method, "path", r->path, "status", r->status,
                             "bytes", (json_int_t)r->reply_len, "us",
                             (json_int_t)(now_us() - r->started_us), "addr", r->addr);
    if (line) {
        if (r->signed_in)
            json_object_set_new(line, "user", json_integer(r->actor.user_id));
        if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
            json_object_set_new(line, "aborted", json_true());
        log_json(line);
        json_decref(line);
    }
    buf_free(&r->body);
    free(r->reply);
    free(c);
    *con_cls = NULL;
    atomic_fetch_sub(&srv.inflight, 1);
}

static void *ticker(void *arg)
{
    (void)arg;
    while (!atomic_load(&srv.stopping)) {
        srv.o.tick(srv.st);
        for (int i = 0; i < srv.o.tick_seconds * 10 && !atomic_load(&srv.stopping); i++)
            usleep(100 * 1000);
    }
    return NULL;
}

static void wait_for_signal(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    int sig = 0;
    sigwait(&set, &sig);
    log_msg("info", NULL, "signal %d: finishing in-flight requests", sig);
}

enum bb_err server_run(struct store *st, const struct server_opts *o)
{
    srv.st = st;
    srv.o = *o;
    atomic_store(&srv.stopping, false);
    /* Block the stop signals in every thread; the main thread collects them with sigwait. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* Hashing runs niced: it soaks up idle CPU but yields to the event threads. */
    enum bb_err rc = pool_start(o->hash_threads, 10, &srv.hash_pool);
    if (rc)
        return rc;
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)o->port);
    if (inet_pton(AF_INET, o->host, &addr.sin_addr) != 1) {
        log_msg("error", NULL, "bad listen address %s", o->host);
        pool_stop(srv.hash_pool);
        return BB_USAGE;
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC,
        (uint16_t)o->port, NULL, NULL, on_request, NULL,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)o->threads,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
        MHD_OPTION_END);
    if (!d) {
        log_msg("error", NULL, "cannot listen on %s:%d", o->host, o->port);
        pool_stop(srv.hash_pool);
        return BB_IO;
    }
    log_msg("info", NULL, "listening on http://%s:%d with %d threads", o->host, o->port,
            o->threads);
    rc = o->own_files ? privdrop(o->drop_user, o->own_files) : BB_OK;
    if (!rc)
        rc = sse_start(st);
    pthread_t tick_thread;
    bool ticking = !rc && o->tick && pthread_create(&tick_thread, NULL, ticker, NULL) == 0;
    if (!rc)
        wait_for_signal();
    atomic_store(&srv.stopping, true);
    if (ticking)
        pthread_join(tick_thread, NULL);
    MHD_quiesce_daemon(d); /* no new connections; in-flight ones go on */
    sse_stop();            /* live displays end (and reconnect to another node) */
    /* Idle keep-alive connections do not count: only requests already begun. */
    for (int i = 0; i < 100 && atomic_load(&srv.inflight) > 0; i++)
        usleep(100 * 1000);
    MHD_stop_daemon(d);
    pool_stop(srv.hash_pool);
    log_msg("info", NULL, "stopped");
    return rc;
}
