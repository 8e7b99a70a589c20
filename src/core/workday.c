/* workday.c - day numbers, the special-day calendar and working-day counting.
 * The calendar is one byte per day of 1900..2200 (about 110 KB, allocated once) plus a count and
 * a loaded flag per year: lookups are O(1), adding a day never allocates, and the caps (days per
 * year, the year range) bound it. Date arithmetic after H. Hinnant's days_from_civil. */
#include <stdlib.h>
#include <string.h>
#include "csv.h"
#include "workday.h"

#define NDAYS (WORKDAY_DAY_MAX - WORKDAY_DAY_MIN + 1)
#define NYEARS (WORKDAY_YEAR_MAX - WORKDAY_YEAR_MIN + 1)
#define CSV_MAX_RECORD 1024 /* one row: a date, a kind and a festival name */

struct workday_cal {
    unsigned char kind[NDAYS];       /* 0, WORKDAY_KIND_HOLIDAY or WORKDAY_KIND_WORKDAY */
    unsigned short count[NYEARS];    /* special days per year, <= WORKDAY_MAX_PER_YEAR */
    bool loaded[NYEARS];
};

/* --- dates ------------------------------------------------------------------------------- */

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m)
{
    static const unsigned char mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : mdays[m - 1];
}

static bool day_in_range(int day) { return day >= WORKDAY_DAY_MIN && day <= WORKDAY_DAY_MAX; }

static bool year_in_range(int y) { return y >= WORKDAY_YEAR_MIN && y <= WORKDAY_YEAR_MAX; }

