/*
 * API tests: changing service catalogue items (docs/api.md "Service catalogue",
 * "Items"): the draft / publish / version / retire lifecycle, and that only an
 * admin of a district-level site changes items (with a CSRF token) while every
 * signed-in role reads them.
 * Usage: api_test_items_life <path to bangban> <data/catalog dir>
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

#define NEW "11009901000"	/* the lifecycle item */
#define NEW_NAME "测试事项甲"
#define NEW_NAME2 "测试事项甲（修订）"

static struct client *admin;

static int setup(void **state)
{
	if (srv_group_setup(state))
		return -1;
	admin = client_new(*state);
	login_ok(admin, "admin", PW);
	return 0;
}

static int teardown(void **state)
{
	client_free(admin);
	admin = NULL;
	return srv_group_teardown(state);
}

static json_t *get_item(const char *code, const char *query)
{
	char path[160];

	snprintf(path, sizeof(path), ITEMS "/%s%s", code, query ? query : "");
	return get_json(admin, path);
}

/* Expects error (status, code) from METHOD path with body. */
static void expect_call(const char *method, const char *path, const char *body, long status,
			const char *code)
{
	struct resp r;

	req(admin, method, path, body, NULL, &r);
	if (status < 300)
		expect_status(&r, status);
	else
		expect_error(&r, status, code, NULL);
	resp_free(&r);
}

static void expect_item(const json_t *o, const char *status, long long version, long long draft)
{
	const json_t *v = json_object_get(o, "version"), *d = json_object_get(o, "draft_version");
	char *dump = json_dumps(o, JSON_COMPACT);

	if (!jstr(o, "status") || strcmp(jstr(o, "status"), status) != 0 ||
	    !(version ? json_is_integer(v) && json_integer_value(v) == version : json_is_null(v)) ||
	    !(draft ? json_is_integer(d) && json_integer_value(d) == draft : json_is_null(d)))
		fail_at("item: want status %s, version %lld, draft_version %lld (0 = null): %.600s",
			status, version, draft, dump);
	free(dump);
}

static void expect_named(const json_t *o, const char *name, long long sd, size_t nmat)
{
	if (!jstr(o, "name") || strcmp(jstr(o, "name"), name) != 0 || jint(o, "statutory_days") != sd ||
	    json_array_size(json_object_get(o, "materials")) != nmat) {
		char *d = json_dumps(o, JSON_COMPACT);

		fail_at("item: want name %s, statutory_days %lld, %zu materials: %.600s", name, sd,
			nmat, d);
	}
}

