/* bind.c - filling the template in for one state. */
#include "bind.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* US English, for a NULL ss_numwords. */
static const ss_numwords ENGLISH = {
    ",", ".", {{"million", "million"}, {"billion", "billion"}, {"trillion", "trillion"}}};

void ss_format_number(uint64_t n, ss_numfmt fmt, const ss_numwords *words, char *out,
                      size_t size)
{
    const ss_numwords *w = words ? words : &ENGLISH;
    char digits[32];
    if (fmt == SS_FMT_PERCENT) {
        snprintf(out, size, "%" PRIu64 "%%", n);
        return;
    }
    if (fmt == SS_FMT_COMPACT && n >= 1000000u) {
        static const uint64_t units[] = {1000000000000u, 1000000000u, 1000000u};
        for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
            if (n < units[i])
                continue;
            /* One decimal, truncated: 36,249,999 is "36.2 million"; the
             * sheet says "more than" and must never overstate.  "One" is
             * exactly 1 ("1 millón", "1.5 millones"). */
            uint64_t tenths = n / (units[i] / 10);
            const char *word = w->scale[2 - i][tenths == 10 ? 0 : 1];
            char whole[48];
            ss_format_number(tenths / 10, SS_FMT_GROUPED, w, whole, sizeof whole);
            if (tenths % 10)
                snprintf(out, size, "%s%s%" PRIu64 "\xC2\xA0%s", whole, w->decimal,
                         tenths % 10, word);
            else
                snprintf(out, size, "%s\xC2\xA0%s", whole, word);
            return;
        }
    }
    int len = snprintf(digits, sizeof digits, "%" PRIu64, n);
    char buf[96];
    size_t j = 0, gl = strlen(w->group);
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0 && j + gl < sizeof buf - 2) {
            memcpy(buf + j, w->group, gl);
            j += gl;
        }
        buf[j++] = digits[i];
    }
    buf[j] = '\0';
    snprintf(out, size, "%s", buf);
}

typedef struct binder {
    const ss_template *t;
    const ss_dataset *ds;
    const ss_state *st;
    ss_text *out;
    bool space_pending; /* white space seen, not yet written */
} binder;

static void text_push(ss_text *t, const char *s, size_t n, ss_style style)
{
    if (n == 0)
        return;
    if (t->nruns && t->runs[t->nruns - 1].style == style) {
        /* Appending word by word: grow geometrically, not per word. */
        ss_run *r = &t->runs[t->nruns - 1];
        r->text = ss_xgrow(r->text, 1, t->last_len + n + 1, &t->last_cap);
        memcpy(r->text + t->last_len, s, n);
        t->last_len += n;
        r->text[t->last_len] = '\0';
        return;
    }
    /* A run is made a word at a time: room for a few at once. */
    size_t cap = n + 1 < 64 ? 64 : n + 1;
    char *text = ss_xmalloc(cap);
    memcpy(text, s, n);
    text[n] = '\0';
    t->runs = ss_xgrow(t->runs, sizeof *t->runs, t->nruns + 1, &t->cap);
    t->runs[t->nruns++] = (ss_run){text, style};
    t->last_len = n;
    t->last_cap = cap;
}

