/* run.c - the pipeline, validation first, then sheets on N threads. */
#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "bind.h"
#include "diag.h"
#include "fonts.h"
#include "layout.h"
#include "paths.h"
#include "records.h"
#include "render_pdf.h"
#include "template.h"
#include "util.h"
#include "version.h"

#define DEFAULT_TEMPLATE "templates/state-data.xml"
#define DATA_SCHEMA "schema/statedata.xsd"
#define TEMPLATE_SCHEMA "schema/template.xsd"
/* More threads than this never help on the machines we run on, and each
 * holds a PDF in memory. */
#define MAX_JOBS 256
/* Temporary files: never named *.pdf, so no reader mistakes one for a
 * sheet; the process ID says whose it is. */
#define TMP_PREFIX ".statesheet-"
#define TMP_SUFFIX ".tmp"
/* Up to this many states, the pages laid out while checking are kept for
 * writing (one layout a sheet, not two); above it they are laid out again,
 * so memory stays flat however many states a file holds (~20 KB a page). */
#define KEEP_PAGES_MAX 256
/* A progress line appears only for runs longer than this. */
#define PROGRESS_AFTER_NS 500000000L

typedef struct job {
    const ss_options *opt;
    const ss_dataset *ds;
    const ss_template *tpl;
    const ss_fonts *fonts;
    char *icc_path;
    double page_w, page_h;
    const ss_state **states; /* the states this run makes, in data order */
    size_t n;
    float *body;             /* chosen body size per state */
    ss_page **pages;         /* the checked pages, or NULL (KEEP_PAGES_MAX) */
    ss_diag **diag;          /* one list per thread */
    int jobs;
    atomic_size_t next;
    atomic_size_t done;
    atomic_size_t bytes;
    atomic_int failed;       /* an exit status, or 0 */
    const char *out_dir;
    time_t created;
} job;

/* ---- interruption: remove our temporary files, then die as asked ------- */

static char *volatile tmp_slots[MAX_JOBS];

