/*
 * API tests: the service catalogue items as read (docs/api.md "Service catalogue",
 * "Items"): the 51 demo items equal to data/catalog, search (q, domain, level,
 * status, site) and cursor paging. Changes and who may make them: test_items_life.c.
 * Usage: api_test_items <path to bangban> <data/catalog dir>
 */
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

#include "cat_util.h"

static struct client *admin;
static struct table items_csv, mats_csv, offers_csv;

static int setup(void **state)
{
	if (srv_group_setup(state))
		return -1;
	admin = client_new(*state);
	login_ok(admin, "admin", PW);
	data_table("items.csv", &items_csv);
	data_table("materials.csv", &mats_csv);
	data_table("demo_offerings.csv", &offers_csv);
	return 0;
}

static int teardown(void **state)
{
	client_free(admin);
	admin = NULL;
	table_free(&items_csv);
	table_free(&mats_csv);
	table_free(&offers_csv);
	return srv_group_teardown(state);
}

static json_t *get_item(const char *code, const char *query)
{
	char path[160];

	snprintf(path, sizeof(path), ITEMS "/%s%s", code, query ? query : "");
	return get_json(admin, path);
}

/* Empty CSV text stands for JSON null or "". */
static int same_text(const json_t *v, const char *csv)
{
	if (!csv[0])
		return json_is_null(v) || (json_is_string(v) && !json_string_value(v)[0]);
	return json_is_string(v) && strcmp(json_string_value(v), csv) == 0;
}

static int same_int(const json_t *v, const char *csv)
{
	return json_is_integer(v) && json_integer_value(v) == strtoll(csv, NULL, 10);
}

/* Why material m differs from materials.csv row r, or NULL. */
static const char *bad_material(const json_t *m, size_t r)
{
	int req = strcmp(table_get(&mats_csv, r, "required"), "required") == 0;

	if (!json_is_integer(json_object_get(m, "id")))
		return "material id";
	if (!same_text(json_object_get(m, "name"), table_get(&mats_csv, r, "name")))
		return "material name";
	if (!json_is_boolean(json_object_get(m, "required")) ||
	    json_is_true(json_object_get(m, "required")) != req)
		return "material required";
	if (!same_text(json_object_get(m, "condition"), table_get(&mats_csv, r, "condition")))
		return "material condition";
	if (!same_text(json_object_get(m, "form"), table_get(&mats_csv, r, "form")))
		return "material form";
	if (!same_int(json_object_get(m, "copies"), table_get(&mats_csv, r, "copies")))
		return "material copies";
	if (!same_text(json_object_get(m, "source"), table_get(&mats_csv, r, "source")))
		return "material source";
	if (!same_text(json_object_get(m, "note"), table_get(&mats_csv, r, "note")))
		return "material note";
	return NULL;
}

/* Why item o differs from items.csv row r (and its materials), or NULL. */
static const char *bad_item(const json_t *o, size_t r)
{
	static const char *const text[] = { "code", "name", "domain", "department", "level",
		"object", "case_type", "fee", "result_type", "result", "legal_basis",
		"conditions", "process" };
	const char *code = table_get(&items_csv, r, "code");
	const char *jd = table_get(&items_csv, r, "joint_departments");
	const json_t *mats = json_object_get(o, "materials"), *jarr;
	long long sd, pd;
	size_t nm = 0, k;
	char buf[256];

	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		if (!same_text(json_object_get(o, text[i]), table_get(&items_csv, r, text[i])))
			return text[i];
	if (!same_int(json_object_get(o, "statutory_days"), table_get(&items_csv, r, "statutory_days")) ||
	    !same_int(json_object_get(o, "promised_days"), table_get(&items_csv, r, "promised_days")))
		return "statutory_days/promised_days";
	if (!json_is_boolean(json_object_get(o, "online")) ||
	    json_is_true(json_object_get(o, "online")) !=
	    (strcmp(table_get(&items_csv, r, "online"), "yes") == 0))
		return "online";
	if (!jstr(o, "status") || strcmp(jstr(o, "status"), "published") != 0)
		return "status (want published)";
	if (!json_is_integer(json_object_get(o, "version")) || jint(o, "version") < 1)
		return "version (want >= 1)";
	if (!json_is_null(json_object_get(o, "draft_version")))
		return "draft_version (want null)";
	jarr = json_object_get(o, "joint_departments");
	if (!json_is_array(jarr))
		return "joint_departments (want an array)";
	buf[0] = '\0';
	json_array_foreach(jarr, k, mats) {
		if (!json_is_string(mats))
			return "joint_departments element";
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", k ? ";" : "",
			 json_string_value(mats));
	}
	if (strcmp(buf, jd) != 0)
		return "joint_departments";
	/* the brief's sanity rules for every demo item */
	sd = jint(o, "statutory_days");
	pd = jint(o, "promised_days");
	if (sd < 1 || pd > sd)
		return "statutory_days >= 1 and promised_days <= statutory_days";
	if (!has(jstr(o, "legal_basis"), "第") || !has(jstr(o, "legal_basis"), "条"))
		return "legal_basis lacks 第...条";
	mats = json_object_get(o, "materials");
	if (!json_is_array(mats) || json_array_size(mats) < 2)
		return "materials (want an array of >= 2)";
	for (size_t mr = 1; mr < mats_csv.nrows; mr++) {
		const char *why;

		if (strcmp(table_get(&mats_csv, mr, "item_code"), code) != 0)
			continue;
		if (nm >= json_array_size(mats))
			return "fewer materials than materials.csv";
		why = bad_material(json_array_get(mats, nm++), mr);
		if (why)
			return why;
	}
	return nm == json_array_size(mats) ? NULL : "more materials than materials.csv";
}

