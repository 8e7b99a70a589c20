/*
 * API test harness: HTTP clients (one curl handle and cookie jar each),
 * requests and responses, templates, JSON helpers and checks. See harness.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>
#include <curl/curl.h>

#include "harness.h"
#include "harness_int.h"

enum { BODY_CAP = 64 << 20, CSRF_CAP = 512, URL_CAP = 4096 };

struct client {
	CURL *h;
	const struct srv *s;
	char csrf[CSRF_CAP];
	int auto_csrf;
};

static long long tvars[26];

void fail_at_(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	_fail(file, line);
	abort();
}

size_t discard_cb(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

struct client *client_new(struct srv *s)
{
	struct client *c = calloc(1, sizeof(*c));

	if (!c)
		fail_at("out of memory");
	c->s = s;
	c->h = curl_easy_init();
	if (!c->h)
		fail_at("curl_easy_init failed");
	curl_easy_setopt(c->h, CURLOPT_COOKIEFILE, "");	/* cookie engine, empty jar */
	curl_easy_setopt(c->h, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
	return c;
}

void client_use(struct client *c, struct srv *s)
{
	c->s = s;
}

void client_free(struct client *c)
{
	if (!c)
		return;
	curl_easy_cleanup(c->h);
	free(c);
}

void client_auto_csrf(struct client *c, int on)
{
	c->auto_csrf = on;
}

const char *client_csrf(const struct client *c)
{
	return c->csrf;
}

static size_t body_cb(char *p, size_t size, size_t n, void *ud)
{
	struct resp *r = ud;
	size_t add = size * n;
	char *np;

	if (add > BODY_CAP - r->body_len)
		return 0;
	np = realloc(r->body, r->body_len + add + 1);
	if (!np)
		return 0;
	r->body = np;
	memcpy(r->body + r->body_len, p, add);
	r->body_len += add;
	r->body[r->body_len] = '\0';
	return add;
}

static void free_headers(struct resp *r)
{
	for (size_t i = 0; i < r->nhdr; i++)
		free(r->hdr[i]);
	free(r->hdr);
	r->hdr = NULL;
	r->nhdr = 0;
}

static size_t header_cb(char *p, size_t size, size_t n, void *ud)
{
	struct resp *r = ud;
	size_t len = size * n, keep = len;
	char **nh;
	char *line;

	while (keep && (p[keep - 1] == '\r' || p[keep - 1] == '\n'))
		keep--;
	if (keep >= 5 && strncmp(p, "HTTP/", 5) == 0)
		free_headers(r);	/* a new response (after 100 Continue): forget the old */
	if (!keep)
		return len;
	if (r->nhdr >= 1000)
		return 0;
	line = strndup(p, keep);
	nh = realloc(r->hdr, (r->nhdr + 1) * sizeof(*nh));
	if (!line || !nh) {
		free(line);
		if (nh)
			r->hdr = nh;
		return 0;
	}
	r->hdr = nh;
	r->hdr[r->nhdr++] = line;
	return len;
}

static int is_mutation(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	       strcmp(method, "OPTIONS") != 0;
}

static struct curl_slist *add_header(struct curl_slist *l, const char *h)
{
	struct curl_slist *n = curl_slist_append(l, h);

	if (!n) {
		curl_slist_free_all(l);
		fail_at("out of memory");
	}
	return n;
}

long req(struct client *c, const char *method, const char *path, const char *body,
	 const char *const *headers, struct resp *r)
{
	char url[URL_CAP], tok[CSRF_CAP + 16];
	struct curl_slist *hl = NULL;
	CURL *h = c->h;
	CURLcode cc;
	int n;

	memset(r, 0, sizeof(*r));
	snprintf(r->what, sizeof(r->what), "%s %s%s%.120s%s", method, path, body ? " " : "",
		 body ? body : "", body && strlen(body) > 120 ? "..." : "");
	n = snprintf(url, sizeof(url), "%s%s", srv_base(c->s), path);
	if (n < 0 || (size_t)n >= sizeof(url))
		fail_at("URL too long: %s", path);
	if (body)
		hl = add_header(hl, "Content-Type: application/json");
	if (c->auto_csrf && c->csrf[0] && is_mutation(method)) {
		snprintf(tok, sizeof(tok), "X-CSRF-Token: %s", c->csrf);
		hl = add_header(hl, tok);
	}
	for (size_t i = 0; headers && headers[i]; i++)
		hl = add_header(hl, headers[i]);

	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)-1);
	curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	if (body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	}
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST,
			 strcmp(method, "GET") == 0 ? NULL : method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, body_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	cc = curl_easy_perform(h);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hl);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	if (!r->body) {
		r->body = calloc(1, 1);
		if (!r->body)
			fail_at("out of memory");
	}
	if (cc != CURLE_OK)
		fail_at("%s: no HTTP response: %s (status %ld)", r->what, curl_easy_strerror(cc),
			r->status);
	if (r->body_len)
		r->json = json_loadb(r->body, r->body_len, JSON_DECODE_ANY, NULL);
	if (!resp_header(r, "X-Request-Id") || !resp_header(r, "X-Request-Id")[0])
		fail_at("%s: response %ld has no X-Request-Id header", r->what, r->status);
	if (getenv("BB_API_TRACE"))
		fprintf(stderr, "trace: %s -> %ld %.300s\n", r->what, r->status, r->body);
	return r->status;
}

