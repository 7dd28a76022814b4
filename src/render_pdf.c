/* render_pdf.c - boxes -> libharu -> a tagged PDF/A-1b file.
 *
 * libharu writes the file: objects, compression bookkeeping, the cross
 * reference.  What its API cannot make we build with its object calls
 * (haru.c holds every use of its internals):
 *
 * Fonts.  Each font is a Type0/CIDFontType2 pair with the predefined
 * /Identity-H encoding (two-byte codes, code = CID) and a complete
 * ToUnicode map, in single sheets and combined files alike: every reader
 * knows Identity-H, while an embedded CMap is skipped by some (pdfminer.six
 * extracts nothing, upstream issue 1072).  The CID is the glyph id
 * (CIDToGIDMap /Identity; our fonts give every character a glyph of its
 * own), W, ToUnicode and CIDSet cover exactly the glyphs the file draws,
 * and the font program is cut down to them, glyph ids unchanged, by
 * HarfBuzz's subsetter (hb-subset): the library that already reads the
 * fonts, instead of a TrueType parser of our own.  The soft hyphen
 * that ends a line at a hyphenation point (U+00AD) is drawn with the
 * font's own soft-hyphen glyph, a copy of the hyphen, so it maps to U+00AD
 * and extractors see where a word was broken and join its halves (ISO
 * 32000-1, 14.8.2.2.3; no /ActualText span across the lines, which
 * pdftotext read out of place).  Justified lines widen their spaces, and
 * kerned pairs (layout's boxes carry the kerning) move, with TJ
 * adjustments (Tw applies only to the one-byte code 32).  Each cut program
 * also keeps the ten digits, the 52 letters of the Latin alphabet and the
 * break hyphen, so that sheets share glyph sets and a worker cuts and
 * compresses a program once a run, not once a sheet (the letters of the
 * states' names were what told sheets apart).  libharu's own CID fonts measured badly (2.3.0, UTF-8 mode): 65,536
 * look-ups per document, an invalid ToUnicode map, no CIDSet; see
 * CONTRIBUTING.md, "Library facts".  The font dictionaries are plain objects,
 * not libharu fonts: its text calls refuse them instead of silently
 * drawing nothing with them.
 *
 * Size.  The North Dakota sheet must stay under 24 KB with its tags, so
 * the file carries nothing a reader does not use.
 *
 * Caches.  A render context (ss_render, one per worker, owned by the
 * caller) keeps the cut font programs (found by the glyphs asked for,
 * with their CIDSets) and ToUnicode maps it has made, because sheets share
 * glyph sets and cutting and compressing a program is a third of a
 * sheet's cost.
 *
 * Content and structure.  The page's content stream is written here:
 * shapes as /Artifact, the footer as a pagination artifact, and each
 * structure element's text as one marked-content sequence whose MCID the
 * structure tree points at (PDF/UA-1).  The tree follows the boxes' roles
 * and element numbers from layout: Document > P, H1, H2, P..., Table > TR >
 * TH + TD.  A combined file has one Part per page under the Document, in
 * page order, each holding only that page's elements.  write_pdfa() adds
 * the XMP packet (PDF/A-1b and PDF/UA-1 identification), the sRGB output
 * intent and a file ID derived from the content.
 */
#include "render_pdf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hb-subset.h>
#include <hpdf.h>

#include <libdeflate.h>
#include <nettle/sha2.h>

#include "haru.h"
#include "util.h"

#define CP_LIMIT 0x10000
/* A CMap block holds at most 100 entries (PDF Reference, 5.9.2). */
#define CMAP_BLOCK 100
#define SOFT_HYPHEN 0xAD
/* A word gap wider than this (thousandths of an em, besides the space) is
 * drawn half before and half after the space glyph (see text_ops). */
#define LOOSE_GAP 500
#define DEFAULT_LANG "en-US"

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

/* The standard structure type of each role (artifacts have none). */
static const char *const ROLE_TAG[] = {
    [SS_ROLE_ARTIFACT] = NULL, [SS_ROLE_PAGINATION] = NULL, [SS_ROLE_P] = "P",
    [SS_ROLE_H1] = "H1",       [SS_ROLE_H2] = "H2",          [SS_ROLE_TH] = "TH",
    [SS_ROLE_TD] = "TD",
};

/* How one font's characters are coded in this file: code = CID = the
 * glyph's id in the font, so the CIDToGIDMap is /Identity.  Each character
 * has a glyph of its own in our fonts (the soft hyphen too: uni00AD, drawn
 * like the hyphen), so a glyph id names one character for ToUnicode. */
typedef struct fontenc {
    const ss_fonts *fonts;
    ss_style style;
    long *cp;        /* per glyph id: the character drawn with it, or -1 */
    unsigned nglyphs;
    unsigned *used;  /* the glyph ids with a character, as first drawn: a
                        sheet uses ~100 of a font's 1,466 */
    size_t nused, usedcap;
    uint16_t latin[256]; /* glyph_of for U+0000..U+00FF, looked up once */
} fontenc;

/* One marked-content sequence of the page being drawn. */
typedef struct mark {
    unsigned elem;
    ss_role role;
    int mcid;
} mark;

struct ss_pdf {
    HPDF_Doc doc;
    HPDF_Dict font[2];  /* our Type0 dictionaries */
    HPDF_Dict cidfont[2];
    HPDF_Dict struct_root, document;
    HPDF_Array doc_kids, parent_nums;
    HPDF_Dict system_info;
    ss_render *r;
    const ss_fonts *fonts_in;
    ss_diag *diag;
    fontenc enc[2];
    bool single_page;
    struct sha256_ctx content; /* of everything drawn and said: the file ID */
    mark *marks;
    size_t nmarks, marks_cap;
    int npages;
    HPDF_STATUS last_error, last_detail;
};

/* Adds "WHAT TEXT\n" to what the file ID is made from. */
static void said(ss_pdf *p, const char *what, const char *text)
{
    sha256_update(&p->content, strlen(what), (const uint8_t *)what);
    sha256_update(&p->content, strlen(text), (const uint8_t *)text);
    sha256_update(&p->content, 1, (const uint8_t *)"\n");
}

/* libharu's allocations: libharu 2.3.0 goes on inside a call after one
 * fails and can use what it freed (HPDF_Page_New, found by the fault
 * sweep), so one that fails ends the run as out of memory instead, and
 * libharu never reports a failed allocation of its own. */
static void *haru_alloc(HPDF_UINT size)
{
    return ss_xmalloc(size ? size : 1);
}

static void on_error(HPDF_STATUS e, HPDF_STATUS detail, void *user)
{
    ss_pdf *p = user;
    p->last_error = e;
    p->last_detail = detail;
}

/* One message for every libharu failure, in the same diagnostics. */
static bool failed(ss_pdf *p, const char *what)
{
    /* Many of libharu's calls record an error without calling on_error. */
    if (!p->last_error && p->doc)
        p->last_error = HPDF_GetError(p->doc);
    ss_diag_error(p->diag, NULL, 0, "the PDF library failed while %s (libharu "
                  "error 0x%04X, detail %u); this is a bug in statesheet, please "
                  "report it", what, (unsigned)p->last_error,
                  (unsigned)p->last_detail);
    return false;
}

/* The soft hyphen that ends a line at a hyphenation point is drawn as a
 * hyphen; our fonts have a glyph of its own for it (a copy of the
 * hyphen's), so it keeps a code of its own that maps to U+00AD.  A font
 * without one draws the hyphen's glyph. */
static unsigned glyph_of(const ss_fonts *f, ss_style style, long cp)
{
    unsigned g = ss_fonts_gid(f, style, cp);
    return g || cp != SOFT_HYPHEN ? g : ss_fonts_gid(f, style, '-');
}

static void enc_init(fontenc *e, const ss_fonts *f, ss_style style)
{
    e->fonts = f;
    e->style = style;
    e->nglyphs = ss_fonts_metrics(f, style)->num_glyphs;
    e->cp = ss_xmalloc((e->nglyphs ? e->nglyphs : 1) * sizeof *e->cp);
    for (unsigned g = 0; g < e->nglyphs; g++)
        e->cp[g] = -1;
    e->used = NULL;
    e->nused = e->usedcap = 0;
    for (long c = 0; c < 256; c++) {
        unsigned g = glyph_of(f, style, c);
        e->latin[c] = g <= UINT16_MAX ? (uint16_t)g : 0;
    }
}

