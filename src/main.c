/* main.c - the `bangban` command line: serve, init, seed-demo, version.
 * Usage errors print one line and exit 2; runtime failures exit 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "api/api.h"
#include "audit/audit.h"
#include "calendar/calendar.h"
#include "cases/cases.h"
#include "front/booking.h"
#include "front/front.h"
#include "cases/pii.h"
#include "catalog/catalog_io.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/log.h"
#include "http/server.h"
#include "demo/demo.h"
#include "store/store.h"
#include "store/copy.h"

/* What a command got: settings, plus its own arguments (files to import or export to). */
struct cli {
    struct config c;
    const char *pos[2]; /* positional arguments */
    int npos;
    const char *items, *materials; /* --items / --materials of export-catalog */
};

struct command {
    const char *name, *usage;
    const char *const *flags; /* accepted flags */
    int npos;                 /* positional arguments it needs */
    int (*run)(struct cli *cli);
};

static const char *const serve_flags[] = {"--db", "--pg", "--listen", "--threads", "--hash-threads",
                                          "--max-body", "--secure-cookies", "--user",
                                          "--config", "--fake-now", "--key-file",
                                          "--due-soon-days", "--leg-days",
                                          "--leg-days-district", "--no-show-limit",
                                          "--no-show-days", "--booking-days", "--rectify-days",
                                          "--complaint-days", "--trusted-proxy", NULL};
static const char *const db_flags[] = {"--db", "--pg", "--config", "--key-file", NULL};
static const char *const no_flags[] = {NULL};
static const char *const migrate_flags[] = {"--db", "--pg", "--config", "--key-file", NULL};
static const char *const export_flags[] = {"--db", "--pg", "--config", "--items", "--materials", NULL};

static enum bb_err install_calendar(struct store_tx *tx, void *arg)
{
    (void)arg;
    return calendar_install_builtin(tx);
}

/* The database as messages show it: a PostgreSQL URL without its password. */
static const char *shown_db(const struct config *c)
{
    static char out[sizeof c->db];
    snprintf(out, sizeof out, "%s", c->db);
    char *scheme = strstr(out, "://"), *at = scheme ? strchr(scheme + 3, '@') : NULL;
    char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
    if (c->pg[0] && at && colon && colon < at)
        memmove(colon, at, strlen(at) + 1);
    return out;
}

/* The PII key beside the database unless --key-file says otherwise; init and seed-demo create
 * it when missing (never overwriting one), everything else needs it to exist. */
static int key_file(struct config *c, bool create)
{
    if (!c->key_file[0])
        snprintf(c->key_file, sizeof c->key_file, "%.500s.key", c->db);
    bool created = false;
    if (create && pii_key_create(c->key_file, &created)) {
        fprintf(stderr, "bangban: cannot create the key file %s\n", c->key_file);
        return 1;
    }
    if (created)
        printf("created key file %s (keep it safe: personal data is sealed under it)\n",
               c->key_file);
    if (pii_key_load(c->key_file)) {
        fprintf(stderr, "bangban: cannot read the key file %s; run `bangban init --db %s` "
                        "first\n", c->key_file, shown_db(c));
        return 1;
    }
    return 0;
}

static int open_store(struct config *c, int conns, struct store **st)
{
    enum bb_err rc = store_open(c->db, conns, st);
    if (!rc) { /* the shipped holiday years, once */
        rc = store_write(*st, install_calendar, NULL);
        if (rc) {
            store_close(*st);
            *st = NULL;
        }
    }
    if (rc == BB_SCHEMA_NEWER) {
        fprintf(stderr, "bangban: %s was written by a newer Bangban (schema > %d); upgrade first\n",
                shown_db(c), store_schema_known());
        return 1;
    }
    if (rc) {
        fprintf(stderr, "bangban: cannot open database %s: %s\n", shown_db(c),
                bb_err_message_en(rc));
        return 1;
    }
    return 0;
}

