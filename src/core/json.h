/* json.h - strict, capped JSON parsing and typed field readers on top of jansson.
 * Readers report the failing field name through *field (a string owned by the caller or static). */
#ifndef BB_JSON_H
#define BB_JSON_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "err.h"

#define JSON_MAX_DEPTH 32

/* Parses len bytes as one JSON object. BB_BAD_JSON when malformed, nested deeper than
 * JSON_MAX_DEPTH, or holding a duplicate key; BB_WRONG_TYPE when valid but not an object.
 * On BB_OK *out is a new reference the caller must json_decref. */
enum bb_err json_parse_object(const char *text, size_t len, json_t **out);
/* Nesting depth of text's arrays/objects, stopping early once it exceeds max. */
int json_depth(const char *text, size_t len, int max);

/* BB_UNKNOWN_FIELD (with *field) when obj has a key not in the NULL-terminated allowed list. */
enum bb_err json_only(json_t *obj, const char *const *allowed, const char **field);

/* Optional fields: when key is absent, *present = false and *out is untouched.
 * JSON null gives *present = true and a NULL / unset value (the caller decides if null is allowed,
 * see the `nullable` flags). Required fields: pass present = NULL; absence is BB_MISSING_FIELD. */
enum bb_err json_str(json_t *obj, const char *key, bool *present, bool nullable, size_t min_chars,
                     size_t max_chars, const char **out, const char **field);
enum bb_err json_int(json_t *obj, const char *key, bool *present, bool nullable, int64_t min,
                     int64_t max, int64_t *out, bool *is_null, const char **field);
enum bb_err json_num(json_t *obj, const char *key, bool *present, bool nullable, double min,
                     double max, double *out, bool *is_null, const char **field);
enum bb_err json_bool(json_t *obj, const char *key, bool *present, bool *out, const char **field);

/* Number of UTF-8 code points in s (invalid bytes count as one each). */
size_t utf8_chars(const char *s);

#endif
