/* row.c - row-to-JSON conversion shared by every list and get. */
#include "row.h"

json_t *store_row_json(struct store_stmt *s, const char *types, const char *const names[])
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    for (int i = 0; types[i]; i++) {
        json_t *v;
        if (store_col_null(s, i))
            v = json_null();
        else if (types[i] == 'i')
            v = json_integer(store_col_int(s, i));
        else if (types[i] == 'd')
            v = json_real(store_col_double(s, i));
        else if (types[i] == 'b')
            v = json_boolean(store_col_int(s, i) != 0);
        else
            v = json_string(store_col_text(s, i));
        if (!v || json_object_set_new(o, names[i], v)) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

enum bb_err store_rows_page(struct store_stmt *s, store_row_fn fn, void *arg, int limit,
                            json_t **items, int64_t *next)
{
    *next = 0;
    *items = json_array();
    if (!*items)
        return BB_NOMEM;
    int64_t last = 0;
    for (int n = 0;; n++) {
        bool row;
        enum bb_err rc = store_step(s, &row);
        if (rc || !row) {
            if (rc) {
                json_decref(*items);
                *items = NULL;
            }
            return rc;
        }
        if (n == limit) {
            *next = last;
            return BB_OK;
        }
        last = store_col_int(s, 0);
        json_t *o = fn(s, arg);
        if (!o || json_array_append_new(*items, o)) {
            json_decref(*items);
            *items = NULL;
            return BB_NOMEM;
        }
    }
}

struct columns {
    const char *types;
    const char *const *names;
};

static json_t *columns_row(struct store_stmt *s, void *arg)
{
    const struct columns *c = arg;
    return store_row_json(s, c->types, c->names);
}

enum bb_err store_rows_json(struct store_stmt *s, const char *types, const char *const names[],
                            int limit, json_t **items, int64_t *next)
{
    struct columns c = {types, names};
    return store_rows_page(s, columns_row, &c, limit, items, next);
}

enum bb_err store_get_json(struct store_tx *tx, const char *sql, int64_t id, const char *types,
                           const char *const names[], json_t **out)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, sql, &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_int(s, 1, id);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    if (!rc) {
        *out = store_row_json(s, types, names);
        if (!*out)
            rc = BB_NOMEM;
    }
    store_finalize(s);
    return rc;
}
