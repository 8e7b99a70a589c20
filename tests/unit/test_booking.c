/* test_booking.c - 预约 in the domain, on the demo city with the shipped 2026 holidays: opening
 * hours and the slots they give (ranges, a slot that does not fit, a 调休 make-up Saturday open,
 * a statutory holiday closed, only slots not yet started), the capacity of a slot never exceeded
 * (booking until full, cancelling frees one place) and the no-show limit (missed appointments
 * marked by the sweep suspend booking, for --no-show-days only). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cases/pii.h"
#include "core/clock.h"
#include "core/workday.h"
#include "front/booking.h"
#include "front/front.h"
#include "testdb.h"

static struct testdb tmpl;

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
    struct front_policy p = {3, 90, 30, 15, 5};
    front_set_policy(&p);
    testdb_close(*state);
    free(*state);
    return 0;
}

/* "Now" is hh:mm China time on date. */
static void set_now(const char *date, int hh, int mm)
{
    int day = 0;
    assert_int_equal(workday_parse(date, &day), BB_OK);
    clock_set_offset(0);
    clock_set_offset(booking_unix(day, hh * 60 + mm) - clock_now());
    assert_int_equal(booking_today(), day);
}

/* --- transactions --- */

struct call {
    int64_t site_id, id;
    const char *date;
    struct booking_in in;
    char code[BOOKING_CODE_LEN + 1];
    int retry, changed;
    const char *field;
    json_t *out;
};

static enum bb_err slots_fn(struct store_tx *tx, void *arg)
{
    struct call *c = arg;
    return booking_slots(tx, c->site_id, c->date, &c->out, &c->field);
}

static enum bb_err book_fn(struct store_tx *tx, void *arg)
{
    struct call *c = arg;
    enum bb_err rc = booking_create(tx, &c->in, c->code, &c->retry, &c->field);
    if (!rc)
        rc = booking_find(tx, c->code, c->in.phone, &c->id);
    return rc;
}

static enum bb_err cancel_fn(struct store_tx *tx, void *arg)
{
    struct call *c = arg;
    return booking_cancel(tx, c->id);
}

static enum bb_err sweep_fn(struct store_tx *tx, void *arg)
{
    struct call *c = arg;
    return booking_sweep(tx, &c->changed);
}

/* The day's slots at site (a new reference), expecting BB_OK. */
static json_t *slots(struct testdb *t, int64_t site, const char *date)
{
    struct call c = {.site_id = site, .date = date};
    assert_int_equal(store_read(t->st, slots_fn, &c), BB_OK);
    return c.out;
}

static int64_t site_id(struct testdb *t, const char *code)
{
    int64_t id = testdb_int(t, "SELECT id FROM sites WHERE code = ?", code);
    assert_true(id > 0);
    return id;
}

/* A published item every site of the demo handles at a district centre. */
static char *any_item(struct testdb *t)
{
    char *code = testdb_text(t, "SELECT code FROM items WHERE status = 'published' ORDER BY code "
                                "LIMIT 1", NULL);
    assert_non_null(code);
    return code;
}

static enum bb_err book(struct testdb *t, const char *slot, const char *item, const char *phone,
                        struct call *c)
{
    memset(c, 0, sizeof *c);
    c->in = (struct booking_in){.slot = slot, .item = item, .name = "苏和", .phone = phone,
                                .addr = "unit"};
    return store_write(t->st, book_fn, c);
}

static int64_t count(struct testdb *t, const char *sql)
{
    int64_t n = testdb_int(t, sql, NULL);
    assert_true(n >= 0);
    return n;
}

/* --- hours --- */

