/* test_layout.c - bind and layout, inspected as boxes (no PDF). */
#include "testutil.h"

#include <hyphen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bind.h"
#include "fonts.h"
#include "hyphenation.h"
#include "layout.h"
#include "paths.h"
#include "records.h"
#include "shape.h"
#include "template.h"
#include "util.h"

static char *assets;
static ss_fonts *fonts;
static ss_shaper *shaper; /* the program's measure: kerned */
static ss_template *tpl;
static ss_patterns *patterns_en;
static ss_hyphenator *hyph_en;

/* A language's patterns (kept in *p) and a hyphenator for them. */
static ss_hyphenator *hyphenator_for(const char *lang, ss_patterns **p)
{
    ss_diag *d = ss_diag_new();
    assert_int_equal(ss_patterns_load(assets, lang, p, d), 0);
    assert_int_equal(ss_diag_error_count(d), 0);
    ss_diag_free(d);
    return ss_hyphenator_new(*p);
}

static int setup(void **state)
{
    (void)state;
    ss_diag *d = ss_diag_new();
    assets = ss_assets_dir(NULL);
    assert_non_null(assets);
    fonts = ss_fonts_load(assets, d);
    shaper = fonts ? ss_shaper_new(fonts) : NULL;
    char *tp = ss_path_join(assets, "templates/state-data.xml");
    int e;
    tpl = ss_template_load(tp, d, &e);
    ss_diag_print(d, stderr);
    ss_diag_free(d);
    free(tp);
    hyph_en = hyphenator_for("en-US", &patterns_en);
    return fonts && tpl && hyph_en ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ss_template_free(tpl);
    ss_shaper_free(shaper);
    ss_fonts_free(fonts);
    ss_hyphenator_free(hyph_en);
    ss_patterns_free(patterns_en);
    free(assets);
    return 0;
}

static ss_dataset *load_data(const char *xml)
{
    ss_diag *d = ss_diag_new();
    ss_dataset *ds = ss_dataset_load_memory("test.xml", xml, strlen(xml), d);
    ss_diag_print(d, stderr);
    ss_diag_free(d);
    assert_non_null(ds);
    return ds;
}

static ss_dataset *load_real(void)
{
    char *path = tu_source("data/ncmec-2023.xml");
    char *xml = tu_read(path);
    assert_non_null(xml);
    ss_dataset *ds = load_data(xml);
    free(xml);
    free(path);
    return ds;
}

/* A fictional record with the given name, figures and table rows. */
static char *sample_xml(const char *name, const char *figs, const char *rows)
{
    return ss_xasprintf(
        "<statedata year=\"2023\" sample=\"true\"><national>"
        "<figure key=\"cybertipline.reports\">36200000</figure>"
        "<figure key=\"cybertipline.content\">105000000</figure>"
        "<figure key=\"cvip.children_identified\">27130</figure>"
        "<figure key=\"missing.cases\">28886</figure>"
        "<figure key=\"missing.runaways_from_care\">22442</figure>"
        "<figure key=\"missing.trafficking_percent\">19</figure>"
        "<figure key=\"trafficking.reports\">18400</figure>"
        "<figure key=\"teamhope.supported\">5759</figure>"
        "<figure key=\"teamadam.incidents\">57</figure>"
        "<figure key=\"teamadam.long_term_cases\">146</figure>"
        "<figure key=\"connect.users\">18000</figure></national>"
        "<state code=\"XX\" name=\"%s\">%s<table key=\"missing.cases\">%s</table>"
        "</state></statedata>",
        name, figs, rows);
}

static char *figures(const char *v)
{
    return ss_xasprintf("<figure key=\"cybertipline.reports\">%s</figure>"
                        "<figure key=\"cvip.submissions\">%s</figure>"
                        "<figure key=\"teamhope.supported\">%s</figure>"
                        "<figure key=\"mentalhealth.connected\">%s</figure>"
                        "<figure key=\"connect.new_users\">%s</figure>",
                        v, v, v, v, v);
}

/* The plain text of a page: boxes in order, a space between lines (boxes
 * on one line already hold the spaces between them). */
static char *page_text(const ss_page *pg)
{
    ss_buf b;
    ss_buf_init(&b);
    const ss_box *prev = NULL;
    for (size_t i = 0; i < pg->nboxes; i++)
        if (pg->boxes[i].kind == SS_BOX_TEXT) {
            const ss_box *box = &pg->boxes[i];
            if (prev && (prev->y != box->y || box->x > prev->x + prev->w + 1.0 ||
                         box->x < prev->x))
                ss_buf_addc(&b, ' ');
            ss_buf_adds(&b, ss_box_text(pg, box));
            prev = box;
        }
    /* Collapse double spaces (a box may end in its trailing space). */
    char *s = ss_buf_steal(&b), *w = s;
    for (char *r = s; *r; r++)
        if (!(*r == ' ' && w > s && w[-1] == ' '))
            *w++ = *r;
    *w = '\0';
    return s;
}

/* Every glyph inside the 0.5 in safe margin, no text under 7 pt, no two
 * text boxes overlapping. */
static void check_page(const ss_page *pg)
{
    const ss_measure *m = ss_shaper_measure(shaper);
    for (size_t i = 0; i < pg->nboxes; i++) {
        const ss_box *b = &pg->boxes[i];
        double top = b->y + (b->kind == SS_BOX_TEXT ? m->ascent * b->size / 1000 : b->h);
        double bottom = b->y - (b->kind == SS_BOX_TEXT ? m->descent * b->size / 1000 : 0);
        if (b->kind == SS_BOX_RULE) {
            top = b->y + b->h / 2;
            bottom = b->y - b->h / 2;
        }
        if (b->x < SS_SAFE_MARGIN - 0.01 || b->x + b->w > pg->width - SS_SAFE_MARGIN + 0.01 ||
            bottom < SS_SAFE_MARGIN - 0.01 || top > pg->height - SS_SAFE_MARGIN + 0.01)
            fail_msg("box %zu '%s' at x %.1f..%.1f y %.1f..%.1f crosses the safe margin", i,
                     b->kind == SS_BOX_TEXT ? ss_box_text(pg, b) : "(shape)", b->x,
                     b->x + b->w, bottom, top);
        if (b->kind != SS_BOX_TEXT)
            continue;
        assert_true(b->size >= SS_TEXT_MIN - 1e-9);
        for (size_t j = i + 1; j < pg->nboxes; j++) {
            const ss_box *c = &pg->boxes[j];
            if (c->kind != SS_BOX_TEXT)
                continue;
            /* Line boxes: ascent to descent, less a hair so that touching
             * lines do not count as overlapping. */
            double b0 = b->y - m->descent * b->size / 1000 + 0.05;
            double b1 = b->y + m->ascent * b->size / 1000 - 0.05;
            double c0 = c->y - m->descent * c->size / 1000 + 0.05;
            double c1 = c->y + m->ascent * c->size / 1000 - 0.05;
            bool vert = b0 < c1 && c0 < b1;
            bool horiz = b->x < c->x + c->w - 0.05 && c->x < b->x + b->w - 0.05;
            if (vert && horiz)
                fail_msg("boxes '%s' and '%s' overlap", ss_box_text(pg, b), ss_box_text(pg, c));
        }
    }
}

