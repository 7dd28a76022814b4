/* run.c - the pipeline: load and check every input, check every sheet,
 * then write them on N threads.  The checks that need more than one input
 * are in validate.c, the threads in pool.c. */
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
#include "combine.h"
#include "diag.h"
#include "fonts.h"
#include "hyphenation.h"
#include "layout.h"
#include "manifest.h"
#include "outfile.h"
#include "paths.h"
#include "pool.h"
#include "records.h"
#include "render_pdf.h"
#include "sheetcsv.h"
#include "template.h"
#include "util.h"
#include "validate.h"
#include "version.h"
#include "workbook.h"

#define DEFAULT_TEMPLATE "templates/state-data.xml"
/* At most one thread per core we may be given. */
#define MAX_JOBS SS_POOL_MAX_THREADS
/* Up to this many states, the pages laid out while checking are kept for
 * writing (one layout a sheet, not two); above it they are laid out again,
 * so memory stays flat however many states a file holds (~20 KB a page). */
#define KEEP_PAGES_MAX 256
/* Room a sheet's bytes are made in at once (most are ~20 KB). */
#define SHEET_BYTES (32u << 10)

typedef struct job {
    const ss_options *opt;
    const ss_dataset *ds;
    const ss_template *tpl;
    const ss_fonts *fonts;
    ss_hyphenation hy;       /* the template language's, or none */
    ss_render **render;      /* one per thread */
    double page_w, page_h;
    const ss_state **states; /* the states this run makes, in data order */
    size_t n;
    float *body;             /* chosen body size per state */
    ss_page **pages;         /* the checked pages, or NULL (KEEP_PAGES_MAX) */
    struct sheet_meta **meta; /* and what their PDFs say of them (metadata) */
    ss_diag **diag;          /* one list per thread */
    int jobs;
    atomic_size_t bytes;
    atomic_size_t replaced;  /* existing files this run wrote over */
    ss_manifest *manifest;   /* what this run wrote (manifest.h) */
    ss_writer *writer;       /* syncs and renames the sheets, or NULL */
    bool *existed;           /* per sheet: it replaced a file */
    char (*sha256)[65];      /* per sheet: its bytes' SHA-256, taken as it was made */
    atomic_int failed;       /* an exit status, or 0 */
    const char *out_dir;
    time_t created;
} job;

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

/* ---- the pool's view of a job ------------------------------------------ */

static void plan_one(job *j, size_t i, int thread);
static void make_one(job *j, size_t i, int thread);

static void plan_task(void *j, size_t i, int thread)
{
    plan_one(j, i, thread);
}

static void make_task(void *j, size_t i, int thread)
{
    make_one(j, i, thread);
}

static void sheet_label(void *ctx, size_t i, char *buf, size_t size)
{
    const job *j = ctx;
    snprintf(buf, size, "%s-%d.pdf", j->states[i]->code, j->ds->year);
}

/* ---- phase 1: everything that can be wrong, before any write ----------- */

/* Does the state fit one page with only the first 'keep' rows of table t? */
static bool fits_with_rows(const job *j, const ss_state *st, size_t t, size_t keep)
{
    ss_state cut = *st;
    ss_table *tabs = ss_xcalloc(st->ntables, sizeof *tabs);
    memcpy(tabs, st->tables, st->ntables * sizeof *tabs);
    tabs[t].nrows = keep;
    cut.tables = tabs;
    ss_document *doc = ss_bind(j->tpl, j->ds, &cut);
    double size;
    ss_page *pg = ss_layout_fit_hyphen(doc, ss_fonts_measure(j->fonts), &j->hy, j->page_w,
                                       j->page_h, &size);
    bool ok = pg != NULL;
    ss_page_free(pg);
    ss_document_free(doc);
    free(tabs);
    return ok;
}

/* A state too long for one page: when its longest table is the cause, say
 * how many of its rows fit, rather than advise shorter words. */
