/* test_workday.c - dates, the holiday calendar (the shipped 2025 and 2026 notices), working-day
 * arithmetic and the calendar CSV parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "core/embedded.h"
#include "core/workday.h"

/* Day number of a date the test knows is valid. */
static int D(const char *s)
{
    int day = 0;
    if (workday_parse(s, &day))
        fail_msg("bad test date '%s'", s);
    return day;
}

static void load_embedded(struct workday_cal *cal, const char *path)
{
    const struct embedded_file *f = data_file(path);
    long line = -1;
    if (!f) {
        fail_msg("%s not embedded", path);
        return;
    }
    assert_int_equal(workday_cal_parse_csv(cal, (const char *)f->data, f->len, &line), BB_OK);
    assert_int_equal(line, 0);
}

/* A calendar with the official 2025 and 2026 notices, as shipped in data/holidays/. */
static int setup_official(void **state)
{
    struct workday_cal *cal = NULL;
    if (workday_cal_new(&cal))
        return -1;
    load_embedded(cal, "/holidays/2025.csv");
    load_embedded(cal, "/holidays/2026.csv");
    *state = cal;
    return 0;
}

static int teardown_cal(void **state)
{
    workday_cal_free(*state);
    return 0;
}

/* --- dates ------------------------------------------------------------------------------- */

static void test_round_trip(void **state)
{
    (void)state;
    char buf[WORKDAY_DATE_LEN];
    assert_int_equal(D("1970-01-01"), 0);
    assert_int_equal(D("1900-01-01"), WORKDAY_DAY_MIN);
    assert_int_equal(D("2200-12-31"), WORKDAY_DAY_MAX);
    assert_int_equal(D("2026-02-14"), 20498);
    /* every day in range: format -> parse and ymd -> day are inverses, days are consecutive */
    int prev_y = 1899, prev_m = 12, prev_d = 31;
    for (int day = WORKDAY_DAY_MIN; day <= WORKDAY_DAY_MAX; day++) {
        int back = -1, y, m, d, again = -1;
        assert_int_equal(workday_format(day, buf), BB_OK);
        assert_int_equal(strlen(buf), 10);
        assert_int_equal(workday_parse(buf, &back), BB_OK);
        assert_int_equal(back, day);
        workday_to_ymd(day, &y, &m, &d);
        assert_int_equal(workday_from_ymd(y, m, d, &again), BB_OK);
        assert_int_equal(again, day);
        if (!(d == prev_d + 1 && m == prev_m && y == prev_y) &&
            !(d == 1 && m == prev_m + 1 && y == prev_y) && !(d == 1 && m == 1 && prev_m == 12 &&
                                                            y == prev_y + 1))
            fail_msg("%s does not follow %d-%d-%d", buf, prev_y, prev_m, prev_d);
        prev_y = y, prev_m = m, prev_d = d;
    }
    assert_int_equal(workday_format(D("2024-02-29"), buf), BB_OK);
    assert_string_equal(buf, "2024-02-29");
    assert_int_equal(workday_format(D("2000-02-29"), buf), BB_OK);
    assert_string_equal(buf, "2000-02-29");
    /* out of range */
    assert_int_equal(workday_format(WORKDAY_DAY_MIN - 1, buf), BB_INVALID);
    assert_string_equal(buf, "");
    assert_int_equal(workday_format(WORKDAY_DAY_MAX + 1, buf), BB_INVALID);
    int y, m, d;
    workday_to_ymd(-719468, &y, &m, &d); /* far outside: still a date, for what it is worth */
    assert_int_equal(y, 0);
    assert_int_equal(m, 3);
    assert_int_equal(d, 1);
}

