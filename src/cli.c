/* cli.c - getopt_long and the help text. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>
#include <libxml/xmlversion.h>

#include "util.h"
#include "version.h"

enum {
    OPT_CHECK = 256,
    OPT_HELP,
    OPT_VERSION,
    OPT_PAPER,
    OPT_SHARD,
    OPT_COMBINED,
    OPT_ASSETS,
    OPT_STRICT,
    OPT_BLANK,
    OPT_YEAR,
    OPT_DELIMITER
};

static const struct option LONG_OPTIONS[] = {
    {"out", required_argument, NULL, 'o'},
    {"state", required_argument, NULL, 's'},
    {"template", required_argument, NULL, 't'},
    {"check", no_argument, NULL, OPT_CHECK},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"jobs", required_argument, NULL, 'j'},
    {"paper", required_argument, NULL, OPT_PAPER},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"combined", required_argument, NULL, OPT_COMBINED},
    {"assets", required_argument, NULL, OPT_ASSETS},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

static const struct option CSV_OPTIONS[] = {
    {"out", required_argument, NULL, 'o'},
    {"template", required_argument, NULL, 't'},
    {"blank", no_argument, NULL, OPT_BLANK},
    {"year", required_argument, NULL, OPT_YEAR},
    {"delimiter", required_argument, NULL, OPT_DELIMITER},
    {"assets", required_argument, NULL, OPT_ASSETS},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

void ss_cli_help(FILE *to)
{
    fputs("Usage: statesheet [OPTIONS] DATA\n"
          "       statesheet export [OPTIONS] [-o FILE.xlsx|FILE.csv] DATA.xml\n"
          "       statesheet import [OPTIONS] [-o DATA.xml] FILE\n"
          "       statesheet mail --contacts FILE [--from ADDRESS] [--send URL] DIR\n"
          "Make a one-page PDF fact sheet for each state in DATA: a data file\n"
          "(.xml), or the figures as a workbook (.xlsx, .ods) or CSV, told apart\n"
          "by their content ('-': read standard input).\n"
          "\n"
          "  -o, --out DIR        write the sheets into DIR (default: out), as\n"
          "                       DIR/CODE-YEAR.pdf (CODE-YEAR-SAMPLE.pdf for sample\n"
          "                       data); DIR is created if missing\n"
          "  -s, --state CODE     make only this state's sheet; repeat for more\n"
          "  -t, --template FILE  take the wording from FILE instead of the\n"
          "                       default template\n"
          "      --check          check the data and template, write nothing\n"
          "      --strict         a figure key the template does not read but that\n"
          "                       is one or two letters away from one it does\n"
          "                       (cvip.submission) is an error, not a warning\n"
          "      --combined FILE  also write every sheet into FILE, one page and\n"
          "                       one bookmark per state, for one print job\n"
          "      --paper SIZE     letter (default) or a4\n"
          "  -j, --jobs N         make sheets on N threads (default: one per core)\n"
          "      --shard K/N      make only the K-th of N slices of the states, to\n"
          "                       split a batch across machines\n"
          "      --assets DIR     take fonts, schemas and template from DIR\n"
          "  -q, --quiet          print nothing but errors and warnings\n"
          "  -v, --verbose        also print each sheet and its type size\n"
          "  -h, --help           show this help and exit\n"
          "      --version        show the version and exit\n"
          "\n"
          "Figures in a spreadsheet:\n"
          "  export               write DATA.xml as a workbook for Excel or\n"
          "                       LibreOffice Calc (-o FILE.xlsx) or as CSV: a row\n"
          "                       per state, a column per figure\n"
          "  import               turn such a workbook (.xlsx, .ods) or CSV back into\n"
          "                       a data file, checked like any data file; errors\n"
          "                       as FILE:ROW:COL\n"
          "  -o, --out FILE       write to FILE (default: standard output, CSV);\n"
          "                       a name ending in .xlsx makes a workbook; never\n"
          "                       the input or the template, a folder or a device\n"
          "      --blank          export with every figure empty: next year's form\n"
          "      --year YEAR      the year to write (with --blank: next year)\n"
          "      --delimiter C    ',' (default), ';' or 'tab'; import detects it\n"
          "  -t, --assets, -q, -h as above.  A data file named export is given as\n"
          "  ./export.  See README.md, \"Figures in a spreadsheet\".\n"
          "\n",
          to);
    ss_mail_help(to);
    fputs("\n"
          "Exit status:\n"
          "   0  all sheets written (or, with --check, the files are valid)\n"
          "  64  the command line is wrong\n"
          "  65  the data or the template has errors (each is reported as\n"
          "      FILE:LINE: error: MESSAGE); nothing was written\n"
          "  66  the data or template file is missing or unreadable\n"
          "  69  mail: the server refused a message (see above)\n"
          "  70  internal error or damaged installation\n"
          "  71  out of memory\n"
          "  73  the output folder or a file in it cannot be created\n"
          "  74  a read or write failed (for example, the disk is full)\n"
          "  75  try again later: another run is writing the same manifest into\n"
          "      the folder, or (mail) the server is out of reach or said so\n"
          "\n"
          "Environment: SOURCE_DATE_EPOCH sets the sheets' creation date (the\n"
          "same inputs then give the same bytes); STATESHEET_ASSETS is --assets.\n"
          "See statesheet(1) and README.md for the data format and templates.\n",
          to);
}

void ss_cli_version(FILE *to)
{
    fprintf(to, "statesheet %s (libharu %s, libxml2 %s)\n", SS_VERSION, HPDF_VERSION_TEXT,
            LIBXML_DOTTED_VERSION);
}

static ss_cli_action fail(ss_cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static ss_cli_action fail(ss_cli *cli, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cli->message, sizeof cli->message, fmt, ap);
    va_end(ap);
    return SS_CLI_ERROR;
}

static bool parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* statesheet export|import [OPTIONS] FILE */
static ss_cli_action parse_csv_command(ss_cli *cli, int argc, char **argv)
{
    ss_csv_options *o = &cli->csv;
    bool export = !strcmp(argv[1], "export");
    o->verbosity = 1;
    optind = 2;
    opterr = 0;
    int c;
    long v;
    while ((c = getopt_long(argc, argv, ":o:t:qh", CSV_OPTIONS, NULL)) != -1) {
        switch (c) {
        case 'o':
            if (!*optarg)
                return fail(cli, "--out needs a file name");
            o->output = optarg;
            break;
        case 't':
            o->template_path = optarg;
            break;
        case 'q':
            o->verbosity = 0;
            break;
        case OPT_ASSETS:
            o->assets_dir = optarg;
            break;
        case OPT_BLANK:
            if (!export)
                return fail(cli, "--blank goes with export, not import");
            o->blank = true;
            break;
        case OPT_YEAR:
            if (!export)
                return fail(cli, "--year goes with export; in import the year is in the "
                            "file's year column");
            if (!parse_int(optarg, 1900, 2999, &v) || strlen(optarg) != 4)
                return fail(cli, "--year '%s': write four digits, e.g. --year 2024", optarg);
            o->year = (int)v;
            break;
        case OPT_DELIMITER:
            if (!strcmp(optarg, ",") || !strcmp(optarg, "comma"))
                o->delimiter = ',';
            else if (!strcmp(optarg, ";") || !strcmp(optarg, "semicolon"))
                o->delimiter = ';';
            else if (!strcmp(optarg, "tab") || !strcmp(optarg, "\t"))
                o->delimiter = '\t';
            else
                return fail(cli, "--delimiter '%s': write ',', ';' or tab", optarg);
            break;
        case 'h':
        case OPT_HELP:
            return SS_CLI_HELP;
        case ':':
            return fail(cli, "option '%s' needs a value", argv[optind - 1]);
        default:
            if (optopt)
                return fail(cli, "%s: unknown option '-%c'", argv[1], optopt);
            return fail(cli, "%s: unknown option '%s'", argv[1], argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return fail(cli, export ? "export: no data file given; write e.g. statesheet "
                    "export data/ncmec-2023.xml > ncmec.csv"
                    : "import: no CSV file given; write e.g. statesheet import "
                    "figures.csv -o data/ncmec-2024.xml");
    if (argc - optind > 1)
        return fail(cli, "%s: one file at a time; '%s' is one too many", argv[1],
                    argv[optind + 1]);
    o->input = argv[optind];
    if (!strcmp(o->input, "-") && o->template_path && !strcmp(o->template_path, "-"))
        return fail(cli, "%s: the %s and the template cannot both be read from standard "
                    "input ('-'); give one of them as a file", argv[1],
                    export ? "data file" : "CSV file");
    return export ? SS_CLI_EXPORT : SS_CLI_IMPORT;
}

ss_cli_action ss_cli_parse(ss_cli *cli, int argc, char **argv, int is_tty)
{
    memset(cli, 0, sizeof *cli);
    if (argc >= 2 && !strcmp(argv[1], "mail")) {
        int rc = ss_mail_parse(&cli->mail, argc, argv, cli->message, sizeof cli->message);
        return rc == 0 ? SS_CLI_MAIL : rc == 1 ? SS_CLI_MAIL_HELP : SS_CLI_ERROR;
    }
    if (argc >= 2 && (!strcmp(argv[1], "export") || !strcmp(argv[1], "import")))
        return parse_csv_command(cli, argc, argv);
    ss_options *o = &cli->opt;
    o->verbosity = 1;
    o->progress = is_tty != 0;
    size_t cap = 0;
    bool quiet = false, verbose = false;
    optind = 0; /* getopt_long may run more than once (tests) */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":o:s:t:qvj:h", LONG_OPTIONS, NULL)) != -1) {
        long v, k;
        switch (c) {
        case 'o':
            if (!*optarg)
                return fail(cli, "--out needs a folder name");
            o->out_dir = optarg;
            break;
        case 's':
            if (!*optarg)
                return fail(cli, "--state needs a state code, e.g. --state ND");
            cli->states_store = ss_xgrow(cli->states_store, sizeof(char *), o->nstates + 1, &cap);
            cli->states_store[o->nstates++] = optarg;
            o->states = cli->states_store;
            break;
        case 't':
            o->template_path = optarg;
            break;
        case OPT_CHECK:
            o->check_only = true;
            break;
        case OPT_STRICT:
            o->strict = true;
            break;
        case 'q':
            quiet = true;
            break;
        case 'v':
            verbose = true;
            break;
        case 'j':
            if (!parse_int(optarg, 1, 256, &v))
                return fail(cli, "--jobs '%s': write a whole number from 1 to 256", optarg);
            o->jobs = (int)v;
            break;
        case OPT_PAPER:
            if (!strcmp(optarg, "letter"))
                o->paper = SS_PAPER_LETTER;
            else if (!strcmp(optarg, "a4") || !strcmp(optarg, "A4"))
                o->paper = SS_PAPER_A4;
            else
                return fail(cli, "--paper '%s': write letter or a4", optarg);
            break;
        case OPT_SHARD: {
            char *slash = strchr(optarg, '/');
            char kbuf[32];
            if (!slash || (size_t)(slash - optarg) >= sizeof kbuf)
                return fail(cli, "--shard '%s': write K/N, e.g. --shard 2/8", optarg);
            memcpy(kbuf, optarg, (size_t)(slash - optarg));
            kbuf[slash - optarg] = '\0';
            if (!parse_int(slash + 1, 1, 1000000, &v) || !parse_int(kbuf, 1, v, &k))
                return fail(cli, "--shard '%s': write K/N with 1 <= K <= N, e.g. "
                            "--shard 2/8", optarg);
            o->shard_k = (int)k;
            o->shard_n = (int)v;
            break;
        }
        case OPT_COMBINED:
            if (!*optarg)
                return fail(cli, "--combined needs a file name");
            o->combined_path = optarg;
            break;
        case OPT_ASSETS:
            o->assets_dir = optarg;
            break;
        case 'h':
        case OPT_HELP:
            return SS_CLI_HELP;
        case OPT_VERSION:
            return SS_CLI_VERSION;
        case ':':
            return fail(cli, "option '%s' needs a value", argv[optind - 1]);
        default:
            if (optopt)
                return fail(cli, "unknown option '-%c'", optopt);
            return fail(cli, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (quiet && verbose)
        return fail(cli, "--quiet and --verbose cannot be used together");
    o->verbosity = quiet ? 0 : verbose ? 2 : 1;
    if (optind >= argc)
        return fail(cli, "no data file given; write e.g. statesheet data/ncmec-2023.xml");
    if (argc - optind > 1)
        return fail(cli, "one data file at a time; '%s' is one too many", argv[optind + 1]);
    o->data_path = argv[optind];
    if (!strcmp(o->data_path, "-") && o->template_path && !strcmp(o->template_path, "-"))
        return fail(cli, "the data file and the template cannot both be read from "
                    "standard input ('-'); give one of them as a file");
    if (o->check_only && o->combined_path)
        return fail(cli, "--check writes nothing, so --combined cannot go with it");
    return SS_CLI_RUN;
}

void ss_cli_free(ss_cli *cli)
{
    free(cli->states_store);
    cli->states_store = NULL;
}