static void on_signal(int sig)
{
    for (int i = 0; i < MAX_JOBS; i++) {
        char *p = tmp_slots[i];
        if (p)
            unlink(p);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* ---- helpers ------------------------------------------------------------- */

int ss_shard_of(const char *code, int n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)code; *p; p++)
        h = (h ^ *p) * 16777619u;
    return n > 0 ? (int)(h % (uint32_t)n) + 1 : 1;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void human_size(uint64_t n, char *out, size_t size)
{
    if (n < 1024)
        snprintf(out, size, "%" PRIu64 " bytes", n);
    else if (n < 1024 * 1024)
        snprintf(out, size, "%.1f KB", (double)n / 1024.0);
    else
        snprintf(out, size, "%.1f MB", (double)n / (1024.0 * 1024.0));
}

static char *plain_text(const ss_text *t)
{
    ss_buf b;
    ss_buf_init(&b);
    for (size_t i = 0; i < t->nruns; i++)
        ss_buf_adds(&b, t->runs[i].text);
    /* U+00A0 (kept unbroken on the page) reads as a space elsewhere. */
    char *s = ss_buf_steal(&b), *w = s;
    for (char *r = s; *r; r++) {
        if ((unsigned char)r[0] == 0xC2 && (unsigned char)r[1] == 0xA0) {
            *w++ = ' ';
            r++;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return s;
}

static time_t creation_time(ss_diag *diag, bool *ok)
{
    *ok = true;
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (!sde || !*sde)
        return time(NULL);
    char *end;
    errno = 0;
    long long v = strtoll(sde, &end, 10);
    if (errno || *end || v < 0 || v > 253402300799LL) {
        ss_diag_error(diag, NULL, 0, "SOURCE_DATE_EPOCH='%s' is not a time in seconds "
                      "since 1970; unset it or write a whole number such as 1700000000",
                      sde);
        *ok = false;
        return 0;
    }
    return (time_t)v;
}

/* ---- parallel for ------------------------------------------------------- */

typedef struct worker {
    job *j;
    int index;
    void (*fn)(job *, size_t, int);
} worker;

static void *worker_main(void *arg)
{
    worker *w = arg;
    for (;;) {
        if (atomic_load(&w->j->failed))
            break;
        size_t i = atomic_fetch_add(&w->j->next, 1);
        if (i >= w->j->n)
            break;
        w->fn(w->j, i, w->index);
        atomic_fetch_add(&w->j->done, 1);
    }
    return NULL;
}

static void progress_line(const job *j, size_t done, bool final)
{
    if (!j->opt->progress || j->opt->verbosity < 1)
        return;
    if (final) {
        printf("\r\033[K");
    } else {
        size_t i = done ? done - 1 : 0;
        int w = snprintf(NULL, 0, "%zu", j->n);
        printf("\r\033[K[%*zu/%zu] %s-%d.pdf", w, done, j->n, j->states[i]->code,
               j->ds->year);
    }
    fflush(stdout);
}

/* Runs fn(j, i, thread) for i in [0, n) on j->jobs threads; shows progress
 * on a terminal when asked and the run is slow enough to want it. */
static void parallel_for(job *j, void (*fn)(job *, size_t, int), bool progress)
{
    atomic_store(&j->next, 0);
    atomic_store(&j->done, 0);
    int nt = j->jobs;
    if ((size_t)nt > j->n)
        nt = j->n ? (int)j->n : 1;
    pthread_t tid[MAX_JOBS];
    worker w[MAX_JOBS];
    int started = 0;
    for (int t = 1; t < nt; t++) {
        w[t] = (worker){j, t, fn};
        if (pthread_create(&tid[t], NULL, worker_main, &w[t]) != 0)
            break;
        started = t;
    }
    if (progress && j->opt->progress && j->opt->verbosity >= 1 && started > 0) {
        double t0 = now_s();
        bool shown = false;
        while (atomic_load(&j->done) < j->n && !atomic_load(&j->failed)) {
            struct timespec ts = {0, 100000000L};
            nanosleep(&ts, NULL);
            if (now_s() - t0 > PROGRESS_AFTER_NS / 1e9) {
                progress_line(j, atomic_load(&j->done), false);
                shown = true;
            }
            if (atomic_load(&j->next) >= j->n)
                break;
        }
        for (int t = 1; t <= started; t++)
            pthread_join(tid[t], NULL);
        if (shown)
            progress_line(j, j->n, true);
        return;
    }
    w[0] = (worker){j, 0, fn};
    worker_main(&w[0]);
    for (int t = 1; t <= started; t++)
        pthread_join(tid[t], NULL);
}

/* ---- phase 1: everything that can be wrong, before any write ----------- */

typedef struct glyph_check {
    const ss_fonts *fonts;
    ss_diag *diag;
    const char *file;
} glyph_check;

static void report_missing(ss_diag *diag, const char *file, long line,
                           const char *what, const char *text, long cp)
{
    char ch[8] = "";
    if (cp >= 0x20 && cp != 0xFFFD) {
        int n = ss_utf8_encode(cp, ch);
        ch[n] = '\0';
    }
    if (cp == 0xFFFD)
        ss_diag_error(diag, file, line, "%s has bytes that are not UTF-8; save the "
                      "file as UTF-8", what);
    else
        ss_diag_error(diag, file, line, "%s '%s' has the character U+%04lX%s%s%s, which "
                      "the sheet's font cannot print; write it without that character "
                      "(the font covers Latin, Greek and Cyrillic letters and common "
                      "punctuation)", what, text, cp, *ch ? " '" : "", ch, *ch ? "'" : "");
}

static void check_template_node(const ss_tnode *n, glyph_check *g)
{
    for (; n; n = n->next) {
        if (n->kind == SS_T_TEXT) {
            long cp = ss_fonts_first_missing(g->fonts, SS_BOLD, n->text);
            if (!cp)
                cp = ss_fonts_first_missing(g->fonts, SS_REGULAR, n->text);
            if (cp) {
                char *t = ss_trim_dup(n->text);
                if (strlen(t) > 60)
                    strcpy(t + 57, "...");
                report_missing(g->diag, g->file, n->line, "the text", t, cp);
                free(t);
            }
        }
        check_template_node(n->children, g);
        check_template_node(n->zero, g);
        check_template_node(n->one, g);
    }
}

static void check_state_glyphs(const job *j, const ss_state *st, ss_diag *diag)
{
    /* Names appear in bold and regular text; labels in regular. */
    long cp = ss_fonts_first_missing(j->fonts, SS_BOLD, st->name);
    if (!cp)
        cp = ss_fonts_first_missing(j->fonts, SS_REGULAR, st->name);
    if (cp) {
        char what[64];
        snprintf(what, sizeof what, "state %s: the name", st->code);
        report_missing(diag, j->ds->path, st->line, what, st->name, cp);
    }
    for (size_t t = 0; t < st->ntables; t++)
        for (size_t r = 0; r < st->tables[t].nrows; r++) {
            const ss_row *row = &st->tables[t].rows[r];
            cp = ss_fonts_first_missing(j->fonts, SS_REGULAR, row->label);
            if (cp) {
                char what[160];
                snprintf(what, sizeof what, "state %s, table '%s': the row label",
                         st->code, st->tables[t].key);
                report_missing(diag, j->ds->path, row->line, what, row->label, cp);
            }
        }
}

static void plan_one(job *j, size_t i, int thread)
{
    const ss_state *st = j->states[i];
    ss_diag *diag = j->diag[thread];
    size_t before = ss_diag_error_count(diag);
    check_state_glyphs(j, st, diag);
    if (ss_diag_error_count(diag) > before)
        return;
    ss_document *doc = ss_bind(j->tpl, j->ds, st);
    double size;
    ss_page *pg = ss_layout_fit(doc, ss_fonts_measure(j->fonts), j->page_w, j->page_h, &size);
    if (!pg)
        ss_diag_error(diag, j->ds->path, st->line, "state %s: does not fit one page "
                      "even at %g pt body text; shorten the name, the table labels or "
                      "the template's wording", st->code, SS_BODY_MIN);
    j->body[i] = (float)size;
    if (j->pages)
        j->pages[i] = pg;
    else
        ss_page_free(pg);
    ss_document_free(doc);
}

/* ---- phase 2: sheets ------------------------------------------------------ */

static void info_for(const ss_document *doc, ss_pdf_info *info, char **owned)
{
    char *org = plain_text(&doc->title);
    owned[0] = org;
    owned[1] = ss_xasprintf("%s%s fact sheet: figures for %s, %d", doc->sample ?
                            "SAMPLE DATA, NOT REAL FIGURES: " : "", "State data",
                            doc->name, doc->year);
    owned[2] = ss_xasprintf("%s, %s, %d, state data%s", doc->name, doc->code, doc->year,
                            doc->sample ? ", sample data" : "");
    owned[3] = ss_xasprintf("statesheet %s", SS_VERSION);
    info->title = doc->info_title;
    info->author = org;
    info->subject = owned[1];
    info->keywords = owned[2];
    info->creator = owned[3];
}

static bool make_pdf(job *j, size_t i, ss_buf *out, ss_diag *diag)
{
    const ss_state *st = j->states[i];
    ss_document *doc = ss_bind(j->tpl, j->ds, st);
    ss_page *pg = j->pages ? j->pages[i] : NULL;
    if (j->pages)
        j->pages[i] = NULL; /* ours now */
    if (!pg)
        pg = ss_layout_run(doc, ss_fonts_measure(j->fonts), j->page_w, j->page_h, j->body[i]);
    ss_pdf *pdf = ss_pdf_new(j->fonts, j->icc_path, true, diag);
    char *owned[4] = {0};
    ss_pdf_info info;
    info_for(doc, &info, owned);
    info.created = j->created;
    info.lang = j->tpl->lang;
    bool ok = pdf && ss_pdf_add_page(pdf, pg, NULL) && ss_pdf_finish(pdf, &info, out);
    ss_pdf_free(pdf);
    for (int k = 0; k < 4; k++)
        free(owned[k]);
    ss_page_free(pg);
    ss_document_free(doc);
    return ok;
}

/* Writes data to dir/name through a temporary file in the same folder, so
 * the name only ever holds a complete file.  Returns an exit status. */
static int write_atomic(const char *dir, const char *name, const void *data,
                        size_t len, int slot, ss_diag *diag)
{
    char *final = ss_path_join(dir, name);
    char *tmp = ss_xasprintf("%s/" TMP_PREFIX "%ld-%s" TMP_SUFFIX, dir, (long)getpid(), name);
    /* The temporary name must not end in .pdf: strip it from the middle. */
    char *dot = strstr(tmp + strlen(dir), ".pdf" TMP_SUFFIX);
    if (dot)
        memmove(dot, dot + 4, strlen(dot + 4) + 1);
    int status = SS_EXIT_OK;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        ss_diag_error(diag, final, 0, "cannot create the file: %s", strerror(errno));
        status = SS_EXIT_CANTCREAT;
        goto done;
    }
    if (slot >= 0 && slot < MAX_JOBS)
        tmp_slots[slot] = tmp;
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            ss_diag_error(diag, final, 0, "cannot write the file: %s",
                          strerror(w < 0 ? errno : EIO));
            status = SS_EXIT_IOERR;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    if (close(fd) != 0 && status == SS_EXIT_OK) {
        ss_diag_error(diag, final, 0, "cannot write the file: %s", strerror(errno));
        status = SS_EXIT_IOERR;
    }
    if (status == SS_EXIT_OK && rename(tmp, final) != 0) {
        ss_diag_error(diag, final, 0, "cannot put the file in place: %s", strerror(errno));
        status = SS_EXIT_IOERR;
    }
    if (status != SS_EXIT_OK)
        unlink(tmp);
    if (slot >= 0 && slot < MAX_JOBS)
        tmp_slots[slot] = NULL;
done:
    free(tmp);
    free(final);
    return status;
}

static char *sheet_name(const ss_state *st, int year)
{
    return ss_xasprintf("%s-%d.pdf", st->code, year);
}

static void make_one(job *j, size_t i, int thread)
{
    const ss_state *st = j->states[i];
    ss_diag *diag = j->diag[thread];
    ss_buf out;
    ss_buf_init(&out);
    int status = SS_EXIT_SOFTWARE;
    if (make_pdf(j, i, &out, diag)) {
        char *name = sheet_name(st, j->ds->year);
        status = write_atomic(j->out_dir, name, out.data, out.len, thread, diag);
        if (status == SS_EXIT_OK) {
            atomic_fetch_add(&j->bytes, out.len);
            if (j->opt->verbosity >= 2)
                printf("%s/%s: 1 page, body text %.2f pt, %zu bytes\n", j->out_dir, name,
                       j->body[i], out.len);
        }
        free(name);
    }
    ss_buf_free(&out);
    if (status != SS_EXIT_OK) {
        int zero = 0;
        atomic_compare_exchange_strong(&j->failed, &zero, status);
    }
}

/* The batch print file: every sheet, in data order, one bookmark each. */
static int make_combined(job *j, ss_diag *diag)
{
    ss_pdf *pdf = ss_pdf_new(j->fonts, j->icc_path, false, diag);
    if (!pdf)
        return SS_EXIT_SOFTWARE;
    for (size_t i = 0; i < j->n; i++) {
        ss_document *doc = ss_bind(j->tpl, j->ds, j->states[i]);
        ss_page *pg = ss_layout_run(doc, ss_fonts_measure(j->fonts), j->page_w,
                                    j->page_h, j->body[i]);
        bool ok = ss_pdf_add_page(pdf, pg, doc->info_title);
        ss_page_free(pg);
        ss_document_free(doc);
        if (!ok) {
            ss_pdf_free(pdf);
            return SS_EXIT_SOFTWARE;
        }
    }
    char *title = ss_xasprintf("State Data %d%s", j->ds->year,
                               j->ds->sample ? " (SAMPLE DATA)" : "");
    char *subject = ss_xasprintf("%sState data fact sheets, %zu jurisdictions, %d",
                                 j->ds->sample ? "SAMPLE DATA, NOT REAL FIGURES: " : "",
                                 j->n, j->ds->year);
    char *keywords = ss_xasprintf("state data, %d%s", j->ds->year,
                                  j->ds->sample ? ", sample data" : "");
    char *creator = ss_xasprintf("statesheet %s", SS_VERSION);
    ss_document *first = ss_bind(j->tpl, j->ds, j->states[0]);
    char *org = plain_text(&first->title);
    ss_document_free(first);
    ss_pdf_info info = {title, org, subject, keywords, creator, j->created, j->tpl->lang};
    ss_buf out;
    ss_buf_init(&out);
    int status = SS_EXIT_SOFTWARE;
    if (ss_pdf_finish(pdf, &info, &out)) {
        char *dir = ss_xstrdup(j->opt->combined_path);
        char *slash = strrchr(dir, '/');
        const char *name = j->opt->combined_path;
        if (slash) {
            *slash = '\0';
            name = slash + 1;
            if (!*dir)
                strcpy(dir, "/");
        } else {
            strcpy(dir, ".");
        }
        status = write_atomic(dir, name, out.data, out.len, 0, diag);
        if (status == SS_EXIT_OK && j->opt->verbosity >= 1)
            printf("%zu sheets combined -> %s\n", j->n, j->opt->combined_path);
        free(dir);
    }
    ss_buf_free(&out);
    ss_pdf_free(pdf);
    free(title), free(subject), free(keywords), free(creator), free(org);
    return status;
}

/* Creates dir and its parents (mkdir -p). */
static int make_dirs(const char *dir, ss_diag *diag)
{
    char *p = ss_xstrdup(dir);
    int status = SS_EXIT_OK;
    for (char *s = p + 1;; s++) {
        bool end = *s == '\0';
        if (*s == '/' || end) {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                ss_diag_error(diag, p, 0, "cannot create the output folder: %s",
                              strerror(errno));
                status = SS_EXIT_CANTCREAT;
                break;
            }
            *s = c;
        }
        if (end)
            break;
    }
    struct stat st;
    if (status == SS_EXIT_OK && stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        ss_diag_error(diag, dir, 0, "cannot use the output folder: %s (it is a file, "
                      "not a folder); choose another --out", strerror(ENOTDIR));
        status = SS_EXIT_CANTCREAT;
    } else if (status == SS_EXIT_OK && stat(dir, &st) != 0) {
        ss_diag_error(diag, dir, 0, "cannot use the output folder: %s", strerror(errno));
        status = SS_EXIT_CANTCREAT;
    } else if (status == SS_EXIT_OK && access(dir, W_OK | X_OK) != 0) {
        ss_diag_error(diag, dir, 0, "cannot write to the output folder: %s",
                      strerror(errno));
        status = SS_EXIT_CANTCREAT;
    }
    free(p);
    return status;
}

/* Removes temporary files left by earlier runs that were killed (their
 * process is gone); another run's live files are left alone. */
static void remove_stale_tmp(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    size_t pl = strlen(TMP_PREFIX), sl = strlen(TMP_SUFFIX);
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l <= pl + sl || strncmp(e->d_name, TMP_PREFIX, pl) ||
            strcmp(e->d_name + l - sl, TMP_SUFFIX))
            continue;
        long pid = strtol(e->d_name + pl, NULL, 10);
        if (pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
            char *p = ss_path_join(dir, e->d_name);
            unlink(p);
            free(p);
        }
    }
    closedir(d);
}

