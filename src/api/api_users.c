/* api_users.c - /api/v1/users: staff accounts. Runs on the hashing pool (routes.def POOL)
 * because a new password is hashed before the write transaction begins. */
#include "../core/crypto.h"
#include "../core/json.h"
#include "../sites/users.h"
#include "api.h"

static const char *const allowed[] = {"login", "name", "role", "site_id", "password",
                                      "department_id", "active", NULL};

#define PASSWORD_MIN 8
#define PASSWORD_MAX 128

static enum bb_err create(struct store_tx *tx, const struct actor *a, const void *in,
                          int64_t *id, const char **field)
{
    return user_create(tx, a, in, id, field);
}

static enum bb_err update(struct store_tx *tx, const struct actor *a, const void *in,
                          int64_t *id, const char **field)
{
    return user_update(tx, a, *id, in, field);
}

/* Fields shared by POST and PATCH; create makes name, role, site_id, password required. */
static enum bb_err parse(json_t *o, struct user_in *in, bool create_, const char **field,
                         const char **password)
{
    bool p, null = false;
    bool *req = create_ ? NULL : &p;
    enum bb_err rc = json_str(o, "name", req, false, 1, 64, &in->name, field);
    if (!rc && (create_ || p))
        in->set |= F_NAME;
    if (!rc)
        rc = json_str(o, "role", req, false, 1, 16, &in->role, field);
    if (!rc && (create_ || p))
        in->set |= F_ROLE;
    if (!rc)
        rc = json_int(o, "site_id", req, false, 1, INT64_MAX, &in->site_id, NULL, field);
    if (!rc && (create_ || p))
        in->set |= F_SITE;
    if (!rc)
        rc = json_str(o, "password", req, false, PASSWORD_MIN, PASSWORD_MAX, password, field);
    if (!rc && (create_ || p))
        in->set |= F_PASSWORD;
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

static void write_user(struct req *r, bool create_, int64_t id)
{
    json_t *o;
    if (!api_body(r, allowed, &o))
        return;
    struct user_in in = {0};
    const char *field = NULL, *password = NULL;
    char hash[PWHASH_STR];
    enum bb_err rc = BB_OK;
    if (create_)
        rc = json_str(o, "login", NULL, false, 1, 64, &in.login, &field);
    else if (json_object_get(o, "login")) {
        rc = BB_READ_ONLY;
        field = "login";
    }
    if (!rc)
        rc = parse(o, &in, create_, &field, &password);
    if (!rc && (in.set & F_PASSWORD)) {
        rc = crypto_pw_hash(password, hash);
        in.password_hash = hash;
    }
    if (!api_failed(r, rc, field)) {
        if (create_)
            api_write(r, 201, create, &in, 0, user_get, "user");
        else
            api_write(r, 200, update, &in, id, user_get, "user");
    }
    json_decref(o);
}

void api_users_list(struct req *r) { api_list(r, user_list, "site"); }
void api_users_get(struct req *r) { api_get_one(r, user_get); }
void api_users_create(struct req *r) { write_user(r, true, 0); }

void api_users_update(struct req *r)
{
    int64_t id;
    if (api_id(r, 0, &id))
        write_user(r, false, id);
}
