/* api_windows.c - /api/v1/windows: service windows of the sites. */
#include "../core/json.h"
#include "../sites/sites.h"
#include "api.h"

static const char *const allowed_create[] = {"site_id", "kind", "name", "department_id",
                                             "active", NULL};
static const char *const allowed_update[] = {"site_id", "kind", "name", "department_id",
                                             "active", NULL};

static enum bb_err common(json_t *o, struct window_in *in, bool create, const char **field)
{
    bool p;
    bool null = false;
    enum bb_err rc = json_str(o, "kind", create ? NULL : &p, false, 1, 16, &in->kind, field);
    if (!rc && (create || p))
        in->set |= F_KIND;
    if (!rc)
        rc = json_str(o, "name", create ? NULL : &p, false, 1, 64, &in->name, field);
    if (!rc && (create || p))
        in->set |= F_NAME;
    if (!rc)
        rc = json_int(o, "department_id", &p, true, 1, INT64_MAX, &in->department_id, &null,
                      field);
    if (!rc && p) {
        in->set |= F_DEPT;
        if (null)
            in->department_id = 0;
    }
    if (!rc)
        rc = json_bool(o, "active", &p, &in->active, field);
    if (!rc && p)
        in->set |= F_ACTIVE;
    return rc;
}

static enum bb_err create(struct store_tx *tx, const struct actor *a, const void *in,
                          int64_t *id, const char **field)
{
    return window_create(tx, a, in, id, field);
}

static enum bb_err update(struct store_tx *tx, const struct actor *a, const void *in,
                          int64_t *id, const char **field)
{
    return window_update(tx, a, *id, in, field);
}

void api_windows_list(struct req *r) { api_list(r, window_list, "site"); }
void api_windows_get(struct req *r) { api_get_one(r, window_get); }

void api_windows_create(struct req *r)
{
    json_t *o;
    if (!api_body(r, allowed_create, &o))
        return;
    struct window_in in = {0};
    const char *field = NULL;
    enum bb_err rc = json_int(o, "site_id", NULL, false, 1, INT64_MAX, &in.site_id, NULL, &field);
    if (!rc)
        rc = common(o, &in, true, &field);
    if (!api_failed(r, rc, field))
        api_write(r, 201, create, &in, 0, window_get, "window");
    json_decref(o);
}

void api_windows_update(struct req *r)
{
    int64_t id;
    json_t *o;
    if (!api_id(r, 0, &id) || !api_body(r, allowed_update, &o))
        return;
    struct window_in in = {0};
    const char *field = NULL;
    enum bb_err rc = json_object_get(o, "site_id") ? BB_READ_ONLY : BB_OK;
    if (rc)
        field = "site_id";
    else
        rc = common(o, &in, false, &field);
    if (!api_failed(r, rc, field))
        api_write(r, 200, update, &in, id, window_get, "window");
    json_decref(o);
}
