/* outfile.c - the write path: folders, temporary files, signals.
 *
 * Signals are taken by one thread that waits for them (sigwait), not by a
 * handler: it takes the lock that guards this run's list of temporary
 * files, which is also held while one of them is created or renamed, so
 * no thread is between creating or renaming a file and setting or clearing
 * its entry while the files are removed; and it exits holding the lock, so
 * none is made or moved after.  A handler could do neither safely.
 */
#include "outfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
#include "util.h"

#define TMP_PREFIX ".statesheet-"
#define TMP_SUFFIX ".tmp"
/* How much of the host name and of the final name go into a temporary
 * name: enough to tell whose and what it is, well under NAME_MAX (255). */
#define TMP_HOST_MAX 40
#define TMP_NAME_MAX 80
/* Temporary files open at once: one per worker (SS_POOL_MAX_THREADS, 256),
 * the combined file, the manifest and a few to spare. */
#define SLOTS 264

/* ---- this run's temporary files ----------------------------------------- */

static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static char *slots[SLOTS];

/* Registers path (ours until unregistered); returns its slot, or -1.
 * Under slots_lock. */
static int slot_add_locked(char *path)
{
    for (int i = 0; i < SLOTS; i++)
        if (!slots[i]) {
            slots[i] = path;
            return i;
        }
    return -1;
}

static void slot_drop(int s)
{
    if (s < 0)
        return;
    pthread_mutex_lock(&slots_lock);
    slots[s] = NULL;
    pthread_mutex_unlock(&slots_lock);
}

_Noreturn void ss_outfile_abandon(int status, const char *line)
{
    /* As the signal thread does, keep other threads from making or moving
     * files while ours are removed; but the thread that ran out may hold
     * a lock itself, so wait a second at most, then go on without it. */
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += 1;
    pthread_mutex_timedlock(&slots_lock, &t);
    for (int i = 0; i < SLOTS; i++) {
        char *p = __atomic_load_n(&slots[i], __ATOMIC_SEQ_CST);
        if (p)
            unlink(p);
    }
    ssize_t w = write(STDERR_FILENO, line, strlen(line));
    (void)w; /* nothing more can be said */
    _exit(status);
}

/* ---- signals ---------------------------------------------------------------- */

static sigset_t guarded;

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGINT:
        return "SIGINT (interrupted)";
    case SIGTERM:
        return "SIGTERM";
    case SIGHUP:
        return "SIGHUP (the terminal closed)";
    default:
        return "a signal";
    }
}

static void *signal_main(void *arg)
{
    (void)arg;
    int sig = 0;
    while (sigwait(&guarded, &sig) != 0 || !sigismember(&guarded, sig))
        ;
    pthread_mutex_lock(&slots_lock);
    for (int i = 0; i < SLOTS; i++)
        if (slots[i])
            unlink(slots[i]);
    /* write(2), not stdio: another thread may hold stderr's lock. */
    char msg[200];
    int n = snprintf(msg, sizeof msg, "statesheet: stopped by %s; the sheets "
                     "already written are whole, no temporary file is left\n",
                     signal_name(sig));
    if (n > 0 && write(STDERR_FILENO, msg, (size_t)n) < 0)
        n = 0;
    _exit(128 + sig);
    return NULL;
}

static bool sigisemptyset_(const sigset_t *s)
{
    return !sigismember(s, SIGINT) && !sigismember(s, SIGTERM) && !sigismember(s, SIGHUP);
}

static void guard_once(void)
{
    sigemptyset(&guarded);
    const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        struct sigaction old;
        /* Ignored when we started (nohup, or a background job of a
         * script): the caller asked for it to be ignored, keep it so. */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaddset(&guarded, sigs[i]);
    }
    struct sigaction ign;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, NULL);
    if (sigisemptyset_(&guarded))
        return; /* all ignored: nothing to wait for */
    /* Blocked here, so in every thread started later; only the signal
     * thread takes them. */
    pthread_sigmask(SIG_BLOCK, &guarded, NULL);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    if (pthread_create(&t, &attr, signal_main, NULL) != 0) {
        /* No thread: let the signals act as before rather than be lost. */
        pthread_sigmask(SIG_UNBLOCK, &guarded, NULL);
    }
    pthread_attr_destroy(&attr);
}

void ss_outfile_guard(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, guard_once);
}

/* ---- names ------------------------------------------------------------------- */

static uint64_t random64(void)
{
    uint64_t r = 0;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) == (ssize_t)sizeof r)
        return r;
    /* No entropy yet (early boot): time, address and a counter still
     * differ between runs; O_EXCL catches the rest. */
    static atomic_uint_fast64_t counter;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    r = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15u ^ (uint64_t)ts.tv_sec ^
        (uint64_t)(uintptr_t)&r ^ (atomic_fetch_add(&counter, 1) << 48);
    return r;
}

