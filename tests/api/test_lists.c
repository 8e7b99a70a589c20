/*
 * API tests: list paging (docs/api.md "Conventions", Lists): cursors visit
 * every item once in id order, limit defaults to 50 and is clamped to 200;
 * and every listed site, window, department and user has the documented shape.
 * Usage: api_test_lists <path to bangban>
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
#include <regex.h>
#include <cmocka.h>

#include "harness.h"

#define PW "bangban-demo"
#define SITE "/api/v1/sites"

static struct client *admin;

static int setup(void **state)
{
	json_t *sites;

	if (srv_group_setup(state))
		return -1;
	admin = client_new(*state);
	login_ok(admin, "admin", PW);
	sites = list_all(admin, SITE);
	tvar_set('T', jint(jfind(sites, "code", "152502001000"), "id"));
	json_decref(sites);
	return 0;
}

static int teardown(void **state)
{
	client_free(admin);
	admin = NULL;
	return srv_group_teardown(state);
}

static int matches(const char *s, const char *re)
{
	regex_t rx;
	int ok;

	if (!s || regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
		return 0;
	ok = regexec(&rx, s, 0, NULL, 0) == 0;
	regfree(&rx);
	return ok;
}

static int one_of(const char *s, const char *const *set)
{
	for (; s && *set; set++)
		if (strcmp(s, *set) == 0)
			return 1;
	return 0;
}

static int int_or_null(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_integer(v) || json_is_null(v);
}

static int str_or_null(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_string(v) || json_is_null(v);
}

static int num_or_null(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_number(v) || json_is_null(v);
}

static const char *const levels[] = { "district", "township", "village", NULL };
static const char *const kinds[] = { "general", "assisted", "specialised", "complaint",
				     "cross_region", "issuance", "self_service", NULL };
static const char *const roles[] = { "agent", "web_agent", "clerk", "approver", "coordinator",
				     "admin", "auditor", NULL };

/* Why site e (in all) breaks docs/api.md "Sites", or NULL. */
static const char *bad_site(const json_t *e, const json_t *all)
{
	const char *level = jstr(e, "level"), *code = jstr(e, "code");
	const json_t *pid = json_object_get(e, "parent_id"), *parent;
	const char *pcode, *plevel;

	if (!json_is_integer(json_object_get(e, "id")) || !jstr(e, "name"))
		return "id/name";
	if (!one_of(level, levels) || !matches(code, "^[0-9]{12}$"))
		return "level/code";
	if (!str_or_null(e, "address") || !str_or_null(e, "hours") || !str_or_null(e, "phone") ||
	    !num_or_null(e, "lat") || !num_or_null(e, "lng"))
		return "address/hours/phone/lat/lng";
	if (json_is_null(pid))
		return strcmp(level, "district") == 0 ? NULL : "a root that is not district-level";
	parent = jfind_id(all, "id", json_is_integer(pid) ? json_integer_value(pid) : -1);
	pcode = jstr(parent, "code");
	plevel = jstr(parent, "level");
	if (!parent || !matches(pcode, "^[0-9]{12}$") || !one_of(plevel, levels))
		return "parent_id not a (well-formed) site in the list";
	if (strcmp(plevel, "district") == 0)
		return strcmp(level, "township") == 0 && memcmp(code, pcode, 6) == 0 &&
		       matches(code, "^[0-9]{9}000$") && !matches(code, "^[0-9]{6}000") ? NULL
		       : "township under a district: level or code";
	return strcmp(level, "village") == 0 && memcmp(code, pcode, 9) == 0 &&
	       !matches(code, "000$") ? NULL : "village under a township: level or code";
}

static const char *bad_window(const json_t *e)
{
	const char *kind = jstr(e, "kind");

	if (!json_is_integer(json_object_get(e, "id")) || !json_is_integer(json_object_get(e, "site_id")) ||
	    !jstr(e, "name") || !json_is_boolean(json_object_get(e, "active")) ||
	    !int_or_null(e, "department_id"))
		return "id/site_id/name/active/department_id";
	if (!one_of(kind, kinds))
		return "kind";
	if (strcmp(kind, "specialised") == 0 && !json_is_integer(json_object_get(e, "department_id")))
		return "specialised without department_id";
	return NULL;
}

static const char *bad_department(const json_t *e)
{
	if (!json_is_integer(json_object_get(e, "id")) || !jstr(e, "name"))
		return "id/name";
	return matches(jstr(e, "code"), "^[a-z0-9_]{2,16}$") ? NULL : "code";
}

static const char *bad_user(const json_t *e)
{
	const char *role = jstr(e, "role");
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)e, k, v)
		if (strstr(k, "pass") || strstr(k, "hash"))
			return "shows a password or hash member";
	if (!json_is_integer(json_object_get(e, "id")) || !json_is_integer(json_object_get(e, "site_id")) ||
	    !jstr(e, "name") || !json_is_boolean(json_object_get(e, "active")) ||
	    !int_or_null(e, "department_id"))
		return "id/site_id/name/active/department_id";
	if (!matches(jstr(e, "login"), "^[a-z0-9._-]{2,32}$") || !one_of(role, roles))
		return "login/role";
	if ((strcmp(role, "approver") == 0) != json_is_integer(json_object_get(e, "department_id")))
		return "department_id must be set for approvers and only for them";
	return NULL;
}

