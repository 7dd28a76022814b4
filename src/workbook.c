/* workbook.c - .xlsx and .ods read as rows of cells (workbook.h).
 *
 * Our own code over libzip and libxml2's xmlTextReader: no Debian library
 * reads both formats as a stream of typed cells (the C readers there build
 * the whole sheet in memory), and what we need of each format is small.
 */
#include "workbook.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/xmlreader.h>
#include <zip.h>

#include "records.h"
#include "util.h"
#include "version.h"
#include "workbook_dl.h"
#include "xmlsafe.h"

/* The libzip functions this file calls, opened at the first workbook. */
#define ZIP_FUNCTIONS(F)                                                                     \
    F(, zip_source_buffer_create) F(, zip_source_free) F(, zip_open_from_source)               \
    F(, zip_get_num_entries) F(, zip_name_locate) F(, zip_stat_index) F(, zip_fopen)           \
    F(, zip_fopen_index) F(, zip_fread) F(, zip_fclose) F(, zip_discard) F(, zip_error_init)   \
    F(, zip_error_fini)
static struct {
    ZIP_FUNCTIONS(SS_DL_FIELD)
} libzip;
static const char *const libzip_names[] = {ZIP_FUNCTIONS(SS_DL_NAME)};
static const ss_dl_library LIBZIP = {SS_LIBZIP_SONAME, SS_LIBZIP_PACKAGE, libzip_names,
                                     sizeof libzip_names / sizeof *libzip_names};

ss_form ss_form_of(const unsigned char *h, size_t n)
{
    if (n >= 4 && !memcmp(h, "PK\3\4", 4))
        return SS_FORM_ZIP;
    if (n >= 4 && !memcmp(h, "\xD0\xCF\x11\xE0", 4))
        return SS_FORM_OLE2;
    /* An XML file saved as UTF-16, so that the loader says so. */
    if (n >= 4 && (!memcmp(h, "\xFF\xFE<\0", 4) || !memcmp(h, "\xFE\xFF\0<", 4)))
        return SS_FORM_XML;
    size_t i = n >= 3 && !memcmp(h, "\xEF\xBB\xBF", 3) ? 3 : 0;
    while (i < n && (h[i] == ' ' || h[i] == '\t' || h[i] == '\r' || h[i] == '\n'))
        i++;
    return i < n && h[i] == '<' ? SS_FORM_XML : SS_FORM_TEXT;
}

/* Enough bytes to see past a byte-order mark and a few blank lines. */
#define SNIFF_BYTES 64

ss_form ss_form_of_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return SS_FORM_TEXT;
    unsigned char h[SNIFF_BYTES];
    size_t n = fread(h, 1, sizeof h, f);
    fclose(f);
    return ss_form_of(h, n);
}

char *ss_workbook_slurp(FILE *f, size_t max, size_t *len)
{
    ss_buf b;
    ss_buf_init(&b);
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + got > max) {
            ss_buf_free(&b);
            errno = EFBIG;
            return NULL;
        }
        ss_buf_add(&b, chunk, got);
    }
    if (ferror(f)) {
        int e = errno;
        ss_buf_free(&b);
        errno = e ? e : EIO;
        return NULL;
    }
    *len = b.len;
    return ss_buf_steal(&b);
}

/* The UTF-16LE name of the stream an encrypted OOXML file keeps its
 * workbook in (MS-OFFCRYPTO). */
static const char ENCRYPTED_PACKAGE[] = "E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0";

const char *ss_workbook_ole2_words(const void *data, size_t len)
{
    const char *p = data, *end = p + len;
    size_t k = sizeof ENCRYPTED_PACKAGE - 1;
    for (; p + k <= end; p++)
        if (*p == 'E' && !memcmp(p, ENCRYPTED_PACKAGE, k))
            return "the workbook is protected by a password, so statesheet cannot read it; "
                   "open it, remove the password (in Excel: File > Info > Protect Workbook "
                   "> Encrypt with Password, empty it) and save it as .xlsx";
    return "this is an old Excel 97-2003 workbook (.xls), which statesheet does not read; "
           "open it and save it as an Excel Workbook (.xlsx) or an OpenDocument "
           "Spreadsheet (.ods)";
}

/* ---- numbers -------------------------------------------------------------- */

/* A number as Excel and Calc write it, "-12.5E+3", made plain: "12500" when
 * it is whole, else as it was.  Returns false when it is not a number. */
static bool plain_number(const char *s, ss_buf *out)
{
    const char *p = s;
    bool neg = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    char digits[64];
    size_t nd = 0, nint = 0;
    bool dot = false;
    for (; (*p >= '0' && *p <= '9') || *p == '.'; p++) {
        if (*p == '.') {
            if (dot)
                return false;
            dot = true;
            continue;
        }
        if (nd == sizeof digits)
            return false;
        digits[nd++] = *p;
        if (!dot)
            nint++;
    }
    if (nd == 0)
        return false;
    long exp = 0;
    if (*p == 'e' || *p == 'E') {
        char *end;
        exp = strtol(p + 1, &end, 10);
        if (end == p + 1 || exp > 40 || exp < -40)
            return false;
        p = end;
    }
    if (*p)
        return false;
    /* The point moves by exp; whole when no non-zero digit is after it. */
    long point = (long)nint + exp;
    for (long i = point < 0 ? 0 : point; i < (long)nd; i++)
        if (digits[i] != '0') {
            ss_buf_adds(out, s);
            return true;
        }
    if (point <= 0) {
        ss_buf_adds(out, "0");
        return true;
    }
    if (neg)
        ss_buf_addc(out, '-');
    size_t start = 0;
    while (start + 1 < (size_t)point && start < nd && digits[start] == '0')
        start++;
    for (long i = (long)start; i < point; i++)
        ss_buf_addc(out, i < (long)nd ? digits[i] : '0');
    return true;
}

