/* err.h - the one error enum of Bangban and its table (HTTP status, stable code, zh/en message).
 * Every fallible function returns enum bb_err; BB_OK is 0 so `rc = f(); if (rc) goto out;` works. */
#ifndef BB_ERR_H
#define BB_ERR_H

enum bb_err {
#define BB_ERROR(name, status, code, zh, en) BB_##name,
#include "errors.def"
#undef BB_ERROR
    BB_ERR__COUNT
};

/* HTTP status for err (500 for an out-of-range value). */
int bb_err_status(enum bb_err err);
/* Stable machine code, e.g. "bad_json". Never NULL. */
const char *bb_err_code(enum bb_err err);
/* Chinese / English human messages. Never NULL. */
const char *bb_err_message(enum bb_err err);
const char *bb_err_message_en(enum bb_err err);

#endif
