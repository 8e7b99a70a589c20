/* test_rectify.c - 整改 of bad ratings on the shipped 2026 calendar (中秋 09-25..27, 国庆
 * 10-01..07, make-up working days 09-20 and 10-10): the due day in working days, the state
 * (normal / due_soon at 2 working days / overdue once the due day passed, stopped by the return
 * visit), a redo's new due day, who is assigned, and the state machine's refusals (state, role,
 * site, review at the same site, If-Match, fields, the one appeal). "Now" is moved with
 * clock_set_offset; rectify_days is set to 5 so the dates stay short. */
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
#include "front/front.h"
#include "front/ratings.h"
#include "testdb.h"

static struct testdb tmpl;      /* the seeded demo with the holidays, copied for every test */
static struct workday_cal *cal; /* the test database's calendar */

#include "case_fixture.inc"
}

#define TOWN "152502001000"    /* clerk, webagent, tadmin */
#define VILLAGE "152502001001" /* agent */

static int64_t site_id(struct testdb *t, const char *code)
{
    int64_t id = testdb_int(t, "SELECT id FROM sites WHERE code = ?", code);
    if (id <= 0)
        fail_msg("no site %s", code);
    return id;
}

static int64_t user_id(struct testdb *t, const char *login)
{
    int64_t id = testdb_int(t, "SELECT id FROM users WHERE login = ?", login);
    if (id <= 0)
        fail_msg("no user %s", login);
    return id;
}

static struct actor actor(struct testdb *t, const char *login)
{
    struct actor a;
    if (testdb_actor(t, login, &a))
        fail_msg("no user %s", login);
    return a;
}

/* --- one domain call in its own transaction --- */

enum op_kind { OP_SQL, OP_RATE, OP_ACT, OP_APPEAL, OP_GET, OP_ALERTS, OP_ASSIGNEE };

struct op {
    enum op_kind kind;
    const char *sql;
    const struct actor *a;
    int64_t id;
    struct rating_in rate;
    struct rect_action act;
    const char *reason;
    json_t *out;
    const char *field;
};

static enum bb_err op_fn(struct store_tx *tx, void *arg)
{
    struct op *o = arg;
    switch (o->kind) {
    case OP_SQL:
        return store_exec(tx, o->sql);
    case OP_RATE:
        return rating_submit(tx, &o->rate, &o->out, &o->field);
    case OP_ACT:
        return rect_act(tx, o->a, o->id, &o->act, &o->field);
    case OP_APPEAL:
        return rating_appeal(tx, &o->rate.t, o->reason, &o->out);
    case OP_GET:
        return rect_get(tx, o->a, o->id, &o->out);
    case OP_ALERTS:
        o->out = json_array();
        return rect_alerts(tx, o->a, o->out);
    case OP_ASSIGNEE:
        return rect_assignee(tx, o->id, &o->id);
    }
    return BB_INTERNAL;
}

static enum bb_err run(struct testdb *t, struct op *o)
{
    return store_write(t->st, op_fn, o);
}

static void sql(struct testdb *t, const char *text)
{
    struct op o = {.kind = OP_SQL, .sql = text};
    assert_int_equal(run(t, &o), BB_OK);
}

/* A finished (status) ticket at the township with rate code R-<n>; returns its id. */
static int64_t ticket(struct testdb *t, int n, const char *status)
{
    char q[512];
    snprintf(q, sizeof q, "INSERT INTO tickets (site_id, day, kind, seq, number, priority, "
                          "status, rate_code, taken_at) SELECT id, '2026-09-22', 'general', %d, "
                          "'A%03d', 'none', '%s', 'R-%d', 0 FROM sites WHERE code = '" TOWN "'",
             n, n, status, n);
    sql(t, q);
    return testdb_int(t, "SELECT MAX(id) FROM tickets", NULL);
}

static enum bb_err rate(struct testdb *t, int64_t tk, const char *code, int level, json_t **out)
{
    struct op o = {.kind = OP_RATE, .rate = {.t = {.ticket_id = tk, .code = code},
                                             .level = level, .channel = "web"}};
    enum bb_err rc = run(t, &o);
    if (out)
        *out = o.out;
    else
        json_decref(o.out);
    return rc;
}

static enum bb_err act(struct testdb *t, const struct actor *a, int64_t id,
                       struct rect_action in, const char **field)
{
    struct op o = {.kind = OP_ACT, .a = a, .id = id, .act = in};
    enum bb_err rc = run(t, &o);
    if (field)
        *field = o.field;
    return rc;
}