static const char *const list_keys[] = { "code", "name", "domain", "department", "level",
	"case_type", "statutory_days", "promised_days", "status", "version", NULL };

static int list_shape_ok(const json_t *e)
{
	for (const char *const *k = list_keys; *k; k++)
		if (!json_object_get(e, *k))
			return 0;
	return json_is_integer(json_object_get(e, "statutory_days")) &&
	       json_is_integer(json_object_get(e, "promised_days")) &&
	       (json_is_integer(json_object_get(e, "version")) ||
		json_is_null(json_object_get(e, "version")));
}

/* All 51 items through the API, equal to data/catalog (runs first: nothing created yet). */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The item's material names, sorted, as a JSON array (a list's identity). */
static json_t *material_names(const json_t *o)
{
	json_t *mats = json_object_get(o, "materials"), *m, *names = json_array();
	size_t i, n = json_array_size(mats);
	const char **v = calloc(n + 1, sizeof *v);

	assert_non_null(v);
	json_array_foreach(mats, i, m)
		v[i] = jstr(m, "name") ? jstr(m, "name") : "";
	qsort(v, n, sizeof *v, cmp_str);
	for (i = 0; i < n; i++)
		json_array_append_new(names, json_string(v[i]));
	free(v);
	return names;
}

static void test_demo_items(void **state)
{
	json_t *all = list_all(admin, ITEMS), *e, *lists = json_array();
	size_t i;
	int bad = 0;

	(void)state;
	if (json_array_size(all) != items_csv.nrows - 1)
		fail_at("GET " ITEMS ": %zu items, want the %zu of items.csv", json_array_size(all),
			items_csv.nrows - 1);
	json_array_foreach(all, i, e) {
		if (!list_shape_ok(e)) {
			char *d = json_dumps(e, JSON_COMPACT);

			fprintf(stderr, "MISMATCH GET " ITEMS ": list entry lacks documented members: %.400s\n", d);
			free(d);
			bad++;
		}
	}
	for (size_t r = 1; r < items_csv.nrows; r++) {
		const char *code = table_get(&items_csv, r, "code");
		json_t *o, *le = jfind(all, "code", code);
		const char *why;

		if (!le) {
			fprintf(stderr, "MISMATCH GET " ITEMS ": %s not listed\n", code);
			bad++;
			continue;
		}
		o = get_item(code, NULL);
		why = bad_item(o, r);
		json_array_append_new(lists, material_names(o));
		if (why) {
			char *d = json_dumps(o, JSON_COMPACT);

			fprintf(stderr, "MISMATCH GET " ITEMS "/%s: %s differs from data/catalog: %.600s\n",
				code, why, d);
			free(d);
			bad++;
		}
		if (!json_equal(json_object_get(le, "name"), json_object_get(o, "name")) ||
		    !json_equal(json_object_get(le, "version"), json_object_get(o, "version"))) {
			fprintf(stderr, "MISMATCH %s: list entry and item disagree on name/version\n", code);
			bad++;
		}
		json_decref(o);
	}
	json_decref(all);
	/* No two demo items ask for the same list of materials. */
	for (size_t a = 0; a < json_array_size(lists); a++)
		for (size_t b = a + 1; b < json_array_size(lists); b++)
			if (json_equal(json_array_get(lists, a), json_array_get(lists, b))) {
				fprintf(stderr, "MISMATCH demo items %zu and %zu share a materials list\n",
					a, b);
				bad++;
			}
	json_decref(lists);
	if (bad)
		fail_at("%d demo item mismatches", bad);
}

/* Codes listed by GET path (all pages), as one space-separated string "c1 c2 ". */
static char *codes_of(json_t *list)
{
	size_t i, n = json_array_size(list);
	char *s = calloc(n * 12 + 1, 1);
	json_t *e;

	assert_non_null(s);
	json_array_foreach(list, i, e)
		snprintf(s + strlen(s), 13, "%s ", jstr(e, "code") ? jstr(e, "code") : "?");
	return s;
}

