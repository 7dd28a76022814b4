/* test_template.c - loading and checking templates.
 *
 * Data-driven: tests/fixtures/templates/NAME.xml beside NAME.expected, the
 * exact diagnostics (empty for a template that must load).
 */
#include "testutil.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "paths.h"
#include "records.h"
#include "template.h"
#include "util.h"

static void test_fixtures(void **state)
{
    (void)state;
    char *dir = tu_fixture("templates");
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 4, ".xml"))
            continue;
        char *path = ss_xasprintf("%s/%s", dir, e->d_name);
        char *exp_path = ss_xasprintf("%s/%.*s.expected", dir, (int)(l - 4), e->d_name);
        char *data = tu_read(path), *want = tu_read(exp_path);
        assert_non_null(data);
        if (!want)
            fail_msg("%s has no .expected beside it", e->d_name);
        ss_diag *diag = ss_diag_new();
        ss_template *t = ss_template_load_memory(e->d_name, data, strlen(data), diag);
        char *got = tu_diag_text(diag);
        if (strcmp(got, want))
            fail_msg("%s:\n--- expected\n%s--- got\n%s", e->d_name, want, got);
        if (!strncmp(e->d_name, "ok-", 3))
            assert_non_null(t);
        else
            assert_null(t);
        ss_template_free(t);
        ss_diag_free(diag);
        free(got), free(data), free(want), free(path), free(exp_path);
        n++;
    }
    closedir(d);
    assert_true(n >= 9);
    free(dir);
}

/* The default template loads and declares the 17 keys it reads. */
static void test_default_template(void **state)
{
    (void)state;
    char *assets = ss_assets_dir(NULL);
    char *tp = ss_path_join(assets, "templates/state-data.xml");
    ss_diag *d = ss_diag_new();
    int e;
    ss_template *t = ss_template_load(tp, d, &e);
    assert_non_null(t);
    assert_int_equal(t->nuses, 17);
    assert_int_equal(ss_diag_count(d), 0);
    ss_template_free(t);
    ss_diag_free(d);
    free(tp), free(assets);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_default_template),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