long reqt(struct client *c, const char *method, const char *path, const char *body,
	  struct resp *r)
{
	char *p = tpl(path);
	char *b = body ? tpl(body) : NULL;
	long st = req(c, method, p, b, NULL, r);

	free(p);
	free(b);
	return st;
}

void resp_free(struct resp *r)
{
	json_decref(r->json);
	free(r->body);
	free_headers(r);
	memset(r, 0, sizeof(*r));
}

const char *resp_header(const struct resp *r, const char *name)
{
	size_t nl = strlen(name);

	for (size_t i = 0; i < r->nhdr; i++) {
		const char *l = r->hdr[i];

		if (strncasecmp(l, name, nl) == 0 && l[nl] == ':') {
			l += nl + 1;
			while (*l == ' ' || *l == '\t')
				l++;
			return l;
		}
	}
	return NULL;
}

const char *resp_cookie(const struct resp *r, const char *name)
{
	size_t nl = strlen(name);

	for (size_t i = 0; i < r->nhdr; i++) {
		const char *l = r->hdr[i];

		if (strncasecmp(l, "Set-Cookie:", 11) != 0)
			continue;
		l += 11;
		while (*l == ' ')
			l++;
		if (strncmp(l, name, nl) == 0 && l[nl] == '=')
			return l;
	}
	return NULL;
}

void tvar_set(char name, long long value)
{
	if (name >= 'A' && name <= 'Z')
		tvars[name - 'A'] = value;
}

long long tvar(char name)
{
	return name >= 'A' && name <= 'Z' ? tvars[name - 'A'] : 0;
}

char *tpl(const char *t)
{
	size_t cap = strlen(t) * 2 + 64, len = 0;
	char *out = malloc(cap);

	if (!out)
		fail_at("out of memory");
	for (const char *p = t; *p; p++) {
		char num[24];
		const char *add = num;
		size_t an;

		if (*p == '\'') {
			num[0] = '"';
			num[1] = '\0';
		} else if (*p == '$' && p[1] >= 'A' && p[1] <= 'Z') {
			snprintf(num, sizeof(num), "%lld", tvar(p[1]));
			p++;
		} else {
			num[0] = *p;
			num[1] = '\0';
		}
		an = strlen(add);
		if (len + an + 1 > cap) {
			char *n = realloc(out, cap * 2 + an);

			if (!n) {
				free(out);
				fail_at("out of memory");
			}
			out = n;
			cap = cap * 2 + an;
		}
		memcpy(out + len, add, an);
		len += an;
	}
	out[len] = '\0';
	return out;
}

void resp_dump(const struct resp *r)
{
	fprintf(stderr, "  request:  %s\n  response: %ld %.2000s\n", r->what, r->status,
		r->body ? r->body : "");
}

static long login_r(struct client *c, const char *l, const char *p, struct resp *r)
{
	json_t *o = json_pack("{s:s,s:s}", "login", l, "password", p);
	char *body = o ? json_dumps(o, JSON_COMPACT) : NULL;
	const char *csrf;

	json_decref(o);
	if (!body)
		fail_at("out of memory");
	req(c, "POST", "/api/v1/session", body, NULL, r);
	free(body);
	csrf = jstr(r->json, "csrf");
	if (r->status == 200 && csrf && strlen(csrf) < sizeof(c->csrf)) {
		snprintf(c->csrf, sizeof(c->csrf), "%s", csrf);
		c->auto_csrf = 1;
	}
	return r->status;
}

long login(struct client *c, const char *login_name, const char *password)
{
	struct resp r;
	long st = login_r(c, login_name, password, &r);

	resp_free(&r);
	return st;
}

void login_ok_at(const char *file, int line, struct client *c, const char *l, const char *p)
{
	struct resp r;

	if (login_r(c, l, p, &r) != 200 || !jstr(r.json, "csrf")) {
		resp_dump(&r);
		fail_at_(file, line, "sign-in as %s failed", l);
	}
	resp_free(&r);
}

