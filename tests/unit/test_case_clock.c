/* test_case_clock.c - 办件 deadlines on the working-day calendar (the shipped 2026 holidays:
 * 中秋 09-25..27, 国庆 10-01..07, make-up workdays 09-20 and 10-10): the deadline view
 * (normal / due_soon at 2 working days / overdue, paused, provisional), deemed acceptance
 * (行政许可法 art. 32) by the sweep, alerts, and the public progress query, which must never show
 * the applicant's name, ID number or phone. "Now" is moved with clock_set_offset. */
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
#include "cases/case_int.h"
#include "cases/pii.h"
#include "core/clock.h"
#include "testdb.h"

#define CITY "152502000000"
#define TOWN "152502001000"    /* clerk */
#define VILLAGE "152502001001" /* agent */
#define ID1 "11010519491231002X"
#define PHONE1 "13812345678"
#define NAME1 "苏和"

static struct testdb tmpl;      /* the seeded demo with the holidays, copied for every test */
static struct workday_cal *cal; /* the test database's calendar */

/* --- fixtures (case_fixture.inc, shared with test_case_flow.c) --- */

#include "case_fixture.inc"
}

static int64_t site_id(struct testdb *t, const char *code)
{
    int64_t id = testdb_int(t, "SELECT id FROM sites WHERE code = ?", code);
    if (id <= 0)
        fail_msg("no site %s", code);
    return id;
}

/* The demo user login, checked to have role r at the site with code. */
static struct actor actor(struct testdb *t, enum role r, const char *code, const char *login)
{
    struct actor a;
    if (testdb_actor(t, login, &a))
        fail_msg("no user %s", login);
    assert_int_equal(a.role, r);
    assert_int_equal(a.site_id, site_id(t, code));
    return a;
}

static void text_equal(struct testdb *t, const char *sql, const char *arg, const char *want,
                       int line)
{
    char *got = testdb_text(t, sql, arg);
    if (!got || strcmp(got, want) != 0)
        fail_msg("line %d: %s -> [%s], want [%s]", line, sql, got ? got : "(error)", want);
    free(got);
}
#define TEXT_EQ(sql, arg, want) text_equal(t, sql, arg, want, __LINE__)

static struct case_row load_row;
static enum bb_err load_fn(struct store_tx *tx, void *arg)
{
    return case_load(tx, arg, &load_row);
}

static struct case_row load(struct testdb *t, const char *receipt)
{
    assert_int_equal(store_read(t->st, load_fn, (void *)receipt), BB_OK);
    return load_row;
}

/* A published rs item the village offers and the township accepts, promised in 10 working days
 * (so the dates below are known), with its required material ids. */
#define ITEM "11000102000"

struct create_call {
    const struct actor *a;
    struct case_in in;
    char receipt[CASE_RECEIPT_LEN];
    const char *field;
};

static enum bb_err create_fn(struct store_tx *tx, void *arg)
{
    struct create_call *c = arg;
    return case_create(tx, c->a, &c->in, c->receipt, &c->field);
}

/* Opens a case for ITEM today as a (with an entrustment for an agent); complete unless
 * missing_one, when the last required material is left out. */
static void create(struct testdb *t, const struct actor *a, bool missing_one,
                   char receipt[CASE_RECEIPT_LEN])
{
    static char signed_on[WORKDAY_DATE_LEN], until[WORKDAY_DATE_LEN];
    snprintf(signed_on, sizeof signed_on, "%s", S(case_today()));
    snprintf(until, sizeof until, "%s", S(case_today() + 90));
    bool agent = a->role == ROLE_AGENT;
    struct create_call c = {.a = a, .in = {.item_code = ITEM, .name = NAME1, .id_number = ID1,
                                           .phone = PHONE1, .channel = "window",
                                           .entrusted = agent, .ent_scope = "代办全部环节",
                                           .ent_signed_on = signed_on,
                                           .ent_valid_until = until}};
    char *all = testdb_text(t, "SELECT group_concat(id) FROM (SELECT m.id FROM materials m JOIN "
                               "item_versions v ON v.id = m.version_id JOIN items i ON i.id = "
                               "v.item_id AND v.version = i.published_version WHERE i.code = ? "
                               "AND m.required = 1 ORDER BY m.seq)", ITEM);
    assert_non_null(all);
    for (char *p = all; *p >= '1' && *p <= '9'; p += *p == ',')
        c.in.received[c.in.nreceived++] = strtoll(p, &p, 10);
    free(all);
    assert_true(c.in.nreceived >= 2);
    if (missing_one)
        c.in.nreceived--;
    enum bb_err rc = store_write(t->st, create_fn, &c);
    if (rc)
        fail_msg("case_create: %s (field %s)", bb_err_code(rc), c.field ? c.field : "-");
    snprintf(receipt, CASE_RECEIPT_LEN, "%s", c.receipt);
}

