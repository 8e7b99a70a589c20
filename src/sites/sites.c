/* sites.c - the site tree. Each site stores its scope path ('/1/2/5/'), fixed at creation
 * (sites never move), so "is X inside my subtree" is a prefix test with no recursion. */
#include <stdio.h>
#include <string.h>
#include "../core/clock.h"
#include "../core/divcode.h"
#include "../store/row.h"
#include "sites.h"

#define SITE_COLS "id, parent_id, level, name, code, address, lat, lng, hours, phone"
static const char site_types[] = "iissssddss";
static const char *const site_names[] = {"id", "parent_id", "level", "name", "code",
                                         "address", "lat", "lng", "hours", "phone"};

static enum divcode_level level_of(const char *level)
{
    if (strcmp(level, "district") == 0)
        return DIVCODE_DISTRICT;
    if (strcmp(level, "township") == 0)
        return DIVCODE_TOWNSHIP;
    if (strcmp(level, "village") == 0)
        return DIVCODE_VILLAGE;
    return DIVCODE_BAD;
}

/* The fields a site row holds, read back for checks and merges. */
struct site_row {
    int64_t id, parent_id;
    char level[12], code[16], path[SITE_PATH_MAX];
};

static enum bb_err load(struct store_tx *tx, int64_t id, struct site_row *r)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT id, COALESCE(parent_id, 0), level, code, path "
                                       "FROM sites WHERE id = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_int(s, 1, id);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    if (!rc) {
        r->id = store_col_int(s, 0);
        r->parent_id = store_col_int(s, 1);
        snprintf(r->level, sizeof r->level, "%s", store_col_text(s, 2));
        snprintf(r->code, sizeof r->code, "%s", store_col_text(s, 3));
        snprintf(r->path, sizeof r->path, "%s", store_col_text(s, 4));
    }
    store_finalize(s);
    return rc;
}

enum bb_err site_path(struct store_tx *tx, int64_t id, char path[SITE_PATH_MAX])
{
    struct site_row r;
    enum bb_err rc = load(tx, id, &r);
    if (!rc)
        memcpy(path, r.path, SITE_PATH_MAX);
    return rc;
}

enum bb_err site_check(struct store_tx *tx, const struct actor *a, enum authz_action act,
                       int64_t id)
{
    char path[SITE_PATH_MAX];
    enum bb_err rc = site_path(tx, id, path);
    if (!rc && !authz_can(a, act, path))
        rc = BB_FORBIDDEN;
    return rc;
}

/* Checks code against the level and the parent (NULL parent: a root). */
static enum bb_err check_code(const char *code, const char *level, const struct site_row *parent)
{
    enum divcode_level lv = divcode_level(code);
    if (lv == DIVCODE_BAD || lv != level_of(level))
        return BB_BAD_DIVCODE;
    if (parent && !divcode_under(code, parent->code, level_of(parent->level)))
        return BB_BAD_DIVCODE;
    return BB_OK;
}

static enum bb_err bind_optional(struct store_stmt *s, int *i, const struct site_in *in)
{
    enum bb_err rc = store_bind_text(s, (*i)++, in->address);
    if (!rc)
        rc = (in->set & F_LAT) && !in->lat_null ? store_bind_double(s, (*i)++, in->lat)
                                                 : store_bind_null(s, (*i)++);
    if (!rc)
        rc = (in->set & F_LNG) && !in->lng_null ? store_bind_double(s, (*i)++, in->lng)
                                                 : store_bind_null(s, (*i)++);
    if (!rc)
        rc = store_bind_text(s, (*i)++, in->hours);
    if (!rc)
        rc = store_bind_text(s, (*i)++, in->phone);
    return rc;
}

