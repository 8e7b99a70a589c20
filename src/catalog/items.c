/* items.c - creating, editing, publishing and retiring items. A version, once published, is
 * frozen: edits go to the draft (made from the published version on the first edit), and cases
 * keep pointing at the version they were opened under. Every write re-checks the rules that tie
 * fields together on the stored row, so a PATCH of one field cannot leave a contradiction. */
#include <stdio.h>
#include <string.h>
#include "../core/clock.h"
#include "catalog_int.h"

enum bb_err item_load(struct store_tx *tx, const char *code, struct item_row *r)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT id, COALESCE(published_version, 0), "
                                       "COALESCE(draft_version, 0), status FROM items "
                                       "WHERE code = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_text(s, 1, code);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    if (!rc) {
        r->id = store_col_int(s, 0);
        r->published_version = store_col_int(s, 1);
        r->draft_version = store_col_int(s, 2);
        snprintf(r->status, sizeof r->status, "%s", store_col_text(s, 3));
    }
    store_finalize(s);
    return rc;
}

static enum bb_err version_id(struct store_tx *tx, int64_t item_id, int64_t version, int64_t *vid)
{
    int64_t args[] = {item_id, version};
    bool found;
    enum bb_err rc = store_query_int(tx, "SELECT id FROM item_versions WHERE item_id = ? AND "
                                         "version = ?", 2, args, &found, vid);
    return rc ? rc : found ? BB_OK : BB_NOT_FOUND;
}

static const char *or_default(unsigned set, unsigned flag, const char *v, const char *def)
{
    return (set & flag) && v ? v : def;
}

static enum bb_err insert_version(struct store_tx *tx, int64_t item_id, const struct item_in *in,
                                  int64_t dept_id, int64_t *vid)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(
        tx, "INSERT INTO item_versions (item_id, version, state, name, domain, department_id, "
            "level, object, case_type, statutory_days, promised_days, fee, result_type, result, "
            "online, legal_basis, conditions, process, joint_departments, created_at, updated_at) "
            "VALUES (?, 1, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "RETURNING id", &s);
    if (rc)
        return rc;
    unsigned f = in->set;
    int64_t now = clock_now();
    int i = 1;
    rc = store_bind_int(s, i++, item_id);
    if (!rc) rc = store_bind_text(s, i++, in->name);
    if (!rc) rc = store_bind_text(s, i++, in->domain);
    if (!rc) rc = store_bind_int(s, i++, dept_id);
    if (!rc) rc = store_bind_text(s, i++, in->level);
    if (!rc) rc = store_bind_text(s, i++, or_default(f, IF_OBJECT, in->object, "individual"));
    if (!rc) rc = store_bind_text(s, i++, in->case_type);
    if (!rc) rc = store_bind_int(s, i++, in->statutory_days);
    if (!rc) rc = store_bind_int(s, i++, in->promised_days);
    if (!rc) rc = store_bind_text(s, i++, or_default(f, IF_FEE, in->fee, "不收费"));
    if (!rc) rc = store_bind_text(s, i++, or_default(f, IF_RESULT_TYPE, in->result_type, "none"));
    if (!rc) rc = store_bind_text(s, i++, or_default(f, IF_RESULT, in->result, ""));
    if (!rc) rc = store_bind_int(s, i++, (f & IF_ONLINE) ? in->online : 0);
    if (!rc) rc = store_bind_text(s, i++, or_default(f, IF_LEGAL_BASIS, in->legal_basis, ""));
    if (!rc) rc = store_bind_text(s, i++, or_default(f, IF_CONDITIONS, in->conditions, ""));
    if (!rc) rc = store_bind_text(s, i++, or_default(f, IF_PROCESS, in->process, ""));
    if (!rc) rc = store_bind_text(s, i++, or_default(f, IF_JOINT, in->joint, ""));
    if (!rc) rc = store_bind_int(s, i++, now);
    if (!rc) rc = store_bind_int(s, i++, now);
    bool row = false;
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && row)
        *vid = store_col_int(s, 0);
    store_finalize(s);
    return rc;
}

