/*
 * API tests: API keys and the 12345 hotline (docs/api-desk.md). A district admin creates a key
 * (shown once, listed without it, stored only as a digest); the hotline files work orders with
 * it: a complaint order becomes a complaint at once, consultation and case orders wait in the
 * township's inbox until staff answer or link the case; a resend with the same body is the same
 * order, with another body 409; the hotline reads its orders back (only its own); a revoked key
 * is refused at once; bad inputs write nothing.
 * Usage: api_front_hotline <path to bangban> <data/catalog dir>
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

#define KEYS "/api/v1/api-keys"
#define ORDERS "/api/v1/hotline/orders"
#define INBOX "/api/v1/hotline-orders"

static struct srv *srv;
static struct client *admin, *tadmin, *clerk, *agent, *agent2, *cityclerk, *sys;
static char key1[80], key2[80];
static long long key2_id;

static int setup(void **state)
{
	if (srv_group_setup(state))
		return -1;
	srv = *state;
	admin = as(srv, "admin");
	tadmin = as(srv, "tadmin");
	clerk = as(srv, "clerk");
	agent = as(srv, "agent");
	agent2 = as(srv, "agent2");
	cityclerk = as(srv, "cityclerk");
	sys = client_new(srv);
	cases_load_sites(admin);
	return 0;
}

static int teardown(void **state)
{
	struct client *all[] = { admin, tadmin, clerk, agent, agent2, cityclerk, sys };

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		client_free(all[i]);
	return srv_group_teardown(state);
}

/* The hotline's call: Authorization: Bearer key (key NULL: none), or X-Api-Key when xkey. */
static long call(const char *key, int xkey, const char *method, const char *path,
		 const char *body, struct resp *r)
{
	char h[128];
	const char *hdr[] = { h, NULL };

	snprintf(h, sizeof h, xkey ? "X-Api-Key: %s" : "Authorization: Bearer %s", key ? key : "");
	return req(sys, method, path, body, key ? hdr : NULL, r);
}

static json_t *inbox(void)
{
	return list_all(admin, INBOX);
}

static void expect_same(json_t *before, json_t *after, const char *what)
{
	if (!json_equal(before, after))
		soft_fail("%s: something was written (%zu -> %zu)", what, json_array_size(before),
			  json_array_size(after));
	json_decref(before);
	json_decref(after);
}

static void make_key(const char *name, char *out, long long *id)
{
	char body[128];
	struct resp r;

	snprintf(body, sizeof body, "{\"name\":\"%s\"}", name);
	req(admin, "POST", KEYS, body, NULL, &r);
	expect_status(&r, 201);
	snprintf(out, 80, "%s", jstr(r.json, "key") ? jstr(r.json, "key") : "");
	if (id)
		*id = jint(r.json, "id");
	check_int(strlen(out), 52);
	check(strncmp(out, "bbk_", 4) == 0);
	check(jstr(r.json, "prefix") && strncmp(jstr(r.json, "prefix"), out, 8) == 0 &&
	      strlen(jstr(r.json, "prefix")) == 8);
	resp_free(&r);
}

static void test_keys(void **state)
{
	struct resp r;
	json_t *l, *before;
	size_t i;
	json_t *e;

	(void)state;
	before = list_all(admin, KEYS);
	reqt(tadmin, "POST", KEYS, "{'name':'x'}", &r);
	expect_error(&r, 403, "forbidden", NULL);
	resp_free(&r);
	reqt(clerk, "GET", KEYS, NULL, &r);
	expect_error(&r, 403, "forbidden", NULL);
	resp_free(&r);
	reqt(admin, "POST", KEYS, "{'name':''}", &r);
	expect_error(&r, 422, "invalid", "name");
	resp_free(&r);
	reqt(admin, "POST", KEYS, "{}", &r);
	expect_error(&r, 422, "missing_field", "name");
	resp_free(&r);
	expect_same(before, list_all(admin, KEYS), "bad key requests");

	make_key("12345 市民热线", key1, NULL);
	make_key("12345 备用", key2, &key2_id);
	check(strcmp(key1, key2) != 0);
	req(admin, "GET", KEYS, NULL, NULL, &r);
	expect_status(&r, 200);
	check(!has(r.body, key1) && !has(r.body, key2) && !has(r.body, "\"key\""));
	l = json_object_get(r.json, "items");
	check_int(json_array_size(l), 2);
	json_array_foreach(l, i, e) {
		check(jstr(e, "prefix") != NULL);
		expect_null(e, "revoked_at");
	}
	resp_free(&r);
}

static json_t *order_ok(const char *key, const char *body, long want)
{
	struct resp r;
	json_t *o;

	call(key, 0, "POST", ORDERS, body, &r);
	expect_status(&r, want);
	if (has(r.body, "13700001111") || has(r.body, "哈斯"))
		soft_fail("%s: the hotline's answer holds the phone or name in clear", r.what);
	o = json_incref(r.json);
	resp_free(&r);
	return o;
}

