/* diag.c - the diagnostics list. */
#include "diag.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct ss_diag {
    ss_diag_entry *items;
    size_t count;
    size_t cap;
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
    free(d);
}

static bool same_str(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static void push(ss_diag *d, ss_severity sev, const char *file, long line,
                 char *msg)
{
    /* Report each problem once: libxml2 and our own checks can find the
     * same thing, and a template error repeats for every state. */
    for (size_t i = 0; i < d->count; i++) {
        ss_diag_entry *e = &d->items[i];
        if (e->line == line && e->severity == sev && same_str(e->file, file) &&
            strcmp(e->message, msg) == 0) {
            free(msg);
            return;
        }
    }
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
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        n = 0;
    char *msg = ss_xmalloc((size_t)n + 1);
    vsnprintf(msg, (size_t)n + 1, fmt, ap);
    push(d, sev, file, line, msg);
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
    return n;
}

const ss_diag_entry *ss_diag_at(const ss_diag *d, size_t i)
{
    return i < d->count ? &d->items[i] : NULL;
}

void ss_diag_sort(ss_diag *d)
{
    /* Insertion sort: stable, and lists are short. */
    for (size_t i = 1; i < d->count; i++) {
        ss_diag_entry e = d->items[i];
        size_t j = i;
        while (j > 0) {
            ss_diag_entry *p = &d->items[j - 1];
            int c = strcmp(p->file ? p->file : "", e.file ? e.file : "");
            if (c < 0 || (c == 0 && p->line <= e.line))
                break;
            d->items[j] = *p;
            j--;
        }
        d->items[j] = e;
    }
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

void ss_diag_print(ss_diag *d, FILE *to)
{
    for (size_t i = 0; i < d->count; i++) {
        ss_diag_entry *e = &d->items[i];
        if (e->file && e->line > 0)
            fprintf(to, "%s:%ld: ", e->file, e->line);
        else if (e->file)
            fprintf(to, "%s: ", e->file);
        fprintf(to, "%s: %s\n", severity_name(e->severity), e->message);
        entry_free(e);
    }
    d->count = 0;
    fflush(to);
}

void ss_diag_take(ss_diag *to, ss_diag *from)
{
    for (size_t i = 0; i < from->count; i++) {
        ss_diag_entry *e = &from->items[i];
        push(to, e->severity, e->file, e->line, e->message);
        free(e->file);
    }
    from->count = 0;
}
