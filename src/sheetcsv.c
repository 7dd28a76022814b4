/* sheetcsv.c - export a data file as CSV, import a CSV as a data file.
 *
 * Import writes the version-1 XML one element per line and keeps, for each
 * line, the spreadsheet row and column it came from; the XML then goes
 * through the same loader and template check as any data file, and their
 * messages are reported at the row and column of the cell (the loader
 * reports lines, so no check is written twice).
 *
 * Neither holds the whole dataset (memory is flat; bench/csv.sh): export
 * streams the data file twice (records.h, ss_dataset_stream; standard
 * input or a pipe, readable once, is held in memory instead), first to
 * check it and find the columns, then to write each state's row as it is
 * read; import writes the states' XML lines and their cells (16 bytes a
 * line) to temporary files, puts the data file together in the output's
 * temporary file and checks it there as a stream.
 */
#include "sheetcsv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "outfile.h"
#include "paths.h"
#include "status.h"
#include "strset.h"
#include "util.h"
#include "validate.h"
#include "workbook.h"
#include "xlsx_write.h"

#define DEFAULT_TEMPLATE "templates/state-data.xml"
/* The code cell of the national figures' row: lower case, so it can never
 * be a state's code (those are A-Z, 0-9 and '-'). */
#define NATIONAL_CODE "national"
#define NATIONAL_NAME "(national figures)"
/* Headers longer than this are shortened in messages. */
#define HEADER_SHOWN 48

typedef enum ckind {
    C_NONE, /* a column with an empty header: its cells must be empty */
    C_CODE,
    C_NAME,
    C_YEAR,
    C_SAMPLE,
    C_NATIONAL,
    C_FIGURE,
    C_TOTAL,
    C_ROW,
    C_ORDER, /* the print order of a state's rows, when not the columns' */
    C_NAME_TR /* name-LL: the name in language LL (key) */
} ckind;

typedef struct column {
    ckind kind;
    char *key;    /* NATIONAL, FIGURE, TOTAL, ROW */
    char *label;  /* ROW: the row label */
    int nth;      /* ROW: the nth row with this label in one table (1-based) */
    bool used;    /* the template uses it: an empty cell is an error */
    char *header; /* the header cell */
    char *tr;     /* ROW: the label's translations, as XML attributes
                   * ( label-es="..."); NULL when none */
} column;

static char *xml_attr(const char *s);

typedef struct columns {
    column *c;
    size_t n, cap;
} columns;

static void columns_free(columns *L)
{
    for (size_t i = 0; i < L->n; i++) {
        free(L->c[i].key);
        free(L->c[i].label);
        free(L->c[i].header);
        free(L->c[i].tr);
    }
    free(L->c);
}

static const ss_use *template_use(const ss_template *t, ss_source src, const char *key)
{
    for (size_t i = 0; i < t->nuses; i++)
        if (t->uses[i].source == src && !strcmp(t->uses[i].key, key))
            return &t->uses[i];
    return NULL;
}

static char *header_for(ckind k, const char *key, const char *label, const char *desc)
{
    const char *sep = desc && *desc ? " - " : "";
    if (!desc)
        desc = "";
    switch (k) {
    case C_CODE:
        return ss_xstrdup("code");
    case C_NAME:
        return ss_xstrdup("name");
    case C_YEAR:
        return ss_xstrdup("year");
    case C_SAMPLE:
        return ss_xstrdup("sample");
    case C_NATIONAL:
        return ss_xasprintf("National: %s%s%s", key, sep, desc);
    case C_FIGURE:
        return ss_xasprintf("%s%s%s", key, sep, desc);
    case C_TOTAL:
        return ss_xasprintf("Total: %s%s%s", key, sep, desc);
    case C_ROW:
        return ss_xasprintf("%s: %s", key, label ? label : "");
    case C_ORDER:
        return ss_xasprintf("Order: %s - the rows' print order, when not left to right", key);
    case C_NAME_TR:
        return ss_xasprintf("name-%s", key);
    case C_NONE:
    default:
        return ss_xstrdup("");
    }
}

static void insert_col(columns *L, size_t at, ckind k, const char *key, const char *label,
                       int nth, bool used, const char *desc)
{
    L->c = ss_xgrow(L->c, sizeof *L->c, L->n + 1, &L->cap);
    memmove(&L->c[at + 1], &L->c[at], (L->n - at) * sizeof *L->c);
    L->c[at] = (column){k, key ? ss_xstrdup(key) : NULL, label ? ss_xstrdup(label) : NULL,
                        nth, used, header_for(k, key, label, desc), NULL};
    L->n++;
}

static void add_col(columns *L, ckind k, const char *key, bool used, const char *desc)
{
    insert_col(L, L->n, k, key, NULL, 0, used, desc);
}

static bool has_col(const columns *L, ckind k, const char *key)
{
    for (size_t i = 0; i < L->n; i++)
        if (L->c[i].kind == k && !strcmp(L->c[i].key, key))
            return true;
    return false;
}

/* The column where a table is read: its total column, or when it has none
 * its first row column. */
static bool table_anchor(const columns *L, size_t i)
{
    const column *c = &L->c[i];
    if (c->kind == C_TOTAL)
        return true;
    if (c->kind != C_ROW || has_col(L, C_TOTAL, c->key))
        return false;
    for (size_t j = 0; j < i; j++)
        if (L->c[j].kind == C_ROW && !strcmp(L->c[j].key, c->key))
            return false;
    return true;
}

/* The nth (1-based) row of t labelled 'label', or NULL. */
static const ss_row *nth_row(const ss_table *t, const char *label, int nth)
{
    for (size_t r = 0; r < t->nrows; r++)
        if (!strcmp(t->rows[r].label, label) && --nth == 0)
            return &t->rows[r];
    return NULL;
}

/* How many rows of t before index r have the same label as row r, plus 1. */
static int occurrence(const ss_table *t, size_t r)
{
    int k = 1;
    for (size_t i = 0; i < r; i++)
        k += !strcmp(t->rows[i].label, t->rows[r].label);
    return k;
}

/* The position (1-based) among the row columns from 'first' on of the
 * nth row labelled 'label', or 0. */
static size_t row_position(const columns *L, size_t first, const char *label, int nth)
{
    size_t k = 0;
    for (size_t i = first; i < L->n && L->c[i].kind == C_ROW; i++) {
        k++;
        if (L->c[i].nth == nth && !strcmp(L->c[i].label, label))
            return k;
    }
    return 0;
}

/* True when the table's rows are in the order of their columns. */
static bool in_column_order(const columns *L, size_t first, const ss_table *t)
{
    size_t last = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        size_t k = row_position(L, first, t->rows[r].label, occurrence(t, r));
        if (k < last)
            return false;
        last = k;
    }
    return true;
}

/* The columns are found in one pass over the states, so that export can
 * read the data file as a stream (records.h: ss_dataset_stream): each
 * table collects its row columns apart, and the figures the template does
 * not use collect in order of appearance.  Nothing here grows with the
 * number of states, only with the number of distinct keys and labels. */
typedef struct tcols {
    char *key;
    bool used;
    const char *desc;
    columns rows; /* C_ROW columns, in order */
    bool order;   /* some state's rows are not in column order */
} tcols;

typedef struct collector {
    const ss_template *tpl;
    tcols *t;
    size_t nt, tcap;
    char **figs; /* state figures the template does not use */
    size_t nfigs, fcap;
    char **langs; /* languages of name-LL, in order of appearance */
    size_t nlangs, lcap;
    ss_places *places; /* export --blank: the jurisdictions listed first */
    size_t matched;    /* states of the data among them */
} collector;

static tcols *collector_table(collector *C, const char *key)
{
    for (size_t i = 0; i < C->nt; i++)
        if (!strcmp(C->t[i].key, key))
            return &C->t[i];
    return NULL;
}

static tcols *collector_add_table(collector *C, const char *key, bool used, const char *desc)
{
    C->t = ss_xgrow(C->t, sizeof *C->t, C->nt + 1, &C->tcap);
    C->t[C->nt] = (tcols){ss_xstrdup(key), used, desc, {0}, false};
    return &C->t[C->nt++];
}

static void collector_init(collector *C, const ss_template *tpl)
{
    memset(C, 0, sizeof *C);
    C->tpl = tpl;
    for (size_t u = 0; u < tpl->nuses; u++) {
        const ss_use *use = &tpl->uses[u];
        if (use->source != SS_SRC_NATIONAL && use->source != SS_SRC_STATE &&
            !collector_table(C, use->key))
            collector_add_table(C, use->key, true, use->description);
    }
}

