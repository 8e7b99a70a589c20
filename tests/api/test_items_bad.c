/*
 * API tests: bad item input (docs/api.md "Service catalogue", "Items", and
 * "Conventions" Fields): each gives the documented 4xx code and field, and
 * writes nothing (the item list and the items touched are the same before and after).
 * Usage: api_test_items_bad <path to bangban> <data/catalog dir>
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

#include "cat_util.h"

#define NEWCODE "11009905000"	/* what the POST rows would create */
#define TARGET "11000102000"	/* PATCH rows: promised, statutory 20, promised 10, rs */

static struct client *admin;

static int setup(void **state)
{
	if (srv_group_setup(state))
		return -1;
	admin = client_new(*state);
	login_ok(admin, "admin", PW);
	return 0;
}

static int teardown(void **state)
{
	client_free(admin);
	admin = NULL;
	return srv_group_teardown(state);
}

/*
 * One bad request. POST to ITEMS with mods: item_body(NEWCODE) with the template
 * object mods merged in (and member del removed). Otherwise body is sent as a template.
 * field: expected error.field, alternatives separated by '|'; NULL: not checked.
 */
struct bad {
	const char *method, *path, *body, *del;
	long status;
	const char *code, *field;
};

#define MAT_OK "{'name':'居民身份证','required':true,'condition':null,'form':'original','copies':0," \
	"'source':'申请人自备','note':null}"
/* A material with name, required, condition, form, copies as given. */
#define MAT5(n, r, c, f, k) "{'name':" n ",'required':" r ",'condition':" c ",'form':" f \
	",'copies':" k ",'source':'申请人自备','note':null}"
#define MAT_FORM(f) MAT5("'户口簿'", "true", "null", f, "0")
#define MAT_COPIES(k) MAT5("'户口簿'", "true", "null", "'original'", k)
#define MAT_REQ(r) MAT5("'户口簿'", r, "null", "'original'", "0")
#define MAT_NAME(n) MAT5(n, "true", "null", "'original'", "0")
#define MAT_EXTRA "{'name':'户口簿','required':true,'condition':null,'form':'original','copies':0," \
	"'source':'申请人自备','note':null,'colour':'red'}"
#define MATS(a, b) "{'materials':[" a "," b "]}"
#define IMM "'case_type':'immediate','promised_days':0,"