static void test_invalid_dates(void **state)
{
    (void)state;
    const char *bad[] = {
        NULL, "", "2026-02-29", "1900-02-29", "2100-02-29", "2026-02-30", "2026-04-31",
        "2026-13-01", "2026-00-10", "2026-01-00", "2026-01-32", "1899-12-31", "2201-01-01",
        "0000-01-01", "9999-12-31", "2026-1-01", "2026-01-1", "2026-01-01 ", " 2026-01-01",
        "2026/01/01", "20260101", "2026-01-0a", "+026-01-01", "-026-01-01", "2026-01-01T00",
        "2026--1-01", "2026-0x-01", "2026-01", "２０２６-01-01",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int day = 12345;
        if (workday_parse(bad[i], &day) != BB_INVALID)
            fail_msg("'%s' accepted", bad[i] ? bad[i] : "(null)");
        assert_int_equal(day, 12345); /* untouched */
    }
    int day;
    assert_int_equal(workday_parse("2024-02-29", &day), BB_OK);
    assert_int_equal(workday_parse("2000-02-29", &day), BB_OK);
    assert_int_equal(workday_from_ymd(2026, 2, 29, &day), BB_INVALID);
    assert_int_equal(workday_from_ymd(2026, 0, 1, &day), BB_INVALID);
    assert_int_equal(workday_from_ymd(1899, 12, 31, &day), BB_INVALID);
    assert_int_equal(workday_from_ymd(2024, 2, 29, &day), BB_OK);
}

static void test_weekday(void **state)
{
    (void)state;
    assert_int_equal(workday_weekday(D("1970-01-01")), 4); /* Thursday */
    assert_int_equal(workday_weekday(D("1969-12-28")), 7); /* negative day numbers */
    assert_int_equal(workday_weekday(D("1900-01-01")), 1); /* Monday */
    assert_int_equal(workday_weekday(D("2026-02-13")), 5);
    assert_int_equal(workday_weekday(D("2026-02-14")), 6);
    assert_int_equal(workday_weekday(D("2025-09-28")), 7);
    assert_int_equal(workday_weekday(D("2026-02-23")), 1);
    for (int day = WORKDAY_DAY_MIN; day < WORKDAY_DAY_MAX; day++)
        assert_int_equal(workday_weekday(day + 1), workday_weekday(day) % 7 + 1);
}

/* --- the calendar ------------------------------------------------------------------------ */

static void test_weekends_only(void **state)
{
    (void)state;
    struct workday_cal *cal = NULL;
    assert_int_equal(workday_cal_new(&cal), BB_OK);
    /* 2026-02-16 .. 22 is Monday .. Sunday; with no year loaded, and with no calendar at all */
    const struct workday_cal *cals[] = {cal, NULL};
    for (int c = 0; c < 2; c++) {
        for (int i = 0; i < 7; i++)
            assert_int_equal(workday_is_working(cals[c], D("2026-02-16") + i), i < 5);
        assert_false(workday_cal_year_loaded(cals[c], 2026));
        int out;
        bool prov = false;
        assert_int_equal(workday_add(cals[c], D("2026-02-13"), 1, &out, &prov), BB_OK);
        assert_int_equal(out, D("2026-02-16"));
        assert_true(prov);
    }
    /* outside the range: the weekend rule, no crash */
    assert_false(workday_is_working(cal, WORKDAY_DAY_MAX + 10)); /* 2201-01-10 is a Saturday */
    assert_int_equal(workday_cal_kind(cal, WORKDAY_DAY_MAX + 10), 0);
    workday_cal_free(cal);
    workday_cal_free(NULL);
}

static void test_spring_festival_2026(void **state)
{
    const struct workday_cal *cal = *state;
    assert_true(workday_cal_year_loaded(cal, 2026));
    assert_true(workday_is_working(cal, D("2026-02-13")));  /* Friday */
    assert_true(workday_is_working(cal, D("2026-02-14")));  /* Saturday, make-up day */
    for (int day = D("2026-02-15"); day <= D("2026-02-23"); day++)
        assert_false(workday_is_working(cal, day));         /* 9 days off, Mon..Fri included */
    assert_true(workday_is_working(cal, D("2026-02-24")));
    assert_true(workday_is_working(cal, D("2026-02-27")));
    assert_true(workday_is_working(cal, D("2026-02-28")));  /* Saturday, make-up day */
    assert_false(workday_is_working(cal, D("2026-03-01"))); /* an ordinary Sunday */
    assert_false(workday_is_working(cal, D("2026-02-07"))); /* an ordinary Saturday */
    assert_int_equal(workday_cal_kind(cal, D("2026-02-14")), WORKDAY_KIND_WORKDAY);
    assert_int_equal(workday_cal_kind(cal, D("2026-02-16")), WORKDAY_KIND_HOLIDAY);
    assert_int_equal(workday_cal_kind(cal, D("2026-02-24")), 0);
    /* New Year 2026: Thu..Sat off, Sunday 01-04 worked */
    assert_false(workday_is_working(cal, D("2026-01-02")));
    assert_true(workday_is_working(cal, D("2026-01-04")));
}

