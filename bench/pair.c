/* pair.c - the paired ratio of two commands' wall-clock times.
 *
 *     pair RUNS -- COMMAND-A ... -- COMMAND-B ...
 *
 * Runs A and B alternately RUNS times each (after 3 warm-up pairs), times
 * each whole process (posix_spawn to wait4: wall clock, CLOCK_MONOTONIC,
 * and CPU time, user + system from the kernel's rusage), and prints the
 * medians of A's and B's times and of the per-pair ratios A/B.  A pair
 * shares the machine's state of the moment, so the ratio survives a loaded
 * machine far better than either time does; the CPU ratio is the steadier
 * of the two when other work competes for the cores.  Output of the
 * commands goes to /dev/null.  Exits 1 when a command fails.
 *
 *   cc -O2 -o build-bench/pair bench/pair.c
 */
#define _DEFAULT_SOURCE /* wait4 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

typedef struct times {
    double wall, cpu;
} times;

static times run(char **argv)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    double t0 = now();
    pid_t pid;
    int st;
    struct rusage ru;
    if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0 ||
        wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "pair: %s failed\n", argv[0]);
        exit(1);
    }
    times t = {now() - t0, (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                               (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6};
    posix_spawn_file_actions_destroy(&fa);
    return t;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    if (argc < 5 || strcmp(argv[2], "--")) {
        fprintf(stderr, "usage: pair RUNS -- COMMAND-A ... -- COMMAND-B ...\n");
        return 2;
    }
    int runs = atoi(argv[1]);
    char **a = argv + 3, **b = NULL;
    for (int i = 3; i < argc; i++)
        if (!strcmp(argv[i], "--")) {
            argv[i] = NULL;
            b = argv + i + 1;
            break;
        }
    if (runs < 1 || !b || !*b) {
        fprintf(stderr, "usage: pair RUNS -- COMMAND-A ... -- COMMAND-B ...\n");
        return 2;
    }
    size_t sz = sizeof(double) * (size_t)runs;
    double *wa = malloc(sz), *wb = malloc(sz), *wr = malloc(sz);
    double *ca = malloc(sz), *cb = malloc(sz), *cr = malloc(sz);
    for (int i = 0; i < 3; i++)
        run(a), run(b);
    for (int i = 0; i < runs; i++) {
        /* Alternate which goes first, so neither always runs on a warmer cache. */
        times x, y;
        if (i % 2) {
            y = run(b);
            x = run(a);
        } else {
            x = run(a);
            y = run(b);
        }
        wa[i] = x.wall, wb[i] = y.wall, wr[i] = x.wall / y.wall;
        ca[i] = x.cpu, cb[i] = y.cpu, cr[i] = y.cpu > 0 ? x.cpu / y.cpu : 0;
    }
    printf("runs %d\n", runs);
    printf("wall  A %.2f ms  B %.2f ms  A/B paired median %.3f\n", 1000 * median(wa, runs),
           1000 * median(wb, runs), median(wr, runs));
    printf("cpu   A %.2f ms  B %.2f ms  A/B paired median %.3f\n", 1000 * median(ca, runs),
           1000 * median(cb, runs), median(cr, runs));
    free(wa), free(wb), free(wr), free(ca), free(cb), free(cr);
    return 0;
}
