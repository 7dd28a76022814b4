/* mail.c - statesheet mail (see mail.h): manifests -> checked sheets ->
 * contacts -> one message per state -> drafts, or the SMTP server and the
 * send log.
 *
 * Order matters: everything that can be wrong with the inputs (a manifest,
 * a sheet that changed, the contacts, the template, the URL) is found
 * before the first draft is written or the first message sent, so a run
 * either does its whole job or stops having done nothing, except for the
 * server failing midway, which the send log is for.
 */
#include "mail.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "contacts.h"
#include "csv_io.h"
#include "diag.h"
#include "mime.h"
#include "outfile.h"
#include "paths.h"
#include "run.h"
#include "smtp.h"
#include "template.h"
#include "util.h"
#include "workbook.h"

#define DEFAULT_TEMPLATE "templates/state-data.xml"
#define MAIL_FOLDER "mail"
/* A sheet is about 20 KB; a file in the folder a thousand times that is
 * not one of ours, and a mail server would refuse it anyway. */
#define SHEET_MAX_BYTES (20u * 1024u * 1024u)
/* The manifest's columns, as manifest.c writes them. */
#define MANIFEST_HEADER "kind,code,name,year,file,pages,bytes,sha256,sample"
enum { M_KIND, M_CODE, M_NAME, M_YEAR, M_FILE, M_PAGES, M_BYTES, M_SHA, M_SAMPLE, M_NCOLS };
/* The send log's columns. */
#define LOG_HEADER "code,name,year,file,sha256,message_id,recipients,reply,sent"
enum { L_CODE, L_NAME, L_YEAR, L_FILE, L_SHA, L_ID, L_RCPT, L_REPLY, L_SENT, L_NCOLS };

typedef struct sheet {
    char *code, *name, *file;
    int year;
    bool sample;
    char sha256[65];
    const char *manifest; /* the manifest's name (owned by the run) */
    long row;             /* its row there */
    unsigned char *bytes;
    size_t len;
} sheet;

typedef struct sent {
    char *cells[L_NCOLS];
    int year;
    bool sample;
} sent;

typedef struct mailrun {
    const ss_mail_options *o;
    ss_diag *diag;
    char **manifests; /* names in the folder */
    size_t nmanifests;
    sheet *sheets;
    size_t nsheets, cap;
    sent *log;
    size_t nlog, logcap;
} mailrun;

/* ---- the command line ---------------------------------------------------- */

enum {
    OPT_CONTACTS = 256,
    OPT_FROM,
    OPT_SEND,
    OPT_NETRC,
    OPT_ALLOW_SAMPLE,
    OPT_RESEND,
    OPT_STRICT,
    OPT_ASSETS,
    OPT_HELP
};

void ss_mail_help(FILE *to)
{
    fputs("Mailing the sheets (statesheet mail [OPTIONS] DIR; DIR: a run's folder):\n"
          "      --contacts FILE  CSV, .xlsx or .ods with the columns code, email\n"
          "                       (and name, cc):\n"
          "                       one row per recipient (required)\n"
          "      --from ADDRESS   the sender (default: the template's <mail from>)\n"
          "      --send URL       send through smtp://HOST:PORT (STARTTLS) or\n"
          "                       smtps://HOST:PORT; without it: drafts in DIR/mail/\n"
          "      --netrc-file F   the user name and password for --send (default\n"
          "                       ~/.netrc); never on the command line\n"
          "      --allow-sample   also mail sheets made from sample data\n"
          "      --resend CODE    send CODE's sheet again though it was sent\n"
          "      --strict         a sheet without a contact is an error\n"
          "  -t, --template, --assets, -q: as for making sheets.  Each sheet is\n"
          "  checked against the manifest first; sent messages are logged in\n"
          "  DIR/mail/sent-YEAR.csv, so running again sends only the rest.\n"
          "  69: the server refused; 75: try again later (4xx, no connection).\n",
          to);
}

static int usage(char *msg, size_t msglen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int usage(char *msg, size_t msglen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, msglen, fmt, ap);
    va_end(ap);
    return SS_EXIT_USAGE;
}