#define BODY(no, kind) "{\"order_no\":\"" no "\",\"kind\":\"" kind "\",\"site_code\":\"" TOWN_CODE \
	"\",\"name\":\"哈斯\",\"phone\":\"13700001111\",\"description\":\"来电反映\"}"

static void test_complaint_order(void **state)
{
	json_t *o, *l, *c;
	char path[96];

	(void)state;
	o = order_ok(key1, BODY("GD-001", "complaint"), 201);
	expect_str(o, "order_no", "GD-001");
	expect_str(o, "kind", "complaint");
	expect_str(o, "status", "open");
	expect_str(json_object_get(o, "site"), "code", TOWN_CODE);
	c = json_object_get(o, "complaint");
	check(json_is_object(c) && jstr(c, "code") && strlen(jstr(c, "code")) == 8);
	expect_null(o, "case");
	json_decref(o);

	/* it is a complaint of the township, from the hotline */
	l = list_all(clerk, "/api/v1/complaints");
	c = jfind(l, "source", "hotline");
	check(c != NULL);
	if (c) {
		expect_int(c, "site_id", site_town);
		expect_str(c, "phone", "137****1111");
		expect_str(c, "name", "哈*");
		snprintf(path, sizeof path, "/api/v1/complaints/%lld/actions/answer", jint(c, "id"));
		json_decref(l);
		l = NULL;
		struct resp r;
		req(clerk, "POST", path, "{\"answer\":\"已回电说明\"}", NULL, &r);
		expect_status(&r, 200);
		resp_free(&r);
	}
	json_decref(l);

	/* read back with the answer; by X-Api-Key too */
	struct resp r;
	call(key1, 1, "GET", ORDERS "/GD-001", NULL, &r);
	expect_status(&r, 200);
	expect_str(r.json, "status", "answered");
	expect_str(r.json, "answer", "已回电说明");
	expect_str(json_object_get(r.json, "complaint"), "status", "answered");
	expect_str(json_object_get(r.json, "complaint"), "answer", "已回电说明");
	resp_free(&r);

	/* staff actions on a complaint order go through the complaint */
	l = list_all(clerk, INBOX "?kind=complaint");
	check_int(json_array_size(l), 1);
	if (json_array_size(l)) {
		snprintf(path, sizeof path, INBOX "/%lld/actions/close", jint(json_array_get(l, 0), "id"));
		req(clerk, "POST", path, "{}", NULL, &r);
		expect_error(&r, 409, "wrong_state", NULL);
		resp_free(&r);
	}
	json_decref(l);
}

static void test_consultation_and_resend(void **state)
{
	json_t *o, *again, *before, *l, *e;
	struct resp r;
	char path[96];
	long long id;

	(void)state;
	o = order_ok(key1, BODY("GD-002", "consultation"), 201);
	expect_str(o, "status", "open");
	expect_null(o, "complaint");
	before = inbox();
	again = order_ok(key1, BODY("GD-002", "consultation"), 200);
	check(json_equal(o, again));
	expect_same(before, inbox(), "identical resend");
	json_decref(again);
	json_decref(o);

	before = inbox();
	call(key1, 0, "POST", ORDERS, "{\"order_no\":\"GD-002\",\"kind\":\"consultation\","
	     "\"site_code\":\"" TOWN_CODE "\",\"name\":\"哈斯\",\"phone\":\"13700001111\","
	     "\"description\":\"另一件事\"}", &r);
	expect_error(&r, 409, "conflict", "order_no");
	resp_free(&r);
	expect_same(before, inbox(), "conflicting resend");

	/* the inbox of the township: masked, with the key's name */
	l = list_all(clerk, INBOX "?status=open&kind=consultation");
	check_int(json_array_size(l), 1);
	e = json_array_get(l, 0);
	id = e ? jint(e, "id") : 0;
	expect_str(e, "phone", "137****1111");
	expect_str(e, "name", "哈*");
	expect_str(json_object_get(e, "api_key"), "name", "12345 市民热线");
	json_decref(l);
	snprintf(path, sizeof path, INBOX "/%lld", id);
	check_int(get_status(agent2, path), 403);
	check_int(get_status(clerk, path), 200);

	snprintf(path, sizeof path, INBOX "/%lld/actions/answer", id);
	req(agent2, "POST", path, "{\"answer\":\"x\"}", NULL, &r);
	expect_error(&r, 403, "forbidden", NULL);
	resp_free(&r);
	req(clerk, "POST", path, "{\"answer\":\"\"}", NULL, &r);
	expect_error(&r, 422, "invalid", "answer");
	resp_free(&r);
	req(clerk, "POST", path, "{\"answer\":\"可在村便民服务站代办\"}", NULL, &r);
	expect_status(&r, 200);
	expect_str(r.json, "status", "answered");
	resp_free(&r);
	req(clerk, "POST", path, "{\"answer\":\"again\"}", NULL, &r);
	expect_error(&r, 409, "wrong_state", NULL);
	resp_free(&r);

	call(key1, 0, "GET", ORDERS "/GD-002", NULL, &r);
	expect_status(&r, 200);
	expect_str(r.json, "status", "answered");
	expect_str(r.json, "answer", "可在村便民服务站代办");
	check(!has(r.body, "13700001111") && !has(r.body, "哈斯"));
	resp_free(&r);

	snprintf(path, sizeof path, INBOX "/%lld/actions/close", id);
	req(clerk, "POST", path, "{}", NULL, &r);
	expect_status(&r, 200);
	expect_str(r.json, "status", "closed");
	resp_free(&r);
}

