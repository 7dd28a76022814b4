/* layout.c - paragraphs, table, header band and footer on one page.
 *
 * The design, in points at the design body size (everything but the
 * footer and the sample mark scales with the body size):
 *
 *   0.5 in safe margin all round; a navy header band with the title and
 *   "<State> Data"; body text in one justified column 0.75 in from the
 *   paper's edges; coloured section headers with a hairline under them;
 *   a ruled table; a footer with a rule above it.
 */
#include "layout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Design, at body size DESIGN_BODY; scaled by k = body / DESIGN_BODY. */
#define DESIGN_BODY 11.0
#define CONTENT_INSET 46.0     /* text 0.64 in from the paper's edge */
#define LEADING 1.28           /* line height / body size */
#define PARA_AFTER 6.0
#define HEADING_SIZE 12.5
#define HEADING_BEFORE 11.0
#define HEADING_AFTER 5.0
#define HEADING_RULE 0.6
#define TITLE_SIZE 10.5
#define SUBTITLE_SIZE 24.0
#define BAND_PAD_TOP 13.0
#define BAND_PAD_BOTTOM 13.0
#define BAND_GAP 5.0
#define AFTER_BAND 14.0
#define TABLE_PAD 2.5
#define TABLE_VALUE_W 48.0     /* the value column at least; wider for big values */
#define TABLE_GAP 12.0
#define TABLE_AFTER 8.0
#define RULE_THIN 0.4
#define RULE_THICK 0.8
/* Fixed sizes: the footer and the sample mark never shrink. */
#define FOOTER_SIZE 7.5
#define FOOTER_LEADING 9.5
#define FOOTER_RULE_GAP 5.0
#define FOOTER_CLEAR 10.0      /* content stays this far above the rule */
#define SAMPLE_SIZE 9.0
#define SAMPLE_H 17.0
#define SAMPLE_AFTER 10.0
#define SAMPLE_TEXT "SAMPLE DATA \xE2\x80\x94 NOT REAL FIGURES"

/* ---- prepared text: fragments and words, measured once ---------------- */

typedef struct frag {
    const char *s;
    size_t n;
    ss_style style;
    double w; /* thousandths of the font size */
} frag;

typedef struct word {
    size_t f0, nf;
    double w;
    bool glue; /* no line break after this word */
} word;

typedef struct para {
    frag *f;
    size_t nf, fcap;
    word *w;
    size_t nw, wcap;
    char *own; /* text this para owns (split words), or NULL */
} para;

/* Texts prepared (split and measured) once per document and reused at
 * every size the fit loop tries: measuring is size-independent. */
typedef struct prepared {
    const void *key; /* the ss_text or label string */
    int style;       /* for plain strings */
    para p;
} prepared;

typedef struct prep_cache {
    prepared *items;
    size_t n, cap;
} prep_cache;

typedef struct ctx {
    prep_cache *cache;
    const ss_measure *m;
    ss_page *page;
    double k;      /* scale: body / DESIGN_BODY */
    double body;
    double x0, x1; /* content column */
    double y;      /* current position: top of the next line's box */
    double space_w; /* width of a space, thousandths */
    unsigned elem;  /* the last structure element given out */
} ctx;

static double measure(const ss_measure *m, ss_style st, const char *s, size_t n)
{
    return n ? m->width(m->ctx, st, s, n) : 0.0;
}

static void para_free(para *p)
{
    free(p->f);
    free(p->w);
    free(p->own);
    memset(p, 0, sizeof *p);
}

static void add_frag(para *p, const char *s, size_t n, ss_style st, bool new_word)
{
    if (n == 0)
        return;
    if (new_word || p->nw == 0) {
        p->w = ss_xgrow(p->w, sizeof *p->w, p->nw + 1, &p->wcap);
        p->w[p->nw++] = (word){p->nf, 0, 0.0, false};
    }
    p->f = ss_xgrow(p->f, sizeof *p->f, p->nf + 1, &p->fcap);
    p->f[p->nf++] = (frag){s, n, st, 0.0};
    p->w[p->nw - 1].nf++;
}

