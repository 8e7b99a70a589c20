/* authz.h - the one place that decides who may do what: role x action x site scope.
 * An actor is a signed-in user as the request sees it; NULL actor means the system itself
 * (command-line tools, demo seeding) and is always allowed. */
#ifndef BB_AUTHZ_H
#define BB_AUTHZ_H
#include <stdbool.h>
#include <stdint.h>

enum role {
#define ROLE(id, name, zh) ROLE_##id,
#include "roles.def"
#undef ROLE
    ROLE__COUNT
};

enum authz_action {
    AUTHZ_READ_SITE,     /* sites, windows, users of a site */
    AUTHZ_MANAGE_SITE,   /* create/change sites, windows, users under a site */
    AUTHZ_READ_DEPT,
    AUTHZ_MANAGE_DEPT,
    AUTHZ_READ_CATALOG,
    AUTHZ_MANAGE_CATALOG,    /* items: the city/district centre's admins */
    AUTHZ_MANAGE_SITE_ITEMS, /* which items a site offers: admins and coordinators above it */
    AUTHZ_READ_FRONT,        /* bookings, tickets, queue statistics, ratings, complaints */
    AUTHZ_MANAGE_BOOKING,    /* a site's bookable services: admins and coordinators above it */
    AUTHZ_FRONT_DESK,        /* check-in, tickets, calling (the window's own site only) */
    AUTHZ_RECTIFY,           /* 整改 of bad ratings, complaints, hotline orders of a site */
    AUTHZ_REVIEW,            /* 复核 of an appeal: above the site (checked by the caller) */
    AUTHZ_MANAGE_API_KEYS,   /* keys of other systems (12345): district admins */
    AUTHZ_HOME_VISIT,        /* 上门服务 for special groups */
};

#define SITE_PATH_MAX 128

struct actor {
    int64_t user_id, site_id, department_id; /* department_id 0 when none */
    enum role role;
    char login[40];
    char site_level[12];
    char site_path[SITE_PATH_MAX]; /* '/1/2/' : the actor's site and its ancestors */
};

/* Role from its API name; false when unknown. */
bool role_parse(const char *name, enum role *out);
const char *role_name(enum role r);
const char *role_title(enum role r);

/* True when a may do act on a thing at the site with path target_path (ignored for actions
 * without a site). A NULL actor is the system and may do everything. */
bool authz_can(const struct actor *a, enum authz_action act, const char *target_path);
/* True when target_path is the actor's site or below it. */
bool authz_in_subtree(const char *actor_path, const char *target_path);

#endif
