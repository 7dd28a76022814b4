/* hyphenation.c - hyphenation points from libhyphen's patterns. */
#include "hyphenation.h"

#include <hyphen.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"
#include "util.h"

/* Where Debian's hyphen-en-us, hyphen-es, ... install their patterns. */
#define SYSTEM_PATTERNS "/usr/share/hyphen"

/* Words already hyphenated: a sheet's words are mostly the template's, the
 * same on every sheet, and asking libhyphen costs ~1,000 instructions a
 * word.  Open addressing; full at CACHE_SLOTS * 3/4 (then words are just
 * not remembered).  Shared by the threads, under a mutex. */
#define CACHE_SLOTS 4096
#define CACHE_WORD 31  /* longer words are not remembered */
#define CACHE_POINTS 12

typedef struct cached {
    char word[CACHE_WORD + 1]; /* "" = free */
    uint8_t n;
    uint8_t at[CACHE_POINTS];
} cached;

struct ss_hyphenator {
    HyphenDict *dict;  /* NULL until loaded (or when loading failed) */
    char *path;
    /* libhyphen reads the patterns in ~37 M instructions (en-US): a thread
     * does it while the run reads fonts and checks the data, and the first
     * word to hyphenate waits for it. */
    pthread_t loader;
    bool loading;
    pthread_mutex_t lock;
    cached *cache;
    size_t used;
};

static bool try_find(const char *dir, const char *name, char **path)
{
    char *p = ss_xasprintf("%s/%s", dir, name);
    if (access(p, R_OK) == 0) {
        *path = p;
        return true;
    }
    free(p);
    return false;
}

static void *load_patterns(void *arg)
{
    ss_hyphenator *h = arg;
    h->dict = hnj_hyphen_load(h->path);
    return NULL;
}

/* Waits for the patterns (once); false when they could not be read. */
static bool ready(ss_hyphenator *h)
{
    pthread_mutex_lock(&h->lock);
    if (h->loading) {
        pthread_join(h->loader, NULL);
        h->loading = false;
    }
    bool ok = h->dict != NULL;
    pthread_mutex_unlock(&h->lock);
    return ok;
}

ss_hyphenator *ss_hyphenator_new(const char *assets, const char *lang)
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
    if (!found)
        return NULL;
    ss_hyphenator *h = ss_xcalloc(1, sizeof *h);
    h->path = path;
    pthread_mutex_init(&h->lock, NULL);
    h->cache = ss_xcalloc(CACHE_SLOTS, sizeof *h->cache);
    h->loading = pthread_create(&h->loader, NULL, load_patterns, h) == 0;
    if (!h->loading)
        load_patterns(h); /* no thread: read them now */
    return h;
}

void ss_hyphenator_free(ss_hyphenator *h)
{
    if (!h)
        return;
    ready(h);
    if (h->dict)
        hnj_hyphen_free(h->dict);
    pthread_mutex_destroy(&h->lock);
    free(h->cache);
    free(h->path);
    free(h);
}

const char *ss_hyphenator_path(const ss_hyphenator *h)
{
    return h ? h->path : NULL;
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

/* FNV-1a: short keys, no attacker (words of our own template and data). */
static size_t slot_of(const char *w, size_t n)
{
    uint32_t x = 2166136261u;
    for (size_t i = 0; i < n; i++)
        x = (x ^ (unsigned char)w[i]) * 16777619u;
    return x & (CACHE_SLOTS - 1);
}

static size_t hyphenate_uncached(ss_hyphenator *h, const char *word, size_t n, size_t *at,
                                 size_t max);

size_t ss_hyphenate(void *ctx, const char *word, size_t n, size_t *at, size_t max)
{
    ss_hyphenator *h = ctx;
    if (!h || n == 0 || n > CACHE_WORD)
        return hyphenate_uncached(h, word, n, at, max);
    size_t k = 0;
    bool hit = false;
    pthread_mutex_lock(&h->lock);
    for (size_t s = slot_of(word, n);; s = (s + 1) & (CACHE_SLOTS - 1)) {
        cached *c = &h->cache[s];
        if (!c->word[0])
            break;
        if (!strncmp(c->word, word, n) && c->word[n] == '\0') {
            for (k = 0; k < c->n && k < max; k++)
                at[k] = c->at[k];
            hit = true;
            break;
        }
    }
    pthread_mutex_unlock(&h->lock);
    if (hit)
        return k;
    k = hyphenate_uncached(h, word, n, at, max);
    if (k > CACHE_POINTS)
        return k;
    pthread_mutex_lock(&h->lock);
    if (h->used < CACHE_SLOTS * 3 / 4) {
        size_t s = slot_of(word, n);
        while (h->cache[s].word[0] &&
               !(!strncmp(h->cache[s].word, word, n) && h->cache[s].word[n] == '\0'))
            s = (s + 1) & (CACHE_SLOTS - 1);
        cached *c = &h->cache[s];
        if (!c->word[0]) {
            memcpy(c->word, word, n);
            c->word[n] = '\0';
            c->n = (uint8_t)k;
            for (size_t i = 0; i < k; i++)
                c->at[i] = (uint8_t)at[i];
            h->used++;
        }
    }
    pthread_mutex_unlock(&h->lock);
    return k;
}

static size_t hyphenate_uncached(ss_hyphenator *h, const char *word, size_t n, size_t *at,
                                 size_t max)
{
    /* libhyphen reads a NUL-terminated copy and marks each byte. */
    char buf[128], hyph[128 + 5];
    if (!h || n == 0 || n >= sizeof buf || !ready(h))
        return 0;
    memcpy(buf, word, n);
    buf[n] = '\0';
    lower(buf, n);
    char **rep = NULL;
    int *pos = NULL, *cut = NULL;
    if (hnj_hyphen_hyphenate3(h->dict, buf, (int)n, hyph, NULL, &rep, &pos, &cut,
                              SS_HYPHEN_LEFT, SS_HYPHEN_RIGHT, SS_HYPHEN_LEFT,
                              SS_HYPHEN_RIGHT) != 0)
        return 0;
    size_t k = 0;
    for (size_t i = 0; i + 1 < n && k < max; i++)
        /* An odd digit after byte i: a break between byte i and i + 1 (for
         * UTF-8 dictionaries, after a character's last byte).  Breaks that
         * want a spelling change (rep) are not taken. */
        if ((hyph[i] & 1) && !(rep && rep[i]))
            at[k++] = i + 1;
    if (rep) {
        for (size_t i = 0; i < n; i++)
            free(rep[i]);
        free(rep);
    }
    free(pos);
    free(cut);
    return k;
}
