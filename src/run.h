/* run.h - one run of the program: options -> checked data -> sheets.
 *
 * Everything is validated before the first byte is written: the data, the
 * template, the keys the template reads, every character against the font,
 * and every sheet's fit on one page.  Then sheets are made on N threads and
 * each is written to a temporary file and renamed into place, so a failed
 * or killed run never leaves a broken PDF.
 */
#ifndef SS_RUN_H
#define SS_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

typedef enum ss_paper {
    SS_PAPER_LETTER,
    SS_PAPER_A4
} ss_paper;

typedef struct ss_options {
    const char *data_path;
    const char *out_dir;       /* default "out" */
    const char **states;       /* -s codes, or NULL for all */
    size_t nstates;
    const char *template_path; /* NULL: the default template */
    const char *assets_dir;    /* NULL: found as paths.h says */
    const char *combined_path; /* --combined FILE, or NULL */
    bool check_only;           /* --check */
    bool strict;               /* --strict: a probably mistyped key is an error */
    int verbosity;             /* 0 quiet, 1 normal, 2 verbose */
    bool progress;             /* show a progress line (stdout is a tty) */
    ss_paper paper;
    int jobs;                  /* threads; 0: one per core */
    int shard_k, shard_n;      /* --shard K/N; 0/0: all */
} ss_options;

/* Runs the whole job; prints diagnostics to stderr and results to stdout.
 * Returns an exit status from the list above. */
int ss_job_run(const ss_options *opt);

#endif
