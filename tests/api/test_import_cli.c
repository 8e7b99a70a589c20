/*
 * CLI tests: `bangban import-catalog` and `export-catalog` (docs/catalog-format.md
 * "Import rules"), run on their own seeded database next to the server's: exit
 * codes, every problem printed as file:line:column: message, nothing written on
 * failure, output equal to the API export; and large files (progress every 1,000
 * rows; API import bodies over 1 MiB accepted, over 16 MiB refused).
 * Usage: api_test_import_cli <path to bangban> <data/catalog dir>
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <limits.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "import_util.h"

static struct srv *server;
static struct client *admin;
static char *exp_items0, *exp_mats0;	/* the server's exports of the freshly seeded database */
static char cli_db[PATH_MAX], cli_dir[PATH_MAX / 2];	/* the CLI's own database and files */

static char *export(const char *file)
{
	return export_as(admin, file);
}

static int setup(void **state)
{
	char mk[PATH_MAX];

	if (srv_group_setup(state))
		return -1;
	server = *state;
	admin = client_new(*state);
	login_ok(admin, "admin", PW);
	if (strlen(srv_dir(server)) > sizeof(cli_dir) - 8)
		return -1;
	snprintf(cli_dir, sizeof(cli_dir), "%.*s/cli", (int)sizeof(cli_dir) - 8, srv_dir(server));
	snprintf(cli_db, sizeof(cli_db), "%s/cli.db", cli_dir);
	snprintf(mk, sizeof(mk), "%s/bad", cli_dir);
	if (mkdir(cli_dir, 0700) != 0 || mkdir(mk, 0700) != 0) {
		fprintf(stderr, "mkdir %s failed\n", mk);
		return -1;
	}
	exp_items0 = export("items");
	exp_mats0 = export("materials");
	return 0;
}

static int teardown(void **state)
{
	client_free(admin);
	admin = NULL;
	free(exp_items0);
	free(exp_mats0);
	return srv_group_teardown(state);
}

static char *path_in(const char *name)
{
	char *p = malloc(PATH_MAX);

	assert_non_null(p);
	snprintf(p, PATH_MAX, "%s/%s", cli_dir, name);
	return p;
}

static int cli_export(const char *items_out, const char *mats_out, char **err)
{
	const char *args[] = { "export-catalog", "--db", cli_db, "--items", items_out, "--materials",
			       mats_out, NULL };

	return run_bin(server, args, NULL, err);
}

static int cli_import(const char *items, const char *mats, char **err)
{
	const char *args[] = { "import-catalog", "--db", cli_db, items, mats, NULL };

	return run_bin(server, args, NULL, err);
}

static int matches(const char *s, const char *re)
{
	regex_t rx;
	int ok;

	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB | REG_NEWLINE) != 0)
		fail_at("bad regex %s", re);
	ok = regexec(&rx, s, 0, NULL, 0) == 0;
	regfree(&rx);
	return ok;
}

