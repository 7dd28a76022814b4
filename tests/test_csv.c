/* test_csv.c - the spreadsheet round trip: statesheet export and import.
 *
 * Groups: number cells (what is taken, what is refused and why); the round
 * trip on every valid data fixture and the real and sample files (export,
 * import, and the dataset is the same); refusal fixtures
 * (tests/fixtures/csv/NAME.csv beside NAME.expected, the exact
 * FILE:ROW:COL lines, exit 65, nothing on stdout); accepted fixtures
 * (ok-NAME.csv beside the data file ok-NAME.xml it must give); files saved
 * by LibreOffice Calc (calc/, made by calc/make.sh); the command line
 * (-o written atomically and untouched on error, --blank, --year, a data
 * file named "export").
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"

#include "csv_io.h"
#include "diag.h"
#include "records.h"
#include "sheetcsv.h"
#include "template.h"
#include "util.h"

/* A template that uses nothing: every column of the export is then one
 * the data brings. */
static const char BARE_TEMPLATE[] =
    "<sheet version=\"1\"><uses/><title>x</title><subtitle>y</subtitle></sheet>\n";

/* ---- helpers ----------------------------------------------------------- */

static char *assets_path(const char *rel)
{
    const char *a = getenv("STATESHEET_ASSETS");
    return ss_xasprintf("%s/%s", a ? a : "assets", rel);
}

static ss_template *load_template(const char *path)
{
    ss_diag *d = ss_diag_new();
    int e = 0;
    ss_template *t = ss_template_load(path, d, &e);
    if (!t)
        ss_diag_print(d, stderr);
    assert_non_null(t);
    ss_diag_free(d);
    return t;
}

static ss_template *default_template(void)
{
    char *p = assets_path("templates/state-data.xml");
    ss_template *t = load_template(p);
    free(p);
    return t;
}

static ss_template *bare_template(void)
{
    char *dir = tu_tmpdir();
    char *p = ss_xasprintf("%s/bare.xml", dir);
    tu_write(p, BARE_TEMPLATE);
    ss_template *t = load_template(p);
    tu_rmrf(dir);
    free(dir), free(p);
    return t;
}

static ss_dataset *load_data_memory(const char *name, const char *xml, size_t len)
{
    ss_diag *d = ss_diag_new();
    ss_dataset *ds = ss_dataset_load_memory(name, xml, len, d);
    if (!ds)
        ss_diag_print(d, stderr);
    ss_diag_free(d);
    return ds;
}

static ss_dataset *load_data(const char *path)
{
    ss_diag *d = ss_diag_new();
    int e = 0;
    ss_dataset *ds = tu_dataset_load(path, d, &e);
    if (!ds)
        ss_diag_print(d, stderr);
    ss_diag_free(d);
    return ds;
}