static const struct bad bad_post[] = {
	{ "POST", ITEMS, "{'domain':'火星事务'}", NULL, 422, "unknown_domain", "domain" },
	{ "POST", ITEMS, "{'domain':''}", NULL, 422, "unknown_domain", "domain" },
	{ "POST", ITEMS, "{'department':'xx'}", NULL, 422, "unknown_department", "department" },
	{ "POST", ITEMS, "{'department':'MZ'}", NULL, 422, "unknown_department", "department" },
	{ "POST", ITEMS, "{" IMM "'statutory_days':-1}", NULL, 422, NULL, "statutory_days" },
	{ "POST", ITEMS, "{" IMM "'statutory_days':0}", NULL, 422, NULL, "statutory_days" },
	{ "POST", ITEMS, "{'statutory_days':9999}", NULL, 422, NULL, "statutory_days" },
	{ "POST", ITEMS, "{'statutory_days':251}", NULL, 422, NULL, "statutory_days" },
	{ "POST", ITEMS, "{'promised_days':-1}", NULL, 422, NULL, "promised_days" },
	{ "POST", ITEMS, "{'promised_days':30}", NULL, 422, "limits_mismatch", "promised_days" },
	{ "POST", ITEMS, "{'case_type':'immediate','promised_days':3}", NULL, 422, "limits_mismatch", "promised_days" },
	{ "POST", ITEMS, "{'promised_days':0}", NULL, 422, "limits_mismatch", "promised_days" },
	{ "POST", ITEMS, "{'case_type':'reported','promised_days':0}", NULL, 422, "limits_mismatch", "promised_days" },
	{ "POST", ITEMS, "{'case_type':'joint','joint_departments':['mz']}", NULL, 422, "limits_mismatch", "joint_departments" },
	{ "POST", ITEMS, "{'case_type':'joint','joint_departments':[]}", NULL, 422, "limits_mismatch", "joint_departments" },
	{ "POST", ITEMS, "{'case_type':'joint'}", "joint_departments", 422, "limits_mismatch", "joint_departments" },
	{ "POST", ITEMS, "{'joint_departments':['mz','cl']}", NULL, 422, "limits_mismatch", "joint_departments" },
	{ "POST", ITEMS, "{" IMM "'joint_departments':['mz','cl']}", NULL, 422, "limits_mismatch", "joint_departments" },
	{ "POST", ITEMS, "{'case_type':'joint','joint_departments':['cl','mz']}", NULL, 422, "limits_mismatch", "joint_departments" },
	{ "POST", ITEMS, "{'case_type':'joint','joint_departments':['mz','nope']}", NULL, 422, "unknown_department", "joint_departments|joint_departments[1]" },
	{ "POST", ITEMS, "{'case_type':'joint','joint_departments':['mz','']}", NULL, 422, NULL, "joint_departments|joint_departments[1]" },
	{ "POST", ITEMS, "{'case_type':'joint','joint_departments':['mz',5]}", NULL, 422, "wrong_type", "joint_departments|joint_departments[1]" },
	{ "POST", ITEMS, "{'code':'1100990500'}", NULL, 422, "invalid", "code" },
	{ "POST", ITEMS, "{'code':'110099050000'}", NULL, 422, "invalid", "code" },
	{ "POST", ITEMS, "{'code':'11009A05000'}", NULL, 422, "invalid", "code" },
	{ "POST", ITEMS, "{'code':'1100990500x'}", NULL, 422, "invalid", "code" },
	{ "POST", ITEMS, "{'code':' 1100990500'}", NULL, 422, "invalid", "code" },
	{ "POST", ITEMS, "{'code':'99009905000'}", NULL, 422, "invalid", "code" },
	{ "POST", ITEMS, "{'code':'00009905000'}", NULL, 422, "invalid", "code" },
	{ "POST", ITEMS, "{'code':'21009905000'}", NULL, 422, "invalid", "code" },
	{ "POST", ITEMS, "{'code':''}", NULL, 422, "invalid", "code" },
	{ "POST", ITEMS, "{'code':11009905000}", NULL, 422, "wrong_type", "code" },
	{ "POST", ITEMS, "{'code':'11000101000'}", NULL, 409, "conflict", NULL },
	{ "POST", ITEMS, MATS(MAT_OK, MAT_FORM("'scan'")), NULL, 422, "invalid", "materials[1].form" },
	{ "POST", ITEMS, MATS(MAT_COPIES("99"), MAT_OK), NULL, 422, "invalid", "materials[0].copies" },
	{ "POST", ITEMS, MATS(MAT_COPIES("21"), MAT_OK), NULL, 422, "invalid", "materials[0].copies" },
	{ "POST", ITEMS, MATS(MAT_COPIES("-1"), MAT_OK), NULL, 422, "invalid", "materials[0].copies" },
	{ "POST", ITEMS, MATS(MAT_OK, MAT_REQ("false")), NULL, 422, NULL, "materials[1].condition" },
	{ "POST", ITEMS, MATS(MAT_OK, "{'name':'收入证明','required':false,'condition':'','form':'copy','copies':1,'source':'单位','note':null}"), NULL, 422, NULL, "materials[1].condition" },
	{ "POST", ITEMS, MATS(MAT_OK, "{'name':'收入证明','required':false,'form':'copy','copies':1,'source':'单位','note':null}"), NULL, 422, NULL, "materials[1].condition" },
	{ "POST", ITEMS, MATS(MAT_NAME("''"), MAT_OK), NULL, 422, NULL, "materials[0].name" },
	{ "POST", ITEMS, MATS(MAT_OK, MAT_EXTRA), NULL, 422, "unknown_field", "materials[1].colour" },
	{ "POST", ITEMS, MATS(MAT_OK, MAT_REQ("'yes'")), NULL, 422, "wrong_type", "materials[1].required" },
	{ "POST", ITEMS, MATS(MAT_OK, MAT_COPIES("'1'")), NULL, 422, "wrong_type", "materials[1].copies" },
	{ "POST", ITEMS, MATS(MAT_OK, "{'required':true,'condition':null,'form':'copy','copies':1,'source':'单位','note':null}"), NULL, 422, "missing_field", "materials[1].name" },
	{ "POST", ITEMS, MATS(MAT_OK, "5"), NULL, 422, "wrong_type", "materials[1]|materials" },
	{ "POST", ITEMS, "{'materials':'居民身份证'}", NULL, 422, "wrong_type", "materials" },
	{ "POST", ITEMS, "{'colour':'red'}", NULL, 422, "unknown_field", "colour" },
	{ "POST", ITEMS, "{'status':'published'}", NULL, 422, NULL, "status" },
	{ "POST", ITEMS, "{'version':3}", NULL, 422, NULL, "version" },
	{ "POST", ITEMS, "{'draft_version':1}", NULL, 422, NULL, "draft_version" },
	{ "POST", ITEMS, "{'statutory_days':'20'}", NULL, 422, "wrong_type", "statutory_days" },
	{ "POST", ITEMS, "{'promised_days':1.5}", NULL, 422, NULL, "promised_days" },
	{ "POST", ITEMS, "{'online':'yes'}", NULL, 422, "wrong_type", "online" },
	{ "POST", ITEMS, "{'name':5}", NULL, 422, "wrong_type", "name" },
	{ "POST", ITEMS, "{'joint_departments':'mz'}", NULL, 422, "wrong_type", "joint_departments" },
	{ "POST", ITEMS, "{'level':'city'}", NULL, 422, NULL, "level" },
	{ "POST", ITEMS, "{'object':'alien'}", NULL, 422, NULL, "object" },
	{ "POST", ITEMS, "{'case_type':'urgent'}", NULL, 422, NULL, "case_type" },
	{ "POST", ITEMS, "{'result_type':'gold'}", NULL, 422, NULL, "result_type" },
	{ "POST", ITEMS, "{'name':''}", NULL, 422, NULL, "name" },
	{ "POST", ITEMS, "{}", "name", 422, "missing_field", "name" },
	{ "POST", ITEMS, "{}", "code", 422, "missing_field", "code" },
	{ "POST", ITEMS, "{}", "domain", 422, "missing_field", "domain" },
	{ "POST", ITEMS, "{}", "case_type", 422, "missing_field", "case_type" },
	{ "POST", ITEMS, "{}", "statutory_days", 422, "missing_field", "statutory_days" },
	{ "POST", ITEMS, "{}", "department", 422, "missing_field", "department" },
};

