/*
 * API tests: a case up and down the relay (docs/api.md "Cases (办件)", actions): village ->
 * township -> city centre -> the department's approver -> issued back to the village ->
 * archived, with the holder, status, handoffs, acceptance date and deadline at every step;
 * wrong-state actions 409 wrong_state with `allowed`, wrong role or site 403, stale If-Match 412,
 * Idempotency-Key on actions, one timeline event per action; refusing and withdrawing.
 * Usage: api_test_cases_relay <path to bangban> <data/catalog dir>
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

static struct client *admin, *agent, *agent2, *clerk, *cityclerk, *approver, *approver2;
static char relay[32];     /* village: collect, township: not accept, rs, not immediate */
static json_t *relay_item;
static long long mats[32]; /* its required materials */
static size_t nmats;
static long long id_agent, id_clerk, id_cityclerk;

static int setup(void **state)
{
	if (srv_group_setup(state))
		return -1;
	admin = as(*state, "admin");
	agent = as(*state, "agent");
	agent2 = as(*state, "agent2");
	clerk = as(*state, "clerk");
	cityclerk = as(*state, "cityclerk");
	approver = as(*state, "approver");
	approver2 = as(*state, "approver2");
	cases_load_sites(admin);
	snprintf(relay, sizeof relay, "%s",
		 pick_item(admin, &(struct item_want){ .vil_mode = "collect", .town_mode = "-accept",
						       .department = "rs", .case_type = "-immediate",
						       .min_days = 1 }));
	relay_item = item_full(admin, relay);
	nmats = item_material_ids(relay_item, 1, mats, 32);
	id_agent = me_id(agent);
	id_clerk = me_id(clerk);
	id_cityclerk = me_id(cityclerk);
	return 0;
}

static int teardown(void **state)
{
	struct client *all[] = { admin, agent, agent2, clerk, cityclerk, approver, approver2 };

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		client_free(all[i]);
	json_decref(relay_item);
	return srv_group_teardown(state);
}

/* A case on its way, with the timeline it must have. */
struct run {
	char receipt[64];
	long long version;
	const char *acts[40];
	const char *stats[40];
	size_t n;
};

static void run_check(struct run *u, const json_t *o, const char *action, const char *status)
{
	json_t *tl = json_object_get(o, "timeline");
	long long v = jint(o, "version");

	if (u->n && v <= u->version)
		soft_fail("%s: version %lld did not grow past %lld", action, v, u->version);
	u->version = v;
	u->acts[u->n] = action;
	u->stats[u->n] = status;
	u->n++;
	expect_timeline(o, u->acts, u->n);
	for (size_t i = 0; i < u->n; i++)
		if (!jstr(json_array_get(tl, i), "status") ||
		    strcmp(jstr(json_array_get(tl, i), "status"), u->stats[i]) != 0) {
			char *d = json_dumps(tl, JSON_COMPACT);

			fprintf(stderr, "  timeline: %.3000s\n", d ? d : "");
			free(d);
			soft_fail("timeline[%zu] (%s): want status %s", i, u->acts[i], u->stats[i]);
		}
}

/* Runs an action that must succeed and checks status, holder and the timeline. */
#define step(u, c, action, body, status, hsite, huser) \
	step_at(__FILE__, __LINE__, (u), (c), (action), (body), (status), (hsite), (huser))
static json_t *step_at(const char *file, int line, struct run *u, struct client *c,
		       const char *action, const char *body, const char *status, long long hsite,
		       long long huser)
{
	json_t *o = act_ok_at(file, line, c, u->receipt, action, body);

	expect_case_at(file, line, o, status, hsite, huser);
	run_check(u, o, action, status);
	return o;
}

static void expect_today(const json_t *o, const char *key)
{
	char t[11], y[11];
	long long now = (long long)time(NULL);
	const char *d = jstr(o, key);

	cn_date(now, 0, t);
	cn_date(now - 600, 0, y);
	if (!d || (strcmp(d, t) != 0 && strcmp(d, y) != 0))
		soft_fail("%s: want today (%s), got %s", key, t, d ? d : "(null)");
}

