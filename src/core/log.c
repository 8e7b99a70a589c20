/* log.c - JSON-lines logging to stderr, one write(2) per line so threads never interleave. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "clock.h"
#include "log.h"

static int quiet;

void log_set_quiet(int q) { quiet = q; }

void log_json(json_t *obj)
{
    char ts[32];
    clock_iso(clock_now(), ts, sizeof ts);
    json_t *line = json_deep_copy(obj);
    if (!line)
        return;
    json_object_set_new(line, "ts", json_string(ts));
    char *s = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(line);
    if (!s)
        return;
    size_t n = strlen(s);
    s[n] = '\n'; /* overwrite the NUL: write n + 1 bytes in one call */
    ssize_t w = write(STDERR_FILENO, s, n + 1);
    (void)w;
    free(s);
}

void log_msg(const char *level, const char *req_id, const char *fmt, ...)
{
    if (quiet && strcmp(level, "info") == 0)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *o = json_pack("{s:s}", "level", level);
    if (!o)
        return;
    if (req_id)
        json_object_set_new(o, "req", json_string(req_id));
    json_object_set_new(o, "msg", json_string(msg));
    log_json(o);
    json_decref(o);
}
