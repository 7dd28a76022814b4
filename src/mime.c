/* mime.c - one message as RFC 5322 + MIME bytes (see mime.h).
 *
 * Base64 is nettle's; the header folding, RFC 2047 words and
 * quoted-printable are ours, because no Debian C library writes messages
 * (GMime would, but it brings GLib for a hundred lines of formatting).
 */
#include "mime.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/base64.h>

#include "util.h"

/* RFC 2045: base64 and quoted-printable lines at most 76 characters. */
#define LINE_MAX_ENCODED 76
/* Header lines are folded before this many characters (RFC 5322's 78,
 * less a margin for the CRLF-less count some readers use). */
#define LINE_MAX_HEADER 76
/* Body paragraphs are wrapped at this many characters (a reader's width). */
#define WRAP_COLUMN 72
/* RFC 2047: an encoded word is at most 75 characters; with
 * "=?UTF-8?B?" and "?=" that leaves 63 of base64, 45 bytes of text. */
#define WORD_TEXT_BYTES 45

static void add_b64(ss_buf *b, const unsigned char *p, size_t n)
{
    size_t at = b->len;
    ss_buf_reserve(b, BASE64_ENCODE_RAW_LENGTH(n));
    base64_encode_raw(b->data + at, n, p);
    b->len = at + BASE64_ENCODE_RAW_LENGTH(n);
    b->data[b->len] = '\0';
}

static bool ascii_printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            return false;
    return true;
}

/* The column the buffer's last line has reached. */
static size_t column(const ss_buf *b)
{
    size_t i = b->len;
    while (i > 0 && b->data[i - 1] != '\n')
        i--;
    return b->len - i;
}

/* Appends s as encoded words, folding between them so that no line passes
 * LINE_MAX_HEADER, splitting only between whole UTF-8 characters. */
static void add_encoded_words(ss_buf *b, const char *s)
{
    const char *p = s, *end = s + strlen(s);
    while (p < end) {
        size_t col = column(b);
        if (col + 12 + 8 > LINE_MAX_HEADER) {
            ss_buf_adds(b, "\r\n ");
            col = 1;
        }
        /* "=?UTF-8?B?" and "?=" take 12; 4 base64 characters carry 3 bytes. */
        size_t room = (LINE_MAX_HEADER - col - 12) / 4 * 3;
        if (room > WORD_TEXT_BYTES)
            room = WORD_TEXT_BYTES;
        const char *q = p;
        while (q < end) {
            const char *r = q;
            ss_utf8_next(&r, end);
            if ((size_t)(r - p) > room && q > p)
                break;
            q = r;
        }
        ss_buf_adds(b, "=?UTF-8?B?");
        add_b64(b, (const unsigned char *)p, (size_t)(q - p));
        ss_buf_adds(b, "?=");
        p = q;
        if (p < end)
            ss_buf_adds(b, "\r\n ");
    }
}

