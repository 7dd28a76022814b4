/* run.c - the pipeline: load and check every input, check every sheet,
 * then make and write them on N workers.  The checks that need more than
 * one input are in validate.c, the workers in pool.c. */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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
#include "strset.h"
#include "render_pdf.h"
#include "shape.h"
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
    ss_hyphenator **hyph;    /* per worker, or NULLs: no patterns */
    ss_hyphenation *hy;      /* per worker: layout's view of hyph */
    ss_render **render;      /* per worker: fonts, profile, compressor */
    double page_w, page_h;
    const ss_state **states; /* the states this run makes, in data order */
    size_t n;
    float *body;             /* chosen body size per state */
    ss_page **pages;         /* the checked pages, or NULL (KEEP_PAGES_MAX) */
    struct sheet_meta **meta; /* and what their PDFs say of them (metadata) */
    ss_diag **diag;          /* one list per worker */
    ss_shaper **shaper;      /* one per worker: its words' widths */
    int jobs;
    atomic_size_t bytes;
    atomic_size_t replaced;  /* existing files this run wrote over */
    bool *written;           /* per sheet: in place (set by its worker) */
    ss_manifest *manifest;   /* what this run wrote (manifest.h) */
    char *manifest_name;
    int lock_fd;             /* holds the manifest's lock, or -1 */
    bool unlisted;           /* last run's manifest is gone, this run's not
                                written: the folder is changing */
    atomic_int failed;       /* an exit status, or 0 */
    const char *out_dir;
    time_t created;
} job;

/* ---- helpers ------------------------------------------------------------- */

/* Which shard (1..n) a state code belongs to: a hash of the code, so a
 * state stays in its shard however the file is ordered or grows. */