static void test_full_relay(void **state)
{
	struct run u = { .n = 0 };
	json_t *b = case_body(relay, relay_item, NULL, "station", 1, time(NULL), NULL, 0), *o;
	char to_vil[64];
	long long v_created;
	struct resp r;

	(void)state;
	o = case_create(agent, b);
	json_decref(b);
	snprintf(u.receipt, sizeof u.receipt, "%s", jstr(o, "receipt"));
	expect_case(o, "intake", site_vil1, -2);
	run_check(&u, o, "create", "intake");
	v_created = u.version;
	json_decref(o);

	/* at intake: nothing to receive, issue, return, visit or archive; agents cannot accept or
	 * refuse; another station cannot touch it */
	act_wrong_state(agent, u.receipt, "archive", "{}", "submit");
	act_wrong_state(agent, u.receipt, "visit", "{'satisfied':true}", "submit");
	act_wrong_state(agent, u.receipt, "return_materials", "{'note':'x'}", "submit");
	act_wrong_state(agent, u.receipt, "receive", "{}", "submit");
	act_error(agent, u.receipt, "accept", "{}", 403, "forbidden", NULL);
	act_error(agent, u.receipt, "refuse", "{'reason':'不符合条件','legal_basis':'某条'}", 403,
		  "forbidden", NULL);
	act_error(agent2, u.receipt, "submit", "{}", 403, "forbidden", NULL);

	/* village -> township (default: the parent), with an Idempotency-Key retried */
	case_act(agent, u.receipt, "submit", "{'note':'材料齐全，请受理'}", -1, "relay-submit-1", &r);
	expect_status(&r, 200);
	expect_case(r.json, "submitted", site_town, -1);
	expect_handoff(r.json, site_vil1, site_town, mats, nmats, 0);
	run_check(&u, r.json, "submit", "submitted");
	resp_free(&r);
	case_act(agent, u.receipt, "submit", "{'note':'材料齐全，请受理'}", -1, "relay-submit-1", &r);
	expect_status(&r, 200);
	expect_int(r.json, "version", u.version);
	expect_timeline(r.json, u.acts, u.n);
	resp_free(&r);

	/* township: a stale If-Match is refused; then it receives, cannot accept (it only collects
	 * this item), and passes it up */
	case_act(clerk, u.receipt, "receive", "{}", v_created, NULL, &r);
	expect_error(&r, 412, "version_mismatch", NULL);
	resp_free(&r);
	o = case_get(clerk, u.receipt);
	expect_int(o, "version", u.version);
	json_decref(o);
	case_act(clerk, u.receipt, "receive", "{}", u.version, NULL, &r);
	expect_status(&r, 200);
	expect_case(r.json, "submitted", site_town, id_clerk);
	expect_handoff(r.json, site_vil1, site_town, mats, nmats, 1);
	run_check(&u, r.json, "receive", "submitted");
	resp_free(&r);
	act_error(clerk, u.receipt, "accept", "{}", 403, "forbidden", NULL);
	act_error(agent, u.receipt, "submit", "{}", 403, "forbidden", NULL);
	/* the full ID: to the holder site's staff only */
	{
		char path[160];

		snprintf(path, sizeof path, CASES "/%s?reveal=id", u.receipt);
		req(clerk, "GET", path, NULL, NULL, &r);
		expect_status(&r, 200);
		expect_str(json_object_get(r.json, "applicant"), "id_number", ID1);
		resp_free(&r);
		req(agent, "GET", path, NULL, NULL, &r);
		if (has(r.body, ID1))
			soft_fail("?reveal=id as the agent after the case left his station: full ID shown");
		resp_free(&r);
	}
	o = step(&u, clerk, "submit", "{}", "submitted", site_city, -1);
	expect_handoff(o, site_town, site_city, mats, nmats, 0);
	check_int(json_array_size(json_object_get(o, "handoffs")), 2);
	json_decref(o);

	/* city centre: receives, accepts (the promised clock starts) */
	o = step(&u, cityclerk, "receive", "{}", "submitted", site_city, id_cityclerk);
	expect_handoff(o, site_town, site_city, mats, nmats, 1);
	expect_null(o, "accepted_on");
	json_decref(o);
	o = step(&u, cityclerk, "accept", "{'note':'受理'}", "accepted", site_city, id_cityclerk);
	expect_today(o, "accepted_on");
	expect_deadline(cityclerk, o, jstr(o, "accepted_on"));
	check(json_is_integer(json_object_get(o, "days_left")));
	json_decref(o);
	act_wrong_state(approver, u.receipt, "decide", "{'approved':true,'reason':'符合条件'}", NULL);
	act_wrong_state(cityclerk, u.receipt, "accept", "{}", "forward");
	act_wrong_state(cityclerk, u.receipt, "submit", "{}", "forward");
	act_wrong_state(cityclerk, u.receipt, "issue", "{}", "forward");

	/* back office: only the item's department decides */
	o = step(&u, cityclerk, "forward", "{'note':'请审批'}", "in_review", site_city, -2);
	note("after forward: holder_user_id %s",
	     json_is_null(json_object_get(o, "holder_user_id")) ? "null" : "set");
	json_decref(o);
	act_error(approver2, u.receipt, "decide", "{'approved':true,'reason':'越权'}", 403,
		  "forbidden", NULL);
	act_error(cityclerk, u.receipt, "decide", "{'approved':true,'reason':'越权'}", 403,
		  "forbidden", NULL);
	act_wrong_state(cityclerk, u.receipt, "forward", "{}", NULL);
	o = step(&u, approver, "decide", "{'approved':true,'reason':'符合条件，准予办理'}", "decided",
		 site_city, -2);
	json_decref(o);
	act_wrong_state(approver, u.receipt, "decide", "{'approved':true,'reason':'再次'}", NULL);

	/* issued down to the village directly */
	snprintf(to_vil, sizeof to_vil, "{'to_site':%lld}", site_vil1);
	o = step(&u, cityclerk, "issue", to_vil, "issued", site_vil1, -1);
	expect_handoff(o, site_city, site_vil1, NULL, 0, 0);
	json_decref(o);
	act_wrong_state(agent, u.receipt, "archive", "{}", NULL);
	o = step(&u, agent, "receive", "{}", "issued", site_vil1, id_agent);
	expect_handoff(o, site_city, site_vil1, NULL, 0, 1);
	json_decref(o);

	/* archive only after the originals are returned and the resident was called back */
	act_wrong_state(agent, u.receipt, "archive", "{}", "return_materials");
	o = step(&u, agent, "return_materials", "{'note':'原件已退还，申请人签收'}", "issued",
		 site_vil1, id_agent);
	json_decref(o);
	act_wrong_state(agent, u.receipt, "archive", "{}", "visit");
	o = step(&u, agent, "visit", "{'satisfied':true,'note':'电话回访，满意'}", "issued", site_vil1,
		 id_agent);
	json_decref(o);
	o = step(&u, agent, "archive", "{}", "archived", site_vil1, -2);
	if (json_array_size(json_object_get(o, "allowed_actions")) != 0)
		soft_fail("archived: want allowed_actions [], got %zu",
			json_array_size(json_object_get(o, "allowed_actions")));
	expect_deadline(cityclerk, o, jstr(o, "accepted_on"));
	json_decref(o);
	act_wrong_state(agent, u.receipt, "withdraw", "{'reason':'撤回'}", NULL);
	act_wrong_state(agent, u.receipt, "archive", "{}", NULL);

	/* everyone on the way reads the same history */
	o = case_get(clerk, u.receipt);
	expect_timeline(o, u.acts, u.n);
	check_int(json_array_size(json_object_get(o, "handoffs")), 3);
	json_decref(o);
}