struct act_call {
    const struct actor *a;
    const char *receipt;
    struct case_action in;
    const char *field;
    json_t *allowed;
};

static enum bb_err act_fn(struct store_tx *tx, void *arg)
{
    struct act_call *c = arg;
    return case_act(tx, c->a, c->receipt, &c->in, &c->field, &c->allowed);
}

static void act(struct testdb *t, const struct actor *a, const char *receipt,
                struct case_action in, int line)
{
    struct act_call c = {.a = a, .receipt = receipt, .in = in};
    enum bb_err rc = store_write(t->st, act_fn, &c);
    json_decref(c.allowed);
    if (rc)
        fail_msg("line %d: %s as %s: %s (field %s)", line, in.name, a->login, bb_err_code(rc),
                 c.field ? c.field : "-");
}
#define ACT(a, r, ...) act(t, a, r, (struct case_action){__VA_ARGS__}, __LINE__)

struct get_call {
    const struct actor *a;
    const char *receipt;
    json_t *out;
};

static enum bb_err get_fn(struct store_tx *tx, void *arg)
{
    struct get_call *g = arg;
    return case_get(tx, g->a, g->receipt, false, &g->out);
}

/* The case's deadline view as case_get shows it today: days_left (INT32_MIN for null) and
 * state, checked against want_left / want_state. */
static void view(struct testdb *t, const struct actor *a, const char *receipt, int want_left,
                 const char *want_state, int line)
{
    struct get_call g = {a, receipt, NULL};
    assert_int_equal(store_read(t->st, get_fn, &g), BB_OK);
    json_t *left = json_object_get(g.out, "days_left");
    const char *state = json_string_value(json_object_get(g.out, "state"));
    int got = json_is_null(left) ? INT32_MIN : (int)json_integer_value(left);
    if (got != want_left || !state || strcmp(state, want_state) != 0)
        fail_msg("line %d: on %s: days_left %d, state %s; want %d, %s", line, S(case_today()),
                 got, state ? state : "?", want_left, want_state);
    assert_true(json_is_false(json_object_get(g.out, "provisional")));
    json_decref(g.out);
}
#define VIEW(a, r, left, state) view(t, a, r, left, state, __LINE__)

/* --- the deadline view --- */

static void clock_of(struct case_row *c, int today, int want_left, const char *want_state,
                     bool want_provisional, int line)
{
    int left = 12345;
    const char *state = NULL;
    bool provisional = !want_provisional;
    case_clock(cal, c, today, &left, &state, &provisional);
    if (left != want_left || !state || strcmp(state, want_state) != 0 ||
        provisional != want_provisional)
        fail_msg("line %d: %s on %s: %d %s %d; want %d %s %d", line, c->status, S(today), left,
                 state ? state : "?", provisional, want_left, want_state, want_provisional);
}
#define CLOCK(c, today, left, state, prov) clock_of(c, D(today), left, state, prov, __LINE__)

