/* windows.c - service windows of a site (综合受理, 帮办代办, 专区 ...). A specialised window
 * (专区) always names the department that staffs it. */
#include <stdio.h>
#include <string.h>
#include "../core/clock.h"
#include "../store/row.h"
#include "sites.h"

static const char *const kinds[] = {"general",  "assisted",     "specialised", "complaint",
                                    "cross_region", "issuance", "self_service", NULL};

#define WIN_COLS "w.id, w.site_id, w.kind, w.name, w.department_id, w.active"
static const char win_types[] = "iissib";
static const char *const win_names[] = {"id", "site_id", "kind", "name", "department_id",
                                        "active"};

bool window_kind_valid(const char *kind)
{
    for (const char *const *k = kinds; *k; k++)
        if (strcmp(*k, kind) == 0)
            return true;
    return false;
}

struct win_row {
    int64_t site_id, department_id;
    char kind[16];
    char path[SITE_PATH_MAX];
};

static enum bb_err load(struct store_tx *tx, int64_t id, struct win_row *r)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT w.site_id, COALESCE(w.department_id, 0), w.kind, "
                                       "st.path FROM windows w JOIN sites st ON st.id = w.site_id "
                                       "WHERE w.id = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_int(s, 1, id);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    if (!rc) {
        r->site_id = store_col_int(s, 0);
        r->department_id = store_col_int(s, 1);
        snprintf(r->kind, sizeof r->kind, "%s", store_col_text(s, 2));
        snprintf(r->path, sizeof r->path, "%s", store_col_text(s, 3));
    }
    store_finalize(s);
    return rc;
}

/* Kind and department must agree: 专区 needs its department. */
static enum bb_err check(struct store_tx *tx, const char *kind, int64_t dept, const char **field)
{
    if (!window_kind_valid(kind)) {
        *field = "kind";
        return BB_INVALID;
    }
    if (strcmp(kind, "specialised") == 0 && dept == 0) {
        *field = "department_id";
        return BB_MISSING_FIELD;
    }
    return dept ? dept_exists(tx, dept, field) : BB_OK;
}

static enum bb_err bind_dept(struct store_stmt *s, int i, int64_t dept)
{
    return dept ? store_bind_int(s, i, dept) : store_bind_null(s, i);
}

enum bb_err window_create(struct store_tx *tx, const struct actor *a, const struct window_in *in,
                          int64_t *id, const char **field)
{
    char path[SITE_PATH_MAX];
    enum bb_err rc = site_path(tx, in->site_id, path);
    if (rc == BB_NOT_FOUND) {
        *field = "site_id";
        return BB_INVALID;
    }
    if (rc)
        return rc;
    if (!authz_can(a, AUTHZ_MANAGE_SITE, path))
        return BB_FORBIDDEN;
    int64_t dept = (in->set & F_DEPT) ? in->department_id : 0;
    rc = check(tx, in->kind, dept, field);
    if (rc)
        return rc;
    struct store_stmt *s;
    rc = store_prepare(tx, "INSERT INTO windows (site_id, kind, name, department_id, active, "
                           "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id", &s);
    if (rc)
        return rc;
    int64_t now = clock_now();
    rc = store_bind_int(s, 1, in->site_id);
    if (!rc)
        rc = store_bind_text(s, 2, in->kind);
    if (!rc)
        rc = store_bind_text(s, 3, in->name);
    if (!rc)
        rc = bind_dept(s, 4, dept);
    if (!rc)
        rc = store_bind_int(s, 5, (in->set & F_ACTIVE) ? in->active : 1);
    if (!rc)
        rc = store_bind_int(s, 6, now);
    if (!rc)
        rc = store_bind_int(s, 7, now);
    bool row = false;
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && row)
        *id = store_col_int(s, 0);
    store_finalize(s);
    return rc;
}

enum bb_err window_update(struct store_tx *tx, const struct actor *a, int64_t id,
                          const struct window_in *in, const char **field)
{
    struct win_row cur;
    enum bb_err rc = load(tx, id, &cur);
    if (rc)
        return rc;
    if (!authz_can(a, AUTHZ_MANAGE_SITE, cur.path))
        return BB_FORBIDDEN;
    const char *kind = (in->set & F_KIND) ? in->kind : cur.kind;
    int64_t dept = (in->set & F_DEPT) ? in->department_id : cur.department_id;
    rc = check(tx, kind, dept, field);
    if (rc)
        return rc;
    struct store_stmt *s;
    rc = store_prepare(tx, "UPDATE windows SET kind = ?, department_id = ?, "
                           "name = CASE WHEN ? THEN ? ELSE name END, "
                           "active = CASE WHEN ? THEN ? ELSE active END, "
                           "updated_at = ? WHERE id = ?", &s);
    if (rc)
        return rc;
    rc = store_bind_text(s, 1, kind);
    if (!rc)
        rc = bind_dept(s, 2, dept);
    if (!rc)
        rc = store_bind_int(s, 3, (in->set & F_NAME) != 0);
    if (!rc)
        rc = store_bind_text(s, 4, in->name);
    if (!rc)
        rc = store_bind_int(s, 5, (in->set & F_ACTIVE) != 0);
    if (!rc)
        rc = store_bind_int(s, 6, in->active);
    if (!rc)
        rc = store_bind_int(s, 7, clock_now());
    if (!rc)
        rc = store_bind_int(s, 8, id);
    bool row;
    if (!rc)
        rc = store_step(s, &row);
    store_finalize(s);
    return rc;
}

enum bb_err window_get(struct store_tx *tx, const struct actor *a, int64_t id, json_t **out)
{
    struct win_row cur;
    enum bb_err rc = load(tx, id, &cur);
    if (rc)
        return rc;
    if (!authz_can(a, AUTHZ_READ_SITE, cur.path))
        return BB_FORBIDDEN;
    return store_get_json(tx, "SELECT " WIN_COLS " FROM windows w WHERE w.id = ?", id, win_types,
                          win_names, out);
}

enum bb_err window_list(struct store_tx *tx, const struct actor *a, int64_t site_id,
                        int64_t after, int limit, json_t **items, int64_t *next)
{
    enum bb_err rc = site_id ? site_check(tx, a, AUTHZ_READ_SITE, site_id) : BB_OK;
    if (rc)
        return rc;
    const char *scope = a ? a->site_path : "/";
    if (!*scope)
        return BB_FORBIDDEN; /* a malformed actor sees nothing, as in authz_in_subtree */
    struct store_stmt *s;
    rc = store_prepare(tx, "SELECT " WIN_COLS " FROM windows w "
                           "JOIN sites st ON st.id = w.site_id "
                           "WHERE substr(st.path, 1, length(?)) = ? "
                           "AND (? = 0 OR w.site_id = ?) AND w.id > ? "
                           "ORDER BY w.id LIMIT ?", &s);
    if (rc)
        return rc;
    rc = store_bind_text(s, 1, scope);
    if (!rc)
        rc = store_bind_text(s, 2, scope);
    if (!rc)
        rc = store_bind_int(s, 3, site_id);
    if (!rc)
        rc = store_bind_int(s, 4, site_id);
    if (!rc)
        rc = store_bind_int(s, 5, after);
    if (!rc)
        rc = store_bind_int(s, 6, limit + 1);
    if (!rc)
        rc = store_rows_json(s, win_types, win_names, limit, items, next);
    store_finalize(s);
    return rc;
}
