/* fuzz_template.c - the template loader on arbitrary bytes, and what
 * follows when a template loads: check against a dataset, bind, lay out.
 *
 * ss_template_load_memory, as the program calls it.  A template that
 * loads is checked against a small built-in dataset (the real 2023 file's
 * content, sample-marked), bound to its state and laid out with the real
 * fonts on Letter and A4, as `statesheet` does - including its refusal of
 * text the fonts cannot draw (run.c).  Traps when the loader returns NULL
 * without an error, or when a page that claims to fit has a text box
 * outside the 36 pt safe margin.
 */
#include <math.h>
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

/* data/ncmec-2023.xml's figures, marked as sample data; built in so that a
 * change to the real file does not change what this target explores. */
static const char DATASET[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<statedata year=\"2023\" sample=\"true\">\n"
    "  <national>\n"
    "    <figure key=\"cybertipline.reports\">36200000</figure>\n"
    "    <figure key=\"cybertipline.content\">105000000</figure>\n"
    "    <figure key=\"cvip.children_identified\">27130</figure>\n"
    "    <figure key=\"missing.cases\">28886</figure>\n"
    "    <figure key=\"missing.runaways_from_care\">22442</figure>\n"
    "    <figure key=\"missing.trafficking_percent\">19</figure>\n"
    "    <figure key=\"trafficking.reports\">18400</figure>\n"
    "    <figure key=\"teamhope.supported\">5759</figure>\n"
    "    <figure key=\"teamadam.incidents\">57</figure>\n"
    "    <figure key=\"teamadam.long_term_cases\">146</figure>\n"
    "    <figure key=\"connect.users\">18000</figure>\n"
    "    <figure key=\"zero\">0</figure>\n"
    "    <figure key=\"one\">1</figure>\n"
    "    <figure key=\"max\">999999999999</figure>\n"
    "  </national>\n"
    "  <state code=\"ND\" name=\"North Dakota\">\n"
    "    <figure key=\"cybertipline.reports\">1333</figure>\n"
    "    <figure key=\"cvip.submissions\">28</figure>\n"
    "    <figure key=\"teamhope.supported\">8</figure>\n"
    "    <figure key=\"mentalhealth.connected\">7</figure>\n"
    "    <figure key=\"connect.new_users\">30</figure>\n"
    "    <figure key=\"zero\">0</figure>\n"
    "    <figure key=\"one\">1</figure>\n"
    "    <figure key=\"max\">999999999999</figure>\n"
    "    <table key=\"missing.cases\" total=\"68\">\n"
    "      <row label=\"Children Missing From Social Services Facility\">61</row>\n"
    "      <row label=\"Other Missing Children Cases\">6</row>\n"
    "      <row label=\"Children Reported Missing by Office of Refugee Resettlement "
    "(HHS-ORR)\">1</row>\n"
    "    </table>\n"
    "    <table key=\"empty\"/>\n"
    "    <table key=\"one\"><row label=\"Only\">1</row></table>\n"
    "  </state>\n"
    "</statedata>\n";

static ss_dataset *dataset;
static ss_fonts *fonts;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char *assets = ss_assets_dir(NULL);
    if (!assets) {
        fprintf(stderr, "fuzz_template: cannot find the assets (set STATESHEET_ASSETS)\n");
        abort();
    }
    ss_diag *diag = ss_diag_new();
    dataset = ss_dataset_load_memory("builtin.xml", DATASET, sizeof DATASET - 1,
                                     diag);
    fonts = ss_fonts_load(assets, diag);
    if (!dataset || !fonts) {
        ss_diag_print(diag, stderr);
        abort();
    }
    free(assets);
    ss_diag_free(diag);
    return 0;
}

/* As run.c: template text the fonts cannot draw is refused before layout. */
static bool drawable(const ss_tnode *n)
{
    for (; n; n = n->next) {
        if (n->kind == SS_T_TEXT && n->text &&
            (ss_fonts_first_missing(fonts, SS_BOLD, n->text) ||
             ss_fonts_first_missing(fonts, SS_REGULAR, n->text)))
            return false;
        if (!drawable(n->children) || !drawable(n->zero) || !drawable(n->one))
            return false;
    }
    return true;
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
        if (b->text + b->len >= pg->nchars + 1 || strlen(ss_box_text(pg, b)) != b->len)
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
    ss_diag *diag = ss_diag_new();
    ss_template *t = ss_template_load_memory("fuzz-template.xml", (const char *)data,
                                             size, diag);
    size_t errors = ss_diag_error_count(diag);
    if (!t && errors == 0) /* refused without telling the user why */
        __builtin_trap();
    if (t && errors != 0)
        __builtin_trap();
    if (t && ss_validate_keys(t, dataset, false, diag) && drawable(t->title) &&
        drawable(t->subtitle) && drawable(t->blocks) && drawable(t->footer_left) &&
        drawable(t->footer_right)) {
        for (size_t s = 0; s < dataset->nstates; s++) {
            ss_document *doc = ss_bind(t, dataset, &dataset->states[s]);
            lay_out(doc, SS_LETTER_W, SS_LETTER_H);
            lay_out(doc, SS_A4_W, SS_A4_H);
            ss_document_free(doc);
        }
    }
    ss_template_free(t);
    ss_diag_free(diag);
    return 0;
}
