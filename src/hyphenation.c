/* hyphenation.c - hyphenation points from libhyphen's patterns.
 *
 * libhyphen (the library LibreOffice uses) finds the points.  The pattern
 * file is read with our own reader, so a failed read is reported rather
 * than setting the sheets without hyphenation, and handed to libhyphen
 * through fmemopen; each worker remembers the words it has hyphenated. */
#include "hyphenation.h"

#include <errno.h>
#include <hyphen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"
#include "status.h"
#include "strset.h"
#include "util.h"

/* Where Debian's hyphen-en-us, hyphen-es, ... install their patterns. */
#define SYSTEM_PATTERNS "/usr/share/hyphen"
/* A pattern file larger than this is not one (US English: 200 KB). */
#define MAX_PATTERN_FILE (16u << 20)
/* Longest word hyphenated, in bytes; most points one word gets. */
#define WORD_MAX 127
#define POINTS_MAX 32

struct ss_patterns {
    char *path;
    HyphenDict *dict;
};

/* The points of a word already hyphenated. */
typedef struct points {
    uint8_t n;
    uint8_t at[POINTS_MAX];
} points;

struct ss_hyphenator {
    const HyphenDict *dict;
    ss_strset words; /* lower-case words hyphenated so far */
    points *known;   /* their points, by number in words */
    size_t cap;
};

static bool try_find(const char *dir, const char *name, char **path)
{
    char *p = ss_xasprintf("%s/%s", dir, name);
    if (access(p, F_OK) == 0) {
        *path = p;
        return true;
    }
    free(p);
    return false;
}

/* The pattern file for a language tag, or NULL. */
static char *find_patterns(const char *assets, const char *lang)
{
    /* "es-US" -> "hyph_es_US.dic", then "hyph_es.dic". */
    char ll[16] = "", cc[16] = "";
    if (!lang || sscanf(lang, "%15[A-Za-z]-%15[A-Za-z0-9]", ll, cc) < 1)
        return NULL;
    for (char *c = ll; *c; c++)
        *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
    for (char *c = cc; *c; c++)
        *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
    char *names[2];
    names[0] = cc[0] ? ss_xasprintf("hyph_%s_%s.dic", ll, cc) : ss_xasprintf("hyph_%s.dic", ll);
    names[1] = ss_xasprintf("hyph_%s.dic", ll);
    char *mine = assets ? ss_path_join(assets, "hyphen") : NULL;
    const char *dirs[2] = {mine, SYSTEM_PATTERNS};
    char *path = NULL;
    bool found = false;
    for (int i = 0; i < 2 && !found; i++)
        for (int j = 0; j < 2 && !found; j++)
            if (dirs[i])
                found = try_find(dirs[i], names[j], &path);
    free(names[0]);
    free(names[1]);
    free(mine);
    return path;
}

int ss_patterns_load(const char *assets, const char *lang, ss_patterns **out,
                     ss_diag *diag)
{
    *out = NULL;
    char *path = find_patterns(assets, lang);
    if (!path)
        return SS_EXIT_OK;
    size_t len = 0;
    int e = 0;
    char *text = ss_read_file(path, MAX_PATTERN_FILE, &len, &e);
    FILE *f = text ? fmemopen(text, len, "r") : NULL;
    HyphenDict *dict = f ? hnj_hyphen_load_file(f) : NULL;
    if (f)
        fclose(f);
    if (!dict && !e)
        e = text ? EINVAL : EIO;
    free(text);
    if (!dict) {
        ss_diag_error(diag, path, 0, "cannot read the hyphenation patterns: %s; "
                      "reinstall statesheet (or the hyphen package of language %s)",
                      e == EINVAL ? "not a pattern file" : e == EFBIG ? "the file is "
                      "too large to be one" : strerror(e), lang);
        free(path);
        return e == EIO ? SS_EXIT_IOERR : SS_EXIT_NOINPUT;
    }
    *out = ss_xmalloc(sizeof **out);
    (*out)->path = path;
    (*out)->dict = dict;
    return SS_EXIT_OK;
}

void ss_patterns_free(ss_patterns *p)
{
    if (!p)
        return;
    hnj_hyphen_free(p->dict);
    free(p->path);
    free(p);
}

const char *ss_patterns_path(const ss_patterns *p)
{
    return p ? p->path : NULL;
}

ss_hyphenator *ss_hyphenator_new(const ss_patterns *p)
{
    if (!p)
        return NULL;
    ss_hyphenator *h = ss_xcalloc(1, sizeof *h);
    h->dict = p->dict;
    return h;
}

void ss_hyphenator_free(ss_hyphenator *h)
{
    if (!h)
        return;
    ss_strset_free(&h->words);
    free(h->known);
    free(h);
}

ss_hyphenation ss_hyphenator_for_layout(ss_hyphenator *h)
{
    return (ss_hyphenation){h ? ss_hyphenate : NULL, h};
}

/* The patterns are lower case: lower ASCII and Latin-1 capitals (U+00C0 to
 * U+00DE, two bytes each, so offsets do not move). */
static void lower(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            s[i] = (char)(c + 32);
        else if (c == 0xC3 && i + 1 < n) {
            unsigned char d = (unsigned char)s[i + 1];
            if (d >= 0x80 && d <= 0x9E && d != 0x97)
                s[i + 1] = (char)(d + 0x20);
            i++;
        }
    }
}

/* The points of the lower-case word w (n bytes, NUL-terminated). */
static points hyphenate_word(const HyphenDict *d, char *w, size_t n)
{
    /* libhyphen reads a NUL-terminated word and marks each byte. */
    char hyph[WORD_MAX + 6];
    char **rep = NULL;
    int *pos = NULL, *cut = NULL;
    points p = {0};
    /* libhyphen's dictionary is only read here (its type lacks const). */
    if (hnj_hyphen_hyphenate3((HyphenDict *)d, w, (int)n, hyph, NULL, &rep, &pos, &cut,
                              SS_HYPHEN_LEFT, SS_HYPHEN_RIGHT, SS_HYPHEN_LEFT,
                              SS_HYPHEN_RIGHT) == 0)
        for (size_t i = 0; i + 1 < n && p.n < POINTS_MAX; i++)
            /* An odd digit after byte i: a break between byte i and i + 1
             * (for UTF-8 dictionaries, after a character's last byte).
             * Breaks that want a spelling change (rep) are not taken. */
            if ((hyph[i] & 1) && !(rep && rep[i]))
                p.at[p.n++] = (uint8_t)(i + 1);
    if (rep) {
        for (size_t i = 0; i < n; i++)
            free(rep[i]);
        free(rep);
    }
    free(pos);
    free(cut);
    return p;
}

size_t ss_hyphenate(void *ctx, const char *word, size_t n, size_t *at, size_t max)
{
    ss_hyphenator *h = ctx;
    if (!h || n == 0 || n > WORD_MAX)
        return 0;
    char w[WORD_MAX + 1];
    memcpy(w, word, n);
    w[n] = '\0';
    lower(w, n);
    bool added;
    size_t i = ss_strset_add(&h->words, w, n, &added);
    if (added) {
        h->known = ss_xgrow(h->known, sizeof *h->known, i + 1, &h->cap);
        h->known[i] = hyphenate_word(h->dict, w, n);
    }
    size_t k = 0;
    for (; k < h->known[i].n && k < max; k++)
        at[k] = h->known[i].at[k];
    return k;
}
