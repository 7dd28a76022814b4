/* ttf_subset.c - cutting a TrueType font down for embedding. */
#include "ttf_subset.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct table {
    char tag[5];
    const uint8_t *data;
    uint32_t len;
} table;

static uint16_t u16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static bool find(const uint8_t *font, size_t len, const char *tag, table *t)
{
    if (len < 12)
        return false;
    uint16_t n = u16(font + 4);
    if (12 + (size_t)n * 16 > len)
        return false;
    for (uint16_t i = 0; i < n; i++) {
        const uint8_t *r = font + 12 + i * 16;
        if (memcmp(r, tag, 4))
            continue;
        uint32_t off = u32(r + 8), l = u32(r + 12);
        if (off > len || l > len - off)
            return false;
        memcpy(t->tag, tag, 4);
        t->tag[4] = '\0';
        t->data = font + off;
        t->len = l;
        return true;
    }
    return false;
}

static uint32_t checksum(const uint8_t *p, size_t n)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 4 <= n; i += 4)
        sum += u32(p + i);
    if (n % 4) {
        uint8_t last[4] = {0};
        memcpy(last, p + n - n % 4, n % 4);
        sum += u32(last);
    }
    return sum;
}

typedef struct glyphs {
    table glyf, loca;
    bool long_loca;
    uint16_t count;
} glyphs;

/* Bytes of glyph gid inside glyf, or false when the tables disagree. */
static bool glyph_span(const glyphs *g, uint32_t gid, uint32_t *off, uint32_t *len)
{
    uint32_t a, b;
    if (g->long_loca) {
        if ((gid + 2) * 4 > g->loca.len)
            return false;
        a = u32(g->loca.data + gid * 4);
        b = u32(g->loca.data + gid * 4 + 4);
    } else {
        if ((gid + 2) * 2 > g->loca.len)
            return false;
        a = u16(g->loca.data + gid * 2) * 2u;
        b = u16(g->loca.data + gid * 2 + 2) * 2u;
    }
    if (b < a || b > g->glyf.len)
        return false;
    *off = a;
    *len = b - a;
    return true;
}

/* Marks the components of every kept composite glyph, and theirs: a pass
 * over the kept glyphs until one adds nothing (fonts nest one or two deep;
 * each pass but the last adds a glyph, so there are at most count). */
static bool add_components(const glyphs *g, uint8_t *keep)
{
    for (uint32_t pass = 0; pass <= g->count; pass++) {
        bool added = false;
        for (uint32_t gid = 0; gid < g->count; gid++) {
            uint32_t off, len;
            if (!keep[gid])
                continue;
            if (!glyph_span(g, gid, &off, &len))
                return false;
            if (len < 10 || (int16_t)u16(g->glyf.data + off) >= 0)
                continue; /* empty or simple */
            const uint8_t *p = g->glyf.data + off + 10, *end = g->glyf.data + off + len;
            for (;;) {
                if (end - p < 4)
                    return false;
                uint16_t flags = u16(p), comp = u16(p + 2);
                if (comp >= g->count)
                    return false;
                if (!keep[comp]) {
                    keep[comp] = 1;
                    added = true;
                }
                p += 4 + ((flags & 0x0001) ? 4 : 2);
                if (flags & 0x0008)
                    p += 2;
                else if (flags & 0x0040)
                    p += 4;
                else if (flags & 0x0080)
                    p += 8;
                if (!(flags & 0x0020))
                    break;
            }
        }
        if (!added)
            return true;
    }
    return true;
}

/* The font's head, maxp and glyph tables (glyf, loca, their format and
 * the glyph count), or false when one is missing or short. */
static bool glyph_tables(const uint8_t *font, size_t len, table *head, table *maxp,
                         glyphs *g)
{
    if (!find(font, len, "head", head) || head->len < 54 ||
        !find(font, len, "maxp", maxp) || maxp->len < 6 ||
        !find(font, len, "loca", &g->loca) || !find(font, len, "glyf", &g->glyf))
        return false;
    g->long_loca = u16(head->data + 50) == 1;
    g->count = u16(maxp->data + 4);
    return true;
}

bool ss_ttf_components(const uint8_t *font, size_t len, uint8_t *keep, size_t nkeep)
{
    table head, maxp;
    glyphs g;
    return glyph_tables(font, len, &head, &maxp, &g) && nkeep >= g.count &&
           add_components(&g, keep);
}

