/*
 * API tests: per-site item lists and the integrated list (docs/api.md "Service
 * catalogue", "Per-site lists"): who reads and replaces a site's list, bad lists
 * (422 with items[i].code / items[i].mode, nothing written), and that
 * GET /api/v1/site-items covers exactly the offerings in the caller's subtree.
 * Usage: api_test_site_items <path to bangban> <data/catalog dir>
 *
 * Template variables: $R city centre, $T township 152502001000, $V/$W its villages
 * 001/002, $S sibling township 152502002000, $X its village 152502002001.
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

#define RETIRED "11009907000"

static struct client *admin, *coord, *tadmin, *clerk, *agent, *agent2;
static struct table offers;
static json_t *sites;	/* every site, as admin lists them */

static struct client *signed_in(struct srv *s, const char *login)
{
	struct client *c = client_new(s);

	login_ok(c, login, PW);
	return c;
}

static int setup(void **state)
{
	if (srv_group_setup(state))
		return -1;
	admin = signed_in(*state, "admin");
	coord = signed_in(*state, "coord");
	tadmin = signed_in(*state, "tadmin");
	clerk = signed_in(*state, "clerk");
	agent = signed_in(*state, "agent");
	agent2 = signed_in(*state, "agent2");
	data_table("demo_offerings.csv", &offers);
	sites = list_all(admin, "/api/v1/sites");
	tvar_set('R', jint(jfind(sites, "code", "152502000000"), "id"));
	tvar_set('T', jint(jfind(sites, "code", "152502001000"), "id"));
	tvar_set('V', jint(jfind(sites, "code", "152502001001"), "id"));
	tvar_set('W', jint(jfind(sites, "code", "152502001002"), "id"));
	tvar_set('S', jint(jfind(sites, "code", "152502002000"), "id"));
	tvar_set('X', jint(jfind(sites, "code", "152502002001"), "id"));
	return 0;
}

static int teardown(void **state)
{
	struct client *cs[] = { admin, coord, tadmin, clerk, agent, agent2 };

	for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++)
		client_free(cs[i]);
	table_free(&offers);
	json_decref(sites);
	return srv_group_teardown(state);
}

static char *site_path(long long id)
{
	char *p = malloc(64);

	assert_non_null(p);
	snprintf(p, 64, "/api/v1/sites/%lld/items", id);
	return p;
}

/* GET /api/v1/sites/{id}/items as c, expecting 200 and the documented shape: the items array. */
static json_t *site_list(struct client *c, long long id)
{
	char *p = site_path(id);
	json_t *o = get_json(c, p), *items = json_object_get(o, "items"), *e;
	size_t i;

	if (!json_is_array(items) || jint(json_object_get(o, "site"), "id") != id)
		fail_at("GET %s: want {\"site\":{\"id\":%lld,...},\"items\":[...]}", p, id);
	json_array_foreach(items, i, e) {
		const char *mode = jstr(e, "mode");

		if (!jstr(e, "code") || !jstr(e, "name") || !jstr(e, "domain") || !jstr(e, "case_type") ||
		    !mode || (strcmp(mode, "accept") && strcmp(mode, "collect") && strcmp(mode, "consult")))
			fail_at("GET %s: entry %zu lacks code/name/domain/case_type/mode", p, i);
	}
	json_incref(items);
	json_decref(o);
	free(p);
	return items;
}

/* "code:mode code:mode ..." of a list, sorted by code (the order is not documented). */
static char *modes_of(const json_t *list)
{
	size_t n = json_array_size(list), i;
	char **v = calloc(n + 1, sizeof(char *));
	char *s = calloc(n * 24 + 1, 1);
	json_t *e;

	assert_true(v && s);
	json_array_foreach(list, i, e) {
		v[i] = malloc(24);
		assert_non_null(v[i]);
		snprintf(v[i], 24, "%s:%s", jstr(e, "code") ? jstr(e, "code") : "?",
			 jstr(e, "mode") ? jstr(e, "mode") : "?");
	}
	for (i = 1; i < n; i++)	/* insertion sort */
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (i = 0; i < n; i++) {
		strcat(s, v[i]);
		strcat(s, " ");
		free(v[i]);
	}
	free(v);
	return s;
}

static void expect_modes(const json_t *list, const char *want, const char *what)
{
	char *got = modes_of(list);

	if (strcmp(got, want) != 0)
		fail_at("%s:\n  got  %s\n  want %s", what, got, want);
	free(got);
}