int ss_mail_parse(ss_mail_options *o, int argc, char **argv, char *msg, size_t msglen)
{
    static const struct option OPTIONS[] = {
        {"contacts", required_argument, NULL, OPT_CONTACTS},
        {"from", required_argument, NULL, OPT_FROM},
        {"send", required_argument, NULL, OPT_SEND},
        {"netrc-file", required_argument, NULL, OPT_NETRC},
        {"allow-sample", no_argument, NULL, OPT_ALLOW_SAMPLE},
        {"resend", required_argument, NULL, OPT_RESEND},
        {"strict", no_argument, NULL, OPT_STRICT},
        {"template", required_argument, NULL, 't'},
        {"assets", required_argument, NULL, OPT_ASSETS},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->verbosity = 1;
    optind = 2;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":t:q", OPTIONS, NULL)) != -1) {
        switch (c) {
        case OPT_CONTACTS:
            o->contacts_path = optarg;
            break;
        case OPT_FROM:
            o->from = optarg;
            break;
        case OPT_SEND:
            o->send_url = optarg;
            break;
        case OPT_NETRC:
            o->netrc_path = optarg;
            break;
        case OPT_ALLOW_SAMPLE:
            o->allow_sample = true;
            break;
        case OPT_RESEND:
            if (o->nresend == SS_MAIL_MAX_RESEND)
                return usage(msg, msglen, "--resend: at most %d codes", SS_MAIL_MAX_RESEND);
            o->resend[o->nresend++] = optarg;
            break;
        case OPT_STRICT:
            o->strict = true;
            break;
        case 't':
            o->template_path = optarg;
            break;
        case OPT_ASSETS:
            o->assets_dir = optarg;
            break;
        case 'q':
            o->verbosity = 0;
            break;
        case OPT_HELP:
            return 1;
        case ':':
            return usage(msg, msglen, "option '%s' needs a value", argv[optind - 1]);
        default:
            if (optopt)
                return usage(msg, msglen, "mail: unknown option '-%c'", optopt);
            return usage(msg, msglen, "mail: unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return usage(msg, msglen, "mail: no folder given; write e.g. statesheet mail "
                     "--contacts contacts.csv out");
    if (argc - optind > 1)
        return usage(msg, msglen, "mail: one folder at a time; '%s' is one too many",
                     argv[optind + 1]);
    o->dir = argv[optind];
    if (!o->contacts_path || !*o->contacts_path)
        return usage(msg, msglen, "mail: --contacts FILE is needed: who gets each "
                     "state's sheet (README.md, \"Mailing the sheets\")");
    if (o->nresend && !o->send_url)
        return usage(msg, msglen, "--resend goes with --send (drafts are always written "
                     "anew)");
    if (o->netrc_path && !o->send_url)
        return usage(msg, msglen, "--netrc-file goes with --send");
    return 0;
}

/* ---- the manifests and the sheets ---------------------------------------- */

typedef struct manifest_reader {
    mailrun *r;
    const char *name;
    ss_csv_errors *errs;
    bool header_ok;
} manifest_reader;

static bool hex64(const char *s)
{
    if (strlen(s) != 64)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

static bool on_manifest_row(void *ctx, long row, char **cells, size_t n)
{
    manifest_reader *m = ctx;
    if (row == 1) {
        char *joined = NULL;
        size_t jl = 0;
        FILE *f = open_memstream(&joined, &jl);
        for (size_t i = 0; f && i < n; i++)
            fprintf(f, "%s%s", i ? "," : "", cells[i]);
        if (f)
            fclose(f);
        m->header_ok = joined && !strcmp(joined, MANIFEST_HEADER);
        free(joined);
        if (!m->header_ok)
            ss_csv_error(m->errs, 1, 0, "this is not a manifest statesheet wrote (its "
                         "first row is not %s); make the sheets again", MANIFEST_HEADER);
        return m->header_ok;
    }
    if (n == 0 || strcmp(cells[0], "sheet"))
        return true;
    if (n != M_NCOLS) {
        ss_csv_error(m->errs, row, 0, "the row has %zu cells, not %d; make the sheets again",
                     n, M_NCOLS);
        return true;
    }
    const char *file = cells[M_FILE];
    long year = strtol(cells[M_YEAR], NULL, 10);
    if (!file[0] || file[0] == '.' || strchr(file, '/') || strlen(file) < 5 ||
        strcmp(file + strlen(file) - 4, ".pdf")) {
        ss_csv_error(m->errs, row, M_FILE + 1, "'%.60s' is not the name of a sheet in the "
                     "folder; make the sheets again", file);
        return true;
    }
    if (!hex64(cells[M_SHA]) || !cells[M_CODE][0] || year < 1900 || year > 2999) {
        ss_csv_error(m->errs, row, 0, "the row is damaged (code, year or SHA-256); make "
                     "the sheets again");
        return true;
    }
    mailrun *r = m->r;
    r->sheets = ss_xgrow(r->sheets, sizeof *r->sheets, r->nsheets + 1, &r->cap);
    sheet *s = &r->sheets[r->nsheets++];
    memset(s, 0, sizeof *s);
    s->code = ss_xstrdup(cells[M_CODE]);
    s->name = ss_xstrdup(cells[M_NAME][0] ? cells[M_NAME] : cells[M_CODE]);
    s->file = ss_xstrdup(file);
    s->year = (int)year;
    s->sample = !strcmp(cells[M_SAMPLE], "true");
    memcpy(s->sha256, cells[M_SHA], 65);
    s->manifest = m->name;
    s->row = row;
    return true;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Opens name in dir as a regular file, never through a link. */
static int open_in(const char *dir, const char *name, struct stat *st)
{
    char *path = ss_path_join(dir, name);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    free(path);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        errno = EINVAL;
        return -1;
    }
    return fd;
}

/* Reads every manifest-*.csv in the folder.  Returns an exit status. */
static int read_manifests(mailrun *r)
{
    const char *dir = r->o->dir;
    DIR *d = opendir(dir);
    if (!d) {
        ss_diag_error(r->diag, dir, 0, "cannot open the folder: %s; give the folder the "
                      "sheets were made in (statesheet -o DIR ...)", strerror(errno));
        return SS_EXIT_NOINPUT;
    }
    size_t cap = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (!strncmp(e->d_name, "manifest-", 9) && n > 13 && !strcmp(e->d_name + n - 4, ".csv")) {
            r->manifests = ss_xgrow(r->manifests, sizeof *r->manifests, r->nmanifests + 1, &cap);
            r->manifests[r->nmanifests++] = ss_xstrdup(e->d_name);
        }
    }
    closedir(d);
    if (!r->nmanifests) {
        ss_diag_error(r->diag, dir, 0, "the folder has no manifest-YEAR.csv: it is not "
                      "the output folder of a run; make the sheets first (statesheet -o "
                      "%s DATA.xml)", dir);
        return SS_EXIT_NOINPUT;
    }
    qsort(r->manifests, r->nmanifests, sizeof *r->manifests, by_name);
    int status = SS_EXIT_OK;
    for (size_t i = 0; i < r->nmanifests; i++) {
        struct stat st;
        int fd = open_in(dir, r->manifests[i], &st);
        char *path = ss_path_join(dir, r->manifests[i]);
        FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
        if (!f) {
            ss_diag_error(r->diag, path, 0, "cannot read the manifest: %s",
                          strerror(errno ? errno : EINVAL));
            if (fd >= 0)
                close(fd);
            free(path);
            status = SS_EXIT_NOINPUT;
            continue;
        }
        ss_csv_errors *errs = ss_csv_errors_new();
        manifest_reader m = {r, r->manifests[i], errs, false};
        char delim = 0;
        ss_csv_read(f, ',', on_manifest_row, &m, errs, &delim);
        fclose(f);
        if (ss_csv_error_count(errs)) {
            ss_diag_print(r->diag, stderr);
            ss_csv_errors_print(errs, path, stderr);
            if (!status)
                status = SS_EXIT_DATAERR;
        }
        ss_csv_errors_free(errs);
        free(path);
    }
    return status;
}

static struct timespec manifest_time(mailrun *r, const char *name)
{
    struct stat st;
    struct timespec t = {0, 0};
    char *path = ss_path_join(r->o->dir, name);
    if (lstat(path, &st) == 0)
        t = st.st_mtim;
    free(path);
    return t;
}

/* Every sheet against its manifest: there, a regular file, not newer than
 * the manifest, the same bytes.  Keeps the bytes for the messages. */
static int check_sheets(mailrun *r)
{
    int status = SS_EXIT_OK;
    for (size_t i = 0; i < r->nsheets; i++) {
        sheet *s = &r->sheets[i];
        char *path = ss_path_join(r->o->dir, s->file);
        struct stat st;
        int fd = open_in(r->o->dir, s->file, &st);
        if (fd < 0) {
            ss_diag_error(r->diag, path, 0, "%s (named by %s, row %ld): %s; make the "
                          "sheets again", errno == ENOENT ? "the sheet is missing"
                          : "cannot read the sheet", s->manifest, s->row,
                          errno == ENOENT ? "nothing was mailed" : strerror(errno));
            status = SS_EXIT_DATAERR;
            free(path);
            continue;
        }
        struct timespec mt = manifest_time(r, s->manifest);
        bool newer = st.st_mtim.tv_sec > mt.tv_sec ||
                     (st.st_mtim.tv_sec == mt.tv_sec && st.st_mtim.tv_nsec > mt.tv_nsec);
        char hex[65] = "";
        if ((uint64_t)st.st_size <= SHEET_MAX_BYTES) {
            s->len = (size_t)st.st_size;
            s->bytes = ss_xmalloc(s->len ? s->len : 1);
            size_t got = 0;
            for (ssize_t n = 1; got < s->len && n > 0; got += n > 0 ? (size_t)n : 0)
                n = read(fd, s->bytes + got, s->len - got);
            if (got == s->len)
                ss_sha256_hex(s->bytes, s->len, hex);
        }
        close(fd);
        if (newer)
            ss_diag_error(r->diag, path, 0, "the sheet is newer than %s: it was changed "
                          "or made again after that run; make the sheets again so the "
                          "manifest describes them (or remove a manifest left over from "
                          "an earlier run)", s->manifest);
        else if (strcmp(hex, s->sha256))
            ss_diag_error(r->diag, path, 0, "the sheet has changed since %s was written "
                          "(its SHA-256 differs from row %ld); make the sheets again",
                          s->manifest, s->row);
        if (newer || strcmp(hex, s->sha256))
            status = SS_EXIT_DATAERR;
        free(path);
    }
    /* A sheet named by two manifests is one message. */
    size_t k = 0;
    for (size_t i = 0; i < r->nsheets; i++) {
        bool dup = false;
        for (size_t j = 0; j < k && !dup; j++)
            dup = !strcmp(r->sheets[j].file, r->sheets[i].file);
        if (dup) {
            free(r->sheets[i].code), free(r->sheets[i].name), free(r->sheets[i].file);
            free(r->sheets[i].bytes);
        } else {
            r->sheets[k++] = r->sheets[i];
        }
    }
    r->nsheets = k;
    return status;
}

/* ---- the message ---------------------------------------------------------- */

/* Template text with its white space collapsed, as on the sheet. */
static void add_text(ss_buf *b, const ss_tnode *t, const sheet *s)
{
    for (; t; t = t->next) {
        const char *src = t->kind == SS_T_NAME ? s->name : t->kind == SS_T_CODE ? s->code
                        : t->kind == SS_T_TEXT ? t->text : NULL;
        char year[8];
        if (t->kind == SS_T_YEAR) {
            snprintf(year, sizeof year, "%d", s->year);
            src = year;
        }
        for (const char *p = src; p && *p; p++) {
            bool space = *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r';
            if (space && (b->len == 0 || b->data[b->len - 1] == ' ' ||
                          b->data[b->len - 1] == '\n'))
                continue;
            ss_buf_addc(b, space ? ' ' : *p);
        }
    }
}

static char *render_line(const ss_tnode *t, const sheet *s)
{
    ss_buf b;
    ss_buf_init(&b);
    add_text(&b, t, s);
    while (b.len && b.data[b.len - 1] == ' ')
        b.data[--b.len] = '\0';
    return ss_buf_steal(&b);
}

static char *render_body(const ss_tnode *paras, const sheet *s)
{
    ss_buf b;
    ss_buf_init(&b);
    for (const ss_tnode *p = paras; p; p = p->next) {
        char *line = render_line(p->children, s);
        if (b.len)
            ss_buf_adds(&b, "\n\n");
        ss_buf_adds(&b, line);
        free(line);
    }
    return ss_buf_steal(&b);
}

/* A draft's date: SOURCE_DATE_EPOCH when set (the same drafts from the
 * same sheets); a message sent now says now. */
static time_t message_time(bool draft)
{
    const char *e = getenv("SOURCE_DATE_EPOCH");
    char *end;
    if (draft && e && *e) {
        long long v = strtoll(e, &end, 10);
        if (!*end && v >= 0)
            return (time_t)v;
    }
    return time(NULL);
}

typedef struct message {
    char *bytes;
    size_t len;
    char *id;
    ss_mime_addr *to, *cc;
    size_t nto, ncc;
    const char **rcpt;
    size_t nrcpt;
} message;

static void message_free(message *m)
{
    free(m->bytes), free(m->id), free(m->to), free(m->cc), free(m->rcpt);
}

static void make_message(message *m, const sheet *s, const ss_contacts *cs,
                         const ss_template *t, const ss_mime_addr *from, bool draft)
{
    memset(m, 0, sizeof *m);
    m->to = ss_xcalloc(cs->n + 1, sizeof *m->to);
    m->cc = ss_xcalloc(cs->n + 1, sizeof *m->cc);
    m->rcpt = ss_xcalloc(cs->n + 1, sizeof *m->rcpt);
    for (size_t i = 0; i < cs->n; i++) {
        const ss_contact *c = &cs->items[i];
        if (strcmp(c->code, s->code))
            continue;
        ss_mime_addr a = {c->name, c->email};
        if (c->cc)
            m->cc[m->ncc++] = a;
        else
            m->to[m->nto++] = a;
    }
    /* Only Cc rows: the first goes on To, which a message must have. */
    if (!m->nto && m->ncc) {
        m->to[m->nto++] = m->cc[0];
        memmove(m->cc, m->cc + 1, --m->ncc * sizeof *m->cc);
    }
    for (size_t i = 0; i < m->nto; i++)
        m->rcpt[m->nrcpt++] = m->to[i].email;
    for (size_t i = 0; i < m->ncc; i++)
        m->rcpt[m->nrcpt++] = m->cc[i].email;
    /* Message-ID: the same sheet always gets the same one, so a copy that
     * arrives twice is seen as one by the recipient's mail program. */
    const char *at = strrchr(from->email, '@');
    const char *domain = at && at[1] != '[' ? at + 1 : "statesheet.invalid";
    char stem[64];
    snprintf(stem, sizeof stem, "%s", s->file);
    stem[strlen(stem) - 4] = '\0'; /* .pdf */
    m->id = ss_xasprintf("%s.%.16s@%s", stem, s->sha256, domain);
    char *subject = render_line(t->mail_subject, s);
    char *body = render_body(t->mail_body, s);
    ss_mime_msg msg = {
        .from = *from, .to = m->to, .nto = m->nto, .cc = m->cc, .ncc = m->ncc,
        .subject = subject, .body = body, .lang = t->lang, .message_id = m->id,
        .date = message_time(draft), .draft = draft, .file_name = s->file,
        .file = s->bytes, .file_len = s->len,
    };
    m->bytes = ss_mime_build(&msg, &m->len);
    free(subject);
    free(body);
}

/* ---- the send log ---------------------------------------------------------- */

static char *log_name(int year, bool sample)
{
    return ss_xasprintf("sent-%d%s.csv", year, sample ? "-SAMPLE" : "");
}

typedef struct log_reader {
    mailrun *r;
    int year;
    bool sample;
    ss_csv_errors *errs;
} log_reader;

static bool on_log_row(void *ctx, long row, char **cells, size_t n)
{
    log_reader *l = ctx;
    if (row == 1 || n == 0)
        return true;
    if (n != L_NCOLS || !hex64(cells[L_SHA])) {
        ss_csv_error(l->errs, row, 0, "the row is damaged; the log is statesheet's own "
                     "record of what was sent: restore it from a backup, or remove the "
                     "row if that message was not sent");
        return true;
    }
    mailrun *r = l->r;
    r->log = ss_xgrow(r->log, sizeof *r->log, r->nlog + 1, &r->logcap);
    sent *e = &r->log[r->nlog++];
    for (int i = 0; i < L_NCOLS; i++)
        e->cells[i] = ss_xstrdup(cells[i]);
    e->year = l->year;
    e->sample = l->sample;
    return true;
}

static int read_log(mailrun *r, const char *maildir, int year, bool sample)
{
    for (size_t i = 0; i < r->nlog; i++)
        if (r->log[i].year == year && r->log[i].sample == sample)
            return SS_EXIT_OK; /* read already */
    char *name = log_name(year, sample);
    char *path = ss_path_join(maildir, name);
    struct stat st;
    int status = SS_EXIT_OK;
    int fd = open_in(maildir, name, &st);
    if (fd < 0 && errno != ENOENT) {
        ss_diag_error(r->diag, path, 0, "cannot read the send log: %s", strerror(errno));
        status = SS_EXIT_NOINPUT;
    } else if (fd >= 0) {
        FILE *f = fdopen(fd, "rb");
        ss_csv_errors *errs = ss_csv_errors_new();
        log_reader l = {r, year, sample, errs};
        char delim = 0;
        ss_csv_read(f, ',', on_log_row, &l, errs, &delim);
        fclose(f);
        if (ss_csv_error_count(errs)) {
            ss_csv_errors_print(errs, path, stderr);
            status = SS_EXIT_DATAERR;
        }
        ss_csv_errors_free(errs);
    }
    free(path);
    free(name);
    return status;
}

static sent *log_find(mailrun *r, const sheet *s)
{
    for (size_t i = 0; i < r->nlog; i++)
        if (r->log[i].year == s->year && r->log[i].sample == s->sample &&
            !strcmp(r->log[i].cells[L_FILE], s->file))
            return &r->log[i];
    return NULL;
}

/* Rewrites the log of s's year through outfile.c's one atomic write. */
static int write_log(mailrun *r, const char *maildir, int year, bool sample)
{
    char *data = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&data, &len);
    if (!f)
        return SS_EXIT_SOFTWARE;
    fputs(LOG_HEADER "\r\n", f);
    for (size_t i = 0; i < r->nlog; i++) {
        if (r->log[i].year != year || r->log[i].sample != sample)
            continue;
        for (int c = 0; c < L_NCOLS; c++) {
            if (c)
                putc(',', f);
            ss_csv_put(f, r->log[i].cells[c], ',');
        }
        fputs("\r\n", f);
    }
    fclose(f);
    char *name = log_name(year, sample);
    int status = ss_outfile_write(maildir, name, data, len, r->diag);
    free(name);
    free(data);
    return status;
}

