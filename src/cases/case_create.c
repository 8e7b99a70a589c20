/* case_create.c - intake: the resident's application for a published item, at a site that
 * offers it, with the materials received now; an agent needs the resident's entrustment. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "../calendar/calendar.h"
#include "../core/clock.h"
#include "../core/idcard.h"
#include "../catalog/catalog.h"
#include "../core/json.h"
#include "case_int.h"
#include "pii.h"

static const char *const channels[] = {"station", "window", "home", "online", "hotline", NULL};

/* Finds or makes the applicant; the ID number is stored sealed and found by its keyed hash. */
static enum bb_err applicant(struct store_tx *tx, const struct case_in *in, const char *id,
                             int64_t *out)
{
    char hash[TOKEN_HEX], masked[IDCARD_LEN + 1], phone_masked[16];
    pii_lookup_hash(id, hash);
    idcard_mask(id, masked);
    pii_mask_phone(in->phone, phone_masked);
    struct buf id_sealed, phone_sealed;
    buf_init(&id_sealed, 1024);
    buf_init(&phone_sealed, 1024);
    enum bb_err rc = pii_seal(id, &id_sealed);
    if (!rc)
        rc = pii_seal(in->phone, &phone_sealed);
    int64_t now = clock_now();
    if (!rc) /* a resident's latest name and phone win */
        rc = store_run(tx, "INSERT INTO applicants (id_hash, id_sealed, id_masked, name, "
                           "phone_sealed, phone_masked, created_at, updated_at) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id_hash) DO UPDATE SET "
                           "name = excluded.name, phone_sealed = excluded.phone_sealed, "
                           "phone_masked = excluded.phone_masked, updated_at = excluded.updated_at",
                       "ttttttii", hash, id_sealed.data, masked, in->name, phone_sealed.data,
                       phone_masked, now, now);
    buf_free(&id_sealed);
    buf_free(&phone_sealed);
    bool found;
    if (!rc) {
        struct store_stmt *s;
        rc = store_prepare(tx, "SELECT id FROM applicants WHERE id_hash = ?", &s);
        if (!rc) {
            rc = store_bind_text(s, 1, hash);
            if (!rc)
                rc = store_step(s, &found);
            if (!rc && found)
                *out = store_col_int(s, 0);
            store_finalize(s);
        }
    }
    return rc;
}

/* A receipt no one has used: SQ + date + 6 random digits; the unique index settles races. */
static void make_receipt(int today, char out[CASE_RECEIPT_LEN])
{
    char date[WORKDAY_DATE_LEN];
    workday_format(today, date);
    snprintf(out, CASE_RECEIPT_LEN, "SQ%.4s%.2s%.2s%06u", date, date + 5, date + 8,
             (unsigned)randombytes_uniform(1000000));
}

struct item_ref {
    int64_t item_id, version;
};

/* The item must be published, in force and offered at the actor's site (district centres offer
 * everything). */
static enum bb_err offered(struct store_tx *tx, const struct actor *a, const char *code,
                           struct item_ref *it, const char **field)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT i.id, i.published_version, i.status, "
                                       "(SELECT mode FROM site_items WHERE site_id = ? AND "
                                       "item_id = i.id) FROM items i WHERE i.code = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_int(s, 1, a->site_id);
    if (!rc)
        rc = store_bind_text(s, 2, code);
    if (!rc)
        rc = store_step(s, &row);
    *field = "item";
    if (!rc && (!row || store_col_null(s, 1) || strcmp(store_col_text(s, 2), "retired") == 0))
        rc = BB_INVALID; /* unknown, never published or retired */
    if (!rc && store_col_null(s, 3) && strcmp(a->site_level, "district") != 0)
        rc = BB_INVALID; /* this site does not offer it */
    if (!rc) {
        it->item_id = store_col_int(s, 0);
        it->version = store_col_int(s, 1);
        *field = NULL;
    }
    store_finalize(s);
    return rc;
}

static enum bb_err check_input(const struct actor *a, const struct case_in *in, int today,
                               char id[IDCARD_LEN + 1], const char **field)
{
    int y, m, d;
    workday_to_ymd(today, &y, &m, &d);
    bool channel_ok = false;
    for (const char *const *c = channels; *c; c++)
        channel_ok |= strcmp(*c, in->channel) == 0;
    int signed_on, valid_until;
    if (!channel_ok)
        *field = "channel";
    else if (utf8_chars(in->name) < 1 || utf8_chars(in->name) > 32)
        *field = "applicant.name";
    else if (!idcard_valid(in->id_number, y, m, d, id))
        *field = "applicant.id_number";
    else if (!pii_phone_valid(in->phone))
        *field = "applicant.phone";
    else if ((a->role == ROLE_AGENT || a->role == ROLE_WEB_AGENT) && !in->entrusted) {
        *field = "entrustment"; /* no entrustment, no proxy handling */
        return BB_MISSING_FIELD;
    } else if (in->entrusted && (utf8_chars(in->ent_scope) < 1 || utf8_chars(in->ent_scope) > 200))
        *field = "entrustment.scope";
    else if (in->entrusted && (workday_parse(in->ent_signed_on, &signed_on) || signed_on > today))
        *field = "entrustment.signed_on";
    else if (in->entrusted &&
             (workday_parse(in->ent_valid_until, &valid_until) || valid_until < today))
        *field = "entrustment.valid_until";
    else
        return BB_OK;
    return BB_INVALID;
}

