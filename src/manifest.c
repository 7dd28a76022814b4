/* manifest.c - the run's manifest as CSV (see manifest.h). */
#include "manifest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_io.h"
#include "paths.h"
#include "records.h"
#include "run.h"
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

int ss_manifest_write(const ss_manifest *m, const char *dir, const char *name)
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
    char *path = ss_path_join(dir, name);
    int status = ss_write_file_atomic(path, data, len);
    free(path);
    free(data);
    return status;
}

int ss_manifest_finish(ss_manifest *m, const char *dir, int shard_k, int shard_n)
{
    char *name = ss_manifest_name(m->year, m->sample, shard_k, shard_n);
    int status = ss_manifest_write(m, dir, name);
    free(name);
    return status;
}
