/* test_records.c - the records stage: XML data file -> dataset.
 *
 * Groups: the real 2023 file read back figure by figure; data-driven
 * fixtures (tests/fixtures/records/NAME.xml beside NAME.expected, the exact
 * diagnostics; ok-*.xml must load cleanly); hostile and odd bytes made in
 * code; and 100,000 states loaded from memory.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TU_LSAN 1
#endif
#endif
#if !defined(TU_LSAN) && defined(__SANITIZE_ADDRESS__)
#define TU_LSAN 1
#endif
#ifndef TU_LSAN
#define TU_LSAN 0
#endif
#if TU_LSAN
#include <sanitizer/lsan_interface.h>
#endif

#include "diag.h"
#include "records.h"
#include "template.h"
#include "util.h"
#include "validate.h"

/* All diagnostics, sorted, as "FILE:LINE: error: MESSAGE" lines. */
static char *diag_text(ss_diag *d)
{
    ss_diag_sort(d);
    ss_buf b;
    ss_buf_init(&b);
    for (size_t i = 0; i < ss_diag_count(d); i++) {
        const ss_diag_entry *e = ss_diag_at(d, i);
        ss_buf_printf(&b, "%s:%ld: %s: %s\n", e->file ? e->file : "", e->line,
                      e->severity == SS_ERROR ? "error" : "warning", e->message);
    }
    return b.data ? ss_buf_steal(&b) : ss_xstrdup("");
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Loads bytes from memory; returns the dataset and the diagnostics text. */
static ss_dataset *load_mem(const char *name, const char *data, size_t len,
                            char **text)
{
    ss_diag *d = ss_diag_new();
    ss_dataset *ds = ss_dataset_load_memory(name, data, len, d);
    *text = diag_text(d);
    ss_diag_free(d);
    return ds;
}

/* As `statesheet --check` reads a data file: loaded with its mistakes, then
 * checked against the default template (run.c), from the fixture folder
 * so that messages name the file as the .expected files do. */
static ss_dataset *load_checked(const char *dir, const char *name, char **text)
{
    char *cwd = getcwd(NULL, 0);
    assert_non_null(cwd);
    char *tpath = tu_source("assets/templates/state-data.xml");
    ss_diag *d = ss_diag_new(), *td = ss_diag_new();
    int err = 0;
    ss_template *tpl = ss_template_load(tpath, td, &err);
    assert_non_null(tpl);
    assert_int_equal(chdir(dir), 0);
    bool valid;
    ss_dataset *ds = ss_dataset_load_all(name, d, &err, &valid);
    assert_int_equal(chdir(cwd), 0);
    if (ds && !ss_validate_keys(tpl, ds, false, d))
        valid = false;
    if (ds && !valid) {
        ss_dataset_free(ds);
        ds = NULL;
    }
    *text = diag_text(d);
    ss_diag_free(d);
    ss_diag_free(td);
    ss_template_free(tpl);
    free(tpath);
    free(cwd);
    return ds;
}

/* ---- the real file ------------------------------------------------------ */

static void real_file(void **state)
{
    (void)state;
    char *path = tu_source("data/ncmec-2023.xml");
    ss_diag *d = ss_diag_new();
    int err = -1;
    ss_dataset *ds = tu_dataset_load(path, d, &err);
    char *text = diag_text(d);
    assert_string_equal(text, "");
    assert_non_null(ds);
    assert_int_equal(err, 0);
    assert_int_equal(ds->year, 2023);
    assert_false(ds->sample);
    assert_int_equal(ds->line, 5);
    assert_string_equal(ds->path, path);

    static const struct {
        const char *key;
        uint64_t value;
    } national[] = {
        {"cybertipline.reports", 36200000},
        {"cybertipline.content", 105000000},
        {"cvip.children_identified", 27130},
        {"missing.cases", 28886},
        {"missing.runaways_from_care", 22442},
        {"missing.trafficking_percent", 19},
        {"trafficking.reports", 18400},
        {"teamhope.supported", 5759},
        {"teamadam.incidents", 57},
        {"teamadam.long_term_cases", 146},
        {"connect.users", 18000},
    };
    size_t nn = sizeof(national) / sizeof(national[0]);
    assert_int_equal(ds->nnational, nn);
    assert_int_equal(ds->national_line, 6);
    for (size_t i = 0; i < nn; i++) {
        assert_string_equal(ds->national[i].key, national[i].key);
        assert_int_equal(ds->national[i].value, national[i].value);
        assert_int_equal(ds->national[i].line, 7 + (long)i);
        const ss_figure *f = ss_dataset_national(ds, national[i].key);
        assert_ptr_equal(f, &ds->national[i]);
    }
    assert_null(ss_dataset_national(ds, "no.such"));

    assert_int_equal(ds->nstates, 1);
    const ss_state *nd = ss_dataset_find_state(ds, "ND");
    assert_non_null(nd);
    assert_ptr_equal(nd, &ds->states[0]);
    assert_null(ss_dataset_find_state(ds, "SD"));
    assert_string_equal(nd->code, "ND");
    assert_string_equal(nd->name, "North Dakota");
    assert_int_equal(nd->line, 19);

    static const struct {
        const char *key;
        uint64_t value;
    } figures[] = {
        {"cybertipline.reports", 1333},
        {"cvip.submissions", 28},
        {"teamhope.supported", 8},
        {"mentalhealth.connected", 7},
        {"connect.new_users", 30},
    };
    size_t nf = sizeof(figures) / sizeof(figures[0]);
    assert_int_equal(nd->nfigures, nf);
    for (size_t i = 0; i < nf; i++) {
        assert_string_equal(nd->figures[i].key, figures[i].key);
        assert_int_equal(nd->figures[i].value, figures[i].value);
        assert_int_equal(nd->figures[i].line, 20 + (long)i);
        assert_ptr_equal(ss_state_figure(nd, figures[i].key), &nd->figures[i]);
    }
    assert_null(ss_state_figure(nd, "missing.cases"));

    assert_int_equal(nd->ntables, 1);
    const ss_table *t = ss_state_table(nd, "missing.cases");
    assert_non_null(t);
    assert_null(ss_state_table(nd, "cvip.submissions"));
    assert_string_equal(t->key, "missing.cases");
    assert_int_equal(t->line, 25);
    assert_true(t->has_total);
    assert_int_equal(t->total, 68);
    assert_int_equal(t->nrows, 3);
    assert_string_equal(t->rows[0].label,
                        "Children Missing From Social Services Facility");
    assert_int_equal(t->rows[0].value, 61);
    assert_int_equal(t->rows[0].line, 26);
    assert_string_equal(t->rows[1].label, "Other Missing Children Cases");
    assert_int_equal(t->rows[1].value, 6);
    assert_int_equal(t->rows[1].line, 27);
    assert_string_equal(t->rows[2].label,
                        "Children Reported Missing by Office of Refugee "
                        "Resettlement (HHS-ORR)");
    assert_int_equal(t->rows[2].value, 1);
    assert_int_equal(t->rows[2].line, 28);

    ss_dataset_free(ds);
    free(text);
    ss_diag_free(d);
    free(path);
}

/* ---- fixtures ----------------------------------------------------------- */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void fixtures(void **state)
{
    (void)state;
    char *dir = tu_fixture("records");
    DIR *dh = opendir(dir);
    assert_non_null(dh);
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(dh)) != NULL) {
        if (!ends_with(de->d_name, ".xml"))
            continue;
        names = ss_xgrow(names, sizeof(*names), n + 1, &cap);
        names[n++] = ss_xstrdup(de->d_name);
    }
    closedir(dh);
    qsort(names, n, sizeof(*names), cmp_str);
    /* A folder that lost its fixtures must not pass quietly. */
    assert_true(n >= 40);

    int failures = 0, ok_files = 0;
    for (size_t i = 0; i < n; i++) {
        char *xml = ss_xasprintf("%s/%s", dir, names[i]);
        size_t len;
        int err;
        char *data = ss_read_file(xml, SS_DATA_MAX_BYTES, &len, &err);
        assert_non_null(data);
        char *text;
        /* check-*.xml: read as the program reads it, template and all. */
        ss_dataset *ds = strncmp(names[i], "check-", 6)
                             ? load_mem(names[i], data, len, &text)
                             : load_checked(dir, names[i], &text);
        char *want;
        bool ok_fixture = strncmp(names[i], "ok-", 3) == 0;
        if (ok_fixture) {
            want = ss_xstrdup("");
            ok_files++;
        } else {
            char *exp = ss_xasprintf("%.*s.expected", (int)(strlen(xml) - 4), xml);
            want = tu_read(exp);
            if (!want) {
                fprintf(stderr, "missing %s\n", exp);
                want = ss_xstrdup("(missing .expected)");
            }
            free(exp);
        }
        bool loaded_ok = ok_fixture ? ds != NULL : ds == NULL;
        if (strcmp(text, want) != 0 || !loaded_ok) {
            fprintf(stderr, "--- %s (%s)\n--- want:\n%s--- got:\n%s",
                    names[i], ds ? "loaded" : "refused", want, text);
            failures++;
        }
        ss_dataset_free(ds);
        free(want);
        free(text);
        free(data);
        free(xml);
        free(names[i]);
    }
    free(names);
    free(dir);
    assert_true(ok_files >= 2);
    assert_int_equal(failures, 0);
}

