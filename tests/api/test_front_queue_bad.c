/*
 * API tests: 排队叫号, every refusal of docs/api-queue.md, each followed by the check that the
 * site's queue (every ticket and the display snapshot with its version) did not change: bad
 * kiosk and desk takes, calling from a window of another site, a busy, an inactive or an empty
 * window, ticket actions in the wrong state or from another site, bad transfer and finish bodies,
 * bad list and statistics queries, sign-in and CSRF.
 * Usage: api_front_queue_bad <path to bangban> <data/catalog dir>
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
#include "front_queue.inc"

static struct client *anon, *admin, *cityclerk, *clerk, *agent, *auditor, *approver;
static struct windows city_w, town_w;

static int setup(void **state)
{
	if (srv_group_setup(state))
		return -1;
	anon = client_new(*state);
	admin = as(*state, "admin");
	cityclerk = as(*state, "cityclerk");
	clerk = as(*state, "clerk");
	agent = as(*state, "agent");
	auditor = as(*state, "auditor");
	approver = as(*state, "approver");
	cases_load_sites(admin);
	load_windows(admin, site_city, &city_w);
	load_windows(admin, site_town, &town_w);
	return 0;
}

static int teardown(void **state)
{
	struct client *all[] = { anon, admin, cityclerk, clerk, agent, auditor, approver };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		client_free(all[i]);
	return srv_group_teardown(state);
}

struct bad {
	const char *body;         /* template: $C city, $T town, $V village */
	long status;
	const char *code, *field;
};

static void takes_refused(struct client *c, const char *path, const struct bad *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_t *before = queue_state(cityclerk, site_city);
		json_t *tb = queue_state(clerk, site_town);
		struct resp r;

		reqt(c, "POST", path, b[i].body, &r);
		expect_resp(&r, b[i].status, b[i].code, b[i].field);
		resp_free(&r);
		expect_unchanged(cityclerk, site_city, before);
		expect_unchanged(clerk, site_town, tb);
	}
}

static void test_bad_takes(void **state)
{
	static const struct bad kiosk_bad[] = {
		{ "{'site_id':$C}", 422, "missing_field", "kind" },
		{ "{'kind':'general'}", 422, "missing_field", "site_id" },
		{ "{'site_id':$C,'kind':'nonsense'}", 422, "invalid", "kind" },
		{ "{'site_id':$C,'kind':''}", 422, "invalid", "kind" },
		{ "{'site_id':$C,'kind':7}", 422, "wrong_type", "kind" },
		{ "{'site_id':'1','kind':'general'}", 422, "wrong_type", "site_id" },
		{ "{'site_id':$V,'kind':'complaint'}", 422, "invalid", "kind" }, /* no such window there */
		{ "{'site_id':$C,'kind':'general','priority':'vip'}", 422, "invalid", "priority" },
		{ "{'site_id':$C,'kind':'general','priority':'appointment'}", 422, "invalid", "priority" },
		{ "{'site_id':$C,'kind':'general','item':'00000000000'}", 422, "invalid", "item" },
		{ "{'site_id':$C,'kind':'general','window':1}", 422, "unknown_field", "window" },
		{ "{'site_id':99999,'kind':'general'}", 404, "not_found", "site_id" },
		{ "[1]", 422, "wrong_type", NULL },
		{ "{'site_id':", 400, "bad_json", NULL },
	};
	static const struct bad desk_bad[] = {
		{ "{'site_id':$C,'kind':'general'}", 403, "forbidden", NULL }, /* not the clerk's site */
		{ "{'kind':'complaint'}", 422, "invalid", "kind" },            /* none at the township */
		{ "{'kind':'general','priority':'none','item':5}", 422, "wrong_type", "item" },
	};
	static const struct bad auditor_bad[] = {
		{ "{'kind':'general'}", 403, "forbidden", NULL },
	};
	struct client *nobody;
	struct resp r;
	json_t *before;

	(void)state;
	tvar_set('C', site_city);
	tvar_set('T', site_town);
	tvar_set('V', site_vil1);
	json_decref(kiosk(anon, site_city, "general", NULL)); /* A001, so a version exists */
	takes_refused(anon, PUBLIC_TICKETS, kiosk_bad, sizeof(kiosk_bad) / sizeof(kiosk_bad[0]));
	takes_refused(clerk, TICKETS, desk_bad, sizeof(desk_bad) / sizeof(desk_bad[0]));
	takes_refused(auditor, TICKETS, auditor_bad, 1);
	takes_refused(approver, TICKETS, auditor_bad, 1);
	/* a village agent at the township's (their parent's) queue */
	tvar_set('T', site_town);
	takes_refused(agent, TICKETS,
		      (const struct bad[]){ { "{'site_id':$T,'kind':'general'}", 403, "forbidden", NULL } }, 1);
	/* not signed in, no CSRF token */
	nobody = client_new(*(struct srv **)state);
	before = queue_state(cityclerk, site_city);
	req(nobody, "POST", TICKETS, "{\"kind\":\"general\"}", NULL, &r);
	expect_resp(&r, 401, "unauthenticated", NULL);
	resp_free(&r);
	client_auto_csrf(cityclerk, 0);
	req(cityclerk, "POST", TICKETS, "{\"kind\":\"general\"}", NULL, &r);
	expect_resp(&r, 403, "csrf", NULL);
	resp_free(&r);
	call_next(cityclerk, city_w.general[0], &r);
	expect_resp(&r, 403, "csrf", NULL);
	resp_free(&r);
	client_auto_csrf(cityclerk, 1);
	expect_unchanged(cityclerk, site_city, before);
	client_free(nobody);
	/* the next good take still gets the next number */
	before = kiosk(anon, site_city, "general", NULL);
	expect_str(before, "number", "A002");
	json_decref(before);
}