/* GET ITEMS?<query> equals, in code order, the items of all for which keep() holds. */
static int check_filter(const char *query, json_t *all,
			int (*keep)(const json_t *e, const char *arg), const char *arg, size_t min)
{
	char path[512];
	json_t *got, *want = json_array(), *e;
	char *g, *w;
	size_t i;
	int bad = 0;

	snprintf(path, sizeof(path), ITEMS "?%s", query);
	got = list_all(admin, path);
	json_array_foreach(all, i, e)
		if (keep(e, arg))
			json_array_append(want, e);
	g = codes_of(got);
	w = codes_of(want);
	if (strcmp(g, w) != 0 || json_array_size(want) < min) {
		fprintf(stderr, "MISMATCH GET %s:\n  got  %s\n  want %s(at least %zu)\n", path, g, w, min);
		bad = 1;
	}
	free(g);
	free(w);
	json_decref(got);
	json_decref(want);
	return bad;
}

/* Whether the UTF-8 characters of q occur in s in order (低保 in 最低生活保障申请). */
static int in_order(const char *s, const char *q)
{
	while (s && *q) {
		size_t n = 1;

		while ((q[n] & 0xC0) == 0x80)
			n++;
		for (; *s && strncmp(s, q, n) != 0; s++)
			;
		if (!*s)
			return 0;
		s += n;
		q += n;
	}
	return s != NULL;
}

/* docs: q matches a code prefix, or a name holding its characters in order. */
static int q_matches(const json_t *e, const char *q)
{
	const char *code = jstr(e, "code");

	return in_order(jstr(e, "name"), q) || (code && strncmp(code, q, strlen(q)) == 0);
}

static int member_is(const json_t *e, const char *kv)	/* kv "key=value" */
{
	const char *eq = strchr(kv, '=');
	char key[32];

	snprintf(key, sizeof(key), "%.*s", (int)(eq - kv), kv);
	return jstr(e, key) && strcmp(jstr(e, key), eq + 1) == 0;
}

static int all_of(const json_t *e, const char *arg)
{
	(void)e;
	(void)arg;
	return 1;
}

static int none(const json_t *e, const char *arg)
{
	(void)e;
	(void)arg;
	return 0;
}

static int minzheng_apply(const json_t *e, const char *arg)
{
	(void)arg;
	return q_matches(e, "申请") && member_is(e, "domain=民政救助");
}

static void test_search(void **state)
{
	json_t *all = list_all(admin, ITEMS), *e;
	char q[256];
	char *enc;
	int bad = 0;
	size_t i;
	const char *last = "";

	(void)state;
	json_array_foreach(all, i, e) {	/* ordered by code */
		if (strcmp(jstr(e, "code"), last) <= 0) {
			fprintf(stderr, "MISMATCH GET " ITEMS ": %s after %s, want code order\n",
				jstr(e, "code"), last);
			bad++;
		}
		last = jstr(e, "code");
	}
	const char *words[] = { "养老", "社会保障卡", "残疾人证", "110001", "0500", "05001201000",
				"低保", "养险", "0705", "不存在的事项名称" };
	const size_t mins[] = { 3, 2, 2, 6, 10, 1, 1, 2, 0, 0 };

	for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
		enc = urlenc(words[w]);
		snprintf(q, sizeof(q), "q=%s", enc);
		bad += check_filter(q, all, q_matches, words[w], mins[w]);
		free(enc);
	}
	const char *kv[] = { "domain=社会保险", "domain=民政救助", "level=township",
			     "level=district", "status=published" };
	const size_t kmin[] = { 6, 4, 11, 40, 51 };

	for (size_t k = 0; k < sizeof(kv) / sizeof(kv[0]); k++) {
		const char *eq = strchr(kv[k], '=');

		enc = urlenc(eq + 1);
		snprintf(q, sizeof(q), "%.*s=%s", (int)(eq - kv[k]), kv[k], enc);
		bad += check_filter(q, all, member_is, kv[k], kmin[k]);
		free(enc);
	}
	bad += check_filter("level=village", all, none, NULL, 0);
	bad += check_filter("status=draft", all, none, NULL, 0);
	bad += check_filter("status=retired", all, none, NULL, 0);
	enc = urlenc("民政救助");
	snprintf(q, sizeof(q), "q=%%E7%%94%%B3%%E8%%AF%%B7&domain=%s", enc);	/* q=申请 */
	free(enc);
	bad += check_filter(q, all, minzheng_apply, NULL, 3);
	bad += check_filter("q=", all, all_of, NULL, 51);
	{	/* docs: 低保 finds 最低生活保障申请 */
		json_t *got = list_all(admin, ITEMS "?q=%E4%BD%8E%E4%BF%9D");

		if (!jfind(got, "code", "05001201000")) {
			fprintf(stderr, "MISMATCH GET " ITEMS "?q=低保: 05001201000 最低生活保障申请 not found\n");
			bad++;
		}
		json_decref(got);
	}
	json_decref(all);
	if (bad)
		fail_at("%d search mismatches", bad);
}