static int by_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Everything a dataset says, as text: year, sample flag, national figures,
 * and per state (in order) its code, name, figures and tables (by key) with
 * their rows in order.  Left out: line numbers, the order of a state's
 * figures and tables (the sheet reads them by key), and whether a table's
 * total was written in the file (the total is always the rows' sum). */
static char *dump(const ss_dataset *ds)
{
    ss_buf b;
    ss_buf_init(&b);
    ss_buf_printf(&b, "year %d sample %d\n", ds->year, ds->sample);
    if (ds->national_line || ds->nnational) {
        char **lines = ss_xcalloc(ds->nnational + 1, sizeof *lines);
        for (size_t i = 0; i < ds->nnational; i++)
            lines[i] = ss_xasprintf("  %s=%llu", ds->national[i].key,
                                    (unsigned long long)ds->national[i].value);
        qsort(lines, ds->nnational, sizeof *lines, by_key);
        ss_buf_adds(&b, "national\n");
        for (size_t i = 0; i < ds->nnational; i++) {
            ss_buf_printf(&b, "%s\n", lines[i]);
            free(lines[i]);
        }
        free(lines);
    }
    for (size_t s = 0; s < ds->nstates; s++) {
        const ss_state *st = &ds->states[s];
        ss_buf_printf(&b, "state %s [%s]\n", st->code, st->name);
        size_t n = st->nfigures + st->ntables;
        char **lines = ss_xcalloc(n + 1, sizeof *lines);
        for (size_t i = 0; i < st->nfigures; i++)
            lines[i] = ss_xasprintf("  figure %s=%llu", st->figures[i].key,
                                    (unsigned long long)st->figures[i].value);
        for (size_t t = 0; t < st->ntables; t++) {
            const ss_table *tb = &st->tables[t];
            ss_buf tl;
            ss_buf_init(&tl);
            ss_buf_printf(&tl, "  table %s total %llu:", tb->key,
                          (unsigned long long)tb->total);
            for (size_t r = 0; r < tb->nrows; r++)
                ss_buf_printf(&tl, " [%s]=%llu", tb->rows[r].label,
                              (unsigned long long)tb->rows[r].value);
            lines[st->nfigures + t] = ss_buf_steal(&tl);
        }
        qsort(lines, n, sizeof *lines, by_key);
        for (size_t i = 0; i < n; i++) {
            ss_buf_printf(&b, "%s\n", lines[i]);
            free(lines[i]);
        }
        free(lines);
    }
    return ss_buf_steal(&b);
}

static char *export_text(const ss_template *t, const ss_dataset *ds, bool blank, int year,
                         char delim)
{
    char *data = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&data, &len);
    assert_non_null(f);
    assert_true(ss_export_write(t, ds, blank, year, delim, f));
    assert_int_equal(fclose(f), 0);
    return data;
}

/* Imports CSV text; returns the data file's text or NULL, errors printed
 * into *msgs (a new string). */
static char *import_text(const ss_template *t, const char *csv, char delim, char **msgs)
{
    FILE *in = fmemopen((void *)csv, strlen(csv), "rb");
    assert_non_null(in);
    ss_csv_errors *errs = ss_csv_errors_new();
    size_t len = 0;
    char *xml = ss_import_read(t, in, "t.csv", delim, errs, &len);
    fclose(in);
    char *m = NULL;
    size_t mlen = 0;
    FILE *mf = open_memstream(&m, &mlen);
    ss_csv_errors_print(errs, "t.csv", mf);
    fclose(mf);
    if (msgs)
        *msgs = m;
    else
        free(m);
    ss_csv_errors_free(errs);
    return xml;
}

/* Export, import, load: the dataset must be the one we started from. */
static void round_trip(const ss_template *t, const char *path, char delim)
{
    ss_dataset *ds = load_data(path);
    assert_non_null(ds);
    char *before = dump(ds);
    char *csv = export_text(t, ds, false, ds->year, delim);
    char *msgs = NULL;
    char *xml = import_text(t, csv, 0, &msgs);
    if (!xml)
        print_error("%s: import refused its own export:\n%s\n%s\n", path, msgs, csv);
    assert_non_null(xml);
    ss_dataset *back = load_data_memory("back.xml", xml, strlen(xml));
    assert_non_null(back);
    char *after = dump(back);
    if (strcmp(before, after))
        print_error("%s:\nbefore:\n%s\nafter:\n%s\n", path, before, after);
    assert_string_equal(before, after);
    /* And export is a fixed point: the second export is the first. */
    char *again = export_text(t, back, false, back->year, delim);
    assert_string_equal(csv, again);
    free(again), free(after), free(xml), free(msgs), free(csv), free(before);
    ss_dataset_free(back);
    ss_dataset_free(ds);
}

/* ---- number cells ------------------------------------------------------- */

static void counts_taken(void **state)
{
    (void)state;
    static const struct {
        const char *cell;
        char delim;
        unsigned long long want;
    } ok[] = {
        {"0", ',', 0},
        {"1333", ',', 1333},
        {"1,333", ',', 1333},
        {"36,200,000", ',', 36200000},
        {"1.333", ';', 1333},
        {"36.200.000", ';', 36200000},
        {"1 333", ',', 1333},
        {"1\xC2\xA0" "333", ';', 1333},
        {"1\xE2\x80\xAF" "333", ',', 1333},
        {"000999999999999", ',', 999999999999ULL},
        {"999,999,999,999", ',', 999999999999ULL},
        {"1,333", '\t', 1333},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        uint64_t v = 12345;
        const char *why = ss_csv_count(ok[i].cell, ok[i].delim, &v);
        if (why)
            print_error("'%s' (%c): %s\n", ok[i].cell, ok[i].delim, why);
        assert_null(why);
        assert_int_equal(v, ok[i].want);
    }
}

