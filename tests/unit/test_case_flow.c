/* test_case_flow.c - 办件 on the demo city with the shipped 2025/2026 holidays: intake by a
 * village agent under an entrustment, the actions table (every action against the states the flow
 * reaches: 409 with exactly the allowed actions), roles, If-Match, and the relay from intake to
 * archive with custody of materials, the promised clock, its pause while the resident supplies
 * materials, the back-office decision and the result sent back down. Every success adds exactly
 * one timeline event and one audit entry; every failure (inside store_write) leaves all rows as
 * they were. The clock runs at 10:00 China time on chosen days around 中秋 and 国庆 2026. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "audit/audit.h"
#include "calendar/calendar.h"
#include "cases/case_int.h"
#include "cases/pii.h"
#include "core/clock.h"
#include "testdb.h"

#define CITY "152502000000"
#define TOWN "152502001000"    /* 希日塔拉街道: clerk, tadmin */
#define VILLAGE "152502001001" /* 桑根达来社区: agent */
#define ID1 "11010519491231002X"
#define PHONE1 "13812345678"
#define NAME1 "苏和"

static struct testdb tmpl;        /* the seeded demo with the holidays, copied for every test */
static struct workday_cal *cal;   /* the test database's calendar */

/* A copy of actions.def: the expectations come from here, not from the code under test. */
static const struct {
    const char *name, *from;
} table[] = {
    {"submit", "|intake|submitted|"},
    {"receive", "|submitted|issued|"},
    {"accept", "|intake|submitted|"},
    {"request_supplement", "|intake|submitted|accepted|in_review|"},
    {"supplement", "|intake|submitted|accepted|in_review|"},
    {"forward", "|accepted|"},
    {"decide", "|accepted|in_review|"},
    {"refuse", "|intake|submitted|"},
    {"issue", "|decided|"},
    {"return_materials", "|issued|"},
    {"visit", "|issued|"},
    {"archive", "|issued|"},
    {"withdraw", "|intake|submitted|accepted|in_review|"},
    {"extend", "|accepted|in_review|"},
    {"revoke_entrustment", "|intake|submitted|accepted|in_review|decided|issued|"},
};
#define NTABLE (sizeof table / sizeof table[0])
static const char *const statuses[] = {"intake", "submitted", "accepted", "in_review", "decided",
                                       "issued", "archived", "refused", "withdrawn"};

static bool from_allows(const char *from, const char *status)
{
    char key[32];
    snprintf(key, sizeof key, "|%s|", status);
    return strstr(from, key) != NULL;
}

/* --- fixtures --- */

#include "case_fixture.inc"
}

/* --- queries --- */

/* The first column of the first row as text (a new string), "(null)" or "(no row)". */
static char *text(struct testdb *t, const char *sql, const char *arg)
{
    char *s = testdb_text(t, sql, arg);
    if (!s)
        fail_msg("query failed: %s", sql);
    return s;
}

static void text_equal(struct testdb *t, const char *sql, const char *arg, const char *want,
                       int line)
{
    char *got = text(t, sql, arg);
    if (strcmp(got, want) != 0)
        fail_msg("line %d: %s -> [%s], want [%s]", line, sql, got, want);
    free(got);
}
#define TEXT_EQ(sql, arg, want) text_equal(t, sql, arg, want, __LINE__)

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

static struct case_row load_row;
static enum bb_err load_fn(struct store_tx *tx, void *arg)
{
    return case_load(tx, arg, &load_row);
}

/* The case as stored. */
static struct case_row load(struct testdb *t, const char *receipt)
{
    assert_int_equal(store_read(t->st, load_fn, (void *)receipt), BB_OK);
    return load_row;
}

/* The ids (column id) of every row sql finds, in its order (at most CASE_MAX_MATERIALS). */
static int ids(struct testdb *t, const char *sql, const char *arg, int64_t *out)
{
    char wrapped[1024];
    snprintf(wrapped, sizeof wrapped, "SELECT group_concat(id) FROM (%s)", sql);
    char *all = text(t, wrapped, arg), *p = all;
    int n = 0;
    while (n < CASE_MAX_MATERIALS && *p >= '1' && *p <= '9') {
        out[n++] = strtoll(p, &p, 10);
        p += *p == ',';
    }
    free(all);
    return n;
}

/* An item the village offers (any mode) and the township accepts: published, promised, of rs
 * (so the demo approver decides it and approver2, of mz, may not), with 2+ required materials. */
