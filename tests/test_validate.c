/* test_validate.c - a dataset against the template and the fonts
 * (validate.c): missing figures, probably mistyped keys (warning, or error
 * under strict), characters the fonts cannot print, the edit distance. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fonts.h"
#include "paths.h"
#include "records.h"
#include "template.h"
#include "util.h"
#include "validate.h"

static char *assets;
static ss_template *tpl;
static ss_fonts *fonts;

static int setup(void **state)
{
    (void)state;
    ss_diag *d = ss_diag_new();
    assets = ss_assets_dir(NULL);
    char *tp = ss_path_join(assets, "templates/state-data.xml");
    int e;
    tpl = ss_template_load(tp, d, &e);
    fonts = ss_fonts_load(assets, d);
    ss_diag_print(d, stderr);
    ss_diag_free(d);
    free(tp);
    return tpl && fonts ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ss_template_free(tpl);
    ss_fonts_free(fonts);
    free(assets);
    return 0;
}

/* TU_SAMPLE_HEAD, then 'state' (starting on line 16), then the end. */
static ss_dataset *load(const char *state)
{
    char *xml = ss_xasprintf("%s%s</statedata>\n", TU_SAMPLE_HEAD, state);
    ss_diag *d = ss_diag_new();
    ss_dataset *ds = ss_dataset_load_memory("x.xml", xml, strlen(xml), d);
    ss_diag_print(d, stderr);
    ss_diag_free(d);
    free(xml);
    assert_non_null(ds);
    return ds;
}

static const char ND[] =
    "  <state code=\"ND\" name=\"North Dakota\">\n"
    "    <figure key=\"cybertipline.reports\">1333</figure>\n"
    "    <figure key=\"cvip.submissions\">28</figure>\n"
    "    <figure key=\"teamhope.supported\">8</figure>\n"
    "    <figure key=\"mentalhealth.connected\">7</figure>\n"
    "    <figure key=\"connect.new_users\">30</figure>\n"
    "    <table key=\"missing.cases\"/>\n"
    "  </state>\n";

/* The real data has every figure the default template reads. */
static void real_data_has_every_key(void **state)
{
    (void)state;
    char *data = tu_source("data/ncmec-2023.xml");
    ss_diag *d = ss_diag_new();
    int e;
    ss_dataset *ds = tu_dataset_load(data, d, &e);
    assert_non_null(ds);
    assert_true(ss_validate_keys(tpl, ds, true, d));
    assert_int_equal(ss_diag_count(d), 0);
    ss_dataset_free(ds);
    ss_diag_free(d);
    free(data);
}

/* A state without a figure the template reads: named, with its line. */
static void missing_keys(void **state)
{
    (void)state;
    const char *xml = "<statedata year=\"2023\" sample=\"true\">\n"
                      "<state code=\"AA\" name=\"Alpha\">\n"
                      "<figure key=\"cybertipline.reports\">1</figure>\n"
                      "</state>\n</statedata>\n";
    ss_diag *d = ss_diag_new();
    ss_dataset *ds = ss_dataset_load_memory("x.xml", xml, strlen(xml), d);
    assert_non_null(ds);
    assert_false(ss_validate_keys(tpl, ds, false, d));
    char *got = tu_diag_text(d);
    assert_non_null(strstr(got, "x.xml:2: error: state AA has no figure 'cvip.submissions', "
                                "which the template uses"));
    assert_non_null(strstr(got, "x.xml:2: error: state AA has no table 'missing.cases'"));
    assert_non_null(strstr(got, "x.xml:1: error: the national figures have no "
                                "'cybertipline.reports'"));
    free(got);
    ss_dataset_free(ds);
    ss_diag_free(d);
}

/* A key one edit from a used one: a warning naming it, on its own line;
 * an error under strict.  Far keys and used keys say nothing. */
