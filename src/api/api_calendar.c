/* api_calendar.c - working-day arithmetic and the holiday calendar per year. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../calendar/calendar.h"
#include "../core/json.h"
#include "api.h"

struct add_ctx {
    int from, days, out;
    bool provisional;
};

static enum bb_err add_fn(struct store_tx *tx, void *arg)
{
    struct add_ctx *c = arg;
    struct workday_cal *cal;
    enum bb_err rc = calendar_load(tx, &cal);
    if (rc)
        return rc;
    rc = workday_add(cal, c->from, c->days, &c->out, &c->provisional);
    workday_cal_free(cal);
    return rc;
}

void api_calendar_add(struct req *r)
{
    struct add_ctx c = {0};
    const char *from = req_query(r, "from"), *days = req_query(r, "days");
    if (!from || workday_parse(from, &c.from)) {
        reply_error(r, from ? BB_INVALID : BB_MISSING_FIELD, "from");
        return;
    }
    char *end = NULL;
    long n = days ? strtol(days, &end, 10) : -1;
    if (!days || !*days || *end || n < 0 || n > WORKDAY_MAX_ADD) {
        reply_error(r, days ? BB_INVALID : BB_MISSING_FIELD, "days");
        return;
    }
    c.days = (int)n;
    enum bb_err rc = store_read(r->st, add_fn, &c);
    if (rc == BB_INVALID) { /* past the end of the calendar's range */
        reply_error(r, rc, "days");
        return;
    }
    if (api_failed(r, rc, NULL))
        return;
    char date[WORKDAY_DATE_LEN];
    workday_format(c.out, date);
    reply_json(r, 200, json_pack("{s:s,s:b}", "date", date, "provisional", c.provisional));
}

static bool parse_year(struct req *r, int *year)
{
    const char *s = r->params[0];
    char *end = NULL;
    long y = strtol(s, &end, 10);
    if (strlen(s) != 4 || *end || y < WORKDAY_YEAR_MIN || y > WORKDAY_YEAR_MAX) {
        reply_error(r, BB_NOT_FOUND, NULL);
        return false;
    }
    *year = (int)y;
    return true;
}

struct year_ctx {
    struct req *r;
    int year;
    const char *csv;
    long err_line;
    json_t *out;
};

static enum bb_err year_fn(struct store_tx *tx, void *arg)
{
    struct year_ctx *c = arg;
    return calendar_year_json(tx, c->year, &c->out);
}

void api_calendar_year(struct req *r)
{
    struct year_ctx c = {.r = r};
    if (!parse_year(r, &c.year))
        return;
    enum bb_err rc = store_read(r->st, year_fn, &c);
    if (!api_failed(r, rc, NULL))
        reply_json(r, 200, c.out);
}

static enum bb_err put_fn(struct store_tx *tx, void *arg)
{
    struct year_ctx *c = arg;
    enum bb_err rc = calendar_put_year(tx, &c->r->actor, c->year, c->csv, strlen(c->csv),
                                       &c->err_line);
    return rc ? rc : calendar_year_json(tx, c->year, &c->out);
}

void api_calendar_put(struct req *r)
{
    static const char *const allowed[] = {"csv", NULL};
    struct year_ctx c = {.r = r};
    json_t *o;
    if (!parse_year(r, &c.year) || !api_body(r, allowed, &o))
        return;
    const char *field = NULL;
    enum bb_err rc = json_str(o, "csv", NULL, false, 1, 100000, &c.csv, &field);
    if (!rc)
        rc = store_write(r->st, put_fn, &c);
    if (rc == BB_INVALID || rc == BB_CONFLICT) {
        /* Say which line of the notice is wrong: the field is "csv:<line>". */
        char where[32];
        snprintf(where, sizeof where, "csv:%ld", c.err_line);
        reply_error(r, BB_INVALID, field ? field : where);
    } else if (!api_failed(r, rc, field)) {
        reply_json(r, 200, c.out);
    }
    json_decref(o);
}
