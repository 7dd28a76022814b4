/* test_pdfcopy.c - the combined file's object copier (issue 12): objects
 * are copied with every reference renumbered and nothing else changed,
 * mapped objects are never copied, what the reader does not know it
 * refuses, and the file it writes reads back.  Small PDFs written here
 * stand for libharu's; the real ones are read back in the e2e tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "testutil.h"

#include "pdfcopy.h"
#include "util.h"

/* A classic PDF with objects 1..n holding bodies[i-1], its cross-reference
 * table and a trailer naming 1 as /Root. */
static char *make_pdf(const char *const *bodies, size_t n, size_t *len)
{
    ss_buf b;
    ss_buf_init(&b);
    ss_buf_adds(&b, "%PDF-1.3\n%\xB7\xBE\xAD\xAA\n");
    size_t *off = ss_xcalloc(n + 1, sizeof *off);
    for (size_t i = 0; i < n; i++) {
        off[i + 1] = b.len;
        ss_buf_printf(&b, "%zu 0 obj\n%s\nendobj\n", i + 1, bodies[i]);
    }
    size_t xref = b.len;
    ss_buf_printf(&b, "xref\n0 %zu\n0000000000 65535 f\r\n", n + 1);
    for (size_t i = 1; i <= n; i++)
        ss_buf_printf(&b, "%010zu 00000 n\r\n", off[i]);
    ss_buf_printf(&b, "trailer\n<<\n/Root 1 0 R\n/Size %zu\n>>\nstartxref\n%zu\n%%%%EOF\n",
                  n + 1, xref);
    free(off);
    *len = b.len;
    return ss_buf_steal(&b);
}

static bool to_buf(void *ctx, const void *data, size_t len)
{
    ss_buf_add(ctx, data, len);
    return true;
}

static bool refuse_writes(void *ctx, const void *data, size_t len)
{
    (void)ctx, (void)data, (void)len;
    return false;
}

/* A one-page file as render_pdf makes them, in miniature: the page's
 * content has an indirect /Length, as libharu writes it. */
static const char *const PAGE_FILE[] = {
    /* 1 */ "<<\n/Type /Catalog\n/Pages 2 0 R\n/StructTreeRoot 6 0 R\n>>",
    /* 2 */ "<<\n/Type /Pages\n/Kids [ 3 0 R ]\n/Count 1\n>>",
    /* 3 */ "<<\n/Type /Page\n/Contents 4 0 R\n/Resources <<\n/Font <<\n/F0 5 0 R\n>>\n>>\n"
            "/Parent 2 0 R\n/StructParents 7\n>>",
    /* 4 */ "<<\n/Length 8 0 R\n>>\nstream\r\nBT (1 0 R endobj) Tj ET\nendstream",
    /* 5 */ "<<\n/Type /Font\n/Subtype /Type0\n>>",
    /* 6 */ "<<\n/Type /StructTreeRoot\n/K 7 0 R\n/ParentTree <<\n/Nums [ 7 [ 9 0 R 9 0 R ] ]\n"
            ">>\n>>",
    /* 7 */ "<<\n/S /Document\n/P 6 0 R\n/K [ 9 0 R ]\n>>",
    /* 8 */ "23",
    /* 9 */ "<<\n/S /P\n/P 7 0 R\n/Pg 3 0 R\n/ActualText (a\\) 3 0 R \\(b)\n/K 0\n>>",
};

/* Copies the page of PAGE_FILE with its tree and font mapped away, and
 * reads the result back. */