static int shard_of(const char *code, int n)
{
    return n > 0 ? (int)(ss_hash(SS_HASH_START, code, strlen(code)) % (uint64_t)n) + 1 : 1;
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

/* The progress line's label: the file being made. */
static void sheet_label(void *ctx, size_t i, char *buf, size_t size)
{
    const job *j = ctx;
    char *name = sheet_name(j->states[i], j->ds->year, j->ds->sample);
    snprintf(buf, size, "%s", name);
    free(name);
}

static void fail(job *j, int status)
{
    int zero = 0;
    atomic_compare_exchange_strong(&j->failed, &zero, status);
}

/* ---- phase 1: everything that can be wrong, before any write ----------- */

/* Does the state fit one page with only the first 'keep' rows of table t? */
static bool fits_with_rows(const job *j, const ss_measure *m, const ss_state *st,
                           const ss_hyphenation *hy, size_t t, size_t keep)
{
    ss_state cut = *st;
    ss_table *tabs = ss_xcalloc(st->ntables, sizeof *tabs);
    memcpy(tabs, st->tables, st->ntables * sizeof *tabs);
    tabs[t].nrows = keep;
    cut.tables = tabs;
    ss_document *doc = ss_bind(j->tpl, j->ds, &cut);
    double size;
    ss_page *pg = ss_layout_fit(doc, m, hy, j->page_w, j->page_h, &size);
    bool ok = pg != NULL;
    ss_page_free(pg);
    ss_document_free(doc);
    free(tabs);
    return ok;
}

/* A state too long for one page: when its longest table is the cause, say
 * how many of its rows fit, rather than advise shorter words. */
static void report_overflow(const job *j, const ss_measure *m, const ss_state *st,
                            const ss_hyphenation *hy,
                            ss_diag *diag)
{
    size_t t = 0;
    for (size_t k = 1; k < st->ntables; k++)
        if (st->tables[k].nrows > st->tables[t].nrows)
            t = k;
    if (st->ntables && st->tables[t].nrows > 1 && fits_with_rows(j, m, st, hy, t, 1)) {
        /* The most rows that fit: fits(lo), !fits(hi). */
        size_t lo = 1, hi = st->tables[t].nrows;
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (fits_with_rows(j, m, st, hy, t, mid))
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
 * document (~200 bytes, not ~30 KB a sheet). */
typedef struct sheet_meta {
    char *title, *author, *subject, *keywords;
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
    return m;
}

static void meta_free(sheet_meta *m)
{
    if (!m)
        return;
    free(m->title), free(m->author), free(m->subject), free(m->keywords);
    free(m);
}

/* Checks sheet i: its characters against the fonts and its fit on one
 * page (a pool task). */
static void check_one(void *ctx, size_t i, int thread)
{
    job *j = ctx;
    const ss_state *st = j->states[i];
    ss_diag *diag = j->diag[thread];
    if (!ss_validate_state_glyphs(j->ds, st, j->fonts, diag))
        return;
    ss_document *doc = ss_bind(j->tpl, j->ds, st);
    double size;
    const ss_measure *m = ss_shaper_measure(j->shaper[thread]);
    ss_page *pg = ss_layout_fit(doc, m, &j->hy[thread], j->page_w, j->page_h, &size);
    if (!pg)
        report_overflow(j, m, st, &j->hy[thread], diag);
    j->body[i] = (float)size;
    if (j->pages) {
        j->pages[i] = pg;
        j->meta[i] = meta_of(doc);
    } else {
        ss_page_free(pg);
    }
    ss_document_free(doc);
}

/* Phase 1: every sheet's characters and fit, before any is written. */
static int check_sheets(job *j, ss_diag *diag)
{
    ss_pool_run(j->n, j->jobs, check_one, j, NULL, NULL);
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
        pg = ss_layout_run(doc, ss_shaper_measure(j->shaper[thread]), &j->hy[thread],
                                  j->page_w, j->page_h, j->body[i]);
        meta_free(meta);
        meta = meta_of(doc);
        ss_document_free(doc);
    }
    ss_pdf *pdf = ss_pdf_new(j->render[thread], true, diag);
    ss_pdf_info info = {meta->title, meta->author, meta->subject, meta->keywords,
                        "statesheet " SS_VERSION, j->created, j->tpl->lang};
    bool ok = pdf && ss_pdf_add_page(pdf, pg, NULL) && ss_pdf_finish(pdf, &info, out);
    ss_pdf_free(pdf);
    meta_free(meta);
    ss_page_free(pg);
    return ok;
}

/* Makes sheet i and writes it into place (synced, renamed; the folder is
 * synced once after the last): a pool task. */
static void make_one(void *ctx, size_t i, int thread)
{
    job *j = ctx;
    const ss_state *st = j->states[i];
    ss_diag *diag = j->diag[thread];
    ss_buf out;
    ss_buf_init(&out);
    ss_buf_reserve(&out, SHEET_BYTES);
    int status = SS_EXIT_SOFTWARE;
    if (make_pdf(j, i, thread, &out, diag)) {
        char *name = sheet_name(st, j->ds->year, j->ds->sample);
        bool existed = exists_in(j->out_dir, name);
        status = ss_outfile_write(j->out_dir, name, out.data, out.len, diag);
        if (status == SS_EXIT_OK) {
            char sha256[65];
            ss_sha256_hex(out.data, out.len, sha256);
            ss_manifest_sheet(j->manifest, i, st->code, st->name, name, sha256, out.len, 1);
            j->written[i] = true;
            atomic_fetch_add(&j->bytes, out.len);
            if (existed)
                atomic_fetch_add(&j->replaced, 1);
            if (j->opt->verbosity >= 2 &&
                !ss_outfile_printf("%s/%s: 1 page, body text %.2f pt, %zu bytes\n",
                                   j->out_dir, name, j->body[i], out.len))
                status = SS_EXIT_IOERR; /* reported once, by the run */
        }
        free(name);
    }
    ss_buf_free(&out);
    if (status != SS_EXIT_OK)
        fail(j, status);
}

/* Phase 2 proper: every sheet made and written by the pool's workers,
 * then the folder synced once for all their names.  Returns 0 or the
 * first failure's exit status, the messages in diag. */
static int write_sheets(job *j, ss_diag *diag)
{
    ss_pool_run(j->n, j->jobs, make_one, j, &j->failed,
                j->opt->progress && j->opt->verbosity >= 1 ? sheet_label : NULL);
    for (int t = 0; t < j->jobs; t++)
        ss_diag_take(diag, j->diag[t]);
    int status = atomic_load(&j->failed);
    return status ? status : ss_outfile_sync_dir(j->out_dir, diag);
}

/* The batch print file: every sheet, in data order, one bookmark each
 * (combine.c).  Made on this thread, worker 0's. */
static int make_combined(job *j, ss_diag *diag)
{
    ss_document *first = ss_bind(j->tpl, j->ds, j->states[0]);
    char *org = plain_text(&first->title);
    ss_document_free(first);
    bool existed = false;
    ss_combined_job cj = {j->opt->combined_path, j->tpl, j->ds, j->fonts, j->render[0],
                          j->page_w, j->page_h, j->states, j->body, j->n, j->created,
                          org, &j->hy[0], j->manifest, &existed};
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

/* Reads the template, its language's hyphenation patterns and the data,
 * and checks them alone and together: every mistake of these files is
 * reported in this one round. */
static int load_inputs(const ss_options *opt, const char *assets, ss_diag *diag,
                       ss_template **tpl, ss_dataset **ds, ss_patterns **patterns)
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
    if (*tpl)
        status = ss_patterns_load(assets, (*tpl)->lang, patterns, diag);
    bool valid = false;
    /* A spreadsheet (CSV, .xlsx, .ods) is the data too: told by content. */
    struct stat sb;
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
            want = shard_of(st->code, opt->shard_n) == opt->shard_k;
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

/* The job's settings and what every sheet shares: the fonts (checked
 * against their recorded SHA-256), the template's text against them, a
 * hyphenator per worker, the colour profile and the creation date. */
static int job_init(job *j, const ss_options *opt, const char *assets,
                    const ss_patterns *patterns, ss_fonts **fonts, ss_diag *diag)
{
    j->opt = opt;
    j->page_w = opt->paper == SS_PAPER_A4 ? SS_A4_W : SS_LETTER_W;
    j->page_h = opt->paper == SS_PAPER_A4 ? SS_A4_H : SS_LETTER_H;
    j->out_dir = opt->out_dir ? opt->out_dir : "out";
    j->jobs = opt->jobs > 0 ? opt->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (j->jobs < 1)
        j->jobs = 1;
    if (j->jobs > MAX_JOBS)
        j->jobs = MAX_JOBS;
    j->body = ss_xcalloc(j->n ? j->n : 1, sizeof *j->body);
    j->written = ss_xcalloc(j->n ? j->n : 1, sizeof *j->written);
    if (j->n <= KEEP_PAGES_MAX && !opt->check_only) {
        j->pages = ss_xcalloc(j->n ? j->n : 1, sizeof *j->pages);
        j->meta = ss_xcalloc(j->n ? j->n : 1, sizeof *j->meta);
    }
    j->diag = ss_xcalloc((size_t)j->jobs, sizeof *j->diag);
    j->hyph = ss_xcalloc((size_t)j->jobs, sizeof *j->hyph);
    j->hy = ss_xcalloc((size_t)j->jobs, sizeof *j->hy);
    j->shaper = ss_xcalloc((size_t)j->jobs, sizeof *j->shaper);
    for (int t = 0; t < j->jobs; t++) {
        j->diag[t] = ss_diag_new();
        j->hyph[t] = ss_hyphenator_new(patterns);
        j->hy[t] = ss_hyphenator_for_layout(j->hyph[t]);
    }
    *fonts = ss_fonts_load(assets, diag);
    if (!*fonts)
        return SS_EXIT_SOFTWARE;
    j->fonts = *fonts;
    for (int t = 0; t < j->jobs; t++)
        j->shaper[t] = ss_shaper_new(*fonts);
    if (!ss_validate_template_glyphs(j->tpl, *fonts, diag))
        return SS_EXIT_DATAERR;
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
static void say_hyphenation(const ss_patterns *patterns, const ss_template *tpl,
                            int verbosity)
{
    if (verbosity >= 2) {
        if (patterns)
            printf("%s: language %s, hyphenation patterns %s\n", tpl->path, tpl->lang,
                   ss_patterns_path(patterns));
        else
            printf("%s: note: no hyphenation patterns for language %s; the sheets are "
                   "set without hyphenation\n", tpl->path, tpl->lang);
    }
}

/* The output folder, made ready for this run's files: created, checked
 * for folders where sheets go, locked against another run writing the same
 * manifest, and cleared of killed runs' temporary files. */
static int open_folder(job *j, ss_diag *diag)
{
    int status = ss_outfile_make_dirs(j->out_dir, diag);
    j->manifest_name = ss_manifest_name(j->ds->year, j->ds->sample, j->opt->shard_k,
                                        j->opt->shard_n);
    if (status == SS_EXIT_OK)
        status = check_targets(j, diag);
    if (status == SS_EXIT_OK)
        status = ss_manifest_lock(j->out_dir, j->manifest_name, &j->lock_fd, diag);
    if (status == SS_EXIT_OK)
        ss_outfile_remove_stale(j->out_dir, time(NULL), SS_OUTFILE_STALE_AGE);
    return status;
}

/* The manifest, once every file it lists is in place and synced. */
static int write_manifest(job *j, ss_diag *diag)
{
    ss_manifest_input(j->manifest, "data", j->opt->data_path, j->ds->bytes, j->ds->sha256);
    ss_manifest_input(j->manifest, "template", j->tpl->path, j->tpl->bytes, j->tpl->sha256);
    return ss_manifest_write(j->manifest, j->out_dir, j->manifest_name, diag);
}

/* After a failure once files began to change: what the folder now holds. */
static void report_partial(const job *j, ss_diag *diag)
{
    size_t done = 0, earlier = 0;
    for (size_t i = 0; i < j->n; i++) {
        if (j->written[i]) {
            done++;
        } else {
            char *name = sheet_name(j->states[i], j->ds->year, j->ds->sample);
            earlier += exists_in(j->out_dir, name);
            free(name);
        }
    }
    char held[160] = "";
    size_t dl = strlen(j->out_dir);
    while (dl > 1 && j->out_dir[dl - 1] == '/')
        dl--;
    if (earlier)
        snprintf(held, sizeof held, "%.*s/ still holds %zu sheet%s of an earlier run; ",
                 (int)dl, j->out_dir, earlier, earlier == 1 ? "" : "s");
    ss_diag_error(diag, NULL, 0, "%zu of %zu sheet%s written; %sno manifest was written; "
                  "run again", done, j->n, j->n == 1 ? "" : "s", held);
}

static void say_written(const job *j, double t0)
{
    char size[32];
    human_size(atomic_load(&j->bytes), size, sizeof size);
    double took = now_s() - t0;
    size_t replaced = atomic_load(&j->replaced);
    char extra[64] = "";
    if (replaced)
        snprintf(extra, sizeof extra, " (%zu existing file%s replaced)", replaced,
                 replaced == 1 ? "" : "s");
    ss_outfile_printf("%zu sheet%s, %zu page%s, %s, %.*f s -> %s/%s\n", j->n,
                      j->n == 1 ? "" : "s", j->n, j->n == 1 ? "" : "s", size,
                      took < 0.1 ? 3 : 2, took, j->out_dir, extra);
}

static void job_free(job *j)
{
    for (int t = 0; j->diag && t < j->jobs; t++) {
        ss_diag_free(j->diag[t]);
        ss_hyphenator_free(j->hyph[t]);
        if (j->shaper)
            ss_shaper_free(j->shaper[t]);
    }
    free(j->diag);
    free(j->hyph);
    free(j->shaper);
    free(j->hy);
    for (size_t i = 0; j->pages && i < j->n; i++) {
        ss_page_free(j->pages[i]);
        meta_free(j->meta[i]);
    }
    free(j->pages);
    free(j->meta);
    if (j->lock_fd >= 0)
        close(j->lock_fd); /* the lock ends here */
    ss_manifest_free(j->manifest);
    free(j->manifest_name);
    free(j->written);
    free(j->body);
    free(j->states);
    for (int t = 0; j->render && t < j->jobs; t++)
        ss_render_free(j->render[t]);
    free(j->render);
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
    ss_patterns *patterns = NULL;
    job j;
    memset(&j, 0, sizeof j);
    j.lock_fd = -1;
    int status = SS_EXIT_OK;
    char *assets = ss_assets_dir(opt->assets_dir);
    if (!assets) {
        ss_diag_error(diag, NULL, 0, "cannot find statesheet's assets (template, "
                      "fonts); reinstall it, or name the folder with --assets DIR or "
                      "STATESHEET_ASSETS");
        status = SS_EXIT_SOFTWARE;
        goto done;
    }
    status = load_inputs(opt, assets, diag, &tpl, &ds, &patterns);
    if (status != SS_EXIT_OK)
        goto done;
    say_hyphenation(patterns, tpl, opt->verbosity);
    j.ds = ds;
    j.tpl = tpl;
    status = select_states(opt, ds, &j);
    if (status == SS_EXIT_OK && opt->combined_path)
        status = check_combined(opt, assets, tpl, ds, j.n, diag);
    if (status == SS_EXIT_OK)
        status = job_init(&j, opt, assets, patterns, &fonts, diag);
    if (status == SS_EXIT_OK)
        status = check_sheets(&j, diag);
    if (status != SS_EXIT_OK || nothing_to_write(&j, opt))
        goto done;

    /* Phase 2: write.  Last run's manifest goes first, this run's last. */
    status = open_folder(&j, diag);
    if (status == SS_EXIT_OK)
        status = ss_manifest_withdraw(j.out_dir, j.manifest_name, diag);
    j.unlisted = status == SS_EXIT_OK;
    j.manifest = ss_manifest_new(j.n, ds->year, ds->sample);
    if (status == SS_EXIT_OK)
        status = write_sheets(&j, diag);
    if (status == SS_EXIT_OK && opt->combined_path)
        status = make_combined(&j, diag);
    if (status == SS_EXIT_OK)
        status = write_manifest(&j, diag);
    j.unlisted = j.unlisted && status != SS_EXIT_OK;
    if (status == SS_EXIT_OK && opt->verbosity >= 1)
        say_written(&j, t0);
done:;
    int lost = ss_outfile_stdout_lost();
    if (fflush(stdout) != 0 || lost) {
        int e = lost ? lost : errno;
        ss_diag_error(diag, NULL, 0, "cannot write to standard output (%s); stopped",
                      e == EPIPE ? "the program reading it has ended" : strerror(e));
        if (status == SS_EXIT_OK)
            status = SS_EXIT_IOERR;
    }
    /* Last: what the folder holds after the causes above. */
    if (status != SS_EXIT_OK && j.unlisted)
        report_partial(&j, diag);
    job_free(&j);
    ss_fonts_free(fonts);
    ss_patterns_free(patterns);
    ss_template_free(tpl);
    ss_dataset_free(ds);
    free(assets);
    ss_diag_print(diag, stderr);
    ss_diag_free(diag);
    return status;
}