static void report_overflow(const job *j, const ss_state *st, ss_diag *diag)
{
    size_t t = 0;
    for (size_t k = 1; k < st->ntables; k++)
        if (st->tables[k].nrows > st->tables[t].nrows)
            t = k;
    if (st->ntables && st->tables[t].nrows > 1 && fits_with_rows(j, st, t, 1)) {
        /* The most rows that fit: fits(lo), !fits(hi). */
        size_t lo = 1, hi = st->tables[t].nrows;
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (fits_with_rows(j, st, t, mid))
                lo = mid;
            else
                hi = mid;
        }
        ss_diag_error(diag, j->ds->path, st->tables[t].line, "state %s: the table '%s' "
                      "has %zu rows, but only %zu fit on the page with the rest of the "
                      "sheet (even at %g pt body text); combine rows, for example the "
                      "smallest into one 'Other' row", st->code, st->tables[t].key,
                      st->tables[t].nrows, lo, SS_BODY_MIN);
        return;
    }
    ss_diag_error(diag, j->ds->path, st->line, "state %s: does not fit one page "
                  "even at %g pt body text; shorten the name, the table labels or "
                  "the template's wording", st->code, SS_BODY_MIN);
}

/* What a sheet's PDF says besides its page (its metadata), taken from
 * its document; kept from the check to the writing in place of the
 * document (~200 bytes, not ~30 KB a sheet: kept, the documents of a
 * batch were a third of its page faults). */
typedef struct sheet_meta {
    char *title, *author, *subject, *keywords, *creator;
} sheet_meta;

static sheet_meta *meta_of(const ss_document *doc)
{
    sheet_meta *m = ss_xmalloc(sizeof *m);
    m->title = ss_xstrdup(doc->info_title);
    m->author = plain_text(&doc->title);
    m->subject = ss_xasprintf("%s%s fact sheet: figures for %s, %d", doc->sample ?
                              "SAMPLE DATA, NOT REAL FIGURES: " : "", "State data",
                              doc->name, doc->year);
    m->keywords = ss_xasprintf("%s, %s, %d, state data%s", doc->name, doc->code, doc->year,
                               doc->sample ? ", sample data" : "");
    m->creator = ss_xasprintf("statesheet %s", SS_VERSION);
    return m;
}

static void meta_free(sheet_meta *m)
{
    if (!m)
        return;
    free(m->title), free(m->author), free(m->subject), free(m->keywords), free(m->creator);
    free(m);
}

static void plan_one(job *j, size_t i, int thread)
{
    const ss_state *st = j->states[i];
    ss_diag *diag = j->diag[thread];
    if (!ss_validate_state_glyphs(j->ds, st, j->fonts, diag))
        return;
    ss_document *doc = ss_bind(j->tpl, j->ds, st);
    double size;
    ss_page *pg = ss_layout_fit_hyphen(doc, ss_fonts_measure(j->fonts), &j->hy, j->page_w,
                                       j->page_h, &size);
    if (!pg)
        report_overflow(j, st, diag);
    j->body[i] = (float)size;
    if (j->pages) {
        j->pages[i] = pg;
        j->meta[i] = meta_of(doc);
    } else {
        ss_page_free(pg);
    }
    ss_document_free(doc);
}

/* ---- phase 2: sheets ------------------------------------------------------ */

static bool make_pdf(job *j, size_t i, int thread, ss_buf *out, ss_diag *diag)
{
    const ss_state *st = j->states[i];
    ss_page *pg = j->pages ? j->pages[i] : NULL;
    sheet_meta *meta = j->pages ? j->meta[i] : NULL;
    if (j->pages)
        j->pages[i] = NULL, j->meta[i] = NULL; /* ours now */
    if (!pg) {
        ss_document *doc = ss_bind(j->tpl, j->ds, st);
        pg = ss_layout_run_hyphen(doc, ss_fonts_measure(j->fonts), &j->hy, j->page_w,
                                  j->page_h, j->body[i]);
        meta_free(meta);
        meta = meta_of(doc);
        ss_document_free(doc);
    }
    ss_pdf *pdf = ss_pdf_new(j->render[thread], true, diag);
    ss_pdf_info info;
    info.title = meta->title;
    info.author = meta->author;
    info.subject = meta->subject;
    info.keywords = meta->keywords;
    info.creator = meta->creator;
    info.created = j->created;
    info.lang = j->tpl->lang;
    bool ok = pdf && ss_pdf_add_page(pdf, pg, NULL) && ss_pdf_finish(pdf, &info, out);
    ss_pdf_free(pdf);
    meta_free(meta);
    ss_page_free(pg);
    return ok;
}

