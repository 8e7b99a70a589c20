/*
 * API tests: the case clock (docs/api.md "Cases (办件)": state, notice_due, deadline, alerts)
 * on a server with a fake clock (serve --fake-now), moved by restarting it on the same database:
 * the 5-working-day notice window closing (due_soon), a case with no notice past notice_due
 * deemed accepted on its day of receipt (行政许可法 art. 32), then due_soon and overdue against
 * the promised deadline, and the alerts the holder site sees on the way. The case is collected
 * at a village and received the same day by its township, which accepts the item (a station
 * that only collects is not the accepting organ).
 * Usage: api_test_cases_clock <path to bangban> <data/catalog dir>
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

#include "case_util.h"

#define DAY0 "2026-12-01" /* a Tuesday, a working day on the 2026 calendar */

static struct srv *srv;
static struct client *admin, *agent, *clerk;
static char item[32];
static json_t *item_json;
static long long promised;
static char case_a[64], case_b[64], case_c[64]; /* no notice / notice / notice + submitted */
static char case_d[64]; /* no notice, left at the collecting station */
static char notice_due[11], deadline[11], today[11];

static void sign_in_all(void)
{
	client_free(admin);
	client_free(agent);
	client_free(clerk);
	admin = as(srv, "admin");
	agent = as(srv, "agent");
	clerk = as(srv, "clerk");
}

/* Restarts the server with the clock at 10:00 +08:00 on date. */
static void clock_to(const char *date)
{
	char t[32];
	const char *extra[] = { "--fake-now", t, NULL };

	snprintf(t, sizeof t, "%lld", cn_ten_oclock(date));
	if (srv_restart_args(srv, extra) != 0)
		fail_at("restarting the server at %s failed", date);
	snprintf(today, sizeof today, "%s", date);
	sign_in_all();
}

static int setup(void **state)
{
	char t[32];
	const char *extra[] = { "--fake-now", t, NULL };

	snprintf(t, sizeof t, "%lld", cn_ten_oclock(DAY0));
	srv = srv_start_args(extra);
	*state = srv;
	if (!srv)
		return -1;
	snprintf(today, sizeof today, "%s", DAY0);
	sign_in_all();
	cases_load_sites(admin);
	snprintf(item, sizeof item, "%s",
		 pick_item(admin, &(struct item_want){ .vil_mode = "collect", .town_mode = "accept",
						       .case_type = "-immediate", .min_days = 10,
						       .max_days = 20 }));
	item_json = item_full(admin, item);
	promised = jint(item_json, "promised_days");
	return 0;
}

static int teardown(void **state)
{
	client_free(admin);
	client_free(agent);
	client_free(clerk);
	json_decref(item_json);
	srv = NULL;
	return srv_group_teardown(state);
}

/* Working days from today to date (date >= today; today a working day). */
static int wd_until(struct client *c, const char *date)
{
	char d[11];

	for (int k = 0; k < 80; k++) {
		cal_add(c, today, k, d);
		if (strcmp(d, date) == 0)
			return k;
		if (strcmp(d, date) > 0)
			break;
	}
	fail_at("%s is not a working day after %s", date, today);
}

/* The working day before date. */
static void prev_workday(struct client *c, const char *date, char out[11])
{
	char d[11], x[11];

	snprintf(d, sizeof d, "%s", date);
	for (int i = 0; i < 30; i++) {
		date_shift(d, -1, d);
		cal_add(c, d, 0, x);
		if (strcmp(x, d) == 0) {
			cal_add(c, d, 1, x);
			if (strcmp(x, date) == 0) {
				snprintf(out, 11, "%s", d);
				return;
			}
		}
	}
	fail_at("no working day before %s", date);
}

/* The alerts c sees: the entry of kind for receipt, or NULL (new reference to the list in *all). */
static json_t *alert_for(struct client *c, const char *receipt, const char *kind, json_t **all)
{
	json_t *o = get_json(c, "/api/v1/alerts"), *items = json_object_get(o, "items"), *e;
	size_t i;

	if (!json_is_array(items))
		soft_fail("GET /api/v1/alerts: want {\"items\":[...]}");
	*all = o;
	json_array_foreach(items, i, e) {
		const char *k = jstr(e, "kind");

		if (!k || !(strcmp(k, "due_soon") == 0 || strcmp(k, "overdue") == 0 ||
			    strcmp(k, "notice_due") == 0 || strcmp(k, "handoff_late") == 0)) {
			char *d = json_dumps(e, JSON_COMPACT);

			fprintf(stderr, "  alert: %s\n", d ? d : "");
			free(d);
			soft_fail("alert %zu: kind must be due_soon|overdue|notice_due|handoff_late", i);
		}
		if (has(jstr(e, "receipt"), receipt) && strcmp(jstr(e, "receipt"), receipt) == 0 &&
		    (!kind || strcmp(k, kind) == 0))
			return e;
	}
	return NULL;
}