/* The style of the box holding 'needle' (which must be inside one box). */
static int style_of(const ss_page *pg, const char *needle)
{
    for (size_t i = 0; i < pg->nboxes; i++)
        if (pg->boxes[i].kind == SS_BOX_TEXT && strstr(ss_box_text(pg, &pg->boxes[i]), needle))
            return (int)pg->boxes[i].style;
    fail_msg("'%s' is in no box", needle);
    return -1;
}

static ss_page *fit(const ss_dataset *ds, size_t state, double w, double h, double *size)
{
    ss_document *doc = ss_bind(tpl, ds, &ds->states[state]);
    ss_page *pg = ss_layout_fit(doc, ss_shaper_measure(shaper), NULL, w, h, size);
    ss_document_free(doc);
    return pg;
}

static ss_page *fit_hyph(const ss_dataset *ds, size_t state, double w, double h, double *size)
{
    ss_document *doc = ss_bind(tpl, ds, &ds->states[state]);
    ss_hyphenation hy = ss_hyphenator_for_layout(hyph_en);
    ss_page *pg = ss_layout_fit(doc, ss_shaper_measure(shaper), &hy, w, h, size);
    ss_document_free(doc);
    return pg;
}

/* Kerned pairs are in the boxes (the renderer writes them), and every
 * full justified line ends at the measure exactly, or past it by what its
 * last mark hangs into the margin. */
static void test_kerning_and_margins(void **state)
{
    (void)state;
    ss_dataset *ds = load_real();
    double size;
    ss_page *pg = fit_hyph(ds, 0, SS_LETTER_W, SS_LETTER_H, &size);
    assert_non_null(pg);
    const ss_measure *m = ss_shaper_measure(shaper);
    double right = SS_LETTER_W - 46.0;
    int team = 0, full = 0, hung = 0;
    for (size_t i = 0; i < pg->nboxes; i++) {
        const ss_box *b = &pg->boxes[i];
        if (b->kind != SS_BOX_TEXT)
            continue;
        const char *t = ss_box_text(pg, b), *at = strstr(t, "Team");
        for (size_t k = 0; at && k < b->nkern; k++) {
            const ss_kern *kn = &pg->kerns[b->kern + k];
            team += kn->at == (size_t)(at - t) + 1 && kn->adj <= -50; /* "Te" */
        }
        bool ends_line = i + 1 == pg->nboxes || pg->boxes[i + 1].kind != SS_BOX_TEXT ||
                         fabs(pg->boxes[i + 1].y - b->y) > 0.01;
        if (b->role != SS_ROLE_P || fabs(b->ws) < 1e-6 || !ends_line)
            continue;
        full++;
        char last = t[b->len - 1];
        double hang = 0;
        if (last == '.')
            hang = 0.7 * m->width(m->ctx, b->style, ".", 1) * b->size / 1000;
        else if (last == ',')
            hang = 0.5 * m->width(m->ctx, b->style, ",", 1) * b->size / 1000;
        else if ((unsigned char)last == 0xAD)
            hang = 0.7 * m->width(m->ctx, b->style, "-", 1) * b->size / 1000;
        hung += hang > 0;
        if (fabs(b->x + b->w - (right + hang)) > 0.01)
            fail_msg("'%s' ends at %.3f, not %.3f", t, b->x + b->w, right + hang);
    }
    assert_true(team >= 2); /* "Team HOPE", twice */
    assert_true(full >= 20);
    if (hung < 3) /* 3 on ND, Letter */
        fail_msg("%d of %d full lines hang a mark", hung, full);
    ss_page_free(pg);
    ss_dataset_free(ds);
}