enum bb_err site_create(struct store_tx *tx, const struct actor *a, const struct site_in *in,
                        int64_t *id, const char **field)
{
    struct site_row parent;
    enum bb_err rc;
    bool root = in->parent_id == 0;
    if (root) {
        if (a) { /* only the system creates roots (init, demo, import) */
            *field = "parent_id";
            return BB_MISSING_FIELD;
        }
    } else {
        rc = load(tx, in->parent_id, &parent);
        if (rc == BB_NOT_FOUND) {
            *field = "parent_id";
            return BB_BAD_PARENT;
        }
        if (rc)
            return rc;
        if (!authz_can(a, AUTHZ_MANAGE_SITE, parent.path))
            return BB_FORBIDDEN;
    }
    enum divcode_level want = root ? DIVCODE_DISTRICT : level_of(parent.level) + 1;
    if (level_of(in->level) != want) {
        *field = "level";
        return root ? BB_INVALID : BB_BAD_PARENT;
    }
    rc = check_code(in->code, in->level, root ? NULL : &parent);
    if (rc) {
        *field = "code";
        return rc;
    }
    struct store_stmt *s;
    rc = store_prepare(tx, "INSERT INTO sites (parent_id, level, name, code, address, lat, lng, "
                           "hours, phone, created_at, updated_at) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &s);
    if (rc)
        return rc;
    int i = 1;
    int64_t now = clock_now();
    rc = root ? store_bind_null(s, i++) : store_bind_int(s, i++, in->parent_id);
    if (!rc)
        rc = store_bind_text(s, i++, in->level);
    if (!rc)
        rc = store_bind_text(s, i++, in->name);
    if (!rc)
        rc = store_bind_text(s, i++, in->code);
    if (!rc)
        rc = bind_optional(s, &i, in);
    if (!rc)
        rc = store_bind_int(s, i++, now);
    if (!rc)
        rc = store_bind_int(s, i++, now);
    bool row = false;
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && row)
        *id = store_col_int(s, 0);
    store_finalize(s);
    if (rc == BB_CONFLICT)
        *field = "code";
    if (rc)
        return rc;
    char path[SITE_PATH_MAX];
    int n = snprintf(path, sizeof path, "%s%lld/", root ? "/" : parent.path, (long long)*id);
    if (n < 0 || (size_t)n >= sizeof path)
        return BB_INVALID; /* deeper than any real tree */
    rc = store_prepare(tx, "UPDATE sites SET path = ? WHERE id = ?", &s);
    if (rc)
        return rc;
    rc = store_bind_text(s, 1, path);
    if (!rc)
        rc = store_bind_int(s, 2, *id);
    if (!rc)
        rc = store_step(s, &row);
    store_finalize(s);
    return rc;
}

/* A new code must keep every child under it. */
static enum bb_err children_fit(struct store_tx *tx, int64_t id, const char *code,
                                const char *level)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT code FROM sites WHERE parent_id = ?", &s);
    if (rc)
        return rc;
    rc = store_bind_int(s, 1, id);
    for (bool row = true; !rc && row;) {
        rc = store_step(s, &row);
        if (!rc && row && !divcode_under(store_col_text(s, 0), code, level_of(level)))
            rc = BB_BAD_DIVCODE;
    }
    store_finalize(s);
    return rc;
}

