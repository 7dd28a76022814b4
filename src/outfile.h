/* outfile.h - the write path: folders, temporary files, signals.
 *
 * Every file the program makes is written under a temporary name in the
 * folder it goes to, synced to disk, renamed into place and the folder
 * synced, so a name only ever holds a whole file and a file reported as
 * written survives a power cut.  Temporary names are
 *
 *     .statesheet-HOST-PID-RANDOM-NAME.tmp
 *
 * (never *.pdf), created with O_CREAT|O_EXCL|O_NOFOLLOW: never through a
 * link, never over an existing file.  Each is registered before it is
 * opened, so an interrupted run (SIGINT, SIGTERM, SIGHUP) removes exactly
 * its own files, and a run removes another run's only when it is so old no
 * live run can still own it (SS_OUTFILE_STALE_AGE).
 */
#ifndef SS_OUTFILE_H
#define SS_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "diag.h"

/* Another run's temporary file is removed only when it has not been
 * written to for this long.  A live run writes each temporary file in one
 * go and renames it within seconds, or (the combined file) writes to it
 * every few pages (every write refreshes its time), so an old one is a
 * killed run's.  A day, not minutes, because the folder may be
 * shared by hosts whose clocks disagree (the file's time is set by the file
 * server, compared with our clock) and a batch scheduler may suspend a job
 * for hours; a dot-file waiting a day costs nothing. */
#define SS_OUTFILE_STALE_AGE (24 * 60 * 60)

/* Makes the program's signals safe for writing: SIGINT, SIGTERM and SIGHUP
 * remove this run's temporary files, print one line to stderr and exit
 * with 130, 143 or 129; a signal that was ignored when the program started
 * (SIGHUP under nohup) stays ignored.  SIGPIPE is ignored, so a closed
 * output pipe shows up as a failed write (see ss_outfile_printf).
 * Call once from the main thread before any other thread starts; later
 * calls do nothing. */
void ss_outfile_guard(void);

/* Writes len bytes of data to dir/name through a temporary file in dir
 * (see above): created, written, synced and renamed into place.  The
 * folder is not synced: after its last file the caller calls
 * ss_outfile_sync_dir once for all of them.  Returns 0, or an exit status
 * with a message in diag: 73 when the file cannot be created or put in
 * place (a folder or another file in the way, no permission), 74 when
 * writing or syncing fails (disk full, a failing disk).  Thread-safe. */
int ss_outfile_write(const char *dir, const char *name, const void *data,
                     size_t len, ss_diag *diag);

/* The same through the given temporary path (tests use it to plant
 * things at the temporary name). */
int ss_outfile_write_via(const char *tmp, const char *final, const void *data,
                         size_t len, ss_diag *diag);

/* Syncs folder 'dir', so that the names renamed into it survive a power
 * cut.  Returns 0, or 74 with a message in diag. */
int ss_outfile_sync_dir(const char *dir, ss_diag *diag);

/* A new unique temporary path for dir/name (a new string). */
char *ss_outfile_tmp_path(const char *dir, const char *name);

/* A file written as a stream (export and import write one): created at a
 * temporary name beside 'path' as above, and readable too (import reads
 * back what it wrote before it is put in place).  ss_outfile_open returns
 * the stream, or NULL with a message in diag and *status set (73, 74).
 * ss_outfile_finish(o, true) flushes, syncs and renames it into place and
 * syncs its folder; ss_outfile_finish(o, false) removes it.  Returns 0 or
 * an exit status with a message in diag. */
typedef struct ss_outstream {
    const char *path;
    char *tmp;
    FILE *f;
    int slot; /* its entry in this run's list of temporary files */
} ss_outstream;
FILE *ss_outfile_open(ss_outstream *o, const char *path, ss_diag *diag, int *status);
int ss_outfile_finish(ss_outstream *o, bool keep, ss_diag *diag);

/* Ends the program at once with 'status' after removing this run's
 * temporary files and writing 'line' to stderr: for what cannot be
 * recovered from anywhere in the program (out of memory). */
_Noreturn void ss_outfile_abandon(int status, const char *line);

/* Creates dir and its parents (mkdir -p) and checks that it is a folder we
 * can write to.  Returns 0 or 73 with a message in diag. */
int ss_outfile_make_dirs(const char *dir, ss_diag *diag);

/* Removes temporary files in dir whose last write is older than max_age
 * seconds before 'now' (SS_OUTFILE_STALE_AGE in the program); files of
 * this run are never touched.  Only regular files are removed; links and
 * folders with the name are left alone.  Returns how many were removed. */
size_t ss_outfile_remove_stale(const char *dir, time_t now, long max_age);

/* printf to stdout, flushed at once.  Returns false when standard output
 * is gone (a closed pipe, a full disk); ss_outfile_stdout_lost tells
 * whether that has happened in this run, as the failed write's errno (0:
 * it has not; EPIPE: the program reading it has ended). */
bool ss_outfile_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int ss_outfile_stdout_lost(void);

#endif