static const struct bad bad_other[] = {
	{ "POST", ITEMS, "[]", NULL, 422, "wrong_type", NULL },
	{ "POST", ITEMS, "{'code':", NULL, 400, "bad_json", NULL },
	{ "PATCH", ITEMS "/" TARGET, "{'code':'11000102001'}", NULL, 422, NULL, "code" },
	{ "PATCH", ITEMS "/" TARGET, "{'domain':'火星事务'}", NULL, 422, "unknown_domain", "domain" },
	{ "PATCH", ITEMS "/" TARGET, "{'department':'xx'}", NULL, 422, "unknown_department", "department" },
	{ "PATCH", ITEMS "/" TARGET, "{'statutory_days':5}", NULL, 422, "limits_mismatch", "statutory_days|promised_days" },
	{ "PATCH", ITEMS "/" TARGET, "{'statutory_days':9999}", NULL, 422, NULL, "statutory_days" },
	{ "PATCH", ITEMS "/" TARGET, "{'case_type':'immediate'}", NULL, 422, "limits_mismatch", "promised_days|case_type" },
	{ "PATCH", ITEMS "/" TARGET, "{'case_type':'joint'}", NULL, 422, "limits_mismatch", "joint_departments|case_type" },
	{ "PATCH", ITEMS "/" TARGET, "{'joint_departments':['rs','mz']}", NULL, 422, "limits_mismatch", "joint_departments" },
	{ "PATCH", ITEMS "/" TARGET, "{'materials':[" MAT_FORM("'scan'") "]}", NULL, 422, "invalid", "materials[0].form" },
	{ "PATCH", ITEMS "/" TARGET, "{'materials':[" MAT_OK "," MAT_COPIES("99") "]}", NULL, 422, "invalid", "materials[1].copies" },
	{ "PATCH", ITEMS "/" TARGET, "{'bogus':1}", NULL, 422, "unknown_field", "bogus" },
	{ "PATCH", ITEMS "/" TARGET, "{'status':'retired'}", NULL, 422, NULL, "status" },
	{ "PATCH", ITEMS "/" TARGET, "{'online':'no'}", NULL, 422, "wrong_type", "online" },
	{ "PATCH", ITEMS "/" TARGET, "{'name':''}", NULL, 422, NULL, "name" },
	{ "PATCH", ITEMS "/" TARGET, "[]", NULL, 422, "wrong_type", NULL },
	{ "PATCH", ITEMS "/99999999999", "{'name':'x'}", NULL, 404, "not_found", NULL },
	{ "PATCH", ITEMS "/" TARGET "/versions/1", "{'name':'改已发布版本'}", NULL, 409, "version_frozen", NULL },
	{ "POST", ITEMS "/" TARGET "/publish", NULL, NULL, 409, "no_draft", NULL },
	{ "POST", ITEMS "/99999999999/retire", NULL, NULL, 404, "not_found", NULL },
	{ "GET", ITEMS "/99999999999", NULL, NULL, 404, "not_found", NULL },
	{ "GET", ITEMS "/" TARGET "?version=99", NULL, NULL, 404, "not_found", NULL },
	{ "GET", ITEMS "/" TARGET "?version=abc", NULL, NULL, 422, "invalid", NULL },
	{ "GET", ITEMS "?limit=abc", NULL, NULL, 422, "invalid", NULL },
	{ "GET", ITEMS "?limit=-1", NULL, NULL, 422, "invalid", NULL },
	{ "DELETE", ITEMS "/" TARGET, NULL, NULL, 405, "method_not_allowed", NULL },
};

