/*
 * API tests: 预约 appointments, the whole flow (docs/api-booking.md): bookable services (list,
 * create with every bad field refused and nothing written, scope, PATCH), the public site list,
 * slots, booking, reading and cancelling with the code and phone, rebooking, the staff list,
 * check-in on the day (a ticket with priority appointment), staff no-show once the slot has
 * started, the server's tick marking past days' bookings no_show, and the no-show limit.
 * The server runs on a fixed clock: Tuesday 2026-12-01 08:00 +08:00, later 11:40, then Thursday.
 * Usage: api_test_front_booking <path to bangban> <data/catalog dir>
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
#include <unistd.h>
#include <cmocka.h>

#include "front_util.h"

#define D0 "2026-12-01"
#define D1 "2026-12-02"
#define D2 "2026-12-03"
#define SVC "/api/v1/booking-services"
#define BOOK "/api/v1/public/appointments"
#define PHONE2 "13912340002"
#define PHONE5 "13912340005"

static struct client *admin, *tadmin, *agent, *agent2, *clerk2, *approver, *anon;
static char item[32];     /* offered at the villages */
static char far_item[32]; /* published, not offered at the first village */
static long long svc_vil1, svc_vil2, svc_new;

static json_t *get_ok(struct client *c, const char *path);

static void sign_in_all(struct srv *s)
{
	struct client **all[] = { &admin, &tadmin, &agent, &agent2, &clerk2, &approver };
	const char *logins[] = { "admin", "tadmin", "agent", "agent2", "clerk2", "approver" };

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		if (*all[i])
			client_free(*all[i]);
		*all[i] = as(s, logins[i]);
	}
}

static int setup(void **state)
{
	char now[24];
	const char *extra[] = { "--fake-now", front_fake_now(D0, 8, 0, now), NULL };
	struct srv *s = srv_start_args(extra);

	if (!s)
		return -1;
	*state = s;
	sign_in_all(s);
	anon = client_new(s);
	cases_load_sites(admin);
	snprintf(item, sizeof item, "%s", pick_item(admin, &(struct item_want){ 0 }));
	char path[96];
	front_unoffer(admin, site_vil1, far_item);
	snprintf(path, sizeof path, SVC "?site=%lld", site_vil2);
	json_t *l = get_ok(admin, path);
	svc_vil2 = jint(json_array_get(json_object_get(l, "items"), 0), "id");
	json_decref(l);
	return far_item[0] ? 0 : -1;
}

static int teardown(void **state)
{
	struct client *all[] = { admin, tadmin, agent, agent2, clerk2, approver, anon };

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		client_free(all[i]);
	return srv_group_teardown(state);
}

/* GET path as c, expecting 200: the body (new reference). */
static json_t *get_ok(struct client *c, const char *path)
{
	struct resp r;
	req(c, "GET", path, NULL, NULL, &r);
	expect_status(&r, 200);
	json_t *o = json_incref(r.json);
	resp_free(&r);
	return o;
}

/* POST/PATCH body (a JSON object, not stolen) as c; fills r. */
static long send(struct client *c, const char *method, const char *path, json_t *body,
		 struct resp *r)
{
	char *s = json_dumps(body, JSON_COMPACT);
	long st = req(c, method, path, s, NULL, r);
	free(s);
	return st;
}

static long book(const char *slot, const char *code, const char *name, const char *phone,
		 struct resp *r)
{
	json_t *b = json_pack("{s:s,s:s,s:s,s:s}", "slot", slot, "item", code, "name", name,
			      "phone", phone);
	long st = send(anon, "POST", BOOK, b, r);
	json_decref(b);
	return st;
}

/* Books and expects 201: the appointment's code into out (9 bytes). */
static void book_ok(const char *slot, const char *phone, char out[9])
{
	struct resp r;
	book(slot, item, NAME1, phone, &r);
	expect_status(&r, 201);
	snprintf(out, 9, "%s", jstr(r.json, "code"));
	resp_free(&r);
}

