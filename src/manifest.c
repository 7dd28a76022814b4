/* manifest.c - the run's manifest as CSV (see manifest.h). */
#include "manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "csv_io.h"
#include "outfile.h"
#include "paths.h"
#include "records.h"
#include "status.h"
#include "util.h"
#include "version.h"

typedef struct entry {
    char *kind;
    char *code, *name;
    char *file;
    int pages;     /* 0: not a PDF */
    size_t bytes;
    char sha256[65];
    bool set;
} entry;

struct ss_manifest {
    int year;
    bool sample;
    entry *sheets;
    size_t nsheets;
    entry extra[3]; /* combined, data, template */
    size_t nextra;
};

ss_manifest *ss_manifest_new(size_t nsheets, int year, bool sample)
{
    ss_manifest *m = ss_xcalloc(1, sizeof *m);
    m->year = year;
    m->sample = sample;
    m->sheets = ss_xcalloc(nsheets ? nsheets : 1, sizeof *m->sheets);
    m->nsheets = nsheets;
    return m;
}

static void entry_free(entry *e)
{
    free(e->kind), free(e->code), free(e->name), free(e->file);
}

void ss_manifest_free(ss_manifest *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nsheets; i++)
        entry_free(&m->sheets[i]);
    for (size_t i = 0; i < m->nextra; i++)
        entry_free(&m->extra[i]);
    free(m->sheets);
    free(m);
}

static void fill(entry *e, const char *kind, const char *code, const char *name,
                 const char *file, const char sha256[65], size_t len, int pages)
{
    e->kind = ss_xstrdup(kind);
    e->code = ss_xstrdup(code ? code : "");
    e->name = ss_xstrdup(name ? name : "");
    e->file = ss_xstrdup(file);
    e->pages = pages;
    e->bytes = len;
    memcpy(e->sha256, sha256, sizeof e->sha256);
    e->set = true;
}

void ss_manifest_sheet(ss_manifest *m, size_t i, const char *code, const char *name,
                       const char *file, const char sha256[65], size_t len, int pages)
{
    if (i < m->nsheets)
        fill(&m->sheets[i], "sheet", code, name, file, sha256, len, pages);
}

/* An extra entry whose length and SHA-256 are already known. */
static void add_known(ss_manifest *m, const char *kind, const char *path,
                      const char sha256[65], size_t len, int pages)
{
    if (m->nextra < 3)
        fill(&m->extra[m->nextra++], kind, NULL, NULL, path, sha256, len, pages);
}

void ss_manifest_combined(ss_manifest *m, const char *path, const char sha256[65],
                          size_t len, int pages)
{
    add_known(m, "combined", path, sha256, len, pages);
}

void ss_manifest_input(ss_manifest *m, const char *kind, const char *path, size_t len,
                       const char sha256[65])
{
    add_known(m, kind, path, sha256, len, 0);
}

char *ss_manifest_name(int year, bool sample, int shard_k, int shard_n)
{
    if (shard_n > 0)
        return ss_xasprintf("manifest-%d%s-%d-of-%d.csv", year, sample ? "-SAMPLE" : "",
                            shard_k, shard_n);
    return ss_xasprintf("manifest-%d%s.csv", year, sample ? "-SAMPLE" : "");
}

static void row(FILE *f, const ss_manifest *m, const entry *e)
{
    ss_csv_put(f, e->kind, ',');
    putc(',', f);
    ss_csv_put(f, e->code, ',');
    putc(',', f);
    ss_csv_put(f, e->name, ',');
    fprintf(f, ",%d,", m->year);
    ss_csv_put(f, e->file, ',');
    if (e->pages)
        fprintf(f, ",%d", e->pages);
    else
        fputs(",", f);
    fprintf(f, ",%zu,%s,%s\r\n", e->bytes, e->sha256, m->sample ? "true" : "false");
}

int ss_manifest_write(const ss_manifest *m, const char *dir, const char *name,
                      ss_diag *diag)
{
    char *data = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&data, &len);
    if (!f)
        return SS_EXIT_SOFTWARE;
    fputs("kind,code,name,year,file,pages,bytes,sha256,sample\r\n", f);
    for (size_t i = 0; i < m->nsheets; i++)
        if (m->sheets[i].set)
            row(f, m, &m->sheets[i]);
    for (size_t i = 0; i < m->nextra; i++)
        row(f, m, &m->extra[i]);
    fprintf(f, "program,,statesheet %s,%d,,,,,%s\r\n", SS_VERSION, m->year,
            m->sample ? "true" : "false");
    if (fclose(f) != 0) {
        free(data);
        return SS_EXIT_SOFTWARE;
    }
    int status = ss_outfile_write(dir, name, data, len, diag);
    if (status == SS_EXIT_OK)
        status = ss_outfile_sync_dir(dir, diag);
    free(data);
    return status;
}

