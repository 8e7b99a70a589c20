/*
 * API tests: 好差评 of cases and 整改 (docs/api-ratings.md). A case of an immediate item (即办件)
 * is taken at the township, accepted, decided and issued; the resident rates it with the receipt
 * and its query code. A good rating opens nothing; a bad one opens a rectification at the
 * township, assigned to its admin, due in 15 working days, worked through verify, rectify, visit
 * and close; the resident appeals once after the visit and the city reviews it (upheld closes,
 * redo reopens with a new due day; the township itself may not review). Wrong codes are 404 and
 * write nothing, an unfinished case is not rateable, a second rating (also two at once) is
 * already_rated, the clock jumped 40 days makes it overdue, and too many wrong codes from one
 * address are 429 with Retry-After.
 * Usage: api_front_ratings <path to bangban> <data/catalog dir>
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

#define RATINGS "/api/v1/ratings"
#define RECTS "/api/v1/rectifications"
#define PUB_RATE "/api/v1/public/ratings"
#define PUB_APPEAL "/api/v1/public/appeals"

static struct srv *srv;
static struct client *anon, *admin, *coord, *clerk, *tadmin, *agent, *approver;
static char quick[32];
static json_t *quick_item;
static long long id_tadmin;

static void sign_in_all(void)
{
	struct client **all[] = { &anon, &admin, &coord, &clerk, &tadmin, &agent, &approver };
	const char *logins[] = { NULL, "admin", "coord", "clerk", "tadmin", "agent", "approver" };

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		client_free(*all[i]);
		*all[i] = logins[i] ? as(srv, logins[i]) : client_new(srv);
	}
}

static int setup(void **state)
{
	if (srv_group_setup(state))
		return -1;
	srv = *state;
	sign_in_all();
	cases_load_sites(admin);
	snprintf(quick, sizeof quick, "%s",
		 pick_item(admin, &(struct item_want){ .vil_mode = "collect", .town_mode = "accept",
						       .department = "rs", .case_type = "immediate" }));
	quick_item = item_full(admin, quick);
	id_tadmin = me_id(tadmin);
	return 0;
}

static int teardown(void **state)
{
	struct client *all[] = { anon, admin, coord, clerk, tadmin, agent, approver };

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		client_free(all[i]);
	json_decref(quick_item);
	return srv_group_teardown(state);
}

/* --- cases to rate --- */

struct rcase {
	char receipt[32], code[16];
};

/* A case opened by the township's clerk; issued (finished) unless open_only. */
static void new_case(struct rcase *k, int open_only)
{
	json_t *b = case_body(quick, quick_item, NULL, "window", 0, time(NULL), NULL, 0), *o;

	o = case_create(clerk, b);
	json_decref(b);
	snprintf(k->receipt, sizeof k->receipt, "%s", jstr(o, "receipt"));
	snprintf(k->code, sizeof k->code, "%s", jstr(o, "query_code") ? jstr(o, "query_code") : "");
	json_decref(o);
	if (!k->code[0])
		fail_at("the case has no query_code");
	if (open_only)
		return;
	json_decref(act_ok(clerk, k->receipt, "accept", "{}"));
	json_decref(act_ok(approver, k->receipt, "decide", "{'approved':true,'reason':'当场办结'}"));
	o = act_ok(clerk, k->receipt, "issue", "{}");
	expect_str(o, "status", "issued");
	json_decref(o);
}

/* POST /api/v1/public/ratings for k with code (NULL: k's) and extra members ("" or
 * ",'tags':[...]"). */
static long rate(const struct rcase *k, const char *code, int level, const char *extra,
		 struct resp *r)
{
	char body[2048];

	snprintf(body, sizeof body, "{'receipt':'%s','code':'%s','level':%d%s}", k->receipt,
		 code ? code : k->code, level, extra);
	return reqt(anon, "POST", PUB_RATE, body, r);
}