/* The slot id of service svc at hh:mm on date (YYYY-MM-DD). */
static const char *slot_of(long long svc, const char *date, int hh, int mm)
{
	static char ring[4][48];
	static int k;
	char *out = ring[k++ % 4];
	snprintf(out, 48, "%lld-%.4s%.2s%.2s-%02d%02d", svc, date, date + 5, date + 8, hh, mm);
	return out;
}

/* remaining of slot id on date at site (-1 when not listed). */
static long long remaining(long long site, const char *date, const char *slot)
{
	json_t *o = front_slots(anon, site, date);
	json_t *s = jfind(json_object_get(o, "items"), "id", slot);
	long long n = s ? jint(s, "remaining") : -1;
	json_decref(o);
	return n;
}

static json_t *staff_list(struct client *c, long long site, const char *date, const char *status)
{
	char path[128];
	snprintf(path, sizeof path, "/api/v1/appointments?site=%lld&date=%s%s%s", site, date,
		 status ? "&status=" : "", status ? status : "");
	json_t *o = get_ok(c, path);
	json_t *items = json_incref(json_object_get(o, "items"));
	json_decref(o);
	return items;
}

static long own(const char *method, const char *code, const char *action, const char *phone,
		struct resp *r)
{
	char path[128], body[64];
	if (!strcmp(method, "GET")) {
		snprintf(path, sizeof path, BOOK "/%s?phone=%s", code, phone);
		return req(anon, "GET", path, NULL, NULL, r);
	}
	snprintf(path, sizeof path, BOOK "/%s/%s", code, action);
	snprintf(body, sizeof body, "{\"phone\":\"%s\"}", phone);
	return req(anon, "POST", path, body, NULL, r);
}

/* --- services --- */