/* A figure, a year or a count: digits with , . % after the first. */
static bool is_number_word(const para *p, const word *w)
{
    for (size_t i = 0; i < w->nf; i++) {
        const frag *f = &p->f[w->f0 + i];
        for (size_t j = 0; j < f->n; j++) {
            char c = f->s[j];
            if (i == 0 && j == 0 && !(c >= '0' && c <= '9'))
                return false;
            if (!((c >= '0' && c <= '9') || c == ',' || c == '.' || c == '%'))
                return false;
        }
    }
    return w->nf > 0;
}

/* Splits runs into words at spaces.  U+00A0 separates words that must stay
 * on one line; a number is kept on the line of the word after it. */
static void prepare(para *p, const ss_text *t, const ss_measure *m)
{
    bool boundary = true; /* next fragment starts a new word */
    bool glue_pending = false;
    for (size_t r = 0; r < t->nruns; r++) {
        const ss_run *run = &t->runs[r];
        const char *s = run->text, *start = s;
        while (*s) {
            bool sp = *s == ' ';
            bool nbsp = (unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0;
            if (!sp && !nbsp) {
                s++;
                continue;
            }
            if (s > start) {
                add_frag(p, start, (size_t)(s - start), run->style, boundary);
                if (glue_pending && p->nw > 1)
                    p->w[p->nw - 2].glue = true;
                glue_pending = false;
                boundary = false;
            }
            if (nbsp)
                glue_pending = true;
            boundary = true;
            s += nbsp ? 2 : 1;
            start = s;
        }
        if (s > start) {
            add_frag(p, start, (size_t)(s - start), run->style, boundary);
            if (glue_pending && p->nw > 1)
                p->w[p->nw - 2].glue = true;
            glue_pending = false;
            boundary = false;
        }
    }
    for (size_t i = 0; i < p->nf; i++)
        p->f[i].w = measure(m, p->f[i].style, p->f[i].s, p->f[i].n);
    for (size_t i = 0; i < p->nw; i++) {
        word *w = &p->w[i];
        for (size_t j = 0; j < w->nf; j++)
            w->w += p->f[w->f0 + j].w;
        if (i + 1 < p->nw && is_number_word(p, w))
            w->glue = true;
    }
}

/* Splits every word wider than max (thousandths) between characters, so
 * that a 100-letter name with no space still stays inside the margins. */
static bool split_long_words(para *out, const para *in, double max,
                             const ss_measure *m)
{
    bool any = false;
    for (size_t i = 0; i < in->nw; i++)
        any |= in->w[i].w > max;
    if (!any)
        return false;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < in->nw; i++) {
        const word *w = &in->w[i];
        if (w->w <= max) {
            for (size_t j = 0; j < w->nf; j++) {
                const frag *f = &in->f[w->f0 + j];
                add_frag(out, f->s, f->n, f->style, j == 0);
                out->f[out->nf - 1].w = f->w;
            }
            out->w[out->nw - 1].w = w->w;
            out->w[out->nw - 1].glue = w->glue;
            continue;
        }
        double acc = 0;
        bool fresh = true;
        for (size_t j = 0; j < w->nf; j++) {
            const frag *f = &in->f[w->f0 + j];
            const char *s = f->s, *end = f->s + f->n, *piece = s;
            double pw = 0;
            while (s < end) {
                const char *c = s;
                ss_utf8_next(&s, end);
                double cw = measure(m, f->style, c, (size_t)(s - c));
                if (acc + cw > max && acc > 0) {
                    if (c > piece) {
                        add_frag(out, piece, (size_t)(c - piece), f->style, fresh);
                        out->f[out->nf - 1].w = pw;
                        out->w[out->nw - 1].w += pw;
                    }
                    fresh = true;
                    piece = c;
                    pw = 0;
                    acc = 0;
                }
                acc += cw;
                pw += cw;
            }
            if (s > piece) {
                add_frag(out, piece, (size_t)(s - piece), f->style, fresh);
                out->f[out->nf - 1].w = pw;
                out->w[out->nw - 1].w += pw;
                fresh = false;
            }
        }
        out->w[out->nw - 1].glue = w->glue;
    }
    return true;
}

