/* front_util.h - helpers shared by the front-desk API tests (test_front_*.c). */
#ifndef BB_API_FRONT_UTIL_H
#define BB_API_FRONT_UTIL_H
#include "case_util.h"

/* Today in the server's zone (Asia/Shanghai), "YYYY-MM-DD", from the server's clock
 * (GET /api/v1/version "now" when present, else the local clock). */
void front_today(char out[11]);

#endif