/* Reads a whole file; 1 with a message when it cannot. */
static int read_file(const char *path, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct buf b;
    buf_init(&b, 256u * 1024 * 1024);
    char chunk[65536];
    enum bb_err rc = f ? BB_OK : BB_IO;
    while (!rc && f) {
        size_t n = fread(chunk, 1, sizeof chunk, f);
        if (n == 0)
            break;
        rc = buf_add(&b, chunk, n);
    }
    if (!rc && f && ferror(f))
        rc = BB_IO;
    if (f)
        fclose(f);
    if (rc) {
        fprintf(stderr, "bangban: cannot read %s\n", path);
        buf_free(&b);
        return 1;
    }
    *data = b.data ? b.data : strdup("");
    *len = b.len;
    return *data ? 0 : 1;
}

static enum bb_err sweep_fn(struct store_tx *tx, void *arg)
{
    return case_sweep(tx, arg);
}

static enum bb_err booking_sweep_fn(struct store_tx *tx, void *arg)
{
    return booking_sweep(tx, arg);
}

/* The server's background tick: deemed acceptance for cases past their notice day. */
static void sweep(struct store *st)
{
    int changed = 1;
    for (int i = 0; i < 100 && changed; i++)
        if (store_write(st, sweep_fn, &changed) != BB_OK)
            break;
    changed = 1; /* appointments of past days still booked: missed (no_show) */
    for (int i = 0; i < 100 && changed; i++)
        if (store_write(st, booking_sweep_fn, &changed) != BB_OK)
            break;
}

static int cmd_serve(struct cli *cli)
{
    struct config *c = &cli->c;
    if (c->fake_now) {
        clock_set_offset(c->fake_now - (long long)time(NULL));
        log_msg("warn", NULL, "FAKE CLOCK: the clock is set to Unix time %lld (tests only)",
                c->fake_now);
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores > 0 && c->hash_threads > cores) {
        log_msg("warn", NULL, "hash_threads %d is wider than the %ld cores; using %ld",
                c->hash_threads, cores, cores);
        c->hash_threads = (int)cores; /* wider only makes hashes slower and starves the rest */
    }
    struct store *st;
    int status = key_file(c, false);
    if (!status)
        status = open_store(c, c->threads + c->hash_threads + 3, &st);
    if (status)
        return status;
    struct case_policy cp = {c->due_soon_days, c->leg_days, c->leg_days_district, 5};
    case_set_policy(&cp);
    struct front_policy fp = {c->no_show_limit, c->no_show_days, c->booking_days,
                              c->rectify_days, c->complaint_days};
    front_set_policy(&fp);
    struct api_options ao = {.secure_cookies = c->secure_cookies};
    api_configure(&ao);
    char wal[600], shm[600];
    snprintf(wal, sizeof wal, "%s-wal", c->db);
    snprintf(shm, sizeof shm, "%s-shm", c->db);
    const char *files[] = {c->pg[0] ? NULL : c->db, wal, shm, NULL}; /* none on PostgreSQL */
    struct server_opts o = {.host = c->host, .port = c->port, .threads = c->threads,
                            .hash_threads = c->hash_threads, .max_body = c->max_body,
                            .secure_cookies = c->secure_cookies,
                            .drop_user = c->user[0] ? c->user : NULL, .own_files = files,
                            .trusted_proxy = c->trusted_proxy[0] ? c->trusted_proxy : NULL,
                            .tick = sweep, .tick_seconds = 60};
    enum bb_err rc = server_run(st, &o);
    store_close(st);
    if (rc) {
        fprintf(stderr, "bangban: %s\n", bb_err_message_en(rc));
        return rc == BB_USAGE ? 2 : 1;
    }
    return 0;
}

static int cmd_init(struct cli *cli)
{
    struct config *c = &cli->c;
    struct store *st;
    int status = key_file(c, true);
    if (!status)
        status = open_store(c, 1, &st);
    if (status)
        return status;
    printf("database %s is at schema version %d\n", shown_db(c), store_schema_version(st));
    store_close(st);
    return 0;
}

