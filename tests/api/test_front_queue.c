/*
 * API tests: 排队叫号, the whole console flow at the district centre (docs/api-queue.md): kiosk
 * and desk tickets with their numbers and slip codes, the priority lane, call-next, recall,
 * start, finish linking the case the visit produced, skip, transfer keeping the ticket's place,
 * the window console's view, the staff list and ticket, the display snapshot after each step
 * (and its version), and Idempotency-Key on call-next.
 * Usage: api_front_queue <path to bangban> <data/catalog dir>
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

static struct client *anon, *admin, *cityclerk, *coord, *clerk;
static struct windows city_w, town_w;

static int setup(void **state)
{
	if (srv_group_setup(state))
		return -1;
	anon = client_new(*state);
	admin = as(*state, "admin");
	cityclerk = as(*state, "cityclerk");
	coord = as(*state, "coord");
	clerk = as(*state, "clerk");
	cases_load_sites(admin);
	load_windows(admin, site_city, &city_w);
	load_windows(admin, site_town, &town_w);
	return 0;
}

static int teardown(void **state)
{
	struct client *all[] = { anon, admin, cityclerk, coord, clerk };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		client_free(all[i]);
	return srv_group_teardown(state);
}

static long long version_of(long long site)
{
	json_t *s = qsnap(anon, site);
	long long v = jint(s, "version");

	json_decref(s);
	return v;
}

/* The snapshot's waiting line of kind: count and the next numbers as "A002,A001". */
static void expect_line(const json_t *snap, const char *kind, long long count, const char *next)
{
	json_t *l = jfind(json_object_get(snap, "waiting"), "kind", kind);
	char got[128] = "";
	size_t i;
	json_t *n;

	if (!l) {
		soft_fail_at(__FILE__, __LINE__, snap, "no waiting line of %s", kind);
		return;
	}
	expect_int(l, "count", count);
	json_array_foreach(json_object_get(l, "next"), i, n) {
		if (i)
			strcat(got, ",");
		strncat(got, json_string_value(n), 8);
	}
	if (strcmp(got, next) != 0)
		soft_fail_at(__FILE__, __LINE__, snap, "%s next: want %s, got %s", kind, next, got);
}

