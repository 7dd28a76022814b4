/* test_render.c - the PDF stage: bytes, fonts, determinism, assets. */
#include "testutil.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>

#include "bind.h"
#include "fonts.h"
#include "layout.h"
#include "paths.h"
#include "records.h"
#include "render_pdf.h"
#include "template.h"
#include "util.h"

static char *assets;
static ss_fonts *fonts;
static ss_template *tpl;
static ss_dataset *real;

static int setup(void **state)
{
    (void)state;
    ss_diag *d = ss_diag_new();
    assets = ss_assets_dir(NULL);
    fonts = assets ? ss_fonts_load(assets, d) : NULL;
    char *tp = ss_path_join(assets, "templates/state-data.xml");
    char *data = tu_source("data/ncmec-2023.xml");
    int e;
    tpl = ss_template_load(tp, d, &e);
    real = tu_dataset_load(data, d, &e);
    ss_diag_print(d, stderr);
    ss_diag_free(d);
    free(tp), free(data);
    return fonts && tpl && real ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ss_dataset_free(real);
    ss_template_free(tpl);
    ss_fonts_free(fonts);
    free(assets);
    return 0;
}

/* A render context for the fonts and the assets' colour profile. */
static ss_render *new_render(ss_diag *d)
{
    char *path = ss_path_join(assets, SS_ICC_FILE);
    size_t len;
    int e;
    char *icc = ss_read_file(path, 1u << 20, &len, &e);
    ss_render *r = icc ? ss_render_new(fonts, icc, len, d) : NULL;
    free(icc);
    free(path);
    return r;
}

/* Renders state i of ds as one PDF into out. */
static bool render(const ss_dataset *ds, size_t i, time_t when, ss_buf *out, ss_diag *d)
{
    ss_document *doc = ss_bind(tpl, ds, &ds->states[i]);
    double size;
    ss_page *pg = ss_layout_fit(doc, ss_fonts_measure(fonts), NULL, SS_LETTER_W, SS_LETTER_H, &size);
    ss_render *r = new_render(d);
    ss_pdf *pdf = r ? ss_pdf_new(r, true, d) : NULL;
    ss_pdf_info info = {doc->info_title, "Org & <more>", "Subject", "k1, k2", "statesheet test",
                        when, NULL};
    bool ok = pg && pdf && ss_pdf_add_page(pdf, pg, NULL) && ss_pdf_finish(pdf, &info, out);
    ss_pdf_free(pdf);
    ss_render_free(r);
    ss_page_free(pg);
    ss_document_free(doc);
    return ok;
}

static bool contains(const ss_buf *b, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= b->len; i++)
        if (!memcmp(b->data + i, needle, n))
            return true;
    return false;
}

static void test_pdf_structure(void **state)
{
    (void)state;
    ss_diag *d = ss_diag_new();
    ss_buf out;
    ss_buf_init(&out);
    assert_true(render(real, 0, 1700000000, &out, d));
    assert_int_equal(ss_diag_count(d), 0);
    assert_memory_equal(out.data, "%PDF-1.", 7);
    assert_true(contains(&out, "%%EOF"));
    /* PDF/A identification, escaped XMP, output intent, file ID. */
    assert_true(contains(&out, "<pdfaid:part>1</pdfaid:part>"));
    assert_true(contains(&out, "<pdfaid:conformance>B</pdfaid:conformance>"));
    assert_true(contains(&out, "Org &amp; &lt;more&gt;"));
    assert_true(contains(&out, "/GTS_PDFA1"));
    assert_true(contains(&out, "/ID ["));
    assert_true(contains(&out, "2023-11-14T22:13:20+00:00"));
    assert_true(contains(&out, "/CreationDate (D:20231114221320+00'00')"));
    /* Our fonts: CID TrueType with CIDSet, ToUnicode, subset tag. */
    assert_true(contains(&out, "/CIDFontType2"));
    assert_true(contains(&out, "/CIDSet"));
    assert_true(contains(&out, "/ToUnicode"));
    assert_true(contains(&out, "+StatesheetSans-Bold"));
    assert_true(out.len <= 24000); /* email-sized (issue 22's budget) */
    ss_buf_free(&out);
    ss_diag_free(d);
}

