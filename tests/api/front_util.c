/* front_util.c - helpers shared by the front-desk API tests. */
#include <stdio.h>
#include <time.h>
#include "front_util.h"

void front_today(char out[11])
{
    time_t t = time(NULL) + 8 * 3600; /* +08:00 */
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}