static void test_case_order(void **state)
{
	const char *code;
	json_t *item, *b, *kase, *o, *l;
	char path[96], receipt[64], city_receipt[64], body[160];
	struct resp r;
	long long id;

	(void)state;
	o = order_ok(key1, "{\"order_no\":\"GD-003\",\"kind\":\"case\",\"site_id\":" "0}", 422);
	json_decref(o);
	snprintf(body, sizeof body, "{\"order_no\":\"GD-003\",\"kind\":\"case\",\"site_id\":%lld,"
		 "\"name\":\"哈斯\",\"phone\":\"13700001111\",\"description\":\"办低保\"}", site_town);
	o = order_ok(key1, body, 201);
	expect_str(o, "kind", "case");
	expect_null(o, "case");
	json_decref(o);

	/* the case opened for it at a village of the township; one at the city does not fit */
	code = pick_item(admin, &(struct item_want){ .vil_mode = "collect" });
	item = item_full(admin, code);
	b = case_body(code, item, NULL, "station", 1, time(NULL), NULL, 0);
	kase = case_create(agent, b);
	snprintf(receipt, sizeof receipt, "%s", jstr(kase, "receipt"));
	json_decref(kase);
	json_decref(b);
	b = case_body(code, item, NULL, "window", 0, time(NULL), NULL, 0);
	kase = case_create(cityclerk, b);
	snprintf(city_receipt, sizeof city_receipt, "%s", jstr(kase, "receipt"));
	json_decref(kase);
	json_decref(b);
	json_decref(item);

	l = list_all(clerk, INBOX "?kind=case");
	id = json_array_size(l) ? jint(json_array_get(l, 0), "id") : 0;
	json_decref(l);
	snprintf(path, sizeof path, INBOX "/%lld/actions/link", id);
	snprintf(body, sizeof body, "{\"receipt\":\"%s\"}", city_receipt);
	req(clerk, "POST", path, body, NULL, &r);
	expect_error(&r, 422, "invalid", "receipt");
	resp_free(&r);
	req(clerk, "POST", path, "{\"receipt\":\"SQ00000000000000\"}", NULL, &r);
	expect_error(&r, 422, "invalid", "receipt");
	resp_free(&r);
	snprintf(body, sizeof body, "{\"receipt\":\"%s\"}", receipt);
	req(clerk, "POST", path, body, NULL, &r);
	expect_status(&r, 200);
	expect_str(r.json, "status", "answered");
	expect_str(json_object_get(r.json, "case"), "receipt", receipt);
	resp_free(&r);

	call(key1, 0, "GET", ORDERS "/GD-003", NULL, &r);
	expect_status(&r, 200);
	expect_str(json_object_get(r.json, "case"), "receipt", receipt);
	expect_str(json_object_get(r.json, "case"), "status", "intake");
	resp_free(&r);
}