static void test_national_day_2025(void **state)
{
    const struct workday_cal *cal = *state;
    assert_true(workday_cal_year_loaded(cal, 2025));
    assert_false(workday_is_working(cal, D("2025-09-27"))); /* Saturday */
    assert_true(workday_is_working(cal, D("2025-09-28")));  /* Sunday, make-up day */
    assert_true(workday_is_working(cal, D("2025-09-30")));
    for (int day = D("2025-10-01"); day <= D("2025-10-08"); day++)
        assert_false(workday_is_working(cal, day));
    assert_true(workday_is_working(cal, D("2025-10-09")));
    assert_true(workday_is_working(cal, D("2025-10-10")));
    assert_true(workday_is_working(cal, D("2025-10-11")));  /* Saturday, make-up day */
    assert_false(workday_is_working(cal, D("2025-10-12")));
    int out, n;
    bool prov = true;
    /* Tuesday 09-30 + 1 skips the whole block */
    assert_int_equal(workday_add(cal, D("2025-09-30"), 1, &out, &prov), BB_OK);
    assert_int_equal(out, D("2025-10-09"));
    assert_false(prov);
    /* Friday 09-26 + 1 lands on the Sunday make-up day */
    assert_int_equal(workday_add(cal, D("2025-09-26"), 1, &out, NULL), BB_OK);
    assert_int_equal(out, D("2025-09-28"));
    /* 09-26 + 5: 28, 29, 30, 10-09, 10-10 */
    assert_int_equal(workday_add(cal, D("2025-09-26"), 5, &out, NULL), BB_OK);
    assert_int_equal(out, D("2025-10-10"));
    assert_int_equal(workday_add(cal, D("2025-09-26"), 6, &out, NULL), BB_OK);
    assert_int_equal(out, D("2025-10-11"));
    assert_int_equal(workday_between(cal, D("2025-09-26"), D("2025-10-12"), &n, &prov), BB_OK);
    assert_int_equal(n, 6);
    assert_false(prov);
}

static void test_add_examples(void **state)
{
    const struct workday_cal *cal = *state;
    int out = 0;
    bool prov = true;
    assert_int_equal(workday_add(cal, D("2026-02-13"), 1, &out, &prov), BB_OK);
    assert_int_equal(out, D("2026-02-14"));
    assert_false(prov);
    assert_int_equal(workday_add(cal, D("2026-02-14"), 1, &out, &prov), BB_OK);
    assert_int_equal(out, D("2026-02-24"));
    assert_int_equal(workday_add(cal, D("2026-02-13"), 2, &out, &prov), BB_OK);
    assert_int_equal(out, D("2026-02-24"));
    assert_int_equal(workday_add(cal, D("2026-02-16"), 1, &out, &prov), BB_OK); /* from a holiday */
    assert_int_equal(out, D("2026-02-24"));
    /* 20 working days from 2026-02-10 (Tue): 11,12,13,14 | 24..27,28 | 3-02..06 | 09..13 | 16 */
    assert_int_equal(workday_add(cal, D("2026-02-10"), 20, &out, &prov), BB_OK);
    assert_int_equal(out, D("2026-03-16"));
    assert_false(prov);
    /* n = 0: the day itself when worked, else the next working day */
    assert_int_equal(workday_add(cal, D("2026-02-13"), 0, &out, &prov), BB_OK);
    assert_int_equal(out, D("2026-02-13"));
    assert_int_equal(workday_add(cal, D("2026-02-14"), 0, &out, &prov), BB_OK);
    assert_int_equal(out, D("2026-02-14"));
    assert_int_equal(workday_add(cal, D("2026-02-15"), 0, &out, &prov), BB_OK);
    assert_int_equal(out, D("2026-02-24"));
    assert_int_equal(workday_add(cal, D("2026-03-01"), 0, &out, &prov), BB_OK); /* Sunday */
    assert_int_equal(out, D("2026-03-02"));
    assert_false(prov);
    /* across New Year: Wed 2025-12-31 + 1 is the Sunday make-up day 2026-01-04 */
    assert_int_equal(workday_add(cal, D("2025-12-31"), 1, &out, &prov), BB_OK);
    assert_int_equal(out, D("2026-01-04"));
    assert_false(prov);
}