static int cmd_seed_demo(struct cli *cli)
{
    struct config *c = &cli->c;
    struct store *st;
    int status = key_file(c, true);
    if (!status)
        status = open_store(c, 1, &st);
    if (status)
        return status;
    bool seeded = false;
    enum bb_err rc = demo_seed(st, &seeded);
    store_close(st);
    if (rc) {
        fprintf(stderr, "bangban: seeding failed: %s\n", bb_err_message_en(rc));
        return 1;
    }
    printf(seeded ? "demo data written to %s (every password: " DEMO_PASSWORD ")\n"
                  : "%s already has data; nothing written\n", shown_db(c));
    return 0;
}

static int cmd_version(struct cli *cli)
{
    (void)cli;
    printf("bangban %s (schema %d)\n", BB_VERSION, store_schema_known());
    return 0;
}

static void show_progress(long done, long total)
{
    fprintf(stderr, "imported %ld of %ld items...\n", done, total);
}

static int cmd_import(struct cli *cli)
{
    struct config *c = &cli->c;
    char *items = NULL, *mats = NULL;
    size_t ilen = 0, mlen = 0;
    int status = read_file(cli->pos[0], &items, &ilen) || read_file(cli->pos[1], &mats, &mlen);
    struct store *st = NULL;
    if (!status)
        status = open_store(c, 1, &st);
    if (status) {
        free(items);
        free(mats);
        return status;
    }
    struct import_input in = {items, mats, ilen, mlen, cli->pos[0], cli->pos[1], show_progress};
    struct import_report rep;
    enum bb_err rc = catalog_import(st, NULL, &in, &rep);
    store_close(st);
    if (rc == BB_IMPORT_INVALID) {
        size_t i;
        json_t *p;
        json_array_foreach(rep.problems, i, p)
            fprintf(stderr, "%s:%lld:%s: %s\n", json_string_value(json_object_get(p, "file")),
                    (long long)json_integer_value(json_object_get(p, "line")),
                    json_string_value(json_object_get(p, "column")),
                    json_string_value(json_object_get(p, "message_en")));
        fprintf(stderr, "bangban: %zu problem(s); nothing imported\n",
                json_array_size(rep.problems));
    } else if (rc) {
        fprintf(stderr, "bangban: import failed: %s\n", bb_err_message_en(rc));
    } else {
        printf("imported: %d created, %d updated, %d unchanged\n", rep.created, rep.updated,
               rep.unchanged);
    }
    json_decref(rep.problems);
    free(items);
    free(mats);
    return rc ? 1 : 0;
}

struct export_arg {
    bool materials;
    struct buf out;
};

static enum bb_err export_fn(struct store_tx *tx, void *arg)
{
    struct export_arg *e = arg;
    return catalog_export(tx, NULL, e->materials, &e->out);
}

static int cmd_export(struct cli *cli)
{
    if (!cli->items && !cli->materials) {
        fprintf(stderr, "bangban export-catalog: give --items FILE and/or --materials FILE\n");
        return 2;
    }
    struct store *st;
    int status = open_store(&cli->c, 1, &st);
    for (int m = 0; !status && m < 2; m++) {
        const char *path = m ? cli->materials : cli->items;
        if (!path)
            continue;
        struct export_arg e = {.materials = m == 1};
        buf_init(&e.out, 1024u * 1024 * 1024);
        enum bb_err rc = store_read(st, export_fn, &e);
        FILE *f = rc ? NULL : fopen(path, "w");
        if (rc || !f || fwrite(e.out.data, 1, e.out.len, f) != e.out.len || fclose(f) != 0) {
            fprintf(stderr, "bangban: cannot export to %s\n", path);
            status = 1;
        }
        buf_free(&e.out);
    }
    if (st)
        store_close(st);
    return status;
}

struct verify_arg {
    int64_t count, bad;
};

static enum bb_err verify_fn(struct store_tx *tx, void *arg)
{
    struct verify_arg *v = arg;
    return audit_verify(tx, &v->count, &v->bad);
}