static const char *pick_item(struct testdb *t)
{
    static char code[16];
    char *s = text(t, "SELECT i.code FROM items i JOIN item_versions v ON v.item_id = i.id AND "
                      "v.version = i.published_version JOIN departments d ON d.id = "
                      "v.department_id JOIN site_items sv ON sv.item_id = i.id JOIN sites s1 ON "
                      "s1.id = sv.site_id AND s1.code = '" VILLAGE "' JOIN site_items st ON "
                      "st.item_id = i.id AND st.mode = 'accept' JOIN sites s2 ON s2.id = "
                      "st.site_id AND s2.code = '" TOWN "' WHERE i.status = 'published' AND "
                      "v.case_type = 'promised' AND v.joint_departments = '' AND d.code = ? AND "
                      "(SELECT COUNT(*) FROM materials m WHERE m.version_id = v.id AND "
                      "m.required = 1) >= 2 ORDER BY i.code LIMIT 1", "rs");
    if (strlen(s) != 11)
        fail_msg("no suitable item: %s", s);
    snprintf(code, sizeof code, "%s", s);
    free(s);
    return code;
}

/* An application for code by NAME1 with every required material received; with an
 * entrustment (signed today, valid 90 days) when entrusted. */
static struct case_in intake(struct testdb *t, const char *code, bool entrusted)
{
    static char signed_on[WORKDAY_DATE_LEN], until[WORKDAY_DATE_LEN];
    snprintf(signed_on, sizeof signed_on, "%s", S(case_today()));
    snprintf(until, sizeof until, "%s", S(case_today() + 90));
    struct case_in in = {.item_code = code, .name = NAME1, .id_number = ID1, .phone = PHONE1,
                         .channel = "station", .entrusted = entrusted,
                         .ent_scope = entrusted ? "代办本事项申请全部环节" : NULL,
                         .ent_signed_on = entrusted ? signed_on : NULL,
                         .ent_valid_until = entrusted ? until : NULL};
    in.nreceived = ids(t, "SELECT m.id AS id FROM materials m JOIN item_versions v ON v.id = "
                          "m.version_id JOIN items i ON i.id = v.item_id AND v.version = "
                          "i.published_version WHERE i.code = ? AND m.required = 1 ORDER BY "
                          "m.seq", code, in.received);
    assert_true(in.nreceived >= 1);
    return in;
}

/* Everything a case action or intake may write, as one string. */
static char *fingerprint(struct testdb *t)
{
    return text(t,
        "SELECT (SELECT COUNT(*) FROM cases) || '|' || (SELECT COUNT(*) FROM case_events) || "
        "'|' || (SELECT COUNT(*) FROM audit) || '|' || (SELECT COUNT(*) FROM handoffs) || '|' || "
        "(SELECT COUNT(*) FROM decisions) || '|' || (SELECT COUNT(*) FROM applicants) || '|' || "
        "(SELECT COUNT(*) FROM entrustments) || '|' || (SELECT COUNT(*) FROM case_materials) || "
        "'|' || COALESCE((SELECT group_concat(status || version || '/' || holder_site_id || '/' "
        "|| COALESCE(holder_user_id, '-') || COALESCE(accepted_on, '-') || COALESCE(deadline, "
        "'-') || COALESCE(paused_since, '-') || COALESCE(notice_given_on, '-') || "
        "COALESCE(decision, '-') || extension_days || materials_returned || visited, ';') FROM "
        "cases), '') || '|' || COALESCE((SELECT group_concat(received || '/' || "
        "COALESCE(custody_site_id, '-'), ';') FROM case_materials), '') || '|' || COALESCE(("
        "SELECT group_concat(COALESCE(received_at, '-'), ';') FROM handoffs), '')", NULL);
}

static void unchanged(struct testdb *t, char *before, int line)
{
    char *after = fingerprint(t);
    if (strcmp(before, after) != 0)
        fail_msg("line %d: a failed call changed rows:\n %s\n %s", line, before, after);
    free(before);
    free(after);
}

/* --- intake and actions --- */

struct create_call {
    const struct actor *a;
    const struct case_in *in;
    char receipt[CASE_RECEIPT_LEN];
    const char *field;
};

static enum bb_err create_fn(struct store_tx *tx, void *arg)
{
    struct create_call *c = arg;
    return case_create(tx, c->a, c->in, c->receipt, &c->field);
}

static void create(struct testdb *t, const struct actor *a, const struct case_in *in,
                   enum bb_err want, const char *want_field, char *receipt, int line)
{
    char *before = fingerprint(t);
    struct create_call c = {.a = a, .in = in};
    enum bb_err rc = store_write(t->st, create_fn, &c);
    if (rc != want || (want_field && (!c.field || strcmp(c.field, want_field) != 0)))
        free(before); /* failing: no leak reports on top */
    if (rc != want)
        fail_msg("line %d: case_create as %s: %s, want %s (field %s)", line, a ? a->login : "-",
                 bb_err_code(rc), bb_err_code(want), c.field ? c.field : "-");
    if (want_field && (!c.field || strcmp(c.field, want_field) != 0))
        fail_msg("line %d: field %s, want %s", line, c.field ? c.field : "(null)", want_field);
    if (rc) {
        unchanged(t, before, line);
        return;
    }
    free(before);
    snprintf(receipt, CASE_RECEIPT_LEN, "%s", c.receipt);
}
#define CREATE(a, in, want, field, receipt) create(t, a, in, want, field, receipt, __LINE__)

