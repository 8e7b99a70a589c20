/*
 * API tests: public progress of a case (docs/api.md "Cases (办件)", Public): a resident asks
 * with the receipt and the 6-digit query code or the phone's last 4 digits, without signing in,
 * and sees status, timeline, deadline but never their name, ID number or phone; wrong answers
 * are 404; many wrong tries from one address end in 429.
 * Usage: api_test_cases_public <path to bangban> <data/catalog dir>
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
#include <time.h>
#include <cmocka.h>

#include "case_util.h"

#define PROGRESS "/api/v1/public/progress"

static struct client *admin, *agent, *cityclerk, *anon;
static char relay[32];
static json_t *relay_item;
static char ra[64], qa[16];   /* the agent's case, submitted to the township */
static char rb[64], qb[16];   /* the city's case, accepted */
static char deadline_b[16];

static int setup(void **state)
{
	if (srv_group_setup(state))
		return -1;
	admin = as(*state, "admin");
	agent = as(*state, "agent");
	cityclerk = as(*state, "cityclerk");
	anon = client_new(*state);
	cases_load_sites(admin);
	snprintf(relay, sizeof relay, "%s",
		 pick_item(admin, &(struct item_want){ .vil_mode = "collect", .town_mode = "-accept",
						       .department = "rs", .case_type = "-immediate",
						       .min_days = 1 }));
	relay_item = item_full(admin, relay);
	return 0;
}

static int teardown(void **state)
{
	struct client *all[] = { admin, agent, cityclerk, anon };

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		client_free(all[i]);
	json_decref(relay_item);
	return srv_group_teardown(state);
}

static void test_make_cases(void **state)
{
	json_t *b, *o;

	(void)state;
	b = case_body(relay, relay_item, NULL, "station", 1, time(NULL), NULL, 0);
	o = case_create(agent, b);
	json_decref(b);
	snprintf(ra, sizeof ra, "%s", jstr(o, "receipt"));
	snprintf(qa, sizeof qa, "%s", jstr(o, "query_code") ? jstr(o, "query_code") : "");
	json_decref(o);
	json_decref(act_ok(agent, ra, "submit", "{}"));

	b = case_body(relay, relay_item, NULL, "window", 0, time(NULL), NULL, 0);
	o = case_create(cityclerk, b);
	json_decref(b);
	snprintf(rb, sizeof rb, "%s", jstr(o, "receipt"));
	snprintf(qb, sizeof qb, "%s", jstr(o, "query_code") ? jstr(o, "query_code") : "");
	json_decref(o);
	o = act_ok(cityclerk, rb, "accept", "{}");
	snprintf(deadline_b, sizeof deadline_b, "%s", jstr(o, "deadline") ? jstr(o, "deadline") : "");
	json_decref(o);
	check_int(strlen(qa), 6);
	check_int(strlen(qb), 6);
	check_int(strlen(deadline_b), 10);
}

/* Nothing that identifies the applicant, not even masked. */
static void expect_anonymous(const struct resp *r)
{
	static const char *const pii[] = { NAME1, NAME1_MASKED, ID1, ID1_MASKED, "19491231",
					   PHONE1, PHONE1_MASKED, "\"applicant\"", "id_number",
					   "\"phone\"" };

	for (size_t i = 0; i < sizeof pii / sizeof pii[0]; i++)
		if (has(r->body, pii[i])) {
			resp_dump(r);
			soft_fail("%s: the public answer holds %s", r->what, pii[i]);
		}
}

static json_t *progress(const char *receipt, const char *key, const char *val, long want)
{
	char path[256];
	struct resp r;
	json_t *o = NULL;

	snprintf(path, sizeof path, PROGRESS "?receipt=%s&%s=%s", receipt, key, val);
	req(anon, "GET", path, NULL, NULL, &r);
	if (want == 200) {
		expect_status(&r, 200);
		expect_anonymous(&r);
		o = json_incref(r.json);
	} else {
		expect_error(&r, want, want == 404 ? "not_found" : NULL, NULL);
		expect_anonymous(&r);
	}
	resp_free(&r);
	return o;
}

