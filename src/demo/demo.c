/* demo.c - demo city data as tables; one write transaction, so a failed seed leaves nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../catalog/catalog_io.h"
#include "../core/crypto.h"
#include "../core/csv.h"
#include "../core/embedded.h"
#include "../core/log.h"
#include "../front/booking.h"
#include "../sites/users.h"
#include "demo.h"

static const struct demo_site {
    const char *code, *parent, *level, *name, *address, *phone;
    double lat, lng;
} sites[] = {
    {"152502000000", NULL, "district", "锡林浩特市政务服务中心", "锡林浩特市锡林大街政务服务大厦",
     "0479-8218000", 43.9333, 116.0861},
    {"152502001000", "152502000000", "township", "希日塔拉街道便民服务中心",
     "锡林浩特市希日塔拉街道那达慕大街12号", "0479-8221001", 43.9420, 116.0720},
    {"152502002000", "152502000000", "township", "楚古兰街道便民服务中心",
     "锡林浩特市楚古兰街道额尔敦路36号", "0479-8221002", 43.9250, 116.1010},
    {"152502200000", "152502000000", "township", "朝克乌拉苏木便民服务中心",
     "锡林浩特市朝克乌拉苏木政府院内", "0479-8221003", 44.0530, 116.2480},
    {"152502001001", "152502001000", "village", "希日塔拉街道桑根达来社区便民服务站",
     "桑根达来社区居委会一楼", "0479-8231011", 43.9450, 116.0690},
    {"152502001002", "152502001000", "village", "希日塔拉街道宝力根社区便民服务站",
     "宝力根社区党群服务中心", "0479-8231012", 43.9390, 116.0760},
    {"152502001003", "152502001000", "village", "希日塔拉街道额尔敦社区便民服务站",
     "额尔敦社区居委会", "0479-8231013", 43.9480, 116.0800},
    {"152502002001", "152502002000", "village", "楚古兰街道那日图社区便民服务站",
     "那日图社区党群服务中心", "0479-8232021", 43.9220, 116.1050},
    {"152502002002", "152502002000", "village", "楚古兰街道巴彦宝力格社区便民服务站",
     "巴彦宝力格社区居委会", "0479-8232022", 43.9270, 116.0950},
    {"152502002003", "152502002000", "village", "楚古兰街道锡林社区便民服务站",
     "锡林社区居委会一楼", "0479-8232023", 43.9300, 116.1100},
    {"152502200201", "152502200000", "village", "朝克乌拉苏木巴彦查干嘎查便民服务站",
     "巴彦查干嘎查村委会", "0479-8233031", 44.0800, 116.2900},
    {"152502200202", "152502200000", "village", "朝克乌拉苏木白音锡勒嘎查便民服务站",
     "白音锡勒嘎查村委会", "0479-8233032", 44.0100, 116.3200},
};

static const struct { const char *code, *name; } depts[] = {
    {"rs", "人力资源和社会保障局"}, {"mz", "民政局"},       {"yb", "医疗保障局"},
    {"ga", "公安局"},               {"wj", "卫生健康委员会"}, {"cl", "残疾人联合会"},
    {"tyjr", "退役军人事务局"},     {"zj", "住房和城乡建设局"}, {"jy", "教育局"},
    {"wl", "文化旅游体育局"},
};

/* Windows per level (seed 001 二(三)1 for the city centre; 2 and 3 for street and community). */
static const struct demo_window {
    const char *level, *kind, *name, *dept;
    int count;
} windows[] = {
    {"district", "general", "无差别综合受理窗口", NULL, 5},
    {"district", "assisted", "帮办代办窗口", NULL, 3},
    {"district", "specialised", "公安专区", "ga", 1},
    {"district", "specialised", "民生专区", "mz", 1},
    {"district", "complaint", "“办不成事”反映窗口", NULL, 1},
    {"district", "cross_region", "跨省通办窗口", NULL, 1},
    {"district", "issuance", "综合出件窗口", NULL, 1},
    {"district", "self_service", "自助服务区", NULL, 1},
    {"township", "general", "“一网通办”综合窗口", NULL, 1},
    {"township", "assisted", "帮办代办窗口", NULL, 1},
    {"village", "general", "综合窗口", NULL, 1},
    {"village", "assisted", "帮办代办点", NULL, 1},
};

