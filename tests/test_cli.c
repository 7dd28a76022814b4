/* test_cli.c - the command line, end to end: the real binary, its exit
 * statuses, what it prints where, and what it writes (or doesn't).
 *
 * Groups: --help and --version; usage errors (exit 64, one line plus
 * "Try 'statesheet --help'." on stderr, nothing on stdout); missing inputs
 * (66); --check (validates, writes nothing); a normal run (one PDF, a
 * summary line); -q, -s; data errors (65, nothing written); finding the
 * assets from another working directory and without STATESHEET_ASSETS;
 * a damaged --assets folder (70); a reworded template copy changing the
 * sheet without a rebuild (issue 3).
 *
 * Every test makes its own temporary folder and removes it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"

#include "util.h"

#define DATA "data/ncmec-2023.xml"

/* ---- helpers ----------------------------------------------------------- */

/* Runs the binary with a printf-formatted argument string. */
static int runf(char **out, char **err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int runf(char **out, char **err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *args = ss_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(args, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int rc = tu_run(args, out, err);
    free(args);
    return rc;
}

static const char *binary(void)
{
    const char *b = getenv("SS_BINARY");
    return b && *b ? b : "build/statesheet";
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; s && *s; s++)
        if (*s == '\n')
            n++;
    return n;
}

/* Collapses runs of white space into one space and drops a hyphen at a line
 * end (pdftotext's habit), so sentences can be found whatever the breaks. */
static char *normalise(const char *s)
{
    char *r = ss_xmalloc(strlen(s) + 1), *w = r;
    bool space = false;
    for (; *s; s++) {
        if (*s == '-' && s[1] == '\n') {
            s++;
            continue;
        }
        if (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r' || *s == '\f') {
            space = true;
            continue;
        }
        if (space && w != r)
            *w++ = ' ';
        space = false;
        *w++ = *s;
    }
    *w = '\0';
    return r;
}

static char *pdf_text(const char *pdf)
{
    char *cmd = ss_xasprintf("pdftotext '%s' -", pdf), *out = NULL;
    int rc = tu_sh(cmd, &out, NULL);
    free(cmd);
    assert_int_equal(rc, 0);
    assert_non_null(out);
    char *n = normalise(out);
    free(out);
    return n;
}

/* A usage error: 64, nothing on stdout, two lines on stderr. */
static void assert_usage_error(const char *args, const char *key)
{
    char *out = NULL, *err = NULL;
    int rc = tu_run(args, &out, &err);
    if (rc != 64 || !err || !strstr(err, key))
        print_error("args: %s\nstatus %d\nstderr: %s\n", args, rc, err ? err : "(null)");
    assert_int_equal(rc, 64);
    assert_non_null(out);
    assert_string_equal(out, "");
    assert_non_null(err);
    assert_int_equal(strncmp(err, "statesheet: ", 12), 0);
    assert_int_equal(count_lines(err), 2);
    const char *second = strchr(err, '\n') + 1;
    assert_string_equal(second, "Try 'statesheet --help'.\n");
    assert_non_null(strstr(err, key));
    free(out), free(err);
}

/* A small valid sample file with two fictional states, AA and BB. */

static char *state_xml(const char *code, const char *name, const char *reports)
{
    return ss_xasprintf(
        "  <state code=\"%s\" name=\"%s\">\n"
        "    <figure key=\"cybertipline.reports\">%s</figure>\n"
        "    <figure key=\"cvip.submissions\">3</figure>\n"
        "    <figure key=\"teamhope.supported\">2</figure>\n"
        "    <figure key=\"mentalhealth.connected\">1</figure>\n"
        "    <figure key=\"connect.new_users\">4</figure>\n"
        "    <table key=\"missing.cases\" total=\"5\">\n"
        "      <row label=\"Other Missing Children Cases\">5</row>\n"
        "    </table>\n"
        "  </state>\n",
        code, name, reports);
}

/* ---- --help, --version -------------------------------------------------- */

static void help_lists_every_option_and_status(void **state)
{
    (void)state;
    char *out = NULL, *err = NULL;
    assert_int_equal(tu_run("--help", &out, &err), 0);
    assert_non_null(out);
    assert_string_equal(err, "");
    assert_non_null(strstr(out, "Usage: statesheet"));
    static const char *const opts[] = {
        "-o, --out", "-s, --state", "-t, --template", "--check", "-q, --quiet",
        "-v, --verbose", "-j, --jobs", "--paper", "--shard", "--combined",
        "--assets", "--help", "--version"};
    for (size_t i = 0; i < sizeof opts / sizeof *opts; i++) {
        if (!strstr(out, opts[i]))
            print_error("--help does not mention '%s'\n", opts[i]);
        assert_non_null(strstr(out, opts[i]));
    }
    static const char *const statuses[] = {"0 ", "64 ", "65 ", "66 ", "70 ", "71 ", "73 ",
                                           "74 ", "75 "};
    const char *ex = strstr(out, "Exit status");
    assert_non_null(ex);
    for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++) {
        if (!strstr(ex, statuses[i]))
            print_error("--help does not list exit status %s\n", statuses[i]);
        assert_non_null(strstr(ex, statuses[i]));
    }
    free(out), free(err);
}