static void test_case_clock_direct(void **state)
{
    (void)state;
    struct case_row c = {.status = "accepted", .deadline = "2026-10-12"};
    CLOCK(&c, "2026-09-29", 5, "normal", false);   /* 09-30, 10-08, 09, 10 (调休), 12 */
    CLOCK(&c, "2026-09-30", 4, "normal", false);
    CLOCK(&c, "2026-10-01", 4, "normal", false);   /* a holiday: 10-08, 09, 10, 12 */
    CLOCK(&c, "2026-10-08", 3, "normal", false);
    CLOCK(&c, "2026-10-09", 2, "due_soon", false);
    CLOCK(&c, "2026-10-10", 1, "due_soon", false); /* a worked Saturday */
    CLOCK(&c, "2026-10-11", 1, "due_soon", false);
    CLOCK(&c, "2026-10-12", 0, "due_soon", false);
    CLOCK(&c, "2026-10-13", -1, "overdue", false);
    CLOCK(&c, "2026-10-19", -5, "overdue", false);
    snprintf(c.status, sizeof c.status, "in_review");
    CLOCK(&c, "2026-10-09", 2, "due_soon", false);
    snprintf(c.paused_since, sizeof c.paused_since, "2026-10-09"); /* waiting: no alarm */
    CLOCK(&c, "2026-10-13", -1, "normal", false);
    c.paused_since[0] = '\0';
    snprintf(c.deadline, sizeof c.deadline, "2027-01-06"); /* 2027 is not loaded */
    CLOCK(&c, "2026-12-30", 5, "normal", true);
    snprintf(c.deadline, sizeof c.deadline, "not a date");
    CLOCK(&c, "2026-12-30", INT32_MIN, "normal", false);

    /* before acceptance the notice rule runs, until a notice is given */
    c = (struct case_row){.status = "intake", .notice_due = "2026-09-29"};
    CLOCK(&c, "2026-09-21", 5, "normal", false);
    CLOCK(&c, "2026-09-23", 3, "normal", false);
    CLOCK(&c, "2026-09-24", 2, "due_soon", false);
    CLOCK(&c, "2026-09-27", 2, "due_soon", false); /* a holiday Sunday */
    CLOCK(&c, "2026-09-29", 0, "due_soon", false);
    CLOCK(&c, "2026-09-30", -1, "overdue", false);
    snprintf(c.status, sizeof c.status, "submitted");
    CLOCK(&c, "2026-09-30", -1, "overdue", false);
    snprintf(c.notice_given_on, sizeof c.notice_given_on, "2026-09-22");
    CLOCK(&c, "2026-09-30", INT32_MIN, "normal", false);
    c.notice_given_on[0] = '\0';
    snprintf(c.deadline, sizeof c.deadline, "2026-09-22"); /* only the notice counts yet */
    CLOCK(&c, "2026-09-24", 2, "due_soon", false);

    /* after the decision there is no clock */
    const char *done[] = {"decided", "issued", "archived", "refused", "withdrawn"};
    for (size_t i = 0; i < sizeof done / sizeof done[0]; i++) {
        c = (struct case_row){.deadline = "2026-09-22", .notice_due = "2026-09-22"};
        snprintf(c.status, sizeof c.status, "%s", done[i]);
        CLOCK(&c, "2026-10-30", INT32_MIN, "normal", false);
    }

    /* the due-soon limit is the policy's */
    struct case_policy saved = *case_get_policy(), wide = saved;
    wide.due_soon_days = 3;
    case_set_policy(&wide);
    c = (struct case_row){.status = "accepted", .deadline = "2026-10-12"};
    CLOCK(&c, "2026-10-08", 3, "due_soon", false);
    CLOCK(&c, "2026-09-30", 4, "normal", false);
    case_set_policy(&saved);
    CLOCK(&c, "2026-10-08", 3, "normal", false);
}

/* The same, on stored cases as case_get shows them, by moving the clock. */
static void test_clock_by_moving_now(void **state)
{
    struct testdb *t = *state;
    struct actor clerk = actor(t, ROLE_CLERK, TOWN, "clerk");
    set_today("2026-09-21");
    char waiting[CASE_RECEIPT_LEN], running[CASE_RECEIPT_LEN];
    create(t, &clerk, false, waiting);
    create(t, &clerk, false, running);
    assert_string_equal(load(t, waiting).notice_due, "2026-09-29");
    ACT(&clerk, running, .name = "accept");
    struct case_row c = load(t, running);
    assert_int_equal(c.promised_days, 10);
    assert_string_equal(c.deadline, S(wadd(D("2026-09-21"), 10)));
    assert_string_equal(c.deadline, "2026-10-12");

    VIEW(&clerk, waiting, 5, "normal");
    VIEW(&clerk, running, 10, "normal");
    set_today("2026-09-23");
    VIEW(&clerk, waiting, 3, "normal");
    set_today("2026-09-24");
    VIEW(&clerk, waiting, 2, "due_soon");
    set_today("2026-09-29");
    VIEW(&clerk, waiting, 0, "due_soon");
    set_today("2026-09-30");
    VIEW(&clerk, waiting, -1, "overdue");
    VIEW(&clerk, running, 4, "normal");
    set_today("2026-10-08");
    VIEW(&clerk, running, 3, "normal");
    set_today("2026-10-09");
    VIEW(&clerk, running, 2, "due_soon");
    set_today("2026-10-12");
    VIEW(&clerk, running, 0, "due_soon");
    set_today("2026-10-13");
    VIEW(&clerk, running, -1, "overdue");

    /* waiting for the resident stops the alarm; the days spent waiting are given back */
    int64_t m = testdb_int(t, "SELECT material_id FROM case_materials WHERE required = 1 "
                              "ORDER BY id LIMIT 1", NULL);
    ACT(&clerk, running, .name = "request_supplement", .has_materials = true, .materials = {m},
        .nmaterials = 1);
    VIEW(&clerk, running, -1, "normal");
    set_today("2026-10-16");
    VIEW(&clerk, running, -4, "normal");
    ACT(&clerk, running, .name = "supplement", .has_materials = true, .materials = {m},
        .nmaterials = 1);
    assert_string_equal(load(t, running).deadline, S(wadd(D("2026-10-12"), 3)));
    VIEW(&clerk, running, -1, "overdue");
}