/* ---- the run --------------------------------------------------------------- */

static int load_inputs(const ss_options *opt, const char *assets, ss_diag *diag,
                       ss_template **tpl, ss_dataset **ds)
{
    char *tpath = opt->template_path ? ss_xstrdup(opt->template_path)
                                     : ss_path_join(assets, DEFAULT_TEMPLATE);
    char *tschema = ss_path_join(assets, TEMPLATE_SCHEMA);
    char *dschema = ss_path_join(assets, DATA_SCHEMA);
    int status = SS_EXIT_OK, e = 0;
    *tpl = ss_template_load(tpath, tschema, diag, &e);
    if (!*tpl && e) {
        ss_diag_error(diag, tpath, 0, "cannot read the template: %s",
                      e == EFBIG ? "the file is larger than 1 MB" : strerror(e));
        status = opt->template_path ? SS_EXIT_NOINPUT : SS_EXIT_SOFTWARE;
    } else if (!*tpl) {
        status = SS_EXIT_DATAERR;
    }
    *ds = ss_dataset_load(opt->data_path, dschema, diag, &e);
    if (!*ds && e) {
        if (e == EFBIG) {
            ss_diag_error(diag, opt->data_path, 0, "the file is larger than %u MB, "
                          "the most statesheet reads; split it into smaller files",
                          SS_DATA_MAX_BYTES / (1024u * 1024u));
            if (status == SS_EXIT_OK)
                status = SS_EXIT_DATAERR;
        } else {
            ss_diag_error(diag, opt->data_path, 0, "cannot read the data file: %s",
                          strerror(e));
            status = SS_EXIT_NOINPUT;
        }
    } else if (!*ds && status == SS_EXIT_OK) {
        status = SS_EXIT_DATAERR;
    }
    free(tpath);
    free(tschema);
    free(dschema);
    return status;
}

