/* test_queue.c - 排队叫号 in the domain layer on the demo city: numbers per site, day and kind
 * (A001, A002, B001; a new day starts again; A999 is the last), refused takes that write
 * nothing, the call order (priority lane first, then the order of taking; a transferred ticket
 * keeps its place), call-next handing each ticket out exactly once and never two to one window,
 * and the ticket state machine (every action against every state). Every change bumps the site's
 * queue version by exactly one and writes one audit entry; every refusal changes neither. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/clock.h"
#include "front/queue.h"
#include "testdb.h"

#define CITY "152502000000"
#define TOWN "152502001000"

static struct testdb tmpl;

static int group_setup(void **state)
{
    (void)state;
    return testdb_template(&tmpl) ? -1 : 0;
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
    if (!t || testdb_open_copy(t, tmpl.path)) {
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    clock_set_offset(0);
    testdb_close(*state);
    free(*state);
    return 0;
}

/* "Now" is h:m China time on 2026-11-27 plus days. */
static void set_time(int days, int h, int m)
{
    clock_set_offset(0);
    int64_t day = 20784 + days; /* 2026-11-27 */
    int64_t t = day * 86400 - 8 * 3600 + h * 3600 + m * 60;
    clock_set_offset(t - clock_now());
}

static int64_t site_id(struct testdb *t, const char *code)
{
    return testdb_int(t, "SELECT id FROM sites WHERE code = ?", code);
}

/* The n-th (1-based) window of kind at the site of code. */
static int64_t window_id(struct testdb *t, const char *code, const char *kind, int n)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT w.id FROM windows w JOIN sites s ON s.id = w.site_id "
                              "WHERE s.code = ? AND w.kind = '%s' ORDER BY w.id LIMIT 1 OFFSET %d",
             kind, n - 1);
    return testdb_int(t, sql, code);
}

static struct actor who(struct testdb *t, const char *login)
{
    struct actor a;
    assert_int_equal(testdb_actor(t, login, &a), 0);
    return a;
}

/* Counts of what every change must move: tickets, audit entries, the sum of versions. */
struct marks {
    int64_t tickets, audit, versions, counters;
};

static struct marks marks(struct testdb *t)
{
    return (struct marks){testdb_int(t, "SELECT COUNT(*) FROM tickets", NULL),
                          testdb_int(t, "SELECT COUNT(*) FROM audit", NULL),
                          testdb_int(t, "SELECT COALESCE(SUM(version), 0) FROM queue_versions",
                                     NULL),
                          testdb_int(t, "SELECT COALESCE(SUM(last), 0) FROM ticket_counters",
                                     NULL)};
}

static void same_marks(struct testdb *t, struct marks m)
{
    struct marks n = marks(t);
    assert_int_equal(n.tickets, m.tickets);
    assert_int_equal(n.audit, m.audit);
    assert_int_equal(n.versions, m.versions);
    assert_int_equal(n.counters, m.counters);
}

/* --- operations, each in its own write transaction --- */

struct op {
    const struct actor *a;
    struct ticket_in in;
    int64_t id;
    struct ticket_action act;
    const char *field;
    int kind; /* 0 take, 1 call-next (id = window), 2 act (id = ticket) */
};

static enum bb_err op_fn(struct store_tx *tx, void *arg)
{
    struct op *o = arg;
    if (o->kind == 0)
        return ticket_take(tx, o->a, &o->in, &o->id, &o->field);
    if (o->kind == 1)
        return queue_call_next(tx, o->a, o->id, &o->id);
    return ticket_act(tx, o->a, o->id, &o->act, &o->field);
}

/* Runs o; checks the result, the field, and that a change moved the marks by exactly one
 * audit entry and one version while a refusal moved nothing. */
