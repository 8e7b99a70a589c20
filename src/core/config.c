/* config.c - parsing and validating settings. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config.h"

static const char *const keys[] = {"db", "pg", "listen", "threads", "hash_threads", "max_body",
                                   "secure_cookies", "user", "fake_now", "key_file", "due_soon_days", "leg_days",
                                   "leg_days_district", "no_show_limit", "no_show_days",
                                   "booking_days", "rectify_days", "complaint_days", "trusted_proxy",
                                   NULL};

void config_defaults(struct config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->db, sizeof c->db, "var/bangban.db");
    snprintf(c->host, sizeof c->host, "127.0.0.1");
    c->port = 8080;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    c->hash_threads = cores > 0 ? (int)cores : 1;
    c->threads = c->hash_threads * 2;
    c->max_body = 1024 * 1024;
    c->due_soon_days = 2;
    c->leg_days = 1;
    c->leg_days_district = 1;
    c->no_show_limit = 3;
    c->no_show_days = 90;
    c->booking_days = 30;
    c->rectify_days = 15;
    c->complaint_days = 5;
}

/* A comma-separated list of IPv4/IPv6 address literals (no spaces), at most 8. */
static bool proxies_valid(const char *v)
{
    char buf[256];
    if (!*v || strlen(v) >= sizeof buf)
        return false;
    snprintf(buf, sizeof buf, "%s", v);
    int n = 0;
    char *save = NULL;
    for (char *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        unsigned char a[16];
        if (++n > 8 || (inet_pton(AF_INET, p, a) != 1 && inet_pton(AF_INET6, p, a) != 1))
            return false;
    }
    return n > 0;
}

static bool number(const char *v, long long min, long long max, long long *out)
{
    if (!*v)
        return false;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || *end || n < min || n > max)
        return false;
    *out = n;
    return true;
}

static bool listen_addr(struct config *c, const char *v)
{
    const char *colon = strrchr(v, ':');
    long long port;
    if (!colon || colon == v || (size_t)(colon - v) >= sizeof c->host ||
        !number(colon + 1, 1, 65535, &port))
        return false;
    memcpy(c->host, v, (size_t)(colon - v));
    c->host[colon - v] = '\0';
    c->port = (int)port;
    return true;
}

bool config_set(struct config *c, const char *key, const char *v, char *err, size_t errlen)
{
    long long n;
    bool ok = true;
    if (strcmp(key, "db") == 0)
        ok = *v && strlen(v) < sizeof c->db && snprintf(c->db, sizeof c->db, "%s", v) > 0;
    else if (strcmp(key, "pg") == 0)
        ok = (strncmp(v, "postgresql://", 13) == 0 || strncmp(v, "postgres://", 11) == 0) &&
             strlen(v) < sizeof c->pg && snprintf(c->pg, sizeof c->pg, "%s", v) > 0;
    else if (strcmp(key, "listen") == 0)
        ok = listen_addr(c, v);
    else if (strcmp(key, "threads") == 0)
        ok = number(v, 1, 256, &n) && (c->threads = (int)n) > 0;
    else if (strcmp(key, "hash_threads") == 0)
        ok = number(v, 1, 64, &n) && (c->hash_threads = (int)n) > 0;
    else if (strcmp(key, "max_body") == 0)
        ok = number(v, 1024, 64LL * 1024 * 1024, &n) && (c->max_body = (size_t)n) > 0;
    else if (strcmp(key, "secure_cookies") == 0) {
        ok = strcmp(v, "true") == 0 || strcmp(v, "false") == 0;
        if (ok)
            c->secure_cookies = strcmp(v, "true") == 0;
    } else if (strcmp(key, "due_soon_days") == 0)
        ok = number(v, 0, 30, &n) && ((c->due_soon_days = (int)n) >= 0);
    else if (strcmp(key, "leg_days") == 0)
        ok = number(v, 1, 30, &n) && (c->leg_days = (int)n) > 0;
    else if (strcmp(key, "leg_days_district") == 0)
        ok = number(v, 1, 30, &n) && (c->leg_days_district = (int)n) > 0;
    else if (strcmp(key, "no_show_limit") == 0)
        ok = number(v, 1, 100, &n) && (c->no_show_limit = (int)n) > 0;
    else if (strcmp(key, "no_show_days") == 0)
        ok = number(v, 1, 3650, &n) && (c->no_show_days = (int)n) > 0;
    else if (strcmp(key, "booking_days") == 0)
        ok = number(v, 1, 366, &n) && (c->booking_days = (int)n) > 0;
    else if (strcmp(key, "rectify_days") == 0)
        ok = number(v, 1, 60, &n) && (c->rectify_days = (int)n) > 0;
    else if (strcmp(key, "complaint_days") == 0)
        ok = number(v, 1, 60, &n) && (c->complaint_days = (int)n) > 0;
    else if (strcmp(key, "key_file") == 0)
        ok = *v && strlen(v) < sizeof c->key_file &&
             snprintf(c->key_file, sizeof c->key_file, "%s", v) > 0;
    else if (strcmp(key, "trusted_proxy") == 0)
        ok = strlen(v) < sizeof c->trusted_proxy && proxies_valid(v) &&
             snprintf(c->trusted_proxy, sizeof c->trusted_proxy, "%s", v) >= 0;
    else if (strcmp(key, "user") == 0)
        ok = *v && strlen(v) < sizeof c->user && snprintf(c->user, sizeof c->user, "%s", v) > 0;
    else if (strcmp(key, "fake_now") == 0)
        ok = number(v, 946684800LL, 4102444800LL, &n) && (c->fake_now = n) > 0;
    else {
        snprintf(err, errlen, "unknown setting '%s'", key);
        return false;
    }
    if (!ok)
        snprintf(err, errlen, "bad value for %s: '%s'", key, v);
    return ok;
}

bool config_env(struct config *c, char *err, size_t errlen)
{
    for (const char *const *k = keys; *k; k++) {
        char name[64] = "BANGBAN_";
        size_t n = strlen(name);
        for (const char *p = *k; *p && n < sizeof name - 1; p++)
            name[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
        name[n] = '\0';
        const char *v = getenv(name);
        if (v && !config_set(c, *k, v, err, errlen))
            return false;
    }
    return true;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

bool config_file(struct config *c, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return false;
    }
    char line[1024];
    int lineno = 0;
    bool ok = true;
    while (ok && fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errlen, "%s:%d: expected key = value", path, lineno);
            ok = false;
            break;
        }
        *eq = '\0';
        char msg[256];
        if (!config_set(c, trim(s), trim(eq + 1), msg, sizeof msg)) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno, msg);
            ok = false;
        }
    }
    fclose(f);
    return ok;
}