static void test_format_number(void **state)
{
    (void)state;
    static const struct {
        uint64_t n;
        ss_numfmt f;
        const char *want;
    } cases[] = {
        {0, SS_FMT_GROUPED, "0"},
        {999, SS_FMT_GROUPED, "999"},
        {1333, SS_FMT_GROUPED, "1,333"},
        {999999999999ULL, SS_FMT_GROUPED, "999,999,999,999"},
        {36200000, SS_FMT_COMPACT, "36.2\xC2\xA0million"},
        {105000000, SS_FMT_COMPACT, "105\xC2\xA0million"},
        {36249999, SS_FMT_COMPACT, "36.2\xC2\xA0million"}, /* never rounds up */
        {999999, SS_FMT_COMPACT, "999,999"},
        {1000000, SS_FMT_COMPACT, "1\xC2\xA0million"},
        {2500000000ULL, SS_FMT_COMPACT, "2.5\xC2\xA0" "billion"},
        {999999999999ULL, SS_FMT_COMPACT, "999.9\xC2\xA0" "billion"},
        {19, SS_FMT_PERCENT, "19%"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char out[64];
        ss_format_number(cases[i].n, cases[i].f, NULL, out, sizeof out);
        assert_string_equal(out, cases[i].want);
    }
}

/* North Dakota: the reference text in order, figures bold/regular. */
static void test_north_dakota(void **state)
{
    (void)state;
    ss_dataset *ds = load_real();
    double size;
    ss_page *pg = fit(ds, 0, SS_LETTER_W, SS_LETTER_H, &size);
    assert_non_null(pg);
    assert_true(pg->fits);
    assert_true(size >= SS_BODY_MIN && size <= SS_BODY_MAX);
    check_page(pg);
    char *text = page_text(pg);
    const char *in_order[] = {
        "The National Center for Missing and Exploited Children",
        "North Dakota Data",
        "Listed below are North Dakota specific statistics",
        "In 2023, the CyberTipline received 36.2 million reports",
        "more than 105 million pieces of reported content.",
        "In 2023, 1,333 CyberTipline reports were made available to law enforcement in North Dakota.",
        "identification of 27,130 children.",
        "In 2023, NCMEC reviewed 28 submissions of child sexual exploitation material from North Dakota law enforcement.",
        "28,886 missing child cases, 22,442 of which",
        "19% of these children",
        "In 2023, NCMEC handled 68 cases of missing children from North Dakota as follows:",
        "Children Missing From Social Services Facility 61",
        "Other Missing Children Cases 6",
        "Children Reported Missing by Office of Refugee Resettlement (HHS-ORR) 1",
        "more than 18,400 reports",
        "supported 5,759 survivors and families with peer support, including 8 survivors/families in North Dakota.",
        "In 2023, NCMEC connected 7 survivors/families to mental health services in North Dakota.",
        "activated on 57 incidents",
        "assistance to 146 long-term",
        "more than 18,000 registered users, including 30 new law enforcement and child-serving professionals in North Dakota.",
    };
    const char *at = text;
    for (size_t i = 0; i < sizeof in_order / sizeof *in_order; i++) {
        const char *hit = strstr(at, in_order[i]);
        if (!hit)
            fail_msg("not found in order: '%s'\npage text: %s", in_order[i], text);
        at = hit + strlen(in_order[i]);
    }
    assert_null(strstr(text, "North Carolina"));
    /* State figures bold, national figures regular. */
    const char *bold[] = {"1,333", "28 submissions", "68", "8 survivors", "7 survivors", "30 new"};
    for (size_t i = 0; i < sizeof bold / sizeof *bold; i++)
        assert_int_equal(style_of(pg, bold[i]), SS_BOLD);
    const char *regular[] = {"36.2", "27,130", "28,886", "19%", "18,400", "5,759", "146"};
    for (size_t i = 0; i < sizeof regular / sizeof *regular; i++)
        assert_int_equal(style_of(pg, regular[i]), SS_REGULAR);
    free(text);
    ss_page_free(pg);
    ss_dataset_free(ds);
}

/* Writes the boxes as text, coordinates rounded to 0.1 pt: the form in
 * which layout regressions are pinned (tests/fixtures/layout). */
static void page_dump(const ss_page *p, FILE *to)
{
    static const char *const colors[] = {"text", "heading", "band", "band-text",
                                         "rule", "muted", "sample"};
    fprintf(to, "page %.1f x %.1f body %.2f %s\n", p->width, p->height, p->body_size,
            p->fits ? "fits" : "overflows");
    for (size_t i = 0; i < p->nboxes; i++) {
        const ss_box *b = &p->boxes[i];
        switch (b->kind) {
        case SS_BOX_TEXT:
            fprintf(to, "T %.1f %.1f w%.1f %.2f ws%.2f %s %s |%s|\n", b->x, b->y, b->w,
                    b->size, b->ws, b->style == SS_BOLD ? "bold" : "regular",
                    colors[b->color], ss_box_text(p, b));
            break;
        case SS_BOX_RULE:
            fprintf(to, "R %.1f %.1f w%.1f h%.1f %s\n", b->x, b->y, b->w, b->h,
                    colors[b->color]);
            break;
        case SS_BOX_FILL:
            fprintf(to, "F %.1f %.1f w%.1f h%.1f %s\n", b->x, b->y, b->w, b->h,
                    colors[b->color]);
            break;
        case SS_BOX_LEADER:
            fprintf(to, "L %.1f %.1f w%.1f h%.2f every %.2f %s\n", b->x, b->y, b->w, b->h,
                    b->ws, colors[b->color]);
            break;
        }
    }
}

/* The layout of North Dakota, hyphenated as the program sets it, pinned
 * as a text dump of its boxes.  Run with SS_UPDATE=1 to rewrite the
 * fixture after an intended change. */
static void test_north_dakota_pinned(void **state)
{
    (void)state;
    ss_dataset *ds = load_real();
    double size;
    ss_page *pg = fit_hyph(ds, 0, SS_LETTER_W, SS_LETTER_H, &size);
    assert_non_null(pg);
    char *dump = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&dump, &len);
    page_dump(pg, f);
    fclose(f);
    char *path = tu_fixture("layout/ND-2023.boxes");
    if (getenv("SS_UPDATE"))
        tu_write(path, dump);
    char *want = tu_read(path);
    assert_non_null(want);
    assert_string_equal(dump, want);
    free(want);
    free(path);
    free(dump);
    ss_page_free(pg);
    ss_dataset_free(ds);
}

static void test_singular_and_zero(void **state)
{
    (void)state;
    char *one = figures("1");
    char *xml = sample_xml("Lakeshire", one, "<row label=\"Other Missing Children Cases\">1</row>");
    ss_dataset *ds = load_data(xml);
    double size;
    ss_page *pg = fit(ds, 0, SS_LETTER_W, SS_LETTER_H, &size);
    assert_non_null(pg);
    char *text = page_text(pg);
    assert_non_null(strstr(text, "In 2023, 1 CyberTipline report was made available to law enforcement in Lakeshire."));
    assert_non_null(strstr(text, "reviewed 1 submission of child"));
    assert_non_null(strstr(text, "handled 1 case of missing children from Lakeshire:"));
    assert_non_null(strstr(text, "including 1 survivor/family in Lakeshire."));
    assert_non_null(strstr(text, "connected 1 survivor/family to mental health"));
    assert_non_null(strstr(text, "including 1 new law enforcement or child-serving professional in Lakeshire."));
    free(text);
    ss_page_free(pg);
    ss_dataset_free(ds);
    free(xml);
    free(one);

    char *zero = figures("0");
    xml = sample_xml("Lakeshire", zero, "");
    ds = load_data(xml);
    pg = fit(ds, 0, SS_LETTER_W, SS_LETTER_H, &size);
    assert_non_null(pg);
    text = page_text(pg);
    assert_null(strstr(text, "0 submissions"));
    assert_null(strstr(text, "0 cases"));
    assert_null(strstr(text, "0 survivors/families"));
    assert_null(strstr(text, " 0 "));
    assert_null(strstr(text, "Other Missing Children Cases")); /* no table */
    assert_non_null(strstr(text, "In 2023, NCMEC handled no cases of missing children from Lakeshire."));
    assert_non_null(strstr(text, "with peer support. NCMEC also facilitates"));
    assert_non_null(strstr(text, "18,000 registered users."));
    free(text);
    ss_page_free(pg);
    ss_dataset_free(ds);
    free(xml);
    free(zero);
}

