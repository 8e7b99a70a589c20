/*
 * API tests: 上门服务 home visits (docs/api-desk.md). For a case opened at the agent's village,
 * the agent and the township clerk schedule visits; the agent's day list (mine=true) is ordered
 * by time; done / cancel only from scheduled; another village can neither see the case nor be
 * its visiting agent; bad inputs write nothing; Idempotency-Key makes a retry the same visit.
 * Usage: api_front_visits <path to bangban> <data/catalog dir>
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

#include "front_util.h"

#define VISITS "/api/v1/home-visits"

static struct srv *srv;
static struct client *admin, *clerk, *agent, *agent2;
static char receipt[64], today[11], tomorrow[11], yesterday[11];
static long long agent_id, agent2_id, approver_id;
static long long v_late, v_early, v_tomorrow;

static long long user_id(const char *login)
{
	json_t *users = list_all(admin, "/api/v1/users");
	json_t *u = jfind(users, "login", login);
	long long id = u ? jint(u, "id") : 0;

	json_decref(users);
	if (!id)
		fail_at("no user %s", login);
	return id;
}

static int setup(void **state)
{
	const char *code;
	json_t *item, *b, *kase;

	if (srv_group_setup(state))
		return -1;
	srv = *state;
	admin = as(srv, "admin");
	clerk = as(srv, "clerk");
	agent = as(srv, "agent");
	agent2 = as(srv, "agent2");
	cases_load_sites(admin);
	agent_id = user_id("agent");
	agent2_id = user_id("agent2");
	approver_id = user_id("approver");
	front_today(today);
	date_shift(today, 1, tomorrow);
	date_shift(today, -1, yesterday);
	code = pick_item(admin, &(struct item_want){ .vil_mode = "collect" });
	item = item_full(admin, code);
	b = case_body(code, item, NULL, "home", 1, time(NULL), NULL, 0);
	kase = case_create(agent, b);
	snprintf(receipt, sizeof receipt, "%s", jstr(kase, "receipt"));
	json_decref(kase);
	json_decref(b);
	json_decref(item);
	return 0;
}

static int teardown(void **state)
{
	struct client *all[] = { admin, clerk, agent, agent2 };

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		client_free(all[i]);
	return srv_group_teardown(state);
}

static json_t *visit_body(const char *day, const char *time_, long long agent_user)
{
	json_t *b = json_pack("{s:s,s:s,s:s,s:s}", "case", receipt, "day", day, "address",
			      "桑根达来社区2号楼3单元", "group", "elderly_alone");

	if (time_)
		json_object_set_new(b, "time", json_string(time_));
	if (agent_user)
		json_object_set_new(b, "agent", json_integer(agent_user));
	return b;
}

static long long schedule(struct client *c, const char *day, const char *time_,
			  long long agent_user)
{
	json_t *b = visit_body(day, time_, agent_user);
	struct resp r;
	long long id;

	req_json(c, "POST", VISITS, b, &r);
	json_decref(b);
	expect_status(&r, 201);
	id = jint(r.json, "id");
	expect_str(r.json, "status", "scheduled");
	expect_str(r.json, "day", day);
	expect_str(json_object_get(r.json, "case"), "receipt", receipt);
	expect_int(json_object_get(r.json, "agent"), "id", agent_user ? agent_user : agent_id);
	expect_int(r.json, "site_id", site_vil1);
	resp_free(&r);
	return id;
}

static void test_schedule(void **state)
{
	const char *hdr[] = { "Idempotency-Key: visit-1", NULL };
	json_t *b;
	struct resp r1, r2;
	char *text;

	(void)state;
	v_late = schedule(agent, today, "15:00", 0);          /* the agent for themselves */
	v_early = schedule(clerk, today, "09:00", agent_id);  /* the township for the agent */
	b = visit_body(tomorrow, NULL, agent_id);
	text = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	req(clerk, "POST", VISITS, text, hdr, &r1);
	req(clerk, "POST", VISITS, text, hdr, &r2);
	free(text);
	expect_status(&r1, 201);
	expect_status(&r2, 201);
	v_tomorrow = jint(r1.json, "id");
	check_int(jint(r2.json, "id"), v_tomorrow);
	expect_null(r1.json, "time");
	resp_free(&r1);
	resp_free(&r2);
}

static void test_day_list(void **state)
{
	char path[128];
	json_t *l;

	(void)state;
	snprintf(path, sizeof path, VISITS "?date=%s&mine=true", today);
	l = list_all(agent, path);
	check_int(json_array_size(l), 2);
	if (json_array_size(l) == 2) {
		check_int(jint(json_array_get(l, 0), "id"), v_early);
		check_int(jint(json_array_get(l, 1), "id"), v_late);
	}
	json_decref(l);
	l = list_all(agent, VISITS "?mine=true");
	check_int(json_array_size(l), 3);
	if (json_array_size(l) == 3)
		check_int(jint(json_array_get(l, 2), "id"), v_tomorrow);
	json_decref(l);
	/* the township sees its village's visits; the clerk has none as agent */
	l = list_all(clerk, VISITS);
	check_int(json_array_size(l), 3);
	json_decref(l);
	l = list_all(clerk, VISITS "?mine=true");
	check_int(json_array_size(l), 0);
	json_decref(l);
	/* another village sees none, and cannot open one */
	l = list_all(agent2, VISITS);
	check_int(json_array_size(l), 0);
	json_decref(l);
	snprintf(path, sizeof path, VISITS "/%lld", v_early);
	check_int(get_status(agent2, path), 403);
	check_int(get_status(agent, path), 200);
	check_int(get_status(agent, VISITS "?date=2026-13-01"), 422);
	check_int(get_status(agent, VISITS "?mine=yes"), 422);
	check_int(get_status(agent, VISITS "?status=lost"), 422);
}

