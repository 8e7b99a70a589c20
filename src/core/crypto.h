/* crypto.h - libsodium wrappers: random tokens, token digests, argon2id passwords.
 * crypto_init must succeed before any other call. */
#ifndef BB_CRYPTO_H
#define BB_CRYPTO_H
#include <stdbool.h>
#include <stddef.h>
#include "err.h"

#define TOKEN_HEX 65  /* 32 random bytes as hex + NUL */
#define PWHASH_STR 128

enum bb_err crypto_init(void);
/* Fills out with 256 random bits as lowercase hex. */
void crypto_token(char out[TOKEN_HEX]);
/* BLAKE2b-256 of s as hex: what is stored for a session token, never the token itself. */
void crypto_digest(const char *s, char out[TOKEN_HEX]);
/* argon2id at OWASP's floor (19 MiB, 2 passes). BB_NOMEM if the memory is not available. */
enum bb_err crypto_pw_hash(const char *password, char out[PWHASH_STR]);
/* True when password matches the stored hash. Runs in constant time per hash. */
bool crypto_pw_verify(const char *stored, const char *password);
/* Constant-time comparison of two NUL-terminated strings. */
bool crypto_streq(const char *a, const char *b);

#endif
