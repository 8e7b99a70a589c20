/* catalog_int.h - shared between the catalogue's source files only. */
#ifndef BB_CATALOG_INT_H
#define BB_CATALOG_INT_H
#include "../core/buf.h"
#include "catalog.h"

struct item_row {
    int64_t id, published_version, draft_version; /* 0 = none */
    char status[12];
};

/* Loads the item by code: BB_NOT_FOUND when unknown. */
enum bb_err item_load(struct store_tx *tx, const char *code, struct item_row *r);
/* Checks every field present in in (formats, ranges, enums, that departments exist) and
 * resolves the department to *dept_id (0 when not set). */
enum bb_err item_check_fields(struct store_tx *tx, const struct item_in *in, int64_t *dept_id,
                              const char **field);
/* Receives each problem of item_check_all. */
typedef void (*item_report_fn)(void *ctx, enum bb_err rc, const char *field);
/* item_check_fields that reports every problem to report (and, when the input holds the whole
 * item, the cross-field rules too) and returns the first. */
enum bb_err item_check_all(struct store_tx *tx, const struct item_in *in, int64_t *dept_id,
                           const char **field, item_report_fn report, void *ctx);
/* The rules between case type, limits and joint departments (dept = the lead's code). */
enum bb_err item_check_limits(const char *type, int64_t statutory, int64_t promised,
                              const char *joint, const char *dept, const char **field);
/* Checks the rules that tie fields together on the stored version (case type vs limits,
 * joint departments). BB_LIMITS_MISMATCH. */
enum bb_err item_check_version(struct store_tx *tx, int64_t version_id, const char **field);

/* CSV rows (no header) of the published version of code (NULL: every item). */
enum bb_err catalog_export_rows(struct store_tx *tx, const char *code, bool materials,
                                struct buf *out);
/* The CSV header of items.csv or materials.csv. */
const char *const *catalog_csv_header(bool materials, int *n);

#endif
