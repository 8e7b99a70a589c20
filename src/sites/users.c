/* users.c - staff accounts inside the site tree. Admins manage the users of their subtree;
 * an admin cannot lock themselves out (own role, own deactivation). */
#include <stdio.h>
#include <string.h>
#include "../core/clock.h"
#include "../store/row.h"
#include "users.h"

#define USER_COLS "u.id, u.login, u.name, u.role, u.site_id, u.department_id, u.active"
static const char user_types[] = "isssiib";
static const char *const user_names[] = {"id", "login", "name", "role", "site_id",
                                         "department_id", "active"};

bool user_login_valid(const char *login)
{
    size_t n = strlen(login);
    if (n < 2 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = login[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-'))
            return false;
    }
    return true;
}

/* Role known; approvers have a department and nobody else does. */
static enum bb_err check_role(struct store_tx *tx, const char *role, int64_t dept,
                              const char **field)
{
    enum role r;
    if (!role_parse(role, &r)) {
        *field = "role";
        return BB_INVALID;
    }
    if (r == ROLE_APPROVER && dept == 0) {
        *field = "department_id";
        return BB_MISSING_FIELD;
    }
    if (r != ROLE_APPROVER && dept != 0) {
        *field = "department_id";
        return BB_INVALID;
    }
    return dept ? dept_exists(tx, dept, field) : BB_OK;
}

/* The target site must exist (else 422 on site_id) and be inside the actor's subtree. */
static enum bb_err check_site(struct store_tx *tx, const struct actor *a, int64_t site_id,
                              const char **field)
{
    enum bb_err rc = site_check(tx, a, AUTHZ_MANAGE_SITE, site_id);
    if (rc == BB_NOT_FOUND) {
        *field = "site_id";
        rc = BB_INVALID;
    }
    return rc;
}

enum bb_err user_create(struct store_tx *tx, const struct actor *a, const struct user_in *in,
                        int64_t *id, const char **field)
{
    if (!user_login_valid(in->login)) {
        *field = "login";
        return BB_INVALID;
    }
    enum bb_err rc = check_site(tx, a, in->site_id, field);
    if (rc)
        return rc;
    int64_t dept = (in->set & F_DEPT) ? in->department_id : 0;
    rc = check_role(tx, in->role, dept, field);
    if (rc)
        return rc;
    struct store_stmt *s;
    rc = store_prepare(tx, "INSERT INTO users (login, name, role, site_id, department_id, "
                           "password_hash, active, created_at, updated_at) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &s);
    if (rc)
        return rc;
    int64_t now = clock_now();
    rc = store_bind_text(s, 1, in->login);
    if (!rc)
        rc = store_bind_text(s, 2, in->name);
    if (!rc)
        rc = store_bind_text(s, 3, in->role);
    if (!rc)
        rc = store_bind_int(s, 4, in->site_id);
    if (!rc)
        rc = dept ? store_bind_int(s, 5, dept) : store_bind_null(s, 5);
    if (!rc)
        rc = store_bind_text(s, 6, in->password_hash);
    if (!rc)
        rc = store_bind_int(s, 7, (in->set & F_ACTIVE) ? in->active : 1);
    if (!rc)
        rc = store_bind_int(s, 8, now);
    if (!rc)
        rc = store_bind_int(s, 9, now);
    bool row = false;
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && row)
        *id = store_col_int(s, 0);
    store_finalize(s);
    if (rc == BB_CONFLICT)
        *field = "login";
    return rc;
}

struct user_row {
    int64_t site_id, department_id;
    char role[16], path[SITE_PATH_MAX];
};

static enum bb_err load(struct store_tx *tx, int64_t id, struct user_row *r)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT u.site_id, COALESCE(u.department_id, 0), u.role, "
                                       "st.path FROM users u JOIN sites st ON st.id = u.site_id "
                                       "WHERE u.id = ?", &s);
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
        snprintf(r->role, sizeof r->role, "%s", store_col_text(s, 2));
        snprintf(r->path, sizeof r->path, "%s", store_col_text(s, 3));
    }
    store_finalize(s);
    return rc;
}

static enum bb_err end_sessions(struct store_tx *tx, int64_t user_id)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "DELETE FROM sessions WHERE user_id = ?", &s);
    if (rc)
        return rc;
    bool row;
    rc = store_bind_int(s, 1, user_id);
    if (!rc)
        rc = store_step(s, &row);
    store_finalize(s);
    return rc;
}

