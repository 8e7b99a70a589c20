/* test_csv.c - the RFC 4180 reader and writer (core/csv.c): quoting, line breaks inside fields
 * and the line numbers after them, BOM, CRLF, empty fields, every error, and write->read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/buf.h"
#include "core/csv.h"

#define CAP (64 * 1024)

/* Reads the next record of r and checks it starts on want_line and holds the want fields. */
static void next_is(struct csv_reader *r, long want_line, int n, const char *const *want,
                    int at)
{
    long line = -1;
    int more = 0;
    enum bb_err rc = csv_next(r, &line, &more);
    if (rc != BB_OK)
        fail_msg("line %d: csv_next %s (%s at %ld)", at, bb_err_code(rc),
                 r->err_what ? r->err_what : "-", r->err_line);
    if (!more)
        fail_msg("line %d: no record, want one on line %ld", at, want_line);
    if (line != want_line)
        fail_msg("line %d: record on line %ld, want %ld", at, line, want_line);
    if (r->nfields != n)
        fail_msg("line %d: %d fields, want %d", at, r->nfields, n);
    for (int i = 0; i < n; i++)
        if (strcmp(r->fields[i], want[i]) != 0)
            fail_msg("line %d: field %d is [%s], want [%s]", at, i, r->fields[i], want[i]);
}
#define NEXT(r, line, ...)                                                                     \
    do {                                                                                       \
        const char *const want_[] = {__VA_ARGS__};                                             \
        next_is(r, line, (int)(sizeof want_ / sizeof want_[0]), want_, __LINE__);              \
    } while (0)

static void at_end(struct csv_reader *r)
{
    long line = -1;
    int more = 1;
    assert_int_equal(csv_next(r, &line, &more), BB_OK);
    assert_int_equal(more, 0);
    /* and stays there */
    more = 1;
    assert_int_equal(csv_next(r, &line, &more), BB_OK);
    assert_int_equal(more, 0);
}

static void open_text(struct csv_reader *r, const char *text)
{
    csv_init(r, text, strlen(text), CAP);
}

static void test_plain_and_quoted(void **state)
{
    (void)state;
    struct csv_reader r;
    open_text(&r, "code,name\n"
                  "a,\"b,c\",\"say \"\"hi\"\"\",d\n"
                  "\"\",\"\"\"\",\"\"\"\"\"\"\n"
                  "\"锡林浩特,市\",政务服务中心\n");
    NEXT(&r, 1, "code", "name");
    NEXT(&r, 2, "a", "b,c", "say \"hi\"", "d");
    NEXT(&r, 3, "", "\"", "\"\"");
    NEXT(&r, 4, "锡林浩特,市", "政务服务中心");
    at_end(&r);
    csv_free(&r);
}

/* Line breaks inside quotes are data; the following records keep their true line numbers. */
static void test_embedded_line_breaks(void **state)
{
    (void)state;
    struct csv_reader r;
    open_text(&r, "\"x\ny\",1\n"
                  "\"p\r\nq\",2\r\n"
                  "last,3\n"
                  "\"three\nline\nfield\",\"and\n\"\n"
                  "end,4\n");
    NEXT(&r, 1, "x\ny", "1");
    NEXT(&r, 3, "p\r\nq", "2");
    NEXT(&r, 5, "last", "3");
    NEXT(&r, 6, "three\nline\nfield", "and\n");
    NEXT(&r, 10, "end", "4");
    at_end(&r);
    csv_free(&r);
}

