/* idcard.c - GB 11643-1999 check: shape, birth date, ISO 7064 MOD 11-2 check character. */
#include <string.h>
#include "idcard.h"

/* Weights 2^(17-i) mod 11 for positions 0..16, and the check character for each remainder. */
static const int weights[IDCARD_LEN - 1] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
static const char check_chars[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};

static int num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static bool real_date(int y, int m, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= (m == 2 && leap ? 29 : mdays[m - 1]);
}

bool idcard_valid(const char *id, int today_y, int today_m, int today_d,
                  char out_normalised[IDCARD_LEN + 1])
{
    if (out_normalised)
        out_normalised[0] = '\0';
    if (!id || strnlen(id, IDCARD_LEN + 1) != IDCARD_LEN)
        return false;
    int sum = 0;
    for (int i = 0; i < IDCARD_LEN - 1; i++) {
        if (id[i] < '0' || id[i] > '9')
            return false;
        sum += (id[i] - '0') * weights[i];
    }
    char check = id[IDCARD_LEN - 1] == 'x' ? 'X' : id[IDCARD_LEN - 1];
    if (check != check_chars[sum % 11])
        return false;
    int y = num(id + 6, 4), m = num(id + 10, 2), d = num(id + 12, 2);
    if (y < IDCARD_BIRTH_YEAR_MIN || !real_date(y, m, d))
        return false;
    if ((long)y * 10000 + m * 100 + d > (long)today_y * 10000 + today_m * 100 + today_d)
        return false; /* born after today */
    if (out_normalised) {
        memcpy(out_normalised, id, IDCARD_LEN - 1);
        out_normalised[IDCARD_LEN - 1] = check;
        out_normalised[IDCARD_LEN] = '\0';
    }
    return true;
}

void idcard_mask(const char *id, char out[IDCARD_LEN + 1])
{
    memset(out, '*', IDCARD_LEN);
    out[IDCARD_LEN] = '\0';
    if (!id || strnlen(id, IDCARD_LEN + 1) != IDCARD_LEN)
        return;
    memcpy(out, id, 6);
    memcpy(out + IDCARD_LEN - 4, id + IDCARD_LEN - 4, 4);
    if (out[IDCARD_LEN - 1] == 'x')
        out[IDCARD_LEN - 1] = 'X';
}
