/* api_booking.c - /api/v1/public/sites, slots, appointments; booking services; staff bookings. (scaffold: each handler replies no_route until implemented) */
#include "api.h"

void api_public_sites(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_public_slots(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_public_book(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_public_booking_get(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_public_booking_cancel(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_public_booking_checkin(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_booking_services_list(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_booking_services_create(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_booking_services_get(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_booking_services_update(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_appointments_list(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_appointments_checkin(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_appointments_no_show(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