char *ss_outfile_tmp_path(const char *dir, const char *name)
{
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0 || !*host)
        strcpy(host, "host");
    host[TMP_HOST_MAX] = '\0';
    for (char *p = host; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '.' || *p == '_'))
            *p = '_'; /* '-' separates the parts */
    /* The temporary name must not end in .pdf, and stays short. */
    size_t n = strlen(name);
    if (n >= 4 && !strcmp(name + n - 4, ".pdf"))
        n -= 4;
    if (n > TMP_NAME_MAX)
        n = TMP_NAME_MAX;
    return ss_xasprintf("%s/" TMP_PREFIX "%s-%ld-%016llx-%.*s" TMP_SUFFIX, dir, host,
                        (long)getpid(), (unsigned long long)random64(), (int)n, name);
}

/* ---- writing ----------------------------------------------------------------- */

/* Errors that mean "no room" or a failing disk are write failures (74);
 * the rest mean the name cannot be made (73). */
static int status_for(int e)
{
    return e == ENOSPC || e == EDQUOT || e == EIO ? 74 : 73;
}

static bool write_all(int fd, const char *p, size_t left, int *err)
{
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            *err = w < 0 ? errno : EIO;
            return false;
        }
        p += w;
        left -= (size_t)w;
    }
    return true;
}

int ss_outfile_sync_dir(const char *dir, ss_diag *diag)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int e = fd < 0 ? errno : 0;
    /* A file system that cannot sync a folder says EINVAL: there the
     * renames are as durable as it makes them, and nothing failed. */
    if (fd >= 0 && fsync(fd) != 0 && errno != EINVAL)
        e = errno;
    if (fd >= 0)
        close(fd);
    if (!e)
        return 0;
    ss_diag_error(diag, dir, 0, "cannot save the folder's new file names to disk: %s; "
                  "the files just written may be lost in a power cut", strerror(e));
    return 74;
}

/* The folder holding 'path' (a new string). */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return ss_xstrdup(".");
    return ss_xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
}

/* Syncs the folder holding 'path'. */
static int sync_dir_of(const char *path, ss_diag *diag)
{
    char *dir = folder_of(path);
    int status = ss_outfile_sync_dir(dir, diag);
    free(dir);
    return status;
}

/* Registers tmp (in *slot) and creates it, both under slots_lock, so that
 * the signal thread finds it either not yet made or made and listed.  The
 * slot is given up when the file cannot be made: whatever is at that name
 * is not ours.  Opened read-write: a stream is read back (ss_outfile_open).
 * Returns the descriptor, or -1 with a message and *status set. */
static int create_tmp(char *tmp, const char *final, int *slot, ss_diag *diag, int *status)
{
    pthread_mutex_lock(&slots_lock);
    *slot = slot_add_locked(tmp);
    int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    int e = errno;
    if (fd < 0 && *slot >= 0) {
        slots[*slot] = NULL;
        *slot = -1;
    }
    pthread_mutex_unlock(&slots_lock);
    if (fd < 0) {
        if (e == EEXIST || e == ELOOP)
            ss_diag_error(diag, final, 0, "cannot create the file: its temporary name "
                          "%s is already taken (by a link or another file, not made by "
                          "this run); nothing was written over it", tmp);
        else
            ss_diag_error(diag, final, 0, "cannot create the file: %s", strerror(e));
        *status = status_for(e);
    }
    return fd;
}

/* Renames tmp into place and gives up its slot, under slots_lock (see
 * create_tmp).  Returns 0 or an exit status, with a message. */
static int rename_tmp(const char *tmp, const char *final, int *slot, ss_diag *diag)
{
    pthread_mutex_lock(&slots_lock);
    int r = rename(tmp, final);
    int e = errno;
    if (r == 0 && *slot >= 0) {
        slots[*slot] = NULL;
        *slot = -1;
    }
    pthread_mutex_unlock(&slots_lock);
    if (r == 0)
        return 0;
    if (e == EISDIR || e == ENOTEMPTY || e == EEXIST)
        ss_diag_error(diag, final, 0, "cannot write the file: a folder has that name; "
                      "move the folder away or choose another --out");
    else
        ss_diag_error(diag, final, 0, "cannot put the file in place: %s", strerror(e));
    return status_for(e);
}

/* Makes fd's data durable and closes it: 0, or 74 with a message. */
static int sync_close(int fd, const char *final, ss_diag *diag)
{
    int e = fsync(fd) != 0 ? errno : 0;
    if (close(fd) != 0 && !e)
        e = errno;
    if (!e)
        return 0;
    ss_diag_error(diag, final, 0, "cannot write the file: %s", strerror(e));
    return 74;
}

int ss_outfile_write_via(const char *tmp, const char *final, const void *data,
                         size_t len, ss_diag *diag)
{
    char *path = ss_xstrdup(tmp);
    int slot = -1, status = 0, e = 0;
    int fd = create_tmp(path, final, &slot, diag, &status);
    if (fd >= 0) {
        if (!write_all(fd, data, len, &e)) {
            ss_diag_error(diag, final, 0, "cannot write the file: %s", strerror(e));
            close(fd);
            status = 74;
        } else {
            status = sync_close(fd, final, diag);
        }
        if (status == 0)
            status = rename_tmp(path, final, &slot, diag);
        if (status != 0)
            unlink(path);
    }
    slot_drop(slot);
    free(path);
    return status;
}

