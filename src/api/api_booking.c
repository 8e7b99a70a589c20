/* api_booking.c - 预约: /api/v1/public/sites, slots and appointments (residents, no sign-in);
 * /api/v1/booking-services (a site's bookable services) and /api/v1/appointments (staff). */
#include <stdio.h>
#include <string.h>
#include "../core/json.h"
#include "../front/booking.h"
#include "../front/queue.h"
#include "api.h"
#include "api_idem.h"

/* --- bookable services --- */

static const char *const svc_create_fields[] = {"site_id", "name", "kind", "item", "hours",
                                                "slot_minutes", "capacity", "active", NULL};
static const char *const svc_update_fields[] = {"site_id", "name", "kind", "item", "hours",
                                                "slot_minutes", "capacity", "active", NULL};

/* Reads the service fields; on create the required ones must be there. */
static enum bb_err svc_fields(json_t *o, struct bsvc_in *in, bool create, const char **field)
{
    bool p = false, null = false;
    bool *opt = create ? NULL : &p;
    enum bb_err rc = json_str(o, "name", opt, false, 1, 64, &in->name, field);
    if (!rc && (create || p))
        in->set |= BS_NAME;
    if (!rc)
        rc = json_str(o, "kind", opt, false, 1, 16, &in->kind, field);
    if (!rc && (create || p))
        in->set |= BS_KIND;
    if (!rc) {
        p = false;
        rc = json_str(o, "item", &p, true, 1, 32, &in->item, field);
        if (!rc && p)
            in->set |= BS_ITEM;
    }
    if (!rc)
        rc = json_str(o, "hours", opt, false, 1, 64, &in->hours, field);
    if (!rc && (create || p))
        in->set |= BS_HOURS;
    if (!rc)
        rc = json_int(o, "slot_minutes", opt, false, 5, 240, &in->slot_minutes, &null, field);
    if (!rc && (create || p))
        in->set |= BS_SLOT;
    if (!rc)
        rc = json_int(o, "capacity", opt, false, 1, 500, &in->capacity, &null, field);
    if (!rc && (create || p))
        in->set |= BS_CAPACITY;
    if (!rc) {
        p = false;
        rc = json_bool(o, "active", &p, &in->active, field);
        if (!rc && p)
            in->set |= BS_ACTIVE;
    }
    return rc;
}

static enum bb_err svc_create(struct store_tx *tx, const struct actor *a, const void *in,
                              int64_t *id, const char **field)
{
    return bsvc_create(tx, a, in, id, field);
}

static enum bb_err svc_update(struct store_tx *tx, const struct actor *a, const void *in,
                              int64_t *id, const char **field)
{
    return bsvc_update(tx, a, *id, in, field);
}

void api_booking_services_list(struct req *r) { api_list(r, bsvc_list, "site"); }
void api_booking_services_get(struct req *r) { api_get_one(r, bsvc_get); }

void api_booking_services_create(struct req *r)
{
    json_t *o;
    if (!api_body(r, svc_create_fields, &o))
        return;
    struct bsvc_in in = {0};
    const char *field = NULL;
    enum bb_err rc = json_int(o, "site_id", NULL, false, 1, INT64_MAX, &in.site_id, NULL, &field);
    if (!rc)
        rc = svc_fields(o, &in, true, &field);
    if (!api_failed(r, rc, field))
        api_write(r, 201, svc_create, &in, 0, bsvc_get, "booking_service");
    json_decref(o);
}

void api_booking_services_update(struct req *r)
{
    int64_t id;
    json_t *o;
    if (!api_id(r, 0, &id) || !api_body(r, svc_update_fields, &o))
        return;
    struct bsvc_in in = {0};
    const char *field = NULL;
    enum bb_err rc = BB_OK;
    if (json_object_get(o, "site_id")) {
        rc = BB_READ_ONLY;
        field = "site_id";
    } else {
        rc = svc_fields(o, &in, false, &field);
    }
    if (!api_failed(r, rc, field))
        api_write(r, 200, svc_update, &in, id, bsvc_get, "booking_service");
    json_decref(o);
}

/* --- public reads --- */

struct pub_ctx {
    struct req *r;
    int64_t id, ticket_id;
    const char *date, *code, *phone, *field;
    struct booking_in in;
    char new_code[BOOKING_CODE_LEN + 1];
    int retry_after;
    json_t *out;
};

