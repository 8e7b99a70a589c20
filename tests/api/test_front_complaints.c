/*
 * API tests: 办不成事 complaints (docs/api-desk.md): a resident files one on the public page and
 * follows it up with code + phone; township staff assign and answer it; the resident rates the
 * answer, which closes it. Window filing (with Idempotency-Key), bad inputs writing nothing,
 * filters, the overdue state after the 5 working days (across 国庆 2026), and the per-address
 * limits (10 filings an hour; wrong look-ups) answered 429 with Retry-After.
 * The server runs at 2026-09-30 10:00 +08:00: 5 working days later is 2026-10-13.
 * Usage: api_front_complaints <path to bangban> <data/catalog dir>
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

#define PUB "/api/v1/public/complaints"
#define STAFF "/api/v1/complaints"
#define DAY0 "2026-09-30"
#define DUE0 "2026-10-13"
#define COMPLAINT_TRIES 12

static struct srv *srv;
static struct client *admin, *clerk, *agent, *agent2, *cityclerk, *anon;
static char item[32];
static char code1[16];         /* the public complaint of the full flow */
static long long id1;
static int filed;              /* public filings from this address so far */

static void sign_in_all(void)
{
	struct client **all[] = { &admin, &clerk, &agent, &agent2, &cityclerk };
	const char *logins[] = { "admin", "clerk", "agent", "agent2", "cityclerk" };

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		client_free(*all[i]);
		*all[i] = as(srv, logins[i]);
	}
}

static void start_at(const char *date, int restart)
{
	char t[32];
	const char *extra[] = { "--fake-now", t, NULL };

	snprintf(t, sizeof t, "%lld", cn_ten_oclock(date));
	if (restart) {
		if (srv_restart_args(srv, extra) != 0)
			fail_at("restarting the server at %s failed", date);
	} else {
		srv = srv_start_args(extra);
	}
}

static int setup(void **state)
{
	start_at(DAY0, 0);
	*state = srv;
	if (!srv)
		return -1;
	sign_in_all();
	anon = client_new(srv);
	cases_load_sites(admin);
	snprintf(item, sizeof item, "%s", pick_item(admin, &(struct item_want){ .vil_mode = "collect" }));
	return 0;
}

static int teardown(void **state)
{
	struct client *all[] = { admin, clerk, agent, agent2, cityclerk, anon };

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		client_free(all[i]);
	return srv_group_teardown(state);
}

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

/* Every complaint admin lists: compare before and after to see that nothing was written. */
static json_t *all_complaints(void)
{
	return list_all(admin, STAFF);
}

static void expect_unchanged(json_t *before)
{
	json_t *after = all_complaints();

	if (!json_equal(before, after))
		soft_fail("complaints changed: %zu before, %zu after", json_array_size(before),
			  json_array_size(after));
	json_decref(after);
	json_decref(before);
}

static json_t *post_ok(struct client *c, const char *path, const char *body, long want)
{
	struct resp r;
	json_t *o;

	req(c, "POST", path, body, NULL, &r);
	expect_status(&r, want);
	if (has(r.body, PHONE1) || has(r.body, NAME1))
		soft_fail("%s: the answer shows the phone or name in clear", r.what);
	o = json_incref(r.json);
	resp_free(&r);
	return o;
}

static void expect_err(struct client *c, const char *method, const char *path, const char *body,
		       long status, const char *code, const char *field)
{
	struct resp r;

	req(c, method, path, body, NULL, &r);
	if (error_mismatch(&r, status, code, field)) {
		print_mismatch(&r, "error", status, code, field);
		soft_fail("%s", r.what);
	}
	resp_free(&r);
}

