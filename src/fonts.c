/* fonts.c - font files, metrics and coverage, read by libharu (haru.c). */
#include "fonts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haru.h"
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
    {SS_FONT_REGULAR_FILE, "bf2b0ad1ed906a2ab88fdc18eb1f6fb7ccd1d96254ef9df1ea6542db223c2e0d"},
    {SS_FONT_BOLD_FILE, "7782f0dff427e22b7f2b3bc47ea6dbfdd83294d6d5c1b66fabc2d73e530857f6"},
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

/* Reads one font's widths with libharu's TrueType parser (haru.c). */
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
    unsigned err = 0;
    if (!ss_haru_ttf_read(data, len, fm, f->width[style], f->gid[style], CP_LIMIT, &err)) {
        if (err == HPDF_FAILD_TO_ALLOC_MEM)
            ss_out_of_memory(); /* not a damaged font */
        if (err)
            ss_diag_error(diag, path, 0, "the PDF library cannot read this font "
                          "(error 0x%04X); reinstall statesheet", err);
        else
            ss_diag_error(diag, path, 0, "the font has no Unicode character map the PDF "
                          "library can read; reinstall statesheet");
        goto done;
    }
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
    f->measure = (ss_measure){text_width, f, ascent, descent};
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

bool ss_fonts_has(const ss_fonts *f, ss_style style, long cp)
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
        if (!ss_fonts_has(f, style, cp))
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