static void log_record(mailrun *r, const sheet *s, const message *m, const char *reply)
{
    sent *e = log_find(r, s);
    if (!e) {
        r->log = ss_xgrow(r->log, sizeof *r->log, r->nlog + 1, &r->logcap);
        e = &r->log[r->nlog++];
        memset(e, 0, sizeof *e);
    }
    for (int i = 0; i < L_NCOLS; i++)
        free(e->cells[i]);
    ss_buf rc;
    ss_buf_init(&rc);
    for (size_t i = 0; i < m->nrcpt; i++) {
        if (i)
            ss_buf_adds(&rc, " ");
        ss_buf_adds(&rc, m->rcpt[i]);
    }
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    e->cells[L_CODE] = ss_xstrdup(s->code);
    e->cells[L_NAME] = ss_xstrdup(s->name);
    e->cells[L_YEAR] = ss_xasprintf("%d", s->year);
    e->cells[L_FILE] = ss_xstrdup(s->file);
    e->cells[L_SHA] = ss_xstrdup(s->sha256);
    e->cells[L_ID] = ss_xasprintf("<%s>", m->id);
    e->cells[L_RCPT] = ss_buf_steal(&rc);
    e->cells[L_REPLY] = ss_xstrdup(reply);
    e->cells[L_SENT] = ss_xstrdup(when);
    e->year = s->year;
    e->sample = s->sample;
}