static void collector_free(collector *C)
{
    for (size_t i = 0; i < C->nt; i++) {
        free(C->t[i].key);
        columns_free(&C->t[i].rows);
    }
    free(C->t);
    for (size_t i = 0; i < C->nfigs; i++)
        free(C->figs[i]);
    free(C->figs);
    for (size_t i = 0; i < C->nlangs; i++)
        free(C->langs[i]);
    free(C->langs);
}

/* A row column's header with its label's translations, the first state's:
 * "KEY: LABEL [es: ETIQUETA]" (README, "Figures in a spreadsheet"). */
static void add_translations(column *c, const ss_row *r)
{
    if (c->tr || !r->nlabels)
        return;
    ss_buf h, a;
    ss_buf_init(&h);
    ss_buf_init(&a);
    ss_buf_adds(&h, c->header);
    for (size_t i = 0; i < r->nlabels; i++) {
        ss_buf_printf(&h, " [%s: %s]", r->labels[i].lang, r->labels[i].text);
        ss_buf_printf(&a, " label-%s=\"", r->labels[i].lang);
        char *x = xml_attr(r->labels[i].text);
        ss_buf_adds(&a, x);
        free(x);
        ss_buf_addc(&a, '"');
    }
    free(c->header);
    c->header = ss_buf_steal(&h);
    c->tr = ss_buf_steal(&a);
}

/* One column per row label of t.  A label new to the list goes right
 * after the previous row's column, so each state's rows keep their order
 * where the states agree.  Columns are only ever inserted, so whether t's
 * rows are in column order is the same now as at the end. */
static void collect_rows(tcols *T, const ss_table *t)
{
    columns *L = &T->rows;
    size_t next = 0; /* where a new label goes */
    for (size_t r = 0; r < t->nrows; r++) {
        int nth = occurrence(t, r);
        size_t at = 0;
        while (at < L->n && (strcmp(L->c[at].label, t->rows[r].label) || L->c[at].nth != nth))
            at++;
        if (at < L->n) {
            add_translations(&L->c[at], &t->rows[r]);
            next = at + 1;
            continue;
        }
        insert_col(L, next, C_ROW, T->key, t->rows[r].label, nth, false, NULL);
        add_translations(&L->c[next], &t->rows[r]);
        next++;
    }
    if (!T->order && !in_column_order(L, 0, t))
        T->order = true;
}

static void collect_state(collector *C, const ss_state *st)
{
    for (size_t n = 0; n < st->nnames; n++) {
        size_t i = 0;
        while (i < C->nlangs && strcmp(C->langs[i], st->names[n].lang))
            i++;
        if (i == C->nlangs) {
            C->langs = ss_xgrow(C->langs, sizeof *C->langs, C->nlangs + 1, &C->lcap);
            C->langs[C->nlangs++] = ss_xstrdup(st->names[n].lang);
        }
    }
    for (size_t i = 0; i < C->nt; i++) {
        const ss_table *t = C->t[i].used ? ss_state_table(st, C->t[i].key) : NULL;
        if (t)
            collect_rows(&C->t[i], t);
    }
    for (size_t f = 0; f < st->nfigures; f++) {
        const char *key = st->figures[f].key;
        if (template_use(C->tpl, SS_SRC_STATE, key))
            continue;
        size_t i = 0;
        while (i < C->nfigs && strcmp(C->figs[i], key))
            i++;
        if (i == C->nfigs) {
            C->figs = ss_xgrow(C->figs, sizeof *C->figs, C->nfigs + 1, &C->fcap);
            C->figs[C->nfigs++] = ss_xstrdup(key);
        }
    }
    for (size_t t = 0; t < st->ntables; t++) {
        const ss_table *tb = &st->tables[t];
        tcols *T = collector_table(C, tb->key);
        if (!T)
            T = collector_add_table(C, tb->key, false, NULL);
        if (!T->used && ss_state_table(st, tb->key) == tb)
            collect_rows(T, tb);
    }
}

/* Moves a table's columns to the end of L: its total, its rows, and its
 * order column when one is needed. */
static void take_table(columns *L, tcols *T)
{
    add_col(L, C_TOTAL, T->key, T->used, T->desc);
    for (size_t i = 0; i < T->rows.n; i++) {
        L->c = ss_xgrow(L->c, sizeof *L->c, L->n + 1, &L->cap);
        L->c[L->n++] = T->rows.c[i];
    }
    T->rows.n = 0;
    if (T->order)
        add_col(L, C_ORDER, T->key, false, NULL);
}

/* The columns, once every state has been through collect_state. */
static void collector_columns(collector *C, const ss_dataset *ds, columns *L)
{
    const ss_template *tpl = C->tpl;
    add_col(L, C_CODE, NULL, true, NULL);
    add_col(L, C_NAME, NULL, true, NULL);
    for (size_t i = 0; i < C->nlangs; i++)
        add_col(L, C_NAME_TR, C->langs[i], false, NULL);
    add_col(L, C_YEAR, NULL, true, NULL);
    if (ds->sample)
        add_col(L, C_SAMPLE, NULL, true, NULL);
    for (size_t u = 0; u < tpl->nuses; u++) {
        const ss_use *use = &tpl->uses[u];
        if (use->source == SS_SRC_NATIONAL)
            add_col(L, C_NATIONAL, use->key, true, use->description);
        else if (use->source == SS_SRC_STATE)
            add_col(L, C_FIGURE, use->key, true, use->description);
        else if (!has_col(L, C_TOTAL, use->key))
            take_table(L, collector_table(C, use->key));
    }
    /* What the data holds beyond the template, in order of appearance. */
    for (size_t i = 0; i < ds->nnational; i++)
        if (!has_col(L, C_NATIONAL, ds->national[i].key))
            add_col(L, C_NATIONAL, ds->national[i].key, false, NULL);
    for (size_t i = 0; i < C->nfigs; i++)
        if (!has_col(L, C_FIGURE, C->figs[i]))
            add_col(L, C_FIGURE, C->figs[i], false, NULL);
    for (size_t i = 0; i < C->nt; i++)
        if (!C->t[i].used)
            take_table(L, &C->t[i]);
}

/* ---- export --------------------------------------------------------------- */

/* Where export's cells go: CSV text, or an .xlsx workbook. */
typedef struct sink {
    char delim;
    FILE *to;   /* CSV */
    ss_xlsx *x; /* or a workbook */
} sink;

static void put_text(sink *k, size_t i, const char *s)
{
    if (k->x) {
        if (*s)
            ss_xlsx_text(k->x, i, s);
        return;
    }
    if (i)
        putc(k->delim, k->to);
    ss_csv_put(k->to, s, k->delim);
}

/* A number; left empty when blank. */
static void put_value(sink *k, size_t i, uint64_t v, bool blank)
{
    if (k->x) {
        if (!blank)
            ss_xlsx_number(k->x, i, v);
        return;
    }
    if (i)
        putc(k->delim, k->to);
    if (!blank)
        fprintf(k->to, "%llu", (unsigned long long)v);
}

static void end_row(sink *k)
{
    if (!k->x)
        fputs("\r\n", k->to); /* RFC 4180; Excel and Calc read either */
}

static void write_header(const columns *L, sink *k)
{
    for (size_t i = 0; i < L->n; i++) {
        const column *c = &L->c[i];
        if (!k->x) {
            put_text(k, i, c->header);
            continue;
        }
        ss_xlsx_col kind = c->kind == C_NAME || c->kind == C_NAME_TR ? SS_XLSX_NAME : c->kind == C_YEAR ? SS_XLSX_YEAR
                           : c->kind == C_NATIONAL || c->kind == C_FIGURE ||
                                   c->kind == C_TOTAL || c->kind == C_ROW
                               ? SS_XLSX_FIGURE
                               : SS_XLSX_TEXT;
        ss_xlsx_column(k->x, i, c->header, kind, c->kind == C_ROW ? c->label : NULL);
    }
    end_row(k);
}