static void test_hours(void **state)
{
    (void)state;
    struct booking_hours h;
    int starts[BOOKING_MAX_SLOTS];
    assert_true(booking_hours_parse("09:00-12:00,13:30-17:30", &h));
    assert_int_equal(h.n, 2);
    assert_int_equal(booking_slot_starts(&h, 30, starts, BOOKING_MAX_SLOTS), 14);
    assert_int_equal(starts[0], 9 * 60);
    assert_int_equal(starts[5], 11 * 60 + 30);
    assert_int_equal(starts[6], 13 * 60 + 30);
    assert_int_equal(starts[13], 17 * 60);
    /* 45 minutes: 11:15-12:00 still fits, 17:15 would end at 18:00 and does not. */
    int n = booking_slot_starts(&h, 45, starts, BOOKING_MAX_SLOTS);
    assert_int_equal(n, 9);
    assert_int_equal(starts[3], 11 * 60 + 15);
    assert_int_equal(starts[8], 16 * 60 + 30);
    /* A slot longer than a range gives nothing there. */
    assert_true(booking_hours_parse("09:00-09:20,10:00-12:00", &h));
    n = booking_slot_starts(&h, 30, starts, BOOKING_MAX_SLOTS);
    assert_int_equal(n, 4);
    assert_int_equal(starts[0], 10 * 60);
    assert_true(booking_hours_parse("00:00-24:00", &h));
    assert_int_equal(booking_slot_starts(&h, 5, starts, BOOKING_MAX_SLOTS), 288);
    assert_true(booking_hours_parse("08:00-09:00,09:00-10:00", &h)); /* touching is fine */
    static const char *const bad[] = {
        "", "9:00-12:00", "09:00-12:00,", "12:00-09:00", "09:00-09:00", "10:00-12:00,09:00-11:00",
        "09:00-12:00,11:00-13:00", "09:60-10:00", "24:30-25:00", "09:00-24:01", "09:00 12:00",
        "08:00-09:00,09:00-10:00,10:00-11:00,11:00-12:00,13:00-14:00", "09:00-12:00;13:00-14:00",
        "09:00-12:00,13:00-14:00x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (booking_hours_parse(bad[i], &h))
            fail_msg("hours '%s' accepted", bad[i]);
}

/* --- slots on the calendar --- */

static void test_slots_calendar(void **state)
{
    struct testdb *t = *state;
    int64_t village = site_id(t, "152502001001"), city = site_id(t, "152502000000");
    set_now("2026-09-17", 8, 0); /* a Thursday before 中秋/国庆 */
    json_t *o = slots(t, village, "2026-09-18");
    assert_true(json_is_true(json_object_get(o, "open")));
    json_t *items = json_object_get(o, "items");
    assert_int_equal(json_array_size(items), 14);
    json_t *first = json_array_get(items, 0);
    assert_string_equal(json_string_value(json_object_get(first, "start")),
                        "2026-09-18T09:00:00+08:00");
    assert_string_equal(json_string_value(json_object_get(first, "end")),
                        "2026-09-18T09:30:00+08:00");
    assert_int_equal(json_integer_value(json_object_get(first, "capacity")), 4);
    assert_int_equal(json_integer_value(json_object_get(first, "remaining")), 4);
    assert_string_equal(json_string_value(json_object_get(o, "bookable_until")), "2026-10-17");
    json_decref(o);
    /* 2026-09-20 is a Sunday worked for 国庆 (调休): open. */
    o = slots(t, village, "2026-09-20");
    assert_true(json_is_true(json_object_get(o, "open")));
    assert_int_equal(json_array_size(json_object_get(o, "items")), 14);
    json_decref(o);
    /* An ordinary Saturday and 中秋 (a Friday): closed, no slots. */
    static const char *const closed[] = {"2026-09-19", "2026-09-25", "2026-10-05"};
    for (size_t i = 0; i < 3; i++) {
        o = slots(t, village, closed[i]);
        assert_true(json_is_false(json_object_get(o, "open")));
        assert_int_equal(json_array_size(json_object_get(o, "items")), 0);
        json_decref(o);
    }
    /* The city centre's two services, merged by start time. */
    o = slots(t, city, "2026-09-18");
    items = json_object_get(o, "items");
    assert_int_equal(json_array_size(items), 28);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "kind")),
                        "general");
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "kind")),
                        "assisted");
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "start")),
                        "2026-09-18T09:00:00+08:00");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "capacity")), 6);
    json_decref(o);
    /* Today at 10:10: only slots that have not started (10:30 on). */
    set_now("2026-09-17", 10, 10);
    o = slots(t, village, "2026-09-17");
    items = json_object_get(o, "items");
    assert_int_equal(json_array_size(items), 11);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "start")),
                        "2026-09-17T10:30:00+08:00");
    json_decref(o);
    /* Bad dates: missing, malformed, past, after the bookable days. */
    struct call c = {.site_id = village};
    assert_int_equal(store_read(t->st, slots_fn, &c), BB_MISSING_FIELD);
    static const char *const bad[] = {"2026-9-18", "2026-09-16", "2026-10-18", "x"};
    for (size_t i = 0; i < 4; i++) {
        c = (struct call){.site_id = village, .date = bad[i]};
        assert_int_equal(store_read(t->st, slots_fn, &c), BB_INVALID);
        assert_string_equal(c.field, "date");
    }
    c = (struct call){.site_id = 999, .date = "2026-09-18"};
    assert_int_equal(store_read(t->st, slots_fn, &c), BB_NOT_FOUND);
}

