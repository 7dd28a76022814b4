/* render_pdf.c - boxes -> libharu -> PDF/A-1b bytes.
 *
 * libharu writes the file: objects, page content, compression, the cross
 * reference.  The fonts we build ourselves with its object API, because its
 * own font path costs and breaks too much (measured with libharu 2.3.0):
 * in UTF-8 mode HPDF_GetFont looks up all 65,536 codes in every document
 * (81% of our instructions), writes an invalid ToUnicode CMap, no CIDSet,
 * width and glyph maps for every code, and embeds every glyph slot of the
 * font.  Here each font is a Type0/CIDFontType2 pair whose codes, widths,
 * glyph map, ToUnicode map and CIDSet cover exactly the characters the file
 * prints, with a font program cut down to those glyphs (ttf_subset.c).
 * The dictionaries are registered as libharu fonts, so HPDF_Page_SetFont-
 * AndSize still manages the page resources.  write_pdfa() adds the XMP
 * packet, sRGB output intent and a file ID derived from the content.  The
 * libharu facts behind this are in CONTRIBUTING.md, "Library facts".
 */
#include "render_pdf.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_font.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_pdfa.h>
#include <hpdf_streams.h>

#include <zlib.h>

#include "ttf_subset.h"
#include "util.h"

#define CP_LIMIT 0x10000
/* A CMap block holds at most 100 entries (PDF Reference, 5.9.2). */
#define CMAP_BLOCK 100

/* The palette, in sRGB (the output intent). */
static const float COLORS[SS_COLOR_COUNT][3] = {
    [SS_COLOR_TEXT] = {0.11f, 0.12f, 0.14f},
    [SS_COLOR_HEADING] = {0.07f, 0.29f, 0.50f},
    [SS_COLOR_BAND] = {0.06f, 0.19f, 0.34f},
    [SS_COLOR_BAND_TEXT] = {1.0f, 1.0f, 1.0f},
    [SS_COLOR_RULE] = {0.62f, 0.66f, 0.71f},
    [SS_COLOR_MUTED] = {0.33f, 0.35f, 0.38f},
    [SS_COLOR_SAMPLE] = {0.72f, 0.05f, 0.11f},
};

/* How one font's characters are coded in this file.  Compact: one byte a
 * character, ASCII as itself and every other character given a code from
 * 128 up, in order of first use: a sheet uses far fewer than 128 other
 * characters per font, one-byte strings are a third of the size of
 * two-byte hex ones, and justification can use Tw (PDF applies word
 * spacing to the one-byte code 32).  Wide: two bytes, the code is the
 * Unicode value (files with many pages).  Either way the code is the CID,
 * so W, CIDToGIDMap, ToUnicode and CIDSet are indexed by code. */
typedef struct fontenc {
    bool wide;
    long cp[256];    /* compact: code point of a code, -1 = unused */
    int next;        /* compact: next free code above ASCII */
    uint8_t *used;   /* wide: code points drawn (allocated when wide) */
} fontenc;

struct ss_pdf {
    HPDF_Doc doc;
    HPDF_Font font[2];  /* our Type0 dictionaries, registered as fonts */
    HPDF_Dict cidfont[2];
    const ss_fonts *fonts;
    ss_diag *diag;
    fontenc enc[2];
    bool single_page;
    ss_buf content;     /* everything drawn and said: the file ID's source */
    int npages;
    HPDF_STATUS last_error, last_detail;
};

static void on_error(HPDF_STATUS e, HPDF_STATUS detail, void *user)
{
    ss_pdf *p = user;
    p->last_error = e;
    p->last_detail = detail;
}

/* One message for every libharu failure, in the same diagnostics. */
static bool failed(ss_pdf *p, const char *what)
{
    ss_diag_error(p->diag, NULL, 0, "the PDF library failed while %s (libharu "
                  "error 0x%04X, detail %u); this is a bug in statesheet, please "
                  "report it", what, (unsigned)p->last_error,
                  (unsigned)p->last_detail);
    return false;
}

static void enc_init(fontenc *e, bool wide)
{
    e->wide = wide;
    e->used = wide ? ss_xcalloc(CP_LIMIT, 1) : NULL;
    for (int i = 0; i < 256; i++)
        e->cp[i] = -1;
    e->next = 128;
}

static void enc_free(fontenc *e)
{
    free(e->used);
    e->used = NULL;
}

/* The compact code of cp, or 0 when it has none yet.  ASCII is itself;
 * the few other characters of a sheet are found by a short search. */
static int enc_lookup(const fontenc *e, long cp)
{
    if (cp >= 32 && cp < 127)
        return e->cp[cp] == cp ? (int)cp : 0;
    for (int c = 128; c < e->next; c++)
        if (e->cp[c] == cp)
            return c;
    return 0;
}

/* Turns a compact font wide (its one page had too many characters). */
static void enc_widen(fontenc *e)
{
    e->used = ss_xcalloc(CP_LIMIT, 1);
    for (int c = 0; c < 256; c++)
        if (e->cp[c] >= 0 && e->cp[c] < CP_LIMIT)
            e->used[e->cp[c]] = 1;
    e->wide = true;
}

/* Gives cp a code; false when the compact codes have run out. */
static bool enc_reserve(fontenc *e, long cp)
{
    if (cp < 0 || cp >= CP_LIMIT)
        return true; /* never reached: text is checked against the font */
    if (e->wide) {
        e->used[cp] = 1;
        return true;
    }
    if (enc_lookup(e, cp))
        return true;
    int c;
    if (cp >= 32 && cp < 127)
        c = (int)cp;
    else if (e->next <= 255)
        c = e->next++;
    else
        return false;
    e->cp[c] = cp;
    return true;
}

static long enc_code(const fontenc *e, long cp)
{
    return e->wide ? cp : enc_lookup(e, cp);
}

/* ---- compression -------------------------------------------------------
 * Streams are compressed here, not by libharu: one call per stream with a
 * hash table sized for a sheet's small streams (zlib's default clears
 * 64 KB per stream; libharu also feeds it 4 KB at a time), and the streams
 * that never change (colour profile, one-byte CMap) are compressed once per
 * run.  libharu then copies the bytes as they are; write_fn adds /Filter. */

