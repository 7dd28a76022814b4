/* hyphenation.c - hyphenation points from libhyphen's patterns.
 *
 * libhyphen (the library LibreOffice uses) finds the points; what is ours
 * is which patterns it is given.  Reading all 11,107 US English patterns
 * costs libhyphen ~39 M instructions (about 10 ms: a hash entry and a
 * malloc for every pattern prefix), more than the rest of a one-sheet run's
 * own work, while a sheet needs the points of a few hundred words.  A
 * word's points depend only on the patterns whose letters occur in it
 * (with the '.' that marks its ends), so when a sheet's first paragraph
 * needs hyphenation the layout stage hands over the words of all its body
 * paragraphs (ss_hyphenate_prepare), the file is scanned for the patterns
 * they need (select_patterns: ~4 M instructions for the ND sheet's 210
 * words), and libhyphen reads just those (999 lines of 11,110 there).  The
 * points are remembered, so the template's words, which every sheet
 * repeats, are asked for about once a run.  Every point is the whole
 * file's (select_patterns says why; a test compares them).  When the
 * selections have cost as many patterns as the file holds, or too many
 * words to remember are asked for, the whole file is read once and used
 * from then on.  No Debian library picks patterns this way, hence our own
 * code for it. */
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
/* A pattern file larger than this is not one. */
#define MAX_PATTERN_FILE (16u << 20)

/* Words already hyphenated, keyed by their lower-case form: a table of
 * CACHE_SLOTS slots (open addressing; full at 3/4) holding the places of
 * the words in a list that grows as they come, so that a run touches only
 * the memory of the words it has (a table of the words themselves was
 * 389 KB, a page of it touched for nearly every word).  Shared by the
 * threads, under the hyphenator's lock. */
#define CACHE_SLOTS 4096
#define CACHE_WORD 63   /* longer words are not remembered */
#define CACHE_POINTS 30 /* nor are words with more points */

typedef struct cached {
    char word[CACHE_WORD + 1];
    uint8_t n;
    uint8_t at[CACHE_POINTS];
} cached;


struct ss_hyphenator {
    char *path;
    pthread_rwlock_t lock; /* read: cache look-ups; write: the rest */
    char *text;        /* the pattern file, read at the first word */
    size_t text_len;
    bool unreadable;   /* it could not be read: hyphenate nothing */
    size_t npatterns;  /* pattern lines in it */
    bool whole;        /* it has a second level or non-standard patterns:
                          read it whole */
    size_t spent;      /* patterns read into selections so far */
    HyphenDict *full;  /* all of them, once selections cost as much */
    uint16_t *slots;   /* 0: free; else 1 + the word's place in cache */
    cached *cache;
    size_t used, cap;
    pthread_t ahead;   /* ss_hyphenator_ahead's thread */
    bool ahead_live;   /* ... not yet joined */
    ss_words ahead_words;
};

/* A word being hyphenated: its lower-case form and its points. */
#define REQ_WORD 127
#define REQ_POINTS 32
typedef struct request {
    char w[REQ_WORD + 1];
    size_t n;
    size_t k;
    uint8_t at[REQ_POINTS];
} request;

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
    pthread_rwlock_init(&h->lock, NULL);
    h->slots = ss_xcalloc(CACHE_SLOTS, sizeof *h->slots);
    return h;
}