/* Notes that glyph g (known to have none yet) draws character cp. */
static void enc_note(fontenc *e, unsigned g, long cp)
{
    e->cp[g] = cp;
    e->used = ss_xgrow(e->used, sizeof *e->used, e->nused + 1, &e->usedcap);
    e->used[e->nused++] = g;
}

/* The code of cp (its glyph id), noting which character the glyph drew;
 * the first character drawn with a glyph is the one ToUnicode gives. */
static unsigned enc_code(fontenc *e, long cp)
{
    unsigned g = cp >= 0 && cp < 256 ? e->latin[cp] : glyph_of(e->fonts, e->style, cp);
    if (g < e->nglyphs && g && e->cp[g] < 0)
        enc_note(e, g, cp);
    return g;
}

/* ---- the render context ----------------------------------------------------
 * Streams are compressed here, not by libharu (which feeds zlib 4 KB at a
 * time), in one call each with libdeflate; libharu then copies the bytes
 * as they are (haru.c).  What repeats from sheet to sheet is made once per
 * context: the colour profile, and the cut font programs and ToUnicode
 * maps, kept by kind and the SHA-256 of what they are made from (cutting
 * and compressing a font program is a third of a sheet's cost, and sheets
 * share glyph sets, see the top of this file).  Deflate is deterministic, so a
 * kept stream is byte for byte the fresh one. */

/* libdeflate's fastest level: a sixth of a batch's CPU time less than its
 * default level 6, for 3 % more bytes (ND: 21,030 against 20,446). */
#define DEFLATE_LEVEL 1
#define KEPT_MAX 1024 /* entries; ~5 KB a font program, ~0.3 KB a map */
#define KEPT_MAP 2    /* kind of a ToUnicode map; a font program's is its style */

typedef struct kept {
    int kind;
    uint8_t key[32];
    bool z;     /* bytes compressed */
    size_t raw; /* their length uncompressed */
    ss_buf b;
    ss_buf set; /* a font program's CIDSet: every glyph it holds */
} kept;

struct ss_render {
    const ss_fonts *fonts;
    struct libdeflate_compressor *z;
    ss_buf icc; /* the colour profile, compressed */
    kept *kept;
    size_t nkept, keptcap;
    hb_face_t *face[2];   /* the fonts, as the subsetter reads them */
    hb_subset_input_t *cut; /* what it is asked for */
};

/* Compresses len bytes into out (appended). */
static void deflate_into(ss_render *r, const void *data, size_t len, ss_buf *out)
{
    size_t bound = libdeflate_zlib_compress_bound(r->z, len);
    ss_buf_reserve(out, out->len + bound + 1);
    out->len += libdeflate_zlib_compress(r->z, data, len, out->data + out->len, bound);
    out->data[out->len] = '\0';
}

/* The tables a PDF's TrueType program needs (ISO 32000-1, 9.9: glyf,
 * head, hhea, hmtx, loca, maxp, and the hinting's cvt, fpgm and prep). */
static const hb_tag_t PROGRAM_TABLES[] = {
    HB_TAG('g', 'l', 'y', 'f'), HB_TAG('h', 'e', 'a', 'd'), HB_TAG('h', 'h', 'e', 'a'),
    HB_TAG('h', 'm', 't', 'x'), HB_TAG('l', 'o', 'c', 'a'), HB_TAG('m', 'a', 'x', 'p'),
    HB_TAG('c', 'v', 't', ' '), HB_TAG('f', 'p', 'g', 'm'), HB_TAG('p', 'r', 'e', 'p'),
};

#define REQUIRED_TABLES 6 /* the first six: the rest are the hinting's */

/* Whether face has every table a program needs.  HarfBuzz reads a table
 * it could not allocate as empty, so a face of the recorded fonts
 * without one means memory ran out. */
static bool whole_program(hb_face_t *face)
{
    for (size_t k = 0; k < REQUIRED_TABLES; k++) {
        hb_blob_t *table = hb_face_reference_table(face, PROGRAM_TABLES[k]);
        unsigned len = hb_blob_get_length(table);
        hb_blob_destroy(table);
        if (!len)
            return false;
    }
    return true;
}

/* A style's font with only the program's tables, for the subsetter: a
 * plan reads the cmap, GSUB and GPOS of the face it is given, which took
 * most of its time, and the cut program needs none of them (the kerning
 * is in the TJ arrays). */
static hb_face_t *program_face(const ss_fonts *fonts, ss_style style)
{
    size_t len;
    const uint8_t *data = ss_fonts_data(fonts, style, &len);
    hb_blob_t *blob = hb_blob_create((const char *)data, (unsigned)len,
                                     HB_MEMORY_MODE_READONLY, NULL, NULL);
    hb_face_t *full = hb_face_create(blob, 0), *builder = hb_face_builder_create();
    for (size_t k = 0; k < sizeof PROGRAM_TABLES / sizeof *PROGRAM_TABLES; k++) {
        hb_blob_t *table = hb_face_reference_table(full, PROGRAM_TABLES[k]);
        if (hb_blob_get_length(table) &&
            !hb_face_builder_add_table(builder, PROGRAM_TABLES[k], table))
            ss_out_of_memory();
        hb_blob_destroy(table);
    }
    hb_blob_t *reduced = hb_face_reference_blob(builder);
    hb_face_t *face = hb_face_create(reduced, 0);
    if (!whole_program(face))
        ss_out_of_memory();
    hb_blob_destroy(reduced);
    hb_face_destroy(builder);
    hb_face_destroy(full);
    hb_blob_destroy(blob);
    return face;
}

ss_render *ss_render_new(const ss_fonts *fonts, const void *icc, size_t icc_len,
                         ss_diag *diag)
{
    ss_render *r = ss_xcalloc(1, sizeof *r);
    r->fonts = fonts;
    for (int s = 0; s < 2; s++)
        r->face[s] = program_face(fonts, (ss_style)s);
    /* Glyph ids kept as they are (they are the content stream's codes),
     * and .notdef's outline kept. */
    r->cut = hb_subset_input_create_or_fail();
    if (r->cut)
        hb_subset_input_set_flags(r->cut, HB_SUBSET_FLAGS_RETAIN_GIDS |
                                              HB_SUBSET_FLAGS_NOTDEF_OUTLINE);
    r->z = libdeflate_alloc_compressor(DEFLATE_LEVEL);
    if (!r->z || !r->cut) {
        ss_diag_error(diag, NULL, 0, "out of memory starting a PDF");
        ss_render_free(r);
        return NULL;
    }
    deflate_into(r, icc, icc_len, &r->icc);
    return r;
}

void ss_render_free(ss_render *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nkept; i++) {
        ss_buf_free(&r->kept[i].b);
        ss_buf_free(&r->kept[i].set);
    }
    free(r->kept);
    ss_buf_free(&r->icc);
    libdeflate_free_compressor(r->z);
    hb_subset_input_destroy(r->cut);
    for (int s = 0; s < 2; s++)
        hb_face_destroy(r->face[s]);
    free(r);
}

/* The kept stream of kind and key, appended to out (and a font program's
 * CIDSet to set, when not NULL); false when none. */
static bool kept_get(const ss_render *r, int kind, const uint8_t key[32], ss_buf *out,
                     bool *z, size_t *raw, ss_buf *set)
{
    for (size_t i = 0; i < r->nkept; i++) {
        const kept *k = &r->kept[i];
        if (k->kind == kind && !memcmp(k->key, key, 32)) {
            ss_buf_add(out, k->b.data, k->b.len);
            if (set)
                ss_buf_add(set, k->set.data, k->set.len);
            *z = k->z;
            *raw = k->raw;
            return true;
        }
    }
    return false;
}

/* Keeps a copy of bytes [data, len) as the stream of kind and key, with a
 * font program's CIDSet (set, or NULL). */
static void kept_put(ss_render *r, int kind, const uint8_t key[32], const void *data,
                     size_t len, bool z, size_t raw, const ss_buf *set)
{
    if (r->nkept >= KEPT_MAX)
        return;
    r->kept = ss_xgrow(r->kept, sizeof *r->kept, r->nkept + 1, &r->keptcap);
    kept *k = &r->kept[r->nkept++];
    k->kind = kind;
    memcpy(k->key, key, 32);
    k->z = z;
    k->raw = raw;
    ss_buf_init(&k->b);
    ss_buf_add(&k->b, data, len);
    ss_buf_init(&k->set);
    if (set)
        ss_buf_add(&k->set, set->data, set->len);
}

