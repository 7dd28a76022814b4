/* haru.c - every use of libharu 2.3.0's private headers and struct fields.
 *
 * Kept in one file so that a new libharu release means reading one file
 * (see haru.h for why they are used at all).  The struct fields touched:
 * HPDF_Doc_Rec (mmgr, xref, catalog, info, trailer), HPDF_Dict_Rec
 * (mmgr, stream, filter, write_fn), HPDF_Array_Rec (mmgr), HPDF_PageAttr_Rec (contents), and the
 * TrueType font definition's cmap and metrics.  The functions used that
 * only its private headers declare: HPDF_DictStream_New,
 * HPDF_MemStream_New, HPDF_Stream_Write, HPDF_TTFontDef_Load and the
 * object calls.
 */
#include "haru.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_fontdef.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>

#if !defined(HPDF_VERSION_ID) || HPDF_VERSION_ID != 20300
#error "statesheet needs libharu 2.3.0 exactly (Debian bookworm's libhpdf-dev): src/haru.c uses its private structs, which change between releases"
#endif

HPDF_Dict ss_haru_object(HPDF_Doc doc)
{
    HPDF_Dict d = HPDF_Dict_New(doc->mmgr);
    if (d && HPDF_Xref_Add(doc->xref, d) != HPDF_OK)
        return NULL; /* HPDF_Xref_Add freed it */
    return d;
}

/* HPDF_Dict_Add and HPDF_Array_Add free what they fail to add. */
HPDF_Dict ss_haru_dict_in(HPDF_Dict parent, const char *key)
{
    HPDF_Dict d = HPDF_Dict_New(parent->mmgr);
    return d && HPDF_Dict_Add(parent, key, d) == HPDF_OK ? d : NULL;
}

HPDF_Array ss_haru_array_in(HPDF_Dict parent, const char *key)
{
    HPDF_Array a = HPDF_Array_New(parent->mmgr);
    return a && HPDF_Dict_Add(parent, key, a) == HPDF_OK ? a : NULL;
}

HPDF_Array ss_haru_array_of(HPDF_Array list)
{
    HPDF_Array a = HPDF_Array_New(list->mmgr);
    return a && HPDF_Array_Add(list, a) == HPDF_OK ? a : NULL;
}

void *ss_haru_string(HPDF_Doc doc, const char *ascii)
{
    return HPDF_String_New(doc->mmgr, ascii, NULL);
}

void *ss_haru_binary(HPDF_Doc doc, const void *bytes, size_t len)
{
    return HPDF_Binary_New(doc->mmgr, (HPDF_BYTE *)bytes, (HPDF_UINT)len);
}

/* Streams are compressed by the caller: libharu copies the bytes as they
 * are (filter none), and this adds the /Filter key it would otherwise
 * leave out. */
static HPDF_STATUS write_flate_key(HPDF_Dict dict, HPDF_Stream out)
{
    (void)dict;
    return HPDF_Stream_WriteStr(out, "/Filter /FlateDecode\012");
}

static bool put_bytes(HPDF_Dict dict, const void *bytes, size_t len, bool deflated)
{
    dict->filter = HPDF_STREAM_FILTER_NONE;
    dict->write_fn = deflated ? write_flate_key : NULL;
    return len <= UINT32_MAX &&
           (len == 0 || HPDF_Stream_Write(dict->stream, bytes, (HPDF_UINT)len) == HPDF_OK);
}

HPDF_Dict ss_haru_stream(HPDF_Doc doc, const void *bytes, size_t len, bool deflated)
{
    HPDF_Dict s = HPDF_DictStream_New(doc->mmgr, doc->xref);
    return s && put_bytes(s, bytes, len, deflated) ? s : NULL;
}

HPDF_Dict ss_haru_catalog(HPDF_Doc doc)
{
    return doc->catalog;
}

HPDF_Dict ss_haru_info(HPDF_Doc doc)
{
    return doc->info;
}

HPDF_Dict ss_haru_trailer(HPDF_Doc doc)
{
    return doc->trailer;
}

