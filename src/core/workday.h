/* workday.h - dates and working days on the official calendar. 行政许可法 art. 82: time limits
 * given in working days exclude statutory holidays, so counting needs the State Council's yearly
 * notice (国务院办公厅关于X年部分节假日安排的通知): its days off (holiday) and the weekend days
 * that are worked instead (workday, 调休上班).
 *
 * Dates are int day numbers: days since 1970-01-01 (day 0, a Thursday). Only 1900-01-01 ..
 * 2200-12-31 are valid (WORKDAY_DAY_MIN .. WORKDAY_DAY_MAX); every function rejects or ignores
 * anything outside. Pure: no I/O, no clock; the caller supplies "today". */
#ifndef BB_WORKDAY_H
#define BB_WORKDAY_H
#include <stdbool.h>
#include <stddef.h>
#include "err.h"

#define WORKDAY_YEAR_MIN 1900
#define WORKDAY_YEAR_MAX 2200
#define WORKDAY_DAY_MIN (-25567)   /* 1900-01-01 */
#define WORKDAY_DAY_MAX 84370      /* 2200-12-31 */
#define WORKDAY_MAX_PER_YEAR 100   /* special days one year may hold (a real notice has ~40) */
#define WORKDAY_MAX_ADD 3650       /* largest n workday_add accepts (about 14 years) */
#define WORKDAY_DATE_LEN 11        /* "YYYY-MM-DD" and its NUL */

enum workday_kind {
    WORKDAY_KIND_HOLIDAY = 1, /* a day off, even on Monday..Friday */
    WORKDAY_KIND_WORKDAY = 2, /* a Saturday or Sunday that is worked (调休上班) */
};

/* --- dates ------------------------------------------------------------------------------- */

/* Parses strict "YYYY-MM-DD" (exactly 10 characters, then the end of s) naming a real calendar
 * date in 1900..2200 into *day. BB_INVALID (and *day untouched) otherwise, also for NULL s. */
enum bb_err workday_parse(const char *s, int *day);
/* Writes day as "YYYY-MM-DD" into out. BB_INVALID, with out set to "", when day is outside
 * WORKDAY_DAY_MIN..WORKDAY_DAY_MAX. */
enum bb_err workday_format(int day, char out[WORKDAY_DATE_LEN]);
/* Day number of y-m-d. BB_INVALID when it is not a real date in 1900..2200. */
enum bb_err workday_from_ymd(int y, int m, int d, int *day);
/* Year, month (1..12) and day of month of any day number (proleptic Gregorian). */
void workday_to_ymd(int day, int *y, int *m, int *d);
/* ISO weekday: 1 = Monday .. 7 = Sunday. */
int workday_weekday(int day);

/* --- the calendar ------------------------------------------------------------------------ */

/* Special days and the set of loaded (officially published) years. Opaque; one fixed-size
 * allocation holds every year in range, so adding days never allocates. */
struct workday_cal;

/* A new empty calendar (no year loaded: weekends-only everywhere) in *out; the caller frees it
 * with workday_cal_free. BB_NOMEM when the allocation fails (*out = NULL). */
enum bb_err workday_cal_new(struct workday_cal **out);
/* Frees cal; NULL is fine. */
void workday_cal_free(struct workday_cal *cal);

/* Records that day is a special day of the given kind. BB_CONFLICT when day already has a kind;
 * BB_INVALID when day is out of range, kind is unknown, a WORKDAY_KIND_WORKDAY day is not a
 * Saturday or Sunday, or the year already holds WORKDAY_MAX_PER_YEAR special days. Does not mark
 * the year loaded. */
enum bb_err workday_cal_add_day(struct workday_cal *cal, int day, enum workday_kind kind);
/* Records that year's arrangement is published, so its weekdays and weekends are final.
 * BB_INVALID when year is outside 1900..2200. Marking twice is harmless. */
enum bb_err workday_cal_mark_year(struct workday_cal *cal, int year);
/* Forgets year's special days and its loaded mark (to load a corrected notice). BB_INVALID when
 * year is outside 1900..2200. */
enum bb_err workday_cal_clear_year(struct workday_cal *cal, int year);
/* True when year has been marked loaded. */
bool workday_cal_year_loaded(const struct workday_cal *cal, int year);
/* The kind recorded for day, or 0 when it is an ordinary day (or out of range, or cal NULL). */
int workday_cal_kind(const struct workday_cal *cal, int day);

/* Loads one year from CSV text (len bytes, need not be NUL-terminated; a UTF-8 BOM and CRLF are
 * fine): the header line `date,kind,name`, then rows `YYYY-MM-DD,holiday|workday,NAME` (NAME
 * non-empty), all dates in one year; blank lines are skipped. On success the days are added and
 * the year marked loaded. All or nothing: on any error cal is unchanged.
 * BB_INVALID with *err_line (1-based) at the offending line: bad header, malformed CSV, wrong
 * field count, bad date or kind, a workday that is not a weekend day, a date duplicated or in a
 * different year from the first row, more than WORKDAY_MAX_PER_YEAR rows; no rows at all gives
 * the line after the header. BB_CONFLICT (*err_line = first row) when the year is already loaded
 * or already has special days: clear it first. BB_NOMEM from the CSV reader (*err_line = 0).
 * err_line may be NULL; it is set to 0 on success. */
enum bb_err workday_cal_parse_csv(struct workday_cal *cal, const char *text, size_t len,
                                  long *err_line);

/* --- counting ---------------------------------------------------------------------------- */

/* True when day is worked: Monday..Friday unless a holiday, Saturday/Sunday only when marked
 * workday. Years not loaded (and a NULL cal) follow the weekends-only rule. */
bool workday_is_working(const struct workday_cal *cal, int day);

/* The date n working days after from, in *out.
 * n >= 1: counting starts the day after from (from itself never counts, even if worked), so
 *   *out is the n-th working day after from; the usual "within n working days" deadline.
 * n == 0: from itself when it is a working day, else the next working day (a deadline that
 *   falls on a day off moves to the next working day).
 * *provisional (may be NULL) is true when any day examined (from+1 .. *out, or from .. *out for
 * n == 0) lies in a year not loaded, so the answer may move once that year's notice is loaded.
 * BB_INVALID when n < 0, n > WORKDAY_MAX_ADD, from is out of range, or the answer would be past
 * 2200-12-31; *out and *provisional are then untouched. cal may be NULL (weekends only). */
enum bb_err workday_add(const struct workday_cal *cal, int from, int n, int *out,
                        bool *provisional);

/* Working days in (from, to] in *count: "days left" with from = today, to = the deadline; 0 when
 * to == from, and -(working days in (to, from]) when to < from (overdue). Consistent with
 * workday_add: for n >= 1, workday_between(from, workday_add(from, n)) == n.
 * *provisional (may be NULL) as for workday_add, over the days counted.
 * BB_INVALID when from or to is out of range (outputs untouched). */
enum bb_err workday_between(const struct workday_cal *cal, int from, int to, int *count,
                            bool *provisional);

#endif
