/* test_catalog.c - catalogue items on the demo city (51 imported items): codes and domains,
 * item validation with the field at fault, versions (a published version is frozen), publish
 * and retire, and who may change items. Every failing write runs inside store_write and is
 * checked to leave nothing behind. The list, public view and site lists: test_catalog_list.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "catalog/catalog.h"
#include "sites/sites.h"
#include "testdb.h"

#include "catalog_fixture.inc"
}

/* --- codes and domains --- */

static void test_code_and_domain_valid(void **state)
{
    (void)state;
    const char *good[] = {"11000101000", "01000000000", "20999999999", "05001204000"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_true(catalog_code_valid(good[i]));
    const char *bad[] = {"00000101000", "21000101000", "99000101000", "1100010100",
                         "110001010000", "1100010100a", "", " 1000101000", "11000101000 ",
                         "-1000101000", "１1000101000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (catalog_code_valid(bad[i]))
            fail_msg("code [%s] accepted", bad[i]);
    const char *domains[] = {"社会保险", "医疗卫生", "养老服务", "公共教育", "劳动就业",
                             "退役军人", "社会服务", "住房保障", "文化体育", "残疾人服务",
                             "户籍办理", "民政救助", "政策咨询", "法律服务", "资格证明", "其他"};
    for (size_t i = 0; i < sizeof domains / sizeof domains[0]; i++)
        assert_true(catalog_domain_valid(domains[i]));
    const char *not_domains[] = {"社保", "", "社会保险 ", "其它", "social insurance"};
    for (size_t i = 0; i < sizeof not_domains / sizeof not_domains[0]; i++)
        assert_false(catalog_domain_valid(not_domains[i]));
}

/* --- item_create --- */

static void test_create_validation(void **state)
{
    struct testdb *t = *state;
    struct item_in in;
    struct call c = {.in = &in};
#define REFUSED(want, field) EXPECT(CREATE, &c, want, field)
    const char *bad_codes[] = {"123", "00000101000", "2100010100x", ""};
    for (size_t i = 0; i < sizeof bad_codes / sizeof bad_codes[0]; i++) {
        in = base(bad_codes[i]);
        REFUSED(BB_INVALID, "code");
    }
    in = base(NULL);
    REFUSED(BB_INVALID, "code");
    in = base("11000101000"); /* a demo item */
    REFUSED(BB_CONFLICT, "code");

    static const struct { unsigned flag; const char *name; } required[] = {
        {IF_NAME, "name"}, {IF_DOMAIN, "domain"}, {IF_DEPARTMENT, "department"},
        {IF_LEVEL, "level"}, {IF_CASE_TYPE, "case_type"}, {IF_STATUTORY, "statutory_days"},
        {IF_PROMISED, "promised_days"}};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        in = base("12000001000");
        in.set &= ~required[i].flag;
        REFUSED(BB_MISSING_FIELD, required[i].name);
    }
    char long_name[400];
    for (int i = 0; i < 101; i++)
        memcpy(long_name + 3 * i, "长", 3);
    long_name[303] = '\0';
    in = base("12000001000"), in.name = "";
    REFUSED(BB_INVALID, "name");
    in = base("12000001000"), in.name = long_name;
    REFUSED(BB_INVALID, "name");
    in = base("12000001000"), in.domain = "社保";
    REFUSED(BB_UNKNOWN_DOMAIN, "domain");
    in = base("12000001000"), in.department = "xx";
    REFUSED(BB_UNKNOWN_DEPT, "department");
    in = base("12000001000"), in.level = "city";
    REFUSED(BB_INVALID, "level");
    in = base("12000001000"), in.object = "people";
    REFUSED(BB_INVALID, "object");
    in = base("12000001000"), in.case_type = "instant";
    REFUSED(BB_INVALID, "case_type");
    in = base("12000001000"), in.result_type = "cash";
    REFUSED(BB_INVALID, "result_type");
    in = base("12000001000"), in.statutory_days = 0, in.promised_days = 0;
    REFUSED(BB_INVALID, "statutory_days");
    in = base("12000001000"), in.statutory_days = 251;
    REFUSED(BB_INVALID, "statutory_days");
    in = base("12000001000"), in.promised_days = -1;
    REFUSED(BB_INVALID, "promised_days");
    in = base("12000001000"), in.promised_days = 11; /* statutory 10 */
    REFUSED(BB_LIMITS_MISMATCH, "promised_days");
    in = base("12000001000"), in.case_type = "immediate"; /* promised 5 */
    REFUSED(BB_LIMITS_MISMATCH, "promised_days");
    in = base("12000001000"), in.promised_days = 0; /* promised, 0 days */
    REFUSED(BB_LIMITS_MISMATCH, "promised_days");
    in = base("12000001000"), in.case_type = "reported", in.promised_days = 0;
    REFUSED(BB_LIMITS_MISMATCH, "promised_days");

    /* joint items: 2+ departments, the lead (= department) first; others none */
    const struct { const char *joint; enum bb_err want; } joints[] = {
        {"", BB_LIMITS_MISMATCH}, {"rs", BB_LIMITS_MISMATCH}, {"mz;rs", BB_LIMITS_MISMATCH},
        {"rsx;mz", BB_UNKNOWN_DEPT}, {"rs;zz", BB_UNKNOWN_DEPT}, {"rs;rs", BB_INVALID},
        {"rs;mz;rs", BB_INVALID}, {"rs;", BB_INVALID}, {"rs;;mz", BB_INVALID},
        {";rs;mz", BB_INVALID}}; /* empty department codes */
    for (size_t i = 0; i < sizeof joints / sizeof joints[0]; i++) {
        in = base("12000001000"), in.case_type = "joint", in.joint = joints[i].joint;
        REFUSED(joints[i].want, "joint_departments");
    }
    in = base("12000001000"), in.joint = "rs;mz"; /* promised, not joint */
    REFUSED(BB_LIMITS_MISMATCH, "joint_departments");

    /* materials, named by index */
    struct material_in m[2];
    in = base("12000001000"), in.materials = m;
    memcpy(m, mats1, sizeof m), m[1].form = "scan";
    REFUSED(BB_INVALID, "materials[1].form");
    memcpy(m, mats1, sizeof m), m[1].form = NULL;
    REFUSED(BB_INVALID, "materials[1].form");
    memcpy(m, mats1, sizeof m), m[0].copies = 21;
    REFUSED(BB_INVALID, "materials[0].copies");
    memcpy(m, mats1, sizeof m), m[1].copies = -1;
    REFUSED(BB_INVALID, "materials[1].copies");
    memcpy(m, mats1, sizeof m), m[1].condition = NULL; /* conditional without a condition */
    REFUSED(BB_MISSING_FIELD, "materials[1].condition");
    memcpy(m, mats1, sizeof m), m[1].condition = "";
    REFUSED(BB_MISSING_FIELD, "materials[1].condition");
    memcpy(m, mats1, sizeof m), m[0].name = "";
    REFUSED(BB_INVALID, "materials[0].name");
    struct material_in many[ITEM_MAX_MATERIALS + 1];
    for (int i = 0; i <= ITEM_MAX_MATERIALS; i++)
        many[i] = mats1[0];
    in = base("12000001000"), in.materials = many, in.nmaterials = ITEM_MAX_MATERIALS + 1;
    REFUSED(BB_INVALID, "materials");
#undef REFUSED
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM items WHERE code = ?", "12000001000"),
                     0);

    /* the limits themselves are fine */
    in = base("12000001000"), in.statutory_days = 250, in.promised_days = 250;
    in.materials = many, in.nmaterials = ITEM_MAX_MATERIALS;
    make_item(t, &in, false);
    in = base("12000002000"), in.case_type = "joint", in.joint = "rs;mz;yb";
    make_item(t, &in, true);
    json_t *o = get(t, "12000002000", VIEW_CURRENT, 0);
    json_t *j = json_pack("[s,s,s]", "rs", "mz", "yb");
    assert_true(json_equal(json_object_get(o, "joint_departments"), j));
    json_decref(j);
    json_decref(o);
    in = base("12000003000"), in.case_type = "immediate", in.promised_days = 0;
    in.set &= ~(unsigned)(IF_OBJECT | IF_FEE | IF_RESULT_TYPE | IF_MATERIALS | IF_JOINT);
    make_item(t, &in, false);
    o = get(t, "12000003000", VIEW_CURRENT, 0); /* defaults for what was left out */
    assert_string_equal(str(o, "object"), "individual");
    assert_string_equal(str(o, "fee"), "不收费");
    assert_string_equal(str(o, "result_type"), "none");
    assert_int_equal(json_array_size(json_object_get(o, "materials")), 0);
    json_decref(o);
}

