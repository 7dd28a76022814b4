/* test_mail.c - the pieces of statesheet mail that need no server (issue
 * 25): which addresses are RFC 5322 addr-specs, the sender's "Name <addr>",
 * and the shape of a built message (CRLF only, no line over 78, encoded
 * words for other letters, a body that wraps).  tests/e2e/mail.sh reads
 * whole messages back with Python's email package and real servers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "contacts.h"
#include "mime.h"

static void addr_specs(void **state)
{
    (void)state;
    static const char *const good[] = {
        "a@b", "first.last@example.org", "o'brien+tag@example.org",
        "\"quoted name\"@example.org", "x@[192.0.2.1]", "under_score@sub.example.org",
        "a!#$%&'*+-/=?^_`{|}~@example.org",
    };
    static const char *const bad[] = {
        "", "plain", "@example.org", "a@", ".a@example.org", "a.@example.org",
        "a..b@example.org", "a@example..org", "a@example.org.", "a b@example.org",
        "a@b@example.org", "J\xC3\xBCrgen@example.org", "Jane <jane@example.org>",
        "a@example.org, b@example.org", "\"open@example.org", "a@[1.2.3.4",
        "a\t@example.org",
        /* 65 characters before the @ */
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.org",
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        if (ss_addr_check(good[i]))
            fail_msg("'%s' refused: %s", good[i], ss_addr_check(good[i]));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (!ss_addr_check(bad[i]))
            fail_msg("'%s' taken as an address", bad[i]);
}

static void mailboxes(void **state)
{
    (void)state;
    char *name, *email;
    assert_null(ss_mime_parse_mailbox("  Jane Roe <jane@example.org> ", &name, &email));
    assert_string_equal(name, "Jane Roe");
    assert_string_equal(email, "jane@example.org");
    free(name), free(email);
    assert_null(ss_mime_parse_mailbox("\"Roe, Jane\" <jane@example.org>", &name, &email));
    assert_string_equal(name, "Roe, Jane");
    free(name), free(email);
    assert_null(ss_mime_parse_mailbox("jane@example.org", &name, &email));
    assert_string_equal(name, "");
    assert_string_equal(email, "jane@example.org");
    free(name), free(email);
    assert_non_null(ss_mime_parse_mailbox("Jane <jane@example.org> extra", &name, &email));
    assert_non_null(ss_mime_parse_mailbox("Jane <jane@example.org", &name, &email));
}

/* Every line ends in CRLF and is at most 78 characters. */
static void assert_lines(const char *m, size_t len)
{
    size_t col = 0;
    for (size_t i = 0; i < len; i++) {
        if (m[i] == '\r') {
            assert_true(i + 1 < len && m[i + 1] == '\n');
            i++;
            col = 0;
            continue;
        }
        assert_true(m[i] != '\n');
        col++;
        if (col > 78)
            fail_msg("a line over 78 characters at byte %zu", i);
    }
    assert_int_equal(col, 0);
}

static void message_shape(void **state)
{
    (void)state;
    static const unsigned char pdf[200] = "%PDF-1.3 a sheet";
    /* A 150-letter word with accents: the body must break it. */
    char body[2048] = "Hola,\n\nUna palabra larga: ";
    for (int i = 0; i < 75; i++)
        strcat(body, "\xC3\xB1" "a");
    strcat(body, " y el fin.\n\nAdi\xC3\xB3s.");
    ss_mime_addr to[] = {{"Zo\xC3\xAB \xC5\x81\xC3\xB3" "d\xC5\xBA-M\xC3\xBCller, Records", "z@example.org"},
                         {"", "plain@example.org"}};
    ss_mime_addr cc[] = {{"\"Quoted\" \\ Name", "q@example.org"}};
    ss_mime_msg m = {
        .from = {"Org", "org@example.org"}, .to = to, .nto = 2, .cc = cc, .ncc = 1,
        .subject = "Kaʻulaʻi Islands Data 2023: a subject long enough to need more than one "
                   "encoded word when it is written out",
        .body = body, .lang = "es-US", .message_id = "ND-2023.0123456789abcdef@example.org",
        .date = 1700000000, .draft = true, .file_name = "ND-2023.pdf", .file = pdf,
        .file_len = sizeof pdf,
    };
    size_t len;
    char *msg = ss_mime_build(&m, &len);
    assert_int_equal(strlen(msg), len);
    assert_lines(msg, len);
    assert_non_null(strstr(msg, "\r\nDate: Tue, 14 Nov 2023 22:13:20 +0000\r\n"));
    assert_non_null(strstr(msg, "\r\nMessage-ID: <ND-2023.0123456789abcdef@example.org>\r\n"));
    assert_non_null(strstr(msg, "\r\nX-Unsent: 1\r\n"));
    assert_non_null(strstr(msg, "\r\nSubject: =?UTF-8?B?"));
    assert_non_null(strstr(msg, "filename=\"ND-2023.pdf\""));
    /* Nothing but ASCII: other letters are encoded. */
    for (size_t i = 0; i < len; i++)
        assert_true((unsigned char)msg[i] < 0x80);
    /* The quoted name keeps its quote and backslash escaped. */
    assert_non_null(strstr(msg, "\"\\\"Quoted\\\" \\\\ Name\" <q@example.org>"));
    free(msg);
    /* Sent, not a draft: no X-Unsent. */
    m.draft = false;
    msg = ss_mime_build(&m, &len);
    assert_null(strstr(msg, "X-Unsent"));
    free(msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(addr_specs),
        cmocka_unit_test(mailboxes),
        cmocka_unit_test(message_shape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
