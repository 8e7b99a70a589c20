/* front_util.h - helpers shared by the front-desk API tests (test_front_*.c). */
#ifndef BB_API_FRONT_UTIL_H
#define BB_API_FRONT_UTIL_H
#include "case_util.h"

/* Today in the server's zone (Asia/Shanghai), "YYYY-MM-DD", from the server's clock
 * (GET /api/v1/version "now" when present, else the local clock). */
void front_today(char out[11]);

/* "--fake-now" and the Unix time (as text, in buf of 24 bytes) of hh:mm +08:00 on date
 * "YYYY-MM-DD": extra `serve` arguments for srv_start_args / srv_restart_args / srv_second. */
long long front_unix(const char *date, int hh, int mm);
const char *front_fake_now(const char *date, int hh, int mm, char buf[24]);

/* GET /api/v1/public/sites/{site}/slots?date= as c, expecting 200 (a new reference). */
#define front_slots(c, site, date) front_slots_at(__FILE__, __LINE__, (c), (site), (date))
json_t *front_slots_at(const char *file, int line, struct client *c, long long site,
		       const char *date);
/* The first day after from ("YYYY-MM-DD") on which site has bookable slots (the slots
 * endpoint says open with items), into out; fails the test when none within 30 days. */
#define front_next_open_day(c, site, from, out) \
	front_next_open_day_at(__FILE__, __LINE__, (c), (site), (from), (out))
void front_next_open_day_at(const char *file, int line, struct client *c, long long site,
			    const char *from, char out[11]);

/* Takes the last item of site's list off it (PUT /api/v1/sites/{id}/items as c, an admin
 * above it) and writes its code into out: a published item the site does not handle. */
#define front_unoffer(c, site, out) front_unoffer_at(__FILE__, __LINE__, (c), (site), (out))
void front_unoffer_at(const char *file, int line, struct client *c, long long site, char out[32]);

#endif
