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
#include "pdfcopy.h"
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
    if (!status && t->npages > SS_COMBINED_MAX_PAGES) {
        ss_diag_error(diag, path, 0, "--combined: %zu pages are more than one PDF/A file "
                      "can hold (%d); make one combined file per slice with --shard, "
                      "e.g. --shard 1/%zu", t->npages, SS_COMBINED_MAX_PAGES,
                      (t->npages + SS_COMBINED_MAX_PAGES - 1) / SS_COMBINED_MAX_PAGES);
        status = 64;
    }
done:
    free(dir);
    free(name);
    return status;
}

/* ---- the file, page by page --------------------------------------------- */

/* The combined file is written as its pages are made: each page is made
 * as a finished one-page file (render_pdf.c, libharu), whose page, Part
 * (the page's structure subtree), parent-tree entry and bookmark are
 * copied into the combined file at once (pdfcopy.c) and the rest dropped.
 * Every page draws with the same two fonts, written at the end with every
 * glyph any page used: the CIDs are glyph ids of the whole font
 * (render_pdf.c), so a page's codes mean the same in the shared font.
 * What stays in memory is a few numbers a page: the objects of its page,
 * Part and parent-tree entry, for the page tree, the Document element
 * and the parent tree written at the end. */

/* PDF/A-1 keeps PDF 1.4's limits (ISO 19005-1, 6.1.12): an array holds at
 * most 8,191 elements.  The page tree, the Document element's kids and the
 * parent tree have an entry for every page (two in the parent tree), so a
 * file of more than GROUP pages gets one level more in each: page-tree
 * nodes, Div elements (Document > Div > Part) and number-tree leaves of
 * GROUP pages each.  1,000, not the 4,095 a flat parent tree allows, so
 * that the grouped shape shows at a size the tests can afford
 * (e2e_combined_stream, 2,000 pages). */
#define GROUP 1000

typedef struct combined {
    ss_pdfout *out;
    ss_pdf *fonts;      /* the glyphs of every page, and the file's end */
    long pages, root, document, outlines, font[2];
    long *kids, *parts, *nums; /* per page */
    size_t ngroups;     /* 0: flat trees (GROUP pages or fewer) */
    long *gpages, *gdiv, *gnums; /* per group: page-tree node, Div, leaf */
    long first_item, prev_item, next_item; /* bookmarks */
} combined;

static bool to_outfile(void *f, const void *data, size_t len)
{
    return ss_outfile_put(f, data, len);
}

/* Maps what every one-page file has once (its page tree, structure root,
 * Document element, bookmark root, fonts) onto the combined file's. */
static bool map_shared(combined *c, ss_pdfin *in, size_t i, long *page, long *sroot,
                       long *document)
{
    long cat = ss_pdfin_trailer(in, "Root");
    long pages = ss_pdfin_ref(in, cat, "Pages");
    *sroot = ss_pdfin_ref(in, cat, "StructTreeRoot");
    *document = ss_pdfin_ref(in, *sroot, "K");
    *page = ss_pdfin_ref(in, pages, "Kids#0");
    long f0 = ss_pdfin_ref(in, *page, "Resources/Font/F0");
    long f1 = ss_pdfin_ref(in, *page, "Resources/Font/F1");
    if (!cat || !pages || !*sroot || !*document || !*page || !f0 || !f1)
        return false;
    ss_pdfin_map(in, pages, c->ngroups ? c->gpages[i / GROUP] : c->pages);
    ss_pdfin_map(in, *sroot, c->root);
    ss_pdfin_map(in, *document, c->ngroups ? c->gdiv[i / GROUP] : c->document);
    ss_pdfin_map(in, f0, c->font[0]);
    ss_pdfin_map(in, f1, c->font[1]);
    long outlines = ss_pdfin_ref(in, cat, "Outlines");
    if (outlines)
        ss_pdfin_map(in, outlines, c->outlines);
    return true;
}

/* Copies page i (of n) of the one-page file 'pdf' into the combined file:
 * the page, its Part, its parent-tree entry and its bookmark, with what
 * they refer to. */