/* --- capacity --- */

static void test_capacity(void **state)
{
    struct testdb *t = *state;
    set_now("2026-09-17", 8, 0);
    int64_t city = site_id(t, "152502000000");
    json_t *o = slots(t, city, "2026-09-18");
    const char *slot = json_string_value(json_object_get(json_array_get(json_object_get(o, "items"),
                                                                        2), "id"));
    char id[64];
    snprintf(id, sizeof id, "%s", slot); /* general, 09:30, capacity 6 */
    json_decref(o);
    char *item = any_item(t);
    struct call c, first;
    char phone[16];
    for (int i = 0; i < 6; i++) {
        snprintf(phone, sizeof phone, "1381234560%d", i);
        assert_int_equal(book(t, id, item, phone, i ? &c : &first), BB_OK);
    }
    assert_int_equal(count(t, "SELECT booked FROM slot_counts"), 6);
    int64_t audits = count(t, "SELECT COUNT(*) FROM audit");
    assert_int_equal(book(t, id, item, "13812345699", &c), BB_SLOT_FULL);
    assert_int_equal(count(t, "SELECT booked FROM slot_counts"), 6);
    assert_int_equal(count(t, "SELECT COUNT(*) FROM appointments"), 6);
    assert_int_equal(count(t, "SELECT COUNT(*) FROM audit"), audits);
    o = slots(t, city, "2026-09-18");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(o, "items"),
                                                                       2), "remaining")), 0);
    json_decref(o);
    /* The same phone twice at one site on one day: conflict, even in another slot. */
    assert_int_equal(book(t, id, item, "13812345600", &c), BB_CONFLICT);
    /* Cancelling frees exactly one place. */
    assert_int_equal(store_write(t->st, cancel_fn, &first), BB_OK);
    assert_int_equal(count(t, "SELECT booked FROM slot_counts"), 5);
    assert_int_equal(store_write(t->st, cancel_fn, &first), BB_WRONG_STATE);
    assert_int_equal(count(t, "SELECT booked FROM slot_counts"), 5);
    assert_int_equal(book(t, id, item, "13812345699", &c), BB_OK);
    assert_int_equal(book(t, id, item, "13812345698", &c), BB_SLOT_FULL);
    assert_int_equal(count(t, "SELECT booked FROM slot_counts"), 6);
    assert_int_equal(count(t, "SELECT COUNT(*) FROM appointments WHERE status = 'booked'"), 6);
    /* The cancelled resident may book again elsewhere that day. */
    snprintf(id + strlen(id) - 4, 5, "1000");
    assert_int_equal(book(t, id, item, "13812345600", &c), BB_OK);
    /* Bad slots. */
    assert_int_equal(book(t, "1-20260918-0930x", item, "13812345601", &c), BB_INVALID);
    assert_int_equal(book(t, "999-20260918-0930", item, "13812345601", &c), BB_INVALID);
    snprintf(id + strlen(id) - 4, 5, "0945");
    assert_int_equal(book(t, id, item, "13812345688", &c), BB_SLOT_CLOSED); /* not a start */
    snprintf(id + strlen(id) - 4, 5, "1230");
    assert_int_equal(book(t, id, item, "13812345688", &c), BB_SLOT_CLOSED); /* lunch */
    free(item);
}