static void counts_refused(void **state)
{
    (void)state;
    static const struct {
        const char *cell;
        char delim;
        const char *why; /* a word the message must hold */
    } bad[] = {
        {"12.5", ',', "decimal point"},
        {"1.333", ',', "decimal point"},     /* not a German 1333 in a comma file */
        {"1,333", ';', "decimal comma"},     /* not 1333 in a semicolon file */
        {"1,5", ';', "decimal comma"},
        {"-3", ',', "negative"},
        {"(3)", ',', "negative"},
        {"\xE2\x88\x92" "3", ',', "negative"},
        {"+3", ',', "'+'"},
        {"19%", ',', "%"},
        {"1.05E+08", ',', "scientific"},
        {"about 30", ',', "not a number"},
        {"n/a", ',', "not a number"},
        {"1,33", ',', "groups of three"},
        {"1,3333", ',', "groups of three"},
        {"1,33,333", ',', "groups of three"},
        {"1.3333.333", ';', "groups of three"},
        {"1333,333,", ',', "groups of three"},
        {",333", ',', "groups of three"},
        {"1234,567", ',', "groups of three"},
        {"1,333 000", ',', "mixes"},
        {"1000000000000", ',', "too large"},
        {"99999999999999999999999", ',', "too large"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t v = 7;
        const char *why = ss_csv_count(bad[i].cell, bad[i].delim, &v);
        if (!why || !strstr(why, bad[i].why))
            print_error("'%s' (%c): got %s, wanted '%s'\n", bad[i].cell, bad[i].delim,
                        why ? why : "(taken)", bad[i].why);
        assert_non_null(why);
        assert_non_null(strstr(why, bad[i].why));
        assert_int_equal(v, 7); /* untouched */
    }
}

static void column_letters(void **state)
{
    (void)state;
    char s[8];
    ss_csv_column_letter(1, s);
    assert_string_equal(s, "A");
    ss_csv_column_letter(26, s);
    assert_string_equal(s, "Z");
    ss_csv_column_letter(27, s);
    assert_string_equal(s, "AA");
    ss_csv_column_letter(52, s);
    assert_string_equal(s, "AZ");
    ss_csv_column_letter(703, s);
    assert_string_equal(s, "AAA");
}

/* ---- round trip ---------------------------------------------------------- */

static void round_trip_valid_fixtures(void **state)
{
    (void)state;
    ss_template *bare = bare_template();
    char *dir = tu_fixture("records");
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (strncmp(e->d_name, "ok-", 3) || l < 4 || strcmp(e->d_name + l - 4, ".xml"))
            continue;
        char *p = ss_xasprintf("%s/%s", dir, e->d_name);
        round_trip(bare, p, ',');
        round_trip(bare, p, ';');
        free(p);
        n++;
    }
    closedir(d);
    assert_true(n >= 3);
    free(dir);
    ss_template_free(bare);
}

static void round_trip_real_and_sample(void **state)
{
    (void)state;
    ss_template *t = default_template();
    static const char *const files[] = {"data/ncmec-2023.xml", "data/samples/sample-56.xml"};
    for (size_t i = 0; i < 2; i++) {
        char *p = tu_source(files[i]);
        round_trip(t, p, ',');
        round_trip(t, p, ';');
        round_trip(t, p, '\t');
        free(p);
    }
    ss_template_free(t);
}

/* Row order survives when states agree on it, and labels new to a state
 * are placed after its previous row. */
