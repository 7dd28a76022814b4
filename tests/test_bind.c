/* test_bind.c - binding a template to a state (bind.c), from fixtures.
 *
 * Every template tests/fixtures/bind/NAME.xml is bound to each state of
 * tests/fixtures/bind/data.xml (zero, one and many of each figure and an
 * empty table), and the documents, written out as text, must equal
 * NAME.expected: plural forms (zero, one, other and their fall-backs),
 * omission (<when>, empty tables, paragraphs and headings left empty), the
 * number formats, and state figures bold / national figures regular.
 *
 * The text form: "== CODE", then one line per part ("title:", "subtitle:",
 * "heading:", "p:", "table: LABEL | VALUE", "footer: LEFT | RIGHT"); bold
 * runs are written *like this*, and U+00A0 (a space that must not break)
 * as '~'.
 */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bind.h"
#include "diag.h"
#include "records.h"
#include "template.h"
#include "util.h"

static void put_text(ss_buf *b, const ss_text *t)
{
    for (size_t i = 0; i < t->nruns; i++) {
        const ss_run *r = &t->runs[i];
        if (r->style == SS_BOLD)
            ss_buf_addc(b, '*');
        for (const char *p = r->text; *p; p++) {
            if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0) {
                ss_buf_addc(b, '~');
                p++;
            } else {
                ss_buf_addc(b, *p);
            }
        }
        if (r->style == SS_BOLD)
            ss_buf_addc(b, '*');
    }
}

static void put_document(ss_buf *b, const ss_document *doc)
{
    ss_buf_printf(b, "== %s\ntitle: ", doc->code);
    put_text(b, &doc->title);
    ss_buf_adds(b, "\nsubtitle: ");
    put_text(b, &doc->subtitle);
    ss_buf_addc(b, '\n');
    for (size_t i = 0; i < doc->nblocks; i++) {
        const ss_block *k = &doc->blocks[i];
        if (k->kind == SS_BLOCK_TABLE) {
            for (size_t r = 0; r < k->nrows; r++)
                ss_buf_printf(b, "table: %s | %s\n", k->rows[r].label, k->rows[r].value);
            continue;
        }
        ss_buf_adds(b, k->kind == SS_BLOCK_HEADING ? "heading: " : "p: ");
        put_text(b, &k->text);
        ss_buf_addc(b, '\n');
    }
    if (doc->footer_left.nruns || doc->footer_right.nruns) {
        ss_buf_adds(b, "footer: ");
        put_text(b, &doc->footer_left);
        ss_buf_adds(b, " | ");
        put_text(b, &doc->footer_right);
        ss_buf_addc(b, '\n');
    }
}

static void fixtures(void **state)
{
    (void)state;
    char *dir = tu_fixture("bind");
    char *data = ss_xasprintf("%s/data.xml", dir);
    ss_diag *d = ss_diag_new();
    int e;
    ss_dataset *ds = tu_dataset_load(data, d, &e);
    ss_diag_print(d, stderr);
    assert_non_null(ds);
    assert_int_equal(ds->nstates, 3);
    DIR *dh = opendir(dir);
    assert_non_null(dh);
    struct dirent *ent;
    int n = 0;
    while ((ent = readdir(dh))) {
        size_t l = strlen(ent->d_name);
        if (l < 5 || strcmp(ent->d_name + l - 4, ".xml") || !strcmp(ent->d_name, "data.xml"))
            continue;
        char *path = ss_xasprintf("%s/%s", dir, ent->d_name);
        char *exp_path = ss_xasprintf("%s/%.*s.expected", dir, (int)(l - 4), ent->d_name);
        ss_template *t = ss_template_load(path, d, &e);
        ss_diag_print(d, stderr);
        if (!t)
            fail_msg("%s does not load", ent->d_name);
        ss_buf got;
        ss_buf_init(&got);
        for (size_t s = 0; s < ds->nstates; s++) {
            ss_document *doc = ss_bind(t, ds, &ds->states[s]);
            put_document(&got, doc);
            ss_document_free(doc);
        }
        char *want = tu_read(exp_path);
        if (!want)
            fail_msg("%s has no .expected beside it; it would be:\n%s", ent->d_name, got.data);
        if (strcmp(got.data, want))
            fail_msg("%s:\n--- expected\n%s--- got\n%s", ent->d_name, want, got.data);
        ss_buf_free(&got);
        ss_template_free(t);
        free(want), free(path), free(exp_path);
        n++;
    }
    closedir(dh);
    assert_true(n >= 3);
    ss_dataset_free(ds);
    ss_diag_free(d);
    free(data), free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixtures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
