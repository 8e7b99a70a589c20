/* buf.c - capped growable buffer. */
#include <stdlib.h>
#include <string.h>
#include "buf.h"

void buf_init(struct buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max;
}

enum bb_err buf_add(struct buf *b, const void *p, size_t n)
{
    if (n > b->max || b->len > b->max - n)
        return BB_TOO_LARGE;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d)
            return BB_NOMEM;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return BB_OK;
}

enum bb_err buf_addstr(struct buf *b, const char *s) { return buf_add(b, s, strlen(s)); }

void buf_free(struct buf *b)
{
    free(b->data);
    buf_init(b, b->max);
}
