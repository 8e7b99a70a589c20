/*
 * API tests: who sees a case (docs/api.md "Cases (办件)", "Roles and scope"): the agent's
 * station, its township and the city centre do; another station does not (403, absent from
 * lists); the list filters (q, status, site, item, holder) and pages; lists are masked;
 * sign-in and CSRF are required.
 * Usage: api_test_cases_scope <path to bangban> <data/catalog dir>
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

static struct client *admin, *agent, *agent2, *clerk, *cityclerk, *auditor;
static char relay[32];      /* village: collect, township: not accept, rs, not immediate */
static json_t *relay_item;  /* its full JSON */
static char other[32];      /* another item the village offers */
static char r1[64];         /* the agent's complete case */

static int setup(void **state)
{
	if (srv_group_setup(state))
		return -1;
	admin = as(*state, "admin");
	agent = as(*state, "agent");
	agent2 = as(*state, "agent2");
	clerk = as(*state, "clerk");
	cityclerk = as(*state, "cityclerk");
	auditor = as(*state, "auditor");
	cases_load_sites(admin);
	snprintf(relay, sizeof relay, "%s",
		 pick_item(admin, &(struct item_want){ .vil_mode = "collect", .town_mode = "-accept",
						       .department = "rs", .case_type = "-immediate",
						       .min_days = 1 }));
	relay_item = item_full(admin, relay);
	snprintf(other, sizeof other, "%s",
		 pick_item(admin, &(struct item_want){ .vil_mode = "collect", .town_mode = "accept",
						       .case_type = "immediate" }));
	return 0;
}

static int teardown(void **state)
{
	struct client *all[] = { admin, agent, agent2, clerk, cityclerk, auditor };

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		client_free(all[i]);
	json_decref(relay_item);
	return srv_group_teardown(state);
}

/* The agent's complete case, which the rest looks at. */
static void test_make_case(void **state)
{
	json_t *b = case_body(relay, relay_item, NULL, "station", 1, time(NULL), NULL, 0);
	json_t *o = case_create(agent, b);

	(void)state;
	snprintf(r1, sizeof r1, "%s", jstr(o, "receipt"));
	json_decref(o);
	json_decref(b);
	/* a second one, so that lists have pages */
	b = case_body(relay, relay_item, ID2, "station", 1, time(NULL), NULL, 0);
	json_decref(case_create(agent, b));
	json_decref(b);
}

