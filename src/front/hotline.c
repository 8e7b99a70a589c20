/* hotline.c - 12345 work orders: filing per API key (idempotent per order number), the
 * hotline's read-back, the site's inbox and its actions (answer, link a case, close). */
#include <stdio.h>
#include <string.h>
#include "../audit/audit.h"
#include "../cases/pii.h"
#include "../core/clock.h"
#include "../core/json.h"
#include "../sites/sites.h"
#include "../store/row.h"
#include "complaints.h"
#include "hotline.h"

/* --- filing --- */

static bool order_no_valid(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        if (s[i] <= 32 || s[i] >= 127)
            return false;
    return n >= 1 && n <= 64;
}

static const char *check(const struct hotline_in *in)
{
    size_t n;
    if (!order_no_valid(in->order_no))
        return "order_no";
    if (strcmp(in->kind, "complaint") && strcmp(in->kind, "consultation") &&
        strcmp(in->kind, "case"))
        return "kind";
    if ((n = utf8_chars(in->name)) < 1 || n > 50)
        return "name";
    if (!pii_phone_valid(in->phone))
        return "phone";
    if ((n = utf8_chars(in->description)) < 1 || n > 2000)
        return "description";
    return NULL;
}

static enum bb_err find_site(struct store_tx *tx, const struct hotline_in *in, int64_t *site,
                             const char **field)
{
    bool found = false;
    enum bb_err rc;
    if (in->site_code) {
        *field = "site_code";
        size_t n = strlen(in->site_code);
        if (n != 12 || strspn(in->site_code, "0123456789") != 12)
            return BB_INVALID;
        struct store_stmt *s;
        rc = store_prepare(tx, "SELECT id FROM sites WHERE code = ?", &s);
        if (rc)
            return rc;
        rc = store_bind_text(s, 1, in->site_code);
        if (!rc)
            rc = store_step(s, &found);
        if (!rc && found)
            *site = store_col_int(s, 0);
        store_finalize(s);
    } else {
        *field = "site_id";
        rc = store_query_int(tx, "SELECT id FROM sites WHERE id = ?", 1, &in->site_id, &found,
                             site);
    }
    if (!rc && !found)
        rc = BB_INVALID;
    if (!rc)
        *field = NULL;
    return rc;
}

/* An earlier order of the key with this number: the same content (*same) or not. */
static enum bb_err earlier(struct store_tx *tx, int64_t key_id, const struct hotline_in *in,
                           int64_t site, int64_t item, const char *hash, int64_t *id,
                           bool *same)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT id, kind, site_id, COALESCE(item_id, 0), name, "
                                       "phone_hash, description FROM hotline_orders "
                                       "WHERE api_key_id = ? AND order_no = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_int(s, 1, key_id);
    if (!rc)
        rc = store_bind_text(s, 2, in->order_no);
    if (!rc)
        rc = store_step(s, &row);
    *id = 0;
    if (!rc && row) {
        *id = store_col_int(s, 0);
        *same = !strcmp(store_col_text(s, 1), in->kind) && store_col_int(s, 2) == site &&
                store_col_int(s, 3) == item && !strcmp(store_col_text(s, 4), in->name) &&
                !strcmp(store_col_text(s, 5), hash) &&
                !strcmp(store_col_text(s, 6), in->description);
    }
    store_finalize(s);
    return rc;
}