static int64_t run(struct testdb *t, struct op *o, enum bb_err want, const char *field)
{
    struct marks m = marks(t);
    enum bb_err rc = store_write(t->st, op_fn, o);
    if (rc != want)
        fail_msg("op %d: got %s, want %s (field %s)", o->kind, bb_err_code(rc), bb_err_code(want),
                 o->field ? o->field : "-");
    if (field)
        assert_string_equal(o->field ? o->field : "(null)", field);
    if (rc) {
        same_marks(t, m);
        return 0;
    }
    struct marks n = marks(t);
    assert_int_equal(n.audit, m.audit + 1);
    assert_int_equal(n.versions, m.versions + 1);
    assert_int_equal(n.tickets, m.tickets + (o->kind == 0));
    return o->id;
}

static int64_t take(struct testdb *t, const struct actor *a, int64_t site, const char *kind,
                    const char *priority)
{
    struct op o = {.a = a, .in = {.site_id = site, .kind = kind, .priority = priority}};
    return run(t, &o, BB_OK, NULL);
}

static void take_fails(struct testdb *t, const struct actor *a, struct ticket_in in,
                       enum bb_err want, const char *field)
{
    struct op o = {.a = a, .in = in};
    run(t, &o, want, field);
}

static int64_t call(struct testdb *t, const struct actor *a, int64_t window, enum bb_err want)
{
    struct op o = {.a = a, .id = window, .kind = 1};
    return run(t, &o, want, NULL);
}

static void act(struct testdb *t, const struct actor *a, int64_t ticket, const char *name,
                const char *kind, enum bb_err want)
{
    struct op o = {.a = a, .id = ticket, .kind = 2, .act = {.name = name, .kind = kind}};
    run(t, &o, want, NULL);
}

struct get_ctx {
    int64_t id;
    json_t *out;
};

static enum bb_err get_fn(struct store_tx *tx, void *arg)
{
    struct get_ctx *c = arg;
    return ticket_get(tx, NULL, c->id, true, &c->out);
}

static json_t *get(struct testdb *t, int64_t id)
{
    struct get_ctx c = {id, NULL};
    assert_int_equal(store_read(t->st, get_fn, &c), BB_OK);
    return c.out;
}

static void expect_ticket(struct testdb *t, int64_t id, const char *number, const char *status)
{
    json_t *o = get(t, id);
    if (number)
        assert_string_equal(json_string_value(json_object_get(o, "number")), number);
    if (status)
        assert_string_equal(json_string_value(json_object_get(o, "status")), status);
    json_decref(o);
}

static const char *number_of(struct testdb *t, int64_t id)
{
    static char ring[8][8];
    static int k;
    char *out = ring[k++ % 8];
    json_t *o = get(t, id);
    snprintf(out, 8, "%s", json_string_value(json_object_get(o, "number")));
    json_decref(o);
    return out;
}

/* --- tests --- */

static void test_numbering(void **state)
{
    struct testdb *t = *state;
    set_time(0, 9, 0);
    int64_t city = site_id(t, CITY), town = site_id(t, TOWN);
    struct actor clerk = who(t, "cityclerk");
    expect_ticket(t, take(t, NULL, city, "general", NULL), "A001", "waiting");
    expect_ticket(t, take(t, &clerk, city, "general", "elderly"), "A002", "waiting");
    expect_ticket(t, take(t, NULL, city, "assisted", NULL), "B001", NULL);
    expect_ticket(t, take(t, NULL, city, "specialised", NULL), "C001", NULL);
    expect_ticket(t, take(t, NULL, city, "self_service", NULL), "G001", NULL);
    expect_ticket(t, take(t, NULL, town, "general", NULL), "A001", NULL); /* per site */
    expect_ticket(t, take(t, NULL, city, "general", NULL), "A003", NULL);
    json_t *o = get(t, take(t, NULL, city, "general", "pregnant"));
    assert_string_equal(json_string_value(json_object_get(o, "day")), "2026-11-27");
    assert_int_equal(strlen(json_string_value(json_object_get(o, "rate_code"))), 6);
    assert_string_equal(json_string_value(json_object_get(o, "priority")), "pregnant");
    json_decref(o);
    set_time(1, 8, 30); /* a new day starts again */
    expect_ticket(t, take(t, NULL, city, "general", NULL), "A001", NULL);
    expect_ticket(t, take(t, NULL, city, "assisted", NULL), "B001", NULL);
    assert_int_equal(testdb_int(t, "SELECT version FROM queue_versions WHERE site_id = "
                                   "(SELECT id FROM sites WHERE code = ?)", CITY), 9);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM ticket_counters", NULL), 7);
}