/* Picks the states to make: -s codes (each must exist), then the shard. */
static int select_states(const ss_options *opt, const ss_dataset *ds, job *j)
{
    int status = SS_EXIT_OK;
    j->states = ss_xcalloc(ds->nstates ? ds->nstates : 1, sizeof *j->states);
    for (size_t s = 0; s < opt->nstates; s++)
        if (!ss_dataset_find_state(ds, opt->states[s])) {
            ss_buf known;
            ss_buf_init(&known);
            for (size_t i = 0; i < ds->nstates && i < 12; i++)
                ss_buf_printf(&known, "%s%s", i ? ", " : "", ds->states[i].code);
            if (ds->nstates > 12)
                ss_buf_printf(&known, ", ... (%zu in all)", ds->nstates);
            /* A usage error, worded like the others (cli.c). */
            fprintf(stderr, "statesheet: --state %s: no state has that code in %s; its "
                    "codes are: %s\nTry 'statesheet --help'.\n", opt->states[s], ds->path,
                    known.data);
            ss_buf_free(&known);
            status = SS_EXIT_USAGE;
        }
    for (size_t i = 0; i < ds->nstates; i++) {
        const ss_state *st = &ds->states[i];
        bool want = opt->nstates == 0;
        for (size_t s = 0; s < opt->nstates && !want; s++)
            want = !strcmp(opt->states[s], st->code);
        if (want && opt->shard_n > 0)
            want = ss_shard_of(st->code, opt->shard_n) == opt->shard_k;
        if (want)
            j->states[j->n++] = st;
    }
    return status;
}