static void test_bad_inputs(void **state)
{
	json_t *before = list_all(admin, VISITS), *after, *b;
	struct resp r;
	static const struct {
		const char *key;
		int kind;                 /* 0 string, 1 integer, 2 remove */
		const char *s;
		long long i;
		long status;
		const char *code, *field;
	} bad[] = {
		{ "day", 0, NULL, 0, 422, "invalid", "day" },            /* yesterday */
		{ "day", 0, "2026-02-30", 0, 422, "invalid", "day" },
		{ "time", 0, "25:00", 0, 422, "invalid", "time" },
		{ "address", 0, "", 0, 422, "invalid", "address" },
		{ "address", 2, NULL, 0, 422, "missing_field", "address" },
		{ "group", 0, "vip", 0, 422, "invalid", "group" },
		{ "case", 0, "SQ00000000000000", 0, 422, "invalid", "case" },
		{ "agent", 1, NULL, -1, 422, "invalid", "agent" },       /* agent2: another village */
		{ "agent", 1, NULL, -2, 422, "invalid", "agent" },       /* an approver */
		{ "agent", 1, NULL, 999999, 422, "invalid", "agent" },
		{ "agent", 0, "5", 0, 422, "wrong_type", "agent" },
		{ "extra", 0, "x", 0, 422, "unknown_field", "extra" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		b = visit_body(today, "10:00", 0);
		if (bad[i].kind == 2)
			json_object_del(b, bad[i].key);
		else if (bad[i].kind == 1)
			json_object_set_new(b, bad[i].key,
					    json_integer(bad[i].i == -1 ? agent2_id :
							 bad[i].i == -2 ? approver_id : bad[i].i));
		else
			json_object_set_new(b, bad[i].key,
					    json_string(bad[i].s ? bad[i].s : yesterday));
		req_json(clerk, "POST", VISITS, b, &r);
		if (error_mismatch(&r, bad[i].status, bad[i].code, bad[i].field)) {
			print_mismatch(&r, "bad visit", bad[i].status, bad[i].code, bad[i].field);
			soft_fail("case %zu", i);
		}
		resp_free(&r);
		json_decref(b);
	}
	/* another village's agent cannot even see the case */
	b = visit_body(today, NULL, 0);
	req_json(agent2, "POST", VISITS, b, &r);
	expect_error(&r, 403, "forbidden", NULL);
	resp_free(&r);
	json_decref(b);
	after = list_all(admin, VISITS);
	if (!json_equal(before, after))
		soft_fail("bad visits wrote something");
	json_decref(before);
	json_decref(after);
}

static void test_done_cancel(void **state)
{
	char path[128];
	struct resp r;

	(void)state;
	snprintf(path, sizeof path, VISITS "/%lld/actions/done", v_early);
	req(agent2, "POST", path, "{\"outcome\":\"x\"}", NULL, &r);
	expect_error(&r, 403, "forbidden", NULL);
	resp_free(&r);
	req(agent, "POST", path, "{}", NULL, &r);
	expect_error(&r, 422, "missing_field", "outcome");
	resp_free(&r);
	req(agent, "POST", path, "{\"outcome\":\"已上门收取材料,老人签字确认\"}", NULL, &r);
	expect_status(&r, 200);
	expect_str(r.json, "status", "done");
	expect_str(r.json, "outcome", "已上门收取材料,老人签字确认");
	resp_free(&r);
	req(agent, "POST", path, "{\"outcome\":\"again\"}", NULL, &r);
	expect_error(&r, 409, "wrong_state", NULL);
	resp_free(&r);
	snprintf(path, sizeof path, VISITS "/%lld/actions/cancel", v_early);
	req(agent, "POST", path, "{\"reason\":\"x\"}", NULL, &r);
	expect_error(&r, 409, "wrong_state", NULL);
	resp_free(&r);

	snprintf(path, sizeof path, VISITS "/%lld/actions/cancel", v_tomorrow);
	req(clerk, "POST", path, "{\"outcome\":\"x\"}", NULL, &r);
	expect_error(&r, 422, "unknown_field", "outcome");
	resp_free(&r);
	req(clerk, "POST", path, "{\"reason\":\"老人住院,改期\"}", NULL, &r);
	expect_status(&r, 200);
	expect_str(r.json, "status", "cancelled");
	resp_free(&r);
	snprintf(path, sizeof path, VISITS "/%lld/actions/postpone", v_late);
	req(agent, "POST", path, "{}", NULL, &r);
	expect_error(&r, 404, "no_route", NULL);
	resp_free(&r);

	json_t *l = list_all(agent, VISITS "?mine=true&status=scheduled");
	check_int(json_array_size(l), 1);
	json_decref(l);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		case_test(test_schedule),
		case_test(test_day_list),
		case_test(test_bad_inputs),
		case_test(test_done_cancel),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("front_visits", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
