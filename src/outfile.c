/* outfile.c - the write path: folders, temporary files, signals.
 *
 * Signals are taken by one thread that waits for them (sigwait), not by a
 * handler: it can take the locks that guard this run's temporary files, so
 * no thread is between creating or renaming a file and setting or clearing
 * its entry in the list while the files are removed, and it exits holding
 * them, so none is made or moved after.  A handler could do neither safely.
 * Creating and renaming hold files_lock shared, so that they run side by
 * side (a rename over last run's sheet frees its blocks: it is not quick);
 * the signal thread takes it exclusively.
 */
/* sync_file_range (Linux) is a GNU extension; elsewhere it is left out. */
#define _GNU_SOURCE
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
/* Files waiting for the writer's threads, at most (the workers wait). */
#define WRITER_QUEUE 32
/* Files renamed into one folder before it is synced for all of them. */
#define WRITER_FOLDER_BATCH 16
/* Temporary files open at once: one per thread (run.c's MAX_JOBS, 256),
 * those waiting for the writer, and the combined file. */
#define SLOTS (260 + WRITER_QUEUE)

/* ---- this run's temporary files ----------------------------------------- */

static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static char *slots[SLOTS];
/* Shared by whoever creates or renames one of this run's files, taken
 * alone by the signal thread; writers first, so a signal is not kept
 * waiting by a stream of sheets. */
static pthread_rwlock_t files_lock = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;

/* Registers path (ours until unregistered); returns its slot, or -1. */
static int slot_add(char *path)
{
    int s = -1;
    pthread_mutex_lock(&slots_lock);
    for (int i = 0; i < SLOTS && s < 0; i++)
        if (!slots[i]) {
            slots[i] = path;
            s = i;
        }
    pthread_mutex_unlock(&slots_lock);
    return s;
}

static void slot_drop(int s)
{
    if (s < 0)
        return;
    pthread_mutex_lock(&slots_lock);
    slots[s] = NULL;
    pthread_mutex_unlock(&slots_lock);
}

int ss_outfile_track(char *tmp)
{
    return slot_add(tmp);
}

void ss_outfile_untrack(int handle)
{
    slot_drop(handle);
}