static void check_fits(const char *name, const char *figs, const char *rows,
                       const char *expect)
{
    for (int paper = 0; paper < 2; paper++) {
        char *xml = sample_xml(name, figs, rows);
        ss_dataset *ds = load_data(xml);
        double size;
        double w = paper ? SS_A4_W : SS_LETTER_W, h = paper ? SS_A4_H : SS_LETTER_H;
        ss_page *pg = fit(ds, 0, w, h, &size);
        if (!pg)
            fail_msg("'%.40s' does not fit on %s", name, paper ? "A4" : "Letter");
        assert_true(pg->fits);
        check_page(pg);
        char *text = page_text(pg);
        assert_non_null(strstr(text, "SAMPLE DATA")); /* the mark is there */
        if (!strstr(text, expect))
            fail_msg("'%s' is not on the page: %s", expect, text);
        free(text);
        ss_page_free(pg);
        ss_dataset_free(ds);
        free(xml);
    }
}

/* The hard cases: each still one page, inside the margins, on Letter and
 * on A4. */
static void test_hard_cases(void **state)
{
    (void)state;
    char *normal = figures("1234");
    char *big = figures("999999999999");
    const char *three = "<row label=\"Children Missing From Social Services Facility\">61</row>"
                        "<row label=\"Other Missing Children Cases\">6</row>"
                        "<row label=\"Children Reported Missing by Office of Refugee "
                        "Resettlement (HHS-ORR)\">1</row>";
    char longname[128], nospace[128];
    snprintf(longname, sizeof longname, "%s",
             "The Very Long Fictional Commonwealth of the Northern Lakes and Southern Mountain Provinces Territory");
    assert_int_equal(strlen(longname), 100);
    /* No place to break: a 100-letter word (the Welsh village name, twice
     * over, cut to 100). */
    snprintf(nospace, sizeof nospace, "%.100s",
             "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch"
             "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch");
    assert_int_equal(strlen(nospace), 100);
    ss_buf rows;
    ss_buf_init(&rows);
    for (int i = 0; i < 8; i++)
        ss_buf_printf(&rows, "<row label=\"Children Reported Missing by the Office of Refugee "
                             "Resettlement and Other Agencies of the Federal Government, "
                             "Category %d of Eight, With a Deliberately Long Label\">%d</row>",
                      i + 1, 100 + i);
    ss_buf bigrows;
    ss_buf_init(&bigrows);
    for (int i = 0; i < 3; i++)
        ss_buf_printf(&bigrows, "<row label=\"Category %d\">333333333333</row>", i);

    check_fits("Commonwealth of the Northern Mariana Islands", normal, three,
               "Commonwealth of the Northern Mariana Islands Data");
    check_fits(longname, normal, three, "Southern Mountain Provinces Territory");
    check_fits(nospace, normal, three, "Llanfairpwll");
    check_fits("Kaʻulaʻi Islands", normal, three, "Kaʻulaʻi Islands Data");
    check_fits("Łódź Lowlands", normal, three, "Łódź Lowlands Data");
    check_fits("Lakeshire", normal, rows.data, "Category 8 of Eight");
    check_fits("Lakeshire", big, bigrows.data, "999,999,999,999");
    /* Each table value is drawn whole, in one box (it once wrapped). */
    {
        char *xml = sample_xml("Lakeshire", big, bigrows.data);
        ss_dataset *ds = load_data(xml);
        double size;
        ss_page *pg = fit(ds, 0, SS_LETTER_W, SS_LETTER_H, &size);
        assert_non_null(pg);
        int whole = 0;
        for (size_t i = 0; i < pg->nboxes; i++)
            whole += pg->boxes[i].kind == SS_BOX_TEXT &&
                     !strcmp(ss_box_text(pg, &pg->boxes[i]), "333,333,333,333");
        assert_int_equal(whole, 3);
        ss_page_free(pg);
        ss_dataset_free(ds);
        free(xml);
    }
    /* All of them in one state is more than a page holds at 8 pt: it is
     * refused (the run reports it), never clipped. */
    char *xml = sample_xml(longname, big, rows.data);
    ss_dataset *ds = load_data(xml);
    double size;
    assert_null(fit(ds, 0, SS_LETTER_W, SS_LETTER_H, &size));
    ss_dataset_free(ds);
    free(xml);
    ss_buf_free(&rows);
    ss_buf_free(&bigrows);
    free(big);
    free(normal);
}

/* A sheet that cannot fit even at 8 pt is refused, not clipped. */
static void test_does_not_fit(void **state)
{
    (void)state;
    char *fig = figures("5");
    ss_buf rows;
    ss_buf_init(&rows);
    for (int i = 0; i < 120; i++)
        ss_buf_printf(&rows, "<row label=\"Row %d with a label long enough to wrap onto a second "
                             "line in the table column of the sheet at any size we allow\">%d</row>",
                      i, i);
    char *xml = sample_xml("Overflowland", fig, rows.data);
    ss_dataset *ds = load_data(xml);
    double size = 0;
    ss_page *pg = fit(ds, 0, SS_LETTER_W, SS_LETTER_H, &size);
    assert_null(pg);
    assert_true(fabs(size - SS_BODY_MIN) < 1e-9);
    /* At any one size the page says it overflows. */
    ss_document *doc = ss_bind(tpl, ds, &ds->states[0]);
    pg = ss_layout_run(doc, ss_shaper_measure(shaper), NULL, SS_LETTER_W, SS_LETTER_H, SS_BODY_MIN);
    assert_false(pg->fits);
    ss_page_free(pg);
    ss_document_free(doc);
    ss_dataset_free(ds);
    free(xml);
    ss_buf_free(&rows);
    free(fig);
}

