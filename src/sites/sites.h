/* sites.h - the site tree (district -> township -> village), windows and departments.
 * Every function runs inside a store transaction given by the caller and checks the actor's
 * rights through authz.c. Records come back as JSON objects (new references). On a validation
 * failure *field names the offending input field (a static string). */
#ifndef BB_SITES_H
#define BB_SITES_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "../store/store.h"
#include "authz.h"

/* Which optional fields an input carries (for PATCH and optional create fields). */
enum {
    F_NAME = 1 << 0, F_CODE = 1 << 1, F_ADDRESS = 1 << 2, F_LAT = 1 << 3, F_LNG = 1 << 4,
    F_HOURS = 1 << 5, F_PHONE = 1 << 6, F_KIND = 1 << 7, F_DEPT = 1 << 8, F_ACTIVE = 1 << 9,
    F_ROLE = 1 << 10, F_SITE = 1 << 11, F_PASSWORD = 1 << 12,
};

struct site_in {
    unsigned set;              /* F_* bits present */
    int64_t parent_id;         /* create only; 0 = root (system only) */
    const char *level;         /* create only */
    const char *name, *code, *address, *hours, *phone; /* NULL clears an optional field */
    double lat, lng;
    bool lat_null, lng_null;
};

/* Creates a site under in->parent_id; the actor must manage the parent. BB_BAD_PARENT,
 * BB_BAD_DIVCODE, BB_CONFLICT (code taken), BB_FORBIDDEN. */
enum bb_err site_create(struct store_tx *tx, const struct actor *a, const struct site_in *in,
                        int64_t *id, const char **field);
/* Changes the fields in in->set of site id. BB_NOT_FOUND, BB_FORBIDDEN, BB_BAD_DIVCODE. */
enum bb_err site_update(struct store_tx *tx, const struct actor *a, int64_t id,
                        const struct site_in *in, const char **field);
enum bb_err site_get(struct store_tx *tx, const struct actor *a, int64_t id, json_t **out);
/* Sites of the actor's subtree with id > after, at most limit; *next as in store_rows_json. */
enum bb_err site_list(struct store_tx *tx, const struct actor *a, int64_t after, int limit,
                      json_t **items, int64_t *next);
/* The site's ancestors and itself, root first: [{"id","name","level"}...]. */
enum bb_err site_ancestry(struct store_tx *tx, int64_t id, json_t **out);
/* BB_OK when site id exists and a may do act there; BB_NOT_FOUND or BB_FORBIDDEN if not. */
enum bb_err site_check(struct store_tx *tx, const struct actor *a, enum authz_action act,
                       int64_t id);
/* Reads the scope path of a site ('/1/2/'); BB_NOT_FOUND when missing. */
enum bb_err site_path(struct store_tx *tx, int64_t id, char path[SITE_PATH_MAX]);

struct window_in {
    unsigned set;
    int64_t site_id;           /* create only */
    const char *kind, *name;
    int64_t department_id;     /* 0 = none */
    bool active;
};

/* Window kinds: true when kind is one of general, assisted, specialised, complaint,
 * cross_region, issuance, self_service. */
bool window_kind_valid(const char *kind);
enum bb_err window_create(struct store_tx *tx, const struct actor *a, const struct window_in *in,
                          int64_t *id, const char **field);
enum bb_err window_update(struct store_tx *tx, const struct actor *a, int64_t id,
                          const struct window_in *in, const char **field);
enum bb_err window_get(struct store_tx *tx, const struct actor *a, int64_t id, json_t **out);
/* Windows in the actor's subtree (only site_id's when site_id > 0). */
enum bb_err window_list(struct store_tx *tx, const struct actor *a, int64_t site_id,
                        int64_t after, int limit, json_t **items, int64_t *next);

struct dept_in {
    unsigned set;
    const char *code, *name;
};

enum bb_err dept_create(struct store_tx *tx, const struct actor *a, const struct dept_in *in,
                        int64_t *id, const char **field);
enum bb_err dept_update(struct store_tx *tx, const struct actor *a, int64_t id,
                        const struct dept_in *in, const char **field);
enum bb_err dept_get(struct store_tx *tx, const struct actor *a, int64_t id, json_t **out);
enum bb_err dept_list(struct store_tx *tx, const struct actor *a, int64_t after, int limit,
                      json_t **items, int64_t *next);
/* BB_OK when department id exists, BB_INVALID (field "department_id") when not. */
enum bb_err dept_exists(struct store_tx *tx, int64_t id, const char **field);

#endif