/* The first n bytes at or after p equal to needle, or NULL. */
static const char *find_bytes(const char *p, const char *end, const char *needle, size_t n)
{
    for (; p + n <= end; p++)
        if (!memcmp(p, needle, n))
            return p;
    return NULL;
}

/* Every stream of a PDF, inflated where it is deflated, into one buffer
 * (NUL-separated), so tests can look inside fonts and content. */
static void inflate_streams(const ss_buf *pdf, ss_buf *all)
{
    const char *p = pdf->data, *end = pdf->data + pdf->len;
    while ((p = find_bytes(p, end, "stream\r\n", 8)) != NULL) {
        const char *s = p + 8;
        const char *e = find_bytes(s, end, "\nendstream", 10);
        if (!e)
            break;
        size_t cap = 1u << 20, n;
        char *buf = malloc(cap);
        struct libdeflate_decompressor *z = libdeflate_alloc_decompressor();
        assert_non_null(buf);
        assert_non_null(z);
        if (libdeflate_zlib_decompress(z, s, (size_t)(e - s), buf, cap, &n) ==
            LIBDEFLATE_SUCCESS)
            ss_buf_add(all, buf, n);
        else
            ss_buf_add(all, s, (size_t)(e - s));
        ss_buf_addc(all, '\0');
        libdeflate_free_decompressor(z);
        free(buf);
        p = e;
    }
}

/* Draws a hand-made page into a one-page PDF and returns every stream of
 * it, inflated and joined, in all (the caller frees it). */
static void render_page(const ss_page *pg, ss_buf *all)
{
    ss_diag *d = ss_diag_new();
    ss_render *r = new_render(d);
    ss_pdf *pdf = r ? ss_pdf_new(r, true, d) : NULL;
    ss_pdf_info info = {"T", "A", "S", "K", "C", 1700000000, NULL};
    ss_buf out;
    ss_buf_init(&out);
    ss_buf_init(all);
    assert_true(pdf && ss_pdf_add_page(pdf, pg, NULL) && ss_pdf_finish(pdf, &info, &out));
    inflate_streams(&out, all);
    ss_pdf_free(pdf);
    ss_render_free(r);
    ss_buf_free(&out);
    ss_diag_free(d);
}

/* The agreed hyphenation interface (owners.md): a TEXT box ending in
 * U+00AD is drawn as a hyphen, but extractors see U+00AD.  The soft
 * hyphen gets a code of its own (the font's glyph for it, a copy of the
 * hyphen's), which ToUnicode maps to U+00AD and W gives the hyphen's
 * width. */
static void test_soft_hyphen(void **state)
{
    (void)state;
    ss_page pg = {0};
    pg.width = SS_LETTER_W;
    pg.height = SS_LETTER_H;
    static char text[] = "Exam\xC2\xAD";
    ss_box box = {0};
    box.kind = SS_BOX_TEXT;
    box.role = SS_ROLE_P;
    box.elem = 1;
    box.style = SS_REGULAR;
    box.size = 11;
    box.x = 72;
    box.y = 700;
    box.len = sizeof text - 1;
    pg.boxes = &box;
    pg.nboxes = 1;
    pg.chars = text;
    pg.nchars = sizeof text;
    ss_buf all;
    render_page(&pg, &all);

    unsigned shy = ss_fonts_gid(fonts, SS_REGULAR, 0xAD);
    unsigned hyphen = ss_fonts_gid(fonts, SS_REGULAR, '-');
    assert_true(shy != 0 && shy != hyphen);
    /* Drawn: the two-byte code (= glyph id) at the end of the string. */
    char drawn[8] = {'\0', (char)shy, ')', ' ', 'T', 'j'};
    assert_non_null(find_bytes(all.data, all.data + all.len, drawn, 6));
    /* Read back: ToUnicode maps that code to U+00AD, never to "-". */
    char one[32], range[32];
    snprintf(one, sizeof one, "<%04X> <00AD>", shy);
    snprintf(range, sizeof range, "<%04X> <%04X> <00AD>", shy, shy);
    assert_true(contains(&all, one) || contains(&all, range));
    snprintf(one, sizeof one, "<%04X> <002D>", shy);
    snprintf(range, sizeof range, "<%04X> <%04X> <002D>", shy, shy);
    assert_false(contains(&all, one) || contains(&all, range));
    /* Measured (and so drawn, W comes from the same table) as wide as a
     * hyphen. */
    assert_int_equal(ss_fonts_advance(fonts, SS_REGULAR, 0xAD),
                     ss_fonts_advance(fonts, SS_REGULAR, '-'));
    ss_buf_free(&all);
}