/* One row: the state st, or the national figures when st is NULL. */
static void write_row(const columns *L, const ss_dataset *ds, const ss_state *st, bool blank,
                      int year, sink *k)
{
    if (k->x)
        ss_xlsx_row(k->x, st == NULL);
    for (size_t i = 0; i < L->n; i++) {
        const column *c = &L->c[i];
        bool any = true;
        switch (c->kind) {
        case C_CODE:
            put_text(k, i, st ? st->code : NATIONAL_CODE);
            break;
        case C_NAME:
            put_text(k, i, st ? st->name : NATIONAL_NAME);
            break;
        case C_NAME_TR: {
            const char *t = st ? ss_text_in(st->names, st->nnames, c->key) : NULL;
            put_text(k, i, t ? t : "");
            break;
        }
        case C_YEAR:
            put_value(k, i, (uint64_t)year, false);
            break;
        case C_SAMPLE:
            put_text(k, i, ds->sample ? "true" : "false");
            break;
        case C_NATIONAL: {
            const ss_figure *f = st ? NULL : ss_dataset_national(ds, c->key);
            if ((any = f != NULL))
                put_value(k, i, f->value, blank);
            break;
        }
        case C_FIGURE: {
            const ss_figure *f = st ? ss_state_figure(st, c->key) : NULL;
            if ((any = f != NULL))
                put_value(k, i, f->value, blank);
            break;
        }
        case C_TOTAL: {
            const ss_table *t = st ? ss_state_table(st, c->key) : NULL;
            if ((any = t != NULL))
                put_value(k, i, t->total, blank);
            break;
        }
        case C_ROW: {
            const ss_table *t = st ? ss_state_table(st, c->key) : NULL;
            const ss_row *r = t ? nth_row(t, c->label, c->nth) : NULL;
            if ((any = r != NULL))
                put_value(k, i, r->value, blank);
            break;
        }
        case C_ORDER: {
            const ss_table *t = st ? ss_state_table(st, c->key) : NULL;
            size_t total_at = 0;
            while (L->c[total_at].kind != C_TOTAL || strcmp(L->c[total_at].key, c->key))
                total_at++;
            if (!t || blank || in_column_order(L, total_at + 1, t)) {
                any = false;
                break;
            }
            ss_buf b;
            ss_buf_init(&b);
            for (size_t r = 0; r < t->nrows; r++)
                ss_buf_printf(&b, "%s%zu", r ? " " : "",
                              row_position(L, total_at + 1, t->rows[r].label, occurrence(t, r)));
            put_text(k, i, b.data ? b.data : "");
            ss_buf_free(&b);
            break;
        }
        case C_NONE:
        default:
            any = false;
            break;
        }
        if (!any)
            put_text(k, i, "");
    }
    end_row(k);
}

static bool has_national(const ss_dataset *ds)
{
    return ds->national_line != 0 || ds->nnational > 0;
}

bool ss_export_write(const ss_template *tpl, const ss_dataset *ds, bool blank, int year,
                     char delim, FILE *to)
{
    collector C;
    collector_init(&C, tpl);
    for (size_t s = 0; s < ds->nstates; s++)
        collect_state(&C, &ds->states[s]);
    columns L = {0};
    collector_columns(&C, ds, &L);
    collector_free(&C);
    sink k = {delim, to, NULL};
    write_header(&L, &k);
    if (has_national(ds))
        write_row(&L, ds, NULL, blank, year, &k);
    for (size_t s = 0; s < ds->nstates; s++)
        write_row(&L, ds, &ds->states[s], blank, year, &k);
    columns_free(&L);
    return !ferror(to);
}

/* ---- import --------------------------------------------------------------- */

typedef struct place {
    long row, col;
} place;

/* A run of XML lines, each with the cell it came from.  The states' part
 * goes to two temporary files (xf: the lines, mf: a place per line), so
 * that import's memory does not grow with the number of states. */
typedef struct part {
    ss_buf xml;
    place *map;
    size_t n, cap;
    FILE *xf, *mf;
} part;

