/* combine.c - the --combined print file: where it may go. */
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
#include "util.h"
#include "version.h"

void ss_combined_split(const char *path, char **dir, char **name)
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

int ss_combined_check(const ss_combined_target *t, ss_diag *diag)
{
    const char *path = t->path;
    char *dir, *name;
    ss_combined_split(path, &dir, &name);
    int status = 0;
    struct stat st, dst;
    bool file_exists = stat(path, &st) == 0;

    /* The output folder, or a folder on its way, is made by the run. */
    char *tp = tidy(path), *to = tidy(t->out_dir);
    size_t tpl = strlen(tp);
    bool makes_it = !strncmp(tp, to, tpl) && (to[tpl] == '/' || to[tpl] == '\0');
    free(to);
    if (!*name || !strcmp(name, ".") || !strcmp(name, "..") || makes_it ||
        (file_exists && S_ISDIR(st.st_mode))) {
        ss_diag_error(diag, path, 0, "--combined names a folder; give a file name, "
                      "e.g. --combined %s/all-sheets.pdf", tp);
        free(tp);
        status = 73;
        goto done;
    }
    free(tp);
    if (file_exists && !S_ISREG(st.st_mode)) {
        /* Renaming over /dev/null or a pipe would replace it, not write it. */
        ss_diag_error(diag, path, 0, "--combined names a device or another special "
                      "file, not a PDF file; give a file name such as all-sheets.pdf");
        status = 73;
        goto done;
    }
    bool dir_exists = stat(dir, &dst) == 0;
    if (!dir_exists) {
        /* The output folder is made by the run, before the combined file. */
        char *a = tidy(dir), *b = tidy(t->out_dir);
        bool is_out = !strcmp(a, b);
        free(a), free(b);
        if (!is_out || errno != ENOENT) {
            ss_diag_error(diag, path, 0, "cannot write the combined file: the folder %s "
                          "%s; create it first or choose another place", dir,
                          errno == ENOENT ? "does not exist" : strerror(errno));
            status = 73;
            goto done;
        }
    } else if (!S_ISDIR(dst.st_mode)) {
        ss_diag_error(diag, path, 0, "cannot write the combined file: %s is a file, not "
                      "a folder; choose another place", dir);
        status = 73;
        goto done;
    } else if (access(dir, W_OK | X_OK) != 0) {
        ss_diag_error(diag, path, 0, "cannot write the combined file into %s: %s", dir,
                      strerror(errno));
        status = 73;
        goto done;
    }

    /* One of the inputs, under any name: by device and inode when the file
     * exists (hard and symbolic links), by real path otherwise. */
    char *real = dir_exists ? real_path(dir, name) : NULL;
    for (size_t i = 0; i < t->ninputs && !status; i++) {
        bool same = file_exists && same_file(&st, t->inputs[i]);
        if (!same && real) {
            char *ri = realpath(t->inputs[i], NULL);
            same = ri && !strcmp(ri, real);
            free(ri);
        }
        if (same) {
            ss_diag_error(diag, path, 0, "--combined would replace %s, which this run "
                          "reads; choose another name, e.g. --combined %s/all-sheets.pdf",
                          t->inputs[i], t->out_dir);
            status = 64;
        }
    }
    if (!status && real && t->assets_dir) {
        char *ra = realpath(t->assets_dir, NULL);
        size_t n = ra ? strlen(ra) : 0;
        if (ra && !strncmp(real, ra, n) && real[n] == '/') {
            ss_diag_error(diag, path, 0, "--combined would write into statesheet's own "
                          "files (%s); choose another place", t->assets_dir);
            status = 64;
        }
        free(ra);
    }
    /* A sheet of this data in the output folder. */
    if (!status) {
        struct stat ost;
        bool same_dir;
        if (dir_exists && stat(t->out_dir, &ost) == 0)
            same_dir = dst.st_dev == ost.st_dev && dst.st_ino == ost.st_ino;
        else {
            char *a = tidy(dir), *b = tidy(t->out_dir);
            same_dir = !strcmp(a, b);
            free(a), free(b);
        }
        for (size_t i = 0; same_dir && i < t->nsheets && !status; i++)
            if (!strcmp(name, t->sheets[i])) {
                ss_diag_error(diag, path, 0, "--combined would replace the sheet %s of "
                              "this data; choose another name, e.g. --combined "
                              "%s/all-sheets.pdf", name, t->out_dir);
                status = 64;
            }
    }
    free(real);
done:
    free(dir);
    free(name);
    return status;
}

int ss_combined_write(const ss_combined_job *cj, ss_diag *diag)
{
    ss_pdf *pdf = ss_pdf_new(cj->fonts, cj->icc_path, false, diag);
    if (!pdf)
        return 70;
    for (size_t i = 0; i < cj->n; i++) {
        ss_document *doc = ss_bind(cj->tpl, cj->ds, cj->states[i]);
        ss_page *pg = ss_layout_run_hyphen(doc, ss_fonts_measure(cj->fonts), cj->hy,
                                           cj->page_w, cj->page_h, cj->body[i]);
        bool ok = ss_pdf_add_page(pdf, pg, doc->info_title);
        ss_page_free(pg);
        ss_document_free(doc);
        if (!ok) {
            ss_pdf_free(pdf);
            return 70;
        }
    }
    const ss_dataset *ds = cj->ds;
    char *title = ss_xasprintf("State Data %d%s", ds->year, ds->sample ? " (SAMPLE DATA)" : "");
    char *subject = ss_xasprintf("%sState data fact sheets, %zu jurisdictions, %d",
                                 ds->sample ? "SAMPLE DATA, NOT REAL FIGURES: " : "",
                                 cj->n, ds->year);
    char *keywords = ss_xasprintf("state data, %d%s", ds->year,
                                  ds->sample ? ", sample data" : "");
    char *creator = ss_xasprintf("statesheet %s", SS_VERSION);
    ss_pdf_info info = {title, cj->organisation, subject, keywords, creator, cj->created,
                        cj->tpl->lang};
    ss_buf out;
    ss_buf_init(&out);
    int status = 70;
    if (ss_pdf_finish(pdf, &info, &out)) {
        char *dir, *name;
        ss_combined_split(cj->path, &dir, &name);
        ss_outfile_remove_stale(dir, time(NULL), SS_OUTFILE_STALE_AGE);
        struct stat sb;
        if (cj->existed)
            *cj->existed = lstat(cj->path, &sb) == 0;
        status = ss_outfile_write(dir, name, out.data, out.len, diag);
        if (status == 0 && cj->manifest)
            ss_manifest_combined(cj->manifest, cj->path, out.data, out.len, (int)cj->n);
        free(dir);
        free(name);
    }
    ss_buf_free(&out);
    ss_pdf_free(pdf);
    free(title), free(subject), free(keywords), free(creator);
    return status;
}
