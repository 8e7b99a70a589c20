/*
 * Helpers shared by the case (办件) API tests. See case_util.h.
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

long long site_city, site_town, site_vil1, site_vil2;
static int soft_count;

void soft_fail_at(const char *file, int line, const json_t *o, const char *fmt, ...)
{
	char *d = o ? json_dumps(o, JSON_COMPACT) : NULL;
	va_list ap;

	fprintf(stderr, "%s:%d: MISMATCH: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (d)
		fprintf(stderr, "  object: %.3000s\n", d);
	free(d);
	soft_count++;
}

int case_test_teardown(void **state)
{
	int n = soft_count;

	(void)state;
	soft_count = 0;
	if (n)
		fprintf(stderr, "^^^ %d mismatch(es) in this test (MISMATCH lines above)\n", n);
	return n ? -1 : 0;
}

void cases_load_sites(struct client *c)
{
	site_city = site_id_of(c, CITY_CODE);
	site_town = site_id_of(c, TOWN_CODE);
	site_vil1 = site_id_of(c, VIL1_CODE);
	site_vil2 = site_id_of(c, VIL2_CODE);
}

long long me_id(struct client *c)
{
	json_t *me = get_json(c, "/api/v1/me");
	long long id = jint(json_object_get(me, "user"), "id");

	json_decref(me);
	return id;
}

struct client *as(struct srv *s, const char *login)
{
	struct client *c = client_new(s);

	login_ok(c, login, PW);
	return c;
}

char id_check(const char *d17)
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char map[] = "10X98765432";
	int sum = 0;

	for (int i = 0; i < 17; i++)
		sum += (d17[i] - '0') * w[i];
	return map[sum % 11];
}

void id_make(const char *d17, char out[19])
{
	memcpy(out, d17, 17);
	out[17] = id_check(d17);
	out[18] = '\0';
}

static int eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

const char *pick_item(struct client *c, const struct item_want *w)
{
	static char code[32];
	char path[96];
	json_t *vil, *town, *e;
	size_t i;

	snprintf(path, sizeof path, ITEMS "?site=%lld", site_vil1);
	vil = list_all(c, path);
	snprintf(path, sizeof path, ITEMS "?site=%lld", site_town);
	town = list_all(c, path);
	code[0] = '\0';
	json_array_foreach(vil, i, e) {
		const char *ic = jstr(e, "code"), *ct = jstr(e, "case_type");
		json_t *t = ic ? jfind(town, "code", ic) : NULL;
		const char *tm = t ? jstr(t, "mode") : NULL;
		long long pd = json_integer_value(json_object_get(e, "promised_days"));

		if (!ic || !ct || !eq(jstr(e, "status"), "published"))
			continue;
		if (w->vil_mode && !eq(jstr(e, "mode"), w->vil_mode))
			continue;
		if (w->town_mode && w->town_mode[0] == '-' && tm && strcmp(tm, w->town_mode + 1) == 0)
			continue;
		if (w->town_mode && w->town_mode[0] != '-' && (!tm || strcmp(tm, w->town_mode) != 0))
			continue;
		if (w->department && !eq(jstr(e, "department"), w->department))
			continue;
		if (w->case_type && w->case_type[0] == '-' &&
		    (strcmp(ct, w->case_type + 1) == 0 || strcmp(ct, "joint") == 0))
			continue;
		if (w->case_type && w->case_type[0] != '-' && strcmp(ct, w->case_type) != 0)
			continue;
		if (pd < w->min_days || (w->max_days && pd > w->max_days))
			continue;
		snprintf(code, sizeof code, "%s", ic);
		break;
	}
	json_decref(vil);
	json_decref(town);
	if (!code[0])
		fail_at("no demo item fits (village %s, township %s, department %s, type %s, days %d-%d)",
			w->vil_mode ? w->vil_mode : "*", w->town_mode ? w->town_mode : "*",
			w->department ? w->department : "*", w->case_type ? w->case_type : "*",
			w->min_days, w->max_days);
	return code;
}

json_t *item_full(struct client *c, const char *code)
{
	char path[96];

	snprintf(path, sizeof path, ITEMS "/%s", code);
	return get_json(c, path);
}

size_t item_material_ids(const json_t *item, int reqd, long long *ids, size_t max)
{
	json_t *m;
	size_t i, n = 0;

	json_array_foreach(json_object_get(item, "materials"), i, m) {
		if (json_is_true(json_object_get(m, "required")) == !!reqd && n < max)
			ids[n++] = jint(m, "id");
	}
	return n;
}

static void fmt_date(time_t t, char out[11])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

void cn_date(long long t, int days, char out[11])
{
	fmt_date((time_t)(t + 8 * 3600 + (long long)days * 86400), out);
}

static time_t parse_date(const char *date)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	if (!date || sscanf(date, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
		fail_at("not a date: %s", date ? date : "(null)");
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

long long cn_ten_oclock(const char *date)
{
	return (long long)parse_date(date) + 2 * 3600; /* 10:00 +08:00 = 02:00 UTC */
}

