/* front.h - the front desk and residents' side (seeds 000, 001, 004): appointments (预约),
 * queue numbers and calling (排队叫号), 好差评 ratings with rectification (整改), 办不成事
 * complaints, the 12345 hotline's work orders and home visits (上门服务). One header per
 * concern (booking.h, queue.h, ratings.h, complaints.h, hotline.h, visits.h); this one holds
 * what they share: the configurable limits. */
#ifndef BB_FRONT_H
#define BB_FRONT_H

struct front_policy {
    int no_show_limit;   /* missed appointments within no_show_days that suspend booking (3) */
    int no_show_days;    /* calendar days looked back (90) */
    int booking_days;    /* calendar days ahead that can be booked (30) */
    int rectify_days;    /* working days to rectify a bad rating (15) */
    int complaint_days;  /* working days to answer a complaint (5) */
};
void front_set_policy(const struct front_policy *p);
const struct front_policy *front_get_policy(void);

#endif