/* A sheet's streams are under 32 KB: a 2^13 hash table (memLevel 6) loses
 * nothing measurable against the default 2^15. */
#define Z_MEMLEVEL 6

static HPDF_STATUS write_flate_key(HPDF_Dict dict, HPDF_Stream out)
{
    (void)dict;
    return HPDF_Stream_WriteStr(out, "/Filter /FlateDecode\012");
}

/* One deflate state per thread, reset between streams: setting one up
 * (allocating and clearing its tables) cost more than compressing a
 * sheet's small streams.  All are kept in a list and freed at exit. */
static _Thread_local z_stream *thread_z;
static struct {
    pthread_mutex_t lock;
    z_stream **all;
    size_t n, cap;
} deflaters = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0};

static void deflaters_free(void)
{
    for (size_t i = 0; i < deflaters.n; i++) {
        deflateEnd(deflaters.all[i]);
        free(deflaters.all[i]);
    }
    free(deflaters.all);
}

static z_stream *deflater(void)
{
    if (thread_z)
        return deflateReset(thread_z) == Z_OK ? thread_z : NULL;
    z_stream *z = ss_xcalloc(1, sizeof *z);
    if (deflateInit2(z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15, Z_MEMLEVEL,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        free(z);
        return NULL;
    }
    pthread_mutex_lock(&deflaters.lock);
    if (!deflaters.all)
        atexit(deflaters_free);
    deflaters.all = ss_xgrow(deflaters.all, sizeof *deflaters.all, deflaters.n + 1,
                             &deflaters.cap);
    deflaters.all[deflaters.n++] = z;
    pthread_mutex_unlock(&deflaters.lock);
    thread_z = z;
    return z;
}

/* Compresses len bytes into out (appended).  False only when zlib fails. */
static bool deflate_into(const void *data, size_t len, ss_buf *out)
{
    z_stream *z = deflater();
    if (!z)
        return false;
    size_t bound = deflateBound(z, (uLong)len);
    size_t at = out->len;
    out->data = ss_xgrow(out->data, 1, at + bound + 1, &out->cap);
    z->next_in = (Bytef *)data;
    z->avail_in = (uInt)len;
    z->next_out = (Bytef *)out->data + at;
    z->avail_out = (uInt)bound;
    int r = deflate(z, Z_FINISH);
    out->len = at + z->total_out;
    out->data[out->len] = '\0';
    return r == Z_STREAM_END;
}

/* Makes dict's stream hold 'compressed' bytes, marked FlateDecode. */
static bool put_compressed(HPDF_Dict dict, const void *compressed, size_t len)
{
    HPDF_MemStream_FreeData(dict->stream);
    dict->filter = HPDF_STREAM_FILTER_NONE;
    dict->write_fn = write_flate_key;
    return len == 0 ||
           HPDF_Stream_Write(dict->stream, (const HPDF_BYTE *)compressed, (HPDF_UINT)len) == HPDF_OK;
}

/* A new stream object holding data, compressed. */
static HPDF_Dict new_stream(ss_pdf *p, const void *data, size_t len)
{
    HPDF_Dict s = HPDF_DictStream_New(p->doc->mmgr, p->doc->xref);
    ss_buf z;
    ss_buf_init(&z);
    bool ok = s && deflate_into(data, len, &z) && put_compressed(s, z.data, z.len);
    ss_buf_free(&z);
    return ok ? s : NULL;
}

/* Streams that are the same in every file, compressed once. */
static struct {
    pthread_mutex_t lock;
    char *icc_path;
    ss_buf icc;   /* compressed profile */
    ss_buf cmap;  /* compressed one-byte CMap */
} constants = {PTHREAD_MUTEX_INITIALIZER, NULL, {0}, {0}};

static const char ONE_BYTE_CMAP[] =
    "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> def\n"
    "/CMapName /Statesheet-OneByte-H def\n/CMapType 1 def\n/WMode 0 def\n"
    "1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
    "1 begincidrange\n<00> <FF> 0\nendcidrange\nendcmap\n"
    "CMapName currentdict /CMap defineresource pop\nend\nend\n";

static void constants_free(void)
{
    free(constants.icc_path);
    ss_buf_free(&constants.icc);
    ss_buf_free(&constants.cmap);
}

/* Fills the cache (first call) and checks it is for this profile. */
static bool constants_ready(const char *icc_path, ss_diag *diag)
{
    bool ok = true;
    pthread_mutex_lock(&constants.lock);
    if (!constants.icc_path || strcmp(constants.icc_path, icc_path)) {
        size_t len;
        int e;
        char *icc = ss_read_file(icc_path, 1u << 20, &len, &e);
        ss_buf_clear(&constants.icc);
        ss_buf_clear(&constants.cmap);
        ok = icc && deflate_into(icc, len, &constants.icc) &&
             deflate_into(ONE_BYTE_CMAP, sizeof ONE_BYTE_CMAP - 1, &constants.cmap);
        if (!icc)
            ss_diag_error(diag, icc_path, 0, "cannot read the colour profile: %s; "
                          "reinstall statesheet", strerror(e));
        free(icc);
        if (!constants.icc_path)
            atexit(constants_free);
        free(constants.icc_path);
        constants.icc_path = ok ? ss_xstrdup(icc_path) : NULL;
    }
    pthread_mutex_unlock(&constants.lock);
    return ok;
}

/* Cut-down font programs, compressed, by style and glyph set.  Sheets
 * share glyph sets far more than one would think (300 sample sheets: 33
 * distinct sets for regular text, 145 for bold), and cutting and
 * compressing a font program is a third of a sheet's cost.  Deflate is
 * deterministic, so a cached program is byte for byte the fresh one. */
#define FONT_CACHE_MAX 512 /* entries; ~5 KB each */

typedef struct cached_font {
    int style;
    uint8_t key[32]; /* SHA-256 of the glyph set */
    ss_buf z;        /* compressed program */
    size_t raw;      /* its length uncompressed (Length1) */
} cached_font;

static struct {
    pthread_mutex_t lock;
    cached_font *items;
    size_t n, cap;
} font_cache = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0};

static void font_cache_free(void)
{
    for (size_t i = 0; i < font_cache.n; i++)
        ss_buf_free(&font_cache.items[i].z);
    free(font_cache.items);
}

