/*
 * Helpers shared by the service catalogue API tests (test_items*.c,
 * test_site_items.c, test_public.c, test_import.c): the demo catalogue files
 * (argv[2], the source tree's data/catalog), a small RFC 4180 reader, valid item
 * bodies, and a few calls every catalogue test makes.
 */
#ifndef BB_API_CAT_UTIL_H
#define BB_API_CAT_UTIL_H

#include <stddef.h>
#include <jansson.h>

#include "harness.h"

#define PW "bangban-demo"
#define ITEMS "/api/v1/items"

/* harness_init() plus argv[2] (data/catalog). Returns 0, or -1 with a message. */
int cat_init(int argc, char **argv);

/* A parsed CSV file: cell[row][col], row 0 the header; every row has ncols cells. */
struct table {
	size_t nrows, ncols;
	char ***cell;
};
/* Parses RFC 4180 text (BOM skipped, LF or CRLF). 0, or -1 when malformed or ragged. */
int table_parse(const char *data, size_t len, struct table *t);
void table_free(struct table *t);
/* Index of header column name, or -1. */
int table_col(const struct table *t, const char *name);
/* Cell of row (1-based data row = file row) in column name, or NULL. */
const char *table_get(const struct table *t, size_t row, const char *name);
/* Parses data/catalog/<name>; fails the test when unreadable or malformed. */
void data_table(const char *name, struct table *t);

/* Replaces a cell (column name must exist); fails the test otherwise. */
void table_set(struct table *t, size_t row, const char *name, const char *value);
/* Appends a row of ncols fields. */
void table_add(struct table *t, const char *const *fields);
/* The table as CSV text (LF line ends, fields quoted only when needed); free it. */
char *table_dump(const struct table *t);

/* Whole file (NUL-terminated, *len set when len), or NULL. */
char *file_read(const char *path, size_t *len);
/* Writes data to path; fails the test on error. */
void file_write(const char *path, const char *data);

/* Id of the site with division code code, as c lists sites; fails when absent. */
long long site_id_of(struct client *c, const char *code);
/* GET path as c, expecting 200: the body (a new reference). */
#define get_json(c, path) get_json_at(__FILE__, __LINE__, (c), (path))
json_t *get_json_at(const char *file, int line, struct client *c, const char *path);
/* METHOD path with body serialised (NULL: none); as req(). */
long req_json(struct client *c, const char *method, const char *path, const json_t *body,
	      struct resp *r);
/* A valid POST /api/v1/items body: a promised (承诺件) item of department mz with two
 * materials (a new reference). */
json_t *item_body(const char *code, const char *name);
/* POST item_body(code, name) as c, expecting 201. */
#define item_create(c, code, name) item_create_at(__FILE__, __LINE__, (c), (code), (name))
void item_create_at(const char *file, int line, struct client *c, const char *code,
		    const char *name);
/* POST /api/v1/items/{code}/<action> (publish, retire) as c, expecting 200. */
#define item_action(c, code, action) item_action_at(__FILE__, __LINE__, (c), (code), (action))
void item_action_at(const char *file, int line, struct client *c, const char *code,
		    const char *action);
/* Status of GET path as c (the body is dropped). */
long get_status(struct client *c, const char *path);
/* Whether s contains needle (NULL s: no). */
int has(const char *s, const char *needle);

#endif
