/* booking_common.c - what the booking files share: opening hours and slot starts, the clock in
 * +08:00, statement binding, the item check and per-address rate limits. */
#include <stdio.h>
#include <string.h>
#include "../core/clock.h"
#include "../store/ratelimit.h"
#include "booking.h"

/* "HH:MM" at s (exactly 5 characters) as minutes, 00:00..24:00; -1 when malformed. */
static int hhmm(const char *s)
{
    for (int i = 0; i < 5; i++)
        if (i == 2 ? s[i] != ':' : (s[i] < '0' || s[i] > '9'))
            return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m))
        return -1;
    return h * 60 + m;
}

bool booking_hours_parse(const char *s, struct booking_hours *h)
{
    h->n = 0;
    if (!s)
        return false;
    for (const char *p = s;; p += 12) {
        if (h->n == BOOKING_MAX_RANGES || strnlen(p, 11) < 11 || p[5] != '-')
            return false;
        int from = hhmm(p), to = hhmm(p + 6);
        if (from < 0 || to <= from || (h->n && from < h->to[h->n - 1]))
            return false;
        h->from[h->n] = from;
        h->to[h->n++] = to;
        if (p[11] == '\0')
            return true;
        if (p[11] != ',')
            return false;
    }
}

int booking_slot_starts(const struct booking_hours *h, int slot_minutes, int *starts, int max)
{
    int n = 0;
    if (slot_minutes <= 0)
        return 0;
    for (int r = 0; r < h->n; r++)
        for (int t = h->from[r]; t + slot_minutes <= h->to[r] && n < max; t += slot_minutes)
            starts[n++] = t;
    return n;
}

int booking_today(void) { return (int)((clock_now() + 8 * 3600) / 86400); }

int64_t booking_unix(int day, int minute) { return (int64_t)day * 86400 + minute * 60 - 8 * 3600; }

enum bb_err booking_stmt(struct store_tx *tx, struct store_stmt **s, const char *sql,
                         const char *types, ...)
{
    enum bb_err rc = store_prepare(tx, sql, s);
    if (rc)
        return rc;
    va_list ap;
    va_start(ap, types);
    for (int i = 0; types[i] && !rc; i++)
        rc = types[i] == 'i' ? store_bind_int(*s, i + 1, va_arg(ap, int64_t))
                             : store_bind_text(*s, i + 1, va_arg(ap, const char *));
    va_end(ap);
    if (rc)
        store_finalize(*s);
    return rc;
}

enum bb_err booking_item(struct store_tx *tx, int64_t site_id, const char *code, int64_t *item_id,
                         const char **field)
{
    /* As for cases: published and in force, and handled where the resident goes: a district
     * centre handles every item, other sites what their list offers (any mode). */
    struct store_stmt *s;
    enum bb_err rc = booking_stmt(
        tx, &s, "SELECT i.id FROM items i JOIN sites st ON st.id = ? WHERE i.code = ? "
                "AND i.published_version IS NOT NULL AND i.status <> 'retired' "
                "AND (st.level = 'district' OR EXISTS (SELECT 1 FROM site_items si "
                "WHERE si.site_id = st.id AND si.item_id = i.id))", "it", site_id, code);
    if (rc)
        return rc;
    bool row = false;
    rc = store_step(s, &row);
    if (!rc && row)
        *item_id = store_col_int(s, 0);
    store_finalize(s);
    if (!rc && !row) {
        *field = "item";
        rc = BB_INVALID;
    }
    return rc;
}

enum bb_err booking_rate(struct store_tx *tx, const char *key, int max, int window_s, bool count,
                         int *retry_after)
{
    int64_t now = clock_now();
    enum bb_err rc = ratelimit_wait(tx, key, now, window_s, max, retry_after);
    if (rc || *retry_after || !count)
        return rc;
    return ratelimit_bump(tx, key, now, window_s);
}

#define LOOKUP_FAILS 20   /* wrong code/phone guesses per address per window */
#define LOOKUP_WINDOW 900

enum bb_err booking_lookup_limited(struct store_tx *tx, const char *addr, bool count,
                                   int *retry_after)
{
    char key[96];
    snprintf(key, sizeof key, "booking-lookup:%s", addr);
    return booking_rate(tx, key, LOOKUP_FAILS, LOOKUP_WINDOW, count, retry_after);
}