static enum bb_err sites_fn(struct store_tx *tx, void *arg)
{
    struct pub_ctx *c = arg;
    return booking_public_sites(tx, &c->out);
}

void api_public_sites(struct req *r)
{
    struct pub_ctx c = {.r = r};
    if (!api_failed(r, store_read(r->st, sites_fn, &c), NULL))
        reply_json(r, 200, c.out);
}

static enum bb_err slots_fn(struct store_tx *tx, void *arg)
{
    struct pub_ctx *c = arg;
    return booking_slots(tx, c->id, c->date, &c->out, &c->field);
}

void api_public_slots(struct req *r)
{
    struct pub_ctx c = {.r = r, .date = req_query(r, "date")};
    if (!api_id(r, 0, &c.id))
        return;
    enum bb_err rc = store_read(r->st, slots_fn, &c); /* before c.field is read */
    if (!api_failed(r, rc, c.field))
        reply_json(r, 200, c.out);
}

/* --- booking --- */

static enum bb_err book_fn(struct store_tx *tx, void *arg)
{
    struct pub_ctx *c = arg;
    enum bb_err rc = booking_create(tx, &c->in, c->new_code, &c->retry_after, &c->field);
    if (!rc)
        rc = booking_find(tx, c->new_code, c->in.phone, &c->id);
    if (!rc)
        rc = booking_json(tx, c->id, false, &c->out);
    return rc;
}

/* Replies rc: 429 with Retry-After when rate-limited. */
static void reply_fail(struct req *r, enum bb_err rc, int retry_after, const char *field)
{
    if (rc == BB_RATE_LIMITED && retry_after > 0)
        r->retry_after = retry_after;
    reply_error(r, rc, rc == BB_RATE_LIMITED ? NULL : field);
}

void api_public_book(struct req *r)
{
    static const char *const fields[] = {"slot", "item", "name", "phone", NULL};
    json_t *o;
    if (!api_body(r, fields, &o))
        return;
    struct pub_ctx c = {.r = r};
    c.in.addr = r->addr;
    enum bb_err rc = json_str(o, "slot", NULL, false, 1, 40, &c.in.slot, &c.field);
    if (!rc)
        rc = json_str(o, "item", NULL, false, 1, 32, &c.in.item, &c.field);
    if (!rc)
        rc = json_str(o, "name", NULL, false, 0, 200, &c.in.name, &c.field);
    if (!rc)
        rc = json_str(o, "phone", NULL, false, 0, 64, &c.in.phone, &c.field);
    if (!rc)
        rc = store_write(r->st, book_fn, &c);
    if (rc)
        reply_fail(r, rc, c.retry_after, c.field);
    else
        reply_json(r, 201, c.out);
    json_decref(o);
}

/* --- the resident's own appointment: code + phone --- */

typedef enum bb_err (*own_fn)(struct store_tx *tx, struct pub_ctx *c);

struct own_ctx {
    struct pub_ctx *c;
    own_fn fn;
};

/* Too many failed lookups from this address: wait; else find the appointment and run fn. */
static enum bb_err own_run(struct store_tx *tx, void *arg)
{
    struct own_ctx *o = arg;
    struct pub_ctx *c = o->c;
    enum bb_err rc = booking_lookup_limited(tx, c->r->addr, false, &c->retry_after);
    if (!rc && c->retry_after)
        return BB_RATE_LIMITED;
    if (!rc)
        rc = booking_find(tx, c->code, c->phone, &c->id);
    return rc ? rc : o->fn(tx, c);
}

static enum bb_err count_fail(struct store_tx *tx, void *arg)
{
    struct pub_ctx *c = arg;
    int retry;
    return booking_lookup_limited(tx, c->r->addr, true, &retry);
}

/* Runs fn on the appointment (code from the path, phone from the query or the body) and
 * replies status with c->out; a failed lookup is counted against the address. */