/* The compressed program for a glyph set: from the cache, or cut and
 * compressed now (and cached).  False when the font is damaged. */
static bool font_program(const ss_fonts *fonts, int style, const uint8_t *keep,
                         size_t nglyphs, ss_buf *z, size_t *raw)
{
    uint8_t key[32];
    ss_sha256(keep, nglyphs, key);
    bool hit = false;
    pthread_mutex_lock(&font_cache.lock);
    for (size_t i = 0; i < font_cache.n && !hit; i++) {
        cached_font *c = &font_cache.items[i];
        if (c->style == style && !memcmp(c->key, key, sizeof key)) {
            ss_buf_add(z, c->z.data, c->z.len);
            *raw = c->raw;
            hit = true;
        }
    }
    pthread_mutex_unlock(&font_cache.lock);
    if (hit)
        return true;
    size_t flen;
    const uint8_t *fdata = ss_fonts_data(fonts, style, &flen);
    ss_buf sub;
    ss_buf_init(&sub);
    bool ok = ss_ttf_subset(fdata, flen, keep, nglyphs, &sub) &&
              deflate_into(sub.data, sub.len, z);
    *raw = sub.len;
    ss_buf_free(&sub);
    if (!ok)
        return false;
    pthread_mutex_lock(&font_cache.lock);
    if (font_cache.n < FONT_CACHE_MAX) {
        if (!font_cache.items)
            atexit(font_cache_free);
        font_cache.items = ss_xgrow(font_cache.items, sizeof *font_cache.items,
                                    font_cache.n + 1, &font_cache.cap);
        cached_font *c = &font_cache.items[font_cache.n++];
        c->style = style;
        memcpy(c->key, key, sizeof key);
        ss_buf_init(&c->z);
        ss_buf_add(&c->z, z->data, z->len);
        c->raw = *raw;
    }
    pthread_mutex_unlock(&font_cache.lock);
    return true;
}

/* Our font dictionaries carry a libharu font record so that the page API
 * accepts them; nothing but SetFontAndSize looks inside. */
static void font_free(HPDF_Dict font)
{
    if (font->attr)
        HPDF_FreeMem(font->mmgr, font->attr);
    font->attr = NULL;
}

static HPDF_Font font_new(ss_pdf *p, int style)
{
    HPDF_MMgr mm = p->doc->mmgr;
    HPDF_Dict font = HPDF_Dict_New(mm);
    if (!font)
        return NULL;
    HPDF_FontAttr attr = HPDF_GetMem(mm, sizeof(HPDF_FontAttr_Rec));
    if (!attr) {
        HPDF_Dict_Free(font);
        return NULL;
    }
    memset(attr, 0, sizeof *attr);
    attr->type = HPDF_FONT_TYPE0_TT;
    attr->writing_mode = HPDF_WMODE_HORIZONTAL;
    attr->xref = p->doc->xref;
    font->attr = attr;
    font->free_fn = font_free;
    font->header.obj_class |= HPDF_OSUBCLASS_FONT;
    HPDF_Dict cid = HPDF_Dict_New(mm);
    HPDF_Array desc = HPDF_Array_New(mm);
    if (HPDF_Xref_Add(p->doc->xref, font) != HPDF_OK || !cid ||
        HPDF_Xref_Add(p->doc->xref, cid) != HPDF_OK || !desc)
        return NULL;
    HPDF_STATUS r = HPDF_Dict_AddName(font, "Type", "Font");
    r |= HPDF_Dict_AddName(font, "Subtype", "Type0");
    r |= HPDF_Dict_Add(font, "DescendantFonts", desc);
    r |= HPDF_Array_Add(desc, cid);
    r |= HPDF_Dict_AddName(cid, "Type", "Font");
    r |= HPDF_Dict_AddName(cid, "Subtype", "CIDFontType2");
    if (r != HPDF_OK)
        return NULL;
    attr->descendant_font = cid;
    p->cidfont[style] = cid;
    return font;
}

ss_pdf *ss_pdf_new(const ss_fonts *fonts, const char *icc_path, bool single_page,
                   ss_diag *diag)
{
    ss_pdf *p = ss_xcalloc(1, sizeof *p);
    p->fonts = fonts;
    p->diag = diag;
    p->single_page = single_page;
    ss_buf_init(&p->content);
    for (int s = 0; s < 2; s++)
        enc_init(&p->enc[s], !single_page);
    p->doc = HPDF_New(on_error, p);
    if (!p->doc) {
        ss_diag_error(diag, NULL, 0, "out of memory starting a PDF");
        ss_pdf_free(p);
        return NULL;
    }
    if (!constants_ready(icc_path, diag))
        goto fail;
    for (int s = 0; s < 2; s++) {
        p->font[s] = font_new(p, s);
        if (!p->font[s]) {
            failed(p, "making a font");
            goto fail;
        }
    }
    HPDF_Dict icc = HPDF_DictStream_New(p->doc->mmgr, p->doc->xref);
    if (!icc || !put_compressed(icc, constants.icc.data, constants.icc.len) ||
        HPDF_Dict_AddNumber(icc, "N", 3) != HPDF_OK ||
        HPDF_Dict_AddName(icc, "Alternate", "DeviceRGB") != HPDF_OK ||
        HPDF_PDFA_AppendOutputIntents(p->doc, "sRGB IEC61966-2.1", icc) != HPDF_OK) {
        failed(p, "adding the colour profile");
        goto fail;
    }
    return p;
fail:
    ss_pdf_free(p);
    return NULL;
}

void ss_pdf_free(ss_pdf *p)
{
    if (!p)
        return;
    if (p->doc)
        HPDF_Free(p->doc);
    enc_free(&p->enc[0]);
    enc_free(&p->enc[1]);
    ss_buf_free(&p->content);
    free(p);
}

static bool set_fill(HPDF_Page page, ss_color c)
{
    return HPDF_Page_SetRGBFill(page, COLORS[c][0], COLORS[c][1], COLORS[c][2]) == HPDF_OK;
}

/* A number for the content stream: at most 3 decimals, no exponent, no
 * locale (a decimal comma would break the file). */