static void dump_alerts(const json_t *all)
{
	char *d = json_dumps(all, JSON_COMPACT);

	fprintf(stderr, "  alerts: %.2000s\n", d ? d : "");
	free(d);
}

static void test_day0(void **state)
{
	long long req_ids[32];
	size_t nreq = item_material_ids(item_json, 1, req_ids, 32);
	json_t *b, *o, *all;
	char check[11];

	(void)state;
	cal_add(agent, DAY0, 0, check);
	assert_string_equal(check, DAY0);
	cal_add(agent, DAY0, 5, notice_due);
	cal_add(agent, DAY0, (int)promised, deadline);

	b = case_body(item, item_json, NULL, "station", 1, cn_ten_oclock(DAY0), NULL, 0);
	o = case_create(agent, b);
	snprintf(case_a, sizeof case_a, "%s", jstr(o, "receipt"));
	expect_str(o, "received_on", DAY0);
	expect_str(o, "notice_due", notice_due);
	expect_str(o, "state", "normal");
	expect_null(o, "deadline");
	json_decref(o);
	o = case_create(agent, b);
	json_decref(b);
	snprintf(case_d, sizeof case_d, "%s", jstr(o, "receipt"));
	json_decref(o);
	json_decref(act_ok(agent, case_a, "submit", "{}"));
	o = act_ok(clerk, case_a, "receive", "{}");
	expect_case(o, "submitted", site_town, me_id(clerk));
	expect_str(o, "received_on", DAY0);
	expect_str(o, "notice_due", notice_due);
	json_decref(o);

	b = case_body(item, item_json, ID2, "station", 1, cn_ten_oclock(DAY0), &req_ids[nreq - 1], 1);
	o = case_create(agent, b);
	snprintf(case_b, sizeof case_b, "%s", jstr(o, "receipt"));
	json_decref(o);
	o = case_create(agent, b);
	snprintf(case_c, sizeof case_c, "%s", jstr(o, "receipt"));
	json_decref(o);
	json_decref(b);
	o = act_ok(agent, case_c, "submit", "{}");
	expect_str(o, "status", "submitted");
	json_decref(o);

	if (alert_for(clerk, case_a, NULL, &all)) {
		dump_alerts(all);
		soft_fail("day 0: no alert expected for %s yet", case_a);
	}
	json_decref(all);
}

/* 3 working days in: 2 left to give a notice. */
static void test_notice_window_closing(void **state)
{
	char d[11];
	json_t *o, *all, *a, *h;
	const char *due;

	(void)state;
	cal_add(agent, DAY0, 3, d);
	clock_to(d);
	o = case_get(clerk, case_a);
	expect_str(o, "status", "submitted");
	expect_str(o, "state", "due_soon");
	json_decref(o);
	a = alert_for(clerk, case_a, NULL, &all);
	if (!a) {
		dump_alerts(all);
		soft_fail("%s, notice due %s: want an alert (notice_due or due_soon) for %s", today,
			notice_due, case_a);
	}
	if (strcmp(jstr(a, "kind"), "notice_due") != 0)
		note("notice window closing: alert kind %s (notice_due expected)", jstr(a, "kind"));
	json_decref(all);

	/* C's handoff to the township was never received */
	o = case_get(agent, case_c);
	h = json_array_get(json_object_get(o, "handoffs"), 0);
	due = jstr(h, "due");
	if (!due || strlen(due) < 10) {
		json_decref(o);
		fail_at("handoff of %s: want a due date", case_c);
	}
	if (strncmp(due, today, 10) < 0) {
		json_t *all2;

		a = alert_for(clerk, case_c, "handoff_late", &all);
		if (!a)
			a = alert_for(agent, case_c, "handoff_late", &all2);
		else
			all2 = json_object();
		if (!a) {
			dump_alerts(all);
			dump_alerts(all2);
			soft_fail("handoff of %s due %s, not received by %s: want a handoff_late alert",
				case_c, due, today);
		}
		json_decref(all);
		json_decref(all2);
	} else {
		note("handoff of %s is due %s, not before %s: handoff_late not checked", case_c, due,
		     today);
	}
	json_decref(o);
}