static void round_trip_row_order(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *p = ss_xasprintf("%s/d.xml", dir);
    tu_write(p, "<statedata year=\"2023\">\n"
                "<state code=\"AA\" name=\"A\"><table key=\"t\"><row label=\"x\">1</row>"
                "<row label=\"z\">3</row></table></state>\n"
                "<state code=\"BB\" name=\"B\"><table key=\"t\"><row label=\"x\">1</row>"
                "<row label=\"y\">2</row><row label=\"z\">3</row></table></state>\n"
                "<state code=\"CC\" name=\"C\"><table key=\"t\"><row label=\"w\">0</row>"
                "<row label=\"x\">1</row></table></state>\n"
                "</statedata>\n");
    ss_template *bare = bare_template();
    round_trip(bare, p, ',');
    ss_template_free(bare);
    tu_rmrf(dir);
    free(p), free(dir);
}

/* ---- fixtures ------------------------------------------------------------ */

static void refusal_fixtures(void **state)
{
    (void)state;
    char *dir = tu_fixture("csv");
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (!strncmp(e->d_name, "ok-", 3) || l < 5 || strcmp(e->d_name + l - 4, ".csv"))
            continue;
        char *name = ss_xstrndup(e->d_name, l - 4);
        char *exp_path = ss_xasprintf("%s/%s.expected", dir, name);
        char *expected = tu_read(exp_path);
        if (!expected)
            print_error("%s has no %s.expected\n", e->d_name, name);
        assert_non_null(expected);
        char *cmd = ss_xasprintf("cd '%s' && \"$SS_BINARY\" import '%s'", dir, e->d_name);
        char *out = NULL, *err = NULL;
        int rc = tu_sh(cmd, &out, &err);
        if (rc != 65 || strcmp(err, expected) || *out)
            print_error("%s: status %d\nexpected:\n%sgot:\n%sstdout: %.200s\n", e->d_name, rc,
                        expected, err, out);
        assert_int_equal(rc, 65);
        assert_string_equal(err, expected);
        assert_string_equal(out, "");
        free(out), free(err), free(cmd), free(expected), free(exp_path), free(name);
        n++;
    }
    closedir(d);
    assert_true(n >= 15);
    free(dir);
}

static void accepted_fixtures(void **state)
{
    (void)state;
    char *dir = tu_fixture("csv");
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (strncmp(e->d_name, "ok-", 3) || l < 5 || strcmp(e->d_name + l - 4, ".csv"))
            continue;
        char *xml_path = ss_xasprintf("%s/%.*s.xml", dir, (int)(l - 4), e->d_name);
        char *expected = tu_read(xml_path);
        assert_non_null(expected);
        char *cmd = ss_xasprintf("cd '%s' && \"$SS_BINARY\" import '%s'", dir, e->d_name);
        char *out = NULL, *err = NULL;
        int rc = tu_sh(cmd, &out, &err);
        if (rc != 0 || strcmp(out, expected))
            print_error("%s: status %d\n%s\n%s\n", e->d_name, rc, err, out);
        assert_int_equal(rc, 0);
        assert_string_equal(out, expected);
        assert_string_equal(err, "");
        free(out), free(err), free(cmd), free(expected), free(xml_path);
        n++;
    }
    closedir(d);
    assert_true(n >= 5);
    free(dir);
}

/* Files Excel and Calc write: BOM + CRLF, semicolons, grouped numbers. */
static void spreadsheet_forms_give_the_same_data(void **state)
{
    (void)state;
    static const char *const forms[] = {"ok-bom-crlf", "ok-semicolon", "ok-grouped",
                                        "ok-spaces"};
    char *orig = tu_source("data/ncmec-2023.xml");
    ss_dataset *want = load_data(orig);
    char *want_dump = dump(want);
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        char *rel = ss_xasprintf("csv/%s.xml", forms[i]);
        char *p = tu_fixture(rel);
        ss_dataset *got = load_data(p);
        assert_non_null(got);
        char *got_dump = dump(got);
        if (strcmp(want_dump, got_dump))
            print_error("%s differs from data/ncmec-2023.xml:\n%s\n", forms[i], got_dump);
        assert_string_equal(want_dump, got_dump);
        free(got_dump), free(p), free(rel);
        ss_dataset_free(got);
    }
    free(want_dump), free(orig);
    ss_dataset_free(want);
}

