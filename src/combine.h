/* combine.h - the --combined print file: where it may go.
 *
 * The combined file is checked before the first sheet is written, so a
 * mistake in its name costs nothing: its folder must exist (or be the
 * output folder the run creates), it must not be a folder, and it must not
 * be one of the run's inputs (the data file, the template, anything under
 * the assets folder; compared by device and inode, so links and other
 * spellings of the same file count) or a sheet the data file names.
 */
#ifndef SS_COMBINE_H
#define SS_COMBINE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "diag.h"
#include "fonts.h"
#include "layout.h"
#include "manifest.h"
#include "records.h"
#include "render_pdf.h"
#include "template.h"

typedef struct ss_combined_target {
    const char *path;          /* --combined FILE */
    const char *out_dir;       /* -o DIR (may not exist yet) */
    const char *const *inputs; /* files the run reads */
    size_t ninputs;
    const char *assets_dir;    /* may be NULL */
    const char *const *sheets; /* names of the sheets the data can make */
    size_t nsheets;
    size_t npages;             /* pages the file would have (the run's states) */
} ss_combined_target;

/* The most pages one combined file takes.  PDF/A-1 keeps PDF 1.4's limit
 * of 8,191 elements in an array (ISO 19005-1, 6.1.12), and the parent
 * tree's array has two a page; the file is made in memory, ~50 KB a page.
 * More is an unprintable print job anyway: --shard makes one combined
 * file per slice. */
#define SS_COMBINED_MAX_PAGES 4000

/* Returns 0 when the combined file may be written at t->path; otherwise 64
 * (it names an input or a sheet, or the run has more than
 * SS_COMBINED_MAX_PAGES states: a command-line mistake) or 73 (its folder
 * is missing or not writable, or it is a folder), with the message in
 * diag.  Nothing is created or changed. */
int ss_combined_check(const ss_combined_target *t, ss_diag *diag);

/* Everything the combined file is made from. */
typedef struct ss_combined_job {
    const char *path;           /* --combined FILE, checked (above) */
    const ss_template *tpl;
    const ss_dataset *ds;
    const ss_fonts *fonts;
    ss_render *render;          /* the caller's, not in use meanwhile */
    double page_w, page_h;
    const ss_state **states;    /* in data order */
    const float *body;          /* each state's checked body text size */
    size_t n;                   /* at least 1 */
    time_t created;
    const char *organisation;   /* the document's author */
    const ss_hyphenation *hy;   /* as the sheets were laid out */
    ss_manifest *manifest;      /* gets the file's row when written; may be NULL */
    bool *existed;              /* set when the file replaced one; may be NULL */
} ss_combined_job;

/* Makes every page again, one bookmark each, in one PDF whose fonts serve
 * every page, and writes the file through outfile.c (temporary name,
 * fsync, rename; a stale temporary file of an earlier killed run in its
 * folder is removed first).  Returns 0 or an exit status with the message
 * in diag; nothing is left on failure.  The file is made in memory before
 * it is written: ~50 KB a page. */
int ss_combined_write(const ss_combined_job *cj, ss_diag *diag);

#endif