/* Changes the fields in in->set of version vid; the others keep their values. */
static enum bb_err update_version(struct store_tx *tx, int64_t vid, const struct item_in *in,
                                  int64_t dept_id)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(
        tx, "UPDATE item_versions SET "
            "name = CASE WHEN ? THEN ? ELSE name END, "
            "domain = CASE WHEN ? THEN ? ELSE domain END, "
            "level = CASE WHEN ? THEN ? ELSE level END, "
            "object = CASE WHEN ? THEN ? ELSE object END, "
            "case_type = CASE WHEN ? THEN ? ELSE case_type END, "
            "fee = CASE WHEN ? THEN ? ELSE fee END, "
            "result_type = CASE WHEN ? THEN ? ELSE result_type END, "
            "result = CASE WHEN ? THEN ? ELSE result END, "
            "legal_basis = CASE WHEN ? THEN ? ELSE legal_basis END, "
            "conditions = CASE WHEN ? THEN ? ELSE conditions END, "
            "process = CASE WHEN ? THEN ? ELSE process END, "
            "joint_departments = CASE WHEN ? THEN ? ELSE joint_departments END, "
            "department_id = CASE WHEN ? THEN ? ELSE department_id END, "
            "statutory_days = CASE WHEN ? THEN ? ELSE statutory_days END, "
            "promised_days = CASE WHEN ? THEN ? ELSE promised_days END, "
            "online = CASE WHEN ? THEN ? ELSE online END, "
            "updated_at = ? WHERE id = ?", &s);
    if (rc)
        return rc;
    const struct { unsigned flag; const char *v; } texts[] = {
        {IF_NAME, in->name}, {IF_DOMAIN, in->domain}, {IF_LEVEL, in->level},
        {IF_OBJECT, in->object}, {IF_CASE_TYPE, in->case_type}, {IF_FEE, in->fee},
        {IF_RESULT_TYPE, in->result_type}, {IF_RESULT, in->result},
        {IF_LEGAL_BASIS, in->legal_basis}, {IF_CONDITIONS, in->conditions},
        {IF_PROCESS, in->process}, {IF_JOINT, in->joint}};
    const struct { unsigned flag; int64_t v; } ints[] = {
        {IF_DEPARTMENT, dept_id}, {IF_STATUTORY, in->statutory_days},
        {IF_PROMISED, in->promised_days}, {IF_ONLINE, in->online}};
    int i = 1;
    for (size_t k = 0; !rc && k < sizeof texts / sizeof texts[0]; k++) {
        bool on = (in->set & texts[k].flag) && texts[k].v;
        rc = store_bind_int(s, i++, on);
        if (!rc)
            rc = on ? store_bind_text(s, i++, texts[k].v) : store_bind_null(s, i++);
    }
    for (size_t k = 0; !rc && k < sizeof ints / sizeof ints[0]; k++) {
        rc = store_bind_int(s, i++, (in->set & ints[k].flag) != 0);
        if (!rc)
            rc = store_bind_int(s, i++, ints[k].v);
    }
    if (!rc)
        rc = store_bind_int(s, i++, clock_now());
    if (!rc)
        rc = store_bind_int(s, i++, vid);
    bool row;
    if (!rc)
        rc = store_step(s, &row);
    store_finalize(s);
    return rc;
}

static enum bb_err replace_materials(struct store_tx *tx, int64_t vid, const struct item_in *in)
{
    enum bb_err rc = store_run(tx, "DELETE FROM materials WHERE version_id = ?", "i", vid);
    for (int k = 0; !rc && k < in->nmaterials; k++) {
        const struct material_in *m = &in->materials[k];
        rc = store_run(tx, "INSERT INTO materials (version_id, seq, name, required, condition, "
                           "form, copies, source, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       "iitittitt", vid, (int64_t)(k + 1), m->name, (int64_t)m->required,
                       m->required ? NULL : m->condition, m->form, m->copies, m->source, m->note);
    }
    return rc;
}

