/* item_read.c - reading items: one item with its materials (any version, or the public view
 * with where to go), and the searchable list. */
#include <stdio.h>
#include <string.h>
#include "../sites/sites.h"
#include "../store/row.h"
#include "catalog_int.h"

#define VERSION_COLS                                                                          \
    "v.id, v.version, v.name, v.domain, d.code, v.level, v.object, v.case_type, "              \
    "v.statutory_days, v.promised_days, v.fee, v.result_type, v.result, v.online, "            \
    "v.legal_basis, v.conditions, v.process, d.name"
static const char version_types[] = "iissssssiisssbssss";
static const char *const version_names[] = {
    "version_id", "shown_version", "name", "domain", "department", "level", "object",
    "case_type", "statutory_days", "promised_days", "fee", "result_type", "result", "online",
    "legal_basis", "conditions", "process", "department_name"};

/* "wj;ga" -> ["wj","ga"] */
static json_t *split_joint(const char *joint)
{
    json_t *arr = json_array();
    const char *p = joint;
    while (arr && p && *p) {
        const char *e = strchr(p, ';');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        json_array_append_new(arr, json_stringn(p, n));
        p = e ? e + 1 : NULL;
    }
    return arr;
}

static enum bb_err add_materials(struct store_tx *tx, int64_t vid, json_t *obj)
{
    static const char *const names[] = {"id", "name", "required", "condition", "form", "copies",
                                        "source", "note"};
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT id, name, required, condition, form, copies, source, "
                                       "note FROM materials WHERE version_id = ? ORDER BY seq", &s);
    if (rc)
        return rc;
    json_t *items = NULL;
    int64_t next;
    rc = store_bind_int(s, 1, vid);
    if (!rc)
        rc = store_rows_json(s, "isbssiss", names, ITEM_MAX_MATERIALS, &items, &next);
    store_finalize(s);
    if (!rc)
        json_object_set_new(obj, "materials", items);
    return rc;
}

/* Where a resident can go for the item: every site offering it. */
static enum bb_err add_sites(struct store_tx *tx, int64_t item_id, json_t *obj)
{
    static const char *const names[] = {"id", "name", "level", "address", "phone", "hours",
                                        "mode"};
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT st.id, st.name, st.level, st.address, st.phone, "
                                       "st.hours, si.mode FROM site_items si "
                                       "JOIN sites st ON st.id = si.site_id WHERE si.item_id = ? "
                                       "ORDER BY length(st.path), st.id", &s);
    if (rc)
        return rc;
    json_t *items = NULL;
    int64_t next;
    rc = store_bind_int(s, 1, item_id);
    if (!rc)
        rc = store_rows_json(s, "issssss", names, 10000, &items, &next);
    store_finalize(s);
    if (!rc)
        json_object_set_new(obj, "sites", items);
    return rc;
}