/* ---- the run ---------------------------------------------------------------- */

static bool resend_wanted(const ss_mail_options *o, const char *code)
{
    for (size_t i = 0; i < o->nresend; i++)
        if (!strcmp(o->resend[i], code))
            return true;
    return false;
}

static bool has_contact(const ss_contacts *cs, const char *code)
{
    for (size_t i = 0; i < cs->n; i++)
        if (!strcmp(cs->items[i].code, code))
            return true;
    return false;
}

static ss_template *load_template(mailrun *r, int *status)
{
    const ss_mail_options *o = r->o;
    char *assets = o->template_path ? NULL : ss_assets_dir(o->assets_dir);
    char *path = o->template_path ? ss_xstrdup(o->template_path)
                 : assets ? ss_path_join(assets, DEFAULT_TEMPLATE) : NULL;
    free(assets);
    if (!path) {
        ss_diag_error(r->diag, NULL, 0, "cannot find the default template; reinstall "
                      "statesheet or give -t TEMPLATE");
        *status = SS_EXIT_SOFTWARE;
        return NULL;
    }
    int e = 0;
    ss_template *t = ss_template_load(path, r->diag, &e);
    if (!t) {
        if (e)
            ss_diag_error(r->diag, path, 0, "cannot read the template: %s", strerror(e));
        *status = e ? (o->template_path ? SS_EXIT_NOINPUT : SS_EXIT_SOFTWARE)
                    : SS_EXIT_DATAERR;
    } else if (!t->mail_subject) {
        ss_diag_error(r->diag, path, 0, "the template has no <mail> (the subject and "
                      "text of the message); add one, as in the default template "
                      "state-data.xml");
        *status = SS_EXIT_DATAERR;
        ss_template_free(t);
        t = NULL;
    }
    free(path);
    return t;
}