/* GET /api/v1/public/rateable for k (code NULL: k's); fills r. */
static long rateable(const struct rcase *k, const char *code, struct resp *r)
{
	char path[200];

	snprintf(path, sizeof path, "/api/v1/public/rateable?receipt=%s&code=%s", k->receipt,
		 code ? code : k->code);
	return req(anon, "GET", path, NULL, NULL, r);
}

static json_t *rateable_ok(const struct rcase *k)
{
	struct resp r;
	json_t *o;

	rateable(k, NULL, &r);
	expect_status(&r, 200);
	o = json_incref(r.json);
	resp_free(&r);
	return o;
}

/* The ratings c lists with query q ("" for none). */
static json_t *ratings(struct client *c, const char *q)
{
	char path[200];

	snprintf(path, sizeof path, RATINGS "%s", q);
	return list_all(c, path);
}

static json_t *rating_of(json_t *list, const struct rcase *k)
{
	return jfind(list, "receipt", k->receipt);
}

/* POST /api/v1/rectifications/{id}/actions/{action} with If-Match when if_match > 0. */
static long rect_act(struct client *c, long long id, const char *action, const char *body,
		     long long if_match, const char *key, struct resp *r)
{
	char path[160], im[64], ik[160];
	const char *hdr[3];
	size_t n = 0;
	char *b = tpl(body ? body : "{}");
	long st;

	snprintf(path, sizeof path, RECTS "/%lld/actions/%s", id, action);
	if (if_match > 0) {
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

/* The action must answer 200 with the rectification in status. */
#define rect_ok(c, id, action, body, status) \
	rect_ok_at(__FILE__, __LINE__, (c), (id), (action), (body), (status))
static void rect_ok_at(const char *file, int line, struct client *c, long long id,
		       const char *action, const char *body, const char *status)
{
	struct resp r;

	rect_act(c, id, action, body, 0, NULL, &r);
	if (r.status != 200)
		print_mismatch(&r, "status", 200, NULL, NULL);
	if (r.status != 200 || !jstr(r.json, "status") || strcmp(jstr(r.json, "status"), status))
		soft_fail_at(file, line, r.json, "%s: want 200 with status %s", action, status);
	resp_free(&r);
}

static json_t *rect_get(struct client *c, long long id)
{
	char path[80];

	snprintf(path, sizeof path, RECTS "/%lld", id);
	return get_json(c, path);
}

/* The action must fail with status/code and leave the rectification's version alone. */
#define rect_err(c, id, action, body, status, code, field) \
	rect_err_at(__FILE__, __LINE__, (c), (id), (action), (body), (status), (code), (field))
static void rect_err_at(const char *file, int line, struct client *c, long long id,
			const char *action, const char *body, long status, const char *code,
			const char *field)
{
	json_t *before = rect_get(admin, id), *after;
	struct resp r;
	const char *why;

	rect_act(c, id, action, body, 0, NULL, &r);
	why = error_mismatch(&r, status, code, field);
	if (why) {
		print_mismatch(&r, why, status, code, field);
		soft_fail_at(file, line, NULL, "%s: want %ld %s", action, status, code ? code : "");
	}
	resp_free(&r);
	after = rect_get(admin, id);
	if (jint(before, "version") != jint(after, "version") ||
	    json_array_size(json_object_get(before, "events")) !=
		    json_array_size(json_object_get(after, "events")))
		soft_fail_at(file, line, after, "refused %s changed the rectification", action);
	json_decref(before);
	json_decref(after);
}

/* Rates k badly (level) and returns the rectification's id (its due into due). */
static long long rate_bad(const struct rcase *k, int level, char due[11])
{
	struct resp r;
	json_t *x;
	long long id;

	rate(k, NULL, level, ",'comment':'窗口人员态度生硬'", &r);
	expect_status(&r, 201);
	x = json_object_get(r.json, "rectification");
	if (!json_is_object(x))
		fail_at("level %d: want a rectification in %s", level, r.body);
	id = jint(x, "id");
	if (due)
		snprintf(due, 11, "%s", jstr(x, "due") ? jstr(x, "due") : "");
	resp_free(&r);
	return id;
}

/* --- tests --- */

static void test_good_rating(void **state)
{
	struct rcase k;
	struct resp r;
	json_t *o, *before, *l;
	char today[11], q[80], y[11];

	(void)state;
	new_case(&k, 0);
	o = rateable_ok(&k);
	expect_str(o, "target", "case");
	expect_int(json_object_get(o, "site"), "id", site_town);
	expect_str(json_object_get(o, "item"), "code", quick);
	check(json_is_true(json_object_get(o, "rateable")));
	expect_null(o, "rating");
	expect_null(o, "rectification");
	json_decref(o);

	/* bad input: 422 with the field, and nothing written */
	before = ratings(admin, "");
	{
		static const struct { const char *body, *code, *field; } bad[] = {
			{ "{'receipt':'$R','ticket':1,'code':'$C','level':5}", "invalid", "receipt" },
			{ "{'code':'$C','level':5}", "invalid", "receipt" },
			{ "{'receipt':'$R','level':5}", "missing_field", "code" },
			{ "{'receipt':'$R','code':'$C'}", "missing_field", "level" },
			{ "{'receipt':'$R','code':'$C','level':0}", "invalid", "level" },
			{ "{'receipt':'$R','code':'$C','level':6}", "invalid", "level" },
			{ "{'receipt':'$R','code':'$C','level':'5'}", "wrong_type", "level" },
			{ "{'receipt':'$R','code':'$C','level':5,'channel':'fax'}", "invalid", "channel" },
			{ "{'receipt':'$R','code':'$C','level':5,'tags':'快'}", "wrong_type", "tags" },
			{ "{'receipt':'$R','code':'$C','level':5,'tags':['1','2','3','4','5','6','7','8',"
			  "'9','10','11']}", "invalid", "tags" },
			{ "{'receipt':'$R','code':'$C','level':5,'tags':['']}", "invalid", "tags[0]" },
			{ "{'receipt':'$R','code':'$C','level':5,'tags':['好','一二三四五六七八九十一二三四五六七八九十一']}",
			  "invalid", "tags[1]" },
			{ "{'receipt':'$R','code':'$C','level':5,'tags':[1]}", "wrong_type", "tags[0]" },
			{ "{'receipt':'$R','code':'$C','level':5,'stars':5}", "unknown_field", "stars" },
		};
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			char *b = strdup(bad[i].body), body[1024], *p = body;

			/* $R / $C are the receipt and code, not template integers */
			for (const char *s = b; *s && p < body + sizeof body - 40; s++) {
				if (s[0] == '$' && (s[1] == 'R' || s[1] == 'C')) {
					p += sprintf(p, "%s", s[1] == 'R' ? k.receipt : k.code);
					s++;
				} else {
					*p++ = *s;
				}
			}
			*p = 0;
			free(b);
			reqt(anon, "POST", PUB_RATE, body, &r);
			if (error_mismatch(&r, 422, bad[i].code, bad[i].field)) {
				print_mismatch(&r, "bad rating", 422, bad[i].code, bad[i].field);
				soft_fail("bad rating %zu", i);
			}
			resp_free(&r);
		}
		char comment[1600] = ",'comment':'";
		for (int i = 0; i < 501; i++)
			strcat(comment, "x");
		strcat(comment, "'");
		rate(&k, NULL, 5, comment, &r);
		expect_error(&r, 422, "invalid", "comment");
		resp_free(&r);
	}
	l = ratings(admin, "");
	check(json_equal(before, l));
	json_decref(before);
	json_decref(l);

	/* a good rating: 201, no rectification */
	rate(&k, NULL, 5, ",'tags':['办事快','态度好'],'comment':'一次办好','channel':'qr'", &r);
	expect_status(&r, 201);
	expect_str(r.json, "target", "case");
	expect_int(r.json, "level", 5);
	expect_str(r.json, "channel", "qr");
	expect_str(r.json, "comment", "一次办好");
	check(json_array_size(json_object_get(r.json, "tags")) == 2);
	check(jstr(r.json, "created_at") != NULL);
	expect_null(r.json, "rectification");
	resp_free(&r);

	/* once only */
	rate(&k, NULL, 1, "", &r);
	expect_error(&r, 409, "already_rated", NULL);
	resp_free(&r);
	o = rateable_ok(&k);
	check(json_is_false(json_object_get(o, "rateable")));
	expect_int(json_object_get(o, "rating"), "level", 5);
	expect_null(o, "rectification");
	json_decref(o);

	/* staff lists: the township's subtree, not a village's; filters */
	l = ratings(clerk, "");
	o = rating_of(l, &k);
	check(o != NULL);
	if (o) {
		expect_str(o, "target", "case");
		expect_int(o, "site_id", site_town);
		expect_int(o, "level", 5);
		expect_null(o, "number");
		expect_null(o, "rectification");
	}
	json_decref(l);
	l = ratings(agent, "");
	check(rating_of(l, &k) == NULL);
	json_decref(l);
	l = ratings(admin, "?level=1");
	check(rating_of(l, &k) == NULL);
	json_decref(l);
	front_today(today);
	date_shift(today, -1, y);
	snprintf(q, sizeof q, "?level=5&from=%s&to=%s", today, today);
	l = ratings(admin, q);
	check(rating_of(l, &k) != NULL);
	json_decref(l);
	snprintf(q, sizeof q, "?to=%s", y);
	l = ratings(admin, q);
	check(rating_of(l, &k) == NULL);
	json_decref(l);
	req(admin, "GET", RATINGS "?from=yesterday", NULL, NULL, &r);
	expect_error(&r, 422, "invalid", "from");
	resp_free(&r);
	req(admin, "GET", RATINGS "?level=9", NULL, NULL, &r);
	expect_error(&r, 422, "invalid", "level");
	resp_free(&r);
	snprintf(q, sizeof q, RATINGS "?site=%lld", site_city);
	req(clerk, "GET", q, NULL, NULL, &r);
	expect_error(&r, 403, "forbidden", NULL);
	resp_free(&r);
	req(approver, "GET", RATINGS, NULL, NULL, &r);
	expect_error(&r, 403, "forbidden", NULL);
	resp_free(&r);
}

static void test_wrong_code(void **state)
{
	struct rcase k, open;
	struct resp r;
	json_t *before, *after, *o;
	char bad[16];

	(void)state;
	new_case(&k, 0);
	snprintf(bad, sizeof bad, "%s", k.code);
	bad[0] = bad[0] == '9' ? '0' : (char)(bad[0] + 1);
	before = ratings(admin, "");
	/* someone else's case: the right receipt with a wrong code, or an unknown receipt */
	rate(&k, bad, 1, "", &r);
	expect_error(&r, 404, "not_found", NULL);
	resp_free(&r);
	rateable(&k, bad, &r);
	expect_error(&r, 404, "not_found", NULL);
	resp_free(&r);
	reqt(anon, "POST", PUB_RATE, "{'receipt':'SQ00000000000000','code':'123456','level':1}",
	     &r);
	expect_error(&r, 404, "not_found", NULL);
	resp_free(&r);
	after = ratings(admin, "");
	check(json_equal(before, after));
	json_decref(after);
	o = rateable_ok(&k);
	check(json_is_true(json_object_get(o, "rateable")));
	json_decref(o);

	/* not finished yet */
	new_case(&open, 1);
	o = rateable_ok(&open);
	check(json_is_false(json_object_get(o, "rateable")));
	json_decref(o);
	rate(&open, NULL, 5, "", &r);
	expect_error(&r, 409, "not_rateable", NULL);
	resp_free(&r);
	after = ratings(admin, "");
	check(json_equal(before, after));
	json_decref(after);
	json_decref(before);
}

static void test_rectification_flow(void **state)
{
	struct rcase k;
	struct resp r;
	json_t *o, *l;
	char today[11], due[11], want[11], path[200];
	long long id;

	(void)state;
	new_case(&k, 0);
	id = rate_bad(&k, 2, due);
	front_today(today);
	cal_add(anon, today, 15, want);
	check(strcmp(due, want) == 0);

	o = rect_get(clerk, id);
	expect_str(o, "status", "open");
	expect_str(o, "state", "normal");
	expect_str(o, "opened_on", today);
	expect_str(o, "due", want);
	expect_int(o, "site_id", site_town);
	expect_int(json_object_get(o, "assignee"), "id", id_tadmin);
	expect_int(json_object_get(o, "rating"), "level", 2);
	expect_str(json_object_get(o, "rating"), "receipt", k.receipt);
	expect_int(o, "version", 1);
	check(json_array_size(json_object_get(o, "events")) == 1);
	json_decref(o);
	l = ratings(admin, "?level=2");
	o = rating_of(l, &k);
	check(o && jint(json_object_get(o, "rectification"), "id") == id);
	json_decref(l);

	/* lists and scope */
	l = list_all(clerk, RECTS "?status=open&state=normal");
	check(jfind_id(l, "id", id) != NULL);
	json_decref(l);
	l = list_all(clerk, RECTS "?state=overdue");
	check(jfind_id(l, "id", id) == NULL);
	json_decref(l);
	l = list_all(agent, RECTS);
	check(jfind_id(l, "id", id) == NULL);
	json_decref(l);
	req(clerk, "GET", RECTS "?status=lost", NULL, NULL, &r);
	expect_error(&r, 422, "invalid", "status");
	resp_free(&r);
	req(clerk, "GET", RECTS "?state=late", NULL, NULL, &r);
	expect_error(&r, 422, "invalid", "state");
	resp_free(&r);
	snprintf(path, sizeof path, RECTS "/%lld", id);
	req(agent, "GET", path, NULL, NULL, &r);
	expect_error(&r, 403, "forbidden", NULL);
	resp_free(&r);
	req(approver, "GET", path, NULL, NULL, &r);
	expect_error(&r, 403, "forbidden", NULL);
	resp_free(&r);
	req(clerk, "GET", RECTS "/999999", NULL, NULL, &r);
	expect_error(&r, 404, "not_found", NULL);
	resp_free(&r);

	/* refusals change nothing */
	rect_err(clerk, id, "rectify", "{'note':'x'}", 409, "wrong_state", NULL);
	rect_err(clerk, id, "close", "{}", 409, "wrong_state", NULL);
	rect_err(coord, id, "review", "{'note':'x','outcome':'upheld'}", 409, "wrong_state", NULL);
	rect_err(agent, id, "verify", "{'note':'x','verdict':'founded'}", 403, "forbidden", NULL);
	rect_err(clerk, id, "verify", "{'note':'x'}", 422, "missing_field", "verdict");
	rect_err(clerk, id, "verify", "{'note':'x','verdict':'perhaps'}", 422, "invalid", "verdict");
	rect_err(clerk, id, "verify", "{'verdict':'founded'}", 422, "missing_field", "note");
	rect_err(clerk, id, "verify", "{'note':'x','verdict':'founded','colour':1}", 422,
		 "unknown_field", "colour");
	rect_act(clerk, id, "verify", "{'note':'x','verdict':'founded'}", 7, NULL, &r);
	expect_error(&r, 412, "version_mismatch", NULL);
	resp_free(&r);
	rect_act(clerk, id, "fly", "{}", 0, NULL, &r);
	check(r.status == 404);
	resp_free(&r);
	rect_act(clerk, id, "appeal", "{}", 0, NULL, &r); /* the resident's, not an action */
	check(r.status == 404);
	resp_free(&r);

	/* verify (with If-Match), rectify (retried with an Idempotency-Key), visit, close */
	rect_act(clerk, id, "verify", "{'note':'核实：态度问题属实','verdict':'founded'}", 1, NULL, &r);
	expect_status(&r, 200);
	expect_str(r.json, "status", "verified");
	expect_str(r.json, "verdict", "founded");
	expect_int(r.json, "version", 2);
	resp_free(&r);
	rect_act(tadmin, id, "rectify", "{'note':'约谈并培训'}", 0, "rect-1", &r);
	expect_status(&r, 200);
	expect_str(r.json, "status", "rectified");
	resp_free(&r);
	rect_act(tadmin, id, "rectify", "{'note':'约谈并培训'}", 0, "rect-1", &r);
	expect_status(&r, 200);
	expect_int(r.json, "version", 3);
	resp_free(&r);
	rect_ok(clerk, id, "visit", "{'note':'电话回访，群众基本认可','satisfied':false}", "visited");
	o = rateable_ok(&k);
	expect_str(json_object_get(o, "rectification"), "status", "visited");
	expect_str(json_object_get(o, "rectification"), "rectification", "约谈并培训");
	check(json_is_true(json_object_get(json_object_get(o, "rectification"), "appealable")));
	json_decref(o);
	rect_ok(clerk, id, "close", "{}", "closed");
	rect_err(clerk, id, "close", "{}", 409, "wrong_state", NULL);
	o = rect_get(admin, id);
	{
		static const char *const acts[] = { "open", "verify", "rectify", "visit", "close" };
		json_t *ev = json_object_get(o, "events");

		check(json_array_size(ev) == 5);
		for (size_t i = 0; i < 5 && i < json_array_size(ev); i++)
			expect_str(json_array_get(ev, i), "action", acts[i]);
		expect_str(json_array_get(ev, 1), "note", "核实：态度问题属实");
		check(jstr(json_array_get(ev, 1), "user") != NULL);
	}
	expect_str(o, "state", "normal");
	json_decref(o);

	/* appealed after the visit (even once closed), once; reviewed one level up */
	snprintf(path, sizeof path, "{'receipt':'%s','code':'%s'}", k.receipt, k.code);
	reqt(anon, "POST", PUB_APPEAL, path, &r);
	expect_error(&r, 422, "missing_field", "reason");
	resp_free(&r);
	snprintf(path, sizeof path, "{'receipt':'%s','code':'%s','reason':'整改流于形式'}", k.receipt,
		 k.code);
	reqt(anon, "POST", PUB_APPEAL, path, &r);
	expect_status(&r, 200);
	expect_str(r.json, "status", "appealed");
	check(json_is_false(json_object_get(r.json, "appealable")));
	resp_free(&r);
	reqt(anon, "POST", PUB_APPEAL, path, &r);
	expect_error(&r, 409, "wrong_state", NULL);
	resp_free(&r);
	rect_err(tadmin, id, "review", "{'note':'本级复核','outcome':'upheld'}", 403, "forbidden",
		 NULL);
	rect_err(clerk, id, "review", "{'note':'x','outcome':'upheld'}", 403, "forbidden", NULL);
	rect_err(coord, id, "review", "{'note':'x','outcome':'maybe'}", 422, "invalid", "outcome");
	rect_act(coord, id, "review", "{'note':'复核：整改到位，维持','outcome':'upheld'}", 0, NULL, &r);
	expect_status(&r, 200);
	expect_str(r.json, "status", "closed");
	expect_str(r.json, "review_outcome", "upheld");
	expect_str(r.json, "appeal", "整改流于形式");
	resp_free(&r);
	reqt(anon, "POST", PUB_APPEAL, path, &r);
	expect_error(&r, 409, "wrong_state", NULL);
	resp_free(&r);
}

static void test_redo(void **state)
{
	struct rcase k, good;
	struct resp r;
	json_t *o;
	char body[200];
	long long id;

	(void)state;
	new_case(&k, 0);
	id = rate_bad(&k, 1, NULL);
	snprintf(body, sizeof body, "{'receipt':'%s','code':'%s','reason':'没有整改'}", k.receipt,
		 k.code);
	reqt(anon, "POST", PUB_APPEAL, body, &r); /* before the visit */
	expect_error(&r, 409, "wrong_state", NULL);
	resp_free(&r);
	rect_ok(clerk, id, "verify", "{'note':'经核实不属实','verdict':'unfounded'}", "verified");
	rect_ok(clerk, id, "rectify", "{'note':'向群众解释说明'}", "rectified");
	rect_ok(clerk, id, "visit", "{'note':'群众仍不满意','satisfied':false}", "visited");
	reqt(anon, "POST", PUB_APPEAL, body, &r);
	expect_status(&r, 200);
	resp_free(&r);
	rect_act(admin, id, "review", "{'note':'复核：重新整改','outcome':'redo'}", 0, NULL, &r);
	expect_status(&r, 200);
	expect_str(r.json, "status", "open");
	expect_str(r.json, "review_outcome", "redo");
	check(jstr(r.json, "due") != NULL);
	resp_free(&r);
	rect_ok(tadmin, id, "verify", "{'note':'复查属实','verdict':'founded'}", "verified");
	rect_ok(tadmin, id, "rectify", "{'note':'调整窗口人员'}", "rectified");
	rect_ok(clerk, id, "visit", "{'note':'满意','satisfied':true}", "closed");
	reqt(anon, "POST", PUB_APPEAL, body, &r); /* once only */
	expect_error(&r, 409, "wrong_state", NULL);
	resp_free(&r);
	o = rect_get(clerk, id);
	check(json_array_size(json_object_get(o, "events")) == 9);
	json_decref(o);

	/* a good case has nothing to appeal */
	new_case(&good, 0);
	rate(&good, NULL, 4, "", &r);
	expect_status(&r, 201);
	resp_free(&r);
	snprintf(body, sizeof body, "{'receipt':'%s','code':'%s','reason':'x'}", good.receipt,
		 good.code);
	reqt(anon, "POST", PUB_APPEAL, body, &r);
	expect_error(&r, 409, "wrong_state", NULL);
	resp_free(&r);
}

/* Two residents' browsers submit at the same moment: the database's unique key decides. */
struct racer {
	pthread_barrier_t *bar;
	struct client *c;
	const char *body;
	long status;
	char code[32];
};

static void *race(void *arg)
{
	struct racer *x = arg;
	struct resp r;

	pthread_barrier_wait(x->bar);
	x->status = req(x->c, "POST", PUB_RATE, x->body, NULL, &r);
	snprintf(x->code, sizeof x->code, "%s", resp_err_code(&r) ? resp_err_code(&r) : "");
	resp_free(&r);
	return NULL;
}

static void test_concurrent(void **state)
{
	(void)state;
	for (int round = 0; round < 3; round++) {
		struct rcase k;
		char body[2][200];
		struct racer x[2];
		pthread_t th[2];
		pthread_barrier_t bar;
		json_t *l;

		new_case(&k, 0);
		pthread_barrier_init(&bar, NULL, 2);
		for (int i = 0; i < 2; i++) {
			snprintf(body[i], sizeof body[i],
				 "{\"receipt\":\"%s\",\"code\":\"%s\",\"level\":%d}", k.receipt, k.code,
				 i ? 1 : 2);
			x[i] = (struct racer){ .bar = &bar, .c = client_new(srv), .body = body[i] };
			pthread_create(&th[i], NULL, race, &x[i]);
		}
		for (int i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&bar);
		int created = (x[0].status == 201) + (x[1].status == 201);
		int refused = (x[0].status == 409 && !strcmp(x[0].code, "already_rated")) +
			      (x[1].status == 409 && !strcmp(x[1].code, "already_rated"));
		if (created != 1 || refused != 1)
			soft_fail("round %d: %ld %s / %ld %s, want one 201 and one 409 already_rated",
				  round, x[0].status, x[0].code, x[1].status, x[1].code);
		for (int i = 0; i < 2; i++)
			client_free(x[i].c);
		/* exactly one rating and one rectification */
		l = ratings(admin, "");
		int n = 0;
		size_t j;
		json_t *v;
		json_array_foreach(l, j, v)
			n += jstr(v, "receipt") && !strcmp(jstr(v, "receipt"), k.receipt);
		check_int(n, 1);
		json_decref(l);
	}
}

/* 40 calendar days on (more than 15 working days, whatever holidays fall between): overdue. */
static void test_overdue(void **state)
{
	struct rcase k;
	char today[11], later[11], t[32];
	const char *extra[] = { "--fake-now", t, NULL };
	long long id, done;
	json_t *o, *l;

	(void)state;
	new_case(&k, 0);
	id = rate_bad(&k, 1, NULL);
	{
		struct rcase k2;

		new_case(&k2, 0);
		done = rate_bad(&k2, 2, NULL);
		rect_ok(clerk, done, "verify", "{'note':'x','verdict':'founded'}", "verified");
		rect_ok(clerk, done, "rectify", "{'note':'x'}", "rectified");
		rect_ok(clerk, done, "visit", "{'note':'x','satisfied':false}", "visited");
	}
	front_today(today);
	date_shift(today, 40, later);
	snprintf(t, sizeof t, "%lld", cn_ten_oclock(later));
	if (srv_restart_args(srv, extra) != 0)
		fail_at("restarting the server at %s failed", later);
	sign_in_all();
	o = rect_get(clerk, id);
	expect_str(o, "state", "overdue");
	json_decref(o);
	o = rect_get(clerk, done); /* visited in time: its clock stopped */
	expect_str(o, "state", "normal");
	json_decref(o);
	l = list_all(clerk, RECTS "?state=overdue");
	check(jfind_id(l, "id", id) != NULL);
	check(jfind_id(l, "id", done) == NULL);
	json_decref(l);
	l = list_all(coord, RECTS "?state=normal&status=visited");
	check(jfind_id(l, "id", done) != NULL);
	json_decref(l);
	/* the home's alerts carry it, for the rated site's staff */
	{
		struct resp r;
		json_t *a;

		req(clerk, "GET", "/api/v1/alerts", NULL, NULL, &r);
		expect_status(&r, 200);
		a = jfind_id(json_object_get(r.json, "items"), "id", id);
		check(a != NULL);
		expect_str(a, "kind", "rectification_overdue");
		resp_free(&r);
	}
	/* verifying late is still possible; it stays overdue until the visit */
	rect_ok(clerk, id, "verify", "{'note':'x','verdict':'founded'}", "verified");
	o = rect_get(clerk, id);
	expect_str(o, "state", "overdue");
	json_decref(o);
}

/* Last: it blocks this address for a while. */
static void test_rate_limit(void **state)
{
	struct rcase k;
	struct resp r;
	int n = 0;

	(void)state;
	new_case(&k, 0);
	for (; n < 25; n++) {
		rateable(&k, "000000x", &r);
		long st = r.status;

		if (st == 429) {
			const char *ra = resp_header(&r, "Retry-After");

			check(ra && atoi(ra) > 0);
			expect_error(&r, 429, "rate_limited", NULL);
		} else if (st != 404) {
			print_mismatch(&r, "status", 404, "not_found", NULL);
		}
		resp_free(&r);
		if (st == 429)
			break;
	}
	check(n < 20); /* earlier tests made a few wrong guesses too */
	/* now even the right code waits */
	rate(&k, NULL, 5, "", &r);
	expect_error(&r, 429, "rate_limited", NULL);
	resp_free(&r);
	rateable(&k, NULL, &r);
	expect_error(&r, 429, "rate_limited", NULL);
	resp_free(&r);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		case_test(test_good_rating),
		case_test(test_wrong_code),
		case_test(test_rectification_flow),
		case_test(test_redo),
		case_test(test_concurrent),
		case_test(test_overdue),
		case_test(test_rate_limit),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("front_ratings", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