/* Past notice_due with no notice: deemed accepted on the day of receipt. */
static void test_deemed_accepted(void **state)
{
	char d[11];
	json_t *o, *tl, *last, *all;
	int left;

	(void)state;
	cal_add(agent, notice_due, 1, d);
	clock_to(d);
	o = case_get(clerk, case_a);
	expect_str(o, "status", "accepted");
	expect_str(o, "accepted_on", DAY0);
	expect_str(o, "deadline", deadline);
	tl = json_object_get(o, "timeline");
	last = json_array_get(tl, json_array_size(tl) - 1);
	if (json_array_size(tl) != 4 || !has(jstr(last, "status"), "accepted") || !jstr(last, "note") ||
	    !jstr(last, "note")[0]) {
		char *dump = json_dumps(tl, JSON_COMPACT);

		fprintf(stderr, "  timeline: %.2000s\n", dump ? dump : "");
		free(dump);
		soft_fail("deemed acceptance: want timeline [create, submit, receive, <event with status accepted and a "
			"note saying why>]");
	}
	fprintf(stderr, "info: deemed acceptance event: action %s, note %s\n", jstr(last, "action"),
		jstr(last, "note"));
	left = wd_until(agent, deadline);
	expect_int(o, "days_left", left);
	expect_str(o, "state", left <= 2 ? "due_soon" : "normal");
	json_decref(o);
	/* the contract does not say what becomes of a complete case still at a collecting station */
	o = case_get(agent, case_d);
	fprintf(stderr, "info: complete case left at the collecting station past notice_due: status %s, "
		"state %s\n", jstr(o, "status"), jstr(o, "state"));
	json_decref(o);
	/* a case with a notice is not */
	o = case_get(agent, case_b);
	expect_str(o, "status", "intake");
	expect_null(o, "accepted_on");
	json_decref(o);
	o = case_get(clerk, case_c);
	expect_str(o, "status", "submitted");
	expect_null(o, "accepted_on");
	json_decref(o);
	if (alert_for(clerk, case_a, "notice_due", &all)) {
		dump_alerts(all);
		soft_fail("accepted: no notice_due alert any more");
	}
	json_decref(all);
}

static void test_due_soon(void **state)
{
	char d[11];
	json_t *o, *all, *l;

	(void)state;
	prev_workday(agent, deadline, d);
	clock_to(d);
	o = case_get(clerk, case_a);
	expect_str(o, "status", "accepted");
	expect_int(o, "days_left", 1);
	expect_str(o, "state", "due_soon");
	json_decref(o);
	if (!alert_for(clerk, case_a, "due_soon", &all)) {
		dump_alerts(all);
		soft_fail("%s, deadline %s: want a due_soon alert for %s", today, deadline, case_a);
	}
	json_decref(all);
	{
		struct client *agent2 = as(srv, "agent2");

		if (alert_for(agent2, case_a, NULL, &o)) {
			dump_alerts(o);
			soft_fail("agent2 (another station) sees the alert of a case the township holds");
		}
		json_decref(o);
		client_free(agent2);
	}
	l = list_receipts(clerk, "state=due_soon");
	check(jarr_has_str(l, case_a));
	json_decref(l);
}

static void test_overdue(void **state)
{
	char d[11];
	json_t *o, *all, *l;

	(void)state;
	cal_add(agent, deadline, 1, d);
	clock_to(d);
	o = case_get(clerk, case_a);
	expect_str(o, "status", "accepted");
	expect_str(o, "state", "overdue");
	if (!json_is_integer(json_object_get(o, "days_left")) ||
	    json_integer_value(json_object_get(o, "days_left")) >= 0)
		soft_fail("overdue: want days_left < 0");
	if (json_integer_value(json_object_get(o, "days_left")) != -1)
		note("one working day past the deadline: days_left %lld",
		     (long long)json_integer_value(json_object_get(o, "days_left")));
	json_decref(o);
	if (!alert_for(clerk, case_a, "overdue", &all)) {
		dump_alerts(all);
		soft_fail("%s, deadline %s: want an overdue alert for %s", today, deadline, case_a);
	}
	if (alert_for(clerk, case_a, "due_soon", &o)) {
		dump_alerts(o);
		soft_fail("overdue: the due_soon alert should be gone");
	}
	json_decref(o);
	json_decref(all);
	l = list_receipts(clerk, "state=overdue");
	check(jarr_has_str(l, case_a));
	json_decref(l);
	l = list_receipts(clerk, "state=normal");
	check(!(jarr_has_str(l, case_a)));
	json_decref(l);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		case_test(test_day0),
		case_test(test_notice_window_closing),
		case_test(test_deemed_accepted),
		case_test(test_due_soon),
		case_test(test_overdue),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("cases_clock", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
