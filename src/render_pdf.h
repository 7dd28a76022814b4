/* render_pdf.h - laid-out pages -> a PDF/A-1b file in memory (libharu).
 *
 * The renderer decides nothing: it walks the boxes, changing font, size or
 * colour only when a box asks for another, and tags each box as its role
 * says (a structure element, or an artifact).  What it adds is what the
 * file format demands: embedded fonts with a correct ToUnicode map and CIDSet,
 * XMP metadata matching the document info, an sRGB output intent and a
 * file ID derived from the content, so the same inputs give the same bytes.
 */
#ifndef SS_RENDER_PDF_H
#define SS_RENDER_PDF_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "diag.h"
#include "fonts.h"
#include "layout.h"
#include "util.h"

typedef struct ss_pdf_info {
    const char *title;    /* "North Dakota Data 2023" */
    const char *author;   /* the organisation */
    const char *subject;
    const char *keywords;
    const char *creator;  /* "statesheet 1.0.0" */
    time_t created;       /* SOURCE_DATE_EPOCH or now */
    const char *lang;     /* the template's language, "en-US"; NULL: en-US */
} ss_pdf_info;

/* What the PDFs one worker makes share: the fonts, the compressor, the
 * colour profile compressed once, and the font programs and ToUnicode
 * maps already made, kept by glyph set.  One per worker thread (it has no
 * lock); its PDFs must be freed before it. */
typedef struct ss_render ss_render;

/* A context for fonts (kept, not copied) and the ICC profile's icc_len
 * bytes (copied).  NULL, with a diagnostic, when out of memory.  Free with
 * ss_render_free. */
ss_render *ss_render_new(const ss_fonts *fonts, const void *icc, size_t icc_len,
                         ss_diag *diag);
void ss_render_free(ss_render *r);

/* One PDF being built; pages are added in order. */
typedef struct ss_pdf ss_pdf;

/* A new PDF made with r.  A single_page PDF tags its page's content
 * directly under the Document element; others give each page a Part of
 * its own.  NULL (with a diagnostic) when the PDF library fails.  Free
 * with ss_pdf_free. */
ss_pdf *ss_pdf_new(ss_render *r, bool single_page, ss_diag *diag);

/* Draws one page.  'bookmark' (may be NULL) adds an outline entry pointing
 * at it.  False on failure, with a diagnostic. */
bool ss_pdf_add_page(ss_pdf *pdf, const ss_page *page, const char *bookmark);

/* Finishes the file (fonts, metadata, ID) and appends its bytes to out.
 * False on failure, with a diagnostic. */
bool ss_pdf_finish(ss_pdf *pdf, const ss_pdf_info *info, ss_buf *out);

void ss_pdf_free(ss_pdf *pdf);

#endif
