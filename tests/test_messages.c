/* test_messages.c - what the user reads (issue 12, point 7), through the
 * real binary: the cause of a broken file comes first, in plain words with
 * no libxml2 wording, and each status is the README's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#include "util.h"

/* libxml2's own phrases: none may reach the user. */
static const char *const JARGON[] = {
    "xmlParse", "XML_PARSE", "AttValue", "StartTag", "EntityRef", "Extra content",
    "Premature end", "Couldn't find", "attributes construct", "EndTag", "Excessive depth",
    "CData", "Comment not terminated", "PCDATA", "Char 0x", "not UTF-8", "xmlSchema",
    "Specification mandates", "expected '>'", "parser error", "Opening and ending tag",
};

static void assert_plain(const char *err)
{
    for (size_t i = 0; i < sizeof JARGON / sizeof *JARGON; i++)
        if (strstr(err, JARGON[i]))
            fail_msg("libxml2 wording '%s' in:\n%s", JARGON[i], err);
}

static size_t lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* Runs statesheet as "BEFORE 'FILE' AFTER" where FILE holds text; returns
 * the status and stderr. */
static int run_on(const char *text, const char *before, const char *after, char **err,
                  char **path_out)
{
    char *dir = tu_tmpdir();
    char *path = ss_xasprintf("%s/in.xml", dir);
    tu_write(path, text);
    char *args = ss_xasprintf("%s '%s' %s", before, path, after);
    int rc = tu_run(args, NULL, err);
    free(args);
    if (path_out)
        *path_out = path;
    else
        free(path);
    tu_rmrf(dir);
    free(dir);
    return rc;
}

static char *state(const char *name, const char *extra)
{
    return ss_xasprintf("%s  <state code=\"ND\" name=\"%s\">\n"
                        "    <figure key=\"cybertipline.reports\">1333</figure>\n"
                        "    <figure key=\"cvip.submissions\">28</figure>\n"
                        "    <figure key=\"teamhope.supported\">8</figure>\n"
                        "    <figure key=\"mentalhealth.connected\">7</figure>\n"
                        "    <figure key=\"connect.new_users\">30</figure>\n"
                        "%s  </state>\n</statedata>\n", TU_SAMPLE_HEAD, name, extra);
}

/* A missing </figure> on line 18: its well-formedness error is the first
 * line, and the checks' findings past it (<figure> inside <figure>) are gone. */
static void missing_end_tag_first(void **state_)
{
    (void)state_;
    char *x = state("North Dakota", "");
    char *at = strstr(x, "28</figure>");
    memmove(at + 2, at + 11, strlen(at + 11) + 1);
    char *err;
    assert_int_equal(run_on(x, "--check", "", &err, NULL), 65);
    assert_non_null(strstr(err, ":22: error: the XML is not well-formed: <figure> (line 18) "
                                "is closed by </state>"));
    assert_true(strstr(err, "not well-formed") < strchr(err, '\n'));
    assert_null(strstr(err, "inside <figure>"));
    assert_int_equal(lines(err), 1);
    assert_plain(err);
    free(err), free(x);
}

static void content_after_root(void **state_)
{
    (void)state_;
    char *x = state("North Dakota", "");
    char *y = ss_xasprintf("%s<state code=\"SD\" name=\"South Dakota\"/>\n", x);
    char *err;
    assert_int_equal(run_on(y, "--check", "", &err, NULL), 65);
    assert_non_null(strstr(err, ":24: error: the XML is not well-formed: there is more after "
                                "the end of <statedata> (line 23): <state> on line 24"));
    assert_null(strstr(err, "holds no"));
    assert_plain(err);
    free(err), free(y);
    y = ss_xasprintf("%stext\n", x);
    assert_int_equal(run_on(y, "--check", "", &err, NULL), 65);
    assert_non_null(strstr(err, "there is text after the end of <statedata>"));
    assert_plain(err);
    free(err), free(y), free(x);
}

/* U+FFFD is a character the file holds, not a decoding failure. */
static void replacement_character_named(void **state_)
{
    (void)state_;
    char *x = state("North Dak\xEF\xBF\xBDta", "");
    char *err;
    assert_int_equal(run_on(x, "--check", "", &err, NULL), 65);
    assert_non_null(strstr(err, "U+FFFD, the replacement character"));
    assert_plain(err);
    free(err), free(x);
    /* In the template's text too. */
    char *tpl = tu_read("assets/templates/state-data.xml");
    if (!tpl) {
        char *p = tu_source("assets/templates/state-data.xml");
        tpl = tu_read(p);
        free(p);
    }
    assert_non_null(tpl);
    char *h = strstr(tpl, "<heading>");
    assert_non_null(h);
    char *t2 = ss_xasprintf("%.*s<heading>\xEF\xBF\xBD%s", (int)(h - tpl), tpl, h + 9);
    assert_int_equal(run_on(t2, "--check -t", "data/ncmec-2023.xml", &err, NULL), 65);
    assert_non_null(strstr(err, "U+FFFD, the replacement character"));
    assert_plain(err);
    free(err), free(t2), free(tpl);
}

