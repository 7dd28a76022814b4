/* haru.c - every use of libharu 2.3.0's private headers and struct fields.
 *
 * Kept in one file so that a new libharu release means reading one file
 * (see haru.h for why they are used at all).  The struct fields touched:
 * HPDF_Doc_Rec (mmgr, xref, catalog, info, trailer), HPDF_Dict_Rec
 * (stream, filter, write_fn), HPDF_PageAttr_Rec (contents), and the
 * TrueType font definition's cmap and metrics.
 */
#include "haru.h"

#include <stdio.h>
#include <string.h>

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_fontdef.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>

/* Bytes a memory stream grows by (libharu's own is 4096, private). */
#define STREAM_CHUNK 4096

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

HPDF_Dict ss_haru_dict(HPDF_Doc doc)
{
    return HPDF_Dict_New(doc->mmgr);
}

HPDF_Array ss_haru_array(HPDF_Doc doc, bool indirect)
{
    HPDF_Array a = HPDF_Array_New(doc->mmgr);
    if (a && indirect && HPDF_Xref_Add(doc->xref, a) != HPDF_OK)
        return NULL;
    return a;
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
 * are, and this adds the /Filter key it would otherwise leave out. */
static HPDF_STATUS write_flate_key(HPDF_Dict dict, HPDF_Stream out)
{
    (void)dict;
    return HPDF_Stream_WriteStr(out, "/Filter /FlateDecode\012");
}

static bool put_bytes(HPDF_Dict dict, const void *bytes, size_t len, bool deflated)
{
    HPDF_MemStream_FreeData(dict->stream);
    dict->filter = HPDF_STREAM_FILTER_NONE;
    dict->write_fn = deflated ? write_flate_key : NULL;
    return len == 0 ||
           HPDF_Stream_Write(dict->stream, (const HPDF_BYTE *)bytes, (HPDF_UINT)len) == HPDF_OK;
}

/* libharu writes a stream's /Length as an object of its own (40 bytes
 * with its cross-reference entry), because it learns the length only
 * while writing.  Ours are known: the Length is a direct number, flagged
 * indirect only so that HPDF_Dict_Write accepts it (HPDF_Obj_Write writes
 * a number's value whatever its flags), and unflagged before the stream
 * is freed, so that it is freed with it. */
static void unflag_length(HPDF_Dict dict)
{
    HPDF_Number n = HPDF_Dict_GetItem(dict, "Length", HPDF_OCLASS_NUMBER);
    if (n)
        n->header.obj_id &= ~(HPDF_UINT32)HPDF_OTYPE_INDIRECT;
}

HPDF_Dict ss_haru_stream(HPDF_Doc doc, const void *bytes, size_t len, bool deflated)
{
    HPDF_Dict s = ss_haru_object(doc);
    if (!s)
        return NULL;
    s->stream = HPDF_MemStream_New(doc->mmgr, STREAM_CHUNK);
    HPDF_Number n = HPDF_Number_New(doc->mmgr, (HPDF_INT32)len);
    if (!s->stream || !n || HPDF_Dict_Add(s, "Length", n) != HPDF_OK)
        return NULL;
    n->header.obj_id |= HPDF_OTYPE_INDIRECT;
    s->free_fn = unflag_length;
    return put_bytes(s, bytes, len, deflated) ? s : NULL;
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

bool ss_haru_page_set(HPDF_Page page, const void *deflated, size_t len, HPDF_Dict fonts)
{
    HPDF_PageAttr attr = (HPDF_PageAttr)page->attr;
    HPDF_Dict res = HPDF_Dict_GetItem(page, "Resources", HPDF_OCLASS_DICT);
    /* ProcSet is obsolete (PDF 1.7, 14.2): 45 bytes a page. */
    if (res)
        HPDF_Dict_RemoveElement(res, "ProcSet");
    return attr && attr->contents && res && put_bytes(attr->contents, deflated, len, true) &&
           HPDF_Dict_Add(res, "Font", fonts) == HPDF_OK;
}

static void ignore_error(HPDF_STATUS e, HPDF_STATUS detail, void *user)
{
    (void)e, (void)detail, (void)user; /* every call's result is checked */
}

bool ss_haru_ttf_read(const char *path, ss_font_metrics *m, int16_t *width,
                      uint16_t *gid, long limit, unsigned *error)
{
    bool ok = false;
    HPDF_Doc pdf = HPDF_New(ignore_error, NULL);
    HPDF_FontDef def = NULL;
    *error = HPDF_FAILD_TO_ALLOC_MEM;
    if (!pdf)
        return false;
    /* A damaged font makes libharu return NULL without calling the error
     * handler: check the result, not only the handler.  Not registered
     * with the document: freed below, not by HPDF_Free. */
    def = HPDF_GetTTFontDefFromFile(pdf, path, HPDF_FALSE);
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
