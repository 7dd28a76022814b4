/* layout.h - a bound document -> positioned boxes on one page.
 *
 * Pure: layout never touches libharu's page API.  It measures text with the
 * width function it is given, breaks paragraphs of mixed regular/bold runs
 * into justified lines, sets the table, and returns boxes (text, style,
 * size, x, y) that the renderer draws without deciding anything.
 *
 * One page, always: ss_layout_fit tries the design size first and shrinks
 * type and spacing in small steps down to SS_BODY_MIN.
 */
#ifndef SS_LAYOUT_H
#define SS_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bind.h"

/* Body text sizes, in points. */
#define SS_BODY_MAX 11.0  /* the design size */
#define SS_BODY_MIN 8.0   /* the smallest we shrink to */
#define SS_BODY_STEP 0.25
/* Nothing is printed smaller than this (footer, marks). */
#define SS_TEXT_MIN 7.0
/* Office printers clip near the edge: nothing comes closer than 0.5 in. */
#define SS_SAFE_MARGIN 36.0

/* Paper sizes in points. */
#define SS_LETTER_W 612.0
#define SS_LETTER_H 792.0
#define SS_A4_W 595.276
#define SS_A4_H 841.89

/* A text box is a run of one style on one line: words with the spaces
 * between them, each space widened by ws (narrowed, when negative).  A box
 * whose text ends in U+00AD (soft hyphen) ends its line at a hyphenation
 * point: the renderer draws it as the hyphen "-" and extractors read the
 * word whole.  Layout measures it as the width of "-". */

/* Measures UTF-8 text in one style: its advance width in thousandths of the
 * font size (font units per 1000 em).  Must be exact: line breaking and
 * right alignment depend on it. */
typedef double (*ss_measure_fn)(void *ctx, ss_style style, const char *s,
                                size_t n);

/* Hyphenation points of one word (UTF-8, n bytes, letters only): writes
 * the byte offsets at which it may be broken (a hyphen drawn after the
 * first part), in increasing order, at most max of them; returns how many.
 * The language's rules (letters kept before and after) are its business. */
typedef size_t (*ss_hyphen_fn)(void *ctx, const char *word, size_t n,
                               size_t *at, size_t max);

/* A kerning adjustment inside a word: the glyph that starts at byte 'at'
 * moves by adj thousandths of the font size (negative: closer). */
typedef struct ss_kern {
    uint32_t at;
    int32_t adj;
} ss_kern;

/* The kerning of UTF-8 text in one style (one word or part of one, no
 * spaces): writes at most max adjustments, in order, and returns how
 * many; the width function's widths include them.  U+00AD is kerned as
 * the hyphen it is drawn as. */
typedef size_t (*ss_kern_fn)(void *ctx, ss_style style, const char *s, size_t n,
                             ss_kern *out, size_t max);

typedef struct ss_measure {
    ss_measure_fn width;
    void *ctx;
    double ascent;  /* font ascent and descent, per 1000 em (descent > 0) */
    double descent;
    ss_kern_fn kerns; /* NULL: text is not kerned */
    ss_measure_fn plain; /* with kerns: the widths without kerning */
} ss_measure;

/* Hyphenation for layout.  Only body paragraphs are hyphenated, never
 * figures, the state's name, web addresses, headings, the footer or table
 * cells.  A NULL ss_hyphenation (or fn) sets text without hyphenation. */
typedef struct ss_hyphenation {
    ss_hyphen_fn fn;
    void *ctx;
} ss_hyphenation;


typedef enum ss_box_kind {
    SS_BOX_TEXT,
    SS_BOX_RULE, /* a horizontal line: x, y, w; h is its thickness */
    SS_BOX_FILL, /* a filled rectangle: x, y (bottom), w, h */
    SS_BOX_LEADER /* dot leaders: round dots of diameter h centred on y,
                     the first at x, the last at x + w, every ws points */
} ss_box_kind;

typedef enum ss_color {
    SS_COLOR_TEXT,       /* body text */
    SS_COLOR_HEADING,    /* section headers */
    SS_COLOR_BAND,       /* the header band */
    SS_COLOR_BAND_TEXT,  /* text on the band */
    SS_COLOR_RULE,       /* table rules */
    SS_COLOR_MUTED,      /* footer */
    SS_COLOR_SAMPLE,     /* the sample-data mark */
    SS_COLOR_COUNT
} ss_color;

/* What a box is to a person reading the sheet: its role in the tagged
 * PDF.  Artifacts (decoration, the footer) are not read out; every other
 * text box belongs to one structure element, numbered in reading order.
 * TH and TD boxes that follow each other form one table; each TH starts
 * a row. */
typedef enum ss_role {
    SS_ROLE_ARTIFACT = 0, /* the band, rules, the sample bar */
    SS_ROLE_PAGINATION,   /* the footer: an artifact of the page */
    SS_ROLE_P,            /* a paragraph, the organisation line, the SAMPLE notice */
    SS_ROLE_H1,           /* the sheet's title ("North Dakota Data") */
    SS_ROLE_H2,           /* a section heading */
    SS_ROLE_TH,           /* a table row's label */
    SS_ROLE_TD            /* a table row's count */
} ss_role;

typedef struct ss_box {
    ss_box_kind kind;
    ss_role role;
    unsigned elem; /* structure element, 1, 2, ... in reading order; 0: none */
    ss_style style;
    ss_color color;
    double x, y;   /* TEXT: left end of the baseline */
    double w, h;   /* TEXT: advance width, h unused */
    double size;   /* TEXT: font size in points */
    double ws;     /* TEXT: extra width after each space (justification) */
    size_t text;   /* TEXT: offset into ss_page.chars */
    size_t len;    /* TEXT: bytes */
    size_t kern;   /* TEXT: its kerning, ss_page.kerns[kern, kern + nkern), */
    size_t nkern;  /*       'at' counted from the box's text */
} ss_box;

typedef struct ss_page {
    double width, height;
    double body_size;  /* the size used */
    bool fits;         /* everything inside the page's frame */
    double bottom;     /* lowest point the content reached */
    ss_box *boxes;
    size_t nboxes, cap;
    char *chars;       /* all box text, each NUL-terminated */
    size_t nchars, chars_cap;
    ss_kern *kerns;    /* all boxes' kerning */
    size_t nkerns, kerns_cap;
} ss_page;

/* Lays the document out at one body size, hyphenating body paragraphs
 * with hy (may be NULL).  Never NULL.  Free with ss_page_free. */
ss_page *ss_layout_run(const ss_document *doc, const ss_measure *m,
                       const ss_hyphenation *hy, double page_w, double page_h,
                       double body_size);

/* Lays the document out, hyphenating as ss_layout_run does, at the largest
 * body size from SS_BODY_MAX down to SS_BODY_MIN (steps of SS_BODY_STEP)
 * at which it fits one page, or one step smaller when that step sets every
 * justified paragraph with no space over 1.5x and the largest does not.
 * Returns NULL when it fits at none; *body_size gets the size tried last. */
ss_page *ss_layout_fit(const ss_document *doc, const ss_measure *m,
                       const ss_hyphenation *hy, double page_w, double page_h,
                       double *body_size);

void ss_page_free(ss_page *p);

/* The text of a text box. */
const char *ss_box_text(const ss_page *p, const ss_box *b);

#endif
