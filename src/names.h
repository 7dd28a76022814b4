/* names.h - the text of state names and row labels, made safe to print.
 *
 * A name is printed on the sheet and written into the PDF's metadata, so
 * it must hold only what prints: it is normalised to NFC (a letter and its
 * accent written as two characters become the one character a font has),
 * every Unicode space (and tab, line feed, carriage return) counts as white
 * space, white space is trimmed from both ends and each run of it inside
 * becomes one space (a lone no-break space is kept), and invisible
 * characters are refused: controls (Cc), format characters (Cf: zero-width
 * spaces and joiners, bidirectional controls, the soft hyphen, the byte
 * order mark), line and paragraph separators (Zl, Zp), the replacement
 * character U+FFFD, and a combining mark with no letter before it.
 *
 * Classes come from utf8proc (Debian libutf8proc-dev): the Unicode
 * character database in a small C library working on UTF-8 directly, as
 * our text is; ICU would do the same through UTF-16 conversions and a much
 * larger API.
 */
#ifndef SS_NAMES_H
#define SS_NAMES_H

#include <stddef.h>

typedef enum ss_name_problem {
    SS_NAME_OK,
    SS_NAME_CONTROL,   /* Cc other than tab, line feed, carriage return */
    SS_NAME_BIDI,      /* a bidirectional control (Cf) */
    SS_NAME_SOFT_HYPHEN,
    SS_NAME_INVISIBLE, /* another format character (Cf) */
    SS_NAME_SEPARATOR, /* U+2028, U+2029 (Zl, Zp) */
    SS_NAME_REPLACEMENT, /* U+FFFD */
    SS_NAME_LONE_MARK  /* a combining mark at the start or after a space */
} ss_name_problem;

/* Cleans the UTF-8 text s as above.  Returns a new string (free with
 * free()), or NULL when s holds a character that is refused: then *problem
 * says why and *cp which character (the first).  s must be valid UTF-8. */
char *ss_name_clean(const char *s, ss_name_problem *problem, long *cp);

/* A sentence for the problem, e.g. "an invisible formatting character";
 * what to do follows from ss_name_advice. */
const char *ss_name_problem_text(ss_name_problem p);
const char *ss_name_advice(ss_name_problem p);

#endif