static void test_services(void **state)
{
	(void)state;
	char path[96];
	snprintf(path, sizeof path, SVC "?site=%lld", site_vil1);
	json_t *l = get_ok(agent, path), *items = json_object_get(l, "items");
	assert_int_equal(json_array_size(items), 1);
	json_t *s = json_array_get(items, 0);
	svc_vil1 = jint(s, "id");
	assert_string_equal(jstr(s, "name"), "综合窗口预约");
	assert_string_equal(jstr(s, "kind"), "general");
	assert_string_equal(jstr(s, "hours"), "09:00-12:00,13:30-17:30");
	assert_true(json_is_null(json_object_get(s, "item")));
	assert_int_equal(jint(s, "slot_minutes"), 30);
	assert_int_equal(jint(s, "capacity"), 4);
	assert_true(json_is_true(json_object_get(s, "active")));
	assert_non_null(jstr(s, "created_at"));
	json_t *before = get_ok(admin, SVC "?limit=200");
	assert_int_equal(json_array_size(json_object_get(before, "items")), 13);

	/* Every bad field: 422 naming it, nothing written. */
	static const struct {
		const char *field, *json, *code, *bad_field;
	} bad[] = {
		{ "kind", "\"bogus\"", "invalid", "kind" },
		{ "hours", "\"9:00-11:00\"", "invalid", "hours" },
		{ "hours", "\"11:00-09:00\"", "invalid", "hours" },
		{ "hours", "\"09:00-11:00,10:00-12:00\"", "invalid", "hours" },
		{ "hours", "\"\"", "invalid", "hours" },
		{ "slot_minutes", "3", "invalid", "slot_minutes" },
		{ "slot_minutes", "241", "invalid", "slot_minutes" },
		{ "slot_minutes", "180", "invalid", "slot_minutes" }, /* no slot fits 09:00-11:00 */
		{ "slot_minutes", "\"60\"", "wrong_type", "slot_minutes" },
		{ "capacity", "0", "invalid", "capacity" },
		{ "capacity", "501", "invalid", "capacity" },
		{ "item", "\"99999999999\"", "invalid", "item" },
		{ "item", "\"FAR\"", "invalid", "item" },
		{ "site_id", "99999", "invalid", "site_id" },
		{ "name", "\"\"", "invalid", "name" },
		{ "name", NULL, "missing_field", "name" },
		{ "colour", "\"red\"", "unknown_field", "colour" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *b = json_pack("{s:I,s:s,s:s,s:s,s:s,s:i,s:i}", "site_id",
				      (json_int_t)site_vil1, "name", "社保预约", "kind", "general",
				      "item", item, "hours", "09:00-11:00", "slot_minutes", 60,
				      "capacity", 2);
		const char *v = bad[i].json && !strcmp(bad[i].json, "\"FAR\"") ? NULL : bad[i].json;
		if (!bad[i].json)
			json_object_del(b, bad[i].field);
		else if (!v)
			json_object_set_new(b, bad[i].field, json_string(far_item));
		else
			json_object_set_new(b, bad[i].field, json_loads(v, JSON_DECODE_ANY, NULL));
		struct resp r;
		send(tadmin, "POST", SVC, b, &r);
		expect_error(&r, 422, bad[i].code, bad[i].bad_field);
		resp_free(&r);
		json_decref(b);
	}
	json_t *b = json_pack("{s:I,s:s,s:s,s:s,s:s,s:i,s:i}", "site_id", (json_int_t)site_vil1,
			      "name", "社保预约", "kind", "general", "item", item, "hours",
			      "09:00-11:00", "slot_minutes", 60, "capacity", 2);
	/* Who may: admins and coordinators of the site or above; not agents, not elsewhere. */
	struct resp r;
	send(agent, "POST", SVC, b, &r);
	expect_error(&r, 403, "forbidden", NULL);
	resp_free(&r);
	json_object_set_new(b, "site_id", json_integer(site_city));
	send(tadmin, "POST", SVC, b, &r);
	expect_error(&r, 403, "forbidden", NULL);
	resp_free(&r);
	json_t *after = get_ok(admin, SVC "?limit=200");
	assert_true(json_equal(before, after));
	json_decref(after);
	req(approver, "GET", SVC, NULL, NULL, &r);
	expect_error(&r, 403, "forbidden", NULL);
	resp_free(&r);

	json_object_set_new(b, "site_id", json_integer(site_vil1));
	send(tadmin, "POST", SVC, b, &r);
	expect_status(&r, 201);
	svc_new = jint(r.json, "id");
	assert_string_equal(jstr(r.json, "item"), item);
	assert_int_equal(jint(r.json, "site_id"), site_vil1);
	resp_free(&r);
	json_decref(b);

	/* PATCH: site_id is read-only; capacity and active change. */
	snprintf(path, sizeof path, SVC "/%lld", svc_new);
	req(tadmin, "PATCH", path, "{\"site_id\":1}", NULL, &r);
	expect_error(&r, 422, "read_only", "site_id");
	resp_free(&r);
	req(tadmin, "PATCH", path, "{\"hours\":\"09:00\"}", NULL, &r);
	expect_error(&r, 422, "invalid", "hours");
	resp_free(&r);
	req(agent, "PATCH", path, "{\"capacity\":3}", NULL, &r);
	expect_error(&r, 403, "forbidden", NULL);
	resp_free(&r);
	req(tadmin, "PATCH", path, "{\"capacity\":3,\"active\":false}", NULL, &r);
	expect_status(&r, 200);
	assert_int_equal(jint(r.json, "capacity"), 3);
	assert_true(json_is_false(json_object_get(r.json, "active")));
	resp_free(&r);
	assert_int_equal(remaining(site_vil1, D0, slot_of(svc_new, D0, 9, 0)), -1);
	req(tadmin, "PATCH", path, "{\"active\":true}", NULL, &r);
	expect_status(&r, 200);
	resp_free(&r);
	assert_int_equal(remaining(site_vil1, D0, slot_of(svc_new, D0, 9, 0)), 3);
	json_t *one = get_ok(agent, path);
	assert_int_equal(jint(one, "id"), svc_new);
	json_decref(one);
	snprintf(path, sizeof path, SVC "/%lld", svc_vil1);
	req(clerk2, "GET", path, NULL, NULL, &r); /* another township */
	expect_error(&r, 403, "forbidden", NULL);
	resp_free(&r);
	json_decref(before);
	json_decref(l);
}

/* --- public sites and slots --- */

static void test_public_sites(void **state)
{
	(void)state;
	json_t *o = get_ok(anon, "/api/v1/public/sites"), *items = json_object_get(o, "items");
	assert_int_equal(json_array_size(items), 12);
	json_t *city = jfind_id(items, "id", site_city);
	assert_non_null(city);
	assert_string_equal(jstr(city, "code"), CITY_CODE);
	assert_string_equal(jstr(city, "level"), "district");
	assert_true(json_is_null(json_object_get(city, "parent_id")));
	static const char *const keys[] = { "name", "address", "phone", "hours" };
	for (size_t i = 0; i < 4; i++)
		assert_non_null(jstr(city, keys[i]));
	assert_int_equal(jint(jfind_id(items, "id", site_vil1), "parent_id"), site_town);
	json_decref(o);

	o = front_slots(anon, site_vil1, D0);
	assert_true(json_is_true(json_object_get(o, "open")));
	assert_string_equal(jstr(o, "bookable_until"), "2026-12-31");
	items = json_object_get(o, "items");
	assert_int_equal(json_array_size(items), 16); /* 14 general + 2 of the new service */
	json_t *s = json_array_get(items, 0);
	assert_string_equal(jstr(s, "id"), slot_of(svc_vil1, D0, 9, 0));
	assert_string_equal(jstr(s, "start"), "2026-12-01T09:00:00+08:00");
	assert_string_equal(jstr(s, "end"), "2026-12-01T09:30:00+08:00");
	assert_string_equal(jstr(s, "service"), "综合窗口预约");
	assert_int_equal(jint(s, "remaining"), 4);
	assert_string_equal(jstr(json_array_get(items, 1), "item"), item);
	json_decref(o);
	o = front_slots(anon, site_vil1, "2026-12-05"); /* a Saturday */
	assert_true(json_is_false(json_object_get(o, "open")));
	assert_int_equal(json_array_size(json_object_get(o, "items")), 0);
	json_decref(o);
	char day[11];
	front_next_open_day(anon, site_vil1, "2026-12-04", day); /* Friday -> Monday */
	assert_string_equal(day, "2026-12-07");
}

/* --- the flow --- */

static char code_a[9], code_b[9], code_c[9], code_d[9], code_e[9], code_f[9];

static void test_book_get_cancel(void **state)
{
	(void)state;
	const char *s900 = slot_of(svc_vil1, D0, 9, 0);
	struct resp r;
	book(s900, item, NAME1, PHONE1, &r);
	expect_status(&r, 201);
	expect_no_pii(&r);
	assert_int_equal(strlen(jstr(r.json, "code")), 8);
	snprintf(code_a, sizeof code_a, "%s", jstr(r.json, "code"));
	assert_string_equal(jstr(r.json, "name"), NAME1_MASKED);
	assert_string_equal(jstr(r.json, "phone"), PHONE1_MASKED);
	assert_string_equal(jstr(r.json, "status"), "booked");
	assert_string_equal(jstr(r.json, "day"), D0);
	assert_string_equal(jstr(r.json, "start"), "2026-12-01T09:00:00+08:00");
	assert_string_equal(jstr(r.json, "kind"), "general");
	assert_string_equal(jstr(r.json, "service"), "综合窗口预约");
	assert_int_equal(jint(r.json, "site_id"), site_vil1);
	assert_string_equal(jstr(json_object_get(r.json, "item"), "code"), item);
	assert_non_null(jstr(json_object_get(r.json, "item"), "name"));
	assert_true(json_is_null(json_object_get(r.json, "ticket")));
	assert_null(json_object_get(r.json, "id"));
	json_t *first = json_incref(r.json);
	resp_free(&r);
	assert_int_equal(remaining(site_vil1, D0, s900), 3);

	own("GET", code_a, NULL, PHONE1, &r);
	expect_status(&r, 200);
	assert_true(json_equal(r.json, first));
	resp_free(&r);
	char lower[9];
	for (int i = 0; i < 9; i++)
		lower[i] = (char)(code_a[i] >= 'A' && code_a[i] <= 'Z' ? code_a[i] + 32 : code_a[i]);
	own("GET", lower, NULL, PHONE1, &r);
	expect_status(&r, 200);
	resp_free(&r);
	own("GET", code_a, NULL, PHONE2, &r);
	expect_error(&r, 404, "not_found", NULL);
	resp_free(&r);
	own("GET", "ZZZZZZZZ", NULL, PHONE1, &r);
	expect_error(&r, 404, "not_found", NULL);
	resp_free(&r);
	own("POST", code_a, "cancel", PHONE2, &r);
	expect_error(&r, 404, "not_found", NULL);
	resp_free(&r);
	assert_int_equal(remaining(site_vil1, D0, s900), 3);

	own("POST", code_a, "cancel", PHONE1, &r);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "status"), "cancelled");
	resp_free(&r);
	assert_int_equal(remaining(site_vil1, D0, s900), 4);
	own("POST", code_a, "cancel", PHONE1, &r);
	expect_error(&r, 409, "wrong_state", NULL);
	resp_free(&r);
	assert_int_equal(remaining(site_vil1, D0, s900), 4);

	/* Rebooking after a cancel is fine; a second booking that day at that site is not. */
	book_ok(s900, PHONE1, code_b);
	assert_string_not_equal(code_a, code_b);
	book(slot_of(svc_vil1, D0, 14, 0), item, NAME1, PHONE1, &r);
	expect_error(&r, 409, "conflict", NULL);
	resp_free(&r);
	assert_int_equal(remaining(site_vil1, D0, s900), 3);
	json_decref(first);
}

