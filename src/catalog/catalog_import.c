/* catalog_import.c - all-or-nothing import of items.csv + materials.csv. Everything happens in
 * one write transaction; each item runs inside a SAVEPOINT so one bad item is reported and the
 * rest still get checked; any problem at all rolls the whole transaction back. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../audit/audit.h"
#include "../core/csv.h"
#include "catalog_int.h"
#include "catalog_io.h"

#define MAX_RECORD (64 * 1024)
#define MAX_PROBLEMS 1000

enum { C_CODE, C_NAME, C_DOMAIN, C_DEPT, C_LEVEL, C_OBJECT, C_CASE_TYPE, C_STATUTORY,
       C_PROMISED, C_FEE, C_RESULT_TYPE, C_RESULT, C_ONLINE, C_LEGAL, C_CONDITIONS, C_PROCESS,
       C_JOINT, NCOLS };
enum { M_ITEM, M_NAME, M_REQUIRED, M_CONDITION, M_FORM, M_COPIES, M_SOURCE, M_NOTE, NMCOLS };

struct material_row {
    long line;
    char *f[NMCOLS];
};

struct item_row_in {
    long line;
    bool skip; /* already reported (listed twice) */
    char *f[NCOLS];
    struct material_row *mats;
    int nmats, cap;
};

struct importer {
    const struct import_input *in;
    const struct actor *a;
    struct import_report *rep;
    struct item_row_in *items;
    size_t nitems, cap;
};

static void problem(struct importer *im, bool materials, long line, const char *column,
                    enum bb_err code, const char *detail)
{
    if (json_array_size(im->rep->problems) >= MAX_PROBLEMS)
        return;
    char en[300];
    snprintf(en, sizeof en, "%s%s%s", bb_err_message_en(code), detail ? ": " : "",
             detail ? detail : "");
    json_array_append_new(
        im->rep->problems,
        json_pack("{s:s,s:I,s:s,s:s,s:s,s:s}", "file",
                  materials ? im->in->materials_name : im->in->items_name, "line", (json_int_t)line,
                  "column", column ? column : "", "code", bb_err_code(code), "message",
                  bb_err_message(code), "message_en", en));
}

static char *dup(const char *s)
{
    char *d = strdup(s ? s : "");
    return d;
}

/* Maps header names to columns; reports unknown and missing ones. */
static bool read_header(struct importer *im, struct csv_reader *r, bool materials, int *map)
{
    int n;
    const char *const *want = catalog_csv_header(materials, &n);
    long line;
    int more;
    enum bb_err rc = csv_next(r, &line, &more);
    if (rc || !more) {
        problem(im, materials, 1, NULL, BB_INVALID, rc ? r->err_what : "empty file, no header");
        return false;
    }
    for (int i = 0; i < n; i++)
        map[i] = -1;
    bool ok = true;
    for (int c = 0; c < r->nfields; c++) {
        int k = 0;
        while (k < n && strcmp(want[k], r->fields[c]) != 0)
            k++;
        if (k == n) {
            problem(im, materials, line, r->fields[c], BB_UNKNOWN_FIELD, "unknown column");
            ok = false;
        } else {
            map[k] = c;
        }
    }
    for (int k = 0; k < n; k++)
        if (map[k] < 0) {
            problem(im, materials, line, want[k], BB_MISSING_FIELD, "missing column");
            ok = false;
        }
    return ok;
}

/* By code, then by line, so of two rows with one code the first in the file comes first. */
static int cmp_code(const void *x, const void *y)
{
    const struct item_row_in *a = x, *b = y;
    int c = strcmp(a->f[C_CODE], b->f[C_CODE]);
    return c ? c : (a->line > b->line) - (a->line < b->line);
}

static int cmp_code_only(const void *x, const void *y)
{
    return strcmp(((const struct item_row_in *)x)->f[C_CODE],
                  ((const struct item_row_in *)y)->f[C_CODE]);
}