int ss_outfile_write(const char *dir, const char *name, const void *data,
                     size_t len, ss_diag *diag)
{
    char *final = ss_path_join(dir, name);
    char *tmp = ss_outfile_tmp_path(dir, name);
    int status = ss_outfile_write_via(tmp, final, data, len, diag);
    free(tmp);
    free(final);
    return status;
}

FILE *ss_outfile_open(ss_outstream *o, const char *path, ss_diag *diag, int *status)
{
    memset(o, 0, sizeof *o);
    o->path = path;
    char *dir = folder_of(path);
    const char *slash = strrchr(path, '/');
    o->tmp = ss_outfile_tmp_path(dir, slash ? slash + 1 : path);
    free(dir);
    int fd = create_tmp(o->tmp, path, &o->slot, diag, status);
    if (fd >= 0 && !(o->f = fdopen(fd, "w+b"))) {
        ss_diag_error(diag, path, 0, "cannot create the file: %s", strerror(errno));
        *status = 73;
        close(fd);
        unlink(o->tmp);
    }
    if (!o->f) {
        slot_drop(o->slot);
        free(o->tmp);
        o->tmp = NULL;
    }
    return o->f;
}

int ss_outfile_finish(ss_outstream *o, bool keep, ss_diag *diag)
{
    if (!o->f)
        return 73;
    int status = 0, e = 0;
    if (keep && (fflush(o->f) != 0 || ferror(o->f)))
        e = errno ? errno : EIO;
    else if (keep && fsync(fileno(o->f)) != 0 && errno != EINVAL)
        e = errno;
    if (fclose(o->f) != 0 && keep && !e)
        e = errno ? errno : EIO;
    o->f = NULL;
    if (e) {
        ss_diag_error(diag, o->path, 0, "cannot write the file: %s", strerror(e));
        status = 74;
    }
    if (keep && status == 0)
        status = rename_tmp(o->tmp, o->path, &o->slot, diag);
    if (keep && status == 0)
        status = sync_dir_of(o->path, diag);
    else
        unlink(o->tmp);
    slot_drop(o->slot);
    free(o->tmp);
    o->tmp = NULL;
    return status;
}

/* ---- folders ------------------------------------------------------------------- */

int ss_outfile_make_dirs(const char *dir, ss_diag *diag)
{
    char *p = ss_xstrdup(dir);
    int status = 0;
    for (char *s = p + 1;; s++) {
        bool end = *s == '\0';
        if (*s == '/' || end) {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                ss_diag_error(diag, p, 0, "cannot create the output folder: %s",
                              strerror(errno));
                status = 73;
                break;
            }
            *s = c;
        }
        if (end)
            break;
    }
    struct stat st;
    if (status == 0 && stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        ss_diag_error(diag, dir, 0, "cannot use the output folder: %s (it is a file, "
                      "not a folder); choose another --out", strerror(ENOTDIR));
        status = 73;
    } else if (status == 0 && stat(dir, &st) != 0) {
        ss_diag_error(diag, dir, 0, "cannot use the output folder: %s", strerror(errno));
        status = 73;
    } else if (status == 0 && access(dir, W_OK | X_OK) != 0) {
        ss_diag_error(diag, dir, 0, "cannot write to the output folder: %s",
                      strerror(errno));
        status = 73;
    }
    free(p);
    return status;
}

size_t ss_outfile_remove_stale(const char *dir, time_t now, long max_age)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return 0;
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return 0;
    }
    size_t removed = 0;
    struct dirent *e;
    size_t pl = strlen(TMP_PREFIX), sl = strlen(TMP_SUFFIX);
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l <= pl + sl || strncmp(e->d_name, TMP_PREFIX, pl) ||
            strcmp(e->d_name + l - sl, TMP_SUFFIX))
            continue;
        struct stat st;
        if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
            continue;
        /* Our own files are young, but say so rather than rely on it. */
        bool ours = false;
        pthread_mutex_lock(&slots_lock);
        for (int i = 0; i < SLOTS && !ours; i++) {
            const char *s = slots[i] ? strrchr(slots[i], '/') : NULL;
            ours = s && !strcmp(s + 1, e->d_name);
        }
        pthread_mutex_unlock(&slots_lock);
        if (ours || (double)now - (double)st.st_mtime < (double)max_age)
            continue;
        if (unlinkat(dfd, e->d_name, 0) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}

/* ---- standard output ------------------------------------------------------------ */

static atomic_int stdout_lost; /* the errno of the failed write, or 0 */

bool ss_outfile_printf(const char *fmt, ...)
{
    if (atomic_load(&stdout_lost))
        return false;
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    if (n < 0 || fflush(stdout) != 0) {
        atomic_store(&stdout_lost, errno ? errno : EIO);
        return false;
    }
    return true;
}

int ss_outfile_stdout_lost(void)
{
    return atomic_load(&stdout_lost);
}