struct act_call {
    const struct actor *a;
    const char *receipt;
    const struct case_action *in;
    const char *field;
    json_t *allowed;
};

static enum bb_err act_fn(struct store_tx *tx, void *arg)
{
    struct act_call *c = arg;
    return case_act(tx, c->a, c->receipt, c->in, &c->field, &c->allowed);
}

/* Runs one action and checks its result (and field unless NULL). A success bumps the version and
 * adds exactly one event (this action, by a, at a's site) and one audit entry; a failure leaves
 * every row alone. Returns the allowed list of a BB_WRONG_STATE (the caller's), else NULL. */
static json_t *act(struct testdb *t, const struct actor *a, const char *receipt,
                   struct case_action in, enum bb_err want, const char *want_field, int line)
{
    int64_t events = testdb_int(t, "SELECT COUNT(*) FROM case_events", NULL);
    int64_t audits = testdb_int(t, "SELECT COUNT(*) FROM audit", NULL);
    int64_t version = testdb_int(t, "SELECT version FROM cases WHERE receipt = ?", receipt);
    char *before = fingerprint(t);
    struct act_call c = {.a = a, .receipt = receipt, .in = &in};
    enum bb_err rc = store_write(t->st, act_fn, &c);
    if (rc != want || (want_field && (!c.field || strcmp(c.field, want_field) != 0))) {
        free(before); /* failing: no leak reports on top */
        json_decref(c.allowed);
    }
    if (rc != want)
        fail_msg("line %d: %s as %s: %s, want %s (field %s)", line, in.name, a->login,
                 bb_err_code(rc), bb_err_code(want), c.field ? c.field : "-");
    if (want_field && (!c.field || strcmp(c.field, want_field) != 0))
        fail_msg("line %d: field %s, want %s", line, c.field ? c.field : "(null)", want_field);
    if ((rc == BB_WRONG_STATE) != (c.allowed != NULL))
        fail_msg("line %d: allowed list with %s", line, bb_err_code(rc));
    if (rc) {
        unchanged(t, before, line);
        return c.allowed;
    }
    free(before);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM case_events", NULL), events + 1);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM audit", NULL), audits + 1);
    assert_int_equal(testdb_int(t, "SELECT version FROM cases WHERE receipt = ?", receipt),
                     version + 1);
    char want_ev[160], want_au[160];
    snprintf(want_ev, sizeof want_ev, "%s %lld %lld", in.name, (long long)a->user_id,
             (long long)a->site_id);
    snprintf(want_au, sizeof want_au, "case.%s case:%s %lld ok", in.name, receipt,
             (long long)a->user_id);
    text_equal(t, "SELECT e.action || ' ' || e.user_id || ' ' || e.site_id FROM case_events e "
                  "JOIN cases c ON c.id = e.case_id WHERE c.receipt = ? ORDER BY e.id DESC "
                  "LIMIT 1", receipt, want_ev, line);
    text_equal(t, "SELECT e.status = c.status FROM case_events e JOIN cases c ON c.id = "
                  "e.case_id WHERE c.receipt = ? ORDER BY e.id DESC LIMIT 1", receipt, "1", line);
    text_equal(t, "SELECT action || ' ' || object || ' ' || user_id || ' ' || result FROM audit "
                  "ORDER BY id DESC LIMIT 1", NULL, want_au, line);
    return NULL;
}
#define ACTF(a, want, field, ...)                                                              \
    json_decref(act(t, a, receipt, (struct case_action){__VA_ARGS__}, want, field, __LINE__))
#define ACT(a, want, ...) ACTF(a, want, NULL, __VA_ARGS__)
#define WRONG(a, ...)                                                                          \
    act(t, a, receipt, (struct case_action){__VA_ARGS__}, BB_WRONG_STATE, NULL, __LINE__)

/* got holds exactly the names in want, each once. */
static void same_names(json_t *got, const char *const *want, size_t n, const char *what)
{
    char *dump = json_dumps(got, JSON_COMPACT);
    if (!json_is_array(got) || json_array_size(got) != n)
        fail_msg("%s: allowed %s, want %zu names", what, dump ? dump : "?", n);
    for (size_t i = 0; i < n; i++) {
        int seen = 0;
        for (size_t k = 0; k < json_array_size(got); k++) {
            const char *v = json_string_value(json_array_get(got, k));
            seen += v && strcmp(v, want[i]) == 0;
        }
        if (seen != 1)
            fail_msg("%s: allowed %s, %s seen %d times", what, dump ? dump : "?", want[i], seen);
    }
    free(dump);
}

