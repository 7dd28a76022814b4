/* hyphenation.h - where words may be broken, by the language's patterns.
 *
 * Hyphenation patterns (TeX's, in the form LibreOffice uses) read by
 * libhyphen (Debian libhyphen-dev).  The patterns for a language tag are
 * looked for the way the fonts are: first in the assets folder
 * (hyphen/hyph_<ll>_<CC>.dic, then hyph_<ll>.dic), then where Debian's
 * hyphen-* packages put them (/usr/share/hyphen).  A language without
 * patterns is set without hyphenation.
 */
#ifndef SS_HYPHEN_H
#define SS_HYPHEN_H

#include <stddef.h>

#include "diag.h"
#include "layout.h"

/* Letters kept before and after a break: "ex-ploited", never "e-xploited"
 * or "exploi-ted". */
#define SS_HYPHEN_LEFT 2
#define SS_HYPHEN_RIGHT 3

/* A language's patterns, read whole; shared read-only by every worker
 * (libhyphen only reads them while it hyphenates). */
typedef struct ss_patterns ss_patterns;

/* Finds and reads the patterns for a language tag such as "en-US" or
 * "es-US".  Returns 0 with *out NULL when the language has none; 0 with
 * *out set; or, when the file found cannot be read, 66 (74 for a failing
 * disk) with the message in diag.  Free with ss_patterns_free. */
int ss_patterns_load(const char *assets, const char *lang, ss_patterns **out,
                     ss_diag *diag);
void ss_patterns_free(ss_patterns *p);
/* The pattern file it read. */
const char *ss_patterns_path(const ss_patterns *p);

/* One worker's hyphenator: the patterns and the words it has hyphenated
 * (a sheet repeats its template's words), so it is used by one thread at a
 * time.  NULL for NULL patterns.  Free with ss_hyphenator_free. */
typedef struct ss_hyphenator ss_hyphenator;
ss_hyphenator *ss_hyphenator_new(const ss_patterns *p);
void ss_hyphenator_free(ss_hyphenator *h);

/* The layout stage's view of it (fn NULL when h is NULL). */
ss_hyphenation ss_hyphenator_for_layout(ss_hyphenator *h);

/* Hyphenation points of a word of letters (UTF-8, n bytes): byte offsets,
 * increasing, at most max; returns how many.  Case does not matter. */
size_t ss_hyphenate(void *h, const char *word, size_t n, size_t *at, size_t max);

#endif
