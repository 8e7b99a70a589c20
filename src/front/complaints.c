/* complaints.c - 办不成事反映: filing, the staff view and list, assign / answer / close, the
 * resident's follow-up and rating, the answer clock in working days, alerts. */
#include <stdio.h>
#include <string.h>
#include "../audit/audit.h"
#include "../calendar/calendar.h"
#include "../cases/pii.h"
#include "../core/clock.h"
#include "../core/json.h"
#include "../sites/sites.h"
#include "../store/row.h"
#include "../store/ratelimit.h"
#include "complaints.h"
#include "front.h"

#define LOOKUP_FAILS 20     /* wrong code/phone pairs per address per window */
#define LOOKUP_WINDOW 900
#define FILE_WINDOW 3600

/* --- shared helpers --- */

int desk_today(void) { return (int)((clock_now() + 8 * 3600) / 86400); }

enum bb_err desk_item(struct store_tx *tx, const char *code, int64_t *item_id)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT id FROM items WHERE code = ? "
                                       "AND status = 'published'", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_text(s, 1, code);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_INVALID;
    if (!rc)
        *item_id = store_col_int(s, 0);
    store_finalize(s);
    return rc;
}

enum bb_err desk_phone(const char *phone, char hash[TOKEN_HEX], struct buf *sealed,
                       char masked[16])
{
    buf_init(sealed, 1024);
    if (!pii_phone_valid(phone))
        return BB_INVALID;
    pii_lookup_hash(phone, hash);
    pii_mask_phone(phone, masked);
    return pii_seal(phone, sealed);
}

enum bb_err desk_staff(struct store_tx *tx, int64_t user, char path[SITE_PATH_MAX])
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT st.path FROM users u JOIN sites st "
                                       "ON st.id = u.site_id WHERE u.id = ? AND u.active = 1 "
                                       "AND u.role IN ('agent', 'web_agent', 'clerk', "
                                       "'coordinator', 'admin')", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_int(s, 1, user);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_INVALID;
    if (!rc)
        snprintf(path, SITE_PATH_MAX, "%s", store_col_text(s, 0));
    store_finalize(s);
    return rc;
}

json_t *desk_time(struct store_stmt *s, int col)
{
    if (store_col_null(s, col))
        return json_null();
    char iso[32];
    clock_iso(store_col_int(s, col), iso, sizeof iso);
    return json_string(iso);
}

json_t *desk_text(struct store_stmt *s, int col)
{
    return store_col_null(s, col) ? json_null() : json_string(store_col_text(s, col));
}

/* --- the clock --- */

enum bb_err complaint_due(const struct workday_cal *cal, int opened, int days,
                          char due[WORKDAY_DATE_LEN])
{
    int d;
    enum bb_err rc = workday_add(cal, opened, days, &d, NULL);
    return rc ? rc : workday_format(d, due);
}

const char *complaint_state(const char *status, const char *due, int today)
{
    char t[WORKDAY_DATE_LEN];
    workday_format(today, t);
    bool open = !strcmp(status, "open") || !strcmp(status, "assigned");
    return open && strcmp(due, t) < 0 ? "overdue" : "normal";
}

/* --- rate limits (store/ratelimit.c: every node counts the same) --- */

enum bb_err complaint_file_limited(struct store_tx *tx, const char *addr, int *retry_after)
{
    char key[96];
    snprintf(key, sizeof key, "complaint:%s", addr);
    int64_t now = clock_now();
    enum bb_err rc = ratelimit_wait(tx, key, now, FILE_WINDOW, COMPLAINT_PER_HOUR, retry_after);
    return rc || *retry_after ? rc : ratelimit_bump(tx, key, now, FILE_WINDOW);
}

enum bb_err complaint_lookup_limited(struct store_tx *tx, const char *addr, bool failed,
                                     int *retry_after)
{
    char key[96];
    snprintf(key, sizeof key, "complaint-lookup:%s", addr);
    int64_t now = clock_now();
    enum bb_err rc = failed ? ratelimit_bump(tx, key, now, LOOKUP_WINDOW) : BB_OK;
    return rc ? rc : ratelimit_wait(tx, key, now, LOOKUP_WINDOW, LOOKUP_FAILS, retry_after);
}

/* --- filing --- */