/* The actions the copied table allows from status. */
static size_t expected(const char *status, const char *out[NTABLE])
{
    size_t n = 0;
    for (size_t i = 0; i < NTABLE; i++)
        if (from_allows(table[i].from, status))
            out[n++] = table[i].name;
    return n;
}

static const char *all_actions[NTABLE];

/* Fills all_actions from the table once. */
static void list_actions(void)
{
    for (size_t i = 0; i < NTABLE; i++)
        all_actions[i] = table[i].name;
}

static bool has_name(json_t *arr, const char *name)
{
    for (size_t k = 0; k < json_array_size(arr); k++)
        if (strcmp(json_string_value(json_array_get(arr, k)), name) == 0)
            return true;
    return false;
}

/* got is a subset of want (the actor's allowed actions are those the state allows and the
 * actor's role, site and the case's circumstances permit) and never holds refused. */
static void subset_names(json_t *got, const char *const *want, size_t n, const char *refused,
                         const char *what)
{
    char *dump = json_dumps(got, JSON_COMPACT);
    if (!json_is_array(got))
        fail_msg("%s: allowed %s is not an array", what, dump ? dump : "?");
    for (size_t k = 0; k < json_array_size(got); k++) {
        const char *v = json_string_value(json_array_get(got, k));
        bool in = false;
        for (size_t i = 0; i < n; i++)
            in |= v && strcmp(v, want[i]) == 0;
        if (!in || (v && refused && strcmp(v, refused) == 0))
            fail_msg("%s: allowed %s holds %s", what, dump ? dump : "?", v ? v : "?");
    }
    free(dump);
}

/* Every action the case's status does not allow: 409 with exactly the allowed actions (as a,
 * who may see the case). Every one it allows: refused to the auditor. */
static void check_table(struct testdb *t, const char *receipt, const struct actor *a,
                        const struct actor *auditor, const char *status)
{
    struct case_row c = load(t, receipt);
    assert_string_equal(c.status, status);
    const char *want[NTABLE];
    size_t n = expected(status, want);
    for (size_t i = 0; i < NTABLE; i++) {
        char what[80];
        snprintf(what, sizeof what, "%s from %s", table[i].name, status);
        if (from_allows(table[i].from, status)) {
            ACT(auditor, BB_FORBIDDEN, .name = table[i].name);
            continue;
        }
        json_t *allowed = WRONG(a, .name = table[i].name, .has_approved = true,
                                .approved = true, .reason = "r", .legal_basis = "b", .days = 1);
        subset_names(allowed, want, n, table[i].name, what);
        json_decref(allowed);
    }
    ACT(a, BB_NOT_FOUND, .name = "bogus");
}

/* --- tests --- */

/* case_allowed for every status against the copied table; the names case_act knows. */
static void test_actions_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        const char *want[NTABLE];
        size_t n = expected(statuses[i], want);
        json_t *got = case_allowed(statuses[i]);
        same_names(got, want, n, statuses[i]);
        json_decref(got);
    }
    const char *none[] = {"decided_", "", "intake|", "Intake", "unknown"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        json_t *got = case_allowed(none[i]);
        same_names(got, NULL, 0, none[i]);
        json_decref(got);
    }
    for (size_t i = 0; i < NTABLE; i++)
        assert_true(case_action_known(table[i].name));
    const char *unknown[] = {"", "create", "deemed_accept", "Submit", "submit ", "approve"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        assert_false(case_action_known(unknown[i]));
}

static void test_create_refusals(void **state)
{
    struct testdb *t = *state;
    set_today("2026-09-21");
    struct actor agent = actor(t, ROLE_AGENT, VILLAGE, "agent");
    struct actor approver = actor(t, ROLE_APPROVER, CITY, "approver");
    struct actor auditor = actor(t, ROLE_AUDITOR, CITY, "auditor");
    const char *code = pick_item(t);
    char receipt[CASE_RECEIPT_LEN];
    struct case_in in = intake(t, code, false);
    CREATE(&agent, &in, BB_MISSING_FIELD, "entrustment", receipt); /* no proxy without it */
    CREATE(&approver, &in, BB_FORBIDDEN, NULL, receipt);
    CREATE(&auditor, &in, BB_FORBIDDEN, NULL, receipt);
    CREATE(NULL, &in, BB_FORBIDDEN, NULL, receipt);
    in = intake(t, code, true), in.id_number = "110105194912310021";
    CREATE(&agent, &in, BB_INVALID, "applicant.id_number", receipt);
    in = intake(t, code, true), in.phone = "12812345678";
    CREATE(&agent, &in, BB_INVALID, "applicant.phone", receipt);
    in = intake(t, code, true), in.name = "";
    CREATE(&agent, &in, BB_INVALID, "applicant.name", receipt);
    in = intake(t, code, true), in.channel = "fax";
    CREATE(&agent, &in, BB_INVALID, "channel", receipt);
    in = intake(t, code, true), in.ent_valid_until = "2026-09-20";
    CREATE(&agent, &in, BB_INVALID, "entrustment.valid_until", receipt);
    in = intake(t, code, true), in.ent_signed_on = "2026-09-22";
    CREATE(&agent, &in, BB_INVALID, "entrustment.signed_on", receipt);
    in = intake(t, code, true), in.item_code = "12999999000";
    CREATE(&agent, &in, BB_INVALID, "item", receipt);
    char field[64]; /* materials not of this item: refused after the case row went in */
    int64_t foreign = testdb_int(t, "SELECT m.id FROM materials m JOIN item_versions v ON v.id "
                                    "= m.version_id JOIN items i ON i.id = v.item_id WHERE "
                                    "i.code <> ? ORDER BY m.id LIMIT 1", code);
    in = intake(t, code, true);
    snprintf(field, sizeof field, "materials[%d].material", in.nreceived);
    in.received[in.nreceived++] = 999999;
    CREATE(&agent, &in, BB_INVALID, field, receipt);
    in.received[in.nreceived - 1] = foreign;
    CREATE(&agent, &in, BB_INVALID, field, receipt);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM cases", NULL), 0);
}

