/* sse.c - live queue displays (see sse.h). Each stream has a pending-bytes buffer; the content
 * reader hands those out and, when there are none, suspends its connection (libmicrohttpd's way
 * to wait without busy-looping); the watcher appends events and resumes it. */
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../core/buf.h"
#include "../core/log.h"
#include "../front/queue.h"
#include "sse.h"

#define WATCH_MS 500        /* how often versions are checked */
#define PING_S 15           /* keep-alive comment: also notices clients that went away */
#define PENDING_MAX (256u * 1024) /* a client this far behind is dropped (it reconnects) */

struct sse_stream {
    struct MHD_Connection *conn;
    int64_t site_id, version;
    struct buf out;         /* bytes not yet handed to libmicrohttpd */
    size_t sent;
    bool suspended, closed;
    struct sse_stream *next;
};

static struct {
    pthread_mutex_t mu;
    struct sse_stream *head;
    int count;
    struct store *st;
    pthread_t thread;
    bool running;
    atomic_bool stopping;
} w = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* Caller holds w.mu. Appends text; a client too far behind is closed instead. */
static void push(struct sse_stream *s, const char *text)
{
    if (!s->closed &&
        (s->out.len - s->sent + strlen(text) > PENDING_MAX || buf_addstr(&s->out, text))) {
        s->closed = true; /* the reader ends the stream once it is resumed */
        log_msg("warn", NULL, "queue display stream dropped: the client is not reading");
    }
    if (s->suspended) {
        s->suspended = false;
        MHD_resume_connection(s->conn);
    }
}

static char *event_text(json_t *snapshot)
{
    char *data = json_dumps(snapshot, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!data)
        return NULL;
    size_t n = strlen(data) + 32;
    char *ev = malloc(n);
    if (ev)
        snprintf(ev, n, "event: queue\ndata: %s\n\n", data); /* compact JSON has no newline */
    free(data);
    return ev;
}

static ssize_t reader(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    struct sse_stream *s = cls;
    pthread_mutex_lock(&w.mu);
    size_t avail = s->out.len - s->sent;
    ssize_t n;
    if (avail > 0) {
        n = (ssize_t)(avail < max ? avail : max);
        memcpy(out, s->out.data + s->sent, (size_t)n);
        s->sent += (size_t)n;
        if (s->sent == s->out.len) {
            s->out.len = 0;
            s->sent = 0;
        }
    } else if (s->closed) {
        n = MHD_CONTENT_READER_END_OF_STREAM;
    } else {
        /* Nothing to send: park the connection until push() resumes it. */
        s->suspended = true;
        MHD_suspend_connection(s->conn);
        n = 0;
    }
    pthread_mutex_unlock(&w.mu);
    return n;
}

static void unlink_stream(struct sse_stream *s)
{
    pthread_mutex_lock(&w.mu);
    for (struct sse_stream **p = &w.head; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            w.count--;
            break;
        }
    pthread_mutex_unlock(&w.mu);
    buf_free(&s->out);
    free(s);
}

static void reader_done(void *cls) { unlink_stream(cls); }

enum bb_err sse_subscribe(struct req *r, int64_t site_id, int64_t version, json_t *snapshot)
{
    struct sse_stream *s = calloc(1, sizeof *s);
    char *ev = event_text(snapshot);
    json_decref(snapshot);
    if (!s || !ev) {
        free(s);
        free(ev);
        return BB_NOMEM;
    }
    s->conn = r->conn;
    s->site_id = site_id;
    s->version = version;
    buf_init(&s->out, PENDING_MAX + 4096);
    /* retry: how soon EventSource reconnects when the stream ends (node restart, drop). */
    enum bb_err rc = buf_addstr(&s->out, "retry: 3000\n\n");
    if (!rc)
        rc = buf_addstr(&s->out, ev);
    free(ev);
    if (rc) {
        buf_free(&s->out);
        free(s);
        return rc;
    }
    pthread_mutex_lock(&w.mu);
    s->closed = atomic_load(&w.stopping);
    s->next = w.head;
    w.head = s;
    w.count++;
    pthread_mutex_unlock(&w.mu);
    r->stream = s;
    r->status = 200;
    return BB_OK;
}

