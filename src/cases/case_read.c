/* case_read.c - the case as shown to staff (masked unless revealed), lists, the one-time notice,
 * the public progress query, alerts, and the deemed-acceptance sweep. */
#include <stdio.h>
#include <string.h>
#include "../audit/audit.h"
#include "../core/clock.h"
#include "../calendar/calendar.h"
#include "../core/idcard.h"
#include "../store/row.h"
#include "case_int.h"
#include "pii.h"

static json_t *date_or_null(const char *d) { return d[0] ? json_string(d) : json_null(); }

/* Unix seconds -> ISO 8601 in +08:00; JSON text "[1,2]" -> an array: as the API shows them. */
static void present(json_t *rows, const char *const *times, const char *const *arrays)
{
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        for (const char *const *k = times; *k; k++) {
            json_t *v = json_object_get(r, *k);
            if (json_is_integer(v)) {
                char iso[32];
                clock_iso(json_integer_value(v), iso, sizeof iso);
                json_object_set_new(r, *k, json_string(iso));
            }
        }
        for (const char *const *k = arrays; *k; k++) {
            json_t *v = json_object_get(r, *k);
            json_t *parsed = json_is_string(v) ? json_loads(json_string_value(v), 0, NULL) : NULL;
            if (parsed)
                json_object_set_new(r, *k, parsed);
        }
    }
}

/* Runs a query with the case id bound and returns its rows as a JSON array. */
static enum bb_err rows(struct store_tx *tx, const char *sql, int64_t id, const char *types,
                        const char *const *names, json_t **out)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, sql, &s);
    if (rc)
        return rc;
    int64_t next;
    rc = store_bind_int(s, 1, id);
    if (!rc)
        rc = store_rows_json(s, types, names, 100000, out, &next);
    store_finalize(s);
    return rc;
}

static enum bb_err applicant_json(struct store_tx *tx, const struct case_row *c, bool reveal,
                                  json_t **out)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT a.name, a.id_masked, a.phone_masked, a.id_sealed "
                                       "FROM applicants a JOIN cases c ON c.applicant_id = a.id "
                                       "WHERE c.id = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_int(s, 1, c->id);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && row) {
        char name[64], id[IDCARD_LEN + 8];
        pii_mask_name(store_col_text(s, 0), name, sizeof name);
        snprintf(id, sizeof id, "%s", store_col_text(s, 1));
        if (reveal && pii_open(store_col_text(s, 3), id, sizeof id) != BB_OK)
            rc = BB_INTERNAL;
        *out = json_pack("{s:s,s:s,s:s}", "name", reveal ? store_col_text(s, 0) : name,
                         "id_number", id, "phone", store_col_text(s, 2));
    }
    store_finalize(s);
    return rc;
}