static void test_bad_orders(void **state)
{
	static const struct {
		const char *body, *code, *field;
	} bad[] = {
		{ "{'kind':'case','site_code':'" TOWN_CODE "','name':'a','phone':'13700001111','description':'d'}", "missing_field", "order_no" },
		{ "{'order_no':'','kind':'case','site_code':'" TOWN_CODE "','name':'a','phone':'13700001111','description':'d'}", "invalid", "order_no" },
		{ "{'order_no':'B1','kind':'praise','site_code':'" TOWN_CODE "','name':'a','phone':'13700001111','description':'d'}", "invalid", "kind" },
		{ "{'order_no':'B1','kind':'case','name':'a','phone':'13700001111','description':'d'}", "missing_field", "site_code" },
		{ "{'order_no':'B1','kind':'case','site_code':'152502009000','name':'a','phone':'13700001111','description':'d'}", "invalid", "site_code" },
		{ "{'order_no':'B1','kind':'case','site_code':'15250200','name':'a','phone':'13700001111','description':'d'}", "invalid", "site_code" },
		{ "{'order_no':'B1','kind':'case','site_id':999999,'name':'a','phone':'13700001111','description':'d'}", "invalid", "site_id" },
		{ "{'order_no':'B1','kind':'case','site_id':$T,'site_code':'" TOWN_CODE "','name':'a','phone':'13700001111','description':'d'}", "invalid", "site_id" },
		{ "{'order_no':'B1','kind':'case','site_id':$T,'name':'a','phone':'1370000','description':'d'}", "invalid", "phone" },
		{ "{'order_no':'B1','kind':'case','site_id':$T,'name':'','phone':'13700001111','description':'d'}", "invalid", "name" },
		{ "{'order_no':'B1','kind':'complaint','site_id':$T,'item':'00000000000','name':'a','phone':'13700001111','description':'d'}", "invalid", "item" },
		{ "{'order_no':'B1','kind':'complaint','site_id':$T,'name':'a','phone':'13700001111','description':'d','x':1}", "unknown_field", "x" },
	};
	json_t *before = inbox(), *cbefore = list_all(admin, "/api/v1/complaints");
	struct resp r;

	(void)state;
	tvar_set('T', site_town);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *body = tpl(bad[i].body);
		call(key1, 0, "POST", ORDERS, body, &r);
		if (error_mismatch(&r, 422, bad[i].code, bad[i].field)) {
			print_mismatch(&r, "bad order", 422, bad[i].code, bad[i].field);
			soft_fail("case %zu", i);
		}
		resp_free(&r);
		free(body);
	}
	/* keys: none, garbage, a session cookie does not count */
	call(NULL, 0, "POST", ORDERS, BODY("B2", "case"), &r);
	expect_error(&r, 401, "bad_api_key", NULL);
	resp_free(&r);
	call("bbk_0000000000000000000000000000000000000000000000000", 0, "POST", ORDERS,
	     BODY("B2", "case"), &r);
	expect_error(&r, 401, "bad_api_key", NULL);
	resp_free(&r);
	req(admin, "POST", ORDERS, BODY("B2", "case"), NULL, &r);
	expect_error(&r, 401, "bad_api_key", NULL);
	resp_free(&r);
	call("nonsense", 1, "GET", ORDERS "/GD-001", NULL, &r);
	expect_error(&r, 401, "bad_api_key", NULL);
	resp_free(&r);
	expect_same(before, inbox(), "bad orders");
	expect_same(cbefore, list_all(admin, "/api/v1/complaints"), "bad orders (complaints)");
}

static void test_other_key_and_revoke(void **state)
{
	struct resp r;
	json_t *o, *l, *k;
	char path[96];

	(void)state;
	/* key2 cannot read key1's order; its own GD-001 is another order */
	call(key2, 0, "GET", ORDERS "/GD-001", NULL, &r);
	expect_error(&r, 404, "not_found", NULL);
	resp_free(&r);
	o = order_ok(key2, BODY("GD-001", "consultation"), 201);
	expect_str(o, "kind", "consultation");
	json_decref(o);
	call(key1, 0, "GET", ORDERS "/GD-001", NULL, &r);
	expect_str(r.json, "kind", "complaint");
	resp_free(&r);

	l = list_all(admin, KEYS);
	k = jfind_id(l, "id", key2_id);
	check(k && jstr(k, "last_used_at") != NULL);
	json_decref(l);

	tvar_set('K', key2_id);
	reqt(tadmin, "POST", "/api/v1/api-keys/$K/revoke", "{}", &r);
	expect_error(&r, 403, "forbidden", NULL);
	resp_free(&r);
	snprintf(path, sizeof path, KEYS "/%lld/revoke", key2_id);
	req(admin, "POST", path, "{}", NULL, &r);
	expect_status(&r, 200);
	check(jstr(r.json, "revoked_at") != NULL);
	resp_free(&r);
	req(admin, "POST", path, "{}", NULL, &r);
	expect_error(&r, 409, "wrong_state", NULL);
	resp_free(&r);
	call(key2, 0, "GET", ORDERS "/GD-001", NULL, &r);
	expect_error(&r, 401, "bad_api_key", NULL);
	resp_free(&r);
	call(key2, 0, "POST", ORDERS, BODY("GD-009", "case"), &r);
	expect_error(&r, 401, "bad_api_key", NULL);
	resp_free(&r);
	/* key1 still works */
	call(key1, 0, "GET", ORDERS "/GD-002", NULL, &r);
	expect_status(&r, 200);
	resp_free(&r);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		case_test(test_keys),
		case_test(test_complaint_order),
		case_test(test_consultation_and_resend),
		case_test(test_case_order),
		case_test(test_bad_orders),
		case_test(test_other_key_and_revoke),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("front_hotline", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