/* A sheet made from sample data carries -SAMPLE in its name, so it can
 * never take the place of a real sheet (a trial file left at last year's
 * year once wrote over out/ND-2023.pdf). */
static char *sheet_name(const ss_state *st, int year, bool sample)
{
    return ss_xasprintf("%s-%d%s.pdf", st->code, year, sample ? "-" SS_SAMPLE_SUFFIX : "");
}

/* True when dir/name exists (a file a run is about to replace). */
static bool exists_in(const char *dir, const char *name)
{
    char *p = ss_path_join(dir, name);
    struct stat sb;
    bool yes = lstat(p, &sb) == 0;
    free(p);
    return yes;
}

/* Called by the writer thread once sheet i is in place and its folder
 * synced (status 0), or has failed. */
static void sheet_written(void *ctx, size_t i, size_t len, int status)
{
    job *j = ctx;
    const ss_state *st = j->states[i];
    if (status == SS_EXIT_OK) {
        char *name = sheet_name(st, j->ds->year, j->ds->sample);
        atomic_fetch_add(&j->bytes, len);
        if (j->existed[i])
            atomic_fetch_add(&j->replaced, 1);
        ss_manifest_sheet(j->manifest, i, st->code, st->name, name, j->sha256[i], len, 1);
        if (j->opt->verbosity >= 2 &&
            !ss_outfile_printf("%s/%s: 1 page, body text %.2f pt, %zu bytes\n", j->out_dir,
                               name, j->body[i], len))
            status = SS_EXIT_IOERR; /* reported once, by the run */
        free(name);
    }
    if (status != SS_EXIT_OK) {
        int zero = 0;
        atomic_compare_exchange_strong(&j->failed, &zero, status);
    }
}

/* Makes sheet i and hands it to the writer (or, without one, writes it
 * here and waits for the disk).  The sheet's bytes are hashed for the
 * manifest here, while they are in the cache, and their buffer is free
 * once they are in the temporary file: the next sheet's reuses its memory
 * (kept until the manifest was written, the buffers of a batch were each
 * new memory: a fifth of its page faults). */
static void make_one(job *j, size_t i, int thread)
{
    const ss_state *st = j->states[i];
    ss_diag *diag = j->diag[thread];
    ss_buf out;
    ss_buf_init(&out);
    ss_buf_reserve(&out, SHEET_BYTES);
    int status = SS_EXIT_SOFTWARE;
    if (make_pdf(j, i, thread, &out, diag)) {
        char *name = sheet_name(st, j->ds->year, j->ds->sample);
        j->existed[i] = exists_in(j->out_dir, name);
        ss_sha256_hex(out.data, out.len, j->sha256[i]);
        if (j->writer) {
            status = ss_writer_put(j->writer, j->out_dir, name, i, out.data, out.len, diag);
        } else {
            status = ss_outfile_write(j->out_dir, name, out.data, out.len, diag);
            if (status == SS_EXIT_OK)
                sheet_written(j, i, out.len, SS_EXIT_OK);
        }
        free(name);
    }
    ss_buf_free(&out);
    if (status != SS_EXIT_OK) {
        int zero = 0;
        atomic_compare_exchange_strong(&j->failed, &zero, status);
    }
}

/* Phase 2 proper: every sheet made by the pool's workers and written by
 * the writer's threads (which wait for the disk meanwhile).  Returns 0 or
 * the first failure's exit status, the messages in diag. */
static int write_sheets(job *j, ss_diag *diag)
{
    j->manifest = ss_manifest_new(j->n, j->ds->year, j->ds->sample);
    j->existed = ss_xcalloc(j->n ? j->n : 1, sizeof *j->existed);
    j->sha256 = ss_xcalloc(j->n ? j->n : 1, sizeof *j->sha256);
    ss_diag *wdiag = ss_diag_new();
    j->writer = ss_writer_new(sheet_written, j, wdiag);
    ss_pool_run(j->n, j->jobs, make_task, j, &j->failed,
                j->opt->progress && j->opt->verbosity >= 1 ? sheet_label : NULL);
    int written = ss_writer_finish(j->writer);
    j->writer = NULL;
    for (int t = 0; t < j->jobs; t++)
        ss_diag_take(diag, j->diag[t]);
    ss_diag_take(diag, wdiag);
    ss_diag_free(wdiag);
    int status = atomic_load(&j->failed);
    return status ? status : written;
}