static void test_bom_and_crlf(void **state)
{
    (void)state;
    struct csv_reader r;
    open_text(&r, "\xEF\xBB\xBF" "code,name\r\n1,甲\r\n2,乙\r\n");
    NEXT(&r, 1, "code", "name");
    NEXT(&r, 2, "1", "甲");
    NEXT(&r, 3, "2", "乙");
    at_end(&r);
    csv_free(&r);

    /* only a leading BOM is skipped */
    open_text(&r, "a\n\xEF\xBB\xBF" "b\n");
    NEXT(&r, 1, "a");
    NEXT(&r, 2, "\xEF\xBB\xBF" "b");
    at_end(&r);
    csv_free(&r);

    /* a BOM alone, or nothing at all: no records */
    open_text(&r, "\xEF\xBB\xBF");
    at_end(&r);
    csv_free(&r);
    open_text(&r, "");
    at_end(&r);
    csv_free(&r);

    /* LF and CRLF mixed in one file */
    open_text(&r, "a\r\nb\nc\r\n");
    NEXT(&r, 1, "a");
    NEXT(&r, 2, "b");
    NEXT(&r, 3, "c");
    at_end(&r);
    csv_free(&r);
}

static void test_empty_fields_and_endings(void **state)
{
    (void)state;
    struct csv_reader r;
    open_text(&r, ",,\na,,\"\"\n\n,x\n");
    NEXT(&r, 1, "", "", "");
    NEXT(&r, 2, "a", "", "");
    NEXT(&r, 3, ""); /* a blank line is a record of one empty field */
    NEXT(&r, 4, "", "x");
    at_end(&r);
    csv_free(&r);

    /* without a final newline */
    open_text(&r, "a,b\nc,d");
    NEXT(&r, 1, "a", "b");
    NEXT(&r, 2, "c", "d");
    at_end(&r);
    csv_free(&r);
    open_text(&r, "a,");
    NEXT(&r, 1, "a", "");
    at_end(&r);
    csv_free(&r);
    open_text(&r, "\"q,1\"");
    NEXT(&r, 1, "q,1");
    at_end(&r);
    csv_free(&r);
    open_text(&r, "a,b\r\n");
    NEXT(&r, 1, "a", "b");
    at_end(&r);
    csv_free(&r);

    /* exactly CSV_MAX_FIELDS fields is fine */
    struct buf b;
    buf_init(&b, CAP);
    for (int i = 0; i < CSV_MAX_FIELDS; i++)
        assert_int_equal(buf_addstr(&b, i ? ",f" : "f"), BB_OK);
    assert_int_equal(buf_addstr(&b, "\n"), BB_OK);
    csv_init(&r, b.data, b.len, CAP);
    long line;
    int more;
    assert_int_equal(csv_next(&r, &line, &more), BB_OK);
    assert_int_equal(more, 1);
    assert_int_equal(r.nfields, CSV_MAX_FIELDS);
    assert_string_equal(r.fields[CSV_MAX_FIELDS - 1], "f");
    csv_free(&r);
    buf_free(&b);
}

/* Reads records until one fails; checks the error, its line and message. */
static void fails_at(const char *text, enum bb_err want, long want_line, const char *what,
                     int at)
{
    struct csv_reader r;
    open_text(&r, text);
    enum bb_err rc;
    long line;
    int more = 1, records = 0;
    while ((rc = csv_next(&r, &line, &more)) == BB_OK && more)
        records++;
    long got_line = r.err_line;
    const char *got_what = r.err_what; /* a string constant */
    csv_free(&r);
    if (rc != want)
        fail_msg("line %d: got %s after %d records, want %s", at, bb_err_code(rc), records,
                 bb_err_code(want));
    if (got_line != want_line)
        fail_msg("line %d: err_line %ld, want %ld", at, got_line, want_line);
    if (!got_what || strcmp(got_what, what) != 0)
        fail_msg("line %d: err_what %s, want %s", at, got_what ? got_what : "(null)", what);
}
#define FAILS(text, want, line, what) fails_at(text, want, line, what, __LINE__)

