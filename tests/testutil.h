/* testutil.h - helpers shared by the cmocka test programs. */
#ifndef SS_TESTUTIL_H
#define SS_TESTUTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "diag.h"
#include "records.h"

/* Path of a file under tests/fixtures (a new string). */
char *tu_fixture(const char *rel);
/* Path of a file in the source tree (a new string). */
char *tu_source(const char *rel);
/* Whole file as a NUL-terminated string, or NULL. */
char *tu_read(const char *path);
/* Writes a string to a file; fails the test on error. */
void tu_write(const char *path, const char *text);
/* A new empty temporary folder (a new string). */
char *tu_tmpdir(void);
/* Removes a folder and all it holds. */
void tu_rmrf(const char *dir);
/* Number of entries in dir whose name ends with suffix ("" for all). */
int tu_count(const char *dir, const char *suffix);

/* The data file at path, or NULL when it cannot be read or has any
 * mistake (ss_dataset_load_all, keeping only a valid dataset). */
ss_dataset *tu_dataset_load(const char *path, ss_diag *d, int *io_errno);

/* The diagnostics, sorted and printed as statesheet prints them (a new
 * string); empties the list. */
char *tu_diag_text(ss_diag *d);

/* The folder does not exist, or holds nothing; otherwise lists it and
 * fails the test. */
void tu_assert_nothing_written(const char *dir);
/* True when the file's first bytes are 'prefix' (at most 15 bytes). */
bool tu_file_starts_with(const char *path, const char *prefix);

/* The first 15 lines of a fictional (sample="true") data file: the XML
 * declaration, <statedata> and the national figures the default template
 * reads.  The first state written after it starts on line 16. */
extern const char TU_SAMPLE_HEAD[];

/* Runs the statesheet binary with the shell-quoted argument string 'args'
 * (cwd = the source tree), captures stdout and stderr (new strings, may be
 * NULL pointers to ignore) and returns its exit status (or 128+signal). */
int tu_run(const char *args, char **out, char **err);
/* Runs any shell command the same way. */
int tu_sh(const char *cmd, char **out, char **err);

#endif