void date_shift(const char *date, int days, char out[11])
{
	fmt_date(parse_date(date) + (time_t)days * 86400, out);
}

void cal_add(struct client *c, const char *from, int days, char out[11])
{
	char path[96];
	json_t *o;

	snprintf(path, sizeof path, "/api/v1/calendar/add?from=%s&days=%d", from, days);
	o = get_json(c, path);
	if (!jstr(o, "date"))
		fail_at("GET %s: no date", path);
	snprintf(out, 11, "%s", jstr(o, "date"));
	json_decref(o);
}

json_t *case_body(const char *code, const json_t *item, const char *id, const char *channel,
		  int entrust, long long today_unix, const long long *skip, size_t nskip)
{
	long long ids[32];
	size_t n = item_material_ids(item, 1, ids, 32);
	json_t *mats = json_array();
	json_t *b;

	for (size_t i = 0; i < n; i++) {
		int skipped = 0;

		for (size_t k = 0; k < nskip; k++)
			skipped |= skip[k] == ids[i];
		if (!skipped)
			json_array_append_new(mats, json_pack("{s:I,s:b}", "material",
							      (json_int_t)ids[i], "received", 1));
	}
	b = json_pack("{s:s,s:{s:s,s:s,s:s},s:s,s:o}", "item", code, "applicant", "name", NAME1,
		      "id_number", id ? id : ID1, "phone", PHONE1, "channel", channel, "materials",
		      mats);
	if (!b)
		fail_at("out of memory");
	if (entrust) {
		char signed_on[11], until[11], scope[200];

		cn_date(today_unix, -1, signed_on);
		cn_date(today_unix, 90, until);
		snprintf(scope, sizeof scope, "代办%s全部环节", jstr(item, "name") ? jstr(item, "name") : "");
		json_object_set_new(b, "entrustment", json_pack("{s:s,s:s,s:s}", "scope", scope,
								"valid_until", until, "signed_on",
								signed_on));
	}
	return b;
}

json_t *case_create_at(const char *file, int line, struct client *c, const json_t *body)
{
	struct resp r;
	json_t *o;

	req_json(c, "POST", CASES, body, &r);
	if (r.status != 201 || !json_is_object(r.json) || !jstr(r.json, "receipt")) {
		resp_dump(&r);
		fail_at_(file, line, "POST %s: want 201 with a case, got %ld", CASES, r.status);
	}
	o = json_incref(r.json);
	resp_free(&r);
	return o;
}

json_t *case_get_at(const char *file, int line, struct client *c, const char *receipt)
{
	char path[160];

	snprintf(path, sizeof path, CASES "/%s", receipt);
	return get_json_at(file, line, c, path);
}

long case_act(struct client *c, const char *receipt, const char *action, const char *body,
	      long long if_match, const char *key, struct resp *r)
{
	char path[200], im[64], ik[200];
	const char *hdr[3];
	size_t n = 0;
	char *b = tpl(body ? body : "{}");
	long st;

	snprintf(path, sizeof path, CASES "/%s/actions/%s", receipt, action);
	if (if_match >= 0) {
		snprintf(im, sizeof im, "If-Match: %lld", if_match);
		hdr[n++] = im;
	}
	if (key) {
		snprintf(ik, sizeof ik, "Idempotency-Key: %s", key);
		hdr[n++] = ik;
	}
	hdr[n] = NULL;
	st = req(c, "POST", path, b, hdr, r);
	free(b);
	return st;
}