/* 8 characters from 32 that cannot be misread (no 0/O, 1/I). */
static void make_code(char out[COMPLAINT_CODE_LEN])
{
    static const char alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    char hex[TOKEN_HEX];
    crypto_token(hex);
    for (int i = 0; i < 8; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = alphabet[v % 32]; /* 256 is a multiple of 32: uniform */
    }
    out[8] = '\0';
}

static enum bb_err unique_code(struct store_tx *tx, char code[COMPLAINT_CODE_LEN])
{
    for (int tries = 0; tries < 8; tries++) {
        make_code(code);
        struct store_stmt *s;
        enum bb_err rc = store_prepare(tx, "SELECT 1 FROM complaints WHERE code = ?", &s);
        if (rc)
            return rc;
        bool row = false;
        rc = store_bind_text(s, 1, code);
        if (!rc)
            rc = store_step(s, &row);
        store_finalize(s);
        if (rc || !row)
            return rc;
    }
    return BB_INTERNAL;
}

static enum bb_err check_in(const struct complaint_in *in, const char **field)
{
    size_t n = utf8_chars(in->name);
    if (n < 1 || n > 50)
        *field = "name";
    else if (!pii_phone_valid(in->phone))
        *field = "phone";
    else if ((n = utf8_chars(in->description)) < 1 || n > 2000)
        *field = "description";
    else
        return BB_OK;
    return BB_INVALID;
}

enum bb_err complaint_create(struct store_tx *tx, const struct actor *a,
                             const struct complaint_in *in, int64_t *id,
                             char code[COMPLAINT_CODE_LEN], const char **field)
{
    int64_t site = in->site_id ? in->site_id : (a ? a->site_id : 0);
    char path[SITE_PATH_MAX];
    enum bb_err rc = site ? site_path(tx, site, path) : BB_NOT_FOUND;
    if (rc == BB_NOT_FOUND) {
        *field = "site_id";
        return in->site_id || !a ? BB_INVALID : BB_MISSING_FIELD;
    }
    if (rc)
        return rc;
    if (a && !authz_can(a, AUTHZ_FRONT_DESK, path))
        return BB_FORBIDDEN;
    rc = check_in(in, field);
    if (rc)
        return rc;
    int64_t item = 0;
    rc = in->item_code ? desk_item(tx, in->item_code, &item) : BB_OK;
    if (rc) {
        *field = "item";
        return rc;
    }
    struct workday_cal *cal = NULL;
    char opened[WORKDAY_DATE_LEN], due[WORKDAY_DATE_LEN], c[COMPLAINT_CODE_LEN];
    int today = desk_today();
    workday_format(today, opened);
    rc = calendar_load(tx, &cal);
    if (!rc)
        rc = complaint_due(cal, today, front_get_policy()->complaint_days, due);
    workday_cal_free(cal);
    if (!rc)
        rc = unique_code(tx, c);
    char hash[TOKEN_HEX], masked[16];
    struct buf sealed;
    if (!rc)
        rc = desk_phone(in->phone, hash, &sealed, masked);
    else
        buf_init(&sealed, 16);
    struct store_stmt *s = NULL;
    if (!rc)
        rc = store_prepare(tx, "INSERT INTO complaints (code, site_id, item_id, source, name, "
                               "phone_hash, phone_sealed, phone_masked, description, status, "
                               "opened_on, due, created_at, updated_at) VALUES "
                               "(?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?) RETURNING id", &s);
    int64_t now = clock_now();
    int i = 1;
    if (!rc) rc = store_bind_text(s, i++, c);
    if (!rc) rc = store_bind_int(s, i++, site);
    if (!rc) rc = item ? store_bind_int(s, i++, item) : store_bind_null(s, i++);
    if (!rc) rc = store_bind_text(s, i++, in->source);
    if (!rc) rc = store_bind_text(s, i++, in->name);
    if (!rc) rc = store_bind_text(s, i++, hash);
    if (!rc) rc = store_bind_text(s, i++, sealed.data);
    if (!rc) rc = store_bind_text(s, i++, masked);
    if (!rc) rc = store_bind_text(s, i++, in->description);
    if (!rc) rc = store_bind_text(s, i++, opened);
    if (!rc) rc = store_bind_text(s, i++, due);
    if (!rc) rc = store_bind_int(s, i++, now);
    if (!rc) rc = store_bind_int(s, i++, now);
    bool row = false;
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_INTERNAL;
    if (!rc)
        *id = store_col_int(s, 0);
    if (s)
        store_finalize(s);
    buf_free(&sealed);
    if (rc)
        return rc;
    if (code)
        memcpy(code, c, COMPLAINT_CODE_LEN);
    char object[48], detail[48];
    snprintf(object, sizeof object, "complaint:%lld", (long long)*id);
    snprintf(detail, sizeof detail, "{\"source\":\"%s\"}", in->source);
    return audit_append(tx, a, "complaint.create", object, "ok", detail);
}