/* ---- boxes -------------------------------------------------------------- */

static ss_box *add_box(ss_page *p, ss_box_kind kind, ss_color color)
{
    p->boxes = ss_xgrow(p->boxes, sizeof *p->boxes, p->nboxes + 1, &p->cap);
    ss_box *b = &p->boxes[p->nboxes++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    b->color = color;
    return b;
}

static void add_text(ss_page *p, const char *s, size_t n, ss_style st,
                     ss_color color, double size, double x, double y, double w,
                     double ws)
{
    ss_box *b = add_box(p, SS_BOX_TEXT, color);
    b->style = st;
    b->size = size;
    b->ws = ws;
    b->x = x;
    b->y = y;
    b->w = w;
    p->chars = ss_xgrow(p->chars, 1, p->nchars + n + 1, &p->chars_cap);
    memcpy(p->chars + p->nchars, s, n);
    p->chars[p->nchars + n] = '\0';
    b->text = p->nchars;
    b->len = n;
    p->nchars += n + 1;
}

static void add_rule(ss_page *p, double x, double y, double w, double h,
                     ss_color color)
{
    ss_box *b = add_box(p, SS_BOX_RULE, color);
    b->x = x, b->y = y, b->w = w, b->h = h;
}

static void add_fill(ss_page *p, double x, double y, double w, double h,
                     ss_color color)
{
    ss_box *b = add_box(p, SS_BOX_FILL, color);
    b->x = x, b->y = y, b->w = w, b->h = h;
}

/* Gives the text boxes from index 'from' on their role and element. */
static void tag(ss_page *p, size_t from, ss_role role, unsigned elem)
{
    for (size_t i = from; i < p->nboxes; i++)
        if (p->boxes[i].kind == SS_BOX_TEXT)
            p->boxes[i].role = role, p->boxes[i].elem = elem;
}

/* ---- line breaking --------------------------------------------------------- */

typedef enum align {
    ALIGN_LEFT,
    ALIGN_JUSTIFY,
    ALIGN_CENTER,
    ALIGN_RIGHT
} align;

typedef struct textstyle {
    double size;
    double leading; /* baseline to baseline */
    ss_color color;
    align al;
} textstyle;

/* Emits words [start, end) of a line as boxes, one per run of a style; the
 * space after a word belongs to the box of the word before it. */
static void emit_line(ctx *c, const para *p, size_t start, size_t end,
                      const textstyle *ts, double x, double base, double sp,
                      double ws)
{
    double scale = ts->size / 1000.0;
    ss_buf text;
    ss_buf_init(&text);
    int style = -1;
    double bx = x, bw = 0;
    for (size_t q = start; q < end; q++) {
        const word *w = &p->w[q];
        for (size_t f = 0; f < w->nf; f++) {
            const frag *fr = &p->f[w->f0 + f];
            if ((int)fr->style != style) {
                if (text.len)
                    add_text(c->page, text.data, text.len, (ss_style)style, ts->color,
                             ts->size, bx, base, bw, ws);
                ss_buf_clear(&text);
                style = (int)fr->style;
                bx += bw;
                bw = 0;
            }
            ss_buf_add(&text, fr->s, fr->n);
            bw += fr->w * scale;
        }
        if (q + 1 < end) {
            ss_buf_addc(&text, ' ');
            bw += sp + ws;
        }
    }
    if (text.len)
        add_text(c->page, text.data, text.len, (ss_style)style, ts->color, ts->size, bx,
                 base, bw, ws);
    ss_buf_free(&text);
}

/* Sets prepared text into [x0, x1] from the top edge *y down; *y ends below
 * the last line's descent.  Returns the number of lines. */
static int set_text(ctx *c, const para *src, const textstyle *ts, double x0,
                    double x1, double *y)
{
    const ss_measure *m = c->m;
    double scale = ts->size / 1000.0, avail = x1 - x0;
    para split;
    const para *p = src;
    if (split_long_words(&split, src, avail / scale, m))
        p = &split;
    double sp = c->space_w * scale;
    double base = *y - m->ascent * scale;
    int lines = 0;
    size_t i = 0;
    while (i < p->nw) {
        size_t start = i, j = i;
        double lw = 0;
        while (j < p->nw) {
            double add = (j > start ? sp : 0) + p->w[j].w * scale;
            if (j > start && lw + add > avail + 1e-6)
                break;
            lw += add;
            j++;
        }
        size_t end = j;
        if (end < p->nw) {
            /* Do not break after a glued word; back off to a break that is
             * allowed, unless the whole line is one glued group. */
            size_t k = end;
            while (k > start + 1 && p->w[k - 1].glue)
                k--;
            if (k > start + 1 || !p->w[start].glue)
                end = k;
        }
        double natural = 0;
        for (size_t q = start; q < end; q++)
            natural += (q > start ? sp : 0) + p->w[q].w * scale;
        bool last = end >= p->nw;
        double ws = 0, x = x0;
        if (ts->al == ALIGN_JUSTIFY && !last && end - start > 1)
            ws = (avail - natural) / (double)(end - start - 1);
        else if (ts->al == ALIGN_CENTER)
            x = x0 + (avail - natural) / 2;
        else if (ts->al == ALIGN_RIGHT)
            x = x1 - natural;
        emit_line(c, p, start, end, ts, x, base, sp, ws);
        lines++;
        i = end;
        if (i < p->nw)
            base -= ts->leading;
    }
    if (lines)
        *y = base - m->descent * scale;
    if (p == &split)
        para_free(&split);
    return lines;
}

/* The prepared form of text 'key' (an ss_text, or a plain string in one
 * style), made on first use. */
static const para *prepared_text(ctx *c, const void *key, int style, const ss_text *t)
{
    prep_cache *pc = c->cache;
    for (size_t i = 0; i < pc->n; i++)
        if (pc->items[i].key == key && pc->items[i].style == style)
            return &pc->items[i].p;
    pc->items = ss_xgrow(pc->items, sizeof *pc->items, pc->n + 1, &pc->cap);
    prepared *e = &pc->items[pc->n++];
    memset(e, 0, sizeof *e);
    e->key = key;
    e->style = style;
    prepare(&e->p, t, c->m);
    return &e->p;
}

static void prep_cache_free(prep_cache *pc)
{
    for (size_t i = 0; i < pc->n; i++)
        para_free(&pc->items[i].p);
    free(pc->items);
}

static void set_run_text(ctx *c, const ss_text *t, const textstyle *ts,
                         double x0, double x1, double *y)
{
    set_text(c, prepared_text(c, t, -1, t), ts, x0, x1, y);
}

static void set_plain(ctx *c, const char *s, ss_style st, const textstyle *ts,
                      double x0, double x1, double *y)
{
    ss_run run = {(char *)s, st};
    ss_text t = {&run, 1, 1, 0, 0};
    set_text(c, prepared_text(c, s, (int)st, &t), ts, x0, x1, y);
}

/* ---- the page ------------------------------------------------------------ */

static double text_width(const ctx *c, const ss_text *t, double size)
{
    double w = 0;
    for (size_t i = 0; i < t->nruns; i++)
        w += measure(c->m, t->runs[i].style, t->runs[i].text, strlen(t->runs[i].text));
    return w * size / 1000.0;
}

/* The footer sits on the bottom safe margin; returns the lowest y the
 * content may reach. */
static double set_footer(ctx *c, const ss_document *doc)
{
    ss_page *pg = c->page;
    double left = SS_SAFE_MARGIN, right = pg->width - SS_SAFE_MARGIN;
    textstyle ts = {FOOTER_SIZE, FOOTER_LEADING, SS_COLOR_MUTED, ALIGN_LEFT};
    double wl = text_width(c, &doc->footer_left, FOOTER_SIZE);
    double wr = text_width(c, &doc->footer_right, FOOTER_SIZE);
    double desc = c->m->descent * FOOTER_SIZE / 1000.0;
    double asc = c->m->ascent * FOOTER_SIZE / 1000.0;
    /* Lay out from the top of the footer down, then check where it ended;
     * the footer is a few lines at most, so lay it out twice if needed. */
    double lines = 1;
    if (wl + wr + 24 > right - left)
        lines = 2;
    double top = SS_SAFE_MARGIN + desc + asc + (lines - 1) * FOOTER_LEADING + 0.5;
    size_t first = pg->nboxes;
    for (int attempt = 0; attempt < 4; attempt++) {
        size_t mark = pg->nboxes, cmark = pg->nchars;
        double y = top;
        if (lines == 1) {
            double y2 = top;
            ts.al = ALIGN_LEFT;
            set_run_text(c, &doc->footer_left, &ts, left, right, &y);
            ts.al = ALIGN_RIGHT;
            set_run_text(c, &doc->footer_right, &ts, left, right, &y2);
            if (y2 < y)
                y = y2;
        } else {
            ts.al = ALIGN_LEFT;
            set_run_text(c, &doc->footer_left, &ts, left, right, &y);
            y -= FOOTER_LEADING - asc - desc;
            set_run_text(c, &doc->footer_right, &ts, left, right, &y);
        }
        if (y >= SS_SAFE_MARGIN - 0.01 || attempt == 3)
            break;
        top += SS_SAFE_MARGIN - y; /* wrapped more than planned: move up */
        pg->nboxes = mark;
        pg->nchars = cmark;
    }
    tag(pg, first, SS_ROLE_PAGINATION, 0);
    double rule_y = top + FOOTER_RULE_GAP;
    add_rule(pg, left, rule_y, right - left, RULE_THIN, SS_COLOR_RULE);
    return rule_y + FOOTER_CLEAR;
}

static void set_band(ctx *c, const ss_document *doc)
{
    ss_page *pg = c->page;
    double k = c->k;
    double top = pg->height - SS_SAFE_MARGIN;
    size_t fill_at = pg->nboxes;
    /* Reserve the band's box first so it is drawn under its text. */
    add_fill(pg, SS_SAFE_MARGIN, 0, pg->width - 2 * SS_SAFE_MARGIN, 0, SS_COLOR_BAND);
    double y = top - BAND_PAD_TOP * k;
    textstyle ts = {fmax(TITLE_SIZE * k, SS_TEXT_MIN), TITLE_SIZE * k * 1.25,
                    SS_COLOR_BAND_TEXT, ALIGN_LEFT};
    size_t first = pg->nboxes;
    set_run_text(c, &doc->title, &ts, c->x0, c->x1, &y);
    tag(pg, first, SS_ROLE_P, ++c->elem);
    y -= BAND_GAP * k;
    /* Leading above ascent + descent (1.117 em), so wrapped lines of a long
     * name never touch. */
    textstyle sub = {SUBTITLE_SIZE * k, SUBTITLE_SIZE * k * 1.15, SS_COLOR_BAND_TEXT,
                     ALIGN_LEFT};
    first = pg->nboxes;
    set_run_text(c, &doc->subtitle, &sub, c->x0, c->x1, &y);
    tag(pg, first, SS_ROLE_H1, ++c->elem);
    y -= BAND_PAD_BOTTOM * k;
    ss_box *band = &pg->boxes[fill_at];
    band->y = y;
    band->h = top - y;
    c->y = y - AFTER_BAND * k;
}

static void set_sample_mark(ctx *c)
{
    ss_page *pg = c->page;
    double x0 = SS_SAFE_MARGIN, x1 = pg->width - SS_SAFE_MARGIN;
    double top = c->y;
    add_fill(pg, x0, top - SAMPLE_H, x1 - x0, SAMPLE_H, SS_COLOR_SAMPLE);
    double size = SAMPLE_SIZE;
    /* Centre the capitals vertically in the bar. */
    double y = top - (SAMPLE_H - size * 0.72) / 2 + c->m->ascent * size / 1000.0 -
               size * 0.72;
    textstyle ts = {size, size * 1.2, SS_COLOR_BAND_TEXT, ALIGN_CENTER};
    size_t first = pg->nboxes;
    set_plain(c, SAMPLE_TEXT, SS_BOLD, &ts, x0, x1, &y);
    tag(pg, first, SS_ROLE_P, 1); /* heard first: see layout_run */
    c->y = top - SAMPLE_H - SAMPLE_AFTER * c->k;
}

static void set_table(ctx *c, const ss_block *bl)
{
    ss_page *pg = c->page;
    double k = c->k, size = c->body;
    /* The value column is as wide as the widest value (a value never
     * wraps), and never narrower than the design's. */
    double vw = TABLE_VALUE_W * k;
    for (size_t r = 0; r < bl->nrows; r++) {
        const char *v = bl->rows[r].value;
        double w = measure(c->m, SS_BOLD, v, strlen(v)) * size / 1000.0;
        if (w > vw)
            vw = w;
    }
    double vx0 = c->x1 - vw - 0.5; /* slack: equal widths must not wrap */
    double lx1 = vx0 - TABLE_GAP * k;
    textstyle label = {size, size * 1.22, SS_COLOR_TEXT, ALIGN_LEFT};
    textstyle value = {size, size * 1.22, SS_COLOR_TEXT, ALIGN_RIGHT};
    add_rule(pg, c->x0, c->y, c->x1 - c->x0, RULE_THICK, SS_COLOR_HEADING);
    for (size_t r = 0; r < bl->nrows; r++) {
        double y = c->y - TABLE_PAD * k, yv = y;
        size_t first = pg->nboxes;
        set_plain(c, bl->rows[r].label, SS_REGULAR, &label, c->x0, lx1, &y);
        tag(pg, first, SS_ROLE_TH, ++c->elem);
        first = pg->nboxes;
        set_plain(c, bl->rows[r].value, SS_BOLD, &value, vx0, c->x1, &yv);
        tag(pg, first, SS_ROLE_TD, ++c->elem);
        c->y = fmin(y, yv) - TABLE_PAD * k;
        bool last = r + 1 == bl->nrows;
        add_rule(pg, c->x0, c->y, c->x1 - c->x0, last ? RULE_THICK : RULE_THIN,
                 last ? SS_COLOR_HEADING : SS_COLOR_RULE);
    }
    c->y -= TABLE_AFTER * k;
}

static ss_page *layout_run(const ss_document *doc, const ss_measure *m, double page_w,
                           double page_h, double body_size, prep_cache *cache)
{
    ss_page *pg = ss_xcalloc(1, sizeof *pg);
    pg->width = page_w;
    pg->height = page_h;
    pg->body_size = body_size;
    ctx c = {cache, m, pg, body_size / DESIGN_BODY, body_size, CONTENT_INSET,
             page_w - CONTENT_INSET, 0, measure(m, SS_REGULAR, " ", 1), 0};
    double floor_y = set_footer(&c, doc);
    /* The SAMPLE notice is drawn below the band but read before it. */
    c.elem = doc->sample ? 1 : 0;
    set_band(&c, doc);
    if (doc->sample)
        set_sample_mark(&c);
    textstyle body = {body_size, body_size * LEADING, SS_COLOR_TEXT, ALIGN_JUSTIFY};
    textstyle head = {HEADING_SIZE * c.k, HEADING_SIZE * c.k * 1.2, SS_COLOR_HEADING,
                      ALIGN_LEFT};
    size_t first;
    for (size_t i = 0; i < doc->nblocks; i++) {
        const ss_block *bl = &doc->blocks[i];
        switch (bl->kind) {
        case SS_BLOCK_HEADING:
            if (i > 0)
                c.y -= HEADING_BEFORE * c.k - PARA_AFTER * c.k;
            first = pg->nboxes;
            set_run_text(&c, &bl->text, &head, c.x0, c.x1, &c.y);
            tag(pg, first, SS_ROLE_H2, ++c.elem);
            c.y -= 2.0 * c.k;
            add_rule(pg, c.x0, c.y, c.x1 - c.x0, HEADING_RULE, SS_COLOR_HEADING);
            c.y -= HEADING_AFTER * c.k;
            break;
        case SS_BLOCK_PARA:
            first = pg->nboxes;
            set_run_text(&c, &bl->text, &body, c.x0, c.x1, &c.y);
            tag(pg, first, SS_ROLE_P, ++c.elem);
            c.y -= PARA_AFTER * c.k;
            break;
        case SS_BLOCK_TABLE:
            c.y -= 1.0 * c.k;
            set_table(&c, bl);
            break;
        }
    }
    pg->bottom = c.y;
    pg->fits = c.y >= floor_y - 1e-6;
    return pg;
}

ss_page *ss_layout_run(const ss_document *doc, const ss_measure *m,
                       double page_w, double page_h, double body_size)
{
    prep_cache cache = {NULL, 0, 0};
    ss_page *pg = layout_run(doc, m, page_w, page_h, body_size, &cache);
    prep_cache_free(&cache);
    return pg;
}

ss_page *ss_layout_fit(const ss_document *doc, const ss_measure *m,
                       double page_w, double page_h, double *body_size)
{
    /* Largest size that fits: the sizes are few (13), and a page that fits
     * at a size fits at every smaller one, so search by halving. */
    int steps = (int)lround((SS_BODY_MAX - SS_BODY_MIN) / SS_BODY_STEP);
    int lo = 0, hi = steps; /* step index: size = MAX - i * STEP */
    prep_cache cache = {NULL, 0, 0};
    ss_page *best = NULL;
    int best_i = -1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        double size = SS_BODY_MAX - mid * SS_BODY_STEP;
        ss_page *pg = layout_run(doc, m, page_w, page_h, size, &cache);
        if (pg->fits) {
            ss_page_free(best);
            best = pg;
            best_i = mid;
            hi = mid - 1;
        } else {
            ss_page_free(pg);
            lo = mid + 1;
        }
    }
    prep_cache_free(&cache);
    *body_size = best ? SS_BODY_MAX - best_i * SS_BODY_STEP : SS_BODY_MIN;
    return best;
}

