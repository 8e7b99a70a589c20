/* test_desk.c - the complaint answer clock across the 2026 National Day holiday (国庆 10-01..07,
 * make-up workday 10-10), overdue state and alerts; API keys stored only as digests, refused
 * once revoked; home visit input checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "calendar/calendar.h"
#include "cases/pii.h"
#include "core/clock.h"
#include "front/apikeys.h"
#include "front/complaints.h"
#include "front/visits.h"
#include "testdb.h"

static struct testdb tmpl;
static struct workday_cal *cal;

static enum bb_err load_calendar(struct store_tx *tx, void *arg)
{
    return calendar_load(tx, arg);
}

static int group_setup(void **state)
{
    (void)state;
    if (testdb_template_holidays(&tmpl))
        return -1;
    pii_key_set_for_tests();
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    testdb_close(&tmpl);
    return 0;
}

static int setup(void **state)
{
    struct testdb *t = calloc(1, sizeof *t);
    if (!t || testdb_open_copy(t, tmpl.path) || store_read(t->st, load_calendar, &cal)) {
        if (t)
            testdb_close(t);
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    clock_set_offset(0);
    workday_cal_free(cal);
    cal = NULL;
    testdb_close(*state);
    free(*state);
    return 0;
}

static int D(const char *s)
{
    int day = 0;
    if (workday_parse(s, &day))
        fail_msg("bad test date '%s'", s);
    return day;
}

/* "Now" is 10:00 China time on date. */
static void set_today(const char *date)
{
    clock_set_offset(0);
    clock_set_offset((int64_t)D(date) * 86400 + 2 * 3600 - clock_now());
    assert_int_equal(desk_today(), D(date));
}

static struct actor actor(struct testdb *t, const char *login)
{
    struct actor a;
    if (testdb_actor(t, login, &a))
        fail_msg("no user %s", login);
    return a;
}

/* --- complaints --- */

static void test_due_across_holiday(void **state)
{
    (void)state;
    char due[WORKDAY_DATE_LEN];
    /* Wed 09-30: 10-01..07 off; 10-08 Thu 1, 10-09 Fri 2, 10-10 Sat (调休) 3, 10-12 4, 10-13 5 */
    assert_int_equal(complaint_due(cal, D("2026-09-30"), 5, due), BB_OK);
    assert_string_equal(due, "2026-10-13");
    /* an ordinary week: Mon 11-02 + 5 = Mon 11-09 */
    assert_int_equal(complaint_due(cal, D("2026-11-02"), 5, due), BB_OK);
    assert_string_equal(due, "2026-11-09");
    assert_string_equal(complaint_state("open", "2026-10-13", D("2026-10-13")), "normal");
    assert_string_equal(complaint_state("assigned", "2026-10-13", D("2026-10-14")), "overdue");
    assert_string_equal(complaint_state("open", "2026-10-13", D("2026-10-14")), "overdue");
    assert_string_equal(complaint_state("answered", "2026-10-13", D("2026-11-30")), "normal");
    assert_string_equal(complaint_state("closed", "2026-10-13", D("2026-11-30")), "normal");
}

struct file_call {
    const struct actor *a;
    struct complaint_in in;
    int64_t id;
    char code[COMPLAINT_CODE_LEN];
    const char *field;
    json_t *out, *alerts;
};

static enum bb_err file_fn(struct store_tx *tx, void *arg)
{
    struct file_call *c = arg;
    return complaint_create(tx, c->a, &c->in, &c->id, c->code, &c->field);
}

static enum bb_err get_fn(struct store_tx *tx, void *arg)
{
    struct file_call *c = arg;
    json_decref(c->out);
    c->out = NULL;
    return complaint_get(tx, c->a, c->id, &c->out);
}

static enum bb_err alerts_fn(struct store_tx *tx, void *arg)
{
    struct file_call *c = arg;
    json_decref(c->alerts);
    c->alerts = json_array();
    return complaint_alerts(tx, c->a, c->alerts);
}

