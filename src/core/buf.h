/* buf.h - a growable byte buffer with a hard cap (after curl's dynbuf).
 * Appends past the cap fail with BB_TOO_LARGE and leave the buffer as it was. */
#ifndef BB_BUF_H
#define BB_BUF_H
#include <stddef.h>
#include "err.h"

struct buf {
    char *data;   /* NUL-terminated when len > 0; owned */
    size_t len, cap, max;
};

void buf_init(struct buf *b, size_t max);
/* Appends n bytes. BB_TOO_LARGE past max, BB_NOMEM when allocation fails. */
enum bb_err buf_add(struct buf *b, const void *p, size_t n);
enum bb_err buf_addstr(struct buf *b, const char *s);
void buf_free(struct buf *b);

#endif