/* What a failed request might have touched, as one object. */
static json_t *snap(void)
{
	const char *paths[] = { ITEMS "/" TARGET, ITEMS "/" TARGET "?version=1",
				ITEMS "/11000206000" };
	json_t *s = json_pack("{s:o,s:i,s:i}", "list", list_all(admin, ITEMS), "new",
			      (json_int_t)get_status(admin, ITEMS "/" NEWCODE), "draft",
			      (json_int_t)get_status(admin, ITEMS "/" TARGET "?draft=true"));

	assert_non_null(s);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		json_object_set_new(s, paths[i], get_json(admin, paths[i]));
	return s;
}

/* NULL when field (or NULL) is one of the '|'-separated alternatives in want. */
static int field_ok(const char *field, const char *want)
{
	size_t fl = field ? strlen(field) : 0;

	if (!want)
		return 1;
	if (!field)
		return 0;
	for (const char *p = want; *p;) {
		size_t n = strcspn(p, "|");

		if (n == fl && strncmp(p, field, n) == 0)
			return 1;
		p += n + (p[n] == '|');
	}
	return 0;
}

/* Sends b with body text; 0 when answered as expected and nothing changed. */
static int check_raw(const struct bad *b, const char *body)
{
	json_t *before = snap(), *after;
	struct resp r;
	const char *why;
	int bad = 0;

	req(admin, b->method, b->path, body, NULL, &r);
	why = error_mismatch(&r, b->status, b->code, NULL);
	if (!why && !field_ok(resp_err_field(&r), b->field))
		why = "error.field";
	if (why) {
		print_mismatch(&r, why, b->status, b->code, b->field);
		bad = 1;
	}
	after = snap();
	if (!json_equal(before, after)) {
		fprintf(stderr, "MISMATCH %s: the failed request changed stored data\n", r.what);
		bad = 1;
	}
	resp_free(&r);
	json_decref(before);
	json_decref(after);
	return bad;
}

static int check(const struct bad *b)
{
	char *body = NULL;
	int bad;

	if (b->body && strcmp(b->method, "POST") == 0 && strcmp(b->path, ITEMS) == 0 &&
	    b->body[0] == '{' && strcmp(b->body, "{'code':") != 0) {	/* a merge row */
		char *t = tpl(b->body);
		json_t *mods = json_loads(t, 0, NULL), *base = item_body(NEWCODE, "坏事项");

		if (!mods)
			fail_at("bad table entry: %s", b->body);
		json_object_update(base, mods);
		if (b->del)
			json_object_del(base, b->del);
		body = json_dumps(base, JSON_COMPACT);
		json_decref(mods);
		json_decref(base);
		free(t);
	} else if (b->body) {
		body = tpl(b->body);
	}
	bad = check_raw(b, body);
	free(body);
	return bad;
}

