/* haru.c - every use of libharu 2.3.0's private headers and struct fields.
 *
 * Kept in one file so that a new libharu release means reading one file
 * (see haru.h for why they are used at all).  The struct fields touched:
 * HPDF_Doc_Rec (mmgr, xref, catalog, info, trailer, stream), HPDF_Dict_Rec
 * (stream, filter, write_fn, free_fn, attr), HPDF_Obj_Header (obj_id),
 * HPDF_Stream_Rec (the functions and attr of
 * the streams made here), HPDF_PageAttr_Rec (contents, stream), and the
 * TrueType font definition's cmap and metrics.  The functions used that
 * only its private headers declare: HPDF_CallbackWriter_New,
 * HPDF_CallbackReader_New, HPDF_TTFontDef_Load and the object calls.
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

/* ---- entries as text ------------------------------------------------------- */

/* A dictionary's text entries (ss_haru_raw), in its attr, which libharu
 * uses only for pages, fonts and the like, never for a dictionary made
 * here; written by its write_fn, freed by its free_fn. */
typedef struct raw {
    char *text;
    size_t len;
} raw;

static HPDF_STATUS write_raw(HPDF_Dict d, HPDF_Stream out)
{
    const raw *r = d->attr;
    return r && r->len ? HPDF_Stream_Write(out, (const HPDF_BYTE *)r->text, (HPDF_UINT)r->len)
                       : HPDF_OK;
}

static void free_raw(HPDF_Dict d)
{
    raw *r = d->attr;
    if (r) {
        free(r->text);
        free(r);
    }
    d->attr = NULL;
}

bool ss_haru_raw(HPDF_Dict d, const char *text, size_t len)
{
    if (!d || d->stream || (d->write_fn && d->write_fn != write_raw) ||
        (d->free_fn && d->free_fn != free_raw) || (d->attr && d->write_fn != write_raw))
        return false;
    raw *r = d->attr;
    if (!r) {
        r = ss_xcalloc(1, sizeof *r);
        d->attr = r;
        d->write_fn = write_raw;
        d->free_fn = free_raw;
    }
    r->text = ss_xrealloc(r->text, len ? len : 1);
    memcpy(r->text, text, len);
    r->len = len;
    return true;
}

unsigned ss_haru_id(const void *obj)
{
    return (unsigned)(((const HPDF_Obj_Header *)obj)->obj_id & 0x00FFFFFFu);
}

/* Streams are compressed by the caller: libharu copies the bytes as they
 * are, and this adds the /Filter key it would otherwise leave out. */
static HPDF_STATUS write_flate_key(HPDF_Dict dict, HPDF_Stream out)
{
    (void)dict;
    return HPDF_Stream_WriteStr(out, "/Filter /FlateDecode\012");
}

/* A stream's bytes in one block of our own.  libharu's memory streams copy
 * byte by byte (HPDF_MemCpy) on every write and read, and a sheet's bytes
 * went through them three times: into the object's stream, out of it, and
 * into the document's.  A stream object gets a stream record of libharu's
 * callback kind with our functions and buffer in it, so that libharu's
 * HPDF_Stream_Write and HPDF_Stream_WriteToStream work on it unchanged. */
typedef struct flat {
    unsigned char *own;         /* the bytes written, ours; NULL for a view */
    const unsigned char *bytes; /* what is read: own, or the caller's */
    size_t len, cap, pos;
} flat;

static HPDF_STATUS flat_write(HPDF_Stream s, const HPDF_BYTE *p, HPDF_UINT n)
{
    flat *f = s->attr;
    if (n == 0)
        return HPDF_OK;
    if (f->cap - f->len < n) {
        size_t cap = f->cap ? f->cap : 256;
        while (cap - f->len < n)
            cap *= 2;
        unsigned char *d = realloc(f->own, cap);
        if (!d)
            return HPDF_SetError(s->error, HPDF_FAILD_TO_ALLOC_MEM, 0);
        f->own = d;
        f->bytes = d;
        f->cap = cap;
    }
    memcpy(f->own + f->len, p, n);
    f->len += n;
    return HPDF_OK;
}

/* As libharu's file reader: a short read is HPDF_STREAM_EOF, the rest of
 * the buffer zeroed. */
