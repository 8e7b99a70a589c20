/* departments.c - the departments (人社, 民政, 医保 ...) that staff specialised windows and
 * decide cases in the back office. Shared by the whole deployment. */
#include <string.h>
#include "../core/clock.h"
#include "../store/row.h"
#include "sites.h"

static const char *const dept_names[] = {"id", "code", "name"};

static bool code_ok(const char *code)
{
    size_t n = strlen(code);
    if (n < 2 || n > 16)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = code[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

enum bb_err dept_exists(struct store_tx *tx, int64_t id, const char **field)
{
    bool found;
    enum bb_err rc = store_query_int(tx, "SELECT id FROM departments WHERE id = ?", 1, &id,
                                     &found, NULL);
    if (!rc && !found) {
        *field = "department_id";
        rc = BB_INVALID;
    }
    return rc;
}

enum bb_err dept_create(struct store_tx *tx, const struct actor *a, const struct dept_in *in,
                        int64_t *id, const char **field)
{
    if (!authz_can(a, AUTHZ_MANAGE_DEPT, NULL))
        return BB_FORBIDDEN;
    if (!code_ok(in->code)) {
        *field = "code";
        return BB_INVALID;
    }
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "INSERT INTO departments (code, name, created_at, "
                                       "updated_at) VALUES (?, ?, ?, ?) RETURNING id", &s);
    if (rc)
        return rc;
    int64_t now = clock_now();
    rc = store_bind_text(s, 1, in->code);
    if (!rc)
        rc = store_bind_text(s, 2, in->name);
    if (!rc)
        rc = store_bind_int(s, 3, now);
    if (!rc)
        rc = store_bind_int(s, 4, now);
    bool row = false;
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && row)
        *id = store_col_int(s, 0);
    store_finalize(s);
    if (rc == BB_CONFLICT)
        *field = "code";
    return rc;
}

enum bb_err dept_update(struct store_tx *tx, const struct actor *a, int64_t id,
                        const struct dept_in *in, const char **field)
{
    enum bb_err rc = dept_exists(tx, id, field);
    if (rc == BB_INVALID) {
        *field = NULL;
        return BB_NOT_FOUND;
    }
    if (rc)
        return rc;
    if (!authz_can(a, AUTHZ_MANAGE_DEPT, NULL))
        return BB_FORBIDDEN;
    if ((in->set & F_CODE) && !code_ok(in->code)) {
        *field = "code";
        return BB_INVALID;
    }
    struct store_stmt *s;
    rc = store_prepare(tx, "UPDATE departments SET code = CASE WHEN ? THEN ? ELSE code END, "
                           "name = CASE WHEN ? THEN ? ELSE name END, updated_at = ? WHERE id = ?",
                       &s);
    if (rc)
        return rc;
    rc = store_bind_int(s, 1, (in->set & F_CODE) != 0);
    if (!rc)
        rc = store_bind_text(s, 2, in->code);
    if (!rc)
        rc = store_bind_int(s, 3, (in->set & F_NAME) != 0);
    if (!rc)
        rc = store_bind_text(s, 4, in->name);
    if (!rc)
        rc = store_bind_int(s, 5, clock_now());
    if (!rc)
        rc = store_bind_int(s, 6, id);
    bool row;
    if (!rc)
        rc = store_step(s, &row);
    store_finalize(s);
    if (rc == BB_CONFLICT)
        *field = "code";
    return rc;
}

enum bb_err dept_get(struct store_tx *tx, const struct actor *a, int64_t id, json_t **out)
{
    if (!authz_can(a, AUTHZ_READ_DEPT, NULL))
        return BB_FORBIDDEN;
    return store_get_json(tx, "SELECT id, code, name FROM departments WHERE id = ?", id, "iss",
                          dept_names, out);
}

enum bb_err dept_list(struct store_tx *tx, const struct actor *a, int64_t after, int limit,
                      json_t **items, int64_t *next)
{
    if (!authz_can(a, AUTHZ_READ_DEPT, NULL))
        return BB_FORBIDDEN;
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT id, code, name FROM departments WHERE id > ? "
                                       "ORDER BY id LIMIT ?", &s);
    if (rc)
        return rc;
    rc = store_bind_int(s, 1, after);
    if (!rc)
        rc = store_bind_int(s, 2, limit + 1);
    if (!rc)
        rc = store_rows_json(s, "iss", dept_names, limit, items, next);
    store_finalize(s);
    return rc;
}