static void test_cli(void **state)
{
	const char *seed[] = { "seed-demo", "--db", cli_db, NULL };
	char *o1, *o2, *err = NULL, *text, *bi, *bm, changed[16];
	char *items, *mats;
	long mline;
	int st, bad = 0;

	(void)state;
	st = run_bin(server, seed, NULL, &err);
	if (st != 0)
		fail_at("seed-demo --db %s: exit %d: %s", cli_db, st, err);
	free(err);
	o1 = path_in("items-out.csv");
	o2 = path_in("materials-out.csv");
	st = cli_export(o1, o2, &err);
	if (st != 0)
		fail_at("export-catalog: exit %d, want 0: %s", st, err);
	free(err);
	text = file_read(o1, NULL);
	if (!text || strcmp(text, exp_items0) != 0) {
		fprintf(stderr, "MISMATCH export-catalog --items differs from GET " EXPORT "items\n");
		bad++;
	}
	free(text);
	text = file_read(o2, NULL);
	if (!text || strcmp(text, exp_mats0) != 0) {
		fprintf(stderr, "MISMATCH export-catalog --materials differs from GET " EXPORT "materials\n");
		bad++;
	}
	free(text);

	/* bad files: exit 1, every problem as file:line:column: message, nothing written */
	bad_files(exp_items0, exp_mats0, &items, &mats, &mline, changed);
	bi = path_in("bad/items.csv");
	bm = path_in("bad/materials.csv");
	file_write(bi, items);
	file_write(bm, mats);
	free(items);
	free(mats);
	st = cli_import(bi, bm, &err);
	{
		char re[3][128];

		snprintf(re[0], sizeof(re[0]), "items\\.csv:3:(domain|3): .+");
		snprintf(re[1], sizeof(re[1]), "items\\.csv:5:(promised_days|statutory_days|8|9): .+");
		snprintf(re[2], sizeof(re[2]), "materials\\.csv:%ld:(item_code|1): .+", mline);
		if (st != 1) {
			fprintf(stderr, "MISMATCH import-catalog with 3 bad rows: exit %d, want 1\n", st);
			bad++;
		}
		for (int k = 0; k < 3; k++)
			if (!matches(err, re[k])) {
				fprintf(stderr, "MISMATCH import-catalog stderr lacks /%s/:\n%.2000s\n", re[k], err);
				bad++;
			}
	}
	free(err);
	st = cli_export(o1, o2, &err);
	free(err);
	text = file_read(o1, NULL);
	if (st != 0 || !text || strcmp(text, exp_items0) != 0) {
		fprintf(stderr, "MISMATCH the refused import-catalog wrote something\n");
		bad++;
	}
	free(text);

	/* good files: exit 0, the new and changed items exported */
	good_files(exp_items0, exp_mats0, &items, &mats);
	free(bi);
	free(bm);
	bi = path_in("items.csv");
	bm = path_in("materials.csv");
	file_write(bi, items);
	file_write(bm, mats);
	st = cli_import(bi, bm, &err);
	if (st != 0) {
		fprintf(stderr, "MISMATCH import-catalog of good files: exit %d, want 0: %s\n", st, err);
		bad++;
	}
	free(err);
	st = cli_export(o1, o2, &err);
	free(err);
	text = file_read(o1, NULL);
	if (st != 0 || !has(text, NEWITEM) || !has(text, CHANGED_NAME)) {
		fprintf(stderr, "MISMATCH after import-catalog the export lacks the new or changed item\n");
		bad++;
	}
	free(text);
	st = cli_import(o1, o2, &err);	/* its own export imports cleanly */
	if (st != 0) {
		fprintf(stderr, "MISMATCH import-catalog of its own export: exit %d: %s\n", st, err);
		bad++;
	}
	free(err);
	{
		char *missing = path_in("no-such-file.csv");

		st = cli_import(missing, bm, &err);
		if (st == 0) {
			fprintf(stderr, "MISMATCH import-catalog of a missing file: exit 0\n");
			bad++;
		}
		free(err);
		free(missing);
	}
	free(items);
	free(mats);
	free(bi);
	free(bm);
	free(o1);
	free(o2);
	if (bad)
		fail_at("%d CLI mismatches", bad);
}

/* Large files: progress on stderr every 1,000 rows (CLI); the API takes bodies over 1 MiB. */
static void test_large(void **state)
{
	size_t n = 2500, cap = n * 1200 + 4096;
	char *items = malloc(cap), *mats = malloc(n * 300 + 4096), *pi = items, *pm = mats;
	char *bi = path_in("big-items.csv"), *bm = path_in("big-materials.csv"), *err = NULL;
	char filler[601] = "";
	struct resp r;
	int st;

	(void)state;
	assert_true(items && mats);
	for (int i = 0; i < 100; i++)
		strcat(filler, "材料");	/* 600 bytes of conditions per row */
	pi += sprintf(pi, ITEM_COLS "\n");
	pm += sprintf(pm, MAT_COLS "\n");
	for (size_t i = 0; i < n; i++) {
		pi += sprintf(pi, "110%05zu000,批量导入测试事项%zu,其他,mz,village,both,immediate,5,0,不收费,"
			      "none,无,no,《测试办法》第%zu条,%s,申请 > 办结,\n", 30000 + i, i, i + 1, filler);
		pm += sprintf(pm, "110%05zu000,居民身份证,required,,original,0,申请人自备,\n", 30000 + i);
		pm += sprintf(pm, "110%05zu000,申请表,required,,original,1,窗口领取,\n", 30000 + i);
	}
	file_write(bi, items);
	file_write(bm, mats);
	st = cli_import(bi, bm, &err);
	if (st != 0)
		fail_at("import-catalog of %zu rows: exit %d: %.500s", n, st, err);
	if (!(has(err, "1000") || has(err, "1,000")) || !(has(err, "2000") || has(err, "2,000")))
		fail_at("import-catalog of %zu rows: no progress every 1,000 rows on stderr: %.500s", n, err);
	free(err);
	if (strlen(items) + strlen(mats) <= (1u << 20))
		fail_at("test bug: the big import is not over 1 MiB");
	import_as(admin, items, mats, &r);
	expect_counts(&r, (long long)n, 0, 0);
	resp_free(&r);
	free(items);
	free(mats);
	free(bi);
	free(bm);
	/* over 16 MiB: 413 */
	{
		size_t big = (16u << 20) + 1024;
		char *huge = malloc(big + 64);

		assert_non_null(huge);
		memset(huge, ' ', big + 63);
		memcpy(huge, "{\"items_csv\":\"", 14);
		memcpy(huge + big + 60, "\"}", 2);
		huge[big + 62] = '\0';
		req(admin, "POST", IMPORT, huge, NULL, &r);
		expect_error(&r, 413, "too_large", NULL);
		resp_free(&r);
		free(huge);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cli),
		cmocka_unit_test(test_large),
	};
	int rc;

	if (cat_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests_name("import_cli", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
