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
#define TABLE_MIN_W 0.5        /* of the column: a table never looks squeezed */
#define LEADER_PITCH 0.6       /* dot leaders: a dot every 0.6 em ... */
#define LEADER_DOT 0.11        /* ... 0.11 em round ... */
#define LEADER_GAP 0.3         /* ... kept 0.3 em from label and count */
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
#define FIRST_TRY 6           /* the fit search starts at 11 - 6 x 0.25 = 9.5 pt */

/* ---- prepared text: fragments and words, measured once ---------------- */

typedef struct frag {
    const char *s;
    size_t n;
    ss_style style;
    double w; /* thousandths of the font size */
    bool kerned; /* has kerning (most words have none) */
} frag;

typedef struct word {
    size_t f0, nf;
    double w;
    bool glue; /* no line break after this word */
} word;

/* What may follow a piece: the end of its word (a space, or the end of
 * the paragraph), a hyphenation point (a hyphen is drawn), or an explicit
 * hyphen in the word (nothing is added). */
typedef enum piece_end {
    END_WORD,
    END_HYPHEN,
    END_EXPLICIT
} piece_end;

/* The units line breaking works on: a whole word, or a part of a word of
 * one style between hyphenation points. */
typedef struct wpiece {
    size_t word;
    size_t off, end; /* bytes of the word's one fragment; end 0: whole word */
    double w;        /* thousandths of the font size */
    double hw;       /* END_HYPHEN: the hyphen's width */
    double rp;       /* what hangs out of a justified line it ends ... */
    double lp;       /* ... or starts (thousandths of the font size) */
    piece_end brk;
} wpiece;

typedef struct para {
    frag *f;
    size_t nf, fcap;
    word *w;
    size_t nw, wcap;
    char *own; /* text this para owns (split words), or NULL */
    wpiece *pc;
    size_t npc, pccap;
    wpiece *wpc; /* whole words only, when pc has hyphenation points */
    size_t nwpc, wpccap;
    bool hyph_todo; /* pc is whole words; hyphenation points not yet cut */
} para;

/* Texts prepared (split and measured) once per document and reused at
 * every size the fit loop tries: measuring is size-independent. */
typedef struct prepared {
    const void *key; /* the ss_text or label string */
    int style;       /* for plain strings */
    para p;
} prepared;

typedef struct kp_node kp_node;

/* Line-breaking work space, reused by every paragraph of every layout of
 * a document (the fit search makes two or three). */
typedef struct kp {
    kp_node *n;
    size_t nn, ncap;
    size_t *active;
    size_t na, acap;
    double *cum, *ratio;
    size_t *gaps, *brk;
    size_t cap; /* of cum, ratio, gaps, brk */
    ss_buf line; /* a line's text, style by style (emit_line) */
    struct pending *boxes; /* and its boxes */
    size_t nboxes, boxes_cap;
    ss_kern *kerns; /* and their kerning, 'at' counted in line */
    size_t nkerns, kerns_cap;
} kp;

typedef struct prep_cache {
    prepared **items; /* each its own allocation: a para stays put */
    size_t n, cap;
    kp work;
    size_t boxes, chars; /* the most a layout of the document has made */
} prep_cache;

/* The blocks of a layout's loose paragraphs (the first LOOSE_KEPT). */
#define LOOSE_KEPT 8
typedef struct loose_paras {
    size_t at[LOOSE_KEPT];
    int n;
} loose_paras;

typedef struct ctx {
    prep_cache *cache;
    kp *work;
    const char *name; /* the state's name: never hyphenated */
    const ss_hyphenation *hy;
    const ss_measure *m;
    ss_page *page;
    double k;      /* scale: body / DESIGN_BODY */
    double body;
    double x0, x1; /* content column */
    double y;      /* current position: top of the next line's box */
    double space_w; /* width of a space, thousandths */
    unsigned elem;  /* the last structure element given out */
    int loose;      /* justified paragraphs with a space over 1.5x */
} ctx;

static double measure(const ss_measure *m, ss_style st, const char *s, size_t n)
{
    return n ? m->width(m->ctx, st, s, n) : 0.0;
}

static double measure_plain(const ss_measure *m, ss_style st, const char *s, size_t n)
{
    return n ? (m->plain ? m->plain : m->width)(m->ctx, st, s, n) : 0.0;
}

/* Most kerning adjustments one word has (one a pair of letters). */
#define MAX_WORD_KERNS 64

/* The width of fragment f's bytes [from, to), a part of a word, in
 * thousandths of the font size: their unkerned width and the kerning of
 * the whole fragment that falls inside them, so that a part is never
 * shaped on its own.  Most words have no kerning (f->kerned false): their
 * parts need no look-up at all.  With 'into', the part's adjustments are
 * also added to c's line, 'at' counted from line offset 'into_at'. */
static double part_width(const ss_measure *m, const frag *f, size_t from, size_t to,
                         kp *into, size_t into_at)
{
    if (!f->kerned || !m->kerns || !m->plain)
        return measure_plain(m, f->style, f->s + from, to - from);
    ss_kern k[MAX_WORD_KERNS];
    size_t nk = m->kerns(m->ctx, f->style, f->s, f->n, k, MAX_WORD_KERNS);
    double w = measure_plain(m, f->style, f->s + from, to - from);
    if (into)
        into->kerns = ss_xgrow(into->kerns, sizeof *into->kerns, into->nkerns + nk,
                               &into->kerns_cap);
    for (size_t i = 0; i < nk; i++) {
        if (k[i].at <= from || k[i].at >= to)
            continue;
        w += k[i].adj;
        if (into)
            into->kerns[into->nkerns++] = (ss_kern){k[i].at - (uint32_t)from + (uint32_t)into_at,
                                                    k[i].adj};
    }
    return w;
}

/* Optical margins: the share of its width (thousandths) by which a mark
 * hangs out of a justified line's edge, microtype's defaults for
 * punctuation (its "default" protrusion set); the opening parenthesis,
 * which that set leaves alone, hangs a tenth. */
static int protrusion(long cp, bool right)
{
    switch (cp) {
    case '.':
    case '-':
    case 0xAD: /* the break hyphen */
        return right ? 700 : 0;
    case ',':
    case ':':
    case ';':
        return right ? 500 : 0;
    case '!':
    case '?':
        return right ? 100 : 0;
    case 0x2013: /* en dash */
        return right ? 300 : 0;
    case 0x2014: /* em dash */
        return right ? 200 : 0;
    case 0x2018: /* opening quotes */
    case 0x201C:
        return right ? 0 : 300;
    case 0x2019: /* closing quotes */
        return right ? 400 : 0;
    case 0x201D:
        return right ? 300 : 0;
    case '"':
    case '\'':
        return 300;
    case '(':
        return right ? 0 : 100;
    default:
        return 0;
    }
}