enum bb_err case_create(struct store_tx *tx, const struct actor *a, const struct case_in *in,
                        char receipt[CASE_RECEIPT_LEN], const char **field)
{
    if (!a || a->role == ROLE_APPROVER || a->role == ROLE_AUDITOR)
        return BB_FORBIDDEN;
    int today = case_today();
    char id[IDCARD_LEN + 1];
    struct item_ref it;
    enum bb_err rc = check_input(a, in, today, id, field);
    if (!rc)
        rc = offered(tx, a, in->item_code, &it, field);
    int64_t applicant_id = 0;
    if (!rc)
        rc = applicant(tx, in, id, &applicant_id);
    struct workday_cal *cal = NULL;
    if (!rc)
        rc = calendar_load(tx, &cal);
    int notice_day = today;
    bool provisional;
    if (!rc)
        rc = workday_add(cal, today, case_get_policy()->notice_days, &notice_day, &provisional);
    workday_cal_free(cal);
    if (rc)
        return rc;
    char received[WORKDAY_DATE_LEN], due[WORKDAY_DATE_LEN], code[8];
    workday_format(today, received);
    workday_format(notice_day, due);
    snprintf(code, sizeof code, "%06u", (unsigned)randombytes_uniform(1000000));
    size_t plen = strlen(in->phone);
    int64_t case_id = 0;
    for (int attempt = 0; attempt < 5; attempt++) {
        make_receipt(today, receipt);
        struct store_stmt *s;
        rc = store_prepare(tx, "INSERT INTO cases (receipt, query_code, item_id, item_version, "
                               "applicant_id, phone4, channel, status, site_id, first_user_id, "
                               "holder_site_id, holder_user_id, received_on, notice_due, "
                               "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'intake', "
                               "?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &s);
        if (rc)
            return rc;
        int64_t now = clock_now();
        int i = 1;
        rc = store_bind_text(s, i++, receipt);
        if (!rc) rc = store_bind_text(s, i++, code);
        if (!rc) rc = store_bind_int(s, i++, it.item_id);
        if (!rc) rc = store_bind_int(s, i++, it.version);
        if (!rc) rc = store_bind_int(s, i++, applicant_id);
        if (!rc) rc = store_bind_text(s, i++, in->phone + plen - 4);
        if (!rc) rc = store_bind_text(s, i++, in->channel);
        if (!rc) rc = store_bind_int(s, i++, a->site_id);
        if (!rc) rc = store_bind_int(s, i++, a->user_id);
        if (!rc) rc = store_bind_int(s, i++, a->site_id);
        if (!rc) rc = store_bind_int(s, i++, a->user_id);
        if (!rc) rc = store_bind_text(s, i++, received);
        if (!rc) rc = store_bind_text(s, i++, due);
        if (!rc) rc = store_bind_int(s, i++, now);
        if (!rc) rc = store_bind_int(s, i++, now);
        bool row = false;
        if (!rc)
            rc = store_step(s, &row);
        if (!rc && row)
            case_id = store_col_int(s, 0);
        store_finalize(s);
        if (rc != BB_CONFLICT)
            break; /* a receipt collision is retried with a new number */
    }
    if (rc)
        return rc;
    /* The version's materials, each marked received or not; unknown ids are refused. */
    rc = store_run(tx, "INSERT INTO case_materials (case_id, material_id, name, required, "
                       "received, custody_site_id) SELECT ?, m.id, m.name, m.required, 0, NULL "
                       "FROM materials m JOIN item_versions v ON v.id = m.version_id "
                       "WHERE v.item_id = ? AND v.version = ? ORDER BY m.seq", "iii", case_id,
                   it.item_id, it.version);
    for (int k = 0; !rc && k < in->nreceived; k++) {
        bool found;
        int64_t args[] = {case_id, in->received[k]};
        rc = store_query_int(tx, "SELECT id FROM case_materials WHERE case_id = ? AND "
                                 "material_id = ?", 2, args, &found, NULL);
        if (!rc && !found) {
            *field = catalog_field("materials", k, "material");
            return BB_INVALID;
        }
        if (!rc)
            rc = store_run(tx, "UPDATE case_materials SET received = 1, custody_site_id = ? "
                               "WHERE case_id = ? AND material_id = ?", "iii", a->site_id,
                           case_id, in->received[k]);
    }
    bool missing = false;
    if (!rc) {
        int64_t n = 0;
        rc = store_query_int(tx, "SELECT COUNT(*) FROM case_materials WHERE case_id = ? AND "
                                 "required = 1 AND received = 0", 1, &case_id, &missing, &n);
        missing = !rc && n > 0;
    }
    if (!rc && missing) /* the one-time notice of every missing material, given on the spot */
        rc = store_run(tx, "UPDATE cases SET notice_given_on = ? WHERE id = ?", "ti", received,
                       case_id);
    if (!rc && in->entrusted)
        rc = store_run(tx, "INSERT INTO entrustments (case_id, agent_user_id, scope, signed_on, "
                           "valid_until) VALUES (?, ?, ?, ?, ?)", "iittt", case_id, a->user_id,
                       in->ent_scope, in->ent_signed_on, in->ent_valid_until);
    struct case_row c;
    if (!rc)
        rc = case_load(tx, receipt, &c);
    if (!rc)
        rc = case_event(tx, a, &c, "create", "intake", missing ? "一次性告知已出具" : NULL);
    return rc;
}