/* --- deemed acceptance --- */

static enum bb_err sweep_fn(struct store_tx *tx, void *arg)
{
    return case_sweep(tx, arg);
}

static void test_deemed_acceptance(void **state)
{
    struct testdb *t = *state;
    struct actor clerk = actor(t, ROLE_CLERK, TOWN, "clerk");
    struct actor agent = actor(t, ROLE_AGENT, VILLAGE, "agent");
    set_today("2026-09-21");
    char silent[CASE_RECEIPT_LEN], relayed[CASE_RECEIPT_LEN], told[CASE_RECEIPT_LEN];
    char asked[CASE_RECEIPT_LEN], accepted[CASE_RECEIPT_LEN];
    create(t, &clerk, false, silent);     /* complete, nobody acts */
    create(t, &agent, false, relayed);    /* complete, sent up to the township */
    ACT(&agent, relayed, .name = "submit");
    create(t, &clerk, true, told);        /* a material missing: notice on the spot */
    create(t, &clerk, false, asked);      /* a notice given later */
    create(t, &clerk, false, accepted);   /* accepted in time */
    ACT(&clerk, accepted, .name = "accept");
    int64_t m = testdb_int(t, "SELECT material_id FROM case_materials WHERE required = 1 "
                              "ORDER BY id LIMIT 1", NULL);
    set_today("2026-09-28");
    ACT(&clerk, asked, .name = "request_supplement", .has_materials = true, .materials = {m},
        .nmaterials = 1);

    int changed = -1;
    int64_t events = testdb_int(t, "SELECT COUNT(*) FROM case_events", NULL);
    int64_t audits = testdb_int(t, "SELECT COUNT(*) FROM audit", NULL);
    set_today("2026-09-29"); /* the notice day itself: still in time */
    assert_int_equal(store_write(t->st, sweep_fn, &changed), BB_OK);
    assert_int_equal(changed, 0);
    set_today("2026-09-30");
    assert_int_equal(store_write(t->st, sweep_fn, &changed), BB_OK);
    assert_int_equal(changed, 2);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM case_events", NULL), events + 2);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM audit", NULL), audits + 2);
    const char *deemed[] = {silent, relayed};
    for (int i = 0; i < 2; i++) {
        struct case_row c = load(t, deemed[i]);
        assert_string_equal(c.status, "accepted");
        assert_string_equal(c.accepted_on, c.received_on);
        assert_string_equal(c.accepted_on, "2026-09-21");
        assert_string_equal(c.deadline, S(wadd(D("2026-09-21"), (int)c.promised_days)));
        TEXT_EQ("SELECT e.action || ' ' || e.status || ' ' || e.user_id || ' ' || "
                "(e.note LIKE '%第三十二条%') FROM case_events e JOIN cases c ON c.id = "
                "e.case_id WHERE c.receipt = ? ORDER BY e.id DESC LIMIT 1", deemed[i],
                "deemed_accept accepted 0 1");
        TEXT_EQ("SELECT COUNT(*) FROM audit WHERE action = 'case.deemed_accept' AND object = "
                "'case:' || ?", deemed[i], "1");
    }
    assert_int_equal(load(t, silent).version, 2);
    assert_string_equal(load(t, told).status, "intake");
    assert_string_equal(load(t, asked).status, "intake");
    assert_string_equal(load(t, accepted).accepted_on, "2026-09-21");
    assert_int_equal(load(t, accepted).version, 2);
    VIEW(&clerk, silent, 4, "normal"); /* the promised clock runs from receipt */
    assert_int_equal(store_write(t->st, sweep_fn, &changed), BB_OK);
    assert_int_equal(changed, 0); /* once only */
    set_today("2026-12-01");
    assert_int_equal(store_write(t->st, sweep_fn, &changed), BB_OK);
    assert_int_equal(changed, 0);
}