static void test_unloaded_year(void **state)
{
    const struct workday_cal *cal = *state;
    int out = 0, n = 0;
    bool prov = false;
    assert_false(workday_cal_year_loaded(cal, 2027));
    /* Thursday 2026-12-24 + 1 stays in 2026: final */
    assert_int_equal(workday_add(cal, D("2026-12-24"), 1, &out, &prov), BB_OK);
    assert_int_equal(out, D("2026-12-25"));
    assert_false(prov);
    /* Wednesday 2026-12-30 + 3: 31, 2027-01-01 (Fri; weekends rule), 01-04: provisional */
    assert_int_equal(workday_add(cal, D("2026-12-30"), 3, &out, &prov), BB_OK);
    assert_int_equal(out, D("2027-01-04"));
    assert_true(prov);
    assert_int_equal(workday_between(cal, D("2026-12-30"), D("2027-01-04"), &n, &prov), BB_OK);
    assert_int_equal(n, 3);
    assert_true(prov);
    /* a year before any notice */
    assert_int_equal(workday_add(cal, D("2024-12-30"), 1, &out, &prov), BB_OK);
    assert_int_equal(out, D("2024-12-31"));
    assert_true(prov);
    /* 2024-12-31 (Tue) + 1 = 2025-01-02: only days after from are examined, so final */
    assert_int_equal(workday_add(cal, D("2024-12-31"), 1, &out, &prov), BB_OK);
    assert_int_equal(out, D("2025-01-02"));
    assert_false(prov);
    /* n = 0 examines from itself */
    assert_int_equal(workday_add(cal, D("2024-12-31"), 0, &out, &prov), BB_OK);
    assert_int_equal(out, D("2024-12-31"));
    assert_true(prov);
}

static void test_add_limits(void **state)
{
    const struct workday_cal *cal = *state;
    int out = 777;
    bool prov = true;
    assert_int_equal(workday_add(cal, D("2026-01-05"), -1, &out, &prov), BB_INVALID);
    assert_int_equal(workday_add(cal, D("2026-01-05"), WORKDAY_MAX_ADD + 1, &out, &prov),
                     BB_INVALID);
    assert_int_equal(workday_add(cal, WORKDAY_DAY_MIN - 1, 1, &out, &prov), BB_INVALID);
    assert_int_equal(workday_add(cal, WORKDAY_DAY_MAX + 1, 0, &out, &prov), BB_INVALID);
    /* 2200-12-31 is a Wednesday: +1 would be in 2201 */
    assert_int_equal(workday_add(cal, WORKDAY_DAY_MAX, 1, &out, &prov), BB_INVALID);
    assert_int_equal(out, 777);
    assert_true(prov);
    assert_int_equal(workday_add(cal, WORKDAY_DAY_MAX, 0, &out, &prov), BB_OK);
    assert_int_equal(out, WORKDAY_DAY_MAX);
    assert_int_equal(workday_add(cal, D("2026-01-05"), WORKDAY_MAX_ADD, &out, &prov), BB_OK);
    assert_true(out > D("2039-01-01"));
    assert_true(prov);
    int n = 99;
    assert_int_equal(workday_between(cal, WORKDAY_DAY_MIN - 1, 0, &n, NULL), BB_INVALID);
    assert_int_equal(workday_between(cal, 0, WORKDAY_DAY_MAX + 1, &n, NULL), BB_INVALID);
    assert_int_equal(n, 99);
    assert_int_equal(workday_between(cal, WORKDAY_DAY_MIN, WORKDAY_DAY_MAX, &n, NULL), BB_OK);
    assert_true(n > 78000 && n < 79000); /* about 5/7 of 109938 days, less 2025/2026 holidays */
}

