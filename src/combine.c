/* combine.c - the --combined print file: where it may go, and the file,
 * made as one libharu document (render_pdf.c) and written at once. */
/* realpath() is XSI, beyond the POSIX base the build asks for. */
#define _XOPEN_SOURCE 700
#include "combine.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bind.h"
#include "layout.h"
#include "outfile.h"
#include "render_pdf.h"
#include "shape.h"
#include "util.h"
#include "version.h"

/* Splits path into its folder and file name (new strings, free both). */
static void split(const char *path, char **dir, char **name)
{
    char *d = ss_xstrdup(path);
    char *slash = strrchr(d, '/');
    if (slash) {
        *name = ss_xstrdup(slash + 1);
        if (slash == d)
            slash[1] = '\0';
        else
            *slash = '\0';
    } else {
        *name = ss_xstrdup(path);
        strcpy(d, ".");
    }
    *dir = d;
}

/* The path without trailing slashes and "./" parts, for comparing two
 * spellings of a folder that does not exist yet. */
static char *tidy(const char *p)
{
    ss_buf b;
    ss_buf_init(&b);
    while (p[0] == '.' && p[1] == '/')
        p += 2;
    for (; *p; p++) {
        if (*p == '/' && (p[1] == '/' || p[1] == '\0' || (p[1] == '.' && (p[2] == '/' || !p[2]))))
            continue;
        ss_buf_addc(&b, *p);
    }
    if (!b.len)
        ss_buf_addc(&b, '.');
    return ss_buf_steal(&b);
}

static bool same_file(const struct stat *a, const char *path)
{
    struct stat b;
    return stat(path, &b) == 0 && a->st_dev == b.st_dev && a->st_ino == b.st_ino;
}

/* The full real path of 'path', whose folder must exist (the file itself
 * need not), or NULL. */
static char *real_path(const char *dir, const char *name)
{
    char *rd = realpath(dir, NULL);
    if (!rd)
        return NULL;
    char *r = ss_xasprintf("%s/%s", strcmp(rd, "/") ? rd : "", name);
    free(rd);
    return r;
}

/* The combined file must be a file: not a folder (nor the output folder
 * the run makes, or a folder on its way to it), nor a device or pipe,
 * which renaming would replace, not write. */
static int check_is_file(const ss_combined_target *t, const char *name, bool exists,
                         const struct stat *st, ss_diag *diag)
{
    char *tp = tidy(t->path), *to = tidy(t->out_dir);
    size_t tpl = strlen(tp);
    bool makes_it = !strncmp(tp, to, tpl) && (to[tpl] == '/' || to[tpl] == '\0');
    int status = 0;
    if (!*name || !strcmp(name, ".") || !strcmp(name, "..") || makes_it ||
        (exists && S_ISDIR(st->st_mode))) {
        ss_diag_error(diag, t->path, 0, "--combined names a folder; give a file name, "
                      "e.g. --combined %s/all-sheets.pdf", tp);
        status = 73;
    } else if (exists && !S_ISREG(st->st_mode)) {
        ss_diag_error(diag, t->path, 0, "--combined names a device or another special "
                      "file, not a PDF file; give a file name such as all-sheets.pdf");
        status = 73;
    }
    free(tp);
    free(to);
    return status;
}

/* Its folder must exist and be writable, or be the output folder, which
 * the run makes before the combined file. */