static int cmd_audit_verify(struct cli *cli)
{
    struct store *st;
    int status = open_store(&cli->c, 1, &st);
    if (status)
        return status;
    struct verify_arg v = {0, 0};
    enum bb_err rc = store_read(st, verify_fn, &v);
    store_close(st);
    if (rc) {
        fprintf(stderr, "bangban: cannot read the audit log: %s\n", bb_err_message_en(rc));
        return 1;
    }
    if (v.bad) {
        fprintf(stderr, "bangban: audit chain broken at entry %lld (of %lld checked)\n",
                (long long)v.bad, (long long)v.count);
        return 1;
    }
    printf("audit chain intact: %lld entries\n", (long long)v.count);
    return 0;
}

/* ---- migrate-to-pg: a SQLite installation into an empty PostgreSQL database (copy.c) ---- */

/* A URL as messages show it: without its password. */
static void shown_url(const char *url, char *out, size_t n)
{
    snprintf(out, n, "%s", url);
    char *scheme = strstr(out, "://"), *at = scheme ? strchr(scheme + 3, '@') : NULL;
    char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
    if (at && colon && colon < at)
        memmove(colon, at, strlen(at) + 1);
}

/* Opens one side (migrating it, as every command does), with a one-line reason when not. */
static int migrate_open(const char *target, const char *shown, struct store **st)
{
    enum bb_err rc = store_open(target, 1, st);
    if (rc == BB_SCHEMA_NEWER)
        fprintf(stderr, "bangban: %s was written by a newer Bangban (schema > %d); upgrade first\n",
                shown, store_schema_known());
    else if (rc)
        fprintf(stderr, "bangban: cannot open database %s: %s\n", shown, bb_err_message_en(rc));
    return rc ? 1 : 0;
}

struct migrate_audit {
    int64_t want; /* entries in the source */
    int64_t count, bad;
};

/* Inside the target's write transaction, before the commit: the copied chain must verify. */
static enum bb_err migrate_audit_check(struct store_tx *tx, void *arg)
{
    struct migrate_audit *m = arg;
    enum bb_err rc = audit_verify(tx, &m->count, &m->bad);
    if (!rc && (m->bad || m->count != m->want))
        rc = BB_INVALID;
    return rc;
}

static int cmd_migrate_pg(struct cli *cli)
{
    struct config *c = &cli->c;
    if (!c->pg[0]) {
        fprintf(stderr, "bangban migrate-to-pg: give --pg URL (the empty PostgreSQL database)\n");
        return 2;
    }
    if (strstr(c->db, "://")) {
        fprintf(stderr, "bangban migrate-to-pg: --db must be the SQLite database file\n");
        return 2;
    }
    char url[sizeof c->pg];
    shown_url(c->pg, url, sizeof url);
    if (access(c->db, R_OK | W_OK) != 0) { /* store_open would create an empty one */
        fprintf(stderr, "bangban: no SQLite database at %s\n", c->db);
        return 1;
    }
    if (!c->key_file[0]) /* the key stays with the installation: beside the SQLite file */
        snprintf(c->key_file, sizeof c->key_file, "%.500s.key", c->db);
    if (pii_key_load(c->key_file)) {
        fprintf(stderr, "bangban: cannot read the key file %s (the PostgreSQL deployment needs "
                        "the same key)\n", c->key_file);
        return 1;
    }
    struct store *src = NULL, *dst = NULL;
    if (migrate_open(c->db, c->db, &src))
        return 1;
    struct migrate_audit ma = {0, 0, 0};
    struct verify_arg sv = {0, 0};
    enum bb_err rc = store_read(src, verify_fn, &sv);
    if (rc || sv.bad) {
        if (rc)
            fprintf(stderr, "bangban: cannot read the audit log of %s: %s\n", c->db,
                    bb_err_message_en(rc));
        else
            fprintf(stderr, "bangban: the audit chain of %s is broken at entry %lld; nothing "
                            "copied\n", c->db, (long long)sv.bad);
        store_close(src);
        return 1;
    }
    ma.want = sv.count;
    if (migrate_open(c->pg, url, &dst)) {
        store_close(src);
        return 1;
    }
    struct copy_result *r = calloc(1, sizeof *r);
    rc = r ? copy_store(src, dst, migrate_audit_check, &ma, r) : BB_NOMEM;
    if (rc) {
        if (r && ma.bad)
            fprintf(stderr, "bangban: the copied audit chain is broken at entry %lld; nothing "
                            "copied\n", (long long)ma.bad);
        else
            fprintf(stderr, "bangban: %s; nothing copied\n",
                    r && r->err[0] ? r->err : bb_err_message_en(rc));
        free(r);
        store_close(dst);
        store_close(src);
        return 1;
    }
    rc = copy_verify(src, dst, r); /* read back in a fresh transaction, after the commit */
    for (int i = 0; i < r->ntables; i++)
        printf("%s %lld %s %s\n", r->t[i].name, (long long)r->t[i].dst_rows, r->t[i].dst_sum,
               r->t[i].ok ? "ok" : "MISMATCH");
    struct verify_arg dv = {0, 0};
    enum bb_err arc = rc ? rc : store_read(dst, verify_fn, &dv);
    int status = 0;
    if (rc || arc || dv.bad || dv.count != ma.want) {
        fprintf(stderr, "bangban: verifying %s failed: %s\n", url,
                r->err[0] ? r->err : dv.bad ? "audit chain broken" : bb_err_message_en(arc));
        status = 1;
    } else {
        printf("migrated %d tables, %lld rows\n", r->ntables, (long long)r->rows);
        printf("audit chain intact: %lld entries\n", (long long)dv.count);
        printf("serve it with: bangban serve --pg '%s' --key-file %s\n", url, c->key_file);
    }
    free(r);
    store_close(dst);
    store_close(src);
    return status;
}

