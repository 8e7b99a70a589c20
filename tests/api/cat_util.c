/* Helpers for the service catalogue API tests. See cat_util.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cat_util.h"

static const char *data_dir;

int cat_init(int argc, char **argv)
{
	if (argc < 3 || !argv[2][0]) {
		fprintf(stderr, "usage: %s <path to bangban> <data/catalog dir>\n",
			argc ? argv[0] : "test");
		return -1;
	}
	data_dir = argv[2];
	return harness_init(argc, argv);
}

/* A growing string. */
struct sb {
	char *s;
	size_t len, cap;
};

static int sb_add(struct sb *b, char c)
{
	if (b->len + 2 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		char *n = realloc(b->s, cap);

		if (!n)
			return -1;
		b->s = n;
		b->cap = cap;
	}
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
	return 0;
}

static int push(void ***arr, size_t *n, void *p)
{
	void **na = realloc(*arr, (*n + 1) * sizeof(void *));

	if (!na)
		return -1;
	*arr = na;
	na[(*n)++] = p;
	return 0;
}

static void free_row(char **row, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(row[i]);
	free(row);
}

int table_parse(const char *data, size_t len, struct table *t)
{
	const char *p = data, *end = data + len;
	char **row = NULL;
	size_t nrow = 0;
	struct sb f = { 0 };

	memset(t, 0, sizeof(*t));
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end) {
		int quoted = 0;

		/* one field */
		f.s = NULL;
		f.len = f.cap = 0;
		if (sb_add(&f, 'x'))
			goto fail;
		f.len = 0;
		f.s[0] = '\0';
		if (*p == '"') {
			quoted = 1;
			p++;
			for (;;) {
				if (p >= end)
					goto fail;	/* unterminated quote */
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						if (sb_add(&f, '"'))
							goto fail;
						p += 2;
						continue;
					}
					p++;
					break;
				}
				if (sb_add(&f, *p++))
					goto fail;
			}
		} else {
			while (p < end && *p != ',' && *p != '\n' && *p != '\r') {
				if (*p == '"' || sb_add(&f, *p))
					goto fail;
				p++;
			}
		}
		(void)quoted;
		if (push((void ***)&row, &nrow, f.s))
			goto fail;
		f.s = NULL;
		if (p < end && *p == ',') {
			p++;
			if (p == end && push((void ***)&row, &nrow, strdup("")))
				goto fail;
			continue;
		}
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p != '\n')
			goto fail;
		if (p < end)
			p++;
		/* end of record */
		if (t->nrows == 0)
			t->ncols = nrow;
		else if (nrow != t->ncols)
			goto fail;
		if (push((void ***)&t->cell, &t->nrows, row))
			goto fail;
		row = NULL;
		nrow = 0;
	}
	if (row) {
		if (t->nrows && nrow != t->ncols)
			goto fail;
		if (!t->nrows)
			t->ncols = nrow;
		if (push((void ***)&t->cell, &t->nrows, row))
			goto fail;
	}
	return t->nrows ? 0 : -1;
fail:
	free(f.s);
	free_row(row, nrow);
	table_free(t);
	return -1;
}

void table_free(struct table *t)
{
	for (size_t r = 0; r < t->nrows; r++)
		free_row(t->cell[r], t->ncols);
	free(t->cell);
	memset(t, 0, sizeof(*t));
}

int table_col(const struct table *t, const char *name)
{
	for (size_t c = 0; t->nrows && c < t->ncols; c++)
		if (strcmp(t->cell[0][c], name) == 0)
			return (int)c;
	return -1;
}

const char *table_get(const struct table *t, size_t row, const char *name)
{
	int c = table_col(t, name);

	return c < 0 || row >= t->nrows ? NULL : t->cell[row][c];
}

void table_set(struct table *t, size_t row, const char *name, const char *value)
{
	int c = table_col(t, name);
	char *v = strdup(value);

	if (c < 0 || row >= t->nrows || !v)
		fail_at("table_set: no cell %zu/%s", row, name);
	free(t->cell[row][c]);
	t->cell[row][c] = v;
}

void table_add(struct table *t, const char *const *fields)
{
	char **row = calloc(t->ncols, sizeof(char *));
	char ***rows = realloc(t->cell, (t->nrows + 1) * sizeof(char **));

	if (!row || !rows)
		fail_at("out of memory");
	t->cell = rows;
	for (size_t c = 0; c < t->ncols; c++) {
		row[c] = strdup(fields[c]);
		if (!row[c])
			fail_at("out of memory");
	}
	t->cell[t->nrows++] = row;
}