enum bb_err item_get(struct store_tx *tx, const struct actor *a, const char *code,
                     enum item_view view, int64_t version, json_t **out)
{
    *out = NULL;
    if (view != VIEW_PUBLIC && !authz_can(a, AUTHZ_READ_CATALOG, NULL))
        return BB_FORBIDDEN;
    struct item_row it;
    enum bb_err rc = item_load(tx, code, &it);
    if (rc)
        return rc;
    int64_t shown = view == VIEW_DRAFT     ? it.draft_version
                    : view == VIEW_VERSION ? version
                    : view == VIEW_PUBLIC  ? it.published_version
                    : it.published_version ? it.published_version
                                           : it.draft_version;
    if (!shown)
        return BB_NOT_FOUND;
    struct store_stmt *s;
    rc = store_prepare(tx, "SELECT " VERSION_COLS ", v.joint_departments FROM item_versions v "
                           "JOIN departments d ON d.id = v.department_id "
                           "WHERE v.item_id = ? AND v.version = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_int(s, 1, it.id);
    if (!rc)
        rc = store_bind_int(s, 2, shown);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    json_t *o = NULL;
    int64_t vid = 0;
    if (!rc) {
        vid = store_col_int(s, 0);
        json_t *v = store_row_json(s, version_types, version_names);
        o = json_pack("{s:s,s:s,s:o,s:o}", "code", code, "status", it.status, "version",
                      it.published_version ? json_integer(it.published_version) : json_null(),
                      "draft_version",
                      it.draft_version ? json_integer(it.draft_version) : json_null());
        if (!v || !o || json_object_update(o, v))
            rc = BB_NOMEM;
        json_decref(v);
        if (!rc) {
            json_object_del(o, "version_id");
            json_object_set_new(o, "joint_departments", split_joint(store_col_text(s, 18)));
        }
    }
    store_finalize(s);
    if (!rc)
        rc = add_materials(tx, vid, o);
    if (!rc && view == VIEW_PUBLIC) {
        json_object_del(o, "draft_version");
        if (strcmp(it.status, "retired") == 0) /* nowhere to go for it any more */
            json_object_set_new(o, "sites", json_array());
        else
            rc = add_sites(tx, it.id, o);
    }
    if (rc) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return BB_OK;
}

/* q as a LIKE pattern matching its characters in order with anything between them, so an
 * abbreviation finds the full name (低保 finds 最低生活保障申请); wildcards are escaped. */
static void like_pattern(const char *q, char *out, size_t n)
{
    size_t j = 0;
    out[j++] = '%';
    for (; *q && j + 6 < n; q++) {
        if (*q == '%' || *q == '_' || *q == '\\')
            out[j++] = '\\';
        out[j++] = *q;
        if (((unsigned char)q[1] & 0xC0) != 0x80) /* end of a UTF-8 character */
            out[j++] = '%';
    }
    if (out[j - 1] != '%')
        out[j++] = '%';
    out[j] = '\0';
}

enum bb_err item_list(struct store_tx *tx, const struct actor *a, const struct item_query *q,
                      json_t **items, char *next, size_t next_len)
{
    *items = NULL;
    next[0] = '\0';
    if (!q->public_only && !authz_can(a, AUTHZ_READ_CATALOG, NULL))
        return BB_FORBIDDEN;
    if (!q->public_only && q->site_id) { /* a site's list is as private as the site */
        enum bb_err src = site_check(tx, a, AUTHZ_READ_SITE, q->site_id);
        if (src)
            return src;
    }
    static const char *const names[] = {"code", "name", "domain", "department", "level",
                                        "case_type", "statutory_days", "promised_days",
                                        "status", "version", "mode"};
    struct store_stmt *s;
    enum bb_err rc = store_prepare(
        tx, "SELECT i.code, v.name, v.domain, d.code, v.level, v.case_type, v.statutory_days, "
            "v.promised_days, i.status, i.published_version, si.mode FROM items i "
            "JOIN item_versions v ON v.item_id = i.id "
            " AND v.version = COALESCE(i.published_version, i.draft_version) "
            "JOIN departments d ON d.id = v.department_id "
            "LEFT JOIN site_items si ON si.item_id = i.id AND si.site_id = ? "
            "WHERE (? = 0 OR si.id IS NOT NULL) "
            "AND (? IS NULL OR v.domain = ?) AND (? IS NULL OR v.level = ?) "
            "AND (? IS NULL OR i.status = ?) "
            "AND (? = 0 OR i.status = 'published') "
            /* lower(): Latin letters match in any case on both backends (SQLite's LIKE
             * ignores ASCII case by itself, PostgreSQL's does not) */
            "AND (? IS NULL OR lower(v.name) LIKE lower(?) ESCAPE '\\' "
            "OR substr(i.code, 1, length(?)) = ?) "
            "AND i.code > ? ORDER BY i.code LIMIT ?", &s);
    if (rc)
        return rc;
    char pattern[420];
    if (q->q)
        like_pattern(q->q, pattern, sizeof pattern);
    int i = 1;
    rc = store_bind_int(s, i++, q->site_id);
    if (!rc) rc = store_bind_int(s, i++, q->site_id);
    const char *pairs[] = {q->domain, q->level, q->status};
    for (int k = 0; k < 3 && !rc; k++) {
        rc = store_bind_text(s, i++, pairs[k]);
        if (!rc)
            rc = store_bind_text(s, i++, pairs[k]);
    }
    if (!rc) rc = store_bind_int(s, i++, q->public_only);
    if (!rc) rc = store_bind_text(s, i++, q->q);
    if (!rc) rc = store_bind_text(s, i++, q->q ? pattern : NULL);
    if (!rc) rc = store_bind_text(s, i++, q->q);
    if (!rc) rc = store_bind_text(s, i++, q->q);
    if (!rc) rc = store_bind_text(s, i++, q->after ? q->after : "");
    if (!rc) rc = store_bind_int(s, i++, q->limit + 1);
    *items = json_array();
    if (!*items)
        rc = BB_NOMEM;
    for (int n = 0; !rc; n++) {
        bool row;
        rc = store_step(s, &row);
        if (rc || !row)
            break;
        if (n == q->limit) { /* one more row exists: the last returned code is the cursor */
            json_t *last = json_array_get(*items, (size_t)n - 1);
            snprintf(next, next_len, "%s", json_string_value(json_object_get(last, "code")));
            break;
        }
        json_t *o = store_row_json(s, "ssssssiisis", names);
        if (!o || json_array_append_new(*items, o))
            rc = BB_NOMEM;
    }
    store_finalize(s);
    if (rc) {
        json_decref(*items);
        *items = NULL;
    }
    return rc;
}
