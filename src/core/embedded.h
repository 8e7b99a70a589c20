/* embedded.h - files compiled into the binary by tools/embed.c (web pages, demo data, holiday
 * calendars), so the installed program needs nothing from the source tree. */
#ifndef BB_EMBEDDED_H
#define BB_EMBEDDED_H
#include <stddef.h>

struct embedded_file {
    const char *path;      /* relative to its root, with a leading '/': '/css/app.css' */
    const char *ctype;
    const unsigned char *data; /* NUL-terminated for convenience; len excludes the NUL */
    size_t len;
};

/* The data files under data/ (demo catalogue CSVs ...). */
extern const struct embedded_file data_files[];
extern const size_t data_files_count;
/* The file at path under data/ ('/catalog/items.csv'), or NULL. */
const struct embedded_file *data_file(const char *path);

#endif
