/* render_pdf.c - boxes -> libharu -> PDF/A-1b bytes.
 *
 * libharu 2.3.0's UTF-8 mode (CID fonts, needed for characters such as the
 * okina in "Hawaiʻi") writes an invalid ToUnicode CMap, no CIDSet, a width
 * array and CIDToGIDMap for all 65,536 codes, and no usable PDF/A metadata.
 * finish_font() replaces those objects, before libharu writes them, with
 * ones that cover exactly the characters this file prints; write_pdfa()
 * adds the XMP packet, output intent and file ID.  See
 * shared/notes/libraries.md.
 */
#include "render_pdf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_pdfa.h>
#include <hpdf_streams.h>

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
 * characters per font, and one-byte literal strings are a third of the
 * size of two-byte hex ones.  Wide: two bytes, the code is the Unicode
 * value (for files with many pages, or a page with more characters).
 * Either way the code is the CID, so W, CIDToGIDMap, ToUnicode and CIDSet
 * are indexed by code. */
typedef struct fontenc {
    bool wide;
    uint8_t *code;   /* compact: code of a code point, 0 = none yet */
    long cp[256];    /* compact: code point of a code, -1 = unused */
    int next;        /* compact: next free code above ASCII */
    uint8_t *used;   /* code points drawn */
} fontenc;

struct ss_pdf {
    HPDF_Doc doc;
    HPDF_Font font[2];
    const ss_fonts *fonts;
    ss_diag *diag;
    fontenc enc[2];
    bool single_page;
    ss_buf content;  /* everything drawn and said: the file ID's source */
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
    e->code = ss_xcalloc(CP_LIMIT, 1);
    e->used = ss_xcalloc(CP_LIMIT, 1);
    for (int i = 0; i < 256; i++)
        e->cp[i] = -1;
    e->next = 128;
}

static void enc_free(fontenc *e)
{
    free(e->code);
    free(e->used);
}

/* Gives cp a code; false when the compact codes have run out. */
static bool enc_reserve(fontenc *e, long cp)
{
    if (cp < 0 || cp >= CP_LIMIT)
        return true; /* never reached: text is checked against the font */
    e->used[cp] = 1;
    if (e->wide || e->code[cp] || (cp >= 32 && cp < 127 && e->cp[cp] == cp))
        return true;
    int c;
    if (cp >= 32 && cp < 127)
        c = (int)cp;
    else if (e->next <= 255)
        c = e->next++;
    else
        return false;
    e->code[cp] = (uint8_t)c;
    e->cp[c] = cp;
    return true;
}