static void version_prints_name_and_semver(void **state)
{
    (void)state;
    char *out = NULL, *err = NULL;
    assert_int_equal(tu_run("--version", &out, &err), 0);
    assert_string_equal(err, "");
    unsigned a, b, c;
    char tail = 0;
    assert_int_equal(sscanf(out, "statesheet %u.%u.%u%c", &a, &b, &c, &tail), 4);
    assert_true(tail == ' ' || tail == '\n');
    assert_int_equal(count_lines(out), 1);
    free(out), free(err);
}

/* ---- usage errors: 64 --------------------------------------------------- */

static void usage_no_arguments(void **state)
{
    (void)state;
    assert_usage_error("", "data file");
}

static void usage_unknown_option(void **state)
{
    (void)state;
    assert_usage_error("--bogus " DATA, "--bogus");
}

static void usage_two_data_files(void **state)
{
    (void)state;
    assert_usage_error(DATA " " DATA, "one data file");
}

/* Standard input can be read once: not for the data and the template both. */
static void usage_stdin_twice(void **state)
{
    (void)state;
    assert_usage_error("-t - -", "standard input");
}

static void usage_jobs_zero(void **state)
{
    (void)state;
    assert_usage_error("-j 0 " DATA, "--jobs");
}

static void usage_shard_k_over_n(void **state)
{
    (void)state;
    assert_usage_error("--shard 4/3 " DATA, "4/3");
}

static void usage_shard_not_a_fraction(void **state)
{
    (void)state;
    assert_usage_error("--shard x " DATA, "--shard");
}

static void usage_paper_unknown(void **state)
{
    (void)state;
    assert_usage_error("--paper b5 " DATA, "b5");
}

static void usage_quiet_with_verbose(void **state)
{
    (void)state;
    assert_usage_error("-q -v " DATA, "--quiet");
}

static void usage_check_with_combined(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *args = ss_xasprintf("--check --combined '%s/all.pdf' -o '%s/out' " DATA, dir, dir);
    assert_usage_error(args, "--combined");
    tu_assert_nothing_written(dir);
    free(args);
    tu_rmrf(dir);
    free(dir);
}

/* ---- missing input: 66 -------------------------------------------------- */

static void missing_data_file(void **state)
{
    (void)state;
    char *dir = tu_tmpdir(), *out = NULL, *err = NULL;
    int rc = runf(&out, &err, "-o '%s/out' data/no-such-file.xml", dir);
    assert_int_equal(rc, 66);
    assert_string_equal(out, "");
    assert_non_null(strstr(err, "data/no-such-file.xml"));
    assert_non_null(strstr(err, "No such file or directory"));
    tu_assert_nothing_written(dir);
    tu_rmrf(dir);
    free(dir), free(out), free(err);
}