static void expect_progress(const json_t *o, const char *receipt, const char *status,
			    const char *const *acts, size_t n, const char *deadline)
{
	json_t *tl = json_object_get(o, "timeline"), *e;
	size_t i;

	expect_str(o, "receipt", receipt);
	expect_str(o, "status", status);
	check((json_object_get(o, "item")) != NULL);
	check((jstr(o, "state")) != NULL);
	check((json_object_get(o, "days_left")) != NULL);
	if (deadline)
		expect_str(o, "deadline", deadline);
	else
		expect_null(o, "deadline");
	expect_timeline(o, acts, n);
	json_array_foreach(tl, i, e) {
		if (!jstr(e, "at") || !jstr(e, "status") || !json_object_get(e, "site"))
			soft_fail("timeline[%zu]: want at, action, status, site", i);
		if (json_object_get(e, "user_id") || json_object_get(e, "note"))
			note("public timeline[%zu] carries user_id/note (staff data?)", i);
	}
}

static void test_by_code(void **state)
{
	json_t *o;

	(void)state;
	o = progress(ra, "code", qa, 200);
	expect_progress(o, ra, "submitted", (const char *const[]){ "create", "submit" }, 2, NULL);
	json_decref(o);
	o = progress(rb, "code", qb, 200);
	expect_progress(o, rb, "accepted", (const char *const[]){ "create", "accept" }, 2,
			deadline_b);
	if (!json_is_integer(json_object_get(o, "days_left")))
		soft_fail("accepted: want days_left an integer");
	json_decref(o);
}

static void test_by_phone4(void **state)
{
	json_t *o;

	(void)state;
	o = progress(ra, "phone4", "5678", 200);
	expect_progress(o, ra, "submitted", (const char *const[]){ "create", "submit" }, 2, NULL);
	json_decref(o);
	o = progress(rb, "phone4", "5678", 200);
	expect_progress(o, rb, "accepted", (const char *const[]){ "create", "accept" }, 2,
			deadline_b);
	json_decref(o);
}

static void test_wrong(void **state)
{
	char bad[16];

	(void)state;
	snprintf(bad, sizeof bad, "%s", qa);
	bad[5] = bad[5] == '9' ? '0' : (char)(bad[5] + 1);
	progress(ra, "code", bad, 404);
	if (strcmp(qa, qb) != 0)
		progress(ra, "code", qb, 404);  /* another case's code */
	progress(ra, "phone4", "1234", 404);
	progress("SQ00000000000000", "code", qa, 404);
	progress("SQ00000000000000", "phone4", "5678", 404);
}

/* Guessing codes from one address is stopped. Runs last: it blocks this address. */
static void test_rate_limited(void **state)
{
	char path[256], code[8];
	struct resp r;
	int n;

	(void)state;
	for (n = 0; n < 400; n++) {
		snprintf(code, sizeof code, "%06d", (n * 7919 + 13) % 1000000);
		if (strcmp(code, qa) == 0)
			continue;
		snprintf(path, sizeof path, PROGRESS "?receipt=%s&code=%s", ra, code);
		req(anon, "GET", path, NULL, NULL, &r);
		if (r.status == 429)
			break;
		expect_error(&r, 404, "not_found", NULL);
		resp_free(&r);
	}
	if (n == 400)
		fail_at("400 wrong codes from one address: never 429");
	expect_error(&r, 429, "rate_limited", NULL);
	if (!resp_header(&r, "Retry-After"))
		note("public progress 429 after %d wrong tries has no Retry-After header", n);
	else
		fprintf(stderr, "info: 429 after %d wrong tries, Retry-After %s\n", n,
			resp_header(&r, "Retry-After"));
	resp_free(&r);
	/* the right code from the same address is also held off (or answered): never leaks */
	snprintf(path, sizeof path, PROGRESS "?receipt=%s&code=%s", ra, qa);
	req(anon, "GET", path, NULL, NULL, &r);
	if (r.status != 429 && r.status != 200)
		soft_fail("right code while limited: want 429 (or 200), got %ld", r.status);
	expect_anonymous(&r);
	resp_free(&r);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		case_test(test_make_cases),
		case_test(test_by_code),
		case_test(test_by_phone4),
		case_test(test_wrong),
		case_test(test_rate_limited),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("cases_public", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
