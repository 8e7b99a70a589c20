/* clock.h - the one clock of Bangban. Tests may set it (an explicit option, logged loudly);
 * production always reads the real time. Times are Unix seconds; the display zone is UTC+08:00. */
#ifndef BB_CLOCK_H
#define BB_CLOCK_H
#include <stddef.h>
#include <stdint.h>

/* Seconds since the epoch: real time plus the test offset (0 unless clock_set_offset was called). */
int64_t clock_now(void);
/* Shifts the clock by offset seconds (tests and --fake-now only). */
void clock_set_offset(int64_t offset);
/* Formats t as ISO 8601 in +08:00, e.g. 2026-11-27T15:04:05+08:00. out needs 26 bytes. */
void clock_iso(int64_t t, char *out, size_t n);

#endif