static void missing_template_file(void **state)
{
    (void)state;
    char *dir = tu_tmpdir(), *out = NULL, *err = NULL;
    int rc = runf(&out, &err, "-t '%s/no-such-template.xml' -o '%s/out' " DATA, dir, dir);
    assert_int_equal(rc, 66);
    assert_string_equal(out, "");
    assert_non_null(strstr(err, "no-such-template.xml"));
    assert_non_null(strstr(err, "No such file or directory"));
    tu_assert_nothing_written(dir);
    tu_rmrf(dir);
    free(dir), free(out), free(err);
}

/* ---- --check ------------------------------------------------------------ */

static void check_prints_summary_and_writes_nothing(void **state)
{
    (void)state;
    char *dir = tu_tmpdir(), *out = NULL, *err = NULL;
    int rc = runf(&out, &err, "--check -o '%s/out' " DATA, dir);
    if (rc != 0)
        print_error("stderr: %s\n", err);
    assert_int_equal(rc, 0);
    assert_string_equal(out, DATA ": 1 state, year 2023: OK\n");
    assert_string_equal(err, "");
    tu_assert_nothing_written(dir);
    tu_rmrf(dir);
    free(dir), free(out), free(err);
}

/* ---- a normal run ------------------------------------------------------- */

static void run_writes_sheet_and_summary(void **state)
{
    (void)state;
    char *dir = tu_tmpdir(), *out = NULL, *err = NULL;
    int rc = runf(&out, &err, "-o '%s/out' " DATA, dir);
    if (rc != 0)
        print_error("stderr: %s\n", err);
    assert_int_equal(rc, 0);
    assert_string_equal(err, "");
    char *pdf = ss_xasprintf("%s/out/ND-2023.pdf", dir);
    assert_true(tu_file_starts_with(pdf, "%PDF-"));
    char *odir = ss_xasprintf("%s/out", dir);
    /* the sheet, manifest-2023.csv and its lock file, .manifest-2023.lock */
    assert_int_equal(tu_count(odir, ""), 3);
    assert_int_equal(tu_count(odir, ".lock"), 1);
    assert_int_equal(tu_count(odir, ".pdf"), 1);
    /* "1 sheet, 1 page, 34.5 KB, 0.01 s -> DIR/" */
    assert_int_equal(count_lines(out), 1);
    assert_int_equal(strncmp(out, "1 sheet, 1 page, ", 17), 0);
    char *tail = ss_xasprintf(" -> %s/out/\n", dir);
    size_t ol = strlen(out), tl = strlen(tail);
    assert_true(ol > tl);
    assert_string_equal(out + ol - tl, tail);
    /* the page really reads as North Dakota's sheet */
    char *text = pdf_text(pdf);
    assert_non_null(strstr(text, "North Dakota Data"));
    assert_non_null(strstr(text, "1,333 CyberTipline reports"));
    free(text), free(tail), free(odir), free(pdf);
    tu_rmrf(dir);
    free(dir), free(out), free(err);
}

static void quiet_prints_nothing(void **state)
{
    (void)state;
    char *dir = tu_tmpdir(), *out = NULL, *err = NULL;
    int rc = runf(&out, &err, "-q -o '%s/out' " DATA, dir);
    assert_int_equal(rc, 0);
    assert_string_equal(out, "");
    assert_string_equal(err, "");
    char *pdf = ss_xasprintf("%s/out/ND-2023.pdf", dir);
    assert_true(tu_file_starts_with(pdf, "%PDF-"));
    free(pdf);
    tu_rmrf(dir);
    free(dir), free(out), free(err);
}

