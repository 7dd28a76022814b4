/* fault_fsync.c - an LD_PRELOAD shim for the write path's tests: with
 * SS_FAIL_FSYNC=file:N (or dir:N) the Nth fsync of a file (of a folder)
 * fails with EIO, as a failing disk's would; every other call is the real
 * one.  Counted per process, so a run's calls are numbered in the order it
 * makes them (with -j 1: sheet by sheet). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fsync(int fd)
{
    static atomic_int calls[2];
    const char *spec = getenv("SS_FAIL_FSYNC");
    struct stat sb;
    if (spec && fstat(fd, &sb) == 0) {
        int dir = S_ISDIR(sb.st_mode) ? 1 : 0;
        const char *kind = dir ? "dir:" : "file:";
        int n = atomic_fetch_add(&calls[dir], 1) + 1;
        if (!strncmp(spec, kind, strlen(kind)) && atoi(spec + strlen(kind)) == n) {
            errno = EIO;
            return -1;
        }
    }
    int (*real)(int);
    *(void **)&real = dlsym(RTLD_NEXT, "fsync"); /* POSIX's way round ISO C */
    return real(fd);
}
