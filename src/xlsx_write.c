/* xlsx_write.c - export's rows as an .xlsx workbook (xlsx_write.h). */
#include "xlsx_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <xlsxwriter.h>

#include "records.h"
#include "util.h"
#include "version.h"
#include "workbook_dl.h"

/* The libxlsxwriter functions this file calls, opened at the first export
 * to a workbook. */
#define XLSXWRITER_FUNCTIONS(F)                                                              \
    F(, workbook_new_opt) F(, workbook_add_worksheet) F(, workbook_add_format)                 \
    F(, workbook_close) F(, format_set_align) F(, format_set_bg_color) F(, format_set_bold)    \
    F(, format_set_italic) F(, format_set_text_wrap) F(, worksheet_data_validation_range)      \
    F(, worksheet_freeze_panes) F(, worksheet_set_column) F(, worksheet_set_row)               \
    F(, worksheet_write_number) F(, worksheet_write_string) F(, lxw_strerror)
static struct {
    XLSXWRITER_FUNCTIONS(SS_DL_FIELD)
} lxw;
static const char *const lxw_names[] = {XLSXWRITER_FUNCTIONS(SS_DL_NAME)};
static const ss_dl_library XLSXWRITER = {SS_XLSXWRITER_SONAME, SS_XLSXWRITER_PACKAGE, lxw_names,
                                         sizeof lxw_names / sizeof *lxw_names};

/* Column widths in characters, and the header row's height in points:
 * the headers are long ("cybertipline.reports - CyberTipline reports
 * received") and wrap over four lines. */
#define WIDTH_CODE 10
#define WIDTH_NAME 28
#define WIDTH_YEAR 7
#define WIDTH_FIGURE 16
#define HEADER_HEIGHT 78
#define NATIONAL_SHADE 0xE8E8E8
/* Excel's limits on a data validation's input title and message. */
#define INPUT_TITLE_MAX 32
#define INPUT_MESSAGE_MAX 255

struct ss_xlsx {
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *header, *national;
    lxw_row_t row; /* the row being written (0: the header) */
    bool in_national;
    bool failed;
    const char *path;
};

ss_xlsx *ss_xlsx_new(const char *path)
{
    ss_dl_require(&XLSXWRITER, &lxw, "writing .xlsx workbooks");
    lxw_workbook_options o = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
    lxw_workbook *wb = lxw.workbook_new_opt(path, &o);
    if (!wb) {
        fprintf(stderr, "%s: error: cannot make the workbook\n", path);
        return NULL;
    }
    ss_xlsx *x = ss_xcalloc(1, sizeof *x);
    x->wb = wb;
    x->path = path;
    x->ws = lxw.workbook_add_worksheet(wb, "figures");
    x->header = lxw.workbook_add_format(wb);
    lxw.format_set_bold(x->header);
    lxw.format_set_text_wrap(x->header);
    lxw.format_set_align(x->header, LXW_ALIGN_VERTICAL_TOP);
    x->national = lxw.workbook_add_format(wb);
    lxw.format_set_bg_color(x->national, NATIONAL_SHADE);
    lxw.format_set_italic(x->national);
    lxw.worksheet_freeze_panes(x->ws, 1, 0);
    lxw.worksheet_set_row(x->ws, 0, HEADER_HEIGHT, NULL);
    return x;
}

/* s cut to at most max bytes, at a character's start. */
static char *cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return ss_xstrdup(s);
    while (n > max || (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80))
        n--;
    return ss_xstrndup(s, n);
}