/* A word broken at a hyphenation point over two lines of one paragraph
 * is drawn as it reads: the first half, the soft hyphen (its own code,
 * which ToUnicode maps to U+00AD), the second half, in the paragraph's
 * one marked-content sequence, with no /ActualText span across the lines
 * (pdftotext read such a span's word out of place). */
static void test_broken_word(void **state)
{
    (void)state;
    static char text[] = "an exam\xC2\xAD\0ple here";
    ss_box box[2] = {{0}, {0}};
    for (int i = 0; i < 2; i++) {
        box[i].kind = SS_BOX_TEXT;
        box[i].role = SS_ROLE_P;
        box[i].elem = 1;
        box[i].style = SS_REGULAR;
        box[i].size = 11;
        box[i].x = 72;
        box[i].y = 700 - 14 * i;
    }
    box[0].len = strlen(text);
    box[1].text = box[0].len + 1;
    box[1].len = strlen(text + box[1].text);
    ss_page pg = {0};
    pg.width = SS_LETTER_W;
    pg.height = SS_LETTER_H;
    pg.boxes = box;
    pg.nboxes = 2;
    pg.chars = text;
    pg.nchars = sizeof text;
    ss_buf all;
    render_page(&pg, &all);
    const char *end = all.data + all.len;
    assert_null(find_bytes(all.data, end, "/ActualText", 11));
    assert_null(find_bytes(all.data, end, "/Span", 5));
    const char *at = find_bytes(all.data, end, "/P<</MCID 0>>BDC", 16);
    assert_non_null(at);
    assert_null(find_bytes(all.data, end, "/P<</MCID 1>>BDC", 16));
    const char *emc = find_bytes(at, end, "EMC", 3);
    assert_non_null(emc);
    unsigned x = ss_fonts_gid(fonts, SS_REGULAR, 'x'), l = ss_fonts_gid(fonts, SS_REGULAR, 'l');
    unsigned shy = ss_fonts_gid(fonts, SS_REGULAR, 0xAD), h = ss_fonts_gid(fonts, SS_REGULAR, 'h');
    assert_true(shy != ss_fonts_gid(fonts, SS_REGULAR, '-'));
    const char exam_x[2] = {0, (char)x}, shy_code[2] = {0, (char)shy}, ple_l[2] = {0, (char)l},
               here_h[2] = {0, (char)h};
    /* In reading order, all in the one sequence. */
    const char *p1 = find_bytes(at, emc, exam_x, 2);
    assert_non_null(p1);
    const char *p2 = find_bytes(p1, emc, shy_code, 2);
    assert_non_null(p2);
    const char *p3 = find_bytes(p2, emc, ple_l, 2);
    assert_non_null(p3);
    assert_non_null(find_bytes(p3, emc, here_h, 2));
    ss_buf_free(&all);
}

/* The same inputs give the same bytes; another time changes them. */
static void test_deterministic(void **state)
{
    (void)state;
    ss_diag *d = ss_diag_new();
    ss_buf a, b, c;
    ss_buf_init(&a), ss_buf_init(&b), ss_buf_init(&c);
    assert_true(render(real, 0, 1700000000, &a, d));
    assert_true(render(real, 0, 1700000000, &b, d));
    assert_true(render(real, 0, 1700000001, &c, d));
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    assert_true(a.len != c.len || memcmp(a.data, c.data, a.len) != 0);
    ss_buf_free(&a), ss_buf_free(&b), ss_buf_free(&c);
    ss_diag_free(d);
}

/* The same sheet, byte for byte, under a locale whose decimal point is a
 * comma: no number in the PDF, nor in the content its file ID is hashed
 * from, goes through the locale (a "%f" would write "612,5").  de_DE.UTF-8
 * is installed by tools/deps.sh test.  main() also calls setlocale(LC_ALL,
 * "") so that every other test here runs under the suite's LC_ALL too
 * (tools/test.sh runs it again under de_DE.UTF-8). */