static void test_public_flow(void **state)
{
	char body[512], path[160];
	json_t *o, *list, *c;

	(void)state;
	snprintf(body, sizeof body, "{\"site_id\":%lld,\"item\":\"%s\",\"name\":\"%s\","
		 "\"phone\":\"%s\",\"description\":\"社保卡补办说要回户籍地\"}", site_vil1, item, NAME1, PHONE1);
	o = post_ok(anon, PUB, body, 201);
	filed++;
	snprintf(code1, sizeof code1, "%s", jstr(o, "code") ? jstr(o, "code") : "");
	check_int(strlen(code1), 8);
	expect_str(o, "status", "open");
	expect_str(o, "opened_on", DAY0);
	expect_str(o, "due", DUE0);
	expect_str(json_object_get(o, "item"), "code", item);
	json_decref(o);

	/* follow-up: right pair, wrong phone, unknown code */
	snprintf(path, sizeof path, PUB "/%s?phone=%s", code1, PHONE1);
	o = get_json(anon, path);
	expect_str(o, "status", "open");
	expect_str(o, "code", code1);
	check(!json_object_get(o, "phone") && !json_object_get(o, "name"));
	json_decref(o);
	snprintf(path, sizeof path, PUB "/%s?phone=13900000000", code1);
	expect_err(anon, "GET", path, NULL, 404, "not_found", NULL);
	snprintf(path, sizeof path, PUB "/ZZZZZZZZ?phone=%s", PHONE1);
	expect_err(anon, "GET", path, NULL, 404, "not_found", NULL);

	/* the township sees it, masked; another village does not */
	list = list_all(clerk, STAFF);
	c = jfind(list, "code", code1);
	check(c != NULL);
	if (c) {
		id1 = jint(c, "id");
		expect_str(c, "name", NAME1_MASKED);
		expect_str(c, "phone", PHONE1_MASKED);
		expect_str(c, "source", "web");
		expect_str(c, "state", "normal");
		expect_int(c, "site_id", site_vil1);
	}
	json_decref(list);
	snprintf(path, sizeof path, STAFF "/%lld", id1);
	check_int(get_status(agent2, path), 403);
	check_int(get_status(agent, path), 200);

	/* assign: to the village's agent (the site itself) or above; not to another village */
	snprintf(path, sizeof path, STAFF "/%lld/actions/assign", id1);
	snprintf(body, sizeof body, "{\"user\":%lld}", user_id("agent2"));
	expect_err(clerk, "POST", path, body, 422, "invalid", "user");
	snprintf(body, sizeof body, "{\"user\":%lld}", user_id("approver"));
	expect_err(clerk, "POST", path, body, 422, "invalid", "user");
	snprintf(body, sizeof body, "{\"user\":%lld}", user_id("agent"));
	expect_err(agent2, "POST", path, body, 403, "forbidden", NULL);
	o = post_ok(clerk, path, body, 200);
	expect_str(o, "status", "assigned");
	expect_int(json_object_get(o, "assignee"), "id", user_id("agent"));
	json_decref(o);

	/* the resident cannot rate before the answer; staff cannot close before it */
	snprintf(path, sizeof path, PUB "/%s/rate", code1);
	snprintf(body, sizeof body, "{\"phone\":\"%s\",\"level\":4}", PHONE1);
	expect_err(anon, "POST", path, body, 409, "wrong_state", NULL);
	snprintf(path, sizeof path, STAFF "/%lld/actions/close", id1);
	expect_err(clerk, "POST", path, "{}", 409, "wrong_state", NULL);

	snprintf(path, sizeof path, STAFF "/%lld/actions/answer", id1);
	o = post_ok(agent, path, "{\"answer\":\"已协调县社保中心,可在乡镇补办\"}", 200);
	expect_str(o, "status", "answered");
	check(jstr(o, "answered_at") != NULL);
	json_decref(o);
	expect_err(agent, "POST", path, "{\"answer\":\"again\"}", 409, "wrong_state", NULL);

	snprintf(path, sizeof path, PUB "/%s?phone=%s", code1, PHONE1);
	o = get_json(anon, path);
	expect_str(o, "status", "answered");
	expect_str(o, "answer", "已协调县社保中心,可在乡镇补办");
	json_decref(o);

	snprintf(path, sizeof path, PUB "/%s/rate", code1);
	expect_err(anon, "POST", path, "{\"phone\":\"13900000000\",\"level\":4}", 404, "not_found", NULL);
	snprintf(body, sizeof body, "{\"phone\":\"%s\",\"level\":6}", PHONE1);
	expect_err(anon, "POST", path, body, 422, "invalid", "level");
	snprintf(body, sizeof body, "{\"phone\":\"%s\",\"level\":4}", PHONE1);
	o = post_ok(anon, path, body, 200);
	expect_str(o, "status", "closed");
	expect_int(o, "level", 4);
	json_decref(o);
	expect_err(anon, "POST", path, body, 409, "wrong_state", NULL);

	snprintf(path, sizeof path, STAFF "/%lld", id1);
	o = get_json(clerk, path);
	expect_str(o, "status", "closed");
	expect_int(o, "level", 4);
	json_decref(o);
}

