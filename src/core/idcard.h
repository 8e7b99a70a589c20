/* idcard.h - 18-character citizen ID numbers (公民身份号码, GB 11643-1999): 6-digit region,
 * 8-digit birth date YYYYMMDD, 3-digit sequence (odd = male), and a check character computed
 * with ISO 7064 MOD 11-2. Only the shape, the date and the check are verified here; the region
 * is not looked up (old codes stay valid on old cards). Pure: the caller supplies "today". */
#ifndef BB_IDCARD_H
#define BB_IDCARD_H
#include <stdbool.h>

#define IDCARD_LEN 18
#define IDCARD_BIRTH_YEAR_MIN 1800 /* the standard's own example 440524188001010014 is valid */

/* True when id is exactly 18 characters: 17 digits then a digit, X or x; the birth date a real
 * date in IDCARD_BIRTH_YEAR_MIN.. and not after today (today_y-today_m-today_d); and the check
 * character right. out_normalised (may be NULL) receives the number with x upper-cased when
 * valid, "" when not. NULL id is invalid. */
bool idcard_valid(const char *id, int today_y, int today_m, int today_d,
                  char out_normalised[IDCARD_LEN + 1]);

/* For display and logs: the first 6 and last 4 characters with 8 '*' between
 * (110105********002X). Anything that is not 18 characters long (or NULL) gives 18 '*', so a
 * malformed value never leaks through. Checks only the length, not validity. */
void idcard_mask(const char *id, char out[IDCARD_LEN + 1]);

#endif