void ss_hyphenator_free(ss_hyphenator *h)
{
    if (!h)
        return;
    ss_hyphenator_settle(h);
    if (h->full)
        hnj_hyphen_free(h->full);
    pthread_rwlock_destroy(&h->lock);
    free(h->text);
    free(h->slots);
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
    return (ss_hyphenation){h ? ss_hyphenate : NULL, h, h ? ss_hyphenate_prepare : NULL};
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

/* ---- the words already hyphenated (under h->lock: look-ups read, the
 * rest write) ---------------------------------------------------------- */

/* FNV-1a: short keys, no attacker (words of our own template and data). */
static size_t slot_of(const char *w, size_t n)
{
    uint32_t x = 2166136261u;
    for (size_t i = 0; i < n; i++)
        x = (x ^ (unsigned char)w[i]) * 16777619u;
    return x & (CACHE_SLOTS - 1);
}

/* The slot of word w: its own, or the free one where it would go. */
static uint16_t *cache_slot(ss_hyphenator *h, const char *w, size_t n)
{
    size_t s = slot_of(w, n);
    for (; h->slots[s]; s = (s + 1) & (CACHE_SLOTS - 1)) {
        const cached *c = &h->cache[h->slots[s] - 1];
        if (!strncmp(c->word, w, n) && c->word[n] == '\0')
            break;
    }
    return &h->slots[s];
}

static bool cache_full(const ss_hyphenator *h)
{
    return h->used >= CACHE_SLOTS * 3 / 4;
}

static bool cache_get(ss_hyphenator *h, request *r)
{
    if (r->n > CACHE_WORD)
        return false;
    const uint16_t *slot = cache_slot(h, r->w, r->n);
    if (!*slot)
        return false;
    const cached *c = &h->cache[*slot - 1];
    r->k = c->n;
    memcpy(r->at, c->at, c->n);
    return true;
}

static void cache_put(ss_hyphenator *h, const request *r)
{
    if (r->n > CACHE_WORD || r->k > CACHE_POINTS || cache_full(h))
        return;
    uint16_t *slot = cache_slot(h, r->w, r->n);
    if (*slot)
        return;
    h->cache = ss_xgrow(h->cache, sizeof *h->cache, h->used + 1, &h->cap);
    cached *c = &h->cache[h->used];
    *slot = (uint16_t)(h->used + 1); /* at most CACHE_SLOTS * 3/4 words */
    memcpy(c->word, r->w, r->n);
    c->word[r->n] = '\0';
    c->n = (uint8_t)r->k;
    memcpy(c->at, r->at, r->k);
    h->used++;
}

/* ---- choosing the patterns a set of words needs ------------------------- */

#define FNV64_START 14695981039346656037u
#define FNV64_STEP(x, c) (((x) ^ (unsigned char)(c)) * 1099511628211u)
/* No pattern in Debian's files has more letters than 28. */
#define PAT_LONGEST 48

/* The strings already written (a pattern's letters), so that no state gets
 * two patterns: libhyphen would keep the last one's points and lose the
 * first's memory.  Open addressing over FNV-1a hashes; the strings are
 * compared. */
typedef struct strset {
    struct sslot {
        uint64_t hash; /* 0: free */
        uint32_t at, len; /* in 'text' */
    } *slot;
    size_t mask, used;
    ss_buf text;
} strset;

static void strset_init(strset *s, size_t expect)
{
    size_t cap = 256;
    while (cap < expect * 2)
        cap *= 2;
    s->slot = ss_xcalloc(cap, sizeof *s->slot);
    s->mask = cap - 1;
    s->used = 0;
    ss_buf_init(&s->text);
}

static void strset_free(strset *s)
{
    free(s->slot);
    ss_buf_free(&s->text);
}

static struct sslot *strset_find(const strset *s, uint64_t x, const char *str, size_t n)
{
    x += !x;
    for (size_t i = (size_t)((x * 0x9E3779B97F4A7C15u) >> 40) & s->mask;; i = (i + 1) & s->mask) {
        struct sslot *e = &s->slot[i];
        if (!e->hash || (e->hash == x && e->len == n && !memcmp(s->text.data + e->at, str, n)))
            return e;
    }
}

/* Adds the string; false when it was there. */
static bool strset_add(strset *s, uint64_t x, const char *str, size_t n)
{
    if ((s->used + 1) * 2 > s->mask + 1) {
        strset big;
        strset_init(&big, s->used + 1);
        big.text = s->text;
        for (size_t i = 0; i <= s->mask; i++)
            if (s->slot[i].hash)
                *strset_find(&big, s->slot[i].hash, big.text.data + s->slot[i].at,
                             s->slot[i].len) = s->slot[i];
        big.used = s->used;
        free(s->slot);
        *s = big;
    }
    struct sslot *e = strset_find(s, x, str, n);
    if (e->hash)
        return false;
    *e = (struct sslot){x + !x, (uint32_t)s->text.len, (uint32_t)n};
    ss_buf_add(&s->text, str, n);
    s->used++;
    return true;
}

/* The patterns the words need, as a pattern file for libhyphen.
 *
 * libhyphen turns the patterns into an automaton whose states are the
 * beginnings of the patterns' letters ("a2ch4" has the letters "ach":
 * states "a", "ac", "ach"); reading ".word.", it is always in the longest
 * state that ends where it is, and applies that state's points (the file's
 * preparation, substrings.pl, makes them complete).  The states a word can
 * be in are the ones that occur in it; so a file with
 *   - the character set and keyword lines,
 *   - every pattern whose letters occur in ".word." of one of the words,
 *   - and, of every other pattern, the longest beginning that occurs, as a
 *     pattern without points (a state that applies nothing),
 * has, for these words, the states of the whole file and their points,
 * and gives every word the same points.  A test compares the two.
 *
 * Whether a string occurs is asked of a bit set of the words' substrings'
 * hashes: it can say yes wrongly (then a pattern or beginning that the
 * words cannot reach is kept: a state they never enter, harmless), never
 * no wrongly.  Returns the number of patterns kept. */
static size_t select_patterns(const ss_hyphenator *h, const request *r, size_t n, ss_buf *out)
{
    size_t subs = 0;
    for (size_t i = 0; i < n; i++)
        subs += (r[i].n + 2) * (r[i].n + 2 < PAT_LONGEST ? r[i].n + 2 : PAT_LONGEST);
    size_t bits = 1u << 12;
    unsigned shift = 64 - 12;
    while (bits < subs * 8)
        bits *= 2, shift--;
    uint64_t *set = ss_xcalloc(bits / 64, sizeof *set);
    /* The top bits of a Fibonacci product: FNV-1a's middle bits hardly
     * depend on the last letter. */
#define BIT(x) ((size_t)(((x) * 0x9E3779B97F4A7C15u) >> shift))
    for (size_t i = 0; i < n; i++) {
        char w[REQ_WORD + 3];
        size_t len = r[i].n + 2;
        w[0] = '.';
        memcpy(w + 1, r[i].w, r[i].n);
        w[len - 1] = '.';
        for (size_t a = 0; a < len; a++) {
            uint64_t x = FNV64_START;
            for (size_t b = a; b < len && b - a < PAT_LONGEST; b++) {
                x = FNV64_STEP(x, w[b]);
                set[BIT(x) / 64] |= (uint64_t)1 << (BIT(x) % 64);
            }
        }
    }
    strset written;
    strset_init(&written, 1024);
    ss_buf starts;
    ss_buf_init(&starts);
    size_t count = 0;
    const char *end = h->text + h->text_len;
    bool first = true;
    for (const char *p = h->text; p < end;) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        e = e ? e : end;
        if (first || (*p >= 'A' && *p <= 'Z')) {
            /* the character set; LEFTHYPHENMIN and the other keywords */
            ss_buf_add(out, p, (size_t)(e - p));
            ss_buf_addc(out, '\n');
        } else if (p < e && *p != '%' && (unsigned char)*p > ' ') {
            /* libhyphen reads a pattern up to the first space or control
             * character; digits are its points, the rest its letters. */
            char lt[PAT_LONGEST];
            size_t nl = 0;
            uint64_t x = FNV64_START, hx = FNV64_START;
            bool missed = false, too_long = false;
            for (const char *q = p; q < e && (unsigned char)*q > ' '; q++) {
                if (*q >= '0' && *q <= '9')
                    continue;
                if (nl == PAT_LONGEST) {
                    too_long = true;
                    break;
                }
                x = FNV64_STEP(x, *q);
                if (!(set[BIT(x) / 64] >> (BIT(x) % 64) & 1)) {
                    missed = true; /* nor does any longer beginning occur */
                    break;
                }
                lt[nl++] = *q;
                hx = x;
            }
            if (too_long || (!missed && strset_add(&written, hx, lt, nl))) {
                /* kept (too long to judge: kept) */
                ss_buf_add(out, p, (size_t)(e - p));
                ss_buf_addc(out, '\n');
                count++;
            } else if (missed && nl) {
                uint64_t rec[2] = {hx, nl};
                ss_buf_add(&starts, rec, sizeof rec);
                ss_buf_add(&starts, lt, nl);
            }
        }
        first = false;
        p = e + 1;
    }
#undef BIT
    /* The beginnings, after every pattern is known. */
    for (size_t at = 0; at < starts.len;) {
        uint64_t rec[2];
        memcpy(rec, starts.data + at, sizeof rec);
        const char *lt = starts.data + at + sizeof rec;
        at += sizeof rec + (size_t)rec[1];
        if (strset_add(&written, rec[0], lt, (size_t)rec[1])) {
            ss_buf_add(out, lt, (size_t)rec[1]);
            ss_buf_addc(out, '\n');
            count++;
        }
    }
    ss_buf_free(&starts);
    strset_free(&written);
    free(set);
    return count;
}