/* ---- bytes a fixture file cannot easily hold ----------------------------- */

static void nul_byte(void **state)
{
    (void)state;
    char data[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<statedata year=\"2023\">\n"
                  "  <state code=\"ND\" name=\"North X\">\n"
                  "  </state>\n"
                  "</statedata>\n";
    char *x = strstr(data, "X");
    *x = '\0';
    char *text;
    ss_dataset *ds = load_mem("nul.xml", data, sizeof(data) - 1, &text);
    assert_null(ds);
    assert_string_equal(text,
                        "nul.xml:3: error: the file contains a zero byte (NUL), "
                        "which a text file cannot hold; it may be damaged or "
                        "not the data file: save it again as UTF-8 text\n");
    free(text);
}

static void utf16(void **state)
{
    (void)state;
    /* "<s" in UTF-16LE after a byte-order mark. */
    const char data[] = "\xFF\xFE<\0s\0";
    char *text;
    ss_dataset *ds = load_mem("u16.xml", data, sizeof(data) - 1, &text);
    assert_null(ds);
    assert_string_equal(text, "u16.xml:1: error: the file is saved as UTF-16; "
                              "save it as UTF-8 and write encoding=\"UTF-8\" "
                              "in its first line\n");
    free(text);
}

static void bom_crlf_in_memory(void **state)
{
    (void)state;
    const char data[] =
        "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
        "<statedata year=\"2023\" sample=\"true\">\r\n"
        "  <state code=\"HI\" name=\" Hawai\xCA\xBBi \">\r\n"
        "    <figure key=\"a.b\">\r\n 12 \r\n</figure>\r\n"
        "    <table key=\"t\"><row label=\"x\">3</row></table>\r\n"
        "  </state>\r\n"
        "</statedata>\r\n";
    char *text;
    ss_dataset *ds = load_mem("bom.xml", data, sizeof(data) - 1, &text);
    assert_string_equal(text, "");
    assert_non_null(ds);
    assert_true(ds->sample);
    assert_string_equal(ds->states[0].name, "Hawai\xCA\xBBi");
    assert_int_equal(ds->states[0].line, 3);
    assert_int_equal(ds->states[0].figures[0].value, 12);
    assert_int_equal(ds->states[0].figures[0].line, 4);
    assert_false(ds->states[0].tables[0].has_total);
    assert_int_equal(ds->states[0].tables[0].total, 3);
    ss_dataset_free(ds);
    free(text);
}

/* Errors and their wording do not depend on the data coming from a file
 * or from memory; a missing file is an I/O error with no diagnostics. */
static void io_errors(void **state)
{
    (void)state;
    ss_diag *d = ss_diag_new();
    int err = 0;
    assert_null(tu_dataset_load("/nonexistent/x.xml", d, &err));
    assert_int_equal(err, ENOENT);
    assert_int_equal(ss_diag_count(d), 0);

    /* Over the limit: refused by size, never read (the file is sparse). */
    char *dir = tu_tmpdir();
    char *big = ss_xasprintf("%s/big.xml", dir);
    FILE *f = fopen(big, "wb");
    assert_non_null(f);
    assert_int_equal(ftruncate(fileno(f), (off_t)SS_DATA_MAX_BYTES + 1), 0);
    fclose(f);
    err = 0;
    assert_null(tu_dataset_load(big, d, &err));
    assert_int_equal(err, EFBIG);
    assert_int_equal(ss_diag_count(d), 0);

    tu_rmrf(dir);
    free(big);
    free(dir);
    ss_diag_free(d);
}

/* An entity bomb is refused at once, before libxml2 reads a declaration. */
static void billion_laughs_fast(void **state)
{
    (void)state;
    ss_buf b;
    ss_buf_init(&b);
    ss_buf_adds(&b, "<?xml version=\"1.0\"?>\n<!DOCTYPE statedata [\n"
                    "<!ENTITY l0 \"lol\">\n");
    for (int i = 1; i <= 20; i++)
        ss_buf_printf(&b, "<!ENTITY l%d \"&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;"
                          "&l%d;&l%d;&l%d;&l%d;\">\n",
                      i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
                      i - 1, i - 1, i - 1);
    ss_buf_adds(&b, "]>\n<statedata year=\"2023\">&l20;</statedata>\n");
    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    char *text;
    ss_dataset *ds = load_mem("bomb.xml", b.data, b.len, &text);
    getrusage(RUSAGE_SELF, &ru1);
    assert_null(ds);
    assert_string_equal(text, "bomb.xml:2: error: the file has a <!DOCTYPE "
                              "...> declaration; remove it: statesheet data "
                              "files take no DTD\n");
    /* Peak memory grew by less than 20 MB (ru_maxrss is in KB). */
    assert_true(ru1.ru_maxrss - ru0.ru_maxrss < 20 * 1024);
    free(text);
    ss_buf_free(&b);
}

/* Schema errors the C checks do not word themselves still come out in
 * plain words, once; the line of a multi-line start tag is its last. */
static void lines_and_once(void **state)
{
    (void)state;
    const char data[] =
        "<statedata year=\"2023\">\n"
        "  <state code=\"ND\"\n"
        "         name=\"North Dakota\">\n"
        "    <figure key=\"a\" colour=\"red\">1,2</figure>\n"
        "  </state>\n"
        "</statedata>\n";
    char *text;
    ss_dataset *ds = load_mem("l.xml", data, sizeof(data) - 1, &text);
    assert_null(ds);
    assert_string_equal(
        text,
        "l.xml:4: error: <figure> has an attribute 'colour' that the format "
        "does not allow; remove it\n"
        "l.xml:4: error: state ND, figure 'a': '1,2' is not a whole number; "
        "write digits only, without commas\n");
    free(text);
}

/* ---- scale -------------------------------------------------------------- */

#define BIG_STATES 100000

/* A line of /proc/self/status, in KB; 0 when unknown. */
static long rss_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    if (!f)
        return 0;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, field, strlen(field)) == 0)
            kb = atol(line + strlen(field));
    fclose(f);
    return kb;
}