static void part_line(part *p, long row, long col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void part_line(part *p, long row, long col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = ss_xvasprintf(fmt, ap);
    va_end(ap);
    if (p->xf) {
        place at = {row, col};
        fputs(s, p->xf);
        putc('\n', p->xf);
        fwrite(&at, sizeof at, 1, p->mf);
        p->n++;
        free(s);
        return;
    }
    ss_buf_adds(&p->xml, s);
    ss_buf_addc(&p->xml, '\n');
    free(s);
    p->map = ss_xgrow(p->map, sizeof *p->map, p->n + 1, &p->cap);
    p->map[p->n++] = (place){row, col};
}

static void part_free(part *p)
{
    ss_buf_free(&p->xml);
    free(p->map);
    if (p->xf)
        fclose(p->xf);
    if (p->mf)
        fclose(p->mf);
}

/* Text for an XML attribute value, on one line. */
static char *xml_attr(const char *s)
{
    ss_buf b;
    ss_buf_init(&b);
    for (; *s; s++) {
        switch (*s) {
        case '&': ss_buf_adds(&b, "&amp;"); break;
        case '<': ss_buf_adds(&b, "&lt;"); break;
        case '>': ss_buf_adds(&b, "&gt;"); break;
        case '"': ss_buf_adds(&b, "&quot;"); break;
        case '\n': ss_buf_adds(&b, "&#10;"); break;
        case '\r': ss_buf_adds(&b, "&#13;"); break;
        case '\t': ss_buf_adds(&b, "&#9;"); break;
        default: ss_buf_addc(&b, *s); break;
        }
    }
    return ss_buf_steal(&b);
}

/* The state codes seen so far, for duplicates, and the row of each. */
typedef struct seen {
    ss_strset codes;
    long *row; /* by number in codes */
    size_t cap;
} seen;

/* Adds code; returns 0, or the row where it was seen before. */
static long seen_add(seen *S, const char *code, long row)
{
    bool added;
    size_t i = ss_strset_add(&S->codes, code, strlen(code), &added);
    if (!added)
        return S->row[i];
    S->row = ss_xgrow(S->row, sizeof *S->row, i + 1, &S->cap);
    S->row[i] = row;
    return 0;
}

static void seen_free(seen *S)
{
    ss_strset_free(&S->codes);
    free(S->row);
}

typedef struct importer {
    const ss_template *tpl;
    ss_csv_errors *errs;
    char delim;
    columns L;
    long col_of[C_ORDER + 1]; /* CODE, NAME, YEAR, SAMPLE: 1-based column, or 0 */
    bool header_done;
    part national, states;
    long national_row;
    long nstates;
    int year;
    long year_row;
    int sample; /* -1 not given, 0 false, 1 true */
    long sample_row;
    long last_row;
    seen codes;
    bool workbook;               /* rows from an .xlsx or .ods, not CSV */
    const unsigned char *kinds;  /* workbook: what each cell of this row held */
} importer;

/* "column D (header)" for messages; in a workbook "cell D3 (header)". */
static char *col_name(const importer *im, long row, size_t i)
{
    char letter[8];
    ss_csv_column_letter((long)i + 1, letter);
    char *what = im->workbook ? ss_xasprintf("cell %s%ld", letter, row)
                              : ss_xasprintf("column %s", letter);
    const char *h = i < im->L.n ? im->L.c[i].header : "";
    char *name;
    if (!*h)
        return what;
    if (ss_utf8_length(h) <= HEADER_SHOWN) {
        name = ss_xasprintf("%s (%s)", what, h);
    } else {
        const char *p = h, *end = h + strlen(h);
        for (int k = 0; k < HEADER_SHOWN - 3; k++)
            ss_utf8_next(&p, end);
        name = ss_xasprintf("%s (%.*s...)", what, (int)(p - h), h);
    }
    free(what);
    return name;
}

/* A figure cell's number: a CSV cell's text, or what a workbook's cell
 * held (a number, not text). */
static const char *count_of(const importer *im, size_t i, const char *cell, uint64_t *v)
{
    if (im->kinds)
        return ss_workbook_count(cell, im->kinds[i], v);
    return ss_csv_count(cell, im->delim, v);
}

static void cell_error(importer *im, long row, size_t i, const char *who, const char *fmt,
                       ...) __attribute__((format(printf, 5, 6)));

static void cell_error(importer *im, long row, size_t i, const char *who, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = ss_xvasprintf(fmt, ap);
    va_end(ap);
    char *c = col_name(im, row, i);
    ss_csv_error(im->errs, row, (long)i + 1, "%s%s%s: %s", c, who ? ", " : "", who ? who : "",
                 m);
    free(c);
    free(m);
}

static size_t key_span(const char *s)
{
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_.");
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\0';
}

/* Takes the translations off the end of a row column's label, "LABEL
 * [es: ETIQUETA] [fr: ...]", and returns them as XML attributes
 * ( label-es="ETIQUETA"), or NULL when there are none. */
static char *label_translations(char *label)
{
    ss_buf a;
    ss_buf_init(&a);
    for (;;) {
        size_t n = strlen(label);
        char *open = n ? strrchr(label, '[') : NULL;
        if (!open || label[n - 1] != ']' || open == label || open[-1] != ' ' ||
            !(open[1] >= 'a' && open[1] <= 'z' && open[2] >= 'a' && open[2] <= 'z') ||
            open[3] != ':' || open[4] != ' ')
            break;
        label[n - 1] = '\0';
        char *x = xml_attr(open + 5);
        char *one = ss_xasprintf(" label-%c%c=\"%s\"%s", open[1], open[2], x,
                                 a.data ? a.data : "");
        ss_buf_clear(&a);
        ss_buf_adds(&a, one);
        free(one);
        free(x);
        *open = '\0';
        while (open > label && open[-1] == ' ')
            *--open = '\0';
    }
    return a.len ? ss_buf_steal(&a) : (ss_buf_free(&a), NULL);
}

static const char HEADER_HELP[] =
    "a header starts with code, name, year, sample, a figure's key (such as "
    "cybertipline.reports), 'National: KEY', 'Total: KEY' or 'KEY: row label'; "
    "export a file to see them";

static void read_header(importer *im, char **cells, size_t n)
{
    columns *L = &im->L;
    for (size_t i = 0; i < n; i++) {
        const char *h = cells[i];
        column c = {C_NONE, NULL, NULL, 0, false, ss_xstrdup(h), NULL};
        const char *rest = NULL;
        if (!*h)
            c.kind = C_NONE;
        else if (!strcasecmp(h, "code"))
            c.kind = C_CODE;
        else if (!strcasecmp(h, "name"))
            c.kind = C_NAME;
        else if (!strncasecmp(h, "name-", 5) && h[5] && h[6] && !h[7] &&
                 strchr("abcdefghijklmnopqrstuvwxyz", h[5] | 0x20) &&
                 strchr("abcdefghijklmnopqrstuvwxyz", h[6] | 0x20))
            c.kind = C_NAME_TR, c.key = ss_xasprintf("%c%c", h[5] | 0x20, h[6] | 0x20);
        else if (!strcasecmp(h, "year"))
            c.kind = C_YEAR;
        else if (!strcasecmp(h, "sample"))
            c.kind = C_SAMPLE;
        else if (!strncasecmp(h, "National:", 9))
            c.kind = C_NATIONAL, rest = h + 9;
        else if (!strncasecmp(h, "Total:", 6))
            c.kind = C_TOTAL, rest = h + 6;
        else if (!strncasecmp(h, "Order:", 6))
            c.kind = C_ORDER, rest = h + 6;
        else
            c.kind = C_FIGURE, rest = h;
        bool bad = false;
        if (rest) {
            rest += strspn(rest, " \t");
            size_t k = key_span(rest);
            if (c.kind == C_FIGURE && rest[k] == ':') {
                const char *label = rest + k + 1;
                label += strspn(label, " \t");
                if (!*label) {
                    ss_csv_error(im->errs, 1, (long)i + 1, "column header (%s) names no "
                                 "row label after ':'; write 'KEY: row label'", h);
                    bad = true;
                }
                c.kind = C_ROW;
                c.label = ss_xstrdup(label);
                c.tr = label_translations(c.label);
                const char *damage = ss_text_damage(label);
                if (damage) {
                    char letter[8];
                    ss_csv_column_letter((long)i + 1, letter);
                    ss_csv_error(im->errs, 1, (long)i + 1, "column %s: the row label '%s' "
                                 "looks damaged: %s", letter, label, damage);
                }
                c.nth = 1;
                for (size_t j = 0; j < L->n; j++)
                    c.nth += L->c[j].kind == C_ROW && !strncmp(L->c[j].key, rest, k) &&
                             !L->c[j].key[k] && !strcmp(L->c[j].label, label);
            } else if (!is_blank(rest[k])) {
                k = 0;
            }
            if (!bad && (k == 0 || k > SS_KEY_MAX || !ss_key_syntax_ok(rest, k))) {
                char letter[8];
                ss_csv_column_letter((long)i + 1, letter);
                ss_csv_error(im->errs, 1, (long)i + 1, "column %s (%s) is not a column "
                             "statesheet knows: %s", letter, h, HEADER_HELP);
                bad = true;
            }
            c.key = ss_xstrndup(rest, k);
        }
        if (bad)
            c.kind = C_NONE;
        if (c.kind != C_NONE && c.kind != C_ROW) {
            for (size_t j = 0; j < L->n; j++)
                if (L->c[j].kind == c.kind &&
                    (c.key ? !strcmp(L->c[j].key, c.key) : true)) {
                    char a[8], b[8];
                    ss_csv_column_letter((long)i + 1, a);
                    ss_csv_column_letter((long)j + 1, b);
                    ss_csv_error(im->errs, 1, (long)i + 1, "column %s (%s) repeats column "
                                 "%s (%s); remove one of them", a, h, b, L->c[j].header);
                    c.kind = C_NONE;
                    break;
                }
        }
        if (c.kind == C_CODE || c.kind == C_NAME || c.kind == C_YEAR || c.kind == C_SAMPLE)
            im->col_of[c.kind] = (long)i + 1;
        if (c.kind == C_NATIONAL)
            c.used = template_use(im->tpl, SS_SRC_NATIONAL, c.key) != NULL;
        else if (c.kind == C_FIGURE)
            c.used = template_use(im->tpl, SS_SRC_STATE, c.key) != NULL;
        else if (c.kind == C_TOTAL || c.kind == C_ROW)
            c.used = template_use(im->tpl, SS_SRC_TABLE, c.key) != NULL;
        L->c = ss_xgrow(L->c, sizeof *L->c, L->n + 1, &L->cap);
        L->c[L->n++] = c;
    }
    /* Missing columns: reported where they could be added. */
    long after = (long)n + 1;
    static const char *const fixed[] = {"code", "name", "year"};
    for (int k = 0; k < 3; k++)
        if (!im->col_of[C_CODE + k])
            ss_csv_error(im->errs, 1, after, "there is no '%s' column; add a column headed "
                         "'%s'", fixed[k], fixed[k]);
    for (size_t u = 0; u < im->tpl->nuses; u++) {
        const ss_use *use = &im->tpl->uses[u];
        ckind k = use->source == SS_SRC_NATIONAL ? C_NATIONAL
                  : use->source == SS_SRC_STATE  ? C_FIGURE
                                                 : C_TOTAL;
        if (has_col(L, k, use->key))
            continue;
        char *want = header_for(k, use->key, NULL, NULL);
        ss_csv_error(im->errs, 1, after, "there is no column for the %s '%s', which the "
                     "template uses; add a column headed '%s'",
                     k == C_NATIONAL ? "national figure" : k == C_FIGURE ? "figure"
                                                                         : "table total",
                     use->key, want);
        free(want);
    }
}

/* A figure cell: true and *v set when it holds a number; false when empty
 * or wrong (reported). */
static bool figure_cell(importer *im, long row, size_t i, const char *cell, const char *who,
                        uint64_t *v, bool *empty)
{
    *empty = !*cell;
    if (*empty)
        return false;
    const char *why = count_of(im, i, cell, v);
    if (!why)
        return true;
    if (im->kinds && im->kinds[i] != SS_CELL_TEXT && im->kinds[i] != SS_CELL_NUMBER &&
        im->kinds[i] != SS_CELL_ERROR)
        cell_error(im, row, i, who, "%s", why); /* its text is not what the cell shows */
    else
        cell_error(im, row, i, who, "'%s': %s", cell, why);
    return false;
}

/* A figure column's cell: written as <figure> when it holds a number; an
 * empty cell of a figure the template uses is reported with 'if_empty'. */
static void put_figure(importer *im, part *p, long row, size_t i, const char *cell,
                       const char *who, const char *if_empty)
{
    const column *c = &im->L.c[i];
    uint64_t v;
    bool empty;
    if (figure_cell(im, row, i, cell, who, &v, &empty))
        part_line(p, row, (long)i + 1, "    <figure key=\"%s\">%llu</figure>", c->key,
                  (unsigned long long)v);
    else if (empty && c->used)
        cell_error(im, row, i, who, "%s", if_empty);
}

static void import_year(importer *im, long row, char **cells, size_t n, const char *who)
{
    long yc = im->col_of[C_YEAR];
    if (!yc)
        return;
    const char *y = (size_t)yc <= n ? cells[yc - 1] : "";
    size_t i = (size_t)yc - 1;
    char *end;
    long v = strtol(y, &end, 10);
    if (!*y) {
        cell_error(im, row, i, who, "the year is empty; write it in full, e.g. 2024");
    } else if (*end || strlen(y) != 4 || v < SS_YEAR_MIN || v > SS_YEAR_MAX) {
        cell_error(im, row, i, who, "'%s' is not a year; write four digits from %d to %d",
                   y, SS_YEAR_MIN, SS_YEAR_MAX);
    } else if (!im->year_row) {
        im->year = (int)v;
        im->year_row = row;
    } else if (v != im->year) {
        cell_error(im, row, i, who, "the year %ld differs from row %ld's %d; one file "
                   "holds one year", v, im->year_row, im->year);
    }
}

static void import_sample(importer *im, long row, char **cells, size_t n, const char *who)
{
    long sc = im->col_of[C_SAMPLE];
    if (!sc)
        return;
    const char *s = (size_t)sc <= n ? cells[sc - 1] : "";
    int v = !strcasecmp(s, "true") ? 1 : !strcasecmp(s, "false") ? 0 : -1;
    if (v < 0) {
        cell_error(im, row, (size_t)sc - 1, who, "'%s': write true (the figures are "
                   "invented) or false", s);
    } else if (im->sample < 0) {
        im->sample = v;
        im->sample_row = row;
    } else if (v != im->sample) {
        cell_error(im, row, (size_t)sc - 1, who, "differs from row %ld; the whole file is "
                   "sample data or none of it is", im->sample_row);
    }
}

static void import_national(importer *im, long row, char **cells, size_t n)
{
    const char *who = "national row";
    if (im->national_row) {
        cell_error(im, row, (size_t)im->col_of[C_CODE] - 1, NULL, "a second national row "
                   "(the first is row %ld); merge them into one", im->national_row);
        return;
    }
    im->national_row = row;
    part *p = &im->national;
    part_line(p, row, im->col_of[C_CODE], "  <national>");
    for (size_t i = 0; i < im->L.n; i++) {
        const column *c = &im->L.c[i];
        const char *cell = i < n ? cells[i] : "";
        if (c->kind == C_NATIONAL) {
            put_figure(im, p, row, i, cell, who, "the cell is empty; write the national "
                       "figure (0 if none)");
        } else if ((c->kind == C_FIGURE || c->kind == C_TOTAL || c->kind == C_ROW ||
                    c->kind == C_ORDER) && *cell) {
            cell_error(im, row, i, who, "'%s': the national row has only national figures; "
                       "leave this cell empty", cell);
        }
    }
    part_line(p, row, im->col_of[C_CODE], "  </national>");
}

/* The row columns of table 'key' with a number in this row, in print
 * order: the Order column's, or left to right.  Ends with SIZE_MAX.  NULL
 * when the Order cell is wrong (reported). */
static size_t *table_order(importer *im, long row, char **cells, size_t n, const char *key,
                           const char *who)
{
    size_t nrow = 0, order_col = SIZE_MAX;
    for (size_t j = 0; j < im->L.n; j++) {
        const column *d = &im->L.c[j];
        if (d->kind == C_ROW && !strcmp(d->key, key))
            nrow++;
        if (d->kind == C_ORDER && !strcmp(d->key, key))
            order_col = j;
    }
    size_t *cols = ss_xcalloc(nrow + 1, sizeof *cols), *out = ss_xcalloc(nrow + 1, sizeof *out);
    size_t k = 0, filled = 0;
    for (size_t j = 0; j < im->L.n && j < n; j++)
        if (im->L.c[j].kind == C_ROW && !strcmp(im->L.c[j].key, key)) {
            cols[k++] = j;
            filled += *cells[j] != '\0';
        }
    while (k < nrow) /* columns past the row's last cell: empty */
        cols[k++] = SIZE_MAX;
    const char *spec = order_col < n ? cells[order_col] : "";
    size_t m = 0;
    if (!*spec) {
        for (k = 0; k < nrow; k++)
            if (cols[k] != SIZE_MAX && *cells[cols[k]])
                out[m++] = cols[k];
        out[m] = SIZE_MAX;
        free(cols);
        return out;
    }
    bool ok = true;
    for (const char *p = spec; *p && ok;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < 1 || (size_t)v > nrow || cols[v - 1] == SIZE_MAX ||
            !*cells[cols[v - 1]]) {
            cell_error(im, row, order_col, who, "'%s': list the table's filled-in row "
                       "columns by number, 1 for its first row column, separated by spaces "
                       "(e.g. 2 1 3), or leave the cell empty for left to right", spec);
            ok = false;
            break;
        }
        for (size_t q = 0; q < m && ok; q++)
            if (out[q] == cols[v - 1]) {
                cell_error(im, row, order_col, who, "'%s' lists row %ld twice", spec, v);
                ok = false;
            }
        if (ok)
            out[m++] = cols[v - 1];
        p = end + strspn(end, " ");
    }
    if (ok && m != filled) {
        cell_error(im, row, order_col, who, "'%s' lists %zu row%s, but %zu of the table's row "
                   "columns are filled in; list each once", spec, m, m == 1 ? "" : "s", filled);
        ok = false;
    }
    free(cols);
    if (!ok) {
        free(out);
        return NULL;
    }
    out[m] = SIZE_MAX;
    return out;
}

