/* front_util.c - helpers shared by the front-desk API tests. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* timegm */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "front_util.h"

void front_today(char out[11])
{
    time_t t = time(NULL) + 8 * 3600; /* +08:00 */
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

long long front_unix(const char *date, int hh, int mm)
{
    struct tm tm = {0};
    if (sscanf(date, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
        fail_at("bad date %s", date);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_hour = hh;
    tm.tm_min = mm;
    return (long long)timegm(&tm) - 8 * 3600;
}

const char *front_fake_now(const char *date, int hh, int mm, char buf[24])
{
    snprintf(buf, 24, "%lld", front_unix(date, hh, mm));
    return buf;
}

json_t *front_slots_at(const char *file, int line, struct client *c, long long site,
                       const char *date)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/public/sites/%lld/slots?date=%s", site, date);
    struct resp r;
    if (req(c, "GET", path, NULL, NULL, &r) != 200 || !r.json) {
        resp_dump(&r);
        resp_free(&r);
        fail_at_(file, line, "GET %s did not answer 200", path);
    }
    json_t *o = json_incref(r.json);
    resp_free(&r);
    return o;
}

void front_next_open_day_at(const char *file, int line, struct client *c, long long site,
                            const char *from, char out[11])
{
    for (int d = 1; d <= 30; d++) {
        date_shift(from, d, out);
        json_t *o = front_slots_at(file, line, c, site, out);
        int open = json_is_true(json_object_get(o, "open")) &&
                   json_array_size(json_object_get(o, "items")) > 0;
        json_decref(o);
        if (open)
            return;
    }
    fail_at_(file, line, "site %lld has no open day within 30 days of %s", site, from);
}

void front_unoffer_at(const char *file, int line, struct client *c, long long site, char out[32])
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/sites/%lld/items", site);
    struct resp r;
    if (req(c, "GET", path, NULL, NULL, &r) != 200 || !r.json) {
        resp_dump(&r);
        resp_free(&r);
        fail_at_(file, line, "GET %s did not answer 200", path);
    }
    json_t *items = json_object_get(r.json, "items"), *keep = json_array(), *e;
    size_t n = json_array_size(items), i;
    if (n < 2)
        fail_at_(file, line, "site %lld offers fewer than 2 items", site);
    snprintf(out, 32, "%s", jstr(json_array_get(items, n - 1), "code"));
    json_array_foreach(items, i, e) {
        if (i + 1 < n)
            json_array_append_new(keep, json_pack("{s:s,s:s}", "code", jstr(e, "code"), "mode",
                                                  jstr(e, "mode")));
    }
    json_t *body = json_pack("{s:o}", "items", keep);
    char *text = json_dumps(body, JSON_COMPACT);
    resp_free(&r);
    long st = req(c, "PUT", path, text, NULL, &r);
    free(text);
    json_decref(body);
    if (st != 200) {
        resp_dump(&r);
        resp_free(&r);
        fail_at_(file, line, "PUT %s did not answer 200", path);
    }
    resp_free(&r);
}