/* A folder where a sheet goes: 73 (cannot create), not 74. */
static void folder_in_place_of_sheet(void **state_)
{
    (void)state_;
    char *dir = tu_tmpdir();
    char *sub = ss_xasprintf("%s/ND-2023.pdf", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    char *args = ss_xasprintf("-q -o '%s' data/ncmec-2023.xml", dir), *err;
    assert_int_equal(tu_run(args, NULL, &err), 73);
    assert_non_null(strstr(err, "a folder has that name"));
    assert_int_equal(tu_count(dir, ""), 1);
    free(args), free(err);
    /* Found before any sheet is written: the sample's S001 is not made
     * when S030's place is taken. */
    char *sub2 = ss_xasprintf("%s/S030-2023-SAMPLE.pdf", dir);
    assert_int_equal(mkdir(sub2, 0755), 0);
    args = ss_xasprintf("-q -j 1 -o '%s' data/samples/sample-56.xml", dir);
    assert_int_equal(tu_run(args, NULL, &err), 73);
    assert_non_null(strstr(err, "S030-2023-SAMPLE.pdf: error: cannot write the file: a folder"));
    assert_int_equal(tu_count(dir, ".pdf"), 2); /* the two folders */
    free(args), free(err), free(sub), free(sub2);
    tu_rmrf(dir);
    free(dir);
}

/* Standard output on a full disk: 74, said as what it is; "the program
 * reading it has ended" is for a closed pipe only (issue 21, point 6). */
static void stdout_full_or_closed(void **state_)
{
    (void)state_;
    char *dir = tu_tmpdir();
    char *cmd = ss_xasprintf("'%s' -o '%s' -s ND data/ncmec-2023.xml >/dev/full",
                             getenv("SS_BINARY"), dir), *err;
    assert_int_equal(tu_sh(cmd, NULL, &err), 74);
    assert_non_null(strstr(err, "cannot write to standard output (No space left on device)"));
    assert_null(strstr(err, "reading it has ended"));
    free(cmd), free(err);
    /* A pipe whose reader is gone before the first line (no race). */
    cmd = ss_xasprintf("python3 -c 'import os, subprocess, sys; r, w = os.pipe(); "
                       "os.close(r); sys.exit(subprocess.call(sys.argv[1:], stdout=w))' "
                       "'%s' -o '%s' -s ND data/ncmec-2023.xml", getenv("SS_BINARY"), dir);
    assert_int_equal(tu_sh(cmd, NULL, &err), 74);
    assert_non_null(strstr(err, "the program reading it has ended"));
    free(cmd), free(err);
    tu_rmrf(dir);
    free(dir);
}

/* --combined into a folder that is a loop of links: a sentence. */
static void combined_folder_link_loop(void **state_)
{
    (void)state_;
    char *dir = tu_tmpdir();
    char *loop = ss_xasprintf("%s/loop", dir);
    assert_int_equal(symlink("loop", loop), 0);
    char *args = ss_xasprintf("-q -o '%s/out' -s ND --combined '%s/all.pdf' "
                              "data/ncmec-2023.xml", dir, loop), *err;
    assert_int_equal(tu_run(args, NULL, &err), 73);
    assert_non_null(strstr(err, "is a link that leads round in a loop; choose another place"));
    assert_null(strstr(err, "Too many levels"));
    free(args), free(err), free(loop);
    tu_rmrf(dir);
    free(dir);
}

/* Over the size limit: 65 for the template as for the data. */
static void template_too_large_is_65(void **state_)
{
    (void)state_;
    char *big = ss_xmalloc(1100001);
    memset(big, ' ', 1100000);
    big[1100000] = '\0';
    char *err;
    assert_int_equal(run_on(big, "--check -t", "data/ncmec-2023.xml", &err, NULL), 65);
    assert_non_null(strstr(err, "larger than 1 MB"));
    free(err), free(big);
}

static void deep_nesting_plain(void **state_)
{
    (void)state_;
    ss_buf b;
    ss_buf_init(&b);
    ss_buf_adds(&b, TU_SAMPLE_HEAD);
    for (int i = 0; i < 300; i++)
        ss_buf_adds(&b, "<x>");
    char *err;
    assert_int_equal(run_on(b.data, "--check", "", &err, NULL), 65);
    assert_non_null(strstr(err, "nested more than 256 deep"));
    assert_int_equal(lines(err), 1);
    assert_plain(err);
    free(err);
    ss_buf_clear(&b);
    ss_buf_adds(&b, "<sheet version=\"1\">");
    for (int i = 0; i < 300; i++)
        ss_buf_adds(&b, "<p>");
    assert_int_equal(run_on(b.data, "--check -t", "data/ncmec-2023.xml", &err, NULL), 65);
    assert_non_null(strstr(err, "nested more than 256 deep"));
    assert_plain(err);
    free(err);
    ss_buf_free(&b);
}

static void raw_ampersand_in_template(void **state_)
{
    (void)state_;
    char *err;
    assert_int_equal(run_on("<sheet version=\"1\">\n<title>Fish & Wildlife</title>\n</sheet>\n",
                            "--check -t", "data/ncmec-2023.xml", &err, NULL), 65);
    assert_non_null(strstr(err, ":2: error: the XML is not well-formed: a '&' must be "
                                "written as &amp;"));
    assert_plain(err);
    free(err);
}

/* Too many rows: say so, not "shorten the labels". */
static void too_many_rows(void **state_)
{
    (void)state_;
    ss_buf rows;
    ss_buf_init(&rows);
    ss_buf_adds(&rows, "    <table key=\"missing.cases\">\n");
    for (int i = 0; i < 60; i++)
        ss_buf_printf(&rows, "      <row label=\"Row %d\">1</row>\n", i);
    ss_buf_adds(&rows, "    </table>\n");
    char *x = state("North Dakota", rows.data);
    char *err;
    assert_int_equal(run_on(x, "--check", "", &err, NULL), 65);
    assert_non_null(strstr(err, ":22: error: state ND: the table 'missing.cases' has 60 rows, "
                                "but only "));
    assert_non_null(strstr(err, "combine rows"));
    assert_null(strstr(err, "shorten"));
    free(err), free(x);
    ss_buf_free(&rows);
}

/* The class: every kind of broken XML, in the data and in the template,
 * is reported in one line of our words with status 65. */
static void broken_xml_class(void **state_)
{
    (void)state_;
    static const char *const breaks[] = {
        "<state code=\"ND name=\"x\">",   /* quote not closed */
        "<state code=ND name=\"x\">",     /* value without quotes */
        "<state code=\"ND\" code=\"SD\">", /* attribute twice */
        "<state code>",                   /* attribute without value */
        "<state code=\"<\">",             /* < in a value */
        "<state code=\"A&B\">",           /* & in a value */
        "<state code=\"&nbsp;\">",        /* unknown entity */
        "<!-- not closed",                /* comment */
        "<!-- a -- b -->",                /* -- in a comment */
        "<![CDATA[ x",                    /* CDATA */
        "< state>",                       /* bad tag name */
        "<state code=\"ND\"",             /* tag not closed */
        "1 < 2",                          /* raw < in text */
        "<?xml version=\"1.0\"?>",        /* declaration again */
        "\x01",                           /* control character */
        "</national>",                    /* end tag without start */
    };
    for (size_t i = 0; i < sizeof breaks / sizeof *breaks; i++) {
        char *x = ss_xasprintf("%s%s\n</statedata>\n", TU_SAMPLE_HEAD, breaks[i]);
        char *err;
        int rc = run_on(x, "--check", "", &err, NULL);
        if (rc != 65 || lines(err) != 1 || !strstr(err, "error: the XML is not well-formed"))
            fail_msg("data break %zu (%s): status %d, stderr:\n%s", i, breaks[i], rc, err);
        assert_plain(err);
        free(err), free(x);
        x = ss_xasprintf("<sheet version=\"1\">\n<title>%s</title>\n</sheet>\n", breaks[i]);
        rc = run_on(x, "--check -t", "data/ncmec-2023.xml", &err, NULL);
        if (rc != 65 || !strstr(err, "error: the XML is not well-formed"))
            fail_msg("template break %zu (%s): status %d, stderr:\n%s", i, breaks[i], rc, err);
        assert_plain(err);
        free(err), free(x);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(missing_end_tag_first),
        cmocka_unit_test(content_after_root),
        cmocka_unit_test(replacement_character_named),
        cmocka_unit_test(folder_in_place_of_sheet),
        cmocka_unit_test(template_too_large_is_65),
        cmocka_unit_test(deep_nesting_plain),
        cmocka_unit_test(raw_ampersand_in_template),
        cmocka_unit_test(too_many_rows),
        cmocka_unit_test(broken_xml_class),
        cmocka_unit_test(stdout_full_or_closed),
        cmocka_unit_test(combined_folder_link_loop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
