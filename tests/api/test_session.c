/*
 * API tests: health, version, request ids, sign-in, /me, CSRF, sign-out and
 * sign-in rate limits (docs/api.md "Session", "Conventions").
 * Usage: api_test_session <path to bangban>
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

static void test_health_and_version(void **state)
{
	struct client *c = client_new(*state);
	struct resp r;

	req(c, "GET", "/healthz", NULL, NULL, &r);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "status"), "ok");
	resp_free(&r);

	req(c, "GET", "/api/v1/version", NULL, NULL, &r);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "name"), "bangban");
	assert_string_equal(jstr(r.json, "version"), "0.1.0");
	assert_true(jint(r.json, "schema") > 0);
	resp_free(&r);
	client_free(c);
}

/* Every response has X-Request-Id (req() checks that); a sane one is echoed. */
static void test_request_id(void **state)
{
	struct client *c = client_new(*state);
	const char *sane[] = { "X-Request-Id: abc-123", NULL };
	const char *insane[] = { "X-Request-Id: bad id <script>", NULL };
	char long_hdr[96];
	const char *long_id[] = { long_hdr, NULL };
	const char *paths[] = { "/healthz", "/api/v1/me", "/api/v1/no-such-thing" };
	struct resp r;

	snprintf(long_hdr, sizeof(long_hdr), "X-Request-Id: %065d", 7);	/* 65 characters */
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		req(c, "GET", paths[i], NULL, sane, &r);
		assert_string_equal(resp_header(&r, "X-Request-Id"), "abc-123");
		resp_free(&r);
	}
	req(c, "POST", "/api/v1/session", "{\"login\":\"x\"", sane, &r);
	assert_string_equal(resp_header(&r, "X-Request-Id"), "abc-123");
	resp_free(&r);

	req(c, "GET", "/healthz", NULL, insane, &r);
	assert_string_not_equal(resp_header(&r, "X-Request-Id"), "bad id <script>");
	resp_free(&r);
	req(c, "GET", "/healthz", NULL, long_id, &r);	/* too long: not echoed */
	assert_string_not_equal(resp_header(&r, "X-Request-Id"), long_hdr + strlen("X-Request-Id: "));
	resp_free(&r);
	snprintf(long_hdr, sizeof(long_hdr), "X-Request-Id: a._-%060d", 9);	/* 64: echoed */
	req(c, "GET", "/healthz", NULL, long_id, &r);
	assert_string_equal(resp_header(&r, "X-Request-Id"), long_hdr + strlen("X-Request-Id: "));
	resp_free(&r);
	client_free(c);
}

static void assert_no_secret(const struct resp *r)
{
	assert_null(strstr(r->body, "password"));
	assert_null(strstr(r->body, PW));
	assert_null(strstr(r->body, "hash"));
}

static void test_sign_in(void **state)
{
	struct client *c = client_new(*state);
	struct resp r;
	const char *ck;
	json_t *u;

	req(c, "POST", "/api/v1/session", "{\"login\":\"agent\",\"password\":\"" PW "\"}", NULL, &r);
	expect_status(&r, 200);
	u = json_object_get(r.json, "user");
	assert_true(json_is_object(u));
	assert_true(jint(u, "id") > 0);
	assert_string_equal(jstr(u, "login"), "agent");
	assert_string_equal(jstr(u, "role"), "agent");
	assert_non_null(jstr(u, "name"));
	assert_true(jint(u, "site_id") > 0);
	assert_true(json_is_null(json_object_get(u, "department_id")));
	assert_non_null(jstr(r.json, "csrf"));
	assert_true(strlen(jstr(r.json, "csrf")) >= 16);
	assert_no_secret(&r);

	ck = resp_cookie(&r, "bb_session");
	if (!ck)
		fail_at("sign-in response has no Set-Cookie: bb_session=...");
	assert_true(strlen(ck) > strlen("bb_session=") + 16);
	assert_non_null(strcasestr(ck, "HttpOnly"));
	assert_non_null(strcasestr(ck, "SameSite=Strict"));
	assert_non_null(strcasestr(ck, "Path=/"));
	assert_null(strcasestr(ck, "Secure"));	/* only with --secure-cookies */
	assert_null(strstr(ck, PW));
	resp_free(&r);
	client_free(c);
}

static void test_bad_credentials(void **state)
{
	struct client *c = client_new(*state);
	struct resp r;

	reqt(c, "POST", "/api/v1/session", "{'login':'auditor','password':'not-the-password'}", &r);
	expect_error(&r, 401, "bad_credentials", NULL);
	assert_null(resp_cookie(&r, "bb_session"));
	resp_free(&r);
	reqt(c, "POST", "/api/v1/session", "{'login':'nobody-here','password':'" PW "'}", &r);
	expect_error(&r, 401, "bad_credentials", NULL);
	resp_free(&r);
	req(c, "GET", "/api/v1/me", NULL, NULL, &r);
	expect_error(&r, 401, "unauthenticated", NULL);
	resp_free(&r);
	client_free(c);
}