static void test_complaint_clock_in_db(void **state)
{
    struct testdb *t = *state;
    struct actor clerk = actor(t, "clerk"), admin = actor(t, "admin"), agent2 = actor(t, "agent2");
    set_today("2026-09-30");
    struct file_call c = {.a = &clerk, .in = {.name = "苏和", .phone = "13812345678",
                                              .description = "社保卡办不了", .source = "window"}};
    assert_int_equal(store_write(t->st, file_fn, &c), BB_OK);
    assert_int_equal(strlen(c.code), 8);
    assert_int_equal(store_read(t->st, get_fn, &c), BB_OK);
    assert_string_equal(json_string_value(json_object_get(c.out, "opened_on")), "2026-09-30");
    assert_string_equal(json_string_value(json_object_get(c.out, "due")), "2026-10-13");
    assert_string_equal(json_string_value(json_object_get(c.out, "state")), "normal");
    assert_string_equal(json_string_value(json_object_get(c.out, "name")), "苏*");
    assert_string_equal(json_string_value(json_object_get(c.out, "phone")), "138****5678");
    /* the phone is stored sealed, never in clear */
    assert_int_equal(testdb_int(t, "SELECT count(*) FROM complaints WHERE phone_sealed LIKE "
                                   "'%' || ? || '%'", "13812345678"), 0);

    set_today("2026-10-13"); /* the last day: still in time */
    assert_int_equal(store_read(t->st, get_fn, &c), BB_OK);
    assert_string_equal(json_string_value(json_object_get(c.out, "state")), "normal");
    c.a = &admin;
    assert_int_equal(store_read(t->st, alerts_fn, &c), BB_OK);
    assert_int_equal(json_array_size(c.alerts), 0);

    set_today("2026-10-14");
    assert_int_equal(store_read(t->st, get_fn, &c), BB_OK);
    assert_string_equal(json_string_value(json_object_get(c.out, "state")), "overdue");
    assert_int_equal(store_read(t->st, alerts_fn, &c), BB_OK);
    assert_int_equal(json_array_size(c.alerts), 1);
    json_t *al = json_array_get(c.alerts, 0);
    assert_string_equal(json_string_value(json_object_get(al, "kind")), "complaint_overdue");
    assert_string_equal(json_string_value(json_object_get(al, "code")), c.code);
    assert_string_equal(json_string_value(json_object_get(al, "due")), "2026-10-13");
    /* another village sees neither the complaint nor its alert */
    c.a = &agent2;
    assert_int_equal(store_read(t->st, alerts_fn, &c), BB_OK);
    assert_int_equal(json_array_size(c.alerts), 0);
    assert_int_equal(store_read(t->st, get_fn, &c), BB_FORBIDDEN);
    json_decref(c.out);
    json_decref(c.alerts);
}

/* --- API keys --- */

struct key_call {
    const struct actor *a;
    const char *name, *check, *field;
    int64_t id, got;
    char key[APIKEY_LEN];
};

static enum bb_err key_create_fn(struct store_tx *tx, void *arg)
{
    struct key_call *c = arg;
    return apikey_create(tx, c->a, c->name, &c->id, c->key, &c->field);
}

static enum bb_err key_check_fn(struct store_tx *tx, void *arg)
{
    struct key_call *c = arg;
    return apikey_check(tx, c->check, &c->got);
}

static enum bb_err key_revoke_fn(struct store_tx *tx, void *arg)
{
    struct key_call *c = arg;
    return apikey_revoke(tx, c->a, c->id);
}