static long long fingerprint2(struct client *c, const char *receipt, size_t *tl,
			      const char *action, int *lists);

json_t *act_ok_at(const char *file, int line, struct client *c, const char *receipt,
		  const char *action, const char *body)
{
	struct resp r;
	json_t *o;
	size_t tl;
	int lists;

	fingerprint2(c, receipt, &tl, action, &lists);
	if (lists == 0)
		soft_fail_at(file, line, NULL,
			     "%s on %s: allowed_actions (GET as the same user) did not list it, yet it "
			     "is allowed", action, receipt);
	case_act(c, receipt, action, body, -1, NULL, &r);
	if (r.status != 200 || !json_is_object(r.json) || !jstr(r.json, "status")) {
		resp_dump(&r);
		fail_at_(file, line, "action %s on %s: want 200 with the case, got %ld", action,
			 receipt, r.status);
	}
	o = json_incref(r.json);
	resp_free(&r);
	return o;
}

/* version and timeline length of the case as c reads it, or -1 when c cannot read it; *lists
 * (when not NULL) is set to whether its allowed_actions (for c) lists action (-1: unreadable). */
static long long fingerprint2(struct client *c, const char *receipt, size_t *tl,
			      const char *action, int *lists)
{
	char path[160];
	struct resp r;
	long long v = -1;

	snprintf(path, sizeof path, CASES "/%s", receipt);
	req(c, "GET", path, NULL, NULL, &r);
	*tl = 0;
	if (lists)
		*lists = -1;
	if (r.status == 200 && json_is_integer(json_object_get(r.json, "version"))) {
		v = json_integer_value(json_object_get(r.json, "version"));
		*tl = json_array_size(json_object_get(r.json, "timeline"));
		if (lists && action)
			*lists = jarr_has_str(json_object_get(r.json, "allowed_actions"), action);
	}
	resp_free(&r);
	return v;
}

static long long fingerprint(struct client *c, const char *receipt, size_t *tl)
{
	return fingerprint2(c, receipt, tl, NULL, NULL);
}

static void expect_unchanged(const char *file, int line, struct client *c, const char *receipt,
			     long long v0, size_t tl0, const char *what)
{
	size_t tl1;
	long long v1 = fingerprint(c, receipt, &tl1);

	if (v0 != v1 || tl0 != tl1)
		soft_fail_at(file, line, NULL,
			     "%s refused, yet the case changed (version %lld -> %lld, timeline %zu -> %zu)",
			     what, v0, v1, tl0, tl1);
}

void act_wrong_state_at(const char *file, int line, struct client *c, const char *receipt,
			const char *action, const char *body, const char *must_list)
{
	struct resp r;
	size_t tl0;
	int lists;
	long long v0 = fingerprint2(c, receipt, &tl0, action, &lists);
	const char *why;
	json_t *allowed;

	case_act(c, receipt, action, body, -1, NULL, &r);
	why = error_mismatch(&r, 409, "wrong_state", NULL);
	allowed = json_object_get(json_object_get(r.json, "error"), "allowed");
	if (!why && !json_is_array(allowed))
		why = "error.allowed is not an array";
	if (!why && jarr_has_str(allowed, action))
		why = "error.allowed lists the refused action";
	if (!why && must_list && !jarr_has_str(allowed, must_list))
		why = "error.allowed does not list the expected action";
	if (why) {
		long st = r.status;

		print_mismatch(&r, why, 409, "wrong_state", NULL);
		if (must_list)
			fprintf(stderr, "  (allowed should list %s)\n", must_list);
		resp_free(&r);
		if (st >= 200 && st < 300)
			fail_at_(file, line, "action %s on %s: want 409 wrong_state, but it was done",
				 action, receipt);
		soft_fail_at(file, line, NULL, "action %s on %s: %s", action, receipt, why);
		return;
	}
	resp_free(&r);
	if (lists == 1)
		soft_fail_at(file, line, NULL,
			     "%s on %s: refused, yet allowed_actions (GET as the same user) lists it",
			     action, receipt);
	expect_unchanged(file, line, c, receipt, v0, tl0, action);
}

