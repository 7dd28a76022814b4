/* diag.c - the diagnostics list. */
#include "diag.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strset.h"
#include "util.h"

/* Only the first SS_DIAG_PRINT_MAX problems of a file are printed (then
 * one line says how many more); a few more than that are kept, so the
 * printed ones are the first by line even when threads report out of
 * order, and memory stays bounded however many problems a file has. */
#define KEEP_PER_FILE (SS_DIAG_PRINT_MAX * 10)

/* Per file: how many entries are kept and how many were only counted. */
typedef struct tally {
    size_t kept;
    size_t dropped;
} tally;

struct ss_diag {
    ss_diag_entry *items;
    size_t count;
    size_t cap;
    ss_strset seen;  /* every message's hash (8 bytes), kept or only counted */
    ss_strset files; /* file names (NULL: one NUL byte), numbered */
    tally *tallies;  /* by number in files */
    size_t tcap;
};

ss_diag *ss_diag_new(void)
{
    return ss_xcalloc(1, sizeof(ss_diag));
}

static void entry_free(ss_diag_entry *e)
{
    free(e->file);
    free(e->message);
}

void ss_diag_free(ss_diag *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->count; i++)
        entry_free(&d->items[i]);
    free(d->items);
    ss_strset_free(&d->seen);
    ss_strset_free(&d->files);
    free(d->tallies);
    free(d);
}

