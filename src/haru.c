/* haru.c - every use of libharu 2.3.0's private headers and struct fields.
 *
 * Kept in one file so that a new libharu release means reading one file
 * (see haru.h for why they are used at all).  The struct fields touched:
 * HPDF_Doc_Rec (mmgr, xref, catalog, info, trailer), HPDF_Dict_Rec
 * (mmgr, stream, filter, write_fn), HPDF_Array_Rec (mmgr) and
 * HPDF_PageAttr_Rec (contents).  The functions used that only its private
 * headers declare: HPDF_DictStream_New, HPDF_MemStream_New,
 * HPDF_Stream_Write and the object calls.  (Fonts are read by HarfBuzz,
 * fonts.c.)
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
