/*
 * API tests: the remaining case actions (docs/api.md "Cases (办件)", actions table): an
 * immediate item (即办件) decided straight after acceptance and issued at the township; a
 * notice answered with supplement; request_supplement after acceptance pausing the clock;
 * extend by a coordinator; a handoff that arrives short (discrepancy); bad action bodies.
 * Usage: api_test_cases_actions <path to bangban> <data/catalog dir>
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

static struct client *admin, *agent, *clerk, *cityclerk, *coord, *approver, *approver2;
static char relay[32], quick[32];
static json_t *relay_item, *quick_item;
static long long id_clerk, id_cityclerk;

static int setup(void **state)
{
	if (srv_group_setup(state))
		return -1;
	admin = as(*state, "admin");
	agent = as(*state, "agent");
	clerk = as(*state, "clerk");
	cityclerk = as(*state, "cityclerk");
	coord = as(*state, "coord");
	approver = as(*state, "approver");
	approver2 = as(*state, "approver2");
	cases_load_sites(admin);
	snprintf(relay, sizeof relay, "%s",
		 pick_item(admin, &(struct item_want){ .vil_mode = "collect", .town_mode = "-accept",
						       .department = "rs", .case_type = "-immediate",
						       .min_days = 1 }));
	snprintf(quick, sizeof quick, "%s",
		 pick_item(admin, &(struct item_want){ .vil_mode = "collect", .town_mode = "accept",
						       .department = "rs", .case_type = "immediate" }));
	relay_item = item_full(admin, relay);
	quick_item = item_full(admin, quick);
	id_clerk = me_id(clerk);
	id_cityclerk = me_id(cityclerk);
	return 0;
}

static int teardown(void **state)
{
	struct client *all[] = { admin, agent, clerk, cityclerk, coord, approver, approver2 };

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		client_free(all[i]);
	json_decref(relay_item);
	json_decref(quick_item);
	return srv_group_teardown(state);
}

static void expect_actions(const json_t *o, const char *const *acts, size_t n)
{
	expect_timeline(o, acts, n);
}

/* 即办件 at the township: accept, decide at once (no forward), issue on the spot, archive. */
static void test_immediate(void **state)
{
	json_t *b = case_body(quick, quick_item, NULL, "window", 0, time(NULL), NULL, 0), *o;
	char rc[64];
	struct resp r;

	(void)state;
	o = case_create(clerk, b);
	json_decref(b);
	snprintf(rc, sizeof rc, "%s", jstr(o, "receipt"));
	expect_str(json_object_get(o, "item"), "case_type", "immediate");
	expect_int(json_object_get(o, "item"), "promised_days", 0);
	json_decref(o);
	o = act_ok(clerk, rc, "accept", "{}");
	expect_case(o, "accepted", site_town, id_clerk);
	expect_deadline(clerk, o, jstr(o, "accepted_on"));
	json_decref(o);
	act_error(approver2, rc, "decide", "{'approved':true,'reason':'越权'}", 403, "forbidden", NULL);
	act_error(approver, rc, "decide", "{'approved':'yes'}", 422, "wrong_type", "approved");
	act_error(approver, rc, "decide", "{'approved':true,'colour':'red'}", 422, "unknown_field",
		  "colour");
	o = act_ok(approver, rc, "decide", "{'approved':true,'reason':'当场办结'}");
	expect_str(o, "status", "decided");
	json_decref(o);
	act_error(agent, rc, "issue", "{}", 403, "forbidden", NULL);
	o = act_ok(clerk, rc, "issue", "{}");
	expect_case(o, "issued", site_town, -2);
	json_decref(o);
	o = act_ok(clerk, rc, "return_materials", "{'note':'原件当场退还'}");
	json_decref(o);
	o = act_ok(clerk, rc, "visit", "{'satisfied':true}");
	json_decref(o);
	o = act_ok(clerk, rc, "archive", "{}");
	expect_case(o, "archived", site_town, -2);
	expect_actions(o, (const char *const[]){ "create", "accept", "decide", "issue",
						 "return_materials", "visit", "archive" }, 7);
	json_decref(o);

	/* an unknown action */
	req(clerk, "POST", CASES "/SQ00000000000000/actions/accept", "{}", NULL, &r);
	expect_error(&r, 404, "not_found", NULL);
	resp_free(&r);
	{
		char path[160];

		snprintf(path, sizeof path, CASES "/%s/actions/fly", rc);
		req(clerk, "POST", path, "{}", NULL, &r);
		if (r.status != 404)
			print_mismatch(&r, "status", 404, NULL, NULL);
		check_int(r.status, 404);
		resp_free(&r);
	}
}

/* A notice at intake answered by supplement; after acceptance request_supplement pauses the
 * clock and supplement resumes it; a coordinator extends the deadline. */