/* len bytes, compressed unless that makes them longer (a CIDSet is a few
 * bytes), into z; *packed says which. */
static void pack(ss_render *r, const void *data, size_t len, ss_buf *z, bool *packed)
{
    /* deflate's smallest output for one byte is 9 bytes: 30 or fewer
     * cannot come out shorter with the /Filter entry added. */
    if (len > 30)
        deflate_into(r, data, len, z);
    *packed = len > 30 && z->len + sizeof "/Filter /FlateDecode" < len;
    if (!*packed) {
        ss_buf_clear(z);
        ss_buf_add(z, data, len);
    }
}

/* A new stream object holding data, compressed unless that makes it
 * longer; kept in the context when 'shared' (a text that many files
 * hold). */
static HPDF_Dict new_stream(ss_pdf *p, const void *data, size_t len, bool shared)
{
    uint8_t key[32];
    ss_buf z;
    ss_buf_init(&z);
    bool packed;
    size_t raw;
    if (shared)
        ss_sha256(data, len, key);
    if (!shared || !kept_get(p->r, KEPT_MAP, key, &z, &packed, &raw, NULL)) {
        pack(p->r, data, len, &z, &packed);
        if (shared)
            kept_put(p->r, KEPT_MAP, key, z.data, z.len, packed, len, NULL);
    }
    HPDF_Dict s = ss_haru_stream(p->doc, z.data, z.len, packed);
    ss_buf_free(&z);
    return s;
}

/* The CIDSet of a cut program (PDF/A-1, 6.3.5: every CID the program
 * holds), into set (empty): the glyphs the subsetter kept, which are
 * those asked for and the parts of composite glyphs among them. */
static void program_cidset(const hb_map_t *kept_gids, size_t nglyphs, ss_buf *set)
{
    ss_buf_reserve(set, nglyphs / 8 + 1);
    memset(set->data, 0, nglyphs / 8 + 1);
    unsigned left = hb_map_get_population(kept_gids);
    for (size_t g = 0; g < nglyphs && left; g++) {
        if (hb_map_has(kept_gids, (hb_codepoint_t)g)) {
            set->data[g / 8] |= (uint8_t)(0x80 >> (g % 8));
            set->len = g / 8 + 1;
            left--;
        }
    }
}

/* The compressed program for a glyph set (keep[g] for each of the font's
 * nglyphs glyphs) and its CIDSet bits: kept, or cut and compressed now
 * (and kept).  The kept programs are found by the glyphs asked for, so a
 * sheet whose set was cut before asks nothing of the subsetter.  The
 * fonts are the recorded ones (fonts.c checks their SHA-256), so the
 * subsetter fails only when memory runs out. */
static void font_program(ss_render *r, int style, const uint8_t *keep, size_t nglyphs,
                         ss_buf *z, size_t *raw, ss_buf *set)
{
    uint8_t key[32];
    ss_sha256(keep, nglyphs, key);
    bool packed;
    if (kept_get(r, style, key, z, &packed, raw, set))
        return;
    hb_set_t *want = hb_subset_input_glyph_set(r->cut);
    hb_set_clear(want);
    for (size_t g = 0; g < nglyphs; g++)
        if (keep[g])
            hb_set_add(want, (hb_codepoint_t)g);
    hb_subset_plan_t *plan = hb_subset_plan_create_or_fail(r->face[style], r->cut);
    hb_face_t *cut = plan ? hb_subset_plan_execute_or_fail(plan) : NULL;
    hb_blob_t *blob = cut ? hb_face_reference_blob(cut) : NULL;
    unsigned len = 0;
    const char *data = blob ? hb_blob_get_data(blob, &len) : NULL;
    if (!len || !whole_program(cut))
        ss_out_of_memory();
    size_t at = z->len;
    deflate_into(r, data, len, z);
    program_cidset(hb_subset_plan_old_to_new_glyph_mapping(plan), nglyphs, set);
    kept_put(r, style, key, z->data + at, z->len - at, true, len, set);
    *raw = len;
    hb_blob_destroy(blob);
    hb_face_destroy(cut);
    hb_subset_plan_destroy(plan);
}

/* A number for the content stream: at most 2 decimals, no exponent, no
 * locale (a decimal comma would break the file). */
