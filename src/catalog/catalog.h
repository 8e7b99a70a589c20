/* catalog.h - the service catalogue (事项清单 / 实施清单): items with every element the seeds list,
 * frozen published versions, materials per version, and which sites offer which items.
 * Functions run inside the caller's store transaction; on a validation failure *field names the
 * offending input field ("domain", "materials[2].form", ...). Records come back as JSON objects. */
#ifndef BB_CATALOG_H
#define BB_CATALOG_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "../sites/authz.h"
#include "../store/store.h"

/* Which item fields an input carries. */
enum {
    IF_NAME = 1 << 0, IF_DOMAIN = 1 << 1, IF_DEPARTMENT = 1 << 2, IF_LEVEL = 1 << 3,
    IF_OBJECT = 1 << 4, IF_CASE_TYPE = 1 << 5, IF_STATUTORY = 1 << 6, IF_PROMISED = 1 << 7,
    IF_FEE = 1 << 8, IF_RESULT_TYPE = 1 << 9, IF_RESULT = 1 << 10, IF_ONLINE = 1 << 11,
    IF_LEGAL_BASIS = 1 << 12, IF_CONDITIONS = 1 << 13, IF_PROCESS = 1 << 14, IF_JOINT = 1 << 15,
    IF_MATERIALS = 1 << 16,
};
#define IF_ALL ((1u << 17) - 1)

struct material_in {
    const char *name, *condition, *form, *source, *note; /* condition/source/note may be NULL */
    bool required;
    int64_t copies;
};

#define ITEM_MAX_MATERIALS 60

struct item_in {
    unsigned set;                  /* IF_* present */
    const char *code;              /* create only */
    const char *name, *domain, *department, *level, *object, *case_type;
    const char *fee, *result_type, *result, *legal_basis, *conditions, *process;
    const char *joint;             /* department codes joined by ';' ("" when none) */
    int64_t statutory_days, promised_days;
    bool online;
    const struct material_in *materials;
    int nmaterials;
};

/* The domains of seed 000 and 003; true when name is one. */
bool catalog_domain_valid(const char *name);
/* True when code is an 11-digit item code with a known type prefix (01-20). */
bool catalog_code_valid(const char *code);

/* Formats a field name like "materials[3].form" into a per-thread buffer (valid until the
 * thread's next call). */
const char *catalog_field(const char *list, int index, const char *name);

/* Creates item in->code as a draft, version 1. Needs every required field (name, domain,
 * department, level, case_type, statutory_days, promised_days). BB_CONFLICT for a taken code. */
enum bb_err item_create(struct store_tx *tx, const struct actor *a, const struct item_in *in,
                        const char **field);
/* Applies in to the item's draft, first copying the published version into a new draft when
 * there is none. BB_NOT_FOUND, BB_ITEM_RETIRED. */
enum bb_err item_update(struct store_tx *tx, const struct actor *a, const char *code,
                        const struct item_in *in, const char **field);
/* Applies in to version n, only while n is the draft: BB_VERSION_FROZEN otherwise. */
enum bb_err item_update_version(struct store_tx *tx, const struct actor *a, const char *code,
                                int64_t version, const struct item_in *in, const char **field);
/* Publishes the draft (BB_NO_DRAFT without one); the old published version is superseded. */
enum bb_err item_publish(struct store_tx *tx, const struct actor *a, const char *code,
                         const char **field);
enum bb_err item_retire(struct store_tx *tx, const struct actor *a, const char *code);

/* Which version to read. */
enum item_view { VIEW_CURRENT, VIEW_DRAFT, VIEW_VERSION, VIEW_PUBLIC };
/* The item with its materials. VIEW_CURRENT: published (the draft before the first publish);
 * VIEW_PUBLIC: published only, plus "sites" (where to go); BB_NOT_FOUND otherwise. */
enum bb_err item_get(struct store_tx *tx, const struct actor *a, const char *code,
                     enum item_view view, int64_t version, json_t **out);

struct item_query {
    const char *q, *domain, *level, *status; /* NULL = any */
    int64_t site_id;                         /* 0 = any; else offered there, with mode */
    bool public_only;                        /* published, not retired */
    const char *after;                       /* cursor: last code */
    int limit;
};
enum bb_err item_list(struct store_tx *tx, const struct actor *a, const struct item_query *q,
                      json_t **items, char *next, size_t next_len);

/* Site lists. Modes: accept 受理, collect 代收代办, consult 咨询预审. */
bool site_item_mode_valid(const char *mode);
struct site_item_in {
    const char *code, *mode;
};
/* Replaces the site's list. *field is set like "items[2].code" (in field_buf). */
enum bb_err site_items_put(struct store_tx *tx, const struct actor *a, int64_t site_id,
                           const struct site_item_in *in, int n, char *field_buf, size_t len);
enum bb_err site_items_get(struct store_tx *tx, const struct actor *a, int64_t site_id,
                           json_t **out);
/* Offerings in the actor's subtree (optionally one site / one item), paged by row id. */
enum bb_err site_items_integrated(struct store_tx *tx, const struct actor *a, int64_t site_id,
                                  const char *code, int64_t after, int limit, json_t **items,
                                  int64_t *next);

#endif