/* The jurisdictions (assets/jurisdictions.csv), whose codes the contacts
 * file may name though the folder has no sheet of theirs. */
static int load_places(mailrun *r, ss_places *places)
{
    char *assets = ss_assets_dir(r->o->assets_dir);
    char *path = assets ? ss_path_join(assets, SS_JURISDICTIONS_FILE) : NULL;
    bool ok = path && ss_places_load(path, places);
    if (!ok)
        ss_diag_error(r->diag, path, 0, "cannot read the list of jurisdictions; reinstall "
                      "statesheet, or name its assets with --assets DIR");
    free(path);
    free(assets);
    return ok ? SS_EXIT_OK : SS_EXIT_SOFTWARE;
}

static bool has_sheet(const mailrun *r, const char *code)
{
    for (size_t i = 0; i < r->nsheets; i++)
        if (!strcmp(r->sheets[i].code, code))
            return true;
    return false;
}

/* Rows of states with no sheet in the folder get no mail: one line says
 * which, since after a run with -s that is most of the file. */
static void warn_no_sheet(mailrun *r, const ss_contacts *cs)
{
    size_t n = 0;
    ss_buf codes;
    ss_buf_init(&codes);
    for (size_t i = 0; i < cs->n; i++) {
        const char *code = cs->items[i].code;
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = !strcmp(cs->items[k].code, code);
        if (seen || has_sheet(r, code))
            continue;
        ss_buf_printf(&codes, "%s%s", n ? ", " : "", code);
        n++;
    }
    if (n)
        ss_diag_add(r->diag, SS_WARNING, r->o->contacts_path, 0, "%zu state%s in the "
                    "contacts ha%s no sheet in %s (%s); %s no mail", n, n == 1 ? "" : "s",
                    n == 1 ? "s" : "ve", r->o->dir, codes.data, n == 1 ? "it gets" :
                    "they get");
    ss_buf_free(&codes);
}

