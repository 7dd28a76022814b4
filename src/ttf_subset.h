/* ttf_subset.h - a TrueType font cut down to the glyphs one PDF uses.
 *
 * libharu embeds every glyph slot of a font (loca and hmtx for all of
 * them), which costs ~7 KB a font even for a pre-subset font.  This keeps
 * glyph IDs unchanged, so the PDF's CIDToGIDMap stays valid, but stops at
 * the highest glyph used and keeps outlines only for used glyphs (and the
 * parts of composite glyphs).  The result has the tables a PDF font program
 * needs: glyf, head, hhea, hmtx, loca, maxp (and cvt, fpgm, prep if the
 * font has them).
 */
#ifndef SS_TTF_SUBSET_H
#define SS_TTF_SUBSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Marks in keep (nkeep entries, one per glyph of the font) the components
 * of every marked composite glyph, which the cut font program holds too
 * (a PDF/A CIDSet must name them).  False when the font is malformed. */
bool ss_ttf_components(const uint8_t *font, size_t len, uint8_t *keep, size_t nkeep);

/* keep[gid] != 0 for each glyph to keep; nkeep entries (glyph 0, .notdef,
 * is always kept).  Appends the new font to out.  Returns false when the
 * font is malformed (nothing useful appended). */
bool ss_ttf_subset(const uint8_t *font, size_t len, const uint8_t *keep,
                   size_t nkeep, ss_buf *out);

#endif
