/* calendar.h - the official holiday calendar in the database: years loaded from the State
 * Council's notice (data/holidays/YYYY.csv ship with the program; an admin loads a new year's
 * notice through the API without a release), and working-day arithmetic on it. */
#ifndef BB_CALENDAR_H
#define BB_CALENDAR_H
#include <jansson.h>
#include "../core/workday.h"
#include "../sites/authz.h"
#include "../store/store.h"

/* Loads the calendar from the database. The caller frees it with workday_cal_free. */
enum bb_err calendar_load(struct store_tx *tx, struct workday_cal **out);
/* Loads the shipped years (data/holidays/) that the database does not have yet. */
enum bb_err calendar_install_builtin(struct store_tx *tx);
/* Replaces year's special days with the CSV (date,kind,name). BB_INVALID with *err_line when
 * the file is bad, BB_FORBIDDEN unless a is an admin of a district-level site. */
enum bb_err calendar_put_year(struct store_tx *tx, const struct actor *a, int year,
                              const char *csv, size_t len, long *err_line);
/* {"year","loaded","days":[{"date","kind","name"}]} */
enum bb_err calendar_year_json(struct store_tx *tx, int year, json_t **out);

#endif