static HyphenDict *load_selection(const ss_hyphenator *h, const request *r, size_t n,
                                  size_t *count)
{
    ss_buf b;
    ss_buf_init(&b);
    *count = select_patterns(h, r, n, &b);
    FILE *f = fmemopen(b.data, b.len, "r");
    HyphenDict *d = f ? hnj_hyphen_load_file(f) : NULL;
    if (f)
        fclose(f);
    ss_buf_free(&b);
    return d;
}

/* ---- hyphenating -------------------------------------------------------- */

static void run_dict(HyphenDict *d, request *r)
{
    /* libhyphen reads a NUL-terminated word and marks each byte. */
    char hyph[REQ_WORD + 6];
    char **rep = NULL;
    int *pos = NULL, *cut = NULL;
    r->k = 0;
    if (!d || r->n == 0)
        return;
    if (hnj_hyphen_hyphenate3(d, r->w, (int)r->n, hyph, NULL, &rep, &pos, &cut,
                              SS_HYPHEN_LEFT, SS_HYPHEN_RIGHT, SS_HYPHEN_LEFT,
                              SS_HYPHEN_RIGHT) == 0)
        for (size_t i = 0; i + 1 < r->n && r->k < REQ_POINTS; i++)
            /* An odd digit after byte i: a break between byte i and i + 1
             * (for UTF-8 dictionaries, after a character's last byte).
             * Breaks that want a spelling change (rep) are not taken. */
            if ((hyph[i] & 1) && !(rep && rep[i]))
                r->at[r->k++] = (uint8_t)(i + 1);
    if (rep) {
        for (size_t i = 0; i < r->n; i++)
            free(rep[i]);
        free(rep);
    }
    free(pos);
    free(cut);
}

