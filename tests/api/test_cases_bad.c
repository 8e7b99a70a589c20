/*
 * API tests: bad input when opening a case (docs/api.md "Conventions", "Cases (办件)"): every
 * bad body is 422 with the field named, and nothing is written: ID numbers failing the
 * GB 11643 check, bad phones, unknown / retired / not offered items, an agent without an
 * entrustment, unknown materials and fields, missing fields.
 * Usage: api_test_cases_bad <path to bangban> <data/catalog dir>
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

#define NEW_ITEM "11009901000" /* published by setup, offered by no site */

static struct client *admin, *agent, *cityclerk;
static char relay[32];      /* village: collect, township: not accept, rs, not immediate */
static json_t *relay_item;  /* its full JSON */
static char retire_me[32];  /* an item the village offers; retired by test_bad_input */

static int setup(void **state)
{
	if (srv_group_setup(state))
		return -1;
	admin = as(*state, "admin");
	agent = as(*state, "agent");
	cityclerk = as(*state, "cityclerk");
	cases_load_sites(admin);
	snprintf(relay, sizeof relay, "%s",
		 pick_item(admin, &(struct item_want){ .vil_mode = "collect", .town_mode = "-accept",
						       .department = "rs", .case_type = "-immediate",
						       .min_days = 1 }));
	relay_item = item_full(admin, relay);
	snprintf(retire_me, sizeof retire_me, "%s",
		 pick_item(admin, &(struct item_want){ .vil_mode = "collect", .town_mode = "accept",
						       .case_type = "immediate" }));
	item_create(admin, NEW_ITEM, "测试事项（仅中心受理）");
	item_action(admin, NEW_ITEM, "publish");
	return 0;
}

static int teardown(void **state)
{
	struct client *all[] = { admin, agent, cityclerk };

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		client_free(all[i]);
	json_decref(relay_item);
	return srv_group_teardown(state);
}

/* One bad body: what to change in a valid one, and the error. */
enum bad_kind {
	BAD_CHECK_DIGIT, BAD_SHORT_ID, BAD_PHONE, BAD_PHONE_LEN, BAD_ITEM, BAD_NOT_OFFERED,
	BAD_RETIRED, BAD_NO_ENTRUST, BAD_MATERIAL, BAD_FIELD, BAD_APPLICANT_FIELD, BAD_NO_APPLICANT,
	BAD_CHANNEL, BAD_NO_ITEM, BAD_NO_SCOPE, BAD_KINDS
};

static json_t *bad_body(enum bad_kind k)
{
	json_t *b = case_body(relay, relay_item, NULL, "station", 1, time(NULL), NULL, 0);
	json_t *ap = json_object_get(b, "applicant");

	switch (k) {
	case BAD_CHECK_DIGIT:
		json_object_set_new(ap, "id_number", json_string("110105194912310021"));
		break;
	case BAD_SHORT_ID:
		json_object_set_new(ap, "id_number", json_string("11010519491231002"));
		break;
	case BAD_PHONE:
		json_object_set_new(ap, "phone", json_string("12812345678"));
		break;
	case BAD_PHONE_LEN:
		json_object_set_new(ap, "phone", json_string("1381234567"));
		break;
	case BAD_ITEM:
		json_object_set_new(b, "item", json_string("99999999999"));
		break;
	case BAD_NOT_OFFERED:
		json_object_set_new(b, "item", json_string(NEW_ITEM));
		json_object_set_new(b, "materials", json_array());
		break;
	case BAD_RETIRED:
		json_object_set_new(b, "item", json_string(retire_me));
		json_object_set_new(b, "materials", json_array());
		break;
	case BAD_NO_ENTRUST:
		json_object_del(b, "entrustment");
		break;
	case BAD_MATERIAL:
		json_array_insert_new(json_object_get(b, "materials"), 0,
				      json_pack("{s:i,s:b}", "material", 999999, "received", 1));
		break;
	case BAD_FIELD:
		json_object_set_new(b, "colour", json_string("red"));
		break;
	case BAD_APPLICANT_FIELD:
		json_object_set_new(ap, "nickname", json_string("小苏"));
		break;
	case BAD_NO_APPLICANT:
		json_object_del(b, "applicant");
		break;
	case BAD_CHANNEL:
		json_object_set_new(b, "channel", json_string("fax"));
		break;
	case BAD_NO_ITEM:
		json_object_del(b, "item");
		break;
	case BAD_NO_SCOPE:
		json_object_del(json_object_get(b, "entrustment"), "scope");
		break;
	case BAD_KINDS:
		break;
	}
	return b;
}

static void test_bad_input(void **state)
{
	static const struct {
		enum bad_kind k;
		const char *code, *field;
	} bad[] = {
		{ BAD_CHECK_DIGIT, NULL, "applicant.id_number" },
		{ BAD_SHORT_ID, NULL, "applicant.id_number" },
		{ BAD_PHONE, NULL, "applicant.phone" },
		{ BAD_PHONE_LEN, NULL, "applicant.phone" },
		{ BAD_ITEM, NULL, "item" },
		{ BAD_NOT_OFFERED, NULL, "item" },
		{ BAD_RETIRED, NULL, "item" },
		{ BAD_NO_ENTRUST, "missing_field", "entrustment" },
		{ BAD_MATERIAL, NULL, "materials[0].material" },
		{ BAD_FIELD, "unknown_field", "colour" },
		{ BAD_APPLICANT_FIELD, "unknown_field", "applicant.nickname" },
		{ BAD_NO_APPLICANT, "missing_field", "applicant" },
		{ BAD_CHANNEL, NULL, "channel" },
		{ BAD_NO_ITEM, "missing_field", "item" },
		{ BAD_NO_SCOPE, "missing_field", "entrustment.scope" },
	};
	json_t *before = list_receipts(cityclerk, NULL), *after;
	int failed = 0;

	(void)state;
	item_action(admin, retire_me, "retire");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *b = bad_body(bad[i].k);
		struct resp r;
		const char *why;

		req_json(agent, "POST", CASES, b, &r);
		json_decref(b);
		why = error_mismatch(&r, 422, bad[i].code, bad[i].field);
		if (why) {
			print_mismatch(&r, why, 422, bad[i].code, bad[i].field);
			failed++;
		}
		resp_free(&r);
	}
	after = list_receipts(cityclerk, NULL);
	if (!json_equal(before, after))
		soft_fail("bad input wrote cases: %zu before, %zu after", json_array_size(before),
			json_array_size(after));
	json_decref(before);
	json_decref(after);
	if (failed)
		soft_fail("%d bad bodies were not answered as documented (MISMATCH lines above)", failed);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		case_test(test_bad_input),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("cases_bad", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
