/* booking_services.c - a site's bookable services: window kind, optional item, hours, slot
 * length and capacity. Changed by admins and coordinators of the site or above. */
#include <stdio.h>
#include <string.h>
#include "../core/clock.h"
#include "../sites/sites.h"
#include "../store/row.h"
#include "booking.h"

struct svc_row {
    int64_t site_id, item_id, slot_minutes;
    char kind[16], hours[64];
    char path[SITE_PATH_MAX];
};

static enum bb_err load(struct store_tx *tx, int64_t id, struct svc_row *r)
{
    struct store_stmt *s;
    enum bb_err rc = booking_stmt(tx, &s, "SELECT b.site_id, COALESCE(b.item_id, 0), b.kind, "
                                          "b.hours, b.slot_minutes, st.path FROM booking_services b "
                                          "JOIN sites st ON st.id = b.site_id WHERE b.id = ?",
                                  "i", id);
    if (rc)
        return rc;
    bool row = false;
    rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    if (!rc) {
        r->site_id = store_col_int(s, 0);
        r->item_id = store_col_int(s, 1);
        snprintf(r->kind, sizeof r->kind, "%s", store_col_text(s, 2));
        snprintf(r->hours, sizeof r->hours, "%s", store_col_text(s, 3));
        r->slot_minutes = store_col_int(s, 4);
        snprintf(r->path, sizeof r->path, "%s", store_col_text(s, 5));
    }
    store_finalize(s);
    return rc;
}

/* The values the row will hold must agree: valid hours with at least one slot that fits. */
static enum bb_err check(const struct bsvc_in *in, const char *kind, const char *hours,
                         int64_t slot_minutes, const char **field)
{
    struct booking_hours h;
    int starts[BOOKING_MAX_SLOTS];
    if (!window_kind_valid(kind))
        *field = "kind";
    else if (!booking_hours_parse(hours, &h))
        *field = "hours";
    else if (slot_minutes < 5 || slot_minutes > 240 ||
             booking_slot_starts(&h, (int)slot_minutes, starts, BOOKING_MAX_SLOTS) == 0)
        *field = "slot_minutes";
    else if ((in->set & BS_CAPACITY) && (in->capacity < 1 || in->capacity > 500))
        *field = "capacity";
    else
        return BB_OK;
    return BB_INVALID;
}

/* The item (when given) must be published and handled at the site. */
static enum bb_err item_id(struct store_tx *tx, int64_t site_id, const struct bsvc_in *in,
                           int64_t *out, const char **field)
{
    *out = 0;
    if (!(in->set & BS_ITEM) || !in->item)
        return BB_OK;
    return booking_item(tx, site_id, in->item, out, field);
}

enum bb_err bsvc_create(struct store_tx *tx, const struct actor *a, const struct bsvc_in *in,
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
    if (!authz_can(a, AUTHZ_MANAGE_BOOKING, path))
        return BB_FORBIDDEN;
    int64_t item = 0;
    rc = check(in, in->kind, in->hours, in->slot_minutes, field);
    if (!rc)
        rc = item_id(tx, in->site_id, in, &item, field);
    if (rc)
        return rc;
    int64_t now = clock_now();
    struct store_stmt *s;
    rc = booking_stmt(tx, &s, "INSERT INTO booking_services (site_id, name, kind, item_id, hours, "
                              "slot_minutes, capacity, active, created_at, updated_at) VALUES "
                              "(?, ?, ?, NULLIF(?, 0), ?, ?, ?, ?, ?, ?) RETURNING id",
                      "ittitiiiii", in->site_id, in->name, in->kind, item, in->hours,
                      in->slot_minutes, in->capacity, (int64_t)((in->set & BS_ACTIVE) ? in->active : 1),
                      now, now);
    if (rc)
        return rc;
    bool row = false;
    rc = store_step(s, &row);
    if (!rc && row)
        *id = store_col_int(s, 0);
    store_finalize(s);
    return rc;
}