static void import_state(importer *im, long row, char **cells, size_t n)
{
    long cc = im->col_of[C_CODE], nc = im->col_of[C_NAME];
    const char *code = cc && (size_t)cc <= n ? cells[cc - 1] : "";
    const char *name = nc && (size_t)nc <= n ? cells[nc - 1] : "";
    char *who = ss_xasprintf("state %s", *code ? code : "(no code)");
    const char *damage = nc && *name ? ss_text_damage(name) : NULL;
    if (damage)
        cell_error(im, row, (size_t)nc - 1, who, "the name '%s' looks damaged: %s", name,
                   damage);
    /* A row without a code, or a second row of a state, is reported here
     * and not passed on, so the loader does not report it again. */
    bool emit = true;
    if (cc && !*code) {
        cell_error(im, row, (size_t)cc - 1, NULL, "the state code is empty; write the "
                   "state's code, e.g. ND");
        emit = false;
    }
    if (cc && *code) {
        long first = seen_add(&im->codes, code, row);
        if (first) {
            cell_error(im, row, (size_t)cc - 1, NULL, "the state %s appears twice (rows "
                       "%ld and %ld); keep one row per state", code, first, row);
            emit = false;
        }
    }
    im->nstates++;
    part scratch;
    memset(&scratch, 0, sizeof scratch);
    ss_buf_init(&scratch.xml);
    part *p = emit ? &im->states : &scratch;
    char *xcode = xml_attr(code), *xname = xml_attr(name);
    ss_buf tr;
    ss_buf_init(&tr);
    for (size_t i = 0; i < im->L.n && i < n; i++)
        if (im->L.c[i].kind == C_NAME_TR && *cells[i]) {
            const char *bad = ss_text_damage(cells[i]);
            if (bad)
                cell_error(im, row, i, who, "the name '%s' looks damaged: %s", cells[i], bad);
            char *x = xml_attr(cells[i]);
            ss_buf_printf(&tr, " name-%s=\"%s\"", im->L.c[i].key, x);
            free(x);
        }
    part_line(p, row, cc ? cc : 1, "  <state code=\"%s\" name=\"%s\"%s>", xcode, xname,
              tr.data ? tr.data : "");
    ss_buf_free(&tr);
    free(xcode), free(xname);
    for (size_t i = 0; i < im->L.n; i++) {
        const column *c = &im->L.c[i];
        const char *cell = i < n ? cells[i] : "";
        if (c->kind == C_FIGURE) {
            put_figure(im, p, row, i, cell, who, "the cell is empty; write the figure (0 if "
                       "none)");
        } else if (c->kind == C_NATIONAL && *cell) {
            cell_error(im, row, i, who, "'%s': national figures go in the row whose code "
                       "is '%s'; leave this cell empty", cell, NATIONAL_CODE);
        } else if (table_anchor(&im->L, i)) {
            /* A table: its total column and every row column of its key. */
            bool any = false, ok = true;
            uint64_t total = 0;
            bool has_total = false;
            for (size_t j = 0; j < im->L.n; j++) {
                const column *d = &im->L.c[j];
                if ((d->kind != C_TOTAL && d->kind != C_ROW) || strcmp(d->key, c->key))
                    continue;
                const char *dc = j < n ? cells[j] : "";
                bool e;
                uint64_t dv;
                if (figure_cell(im, row, j, dc, who, &dv, &e)) {
                    any = true;
                    if (d->kind == C_TOTAL)
                        has_total = true, total = dv;
                } else if (!e) {
                    ok = false;
                }
            }
            if (!any && ok && c->used) {
                cell_error(im, row, i, who, "the table '%s' is empty; fill in its rows, or "
                           "write 0 as its total if it has none", c->key);
                continue;
            }
            if (!any || !ok)
                continue;
            if (has_total)
                part_line(p, row, (long)i + 1, "    <table key=\"%s\" total=\"%llu\">", c->key,
                          (unsigned long long)total);
            else
                part_line(p, row, (long)i + 1, "    <table key=\"%s\">", c->key);
            size_t *order = table_order(im, row, cells, n, c->key, who);
            for (size_t k = 0; order && order[k] != SIZE_MAX; k++) {
                size_t j = order[k];
                uint64_t dv;
                /* Checked above; read again quietly. */
                if (count_of(im, j, cells[j], &dv) == NULL) {
                    char *label = xml_attr(im->L.c[j].label);
                    part_line(p, row, (long)j + 1, "      <row label=\"%s\"%s>%llu</row>",
                              label, im->L.c[j].tr ? im->L.c[j].tr : "",
                              (unsigned long long)dv);
                    free(label);
                }
            }
            free(order);
            part_line(p, row, (long)i + 1, "    </table>");
        }
    }
    part_line(p, row, cc ? cc : 1, "  </state>");
    part_free(&scratch);
    free(who);
}

