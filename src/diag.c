/* diag.c - the diagnostics list. */
#include "diag.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Only the first SS_DIAG_PRINT_MAX problems of a file are printed (then
 * one line says how many more); a few more than that are kept, so the
 * printed ones are the first by line even when threads report out of
 * order, and memory stays bounded however many problems a file has. */
#define KEEP_PER_FILE (SS_DIAG_PRINT_MAX * 10)

/* A slot of the open-addressing set of every message seen: its hash and,
 * when it is kept, its index + 1 (0: counted but not kept). */
typedef struct seen {
    uint64_t hash;
    size_t item;
} seen;

/* Per file: how many entries are kept and how many were only counted. */
typedef struct tally {
    char *file; /* NULL for messages about no file */
    uint64_t hash;
    size_t kept;
    size_t dropped;
} tally;

struct ss_diag {
    ss_diag_entry *items;
    size_t count;
    size_t cap;
    seen *set;      /* power-of-two size, at most half full */
    size_t set_size, set_used;
    tally *files;   /* likewise, for tallies by file */
    size_t files_size, files_used;
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
    for (size_t i = 0; i < d->files_size; i++)
        free(d->files[i].file);
    free(d->items);
    free(d->set);
    free(d->files);
    free(d);
}

static bool same_str(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

/* FNV-1a, 64 bits, over the bytes of s (and a marker for NULL). */
static uint64_t hash_str(uint64_t h, const char *s)
{
    if (!s)
        return (h ^ 0xFF) * 1099511628211u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (h ^ 0) * 1099511628211u;
}

static uint64_t hash_entry(ss_severity sev, const char *file, long line, const char *msg)
{
    uint64_t h = 14695981039346656037u;
    h = hash_str(h, file);
    h = (h ^ (uint64_t)line) * 1099511628211u;
    h = (h ^ (uint64_t)sev) * 1099511628211u;
    return hash_str(h, msg) | 1; /* 0 marks an empty slot */
}

static void set_grow(ss_diag *d)
{
    size_t n = d->set_size ? d->set_size * 2 : 64;
    seen *s = ss_xcalloc(n, sizeof *s);
    for (size_t i = 0; i < d->set_size; i++)
        if (d->set[i].hash) {
            size_t k = d->set[i].hash & (n - 1);
            while (s[k].hash)
                k = (k + 1) & (n - 1);
            s[k] = d->set[i];
        }
    free(d->set);
    d->set = s;
    d->set_size = n;
}

/* The slot for hash h: either the one holding the same message, or an
 * empty one where it goes. */
static seen *set_find(ss_diag *d, uint64_t h, ss_severity sev, const char *file,
                      long line, const char *msg)
{
    if ((d->set_used + 1) * 2 > d->set_size)
        set_grow(d);
    size_t k = h & (d->set_size - 1);
    for (;; k = (k + 1) & (d->set_size - 1)) {
        seen *s = &d->set[k];
        if (!s->hash)
            return s;
        if (s->hash != h)
            continue;
        if (!s->item) /* counted only: the hash is all we have */
            return s;
        ss_diag_entry *e = &d->items[s->item - 1];
        if (e->line == line && e->severity == sev && same_str(e->file, file) &&
            strcmp(e->message, msg) == 0)
            return s;
    }
}

static tally *file_tally(ss_diag *d, const char *file)
{
    if ((d->files_used + 1) * 2 > d->files_size) {
        size_t n = d->files_size ? d->files_size * 2 : 8;
        tally *t = ss_xcalloc(n, sizeof *t);
        for (size_t i = 0; i < d->files_size; i++)
            if (d->files[i].hash) {
                size_t k = d->files[i].hash & (n - 1);
                while (t[k].hash)
                    k = (k + 1) & (n - 1);
                t[k] = d->files[i];
            }
        free(d->files);
        d->files = t;
        d->files_size = n;
    }
    uint64_t h = hash_str(14695981039346656037u, file) | 1;
    size_t k = h & (d->files_size - 1);
    for (;; k = (k + 1) & (d->files_size - 1)) {
        tally *t = &d->files[k];
        if (!t->hash) {
            t->hash = h;
            t->file = file ? ss_xstrdup(file) : NULL;
            d->files_used++;
            return t;
        }
        if (t->hash == h && same_str(t->file, file))
            return t;
    }
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
    seen *s = set_find(d, h, sev, file, line, msg);
    if (s->hash) {
        free(msg);
        return;
    }
    s->hash = h;
    d->set_used++;
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
    s->item = d->count;
}

void ss_diag_vadd(ss_diag *d, ss_severity sev, const char *file, long line,
                  const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        n = 0;
    char *msg = ss_xmalloc((size_t)n + 1);
    vsnprintf(msg, (size_t)n + 1, fmt, ap);
    push(d, sev, file, line, msg, 0, false);
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
    for (size_t i = 0; i < d->files_size; i++)
        n += d->files[i].dropped;
    return n;
}

const ss_diag_entry *ss_diag_at(const ss_diag *d, size_t i)
{
    return i < d->count ? &d->items[i] : NULL;
}

/* The set points at items by index: rebuilt after they move. */
static void reindex(ss_diag *d)
{
    for (size_t i = 0; i < d->set_size; i++)
        d->set[i].item = 0;
    for (size_t i = 0; i < d->count; i++) {
        ss_diag_entry *e = &d->items[i];
        uint64_t h = hash_entry(e->severity, e->file, e->line, e->message);
        size_t k = h & (d->set_size - 1);
        while (d->set[k].hash != h || d->set[k].item)
            k = (k + 1) & (d->set_size - 1);
        d->set[k].item = i + 1;
    }
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
    if (d->set)
        reindex(d);
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

static void print_more(FILE *to, tally *t)
{
    if (!t->dropped)
        return;
    if (t->file)
        fprintf(to, "%s: ", t->file);
    fprintf(to, "... and %zu more error%s\n", t->dropped, t->dropped == 1 ? "" : "s");
    t->dropped = 0;
}

void ss_diag_print(ss_diag *d, FILE *to)
{
    /* Printed per file: kept counts how many of its entries were shown,
     * dropped how many more there are. */
    for (size_t i = 0; i < d->files_size; i++)
        d->files[i].kept = 0;
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
        for (size_t k = 0; i == d->count && k < d->files_size; k++)
            if (d->files[k].hash && d->files[k].dropped)
                print_more(to, &d->files[k]);
        if (i < d->count)
            print_more(to, file_tally(d, d->items[i].file));
    }
    for (size_t i = 0; i < d->count; i++)
        entry_free(&d->items[i]);
    for (size_t i = 0; i < d->files_size; i++)
        free(d->files[i].file);
    free(d->files);
    free(d->set);
    d->files = NULL;
    d->set = NULL;
    d->files_size = d->files_used = d->set_size = d->set_used = 0;
    d->count = 0;
    fflush(to);
}

void ss_diag_take(ss_diag *to, ss_diag *from)
{
    for (size_t i = 0; i < from->count; i++) {
        ss_diag_entry *e = &from->items[i];
        push(to, e->severity, e->file, e->line, e->message, 0, true);
        free(e->file);
    }
    from->count = 0;
    /* What 'from' only counted stays counted. */
    for (size_t i = 0; i < from->files_size; i++) {
        tally *t = &from->files[i];
        if (t->hash && t->dropped)
            push(to, SS_ERROR, t->file, 0, NULL, t->dropped, false);
        free(t->file);
    }
    free(from->files);
    free(from->set);
    from->files = NULL;
    from->set = NULL;
    from->files_size = from->files_used = from->set_size = from->set_used = 0;
}

void ss_diag_drop_from(ss_diag *d, size_t from, const char *file, long line)
{
    size_t w = from;
    for (size_t i = from; i < d->count; i++) {
        ss_diag_entry *e = &d->items[i];
        if (same_str(e->file, file) && (e->line == 0 || e->line >= line)) {
            file_tally(d, e->file)->kept--;
            entry_free(e);
        } else {
            d->items[w++] = *e;
        }
    }
    d->count = w;
    /* What was only counted for the file is dropped too. */
    file_tally(d, file)->dropped = 0;
    if (d->set)
        reindex(d);
}

void ss_diag_raise_last(ss_diag *d, size_t to)
{
    if (d->count == 0 || to >= d->count - 1)
        return;
    ss_diag_entry last = d->items[d->count - 1];
    memmove(&d->items[to + 1], &d->items[to], (d->count - 1 - to) * sizeof *d->items);
    d->items[to] = last;
    reindex(d);
}
