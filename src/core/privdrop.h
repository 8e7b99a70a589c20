/* privdrop.h - least privilege: a root start hands its files to NAME and becomes NAME. */
#ifndef BB_PRIVDROP_H
#define BB_PRIVDROP_H
#include "err.h"

/* When running as root: chowns each existing path in the NULL-terminated files list to user,
 * then switches group, supplementary groups and user for good. A no-op for other users.
 * BB_USAGE when user is unknown, BB_INTERNAL when the switch fails. */
enum bb_err privdrop(const char *user, const char *const *files);

#endif
