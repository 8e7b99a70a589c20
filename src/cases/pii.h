/* pii.h - residents' personal data at rest (PIPL art. 28, 51): ID numbers and phones are stored
 * encrypted (libsodium secretbox) under the installation's key file, found by a keyed hash, and
 * shown masked. The key file is created by `bangban init` (0600) and never overwritten. */
#ifndef BB_PII_H
#define BB_PII_H
#include <stddef.h>
#include "../core/buf.h"
#include "../core/crypto.h"

/* Creates the key file when it does not exist (mode 0600); an existing one is left alone.
 * *created tells which. BB_IO when it cannot be written. */
enum bb_err pii_key_create(const char *path, bool *created);
/* Loads the key for this process. BB_IO (with a log line) when missing or malformed. */
enum bb_err pii_key_load(const char *path);
/* For tests: a fixed in-memory key. */
void pii_key_set_for_tests(void);

/* Encrypts text into hex (nonce + ciphertext). */
enum bb_err pii_seal(const char *text, struct buf *out_hex);
/* Decrypts hex from pii_seal into out (NUL-terminated, at most n bytes). BB_INVALID when it
 * was tampered with or made under another key. */
enum bb_err pii_open(const char *hex, char *out, size_t n);
/* Keyed BLAKE2b of text (a lookup key that reveals nothing without the key file). */
void pii_lookup_hash(const char *text, char out[TOKEN_HEX]);

/* Display forms: 110105********002X, 138****5678, 王* (first character kept). */
void pii_mask_phone(const char *phone, char out[16]);
void pii_mask_name(const char *name, char *out, size_t n);
/* True for a mainland mobile number: 11 digits, 1[3-9]... */
bool pii_phone_valid(const char *phone);

#endif