/* Sends each state's message that the log does not show as accepted.
 * Returns an exit status; prints the summary. */
static int send_all(mailrun *r, ss_smtp *smtp, const ss_contacts *cs,
                    const ss_template *t, const ss_mime_addr *from, const char *maildir)
{
    const ss_mail_options *o = r->o;
    int status = SS_EXIT_OK;
    size_t nsent = 0, nbefore = 0, nremade = 0;
    ss_buf unsent;
    ss_buf_init(&unsent);
    for (size_t i = 0; i < r->nsheets; i++) {
        const sheet *s = &r->sheets[i];
        if (!has_contact(cs, s->code))
            continue;
        if (status != SS_EXIT_OK) {
            ss_buf_printf(&unsent, " %s", s->code);
            continue;
        }
        sent *e = log_find(r, s);
        if (e && !resend_wanted(o, s->code)) {
            if (!strcmp(e->cells[L_SHA], s->sha256)) {
                nbefore++;
            } else {
                nremade++;
                ss_diag_add(r->diag, SS_WARNING, NULL, 0, "%s (%s): %s was sent on %s "
                            "and has been made again since; it is not sent again (give "
                            "--resend %s to send the new one)", s->code, s->name, s->file,
                            e->cells[L_SENT], s->code);
            }
            continue;
        }
        message m;
        make_message(&m, s, cs, t, from, false);
        char reply[SS_SMTP_REPLY_MAX];
        int rc = ss_smtp_send(smtp, from->email, m.rcpt, m.nrcpt, m.bytes, m.len, reply);
        if (rc == SS_EXIT_OK) {
            log_record(r, s, &m, reply);
            rc = write_log(r, maildir, s->year, s->sample);
            nsent++;
            if (o->verbosity > 0)
                ss_outfile_printf("sent %s to %zu address%s: %s\n", s->file, m.nrcpt,
                                  m.nrcpt == 1 ? "" : "es", reply);
            if (rc != SS_EXIT_OK)
                ss_diag_error(r->diag, NULL, 0, "%s was sent but the send log could not be "
                              "written; stopped so nothing is sent twice", s->file);
        } else {
            ss_diag_error(r->diag, NULL, 0, "%s (%s) was not sent: %s", s->file, s->name,
                          reply);
            ss_buf_printf(&unsent, " %s", s->code);
        }
        status = rc;
        message_free(&m);
    }
    ss_diag_print(r->diag, stderr);
    if (status != SS_EXIT_OK)
        fprintf(stderr, "statesheet: %zu sent, %zu sent before, not sent:%s; %s\n", nsent,
                nbefore, unsent.data ? unsent.data : "",
                status == SS_EXIT_TEMPFAIL ? "run the same command again later to send "
                "the rest (what was sent is in the send log and is not sent again)"
                : "fix what the server says, then run the same command again to send the "
                "rest");
    else if (o->verbosity > 0)
        ss_outfile_printf("%zu sent, %zu sent before%s -> %s\n", nsent, nbefore,
                          nremade ? ", some made again since (see above)" : "",
                          o->send_url);
    ss_buf_free(&unsent);
    return status;
}

