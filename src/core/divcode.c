/* divcode.c - structure checks for division codes; there is no check digit, so the province
 * list and the level structure are what catch typos. */
#include <string.h>
#include "divcode.h"

static const char *const provinces[] = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", NULL};

static bool zeros(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] != '0')
            return false;
    return true;
}

enum divcode_level divcode_level(const char *code)
{
    if (!code || strlen(code) != 12)
        return DIVCODE_BAD;
    for (int i = 0; i < 12; i++)
        if (code[i] < '0' || code[i] > '9')
            return DIVCODE_BAD;
    bool known = false;
    for (const char *const *p = provinces; *p; p++)
        if (memcmp(code, *p, 2) == 0)
            known = true;
    if (!known)
        return DIVCODE_BAD;
    if (!zeros(code + 9, 3))
        return DIVCODE_VILLAGE;
    if (!zeros(code + 6, 3))
        return DIVCODE_TOWNSHIP;
    if (!zeros(code + 2, 4))
        return DIVCODE_DISTRICT; /* a city (CC) or county (DD) centre */
    return DIVCODE_BAD;
}

bool divcode_under(const char *child, const char *parent, enum divcode_level parent_level)
{
    switch (parent_level) {
    case DIVCODE_DISTRICT: {
        /* A city-level centre (DD = 00) covers its counties' townships too. */
        int prefix = zeros(parent + 4, 2) ? 4 : 6;
        return memcmp(child, parent, (size_t)prefix) == 0;
    }
    case DIVCODE_TOWNSHIP:
        return memcmp(child, parent, 9) == 0;
    default:
        return false;
    }
}