static bool is_atext(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* A display name.  Plain ASCII words go as they are, folded at spaces; a
 * name that fits but has punctuation is quoted; runs of words with other
 * letters or punctuation become encoded words, the spaces between them
 * inside (as Python's email package writes names, and reads them back). */
static void add_phrase(ss_buf *b, const char *name)
{
    bool atoms = ascii_printable(name);
    bool plain = atoms && name[0] != ' ';
    for (const char *p = name; *p && plain; p++)
        plain = *p == ' ' || is_atext(*p);
    if (atoms && !plain && column(b) + strlen(name) + 2 <= LINE_MAX_HEADER) {
        ss_buf_addc(b, '"');
        for (const char *p = name; *p; p++) {
            if (*p == '"' || *p == '\\')
                ss_buf_addc(b, '\\');
            ss_buf_addc(b, *p);
        }
        ss_buf_addc(b, '"');
        return;
    }
    const char *p = name;
    bool first = true;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t w = strcspn(p, " ");
        bool atom = true;
        for (size_t i = 0; i < w && atom; i++)
            atom = is_atext(p[i]);
        const char *end = p + w;
        if (!atom) { /* the run of words that are not atoms */
            for (;;) {
                const char *q = end + strspn(end, " ");
                size_t v = strcspn(q, " ");
                bool next_atom = v > 0;
                for (size_t i = 0; i < v && next_atom; i++)
                    next_atom = is_atext(q[i]);
                if (!v || next_atom)
                    break;
                end = q + v;
            }
        }
        if (!first)
            ss_buf_adds(b, column(b) + 1 + (atom ? w : 20) > LINE_MAX_HEADER ? "\r\n " : " ");
        first = false;
        if (atom) {
            ss_buf_add(b, p, w);
        } else {
            char *run = ss_xstrndup(p, (size_t)(end - p));
            add_encoded_words(b, run);
            free(run);
        }
        p = end;
    }
}

static void add_mailbox(ss_buf *b, const ss_mime_addr *a)
{
    if (a->name && a->name[0]) {
        add_phrase(b, a->name);
        ss_buf_adds(b, column(b) + strlen(a->email) + 3 > LINE_MAX_HEADER ? "\r\n <" : " <");
        ss_buf_adds(b, a->email);
        ss_buf_addc(b, '>');
    } else {
        ss_buf_adds(b, a->email);
    }
}

/* "To: a,\r\n b": one address per folded line, so no line grows long. */
static void add_address_list(ss_buf *b, const char *field, const ss_mime_addr *a, size_t n)
{
    if (!n)
        return;
    ss_buf_adds(b, field);
    ss_buf_adds(b, ": ");
    for (size_t i = 0; i < n; i++) {
        if (i)
            ss_buf_adds(b, ",\r\n ");
        add_mailbox(b, &a[i]);
    }
    ss_buf_adds(b, "\r\n");
}

/* Subject: as it is when it is ASCII, folded at spaces when long,
 * encoded words when it holds other letters or a word too long to fold. */
static void add_subject(ss_buf *b, const char *s)
{
    ss_buf_adds(b, "Subject: ");
    size_t longest = 0;
    for (const char *p = s; *p;) {
        size_t w = strcspn(p, " ");
        longest = w > longest ? w : longest;
        p += w + (p[w] == ' ');
    }
    if (!ascii_printable(s) || longest + 10 > LINE_MAX_HEADER) {
        add_encoded_words(b, s);
    } else {
        size_t col = strlen("Subject: ");
        const char *p = s;
        while (*p) {
            const char *sp = strchr(p + 1, ' ');
            size_t word = sp ? (size_t)(sp - p) : strlen(p);
            if (col + word > LINE_MAX_HEADER && p != s) {
                ss_buf_adds(b, "\r\n");
                col = 0;
            }
            ss_buf_add(b, p, word);
            col += word;
            p += word;
        }
    }
    ss_buf_adds(b, "\r\n");
}

/* RFC 5322 date in English and UTC, whatever the locale. */
static void add_date(ss_buf *b, time_t t)
{
    static const char *const DAY[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const MON[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    gmtime_r(&t, &tm);
    ss_buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", DAY[tm.tm_wday],
                  tm.tm_mday, MON[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
}

/* One line of text as quoted-printable, with soft breaks before 76. */
static void add_qp_line(ss_buf *b, const char *p, const char *end)
{
    static const char HEX[] = "0123456789ABCDEF";
    size_t col = 0;
    for (; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        char tok[4];
        size_t n;
        bool last = p + 1 == end;
        if ((c >= 33 && c <= 126 && c != '=') || (c == ' ' && !last)) {
            tok[0] = (char)c;
            n = 1;
        } else {
            tok[0] = '=', tok[1] = HEX[c >> 4], tok[2] = HEX[c & 15];
            n = 3;
        }
        if (col + n > LINE_MAX_ENCODED - 1) {
            ss_buf_adds(b, "=\r\n");
            col = 0;
        }
        ss_buf_add(b, tok, n);
        col += n;
    }
    ss_buf_adds(b, "\r\n");
}

/* Wraps each paragraph at WRAP_COLUMN characters and writes it as
 * quoted-printable, a blank line between paragraphs. */
static void add_body(ss_buf *b, const char *body)
{
    const char *p = body, *end = body + strlen(body);
    while (p < end) {
        const char *para_end = ss_find(p, end, "\n\n");
        if (!para_end)
            para_end = end;
        while (p < para_end) {
            /* The longest run of whole words within the column. */
            const char *q = p, *cut = NULL;
            size_t chars = 0;
            while (q < para_end) {
                if (*q == ' ' || *q == '\n') {
                    if (chars > WRAP_COLUMN && cut)
                        break;
                    cut = q;
                }
                ss_utf8_next(&q, para_end);
                chars++;
            }
            if (q >= para_end && chars <= WRAP_COLUMN)
                cut = para_end;
            if (!cut)
                cut = q; /* one word longer than a line */
            add_qp_line(b, p, cut);
            p = cut;
            while (p < para_end && (*p == ' ' || *p == '\n'))
                p++;
        }
        p = para_end;
        while (p < end && *p == '\n')
            p++;
        if (p < end)
            ss_buf_adds(b, "\r\n");
    }
}

char *ss_mime_build(const ss_mime_msg *m, size_t *len)
{
    ss_buf b;
    ss_buf_init(&b);
    /* The boundary: "=_" cannot occur in base64 or quoted-printable. */
    char boundary[64];
    snprintf(boundary, sizeof boundary, "=_statesheet_%.24s", m->message_id);
    for (char *c = boundary; *c; c++)
        if (*c == '@' || *c == '<' || *c == '>')
            *c = '_';
    ss_buf_adds(&b, "From: ");
    add_mailbox(&b, &m->from);
    ss_buf_adds(&b, "\r\n");
    add_address_list(&b, "To", m->to, m->nto);
    add_address_list(&b, "Cc", m->cc, m->ncc);
    add_subject(&b, m->subject);
    add_date(&b, m->date);
    ss_buf_printf(&b, "Message-ID: <%s>\r\n", m->message_id);
    if (m->draft)
        ss_buf_adds(&b, "X-Unsent: 1\r\n");
    ss_buf_adds(&b, "MIME-Version: 1.0\r\n");
    ss_buf_printf(&b, "Content-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n\r\n", boundary);
    ss_buf_printf(&b, "This is a message in MIME format.\r\n\r\n--%s\r\n", boundary);
    ss_buf_adds(&b, "Content-Type: text/plain; charset=utf-8\r\n"
                    "Content-Transfer-Encoding: quoted-printable\r\n");
    if (m->lang && m->lang[0])
        ss_buf_printf(&b, "Content-Language: %s\r\n", m->lang);
    ss_buf_adds(&b, "\r\n");
    add_body(&b, m->body);
    ss_buf_printf(&b, "\r\n--%s\r\n", boundary);
    ss_buf_printf(&b, "Content-Type: application/pdf; name=\"%s\"\r\n"
                      "Content-Disposition: attachment; filename=\"%s\"\r\n"
                      "Content-Transfer-Encoding: base64\r\n\r\n",
                  m->file_name, m->file_name);
    /* 57 bytes make one line of 76 base64 characters. */
    for (size_t at = 0; at < m->file_len; at += 57) {
        size_t n = m->file_len - at < 57 ? m->file_len - at : 57;
        add_b64(&b, m->file + at, n);
        ss_buf_adds(&b, "\r\n");
    }
    ss_buf_printf(&b, "--%s--\r\n", boundary);
    *len = b.len;
    return ss_buf_steal(&b);
}

const char *ss_mime_parse_mailbox(const char *s, char **name, char **email)
{
    const char *lt = strchr(s, '<');
    if (!lt) {
        char *e = ss_trim_dup(s);
        *name = ss_xstrdup("");
        *email = e;
        return NULL;
    }
    const char *gt = strchr(lt, '>');
    if (!gt || gt[1 + strspn(gt + 1, " \t")] != '\0')
        return "write the sender as Name <name@example.org> or name@example.org";
    char *n = ss_xstrndup(s, (size_t)(lt - s));
    char *t = ss_trim_dup(n);
    free(n);
    /* A name written in quotes: the quotes are not part of it. */
    size_t tl = strlen(t);
    if (tl >= 2 && t[0] == '"' && t[tl - 1] == '"') {
        memmove(t, t + 1, tl - 2);
        t[tl - 2] = '\0';
    }
    *name = t;
    *email = ss_xstrndup(lt + 1, (size_t)(gt - lt - 1));
    return NULL;
}
