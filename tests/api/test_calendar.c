/*
 * API tests: the working-day calendar (docs/api.md "Working-day calendar"): adding working days
 * across weekends, the Spring Festival and make-up Saturdays, provisional dates in years not
 * loaded, an admin loading a new year's notice, and bad input.
 * Usage: api_test_calendar <path to bangban>
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"

#define PW "bangban-demo"

static void expect_add(struct client *c, const char *from, int days, const char *want,
		       int provisional)
{
	char path[128];
	struct resp r;

	snprintf(path, sizeof path, "/api/v1/calendar/add?from=%s&days=%d", from, days);
	req(c, "GET", path, NULL, NULL, &r);
	expect_status(&r, 200);
	if (!jstr(r.json, "date") || strcmp(jstr(r.json, "date"), want) != 0 ||
	    json_is_true(json_object_get(r.json, "provisional")) != provisional)
		fail_at("%s: want %s provisional %d", r.what, want, provisional);
	resp_free(&r);
}

static void test_add(void **state)
{
	struct client *anon = client_new(*state); /* no sign-in needed */

	expect_add(anon, "2026-11-27", 1, "2026-11-30", 0);  /* Friday -> Monday */
	expect_add(anon, "2026-02-13", 1, "2026-02-14", 0);  /* make-up Saturday */
	expect_add(anon, "2026-02-14", 1, "2026-02-24", 0);  /* across the Spring Festival */
	expect_add(anon, "2025-09-30", 1, "2025-10-09", 0);  /* across National Day */
	expect_add(anon, "2026-02-15", 0, "2026-02-24", 0);  /* 0 days from a holiday: next working day */
	expect_add(anon, "2026-12-30", 5, "2027-01-06", 1);  /* 2027 not loaded: weekends only */
	client_free(anon);
}

static void test_bad_input(void **state)
{
	static const struct {
		const char *query, *field;
	} bad[] = {
		{"from=2026-02-30&days=1", "from"}, {"from=2026-2-3&days=1", "from"},
		{"days=1", "from"},                  {"from=2026-01-01", "days"},
		{"from=2026-01-01&days=-1", "days"}, {"from=2026-01-01&days=x", "days"},
		{"from=2026-01-01&days=99999", "days"},
	};
	struct client *anon = client_new(*state);

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char path[128];
		struct resp r;

		snprintf(path, sizeof path, "/api/v1/calendar/add?%s", bad[i].query);
		req(anon, "GET", path, NULL, NULL, &r);
		expect_error(&r, 422, NULL, bad[i].field);
		resp_free(&r);
	}
	client_free(anon);
}

static void test_year_and_load(void **state)
{
	struct client *anon = client_new(*state), *admin = client_new(*state);
	struct client *clerk = client_new(*state);
	struct resp r;
	const char *good = "{'csv':'date,kind,name\\n2027-01-01,holiday,元旦\\n"
			   "2027-02-06,workday,春节\\n'}";

	req(anon, "GET", "/api/v1/calendar/2026", NULL, NULL, &r);
	expect_status(&r, 200);
	assert_true(json_is_true(json_object_get(r.json, "loaded")));
	assert_true(json_array_size(json_object_get(r.json, "days")) == 39);
	resp_free(&r);

	login_ok(clerk, "clerk", PW);
	reqt(clerk, "PUT", "/api/v1/calendar/2027", good, &r);
	expect_error(&r, 403, "forbidden", NULL);
	resp_free(&r);

	login_ok(admin, "admin", PW);
	reqt(admin, "PUT", "/api/v1/calendar/2027",
	     "{'csv':'date,kind,name\\n2027-01-01,holiday,元旦\\n2027-13-06,workday,春节\\n'}", &r);
	expect_error(&r, 422, "invalid", "csv:3");
	resp_free(&r);
	reqt(admin, "PUT", "/api/v1/calendar/2027",
	     "{'csv':'date,kind,name\\n2026-01-01,holiday,元旦\\n'}", &r);
	expect_error(&r, 422, "invalid", NULL); /* a notice for another year */
	resp_free(&r);
	req(anon, "GET", "/api/v1/calendar/2027", NULL, NULL, &r);
	assert_false(json_is_true(json_object_get(r.json, "loaded"))); /* nothing written */
	resp_free(&r);

	reqt(admin, "PUT", "/api/v1/calendar/2027", good, &r);
	expect_status(&r, 200);
	assert_true(json_array_size(json_object_get(r.json, "days")) == 2);
	resp_free(&r);
	expect_add(anon, "2026-12-30", 5, "2027-01-07", 0); /* 01-01 now a holiday, no longer provisional */
	expect_add(anon, "2027-02-05", 1, "2027-02-06", 0); /* the make-up Saturday */

	req(anon, "GET", "/api/v1/calendar/20x6", NULL, NULL, &r);
	expect_error(&r, 404, "not_found", NULL);
	resp_free(&r);
	client_free(anon);
	client_free(admin);
	client_free(clerk);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_year_and_load),
	};
	int rc;

	if (harness_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("calendar", tests, srv_group_setup, srv_group_teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