/* --- no-show limit --- */

static void test_no_show_limit(void **state)
{
    struct testdb *t = *state;
    int64_t village = site_id(t, "152502001001");
    char sid[24];
    snprintf(sid, sizeof sid, "%lld", (long long)village);
    char *item = testdb_text(t, "SELECT i.code FROM items i JOIN site_items si ON si.item_id = i.id "
                          "WHERE si.site_id = CAST(? AS INTEGER) AND i.status = 'published' "
                          "ORDER BY i.code LIMIT 1", sid);
    assert_non_null(item);
    assert_string_not_equal(item, "(no row)");
    int64_t svc = testdb_int(t, "SELECT id FROM booking_services WHERE site_id = CAST(? AS "
                                "INTEGER)", sid);
    /* Three bookings on three working days, none kept. */
    static const char *const days[] = {"20260914", "20260915", "20260916"};
    set_now("2026-09-11", 8, 0);
    struct call c;
    for (int i = 0; i < 3; i++) {
        char slot[48];
        snprintf(slot, sizeof slot, "%lld-%s-1000", (long long)svc, days[i]);
        assert_int_equal(book(t, slot, item, "13912345678", &c), BB_OK);
    }
    /* A district item not offered at the village is refused there. */
    char slot[48];
    snprintf(slot, sizeof slot, "%lld-20260917-1000", (long long)svc);
    char *other = testdb_text(t, "SELECT code FROM items WHERE status = 'published' AND id NOT IN "
                                 "(SELECT item_id FROM site_items WHERE site_id = CAST(? AS "
                                 "INTEGER)) LIMIT 1", sid);
    assert_int_equal(book(t, slot, other, "13912345678", &c), BB_INVALID);
    assert_string_equal(c.field, "item");
    free(other);
    set_now("2026-09-17", 8, 0);
    struct call sw = {0};
    assert_int_equal(store_write(t->st, sweep_fn, &sw), BB_OK);
    assert_int_equal(sw.changed, 3);
    assert_int_equal(count(t, "SELECT COUNT(*) FROM appointments WHERE status = 'no_show'"), 3);
    assert_int_equal(count(t, "SELECT COUNT(*) FROM audit WHERE action = 'appointment.no_show'"),
                     3);
    assert_int_equal(store_write(t->st, sweep_fn, &sw), BB_OK);
    assert_int_equal(sw.changed, 0);
    int64_t before = count(t, "SELECT COUNT(*) FROM appointments");
    assert_int_equal(book(t, slot, item, "13912345678", &c), BB_BOOKING_BLOCKED);
    assert_int_equal(count(t, "SELECT COUNT(*) FROM appointments"), before);
    assert_int_equal(count(t, "SELECT COALESCE(SUM(booked), 0) FROM slot_counts WHERE day = "
                              "'2026-09-17'"), 0);
    /* Another resident is not affected; a higher limit lets this one book. */
    assert_int_equal(book(t, slot, item, "13912345679", &c), BB_OK);
    struct front_policy p = {4, 90, 30, 15, 5};
    front_set_policy(&p);
    assert_int_equal(book(t, slot, item, "13912345678", &c), BB_OK);
    /* Misses older than --no-show-days no longer count. */
    p.no_show_limit = 3;
    p.no_show_days = 2;
    front_set_policy(&p);
    snprintf(slot, sizeof slot, "%lld-20260918-1000", (long long)svc);
    assert_int_equal(book(t, slot, item, "13912345678", &c), BB_OK);
    free(item);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hours),
        cmocka_unit_test_setup_teardown(test_slots_calendar, setup, teardown),
        cmocka_unit_test_setup_teardown(test_capacity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_show_limit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