/* The appointment as staff see it in the day's list (a borrowed reference into items). */
static json_t *by_code(json_t *items, const char *code)
{
	json_t *a = jfind(items, "code", code);
	if (!a)
		fail_at("appointment %s not listed", code);
	return a;
}

static void test_staff_list_and_check_in(void **state)
{
	(void)state;
	struct resp r;
	book_ok(slot_of(svc_vil1, D0, 10, 30), PHONE2, code_c); /* staff check-in today */
	book_ok(slot_of(svc_vil1, D0, 11, 0), PHONE5, code_d);  /* staff no-show at 11:40 */
	book_ok(slot_of(svc_vil1, D1, 9, 0), PHONE5, code_e);   /* tomorrow: the tick's no-show */
	book_ok(slot_of(svc_vil2, D0, 11, 30), PHONE5, code_f); /* another village: the tick too */

	json_t *items = staff_list(agent, site_vil1, D0, NULL);
	assert_int_equal(json_array_size(items), 4); /* a (cancelled), b, c, d by start */
	static char *const order[] = { code_a, code_b, code_c, code_d };
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(jstr(json_array_get(items, i), "code"), order[i]);
	json_t *b = by_code(items, code_b);
	assert_true(jint(b, "id") > 0);
	assert_string_equal(jstr(b, "name"), NAME1_MASKED);
	assert_string_equal(jstr(b, "phone"), PHONE1_MASKED);
	assert_string_equal(jstr(b, "status"), "booked");
	assert_string_equal(jstr(by_code(items, code_a), "status"), "cancelled");
	assert_true(json_is_null(json_object_get(b, "ticket")));
	long long id_c = jint(by_code(items, code_c), "id"), id_d = jint(by_code(items, code_d), "id");
	json_decref(items);
	items = staff_list(agent, site_vil1, D0, "booked");
	assert_int_equal(json_array_size(items), 3);
	json_decref(items);
	items = staff_list(tadmin, site_vil1, D0, NULL); /* the township sees its villages */
	assert_int_equal(json_array_size(items), 4);
	json_decref(items);
	items = staff_list(agent2, site_vil2, D0, NULL);
	assert_int_equal(json_array_size(items), 1);
	json_decref(items);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/appointments?site=%lld&date=%s", site_vil1, D0);
	req(clerk2, "GET", path, NULL, NULL, &r);
	expect_error(&r, 403, "forbidden", NULL);
	resp_free(&r);
	req(approver, "GET", path, NULL, NULL, &r);
	expect_error(&r, 403, "forbidden", NULL);
	resp_free(&r);
	req(agent, "GET", "/api/v1/appointments?status=bogus", NULL, NULL, &r);
	expect_error(&r, 422, "invalid", "status");
	resp_free(&r);
	req(agent, "GET", "/api/v1/appointments?date=2026-13-01", NULL, NULL, &r);
	expect_error(&r, 422, "invalid", "date");
	resp_free(&r);
	json_t *today = get_ok(agent, "/api/v1/appointments"); /* own site, today */
	assert_int_equal(json_array_size(json_object_get(today, "items")), 4);
	json_decref(today);

	/* Check-in: only on the booking's day, only with the right phone, once. */
	own("POST", code_e, "check-in", PHONE5, &r);
	expect_error(&r, 409, "wrong_state", NULL);
	resp_free(&r);
	own("POST", code_b, "check-in", PHONE2, &r);
	expect_error(&r, 404, "not_found", NULL);
	resp_free(&r);
	own("POST", code_b, "check-in", PHONE1, &r);
	expect_status(&r, 201);
	assert_string_equal(jstr(r.json, "priority"), "appointment");
	assert_string_equal(jstr(r.json, "kind"), "general");
	assert_string_equal(jstr(r.json, "status"), "waiting");
	assert_int_equal(jint(r.json, "site_id"), site_vil1);
	assert_string_equal(jstr(r.json, "appointment"), code_b);
	assert_non_null(jstr(r.json, "rate_code"));
	const char *number = jstr(r.json, "number");
	assert_non_null(number);
	assert_int_equal(number[0], 'A');
	char num_b[8];
	snprintf(num_b, sizeof num_b, "%s", number);
	resp_free(&r);
	own("GET", code_b, NULL, PHONE1, &r);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "status"), "checked_in");
	assert_string_equal(jstr(r.json, "ticket"), num_b);
	resp_free(&r);
	own("POST", code_b, "check-in", PHONE1, &r);
	expect_error(&r, 409, "wrong_state", NULL);
	resp_free(&r);
	own("POST", code_b, "cancel", PHONE1, &r);
	expect_error(&r, 409, "wrong_state", NULL);
	resp_free(&r);

	/* Staff check-in at the site; not from another village. */
	snprintf(path, sizeof path, "/api/v1/appointments/%lld/check-in", id_c);
	req(agent2, "POST", path, "{}", NULL, &r);
	expect_error(&r, 403, "forbidden", NULL);
	resp_free(&r);
	const char *key[] = { "Idempotency-Key: checkin-c", NULL };
	req(agent, "POST", path, NULL, key, &r);
	expect_status(&r, 201);
	assert_string_equal(jstr(r.json, "priority"), "appointment");
	assert_string_equal(jstr(r.json, "appointment"), code_c);
	json_t *ticket_c = json_incref(r.json);
	resp_free(&r);
	req(agent, "POST", path, NULL, key, &r); /* a retry: the first answer, no second ticket */
	expect_status(&r, 201);
	assert_true(json_equal(r.json, ticket_c));
	resp_free(&r);
	req(agent, "POST", path, NULL, NULL, &r);
	expect_error(&r, 409, "wrong_state", NULL);
	resp_free(&r);
	items = staff_list(agent, site_vil1, D0, "checked_in");
	assert_int_equal(json_array_size(items), 2);
	assert_string_equal(jstr(by_code(items, code_c), "ticket"), jstr(ticket_c, "number"));
	json_decref(items);
	json_decref(ticket_c);

	/* No-show only once the slot has started. */
	snprintf(path, sizeof path, "/api/v1/appointments/%lld/no-show", id_d);
	req(agent, "POST", path, NULL, NULL, &r);
	expect_error(&r, 409, "wrong_state", NULL);
	resp_free(&r);
	req(agent, "POST", "/api/v1/appointments/999999/no-show", NULL, NULL, &r);
	expect_error(&r, 404, "not_found", NULL);
	resp_free(&r);
}

