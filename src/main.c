/* main.c - statesheet: options -> run -> exit status. */
#include <stdio.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "cli.h"
#include "outfile.h"
#include "run.h"

int main(int argc, char **argv)
{
    ss_cli cli;
    int status;
    xmlInitParser();
    switch (ss_cli_parse(&cli, argc, argv, isatty(STDOUT_FILENO))) {
    case SS_CLI_HELP:
        ss_cli_help(stdout);
        status = SS_EXIT_OK;
        break;
    case SS_CLI_VERSION:
        ss_cli_version(stdout);
        status = SS_EXIT_OK;
        break;
    case SS_CLI_ERROR:
        fprintf(stderr, "statesheet: %s\nTry 'statesheet --help'.\n", cli.message);
        status = SS_EXIT_USAGE;
        break;
    case SS_CLI_EXPORT:
        ss_outfile_guard();
        status = ss_export_run(&cli.csv);
        break;
    case SS_CLI_IMPORT:
        ss_outfile_guard();
        status = ss_import_run(&cli.csv);
        break;
    case SS_CLI_MAIL_HELP:
        fputs("Usage: statesheet mail --contacts FILE [OPTIONS] DIR\n"
              "Mail each state's sheet in DIR to that state's contacts: drafts in\n"
              "DIR/mail/, or with --send through an SMTP server.\n\n", stdout);
        ss_mail_help(stdout);
        status = SS_EXIT_OK;
        break;
    case SS_CLI_MAIL:
        ss_outfile_guard();
        status = ss_mail_run(&cli.mail);
        break;
    case SS_CLI_RUN:
    default:
        status = ss_job_run(&cli.opt);
        break;
    }
    ss_cli_free(&cli);
    xmlCleanupParser();
    if (fflush(stdout) != 0 && status == SS_EXIT_OK)
        status = SS_EXIT_IOERR;
    return status;
}
