/*
 * API tests: opening a case (docs/api.md "Cases (办件)", POST /api/v1/cases): a village agent
 * opens one with an entrustment and every required material, and the applicant is masked
 * everywhere; missing required materials give a one-time notice due in 5 working days;
 * Idempotency-Key replays the first answer; the city centre offers every item.
 * Bad input: test_cases_bad.c; who sees a case: test_cases_scope.c.
 * Usage: api_test_cases_create <path to bangban> <data/catalog dir>
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

#define NEW_ITEM "11009901000" /* published by setup, offered by no site */

static struct client *admin, *agent, *agent2, *clerk, *cityclerk;
static char relay[32];      /* village: collect, township: not accept, rs, not immediate */
static json_t *relay_item;  /* its full JSON */
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
	cases_load_sites(admin);
	snprintf(relay, sizeof relay, "%s",
		 pick_item(admin, &(struct item_want){ .vil_mode = "collect", .town_mode = "-accept",
						       .department = "rs", .case_type = "-immediate",
						       .min_days = 1 }));
	relay_item = item_full(admin, relay);
	item_create(admin, NEW_ITEM, "测试事项（仅中心受理）");
	item_action(admin, NEW_ITEM, "publish");
	return 0;
}

static int teardown(void **state)
{
	struct client *all[] = { admin, agent, agent2, clerk, cityclerk };

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		client_free(all[i]);
	json_decref(relay_item);
	return srv_group_teardown(state);
}

static int is_today(const char *d)
{
	char t[11], y[11];
	long long now = (long long)time(NULL);

	cn_date(now, 0, t);
	cn_date(now - 120, 0, y); /* just after midnight */
	return d && (strcmp(d, t) == 0 || strcmp(d, y) == 0);
}