bool ss_ttf_subset(const uint8_t *font, size_t len, const uint8_t *keep_in,
                   size_t nkeep, ss_buf *out)
{
    table head, hhea, maxp, hmtx, extra[3];
    glyphs g;
    static const char *const EXTRA[3] = {"cvt ", "fpgm", "prep"};
    if (!glyph_tables(font, len, &head, &maxp, &g) ||
        !find(font, len, "hhea", &hhea) || hhea.len < 36 || !find(font, len, "hmtx", &hmtx))
        return false;
    uint16_t nhm = u16(hhea.data + 34);
    if (g.count == 0 || nhm == 0 || nhm > g.count ||
        (size_t)nhm * 4 + (size_t)(g.count - nhm) * 2 > hmtx.len)
        return false;

    uint8_t *keep = ss_xcalloc(g.count, 1);
    for (size_t i = 0; i < nkeep && i < g.count; i++)
        keep[i] = keep_in[i] != 0;
    keep[0] = 1;
    bool ok = add_components(&g, keep);
    uint32_t n = 1;
    for (uint32_t gid = 0; gid < g.count; gid++)
        if (keep[gid])
            n = gid + 1;

    /* glyf, its offsets, and hmtx with a full metric per glyph: zero for
     * a glyph not kept (nothing draws it; zeros compress to nothing). */
    ss_buf glyf, hm;
    ss_buf_init(&glyf);
    ss_buf_init(&hm);
    uint32_t *at = ss_xcalloc((size_t)n + 1, sizeof *at);
    for (uint32_t gid = 0; ok && gid < n; gid++) {
        uint8_t b[4] = {0};
        at[gid] = (uint32_t)glyf.len;
        uint32_t off, l;
        if (keep[gid]) {
            if (!glyph_span(&g, gid, &off, &l)) {
                ok = false;
                break;
            }
            ss_buf_add(&glyf, g.glyf.data + off, l);
            if (glyf.len % 2) /* short offsets count 2-byte words */
                ss_buf_addc(&glyf, 0);
            uint16_t adv = u16(hmtx.data + 4 * (gid < nhm ? gid : nhm - 1u));
            uint16_t lsb = gid < nhm ? u16(hmtx.data + 4 * gid + 2)
                                     : u16(hmtx.data + 4 * nhm + 2 * (gid - nhm));
            put16(b, adv);
            put16(b + 2, lsb);
        }
        ss_buf_add(&hm, b, 4);
    }
    if (ok)
        at[n] = (uint32_t)glyf.len;
    /* loca: short offsets (half the size) whenever glyf allows. */
    bool short_loca = glyf.len / 2 <= 0xFFFF;
    ss_buf loca;
    ss_buf_init(&loca);
    for (uint32_t gid = 0; ok && gid <= n; gid++) {
        uint8_t b[4];
        if (short_loca) {
            put16(b, at[gid] / 2);
            ss_buf_add(&loca, b, 2);
        } else {
            put32(b, at[gid]);
            ss_buf_add(&loca, b, 4);
        }
    }
    free(at);
    if (glyf.len == 0)
        ss_buf_add(&glyf, "\0\0\0\0", 4); /* some readers reject an empty glyf */

    uint8_t newhead[54], newhhea[36], newmaxp[32];
    size_t maxplen = maxp.len < sizeof newmaxp ? maxp.len : sizeof newmaxp;
    memcpy(newhead, head.data, 54);
    put32(newhead + 8, 0); /* checkSumAdjustment, set below */
    put16(newhead + 50, short_loca ? 0 : 1);
    memcpy(newhhea, hhea.data, 36);
    put16(newhhea + 34, n);
    memcpy(newmaxp, maxp.data, maxplen);
    put16(newmaxp + 4, n);

    table t[9];
    int nt = 0;
    /* In tag order, as the format asks. */
    if (find(font, len, EXTRA[0], &extra[0]))
        t[nt++] = extra[0];
    if (find(font, len, EXTRA[1], &extra[1]))
        t[nt++] = extra[1];
    t[nt++] = (table){"glyf", (const uint8_t *)glyf.data, (uint32_t)glyf.len};
    t[nt++] = (table){"head", newhead, 54};
    t[nt++] = (table){"hhea", newhhea, 36};
    t[nt++] = (table){"hmtx", (const uint8_t *)hm.data, (uint32_t)hm.len};
    t[nt++] = (table){"loca", (const uint8_t *)loca.data, (uint32_t)loca.len};
    t[nt++] = (table){"maxp", newmaxp, (uint32_t)maxplen};
    if (find(font, len, EXTRA[2], &extra[2]))
        t[nt++] = extra[2];

    if (ok) {
        size_t start = out->len;
        uint8_t hdr[12];
        int pow2 = 1, log2 = 0;
        while (pow2 * 2 <= nt)
            pow2 *= 2, log2++;
        put32(hdr, 0x00010000);
        put16(hdr + 4, (uint32_t)nt);
        put16(hdr + 6, (uint32_t)pow2 * 16);
        put16(hdr + 8, (uint32_t)log2);
        put16(hdr + 10, (uint32_t)(nt * 16 - pow2 * 16));
        ss_buf_add(out, hdr, 12);
        uint32_t off = 12 + (uint32_t)nt * 16;
        size_t head_at = 0;
        for (int i = 0; i < nt; i++) {
            uint8_t rec[16];
            memcpy(rec, t[i].tag, 4);
            put32(rec + 4, checksum(t[i].data, t[i].len));
            put32(rec + 8, off);
            put32(rec + 12, t[i].len);
            ss_buf_add(out, rec, 16);
            if (!strcmp(t[i].tag, "head"))
                head_at = start + off;
            off += (t[i].len + 3) & ~3u;
        }
        for (int i = 0; i < nt; i++) {
            ss_buf_add(out, t[i].data, t[i].len);
            while ((out->len - start) % 4)
                ss_buf_addc(out, 0);
        }
        uint32_t adj = 0xB1B0AFBAu - checksum((const uint8_t *)out->data + start,
                                              out->len - start);
        put32((uint8_t *)out->data + head_at + 8, adj);
    }
    ss_buf_free(&glyf);
    ss_buf_free(&loca);
    ss_buf_free(&hm);
    free(keep);
    return ok;
}
