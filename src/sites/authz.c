/* authz.c - authorization as a table: for each action, the roles allowed and the scope rule.
 * Scope is the site subtree: a village agent's subtree is its station, a township's is the
 * township and its villages, the district centre's is everything. */
#include <string.h>
#include "authz.h"

static const struct {
    const char *name, *title;
} roles[] = {
#define ROLE(id, name, zh) {name, zh},
#include "roles.def"
#undef ROLE
};

bool role_parse(const char *name, enum role *out)
{
    for (int i = 0; i < ROLE__COUNT; i++)
        if (strcmp(roles[i].name, name) == 0) {
            *out = (enum role)i;
            return true;
        }
    return false;
}

const char *role_name(enum role r) { return (unsigned)r < ROLE__COUNT ? roles[r].name : "?"; }
const char *role_title(enum role r) { return (unsigned)r < ROLE__COUNT ? roles[r].title : "?"; }

enum scope {
    SCOPE_SUBTREE,        /* target inside the actor's subtree */
    SCOPE_ANY,            /* no site involved */
    SCOPE_DISTRICT,       /* the actor works at a district-level centre */
};

#define ALL_ROLES ((1u << ROLE__COUNT) - 1)
#define R(id) (1u << ROLE_##id)
/* Everyone who serves residents at a site (not approvers, not auditors). */
#define STAFF (R(AGENT) | R(WEB_AGENT) | R(CLERK) | R(COORDINATOR) | R(ADMIN))

static const struct rule {
    enum authz_action act;
    unsigned roles;
    enum scope scope;
} rules[] = {
    {AUTHZ_READ_SITE, ALL_ROLES, SCOPE_SUBTREE},
    {AUTHZ_MANAGE_SITE, R(ADMIN), SCOPE_SUBTREE},
    {AUTHZ_READ_DEPT, ALL_ROLES, SCOPE_ANY},
    {AUTHZ_MANAGE_DEPT, R(ADMIN), SCOPE_DISTRICT},
    {AUTHZ_READ_CATALOG, ALL_ROLES, SCOPE_ANY},
    {AUTHZ_MANAGE_CATALOG, R(ADMIN), SCOPE_DISTRICT},
    {AUTHZ_MANAGE_SITE_ITEMS, R(ADMIN) | R(COORDINATOR), SCOPE_SUBTREE},
    {AUTHZ_READ_FRONT, ALL_ROLES & ~R(APPROVER), SCOPE_SUBTREE},
    {AUTHZ_MANAGE_BOOKING, R(ADMIN) | R(COORDINATOR), SCOPE_SUBTREE},
    {AUTHZ_FRONT_DESK, STAFF, SCOPE_SUBTREE},
    {AUTHZ_RECTIFY, STAFF, SCOPE_SUBTREE},
    {AUTHZ_REVIEW, R(ADMIN) | R(COORDINATOR), SCOPE_SUBTREE},
    {AUTHZ_MANAGE_API_KEYS, R(ADMIN), SCOPE_DISTRICT},
    {AUTHZ_HOME_VISIT, STAFF, SCOPE_SUBTREE},
};

bool authz_in_subtree(const char *actor_path, const char *target_path)
{
    size_t n = strlen(actor_path);
    return n > 0 && target_path && strncmp(actor_path, target_path, n) == 0;
}

bool authz_can(const struct actor *a, enum authz_action act, const char *target_path)
{
    if (!a)
        return true;
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        const struct rule *r = &rules[i];
        if (r->act != act)
            continue;
        if (!(r->roles & (1u << a->role)))
            return false;
        switch (r->scope) {
        case SCOPE_ANY:
            return true;
        case SCOPE_SUBTREE:
            return authz_in_subtree(a->site_path, target_path);
        case SCOPE_DISTRICT:
            return strcmp(a->site_level, "district") == 0;
        }
    }
    return false;
}