static void test_create_complete(void **state)
{
	long long req_ids[32], agent_id = me_id(agent);
	size_t nreq = item_material_ids(relay_item, 1, req_ids, 32);
	json_t *b = case_body(relay, relay_item, NULL, "station", 1, time(NULL), NULL, 0);
	json_t *o, *ap, *en, *m, *tl;
	struct resp r;
	char due[11], path[160];
	const char *qc;
	size_t i;

	(void)state;
	req_json(agent, "POST", CASES, b, &r);
	json_decref(b);
	expect_status(&r, 201);
	expect_no_pii(&r);
	o = r.json;
	snprintf(r1, sizeof r1, "%s", jstr(o, "receipt") ? jstr(o, "receipt") : "");
	if (!r1[0] || strspn(r1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(r1))
		soft_fail("receipt: want [A-Z0-9]+, got %s", r.body);
	qc = jstr(o, "query_code");
	if (!qc || strlen(qc) != 6 || strspn(qc, "0123456789") != 6)
		soft_fail("query_code: want 6 digits: %.300s", r.body);
	expect_case(o, "intake", site_vil1, -2);
	if (!json_is_integer(json_object_get(o, "holder_user_id")) ||
	    json_integer_value(json_object_get(o, "holder_user_id")) != agent_id)
		note("create: holder_user_id is %s, not the creating agent %lld",
		     json_is_null(json_object_get(o, "holder_user_id")) ? "null" : "another",
		     agent_id);
	check(json_is_integer(json_object_get(o, "version")));
	expect_str(json_object_get(o, "item"), "code", relay);
	expect_str(json_object_get(o, "item"), "name", jstr(relay_item, "name"));
	expect_int(json_object_get(o, "item"), "version", jint(relay_item, "version"));
	expect_str(json_object_get(o, "item"), "case_type", jstr(relay_item, "case_type"));
	expect_int(json_object_get(o, "item"), "promised_days", jint(relay_item, "promised_days"));
	ap = json_object_get(o, "applicant");
	expect_str(ap, "name", NAME1_MASKED);
	expect_str(ap, "id_number", ID1_MASKED);
	expect_str(ap, "phone", PHONE1_MASKED);
	expect_str(o, "channel", "station");
	expect_int(o, "site_id", site_vil1);
	expect_int(o, "first_user_id", agent_id);
	if (!is_today(jstr(o, "received_on")))
		soft_fail("received_on: want today (+08:00): %.300s", r.body);
	cal_add(agent, jstr(o, "received_on"), 5, due);
	expect_str(o, "notice_due", due);
	expect_null(o, "accepted_on");
	expect_null(o, "deadline");
	expect_str(o, "state", "normal");
	check(json_is_false(json_object_get(o, "paused")));
	check(json_is_boolean(json_object_get(o, "provisional")));
	en = json_object_get(o, "entrustment");
	expect_str(en, "principal", NAME1_MASKED);
	check(has(jstr(en, "scope"), "全部环节"));
	check((jstr(en, "signed_on")) != NULL);
	check((jstr(en, "valid_until")) != NULL);
	check(json_is_false(json_object_get(en, "revoked")));
	for (i = 0; i < nreq; i++) {
		m = jfind_id(json_object_get(o, "materials"), "material", req_ids[i]);
		if (!m || !json_is_true(json_object_get(m, "received")) ||
		    !json_is_true(json_object_get(m, "required")) || !jstr(m, "name"))
			soft_fail("materials: want required material %lld received: %.1500s",
				req_ids[i], r.body);
		if (!m || json_integer_value(json_object_get(m, "custody_site_id")) != site_vil1)
			soft_fail("materials: want custody_site_id %lld: %.1500s", site_vil1, r.body);
	}
	json_array_foreach(json_object_get(o, "materials"), i, m) {
		if (json_is_false(json_object_get(m, "required")) &&
		    json_is_true(json_object_get(m, "received")))
			soft_fail("materials: conditional material %lld not sent but received: %.1500s",
				jint(m, "material"), r.body);
	}
	check(json_is_array(json_object_get(o, "handoffs")));
	check_int(json_array_size(json_object_get(o, "handoffs")), 0);
	expect_timeline(o, (const char *const[]){ "create" }, 1);
	tl = json_array_get(json_object_get(o, "timeline"), 0);
	expect_str(tl, "status", "intake");
	expect_int(tl, "user_id", agent_id);
	expect_int(tl, "site_id", site_vil1);
	if (!jarr_has_str(json_object_get(o, "allowed_actions"), "submit") ||
	    !jarr_has_str(json_object_get(o, "allowed_actions"), "withdraw"))
		soft_fail("allowed_actions: want submit and withdraw for the agent: %.300s", r.body);
	{
		static const char *const never[] = { "accept", "refuse", "forward", "decide", "issue",
						     "extend", "supplement", "receive", "archive" };

		for (i = 0; i < sizeof never / sizeof never[0]; i++)
			if (jarr_has_str(json_object_get(o, "allowed_actions"), never[i]))
				soft_fail("allowed_actions of the agent at intake, nothing missing, "
					  "lists %s: %.300s", never[i], r.body);
	}
	resp_free(&r);

	/* GET answers the same, masked */
	snprintf(path, sizeof path, CASES "/%s", r1);
	req(agent, "GET", path, NULL, NULL, &r);
	expect_status(&r, 200);
	expect_no_pii(&r);
	expect_str(r.json, "receipt", r1);
	expect_str(json_object_get(r.json, "applicant"), "id_number", ID1_MASKED);
	resp_free(&r);

	/* no missing materials: no notice */
	snprintf(path, sizeof path, CASES "/%s/notice", r1);
	req(agent, "GET", path, NULL, NULL, &r);
	if (r.status != 404)
		note("GET %s on a case with every required material: %ld (404 expected: no notice)",
		     path, r.status);
	resp_free(&r);

	/* ?reveal=id: the holder site's staff see the full number; others never */
	snprintf(path, sizeof path, CASES "/%s?reveal=id", r1);
	req(agent, "GET", path, NULL, NULL, &r);
	expect_status(&r, 200);
	expect_str(json_object_get(r.json, "applicant"), "id_number", ID1);
	resp_free(&r);
	req(clerk, "GET", path, NULL, NULL, &r);
	if (has(r.body, ID1)) {
		resp_dump(&r);
		soft_fail("a township clerk (not the holder site) got the full ID with ?reveal=id");
	}
	resp_free(&r);

	/* lists are masked too */
	req(clerk, "GET", CASES, NULL, NULL, &r);
	expect_status(&r, 200);
	expect_no_pii(&r);
	resp_free(&r);

	/* nothing is pending: supplement is not possible */
	{
		char body[64];
		long long cond[8];

		if (item_material_ids(relay_item, 0, cond, 8)) {
			snprintf(body, sizeof body, "{'materials':[%lld]}", cond[0]);
			act_wrong_state(agent, r1, "supplement", body, NULL);
		}
	}
}

static void test_create_notice(void **state)
{
	long long req_ids[32], skip[2];
	size_t nreq = item_material_ids(relay_item, 1, req_ids, 32);
	json_t *b, *o, *n, *miss;
	char path[160], due[11];
	const char *rc;
	struct resp r;

	(void)state;
	assert_true(nreq >= 2);
	skip[0] = req_ids[0];
	skip[1] = req_ids[nreq - 1];
	b = case_body(relay, relay_item, ID2, "station", 1, time(NULL), skip, 2);
	o = case_create(agent, b);
	json_decref(b);
	rc = jstr(o, "receipt");
	expect_str(o, "status", "intake");
	snprintf(path, sizeof path, CASES "/%s/notice", rc);
	req(agent, "GET", path, NULL, NULL, &r);
	expect_status(&r, 200);
	expect_no_pii(&r);
	n = r.json;
	expect_str(n, "receipt", rc);
	check((json_object_get(n, "item")) != NULL);
	miss = json_object_get(n, "missing");
	if (!json_is_array(miss) || json_array_size(miss) != 2 ||
	    !jfind_id(miss, "material", skip[0]) || !jfind_id(miss, "material", skip[1]))
		soft_fail("notice.missing: want exactly materials %lld and %lld: %s", skip[0], skip[1],
			r.body);
	for (size_t i = 0; i < 2; i++) {
		json_t *m = json_array_get(miss, i);

		if (!jstr(m, "name") || !json_object_get(m, "condition"))
			soft_fail("notice.missing[%zu]: want material, name, condition: %s", i, r.body);
	}
	expect_str(n, "given_on", jstr(o, "received_on"));
	cal_add(agent, jstr(o, "received_on"), 5, due);
	expect_str(n, "due", due);
	resp_free(&r);
	/* the clerk above sees it too; agent2 does not */
	req(clerk, "GET", path, NULL, NULL, &r);
	expect_status(&r, 200);
	resp_free(&r);
	req(agent2, "GET", path, NULL, NULL, &r);
	expect_error(&r, 403, "forbidden", NULL);
	resp_free(&r);
	json_decref(o);
}

static void test_idempotency(void **state)
{
	static const char *const key[] = { "Idempotency-Key: create-case-0001", NULL };
	json_t *b = case_body(relay, relay_item, ID2, "station", 1, time(NULL), NULL, 0);
	char *body = json_dumps(b, JSON_COMPACT), *other;
	json_t *before = list_receipts(agent, NULL), *after;
	struct resp r1r, r2r, r3r;

	(void)state;
	req(agent, "POST", CASES, body, key, &r1r);
	expect_status(&r1r, 201);
	req(agent, "POST", CASES, body, key, &r2r);
	expect_status(&r2r, 201);
	if (!jstr(r1r.json, "receipt") || !jstr(r2r.json, "receipt") ||
	    strcmp(jstr(r1r.json, "receipt"), jstr(r2r.json, "receipt")) != 0)
		soft_fail("same Idempotency-Key and body: want the same receipt: %s / %s", r1r.body,
			r2r.body);
	after = list_receipts(agent, NULL);
	check_int(json_array_size(after), json_array_size(before) + 1);
	check(jarr_has_str(after, jstr(r1r.json, "receipt")));
	json_decref(after);

	json_object_set_new(json_object_get(b, "applicant"), "phone", json_string("13900001111"));
	other = json_dumps(b, JSON_COMPACT);
	req(agent, "POST", CASES, other, key, &r3r);
	expect_error(&r3r, 422, "idempotency_mismatch", NULL);
	after = list_receipts(agent, NULL);
	check_int(json_array_size(after), json_array_size(before) + 1);
	json_decref(after);
	resp_free(&r1r);
	resp_free(&r2r);
	resp_free(&r3r);
	free(body);
	free(other);
	json_decref(before);
	json_decref(b);
}

/* District centres offer everything; a clerk needs no entrustment. */
static void test_city_offers_everything(void **state)
{
	json_t *item = item_full(admin, NEW_ITEM);
	json_t *b = case_body(NEW_ITEM, item, NULL, "window", 0, time(NULL), NULL, 0);
	json_t *o = case_create(cityclerk, b);

	(void)state;
	expect_case(o, "intake", site_city, -2);
	expect_str(o, "channel", "window");
	expect_int(o, "site_id", site_city);
	json_decref(o);
	json_decref(b);
	json_decref(item);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		case_test(test_create_complete),
		case_test(test_create_notice),
		case_test(test_idempotency),
		case_test(test_city_offers_everything),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("cases_create", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
