/*
 * API tests: the public catalogue, without a session (docs/api.md "Service
 * catalogue", "Public"): a published item with its materials and where to go,
 * 404 for drafts and unknown codes, public search that never shows drafts, and
 * no internal data (draft content, staff) in public answers.
 * Usage: api_test_public <path to bangban> <data/catalog dir>
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

#define PUB "/api/v1/public/items"
#define DRAFT_ONLY "11009908000"
#define DRAFT_ONLY_NAME "仅草稿测试事项"
#define PUBLISHED "11009909000"
#define PUBLISHED_NAME "公开测试事项"
#define SECRET_NAME "内部草稿名称XYZ"
#define SECRET_NOTE "草稿备注秘密"

static struct client *admin, *anon;
static long long centre, township, village;

static int setup(void **state)
{
	struct resp r;

	if (srv_group_setup(state))
		return -1;
	admin = client_new(*state);
	anon = client_new(*state);
	login_ok(admin, "admin", PW);
	centre = site_id_of(admin, "152502000000");
	township = site_id_of(admin, "152502001000");
	village = site_id_of(admin, "152502001001");
	item_create(admin, DRAFT_ONLY, DRAFT_ONLY_NAME);
	item_create(admin, PUBLISHED, PUBLISHED_NAME);
	item_action(admin, PUBLISHED, "publish");
	req(admin, "PATCH", ITEMS "/" PUBLISHED, "{\"name\":\"" SECRET_NAME "\",\"materials\":["
	    "{\"name\":\"居民身份证\",\"required\":true,\"condition\":null,\"form\":\"original\","
	    "\"copies\":0,\"source\":\"申请人自备\",\"note\":\"" SECRET_NOTE "\"},"
	    "{\"name\":\"户口簿\",\"required\":true,\"condition\":null,\"form\":\"original\","
	    "\"copies\":0,\"source\":\"申请人自备\",\"note\":null}]}", NULL, &r);
	expect_status(&r, 200);
	resp_free(&r);
	return 0;
}

static int teardown(void **state)
{
	client_free(admin);
	client_free(anon);
	admin = anon = NULL;
	return srv_group_teardown(state);
}

/* Why site entry e breaks "sites":[{id, name, level, address, phone, hours, mode}], or NULL. */
static const char *bad_site_entry(const json_t *e)
{
	static const char *const keys[] = { "name", "level", "address", "phone", "hours", "mode" };

	if (!json_is_integer(json_object_get(e, "id")))
		return "id";
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!json_object_get(e, keys[i]))
			return keys[i];
	return NULL;
}

