/* test_combine.c - what --combined may be (combine.h; the e2e tests
 * combined_target.sh and combined_large.sh run the program): a file of
 * more pages than one PDF/A file holds is refused before anything is
 * written, with the way round it (--shard).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "combine.h"
#include "diag.h"
#include "util.h"

static int check_pages(const char *dir, size_t npages, char **text)
{
    char *path = ss_xasprintf("%s/all.pdf", dir);
    const char *inputs[] = {"nowhere.xml"};
    ss_combined_target t = {path, dir, inputs, 1, NULL, NULL, 0, npages};
    ss_diag *d = ss_diag_new();
    int status = ss_combined_check(&t, d);
    *text = tu_diag_text(d);
    ss_diag_free(d);
    free(path);
    return status;
}

static void too_many_pages_is_a_usage_error(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *text;
    assert_int_equal(check_pages(dir, SS_COMBINED_MAX_PAGES, &text), 0);
    assert_string_equal(text, "");
    free(text);
    assert_int_equal(check_pages(dir, SS_COMBINED_MAX_PAGES + 1, &text), 64);
    char *want = ss_xasprintf("%d pages are more than one PDF/A file can hold",
                              SS_COMBINED_MAX_PAGES + 1);
    assert_non_null(strstr(text, want));
    free(want);
    assert_non_null(strstr(text, "--shard 1/2"));
    free(text);
    tu_assert_nothing_written(dir);
    tu_rmrf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(too_many_pages_is_a_usage_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
