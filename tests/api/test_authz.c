/*
 * API tests: the authorization matrix (role x site relation -> status) and
 * listing scope (docs/api.md "Roles and scope").
 * Usage: api_test_authz <path to bangban>
 *
 * One user per role is created at township T (152502001000); each reads and
 * changes T (own), its village V (child), the sibling township S and the root R.
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

#include "harness.h"

#define PW "bangban-demo"
#define TPW "authz-pass-1"

enum { OWN, CHILD, SIBLING, PARENT, NTARGET };
static const char *const target_name[NTARGET] = { "own T", "child V", "sibling S", "parent R" };
static const char target_var[NTARGET] = { 'T', 'V', 'S', 'R' };

/* Expected statuses: GET /api/v1/sites/{id} and PATCH {"phone":...}. */
static const struct role_row {
	const char *role, *login;
	long read[NTARGET], change[NTARGET];
} matrix[] = {
	{ "agent",       "t-agent",       { 200, 200, 403, 403 }, { 403, 403, 403, 403 } },
	{ "web_agent",   "t-web-agent",   { 200, 200, 403, 403 }, { 403, 403, 403, 403 } },
	{ "clerk",       "t-clerk",       { 200, 200, 403, 403 }, { 403, 403, 403, 403 } },
	{ "approver",    "t-approver",    { 200, 200, 403, 403 }, { 403, 403, 403, 403 } },
	{ "coordinator", "t-coordinator", { 200, 200, 403, 403 }, { 403, 403, 403, 403 } },
	{ "auditor",     "t-auditor",     { 200, 200, 403, 403 }, { 403, 403, 403, 403 } },
	{ "admin",       "t-admin",       { 200, 200, 403, 403 }, { 200, 200, 403, 403 } },
};
#define NROLES (sizeof(matrix) / sizeof(matrix[0]))

static struct client *root;		/* demo admin at the city centre */
static struct client *tuser[NROLES];	/* signed-in users at T, in matrix order */
static json_t *all_sites, *all_windows, *all_users;

static int setup(void **state)
{
	struct resp r;
	char body[256];

	if (srv_group_setup(state))
		return -1;
	root = client_new(*state);
	login_ok(root, "admin", PW);
	all_sites = list_all(root, "/api/v1/sites");
	tvar_set('R', jint(jfind(all_sites, "code", "152502000000"), "id"));
	tvar_set('T', jint(jfind(all_sites, "code", "152502001000"), "id"));
	tvar_set('V', jint(jfind(all_sites, "code", "152502001001"), "id"));
	tvar_set('S', jint(jfind(all_sites, "code", "152502002000"), "id"));
	req(root, "GET", "/api/v1/departments", NULL, NULL, &r);
	expect_status(&r, 200);
	tvar_set('D', jint(json_array_get(json_object_get(r.json, "items"), 0), "id"));
	resp_free(&r);

	for (size_t i = 0; i < NROLES; i++) {
		int approver = strcmp(matrix[i].role, "approver") == 0;

		snprintf(body, sizeof(body), "{'login':'%s','name':'测试%s','role':'%s','site_id':$T,"
			 "'password':'" TPW "'%s}", matrix[i].login, matrix[i].role, matrix[i].role,
			 approver ? ",'department_id':$D" : "");
		reqt(root, "POST", "/api/v1/users", body, &r);
		expect_status(&r, 201);
		resp_free(&r);
		tuser[i] = client_new(*state);
		login_ok(tuser[i], matrix[i].login, TPW);
	}
	for (int t = 0; t < NTARGET; t++) {	/* windows: $W at T, $Y at V, $X at S, $Z at R */
		snprintf(body, sizeof(body), "{'site_id':$%c,'kind':'general','name':'综合受理'}",
			 target_var[t]);
		reqt(root, "POST", "/api/v1/windows", body, &r);
		expect_status(&r, 201);
		tvar_set("WYXZ"[t], jint(r.json, "id"));
		resp_free(&r);
	}
	reqt(root, "POST", "/api/v1/users", "{'login':'s-clerk','name':'楚古兰窗口','role':'clerk',"
	     "'site_id':$S,'password':'" TPW "'}", &r);
	expect_status(&r, 201);
	tvar_set('C', jint(r.json, "id"));
	resp_free(&r);
	all_windows = list_all(root, "/api/v1/windows");
	all_users = list_all(root, "/api/v1/users");
	tvar_set('G', jint(jfind(all_users, "login", "agent"), "id"));	/* demo agent at V */
	return 0;
}

