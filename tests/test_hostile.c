/* test_hostile.c - hostile and pathological input, and the file system as an
 * adversary (issue 5, points 3 and 4; issue 4, point 5), end to end through
 * the real binary.
 *
 * Every case asserts the exit status, the message (with FILE:LINE where the
 * problem has a line) and that nothing was written.  Data files are made
 * here from C strings: fictional states in a sample="true" file, built on
 * the structure of data/ncmec-2023.xml.
 *
 * Cases that need privileges (mounting a tmpfs, running as another user)
 * skip with a printed note when they can't have them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#include "util.h"

#define DATA "data/ncmec-2023.xml"
#define MAX_RSS_KB (100 * 1024)

/* A sanitizer build (STATESHEET_SANITIZE also builds this file with it)
 * multiplies memory use: the RSS bounds are for real builds only. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

/* ---- helpers ----------------------------------------------------------- */

static const char *binary(void)
{
    const char *b = getenv("SS_BINARY");
    return b && *b ? b : "build/statesheet";
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool have_time(void)
{
    return access("/usr/bin/time", X_OK) == 0;
}

/* One run of the binary, measured. */
typedef struct run {
    int rc;
    char *out, *err;
    double seconds;
    long rss_kb; /* peak RSS, or -1 when /usr/bin/time is missing */
} run;

static void run_free(run *r)
{
    free(r->out), free(r->err);
}

static run runv(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static run runv(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *args = ss_xmalloc((size_t)n + 1);
    vsnprintf(args, (size_t)n + 1, fmt, ap2);
    va_end(ap2);

    run r = {.rss_kb = -1};
    char *mdir = NULL, *mfile = NULL, *cmd;
    if (have_time()) {
        mdir = tu_tmpdir();
        mfile = ss_xasprintf("%s/rss", mdir);
        cmd = ss_xasprintf("/usr/bin/time -f %%M -o '%s' '%s' %s", mfile, binary(), args);
    } else {
        cmd = ss_xasprintf("'%s' %s", binary(), args);
    }
    double t0 = now();
    r.rc = tu_sh(cmd, &r.out, &r.err);
    r.seconds = now() - t0;
    if (mfile) {
        /* the last line is the number; "Command exited with ..." may precede it */
        char *m = tu_read(mfile);
        if (m) {
            char *line = m, *p;
            size_t l = strlen(m);
            while (l && (m[l - 1] == '\n'))
                m[--l] = '\0';
            if ((p = strrchr(m, '\n')))
                line = p + 1;
            r.rss_kb = atol(line);
            free(m);
        }
        tu_rmrf(mdir);
    }
    if (!r.out)
        r.out = ss_xstrdup("");
    if (!r.err)
        r.err = ss_xstrdup("");
    free(mdir), free(mfile), free(cmd), free(args);
    return r;
}

static run runf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static run runf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    run r = runv(fmt, ap);
    va_end(ap);
    return r;
}

static void show(const run *r)
{
    print_message("    status %d, %.3f s, %ld KB\n    stdout: %s\n    stderr: %s\n", r->rc,
                  r->seconds, r->rss_kb, r->out, r->err);
}

static void assert_status(const run *r, int rc)
{
    if (r->rc != rc) {
        print_error("expected status %d\n", rc);
        show(r);
    }
    assert_int_equal(r->rc, rc);
}

static void assert_err_has(const run *r, const char *key)
{
    if (!strstr(r->err, key)) {
        print_error("expected on stderr: '%s'\n", key);
        show(r);
    }
    assert_non_null(strstr(r->err, key));
}

/* "FILE:LINE: error:" on stderr. */
static void assert_err_at(const run *r, const char *file, int line)
{
    char *key = ss_xasprintf("%s:%d: error:", file, line);
    assert_err_has(r, key);
    free(key);
}

static void assert_small(const run *r, const char *what)
{
    if (SANITIZED) {
        print_message("    note: sanitizer build; peak memory of %s (%ld KB) not checked\n", what,
                      r->rss_kb);
        return;
    }
    if (r->rss_kb < 0) {
        print_message("    note: /usr/bin/time is not installed (package 'time'); "
                      "peak memory of %s not checked\n", what);
        return;
    }
    if (r->rss_kb >= MAX_RSS_KB)
        print_error("%s: peak RSS %ld KB, limit %d KB\n", what, r->rss_kb, MAX_RSS_KB);
    assert_true(r->rss_kb > 0);
    assert_true(r->rss_kb < MAX_RSS_KB);
}

/* The file's last bytes, after trailing white space, are "%%EOF". */
static bool file_ends_with_eof(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    char buf[32] = {0};
    size_t n = 0;
    if (fseek(f, -(long)(sizeof buf - 1), SEEK_END) != 0)
        rewind(f);
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        n--;
    return n >= 5 && !memcmp(buf + n - 5, "%%EOF", 5);
}

static void write_bytes(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* A copy of s with the first 'from' replaced by 'to' (which must occur). */
static char *replace_first(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    assert_non_null(at);
    return ss_xasprintf("%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
}

/* ---- test data ------------------------------------------------------------ */

/* Lines 1-15; the first state starts on line 16. */
#define HEAD TU_SAMPLE_HEAD
static const char TAIL[] = "</statedata>\n";
#define FIRST_STATE_LINE 16
#define STATE_LINES 10
#define ROW_OFFSET 7 /* the row is 7 lines below its <state> */

/* One fictional state, 10 lines. */
static char *state_xml(const char *code, const char *name, const char *label)
{
    return ss_xasprintf(
        "  <state code=\"%s\" name=\"%s\">\n"
        "    <figure key=\"cybertipline.reports\">12</figure>\n"
        "    <figure key=\"cvip.submissions\">3</figure>\n"
        "    <figure key=\"teamhope.supported\">2</figure>\n"
        "    <figure key=\"mentalhealth.connected\">1</figure>\n"
        "    <figure key=\"connect.new_users\">4</figure>\n"
        "    <table key=\"missing.cases\" total=\"5\">\n"
        "      <row label=\"%s\">5</row>\n"
        "    </table>\n"
        "  </state>\n",
        code, name, label);
}

/* A sample file with the given states (NULL-terminated list of name/label
 * pairs; codes are AA, BB, ...), written to DIR/NAME; returns the path. */
static char *write_data(const char *dir, const char *file, ...)
{
    ss_buf b;
    ss_buf_init(&b);
    ss_buf_adds(&b, HEAD);
    va_list ap;
    va_start(ap, file);
    const char *name;
    char code[3] = "AA";
    while ((name = va_arg(ap, const char *))) {
        const char *label = va_arg(ap, const char *);
        char *s = state_xml(code, name, label);
        ss_buf_adds(&b, s);
        free(s);
        code[0]++, code[1]++;
    }
    va_end(ap);
    ss_buf_adds(&b, TAIL);
    char *path = ss_xasprintf("%s/%s", dir, file);
    write_bytes(path, b.data, b.len);
    ss_buf_free(&b);
    return path;
}

#define LABEL "Other Missing Children Cases"

/* A file whose data error must leave DIR/out untouched: runs, checks the
 * status, the FILE:LINE and a key, and that nothing was written. */
static void expect_data_error(const char *dir, const char *data, int line, const char *key)
{
    run r = runf("-o '%s/out' '%s'", dir, data);
    assert_status(&r, 65);
    assert_string_equal(r.out, "");
    if (line > 0)
        assert_err_at(&r, data, line);
    else
        assert_err_has(&r, data);
    if (key)
        assert_err_has(&r, key);
    char *odir = ss_xasprintf("%s/out", dir);
    tu_assert_nothing_written(odir);
    free(odir);
    run_free(&r);
}

/* ---- entities and DTDs -------------------------------------------------- */

static void xxe_system_file_refused(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *st = state_xml("AA", "Alpha &xxe;", LABEL);
    char *xml = ss_xasprintf(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<!DOCTYPE statedata [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n"
        "<statedata year=\"2023\" sample=\"true\">\n%s%s",
        st, TAIL);
    char *data = ss_xasprintf("%s/xxe.xml", dir);
    tu_write(data, xml);
    run r = runf("-o '%s/out' '%s'", dir, data);
    assert_status(&r, 65);
    assert_err_at(&r, data, 2);
    assert_err_has(&r, "DOCTYPE");
    assert_null(strstr(r.out, "root:"));
    assert_null(strstr(r.err, "root:"));
    char *odir = ss_xasprintf("%s/out", dir);
    tu_assert_nothing_written(odir);
    free(odir);
    run_free(&r);
    free(data), free(xml), free(st);
    tu_rmrf(dir);
    free(dir);
}

static void parameter_entity_refused(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *st = state_xml("AA", "Alpha", LABEL);
    char *xml = ss_xasprintf(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<!DOCTYPE statedata [ <!ENTITY %% pe SYSTEM \"file:///etc/passwd\"> %%pe; ]>\n"
        "<statedata year=\"2023\" sample=\"true\">\n%s%s",
        st, TAIL);
    char *data = ss_xasprintf("%s/pe.xml", dir);
    tu_write(data, xml);
    run r = runf("--check '%s'", data);
    assert_status(&r, 65);
    assert_err_at(&r, data, 2);
    assert_err_has(&r, "DOCTYPE");
    assert_null(strstr(r.err, "root:"));
    run_free(&r);
    expect_data_error(dir, data, 2, "DOCTYPE");
    free(data), free(xml), free(st);
    tu_rmrf(dir);
    free(dir);
}

static void billion_laughs_refused_fast(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    ss_buf b;
    ss_buf_init(&b);
    ss_buf_adds(&b, "<?xml version=\"1.0\"?>\n<!DOCTYPE statedata [\n"
                    "<!ENTITY lol0 \"lol\">\n");
    for (int i = 1; i <= 9; i++) {
        ss_buf_printf(&b, "<!ENTITY lol%d \"", i);
        for (int j = 0; j < 10; j++)
            ss_buf_printf(&b, "&lol%d;", i - 1);
        ss_buf_adds(&b, "\">\n");
    }
    ss_buf_adds(&b, "]>\n<statedata year=\"2023\" sample=\"true\">&lol9;</statedata>\n");
    char *data = ss_xasprintf("%s/laughs.xml", dir);
    write_bytes(data, b.data, b.len);
    ss_buf_free(&b);

    run r = runf("-o '%s/out' '%s'", dir, data);
    assert_status(&r, 65);
    assert_err_at(&r, data, 2);
    assert_small(&r, "billion laughs");
    char *odir = ss_xasprintf("%s/out", dir);
    tu_assert_nothing_written(odir);
    free(odir);
    run_free(&r);
    free(data);
    tu_rmrf(dir);
    free(dir);
}

static void quadratic_blowup_refused_fast(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    ss_buf b;
    ss_buf_init(&b);
    ss_buf_adds(&b, "<?xml version=\"1.0\"?>\n<!DOCTYPE statedata [<!ENTITY a \"");
    for (int i = 0; i < 50000; i++)
        ss_buf_addc(&b, 'a');
    ss_buf_adds(&b, "\">]>\n<statedata year=\"2023\" sample=\"true\">\n"
                    "<state code=\"AA\" name=\"");
    for (int i = 0; i < 50000; i++)
        ss_buf_adds(&b, "&a;");
    ss_buf_adds(&b, "\"/>\n</statedata>\n");
    char *data = ss_xasprintf("%s/quadratic.xml", dir);
    write_bytes(data, b.data, b.len);
    ss_buf_free(&b);

    run r = runf("-o '%s/out' '%s'", dir, data);
    assert_status(&r, 65);
    assert_err_at(&r, data, 2);
    assert_small(&r, "quadratic blow-up");
    char *odir = ss_xasprintf("%s/out", dir);
    tu_assert_nothing_written(odir);
    free(odir);
    run_free(&r);
    free(data);
    tu_rmrf(dir);
    free(dir);
}

/* ---- size and depth ----------------------------------------------------- */

static void deep_nesting_refused(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    ss_buf b;
    ss_buf_init(&b);
    ss_buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<statedata year=\"2023\" sample=\"true\">\n"
                    "<state code=\"AA\" name=\"Alpha\">"); /* line 3 */
    for (int i = 0; i < 10000; i++)
        ss_buf_adds(&b, "<table key=\"a\">");
    for (int i = 0; i < 10000; i++)
        ss_buf_adds(&b, "</table>");
    ss_buf_adds(&b, "</state>\n</statedata>\n");
    char *data = ss_xasprintf("%s/deep.xml", dir);
    write_bytes(data, b.data, b.len);
    ss_buf_free(&b);

    run r = runf("-o '%s/out' '%s'", dir, data);
    assert_status(&r, 65);
    assert_err_at(&r, data, 3);
    assert_small(&r, "10,000 nested elements");
    char *odir = ss_xasprintf("%s/out", dir);
    tu_assert_nothing_written(odir);
    free(odir);
    run_free(&r);
    free(data);
    tu_rmrf(dir);
    free(dir);
}

static void file_of_300mb_refused_by_size(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *data = ss_xasprintf("%s/huge.xml", dir);
    /* sparse: takes no disk space; all zero bytes, so a reader that parsed
     * it instead of refusing it by size would say something else */
    write_bytes(data, "<?xml version=\"1.0\"?>\n", 22);
    assert_int_equal(truncate(data, 300L * 1024 * 1024), 0);

    run r = runf("-o '%s/out' '%s'", dir, data);
    assert_status(&r, 65);
    assert_err_has(&r, data);
    assert_err_has(&r, "larger than");
    assert_small(&r, "a 300 MB file");
    char *odir = ss_xasprintf("%s/out", dir);
    tu_assert_nothing_written(odir);
    free(odir);
    run_free(&r);
    free(data);
    tu_rmrf(dir);
    free(dir);
}

/* Under a sanitizer each state costs ~25 times more: check fewer there, so
 * the suite stays fast; the real build checks all 100,000. */
#define MANY_STATES (SANITIZED ? 5000 : 100000)

static void states_100000_accepted(void **state)
{
    (void)state;
    if (SANITIZED)
        print_message("    note: sanitizer build; %d states instead of 100,000\n", MANY_STATES);
    char *dir = tu_tmpdir();
    char *data = ss_xasprintf("%s/many.xml", dir);
    FILE *f = fopen(data, "wb");
    assert_non_null(f);
    fputs(HEAD, f);
    for (int i = 0; i < MANY_STATES; i++) {
        char code[16], name[32];
        snprintf(code, sizeof code, "S%d", i);
        snprintf(name, sizeof name, "State %d", i);
        char *s = state_xml(code, name, LABEL);
        fputs(s, f);
        free(s);
    }
    fputs(TAIL, f);
    assert_int_equal(fclose(f), 0);

    run r = runf("--check -o '%s/out' '%s'", dir, data);
    assert_status(&r, 0);
    char *want = ss_xasprintf("%s: %d states, year 2023", data, MANY_STATES);
    if (!strstr(r.out, want))
        show(&r);
    assert_non_null(strstr(r.out, want));
    assert_non_null(strstr(r.out, "OK"));
    assert_small(&r, "--check of 100,000 states");
    char *odir = ss_xasprintf("%s/out", dir);
    tu_assert_nothing_written(odir);
    print_message("    %d states: %.2f s, %ld KB\n", MANY_STATES, r.seconds, r.rss_kb);
    free(odir), free(want);
    run_free(&r);
    free(data);
    tu_rmrf(dir);
    free(dir);
}

/* ---- bytes -------------------------------------------------------------- */

static void invalid_utf8_refused(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *data = write_data(dir, "utf8.xml", "Al\xff\xfepha", LABEL, NULL);
    expect_data_error(dir, data, FIRST_STATE_LINE, "UTF-8");
    free(data);
    tu_rmrf(dir);
    free(dir);
}

static void nul_byte_refused(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *st = state_xml("AA", "Al@pha", LABEL);
    char *xml = ss_xasprintf("%s%s%s", HEAD, st, TAIL);
    size_t len = strlen(xml);
    *strchr(xml, '@') = '\0';
    char *data = ss_xasprintf("%s/nul.xml", dir);
    write_bytes(data, xml, len);
    expect_data_error(dir, data, FIRST_STATE_LINE, "NUL");
    free(data), free(xml), free(st);
    tu_rmrf(dir);
    free(dir);
}

static void bom_and_crlf_accepted(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *st = state_xml("AA", "Alphaland", LABEL);
    char *lf = ss_xasprintf("%s%s%s", HEAD, st, TAIL);
    ss_buf b;
    ss_buf_init(&b);
    ss_buf_adds(&b, "\xEF\xBB\xBF");
    for (const char *p = lf; *p; p++) {
        if (*p == '\n')
            ss_buf_addc(&b, '\r');
        ss_buf_addc(&b, *p);
    }
    char *data = ss_xasprintf("%s/bom.xml", dir);
    write_bytes(data, b.data, b.len);
    ss_buf_free(&b);

    run r = runf("-q -o '%s/out' '%s'", dir, data);
    assert_status(&r, 0);
    assert_string_equal(r.err, "");
    char *pdf = ss_xasprintf("%s/out/AA-2023-SAMPLE.pdf", dir);
    assert_true(tu_file_starts_with(pdf, "%PDF-"));
    assert_true(file_ends_with_eof(pdf));
    free(pdf);
    run_free(&r);
    free(data), free(lf), free(st);
    tu_rmrf(dir);
    free(dir);
}

/* ---- what the font can't draw ------------------------------------------- */

static void cjk_in_name_is_data_error(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    /* the second state (line 26) has U+4E2D; the first one is fine, and
     * must not be written either */
    char *data = write_data(dir, "cjk.xml", "Alphaland", LABEL, "Bravo \xE4\xB8\xAD", LABEL, NULL);
    expect_data_error(dir, data, FIRST_STATE_LINE + STATE_LINES, "U+4E2D");
    free(data);
    tu_rmrf(dir);
    free(dir);
}

static void emoji_in_label_is_data_error(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *data = write_data(dir, "emoji.xml", "Alphaland", "Cases \xF0\x9F\x98\x80", NULL);
    expect_data_error(dir, data, FIRST_STATE_LINE + ROW_OFFSET, "U+1F600");
    free(data);
    tu_rmrf(dir);
    free(dir);
}

/* ---- length limits (counted in code points, not bytes) -------------------- */

/* n code points: "Łódź " repeated, ending in a letter (Ł, ó and ź are two
 * bytes each, so the byte length is well over n). */
static char *words(int n)
{
    static const char *const cps[] = {"\xC5\x81", "\xC3\xB3", "d", "\xC5\xBA", " "};
    ss_buf b;
    ss_buf_init(&b);
    for (int i = 0; i < n - 1; i++)
        ss_buf_adds(&b, cps[i % 5]);
    ss_buf_adds(&b, "a");
    return ss_buf_steal(&b);
}

static void name_and_label_at_limits_accepted(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *name = words(100), *label = words(200);
    char *data = write_data(dir, "limits.xml", name, label, NULL);
    run r = runf("-q -o '%s/out' '%s'", dir, data);
    assert_status(&r, 0);
    char *pdf = ss_xasprintf("%s/out/AA-2023-SAMPLE.pdf", dir);
    assert_true(tu_file_starts_with(pdf, "%PDF-"));
    assert_true(file_ends_with_eof(pdf));
    free(pdf);
    run_free(&r);
    free(data), free(name), free(label);
    tu_rmrf(dir);
    free(dir);
}

static void name_over_limit_rejected(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *name = words(101);
    char *data = write_data(dir, "name101.xml", name, LABEL, NULL);
    expect_data_error(dir, data, FIRST_STATE_LINE, "101");
    free(data), free(name);
    tu_rmrf(dir);
    free(dir);
}

static void label_over_limit_rejected(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *label = words(201);
    char *data = write_data(dir, "label201.xml", "Alphaland", label, NULL);
    expect_data_error(dir, data, FIRST_STATE_LINE + ROW_OFFSET, "201");
    free(data), free(label);
    tu_rmrf(dir);
    free(dir);
}

/* A 100-letter name with no space to break at (the format allows it), of
 * the widest letter: no type size down to 8 pt fits it on the band, so it
 * is refused with the state's line, never clipped, and nothing is
 * written (issue 5: "they must fit or fail cleanly"). */
static void unbreakable_wide_name_refused(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char name[101];
    memset(name, 'W', 100);
    name[100] = '\0';
    char *data = write_data(dir, "wide.xml", name, LABEL, NULL);
    run r = runf("-o '%s/out' '%s'", dir, data);
    char *odir = ss_xasprintf("%s/out", dir);
    assert_status(&r, 65);
    assert_err_at(&r, data, FIRST_STATE_LINE);
    assert_err_has(&r, "does not fit one page even at 8 pt body text");
    tu_assert_nothing_written(odir);
    free(odir);
    run_free(&r);
    free(data);
    tu_rmrf(dir);
    free(dir);
}

/* ---- hostile templates ---------------------------------------------------- */

/* A copy of the default template with one replacement, in DIR/t.xml. */
static char *template_with(const char *dir, const char *from, const char *to)
{
    char *src = tu_source("assets/templates/state-data.xml");
    char *tpl = tu_read(src);
    assert_non_null(tpl);
    char *copy = replace_first(tpl, from, to);
    char *path = ss_xasprintf("%s/t.xml", dir);
    tu_write(path, copy);
    free(copy), free(tpl), free(src);
    return path;
}

/* The line of the first occurrence of s in the default template. */
static int template_line(const char *s)
{
    char *src = tu_source("assets/templates/state-data.xml");
    char *tpl = tu_read(src);
    assert_non_null(tpl);
    const char *at = strstr(tpl, s);
    assert_non_null(at);
    int line = 1;
    for (const char *p = tpl; p < at; p++)
        line += *p == '\n';
    free(tpl), free(src);
    return line;
}

#define SUBTITLE "<subtitle><name/> Data</subtitle>"

static void expect_template_error(const char *dir, const char *tpl, const char *file, int line,
                                  const char *key)
{
    run r = runf("-t '%s' -o '%s/out' " DATA, tpl, dir);
    assert_status(&r, 65);
    assert_string_equal(r.out, "");
    assert_err_at(&r, file, line);
    assert_err_has(&r, key);
    char *odir = ss_xasprintf("%s/out", dir);
    tu_assert_nothing_written(odir);
    free(odir);
    run_free(&r);
    /* --check finds it too */
    r = runf("--check -t '%s' " DATA, tpl);
    assert_status(&r, 65);
    assert_err_at(&r, file, line);
    run_free(&r);
}

static void template_unknown_placeholder(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    int line = template_line(SUBTITLE);
    char *tpl = template_with(dir, SUBTITLE, "<subtitle><nmae/> Data</subtitle>");
    expect_template_error(dir, tpl, tpl, line, "nmae");
    free(tpl);
    tu_rmrf(dir);
    free(dir);
}

static void template_unbalanced(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    int line = template_line(SUBTITLE);
    char *tpl = template_with(dir, SUBTITLE, "<subtitle><b><name/> Data</subtitle>");
    expect_template_error(dir, tpl, tpl, line, "well-formed");
    free(tpl);
    tu_rmrf(dir);
    free(dir);
}

static void template_uses_figure_data_lacks(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    /* declare and use a state figure that North Dakota's record doesn't have */
    char *src = tu_source("assets/templates/state-data.xml");
    char *tpl = tu_read(src);
    assert_non_null(tpl);
    char *a = replace_first(tpl, "<uses>", "<uses><figure key=\"trafficking.reports\"/>");
    char *b = replace_first(a, SUBTITLE,
                            "<subtitle><name/> Data "
                            "<num of=\"state\" key=\"trafficking.reports\"/></subtitle>");
    char *path = ss_xasprintf("%s/t.xml", dir);
    tu_write(path, b);
    char *data = tu_source(DATA);
    /* the ND record in data/ncmec-2023.xml */
    int nd_line = 0;
    {
        char *d = tu_read(data);
        assert_non_null(d);
        const char *at = strstr(d, "<state code=\"ND\"");
        assert_non_null(at);
        nd_line = 1;
        for (const char *p = d; p < at; p++)
            nd_line += *p == '\n';
        free(d);
    }
    run r = runf("-t '%s' -o '%s/out' " DATA, path, dir);
    assert_status(&r, 65);
    char *where = ss_xasprintf("%s:%d: error:", DATA, nd_line);
    assert_err_has(&r, where);
    assert_err_has(&r, "ND");
    assert_err_has(&r, "trafficking.reports");
    char *odir = ss_xasprintf("%s/out", dir);
    tu_assert_nothing_written(odir);
    run_free(&r);
    free(odir), free(where), free(data), free(path), free(b), free(a), free(tpl), free(src);
    tu_rmrf(dir);
    free(dir);
}

/* ---- the file system as an adversary ------------------------------------ */

static void output_folder_missing_is_created(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    run r = runf("-q -o '%s/a/b/c' " DATA, dir);
    assert_status(&r, 0);
    char *pdf = ss_xasprintf("%s/a/b/c/ND-2023.pdf", dir);
    assert_true(tu_file_starts_with(pdf, "%PDF-"));
    assert_true(file_ends_with_eof(pdf));
    free(pdf);
    run_free(&r);
    tu_rmrf(dir);
    free(dir);
}

static void output_folder_is_a_file(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *file = ss_xasprintf("%s/file.txt", dir);
    tu_write(file, "keep me\n");
    run r = runf("-o '%s' " DATA, file);
    assert_status(&r, 73);
    assert_err_has(&r, file);
    assert_err_has(&r, "output folder");
    /* strerror: EEXIST or ENOTDIR, depending on how it is found */
    if (!strstr(r.err, "Not a directory") && !strstr(r.err, "File exists"))
        assert_err_has(&r, "Not a directory");
    char *text = tu_read(file);
    assert_string_equal(text, "keep me\n");
    assert_int_equal(tu_count(dir, ""), 1);
    free(text);
    run_free(&r);
    free(file);
    tu_rmrf(dir);
    free(dir);
}

static void output_parent_is_a_file(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *file = ss_xasprintf("%s/file.txt", dir);
    tu_write(file, "keep me\n");
    char *out = ss_xasprintf("%s/out", file);
    run r = runf("-o '%s' " DATA, out);
    assert_status(&r, 73);
    assert_err_has(&r, out);
    assert_err_has(&r, "Not a directory");
    assert_int_equal(tu_count(dir, ""), 1);
    run_free(&r);
    free(out), free(file);
    tu_rmrf(dir);
    free(dir);
}

static void output_folder_unwritable(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *ro = ss_xasprintf("%s/ro", dir);
    assert_int_equal(mkdir(ro, 0755), 0);
    assert_int_equal(chmod(ro, 0555), 0);
    run r = {.rss_kb = -1};
    if (geteuid() == 0) {
        /* root writes anywhere: run as nobody, if this system lets us.
         * nobody may not reach the checkout (under /root, mode 700, on a
         * fresh machine), so the binary, its assets and the data are copied
         * into this test's folder, and the command runs from there. */
        const char *as = "setpriv --reuid=65534 --regid=65534 --clear-groups";
        assert_int_equal(chmod(dir, 0755), 0);
        char *data = ss_xasprintf("%s/nd.xml", dir), *src = tu_source(DATA);
        char *text = tu_read(src);
        tu_write(data, text);
        assert_int_equal(chmod(data, 0644), 0);
        const char *env_assets = getenv("STATESHEET_ASSETS");
        char *assets_src = env_assets && *env_assets ? ss_xstrdup(env_assets)
                                                     : tu_source("assets");
        char *bin = ss_xasprintf("%s/statesheet", dir);
        char *assets = ss_xasprintf("%s/assets", dir);
        char *copy = ss_xasprintf("cp '%s' '%s' && cp -R '%s' '%s' && chmod -R a+rX '%s' '%s'",
                                  binary(), bin, assets_src, assets, bin, assets);
        assert_int_equal(tu_sh(copy, NULL, NULL), 0);
        char *probe = ss_xasprintf("cd '%s' && %s '%s' --assets '%s' --check '%s' >/dev/null",
                                   dir, as, bin, assets, data);
        int prc = tu_sh(probe, NULL, NULL);
        if (prc != 0) {
            print_message("    note: running as root and cannot run the binary as nobody "
                          "(status %d); unwritable folder not checked\n", prc);
            free(probe), free(copy), free(assets), free(bin), free(assets_src);
            free(text), free(src), free(data), free(ro);
            tu_rmrf(dir);
            free(dir);
            skip();
        }
        char *cmd = ss_xasprintf("cd '%s' && %s '%s' --assets '%s' -o '%s' '%s'", dir, as, bin,
                                 assets, ro, data);
        r.rc = tu_sh(cmd, &r.out, &r.err);
        if (!r.out)
            r.out = ss_xstrdup("");
        if (!r.err)
            r.err = ss_xstrdup("");
        free(cmd), free(probe), free(copy), free(assets), free(bin), free(assets_src);
        free(text), free(src), free(data);
    } else {
        r = runf("-o '%s' " DATA, ro);
    }
    assert_status(&r, 73);
    assert_err_has(&r, ro);
    assert_err_has(&r, "Permission denied");
    tu_assert_nothing_written(ro);
    run_free(&r);
    free(ro);
    tu_rmrf(dir);
    free(dir);
}

/* Mounted tmpfs folders, unmounted by the teardown even when a test fails. */
static char *mounted;

static int unmount_teardown(void **state)
{
    (void)state;
    if (mounted) {
        char *cmd = ss_xasprintf("umount '%s'", mounted);
        tu_sh(cmd, NULL, NULL);
        free(cmd);
        tu_rmrf(mounted);
        free(mounted);
        mounted = NULL;
    }
    return 0;
}

/* Mounts a tmpfs with the given options on a new folder; NULL if we may not. */
static char *mount_tmpfs(const char *options)
{
    char *dir = tu_tmpdir();
    char *cmd = ss_xasprintf("mount -t tmpfs -o '%s' tmpfs '%s'", options, dir);
    char *err = NULL;
    int rc = tu_sh(cmd, NULL, &err);
    free(cmd);
    if (rc != 0) {
        print_message("    note: cannot mount a tmpfs (%s); skipped\n", err ? err : "");
        free(err);
        tu_rmrf(dir);
        free(dir);
        return NULL;
    }
    free(err);
    mounted = dir;
    return dir;
}

static void output_folder_read_only_fs(void **state)
{
    (void)state;
    char *ro = mount_tmpfs("ro,size=64k");
    if (!ro)
        skip();
    run r = runf("-o '%s' " DATA, ro);
    assert_status(&r, 73);
    assert_err_has(&r, ro);
    assert_err_has(&r, "Read-only file system");
    tu_assert_nothing_written(ro);
    run_free(&r);
}

static void full_disk_leaves_no_partial_pdf(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    /* 12 states; each sheet is ~20 KB, so 64 KB holds at most a few */
    char *data = write_data(dir, "batch.xml", "Alphaland", LABEL, "Bravoland", LABEL,
                            "Charlieland", LABEL, "Deltaland", LABEL, "Echoland", LABEL,
                            "Foxtrotland", LABEL, "Golfland", LABEL, "Hotelland", LABEL,
                            "Indialand", LABEL, "Julietland", LABEL, "Kiloland", LABEL,
                            "Limaland", LABEL, NULL);
    char *full = mount_tmpfs("size=64k");
    if (!full) {
        free(data);
        tu_rmrf(dir);
        free(dir);
        skip();
    }
    run r = runf("-j 2 -o '%s' '%s'", full, data);
    if (r.rc != 74 && r.rc != 73)
        assert_status(&r, 74);
    assert_err_has(&r, "No space left on device");
    assert_err_has(&r, full);
    /* every PDF present is whole; no temporary file is left behind */
    char *o = NULL;
    char *cmd = ss_xasprintf("ls -A '%s'", full);
    tu_sh(cmd, &o, NULL);
    assert_non_null(o);
    int pdfs = 0;
    for (char *name = strtok(o, "\n"); name; name = strtok(NULL, "\n")) {
        size_t l = strlen(name);
        if (!strncmp(name, ".manifest-2023", 14) && strstr(name, ".lock")) {
            continue; /* the manifest's lock file stays (manifest.h) */
        } else if (l > 4 && !strcmp(name + l - 4, ".pdf")) {
            char *p = ss_xasprintf("%s/%s", full, name);
            if (!file_ends_with_eof(p))
                print_error("partial PDF left: %s\n", p);
            assert_true(file_ends_with_eof(p));
            free(p);
            pdfs++;
        } else {
            print_error("unexpected file left in the output folder: %s\n", name);
            fail();
        }
    }
    assert_true(pdfs < 12);
    assert_int_equal(tu_count(full, ".tmp"), 0);
    free(o), free(cmd);
    run_free(&r);
    free(data);
    tu_rmrf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(xxe_system_file_refused),
        cmocka_unit_test(parameter_entity_refused),
        cmocka_unit_test(billion_laughs_refused_fast),
        cmocka_unit_test(quadratic_blowup_refused_fast),
        cmocka_unit_test(deep_nesting_refused),
        cmocka_unit_test(file_of_300mb_refused_by_size),
        cmocka_unit_test(states_100000_accepted),
        cmocka_unit_test(invalid_utf8_refused),
        cmocka_unit_test(nul_byte_refused),
        cmocka_unit_test(bom_and_crlf_accepted),
        cmocka_unit_test(cjk_in_name_is_data_error),
        cmocka_unit_test(emoji_in_label_is_data_error),
        cmocka_unit_test(name_and_label_at_limits_accepted),
        cmocka_unit_test(name_over_limit_rejected),
        cmocka_unit_test(label_over_limit_rejected),
        cmocka_unit_test(unbreakable_wide_name_refused),
        cmocka_unit_test(template_unknown_placeholder),
        cmocka_unit_test(template_unbalanced),
        cmocka_unit_test(template_uses_figure_data_lacks),
        cmocka_unit_test(output_folder_missing_is_created),
        cmocka_unit_test(output_folder_is_a_file),
        cmocka_unit_test(output_parent_is_a_file),
        cmocka_unit_test(output_folder_unwritable),
        cmocka_unit_test_teardown(output_folder_read_only_fs, unmount_teardown),
        cmocka_unit_test_teardown(full_disk_leaves_no_partial_pdf, unmount_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