static void test_me(void **state)
{
	struct client *c = client_new(*state), *anon = client_new(*state);
	struct resp r;
	json_t *path, *site, *last;

	req(anon, "GET", "/api/v1/me", NULL, NULL, &r);
	expect_error(&r, 401, "unauthenticated", NULL);
	resp_free(&r);
	req(anon, "GET", "/api/v1/sites", NULL, NULL, &r);
	expect_error(&r, 401, "unauthenticated", NULL);
	resp_free(&r);

	login_ok(c, "agent", PW);
	req(c, "GET", "/api/v1/me", NULL, NULL, &r);
	expect_status(&r, 200);
	assert_string_equal(jstr(json_object_get(r.json, "user"), "login"), "agent");
	site = json_object_get(r.json, "site");
	assert_string_equal(jstr(site, "code"), "152502001001");
	assert_string_equal(jstr(site, "level"), "village");
	assert_int_equal(jint(site, "id"), jint(json_object_get(r.json, "user"), "site_id"));
	path = json_object_get(r.json, "path");
	assert_int_equal(json_array_size(path), 3);
	assert_string_equal(jstr(json_array_get(path, 0), "level"), "district");
	assert_string_equal(jstr(json_array_get(path, 0), "name"), "锡林浩特市政务服务中心");
	assert_string_equal(jstr(json_array_get(path, 1), "level"), "township");
	assert_string_equal(jstr(json_array_get(path, 1), "name"), "希日塔拉街道便民服务中心");
	last = json_array_get(path, 2);
	assert_int_equal(jint(last, "id"), jint(site, "id"));
	assert_string_equal(jstr(last, "level"), "village");
	assert_non_null(jstr(r.json, "csrf"));
	assert_no_secret(&r);
	resp_free(&r);

	login_ok(anon, "admin", PW);
	req(anon, "GET", "/api/v1/me", NULL, NULL, &r);
	expect_status(&r, 200);
	path = json_object_get(r.json, "path");
	assert_int_equal(json_array_size(path), 1);
	assert_int_equal(jint(json_array_get(path, 0), "id"),
			 jint(json_object_get(r.json, "site"), "id"));
	assert_string_equal(jstr(json_object_get(r.json, "site"), "code"), "152502000000");
	resp_free(&r);
	client_free(c);
	client_free(anon);
}

static void test_csrf(void **state)
{
	struct client *c = client_new(*state);
	const char *wrong[] = { "X-CSRF-Token: wrong-token-0123456789", NULL };
	const char *empty[] = { "X-CSRF-Token;", NULL };	/* curl: empty value */
	char path[64], hdr[600];
	const char *me_csrf[] = { hdr, NULL };
	struct resp r;
	char *before;

	login_ok(c, "admin", PW);
	req(c, "GET", "/api/v1/me", NULL, NULL, &r);
	expect_status(&r, 200);
	snprintf(path, sizeof(path), "/api/v1/sites/%lld",
		 jint(json_object_get(r.json, "site"), "id"));
	snprintf(hdr, sizeof(hdr), "X-CSRF-Token: %s", jstr(r.json, "csrf"));
	resp_free(&r);
	req(c, "GET", path, NULL, NULL, &r);
	expect_status(&r, 200);
	before = strdup(r.body);
	assert_non_null(before);
	resp_free(&r);

	client_auto_csrf(c, 0);
	req(c, "PATCH", path, "{\"phone\":\"0479-1234567\"}", NULL, &r);
	expect_error(&r, 403, "csrf", NULL);
	resp_free(&r);
	req(c, "PATCH", path, "{\"phone\":\"0479-1234567\"}", wrong, &r);
	expect_error(&r, 403, "csrf", NULL);
	resp_free(&r);
	req(c, "PATCH", path, "{\"phone\":\"0479-1234567\"}", empty, &r);
	expect_error(&r, 403, "csrf", NULL);
	resp_free(&r);
	req(c, "POST", "/api/v1/departments", "{\"code\":\"csrf_x\",\"name\":\"x\"}", NULL, &r);
	expect_error(&r, 403, "csrf", NULL);
	resp_free(&r);
	req(c, "GET", path, NULL, NULL, &r);	/* nothing written */
	assert_string_equal(r.body, before);
	resp_free(&r);

	req(c, "PATCH", path, "{\"phone\":\"0479-1234567\"}", me_csrf, &r);	/* /me's token */
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "phone"), "0479-1234567");
	resp_free(&r);
	client_auto_csrf(c, 1);
	req(c, "PATCH", path, "{\"phone\":\"0479-7654321\"}", NULL, &r);	/* sign-in's token */
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "phone"), "0479-7654321");
	resp_free(&r);
	req(c, "GET", path, NULL, NULL, &r);
	assert_string_equal(jstr(r.json, "phone"), "0479-7654321");
	resp_free(&r);
	free(before);
	client_free(c);
}

