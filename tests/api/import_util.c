/* Helpers shared by the catalogue import/export tests. See import_util.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "import_util.h"

/* GET the export of file ("items" or "materials") as c: the CSV text (free it). */
char *export_as(struct client *c, const char *file)
{
	char path[96];
	struct resp r;
	const char *ct;
	char *out;

	snprintf(path, sizeof(path), EXPORT "%s", file);
	req(c, "GET", path, NULL, NULL, &r);
	expect_status(&r, 200);
	ct = resp_header(&r, "Content-Type");
	if (!ct || strncmp(ct, "text/csv", 8) != 0)
		fail_at("GET %s: Content-Type %s, want text/csv", path, ct ? ct : "(none)");
	out = strdup(r.body);
	assert_non_null(out);
	resp_free(&r);
	return out;
}

/* POST the two files (NULL: member left out) as c. */
long import_as(struct client *c, const char *items, const char *mats, struct resp *r)
{
	json_t *b = json_object();

	if (items)
		json_object_set_new(b, "items_csv", json_string(items));
	if (mats)
		json_object_set_new(b, "materials_csv", json_string(mats));
	req_json(c, "POST", IMPORT, b, r);
	json_decref(b);
	return r->status;
}

void expect_counts_at(const char *file, int line, const struct resp *r, long long c,
		      long long u, long long n)
{
	const json_t *o = r->json;

	if (r->status != 200 || !json_is_integer(json_object_get(o, "created")) ||
	    jint(o, "created") != c || jint(o, "updated") != u || jint(o, "unchanged") != n) {
		resp_dump(r);
		fail_at_(file, line, "import: want 200 created %lld, updated %lld, unchanged %lld", c, u, n);
	}
}

void parse_csv(const char *text, struct table *t)
{
	if (table_parse(text, strlen(text), t))
		fail_at("not well-formed CSV: %.200s", text);
}

static int col_index(const char *header_cols, const char *name)
{
	int i = 1;

	for (const char *p = header_cols; *p; i++) {
		size_t n = strcspn(p, ",");

		if (strlen(name) == n && strncmp(p, name, n) == 0)
			return i;
		p += n + (p[n] == ',');
	}
	return -1;
}

/* Whether problem p names column (by name, or 1-based number) one of the alternatives. */
static int column_ok(const json_t *p, const char *file, const char *alts)
{
	const json_t *c = json_object_get(p, "column");
	const char *hdr = strcmp(file, "items") == 0 ? ITEM_COLS : MAT_COLS;

	if (!alts)
		return json_is_string(c) || json_is_integer(c);
	for (const char *a = alts; *a;) {
		size_t n = strcspn(a, "|");
		char name[40];

		snprintf(name, sizeof(name), "%.*s", (int)n, a);
		if (json_is_string(c) && (strcmp(json_string_value(c), name) == 0 ||
					  atoi(json_string_value(c)) == col_index(hdr, name)))
			return 1;
		if (json_is_integer(c) && json_integer_value(c) == col_index(hdr, name))
			return 1;
		a += n + (a[n] == '|');
	}
	return 0;
}

static int file_ok(const json_t *p, const char *file)
{
	const char *f = jstr(p, "file");

	if (!f)
		return 0;
	return strcmp(file, "items") == 0 ? has(f, "item") && !has(f, "material") : has(f, "material");
}

/* Checks r is 422 import_invalid listing every wanted problem (each fully described). */
int check_problems(const struct resp *r, const struct want_problem *w, size_t n,
			  const char *what)
{
	const json_t *probs = json_object_get(json_object_get(r->json, "error"), "problems"), *p;
	const char *why = error_mismatch(r, 422, "import_invalid", NULL);
	size_t i;
	int bad = 0;

	if (why || !json_is_array(probs)) {
		print_mismatch(r, why ? why : "no error.problems array", 422, "import_invalid", NULL);
		return 1;
	}
	json_array_foreach(probs, i, p)
		if (!jstr(p, "file") || !json_is_integer(json_object_get(p, "line")) ||
		    !json_object_get(p, "column") || !jstr(p, "code") || !jstr(p, "message") ||
		    !jstr(p, "message_en")) {
			char *d = json_dumps(p, JSON_COMPACT);

			fprintf(stderr, "MISMATCH %s: problem lacks file/line/column/code/message/message_en: %s\n",
				what, d);
			free(d);
			bad++;
		}
	for (size_t k = 0; k < n; k++) {
		int found = 0;

		json_array_foreach(probs, i, p)
			if (file_ok(p, w[k].file) && json_is_integer(json_object_get(p, "line")) &&
			    json_integer_value(json_object_get(p, "line")) == w[k].line &&
			    column_ok(p, w[k].file, w[k].columns))
				found = 1;
		if (!found) {
			char *d = json_dumps(probs, JSON_COMPACT);

			fprintf(stderr, "MISMATCH %s: no problem for %s line %ld column %s; problems: %.1500s\n",
				what, w[k].file, w[k].line, w[k].columns ? w[k].columns : "(any)", d);
			free(d);
			bad++;
		}
	}
	return bad;
}

/* Index (file row) of code in t. */
size_t row_of(const struct table *t, const char *code)
{
	for (size_t r = 1; r < t->nrows; r++)
		if (strcmp(t->cell[r][0], code) == 0)
			return r;
	fail_at("%s not in the table", code);
}

/* The exported files with three problems on different lines, plus one valid change. */
void bad_files(const char *items0, const char *mats0, char **items, char **mats, long *mat_line,
	       char *changed_code)
{
	struct table t, m;

	parse_csv(items0, &t);
	parse_csv(mats0, &m);
	snprintf(changed_code, 12, "%s", t.cell[1][0]);
	table_set(&t, 1, "name", "应被拒绝的改名");	/* line 2: valid, must not be written */
	table_set(&t, 2, "domain", "火星事务");		/* line 3 */
	table_set(&t, 4, "promised_days", "99");	/* line 5: > statutory_days */
	{
		const char *row[] = { "99999999998", "居民身份证", "required", "", "original", "0",
				      "申请人自备", "" };

		table_add(&m, row);
		*mat_line = (long)m.nrows;
	}
	*items = table_dump(&t);
	*mats = table_dump(&m);
	table_free(&t);
	table_free(&m);
}

/* The exported files plus one new item (2 materials) and one changed item. */
void good_files(const char *items0, const char *mats0, char **items, char **mats)
{
	struct table t, m;
	const char *row[] = { NEWITEM, "导入新建的测试事项", "民政救助", "mz", "township", "individual",
			      "promised", "20", "10", "不收费", "document", "结果通知书", "yes",
			      "《社会救助暂行办法》第十一条", "本地户籍居民。", "申请 > 受理 > 办结", "" };
	const char *m1[] = { NEWITEM, "居民身份证", "required", "", "original", "0", "申请人自备", "" };
	const char *m2[] = { NEWITEM, "委托书", "conditional", "委托他人办理的", "copy", "1", "申请人自备",
			     "可在窗口领取" };

	parse_csv(items0, &t);
	parse_csv(mats0, &m);
	table_set(&t, row_of(&t, CHANGED), "name", CHANGED_NAME);
	table_add(&t, row);
	table_add(&m, m1);
	table_add(&m, m2);
	*items = table_dump(&t);
	*mats = table_dump(&m);
	table_free(&t);
	table_free(&m);
}