static int check_folder(const ss_combined_target *t, const char *dir, bool exists,
                        const struct stat *dst, ss_diag *diag)
{
    if (!exists) {
        int e = errno;
        char *a = tidy(dir), *b = tidy(t->out_dir);
        bool is_out = !strcmp(a, b);
        free(a), free(b);
        if (is_out && e == ENOENT)
            return 0;
        if (e == ENOENT)
            ss_diag_error(diag, t->path, 0, "cannot write the combined file: the folder "
                          "%s does not exist; create it first or choose another place", dir);
        else if (e == ELOOP)
            ss_diag_error(diag, t->path, 0, "cannot write the combined file: the folder "
                          "%s is a link that leads round in a loop; choose another place",
                          dir);
        else
            ss_diag_error(diag, t->path, 0, "cannot write the combined file into the "
                          "folder %s (%s); choose another place", dir, strerror(e));
        return 73;
    }
    if (!S_ISDIR(dst->st_mode)) {
        ss_diag_error(diag, t->path, 0, "cannot write the combined file: %s is a file, "
                      "not a folder; choose another place", dir);
        return 73;
    }
    if (access(dir, W_OK | X_OK) != 0) {
        ss_diag_error(diag, t->path, 0, "cannot write the combined file into %s: %s", dir,
                      strerror(errno));
        return 73;
    }
    return 0;
}

/* Not one of the inputs, under any name: by device and inode when the
 * file exists (hard and symbolic links), by real path ('real', may be
 * NULL) otherwise. */
static int check_not_input(const ss_combined_target *t, bool exists, const struct stat *st,
                           const char *real, ss_diag *diag)
{
    for (size_t i = 0; i < t->ninputs; i++) {
        bool same = exists && same_file(st, t->inputs[i]);
        if (!same && real) {
            char *ri = realpath(t->inputs[i], NULL);
            same = ri && !strcmp(ri, real);
            free(ri);
        }
        if (same) {
            ss_diag_error(diag, t->path, 0, "--combined would replace %s, which this run "
                          "reads; choose another name, e.g. --combined %s/all-sheets.pdf",
                          t->inputs[i], t->out_dir);
            return 64;
        }
    }
    return 0;
}

/* Not under the assets folder. */
static int check_not_assets(const ss_combined_target *t, const char *real, ss_diag *diag)
{
    if (!real || !t->assets_dir)
        return 0;
    char *ra = realpath(t->assets_dir, NULL);
    size_t n = ra ? strlen(ra) : 0;
    int status = 0;
    if (ra && !strncmp(real, ra, n) && real[n] == '/') {
        ss_diag_error(diag, t->path, 0, "--combined would write into statesheet's own "
                      "files (%s); choose another place", t->assets_dir);
        status = 64;
    }
    free(ra);
    return status;
}

/* Not a sheet of this data in the output folder. */
static int check_not_sheet(const ss_combined_target *t, const char *dir, const char *name,
                           bool dir_exists, const struct stat *dst, ss_diag *diag)
{
    struct stat ost;
    bool same_dir;
    if (dir_exists && stat(t->out_dir, &ost) == 0) {
        same_dir = dst->st_dev == ost.st_dev && dst->st_ino == ost.st_ino;
    } else {
        char *a = tidy(dir), *b = tidy(t->out_dir);
        same_dir = !strcmp(a, b);
        free(a), free(b);
    }
    for (size_t i = 0; same_dir && i < t->nsheets; i++)
        if (!strcmp(name, t->sheets[i])) {
            ss_diag_error(diag, t->path, 0, "--combined would replace the sheet %s of "
                          "this data; choose another name, e.g. --combined "
                          "%s/all-sheets.pdf", name, t->out_dir);
            return 64;
        }
    return 0;
}

/* No more pages than one file holds. */
static int check_pages(const ss_combined_target *t, ss_diag *diag)
{
    if (t->npages <= SS_COMBINED_MAX_PAGES)
        return 0;
    ss_diag_error(diag, t->path, 0, "--combined: %zu pages are more than one PDF/A file "
                  "can hold (%d); make one combined file per slice with --shard, "
                  "e.g. --shard 1/%zu", t->npages, SS_COMBINED_MAX_PAGES,
                  (t->npages + SS_COMBINED_MAX_PAGES - 1) / SS_COMBINED_MAX_PAGES);
    return 64;
}

