/* pool.c - run a task for every index of a batch on N threads. */
#include "pool.h"

#include <pthread.h>
#include <stdio.h>
#include <time.h>

/* A progress line appears only for runs longer than this. */
#define PROGRESS_AFTER_S 0.5
/* How often the progress line is redrawn. */
#define PROGRESS_EVERY_NS 100000000L

typedef struct batch {
    size_t n;
    ss_pool_task task;
    void *ctx;
    atomic_int *stop;
    atomic_size_t next;
    atomic_size_t done;
} batch;

typedef struct worker {
    batch *b;
    int thread;
} worker;

static void *worker_main(void *arg)
{
    worker *w = arg;
    batch *b = w->b;
    for (;;) {
        if (b->stop && atomic_load(b->stop))
            break;
        size_t i = atomic_fetch_add(&b->next, 1);
        if (i >= b->n)
            break;
        b->task(b->ctx, i, w->thread);
        atomic_fetch_add(&b->done, 1);
    }
    return NULL;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void progress_line(const batch *b, ss_pool_label label, size_t done)
{
    char text[64];
    label(b->ctx, done ? done - 1 : 0, text, sizeof text);
    int w = snprintf(NULL, 0, "%zu", b->n);
    printf("\r\033[K[%*zu/%zu] %s", w, done, b->n, text);
    fflush(stdout);
}

/* Redraws the progress line until the batch is done or stopped; true when
 * it was ever shown. */
static bool watch(batch *b, ss_pool_label label)
{
    double t0 = now_s();
    bool shown = false;
    while (atomic_load(&b->done) < b->n && !(b->stop && atomic_load(b->stop)) &&
           atomic_load(&b->next) < b->n) {
        struct timespec ts = {0, PROGRESS_EVERY_NS};
        nanosleep(&ts, NULL);
        if (now_s() - t0 > PROGRESS_AFTER_S) {
            progress_line(b, label, atomic_load(&b->done));
            shown = true;
        }
    }
    return shown;
}

void ss_pool_run(size_t n, int threads, ss_pool_task task, void *ctx,
                 atomic_int *stop, ss_pool_label label)
{
    batch b = {n, task, ctx, stop, 0, 0};
    int nt = threads < 1 ? 1 : threads > SS_POOL_MAX_THREADS ? SS_POOL_MAX_THREADS : threads;
    if ((size_t)nt > n)
        nt = n ? (int)n : 1;
    pthread_t tid[SS_POOL_MAX_THREADS];
    worker w[SS_POOL_MAX_THREADS];
    int started = 0;
    for (int t = 1; t < nt; t++) {
        w[t] = (worker){&b, t};
        if (pthread_create(&tid[t], NULL, worker_main, &w[t]) != 0)
            break;
        started = t;
    }
    bool shown = false;
    if (label && started > 0) {
        /* The caller's thread draws the progress; the others work. */
        shown = watch(&b, label);
    } else {
        w[0] = (worker){&b, 0};
        worker_main(&w[0]);
    }
    for (int t = 1; t <= started; t++)
        pthread_join(tid[t], NULL);
    if (shown) {
        printf("\r\033[K");
        fflush(stdout);
    }
}
