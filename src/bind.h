/* bind.h - template x state -> a document of styled text runs.
 *
 * Binding fills in the year, names and figures, picks singular/plural and
 * zero forms, drops what is empty, and collapses the template's white
 * space.  Every state figure comes out bold and every national figure
 * regular, whatever the template's markup, so a reader can always tell the
 * state's numbers from the nation's.
 */
#ifndef SS_BIND_H
#define SS_BIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "records.h"
#include "template.h"

typedef enum ss_style {
    SS_REGULAR = 0,
    SS_BOLD = 1
} ss_style;

typedef struct ss_run {
    char *text; /* UTF-8; U+00A0 marks a space that must not break */
    ss_style style;
} ss_run;

/* A piece of running text: runs in order. */
typedef struct ss_text {
    ss_run *runs;
    size_t nruns;
    size_t cap;
    size_t last_len, last_cap; /* private: the last run's length and room */
} ss_text;

typedef enum ss_block_kind {
    SS_BLOCK_HEADING,
    SS_BLOCK_PARA,
    SS_BLOCK_TABLE
} ss_block_kind;

typedef struct ss_cell_row {
    char *label;
    char *value; /* formatted, e.g. "1,333" */
} ss_cell_row;

typedef struct ss_block {
    ss_block_kind kind;
    ss_text text;        /* HEADING, PARA */
    ss_cell_row *rows;   /* TABLE */
    size_t nrows;
} ss_block;

typedef struct ss_document {
    ss_text title, subtitle;
    ss_text footer_left, footer_right;
    ss_block *blocks;
    size_t nblocks;
    bool sample;
    int year;
    char *code, *name;
    char *info_title;    /* "North Dakota Data 2023": the subtitle and year */
    char *sample_notice; /* printed on sample sheets, from the template */
} ss_document;

/* Formats n into out (at least 64 bytes) in a template's words (grouping,
 * decimal mark, "million"...; words NULL is US English).  grouped: 1,333;
 * compact: 36.2 million / 105 million (below a million: grouped; never
 * rounds up, so "more than 105 million" stays true); percent: 19%. */
void ss_format_number(uint64_t n, ss_numfmt fmt, const ss_numwords *words, char *out,
                      size_t size);

/* Binds the template to one state.  The dataset must have passed
 * ss_validate_keys (figures the template reads exist); a missing
 * one binds as 0.  Never NULL.  Free with ss_document_free. */
ss_document *ss_bind(const ss_template *t, const ss_dataset *ds,
                     const ss_state *st);
void ss_document_free(ss_document *doc);

#endif
