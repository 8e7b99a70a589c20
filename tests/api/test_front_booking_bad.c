/*
 * API tests: 预约 appointments, every bad input of docs/api-booking.md answered with its code and
 * field while nothing is written (the day's slots and the staff list stay exactly as they were):
 * slot listing dates, malformed/unknown/past/closed/outside-hours/inactive/too-far slots, items
 * not published, not handled at the site or not the service's, names, phones, the same phone
 * twice a day, a full slot, the per-address limit of 20 bookings an hour (429 + Retry-After) and
 * of failed code/phone lookups. Clock: Tuesday 2026-12-01 08:00 +08:00.
 * Usage: api_test_front_booking_bad <path to bangban> <data/catalog dir>
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
#include <cmocka.h>

#include "front_util.h"

#define D0 "2026-12-01"
#define SVC "/api/v1/booking-services"
#define BOOK "/api/v1/public/appointments"

static struct client *admin, *tadmin, *anon;
static char item[32], item2[32], far_item[32];
static long long svc, svc_item; /* the village's general service; one for item only */

static json_t *get_ok(struct client *c, const char *path)
{
	struct resp r;
	req(c, "GET", path, NULL, NULL, &r);
	expect_status(&r, 200);
	json_t *o = json_incref(r.json);
	resp_free(&r);
	return o;
}

static int setup(void **state)
{
	char now[24];
	const char *extra[] = { "--fake-now", front_fake_now(D0, 8, 0, now), NULL };
	struct srv *s = srv_start_args(extra);

	if (!s)
		return -1;
	*state = s;
	admin = as(s, "admin");
	tadmin = as(s, "tadmin");
	anon = client_new(s);
	cases_load_sites(admin);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/items?site=%lld", site_vil1);
	json_t *vil = list_all(admin, path);
	size_t i;
	json_t *e;
	json_array_foreach(vil, i, e) {
		if (strcmp(jstr(e, "status"), "published") != 0)
			continue;
		if (!item[0])
			snprintf(item, sizeof item, "%s", jstr(e, "code"));
		else if (!item2[0])
			snprintf(item2, sizeof item2, "%s", jstr(e, "code"));
	}
	json_decref(vil);
	front_unoffer(admin, site_vil1, far_item);
	snprintf(path, sizeof path, SVC "?site=%lld", site_vil1);
	json_t *l = get_ok(admin, path);
	svc = jint(json_array_get(json_object_get(l, "items"), 0), "id");
	json_decref(l);
	char body[256];
	snprintf(body, sizeof body, "{\"site_id\":%lld,\"name\":\"x\",\"kind\":\"general\","
		 "\"item\":\"%s\",\"hours\":\"14:00-15:00\",\"slot_minutes\":60,\"capacity\":1}",
		 site_vil1, item);
	struct resp r;
	req(tadmin, "POST", SVC, body, NULL, &r);
	expect_status(&r, 201);
	svc_item = jint(r.json, "id");
	resp_free(&r);
	return far_item[0] && item2[0] ? 0 : -1;
}

static int teardown(void **state)
{
	client_free(admin);
	client_free(tadmin);
	client_free(anon);
	return srv_group_teardown(state);
}

static const char *slot_of(long long service, const char *ymd, const char *hhmm)
{
	static char ring[32][48];
	static int k;
	char *out = ring[k++ % 32];
	snprintf(out, 48, "%lld-%s-%s", service, ymd, hhmm);
	return out;
}

/* What a failed request must leave alone: the day's slots and the staff list. */
static json_t *state_now(void)
{
	char path[128];
	snprintf(path, sizeof path, "/api/v1/appointments?site=%lld&date=" D0, site_vil1);
	return json_pack("{s:o,s:o,s:o}", "slots", front_slots(anon, site_vil1, D0), "list",
			 get_ok(admin, path), "services", get_ok(admin, SVC "?limit=200"));
}

#define expect_unchanged(before) expect_unchanged_at(__FILE__, __LINE__, (before))
static void expect_unchanged_at(const char *file, int line, json_t *before)
{
	json_t *after = state_now();
	if (!json_equal(before, after))
		fail_at_(file, line, "a refused request changed the slots or the staff list");
	json_decref(after);
}