/* --- alerts --- */

struct alerts_call {
    const struct actor *a;
    json_t *out;
};

static enum bb_err alerts_fn(struct store_tx *tx, void *arg)
{
    struct alerts_call *c = arg;
    return case_alerts(tx, c->a, &c->out);
}

static json_t *alerts(struct testdb *t, const struct actor *a)
{
    struct alerts_call c = {a, NULL};
    assert_int_equal(store_read(t->st, alerts_fn, &c), BB_OK);
    assert_true(json_is_array(c.out));
    return c.out;
}

/* The one alert of kind for receipt in list; fails unless there is exactly one. */
static json_t *alert(json_t *list, const char *kind, const char *receipt, int line)
{
    json_t *found = NULL, *o;
    size_t i, n = 0;
    json_array_foreach(list, i, o) {
        const char *k = json_string_value(json_object_get(o, "kind"));
        const char *r = json_string_value(json_object_get(o, "receipt"));
        if (k && r && !strcmp(k, kind) && !strcmp(r, receipt))
            found = o, n++;
    }
    if (n != 1) {
        char *dump = json_dumps(list, JSON_COMPACT);
        fail_msg("line %d: %zu alerts %s for %s in %s", line, n, kind, receipt, dump);
    }
    return found;
}
#define ALERT(list, kind, receipt) alert(list, kind, receipt, __LINE__)

static void expect_alerts(struct testdb *t, const struct actor *a, size_t n, int line)
{
    json_t *l = alerts(t, a);
    if (json_array_size(l) != n) {
        char *dump = json_dumps(l, JSON_COMPACT);
        fail_msg("line %d: %s on %s has %s, want %zu alerts", line, a->login, S(case_today()),
                 dump, n);
    }
    json_decref(l);
}
#define ALERTS(a, n) expect_alerts(t, a, n, __LINE__)

static void test_alerts(void **state)
{
    struct testdb *t = *state;
    struct actor clerk = actor(t, ROLE_CLERK, TOWN, "clerk");
    struct actor agent = actor(t, ROLE_AGENT, VILLAGE, "agent");
    struct actor agent2 = actor(t, ROLE_AGENT, "152502001002", "agent2");
    struct actor coord = actor(t, ROLE_COORDINATOR, CITY, "coord");
    int64_t vil = site_id(t, VILLAGE), town = site_id(t, TOWN);
    set_today("2026-09-21");
    char running[CASE_RECEIPT_LEN], waiting[CASE_RECEIPT_LEN], relayed[CASE_RECEIPT_LEN];
    create(t, &clerk, false, running);
    ACT(&clerk, running, .name = "accept"); /* deadline 2026-10-12 */
    create(t, &clerk, false, waiting);      /* notice due 2026-09-29 */
    create(t, &agent, false, relayed);
    ACT(&agent, relayed, .name = "submit"); /* the leg is due 2026-09-22 */
    ALERTS(&clerk, 0);
    ALERTS(&agent, 0);
    set_today("2026-09-22");
    ALERTS(&clerk, 0); /* the leg's last day */

    set_today("2026-09-24");
    json_t *l = alerts(t, &clerk);
    assert_int_equal(json_array_size(l), 3);
    json_t *a = ALERT(l, "notice_due", waiting);
    assert_string_equal(json_string_value(json_object_get(a, "due")), "2026-09-29");
    assert_int_equal(json_integer_value(json_object_get(a, "days_left")), 2);
    assert_string_equal(json_string_value(json_object_get(a, "status")), "intake");
    a = ALERT(l, "notice_due", relayed);
    assert_string_equal(json_string_value(json_object_get(a, "status")), "submitted");
    a = ALERT(l, "handoff_late", relayed);
    assert_string_equal(json_string_value(json_object_get(a, "due")), "2026-09-22");
    assert_int_equal(json_integer_value(json_object_get(a, "to_site_id")), town);
    assert_int_equal(json_integer_value(json_object_get(a, "from_site_id")), vil);
    json_decref(l);
    l = alerts(t, &agent); /* the sender sees its late leg too */
    assert_int_equal(json_array_size(l), 1);
    ALERT(l, "handoff_late", relayed);
    json_decref(l);
    ALERTS(&agent2, 0);
    ALERTS(&coord, 0); /* the district holds none of them */
    ACT(&clerk, relayed, .name = "receive");
    ALERTS(&agent, 0);
    ALERTS(&clerk, 2);

    set_today("2026-10-09");
    l = alerts(t, &clerk);
    assert_int_equal(json_array_size(l), 3);
    a = ALERT(l, "due_soon", running);
    assert_string_equal(json_string_value(json_object_get(a, "due")), "2026-10-12");
    assert_int_equal(json_integer_value(json_object_get(a, "days_left")), 2);
    ALERT(l, "notice_due", waiting); /* overdue, but still the notice rule */
    ALERT(l, "notice_due", relayed);
    json_decref(l);
    set_today("2026-10-13");
    l = alerts(t, &clerk);
    a = ALERT(l, "overdue", running);
    assert_int_equal(json_integer_value(json_object_get(a, "days_left")), -1);
    json_decref(l);
    /* settled or paused cases raise nothing */
    ACT(&clerk, waiting, .name = "withdraw", .reason = "申请人撤回");
    ACT(&clerk, relayed, .name = "accept"); /* deadline 2026-10-27: normal */
    int64_t m = testdb_int(t, "SELECT material_id FROM case_materials WHERE required = 1 "
                              "ORDER BY id LIMIT 1", NULL);
    ACT(&clerk, running, .name = "request_supplement", .has_materials = true, .materials = {m},
        .nmaterials = 1);
    ALERTS(&clerk, 0);
}

