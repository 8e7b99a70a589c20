/*
 * API tests: 排队叫号 statistics (docs/api-queue.md GET /api/v1/queue/stats) with known numbers:
 * the server runs on a fake clock moved by restarting it on the same database, so every wait
 * (taken -> called) and service time (started -> finished) is a known number of minutes (give or
 * take the seconds a restart takes). Per kind, per hour of taking, totals, empty ranges, and the
 * day's numbers starting again on the next day.
 * Usage: api_front_queue_stats <path to bangban> <data/catalog dir>
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

#define DAY "2026-03-10"
#define SLACK 8 /* seconds a restart may add to a measured time */

static struct srv *srv;
static struct client *anon, *cityclerk, *coord;
static struct windows city_w;

static void sign_in(void)
{
	client_free(anon);
	client_free(cityclerk);
	client_free(coord);
	anon = client_new(srv);
	cityclerk = as(srv, "cityclerk");
	coord = as(srv, "coord");
}

static void clock_to(const char *date, int hh, int mm)
{
	char buf[24];
	const char *extra[] = { "--fake-now", front_fake_now(date, hh, mm, buf), NULL };

	if (srv_restart_args(srv, extra) != 0)
		fail_at("restarting the server at %s %02d:%02d failed", date, hh, mm);
	sign_in();
}

static int setup(void **state)
{
	char buf[24];
	const char *extra[] = { "--fake-now", front_fake_now(DAY, 8, 55, buf), NULL };
	struct client *admin;

	srv = srv_start_args(extra);
	*state = srv;
	if (!srv)
		return -1;
	sign_in();
	admin = as(srv, "admin");
	cases_load_sites(admin);
	load_windows(admin, site_city, &city_w);
	client_free(admin);
	return 0;
}

static int teardown(void **state)
{
	client_free(anon);
	client_free(cityclerk);
	client_free(coord);
	anon = cityclerk = coord = NULL;
	return srv_group_teardown(state);
}

/* A measured number of seconds: want .. want + SLACK (null when want < 0). */
static void expect_secs(const json_t *o, const char *key, long long want)
{
	json_t *v = json_object_get(o, key);

	if (want < 0) {
		if (!json_is_null(v))
			soft_fail_at(__FILE__, __LINE__, o, "%s: want null", key);
		return;
	}
	if (!json_is_integer(v) || json_integer_value(v) < want - SLACK ||
	    json_integer_value(v) > want + SLACK)
		soft_fail_at(__FILE__, __LINE__, o, "%s: want %lld (+-%d s)", key, want, SLACK);
}

static void expect_s(const json_t *o, long long tickets, long long served, long long no_show,
		     long long avg_wait, long long max_wait, long long avg_serve)
{
	if (!o) {
		soft_fail("missing statistics entry");
		return;
	}
	expect_int(o, "tickets", tickets);
	expect_int(o, "served", served);
	expect_int(o, "no_show", no_show);
	expect_secs(o, "avg_wait_s", avg_wait);
	expect_secs(o, "max_wait_s", max_wait);
	expect_secs(o, "avg_serve_s", avg_serve);
}