static void test_sign_out(void **state)
{
	struct client *c = client_new(*state), *thief = client_new(*state);
	char cookie[600];
	const char *steal[] = { cookie, NULL };
	const char *ck, *end;
	struct resp r;

	req(c, "POST", "/api/v1/session", "{\"login\":\"clerk\",\"password\":\"" PW "\"}", NULL, &r);
	expect_status(&r, 200);
	ck = resp_cookie(&r, "bb_session");
	assert_non_null(ck);
	end = strchr(ck, ';');
	snprintf(cookie, sizeof(cookie), "Cookie: %.*s", (int)(end ? (size_t)(end - ck) : strlen(ck)), ck);
	resp_free(&r);
	login(c, "clerk", PW);	/* again, so the client holds a token */

	req(thief, "GET", "/api/v1/me", NULL, steal, &r);	/* the first cookie works */
	expect_status(&r, 200);
	resp_free(&r);

	client_auto_csrf(c, 0);
	req(c, "DELETE", "/api/v1/session", NULL, NULL, &r);
	expect_error(&r, 403, "csrf", NULL);
	resp_free(&r);
	req(c, "GET", "/api/v1/me", NULL, NULL, &r);
	expect_status(&r, 200);
	resp_free(&r);

	client_auto_csrf(c, 1);
	req(c, "DELETE", "/api/v1/session", NULL, NULL, &r);
	expect_status(&r, 204);
	ck = resp_cookie(&r, "bb_session");
	if (!ck || !(ck[strlen("bb_session=")] == ';' || !ck[strlen("bb_session=")] ||
		     strcasestr(ck, "Max-Age=0") || strstr(ck, "1970")))
		fail_at("DELETE /api/v1/session: no Set-Cookie clearing bb_session (got %s)",
			ck ? ck : "none");
	resp_free(&r);
	req(c, "GET", "/api/v1/me", NULL, NULL, &r);
	expect_error(&r, 401, "unauthenticated", NULL);
	resp_free(&r);

	/* The first session is separate and still valid; sign it out too, then reuse it. */
	req(thief, "GET", "/api/v1/me", NULL, steal, &r);
	expect_status(&r, 200);
	{
		char tok[600];
		const char *h[] = { cookie, tok, NULL };

		snprintf(tok, sizeof(tok), "X-CSRF-Token: %s", jstr(r.json, "csrf"));
		resp_free(&r);
		req(thief, "DELETE", "/api/v1/session", NULL, h, &r);
		expect_status(&r, 204);
		resp_free(&r);
	}
	req(thief, "GET", "/api/v1/me", NULL, steal, &r);
	expect_error(&r, 401, "unauthenticated", NULL);
	resp_free(&r);
	client_free(c);
	client_free(thief);
}

/* The sign-in body follows the field rules; sign-in is exempt from CSRF. */
static void test_sign_in_input(void **state)
{
	struct client *c = client_new(*state);
	struct resp r;

	reqt(c, "POST", "/api/v1/session", "{'login':'agent'}", &r);
	expect_error(&r, 422, "missing_field", "password");
	resp_free(&r);
	reqt(c, "POST", "/api/v1/session", "{'login':5,'password':'x'}", &r);
	expect_error(&r, 422, "wrong_type", "login");
	resp_free(&r);
	reqt(c, "POST", "/api/v1/session", "{'login':'agent','password':'" PW "','remember':true}", &r);
	expect_error(&r, 422, "unknown_field", "remember");
	resp_free(&r);
	req(c, "POST", "/api/v1/session", "[\"agent\"]", NULL, &r);
	expect_error(&r, 422, "wrong_type", NULL);
	resp_free(&r);

	login_ok(c, "agent", PW);
	client_auto_csrf(c, 0);	/* signed in, no token: sign-in again still works */
	assert_int_equal(login(c, "agent2", PW), 200);
	client_free(c);
}