enum bb_err user_update(struct store_tx *tx, const struct actor *a, int64_t id,
                        const struct user_in *in, const char **field)
{
    struct user_row cur;
    enum bb_err rc = load(tx, id, &cur);
    if (rc)
        return rc;
    if (!authz_can(a, AUTHZ_MANAGE_SITE, cur.path))
        return BB_FORBIDDEN;
    bool self = a && a->user_id == id; /* no locking yourself out */
    if (self && (in->set & F_ROLE) && strcmp(in->role, cur.role) != 0) {
        *field = "role";
        return BB_INVALID;
    }
    if (self && (in->set & F_ACTIVE) && !in->active) {
        *field = "active";
        return BB_INVALID;
    }
    int64_t site = (in->set & F_SITE) ? in->site_id : cur.site_id;
    if (site != cur.site_id) {
        rc = check_site(tx, a, site, field);
        if (rc)
            return rc;
    }
    const char *role = (in->set & F_ROLE) ? in->role : cur.role;
    int64_t dept = (in->set & F_DEPT) ? in->department_id : cur.department_id;
    if ((in->set & F_ROLE) && !(in->set & F_DEPT) && strcmp(role, "approver") != 0)
        dept = 0; /* leaving the approver role drops the department */
    rc = check_role(tx, role, dept, field);
    if (rc)
        return rc;
    struct store_stmt *s;
    rc = store_prepare(tx, "UPDATE users SET role = ?, site_id = ?, department_id = ?, "
                           "name = CASE WHEN ? THEN ? ELSE name END, "
                           "password_hash = CASE WHEN ? THEN ? ELSE password_hash END, "
                           "active = CASE WHEN ? THEN ? ELSE active END, "
                           "updated_at = ? WHERE id = ?", &s);
    if (rc)
        return rc;
    rc = store_bind_text(s, 1, role);
    if (!rc)
        rc = store_bind_int(s, 2, site);
    if (!rc)
        rc = dept ? store_bind_int(s, 3, dept) : store_bind_null(s, 3);
    if (!rc)
        rc = store_bind_int(s, 4, (in->set & F_NAME) != 0);
    if (!rc)
        rc = store_bind_text(s, 5, in->name);
    if (!rc)
        rc = store_bind_int(s, 6, (in->set & F_PASSWORD) != 0);
    if (!rc)
        rc = store_bind_text(s, 7, in->password_hash);
    if (!rc)
        rc = store_bind_int(s, 8, (in->set & F_ACTIVE) != 0);
    if (!rc)
        rc = store_bind_int(s, 9, in->active);
    if (!rc)
        rc = store_bind_int(s, 10, clock_now());
    if (!rc)
        rc = store_bind_int(s, 11, id);
    bool row;
    if (!rc)
        rc = store_step(s, &row);
    store_finalize(s);
    if (!rc && ((in->set & F_PASSWORD) || ((in->set & F_ACTIVE) && !in->active) ||
                site != cur.site_id || strcmp(role, cur.role) != 0))
        rc = end_sessions(tx, id); /* new rights or credentials: sign in again */
    return rc;
}

enum bb_err user_get(struct store_tx *tx, const struct actor *a, int64_t id, json_t **out)
{
    struct user_row cur;
    enum bb_err rc = load(tx, id, &cur);
    if (rc)
        return rc;
    if (!authz_can(a, AUTHZ_READ_SITE, cur.path))
        return BB_FORBIDDEN;
    return store_get_json(tx, "SELECT " USER_COLS " FROM users u WHERE u.id = ?", id, user_types,
                          user_names, out);
}

enum bb_err user_list(struct store_tx *tx, const struct actor *a, int64_t site_id, int64_t after,
                      int limit, json_t **items, int64_t *next)
{
    enum bb_err rc = site_id ? site_check(tx, a, AUTHZ_READ_SITE, site_id) : BB_OK;
    if (rc)
        return rc;
    const char *scope = a ? a->site_path : "/";
    if (!*scope)
        return BB_FORBIDDEN; /* a malformed actor sees nothing, as in authz_in_subtree */
    struct store_stmt *s;
    rc = store_prepare(tx, "SELECT " USER_COLS " FROM users u JOIN sites st ON st.id = u.site_id "
                           "WHERE substr(st.path, 1, length(?)) = ? "
                           "AND (? = 0 OR u.site_id = ?) AND u.id > ? ORDER BY u.id LIMIT ?", &s);
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
        rc = store_rows_json(s, user_types, user_names, limit, items, next);
    store_finalize(s);
    return rc;
}