static long book_raw(const char *body, struct resp *r)
{
	return req(anon, "POST", BOOK, body, NULL, r);
}

static long book(const char *slot, const char *code, const char *name, const char *phone,
		 struct resp *r)
{
	json_t *b = json_pack("{s:s,s:s,s:s,s:s}", "slot", slot, "item", code, "name", name,
			      "phone", phone);
	char *s = json_dumps(b, JSON_COMPACT);
	long st = book_raw(s, r);
	free(s);
	json_decref(b);
	return st;
}

static void test_slot_dates(void **state)
{
	(void)state;
	static const struct {
		const char *query;
		long status;
		const char *code, *field;
	} bad[] = {
		{ "", 422, "missing_field", "date" },
		{ "?date=2026-13-01", 422, "invalid", "date" },
		{ "?date=20261201", 422, "invalid", "date" },
		{ "?date=2026-11-30", 422, "invalid", "date" },   /* past */
		{ "?date=2027-01-01", 422, "invalid", "date" },   /* after bookable_until */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char path[128];
		snprintf(path, sizeof path, "/api/v1/public/sites/%lld/slots%s", site_vil1,
			 bad[i].query);
		struct resp r;
		req(anon, "GET", path, NULL, NULL, &r);
		expect_error(&r, bad[i].status, bad[i].code, bad[i].field);
		resp_free(&r);
	}
	struct resp r;
	req(anon, "GET", "/api/v1/public/sites/99999/slots?date=" D0, NULL, NULL, &r);
	expect_error(&r, 404, "not_found", NULL);
	resp_free(&r);
	req(anon, "GET", "/api/v1/public/sites/abc/slots?date=" D0, NULL, NULL, &r);
	expect_error(&r, 404, "not_found", NULL);
	resp_free(&r);
	json_t *o = front_slots(anon, site_vil1, "2026-12-31"); /* the last bookable day */
	assert_true(json_is_true(json_object_get(o, "open")));
	json_decref(o);
}

