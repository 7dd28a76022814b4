/* fonts.c - font files, metrics and coverage, read by HarfBuzz. */
#include "fonts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hb-ot.h>

#include "paths.h"
#include "util.h"

/* A font asset larger than this is not ours. */
#define FONT_MAX_BYTES (8u * 1024u * 1024u)
/* Code points we can print: the Basic Multilingual Plane (libharu's UTF-8
 * mode is 16-bit). */
#define CP_LIMIT 0x10000

/* The SHA-256 of each binary asset, as shipped.  tools/subset-fonts.py
 * prints them; tests/test_render.c checks they match assets/. */
static const struct {
    const char *rel;
    const char *sha256;
} RECORDED[] = {
    {SS_FONT_REGULAR_FILE, "90513f3958f7308c618786b74d7e6dcef25e173184a1499c44928ef553811b41"},
    {SS_FONT_BOLD_FILE, "805f14cb74271384fb23c9d266ffbb4a8f8baf5cd57b94b9a131e4b5f1e7f36a"},
    {SS_ICC_FILE, "9f0366d6c3cf51c06607fb2a05d3c2b1c568ab521a0f31c37e6fd0270667b5f0"},
};

struct ss_fonts {
    char *path[2];
    uint8_t *data[2];  /* the file's bytes, for embedding */
    size_t len[2];
    int16_t *width[2]; /* per code point, thousandths of an em; -1: none */
    uint16_t *gid[2];  /* per code point; 0: none */
    ss_font_metrics metrics[2];
    ss_measure measure;
};

bool ss_asset_verify(const char *rel, const char *path, const void *data,
                     size_t len, ss_diag *diag)
{
    char hex[65];
    ss_sha256_hex(data, len, hex);
    for (size_t i = 0; i < sizeof RECORDED / sizeof *RECORDED; i++) {
        if (strcmp(RECORDED[i].rel, rel))
            continue;
        if (!strcmp(RECORDED[i].sha256, hex))
            return true;
        ss_diag_error(diag, path, 0, "this file is damaged or not the one statesheet "
                      "%s; reinstall statesheet (SHA-256 %.12s..., expected %.12s...)",
                      "was built with", hex, RECORDED[i].sha256);
        return false;
    }
    return true; /* not a recorded asset */
}

static double text_width(void *vctx, ss_style style, const char *s, size_t n)
{
    const ss_fonts *f = vctx;
    const int16_t *w = f->width[style == SS_BOLD];
    const char *p = s, *end = s + n;
    long total = 0;
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x80) { /* the common case, without decoding */
            total += w[c] > 0 ? w[c] : 0;
            p++;
            continue;
        }
        long cp = ss_utf8_next(&p, end);
        if (cp >= 0 && cp < CP_LIMIT && w[cp] > 0)
            total += w[cp];
    }
    return (double)total;
}

/* Thousandths of an em, cut toward zero as libharu measures (the PDF's
 * widths and descriptor are ours, but every sheet made so far used these). */
static int per_mille(long v, unsigned upem)
{
    return (int)(v * 1000 / (long)upem);
}

/* Reads a TrueType font's metrics with HarfBuzz: fills m, and width[cp]
 * (thousandths of an em) and gid[cp] for every code point below CP_LIMIT
 * - 1 the font maps.  False when the font has no glyphs or no Unicode
 * character map. */
static bool read_font(const void *data, size_t len, ss_font_metrics *m, int16_t *width,
                      uint16_t *gid)
{
    hb_blob_t *blob = hb_blob_create((const char *)data, (unsigned)len,
                                     HB_MEMORY_MODE_READONLY, NULL, NULL);
    hb_face_t *face = hb_face_create(blob, 0);
    hb_font_t *font = hb_font_create(face);
    hb_set_t *cps = hb_set_create();
    hb_face_collect_unicodes(face, cps);
    unsigned upem = hb_face_get_upem(face);
    hb_font_set_scale(font, (int)upem, (int)upem);
    m->num_glyphs = hb_face_get_glyph_count(face);
    bool ok = m->num_glyphs > 0 && upem > 0 && !hb_set_is_empty(cps);
    for (hb_codepoint_t cp = HB_SET_VALUE_INVALID; ok && hb_set_next(cps, &cp);) {
        hb_codepoint_t g = 0;
        if (cp >= CP_LIMIT - 1 || !hb_font_get_nominal_glyph(font, cp, &g) || !g ||
            g > UINT16_MAX)
            continue;
        gid[cp] = (uint16_t)g;
        width[cp] = (int16_t)per_mille(hb_font_get_glyph_h_advance(font, g), upem);
    }
    unsigned n = sizeof m->name;
    hb_ot_name_get_utf8(face, HB_OT_NAME_ID_POSTSCRIPT_NAME, HB_LANGUAGE_INVALID, &n, m->name);
    hb_font_extents_t ext = {0};
    hb_font_get_h_extents(font, &ext);
    m->ascent = per_mille(ext.ascender, upem);
    m->descent = per_mille(ext.descender, upem);
    hb_position_t cap = 0, xh = 0;
    hb_ot_metrics_get_position(font, HB_OT_METRICS_TAG_CAP_HEIGHT, &cap);
    hb_ot_metrics_get_position(font, HB_OT_METRICS_TAG_X_HEIGHT, &xh);
    m->cap_height = per_mille(cap, upem);
    m->x_height = per_mille(xh, upem);
    m->stemv = 0; /* unknown: the PDF reader estimates it */
    m->italic_angle = (int)hb_style_get_value(font, HB_STYLE_TAG_SLANT_ANGLE);
    m->missing_width = per_mille(hb_font_get_glyph_h_advance(font, 0), upem);
    /* The head table's box of every glyph, and its bold bit (macStyle). */
    hb_blob_t *head = hb_face_reference_table(face, HB_TAG('h', 'e', 'a', 'd'));
    unsigned hl = 0;
    const uint8_t *h = (const uint8_t *)hb_blob_get_data(head, &hl);
    if (hl >= 54) {
        for (int i = 0; i < 4; i++)
            m->bbox[i] = per_mille((int16_t)(h[36 + 2 * i] << 8 | h[37 + 2 * i]), upem);
        /* PDF font flags: nonsymbolic (32), and ForceBold for a bold face. */
        m->flags = 32u | ((h[45] & 1) ? 1u << 18 : 0);
    } else {
        ok = false;
    }
    hb_blob_destroy(head);
    hb_set_destroy(cps);
    hb_font_destroy(font);
    hb_face_destroy(face);
    hb_blob_destroy(blob);
    return ok;
}