enum bb_err bsvc_update(struct store_tx *tx, const struct actor *a, int64_t id,
                        const struct bsvc_in *in, const char **field)
{
    struct svc_row cur;
    enum bb_err rc = load(tx, id, &cur);
    if (rc)
        return rc;
    if (!authz_can(a, AUTHZ_MANAGE_BOOKING, cur.path))
        return BB_FORBIDDEN;
    const char *kind = (in->set & BS_KIND) ? in->kind : cur.kind;
    const char *hours = (in->set & BS_HOURS) ? in->hours : cur.hours;
    int64_t slot = (in->set & BS_SLOT) ? in->slot_minutes : cur.slot_minutes;
    int64_t item = cur.item_id;
    rc = check(in, kind, hours, slot, field);
    if (!rc && (in->set & BS_ITEM))
        rc = item_id(tx, cur.site_id, in, &item, field);
    if (rc)
        return rc;
    unsigned set = in->set;
    return store_run(tx, "UPDATE booking_services SET kind = ?, hours = ?, slot_minutes = ?, "
                         "item_id = NULLIF(?, 0), "
                         "name = CASE WHEN ? = 1 THEN ? ELSE name END, "
                         "capacity = CASE WHEN ? = 1 THEN ? ELSE capacity END, "
                         "active = CASE WHEN ? = 1 THEN ? ELSE active END, "
                         "updated_at = ? WHERE id = ?",
                     "ttiiitiiiiii", kind, hours, slot, item, (int64_t)((set & BS_NAME) != 0),
                     in->name, (int64_t)((set & BS_CAPACITY) != 0), in->capacity,
                     (int64_t)((set & BS_ACTIVE) != 0), (int64_t)in->active, clock_now(), id);
}

#define SVC_SQL "SELECT b.id, b.site_id, b.name, b.kind, i.code, b.hours, b.slot_minutes, " \
                "b.capacity, b.active, b.created_at, b.updated_at FROM booking_services b " \
                "LEFT JOIN items i ON i.id = b.item_id "
static const char svc_types[] = "iissssiibii";
static const char *const svc_names[] = {"id", "site_id", "name", "kind", "item", "hours",
                                        "slot_minutes", "capacity", "active", "created_at",
                                        "updated_at"};

/* created_at/updated_at as ISO times. */
static void iso_times(json_t *o)
{
    static const char *const keys[] = {"created_at", "updated_at"};
    for (int k = 0; k < 2; k++) {
        char iso[32];
        clock_iso(json_integer_value(json_object_get(o, keys[k])), iso, sizeof iso);
        json_object_set_new(o, keys[k], json_string(iso));
    }
}

enum bb_err bsvc_get(struct store_tx *tx, const struct actor *a, int64_t id, json_t **out)
{
    struct svc_row cur;
    enum bb_err rc = load(tx, id, &cur);
    if (rc)
        return rc;
    if (!authz_can(a, AUTHZ_READ_FRONT, cur.path))
        return BB_FORBIDDEN;
    rc = store_get_json(tx, SVC_SQL "WHERE b.id = ?", id, svc_types, svc_names, out);
    if (!rc)
        iso_times(*out);
    return rc;
}

enum bb_err bsvc_list(struct store_tx *tx, const struct actor *a, int64_t site_id,
                      int64_t after, int limit, json_t **items, int64_t *next)
{
    enum bb_err rc = site_id ? site_check(tx, a, AUTHZ_READ_FRONT, site_id) : BB_OK;
    if (rc)
        return rc;
    if (a && !authz_can(a, AUTHZ_READ_FRONT, a->site_path))
        return BB_FORBIDDEN;
    const char *scope = a ? a->site_path : "/";
    if (!*scope)
        return BB_FORBIDDEN;
    struct store_stmt *s;
    rc = booking_stmt(tx, &s, SVC_SQL "JOIN sites st ON st.id = b.site_id "
                                      "WHERE substr(st.path, 1, length(?)) = ? "
                                      "AND (? = 0 OR b.site_id = ?) AND b.id > ? "
                                      "ORDER BY b.id LIMIT ?",
                      "ttiiii", scope, scope, site_id, site_id, after, (int64_t)limit + 1);
    if (rc)
        return rc;
    rc = store_rows_json(s, svc_types, svc_names, limit, items, next);
    store_finalize(s);
    size_t k;
    json_t *o;
    if (!rc)
        json_array_foreach(*items, k, o) iso_times(o);
    return rc;
}
