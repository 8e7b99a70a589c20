/*
 * Helpers shared by the catalogue import/export tests (test_import.c,
 * test_import_cli.c): export and import calls, the problem checks, and the
 * bad and good files built from an export (docs/catalog-format.md).
 */
#ifndef BB_API_IMPORT_UTIL_H
#define BB_API_IMPORT_UTIL_H

#include <stddef.h>

#include "cat_util.h"

#define EXPORT "/api/v1/catalog/export?file="
#define IMPORT "/api/v1/catalog/import"
#define ITEM_COLS "code,name,domain,department,level,object,case_type,statutory_days," \
	"promised_days,fee,result_type,result,online,legal_basis,conditions,process,joint_departments"
#define MAT_COLS "item_code,name,required,condition,form,copies,source,note"
#define NEWITEM "11009913000"		/* created by good_files() */
#define CHANGED "11000102000"		/* renamed by good_files() */
#define CHANGED_NAME "城乡居民养老保险待遇申领（修订）"

/* Small files: items rows of new test items, and their materials (2 rows each). */
#define SI_HEAD ITEM_COLS "\n"
#define SI_ROW(code, extra) code ",测试导入事项" code ",民政救助,mz,township,individual," extra \
	",不收费,document,结果通知书,yes,《社会救助暂行办法》第十一条,本地户籍居民。,申请 > 受理 > 办结,\n"
#define SI_OK(code) SI_ROW(code, "promised,20,10")
#define SM_HEAD MAT_COLS "\n"
#define SM_ROW(code, rest) code "," rest "\n"
#define SM_OK(code) SM_ROW(code, "居民身份证,required,,original,0,申请人自备,") \
	SM_ROW(code, "委托书,conditional,委托他人办理的,copy,1,申请人自备,")

/* GET the export of file ("items" or "materials") as c: the CSV text (free it). */
char *export_as(struct client *c, const char *file);
/* POST the two files (NULL: member left out) as c; as req(). */
long import_as(struct client *c, const char *items, const char *mats, struct resp *r);
/* Expects 200 {"created":c,"updated":u,"unchanged":n}. */
#define expect_counts(r, c, u, n) expect_counts_at(__FILE__, __LINE__, (r), (c), (u), (n))
void expect_counts_at(const char *file, int line, const struct resp *r, long long c,
		      long long u, long long n);
/* table_parse() that fails the test on malformed text. */
void parse_csv(const char *text, struct table *t);

/* A problem expected in error.problems: file "items"/"materials", line, column name(s). */
struct want_problem {
	const char *file;
	long line;
	const char *columns;	/* '|' separated names (a 1-based number also matches); NULL: any */
};
/* Checks r is 422 import_invalid listing every wanted problem (each fully described);
 * prints what differs and returns how many checks failed. */
int check_problems(const struct resp *r, const struct want_problem *w, size_t n,
		   const char *what);
/* Index (file row) of code in t (column 0); fails the test when absent. */
size_t row_of(const struct table *t, const char *code);
/* The exported files with three problems on different lines (items line 3 domain, items
 * line 5 promised_days > statutory_days, a material of an unknown item on *mat_line) plus
 * one valid change (line 2's name; its code into changed_code[12]). Free *items, *mats. */
void bad_files(const char *items0, const char *mats0, char **items, char **mats, long *mat_line,
	       char *changed_code);
/* The exported files plus one new item NEWITEM (2 materials) and CHANGED renamed to
 * CHANGED_NAME. Free *items, *mats. */
void good_files(const char *items0, const char *mats0, char **items, char **mats);

#endif