static bool copy_page(combined *c, size_t i, size_t n, const ss_buf *pdf)
{
    ss_pdfin *in = ss_pdfin_open(pdf->data, pdf->len);
    long page, sroot, document;
    bool ok = in && (i > 0 || ss_pdfout_header(c->out, in)) &&
              map_shared(c, in, i, &page, &sroot, &document);
    long outlines = ok ? ss_pdfin_ref(in, ss_pdfin_trailer(in, "Root"), "Outlines") : 0;
    long item = outlines ? ss_pdfin_ref(in, outlines, "First") : 0;
    if (ok && item) {
        c->kids[i] = ss_pdfout_copy(c->out, in, page, 0, NULL);
        c->parts[i] = ss_pdfout_copy(c->out, in, ss_pdfin_ref(in, document, "K#0"), 0, NULL);
        c->nums[i] = ss_pdfout_copy_value(c->out, in, sroot, "ParentTree/Nums#1");
        /* The bookmarks are a list: each names the one before and after. */
        long cur = i == 0 ? ss_pdfout_reserve(c->out) : c->next_item;
        long next = i + 1 < n ? ss_pdfout_reserve(c->out) : 0;
        char extra[80] = "";
        if (i > 0)
            snprintf(extra, sizeof extra, "\n/Prev %ld 0 R", c->prev_item);
        if (next)
            snprintf(extra + strlen(extra), sizeof extra - strlen(extra), "\n/Next %ld 0 R",
                     next);
        ok = c->kids[i] && c->parts[i] && c->nums[i] &&
             ss_pdfout_copy(c->out, in, item, cur, *extra ? extra : NULL);
        if (i == 0)
            c->first_item = cur;
        c->prev_item = cur;
        c->next_item = next;
    } else {
        ok = false;
    }
    ss_pdfin_free(in);
    return ok;
}

/* " N 0 R" for refs[from..to). */
static void put_refs(ss_buf *b, const long *refs, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        ss_buf_printf(b, " %ld 0 R", refs[i]);
}

/* A page-tree node (parent 0: the root) with kids refs[0..nrefs) and
 * 'count' pages under it. */
static bool put_pages(combined *c, long num, long parent, const long *refs, size_t nrefs,
                      size_t count)
{
    ss_buf b;
    ss_buf_init(&b);
    ss_buf_adds(&b, "<<\n/Type /Pages\n");
    if (parent)
        ss_buf_printf(&b, "/Parent %ld 0 R\n", parent);
    ss_buf_adds(&b, "/Kids [");
    put_refs(&b, refs, 0, nrefs);
    ss_buf_printf(&b, " ]\n/Count %zu\n>>", count);
    bool ok = ss_pdfout_put(c->out, num, b.data, b.len);
    ss_buf_free(&b);
    return ok;
}

/* A grouping structure element (Document, Div) with kids refs[0..n). */
static bool put_group(combined *c, long num, const char *type, long parent,
                      const long *refs, size_t n)
{
    ss_buf b;
    ss_buf_init(&b);
    ss_buf_printf(&b, "<<\n/S /%s\n/P %ld 0 R\n/K [", type, parent);
    put_refs(&b, refs, 0, n);
    ss_buf_adds(&b, " ]\n>>");
    bool ok = ss_pdfout_put(c->out, num, b.data, b.len);
    ss_buf_free(&b);
    return ok;
}

/* The parent tree's entries for pages [from, to): "KEY ARRAY" pairs. */
static void put_nums(ss_buf *b, const combined *c, size_t from, size_t to)
{
    ss_buf_adds(b, "/Nums [");
    for (size_t i = from; i < to; i++)
        ss_buf_printf(b, " %zu %ld 0 R", i, c->nums[i]);
    ss_buf_adds(b, " ]");
}

/* The page tree, the structure tree's root and Document element (and the
 * groups between them and the pages, see GROUP), and the parent tree. */
