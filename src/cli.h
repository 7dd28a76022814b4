/* cli.h - the command line: argv -> options, without exiting.
 *
 * The parser returns what to do; main decides.  Usage errors come back as a
 * message for "statesheet: MESSAGE" and "Try 'statesheet --help'.".
 */
#ifndef SS_CLI_H
#define SS_CLI_H

#include <stdio.h>

#include "mail.h"
#include "run.h"
#include "sheetcsv.h"

typedef enum ss_cli_action {
    SS_CLI_RUN,
    SS_CLI_HELP,
    SS_CLI_VERSION,
    SS_CLI_ERROR,
    SS_CLI_EXPORT, /* statesheet export ...: cli->csv */
    SS_CLI_IMPORT, /* statesheet import ...: cli->csv */
    SS_CLI_MAIL,   /* statesheet mail ...: cli->mail */
    SS_CLI_MAIL_HELP
} ss_cli_action;

typedef struct ss_cli {
    ss_options opt;
    char message[512]; /* SS_CLI_ERROR: what was wrong */
    const char **states_store;
    ss_csv_options csv; /* SS_CLI_EXPORT, SS_CLI_IMPORT */
    ss_mail_options mail; /* SS_CLI_MAIL */
} ss_cli;

/* Parses argv into cli->opt, or into cli->csv when argv[1] is "export" or
 * "import" (a data file of that name is reached as ./export).  'is_tty' says whether stdout is a terminal
 * (it turns the progress line on).  Free with ss_cli_free. */
ss_cli_action ss_cli_parse(ss_cli *cli, int argc, char **argv, int is_tty);
void ss_cli_free(ss_cli *cli);

/* The --help text. */
void ss_cli_help(FILE *to);
/* The --version text. */
void ss_cli_version(FILE *to);

#endif
