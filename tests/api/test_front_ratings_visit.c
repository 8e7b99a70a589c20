/*
 * API tests: 好差评 of an on-site visit (docs/api-ratings.md, 一次一评): a ticket taken at the
 * township's kiosk is not rateable while it waits or is served; once the clerk has called,
 * started and finished it, the resident rates it with the slip's rate_code. A bad rating opens a
 * rectification at the township (the ticket's site) assigned to its admin; a second rating is
 * already_rated; a wrong code is 404 and writes nothing; the staff list shows the ticket number.
 * Usage: api_front_ratings_visit <path to bangban> <data/catalog dir>
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

static struct client *anon, *admin, *clerk, *tadmin, *agent;
static long long window_id, id_tadmin;

static int setup(void **state)
{
	json_t *l;
	char path[80];
	size_t i;
	json_t *w;

	if (srv_group_setup(state))
		return -1;
	anon = client_new(*state);
	admin = as(*state, "admin");
	clerk = as(*state, "clerk");
	tadmin = as(*state, "tadmin");
	agent = as(*state, "agent");
	cases_load_sites(admin);
	id_tadmin = me_id(tadmin);
	snprintf(path, sizeof path, "/api/v1/windows?site=%lld", site_town);
	l = list_all(admin, path);
	json_array_foreach(l, i, w)
		if (!window_id && jstr(w, "kind") && !strcmp(jstr(w, "kind"), "general") &&
		    json_is_true(json_object_get(w, "active")))
			window_id = jint(w, "id");
	json_decref(l);
	return window_id ? 0 : -1;
}

static int teardown(void **state)
{
	struct client *all[] = { anon, admin, clerk, tadmin, agent };

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		client_free(all[i]);
	return srv_group_teardown(state);
}

struct slip {
	long long id;
	char code[32], number[16];
};

static void take(struct slip *s)
{
	struct resp r;

	tvar_set('S', site_town);
	reqt(anon, "POST", "/api/v1/public/tickets", "{'site_id':$S,'kind':'general'}", &r);
	expect_status(&r, 201);
	s->id = jint(r.json, "id");
	snprintf(s->code, sizeof s->code, "%s", jstr(r.json, "rate_code") ? jstr(r.json, "rate_code") : "");
	snprintf(s->number, sizeof s->number, "%s", jstr(r.json, "number") ? jstr(r.json, "number") : "");
	resp_free(&r);
	if (!s->code[0])
		fail_at("the slip has no rate_code");
}

/* call-next, start, finish at the township's general window: the ticket is done. */
static void serve(const struct slip *s)
{
	struct resp r;
	char path[120];

	snprintf(path, sizeof path, "/api/v1/windows/%lld/call-next", window_id);
	req(clerk, "POST", path, "{}", NULL, &r);
	expect_status(&r, 200);
	if (r.json && jint(r.json, "id") != s->id)
		fail_at("call-next called %lld, not %lld", jint(r.json, "id"), s->id);
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/tickets/%lld/actions/start", s->id);
	req(clerk, "POST", path, "{}", NULL, &r);
	expect_status(&r, 200);
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/tickets/%lld/actions/finish", s->id);
	req(clerk, "POST", path, "{}", NULL, &r);
	expect_status(&r, 200);
	expect_str(r.json, "status", "done");
	resp_free(&r);
}

static long rate(const struct slip *s, const char *code, int level, struct resp *r)
{
	char body[200];

	snprintf(body, sizeof body, "{'ticket':%lld,'code':'%s','level':%d,'tags':['等候太久'],"
				    "'channel':'window'}", s->id, code ? code : s->code, level);
	return reqt(anon, "POST", "/api/v1/public/ratings", body, r);
}

