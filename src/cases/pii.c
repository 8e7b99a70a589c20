/* pii.c - key file, secretbox sealing, keyed lookup hashes, masks. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "../core/log.h"
#include "pii.h"

static unsigned char key_seal[crypto_secretbox_KEYBYTES];
static unsigned char key_hash[crypto_generichash_KEYBYTES];
static bool loaded;

/* Two independent subkeys from the one master key in the file. */
static void derive(const unsigned char master[crypto_kdf_KEYBYTES])
{
    crypto_kdf_derive_from_key(key_seal, sizeof key_seal, 1, "bb-seal_", master);
    crypto_kdf_derive_from_key(key_hash, sizeof key_hash, 2, "bb-hash_", master);
    loaded = true;
}

enum bb_err pii_key_create(const char *path, bool *created)
{
    *created = false;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno == EEXIST ? BB_OK : BB_IO; /* never overwrite: data sealed under it */
    unsigned char master[crypto_kdf_KEYBYTES];
    char hex[2 * crypto_kdf_KEYBYTES + 2];
    crypto_kdf_keygen(master);
    sodium_bin2hex(hex, sizeof hex, master, sizeof master);
    size_t n = strlen(hex);
    hex[n++] = '\n';
    bool ok = write(fd, hex, n) == (ssize_t)n && fsync(fd) == 0;
    close(fd);
    sodium_memzero(master, sizeof master);
    if (!ok) {
        unlink(path);
        return BB_IO;
    }
    *created = true;
    return BB_OK;
}

enum bb_err pii_key_load(const char *path)
{
    FILE *f = fopen(path, "r");
    char hex[2 * crypto_kdf_KEYBYTES + 8] = "";
    if (f) {
        if (!fgets(hex, sizeof hex, f))
            hex[0] = '\0';
        fclose(f);
    }
    unsigned char master[crypto_kdf_KEYBYTES];
    size_t len = 0;
    if (!f || sodium_hex2bin(master, sizeof master, hex, strlen(hex), "\n", &len, NULL) != 0 ||
        len != sizeof master) {
        log_msg("error", NULL, "cannot read the key file %s (run `bangban init` to create it)",
                path);
        return BB_IO;
    }
    derive(master);
    sodium_memzero(master, sizeof master);
    return BB_OK;
}

void pii_key_set_for_tests(void)
{
    unsigned char master[crypto_kdf_KEYBYTES];
    memset(master, 7, sizeof master);
    derive(master);
}

enum bb_err pii_seal(const char *text, struct buf *out_hex)
{
    if (!loaded)
        return BB_INTERNAL;
    size_t n = strlen(text);
    if (n > 256)
        return BB_INVALID;
    unsigned char box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 256];
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)text, n, box,
                          key_seal);
    size_t blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
    char hex[2 * sizeof box + 1];
    sodium_bin2hex(hex, sizeof hex, box, blen);
    return buf_addstr(out_hex, hex);
}

enum bb_err pii_open(const char *hex, char *out, size_t n)
{
    unsigned char box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 256];
    size_t blen = 0;
    if (!loaded || sodium_hex2bin(box, sizeof box, hex, strlen(hex), NULL, &blen, NULL) != 0 ||
        blen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return BB_INVALID;
    size_t plen = blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    if (plen + 1 > n)
        return BB_INVALID;
    if (crypto_secretbox_open_easy((unsigned char *)out, box + crypto_secretbox_NONCEBYTES,
                                   blen - crypto_secretbox_NONCEBYTES, box, key_seal) != 0)
        return BB_INVALID;
    out[plen] = '\0';
    return BB_OK;
}

void pii_lookup_hash(const char *text, char out[TOKEN_HEX])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)text, strlen(text), key_hash,
                       sizeof key_hash);
    sodium_bin2hex(out, TOKEN_HEX, h, sizeof h);
}

bool pii_phone_valid(const char *p)
{
    if (strlen(p) != 11 || p[0] != '1' || p[1] < '3' || p[1] > '9')
        return false;
    for (int i = 0; i < 11; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return true;
}

void pii_mask_phone(const char *phone, char out[16])
{
    if (strlen(phone) != 11) {
        snprintf(out, 16, "***********");
        return;
    }
    snprintf(out, 16, "%.3s****%.4s", phone, phone + 7);
}

void pii_mask_name(const char *name, char *out, size_t n)
{
    size_t first = name[0] ? 1 : 0; /* the first UTF-8 character, whatever its length */
    while (name[first] && ((unsigned char)name[first] & 0xC0) == 0x80)
        first++;
    snprintf(out, n, "%.*s*", (int)first, name);
}