static bool read_items(struct importer *im)
{
    struct csv_reader r;
    csv_init(&r, im->in->items, im->in->items_len, MAX_RECORD);
    int map[NCOLS];
    bool ok = read_header(im, &r, false, map);
    for (int more = 1; ok && more;) {
        long line;
        enum bb_err rc = csv_next(&r, &line, &more);
        if (rc) {
            problem(im, false, r.err_line ? r.err_line : line, NULL, rc, r.err_what);
            ok = false;
            break;
        }
        if (!more)
            break;
        if (r.nfields == 1 && !r.fields[0][0])
            continue; /* a blank line */
        if (r.nfields != NCOLS) {
            problem(im, false, line, NULL, BB_INVALID, "wrong number of fields");
            continue;
        }
        if (im->nitems == im->cap) {
            size_t cap = im->cap ? im->cap * 2 : 64;
            struct item_row_in *n = realloc(im->items, cap * sizeof *n);
            if (!n)
                break;
            im->items = n;
            im->cap = cap;
        }
        struct item_row_in *it = &im->items[im->nitems++];
        memset(it, 0, sizeof *it);
        it->line = line;
        for (int k = 0; k < NCOLS; k++)
            it->f[k] = dup(r.fields[map[k]]);
    }
    csv_free(&r);
    if (!ok)
        return false;
    if (im->nitems)
        qsort(im->items, im->nitems, sizeof *im->items, cmp_code);
    for (size_t i = 1; i < im->nitems; i++)
        if (strcmp(im->items[i].f[C_CODE], im->items[i - 1].f[C_CODE]) == 0) {
            problem(im, false, im->items[i].line, "code", BB_CONFLICT, "code listed twice");
            im->items[i].skip = true;
        }
    return true;
}

static struct item_row_in *find(struct importer *im, const char *code)
{
    if (!im->nitems)
        return NULL;
    struct item_row_in key;
    key.f[C_CODE] = (char *)code;
    struct item_row_in *it = bsearch(&key, im->items, im->nitems, sizeof *im->items, cmp_code_only);
    while (it && it > im->items && strcmp(it[-1].f[C_CODE], code) == 0)
        it--; /* a code listed twice: the materials belong to its first row */
    return it;
}

static bool read_materials(struct importer *im)
{
    struct csv_reader r;
    csv_init(&r, im->in->materials, im->in->materials_len, MAX_RECORD);
    int map[NMCOLS];
    bool ok = read_header(im, &r, true, map);
    for (int more = 1; ok && more;) {
        long line;
        enum bb_err rc = csv_next(&r, &line, &more);
        if (rc) {
            problem(im, true, r.err_line ? r.err_line : line, NULL, rc, r.err_what);
            ok = false;
            break;
        }
        if (!more)
            break;
        if (r.nfields == 1 && !r.fields[0][0])
            continue;
        if (r.nfields != NMCOLS) {
            problem(im, true, line, NULL, BB_INVALID, "wrong number of fields");
            continue;
        }
        struct item_row_in *it = find(im, r.fields[map[M_ITEM]]);
        if (!it) {
            problem(im, true, line, "item_code", BB_NOT_FOUND, "no such item in the items file");
            continue;
        }
        if (it->nmats == it->cap) {
            int cap = it->cap ? it->cap * 2 : 4;
            struct material_row *n = realloc(it->mats, (size_t)cap * sizeof *n);
            if (!n)
                break;
            it->mats = n;
            it->cap = cap;
        }
        struct material_row *m = &it->mats[it->nmats++];
        m->line = line;
        for (int k = 0; k < NMCOLS; k++)
            m->f[k] = dup(r.fields[map[k]]);
    }
    csv_free(&r);
    return ok;
}

static bool parse_int(const char *s, int64_t *out)
{
    if (!*s || strlen(s) > 6)
        return false;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    *out = strtoll(s, NULL, 10);
    return true;
}

/* Row -> item_in; reports unparsable numbers and flags. */
static bool to_input(struct importer *im, struct item_row_in *it, struct item_in *in,
                     struct material_in *mats)
{
    memset(in, 0, sizeof *in);
    in->set = IF_ALL;
    in->code = it->f[C_CODE];
    in->name = it->f[C_NAME];
    in->domain = it->f[C_DOMAIN];
    in->department = it->f[C_DEPT];
    in->level = it->f[C_LEVEL];
    in->object = it->f[C_OBJECT];
    in->case_type = it->f[C_CASE_TYPE];
    in->fee = it->f[C_FEE];
    in->result_type = it->f[C_RESULT_TYPE];
    in->result = it->f[C_RESULT];
    in->legal_basis = it->f[C_LEGAL];
    in->conditions = it->f[C_CONDITIONS];
    in->process = it->f[C_PROCESS];
    in->joint = it->f[C_JOINT];
    bool ok = true;
    if (!parse_int(it->f[C_STATUTORY], &in->statutory_days)) {
        problem(im, false, it->line, "statutory_days", BB_INVALID, "not a whole number");
        ok = false;
    }
    if (!parse_int(it->f[C_PROMISED], &in->promised_days)) {
        problem(im, false, it->line, "promised_days", BB_INVALID, "not a whole number");
        ok = false;
    }
    if (strcmp(it->f[C_ONLINE], "yes") && strcmp(it->f[C_ONLINE], "no")) {
        problem(im, false, it->line, "online", BB_INVALID, "yes or no");
        ok = false;
    }
    in->online = strcmp(it->f[C_ONLINE], "yes") == 0;
    if (it->nmats > ITEM_MAX_MATERIALS) {
        problem(im, false, it->line, "code", BB_INVALID, "too many materials");
        return false;
    }
    for (int i = 0; i < it->nmats; i++) {
        struct material_row *m = &it->mats[i];
        struct material_in *o = &mats[i];
        o->name = m->f[M_NAME];
        o->condition = m->f[M_CONDITION][0] ? m->f[M_CONDITION] : NULL;
        o->form = m->f[M_FORM];
        o->source = m->f[M_SOURCE][0] ? m->f[M_SOURCE] : NULL;
        o->note = m->f[M_NOTE][0] ? m->f[M_NOTE] : NULL;
        o->required = strcmp(m->f[M_REQUIRED], "required") == 0;
        if (!o->required && strcmp(m->f[M_REQUIRED], "conditional") != 0) {
            problem(im, true, m->line, "required", BB_INVALID, "required or conditional");
            ok = false;
        }
        if (!parse_int(m->f[M_COPIES], &o->copies)) {
            problem(im, true, m->line, "copies", BB_INVALID, "not a whole number");
            ok = false;
        }
    }
    in->materials = mats;
    in->nmaterials = it->nmats;
    return ok;
}