static void test_api_key_digest(void **state)
{
    struct testdb *t = *state;
    struct actor admin = actor(t, "admin"), tadmin = actor(t, "tadmin");
    struct key_call c = {.a = &tadmin, .name = "12345热线"};
    assert_int_equal(store_write(t->st, key_create_fn, &c), BB_FORBIDDEN); /* township admin */
    c.a = &admin;
    c.name = "";
    assert_int_equal(store_write(t->st, key_create_fn, &c), BB_INVALID);
    assert_string_equal(c.field, "name");
    c.name = "12345热线";
    assert_int_equal(store_write(t->st, key_create_fn, &c), BB_OK);
    assert_int_equal(strlen(c.key), 52);
    assert_memory_equal(c.key, "bbk_", 4);
    assert_int_equal(strspn(c.key + 4, "0123456789abcdef"), 48);

    /* only the digest is stored; the prefix is the first 8 characters */
    char digest[TOKEN_HEX];
    crypto_digest(c.key, digest);
    char *stored = testdb_text(t, "SELECT key_hash FROM api_keys", NULL);
    assert_string_equal(stored, digest);
    free(stored);
    char *prefix = testdb_text(t, "SELECT prefix FROM api_keys", NULL);
    assert_int_equal(strncmp(prefix, c.key, 8), 0);
    assert_int_equal(strlen(prefix), 8);
    free(prefix);
    assert_int_equal(testdb_int(t, "SELECT count(*) FROM api_keys WHERE key_hash = ?", c.key), 0);

    c.check = c.key;
    assert_int_equal(store_write(t->st, key_check_fn, &c), BB_OK);
    assert_int_equal(c.got, c.id);
    assert_true(testdb_int(t, "SELECT last_used_at FROM api_keys", NULL) > 0);
    char wrong[APIKEY_LEN];
    memcpy(wrong, c.key, sizeof wrong);
    wrong[10] = wrong[10] == 'a' ? 'b' : 'a';
    const char *bad[] = {wrong, "", "bbk_", digest, NULL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        c.check = bad[i];
        assert_int_equal(store_write(t->st, key_check_fn, &c), BB_BAD_API_KEY);
    }

    assert_int_equal(store_write(t->st, key_revoke_fn, &c), BB_OK);
    assert_int_equal(store_write(t->st, key_revoke_fn, &c), BB_WRONG_STATE);
    c.check = c.key;
    assert_int_equal(store_write(t->st, key_check_fn, &c), BB_BAD_API_KEY);
}

/* --- home visits --- */

static void test_visit_check(void **state)
{
    (void)state;
    int today = D("2026-11-27");
    const char *field = NULL;
    struct visit_in ok = {.receipt = "SQ1", .day = "2026-11-27", .time = "09:30",
                          .address = "桑根达来社区3号楼", .group = "elderly_alone"};
    assert_int_equal(visit_check(&ok, today, &field), BB_OK);
    struct visit_in v = ok;
    v.time = NULL;
    v.day = "2026-12-31";
    assert_int_equal(visit_check(&v, today, &field), BB_OK);

    static const struct {
        const char *day, *time, *address, *group, *field;
        enum bb_err rc;
    } bad[] = {
        {"2026-11-26", "09:30", "x", "disabled", "day", BB_INVALID},   /* yesterday */
        {"2026-02-30", "09:30", "x", "disabled", "day", BB_INVALID},
        {"2026-12-1", "09:30", "x", "disabled", "day", BB_INVALID},
        {"2026-12-01", "24:00", "x", "disabled", "time", BB_INVALID},
        {"2026-12-01", "9:30", "x", "disabled", "time", BB_INVALID},
        {"2026-12-01", "09:60", "x", "disabled", "time", BB_INVALID},
        {"2026-12-01", "09:30", "", "disabled", "address", BB_INVALID},
        {"2026-12-01", "09:30", "x", "vip", "group", BB_INVALID},
        {NULL, "09:30", "x", "disabled", "day", BB_MISSING_FIELD},
        {"2026-12-01", NULL, NULL, "disabled", "address", BB_MISSING_FIELD},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = ok;
        v.day = bad[i].day;
        v.time = bad[i].time;
        v.address = bad[i].address;
        v.group = bad[i].group;
        field = NULL;
        enum bb_err rc = visit_check(&v, today, &field);
        if (rc != bad[i].rc || !field || strcmp(field, bad[i].field))
            fail_msg("case %zu: got %d field %s, want %d field %s", i, rc, field ? field : "-",
                     bad[i].rc, bad[i].field);
    }
    char longer[700];
    memset(longer, 0, sizeof longer);
    for (int i = 0; i < 201; i++)
        strcat(longer, "号");
    v = ok;
    v.address = longer;
    assert_int_equal(visit_check(&v, today, &field), BB_INVALID);
    assert_string_equal(field, "address");
    longer[strlen(longer) - 3] = '\0'; /* 200 characters */
    assert_int_equal(visit_check(&v, today, &field), BB_OK);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_due_across_holiday),
        T(test_complaint_clock_in_db),
        T(test_api_key_digest),
        T(test_visit_check),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
