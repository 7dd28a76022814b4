/* fuzz_layout.c - the layout of arbitrary UTF-8 names and labels.
 *
 * Input: a state name, then up to 8 table row labels, one per line ('\n').
 * Only inputs the real program would lay out are kept: valid UTF-8 that
 * the fonts can draw (run.c refuses anything else with a data error before
 * layout).  They go XML-escaped into a sample data file loaded with
 * ss_dataset_load_memory, are bound to the default template
 * (assets/templates/state-data.xml) and laid out with ss_layout_fit on
 * Letter and A4.  The promise checked: a sheet fits or fails cleanly -
 * ss_layout_fit returns NULL, or a page whose every text box lies inside
 * the 36 pt safe margin.  Anything else is reported with __builtin_trap().
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bind.h"
#include "diag.h"
#include "fonts.h"
#include "layout.h"
#include "paths.h"
#include "records.h"
#include "template.h"
#include "validate.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LABELS 8

static ss_template *tpl;
static ss_fonts *fonts;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char *assets = ss_assets_dir(NULL);
    if (!assets) {
        fprintf(stderr, "fuzz_layout: cannot find the assets (set STATESHEET_ASSETS)\n");
        abort();
    }
    ss_diag *diag = ss_diag_new();
    char *tpath = ss_path_join(assets, "templates/state-data.xml");
    int err = 0;
    tpl = ss_template_load(tpath, diag, &err);
    fonts = ss_fonts_load(assets, diag);
    if (!tpl || !fonts) {
        ss_diag_print(diag, stderr);
        abort();
    }
    free(tpath);
    free(assets);
    ss_diag_free(diag);
    return 0;
}

/* Strict UTF-8 (no overlong forms, surrogates or values past U+10FFFF) of
 * characters XML 1.0 allows; no NUL. */
static bool valid_text(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        unsigned long cp;
        size_t len;
        if (c < 0x80) {
            cp = c, len = 1;
        } else if (c >= 0xC2 && c <= 0xDF) {
            cp = c & 0x1F, len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            cp = c & 0x0F, len = 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            cp = c & 0x07, len = 4;
        } else {
            return false;
        }
        if (i + len > n)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return false;
        if (cp >= 0xD800 && cp <= 0xDFFF)
            return false;
        if ((cp < 0x20 && cp != '\t' && cp != '\r') || cp == 0xFFFE || cp == 0xFFFF)
            return false;
        i += len;
    }
    return true;
}

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

/* Text as an attribute value: markup and the white space that attribute
 * normalisation would turn into spaces are written as references. */
static void put_attr(buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&': puts_(b, "&amp;"); break;
        case '<': puts_(b, "&lt;"); break;
        case '>': puts_(b, "&gt;"); break;
        case '"': puts_(b, "&quot;"); break;
        case '\t': puts_(b, "&#9;"); break;
        case '\r': puts_(b, "&#13;"); break;
        default: put(b, s + i, 1);
        }
    }
}

static bool drawable(const char *s, size_t n, bool bold_too)
{
    char *z = malloc(n + 1);
    if (!z)
        abort();
    memcpy(z, s, n);
    z[n] = '\0';
    bool ok = ss_fonts_first_missing(fonts, SS_REGULAR, z) == 0 &&
              (!bold_too || ss_fonts_first_missing(fonts, SS_BOLD, z) == 0);
    free(z);
    return ok;
}

/* A page that says it fits keeps every text box inside the safe margin.
 * 0.01 pt: the layout's own tolerance for the footer. */
static void check_page(const ss_page *pg)
{
    const double m = SS_SAFE_MARGIN, eps = 0.01;
    if (!pg->fits)
        __builtin_trap();
    for (size_t i = 0; i < pg->nboxes; i++) {
        const ss_box *b = &pg->boxes[i];
        if (b->kind != SS_BOX_TEXT)
            continue;
        if (!isfinite(b->x) || !isfinite(b->y) || !isfinite(b->w) || !isfinite(b->size))
            __builtin_trap();
        if (b->x < m - eps || b->x + b->w > pg->width - m + eps)
            __builtin_trap();
        if (b->y < m - eps || b->y > pg->height - m + eps)
            __builtin_trap();
        if (b->size < SS_TEXT_MIN - eps)
            __builtin_trap();
    }
}