static long enc_code(const fontenc *e, long cp)
{
    if (e->wide)
        return cp;
    return cp >= 32 && cp < 127 ? cp : e->code[cp];
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
    if (HPDF_UseUTFEncodings(p->doc) != HPDF_OK ||
        HPDF_SetCompressionMode(p->doc, HPDF_COMP_ALL) != HPDF_OK) {
        failed(p, "setting up the document");
        goto fail;
    }
    for (int s = 0; s < 2; s++) {
        const char *name = HPDF_LoadTTFontFromFile(p->doc, ss_fonts_path(fonts, s), HPDF_TRUE);
        p->font[s] = name ? HPDF_GetFont(p->doc, name, "UTF-8") : NULL;
        if (!p->font[s]) {
            failed(p, "loading a font");
            goto fail;
        }
        /* libharu gives the font's CMap and glyph map streams the font
         * dictionary's filter when it writes them: compress them. */
        p->font[s]->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
    }
    HPDF_OutputIntent icc = HPDF_LoadIccProfileFromFile(p->doc, icc_path, 3);
    if (icc)
        icc->filter = HPDF_STREAM_FILTER_FLATE_DECODE; /* libharu stores it raw */
    if (!icc || HPDF_PDFA_AppendOutputIntents(p->doc, "sRGB IEC61966-2.1", icc) != HPDF_OK) {
        ss_diag_error(diag, icc_path, 0, "cannot use the colour profile; reinstall "
                      "statesheet");
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

static void set_fill(HPDF_Page page, ss_color c)
{
    HPDF_Page_SetRGBFill(page, COLORS[c][0], COLORS[c][1], COLORS[c][2]);
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
    ss_buf_printf(b, "%lld", m / 1000);
    if (m % 1000) {
        char frac[8];
        snprintf(frac, sizeof frac, ".%03lld", m % 1000);
        size_t n = strlen(frac);
        while (frac[n - 1] == '0')
            frac[--n] = '\0';
        ss_buf_adds(b, frac);
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
 * box's word spacing: with Tw for compact fonts (PDF applies it to the
 * one-byte code 32), with TJ adjustments for wide ones.  *tw is the word
 * spacing in force. */
static void text_ops(ss_buf *b, const fontenc *e, const ss_box *box, const char *text,
                     double dx, double dy, double *tw)
{
    const char *open = e->wide ? "<" : "(", *close = e->wide ? ">" : ")";
    double ws = box->ws > 0.0005 ? box->ws : 0;
    if (!e->wide && fabs(ws - *tw) > 0.0005) {
        put_num(b, ws);
        ss_buf_adds(b, " Tw\n");
        *tw = ws;
    }
    put_num(b, dx);
    ss_buf_addc(b, ' ');
    put_num(b, dy);
    ss_buf_adds(b, " Td\n");
    /* TJ adjustments are in thousandths of the font size; negative moves
     * right. */
    double adj = e->wide && ws > 0 ? -ws * 1000.0 / box->size : 0;
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
            if (enc_reserve(e, ss_utf8_next(&q, end)))
                continue;
            if (p->npages > 1)
                return false;
            e->wide = true;
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
    for (size_t i = 0; i < pg->nboxes; i++) {
        const ss_box *b = &pg->boxes[i];
        if (b->kind == SS_BOX_TEXT)
            continue;
        set_fill(page, b->color);
        double y = b->kind == SS_BOX_RULE ? b->y - b->h / 2 : b->y;
        if (HPDF_Page_Rectangle(page, (HPDF_REAL)b->x, (HPDF_REAL)y, (HPDF_REAL)b->w,
                                (HPDF_REAL)b->h) != HPDF_OK ||
            HPDF_Page_Fill(page) != HPDF_OK)
            return failed(p, "drawing a shape");
        ss_buf_printf(&p->content, "S%d %.2f %.2f %.2f %.2f %d\n", b->kind, b->x, y, b->w,
                      b->h, b->color);
    }
    if (HPDF_Page_BeginText(page) != HPDF_OK)
        return failed(p, "starting text");
    /* Fonts and colours go through libharu (it keeps the page's resources);
     * the text itself is written as one TJ array per box: libharu's TextOut
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
            set_fill(page, b->color);
            cur_color = (int)b->color;
        }
        ss_buf_clear(&ops);
        text_ops(&ops, &p->enc[b->style], b, ss_box_text(pg, b), b->x - lx, b->y - ly,
                 &tw);
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

    if (bookmark) {
        HPDF_Outline o = HPDF_CreateOutline(p->doc, NULL, "x", NULL);
        HPDF_Destination dst = HPDF_Page_CreateDestination(page);
        if (!o || !dst || HPDF_Destination_SetFit(dst) != HPDF_OK ||
            HPDF_Outline_SetDestination(o, dst) != HPDF_OK ||
            HPDF_Dict_Add(o, "Title", text_string(p, bookmark)) != HPDF_OK)
            return failed(p, "adding a bookmark");
        ss_buf_printf(&p->content, "B %s\n", bookmark);
    }
    return true;
}

/* The characters of one font in this file, by code (= CID). */
typedef struct charmap {
    long *code; /* ascending */
    long *cp;
    size_t n;
    long max_code;
} charmap;

static void charmap_build(const fontenc *e, charmap *m)
{
    m->code = ss_xcalloc(CP_LIMIT, sizeof(long));
    m->cp = ss_xcalloc(CP_LIMIT, sizeof(long));
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

static void hex_code(char *out, size_t size, long code, bool wide)
{
    snprintf(out, size, wide ? "<%04lX>" : "<%02lX>", code);
}

/* A ToUnicode CMap: code -> the character's UTF-16 value, in blocks of at
 * most 100 entries. */
static void write_tounicode(HPDF_Stream s, const charmap *m, bool wide)
{
    HPDF_Stream_WriteStr(s, "/CIDInit /ProcSet findresource begin\n"
                            "12 dict begin\nbegincmap\n"
                            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) "
                            "/Supplement 0 >> def\n"
                            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                            "1 begincodespacerange\n");
    HPDF_Stream_WriteStr(s, wide ? "<0000> <FFFF>\n" : "<00> <FF>\n");
    HPDF_Stream_WriteStr(s, "endcodespacerange\n");
    char line[64], code[16];
    for (size_t i = 0; i < m->n; i += CMAP_BLOCK) {
        size_t n = m->n - i < CMAP_BLOCK ? m->n - i : CMAP_BLOCK;
        snprintf(line, sizeof line, "%zu beginbfchar\n", n);
        HPDF_Stream_WriteStr(s, line);
        for (size_t j = i; j < i + n; j++) {
            hex_code(code, sizeof code, m->code[j], wide);
            snprintf(line, sizeof line, "%s <%04lX>\n", code, m->cp[j]);
            HPDF_Stream_WriteStr(s, line);
        }
        HPDF_Stream_WriteStr(s, "endbfchar\n");
    }
    HPDF_Stream_WriteStr(s, "endcmap\nCMapName currentdict /CMap defineresource pop\n"
                            "end\nend\n");
}

/* The font's Encoding.  Wide fonts keep libharu's /Identity-H (two-byte
 * code = CID); compact ones get an embedded CMap mapping each byte to the
 * same CID. */
static bool write_encoding(ss_pdf *p, HPDF_Font font, bool wide)
{
    if (wide)
        return true;
    HPDF_FontAttr attr = (HPDF_FontAttr)font->attr;
    HPDF_CMapEncoderAttr ea = (HPDF_CMapEncoderAttr)attr->encoder->attr;
    static const char NAME[] = "Statesheet-OneByte-H";
    HPDF_Dict cmap = HPDF_DictStream_New(p->doc->mmgr, p->doc->xref);
    HPDF_Dict info = HPDF_Dict_New(p->doc->mmgr);
    if (!cmap || !info)
        return failed(p, "writing a font encoding");
    cmap->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
    HPDF_STATUS r = HPDF_Dict_AddName(cmap, "Type", "CMap");
    r |= HPDF_Dict_AddName(cmap, "CMapName", NAME);
    r |= HPDF_Dict_Add(info, "Registry", HPDF_String_New(p->doc->mmgr, ea->registry, NULL));
    r |= HPDF_Dict_Add(info, "Ordering", HPDF_String_New(p->doc->mmgr, ea->ordering, NULL));
    r |= HPDF_Dict_AddNumber(info, "Supplement", (HPDF_INT32)ea->suppliment);
    r |= HPDF_Dict_Add(cmap, "CIDSystemInfo", info);
    r |= HPDF_Dict_AddNumber(cmap, "WMode", 0);
    char buf[1024];
    snprintf(buf, sizeof buf, "/CIDInit /ProcSet findresource begin\n12 dict begin\n"
             "begincmap\n/CIDSystemInfo << /Registry (%s) /Ordering (%s) /Supplement "
             "%u >> def\n/CMapName /%s def\n/CMapType 1 def\n/WMode 0 def\n"
             "1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
             "1 begincidrange\n<00> <FF> 0\nendcidrange\nendcmap\n"
             "CMapName currentdict /CMap defineresource pop\nend\nend\n",
             ea->registry, ea->ordering, (unsigned)ea->suppliment, NAME);
    r |= HPDF_Stream_WriteStr(cmap->stream, buf);
    r |= HPDF_Dict_Add(font, "Encoding", cmap);
    return r == HPDF_OK ? true : failed(p, "writing a font encoding");
}

/* Makes the font descriptor with the embedded, cut-down font program. */
static bool embed_font(ss_pdf *p, int style, HPDF_FontDef def, const charmap *m)
{
    HPDF_MMgr mm = p->doc->mmgr;
    HPDF_TTFontDefAttr da = (HPDF_TTFontDefAttr)def->attr;
    size_t len;
    const uint8_t *data = ss_fonts_data(p->fonts, style, &len);
    uint8_t *keep = ss_xcalloc(da->num_glyphs ? da->num_glyphs : 1, 1);
    for (size_t i = 0; i < m->n; i++) {
        HPDF_UINT16 gid = HPDF_TTFontDef_GetGlyphid(def, (HPDF_UINT16)m->cp[i]);
        if (gid < da->num_glyphs)
            keep[gid] = 1;
    }
    ss_buf sub;
    ss_buf_init(&sub);
    bool ok = ss_ttf_subset(data, len, keep, da->num_glyphs, &sub);
    free(keep);
    if (!ok) {
        ss_buf_free(&sub);
        ss_diag_error(p->diag, ss_fonts_path(p->fonts, style), 0, "the font cannot be "
                      "embedded: its tables are damaged; reinstall statesheet");
        return false;
    }
    HPDF_Dict fd = HPDF_Dict_New(mm);
    HPDF_Dict file = HPDF_DictStream_New(mm, p->doc->xref);
    ok = fd && file && HPDF_Xref_Add(p->doc->xref, fd) == HPDF_OK;
    if (ok) {
        file->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
        HPDF_STATUS r = HPDF_Stream_Write(file->stream, (HPDF_BYTE *)sub.data, (HPDF_UINT)sub.len);
        r |= HPDF_Dict_AddNumber(file, "Length1", (HPDF_INT32)sub.len);
        r |= HPDF_Dict_AddName(fd, "Type", "FontDescriptor");
        r |= HPDF_Dict_AddName(fd, "FontName", da->base_font);
        r |= HPDF_Dict_AddNumber(fd, "Flags", (HPDF_INT32)def->flags);
        r |= HPDF_Dict_Add(fd, "FontBBox", HPDF_Box_Array_New(mm, def->font_bbox));
        r |= HPDF_Dict_AddNumber(fd, "ItalicAngle", def->italic_angle);
        r |= HPDF_Dict_AddNumber(fd, "Ascent", def->ascent);
        r |= HPDF_Dict_AddNumber(fd, "Descent", def->descent);
        r |= HPDF_Dict_AddNumber(fd, "CapHeight", def->cap_height);
        r |= HPDF_Dict_AddNumber(fd, "XHeight", def->x_height);
        r |= HPDF_Dict_AddNumber(fd, "StemV", def->stemv);
        r |= HPDF_Dict_Add(fd, "FontFile2", file);
        ok = r == HPDF_OK;
    }
    ss_buf_free(&sub);
    if (!ok)
        return failed(p, "embedding a font");
    /* libharu would otherwise make the descriptor itself when the font is
     * written, embedding every glyph slot; it uses this one as it is. */
    def->descriptor = fd;
    return true;
}

/* Replaces libharu's font objects with ones covering exactly the
 * characters this file uses, and adds what PDF/A-1 asks of a CID font. */
static bool finish_font(ss_pdf *p, int style)
{
    HPDF_Font font = p->font[style];
    const fontenc *e = &p->enc[style];
    HPDF_FontAttr attr = (HPDF_FontAttr)font->attr;
    HPDF_FontDef def = attr->fontdef;
    HPDF_MMgr mm = p->doc->mmgr;
    charmap m;
    charmap_build(e, &m);
    bool ok = false;

    /* W: the widths of the used codes, in runs of consecutive codes. */
    HPDF_Array w = HPDF_Array_New(mm), run = NULL;
    if (!w || HPDF_Dict_Add(attr->descendant_font, "W", w) != HPDF_OK)
        goto fail;
    for (size_t i = 0; i < m.n; i++) {
        if (!run || m.code[i] != m.code[i - 1] + 1) {
            run = HPDF_Array_New(mm);
            if (!run || HPDF_Array_AddNumber(w, (HPDF_INT32)m.code[i]) != HPDF_OK ||
                HPDF_Array_Add(w, run) != HPDF_OK)
                goto fail;
        }
        HPDF_UINT16 gid = HPDF_TTFontDef_GetGlyphid(def, (HPDF_UINT16)m.cp[i]);
        if (HPDF_Array_AddNumber(run, HPDF_TTFontDef_GetGidWidth(def, gid)) != HPDF_OK)
            goto fail;
    }

    /* CIDToGIDMap, up to the largest code used. */
    if (!attr->map_stream)
        goto fail;
    HPDF_MemStream_FreeData(attr->map_stream->stream);
    {
        size_t nb = (size_t)(m.max_code + 1) * 2;
        uint8_t *map = ss_xcalloc(nb, 1);
        for (size_t i = 0; i < m.n; i++) {
            HPDF_UINT16 gid = HPDF_TTFontDef_GetGlyphid(def, (HPDF_UINT16)m.cp[i]);
            map[2 * m.code[i]] = (uint8_t)(gid >> 8);
            map[2 * m.code[i] + 1] = (uint8_t)gid;
        }
        HPDF_STATUS r = HPDF_Stream_Write(attr->map_stream->stream, map, (HPDF_UINT)nb);
        free(map);
        if (r != HPDF_OK)
            goto fail;
    }

    /* ToUnicode that readers (and screen readers) accept, and the Encoding. */
    HPDF_Dict tu = HPDF_Dict_GetItem(font, "ToUnicode", HPDF_OCLASS_DICT);
    if (!tu)
        goto fail;
    /* libharu made it from its encoding CMap; a ToUnicode stream has none
     * of those keys. */
    HPDF_Dict_RemoveElement(tu, "Type");
    HPDF_Dict_RemoveElement(tu, "CMapName");
    HPDF_Dict_RemoveElement(tu, "CIDSystemInfo");
    HPDF_Dict_RemoveElement(tu, "WMode");
    HPDF_MemStream_FreeData(tu->stream);
    write_tounicode(tu->stream, &m, e->wide);
    if (!write_encoding(p, font, e->wide))
        goto done;

    if (!embed_font(p, style, def, &m))
        goto done;
    /* CIDSet: which CIDs the embedded font has (PDF/A-1, 6.3.5). */
    {
        HPDF_Dict cidset = HPDF_DictStream_New(mm, p->doc->xref);
        if (!cidset)
            goto fail;
        cidset->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
        size_t nbytes = (size_t)m.max_code / 8 + 1;
        uint8_t *bits = ss_xcalloc(nbytes, 1);
        bits[0] |= 0x80; /* CID 0, .notdef, is always there */
        for (size_t i = 0; i < m.n; i++)
            bits[m.code[i] / 8] |= (uint8_t)(0x80 >> (m.code[i] % 8));
        HPDF_STATUS r = HPDF_Stream_Write(cidset->stream, bits, (HPDF_UINT)nbytes);
        free(bits);
        if (r != HPDF_OK || HPDF_Dict_Add(def->descriptor, "CIDSet", cidset) != HPDF_OK)
            goto fail;
    }
    ok = true;
    goto done;
fail:
    failed(p, "writing a font");
done:
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
