/* csv.c - a small RFC 4180 state machine. Quoted fields may hold commas, quotes ("") and line
 * breaks; a quote inside an unquoted field, or text after a closing quote, is an error. */
#include <stdbool.h>
#include <string.h>
#include "csv.h"

void csv_init(struct csv_reader *r, const char *data, size_t len, size_t max_record)
{
    memset(r, 0, sizeof *r);
    r->p = data;
    r->end = data + len;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        r->p += 3;
    r->line = 1;
    buf_init(&r->field_data, max_record);
}

void csv_free(struct csv_reader *r) { buf_free(&r->field_data); }

/* Records where the bad record starts (the line a person looks for) and why. */
static enum bb_err fail(struct csv_reader *r, long line, const char *what, enum bb_err rc)
{
    r->err_line = line;
    r->err_what = what;
    return rc;
}

enum bb_err csv_next(struct csv_reader *r, long *line, int *more)
{
    *more = 0;
    if (r->p >= r->end)
        return BB_OK;
    *line = r->line;
    r->field_data.len = 0;
    size_t starts[CSV_MAX_FIELDS];
    int n = 0;
    enum bb_err rc;
    for (;;) { /* one field per iteration */
        if (n == CSV_MAX_FIELDS)
            return fail(r, *line, "too many fields", BB_TOO_LARGE);
        starts[n++] = r->field_data.len;
        if (r->p < r->end && *r->p == '"') {
            r->p++;
            for (;;) {
                if (r->p >= r->end)
                    return fail(r, *line, "unterminated quote", BB_INVALID);
                char c = *r->p++;
                if (c == '"') {
                    if (r->p < r->end && *r->p == '"') {
                        r->p++;
                    } else {
                        break;
                    }
                }
                if (c == '\n')
                    r->line++;
                rc = buf_add(&r->field_data, &c, 1);
                if (rc)
                    return fail(r, *line, "record too long", rc);
            }
            if (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r')
                return fail(r, *line, "text after a closing quote", BB_INVALID);
        } else {
            while (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r') {
                if (*r->p == '"')
                    return fail(r, *line, "quote inside an unquoted field", BB_INVALID);
                rc = buf_add(&r->field_data, r->p++, 1);
                if (rc)
                    return fail(r, *line, "record too long", rc);
            }
        }
        rc = buf_add(&r->field_data, "", 1); /* NUL ends the field */
        if (rc)
            return fail(r, *line, "record too long", rc);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        if (r->p < r->end && *r->p == '\r')
            r->p++;
        if (r->p < r->end && *r->p == '\n')
            r->p++;
        r->line++;
        break;
    }
    for (int i = 0; i < n; i++)
        r->fields[i] = r->field_data.data + starts[i];
    r->nfields = n;
    *more = 1;
    return BB_OK;
}

enum bb_err csv_write_row(struct buf *out, const char *const *fields, int n)
{
    enum bb_err rc = BB_OK;
    for (int i = 0; i < n && !rc; i++) {
        const char *f = fields[i] ? fields[i] : "";
        size_t len = strlen(f);
        bool quote = strpbrk(f, ",\"\r\n") != NULL ||
                     (len && (f[0] == ' ' || f[len - 1] == ' '));
        if (i)
            rc = buf_add(out, ",", 1);
        if (!rc && quote) {
            rc = buf_add(out, "\"", 1);
            for (const char *p = f; !rc && *p; p++)
                rc = *p == '"' ? buf_add(out, "\"\"", 2) : buf_add(out, p, 1);
            if (!rc)
                rc = buf_add(out, "\"", 1);
        } else if (!rc) {
            rc = buf_add(out, f, len);
        }
    }
    if (!rc)
        rc = buf_add(out, "\n", 1);
    return rc;
}