static void own(struct req *r, own_fn fn, bool write, int status)
{
    struct pub_ctx c = {.r = r, .code = r->params[0]};
    json_t *o = NULL;
    if (write) {
        static const char *const fields[] = {"phone", NULL};
        if (!api_body(r, fields, &o))
            return;
        enum bb_err rc = json_str(o, "phone", NULL, false, 0, 64, &c.phone, &c.field);
        if (api_failed(r, rc, c.field)) {
            json_decref(o);
            return;
        }
    } else if (!(c.phone = req_query(r, "phone"))) {
        reply_error(r, BB_MISSING_FIELD, "phone");
        return;
    }
    struct own_ctx oc = {&c, fn};
    enum bb_err rc = write ? store_write(r->st, own_run, &oc) : store_read(r->st, own_run, &oc);
    if (rc == BB_NOT_FOUND)
        store_write(r->st, count_fail, &c); /* best effort: the answer is 404 either way */
    if (rc) {
        json_decref(c.out);
        reply_fail(r, rc, c.retry_after, c.field);
    } else {
        reply_json(r, status, c.out);
    }
    json_decref(o);
}

static enum bb_err get_own(struct store_tx *tx, struct pub_ctx *c)
{
    return booking_json(tx, c->id, false, &c->out);
}

static enum bb_err cancel_own(struct store_tx *tx, struct pub_ctx *c)
{
    enum bb_err rc = booking_cancel(tx, c->id);
    return rc ? rc : booking_json(tx, c->id, false, &c->out);
}

static enum bb_err checkin_own(struct store_tx *tx, struct pub_ctx *c)
{
    int64_t ticket;
    enum bb_err rc = booking_check_in(tx, NULL, c->id, &ticket);
    return rc ? rc : ticket_get(tx, NULL, ticket, true, &c->out);
}

void api_public_booking_get(struct req *r) { own(r, get_own, false, 200); }
void api_public_booking_cancel(struct req *r) { own(r, cancel_own, true, 200); }
void api_public_booking_checkin(struct req *r) { own(r, checkin_own, true, 201); }

/* --- staff --- */

struct staff_ctx {
    struct req *r;
    int64_t site_id, id;
    const char *date, *status, *field;
    json_t *out;
    bool check_in;
    struct api_idem idem;
};

static enum bb_err list_fn(struct store_tx *tx, void *arg)
{
    struct staff_ctx *c = arg;
    return booking_list(tx, &c->r->actor, c->site_id, c->date, c->status, &c->out, &c->field);
}

void api_appointments_list(struct req *r)
{
    struct staff_ctx c = {.r = r, .date = req_query(r, "date"), .status = req_query(r, "status")};
    if (!api_query_id(r, "site", &c.site_id))
        return;
    enum bb_err rc = store_read(r->st, list_fn, &c); /* before c.field is read */
    if (!api_failed(r, rc, c.field))
        api_reply_page(r, c.out, 0);
}

static enum bb_err staff_fn(struct store_tx *tx, void *arg)
{
    struct staff_ctx *c = arg;
    const struct actor *a = &c->r->actor;
    enum bb_err rc = api_idem_lookup(tx, &c->idem);
    if (rc || c->idem.replay)
        return rc;
    int64_t ticket;
    rc = booking_staff_check(tx, a, c->id);
    if (!rc && c->check_in) {
        rc = booking_check_in(tx, a, c->id, &ticket);
        if (!rc)
            rc = ticket_get(tx, a, ticket, true, &c->out);
    } else if (!rc) {
        rc = booking_no_show(tx, a, c->id);
        if (!rc)
            rc = booking_json(tx, c->id, true, &c->out);
    }
    if (!rc)
        rc = api_idem_store(tx, &c->idem, c->check_in ? 201 : 200, c->out);
    return rc;
}

static void staff_act(struct req *r, bool check_in)
{
    struct staff_ctx c = {.r = r, .check_in = check_in};
    if (!api_id(r, 0, &c.id) || !api_idem_begin(r, &c.idem))
        return;
    enum bb_err rc = store_write(r->st, staff_fn, &c);
    if (rc) {
        json_decref(c.out);
        json_decref(c.idem.body);
        reply_error(r, rc, c.field);
    } else if (c.idem.replay) {
        reply_json(r, c.idem.status, c.idem.body);
    } else {
        reply_json(r, check_in ? 201 : 200, c.out);
    }
}

void api_appointments_checkin(struct req *r) { staff_act(r, true); }
void api_appointments_no_show(struct req *r) { staff_act(r, false); }
