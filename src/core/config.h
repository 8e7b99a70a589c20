/* config.h - settings of `bangban serve` and friends, from (lowest to highest precedence)
 * built-in defaults, a config file (--config, `key = value` lines), BANGBAN_* environment
 * variables and command-line flags. One validator serves all three sources. */
#ifndef BB_CONFIG_H
#define BB_CONFIG_H
#include <stdbool.h>
#include <stddef.h>

struct config {
    char db[512];
    char pg[512];             /* a PostgreSQL URL: when set, the database instead of db */
    char host[64];
    int port;
    int threads;
    int hash_threads;
    size_t max_body;
    bool secure_cookies;
    int due_soon_days;        /* working days left that count as due soon */
    int leg_days;             /* working days a handoff to a township/village may wait */
    int leg_days_district;    /* the same for a handoff to a district centre */
    int no_show_limit;        /* missed appointments in no_show_days that suspend booking */
    int no_show_days;
    int booking_days;         /* calendar days ahead residents may book */
    int rectify_days;         /* working days to rectify a bad rating */
    int complaint_days;       /* working days to answer a complaint */
    char key_file[512];       /* the PII key; default: the database path + ".key" */
    char user[64];            /* drop root to this user after opening files and the port */
    char trusted_proxy[256];  /* comma-separated addresses of reverse proxies whose
                               * X-Forwarded-For names the client (nginx in front of nodes) */
    long long fake_now;       /* tests only: pretend the clock reads this Unix time (0 = off) */
};

void config_defaults(struct config *c);
/* Sets key (e.g. "db", "listen", "threads") from its text value. Returns false with a one-line
 * reason in err when the key is unknown or the value bad. */
bool config_set(struct config *c, const char *key, const char *value, char *err, size_t errlen);
/* Applies BANGBAN_DB, BANGBAN_LISTEN, ... when set. */
bool config_env(struct config *c, char *err, size_t errlen);
/* Reads `key = value` lines ('#' comments) from path. */
bool config_file(struct config *c, const char *path, char *err, size_t errlen);

#endif