/* The lock file of a manifest: manifest-2023.csv -> .manifest-2023.lock. */
static char *lock_path(const char *dir, const char *name)
{
    size_t n = strlen(name);
    if (n > 4 && !strcmp(name + n - 4, ".csv"))
        n -= 4;
    char *base = ss_xasprintf(".%.*s.lock", (int)n, name);
    char *path = ss_path_join(dir, base);
    free(base);
    return path;
}

/* How long a run that finds the lock taken waits for the holder's note of
 * who it is (written right after the holder's flock) before it says less. */
#define HOLDER_NOTE_WAIT_MS 200

int ss_manifest_lock(const char *dir, const char *name, int *fd, ss_diag *diag)
{
    char *path = lock_path(dir, name);
    char *manifest = ss_path_join(dir, name);
    int status = SS_EXIT_OK;
    struct stat sb;
    *fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
    /* Never written through a link: O_NOFOLLOW for a symbolic one, the
     * link count for a hard one (another file's name). */
    int e = *fd < 0 ? errno : fstat(*fd, &sb) != 0 ? errno : 0;
    if (*fd >= 0 && !e && (!S_ISREG(sb.st_mode) || sb.st_nlink != 1))
        e = S_ISREG(sb.st_mode) ? ELOOP : EEXIST;
    if (e) {
        ss_diag_error(diag, path, 0, "cannot make the lock file that keeps two runs from "
                      "writing %s at once: %s; remove it and run again", manifest,
                      e == ELOOP ? "a link has its name (statesheet never writes through "
                      "a link)" : e == EEXIST ? "something other than a file has its name"
                      : strerror(e));
        status = e == ENOSPC || e == EDQUOT || e == EIO ? SS_EXIT_IOERR : SS_EXIT_CANTCREAT;
    } else if (flock(*fd, LOCK_EX | LOCK_NB) != 0 && (e = errno) != EWOULDBLOCK) {
        ss_diag_error(diag, path, 0, "cannot lock the file that keeps two runs from "
                      "writing %s at once: %s", manifest, strerror(e));
        status = SS_EXIT_IOERR;
    } else if (e == EWOULDBLOCK) {
        /* The holder writes who it is (below) just after it takes the
         * lock: give it a moment; a torn read says less. */
        char who[200] = "";
        for (int ms = 0; !*who && ms <= HOLDER_NOTE_WAIT_MS; ms += 10) {
            if (ms)
                nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
            ssize_t got = pread(*fd, who, sizeof who - 1, 0);
            who[got > 0 ? got : 0] = '\0';
            who[strcspn(who, "\n")] = '\0';
        }
        ss_diag_error(diag, manifest, 0, "another statesheet run (%s) is writing this "
                      "folder's sheets for the same manifest; wait until it has finished, "
                      "then run again (or choose another --out)",
                      *who ? who : "its process could not be told");
        status = SS_EXIT_TEMPFAIL;
    } else {
        char host[64] = "";
        if (gethostname(host, sizeof host - 1) != 0 || !*host)
            strcpy(host, "this computer");
        char who[200];
        int n = snprintf(who, sizeof who, "process %ld on %s\n", (long)getpid(), host);
        /* Who holds it, for the message above: the lock itself is the
         * flock, so a failed write only makes that message vaguer. */
        bool told = ftruncate(*fd, 0) == 0 && pwrite(*fd, who, (size_t)n, 0) == n;
        (void)told;
    }
    if (status != SS_EXIT_OK && *fd >= 0) {
        close(*fd);
        *fd = -1;
    }
    free(manifest);
    free(path);
    return status;
}

int ss_manifest_withdraw(const char *dir, const char *name, ss_diag *diag)
{
    char *path = ss_path_join(dir, name);
    int status = SS_EXIT_OK;
    if (unlink(path) == 0) {
        status = ss_outfile_sync_dir(dir, diag);
    } else if (errno != ENOENT) {
        ss_diag_error(diag, path, 0, "cannot remove last run's manifest before the new "
                      "sheets replace what it lists: %s", strerror(errno));
        status = errno == EISDIR || errno == EPERM ? SS_EXIT_CANTCREAT : SS_EXIT_IOERR;
    }
    free(path);
    return status;
}