static void state_option_selects_states(void **state)
{
    (void)state;
    char *dir = tu_tmpdir(), *out = NULL, *err = NULL;
    char *data = ss_xasprintf("%s/two.xml", dir);
    char *a = state_xml("AA", "Alphaland", "12"), *b = state_xml("BB", "Bravoland", "7");
    char *xml = ss_xasprintf("%s%s%s</statedata>\n", TU_SAMPLE_HEAD, a, b);
    tu_write(data, xml);

    int rc = runf(&out, &err, "-s BB -o '%s/out' '%s'", dir, data);
    if (rc != 0)
        print_error("stderr: %s\n", err);
    assert_int_equal(rc, 0);
    char *odir = ss_xasprintf("%s/out", dir);
    assert_int_equal(tu_count(odir, ".pdf"), 1);
    char *pdf = ss_xasprintf("%s/out/BB-2023-SAMPLE.pdf", dir);
    assert_true(tu_file_starts_with(pdf, "%PDF-"));
    free(out), free(err);

    /* and -s ND on the real file */
    char *odir2 = ss_xasprintf("%s/nd", dir);
    rc = runf(&out, &err, "-s ND -o '%s' " DATA, odir2);
    assert_int_equal(rc, 0);
    assert_int_equal(tu_count(odir2, ".pdf"), 1);
    char *pdf2 = ss_xasprintf("%s/ND-2023.pdf", odir2);
    assert_true(tu_file_starts_with(pdf2, "%PDF-"));

    free(pdf2), free(odir2), free(pdf), free(odir), free(xml), free(a), free(b), free(data);
    tu_rmrf(dir);
    free(dir), free(out), free(err);
}

static void state_option_unknown_code(void **state)
{
    (void)state;
    char *dir = tu_tmpdir(), *out = NULL, *err = NULL;
    int rc = runf(&out, &err, "-s XX -o '%s/out' " DATA, dir);
    assert_int_equal(rc, 64);
    assert_string_equal(out, "");
    assert_non_null(strstr(err, "XX"));
    tu_assert_nothing_written(dir);
    tu_rmrf(dir);
    free(dir), free(out), free(err);
}

/* ---- data errors: 65 ---------------------------------------------------- */

static void data_error_reports_file_line(void **state)
{
    (void)state;
    char *dir = tu_tmpdir(), *out = NULL, *err = NULL;
    char *data = ss_xasprintf("%s/bad.xml", dir);
    char *a = state_xml("AA", "Alphaland", "12");
    char *b = state_xml("BB", "Bravoland", "1,333"); /* the figure is on line 27 */
    char *xml = ss_xasprintf("%s%s%s</statedata>\n", TU_SAMPLE_HEAD, a, b);
    tu_write(data, xml);

    int rc = runf(&out, &err, "-o '%s/out' '%s'", dir, data);
    assert_int_equal(rc, 65);
    assert_string_equal(out, "");
    char *where = ss_xasprintf("%s:27: error:", data);
    if (!strstr(err, where))
        print_error("expected '%s' in:\n%s\n", where, err);
    assert_non_null(strstr(err, where));
    assert_non_null(strstr(err, "1,333"));
    /* the good state AA must not have been written either */
    char *odir = ss_xasprintf("%s/out", dir);
    tu_assert_nothing_written(odir);
    free(odir), free(where), free(xml), free(a), free(b), free(data);
    tu_rmrf(dir);
    free(dir), free(out), free(err);
}

/* ---- finding the assets ------------------------------------------------- */

/* Issue 10, point 4: a missing figure is reported in the same run as a
 * bad value; a key one letter from a used one is a warning on its own line
 * (the sheets are still made), and an error under --strict. */
