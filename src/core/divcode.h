/* divcode.h - 12-digit administrative division codes (统计用区划代码, GB/T 2260 + 10114):
 * PP province, CC prefecture, DD county, TTT township, VVV village. */
#ifndef BB_DIVCODE_H
#define BB_DIVCODE_H
#include <stdbool.h>

enum divcode_level { DIVCODE_BAD = 0, DIVCODE_DISTRICT, DIVCODE_TOWNSHIP, DIVCODE_VILLAGE };

/* The level the code's shape says, or DIVCODE_BAD when it is not 12 digits, names no real
 * province, or is a province-only code. */
enum divcode_level divcode_level(const char *code);
/* True when child (of the level below parent's) lies under parent: same county prefix for a
 * township, same township prefix for a village. */
bool divcode_under(const char *child, const char *parent, enum divcode_level parent_level);

#endif
