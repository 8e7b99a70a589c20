/*
 * API test harness: JSON helpers, listing, snapshots and the checks that fail
 * a cmocka test with the caller's location. See harness.h.
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
#include <cmocka.h>

#include "harness.h"
#include "harness_int.h"

enum { URL_CAP = 4096 };

static const json_t *err_obj(const struct resp *r)
{
	return json_object_get(r->json, "error");
}

const char *resp_err_code(const struct resp *r)
{
	return jstr(err_obj(r), "code");
}

const char *resp_err_field(const struct resp *r)
{
	return jstr(err_obj(r), "field");
}

char *urlenc(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = malloc(strlen(s) * 3 + 1), *o = out;

	if (!out)
		fail_at("out of memory");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

long long jint_at(const char *file, int line, const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v)) {
		char *d = o ? json_dumps(o, JSON_COMPACT) : NULL;

		fprintf(stderr, "  object: %.1000s\n", d ? d : "(null)");
		free(d);
		fail_at_(file, line, "integer member \"%s\" missing", key);
	}
	return json_integer_value(v);
}

const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

json_t *jfind(const json_t *a, const char *key, const char *val)
{
	size_t i;
	json_t *e;

	json_array_foreach(a, i, e) {
		const char *s = jstr(e, key);

		if (s && strcmp(s, val) == 0)
			return e;
	}
	return NULL;
}

json_t *jfind_id(const json_t *a, const char *key, long long val)
{
	size_t i;
	json_t *e;

	json_array_foreach(a, i, e) {
		json_t *v = json_object_get(e, key);

		if (json_is_integer(v) && json_integer_value(v) == val)
			return e;
	}
	return NULL;
}

json_t *list_all_at(const char *file, int line, struct client *c, const char *path)
{
	json_t *all = json_array();
	char *cursor = NULL;

	if (!all)
		fail_at_(file, line, "out of memory");
	for (int page = 0; page < 10000; page++) {
		char url[URL_CAP];
		char *esc = cursor ? urlenc(cursor) : NULL;
		struct resp r;
		json_t *items, *next;

		snprintf(url, sizeof(url), "%s%slimit=200%s%s", path, strchr(path, '?') ? "&" : "?",
			 esc ? "&cursor=" : "", esc ? esc : "");
		free(esc);
		free(cursor);
		cursor = NULL;
		req(c, "GET", url, NULL, NULL, &r);
		items = json_object_get(r.json, "items");
		next = json_object_get(r.json, "next");
		if (r.status != 200 || !json_is_array(items) || !(json_is_null(next) || json_is_string(next))) {
			resp_dump(&r);
			fail_at_(file, line, "listing %s: want 200 {\"items\":[...],\"next\":...}", path);
		}
		json_array_extend(all, items);
		if (json_is_string(next)) {
			cursor = strdup(json_string_value(next));
			if (!cursor)
				fail_at_(file, line, "out of memory");
		}
		resp_free(&r);
		if (!cursor)
			return all;
	}
	fail_at_(file, line, "listing %s: more than 10000 pages", path);
}

json_t *snapshot_at(const char *file, int line, struct client *c)
{
	json_t *s = json_pack("{s:o,s:o,s:o,s:o}",
			      "sites", list_all_at(file, line, c, "/api/v1/sites"),
			      "windows", list_all_at(file, line, c, "/api/v1/windows"),
			      "departments", list_all_at(file, line, c, "/api/v1/departments"),
			      "users", list_all_at(file, line, c, "/api/v1/users"));

	if (!s)
		fail_at_(file, line, "out of memory");
	return s;
}

void expect_status_at(const char *file, int line, const struct resp *r, long status)
{
	if (r->status == status)
		return;
	resp_dump(r);
	fail_at_(file, line, "%s: want status %ld, got %ld", r->what, status, r->status);
}

const char *error_mismatch(const struct resp *r, long status, const char *code,
			   const char *field)
{
	const json_t *e = err_obj(r);
	const char *got_code = jstr(e, "code"), *got_field = jstr(e, "field");
	const char *msg = jstr(e, "message"), *msg_en = jstr(e, "message_en");

	if (r->status != status)
		return "status";
	if (!json_is_object(e) || !got_code)
		return "body is not {\"error\":{\"code\":...}}";
	if (code && strcmp(got_code, code) != 0)
		return "error.code";
	if (!msg || !msg[0] || !msg_en || !msg_en[0])
		return "error.message / error.message_en missing or empty";
	if (!json_object_get(e, "field"))
		return "error.field missing (must be a string or null)";
	if (field && (!got_field || strcmp(got_field, field) != 0))
		return "error.field";
	return NULL;
}

void print_mismatch(const struct resp *r, const char *why, long status, const char *code,
		    const char *field)
{
	fprintf(stderr, "MISMATCH %s: %s: want %ld %s field %s\n", r->what, why, status,
		code ? code : "(any code)", field ? field : "(any)");
	resp_dump(r);
}

void expect_error_at(const char *file, int line, const struct resp *r, long status,
		     const char *code, const char *field)
{
	const char *why = error_mismatch(r, status, code, field);

	if (!why)
		return;
	print_mismatch(r, why, status, code, field);
	fail_at_(file, line, "%s: %s", r->what, why);
}