static bool on_row(void *ctx, long row, char **cells, size_t n)
{
    importer *im = ctx;
    im->last_row = row;
    if (!im->header_done) {
        im->header_done = true;
        read_header(im, cells, n);
        return true;
    }
    bool blank = true;
    for (size_t i = 0; i < n && blank; i++)
        blank = !*cells[i];
    if (blank)
        return true; /* spreadsheets leave empty rows; they mean nothing */
    for (size_t i = 0; i < n; i++)
        if (*cells[i] && (i >= im->L.n || (im->L.c[i].kind == C_NONE &&
                                            !*im->L.c[i].header))) {
            char letter[8];
            ss_csv_column_letter((long)i + 1, letter);
            ss_csv_error(im->errs, row, (long)i + 1, "column %s has no (known) header, but "
                         "this row has '%s' in it; give the column a header or empty the "
                         "cell", letter, cells[i]);
        }
    long cc = im->col_of[C_CODE];
    const char *code = cc && (size_t)cc <= n ? cells[cc - 1] : "";
    bool national = !strcasecmp(code, NATIONAL_CODE);
    const char *who = national ? "national row" : NULL;
    import_year(im, row, cells, n, who);
    import_sample(im, row, cells, n, who);
    if (national)
        import_national(im, row, cells, n);
    else
        import_state(im, row, cells, n);
    return true;
}

/* A row from ss_sheet_rows: a CSV row (kinds NULL) as it is; a
 * workbook's row first checked for what only a workbook's cells hold. */
static bool on_cells(void *ctx, long row, char **cells, const unsigned char *kinds,
                     size_t n)
{
    importer *im = ctx;
    if (!kinds)
        return on_row(ctx, row, cells, n);
    /* A code, name, year or sample cell whose formula failed or was never
     * calculated: said once, and the row left out. */
    bool bad = false;
    for (size_t i = 0; im->header_done && i < n && i < im->L.n; i++) {
        ckind k = im->L.c[i].kind;
        uint64_t v;
        if ((kinds[i] == SS_CELL_ERROR || kinds[i] == SS_CELL_NOVALUE) &&
            (k == C_CODE || k == C_NAME || k == C_YEAR || k == C_SAMPLE || k == C_ORDER)) {
            cell_error(im, row, i, NULL, "'%s': %s", cells[i],
                       ss_workbook_count(cells[i], kinds[i], &v));
            bad = true;
        }
    }
    if (bad)
        return true;
    im->kinds = kinds;
    bool go_on = on_row(ctx, row, cells, n);
    im->kinds = NULL;
    return go_on;
}

/* Where the XML that import wrote came from, line by line: the first two
 * lines and the last are the file's, then the national part (in memory),
 * then the states' part (a place per line in a temporary file). */
typedef struct line_map {
    place head[2], last;
    const part *national, *states;
} line_map;

static place place_of(const line_map *m, long line)
{
    place none = {0, 0};
    if (line <= 0)
        return none;
    size_t i = (size_t)line - 1;
    if (i < 2)
        return m->head[i];
    i -= 2;
    if (i < m->national->n)
        return m->national->map[i];
    i -= m->national->n;
    if (i < m->states->n) {
        place at;
        if (fseeko(m->states->mf, (off_t)(i * sizeof at), SEEK_SET) != 0 ||
            fread(&at, sizeof at, 1, m->states->mf) != 1)
            return none;
        return at;
    }
    return i == m->states->n ? m->last : none;
}

/* Reports the errors in diag at the cells their lines came from. */
static void report_at_cells(const ss_diag *diag, const line_map *m, ss_csv_errors *errs)
{
    for (size_t i = 0; i < ss_diag_count(diag); i++) {
        const ss_diag_entry *e = ss_diag_at(diag, i);
        if (e->severity != SS_ERROR)
            continue;
        place at = place_of(m, e->line);
        ss_csv_error(errs, at.row, at.col, "%s", e->message);
    }
}

typedef struct key_check {
    const ss_template *tpl;
    ss_diag *diag;
} key_check;

static void key_check_cb(const ss_dataset *ds, const ss_state *st, void *ctx)
{
    key_check *k = ctx;
    ss_validate_state_keys(k->tpl, ds, st, false, k->diag);
}

/* Copies the rest of 'from' to 'to'; false on a read or write error. */
static bool copy_rest(FILE *from, FILE *to)
{
    char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, from)) > 0)
        if (fwrite(buf, 1, got, to) != got)
            return false;
    return !ferror(from);
}

/* Writes the data file made from 'from' to 'out' as it goes (a regular
 * file open for reading and writing, at its start), then checks it there
 * as a stream: memory does not grow with the number of rows.  Returns true
 * when nothing was wrong; otherwise 'out' holds a partial file to throw
 * away. */
static bool import_to(const ss_template *tpl, FILE *from, const char *name, char delim,
                      ss_csv_errors *errs, FILE *out)
{
    importer im;
    memset(&im, 0, sizeof im);
    im.tpl = tpl;
    im.errs = errs;
    im.sample = -1;
    ss_buf_init(&im.national.xml);
    ss_buf_init(&im.states.xml);
    bool ok = false;
    im.states.xf = tmpfile();
    im.states.mf = tmpfile();
    if (!im.states.xf || !im.states.mf) {
        ss_csv_error(errs, 0, 0, "cannot make a temporary file: %s", strerror(errno));
        goto done;
    }
    if (!ss_sheet_rows(from, delim, on_cells, &im, errs, &im.delim, &im.workbook))
        goto done; /* the file itself is wrong: reported */
    if (!im.header_done) {
        ss_csv_error(errs, 1, 1, "the file is empty; export a data file to get the columns "
                     "(statesheet export DATA.xml)");
        goto done;
    }
    if (im.nstates == 0) {
        ss_csv_error(errs, 2, 1, "there is no state row; add one row per state below the "
                     "header");
        goto done;
    }
    for (size_t u = 0; u < tpl->nuses && !im.national_row; u++)
        if (tpl->uses[u].source == SS_SRC_NATIONAL) {
            ss_csv_error(errs, 2, im.col_of[C_CODE] ? im.col_of[C_CODE] : 1, "there is no "
                         "national row, and the template uses national figures; add a row "
                         "whose code is '%s' with them", NATIONAL_CODE);
            goto done;
        }
    /* The codes were checked row by row; the loader keeps its own set. */
    seen_free(&im.codes);
    memset(&im.codes, 0, sizeof im.codes);
    {
        /* One line per element; place_of(line) is the cell it came from. */
        line_map m = {{{1, 0}, {im.year_row ? im.year_row : 1, im.col_of[C_YEAR]}},
                      {im.last_row, 0}, &im.national, &im.states};
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
        fprintf(out, "<statedata year=\"%d\"%s>\n", im.year,
                im.sample == 1 ? " sample=\"true\"" : "");
        if (im.national.xml.len)
            fwrite(im.national.xml.data, 1, im.national.xml.len, out);
        bool io_ok = fflush(im.states.xf) == 0 && fflush(im.states.mf) == 0 &&
                     fseeko(im.states.xf, 0, SEEK_SET) == 0 && copy_rest(im.states.xf, out);
        fputs("</statedata>\n", out);
        if (!io_ok || fflush(out) != 0 || ferror(out)) {
            ss_csv_error(errs, 0, 0, "cannot write a temporary file: %s", strerror(errno));
            goto done;
        }
        bool cells_ok = !ss_csv_error_count(errs);
        ss_diag *diag = ss_diag_new(), *keys = ss_diag_new();
        key_check k = {tpl, keys};
        size_t n = 0;
        ss_dataset *ds = ss_dataset_stream_fd(name, fileno(out), diag,
                                              cells_ok ? key_check_cb : NULL, &k, &n);
        /* The template's needs were checked cell by cell; checked again
         * only when the cells were right, so nothing is reported twice. */
        if (ds && cells_ok)
            ss_validate_national_keys(tpl, ds, false, diag);
        report_at_cells(diag, &m, errs);
        if (ds && cells_ok)
            report_at_cells(keys, &m, errs);
        ok = ds && ss_diag_error_count(diag) == 0 && ss_diag_error_count(keys) == 0 &&
             !ss_csv_error_count(errs);
        ss_dataset_free(ds);
        ss_diag_free(diag);
        ss_diag_free(keys);
    }
done:
    part_free(&im.national);
    part_free(&im.states);
    columns_free(&im.L);
    seen_free(&im.codes);
    return ok;
}