void act_error_at(const char *file, int line, struct client *c, const char *receipt,
		  const char *action, const char *body, long status, const char *code,
		  const char *field)
{
	struct resp r;
	size_t tl0;
	int lists;
	long long v0 = fingerprint2(c, receipt, &tl0, action, &lists);
	const char *why;

	case_act(c, receipt, action, body, -1, NULL, &r);
	why = error_mismatch(&r, status, code, field);
	if (why) {
		long st = r.status;

		print_mismatch(&r, why, status, code, field);
		resp_free(&r);
		if (st >= 200 && st < 300)
			fail_at_(file, line, "action %s on %s: want %ld, but it was done", action,
				 receipt, status);
		soft_fail_at(file, line, NULL, "action %s on %s: %s", action, receipt, why);
		return;
	}
	resp_free(&r);
	if (lists == 1 && (status == 403 || status == 409))
		soft_fail_at(file, line, NULL,
			     "%s on %s: refused, yet allowed_actions (GET as the same user) lists it",
			     action, receipt);
	expect_unchanged(file, line, c, receipt, v0, tl0, action);
}

#define dump_fail soft_fail_at

void expect_str_at(const char *file, int line, const json_t *o, const char *key, const char *want)
{
	const char *got = jstr(o, key);

	if (!got || strcmp(got, want) != 0)
		dump_fail(file, line, o, "\"%s\": want \"%s\", got %s%s%s", key, want,
			  got ? "\"" : "", got ? got : "(missing or not a string)", got ? "\"" : "");
}

void expect_int_at(const char *file, int line, const json_t *o, const char *key, long long want)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) != want)
		dump_fail(file, line, o, "\"%s\": want %lld", key, want);
}

void expect_null_at(const char *file, int line, const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!v || !json_is_null(v))
		dump_fail(file, line, o, "\"%s\": want null%s", key, v ? "" : " (member missing)");
}

void expect_case_at(const char *file, int line, const json_t *o, const char *status,
		    long long hsite, long long huser)
{
	json_t *hu = json_object_get(o, "holder_user_id");

	expect_str_at(file, line, o, "status", status);
	expect_int_at(file, line, o, "holder_site_id", hsite);
	if (huser == -1 && !json_is_null(hu))
		dump_fail(file, line, o, "status %s: holder_user_id: want null", status);
	if (huser >= 0 && (!json_is_integer(hu) || json_integer_value(hu) != huser))
		dump_fail(file, line, o, "status %s: holder_user_id: want %lld", status, huser);
	if (!json_is_array(json_object_get(o, "allowed_actions")))
		dump_fail(file, line, o, "allowed_actions: want an array");
}

void expect_timeline_at(const char *file, int line, const json_t *o, const char *const *acts,
			size_t n)
{
	json_t *tl = json_object_get(o, "timeline");
	char want[1024] = "", got[1024] = "";
	json_t *e;
	size_t i;
	int ok = json_is_array(tl) && json_array_size(tl) == n;

	for (i = 0; i < n; i++) {
		strncat(want, acts[i], sizeof want - strlen(want) - 2);
		strncat(want, " ", sizeof want - strlen(want) - 1);
	}
	json_array_foreach(tl, i, e) {
		const char *a = jstr(e, "action");

		strncat(got, a ? a : "(null)", sizeof got - strlen(got) - 2);
		strncat(got, " ", sizeof got - strlen(got) - 1);
		if (i >= n || !a || strcmp(a, acts[i]) != 0)
			ok = 0;
		if (!has(jstr(e, "at"), "+08:00") || !jstr(e, "status"))
			ok = 0;
	}
	if (!ok)
		dump_fail(file, line, json_object_get(o, "timeline"),
			  "timeline: want actions [%s] (each with at ISO 8601 +08:00, status), got [%s]", want, got);
}