static void put_num(ss_buf *b, double v)
{
    long long m = llround(v * 1000.0);
    if (m < 0) {
        ss_buf_addc(b, '-');
        m = -m;
    }
    char digits[24];
    int n = 0;
    long long whole = m / 1000;
    do
        digits[n++] = (char)('0' + whole % 10);
    while ((whole /= 10) > 0);
    while (n)
        ss_buf_addc(b, digits[--n]);
    int frac = (int)(m % 1000);
    if (frac) {
        char f[4] = {(char)('0' + frac / 100), (char)('0' + frac / 10 % 10),
                     (char)('0' + frac % 10), '\0'};
        int k = 3;
        while (k > 0 && f[k - 1] == '0')
            f[--k] = '\0';
        ss_buf_addc(b, '.');
        ss_buf_adds(b, f);
    }
}

/* Writes one code into a string: two hex digits per byte for wide fonts,
 * a literal byte (escaped where PDF needs it) for compact ones. */
static void put_code(ss_buf *b, const fontenc *e, long code)
{
    static const char HEX[] = "0123456789ABCDEF";
    if (e->wide) {
        char h[4] = {HEX[(code >> 12) & 15], HEX[(code >> 8) & 15], HEX[(code >> 4) & 15],
                     HEX[code & 15]};
        ss_buf_add(b, h, 4);
    } else if (code == '(' || code == ')' || code == '\\') {
        char esc[2] = {'\\', (char)code};
        ss_buf_add(b, esc, 2);
    } else if (code >= 32 && code < 127) {
        ss_buf_addc(b, (char)code);
    } else {
        ss_buf_printf(b, "\\%03o", (unsigned)code);
    }
}

/* "dx dy Td" and the box's text.  Justified text widens each space by the
 * box's word spacing: with Tw for compact fonts, with TJ adjustments for
 * wide ones.  *tw is the word spacing in force. */
static void text_ops(ss_buf *b, const fontenc *e, const ss_box *box, const char *text,
                     double dx, double dy, double *tw, bool joined)
{
    const char *open = e->wide ? "<" : "(", *close = e->wide ? ">" : ")";
    double ws = fabs(box->ws) > 0.0005 ? box->ws : 0;
    /* Spaces narrowed (ws < 0, a line shrunk to fit) go in TJ even for
     * compact fonts: pdfminer ignores Tw in composite fonts, and would see
     * the words of a shrunk line overlap the next box.  So do the spaces
     * of a box joined to the next without a space ("Dakota" + "."):
     * pdfminer would see a gap between them. */
    bool by_tj = e->wide || ws < 0 || (ws > 0 && joined);
    double tw_now = by_tj ? 0 : ws;
    if (!e->wide && fabs(tw_now - *tw) > 0.0005) {
        put_num(b, tw_now);
        ss_buf_adds(b, " Tw\n");
        *tw = tw_now;
    }
    put_num(b, dx);
    ss_buf_addc(b, ' ');
    put_num(b, dy);
    ss_buf_adds(b, " Td\n");
    /* TJ adjustments are in thousandths of the font size; negative moves
     * right. */
    double adj = by_tj && ws != 0 ? -ws * 1000.0 / box->size : 0;
    if (!e->wide)
        adj = (double)llround(adj); /* whole thousandths: < 0.01 pt a line */
    bool tj = adj != 0;
    if (tj)
        ss_buf_addc(b, '[');
    ss_buf_adds(b, open);
    const char *q = text, *end = text + strlen(text);
    while (q < end) {
        long cp = ss_utf8_next(&q, end);
        put_code(b, e, enc_code(e, cp));
        if (cp == ' ' && tj && q < end) {
            ss_buf_adds(b, close);
            ss_buf_addc(b, ' ');
            put_num(b, adj);
            ss_buf_addc(b, ' ');
            ss_buf_adds(b, open);
        }
    }
    ss_buf_adds(b, close);
    ss_buf_adds(b, tj ? "] TJ\n" : " Tj\n");
}

/* A UTF-16BE text string with a byte-order mark, as PDF wants for text
 * that is not plain ASCII (titles, bookmarks). */
static void *text_string(ss_pdf *p, const char *utf8)
{
    bool ascii = true;
    for (const char *c = utf8; *c; c++)
        ascii &= (unsigned char)*c < 0x80 && *c != '(' && *c != ')' && *c != '\\';
    if (ascii)
        return HPDF_String_New(p->doc->mmgr, utf8, NULL);
    ss_buf b;
    ss_buf_init(&b);
    ss_buf_add(&b, "\xFE\xFF", 2);
    const char *q = utf8, *end = utf8 + strlen(utf8);
    while (q < end) {
        long cp = ss_utf8_next(&q, end);
        if (cp < 0)
            cp = 0xFFFD;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            unsigned hi = 0xD800 + (unsigned)(cp >> 10), lo = 0xDC00 + (unsigned)(cp & 0x3FF);
            unsigned char u[4] = {(unsigned char)(hi >> 8), (unsigned char)hi,
                                  (unsigned char)(lo >> 8), (unsigned char)lo};
            ss_buf_add(&b, u, 4);
        } else {
            unsigned char u[2] = {(unsigned char)(cp >> 8), (unsigned char)cp};
            ss_buf_add(&b, u, 2);
        }
    }
    void *bin = HPDF_Binary_New(p->doc->mmgr, (HPDF_BYTE *)b.data, (HPDF_UINT)b.len);
    ss_buf_free(&b);
    return bin;
}

/* Gives every character of the page a code before anything is written; a
 * compact font whose codes run out on a file's only page turns wide. */
static bool reserve_page(ss_pdf *p, const ss_page *pg)
{
    for (size_t i = 0; i < pg->nboxes; i++) {
        const ss_box *b = &pg->boxes[i];
        if (b->kind != SS_BOX_TEXT)
            continue;
        fontenc *e = &p->enc[b->style];
        const char *q = ss_box_text(pg, b), *end = q + b->len;
        while (q < end) {
            long cp = ss_utf8_next(&q, end);
            if (enc_reserve(e, cp))
                continue;
            if (p->npages > 1)
                return false;
            enc_widen(e);
            enc_reserve(e, cp);
        }
    }
    return true;
}