static int write_drafts(mailrun *r, const ss_contacts *cs, const ss_template *t,
                        const ss_mime_addr *from, const char *maildir)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nsheets; i++) {
        const sheet *s = &r->sheets[i];
        if (!has_contact(cs, s->code))
            continue;
        message m;
        make_message(&m, s, cs, t, from, true);
        char *name = ss_xstrdup(s->file);
        strcpy(name + strlen(name) - 4, ".eml");
        int status = ss_outfile_write(maildir, name, m.bytes, m.len, r->diag);
        free(name);
        message_free(&m);
        if (status != SS_EXIT_OK)
            return status;
        n++;
    }
    if (r->o->verbosity > 0)
        ss_outfile_printf("%zu draft%s -> %s/\n", n, n == 1 ? "" : "s", maildir);
    return SS_EXIT_OK;
}

static int check_from(mailrun *r, const ss_template *t, ss_mime_addr *from, char **name,
                      char **email)
{
    const ss_mail_options *o = r->o;
    const char *given = o->from ? o->from : t->mail_from;
    if (!given || !*given) {
        fprintf(stderr, "statesheet: mail: no sender: give --from ADDRESS, or write "
                "<mail from=\"Name &lt;address&gt;\"> in the template\n");
        return SS_EXIT_USAGE;
    }
    const char *why = ss_mime_parse_mailbox(given, name, email);
    if (!why)
        why = ss_addr_check(*email);
    if (why) {
        fprintf(stderr, "statesheet: mail: the sender '%.100s' (%s): %s\n", given,
                o->from ? "--from" : "the template's <mail from>", why);
        return o->from ? SS_EXIT_USAGE : SS_EXIT_DATAERR;
    }
    /* The shipped templates' placeholder must not reach a real server. */
    if (o->send_url && !o->from) {
        const char *at = strrchr(*email, '@');
        if (at && !strcasecmp(at + 1, "example.org")) {
            fprintf(stderr, "statesheet: mail: the template's sender %s is a "
                    "placeholder; give --from with your own address\n", *email);
            return SS_EXIT_USAGE;
        }
    }
    from->name = *name;
    from->email = *email;
    return SS_EXIT_OK;
}