static void test_public_item(void **state)
{
	struct resp r;
	json_t *staff = get_json(admin, ITEMS "/11000101000"), *sites, *e, *m;
	size_t i;
	int bad = 0;
	static const char *const same[] = { "code", "name", "domain", "department", "level",
		"case_type", "statutory_days", "promised_days", "fee", "legal_basis", "conditions",
		"process", "online", "result_type", "result", "version" };

	(void)state;
	req(anon, "GET", PUB "/11000101000", NULL, NULL, &r);
	expect_status(&r, 200);
	for (size_t k = 0; k < sizeof(same) / sizeof(same[0]); k++)
		if (!json_equal(json_object_get(r.json, same[k]), json_object_get(staff, same[k]))) {
			fprintf(stderr, "MISMATCH GET " PUB "/11000101000: %s differs from the staff view\n",
				same[k]);
			bad++;
		}
	m = json_object_get(r.json, "materials");
	if (!json_is_array(m) || json_array_size(m) < 2 ||
	    json_array_size(m) != json_array_size(json_object_get(staff, "materials"))) {
		fprintf(stderr, "MISMATCH GET " PUB "/11000101000: materials missing or not the staff's\n");
		bad++;
	}
	json_array_foreach(m, i, e)
		if (!json_equal(json_object_get(e, "name"),
				json_object_get(json_array_get(json_object_get(staff, "materials"), i), "name"))) {
			fprintf(stderr, "MISMATCH GET " PUB "/11000101000: material %zu name\n", i);
			bad++;
		}
	sites = json_object_get(r.json, "sites");
	if (!json_is_array(sites)) {
		resp_dump(&r);
		fail_at("GET " PUB "/11000101000: no \"sites\" array");
	}
	json_array_foreach(sites, i, e) {
		const char *why = bad_site_entry(e);

		if (why) {
			char *d = json_dumps(e, JSON_COMPACT);

			fprintf(stderr, "MISMATCH GET " PUB "/11000101000: site entry lacks %s: %.300s\n",
				why, d);
			free(d);
			bad++;
		}
	}
	{
		const long long ids[] = { centre, township, village };
		const char *modes[] = { "accept", "accept", "collect" };	/* demo_offerings.csv */

		for (int k = 0; k < 3; k++) {
			e = jfind_id(sites, "id", ids[k]);
			if (!e || !jstr(e, "mode") || strcmp(jstr(e, "mode"), modes[k]) != 0) {
				fprintf(stderr, "MISMATCH GET " PUB "/11000101000: site %lld %s, want mode %s\n",
					ids[k], e ? "has another mode" : "missing", modes[k]);
				bad++;
			}
		}
		e = jfind_id(sites, "id", centre);
		if (e && (!jstr(e, "name") || strcmp(jstr(e, "name"), "锡林浩特市政务服务中心") != 0 ||
			  !has(jstr(e, "address"), "锡林大街"))) {
			fprintf(stderr, "MISMATCH GET " PUB "/11000101000: city centre name/address\n");
			bad++;
		}
	}
	if (json_array_size(sites) != 12) {
		fprintf(stderr, "MISMATCH GET " PUB "/11000101000: %zu sites, want all 12 (demo)\n",
			json_array_size(sites));
		bad++;
	}
	resp_free(&r);
	json_decref(staff);
	if (bad)
		fail_at("%d public item mismatches", bad);
}

static void test_not_found(void **state)
{
	const char *paths[] = { PUB "/" DRAFT_ONLY, PUB "/99999999999", PUB "/abc" };
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct resp r;

		req(anon, "GET", paths[i], NULL, NULL, &r);
		if (error_mismatch(&r, 404, "not_found", NULL)) {
			print_mismatch(&r, "want 404", 404, "not_found", NULL);
			bad++;
		}
		resp_free(&r);
	}
	if (bad)
		fail_at("%d public 404 mismatches", bad);
}

/* Fails when r shows draft content or staff data. */
static int leaks(const struct resp *r)
{
	static const char *const words[] = { SECRET_NAME, SECRET_NOTE, DRAFT_ONLY_NAME, DRAFT_ONLY,
		"\"draft_version\":1", "\"draft_version\":2", "created_by", "updated_by",
		"password", "赵志刚", "\"login\"" };
	int bad = 0;

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(r->body, words[i])) {
			fprintf(stderr, "MISMATCH %s: public answer shows \"%s\"\n", r->what, words[i]);
			bad++;
		}
	return bad;
}

static void test_no_internal_data(void **state)
{
	struct resp r;
	int bad = 0;
	const char *paths[] = { PUB "/" PUBLISHED, PUB "?limit=200", PUB "?q=%E6%B5%8B%E8%AF%95",
				PUB "/11000101000" };

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		req(anon, "GET", paths[i], NULL, NULL, &r);
		expect_status(&r, 200);
		bad += leaks(&r);
		if (i == 0) {
			const json_t *dv = json_object_get(r.json, "draft_version");

			if (!jstr(r.json, "name") || strcmp(jstr(r.json, "name"), PUBLISHED_NAME) != 0) {
				fprintf(stderr, "MISMATCH %s: want the published name %s\n", r.what,
					PUBLISHED_NAME);
				bad++;
			}
			if (dv && !json_is_null(dv)) {
				fprintf(stderr, "MISMATCH %s: shows draft_version (a draft exists)\n", r.what);
				bad++;
			}
		}
		resp_free(&r);
	}
	if (bad)
		fail_at("%d leaks of internal data", bad);
}