static bool write_trees(combined *c, size_t n)
{
    bool ok = true;
    ss_buf b;
    ss_buf_init(&b);
    ss_buf_printf(&b, "<<\n/Type /StructTreeRoot\n/K %ld 0 R\n/ParentTree <<\n",
                  c->document);
    if (!c->ngroups) {
        ok = put_pages(c, c->pages, 0, c->kids, n, n) &&
             put_group(c, c->document, "Document", c->root, c->parts, n);
        put_nums(&b, c, 0, n);
    } else {
        for (size_t g = 0; g < c->ngroups && ok; g++) {
            size_t from = g * GROUP, to = from + GROUP < n ? from + GROUP : n;
            ok = put_pages(c, c->gpages[g], c->pages, c->kids + from, to - from, to - from) &&
                 put_group(c, c->gdiv[g], "Div", c->document, c->parts + from, to - from);
            ss_buf leaf;
            ss_buf_init(&leaf);
            ss_buf_printf(&leaf, "<<\n/Limits [ %zu %zu ]\n", from, to - 1);
            put_nums(&leaf, c, from, to);
            ss_buf_adds(&leaf, "\n>>");
            ok = ok && ss_pdfout_put(c->out, c->gnums[g], leaf.data, leaf.len);
            ss_buf_free(&leaf);
        }
        ok = ok && put_pages(c, c->pages, 0, c->gpages, c->ngroups, n) &&
             put_group(c, c->document, "Document", c->root, c->gdiv, c->ngroups);
        ss_buf_adds(&b, "/Kids [");
        put_refs(&b, c->gnums, 0, c->ngroups);
        ss_buf_adds(&b, " ]");
    }
    ss_buf_adds(&b, "\n>>\n>>");
    ok = ok && ss_pdfout_put(c->out, c->root, b.data, b.len);
    ss_buf_free(&b);
    return ok;
}

/* The file's end: the fonts, with every glyph of every page, and the
 * catalog, info, metadata and output intent, copied from a one-page file
 * made for them (its one page is blank and not copied); then the page
 * tree, the structure tree's root and Document, the parent tree and the
 * bookmarks' root, written here. */
static bool finish_file(combined *c, size_t n, const ss_pdf_info *info, double w, double h,
                        char sha256[65], size_t *len)
{
    ss_page blank;
    memset(&blank, 0, sizeof blank);
    blank.width = w;
    blank.height = h;
    ss_buf pdf;
    ss_buf_init(&pdf);
    bool ok = ss_pdf_add_page(c->fonts, &blank, NULL) && ss_pdf_finish(c->fonts, info, &pdf);
    ss_pdfin *in = ok ? ss_pdfin_open(pdf.data, pdf.len) : NULL;
    long page, sroot, document;
    ok = in && map_shared(c, in, 0, &page, &sroot, &document);
    long f0 = ok ? ss_pdfin_ref(in, page, "Resources/Font/F0") : 0;
    long f1 = ok ? ss_pdfin_ref(in, page, "Resources/Font/F1") : 0;
    long cat = ok ? ss_pdfin_trailer(in, "Root") : 0, catalog = 0, info_obj = 0;
    if (ok) {
        /* The catalog names the root of the page tree, not a group. */
        ss_pdfin_map(in, ss_pdfin_ref(in, cat, "Pages"), c->pages);
        /* Mapped as every page's fonts were: unmapped, they copy into
         * the numbers the pages refer to. */
        ss_pdfin_map(in, f0, 0);
        ss_pdfin_map(in, f1, 0);
        char extra[48];
        snprintf(extra, sizeof extra, "\n/Outlines %ld 0 R", c->outlines);
        ok = ss_pdfout_copy(c->out, in, f0, c->font[0], NULL) &&
             ss_pdfout_copy(c->out, in, f1, c->font[1], NULL) &&
             (catalog = ss_pdfout_copy(c->out, in, cat, 0, extra)) &&
             (info_obj = ss_pdfout_copy(c->out, in, ss_pdfin_trailer(in, "Info"), 0, NULL));
    }
    ss_pdfin_free(in);
    ss_buf_free(&pdf);
    if (!ok)
        return false;

    ok = write_trees(c, n);
    ss_buf b;
    ss_buf_init(&b);
    ss_buf_printf(&b, "<<\n/Type /Outlines\n/First %ld 0 R\n/Last %ld 0 R\n/Count %zu\n>>",
                  c->first_item, c->prev_item, n);
    ok = ok && ss_pdfout_put(c->out, c->outlines, b.data, b.len);
    ss_buf_free(&b);
    return ok && ss_pdfout_finish(c->out, catalog, info_obj, sha256, len);
}