struct MHD_Response *sse_response(struct req *r)
{
    struct sse_stream *s = r->stream;
    r->stream = NULL;
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, reader, s, reader_done);
    if (!resp) {
        unlink_stream(s);
        return NULL;
    }
    MHD_add_response_header(resp, "Content-Type", "text/event-stream; charset=utf-8");
    MHD_add_response_header(resp, "X-Accel-Buffering", "no"); /* nginx: do not buffer it */
    return resp;
}

int sse_count(void)
{
    pthread_mutex_lock(&w.mu);
    int n = w.count;
    pthread_mutex_unlock(&w.mu);
    return n;
}

struct version_arg {
    int64_t site_id, version;
    json_t *snapshot;
};

static enum bb_err read_version(struct store_tx *tx, void *arg)
{
    struct version_arg *v = arg;
    return queue_version(tx, v->site_id, &v->version);
}

static enum bb_err read_snapshot(struct store_tx *tx, void *arg)
{
    struct version_arg *v = arg;
    enum bb_err rc = queue_version(tx, v->site_id, &v->version);
    return rc ? rc : queue_snapshot(tx, v->site_id, &v->snapshot);
}

/* True when some stream of site still shows an older version than version. */
static bool behind(int64_t site_id, int64_t version)
{
    bool any = false;
    pthread_mutex_lock(&w.mu);
    for (struct sse_stream *s = w.head; s && !any; s = s->next)
        any = s->site_id == site_id && !s->closed && s->version != version;
    pthread_mutex_unlock(&w.mu);
    return any;
}

static void refresh_site(int64_t site_id)
{
    struct version_arg v = {.site_id = site_id};
    if (store_read(w.st, read_version, &v) || !behind(site_id, v.version))
        return;
    if (store_read(w.st, read_snapshot, &v)) /* one snapshot, consistent with its version */
        return;
    char *ev = event_text(v.snapshot);
    json_decref(v.snapshot);
    if (!ev)
        return;
    pthread_mutex_lock(&w.mu);
    for (struct sse_stream *s = w.head; s; s = s->next)
        if (s->site_id == site_id && s->version != v.version) {
            s->version = v.version;
            push(s, ev);
        }
    pthread_mutex_unlock(&w.mu);
    free(ev);
}

static void *watch(void *arg)
{
    (void)arg;
    int rounds = 0;
    while (!atomic_load(&w.stopping)) {
        int n = 0;
        pthread_mutex_lock(&w.mu);
        int64_t *sites = w.count > 0 ? malloc((size_t)w.count * sizeof *sites) : NULL;
        for (struct sse_stream *s = w.head; s && sites; s = s->next) {
            bool seen = false;
            for (int i = 0; i < n && !seen; i++)
                seen = sites[i] == s->site_id;
            if (!seen)
                sites[n++] = s->site_id;
        }
        if (++rounds * WATCH_MS >= PING_S * 1000) {
            rounds = 0;
            for (struct sse_stream *s = w.head; s; s = s->next)
                push(s, ": ping\n\n");
        }
        pthread_mutex_unlock(&w.mu);
        for (int i = 0; i < n; i++)
            refresh_site(sites[i]);
        free(sites);
        usleep(WATCH_MS * 1000);
    }
    return NULL;
}

enum bb_err sse_start(struct store *st)
{
    w.st = st;
    atomic_store(&w.stopping, false);
    if (pthread_create(&w.thread, NULL, watch, NULL) != 0)
        return BB_NOMEM;
    w.running = true;
    return BB_OK;
}

void sse_stop(void)
{
    atomic_store(&w.stopping, true);
    if (w.running)
        pthread_join(w.thread, NULL);
    w.running = false;
    pthread_mutex_lock(&w.mu);
    for (struct sse_stream *s = w.head; s; s = s->next) {
        s->closed = true;
        if (s->suspended) {
            s->suspended = false;
            MHD_resume_connection(s->conn);
        }
    }
    pthread_mutex_unlock(&w.mu);
}