/* Resets the peak-RSS mark (Linux 4.0+), so that VmHWM measures the load
 * alone and not the building of the input. */
static void reset_peak(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) {
        fputs("5", f);
        fclose(f);
    }
}

static void hundred_thousand_states(void **state)
{
    (void)state;
    ss_buf b;
    ss_buf_init(&b);
    ss_buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<statedata year=\"2023\" sample=\"true\">\n"
                    "  <national><figure key=\"cybertipline.reports\">1"
                    "</figure></national>\n");
    for (int i = 1; i <= BIG_STATES; i++)
        ss_buf_printf(&b,
                      "  <state code=\"S%05d\" name=\"Sample %d\">\n"
                      "    <figure key=\"cybertipline.reports\">%d</figure>\n"
                      "    <figure key=\"cvip.submissions\">%d</figure>\n"
                      "    <table key=\"missing.cases\" total=\"%d\">"
                      "<row label=\"Other Missing Children Cases\">%d</row>"
                      "<row label=\"Runaways\">1</row></table>\n"
                      "  </state>\n",
                      i, i, i, i % 97, i % 50 + 1, i % 50);
    ss_buf_adds(&b, "</statedata>\n");

    long rss0 = rss_kb("VmRSS:");
    reset_peak();
    double t0 = now();
    char *text;
    ss_dataset *ds = load_mem("big.xml", b.data, b.len, &text);
    double took = now() - t0;
    long peak = rss_kb("VmHWM:");
    fprintf(stderr, "100k states: %.2f s to load; input %.1f MB; RSS %.1f MB "
                    "before the load, peak %.1f MB during it\n",
            took, (double)b.len / 1e6, (double)rss0 / 1024.0,
            (double)peak / 1024.0);
    assert_string_equal(text, "");
    assert_non_null(ds);
    assert_true(ds->sample);
    assert_int_equal(ds->nstates, BIG_STATES);
    const ss_state *st = ss_dataset_find_state(ds, "S54321");
    assert_non_null(st);
    assert_string_equal(st->name, "Sample 54321");
    assert_int_equal(ss_state_figure(st, "cybertipline.reports")->value, 54321);
    assert_int_equal(ss_state_table(st, "missing.cases")->total,
                     54321 % 50 + 1);
    assert_int_equal(st->line, 4 + (54321 - 1) * 5);
    assert_ptr_equal(ss_dataset_find_state(ds, "S00001"), &ds->states[0]);
    assert_ptr_equal(ss_dataset_find_state(ds, "S99999"),
                     &ds->states[BIG_STATES - 2]);
    assert_null(ss_dataset_find_state(ds, "S00000"));
    /* Keys and labels are stored once for all states. */
    assert_ptr_equal(ds->states[0].figures[0].key, ds->states[7].figures[0].key);
    /* Speed is measured in bench/, never asserted here. */
    (void)took;
    ss_dataset_free(ds);
    free(text);
    ss_buf_free(&b);
}