/* 11:40 the same day: the 11:00 booking was missed, the 11:30 one has started. */
static void test_later_that_day(void **state)
{
	char now[24];
	const char *extra[] = { "--fake-now", front_fake_now(D0, 11, 40, now), NULL };
	assert_int_equal(srv_restart_args(*state, extra), 0);
	sign_in_all(*state);
	struct resp r;
	json_t *items = staff_list(agent, site_vil1, D0, NULL);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/appointments/%lld/no-show",
		 jint(by_code(items, code_d), "id"));
	json_decref(items);
	req(agent2, "POST", path, NULL, NULL, &r);
	expect_error(&r, 403, "forbidden", NULL);
	resp_free(&r);
	req(agent, "POST", path, NULL, NULL, &r);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "status"), "no_show");
	assert_string_equal(jstr(r.json, "code"), code_d);
	resp_free(&r);
	req(agent, "POST", path, NULL, NULL, &r);
	expect_error(&r, 409, "wrong_state", NULL);
	resp_free(&r);
	own("POST", code_f, "cancel", PHONE5, &r); /* started at 11:30 */
	expect_error(&r, 409, "wrong_state", NULL);
	resp_free(&r);
	json_t *o = front_slots(anon, site_vil1, D0);
	assert_string_equal(jstr(json_array_get(json_object_get(o, "items"), 0), "start"),
			    "2026-12-01T13:30:00+08:00");
	json_decref(o);
	book(slot_of(svc_vil1, D0, 11, 30), item, NAME1, "13912340009", &r);
	expect_error(&r, 422, "slot_past", "slot");
	resp_free(&r);
}