static void near_keys(void **state)
{
    (void)state;
    char *st = ss_xasprintf("%.*s"
                            "    <figure key=\"cvip.submission\">28</figure>\n"
                            "    <figure key=\"totally.other\">1</figure>\n"
                            "    <table key=\"missing.casse\"/>\n"
                            "  </state>\n",
                            (int)(strlen(ND) - strlen("  </state>\n")), ND);
    ss_dataset *ds = load(st);
    ss_diag *d = ss_diag_new();
    assert_true(ss_validate_keys(tpl, ds, false, d));
    char *got = tu_diag_text(d);
    assert_string_equal(got,
        "x.xml:23: warning: state ND: the figure 'cvip.submission' is not used by the "
        "template; did you mean 'cvip.submissions'?\n"
        "x.xml:25: warning: state ND: the table 'missing.casse' is not used by the "
        "template; did you mean 'missing.cases'?\n");
    free(got);
    assert_false(ss_validate_keys(tpl, ds, true, d));
    got = tu_diag_text(d);
    assert_non_null(strstr(got, "x.xml:23: error: state ND: the figure 'cvip.submission'"));
    free(got);
    ss_diag_free(d);
    ss_dataset_free(ds);
    free(st);
}

static void edit_distance(void **state)
{
    (void)state;
    assert_int_equal(ss_edit_distance("cvip.submissions", "cvip.submissions", 2), 0);
    assert_int_equal(ss_edit_distance("cvip.submission", "cvip.submissions", 2), 1);
    assert_int_equal(ss_edit_distance("cvip.subimssions", "cvip.submissions", 2), 1);
    assert_int_equal(ss_edit_distance("cvip.sbmision", "cvip.submissions", 2), 3);
    assert_int_equal(ss_edit_distance("abc", "xyz", 2), 3);
    assert_int_equal(ss_edit_distance("", "ab", 2), 2);
}

/* Characters the fonts lack: the name and a table label, each named. */
static void state_glyphs(void **state)
{
    (void)state;
    ss_dataset *ds = load("  <state code=\"ND\" name=\"North \xe4\xb8\xad Dakota\">\n"
                          "    <table key=\"missing.cases\">\n"
                          "      <row label=\"Ok\">1</row>\n"
                          "      <row label=\"Bad \xe2\x98\x83\">1</row>\n"
                          "    </table>\n"
                          "  </state>\n");
    ss_diag *d = ss_diag_new();
    assert_false(ss_validate_state_glyphs(ds, &ds->states[0], fonts, d));
    char *got = tu_diag_text(d);
    assert_non_null(strstr(got, "x.xml:16: error: state ND: the name 'North \xe4\xb8\xad "
                                "Dakota' has the character U+4E2D"));
    assert_non_null(strstr(got, "x.xml:19: error: state ND, table 'missing.cases': the "
                                "row label 'Bad \xe2\x98\x83' has the character U+2603"));
    free(got);
    ss_diag_free(d);
    ss_dataset_free(ds);
    ds = load(ND);
    d = ss_diag_new();
    assert_true(ss_validate_state_glyphs(ds, &ds->states[0], fonts, d));
    assert_int_equal(ss_diag_count(d), 0);
    ss_diag_free(d);
    ss_dataset_free(ds);
}

static void template_glyphs(void **state)
{
    (void)state;
    ss_diag *d = ss_diag_new();
    assert_true(ss_validate_template_glyphs(tpl, fonts, d));
    const char *xml = "<sheet version=\"1\"><uses/><title>Org</title>\n"
                      "<subtitle>Snow \xe2\x98\x83</subtitle></sheet>\n";
    ss_template *t = ss_template_load_memory("t.xml", xml, strlen(xml), d);
    assert_non_null(t);
    assert_false(ss_validate_template_glyphs(t, fonts, d));
    char *got = tu_diag_text(d);
    assert_non_null(strstr(got, "t.xml:2: error: the text 'Snow \xe2\x98\x83' has the "
                                "character U+2603"));
    free(got);
    ss_template_free(t);
    ss_diag_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(real_data_has_every_key),
        cmocka_unit_test(missing_keys),
        cmocka_unit_test(near_keys),
        cmocka_unit_test(edit_distance),
        cmocka_unit_test(state_glyphs),
        cmocka_unit_test(template_glyphs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
