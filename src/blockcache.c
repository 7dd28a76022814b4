/* blockcache.c - small blocks for libharu's objects, reused per thread.
 *
 * libharu allocates every dictionary, array, number and name of a document
 * on its own (about 1,000 blocks a sheet, nearly all under 256 bytes) and
 * frees them one by one in HPDF_Free.  In a batch, glibc's malloc and free
 * spent about a tenth of the run's CPU time on them (perf, 56 sheets,
 * -j 2).  libharu's own memory pool does not align its blocks (2.3.0
 * misspells HPDF_ALINMENT_SIZ), which UndefinedBehaviorSanitizer reports
 * on every double in them, so it cannot be used.
 *
 * This is the smallest thing that helps, kept here rather than taken from
 * a library because Debian's allocators (jemalloc, tcmalloc) replace
 * malloc for the whole process: each block carries a 16-byte header with
 * its size class; a freed block goes onto the freeing thread's list for
 * that class (at most BLOCK_KEEP of them), and the next allocation of that
 * class on that thread takes it back.  Blocks may move between threads
 * (a document is made on one thread and freed on the same one in practice,
 * but nothing depends on it).  A thread's lists are freed when it ends,
 * the main thread's at exit.  Under AddressSanitizer every block is a plain
 * malloc, so that use after free in libharu's objects is still caught.
 */
#include "blockcache.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#define BLOCK_HEADER 16 /* keeps malloc's 16-byte alignment */
#define BLOCK_STEP 16
#define BLOCK_CLASSES 16 /* 16, 32, ..., 256 bytes */
#define BLOCK_KEEP 2048  /* free blocks a thread keeps per class */

typedef struct block {
    struct block *next; /* while on a free list */
} block;

typedef struct cache {
    block *head[BLOCK_CLASSES];
    unsigned n[BLOCK_CLASSES];
} cache;

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static _Thread_local cache *mine;
static bool key_ok;

/* Runs on the thread whose lists these are. */
static void cache_drop(void *arg)
{
    cache *c = arg;
    mine = NULL;
    for (int k = 0; k < BLOCK_CLASSES; k++) {
        while (c->head[k]) {
            block *b = c->head[k];
            c->head[k] = b->next;
            free((char *)b - BLOCK_HEADER);
        }
    }
    free(c);
}

/* At exit: the main thread's lists (thread-specific destructors run only
 * for threads that end by themselves). */
static void main_drop(void)
{
    if (mine)
        cache_drop(mine);
}

static void cache_init(void)
{
    key_ok = pthread_key_create(&cache_key, cache_drop) == 0;
    atexit(main_drop);
}

/* The calling thread's lists, made on first use; NULL when they cannot be
 * (then blocks are plain mallocs). */
static cache *thread_cache(void)
{
    if (mine)
        return mine;
    pthread_once(&cache_once, cache_init);
    if (!key_ok)
        return NULL;
    cache *c = calloc(1, sizeof *c);
    if (c && pthread_setspecific(cache_key, c) != 0) {
        free(c);
        c = NULL;
    }
    mine = c;
    return c;
}

void *ss_block_alloc(unsigned size)
{
    unsigned k = size ? (size - 1) / BLOCK_STEP : 0; /* class: up to (k+1)*16 bytes */
    bool small = SS_BLOCK_CACHE && k < BLOCK_CLASSES;
    if (small) {
        cache *c = thread_cache();
        if (c && c->head[k]) {
            block *b = c->head[k];
            c->head[k] = b->next;
            c->n[k]--;
            return b;
        }
        size = (k + 1) * BLOCK_STEP;
    }
    unsigned char *p = malloc(BLOCK_HEADER + (size_t)size);
    if (!p)
        return NULL;
    *(unsigned *)p = small ? k : BLOCK_CLASSES; /* BLOCK_CLASSES: not cached */
    return p + BLOCK_HEADER;
}

void ss_block_free(void *ptr)
{
    if (!ptr)
        return;
    unsigned char *p = (unsigned char *)ptr - BLOCK_HEADER;
    unsigned k = *(unsigned *)p;
    cache *c = k < BLOCK_CLASSES ? thread_cache() : NULL;
    if (c && c->n[k] < BLOCK_KEEP) {
        block *b = ptr;
        b->next = c->head[k];
        c->head[k] = b;
        c->n[k]++;
        return;
    }
    free(p);
}