/* A PATCH of one field is checked against the stored row: no draft is left behind. */
static void test_update_checks_whole_row(void **state)
{
    struct testdb *t = *state;
    struct item_in in = {.set = IF_CASE_TYPE, .case_type = "immediate"};
    struct call c = {.code = "11000102000", .in = &in}; /* promised, 20/10 days */
    EXPECT(UPDATE, &c, BB_LIMITS_MISMATCH, "promised_days");
    in = (struct item_in){.set = IF_PROMISED, .promised_days = 21};
    EXPECT(UPDATE, &c, BB_LIMITS_MISMATCH, "promised_days");
    in = (struct item_in){.set = IF_DOMAIN, .domain = "x"};
    EXPECT(UPDATE, &c, BB_UNKNOWN_DOMAIN, "domain");
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM items WHERE code = ? AND "
                                   "draft_version IS NULL", "11000102000"), 1);
    c.code = "12999999000";
    EXPECT(UPDATE, &c, BB_NOT_FOUND, NULL);
}

/* --- versions --- */

static void test_versioning(void **state)
{
    struct testdb *t = *state;
    struct item_in in = base("12000001000");
    make_item(t, &in, false);
    json_t *o = get(t, "12000001000", VIEW_CURRENT, 0); /* the draft before any publish */
    assert_string_equal(str(o, "status"), "draft");
    assert_true(json_is_null(json_object_get(o, "version")));
    assert_int_equal(json_integer_value(json_object_get(o, "draft_version")), 1);
    assert_int_equal(json_integer_value(json_object_get(o, "statutory_days")), 10);
    assert_true(json_is_true(json_object_get(o, "online")));
    json_decref(o);
    struct call c = {.code = "12000001000", .view = VIEW_PUBLIC};
    assert_int_equal(read_op(t, GET, &c), BB_NOT_FOUND);

    c = (struct call){.code = "12000001000"};
    EXPECT(PUBLISH, &c, BB_OK, NULL);
    EXPECT(PUBLISH, &c, BB_NO_DRAFT, NULL);
    json_t *v1 = get(t, "12000001000", VIEW_CURRENT, 0);
    assert_int_equal(json_integer_value(json_object_get(v1, "version")), 1);
    assert_true(json_is_null(json_object_get(v1, "draft_version")));
    json_t *v1_materials = json_object_get(v1, "materials");
    assert_int_equal(json_array_size(v1_materials), 2);
    assert_string_equal(str(json_array_get(v1_materials, 1), "condition"), "委托他人办理的");

    /* an edit makes draft 2; the current view still shows version 1 */
    struct item_in edit = {.set = IF_NAME, .name = "测试事项申请（新）"};
    c = (struct call){.code = "12000001000", .in = &edit};
    EXPECT(UPDATE, &c, BB_OK, NULL);
    o = get(t, "12000001000", VIEW_CURRENT, 0);
    assert_string_equal(str(o, "name"), "测试事项申请");
    assert_int_equal(json_integer_value(json_object_get(o, "version")), 1);
    assert_int_equal(json_integer_value(json_object_get(o, "draft_version")), 2);
    json_decref(o);
    o = get(t, "12000001000", VIEW_DRAFT, 0);
    assert_string_equal(str(o, "name"), "测试事项申请（新）");
    assert_int_equal(json_array_size(json_object_get(o, "materials")), 2); /* copied */
    json_decref(o);

    /* version 1 is frozen; version 2 takes edits, materials included */
    c = (struct call){.code = "12000001000", .in = &edit, .version = 1};
    EXPECT(UPDATE_VERSION, &c, BB_VERSION_FROZEN, NULL);
    c.version = 9;
    EXPECT(UPDATE_VERSION, &c, BB_NOT_FOUND, NULL);
    struct material_in m2[] = {{.name = "户口簿", .form = "copy", .required = true, .copies = 2}};
    struct item_in edit2 = {.set = IF_MATERIALS | IF_STATUTORY, .materials = m2,
                            .nmaterials = 1, .statutory_days = 15};
    c = (struct call){.code = "12000001000", .in = &edit2, .version = 2};
    EXPECT(UPDATE_VERSION, &c, BB_OK, NULL);
    c = (struct call){.code = "12000001000"};
    EXPECT(PUBLISH, &c, BB_OK, NULL);

    o = get(t, "12000001000", VIEW_CURRENT, 0);
    assert_int_equal(json_integer_value(json_object_get(o, "version")), 2);
    assert_true(json_is_null(json_object_get(o, "draft_version")));
    assert_string_equal(str(o, "name"), "测试事项申请（新）");
    assert_int_equal(json_integer_value(json_object_get(o, "statutory_days")), 15);
    assert_int_equal(json_array_size(json_object_get(o, "materials")), 1);
    assert_string_equal(str(json_array_get(json_object_get(o, "materials"), 0), "name"),
                        "户口簿");
    json_decref(o);
    o = get(t, "12000001000", VIEW_VERSION, 1); /* still readable, unchanged */
    assert_string_equal(str(o, "name"), "测试事项申请");
    assert_int_equal(json_integer_value(json_object_get(o, "statutory_days")), 10);
    assert_true(json_equal(json_object_get(o, "materials"), v1_materials));
    json_decref(o);
    json_decref(v1);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM item_versions v JOIN items i ON "
                                   "i.id = v.item_id WHERE i.code = ?", "12000001000"), 2);
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM item_versions v JOIN items i ON "
                                   "i.id = v.item_id WHERE i.code = ? AND v.version = 1 AND "
                                   "v.state = 'superseded'", "12000001000"), 1);
    c = (struct call){.code = "12000001000", .view = VIEW_VERSION, .version = 3};
    assert_int_equal(read_op(t, GET, &c), BB_NOT_FOUND);
}