static void test_public_search(void **state)
{
	json_t *all = list_all(anon, PUB), *l, *e;
	const char *last = "";
	size_t i;
	int bad = 0;

	(void)state;
	if (json_array_size(all) != 52) {
		fprintf(stderr, "MISMATCH GET " PUB ": %zu items, want the 51 demo items + 1 published\n",
			json_array_size(all));
		bad++;
	}
	json_array_foreach(all, i, e) {
		const char *st = jstr(e, "status"), *code = jstr(e, "code");

		if (!code || strcmp(code, last) <= 0 || (st && strcmp(st, "published") != 0) ||
		    !jstr(e, "name")) {
			char *d = json_dumps(e, JSON_COMPACT);

			fprintf(stderr, "MISMATCH GET " PUB ": entry not published, not in code order "
				"or lacks code/name: %.300s\n", d);
			free(d);
			bad++;
		}
		last = code ? code : last;
	}
	if (jfind(all, "code", DRAFT_ONLY) || !jfind(all, "code", PUBLISHED)) {
		fprintf(stderr, "MISMATCH GET " PUB ": the draft is listed or the published item is not\n");
		bad++;
	}
	json_decref(all);

	l = list_all(anon, PUB "?q=%E4%BD%8E%E4%BF%9D");	/* 低保 */
	if (!jfind(l, "code", "05001201000")) {
		fprintf(stderr, "MISMATCH GET " PUB "?q=低保: 05001201000 最低生活保障申请 not found\n");
		bad++;
	}
	json_decref(l);
	l = list_all(anon, PUB "?q=%E6%9C%80%E4%BD%8E%E7%94%9F%E6%B4%BB");	/* 最低生活 */
	if (json_array_size(l) != 1 || !jfind(l, "code", "05001201000")) {
		fprintf(stderr, "MISMATCH GET " PUB "?q=最低生活: want exactly 05001201000\n");
		bad++;
	}
	json_decref(l);
	l = list_all(anon, PUB "?q=%E6%B5%8B%E8%AF%95%E4%BA%8B%E9%A1%B9");	/* 测试事项 */
	if (json_array_size(l) != 1 || !jfind(l, "code", PUBLISHED)) {
		fprintf(stderr, "MISMATCH GET " PUB "?q=测试事项: want exactly the published %s\n",
			PUBLISHED);
		bad++;
	}
	json_decref(l);
	const char *nothing[] = { PUB "?q=%E4%BB%85%E8%8D%89%E7%A8%BF",	/* 仅草稿 */
				  PUB "?q=" DRAFT_ONLY, PUB "?q=XYZ" };

	for (size_t k = 0; k < 3; k++) {
		l = list_all(anon, nothing[k]);
		if (json_array_size(l) != 0) {
			fprintf(stderr, "MISMATCH GET %s: want nothing (draft content), got %zu\n",
				nothing[k], json_array_size(l));
			bad++;
		}
		json_decref(l);
	}
	{	/* domain and site filters, as the staff list */
		char path[128];
		char *enc = urlenc("民政救助");

		snprintf(path, sizeof(path), PUB "?domain=%s", enc);
		free(enc);
		l = list_all(anon, path);
		json_array_foreach(l, i, e)
			if (!jstr(e, "domain") || strcmp(jstr(e, "domain"), "民政救助") != 0)
				bad++;
		if (json_array_size(l) != 5) {	/* 4 demo + the published test item */
			fprintf(stderr, "MISMATCH GET %s: %zu items, want 5\n", path, json_array_size(l));
			bad++;
		}
		json_decref(l);
		snprintf(path, sizeof(path), PUB "?site=%lld", village);
		l = list_all(anon, path);
		e = jfind(l, "code", "11000101000");
		if (json_array_size(l) != 51 || !e || !jstr(e, "mode") ||
		    strcmp(jstr(e, "mode"), "collect") != 0) {
			fprintf(stderr, "MISMATCH GET %s: want the village's 51 items with their mode\n", path);
			bad++;
		}
		json_decref(l);
	}
	if (bad)
		fail_at("%d public search mismatches", bad);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_public_item),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_no_internal_data),
		cmocka_unit_test(test_public_search),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("public", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
