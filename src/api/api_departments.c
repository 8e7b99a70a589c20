/* api_departments.c - /api/v1/departments. */
#include "../core/json.h"
#include "../sites/sites.h"
#include "api.h"

static const char *const allowed[] = {"code", "name", NULL};

static enum bb_err create(struct store_tx *tx, const struct actor *a, const void *in,
                          int64_t *id, const char **field)
{
    return dept_create(tx, a, in, id, field);
}

static enum bb_err update(struct store_tx *tx, const struct actor *a, const void *in,
                          int64_t *id, const char **field)
{
    return dept_update(tx, a, *id, in, field);
}

static enum bb_err list(struct store_tx *tx, const struct actor *a, int64_t filter,
                        int64_t after, int limit, json_t **items, int64_t *next)
{
    (void)filter;
    return dept_list(tx, a, after, limit, items, next);
}

static enum bb_err parse(json_t *o, struct dept_in *in, bool create_, const char **field)
{
    bool p;
    enum bb_err rc = json_str(o, "code", create_ ? NULL : &p, false, 1, 32, &in->code, field);
    if (!rc && (create_ || p))
        in->set |= F_CODE;
    if (!rc)
        rc = json_str(o, "name", create_ ? NULL : &p, false, 1, 64, &in->name, field);
    if (!rc && (create_ || p))
        in->set |= F_NAME;
    return rc;
}

void api_depts_list(struct req *r) { api_list(r, list, NULL); }
void api_depts_get(struct req *r) { api_get_one(r, dept_get); }

void api_depts_create(struct req *r)
{
    json_t *o;
    if (!api_body(r, allowed, &o))
        return;
    struct dept_in in = {0};
    const char *field = NULL;
    enum bb_err rc = parse(o, &in, true, &field);
    if (!api_failed(r, rc, field))
        api_write(r, 201, create, &in, 0, dept_get, "department");
    json_decref(o);
}

void api_depts_update(struct req *r)
{
    int64_t id;
    json_t *o;
    if (!api_id(r, 0, &id) || !api_body(r, allowed, &o))
        return;
    struct dept_in in = {0};
    const char *field = NULL;
    enum bb_err rc = parse(o, &in, false, &field);
    if (!api_failed(r, rc, field))
        api_write(r, 200, update, &in, id, dept_get, "department");
    json_decref(o);
}