static HPDF_STATUS flat_read(HPDF_Stream s, HPDF_BYTE *p, HPDF_UINT *n)
{
    flat *f = s->attr;
    size_t left = f->pos < f->len ? f->len - f->pos : 0;
    if (*n <= left) {
        memcpy(p, f->bytes + f->pos, *n);
        f->pos += *n;
        return HPDF_OK;
    }
    if (left)
        memcpy(p, f->bytes + f->pos, left);
    memset(p + left, 0, *n - left);
    f->pos += left;
    *n = (HPDF_UINT)left;
    return HPDF_STREAM_EOF;
}

static HPDF_STATUS flat_seek(HPDF_Stream s, HPDF_INT pos, HPDF_WhenceMode mode)
{
    flat *f = s->attr;
    long long to = mode == HPDF_SEEK_CUR ? (long long)f->pos + pos
                   : mode == HPDF_SEEK_END ? (long long)f->len + pos
                                           : pos;
    if (to < 0 || to > INT32_MAX)
        return HPDF_SetError(s->error, HPDF_FILE_IO_ERROR, 0);
    f->pos = (size_t)to;
    return HPDF_OK;
}

static HPDF_INT32 flat_tell(HPDF_Stream s)
{
    return (HPDF_INT32)((flat *)s->attr)->pos;
}

static HPDF_UINT32 flat_size(HPDF_Stream s)
{
    return (HPDF_UINT32)((flat *)s->attr)->len;
}

static void flat_free(HPDF_Stream s)
{
    flat *f = s->attr;
    if (f)
        free(f->own);
    free(f);
    s->attr = NULL;
}

/* Replaces *stream (a page's memory stream, freed; or none) with a flat
 * one holding a copy of the len bytes.  On failure *stream is unchanged. */
static bool flat_set(HPDF_MMgr mmgr, HPDF_Stream *stream, const void *bytes, size_t len)
{
    if (len > UINT32_MAX)
        return false;
    flat *f = calloc(1, sizeof *f);
    unsigned char *own = f && len ? malloc(len) : NULL;
    HPDF_Stream s = f && (own || !len) ? HPDF_CallbackWriter_New(mmgr, flat_write, f) : NULL;
    if (!s) {
        free(own);
        free(f);
        return false;
    }
    if (len)
        memcpy(own, bytes, len);
    f->own = own;
    f->bytes = own;
    f->len = f->cap = len;
    s->size = (HPDF_UINT)len; /* as HPDF_Stream_Write would have counted */
    s->read_fn = flat_read;
    s->seek_fn = flat_seek;
    s->tell_fn = flat_tell;
    s->free_fn = flat_free;
    if (*stream)
        HPDF_Stream_Free(*stream);
    *stream = s;
    return true;
}

static bool put_bytes(HPDF_Dict dict, const void *bytes, size_t len, bool deflated)
{
    dict->filter = HPDF_STREAM_FILTER_NONE;
    dict->write_fn = deflated ? write_flate_key : NULL;
    return flat_set(dict->mmgr, &dict->stream, bytes, len);
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
    HPDF_Number n = HPDF_Number_New(doc->mmgr, (HPDF_INT32)len);
    if (!n || HPDF_Dict_Add(s, "Length", n) != HPDF_OK)
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
    if (!attr || !attr->contents || !res || !put_bytes(attr->contents, deflated, len, true))
        return false; /* the contents' stream is then as it was */
    attr->stream = attr->contents->stream; /* the page's own pointer to it */
    return HPDF_Dict_Add(res, "Font", fonts) == HPDF_OK;
}

static HPDF_STATUS buf_write(HPDF_Stream s, const HPDF_BYTE *p, HPDF_UINT n)
{
    ss_buf_add(s->attr, p, n);
    return HPDF_OK;
}

bool ss_haru_save(HPDF_Doc doc, ss_buf *out)
{
    /* HPDF_SaveToStream writes into doc->stream when there is one. */
    if (doc->stream)
        HPDF_Stream_Free(doc->stream);
    doc->stream = HPDF_CallbackWriter_New(doc->mmgr, buf_write, out);
    bool ok = doc->stream && HPDF_SaveToStream(doc) == HPDF_OK;
    if (doc->stream)
        HPDF_Stream_Free(doc->stream);
    doc->stream = NULL;
    return ok;
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
    /* The bytes the caller read, through a reader of ours: libharu's file
     * reader costs an fread for every two bytes of the tables. */
    flat *f = calloc(1, sizeof *f);
    HPDF_Stream in = f ? HPDF_CallbackReader_New(pdf->mmgr, flat_read, flat_seek, flat_tell,
                                                 flat_size, f)
                       : NULL;
    if (!in) {
        free(f);
        goto done;
    }
    f->bytes = data;
    f->len = len;
    in->free_fn = flat_free;
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