static void run_table(const struct bad *t, size_t n)
{
	int bad = 0;

	for (size_t i = 0; i < n; i++)
		bad += check(&t[i]);
	if (bad)
		fail_at("%d of %zu bad requests were not answered as docs/api.md says", bad, n);
}

static void test_bad_post(void **state)
{
	(void)state;
	run_table(bad_post, sizeof(bad_post) / sizeof(bad_post[0]));
}

static void test_bad_other(void **state)
{
	(void)state;
	run_table(bad_other, sizeof(bad_other) / sizeof(bad_other[0]));
}

/* Names of 101 characters (item and material) are too long; 100 are fine. */
static void test_name_length(void **state)
{
	char name[101 * 3 + 1] = "";
	json_t *b, *m;
	char *body;
	struct resp r;
	const struct bad item = { "POST", ITEMS, NULL, NULL, 422, NULL, "name" };
	const struct bad mat = { "POST", ITEMS, NULL, NULL, 422, NULL, "materials[0].name" };
	int bad = 0;

	(void)state;
	for (int i = 0; i < 101; i++)
		strcat(name, "事");
	b = item_body(NEWCODE, name);
	body = json_dumps(b, JSON_COMPACT);
	bad += check_raw(&item, body);
	free(body);
	json_decref(b);
	b = item_body(NEWCODE, "正常名称");
	m = json_array_get(json_object_get(b, "materials"), 0);
	json_object_set_new(m, "name", json_string(name));
	body = json_dumps(b, JSON_COMPACT);
	bad += check_raw(&mat, body);
	free(body);
	name[100 * 3] = '\0';	/* 100 characters: accepted */
	json_object_set_new(m, "name", json_string(name));
	json_object_set_new(b, "name", json_string(name));
	req_json(admin, "POST", ITEMS, b, &r);
	expect_status(&r, 201);
	assert_string_equal(jstr(r.json, "name"), name);
	resp_free(&r);
	json_decref(b);
	if (bad)
		fail_at("%d name length checks failed", bad);
}

/* A retired item refuses edits and publishing; nothing changes. */
static void test_retired(void **state)
{
	static const struct bad rows[] = {
		{ "PATCH", ITEMS "/11009906000", "{'name':'停用后修改'}", NULL, 409, "item_retired", NULL },
		{ "PATCH", ITEMS "/11009906000/versions/1", "{'name':'停用后修改'}", NULL, 409, NULL, NULL },
		{ "POST", ITEMS "/11009906000/retire", NULL, NULL, 409, "item_retired", NULL },
		{ "POST", ITEMS "/11009906000/publish", NULL, NULL, 409, NULL, NULL },
	};
	int bad = 0;

	(void)state;
	item_create(admin, "11009906000", "待停用事项");
	item_action(admin, "11009906000", "publish");
	item_action(admin, "11009906000", "retire");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_t *before = get_json(admin, ITEMS "/11009906000"), *after;
		char *body = rows[i].body ? tpl(rows[i].body) : NULL;
		struct resp r;
		const char *why;

		req(admin, rows[i].method, rows[i].path, body, NULL, &r);
		why = error_mismatch(&r, rows[i].status, rows[i].code, NULL);
		if (why) {
			print_mismatch(&r, why, rows[i].status, rows[i].code, NULL);
			bad++;
		}
		after = get_json(admin, ITEMS "/11009906000");
		if (!json_equal(before, after)) {
			fprintf(stderr, "MISMATCH %s: changed the retired item\n", r.what);
			bad++;
		}
		resp_free(&r);
		free(body);
		json_decref(before);
		json_decref(after);
	}
	if (bad)
		fail_at("%d retired-item mismatches", bad);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_post),
		cmocka_unit_test(test_bad_other),
		cmocka_unit_test(test_name_length),
		cmocka_unit_test(test_retired),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("items_bad", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
