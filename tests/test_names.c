/* test_names.c - state names and row labels made safe to print (issue 12,
 * point 5): NFC, every Unicode space is white space, invisible characters
 * refused with their code point.  The class tests walk every code point, so
 * they hold for characters no example names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "testutil.h"

#include "names.h"
#include "records.h"
#include "util.h"

static char *clean(const char *s, ss_name_problem *pr, long *cp)
{
    return ss_name_clean(s, pr, cp);
}

static void nfc_and_white_space(void **state)
{
    (void)state;
    ss_name_problem pr;
    long cp;
    /* Decomposed accents become one character each; tabs, em spaces and
     * runs collapse; the ends are trimmed. */
    char *t = clean(" \t\xE2\x80\x83" "Da\xCC\x81kota\t\t\xE2\x80\x83North\xE3\x80\x80 ", &pr, &cp);
    assert_non_null(t);
    assert_string_equal(t, "D\xC3\xA1kota North");
    free(t);
    /* A lone no-break space stays (it keeps two words together). */
    t = clean("Washington,\xC2\xA0" "D.C.", &pr, &cp);
    assert_string_equal(t, "Washington,\xC2\xA0" "D.C.");
    free(t);
    /* Hangul jamo compose too. */
    t = clean("\xE1\x84\x80\xE1\x85\xA1", &pr, &cp);
    assert_string_equal(t, "\xEA\xB0\x80");
    free(t);
}

static void only_spaces_is_empty(void **state)
{
    (void)state;
    ss_name_problem pr;
    long cp;
    char *t = clean("\xC2\xA0\xE2\x80\x82\xE3\x80\x80\xE2\x81\x9F \t", &pr, &cp);
    assert_non_null(t);
    assert_string_equal(t, "");
    free(t);
}

/* Every code point of the refused classes is refused and named; every
 * space separator is white space. */
static void every_code_point_of_the_classes(void **state)
{
    (void)state;
    size_t refused = 0, spaces = 0;
    for (utf8proc_int32_t c = 1; c <= 0x10FFFF; c++) {
        if (c >= 0xD800 && c <= 0xDFFF)
            continue;
        utf8proc_category_t k = utf8proc_category(c);
        bool ws = c == '\t' || c == '\n' || c == '\r';
        bool bad = !ws && (k == UTF8PROC_CATEGORY_CC || k == UTF8PROC_CATEGORY_CF ||
                           k == UTF8PROC_CATEGORY_ZL || k == UTF8PROC_CATEGORY_ZP);
        bool space = ws || k == UTF8PROC_CATEGORY_ZS;
        if (!bad && !space)
            continue;
        char s[16] = "A";
        int n = ss_utf8_encode(c, s + 1);
        s[1 + n] = 'B';
        s[2 + n] = '\0';
        ss_name_problem pr = SS_NAME_OK;
        long cp = 0;
        char *t = clean(s, &pr, &cp);
        if (bad) {
            if (t || cp != c || pr == SS_NAME_OK)
                fail_msg("U+%04lX (category %d) was not refused", (long)c, (int)k);
            refused++;
        } else {
            if (!t || strcmp(t, c == 0xA0 ? "A\xC2\xA0" "B" : "A B"))
                fail_msg("U+%04lX is not treated as white space: '%s'", (long)c,
                         t ? t : "(refused)");
            spaces++;
        }
        free(t);
    }
    /* Unicode 13-15 have some 160 Cf, 65 Cc and 17 Zs characters. */
    assert_true(refused > 200);
    assert_true(spaces >= 20);
}

static void named_examples(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        long cp;
        ss_name_problem pr;
    } cases[] = {
        {"North\xE2\x80\x8B" "Dakota", 0x200B, SS_NAME_INVISIBLE},
        {"North \xE2\x80\xAE" "Dakota", 0x202E, SS_NAME_BIDI},
        {"North \xE2\x81\xA6" "Dakota", 0x2066, SS_NAME_BIDI},
        {"North Dakota\xE2\x80\x8E", 0x200E, SS_NAME_BIDI},
        {"Da\xC2\xAD" "kota", 0xAD, SS_NAME_SOFT_HYPHEN},
        {"\xEF\xBB\xBF" "Dakota", 0xFEFF, SS_NAME_INVISIBLE},
        {"Dak\xEF\xBF\xBD" "ta", 0xFFFD, SS_NAME_REPLACEMENT},
        {"\xCC\x81" "Dakota", 0x301, SS_NAME_LONE_MARK},
        {"North \xE2\x83\x9D" "Dakota", 0x20DD, SS_NAME_LONE_MARK},
        {"North\xC2\x85" "Dakota", 0x85, SS_NAME_CONTROL},
        {"North\x7F" "Dakota", 0x7F, SS_NAME_CONTROL},
        {"North\xE2\x80\xA9" "Dakota", 0x2029, SS_NAME_SEPARATOR},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ss_name_problem pr;
        long cp;
        char *t = clean(cases[i].s, &pr, &cp);
        if (t || cp != cases[i].cp || pr != cases[i].pr)
            fail_msg("case %zu: got %s, U+%04lX, problem %d", i, t ? t : "(refused)",
                     cp, (int)pr);
        /* The message names a problem in words, never empty. */
        assert_true(strlen(ss_name_problem_text(pr)) > 10);
    }
}

/* Through the loader: the state's name and the row label are stored
 * normalised, so the sheet, its title and its metadata get the clean text. */
static void loader_stores_clean_names(void **state)
{
    (void)state;
    const char *xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<statedata year=\"2023\" sample=\"true\">\n"
        "  <state code=\"ND\" name=\"&#x2003;North&#9;&#9;Da&#x301;kota \">\n"
        "    <figure key=\"cybertipline.reports\">1333</figure>\n"
        "    <table key=\"missing.cases\">\n"
        "      <row label=\"Other&#x3000;&#x3000;Cases&#10;\">6</row>\n"
        "    </table>\n"
        "  </state>\n"
        "</statedata>\n";
    ss_diag *d = ss_diag_new();
    ss_dataset *ds = ss_dataset_load_memory("t.xml", xml, strlen(xml), d);
    if (!ds)
        ss_diag_print(d, stderr);
    assert_non_null(ds);
    assert_string_equal(ds->states[0].name, "North D\xC3\xA1kota");
    assert_string_equal(ds->states[0].tables[0].rows[0].label, "Other Cases");
    ss_dataset_free(ds);
    ss_diag_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nfc_and_white_space),
        cmocka_unit_test(only_spaces_is_empty),
        cmocka_unit_test(every_code_point_of_the_classes),
        cmocka_unit_test(named_examples),
        cmocka_unit_test(loader_stores_clean_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