static enum bb_err set_counter(struct store_tx *tx, void *arg)
{
    (void)arg;
    return store_exec(tx, "UPDATE ticket_counters SET last = 998 WHERE kind = 'general'");
}

static void test_take_refusals(void **state)
{
    struct testdb *t = *state;
    set_time(0, 9, 0);
    int64_t city = site_id(t, CITY), town = site_id(t, TOWN), village = site_id(t, "152502001001");
    struct actor clerk = who(t, "clerk"), cityclerk = who(t, "cityclerk"), auditor = who(t, "auditor");
    take(t, NULL, city, "general", NULL);
    take_fails(t, NULL, (struct ticket_in){.site_id = city, .kind = "nonsense"}, BB_INVALID, "kind");
    take_fails(t, NULL, (struct ticket_in){.site_id = city}, BB_INVALID, "kind");
    take_fails(t, NULL, (struct ticket_in){.site_id = village, .kind = "complaint"}, BB_INVALID,
               "kind"); /* no such window at a village */
    take_fails(t, NULL, (struct ticket_in){.site_id = city, .kind = "general", .priority = "vip"},
               BB_INVALID, "priority");
    take_fails(t, NULL,
               (struct ticket_in){.site_id = city, .kind = "general", .priority = "appointment"},
               BB_INVALID, "priority"); /* only booking check-in gives that lane */
    take_fails(t, NULL,
               (struct ticket_in){.site_id = city, .kind = "general", .item_code = "99999999999"},
               BB_INVALID, "item");
    take_fails(t, NULL, (struct ticket_in){.site_id = 9999, .kind = "general"}, BB_NOT_FOUND,
               "site_id");
    /* staff take at their own site only, and only roles that serve residents */
    take_fails(t, &clerk, (struct ticket_in){.site_id = city, .kind = "general"}, BB_FORBIDDEN, NULL);
    take_fails(t, &cityclerk, (struct ticket_in){.site_id = town, .kind = "general"}, BB_FORBIDDEN,
               NULL);
    take_fails(t, &auditor, (struct ticket_in){.site_id = city, .kind = "general"}, BB_FORBIDDEN,
               NULL);
    /* an inactive window does not open its kind */
    char *name = testdb_text(t, "SELECT number FROM tickets WHERE id = 1", NULL);
    assert_string_equal(name, "A001");
    free(name);
    assert_int_equal(store_write(t->st, set_counter, NULL), BB_OK);
    expect_ticket(t, take(t, NULL, city, "general", NULL), "A999", NULL);
    take_fails(t, NULL, (struct ticket_in){.site_id = city, .kind = "general"}, BB_CONFLICT, NULL);
    expect_ticket(t, take(t, NULL, city, "assisted", NULL), "B001", NULL); /* other kinds go on */
}

static enum bb_err close_assisted(struct store_tx *tx, void *arg)
{
    (void)arg;
    return store_exec(tx, "UPDATE windows SET active = 0 WHERE kind = 'assisted'");
}

static void test_inactive_kind(void **state)
{
    struct testdb *t = *state;
    set_time(0, 9, 0);
    int64_t city = site_id(t, CITY);
    struct actor clerk = who(t, "cityclerk");
    int64_t b = take(t, NULL, city, "assisted", NULL), a = take(t, NULL, city, "general", NULL);
    assert_int_equal(store_write(t->st, close_assisted, NULL), BB_OK);
    take_fails(t, NULL, (struct ticket_in){.site_id = city, .kind = "assisted"}, BB_INVALID, "kind");
    call(t, &clerk, window_id(t, CITY, "assisted", 1), BB_WRONG_STATE);
    expect_ticket(t, b, NULL, "waiting");
    int64_t got = call(t, &clerk, window_id(t, CITY, "general", 1), BB_OK);
    assert_int_equal(got, a);
    struct op o = {.a = &clerk, .id = a, .kind = 2, .act = {.name = "transfer", .kind = "assisted"}};
    run(t, &o, BB_INVALID, "kind");
    o.act.kind = "general"; /* not to the kind it is in */
    run(t, &o, BB_INVALID, "kind");
    o.act.kind = NULL;
    run(t, &o, BB_MISSING_FIELD, "kind");
}