/* Reads the pattern file (under h->lock, written). */
static bool have_text(ss_hyphenator *h)
{
    if (h->text || h->unreadable)
        return h->text != NULL;
    int err = 0;
    h->text = ss_read_file(h->path, MAX_PATTERN_FILE, &h->text_len, &err);
    if (!h->text) {
        h->unreadable = true;
        return false;
    }
    /* A second level (NEXTLEVEL) or non-standard patterns ("/"), which
     * Debian's en and es files do not have, are read whole. */
    const char *end = h->text + h->text_len;
    for (const char *p = h->text; p < end; p++) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        e = e ? e : end;
        h->whole |= (size_t)(e - p) >= 9 && !strncmp(p, "NEXTLEVEL", 9);
        h->whole |= *p != '%' && memchr(p, '/', (size_t)(e - p)) != NULL;
        h->npatterns++;
        p = e;
    }
    return true;
}

/* The points of words the cache does not know.  Called and returns with
 * h->lock held for writing, but makes and runs a selection without it: that takes a
 * millisecond or two, and the other threads' words are mostly in the cache
 * by then.  A selection reads only h->text, which does not change once
 * read. */
static void compute(ss_hyphenator *h, request *r, size_t n)
{
    if (!n || !have_text(h)) {
        for (size_t i = 0; i < n; i++)
            r[i].k = 0;
        return;
    }
    if (!h->full && (h->whole || h->spent >= h->npatterns || cache_full(h))) {
        h->full = hnj_hyphen_load(h->path);
        h->spent += h->npatterns;
    }
    if (h->full) {
        for (size_t i = 0; i < n; i++) {
            run_dict(h->full, &r[i]);
            cache_put(h, &r[i]);
        }
        return;
    }
    pthread_rwlock_unlock(&h->lock);
    size_t count = 0;
    HyphenDict *mine = load_selection(h, r, n, &count);
    for (size_t i = 0; i < n; i++)
        run_dict(mine, &r[i]);
    if (mine)
        hnj_hyphen_free(mine);
    pthread_rwlock_wrlock(&h->lock);
    h->spent += count;
    for (size_t i = 0; i < n; i++)
        cache_put(h, &r[i]);
}