HPDF_Dict ss_haru_page_set(HPDF_Page page, const void *deflated, size_t len)
{
    HPDF_PageAttr attr = (HPDF_PageAttr)page->attr;
    HPDF_Dict res = HPDF_Dict_GetItem(page, "Resources", HPDF_OCLASS_DICT);
    /* ProcSet is obsolete (PDF 1.7, 14.2): 45 bytes a page. */
    if (res)
        HPDF_Dict_RemoveElement(res, "ProcSet");
    if (!attr || !attr->contents || !res || !put_bytes(attr->contents, deflated, len, true))
        return NULL;
    return ss_haru_dict_in(res, "Font");
}

static void ignore_error(HPDF_STATUS e, HPDF_STATUS detail, void *user)
{
    (void)e, (void)detail, (void)user; /* every call's result is checked */
}

bool ss_haru_ttf_read(const void *data, size_t len, ss_font_metrics *m, int16_t *width,
                      uint16_t *gid, long limit, unsigned *error)
{
    bool ok = false;
    HPDF_FontDef def = NULL;
    *error = HPDF_FAILD_TO_ALLOC_MEM;
    if (len > INT32_MAX)
        return false;
    HPDF_Doc pdf = HPDF_New(ignore_error, NULL);
    if (!pdf)
        return false;
    HPDF_Stream in = HPDF_MemStream_New(pdf->mmgr, (HPDF_UINT)len);
    if (!in || HPDF_Stream_Write(in, data, (HPDF_UINT)len) != HPDF_OK) {
        if (in)
            HPDF_Stream_Free(in);
        goto done;
    }
    /* A damaged font makes libharu return NULL without calling the error
     * handler: check the result, not only the handler.  The definition is
     * not registered with the document: freed below, not by HPDF_Free.
     * Without embedding, the stream is freed by the load. */
    def = HPDF_TTFontDef_Load(pdf->mmgr, in, HPDF_FALSE);
    if (!def) {
        *error = (unsigned)HPDF_GetError(pdf);
        goto done;
    }
    /* Every code point the font maps, once, here instead of in every PDF.
     * Walking the cmap's segments costs a few thousand look-ups; asking
     * for all 65,536 code points would cost 40 million instructions. */
    HPDF_TTFontDefAttr ca = (HPDF_TTFontDefAttr)def->attr;
    unsigned segs = ca->cmap.seg_count_x2 / 2u;
    if (ca->cmap.format != 4 || segs == 0) {
        *error = 0;
        goto done;
    }
    for (unsigned i = 0; i < segs; i++) {
        long lo = ca->cmap.start_count[i], hi = ca->cmap.end_count[i];
        for (long cp = lo; cp <= hi && cp < limit - 1; cp++) {
            HPDF_UINT16 g = HPDF_TTFontDef_GetGlyphid(def, (HPDF_UINT16)cp);
            if (!g)
                continue;
            gid[cp] = g;
            width[cp] = (int16_t)HPDF_TTFontDef_GetGidWidth(def, g);
        }
    }
    /* libharu adds a style (",Bold") to the PostScript name. */
    snprintf(m->name, sizeof m->name, "%.*s", (int)strcspn(ca->base_font, ","),
             ca->base_font);
    m->ascent = def->ascent;
    m->descent = def->descent;
    m->cap_height = def->cap_height;
    m->x_height = def->x_height;
    m->stemv = def->stemv;
    m->italic_angle = def->italic_angle;
    m->missing_width = def->missing_width;
    m->flags = def->flags;
    m->bbox[0] = (int)def->font_bbox.left;
    m->bbox[1] = (int)def->font_bbox.bottom;
    m->bbox[2] = (int)def->font_bbox.right;
    m->bbox[3] = (int)def->font_bbox.top;
    m->num_glyphs = ca->num_glyphs;
    ok = true;
done:
    if (def)
        HPDF_FontDef_Free(def);
    HPDF_Free(pdf);
    return ok;
}