enum bb_err workday_from_ymd(int y, int m, int d, int *day)
{
    if (!year_in_range(y) || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return BB_INVALID;
    /* Years start in March so the leap day ends the year; eras are 400-year cycles. */
    int yy = m <= 2 ? y - 1 : y;
    int era = yy / 400; /* yy >= 1899: no negative division */
    int yoe = yy - era * 400;
    int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *day = era * 146097 + doe - 719468;
    return BB_OK;
}

void workday_to_ymd(int day, int *y, int *m, int *d)
{
    long long z = (long long)day + 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = mm;
    *y = (int)(yoe + era * 400 + (mm <= 2));
}

int workday_weekday(int day)
{
    int r = ((day % 7) + 7) % 7; /* 0 = Thursday 1970-01-01 */
    return (r + 3) % 7 + 1;
}

static int year_of(int day)
{
    int y, m, d;
    workday_to_ymd(day, &y, &m, &d);
    return y;
}

/* Reads exactly n digits at s; false at the first non-digit (so never past a NUL). */
static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

enum bb_err workday_parse(const char *s, int *day)
{
    int y, m, d;
    if (!s || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' ||
        !digits(s + 8, 2, &d) || s[10] != '\0')
        return BB_INVALID;
    return workday_from_ymd(y, m, d, day);
}

static void put_digits(char *out, int v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

enum bb_err workday_format(int day, char out[WORKDAY_DATE_LEN])
{
    int y, m, d;
    out[0] = '\0';
    if (!day_in_range(day))
        return BB_INVALID;
    workday_to_ymd(day, &y, &m, &d);
    put_digits(out, y, 4);
    out[4] = '-';
    put_digits(out + 5, m, 2);
    out[7] = '-';
    put_digits(out + 8, d, 2);
    out[10] = '\0';
    return BB_OK;
}

/* --- the calendar ------------------------------------------------------------------------ */

enum bb_err workday_cal_new(struct workday_cal **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? BB_OK : BB_NOMEM;
}

void workday_cal_free(struct workday_cal *cal) { free(cal); }

static bool is_weekend(int day) { return workday_weekday(day) >= 6; }

enum bb_err workday_cal_add_day(struct workday_cal *cal, int day, enum workday_kind kind)
{
    if (!day_in_range(day) || (kind != WORKDAY_KIND_HOLIDAY && kind != WORKDAY_KIND_WORKDAY))
        return BB_INVALID;
    if (kind == WORKDAY_KIND_WORKDAY && !is_weekend(day))
        return BB_INVALID; /* Monday..Friday are worked anyway: a typo in the notice's copy */
    if (cal->kind[day - WORKDAY_DAY_MIN])
        return BB_CONFLICT;
    int yi = year_of(day) - WORKDAY_YEAR_MIN;
    if (cal->count[yi] >= WORKDAY_MAX_PER_YEAR)
        return BB_INVALID;
    cal->kind[day - WORKDAY_DAY_MIN] = (unsigned char)kind;
    cal->count[yi]++;
    return BB_OK;
}

enum bb_err workday_cal_mark_year(struct workday_cal *cal, int year)
{
    if (!year_in_range(year))
        return BB_INVALID;
    cal->loaded[year - WORKDAY_YEAR_MIN] = true;
    return BB_OK;
}

enum bb_err workday_cal_clear_year(struct workday_cal *cal, int year)
{
    int first, last;
    if (!year_in_range(year))
        return BB_INVALID;
    (void)workday_from_ymd(year, 1, 1, &first); /* cannot fail: year is in range */
    (void)workday_from_ymd(year, 12, 31, &last);
    memset(cal->kind + (first - WORKDAY_DAY_MIN), 0, (size_t)(last - first + 1));
    cal->count[year - WORKDAY_YEAR_MIN] = 0;
    cal->loaded[year - WORKDAY_YEAR_MIN] = false;
    return BB_OK;
}

bool workday_cal_year_loaded(const struct workday_cal *cal, int year)
{
    return cal && year_in_range(year) && cal->loaded[year - WORKDAY_YEAR_MIN];
}

int workday_cal_kind(const struct workday_cal *cal, int day)
{
    return cal && day_in_range(day) ? cal->kind[day - WORKDAY_DAY_MIN] : 0;
}

struct csv_row {
    int day;
    enum workday_kind kind;
    long line;
};

/* Checks one data row (fields already split) against the rows before it; on success appends it
 * to rows. BB_INVALID or BB_CONFLICT as workday_cal_parse_csv describes. */
static enum bb_err check_row(const struct workday_cal *cal, const struct csv_reader *r,
                             long line, struct csv_row *rows, int *nrows)
{
    int day;
    enum workday_kind kind;
    if (r->nfields != 3 || workday_parse(r->fields[0], &day) || r->fields[2][0] == '\0')
        return BB_INVALID;
    if (strcmp(r->fields[1], "holiday") == 0)
        kind = WORKDAY_KIND_HOLIDAY;
    else if (strcmp(r->fields[1], "workday") == 0)
        kind = WORKDAY_KIND_WORKDAY;
    else
        return BB_INVALID;
    if (kind == WORKDAY_KIND_WORKDAY && !is_weekend(day))
        return BB_INVALID;
    int year = year_of(day);
    if (*nrows == 0) {
        if (cal->loaded[year - WORKDAY_YEAR_MIN] || cal->count[year - WORKDAY_YEAR_MIN])
            return BB_CONFLICT;
    } else if (year != year_of(rows[0].day)) {
        return BB_INVALID;
    }
    for (int i = 0; i < *nrows; i++)
        if (rows[i].day == day)
            return BB_INVALID;
    if (*nrows >= WORKDAY_MAX_PER_YEAR)
        return BB_INVALID;
    rows[*nrows] = (struct csv_row){day, kind, line};
    (*nrows)++;
    return BB_OK;
}

enum bb_err workday_cal_parse_csv(struct workday_cal *cal, const char *text, size_t len,
                                  long *err_line)
{
    struct csv_reader r;
    struct csv_row rows[WORKDAY_MAX_PER_YEAR];
    int nrows = 0, more = 0;
    long line = 1, bad_line = 0;
    enum bb_err rc;

    csv_init(&r, text, len, CSV_MAX_RECORD);
    rc = csv_next(&r, &line, &more);
    if (rc)
        goto csv_error;
    if (!more || r.nfields != 3 || strcmp(r.fields[0], "date") != 0 ||
        strcmp(r.fields[1], "kind") != 0 || strcmp(r.fields[2], "name") != 0) {
        rc = BB_INVALID;
        bad_line = 1;
        goto out;
    }
    for (;;) {
        rc = csv_next(&r, &line, &more);
        if (rc)
            goto csv_error;
        if (!more)
            break;
        if (r.nfields == 1 && r.fields[0][0] == '\0')
            continue; /* a blank line */
        rc = check_row(cal, &r, line, rows, &nrows);
        if (rc) {
            bad_line = line;
            goto out;
        }
    }
    if (nrows == 0) {
        rc = BB_INVALID;
        bad_line = 2;
        goto out;
    }
    /* Every row checked: these adds cannot fail, so the load is all or nothing. */
    for (int i = 0; i < nrows; i++) {
        rc = workday_cal_add_day(cal, rows[i].day, rows[i].kind);
        if (rc)
            goto out;
    }
    rc = workday_cal_mark_year(cal, year_of(rows[0].day));
    goto out;

csv_error:
    if (rc == BB_INVALID)
        bad_line = r.err_line;
    else if (rc == BB_TOO_LARGE) { /* one over-long row: the file's fault, not ours */
        rc = BB_INVALID;
        bad_line = line;
    }
out:
    csv_free(&r);
    if (err_line)
        *err_line = rc ? bad_line : 0;
    return rc;
}

/* --- counting ---------------------------------------------------------------------------- */

bool workday_is_working(const struct workday_cal *cal, int day)
{
    int k = workday_cal_kind(cal, day);
    if (k == WORKDAY_KIND_HOLIDAY)
        return false;
    if (k == WORKDAY_KIND_WORKDAY)
        return true;
    return !is_weekend(day);
}

/* workday_is_working, noting in *provisional when day's year is not loaded. */
static bool examine(const struct workday_cal *cal, int day, bool *provisional)
{
    if (!workday_cal_year_loaded(cal, year_of(day)))
        *provisional = true;
    return workday_is_working(cal, day);
}

enum bb_err workday_add(const struct workday_cal *cal, int from, int n, int *out,
                        bool *provisional)
{
    bool prov = false;
    int day = from;
    if (n < 0 || n > WORKDAY_MAX_ADD || !day_in_range(from))
        return BB_INVALID;
    if (n == 0) {
        while (!examine(cal, day, &prov))
            if (++day > WORKDAY_DAY_MAX)
                return BB_INVALID;
    } else {
        for (int counted = 0; counted < n;) {
            if (++day > WORKDAY_DAY_MAX)
                return BB_INVALID;
            if (examine(cal, day, &prov))
                counted++;
        }
    }
    *out = day;
    if (provisional)
        *provisional = prov;
    return BB_OK;
}

enum bb_err workday_between(const struct workday_cal *cal, int from, int to, int *count,
                            bool *provisional)
{
    bool prov = false;
    int n = 0;
    if (!day_in_range(from) || !day_in_range(to))
        return BB_INVALID;
    int lo = from < to ? from : to, hi = from < to ? to : from;
    for (int day = lo + 1; day <= hi; day++)
        if (examine(cal, day, &prov))
            n++;
    *count = to < from ? -n : n;
    if (provisional)
        *provisional = prov;
    return BB_OK;
}
