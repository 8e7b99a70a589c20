/*
 * API tests: Idempotency-Key on POSTs outside the cases API (docs/api.md "Conventions"): a retry
 * with the same key and body gets the first answer and changes nothing more; the same key with
 * another body is 422 idempotency_mismatch; keys are per user.
 * Usage: api_test_idempotency <path to bangban>
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"

#define PW "bangban-demo"

static void test_sites_post_retry(void **state)
{
	struct client *admin = client_new(*state), *tadmin = client_new(*state);
	struct resp r;
	const char *key[] = {"Idempotency-Key: site-retry-1", NULL};
	const char *body = "{\"parent_id\":2,\"level\":\"village\",\"name\":\"重试社区便民服务站\","
			   "\"code\":\"152502001077\"}";
	json_t *before, *after;
	long long id;

	login_ok(admin, "admin", PW);
	before = list_all(admin, "/api/v1/sites");
	req(admin, "POST", "/api/v1/sites", body, key, &r);
	expect_status(&r, 201);
	id = jint(r.json, "id");
	resp_free(&r);
	req(admin, "POST", "/api/v1/sites", body, key, &r); /* the answer was lost: retry */
	expect_status(&r, 201);
	if (jint(r.json, "id") != id)
		fail_at("retry made another site: %lld then %lld", id, jint(r.json, "id"));
	resp_free(&r);
	after = list_all(admin, "/api/v1/sites");
	assert_int_equal(json_array_size(after), json_array_size(before) + 1);
	json_decref(after);

	req(admin, "POST", "/api/v1/sites",
	    "{\"parent_id\":2,\"level\":\"village\",\"name\":\"另一个\",\"code\":\"152502001078\"}", key,
	    &r);
	expect_error(&r, 422, "idempotency_mismatch", NULL);
	resp_free(&r);
	after = list_all(admin, "/api/v1/sites");
	assert_int_equal(json_array_size(after), json_array_size(before) + 1); /* nothing written */
	json_decref(after);

	/* keys belong to their user: the same key from someone else is a new request */
	login_ok(tadmin, "tadmin", PW);
	req(tadmin, "POST", "/api/v1/sites",
	    "{\"parent_id\":2,\"level\":\"village\",\"name\":\"乡镇新建\",\"code\":\"152502001079\"}", key,
	    &r);
	expect_status(&r, 201);
	resp_free(&r);
	json_decref(before);
	client_free(admin);
	client_free(tadmin);
}

static void test_item_publish_retry(void **state)
{
	struct client *admin = client_new(*state);
	struct resp r;
	const char *k1[] = {"Idempotency-Key: item-create-1", NULL};
	const char *k2[] = {"Idempotency-Key: item-publish-1", NULL};
	const char *item = "{\"code\":\"11009977000\",\"name\":\"幂等测试事项\",\"domain\":\"其他\","
			   "\"department\":\"mz\",\"level\":\"township\",\"case_type\":\"promised\","
			   "\"statutory_days\":10,\"promised_days\":5,\"legal_basis\":\"《某条例》第一条\","
			   "\"materials\":[{\"name\":\"申请书\",\"form\":\"original\",\"copies\":1}]}";

	login_ok(admin, "admin", PW);
	req(admin, "POST", "/api/v1/items", item, k1, &r);
	expect_status(&r, 201);
	resp_free(&r);
	req(admin, "POST", "/api/v1/items", item, k1, &r); /* not 409 conflict: the same answer */
	expect_status(&r, 201);
	resp_free(&r);
	req(admin, "POST", "/api/v1/items/11009977000/publish", NULL, k2, &r);
	expect_status(&r, 200);
	assert_int_equal(jint(r.json, "version"), 1);
	resp_free(&r);
	req(admin, "POST", "/api/v1/items/11009977000/publish", NULL, k2, &r); /* not 409 no_draft */
	expect_status(&r, 200);
	assert_int_equal(jint(r.json, "version"), 1);
	resp_free(&r);
	client_free(admin);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sites_post_retry),
		cmocka_unit_test(test_item_publish_retry),
	};
	int rc;

	if (harness_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("idempotency", tests, srv_group_setup, srv_group_teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