static void test_order(void **state)
{
    struct testdb *t = *state;
    int64_t city = site_id(t, CITY);
    struct actor clerk = who(t, "cityclerk"), coord = who(t, "coord");
    int64_t w1 = window_id(t, CITY, "general", 1), w2 = window_id(t, CITY, "general", 2);
    int64_t b1 = window_id(t, CITY, "assisted", 1);
    set_time(0, 9, 0);
    int64_t g1 = take(t, NULL, city, "general", NULL);          /* A001 9:00 */
    set_time(0, 9, 1);
    int64_t g2 = take(t, NULL, city, "general", NULL);          /* A002 */
    set_time(0, 9, 2);
    int64_t b_1 = take(t, NULL, city, "assisted", NULL);        /* B001 9:02 */
    set_time(0, 9, 3);
    int64_t g3 = take(t, NULL, city, "general", "elderly");     /* A003: the green lane */
    set_time(0, 9, 4);
    int64_t g4 = take(t, NULL, city, "general", NULL);          /* A004 */
    set_time(0, 9, 5);
    int64_t g5 = take(t, NULL, city, "general", "disabled");    /* A005 */
    set_time(0, 9, 6);
    int64_t b_2 = take(t, NULL, city, "assisted", NULL);        /* B002 */
    /* waiting_before: A003, A005 first, then A001 A002 A004 */
    json_t *o = get(t, g4);
    assert_int_equal(json_integer_value(json_object_get(o, "waiting_before")), 4);
    json_decref(o);
    o = get(t, g3);
    assert_int_equal(json_integer_value(json_object_get(o, "waiting_before")), 0);
    json_decref(o);
    set_time(0, 9, 10);
    assert_int_equal(call(t, &clerk, w1, BB_OK), g3);
    assert_int_equal(call(t, &coord, w2, BB_OK), g5);
    o = get(t, g3);
    assert_true(json_is_null(json_object_get(o, "waiting_before")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(o, "window"), "name")),
                        "无差别综合受理窗口1");
    json_decref(o);
    /* A003 goes to the assisted queue: taken at 9:03, it comes after B001 (9:02), before B002 */
    act(t, &clerk, g3, "transfer", "assisted", BB_OK);
    o = get(t, g3);
    assert_string_equal(json_string_value(json_object_get(o, "number")), "A003");
    assert_string_equal(json_string_value(json_object_get(o, "kind")), "assisted");
    assert_true(json_is_null(json_object_get(o, "window")));
    json_decref(o);
    /* its green lane still puts it first there */
    assert_int_equal(call(t, &clerk, b1, BB_OK), g3);
    act(t, &clerk, g3, "start", NULL, BB_OK);
    act(t, &clerk, g3, "finish", NULL, BB_OK);
    assert_int_equal(call(t, &clerk, b1, BB_OK), b_1);
    act(t, &clerk, b_1, "skip", NULL, BB_OK);
    /* a transferred ordinary ticket keeps its place: A001 (9:00) before B002 (9:06) */
    act(t, &clerk, g5, "start", NULL, BB_OK);
    act(t, &clerk, g5, "finish", NULL, BB_OK);
    assert_int_equal(call(t, &coord, w2, BB_OK), g1);
    act(t, &coord, g1, "start", NULL, BB_OK);
    act(t, &coord, g1, "transfer", "assisted", BB_OK);
    assert_int_equal(call(t, &clerk, b1, BB_OK), g1);
    act(t, &clerk, g1, "skip", NULL, BB_OK);
    assert_int_equal(call(t, &clerk, b1, BB_OK), b_2);
    /* general goes on in order */
    assert_int_equal(call(t, &clerk, w1, BB_OK), g2);
    act(t, &clerk, g2, "skip", NULL, BB_OK);
    assert_int_equal(call(t, &clerk, w1, BB_OK), g4);
    act(t, &clerk, g4, "skip", NULL, BB_OK);
    call(t, &clerk, w1, BB_QUEUE_EMPTY);
    (void)number_of;
}

