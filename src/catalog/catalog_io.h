/* catalog_io.h - the catalogue as two CSV files (docs/catalog-format.md): all-or-nothing import
 * that reports every problem with file, line and column, and an export that round-trips. */
#ifndef BB_CATALOG_IO_H
#define BB_CATALOG_IO_H
#include <jansson.h>
#include "../core/buf.h"
#include "catalog.h"

struct import_input {
    const char *items, *materials;        /* file contents */
    size_t items_len, materials_len;
    const char *items_name, *materials_name; /* for problem reports */
    void (*progress)(long done, long total); /* may be NULL; called every 1,000 items */
};

struct import_report {
    int created, updated, unchanged;
    json_t *problems; /* array of {file,line,column,code,message,message_en}; caller decrefs */
};

/* Imports inside one write transaction of st. BB_IMPORT_INVALID (nothing written) when any
 * row has a problem: every problem is in report->problems. */
enum bb_err catalog_import(struct store *st, const struct actor *a, const struct import_input *in,
                           struct import_report *report);
/* The same inside the caller's write transaction (which a failure leaves to be rolled back). */
enum bb_err catalog_import_tx(struct store_tx *tx, const struct actor *a,
                              const struct import_input *in, struct import_report *report);
/* Writes items.csv / materials.csv of every item's published version, sorted by code. */
enum bb_err catalog_export(struct store_tx *tx, const struct actor *a, bool materials,
                           struct buf *out);

#endif