/* The batch print file: every sheet, in data order, one bookmark each
 * (combine.c). */
static int make_combined(job *j, ss_diag *diag)
{
    ss_document *first = ss_bind(j->tpl, j->ds, j->states[0]);
    char *org = plain_text(&first->title);
    ss_document_free(first);
    bool existed = false;
    ss_combined_job cj = {j->opt->combined_path, j->tpl, j->ds, j->fonts, j->render[0],
                          j->page_w, j->page_h, j->states, j->body, j->n, j->created,
                          org, &j->hy, j->manifest, &existed};
    int status = ss_combined_write(&cj, diag);
    if (status == SS_EXIT_OK && existed)
        atomic_fetch_add(&j->replaced, 1);
    if (status == SS_EXIT_OK && j->opt->verbosity >= 1)
        ss_outfile_printf("%zu sheet%s combined -> %s\n", j->n, j->n == 1 ? "" : "s",
                          j->opt->combined_path);
    free(org);
    return status;
}

/* ---- the run --------------------------------------------------------------- */

/* The words of the template's body paragraphs, every branch (plural
 * forms, sentences shown only for some figures): what the sheets'
 * paragraphs are made of, besides figures and the state's name. */
static void para_words(const ss_tnode *n, bool in_para, ss_words *w)
{
    for (; n; n = n->next) {
        bool para = in_para || n->kind == SS_T_PARA;
        if (para && n->kind == SS_T_TEXT && n->text)
            ss_layout_asked_words(w, n->text);
        para_words(n->children, para, w);
        para_words(n->zero, para, w);
        para_words(n->one, para, w);
    }
}

/* Reads the template and the data, and checks them alone and together:
 * every mistake of both files is reported in this one round.  Between
 * the two, the hyphenator for the template's language starts reading the
 * patterns its words need, on a thread of its own while the data is read:
 * the first sheets of each thread would otherwise all read them at once.
 * Not for a data file of one state (~1.5 KB), whose one sheet reads them
 * alone anyway, where the thread only competes with the data and the
 * fonts for the cores (measured: one sheet 1.8 % slower with it, four 3 %
 * faster). */
