/*
 * Helpers shared by the case (办件) API tests (test_cases_*.c, docs/api.md "Cases (办件)"):
 * the demo sites and staff, picking items through the API, valid applicants, case bodies,
 * actions, and the checks every case test makes.
 */
#ifndef BB_API_CASE_UTIL_H
#define BB_API_CASE_UTIL_H

#include <stddef.h>
#include <jansson.h>

#include "cat_util.h"

#define CASES "/api/v1/cases"

/* Demo division codes (docs/api.md, seed-demo). */
#define CITY_CODE "152502000000"
#define TOWN_CODE "152502001000"
#define VIL1_CODE "152502001001" /* agent */
#define VIL2_CODE "152502001002" /* agent2 */

/* Valid GB 11643 numbers and a valid phone. */
#define ID1 "11010519491231002X"
#define ID1_MASKED "110105********002X"
#define ID2 "440524188001010014"
#define PHONE1 "13812345678"
#define PHONE1_MASKED "138****5678"
#define NAME1 "苏和"
#define NAME1_MASKED "苏*"

/* Site ids of the demo tree, filled by cases_load_sites(). */
extern long long site_city, site_town, site_vil1, site_vil2;
/* Fills the site ids (as c, who must see the whole tree). */
void cases_load_sites(struct client *c);

/* The id of the user c is signed in as (GET /api/v1/me). */
long long me_id(struct client *c);
/* A new client signed in as login (password bangban-demo). */
struct client *as(struct srv *s, const char *login);

/* The GB 11643 check character for the first 17 digits of d. */
char id_check(const char *d17);
/* out (19 bytes) = the 17 digits + their check character. */
void id_make(const char *d17, char out[19]);

/* What an item must look like for a test (0 / NULL: any). */
struct item_want {
	const char *vil_mode;   /* the village (site_vil1) offers it in this mode */
	const char *town_mode;  /* the township offers it in this mode; "-accept": anything but accept */
	const char *department; /* department code */
	const char *case_type;  /* "immediate", or "-immediate" for anything else (not joint) */
	int min_days, max_days; /* promised_days range (max 0: any) */
};
/* The code (static buffer) of the first published item (by code) that fits; fails when none.
 * c must be able to read both sites' lists. */
const char *pick_item(struct client *c, const struct item_want *w);
/* GET /api/v1/items/{code} (published version, with materials). */
json_t *item_full(struct client *c, const char *code);
/* Ids of the item's materials: required ones (req=1) or conditional ones (req=0), into ids[]
 * (at most max); returns how many. */
size_t item_material_ids(const json_t *item, int req, long long *ids, size_t max);

/* "YYYY-MM-DD" of t (Unix seconds) in +08:00, plus days calendar days. out needs 11 bytes. */
void cn_date(long long t, int days, char out[11]);
/* Unix seconds of 10:00 +08:00 on date "YYYY-MM-DD". */
long long cn_ten_oclock(const char *date);
/* date plus days calendar days (may be negative). */
void date_shift(const char *date, int days, char out[11]);
/* GET /api/v1/calendar/add?from=&days= -> the date into out (11 bytes). */
void cal_add(struct client *c, const char *from, int days, char out[11]);

/*
 * A POST /api/v1/cases body for item code (item: its full JSON) with applicant NAME1/ID1/PHONE1
 * (id NULL: ID1), channel, an entrustment when entrust (signed yesterday, valid 90 days from
 * today), and materials: every required one except those listed in skip (nskip), plus none of
 * the conditional ones. A new reference.
 */
json_t *case_body(const char *code, const json_t *item, const char *id, const char *channel,
		  int entrust, long long today_unix, const long long *skip, size_t nskip);

/* POST /api/v1/cases as c with body, expecting 201: the case (new reference). */
#define case_create(c, body) case_create_at(__FILE__, __LINE__, (c), (body))
json_t *case_create_at(const char *file, int line, struct client *c, const json_t *body);
/* GET /api/v1/cases/{receipt} as c, expecting 200. */
#define case_get(c, receipt) case_get_at(__FILE__, __LINE__, (c), (receipt))
json_t *case_get_at(const char *file, int line, struct client *c, const char *receipt);

/* POST /api/v1/cases/{receipt}/actions/{action} with body (NULL: "{}"), If-Match when
 * if_match >= 0, Idempotency-Key when key. Fills r; returns the status. */
long case_act(struct client *c, const char *receipt, const char *action, const char *body,
	      long long if_match, const char *key, struct resp *r);