static void test_call_once(void **state)
{
    struct testdb *t = *state;
    set_time(0, 9, 0);
    int64_t city = site_id(t, CITY), town = site_id(t, TOWN);
    struct actor clerk = who(t, "cityclerk"), admin = who(t, "admin"), coord = who(t, "coord");
    struct actor tclerk = who(t, "clerk"), approver = who(t, "approver");
    int64_t w[5];
    for (int i = 0; i < 5; i++)
        w[i] = window_id(t, CITY, "general", i + 1);
    int64_t a1 = take(t, NULL, city, "general", NULL), a2 = take(t, NULL, city, "general", NULL);
    int64_t a3 = take(t, NULL, city, "general", NULL);
    take(t, NULL, town, "general", NULL); /* another site's queue is never called here */
    assert_int_equal(call(t, &clerk, w[0], BB_OK), a1);
    call(t, &clerk, w[0], BB_WINDOW_BUSY); /* one ticket per window at a time */
    call(t, &tclerk, w[1], BB_FORBIDDEN);  /* a township clerk at the district's window */
    call(t, &approver, w[1], BB_FORBIDDEN);
    call(t, &admin, 99999, BB_NOT_FOUND);
    assert_int_equal(call(t, &admin, w[1], BB_OK), a2);
    assert_int_equal(call(t, &coord, w[2], BB_OK), a3);
    call(t, &coord, w[3], BB_QUEUE_EMPTY);
    call(t, &coord, w[4], BB_QUEUE_EMPTY);
    /* each ticket once, at one window */
    assert_int_equal(testdb_int(t, "SELECT COUNT(DISTINCT window_id) FROM tickets "
                                   "WHERE status = 'called'", NULL), 3);
    expect_ticket(t, a1, NULL, "called");
    /* the window is free again once its ticket is done, skipped or sent on */
    act(t, &clerk, a1, "recall", NULL, BB_OK);
    json_t *o = get(t, a1);
    assert_int_equal(json_integer_value(json_object_get(o, "call_count")), 2);
    json_decref(o);
    act(t, &clerk, a1, "skip", NULL, BB_OK);
    call(t, &clerk, w[0], BB_QUEUE_EMPTY);
    /* yesterday's leftovers neither block a window nor get called today */
    set_time(1, 9, 0);
    int64_t n1 = take(t, NULL, city, "general", NULL);
    assert_int_equal(call(t, &admin, w[1], BB_OK), n1);
    assert_string_equal(number_of(t, n1), "A001");
}

/* Every action against every state: allowed only from the contract's states. */
static void test_state_machine(void **state)
{
    struct testdb *t = *state;
    set_time(0, 9, 0);
    int64_t city = site_id(t, CITY);
    struct actor clerk = who(t, "cityclerk"), tclerk = who(t, "clerk");
    static const struct {
        const char *name, *from;
    } table[] = {
        {"recall", "|called|"},  {"start", "|called|"}, {"skip", "|called|"},
        {"finish", "|serving|"}, {"transfer", "|called|serving|"},
    };
    static const char *const states[] = {"waiting", "called", "serving", "done", "no_show"};
    static const char *const after[] = {"called", "serving", "no_show", "done", "waiting"};
    int64_t win = window_id(t, CITY, "general", 1);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        for (size_t s = 0; s < 5; s++) {
            /* the waiting one in a queue of its own, so that the general queue is empty */
            int64_t id = take(t, NULL, city, s ? "general" : "complaint", NULL);
            if (s >= 1)
                assert_int_equal(call(t, &clerk, win, BB_OK), id);
            if (s == 2 || s == 3)
                act(t, &clerk, id, "start", NULL, BB_OK);
            if (s == 3)
                act(t, &clerk, id, "finish", NULL, BB_OK);
            if (s == 4)
                act(t, &clerk, id, "skip", NULL, BB_OK);
            expect_ticket(t, id, NULL, states[s]);
            const char *kind = strcmp(table[i].name, "transfer") == 0 ? "assisted" : NULL;
            act(t, &tclerk, id, table[i].name, kind, BB_FORBIDDEN); /* another site's staff */
            char key[16];
            snprintf(key, sizeof key, "|%s|", states[s]);
            bool ok = strstr(table[i].from, key) != NULL;
            act(t, &clerk, id, table[i].name, kind, ok ? BB_OK : BB_WRONG_STATE);
            expect_ticket(t, id, NULL, ok ? after[i] : states[s]);
            /* leave the window free for the next round */
            json_t *o = get(t, id);
            const char *st = json_string_value(json_object_get(o, "status"));
            if (strcmp(st, "called") == 0 || strcmp(st, "serving") == 0)
                act(t, &clerk, id, "transfer", "assisted", BB_OK);
            json_decref(o);
        }
    act(t, &clerk, 99999, "start", NULL, BB_NOT_FOUND);
}