static void test_shapes(void **state)
{
	const char *names[] = { "/api/v1/sites", "/api/v1/windows", "/api/v1/departments",
				"/api/v1/users" };
	json_t *all[4];
	int bad = 0;

	(void)state;
	for (int i = 0; i < 4; i++)
		all[i] = list_all(admin, names[i]);
	for (int i = 0; i < 4; i++) {
		size_t j;
		json_t *e;

		json_array_foreach(all[i], j, e) {
			const char *why = i == 0 ? bad_site(e, all[0]) : i == 1 ? bad_window(e)
					: i == 2 ? bad_department(e) : bad_user(e);
			char *d;

			if (!why && i == 1 && !jfind_id(all[0], "id", jint(e, "site_id")))
				why = "site_id is not a site";
			if (!why)
				continue;
			d = json_dumps(e, JSON_COMPACT);
			fprintf(stderr, "MISMATCH GET %s: %s: %s\n", names[i], why, d ? d : "?");
			free(d);
			bad++;
		}
	}
	for (int i = 0; i < 4; i++)
		json_decref(all[i]);
	if (bad)
		fail_at("%d listed objects do not have the documented shape", bad);
}

/* Walks path with limit=2 and checks it visits the items of the full listing
 * exactly once, in increasing id order. Returns how many it saw. */
static size_t walk(const char *base)
{
	json_t *all = list_all(admin, base);
	char path[512];
	char *cursor = NULL;
	long long last = -1;
	size_t seen = 0;

	for (int page = 0; page < 1000; page++) {
		char *esc = cursor ? urlenc(cursor) : NULL;
		json_t *items, *next, *it;
		struct resp r;
		size_t i;

		snprintf(path, sizeof(path), "%s?limit=2%s%s", base, esc ? "&cursor=" : "",
			 esc ? esc : "");
		free(esc);
		free(cursor);
		cursor = NULL;
		req(admin, "GET", path, NULL, NULL, &r);
		expect_status(&r, 200);
		items = json_object_get(r.json, "items");
		next = json_object_get(r.json, "next");
		if (!json_is_array(items) || json_array_size(items) > 2 ||
		    !(json_is_null(next) || json_is_string(next)))
			fail_at("%s: want {\"items\":[at most 2],\"next\":cursor|null}: %.300s", path, r.body);
		json_array_foreach(items, i, it) {
			long long id = jint(it, "id");

			if (id <= last)
				fail_at("%s: id %lld after %lld: not in id order or seen twice", path, id, last);
			if (!jfind_id(all, "id", id))
				fail_at("%s: id %lld is not in the full listing", path, id);
			last = id;
			seen++;
		}
		if (json_is_string(next)) {
			cursor = strdup(json_string_value(next));
			assert_non_null(cursor);
		}
		resp_free(&r);
		if (!cursor)
			break;
	}
	if (cursor)
		fail_at("%s: more than 1000 pages of 2", base);
	if (seen != json_array_size(all))
		fail_at("%s: paging saw %zu items, the full listing has %zu", base, seen,
			json_array_size(all));
	json_decref(all);
	return seen;
}

static void test_cursor_paging(void **state)
{
	(void)state;
	assert_int_equal(walk(SITE), 12);
	assert_true(walk("/api/v1/users") >= 7);
	walk("/api/v1/windows");
	walk("/api/v1/departments");
}

/* limit within range is honoured exactly. */
static void test_limit_small(void **state)
{
	struct resp r;

	(void)state;
	req(admin, "GET", SITE "?limit=5", NULL, NULL, &r);
	expect_status(&r, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 5);
	assert_true(json_is_string(json_object_get(r.json, "next")));
	resp_free(&r);
	req(admin, "GET", SITE "?limit=200", NULL, NULL, &r);
	expect_status(&r, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 12);
	assert_true(json_is_null(json_object_get(r.json, "next")));
	resp_free(&r);
}

/* With more than 200 sites, limit=500 gives 200 and a cursor; no limit gives 50. */
static void test_limit_clamp(void **state)
{
	json_t *all = list_all(admin, SITE);
	size_t have = json_array_size(all);
	struct resp r;
	char body[160];

	(void)state;
	json_decref(all);
	for (size_t i = 0; have + i <= 205; i++) {
		snprintf(body, sizeof(body), "{\"parent_id\":%lld,\"level\":\"village\","
			 "\"name\":\"村%zu\",\"code\":\"152502001%03zu\"}", tvar('T'), i, 100 + i);
		req(admin, "POST", SITE, body, NULL, &r);
		expect_status(&r, 201);
		resp_free(&r);
	}
	req(admin, "GET", SITE "?limit=500", NULL, NULL, &r);
	expect_status(&r, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 200);
	assert_true(json_is_string(json_object_get(r.json, "next")));
	resp_free(&r);
	req(admin, "GET", SITE, NULL, NULL, &r);
	expect_status(&r, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 50);
	assert_true(json_is_string(json_object_get(r.json, "next")));
	resp_free(&r);
	assert_int_equal(walk(SITE), 206);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_cursor_paging),
		cmocka_unit_test(test_limit_small),
		cmocka_unit_test(test_limit_clamp),
	};
	int rc;

	if (harness_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("lists", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
