/* item_check.c - validation of item elements: each field on its own, then the rules that tie
 * them together (即办件 has no promise period, 联办件 names its departments ...). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "../core/json.h"
#include "catalog_int.h"

static const char *const domains[] = {
    "社会保险", "医疗卫生", "养老服务", "公共教育", "劳动就业", "退役军人", "社会服务", "住房保障",
    "文化体育", "残疾人服务", "户籍办理", "民政救助", "政策咨询", "法律服务", "资格证明", "其他", NULL};
static const char *const levels[] = {"district", "township", "village", NULL};
static const char *const objects[] = {"individual", "organisation", "both", NULL};
static const char *const case_types[] = {"immediate", "promised", "reported", "joint", NULL};
static const char *const result_types[] = {"certificate", "document", "money", "none", NULL};
static const char *const forms[] = {"original", "copy", "original_and_copy", "electronic", NULL};

#define MAX_DAYS 250 /* about a year of working days: anything longer is a typo */

static bool in_list(const char *v, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(*list, v) == 0)
            return true;
    return false;
}

bool catalog_domain_valid(const char *name) { return in_list(name, domains); }

bool catalog_code_valid(const char *code)
{
    if (strlen(code) != 11)
        return false;
    for (int i = 0; i < 11; i++)
        if (code[i] < '0' || code[i] > '9')
            return false;
    int type = (code[0] - '0') * 10 + (code[1] - '0');
    return type >= 1 && type <= 20;
}

const char *catalog_field(const char *list, int index, const char *name)
{
    static _Thread_local char buf[64];
    snprintf(buf, sizeof buf, "%s[%d].%s", list, index, name);
    return buf;
}

static bool text_ok(const char *s, size_t min, size_t max)
{
    if (!s)
        return min == 0;
    size_t n = utf8_chars(s);
    return n >= min && n <= max;
}

static enum bb_err dept_id_of(struct store_tx *tx, const char *code, int64_t *id)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT id FROM departments WHERE code = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_text(s, 1, code);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && row)
        *id = store_col_int(s, 0);
    store_finalize(s);
    return rc ? rc : row ? BB_OK : BB_UNKNOWN_DEPT;
}

/* "wj;ga;yb": each a known department, none twice. */
static enum bb_err check_joint(struct store_tx *tx, const char *joint)
{
    char copy[256];
    size_t len = strlen(joint);
    if (len >= sizeof copy)
        return BB_INVALID;
    if (len && (joint[0] == ';' || joint[len - 1] == ';' || strstr(joint, ";;")))
        return BB_INVALID; /* an empty department between separators */
    snprintf(copy, sizeof copy, "%s", joint);
    const char *seen[16];
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
        int64_t id;
        enum bb_err rc = dept_id_of(tx, tok, &id);
        if (rc)
            return rc;
        for (int i = 0; i < n; i++)
            if (strcmp(seen[i], tok) == 0)
                return BB_INVALID;
        if (n == 16)
            return BB_INVALID;
        seen[n++] = tok;
    }
    return BB_OK;
}

static enum bb_err check_material(const struct material_in *m, int i, const char **field)
{
    if (!text_ok(m->name, 1, 100)) {
        *field = catalog_field("materials", i, "name");
        return BB_INVALID;
    }
    if (!m->form || !in_list(m->form, forms)) {
        *field = catalog_field("materials", i, "form");
        return BB_INVALID;
    }
    if (m->copies < 0 || m->copies > 20) {
        *field = catalog_field("materials", i, "copies");
        return BB_INVALID;
    }
    if ((!m->required && (!m->condition || !*m->condition)) || !text_ok(m->condition, 0, 200)) {
        *field = catalog_field("materials", i, "condition");
        return m->required ? BB_INVALID : BB_MISSING_FIELD;
    }
    if (!text_ok(m->source, 0, 200) || !text_ok(m->note, 0, 500)) {
        *field = catalog_field("materials", i, text_ok(m->source, 0, 200) ? "note" : "source");
        return BB_INVALID;
    }
    return BB_OK;
}

/* Each problem goes to report when there is one (so an import lists them all); otherwise the
 * first one is returned at once. */
#define PROBLEM(rc_, field_)                                                                    \
    do {                                                                                       \
        if (!report) {                                                                         \
            *field = (field_);                                                                 \
            return (rc_);                                                                      \
        }                                                                                      \
        report(ctx, (rc_), (field_));                                                          \
        if (!first)                                                                            \
            first = (rc_);                                                                     \
    } while (0)

