/* csv.h - RFC 4180 reading and writing. The reader works on a buffer in memory (the whole file),
 * skips a UTF-8 BOM, accepts LF and CRLF, and reports where a malformed record starts. */
#ifndef BB_CSV_H
#define BB_CSV_H
#include <stddef.h>
#include "buf.h"
#include "err.h"

#define CSV_MAX_FIELDS 64

struct csv_reader {
    const char *p, *end;
    long line;                 /* line the next record starts on (1-based) */
    struct buf field_data;     /* the current record's fields, NUL-separated */
    const char *fields[CSV_MAX_FIELDS];
    int nfields;
    long err_line;             /* where a BB_INVALID was found */
    const char *err_what;      /* English: "unterminated quote", ... */
};

/* Starts reading data (not copied: it must outlive the reader). max_field caps one record's size. */
void csv_init(struct csv_reader *r, const char *data, size_t len, size_t max_record);
/* Reads the next record into r->fields / r->nfields; *line is the line it started on.
 * BB_OK with *more = false at the end. BB_INVALID when malformed, BB_TOO_LARGE when a record
 * exceeds the cap or has more than CSV_MAX_FIELDS fields; both set err_line (the line the bad
 * record starts on) and err_what. */
enum bb_err csv_next(struct csv_reader *r, long *line, int *more);
void csv_free(struct csv_reader *r);

/* Appends one record (LF ended), quoting the fields that need it. */
enum bb_err csv_write_row(struct buf *out, const char *const *fields, int n);

#endif
