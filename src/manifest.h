/* manifest.h - the run's manifest: what was written, for mailing and
 * archiving.
 *
 * Each run that writes sheets also writes a CSV file into the output
 * folder (a mail merge can read it):
 *
 *   manifest-YEAR.csv            a run on real data
 *   manifest-YEAR-SAMPLE.csv     a run on sample data (never replaces the real one)
 *   manifest-YEAR-K-of-N.csv     one --shard K/N (slices never overwrite each other)
 *
 * with the header
 *
 *   kind,code,name,year,file,pages,bytes,sha256,sample
 *
 * and one row per sheet (kind "sheet"; file is its name in the folder), one
 * for the --combined file (kind "combined"; file as given), one for the data
 * file and one for the template (kinds "data", "template"; their SHA-256),
 * and one for the program (kind "program"; name "statesheet VERSION").
 */
#ifndef SS_MANIFEST_H
#define SS_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

typedef struct ss_manifest ss_manifest;

/* A manifest for 'nsheets' sheets of one year.  Free with ss_manifest_free. */
ss_manifest *ss_manifest_new(size_t nsheets, int year, bool sample);
void ss_manifest_free(ss_manifest *m);

/* Records sheet i (0 <= i < nsheets): its state, file name, length and
 * SHA-256 in hex (taken by the caller from the bytes it wrote).  Threads
 * may record different i at once. */
void ss_manifest_sheet(ss_manifest *m, size_t i, const char *code, const char *name,
                       const char *file, const char sha256[65], size_t len, int pages);
/* Records the --combined file (written piece by piece: its SHA-256 in hex
 * and its length, as counted while it was written). */
void ss_manifest_combined(ss_manifest *m, const char *path, const char sha256[65],
                          size_t len, int pages);
/* Records an input file ("data" or "template"): its length and SHA-256 in
 * hex, taken from the bytes the run read (not read again: the manifest
 * describes what the sheets were made from). */
void ss_manifest_input(ss_manifest *m, const char *kind, const char *path, size_t len,
                       const char sha256[65]);

/* The manifest's file name for this run (a new string). */
char *ss_manifest_name(int year, bool sample, int shard_k, int shard_n);

/* Takes the lock that keeps two runs from writing the same manifest into
 * one folder at once: an flock on dir/.NAME.lock (NAME the manifest's
 * name without .csv; the file stays), held until *fd is closed (or the
 * process ends).  Returns 0 with *fd set, or 75 when another run holds it
 * (the message says which), 73/74 when it cannot be made; then *fd is -1. */
int ss_manifest_lock(const char *dir, const char *name, int *fd, ss_diag *diag);

/* Removes dir/name (last run's manifest) and syncs the folder, before the
 * first sheet replaces a file it lists: a folder holds either no manifest
 * or one that describes its files.  Returns 0 (also when there was none)
 * or 73/74 with the message in diag. */
int ss_manifest_withdraw(const char *dir, const char *name, ss_diag *diag);

/* Writes the manifest to dir/name atomically and syncs the folder.  Sheets
 * not recorded are left out.  Returns an exit status (status.h), the
 * message in diag. */
int ss_manifest_write(const ss_manifest *m, const char *dir, const char *name,
                      ss_diag *diag);

#endif
