/* csv_io.h - spreadsheet CSV files in and out.
 *
 * Reading goes through Debian's libcsv (RFC 4180 quoting, CR, LF or CRLF
 * line ends), streamed in blocks, so a file's size never decides memory.
 * On top of it this module takes what Excel and LibreOffice Calc write: a
 * UTF-8 byte-order mark, comma, semicolon or tab separators (detected from
 * the header line), white space around cells.  It refuses what it cannot
 * read correctly: UTF-16 and Latin-1 files, with a message saying how to
 * save as UTF-8.
 *
 * Problems are reported spreadsheet-style, FILE:ROW:COL: error: MESSAGE,
 * ROW and COL 1-based as a spreadsheet counts them (the header is row 1).
 */
#ifndef SS_CSV_IO_H
#define SS_CSV_IO_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A list of problems, each at a row and column (0: the whole row/file). */
typedef struct ss_csv_errors ss_csv_errors;

/* A new, empty list (never NULL).  Free with ss_csv_errors_free. */
ss_csv_errors *ss_csv_errors_new(void);
void ss_csv_errors_free(ss_csv_errors *e);
/* Adds one problem (printf format; ss_csv_verror from a va_list). */
void ss_csv_error(ss_csv_errors *e, long row, long col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void ss_csv_verror(ss_csv_errors *e, long row, long col, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
size_t ss_csv_error_count(const ss_csv_errors *e);
/* Prints every problem, sorted by row then column, as
 * "FILE:ROW:COL: error: MESSAGE" (":COL" left out when 0, "ROW:" when 0). */
void ss_csv_errors_print(ss_csv_errors *e, const char *file, FILE *to);

/* Called once per row, the header included, blank rows included (n = 0).
 * Cells are NUL-terminated valid UTF-8 with white space trimmed.  Return
 * false to stop reading. */
typedef bool (*ss_csv_row_fn)(void *ctx, long row, char **cells, size_t n);

/* Reads CSV from f.  'delim' is ',', ';' or '\t', or 0 to detect it from
 * the header line (the most frequent of the three outside quotes; ',' on a
 * tie); the separator used goes to *delim_used.  Problems with the file
 * itself (encoding, broken quoting, size) go to 'errs'.  Returns false when
 * reading stopped early (a problem, or fn returned false). */
bool ss_csv_read(FILE *f, char delim, ss_csv_row_fn fn, void *ctx,
                 ss_csv_errors *errs, char *delim_used);

/* The largest CSV file read: the same limit as a data file. */
#define SS_CSV_MAX_BYTES (256u * 1024u * 1024u)

/* Parses a figure cell (already trimmed, not empty) as a whole number
 * 0..SS_FIGURE_MAX.  Thousands separators are taken as a spreadsheet shows
 * them, in valid groups of three: ',' in a comma- or tab-separated file,
 * '.' in a semicolon-separated one (where ',' is the decimal comma), and a
 * space or no-break space in any.  Returns NULL on success, or a message
 * saying what is wrong and what to write (a static string). */
const char *ss_csv_count(const char *cell, char delim, uint64_t *out);

/* The column's spreadsheet letter(s): 1 -> "A", 27 -> "AA". */
void ss_csv_column_letter(long col, char out[8]);

/* Writes one cell to f, quoted when it must be (it holds the separator, a
 * quote, a line break, or starts or ends with a space). */
void ss_csv_put(FILE *f, const char *cell, char delim);

#endif
