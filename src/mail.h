/* mail.h - statesheet mail: each state's sheet to that state's contacts.
 *
 *     statesheet mail --contacts CONTACTS.csv [--from ADDRESS] [--send URL]
 *                     [--netrc-file FILE] [--allow-sample] [--resend CODE]
 *                     [--strict] [-t TEMPLATE] DIR
 *
 * DIR is the output folder of a run.  Every manifest-*.csv in it is read
 * and every sheet they name is checked against its SHA-256 before anything
 * is written or sent.  Without --send, one draft per state with contacts
 * goes to DIR/mail/CODE-YEAR[-SAMPLE].eml; with --send, the same message
 * goes to the SMTP server, one transaction per state, and each accepted
 * message is recorded at once in DIR/mail/sent-YEAR[-SAMPLE].csv, so a
 * second run sends only what was not accepted.
 */
#ifndef SS_MAIL_H
#define SS_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "status.h"


/* --resend CODE may be given this many times at most (one per state of a
 * big batch is already absurd; a fixed array keeps the parser simple). */
#define SS_MAIL_MAX_RESEND 64

typedef struct ss_mail_options {
    const char *dir;            /* the run's output folder */
    const char *contacts_path;  /* --contacts */
    const char *from;           /* --from, or NULL: the template's */
    const char *send_url;       /* --send smtp[s]://HOST[:PORT], or NULL: drafts */
    const char *netrc_path;     /* --netrc-file, or NULL: ~/.netrc */
    const char *template_path;  /* -t, or NULL: the default template */
    const char *assets_dir;     /* --assets, or NULL */
    const char *resend[SS_MAIL_MAX_RESEND]; /* --resend CODE */
    size_t nresend;
    bool allow_sample;          /* --allow-sample */
    bool strict;                /* --strict: a sheet without contact is an error */
    int verbosity;              /* 0 quiet, 1 normal */
} ss_mail_options;

/* Parses "statesheet mail ..." (argv[1] is "mail").  Returns 0 to run,
 * 1 for --help, or 64 with the problem in msg (msglen bytes). */
int ss_mail_parse(ss_mail_options *o, int argc, char **argv, char *msg, size_t msglen);

/* The mail part of the help text (statesheet --help and mail --help). */
void ss_mail_help(FILE *to);

/* Runs statesheet mail; prints problems to stderr and the summary to
 * stdout.  Returns an exit status (run.h and the two above). */
int ss_mail_run(const ss_mail_options *o);

#endif