int ss_mail_run(const ss_mail_options *o)
{
    mailrun r = {.o = o, .diag = ss_diag_new()};
    ss_template *t = NULL;
    ss_contacts *cs = NULL;
    ss_places places = {0};
    ss_csv_errors *errs = ss_csv_errors_new();
    char *from_name = NULL, *from_email = NULL, *maildir = NULL;
    const char **codes = NULL;
    ss_smtp *smtp = NULL;
    int lock_fd = -1;
    ss_mime_addr from;
    int status = SS_EXIT_OK;
    if (o->send_url) { /* a wrong URL is a usage error: found first */
        char err[400];
        smtp = ss_smtp_new(o->send_url, o->netrc_path, err, sizeof err);
        if (!smtp) {
            fprintf(stderr, "statesheet: %s\nTry 'statesheet mail --help'.\n", err);
            status = SS_EXIT_USAGE;
            goto done;
        }
    }
    status = read_manifests(&r);
    if (status == SS_EXIT_OK)
        status = check_sheets(&r);
    if (status != SS_EXIT_OK)
        goto done;
    /* Sample sheets: never mailed by accident. */
    for (size_t i = 0; i < r.nsheets && !o->allow_sample; i++)
        if (r.sheets[i].sample) {
            char *path = ss_path_join(o->dir, r.sheets[i].file);
            ss_diag_error(r.diag, path, 0, "made from sample data (fictional figures): "
                          "sample sheets are mailed only with --allow-sample, so they never "
                          "reach a real clearinghouse");
            free(path);
            status = SS_EXIT_DATAERR;
        }
    if (status != SS_EXIT_OK)
        goto done;
    for (size_t i = 0; i < o->nresend; i++) {
        bool known = false;
        for (size_t k = 0; k < r.nsheets && !known; k++)
            known = !strcmp(r.sheets[k].code, o->resend[i]);
        if (!known) {
            fprintf(stderr, "statesheet: --resend %s: no sheet of that state in %s\n",
                    o->resend[i], o->dir);
            status = SS_EXIT_USAGE;
            goto done;
        }
    }
    t = load_template(&r, &status);
    if (!t)
        goto done;
    status = check_from(&r, t, &from, &from_name, &from_email);
    if (status != SS_EXIT_OK)
        goto done;
    /* One contacts file serves every run: a code is right when it has a
     * sheet here or is one of the jurisdictions (a run with -s or --shard
     * made only some sheets); the rest, typos, are errors. */
    status = load_places(&r, &places);
    if (status != SS_EXIT_OK)
        goto done;
    codes = ss_xcalloc(r.nsheets + places.n + 1, sizeof *codes);
    for (size_t i = 0; i < r.nsheets; i++)
        codes[i] = r.sheets[i].code;
    for (size_t i = 0; i < places.n; i++)
        codes[r.nsheets + i] = places.v[i].code;
    int e = 0;
    cs = ss_contacts_load(o->contacts_path, codes, r.nsheets + places.n, errs, &e);
    if (!cs) {
        ss_diag_error(r.diag, o->contacts_path, 0, "cannot read the contacts file: %s",
                      strerror(e));
        status = SS_EXIT_NOINPUT;
        goto done;
    }
    if (ss_csv_error_count(errs)) {
        ss_diag_print(r.diag, stderr);
        ss_csv_errors_print(errs, o->contacts_path, stderr);
        status = SS_EXIT_DATAERR;
        goto done;
    }
    if (o->verbosity > 0)
        warn_no_sheet(&r, cs);
    for (size_t i = 0; i < r.nsheets; i++)
        if (!has_contact(cs, r.sheets[i].code)) {
            ss_diag_add(r.diag, o->strict ? SS_ERROR : SS_WARNING, NULL, 0,
                        "%s (%s) has a sheet but no contact%s", r.sheets[i].code,
                        r.sheets[i].name, o->strict ? " (--strict); add a row to the "
                        "contacts file" : "");
            if (o->strict)
                status = SS_EXIT_DATAERR;
        }
    if (status != SS_EXIT_OK)
        goto done;
    maildir = ss_path_join(o->dir, MAIL_FOLDER);
    status = ss_outfile_make_dirs(maildir, r.diag);
    if (status != SS_EXIT_OK)
        goto done;
    if (o->send_url) {
        /* One sender per folder: two runs at once could both send a state
         * before either logs it.  The lock is the mail folder's own (no
         * file to leave behind) and goes with the process. */
        lock_fd = open(maildir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (lock_fd >= 0 && flock(lock_fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
            ss_diag_error(r.diag, maildir, 0, "another statesheet mail --send is sending "
                          "from this folder; let it finish, then run again");
            status = SS_EXIT_TEMPFAIL;
            goto done;
        }
        for (size_t i = 0; i < r.nsheets && status == SS_EXIT_OK; i++)
            status = read_log(&r, maildir, r.sheets[i].year, r.sheets[i].sample);
        if (status == SS_EXIT_OK) {
            ss_diag_print(r.diag, stderr); /* the warnings, before the sending */
            status = send_all(&r, smtp, cs, t, &from, maildir);
        }
    } else {
        status = write_drafts(&r, cs, t, &from, maildir);
    }
done:
    if (lock_fd >= 0)
        close(lock_fd);
    ss_smtp_free(smtp);
    ss_diag_print(r.diag, stderr);
    ss_diag_free(r.diag);
    ss_csv_errors_free(errs);
    ss_contacts_free(cs);
    ss_places_free(&places);
    ss_template_free(t);
    free(codes);
    free(from_name);
    free(from_email);
    free(maildir);
    for (size_t i = 0; i < r.nsheets; i++) {
        free(r.sheets[i].code), free(r.sheets[i].name), free(r.sheets[i].file);
        free(r.sheets[i].bytes);
    }
    free(r.sheets);
    for (size_t i = 0; i < r.nmanifests; i++)
        free(r.manifests[i]);
    free(r.manifests);
    for (size_t i = 0; i < r.nlog; i++)
        for (int c = 0; c < L_NCOLS; c++)
            free(r.log[i].cells[c]);
    free(r.log);
    return status;
}
