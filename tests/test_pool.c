/* test_pool.c - the thread pool (pool.c): every index runs exactly once,
 * on a thread number in range, whatever the thread count; a stop flag
 * stops the handing out of new indices. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "pool.h"

typedef struct counts {
    atomic_int *runs;  /* per index */
    atomic_int bad_thread;
    int threads;
    atomic_int *stop;
    size_t stop_at;
} counts;

static void task(void *ctx, size_t i, int thread)
{
    counts *c = ctx;
    atomic_fetch_add(&c->runs[i], 1);
    if (thread < 0 || thread >= c->threads)
        atomic_store(&c->bad_thread, 1);
    if (c->stop && i == c->stop_at)
        atomic_store(c->stop, 70);
}

static void every_index_once(void **state)
{
    (void)state;
    static const int threads[] = {1, 2, 3, 8, SS_POOL_MAX_THREADS, 1000};
    static const size_t sizes[] = {0, 1, 2, 7, 1000};
    for (size_t a = 0; a < sizeof threads / sizeof threads[0]; a++)
        for (size_t b = 0; b < sizeof sizes / sizeof sizes[0]; b++) {
            size_t n = sizes[b];
            counts c = {calloc(n + 1, sizeof(atomic_int)), 0,
                        threads[a] > SS_POOL_MAX_THREADS ? SS_POOL_MAX_THREADS : threads[a],
                        NULL, 0};
            ss_pool_run(n, threads[a], task, &c, NULL, NULL);
            for (size_t i = 0; i < n; i++)
                assert_int_equal(atomic_load(&c.runs[i]), 1);
            assert_int_equal(atomic_load(&c.bad_thread), 0);
            free(c.runs);
        }
}

/* After the stop flag is set, no index is started (the ones already
 * handed out finish): far fewer than n run. */
static void stop_flag(void **state)
{
    (void)state;
    size_t n = 100000;
    atomic_int stop = 0;
    counts c = {calloc(n, sizeof(atomic_int)), 0, 4, &stop, 10};
    ss_pool_run(n, 4, task, &c, &stop, NULL);
    assert_int_equal(atomic_load(&stop), 70);
    size_t ran = 0;
    for (size_t i = 0; i < n; i++)
        ran += (size_t)atomic_load(&c.runs[i]);
    assert_true(ran >= 11);
    assert_true(ran <= 10 + 1 + 2 * 4);
    free(c.runs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_index_once),
        cmocka_unit_test(stop_flag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