/* Makes page i as a one-page file and copies it in. */
static bool add_page(const ss_combined_job *cj, combined *c, size_t i,
                     const ss_pdf_info *info, ss_diag *diag)
{
    ss_document *doc = ss_bind(cj->tpl, cj->ds, cj->states[i]);
    ss_page *pg = ss_layout_run_hyphen(doc, ss_fonts_measure(cj->fonts), cj->hy, cj->page_w,
                                       cj->page_h, cj->body[i]);
    ss_pdf *pdf = ss_pdf_new(cj->fonts, cj->icc_path, false, diag);
    ss_buf out;
    ss_buf_init(&out);
    bool ok = false;
    if (pdf) {
        ss_pdf_for_copy(pdf, (int)i);
        ok = ss_pdf_add_page(pdf, pg, doc->info_title) && ss_pdf_finish(pdf, info, &out);
        ss_pdf_add_glyphs(c->fonts, pdf);
    }
    ok = ok && copy_page(c, i, cj->n, &out);
    ss_buf_free(&out);
    ss_pdf_free(pdf);
    ss_page_free(pg);
    ss_document_free(doc);
    return ok;
}

int ss_combined_write(const ss_combined_job *cj, ss_diag *diag)
{
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
    char *dir, *name;
    ss_combined_split(cj->path, &dir, &name);
    ss_outfile_remove_stale(dir, time(NULL), SS_OUTFILE_STALE_AGE);
    struct stat sb;
    if (cj->existed)
        *cj->existed = lstat(cj->path, &sb) == 0;
    int status = 70;
    combined c;
    memset(&c, 0, sizeof c);
    ss_outfile *f = ss_outfile_open(dir, name, diag, &status);
    c.fonts = f ? ss_pdf_new(cj->fonts, cj->icc_path, false, diag) : NULL;
    if (!c.fonts)
        goto done;
    status = 70;
    c.out = ss_pdfout_new(to_outfile, f);
    c.pages = ss_pdfout_reserve(c.out);
    c.root = ss_pdfout_reserve(c.out);
    c.document = ss_pdfout_reserve(c.out);
    c.outlines = ss_pdfout_reserve(c.out);
    c.font[0] = ss_pdfout_reserve(c.out);
    c.font[1] = ss_pdfout_reserve(c.out);
    c.kids = ss_xcalloc(cj->n, sizeof *c.kids);
    c.parts = ss_xcalloc(cj->n, sizeof *c.parts);
    c.nums = ss_xcalloc(cj->n, sizeof *c.nums);
    c.ngroups = cj->n > GROUP ? (cj->n + GROUP - 1) / GROUP : 0;
    c.gpages = ss_xcalloc(c.ngroups + 1, sizeof *c.gpages);
    c.gdiv = ss_xcalloc(c.ngroups + 1, sizeof *c.gdiv);
    c.gnums = ss_xcalloc(c.ngroups + 1, sizeof *c.gnums);
    for (size_t g = 0; g < c.ngroups; g++) {
        c.gpages[g] = ss_pdfout_reserve(c.out);
        c.gdiv[g] = ss_pdfout_reserve(c.out);
        c.gnums[g] = ss_pdfout_reserve(c.out);
    }
    bool ok = true;
    for (size_t i = 0; i < cj->n && ok; i++)
        ok = add_page(cj, &c, i, &info, diag);
    char sha[65];
    size_t len = 0;
    ok = ok && finish_file(&c, cj->n, &info, cj->page_w, cj->page_h, sha, &len);
    if (ok) {
        status = ss_outfile_close(f, true, diag);
        if (status == 0 && cj->manifest)
            ss_manifest_combined(cj->manifest, cj->path, sha, len, (int)cj->n);
    } else {
        /* A failed write (disk full) is reported by the close; anything
         * else is ours. */
        status = ss_outfile_close(f, false, diag);
        if (status == 0 && !ss_diag_error_count(diag))
            ss_diag_error(diag, cj->path, 0, "internal error: the combined file could "
                          "not be put together; this is a bug in statesheet, please "
                          "report it");
        if (status == 0)
            status = 70;
    }
    f = NULL;
done:
    if (f)
        ss_outfile_close(f, false, diag);
    ss_pdfout_free(c.out);
    ss_pdf_free(c.fonts);
    free(c.kids), free(c.parts), free(c.nums);
    free(c.gpages), free(c.gdiv), free(c.gnums);
    free(dir), free(name);
    free(title), free(subject), free(keywords), free(creator);
    return status;
}