static void put_num(ss_buf *b, double v)
{
    long long m = llround(v * 100.0) * 10; /* 0.01 pt is 1/28 of a pixel at 2400 dpi */
    if (m < 0) {
        ss_buf_addc(b, '-');
        m = -m;
    }
    ss_buf_addu(b, (unsigned long long)(m / 1000));
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

/* A UTF-16BE text string with a byte-order mark, as PDF wants for text
 * that is not plain ASCII (titles, bookmarks). */
static void *text_string(ss_pdf *p, const char *utf8)
{
    bool ascii = true;
    for (const char *c = utf8; *c; c++)
        ascii &= (unsigned char)*c < 0x80 && *c != '(' && *c != ')' && *c != '\\';
    if (ascii)
        return ss_haru_string(p->doc, utf8);
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
    void *bin = ss_haru_binary(p->doc, b.data, b.len);
    ss_buf_free(&b);
    return bin;
}

/* A Type0 font and its CIDFontType2, filled in by finish_font. */
static bool font_new(ss_pdf *p, int style)
{
    HPDF_Dict font = ss_haru_object(p->doc), cid = ss_haru_object(p->doc);
    HPDF_Array desc = font ? ss_haru_array_in(font, "DescendantFonts") : NULL;
    if (!font || !cid || !desc)
        return false;
    HPDF_STATUS r = HPDF_Dict_AddName(font, "Type", "Font");
    r |= HPDF_Dict_AddName(font, "Subtype", "Type0");
    r |= HPDF_Dict_AddName(font, "Encoding", "Identity-H");
    r |= HPDF_Array_Add(desc, cid);
    r |= HPDF_Dict_AddName(cid, "Type", "Font");
    r |= HPDF_Dict_AddName(cid, "Subtype", "CIDFontType2");
    p->font[style] = font;
    p->cidfont[style] = cid;
    return r == HPDF_OK;
}

/* The structure tree's root, its Document element and the catalog's
 * tagged-PDF entries (PDF/UA-1, 7.1). */
static bool structure_new(ss_pdf *p)
{
    HPDF_Doc doc = p->doc;
    HPDF_Dict cat = ss_haru_catalog(doc);
    HPDF_Dict root = p->struct_root = ss_haru_object(doc);
    HPDF_Dict document = p->document = ss_haru_object(doc);
    if (!cat || !root || !document)
        return false;
    HPDF_Dict tree = ss_haru_dict_in(root, "ParentTree");
    HPDF_Dict mark_info = ss_haru_dict_in(cat, "MarkInfo");
    HPDF_Dict prefs = ss_haru_dict_in(cat, "ViewerPreferences");
    p->doc_kids = ss_haru_array_in(document, "K");
    p->parent_nums = tree ? ss_haru_array_in(tree, "Nums") : NULL;
    if (!tree || !mark_info || !prefs || !p->doc_kids || !p->parent_nums)
        return false;
    HPDF_STATUS r = HPDF_Dict_AddName(root, "Type", "StructTreeRoot");
    r |= HPDF_Dict_Add(root, "K", document);
    r |= HPDF_Dict_AddName(document, "S", "Document");
    r |= HPDF_Dict_Add(document, "P", root);
    r |= HPDF_Dict_AddBoolean(mark_info, "Marked", HPDF_TRUE);
    r |= HPDF_Dict_AddBoolean(prefs, "DisplayDocTitle", HPDF_TRUE);
    r |= HPDF_Dict_Add(cat, "StructTreeRoot", root);
    return r == HPDF_OK;
}

/* The PDF/A output intent: sRGB, a condition in the ICC registry, so no
 * /Info or /OutputCondition is needed (libharu's own writes both). */
static bool output_intent(ss_pdf *p, HPDF_Dict icc)
{
    HPDF_Dict intent = ss_haru_object(p->doc);
    HPDF_Array all = ss_haru_array_in(ss_haru_catalog(p->doc), "OutputIntents");
    return intent && all && HPDF_Dict_AddName(intent, "Type", "OutputIntent") == HPDF_OK &&
           HPDF_Dict_AddName(intent, "S", "GTS_PDFA1") == HPDF_OK &&
           HPDF_Dict_Add(intent, "OutputConditionIdentifier",
                         ss_haru_string(p->doc, "sRGB IEC61966-2.1")) == HPDF_OK &&
           HPDF_Dict_Add(intent, "DestOutputProfile", icc) == HPDF_OK &&
           HPDF_Array_Add(all, intent) == HPDF_OK;
}

ss_pdf *ss_pdf_new(ss_render *r, bool single_page, ss_diag *diag)
{
    const ss_fonts *fonts = r->fonts;
    ss_pdf *p = ss_xcalloc(1, sizeof *p);
    p->r = r;
    p->fonts_in = fonts;
    p->diag = diag;
    p->single_page = single_page;
    sha256_init(&p->content);
    p->doc = HPDF_NewEx(on_error, haru_alloc, free, 0, p);
    if (!p->doc)
        ss_out_of_memory();
    for (int s = 0; s < 2; s++)
        enc_init(&p->enc[s], fonts, (ss_style)s);
    if (!font_new(p, 0) || !font_new(p, 1)) {
        failed(p, "making a font");
        goto fail;
    }
    if (!structure_new(p)) {
        failed(p, "starting the structure tree");
        goto fail;
    }
    HPDF_Dict icc = ss_haru_stream(p->doc, r->icc.data, r->icc.len, true);
    if (!icc || HPDF_Dict_AddNumber(icc, "N", 3) != HPDF_OK ||
        HPDF_Dict_AddName(icc, "Alternate", "DeviceRGB") != HPDF_OK ||
        !output_intent(p, icc)) {
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
    for (int s = 0; s < 2; s++)
        free(p->enc[s].cp), free(p->enc[s].used);
    free(p->marks);
    free(p);
}

static void put_color(ss_buf *b, ss_color c)
{
    for (int i = 0; i < 3; i++) {
        put_num(b, COLORS[c][i]);
        ss_buf_addc(b, ' ');
    }
}

/* The bytes a literal string must escape: parentheses, the backslash, and
 * CR and LF (a bare one would be read as LF). */
static bool escaped(unsigned c)
{
    return c == '(' || c == ')' || c == '\\' || c == '\n' || c == '\r';
}

/* One byte of a code in a literal string: as itself (a sheet's codes are
 * mostly a zero byte and a printable ASCII one, which compress as well as
 * one-byte text; hex strings made the content stream 60% larger), escaped
 * where PDF needs it. */
static void put_code_byte(ss_buf *b, unsigned c)
{
    switch (c) {
    case '(':
    case ')':
    case '\\':
        ss_buf_addc(b, '\\');
        ss_buf_addc(b, (char)c);
        break;
    case '\n':
        ss_buf_adds(b, "\\n");
        break;
    case '\r':
        ss_buf_adds(b, "\\r");
        break;
    default:
        ss_buf_add(b, &(char){(char)c}, 1);
    }
}

/* A glyph's two-byte code (the common case, two bytes that need no
 * escape, at once: this runs for every glyph drawn). */
static void put_code(ss_buf *b, unsigned code)
{
    unsigned hi = (code >> 8) & 0xFF, lo = code & 0xFF;
    if (escaped(hi) || escaped(lo)) {
        put_code_byte(b, hi);
        put_code_byte(b, lo);
        return;
    }
    char two[2] = {(char)hi, (char)lo};
    ss_buf_add(b, two, 2);
}

/* Opens the marked-content sequence of tagged box b's element, with a new
 * MCID. */
static void begin_mc(ss_pdf *p, ss_buf *ops, const ss_box *b)
{
    int mcid = (int)p->nmarks;
    p->marks = ss_xgrow(p->marks, sizeof *p->marks, p->nmarks + 1, &p->marks_cap);
    p->marks[p->nmarks++] = (mark){b->elem, b->role, mcid};
    ss_buf_addc(ops, '/');
    ss_buf_adds(ops, ROLE_TAG[b->role]);
    ss_buf_adds(ops, "<</MCID ");
    ss_buf_addu(ops, (unsigned)mcid);
    ss_buf_adds(ops, ">>BDC\n");
}

/* "dx dy Td" and the box's text as two-byte codes.  Justified text widens
 * each space by the box's word spacing, and kerned pairs move by the
 * box's kerning, with TJ adjustments. */
static void text_ops(ss_buf *b, fontenc *e, const ss_box *box, const char *text,
                     const ss_kern *kern, double dx, double dy, bool move, bool space_after)
{
    if (move) {
        put_num(b, dx);
        ss_buf_addc(b, ' ');
        put_num(b, dy);
        ss_buf_adds(b, " Td\n");
    }
    /* TJ adjustments are in thousandths of the font size; negative moves
     * right.  Tenths of them: rounded to whole ones, the spaces of a
     * justified line of 18 ended up to 0.1 pt off the measure. */
    /* ws < 0: a line shrunk to fit, its spaces narrowed. */
    double ws = fabs(box->ws) > 0.0005 ? box->ws : 0;
    double adj = ws != 0 ? -round(ws * 10000.0 / box->size) / 10.0 : 0;
    bool tj = (adj != 0 && strchr(text, ' ')) || box->nkern;
    ss_buf_adds(b, tj ? "[(" : "(");
    const char *q = text, *end = text + strlen(text);
    size_t k = 0;
    while (q < end) {
        if (k < box->nkern && kern[k].at == (size_t)(q - text)) {
            ss_buf_addc(b, ')');
            put_num(b, -kern[k++].adj);
            ss_buf_addc(b, '(');
        }
        long cp = ss_utf8_next(&q, end);
        unsigned code = enc_code(e, cp);
        /* The extra width goes before the space glyph: a reader that
         * groups glyphs by the gaps between them (pdfminer: a gap under
         * twice the wider glyph's width) then sees the gap next to a letter
         * and keeps a loose line together.  A gap of more than half an em
         * is split around the space. */
        bool gap = cp == ' ' && adj != 0;
        double before = adj < -LOOSE_GAP ? round(adj * 5.0) / 10.0 : adj;
        if (gap) {
            ss_buf_addc(b, ')');
            put_num(b, before);
            ss_buf_addc(b, '(');
        }
        put_code(b, code);
        if (gap && adj != before) {
            ss_buf_addc(b, ')');
            put_num(b, adj - before);
            ss_buf_addc(b, '(');
        }
    }
    if (space_after) {
        put_code(b, enc_code(e, ' '));
    }
    ss_buf_adds(b, tj ? ")] TJ\n" : ") Tj\n");
}

/* True when box i ends a line and its element goes on on the next line
 * after a whole word: a reader of the tagged text (which joins the
 * element's boxes) then needs a space there, which is drawn, invisible,
 * at the line's end.  Not after a hyphen, nor after the soft hyphen of a
 * word broken at a hyphenation point. */
static bool line_ends_word(const ss_page *pg, size_t i)
{
    const ss_box *b = &pg->boxes[i];
    for (size_t j = i + 1; j < pg->nboxes; j++) {
        const ss_box *n = &pg->boxes[j];
        if (n->kind != SS_BOX_TEXT || n->elem != b->elem)
            continue;
        if (fabs(n->y - b->y) < 0.01)
            return false; /* the line goes on in another style */
        const char *t = ss_box_text(pg, b);
        size_t len = strlen(t);
        bool hyphen = len >= 1 && t[len - 1] == '-';
        bool soft = len >= 2 && (unsigned char)t[len - 2] == 0xC2 &&
                    (unsigned char)t[len - 1] == 0xAD;
        return !hyphen && !soft && len > 0 && t[len - 1] != ' ';
    }
    return false;
}

/* Text in one pass over the boxes: the tagged text (each element's
 * boxes in one marked-content sequence), or, with 'artifacts', the text
 * that is no part of the content (the footer). */
static void draw_text(ss_pdf *p, const ss_page *pg, bool artifacts, ss_buf *ops,
                      double *lx, double *ly, int *style, double *size, int *color)
{
    unsigned open_elem = 0;
    bool open = false;
    const ss_box *prev_end = NULL; /* the last box drawn */
    for (size_t i = 0; i < pg->nboxes; i++) {
        const ss_box *b = &pg->boxes[i];
        bool tagged = ROLE_TAG[b->role] != NULL && b->elem > 0;
        if (b->kind != SS_BOX_TEXT || tagged == artifacts)
            continue;
        if (!open || (tagged && b->elem != open_elem)) {
            if (open)
                ss_buf_adds(ops, "EMC\n");
            if (!tagged)
                ss_buf_adds(ops, b->role == SS_ROLE_PAGINATION
                                     ? "/Artifact <</Type /Pagination>> BDC\n"
                                     : "/Artifact BMC\n");
            else
                begin_mc(p, ops, b);
            open = true;
            open_elem = b->elem;
        }
        if ((int)b->style != *style || b->size != *size) {
            ss_buf_adds(ops, b->style == SS_BOLD ? "/F1 " : "/F0 ");
            put_num(ops, b->size);
            ss_buf_adds(ops, " Tf\n");
            *style = (int)b->style;
            *size = b->size;
        }
        if ((int)b->color != *color) {
            put_color(ops, b->color);
            ss_buf_adds(ops, "rg\n");
            *color = (int)b->color;
        }
        /* A box that goes on where the last one ended (another style on
         * the same line) needs no Td: the text position is there already,
         * and readers that guess word gaps from Td moves (pypdf) would
         * put a space before the full stop after a bold name.  Otherwise
         * Td moves by what was written, so rounding never adds up. */
        bool goes_on = prev_end && fabs(b->y - prev_end->y) < 0.001 &&
                       fabs(b->x - (prev_end->x + prev_end->w)) < 0.05;
        double dx = round((b->x - *lx) * 100.0) / 100.0, dy = round((b->y - *ly) * 100.0) / 100.0;
        text_ops(ops, &p->enc[b->style], b, ss_box_text(pg, b),
                 b->nkern ? pg->kerns + b->kern : NULL, dx, dy, !goes_on,
                 tagged && line_ends_word(pg, i));
        if (!goes_on) {
            *lx += dx;
            *ly += dy;
        }
        prev_end = b;
    }
    if (open)
        ss_buf_adds(ops, "EMC\n");
}

/* A structure element under parent. */
static HPDF_Dict struct_elem(ss_pdf *p, const char *type, HPDF_Dict parent,
                             HPDF_Array siblings)
{
    HPDF_Dict e = ss_haru_object(p->doc);
    if (!e || HPDF_Dict_AddName(e, "S", type) != HPDF_OK ||
        HPDF_Dict_Add(e, "P", parent) != HPDF_OK || HPDF_Array_Add(siblings, e) != HPDF_OK)
        return NULL;
    return e;
}

static int mark_order(const void *a, const void *b)
{
    const mark *x = a, *y = b;
    if (x->elem != y->elem)
        return x->elem < y->elem ? -1 : 1;
    return (x->mcid > y->mcid) - (x->mcid < y->mcid);
}

/* A Table or a TR: an element whose children are elements, in *kids. */
static HPDF_Dict group_elem(ss_pdf *p, const char *type, HPDF_Dict parent,
                            HPDF_Array siblings, HPDF_Array *kids)
{
    HPDF_Dict e = struct_elem(p, type, parent, siblings);
    *kids = e ? ss_haru_array_in(e, "K") : NULL;
    return *kids ? e : NULL;
}

/* An element with content: the n marked-content sequences m[0, n) on
 * page.  Each names its page: PDF.js (Firefox's viewer) does not look for
 * /Pg on the element's ancestors. */
static HPDF_Dict leaf_elem(ss_pdf *p, HPDF_Page page, const mark *m, size_t n,
                           HPDF_Dict parent, HPDF_Array siblings)
{
    HPDF_Dict e = struct_elem(p, ROLE_TAG[m->role], parent, siblings);
    if (!e || HPDF_Dict_Add(e, "Pg", page) != HPDF_OK)
        return NULL;
    if (m->role == SS_ROLE_TH) {
        HPDF_Dict a = ss_haru_dict_in(e, "A");
        if (!a || HPDF_Dict_AddName(a, "O", "Table") != HPDF_OK ||
            HPDF_Dict_AddName(a, "Scope", "Row") != HPDF_OK)
            return NULL;
    }
    if (n == 1)
        return HPDF_Dict_AddNumber(e, "K", m->mcid) == HPDF_OK ? e : NULL;
    HPDF_Array k = ss_haru_array_in(e, "K");
    if (!k)
        return NULL;
    HPDF_STATUS r = HPDF_OK;
    for (size_t i = 0; i < n; i++)
        r |= HPDF_Array_AddNumber(k, m[i].mcid);
    return r == HPDF_OK ? e : NULL;
}

/* The page's marks in reading order (element number), each element's in
 * MCID order. */
static mark *sorted_marks(const ss_pdf *p)
{
    mark *sorted = ss_xmalloc((p->nmarks ? p->nmarks : 1) * sizeof *sorted);
    if (p->nmarks) /* a page may have none */
        memcpy(sorted, p->marks, p->nmarks * sizeof *sorted);
    qsort(sorted, p->nmarks, sizeof *sorted, mark_order);
    return sorted;
}

/* The page's structure elements, in reading order, under the Document
 * (one-page file) or under a Part of their own: Document > P, H1, H2,
 * P..., Table > TR > TH + TD; of_mcid[m] gets the element of MCID m. */
static bool page_elements(ss_pdf *p, HPDF_Page page, HPDF_Dict *of_mcid)
{
    HPDF_Dict parent = p->document, table = NULL, row = NULL;
    HPDF_Array kids = p->doc_kids, table_k = NULL, row_k = NULL;
    if (!p->single_page && !(parent = group_elem(p, "Part", p->document, p->doc_kids, &kids)))
        return false;
    mark *sorted = sorted_marks(p);
    bool ok = true;
    for (size_t i = 0, j; ok && i < p->nmarks; i = j) {
        for (j = i; j < p->nmarks && sorted[j].elem == sorted[i].elem; j++)
            ;
        ss_role role = sorted[i].role;
        HPDF_Dict up = parent;
        HPDF_Array up_k = kids;
        if (role == SS_ROLE_TH || role == SS_ROLE_TD) {
            if (!table) {
                table = group_elem(p, "Table", parent, kids, &table_k);
                row = NULL;
            }
            if (table && (!row || role == SS_ROLE_TH))
                row = group_elem(p, "TR", table, table_k, &row_k);
            up = row;
            up_k = row_k;
        } else {
            table = row = NULL;
        }
        HPDF_Dict e = up ? leaf_elem(p, page, sorted + i, j - i, up, up_k) : NULL;
        for (size_t m = i; m < j; m++)
            of_mcid[sorted[m].mcid] = e;
        ok = e != NULL;
    }
    free(sorted);
    return ok;
}

/* The page's structure elements and its entry in the parent tree (MCID ->
 * element), keyed by its page index. */
static bool build_structure(ss_pdf *p, HPDF_Page page)
{
    int key = p->npages - 1;
    HPDF_Dict *of_mcid = ss_xcalloc(p->nmarks ? p->nmarks : 1, sizeof *of_mcid);
    HPDF_Array by_mcid = HPDF_Array_AddNumber(p->parent_nums, key) == HPDF_OK
                             ? ss_haru_array_of(p->parent_nums)
                             : NULL;
    bool ok = by_mcid && page_elements(p, page, of_mcid);
    for (size_t m = 0; ok && m < p->nmarks; m++)
        ok = HPDF_Array_Add(by_mcid, of_mcid[m]) == HPDF_OK;
    free(of_mcid);
    return ok && HPDF_Dict_AddNumber(page, "StructParents", key) == HPDF_OK &&
           HPDF_Dict_AddName(page, "Tabs", "S") == HPDF_OK;
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
    p->nmarks = 0;

    /* Shapes first (the band lies under its text): decoration, so
     * artifacts.  Then the text in one text object: the content in
     * reading order of the layout, the footer last. */
    ss_buf ops;
    ss_buf_init(&ops);
    int color = -1;
    bool shapes = false;
    const ss_box *leader_state = NULL;
    for (size_t i = 0; i < pg->nboxes; i++) {
        const ss_box *b = &pg->boxes[i];
        if (b->kind == SS_BOX_TEXT)
            continue;
        if (!shapes)
            ss_buf_adds(&ops, "/Artifact BMC\n");
        shapes = true;
        if (b->kind == SS_BOX_LEADER) {
            /* Dot leaders: a dash of length 0 with round caps is a round
             * dot.  Nothing else on the page strokes, so the stroke state
             * is set only when it changes. */
            if (!leader_state || leader_state->color != b->color ||
                leader_state->h != b->h || leader_state->ws != b->ws) {
                put_color(&ops, b->color);
                ss_buf_adds(&ops, "RG ");
                put_num(&ops, b->h);
                ss_buf_adds(&ops, " w 1 J [0 ");
                put_num(&ops, b->ws);
                ss_buf_adds(&ops, "] 0 d\n");
                leader_state = b;
            }
            put_num(&ops, b->x);
            ss_buf_addc(&ops, ' ');
            put_num(&ops, b->y);
            ss_buf_adds(&ops, " m ");
            put_num(&ops, b->x + b->w + 0.1); /* past the last dot */
            ss_buf_addc(&ops, ' ');
            put_num(&ops, b->y);
            ss_buf_adds(&ops, " l S\n");
            continue;
        }
        if ((int)b->color != color) {
            put_color(&ops, b->color);
            ss_buf_adds(&ops, "rg\n");
            color = (int)b->color;
        }
        double y = b->kind == SS_BOX_RULE ? b->y - b->h / 2 : b->y;
        put_num(&ops, b->x);
        ss_buf_addc(&ops, ' ');
        put_num(&ops, y);
        ss_buf_addc(&ops, ' ');
        put_num(&ops, b->w);
        ss_buf_addc(&ops, ' ');
        put_num(&ops, b->h);
        ss_buf_adds(&ops, " re f\n");
    }
    if (shapes)
        ss_buf_adds(&ops, "EMC\n");
    ss_buf_adds(&ops, "BT\n");
    int style = -1;
    double size = -1, lx = 0, ly = 0;
    draw_text(p, pg, false, &ops, &lx, &ly, &style, &size, &color);
    draw_text(p, pg, true, &ops, &lx, &ly, &style, &size, &color);
    ss_buf_adds(&ops, "ET\n");
    sha256_update(&p->content, ops.len, (const uint8_t *)ops.data);

    ss_buf z;
    ss_buf_init(&z);
    deflate_into(p->r, ops.data, ops.len, &z);
    HPDF_Dict fonts = ss_haru_page_set(page, z.data, z.len);
    bool ok = fonts && HPDF_Dict_Add(fonts, "F0", p->font[0]) == HPDF_OK &&
              HPDF_Dict_Add(fonts, "F1", p->font[1]) == HPDF_OK;
    ss_buf_free(&z);
    ss_buf_free(&ops);
    if (!ok)
        return failed(p, "writing the page");
    if (!build_structure(p, page))
        return failed(p, "tagging the page");

    if (bookmark) {
        /* The destination as a direct [page /Fit] array: PDFBox, and so
         * PDF/A validators built on it, reject an indirect one. */
        HPDF_Outline o = HPDF_CreateOutline(p->doc, NULL, "x", NULL);
        HPDF_Array dst = o ? ss_haru_array_in(o, "Dest") : NULL;
        if (!dst || HPDF_Array_Add(dst, page) != HPDF_OK ||
            HPDF_Array_AddName(dst, "Fit") != HPDF_OK ||
            HPDF_Dict_Add(o, "Title", text_string(p, bookmark)) != HPDF_OK)
            return failed(p, "adding a bookmark");
        said(p, "B ", bookmark);
    }
    return true;
}

/* The characters of one font in this file, by CID, ascending. */
typedef struct charmap {
    long *cid;
    long *cp;
    size_t n;
    long max_cid;
} charmap;

static int gid_order(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return (x > y) - (x < y);
}

/* The map of glyphs g[0, n) (distinct) of fonts a and b: a glyph takes a's
 * character, or b's when a has none (b may be NULL). */
static void charmap_of(unsigned *g, size_t n, const fontenc *a, const fontenc *b,
                       charmap *m)
{
    qsort(g, n, sizeof *g, gid_order);
    m->cid = ss_xcalloc(n + 1, sizeof(long));
    m->cp = ss_xcalloc(n + 1, sizeof(long));
    for (size_t i = 0; i < n; i++) {
        long c = g[i] < a->nglyphs ? a->cp[g[i]] : -1;
        m->cid[i] = g[i];
        m->cp[i] = c >= 0 ? c : b->cp[g[i]];
    }
    m->n = n;
    m->max_cid = n ? m->cid[n - 1] : 0;
}

static void charmap_build(const fontenc *e, charmap *m)
{
    unsigned *g = ss_xmalloc((e->nused + 1) * sizeof *g);
    if (e->nused)
        memcpy(g, e->used, e->nused * sizeof *g);
    charmap_of(g, e->nused, e, NULL, m);
    free(g);
}

static void charmap_free(charmap *m)
{
    free(m->cid);
    free(m->cp);
}

/* "<XXXX>": a code or a character as four hex digits (what "<%04lX>"
 * prints, at a tenth of the cost: a map has a hundred or more). */
static void put_hex4(ss_buf *b, long v)
{
    static const char hex[] = "0123456789ABCDEF";
    if (v < 0 || v > 0xFFFF) {
        ss_buf_printf(b, "<%04lX>", v);
        return;
    }
    char s[6] = {'<', hex[v >> 12 & 15], hex[v >> 8 & 15], hex[v >> 4 & 15], hex[v & 15], '>'};
    ss_buf_add(b, s, sizeof s);
}

/* One ToUnicode entry per run of CIDs that map to consecutive characters
 * (a bfrange; printable ASCII is a few of them), in blocks of at most
 * 100.  Characters outside the BMP never reach here (checked at load). */
static void tounicode_text(ss_buf *b, const charmap *m)
{
    /* Only what readers read: the PostScript resource wrapping and the
     * CMap's name, type and system info cost 150 of the 300 compressed
     * bytes, and none of the seven readers the tests use needs them. */
    ss_buf_adds(b, "begincmap\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    size_t nruns = 0;
    size_t *start = ss_xmalloc((m->n + 1) * sizeof *start);
    for (size_t i = 0; i < m->n; i++) {
        /* A range may not cross a change of the code's first byte. */
        bool joins = i > 0 && m->cid[i] == m->cid[i - 1] + 1 && m->cp[i] == m->cp[i - 1] + 1 &&
                     (m->cid[i] & 0xFF) != 0 && (m->cp[i] & 0xFF) != 0;
        if (!joins)
            start[nruns++] = i;
    }
    start[nruns] = m->n;
    /* Runs of two or more as bfrange, single characters as bfchar:
     * Ghostscript 10.0's txtwrite reads a one-entry bfrange to a character
     * above U+00FF wrongly (the okina came out as U+00BB). */
    for (int single = 0; single < 2; single++) {
        size_t n = 0;
        for (size_t q = 0; q < nruns; q++)
            n += (start[q + 1] - start[q] == 1) == (single == 1);
        for (size_t q = 0, in_block = 0; q < nruns; q++) {
            size_t a = start[q], z = start[q + 1] - 1;
            if ((a == z) != (single == 1))
                continue;
            if (in_block == 0)
                ss_buf_printf(b, "%zu %s\n", n < CMAP_BLOCK ? n : (size_t)CMAP_BLOCK,
                              single ? "beginbfchar" : "beginbfrange");
            put_hex4(b, m->cid[a]);
            if (!single) {
                ss_buf_addc(b, ' ');
                put_hex4(b, m->cid[z]);
            }
            ss_buf_addc(b, ' ');
            put_hex4(b, m->cp[a]);
            ss_buf_addc(b, '\n');
            n--;
            if (++in_block == CMAP_BLOCK || (n == 0)) {
                ss_buf_adds(b, single ? "endbfchar\n" : "endbfrange\n");
                in_block = 0;
            }
        }
    }
    free(start);
    ss_buf_adds(b, "endcmap\n");
}

/* CIDSystemInfo for the fonts: Adobe-Identity-0, one object for both. */
static HPDF_Dict system_info(ss_pdf *p)
{
    if (p->system_info)
        return p->system_info;
    HPDF_Dict info = p->system_info = ss_haru_object(p->doc);
    if (!info)
        return NULL;
    HPDF_STATUS r = HPDF_Dict_Add(info, "Registry", ss_haru_string(p->doc, "Adobe"));
    r |= HPDF_Dict_Add(info, "Ordering", ss_haru_string(p->doc, "Identity"));
    r |= HPDF_Dict_AddNumber(info, "Supplement", 0);
    return r == HPDF_OK ? info : NULL;
}

/* Six capital letters from the glyph set: a subset font's name tag
 * (PDF Reference 5.5.3), the same for the same glyphs. */
static void subset_tag(const charmap *m, int style, char tag[8])
{
    ss_buf b;
    ss_buf_init(&b);
    ss_buf_add(&b, &style, sizeof style);
    ss_buf_add(&b, m->cid, m->n * sizeof *m->cid);
    ss_buf_add(&b, m->cp, m->n * sizeof *m->cp);
    uint8_t h[32];
    ss_sha256(b.data, b.len, h);
    ss_buf_free(&b);
    for (int i = 0; i < 6; i++)
        tag[i] = (char)('A' + h[i] % 26);
    tag[6] = '+';
    tag[7] = '\0';
}

/* The width most of the n glyphs have ('fallback' when n is 0). */
static int common_width(const int *adv, size_t n, int fallback)
{
    int best = fallback;
    size_t best_n = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        for (size_t j = 0; j < n; j++)
            k += adv[j] == adv[i];
        if (k > best_n)
            best = adv[i], best_n = k;
    }
    return best;
}

/* The CIDFont's widths: W for the used CIDs, those of the commonest width
 * left to DW; consecutive CIDs of other widths in one array, three or
 * more of one width as a range. */
static bool font_widths(ss_pdf *p, int style, const charmap *m)
{
    const ss_fonts *fonts = p->fonts_in;
    int *adv = ss_xmalloc((m->n ? m->n : 1) * sizeof *adv);
    for (size_t i = 0; i < m->n; i++) {
        long c = m->cp[i];
        if (c == SOFT_HYPHEN && !ss_fonts_gid(fonts, style, c))
            c = '-'; /* drawn with the hyphen's glyph */
        adv[i] = ss_fonts_advance(fonts, style, c);
    }
    int dw = common_width(adv, m->n, ss_fonts_metrics(fonts, style)->missing_width);
    HPDF_Dict cid = p->cidfont[style];
    HPDF_Array w = ss_haru_array_in(cid, "W"), run = NULL;
    HPDF_STATUS r = w ? HPDF_OK : HPDF_FAILD_TO_ALLOC_MEM;
    for (size_t i = 0; r == HPDF_OK && i < m->n;) {
        if (adv[i] == dw) {
            i++;
            run = NULL;
            continue;
        }
        size_t j = i;
        while (j + 1 < m->n && m->cid[j + 1] == m->cid[j] + 1 && adv[j + 1] == adv[i])
            j++;
        if (j - i >= 2) {
            r |= HPDF_Array_AddNumber(w, (HPDF_INT32)m->cid[i]);
            r |= HPDF_Array_AddNumber(w, (HPDF_INT32)m->cid[j]);
            r |= HPDF_Array_AddNumber(w, adv[i]);
            run = NULL;
            i = j + 1;
            continue;
        }
        if (!run || m->cid[i] != m->cid[i - 1] + 1) {
            r |= HPDF_Array_AddNumber(w, (HPDF_INT32)m->cid[i]);
            run = ss_haru_array_of(w);
            r |= run ? HPDF_OK : HPDF_FAILD_TO_ALLOC_MEM;
        }
        r |= run ? HPDF_Array_AddNumber(run, adv[i]) : HPDF_OK;
        i++;
    }
    free(adv);
    return r == HPDF_OK && HPDF_Dict_AddNumber(cid, "DW", dw) == HPDF_OK;
}

/* The glyphs a font's program keeps: those drawn, .notdef, and always
 * the digits, the Latin letters and the break hyphen (see the top of this
 * file; ND: 1.4 KB more, and the 56-sheet batch 6-8 % less CPU, since
 * every sheet's program is cut once a worker instead of 2 sheets in 3).  They are in the CIDSet; nothing
 * draws them, so they need no width or character.  Free the result. */
static uint8_t *kept_glyphs(const ss_pdf *p, int style, const charmap *m)
{
    static const char ALWAYS[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "abcdefghijklmnopqrstuvwxyz\xAD"; /* the break hyphen */
    unsigned n = ss_fonts_metrics(p->fonts_in, style)->num_glyphs;
    uint8_t *keep = ss_xcalloc(n ? n : 1, 1);
    for (size_t i = 0; i < m->n; i++)
        keep[m->cid[i]] = 1;
    for (const char *c = ALWAYS; *c; c++) {
        unsigned g = glyph_of(p->fonts_in, (ss_style)style, (unsigned char)*c);
        if (g < n)
            keep[g] = 1;
    }
    keep[0] = 1; /* .notdef */
    return keep;
}

/* The font descriptor of 'name' with the program 'file' and its CIDSet. */
static HPDF_Dict font_descriptor(ss_pdf *p, const ss_font_metrics *fm, const char *name,
                                 HPDF_Dict file, HPDF_Dict set)
{
    HPDF_Dict fd = ss_haru_object(p->doc);
    if (!fd)
        return NULL;
    HPDF_STATUS r = HPDF_Dict_AddName(fd, "Type", "FontDescriptor");
    r |= HPDF_Dict_AddName(fd, "FontName", name);
    r |= HPDF_Dict_AddNumber(fd, "Flags", (HPDF_INT32)fm->flags);
    HPDF_Array bbox = ss_haru_array_in(fd, "FontBBox");
    for (int i = 0; i < 4; i++)
        r |= bbox ? HPDF_Array_AddNumber(bbox, fm->bbox[i]) : HPDF_FAILD_TO_ALLOC_MEM;
    r |= HPDF_Dict_AddNumber(fd, "ItalicAngle", fm->italic_angle);
    r |= HPDF_Dict_AddNumber(fd, "Ascent", fm->ascent);
    r |= HPDF_Dict_AddNumber(fd, "Descent", fm->descent);
    r |= HPDF_Dict_AddNumber(fd, "CapHeight", fm->cap_height);
    r |= HPDF_Dict_AddNumber(fd, "StemV", fm->stemv);
    r |= HPDF_Dict_Add(fd, "FontFile2", file);
    r |= HPDF_Dict_Add(fd, "CIDSet", set);
    return r == HPDF_OK ? fd : NULL;
}

/* Fills in one font, once the pages are drawn: its widths, its cut
 * program with CIDSet and descriptor, its name and ToUnicode map (shared
 * with the other font when 'tounicode' is not NULL). */
static bool finish_font(ss_pdf *p, int style, HPDF_Dict tounicode)
{
    const ss_font_metrics *fm = ss_fonts_metrics(p->fonts_in, style);
    charmap m;
    charmap_build(&p->enc[style], &m);
    ss_buf sub;
    ss_buf_init(&sub);
    char tag[8], name[160];
    subset_tag(&m, style, tag);
    snprintf(name, sizeof name, "%s%s", tag, fm->name);
    uint8_t *keep = kept_glyphs(p, style, &m);
    size_t raw = 0;
    ss_buf bits;
    ss_buf_init(&bits);
    font_program(p->r, style, keep, fm->num_glyphs, &sub, &raw, &bits);
    if (!tounicode) {
        ss_buf text;
        ss_buf_init(&text);
        tounicode_text(&text, &m);
        tounicode = new_stream(p, text.data, text.len, true);
        ss_buf_free(&text);
    }
    HPDF_Dict file = ss_haru_stream(p->doc, sub.data, sub.len, true);
    HPDF_Dict set = new_stream(p, bits.data, bits.len, false);
    HPDF_Dict fd = file && set ? font_descriptor(p, fm, name, file, set) : NULL;
    HPDF_Dict info = system_info(p), cid = p->cidfont[style];
    bool ok = tounicode && fd && info && font_widths(p, style, &m) &&
         HPDF_Dict_AddNumber(file, "Length1", (HPDF_INT32)raw) == HPDF_OK &&
         HPDF_Dict_AddName(cid, "BaseFont", name) == HPDF_OK &&
         HPDF_Dict_Add(cid, "CIDSystemInfo", info) == HPDF_OK &&
         HPDF_Dict_Add(cid, "FontDescriptor", fd) == HPDF_OK &&
         HPDF_Dict_AddName(cid, "CIDToGIDMap", "Identity") == HPDF_OK &&
         HPDF_Dict_AddName(p->font[style], "BaseFont", name) == HPDF_OK &&
         HPDF_Dict_Add(p->font[style], "ToUnicode", tounicode) == HPDF_OK;
    if (!ok)
        failed(p, "writing a font");
    free(keep);
    ss_buf_free(&bits);
    ss_buf_free(&sub);
    charmap_free(&m);
    return ok;
}

/* One ToUnicode map for both fonts when no glyph id means one character
 * in one font and another in the other (our two fonts number the glyphs
 * of ASCII and much else alike): one stream less in the file.  NULL, with
 * *shareable false, when they differ. */
static HPDF_Dict shared_tounicode(ss_pdf *p, bool *shareable)
{
    const fontenc *a = &p->enc[0], *b = &p->enc[1];
    /* The glyphs either font drew: a's, then those of b's that a did not
     * draw; a glyph both drew must draw one character. */
    unsigned *g = ss_xmalloc((a->nused + b->nused + 1) * sizeof *g);
    size_t n = 0;
    *shareable = true;
    for (size_t i = 0; i < a->nused; i++)
        g[n++] = a->used[i];
    for (size_t i = 0; i < b->nused && *shareable; i++) {
        unsigned k = b->used[i];
        long ca = k < a->nglyphs ? a->cp[k] : -1;
        if (ca < 0)
            g[n++] = k;
        else
            *shareable = ca == b->cp[k];
    }
    HPDF_Dict s = NULL;
    if (*shareable) {
        charmap m;
        charmap_of(g, n, a, b, &m);
        ss_buf text;
        ss_buf_init(&text);
        tounicode_text(&text, &m);
        s = new_stream(p, text.data, text.len, true);
        ss_buf_free(&text);
        charmap_free(&m);
    }
    free(g);
    return s;
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

/* The XMP packet.  A one-page sheet is size-bound (24 KB), so: one description for the common schemas (the extension
 * schema needs one of its own), no modification date (a new file has only
 * its creation date), no producer (libharu's name; CreatorTool names
 * statesheet), and the subject and keywords (which say again what the
 * title says) only in files of many pages. */
static void xmp_packet(ss_buf *b, const ss_pdf_info *info, const char *date, bool brief)
{
    ss_buf_adds(b, "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
                   "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">"
                   "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
                   "<rdf:Description rdf:about=\"\""
                   " xmlns:dc=\"http://purl.org/dc/elements/1.1/\""
                   " xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\""
                   " xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"");
    if (!brief)
        ss_buf_adds(b, " xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"");
    ss_buf_adds(b, ">\n<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">");
    xml_escape(b, info->title);
    ss_buf_adds(b, "</rdf:li></rdf:Alt></dc:title>\n<dc:creator><rdf:Seq><rdf:li>");
    xml_escape(b, info->author);
    ss_buf_adds(b, "</rdf:li></rdf:Seq></dc:creator>\n");
    if (!brief) {
        ss_buf_adds(b, "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">");
        xml_escape(b, info->subject);
        ss_buf_adds(b, "</rdf:li></rdf:Alt></dc:description>\n<pdf:Keywords>");
        xml_escape(b, info->keywords);
        ss_buf_adds(b, "</pdf:Keywords>\n");
    }
    ss_buf_adds(b, "<xmp:CreateDate>");
    ss_buf_adds(b, date);
    ss_buf_adds(b, "</xmp:CreateDate>\n<xmp:CreatorTool>");
    xml_escape(b, info->creator);
    ss_buf_adds(b, "</xmp:CreatorTool>\n"
                   "<pdfaid:part>1</pdfaid:part>\n"
                   "<pdfaid:conformance>B</pdfaid:conformance>\n</rdf:Description>\n"
                   /* PDF/UA-1 says so in its own namespace, which PDF/A-1
                    * accepts only with this declaration of its schema (in
                    * a description of its own, or PDFBox does not find it). */
                   "<rdf:Description rdf:about=\"\""
                   " xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\""
                   " xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\""
                   " xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\n"
                   "<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType=\"Resource\">"
                   "<pdfaSchema:schema>PDF/UA</pdfaSchema:schema>"
                   "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/"
                   "</pdfaSchema:namespaceURI><pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>"
                   "<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType=\"Resource\">"
                   "<pdfaProperty:name>part</pdfaProperty:name>"
                   "<pdfaProperty:valueType>Integer</pdfaProperty:valueType>"
                   "<pdfaProperty:category>internal</pdfaProperty:category>"
                   "<pdfaProperty:description>Part</pdfaProperty:description>"
                   "</rdf:li></rdf:Seq></pdfaSchema:property>"
                   "</rdf:li></rdf:Bag></pdfaExtension:schemas>\n</rdf:Description>\n"
                   "<rdf:Description rdf:about=\"\" "
                   "xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\">"
                   "<pdfuaid:part>1</pdfuaid:part></rdf:Description>\n"
                   "</rdf:RDF></x:xmpmeta>\n"
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

    /* Info: the title, author and date; the rest (subject, keywords,
     * creator) only in the XMP packet, which
     * PDF/A-1 allows (Info entries must agree with XMP, not the reverse)
     * and which saves 230 bytes of a size-bound sheet. */
    if (HPDF_SetInfoAttr(doc, HPDF_INFO_TITLE, "-") != HPDF_OK ||
        HPDF_SetInfoDateAttr(doc, HPDF_INFO_CREATION_DATE, d) != HPDF_OK)
        return failed(p, "writing the document info");
    HPDF_Dict infod = ss_haru_info(doc);
    if (infod) /* libharu puts its name in every file's Info */
        HPDF_Dict_RemoveElement(infod, "Producer");
    if (!infod || HPDF_Dict_Add(infod, "Title", text_string(p, info->title)) != HPDF_OK ||
        HPDF_Dict_Add(infod, "Author", text_string(p, info->author)) != HPDF_OK)
        return failed(p, "writing the document info");

    /* XMP metadata, unfiltered as PDF/A-1 requires. */
    ss_buf x;
    ss_buf_init(&x);
    xmp_packet(&x, info, xmpdate, p->single_page);
    HPDF_Dict meta = ss_haru_stream(doc, x.data, x.len, false);
    bool ok = meta && HPDF_Dict_AddName(meta, "Type", "Metadata") == HPDF_OK &&
              HPDF_Dict_AddName(meta, "Subtype", "XML") == HPDF_OK &&
              HPDF_Dict_Add(ss_haru_catalog(doc), "Metadata", meta) == HPDF_OK;
    sha256_update(&p->content, x.len, (const uint8_t *)x.data);
    ss_buf_free(&x);
    if (!ok)
        return failed(p, "writing the metadata");

    /* The file ID: a digest of everything drawn and said, never the time,
     * so the same inputs give the same bytes. */
    uint8_t id[32];
    sha256_digest(&p->content, sizeof id, id);
    HPDF_Array ids = ss_haru_array_in(ss_haru_trailer(doc), "ID");
    if (!ids || HPDF_Array_Add(ids, ss_haru_binary(doc, id, 16)) != HPDF_OK ||
        HPDF_Array_Add(ids, ss_haru_binary(doc, id, 16)) != HPDF_OK)
        return failed(p, "writing the file ID");
    return true;
}

/* Writes the document through libharu's own memory stream and appends
 * its bytes to out. */
static bool save(ss_pdf *p, ss_buf *out)
{
    if (HPDF_SaveToStream(p->doc) != HPDF_OK)
        return failed(p, "writing the file");
    HPDF_UINT32 size = HPDF_GetStreamSize(p->doc);
    ss_buf_reserve(out, out->len + size + 1);
    HPDF_UINT32 n = size;
    HPDF_STATUS r = HPDF_ReadFromStream(p->doc, (HPDF_BYTE *)out->data + out->len, &n);
    if ((r != HPDF_OK && r != HPDF_STREAM_EOF) || n != size)
        return failed(p, "writing the file");
    out->len += n;
    out->data[out->len] = '\0';
    return true;
}

bool ss_pdf_finish(ss_pdf *p, const ss_pdf_info *info, ss_buf *out)
{
    bool shareable;
    HPDF_Dict tounicode = shared_tounicode(p, &shareable);
    if (shareable && !tounicode)
        return failed(p, "writing a font");
    for (int s = 0; s < 2; s++)
        if (!finish_font(p, s, tounicode))
            return false;
    /* The document's language (PDF/UA-1, 7.2), from the template. */
    const char *lang = info->lang && *info->lang ? info->lang : DEFAULT_LANG;
    if (HPDF_Dict_Add(ss_haru_catalog(p->doc), "Lang", ss_haru_string(p->doc, lang)) != HPDF_OK)
        return failed(p, "writing the document's language");
    said(p, "L ", lang);
    if (!write_pdfa(p, info))
        return false;
    return save(p, out);
}