static void copies_a_page_renumbered(void **state)
{
    (void)state;
    size_t len;
    char *src = make_pdf(PAGE_FILE, 9, &len);
    ss_pdfin *in = ss_pdfin_open(src, len);
    assert_non_null(in);
    assert_int_equal(ss_pdfin_trailer(in, "Root"), 1);
    assert_int_equal(ss_pdfin_ref(in, 1, "Pages"), 2);
    assert_int_equal(ss_pdfin_ref(in, 2, "Kids#0"), 3);
    assert_int_equal(ss_pdfin_ref(in, 3, "Resources/Font/F0"), 5);
    assert_int_equal(ss_pdfin_ref(in, 6, "ParentTree/Nums#1#1"), 9);
    assert_int_equal(ss_pdfin_ref(in, 2, "Kids#1"), 0);      /* no such element */
    assert_int_equal(ss_pdfin_ref(in, 3, "Resources/Font/F1"), 0);
    assert_int_equal(ss_pdfin_ref(in, 2, "Count"), 0);       /* not a reference */

    ss_buf out;
    ss_buf_init(&out);
    ss_pdfout *w = ss_pdfout_new(to_buf, &out);
    assert_true(ss_pdfout_header(w, in));
    long pages = ss_pdfout_reserve(w), font = ss_pdfout_reserve(w);
    long doc = ss_pdfout_reserve(w), root = ss_pdfout_reserve(w);
    ss_pdfin_map(in, 2, pages);
    ss_pdfin_map(in, 5, font);
    ss_pdfin_map(in, 7, doc);
    ss_pdfin_map(in, 6, root);
    long page = ss_pdfout_copy(w, in, 3, 0, NULL);
    assert_true(page > root);
    long nums = ss_pdfout_copy_value(w, in, 6, "ParentTree/Nums#1");
    assert_true(nums > page);
    long elem = ss_pdfout_copy(w, in, 9, 0, "\n/Extra true"); /* copied already */
    assert_int_equal(elem, 0);
    /* Mapped objects are not copied: the font's and tree's text is not there. */
    assert_null(strstr(out.data, "/Type0"));
    assert_null(strstr(out.data, "/Document"));
    assert_null(strstr(out.data, "/StructTreeRoot"));
    /* The text of strings and streams is never taken for a reference. */
    assert_non_null(strstr(out.data, "/ActualText (a\\) 3 0 R \\(b)"));
    assert_non_null(strstr(out.data, "BT (1 0 R endobj) Tj ET"));
    char want[64];
    snprintf(want, sizeof want, "/Parent %ld 0 R", pages);
    assert_non_null(strstr(out.data, want));
    snprintf(want, sizeof want, "/F0 %ld 0 R", font);
    assert_non_null(strstr(out.data, want));
    snprintf(want, sizeof want, "/P %ld 0 R", doc);
    assert_non_null(strstr(out.data, want));

    /* Not every reserved object is written yet: no end. */
    char sha[65];
    size_t total;
    assert_false(ss_pdfout_finish(w, root, root, sha, &total));
    char body[96];
    snprintf(body, sizeof body, "<<\n/Type /Pages\n/Kids [ %ld 0 R ]\n/Count 1\n>>", page);
    assert_true(ss_pdfout_put(w, pages, body, strlen(body)));
    assert_false(ss_pdfout_put(w, pages, body, strlen(body))); /* twice */
    assert_true(ss_pdfout_put(w, font, "<< /Type /Font >>", 17));
    assert_true(ss_pdfout_put(w, doc, "<< /S /Document >>", 18));
    snprintf(body, sizeof body, "<<\n/Type /Catalog\n/Pages %ld 0 R\n>>", pages);
    assert_true(ss_pdfout_put(w, root, body, strlen(body)));
    assert_true(ss_pdfout_finish(w, root, doc, sha, &total));
    assert_int_equal(total, out.len);

    /* The SHA-256 is the file's, and the ID that of what comes before
     * the cross-reference table. */
    uint8_t d[32];
    char hex[65];
    ss_sha256_hex(out.data, out.len, hex);
    assert_string_equal(sha, hex);
    const char *xref = strstr(out.data, "\nxref\n");
    assert_non_null(xref);
    ss_sha256(out.data, (size_t)(xref + 1 - out.data), d);
    char id[40];
    for (int i = 0; i < 16; i++)
        snprintf(id + 2 * i, 3, "%02X", d[i]);
    assert_non_null(strstr(xref, id));

    /* What was written reads back, references and stream intact. */
    ss_pdfin *back = ss_pdfin_open(out.data, out.len);
    assert_non_null(back);
    assert_int_equal(ss_pdfin_trailer(back, "Root"), root);
    assert_int_equal(ss_pdfin_ref(back, root, "Pages"), pages);
    assert_int_equal(ss_pdfin_ref(back, pages, "Kids#0"), page);
    assert_int_equal(ss_pdfin_ref(back, page, "Resources/Font/F0"), font);
    assert_int_equal(ss_pdfin_ref(back, nums, "#0"), ss_pdfin_ref(back, nums, "#1"));
    long content = ss_pdfin_ref(back, page, "Contents");
    assert_true(content > 0);
    ss_pdfout_free(w);
    ss_pdfin_free(back);
    ss_pdfin_free(in);
    ss_buf_free(&out);
    free(src);
}

