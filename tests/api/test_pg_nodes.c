/*
 * API tests on PostgreSQL only (BB_PG_URL; without it: a skip that passes): two nodes of one
 * installation (srv_start + srv_second) on one PostgreSQL database (docs/architecture.md,
 * scale-out). A session signed in on one node works on the other, and signing out on one ends
 * it on both; a case created on node 1 is submitted and received on node 2 and node 1 sees the
 * result; call-next from windows on both nodes in parallel never calls one ticket twice; a
 * booking race for the last places of a slot split between the nodes leaves it exactly full.
 * Usage: api_test_pg_nodes <path to bangban> <data/catalog dir>
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
#include "harness_int.h"
#include "front_queue.inc"

#define NTICKETS 24
#define NWIN 4
#define MAX_GOT 64
#define RETRIES 20

static struct srv *node[2];
static struct client *admin;
static struct windows city_w;
static const char *const logins[NWIN] = { "cityclerk", "coord", "admin", "cityclerk" };

static int setup(void **state)
{
	(void)state;
	node[0] = srv_start();
	if (!node[0])
		return -1;
	node[1] = srv_second(node[0], NULL);
	if (!node[1])
		return -1;
	admin = as(node[0], "admin");
	cases_load_sites(admin);
	load_windows(admin, site_city, &city_w);
	return city_w.ngeneral >= NWIN ? 0 : -1;
}

static int teardown(void **state)
{
	int rc = 0;

	(void)state;
	client_free(admin);
	if (node[1] && srv_stop(node[1]) != 0)
		rc = -1;
	if (node[0] && srv_stop(node[0]) != 0)
		rc = -1;
	if (rc)
		harness_note_failure();
	return rc;
}

/* req() retried while the answer is 503 (a busy or briefly unreachable database: nothing was
 * done); *retried counts the retries. */
static long req_retry(struct client *c, const char *method, const char *path, const char *body,
		      struct resp *r, int *retried)
{
	for (int i = 0;; i++) {
		req(c, method, path, body, NULL, r);
		if (r->status != 503 || i == RETRIES)
			return r->status;
		(*retried)++;
		resp_free(r);
	}
}

/* Signed in on one node, used on the other; signed out on the other, gone on both. */
static void test_session_across_nodes(void **state)
{
	struct client *c = client_new(node[0]);
	struct resp r;
	long long id;

	(void)state;
	login_ok(c, "agent", PW);
	req(c, "GET", "/api/v1/me", NULL, NULL, &r);
	expect_status(&r, 200);
	id = jint(json_object_get(r.json, "user"), "id");
	resp_free(&r);

	client_use(c, node[1]);
	req(c, "GET", "/api/v1/me", NULL, NULL, &r);
	expect_status(&r, 200);
	check_int(jint(json_object_get(r.json, "user"), "id"), id);
	resp_free(&r);
	/* a mutation with the CSRF token node 1 issued: signing out on node 2 */
	req(c, "DELETE", "/api/v1/session", NULL, NULL, &r);
	expect_status(&r, 204);
	resp_free(&r);
	client_use(c, node[0]);
	req(c, "GET", "/api/v1/me", NULL, NULL, &r);
	expect_error(&r, 401, "unauthenticated", NULL);
	resp_free(&r);

	/* and the other way round */
	login_ok(c, "clerk", PW);
	client_use(c, node[1]);
	req(c, "GET", "/api/v1/me", NULL, NULL, &r);
	expect_status(&r, 200);
	expect_str(json_object_get(r.json, "user"), "login", "clerk");
	resp_free(&r);
	client_free(c);
}

/* Created on node 1, submitted and received on node 2, seen on node 1. */
static void test_case_across_nodes(void **state)
{
	char code[32], receipt[64];
	struct client *agent = as(node[0], "agent");
	struct client *clerk = as(node[1], "clerk");
	json_t *item, *b, *o;
	long long id_clerk = me_id(clerk), version;

	(void)state;
	snprintf(code, sizeof code, "%s",
		 pick_item(admin, &(struct item_want){ .vil_mode = "collect", .town_mode = "-accept",
						       .case_type = "-immediate" }));
	item = item_full(admin, code);
	b = case_body(code, item, NULL, "station", 1, time(NULL), NULL, 0);
	o = case_create(agent, b);
	snprintf(receipt, sizeof receipt, "%s", jstr(o, "receipt"));
	expect_case(o, "intake", site_vil1, -2);
	json_decref(o);
	json_decref(b);
	json_decref(item);

	client_use(agent, node[1]);
	o = act_ok(agent, receipt, "submit", "{'note':'材料齐全'}");
	expect_case(o, "submitted", site_town, -1);
	expect_handoff(o, site_vil1, site_town, NULL, 0, 0);
	json_decref(o);
	o = act_ok(clerk, receipt, "receive", "{}");
	expect_case(o, "submitted", site_town, id_clerk);
	expect_handoff(o, site_vil1, site_town, NULL, 0, 1);
	version = jint(o, "version");
	json_decref(o);

	/* node 1 sees what node 2 wrote: holder, version, timeline */
	client_use(clerk, node[0]);
	o = case_get(clerk, receipt);
	expect_case(o, "submitted", site_town, id_clerk);
	expect_int(o, "version", version);
	{
		static const char *const acts[] = { "create", "submit", "receive" };

		expect_timeline(o, acts, 3);
	}
	json_decref(o);
	client_free(agent);
	client_free(clerk);
}

