/* booking_checkin.c - checking in on the booking's day: a ticket in the service's window kind
 * with priority appointment (the 绿色通道), linked both ways to the appointment. */
#include <stdio.h>
#include <string.h>
#include "../audit/audit.h"
#include "../core/workday.h"
#include "booking.h"
#include "queue.h"

enum bb_err booking_check_in(struct store_tx *tx, const struct actor *a, int64_t id,
                             int64_t *ticket_id)
{
    struct store_stmt *s;
    enum bb_err rc = booking_stmt(tx, &s, "SELECT a.site_id, a.day, a.status, b.kind, i.code "
                                          "FROM appointments a JOIN booking_services b ON "
                                          "b.id = a.service_id JOIN items i ON i.id = a.item_id "
                                          "WHERE a.id = ?", "i", id);
    if (rc)
        return rc;
    bool row = false;
    rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    char today[WORKDAY_DATE_LEN], kind[16] = "", item[32] = "";
    workday_format(booking_today(), today);
    struct ticket_in in = {.priority = "appointment", .appointment_id = id};
    if (!rc) {
        in.site_id = store_col_int(s, 0);
        if (strcmp(store_col_text(s, 1), today) != 0 ||
            strcmp(store_col_text(s, 2), "booked") != 0)
            rc = BB_WRONG_STATE; /* only a booked place, only on its day */
        snprintf(kind, sizeof kind, "%s", store_col_text(s, 3));
        snprintf(item, sizeof item, "%s", store_col_text(s, 4));
    }
    store_finalize(s);
    if (rc)
        return rc;
    in.kind = kind;
    in.item_code = item;
    const char *field = NULL;
    rc = ticket_take(tx, a, &in, ticket_id, &field);
    if (!rc)
        rc = booking_check_in_mark(tx, id, *ticket_id);
    char object[48];
    snprintf(object, sizeof object, "appointment:%lld", (long long)id);
    if (!rc)
        rc = audit_append(tx, a, "appointment.check_in", object, "ok", NULL);
    return rc;
}
