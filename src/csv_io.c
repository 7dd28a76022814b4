/* csv_io.c - CSV through libcsv, with what spreadsheets add around it.
 *
 * libcsv does the quoting and the line ends.  What is ours, and why: the
 * encoding checks (libcsv is byte-oriented), the separator detection
 * (libcsv takes one fixed separator), row numbering as a spreadsheet counts
 * (libcsv reports CR and LF separately), number cells the way a spreadsheet
 * shows them, and cell writing (csv_fwrite quotes every cell; a file quoted
 * only where needed reads better and opens the same).
 */
#include "csv_io.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "records.h"
#include "util.h"

/* Bytes read from the file per libcsv call. */
#define BLOCK_BYTES 65536

typedef struct csv_problem {
    long row, col;
    size_t order; /* keeps problems at one cell in the order found */
    char *message;
} csv_problem;

struct ss_csv_errors {
    csv_problem *items;
    size_t n, cap;
};

ss_csv_errors *ss_csv_errors_new(void)
{
    return ss_xcalloc(1, sizeof(ss_csv_errors));
}

void ss_csv_errors_free(ss_csv_errors *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->n; i++)
        free(e->items[i].message);
    free(e->items);
    free(e);
}

void ss_csv_verror(ss_csv_errors *e, long row, long col, const char *fmt, va_list ap)
{
    e->items = ss_xgrow(e->items, sizeof *e->items, e->n + 1, &e->cap);
    e->items[e->n] = (csv_problem){row, col, e->n, ss_xvasprintf(fmt, ap)};
    e->n++;
}

void ss_csv_error(ss_csv_errors *e, long row, long col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ss_csv_verror(e, row, col, fmt, ap);
    va_end(ap);
}

size_t ss_csv_error_count(const ss_csv_errors *e)
{
    return e->n;
}