/* Entries given as 'extra' go inside the copied dictionary. */
static void extra_entries_join_the_dictionary(void **state)
{
    (void)state;
    static const char *const objs[] = {"<< /Type /Catalog >>",
                                       "<<\n/Title (x)\n/Parent 1 0 R\n>>", "[ 1 0 R ]"};
    size_t len;
    char *src = make_pdf(objs, 3, &len);
    ss_pdfin *in = ss_pdfin_open(src, len);
    assert_non_null(in);
    ss_buf out;
    ss_buf_init(&out);
    ss_pdfout *w = ss_pdfout_new(to_buf, &out);
    assert_true(ss_pdfout_header(w, in));
    long parent = ss_pdfout_reserve(w);
    ss_pdfin_map(in, 1, parent);
    long item = ss_pdfout_copy(w, in, 2, 0, "\n/Next 77 0 R");
    assert_true(item > 0);
    char want[96];
    snprintf(want, sizeof want, "%ld 0 obj\n<<\n/Title (x)\n/Parent %ld 0 R\n/Next 77 0 R\n>>\n"
             "endobj\n", item, parent);
    assert_non_null(strstr(out.data, want));
    /* Only a dictionary takes entries. */
    assert_int_equal(ss_pdfout_copy(w, in, 3, 0, "\n/Next 77 0 R"), 0);
    ss_pdfout_free(w);
    ss_pdfin_free(in);
    ss_buf_free(&out);
    free(src);
}

/* One damaged object of an otherwise good file: the copy fails (0). */
static long copy_of(const char *damaged)
{
    const char *objs[] = {"<< /Type /Catalog /Pages 2 0 R >>", damaged, "42"};
    size_t len;
    char *src = make_pdf(objs, 3, &len);
    ss_pdfin *in = ss_pdfin_open(src, len);
    assert_non_null(in);
    ss_buf out;
    ss_buf_init(&out);
    ss_pdfout *w = ss_pdfout_new(to_buf, &out);
    assert_true(ss_pdfout_header(w, in));
    long r = ss_pdfout_copy(w, in, 2, 0, NULL);
    ss_pdfout_free(w);
    ss_pdfin_free(in);
    ss_buf_free(&out);
    free(src);
    return r;
}

static void refuses_what_libharu_does_not_write(void **state)
{
    (void)state;
    assert_true(copy_of("<< /A 3 0 R /B [ 1 2.5 (s) <0A> /N true null ] >>") > 0);
    assert_int_equal(copy_of("<< /A 4 0 R >>"), 0);           /* no object 4 */
    assert_int_equal(copy_of("<< /A 0 0 R >>"), 0);           /* object 0 */
    assert_int_equal(copy_of("<< /A 3 1 R >>"), 0);           /* generation 1 */
    assert_int_equal(copy_of("<< /A 3 0 R % note\n>>"), 0);   /* a comment */
    assert_int_equal(copy_of("<< /A 3 0 R"), 0);              /* unclosed */
    assert_int_equal(copy_of("<< /A (open >>"), 0);           /* unclosed string */
    assert_int_equal(copy_of("<< /A <0Z> >>"), 0);            /* not hex */
    assert_int_equal(copy_of("<< /A { } >>"), 0);             /* braces */
    assert_int_equal(copy_of("<< /A 1 >> junk"), 0);          /* more than one value */
    assert_int_equal(copy_of("<< 1 2 >>"), 0);                /* a key not a name */
    assert_int_equal(copy_of("<< /Length 9 >>\nstream\r\nabc\nendstream"), 0); /* too short */
    assert_int_equal(copy_of("<< /Length 3 >>\nstream\r\nabcdef\nendstream"), 0); /* too long */
    assert_int_equal(copy_of("<< /Length 2 0 R >>\nstream\r\nab\nendstream"), 0); /* not a number */
    assert_true(copy_of("<< /Length 3 >>\nstream\r\nabc\nendstream") > 0);
    assert_true(copy_of("<< /Length 3 >>\nstream\nabc\r\nendstream") > 0);
    assert_int_equal(copy_of("<< /Length 3 0 R >>\nstream\nab\nendstream"), 0); /* 42 */
    /* Nesting beyond any of ours. */
    char deep[200] = "";
    for (int i = 0; i < 40; i++)
        strcat(deep, "[");
    for (int i = 0; i < 40; i++)
        strcat(deep, "]");
    assert_int_equal(copy_of(deep), 0);
}