_Noreturn void ss_outfile_abandon(int status, const char *line)
{
    /* As the signal thread does, keep other threads from making or moving
     * files while ours are removed; but the thread that ran out may hold
     * a lock itself, so wait a second at most, then go on without it. */
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += 1;
    pthread_rwlock_timedwrlock(&files_lock, &t);
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
    pthread_rwlock_wrlock(&files_lock);
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

/* Errors that mean "no room" are write failures (74); the rest mean the
 * name cannot be made (73). */
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

void ss_outfile_sync_dir(const char *final)
{
    char *dir = ss_xstrdup(final);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        strcpy(dir, ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        /* Some file systems cannot sync a folder (EINVAL); the rename is
         * then as durable as they make it. */
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

/* A file on its way: its temporary name registered (slot) and created
 * with the data written (fd open). */
typedef struct pending {
    char *tmp, *final;
    int slot, fd;
} pending;

/* Creates the temporary file tmp for final, registered in *slot (given
 * up when the file cannot be made: whatever is at that name is not ours).
 * Returns the descriptor, or -1 with a message and *status set. */
static int create_tmp(const char *tmp, const char *final, int *slot, ss_diag *diag,
                      int *status)
{
    pthread_rwlock_rdlock(&files_lock);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    int e = errno;
    if (fd < 0) {
        slot_drop(*slot);
        *slot = -1;
    }
    pthread_rwlock_unlock(&files_lock);
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

/* Renames tmp into place; its slot is given up once it is there (the slot
 * may be another file's from then on).  Returns 0 or an exit status, with
 * a message; 'instead' says what to do about a folder in the way. */
static int rename_tmp(const char *tmp, const char *final, int *slot, ss_diag *diag,
                      const char *instead)
{
#ifdef O_PATH
    /* Renaming over a file frees the old one's blocks inside rename(2),
     * with the folder locked (Linux drops the old file's last reference
     * before it unlocks the folder), and freeing them can wait for the
     * disk (a discard): meanwhile no file of the run could be created or
     * renamed in the folder.  Holding the old file (O_PATH: a reference,
     * not opened for reading, a link not followed) moves the freeing to
     * our close, after the folder is unlocked. */
    int old = open(final, O_PATH | O_NOFOLLOW | O_CLOEXEC);
#else
    int old = -1;
#endif
    pthread_rwlock_rdlock(&files_lock);
    int r = rename(tmp, final);
    int e = errno;
    if (r == 0) {
        slot_drop(*slot);
        *slot = -1;
    }
    pthread_rwlock_unlock(&files_lock);
    if (old >= 0)
        close(old);
    if (r == 0)
        return 0;
    if (e == EISDIR || e == ENOTEMPTY || e == EEXIST)
        ss_diag_error(diag, final, 0, "cannot write the file: a folder has that name; %s",
                      instead);
    else
        ss_diag_error(diag, final, 0, "cannot put the file in place: %s", strerror(e));
    return status_for(e);
}

/* Registers and creates p->tmp and writes the data to it.  Returns 0 or an
 * exit status (nothing left behind). */
static int create_write(pending *p, const void *data, size_t len, ss_diag *diag)
{
    int e = 0;
    /* Registered before it exists: a signal from here on removes it. */
    p->slot = slot_add(p->tmp);
    int status = 0;
    p->fd = create_tmp(p->tmp, p->final, &p->slot, diag, &status);
    if (p->fd < 0)
        return status;
    if (write_all(p->fd, data, len, &e)) {
#ifdef SYNC_FILE_RANGE_WRITE
        /* Start writing it to disk now: the sync that makes it durable
         * (sync_rename, on a writer's thread) then mostly waits for
         * writes already under way, many files' at once. */
        (void)sync_file_range(p->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
    } else {
        ss_diag_error(diag, p->final, 0, "cannot write the file: %s", strerror(e));
        close(p->fd);
        p->fd = -1;
        unlink(p->tmp);
        slot_drop(p->slot);
        p->slot = -1;
        return 74;
    }
    return 0;
}

/* Syncs and closes p->fd and renames the file into place (the folder is
 * not synced here).  Returns 0 or an exit status (the temporary file
 * removed).  The slot is given up either way. */
static int sync_rename(pending *p, ss_diag *diag)
{
    int status = 0;
    if (fsync(p->fd) != 0) {
        ss_diag_error(diag, p->final, 0, "cannot write the file: %s", strerror(errno));
        status = 74;
    }
    if (close(p->fd) != 0 && status == 0) {
        ss_diag_error(diag, p->final, 0, "cannot write the file: %s", strerror(errno));
        status = 74;
    }
    p->fd = -1;
    if (status == 0)
        status = rename_tmp(p->tmp, p->final, &p->slot, diag,
                            "move the folder away or choose another --out");
    if (status != 0)
        unlink(p->tmp);
    slot_drop(p->slot);
    p->slot = -1;
    return status;
}

int ss_outfile_write_via(const char *tmp, const char *final, const void *data,
                         size_t len, ss_diag *diag)
{
    pending p = {ss_xstrdup(tmp), (char *)final, -1, -1};
    int status = create_write(&p, data, len, diag);
    if (status == 0)
        status = sync_rename(&p, diag);
    if (status == 0)
        ss_outfile_sync_dir(final);
    free(p.tmp);
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

/* ---- the writer's threads ------------------------------------------------------- */

typedef struct queued {
    pending p;
    size_t id;
    size_t len;
    int status;
} queued;

/* Threads that wait for the disk: while one waits for a sync, another can
 * start the next (the disk takes many requests at once). */
#define WRITER_THREADS 3

struct ss_writer {
    pthread_t thread[WRITER_THREADS];
    int nthreads;
    pthread_mutex_t lock;
    pthread_cond_t work, room;
    queued *q;       /* WRITER_QUEUE entries */
    size_t n;        /* waiting */
    bool closing;
    int failed;      /* the first failure's exit status */
    /* Files renamed into the run's folder (the first file's) and waiting
     * for its sync: one fsync of a folder covers every rename before it,
     * so it is done once for WRITER_FOLDER_BATCH files, and for the rest
     * when the queue is closed and empty. */
    char *folder;      /* a file of that folder */
    queued *renamed;   /* WRITER_FOLDER_BATCH + WRITER_QUEUE entries */
    size_t nrenamed;
    ss_outfile_done done;
    void *ctx;
    ss_diag *diag;
};

/* Are two paths' files in the same folder (by their spelling: the
 * writer's files all come from one -o)? */
static bool same_folder(const char *a, const char *b)
{
    const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
    size_t na = sa ? (size_t)(sa - a) : 0, nb = sb ? (size_t)(sb - b) : 0;
    return na == nb && !strncmp(a, b, na);
}

/* Is final in the run's folder?  (The first file asked about names it;
 * under w->lock.) */
static bool in_run_folder(ss_writer *w, const char *final)
{
    if (!w->folder)
        w->folder = ss_xstrdup(final);
    return same_folder(w->folder, final);
}

/* Hands n files back to the caller (done), each once it is in place and
 * its folder synced, or has failed; frees them. */
static void hand_back(ss_writer *w, queued *files, size_t n, ss_diag *mine)
{
    pthread_mutex_lock(&w->lock);
    ss_diag_take(w->diag, mine);
    for (size_t i = 0; i < n && !w->failed; i++)
        w->failed = files[i].status;
    pthread_mutex_unlock(&w->lock);
    for (size_t i = 0; i < n; i++) {
        queued *b = &files[i];
        w->done(w->ctx, b->id, b->len, b->status);
        free(b->p.tmp);
        free(b->p.final);
    }
}

static void *writer_main(void *arg)
{
    ss_writer *w = arg;
    size_t cap = WRITER_FOLDER_BATCH + WRITER_QUEUE;
    queued *batch = ss_xmalloc(cap * sizeof *batch);
    queued *synced = ss_xmalloc(cap * sizeof *synced);
    ss_diag *mine = ss_diag_new(); /* this thread's messages, handed on */
    for (;;) {
        pthread_mutex_lock(&w->lock);
        while (!w->n && !w->closing)
            pthread_cond_wait(&w->work, &w->lock);
        /* A fair share of what waits, so the threads sync side by side. */
        size_t n = (w->n + (size_t)w->nthreads - 1) / (size_t)w->nthreads;
        memcpy(batch, w->q, n * sizeof *batch);
        memmove(w->q, w->q + n, (w->n - n) * sizeof *w->q);
        w->n -= n;
        bool more = w->n > 0;
        pthread_mutex_unlock(&w->lock);
        if (more)
            pthread_cond_signal(&w->work);
        pthread_cond_broadcast(&w->room);
        /* Sync and rename each.  A file is handed back only after its
         * folder is synced: another folder's now, the run's folder's with
         * the next batch of renames into it. */
        for (size_t i = 0; i < n; i++)
            batch[i].status = sync_rename(&batch[i].p, mine);
        size_t now = 0, later = 0;
        pthread_mutex_lock(&w->lock);
        for (size_t i = 0; i < n; i++) {
            if (batch[i].status == 0 && in_run_folder(w, batch[i].p.final))
                w->renamed[w->nrenamed++] = batch[i];
            else
                batch[now++] = batch[i];
        }
        if (w->nrenamed >= WRITER_FOLDER_BATCH || (w->closing && !w->n)) {
            later = w->nrenamed;
            memcpy(synced, w->renamed, later * sizeof *synced);
            w->nrenamed = 0;
        }
        pthread_mutex_unlock(&w->lock);
        for (size_t i = 0; i < now; i++) {
            bool seen = false;
            for (size_t k = 0; k < i && !seen; k++)
                seen = batch[k].status == 0 && same_folder(batch[k].p.final, batch[i].p.final);
            if (batch[i].status == 0 && !seen)
                ss_outfile_sync_dir(batch[i].p.final);
        }
        if (later)
            ss_outfile_sync_dir(synced[0].p.final);
        hand_back(w, batch, now, mine);
        hand_back(w, synced, later, mine);
        if (!n)
            break; /* closing, and nothing left */
    }
    ss_diag_free(mine);
    free(batch);
    free(synced);
    return NULL;
}

ss_writer *ss_writer_new(ss_outfile_done done, void *ctx, ss_diag *diag)
{
    ss_writer *w = ss_xcalloc(1, sizeof *w);
    w->q = ss_xmalloc(WRITER_QUEUE * sizeof *w->q);
    w->done = done;
    w->ctx = ctx;
    w->diag = diag;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->work, NULL);
    pthread_cond_init(&w->room, NULL);
    w->renamed = ss_xmalloc((WRITER_FOLDER_BATCH + WRITER_QUEUE) * sizeof *w->renamed);
    while (w->nthreads < WRITER_THREADS &&
           pthread_create(&w->thread[w->nthreads], NULL, writer_main, w) == 0)
        w->nthreads++;
    if (!w->nthreads) {
        pthread_cond_destroy(&w->work);
        pthread_cond_destroy(&w->room);
        free(w->renamed);
        pthread_mutex_destroy(&w->lock);
        free(w->q);
        free(w);
        return NULL;
    }
    return w;
}

int ss_writer_put(ss_writer *w, const char *dir, const char *name, size_t id,
                  const void *data, size_t len, ss_diag *diag)
{
    pending p = {ss_outfile_tmp_path(dir, name), ss_path_join(dir, name), -1, -1};
    int status = create_write(&p, data, len, diag);
    if (status != 0) {
        free(p.tmp);
        free(p.final);
        return status;
    }
    pthread_mutex_lock(&w->lock);
    while (w->n == WRITER_QUEUE)
        pthread_cond_wait(&w->room, &w->lock);
    w->q[w->n++] = (queued){p, id, len, 0};
    pthread_mutex_unlock(&w->lock);
    /* After the unlock: the writer woken does not then wait for the lock. */
    pthread_cond_signal(&w->work);
    return 0;
}

int ss_writer_finish(ss_writer *w)
{
    if (!w)
        return 0;
    pthread_mutex_lock(&w->lock);
    w->closing = true;
    pthread_cond_broadcast(&w->work);
    pthread_mutex_unlock(&w->lock);
    for (int i = 0; i < w->nthreads; i++)
        pthread_join(w->thread[i], NULL);
    int failed = w->failed;
    pthread_cond_destroy(&w->work);
    pthread_cond_destroy(&w->room);
    free(w->folder);
    free(w->renamed);
    pthread_mutex_destroy(&w->lock);
    free(w->q);
    free(w);
    return failed;
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

/* ---- a file written piece by piece ------------------------------------------ */

/* Bytes gathered before a write(2): a page of the combined file is ~10 KB. */
#define STREAM_BUFFER (256 * 1024)

struct ss_outfile {
    int fd;
    int slot;
    int err;      /* the first write's errno, or 0 */
    char *tmp, *final;
    char *buf;
    size_t used;
};

ss_outfile *ss_outfile_open(const char *dir, const char *name, ss_diag *diag,
                            int *status)
{
    ss_outfile *f = ss_xcalloc(1, sizeof *f);
    f->final = ss_path_join(dir, name);
    f->tmp = ss_outfile_tmp_path(dir, name);
    /* Registered before it exists, as in ss_outfile_write_via. */
    f->slot = slot_add(f->tmp);
    f->fd = create_tmp(f->tmp, f->final, &f->slot, diag, status);
    if (f->fd < 0) {
        free(f->tmp);
        free(f->final);
        free(f);
        return NULL;
    }
    f->buf = ss_xmalloc(STREAM_BUFFER);
    return f;
}

static bool flush_buffer(ss_outfile *f)
{
    if (!f->err && f->used && !write_all(f->fd, f->buf, f->used, &f->err) && !f->err)
        f->err = EIO;
    f->used = 0;
    return !f->err;
}

bool ss_outfile_put(ss_outfile *f, const void *data, size_t len)
{
    if (f->err)
        return false;
    if (f->used + len > STREAM_BUFFER && !flush_buffer(f))
        return false;
    if (len >= STREAM_BUFFER) {
        if (!write_all(f->fd, data, len, &f->err) && !f->err)
            f->err = EIO;
        return !f->err;
    }
    memcpy(f->buf + f->used, data, len);
    f->used += len;
    return true;
}

int ss_outfile_close(ss_outfile *f, bool keep, ss_diag *diag)
{
    int status = 0;
    if (!keep && f->err) {
        ss_diag_error(diag, f->final, 0, "cannot write the file: %s", strerror(f->err));
        status = 74;
    } else if (keep) {
        if (!flush_buffer(f) || fsync(f->fd) != 0) {
            int e = f->err ? f->err : errno;
            ss_diag_error(diag, f->final, 0, "cannot write the file: %s", strerror(e));
            status = 74;
        }
    }
    if (close(f->fd) != 0 && keep && status == 0) {
        ss_diag_error(diag, f->final, 0, "cannot write the file: %s", strerror(errno));
        status = 74;
    }
    if (keep && status == 0) {
        status = rename_tmp(f->tmp, f->final, &f->slot, diag,
                            "move it away or choose another name");
    }
    if (!keep || status != 0)
        unlink(f->tmp);
    else
        ss_outfile_sync_dir(f->final);
    slot_drop(f->slot);
    free(f->buf);
    free(f->tmp);
    free(f->final);
    free(f);
    return status;
}