void ss_xlsx_column(ss_xlsx *x, size_t col, const char *header, ss_xlsx_col kind,
                    const char *what)
{
    lxw_col_t c = (lxw_col_t)col;
    const char *dash = strstr(header, " - ");
    if (!what)
        what = dash ? dash + 3 : header;
    double width = kind == SS_XLSX_NAME ? WIDTH_NAME : kind == SS_XLSX_YEAR ? WIDTH_YEAR
                   : kind == SS_XLSX_FIGURE ? WIDTH_FIGURE : WIDTH_CODE;
    lxw.worksheet_set_column(x->ws, c, c, width, NULL);
    lxw.worksheet_write_string(x->ws, 0, c, header, x->header);
    if (kind != SS_XLSX_FIGURE && kind != SS_XLSX_YEAR)
        return;
    /* The check covers the whole column below the header, rows added too. */
    lxw_data_validation v;
    memset(&v, 0, sizeof v);
    v.validate = LXW_VALIDATION_TYPE_INTEGER;
    v.criteria = LXW_VALIDATION_CRITERIA_BETWEEN;
    v.show_input = LXW_VALIDATION_ON;
    v.show_error = LXW_VALIDATION_ON;
    v.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;
    char *title, *msg;
    if (kind == SS_XLSX_YEAR) {
        v.minimum_number = SS_YEAR_MIN;
        v.maximum_number = SS_YEAR_MAX;
        title = ss_xstrdup("year");
        msg = ss_xstrdup("The year of the figures, four digits (the same in every row).");
    } else {
        v.minimum_number = 0;
        v.maximum_number = (double)SS_FIGURE_MAX;
        title = cut(header, INPUT_TITLE_MAX - 1);
        char *m = ss_xasprintf("%s. A whole number, 0 or more (0 if none).", what && *what
                               ? what : "A figure");
        msg = cut(m, INPUT_MESSAGE_MAX);
        free(m);
    }
    v.input_title = title;
    v.input_message = msg;
    v.error_title = "Not a whole number";
    v.error_message = kind == SS_XLSX_YEAR ? "Write the year in four digits, e.g. 2024."
                                           : "Write a whole number, 0 or more, with no "
                                             "decimals (0 if none).";
    if (lxw.worksheet_data_validation_range(x->ws, 1, c, LXW_ROW_MAX - 1, c, &v) != LXW_NO_ERROR)
        x->failed = true;
    free(title);
    free(msg);
}

void ss_xlsx_row(ss_xlsx *x, bool national)
{
    x->row += x->in_national ? 2 : 1; /* an empty row after the national one */
    x->in_national = national;
}

void ss_xlsx_text(ss_xlsx *x, size_t col, const char *s)
{
    if (lxw.worksheet_write_string(x->ws, x->row, (lxw_col_t)col, s,
                               x->in_national ? x->national : NULL) != LXW_NO_ERROR)
        x->failed = true;
}

void ss_xlsx_number(ss_xlsx *x, size_t col, uint64_t v)
{
    /* Figures are at most 999,999,999,999 < 2^53: exact as a double. */
    if (lxw.worksheet_write_number(x->ws, x->row, (lxw_col_t)col, (double)v,
                               x->in_national ? x->national : NULL) != LXW_NO_ERROR)
        x->failed = true;
}

bool ss_xlsx_close(ss_xlsx *x)
{
    if (x->row + 1 >= LXW_ROW_MAX)
        x->failed = true;
    lxw_error e = lxw.workbook_close(x->wb);
    bool ok = e == LXW_NO_ERROR && !x->failed;
    if (!ok)
        fprintf(stderr, "%s: error: cannot write the workbook: %s\n", x->path,
                x->failed ? "more rows or longer cells than a workbook holds"
                          : lxw.lxw_strerror(e));
    free(x);
    return ok;
}

/* True when path ends in ".ext", in any case. */
static bool named(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);
    return n > e && path[n - e - 1] == '.' && !strcasecmp(path + n - e, ext);
}

bool ss_xlsx_named(const char *path)
{
    return named(path, "xlsx");
}

bool ss_xlsx_refused(const char *path)
{
    /* A CSV under another workbook's name would not open. */
    if (!named(path, "ods") && !named(path, "xls") && !named(path, "xlsm"))
        return false;
    fprintf(stderr, "statesheet: export writes .xlsx (a workbook both Excel and Calc "
            "open) or CSV, not %s; write -o FILE.xlsx, and save it in another form from "
            "the spreadsheet program\nTry 'statesheet --help'.\n", strrchr(path, '.'));
    return true;
}