/* One window's thread: no cmocka calls in here, only what it saw. */
struct caller {
	pthread_t th;
	struct client *c;
	long long window;
	long long got[MAX_GOT];
	int ngot, unexpected, retried;
	char why[256];
	pthread_barrier_t *go;
};

static void *caller_run(void *arg)
{
	struct caller *k = arg;
	char path[96];

	pthread_barrier_wait(k->go);
	snprintf(path, sizeof(path), "/api/v1/windows/%lld/call-next", k->window);
	for (;;) {
		struct resp r;
		long st = req_retry(k->c, "POST", path, NULL, &r, &k->retried);

		if (st == 404 && r.json && strcmp(resp_err_code(&r), "queue_empty") == 0) {
			resp_free(&r);
			break;
		}
		if (st != 200 || !r.json || k->ngot >= MAX_GOT) {
			k->unexpected++;
			snprintf(k->why, sizeof(k->why), "call-next %ld %.200s", st, r.body);
			resp_free(&r);
			break;
		}
		long long id = json_integer_value(json_object_get(r.json, "id"));

		k->got[k->ngot++] = id;
		resp_free(&r);
		static const char *const steps[] = { "start", "finish" };
		for (int s = 0; s < 2; s++) {
			char ap[96];

			snprintf(ap, sizeof(ap), TICKETS "/%lld/actions/%s", id, steps[s]);
			if (req_retry(k->c, "POST", ap, NULL, &r, &k->retried) != 200) {
				k->unexpected++;
				snprintf(k->why, sizeof(k->why), "%s %ld %.200s", steps[s], r.status,
					 r.body);
			}
			resp_free(&r);
		}
	}
	return NULL;
}

/* Tickets taken on both kiosks (alternately), called by windows on both nodes in parallel. */
static void test_call_next_across_nodes(void **state)
{
	struct client *kiosk_c[2] = { client_new(node[0]), client_new(node[1]) };
	struct caller k[NWIN];
	pthread_barrier_t go;
	long long taken[NTICKETS];
	char seen[1000] = { 0 };
	char path[96];
	int total = 0;

	(void)state;
	for (int i = 0; i < NTICKETS; i++) {
		json_t *t = kiosk(kiosk_c[i % 2], site_city, "general", NULL);
		const char *n = jstr(t, "number");
		int seq = n && n[0] == 'A' ? atoi(n + 1) : 0;

		if (seq <= 0 || seq >= 1000 || seen[seq]++)
			soft_fail("ticket number %s handed out twice or malformed", n ? n : "?");
		taken[i] = jint(t, "id");
		json_decref(t);
	}
	client_free(kiosk_c[0]);
	client_free(kiosk_c[1]);

	pthread_barrier_init(&go, NULL, NWIN);
	for (int w = 0; w < NWIN; w++) {
		memset(&k[w], 0, sizeof(k[w]));
		k[w].c = client_new(node[w % 2]);
		login_ok(k[w].c, logins[w], PW);
		k[w].window = city_w.general[w];
		k[w].go = &go;
	}
	for (int w = 0; w < NWIN; w++)
		assert_int_equal(pthread_create(&k[w].th, NULL, caller_run, &k[w]), 0);
	for (int w = 0; w < NWIN; w++) {
		pthread_join(k[w].th, NULL);
		if (k[w].unexpected)
			soft_fail("window %lld (node %d): %d unexpected answers: %s", k[w].window,
				  w % 2 + 1, k[w].unexpected, k[w].why);
		if (k[w].retried)
			note("window %lld: %d requests retried after 503", k[w].window, k[w].retried);
		total += k[w].ngot;
	}
	pthread_barrier_destroy(&go);
	check_int(total, NTICKETS);
	for (int i = 0; i < NTICKETS; i++) {
		int times = 0;
		long long by = 0;
		json_t *o;

		for (int w = 0; w < NWIN; w++)
			for (int g = 0; g < k[w].ngot; g++)
				if (k[w].got[g] == taken[i]) {
					times++;
					by = k[w].window;
				}
		if (times != 1)
			soft_fail("ticket %lld called %d times", taken[i], times);
		snprintf(path, sizeof(path), TICKETS "/%lld", taken[i]);
		o = get_ok(admin, path);
		expect_str(o, "status", "done");
		if (times == 1)
			expect_int(json_object_get(o, "window"), "id", by);
		expect_int(o, "call_count", 1);
		json_decref(o);
	}
	for (int w = 0; w < NWIN; w++)
		client_free(k[w].c);
}

/* Booking race: its own pair of nodes on a fixed clock (the slots are on the next open day). */
#define D0 "2026-12-01"
#define BOOK "/api/v1/public/appointments"
#define RACERS 8
#define PREBOOKED 3