char *ss_import_read(const ss_template *tpl, FILE *from, const char *name, char delim,
                     ss_csv_errors *errs, size_t *len)
{
    FILE *tmp = tmpfile();
    if (!tmp) {
        ss_csv_error(errs, 0, 0, "cannot make a temporary file: %s", strerror(errno));
        return NULL;
    }
    char *result = NULL;
    if (import_to(tpl, from, name, delim, errs, tmp)) {
        ss_buf b;
        ss_buf_init(&b);
        char buf[65536];
        size_t got;
        rewind(tmp);
        while ((got = fread(buf, 1, sizeof buf, tmp)) > 0)
            ss_buf_add(&b, buf, got);
        if (ferror(tmp)) {
            /* A short read would be a data file with states missing. */
            ss_csv_error(errs, 0, 0, "cannot read back the temporary file made from "
                         "it: %s", strerror(errno ? errno : EIO));
            ss_buf_free(&b);
        } else {
            *len = b.len;
            result = ss_buf_steal(&b);
        }
    }
    fclose(tmp);
    return result;
}

/* ---- the subcommands -------------------------------------------------------- */

static bool same_inode(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Checks, before anything is read or written, that -o 'path' may be
 * written: not one of the command's inputs (inputs[i], called what[i] in
 * the message; "-" is standard input), by device and inode, whatever the
 * names (64), and not a folder, device, FIFO or socket (73).  A link at
 * 'path' is replaced, never written through (rename).  *exists says
 * whether a file is there to be replaced.  Returns 0 or the exit status,
 * with the problem on stderr. */
static int check_output(const char *path, const char *const inputs[], const char *const what[],
                        size_t n, bool *exists)
{
    struct stat l, s, in;
    *exists = lstat(path, &l) == 0;
    if (!*exists)
        return SS_EXIT_OK;
    bool followed = stat(path, &s) == 0; /* false for a dangling link */
    for (size_t i = 0; i < n; i++) {
        bool is_stdin = !strcmp(inputs[i], "-");
        if ((is_stdin ? fstat(STDIN_FILENO, &in) : stat(inputs[i], &in)) != 0)
            continue;
        if (same_inode(&l, &in) || (followed && same_inode(&s, &in))) {
            fprintf(stderr, "%s: error: this is the %s the command reads%s; write to "
                    "another file\n", path, what[i], is_stdin ? " (standard input)" : "");
            return SS_EXIT_USAGE;
        }
    }
    const struct stat *t = followed ? &s : &l;
    if (S_ISDIR(t->st_mode)) {
        fprintf(stderr, "%s: error: this is a folder; give a file name after -o\n", path);
        return SS_EXIT_CANTCREAT;
    }
    if (!S_ISREG(t->st_mode) && !S_ISLNK(t->st_mode)) {
        fprintf(stderr, "%s: error: this is a device, a pipe or another special file, "
                "which statesheet does not replace; give a file name after -o, or leave "
                "-o out to write to standard output\n", path);
        return SS_EXIT_CANTCREAT;
    }
    return SS_EXIT_OK;
}

/* The template (given or default) and the paths next to it, once -o is
 * known not to name an input, a folder or a special file (check_output;
 * *replaces: a file is there to be replaced).  'what' names the input in
 * messages.  Returns an exit status; problems go to diag. */
static int load_template(const ss_csv_options *opt, const char *what, ss_diag *diag,
                         ss_template **tpl, bool *replaces)
{
    *tpl = NULL;
    *replaces = false;
    char *assets = ss_assets_dir(opt->assets_dir);
    if (!assets) {
        ss_diag_error(diag, NULL, 0, "cannot find statesheet's assets (template, "
                      "fonts); reinstall it, or name the folder with --assets DIR or "
                      "STATESHEET_ASSETS");
        return SS_EXIT_SOFTWARE;
    }
    char *tpath = opt->template_path ? ss_xstrdup(opt->template_path)
                                     : ss_path_join(assets, DEFAULT_TEMPLATE);
    const char *inputs[] = {opt->input, tpath};
    const char *whats[] = {what, "template"};
    int e = 0, status = SS_EXIT_OK;
    if (opt->output)
        status = check_output(opt->output, inputs, whats, 2, replaces);
    if (status == SS_EXIT_OK) {
        *tpl = ss_template_load(tpath, diag, &e);
        if (!*tpl && e) {
            ss_diag_error(diag, tpath, 0, "cannot read the template: %s",
                          e == EFBIG ? "the file is larger than 1 MB" : strerror(e));
            status = opt->template_path ? SS_EXIT_NOINPUT : SS_EXIT_SOFTWARE;
        } else if (!*tpl) {
            status = SS_EXIT_DATAERR;
        }
    }
    free(tpath);
    free(assets);
    return status;
}

/* What a replaced -o file adds to the summary line. */
#define REPLACED_NOTE " (replaced an existing file)"

/* Export reads the data file twice as a stream: once to check it and
 * find the columns, once to write a row per state as it is read.  Memory
 * stays flat however many states there are (bench/csv.sh). */
static void collect_cb(const ss_dataset *ds, const ss_state *st, void *ctx)
{
    (void)ds;
    collector *C = ctx;
    collect_state(C, st);
    if (C->places && ss_places_rename(C->places, st))
        C->matched++;
}

/* export --blank: a row for each listed jurisdiction, before the data's
 * other states. */
static void write_places(const columns *L, const ss_dataset *ds, const ss_places *P, int year,
                         sink *k)
{
    for (size_t i = 0; i < P->n; i++) {
        ss_translation es = {"es", P->v[i].name_es};
        ss_state st;
        memset(&st, 0, sizeof st);
        st.code = P->v[i].code;
        st.name = P->v[i].name;
        st.names = P->v[i].name_es ? &es : NULL;
        st.nnames = P->v[i].name_es ? 1 : 0;
        write_row(L, ds, &st, true, year, k);
    }
}

typedef struct row_writer {
    const columns *L;
    bool blank;
    int year;
    sink *k;
    const ss_places *places; /* written already */
} row_writer;

static void write_cb(const ss_dataset *ds, const ss_state *st, void *ctx)
{
    const row_writer *w = ctx;
    if (!w->places || !ss_places_find(w->places, st->code))
        write_row(w->L, ds, st, w->blank, w->year, w->k);
}

/* Enough of a file's identity to see that it changed between two reads. */
static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* One pass over the data file: mapped from disk (a regular file), or from
 * 'held' (standard input or a pipe, read once into memory). */
static ss_dataset *read_data(const ss_csv_options *opt, const char *held, size_t held_len,
                             ss_diag *diag, int *e, ss_state_fn each, void *ctx,
                             size_t *n)
{
    if (held)
        return ss_dataset_stream_memory(opt->input, held, held_len, diag, each, ctx, n);
    return ss_dataset_stream(opt->input, diag, e, each, ctx, n);
}