static void test_bad_calls(void **state)
{
	json_t *before, *t, *o;
	struct resp r;
	char path[96];
	long long w1 = city_w.general[0], w2 = city_w.general[1], wi = city_w.issuance[0];

	(void)state;
	t = kiosk(anon, site_city, "complaint", NULL);
	/* calling from a window of another site: 403 and nothing changed */
	struct {
		struct client *c;
		long long window;
		long status;
		const char *code;
	} cases[] = {
		{ clerk, w1, 403, "forbidden" },           /* township clerk, district window */
		{ cityclerk, town_w.general[0], 403, "forbidden" }, /* district clerk, township window */
		{ agent, town_w.general[0], 403, "forbidden" },
		{ auditor, city_w.complaint[0], 403, "forbidden" },
		{ approver, city_w.complaint[0], 403, "forbidden" },
		{ cityclerk, 99999, 404, "not_found" },
		{ cityclerk, wi, 404, "queue_empty" },     /* nobody waits for issuance */
		{ cityclerk, city_w.assisted[0], 404, "queue_empty" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *tb = queue_state(clerk, site_town);

		before = queue_state(cityclerk, site_city);
		call_next(cases[i].c, cases[i].window, &r);
		expect_resp(&r, cases[i].status, cases[i].code, NULL);
		resp_free(&r);
		expect_unchanged(cityclerk, site_city, before);
		expect_unchanged(clerk, site_town, tb);
	}
	/* a body with fields, a malformed id */
	before = queue_state(cityclerk, site_city);
	snprintf(path, sizeof(path), "/api/v1/windows/%lld/call-next", city_w.complaint[0]);
	req(cityclerk, "POST", path, "{\"x\":1}", NULL, &r);
	expect_resp(&r, 422, "unknown_field", "x");
	resp_free(&r);
	req(cityclerk, "POST", "/api/v1/windows/abc/call-next", NULL, NULL, &r);
	expect_resp(&r, 404, NULL, NULL);
	resp_free(&r);
	expect_unchanged(cityclerk, site_city, before);

	/* an inactive window: 409 wrong_state, its ticket still waits */
	json_decref(kiosk(anon, site_city, "general", NULL));
	snprintf(path, sizeof(path), "/api/v1/windows/%lld", w2);
	req(admin, "PATCH", path, "{\"active\":false}", NULL, &r);
	expect_resp(&r, 200, NULL, NULL);
	resp_free(&r);
	before = queue_state(cityclerk, site_city);
	call_next(cityclerk, w2, &r);
	expect_resp(&r, 409, "wrong_state", NULL);
	resp_free(&r);
	expect_unchanged(cityclerk, site_city, before);
	req(admin, "PATCH", path, "{\"active\":true}", NULL, &r);
	resp_free(&r);

	/* busy: the window's ticket is called or serving */
	o = call_ok(cityclerk, city_w.complaint[0]);
	expect_int(o, "id", jint(t, "id"));
	json_decref(o);
	json_decref(kiosk(anon, site_city, "complaint", NULL));
	before = queue_state(cityclerk, site_city);
	call_next(cityclerk, city_w.complaint[0], &r);
	expect_resp(&r, 409, "window_busy", NULL);
	resp_free(&r);
	expect_unchanged(cityclerk, site_city, before);
	json_decref(tact_ok(cityclerk, jint(t, "id"), "start", NULL));
	before = queue_state(cityclerk, site_city);
	call_next(admin, city_w.complaint[0], &r);
	expect_resp(&r, 409, "window_busy", NULL);
	resp_free(&r);
	expect_unchanged(cityclerk, site_city, before);
	json_decref(t);
}

static void test_bad_actions(void **state)
{
	json_t *t, *w, *before;
	struct resp r;
	char path[96];
	long long wid = city_w.issuance[0];

	(void)state;
	w = kiosk(anon, site_city, "issuance", NULL);   /* stays waiting */
	t = kiosk(anon, site_city, "issuance", "disabled"); /* called first */
	json_decref(call_ok(cityclerk, wid));
	struct {
		struct client *c;
		long long id;
		const char *action, *body;
		long status;
		const char *code, *field;
	} cases[] = {
		{ cityclerk, 0, "start", NULL, 409, "wrong_state", NULL },    /* waiting */
		{ cityclerk, 0, "recall", NULL, 409, "wrong_state", NULL },
		{ cityclerk, 0, "skip", "{}", 409, "wrong_state", NULL },
		{ cityclerk, 0, "finish", NULL, 409, "wrong_state", NULL },
		{ cityclerk, 0, "transfer", "{\"kind\":\"general\"}", 409, "wrong_state", NULL },
		{ cityclerk, 1, "finish", NULL, 409, "wrong_state", NULL },   /* called, not serving */
		{ clerk, 1, "start", NULL, 403, "forbidden", NULL },          /* another site */
		{ agent, 1, "skip", NULL, 403, "forbidden", NULL },
		{ auditor, 1, "recall", NULL, 403, "forbidden", NULL },
		{ cityclerk, 1, "transfer", NULL, 422, "missing_field", "kind" },
		{ cityclerk, 1, "transfer", "{\"kind\":\"issuance\"}", 422, "invalid", "kind" }, /* same */
		{ cityclerk, 1, "transfer", "{\"kind\":\"nonsense\"}", 422, "invalid", "kind" },
		{ cityclerk, 1, "transfer", "{\"kind\":\"general\",\"x\":1}", 422, "unknown_field", "x" },
		{ cityclerk, 1, "start", "{\"note\":\"x\"}", 422, "unknown_field", "note" },
		{ cityclerk, 1, "teleport", NULL, 404, "no_route", NULL },
		{ cityclerk, -1, "start", NULL, 404, "not_found", NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long long id = cases[i].id == 0 ? jint(w, "id") : cases[i].id == 1 ? jint(t, "id") : 99999;

		before = queue_state(cityclerk, site_city);
		tact(cases[i].c, id, cases[i].action, cases[i].body, &r);
		expect_resp(&r, cases[i].status, cases[i].code, cases[i].field);
		resp_free(&r);
		expect_unchanged(cityclerk, site_city, before);
	}
	/* finish with a receipt that does not exist */
	json_decref(tact_ok(cityclerk, jint(t, "id"), "start", NULL));
	before = queue_state(cityclerk, site_city);
	tact(cityclerk, jint(t, "id"), "finish", "{\"case\":\"SQ20990101000001\"}", &r);
	expect_resp(&r, 422, "invalid", "case");
	resp_free(&r);
	tact(cityclerk, jint(t, "id"), "finish", "{\"case\":17}", &r);
	expect_resp(&r, 422, "wrong_type", "case");
	resp_free(&r);
	expect_unchanged(cityclerk, site_city, before);
	/* a township ticket: transfer to a kind the township has no window of */
	{
		json_t *tt = kiosk(anon, site_town, "general", NULL);

		json_decref(call_ok(clerk, town_w.general[0]));
		before = queue_state(clerk, site_town);
		tact(clerk, jint(tt, "id"), "transfer", "{\"kind\":\"issuance\"}", &r);
		expect_resp(&r, 422, "invalid", "kind");
		resp_free(&r);
		tact(cityclerk, jint(tt, "id"), "skip", NULL, &r); /* the district is not the desk */
		expect_resp(&r, 403, "forbidden", NULL);
		resp_free(&r);
		expect_unchanged(clerk, site_town, before);
		json_decref(tt);
	}
	/* the finished ticket: nothing more */
	json_decref(tact_ok(cityclerk, jint(t, "id"), "finish", NULL));
	before = queue_state(cityclerk, site_city);
	tact(cityclerk, jint(t, "id"), "transfer", "{\"kind\":\"general\"}", &r);
	expect_resp(&r, 409, "wrong_state", NULL);
	resp_free(&r);
	expect_unchanged(cityclerk, site_city, before);
	snprintf(path, sizeof(path), TICKETS "/%lld", jint(t, "id"));
	json_decref(get_ok(cityclerk, path));
	json_decref(t);
	json_decref(w);
}

static void test_bad_reads(void **state)
{
	static const struct {
		const char *path;
		long status;
		const char *code, *field;
	} cases[] = {
		{ TICKETS "?date=2026-13-01", 422, "invalid", "date" },
		{ TICKETS "?date=today", 422, "invalid", "date" },
		{ TICKETS "?status=asleep", 422, "invalid", "status" },
		{ TICKETS "?site=abc", 422, "invalid", "site" },
		{ TICKETS "?limit=0", 422, "invalid", "limit" },
		{ TICKETS "?site=$C", 403, "forbidden", NULL },       /* the township reading the district */
		{ TICKETS "?site=99999", 404, "not_found", NULL },
		{ TICKETS "/99999", 404, "not_found", NULL },
		{ "/api/v1/windows/$W/queue", 403, "forbidden", NULL },
		{ "/api/v1/windows/99999/queue", 404, "not_found", NULL },
		{ "/api/v1/queue/stats?from=2026-02-30", 422, "invalid", "from" },
		{ "/api/v1/queue/stats?to=x", 422, "invalid", "to" },
		{ "/api/v1/queue/stats?from=2026-03-02&to=2026-03-01", 422, "invalid", "to" },
		{ "/api/v1/queue/stats?from=2024-01-01&to=2026-01-01", 422, "invalid", "to" },
		{ "/api/v1/queue/stats?site=$C", 403, "forbidden", NULL },
	};
	struct resp r;

	(void)state;
	tvar_set('C', site_city);
	tvar_set('W', city_w.general[0]);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		reqt(clerk, "GET", cases[i].path, NULL, &r);
		expect_resp(&r, cases[i].status, cases[i].code, cases[i].field);
		resp_free(&r);
	}
	req(anon, "GET", "/api/v1/public/sites/99999/queue", NULL, NULL, &r);
	expect_resp(&r, 404, "not_found", NULL);
	resp_free(&r);
	req(anon, "GET", TICKETS, NULL, NULL, &r);
	expect_resp(&r, 401, "unauthenticated", NULL);
	resp_free(&r);
	req(approver, "GET", TICKETS, NULL, NULL, &r); /* approvers have no front desk */
	expect_resp(&r, 403, "forbidden", NULL);
	resp_free(&r);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		case_test(test_bad_takes),
		case_test(test_bad_calls),
		case_test(test_bad_actions),
		case_test(test_bad_reads),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("front_queue_bad", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
