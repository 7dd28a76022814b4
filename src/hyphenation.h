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

#include "layout.h"

/* Letters kept before and after a break: "ex-ploited", never "e-xploited"
 * or "exploi-ted". */
#define SS_HYPHEN_LEFT 2
#define SS_HYPHEN_RIGHT 3

typedef struct ss_hyphenator ss_hyphenator;

/* The hyphenator for a language tag such as "en-US" or "es-US", or NULL
 * when no patterns for it are found (a file that cannot
 * be read then hyphenates nothing).  Nothing is read until the first word
 * is asked for.  Free with ss_hyphenator_free.  Safe to share between
 * threads. */
ss_hyphenator *ss_hyphenator_new(const char *assets, const char *lang);
void ss_hyphenator_free(ss_hyphenator *h);
/* The pattern file it read. */
const char *ss_hyphenator_path(const ss_hyphenator *h);

/* The layout stage's view of it (fn NULL when h is NULL). */
ss_hyphenation ss_hyphenator_for_layout(ss_hyphenator *h);

/* Hyphenation points of a word of letters (UTF-8, n bytes): byte offsets,
 * increasing, at most max; returns how many.  Case does not matter. */
size_t ss_hyphenate(void *h, const char *word, size_t n, size_t *at, size_t max);

/* How many patterns libhyphen has been given so far: those picked for the
 * words asked for, or the whole file's once it was read whole. */
size_t ss_hyphenator_patterns_read(ss_hyphenator *h);

/* Tells the hyphenator the words that will be asked for next (a
 * paragraph's), so that it reads the patterns they need at once. */
void ss_hyphenate_prepare(void *h, const char *const *words, const size_t *lens,
                          size_t count);

/* Reads the patterns that 'words' need, and their points, on a thread
 * of its own (the template's words, known before the data file is read
 * and the fonts are loaded); takes the list.  ss_hyphenator_settle waits
 * for it: call it before the first sheet, whose words would otherwise be
 * looked up twice.  Nothing it does changes a point: it only reads
 * sooner what the sheets would read. */
void ss_hyphenator_ahead(ss_hyphenator *h, ss_words *words);
void ss_hyphenator_settle(ss_hyphenator *h);

#endif
