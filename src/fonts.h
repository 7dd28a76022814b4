/* fonts.h - the sheet's two fonts: files, metrics and coverage.
 *
 * Loaded once per run and shared read-only by every worker.  Widths and
 * the character map are read with HarfBuzz's font API; the PDF's widths
 * (W) come from the same table, so what layout measures is what the PDF
 * draws.  Each font file is checked against the SHA-256
 * recorded in this program, so a damaged installation fails with a clear
 * message instead of drawing garbage.
 */
#ifndef SS_FONTS_H
#define SS_FONTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bind.h"
#include "diag.h"
#include "layout.h"

#define SS_FONT_REGULAR_FILE "fonts/StatesheetSans-Regular.ttf"
#define SS_FONT_BOLD_FILE "fonts/StatesheetSans-Bold.ttf"
#define SS_ICC_FILE "icc/sRGB.icc"

typedef struct ss_fonts ss_fonts;

/* What a PDF font descriptor needs, read once from the font file. */
typedef struct ss_font_metrics {
    char name[128];      /* PostScript name, e.g. StatesheetSans-Bold */
    int ascent, descent; /* thousandths of an em; descent < 0 */
    int cap_height, x_height, stemv, italic_angle, missing_width;
    unsigned flags;
    int bbox[4];         /* left, bottom, right, top */
    unsigned num_glyphs;
} ss_font_metrics;

/* Loads both fonts from the assets folder.  NULL (with a diagnostic naming
 * the file) when a file is missing, damaged or not the one this program
 * was built with.  Free with ss_fonts_free. */
ss_fonts *ss_fonts_load(const char *assets_dir, ss_diag *diag);
void ss_fonts_free(ss_fonts *f);

/* The measuring function layout needs. */
const ss_measure *ss_fonts_measure(const ss_fonts *f);

/* The first code point in s (UTF-8) that the font cannot draw, or 0. */
long ss_fonts_first_missing(const ss_fonts *f, ss_style style, const char *s);

/* The style's font metrics (owned by f). */
const ss_font_metrics *ss_fonts_metrics(const ss_fonts *f, ss_style style);

/* The glyph of code point cp (0 when the font has none) and its advance
 * width in thousandths of an em. */
unsigned ss_fonts_gid(const ss_fonts *f, ss_style style, long cp);
int ss_fonts_advance(const ss_fonts *f, ss_style style, long cp);

/* The bytes of a style's font file (owned by f; *len set). */
const uint8_t *ss_fonts_data(const ss_fonts *f, ss_style style, size_t *len);

/* Path of a style's font file (owned by f). */
const char *ss_fonts_path(const ss_fonts *f, ss_style style);

/* Checks that a file's bytes have the SHA-256 recorded for an asset
 * (relative name as above).  Reports and returns false otherwise. */
bool ss_asset_verify(const char *rel, const char *path, const void *data,
                     size_t len, ss_diag *diag);

#endif
