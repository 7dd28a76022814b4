/* mime.h - one mail message with one PDF attached, as RFC 5322 + MIME bytes.
 *
 * The message is multipart/mixed: a text/plain part (UTF-8,
 * quoted-printable, paragraphs wrapped at 72 columns) and the sheet as
 * application/pdf (base64, 76 columns).  Lines end in CRLF; no line is
 * longer than 78 characters.  Names and a subject with letters outside
 * ASCII are written as RFC 2047 encoded words (UTF-8, base64), which every
 * mail program reads.
 */
#ifndef SS_MIME_H
#define SS_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

typedef struct ss_mime_addr {
    const char *name;  /* display name (UTF-8), or "" */
    const char *email; /* addr-spec */
} ss_mime_addr;

typedef struct ss_mime_msg {
    ss_mime_addr from;
    const ss_mime_addr *to;
    size_t nto;
    const ss_mime_addr *cc;
    size_t ncc;
    const char *subject;    /* UTF-8, one line */
    const char *body;       /* UTF-8; paragraphs separated by "\n\n" */
    const char *lang;       /* Content-Language of the text, e.g. "es-US" */
    const char *message_id; /* without the angle brackets */
    time_t date;
    bool draft;             /* adds X-Unsent: 1 (Outlook opens it as a draft) */
    const char *file_name;  /* the attachment's name, ASCII */
    const unsigned char *file;
    size_t file_len;
} ss_mime_msg;

/* The message's bytes (a new buffer, NUL-terminated; free with free()),
 * its length in *len. */
char *ss_mime_build(const ss_mime_msg *m, size_t *len);

/* Splits "Name <addr>" or a bare "addr" into its parts (new strings in
 * *name, *email; *name is "" when there is none).  Returns NULL, or a
 * message saying what is wrong (a static string; nothing is set then). */
const char *ss_mime_parse_mailbox(const char *s, char **name, char **email);

#endif