/* xorshift32: a fixed seed, so a failure reproduces. */
static uint32_t rnd(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void test_between_matches_add(void **state)
{
    const struct workday_cal *cal = *state;
    uint32_t seed = 20260214;
    int lo = D("2024-06-01"), span = D("2027-06-30") - lo;
    int n_tried = 0;
    for (int i = 0; i < 3000; i++) {
        int from = lo + (int)(rnd(&seed) % (uint32_t)span);
        int n = (int)(rnd(&seed) % 400), out = 0, count = 0, back = 0;
        bool prov_add = false, prov_between = false, prov_back = false;
        assert_int_equal(workday_add(cal, from, n, &out, &prov_add), BB_OK);
        assert_true(out >= from);
        assert_true(workday_is_working(cal, out));
        assert_int_equal(workday_between(cal, from, out, &count, &prov_between), BB_OK);
        assert_int_equal(workday_between(cal, out, from, &back, &prov_back), BB_OK);
        assert_int_equal(back, -count);
        assert_int_equal(prov_back, prov_between);
        if (n >= 1) {
            assert_int_equal(count, n);
            assert_int_equal(prov_between, prov_add);
            /* out is the first day with n working days: the day before has n - 1 */
            assert_int_equal(workday_between(cal, from, out - 1, &count, NULL), BB_OK);
            assert_int_equal(count, n - 1);
            n_tried++;
        } else {
            /* n = 0: from itself (0 between) or the next working day (1 between) */
            assert_int_equal(count, workday_is_working(cal, from) ? 0 : 1);
            assert_true(out == from || !workday_is_working(cal, from));
        }
        assert_int_equal(workday_between(cal, from, from, &count, &prov_between), BB_OK);
        assert_int_equal(count, 0);
        assert_false(prov_between);
    }
    assert_true(n_tried > 2900);
}

static void test_add_day(void **state)
{
    (void)state;
    struct workday_cal *cal = NULL;
    assert_int_equal(workday_cal_new(&cal), BB_OK);
    assert_int_equal(workday_cal_add_day(cal, D("2030-01-01"), WORKDAY_KIND_HOLIDAY), BB_OK);
    assert_int_equal(workday_cal_add_day(cal, D("2030-01-01"), WORKDAY_KIND_HOLIDAY), BB_CONFLICT);
    assert_int_equal(workday_cal_add_day(cal, D("2030-01-05"), WORKDAY_KIND_WORKDAY), BB_OK);
    assert_int_equal(workday_cal_add_day(cal, D("2030-01-05"), WORKDAY_KIND_HOLIDAY), BB_CONFLICT);
    /* a make-up workday must be a weekend day */
    assert_int_equal(workday_cal_add_day(cal, D("2030-01-07"), WORKDAY_KIND_WORKDAY), BB_INVALID);
    assert_int_equal(workday_cal_add_day(cal, D("2030-01-07"), (enum workday_kind)0), BB_INVALID);
    assert_int_equal(workday_cal_add_day(cal, D("2030-01-07"), (enum workday_kind)3), BB_INVALID);
    assert_int_equal(workday_cal_add_day(cal, WORKDAY_DAY_MAX + 1, WORKDAY_KIND_HOLIDAY),
                     BB_INVALID);
    assert_false(workday_is_working(cal, D("2030-01-01")));
    assert_true(workday_is_working(cal, D("2030-01-05")));
    /* special days count even before the year is marked; the answer is provisional until then */
    int out;
    bool prov = false;
    assert_int_equal(workday_add(cal, D("2029-12-31"), 1, &out, &prov), BB_OK);
    assert_int_equal(out, D("2030-01-02"));
    assert_true(prov);
    assert_int_equal(workday_cal_mark_year(cal, 2030), BB_OK);
    assert_int_equal(workday_cal_mark_year(cal, 2030), BB_OK);
    assert_int_equal(workday_cal_mark_year(cal, 1899), BB_INVALID);
    assert_int_equal(workday_cal_mark_year(cal, 2201), BB_INVALID);
    assert_true(workday_cal_year_loaded(cal, 2030));
    assert_false(workday_cal_year_loaded(cal, 2031));
    assert_false(workday_cal_year_loaded(cal, 1000));
    assert_int_equal(workday_add(cal, D("2030-01-01"), 1, &out, &prov), BB_OK);
    assert_false(prov);
    /* cap: WORKDAY_MAX_PER_YEAR special days in one year, then BB_INVALID */
    int day = D("2031-01-01"), added = 0;
    while (added < WORKDAY_MAX_PER_YEAR) {
        assert_int_equal(workday_cal_add_day(cal, day++, WORKDAY_KIND_HOLIDAY), BB_OK);
        added++;
    }
    assert_int_equal(workday_cal_add_day(cal, day, WORKDAY_KIND_HOLIDAY), BB_INVALID);
    assert_int_equal(workday_cal_add_day(cal, D("2032-01-01"), WORKDAY_KIND_HOLIDAY), BB_OK);
    /* clearing a year forgets it and frees its quota */
    assert_int_equal(workday_cal_clear_year(cal, 2031), BB_OK);
    assert_int_equal(workday_cal_kind(cal, D("2031-01-01")), 0);
    assert_int_equal(workday_cal_add_day(cal, day, WORKDAY_KIND_HOLIDAY), BB_OK);
    assert_int_equal(workday_cal_clear_year(cal, 2030), BB_OK);
    assert_false(workday_cal_year_loaded(cal, 2030));
    assert_true(workday_is_working(cal, D("2030-01-01")));
    assert_int_equal(workday_cal_kind(cal, D("2032-01-01")), WORKDAY_KIND_HOLIDAY); /* untouched */
    assert_int_equal(workday_cal_clear_year(cal, 2201), BB_INVALID);
    workday_cal_free(cal);
}

/* --- the CSV parser ---------------------------------------------------------------------- */

#define HDR "date,kind,name\n"

static void test_csv_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        enum bb_err rc;
        long line;
    } cases[] = {
        {"", BB_INVALID, 1},
        {"\n2030-01-01,holiday,元旦\n", BB_INVALID, 1},
        {"date,kind\n2030-01-01,holiday,元旦\n", BB_INVALID, 1},
        {"date,kind,name,x\n2030-01-01,holiday,元旦\n", BB_INVALID, 1},
        {"Date,Kind,Name\n2030-01-01,holiday,元旦\n", BB_INVALID, 1},
        {"2030-01-01,holiday,元旦\n", BB_INVALID, 1}, /* no header */
        {HDR, BB_INVALID, 2},
        {HDR "\n\n", BB_INVALID, 2},
        {HDR "2030-02-30,holiday,春节\n", BB_INVALID, 2},
        {HDR "2030-01-01,holiday,元旦\n2030-1-02,holiday,元旦\n", BB_INVALID, 3},
        {HDR "2030-01-01,holiday,元旦\n2030-01-02,vacation,元旦\n", BB_INVALID, 3},
        {HDR "2030-01-01,holiday,元旦\n2030-01-02,Holiday,元旦\n", BB_INVALID, 3},
        {HDR "2030-01-01,holiday,元旦\n2030-01-02,holiday\n", BB_INVALID, 3},
        {HDR "2030-01-01,holiday,元旦\n2030-01-02,holiday,元旦,x\n", BB_INVALID, 3},
        {HDR "2030-01-01,holiday,元旦\n2030-01-02,holiday,\n", BB_INVALID, 3},
        {HDR "2030-01-01,holiday,元旦\n2030-01-01,holiday,元旦\n", BB_INVALID, 3},
        {HDR "2030-01-05,workday,元旦\n2030-01-05,holiday,元旦\n", BB_INVALID, 3},
        {HDR "2030-01-01,holiday,元旦\n2031-01-01,holiday,元旦\n", BB_INVALID, 3},
        {HDR "2030-01-01,holiday,元旦\n2030-01-07,workday,元旦\n", BB_INVALID, 3}, /* Monday */
        {HDR "2030-01-01,holiday,元旦\n\n\nbad,holiday,元旦\n", BB_INVALID, 5},
        {HDR "2030-01-01,holiday,元旦\n2030-01-02,\"holiday,元旦\n", BB_INVALID, 3},
        {HDR "2030-01-01,holiday,\"元\"旦\n", BB_INVALID, 2},
        {HDR "2030-01-01,holiday,\"a\nb\"\n2030-01-02,oops,x\n", BB_INVALID, 4},
        {HDR " 2030-01-01,holiday,元旦\n", BB_INVALID, 2},
        {HDR "1899-12-31,holiday,元旦\n", BB_INVALID, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct workday_cal *cal = NULL;
        long line = -1;
        assert_int_equal(workday_cal_new(&cal), BB_OK);
        enum bb_err rc = workday_cal_parse_csv(cal, cases[i].text, strlen(cases[i].text), &line);
        if (rc != cases[i].rc || line != cases[i].line)
            fail_msg("case %zu: rc %d line %ld, want rc %d line %ld", i, rc, line, cases[i].rc,
                     cases[i].line);
        /* all or nothing: nothing of 2030 was kept */
        assert_false(workday_cal_year_loaded(cal, 2030));
        assert_int_equal(workday_cal_kind(cal, D("2030-01-01")), 0);
        assert_int_equal(workday_cal_kind(cal, D("2030-01-05")), 0);
        workday_cal_free(cal);
    }
}