static json_t *view(const struct slip *s, const char *code, long want)
{
	char path[160];
	struct resp r;
	json_t *o;

	snprintf(path, sizeof path, "/api/v1/public/rateable?ticket=%lld&code=%s", s->id,
		 code ? code : s->code);
	req(anon, "GET", path, NULL, NULL, &r);
	if (want != 200) {
		expect_error(&r, want, "not_found", NULL);
		resp_free(&r);
		return NULL;
	}
	expect_status(&r, 200);
	o = json_incref(r.json);
	resp_free(&r);
	return o;
}

static void test_visit(void **state)
{
	struct slip s, good;
	struct resp r;
	json_t *o, *l, *x;
	long long id;
	char path[120];

	(void)state;
	take(&s);
	/* waiting: visible, not rateable */
	o = view(&s, NULL, 200);
	expect_str(o, "target", "visit");
	expect_str(o, "number", s.number);
	expect_int(json_object_get(o, "site"), "id", site_town);
	check(json_is_false(json_object_get(o, "rateable")));
	json_decref(o);
	rate(&s, NULL, 2, &r);
	expect_error(&r, 409, "not_rateable", NULL);
	resp_free(&r);
	serve(&s);

	/* a wrong code: 404, nothing written */
	view(&s, "WRONG1", 404);
	rate(&s, "WRONG1", 2, &r);
	expect_error(&r, 404, "not_found", NULL);
	resp_free(&r);
	reqt(anon, "POST", "/api/v1/public/ratings", "{'ticket':999999,'code':'X','level':2}", &r);
	expect_error(&r, 404, "not_found", NULL);
	resp_free(&r);
	l = list_all(admin, "/api/v1/ratings");
	check(json_array_size(l) == 0);
	json_decref(l);

	o = view(&s, NULL, 200);
	check(json_is_true(json_object_get(o, "rateable")));
	expect_int(json_object_get(o, "window"), "id", window_id);
	expect_null(o, "rating");
	json_decref(o);

	/* a bad rating: rectification at the ticket's site */
	rate(&s, NULL, 2, &r);
	expect_status(&r, 201);
	expect_str(r.json, "target", "visit");
	expect_str(r.json, "channel", "window");
	x = json_object_get(r.json, "rectification");
	id = json_is_object(x) ? jint(x, "id") : 0;
	check(id > 0 && jstr(x, "due") != NULL);
	resp_free(&r);
	rate(&s, NULL, 5, &r);
	expect_error(&r, 409, "already_rated", NULL);
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/rectifications/%lld", id);
	o = get_json(clerk, path);
	expect_int(o, "site_id", site_town);
	expect_int(json_object_get(o, "assignee"), "id", id_tadmin);
	expect_str(json_object_get(o, "rating"), "target", "visit");
	expect_str(json_object_get(o, "rating"), "number", s.number);
	expect_null(json_object_get(o, "rating"), "receipt");
	json_decref(o);
	req(agent, "GET", path, NULL, NULL, &r);
	expect_error(&r, 403, "forbidden", NULL);
	resp_free(&r);
	o = view(&s, NULL, 200);
	check(json_is_false(json_object_get(o, "rateable")));
	expect_int(json_object_get(o, "rating"), "level", 2);
	expect_str(json_object_get(o, "rectification"), "status", "open");
	json_decref(o);

	/* a good one: nothing to rectify; the list shows both with their numbers */
	take(&good);
	serve(&good);
	rate(&good, NULL, 5, &r);
	expect_status(&r, 201);
	expect_null(r.json, "rectification");
	resp_free(&r);
	l = list_all(clerk, "/api/v1/ratings");
	check(json_array_size(l) == 2);
	o = jfind(l, "number", good.number);
	check(o != NULL);
	if (o) {
		expect_str(o, "target", "visit");
		expect_null(o, "receipt");
		expect_null(o, "rectification");
	}
	o = jfind(l, "number", s.number);
	check(o && jint(json_object_get(o, "rectification"), "id") == id);
	json_decref(l);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		case_test(test_visit),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("front_ratings_visit", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