bool ss_pdf_add_page(ss_pdf *p, const ss_page *pg, const char *bookmark)
{
    if (p->single_page && p->npages >= 1) {
        ss_diag_error(p->diag, NULL, 0, "internal error: a second page in a one-page PDF");
        return false;
    }
    HPDF_Page page = HPDF_AddPage(p->doc);
    if (!page || HPDF_Page_SetWidth(page, (HPDF_REAL)pg->width) != HPDF_OK ||
        HPDF_Page_SetHeight(page, (HPDF_REAL)pg->height) != HPDF_OK)
        return failed(p, "adding a page");
    p->npages++;
    if (!reserve_page(p, pg))
        return failed(p, "coding the page's characters");

    /* Shapes first (the band lies under its text), then all text in one
     * text object. */
    const ss_box *leader_state = NULL;
    for (size_t i = 0; i < pg->nboxes; i++) {
        const ss_box *b = &pg->boxes[i];
        if (b->kind == SS_BOX_TEXT)
            continue;
        if (b->kind == SS_BOX_LEADER) {
            /* Dot leaders: a dash of length 0 with round caps is a round
             * dot; written as operators (libharu's SetDash takes whole
             * points only).  Nothing else on the page strokes, so the
             * stroke state is set once, for the first leader. */
            ss_buf d;
            ss_buf_init(&d);
            if (!leader_state || leader_state->color != b->color || leader_state->h != b->h ||
                leader_state->ws != b->ws) {
                const float *rgb = COLORS[b->color];
                for (int k = 0; k < 3; k++) {
                    put_num(&d, rgb[k]);
                    ss_buf_addc(&d, ' ');
                }
                ss_buf_adds(&d, "RG ");
                put_num(&d, b->h);
                ss_buf_adds(&d, " w 1 J [0 ");
                put_num(&d, b->ws);
                ss_buf_adds(&d, "] 0 d\n");
                leader_state = b;
            }
            put_num(&d, b->x);
            ss_buf_addc(&d, ' ');
            put_num(&d, b->y);
            ss_buf_adds(&d, " m ");
            put_num(&d, b->x + b->w + 0.1); /* past the last dot */
            ss_buf_addc(&d, ' ');
            put_num(&d, b->y);
            ss_buf_adds(&d, " l S\n");
            bool wrote = HPDF_Stream_Write(((HPDF_PageAttr)page->attr)->stream,
                                           (HPDF_BYTE *)d.data, (HPDF_UINT)d.len) == HPDF_OK;
            ss_buf_add(&p->content, d.data, d.len);
            ss_buf_free(&d);
            if (!wrote)
                return failed(p, "drawing a leader");
            continue;
        }
        double y = b->kind == SS_BOX_RULE ? b->y - b->h / 2 : b->y;
        if (!set_fill(page, b->color) || HPDF_Page_Rectangle(page, (HPDF_REAL)b->x, (HPDF_REAL)y, (HPDF_REAL)b->w,
                                (HPDF_REAL)b->h) != HPDF_OK ||
            HPDF_Page_Fill(page) != HPDF_OK)
            return failed(p, "drawing a shape");
        /* The file ID's source, so no locale either (put_num, not %f). */
        ss_buf_printf(&p->content, "S%d", b->kind);
        const double v[] = {b->x, y, b->w, b->h};
        for (int k = 0; k < 4; k++) {
            ss_buf_addc(&p->content, ' ');
            put_num(&p->content, v[k]);
        }
        ss_buf_printf(&p->content, " %d\n", b->color);
    }
    if (HPDF_Page_BeginText(page) != HPDF_OK)
        return failed(p, "starting text");
    /* Fonts and colours go through libharu (it keeps the page's resources);
     * the text itself is written as one string per box: libharu's TextOut
     * can neither justify multi-byte text nor write it compactly. */
    HPDF_Stream cs = ((HPDF_PageAttr)page->attr)->stream;
    int cur_style = -1, cur_color = -1;
    double cur_size = -1, lx = 0, ly = 0, tw = 0;
    ss_buf ops;
    ss_buf_init(&ops);
    bool ok = true;
    for (size_t i = 0; ok && i < pg->nboxes; i++) {
        const ss_box *b = &pg->boxes[i];
        if (b->kind != SS_BOX_TEXT)
            continue;
        if ((int)b->style != cur_style || b->size != cur_size) {
            ok = HPDF_Page_SetFontAndSize(page, p->font[b->style], (HPDF_REAL)b->size) == HPDF_OK;
            cur_style = (int)b->style;
            cur_size = b->size;
        }
        if ((int)b->color != cur_color) {
            ok = ok && set_fill(page, b->color);
            cur_color = (int)b->color;
        }
        ss_buf_clear(&ops);
        const ss_box *nb = i + 1 < pg->nboxes ? &pg->boxes[i + 1] : NULL;
        bool joined = nb && nb->kind == SS_BOX_TEXT && nb->y == b->y && b->len &&
                      ss_box_text(pg, b)[b->len - 1] != ' ';
        text_ops(&ops, &p->enc[b->style], b, ss_box_text(pg, b), b->x - lx, b->y - ly,
                 &tw, joined);
        lx = b->x;
        ly = b->y;
        ok = ok && HPDF_Stream_Write(cs, (HPDF_BYTE *)ops.data, (HPDF_UINT)ops.len) == HPDF_OK;
        ss_buf_add(&p->content, ops.data, ops.len);
    }
    ss_buf_free(&ops);
    if (!ok)
        return failed(p, "writing text");
    if (HPDF_Page_EndText(page) != HPDF_OK)
        return failed(p, "ending text");

    /* The page's content is complete: compress it ourselves. */
    HPDF_Dict contents = ((HPDF_PageAttr)page->attr)->contents;
    HPDF_UINT32 raw = HPDF_Stream_Size(cs);
    char *bytes = ss_xmalloc(raw ? raw : 1);
    HPDF_UINT got = raw;
    ss_buf z;
    ss_buf_init(&z);
    ok = HPDF_Stream_Seek(cs, 0, HPDF_SEEK_SET) == HPDF_OK &&
         (raw == 0 || HPDF_Stream_Read(cs, (HPDF_BYTE *)bytes, &got) == HPDF_OK) &&
         got == raw && deflate_into(bytes, raw, &z) && put_compressed(contents, z.data, z.len);
    free(bytes);
    ss_buf_free(&z);
    if (!ok)
        return failed(p, "compressing the page");

    if (bookmark) {
        /* The destination as a direct [page /Fit] array: PDFBox, and so
         * PDF/A validators built on it, reject an indirect one. */
        HPDF_Outline o = HPDF_CreateOutline(p->doc, NULL, "x", NULL);
        HPDF_Array dst = HPDF_Array_New(p->doc->mmgr);
        if (!o || !dst || HPDF_Array_Add(dst, page) != HPDF_OK ||
            HPDF_Array_AddName(dst, "Fit") != HPDF_OK ||
            HPDF_Dict_Add(o, "Dest", dst) != HPDF_OK ||
            HPDF_Dict_Add(o, "Title", text_string(p, bookmark)) != HPDF_OK)
            return failed(p, "adding a bookmark");
        ss_buf_printf(&p->content, "B %s\n", bookmark);
    }
    return true;
}

