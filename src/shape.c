/* shape.c - kerned widths from HarfBuzz, each word shaped once per worker.
 *
 * A word's kerning is what HarfBuzz moves between its glyphs with the
 * font's 'kern' feature on, against the same word shaped with it off:
 * the distance from each glyph's origin to the next one's.  Everything
 * else the shaper does (a mark's zero advance, say) is in both and
 * cancels, so the widths stay the font's own widths plus the kerning,
 * which is what the PDF draws (W widths and TJ adjustments).
 */
#include "shape.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hb.h>

#include "strset.h"
#include "util.h"

/* Longer "words" (a 2,000-letter name with no space) are not kerned:
 * each adjustment's count is kept in 16 bits. */
#define MAX_KERNED_CHARS 1024
#define SOFT_HYPHEN 0xAD

/* One shaped word: its adjustments in kerns, and their total. */
typedef struct entry {
    uint32_t kern;
    uint16_t nkern;
    int32_t sum; /* thousandths of an em */
} entry;

struct ss_shaper {
    const ss_measure *plain; /* the fonts' unkerned widths */
    hb_font_t *font[2];
    double upem[2];
    hb_buffer_t *buf;
    ss_strset words[2]; /* the words shaped, per style (regular, bold) ... */
    entry *shaped[2];   /* ... and what each came to, by its number */
    size_t shaped_cap[2];
    ss_kern *kerns;
    size_t nkerns, kerns_cap;
    uint32_t *cp;        /* the word being shaped: characters ... */
    uint32_t *start;     /* ... and the byte each starts at */
    hb_position_t *with; /* glyph origins with kerning */
    size_t scratch_cap; /* of cp and start; with has twice */
    ss_measure measure;
};

static hb_font_t *font_of(const ss_fonts *f, ss_style style, double *upem)
{
    size_t len = 0;
    const uint8_t *data = ss_fonts_data(f, style, &len);
    hb_blob_t *blob = hb_blob_create((const char *)data, (unsigned)len,
                                     HB_MEMORY_MODE_READONLY, NULL, NULL);
    hb_face_t *face = hb_face_create(blob, 0);
    hb_font_t *font = hb_font_create(face);
    if (font == hb_font_get_empty())
        ss_out_of_memory();
    *upem = hb_face_get_upem(face);
    hb_face_destroy(face);
    hb_blob_destroy(blob);
    return font;
}

/* Glyph origins of the word in sh->cp (n characters), shaped with kerning
 * on or off, into pos (n + 1: the last is the pen's end).  False when the
 * glyphs are not one per character, in order. */
static bool origins(ss_shaper *sh, ss_style style, size_t n, bool kern, hb_position_t *pos)
{
    static const hb_tag_t FEATURES[3] = {HB_TAG('k', 'e', 'r', 'n'), HB_TAG('l', 'i', 'g', 'a'),
                                         HB_TAG('c', 'l', 'i', 'g')};
    hb_feature_t f[3];
    for (int i = 0; i < 3; i++)
        f[i] = (hb_feature_t){FEATURES[i], i == 0 && kern, HB_FEATURE_GLOBAL_START,
                              HB_FEATURE_GLOBAL_END};
    hb_buffer_clear_contents(sh->buf);
    hb_buffer_add_codepoints(sh->buf, sh->cp, (int)n, 0, (int)n);
    hb_buffer_set_direction(sh->buf, HB_DIRECTION_LTR);
    hb_buffer_guess_segment_properties(sh->buf);
    if (!hb_shape_full(sh->font[style == SS_BOLD], sh->buf, f, 3, NULL) ||
        !hb_buffer_allocation_successful(sh->buf))
        ss_out_of_memory(); /* never a word set without its kerning */
    unsigned count = 0;
    const hb_glyph_info_t *info = hb_buffer_get_glyph_infos(sh->buf, &count);
    const hb_glyph_position_t *p = hb_buffer_get_glyph_positions(sh->buf, &count);
    if (count != n)
        return false;
    hb_position_t pen = 0;
    for (size_t i = 0; i < n; i++) {
        if (info[i].cluster != i)
            return false;
        pos[i] = pen + p[i].x_offset;
        pen += p[i].x_advance;
    }
    pos[n] = pen;
    return true;
}