/* Shrinking happens in steps, and only as far as needed. */
static void test_shrinks_in_steps(void **state)
{
    (void)state;
    char *fig = figures("12");
    ss_buf rows;
    ss_buf_init(&rows);
    double last = SS_BODY_MAX + 1;
    for (int n = 0; n <= 9; n += 3) {
        ss_buf_clear(&rows);
        for (int i = 0; i < n; i++)
            ss_buf_printf(&rows, "<row label=\"Fictional category %d of missing children cases "
                                 "reported in the year\">%d</row>", i, i + 1);
        char *xml = sample_xml("Stepford", fig, rows.data ? rows.data : "");
        ss_dataset *ds = load_data(xml);
        double size;
        ss_page *pg = fit(ds, 0, SS_LETTER_W, SS_LETTER_H, &size);
        assert_non_null(pg);
        double steps = (SS_BODY_MAX - size) / SS_BODY_STEP;
        assert_true(fabs(steps - round(steps)) < 1e-9); /* a whole step */
        assert_true(size <= last); /* more rows never mean bigger type */
        last = size;
        /* The next size up would not have fitted, or fitted only with a
         * space over 1.5x (wider than 0.278 em x 1.5); two sizes up would
         * not have fitted. */
        if (size < SS_BODY_MAX) {
            ss_document *doc = ss_bind(tpl, ds, &ds->states[0]);
            double sz = size + SS_BODY_STEP;
            ss_page *up = ss_layout_run(doc, ss_shaper_measure(shaper), NULL, SS_LETTER_W, SS_LETTER_H,
                                        sz);
            if (up->fits) {
                bool loose = false;
                for (size_t i = 0; i < up->nboxes; i++)
                    loose |= up->boxes[i].kind == SS_BOX_TEXT &&
                             up->boxes[i].ws > 0.278 * 0.5 * sz + 1e-6;
                assert_true(loose);
                assert_true(sz + SS_BODY_STEP <= SS_BODY_MAX);
                ss_page *up2 = ss_layout_run(doc, ss_shaper_measure(shaper), NULL, SS_LETTER_W,
                                             SS_LETTER_H, sz + SS_BODY_STEP);
                assert_false(up2->fits);
                ss_page_free(up2);
            }
            ss_page_free(up);
            ss_document_free(doc);
        }
        ss_page_free(pg);
        ss_dataset_free(ds);
        free(xml);
    }
    ss_buf_free(&rows);
    free(fig);
}

/* A number stays on the line of the word after it. */
static void test_number_glue(void **state)
{
    (void)state;
    ss_dataset *ds = load_real();
    /* Lay out at every size; "1,333" and "CyberTipline" always share a line,
     * and so do "36.2" and "million". */
    for (double s = SS_BODY_MIN; s <= SS_BODY_MAX; s += SS_BODY_STEP) {
        ss_document *doc = ss_bind(tpl, ds, &ds->states[0]);
        for (double w = 300; w <= 612; w += 37) {
            ss_page *pg = ss_layout_run(doc, ss_shaper_measure(shaper), NULL, w, SS_LETTER_H * 3, s);
            for (size_t i = 0; i < pg->nboxes; i++) {
                const ss_box *b = &pg->boxes[i];
                if (b->kind != SS_BOX_TEXT)
                    continue;
                const char *t = ss_box_text(pg, b);
                size_t n = strlen(t);
                /* A line never ends with one of these numbers. */
                bool last_on_line = i + 1 >= pg->nboxes || pg->boxes[i + 1].y != b->y;
                if (last_on_line) {
                    while (n && t[n - 1] == ' ')
                        n--;
                    if ((n >= 5 && !strncmp(t + n - 5, "1,333", 5)) ||
                        (n >= 4 && !strncmp(t + n - 4, "36.2", 4)))
                        fail_msg("line ends with a number: '%s' (size %.2f, width %.0f)", t, s, w);
                }
            }
            ss_page_free(pg);
        }
        ss_document_free(doc);
    }
    ss_dataset_free(ds);
}

/* ---- total fit and hyphenation ------------------------------------------ */

static bool ends_soft(const char *t)
{
    size_t n = strlen(t);
    return n >= 2 && !strcmp(t + n - 2, "\xC2\xAD");
}

/* The widest space on a justified body line, as a multiple of the natural
 * space (0.278 em); and the typographic rules: no one-word last line, at
 * most two hyphenated lines in a row, no hyphen in a figure, the name or
 * an address.  Lines are runs of boxes on one baseline. */
static double check_typography(const ss_page *pg, const char *name)
{
    double space = ss_shaper_measure(shaper)->width(ss_shaper_measure(shaper)->ctx, SS_REGULAR,
                                                  " ", 1);
    double worst = 0;
    int run = 0;
    bool prev_justified = false;
    for (size_t i = 0; i < pg->nboxes; i++) {
        const ss_box *b = &pg->boxes[i];
        if (b->kind != SS_BOX_TEXT || b->color != SS_COLOR_TEXT ||
            fabs(b->size - pg->body_size) > 1e-9)
            continue;
        size_t j = i;
        bool justified = false, spaces = false;
        while (j < pg->nboxes && pg->boxes[j].kind == SS_BOX_TEXT && pg->boxes[j].y == b->y) {
            const ss_box *c = &pg->boxes[j];
            const char *t = ss_box_text(pg, c);
            double gap = (space * c->size / 1000 + c->ws) / (0.278 * c->size);
            if (c->ws > 0 && gap > worst)
                worst = gap;
            justified |= c->ws > 0;
            const char *sp = strchr(t, ' ');
            spaces |= sp && sp[1];
            spaces |= j > i; /* two boxes: two words at least */
            j++;
        }
        const ss_box *last = &pg->boxes[j - 1];
        const char *lt = ss_box_text(pg, last);
        bool table_row = last->x + last->w > b->x + 100 && !strchr(lt, ' ') &&
                         strspn(lt, "0123456789,") == strlen(lt);
        if (!table_row && prev_justified && !justified && !spaces && b->x < 46.5)
            fail_msg("a paragraph ends in a one-word line: '%s'", lt);
        if (ends_soft(lt)) {
            if (++run > 2)
                fail_msg("three hyphenated lines in a row, the third ending '%s'", lt);
            /* The part before the hyphen: letters only, not the name. */
            const char *w = strrchr(lt, ' ');
            w = w ? w + 1 : lt;
            for (const char *q = w; *q && !ends_soft(q); q++)
                if ((*q >= '0' && *q <= '9') || *q == '.' || *q == '/' || *q == '@')
                    fail_msg("a hyphen in a figure or an address: '%s'", w);
            char part[128];
            snprintf(part, sizeof part, "%.*s", (int)(strlen(w) - 2), w);
            if (name && strlen(part) >= 2 && strstr(name, part) &&
                (part[0] >= 'A' && part[0] <= 'Z'))
                fail_msg("the state's name is hyphenated: '%s' in '%s'", w, name);
        } else {
            run = 0;
        }
        prev_justified = justified;
        i = j - 1;
    }
    return worst;
}

/* North Dakota, on Letter and A4, hyphenated: no space over 1.5x; words
 * whole in the text once the soft hyphens go. */