/* Mutations without a session are 401 unauthenticated, not 403 csrf. */
static void test_unauthenticated_mutation(void **state)
{
	struct client *c = client_new(*state);
	struct resp r;

	req(c, "POST", "/api/v1/departments", "{\"code\":\"anon\",\"name\":\"x\"}", NULL, &r);
	expect_error(&r, 401, "unauthenticated", NULL);
	resp_free(&r);
	req(c, "PATCH", "/api/v1/sites/1", "{\"phone\":\"1\"}", NULL, &r);
	expect_error(&r, 401, "unauthenticated", NULL);
	resp_free(&r);
	req(c, "DELETE", "/api/v1/session", NULL, NULL, &r);
	expect_error(&r, 401, "unauthenticated", NULL);
	resp_free(&r);
	client_free(c);
}

static const char *const secure_args[] = { "--secure-cookies", NULL };

static int secure_setup(void **state)
{
	*state = srv_start_args(secure_args);
	return *state ? 0 : -1;
}

/* Own server with --secure-cookies: the session cookie is Secure. */
static void test_secure_cookie(void **state)
{
	struct client *c = client_new(*state);
	struct resp r;
	const char *ck;

	reqt(c, "POST", "/api/v1/session", "{'login':'agent','password':'" PW "'}", &r);
	expect_status(&r, 200);
	ck = resp_cookie(&r, "bb_session");
	assert_non_null(ck);
	assert_non_null(strcasestr(ck, "; Secure"));
	assert_non_null(strcasestr(ck, "HttpOnly"));
	assert_non_null(strcasestr(ck, "SameSite=Strict"));
	resp_free(&r);
	client_free(c);
}

static long retry_after(const struct resp *r)
{
	const char *v = resp_header(r, "Retry-After");
	char *end;
	long n;

	if (!v)
		fail_at("%s: 429 without Retry-After", r->what);
	n = strtol(v, &end, 10);
	if (end == v || *end)
		fail_at("%s: Retry-After \"%s\" is not a number of seconds", r->what, v);
	return n;
}

/* Own server: 5 failures for one login block that login, not the address. */
static void test_rate_limit_login(void **state)
{
	struct client *c = client_new(*state);
	struct resp r;

	for (int i = 0; i < 5; i++) {
		reqt(c, "POST", "/api/v1/session", "{'login':'coord','password':'wrong-password'}", &r);
		expect_error(&r, 401, "bad_credentials", NULL);
		resp_free(&r);
	}
	reqt(c, "POST", "/api/v1/session", "{'login':'coord','password':'" PW "'}", &r);
	expect_error(&r, 429, "rate_limited", NULL);
	assert_true(retry_after(&r) > 0);
	assert_null(resp_cookie(&r, "bb_session"));
	resp_free(&r);
	reqt(c, "POST", "/api/v1/session", "{'login':'coord','password':'wrong-password'}", &r);
	expect_error(&r, 429, "rate_limited", NULL);
	resp_free(&r);

	assert_int_equal(login(c, "approver", PW), 200);	/* same address, other login */
	client_free(c);
}

/* Own server: 20 failures from one address block every login from it. */
static void test_rate_limit_address(void **state)
{
	struct client *c = client_new(*state);
	char body[128];
	struct resp r;

	for (int i = 0; i < 20; i++) {
		snprintf(body, sizeof(body), "{\"login\":\"nobody%d\",\"password\":\"wrong-pw\"}", i / 2);
		req(c, "POST", "/api/v1/session", body, NULL, &r);
		expect_error(&r, 401, "bad_credentials", NULL);
		resp_free(&r);
	}
	reqt(c, "POST", "/api/v1/session", "{'login':'agent2','password':'" PW "'}", &r);
	expect_error(&r, 429, "rate_limited", NULL);
	assert_true(retry_after(&r) > 0);
	resp_free(&r);
	client_free(c);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest session[] = {
		cmocka_unit_test(test_health_and_version),
		cmocka_unit_test(test_request_id),
		cmocka_unit_test(test_sign_in),
		cmocka_unit_test(test_bad_credentials),
		cmocka_unit_test(test_sign_in_input),
		cmocka_unit_test(test_unauthenticated_mutation),
		cmocka_unit_test(test_me),
		cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_sign_out),
	};
	const struct CMUnitTest login_limit[] = { cmocka_unit_test(test_rate_limit_login) };
	const struct CMUnitTest address_limit[] = { cmocka_unit_test(test_rate_limit_address) };
	const struct CMUnitTest secure[] = { cmocka_unit_test(test_secure_cookie) };
	int rc;

	if (harness_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("session", session, srv_group_setup, srv_group_teardown);
	rc += cmocka_run_group_tests_name("rate_limit_login", login_limit, srv_group_setup,
					  srv_group_teardown);
	rc += cmocka_run_group_tests_name("rate_limit_address", address_limit, srv_group_setup,
					  srv_group_teardown);
	rc += cmocka_run_group_tests_name("secure_cookies", secure, secure_setup,
					  srv_group_teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