static int teardown(void **state)
{
	for (size_t i = 0; i < NROLES; i++)
		client_free(tuser[i]);
	client_free(root);
	json_decref(all_sites);
	json_decref(all_windows);
	json_decref(all_users);
	return srv_group_teardown(state);
}

/* Fetches target t as root (the reference copy). */
static json_t *site_as_root(int t)
{
	char path[64];
	struct resp r;
	json_t *o;

	snprintf(path, sizeof(path), "/api/v1/sites/%lld", tvar(target_var[t]));
	req(root, "GET", path, NULL, NULL, &r);
	expect_status(&r, 200);
	o = json_incref(r.json);
	resp_free(&r);
	return o;
}

/* Sends one matrix request; returns the status, 0 if a 403 lacked code "forbidden". */
static long probe(struct client *c, const char *method, int t, const char *body)
{
	char path[64];
	struct resp r;
	long st;

	snprintf(path, sizeof(path), "/api/v1/sites/%lld", tvar(target_var[t]));
	st = req(c, method, path, body, NULL, &r);
	if (st == 403 && error_mismatch(&r, 403, "forbidden", NULL)) {
		print_mismatch(&r, "403 body", 403, "forbidden", NULL);
		st = 0;
	}
	resp_free(&r);
	return st;
}

static void test_site_matrix(void **state)
{
	long got[NROLES][2][NTARGET];
	json_t *before[NTARGET];
	int bad = 0;

	(void)state;
	for (int t = 0; t < NTARGET; t++)
		before[t] = site_as_root(t);
	for (size_t i = 0; i < NROLES; i++) {
		for (int t = 0; t < NTARGET; t++) {
			got[i][0][t] = probe(tuser[i], "GET", t, NULL);
			got[i][1][t] = probe(tuser[i], "PATCH", t, "{\"phone\":\"0479-1234567\"}");
		}
		for (int t = 0; t < NTARGET; t++) {	/* a refused change wrote nothing */
			json_t *now = site_as_root(t);

			if (matrix[i].change[t] != 200 && got[i][1][t] != 200 &&
			    !json_equal(now, before[t])) {
				fprintf(stderr, "MISMATCH %s: refused PATCH of %s changed it\n",
					matrix[i].role, target_name[t]);
				bad++;
			}
			json_decref(before[t]);
			before[t] = now;
		}
	}
	for (int t = 0; t < NTARGET; t++)
		json_decref(before[t]);

	printf("\nSite authorization matrix (users at T; each cell: GET PATCH; !=want):\n");
	printf("%-12s", "role");
	for (int t = 0; t < NTARGET; t++)
		printf(" | %-17s", target_name[t]);
	printf("\n");
	for (size_t i = 0; i < NROLES; i++) {
		printf("%-12s", matrix[i].role);
		for (int t = 0; t < NTARGET; t++) {
			char cell[2][24];

			for (int k = 0; k < 2; k++) {
				long want = k ? matrix[i].change[t] : matrix[i].read[t];

				if (got[i][k][t] == want)
					snprintf(cell[k], sizeof(cell[k]), "%ld", want);
				else
					snprintf(cell[k], sizeof(cell[k]), "%ld!=%ld", got[i][k][t], want);
				bad += got[i][k][t] != want;
			}
			printf(" | %-8s %-8s", cell[0], cell[1]);
		}
		printf("\n");
	}
	fflush(stdout);
	if (bad)
		fail_at("%d cells of the authorization matrix differ from docs/api.md", bad);
}

/* Whether site is V, or (whole_t) in T's subtree. */
static int in_subtree(long long site, int whole_t)
{
	json_t *s = jfind_id(all_sites, "id", site);

	if (site == tvar('V') || (whole_t && site == tvar('T')))
		return 1;
	return whole_t && s && json_integer_value(json_object_get(s, "parent_id")) == tvar('T');
}

