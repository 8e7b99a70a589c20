/* api_sites.c - /api/v1/sites: the site tree. */
#include <string.h>
#include "../core/json.h"
#include "../sites/sites.h"
#include "api.h"

/* Reads the optional descriptive fields shared by POST and PATCH. */
static enum bb_err optional_fields(json_t *o, struct site_in *in, const char **field)
{
    bool p;
    enum bb_err rc = json_str(o, "name", &p, false, 1, 64, &in->name, field);
    if (!rc && p)
        in->set |= F_NAME;
    if (!rc)
        rc = json_str(o, "code", &p, false, 0, 32, &in->code, field);
    if (!rc && p)
        in->set |= F_CODE;
    if (!rc)
        rc = json_str(o, "address", &p, true, 0, 128, &in->address, field);
    if (!rc && p)
        in->set |= F_ADDRESS;
    if (!rc)
        rc = json_num(o, "lat", &p, true, -90, 90, &in->lat, &in->lat_null, field);
    if (!rc && p)
        in->set |= F_LAT;
    if (!rc)
        rc = json_num(o, "lng", &p, true, -180, 180, &in->lng, &in->lng_null, field);
    if (!rc && p)
        in->set |= F_LNG;
    if (!rc)
        rc = json_str(o, "hours", &p, true, 0, 64, &in->hours, field);
    if (!rc && p)
        in->set |= F_HOURS;
    if (!rc)
        rc = json_str(o, "phone", &p, true, 0, 32, &in->phone, field);
    if (!rc && p)
        in->set |= F_PHONE;
    return rc;
}

static enum bb_err create(struct store_tx *tx, const struct actor *a, const void *in,
                          int64_t *id, const char **field)
{
    return site_create(tx, a, in, id, field);
}

static enum bb_err update(struct store_tx *tx, const struct actor *a, const void *in,
                          int64_t *id, const char **field)
{
    return site_update(tx, a, *id, in, field);
}

static enum bb_err list(struct store_tx *tx, const struct actor *a, int64_t filter,
                        int64_t after, int limit, json_t **items, int64_t *next)
{
    (void)filter;
    return site_list(tx, a, after, limit, items, next);
}

void api_sites_list(struct req *r) { api_list(r, list, NULL); }
void api_sites_get(struct req *r) { api_get_one(r, site_get); }

void api_sites_create(struct req *r)
{
    static const char *const allowed[] = {"parent_id", "level", "name", "code", "address",
                                          "lat", "lng", "hours", "phone", NULL};
    json_t *o;
    if (!api_body(r, allowed, &o))
        return;
    struct site_in in = {0};
    const char *field = NULL;
    enum bb_err rc = json_int(o, "parent_id", NULL, false, 1, INT64_MAX, &in.parent_id, NULL,
                              &field);
    if (!rc)
        rc = json_str(o, "level", NULL, false, 1, 16, &in.level, &field);
    if (!rc)
        rc = json_str(o, "name", NULL, false, 1, 64, &in.name, &field);
    if (!rc)
        rc = json_str(o, "code", NULL, false, 0, 32, &in.code, &field);
    if (!rc)
        rc = optional_fields(o, &in, &field);
    if (!api_failed(r, rc, field))
        api_write(r, 201, create, &in, 0, site_get, "site");
    json_decref(o);
}

void api_sites_update(struct req *r)
{
    static const char *const allowed[] = {"parent_id", "level", "name", "code", "address",
                                          "lat", "lng", "hours", "phone", NULL};
    int64_t id;
    json_t *o;
    if (!api_id(r, 0, &id) || !api_body(r, allowed, &o))
        return;
    struct site_in in = {0};
    const char *field = NULL;
    enum bb_err rc = BB_OK;
    if (json_object_get(o, "parent_id") || json_object_get(o, "level")) {
        field = json_object_get(o, "parent_id") ? "parent_id" : "level";
        rc = BB_READ_ONLY; /* sites never move: their scope paths depend on it */
    }
    if (!rc)
        rc = optional_fields(o, &in, &field);
    if (!api_failed(r, rc, field))
        api_write(r, 200, update, &in, id, site_get, "site");
    json_decref(o);
}