int ss_combined_check(const ss_combined_target *t, ss_diag *diag)
{
    char *dir, *name;
    split(t->path, &dir, &name);
    struct stat st, dst;
    bool exists = stat(t->path, &st) == 0;
    int status = check_is_file(t, name, exists, &st, diag);
    bool dir_exists = !status && stat(dir, &dst) == 0;
    if (!status)
        status = check_folder(t, dir, dir_exists, &dst, diag);
    char *real = !status && dir_exists ? real_path(dir, name) : NULL;
    if (!status)
        status = check_not_input(t, exists, &st, real, diag);
    if (!status)
        status = check_not_assets(t, real, diag);
    if (!status)
        status = check_not_sheet(t, dir, name, dir_exists, &dst, diag);
    if (!status)
        status = check_pages(t, diag);
    free(real);
    free(dir);
    free(name);
    return status;
}

/* ---- the file ---------------------------------------------------------------- */

/* Makes page i (bound and laid out again, at its checked body size) and
 * adds it to pdf with its bookmark. */
static bool add_page(const ss_combined_job *cj, ss_pdf *pdf, ss_shaper *shaper, size_t i)
{
    ss_document *doc = ss_bind(cj->tpl, cj->ds, cj->states[i]);
    ss_page *pg = ss_layout_run(doc, ss_shaper_measure(shaper), cj->hy, cj->page_w,
                                       cj->page_h, cj->body[i]);
    bool ok = pg && ss_pdf_add_page(pdf, pg, doc->info_title);
    ss_page_free(pg);
    ss_document_free(doc);
    return ok;
}

/* The whole file in memory: every page, the fonts cut once for all of
 * them.  False with a message in diag. */
static bool make_file(const ss_combined_job *cj, ss_buf *out, ss_diag *diag)
{
    const ss_dataset *ds = cj->ds;
    char *title = ss_xasprintf("State Data %d%s", ds->year, ds->sample ? " (SAMPLE DATA)" : "");
    char *subject = ss_xasprintf("%sState data fact sheets, %zu jurisdictions, %d",
                                 ds->sample ? "SAMPLE DATA, NOT REAL FIGURES: " : "",
                                 cj->n, ds->year);
    char *keywords = ss_xasprintf("state data, %d%s", ds->year,
                                  ds->sample ? ", sample data" : "");
    ss_pdf_info info = {title, cj->organisation, subject, keywords, "statesheet " SS_VERSION,
                        cj->created, cj->tpl->lang};
    ss_pdf *pdf = ss_pdf_new(cj->render, false, diag);
    ss_shaper *shaper = ss_shaper_new(cj->fonts); /* the pages' words' widths */
    bool ok = pdf != NULL;
    for (size_t i = 0; i < cj->n && ok; i++)
        ok = add_page(cj, pdf, shaper, i);
    ok = ok && ss_pdf_finish(pdf, &info, out);
    ss_shaper_free(shaper);
    ss_pdf_free(pdf);
    free(title), free(subject), free(keywords);
    return ok;
}

int ss_combined_write(const ss_combined_job *cj, ss_diag *diag)
{
    ss_buf out;
    ss_buf_init(&out);
    int status = 70;
    size_t errors = ss_diag_error_count(diag);
    if (!make_file(cj, &out, diag)) {
        if (ss_diag_error_count(diag) == errors)
            ss_diag_error(diag, cj->path, 0, "internal error: the combined file could not "
                          "be put together; this is a bug in statesheet, please report it");
    } else {
        char *dir, *name;
        split(cj->path, &dir, &name);
        ss_outfile_remove_stale(dir, time(NULL), SS_OUTFILE_STALE_AGE);
        struct stat sb;
        if (cj->existed)
            *cj->existed = lstat(cj->path, &sb) == 0;
        status = ss_outfile_write(dir, name, out.data, out.len, diag);
        if (status == 0 && cj->manifest) {
            char sha[65];
            ss_sha256_hex(out.data, out.len, sha);
            ss_manifest_combined(cj->manifest, cj->path, sha, out.len, (int)cj->n);
        }
        free(dir), free(name);
    }
    ss_buf_free(&out);
    return status;
}
