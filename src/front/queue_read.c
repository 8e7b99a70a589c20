/* queue_read.c - reading tickets: one ticket, a site's day list, a window's console view. Staff
 * read the tickets of their subtree (a district centre oversees its townships). */
#include <stdio.h>
#include <string.h>
#include "../sites/sites.h"
#include "queue_int.h"

static enum bb_err bind_id(struct store_stmt *s, const void *arg)
{
    return store_bind_int(s, 1, *(const int64_t *)arg);
}

enum bb_err ticket_get(struct store_tx *tx, const struct actor *a, int64_t id, bool with_code,
                       json_t **out)
{
    *out = NULL;
    int64_t site = 0;
    bool found = false;
    enum bb_err rc = store_query_int(tx, "SELECT site_id FROM tickets WHERE id = ?", 1, &id,
                                     &found, &site);
    if (!rc && !found)
        rc = BB_NOT_FOUND;
    if (!rc && a)
        rc = site_check(tx, a, AUTHZ_READ_FRONT, site);
    json_t *arr = rc ? NULL : json_array();
    if (!rc && !arr)
        rc = BB_NOMEM;
    if (!rc)
        rc = q_tickets(tx, "WHERE t.id = ?", bind_id, &id, with_code, arr);
    if (!rc && json_array_size(arr) != 1)
        rc = BB_NOT_FOUND;
    if (!rc)
        *out = json_incref(json_array_get(arr, 0));
    json_decref(arr);
    return rc;
}

static bool status_ok(const char *s)
{
    static const char *const st[] = {"waiting", "called", "serving", "done", "no_show", NULL};
    for (const char *const *k = st; *k; k++)
        if (strcmp(*k, s) == 0)
            return true;
    return false;
}

struct list_args {
    int64_t site;
    const char *day, *status;
    int64_t after;
    int limit;
};

static enum bb_err bind_list(struct store_stmt *s, const void *arg)
{
    const struct list_args *l = arg;
    enum bb_err rc = store_bind_int(s, 1, l->site);
    if (!rc)
        rc = store_bind_text(s, 2, l->day);
    if (!rc)
        rc = store_bind_text(s, 3, l->status ? l->status : "");
    if (!rc)
        rc = store_bind_text(s, 4, l->status ? l->status : "");
    if (!rc)
        rc = store_bind_int(s, 5, l->after);
    if (!rc)
        rc = store_bind_int(s, 6, l->limit + 1);
    return rc;
}

enum bb_err ticket_list(struct store_tx *tx, const struct actor *a, const struct ticket_query *q,
                        json_t **items, int64_t *next, const char **field)
{
    *items = NULL;
    *next = 0;
    char today[WORKDAY_DATE_LEN];
    q_today_str(today);
    int day;
    if (q->date && workday_parse(q->date, &day)) {
        *field = "date";
        return BB_INVALID;
    }
    if (q->status && !status_ok(q->status)) {
        *field = "status";
        return BB_INVALID;
    }
    struct list_args l = {q->site_id ? q->site_id : (a ? a->site_id : 0),
                          q->date ? q->date : today, q->status, q->after, q->limit};
    enum bb_err rc = site_check(tx, a, AUTHZ_READ_FRONT, l.site);
    json_t *arr = rc ? NULL : json_array();
    if (!rc && !arr)
        rc = BB_NOMEM;
    if (!rc)
        rc = q_tickets(tx, "WHERE t.site_id = ? AND t.day = ? AND (? = '' OR t.status = ?) "
                           "AND t.id > ? ORDER BY t.id LIMIT ?", bind_list, &l, true, arr);
    if (!rc && json_array_size(arr) > (size_t)l.limit) {
        json_array_remove(arr, (size_t)l.limit);
        *next = json_integer_value(json_object_get(json_array_get(arr, (size_t)l.limit - 1), "id"));
    }
    if (rc)
        json_decref(arr);
    else
        *items = arr;
    return rc;
}

struct win_args {
    int64_t window_id, site_id;
    const char *day, *kind;
};

static enum bb_err bind_current(struct store_stmt *s, const void *arg)
{
    const struct win_args *w = arg;
    enum bb_err rc = store_bind_int(s, 1, w->window_id);
    if (!rc)
        rc = store_bind_text(s, 2, w->day);
    return rc;
}

static enum bb_err bind_waiting(struct store_stmt *s, const void *arg)
{
    const struct win_args *w = arg;
    enum bb_err rc = store_bind_int(s, 1, w->site_id);
    if (!rc)
        rc = store_bind_text(s, 2, w->day);
    if (!rc)
        rc = store_bind_text(s, 3, w->kind);
    return rc;
}

enum bb_err queue_window_view(struct store_tx *tx, const struct actor *a, int64_t window_id,
                              json_t **out)
{
    *out = NULL;
    json_t *win = NULL;
    enum bb_err rc = window_get(tx, NULL, window_id, &win);
    char today[WORKDAY_DATE_LEN];
    q_today_str(today);
    struct win_args w = {window_id, 0, today, NULL};
    if (!rc) {
        w.site_id = json_integer_value(json_object_get(win, "site_id"));
        w.kind = json_string_value(json_object_get(win, "kind"));
        rc = site_check(tx, a, AUTHZ_READ_FRONT, w.site_id);
    }
    json_t *cur = rc ? NULL : json_array(), *waiting = rc ? NULL : json_array();
    if (!rc && (!cur || !waiting))
        rc = BB_NOMEM;
    if (!rc)
        rc = q_tickets(tx, "WHERE t.window_id = ? AND t.day = ? "
                           "AND t.status IN ('called', 'serving') ORDER BY t.called_at DESC, t.id DESC",
                       bind_current, &w, true, cur);
    if (!rc)
        rc = q_tickets(tx, "WHERE t.site_id = ? AND t.day = ? AND t.kind = ? "
                           "AND t.status = 'waiting' ORDER BY " Q_ORDER("t"),
                       bind_waiting, &w, true, waiting);
    if (!rc) {
        size_t n = json_array_size(waiting);
        while (json_array_size(waiting) > 20)
            json_array_remove(waiting, json_array_size(waiting) - 1);
        json_t *c = json_array_get(cur, 0);
        *out = json_pack("{s:O,s:O,s:O,s:I}", "window", win, "current", c ? c : json_null(),
                         "waiting", waiting, "waiting_count", (json_int_t)n);
        if (!*out)
            rc = BB_NOMEM;
    }
    json_decref(win);
    json_decref(cur);
    json_decref(waiting);
    return rc;
}