/* ---- streaming (ss_dataset_stream) --------------------------------------- */

#define STREAM_STATES 20000

/* A data file of n states (the same shape as above) written to path. */
static void write_states(const char *path, int n, bool dup)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<statedata year=\"2023\" sample=\"true\">\n"
          "  <national><figure key=\"cybertipline.reports\">1</figure></national>\n", f);
    for (int i = 1; i <= n; i++)
        fprintf(f,
                "  <state code=\"S%05d\" name=\"Sample %d\">\n"
                "    <figure key=\"cybertipline.reports\">%d</figure>\n"
                "    <table key=\"missing.cases\" total=\"%d\">"
                "<row label=\"Other Missing Children Cases\">%d</row>"
                "<row label=\"Runaways\">1</row></table>\n"
                "  </state>\n",
                dup && i == n ? 7 : i, i, i, i % 50 + 1, i % 50);
    fputs("</statedata>\n", f);
    assert_int_equal(fclose(f), 0);
}

typedef struct seen_states {
    int n;
    bool in_order;
    const char *truncate; /* a path to cut short at the first state */
} seen_states;

static void count_state(const ss_dataset *ds, const ss_state *st, void *ctx)
{
    seen_states *s = ctx;
    char code[16];
    s->n++;
    snprintf(code, sizeof code, "S%05d", s->n);
    if (strcmp(st->code, code) != 0 || ss_state_figure(st, "cybertipline.reports")->value !=
                                           (uint64_t)s->n ||
        ss_state_table(st, "missing.cases")->total != (uint64_t)(s->n % 50 + 1) || !ds->sample)
        s->in_order = false;
    if (s->truncate && s->n == 1)
        assert_int_equal(truncate(s->truncate, 4096), 0);
}