/* CSV files that LibreOffice Calc saved (calc/make.sh: export, .xlsx, CSV). */
static void calc_saved_files_import(void **state)
{
    (void)state;
    ss_template *t = default_template();
    static const char *const pairs[][2] = {
        {"csv/calc/ncmec-2023.csv", "data/ncmec-2023.xml"},
        {"csv/calc/sample-56.csv", "data/samples/sample-56.xml"},
    };
    for (size_t i = 0; i < 2; i++) {
        char *cp = tu_fixture(pairs[i][0]);
        char *csv = tu_read(cp);
        assert_non_null(csv);
        char *msgs = NULL;
        char *xml = import_text(t, csv, 0, &msgs);
        if (!xml)
            print_error("%s: %s\n", pairs[i][0], msgs);
        assert_non_null(xml);
        ss_dataset *got = load_data_memory("calc.xml", xml, strlen(xml));
        char *dp = tu_source(pairs[i][1]);
        ss_dataset *want = load_data(dp);
        char *a = dump(want), *b = dump(got);
        assert_string_equal(a, b);
        free(a), free(b), free(dp), free(xml), free(msgs), free(csv), free(cp);
        ss_dataset_free(got);
        ss_dataset_free(want);
    }
    ss_template_free(t);
}

/* All mistakes in one run, each once, in row then column order. */
static void every_mistake_at_once(void **state)
{
    (void)state;
    ss_template *bare = bare_template();
    char *msgs = NULL;
    char *xml = import_text(bare,
                            "code,name,year,a,b,Total: t,t: x\r\n"
                            "AA,A,2023,1.5,2,,\r\n"
                            "BB,B,2023,1,x,,1\r\n"
                            "AA,A2,2023,1,2,,\r\n"
                            "cc,C,2023,1,2,5,1\r\n",
                            0, &msgs);
    assert_null(xml);
    assert_string_equal(msgs,
        "t.csv:2:4: error: column D (a), state AA: '1.5': the number has decimals: in a "
        "comma-separated file '.' is the decimal point; write a whole number\n"
        "t.csv:3:5: error: column E (b), state BB: 'x': this is not a number; write a whole "
        "number such as 1333 (0 if none)\n"
        "t.csv:4:1: error: column A (code): the state AA appears twice (rows 2 and 4); keep "
        "one row per state\n"
        "t.csv:5:1: error: state code 'cc' has characters that are not allowed; use only "
        "capital letters A-Z, digits 0-9 and '-', e.g. code=\"ND\"\n"
        "t.csv:5:6: error: state cc, table 't': the total is 5 but the rows add up to 1; "
        "correct the total or the rows\n");
    free(msgs);
    ss_template_free(bare);
}

/* ---- command line ------------------------------------------------------- */

static void export_blank_and_year(void **state)
{
    (void)state;
    char *out = NULL;
    assert_int_equal(tu_run("export --blank data/ncmec-2023.xml", &out, NULL), 0);
    /* Next year, every figure empty, the labels kept; all 56 jurisdictions
     * listed (assets/jurisdictions.csv), with their Spanish names. */
    assert_non_null(strstr(out, "\r\nnational,(national figures),,2024,,,"));
    assert_non_null(strstr(out, "\r\nND,North Dakota,Dakota del Norte,2024,,,,,,,,,,,,,,,,,,,,\r\n"));
    assert_non_null(strstr(out, "\r\nMP,Northern Mariana Islands,Islas Marianas del Norte,2024,"));
    assert_non_null(strstr(out, "missing.cases: Other Missing Children Cases"));
    free(out);
    assert_int_equal(tu_run("export --blank --year 2030 data/ncmec-2023.xml", &out, NULL), 0);
    assert_non_null(strstr(out, "\r\nND,North Dakota,Dakota del Norte,2030,"));
    free(out);
    assert_int_equal(tu_run("export --year 2023 --delimiter ';' data/ncmec-2023.xml", &out,
                            NULL), 0);
    assert_non_null(strstr(out, "\r\nND;North Dakota;2023;;"));
    assert_non_null(strstr(out, ";1333;28;8;7;30;68;61;6;1\r\n"));
    free(out);
    char *err = NULL;
    assert_int_equal(tu_run("export --year 24 data/ncmec-2023.xml", &out, &err), 64);
    assert_non_null(strstr(err, "--year '24': write four digits"));
    free(out), free(err);
    assert_int_equal(tu_run("import --blank x.csv", &out, &err), 64);
    free(out), free(err);
}