static enum bb_err verify_fn(struct store_tx *tx, void *arg)
{
    int64_t *r = arg;
    return audit_verify(tx, &r[0], &r[1]);
}

static void test_flow(void **state)
{
    struct testdb *t = *state;
    set_today("2026-09-21"); /* a Monday; 中秋 9-25..27 and 国庆 10-01..07 ahead */
    struct actor agent = actor(t, ROLE_AGENT, VILLAGE, "agent");
    struct actor agent2 = actor(t, ROLE_AGENT, "152502001002", "agent2");
    struct actor clerk = actor(t, ROLE_CLERK, TOWN, "clerk");
    struct actor clerk2 = actor(t, ROLE_CLERK, "152502002000", "clerk2");
    struct actor admin = actor(t, ROLE_ADMIN, CITY, "admin");
    struct actor auditor = actor(t, ROLE_AUDITOR, CITY, "auditor");
    struct actor approver = actor(t, ROLE_APPROVER, CITY, "approver");   /* rs */
    struct actor approver2 = actor(t, ROLE_APPROVER, CITY, "approver2"); /* mz */
    int64_t vil = site_id(t, VILLAGE), town = site_id(t, TOWN);
    const char *code = pick_item(t);
    struct case_in in = intake(t, code, true);
    char receipt[CASE_RECEIPT_LEN];

    /* intake at the village */
    CREATE(&agent, &in, BB_OK, NULL, receipt);
    assert_int_equal(strlen(receipt), 16);
    assert_memory_equal(receipt, "SQ20260921", 10);
    struct case_row c = load(t, receipt);
    assert_string_equal(c.status, "intake");
    assert_int_equal(c.version, 1);
    assert_int_equal(c.site_id, vil);
    assert_int_equal(c.holder_site_id, vil);
    assert_int_equal(c.holder_user_id, agent.user_id);
    assert_int_equal(c.first_user_id, agent.user_id);
    assert_string_equal(c.item_code, code);
    assert_string_equal(c.received_on, "2026-09-21");
    assert_string_equal(c.notice_due, S(wadd(D("2026-09-21"), 5)));
    assert_string_equal(c.notice_due, "2026-09-29"); /* 中秋: not 09-28 */
    assert_string_equal(c.notice_given_on, ""); /* nothing required is missing */
    assert_string_equal(c.accepted_on, "");
    assert_string_equal(c.deadline, "");
    TEXT_EQ("SELECT group_concat(e.action || ' ' || e.status) FROM case_events e JOIN cases c "
            "ON c.id = e.case_id WHERE c.receipt = ?", receipt, "create intake");
    TEXT_EQ("SELECT COUNT(*) FROM audit WHERE action = 'case.create' AND object = 'case:' || ?",
            receipt, "1");
    char custody[64];
    snprintf(custody, sizeof custody, "%lld 2026-09-21", (long long)agent.user_id);
    TEXT_EQ("SELECT agent_user_id || ' ' || signed_on FROM entrustments", NULL, custody);
    snprintf(custody, sizeof custody, "%d %lld", in.nreceived, (long long)vil);
    TEXT_EQ("SELECT COUNT(*) || ' ' || MIN(custody_site_id) FROM case_materials WHERE received "
            "= 1 AND custody_site_id = (SELECT site_id FROM cases WHERE receipt = ?)", receipt,
            custody);
    TEXT_EQ("SELECT id_masked || ' ' || phone_masked || ' ' || name FROM applicants", NULL,
            "110105********002X 138****5678 " NAME1);
    TEXT_EQ("SELECT instr(id_sealed, '110105194912') + instr(phone_sealed, '1381234') FROM "
            "applicants", NULL, "0");
    TEXT_EQ("SELECT phone4 || ' ' || length(query_code) FROM cases WHERE receipt = ?", receipt,
            "5678 6");

    check_table(t, receipt, &admin, &auditor, "intake");
    ACT(&agent, BB_FORBIDDEN, .name = "accept");                   /* not a desk role */
    ACT(&agent2, BB_FORBIDDEN, .name = "submit");                  /* another village */
    ACT(&clerk, BB_FORBIDDEN, .name = "submit");                   /* sees it, does not hold it */
    ACT(&agent, BB_VERSION_MISMATCH, .name = "submit", .if_match = 2);
    ACT(&agent, BB_VERSION_MISMATCH, .name = "archive", .if_match = 9); /* before the state */

    /* up the relay: materials in transit, then in the township's custody */
    ACT(&agent, BB_OK, .name = "submit", .if_match = 1);
    c = load(t, receipt);
    assert_string_equal(c.status, "submitted");
    assert_int_equal(c.holder_site_id, town);
    assert_int_equal(c.holder_user_id, 0);
    char listed[256] = "[";
    for (int i = 0; i < in.nreceived; i++)
        snprintf(listed + strlen(listed), sizeof listed - strlen(listed), "%s%lld",
                 i ? "," : "", (long long)in.received[i]);
    strcat(listed, "]");
    char want[1024];
    snprintf(want, sizeof want, "%lld>%lld %s %s", (long long)vil, (long long)town,
             S(wadd(D("2026-09-21"), 1)), listed);
    TEXT_EQ("SELECT from_site_id || '>' || to_site_id || ' ' || due || ' ' || materials FROM "
            "handoffs WHERE received_at IS NULL", NULL, want);
    TEXT_EQ("SELECT COUNT(*) FROM case_materials WHERE custody_site_id IS NOT NULL", NULL, "0");
    json_t *allowed = WRONG(&clerk, .name = "accept"); /* receive it first */
    list_actions();
    subset_names(allowed, all_actions, NTABLE, "accept", "accept before receive");
    assert_true(has_name(allowed, "receive"));
    json_decref(allowed);
    ACT(&clerk2, BB_FORBIDDEN, .name = "receive"); /* another township */
    check_table(t, receipt, &admin, &auditor, "submitted");
    ACT(&clerk, BB_OK, .name = "receive");
    c = load(t, receipt);
    assert_string_equal(c.status, "submitted");
    assert_int_equal(c.holder_user_id, clerk.user_id);
    snprintf(want, sizeof want, "%s %s", listed, listed);
    TEXT_EQ("SELECT materials || ' ' || received_materials || COALESCE(discrepancy, '') FROM "
            "handoffs WHERE received_at IS NOT NULL", NULL, want);
    snprintf(custody, sizeof custody, "%d %lld", in.nreceived, (long long)town);
    TEXT_EQ("SELECT COUNT(*) || ' ' || MIN(custody_site_id) FROM case_materials WHERE "
            "custody_site_id = (SELECT holder_site_id FROM cases WHERE receipt = ?)", receipt,
            custody);

    /* acceptance starts the promised clock */
    ACT(&clerk, BB_VERSION_MISMATCH, .name = "accept", .if_match = 2);
    ACT(&clerk, BB_OK, .name = "accept", .if_match = 3);
    c = load(t, receipt);
    assert_string_equal(c.status, "accepted");
    assert_string_equal(c.accepted_on, "2026-09-21");
    assert_true(c.promised_days > 0);
    assert_string_equal(c.deadline, S(wadd(D("2026-09-21"), (int)c.promised_days)));
    assert_int_equal(c.holder_user_id, clerk.user_id);
    check_table(t, receipt, &admin, &auditor, "accepted");
    json_decref(WRONG(&approver, .name = "decide", .has_approved = true, .approved = true));

    /* a missing material pauses it; supplied 3 working days later (over 中秋) it resumes */
    set_today("2026-09-24");
    int64_t m2 = in.received[1];
    ACTF(&clerk, BB_MISSING_FIELD, "materials", .name = "request_supplement");
    ACTF(&clerk, BB_INVALID, "materials", .name = "request_supplement", .has_materials = true,
         .materials = {999999}, .nmaterials = 1);
    ACT(&clerk, BB_OK, .name = "request_supplement", .has_materials = true, .materials = {m2},
        .nmaterials = 1, .note = "材料已过期");
    c = load(t, receipt);
    assert_string_equal(c.status, "accepted");
    assert_string_equal(c.paused_since, "2026-09-24");
    assert_string_equal(c.notice_given_on, "2026-09-24");
    char old_deadline[WORKDAY_DATE_LEN];
    snprintf(old_deadline, sizeof old_deadline, "%s", c.deadline);
    TEXT_EQ("SELECT group_concat(received || COALESCE(custody_site_id, '-')) FROM "
            "case_materials WHERE received = 0 AND required = 1", NULL, "0-");
    set_today(S(wadd(D("2026-09-24"), 3)));
    assert_int_equal(case_today(), D("2026-09-30"));
    ACTF(&clerk, BB_INVALID, "materials", .name = "supplement", .has_materials = true,
         .materials = {in.received[0]}, .nmaterials = 1); /* not missing */
    ACT(&clerk, BB_OK, .name = "supplement", .has_materials = true, .materials = {m2},
        .nmaterials = 1);
    c = load(t, receipt);
    assert_string_equal(c.paused_since, "");
    assert_string_equal(c.deadline, S(wadd(D(old_deadline), 3)));
    TEXT_EQ("SELECT COUNT(*) FROM case_materials WHERE required = 1 AND (received = 0 OR "
            "custody_site_id <> (SELECT holder_site_id FROM cases))", NULL, "0");

    /* the back office of the item's department decides */
    ACT(&clerk, BB_OK, .name = "forward");
    c = load(t, receipt);
    assert_string_equal(c.status, "in_review");
    assert_int_equal(c.holder_site_id, town);
    assert_int_equal(c.holder_user_id, 0);
    check_table(t, receipt, &admin, &auditor, "in_review");
    ACT(&approver2, BB_FORBIDDEN, .name = "decide", .has_approved = true, .approved = true);
    ACT(&clerk, BB_FORBIDDEN, .name = "decide", .has_approved = true, .approved = true);
    ACT(&admin, BB_FORBIDDEN, .name = "decide", .has_approved = true, .approved = true);
    ACTF(&approver, BB_MISSING_FIELD, "approved", .name = "decide");
    ACTF(&approver, BB_MISSING_FIELD, "reason", .name = "decide", .has_approved = true);
    ACT(&approver, BB_OK, .name = "decide", .has_approved = true, .approved = true);
    TEXT_EQ("SELECT status || ' ' || decision FROM cases", NULL, "decided approved");
    TEXT_EQ("SELECT d.code || ' ' || x.approved FROM decisions x JOIN departments d ON d.id = "
            "x.department_id", NULL, "rs 1");
    check_table(t, receipt, &admin, &auditor, "decided");

    /* the result goes back down to the village */
    ACTF(&clerk, BB_INVALID, "to_site", .name = "issue", .to_site = site_id(t, "152502002001"));
    ACTF(&clerk, BB_INVALID, "to_site", .name = "issue", .to_site = site_id(t, CITY));
    ACT(&agent, BB_FORBIDDEN, .name = "issue", .to_site = vil);
    ACT(&clerk, BB_OK, .name = "issue", .to_site = vil);
    c = load(t, receipt);
    assert_string_equal(c.status, "issued");
    assert_int_equal(c.holder_site_id, vil);
    check_table(t, receipt, &admin, &auditor, "issued");
    allowed = WRONG(&agent, .name = "return_materials");
    list_actions();
    subset_names(allowed, all_actions, NTABLE, "return_materials",
                 "return_materials before receive");
    assert_true(has_name(allowed, "receive"));
    json_decref(allowed);
    ACT(&clerk, BB_FORBIDDEN, .name = "return_materials");
    ACT(&agent, BB_OK, .name = "receive");
    assert_int_equal(load(t, receipt).holder_user_id, agent.user_id);

    /* archive needs the originals back and the return visit */
    json_decref(WRONG(&agent, .name = "archive"));
    ACT(&agent, BB_OK, .name = "return_materials");
    json_decref(WRONG(&agent, .name = "archive"));
    ACTF(&agent, BB_MISSING_FIELD, "satisfied", .name = "visit");
    ACT(&agent, BB_OK, .name = "visit", .has_satisfied = true, .satisfied = true);
    ACT(&agent, BB_OK, .name = "archive");
    check_table(t, receipt, &admin, &auditor, "archived");

    TEXT_EQ("SELECT group_concat(action, ',') FROM (SELECT action FROM case_events ORDER BY id)",
            NULL, "create,submit,receive,accept,request_supplement,supplement,forward,decide,"
                  "issue,receive,return_materials,visit,archive");
    TEXT_EQ("SELECT COUNT(*) FROM audit WHERE object = 'case:' || ?", receipt, "13");
    TEXT_EQ("SELECT version FROM cases WHERE receipt = ?", receipt, "13");
    int64_t chain[2] = {0, -1}; /* the audit chain still verifies */
    assert_int_equal(store_read(t->st, verify_fn, chain), BB_OK);
    assert_true(chain[0] > 13);
    assert_int_equal(chain[1], 0);
}