/* --- the public progress query --- */

struct progress_call {
    const char *receipt, *code, *phone4;
    json_t *out;
};

static enum bb_err progress_fn(struct store_tx *tx, void *arg)
{
    struct progress_call *p = arg;
    return case_progress(tx, p->receipt, p->code, p->phone4, &p->out);
}

static json_t *progress(struct testdb *t, const char *receipt, const char *code,
                        const char *phone4, enum bb_err want, int line)
{
    struct progress_call p = {receipt, code, phone4, NULL};
    enum bb_err rc = store_read(t->st, progress_fn, &p);
    if (rc != want)
        fail_msg("line %d: progress %s code %s phone4 %s: %s, want %s", line, receipt,
                 code ? code : "-", phone4 ? phone4 : "-", bb_err_code(rc), bb_err_code(want));
    return p.out;
}
#define PROGRESS(r, code, p4, want) progress(t, r, code, p4, want, __LINE__)

static char *query_code(struct testdb *t, const char *receipt)
{
    char *code = testdb_text(t, "SELECT query_code FROM cases WHERE receipt = ?", receipt);
    assert_non_null(code);
    assert_int_equal(strlen(code), 6);
    return code;
}

/* Nothing of the applicant in the answer, in any form. */
static void no_applicant(json_t *o)
{
    char *dump = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
    char *raw = json_dumps(o, JSON_COMPACT);
    const char *never[] = {NAME1, "苏*", ID1, "110105********002X", "11010519491231",
                           "1949", PHONE1, "138****5678", "applicant", "phone", "id_number",
                           "name"};
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        if (strstr(raw, never[i]))
            fail_msg("progress shows [%s]: %s", never[i], raw);
    assert_null(strstr(dump, "\\u82cf")); /* 苏, escaped */
    free(dump);
    free(raw);
}