enum bb_err hotline_create(struct store_tx *tx, int64_t key_id, const struct hotline_in *in,
                           int64_t *id, bool *created, const char **field)
{
    *created = false;
    if ((*field = check(in)))
        return BB_INVALID;
    int64_t site = 0, item = 0;
    enum bb_err rc = find_site(tx, in, &site, field);
    if (rc)
        return rc;
    if (in->item_code && (rc = desk_item(tx, in->item_code, &item))) {
        *field = "item";
        return rc;
    }
    char hash[TOKEN_HEX], masked[16];
    struct buf sealed;
    rc = desk_phone(in->phone, hash, &sealed, masked);
    bool same = false;
    if (!rc)
        rc = earlier(tx, key_id, in, site, item, hash, id, &same);
    if (!rc && *id) {
        buf_free(&sealed);
        if (same)
            return BB_OK; /* the hotline resent it: the same order, nothing new */
        *field = "order_no";
        return BB_CONFLICT;
    }
    int64_t complaint = 0;
    if (!rc && !strcmp(in->kind, "complaint")) {
        struct complaint_in c = {site, in->item_code, in->name, in->phone, in->description,
                                 "hotline"};
        rc = complaint_create(tx, NULL, &c, &complaint, NULL, field);
    }
    struct store_stmt *s = NULL;
    if (!rc)
        rc = store_prepare(tx, "INSERT INTO hotline_orders (api_key_id, order_no, kind, site_id, "
                               "item_id, name, phone_hash, phone_sealed, phone_masked, "
                               "description, status, complaint_id, created_at, updated_at) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?) "
                               "RETURNING id", &s);
    int64_t now = clock_now();
    int i = 1;
    if (!rc) rc = store_bind_int(s, i++, key_id);
    if (!rc) rc = store_bind_text(s, i++, in->order_no);
    if (!rc) rc = store_bind_text(s, i++, in->kind);
    if (!rc) rc = store_bind_int(s, i++, site);
    if (!rc) rc = item ? store_bind_int(s, i++, item) : store_bind_null(s, i++);
    if (!rc) rc = store_bind_text(s, i++, in->name);
    if (!rc) rc = store_bind_text(s, i++, hash);
    if (!rc) rc = store_bind_text(s, i++, sealed.data);
    if (!rc) rc = store_bind_text(s, i++, masked);
    if (!rc) rc = store_bind_text(s, i++, in->description);
    if (!rc) rc = complaint ? store_bind_int(s, i++, complaint) : store_bind_null(s, i++);
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
    *created = true;
    char object[48], detail[48];
    snprintf(object, sizeof object, "hotline_order:%lld", (long long)*id);
    snprintf(detail, sizeof detail, "{\"api_key\":%lld}", (long long)key_id);
    return audit_append(tx, NULL, "hotline_order.create", object, "ok", detail);
}

/* --- reading --- */

/* A complaint order follows its complaint: open while it is open or assigned. */
#define O_STATUS "CASE WHEN c.id IS NULL THEN o.status WHEN c.status IN ('open', 'assigned') " \
    "THEN 'open' ELSE c.status END"
#define O_COLS "o.id, o.order_no, o.kind, " O_STATUS ", o.site_id, st.name, st.code, i.code, " \
    "v.name, o.name, o.phone_masked, o.description, COALESCE(c.answer, o.answer), c.id, " \
    "c.code, c.status, c.answer, k.receipt, k.status, o.api_key_id, ak.name, o.created_at, " \
    "CASE WHEN c.updated_at > o.updated_at THEN c.updated_at ELSE o.updated_at END, st.path"
#define O_FROM " FROM hotline_orders o JOIN sites st ON st.id = o.site_id " \
    "JOIN api_keys ak ON ak.id = o.api_key_id LEFT JOIN items i ON i.id = o.item_id " \
    "LEFT JOIN item_versions v ON v.item_id = i.id AND v.version = i.published_version " \
    "LEFT JOIN complaints c ON c.id = o.complaint_id LEFT JOIN cases k ON k.id = o.case_id "