enum bb_err case_get(struct store_tx *tx, const struct actor *a, const char *receipt,
                     bool reveal, json_t **out)
{
    struct case_row c;
    enum bb_err rc = case_load(tx, receipt, &c);
    if (rc)
        return rc;
    if (!case_visible(a, &c))
        return BB_FORBIDDEN;
    if (reveal && (!a || a->site_id != c.holder_site_id || a->role == ROLE_AUDITOR))
        return BB_FORBIDDEN; /* the full ID number only where the case is being handled */
    struct workday_cal *cal;
    rc = calendar_load(tx, &cal);
    if (rc)
        return rc;
    int left;
    const char *state;
    bool provisional;
    case_clock(cal, &c, case_today(), &left, &state, &provisional);
    workday_cal_free(cal);
    json_t *o = json_object(), *applicant = NULL, *materials = NULL, *handoffs = NULL;
    json_t *timeline = NULL, *entrustment = NULL, *item = NULL;
    static const char *const mat_names[] = {"material", "name", "required", "received",
                                            "custody_site_id"};
    static const char *const ho_names[] = {"id", "from_site_id", "to_site_id", "sent_at",
                                           "due", "received_at", "materials",
                                           "received_materials", "discrepancy"};
    static const char *const ev_names[] = {"at", "action", "status", "user_id", "site_id",
                                           "note"};
    static const char *const ent_names[] = {"scope", "signed_on", "valid_until", "revoked_at"};
    static const char *const item_names[] = {"code", "name", "version", "case_type",
                                             "promised_days", "statutory_days"};
    rc = o ? applicant_json(tx, &c, reveal, &applicant) : BB_NOMEM;
    if (!rc)
        rc = rows(tx, "SELECT material_id, name, required, received, custody_site_id "
                      "FROM case_materials WHERE case_id = ? ORDER BY id", c.id, "isbbi",
                  mat_names, &materials);
    if (!rc)
        rc = rows(tx, "SELECT id, from_site_id, to_site_id, sent_at, due, received_at, materials, "
                      "received_materials, discrepancy FROM handoffs WHERE case_id = ? ORDER BY id",
                  c.id, "iiiisisss", ho_names, &handoffs);
    if (!rc)
        rc = rows(tx, "SELECT at, action, status, user_id, site_id, note FROM case_events "
                      "WHERE case_id = ? ORDER BY id", c.id, "issiis", ev_names, &timeline);
    if (!rc)
        rc = rows(tx, "SELECT scope, signed_on, valid_until, revoked_at FROM entrustments "
                      "WHERE case_id = ?", c.id, "sssi", ent_names, &entrustment);
    if (!rc)
        rc = rows(tx, "SELECT i.code, v.name, v.version, v.case_type, v.promised_days, "
                      "v.statutory_days FROM cases c JOIN items i ON i.id = c.item_id "
                      "JOIN item_versions v ON v.item_id = c.item_id AND v.version = c.item_version "
                      "WHERE c.id = ?", c.id, "ssisii", item_names, &item);
    if (rc) {
        json_decref(o);
        json_decref(applicant);
        json_decref(materials);
        json_decref(handoffs);
        json_decref(timeline);
        json_decref(entrustment);
        json_decref(item);
        return rc;
    }
    if (reveal) {
        char object[48];
        snprintf(object, sizeof object, "case:%s", c.receipt);
        rc = audit_append(tx, a, "applicant.reveal", object, "ok", NULL);
    }
    json_t *ent = json_array_get(entrustment, 0);
    if (ent) { /* the principal is the applicant, shown as the applicant is */
        json_object_set(ent, "principal", json_object_get(applicant, "name"));
        json_object_set_new(ent, "revoked", json_boolean(!json_is_null(json_object_get(ent, "revoked_at"))));
        json_object_del(ent, "revoked_at");
    }
    json_object_set_new(o, "receipt", json_string(c.receipt));
    json_object_set_new(o, "status", json_string(c.status));
    json_object_set_new(o, "version", json_integer(c.version));
    json_t *allowed = NULL;
    if (a && case_allowed_for(tx, a, &c, &allowed) == BB_OK)
        json_object_set_new(o, "allowed_actions", allowed);
    else
        json_object_set_new(o, "allowed_actions", case_allowed(c.status));
    struct store_stmt *qs;
    if (store_prepare(tx, "SELECT query_code, channel FROM cases WHERE id = ?", &qs) == BB_OK) {
        bool row = false;
        if (store_bind_int(qs, 1, c.id) == BB_OK && store_step(qs, &row) == BB_OK && row) {
            json_object_set_new(o, "query_code", json_string(store_col_text(qs, 0)));
            json_object_set_new(o, "channel", json_string(store_col_text(qs, 1)));
        }
        store_finalize(qs);
    }
    json_object_set(o, "item", json_array_get(item, 0));
    json_object_set_new(o, "applicant", applicant);
    json_object_set_new(o, "site_id", json_integer(c.site_id));
    json_object_set_new(o, "first_user_id", json_integer(c.first_user_id));
    json_object_set_new(o, "holder_site_id", json_integer(c.holder_site_id));
    json_object_set_new(o, "holder_user_id",
                        c.holder_user_id ? json_integer(c.holder_user_id) : json_null());
    json_object_set_new(o, "received_on", date_or_null(c.received_on));
    json_object_set_new(o, "notice_given_on", date_or_null(c.notice_given_on));
    json_object_set_new(o, "notice_due", date_or_null(c.notice_due));
    json_object_set_new(o, "accepted_on", date_or_null(c.accepted_on));
    json_object_set_new(o, "deadline", date_or_null(c.deadline));
    json_object_set_new(o, "days_left", left == INT32_MIN ? json_null() : json_integer(left));
    json_object_set_new(o, "state", json_string(state));
    json_object_set_new(o, "paused", json_boolean(c.paused_since[0]));
    json_object_set_new(o, "provisional", json_boolean(provisional));
    json_object_set_new(o, "extension_days", json_integer(c.extension_days));
    json_object_set(o, "entrustment", ent ? ent : json_null());
    static const char *const ho_times[] = {"sent_at", "received_at", NULL};
    static const char *const ho_arrays[] = {"materials", "received_materials", NULL};
    static const char *const ev_times[] = {"at", NULL};
    static const char *const none[] = {NULL};
    present(handoffs, ho_times, ho_arrays);
    present(timeline, ev_times, none);
    json_object_set_new(o, "materials", materials);
    json_object_set_new(o, "handoffs", handoffs);
    json_object_set_new(o, "timeline", timeline);
    json_decref(entrustment);
    json_decref(item);
    *out = o;
    return rc;
}