static void test_stats(void **state)
{
	json_t *a1, *a2, *a3, *b1, *o, *st;
	long long wg = city_w.general[0], wg2 = city_w.general[1], wa = city_w.assisted[0];

	(void)state;
	/* 08:55 three tickets */
	a1 = kiosk(anon, site_city, "general", NULL);
	a2 = kiosk(anon, site_city, "general", NULL);
	b1 = kiosk(anon, site_city, "assisted", NULL);
	expect_str(a1, "day", DAY);
	/* 09:05 A001 and B001 called after 10 minutes */
	clock_to(DAY, 9, 5);
	o = call_ok(cityclerk, wg);
	expect_int(o, "id", jint(a1, "id"));
	json_decref(o);
	json_decref(tact_ok(cityclerk, jint(a1, "id"), "start", NULL));
	o = call_ok(coord, wa);
	expect_int(o, "id", jint(b1, "id"));
	json_decref(o);
	/* 09:15 A001 done after 10 minutes; B001 did not come; A003 taken */
	clock_to(DAY, 9, 15);
	json_decref(tact_ok(cityclerk, jint(a1, "id"), "finish", NULL));
	json_decref(tact_ok(coord, jint(b1, "id"), "skip", NULL));
	a3 = kiosk(anon, site_city, "general", "elderly");
	/* 09:35 A003 first (green lane): 20 minutes; then A002 after 40 */
	clock_to(DAY, 9, 35);
	o = call_ok(cityclerk, wg);
	expect_int(o, "id", jint(a3, "id"));
	json_decref(o);
	o = call_ok(coord, wg2);
	expect_int(o, "id", jint(a2, "id"));
	json_decref(o);
	json_decref(tact_ok(coord, jint(a2, "id"), "start", NULL));
	/* 09:40 A002 done after 5 minutes; A003 is still called */
	clock_to(DAY, 9, 40);
	json_decref(tact_ok(coord, jint(a2, "id"), "finish", NULL));

	st = get_ok(cityclerk, "/api/v1/queue/stats");
	expect_int(st, "site_id", site_city);
	expect_str(st, "from", DAY);
	expect_str(st, "to", DAY);
	/* waits 600 (A001), 600 (B001), 1200 (A003), 2400 (A002); serves 600, 300 */
	expect_s(json_object_get(st, "total"), 4, 2, 1, 1200, 2400, 450);
	check_int(json_array_size(json_object_get(st, "by_kind")), 2);
	expect_s(jfind(json_object_get(st, "by_kind"), "kind", "general"), 3, 2, 0, 1400, 2400, 450);
	expect_s(jfind(json_object_get(st, "by_kind"), "kind", "assisted"), 1, 0, 1, 600, 600, -1);
	check_int(json_array_size(json_object_get(st, "by_hour")), 2);
	expect_s(jfind_id(json_object_get(st, "by_hour"), "hour", 8), 3, 2, 1, 1200, 2400, 450);
	expect_s(jfind_id(json_object_get(st, "by_hour"), "hour", 9), 1, 0, 0, 1200, 1200, -1);
	/* the same by explicit dates and site; another range is empty */
	{
		char path[160];
		json_t *same;

		snprintf(path, sizeof(path), "/api/v1/queue/stats?site=%lld&from=%s&to=%s", site_city,
			 DAY, DAY);
		same = get_ok(coord, path);
		expect_s(json_object_get(same, "total"), 4, 2, 1, 1200, 2400, 450);
		json_decref(same);
		same = get_ok(coord, "/api/v1/queue/stats?from=2026-03-01&to=2026-03-09");
		expect_s(json_object_get(same, "total"), 0, 0, 0, -1, -1, -1);
		check_int(json_array_size(json_object_get(same, "by_kind")), 0);
		check_int(json_array_size(json_object_get(same, "by_hour")), 0);
		json_decref(same);
		same = get_ok(coord, "/api/v1/queue/stats?from=2026-03-01&to=2026-03-31");
		expect_int(json_object_get(same, "total"), "tickets", 4);
		json_decref(same);
	}
	json_decref(st);

	/* the next day: numbers start again, yesterday's called ticket does not block the window */
	clock_to("2026-03-11", 8, 30);
	o = kiosk(anon, site_city, "general", NULL);
	expect_str(o, "number", "A001");
	expect_str(o, "day", "2026-03-11");
	json_decref(o);
	o = call_ok(cityclerk, wg);
	expect_str(o, "number", "A001");
	expect_str(o, "day", "2026-03-11");
	json_decref(o);
	o = qsnap(anon, site_city);
	check_int(json_array_size(json_object_get(o, "calling")), 1);
	json_decref(o);
	json_decref(a1);
	json_decref(a2);
	json_decref(a3);
	json_decref(b1);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		case_test(test_stats),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("front_queue_stats", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