/* case_act that must answer 200 with a case: returns it (new reference). */
#define act_ok(c, receipt, action, body) act_ok_at(__FILE__, __LINE__, (c), (receipt), (action), (body))
json_t *act_ok_at(const char *file, int line, struct client *c, const char *receipt,
		  const char *action, const char *body);
/* The action must fail with 409 wrong_state and an `allowed` array in `error` that does not list
 * action (and lists must_list unless NULL); nothing may change (version, timeline). */
#define act_wrong_state(c, receipt, action, body, must_list) \
	act_wrong_state_at(__FILE__, __LINE__, (c), (receipt), (action), (body), (must_list))
void act_wrong_state_at(const char *file, int line, struct client *c, const char *receipt,
			const char *action, const char *body, const char *must_list);
/* The action must fail with status/code/field (NULL: any) and change nothing. */
#define act_error(c, receipt, action, body, status, code, field) \
	act_error_at(__FILE__, __LINE__, (c), (receipt), (action), (body), (status), (code), (field))
void act_error_at(const char *file, int line, struct client *c, const char *receipt,
		  const char *action, const char *body, long status, const char *code,
		  const char *field);

/*
 * Soft checks: the expect_* helpers below, act_error and act_wrong_state print "MISMATCH" with
 * the caller's location and carry on, so one run lists every difference from the contract; the
 * test then fails in its teardown. Register tests with case_test(f). (An action that should have
 * been refused but was done still fails at once: everything after would differ.)
 */
void soft_fail_at(const char *file, int line, const json_t *o, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define soft_fail(...) soft_fail_at(__FILE__, __LINE__, NULL, __VA_ARGS__)
int case_test_teardown(void **state);
/* Soft assertions. */
#define check(cond) do { if (!(cond)) soft_fail("check failed: %s", #cond); } while (0)
#define check_int(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ != b_) soft_fail("check failed: %s == %s (%lld != %lld)", #a, #b, a_, b_); } while (0)
#define case_test(f) cmocka_unit_test_teardown(f, case_test_teardown)

/* Checks (soft): print with the caller's location and the object. */
#define expect_str(o, key, want) expect_str_at(__FILE__, __LINE__, (o), (key), (want))
void expect_str_at(const char *file, int line, const json_t *o, const char *key, const char *want);
/* Integer member key equals want (want < 0 with null_ok: must be null). */
#define expect_int(o, key, want) expect_int_at(__FILE__, __LINE__, (o), (key), (want))
void expect_int_at(const char *file, int line, const json_t *o, const char *key, long long want);
#define expect_null(o, key) expect_null_at(__FILE__, __LINE__, (o), (key))
void expect_null_at(const char *file, int line, const json_t *o, const char *key);
/* status and holder (holder_user_id: -1 = null, -2 = do not check). */
#define expect_case(o, status, hsite, huser) \
	expect_case_at(__FILE__, __LINE__, (o), (status), (hsite), (huser))
void expect_case_at(const char *file, int line, const json_t *o, const char *status,
		    long long hsite, long long huser);
/* The timeline's actions are exactly acts (n of them), in order. */
#define expect_timeline(o, acts, n) expect_timeline_at(__FILE__, __LINE__, (o), (acts), (n))
void expect_timeline_at(const char *file, int line, const json_t *o, const char *const *acts,
			size_t n);
/* The last handoff goes from -> to, carries exactly the n material ids (mats NULL: not checked),
 * and was received (1) or not (0). Returns it. */
#define expect_handoff(o, from, to, mats, n, received) \
	expect_handoff_at(__FILE__, __LINE__, (o), (from), (to), (mats), (n), (received))
json_t *expect_handoff_at(const char *file, int line, const json_t *o, long long from,
			  long long to, const long long *mats, size_t n, int received);
/* accepted_on == want and deadline == calendar add(accepted_on, item.promised_days). */
#define expect_deadline(c, o, accepted_on) expect_deadline_at(__FILE__, __LINE__, (c), (o), (accepted_on))
void expect_deadline_at(const char *file, int line, struct client *c, const json_t *o,
			const char *accepted_on);
/* Whether json array a holds the string s / the integer v. */
int jarr_has_str(const json_t *a, const char *s);
int jarr_has_int(const json_t *a, long long v);
/* Prints "NOTE: ..." to stderr: behaviour the contract leaves open, recorded, not failed. */
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The raw body of r holds none of ID1, its birth date, PHONE1, NAME1 (soft check). */
void expect_no_pii(const struct resp *r);

/* Every receipt c lists (GET /api/v1/cases, all pages, with query q or NULL). */
#define list_receipts(c, q) list_receipts_at(__FILE__, __LINE__, (c), (q))
json_t *list_receipts_at(const char *file, int line, struct client *c, const char *q);

#endif