static void test_progress(void **state)
{
    struct testdb *t = *state;
    struct actor clerk = actor(t, ROLE_CLERK, TOWN, "clerk");
    struct actor agent = actor(t, ROLE_AGENT, VILLAGE, "agent");
    set_today("2026-09-21");
    char receipt[CASE_RECEIPT_LEN], other[CASE_RECEIPT_LEN];
    create(t, &agent, false, receipt);
    ACT(&agent, receipt, .name = "submit", .note = NAME1 "的材料");
    set_today("2026-09-22");
    ACT(&clerk, receipt, .name = "receive", .discrepancy = "申请人" NAME1 "电话" PHONE1);
    ACT(&clerk, receipt, .name = "accept");
    create(t, &clerk, false, other);
    char *code = query_code(t, receipt), *other_code = query_code(t, other);

    json_t *o = PROGRESS(receipt, code, NULL, BB_OK);
    const char *keys[] = {"receipt", "item", "status", "deadline", "days_left", "state",
                          "timeline"};
    assert_int_equal(json_object_size(o), sizeof keys / sizeof keys[0]);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        assert_non_null(json_object_get(o, keys[i]));
    assert_string_equal(json_string_value(json_object_get(o, "receipt")), receipt);
    assert_string_equal(json_string_value(json_object_get(o, "item")), ITEM);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "accepted");
    assert_string_equal(json_string_value(json_object_get(o, "deadline")),
                        S(wadd(D("2026-09-22"), 10)));
    assert_int_equal(json_integer_value(json_object_get(o, "days_left")), 10);
    assert_string_equal(json_string_value(json_object_get(o, "state")), "normal");
    json_t *tl = json_object_get(o, "timeline");
    const char *actions[] = {"create", "submit", "receive", "accept"};
    assert_int_equal(json_array_size(tl), 4);
    for (size_t i = 0; i < 4; i++) {
        json_t *ev = json_array_get(tl, i);
        assert_int_equal(json_object_size(ev), 4); /* at, action, status, site: no notes */
        assert_string_equal(json_string_value(json_object_get(ev, "action")), actions[i]);
        assert_true(json_is_string(json_object_get(ev, "at")));
    }
    assert_string_equal(json_string_value(json_object_get(json_array_get(tl, 0), "site")),
                        "希日塔拉街道桑根达来社区便民服务站");
    assert_string_equal(json_string_value(json_object_get(json_array_get(tl, 3), "site")),
                        "希日塔拉街道便民服务中心");
    assert_memory_equal(json_string_value(json_object_get(json_array_get(tl, 0), "at")),
                        "2026-09-21T10:", 14);
    no_applicant(o);
    json_decref(o);
    o = PROGRESS(receipt, NULL, "5678", BB_OK);
    assert_string_equal(json_string_value(json_object_get(o, "receipt")), receipt);
    no_applicant(o);
    json_decref(o);
    json_decref(PROGRESS(receipt, "000000x", "5678", BB_OK)); /* either one will do */

    /* wrong answers look exactly like an unknown receipt */
    char wrong[8];
    snprintf(wrong, sizeof wrong, "%06d", (atoi(code) + 1) % 1000000);
    assert_null(PROGRESS(receipt, wrong, NULL, BB_NOT_FOUND));
    if (strcmp(code, other_code) != 0)
        assert_null(PROGRESS(receipt, other_code, NULL, BB_NOT_FOUND));
    const char *bad4[] = {"1234", "45678", "678", "", "5678 ", "8765"};
    for (size_t i = 0; i < sizeof bad4 / sizeof bad4[0]; i++)
        assert_null(PROGRESS(receipt, NULL, bad4[i], BB_NOT_FOUND));
    char longer[16];
    snprintf(longer, sizeof longer, "%s0", code);
    assert_null(PROGRESS(receipt, longer, NULL, BB_NOT_FOUND));
    assert_null(PROGRESS(receipt, code + 1, NULL, BB_NOT_FOUND));
    assert_null(PROGRESS(receipt, "", "", BB_NOT_FOUND));
    assert_null(PROGRESS(receipt, NULL, NULL, BB_NOT_FOUND));
    assert_null(PROGRESS("SQ20260921000000", code, "5678", BB_NOT_FOUND));
    assert_null(PROGRESS("", code, "5678", BB_NOT_FOUND));

    /* the sweep's deemed acceptance shows, without a site */
    set_today("2026-10-08");
    int changed = 0;
    assert_int_equal(store_write(t->st, sweep_fn, &changed), BB_OK);
    assert_int_equal(changed, 1);
    o = PROGRESS(other, other_code, NULL, BB_OK);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "accepted");
    tl = json_object_get(o, "timeline");
    assert_int_equal(json_array_size(tl), 2);
    json_t *ev = json_array_get(tl, 1);
    assert_string_equal(json_string_value(json_object_get(ev, "action")), "deemed_accept");
    assert_true(json_is_null(json_object_get(ev, "site")));
    no_applicant(o);
    json_decref(o);
    free(code);
    free(other_code);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_case_clock_direct),
        T(test_clock_by_moving_now),
        T(test_deemed_acceptance),
        T(test_alerts),
        T(test_progress),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