#define ACT_OK(a, ...) \
    assert_int_equal(act(t, (a), id, (struct rect_action){__VA_ARGS__}, NULL), BB_OK)
#define ACT_ERR(err, a, ...) \
    assert_int_equal(act(t, (a), id, (struct rect_action){__VA_ARGS__}, NULL), (err))

static enum bb_err appeal(struct testdb *t, int64_t tk, const char *code)
{
    struct op o = {.kind = OP_APPEAL, .rate = {.t = {.ticket_id = tk, .code = code}},
                   .reason = "整改不到位"};
    enum bb_err rc = run(t, &o);
    json_decref(o.out);
    return rc;
}

/* The rectification as a sees it (a new reference). */
static json_t *get(struct testdb *t, const struct actor *a, int64_t id)
{
    struct op o = {.kind = OP_GET, .a = a, .id = id};
    assert_int_equal(store_read(t->st, op_fn, &o), BB_OK);
    return o.out;
}

static void expect_field(struct testdb *t, const struct actor *a, int64_t id, const char *key,
                         const char *want)
{
    json_t *o = get(t, a, id);
    const char *got = json_string_value(json_object_get(o, key));
    if (!got || strcmp(got, want))
        fail_msg("%s: got %s, want %s", key, got ? got : "(null)", want);
    json_decref(o);
}

/* The kinds of a's alerts for rectification id, as "kind" or "" when none. */
static const char *alert_for(struct testdb *t, const struct actor *a, int64_t id)
{
    static char kind[48];
    struct op o = {.kind = OP_ALERTS, .a = a};
    assert_int_equal(store_read(t->st, op_fn, &o), BB_OK);
    kind[0] = 0;
    size_t i;
    json_t *v;
    json_array_foreach(o.out, i, v)
        if (json_integer_value(json_object_get(v, "id")) == id)
            snprintf(kind, sizeof kind, "%s", json_string_value(json_object_get(v, "kind")));
    json_decref(o.out);
    return kind;
}

static void policy_days(int days)
{
    struct front_policy p = *front_get_policy();
    p.rectify_days = days;
    front_set_policy(&p);
}

/* --- the clock --- */

static void test_due_and_state(void **state)
{
    (void)state;
    int due;
    /* 09-20 is a make-up working day (a Sunday): Fri 09-18 + 5 = Thu 09-24, not 09-25 */
    assert_int_equal(rect_due(cal, D("2026-09-18"), 5, &due), BB_OK);
    assert_string_equal(S(due), "2026-09-24");
    /* across 中秋 (09-25..27): Tue 09-22 + 5 = Wed 09-30 */
    assert_int_equal(rect_due(cal, D("2026-09-22"), 5, &due), BB_OK);
    assert_string_equal(S(due), "2026-09-30");
    /* across 国庆 onto the 10-10 make-up Saturday: 09-30 + 3 = 10-10 */
    assert_int_equal(rect_due(cal, D("2026-09-30"), 3, &due), BB_OK);
    assert_string_equal(S(due), "2026-10-10");
    assert_int_equal(due, wadd(D("2026-09-30"), 3)); /* the same arithmetic as case deadlines */

    const char *d = "2026-09-30";
    assert_string_equal(rect_state(cal, "open", d, D("2026-09-22")), "normal");
    assert_string_equal(rect_state(cal, "open", d, D("2026-09-25")), "normal");  /* 3 left */
    assert_string_equal(rect_state(cal, "open", d, D("2026-09-27")), "normal");  /* Sunday, 3 */
    assert_string_equal(rect_state(cal, "verified", d, D("2026-09-28")), "due_soon"); /* 2 */
    assert_string_equal(rect_state(cal, "rectified", d, D("2026-09-30")), "due_soon"); /* 0 */
    assert_string_equal(rect_state(cal, "open", d, D("2026-10-01")), "overdue"); /* holiday */
    assert_string_equal(rect_state(cal, "rectified", d, D("2026-10-08")), "overdue");
    /* the return visit stops the clock */
    assert_string_equal(rect_state(cal, "visited", d, D("2026-10-08")), "normal");
    assert_string_equal(rect_state(cal, "appealed", d, D("2026-10-08")), "normal");
    assert_string_equal(rect_state(cal, "closed", d, D("2026-10-08")), "normal");
}

/* --- who is responsible --- */

static int64_t assignee(struct testdb *t, const char *code)
{
    struct op o = {.kind = OP_ASSIGNEE, .id = site_id(t, code)};
    assert_int_equal(run(t, &o), BB_OK);
    return o.id;
}