#define AHEAD_MIN_BYTES 2048
static int load_inputs(const ss_options *opt, const char *assets, ss_diag *diag,
                       ss_template **tpl, ss_dataset **ds, ss_hyphenator **hyph)
{
    char *tpath = opt->template_path ? ss_xstrdup(opt->template_path)
                                     : ss_path_join(assets, DEFAULT_TEMPLATE);
    int status = SS_EXIT_OK, e = 0;
    *tpl = ss_template_load(tpath, diag, &e);
    if (!*tpl && e == EFBIG) {
        /* Read but refused, like a data file over its limit: 65. */
        ss_diag_error(diag, tpath, 0, "the template is larger than 1 MB, the most "
                      "statesheet reads (a template is a few KB); is it the right file?");
        status = opt->template_path ? SS_EXIT_DATAERR : SS_EXIT_SOFTWARE;
    } else if (!*tpl && e) {
        ss_diag_error(diag, tpath, 0, "cannot read the template: %s%s", strerror(e),
                      opt->template_path ? "" : "; reinstall statesheet or set "
                      "STATESHEET_ASSETS");
        status = opt->template_path ? SS_EXIT_NOINPUT : SS_EXIT_SOFTWARE;
    } else if (!*tpl) {
        status = SS_EXIT_DATAERR;
    }
    struct stat sb;
    if (*tpl)
        *hyph = ss_hyphenator_new(assets, (*tpl)->lang);
    if (*hyph && stat(opt->data_path, &sb) == 0 && sb.st_size >= AHEAD_MIN_BYTES) {
        ss_words words = {0};
        para_words((*tpl)->blocks, false, &words);
        for (int i = 0; i < 3; i++) /* "36.2 million" */
            for (int k = 0; k < 2; k++)
                if ((*tpl)->num.scale[i][k])
                    ss_layout_asked_words(&words, (*tpl)->num.scale[i][k]);
        ss_hyphenator_ahead(*hyph, &words);
    }
    bool valid = false;
    /* A spreadsheet (CSV, .xlsx, .ods) is the data too: told by content. */
    bool sheet = stat(opt->data_path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
                 ss_form_of_file(opt->data_path) != SS_FORM_XML;
    if (sheet)
        *ds = *tpl ? ss_sheet_load(*tpl, opt->data_path, diag, &e, &valid) : NULL;
    else
        *ds = ss_dataset_load_all(opt->data_path, diag, &e, &valid);
    if (*ds && *tpl && !ss_validate_keys(*tpl, *ds, opt->strict, diag))
        valid = false;
    if (*ds && *tpl && !ss_validate_language(*tpl, *ds, sheet, opt->strict, diag))
        valid = false;
    if (*ds && !valid) {
        ss_dataset_free(*ds);
        *ds = NULL;
        ss_diag_sort(diag);
    }
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

/* A folder where a sheet goes would stop the run part-way: found before
 * the first sheet is written. */
static int check_targets(const job *j, ss_diag *diag)
{
    int status = SS_EXIT_OK;
    /* Nor may a sheet replace an input (a data file named like a sheet). */
    const char *inputs[2] = {j->ds->path, j->tpl->path};
    struct stat in[2];
    bool have[2];
    for (int k = 0; k < 2; k++)
        have[k] = stat(inputs[k], &in[k]) == 0;
    for (size_t i = 0; i < j->n; i++) {
        char *name = sheet_name(j->states[i], j->ds->year, j->ds->sample);
        char *path = ss_path_join(j->out_dir, name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            ss_diag_error(diag, path, 0, "cannot write the file: a folder has that name; "
                          "move the folder away or choose another --out");
            status = SS_EXIT_CANTCREAT;
        }
        for (int k = 0; k < 2; k++)
            if (have[k] && stat(path, &st) == 0 && st.st_dev == in[k].st_dev &&
                st.st_ino == in[k].st_ino) {
                ss_diag_error(diag, path, 0, "the sheet would replace %s, which this run "
                              "reads; choose another --out", inputs[k]);
                status = SS_EXIT_USAGE;
            }
        free(path);
        free(name);
    }
    return status;
}

/* --combined is checked before anything is written (combine.h). */
static int check_combined(const ss_options *opt, const char *assets,
                          const ss_template *tpl, const ss_dataset *ds, size_t npages,
                          ss_diag *diag)
{
    const char *inputs[] = {ds->path, tpl->path};
    char **sheets = ss_xcalloc(ds->nstates ? ds->nstates : 1, sizeof *sheets);
    for (size_t i = 0; i < ds->nstates; i++)
        sheets[i] = sheet_name(&ds->states[i], ds->year, ds->sample);
    ss_combined_target t = {opt->combined_path, opt->out_dir ? opt->out_dir : "out",
                            inputs, 2, assets, (const char *const *)sheets, ds->nstates,
                            npages};
    int status = ss_combined_check(&t, diag);
    for (size_t i = 0; i < ds->nstates; i++)
        free(sheets[i]);
    free(sheets);
    return status;
}

static int finish(int status, ss_diag *diag)
{
    ss_diag_print(diag, stderr);
    return status;
}

/* The fonts (checked against their recorded SHA-256), the template's
 * text against them, the colour profile, the creation date, and the
 * job's settings. */
static int prepare(job *j, const ss_options *opt, const char *assets, ss_fonts **fonts,
                   ss_diag *diag)
{
    *fonts = ss_fonts_load(assets, diag);
    if (!*fonts)
        return SS_EXIT_SOFTWARE;
    if (!ss_validate_template_glyphs(j->tpl, *fonts, diag))
        return SS_EXIT_DATAERR;
    j->opt = opt;
    j->fonts = *fonts;
    j->page_w = opt->paper == SS_PAPER_A4 ? SS_A4_W : SS_LETTER_W;
    j->page_h = opt->paper == SS_PAPER_A4 ? SS_A4_H : SS_LETTER_H;
    j->out_dir = opt->out_dir ? opt->out_dir : "out";
    j->jobs = opt->jobs > 0 ? opt->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (j->jobs < 1)
        j->jobs = 1;
    if (j->jobs > MAX_JOBS)
        j->jobs = MAX_JOBS;
    j->body = ss_xcalloc(j->n ? j->n : 1, sizeof *j->body);
    if (j->n <= KEEP_PAGES_MAX && !opt->check_only) {
        j->pages = ss_xcalloc(j->n ? j->n : 1, sizeof *j->pages);
        j->meta = ss_xcalloc(j->n ? j->n : 1, sizeof *j->meta);
    }
    j->diag = ss_xcalloc((size_t)j->jobs, sizeof *j->diag);
    for (int t = 0; t < j->jobs; t++)
        j->diag[t] = ss_diag_new();
    /* The ICC profile is checked once here, not in every sheet. */
    size_t len;
    int e;
    char *icc_path = ss_path_join(assets, SS_ICC_FILE);
    char *icc = ss_read_file(icc_path, 1u << 20, &len, &e);
    if (!icc)
        ss_diag_error(diag, icc_path, 0, "cannot read the colour profile: %s; "
                      "reinstall statesheet", strerror(e));
    bool ok = icc && ss_asset_verify(SS_ICC_FILE, icc_path, icc, len, diag);
    j->render = ss_xcalloc((size_t)j->jobs, sizeof *j->render);
    for (int t = 0; ok && t < j->jobs; t++)
        ok = (j->render[t] = ss_render_new(*fonts, icc, len, diag)) != NULL;
    free(icc);
    free(icc_path);
    if (!ok)
        return SS_EXIT_SOFTWARE;
    j->created = creation_time(diag, &ok);
    return ok ? SS_EXIT_OK : SS_EXIT_USAGE;
}

/* Phase 1: every sheet's characters and fit, before any is written. */
static int check_sheets(job *j, ss_diag *diag)
{
    ss_pool_run(j->n, j->jobs, plan_task, j, NULL, NULL);
    for (int t = 0; t < j->jobs; t++)
        ss_diag_take(diag, j->diag[t]);
    if (ss_diag_error_count(diag)) {
        ss_diag_sort(diag);
        return SS_EXIT_DATAERR;
    }
    if (j->opt->verbosity >= 2)
        for (size_t i = 0; i < j->n; i++)
            printf("%s: body text %.2f pt\n", j->states[i]->code, j->body[i]);
    return SS_EXIT_OK;
}

/* --check, or a shard with no state: says so; true when nothing is to be
 * written. */
static bool nothing_to_write(const job *j, const ss_options *opt)
{
    const ss_dataset *ds = j->ds;
    if (opt->check_only && opt->verbosity >= 1)
        printf("%s: %zu state%s, year %d%s: OK\n", ds->path, ds->nstates,
               ds->nstates == 1 ? "" : "s", ds->year, ds->sample ? " (sample data)" : "");
    else if (j->n == 0 && opt->verbosity >= 1)
        printf("0 sheets: shard %d/%d holds none of the %zu states\n", opt->shard_k,
               opt->shard_n, ds->nstates);
    return opt->check_only || j->n == 0;
}

/* Under -vv says which hyphenation patterns the template's language
 * has, or that there are none and the sheets are set without
 * hyphenation. */
static void say_hyphenation(const ss_hyphenator *hyph, const ss_template *tpl,
                            int verbosity)
{
    if (verbosity >= 2) {
        if (hyph)
            printf("%s: language %s, hyphenation patterns %s\n", tpl->path, tpl->lang,
                   ss_hyphenator_path(hyph));
        else
            printf("%s: note: no hyphenation patterns for language %s; the sheets are "
                   "set without hyphenation\n", tpl->path, tpl->lang);
    }
}

int ss_job_run(const ss_options *opt)
{
    double t0 = now_s();
    /* Before any thread starts: signals then reach only outfile's. */
    ss_outfile_guard();
    ss_diag *diag = ss_diag_new();
    ss_template *tpl = NULL;
    ss_dataset *ds = NULL;
    ss_fonts *fonts = NULL;
    ss_hyphenator *hyph = NULL;
    job j;
    memset(&j, 0, sizeof j);
    int status = SS_EXIT_OK;
    char *assets = ss_assets_dir(opt->assets_dir);
    if (!assets) {
        ss_diag_error(diag, NULL, 0, "cannot find statesheet's assets (template, "
                      "fonts); reinstall it, or name the folder with --assets DIR or "
                      "STATESHEET_ASSETS");
        status = SS_EXIT_SOFTWARE;
        goto done;
    }
    status = load_inputs(opt, assets, diag, &tpl, &ds, &hyph);
    if (status != SS_EXIT_OK)
        goto done;
    say_hyphenation(hyph, tpl, opt->verbosity);
    j.ds = ds;
    j.tpl = tpl;
    j.hy = ss_hyphenator_for_layout(hyph);
    status = select_states(opt, ds, &j);
    if (status == SS_EXIT_OK && opt->combined_path)
        status = check_combined(opt, assets, tpl, ds, j.n, diag);
    if (status == SS_EXIT_OK)
        status = prepare(&j, opt, assets, &fonts, diag);
    /* The template's words' patterns, read while the data was. */
    ss_hyphenator_settle(hyph);
    if (status == SS_EXIT_OK)
        status = check_sheets(&j, diag);
    if (status != SS_EXIT_OK || nothing_to_write(&j, opt))
        goto done;

    /* Phase 2: write. */
    status = ss_outfile_make_dirs(j.out_dir, diag);
    if (status != SS_EXIT_OK)
        goto done;
    ss_outfile_remove_stale(j.out_dir, time(NULL), SS_OUTFILE_STALE_AGE);
    status = check_targets(&j, diag);
    if (status != SS_EXIT_OK)
        goto done;
    status = write_sheets(&j, diag);
    if (status == SS_EXIT_OK && opt->combined_path)
        status = make_combined(&j, diag);
    if (status == SS_EXIT_OK) {
        ss_manifest_input(j.manifest, "data", opt->data_path, ds->bytes, ds->sha256);
        ss_manifest_input(j.manifest, "template", tpl->path, tpl->bytes, tpl->sha256);
        status = ss_manifest_finish(j.manifest, j.out_dir, opt->shard_k, opt->shard_n);
    }
    if (status == SS_EXIT_OK && opt->verbosity >= 1) {
        char size[32];
        human_size(atomic_load(&j.bytes), size, sizeof size);
        double took = now_s() - t0;
        size_t replaced = atomic_load(&j.replaced);
        char extra[64] = "";
        if (replaced)
            snprintf(extra, sizeof extra, " (%zu existing file%s replaced)", replaced,
                     replaced == 1 ? "" : "s");
        ss_outfile_printf("%zu sheet%s, %zu page%s, %s, %.*f s -> %s/%s\n", j.n,
                          j.n == 1 ? "" : "s", j.n, j.n == 1 ? "" : "s", size,
                          took < 0.1 ? 3 : 2, took, j.out_dir, extra);
    }
done:;
    int lost = ss_outfile_stdout_lost();
    if (fflush(stdout) != 0 || lost) {
        int e = lost ? lost : errno;
        ss_diag_error(diag, NULL, 0, "cannot write to standard output (%s); stopped",
                      e == EPIPE ? "the program reading it has ended" : strerror(e));
        if (status == SS_EXIT_OK)
            status = SS_EXIT_IOERR;
    }
    if (j.diag) {
        for (int t = 0; t < j.jobs; t++)
            ss_diag_free(j.diag[t]);
        free(j.diag);
    }
    if (j.pages) {
        for (size_t i = 0; i < j.n; i++) {
            ss_page_free(j.pages[i]);
            meta_free(j.meta[i]);
        }
        free(j.pages);
        free(j.meta);
    }
    ss_manifest_free(j.manifest);
    free(j.existed);
    free(j.sha256);
    free(j.body);
    free(j.states);
    for (int t = 0; j.render && t < j.jobs; t++)
        ss_render_free(j.render[t]);
    free(j.render);
    ss_fonts_free(fonts);
    ss_hyphenator_free(hyph);
    ss_template_free(tpl);
    ss_dataset_free(ds);
    free(assets);
    status = finish(status, diag);
    ss_diag_free(diag);
    return status;
}