/* Thursday: the tick marked Wednesday's and Tuesday's still-booked appointments no_show, and
 * PHONE5 has missed three: booking is suspended for them. */
static void test_sweep_and_limit(void **state)
{
	char now[24];
	const char *extra[] = { "--fake-now", front_fake_now(D2, 8, 0, now), NULL };
	assert_int_equal(srv_restart_args(*state, extra), 0);
	sign_in_all(*state);
	const char *st_e = NULL, *st_f = NULL;
	json_t *e = NULL, *f = NULL;
	for (int i = 0; i < 100; i++) { /* the tick runs as the server starts */
		json_decref(e);
		json_decref(f);
		e = staff_list(agent, site_vil1, D1, NULL);
		f = staff_list(agent2, site_vil2, D0, NULL);
		st_e = jstr(by_code(e, code_e), "status");
		st_f = jstr(by_code(f, code_f), "status");
		if (!strcmp(st_e, "no_show") && !strcmp(st_f, "no_show"))
			break;
		usleep(100 * 1000);
	}
	assert_string_equal(st_e, "no_show");
	assert_string_equal(st_f, "no_show");
	json_decref(e);
	json_decref(f);
	json_t *kept = staff_list(agent, site_vil1, D0, NULL);
	assert_string_equal(jstr(by_code(kept, code_b), "status"), "checked_in");
	assert_string_equal(jstr(by_code(kept, code_a), "status"), "cancelled");

	const char *s = slot_of(svc_vil1, D2, 9, 0);
	json_t *before = front_slots(anon, site_vil1, D2), *list_before = staff_list(admin, site_vil1, D2, NULL);
	struct resp r;
	book(s, item, NAME1, PHONE5, &r);
	expect_error(&r, 403, "booking_blocked", NULL);
	resp_free(&r);
	json_t *after = front_slots(anon, site_vil1, D2), *list_after = staff_list(admin, site_vil1, D2, NULL);
	assert_true(json_equal(before, after));
	assert_true(json_equal(list_before, list_after));
	book(s, item, NAME1, PHONE2, &r);
	expect_status(&r, 201);
	resp_free(&r);
	assert_int_equal(remaining(site_vil1, D2, s), 3);
	json_decref(before);
	json_decref(after);
	json_decref(list_before);
	json_decref(list_after);
	json_decref(kept);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_public_sites),
		cmocka_unit_test(test_book_get_cancel),
		cmocka_unit_test(test_staff_list_and_check_in),
		cmocka_unit_test(test_later_that_day),
		cmocka_unit_test(test_sweep_and_limit),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("front_booking", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