static int by_place(const void *a, const void *b)
{
    const csv_problem *x = a, *y = b;
    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

void ss_csv_errors_print(ss_csv_errors *e, const char *file, FILE *to)
{
    if (e->n > 1)
        qsort(e->items, e->n, sizeof *e->items, by_place);
    for (size_t i = 0; i < e->n; i++) {
        const csv_problem *p = &e->items[i];
        if (p->row > 0 && p->col > 0)
            fprintf(to, "%s:%ld:%ld: error: %s\n", file, p->row, p->col, p->message);
        else if (p->row > 0)
            fprintf(to, "%s:%ld: error: %s\n", file, p->row, p->message);
        else
            fprintf(to, "%s: error: %s\n", file, p->message);
    }
}

void ss_csv_column_letter(long col, char out[8])
{
    char tmp[8];
    int n = 0;
    for (long c = col; c > 0 && n < 7; c = (c - 1) / 26)
        tmp[n++] = (char)('A' + (c - 1) % 26);
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

/* ---- reading -------------------------------------------------------------- */

static const char SAVE_AS_UTF8[] =
    "save it as UTF-8: in Excel, File > Save As, type 'CSV UTF-8 (Comma "
    "delimited) (*.csv)'; in LibreOffice Calc, File > Save As, type 'Text CSV "
    "(.csv)', tick 'Edit filter settings', then Character set 'Unicode (UTF-8)'";

typedef struct reader {
    ss_csv_row_fn fn;
    void *ctx;
    ss_csv_errors *errs;
    char **cells;
    size_t n, cap;
    long row;      /* rows finished */
    int prev_end;  /* the character that ended the last row */
    bool stop;
} reader;

/* White space a spreadsheet may leave around a cell: space, tab, U+00A0
 * (no-break space) and U+202F (narrow no-break space). */
static size_t space_at(const char *s, const char *end)
{
    if (s < end && (*s == ' ' || *s == '\t'))
        return 1;
    if (end - s >= 2 && (unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0)
        return 2;
    if (end - s >= 3 && (unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 &&
        (unsigned char)s[2] == 0xAF)
        return 3;
    return 0;
}

static size_t space_before(const char *start, const char *end)
{
    if (end > start && (end[-1] == ' ' || end[-1] == '\t'))
        return 1;
    if (end - start >= 2 && (unsigned char)end[-2] == 0xC2 && (unsigned char)end[-1] == 0xA0)
        return 2;
    if (end - start >= 3 && (unsigned char)end[-3] == 0xE2 && (unsigned char)end[-2] == 0x80 &&
        (unsigned char)end[-1] == 0xAF)
        return 3;
    return 0;
}

static void on_cell(void *s, size_t len, void *data)
{
    reader *r = data;
    if (r->stop)
        return;
    const char *p = s ? s : "", *end = p + (s ? len : 0);
    size_t k;
    while ((k = space_at(p, end)) > 0)
        p += k;
    while ((k = space_before(p, end)) > 0)
        end -= k;
    r->cells = ss_xgrow(r->cells, sizeof *r->cells, r->n + 1, &r->cap);
    r->cells[r->n++] = ss_xstrndup(p, (size_t)(end - p));
}

static void on_row_end(int c, void *data)
{
    reader *r = data;
    /* A CRLF is one line end: libcsv reports the LF as an empty row. */
    bool crlf_tail = r->n == 0 && c == '\n' && r->prev_end == '\r';
    r->prev_end = c;
    if (crlf_tail)
        return;
    r->row++;
    if (!r->stop) {
        for (size_t i = 0; i < r->n && !r->stop; i++)
            if (!ss_utf8_valid(r->cells[i], strlen(r->cells[i]))) {
                ss_csv_error(r->errs, r->row, (long)i + 1, "this cell has characters that "
                             "are not UTF-8: the file was probably saved as Latin-1 or "
                             "Windows-1252; %s", SAVE_AS_UTF8);
                r->stop = true;
            }
        if (!r->stop && !r->fn(r->ctx, r->row, r->cells, r->n))
            r->stop = true;
    }
    for (size_t i = 0; i < r->n; i++)
        free(r->cells[i]);
    r->n = 0;
}

/* The separator that occurs most often outside quotes in the first line. */
static char detect_delim(const char *p, size_t len)
{
    size_t comma = 0, semi = 0, tab = 0;
    bool quoted = false;
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        if (c == '"')
            quoted = !quoted;
        else if (!quoted && (c == '\n' || c == '\r'))
            break;
        else if (!quoted)
            comma += c == ',', semi += c == ';', tab += c == '\t';
    }
    if (semi > comma && semi >= tab)
        return ';';
    if (tab > comma && tab > semi)
        return '\t';
    return ',';
}

static bool is_space_or_tab(unsigned char c)
{
    return c == ' ' || c == '\t';
}

static int space_func(unsigned char c)
{
    return is_space_or_tab(c);
}

bool ss_csv_read(FILE *f, char delim, ss_csv_row_fn fn, void *ctx,
                 ss_csv_errors *errs, char *delim_used)
{
    struct csv_parser p;
    reader r = {fn, ctx, errs, NULL, 0, 0, 0, 0, false};
    char *block = ss_xmalloc(BLOCK_BYTES);
    bool ok = true;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0) {
        free(block);
        ss_csv_error(errs, 0, 0, "out of memory");
        return false;
    }
    size_t got = fread(block, 1, BLOCK_BYTES, f), total = got;
    size_t skip = 0;
    if (got >= 2 && (((unsigned char)block[0] == 0xFF && (unsigned char)block[1] == 0xFE) ||
                     ((unsigned char)block[0] == 0xFE && (unsigned char)block[1] == 0xFF))) {
        ss_csv_error(errs, 1, 1, "the file is UTF-16 (Excel's 'Unicode Text'), which "
                     "statesheet does not read; %s", SAVE_AS_UTF8);
        ok = false;
        goto done;
    }
    if (memchr(block, '\0', got)) {
        ss_csv_error(errs, 1, 1, "the file holds NUL bytes: it is UTF-16 or not a text "
                     "file at all; %s", SAVE_AS_UTF8);
        ok = false;
        goto done;
    }
    if (got >= 3 && !memcmp(block, "\xEF\xBB\xBF", 3))
        skip = 3; /* the UTF-8 byte-order mark Excel writes */
    if (!delim)
        delim = detect_delim(block + skip, got - skip);
    *delim_used = delim;
    csv_set_delim(&p, (unsigned char)delim);
    /* With a tab separator a tab is not white space around a cell. */
    if (delim == '\t')
        csv_set_space_func(&p, NULL);
    else
        csv_set_space_func(&p, space_func);
    while (got > 0 && !r.stop) {
        size_t len = got - skip;
        if (csv_parse(&p, block + skip, len, on_cell, on_row_end, &r) != len) {
            char where[8];
            ss_csv_column_letter((long)r.n + 1, where);
            ss_csv_error(errs, r.row + 1, (long)r.n + 1, "cell %s has a quote mark (\") "
                         "that does not open or close it; inside a quoted cell write each "
                         "quote mark twice (\"\")", where);
            ok = false;
            goto done;
        }
        skip = 0;
        got = fread(block, 1, BLOCK_BYTES, f);
        total += got;
        if (total > SS_CSV_MAX_BYTES) {
            ss_csv_error(errs, 0, 0, "the file is larger than %u MB, the most statesheet "
                         "reads; split it into smaller files",
                         SS_CSV_MAX_BYTES / (1024u * 1024u));
            ok = false;
            goto done;
        }
        if (got && memchr(block, '\0', got)) {
            ss_csv_error(errs, r.row + 1, 0, "the file holds NUL bytes: it is not a text "
                         "file; %s", SAVE_AS_UTF8);
            ok = false;
            goto done;
        }
    }
    if (ferror(f)) {
        ss_csv_error(errs, 0, 0, "cannot read the file");
        ok = false;
        goto done;
    }
    if (!r.stop && csv_fini(&p, on_cell, on_row_end, &r) != 0) {
        ss_csv_error(errs, r.row + 1, (long)r.n + 1, "a quoted cell is never closed: a "
                     "quote mark (\") is missing at its end");
        ok = false;
    }
done:
    for (size_t i = 0; i < r.n; i++)
        free(r.cells[i]);
    free(r.cells);
    csv_free(&p);
    free(block);
    return ok && !r.stop;
}

/* ---- numbers -------------------------------------------------------------- */

/* A group separator at s: its length in bytes, or 0. */
static size_t group_sep(const char *s, char delim)
{
    if (*s == (delim == ';' ? '.' : ','))
        return 1;
    if (*s == ' ')
        return 1;
    if ((unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0)
        return 2;
    if ((unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 &&
        (unsigned char)s[2] == 0xAF)
        return 3;
    return 0;
}

const char *ss_csv_count(const char *cell, char delim, uint64_t *out)
{
    const char *s = cell;
    char decimal = delim == ';' ? ',' : '.';
    if (*s == '-' || *s == '(' || !strncmp(s, "\xE2\x88\x92", 3))
        return "a figure cannot be negative; write a count, 0 or more";
    if (*s == '+')
        return "write the number without a '+' sign";
    size_t n = strlen(s);
    if (n && s[n - 1] == '%')
        return "write the number without '%' (19, not 19%)";
    if (strchr(s, 'e') || strchr(s, 'E'))
        if (s[0] >= '0' && s[0] <= '9')
            return "the number is in scientific notation; format the column as a number "
                   "with no decimals, save again, or type the number in full";
    uint64_t v = 0;
    size_t digits = 0, group = 0, groups = 0, first_group = 0;
    const char *sep = NULL; /* the first separator seen, to refuse mixed ones */
    size_t seplen = 0;
    for (const char *p = s; *p;) {
        if (*p >= '0' && *p <= '9') {
            if (v > SS_FIGURE_MAX)
                return "the number is too large: the largest figure is 999,999,999,999";
            v = v * 10 + (uint64_t)(*p - '0');
            digits++;
            group++;
            p++;
            continue;
        }
        if (*p == decimal) {
            /* Twice: not decimals but thousands separators of the other
             * dialect (Calc's "#,##0" saved as semicolon CSV). */
            if (strchr(p + 1, decimal)) {
                if (delim == ';')
                    return "the number has ',' as thousands separators, but in a "
                           "semicolon-separated file ',' is the decimal comma; write digits "
                           "only, such as 1333000, or format the column as a number without "
                           "thousands separators and save again";
                return "the number has '.' as thousands separators, but in a "
                       "comma-separated file '.' is the decimal point; write digits "
                       "only, such as 1333000, or format the column as a number without "
                       "thousands separators and save again";
            }
            if (delim == ';')
                return "the number has decimals: in a semicolon-separated file ',' is "
                       "the decimal comma; write a whole number";
            return "the number has decimals: in a comma-separated file '.' is the "
                   "decimal point; write a whole number";
        }
        size_t k = group_sep(p, delim);
        if (!k)
            return "this is not a number; write a whole number such as 1333 (0 if none)";
        if (sep && (k != seplen || memcmp(sep, p, k)))
            return "the number mixes two kinds of thousands separators; write digits "
                   "only, such as 1333";
        sep = p, seplen = k;
        if (groups == 0)
            first_group = group;
        else if (group != 3)
            return "the thousands separators are not in groups of three (as in 1,333,000); "
                   "write digits only, such as 1333";
        groups++;
        group = 0;
        p += k;
    }
    if (digits == 0)
        return "this is not a number; write a whole number such as 1333 (0 if none)";
    if (groups > 0 && (first_group < 1 || first_group > 3 || group != 3))
        return "the thousands separators are not in groups of three (as in 1,333,000); "
               "write digits only, such as 1333";
    if (v > SS_FIGURE_MAX)
        return "the number is too large: the largest figure is 999,999,999,999";
    *out = v;
    return NULL;
}

/* ---- writing -------------------------------------------------------------- */

void ss_csv_put(FILE *f, const char *cell, char delim)
{
    size_t n = strlen(cell);
    bool quote = n && (cell[0] == ' ' || cell[n - 1] == ' ');
    for (const char *p = cell; *p && !quote; p++)
        quote = *p == delim || *p == '"' || *p == '\n' || *p == '\r';
    if (!quote) {
        fputs(cell, f);
        return;
    }
    putc('"', f);
    for (const char *p = cell; *p; p++) {
        if (*p == '"')
            putc('"', f);
        putc(*p, f);
    }
    putc('"', f);
}