static void every_mistake_in_one_run(void **state)
{
    (void)state;
    char *dir = tu_tmpdir(), *out = NULL, *err = NULL;
    char *data = ss_xasprintf("%s/bad.xml", dir);
    char *a = state_xml("AA", "Alphaland", "1,333"); /* the value is on line 17 */
    /* BB (line 26) spells cvip.submissions without its s, on line 28 */
    char *b = state_xml("BB", "Bravoland", "12");
    char *typo = strstr(b, "cvip.submissions");
    memmove(typo + 15, typo + 16, strlen(typo + 16) + 1);
    char *xml = ss_xasprintf("%s%s%s</statedata>\n", TU_SAMPLE_HEAD, a, b);
    tu_write(data, xml);
    int rc = runf(&out, &err, "-o '%s/out' '%s'", dir, data);
    assert_int_equal(rc, 65);
    char *want = ss_xasprintf(
        "%s:17: error: state AA, figure 'cybertipline.reports': '1,333' is not a whole "
        "number; write digits only, without commas\n"
        "%s:26: error: state BB has no figure 'cvip.submissions', which the template uses; "
        "add <figure key=\"cvip.submissions\">...</figure> to the state\n"
        "%s:28: warning: state BB: the figure 'cvip.submission' is not used by the "
        "template; did you mean 'cvip.submissions'?\n", data, data, data);
    assert_string_equal(err, want);
    free(want), free(out), free(err);

    /* The typo alone: a warning, and the sheets are made. */
    char *a2 = state_xml("AA", "Alphaland", "1333");
    char *b2 = ss_xasprintf("%.*s    <figure key=\"cvip.submission\">3</figure>\n  </state>\n",
                            (int)(strlen(a2) - strlen("  </state>\n")), a2);
    memcpy(strstr(b2, "AA"), "BB", 2);
    free(xml);
    xml = ss_xasprintf("%s%s%s</statedata>\n", TU_SAMPLE_HEAD, a2, b2);
    tu_write(data, xml);
    rc = runf(&out, &err, "-q -o '%s/out' '%s'", dir, data);
    assert_int_equal(rc, 0);
    want = ss_xasprintf("%s:35: warning: state BB: the figure 'cvip.submission' is not "
                        "used by the template; did you mean 'cvip.submissions'?\n", data);
    assert_string_equal(err, want);
    char *odir = ss_xasprintf("%s/out", dir);
    assert_int_equal(tu_count(odir, ".pdf"), 2);
    free(out), free(err);
    tu_rmrf(odir);

    /* --strict: the same is an error, and nothing is written. */
    rc = runf(&out, &err, "--strict -o '%s/out' '%s'", dir, data);
    assert_int_equal(rc, 65);
    assert_non_null(strstr(err, ":35: error: state BB: the figure 'cvip.submission'"));
    tu_assert_nothing_written(odir);
    free(odir), free(want), free(xml), free(a), free(b), free(a2), free(b2), free(data);
    tu_rmrf(dir);
    free(dir), free(out), free(err);
}

static void runs_from_other_cwd_without_env(void **state)
{
    (void)state;
    char *dir = tu_tmpdir(), *out = NULL, *err = NULL;
    char *data = tu_source(DATA);
    char *cmd = ss_xasprintf("cd /tmp && env -u STATESHEET_ASSETS '%s' -o '%s/out' '%s'",
                             binary(), dir, data);
    int rc = tu_sh(cmd, &out, &err);
    if (rc != 0)
        print_error("stderr: %s\n", err);
    assert_int_equal(rc, 0);
    char *pdf = ss_xasprintf("%s/out/ND-2023.pdf", dir);
    assert_true(tu_file_starts_with(pdf, "%PDF-"));
    free(out), free(err);

    /* --check too, with a relative data path from the other folder */
    free(cmd);
    cmd = ss_xasprintf("cd '%s' && cp '%s' nd.xml && env -u STATESHEET_ASSETS '%s' --check nd.xml",
                       dir, data, binary());
    rc = tu_sh(cmd, &out, &err);
    assert_int_equal(rc, 0);
    assert_string_equal(out, "nd.xml: 1 state, year 2023: OK\n");
    free(pdf), free(cmd), free(data);
    tu_rmrf(dir);
    free(dir), free(out), free(err);
}