static void test_lifecycle(void **state)
{
	json_t *b = item_body(NEW, NEW_NAME), *o, *l;
	struct resp r;

	(void)state;
	req_json(admin, "POST", ITEMS, b, &r);
	json_decref(b);
	expect_status(&r, 201);
	expect_item(r.json, "draft", 0, 1);
	expect_named(r.json, NEW_NAME, 20, 2);
	assert_true(json_is_integer(json_object_get(json_array_get(json_object_get(r.json, "materials"), 0), "id")));
	resp_free(&r);
	o = get_item(NEW, NULL);
	expect_item(o, "draft", 0, 1);
	expect_named(o, NEW_NAME, 20, 2);
	json_decref(o);
	o = get_item(NEW, "?draft=true");
	expect_named(o, NEW_NAME, 20, 2);
	json_decref(o);
	l = list_all(admin, ITEMS "?status=draft");
	assert_non_null(jfind(l, "code", NEW));
	assert_int_equal(json_array_size(l), 1);
	json_decref(l);

	item_action(admin, NEW, "publish");
	o = get_item(NEW, NULL);
	expect_item(o, "published", 1, 0);
	json_decref(o);
	expect_call("POST", ITEMS "/" NEW "/publish", NULL, 409, "no_draft");

	/* edit: a draft v2 appears, the published v1 is unchanged */
	req(admin, "PATCH", ITEMS "/" NEW, "{\"name\":\"" NEW_NAME2 "\",\"statutory_days\":25,"
	    "\"promised_days\":12,\"materials\":[{\"name\":\"居民身份证\",\"required\":true,"
	    "\"condition\":null,\"form\":\"original\",\"copies\":0,\"source\":\"申请人自备\",\"note\":null},"
	    "{\"name\":\"户口簿\",\"required\":true,\"condition\":null,\"form\":\"original_and_copy\","
	    "\"copies\":1,\"source\":\"申请人自备\",\"note\":null},{\"name\":\"收入证明\",\"required\":false,"
	    "\"condition\":\"有工作收入的\",\"form\":\"electronic\",\"copies\":0,\"source\":\"工作单位\","
	    "\"note\":null}]}", NULL, &r);
	expect_status(&r, 200);
	resp_free(&r);
	o = get_item(NEW, NULL);
	expect_item(o, "published", 1, 2);
	expect_named(o, NEW_NAME, 20, 2);
	json_decref(o);
	o = get_item(NEW, "?draft=true");
	expect_named(o, NEW_NAME2, 25, 3);
	json_decref(o);
	o = get_item(NEW, "?version=1");
	expect_named(o, NEW_NAME, 20, 2);
	json_decref(o);
	/* a second edit changes the same draft; so does PATCH /versions/2 */
	expect_call("PATCH", ITEMS "/" NEW, "{\"fee\":\"工本费5元\"}", 200, NULL);
	expect_call("PATCH", ITEMS "/" NEW "/versions/2", "{\"result\":\"修订后的结果\"}", 200, NULL);
	o = get_item(NEW, "?draft=true");
	expect_named(o, NEW_NAME2, 25, 3);
	assert_string_equal(jstr(o, "fee"), "工本费5元");
	assert_string_equal(jstr(o, "result"), "修订后的结果");
	json_decref(o);
	o = get_item(NEW, NULL);
	expect_item(o, "published", 1, 2);
	assert_string_equal(jstr(o, "fee"), "不收费");
	json_decref(o);

	item_action(admin, NEW, "publish");
	o = get_item(NEW, NULL);
	expect_item(o, "published", 2, 0);
	expect_named(o, NEW_NAME2, 25, 3);
	assert_string_equal(jstr(o, "fee"), "工本费5元");
	json_decref(o);
	o = get_item(NEW, "?version=2");
	expect_named(o, NEW_NAME2, 25, 3);
	json_decref(o);
	o = get_item(NEW, "?version=1");
	expect_named(o, NEW_NAME, 20, 2);
	assert_string_equal(jstr(o, "fee"), "不收费");
	json_decref(o);
	expect_call("PATCH", ITEMS "/" NEW "/versions/1", "{\"name\":\"改旧版本\"}", 409, "version_frozen");
	expect_call("PATCH", ITEMS "/" NEW "/versions/2", "{\"name\":\"改已发布版本\"}", 409, "version_frozen");
	expect_call("PATCH", ITEMS "/" NEW "/versions/9", "{\"name\":\"x\"}", 404, "not_found");
	expect_call("GET", ITEMS "/" NEW "?version=9", NULL, 404, "not_found");
	o = get_item(NEW, "?version=1");
	expect_named(o, NEW_NAME, 20, 2);
	json_decref(o);

	item_action(admin, NEW, "retire");
	o = get_item(NEW, NULL);
	expect_item(o, "retired", 2, 0);
	expect_named(o, NEW_NAME2, 25, 3);
	json_decref(o);
	expect_call("POST", ITEMS "/" NEW "/retire", NULL, 409, "item_retired");
	expect_call("PATCH", ITEMS "/" NEW, "{\"name\":\"停用后修改\"}", 409, "item_retired");
	expect_call("POST", ITEMS "/" NEW "/publish", NULL, 409, NULL);
	o = get_item(NEW, NULL);
	expect_item(o, "retired", 2, 0);
	expect_named(o, NEW_NAME2, 25, 3);
	json_decref(o);
	l = list_all(admin, ITEMS "?status=retired");
	assert_int_equal(json_array_size(l), 1);
	assert_non_null(jfind(l, "code", NEW));
	json_decref(l);
	l = list_all(admin, ITEMS "?status=published");
	assert_null(jfind(l, "code", NEW));
	assert_int_equal(json_array_size(l), 51);
	json_decref(l);
	expect_call("GET", ITEMS "/99999999999", NULL, 404, "not_found");
	expect_call("POST", ITEMS "/99999999999/publish", NULL, 404, "not_found");
}

/* docs: materials are optional on a draft, but publishing needs at least one (and a legal
 * basis): 422 missing_field "materials". */
static void test_without_materials(void **state)
{
	json_t *b = item_body("11009905000", "无材料事项");
	struct resp r;

	(void)state;
	json_object_del(b, "materials");
	req_json(admin, "POST", ITEMS, b, &r);
	json_decref(b);
	expect_status(&r, 201);
	if (json_array_size(json_object_get(r.json, "materials")) != 0 ||
	    !json_is_array(json_object_get(r.json, "materials")))
		fail_at("POST without materials: want \"materials\":[]: %.300s", r.body);
	resp_free(&r);
	req(admin, "POST", ITEMS "/11009905000/publish", NULL, NULL, &r);
	expect_error(&r, 422, "missing_field", "materials");
	resp_free(&r);
}

/* After the lifecycle: an item no site offers is not in ?site= lists (a newly published one). */
static void test_site_filter_excludes(void **state)
{
	char path[96];
	json_t *l;

	(void)state;
	item_create(admin, "11009902000", "测试事项乙");
	item_action(admin, "11009902000", "publish");
	snprintf(path, sizeof(path), ITEMS "?site=%lld", site_id_of(admin, "152502001001"));
	l = list_all(admin, path);
	assert_null(jfind(l, "code", "11009902000"));
	assert_int_equal(json_array_size(l), 51);
	json_decref(l);
	l = list_all(admin, ITEMS);
	assert_non_null(jfind(l, "code", "11009902000"));
	json_decref(l);
}