static const struct demo_user {
    const char *login, *name, *role, *site, *dept;
} users[] = {
    {"admin", "赵志刚", "admin", "152502000000", NULL},
    {"coord", "孟和", "coordinator", "152502000000", NULL},
    {"approver", "李秀兰", "approver", "152502000000", "rs"},
    {"approver2", "王建华", "approver", "152502000000", "mz"},
    {"auditor", "刘芳", "auditor", "152502000000", NULL},
    {"cityclerk", "张敏", "clerk", "152502000000", NULL},
    {"clerk", "萨仁", "clerk", "152502001000", NULL},
    {"webagent", "乌兰", "web_agent", "152502001000", NULL},
    {"tadmin", "宝音", "admin", "152502001000", NULL},
    {"clerk2", "其其格", "clerk", "152502002000", NULL},
    {"clerk3", "巴特尔", "clerk", "152502200000", NULL},
    {"agent", "王海燕", "agent", "152502001001", NULL},
    {"agent2", "图雅", "agent", "152502001002", NULL},
    {"agent3", "格日勒", "agent", "152502002001", NULL},
    {"agent4", "额尔德尼", "agent", "152502200201", NULL},
};

#define NSITES (sizeof sites / sizeof sites[0])
#define NDEPTS (sizeof depts / sizeof depts[0])
#define NUSERS (sizeof users / sizeof users[0])

struct seed {
    int64_t site_id[NSITES], dept_id[NDEPTS];
    char hash[NUSERS][PWHASH_STR];
    bool seeded;
};

static int64_t site_by_code(const struct seed *sd, const char *code)
{
    for (size_t i = 0; i < NSITES; i++)
        if (strcmp(sites[i].code, code) == 0)
            return sd->site_id[i];
    return 0;
}

static int64_t dept_by_code(const struct seed *sd, const char *code)
{
    for (size_t i = 0; code && i < NDEPTS; i++)
        if (strcmp(depts[i].code, code) == 0)
            return sd->dept_id[i];
    return 0;
}

static enum bb_err seed_windows(struct store_tx *tx, struct seed *sd)
{
    const char *field = NULL;
    for (size_t s = 0; s < NSITES; s++)
        for (size_t w = 0; w < sizeof windows / sizeof windows[0]; w++) {
            const struct demo_window *dw = &windows[w];
            if (strcmp(dw->level, sites[s].level) != 0)
                continue;
            for (int n = 1; n <= dw->count; n++) {
                char name[96];
                if (dw->count > 1)
                    snprintf(name, sizeof name, "%s%d", dw->name, n);
                else
                    snprintf(name, sizeof name, "%s", dw->name);
                struct window_in in = {.set = F_DEPT, .site_id = sd->site_id[s],
                                       .kind = dw->kind, .name = name,
                                       .department_id = dept_by_code(sd, dw->dept)};
                int64_t id;
                enum bb_err rc = window_create(tx, NULL, &in, &id, &field);
                if (rc)
                    return rc;
            }
        }
    return BB_OK;
}

/* The demo catalogue (data/catalog/, compiled in), imported as the system. */
static enum bb_err seed_catalog(struct store_tx *tx)
{
    const struct embedded_file *items = data_file("/catalog/items.csv");
    const struct embedded_file *mats = data_file("/catalog/materials.csv");
    if (!items || !mats)
        return BB_INTERNAL;
    struct import_input in = {(const char *)items->data, (const char *)mats->data, items->len,
                              mats->len, "items.csv", "materials.csv", NULL};
    struct import_report rep;
    enum bb_err rc = catalog_import_tx(tx, NULL, &in, &rep);
    if (rc == BB_IMPORT_INVALID) { /* a broken demo file is a build bug: say where */
        char *s = json_dumps(rep.problems, JSON_COMPACT);
        log_msg("error", NULL, "demo catalogue: %s", s ? s : "?");
        free(s);
    }
    json_decref(rep.problems);
    return rc;
}

/* Offerings: the city centre accepts everything; townships and villages per
 * data/catalog/demo_offerings.csv (code, village_mode, township_mode). */
