/* json.c - depth-capped parsing and field readers. jansson's own depth limit is compile-time
 * (2048), so depth is checked on the raw text before jansson sees it. */
#include <math.h>
#include <string.h>
#include "json.h"

int json_depth(const char *text, size_t len, int max)
{
    int depth = 0, deepest = 0;
    bool in_str = false, esc = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_str) {
            if (esc)
                esc = false;
            else if (c == '\\')
                esc = true;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"')
            in_str = true;
        else if (c == '[' || c == '{') {
            if (++depth > deepest) {
                deepest = depth;
                if (deepest > max)
                    return deepest;
            }
        } else if ((c == ']' || c == '}') && depth > 0)
            depth--;
    }
    return deepest;
}

enum bb_err json_parse_object(const char *text, size_t len, json_t **out)
{
    *out = NULL;
    if (json_depth(text, len, JSON_MAX_DEPTH) > JSON_MAX_DEPTH)
        return BB_BAD_JSON;
    json_error_t jerr;
    json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!v)
        return BB_BAD_JSON;
    if (!json_is_object(v)) {
        json_decref(v);
        return BB_WRONG_TYPE;
    }
    *out = v;
    return BB_OK;
}

enum bb_err json_only(json_t *obj, const char *const *allowed, const char **field)
{
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val) {
        bool ok = false;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, key) == 0) {
                ok = true;
                break;
            }
        if (!ok) {
            *field = key;
            return BB_UNKNOWN_FIELD;
        }
    }
    return BB_OK;
}

size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* Looks key up; handles absence and null uniformly. Returns BB_OK with *v NULL when the
 * value is absent-and-optional or null-and-nullable. */
static enum bb_err lookup(json_t *obj, const char *key, bool *present, bool nullable, json_t **v,
                          const char **field)
{
    *v = json_object_get(obj, key);
    if (!*v) {
        if (present) {
            *present = false;
            return BB_OK;
        }
        *field = key;
        return BB_MISSING_FIELD;
    }
    if (present)
        *present = true;
    if (json_is_null(*v)) {
        *v = NULL;
        if (nullable)
            return BB_OK;
        *field = key;
        return present ? BB_INVALID : BB_MISSING_FIELD;
    }
    return BB_OK;
}

enum bb_err json_str(json_t *obj, const char *key, bool *present, bool nullable, size_t min_chars,
                     size_t max_chars, const char **out, const char **field)
{
    json_t *v;
    enum bb_err rc = lookup(obj, key, present, nullable, &v, field);
    if (rc)
        return rc;
    if (!v) {
        if (!present || *present)
            *out = NULL;
        return BB_OK;
    }
    *field = key;
    if (!json_is_string(v))
        return BB_WRONG_TYPE;
    const char *s = json_string_value(v);
    if (strlen(s) != json_string_length(v))
        return BB_INVALID; /* embedded NUL */
    size_t n = utf8_chars(s);
    if (n < min_chars || n > max_chars)
        return BB_INVALID;
    *out = s;
    *field = NULL;
    return BB_OK;
}

enum bb_err json_int(json_t *obj, const char *key, bool *present, bool nullable, int64_t min,
                     int64_t max, int64_t *out, bool *is_null, const char **field)
{
    json_t *v;
    enum bb_err rc = lookup(obj, key, present, nullable, &v, field);
    if (rc)
        return rc;
    if (is_null)
        *is_null = (v == NULL);
    if (!v)
        return BB_OK;
    *field = key;
    if (!json_is_integer(v))
        return BB_WRONG_TYPE;
    json_int_t i = json_integer_value(v);
    if (i < min || i > max)
        return BB_INVALID;
    *out = i;
    *field = NULL;
    return BB_OK;
}

enum bb_err json_num(json_t *obj, const char *key, bool *present, bool nullable, double min,
                     double max, double *out, bool *is_null, const char **field)
{
    json_t *v;
    enum bb_err rc = lookup(obj, key, present, nullable, &v, field);
    if (rc)
        return rc;
    if (is_null)
        *is_null = (v == NULL);
    if (!v)
        return BB_OK;
    *field = key;
    if (!json_is_number(v))
        return BB_WRONG_TYPE;
    double d = json_number_value(v);
    if (!isfinite(d) || d < min || d > max)
        return BB_INVALID;
    *out = d;
    *field = NULL;
    return BB_OK;
}

enum bb_err json_bool(json_t *obj, const char *key, bool *present, bool *out, const char **field)
{
    json_t *v;
    enum bb_err rc = lookup(obj, key, present, false, &v, field);
    if (rc || !v)
        return rc;
    if (!json_is_boolean(v)) {
        *field = key;
        return BB_WRONG_TYPE;
    }
    *out = json_is_true(v);
    return BB_OK;
}
