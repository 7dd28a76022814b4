/* pool.h - run a task for every index of a batch on N threads.
 *
 * Indices are handed out in order from one atomic counter, so the threads
 * share the work however uneven its items; each task gets its thread's
 * number (0 .. threads-1), so it can keep per-thread state without locks.
 * Thread 0 is the caller's own.
 */
#ifndef SS_POOL_H
#define SS_POOL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/* More threads than this never help on the machines we run on. */
#define SS_POOL_MAX_THREADS 256

typedef void (*ss_pool_task)(void *ctx, size_t index, int thread);
/* Writes a short label for item 'index' (for the progress line). */
typedef void (*ss_pool_label)(void *ctx, size_t index, char *buf, size_t size);

/* Runs task(ctx, i, thread) for every i in [0, n) on up to 'threads'
 * threads (at most n, at most SS_POOL_MAX_THREADS), and returns when all
 * have finished.  Once *stop is not 0, no new index is started.  With a
 * 'label', a progress line "[  done/n] LABEL" is kept on standard output
 * (for a terminal) while a run lasts longer than half a second, and erased
 * at the end. */
void ss_pool_run(size_t n, int threads, ss_pool_task task, void *ctx,
                 atomic_int *stop, ss_pool_label label);

#endif