static void test_bad_bookings(void **state)
{
	(void)state;
	json_t *before = state_now();
	struct resp r;
	static const struct {
		const char *body;
		long status;
		const char *code, *field;
	} raw[] = {
		{ "{", 400, "bad_json", NULL },
		{ "[]", 422, "wrong_type", NULL },
		{ "{\"item\":\"x\",\"name\":\"苏和\",\"phone\":\"13812345678\"}", 422, "missing_field", "slot" },
		{ "{\"slot\":5,\"item\":\"x\",\"name\":\"苏和\",\"phone\":\"13812345678\"}", 422, "wrong_type", "slot" },
		{ "{\"slot\":\"1-20261201-0900\",\"item\":\"x\",\"name\":\"苏和\",\"phone\":\"1\",\"x\":1}", 422, "unknown_field", "x" },
		{ "{\"slot\":\"1-20261201-0900\",\"name\":\"苏和\",\"phone\":\"13812345678\"}", 422, "missing_field", "item" },
		{ "{\"slot\":\"1-20261201-0900\",\"item\":\"x\",\"phone\":\"13812345678\"}", 422, "missing_field", "name" },
		{ "{\"slot\":\"1-20261201-0900\",\"item\":\"x\",\"name\":\"苏和\"}", 422, "missing_field", "phone" },
	};
	for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
		book_raw(raw[i].body, &r);
		expect_error(&r, raw[i].status, raw[i].code, raw[i].field);
		resp_free(&r);
	}
	char name33[200] = "";
	for (int i = 0; i < 33; i++)
		strcat(name33, "苏");
	static const char *const malformed[] = { "abc", "", "0-20261201-0900", "1-2026120-0900",
						 "1-20261201-09001", "1-20261301-0900",
						 "1-20261201-0960", "99999-20261201-0900",
						 "-20261201-0900", "1-20261201-2500" };
	const struct {
		const char *slot, *item, *name, *phone;
		long status;
		const char *code, *field;
	} bad[] = {
		{ malformed[0], item, NAME1, PHONE1, 422, "invalid", "slot" },
		{ malformed[1], item, NAME1, PHONE1, 422, "invalid", "slot" },
		{ malformed[2], item, NAME1, PHONE1, 422, "invalid", "slot" },
		{ malformed[3], item, NAME1, PHONE1, 422, "invalid", "slot" },
		{ malformed[4], item, NAME1, PHONE1, 422, "invalid", "slot" },
		{ malformed[5], item, NAME1, PHONE1, 422, "invalid", "slot" },
		{ malformed[6], item, NAME1, PHONE1, 422, "invalid", "slot" },
		{ malformed[7], item, NAME1, PHONE1, 422, "invalid", "slot" },
		{ malformed[8], item, NAME1, PHONE1, 422, "invalid", "slot" },
		{ malformed[9], item, NAME1, PHONE1, 422, "invalid", "slot" },
		{ slot_of(svc, "20270105", "0900"), item, NAME1, PHONE1, 422, "invalid", "slot" },
		{ slot_of(svc, "20261130", "0900"), item, NAME1, PHONE1, 422, "slot_past", "slot" },
		{ slot_of(svc, "20261201", "0730"), item, NAME1, PHONE1, 422, "slot_past", "slot" },
		{ slot_of(svc, "20261205", "0900"), item, NAME1, PHONE1, 422, "slot_closed", NULL },
		{ slot_of(svc, "20261201", "1230"), item, NAME1, PHONE1, 422, "slot_closed", NULL },
		{ slot_of(svc, "20261201", "0915"), item, NAME1, PHONE1, 422, "slot_closed", NULL },
		{ slot_of(svc, "20261201", "1730"), item, NAME1, PHONE1, 422, "slot_closed", NULL },
		{ slot_of(svc, "20261201", "0900"), "99999999999", NAME1, PHONE1, 422, "invalid", "item" },
		{ slot_of(svc, "20261201", "0900"), far_item, NAME1, PHONE1, 422, "invalid", "item" },
		{ slot_of(svc_item, "20261201", "1400"), item2, NAME1, PHONE1, 422, "invalid", "item" },
		{ slot_of(svc, "20261201", "0900"), item, "", PHONE1, 422, "invalid", "name" },
		{ slot_of(svc, "20261201", "0900"), item, name33, PHONE1, 422, "invalid", "name" },
		{ slot_of(svc, "20261201", "0900"), item, NAME1, "12345", 422, "invalid", "phone" },
		{ slot_of(svc, "20261201", "0900"), item, NAME1, "23812345678", 422, "invalid", "phone" },
		{ slot_of(svc, "20261201", "0900"), item, NAME1, "1381234567x", 422, "invalid", "phone" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		book(bad[i].slot, bad[i].item, bad[i].name, bad[i].phone, &r);
		if (error_mismatch(&r, bad[i].status, bad[i].code, bad[i].field))
			fail_at("case %zu (%s): %s", i, bad[i].slot,
				error_mismatch(&r, bad[i].status, bad[i].code, bad[i].field));
		resp_free(&r);
	}
	expect_unchanged(before);

	/* An inactive service's slots are closed. */
	char path[64];
	snprintf(path, sizeof path, SVC "/%lld", svc_item);
	req(tadmin, "PATCH", path, "{\"active\":false}", NULL, &r);
	expect_status(&r, 200);
	resp_free(&r);
	json_decref(before);
	before = state_now();
	book(slot_of(svc_item, "20261201", "1400"), item, NAME1, PHONE1, &r);
	expect_error(&r, 422, "slot_closed", NULL);
	resp_free(&r);
	expect_unchanged(before);
	req(tadmin, "PATCH", path, "{\"active\":true}", NULL, &r);
	expect_status(&r, 200);
	resp_free(&r);
	json_decref(before);
}

static int booked; /* successful bookings from this address so far */