/* The rows as export would write them once stored (010 -> 10, no condition on a required
 * material), so that re-importing an equivalent file changes nothing. */
static enum bb_err render(const struct item_in *in, struct buf *out)
{
    char stat[24], prom[24];
    snprintf(stat, sizeof stat, "%lld", (long long)in->statutory_days);
    snprintf(prom, sizeof prom, "%lld", (long long)in->promised_days);
    const char *f[NCOLS] = {in->code, in->name, in->domain, in->department, in->level,
                            in->object, in->case_type, stat, prom, in->fee, in->result_type,
                            in->result, in->online ? "yes" : "no", in->legal_basis,
                            in->conditions, in->process, in->joint};
    enum bb_err rc = csv_write_row(out, f, NCOLS);
    for (int i = 0; !rc && i < in->nmaterials; i++) {
        const struct material_in *m = &in->materials[i];
        char copies[24];
        snprintf(copies, sizeof copies, "%lld", (long long)m->copies);
        const char *g[NMCOLS] = {in->code, m->name, m->required ? "required" : "conditional",
                                 m->required ? "" : m->condition, m->form, copies, m->source,
                                 m->note};
        rc = csv_write_row(out, g, NMCOLS);
    }
    return rc;
}

/* True when the published version already says exactly what the rows say. */
static enum bb_err unchanged(struct store_tx *tx, const struct item_in *in, bool *same)
{
    struct buf have, want;
    buf_init(&have, 4 * 1024 * 1024);
    buf_init(&want, 4 * 1024 * 1024);
    enum bb_err rc = catalog_export_rows(tx, in->code, false, &have);
    if (!rc)
        rc = catalog_export_rows(tx, in->code, true, &have);
    if (!rc)
        rc = render(in, &want);
    *same = !rc && have.len == want.len && memcmp(have.data, want.data, have.len) == 0;
    buf_free(&have);
    buf_free(&want);
    return rc;
}

/* Reports a domain error where it belongs: a material's own line, or the item's column. */
static void domain_problem(struct importer *im, struct item_row_in *it, enum bb_err rc,
                           const char *field)
{
    int idx;
    char col[32];
    if (field && sscanf(field, "materials[%d].%31s", &idx, col) == 2 && idx >= 0 &&
        idx < it->nmats)
        problem(im, true, it->mats[idx].line, col, rc, NULL);
    else
        problem(im, false, it->line, field ? field : "code", rc, NULL);
}

struct row_report {
    struct importer *im;
    struct item_row_in *it;
};

static void report_row(void *ctx, enum bb_err rc, const char *field)
{
    struct row_report *rr = ctx;
    domain_problem(rr->im, rr->it, rc, field);
}