/* The demo list of a site: column of demo_offerings.csv (NULL: accept everything). */
static char *demo_modes(const char *column)
{
	json_t *l = json_array();
	char *s;

	for (size_t r = 1; r < offers.nrows; r++)
		json_array_append_new(l, json_pack("{s:s,s:s}", "code", table_get(&offers, r, "code"),
						   "mode", column ? table_get(&offers, r, column) : "accept"));
	s = modes_of(l);
	json_decref(l);
	return s;
}

static void test_read(void **state)
{
	char *want;
	json_t *l;
	char *p;

	(void)state;
	want = demo_modes("village_mode");
	l = site_list(agent, tvar('V'));
	expect_modes(l, want, "agent GET own village list (demo_offerings.csv village_mode)");
	json_decref(l);
	l = site_list(clerk, tvar('V'));
	expect_modes(l, want, "clerk GET village list");
	json_decref(l);
	free(want);
	want = demo_modes("township_mode");
	l = site_list(clerk, tvar('T'));
	expect_modes(l, want, "clerk GET own township list (township_mode)");
	json_decref(l);
	free(want);
	want = demo_modes(NULL);
	l = site_list(admin, tvar('R'));
	expect_modes(l, want, "admin GET city centre list (accepts every item)");
	json_decref(l);
	free(want);
	/* out of scope and unknown */
	p = site_path(tvar('W'));
	assert_int_equal(get_status(agent, p), 403);
	free(p);
	p = site_path(tvar('T'));
	assert_int_equal(get_status(agent, p), 403);
	free(p);
	p = site_path(tvar('X'));
	assert_int_equal(get_status(clerk, p), 403);
	free(p);
	p = site_path(999999);
	assert_int_equal(get_status(admin, p), 404);
	free(p);
}

/* The integrated list as c: exactly the per-site lists of the sites c can read. */
static size_t check_integrated(struct client *c, const char *who, const char *subtree_prefix)
{
	json_t *all = list_all(c, "/api/v1/site-items"), *e;
	size_t i, want = 0;
	int bad = 0;

	json_array_foreach(all, i, e) {
		const json_t *site = jfind_id(sites, "id", jint(e, "site_id"));
		const char *mode = jstr(e, "mode");

		if (!json_is_integer(json_object_get(e, "id")) || !site || !jstr(e, "site_name") ||
		    strcmp(jstr(e, "site_name"), jstr(site, "name")) != 0 || !jstr(e, "site_level") ||
		    strcmp(jstr(e, "site_level"), jstr(site, "level")) != 0 || !jstr(e, "code") ||
		    !jstr(e, "name") || !mode) {
			char *d = json_dumps(e, JSON_COMPACT);

			fprintf(stderr, "MISMATCH %s GET /api/v1/site-items: entry lacks documented "
				"members or names the wrong site: %.300s\n", who, d);
			free(d);
			bad++;
		}
		if (i && jfind_id(all, "id", jint(e, "id")) != e) {
			fprintf(stderr, "MISMATCH %s GET /api/v1/site-items: id %lld listed twice\n", who,
				jint(e, "id"));
			bad++;
		}
	}
	json_array_foreach(sites, i, e) {
		long long id = jint(e, "id");
		int in = strncmp(jstr(e, "code"), subtree_prefix, strlen(subtree_prefix)) == 0;
		json_t *mine = json_array(), *x, *per;
		size_t k;

		json_array_foreach(all, k, x)
			if (jint(x, "site_id") == id)
				json_array_append(mine, x);
		if (in) {
			char *g, *w;

			per = site_list(admin, id);
			want += json_array_size(per);
			g = modes_of(mine);
			w = modes_of(per);
			if (strcmp(g, w) != 0) {
				fprintf(stderr, "MISMATCH %s GET /api/v1/site-items: site %s differs from "
					"its list\n  got  %s\n  want %s\n", who, jstr(e, "code"), g, w);
				bad++;
			}
			free(g);
			free(w);
			json_decref(per);
		} else if (json_array_size(mine)) {
			fprintf(stderr, "MISMATCH %s GET /api/v1/site-items: shows %zu offerings of "
				"site %s outside the caller's subtree\n", who, json_array_size(mine),
				jstr(e, "code"));
			bad++;
		}
		json_decref(mine);
	}
	if (json_array_size(all) != want) {
		fprintf(stderr, "MISMATCH %s GET /api/v1/site-items: %zu entries, the per-site lists "
			"sum to %zu\n", who, json_array_size(all), want);
		bad++;
	}
	json_decref(all);
	if (bad)
		fail_at("%d integrated list mismatches as %s", bad, who);
	return want;
}