static json_t *row_json(struct store_stmt *s, bool staff)
{
    json_t *complaint = store_col_null(s, 13)
                            ? json_null()
                            : json_pack("{s:s,s:s,s:o}", "code", store_col_text(s, 14),
                                        "status", store_col_text(s, 15), "answer",
                                        desk_text(s, 16));
    if (staff && json_is_object(complaint))
        json_object_set_new(complaint, "id", json_integer(store_col_int(s, 13)));
    json_t *kase = store_col_null(s, 17) ? json_null()
                                         : json_pack("{s:s,s:s}", "receipt",
                                                     store_col_text(s, 17), "status",
                                                     store_col_text(s, 18));
    json_t *o = json_pack("{s:s,s:s,s:s,s:{s:I,s:s,s:s},s:o,s:o,s:o,s:o,s:o}", "order_no",
                          store_col_text(s, 1), "kind", store_col_text(s, 2), "status",
                          store_col_text(s, 3), "site", "id", (json_int_t)store_col_int(s, 4),
                          "name", store_col_text(s, 5), "code", store_col_text(s, 6), "answer",
                          desk_text(s, 12), "complaint", complaint, "case", kase, "created_at",
                          desk_time(s, 21), "updated_at", desk_time(s, 22));
    if (o && staff) {
        char name[64];
        pii_mask_name(store_col_text(s, 9), name, sizeof name);
        json_t *item = store_col_null(s, 7) ? json_null()
                                            : json_pack("{s:s,s:o}", "code",
                                                        store_col_text(s, 7), "name",
                                                        desk_text(s, 8));
        json_object_set_new(o, "id", json_integer(store_col_int(s, 0)));
        json_object_set_new(o, "item", item);
        json_object_set_new(o, "name", json_string(name));
        json_object_set_new(o, "phone", json_string(store_col_text(s, 10)));
        json_object_set_new(o, "description", json_string(store_col_text(s, 11)));
        json_object_set_new(o, "api_key", json_pack("{s:I,s:s}", "id",
                                                    (json_int_t)store_col_int(s, 19), "name",
                                                    store_col_text(s, 20)));
    }
    return o;
}

/* row_json as the sites' inbox shows it, for store_rows_page. */
static json_t *staff_row(struct store_stmt *s, void *arg)
{
    (void)arg;
    return row_json(s, true);
}

/* Runs sql (O_COLS O_FROM + a WHERE with one int and maybe one text parameter). */
static enum bb_err one(struct store_tx *tx, const char *sql, int64_t n, const char *t,
                       const struct actor *a, bool staff, json_t **out)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, sql, &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_int(s, 1, n);
    if (!rc && t)
        rc = store_bind_text(s, 2, t);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    if (!rc && staff && !authz_can(a, AUTHZ_READ_FRONT, store_col_text(s, 23)))
        rc = BB_FORBIDDEN;
    if (!rc && !(*out = row_json(s, staff)))
        rc = BB_NOMEM;
    store_finalize(s);
    return rc;
}

enum bb_err hotline_get_external(struct store_tx *tx, int64_t key_id, const char *order_no,
                                 json_t **out)
{
    return one(tx, "SELECT " O_COLS O_FROM "WHERE o.api_key_id = ? AND o.order_no = ?", key_id,
               order_no, NULL, false, out);
}

enum bb_err hotline_get_external_id(struct store_tx *tx, int64_t id, json_t **out)
{
    return one(tx, "SELECT " O_COLS O_FROM "WHERE o.id = ?", id, NULL, NULL, false, out);
}

enum bb_err hotline_get(struct store_tx *tx, const struct actor *a, int64_t id, json_t **out)
{
    return one(tx, "SELECT " O_COLS O_FROM "WHERE o.id = ?", id, NULL, a, true, out);
}

enum bb_err hotline_list(struct store_tx *tx, const struct actor *a,
                         const struct hotline_query *q, json_t **items, int64_t *next)
{
    const char *scope = a ? a->site_path : "/";
    if (!*scope || (a && !authz_can(a, AUTHZ_READ_FRONT, scope)))
        return BB_FORBIDDEN;
    enum bb_err rc = q->site_id ? site_check(tx, a, AUTHZ_READ_FRONT, q->site_id) : BB_OK;
    if (rc)
        return rc;
    struct store_stmt *s;
    rc = store_prepare(tx, "SELECT " O_COLS O_FROM "WHERE substr(st.path, 1, length(?)) = ? "
                           "AND (? = 0 OR o.site_id = ?) AND (? IS NULL OR " O_STATUS " = ?) "
                           "AND (? IS NULL OR o.kind = ?) AND o.id > ? ORDER BY o.id LIMIT ?",
                       &s);
    if (rc)
        return rc;
    int i = 1;
    rc = store_bind_text(s, i++, scope);
    if (!rc) rc = store_bind_text(s, i++, scope);
    if (!rc) rc = store_bind_int(s, i++, q->site_id);
    if (!rc) rc = store_bind_int(s, i++, q->site_id);
    if (!rc) rc = store_bind_text(s, i++, q->status);
    if (!rc) rc = store_bind_text(s, i++, q->status);
    if (!rc) rc = store_bind_text(s, i++, q->kind);
    if (!rc) rc = store_bind_text(s, i++, q->kind);
    if (!rc) rc = store_bind_int(s, i++, q->after);
    if (!rc) rc = store_bind_int(s, i++, q->limit + 1);
    if (!rc)
        rc = store_rows_page(s, staff_row, NULL, q->limit, items, next);
    store_finalize(s);
    return rc;
}