/* Reads one font's widths and metrics (read_font). */
static bool load_one(ss_fonts *f, int style, const char *dir, const char *rel,
                     ss_diag *diag, double *ascent, double *descent)
{
    bool ok = false;
    char *path = ss_path_join(dir, rel);
    size_t len = 0;
    int e = 0;
    char *data = ss_read_file(path, FONT_MAX_BYTES, &len, &e);
    if (!data) {
        ss_diag_error(diag, path, 0, "cannot read the font: %s; reinstall statesheet "
                      "or point --assets at its assets folder",
                      e == EFBIG ? "file too large" : strerror(e));
        goto done;
    }
    if (!ss_asset_verify(rel, path, data, len, diag))
        goto done;
    f->width[style] = ss_xmalloc(CP_LIMIT * sizeof(int16_t));
    f->gid[style] = ss_xcalloc(CP_LIMIT, sizeof(uint16_t));
    for (long cp = 0; cp < CP_LIMIT; cp++)
        f->width[style][cp] = -1;
    ss_font_metrics *fm = &f->metrics[style];
    /* The font is the recorded one (checked above), so HarfBuzz reads it
     * wrong only when it cannot allocate a table, which then reads as
     * empty: memory ran out. */
    if (!read_font(data, len, fm, f->width[style], f->gid[style]) ||
        f->width[style]['A'] <= 0)
        ss_out_of_memory();
    /* Control characters are never drawn. */
    for (long cp = 0; cp < 0x20; cp++)
        f->width[style][cp] = -1;
    if (style == SS_REGULAR) {
        *ascent = fm->ascent;
        *descent = -(double)fm->descent;
    }
    f->path[style] = path;
    f->data[style] = (uint8_t *)data;
    f->len[style] = len;
    path = NULL;
    data = NULL;
    ok = true;
done:
    free(data);
    free(path);
    return ok;
}

ss_fonts *ss_fonts_load(const char *assets_dir, ss_diag *diag)
{
    ss_fonts *f = ss_xcalloc(1, sizeof *f);
    double ascent = 905, descent = 212;
    bool ok = load_one(f, SS_REGULAR, assets_dir, SS_FONT_REGULAR_FILE, diag, &ascent,
                       &descent);
    ok &= load_one(f, SS_BOLD, assets_dir, SS_FONT_BOLD_FILE, diag, &ascent, &descent);
    if (!ok) {
        ss_fonts_free(f);
        return NULL;
    }
    f->measure = (ss_measure){text_width, f, ascent, descent, NULL, NULL};
    return f;
}

void ss_fonts_free(ss_fonts *f)
{
    if (!f)
        return;
    for (int i = 0; i < 2; i++) {
        free(f->path[i]);
        free(f->data[i]);
        free(f->width[i]);
        free(f->gid[i]);
    }
    free(f);
}

const ss_measure *ss_fonts_measure(const ss_fonts *f)
{
    return &f->measure;
}

/* True when the style's font has a glyph for code point cp. */
static bool has_glyph(const ss_fonts *f, ss_style style, long cp)
{
    return cp >= 0x20 && cp < CP_LIMIT && f->width[style == SS_BOLD][cp] >= 0;
}

long ss_fonts_first_missing(const ss_fonts *f, ss_style style, const char *s)
{
    const char *p = s, *end = s + strlen(s);
    while (p < end) {
        long cp = ss_utf8_next(&p, end);
        if (cp == 0xA0 || cp == '\n' || cp == '\t' || cp == '\r')
            continue; /* white space is laid out as gaps, never drawn */
        if (!has_glyph(f, style, cp))
            return cp < 0 ? 0xFFFD : cp;
    }
    return 0;
}

const ss_font_metrics *ss_fonts_metrics(const ss_fonts *f, ss_style style)
{
    return &f->metrics[style == SS_BOLD];
}

unsigned ss_fonts_gid(const ss_fonts *f, ss_style style, long cp)
{
    return cp >= 0 && cp < CP_LIMIT ? f->gid[style == SS_BOLD][cp] : 0;
}

int ss_fonts_advance(const ss_fonts *f, ss_style style, long cp)
{
    int w = cp >= 0 && cp < CP_LIMIT ? f->width[style == SS_BOLD][cp] : -1;
    return w >= 0 ? w : f->metrics[style == SS_BOLD].missing_width;
}

const uint8_t *ss_fonts_data(const ss_fonts *f, ss_style style, size_t *len)
{
    *len = f->len[style == SS_BOLD];
    return f->data[style == SS_BOLD];
}

const char *ss_fonts_path(const ss_fonts *f, ss_style style)
{
    return f->path[style == SS_BOLD];
}