/* Each state reaches the callback in file order, whole, and the dataset
 * that comes back has the file's header and national figures only. */
static void stream_states(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *path = ss_xasprintf("%s/s.xml", dir);
    write_states(path, STREAM_STATES, false);
    ss_diag *d = ss_diag_new();
    seen_states s = {0, true, NULL};
    size_t n = 0;
    int e = 0;
    ss_dataset *ds = ss_dataset_stream(path, d, &e, count_state, &s, &n);
    char *text = diag_text(d);
    assert_string_equal(text, "");
    assert_non_null(ds);
    assert_int_equal(n, STREAM_STATES);
    assert_int_equal(s.n, STREAM_STATES);
    assert_true(s.in_order);
    assert_int_equal(ds->nstates, 0);
    assert_int_equal(ds->year, 2023);
    assert_int_equal(ss_dataset_national(ds, "cybertipline.reports")->value, 1);
    ss_dataset_free(ds);
    free(text);
    ss_diag_free(d);

    /* The set of codes still finds a duplicate across the stream. */
    write_states(path, STREAM_STATES, true);
    d = ss_diag_new();
    ds = ss_dataset_stream(path, d, &e, count_state, &(seen_states){0, true, NULL}, &n);
    text = diag_text(d);
    assert_null(ds);
    if (!strstr(text, "state code 'S00007' is used twice (first at line 28)"))
        fprintf(stderr, "%s", text);
    assert_non_null(strstr(text, "state code 'S00007' is used twice (first at line 28)"));
    free(text);
    ss_diag_free(d);
    free(path);
    tu_rmrf(dir);
    free(dir);
}