char *table_dump(const struct table *t)
{
	struct sb b = { 0 };

	if (sb_add(&b, 'x'))
		fail_at("out of memory");
	b.len = 0;
	b.s[0] = '\0';
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *f = t->cell[r][c];
			int q = strpbrk(f, ",\"\r\n") != NULL;
			int bad = (c && sb_add(&b, ',')) || (q && sb_add(&b, '"'));

			for (; *f && !bad; f++)
				bad = (*f == '"' && sb_add(&b, '"')) || sb_add(&b, *f);
			if (bad || (q && sb_add(&b, '"')))
				fail_at("out of memory");
		}
		if (sb_add(&b, '\n'))
			fail_at("out of memory");
	}
	return b.s;
}

char *file_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (!f)
		return NULL;
	do {
		if (n + 65536 + 1 > cap) {
			char *nb = realloc(buf, cap = n + 65536 * 2 + 1);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, 65536, f);
		n += got;
	} while (got);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

void file_write(const char *path, const char *data)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, strlen(data), f) != strlen(data) || fclose(f) != 0)
		fail_at("cannot write %s", path);
}

void data_table(const char *name, struct table *t)
{
	char path[PATH_MAX];
	size_t len;
	char *d;

	snprintf(path, sizeof(path), "%s/%s", data_dir, name);
	d = file_read(path, &len);
	if (!d)
		fail_at("cannot read %s", path);
	if (table_parse(d, len, t))
		fail_at("%s is not well-formed CSV", path);
	free(d);
}

long long site_id_of(struct client *c, const char *code)
{
	json_t *sites = list_all(c, "/api/v1/sites");
	json_t *s = jfind(sites, "code", code);
	long long id;

	if (!s)
		fail_at("no site with code %s", code);
	id = jint(s, "id");
	json_decref(sites);
	return id;
}

json_t *get_json_at(const char *file, int line, struct client *c, const char *path)
{
	struct resp r;
	json_t *o;

	req(c, "GET", path, NULL, NULL, &r);
	if (r.status != 200 || !r.json) {
		resp_dump(&r);
		fail_at_(file, line, "GET %s: want 200 with JSON, got %ld", path, r.status);
	}
	o = json_incref(r.json);
	resp_free(&r);
	return o;
}

long get_status(struct client *c, const char *path)
{
	struct resp r;
	long st = req(c, "GET", path, NULL, NULL, &r);

	resp_free(&r);
	return st;
}

long req_json(struct client *c, const char *method, const char *path, const json_t *body,
	      struct resp *r)
{
	char *b = body ? json_dumps(body, JSON_COMPACT) : NULL;
	long st;

	if (body && !b)
		fail_at("out of memory");
	st = req(c, method, path, b, NULL, r);
	free(b);
	return st;
}

json_t *item_body(const char *code, const char *name)
{
	json_t *o = json_pack(
		"{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:i,s:s,s:s,s:s,s:b,s:s,s:s,s:s,s:[],s:["
		"{s:s,s:b,s:n,s:s,s:i,s:s,s:n},{s:s,s:b,s:s,s:s,s:i,s:s,s:s}]}",
		"code", code, "name", name, "domain", "民政救助", "department", "mz",
		"level", "township", "object", "individual", "case_type", "promised",
		"statutory_days", 20, "promised_days", 10, "fee", "不收费",
		"result_type", "document", "result", "审批结果通知书", "online", 1,
		"legal_basis", "《社会救助暂行办法》第十一条", "conditions", "本地户籍居民。",
		"process", "申请 > 受理 > 审核 > 办结", "joint_departments",
		"materials",
		"name", "居民身份证", "required", 1, "condition", "form", "original", "copies", 0,
		"source", "申请人自备", "note",
		"name", "委托书", "required", 0, "condition", "委托他人办理的", "form", "copy",
		"copies", 1, "source", "申请人自备", "note", "可在窗口领取");

	if (!o)
		fail_at("item_body: json_pack failed");
	return o;
}

void item_create_at(const char *file, int line, struct client *c, const char *code,
		    const char *name)
{
	json_t *b = item_body(code, name);
	struct resp r;

	req_json(c, "POST", ITEMS, b, &r);
	json_decref(b);
	if (r.status != 201) {
		resp_dump(&r);
		fail_at_(file, line, "creating item %s: want 201, got %ld", code, r.status);
	}
	resp_free(&r);
}

void item_action_at(const char *file, int line, struct client *c, const char *code,
		    const char *action)
{
	char path[128];
	struct resp r;

	snprintf(path, sizeof(path), ITEMS "/%s/%s", code, action);
	req(c, "POST", path, NULL, NULL, &r);
	if (r.status != 200) {
		resp_dump(&r);
		fail_at_(file, line, "POST %s: want 200, got %ld", path, r.status);
	}
	resp_free(&r);
}

int has(const char *s, const char *needle)
{
	return s && strstr(s, needle) != NULL;
}
