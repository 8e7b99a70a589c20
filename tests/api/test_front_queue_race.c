/*
 * API tests: 排队叫号 under concurrency (docs/api-queue.md "Two windows (on one node or several)
 * never get the same ticket"). Tickets are taken in parallel (every number handed out once,
 * A001..A0nn without gaps); then the district's five general windows, each driven by its own
 * thread and browser signed in as one of the centre's clerks (cityclerk, coord, admin), call
 * next / finish in parallel until queue_empty: every ticket is called exactly once, each by the
 * window that got it, and no window ever holds two. Then the same with the callers split over
 * two server processes on one database (srv_second), and several browsers hammering one window
 * at once: exactly one gets the ticket, the others window_busy.
 * Usage: api_front_queue_race <path to bangban> <data/catalog dir>
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
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

#define NTICKETS 60
#define NWIN 5
#define MAX_GOT 256

static struct client *admin;
static struct windows city_w;
static const char *const logins[NWIN] = { "cityclerk", "coord", "admin", "cityclerk", "coord" };

static int setup(void **state)
{
	if (srv_group_setup(state))
		return -1;
	admin = as(*state, "admin");
	cases_load_sites(admin);
	load_windows(admin, site_city, &city_w);
	return city_w.ngeneral >= NWIN ? 0 : -1;
}

static int teardown(void **state)
{
	client_free(admin);
	return srv_group_teardown(state);
}

/* One window's thread: no cmocka calls in here, only what it saw. */
struct caller {
	pthread_t th;
	struct client *c;
	long long window;
	long long got[MAX_GOT];   /* ticket ids, in order */
	int ngot;
	int busy, unexpected, retried;
	char why[256];
	pthread_barrier_t *go;
};

static int is_unavailable(const struct resp *r)
{
	return r->status == 503;
}

/* POST that may meet a busy database: retried (the request changed nothing then). */
static long post_retry(struct caller *k, const char *path, const char *body, struct resp *r)
{
	for (int i = 0;; i++) {
		req(k->c, "POST", path, body, NULL, r);
		if (!is_unavailable(r) || i == 20)
			return r->status;
		k->retried++;
		resp_free(r);
	}
}

static void *caller_run(void *arg)
{
	struct caller *k = arg;
	char path[96];

	pthread_barrier_wait(k->go);
	snprintf(path, sizeof(path), "/api/v1/windows/%lld/call-next", k->window);
	for (;;) {
		struct resp r;
		long st = post_retry(k, path, NULL, &r);

		if (st == 404 && r.json && strcmp(resp_err_code(&r), "queue_empty") == 0) {
			resp_free(&r);
			break;
		}
		if (st != 200 || !r.json || k->ngot >= MAX_GOT) {
			if (st == 409)
				k->busy++;
			k->unexpected++;
			snprintf(k->why, sizeof(k->why), "call-next %ld %.200s", st, r.body);
			resp_free(&r);
			break;
		}
		long long id = json_integer_value(json_object_get(r.json, "id"));
		json_t *win = json_object_get(r.json, "window");

		if (json_integer_value(json_object_get(win, "id")) != k->window ||
		    strcmp(json_string_value(json_object_get(r.json, "status")), "called") != 0) {
			k->unexpected++;
			snprintf(k->why, sizeof(k->why), "call-next answered %.200s", r.body);
		}
		k->got[k->ngot++] = id;
		resp_free(&r);
		/* serve it: start, finish; the window is free again */
		static const char *const steps[] = { "start", "finish" };
		for (int s = 0; s < 2; s++) {
			char ap[96];

			snprintf(ap, sizeof(ap), TICKETS "/%lld/actions/%s", id, steps[s]);
			if (post_retry(k, ap, NULL, &r) != 200) {
				k->unexpected++;
				snprintf(k->why, sizeof(k->why), "%s %ld %.200s", steps[s], r.status, r.body);
			}
			resp_free(&r);
		}
	}
	return NULL;
}

/* Taking in parallel: the kiosks of a site on whichever server. */
struct taker {
	pthread_t th;
	struct client *c;
	long long site;
	int n, bad;
	long long ids[NTICKETS];
	char why[256];
	pthread_barrier_t *go;
};