static void test_total_fit_north_dakota(void **state)
{
    (void)state;
    ss_dataset *ds = load_real();
    for (int paper = 0; paper < 2; paper++) {
        double size;
        ss_page *pg = fit_hyph(ds, 0, paper ? SS_A4_W : SS_LETTER_W,
                               paper ? SS_A4_H : SS_LETTER_H, &size);
        assert_non_null(pg);
        check_page(pg);
        double worst = check_typography(pg, "North Dakota");
        if (worst > 1.5 + 1e-9)
            fail_msg("widest space %.2fx on %s", worst, paper ? "A4" : "Letter");
        int soft = 0;
        for (size_t i = 0; i < pg->nboxes; i++)
            soft += pg->boxes[i].kind == SS_BOX_TEXT && ends_soft(ss_box_text(pg, &pg->boxes[i]));
        assert_true(soft > 0); /* hyphenation is on */
        ss_page_free(pg);
    }
    /* Without hyphenation no box ends in a soft hyphen. */
    double size;
    ss_page *pg = fit(ds, 0, SS_LETTER_W, SS_LETTER_H, &size);
    for (size_t i = 0; i < pg->nboxes; i++)
        assert_false(pg->boxes[i].kind == SS_BOX_TEXT && ends_soft(ss_box_text(pg, &pg->boxes[i])));
    ss_page_free(pg);
    ss_dataset_free(ds);
}

/* Every sheet of the fictional sample file, Letter and A4: no space over
 * 2.0x (a line that cannot be kept within it is set ragged), no one-word
 * last line, hyphens only where they may go. */
static void test_total_fit_samples(void **state)
{
    (void)state;
    char *path = tu_source("data/samples/sample-56.xml");
    char *xml = tu_read(path);
    assert_non_null(xml);
    ss_dataset *ds = load_data(xml);
    for (size_t s = 0; s < ds->nstates; s++)
        for (int paper = 0; paper < 2; paper++) {
            double size;
            ss_page *pg = fit_hyph(ds, s, paper ? SS_A4_W : SS_LETTER_W,
                                   paper ? SS_A4_H : SS_LETTER_H, &size);
            assert_non_null(pg);
            double worst = check_typography(pg, ds->states[s].name);
            if (worst > 2.0 + 1e-9)
                fail_msg("%s: widest space %.2fx", ds->states[s].code, worst);
            ss_page_free(pg);
        }
    ss_dataset_free(ds);
    free(xml);
    free(path);
}

/* The hyphenator: US English patterns, two letters before a break and
 * three after; no patterns, no hyphenator. */
static void test_hyphenator(void **state)
{
    (void)state;
    size_t at[32];
    size_t n = ss_hyphenate(hyph_en, "victimization", 13, at, 32);
    assert_true(n >= 3);
    for (size_t i = 0; i < n; i++) {
        assert_true(at[i] >= SS_HYPHEN_LEFT);
        assert_true(13 - at[i] >= SS_HYPHEN_RIGHT);
    }
    /* vic-tim-iza-tion */
    assert_int_equal(at[0], 3);
    /* Case does not matter. */
    size_t up[32];
    assert_int_equal(ss_hyphenate(hyph_en, "Victimization", 13, up, 32), n);
    assert_int_equal(ss_hyphenate(hyph_en, "in", 2, at, 32), 0);
    ss_patterns *none, *es_p;
    assert_null(hyphenator_for("xx-YY", &none));
    assert_null(none);
    ss_hyphenator *es = hyphenator_for("es-US", &es_p);
    assert_non_null(es);
    /* ex-plo-ta-ción: Spanish patterns, UTF-8. */
    n = ss_hyphenate(es, "explotación", strlen("explotación"), at, 32);
    assert_true(n >= 2);
    assert_int_equal(at[0], 2);
    ss_hyphenator_free(es);
    ss_patterns_free(es_p);
}

/* Points of a word from libhyphen with the whole pattern file, the way
 * hyphenation.c reads them (odd digits, no spelling changes). */
static size_t full_points(HyphenDict *d, const char *word, size_t *at)
{
    char buf[128], hyph[136];
    size_t n = strlen(word), k = 0;
    memcpy(buf, word, n + 1);
    char **rep = NULL;
    int *pos = NULL, *cut = NULL;
    assert_int_equal(hnj_hyphen_hyphenate3(d, buf, (int)n, hyph, NULL, &rep, &pos, &cut,
                                           SS_HYPHEN_LEFT, SS_HYPHEN_RIGHT, SS_HYPHEN_LEFT,
                                           SS_HYPHEN_RIGHT), 0);
    for (size_t i = 0; i + 1 < n; i++)
        if ((hyph[i] & 1) && !(rep && rep[i]))
            at[k++] = i + 1;
    if (rep) {
        for (size_t i = 0; i < n; i++)
            free(rep[i]);
        free(rep);
    }
    free(pos);
    free(cut);
    return k;
}

/* Lower-case words of 5 to 60 letters (ASCII and Latin-1) from a file. */
static size_t words_of(const char *path, char ***out, size_t have)
{
    size_t len;
    int err;
    char *text = ss_read_file(path, 1u << 22, &len, &err);
    assert_non_null(text);
    char **w = *out;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && (((text[j] | 32) >= 'a' && (text[j] | 32) <= 'z') ||
                           ((unsigned char)text[j] == 0xC3 && j + 1 < len)))
            j += (unsigned char)text[j] == 0xC3 ? 2 : 1;
        if (j - i >= 5 && j - i <= 60) {
            char *x = ss_xstrndup(text + i, j - i);
            for (char *c = x; *c; c++)
                if (*c >= 'A' && *c <= 'Z')
                    *c = (char)(*c + 32);
            w = ss_xrealloc(w, (have + 1) * sizeof *w);
            w[have++] = x;
        }
        i = j > i ? j : i + 1;
    }
    free(text);
    *out = w;
    return have;
}

/* The patterns reach libhyphen whole: every word of the template and the
 * README gets the points libhyphen gives with the file read by itself. */
