/*
 * API tests: 预约 capacity under concurrency (docs/api-booking.md: "capacity holds under
 * concurrent bookings on any number of nodes"). Eight residents, each on their own connection
 * and thread, book the last places of one slot at once: exactly as many succeed as places were
 * left, the rest get 409 slot_full, the slot shows 0 remaining and the staff list holds exactly
 * capacity bookings. Then the same race split across two server processes on one database.
 * The slot is on the next working day after the (fixed) clock, found through the slots endpoint.
 * Usage: api_test_front_booking_race <path to bangban> <data/catalog dir>
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
#include <cmocka.h>

#include "front_util.h"

#define D0 "2026-12-01"
#define BOOK "/api/v1/public/appointments"
#define RACERS 8
#define PREBOOKED 3

static struct client *admin;
static char item[32], day[11], now[24];

static int setup(void **state)
{
	const char *extra[] = { "--fake-now", front_fake_now(D0, 8, 0, now), NULL };
	struct srv *s = srv_start_args(extra);

	if (!s)
		return -1;
	*state = s;
	admin = as(s, "admin");
	cases_load_sites(admin);
	snprintf(item, sizeof item, "%s", pick_item(admin, &(struct item_want){ 0 }));
	front_next_open_day(admin, site_city, D0, day);
	return 0;
}

static int teardown(void **state)
{
	client_free(admin);
	return srv_group_teardown(state);
}

struct racer {
	struct client *c;
	char body[256];
	pthread_barrier_t *go;
	long status;
	char code[32];
};

static void *race(void *arg)
{
	struct racer *x = arg;
	struct resp r;
	pthread_barrier_wait(x->go);
	x->status = req(x->c, "POST", BOOK, x->body, NULL, &r);
	const char *code = r.status == 409 ? resp_err_code(&r) : "";
	snprintf(x->code, sizeof x->code, "%s", code ? code : "");
	resp_free(&r);
	return NULL;
}

/* The general service's slot (capacity 6 at the city centre) that starts at index k of the
 * day's list: its id and capacity. */
static void city_slot(size_t k, char id[64], long long *capacity)
{
	json_t *o = front_slots(admin, site_city, day);
	json_t *s = json_array_get(json_object_get(o, "items"), k);
	assert_non_null(s);
	assert_string_equal(jstr(s, "kind"), "general");
	snprintf(id, 64, "%s", jstr(s, "id"));
	*capacity = jint(s, "capacity");
	assert_int_equal(jint(s, "remaining"), *capacity);
	json_decref(o);
}

static long long remaining(const char *id)
{
	json_t *o = front_slots(admin, site_city, day);
	long long n = jint(jfind(json_object_get(o, "items"), "id", id), "remaining");
	json_decref(o);
	return n;
}

/* Books capacity - PREBOOKED places one by one, then RACERS clients (on servers a and b,
 * alternately) race for the last PREBOOKED; phones start at base. */
static void run_race(struct srv *a, struct srv *b, const char *slot, long long capacity, int base)
{
	struct client *pre = client_new(a);
	char body[256];
	for (int i = 0; i < capacity - PREBOOKED; i++) {
		snprintf(body, sizeof body, "{\"slot\":\"%s\",\"item\":\"%s\",\"name\":\"苏和\","
			 "\"phone\":\"1380000%04d\"}", slot, item, base + 100 + i);
		struct resp r;
		req(pre, "POST", BOOK, body, NULL, &r);
		expect_status(&r, 201);
		resp_free(&r);
	}
	client_free(pre);
	assert_int_equal(remaining(slot), PREBOOKED);

	struct racer x[RACERS];
	pthread_t t[RACERS];
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, RACERS);
	for (int i = 0; i < RACERS; i++) {
		x[i] = (struct racer){ .c = client_new(i % 2 ? b : a), .go = &go };
		snprintf(x[i].body, sizeof x[i].body, "{\"slot\":\"%s\",\"item\":\"%s\","
			 "\"name\":\"苏和\",\"phone\":\"1380000%04d\"}", slot, item, base + i);
	}
	for (int i = 0; i < RACERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, race, &x[i]), 0);
	int won = 0, full = 0;
	for (int i = 0; i < RACERS; i++) {
		pthread_join(t[i], NULL);
		won += x[i].status == 201;
		full += x[i].status == 409 && !strcmp(x[i].code, "slot_full");
		client_free(x[i].c);
	}
	pthread_barrier_destroy(&go);
	assert_int_equal(won, PREBOOKED);
	assert_int_equal(full, RACERS - PREBOOKED);
	assert_int_equal(remaining(slot), 0);

	/* The staff list holds exactly capacity bookings of that slot. */
	char path[128];
	snprintf(path, sizeof path, "/api/v1/appointments?site=%lld&date=%s&status=booked",
		 site_city, day);
	struct resp r;
	req(admin, "GET", path, NULL, NULL, &r);
	expect_status(&r, 200);
	json_t *items = json_object_get(r.json, "items"), *e;
	size_t i;
	long long n = 0;
	char start[40];
	snprintf(start, sizeof start, "%.4s-%.2s-%.2sT%.2s:%.2s:00+08:00", strchr(slot, '-') + 1,
		 strchr(slot, '-') + 5, strchr(slot, '-') + 7, strchr(slot, '-') + 10,
		 strchr(slot, '-') + 12);
	json_array_foreach(items, i, e)
		n += !strcmp(jstr(e, "start"), start) && !strcmp(jstr(e, "kind"), "general");
	assert_int_equal(n, capacity);
	resp_free(&r);
}

static void test_race_one_node(void **state)
{
	char slot[64];
	long long cap;
	city_slot(0, slot, &cap); /* 09:00 general */
	run_race(*state, *state, slot, cap, 0);
}

static void test_race_two_nodes(void **state)
{
	const char *extra[] = { "--fake-now", now, NULL };
	struct srv *second = srv_second(*state, extra);
	assert_non_null(second);
	char slot[64];
	long long cap;
	city_slot(2, slot, &cap); /* 09:30 general */
	run_race(*state, second, slot, cap, 1000);
	assert_int_equal(srv_stop(second), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_race_one_node),
		cmocka_unit_test(test_race_two_nodes),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("front_booking_race", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