struct snap_ctx {
    int64_t site, version;
    json_t *out;
};

static enum bb_err snap_fn(struct store_tx *tx, void *arg)
{
    struct snap_ctx *c = arg;
    enum bb_err rc = queue_snapshot(tx, c->site, &c->out);
    return rc ? rc : queue_version(tx, c->site, &c->version);
}

/* The display: the latest call first, the waiting lines per kind with a window, the version. */
static void test_snapshot(void **state)
{
    struct testdb *t = *state;
    set_time(0, 9, 0);
    int64_t city = site_id(t, CITY);
    struct actor clerk = who(t, "cityclerk");
    struct snap_ctx c = {city, -1, NULL};
    assert_int_equal(store_read(t->st, snap_fn, &c), BB_OK);
    assert_int_equal(c.version, 0);
    json_decref(c.out);
    for (int i = 0; i < 7; i++)
        take(t, NULL, city, "general", i == 6 ? "elderly" : NULL);
    take(t, NULL, city, "issuance", NULL);
    set_time(0, 9, 5);
    call(t, &clerk, window_id(t, CITY, "general", 1), BB_OK); /* A007 */
    set_time(0, 9, 6);
    call(t, &clerk, window_id(t, CITY, "general", 2), BB_OK); /* A001 */
    c.out = NULL;
    assert_int_equal(store_read(t->st, snap_fn, &c), BB_OK);
    assert_int_equal(c.version, 10);
    json_t *o = c.out;
    assert_int_equal(json_integer_value(json_object_get(o, "version")), 10);
    assert_string_equal(json_string_value(json_object_get(o, "day")), "2026-11-27");
    json_t *calling = json_object_get(o, "calling");
    assert_int_equal(json_array_size(calling), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(calling, 0), "number")),
                        "A001");
    assert_string_equal(json_string_value(json_object_get(json_array_get(calling, 0), "window")),
                        "无差别综合受理窗口2");
    assert_string_equal(json_string_value(json_object_get(json_array_get(calling, 1), "number")),
                        "A007");
    json_t *waiting = json_object_get(o, "waiting");
    assert_int_equal(json_array_size(waiting), 8 - 1); /* every kind the centre has windows of */
    json_t *g = json_array_get(waiting, 0);
    assert_string_equal(json_string_value(json_object_get(g, "kind")), "general");
    assert_int_equal(json_integer_value(json_object_get(g, "count")), 5);
    char *next = json_dumps(json_object_get(g, "next"), JSON_COMPACT);
    assert_string_equal(next, "[\"A002\",\"A003\",\"A004\",\"A005\",\"A006\"]");
    free(next);
    json_t *f = json_array_get(waiting, 5);
    assert_string_equal(json_string_value(json_object_get(f, "kind")), "issuance");
    assert_int_equal(json_integer_value(json_object_get(f, "count")), 1);
    json_decref(o);
    c.site = 99999;
    c.out = NULL;
    assert_int_equal(store_read(t->st, snap_fn, &c), BB_NOT_FOUND);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_numbering), T(test_take_refusals), T(test_inactive_kind), T(test_order),
        T(test_call_once), T(test_state_machine), T(test_snapshot),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