static void test_window_filing(void **state)
{
	const char *hdr[] = { "Idempotency-Key: complaint-window-1", NULL };
	const char *body = "{\"name\":\"" NAME1 "\",\"phone\":\"" PHONE1 "\","
			   "\"description\":\"低保申请被要求开无犯罪证明\"}";
	struct resp r1, r2;
	json_t *before, *after, *o;
	char path[96];
	long long id;

	(void)state;
	before = all_complaints();
	req(clerk, "POST", STAFF, body, hdr, &r1);
	expect_status(&r1, 201);
	req(clerk, "POST", STAFF, body, hdr, &r2);
	expect_status(&r2, 201);
	id = jint(r1.json, "id");
	check_int(jint(r2.json, "id"), id);
	expect_str(r1.json, "source", "window");
	expect_int(r1.json, "site_id", site_town);
	expect_str(r1.json, "due", DUE0);
	resp_free(&r1);
	resp_free(&r2);
	after = all_complaints();
	check_int(json_array_size(after), json_array_size(before) + 1);
	json_decref(before);
	json_decref(after);

	/* a village agent files at their own station; not at the township */
	tvar_set('V', site_vil1);
	{
		struct resp r;
		reqt(agent, "POST", STAFF, "{'site_id':$V,'name':'巴特尔','phone':'13900001111',"
		     "'description':'x'}", &r);
		expect_status(&r, 201);
		expect_int(r.json, "site_id", site_vil1);
		resp_free(&r);
		tvar_set('V', site_town);
		reqt(agent, "POST", STAFF, "{'site_id':$V,'name':'巴特尔','phone':'13900001111',"
		     "'description':'x'}", &r);
		expect_error(&r, 403, "forbidden", NULL);
		resp_free(&r);
	}

	/* answered then closed by staff */
	snprintf(path, sizeof path, STAFF "/%lld/actions/answer", id);
	json_decref(post_ok(cityclerk, path, "{\"answer\":\"已纠正\"}", 200));
	snprintf(path, sizeof path, STAFF "/%lld/actions/close", id);
	o = post_ok(cityclerk, path, "{}", 200);
	expect_str(o, "status", "closed");
	json_decref(o);
}