static void test_scope(void **state)
{
	struct client *see[] = { agent, clerk, cityclerk, auditor, admin };
	char path[160], q[120];
	json_t *l;
	struct resp r;

	(void)state;
	assert_true(r1[0]);
	snprintf(path, sizeof path, CASES "/%s", r1);
	req(agent2, "GET", path, NULL, NULL, &r);
	expect_error(&r, 403, "forbidden", NULL);
	resp_free(&r);
	l = list_receipts(agent2, NULL);
	check(!(jarr_has_str(l, r1)));
	json_decref(l);
	act_error(agent2, r1, "submit", "{}", 403, "forbidden", NULL);
	act_error(agent2, r1, "withdraw", "{'reason':'越权撤回'}", 403, "forbidden", NULL);
	for (size_t i = 0; i < sizeof see / sizeof see[0]; i++) {
		json_t *o = case_get(see[i], r1);

		expect_str(o, "receipt", r1);
		json_decref(o);
		l = list_receipts(see[i], NULL);
		if (!jarr_has_str(l, r1))
			soft_fail("GET %s as user %zu: %s missing", CASES, i, r1);
		json_decref(l);
	}
	/* filters */
	snprintf(q, sizeof q, "q=%s", r1);
	l = list_receipts(clerk, q);
	check(jarr_has_str(l, r1));
	check_int(json_array_size(l), 1);
	json_decref(l);
	l = list_receipts(cityclerk, "q=" ID1);
	check(jarr_has_str(l, r1));
	json_decref(l);
	l = list_receipts(cityclerk, "q=" ID2);
	check(!(jarr_has_str(l, r1)));
	json_decref(l);
	{
		json_t *o = case_get(agent, r1);
		json_t *hu = json_object_get(o, "holder_user_id");

		l = list_receipts(agent, "holder=me");
		if (json_is_integer(hu) && json_integer_value(hu) == me_id(agent) &&
		    !jarr_has_str(l, r1))
			soft_fail("holder=me as the agent holding %s: missing", r1);
		json_decref(l);
		l = list_receipts(clerk, "holder=me");
		if (jarr_has_str(l, r1))
			soft_fail("holder=me as the clerk: lists %s, held by the agent", r1);
		json_decref(l);
		json_decref(o);
	}
	l = list_receipts(cityclerk, "status=intake");
	check(jarr_has_str(l, r1));
	json_decref(l);
	l = list_receipts(cityclerk, "status=archived");
	check(!(jarr_has_str(l, r1)));
	json_decref(l);
	snprintf(q, sizeof q, "site=%lld", site_vil1);
	l = list_receipts(clerk, q);
	check(jarr_has_str(l, r1));
	json_decref(l);
	snprintf(q, sizeof q, "site=%lld", site_vil2);
	l = list_receipts(clerk, q);
	check(!(jarr_has_str(l, r1)));
	json_decref(l);
	snprintf(q, sizeof q, "item=%s", relay);
	l = list_receipts(cityclerk, q);
	check(jarr_has_str(l, r1));
	json_decref(l);
	snprintf(q, sizeof q, "item=%s", other);
	l = list_receipts(cityclerk, q);
	check(!(jarr_has_str(l, r1)));
	json_decref(l);
	req(agent, "GET", CASES "/SQ00000000000000", NULL, NULL, &r);
	expect_error(&r, 404, "not_found", NULL);
	resp_free(&r);

	/* pages */
	req(cityclerk, "GET", CASES "?limit=1", NULL, NULL, &r);
	expect_status(&r, 200);
	if (json_array_size(json_object_get(r.json, "items")) != 1 ||
	    !jstr(r.json, "next"))
		soft_fail("GET %s?limit=1 with several cases: want 1 item and a next cursor: %.300s",
			  CASES, r.body);
	else {
		char *cur = urlenc(jstr(r.json, "next"));
		const char *first = jstr(json_array_get(json_object_get(r.json, "items"), 0), "receipt");
		struct resp r2;

		snprintf(path, sizeof path, CASES "?limit=1&cursor=%s", cur);
		free(cur);
		req(cityclerk, "GET", path, NULL, NULL, &r2);
		expect_status(&r2, 200);
		if (json_array_size(json_object_get(r2.json, "items")) != 1 || !first ||
		    has(jstr(json_array_get(json_object_get(r2.json, "items"), 0), "receipt"), first))
			soft_fail("second page: want another case: %.300s", r2.body);
		resp_free(&r2);
	}
	resp_free(&r);
	req(cityclerk, "GET", CASES "?limit=x", NULL, NULL, &r);
	expect_error(&r, 422, "invalid", "limit");
	resp_free(&r);
	req(cityclerk, "GET", CASES "?cursor=%25%25bad", NULL, NULL, &r);
	expect_error(&r, 422, "invalid", "cursor");
	resp_free(&r);

	/* signed out: 401; no CSRF token: 403 csrf */
	{
		struct client *anon = client_new(*state);
		json_t *b = case_body(relay, relay_item, ID2, "station", 1, time(NULL), NULL, 0);
		json_t *before = list_receipts(agent, NULL), *after;

		req(anon, "GET", CASES, NULL, NULL, &r);
		expect_error(&r, 401, "unauthenticated", NULL);
		resp_free(&r);
		snprintf(path, sizeof path, CASES "/%s", r1);
		req(anon, "GET", path, NULL, NULL, &r);
		expect_error(&r, 401, "unauthenticated", NULL);
		resp_free(&r);
		client_auto_csrf(agent, 0);
		req_json(agent, "POST", CASES, b, &r);
		client_auto_csrf(agent, 1);
		expect_error(&r, 403, "csrf", NULL);
		resp_free(&r);
		snprintf(path, sizeof path, CASES "/%s/actions/withdraw", r1);
		client_auto_csrf(agent, 0);
		req(agent, "POST", path, "{\"reason\":\"x\"}", NULL, &r);
		client_auto_csrf(agent, 1);
		expect_error(&r, 403, "csrf", NULL);
		resp_free(&r);
		after = list_receipts(agent, NULL);
		if (!json_equal(before, after))
			soft_fail("a refused POST wrote a case");
		json_decref(before);
		json_decref(after);
		json_decref(b);
		client_free(anon);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		case_test(test_make_case),
		case_test(test_scope),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("cases_scope", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