static void test_integrated(void **state)
{
	json_t *l, *e;
	size_t i;
	char path[96];

	(void)state;
	assert_int_equal(check_integrated(admin, "admin", "152502"), 12 * (offers.nrows - 1));
	assert_int_equal(check_integrated(tadmin, "tadmin", "152502001"), 4 * (offers.nrows - 1));
	assert_int_equal(check_integrated(agent, "agent", "152502001001"), offers.nrows - 1);
	l = list_all(admin, "/api/v1/site-items?item=11000101000");
	assert_int_equal(json_array_size(l), 12);
	json_array_foreach(l, i, e)
		assert_string_equal(jstr(e, "code"), "11000101000");
	json_decref(l);
	l = list_all(tadmin, "/api/v1/site-items?item=11000101000");
	assert_int_equal(json_array_size(l), 4);
	json_decref(l);
	snprintf(path, sizeof(path), "/api/v1/site-items?site=%lld", tvar('V'));
	l = list_all(admin, path);
	assert_int_equal(json_array_size(l), offers.nrows - 1);
	json_array_foreach(l, i, e)
		assert_int_equal(jint(e, "site_id"), tvar('V'));
	json_decref(l);
}

static void put_ok(struct client *c, const char *path, const char *body)
{
	struct resp r;

	reqt(c, "PUT", path, body, &r);
	expect_status(&r, 200);
	resp_free(&r);
}

static void test_put(void **state)
{
	json_t *l;
	char path[96];

	(void)state;
	put_ok(tadmin, "/api/v1/sites/$V/items", "{'items':[{'code':'11000101000','mode':'accept'},"
	       "{'code':'11000201000','mode':'collect'},{'code':'05001201000','mode':'consult'}]}");
	l = site_list(agent, tvar('V'));
	expect_modes(l, "05001201000:consult 11000101000:accept 11000201000:collect ",
		     "after tadmin's PUT, agent GET village list");
	json_decref(l);
	snprintf(path, sizeof(path), ITEMS "?site=%lld", tvar('V'));	/* ?site= follows the list */
	l = list_all(agent, path);
	expect_modes(l, "05001201000:consult 11000101000:accept 11000201000:collect ",
		     "GET /api/v1/items?site=V after the PUT");
	json_decref(l);
	put_ok(coord, "/api/v1/sites/$W/items", "{'items':[{'code':'07001103000','mode':'collect'}]}");
	l = site_list(agent2, tvar('W'));
	expect_modes(l, "07001103000:collect ", "after coord's PUT, agent2 GET");
	json_decref(l);
	put_ok(tadmin, "/api/v1/sites/$W/items", "{'items':[]}");
	l = site_list(agent2, tvar('W'));
	assert_int_equal(json_array_size(l), 0);
	json_decref(l);
	put_ok(tadmin, "/api/v1/sites/$T/items", "{'items':[{'code':'11000101000','mode':'accept'}]}");
	l = site_list(clerk, tvar('T'));
	expect_modes(l, "11000101000:accept ", "after tadmin's PUT of his own township");
	json_decref(l);
}

struct bad {
	struct client **who;
	const char *path, *body;
	long status;
	const char *code, *field;
};

#define ONE "{'code':'11000101000','mode':'accept'}"

