/* assets.c - URL to embedded file lookup. */
#include <stdio.h>
#include <string.h>
#include "assets.h"

static const struct asset *exact(const char *path)
{
    for (size_t i = 0; i < assets_count; i++)
        if (strcmp(assets[i].path, path) == 0)
            return &assets[i];
    return NULL;
}

const struct asset *asset_find(const char *url)
{
    if (strcmp(url, "/") == 0)
        return exact("/index.html");
    if (strstr(url, "..") || strlen(url) > 200)
        return NULL;
    const char *last = strrchr(url, '/');
    if (last && !strchr(last, '.')) {
        char page[256];
        snprintf(page, sizeof page, "%s.html", url);
        return exact(page);
    }
    return exact(url);
}