static void test_errors(void **state)
{
    (void)state;
    /* an unterminated quote is reported on the line its record starts */
    FAILS("a,b\n\"open,\nmore\nstill\n", BB_INVALID, 2, "unterminated quote");
    FAILS("\"", BB_INVALID, 1, "unterminated quote");
    FAILS("a\nb\nc,\"x\"\"", BB_INVALID, 3, "unterminated quote");
    FAILS("a,b\nc,d\"e\n", BB_INVALID, 2, "quote inside an unquoted field");
    FAILS("x\"\n", BB_INVALID, 1, "quote inside an unquoted field");
    FAILS("ok\n\"ab\"c,d\n", BB_INVALID, 2, "text after a closing quote");
    FAILS("\"ab\" ,d\n", BB_INVALID, 1, "text after a closing quote");
    /* after a multi-line record, errors on single-line records still get the right line */
    FAILS("\"a\nb\",1\nx,y\"\n", BB_INVALID, 3, "quote inside an unquoted field");
    FAILS("\"a\r\nb\",1\r\n\"c\r\nd\r\n", BB_INVALID, 3, "unterminated quote");
}

/* Records over the cap and records with too many fields: BB_TOO_LARGE, with the line the
 * record starts on. */
static void test_record_cap(void **state)
{
    (void)state;
    char big[200];
    memset(big, 'x', sizeof big - 2);
    big[sizeof big - 2] = '\n';
    big[sizeof big - 1] = '\0';
    struct csv_reader r;
    csv_init(&r, big, strlen(big), 64);
    long line;
    int more;
    assert_int_equal(csv_next(&r, &line, &more), BB_TOO_LARGE);
    assert_int_equal(r.err_line, 1);
    assert_non_null(r.err_what);
    csv_free(&r);

    /* a quoted multi-line field over the cap, after a record that fits */
    const char *text = "short,row\n\"0123456789\n0123456789\n0123456789,0123456789\"\n";
    csv_init(&r, text, strlen(text), 32);
    assert_int_equal(csv_next(&r, &line, &more), BB_OK);
    assert_int_equal(more, 1);
    assert_int_equal(csv_next(&r, &line, &more), BB_TOO_LARGE);
    assert_int_equal(r.err_line, 2);
    csv_free(&r);

    /* the cap is per record, not per file */
    struct buf b;
    buf_init(&b, CAP);
    for (int i = 0; i < 200; i++)
        assert_int_equal(buf_addstr(&b, "abcdefghij,klmnopqrst\n"), BB_OK);
    csv_init(&r, b.data, b.len, 64);
    int n = 0;
    while (csv_next(&r, &line, &more) == BB_OK && more)
        n++;
    assert_int_equal(n, 200);
    assert_int_equal(line, 200);
    csv_free(&r);
    buf_free(&b);

    /* CSV_MAX_FIELDS + 1 fields, on a record starting on line 2 */
    buf_init(&b, CAP);
    assert_int_equal(buf_addstr(&b, "ok\n\"multi\nline\""), BB_OK);
    for (int i = 1; i <= CSV_MAX_FIELDS; i++)
        assert_int_equal(buf_addstr(&b, ",f"), BB_OK);
    assert_int_equal(buf_addstr(&b, "\n"), BB_OK);
    csv_init(&r, b.data, b.len, CAP);
    assert_int_equal(csv_next(&r, &line, &more), BB_OK);
    assert_int_equal(csv_next(&r, &line, &more), BB_TOO_LARGE);
    assert_int_equal(r.err_line, 2);
    assert_string_equal(r.err_what, "too many fields");
    csv_free(&r);
    buf_free(&b);
}

/* Errors name the line the bad record starts on (catalog-format.md: "line = the line the
 * record starts on"), even when a quoted field before the fault spans lines. */
static void test_error_line_is_record_start(void **state)
{
    (void)state;
    FAILS("x\n\"a\nb\"c\n", BB_INVALID, 2, "text after a closing quote");
    FAILS("x\n\"a\r\nb\",c\"d\n", BB_INVALID, 2, "quote inside an unquoted field");
    FAILS("x\n\"a\nb\",\"c\nd\"\"\n", BB_INVALID, 2, "unterminated quote");
}

