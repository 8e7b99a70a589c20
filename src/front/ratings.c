/* ratings.c - 好差评 by residents: what a code lets them rate, the rating itself (opening the
 * rectification of a bad one in the same transaction), the appeal after the return visit, and
 * the per-address count of wrong codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../audit/audit.h"
#include "../core/clock.h"
#include "../core/crypto.h"
#include "../store/ratelimit.h"
#include "rect_int.h"

/* The rated thing behind a target, once its code matched. */
struct rated {
    bool is_case;
    int64_t id;                 /* case or ticket id */
    int64_t site_id, window_id, user_id, item_id; /* 0 when none */
    bool finished;
    char number[16];            /* the ticket's number */
    int64_t rating_id, rect_id; /* 0 when none yet */
};

static int64_t col_id(struct store_stmt *s, int col)
{
    return store_col_null(s, col) ? 0 : store_col_int(s, col);
}

static enum bb_err find(struct store_tx *tx, const struct rating_target *t, struct rated *x)
{
    memset(x, 0, sizeof *x);
    x->is_case = t->receipt != NULL;
    struct store_stmt *s;
    enum bb_err rc = store_prepare(
        tx, x->is_case
                ? "SELECT id, query_code, status IN ('issued', 'archived', 'refused'), site_id, "
                  "NULL, first_user_id, item_id, NULL FROM cases WHERE receipt = ?"
                : "SELECT id, rate_code, status = 'done', site_id, window_id, user_id, item_id, "
                  "number FROM tickets WHERE id = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = x->is_case ? store_bind_text(s, 1, t->receipt) : store_bind_int(s, 1, t->ticket_id);
    if (!rc)
        rc = store_step(s, &row);
    /* an unknown target and a wrong code answer alike: nothing to probe */
    if (!rc && (!row || !t->code || !crypto_streq(t->code, store_col_text(s, 1))))
        rc = BB_NOT_FOUND;
    if (!rc) {
        x->id = store_col_int(s, 0);
        x->finished = store_col_int(s, 2) != 0;
        x->site_id = store_col_int(s, 3);
        x->window_id = col_id(s, 4);
        x->user_id = col_id(s, 5);
        x->item_id = col_id(s, 6);
        snprintf(x->number, sizeof x->number, "%s",
                 store_col_null(s, 7) ? "" : store_col_text(s, 7));
    }
    store_finalize(s);
    if (rc)
        return rc;
    rc = store_prepare(tx, x->is_case ? "SELECT r.id, x.id FROM ratings r LEFT JOIN "
                                        "rectifications x ON x.rating_id = r.id WHERE r.case_id = ?"
                                      : "SELECT r.id, x.id FROM ratings r LEFT JOIN "
                                        "rectifications x ON x.rating_id = r.id "
                                        "WHERE r.ticket_id = ?", &s);
    if (rc)
        return rc;
    rc = store_bind_int(s, 1, x->id);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && row) {
        x->rating_id = store_col_int(s, 0);
        x->rect_id = col_id(s, 1);
    }
    store_finalize(s);
    return rc;
}

/* {"id","target","level","tags","comment","channel","created_at"} */
static enum bb_err public_rating(struct store_tx *tx, int64_t id, json_t **out)
{
    enum bb_err rc = rating_staff_json(tx, id, false, out);
    if (rc)
        return rc;
    static const char *const staff_only[] = {"site_id", "site", "receipt", "number"};
    for (size_t i = 0; i < sizeof staff_only / sizeof staff_only[0]; i++)
        json_object_del(*out, staff_only[i]);
    return BB_OK;
}

/* {"id","name"} of a site or window (by_id), {"code","name"} of an item (its published
 * wording); null when id is 0 or unknown. */
static json_t *named(struct store_tx *tx, const char *sql, int64_t id, bool by_id)
{
    struct store_stmt *s;
    json_t *o = NULL;
    if (!id || store_prepare(tx, sql, &s))
        return json_null();
    bool row = false;
    if (!store_bind_int(s, 1, id) && !store_step(s, &row) && row)
        o = by_id ? json_pack("{s:I,s:s}", "id", (json_int_t)store_col_int(s, 0), "name",
                              store_col_text(s, 1))
                  : json_pack("{s:s,s:s}", "code", store_col_text(s, 0), "name",
                              store_col_text(s, 1));
    store_finalize(s);
    return o ? o : json_null();
}

enum bb_err rating_rateable(struct store_tx *tx, const struct rating_target *t, json_t **out)
{
    struct rated x;
    enum bb_err rc = find(tx, t, &x);
    if (rc)
        return rc;
    json_t *rating = json_null(), *rect = json_null();
    if (x.rating_id)
        rc = public_rating(tx, x.rating_id, &rating);
    if (!rc && x.rect_id)
        rc = rect_public_json(tx, x.rect_id, &rect);
    if (rc) {
        json_decref(rating);
        json_decref(rect);
        return rc;
    }
    *out = json_pack(
        "{s:s,s:o,s:o,s:b,s:o,s:o}", "target", x.is_case ? "case" : "visit", "site",
        named(tx, "SELECT id, name FROM sites WHERE id = ?", x.site_id, true), "item",
        named(tx, "SELECT i.code, v.name FROM items i JOIN item_versions v ON v.item_id = i.id "
                  "AND v.version = COALESCE(i.published_version, i.draft_version) "
                  "WHERE i.id = ?", x.item_id, false),
        "rateable", x.finished && !x.rating_id, "rating", rating, "rectification", rect);
    if (*out && !x.is_case) {
        json_object_set_new(*out, "number", json_string(x.number));
        json_object_set_new(*out, "window", named(tx, "SELECT id, name FROM windows WHERE id = ?",
                                                  x.window_id, true));
    }
    return *out ? BB_OK : BB_NOMEM;
}

