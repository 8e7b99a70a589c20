/* site_items.c - which items each site offers and how (受理 accept, 代收代办 collect, 咨询预审
 * consult). A township maintains its villages' lists; the city centre sees them all together. */
#include <stdio.h>
#include <string.h>
#include "../sites/sites.h"
#include "../store/row.h"
#include "catalog_int.h"

bool site_item_mode_valid(const char *mode)
{
    return mode && (strcmp(mode, "accept") == 0 || strcmp(mode, "collect") == 0 ||
                    strcmp(mode, "consult") == 0);
}

enum bb_err site_items_put(struct store_tx *tx, const struct actor *a, int64_t site_id,
                           const struct site_item_in *in, int n, char *field_buf, size_t len)
{
    char path[SITE_PATH_MAX];
    enum bb_err rc = site_path(tx, site_id, path);
    if (rc)
        return rc;
    if (!authz_can(a, AUTHZ_MANAGE_SITE_ITEMS, path))
        return BB_FORBIDDEN;
    rc = store_run(tx, "DELETE FROM site_items WHERE site_id = ?", "i", site_id);
    for (int i = 0; !rc && i < n; i++) {
        struct item_row it;
        const char *bad = NULL;
        if (!site_item_mode_valid(in[i].mode))
            bad = "mode";
        else if (!in[i].code || item_load(tx, in[i].code, &it) != BB_OK || !it.published_version ||
                 strcmp(it.status, "retired") == 0)
            bad = "code"; /* only items in force can be offered */
        else {
            rc = store_run(tx, "INSERT INTO site_items (site_id, item_id, mode) VALUES (?, ?, ?)",
                           "iit", site_id, it.id, in[i].mode);
            if (rc == BB_CONFLICT)
                bad = "code"; /* listed twice */
        }
        if (bad) {
            snprintf(field_buf, len, "items[%d].%s", i, bad);
            rc = BB_INVALID;
        }
    }
    return rc;
}

enum bb_err site_items_get(struct store_tx *tx, const struct actor *a, int64_t site_id,
                           json_t **out)
{
    *out = NULL;
    json_t *site = NULL, *items = NULL;
    enum bb_err rc = site_get(tx, a, site_id, &site);
    if (rc)
        return rc;
    static const char *const names[] = {"code", "name", "domain", "case_type", "mode"};
    struct store_stmt *s;
    rc = store_prepare(tx, "SELECT i.code, v.name, v.domain, v.case_type, si.mode "
                           "FROM site_items si JOIN items i ON i.id = si.item_id "
                           "JOIN item_versions v ON v.item_id = i.id "
                           " AND v.version = i.published_version "
                           "WHERE si.site_id = ? AND i.status <> 'retired' ORDER BY i.code", &s);
    if (!rc) {
        int64_t next;
        rc = store_bind_int(s, 1, site_id);
        if (!rc)
            rc = store_rows_json(s, "sssss", names, 100000, &items, &next);
        store_finalize(s);
    }
    if (!rc)
        *out = json_pack("{s:o,s:o}", "site", site, "items", items);
    else
        json_decref(site);
    return rc;
}

enum bb_err site_items_integrated(struct store_tx *tx, const struct actor *a, int64_t site_id,
                                  const char *code, int64_t after, int limit, json_t **items,
                                  int64_t *next)
{
    enum bb_err rc = site_id ? site_check(tx, a, AUTHZ_READ_SITE, site_id) : BB_OK;
    if (rc)
        return rc;
    const char *scope = a ? a->site_path : "/";
    if (!*scope)
        return BB_FORBIDDEN;
    static const char *const names[] = {"id", "site_id", "site_name", "site_level", "code",
                                        "name", "mode"};
    struct store_stmt *s;
    rc = store_prepare(tx, "SELECT si.id, st.id, st.name, st.level, i.code, v.name, si.mode "
                           "FROM site_items si JOIN sites st ON st.id = si.site_id "
                           "JOIN items i ON i.id = si.item_id "
                           "JOIN item_versions v ON v.item_id = i.id "
                           " AND v.version = i.published_version "
                           "WHERE substr(st.path, 1, length(?)) = ? AND (? = 0 OR st.id = ?) "
                           "AND i.status <> 'retired' "
                           "AND (? IS NULL OR i.code = ?) AND si.id > ? ORDER BY si.id LIMIT ?",
                       &s);
    if (rc)
        return rc;
    rc = store_bind_text(s, 1, scope);
    if (!rc) rc = store_bind_text(s, 2, scope);
    if (!rc) rc = store_bind_int(s, 3, site_id);
    if (!rc) rc = store_bind_int(s, 4, site_id);
    if (!rc) rc = store_bind_text(s, 5, code);
    if (!rc) rc = store_bind_text(s, 6, code);
    if (!rc) rc = store_bind_int(s, 7, after);
    if (!rc) rc = store_bind_int(s, 8, limit + 1);
    if (!rc)
        rc = store_rows_json(s, "iisssss", names, limit, items, next);
    store_finalize(s);
    return rc;
}