enum bb_err item_check_all(struct store_tx *tx, const struct item_in *in, int64_t *dept_id,
                           const char **field, item_report_fn report, void *ctx)
{
    enum bb_err first = BB_OK;
    static const struct {
        unsigned flag;
        const char *name;
        size_t off, min, max;
    } texts[] = {
        {IF_NAME, "name", offsetof(struct item_in, name), 1, 100},
        {IF_FEE, "fee", offsetof(struct item_in, fee), 0, 200},
        {IF_RESULT, "result", offsetof(struct item_in, result), 0, 200},
        {IF_LEGAL_BASIS, "legal_basis", offsetof(struct item_in, legal_basis), 0, 2000},
        {IF_CONDITIONS, "conditions", offsetof(struct item_in, conditions), 0, 2000},
        {IF_PROCESS, "process", offsetof(struct item_in, process), 0, 1000},
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        const char *v = *(const char *const *)(const void *)((const char *)in + texts[i].off);
        if ((in->set & texts[i].flag) && !text_ok(v, texts[i].min, texts[i].max))
            PROBLEM(BB_INVALID, texts[i].name);
    }
    static const struct {
        unsigned flag;
        const char *name;
        size_t off;
        const char *const *allowed;
    } enums[] = {
        {IF_LEVEL, "level", offsetof(struct item_in, level), levels},
        {IF_OBJECT, "object", offsetof(struct item_in, object), objects},
        {IF_CASE_TYPE, "case_type", offsetof(struct item_in, case_type), case_types},
        {IF_RESULT_TYPE, "result_type", offsetof(struct item_in, result_type), result_types},
    };
    for (size_t i = 0; i < sizeof enums / sizeof enums[0]; i++) {
        const char *v = *(const char *const *)(const void *)((const char *)in + enums[i].off);
        if ((in->set & enums[i].flag) && (!v || !in_list(v, enums[i].allowed)))
            PROBLEM(BB_INVALID, enums[i].name);
    }
    if ((in->set & IF_DOMAIN) && !catalog_domain_valid(in->domain))
        PROBLEM(BB_UNKNOWN_DOMAIN, "domain");
    if ((in->set & IF_STATUTORY) && (in->statutory_days < 1 || in->statutory_days > MAX_DAYS))
        PROBLEM(BB_INVALID, "statutory_days");
    if ((in->set & IF_PROMISED) && (in->promised_days < 0 || in->promised_days > MAX_DAYS))
        PROBLEM(BB_INVALID, "promised_days");
    *dept_id = 0;
    if (in->set & IF_DEPARTMENT) {
        enum bb_err rc = dept_id_of(tx, in->department, dept_id);
        if (rc == BB_UNKNOWN_DEPT)
            PROBLEM(rc, "department");
        else if (rc)
            return rc;
    }
    if (in->set & IF_JOINT) {
        enum bb_err rc = check_joint(tx, in->joint);
        if (rc == BB_INVALID || rc == BB_UNKNOWN_DEPT)
            PROBLEM(rc, "joint_departments");
        else if (rc)
            return rc;
    }
    if ((in->set & IF_MATERIALS) && in->nmaterials > ITEM_MAX_MATERIALS)
        PROBLEM(BB_INVALID, "materials");
    for (int i = 0; (in->set & IF_MATERIALS) && i < in->nmaterials && i < ITEM_MAX_MATERIALS;
         i++) {
        const char *f = NULL;
        enum bb_err rc = check_material(&in->materials[i], i, &f);
        if (rc)
            PROBLEM(rc, f);
    }
    /* With the whole item in hand (an import), the cross-field rules can be checked too. */
    unsigned whole = IF_CASE_TYPE | IF_STATUTORY | IF_PROMISED | IF_JOINT | IF_DEPARTMENT;
    if (report && (in->set & whole) == whole && in->case_type && in_list(in->case_type, case_types)) {
        const char *f = NULL;
        enum bb_err rc = item_check_limits(in->case_type, in->statutory_days, in->promised_days,
                                           in->joint, in->department, &f);
        if (rc)
            PROBLEM(rc, f);
    }
    return first;
}

enum bb_err item_check_fields(struct store_tx *tx, const struct item_in *in, int64_t *dept_id,
                              const char **field)
{
    return item_check_all(tx, in, dept_id, field, NULL, NULL);
}

enum bb_err item_check_limits(const char *type, int64_t statutory, int64_t promised,
                              const char *joint, const char *dept, const char **field)
{
    bool immediate = strcmp(type, "immediate") == 0, is_joint = strcmp(type, "joint") == 0;
    size_t dl = strlen(dept);
    int parts = *joint ? 1 : 0;
    for (const char *p = joint; *p; p++)
        parts += *p == ';';
    if (promised > statutory || (immediate && promised != 0) || (!immediate && promised < 1)) {
        *field = "promised_days";
        return BB_LIMITS_MISMATCH;
    }
    if (is_joint && (parts < 2 || strncmp(joint, dept, dl) != 0 || joint[dl] != ';')) {
        *field = "joint_departments"; /* 2+ departments, the lead first */
        return BB_LIMITS_MISMATCH;
    }
    if (!is_joint && parts > 0) {
        *field = "joint_departments";
        return BB_LIMITS_MISMATCH;
    }
    return BB_OK;
}

enum bb_err item_check_version(struct store_tx *tx, int64_t version_id, const char **field)
{
    struct store_stmt *s;
    enum bb_err rc = store_prepare(tx, "SELECT v.case_type, v.statutory_days, v.promised_days, "
                                       "v.joint_departments, d.code FROM item_versions v "
                                       "JOIN departments d ON d.id = v.department_id "
                                       "WHERE v.id = ?", &s);
    if (rc)
        return rc;
    bool row = false;
    rc = store_bind_int(s, 1, version_id);
    if (!rc)
        rc = store_step(s, &row);
    if (!rc && !row)
        rc = BB_NOT_FOUND;
    if (!rc)
        rc = item_check_limits(store_col_text(s, 0), store_col_int(s, 1), store_col_int(s, 2),
                               store_col_text(s, 3), store_col_text(s, 4), field);
    store_finalize(s);
    return rc;
}