static void test_assignee(void **state)
{
    struct testdb *t = *state;
    assert_int_equal(assignee(t, TOWN), user_id(t, "tadmin"));
    assert_int_equal(assignee(t, VILLAGE), user_id(t, "agent"));
    int64_t city = testdb_int(t, "SELECT MIN(u.id) FROM users u JOIN sites s ON s.id = "
                                 "u.site_id WHERE s.code = '152502000000' AND u.role IN "
                                 "('admin', 'coordinator')", NULL);
    assert_int_equal(assignee(t, "152502000000"), city);
    /* no active admin or coordinator: the clerk; then nobody (a web agent is not asked) */
    sql(t, "UPDATE users SET active = 0 WHERE login = 'tadmin'");
    assert_int_equal(assignee(t, TOWN), user_id(t, "clerk"));
    sql(t, "UPDATE users SET active = 0 WHERE login = 'clerk'");
    assert_int_equal(assignee(t, TOWN), 0);
    /* a bad rating then opens one with nobody assigned, still due */
    set_today("2026-09-22");
    policy_days(5);
    int64_t tk = ticket(t, 1, "done");
    json_t *out;
    assert_int_equal(rate(t, tk, "R-1", 1, &out), BB_OK);
    json_t *x = json_object_get(out, "rectification");
    assert_string_equal(json_string_value(json_object_get(x, "due")), "2026-09-30");
    json_t *o = get(t, NULL, json_integer_value(json_object_get(x, "id")));
    assert_true(json_is_null(json_object_get(o, "assignee")));
    json_decref(o);
    json_decref(out);
}

/* --- the flow and its refusals --- */