static void test_publish_needs_materials_and_basis(void **state)
{
    struct testdb *t = *state;
    struct item_in in = base("12000001000");
    in.nmaterials = 0;
    make_item(t, &in, false);
    struct call c = {.code = "12000001000"};
    EXPECT(PUBLISH, &c, BB_MISSING_FIELD, "materials");
    in = base("12000002000"), in.legal_basis = "";
    make_item(t, &in, false);
    c.code = "12000002000";
    EXPECT(PUBLISH, &c, BB_MISSING_FIELD, "legal_basis");
    assert_int_equal(testdb_int(t, "SELECT COUNT(*) FROM items WHERE status = 'draft'", NULL), 2);
    c.code = "12999999000";
    EXPECT(PUBLISH, &c, BB_NOT_FOUND, NULL);
}

static void test_retire(void **state)
{
    struct testdb *t = *state;
    struct call c = {.code = "11000105000"};
    EXPECT(RETIRE, &c, BB_OK, NULL);
    struct item_in edit = {.set = IF_NAME, .name = "改名"};
    c.in = &edit;
    EXPECT(UPDATE, &c, BB_ITEM_RETIRED, NULL);
    c.version = 1;
    EXPECT(UPDATE_VERSION, &c, BB_ITEM_RETIRED, NULL);
    EXPECT(PUBLISH, &c, BB_ITEM_RETIRED, NULL);
    EXPECT(RETIRE, &c, BB_ITEM_RETIRED, NULL);
    json_t *o = get(t, "11000105000", VIEW_CURRENT, 0); /* still readable */
    assert_string_equal(str(o, "status"), "retired");
    assert_string_equal(str(o, "name"), "灵活就业人员参保登记");
    json_decref(o);
    c = (struct call){.code = "12999999000"};
    EXPECT(RETIRE, &c, BB_NOT_FOUND, NULL);
}

