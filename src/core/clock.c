/* clock.c - settable clock for deterministic tests; China Standard Time rendering. */
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include "clock.h"

static _Atomic int64_t offset_s;

int64_t clock_now(void) { return (int64_t)time(NULL) + atomic_load(&offset_s); }

void clock_set_offset(int64_t offset) { atomic_store(&offset_s, offset); }

void clock_iso(int64_t t, char *out, size_t n)
{
    time_t local = (time_t)(t + 8 * 3600); /* China has one zone and no DST */
    struct tm tm;
    gmtime_r(&local, &tm);
    snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}
