/* embedded.c - lookup in the embedded data files. */
#include <string.h>
#include "embedded.h"

const struct embedded_file *data_file(const char *path)
{
    for (size_t i = 0; i < data_files_count; i++)
        if (strcmp(data_files[i].path, path) == 0)
            return &data_files[i];
    return NULL;
}