struct racer {
	struct client *c;
	char body[256];
	pthread_barrier_t *go;
	long status;
	int retried;
	char code[32];
};

static void *race(void *arg)
{
	struct racer *x = arg;
	struct resp r;

	pthread_barrier_wait(x->go);
	x->status = req_retry(x->c, "POST", BOOK, x->body, &r, &x->retried);
	snprintf(x->code, sizeof x->code, "%s",
		 r.status >= 400 && resp_err_code(&r) ? resp_err_code(&r) : "");
	resp_free(&r);
	return NULL;
}

static long long remaining(struct client *c, const char *day, const char *id)
{
	json_t *o = front_slots(c, site_city, day);
	long long n = jint(jfind(json_object_get(o, "items"), "id", id), "remaining");

	json_decref(o);
	return n;
}

/* The booking test's own pair, stopped (and its database dropped) by its teardown even when it
 * fails half-way. */
static struct srv *bk[2];

static int booking_teardown(void **state)
{
	for (int i = 1; i >= 0; i--)
		if (bk[i] && srv_stop(bk[i]) != 0)
			soft_fail("booking node %d did not stop cleanly", i + 1);
	bk[0] = bk[1] = NULL;
	return case_test_teardown(state);
}

static void test_booking_race_across_nodes(void **state)
{
	char now[24], day[11], item[32], slot[64], body[256];
	const char *extra[] = { "--fake-now", front_fake_now(D0, 8, 0, now), NULL };
	struct srv *a, *b;
	struct client *adm, *pre;
	struct racer x[RACERS];
	pthread_t t[RACERS];
	pthread_barrier_t go;
	long long capacity;
	int won = 0, full = 0;
	json_t *o, *s;

	(void)state;
	a = bk[0] = srv_start_args(extra);
	assert_non_null(a);
	b = bk[1] = srv_second(a, extra);
	assert_non_null(b);
	adm = as(a, "admin");
	snprintf(item, sizeof item, "%s", pick_item(adm, &(struct item_want){ 0 }));
	front_next_open_day(adm, site_city, D0, day);
	o = front_slots(adm, site_city, day);
	s = json_array_get(json_object_get(o, "items"), 0);
	assert_non_null(s);
	snprintf(slot, sizeof slot, "%s", jstr(s, "id"));
	capacity = jint(s, "capacity");
	assert_true(capacity > PREBOOKED);
	json_decref(o);

	/* all but PREBOOKED places, alternately on both nodes */
	for (int i = 0; i < capacity - PREBOOKED; i++) {
		struct resp r;

		pre = client_new(i % 2 ? b : a);
		snprintf(body, sizeof body, "{\"slot\":\"%s\",\"item\":\"%s\",\"name\":\"苏和\","
			 "\"phone\":\"1380000%04d\"}", slot, item, 100 + i);
		req(pre, "POST", BOOK, body, NULL, &r);
		expect_status(&r, 201);
		resp_free(&r);
		client_free(pre);
	}
	assert_int_equal(remaining(adm, day, slot), PREBOOKED);

	pthread_barrier_init(&go, NULL, RACERS);
	for (int i = 0; i < RACERS; i++) {
		x[i] = (struct racer){ .c = client_new(i % 2 ? b : a), .go = &go };
		snprintf(x[i].body, sizeof x[i].body, "{\"slot\":\"%s\",\"item\":\"%s\","
			 "\"name\":\"苏和\",\"phone\":\"1390000%04d\"}", slot, item, i);
	}
	for (int i = 0; i < RACERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, race, &x[i]), 0);
	for (int i = 0; i < RACERS; i++) {
		pthread_join(t[i], NULL);
		won += x[i].status == 201;
		full += x[i].status == 409 && !strcmp(x[i].code, "slot_full");
		if (x[i].status != 201 && !(x[i].status == 409 && !strcmp(x[i].code, "slot_full")))
			soft_fail("racer %d (node %d): %ld %s", i, i % 2 + 1, x[i].status, x[i].code);
		if (x[i].retried)
			note("racer %d: %d retries after 503", i, x[i].retried);
		client_free(x[i].c);
	}
	pthread_barrier_destroy(&go);
	check_int(won, PREBOOKED);
	check_int(full, RACERS - PREBOOKED);
	check_int(remaining(adm, day, slot), 0);
	/* both nodes agree */
	{
		struct client *other = as(b, "admin");

		check_int(remaining(other, day, slot), 0);
		client_free(other);
	}
	client_free(adm);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		case_test(test_session_across_nodes),
		case_test(test_case_across_nodes),
		case_test(test_call_next_across_nodes),
		cmocka_unit_test_teardown(test_booking_race_across_nodes, booking_teardown),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	if (!harness_pg()) {
		printf("pg_nodes: skipped (BB_PG_URL is not set: PostgreSQL only)\n");
		harness_done();
		return 0;
	}
	rc = cmocka_run_group_tests_name("pg_nodes", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