/* The side exits (refuse, withdraw), extension, and intake with a material missing. */
static void test_side_exits(void **state)
{
    struct testdb *t = *state;
    set_today("2026-09-28");
    struct actor clerk = actor(t, ROLE_CLERK, TOWN, "clerk");
    struct actor agent = actor(t, ROLE_AGENT, VILLAGE, "agent");
    struct actor coord = actor(t, ROLE_COORDINATOR, CITY, "coord");
    struct actor admin = actor(t, ROLE_ADMIN, CITY, "admin");
    struct actor auditor = actor(t, ROLE_AUDITOR, CITY, "auditor");
    const char *code = pick_item(t);
    struct case_in in = intake(t, code, false);
    char receipt[CASE_RECEIPT_LEN];

    CREATE(&clerk, &in, BB_OK, NULL, receipt);
    ACT(&agent, BB_FORBIDDEN, .name = "refuse", .reason = "r", .legal_basis = "b");
    ACTF(&clerk, BB_MISSING_FIELD, "reason", .name = "refuse", .legal_basis = "b");
    ACTF(&clerk, BB_MISSING_FIELD, "legal_basis", .name = "refuse", .reason = "不属于受理范围");
    ACT(&clerk, BB_OK, .name = "refuse", .reason = "不属于受理范围",
        .legal_basis = "《行政许可法》第三十二条");
    TEXT_EQ("SELECT status || ' ' || decision FROM cases WHERE receipt = ?", receipt,
            "refused refused");
    check_table(t, receipt, &admin, &auditor, "refused");

    CREATE(&clerk, &in, BB_OK, NULL, receipt);
    ACTF(&clerk, BB_MISSING_FIELD, "reason", .name = "withdraw");
    ACT(&clerk, BB_OK, .name = "withdraw", .reason = "申请人撤回");
    check_table(t, receipt, &admin, &auditor, "withdrawn");

    CREATE(&clerk, &in, BB_OK, NULL, receipt);
    ACT(&clerk, BB_OK, .name = "accept");
    char deadline[WORKDAY_DATE_LEN];
    snprintf(deadline, sizeof deadline, "%s", load(t, receipt).deadline);
    ACT(&clerk, BB_FORBIDDEN, .name = "extend", .days = 5, .reason = "需现场核查");
    ACTF(&coord, BB_INVALID, "days", .name = "extend", .days = 0, .reason = "需现场核查");
    ACTF(&coord, BB_INVALID, "days", .name = "extend", .days = 61, .reason = "需现场核查");
    ACTF(&coord, BB_MISSING_FIELD, "reason", .name = "extend", .days = 5);
    ACT(&coord, BB_OK, .name = "extend", .days = 5, .reason = "需现场核查");
    struct case_row c = load(t, receipt);
    assert_string_equal(c.deadline, S(wadd(D(deadline), 5)));
    assert_int_equal(c.extension_days, 5);

    /* a required material missing at intake: the one-time notice is given on the spot */
    in.nreceived--;
    int64_t missing = in.received[in.nreceived];
    CREATE(&clerk, &in, BB_OK, NULL, receipt);
    c = load(t, receipt);
    assert_string_equal(c.notice_given_on, "2026-09-28");
    TEXT_EQ("SELECT note FROM case_events WHERE action = 'create' ORDER BY id DESC LIMIT 1",
            NULL, "一次性告知已出具");
    ACTF(&clerk, BB_MATERIALS_MISSING, "materials", .name = "accept");
    ACT(&clerk, BB_OK, .name = "supplement", .has_materials = true, .materials = {missing},
        .nmaterials = 1);
    assert_string_equal(load(t, receipt).paused_since, ""); /* never paused before acceptance */
    ACT(&clerk, BB_OK, .name = "accept");
    c = load(t, receipt);
    assert_string_equal(c.accepted_on, "2026-09-28");
    assert_string_equal(c.deadline, S(wadd(D("2026-09-28"), (int)c.promised_days)));
}

/* An agent hands a case on only under the resident's entrustment while it is in force: intake
 * refuses an expired one (entrustment.valid_until), and submit must too once it has run out. */
static void test_submit_expired_entrustment(void **state)
{
    struct testdb *t = *state;
    set_today("2026-09-21");
    struct actor agent = actor(t, ROLE_AGENT, VILLAGE, "agent");
    struct case_in in = intake(t, pick_item(t), true);
    in.ent_valid_until = "2026-09-25";
    char receipt[CASE_RECEIPT_LEN];
    CREATE(&agent, &in, BB_OK, NULL, receipt);
    set_today("2026-09-25"); /* its last day: still fine, as at intake */
    ACT(&agent, BB_VERSION_MISMATCH, .name = "submit", .if_match = 5);
    set_today("2026-09-28");
    ACTF(&agent, BB_FORBIDDEN, "entrustment", .name = "submit");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_actions_table),
        T(test_create_refusals),
        T(test_flow),
        T(test_side_exits),
        T(test_submit_expired_entrustment),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