/* limit=7 pages visit every item once, in code order; next is the page's last code. */
static void test_paging(void **state)
{
	json_t *all = list_all(admin, ITEMS);
	char path[256], last[32] = "";
	char *cursor = NULL;
	size_t seen = 0;

	(void)state;
	for (int pages = 0; pages < 100; pages++) {
		char *esc = cursor ? urlenc(cursor) : NULL;
		struct resp r;
		json_t *items, *next, *it;
		size_t i;

		snprintf(path, sizeof(path), ITEMS "?limit=7%s%s", esc ? "&cursor=" : "", esc ? esc : "");
		free(esc);
		free(cursor);
		cursor = NULL;
		req(admin, "GET", path, NULL, NULL, &r);
		expect_status(&r, 200);
		items = json_object_get(r.json, "items");
		next = json_object_get(r.json, "next");
		if (!json_is_array(items) || json_array_size(items) > 7 ||
		    !(json_is_null(next) || json_is_string(next)))
			fail_at("%s: want {\"items\":[at most 7],\"next\":...}: %.300s", path, r.body);
		json_array_foreach(items, i, it) {
			const char *code = jstr(it, "code");

			if (!code || strcmp(code, last) <= 0)
				fail_at("%s: %s after %s: not in code order or seen twice", path,
					code ? code : "(no code)", last);
			snprintf(last, sizeof(last), "%s", code);
			seen++;
		}
		if (json_is_string(next)) {
			if (strcmp(json_string_value(next), last) != 0)
				fprintf(stderr, "NOTE %s: next is \"%s\", docs: the last code %s\n", path,
					json_string_value(next), last);
			cursor = strdup(json_string_value(next));
		}
		resp_free(&r);
		if (!cursor)
			break;
	}
	if (seen != json_array_size(all) || seen != 51)
		fail_at("paging by 7 saw %zu items, the full listing has %zu (want 51)", seen,
			json_array_size(all));
	json_decref(all);
}

/* ?site= keeps the site's offerings and adds their mode (demo: every item, demo_offerings.csv). */
static void test_site_filter(void **state)
{
	static const char *const sites[][2] = { { "152502000000", NULL },
		{ "152502001000", "township_mode" }, { "152502001001", "village_mode" } };
	int bad = 0;

	(void)state;
	for (size_t s = 0; s < 3; s++) {
		char path[128];
		json_t *got;

		snprintf(path, sizeof(path), ITEMS "?site=%lld", site_id_of(admin, sites[s][0]));
		got = list_all(admin, path);
		if (json_array_size(got) != offers_csv.nrows - 1) {
			fprintf(stderr, "MISMATCH GET %s: %zu items, want %zu\n", path,
				json_array_size(got), offers_csv.nrows - 1);
			bad++;
		}
		for (size_t r = 1; r < offers_csv.nrows; r++) {
			const char *code = table_get(&offers_csv, r, "code");
			const char *want = sites[s][1] ? table_get(&offers_csv, r, sites[s][1]) : "accept";
			json_t *e = jfind(got, "code", code);

			if (!e || !jstr(e, "mode") || strcmp(jstr(e, "mode"), want) != 0) {
				fprintf(stderr, "MISMATCH GET %s: %s mode %s, want %s\n", path, code,
					e ? (jstr(e, "mode") ? jstr(e, "mode") : "(none)") : "(not listed)", want);
				bad++;
			}
		}
		json_decref(got);
	}
	if (bad)
		fail_at("%d site filter mismatches", bad);
}

/* Latin letters in a name match in any case, on SQLite and on PostgreSQL alike (last: it adds an
 * item the other tests do not expect). */
static void test_search_latin_case(void **state)
{
	const char *const qs[] = { "ct", "CT", "Ct", "ct%E6%A3%80" /* ct检 */ };

	(void)state;
	item_create(admin, "11009907000", "CT检查结果查询");
	for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
		char path[96];
		json_t *got;

		snprintf(path, sizeof path, ITEMS "?q=%s", qs[i]);
		got = list_all(admin, path);
		if (!jfind(got, "code", "11009907000"))
			fail_at("GET %s: CT检查结果查询 not found", path);
		json_decref(got);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_items),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_paging),
		cmocka_unit_test(test_site_filter),
		cmocka_unit_test(test_search_latin_case),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("items", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