/* Shapes word s (n bytes, no space) into a new entry e. */
static void shape_word(ss_shaper *sh, ss_style style, const char *s, size_t n, entry *e)
{
    if (n + 2 > sh->scratch_cap) { /* a character takes a byte or more */
        sh->scratch_cap = 2 * n + 2;
        free(sh->cp), free(sh->start), free(sh->with);
        sh->cp = ss_xmalloc(sh->scratch_cap * sizeof *sh->cp);
        sh->start = ss_xmalloc(sh->scratch_cap * sizeof *sh->start);
        sh->with = ss_xmalloc(2 * sh->scratch_cap * sizeof *sh->with);
    }
    size_t chars = 0;
    for (const char *q = s, *end = s + n; q < end;) {
        const char *at = q;
        long c = ss_utf8_next(&q, end);
        sh->cp[chars] = c == SOFT_HYPHEN ? '-' : c < 0 ? 0xFFFD : (uint32_t)c;
        sh->start[chars++] = (uint32_t)(at - s);
    }
    e->kern = (uint32_t)sh->nkerns;
    if (chars < 2 || chars > MAX_KERNED_CHARS)
        return;
    hb_position_t *with = sh->with, *without = sh->with + chars + 1;
    if (!origins(sh, style, chars, true, with))
        return;
    /* Unkerned, the glyphs stand at their advances, unless the shaper
     * moved a combining mark: only then is the word shaped again. */
    hb_font_t *font = sh->font[style == SS_BOLD];
    hb_unicode_funcs_t *uni = hb_unicode_funcs_get_default();
    bool marks = false;
    for (size_t i = 0; i < chars && !marks; i++)
        marks = hb_unicode_general_category(uni, sh->cp[i]) == HB_UNICODE_GENERAL_CATEGORY_NON_SPACING_MARK;
    if (marks) {
        if (!origins(sh, style, chars, false, without))
            return;
    } else {
        without[0] = 0;
        for (size_t i = 0; i < chars; i++) {
            hb_codepoint_t g = 0;
            hb_font_get_nominal_glyph(font, sh->cp[i], &g);
            without[i + 1] = without[i] + hb_font_get_glyph_h_advance(font, g);
        }
    }
    double to_em = 1000.0 / sh->upem[style == SS_BOLD];
    for (size_t i = 0; i + 1 < chars; i++) {
        hb_position_t d = (with[i + 1] - with[i]) - (without[i + 1] - without[i]);
        int adj = (int)lround(d * to_em);
        if (!adj)
            continue;
        sh->kerns = ss_xgrow(sh->kerns, sizeof *sh->kerns, sh->nkerns + 1, &sh->kerns_cap);
        sh->kerns[sh->nkerns++] = (ss_kern){sh->start[i + 1], adj};
        e->nkern++;
        e->sum += adj;
    }
}

/* The cache's entry for word s, shaped now if it is new. */
static const entry *word(ss_shaper *sh, ss_style style, const char *s, size_t n)
{
    int b = style == SS_BOLD;
    bool added = false;
    size_t i = ss_strset_add(&sh->words[b], s, n, &added);
    if (added) {
        sh->shaped[b] = ss_xgrow(sh->shaped[b], sizeof *sh->shaped[b], i + 1, &sh->shaped_cap[b]);
        sh->shaped[b][i] = (entry){0};
        shape_word(sh, style, s, n, &sh->shaped[b][i]);
    }
    return &sh->shaped[b][i];
}

static double width(void *ctx, ss_style style, const char *s, size_t n)
{
    ss_shaper *sh = ctx;
    double w = sh->plain->width(sh->plain->ctx, style, s, n);
    for (const char *q = s, *end = s + n; q < end;) {
        const char *sp = memchr(q, ' ', (size_t)(end - q));
        const char *stop = sp ? sp : end;
        if (stop - q > 1)
            w += word(sh, style, q, (size_t)(stop - q))->sum;
        q = stop + 1;
    }
    return w;
}

static double plain(void *ctx, ss_style style, const char *s, size_t n)
{
    ss_shaper *sh = ctx;
    return sh->plain->width(sh->plain->ctx, style, s, n);
}

static size_t kerns(void *ctx, ss_style style, const char *s, size_t n, ss_kern *out,
                    size_t max)
{
    ss_shaper *sh = ctx;
    if (n < 2)
        return 0;
    const entry *e = word(sh, style, s, n);
    size_t k = e->nkern < max ? e->nkern : max;
    if (k)
        memcpy(out, sh->kerns + e->kern, k * sizeof *out);
    return k;
}

ss_shaper *ss_shaper_new(const ss_fonts *f)
{
    ss_shaper *sh = ss_xcalloc(1, sizeof *sh);
    sh->plain = ss_fonts_measure(f);
    sh->font[0] = font_of(f, SS_REGULAR, &sh->upem[0]);
    sh->font[1] = font_of(f, SS_BOLD, &sh->upem[1]);
    sh->buf = hb_buffer_create();
    sh->measure = (ss_measure){width, sh, sh->plain->ascent, sh->plain->descent, kerns, plain};
    /* HarfBuzz reads a font's tables when first asked, and a table it
     * could not allocate for reads as empty from then on: a word with no
     * kerning, silently.  Our fonts kern "To", so a first word that does
     * not says memory ran out. */
    for (int b = 0; b < 2; b++)
        if (!word(sh, b ? SS_BOLD : SS_REGULAR, "To", 2)->nkern)
            ss_out_of_memory();
    return sh;
}

void ss_shaper_free(ss_shaper *sh)
{
    if (!sh)
        return;
    hb_font_destroy(sh->font[0]);
    hb_font_destroy(sh->font[1]);
    hb_buffer_destroy(sh->buf);
    for (int b = 0; b < 2; b++) {
        ss_strset_free(&sh->words[b]);
        free(sh->shaped[b]);
    }
    free(sh->kerns);
    free(sh->cp);
    free(sh->start);
    free(sh->with);
    free(sh);
}

const ss_measure *ss_shaper_measure(ss_shaper *sh)
{
    return &sh->measure;
}