/* Makes a new draft version from the published one, materials included. */
static enum bb_err new_draft(struct store_tx *tx, struct item_row *it, int64_t *vid)
{
    int64_t from, next;
    bool found;
    enum bb_err rc = version_id(tx, it->id, it->published_version, &from);
    if (!rc)
        rc = store_query_int(tx, "SELECT MAX(version) + 1 FROM item_versions WHERE item_id = ?",
                             1, &it->id, &found, &next);
    if (!rc)
        rc = store_run(tx, "INSERT INTO item_versions (item_id, version, state, name, domain, "
                           "department_id, level, object, case_type, statutory_days, promised_days, "
                           "fee, result_type, result, online, legal_basis, conditions, process, "
                           "joint_departments, created_at, updated_at) "
                           "SELECT item_id, ?, 'draft', name, domain, department_id, level, object, "
                           "case_type, statutory_days, promised_days, fee, result_type, result, "
                           "online, legal_basis, conditions, process, joint_departments, ?, ? "
                           "FROM item_versions WHERE id = ?", "iiii", next, clock_now(),
                       clock_now(), from);
    if (!rc)
        rc = version_id(tx, it->id, next, vid);
    if (!rc)
        rc = store_run(tx, "INSERT INTO materials (version_id, seq, name, required, condition, "
                           "form, copies, source, note) SELECT ?, seq, name, required, condition, "
                           "form, copies, source, note FROM materials WHERE version_id = ?", "ii",
                       *vid, from);
    if (!rc)
        rc = store_run(tx, "UPDATE items SET draft_version = ?, updated_at = ? WHERE id = ?",
                       "iii", next, clock_now(), it->id);
    if (!rc)
        it->draft_version = next;
    return rc;
}

/* Applies in to version vid and re-checks the whole row. */
static enum bb_err apply(struct store_tx *tx, int64_t vid, const struct item_in *in,
                         const char **field)
{
    int64_t dept_id;
    enum bb_err rc = item_check_fields(tx, in, &dept_id, field);
    if (!rc)
        rc = update_version(tx, vid, in, dept_id);
    if (!rc && (in->set & IF_MATERIALS))
        rc = replace_materials(tx, vid, in);
    if (!rc)
        rc = item_check_version(tx, vid, field);
    return rc;
}

enum bb_err item_create(struct store_tx *tx, const struct actor *a, const struct item_in *in,
                        const char **field)
{
    if (!authz_can(a, AUTHZ_MANAGE_CATALOG, NULL))
        return BB_FORBIDDEN;
    if (!in->code || !catalog_code_valid(in->code)) {
        *field = "code";
        return BB_INVALID;
    }
    static const struct { unsigned flag; const char *name; } required[] = {
        {IF_NAME, "name"}, {IF_DOMAIN, "domain"}, {IF_DEPARTMENT, "department"},
        {IF_LEVEL, "level"}, {IF_CASE_TYPE, "case_type"}, {IF_STATUTORY, "statutory_days"},
        {IF_PROMISED, "promised_days"}};
    for (size_t k = 0; k < sizeof required / sizeof required[0]; k++)
        if (!(in->set & required[k].flag)) {
            *field = required[k].name;
            return BB_MISSING_FIELD;
        }
    int64_t dept_id = 0, item_id = 0, vid = 0;
    enum bb_err rc = item_check_fields(tx, in, &dept_id, field);
    if (rc)
        return rc;
    struct store_stmt *s;
    rc = store_prepare(tx, "INSERT INTO items (code, status, draft_version, created_at, "
                           "updated_at) VALUES (?, 'draft', 1, ?, ?) RETURNING id", &s);
    if (rc)
        return rc;
    rc = store_bind_text(s, 1, in->code);
    if (!rc)
        rc = store_bind_int(s, 2, clock_now());
    if (!rc)
        rc = store_bind_int(s, 3, clock_now());
    bool row = false;
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && row)
        item_id = store_col_int(s, 0);
    store_finalize(s);
    if (rc == BB_CONFLICT)
        *field = "code";
    if (rc)
        return rc;
    rc = insert_version(tx, item_id, in, dept_id, &vid);
    if (!rc && (in->set & IF_MATERIALS))
        rc = replace_materials(tx, vid, in);
    if (!rc)
        rc = item_check_version(tx, vid, field);
    return rc;
}