static void test_flow(void **state)
{
    struct testdb *t = *state;
    struct actor clerk = actor(t, "clerk"), tadmin = actor(t, "tadmin");
    struct actor agent = actor(t, "agent"), coord = actor(t, "coord");
    set_today("2026-09-22");
    policy_days(5);

    /* not finished, a wrong code, a good rating: no rectification */
    int64_t waiting = ticket(t, 1, "serving"), good = ticket(t, 2, "done");
    assert_int_equal(rate(t, waiting, "R-1", 1, NULL), BB_NOT_RATEABLE);
    assert_int_equal(rate(t, good, "R-1", 1, NULL), BB_NOT_FOUND);
    assert_int_equal(rate(t, good, "R-2", 4, NULL), BB_OK);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM rectifications", NULL), 0);
    assert_int_equal(rate(t, good, "R-2", 1, NULL), BB_ALREADY_RATED);

    /* a bad one: open at the township, assigned to its admin, due in 5 working days */
    int64_t tk = ticket(t, 3, "done");
    json_t *out;
    assert_int_equal(rate(t, tk, "R-3", 2, &out), BB_OK);
    int64_t id = json_integer_value(json_object_get(json_object_get(out, "rectification"), "id"));
    json_decref(out);
    assert_true(id > 0);
    assert_int_equal(testdb_int(t, "SELECT site_id FROM rectifications", NULL),
                     site_id(t, TOWN));
    assert_int_equal(testdb_int(t, "SELECT assignee_user_id FROM rectifications", NULL),
                     tadmin.user_id);
    expect_field(t, &clerk, id, "opened_on", "2026-09-22");
    expect_field(t, &clerk, id, "due", "2026-09-30");
    expect_field(t, &clerk, id, "state", "normal");

    /* the clock, as read and as alerts: the village's agent sees none of it */
    set_today("2026-09-28");
    expect_field(t, &clerk, id, "state", "due_soon");
    assert_string_equal(alert_for(t, &clerk, id), "rectification_due_soon");
    set_today("2026-10-01");
    expect_field(t, &clerk, id, "state", "overdue");
    assert_string_equal(alert_for(t, &clerk, id), "rectification_overdue");
    assert_string_equal(alert_for(t, &coord, id), "rectification_overdue");
    assert_string_equal(alert_for(t, &agent, id), "");

    /* refusals: state, site, fields, version */
    assert_int_equal(appeal(t, tk, "R-3"), BB_WRONG_STATE); /* no return visit yet */
    ACT_ERR(BB_WRONG_STATE, &clerk, .name = "close");
    ACT_ERR(BB_WRONG_STATE, &coord, .name = "review", .note = "x", .outcome = "upheld");
    ACT_ERR(BB_WRONG_STATE, &clerk, .name = "rectify", .note = "x");
    ACT_ERR(BB_FORBIDDEN, &agent, .name = "verify", .note = "x", .verdict = "founded");
    const char *field;
    assert_int_equal(act(t, &clerk, id, (struct rect_action){.name = "verify", .note = "x"},
                         &field), BB_MISSING_FIELD);
    assert_string_equal(field, "verdict");
    assert_int_equal(act(t, &clerk, id, (struct rect_action){.name = "verify", .note = "x",
                                                             .verdict = "maybe"}, &field),
                     BB_INVALID);
    assert_string_equal(field, "verdict");
    assert_int_equal(act(t, &clerk, id, (struct rect_action){.name = "verify",
                                                             .verdict = "founded"}, &field),
                     BB_MISSING_FIELD);
    assert_string_equal(field, "note");
    ACT_ERR(BB_VERSION_MISMATCH, &clerk, .name = "verify", .if_match = 2, .note = "x",
            .verdict = "founded");
    ACT_ERR(BB_NO_ROUTE, &clerk, .name = "fly");

    ACT_OK(&clerk, .name = "verify", .if_match = 1, .note = "窗口态度生硬属实",
                     .verdict = "founded");
    ACT_ERR(BB_WRONG_STATE, &clerk, .name = "verify", .note = "x", .verdict = "founded");
    ACT_OK(&tadmin, .name = "rectify", .note = "批评教育并培训");
    assert_int_equal(act(t, &clerk, id, (struct rect_action){.name = "visit", .note = "x"},
                         &field), BB_MISSING_FIELD);
    assert_string_equal(field, "satisfied");
    ACT_OK(&clerk, .name = "visit", .note = "电话回访", .has_satisfied = true,
                     .satisfied = false);
    expect_field(t, &clerk, id, "status", "visited");
    expect_field(t, &clerk, id, "state", "normal"); /* past due, but visited */
    assert_string_equal(alert_for(t, &clerk, id), "");

    /* the resident appeals once; review only one level up */
    assert_int_equal(appeal(t, tk, "R-9"), BB_NOT_FOUND);
    assert_int_equal(appeal(t, tk, "R-3"), BB_OK);
    assert_int_equal(appeal(t, tk, "R-3"), BB_WRONG_STATE);
    ACT_ERR(BB_WRONG_STATE, &clerk, .name = "close");
    ACT_ERR(BB_FORBIDDEN, &tadmin, .name = "review", .note = "x", .outcome = "upheld");
    ACT_ERR(BB_FORBIDDEN, &clerk, .name = "review", .note = "x", .outcome = "upheld");
    ACT_ERR(BB_INVALID, &coord, .name = "review", .note = "x", .outcome = "again");
    set_today("2026-10-09");
    ACT_OK(&coord, .name = "review", .note = "整改不彻底，重新整改", .outcome = "redo");
    expect_field(t, &clerk, id, "status", "open");
    expect_field(t, &clerk, id, "due", "2026-10-15"); /* 10-10 is a make-up working day */
    expect_field(t, &clerk, id, "state", "normal");
    expect_field(t, &coord, id, "review_outcome", "redo");

    /* again to the end; the one appeal is used */
    ACT_OK(&clerk, .name = "verify", .note = "复查", .verdict = "founded");
    ACT_OK(&clerk, .name = "rectify", .note = "调岗");
    ACT_OK(&clerk, .name = "visit", .note = "满意", .has_satisfied = true, .satisfied = true);
    expect_field(t, &clerk, id, "status", "closed");
    assert_int_equal(appeal(t, tk, "R-3"), BB_WRONG_STATE);
    ACT_ERR(BB_WRONG_STATE, &clerk, .name = "close");

    /* the history and one audit entry per change */
    json_t *o = get(t, &clerk, id);
    static const char *const acts[] = {"open", "verify", "rectify", "visit", "appeal",
                                       "review", "verify", "rectify", "visit"};
    json_t *ev = json_object_get(o, "events");
    assert_int_equal(json_array_size(ev), 9);
    for (size_t i = 0; i < 9; i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(ev, i), "action")),
                            acts[i]);
    assert_true(json_is_null(json_object_get(json_array_get(ev, 4), "user")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 5), "status")),
                        "open");
    json_decref(o);
    char obj[48];
    snprintf(obj, sizeof obj, "rectification:%lld", (long long)id);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM audit WHERE object = ?", obj), 9);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM audit WHERE action = 'rating.create'",
                                NULL), 2);
}

static int teardown_policy(void **state)
{
    policy_days(15);
    return teardown(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_due_and_state, setup, teardown_policy),
        cmocka_unit_test_setup_teardown(test_assignee, setup, teardown_policy),
        cmocka_unit_test_setup_teardown(test_flow, setup, teardown_policy),
    };
    return cmocka_run_group_tests_name("rectify", tests, group_setup, group_teardown);
}
