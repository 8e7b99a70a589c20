/* migrations.h - the ordered list of schema steps (migrations.c). */
#ifndef BB_MIGRATIONS_H
#define BB_MIGRATIONS_H
#include <stddef.h>

struct migration {
    int version;
    const char *name;
    const char *sql;
};

const struct migration *migrations(size_t *n);

#endif