static bool text_empty(const ss_text *t)
{
    return t->nruns == 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Appends text, collapsing white space to single spaces and dropping it at
 * the start of a piece of text (trailing space is dropped in finish). */
static void emit(binder *b, const char *s, ss_style style)
{
    const char *p = s;
    while (*p) {
        if (is_space(*p)) {
            b->space_pending = true;
            p++;
            continue;
        }
        const char *q = p;
        while (*q && !is_space(*q))
            q++;
        if (b->space_pending && !text_empty(b->out))
            text_push(b->out, " ", 1, SS_REGULAR);
        b->space_pending = false;
        text_push(b->out, p, (size_t)(q - p), style);
        p = q;
    }
}

static uint64_t value_of(const binder *b, ss_source src, const char *key)
{
    if (!key)
        return 0;
    switch (src) {
    case SS_SRC_STATE: {
        const ss_figure *f = ss_state_figure(b->st, key);
        return f ? f->value : 0;
    }
    case SS_SRC_NATIONAL: {
        const ss_figure *f = ss_dataset_national(b->ds, key);
        return f ? f->value : 0;
    }
    case SS_SRC_TABLE: {
        const ss_table *tb = ss_state_table(b->st, key);
        return tb ? tb->total : 0;
    }
    }
    return 0;
}

static void bind_inline(binder *b, const ss_tnode *n, ss_style style);

static void bind_list(binder *b, const ss_tnode *n, ss_style style)
{
    for (; n; n = n->next)
        bind_inline(b, n, style);
}

static void bind_inline(binder *b, const ss_tnode *n, ss_style style)
{
    char num[64];
    switch (n->kind) {
    case SS_T_TEXT:
        emit(b, n->text, style);
        break;
    case SS_T_YEAR:
        snprintf(num, sizeof num, "%d", b->ds->year);
        emit(b, num, style);
        break;
    case SS_T_NAME:
        emit(b, b->st->name, style);
        break;
    case SS_T_CODE:
        emit(b, b->st->code, style);
        break;
    case SS_T_NUM:
        ss_format_number(value_of(b, n->source, n->key), n->format, &b->t->num, num,
                            sizeof num);
        /* State figures bold, national figures regular: always. */
        emit(b, num, n->source == SS_SRC_NATIONAL ? SS_REGULAR : SS_BOLD);
        break;
    case SS_T_BOLD:
        bind_list(b, n->children, SS_BOLD);
        break;
    case SS_T_PLURAL: {
        uint64_t v = value_of(b, n->source, n->key);
        const ss_tnode *form = n->children;
        if (v == 0 && n->has_zero)
            form = n->zero;
        else if (v == 1 && n->has_one)
            form = n->one;
        bind_list(b, form, style);
        break;
    }
    case SS_T_WHEN:
        if (value_of(b, n->source, n->key) != 0)
            bind_list(b, n->children, style);
        break;
    case SS_T_HEADING:
    case SS_T_PARA:
    case SS_T_TABLE:
        break; /* blocks never appear inline: the loader refuses them */
    }
}

static void bind_text(binder *b, ss_text *out, const ss_tnode *list, ss_style base)
{
    b->out = out;
    b->space_pending = false;
    bind_list(b, list, base);
    /* A run may end in a space that was written before a dropped clause. */
    while (out->nruns) {
        ss_run *r = &out->runs[out->nruns - 1];
        size_t l = strlen(r->text);
        while (l && r->text[l - 1] == ' ')
            r->text[--l] = '\0';
        if (l)
            break;
        free(r->text);
        out->nruns--;
    }
}


static ss_block *add_block(ss_document *doc, ss_block_kind kind, size_t *cap)
{
    doc->blocks = ss_xgrow(doc->blocks, sizeof *doc->blocks, doc->nblocks + 1, cap);
    ss_block *bl = &doc->blocks[doc->nblocks++];
    memset(bl, 0, sizeof *bl);
    bl->kind = kind;
    return bl;
}

static void text_free(ss_text *t)
{
    for (size_t i = 0; i < t->nruns; i++)
        free(t->runs[i].text);
    free(t->runs);
    memset(t, 0, sizeof *t);
}

static void bind_blocks(binder *b, ss_document *doc, const ss_tnode *n, size_t *cap)
{
    for (; n; n = n->next) {
        switch (n->kind) {
        case SS_T_HEADING:
        case SS_T_PARA: {
            ss_text t = {0};
            /* Section headers are set bold throughout. */
            bind_text(b, &t, n->children, n->kind == SS_T_HEADING ? SS_BOLD : SS_REGULAR);
            if (text_empty(&t))
                break; /* every clause was left out: no empty paragraph */
            ss_block *bl = add_block(doc, n->kind == SS_T_PARA ? SS_BLOCK_PARA
                                                               : SS_BLOCK_HEADING, cap);
            bl->text = t;
            break;
        }
        case SS_T_TABLE: {
            const ss_table *tb = ss_state_table(b->st, n->key);
            if (!tb || tb->nrows == 0)
                break;
            ss_block *bl = add_block(doc, SS_BLOCK_TABLE, cap);
            bl->rows = ss_xcalloc(tb->nrows, sizeof *bl->rows);
            bl->nrows = tb->nrows;
            for (size_t i = 0; i < tb->nrows; i++) {
                char num[64];
                ss_format_number(tb->rows[i].value, SS_FMT_GROUPED, &b->t->num, num,
                                    sizeof num);
                bl->rows[i].label = ss_xstrdup(tb->rows[i].label);
                bl->rows[i].value = ss_xstrdup(num);
            }
            break;
        }
        case SS_T_WHEN:
            if (value_of(b, n->source, n->key) != 0)
                bind_blocks(b, doc, n->children, cap);
            break;
        default:
            break;
        }
    }
}

ss_document *ss_bind(const ss_template *t, const ss_dataset *ds,
                     const ss_state *st)
{
    ss_document *doc = ss_xcalloc(1, sizeof *doc);
    binder b = {t, ds, st, NULL, false};
    doc->sample = ds->sample;
    doc->year = ds->year;
    doc->code = ss_xstrdup(st->code);
    doc->name = ss_xstrdup(st->name);
    doc->sample_notice = ss_xstrdup(t->sample_notice ? t->sample_notice : "SAMPLE DATA");
    bind_text(&b, &doc->title, t->title, SS_REGULAR);
    bind_text(&b, &doc->subtitle, t->subtitle, SS_BOLD);
    {
        /* The document title is the sheet's own heading and year, in the
         * template's language: "North Dakota Data 2023". */
        ss_buf it;
        ss_buf_init(&it);
        for (size_t i = 0; i < doc->subtitle.nruns; i++)
            for (const char *c = doc->subtitle.runs[i].text; *c; c++) {
                if ((unsigned char)c[0] == 0xC2 && (unsigned char)c[1] == 0xA0) {
                    ss_buf_addc(&it, ' '); /* no-break space: a plain one here */
                    c++;
                } else {
                    ss_buf_addc(&it, *c);
                }
            }
        ss_buf_printf(&it, "%s%d", it.len ? " " : "", ds->year);
        doc->info_title = ss_buf_steal(&it);
    }
    bind_text(&b, &doc->footer_left, t->footer_left, SS_REGULAR);
    bind_text(&b, &doc->footer_right, t->footer_right, SS_REGULAR);
    size_t cap = 0;
    bind_blocks(&b, doc, t->blocks, &cap);
    /* Drop a heading that is followed by another heading or nothing. */
    size_t w = 0;
    for (size_t i = 0; i < doc->nblocks; i++) {
        ss_block *bl = &doc->blocks[i];
        if (bl->kind == SS_BLOCK_HEADING &&
            (i + 1 == doc->nblocks || doc->blocks[i + 1].kind == SS_BLOCK_HEADING)) {
            text_free(&bl->text);
            continue;
        }
        doc->blocks[w++] = *bl;
    }
    doc->nblocks = w;
    return doc;
}

void ss_document_free(ss_document *doc)
{
    if (!doc)
        return;
    text_free(&doc->title);
    text_free(&doc->subtitle);
    text_free(&doc->footer_left);
    text_free(&doc->footer_right);
    for (size_t i = 0; i < doc->nblocks; i++) {
        ss_block *bl = &doc->blocks[i];
        text_free(&bl->text);
        for (size_t r = 0; r < bl->nrows; r++) {
            free(bl->rows[r].label);
            free(bl->rows[r].value);
        }
        free(bl->rows);
    }
    free(doc->blocks);
    free(doc->code);
    free(doc->name);
    free(doc->info_title);
    free(doc->sample_notice);
    free(doc);
}