static const struct command commands[] = {
    {"serve",
     "bangban serve [--db PATH | --pg URL] [--listen HOST:PORT] [--threads N] [--hash-threads N]\n"
     "              [--max-body BYTES] [--secure-cookies] [--user NAME] [--config FILE]\n"
     "  --pg postgresql://USER@HOST:PORT/DB uses that PostgreSQL database (many nodes may share\n"
     "  it); the PII key file then defaults to var/bangban.key.\n"
     "  Serves the API and pages. Settings also come from --config FILE (key = value) and\n"
     "  BANGBAN_DB, BANGBAN_LISTEN, BANGBAN_THREADS, ... (flags win over env over file).",
     serve_flags, 0, cmd_serve},
    {"init", "bangban init --db PATH | --pg URL\n  Creates the database or brings its schema up to date.",
     db_flags, 0, cmd_init},
    {"seed-demo", "bangban seed-demo --db PATH | --pg URL\n  Writes the demo city into an empty database.",
     db_flags, 0, cmd_seed_demo},
    {"import-catalog",
     "bangban import-catalog --db PATH|--pg URL ITEMS.csv MATERIALS.csv\n"
     "  Imports the catalogue (docs/catalog-format.md): all or nothing; every problem is printed\n"
     "  as file:line:column: message.",
     db_flags, 2, cmd_import},
    {"export-catalog",
     "bangban export-catalog --db PATH|--pg URL [--items ITEMS.csv] [--materials MATERIALS.csv]\n"
     "  Writes the published catalogue in the import format.",
     export_flags, 0, cmd_export},
    {"audit-verify", "bangban audit-verify --db PATH|--pg URL\n  Checks the audit log's hash chain; exit 1 "
     "when broken.", db_flags, 0, cmd_audit_verify},
    {"migrate-to-pg",
     "bangban migrate-to-pg --db PATH --pg URL [--key-file FILE]\n"
     "  Copies a SQLite installation into an empty PostgreSQL database in one transaction,\n"
     "  then checks every table's row count and checksum and the audit chain; exit 1 on any\n"
     "  difference. Stop the server first; serve the copy with the same key file.",
     migrate_flags, 0, cmd_migrate_pg},
    {"version", "bangban version\n  Prints the version and schema version.", no_flags, 0,
     cmd_version},
};

static void usage_all(FILE *f)
{
    fprintf(f, "usage: bangban <command> [options]   (bangban <command> --help)\ncommands:");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, " %s", commands[i].name);
    fprintf(f, "\n");
}

