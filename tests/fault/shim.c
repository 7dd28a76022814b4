/* shim.c - an LD_PRELOAD library that fails the Nth call of one kind.
 *
 *   SS_FAULT_KIND   open | write | fsync_file | fsync_dir | rename | close |
 *                   mkdir | read | malloc | dlopen
 *   SS_FAULT_N      the call to fail, counting from 1 (0 or unset: fail none)
 *   SS_FAULT_MATCH  open, read and dlopen only: count only files whose path
 *                   holds this string
 *   SS_FAULT_COUNT  a file to which the number of calls of the kind is
 *                   written when the program exits normally
 *
 * A failed call sets errno as the kernel would (ENOSPC for writes and
 * syncs, EIO for reads and closes, EACCES for open, rename and mkdir,
 * ENOMEM for malloc; a failed dlopen returns NULL, as for a library that
 * is not installed) and does nothing else.  Calls are counted across
 * threads.  Only calls that go through the dynamic symbol table are seen:
 * stdio's own writes inside glibc are not, which is why the program's
 * writes of files that matter go through write(2).  Under AddressSanitizer
 * the executable defines malloc itself and wins over this library, so the
 * malloc kind counts nothing there (tests/e2e/faults.sh says so and skips
 * it).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

enum kind { K_NONE, K_OPEN, K_WRITE, K_FSYNC_FILE, K_FSYNC_DIR, K_RENAME, K_CLOSE,
            K_MKDIR, K_READ, K_MALLOC, K_DLOPEN };

static const char *const kind_names[] = {"", "open", "write", "fsync_file", "fsync_dir",
                                         "rename", "close", "mkdir", "read", "malloc",
                                         "dlopen"};

static int kind = -1; /* -1: not read from the environment yet */
static long fail_at;
static const char *match;
static long calls;

static void setup(void)
{
    if (__atomic_load_n(&kind, __ATOMIC_ACQUIRE) >= 0)
        return;
    int k = K_NONE;
    const char *s = getenv("SS_FAULT_KIND");
    for (int i = 1; s && i < (int)(sizeof kind_names / sizeof *kind_names); i++)
        if (!strcmp(s, kind_names[i]))
            k = i;
    const char *n = getenv("SS_FAULT_N");
    fail_at = n ? atol(n) : 0;
    match = getenv("SS_FAULT_MATCH");
    if (match && !*match)
        match = NULL;
    __atomic_store_n(&kind, k, __ATOMIC_RELEASE);
}

/* True when this call of kind k is the one to fail. */
static int hit(int k)
{
    setup();
    if (kind != k)
        return 0;
    long c = __atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST);
    return fail_at > 0 && c == fail_at;
}

static int path_matches(const char *path)
{
    return !match || (path && strstr(path, match));
}

static int fd_matches(int fd)
{
    if (!match)
        return 1;
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n < 0)
        return 0;
    path[n] = '\0';
    return strstr(path, match) != NULL;
}

__attribute__((destructor)) static void report(void)
{
    const char *to = getenv("SS_FAULT_COUNT");
    if (!to || kind <= K_NONE)
        return;
    FILE *f = fopen(to, "w");
    if (f) {
        fprintf(f, "%ld\n", calls);
        fclose(f);
    }
}

typedef void (*any_fn)(void);

/* The next definition of 'name' (glibc's), looked up once; memcpy, as
 * POSIX's dlsym page suggests, turns the object pointer into a function's. */
static any_fn next(const char *name, any_fn *cache)
{
    any_fn f = __atomic_load_n(cache, __ATOMIC_ACQUIRE);
    if (!f) {
        void *p = dlsym(RTLD_NEXT, name);
        memcpy(&f, &p, sizeof f);
        __atomic_store_n(cache, f, __ATOMIC_RELEASE);
    }
    return f;
}
#define REAL(name) ((__typeof__(&name))next(#name, &cache_##name))
#define FAIL(e) return (errno = (e), -1)

static any_fn cache_open, cache_open64, cache_openat, cache_openat64, cache_write,
    cache_pwrite, cache_writev, cache_fsync, cache_fdatasync, cache_rename,
    cache_renameat, cache_renameat2, cache_close, cache_mkdir, cache_mkdirat,
    cache_read, cache_dlopen;