/* A file cut short by another program while it is read is an error in
 * words, not a crash (SIGBUS on the mapped pages past the new end). */
static void stream_truncated(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *path = ss_xasprintf("%s/t.xml", dir);
    write_states(path, STREAM_STATES, false);
    ss_diag *d = ss_diag_new();
    seen_states s = {0, true, path};
    size_t n = 0;
    int e = 0;
#if TU_LSAN
    __lsan_disable(); /* the interrupted parse's memory is left on purpose */
#endif
    ss_dataset *ds = ss_dataset_stream(path, d, &e, count_state, &s, &n);
#if TU_LSAN
    __lsan_enable();
#endif
    char *text = diag_text(d);
    assert_null(ds);
    assert_non_null(strstr(text, "the file got shorter while statesheet read it"));
    free(text);
    ss_diag_free(d);
    free(path);
    tu_rmrf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(real_file),
        cmocka_unit_test(fixtures),
        cmocka_unit_test(nul_byte),
        cmocka_unit_test(utf16),
        cmocka_unit_test(bom_crlf_in_memory),
        cmocka_unit_test(io_errors),
        cmocka_unit_test(billion_laughs_fast),
        cmocka_unit_test(lines_and_once),
        cmocka_unit_test(hundred_thousand_states),
        cmocka_unit_test(stream_states),
        cmocka_unit_test(stream_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