/* The characters of one font in this file, by code (= CID), ascending. */
typedef struct charmap {
    long *code;
    long *cp;
    size_t n;
    long max_code;
} charmap;

static void charmap_build(const fontenc *e, charmap *m)
{
    size_t cap = e->wide ? CP_LIMIT : 256;
    m->code = ss_xcalloc(cap, sizeof(long));
    m->cp = ss_xcalloc(cap, sizeof(long));
    m->n = 0;
    m->max_code = 0;
    if (e->wide) {
        for (long cp = 0; cp < CP_LIMIT; cp++)
            if (e->used[cp])
                m->code[m->n] = cp, m->cp[m->n++] = cp;
    } else {
        for (long c = 0; c < 256; c++)
            if (e->cp[c] >= 0)
                m->code[m->n] = c, m->cp[m->n++] = e->cp[c];
    }
    if (m->n)
        m->max_code = m->code[m->n - 1];
}

static void charmap_free(charmap *m)
{
    free(m->code);
    free(m->cp);
}

/* A ToUnicode CMap: code -> the character's UTF-16 value, in blocks of at
 * most 100 entries. */
static void tounicode_text(ss_buf *b, const charmap *m, bool wide)
{
    ss_buf_adds(b, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                   "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                   "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                   "1 begincodespacerange\n");
    ss_buf_adds(b, wide ? "<0000> <FFFF>\n" : "<00> <FF>\n");
    ss_buf_adds(b, "endcodespacerange\n");
    for (size_t i = 0; i < m->n; i += CMAP_BLOCK) {
        size_t n = m->n - i < CMAP_BLOCK ? m->n - i : CMAP_BLOCK;
        ss_buf_printf(b, "%zu beginbfchar\n", n);
        for (size_t j = i; j < i + n; j++)
            ss_buf_printf(b, wide ? "<%04lX> <%04lX>\n" : "<%02lX> <%04lX>\n", m->code[j],
                          m->cp[j]);
        ss_buf_adds(b, "endbfchar\n");
    }
    ss_buf_adds(b, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
}

/* CIDSystemInfo for the font and its CMap: Adobe-Identity-0. */
static HPDF_Dict system_info(ss_pdf *p)
{
    HPDF_Dict info = HPDF_Dict_New(p->doc->mmgr);
    if (!info)
        return NULL;
    HPDF_STATUS r = HPDF_Dict_Add(info, "Registry", HPDF_String_New(p->doc->mmgr, "Adobe", NULL));
    r |= HPDF_Dict_Add(info, "Ordering", HPDF_String_New(p->doc->mmgr, "Identity", NULL));
    r |= HPDF_Dict_AddNumber(info, "Supplement", 0);
    return r == HPDF_OK ? info : NULL;
}

/* The font's Encoding.  Wide fonts use the predefined /Identity-H (two-byte
 * code = CID); compact ones an embedded CMap mapping each byte to the same
 * CID. */
static bool write_encoding(ss_pdf *p, HPDF_Font font, bool wide)
{
    if (wide)
        return HPDF_Dict_AddName(font, "Encoding", "Identity-H") == HPDF_OK;
    HPDF_Dict cmap = HPDF_DictStream_New(p->doc->mmgr, p->doc->xref);
    if (cmap && !put_compressed(cmap, constants.cmap.data, constants.cmap.len))
        cmap = NULL;
    HPDF_Dict info = system_info(p);
    if (!cmap || !info)
        return false;
    HPDF_STATUS r = HPDF_Dict_AddName(cmap, "Type", "CMap");
    r |= HPDF_Dict_AddName(cmap, "CMapName", "Statesheet-OneByte-H");
    r |= HPDF_Dict_Add(cmap, "CIDSystemInfo", info);
    r |= HPDF_Dict_AddNumber(cmap, "WMode", 0);
    r |= HPDF_Dict_Add(font, "Encoding", cmap);
    return r == HPDF_OK;
}

/* Six capital letters from the glyph set: a subset font's name tag
 * (PDF Reference 5.5.3), the same for the same glyphs. */
static void subset_tag(const charmap *m, int style, char tag[8])
{
    ss_buf b;
    ss_buf_init(&b);
    ss_buf_add(&b, &style, sizeof style);
    ss_buf_add(&b, m->code, m->n * sizeof *m->code);
    ss_buf_add(&b, m->cp, m->n * sizeof *m->cp);
    uint8_t h[32];
    ss_sha256(b.data, b.len, h);
    ss_buf_free(&b);
    for (int i = 0; i < 6; i++)
        tag[i] = (char)('A' + h[i] % 26);
    tag[6] = '+';
    tag[7] = '\0';
}

/* Fills in one font: everything is known once the pages are drawn. */
static bool finish_font(ss_pdf *p, int style)
{
    HPDF_MMgr mm = p->doc->mmgr;
    HPDF_Font font = p->font[style];
    HPDF_Dict cid = p->cidfont[style];
    const fontenc *e = &p->enc[style];
    const ss_font_metrics *fm = ss_fonts_metrics(p->fonts, style);
    charmap m;
    charmap_build(e, &m);
    bool ok = false;
    ss_buf buf, sub;
    ss_buf_init(&buf);
    ss_buf_init(&sub);
    char tag[8], name[160];
    subset_tag(&m, style, tag);
    snprintf(name, sizeof name, "%s%s", tag, fm->name);

    /* W: the widths of the used codes, in runs of consecutive codes. */
    HPDF_Array w = HPDF_Array_New(mm), run = NULL;
    if (!w)
        goto fail;
    for (size_t i = 0; i < m.n; i++) {
        if (!run || m.code[i] != m.code[i - 1] + 1) {
            run = HPDF_Array_New(mm);
            if (!run || HPDF_Array_AddNumber(w, (HPDF_INT32)m.code[i]) != HPDF_OK ||
                HPDF_Array_Add(w, run) != HPDF_OK)
                goto fail;
        }
        if (HPDF_Array_AddNumber(run, ss_fonts_advance(p->fonts, style, m.cp[i])) != HPDF_OK)
            goto fail;
    }

    /* CIDToGIDMap, up to the largest code used; and the glyphs to keep. */
    size_t nmap = (size_t)(m.max_code + 1) * 2;
    uint8_t *map = ss_xcalloc(nmap, 1);
    uint8_t *keep = ss_xcalloc(fm->num_glyphs ? fm->num_glyphs : 1, 1);
    for (size_t i = 0; i < m.n; i++) {
        /* A soft hyphen ends a line broken by hyphenation: drawn as the
         * hyphen's glyph (one glyph fewer to embed), read as U+00AD. */
        unsigned gid = ss_fonts_gid(p->fonts, style, m.cp[i] == 0xAD ? '-' : m.cp[i]);
        map[2 * m.code[i]] = (uint8_t)(gid >> 8);
        map[2 * m.code[i] + 1] = (uint8_t)gid;
        if (gid < fm->num_glyphs)
            keep[gid] = 1;
    }
    HPDF_Dict gidmap = new_stream(p, map, nmap);
    free(map);
    size_t raw = 0;
    bool cut = font_program(p->fonts, style, keep, fm->num_glyphs, &sub, &raw);
    free(keep);
    if (!cut) {
        ss_diag_error(p->diag, ss_fonts_path(p->fonts, style), 0, "the font cannot be "
                      "embedded: its tables are damaged; reinstall statesheet");
        goto done;
    }

    /* CIDSet: which CIDs the embedded font has (PDF/A-1, 6.3.5). */
    size_t nbits = (size_t)m.max_code / 8 + 1;
    uint8_t *bits = ss_xcalloc(nbits, 1);
    bits[0] |= 0x80; /* CID 0, .notdef, is always there */
    for (size_t i = 0; i < m.n; i++)
        bits[m.code[i] / 8] |= (uint8_t)(0x80 >> (m.code[i] % 8));
    HPDF_Dict cidset = new_stream(p, bits, nbits);
    free(bits);

    tounicode_text(&buf, &m, e->wide);
    HPDF_Dict tounicode = new_stream(p, buf.data, buf.len);
    HPDF_Dict file = HPDF_DictStream_New(mm, p->doc->xref);
    if (file && !put_compressed(file, sub.data, sub.len))
        file = NULL;
    HPDF_Dict fd = HPDF_Dict_New(mm);
    HPDF_Dict info = system_info(p);
    HPDF_Array bbox = HPDF_Array_New(mm);
    if (!gidmap || !cidset || !tounicode || !file || !fd || !info || !bbox ||
        HPDF_Xref_Add(p->doc->xref, fd) != HPDF_OK)
        goto fail;
    HPDF_STATUS r = HPDF_OK;
    for (int i = 0; i < 4; i++)
        r |= HPDF_Array_AddNumber(bbox, fm->bbox[i]);
    r |= HPDF_Dict_AddNumber(file, "Length1", (HPDF_INT32)raw);
    r |= HPDF_Dict_AddName(fd, "Type", "FontDescriptor");
    r |= HPDF_Dict_AddName(fd, "FontName", name);
    r |= HPDF_Dict_AddNumber(fd, "Flags", (HPDF_INT32)fm->flags);
    r |= HPDF_Dict_Add(fd, "FontBBox", bbox);
    r |= HPDF_Dict_AddNumber(fd, "ItalicAngle", fm->italic_angle);
    r |= HPDF_Dict_AddNumber(fd, "Ascent", fm->ascent);
    r |= HPDF_Dict_AddNumber(fd, "Descent", fm->descent);
    r |= HPDF_Dict_AddNumber(fd, "CapHeight", fm->cap_height);
    r |= HPDF_Dict_AddNumber(fd, "XHeight", fm->x_height);
    r |= HPDF_Dict_AddNumber(fd, "StemV", fm->stemv);
    r |= HPDF_Dict_Add(fd, "FontFile2", file);
    r |= HPDF_Dict_Add(fd, "CIDSet", cidset);
    r |= HPDF_Dict_AddName(cid, "BaseFont", name);
    r |= HPDF_Dict_Add(cid, "CIDSystemInfo", info);
    r |= HPDF_Dict_Add(cid, "FontDescriptor", fd);
    r |= HPDF_Dict_AddNumber(cid, "DW", fm->missing_width);
    r |= HPDF_Dict_Add(cid, "W", w);
    r |= HPDF_Dict_Add(cid, "CIDToGIDMap", gidmap);
    r |= HPDF_Dict_AddName(font, "BaseFont", name);
    r |= HPDF_Dict_Add(font, "ToUnicode", tounicode);
    if (r != HPDF_OK || !write_encoding(p, font, e->wide))
        goto fail;
    ok = true;
    goto done;
fail:
    failed(p, "writing a font");
done:
    ss_buf_free(&buf);
    ss_buf_free(&sub);
    charmap_free(&m);
    return ok;
}

/* XML-escapes UTF-8 text for the XMP packet. */
static void xml_escape(ss_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            ss_buf_adds(b, "&amp;");
            break;
        case '<':
            ss_buf_adds(b, "&lt;");
            break;
        case '>':
            ss_buf_adds(b, "&gt;");
            break;
        case '"':
            ss_buf_adds(b, "&quot;");
            break;
        default:
            ss_buf_addc(b, *s);
        }
    }
}