static bool same_str(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

/* A message's hash: two messages with the same are the same message (the
 * chance of two others sharing one is nil at 64 bits). */
static uint64_t hash_entry(ss_severity sev, const char *file, long line, const char *msg)
{
    /* Each string with its NUL, so that no two splits hash alike. */
    uint64_t h = ss_hash(SS_HASH_START, file ? file : "\xFF", file ? strlen(file) + 1 : 1);
    h = ss_hash(h, &line, sizeof line);
    h = ss_hash(h, &sev, sizeof sev);
    return ss_hash(h, msg, strlen(msg) + 1);
}

/* The tally of a file (NULL: messages about no file), new ones zero. */
static tally *file_tally(ss_diag *d, const char *file)
{
    bool added;
    size_t i = ss_strset_add(&d->files, file ? file : "", file ? strlen(file) : 1, &added);
    if (added) {
        d->tallies = ss_xgrow(d->tallies, sizeof *d->tallies, i + 1, &d->tcap);
        d->tallies[i] = (tally){0, 0};
    }
    return &d->tallies[i];
}

static const char *file_name(const ss_diag *d, size_t i)
{
    const char *f = ss_strset_get(&d->files, i);
    return *f || !d->files.key[i].len ? f : NULL;
}

/* Forgets the files and the messages seen (the list is empty). */
static void forget(ss_diag *d)
{
    ss_strset_free(&d->seen);
    ss_strset_free(&d->files);
    free(d->tallies);
    d->tallies = NULL;
    d->tcap = 0;
    d->count = 0;
}

/* Adds a message unless the same one is there; counts it without keeping
 * it once its file has KEEP_PER_FILE, unless 'keep' (a list merged from a
 * thread, already bounded: its first ones by line must stay).  Takes msg. */
static void push(ss_diag *d, ss_severity sev, const char *file, long line,
                 char *msg, size_t also_dropped, bool keep)
{
    tally *t = file_tally(d, file);
    t->dropped += also_dropped;
    if (!msg)
        return;
    /* Report each problem once: libxml2 and our own checks can find the
     * same thing, and a template error repeats for every state. */
    uint64_t h = hash_entry(sev, file, line, msg);
    bool added;
    ss_strset_add(&d->seen, (const char *)&h, sizeof h, &added);
    if (!added) {
        free(msg);
        return;
    }
    if (t->kept >= KEEP_PER_FILE && !keep) {
        t->dropped++;
        free(msg);
        return;
    }
    t->kept++;
    d->items = ss_xgrow(d->items, sizeof(*d->items), d->count + 1, &d->cap);
    ss_diag_entry *e = &d->items[d->count++];
    e->file = file ? ss_xstrdup(file) : NULL;
    e->line = line;
    e->severity = sev;
    e->message = msg;
}

void ss_diag_vadd(ss_diag *d, ss_severity sev, const char *file, long line,
                  const char *fmt, va_list ap)
{
    push(d, sev, file, line, ss_xvasprintf(fmt, ap), 0, false);
}

void ss_diag_add(ss_diag *d, ss_severity sev, const char *file, long line,
                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ss_diag_vadd(d, sev, file, line, fmt, ap);
    va_end(ap);
}

void ss_diag_error(ss_diag *d, const char *file, long line, const char *fmt,
                   ...)
{
    va_list ap;
    va_start(ap, fmt);
    ss_diag_vadd(d, SS_ERROR, file, line, fmt, ap);
    va_end(ap);
}

size_t ss_diag_count(const ss_diag *d)
{
    return d->count;
}

size_t ss_diag_error_count(const ss_diag *d)
{
    size_t n = 0;
    for (size_t i = 0; i < d->count; i++)
        n += d->items[i].severity == SS_ERROR;
    for (size_t i = 0; i < d->files.count; i++)
        n += d->tallies[i].dropped;
    return n;
}

const ss_diag_entry *ss_diag_at(const ss_diag *d, size_t i)
{
    return i < d->count ? &d->items[i] : NULL;
}

typedef struct keyed {
    ss_diag_entry e;
    size_t order;
} keyed;

static int cmp_keyed(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    int c = strcmp(a->e.file ? a->e.file : "", b->e.file ? b->e.file : "");
    if (c)
        return c;
    if (a->e.line != b->e.line)
        return a->e.line < b->e.line ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

void ss_diag_sort(ss_diag *d)
{
    /* qsort with the original position as the last key: stable. */
    keyed *k = ss_xmalloc((d->count ? d->count : 1) * sizeof *k);
    for (size_t i = 0; i < d->count; i++)
        k[i] = (keyed){d->items[i], i};
    qsort(k, d->count, sizeof *k, cmp_keyed);
    for (size_t i = 0; i < d->count; i++)
        d->items[i] = k[i].e;
    free(k);
}

static const char *severity_name(ss_severity s)
{
    switch (s) {
    case SS_NOTE:
        return "note";
    case SS_WARNING:
        return "warning";
    case SS_ERROR:
        break;
    }
    return "error";
}

static void print_more(FILE *to, tally *t, const char *file)
{
    if (!t->dropped)
        return;
    if (file)
        fprintf(to, "%s: ", file);
    fprintf(to, "... and %zu more error%s\n", t->dropped, t->dropped == 1 ? "" : "s");
    t->dropped = 0;
}

void ss_diag_print(ss_diag *d, FILE *to)
{
    /* Printed per file: kept counts how many of its entries were shown,
     * dropped how many more there are. */
    for (size_t i = 0; i < d->files.count; i++)
        d->tallies[i].kept = 0;
    for (size_t i = 0; i < d->count; i++) {
        ss_diag_entry *e = &d->items[i];
        tally *t = file_tally(d, e->file);
        if (t->kept >= SS_DIAG_PRINT_MAX) {
            t->dropped++;
            continue;
        }
        t->kept++;
        if (e->file && e->line > 0)
            fprintf(to, "%s:%ld: ", e->file, e->line);
        else if (e->file)
            fprintf(to, "%s: ", e->file);
        fprintf(to, "%s: %s\n", severity_name(e->severity), e->message);
    }
    /* One line per file with more, in the order the files came, then any
     * file whose every message was only counted. */
    for (size_t i = 0; i <= d->count; i++) {
        for (size_t k = 0; i == d->count && k < d->files.count; k++)
            print_more(to, &d->tallies[k], file_name(d, k));
        if (i < d->count)
            print_more(to, file_tally(d, d->items[i].file), d->items[i].file);
    }
    for (size_t i = 0; i < d->count; i++)
        entry_free(&d->items[i]);
    forget(d);
    fflush(to);
}

void ss_diag_take(ss_diag *to, ss_diag *from)
{
    for (size_t i = 0; i < from->count; i++) {
        ss_diag_entry *e = &from->items[i];
        push(to, e->severity, e->file, e->line, e->message, 0, true);
        free(e->file);
    }
    /* What 'from' only counted stays counted. */
    for (size_t i = 0; i < from->files.count; i++)
        if (from->tallies[i].dropped)
            push(to, SS_ERROR, file_name(from, i), 0, NULL, from->tallies[i].dropped, false);
    forget(from);
}

void ss_diag_cause(ss_diag *d, size_t from, const char *file, long cut, long line,
                   const char *cause)
{
    size_t w = from;
    for (size_t i = from; i < d->count; i++) {
        ss_diag_entry *e = &d->items[i];
        if (same_str(e->file, file) && (e->line == 0 || e->line >= cut)) {
            file_tally(d, e->file)->kept--;
            entry_free(e);
        } else {
            d->items[w++] = *e;
        }
    }
    d->count = w;
    file_tally(d, file)->dropped = 0;
    push(d, SS_ERROR, file, line, ss_xstrdup(cause), 0, false);
    if (d->count == w || from >= w)
        return; /* the same message was there already, or nothing comes after */
    ss_diag_entry e = d->items[w];
    memmove(&d->items[from + 1], &d->items[from], (w - from) * sizeof *d->items);
    d->items[from] = e;
}