static void test_authorization(void **state)
{
    struct testdb *t = *state;
    struct actor who[] = {actor(t, ROLE_ADMIN, "152502001000", "tadmin"),
                          actor(t, ROLE_CLERK, "152502000000", "cityclerk"),
                          actor(t, ROLE_COORDINATOR, "152502000000", "coord"),
                          actor(t, ROLE_AUDITOR, "152502000000", "auditor")};
    struct item_in in = base("12000001000");
    struct item_in edit = {.set = IF_NAME, .name = "改名"};
    for (size_t i = 0; i < sizeof who / sizeof who[0]; i++) {
        struct call c = {.a = &who[i], .in = &in};
        EXPECT(CREATE, &c, BB_FORBIDDEN, NULL);
        c = (struct call){.a = &who[i], .in = &edit, .code = "11000101000", .version = 1};
        EXPECT(UPDATE, &c, BB_FORBIDDEN, NULL);
        EXPECT(UPDATE_VERSION, &c, BB_FORBIDDEN, NULL);
        EXPECT(PUBLISH, &c, BB_FORBIDDEN, NULL);
        EXPECT(RETIRE, &c, BB_FORBIDDEN, NULL);
        /* but everyone may read */
        c = (struct call){.a = &who[i], .code = "11000101000", .view = VIEW_DRAFT};
        assert_int_equal(read_op(t, GET, &c), BB_NOT_FOUND); /* no draft */
        c.view = VIEW_CURRENT;
        assert_int_equal(read_op(t, GET, &c), BB_OK);
        json_decref(c.out);
    }
    struct actor admin = actor(t, ROLE_ADMIN, "152502000000", "admin");
    struct call c = {.a = &admin, .in = &in, .code = "12000001000"};
    EXPECT(CREATE, &c, BB_OK, NULL);
    EXPECT(PUBLISH, &c, BB_OK, NULL);
    c = (struct call){.a = NULL, .in = &edit, .code = "12000001000"}; /* the system */
    EXPECT(UPDATE, &c, BB_OK, NULL);
    EXPECT(PUBLISH, &c, BB_OK, NULL);
    EXPECT(RETIRE, &c, BB_OK, NULL);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_code_and_domain_valid),
        T(test_create_validation),
        T(test_update_checks_whole_row),
        T(test_versioning),
        T(test_publish_needs_materials_and_basis),
        T(test_retire),
        T(test_authorization),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