static const struct bad bad_puts[] = {
	{ &tadmin, "/api/v1/sites/$X/items", "{'items':[" ONE "]}", 403, "forbidden", NULL },
	{ &tadmin, "/api/v1/sites/$S/items", "{'items':[" ONE "]}", 403, "forbidden", NULL },
	{ &tadmin, "/api/v1/sites/$R/items", "{'items':[" ONE "]}", 403, "forbidden", NULL },
	{ &agent, "/api/v1/sites/$V/items", "{'items':[" ONE "]}", 403, "forbidden", NULL },
	{ &agent2, "/api/v1/sites/$W/items", "{'items':[" ONE "]}", 403, "forbidden", NULL },
	{ &clerk, "/api/v1/sites/$V/items", "{'items':[" ONE "]}", 403, "forbidden", NULL },
	{ &clerk, "/api/v1/sites/$T/items", "{'items':[" ONE "]}", 403, "forbidden", NULL },
	{ &tadmin, "/api/v1/sites/$V/items", "{'items':[" ONE ",{'code':'99999999999','mode':'accept'}]}", 422, "invalid", "items[1].code" },
	{ &tadmin, "/api/v1/sites/$V/items", "{'items':[{'code':'" RETIRED "','mode':'accept'}," ONE "]}", 422, "invalid", "items[0].code" },
	{ &tadmin, "/api/v1/sites/$V/items", "{'items':[{'code':'11000101000','mode':'deliver'}]}", 422, "invalid", "items[0].mode" },
	{ &tadmin, "/api/v1/sites/$V/items", "{'items':[" ONE "," ONE "]}", 422, NULL, "items[1].code" },
	{ &tadmin, "/api/v1/sites/$V/items", "{'items':[" ONE ",{'code':'11000101000','mode':'collect'}]}", 422, NULL, "items[1].code" },
	{ &tadmin, "/api/v1/sites/$V/items", "{'items':[{'code':'abc','mode':'accept'}]}", 422, NULL, "items[0].code" },
	{ &tadmin, "/api/v1/sites/$V/items", "{'items':[{'code':'11000101000'}]}", 422, "missing_field", "items[0].mode" },
	{ &tadmin, "/api/v1/sites/$V/items", "{'items':[" ONE ",{'mode':'accept'}]}", 422, "missing_field", "items[1].code" },
	{ &tadmin, "/api/v1/sites/$V/items", "{'items':[{'code':11000101000,'mode':'accept'}]}", 422, "wrong_type", "items[0].code" },
	{ &tadmin, "/api/v1/sites/$V/items", "{'items':[{'code':'11000101000','mode':'accept','colour':1}]}", 422, "unknown_field", "items[0].colour" },
	{ &tadmin, "/api/v1/sites/$V/items", "{'items':'11000101000'}", 422, "wrong_type", "items" },
	{ &tadmin, "/api/v1/sites/$V/items", "{}", 422, "missing_field", "items" },
	{ &tadmin, "/api/v1/sites/$V/items", "{'items':[],'colour':1}", 422, "unknown_field", "colour" },
	{ &tadmin, "/api/v1/sites/$V/items", "[]", 422, "wrong_type", NULL },
	{ &admin, "/api/v1/sites/999999/items", "{'items':[" ONE "]}", 404, "not_found", NULL },
};

/* Per-site lists of every site plus the integrated list, as admin. */
static json_t *snap(void)
{
	json_t *s = json_pack("{s:o}", "all", list_all(admin, "/api/v1/site-items")), *e;
	size_t i;

	json_array_foreach(sites, i, e)
		json_object_set_new(s, jstr(e, "code"), site_list(admin, jint(e, "id")));
	return s;
}

static void test_put_refused(void **state)
{
	int bad = 0;

	(void)state;
	item_create(admin, RETIRED, "已停用的事项");
	item_action(admin, RETIRED, "publish");
	item_action(admin, RETIRED, "retire");
	for (size_t i = 0; i < sizeof(bad_puts) / sizeof(bad_puts[0]); i++) {
		const struct bad *b = &bad_puts[i];
		json_t *before = snap(), *after;
		struct resp r;
		const char *why;

		reqt(*b->who, "PUT", b->path, b->body, &r);
		why = error_mismatch(&r, b->status, b->code, b->field);
		if (why) {
			print_mismatch(&r, why, b->status, b->code, b->field);
			bad++;
		}
		after = snap();
		if (!json_equal(before, after)) {
			fprintf(stderr, "MISMATCH %s: refused, yet lists changed\n", r.what);
			bad++;
		}
		resp_free(&r);
		json_decref(before);
		json_decref(after);
	}
	{	/* CSRF */
		json_t *before = snap(), *after;
		struct resp r;

		client_auto_csrf(tadmin, 0);
		reqt(tadmin, "PUT", "/api/v1/sites/$V/items", "{'items':[" ONE "]}", &r);
		client_auto_csrf(tadmin, 1);
		if (error_mismatch(&r, 403, "csrf", NULL)) {
			print_mismatch(&r, "no X-CSRF-Token", 403, "csrf", NULL);
			bad++;
		}
		resp_free(&r);
		after = snap();
		if (!json_equal(before, after)) {
			fprintf(stderr, "MISMATCH PUT without CSRF token changed lists\n");
			bad++;
		}
		json_decref(before);
		json_decref(after);
	}
	if (bad)
		fail_at("%d refused PUTs not answered as docs/api.md says", bad);
}

/* After the changes the integrated list still equals the per-site lists. */
static void test_integrated_after(void **state)
{
	(void)state;
	check_integrated(admin, "admin", "152502");
	check_integrated(tadmin, "tadmin", "152502001");
	check_integrated(coord, "coord", "152502");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_integrated),
		cmocka_unit_test(test_put),
		cmocka_unit_test(test_put_refused),
		cmocka_unit_test(test_integrated_after),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("site_items", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
