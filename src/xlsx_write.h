/* xlsx_write.h - export's rows written as an Excel workbook (.xlsx).
 *
 * Through Debian's libxlsxwriter, in its constant-memory mode (each row
 * goes to a temporary file as it is finished), so memory stays flat however
 * many states there are.  The sheet: the header row frozen and bold,
 * widths set, every figure a number cell with a whole-number check (0 to
 * 999,999,999,999) and an input message saying what the figure is, the
 * national row apart (an empty row after it) and shaded.
 */
#ifndef SS_XLSX_WRITE_H
#define SS_XLSX_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ss_xlsx ss_xlsx;

/* What a column holds, for its width and check. */
typedef enum ss_xlsx_col {
    SS_XLSX_TEXT,   /* a code, a name, an order list */
    SS_XLSX_NAME,   /* a name: wider */
    SS_XLSX_YEAR,   /* four digits */
    SS_XLSX_FIGURE  /* a count */
} ss_xlsx_col;

/* A new workbook written to 'path' when closed (path must be a file that
 * may be overwritten: the caller's temporary file).  NULL when it cannot
 * be made (printed). */
ss_xlsx *ss_xlsx_new(const char *path);

/* export -o PATH: true when PATH names an .xlsx workbook (in any case). */
bool ss_xlsx_named(const char *path);

/* True, with the usage message printed, when PATH names a workbook form
 * export does not write (.ods, .xls, .xlsm). */
bool ss_xlsx_refused(const char *path);

/* Declares column col (0-based) before any row: its header, what it
 * holds, and for a figure the words of its input message (NULL: the
 * header's words after " - ", or the whole header). */
void ss_xlsx_column(ss_xlsx *x, size_t col, const char *header, ss_xlsx_col kind,
                    const char *what);

/* Starts the next row (the header is row 1, written by ss_xlsx_column);
 * 'national' shades it and leaves an empty row after it.  Then its cells,
 * in any order. */
void ss_xlsx_row(ss_xlsx *x, bool national);
void ss_xlsx_text(ss_xlsx *x, size_t col, const char *s);
void ss_xlsx_number(ss_xlsx *x, size_t col, uint64_t v);

/* Writes the file and frees x.  Returns false on a failure (printed). */
bool ss_xlsx_close(ss_xlsx *x);

#endif
