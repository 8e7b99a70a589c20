/* row.h - turning result rows into JSON records, and paged lists with id cursors. */
#ifndef BB_ROW_H
#define BB_ROW_H
#include <jansson.h>
#include "store.h"

/* Builds an object from the current row: column i is named names[i] and typed by types[i]:
 * 'i' integer, 's' text, 'd' real, 'b' boolean (0/1); SQL NULL becomes JSON null.
 * Returns a new reference, NULL when out of memory. */
json_t *store_row_json(struct store_stmt *s, const char *types, const char *const names[]);

/* Runs sql with id bound to its one parameter and returns the row as an object (as
 * store_row_json). BB_NOT_FOUND when there is no row. */
enum bb_err store_get_json(struct store_tx *tx, const char *sql, int64_t id, const char *types,
                           const char *const names[], json_t **out);

/* Steps s (whose first column is the id, ordered by id, limited to limit + 1 rows) and
 * appends up to limit records to *items (a new array). *next is the last id returned when more
 * rows follow, else 0. */
enum bb_err store_rows_json(struct store_stmt *s, const char *types, const char *const names[],
                            int limit, json_t **items, int64_t *next);

/* A record made from the current row (NULL: out of memory). */
typedef json_t *(*store_row_fn)(struct store_stmt *s, void *arg);
/* store_rows_json with each record made by fn(s, arg) instead of a column list. */
enum bb_err store_rows_page(struct store_stmt *s, store_row_fn fn, void *arg, int limit,
                            json_t **items, int64_t *next);

#endif
