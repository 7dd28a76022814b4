/* validate.h - a dataset against a template and the fonts: the checks that
 * need more than one input.
 *
 * Each input is checked on its own when it is loaded (records.c,
 * template.c); these checks come next, and every problem of a run is
 * reported in the same round: a figure the template reads that a state
 * lacks, a key one or two edits away from one the template reads (a
 * warning naming the probable key; an error when strict), and text the
 * sheet's fonts cannot print.
 */
#ifndef SS_VALIDATE_H
#define SS_VALIDATE_H

#include <stdbool.h>

#include "diag.h"
#include "fonts.h"
#include "records.h"
#include "template.h"

/* Every state (and the national block) has each figure and table the
 * template declares in <uses>; a key the template does not read but that
 * is at most two edits (insert, delete, replace, swap of neighbours) from
 * one it does is a warning, or an error when 'strict'.  Returns false when
 * an error was reported. */
bool ss_validate_keys(const ss_template *t, const ss_dataset *ds, bool strict,
                      ss_diag *diag);

/* The same in pieces, for a dataset read as a stream (records.h): one
 * state's figures and tables, and the national figures. */
bool ss_validate_state_keys(const ss_template *t, const ss_dataset *ds, const ss_state *st,
                            bool strict, ss_diag *diag);
bool ss_validate_national_keys(const ss_template *t, const ss_dataset *ds, bool strict,
                               ss_diag *diag);

/* Puts the names and row labels in the template's language (name-LL,
 * label-LL, LL the first two letters of its lang) in place of the
 * English ones.  A state without them keeps its own, with a warning
 * naming it, worded for a spreadsheet when 'sheet' (an error when
 * 'strict').  Nothing changes for an English
 * template.  Returns false when an error was reported. */
bool ss_validate_language(const ss_template *t, ss_dataset *ds, bool sheet, bool strict,
                          ss_diag *diag);

/* Every piece of the template's text can be printed in bold and regular
 * (templates put any text in <b>).  Returns false when one cannot. */
bool ss_validate_template_glyphs(const ss_template *t, const ss_fonts *fonts,
                                 ss_diag *diag);

/* The state's name (bold and regular) and its table labels (regular) can
 * be printed.  Returns false when one cannot. */
bool ss_validate_state_glyphs(const ss_dataset *ds, const ss_state *st,
                              const ss_fonts *fonts, ss_diag *diag);

/* Edit distance between a and b (Damerau-Levenshtein, adjacent swaps
 * count one), or 'limit' + 1 when it is more than 'limit'. */
int ss_edit_distance(const char *a, const char *b, int limit);

#endif