static enum bb_err check_in(const struct rating_in *in, char **tags, const char **field)
{
    static const char *const channels[] = {"web", "qr", "progress", "window"};
    *field = "level";
    if (in->level < 1 || in->level > 5)
        return BB_INVALID;
    *field = "channel";
    bool ok = false;
    for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++)
        ok = ok || (in->channel && !strcmp(in->channel, channels[i]));
    if (!ok)
        return BB_INVALID;
    *field = "tags";
    if (in->ntags < 0 || in->ntags > RATING_MAX_TAGS)
        return BB_INVALID;
    json_t *a = json_array();
    for (int i = 0; a && i < in->ntags; i++)
        json_array_append_new(a, json_string(in->tags[i]));
    *tags = a ? json_dumps(a, JSON_COMPACT) : NULL;
    json_decref(a);
    *field = NULL;
    return *tags ? BB_OK : BB_NOMEM;
}

enum bb_err rating_submit(struct store_tx *tx, const struct rating_in *in, json_t **out,
                          const char **field)
{
    *out = NULL;
    char *tags = NULL;
    enum bb_err rc = check_in(in, &tags, field);
    struct rated x = {0};
    if (!rc)
        rc = find(tx, &in->t, &x);
    if (!rc && !x.finished)
        rc = BB_NOT_RATEABLE;
    if (!rc && x.rating_id)
        rc = BB_ALREADY_RATED;
    struct store_stmt *s = NULL;
    if (!rc)
        rc = store_prepare(tx, "INSERT INTO ratings (site_id, case_id, ticket_id, window_id, "
                               "user_id, level, tags, comment, channel, created_at) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &s);
    bool row = false;
    int64_t id = 0;
    if (!rc) {
        int64_t ints[] = {x.site_id, x.is_case ? x.id : 0, x.is_case ? 0 : x.id, x.window_id,
                          x.user_id, in->level};
        for (int i = 0; !rc && i < 6; i++)
            rc = i && !ints[i] ? store_bind_null(s, i + 1) : store_bind_int(s, i + 1, ints[i]);
        if (!rc) rc = store_bind_text(s, 7, tags);
        if (!rc) rc = store_bind_text(s, 8, in->comment);
        if (!rc) rc = store_bind_text(s, 9, in->channel);
        if (!rc) rc = store_bind_int(s, 10, clock_now());
        if (!rc) rc = store_step(s, &row);
        if (!rc && row)
            id = store_col_int(s, 0);
        if (rc == BB_CONFLICT) /* another submission won the race: the unique key decided */
            rc = BB_ALREADY_RATED;
        if (!rc && !row)
            rc = BB_INTERNAL;
    }
    store_finalize(s);
    free(tags);
    char object[40], detail[64];
    snprintf(object, sizeof object, "rating:%lld", (long long)id);
    snprintf(detail, sizeof detail, "{\"target\":\"%s\",\"level\":%lld}",
             x.is_case ? "case" : "visit", (long long)in->level);
    if (!rc)
        rc = audit_append(tx, NULL, "rating.create", object, "ok", detail);
    int64_t rect = 0;
    char due[WORKDAY_DATE_LEN];
    if (!rc && in->level <= 2) /* 不满意 / 非常不满意: 整改 */
        rc = rect_open(tx, id, x.site_id, &rect, due);
    if (!rc)
        rc = public_rating(tx, id, out);
    if (!rc)
        json_object_set_new(*out, "rectification",
                            rect ? json_pack("{s:I,s:s}", "id", (json_int_t)rect, "due", due)
                                 : json_null());
    return rc;
}

enum bb_err rating_appeal(struct store_tx *tx, const struct rating_target *t, const char *reason,
                          json_t **out)
{
    struct rated x;
    enum bb_err rc = find(tx, t, &x);
    if (rc)
        return rc;
    if (!x.rect_id)
        return BB_WRONG_STATE;
    struct rect_row r;
    rc = rect_load(tx, x.rect_id, &r);
    if (rc)
        return rc;
    if (!rect_appealable(&r))
        return BB_WRONG_STATE;
    struct store_stmt *s;
    rc = store_prepare(tx, "UPDATE rectifications SET status = 'appealed', appeal = ?, "
                           "appealed_at = ?, closed_at = NULL, version = version + 1, "
                           "updated_at = ? WHERE id = ? AND version = ? AND appeal IS NULL "
                           "RETURNING id", &s);
    if (rc)
        return rc;
    int64_t now = clock_now();
    bool row = false;
    rc = store_bind_text(s, 1, reason);
    if (!rc) rc = store_bind_int(s, 2, now);
    if (!rc) rc = store_bind_int(s, 3, now);
    if (!rc) rc = store_bind_int(s, 4, r.id);
    if (!rc) rc = store_bind_int(s, 5, r.version);
    if (!rc) rc = store_step(s, &row);
    store_finalize(s);
    if (!rc && !row) /* appealed or changed meanwhile */
        rc = BB_WRONG_STATE;
    if (!rc)
        rc = rect_event(tx, NULL, r.id, "appeal", "appealed", reason);
    if (!rc)
        rc = rect_public_json(tx, r.id, out);
    return rc;
}

enum bb_err rating_limited(struct store_tx *tx, const char *addr, bool failed, int *retry_after)
{
    char key[96];
    snprintf(key, sizeof key, "rating:%s", addr);
    int64_t now = clock_now();
    enum bb_err rc = failed ? ratelimit_bump(tx, key, now, RATING_WINDOW) : BB_OK;
    return rc ? rc : ratelimit_wait(tx, key, now, RATING_WINDOW, RATING_FAILS, retry_after);
}
