/* sheetcsv.h - a year's figures as a spreadsheet (CSV), and back.
 *
 * The layout (README.md, "Figures in a spreadsheet"): the header is row 1;
 * one row per state, in data order; the national figures in a row of their
 * own whose code cell is "national".  Columns, in this order:
 *
 *   code, name, year, sample (only for sample="true" data),
 *   then for each <uses> entry of the template, in the template's order:
 *     "National: KEY - description"   a national figure
 *     "KEY - description"             a state figure
 *     "Total: KEY - description"      a state table's total (the sum of its
 *                                     rows; a check when given on import)
 *     "KEY: LABEL"                    one per row label of that table
 *     "Order: KEY"                    only when a state's rows are not in
 *                                     column order: their positions, "3 1 2"
 *   then, so that nothing in the data is lost, the same for figures and
 *   tables that the data holds and the template does not use.
 *
 * A header is recognised by its first word; the description after it is
 * for people and may be changed.
 */
#ifndef SS_SHEETCSV_H
#define SS_SHEETCSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "csv_io.h"
#include "records.h"
#include "template.h"

typedef struct ss_csv_options {
    const char *input;         /* DATA.xml (export) or FILE.csv (import) */
    const char *output;        /* -o FILE, or NULL: standard output */
    const char *template_path; /* -t FILE, or NULL: the default template */
    const char *assets_dir;    /* --assets DIR, or NULL */
    char delimiter;            /* --delimiter: ',', ';', '\t'; 0 default/detect */
    bool blank;                /* export --blank: figures left empty */
    int year;                  /* export --year, or 0: the data's (blank: +1) */
    int verbosity;             /* 0 quiet, 1 normal */
} ss_csv_options;

/* Writes ds as CSV to 'to' in the layout above.  'blank' leaves every
 * figure empty; 'year' is written in the year column.  Returns false on a
 * write error. */
bool ss_export_write(const ss_template *tpl, const ss_dataset *ds, bool blank,
                     int year, char delim, FILE *to);

/* Reads CSV from 'from' (named 'name' in messages) and turns it into a
 * version-1 data file, which is then loaded and checked against the
 * template like any data file.  Every problem goes into 'errs' at its row
 * and column.  Returns the data file's bytes (free with free(); length in
 * *len), or NULL when anything was wrong. */
char *ss_import_read(const ss_template *tpl, FILE *from, const char *name,
                     char delim, ss_csv_errors *errs, size_t *len);

/* The main command's data given as a spreadsheet (CSV, .xlsx or .ods,
 * told by content, workbook.h): imported as above, then loaded like a data
 * file named 'path'.  The cells' problems are printed to stderr at once
 * (FILE:ROW:COL: error: ...); then NULL is returned with *io_errno 0.
 * When the file cannot be read, NULL with *io_errno set.  *valid as
 * ss_dataset_load_all. */
ss_dataset *ss_sheet_load(const ss_template *tpl, const char *path, ss_diag *diag,
                          int *io_errno, bool *valid);

/* The subcommands: load, convert, write to stdout or atomically to -o.
 * Return an exit status (run.h). */
int ss_export_run(const ss_csv_options *opt);
int ss_import_run(const ss_csv_options *opt);

#endif