static void test_hyphenation_whole_file(void **state)
{
    (void)state;
    char **w = NULL;
    char *p = ss_path_join(assets, "templates/state-data.xml");
    size_t n = words_of(p, &w, 0);
    free(p);
    const char *src = getenv("SS_SOURCE_DIR");
    assert_non_null(src);
    p = ss_path_join(src, "README.md");
    n = words_of(p, &w, n);
    free(p);
    HyphenDict *full = hnj_hyphen_load(ss_patterns_path(patterns_en));
    assert_non_null(full);
    size_t points = 0;
    for (size_t i = 0; i < n; i++) {
        size_t a[32], b[32];
        size_t na = ss_hyphenate(hyph_en, w[i], strlen(w[i]), a, 32);
        size_t nb = full_points(full, w[i], b);
        assert_int_equal(na, nb);
        assert_memory_equal(a, b, na * sizeof *a);
        /* and again, from the hyphenator's memory of the word */
        assert_int_equal(ss_hyphenate(hyph_en, w[i], strlen(w[i]), a, 32), nb);
        assert_memory_equal(a, b, na * sizeof *a);
        points += na;
        free(w[i]);
    }
    free(w);
    assert_true(points > n / 2); /* the words do get hyphenated */
    hnj_hyphen_free(full);
}

/* A pattern file that cannot be read is an error (66), never a run set
 * without hyphenation. */
static void test_hyphenation_unreadable(void **state)
{
    (void)state;
    char dir[] = "/tmp/statesheet-hyph-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *hy = ss_path_join(dir, "hyphen");
    char *file = ss_path_join(hy, "hyph_en_US.dic");
    assert_int_equal(mkdir(hy, 0755), 0);
    assert_int_equal(mkdir(file, 0755), 0); /* a folder where the file goes */
    ss_diag *d = ss_diag_new();
    ss_patterns *p = NULL;
    assert_int_equal(ss_patterns_load(dir, "en-US", &p, d), 66);
    assert_null(p);
    assert_int_equal(ss_diag_error_count(d), 1);
    assert_non_null(strstr(ss_diag_at(d, 0)->message, "hyphenation patterns"));
    ss_diag_free(d);
    rmdir(file);
    rmdir(hy);
    rmdir(dir);
    free(file);
    free(hy);
}

/* The template's words: grouping, decimal mark, "millón"/"millones". */
static void test_number_words(void **state)
{
    (void)state;
    ss_numwords es = {".", ",", {{"millón", "millones"}, {"mil millones", "mil millones"},
                                 {"billón", "billones"}}};
    char out[64];
    ss_format_number(1333, SS_FMT_GROUPED, &es, out, sizeof out);
    assert_string_equal(out, "1.333");
    ss_format_number(36249999, SS_FMT_COMPACT, &es, out, sizeof out);
    assert_string_equal(out, "36,2\xC2\xA0millones");
    ss_format_number(1000000, SS_FMT_COMPACT, &es, out, sizeof out);
    assert_string_equal(out, "1\xC2\xA0millón");
    ss_format_number(1500000, SS_FMT_COMPACT, &es, out, sizeof out);
    assert_string_equal(out, "1,5\xC2\xA0millones");
    ss_format_number(1234567890123ULL, SS_FMT_COMPACT, &es, out, sizeof out);
    assert_string_equal(out, "1,2\xC2\xA0" "billones");
}

/* The Spanish template: the same sheet in Spanish, with no English from
 * the program (figures, the sample notice), hyphenated with Spanish
 * patterns, on one page. */