/* A blank form refused until filled in: each empty figure named. */
static void blank_form_is_refused_until_filled(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *cmd = ss_xasprintf("\"$SS_BINARY\" export --blank data/ncmec-2023.xml "
                             "-o '%s/form.csv' && cd '%s' && \"$SS_BINARY\" import form.csv",
                             dir, dir);
    char *out = NULL, *err = NULL;
    assert_int_equal(tu_sh(cmd, &out, &err), 65);
    assert_non_null(strstr(err, "form.csv:2:5: error: column E (National: "
                                "cybertipline.reports - CyberTipline...), "
                                "national row: the cell is empty; write the national figure "
                                "(0 if none)\n"));
    assert_non_null(strstr(err, "form.csv:36:21: error: column U (Total: missing.cases - "));
    assert_non_null(strstr(err, "state ND: the table 'missing.cases' is empty"));
    free(out), free(err), free(cmd);
    tu_rmrf(dir);
    free(dir);
}

static void output_atomic_and_untouched_on_error(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *target = ss_xasprintf("%s/data.xml", dir);
    tu_write(target, "precious\n");
    char *cmd = ss_xasprintf("\"$SS_BINARY\" import tests/fixtures/csv/decimals.csv -o '%s'",
                             target);
    char *out = NULL, *err = NULL;
    assert_int_equal(tu_sh(cmd, &out, &err), 65);
    char *now = tu_read(target);
    assert_string_equal(now, "precious\n");
    assert_int_equal(tu_count(dir, ""), 1); /* no temporary file left */
    free(now), free(cmd), free(out), free(err);
    cmd = ss_xasprintf("\"$SS_BINARY\" import tests/fixtures/csv/ok-grouped.csv -o '%s'",
                       target);
    assert_int_equal(tu_sh(cmd, &out, &err), 0);
    now = tu_read(target);
    char *want = tu_fixture("csv/ok-grouped.xml");
    char *wanted = tu_read(want);
    assert_string_equal(now, wanted);
    assert_int_equal(tu_count(dir, ""), 1);
    free(now), free(want), free(wanted), free(cmd), free(out), free(err), free(target);
    tu_rmrf(dir);
    free(dir);
}

/* "statesheet export" is the subcommand; a data file of that name is
 * reached as ./export. */
static void data_file_named_export(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *cmd = ss_xasprintf("cp data/ncmec-2023.xml '%s/export' && cd '%s' && "
                             "\"$SS_BINARY\" --check ./export", dir, dir);
    char *out = NULL, *err = NULL;
    int rc = tu_sh(cmd, &out, &err);
    if (rc)
        print_error("%s\n", err);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "./export: 1 state, year 2023"));
    free(out), free(err), free(cmd);
    tu_rmrf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_taken),
        cmocka_unit_test(counts_refused),
        cmocka_unit_test(column_letters),
        cmocka_unit_test(round_trip_valid_fixtures),
        cmocka_unit_test(round_trip_real_and_sample),
        cmocka_unit_test(round_trip_row_order),
        cmocka_unit_test(refusal_fixtures),
        cmocka_unit_test(accepted_fixtures),
        cmocka_unit_test(spreadsheet_forms_give_the_same_data),
        cmocka_unit_test(calc_saved_files_import),
        cmocka_unit_test(every_mistake_at_once),
        cmocka_unit_test(export_blank_and_year),
        cmocka_unit_test(blank_form_is_refused_until_filled),
        cmocka_unit_test(output_atomic_and_untouched_on_error),
        cmocka_unit_test(data_file_named_export),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
