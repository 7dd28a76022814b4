/* haru.h - the one door into libharu 2.3.0's internals.
 *
 * libharu's documented API cannot make what a sheet needs (our own Type0
 * fonts, a structure tree, streams we compress ourselves), so a few of its
 * undocumented parts are used: the document's memory manager and cross-
 * reference table (to make objects), its catalog, info and trailer, a
 * page's content stream, and the parsed TrueType tables.  Every such use
 * is in haru.c, behind the functions below; the rest of the program uses
 * only the dictionary and array calls <hpdf.h> brings in (HPDF_Dict_Add*,
 * HPDF_Array_Add*) and the public document calls.
 *
 * Written for libharu 2.3.0 exactly (struct layouts change between
 * releases): CMakeLists.txt refuses another version at configure time and
 * haru.c at compile time.
 */
#ifndef SS_HARU_H
#define SS_HARU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hpdf.h>

#include "fonts.h"

#define SS_HARU_VERSION "2.3.0"

/* A new indirect dictionary of doc, owned by it: written once and
 * referenced wherever it is added.  NULL on failure (the document's error
 * handler has been called). */
HPDF_Dict ss_haru_object(HPDF_Doc doc);

/* A new direct dictionary or array (written in place), added to 'parent'
 * under key, or at the end of array 'list': owned by its container from
 * the start, so nothing is left over when a later step fails.  NULL on
 * failure. */
HPDF_Dict ss_haru_dict_in(HPDF_Dict parent, const char *key);
HPDF_Array ss_haru_array_in(HPDF_Dict parent, const char *key);
HPDF_Array ss_haru_array_of(HPDF_Array list);

/* Strings of doc, for HPDF_Dict_Add and HPDF_Array_Add (which free them
 * when they fail). */
void *ss_haru_string(HPDF_Doc doc, const char *ascii);
void *ss_haru_binary(HPDF_Doc doc, const void *bytes, size_t len);

/* A stream object holding len bytes as they are; 'deflated' marks them
 * /FlateDecode (the caller compressed them).  NULL on failure. */
HPDF_Dict ss_haru_stream(HPDF_Doc doc, const void *bytes, size_t len, bool deflated);

/* The document's catalog, info dictionary and trailer. */
HPDF_Dict ss_haru_catalog(HPDF_Doc doc);
HPDF_Dict ss_haru_info(HPDF_Doc doc);
HPDF_Dict ss_haru_trailer(HPDF_Doc doc);

/* Makes the page's content the len deflated bytes, and returns a new
 * dictionary in its resources' /Font for the caller to fill.  NULL on
 * failure. */
HPDF_Dict ss_haru_page_set(HPDF_Page page, const void *deflated, size_t len);

/* Reads a TrueType font's metrics (its len bytes) with libharu's parser: fills m, and
 * width[cp] (thousandths of an em) and gid[cp] for every code point below
 * 'limit' that the font's Unicode cmap maps (the caller fills the arrays
 * with -1 and 0 first).  False when libharu cannot read the font: *error
 * is libharu's error code, or 0 when the font has no format 4 cmap. */
bool ss_haru_ttf_read(const void *data, size_t len, ss_font_metrics *m, int16_t *width,
                      uint16_t *gid, long limit, unsigned *error);

#endif