enum bb_err site_update(struct store_tx *tx, const struct actor *a, int64_t id,
                        const struct site_in *in, const char **field)
{
    struct site_row cur, parent;
    enum bb_err rc = load(tx, id, &cur);
    if (rc)
        return rc;
    if (!authz_can(a, AUTHZ_MANAGE_SITE, cur.path))
        return BB_FORBIDDEN;
    if (in->set & F_CODE) {
        if (cur.parent_id) {
            rc = load(tx, cur.parent_id, &parent);
            if (rc)
                return rc;
        }
        rc = check_code(in->code, cur.level, cur.parent_id ? &parent : NULL);
        if (!rc)
            rc = children_fit(tx, id, in->code, cur.level);
        if (rc) {
            *field = "code";
            return rc;
        }
    }
    /* Each column is replaced only when its flag is set: `col = CASE WHEN ? THEN ? ELSE col END`. */
    struct store_stmt *s;
    rc = store_prepare(tx, "UPDATE sites SET "
                           "name = CASE WHEN ? THEN ? ELSE name END, "
                           "code = CASE WHEN ? THEN ? ELSE code END, "
                           "address = CASE WHEN ? THEN ? ELSE address END, "
                           "lat = CASE WHEN ? THEN ? ELSE lat END, "
                           "lng = CASE WHEN ? THEN ? ELSE lng END, "
                           "hours = CASE WHEN ? THEN ? ELSE hours END, "
                           "phone = CASE WHEN ? THEN ? ELSE phone END, "
                           "updated_at = ? WHERE id = ?", &s);
    if (rc)
        return rc;
    const unsigned flags[] = {F_NAME, F_CODE, F_ADDRESS, F_LAT, F_LNG, F_HOURS, F_PHONE};
    const char *texts[] = {in->name, in->code, in->address, NULL, NULL, in->hours, in->phone};
    int i = 1;
    for (int f = 0; f < 7 && !rc; f++) {
        rc = store_bind_int(s, i++, (in->set & flags[f]) != 0);
        if (rc)
            break;
        if (flags[f] == F_LAT || flags[f] == F_LNG) {
            bool null = flags[f] == F_LAT ? in->lat_null : in->lng_null;
            double v = flags[f] == F_LAT ? in->lat : in->lng;
            rc = (in->set & flags[f]) && !null ? store_bind_double(s, i++, v)
                                               : store_bind_null(s, i++);
        } else {
            rc = store_bind_text(s, i++, texts[f]);
        }
    }
    if (!rc)
        rc = store_bind_int(s, i++, clock_now());
    if (!rc)
        rc = store_bind_int(s, i++, id);
    bool row;
    if (!rc)
        rc = store_step(s, &row);
    store_finalize(s);
    if (rc == BB_CONFLICT)
        *field = "code";
    return rc;
}

enum bb_err site_get(struct store_tx *tx, const struct actor *a, int64_t id, json_t **out)
{
    struct site_row r;
    enum bb_err rc = load(tx, id, &r);
    if (rc)
        return rc;
    if (!authz_can(a, AUTHZ_READ_SITE, r.path))
        return BB_FORBIDDEN;
    return store_get_json(tx, "SELECT " SITE_COLS " FROM sites WHERE id = ?", id, site_types,
                          site_names, out);
}

enum bb_err site_list(struct store_tx *tx, const struct actor *a, int64_t after, int limit,
                      json_t **items, int64_t *next)
{
    const char *scope = a ? a->site_path : "/";
    if (!*scope)
        return BB_FORBIDDEN; /* a malformed actor sees nothing, as in authz_in_subtree */
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT " SITE_COLS " FROM sites "
                                       "WHERE substr(path, 1, length(?)) = ? AND id > ? "
                                       "ORDER BY id LIMIT ?", &s);
    if (rc)
        return rc;
    rc = store_bind_text(s, 1, scope);
    if (!rc)
        rc = store_bind_text(s, 2, scope);
    if (!rc)
        rc = store_bind_int(s, 3, after);
    if (!rc)
        rc = store_bind_int(s, 4, limit + 1);
    if (!rc)
        rc = store_rows_json(s, site_types, site_names, limit, items, next);
    store_finalize(s);
    return rc;
}

enum bb_err site_ancestry(struct store_tx *tx, int64_t id, json_t **out)
{
    char path[SITE_PATH_MAX];
    enum bb_err rc = site_path(tx, id, path);
    if (rc)
        return rc;
    struct store_stmt *s;
    /* Ancestors are the sites whose path is a prefix of this one's; depth orders them. */
    rc = store_prepare(tx, "SELECT id, name, level FROM sites "
                           "WHERE substr(?, 1, length(path)) = path ORDER BY length(path)", &s);
    if (rc)
        return rc;
    static const char *const names[] = {"id", "name", "level"};
    int64_t next;
    rc = store_bind_text(s, 1, path);
    if (!rc)
        rc = store_rows_json(s, "iss", names, SITE_PATH_MAX, out, &next);
    store_finalize(s);
    return rc;
}
