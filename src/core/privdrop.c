/* privdrop.c - setgid/initgroups/setuid in the order that cannot be undone. */
#include <grp.h>
#include <pwd.h>
#include <unistd.h>
#include "log.h"
#include "privdrop.h"

enum bb_err privdrop(const char *user, const char *const *files)
{
    if (!user || !*user || geteuid() != 0)
        return BB_OK;
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        log_msg("error", NULL, "unknown user %s", user);
        return BB_USAGE;
    }
    for (const char *const *f = files; *f; f++)
        if (access(*f, F_OK) == 0 && chown(*f, pw->pw_uid, pw->pw_gid) != 0) {
            log_msg("error", NULL, "cannot hand %s to %s", *f, user);
            return BB_INTERNAL;
        }
    if (setgid(pw->pw_gid) != 0 || initgroups(user, pw->pw_gid) != 0 ||
        setuid(pw->pw_uid) != 0 || setuid(0) == 0) {
        log_msg("error", NULL, "cannot switch to user %s", user);
        return BB_INTERNAL;
    }
    log_msg("info", NULL, "running as %s", user);
    return BB_OK;
}