/* Every signed-in role reads; only an admin of a district-level site changes. */
static void test_authz(void **state)
{
	static const char *const logins[] = { "agent", "agent2", "clerk", "tadmin", "coord",
					      "approver", "auditor", "webagent" };
	static const char *const changes[][3] = {
		{ "POST", ITEMS, NULL },	/* body: a valid new item */
		{ "PATCH", ITEMS "/11000101000", "{\"name\":\"越权修改\"}" },
		{ "PATCH", ITEMS "/11009903000", "{\"name\":\"越权修改\"}" },
		{ "PATCH", ITEMS "/11009903000/versions/1", "{\"name\":\"越权修改\"}" },
		{ "POST", ITEMS "/11009903000/publish", NULL },
		{ "POST", ITEMS "/11000101000/retire", NULL },
	};
	json_t *nb = item_body("11009904000", "越权新建");
	char *new_body = json_dumps(nb, JSON_COMPACT);
	struct client *c = client_new(*state), *anon = client_new(*state);
	json_t *before, *after, *b1, *b2;
	struct resp r;
	int bad = 0;

	json_decref(nb);
	item_create(admin, "11009903000", "测试事项丙");	/* a draft to publish */
	before = list_all(admin, ITEMS);
	b1 = get_item("11000101000", NULL);
	b2 = get_item("11009903000", "?draft=true");
	for (size_t u = 0; u < sizeof(logins) / sizeof(logins[0]); u++) {
		login_ok(c, logins[u], PW);
		if (get_status(c, ITEMS) != 200 || get_status(c, ITEMS "/11000101000") != 200 ||
		    get_status(c, ITEMS "?q=%E5%85%BB%E8%80%81") != 200) {
			fprintf(stderr, "MISMATCH %s: cannot read items\n", logins[u]);
			bad++;
		}
		for (size_t k = 0; k < sizeof(changes) / sizeof(changes[0]); k++) {
			const char *why;

			req(c, changes[k][0], changes[k][1], k == 0 ? new_body : changes[k][2], NULL, &r);
			why = error_mismatch(&r, 403, "forbidden", NULL);
			if (why) {
				fprintf(stderr, "as %s:\n", logins[u]);
				print_mismatch(&r, why, 403, "forbidden", NULL);
				bad++;
			}
			resp_free(&r);
		}
	}
	/* CSRF: admin without a token or with a wrong one */
	for (int wrong = 0; wrong < 2; wrong++) {
		const char *hdr[] = { "X-CSRF-Token: not-the-token", NULL };

		client_auto_csrf(admin, 0);
		for (size_t k = 0; k < sizeof(changes) / sizeof(changes[0]); k++) {
			const char *why;

			req(admin, changes[k][0], changes[k][1], k == 0 ? new_body : changes[k][2],
			    wrong ? hdr : NULL, &r);
			why = error_mismatch(&r, 403, "csrf", NULL);
			if (why) {
				print_mismatch(&r, why, 403, "csrf", NULL);
				bad++;
			}
			resp_free(&r);
		}
		client_auto_csrf(admin, 1);
	}
	/* no session */
	req(anon, "GET", ITEMS, NULL, NULL, &r);
	if (error_mismatch(&r, 401, "unauthenticated", NULL)) {
		print_mismatch(&r, "no session", 401, "unauthenticated", NULL);
		bad++;
	}
	resp_free(&r);
	req(anon, "POST", ITEMS, new_body, NULL, &r);
	if (error_mismatch(&r, 401, "unauthenticated", NULL)) {
		print_mismatch(&r, "no session", 401, "unauthenticated", NULL);
		bad++;
	}
	resp_free(&r);
	after = list_all(admin, ITEMS);
	if (!json_equal(before, after)) {
		fprintf(stderr, "MISMATCH refused item changes altered the item list\n");
		bad++;
	}
	json_decref(after);
	after = get_item("11000101000", NULL);
	if (!json_equal(b1, after)) {
		fprintf(stderr, "MISMATCH refused changes altered 11000101000\n");
		bad++;
	}
	json_decref(after);
	after = get_item("11009903000", "?draft=true");
	if (!json_equal(b2, after)) {
		fprintf(stderr, "MISMATCH refused changes altered the draft 11009903000\n");
		bad++;
	}
	json_decref(after);
	json_decref(before);
	json_decref(b1);
	json_decref(b2);
	free(new_body);
	client_free(c);
	client_free(anon);
	if (bad)
		fail_at("%d authorization mismatches", bad);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_site_filter_excludes),
		cmocka_unit_test(test_without_materials),
		cmocka_unit_test(test_authz),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("items_life", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