static void empty_assets_dir_is_internal_error(void **state)
{
    (void)state;
    char *dir = tu_tmpdir(), *out = NULL, *err = NULL;
    char *assets = ss_xasprintf("%s/assets", dir);
    assert_int_equal(mkdir(assets, 0755), 0);
    int rc = runf(&out, &err, "--assets '%s' -o '%s/out' " DATA, assets, dir);
    assert_int_equal(rc, 70);
    assert_string_equal(out, "");
    assert_non_null(strstr(err, assets));
    assert_non_null(strstr(err, "No such file or directory"));
    assert_non_null(strstr(err, "reinstall statesheet"));
    char *odir = ss_xasprintf("%s/out", dir);
    tu_assert_nothing_written(odir);
    assert_int_equal(tu_count(assets, ""), 0);
    free(odir), free(assets);
    tu_rmrf(dir);
    free(dir), free(out), free(err);
}

/* ---- a reworded template: issue 3 acceptance ------------------------------- */

static void reworded_template_changes_pdf(void **state)
{
    (void)state;
    static const char old[] = "NCMEC operates the CyberTipline";
    static const char new[] = "NCMEC proudly runs the CyberTipline";
    char *dir = tu_tmpdir(), *out = NULL, *err = NULL;
    char *src = tu_source("assets/templates/state-data.xml");
    char *tpl = tu_read(src);
    assert_non_null(tpl);
    char *at = strstr(tpl, old);
    assert_non_null(at);
    *at = '\0';
    char *copy = ss_xasprintf("%s%s%s", tpl, new, at + strlen(old));
    char *tpath = ss_xasprintf("%s/mine.xml", dir);
    tu_write(tpath, copy);

    int rc = runf(&out, &err, "-q -o '%s/std' " DATA, dir);
    assert_int_equal(rc, 0);
    free(out), free(err);
    rc = runf(&out, &err, "-q -t '%s' -o '%s/mine' " DATA, tpath, dir);
    if (rc != 0)
        print_error("stderr: %s\n", err);
    assert_int_equal(rc, 0);

    char *p1 = ss_xasprintf("%s/std/ND-2023.pdf", dir);
    char *p2 = ss_xasprintf("%s/mine/ND-2023.pdf", dir);
    char *t1 = pdf_text(p1), *t2 = pdf_text(p2);
    assert_non_null(strstr(t1, old));
    assert_null(strstr(t1, new));
    assert_non_null(strstr(t2, new));
    assert_null(strstr(t2, old));
    free(t1), free(t2), free(p1), free(p2), free(tpath), free(copy), free(tpl), free(src);
    tu_rmrf(dir);
    free(dir), free(out), free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(help_lists_every_option_and_status),
        cmocka_unit_test(version_prints_name_and_semver),
        cmocka_unit_test(usage_no_arguments),
        cmocka_unit_test(usage_unknown_option),
        cmocka_unit_test(usage_two_data_files),
        cmocka_unit_test(usage_stdin_twice),
        cmocka_unit_test(usage_jobs_zero),
        cmocka_unit_test(usage_shard_k_over_n),
        cmocka_unit_test(usage_shard_not_a_fraction),
        cmocka_unit_test(usage_paper_unknown),
        cmocka_unit_test(usage_quiet_with_verbose),
        cmocka_unit_test(usage_check_with_combined),
        cmocka_unit_test(missing_data_file),
        cmocka_unit_test(missing_template_file),
        cmocka_unit_test(check_prints_summary_and_writes_nothing),
        cmocka_unit_test(run_writes_sheet_and_summary),
        cmocka_unit_test(quiet_prints_nothing),
        cmocka_unit_test(state_option_selects_states),
        cmocka_unit_test(state_option_unknown_code),
        cmocka_unit_test(data_error_reports_file_line),
        cmocka_unit_test(every_mistake_in_one_run),
        cmocka_unit_test(runs_from_other_cwd_without_env),
        cmocka_unit_test(empty_assets_dir_is_internal_error),
        cmocka_unit_test(reworded_template_changes_pdf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