static void test_spanish_sheet(void **state)
{
    (void)state;
    ss_diag *d = ss_diag_new();
    char *tp = ss_path_join(assets, "templates/state-data.es.xml");
    int e;
    ss_template *es = ss_template_load(tp, d, &e);
    ss_diag_print(d, stderr);
    ss_diag_free(d);
    free(tp);
    assert_non_null(es);
    assert_string_equal(es->lang, "es-US");
    ss_patterns *es_p;
    ss_hyphenator *hy_es = hyphenator_for(es->lang, &es_p);
    assert_non_null(hy_es);
    ss_hyphenation hy = ss_hyphenator_for_layout(hy_es);

    ss_dataset *ds = load_real();
    ss_document *doc = ss_bind(es, ds, &ds->states[0]);
    assert_string_equal(doc->info_title, "Datos de North Dakota 2023");
    double size;
    ss_page *pg = ss_layout_fit(doc, ss_shaper_measure(shaper), &hy, SS_LETTER_W,
                                       SS_LETTER_H, &size);
    assert_non_null(pg);
    check_page(pg);
    double worst = check_typography(pg, "North Dakota");
    if (worst > 2.0)
        fail_msg("widest space %.2fx", worst);
    char *text = page_text(pg);
    /* Soft hyphens out, as an extractor that knows them reads the page. */
    char *w = text;
    for (char *r = text; *r; r++) {
        if ((unsigned char)r[0] == 0xC2 && (unsigned char)r[1] == 0xAD) {
            r += r[2] == ' ' ? 2 : 1;
            continue;
        }
        *w++ = *r;
    }
    *w = '\0';
    const char *want[] = {"recibió 36.2 millones de denuncias",
                          "más de 105 millones de archivos",
                          "En 2023, se pusieron 1,333 denuncias de la CyberTipline",
                          "Datos de North Dakota"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (!strstr(text, want[i]))
            fail_msg("'%s' is not on the Spanish page: %s", want[i], text);
    assert_null(strstr(text, "million "));
    free(text);
    ss_page_free(pg);
    ss_document_free(doc);
    ss_dataset_free(ds);

    /* A sample sheet carries the template's notice, not the English one. */
    char *figs = figures("12");
    char *xml = sample_xml("Lakeshire", figs, "");
    ds = load_data(xml);
    doc = ss_bind(es, ds, &ds->states[0]);
    pg = ss_layout_fit(doc, ss_shaper_measure(shaper), &hy, SS_LETTER_W, SS_LETTER_H,
                              &size);
    assert_non_null(pg);
    text = page_text(pg);
    assert_non_null(strstr(text, "DATOS DE MUESTRA"));
    assert_null(strstr(text, "SAMPLE"));
    free(text);
    ss_page_free(pg);
    ss_document_free(doc);
    ss_dataset_free(ds);
    free(xml);
    free(figs);
    ss_hyphenator_free(hy_es);
    ss_patterns_free(es_p);
    ss_template_free(es);
}

/* The table reads as a table: from each count back to its label, nothing
 * wider than 1 em is empty (a dot leader, dots at most 1 em apart, fills
 * the way), and the table is no wider than its content needs. */
static void test_table_leaders(void **state)
{
    (void)state;
    ss_dataset *ds = load_real();
    double size;
    ss_page *pg = fit_hyph(ds, 0, SS_LETTER_W, SS_LETTER_H, &size);
    assert_non_null(pg);
    int counts = 0;
    for (size_t i = 0; i < pg->nboxes; i++) {
        const ss_box *v = &pg->boxes[i];
        const char *t = ss_box_text(pg, v);
        if (v->kind != SS_BOX_TEXT || v->style != SS_BOLD || strspn(t, "0123456789,") != strlen(t))
            continue;
        /* Everything on this baseline left of the count, as spans. */
        double reach = -1;
        for (size_t j = 0; j < pg->nboxes; j++) {
            const ss_box *b = &pg->boxes[j];
            bool same = b->kind == SS_BOX_TEXT ? b->y == v->y
                                               : b->kind == SS_BOX_LEADER &&
                                                     fabs(b->y - v->y) < 2;
            if (j != i && same && b->x < v->x && b->x + b->w > reach)
                reach = b->x + b->w;
        }
        if (reach < 0)
            continue; /* alone on its line */
        /* Walk left from the count: every step at most 1 em. */
        double at = v->x;
        for (;;) {
            double best = -1;
            for (size_t j = 0; j < pg->nboxes; j++) {
                const ss_box *b = &pg->boxes[j];
                bool same = b->kind == SS_BOX_TEXT ? b->y == v->y
                                                   : b->kind == SS_BOX_LEADER &&
                                                         fabs(b->y - v->y) < 2;
                if (j != i && same && b->x + b->w <= at + 0.01 && b->x < at - 0.01 &&
                    b->x + b->w > best)
                    best = b->x + b->w;
            }
            if (best < 0)
                break;
            if (at - best > v->size)
                fail_msg("count '%s' is %.1f pt from what is left of it", t, at - best);
            double left = at;
            for (size_t j = 0; j < pg->nboxes; j++) {
                const ss_box *b = &pg->boxes[j];
                if (b->x + b->w == best && b->x < left)
                    left = b->x;
            }
            at = left;
            if (at <= 46.5)
                break;
        }
        counts++;
    }
    assert_true(counts >= 3);
    /* ND's labels are short: the table's rules stop well short of the
     * column's right edge. */
    for (size_t i = 0; i < pg->nboxes; i++)
        if (pg->boxes[i].kind == SS_BOX_RULE && fabs(pg->boxes[i].h - 0.8) < 1e-9 &&
            pg->boxes[i].color == SS_COLOR_HEADING)
            assert_true(pg->boxes[i].x + pg->boxes[i].w < SS_LETTER_W - 46 - 100);
    ss_page_free(pg);
    ss_dataset_free(ds);
}

/* Each box carries its part in the tagged PDF: the footer is pagination,
 * shapes are decoration, every other text box belongs to a numbered
 * element whose boxes follow each other; elements are numbered in reading
 * order (on a sample sheet the SAMPLE notice first); a table row is a TH
 * and a TD. */
static void test_structure_roles(void **state)
{
    (void)state;
    ss_dataset *ds = load_real();
    for (int sample = 0; sample < 2; sample++) {
        ss_document *doc = ss_bind(tpl, ds, &ds->states[0]);
        doc->sample = sample;
        double size;
        ss_page *pg = ss_layout_fit(doc, ss_shaper_measure(shaper), NULL, SS_LETTER_W, SS_LETTER_H,
                                    &size);
        assert_non_null(pg);
        const char *first[4] = {NULL, NULL, NULL, NULL}; /* text of elements 1-3 */
        unsigned last = 0, max = 0, h1 = 0, h2 = 0, th = 0, td = 0;
        for (size_t i = 0; i < pg->nboxes; i++) {
            const ss_box *b = &pg->boxes[i];
            const char *t = ss_box_text(pg, b);
            if (b->kind != SS_BOX_TEXT) {
                assert_int_equal(b->role, SS_ROLE_ARTIFACT);
                continue;
            }
            if (strstr(t, "Source: NCMEC") || strstr(t, "missingkids.org") == t + strlen(t) -
                                                  strlen("missingkids.org")) {
                assert_int_equal(b->role, SS_ROLE_PAGINATION);
                assert_int_equal(b->elem, 0);
                continue;
            }
            assert_true(b->elem > 0 && b->role >= SS_ROLE_P);
            if (b->elem != last) {
                assert_true(b->elem > max || sample); /* one run of boxes each */
                if (b->elem < 4 && !first[b->elem])
                    first[b->elem] = t;
                h1 += b->role == SS_ROLE_H1;
                h2 += b->role == SS_ROLE_H2;
                th += b->role == SS_ROLE_TH;
                td += b->role == SS_ROLE_TD;
                if (b->role == SS_ROLE_TD)
                    assert_int_equal(pg->boxes[i - 1].role, SS_ROLE_TH);
                last = b->elem;
                max = b->elem > max ? b->elem : max;
            }
        }
        assert_int_equal(h1, 1);
        assert_int_equal(h2, 5);
        assert_int_equal(th, 3);
        assert_int_equal(td, 3);
        const char *want[3] = {"The National Center for Missing and Exploited Children",
                               "North Dakota Data", NULL};
        if (sample) {
            assert_non_null(first[1]);
            assert_non_null(strstr(first[1], "SAMPLE DATA"));
            assert_string_equal(first[2], want[0]);
            assert_string_equal(first[3], want[1]);
        } else {
            assert_string_equal(first[1], want[0]);
            assert_string_equal(first[2], want[1]);
        }
        ss_page_free(pg);
        ss_document_free(doc);
    }
    ss_dataset_free(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_number),
        cmocka_unit_test(test_kerning_and_margins),
        cmocka_unit_test(test_north_dakota),
        cmocka_unit_test(test_north_dakota_pinned),
        cmocka_unit_test(test_singular_and_zero),
        cmocka_unit_test(test_hard_cases),
        cmocka_unit_test(test_does_not_fit),
        cmocka_unit_test(test_shrinks_in_steps),
        cmocka_unit_test(test_number_glue),
        cmocka_unit_test(test_total_fit_north_dakota),
        cmocka_unit_test(test_total_fit_samples),
        cmocka_unit_test(test_hyphenator),
        cmocka_unit_test(test_hyphenation_whole_file),
        cmocka_unit_test(test_hyphenation_unreadable),
        cmocka_unit_test(test_number_words),
        cmocka_unit_test(test_spanish_sheet),
        cmocka_unit_test(test_table_leaders),
        cmocka_unit_test(test_structure_roles),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