static mode_t mode_arg(int flags, va_list ap)
{
    return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

/* open, open64, openat and openat64: the mode is there only with O_CREAT
 * or O_TMPFILE, and passed on as it came. */
#define OPEN_LIKE(name, params, args)                                          \
    int name params                                                            \
    {                                                                          \
        va_list ap;                                                            \
        va_start(ap, flags);                                                   \
        mode_t m = mode_arg(flags, ap);                                        \
        va_end(ap);                                                            \
        if (path_matches(path) && hit(K_OPEN))                                 \
            FAIL(EACCES);                                                      \
        return REAL(name) args;                                                \
    }
OPEN_LIKE(open, (const char *path, int flags, ...), (path, flags, m))
OPEN_LIKE(open64, (const char *path, int flags, ...), (path, flags, m))
OPEN_LIKE(openat, (int dfd, const char *path, int flags, ...), (dfd, path, flags, m))
OPEN_LIKE(openat64, (int dfd, const char *path, int flags, ...), (dfd, path, flags, m))

ssize_t write(int fd, const void *buf, size_t n)
{
    if (hit(K_WRITE))
        FAIL(ENOSPC);
    return REAL(write)(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    if (hit(K_WRITE))
        FAIL(ENOSPC);
    return REAL(pwrite)(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
    if (hit(K_WRITE))
        FAIL(ENOSPC);
    return REAL(writev)(fd, iov, n);
}

static int fsync_hit(int fd)
{
    struct stat st;
    int dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
    return hit(dir ? K_FSYNC_DIR : K_FSYNC_FILE);
}

int fsync(int fd)
{
    if (fsync_hit(fd))
        FAIL(ENOSPC);
    return REAL(fsync)(fd);
}

int fdatasync(int fd)
{
    if (fsync_hit(fd))
        FAIL(ENOSPC);
    return REAL(fdatasync)(fd);
}

int rename(const char *from, const char *to)
{
    if (hit(K_RENAME))
        FAIL(EACCES);
    return REAL(rename)(from, to);
}

int renameat(int fd1, const char *from, int fd2, const char *to)
{
    if (hit(K_RENAME))
        FAIL(EACCES);
    return REAL(renameat)(fd1, from, fd2, to);
}

int renameat2(int fd1, const char *from, int fd2, const char *to, unsigned flags)
{
    if (hit(K_RENAME))
        FAIL(EACCES);
    return REAL(renameat2)(fd1, from, fd2, to, flags);
}

int close(int fd)
{
    /* Like a file server's late write error: the descriptor is closed. */
    if (hit(K_CLOSE)) {
        REAL(close)(fd);
        FAIL(EIO);
    }
    return REAL(close)(fd);
}

int mkdir(const char *path, mode_t m)
{
    if (hit(K_MKDIR))
        FAIL(EACCES);
    return REAL(mkdir)(path, m);
}

int mkdirat(int dfd, const char *path, mode_t m)
{
    if (hit(K_MKDIR))
        FAIL(EACCES);
    return REAL(mkdirat)(dfd, path, m);
}

ssize_t read(int fd, void *buf, size_t n)
{
    if (fd_matches(fd) && hit(K_READ))
        FAIL(EIO);
    return REAL(read)(fd, buf, n);
}

/* glibc's own entry points: no dlsym, which itself allocates. */
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *p, size_t n);

void *malloc(size_t n)
{
    if (hit(K_MALLOC))
        return errno = ENOMEM, NULL;
    return __libc_malloc(n);
}

void *calloc(size_t count, size_t size)
{
    if (hit(K_MALLOC))
        return errno = ENOMEM, NULL;
    return __libc_calloc(count, size);
}

void *realloc(void *p, size_t n)
{
    if (hit(K_MALLOC))
        return errno = ENOMEM, NULL;
    return __libc_realloc(p, n);
}

void *dlopen(const char *file, int flags)
{
    setup(); /* SS_FAULT_MATCH, read before it is used */
    if (path_matches(file) && hit(K_DLOPEN))
        return NULL;
    return REAL(dlopen)(file, flags);
}