static void test_locale_independent(void **state)
{
    (void)state;
    ss_diag *d = ss_diag_new();
    ss_buf c, de;
    ss_buf_init(&c), ss_buf_init(&de);
    char *was = ss_xstrdup(setlocale(LC_ALL, NULL));
    assert_non_null(setlocale(LC_ALL, "C"));
    assert_true(render(real, 0, 1700000000, &c, d));
    if (!setlocale(LC_ALL, "de_DE.UTF-8"))
        fail_msg("the locale de_DE.UTF-8 is missing; run tools/deps.sh test");
    assert_string_equal(localeconv()->decimal_point, ",");
    assert_true(render(real, 0, 1700000000, &de, d));
    setlocale(LC_ALL, was);
    assert_int_equal(ss_diag_count(d), 0);
    assert_int_equal(c.len, de.len);
    assert_memory_equal(c.data, de.data, c.len);
    free(was);
    ss_buf_free(&c), ss_buf_free(&de);
    ss_diag_free(d);
}

/* The recorded SHA-256 of each shipped asset matches the file, and a
 * damaged copy is refused with a message naming it. */
static void test_assets_checked(void **state)
{
    (void)state;
    const char *rel[] = {SS_FONT_REGULAR_FILE, SS_FONT_BOLD_FILE, SS_ICC_FILE};
    for (size_t i = 0; i < 3; i++) {
        char *path = ss_path_join(assets, rel[i]);
        size_t len;
        int e;
        char *data = ss_read_file(path, 1u << 24, &len, &e);
        assert_non_null(data);
        ss_diag *d = ss_diag_new();
        assert_true(ss_asset_verify(rel[i], path, data, len, d));
        data[len / 2] ^= 0x55;
        assert_false(ss_asset_verify(rel[i], path, data, len, d));
        assert_int_equal(ss_diag_error_count(d), 1);
        assert_non_null(strstr(ss_diag_at(d, 0)->message, "damaged"));
        ss_diag_free(d);
        free(data);
        free(path);
    }
    /* A damaged font file in an assets folder: ss_fonts_load fails cleanly. */
    char *dir = tu_tmpdir();
    char *cmd = ss_xasprintf("cp -r '%s'/. '%s' && truncate -s 5000 '%s/%s'", assets, dir, dir,
                             SS_FONT_BOLD_FILE);
    assert_int_equal(system(cmd), 0);
    ss_diag *d = ss_diag_new();
    assert_null(ss_fonts_load(dir, d));
    assert_true(ss_diag_error_count(d) >= 1);
    assert_non_null(strstr(ss_diag_at(d, 0)->file, "StatesheetSans-Bold.ttf"));
    ss_diag_free(d);
    tu_rmrf(dir);
    free(cmd);
    free(dir);
}

/* SHA-256 (nettle; its fat build takes the SHA extensions where the CPU
 * has them) against known answers,
 * across the padding edges.  Data: byte i = i*7+3. */
static void test_sha256(void **state)
{
    (void)state;
    static const struct {
        size_t n;
        const char *hex;
    } v[] = {
        {0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {3, "6ab0dba1f4f1dfbb37b4f9eeb092c09fca4900ad32bdcd147d8dde35d6c87c35"},
        {55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b"},
        {56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27"},
        {63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055"},
        {64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241"},
        {65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e"},
        {119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e"},
        {1000, "1e9bc38cbf860b9ec31918b065f9b52476c549a782e0e7990bed8ce3868d2371"},
        {100000, "d96bab6a55ee326ba206dd4a85a6e95e14360d7fabbf448f03e689c24382b7d0"},
    };
    uint8_t *d = malloc(100000);
    for (size_t i = 0; i < 100000; i++)
        d[i] = (uint8_t)(i * 7 + 3);
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        char hex[65];
        ss_sha256_hex(d, v[i].n, hex);
        assert_string_equal(hex, v[i].hex);
    }
    free(d);
}

int main(void)
{
    setlocale(LC_ALL, "");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pdf_structure),
        cmocka_unit_test(test_soft_hyphen),
        cmocka_unit_test(test_broken_word),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_locale_independent),
        cmocka_unit_test(test_assets_checked),
        cmocka_unit_test(test_sha256),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