static enum bb_err seed_offerings(struct store_tx *tx, const struct seed *sd)
{
    const struct embedded_file *f = data_file("/catalog/demo_offerings.csv");
    if (!f)
        return BB_INTERNAL;
    enum bb_err rc = store_run(tx, "INSERT INTO site_items (site_id, item_id, mode) "
                                   "SELECT ?, id, 'accept' FROM items", "i", sd->site_id[0]);
    struct csv_reader r;
    csv_init(&r, (const char *)f->data, f->len, 4096);
    long line;
    int more = 1;
    if (!rc)
        rc = csv_next(&r, &line, &more); /* header */
    while (!rc && more) {
        rc = csv_next(&r, &line, &more);
        if (rc || !more || r.nfields != 3)
            break;
        for (size_t i = 1; !rc && i < NSITES; i++) {
            const char *mode = strcmp(sites[i].level, "village") == 0 ? r.fields[1] : r.fields[2];
            if (*mode)
                rc = store_run(tx, "INSERT INTO site_items (site_id, item_id, mode) "
                                   "SELECT ?, id, ? FROM items WHERE code = ?", "itt",
                               sd->site_id[i], mode, r.fields[0]);
        }
    }
    csv_free(&r);
    return rc;
}

/* Bookable services (预约): every site's general window, and the district's assisted one. */
static enum bb_err seed_booking(struct store_tx *tx, const struct seed *sd)
{
    enum bb_err rc = BB_OK;
    const char *field = NULL;
    for (size_t i = 0; !rc && i < NSITES; i++) {
        bool district = strcmp(sites[i].level, "district") == 0;
        struct bsvc_in in = {.site_id = sd->site_id[i], .name = "综合窗口预约", .kind = "general",
                             .hours = "09:00-12:00,13:30-17:30", .slot_minutes = 30,
                             .capacity = district ? 6 : 4};
        int64_t id;
        rc = bsvc_create(tx, NULL, &in, &id, &field);
        if (!rc && district) {
            in.name = "帮办代办预约";
            in.kind = "assisted";
            in.capacity = 4;
            rc = bsvc_create(tx, NULL, &in, &id, &field);
        }
    }
    return rc;
}

static enum bb_err seed_fn(struct store_tx *tx, void *arg)
{
    struct seed *sd = arg;
    bool found;
    int64_t any;
    enum bb_err rc = store_query_int(tx, "SELECT id FROM sites LIMIT 1", 0, NULL, &found, &any);
    if (rc || found)
        return rc; /* already has data: leave it alone */
    const char *field = NULL;
    for (size_t i = 0; i < NSITES; i++) {
        const struct demo_site *d = &sites[i];
        struct site_in in = {.set = F_ADDRESS | F_PHONE | F_HOURS | F_LAT | F_LNG,
                             .parent_id = d->parent ? site_by_code(sd, d->parent) : 0,
                             .level = d->level, .name = d->name, .code = d->code,
                             .address = d->address, .phone = d->phone, .lat = d->lat,
                             .lng = d->lng,
                             .hours = "工作日 9:00-12:00, 13:30-17:30(节假日除外)"};
        rc = site_create(tx, NULL, &in, &sd->site_id[i], &field);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < NDEPTS; i++) {
        struct dept_in in = {.code = depts[i].code, .name = depts[i].name};
        rc = dept_create(tx, NULL, &in, &sd->dept_id[i], &field);
        if (rc)
            return rc;
    }
    rc = seed_windows(tx, sd);
    for (size_t i = 0; !rc && i < NUSERS; i++) {
        const struct demo_user *u = &users[i];
        struct user_in in = {.set = F_DEPT, .login = u->login, .name = u->name, .role = u->role,
                             .site_id = site_by_code(sd, u->site),
                             .department_id = dept_by_code(sd, u->dept),
                             .password_hash = sd->hash[i]};
        int64_t id;
        rc = user_create(tx, NULL, &in, &id, &field);
    }
    if (!rc)
        rc = seed_catalog(tx);
    if (!rc)
        rc = seed_offerings(tx, sd);
    if (!rc)
        rc = seed_booking(tx, sd);
    if (!rc)
        sd->seeded = true;
    return rc;
}

enum bb_err demo_seed(struct store *st, bool *seeded)
{
    static struct seed sd; /* large (hashes); seeding runs once per process */
    memset(&sd, 0, sizeof sd);
    /* Hash outside the transaction: each hash takes tens of milliseconds. */
    for (size_t i = 0; i < NUSERS; i++) {
        enum bb_err rc = crypto_pw_hash(DEMO_PASSWORD, sd.hash[i]);
        if (rc)
            return rc;
    }
    enum bb_err rc = store_write(st, seed_fn, &sd);
    *seeded = sd.seeded;
    return rc;
}