static void test_csv_good(void **state)
{
    (void)state;
    struct workday_cal *cal = NULL;
    long line = -1;
    assert_int_equal(workday_cal_new(&cal), BB_OK);
    /* BOM, CRLF, quoted name, a blank line, no final newline */
    const char *text = "\xEF\xBB\xBF" "date,kind,name\r\n2030-01-01,holiday,\"元旦, New Year\"\r\n"
                       "\r\n2030-01-05,workday,元旦";
    assert_int_equal(workday_cal_parse_csv(cal, text, strlen(text), &line), BB_OK);
    assert_int_equal(line, 0);
    assert_true(workday_cal_year_loaded(cal, 2030));
    assert_int_equal(workday_cal_kind(cal, D("2030-01-01")), WORKDAY_KIND_HOLIDAY);
    assert_int_equal(workday_cal_kind(cal, D("2030-01-05")), WORKDAY_KIND_WORKDAY);
    /* the same year again conflicts, on the first row; nothing changes */
    const char *again = HDR "2030-01-02,holiday,元旦\n";
    assert_int_equal(workday_cal_parse_csv(cal, again, strlen(again), &line), BB_CONFLICT);
    assert_int_equal(line, 2);
    assert_int_equal(workday_cal_kind(cal, D("2030-01-02")), 0);
    /* ... until it is cleared: a corrected notice replaces the old one */
    assert_int_equal(workday_cal_clear_year(cal, 2030), BB_OK);
    assert_int_equal(workday_cal_parse_csv(cal, again, strlen(again), NULL), BB_OK);
    assert_int_equal(workday_cal_kind(cal, D("2030-01-01")), 0);
    assert_int_equal(workday_cal_kind(cal, D("2030-01-02")), WORKDAY_KIND_HOLIDAY);
    /* a year with days added by hand (not marked) conflicts too */
    assert_int_equal(workday_cal_add_day(cal, D("2031-05-01"), WORKDAY_KIND_HOLIDAY), BB_OK);
    const char *y2031 = HDR "2031-01-01,holiday,元旦\n";
    assert_int_equal(workday_cal_parse_csv(cal, y2031, strlen(y2031), &line), BB_CONFLICT);
    assert_int_equal(line, 2);
    /* len bounds the text: it need not be NUL-terminated */
    const char *cut = HDR "2032-01-01,holiday,元旦\ngarbage";
    assert_int_equal(workday_cal_parse_csv(cal, cut, strlen(cut) - strlen("garbage"), &line),
                     BB_OK);
    assert_true(workday_cal_year_loaded(cal, 2032));
    workday_cal_free(cal);
}