json_t *expect_handoff_at(const char *file, int line, const json_t *o, long long from,
			  long long to, const long long *mats, size_t n, int received)
{
	json_t *hs = json_object_get(o, "handoffs");
	json_t *h = json_array_get(hs, json_array_size(hs) ? json_array_size(hs) - 1 : 0);
	json_t *m = json_object_get(h, "materials");
	json_t *ra = json_object_get(h, "received_at");
	int ok = 1;

	if (!h) {
		dump_fail(file, line, o, "no handoff (want %lld -> %lld)", from, to);
		return NULL;
	}
	if (!json_is_integer(json_object_get(h, "id")) || !jstr(h, "sent_at") || !jstr(h, "due"))
		ok = 0;
	if (json_integer_value(json_object_get(h, "from_site_id")) != from ||
	    json_integer_value(json_object_get(h, "to_site_id")) != to)
		ok = 0;
	if (mats && (!json_is_array(m) || json_array_size(m) != n))
		ok = 0;
	for (size_t i = 0; mats && i < n; i++)
		ok &= jarr_has_int(m, mats[i]);
	if (!has(jstr(h, "sent_at"), "+08:00") ||
	    (received && !has(jstr(h, "received_at"), "+08:00")))
		ok = 0;
	if (received ? !jstr(h, "received_at") : !json_is_null(ra))
		ok = 0;
	if (!ok) {
		fprintf(stderr, "  want materials:");
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, " %lld", mats[i]);
		fprintf(stderr, "\n");
		dump_fail(file, line, h,
			  "last handoff: want id, sent_at (+08:00), due, %lld -> %lld, %zu materials%s, "
			  "received_at %s", from, to, n, mats ? "" : " (not checked)",
			  received ? "a time (+08:00)" : "null");
	}
	return h;
}

void expect_deadline_at(const char *file, int line, struct client *c, const json_t *o,
			const char *accepted_on)
{
	char want[11];
	long long pd = jint_at(file, line, json_object_get(o, "item"), "promised_days");

	if (!accepted_on) {
		dump_fail(file, line, o, "accepted_on: want a date");
		return;
	}
	expect_str_at(file, line, o, "accepted_on", accepted_on);
	cal_add(c, accepted_on, (int)pd, want);
	expect_str_at(file, line, o, "deadline", want);
}

int jarr_has_str(const json_t *a, const char *s)
{
	json_t *e;
	size_t i;

	json_array_foreach(a, i, e) {
		if (json_is_string(e) && strcmp(json_string_value(e), s) == 0)
			return 1;
	}
	return 0;
}

int jarr_has_int(const json_t *a, long long v)
{
	json_t *e;
	size_t i;

	json_array_foreach(a, i, e) {
		if (json_is_integer(e) && json_integer_value(e) == v)
			return 1;
	}
	return 0;
}

void note(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "NOTE: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

json_t *list_receipts_at(const char *file, int line, struct client *c, const char *q)
{
	char path[300];
	json_t *all, *out = json_array(), *e;
	size_t i;

	snprintf(path, sizeof path, CASES "%s%s", q ? "?" : "", q ? q : "");
	all = list_all_at(file, line, c, path);
	json_array_foreach(all, i, e) {
		if (!jstr(e, "receipt")) {
			char *d = json_dumps(e, JSON_COMPACT);

			fprintf(stderr, "  item: %.1000s\n", d ? d : "");
			free(d);
			fail_at_(file, line, "listing %s: an item without receipt", path);
		}
		json_array_append_new(out, json_string(jstr(e, "receipt")));
	}
	json_decref(all);
	return out;
}

/* The raw body must not carry the applicant's full data. */
void expect_no_pii(const struct resp *r)
{
	static const char *const pii[] = { ID1, "19491231", PHONE1, NAME1 };

	for (size_t i = 0; i < sizeof pii / sizeof pii[0]; i++)
		if (has(r->body, pii[i])) {
			resp_dump(r);
			soft_fail("%s: the response holds \"%s\" (the applicant's full data)", r->what,
				pii[i]);
		}
}
