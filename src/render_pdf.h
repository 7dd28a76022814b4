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

/* One PDF being built; pages are added in order. */
typedef struct ss_pdf ss_pdf;

/* A new PDF using the fonts and the ICC profile at icc_path.  A
 * single_page PDF tags its page's content directly under the Document
 * element; others give each page a Part of its own.  NULL (with a diagnostic) when the PDF library fails.  Free
 * with ss_pdf_free. */
ss_pdf *ss_pdf_new(const ss_fonts *fonts, const char *icc_path, bool single_page,
                   ss_diag *diag);

/* Draws one page.  'bookmark' (may be NULL) adds an outline entry pointing
 * at it.  False on failure, with a diagnostic. */
bool ss_pdf_add_page(ss_pdf *pdf, const ss_page *page, const char *bookmark);

/* Makes pdf a one-page file to be copied into a file of many pages
 * (combine.c): its page's entry in the parent tree (its /StructParents) is
 * page_number, not 0, and ss_pdf_finish leaves out what the copy does not
 * take (the fonts' programs and maps, the metadata, the file ID).  Call
 * before adding the page. */
void ss_pdf_for_copy(ss_pdf *pdf, int page_number);

/* Makes dst's fonts hold every glyph src has drawn so far, as if dst had
 * drawn them (a combined file's fonts serve the pages of many). */
void ss_pdf_add_glyphs(ss_pdf *dst, const ss_pdf *src);

/* Finishes the file (fonts, metadata, ID) and appends its bytes to out.
 * False on failure, with a diagnostic. */
bool ss_pdf_finish(ss_pdf *pdf, const ss_pdf_info *info, ss_buf *out);

void ss_pdf_free(ss_pdf *pdf);

#endif