static void test_csv_caps(void **state)
{
    (void)state;
    struct workday_cal *cal = NULL;
    char text[8192];
    size_t len = 0;
    long line = -1;
    assert_int_equal(workday_cal_new(&cal), BB_OK);
    len += (size_t)snprintf(text + len, sizeof text - len, HDR);
    for (int i = 0; i <= WORKDAY_MAX_PER_YEAR; i++) { /* one row too many */
        char date[WORKDAY_DATE_LEN];
        assert_int_equal(workday_format(D("2030-01-01") + i, date), BB_OK);
        len += (size_t)snprintf(text + len, sizeof text - len, "%s,holiday,x\n", date);
        assert_true(len < sizeof text);
    }
    assert_int_equal(workday_cal_parse_csv(cal, text, len, &line), BB_INVALID);
    assert_int_equal(line, WORKDAY_MAX_PER_YEAR + 2);
    assert_false(workday_cal_year_loaded(cal, 2030));
    /* exactly the cap loads */
    assert_int_equal(workday_cal_parse_csv(cal, text, len - strlen("2030-04-11,holiday,x\n"),
                                           &line), BB_OK);
    assert_true(workday_cal_year_loaded(cal, 2030));
    /* an over-long row is the file's fault: BB_INVALID at its line */
    char big[4096];
    memset(big, 'a', sizeof big);
    memcpy(big, HDR "2031-01-01,holiday,", strlen(HDR "2031-01-01,holiday,"));
    assert_int_equal(workday_cal_parse_csv(cal, big, sizeof big, &line), BB_INVALID);
    assert_int_equal(line, 2);
    workday_cal_free(cal);
}