static bool make_request(request *r, const char *word, size_t n)
{
    if (n == 0 || n > REQ_WORD)
        return false;
    memcpy(r->w, word, n);
    r->w[n] = '\0';
    r->n = n;
    r->k = 0;
    lower(r->w, n);
    return true;
}

size_t ss_hyphenator_patterns_read(ss_hyphenator *h)
{
    if (!h)
        return 0;
    pthread_rwlock_rdlock(&h->lock);
    size_t n = h->spent;
    pthread_rwlock_unlock(&h->lock);
    return n;
}

void ss_hyphenate_prepare(void *ctx, const char *const *words, const size_t *lens, size_t count)
{
    ss_hyphenator *h = ctx;
    if (!h || !count)
        return;
    request *r = ss_xmalloc(count * sizeof *r);
    size_t n = 0;
    pthread_rwlock_wrlock(&h->lock);
    for (size_t i = 0; i < count; i++)
        if (make_request(&r[n], words[i], lens[i]) && r[n].n <= CACHE_WORD &&
            !cache_get(h, &r[n]))
            n++;
    compute(h, r, n);
    pthread_rwlock_unlock(&h->lock);
    free(r);
}

size_t ss_hyphenate(void *ctx, const char *word, size_t n, size_t *at, size_t max)
{
    ss_hyphenator *h = ctx;
    request r;
    if (!h || !make_request(&r, word, n))
        return 0;
    /* Nearly every word is in the cache: the threads look it up side by
     * side, and only a miss takes the lock alone (and looks again). */
    pthread_rwlock_rdlock(&h->lock);
    bool known = cache_get(h, &r);
    pthread_rwlock_unlock(&h->lock);
    if (!known) {
        pthread_rwlock_wrlock(&h->lock);
        if (!cache_get(h, &r))
            compute(h, &r, 1);
        pthread_rwlock_unlock(&h->lock);
    }
    size_t k = 0;
    for (; k < r.k && k < max; k++)
        at[k] = r.at[k];
    return k;
}

static void *ahead_main(void *arg)
{
    ss_hyphenator *h = arg;
    ss_hyphenate_prepare(h, h->ahead_words.w, h->ahead_words.n, h->ahead_words.count);
    return NULL;
}

void ss_hyphenator_ahead(ss_hyphenator *h, ss_words *words)
{
    if (!h || h->ahead_live || !words->count) {
        ss_words_free(words);
        return;
    }
    h->ahead_words = *words;
    memset(words, 0, sizeof *words);
    h->ahead_live = pthread_create(&h->ahead, NULL, ahead_main, h) == 0;
    if (!h->ahead_live)
        ss_words_free(&h->ahead_words);
}

void ss_hyphenator_settle(ss_hyphenator *h)
{
    if (!h || !h->ahead_live)
        return;
    pthread_join(h->ahead, NULL);
    h->ahead_live = false;
    ss_words_free(&h->ahead_words);
}