static int finish(int status, ss_diag *diag)
{
    ss_diag_print(diag, stderr);
    return status;
}

int ss_job_run(const ss_options *opt)
{
    double t0 = now_s();
    ss_diag *diag = ss_diag_new();
    ss_template *tpl = NULL;
    ss_dataset *ds = NULL;
    ss_fonts *fonts = NULL;
    job j;
    memset(&j, 0, sizeof j);
    int status = SS_EXIT_OK;
    char *assets = ss_assets_dir(opt->assets_dir);
    if (!assets) {
        ss_diag_error(diag, NULL, 0, "cannot find statesheet's assets (template, schema, "
                      "fonts); reinstall it, or name the folder with --assets DIR or "
                      "STATESHEET_ASSETS");
        status = SS_EXIT_SOFTWARE;
        goto done;
    }
    status = load_inputs(opt, assets, diag, &tpl, &ds);
    if (status != SS_EXIT_OK)
        goto done;
    if (!ss_template_check_dataset(tpl, ds, diag)) {
        status = SS_EXIT_DATAERR;
        goto done;
    }
    status = select_states(opt, ds, &j);
    if (status != SS_EXIT_OK)
        goto done;
    fonts = ss_fonts_load(assets, diag);
    if (!fonts) {
        status = SS_EXIT_SOFTWARE;
        goto done;
    }
    {
        glyph_check g = {fonts, diag, tpl->path};
        check_template_node(tpl->title, &g);
        check_template_node(tpl->subtitle, &g);
        check_template_node(tpl->blocks, &g);
        check_template_node(tpl->footer_left, &g);
        check_template_node(tpl->footer_right, &g);
        if (ss_diag_error_count(diag)) {
            status = SS_EXIT_DATAERR;
            goto done;
        }
    }

    j.opt = opt;
    j.ds = ds;
    j.tpl = tpl;
    j.fonts = fonts;
    j.icc_path = ss_path_join(assets, SS_ICC_FILE);
    j.page_w = opt->paper == SS_PAPER_A4 ? SS_A4_W : SS_LETTER_W;
    j.page_h = opt->paper == SS_PAPER_A4 ? SS_A4_H : SS_LETTER_H;
    j.out_dir = opt->out_dir ? opt->out_dir : "out";
    j.jobs = opt->jobs > 0 ? opt->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (j.jobs < 1)
        j.jobs = 1;
    if (j.jobs > MAX_JOBS)
        j.jobs = MAX_JOBS;
    j.body = ss_xcalloc(j.n ? j.n : 1, sizeof *j.body);
    if (j.n <= KEEP_PAGES_MAX && !opt->check_only)
        j.pages = ss_xcalloc(j.n ? j.n : 1, sizeof *j.pages);
    j.diag = ss_xcalloc((size_t)j.jobs, sizeof *j.diag);
    for (int t = 0; t < j.jobs; t++)
        j.diag[t] = ss_diag_new();
    {
        /* The ICC profile is checked once here, not in every sheet. */
        size_t len;
        int e;
        char *icc = ss_read_file(j.icc_path, 1u << 20, &len, &e);
        if (!icc) {
            ss_diag_error(diag, j.icc_path, 0, "cannot read the colour profile: %s; "
                          "reinstall statesheet", strerror(e));
            status = SS_EXIT_SOFTWARE;
            goto done;
        }
        bool ok = ss_asset_verify(SS_ICC_FILE, j.icc_path, icc, len, diag);
        free(icc);
        if (!ok) {
            status = SS_EXIT_SOFTWARE;
            goto done;
        }
    }
    bool time_ok;
    j.created = creation_time(diag, &time_ok);
    if (!time_ok) {
        status = SS_EXIT_USAGE;
        goto done;
    }

    /* Phase 1: check every sheet (characters, fit) before writing any. */
    parallel_for(&j, plan_one, false);
    for (int t = 0; t < j.jobs; t++)
        ss_diag_take(diag, j.diag[t]);
    if (ss_diag_error_count(diag)) {
        ss_diag_sort(diag);
        status = SS_EXIT_DATAERR;
        goto done;
    }
    if (opt->verbosity >= 2)
        for (size_t i = 0; i < j.n; i++)
            printf("%s: body text %.2f pt\n", j.states[i]->code, j.body[i]);
    if (opt->check_only) {
        if (opt->verbosity >= 1)
            printf("%s: %zu state%s, year %d%s: OK\n", ds->path, ds->nstates,
                   ds->nstates == 1 ? "" : "s", ds->year, ds->sample ? " (sample data)" : "");
        goto done;
    }
    if (j.n == 0) {
        if (opt->verbosity >= 1)
            printf("0 sheets: shard %d/%d holds none of the %zu states\n", opt->shard_k,
                   opt->shard_n, ds->nstates);
        goto done;
    }

    /* Phase 2: write. */
    status = make_dirs(j.out_dir, diag);
    if (status != SS_EXIT_OK)
        goto done;
    remove_stale_tmp(j.out_dir);
    install_signals();
    parallel_for(&j, make_one, true);
    for (int t = 0; t < j.jobs; t++)
        ss_diag_take(diag, j.diag[t]);
    status = atomic_load(&j.failed);
    if (status == SS_EXIT_OK && opt->combined_path)
        status = make_combined(&j, diag);
    if (status == SS_EXIT_OK && opt->verbosity >= 1) {
        char size[32];
        human_size(atomic_load(&j.bytes), size, sizeof size);
        double took = now_s() - t0;
        printf("%zu sheet%s, %zu page%s, %s, %.*f s -> %s/\n", j.n, j.n == 1 ? "" : "s",
               j.n, j.n == 1 ? "" : "s", size, took < 0.1 ? 3 : 2, took, j.out_dir);
    }
done:
    fflush(stdout);
    if (j.diag) {
        for (int t = 0; t < j.jobs; t++)
            ss_diag_free(j.diag[t]);
        free(j.diag);
    }
    if (j.pages) {
        for (size_t i = 0; i < j.n; i++)
            ss_page_free(j.pages[i]);
        free(j.pages);
    }
    free(j.body);
    free(j.states);
    free(j.icc_path);
    ss_fonts_free(fonts);
    ss_template_free(tpl);
    ss_dataset_free(ds);
    free(assets);
    status = finish(status, diag);
    ss_diag_free(diag);
    return status;
}