static void *taker_run(void *arg)
{
	struct taker *k = arg;
	char body[96];

	snprintf(body, sizeof(body), "{\"site_id\":%lld,\"kind\":\"general\"}", k->site);
	pthread_barrier_wait(k->go);
	for (int i = 0; i < k->n; i++) {
		struct resp r;

		for (int tries = 0;; tries++) {
			req(k->c, "POST", PUBLIC_TICKETS, body, NULL, &r);
			if (r.status != 503 || tries == 20)
				break;
			resp_free(&r);
		}
		if (r.status != 201) {
			k->bad++;
			snprintf(k->why, sizeof(k->why), "take %ld %.200s", r.status, r.body);
		} else {
			k->ids[i] = json_integer_value(json_object_get(r.json, "id"));
		}
		resp_free(&r);
	}
	return NULL;
}

/* Takes NTICKETS general tickets through nsrv servers in parallel (4 threads); checks the
 * numbers are first .. first+NTICKETS-1, each once. */
static void take_parallel(struct srv **srv, int nsrv, int first)
{
	struct taker k[4];
	pthread_barrier_t go;
	char seen[1000] = { 0 };
	json_t *all;
	size_t i;
	json_t *o;
	char path[96];

	pthread_barrier_init(&go, NULL, 4);
	for (int t = 0; t < 4; t++) {
		memset(&k[t], 0, sizeof(k[t]));
		k[t].c = client_new(srv[t % nsrv]);
		k[t].site = site_city;
		k[t].n = NTICKETS / 4;
		k[t].go = &go;
		pthread_create(&k[t].th, NULL, taker_run, &k[t]);
	}
	for (int t = 0; t < 4; t++) {
		pthread_join(k[t].th, NULL);
		if (k[t].bad)
			soft_fail("taker %d: %d failed: %s", t, k[t].bad, k[t].why);
		client_free(k[t].c);
	}
	pthread_barrier_destroy(&go);
	snprintf(path, sizeof(path), TICKETS "?site=%lld&status=waiting", site_city);
	all = list_all(admin, path);
	check_int(json_array_size(all), NTICKETS);
	json_array_foreach(all, i, o) {
		const char *n = jstr(o, "number");
		int seq = n && n[0] == 'A' ? atoi(n + 1) : 0;

		if (seq < first || seq >= first + NTICKETS || seen[seq]++)
			soft_fail("number %s out of range or twice", n ? n : "?");
	}
	json_decref(all);
}

/* NWIN windows call in parallel through the servers (window i on srv[i % nsrv]) until the queue
 * is empty; every waiting ticket is called exactly once. */
static void call_parallel(struct srv **srv, int nsrv)
{
	struct caller k[NWIN];
	pthread_barrier_t go;
	char path[96];
	json_t *waiting, *after, *o;
	size_t i;
	int total = 0;

	snprintf(path, sizeof(path), TICKETS "?site=%lld&status=waiting", site_city);
	waiting = list_all(admin, path);
	pthread_barrier_init(&go, NULL, NWIN);
	for (int w = 0; w < NWIN; w++) {
		memset(&k[w], 0, sizeof(k[w]));
		k[w].c = client_new(srv[w % nsrv]);
		login_ok(k[w].c, logins[w], "bangban-demo");
		k[w].window = city_w.general[w];
		k[w].go = &go;
	}
	for (int w = 0; w < NWIN; w++)
		pthread_create(&k[w].th, NULL, caller_run, &k[w]);
	for (int w = 0; w < NWIN; w++) {
		pthread_join(k[w].th, NULL);
		if (k[w].unexpected)
			soft_fail("window %lld: %d unexpected answers (%d busy): %s", k[w].window,
				  k[w].unexpected, k[w].busy, k[w].why);
		if (k[w].retried)
			note("window %lld: %d requests retried after 503", k[w].window, k[w].retried);
		total += k[w].ngot;
	}
	pthread_barrier_destroy(&go);
	/* every waiting ticket exactly once, by the window that got it */
	check_int(total, json_array_size(waiting));
	json_array_foreach(waiting, i, o) {
		long long id = jint(o, "id");
		int times = 0;
		long long by = 0;

		for (int w = 0; w < NWIN; w++)
			for (int g = 0; g < k[w].ngot; g++)
				if (k[w].got[g] == id) {
					times++;
					by = k[w].window;
				}
		if (times != 1)
			soft_fail_at(__FILE__, __LINE__, o, "ticket called %d times", times);
		snprintf(path, sizeof(path), TICKETS "/%lld", id);
		after = get_ok(admin, path);
		expect_str(after, "status", "done");
		expect_int(json_object_get(after, "window"), "id", by);
		expect_int(after, "call_count", 1);
		json_decref(after);
	}
	for (int w = 0; w < NWIN; w++) {
		if (nsrv == 1 && k[w].ngot == 0)
			note("window %lld got no ticket", k[w].window);
		client_free(k[w].c);
	}
	json_decref(waiting);
	o = qsnap(admin, site_city);
	check(json_array_size(json_object_get(o, "calling")) == 0);
	json_decref(o);
}