const char *ss_workbook_count(const char *cell, unsigned char kind, uint64_t *out)
{
    switch (kind) {
    case SS_CELL_NUMBER:
        break;
    case SS_CELL_PERCENT:
        return "the cell is formatted as a percentage; write the number itself (19 for "
               "19 %) in a cell formatted as a number";
    case SS_CELL_TEXT:
        return "the cell holds text, not a number; type the figure as a number (0 if none), "
               "with the cell formatted as a number, not as text";
    case SS_CELL_BOOL:
        return "the cell holds TRUE or FALSE, not a number; type the figure (0 if none)";
    case SS_CELL_DATE:
        return "the cell holds a date or a time, not a number; format the cell as a "
               "number and type the figure again";
    case SS_CELL_ERROR:
        return "the cell's formula gives an error; correct the formula or type the figure";
    case SS_CELL_NOVALUE:
        return "the cell's formula has no saved result; open the file in Excel or "
               "LibreOffice Calc and save it again, or type the figure";
    default:
        return "this is not a number; write a whole number such as 1333 (0 if none)";
    }
    if (*cell == '-')
        return "a figure cannot be negative; write a count, 0 or more";
    uint64_t v = 0;
    for (const char *p = cell; *p; p++) {
        if (*p < '0' || *p > '9')
            return "the number has decimals; write a whole number (a count of cases)";
        if (v > SS_FIGURE_MAX)
            break;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (!*cell)
        return "this is not a number; write a whole number such as 1333 (0 if none)";
    if (v > SS_FIGURE_MAX)
        return "the number is too large: the largest figure is 999,999,999,999";
    *out = v;
    return NULL;
}

/* ---- the zip and its parts ------------------------------------------------ */

typedef struct book {
    zip_t *zip;
    ss_csv_errors *errs;
    uint64_t unpacked; /* bytes of XML read so far, against SS_WORKBOOK_MAX_XML */
    bool failed;       /* a problem was reported */
    ss_workbook_row_fn fn;
    void *ctx;
    bool stopped; /* fn returned false */
    /* .xlsx */
    char **strings;
    size_t nstrings, scap;
    unsigned char *date_style; /* per cell style: its number format is a date */
    size_t nstyles;
    /* the row being read */
    char **cells;
    unsigned char *kinds;
    size_t ncells, ccap;
    long row;
    uint64_t text; /* bytes of cell text handed on, against SS_WORKBOOK_MAX_TEXT */
    size_t row_text; /* the same in the row being read */
} book;

static void book_error(book *b, long row, long col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void book_error(book *b, long row, long col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ss_csv_verror(b->errs, row, col, fmt, ap);
    va_end(ap);
    b->failed = true;
}

#define DAMAGED "the workbook is damaged or incomplete; open it in Excel or LibreOffice " \
                "Calc, save it again and retry"

typedef struct part_in {
    book *b;
    zip_file_t *zf;
    bool over;
} part_in;

static int part_read(void *ctx, char *buf, int len)
{
    part_in *in = ctx;
    zip_int64_t got = libzip.zip_fread(in->zf, buf, (zip_uint64_t)len);
    if (got < 0)
        return -1;
    in->b->unpacked += (uint64_t)got;
    if (in->b->unpacked > SS_WORKBOOK_MAX_XML) {
        in->over = true;
        return -1;
    }
    return (int)got;
}

/* libxml2's own words stay unprinted: a damaged part is reported once,
 * in the user's words, where the reader stops. */
static void quiet(void *ctx, ss_xml_error e)
{
    (void)ctx;
    (void)e;
}

static int part_close(void *ctx)
{
    (void)ctx;
    return 0;
}

static bool has_entry(book *b, const char *name)
{
    return libzip.zip_name_locate(b->zip, name, 0) >= 0;
}

/* A streaming reader over the zip entry 'name', or NULL (and false in
 * *present when the entry is not there; reported otherwise). */
static xmlTextReaderPtr part_open(book *b, const char *name, part_in *in, bool *present)
{
    *present = false;
    memset(in, 0, sizeof *in);
    in->b = b;
    zip_stat_t st;
    zip_int64_t idx = libzip.zip_name_locate(b->zip, name, 0);
    if (idx < 0)
        return NULL;
    *present = true;
    if (libzip.zip_stat_index(b->zip, (zip_uint64_t)idx, 0, &st) != 0) {
        book_error(b, 0, 0, DAMAGED);
        return NULL;
    }
    if ((st.valid & ZIP_STAT_SIZE) && st.size > SS_WORKBOOK_MAX_XML - b->unpacked) {
        book_error(b, 0, 0, "the workbook unpacks to more than %u MB, the most statesheet "
                   "reads; keep the figures in a workbook of their own",
                   SS_WORKBOOK_MAX_XML / (1024u * 1024u));
        return NULL;
    }
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
        book_error(b, 0, 0, "the workbook is protected by a password; save it without one");
        return NULL;
    }
    in->zf = libzip.zip_fopen_index(b->zip, (zip_uint64_t)idx, 0);
    if (!in->zf) {
        book_error(b, 0, 0, DAMAGED);
        return NULL;
    }
    ss_xml_lockdown();
    xmlTextReaderPtr r = xmlReaderForIO(part_read, part_close, in, name, NULL,
                                        XML_PARSE_NONET | XML_PARSE_NOBLANKS);
    if (!r) {
        libzip.zip_fclose(in->zf);
        in->zf = NULL;
        book_error(b, 0, 0, DAMAGED);
        return NULL;
    }
    xmlTextReaderSetStructuredErrorHandler(r, quiet, NULL);
    return r;
}

/* Reports why a reader stopped: damaged XML, the size limit, a DOCTYPE. */
static void part_close_all(book *b, xmlTextReaderPtr r, part_in *in, int last)
{
    if (last < 0 && !b->failed) {
        if (in->over)
            book_error(b, 0, 0, "the workbook unpacks to more than %u MB, the most "
                       "statesheet reads; keep the figures in a workbook of their own",
                       SS_WORKBOOK_MAX_XML / (1024u * 1024u));
        else
            book_error(b, 0, 0, DAMAGED);
    }
    if (r)
        xmlFreeTextReader(r);
    if (in->zf)
        libzip.zip_fclose(in->zf);
    in->zf = NULL;
}

/* The next node; -1 on an error, 0 at the end.  A DOCTYPE is refused:
 * no workbook part has one. */
static int next_node(book *b, xmlTextReaderPtr r)
{
    int k = xmlTextReaderRead(r);
    if (k == 1 && xmlTextReaderNodeType(r) == XML_READER_TYPE_DOCUMENT_TYPE) {
        book_error(b, 0, 0, DAMAGED);
        return -1;
    }
    return k;
}

static const char *lname(xmlTextReaderPtr r)
{
    const xmlChar *n = xmlTextReaderConstLocalName(r);
    return n ? (const char *)n : "";
}

static char *attr(xmlTextReaderPtr r, const char *name)
{
    return (char *)xmlTextReaderGetAttribute(r, (const xmlChar *)name);
}

/* The attribute with this local name in any namespace (ODS's table:, office:). */
static char *attr_ns(xmlTextReaderPtr r, const char *local)
{
    char *v = NULL;
    if (xmlTextReaderMoveToFirstAttribute(r) == 1) {
        do {
            if (!strcmp(lname(r), local)) {
                v = (char *)xmlTextReaderValue(r);
                break;
            }
        } while (xmlTextReaderMoveToNextAttribute(r) == 1);
        xmlTextReaderMoveToElement(r);
    }
    return v;
}

static bool is_element(xmlTextReaderPtr r, const char *name)
{
    return xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT && !strcmp(lname(r), name);
}

static bool is_end(xmlTextReaderPtr r, const char *name)
{
    return xmlTextReaderNodeType(r) == XML_READER_TYPE_END_ELEMENT && !strcmp(lname(r), name);
}

static bool is_text(xmlTextReaderPtr r)
{
    int t = xmlTextReaderNodeType(r);
    return t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA ||
           t == XML_READER_TYPE_SIGNIFICANT_WHITESPACE || t == XML_READER_TYPE_WHITESPACE;
}

static void add_text(ss_buf *to, xmlTextReaderPtr r)
{
    const xmlChar *v = xmlTextReaderConstValue(r);
    if (v && to->len < 4 * SS_WORKBOOK_MAX_CELL)
        ss_buf_adds(to, (const char *)v);
}

/* ---- rows ----------------------------------------------------------------- */

static void row_reset(book *b)
{
    b->row_text = 0;
    for (size_t i = 0; i < b->ncells; i++)
        free(b->cells[i]);
    b->ncells = 0;
}

/* Puts text (trimmed) and kind at column col (1-based). */
static void row_set(book *b, long col, const char *text, unsigned char kind)
{
    size_t i = (size_t)col - 1;
    if (i >= b->ncells) {
        b->cells = ss_xgrow(b->cells, sizeof *b->cells, i + 1, &b->ccap);
        size_t kcap = b->ccap;
        b->kinds = ss_xrealloc(b->kinds, kcap);
        for (size_t k = b->ncells; k <= i; k++) {
            b->cells[k] = ss_xstrdup("");
            b->kinds[k] = SS_CELL_EMPTY;
        }
        b->ncells = i + 1;
    }
    free(b->cells[i]);
    b->cells[i] = ss_trim_dup(text);
    b->kinds[i] = kind;
}

static void row_emit(book *b, long row)
{
    if (b->ncells && !b->stopped && !b->failed)
        if (!b->fn(b->ctx, row, b->cells, b->kinds, b->ncells))
            b->stopped = true;
    row_reset(b);
}

/* A cell's value: its length checked, a number made plain. */
static void cell_put(book *b, long row, long col, const char *text, unsigned char kind)
{
    if ((kind == SS_CELL_EMPTY && !*text) || b->failed)
        return;
    if (col > SS_WORKBOOK_MAX_COLS) {
        book_error(b, row, 0, "the row has cells beyond column %ld, the most statesheet "
                   "reads; delete the cells to the right of the table", SS_WORKBOOK_MAX_COLS);
        return;
    }
    b->text += strlen(text) + 1;
    b->row_text += strlen(text) + 1;
    if (b->row_text > SS_WORKBOOK_MAX_ROW_TEXT) {
        book_error(b, row, 0, "the row holds more than %u KB of text; a row holds one "
                   "state's code, names and figures", SS_WORKBOOK_MAX_ROW_TEXT / 1024u);
        return;
    }
    if (b->text > SS_WORKBOOK_MAX_TEXT) {
        book_error(b, row, 0, "the sheet holds more than %u MB of text, the most "
                   "statesheet reads; keep the figures in a sheet of their own",
                   SS_WORKBOOK_MAX_TEXT / (1024u * 1024u));
        return;
    }
    if (ss_utf8_length(text) > SS_WORKBOOK_MAX_CELL) {
        book_error(b, row, col, "the cell holds more than %d characters; a cell holds a "
                   "figure, a code or a name", SS_WORKBOOK_MAX_CELL);
        return;
    }
    if (kind == SS_CELL_NUMBER) {
        ss_buf n;
        ss_buf_init(&n);
        if (!plain_number(text, &n))
            kind = SS_CELL_TEXT;
        else
            text = n.data;
        row_set(b, col, text, kind);
        ss_buf_free(&n);
        return;
    }
    row_set(b, col, text, kind);
}

/* ---- .xlsx ---------------------------------------------------------------- */

/* Excel's built-in number formats that show dates and times (ECMA-376
 * 18.8.30, and the East Asian ones). */
static bool builtin_date(long id)
{
    return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
           (id >= 50 && id <= 58);
}

/* A format code shows a date or time when it has d, m, y, h or s outside
 * quotes, escapes and [colour] brackets. */
static bool code_is_date(const char *c)
{
    for (const char *p = c; *p; p++) {
        if (*p == '"') {
            const char *q = strchr(p + 1, '"');
            if (!q)
                return false;
            p = q;
        } else if (*p == '\\' || *p == '_' || *p == '*') {
            if (p[1])
                p++;
        } else if (*p == '[') {
            if (strchr("hHmMsS", p[1]))
                return true; /* [h]:mm, elapsed time */
            const char *q = strchr(p, ']');
            if (!q)
                return false;
            p = q;
        } else if (strchr("dDmMyYhHsS", *p)) {
            return true;
        }
    }
    return false;
}

typedef struct fmt {
    long id;
    bool date;
} fmt;

static void read_styles(book *b)
{
    part_in in;
    bool present;
    xmlTextReaderPtr r = part_open(b, "xl/styles.xml", &in, &present);
    if (!r)
        return;
    fmt *f = NULL;
    size_t nf = 0, fcap = 0, scap = 0;
    bool in_xfs = false;
    int k;
    while ((k = next_node(b, r)) == 1) {
        if (is_element(r, "numFmt")) {
            char *id = attr(r, "numFmtId"), *code = attr(r, "formatCode");
            f = ss_xgrow(f, sizeof *f, nf + 1, &fcap);
            f[nf++] = (fmt){id ? atol(id) : -1, code && code_is_date(code)};
            xmlFree(id);
            xmlFree(code);
        } else if (is_element(r, "cellXfs")) {
            in_xfs = !xmlTextReaderIsEmptyElement(r);
        } else if (is_end(r, "cellXfs")) {
            in_xfs = false;
        } else if (in_xfs && is_element(r, "xf")) {
            char *id = attr(r, "numFmtId");
            long n = id ? atol(id) : 0;
            xmlFree(id);
            bool date = builtin_date(n);
            for (size_t i = 0; i < nf; i++)
                if (f[i].id == n)
                    date = f[i].date;
            if (b->nstyles < (size_t)SS_WORKBOOK_MAX_COLS * 4) {
                b->date_style = ss_xgrow(b->date_style, 1, b->nstyles + 1, &scap);
                b->date_style[b->nstyles++] = date;
            }
        }
    }
    free(f);
    part_close_all(b, r, &in, k);
}

static void read_strings(book *b)
{
    part_in in;
    bool present;
    xmlTextReaderPtr r = part_open(b, "xl/sharedStrings.xml", &in, &present);
    if (!r)
        return;
    ss_buf s;
    ss_buf_init(&s);
    bool in_si = false, in_t = false;
    int rph = 0;
    int k;
    while ((k = next_node(b, r)) == 1) {
        if (is_element(r, "si")) {
            in_si = true;
            ss_buf_clear(&s);
            if (xmlTextReaderIsEmptyElement(r))
                goto end_si;
        } else if (is_end(r, "si")) {
        end_si:
            if (b->nstrings >= (size_t)SS_WORKBOOK_MAX_STRINGS) {
                book_error(b, 0, 0, "the workbook holds more than %ld different texts, "
                           "the most statesheet reads", SS_WORKBOOK_MAX_STRINGS);
                k = 0;
                break;
            }
            b->strings = ss_xgrow(b->strings, sizeof *b->strings, b->nstrings + 1, &b->scap);
            b->strings[b->nstrings++] = ss_xstrdup(s.data ? s.data : "");
            in_si = false;
        } else if (is_element(r, "rPh")) {
            rph += !xmlTextReaderIsEmptyElement(r); /* phonetic guides, not text */
        } else if (is_end(r, "rPh")) {
            rph--;
        } else if (is_element(r, "t")) {
            in_t = !xmlTextReaderIsEmptyElement(r);
        } else if (is_end(r, "t")) {
            in_t = false;
        } else if (in_si && in_t && !rph && is_text(r)) {
            add_text(&s, r);
        }
    }
    ss_buf_free(&s);
    part_close_all(b, r, &in, k);
}

/* "P3" -> column 16; 0 when it is not a cell reference. */
static long ref_column(const char *ref)
{
    long col = 0;
    const char *p = ref;
    for (; *p >= 'A' && *p <= 'Z'; p++) {
        col = col * 26 + (*p - 'A' + 1);
        if (col > SS_WORKBOOK_MAX_COLS + 1)
            return SS_WORKBOOK_MAX_COLS + 1;
    }
    return p > ref && *p >= '1' && *p <= '9' ? col : 0;
}

/* The part of the first visible sheet: workbook.xml lists the sheets in
 * order with their relationship ids, the relationships their parts. */
static char *xlsx_first_sheet(book *b)
{
    part_in in;
    bool present;
    xmlTextReaderPtr r = part_open(b, "xl/workbook.xml", &in, &present);
    if (!r) {
        if (!present && !b->failed)
            book_error(b, 0, 0, DAMAGED);
        return NULL;
    }
    char *rid = NULL;
    int k;
    while ((k = next_node(b, r)) == 1 && !rid) {
        if (!is_element(r, "sheet"))
            continue;
        char *state = attr(r, "state");
        if (!state || !strcmp(state, "visible"))
            rid = attr_ns(r, "id");
        xmlFree(state);
    }
    part_close_all(b, r, &in, k < 0 ? k : 0);
    if (!rid) {
        if (!b->failed)
            book_error(b, 0, 0, "the workbook has no visible sheet; show the sheet with "
                       "the figures (Format > Sheet > Show) and save it again");
        return NULL;
    }
    char *target = NULL;
    r = part_open(b, "xl/_rels/workbook.xml.rels", &in, &present);
    while (r && (k = next_node(b, r)) == 1 && !target) {
        if (!is_element(r, "Relationship"))
            continue;
        char *id = attr(r, "Id");
        if (id && !strcmp(id, rid))
            target = attr(r, "Target");
        xmlFree(id);
    }
    if (r)
        part_close_all(b, r, &in, k < 0 ? k : 0);
    xmlFree(rid);
    if (!target) {
        if (!b->failed)
            book_error(b, 0, 0, DAMAGED);
        return NULL;
    }
    /* Relative to xl/, or absolute in the package. */
    char *path = target[0] == '/' ? ss_xstrdup(target + 1) : ss_xasprintf("xl/%s", target);
    xmlFree(target);
    return path;
}

static void xlsx_sheet(book *b, const char *name)
{
    part_in in;
    bool present;
    xmlTextReaderPtr r = part_open(b, name, &in, &present);
    if (!r) {
        if (!present && !b->failed)
            book_error(b, 0, 0, DAMAGED);
        return;
    }
    ss_buf v, is, f;
    ss_buf_init(&v);
    ss_buf_init(&is);
    ss_buf_init(&f);
    long row = 0, col = 0, cell_row = 0;
    char *type = NULL;
    long style = 0;
    bool in_row = false, in_c = false, in_v = false, in_is = false, in_t = false,
         in_f = false, formula = false, has_v = false;
    int rph = 0, k;
    while (!b->stopped && !b->failed && (k = next_node(b, r)) == 1) {
        if (is_element(r, "row")) {
            char *rn = attr(r, "r");
            long n = rn ? atol(rn) : row + 1;
            xmlFree(rn);
            if (n <= row || n > SS_WORKBOOK_MAX_ROWS) {
                book_error(b, n > row ? n : row + 1, 0, DAMAGED);
                break;
            }
            row = n;
            col = 0;
            in_row = !xmlTextReaderIsEmptyElement(r);
            if (!in_row)
                row_emit(b, row);
        } else if (is_end(r, "row")) {
            row_emit(b, row);
            in_row = false;
        } else if (in_row && is_element(r, "c")) {
            char *ref = attr(r, "r"), *s = attr(r, "s");
            long c = ref ? ref_column(ref) : col + 1;
            xmlFree(ref);
            style = s ? atol(s) : 0;
            xmlFree(s);
            if (c <= col) {
                book_error(b, row, 0, DAMAGED);
                break;
            }
            col = c;
            cell_row = row;
            xmlFree(type);
            type = attr(r, "t");
            ss_buf_clear(&v);
            ss_buf_clear(&is);
            ss_buf_clear(&f);
            ss_buf_addc(&f, '=');
            formula = has_v = false;
            in_c = !xmlTextReaderIsEmptyElement(r);
            if (!in_c)
                goto end_c;
        } else if (in_c && is_end(r, "c")) {
        end_c:
            in_c = false;
            const char *t = type ? type : "n";
            const char *text = v.data ? v.data : "";
            unsigned char kind;
            if ((!has_v || !*text) && strcmp(t, "inlineStr")) {
                /* A formula never calculated (openpyxl writes them so): its
                 * text, so that the cell is not taken as empty. */
                kind = formula ? SS_CELL_NOVALUE : SS_CELL_EMPTY;
                if (formula)
                    text = f.data;
            } else if (!strcmp(t, "s")) {
                char *end;
                long i = strtol(text, &end, 10);
                if (*end || i < 0 || (size_t)i >= b->nstrings) {
                    book_error(b, cell_row, col, DAMAGED);
                    break;
                }
                text = b->strings[i];
                kind = SS_CELL_TEXT;
            } else if (!strcmp(t, "inlineStr")) {
                text = is.data ? is.data : "";
                kind = SS_CELL_TEXT;
            } else if (!strcmp(t, "str")) {
                kind = SS_CELL_TEXT;
            } else if (!strcmp(t, "b")) {
                text = !strcmp(text, "1") ? "true" : "false";
                kind = SS_CELL_BOOL;
            } else if (!strcmp(t, "e")) {
                kind = SS_CELL_ERROR;
            } else if (!strcmp(t, "d")) {
                kind = SS_CELL_DATE;
            } else {
                kind = style >= 0 && (size_t)style < b->nstyles && b->date_style[style]
                           ? SS_CELL_DATE
                           : SS_CELL_NUMBER;
            }
            cell_put(b, cell_row, col, text, kind);
        } else if (in_c && is_element(r, "f")) {
            formula = true;
            in_f = !xmlTextReaderIsEmptyElement(r);
        } else if (is_end(r, "f")) {
            in_f = false;
        } else if (in_c && is_element(r, "v")) {
            in_v = !xmlTextReaderIsEmptyElement(r);
            has_v = true;
        } else if (is_end(r, "v")) {
            in_v = false;
        } else if (in_c && is_element(r, "is")) {
            in_is = !xmlTextReaderIsEmptyElement(r);
        } else if (is_end(r, "is")) {
            in_is = false;
        } else if (in_is && is_element(r, "rPh")) {
            rph += !xmlTextReaderIsEmptyElement(r);
        } else if (in_is && is_end(r, "rPh")) {
            rph--;
        } else if (in_is && is_element(r, "t")) {
            in_t = !xmlTextReaderIsEmptyElement(r);
        } else if (is_end(r, "t")) {
            in_t = false;
        } else if (is_text(r)) {
            if (in_v)
                add_text(&v, r);
            else if (in_f)
                add_text(&f, r);
            else if (in_is && in_t && !rph)
                add_text(&is, r);
        } else if (is_end(r, "sheetData")) {
            k = 0;
            break;
        }
    }
    xmlFree(type);
    ss_buf_free(&v);
    ss_buf_free(&is);
    ss_buf_free(&f);
    row_reset(b);
    part_close_all(b, r, &in, b->stopped ? 0 : k);
}

static void read_xlsx(book *b)
{
    if (has_entry(b, "xl/vbaProject.bin")) {
        book_error(b, 0, 0, "the workbook holds macros (.xlsm), which statesheet does not "
                   "open; save a copy as an Excel Workbook (.xlsx) and give that one");
        return;
    }
    if (has_entry(b, "xl/workbook.bin")) {
        book_error(b, 0, 0, "this is a binary Excel workbook (.xlsb), which statesheet "
                   "does not read; save it as an Excel Workbook (.xlsx)");
        return;
    }
    if (!has_entry(b, "xl/workbook.xml")) {
        const char *what = has_entry(b, "word/document.xml")  ? "a Word document"
                           : has_entry(b, "ppt/presentation.xml") ? "a PowerPoint file"
                                                                  : "not a spreadsheet";
        book_error(b, 0, 0, "this file is %s; give the workbook (.xlsx or .ods) with the "
                   "figures, or the data file (.xml)", what);
        return;
    }
    read_styles(b);
    read_strings(b);
    char *sheet = b->failed ? NULL : xlsx_first_sheet(b);
    if (sheet)
        xlsx_sheet(b, sheet);
    free(sheet);
}

/* ---- .ods ----------------------------------------------------------------- */

#define ODS_MIME "application/vnd.oasis.opendocument.spreadsheet"

/* The names of table styles that hide a sheet (table:display="false"). */
typedef struct names {
    char **v;
    size_t n, cap;
} names;

static bool names_has(const names *L, const char *s)
{
    for (size_t i = 0; s && i < L->n; i++)
        if (!strcmp(L->v[i], s))
            return true;
    return false;
}

static void names_free(names *L)
{
    for (size_t i = 0; i < L->n; i++)
        free(L->v[i]);
    free(L->v);
}

static long count_attr(xmlTextReaderPtr r, const char *local)
{
    char *s = attr_ns(r, local);
    long n = s ? atol(s) : 1;
    xmlFree(s);
    return n < 1 ? 1 : n;
}

static unsigned char ods_kind(const char *type, const char *calc_type)
{
    if (calc_type && !strcmp(calc_type, "error"))
        return SS_CELL_ERROR;
    if (!type)
        return SS_CELL_EMPTY;
    if (!strcmp(type, "float") || !strcmp(type, "currency"))
        return SS_CELL_NUMBER;
    if (!strcmp(type, "percentage"))
        return SS_CELL_PERCENT;
    if (!strcmp(type, "date") || !strcmp(type, "time"))
        return SS_CELL_DATE;
    if (!strcmp(type, "boolean"))
        return SS_CELL_BOOL;
    return SS_CELL_TEXT;
}

static void ods_sheet(book *b)
{
    part_in in;
    bool present;
    xmlTextReaderPtr r = part_open(b, "content.xml", &in, &present);
    if (!r) {
        if (!present && !b->failed)
            book_error(b, 0, 0, DAMAGED);
        return;
    }
    names hidden = {0};
    char *style = NULL; /* the table style being read */
    ss_buf text, val;
    ss_buf_init(&text);
    ss_buf_init(&val);
    bool found = false, in_table = false, in_cell = false, in_p = false, done = false;
    int skip = 0; /* depth inside an annotation */
    long row = 0, col = 0, rows_rep = 1, cols_rep = 1, paras = 0;
    unsigned char kind = SS_CELL_EMPTY;
    int k;
    while (!b->stopped && !done && (k = next_node(b, r)) == 1) {
        if (!found) {
            if (is_element(r, "style")) {
                free(style);
                char *fam = attr_ns(r, "family"), *n = attr_ns(r, "name");
                style = fam && !strcmp(fam, "table") && n ? ss_xstrdup(n) : NULL;
                xmlFree(fam);
                xmlFree(n);
            } else if (style && is_element(r, "table-properties")) {
                char *d = attr_ns(r, "display");
                if (d && !strcmp(d, "false")) {
                    hidden.v = ss_xgrow(hidden.v, sizeof *hidden.v, hidden.n + 1, &hidden.cap);
                    hidden.v[hidden.n++] = ss_xstrdup(style);
                }
                xmlFree(d);
            } else if (is_element(r, "table")) {
                char *s = attr_ns(r, "style-name");
                found = !names_has(&hidden, s);
                xmlFree(s);
                in_table = found && !xmlTextReaderIsEmptyElement(r);
                done = found && !in_table;
            }
            continue;
        }
        if (skip) {
            if (xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT &&
                !xmlTextReaderIsEmptyElement(r))
                skip++;
            else if (xmlTextReaderNodeType(r) == XML_READER_TYPE_END_ELEMENT)
                skip--;
            continue;
        }
        if (is_element(r, "annotation")) {
            skip = !xmlTextReaderIsEmptyElement(r);
        } else if (is_element(r, "table-row")) {
            rows_rep = count_attr(r, "number-rows-repeated");
            col = 0;
            if (xmlTextReaderIsEmptyElement(r))
                row += rows_rep;
        } else if (is_end(r, "table-row")) {
            if (b->ncells) {
                if (row + rows_rep > SS_WORKBOOK_MAX_ROWS) {
                    book_error(b, row + 1, 0, "the sheet has more than %ld rows, the most "
                               "statesheet reads", SS_WORKBOOK_MAX_ROWS);
                    break;
                }
                /* A row with something in it, repeated: each copy is a row,
                 * and its text counts each time. */
                uint64_t bytes = 0;
                for (size_t c = 0; c < b->ncells; c++)
                    bytes += strlen(b->cells[c]) + 1;
                for (long i = 0; i < rows_rep && !b->stopped && !b->failed; i++) {
                    char **keep = NULL;
                    if (i > 0 && (b->text += bytes) > SS_WORKBOOK_MAX_TEXT) {
                        book_error(b, row + i + 1, 0, "the sheet holds more than %u MB of "
                                   "text, the most statesheet reads; keep the figures in a "
                                   "sheet of their own", SS_WORKBOOK_MAX_TEXT / (1024u * 1024u));
                        break;
                    }
                    if (i + 1 < rows_rep) {
                        keep = ss_xcalloc(b->ncells, sizeof *keep);
                        for (size_t c = 0; c < b->ncells; c++)
                            keep[c] = ss_xstrdup(b->cells[c]);
                    }
                    size_t n = b->ncells;
                    row_emit(b, row + i + 1);
                    if (keep) {
                        for (size_t c = 0; c < n; c++)
                            row_set(b, (long)c + 1, keep[c], b->kinds[c]);
                        for (size_t c = 0; c < n; c++)
                            free(keep[c]);
                        free(keep);
                    }
                }
            }
            row += rows_rep;
            row_reset(b);
        } else if (is_element(r, "table-cell") || is_element(r, "covered-table-cell")) {
            cols_rep = count_attr(r, "number-columns-repeated");
            char *type = attr_ns(r, "value-type");
            char *calc = NULL;
            /* calcext:value-type="error" says a formula failed. */
            if (xmlTextReaderMoveToFirstAttribute(r) == 1) {
                do {
                    const xmlChar *p = xmlTextReaderConstPrefix(r);
                    if (p && !strcmp((const char *)p, "calcext") &&
                        !strcmp(lname(r), "value-type"))
                        calc = (char *)xmlTextReaderValue(r);
                } while (xmlTextReaderMoveToNextAttribute(r) == 1);
                xmlTextReaderMoveToElement(r);
            }
            kind = ods_kind(type, calc);
            ss_buf_clear(&val);
            ss_buf_clear(&text);
            paras = 0;
            char *v = NULL;
            if (kind == SS_CELL_NUMBER || kind == SS_CELL_PERCENT)
                v = attr_ns(r, "value");
            else if (kind == SS_CELL_BOOL)
                v = attr_ns(r, "boolean-value");
            else if (kind == SS_CELL_DATE)
                v = attr_ns(r, "date-value");
            if (v)
                ss_buf_adds(&val, v);
            xmlFree(v);
            xmlFree(type);
            xmlFree(calc);
            in_cell = !xmlTextReaderIsEmptyElement(r);
            if (!in_cell)
                goto end_cell;
        } else if (in_cell && (is_end(r, "table-cell") || is_end(r, "covered-table-cell"))) {
        end_cell:
            in_cell = false;
            const char *t = kind == SS_CELL_TEXT || kind == SS_CELL_ERROR || !val.data
                                ? (text.data ? text.data : "")
                                : val.data;
            if (kind == SS_CELL_BOOL)
                t = !strcmp(t, "true") ? "true" : "false";
            if (kind == SS_CELL_EMPTY && *t)
                kind = SS_CELL_TEXT;
            if (kind != SS_CELL_EMPTY || *t) {
                if (col + cols_rep > SS_WORKBOOK_MAX_COLS)
                    cols_rep = SS_WORKBOOK_MAX_COLS + 1 - col;
                for (long i = 0; i < cols_rep && !b->failed; i++)
                    cell_put(b, row + 1, col + i + 1, t, kind);
            }
            col += cols_rep;
            if (b->failed)
                break;
        } else if (in_cell && is_element(r, "p")) {
            if (paras++)
                ss_buf_addc(&text, '\n');
            in_p = !xmlTextReaderIsEmptyElement(r);
        } else if (is_end(r, "p")) {
            in_p = false;
        } else if (in_p && is_element(r, "s")) {
            for (long i = count_attr(r, "c"); i > 0 && text.len < SS_WORKBOOK_MAX_CELL; i--)
                ss_buf_addc(&text, ' ');
        } else if (in_p && is_element(r, "tab")) {
            ss_buf_addc(&text, '\t');
        } else if (in_p && is_element(r, "line-break")) {
            ss_buf_addc(&text, '\n');
        } else if (in_p && is_text(r)) {
            add_text(&text, r);
        } else if (in_table && is_end(r, "table")) {
            done = true;
        }
    }
    if (done)
        k = 0;
    if (!found && !b->failed && k >= 0)
        book_error(b, 0, 0, "the workbook has no visible sheet; show the sheet with the "
                   "figures (Sheet > Show Sheet) and save it again");
    free(style);
    names_free(&hidden);
    ss_buf_free(&text);
    ss_buf_free(&val);
    row_reset(b);
    part_close_all(b, r, &in, b->stopped ? 0 : k);
}

/* The mimetype entry of an OpenDocument file: "" when absent. */
static char *odf_mimetype(book *b)
{
    zip_file_t *zf = libzip.zip_fopen(b->zip, "mimetype", 0);
    char buf[128] = "";
    if (zf) {
        zip_int64_t n = libzip.zip_fread(zf, buf, sizeof buf - 1);
        buf[n > 0 ? n : 0] = '\0';
        libzip.zip_fclose(zf);
    }
    return ss_xstrdup(buf);
}

static void read_ods(book *b, const char *mime)
{
    if (!strncmp(mime, ODS_MIME, strlen(ODS_MIME)) && !mime[strlen(ODS_MIME)]) {
        ods_sheet(b);
        return;
    }
    if (!strcmp(mime, ODS_MIME "-template")) {
        book_error(b, 0, 0, "this is a spreadsheet template (.ots); save it as an "
                   "OpenDocument Spreadsheet (.ods)");
        return;
    }
    book_error(b, 0, 0, "this OpenDocument file is not a spreadsheet (%s); give the "
               "workbook (.ods or .xlsx) with the figures, or the data file (.xml)",
               strstr(mime, "text") ? "a text document" : mime);
}

bool ss_workbook_read(const void *data, size_t len, ss_workbook_row_fn fn, void *ctx,
                      ss_csv_errors *errs)
{
    book b;
    memset(&b, 0, sizeof b);
    b.errs = errs;
    b.fn = fn;
    b.ctx = ctx;
    ss_dl_require(&LIBZIP, &libzip, "reading .xlsx and .ods workbooks");
    zip_error_t ze;
    libzip.zip_error_init(&ze);
    zip_source_t *src = libzip.zip_source_buffer_create(data, len, 0, &ze);
    if (src)
        b.zip = libzip.zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    if (!b.zip) {
        if (src)
            libzip.zip_source_free(src);
        book_error(&b, 0, 0, "the file starts like a zip (an .xlsx or .ods workbook), but "
                   "it cannot be opened as one: %s", DAMAGED);
        goto done;
    }
    zip_int64_t n = libzip.zip_get_num_entries(b.zip, 0);
    if (n > SS_WORKBOOK_MAX_ENTRIES) {
        book_error(&b, 0, 0, "the zip holds more than %d files; a workbook holds a dozen, "
                   "so this is not one", SS_WORKBOOK_MAX_ENTRIES);
        goto done;
    }
    char *mime = odf_mimetype(&b);
    if (*mime)
        read_ods(&b, mime);
    else if (has_entry(&b, "[Content_Types].xml"))
        read_xlsx(&b);
    else
        book_error(&b, 0, 0, "this zip file is not a spreadsheet; give the workbook "
                   "(.xlsx or .ods) with the figures, or the data file (.xml)");
    free(mime);
done:
    if (b.zip)
        libzip.zip_discard(b.zip);
    libzip.zip_error_fini(&ze);
    for (size_t i = 0; i < b.nstrings; i++)
        free(b.strings[i]);
    free(b.strings);
    free(b.date_style);
    row_reset(&b);
    free(b.cells);
    free(b.kinds);
    return !b.failed && !b.stopped;
}
