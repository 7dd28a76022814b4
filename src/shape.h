/* shape.h - text shaped with HarfBuzz: widths with the fonts' kerning.
 *
 * One ss_shaper per worker, used by no other thread (no lock): it holds
 * HarfBuzz's fonts for both styles and a cache of every word it has
 * shaped, so a word repeated on every sheet of a batch is shaped once.
 * Text is shaped with kerning only (the font assets carry no other
 * feature): each character keeps its own glyph, so every reader extracts
 * exactly the text that was written.
 */
#ifndef SS_SHAPE_H
#define SS_SHAPE_H

#include "fonts.h"
#include "layout.h"

typedef struct ss_shaper ss_shaper;

/* A shaper for fonts f (which must outlive it).  Never NULL. */
ss_shaper *ss_shaper_new(const ss_fonts *f);
void ss_shaper_free(ss_shaper *s);

/* The measure layout uses: kerned widths (spaces are never kerned: a word
 * is shaped alone), and each word's kerning for the boxes.  Owned by s. */
const ss_measure *ss_shaper_measure(ss_shaper *s);

#endif