/* --- reading --- */

#define C_COLS "c.id, c.code, c.site_id, st.name, i.code, v.name, c.source, c.name, " \
    "c.phone_masked, c.description, c.status, c.assignee_user_id, u.name, c.opened_on, c.due, " \
    "c.answer, c.answered_at, c.level, c.created_at, st.path"
#define C_FROM " FROM complaints c JOIN sites st ON st.id = c.site_id " \
    "LEFT JOIN items i ON i.id = c.item_id " \
    "LEFT JOIN item_versions v ON v.item_id = i.id AND v.version = i.published_version " \
    "LEFT JOIN users u ON u.id = c.assignee_user_id "

static json_t *item_json(struct store_stmt *s, int col)
{
    if (store_col_null(s, col))
        return json_null();
    return json_pack("{s:s,s:o}", "code", store_col_text(s, col), "name", desk_text(s, col + 1));
}

static json_t *row_json(struct store_stmt *s, int today)
{
    char name[64];
    pii_mask_name(store_col_text(s, 7), name, sizeof name);
    json_t *assignee = store_col_null(s, 11)
                           ? json_null()
                           : json_pack("{s:I,s:o}", "id", (json_int_t)store_col_int(s, 11),
                                       "name", desk_text(s, 12));
    return json_pack(
        "{s:I,s:s,s:I,s:s,s:o,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:o,s:o,s:o,s:o}", "id",
        (json_int_t)store_col_int(s, 0), "code", store_col_text(s, 1), "site_id",
        (json_int_t)store_col_int(s, 2), "site", store_col_text(s, 3), "item", item_json(s, 4),
        "source", store_col_text(s, 6), "name", name, "phone", store_col_text(s, 8),
        "description", store_col_text(s, 9), "status", store_col_text(s, 10), "state",
        complaint_state(store_col_text(s, 10), store_col_text(s, 14), today), "assignee",
        assignee, "opened_on", store_col_text(s, 13), "due", store_col_text(s, 14), "answer",
        desk_text(s, 15), "answered_at", desk_time(s, 16), "level",
        store_col_null(s, 17) ? json_null() : json_integer(store_col_int(s, 17)), "created_at",
        desk_time(s, 18));
}

/* row_json for store_rows_page: arg is today. */
static json_t *list_row(struct store_stmt *s, void *arg) { return row_json(s, *(int *)arg); }

enum bb_err complaint_get(struct store_tx *tx, const struct actor *a, int64_t id, json_t **out)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT " C_COLS C_FROM "WHERE c.id = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_int(s, 1, id);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    if (!rc && !authz_can(a, AUTHZ_READ_FRONT, store_col_text(s, 19)))
        rc = BB_FORBIDDEN;
    if (!rc && !(*out = row_json(s, desk_today())))
        rc = BB_NOMEM;
    store_finalize(s);
    return rc;
}

