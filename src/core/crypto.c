/* crypto.c - thin, checked libsodium calls. Password cost is fixed here, once, for the whole
 * program: OWASP's argon2id minimum (m = 19 MiB, t = 2, p = 1) costs ~25 ms, so a login storm
 * queues seconds, not minutes, on the hashing pool (see http/pool.c). */
#include <sodium.h>
#include <string.h>
#include "crypto.h"

#define PW_OPSLIMIT 2ULL
#define PW_MEMLIMIT (19U * 1024U * 1024U)

enum bb_err crypto_init(void) { return sodium_init() < 0 ? BB_INTERNAL : BB_OK; }

void crypto_token(char out[TOKEN_HEX])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, TOKEN_HEX, raw, sizeof raw);
}

void crypto_digest(const char *s, char out[TOKEN_HEX])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)s, strlen(s), NULL, 0);
    sodium_bin2hex(out, TOKEN_HEX, h, sizeof h);
}

enum bb_err crypto_pw_hash(const char *password, char out[PWHASH_STR])
{
    if (crypto_pwhash_str(out, password, strlen(password), PW_OPSLIMIT, PW_MEMLIMIT) != 0)
        return BB_NOMEM;
    return BB_OK;
}

bool crypto_pw_verify(const char *stored, const char *password)
{
    return crypto_pwhash_str_verify(stored, password, strlen(password)) == 0;
}

bool crypto_streq(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return false;
    return sodium_memcmp(a, b, la) == 0;
}