static void test_refuse(void **state)
{
	json_t *b = case_body(relay, relay_item, ID2, "window", 0, time(NULL), NULL, 0), *o;
	struct run u = { .n = 0 };

	(void)state;
	o = case_create(cityclerk, b); /* only a site that accepts the item may refuse it */
	json_decref(b);
	snprintf(u.receipt, sizeof u.receipt, "%s", jstr(o, "receipt"));
	expect_case(o, "intake", site_city, -2);
	run_check(&u, o, "create", "intake");
	json_decref(o);
	act_error(cityclerk, u.receipt, "refuse", "{}", 422, "missing_field", NULL);
	act_error(cityclerk, u.receipt, "refuse", "{'reason':'不属于本事项受理范围'}", 422,
		  "missing_field", "legal_basis");
	act_error(cityclerk, u.receipt, "refuse", "{'legal_basis':'《行政许可法》第三十二条'}", 422,
		  "missing_field", "reason");
	act_error(cityclerk, u.receipt, "refuse", "{'reason':'','legal_basis':'《行政许可法》第三十二条'}",
		  422, NULL, "reason");
	o = step(&u, cityclerk, "refuse",
		 "{'reason':'申请事项依法不需要取得行政许可','legal_basis':'《行政许可法》第三十二条第一款第一项'}",
		 "refused", site_city, -2);
	if (json_array_size(json_object_get(o, "allowed_actions")) != 0)
		soft_fail("refused: want allowed_actions []");
	json_decref(o);
	act_wrong_state(cityclerk, u.receipt, "submit", "{}", NULL);
	act_wrong_state(cityclerk, u.receipt, "accept", "{}", NULL);
	act_wrong_state(cityclerk, u.receipt, "withdraw", "{'reason':'撤回'}", NULL);
	o = case_get(cityclerk, u.receipt);
	expect_timeline(o, u.acts, u.n);
	json_decref(o);
}

