/* catalog_export.c - the published catalogue as CSV, in exactly the import format, so that
 * export -> import -> export gives the same bytes. Retired items are left out: they cannot be
 * imported again. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "../core/csv.h"
#include "catalog_int.h"
#include "catalog_io.h"

static const char *const item_header[] = {
    "code", "name", "domain", "department", "level", "object", "case_type", "statutory_days",
    "promised_days", "fee", "result_type", "result", "online", "legal_basis", "conditions",
    "process", "joint_departments"};
static const char *const material_header[] = {"item_code", "name", "required", "condition",
                                              "form", "copies", "source", "note"};
#define NITEM (int)(sizeof item_header / sizeof item_header[0])
#define NMAT (int)(sizeof material_header / sizeof material_header[0])

/* Renders the current row's columns as text: integers in decimal, online as yes/no,
 * required as required/conditional, NULL as "". */
static enum bb_err write_row(struct store_stmt *s, int n, const char *kinds, struct buf *out)
{
    char nums[8][24];
    const char *f[NITEM];
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (kinds[i] == 'i') {
            snprintf(nums[k], sizeof nums[k], "%" PRId64, store_col_int(s, i));
            f[i] = nums[k++];
        } else if (kinds[i] == 'y') {
            f[i] = store_col_int(s, i) ? "yes" : "no";
        } else if (kinds[i] == 'r') {
            f[i] = store_col_int(s, i) ? "required" : "conditional";
        } else {
            f[i] = store_col_null(s, i) ? "" : store_col_text(s, i);
        }
    }
    return csv_write_row(out, f, n);
}

enum bb_err catalog_export_rows(struct store_tx *tx, const char *code, bool materials,
                                struct buf *out)
{
    enum bb_err rc;
    struct store_stmt *s;
    if (materials)
        rc = store_prepare(tx, "SELECT i.code, m.name, m.required, m.condition, m.form, m.copies, "
                               "m.source, m.note FROM items i JOIN item_versions v "
                               "ON v.item_id = i.id AND v.version = i.published_version "
                               "JOIN materials m ON m.version_id = v.id "
                               "WHERE (? IS NULL OR i.code = ?) AND i.status <> 'retired' "
                               "ORDER BY i.code, m.seq",
                           &s);
    else
        rc = store_prepare(tx, "SELECT i.code, v.name, v.domain, d.code, v.level, v.object, "
                               "v.case_type, v.statutory_days, v.promised_days, v.fee, "
                               "v.result_type, v.result, v.online, v.legal_basis, v.conditions, "
                               "v.process, v.joint_departments FROM items i JOIN item_versions v "
                               "ON v.item_id = i.id AND v.version = i.published_version "
                               "JOIN departments d ON d.id = v.department_id "
                               "WHERE (? IS NULL OR i.code = ?) AND i.status <> 'retired' "
                               "ORDER BY i.code",
                           &s);
    if (rc)
        return rc;
    rc = store_bind_text(s, 1, code);
    if (!rc)
        rc = store_bind_text(s, 2, code);
    for (bool row = true; !rc;) {
        rc = store_step(s, &row);
        if (rc || !row)
            break;
        rc = materials ? write_row(s, NMAT, "ssrssiss", out)
                       : write_row(s, NITEM, "sssssssiisssyssss", out);
    }
    store_finalize(s);
    return rc;
}

enum bb_err catalog_export(struct store_tx *tx, const struct actor *a, bool materials,
                           struct buf *out)
{
    if (!authz_can(a, AUTHZ_READ_CATALOG, NULL))
        return BB_FORBIDDEN;
    enum bb_err rc = csv_write_row(out, materials ? material_header : item_header,
                                   materials ? NMAT : NITEM);
    return rc ? rc : catalog_export_rows(tx, NULL, materials, out);
}

const char *const *catalog_csv_header(bool materials, int *n)
{
    *n = materials ? NMAT : NITEM;
    return materials ? material_header : item_header;
}
