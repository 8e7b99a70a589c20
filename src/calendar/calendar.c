/* calendar.c - holidays and make-up working days per year, kept in two tables (holidays,
 * calendar_years) so every node of a deployment sees the same calendar. */
#include <stdio.h>
#include <string.h>
#include "../audit/audit.h"
#include "../core/clock.h"
#include "../core/csv.h"
#include "../core/embedded.h"
#include "../store/row.h"
#include "calendar.h"

enum bb_err calendar_load(struct store_tx *tx, struct workday_cal **out)
{
    struct workday_cal *cal;
    enum bb_err rc = workday_cal_new(&cal);
    if (rc)
        return rc;
    struct store_stmt *s;
    rc = store_prepare(tx, "SELECT day, kind FROM holidays", &s);
    for (bool row = true; !rc && row;) {
        rc = store_step(s, &row);
        int day;
        if (!rc && row && workday_parse(store_col_text(s, 0), &day) == BB_OK)
            rc = workday_cal_add_day(cal, day,
                                     strcmp(store_col_text(s, 1), "holiday") == 0
                                         ? WORKDAY_KIND_HOLIDAY
                                         : WORKDAY_KIND_WORKDAY);
    }
    store_finalize(s);
    if (!rc)
        rc = store_prepare(tx, "SELECT year FROM calendar_years", &s);
    if (!rc) {
        for (bool row = true; !rc && row;) {
            rc = store_step(s, &row);
            if (!rc && row)
                rc = workday_cal_mark_year(cal, (int)store_col_int(s, 0));
        }
        store_finalize(s);
    }
    if (rc) {
        workday_cal_free(cal);
        return rc;
    }
    *out = cal;
    return BB_OK;
}

/* Writes the days of a parsed one-year CSV into the tables. */
static enum bb_err store_year(struct store_tx *tx, int year, const char *csv, size_t len,
                              const char *source, long *err_line)
{
    struct workday_cal *cal;
    enum bb_err rc = workday_cal_new(&cal);
    if (rc)
        return rc;
    rc = workday_cal_parse_csv(cal, csv, len, err_line);
    if (!rc && !workday_cal_year_loaded(cal, year)) {
        *err_line = 2;
        rc = BB_INVALID; /* the file is about another year */
    }
    if (!rc)
        rc = store_run(tx, "DELETE FROM holidays WHERE year = ?", "i", (int64_t)year);
    if (!rc)
        rc = store_run(tx, "DELETE FROM calendar_years WHERE year = ?", "i", (int64_t)year);
    int first, last;
    if (!rc)
        rc = workday_from_ymd(year, 1, 1, &first);
    if (!rc)
        rc = workday_from_ymd(year, 12, 31, &last);
    for (int d = first; !rc && d <= last; d++) {
        int kind = workday_cal_kind(cal, d);
        if (!kind)
            continue;
        char date[WORKDAY_DATE_LEN];
        rc = workday_format(d, date);
        if (!rc)
            rc = store_run(tx, "INSERT INTO holidays (day, kind, name, year) VALUES (?, ?, ?, ?)",
                           "ttti", date, kind == WORKDAY_KIND_HOLIDAY ? "holiday" : "workday",
                           "", (int64_t)year);
    }
    if (!rc)
        rc = store_run(tx, "INSERT INTO calendar_years (year, loaded_at, source) VALUES (?, ?, ?)",
                       "iit", (int64_t)year, clock_now(), source);
    workday_cal_free(cal);
    return rc;
}

/* The festival names, which the parsed calendar does not keep (the CSV is already known good). */
static enum bb_err store_names(struct store_tx *tx, const char *csv, size_t len)
{
    struct csv_reader r;
    csv_init(&r, csv, len, 4096);
    long line;
    int more = 1;
    enum bb_err rc = csv_next(&r, &line, &more); /* header */
    while (!rc && more) {
        rc = csv_next(&r, &line, &more);
        if (!rc && more && r.nfields == 3)
            rc = store_run(tx, "UPDATE holidays SET name = ? WHERE day = ?", "tt", r.fields[2],
                           r.fields[0]);
    }
    csv_free(&r);
    return rc;
}

enum bb_err calendar_install_builtin(struct store_tx *tx)
{
    for (size_t i = 0; i < data_files_count; i++) {
        int year;
        char tail[8];
        if (sscanf(data_files[i].path, "/holidays/%4d.%3s", &year, tail) != 2 ||
            strcmp(tail, "csv") != 0)
            continue;
        bool found;
        int64_t y = year;
        enum bb_err rc = store_query_int(tx, "SELECT year FROM calendar_years WHERE year = ?", 1,
                                         &y, &found, NULL);
        if (rc)
            return rc;
        if (found)
            continue; /* an admin's (or an earlier) load wins */
        long line = 0;
        const char *csv = (const char *)data_files[i].data;
        rc = store_year(tx, year, csv, data_files[i].len, "builtin", &line);
        if (!rc)
            rc = store_names(tx, csv, data_files[i].len);
        if (rc)
            return rc;
    }
    return BB_OK;
}

enum bb_err calendar_put_year(struct store_tx *tx, const struct actor *a, int year,
                              const char *csv, size_t len, long *err_line)
{
    if (!authz_can(a, AUTHZ_MANAGE_DEPT, NULL)) /* district admins keep shared reference data */
        return BB_FORBIDDEN;
    enum bb_err rc = store_year(tx, year, csv, len, "admin", err_line);
    if (!rc)
        rc = store_names(tx, csv, len);
    char object[32];
    snprintf(object, sizeof object, "calendar:%d", year);
    if (!rc)
        rc = audit_append(tx, a, "calendar.load", object, "ok", NULL);
    return rc;
}

enum bb_err calendar_year_json(struct store_tx *tx, int year, json_t **out)
{
    bool loaded;
    int64_t y = year;
    enum bb_err rc = store_query_int(tx, "SELECT year FROM calendar_years WHERE year = ?", 1, &y,
                                     &loaded, NULL);
    if (rc)
        return rc;
    struct store_stmt *s;
    rc = store_prepare(tx, "SELECT day, kind, name FROM holidays WHERE year = ? ORDER BY day", &s);
    if (rc)
        return rc;
    static const char *const names[] = {"date", "kind", "name"};
    json_t *days = json_array();
    rc = days ? store_bind_int(s, 1, year) : BB_NOMEM;
    for (bool row = true; !rc && row;) {
        rc = store_step(s, &row);
        if (!rc && row && json_array_append_new(days, store_row_json(s, "sss", names)))
            rc = BB_NOMEM;
    }
    store_finalize(s);
    if (rc) {
        json_decref(days);
        return rc;
    }
    *out = json_pack("{s:i,s:b,s:o}", "year", year, "loaded", loaded, "days", days);
    return *out ? BB_OK : BB_NOMEM;
}