static void test_bad_inputs(void **state)
{
	static const struct {
		const char *body, *code, *field;
	} bad[] = {
		{ "{'item':null,'name':'a','phone':'13812345678','description':'d'}", "missing_field", "site_id" },
		{ "{'site_id':999999,'name':'a','phone':'13812345678','description':'d'}", "invalid", "site_id" },
		{ "{'site_id':$S,'name':'a','phone':'12345','description':'d'}", "invalid", "phone" },
		{ "{'site_id':$S,'name':'','phone':'13812345678','description':'d'}", "invalid", "name" },
		{ "{'site_id':$S,'name':'a','phone':'13812345678','description':''}", "invalid", "description" },
		{ "{'site_id':$S,'name':'a','phone':'13812345678'}", "missing_field", "description" },
		{ "{'site_id':$S,'item':'99999999999','name':'a','phone':'13812345678','description':'d'}", "invalid", "item" },
		{ "{'site_id':'5','name':'a','phone':'13812345678','description':'d'}", "wrong_type", "site_id" },
		{ "{'site_id':$S,'name':'a','phone':'13812345678','description':'d','x':1}", "unknown_field", "x" },
	};
	json_t *before = all_complaints();
	char *longtext = malloc(2100 * 3 + 128), path[96];
	struct resp r;

	(void)state;
	tvar_set('S', site_vil1);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		reqt(anon, "POST", PUB, bad[i].body, &r);
		if (error_mismatch(&r, 422, bad[i].code, bad[i].field)) {
			print_mismatch(&r, "bad public filing", 422, bad[i].code, bad[i].field);
			soft_fail("case %zu", i);
		}
		resp_free(&r);
		if (i == 0)
			continue; /* staff may leave site_id out: their own site */
		reqt(clerk, "POST", STAFF, bad[i].body, &r);
		if (error_mismatch(&r, 422, bad[i].code, bad[i].field)) {
			print_mismatch(&r, "bad window filing", 422, bad[i].code, bad[i].field);
			soft_fail("case %zu", i);
		}
		resp_free(&r);
	}
	/* 2001 characters of description */
	strcpy(longtext, "{\"site_id\":1,\"name\":\"a\",\"phone\":\"13812345678\",\"description\":\"");
	for (int i = 0; i < 2001; i++)
		strcat(longtext, "字");
	strcat(longtext, "\"}");
	expect_err(anon, "POST", PUB, longtext, 422, "invalid", "description");
	free(longtext);
	expect_err(anon, "POST", PUB, "[1]", 422, "wrong_type", NULL);
	expect_err(anon, "POST", PUB, "{", 400, "bad_json", NULL);

	/* staff actions */
	snprintf(path, sizeof path, STAFF "/%lld/actions/assign", id1);
	expect_err(clerk, "POST", path, "{}", 422, "missing_field", "user");
	snprintf(path, sizeof path, STAFF "/%lld/actions/answer", id1);
	expect_err(clerk, "POST", path, "{\"answer\":\"\"}", 422, "invalid", "answer");
	snprintf(path, sizeof path, STAFF "/%lld/actions/reopen", id1);
	expect_err(clerk, "POST", path, "{}", 404, "no_route", NULL);
	expect_err(clerk, "POST", STAFF "/999999/actions/close", "{}", 404, "not_found", NULL);
	expect_err(clerk, "GET", STAFF "?status=lost", NULL, 422, "invalid", "status");
	expect_err(clerk, "GET", STAFF "?state=late", NULL, 422, "invalid", "state");
	expect_unchanged(before);
}

static void test_filters(void **state)
{
	json_t *l;
	char path[96];
	size_t i;
	json_t *e;

	(void)state;
	l = list_all(clerk, STAFF "?status=closed");
	check(json_array_size(l) >= 2);
	json_array_foreach(l, i, e)
		expect_str(e, "status", "closed");
	json_decref(l);
	snprintf(path, sizeof path, STAFF "?site=%lld", site_vil1);
	l = list_all(clerk, path);
	check(json_array_size(l) >= 1);
	json_array_foreach(l, i, e)
		expect_int(e, "site_id", site_vil1);
	json_decref(l);
	l = list_all(clerk, STAFF "?state=overdue");
	check_int(json_array_size(l), 0);
	json_decref(l);
	/* agent2's village holds none of them */
	l = list_all(agent2, STAFF);
	check_int(json_array_size(l), 0);
	json_decref(l);
	snprintf(path, sizeof path, STAFF "?site=%lld", site_town);
	check_int(get_status(agent2, path), 403);
}

