/* err.c - the table behind enum bb_err (see errors.def). */
#include "err.h"

struct err_row {
    int status;
    const char *code, *zh, *en;
};

static const struct err_row rows[] = {
#define BB_ERROR(name, status, code, zh, en) {status, code, zh, en},
#include "errors.def"
#undef BB_ERROR
};

static const struct err_row *row(enum bb_err err)
{
    if ((unsigned)err >= BB_ERR__COUNT)
        return &rows[BB_INTERNAL];
    return &rows[err];
}

int bb_err_status(enum bb_err err) { return row(err)->status; }
const char *bb_err_code(enum bb_err err) { return row(err)->code; }
const char *bb_err_message(enum bb_err err) { return row(err)->zh; }
const char *bb_err_message_en(enum bb_err err) { return row(err)->en; }