static enum bb_err import_one(struct store_tx *tx, struct importer *im, struct item_row_in *it)
{
    struct item_in in;
    struct material_in mats[ITEM_MAX_MATERIALS];
    if (!to_input(im, it, &in, mats))
        return BB_OK; /* reported; go on checking the rest */
    /* Every field problem of the row at once, before touching the database. */
    struct row_report rr = {im, it};
    int64_t dept_id;
    const char *f = NULL;
    enum bb_err check = item_check_all(tx, &in, &dept_id, &f, report_row, &rr);
    if (check == BB_NOMEM || check == BB_DB || check == BB_IO || check == BB_UNAVAILABLE)
        return check;
    if (check)
        return BB_OK;
    struct item_row cur;
    enum bb_err rc = item_load(tx, in.code, &cur);
    bool exists = rc == BB_OK, same = false;
    if (rc && rc != BB_NOT_FOUND)
        return rc;
    if (exists && strcmp(cur.status, "retired") == 0) {
        problem(im, false, it->line, "code", BB_ITEM_RETIRED, NULL);
        return BB_OK;
    }
    if (exists && cur.published_version) {
        rc = unchanged(tx, &in, &same);
        if (rc)
            return rc;
        if (same) {
            im->rep->unchanged++;
            return BB_OK;
        }
    }
    rc = store_exec(tx, "SAVEPOINT import_item");
    if (rc)
        return rc;
    const char *field = NULL;
    rc = exists ? item_update(tx, im->a, in.code, &in, &field)
                : item_create(tx, im->a, &in, &field);
    if (!rc)
        rc = item_publish(tx, im->a, in.code, &field);
    if (rc == BB_NOMEM || rc == BB_IO || rc == BB_DB || rc == BB_UNAVAILABLE || rc == BB_FORBIDDEN)
        return rc; /* not the file's fault: stop */
    if (rc) {
        domain_problem(im, it, rc, field);
        return store_exec(tx, "ROLLBACK TO import_item");
    }
    if (exists)
        im->rep->updated++;
    else
        im->rep->created++;
    return store_exec(tx, "RELEASE import_item");
}

static enum bb_err import_fn(struct store_tx *tx, void *arg)
{
    struct importer *im = arg;
    if (!authz_can(im->a, AUTHZ_MANAGE_CATALOG, NULL))
        return BB_FORBIDDEN;
    im->rep->created = im->rep->updated = im->rep->unchanged = 0;
    /* A broken header or CSV syntax stops here; row problems are collected and the remaining
     * rows still get every check, so one run reports everything. */
    if (!read_items(im) || !read_materials(im))
        return BB_IMPORT_INVALID;
    for (size_t i = 0; i < im->nitems; i++) {
        if (im->items[i].skip)
            continue;
        enum bb_err rc = import_one(tx, im, &im->items[i]);
        if (rc)
            return rc;
        if (im->in->progress && (i + 1) % 1000 == 0)
            im->in->progress((long)i + 1, (long)im->nitems);
    }
    if (json_array_size(im->rep->problems))
        return BB_IMPORT_INVALID;
    char detail[96];
    snprintf(detail, sizeof detail, "{\"created\":%d,\"updated\":%d,\"unchanged\":%d}",
             im->rep->created, im->rep->updated, im->rep->unchanged);
    return audit_append(tx, im->a, "catalog.import", "catalog", "ok", detail);
}

static void free_rows(struct importer *im)
{
    for (size_t i = 0; i < im->nitems; i++) {
        struct item_row_in *it = &im->items[i];
        for (int k = 0; k < NCOLS; k++)
            free(it->f[k]);
        for (int m = 0; m < it->nmats; m++)
            for (int k = 0; k < NMCOLS; k++)
                free(it->mats[m].f[k]);
        free(it->mats);
    }
    free(im->items);
    im->items = NULL;
    im->nitems = im->cap = 0;
}

static int by_place(const void *x, const void *y)
{
    json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
    int c = strcmp(json_string_value(json_object_get(a, "file")),
                   json_string_value(json_object_get(b, "file")));
    if (c)
        return c;
    json_int_t la = json_integer_value(json_object_get(a, "line"));
    json_int_t lb = json_integer_value(json_object_get(b, "line"));
    return (la > lb) - (la < lb);
}

/* Problems in file and line order, as a person reads them. */
static void sort_problems(json_t *arr)
{
    size_t n = json_array_size(arr);
    json_t **v = n ? malloc(n * sizeof *v) : NULL;
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(arr, i));
    qsort(v, n, sizeof *v, by_place);
    json_array_clear(arr);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, v[i]);
    free(v);
}

static enum bb_err run(struct store *st, struct store_tx *tx, const struct actor *a,
                       const struct import_input *in, struct import_report *report)
{
    memset(report, 0, sizeof *report);
    report->problems = json_array();
    if (!report->problems)
        return BB_NOMEM;
    struct importer im = {.in = in, .a = a, .rep = report};
    enum bb_err rc = st ? store_write(st, import_fn, &im) : import_fn(tx, &im);
    free_rows(&im);
    sort_problems(report->problems);
    if (rc) /* rolled back: nothing counts as imported */
        report->created = report->updated = report->unchanged = 0;
    return rc;
}

enum bb_err catalog_import(struct store *st, const struct actor *a, const struct import_input *in,
                           struct import_report *report)
{
    return run(st, NULL, a, in, report);
}

enum bb_err catalog_import_tx(struct store_tx *tx, const struct actor *a,
                              const struct import_input *in, struct import_report *report)
{
    return run(NULL, tx, a, in, report);
}
