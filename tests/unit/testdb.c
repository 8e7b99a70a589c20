/* testdb.c - temp databases for the unit tests (see testdb.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "calendar/calendar.h"
#include "core/crypto.h"
#include "core/log.h"
#include "demo/demo.h"
#include "sites/sites.h"
#include "testdb.h"

static int make_dir(struct testdb *t)
{
    memset(t, 0, sizeof *t);
    crypto_init();
    log_set_quiet(1);
    snprintf(t->dir, sizeof t->dir, "/tmp/bb-unit-XXXXXX");
    if (!mkdtemp(t->dir)) {
        t->dir[0] = '\0';
        return -1;
    }
    snprintf(t->path, sizeof t->path, "%s/t.db", t->dir);
    return 0;
}

int testdb_open(struct testdb *t, bool seed)
{
    if (make_dir(t))
        return -1;
    if (store_open(t->path, 4, &t->st) != BB_OK)
        goto fail;
    if (seed) {
        bool seeded = false;
        if (demo_seed(t->st, &seeded) != BB_OK || !seeded)
            goto fail;
    }
    return 0;
fail:
    testdb_close(t);
    return -1;
}

/* Copies the file from to the file to; 0 on success, 1 when from does not exist, -1 on error. */
static int copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return errno == ENOENT ? 1 : -1;
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) {
        close(in);
        return -1;
    }
    int rc = 0;
    char block[65536];
    for (;;) {
        ssize_t n = read(in, block, sizeof block);
        if (n == 0)
            break;
        if (n < 0 || write(out, block, (size_t)n) != n) {
            rc = -1;
            break;
        }
    }
    close(in);
    if (close(out) != 0)
        rc = -1;
    return rc;
}

int testdb_open_copy(struct testdb *t, const char *from)
{
    if (make_dir(t))
        return -1;
    char wal_from[128], wal_to[128];
    snprintf(wal_from, sizeof wal_from, "%s-wal", from);
    snprintf(wal_to, sizeof wal_to, "%s-wal", t->path);
    if (copy_file(from, t->path) != 0 || copy_file(wal_from, wal_to) < 0)
        goto fail;
    if (store_open(t->path, 4, &t->st) != BB_OK)
        goto fail;
    return 0;
fail:
    testdb_close(t);
    return -1;
}

int testdb_template(struct testdb *t)
{
    if (testdb_open(t, true))
        return -1;
    store_close(t->st);
    t->st = NULL;
    return 0;
}

static enum bb_err install_holidays(struct store_tx *tx, void *arg)
{
    (void)arg;
    return calendar_install_builtin(tx);
}

int testdb_template_holidays(struct testdb *t)
{
    if (testdb_open(t, true))
        return -1;
    enum bb_err rc = store_write(t->st, install_holidays, NULL);
    store_close(t->st);
    t->st = NULL;
    if (rc == BB_OK)
        return 0;
    testdb_close(t);
    return -1;
}

enum bb_err testdb_reopen(struct testdb *t)
{
    store_close(t->st);
    t->st = NULL;
    return store_open(t->path, 4, &t->st);
}

void testdb_close(struct testdb *t)
{
    store_close(t->st);
    t->st = NULL;
    if (!t->dir[0])
        return;
    DIR *d = opendir(t->dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char p[384];
            snprintf(p, sizeof p, "%s/%s", t->dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(t->dir);
    t->dir[0] = '\0';
}

struct int_query {
    const char *sql, *text;
    int64_t value;
};

static enum bb_err int_query_fn(struct store_tx *tx, void *arg)
{
    struct int_query *q = arg;
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, q->sql, &s);
    if (rc)
        return rc;
    bool row = false;
    if (q->text)
        rc = store_bind_text(s, 1, q->text);
    if (!rc)
        rc = store_step(s, &row);
    q->value = !rc && row ? store_col_int(s, 0) : 0;
    store_finalize(s);
    return rc;
}

int64_t testdb_int(struct testdb *t, const char *sql, const char *text)
{
    struct int_query q = {sql, text, 0};
    if (store_read(t->st, int_query_fn, &q) != BB_OK)
        return -1;
    return q.value;
}

struct text_query {
    const char *sql, *text;
    char *value;
};

static enum bb_err text_query_fn(struct store_tx *tx, void *arg)
{
    struct text_query *q = arg;
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, q->sql, &s);
    if (rc)
        return rc;
    bool row = false;
    if (q->text)
        rc = store_bind_text(s, 1, q->text);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc)
        q->value = strdup(!row ? "(no row)" : store_col_null(s, 0) ? "(null)"
                                                                   : store_col_text(s, 0));
    store_finalize(s);
    return rc;
}

char *testdb_text(struct testdb *t, const char *sql, const char *text)
{
    struct text_query q = {sql, text, NULL};
    if (store_read(t->st, text_query_fn, &q) != BB_OK) {
        free(q.value);
        return NULL;
    }
    return q.value;
}

static enum bb_err actor_fn(struct store_tx *tx, void *arg)
{
    struct actor *a = arg;
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT u.id, u.site_id, COALESCE(u.department_id, 0), "
                                       "u.role, s.level FROM users u JOIN sites s ON s.id = "
                                       "u.site_id WHERE u.login = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_text(s, 1, a->login);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    if (!rc) {
        a->user_id = store_col_int(s, 0);
        a->site_id = store_col_int(s, 1);
        a->department_id = store_col_int(s, 2);
        snprintf(a->site_level, sizeof a->site_level, "%s", store_col_text(s, 4));
        if (!role_parse(store_col_text(s, 3), &a->role))
            rc = BB_INTERNAL;
    }
    store_finalize(s);
    return rc ? rc : site_path(tx, a->site_id, a->site_path);
}

int testdb_actor(struct testdb *t, const char *login, struct actor *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->login, sizeof out->login, "%s", login);
    return store_read(t->st, actor_fn, out) == BB_OK ? 0 : -1;
}