int ss_export_run(const ss_csv_options *opt)
{
    if (opt->output && ss_xlsx_refused(opt->output))
        return SS_EXIT_USAGE; /* a workbook is written as .xlsx only */
    ss_diag *diag = ss_diag_new();
    ss_template *tpl;
    ss_dataset *ds = NULL, *again = NULL;
    collector C;
    columns L = {0};
    bool have_collector = false, replaces;
    size_t n = 0, n2 = 0;
    struct stat before, after;
    bool stat_ok = false;
    ss_places places = {0};
    char *held = NULL;
    size_t held_len = 0;
    int status = load_template(opt, "data file", diag, &tpl, &replaces);
    if (status == SS_EXIT_OK && opt->blank &&
        !ss_places_load_assets(opt->assets_dir, diag, &places))
        status = SS_EXIT_SOFTWARE;
    if (status != SS_EXIT_SOFTWARE && status != SS_EXIT_USAGE && status != SS_EXIT_CANTCREAT) {
        int e = 0;
        if (tpl) {
            collector_init(&C, tpl);
            C.places = places.n ? &places : NULL;
            have_collector = true;
        }
        stat_ok = strcmp(opt->input, "-") && stat(opt->input, &before) == 0;
        /* Standard input, a pipe or a FIFO can be read only once: held in
         * memory for both passes. */
        if (!stat_ok || (!S_ISREG(before.st_mode) && !S_ISDIR(before.st_mode)))
            held = ss_read_file(opt->input, SS_DATA_MAX_BYTES, &held_len, &e);
        if (!e)
            ds = read_data(opt, held, held_len, diag, &e, tpl ? collect_cb : NULL, &C, &n);
        if (!ds && e == EFBIG) {
            ss_diag_error(diag, opt->input, 0, "the file is larger than %u MB, the most "
                          "statesheet reads; split it into smaller files",
                          SS_DATA_MAX_BYTES / (1024u * 1024u));
            if (status == SS_EXIT_OK)
                status = SS_EXIT_DATAERR;
        } else if (!ds && e) {
            ss_diag_error(diag, opt->input, 0, "cannot read the data file: %s", strerror(e));
            status = SS_EXIT_NOINPUT;
        } else if (!ds && status == SS_EXIT_OK) {
            status = SS_EXIT_DATAERR;
        }
    }
    if (status != SS_EXIT_OK)
        goto done;
    if (places.n) {
        /* The listed jurisdictions' Spanish names make a name-es column. */
        bool es = false;
        for (size_t i = 0; i < C.nlangs; i++)
            es = es || !strcmp(C.langs[i], "es");
        if (!es) {
            C.langs = ss_xgrow(C.langs, sizeof *C.langs, C.nlangs + 1, &C.lcap);
            C.langs[C.nlangs++] = ss_xstrdup("es");
        }
    }
    collector_columns(&C, ds, &L);
    int year = opt->year ? opt->year : ds->year + (opt->blank ? 1 : 0);
    if (year > SS_YEAR_MAX)
        year = SS_YEAR_MAX;
    ss_outstream out = {0};
    FILE *to = stdout;
    if (opt->output && !(to = ss_outfile_open(&out, opt->output, diag, &status)))
        goto done;
    /* -o FILE.xlsx: a workbook, written by libxlsxwriter to the temporary
     * file on close; otherwise CSV, with a byte-order mark in a file so
     * that Excel opened by double-click reads it as UTF-8. */
    sink k = {opt->delimiter ? opt->delimiter : ',', to, NULL};
    if (opt->output && ss_xlsx_named(opt->output) && !(k.x = ss_xlsx_new(out.tmp))) {
        ss_outfile_finish(&out, false, diag);
        status = SS_EXIT_CANTCREAT;
        goto done;
    }
    if (opt->output && !k.x)
        fputs("\xEF\xBB\xBF", to);
    row_writer w = {&L, opt->blank, year, &k, places.n ? &places : NULL};
    write_header(&L, &k);
    if (has_national(ds))
        write_row(&L, ds, NULL, w.blank, year, &k);
    if (places.n)
        write_places(&L, ds, &places, year, &k);
    /* The first read's set of codes is not needed any more. */
    ss_dataset_free(ds);
    ds = NULL;
    /* The second read checks again; its messages matter only if the file
     * changed in between, which is then said in plain words. */
    ss_diag *d2 = ss_diag_new();
    int e2 = 0;
    again = read_data(opt, held, held_len, d2, &e2, write_cb, &w, &n2);
    ss_diag_free(d2);
    bool changed = !again || n2 != n ||
                   (!held && (!stat_ok || stat(opt->input, &after) != 0 ||
                              !same_file(&before, &after)));
    if (changed) {
        ss_diag_error(diag, opt->input, 0, "the file changed while statesheet read it; "
                      "run the command again once it is saved");
        status = SS_EXIT_DATAERR;
    }
    if (k.x && !ss_xlsx_close(k.x) && status == SS_EXIT_OK)
        status = SS_EXIT_IOERR;
    if (opt->output) {
        int st = ss_outfile_finish(&out, status == SS_EXIT_OK, diag);
        if (status == SS_EXIT_OK)
            status = st;
    } else if (status == SS_EXIT_OK && (fflush(stdout) != 0 || ferror(stdout))) {
        fprintf(stderr, "statesheet: error: cannot write to standard output: %s\n",
                strerror(errno));
        status = SS_EXIT_IOERR;
    }
    n += places.n - (have_collector ? C.matched : 0);
    if (status == SS_EXIT_OK && opt->output && opt->verbosity >= 1)
        printf("%zu state%s, year %d%s -> %s%s\n", n, n == 1 ? "" : "s",
               year, opt->blank ? ", figures left empty" : "", opt->output,
               replaces ? REPLACED_NOTE : "");
done:
    ss_diag_print(diag, stderr);
    ss_diag_free(diag);
    columns_free(&L);
    if (have_collector)
        collector_free(&C);
    ss_dataset_free(again);
    ss_dataset_free(ds);
    ss_template_free(tpl);
    ss_places_free(&places);
    free(held);
    return status;
}

int ss_import_run(const ss_csv_options *opt)
{
    ss_diag *diag = ss_diag_new();
    ss_csv_errors *errs = ss_csv_errors_new();
    ss_template *tpl;
    FILE *in = NULL, *tmp = NULL;
    ss_outstream out = {0};
    bool replaces;
    int status = load_template(opt, "spreadsheet", diag, &tpl, &replaces);
    if (status != SS_EXIT_OK)
        goto done;
    in = strcmp(opt->input, "-") ? fopen(opt->input, "rb") : stdin;
    if (!in) {
        ss_diag_error(diag, opt->input, 0, "cannot read the file: %s", strerror(errno));
        status = SS_EXIT_NOINPUT;
        goto done;
    }
    /* The data file is written where it goes (or to a temporary file for
     * standard output), checked there, and only then put in place. */
    FILE *to = opt->output ? ss_outfile_open(&out, opt->output, diag, &status)
                           : (tmp = tmpfile());
    if (!to && !opt->output) {
        ss_diag_error(diag, NULL, 0, "cannot make a temporary file: %s", strerror(errno));
        status = SS_EXIT_CANTCREAT;
    }
    if (!to)
        goto done;
    bool ok = import_to(tpl, in, opt->input, opt->delimiter, errs, to);
    if (opt->output) {
        status = ss_outfile_finish(&out, ok, diag);
        if (!ok)
            status = SS_EXIT_DATAERR;
    } else if (!ok) {
        status = SS_EXIT_DATAERR;
    } else {
        rewind(tmp);
        if (!copy_rest(tmp, stdout) || fflush(stdout) != 0) {
            status = SS_EXIT_IOERR;
            fprintf(stderr, "statesheet: error: cannot write to standard output: %s\n",
                    strerror(errno));
        }
    }
    if (status == SS_EXIT_OK && opt->output && opt->verbosity >= 1)
        printf("%s -> %s: OK%s\n", opt->input, opt->output, replaces ? REPLACED_NOTE : "");
done:
    if (in && in != stdin)
        fclose(in);
    if (tmp)
        fclose(tmp);
    ss_diag_print(diag, stderr);
    ss_csv_errors_print(errs, opt->input, stderr);
    ss_csv_errors_free(errs);
    ss_diag_free(diag);
    ss_template_free(tpl);
    return status;
}