/* Loads an item that may still change. */
static enum bb_err load_live(struct store_tx *tx, const struct actor *a, const char *code,
                             struct item_row *it)
{
    if (!authz_can(a, AUTHZ_MANAGE_CATALOG, NULL))
        return BB_FORBIDDEN;
    enum bb_err rc = item_load(tx, code, it);
    if (!rc && strcmp(it->status, "retired") == 0)
        rc = BB_ITEM_RETIRED;
    return rc;
}

enum bb_err item_update(struct store_tx *tx, const struct actor *a, const char *code,
                        const struct item_in *in, const char **field)
{
    struct item_row it;
    int64_t vid;
    enum bb_err rc = load_live(tx, a, code, &it);
    if (rc)
        return rc;
    rc = it.draft_version ? version_id(tx, it.id, it.draft_version, &vid) : new_draft(tx, &it, &vid);
    return rc ? rc : apply(tx, vid, in, field);
}

enum bb_err item_update_version(struct store_tx *tx, const struct actor *a, const char *code,
                                int64_t version, const struct item_in *in, const char **field)
{
    struct item_row it;
    int64_t vid;
    enum bb_err rc = load_live(tx, a, code, &it);
    if (!rc)
        rc = version_id(tx, it.id, version, &vid);
    if (!rc && version != it.draft_version)
        rc = BB_VERSION_FROZEN;
    return rc ? rc : apply(tx, vid, in, field);
}

enum bb_err item_publish(struct store_tx *tx, const struct actor *a, const char *code,
                         const char **field)
{
    struct item_row it;
    int64_t vid, materials = 0;
    enum bb_err rc = load_live(tx, a, code, &it);
    if (!rc && !it.draft_version)
        rc = BB_NO_DRAFT;
    if (!rc)
        rc = version_id(tx, it.id, it.draft_version, &vid);
    if (!rc)
        rc = item_check_version(tx, vid, field);
    bool found;
    if (!rc)
        rc = store_query_int(tx, "SELECT COUNT(*) FROM materials WHERE version_id = ?", 1, &vid,
                             &found, &materials);
    if (!rc && materials == 0) { /* a guide without materials tells a resident nothing */
        *field = "materials";
        return BB_MISSING_FIELD;
    }
    if (!rc)
        rc = store_query_int(tx, "SELECT id FROM item_versions WHERE id = ? AND legal_basis <> ''",
                             1, &vid, &found, NULL);
    if (!rc && !found) { /* seed 003: nothing is required without a legal basis */
        *field = "legal_basis";
        return BB_MISSING_FIELD;
    }
    int64_t now = clock_now();
    if (!rc)
        rc = store_run(tx, "UPDATE item_versions SET state = 'superseded' WHERE item_id = ? AND "
                           "state = 'published'", "i", it.id);
    if (!rc)
        rc = store_run(tx, "UPDATE item_versions SET state = 'published', published_at = ? "
                           "WHERE id = ?", "ii", now, vid);
    if (!rc)
        rc = store_run(tx, "UPDATE items SET status = 'published', published_version = ?, "
                           "draft_version = NULL, updated_at = ? WHERE id = ?", "iii",
                       it.draft_version, now, it.id);
    return rc;
}

enum bb_err item_retire(struct store_tx *tx, const struct actor *a, const char *code)
{
    struct item_row it;
    enum bb_err rc = load_live(tx, a, code, &it);
    if (!rc)
        rc = store_run(tx, "UPDATE items SET status = 'retired', updated_at = ? WHERE id = ?",
                       "ii", clock_now(), it.id);
    return rc;
}