static void test_console_flow(void **state)
{
	char today[11], path[160], body[160];
	json_t *t1, *t2, *t3, *t4, *b1, *o, *snap;
	long long v0, w1 = city_w.general[0], w2 = city_w.general[1], wb = city_w.assisted[0];
	struct resp r;

	(void)state;
	front_today(today);
	v0 = version_of(site_city);
	snap = qsnap(anon, site_city);
	expect_str(snap, "day", today);
	check(jstr(snap, "site") && jstr(snap, "site")[0]);
	check(json_array_size(json_object_get(snap, "calling")) == 0);
	expect_line(snap, "general", 0, "");
	check(jfind(json_object_get(snap, "waiting"), "kind", "issuance") != NULL);
	json_decref(snap);

	/* the kiosk: numbers per kind, the slip's code, the green lane */
	t1 = kiosk(anon, site_city, "general", NULL);
	expect_str(t1, "number", "A001");
	expect_str(t1, "status", "waiting");
	expect_str(t1, "priority", "none");
	expect_str(t1, "day", today);
	expect_int(t1, "waiting_before", 0);
	expect_null(t1, "window");
	expect_null(t1, "called_at");
	check(jstr(t1, "rate_code") && strlen(jstr(t1, "rate_code")) == 6);
	b1 = kiosk(anon, site_city, "assisted", NULL);
	expect_str(b1, "number", "B001");
	t2 = kiosk(anon, site_city, "general", NULL);
	expect_int(t2, "waiting_before", 1);
	t3 = kiosk(anon, site_city, "general", "elderly");
	expect_str(t3, "number", "A003");
	expect_int(t3, "waiting_before", 0);
	/* at the desk: the site defaults to the clerk's own */
	t4 = take_ok(cityclerk, TICKETS, "{\"kind\":\"general\"}");
	expect_str(t4, "number", "A004");
	expect_int(t4, "site_id", site_city);
	check(jstr(t4, "rate_code") != NULL);
	check(version_of(site_city) == v0 + 5);

	/* staff see the ticket with its slip code; the public snapshot never shows codes */
	snprintf(path, sizeof(path), TICKETS "/%lld", jint(t1, "id"));
	o = get_ok(cityclerk, path);
	expect_str(o, "rate_code", jstr(t1, "rate_code"));
	expect_int(o, "waiting_before", 1); /* A003, in the green lane */
	json_decref(o);
	snap = qsnap(anon, site_city);
	expect_line(snap, "general", 4, "A003,A001,A002,A004");
	expect_line(snap, "assisted", 1, "B001");
	{
		char *text = json_dumps(snap, 0);

		check(text && !strstr(text, "rate_code"));
		free(text);
	}
	json_decref(snap);

	/* call-next: the green lane first */
	o = call_ok(cityclerk, w1);
	expect_int(o, "id", jint(t3, "id"));
	expect_str(o, "status", "called");
	expect_int(o, "call_count", 1);
	expect_int(json_object_get(o, "window"), "id", w1);
	check(jstr(o, "called_at") != NULL);
	expect_null(o, "waiting_before");
	json_decref(o);
	call_next(cityclerk, w1, &r); /* the window has its ticket */
	expect_resp(&r, 409, "window_busy", NULL);
	resp_free(&r);
	snap = qsnap(anon, site_city);
	check(jint(snap, "version") == v0 + 6);
	o = json_array_get(json_object_get(snap, "calling"), 0);
	expect_str(o, "number", "A003");
	expect_int(o, "call_count", 1);
	check(jstr(o, "window") && strstr(jstr(o, "window"), "综合受理"));
	expect_line(snap, "general", 3, "A001,A002,A004");
	json_decref(snap);

	/* the console's view of the window */
	snprintf(path, sizeof(path), "/api/v1/windows/%lld/queue", w1);
	o = get_ok(cityclerk, path);
	expect_int(json_object_get(o, "window"), "id", w1);
	expect_int(json_object_get(o, "current"), "id", jint(t3, "id"));
	expect_int(o, "waiting_count", 3);
	check(json_array_size(json_object_get(o, "waiting")) == 3);
	expect_str(json_array_get(json_object_get(o, "waiting"), 0), "number", "A001");
	json_decref(o);

	/* recall, start, finish linking the case this visit produced */
	o = tact_ok(cityclerk, jint(t3, "id"), "recall", NULL);
	expect_int(o, "call_count", 2);
	json_decref(o);
	snap = qsnap(anon, site_city);
	expect_int(json_array_get(json_object_get(snap, "calling"), 0), "call_count", 2);
	json_decref(snap);
	o = tact_ok(cityclerk, jint(t3, "id"), "start", "{}");
	expect_str(o, "status", "serving");
	check(jstr(o, "started_at") != NULL);
	json_decref(o);
	{
		const char *code = pick_item(admin, &(struct item_want){ .case_type = "immediate" });
		json_t *item = item_full(admin, code);
		json_t *cb = case_body(code, item, NULL, "window", 0, time(NULL), NULL, 0);
		json_t *cs = case_create(cityclerk, cb);

		snprintf(body, sizeof(body), "{\"case\":\"%s\"}", jstr(cs, "receipt"));
		o = tact_ok(cityclerk, jint(t3, "id"), "finish", body);
		expect_str(o, "status", "done");
		expect_str(o, "case", jstr(cs, "receipt"));
		check(jstr(o, "finished_at") != NULL);
		json_decref(o);
		json_decref(cs);
		json_decref(cb);
		json_decref(item);
	}

	/* skip: no-show; the next one goes to another clerk's window */
	o = call_ok(coord, w2);
	expect_int(o, "id", jint(t1, "id"));
	json_decref(o);
	o = tact_ok(coord, jint(t1, "id"), "skip", NULL);
	expect_str(o, "status", "no_show");
	json_decref(o);
	o = call_ok(cityclerk, w1);
	expect_int(o, "id", jint(t2, "id"));
	json_decref(o);
	/* transfer: A002 keeps its number and time taken, so it queues after B001 (taken first) */
	o = tact_ok(cityclerk, jint(t2, "id"), "start", NULL);
	json_decref(o);
	o = tact_ok(cityclerk, jint(t2, "id"), "transfer", "{\"kind\":\"assisted\"}");
	expect_str(o, "status", "waiting");
	expect_str(o, "kind", "assisted");
	expect_str(o, "number", "A002");
	expect_str(o, "taken_at", jstr(t2, "taken_at"));
	expect_null(o, "window");
	json_decref(o);
	snap = qsnap(anon, site_city);
	expect_line(snap, "assisted", 2, "B001,A002");
	expect_line(snap, "general", 1, "A004");
	check(json_array_size(json_object_get(snap, "calling")) == 0);
	json_decref(snap);
	o = call_ok(coord, wb);
	expect_int(o, "id", jint(b1, "id"));
	json_decref(o);
	json_decref(tact_ok(coord, jint(b1, "id"), "start", NULL));
	json_decref(tact_ok(coord, jint(b1, "id"), "finish", "{}"));
	o = call_ok(coord, wb);
	expect_int(o, "id", jint(t2, "id"));
	expect_int(json_object_get(o, "window"), "id", wb);
	json_decref(o);

	/* the staff list: today, by status */
	snprintf(path, sizeof(path), TICKETS "?site=%lld&status=done", site_city);
	o = list_all(cityclerk, path);
	check(json_array_size(o) == 2);
	check(jfind_id(o, "id", jint(t3, "id")) && jfind_id(o, "id", jint(b1, "id")));
	json_decref(o);
	o = list_all(cityclerk, TICKETS);
	check(json_array_size(o) == 5);
	json_decref(o);
	snprintf(path, sizeof(path), TICKETS "?date=2020-01-01");
	o = list_all(cityclerk, path);
	check(json_array_size(o) == 0);
	json_decref(o);
	snprintf(path, sizeof(path), TICKETS "?date=%s&limit=2", today);
	req(cityclerk, "GET", path, NULL, NULL, &r);
	check(json_array_size(json_object_get(r.json, "items")) == 2);
	check(jstr(r.json, "next") != NULL);
	resp_free(&r);
	/* the district oversees the township's queue; the township does not see the district's */
	snprintf(path, sizeof(path), TICKETS "?site=%lld", site_town);
	json_decref(list_all(coord, path));
	snprintf(path, sizeof(path), TICKETS "/%lld", jint(t1, "id"));
	req(clerk, "GET", path, NULL, NULL, &r);
	expect_resp(&r, 403, "forbidden", NULL);
	resp_free(&r);

	json_decref(t1);
	json_decref(t2);
	json_decref(t3);
	json_decref(t4);
	json_decref(b1);
}

