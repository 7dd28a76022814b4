/* diag.h - diagnostics: the one list every stage reports into.
 *
 * Every problem the program finds is a diagnostic with a file, a line, a
 * severity and a message written for the person who edits the data.  Stages
 * add to the list and keep going; main prints the list once, GCC-style:
 *
 *     FILE:LINE: error: MESSAGE
 */
#ifndef SS_DIAG_H
#define SS_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum ss_severity {
    SS_NOTE,
    SS_WARNING,
    SS_ERROR
} ss_severity;

typedef struct ss_diag_entry {
    char *file;     /* may be NULL: the message is not about a file */
    long line;      /* 0: no line */
    ss_severity severity;
    char *message;
} ss_diag_entry;

/* At most this many problems of one file are printed, then one line
 * "FILE: ... and N more errors": after a hundred, the rest are most often
 * the same mistake repeated, and a list of 200,000 helps no one. */
#define SS_DIAG_PRINT_MAX 100

/* Opaque list of diagnostics.  Safe to use from one thread at a time. */
typedef struct ss_diag ss_diag;

/* A new, empty list.  Never NULL (out of memory aborts).  Free with
 * ss_diag_free. */
ss_diag *ss_diag_new(void);
void ss_diag_free(ss_diag *d);

/* Adds one message (printf format).  An identical file/line/message already
 * in the list is not added twice, so every problem is reported once (in
 * constant time: a hash set).  Past ten times SS_DIAG_PRINT_MAX for one
 * file, messages are counted but not kept. */
void ss_diag_add(ss_diag *d, ss_severity sev, const char *file, long line,
                 const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void ss_diag_vadd(ss_diag *d, ss_severity sev, const char *file, long line,
                  const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

/* Shorthand for ss_diag_add(d, SS_ERROR, ...). */
void ss_diag_error(ss_diag *d, const char *file, long line, const char *fmt,
                   ...) __attribute__((format(printf, 4, 5)));

size_t ss_diag_count(const ss_diag *d);
/* Errors, counting those past the limit that were not kept. */
size_t ss_diag_error_count(const ss_diag *d);
const ss_diag_entry *ss_diag_at(const ss_diag *d, size_t i);

/* Sorts by file then line (stable), so a file's problems read top-down. */
void ss_diag_sort(ss_diag *d);

/* Prints every entry as "FILE:LINE: error: MESSAGE" (parts that are absent
 * are left out), one per line, at most SS_DIAG_PRINT_MAX per file and then
 * "FILE: ... and N more errors", and empties the list. */
void ss_diag_print(ss_diag *d, FILE *to);

/* Adds error 'cause' (at file:line) in front of the entries from index
 * 'from' on, and drops those it explains: about 'file', with no line or a
 * line at or after 'cut' (consequences of a broken file), with what was
 * counted for the file past the limit. */
void ss_diag_cause(ss_diag *d, size_t from, const char *file, long cut, long line,
                   const char *cause);

/* Moves every entry of 'from' to the end of 'to'. */
void ss_diag_take(ss_diag *to, ss_diag *from);

#endif