static void test_withdraw(void **state)
{
	json_t *b = case_body(relay, relay_item, ID2, "station", 1, time(NULL), NULL, 0), *o;
	struct run u = { .n = 0 }, w = { .n = 0 };

	(void)state;
	/* at intake, by the agent */
	o = case_create(agent, b);
	json_decref(b);
	snprintf(u.receipt, sizeof u.receipt, "%s", jstr(o, "receipt"));
	run_check(&u, o, "create", "intake");
	json_decref(o);
	o = step(&u, agent, "withdraw", "{'reason':'申请人主动撤回'}", "withdrawn", site_vil1, -2);
	if (json_array_size(json_object_get(o, "allowed_actions")) != 0)
		soft_fail("withdrawn: want allowed_actions []");
	json_decref(o);
	act_wrong_state(agent, u.receipt, "submit", "{}", NULL);
	act_wrong_state(agent, u.receipt, "withdraw", "{'reason':'再次撤回'}", NULL);

	/* after acceptance, at the city centre */
	b = case_body(relay, relay_item, ID2, "window", 0, time(NULL), NULL, 0);
	o = case_create(cityclerk, b);
	json_decref(b);
	snprintf(w.receipt, sizeof w.receipt, "%s", jstr(o, "receipt"));
	run_check(&w, o, "create", "intake");
	json_decref(o);
	o = step(&w, cityclerk, "accept", "{}", "accepted", site_city, id_cityclerk);
	json_decref(o);
	o = step(&w, cityclerk, "withdraw", "{'reason':'申请人书面申请撤回'}", "withdrawn", site_city,
		 -2);
	json_decref(o);
	act_wrong_state(cityclerk, w.receipt, "forward", "{}", NULL);
	act_wrong_state(approver, w.receipt, "decide", "{'approved':true,'reason':'x'}", NULL);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		case_test(test_full_relay),
		case_test(test_refuse),
		case_test(test_withdraw),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("cases_relay", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