static void test_supplement_extend(void **state)
{
	long long req_ids[32];
	size_t nreq = item_material_ids(relay_item, 1, req_ids, 32);
	json_t *b, *o, *m;
	char rc[64], body[128], want[11], path[160];
	const char *dl;

	(void)state;
	b = case_body(relay, relay_item, NULL, "window", 0, time(NULL), &req_ids[0], 1);
	o = case_create(cityclerk, b);
	json_decref(b);
	snprintf(rc, sizeof rc, "%s", jstr(o, "receipt"));
	m = jfind_id(json_object_get(o, "materials"), "material", req_ids[0]);
	if (m && !json_is_false(json_object_get(m, "received")))
		soft_fail("material %lld not sent but marked received", req_ids[0]);
	json_decref(o);
	snprintf(path, sizeof path, CASES "/%s/notice", rc);
	json_decref(get_json(cityclerk, path));

	act_error(cityclerk, rc, "supplement", "{'materials':[999999]}", 422, NULL, NULL);
	snprintf(body, sizeof body, "{'materials':[%lld]}", req_ids[0]);
	o = act_ok(cityclerk, rc, "supplement", body);
	m = jfind_id(json_object_get(o, "materials"), "material", req_ids[0]);
	if (!m || !json_is_true(json_object_get(m, "received")))
		soft_fail("supplement: material %lld still not received", req_ids[0]);
	json_decref(o);
	o = act_ok(cityclerk, rc, "accept", "{}");
	expect_case(o, "accepted", site_city, id_cityclerk);
	check(json_is_false(json_object_get(o, "paused")));
	json_decref(o);

	snprintf(body, sizeof body, "{'materials':[%lld],'note':'请补充清晰的复印件'}",
		 req_ids[nreq - 1]);
	o = act_ok(cityclerk, rc, "request_supplement", body);
	expect_str(o, "status", "accepted");
	if (!json_is_true(json_object_get(o, "paused")))
		soft_fail("request_supplement after acceptance: want paused true");
	json_decref(o);
	snprintf(body, sizeof body, "{'materials':[%lld]}", req_ids[nreq - 1]);
	o = act_ok(cityclerk, rc, "supplement", body);
	if (!json_is_false(json_object_get(o, "paused")))
		soft_fail("supplement: want paused false");
	json_decref(o);

	/* extend: coordinators and admins only, 1-60 working days */
	act_error(cityclerk, rc, "extend", "{'days':5,'reason':'需实地核查'}", 403, "forbidden", NULL);
	act_error(coord, rc, "extend", "{'days':0,'reason':'需实地核查'}", 422, NULL, "days");
	act_error(coord, rc, "extend", "{'days':61,'reason':'需实地核查'}", 422, NULL, "days");
	act_error(coord, rc, "extend", "{'days':'5','reason':'需实地核查'}", 422, "wrong_type", "days");
	o = case_get(coord, rc);
	dl = jstr(o, "deadline");
	check((dl) != NULL);
	cal_add(coord, dl, 5, want);
	json_decref(o);
	o = act_ok(coord, rc, "extend", "{'days':5,'reason':'需实地核查'}");
	expect_str(o, "deadline", want);
	expect_actions(o, (const char *const[]){ "create", "supplement", "accept",
						 "request_supplement", "supplement", "extend" }, 6);
	json_decref(o);

	/* extend is not for a case before acceptance */
	b = case_body(relay, relay_item, ID2, "window", 0, time(NULL), NULL, 0);
	o = case_create(cityclerk, b);
	json_decref(b);
	snprintf(rc, sizeof rc, "%s", jstr(o, "receipt"));
	json_decref(o);
	act_wrong_state(coord, rc, "extend", "{'days':5,'reason':'x'}", NULL);
}

/* submit hands over a chosen subset; the receiver records what arrived and a discrepancy. */
static void test_discrepancy(void **state)
{
	long long req_ids[32];
	size_t nreq = item_material_ids(relay_item, 1, req_ids, 32);
	json_t *b = case_body(relay, relay_item, NULL, "station", 1, time(NULL), NULL, 0), *o, *h;
	char rc[64], body[160];

	(void)state;
	assert_true(nreq >= 2);
	o = case_create(agent, b);
	json_decref(b);
	snprintf(rc, sizeof rc, "%s", jstr(o, "receipt"));
	json_decref(o);
	snprintf(body, sizeof body, "{'materials':[%lld,%lld]}", req_ids[0], req_ids[1]);
	o = act_ok(agent, rc, "submit", body);
	expect_handoff(o, site_vil1, site_town, req_ids, 2, 0);
	json_decref(o);
	snprintf(body, sizeof body, "{'materials':[%lld],'discrepancy':'缺少第二份材料'}", req_ids[0]);
	o = act_ok(clerk, rc, "receive", body);
	h = expect_handoff(o, site_vil1, site_town, NULL, 0, 1);
	if (json_array_size(json_object_get(h, "materials")) != 2)
		note("receive with materials [%lld] of [%lld,%lld]: the handoff now lists %zu",
		     req_ids[0], req_ids[0], req_ids[1],
		     json_array_size(json_object_get(h, "materials")));
	if (!has(jstr(h, "discrepancy"), "缺少第二份材料"))
		soft_fail("receive with a discrepancy: want it on the handoff");
	json_decref(o);
}

/* The resident takes back the entrustment: the agent can no longer hand the case on. */
static void test_revoke_entrustment(void **state)
{
	json_t *b = case_body(relay, relay_item, NULL, "station", 1, time(NULL), NULL, 0), *o;
	char rc[64];

	(void)state;
	o = case_create(agent, b);
	json_decref(b);
	snprintf(rc, sizeof rc, "%s", jstr(o, "receipt"));
	if (!jarr_has_str(json_object_get(o, "allowed_actions"), "revoke_entrustment"))
		soft_fail("want revoke_entrustment allowed while the entrustment stands");
	json_decref(o);
	o = act_ok(agent, rc, "revoke_entrustment", "{'reason':'申请人本人办理'}");
	if (!json_is_true(json_object_get(json_object_get(o, "entrustment"), "revoked")))
		soft_fail("want entrustment.revoked true");
	if (jarr_has_str(json_object_get(o, "allowed_actions"), "submit"))
		soft_fail("an agent without a standing entrustment must not be offered submit");
	json_decref(o);
	act_error(agent, rc, "submit", "{}", 403, "forbidden", "entrustment");
	act_wrong_state(agent, rc, "revoke_entrustment", "{}", NULL);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		case_test(test_immediate),
		case_test(test_supplement_extend),
		case_test(test_discrepancy),
		case_test(test_revoke_entrustment),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("cases_actions", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