void ss_page_free(ss_page *p)
{
    if (!p)
        return;
    free(p->boxes);
    free(p->chars);
    free(p);
}

const char *ss_box_text(const ss_page *p, const ss_box *b)
{
    return p->chars + b->text;
}

void ss_page_dump(const ss_page *p, FILE *to)
{
    static const char *const colors[] = {"text", "heading", "band", "band-text",
                                         "rule", "muted", "sample"};
    fprintf(to, "page %.1f x %.1f body %.2f %s\n", p->width, p->height, p->body_size,
            p->fits ? "fits" : "overflows");
    for (size_t i = 0; i < p->nboxes; i++) {
        const ss_box *b = &p->boxes[i];
        switch (b->kind) {
        case SS_BOX_TEXT:
            fprintf(to, "T %.1f %.1f w%.1f %.2f ws%.2f %s %s |%s|\n", b->x, b->y, b->w,
                    b->size, b->ws, b->style == SS_BOLD ? "bold" : "regular",
                    colors[b->color], ss_box_text(p, b));
            break;
        case SS_BOX_RULE:
            fprintf(to, "R %.1f %.1f w%.1f h%.1f %s\n", b->x, b->y, b->w, b->h,
                    colors[b->color]);
            break;
        case SS_BOX_FILL:
            fprintf(to, "F %.1f %.1f w%.1f h%.1f %s\n", b->x, b->y, b->w, b->h,
                    colors[b->color]);
            break;
        }
    }
}