/* What the first (left) or last character of s hangs out of a justified
 * line, in thousandths of the font size.  Asked of every word: a letter or
 * a digit, the common case, is answered from its byte. */
static double hang(const ss_measure *m, ss_style st, const char *s, size_t n, bool left)
{
    if (!n)
        return 0;
    const char *c = s, *end = s + n;
    if (!left) {
        c = end - 1;
        while (c > s && ((unsigned char)*c & 0xC0) == 0x80)
            c--;
    }
    unsigned char b = (unsigned char)*c;
    if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9'))
        return 0;
    const char *q = c;
    long cp = ss_utf8_next(&q, end);
    int share = protrusion(cp, !left);
    return share ? share / 1000.0 * measure(m, st, c, (size_t)(q - c)) : 0;
}

static void para_free(para *p)
{
    free(p->f);
    free(p->w);
    free(p->own);
    free(p->pc);
    free(p->wpc);
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
    p->f[p->nf++] = (frag){s, n, st, 0.0, true};
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
static void split_words(para *p, const ss_text *t, const ss_measure *m)
{
    /* Room for every word and fragment at once: a paragraph has a hundred
     * or so, and growing to them took five reallocations of each. */
    size_t most = 1;
    for (size_t r = 0; r < t->nruns; r++) {
        most++;
        for (const char *s = t->runs[r].text; *s; s++)
            most += *s == ' ' || (unsigned char)*s == 0xA0;
    }
    p->w = ss_xgrow(p->w, sizeof *p->w, most, &p->wcap);
    p->f = ss_xgrow(p->f, sizeof *p->f, most, &p->fcap);
    bool boundary = true; /* next fragment starts a new word */
    bool glue_pending = false;
    for (size_t r = 0; r < t->nruns; r++) {
        const ss_run *run = &t->runs[r];
        /* Fragments end at a space, a no-break space (which glues its
         * words) and the run's end. */
        for (const char *s = run->text, *start = s;; s++) {
            bool nbsp = (unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0;
            if (*s && *s != ' ' && !nbsp)
                continue;
            if (s > start) {
                add_frag(p, start, (size_t)(s - start), run->style, boundary);
                if (glue_pending && p->nw > 1)
                    p->w[p->nw - 2].glue = true;
                glue_pending = false;
                boundary = false;
            }
            if (!*s)
                break;
            glue_pending |= nbsp;
            boundary = true;
            s += nbsp;
            start = s + 1;
        }
    }
    for (size_t i = 0; i < p->nf; i++) {
        frag *f = &p->f[i];
        f->w = measure(m, f->style, f->s, f->n);
        f->kerned = f->w != measure_plain(m, f->style, f->s, f->n);
    }
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
                        pw = measure(m, f->style, piece, (size_t)(c - piece)); /* kerned */
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
                pw = measure(m, f->style, piece, (size_t)(s - piece));
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

/* ---- hyphenation points -------------------------------------------------- */

/* Most hyphenation points one word may have (a 60-letter word has ~20). */
#define MAX_HYPHENS 32
/* Longest word we ask the hyphenator about, in bytes. */
#define MAX_HYPHEN_WORD 96
/* Letters kept before and after an explicit hyphen we break at. */
#define HYPHEN_LEFT 2
#define HYPHEN_RIGHT 3

static bool is_ascii_letter(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Letters for hyphenation: ASCII letters and any non-ASCII character but
 * the punctuation block U+2000-U+206F (dashes, quotes) and U+00A0-U+00BF
 * (signs).  Digits, '.', '/', '@', apostrophes are not letters: a figure,
 * an address or "NCMEC's" is never hyphenated. */
static size_t letter_len(const char *s, const char *end)
{
    unsigned char c = (unsigned char)*s;
    if (c < 0x80)
        return is_ascii_letter(c) ? 1 : 0;
    const char *q = s;
    long cp = ss_utf8_next(&q, end);
    if (cp < 0xC0 || (cp >= 0x2000 && cp <= 0x206F) || cp == 0xD7 || cp == 0xF7)
        return 0;
    return (size_t)(q - s);
}

/* Is w a part of the state's name (a word of it, or a piece of a word too
 * long for a line)? */
static bool in_name(const char *name, const char *w, size_t n)
{
    if (!name)
        return false;
    for (const char *p = name; *p; p++)
        if (*p == *w && !strncmp(p, w, n))
            return true;
    return false;
}

/* The hyphenation points of one fragment (byte offsets, increasing), or 0.
 * Only a word of letters, with punctuation before or after it, is broken
 * by the patterns; a compound ("trauma-informed") only after its hyphens. */
static size_t word_breaks(const ss_hyphenation *hy, const char *name,
                          const char *s, size_t n, size_t *at, bool *explicit_)
{
    const char *end = s + n, *a = s, *b = end;
    /* Leading and trailing punctuation: ( " ' and . , ; : ! ? ) " ' */
    while (a < end && strchr("(\"'[", *a))
        a++;
    while (b > a && strchr(".,;:!?)\"']", b[-1]))
        b--;
    /* A possessive stays with the last part: "enforce-ment's". */
    if (b - a > 2 && b[-1] == 's' && b[-2] == '\'')
        b -= 2;
    else if (b - a > 4 && b[-1] == 's' && !memcmp(b - 4, "\xE2\x80\x99", 3))
        b -= 4;
    if (b - a < HYPHEN_LEFT + HYPHEN_RIGHT + 1)
        return 0;
    size_t letters = 0, upper = 0, hyphens = 0;
    for (const char *q = a; q < b;) {
        size_t l = letter_len(q, b);
        if (!l) {
            if (*q != '-' || q == a || q + 1 == b)
                return 0; /* a digit, '.', '/', apostrophe: leave it whole */
            hyphens++;
            q++;
            continue;
        }
        letters++;
        upper += l == 1 && *q >= 'A' && *q <= 'Z';
        q += l;
    }
    if (upper == letters || in_name(name, a, (size_t)(b - a)))
        return 0; /* an acronym, or the state's name */
    size_t k = 0;
    if (hyphens) {
        /* After an explicit hyphen, keeping letters either side. */
        for (const char *q = a; q < b; q++)
            if (*q == '-' && q - a >= HYPHEN_LEFT && b - q - 1 >= HYPHEN_RIGHT &&
                k < MAX_HYPHENS)
                at[k++] = (size_t)(q + 1 - s);
        *explicit_ = true;
        return k;
    }
    if (!hy->fn || b - a > MAX_HYPHEN_WORD)
        return 0;
    k = hy->fn(hy->ctx, a, (size_t)(b - a), at, MAX_HYPHENS);
    for (size_t i = 0; i < k; i++)
        at[i] += (size_t)(a - s);
    *explicit_ = false;
    return k;
}

static void add_piece(para *p, size_t wi, size_t off, size_t end, double w, double hw,
                      piece_end brk)
{
    p->pc = ss_xgrow(p->pc, sizeof *p->pc, p->npc + 1, &p->pccap);
    p->pc[p->npc++] = (wpiece){wi, off, end, w, hw, 0, 0, brk};
}

/* The margins piece q (of word w, in p) hangs out of a line. */
static void hang_piece(para *p, const ss_measure *m, size_t q)
{
    wpiece *pc = &p->pc[q];
    const word *w = &p->w[pc->word];
    const frag *first = &p->f[w->f0], *last = &p->f[w->f0 + w->nf - 1];
    if (pc->off == 0)
        pc->lp = hang(m, first->style, first->s, first->n, true);
    if (pc->brk == END_HYPHEN)
        pc->rp = protrusion('-', true) / 1000.0 * pc->hw;
    else if (pc->end)
        pc->rp = hang(m, first->style, first->s + pc->off, pc->end - pc->off, false);
    else
        pc->rp = hang(m, last->style, last->s, last->n, false);
}

/* Cuts the paragraph's words into pieces at their hyphenation points (when
 * hyph), or keeps each word whole. */
static void make_pieces(para *p, const ss_measure *m, const ss_hyphenation *hy,
                        const char *name)
{
    p->npc = 0;
    p->pc = ss_xgrow(p->pc, sizeof *p->pc, p->nw + 1, &p->pccap); /* a piece a word, or more */
    for (size_t i = 0; i < p->nw; i++) {
        const word *w = &p->w[i];
        size_t at[MAX_HYPHENS], k = 0;
        bool expl = false;
        const frag *f = &p->f[w->f0];
        if (hy && w->nf == 1)
            k = word_breaks(hy, name, f->s, f->n, at, &expl);
        if (k == 0) {
            add_piece(p, i, 0, 0, w->w, 0, END_WORD);
            hang_piece(p, m, p->npc - 1);
            continue;
        }
        double hw = measure(m, f->style, "-", 1);
        size_t from = 0;
        for (size_t j = 0; j <= k; j++) {
            size_t to = j < k ? at[j] : f->n;
            double pw = part_width(m, f, from, to, NULL, 0);
            if (j < k)
                add_piece(p, i, from, to, pw, expl ? 0 : hw, expl ? END_EXPLICIT : END_HYPHEN);
            else
                add_piece(p, i, from, to, pw, 0, END_WORD);
            hang_piece(p, m, p->npc - 1);
            from = to;
        }
    }
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

/* A box of the line being set (emit_line): text[from, from + len) of
 * the line's text in one style, its natural width in points and spaces. */
typedef struct pending {
    size_t from, len;
    ss_style style;
    double w;
    size_t spaces;
    size_t kern, nkern; /* in kp.kerns */
} pending;

/* How a line is set: as it comes, or justified (its spaces widened to
 * fill the measure, marks at either end hanging into the margins). */
typedef enum fill {
    FILL_NONE,
    FILL_JUSTIFY,
    FILL_SHRINK /* justified only where it is too long as it is */
} fill;

/* Adds the kerning of line text [from, to) in one style. */
static void kern_word(ctx *c, ss_style st, size_t from, size_t to)
{
    kp *k = c->work;
    if (!c->m->kerns || to - from < 2)
        return;
    k->kerns = ss_xgrow(k->kerns, sizeof *k->kerns, k->nkerns + MAX_WORD_KERNS, &k->kerns_cap);
    size_t n = c->m->kerns(c->m->ctx, st, k->line.data + from, to - from,
                           k->kerns + k->nkerns, MAX_WORD_KERNS);
    for (size_t i = 0; i < n; i++)
        k->kerns[k->nkerns + i].at += (uint32_t)from;
    k->nkerns += n;
}

/* Emits pieces [a, b) of a line as boxes, one per run of a style, from x
 * (x0 + avail at most); the space after a word belongs to the box of the
 * word before it.  A line that ends at a hyphenation point ends in U+00AD,
 * drawn as a hyphen.  Widths are measured on the text as it is drawn, so
 * a justified line ends at the measure exactly. */
static void emit_line(ctx *c, const para *p, size_t a, size_t b, const textstyle *ts,
                      double x, double avail, double base, fill how)
{
    double scale = ts->size / 1000.0;
    kp *k = c->work;
    ss_buf *text = &k->line;
    ss_buf_clear(text);
    k->nboxes = k->nkerns = 0;
    int style = -1;
    size_t word_from = 0, word_kerns = 0; /* where the last word began ... */
    double word_w = 0;                    /* ... its width ... */
    size_t word_off = 0;                  /* ... and where in its fragment */
    for (size_t q = a; q < b; q++) {
        const wpiece *pc = &p->pc[q];
        const word *w = &p->w[pc->word];
        /* A word cut at hyphenation points that stays whole on the line
         * is kerned whole, across the points too. */
        bool goes_on = q > a && p->pc[q - 1].word == pc->word;
        for (size_t f = 0; f < w->nf; f++) {
            const frag *fr = &p->f[w->f0 + f];
            if ((int)fr->style != style) {
                k->boxes = ss_xgrow(k->boxes, sizeof *k->boxes, k->nboxes + 1, &k->boxes_cap);
                k->boxes[k->nboxes++] = (pending){text->len, 0, fr->style, 0, 0, k->nkerns, 0};
                style = (int)fr->style;
            }
            pending *bx = &k->boxes[k->nboxes - 1];
            if (goes_on) {
                k->nkerns = word_kerns;
                bx->w -= word_w;
            } else {
                word_from = text->len;
                word_kerns = k->nkerns;
            }
            bool shy = f + 1 == w->nf && q + 1 == b && pc->brk == END_HYPHEN;
            if (!goes_on)
                word_off = pc->end ? pc->off : 0;
            size_t to = pc->end ? pc->end : fr->n;
            if (pc->end)
                ss_buf_add(text, fr->s + pc->off, pc->end - pc->off);
            else
                ss_buf_add(text, fr->s, fr->n);
            if (shy) {
                /* With the hyphen it ends in (which may kern), as drawn. */
                ss_buf_adds(text, "\xC2\xAD");
                word_w = measure(c->m, fr->style, text->data + word_from, text->len - word_from);
                kern_word(c, fr->style, word_from, text->len);
            } else if (word_off == 0 && to == fr->n) {
                word_w = fr->w; /* measured as it is drawn (prepare) */
                if (fr->kerned)
                    kern_word(c, fr->style, word_from, text->len);
            } else {
                word_w = part_width(c->m, fr, word_off, to, k, word_from);
            }
            bx->w += word_w;
        }
        if (q + 1 < b && pc->brk == END_WORD) {
            ss_buf_addc(text, ' ');
            k->boxes[k->nboxes - 1].spaces++;
            k->boxes[k->nboxes - 1].w += measure(c->m, (ss_style)style, " ", 1);
        }
    }
    double natural = 0;
    size_t spaces = 0;
    for (size_t i = 0; i < k->nboxes; i++) {
        pending *bx = &k->boxes[i];
        bx->len = (i + 1 < k->nboxes ? k->boxes[i + 1].from : text->len) - bx->from;
        bx->nkern = (i + 1 < k->nboxes ? k->boxes[i + 1].kern : k->nkerns) - bx->kern;
        bx->w *= scale;
        natural += bx->w;
        spaces += bx->spaces;
    }
    double ws = 0;
    if (how == FILL_SHRINK && natural > avail)
        how = FILL_JUSTIFY; /* a full line after all */
    if (how == FILL_JUSTIFY && spaces) {
        double right = k->nboxes ? hang(c->m, k->boxes[k->nboxes - 1].style, text->data,
                                        text->len, false) * scale : 0;
        double left = k->nboxes ? hang(c->m, k->boxes[0].style, text->data, text->len,
                                       true) * scale : 0;
        ws = (avail + left + right - natural) / (double)spaces;
    }
    for (size_t i = 0; i < k->nboxes; i++) {
        const pending *bx = &k->boxes[i];
        double w = bx->w + (double)bx->spaces * ws;
        add_text(c->page, text->data + bx->from, bx->len, bx->style, ts->color, ts->size, x,
                 base, w, ws);
        ss_box *box = &c->page->boxes[c->page->nboxes - 1];
        ss_page *pg = c->page;
        pg->kerns = ss_xgrow(pg->kerns, sizeof *pg->kerns, pg->nkerns + bx->nkern + 1,
                             &pg->kerns_cap);
        box->kern = pg->nkerns;
        box->nkern = bx->nkern;
        for (size_t j = 0; j < bx->nkern; j++) {
            ss_kern kn = k->kerns[bx->kern + j];
            kn.at -= (uint32_t)bx->from;
            pg->kerns[pg->nkerns++] = kn;
        }
        x += w;
    }
}

/* Total-fit line breaking (Knuth and Plass, "Breaking paragraphs into
 * lines", 1981): of all ways to break a paragraph, the one with the least
 * total demerits.  Kept here rather than taken from a library: no Debian
 * package offers it for C over our own measured boxes, and it is short.
 * The space between words stretches by half and shrinks by a third of
 * itself (TeX's values); at most twice the space, wider lines are set
 * ragged.  Costs, in TeX's units: */
#define SPACE_STRETCH 0.5    /* of the natural space */
#define SPACE_SHRINK (1.0 / 3.0)
#define MAX_RATIO 2.0        /* stretch ratio: space x (1 + 2 x 0.5) = 2.0x */
#define GOOD_RATIO 1.0       /* 1.5x: what the first pass allows */
#define LINE_PENALTY 10.0    /* every line costs: fewer lines are better */
#define HYPHEN_PENALTY 50.0
#define DOUBLE_HYPHEN 10000.0   /* two hyphenated lines in a row */
#define FINAL_HYPHEN 5000.0     /* the last full line hyphenated */
#define FITNESS_JUMP 10000.0    /* a loose line next to a tight one */
#define ONE_WORD_LAST 1e10      /* emergency: a paragraph ending in one word */
#define SHORT_LAST 20000.0      /* ... or in a line under a sixth of the measure */
#define GLUE_BREAK 1e12         /* emergency: breaking "1,333 / CyberTipline" */
#define RAGGED_LINE 1e8         /* emergency: a line looser than MAX_RATIO */
#define MAX_HYPHEN_RUN 2        /* hyphenated lines in a row, at most */

struct kp_node {
    size_t at;        /* the line after this break starts at piece 'at' */
    int fitness;      /* 0 tight, 1 decent, 2 loose, 3 very loose */
    int hyph_run;     /* hyphenated lines in a row ending here */
    double total;     /* demerits of the best way here */
    size_t prev;      /* index of the node before, SIZE_MAX at the start */
    double ratio;     /* of the line ending here */
};

/* Can a line end after piece q (0-based)?  glue_ok: also inside a glued
 * group (emergency pass only). */
static bool breakable(const para *p, size_t q, bool glue_ok)
{
    const wpiece *pc = &p->pc[q];
    if (q + 1 == p->npc)
        return true;
    if (pc->brk != END_WORD)
        return true;
    return glue_ok || !p->w[pc->word].glue;
}

/* Runs one pass over pieces; returns the index of the best final node, or
 * SIZE_MAX when no way of breaking keeps every line within MAX_RATIO (when
 * !emergency). */
static size_t kp_pass(kp *k, const para *p, const double *cum, const size_t *gaps,
                      double avail, double space, double max_ratio, bool emergency)
{
    size_t np = p->npc;
    k->nn = k->na = 0;
    k->n = ss_xgrow(k->n, sizeof *k->n, 1, &k->ncap);
    k->n[k->nn++] = (kp_node){0, 1, 0, 0.0, SIZE_MAX, 0.0};
    k->active = ss_xgrow(k->active, sizeof *k->active, 1, &k->acap);
    k->active[k->na++] = 0;
    /* The active nodes are active[lo, na), in the order they were made,
     * which is the order of their positions.  For any break, a node
     * further back starts a longer line with no fewer spaces, so its
     * ratio is no larger: the overfull nodes are the first ones, and they
     * leave the list for good (lo moves past them); and once a node's
     * line is too loose, every later node's is too, so the scan stops
     * there (nearly every node is too loose for nearly every break). */
    size_t lo = 0;
    double stretch = space * SPACE_STRETCH, shrink = space * SPACE_SHRINK;
    for (size_t q = 0; q < np && lo < k->na; q++) {
        if (!breakable(p, q, emergency))
            continue;
        size_t b = q + 1; /* the line is pieces [a, b) */
        bool final = b == np;
        const wpiece *last = &p->pc[q];
        bool hyph = !final && last->brk != END_WORD;
        bool glued = !final && last->brk == END_WORD && p->w[last->word].glue;
        /* Best candidate per (fitness, hyphen run) for this break. */
        double best[4][MAX_HYPHEN_RUN + 2];
        size_t from[4][MAX_HYPHEN_RUN + 2];
        double rat[4][MAX_HYPHEN_RUN + 2];
        for (int f = 0; f < 4; f++)
            for (int h = 0; h <= MAX_HYPHEN_RUN + 1; h++)
                best[f][h] = INFINITY;
        size_t lost = SIZE_MAX;
        bool any = false; /* a candidate for this break */
        for (size_t i = lo; i < k->na; i++) {
            size_t ni = k->active[i];
            const kp_node *a = &k->n[ni];
            size_t s = a->at;
            /* Natural width and spaces of pieces [s, b). */
            size_t sp = gaps[b - 1] - gaps[s];
            double w = cum[b] - cum[s] - (s > 0 && p->pc[s - 1].brk == END_WORD ? space : 0);
            if (hyph)
                w += last->hw;
            if (!final || w > avail)
                w -= last->rp + p->pc[s].lp; /* the margins take what hangs */
            double r;
            if (final && w <= avail)
                r = 0; /* the last line is set ragged */
            else if (w < avail)
                r = sp ? (avail - w) / (sp * stretch) : INFINITY;
            else
                r = sp ? (avail - w) / (sp * shrink) : (w > avail + 1e-9 ? -INFINITY : 0);
            if (r < -1) {
                /* Overfull: no longer line from here fits either. */
                if (emergency && lost == SIZE_MAX)
                    lost = ni;
                if (i == lo)
                    lo++;
                continue;
            }
            if (r > max_ratio && !emergency)
                break; /* and so are the later nodes' lines */
            /* Shrinking costs twice stretching: a shrunk line needs a
             * position for every space in the file (TJ), a stretched one
             * a single word spacing (Tw). */
            double bad = r > 0 ? 100.0 * r * r * r : 200.0 * -r * -r * -r;
            if (bad > 10000)
                bad = 10000;
            int fit = r < -0.5 ? 0 : r <= 0.5 ? 1 : r <= 1 ? 2 : 3;
            double d = (LINE_PENALTY + bad) * (LINE_PENALTY + bad);
            int run = hyph ? a->hyph_run + 1 : 0;
            if (hyph)
                d += HYPHEN_PENALTY * HYPHEN_PENALTY;
            if (hyph && a->hyph_run)
                d += DOUBLE_HYPHEN;
            if (run > MAX_HYPHEN_RUN) {
                if (!emergency)
                    continue;
                run = MAX_HYPHEN_RUN + 1;
                d += DOUBLE_HYPHEN * 10;
            }
            if (abs(fit - a->fitness) > 1)
                d += FITNESS_JUMP;
            if (final && s > 0) {
                if (a->hyph_run)
                    d += FINAL_HYPHEN;
                if (sp == 0 && !emergency)
                    continue; /* never a one-word last line, if avoidable */
                if (sp == 0)
                    d += ONE_WORD_LAST;
                else if (w < avail / 6)
                    d += SHORT_LAST;
            }
            if (glued)
                d += GLUE_BREAK;
            if (r > MAX_RATIO)
                d += RAGGED_LINE * (2.0 - w / avail); /* the shorter, the worse */
            d += a->total;
            if (d < best[fit][run]) {
                any = true;
                best[fit][run] = d;
                from[fit][run] = ni;
                rat[fit][run] = r;
            }
        }
        bool made = false;
        /* The cheapest way here with a hyphen run no longer than h. */
        double cheapest[MAX_HYPHEN_RUN + 2];
        for (int h = 0; any && h <= MAX_HYPHEN_RUN + 1; h++) {
            cheapest[h] = h ? cheapest[h - 1] : INFINITY;
            for (int f = 0; f < 4; f++)
                if (best[f][h] < cheapest[h])
                    cheapest[h] = best[f][h];
        }
        for (int f = 0; any && f < 4; f++)
            for (int h = 0; h <= MAX_HYPHEN_RUN + 1; h++) {
                if (best[f][h] == INFINITY)
                    continue;
                /* Dominated: another way here with no longer hyphen run
                 * costs less by more than any later line can make up (a
                 * fitness jump; its hyphen costs are no higher). */
                if (cheapest[h] + FITNESS_JUMP <= best[f][h])
                    continue;
                k->n = ss_xgrow(k->n, sizeof *k->n, k->nn + 1, &k->ncap);
                k->n[k->nn] = (kp_node){b, f, h, best[f][h], from[f][h], rat[f][h]};
                k->active = ss_xgrow(k->active, sizeof *k->active, k->na + 1, &k->acap);
                k->active[k->na++] = k->nn++;
                made = true;
            }
        if (emergency && !made && lo == k->na && lost != SIZE_MAX) {
            /* Nothing fits (a piece wider than the measure): take the
             * overfull line rather than lose the paragraph. */
            k->n = ss_xgrow(k->n, sizeof *k->n, k->nn + 1, &k->ncap);
            k->n[k->nn] = (kp_node){b, 1, 0, k->n[lost].total + 1e14, lost, 0.0};
            k->active = ss_xgrow(k->active, sizeof *k->active, k->na + 1, &k->acap);
            k->active[k->na++] = k->nn++;
        }
    }
    size_t best_node = SIZE_MAX;
    for (size_t i = lo; i < k->na; i++) {
        const kp_node *a = &k->n[k->active[i]];
        if (a->at == np && (best_node == SIZE_MAX || a->total < k->n[best_node].total))
            best_node = k->active[i];
    }
    return best_node;
}

static void cut_hyphens(const ctx *c, para *q)
{
    wpiece *keep = q->pc;
    size_t n = q->npc, cap = q->pccap;
    q->pc = NULL, q->npc = 0, q->pccap = 0;
    make_pieces(q, c->m, c->hy, c->name);
    if (q->npc > q->nw) {
        q->wpc = keep, q->nwpc = n, q->wpccap = cap;
    } else {
        free(q->pc);
        q->pc = keep, q->npc = n, q->pccap = cap;
    }
    q->hyph_todo = false;
}

/* The prefix sums of the pieces of p, into the work arrays: cum[i] is the
 * width of pieces [0, i) with the spaces between their words, gaps[i] the
 * number of those spaces. */
static void prefix_sums(ctx *c, const para *p)
{
    kp *kw = c->work;
    size_t np = p->npc;
    if (np + 1 > kw->cap) {
        size_t c1 = kw->cap, c2 = kw->cap, c3 = kw->cap, c4 = kw->cap;
        kw->cum = ss_xgrow(kw->cum, sizeof *kw->cum, np + 1, &c1);
        kw->ratio = ss_xgrow(kw->ratio, sizeof *kw->ratio, np + 1, &c2);
        kw->gaps = ss_xgrow(kw->gaps, sizeof *kw->gaps, np + 1, &c3);
        kw->brk = ss_xgrow(kw->brk, sizeof *kw->brk, np + 1, &c4);
        kw->cap = c1 < c2 ? c1 : c2;
        kw->cap = kw->cap < c3 ? kw->cap : c3;
        kw->cap = kw->cap < c4 ? kw->cap : c4;
    }
    kw->cum[0] = 0;
    kw->gaps[0] = 0;
    for (size_t i = 0; i < np; i++) {
        bool space = i > 0 && p->pc[i - 1].brk == END_WORD;
        kw->cum[i + 1] = kw->cum[i] + p->pc[i].w + (space ? c->space_w : 0);
        kw->gaps[i + 1] = kw->gaps[i] + (i + 1 < np && p->pc[i].brk == END_WORD);
    }
}

/* Justified text, broken by total fit into lines of 'at' (thousandths of
 * the size): first over whole words (most paragraphs need no hyphen, and
 * half the break points cost half the time: TeX's pretolerance pass),
 * then with hyphenation points, cut from src only when they are needed
 * (once a paragraph; most never need them).  A tolerant pass first: most
 * paragraphs set with no space over 1.5x; only those that cannot go up to
 * 2.0x, and only those that cannot even do that are set with overfull
 * lines.  Fills the work arrays' brk[0 .. *nl] (line l is pieces
 * [brk[l], brk[l+1])) and ratio, and returns the pieces they index: p,
 * or its whole words in *words. */
static const para *break_justified(ctx *c, para *src, const para *p, para *words,
                                   double at, size_t *nl)
{
    kp *kw = c->work;
    const para *views[3];
    int nviews = 0;
    bool lazy = p == src && src->hyph_todo;
    if (p->nwpc) {
        *words = *p;
        words->pc = p->wpc;
        words->npc = p->nwpc;
        views[nviews++] = words;
    }
    views[nviews++] = p;
    *nl = 0;
    kw->brk[0] = 0;
    for (int v = 0; v < nviews; v++) {
        p = views[v];
        size_t np = p->npc;
        prefix_sums(c, p);
        if (np == 0)
            break;
        double *cum = kw->cum;
        size_t *gaps = kw->gaps;
        size_t end = kp_pass(kw, p, cum, gaps, at, c->space_w, GOOD_RATIO, false);
        if (end == SIZE_MAX && lazy) {
            lazy = false;
            cut_hyphens(c, src);
            if (src->nwpc)
                views[nviews++] = src; /* src->pc: now with hyphenation points */
        }
        if (end == SIZE_MAX && v + 1 < nviews)
            continue; /* now with hyphenation */
        if (end == SIZE_MAX) {
            c->loose++;
            end = kp_pass(kw, p, cum, gaps, at, c->space_w, MAX_RATIO, false);
        }
        if (end == SIZE_MAX)
            end = kp_pass(kw, p, cum, gaps, at, c->space_w, MAX_RATIO, true);
        for (size_t n = end; n != SIZE_MAX && kw->n[n].prev != SIZE_MAX; n = kw->n[n].prev)
            (*nl)++;
        size_t l = *nl;
        kw->brk[*nl] = np;
        for (size_t n = end; n != SIZE_MAX && kw->n[n].prev != SIZE_MAX; n = kw->n[n].prev) {
            kw->brk[l] = kw->n[n].at;
            kw->ratio[--l] = kw->n[n].ratio;
        }
        kw->brk[0] = 0;
        break;
    }
    return p;
}

/* Ragged text (left, centred, right), first fit: as much on each line as
 * goes into 'avail' (points), never ending a line inside a glued group
 * unless the group fills the line alone.  Fills the work arrays as
 * break_justified does and returns the number of lines. */
static size_t break_ragged(ctx *c, const para *p, double avail, double scale)
{
    kp *kw = c->work;
    prefix_sums(c, p);
    const double *cum = kw->cum;
    size_t np = p->npc, nl = 0, i = 0;
    kw->brk[0] = 0;
    while (i < np) {
        size_t j = i + 1, end = i + 1;
        while (j <= np) {
            double w = cum[j] - cum[i] - (i > 0 && p->pc[i - 1].brk == END_WORD ? c->space_w : 0);
            if (j > i + 1 && w * scale > avail + 1e-6)
                break;
            if (breakable(p, j - 1, false) || end == i + 1)
                end = j;
            j++;
        }
        kw->ratio[nl] = 0;
        kw->brk[++nl] = i = end;
    }
    return nl;
}

/* Emits the nl lines the work arrays hold for p into [x0, x1], the first
 * on baseline *base; *base ends on the last line's. */
static void place_lines(ctx *c, const para *p, const textstyle *ts, double x0, double x1,
                        double *base, size_t nl)
{
    const kp *kw = c->work;
    double scale = ts->size / 1000.0, avail = x1 - x0;
    for (size_t l = 0; l < nl; l++) {
        size_t a = kw->brk[l], b = kw->brk[l + 1];
        bool last = l + 1 == nl;
        double x = x0;
        fill how = FILL_NONE;
        if (ts->al == ALIGN_JUSTIFY) {
            /* An opening mark hangs into the left margin on every line. */
            x -= p->pc[a].lp * scale;
            how = !last && kw->ratio[l] <= MAX_RATIO ? FILL_JUSTIFY : FILL_SHRINK;
        } else if (ts->al != ALIGN_LEFT) {
            double natural = (kw->cum[b] - kw->cum[a] -
                              (a > 0 && p->pc[a - 1].brk == END_WORD ? c->space_w : 0)) * scale;
            x = ts->al == ALIGN_CENTER ? x0 + (avail - natural) / 2 : x1 - natural;
        }
        emit_line(c, p, a, b, ts, x, avail, *base, how);
        if (!last)
            *base -= ts->leading;
    }
}

/* Sets prepared text into [x0, x1] from the top edge *y down; *y ends below
 * the last line's descent.  Justified text is broken by total fit; other
 * alignments fill each line in turn.  Returns the number of lines. */
static int set_text(ctx *c, para *src, const textstyle *ts, double x0,
                    double x1, double *y)
{
    const ss_measure *m = c->m;
    double scale = ts->size / 1000.0, avail = x1 - x0;
    para split, words;
    const para *p = src;
    if (split_long_words(&split, src, avail / scale, m)) {
        /* The other words of the paragraph may still be hyphenated. */
        make_pieces(&split, m, ts->al == ALIGN_JUSTIFY ? c->hy : NULL, c->name);
        p = &split;
    }
    size_t nl;
    const para *lines = p;
    if (ts->al == ALIGN_JUSTIFY)
        lines = break_justified(c, src, p, &words, avail / scale, &nl);
    else
        nl = break_ragged(c, p, avail, scale);
    double base = *y - m->ascent * scale;
    place_lines(c, lines, ts, x0, x1, &base, nl);
    if (nl)
        *y = base - m->descent * scale;
    if (p == &split)
        para_free(&split);
    return (int)nl;
}

/* The prepared form of text 'key' (an ss_text, or a plain string in one
 * style), made on first use. */
static para *prepared_text(ctx *c, const void *key, int style, const ss_text *t,
                           bool hyph)
{
    prep_cache *pc = c->cache;
    for (size_t i = 0; i < pc->n; i++)
        if (pc->items[i]->key == key && pc->items[i]->style == style)
            return &pc->items[i]->p;
    pc->items = ss_xgrow(pc->items, sizeof *pc->items, pc->n + 1, &pc->cap);
    prepared *e = pc->items[pc->n++] = ss_xmalloc(sizeof *e);
    memset(e, 0, sizeof *e);
    e->key = key;
    e->style = style;
    split_words(&e->p, t, c->m);
    /* Whole words; set_text cuts hyphenation points when it needs them. */
    make_pieces(&e->p, c->m, NULL, NULL);
    e->p.hyph_todo = hyph && c->hy;
    return &e->p;
}

static void prep_cache_free(prep_cache *pc)
{
    for (size_t i = 0; i < pc->n; i++)
        para_free(&pc->items[i]->p), free(pc->items[i]);
    free(pc->items);
    kp *w = &pc->work;
    free(w->n);
    free(w->active);
    free(w->cum);
    free(w->ratio);
    free(w->gaps);
    free(w->brk);
    free(w->boxes);
    free(w->kerns);
    ss_buf_free(&w->line);
}

static void set_run_text(ctx *c, const ss_text *t, const textstyle *ts,
                         double x0, double x1, double *y)
{
    set_text(c, prepared_text(c, t, -1, t, ts->al == ALIGN_JUSTIFY), ts, x0, x1, y);
}

static void set_plain(ctx *c, const char *s, ss_style st, const textstyle *ts,
                      double x0, double x1, double *y)
{
    ss_run run = {(char *)s, st};
    ss_text t = {&run, 1, 1, 0, 0};
    set_text(c, prepared_text(c, s, (int)st, &t, false), ts, x0, x1, y);
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

static void set_sample_mark(ctx *c, const char *notice)
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
    set_plain(c, notice, SS_BOLD, &ts, x0, x1, &y);
    tag(pg, first, SS_ROLE_P, 1); /* heard first: see layout_run */
    c->y = top - SAMPLE_H - SAMPLE_AFTER * c->k;
}

/* Dot leaders from x0 to x1 on baseline y: one box, dots on a grid of
 * LEADER_PITCH from the page's left edge, so the dots of every row line up.
 * Shapes, not text: an extractor reads "label 61", not dots. */
static void add_leader(ss_page *pg, double x0, double x1, double y, double size)
{
    double pitch = LEADER_PITCH * size, dot = LEADER_DOT * size;
    double first = ceil((x0 + dot / 2) / pitch) * pitch;
    double last = floor((x1 - dot / 2) / pitch) * pitch;
    if (last < first)
        return;
    ss_box *b = add_box(pg, SS_BOX_LEADER, SS_COLOR_MUTED);
    /* Tenths of a point are plenty for dots, and keep the file small. */
    b->x = round(first * 10) / 10, b->y = round((y + dot / 2) * 10) / 10;
    b->w = round((last - first) * 10) / 10;
    b->h = round(dot * 10) / 10, b->ws = pitch;
}

/* The table is as wide as its widest label and value need (never wider
 * than the column, never narrower than TABLE_MIN_W of it), so a count is
 * never far from its label; a dotted leader joins the two. */
static void set_table(ctx *c, const ss_block *bl)
{
    ss_page *pg = c->page;
    double k = c->k, size = c->body;
    /* The value column is as wide as the widest value (a value never
     * wraps), and never narrower than the design's. */
    double vw = TABLE_VALUE_W * k, lw = 0;
    for (size_t r = 0; r < bl->nrows; r++) {
        const char *v = bl->rows[r].value;
        double w = measure(c->m, SS_BOLD, v, strlen(v)) * size / 1000.0;
        if (w > vw)
            vw = w;
        const char *l = bl->rows[r].label;
        w = measure(c->m, SS_REGULAR, l, strlen(l)) * size / 1000.0;
        if (w > lw)
            lw = w;
    }
    double col = c->x1 - c->x0;
    double tw = fmin(col, fmax(col * TABLE_MIN_W, lw + 1.0 + TABLE_GAP * k + vw + 0.5));
    double tx1 = c->x0 + tw;
    double vx0 = tx1 - vw - 0.5; /* slack: equal widths must not wrap */
    double lx1 = vx0 - TABLE_GAP * k;
    textstyle label = {size, size * 1.22, SS_COLOR_TEXT, ALIGN_LEFT};
    textstyle value = {size, size * 1.22, SS_COLOR_TEXT, ALIGN_RIGHT};
    add_rule(pg, c->x0, c->y, tw, RULE_THICK, SS_COLOR_HEADING);
    for (size_t r = 0; r < bl->nrows; r++) {
        double y = c->y - TABLE_PAD * k, yv = y;
        size_t first = pg->nboxes;
        set_plain(c, bl->rows[r].label, SS_REGULAR, &label, c->x0, lx1, &y);
        tag(pg, first, SS_ROLE_TH, ++c->elem);
        size_t vbox = pg->nboxes;
        set_plain(c, bl->rows[r].value, SS_BOLD, &value, vx0, tx1, &yv);
        tag(pg, vbox, SS_ROLE_TD, ++c->elem);
        if (vbox > first && pg->nboxes > vbox) {
            /* From the end of the label's first line to the count; the
             * leader is drawn, not text: an artifact. */
            const ss_box *v = &pg->boxes[vbox];
            double end = c->x0;
            for (size_t i = first; i < vbox; i++)
                if (pg->boxes[i].y == v->y)
                    end = fmax(end, pg->boxes[i].x + pg->boxes[i].w);
            add_leader(pg, end + LEADER_GAP * size, v->x - LEADER_GAP * size, v->y, size);
        }
        c->y = fmin(y, yv) - TABLE_PAD * k;
        bool last = r + 1 == bl->nrows;
        add_rule(pg, c->x0, c->y, tw, last ? RULE_THICK : RULE_THIN,
                 last ? SS_COLOR_HEADING : SS_COLOR_RULE);
    }
    c->y -= TABLE_AFTER * k;
}

/* The context for setting doc at body_size onto pg. */
static ctx start(const ss_document *doc, const ss_measure *m, const ss_hyphenation *hy,
                 ss_page *pg, double page_w, double body_size, prep_cache *cache)
{
    return (ctx){cache, &cache->work, doc->name, hy, m, pg, body_size / DESIGN_BODY,
                 body_size, CONTENT_INSET, page_w - CONTENT_INSET, 0,
                 measure(m, SS_REGULAR, " ", 1), 0, 0};
}

static textstyle body_style(double body_size)
{
    return (textstyle){body_size, body_size * LEADING, SS_COLOR_TEXT, ALIGN_JUSTIFY};
}

/* Is paragraph block b loose at body_size (a space over 1.5x)?  Set on a
 * page of its own: how a paragraph breaks does not depend on where it
 * stands. */
static bool para_loose_at(const ss_document *doc, const ss_measure *m,
                          const ss_hyphenation *hy, double page_w, double page_h,
                          double body_size, prep_cache *cache, size_t b)
{
    ss_page pg = {page_w, page_h, body_size, false, 0, NULL, 0, 0, NULL, 0, 0, NULL, 0, 0};
    ctx c = start(doc, m, hy, &pg, page_w, body_size, cache);
    c.y = page_h;
    textstyle body = body_style(body_size);
    set_run_text(&c, &doc->blocks[b].text, &body, c.x0, c.x1, &c.y);
    free(pg.boxes);
    free(pg.chars);
    free(pg.kerns);
    return c.loose > 0;
}

/* give_up: stop at the first block that ends below the floor (the fit
 * search only needs to know that the page overflows). */
static ss_page *layout_run(const ss_document *doc, const ss_measure *m,
                           const ss_hyphenation *hy, double page_w, double page_h,
                           double body_size, prep_cache *cache, bool give_up, int *loose,
                           loose_paras *loose_at)
{
    ss_page *pg = ss_xcalloc(1, sizeof *pg);
    pg->width = page_w;
    pg->height = page_h;
    pg->body_size = body_size;
    /* The size the last layout of this document needed, at once. */
    pg->boxes = ss_xgrow(NULL, sizeof *pg->boxes, cache->boxes, &pg->cap);
    pg->chars = ss_xgrow(NULL, 1, cache->chars, &pg->chars_cap);
    ctx c = start(doc, m, hy, pg, page_w, body_size, cache);
    double floor_y = set_footer(&c, doc);
    /* The SAMPLE notice is drawn below the band but read before it. */
    c.elem = doc->sample ? 1 : 0;
    set_band(&c, doc);
    if (doc->sample)
        set_sample_mark(&c, doc->sample_notice ? doc->sample_notice : "");
    textstyle body = body_style(body_size);
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
            {
                int before = c.loose;
                set_run_text(&c, &bl->text, &body, c.x0, c.x1, &c.y);
                if (loose_at && c.loose > before && loose_at->n < LOOSE_KEPT)
                    loose_at->at[loose_at->n++] = i;
            }
            tag(pg, first, SS_ROLE_P, ++c.elem);
            c.y -= PARA_AFTER * c.k;
            break;
        case SS_BLOCK_TABLE:
            c.y -= 1.0 * c.k;
            set_table(&c, bl);
            break;
        }
        if (give_up && c.y < floor_y - 1e-6)
            break; /* already too long: the rest cannot make it fit */
    }
    pg->bottom = c.y;
    pg->fits = c.y >= floor_y - 1e-6;
    cache->boxes = pg->nboxes > cache->boxes ? pg->nboxes : cache->boxes;
    cache->chars = pg->nchars > cache->chars ? pg->nchars : cache->chars;
    if (loose)
        *loose = c.loose;
    return pg;
}

ss_page *ss_layout_run(const ss_document *doc, const ss_measure *m,
                       const ss_hyphenation *hy, double page_w, double page_h,
                       double body_size)
{
    prep_cache cache = {0};
    ss_page *pg = layout_run(doc, m, hy && hy->fn ? hy : NULL, page_w, page_h, body_size,
                             &cache, false, NULL, NULL);
    prep_cache_free(&cache);
    return pg;
}

ss_page *ss_layout_fit(const ss_document *doc, const ss_measure *m,
                       const ss_hyphenation *hy, double page_w, double page_h,
                       double *body_size)
{
    if (hy && !hy->fn)
        hy = NULL;
    /* Largest size that fits: the sizes are few (13), and a page that fits
     * at a size fits at every smaller one.  Most sheets take a size near
     * the middle, so the search starts there and walks one step at a time
     * (about two layouts a sheet; halving took four).  If a paragraph at
     * that size has a space over 1.5x (no breaks avoid it), one step
     * smaller is taken when all its paragraphs keep within 1.5x: a quarter
     * point less type reads better than a loose line. */
    int steps = (int)lround((SS_BODY_MAX - SS_BODY_MIN) / SS_BODY_STEP);
    prep_cache cache = {0};
    ss_page *best = NULL, *below = NULL; /* below: the fitting page one step down */
    int best_i = -1, best_loose = 0, below_loose = 0;
    loose_paras best_paras = {{0}, 0}; /* best's loose paragraphs */
    int i = FIRST_TRY, dir = 0; /* step index: size = MAX - i * STEP */
    while (i >= 0 && i <= steps) {
        int loose = 0;
        loose_paras paras = {{0}, 0};
        ss_page *pg = layout_run(doc, m, hy, page_w, page_h, SS_BODY_MAX - i * SS_BODY_STEP,
                                 &cache, true, &loose, &paras);
        if (pg->fits) {
            ss_page_free(below);
            below = best, below_loose = best_loose; /* NULL, or the page at i + 1 */
            best = pg, best_i = i, best_loose = loose, best_paras = paras;
            if (dir > 0)
                break; /* the first that fits, walking down */
            dir = -1;
        } else {
            ss_page_free(pg);
            if (dir < 0)
                break; /* the one above best did not fit */
            dir = 1;
        }
        i += dir;
    }
    if (best && best_loose && best_i < steps) {
        double smaller = SS_BODY_MAX - (best_i + 1) * SS_BODY_STEP;
        /* Most often a paragraph that was loose is loose one step smaller
         * too, and the page there would not be taken: those paragraphs,
         * set alone first, spare laying out many such pages (for the 56
         * sample sheets, 17 of the 29 that would not be taken). */
        bool still = false;
        for (int k = 0; !below && !still && k < best_paras.n; k++)
            still = para_loose_at(doc, m, hy, page_w, page_h, smaller, &cache, best_paras.at[k]);
        if (!below && !still)
            below = layout_run(doc, m, hy, page_w, page_h, smaller, &cache, true,
                               &below_loose, NULL);
        if (below && below->fits && below_loose == 0) {
            ss_page_free(best);
            best = below;
            best_i++;
            below = NULL;
        }
    }
    ss_page_free(below);
    prep_cache_free(&cache);
    if (best) {
        /* Made with room to grow; kept (run.c keeps a batch's checked
         * pages until they are written), the room goes back. */
        best->boxes = ss_xrealloc(best->boxes, (best->nboxes ? best->nboxes : 1) *
                                                   sizeof *best->boxes);
        best->cap = best->nboxes ? best->nboxes : 1;
        best->chars = ss_xrealloc(best->chars, best->nchars + 1);
        best->chars_cap = best->nchars + 1;
    }
    *body_size = best ? SS_BODY_MAX - best_i * SS_BODY_STEP : SS_BODY_MIN;
    return best;
}

void ss_page_free(ss_page *p)
{
    if (!p)
        return;
    free(p->boxes);
    free(p->chars);
    free(p->kerns);
    free(p);
}

const char *ss_box_text(const ss_page *p, const ss_box *b)
{
    return p->chars + b->text;
}