static bool allowed(const struct command *cmd, const char *flag)
{
    for (const char *const *f = cmd->flags; *f; f++)
        if (strcmp(*f, flag) == 0)
            return true;
    return false;
}

/* --hash-threads -> hash_threads */
static void flag_key(const char *flag, char *key, size_t n)
{
    snprintf(key, n, "%s", flag + 2);
    for (char *p = key; *p; p++)
        if (*p == '-')
            *p = '_';
}

static int run(const struct command *cmd, int argc, char **argv)
{
    struct cli cli = {0};
    struct config *cfg = &cli.c;
    config_defaults(cfg);
    char err[600];
    const char *config_path = NULL;
    for (int i = 0; i < argc; i++) { /* pass 1: validate flags, find --config */
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: %s\n", cmd->usage);
            return 0;
        }
        char flag[64];
        const char *eq = strchr(argv[i], '=');
        size_t fl = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
        snprintf(flag, sizeof flag, "%.*s", (int)fl, argv[i]);
        if (argv[i][0] != '-' && cli.npos < cmd->npos) {
            cli.pos[cli.npos++] = argv[i];
            continue;
        }
        if (strncmp(flag, "--", 2) != 0 || !allowed(cmd, flag)) {
            fprintf(stderr, "bangban %s: unknown option '%s' (see --help)\n", cmd->name, argv[i]);
            return 2;
        }
        bool boolean = strcmp(flag, "--secure-cookies") == 0;
        if (!eq && !boolean && ++i >= argc) {
            fprintf(stderr, "bangban %s: %s needs a value\n", cmd->name, flag);
            return 2;
        }
        if (strcmp(flag, "--config") == 0)
            config_path = eq ? eq + 1 : argv[i];
    }
    if (cli.npos < cmd->npos) {
        fprintf(stderr, "bangban %s: needs %d file argument(s) (see --help)\n", cmd->name,
                cmd->npos);
        return 2;
    }
    if (config_path && !config_file(cfg, config_path, err, sizeof err)) {
        fprintf(stderr, "bangban %s: %s\n", cmd->name, err);
        return 2;
    }
    if (!config_env(cfg, err, sizeof err)) {
        fprintf(stderr, "bangban %s: environment: %s\n", cmd->name, err);
        return 2;
    }
    for (int i = 0; i < argc; i++) { /* pass 2: flags override file and environment */
        if (argv[i][0] != '-')
            continue; /* positional */
        const char *eq = strchr(argv[i], '=');
        char flag[64], key[64];
        size_t fl = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
        snprintf(flag, sizeof flag, "%.*s", (int)fl, argv[i]);
        bool boolean = strcmp(flag, "--secure-cookies") == 0;
        const char *value = eq ? eq + 1 : boolean ? "true" : argv[++i];
        if (strcmp(flag, "--config") == 0)
            continue;
        if (strcmp(flag, "--items") == 0 || strcmp(flag, "--materials") == 0) {
            *(flag[2] == 'i' ? &cli.items : &cli.materials) = value;
            continue;
        }
        flag_key(flag, key, sizeof key);
        if (!config_set(cfg, key, value, err, sizeof err)) {
            fprintf(stderr, "bangban %s: %s\n", cmd->name, err);
            return 2;
        }
    }
    /* --pg (or pg =, BANGBAN_PG): the database is that URL; migrate-to-pg keeps both */
    if (cfg->pg[0] && cmd->run != cmd_migrate_pg) {
        snprintf(cfg->db, sizeof cfg->db, "%s", cfg->pg);
        if (!cfg->key_file[0])
            snprintf(cfg->key_file, sizeof cfg->key_file, "var/bangban.key");
    }
    return cmd->run(&cli);
}

int main(int argc, char **argv)
{
    if (crypto_init()) {
        fprintf(stderr, "bangban: libsodium failed to initialise\n");
        return 1;
    }
    if (argc < 2) {
        usage_all(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage_all(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(NULL);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return run(&commands[i], argc - 2, argv + 2);
    fprintf(stderr, "bangban: unknown command '%s'\n", argv[1]);
    usage_all(stderr);
    return 2;
}