/* The township's own queue, and Idempotency-Key on call-next and actions. */
static void test_township_idempotency(void **state)
{
	const char *key[] = { "Idempotency-Key: call-1", NULL };
	json_t *t1, *t2, *o;
	char path[96];
	struct resp r, r2;
	long long w = town_w.general[0];

	(void)state;
	t1 = kiosk(anon, site_town, "general", NULL);
	t2 = kiosk(anon, site_town, "general", "pregnant");
	expect_str(t1, "number", "A001");
	snprintf(path, sizeof(path), "/api/v1/windows/%lld/call-next", w);
	req(clerk, "POST", path, NULL, key, &r);
	expect_resp(&r, 200, NULL, NULL);
	req(clerk, "POST", path, NULL, key, &r2); /* a retry: the first answer, nothing more */
	expect_resp(&r2, 200, NULL, NULL);
	check(json_equal(r.json, r2.json));
	expect_int(r.json, "id", jint(t2, "id"));
	resp_free(&r);
	resp_free(&r2);
	req(clerk, "POST", path, NULL, NULL, &r); /* without the key: the window is busy */
	expect_resp(&r, 409, "window_busy", NULL);
	resp_free(&r);
	snprintf(path, sizeof(path), TICKETS "/%lld", jint(t1, "id"));
	o = get_ok(clerk, path);
	expect_str(o, "status", "waiting");
	json_decref(o);
	json_decref(tact_ok(clerk, jint(t2, "id"), "skip", NULL));
	o = call_ok(clerk, w);
	expect_int(o, "id", jint(t1, "id"));
	json_decref(o);
	/* the district's windows are not the township's, and vice versa */
	call_next(clerk, city_w.general[0], &r);
	expect_resp(&r, 403, "forbidden", NULL);
	resp_free(&r);
	json_decref(t1);
	json_decref(t2);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		case_test(test_console_flow),
		case_test(test_township_idempotency),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("front_queue", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