/* Files of another shape are refused whole. */
static void refuses_other_files(void **state)
{
    (void)state;
    static const char *const objs[] = {"<< /Type /Catalog >>"};
    size_t len;
    char *good = make_pdf(objs, 1, &len);
    ss_pdfin *in = ss_pdfin_open(good, len);
    assert_non_null(in);
    ss_pdfin_free(in);
    assert_null(ss_pdfin_open(good, len - 7));   /* no %%EOF */
    assert_null(ss_pdfin_open(good + 1, len - 1)); /* no header */
    char *bad = ss_xstrdup(good);
    /* An entry whose offset is not ten digits. */
    char *e = strstr(bad, "00000 n\r\n") - 11;
    e[3] = 'x';
    assert_null(ss_pdfin_open(bad, len));
    /* A used entry of generation 1. */
    memcpy(bad, good, len);
    e = strstr(bad, "00000 n\r\n");
    e[4] = '1';
    assert_null(ss_pdfin_open(bad, len));
    /* startxref at something other than "xref" (a cross-reference stream). */
    memcpy(bad, good, len);
    e = strstr(bad, "\nxref\n") + 1;
    e[0] = 'X';
    assert_null(ss_pdfin_open(bad, len));
    free(bad);
    free(good);
    /* An object whose offset points at another object: its copy fails. */
    static const char *const two[] = {"<< /Type /Catalog /A 2 0 R >>", "7"};
    char *src = make_pdf(two, 2, &len);
    char *swap = strstr(src, "2 0 obj");
    swap[0] = '3';
    in = ss_pdfin_open(src, len);
    assert_non_null(in);
    ss_buf out;
    ss_buf_init(&out);
    ss_pdfout *w = ss_pdfout_new(to_buf, &out);
    assert_true(ss_pdfout_header(w, in));
    assert_int_equal(ss_pdfout_copy(w, in, 1, 0, NULL), 0);
    ss_pdfout_free(w);
    ss_pdfin_free(in);
    ss_buf_free(&out);
    free(src);
}

/* A failed write stops the file: nothing after it, no end. */
static void a_failed_write_stops_the_file(void **state)
{
    (void)state;
    static const char *const objs[] = {"<< /Type /Catalog >>"};
    size_t len;
    char *src = make_pdf(objs, 1, &len);
    ss_pdfin *in = ss_pdfin_open(src, len);
    ss_pdfout *w = ss_pdfout_new(refuse_writes, NULL);
    assert_false(ss_pdfout_header(w, in));
    long n = ss_pdfout_reserve(w);
    assert_false(ss_pdfout_put(w, n, "1", 1));
    char sha[65];
    size_t total;
    assert_false(ss_pdfout_finish(w, n, n, sha, &total));
    ss_pdfout_free(w);
    ss_pdfin_free(in);
    free(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(copies_a_page_renumbered),
        cmocka_unit_test(extra_entries_join_the_dictionary),
        cmocka_unit_test(refuses_what_libharu_does_not_write),
        cmocka_unit_test(refuses_other_files),
        cmocka_unit_test(a_failed_write_stops_the_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