static void test_shipped_files(void **state)
{
    const struct workday_cal *cal = *state;
    /* 2025: 28 days off and 5 make-up days; 2026: 33 and 6 (the notices' counts) */
    const int years[] = {2025, 2026}, holidays[] = {28, 33}, workdays[] = {5, 6};
    for (int i = 0; i < 2; i++) {
        int first = D(i ? "2026-01-01" : "2025-01-01"), h = 0, w = 0;
        int last = D(i ? "2026-12-31" : "2025-12-31");
        for (int day = first; day <= last; day++) {
            h += workday_cal_kind(cal, day) == WORKDAY_KIND_HOLIDAY;
            w += workday_cal_kind(cal, day) == WORKDAY_KIND_WORKDAY;
        }
        if (h != holidays[i] || w != workdays[i])
            fail_msg("%d: %d holidays, %d workdays", years[i], h, w);
    }
    int n;
    assert_int_equal(workday_between(cal, D("2025-12-31"), D("2026-12-31"), &n, NULL), BB_OK);
    assert_int_equal(n, 248); /* 261 weekdays - 19 weekday holidays + 6 make-up days */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_invalid_dates),
        cmocka_unit_test(test_weekday),
        cmocka_unit_test(test_weekends_only),
        cmocka_unit_test(test_spring_festival_2026),
        cmocka_unit_test(test_national_day_2025),
        cmocka_unit_test(test_add_examples),
        cmocka_unit_test(test_unloaded_year),
        cmocka_unit_test(test_add_limits),
        cmocka_unit_test(test_between_matches_add),
        cmocka_unit_test(test_add_day),
        cmocka_unit_test(test_csv_errors),
        cmocka_unit_test(test_csv_good),
        cmocka_unit_test(test_csv_caps),
        cmocka_unit_test(test_shipped_files),
    };
    return cmocka_run_group_tests(tests, setup_official, teardown_cal);
}