/* Lists path as c and checks it holds exactly the items of ref whose key
 * (site_id, or id for sites) lies in T's subtree (whole_t) or is V. */
static int check_scope(struct client *c, const char *who, const char *path, json_t *ref,
		       const char *key, int whole_t)
{
	json_t *got = list_all(c, path), *e;
	size_t i, want = 0;
	int bad = 0;

	json_array_foreach(ref, i, e) {
		long long id = jint(e, "id");
		int should = in_subtree(jint(e, key), whole_t);

		want += should;
		if (should != (jfind_id(got, "id", id) != NULL)) {
			fprintf(stderr, "MISMATCH %s GET %s: id %lld %s\n", who, path, id,
				should ? "missing" : "listed but out of scope");
			bad++;
		}
	}
	if (!bad && json_array_size(got) != want) {
		fprintf(stderr, "MISMATCH %s GET %s: %zu items, want %zu\n", who, path,
			json_array_size(got), want);
		bad++;
	}
	json_decref(got);
	return bad;
}

/* GET path?site=V as root lists exactly the items of ref at V (a leaf). */
static int check_site_filter(const char *path, json_t *ref)
{
	char p[96];
	int bad;

	snprintf(p, sizeof(p), "%s?site=%lld", path, tvar('V'));
	bad = check_scope(root, "admin", p, ref, "site_id", 0);
	return bad;
}

static void test_list_scope(void **state)
{
	struct client *agent = client_new(*state);
	const char *district[] = { "admin", "coord", "auditor", "approver" };
	int bad = 0;

	assert_int_equal(json_array_size(all_sites), 12);
	for (size_t i = 0; i < NROLES; i++) {
		bad += check_scope(tuser[i], matrix[i].login, "/api/v1/sites", all_sites, "id", 1);
		bad += check_scope(tuser[i], matrix[i].login, "/api/v1/windows", all_windows, "site_id", 1);
		bad += check_scope(tuser[i], matrix[i].login, "/api/v1/users", all_users, "site_id", 1);
	}
	login_ok(agent, "agent", PW);
	bad += check_scope(agent, "agent", "/api/v1/sites", all_sites, "id", 0);
	bad += check_scope(agent, "agent", "/api/v1/windows", all_windows, "site_id", 0);
	bad += check_scope(agent, "agent", "/api/v1/users", all_users, "site_id", 0);
	for (size_t i = 0; i < 4; i++) {
		json_t *s;

		login_ok(agent, district[i], PW);
		s = list_all(agent, "/api/v1/sites");
		if (json_array_size(s) != 12) {
			fprintf(stderr, "MISMATCH %s GET /api/v1/sites: %zu sites, want all 12\n",
				district[i], json_array_size(s));
			bad++;
		}
		json_decref(s);
	}
	bad += check_site_filter("/api/v1/windows", all_windows);
	bad += check_site_filter("/api/v1/users", all_users);
	client_free(agent);
	if (bad)
		fail_at("%d listing scope mismatches", bad);
}

struct probe_row {
	int who;		/* index into matrix[] */
	const char *method, *path, *body;
	long status;		/* 403 means forbidden, and nothing written */
};

