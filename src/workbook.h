/* workbook.h - spreadsheet files (.xlsx, .ods) read as rows of cells.
 *
 * A workbook is a zip of XML parts (Office Open XML, OpenDocument).  The
 * zip is read with Debian's libzip from memory, entry by entry, never
 * extracted (so no path in it is ever followed), and each part goes
 * through libxml2's streaming reader with no DTD and no entity: memory
 * does not grow with the number of rows.  What comes out are the rows of
 * one sheet, as import's CSV rows are, plus what each cell held (a
 * number, text, a date...), so that figure cells can be checked as numbers
 * and not as text.
 *
 * Which sheet: the first one that is not hidden.
 */
#ifndef SS_WORKBOOK_H
#define SS_WORKBOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "csv_io.h"
#include "records.h"

/* Limits.  A real statesheet workbook is well under 1 MB with a few
 * thousand cells; the limits are far above that and far below what hurts. */
#define SS_WORKBOOK_MAX_BYTES (64u * 1024u * 1024u) /* the zip file itself */
/* The unpacked size of all the parts read: a zip bomb unpacks a few KB
 * into gigabytes; the same limit as a CSV file. */
#define SS_WORKBOOK_MAX_XML (256u * 1024u * 1024u)
#define SS_WORKBOOK_MAX_ENTRIES 4096      /* a workbook has a dozen parts */
#define SS_WORKBOOK_MAX_ROWS 1048576L     /* Excel's and Calc's own limits */
#define SS_WORKBOOK_MAX_COLS 16384L
#define SS_WORKBOOK_MAX_CELL 32767        /* characters in a cell, Excel's limit */
#define SS_WORKBOOK_MAX_STRINGS 4000000L  /* shared strings */
/* The text of all cells handed on, counted as the CSV file it could have
 * been: one shared string repeated, or an .ods cell repeated by
 * number-columns-repeated, must not make gigabytes out of a small file. */
#define SS_WORKBOOK_MAX_TEXT SS_CSV_MAX_BYTES
/* A row is one state's codes, names and figures: a few KB. */
#define SS_WORKBOOK_MAX_ROW_TEXT (1024u * 1024u)

/* What a file is, from its first bytes (at least 8, fewer at its end). */
typedef enum ss_form {
    SS_FORM_TEXT, /* CSV, or anything else that is not one of these */
    SS_FORM_XML,  /* '<' after an optional byte-order mark and white space */
    SS_FORM_ZIP,  /* PK\3\4: .xlsx, .ods (or another zip) */
    SS_FORM_OLE2  /* D0 CF 11 E0: a legacy .xls, or an encrypted workbook */
} ss_form;
ss_form ss_form_of(const unsigned char *head, size_t n);

/* The same for the file at path; SS_FORM_TEXT when it cannot be read (the
 * reader that follows reports that). */
ss_form ss_form_of_file(const char *path);

/* What a cell held. */
typedef enum ss_cell {
    SS_CELL_EMPTY = 0,
    SS_CELL_NUMBER,  /* text is the number as written: "1333", "12.5", "-3" */
    SS_CELL_PERCENT, /* a number shown as a percentage (ODS) */
    SS_CELL_TEXT,
    SS_CELL_BOOL,    /* "true" or "false" */
    SS_CELL_DATE,    /* a date or a time */
    SS_CELL_ERROR,   /* a formula's error, "#REF!" */
    SS_CELL_NOVALUE  /* a formula whose result was not saved */
} ss_cell;

/* Called once per row that has a cell with something in it, in order;
 * 'row' is the spreadsheet's row number (1-based).  cells[i] is the text of
 * column i+1 (trimmed, "" when empty), kinds[i] what it held.  Return false
 * to stop reading. */
typedef bool (*ss_workbook_row_fn)(void *ctx, long row, char **cells,
                                   const unsigned char *kinds, size_t n);

/* Reads the workbook in data[0..len) (a zip) and calls fn for the rows of
 * its first visible sheet.  Problems with the file itself (not a
 * workbook, damaged, encrypted, macros, over a limit) go to errs, at the
 * cell when there is one.  Returns false when reading stopped early. */
bool ss_workbook_read(const void *data, size_t len, ss_workbook_row_fn fn, void *ctx,
                      ss_csv_errors *errs);

/* Import's rows from 'from', whatever the file is (told by its first
 * bytes, not its name): CSV, read with delimiter 'delim' (0: detect), or a
 * workbook as above, its title rows above the table (one cell, not
 * "code") passed over; an XML data file or an old .xls is named as such
 * in errs.  A CSV row reaches fn with kinds NULL.  *used is the CSV separator
 * (',' for a workbook) and *workbook is set true for a workbook, both
 * before the first row.  Returns false when the file itself is wrong. */
bool ss_sheet_rows(FILE *from, char delim, ss_workbook_row_fn fn, void *ctx,
                   ss_csv_errors *errs, char *used, bool *workbook);

/* The one-line explanation of a file starting with the OLE2 signature
 * (a legacy .xls, or a password-protected .xlsx), data its first bytes. */
const char *ss_workbook_ole2_words(const void *data, size_t len);

/* A figure cell of a workbook: *out set and NULL returned when the cell
 * is a whole number 0..SS_FIGURE_MAX (a number, or a formula's saved
 * whole-number result); otherwise a message saying what the cell holds
 * and what to write (a static string). */
const char *ss_workbook_count(const char *cell, unsigned char kind, uint64_t *out);

/* Why the name or label s looks damaged by a spreadsheet program (a '?'
 * between letters, UTF-8 read as Windows-1252 such as "Ã©"), as
 * a message with what to do (a static string), or NULL when it looks
 * right.  s is valid UTF-8. */
const char *ss_text_damage(const char *s);

/* Reads all of f (at most max bytes) into a new buffer (free()); NULL
 * with errno set when it cannot, EFBIG when over max. */
char *ss_workbook_slurp(FILE *f, size_t max, size_t *len);

/* The jurisdictions a blank form lists (export --blank): the 50 states,
 * DC and the five territories, from the assets' jurisdictions.csv. */
#define SS_JURISDICTIONS_FILE "jurisdictions.csv"
typedef struct ss_place {
    char *code, *name, *name_es; /* name_es may be NULL */
} ss_place;
typedef struct ss_places {
    ss_place *v;
    size_t n;
} ss_places;

/* Reads the list at path (CSV: code, name, name-es).  Returns false, with
 * p empty, when it is missing or damaged. */
bool ss_places_load(const char *path, ss_places *p);
const ss_place *ss_places_find(const ss_places *p, const char *code);
void ss_places_free(ss_places *p);

/* The list in statesheet's assets (assets_dir: --assets DIR, or NULL).
 * Returns false, said in diag, when it cannot be read. */
bool ss_places_load_assets(const char *assets_dir, ss_diag *diag, ss_places *p);

/* A blank form keeps the data's own names: when st's code is listed, its
 * name (and Spanish name, if it has one) replace the list's, and true is
 * returned. */
bool ss_places_rename(ss_places *p, const ss_state *st);

#endif
