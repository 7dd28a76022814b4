/* test_diag.c - the diagnostics list (issue 12, point 6): each problem once,
 * in constant time; at most SS_DIAG_PRINT_MAX lines per file, then one line
 * with the count of the rest; and the pathological files of the issue
 * refused with a bounded message list (their speed is in bench/, not here).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "diag.h"
#include "util.h"

static char *printed(ss_diag *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    ss_diag_print(d, f);
    fclose(f);
    return buf;
}

static size_t lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void duplicates_once(void **state)
{
    (void)state;
    ss_diag *d = ss_diag_new();
    for (int r = 0; r < 3; r++)
        for (int i = 0; i < 50; i++)
            ss_diag_error(d, "a.xml", i + 1, "problem %d", i % 7);
    ss_diag_error(d, NULL, 0, "no file");
    ss_diag_error(d, NULL, 0, "no file");
    assert_int_equal(ss_diag_count(d), 51);
    assert_int_equal(ss_diag_error_count(d), 51);
    ss_diag_free(d);
}

/* 250 errors in one file, 3 in another: 100 + 3 lines and one "more" line,
 * the printed ones the first by line even when added out of order. */
static void at_most_100_per_file(void **state)
{
    (void)state;
    ss_diag *d = ss_diag_new();
    for (int i = 250; i >= 1; i--)
        ss_diag_error(d, "a.xml", i, "bad %d", i);
    for (int i = 1; i <= 3; i++)
        ss_diag_error(d, "b.xml", i, "bad %d", i);
    assert_int_equal(ss_diag_error_count(d), 253);
    ss_diag_sort(d);
    char *out = printed(d);
    assert_int_equal(lines(out), SS_DIAG_PRINT_MAX + 3 + 1);
    assert_non_null(strstr(out, "a.xml:1: error: bad 1\n"));
    assert_non_null(strstr(out, "a.xml:100: error: bad 100\n"));
    assert_null(strstr(out, "a.xml:101:"));
    assert_non_null(strstr(out, "a.xml: ... and 150 more errors\n"));
    assert_null(strstr(out, "b.xml: ..."));
    free(out);
    assert_int_equal(ss_diag_count(d), 0);
    ss_diag_free(d);
}

/* Lists merged from threads keep their counts, past what is kept too. */
static void take_keeps_counts(void **state)
{
    (void)state;
    ss_diag *a = ss_diag_new(), *b = ss_diag_new();
    for (int i = 0; i < 5000; i++)
        ss_diag_error(i % 2 ? a : b, "a.xml", i + 1, "bad");
    ss_diag_take(a, b);
    assert_int_equal(ss_diag_error_count(a), 5000);
    assert_int_equal(ss_diag_count(b), 0);
    ss_diag_sort(a);
    char *out = printed(a);
    assert_int_equal(lines(out), SS_DIAG_PRINT_MAX + 1);
    assert_non_null(strstr(out, "a.xml:1: error: bad\n"));
    assert_non_null(strstr(out, "a.xml: ... and 4900 more errors\n"));
    free(out);
    ss_diag_free(a);
    ss_diag_free(b);
}

/* The file: 200,000 unknown attributes.  On one element, it is
 * refused before libxml2 sees it (libxml2 2.9 is quadratic there); spread
 * over 200,000 elements, 100 lines and the count of the rest. */
static void two_hundred_thousand_attributes(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *one = ss_xasprintf("%s/one.xml", dir), *many = ss_xasprintf("%s/many.xml", dir);
    ss_buf b;
    ss_buf_init(&b);
    ss_buf_adds(&b, TU_SAMPLE_HEAD);
    ss_buf_adds(&b, "  <state code=\"ND\" name=\"North Dakota\"");
    for (int i = 0; i < 200000; i++)
        ss_buf_printf(&b, " a%d=\"1\"", i);
    ss_buf_adds(&b, ">\n    <figure key=\"cybertipline.reports\">1</figure>\n  </state>\n"
                    "</statedata>\n");
    tu_write(one, b.data);
    ss_buf_clear(&b);
    ss_buf_adds(&b, TU_SAMPLE_HEAD);
    ss_buf_adds(&b, "  <state code=\"ND\" name=\"North Dakota\">\n");
    for (int i = 0; i < 200000; i++)
        ss_buf_printf(&b, "    <figure key=\"k%d\" x=\"1\">1</figure>\n", i);
    ss_buf_adds(&b, "  </state>\n</statedata>\n");
    tu_write(many, b.data);
    ss_buf_free(&b);

    char *args = ss_xasprintf("--check '%s'", one), *err = NULL;
    assert_int_equal(tu_run(args, NULL, &err), 65);
    assert_int_equal(lines(err), 1);
    assert_non_null(strstr(err, "one.xml:16: error: an element here has more than 64 "
                                "attributes"));
    free(args), free(err);

    args = ss_xasprintf("--check '%s'", many);
    assert_int_equal(tu_run(args, NULL, &err), 65);
    assert_int_equal(lines(err), SS_DIAG_PRINT_MAX + 1);
    assert_non_null(strstr(err, "many.xml:17: error: <figure> has an attribute 'x'"));
    /* 200,000 attribute errors and the template's six figures that the
     * state lacks, reported in the same round: 100 shown. */
    char *more = ss_xasprintf("%s: ... and 199906 more errors\n", many);
    assert_non_null(strstr(err, more));
    free(args), free(err), free(more);
    tu_rmrf(dir);
    free(dir), free(one), free(many);
}

/* The same limit guards the template. */
static void crowded_template_tag(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *tpl = ss_xasprintf("%s/t.xml", dir);
    ss_buf b;
    ss_buf_init(&b);
    ss_buf_adds(&b, "<sheet version=\"1\"\n");
    for (int i = 0; i < 50000; i++)
        ss_buf_printf(&b, " a%d='>'", i);
    ss_buf_adds(&b, ">\n</sheet>\n");
    tu_write(tpl, b.data);
    ss_buf_free(&b);
    char *args = ss_xasprintf("--check -t '%s' data/ncmec-2023.xml", tpl), *err = NULL;
    assert_int_equal(tu_run(args, NULL, &err), 65);
    assert_non_null(strstr(err, "t.xml:1: error: an element here has more than 64"));
    free(args), free(err);
    tu_rmrf(dir);
    free(dir), free(tpl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(duplicates_once),
        cmocka_unit_test(at_most_100_per_file),
        cmocka_unit_test(take_keeps_counts),
        cmocka_unit_test(two_hundred_thousand_attributes),
        cmocka_unit_test(crowded_template_tag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
