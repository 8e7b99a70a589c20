/* api_session.c - sign-in, sign-out and "who am I". */
#include <stdio.h>
#include "../audit/audit.h"
#include "../core/json.h"
#include "../sites/session.h"
#include "../sites/sites.h"
#include "../sites/users.h"
#include "api.h"

static void set_cookie(struct req *r, const char *token, int max_age)
{
    snprintf(r->set_cookie, sizeof r->set_cookie,
             "bb_session=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s", token, max_age,
             api_options()->secure_cookies ? "; Secure" : "");
}

void api_session_create(struct req *r)
{
    static const char *const allowed[] = {"login", "password", NULL};
    json_t *o;
    if (!api_body(r, allowed, &o))
        return;
    const char *login, *password, *field = NULL;
    enum bb_err rc = json_str(o, "login", NULL, false, 1, 64, &login, &field);
    if (!rc)
        rc = json_str(o, "password", NULL, false, 1, 256, &password, &field);
    if (api_failed(r, rc, field)) {
        json_decref(o);
        return;
    }
    struct login_result res;
    rc = session_login(r->st, login, password, r->addr, &res);
    json_decref(o);
    if (rc == BB_RATE_LIMITED)
        r->retry_after = res.retry_after;
    if (api_failed(r, rc, NULL))
        return;
    set_cookie(r, res.token, session_policy()->absolute_s);
    reply_json(r, 200, json_pack("{s:o,s:s}", "user", res.user, "csrf", res.csrf));
}

static enum bb_err logout_fn(struct store_tx *tx, void *arg)
{
    struct req *r = arg;
    char object[32];
    snprintf(object, sizeof object, "user:%lld", (long long)r->actor.user_id);
    enum bb_err rc = session_logout(tx, r->token);
    return rc ? rc : audit_append(tx, &r->actor, "session.logout", object, "ok", NULL);
}

void api_session_delete(struct req *r)
{
    if (api_failed(r, store_write(r->st, logout_fn, r), NULL))
        return;
    set_cookie(r, "", 0);
    reply_json(r, 204, NULL);
}

struct me_ctx {
    struct req *r;
    json_t *user, *site, *path;
};

static enum bb_err me_fn(struct store_tx *tx, void *arg)
{
    struct me_ctx *c = arg;
    const struct actor *a = &c->r->actor;
    enum bb_err rc = user_get(tx, a, a->user_id, &c->user);
    if (!rc)
        rc = site_get(tx, a, a->site_id, &c->site);
    if (!rc)
        rc = site_ancestry(tx, a->site_id, &c->path);
    return rc;
}

void api_me(struct req *r)
{
    struct me_ctx c = {r, NULL, NULL, NULL};
    enum bb_err rc = store_read(r->st, me_fn, &c);
    if (rc) {
        json_decref(c.user);
        json_decref(c.site);
        json_decref(c.path);
        reply_error(r, rc, NULL);
        return;
    }
    reply_json(r, 200, json_pack("{s:o,s:o,s:o,s:s}", "user", c.user, "site", c.site, "path",
                                 c.path, "csrf", r->csrf));
}