static void test_rate_limited(void **state)
{
	json_t *before;
	struct resp r;
	int ok = 0;
	char path[96];
	const char *ra;

	(void)state;
	tvar_set('S', site_vil2);
	for (int i = 0; i < COMPLAINT_TRIES; i++) {
		reqt(anon, "POST", PUB, "{'site_id':$S,'name':'测试','phone':'13912345678',"
		     "'description':'排队太久'}", &r);
		if (r.status == 201) {
			ok++;
			resp_free(&r);
			continue;
		}
		expect_error(&r, 429, "rate_limited", NULL);
		ra = resp_header(&r, "Retry-After");
		check(ra && atoi(ra) > 0 && atoi(ra) <= 3600);
		resp_free(&r);
		break;
	}
	check_int(ok + filed, 10);
	/* the refused filing wrote nothing, and the next one is refused as well */
	before = all_complaints();
	reqt(anon, "POST", PUB, "{'site_id':$S,'name':'测试','phone':'13912345678',"
	     "'description':'排队太久'}", &r);
	expect_error(&r, 429, "rate_limited", NULL);
	resp_free(&r);
	expect_unchanged(before);
	/* staff filing at the window is not limited per address */
	json_decref(post_ok(clerk, STAFF, "{\"name\":\"a\",\"phone\":\"13912345678\","
			    "\"description\":\"d\"}", 201));

	/* wrong follow-ups: 404 until the limit, then 429 even for the right pair */
	snprintf(path, sizeof path, PUB "/%s?phone=13700000000", code1);
	int n = 0;
	for (; n < 40; n++) {
		req(anon, "GET", path, NULL, NULL, &r);
		long st = r.status;
		resp_free(&r);
		if (st == 429)
			break;
		check_int(st, 404);
	}
	check(n > 0 && n < 40);
	snprintf(path, sizeof path, PUB "/%s?phone=%s", code1, PHONE1);
	req(anon, "GET", path, NULL, NULL, &r);
	if (r.status != 429 && r.status != 200)
		soft_fail("right pair while limited: %ld", r.status);
	resp_free(&r);
}

/* 2026-10-14: the township's window complaint from 09-30 is open past its due date. */
static void test_overdue(void **state)
{
	json_t *l, *e, *o;
	size_t i;

	(void)state;
	json_decref(post_ok(clerk, STAFF, "{\"name\":\"a\",\"phone\":\"13912345678\","
			    "\"description\":\"等了很久\"}", 201));
	start_at("2026-10-14", 1);
	sign_in_all();
	l = list_all(clerk, STAFF "?state=overdue");
	check(json_array_size(l) >= 1);
	json_array_foreach(l, i, e) {
		expect_str(e, "state", "overdue");
		check(!strcmp(jstr(e, "status"), "open") || !strcmp(jstr(e, "status"), "assigned"));
		expect_str(e, "due", DUE0);
	}
	json_decref(l);
	l = list_all(clerk, STAFF "?state=normal");
	json_array_foreach(l, i, e)
		expect_str(e, "state", "normal");
	check(jfind(l, "code", code1) != NULL); /* closed: never overdue */
	json_decref(l);
	/* the home's alerts list the late ones, and never the closed one */
	{
		struct resp r;
		json_t *items;

		req(clerk, "GET", "/api/v1/alerts", NULL, NULL, &r);
		expect_status(&r, 200);
		items = json_object_get(r.json, "items");
		check(jfind(items, "kind", "complaint_overdue") != NULL);
		check(jfind(items, "code", code1) == NULL);
		resp_free(&r);
	}
	/* a complaint filed now is due 5 working days later */
	o = post_ok(clerk, STAFF, "{\"name\":\"a\",\"phone\":\"13912345678\",\"description\":\"d\"}", 201);
	expect_str(o, "opened_on", "2026-10-14");
	expect_str(o, "due", "2026-10-21");
	expect_str(o, "state", "normal");
	json_decref(o);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		case_test(test_public_flow),
		case_test(test_window_filing),
		case_test(test_bad_inputs),
		case_test(test_filters),
		case_test(test_rate_limited),
		case_test(test_overdue),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("front_complaints", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