enum bb_err complaint_list(struct store_tx *tx, const struct actor *a,
                           const struct complaint_query *q, json_t **items, int64_t *next)
{
    const char *scope = a ? a->site_path : "/";
    if (!*scope || (a && !authz_can(a, AUTHZ_READ_FRONT, scope)))
        return BB_FORBIDDEN;
    enum bb_err rc = q->site_id ? site_check(tx, a, AUTHZ_READ_FRONT, q->site_id) : BB_OK;
    if (rc)
        return rc;
    int today = desk_today();
    char t[WORKDAY_DATE_LEN];
    workday_format(today, t);
    bool overdue = q->state && !strcmp(q->state, "overdue");
    struct store_stmt *s;
    rc = store_prepare(tx, "SELECT " C_COLS C_FROM
                           "WHERE substr(st.path, 1, length(?)) = ? "
                           "AND (? = 0 OR c.site_id = ?) AND (? IS NULL OR c.status = ?) "
                           "AND (? = 0 OR ((c.status IN ('open', 'assigned') AND c.due < ?) "
                           "= (? = 1))) AND c.id > ? ORDER BY c.id LIMIT ?", &s);
    if (rc)
        return rc;
    int i = 1;
    rc = store_bind_text(s, i++, scope);
    if (!rc) rc = store_bind_text(s, i++, scope);
    if (!rc) rc = store_bind_int(s, i++, q->site_id);
    if (!rc) rc = store_bind_int(s, i++, q->site_id);
    if (!rc) rc = store_bind_text(s, i++, q->status);
    if (!rc) rc = store_bind_text(s, i++, q->status);
    if (!rc) rc = store_bind_int(s, i++, q->state != NULL);
    if (!rc) rc = store_bind_text(s, i++, t);
    if (!rc) rc = store_bind_int(s, i++, overdue);
    if (!rc) rc = store_bind_int(s, i++, q->after);
    if (!rc) rc = store_bind_int(s, i++, q->limit + 1);
    if (!rc)
        rc = store_rows_page(s, list_row, &today, q->limit, items, next);
    store_finalize(s);
    return rc;
}

/* --- actions --- */

struct c_row {
    int64_t id, site_id;
    char status[16], path[SITE_PATH_MAX], code[COMPLAINT_CODE_LEN], phone_hash[TOKEN_HEX];
};

static enum bb_err load(struct store_tx *tx, const char *by, int64_t id, const char *code,
                        struct c_row *c)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT c.id, c.site_id, c.status, st.path, c.code, c.phone_hash "
                              "FROM complaints c JOIN sites st ON st.id = c.site_id WHERE %s = ?",
             by);
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, sql, &s);
    if (rc)
        return rc;
    bool row = false;
    rc = code ? store_bind_text(s, 1, code) : store_bind_int(s, 1, id);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    if (!rc) {
        c->id = store_col_int(s, 0);
        c->site_id = store_col_int(s, 1);
        snprintf(c->status, sizeof c->status, "%s", store_col_text(s, 2));
        snprintf(c->path, sizeof c->path, "%s", store_col_text(s, 3));
        snprintf(c->code, sizeof c->code, "%s", store_col_text(s, 4));
        snprintf(c->phone_hash, sizeof c->phone_hash, "%s", store_col_text(s, 5));
    }
    store_finalize(s);
    return rc;
}

/* One conditional UPDATE: set's placeholders are typed by types ('i' i1, 't' t1, 'n' now);
 * whichever node or request comes second finds the status moved on. */
static enum bb_err move(struct store_tx *tx, int64_t id, const char *set, const char *from,
                        const char *types, int64_t i1, const char *t1)
{
    char sql[320];
    snprintf(sql, sizeof sql, "UPDATE complaints SET %s, updated_at = ? WHERE id = ? "
                              "AND status IN (%s) RETURNING id", set, from);
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, sql, &s);
    if (rc)
        return rc;
    int i = 1;
    for (const char *t = types; !rc && *t; t++)
        rc = *t == 'i' ? store_bind_int(s, i++, i1)
             : *t == 'n' ? store_bind_int(s, i++, clock_now())
                         : store_bind_text(s, i++, t1);
    if (!rc) rc = store_bind_int(s, i++, clock_now());
    if (!rc) rc = store_bind_int(s, i++, id);
    bool row = false;
    if (!rc)
        rc = store_step(s, &row);
    store_finalize(s);
    return rc ? rc : row ? BB_OK : BB_WRONG_STATE;
}

static enum bb_err audit_act(struct store_tx *tx, const struct actor *a, int64_t id,
                             const char *action)
{
    char what[48], object[48];
    snprintf(what, sizeof what, "complaint.%s", action);
    snprintf(object, sizeof object, "complaint:%lld", (long long)id);
    return audit_append(tx, a, what, object, "ok", NULL);
}