static void xmp_packet(ss_buf *b, const ss_pdf_info *info, const char *producer,
                       const char *date)
{
    ss_buf_adds(b, "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
                   "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
                   "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
                   "<rdf:Description rdf:about=\"\" "
                   "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
                   "<dc:format>application/pdf</dc:format>\n"
                   "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">");
    xml_escape(b, info->title);
    ss_buf_adds(b, "</rdf:li></rdf:Alt></dc:title>\n<dc:creator><rdf:Seq><rdf:li>");
    xml_escape(b, info->author);
    ss_buf_adds(b, "</rdf:li></rdf:Seq></dc:creator>\n"
                   "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">");
    xml_escape(b, info->subject);
    ss_buf_adds(b, "</rdf:li></rdf:Alt></dc:description>\n</rdf:Description>\n"
                   "<rdf:Description rdf:about=\"\" "
                   "xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\n<xmp:CreateDate>");
    ss_buf_adds(b, date);
    ss_buf_adds(b, "</xmp:CreateDate>\n<xmp:ModifyDate>");
    ss_buf_adds(b, date);
    ss_buf_adds(b, "</xmp:ModifyDate>\n<xmp:CreatorTool>");
    xml_escape(b, info->creator);
    ss_buf_adds(b, "</xmp:CreatorTool>\n</rdf:Description>\n"
                   "<rdf:Description rdf:about=\"\" "
                   "xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n<pdf:Producer>");
    xml_escape(b, producer);
    ss_buf_adds(b, "</pdf:Producer>\n<pdf:Keywords>");
    xml_escape(b, info->keywords);
    ss_buf_adds(b, "</pdf:Keywords>\n</rdf:Description>\n"
                   "<rdf:Description rdf:about=\"\" "
                   "xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n"
                   "<pdfaid:part>1</pdfaid:part>\n"
                   "<pdfaid:conformance>B</pdfaid:conformance>\n"
                   "</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n"
                   "<?xpacket end=\"w\"?>");
}

static bool write_pdfa(ss_pdf *p, const ss_pdf_info *info)
{
    HPDF_Doc doc = p->doc;
    struct tm tm;
    time_t t = info->created;
    gmtime_r(&t, &tm);
    HPDF_Date d = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                   tm.tm_min, tm.tm_sec, '+', 0, 0};
    char xmpdate[32];
    strftime(xmpdate, sizeof xmpdate, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
    const char *producer = "Haru Free PDF Library " HPDF_VERSION_TEXT;

    /* Info: plain strings via libharu, then text strings where needed. */
    if (HPDF_SetInfoAttr(doc, HPDF_INFO_PRODUCER, producer) != HPDF_OK ||
        HPDF_SetInfoAttr(doc, HPDF_INFO_TITLE, "-") != HPDF_OK ||
        HPDF_SetInfoDateAttr(doc, HPDF_INFO_CREATION_DATE, d) != HPDF_OK ||
        HPDF_SetInfoDateAttr(doc, HPDF_INFO_MOD_DATE, d) != HPDF_OK)
        return failed(p, "writing the document info");
    HPDF_Dict infod = doc->info;
    if (!infod || HPDF_Dict_Add(infod, "Title", text_string(p, info->title)) != HPDF_OK ||
        HPDF_Dict_Add(infod, "Author", text_string(p, info->author)) != HPDF_OK ||
        HPDF_Dict_Add(infod, "Subject", text_string(p, info->subject)) != HPDF_OK ||
        HPDF_Dict_Add(infod, "Keywords", text_string(p, info->keywords)) != HPDF_OK ||
        HPDF_Dict_Add(infod, "Creator", text_string(p, info->creator)) != HPDF_OK)
        return failed(p, "writing the document info");

    /* XMP metadata, unfiltered as PDF/A-1 requires. */
    ss_buf x;
    ss_buf_init(&x);
    xmp_packet(&x, info, producer, xmpdate);
    HPDF_Dict meta = HPDF_DictStream_New(doc->mmgr, doc->xref);
    bool ok = meta && HPDF_Dict_AddName(meta, "Type", "Metadata") == HPDF_OK &&
              HPDF_Dict_AddName(meta, "Subtype", "XML") == HPDF_OK &&
              HPDF_Stream_Write(meta->stream, (HPDF_BYTE *)x.data, (HPDF_UINT)x.len) == HPDF_OK &&
              HPDF_Dict_Add(doc->catalog, "Metadata", meta) == HPDF_OK;
    if (meta)
        meta->filter = HPDF_STREAM_FILTER_NONE;
    ss_buf_add(&p->content, x.data, x.len);
    ss_buf_free(&x);
    if (!ok)
        return failed(p, "writing the metadata");

    /* The file ID: a digest of everything drawn and said, never the time,
     * so the same inputs give the same bytes. */
    uint8_t id[32];
    ss_sha256(p->content.data, p->content.len, id);
    HPDF_Array ids = HPDF_Array_New(doc->mmgr);
    if (!ids || HPDF_Array_Add(ids, HPDF_Binary_New(doc->mmgr, id, 16)) != HPDF_OK ||
        HPDF_Array_Add(ids, HPDF_Binary_New(doc->mmgr, id, 16)) != HPDF_OK ||
        HPDF_Dict_Add(doc->trailer, "ID", ids) != HPDF_OK)
        return failed(p, "writing the file ID");
    return true;
}

bool ss_pdf_finish(ss_pdf *p, const ss_pdf_info *info, ss_buf *out)
{
    for (int s = 0; s < 2; s++)
        if (!finish_font(p, s))
            return false;
    if (!write_pdfa(p, info))
        return false;
    if (HPDF_SaveToStream(p->doc) != HPDF_OK)
        return failed(p, "writing the file");
    HPDF_UINT32 size = HPDF_GetStreamSize(p->doc);
    size_t at = out->len;
    ss_buf_add(out, NULL, 0);
    out->data = ss_xgrow(out->data, 1, at + size + 1, &out->cap);
    HPDF_UINT32 got = size;
    if (HPDF_ReadFromStream(p->doc, (HPDF_BYTE *)out->data + at, &got) != HPDF_OK &&
        got != size)
        return failed(p, "reading the file back");
    out->len = at + got;
    out->data[out->len] = '\0';
    return true;
}