static void test_one_node(void **state)
{
	struct srv *s = *state;

	take_parallel(&s, 1, 1);
	call_parallel(&s, 1);
}

static void test_two_nodes(void **state)
{
	struct srv *both[2] = { *state, NULL };

	both[1] = srv_second(both[0], NULL);
	assert_non_null(both[1]);
	take_parallel(both, 2, NTICKETS + 1);
	call_parallel(both, 2);
	check(srv_stop(both[1]) == 0);
}

/* Many browsers on one window at once (over both nodes): one ticket, the rest window_busy. */
struct one {
	pthread_t th;
	struct client *c;
	long long window;
	long status;
	char code[32];
	pthread_barrier_t *go;
};

static void *one_run(void *arg)
{
	struct one *k = arg;
	struct resp r;

	pthread_barrier_wait(k->go);
	for (int i = 0;; i++) {
		call_next(k->c, k->window, &r);
		if (r.status != 503 || i == 20)
			break;
		resp_free(&r);
	}
	k->status = r.status;
	snprintf(k->code, sizeof(k->code), "%s", r.status == 200 ? "" : resp_err_code(&r));
	resp_free(&r);
	return NULL;
}

static void test_one_window(void **state)
{
	struct srv *both[2] = { *state, NULL };
	struct one k[6];
	pthread_barrier_t go;
	int won = 0, busy = 0;
	json_t *o;
	char path[96];

	both[1] = srv_second(both[0], NULL);
	assert_non_null(both[1]);
	for (int i = 0; i < 3; i++)
		json_decref(kiosk(admin, site_city, "general", NULL));
	pthread_barrier_init(&go, NULL, 6);
	for (int i = 0; i < 6; i++) {
		memset(&k[i], 0, sizeof(k[i]));
		k[i].c = client_new(both[i % 2]);
		login_ok(k[i].c, logins[i % 3], "bangban-demo");
		k[i].window = city_w.general[0];
		k[i].go = &go;
	}
	for (int i = 0; i < 6; i++)
		pthread_create(&k[i].th, NULL, one_run, &k[i]);
	for (int i = 0; i < 6; i++) {
		pthread_join(k[i].th, NULL);
		if (k[i].status == 200)
			won++;
		else if (k[i].status == 409 && strcmp(k[i].code, "window_busy") == 0)
			busy++;
		else
			soft_fail("unexpected %ld %s", k[i].status, k[i].code);
		client_free(k[i].c);
	}
	pthread_barrier_destroy(&go);
	check_int(won, 1);
	check_int(busy, 5);
	snprintf(path, sizeof(path), "/api/v1/windows/%lld/queue", city_w.general[0]);
	o = get_ok(admin, path);
	check(json_is_object(json_object_get(o, "current")));
	expect_int(o, "waiting_count", 2);
	json_decref(o);
	snprintf(path, sizeof(path), TICKETS "?site=%lld&status=called", site_city);
	o = list_all(admin, path);
	check_int(json_array_size(o), 1);
	json_decref(o);
	check(srv_stop(both[1]) == 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		case_test(test_one_node),
		case_test(test_two_nodes),
		case_test(test_one_window),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("front_queue_race", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