enum bb_err complaint_act(struct store_tx *tx, const struct actor *a, int64_t id,
                          const char *action, int64_t user, const char *answer,
                          const char **field)
{
    struct c_row c;
    enum bb_err rc = load(tx, "c.id", id, NULL, &c);
    if (rc)
        return rc;
    if (!authz_can(a, AUTHZ_RECTIFY, c.path))
        return BB_FORBIDDEN;
    if (!strcmp(action, "assign")) {
        char upath[SITE_PATH_MAX];
        /* the assignee works at the complaint's site or above it */
        if (desk_staff(tx, user, upath) || !authz_in_subtree(upath, c.path)) {
            *field = "user";
            return BB_INVALID;
        }
        rc = move(tx, id, "status = 'assigned', assignee_user_id = ?", "'open', 'assigned'",
                  "i", user, NULL);
    } else if (!strcmp(action, "answer")) {
        rc = move(tx, id, "status = 'answered', answer = ?, answered_at = ?",
                  "'open', 'assigned'", "tn", 0, answer);
    } else if (!strcmp(action, "close")) {
        rc = move(tx, id, "status = 'closed', closed_at = ?", "'answered'", "n", 0, NULL);
    } else {
        return BB_NO_ROUTE;
    }
    return rc ? rc : audit_act(tx, a, id, action);
}

/* --- the resident's side --- */

static enum bb_err load_public(struct store_tx *tx, const char *code, const char *phone,
                               struct c_row *c)
{
    if (!code || strlen(code) != 8 || !phone)
        return BB_NOT_FOUND;
    enum bb_err rc = load(tx, "c.code", 0, code, c);
    char hash[TOKEN_HEX];
    pii_lookup_hash(phone, hash);
    if (rc == BB_NOT_FOUND || (!rc && !crypto_streq(hash, c->phone_hash)))
        return BB_NOT_FOUND; /* one answer for an unknown code and a wrong phone */
    return rc;
}

enum bb_err complaint_public_get(struct store_tx *tx, const char *code, const char *phone,
                                 json_t **out)
{
    struct c_row c;
    enum bb_err rc = load_public(tx, code, phone, &c);
    if (rc)
        return rc;
    json_t *full;
    rc = complaint_get(tx, NULL, c.id, &full);
    if (rc)
        return rc;
    static const char *const keep[] = {"code", "site", "item", "status", "state", "opened_on",
                                       "due", "answer", "answered_at", "level"};
    *out = json_object();
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        json_object_set(*out, keep[i], json_object_get(full, keep[i]));
    json_decref(full);
    return BB_OK;
}

enum bb_err complaint_rate(struct store_tx *tx, const char *code, const char *phone, int level)
{
    struct c_row c;
    enum bb_err rc = load_public(tx, code, phone, &c);
    if (!rc)
        rc = move(tx, c.id, "status = 'closed', level = ?, closed_at = ?", "'answered'", "in",
                  level, NULL);
    return rc ? rc : audit_act(tx, NULL, c.id, "rate");
}

/* --- alerts --- */

enum bb_err complaint_alerts(struct store_tx *tx, const struct actor *a, json_t *items)
{
    const char *scope = a ? a->site_path : "/";
    if (!*scope || (a && !authz_can(a, AUTHZ_READ_FRONT, scope)))
        return BB_OK; /* approvers have no front-desk alerts */
    char t[WORKDAY_DATE_LEN];
    workday_format(desk_today(), t);
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT c.id, c.code, c.site_id, c.due, st.name FROM complaints c "
                                       "JOIN sites st ON st.id = c.site_id "
                                       "WHERE substr(st.path, 1, length(?)) = ? "
                                       "AND c.status IN ('open', 'assigned') AND c.due < ? "
                                       "ORDER BY c.due, c.id LIMIT 200", &s);
    if (rc)
        return rc;
    rc = store_bind_text(s, 1, scope);
    if (!rc) rc = store_bind_text(s, 2, scope);
    if (!rc) rc = store_bind_text(s, 3, t);
    for (bool row = true; !rc;) {
        rc = store_step(s, &row);
        if (rc || !row)
            break;
        json_array_append_new(items, json_pack("{s:s,s:I,s:s,s:I,s:s,s:s}", "kind",
                                               "complaint_overdue", "id",
                                               (json_int_t)store_col_int(s, 0), "code",
                                               store_col_text(s, 1), "site_id",
                                               (json_int_t)store_col_int(s, 2), "site",
                                               store_col_text(s, 4), "due",
                                               store_col_text(s, 3)));
    }
    store_finalize(s);
    return rc;
}