static void test_conflict_and_full(void **state)
{
	(void)state;
	struct resp r;
	const char *s900 = slot_of(svc, "20261201", "0900");
	book(s900, item, NAME1, PHONE1, &r);
	expect_status(&r, 201);
	resp_free(&r);
	booked++;
	json_t *before = state_now();
	book(slot_of(svc, "20261201", "1000"), item, "王五", PHONE1, &r);
	expect_error(&r, 409, "conflict", NULL);
	resp_free(&r);
	expect_unchanged(before);
	json_decref(before);
	for (int i = 1; i < 4; i++) {
		char phone[32];
		snprintf(phone, sizeof phone, "1391111000%d", i);
		book(s900, item, NAME1, phone, &r);
		expect_status(&r, 201);
		resp_free(&r);
		booked++;
	}
	before = state_now();
	book(s900, item, NAME1, "13911110009", &r);
	expect_error(&r, 409, "slot_full", NULL);
	resp_free(&r);
	expect_unchanged(before);
	json_t *s = jfind(json_object_get(json_object_get(before, "slots"), "items"), "id", s900);
	assert_int_equal(jint(s, "remaining"), 0);
	json_decref(before);
}

static void test_hourly_limit(void **state)
{
	(void)state;
	struct resp r;
	/* Up to 20 bookings an hour from one address, over several slots (4 places each). */
	for (int i = 0; booked < 20; i++) {
		char phone[32], hhmm[32];
		int k = i / 4 + 1; /* 09:30, 10:00, 10:30, 11:00 (09:00 is full) */
		snprintf(phone, sizeof phone, "1392222%04d", i % 10000);
		snprintf(hhmm, sizeof hhmm, "%02d%02d", 9 + k / 2, k % 2 ? 30 : 0);
		book(slot_of(svc, "20261201", hhmm), item, NAME1, phone, &r);
		expect_status(&r, 201);
		resp_free(&r);
		booked++;
	}
	json_t *before = state_now();
	book(slot_of(svc, "20261201", "1500"), item, NAME1, "13933330000", &r);
	expect_error(&r, 429, "rate_limited", NULL);
	const char *ra = resp_header(&r, "Retry-After");
	assert_non_null(ra);
	assert_true(atoi(ra) > 0 && atoi(ra) <= 3600);
	resp_free(&r);
	expect_unchanged(before);
	json_decref(before);
}

static void test_lookup_limit(void **state)
{
	(void)state;
	struct resp r;
	char path[128];
	/* A real booking code (staff lists show them); 20 wrong phones, then even the right one
	 * waits. */
	snprintf(path, sizeof path, "/api/v1/appointments?site=%lld&date=" D0, site_vil1);
	json_t *l = get_ok(admin, path);
	char code[16];
	snprintf(code, sizeof code, "%s", jstr(json_array_get(json_object_get(l, "items"), 0), "code"));
	json_decref(l);
	req(anon, "GET", BOOK "/ABCDEFGH", NULL, NULL, &r);
	expect_error(&r, 422, "missing_field", "phone");
	resp_free(&r);
	for (int i = 0; i < 20; i++) {
		snprintf(path, sizeof path, BOOK "/%s?phone=1390000%04d", code, i);
		req(anon, "GET", path, NULL, NULL, &r);
		expect_error(&r, 404, "not_found", NULL);
		resp_free(&r);
	}
	snprintf(path, sizeof path, BOOK "/%s?phone=" PHONE1, code);
	req(anon, "GET", path, NULL, NULL, &r);
	expect_error(&r, 429, "rate_limited", NULL);
	assert_non_null(resp_header(&r, "Retry-After"));
	resp_free(&r);
	snprintf(path, sizeof path, BOOK "/%s/cancel", code);
	json_t *before = state_now();
	req(anon, "POST", path, "{\"phone\":\"" PHONE1 "\"}", NULL, &r);
	expect_error(&r, 429, "rate_limited", NULL);
	resp_free(&r);
	expect_unchanged(before);
	json_decref(before);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slot_dates),
		cmocka_unit_test(test_bad_bookings),
		cmocka_unit_test(test_conflict_and_full),
		cmocka_unit_test(test_hourly_limit),
		cmocka_unit_test(test_lookup_limit),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("front_booking_bad", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