static void test_writer_quoting(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, CAP);
    const char *f[] = {"plain", "a,b", "say \"hi\"", "line\nbreak", " lead", "trail ", "",
                       NULL, "cr\r", "in side", "中文，全角逗号"};
    assert_int_equal(csv_write_row(&b, f, (int)(sizeof f / sizeof f[0])), BB_OK);
    assert_string_equal(b.data, "plain,\"a,b\",\"say \"\"hi\"\"\",\"line\nbreak\",\" lead\","
                                "\"trail \",,,\"cr\r\",in side,中文，全角逗号\n");
    buf_free(&b);

    const char *one[] = {"\""};
    assert_int_equal(csv_write_row(&b, one, 1), BB_OK);
    assert_int_equal(csv_write_row(&b, one, 0), BB_OK); /* no fields: an empty line */
    assert_string_equal(b.data, "\"\"\"\"\n\n");
    buf_free(&b);

    /* the buffer's cap is honoured */
    buf_init(&b, 8);
    const char *longer[] = {"0123456789"};
    assert_int_equal(csv_write_row(&b, longer, 1), BB_TOO_LARGE);
    buf_free(&b);
}

static void test_round_trip(void **state)
{
    (void)state;
    static const char *const rows[][4] = {
        {"code", "name", "note", "empty"},
        {"11000101000", "城乡居民基本养老保险参保登记", "《社会保险法》第二十条，第二十二条", ""},
        {"\"", "\"\"", ",", "\n"},
        {"\r\n", " ", "a\"b,c\nd", "末尾空格 "},
        {" 前导空格", "多行\n文本\r\n第三行", "引号“中文”和\"英文\"", "tab\there"},
        {",,,", "\"\n\"", "x", "\xEF\xBB\xBF" "bom"},
    };
    size_t nrows = sizeof rows / sizeof rows[0];
    struct buf b;
    buf_init(&b, CAP);
    for (size_t i = 0; i < nrows; i++)
        assert_int_equal(csv_write_row(&b, rows[i], 4), BB_OK);

    for (int crlf = 0; crlf < 2; crlf++) {
        struct buf text;
        buf_init(&text, CAP);
        if (crlf) { /* the same file as Windows writes it: a BOM and CRLF record ends */
            assert_int_equal(buf_addstr(&text, "\xEF\xBB\xBF"), BB_OK);
            for (size_t i = 0; i < nrows; i++) {
                struct buf row;
                buf_init(&row, CAP);
                assert_int_equal(csv_write_row(&row, rows[i], 4), BB_OK);
                assert_int_equal(buf_add(&text, row.data, row.len - 1), BB_OK);
                assert_int_equal(buf_addstr(&text, "\r\n"), BB_OK);
                buf_free(&row);
            }
        } else {
            assert_int_equal(buf_add(&text, b.data, b.len), BB_OK);
        }
        struct csv_reader r;
        csv_init(&r, text.data, text.len, CAP);
        long want_line = 1;
        for (size_t i = 0; i < nrows; i++) {
            next_is(&r, want_line, 4, rows[i], (int)i);
            for (int k = 0; k < 4; k++)
                for (const char *p = rows[i][k]; *p; p++)
                    want_line += *p == '\n';
            want_line++;
        }
        at_end(&r);
        csv_free(&r);
        buf_free(&text);
    }

    /* write -> read -> write gives the same bytes */
    struct csv_reader r;
    csv_init(&r, b.data, b.len, CAP);
    struct buf again;
    buf_init(&again, CAP);
    long line;
    int more;
    while (csv_next(&r, &line, &more) == BB_OK && more)
        assert_int_equal(csv_write_row(&again, r.fields, r.nfields), BB_OK);
    assert_int_equal(again.len, b.len);
    assert_memory_equal(again.data, b.data, b.len);
    csv_free(&r);
    buf_free(&again);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_quoted),
        cmocka_unit_test(test_embedded_line_breaks),
        cmocka_unit_test(test_bom_and_crlf),
        cmocka_unit_test(test_empty_fields_and_endings),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_record_cap),
        cmocka_unit_test(test_error_line_is_record_start),
        cmocka_unit_test(test_writer_quoting),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