static void lay_out(const ss_document *doc, double w, double h)
{
    double size = 0;
    ss_page *pg = ss_layout_fit(doc, ss_fonts_measure(fonts), NULL, w, h, &size);
    if (pg) {
        if (size < SS_BODY_MIN || size > SS_BODY_MAX)
            __builtin_trap();
        check_page(pg);
    }
    ss_page_free(pg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data, *end = s + size;
    const char *part[1 + MAX_LABELS];
    size_t plen[1 + MAX_LABELS], nparts = 0;
    while (nparts < 1 + MAX_LABELS) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *e = nl ? nl : end;
        part[nparts] = s;
        plen[nparts] = (size_t)(e - s);
        nparts++;
        if (!nl)
            break;
        s = nl + 1;
    }
    for (size_t i = 0; i < nparts; i++) {
        if (!valid_text((const unsigned char *)part[i], plen[i]))
            return -1; /* not a name or label the program would lay out */
        if (!drawable(part[i], plen[i], i == 0))
            return -1;
    }

    /* Row values: the widest figure first, then small ones; the total is
     * below SS_FIGURE_MAX. */
    buf x = {0};
    puts_(&x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<statedata year=\"2023\" sample=\"true\">\n<national>\n"
              "<figure key=\"cybertipline.reports\">36200000</figure>\n"
              "<figure key=\"cybertipline.content\">105000000</figure>\n"
              "<figure key=\"cvip.children_identified\">27130</figure>\n"
              "<figure key=\"missing.cases\">28886</figure>\n"
              "<figure key=\"missing.runaways_from_care\">22442</figure>\n"
              "<figure key=\"missing.trafficking_percent\">19</figure>\n"
              "<figure key=\"trafficking.reports\">18400</figure>\n"
              "<figure key=\"teamhope.supported\">5759</figure>\n"
              "<figure key=\"teamadam.incidents\">57</figure>\n"
              "<figure key=\"teamadam.long_term_cases\">146</figure>\n"
              "<figure key=\"connect.users\">18000</figure>\n"
              "</national>\n<state code=\"ND\" name=\"");
    put_attr(&x, part[0], plen[0]);
    puts_(&x, "\">\n"
              "<figure key=\"cybertipline.reports\">999999999</figure>\n"
              "<figure key=\"cvip.submissions\">28</figure>\n"
              "<figure key=\"teamhope.supported\">8</figure>\n"
              "<figure key=\"mentalhealth.connected\">7</figure>\n"
              "<figure key=\"connect.new_users\">30</figure>\n"
              "<table key=\"missing.cases\">\n");
    for (size_t i = 1; i < nparts; i++) {
        char v[32];
        snprintf(v, sizeof v, "%llu", i == 1 ? 888888888888ULL : (unsigned long long)i);
        puts_(&x, "<row label=\"");
        put_attr(&x, part[i], plen[i]);
        puts_(&x, "\">");
        puts_(&x, v);
        puts_(&x, "</row>\n");
    }
    puts_(&x, "</table>\n</state>\n</statedata>\n");

    ss_diag *diag = ss_diag_new();
    ss_dataset *ds = ss_dataset_load_memory("fuzz.xml", x.p, x.len, diag);
    if (ds && ss_validate_keys(tpl, ds, false, diag)) {
        ss_document *doc = ss_bind(tpl, ds, &ds->states[0]);
        lay_out(doc, SS_LETTER_W, SS_LETTER_H);
        lay_out(doc, SS_A4_W, SS_A4_H);
        ss_document_free(doc);
    }
    ss_dataset_free(ds);
    ss_diag_free(diag);
    free(x.p);
    return 0;
}