enum { TAGENT = 0, TCLERK = 2, TADMIN = 6 };	/* rows of matrix[] */
static const struct probe_row probes[] = {
	{ TCLERK, "GET", "/api/v1/users/$C", NULL, 403 },
	{ TCLERK, "GET", "/api/v1/departments", NULL, 200 },
	{ TCLERK, "POST", "/api/v1/users", "{'login':'x-by-clerk','name':'x','role':'clerk','site_id':$T,'password':'" TPW "'}", 403 },
	{ TCLERK, "POST", "/api/v1/windows", "{'site_id':$T,'kind':'general','name':'x'}", 403 },
	{ TCLERK, "POST", "/api/v1/sites", "{'parent_id':$T,'level':'village','name':'x','code':'152502001061'}", 403 },
	{ TADMIN, "POST", "/api/v1/users", "{'login':'s-by-tadmin','name':'x','role':'clerk','site_id':$S,'password':'" TPW "'}", 403 },
	{ TADMIN, "POST", "/api/v1/users", "{'login':'r-by-tadmin','name':'x','role':'clerk','site_id':$R,'password':'" TPW "'}", 403 },
	{ TADMIN, "POST", "/api/v1/users", "{'login':'v-by-tadmin','name':'x','role':'agent','site_id':$V,'password':'" TPW "'}", 201 },
	{ TADMIN, "PATCH", "/api/v1/users/$C", "{'name':'改名'}", 403 },
	{ TADMIN, "POST", "/api/v1/windows", "{'site_id':$S,'kind':'general','name':'x'}", 403 },
	{ TADMIN, "POST", "/api/v1/windows", "{'site_id':$V,'kind':'assisted','name':'帮办代办'}", 201 },
	{ TADMIN, "POST", "/api/v1/sites", "{'parent_id':$S,'level':'village','name':'x','code':'152502002060'}", 403 },
	{ TADMIN, "POST", "/api/v1/sites", "{'parent_id':$T,'level':'village','name':'新站','code':'152502001060'}", 201 },
	{ TADMIN, "POST", "/api/v1/departments", "{'code':'by_tadmin','name':'x'}", 403 },
	{ TADMIN, "GET", "/api/v1/departments", NULL, 200 },
	{ TADMIN, "PATCH", "/api/v1/departments/$D", "{'name':'改名'}", 403 },
	{ TADMIN, "PATCH", "/api/v1/users/$G", "{'site_id':$S}", 403 },
	{ TADMIN, "PATCH", "/api/v1/users/$G", "{'name':'改名的代办员'}", 200 },
	{ TADMIN, "PATCH", "/api/v1/windows/$X", "{'name':'x'}", 403 },
	{ TADMIN, "PATCH", "/api/v1/windows/$Z", "{'name':'x'}", 403 },
	{ TADMIN, "PATCH", "/api/v1/windows/$Y", "{'name':'村窗口'}", 200 },
	{ TCLERK, "PATCH", "/api/v1/windows/$W", "{'name':'x'}", 403 },
	{ TCLERK, "PATCH", "/api/v1/users/$G", "{'name':'x'}", 403 },
	{ TCLERK, "GET", "/api/v1/windows/$X", NULL, 403 },
	{ TCLERK, "GET", "/api/v1/windows/$Y", NULL, 200 },
	{ TCLERK, "GET", "/api/v1/users/$G", NULL, 200 },
	{ TAGENT, "GET", "/api/v1/departments/$D", NULL, 200 },
	{ -1, "POST", "/api/v1/departments", "{'code':'by_root','name':'区级部门'}", 201 },
};

static void test_write_scope(void **state)
{
	int bad = 0;

	(void)state;
	assert_string_equal(matrix[TAGENT].role, "agent");
	assert_string_equal(matrix[TCLERK].role, "clerk");
	assert_string_equal(matrix[TADMIN].role, "admin");
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		const struct probe_row *p = &probes[i];
		struct client *c = p->who < 0 ? root : tuser[p->who];
		const char *who = p->who < 0 ? "admin" : matrix[p->who].login;
		json_t *before = snapshot(root), *after;
		struct resp r;
		const char *why;

		reqt(c, p->method, p->path, p->body, &r);
		why = p->status == 403 ? error_mismatch(&r, 403, "forbidden", NULL)
				       : (r.status == p->status ? NULL : "status");
		if (why) {
			fprintf(stderr, "as %s:\n", who);
			print_mismatch(&r, why, p->status, p->status == 403 ? "forbidden" : NULL, NULL);
			bad++;
		}
		after = snapshot(root);
		if (p->status >= 400 && !json_equal(before, after)) {
			fprintf(stderr, "MISMATCH as %s %s: refused, yet data changed\n", who, r.what);
			bad++;
		}
		json_decref(before);
		json_decref(after);
		resp_free(&r);
	}
	if (bad)
		fail_at("%d write-scope mismatches", bad);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_site_matrix),
		cmocka_unit_test(test_list_scope),
		cmocka_unit_test(test_write_scope),
	};
	int rc;

	if (harness_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("authz", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