/* --- actions --- */

struct o_row {
    char kind[16], status[16], path[SITE_PATH_MAX];
};

static enum bb_err load(struct store_tx *tx, int64_t id, struct o_row *o)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT o.kind, o.status, st.path FROM hotline_orders o "
                                       "JOIN sites st ON st.id = o.site_id WHERE o.id = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_int(s, 1, id);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    if (!rc) {
        snprintf(o->kind, sizeof o->kind, "%s", store_col_text(s, 0));
        snprintf(o->status, sizeof o->status, "%s", store_col_text(s, 1));
        snprintf(o->path, sizeof o->path, "%s", store_col_text(s, 2));
    }
    store_finalize(s);
    return rc;
}

/* The case with receipt, opened at the order's site or below it. */
static enum bb_err find_case(struct store_tx *tx, const char *receipt, const char *order_path,
                             int64_t *case_id)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT c.id, st.path FROM cases c JOIN sites st "
                                       "ON st.id = c.site_id WHERE c.receipt = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_text(s, 1, receipt);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && (!row || !authz_in_subtree(order_path, store_col_text(s, 1))))
        rc = BB_INVALID;
    if (!rc)
        *case_id = store_col_int(s, 0);
    store_finalize(s);
    return rc;
}

enum bb_err hotline_act(struct store_tx *tx, const struct actor *a, int64_t id,
                        const char *action, const char *text, const char **field)
{
    struct o_row o;
    enum bb_err rc = load(tx, id, &o);
    if (rc)
        return rc;
    if (!authz_can(a, AUTHZ_RECTIFY, o.path))
        return BB_FORBIDDEN;
    bool is_case = !strcmp(o.kind, "case");
    if (!strcmp(o.kind, "complaint"))
        return BB_WRONG_STATE; /* handled as the complaint it became */
    int64_t user = a ? a->user_id : 0, now = clock_now(), found_id = 0;
    bool found = false;
    if (!strcmp(action, "answer")) {
        struct store_stmt *s;
        rc = store_prepare(tx, "UPDATE hotline_orders SET status = 'answered', answer = ?, "
                               "answered_by = ?, updated_at = ? WHERE id = ? "
                               "AND status = 'open' RETURNING id", &s);
        if (rc)
            return rc;
        rc = store_bind_text(s, 1, text);
        if (!rc) rc = store_bind_int(s, 2, user);
        if (!rc) rc = store_bind_int(s, 3, now);
        if (!rc) rc = store_bind_int(s, 4, id);
        if (!rc) rc = store_step(s, &found);
        store_finalize(s);
    } else if (!strcmp(action, "link")) {
        if (!is_case)
            return BB_WRONG_STATE;
        int64_t case_id = 0;
        rc = find_case(tx, text, o.path, &case_id);
        if (rc == BB_INVALID)
            *field = "receipt";
        int64_t args[4] = {case_id, user, now, id};
        if (!rc)
            rc = store_query_int(tx, "UPDATE hotline_orders SET status = 'answered', "
                                     "case_id = ?, answered_by = ?, updated_at = ? WHERE id = ? "
                                     "AND status = 'open' RETURNING id", 4, args, &found,
                                 &found_id);
    } else if (!strcmp(action, "close")) {
        int64_t args[2] = {now, id};
        rc = store_query_int(tx, "UPDATE hotline_orders SET status = 'closed', updated_at = ? "
                                 "WHERE id = ? AND status IN ('open', 'answered') RETURNING id",
                             2, args, &found, &found_id);
    } else {
        return BB_NO_ROUTE;
    }
    if (!rc && !found)
        rc = BB_WRONG_STATE;
    char what[48], object[48];
    snprintf(what, sizeof what, "hotline_order.%s", action);
    snprintf(object, sizeof object, "hotline_order:%lld", (long long)id);
    return rc ? rc : audit_append(tx, a, what, object, "ok", NULL);
}
