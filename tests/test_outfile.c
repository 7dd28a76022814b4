/* test_outfile.c - the write path (issue 12, point 1): temporary files are
 * never opened through a link or over an existing file, their names are
 * unique and never *.pdf, another run's files are removed only when stale,
 * and a folder in a sheet's place is a "cannot create" (73).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#include "diag.h"
#include "outfile.h"
#include "util.h"

static const char PDF[] = "%PDF-1.4 fake\n%%EOF\n";

static bool has_message(ss_diag *d, const char *part)
{
    for (size_t i = 0; i < ss_diag_count(d); i++)
        if (strstr(ss_diag_at(d, i)->message, part))
            return true;
    return false;
}

/* A link planted at the temporary name: the file it points to stays as it
 * was, nothing is written, and the run says 73. */
static void symlink_at_tmp_name_is_refused(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *victim = ss_xasprintf("%s/victim.txt", dir);
    char *tmp = ss_xasprintf("%s/.statesheet-planted-ND-2023.tmp", dir);
    char *final = ss_xasprintf("%s/ND-2023.pdf", dir);
    tu_write(victim, "precious\n");
    assert_int_equal(symlink(victim, tmp), 0);
    ss_diag *d = ss_diag_new();
    assert_int_equal(ss_outfile_write_via(tmp, final, PDF, sizeof PDF - 1, d), 73);
    char *v = tu_read(victim);
    assert_string_equal(v, "precious\n");
    assert_int_equal(access(final, F_OK), -1);
    assert_true(has_message(d, "already taken"));
    /* A dangling link is refused too: O_CREAT alone would create its target. */
    char *target = ss_xasprintf("%s/made-through-link", dir);
    char *tmp2 = ss_xasprintf("%s/.statesheet-dangling.tmp", dir);
    assert_int_equal(symlink(target, tmp2), 0);
    assert_int_equal(ss_outfile_write_via(tmp2, final, PDF, sizeof PDF - 1, d), 73);
    assert_int_equal(access(target, F_OK), -1);
    ss_diag_free(d);
    free(v), free(victim), free(tmp), free(final), free(target), free(tmp2);
    tu_rmrf(dir);
    free(dir);
}

/* An existing file at the temporary name (another run's) is not truncated. */
static void existing_file_at_tmp_name_is_kept(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *tmp = ss_xasprintf("%s/.statesheet-other-run.tmp", dir);
    char *final = ss_xasprintf("%s/ND-2023.pdf", dir);
    tu_write(tmp, "another run's half-written sheet");
    ss_diag *d = ss_diag_new();
    assert_int_equal(ss_outfile_write_via(tmp, final, PDF, sizeof PDF - 1, d), 73);
    char *t = tu_read(tmp);
    assert_string_equal(t, "another run's half-written sheet");
    assert_int_equal(access(final, F_OK), -1);
    ss_diag_free(d);
    free(t), free(tmp), free(final);
    tu_rmrf(dir);
    free(dir);
}

static void writes_whole_file_and_leaves_no_tmp(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    ss_diag *d = ss_diag_new();
    assert_int_equal(ss_outfile_write(dir, "ND-2023.pdf", PDF, sizeof PDF - 1, d), 0);
    char *final = ss_xasprintf("%s/ND-2023.pdf", dir);
    char *f = tu_read(final);
    assert_string_equal(f, PDF);
    assert_int_equal(tu_count(dir, ""), 1);
    /* Written again over the old sheet: replaced whole. */
    assert_int_equal(ss_outfile_write(dir, "ND-2023.pdf", "x", 1, d), 0);
    free(f);
    f = tu_read(final);
    assert_string_equal(f, "x");
    assert_int_equal(tu_count(dir, ""), 1);
    assert_int_equal(ss_diag_count(d), 0);
    ss_diag_free(d);
    free(f), free(final);
    tu_rmrf(dir);
    free(dir);
}

/* Names differ between calls of one process (the random part), carry the
 * host name and process ID, start with a dot and never end in .pdf. */
static void tmp_names_are_unique_and_not_pdf(void **state)
{
    (void)state;
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    char *pid = ss_xasprintf("-%ld-", (long)getpid());
    char *prev = NULL;
    for (int i = 0; i < 50; i++) {
        char *t = ss_outfile_tmp_path("/x", "ND-2023.pdf");
        assert_true(!strncmp(t, "/x/.statesheet-", 15));
        size_t n = strlen(t);
        assert_string_equal(t + n - 4, ".tmp");
        assert_null(strstr(t, ".pdf"));
        assert_non_null(strstr(t, "ND-2023"));
        assert_non_null(strstr(t, pid));
        if (*host && !strchr(host, '-'))
            assert_non_null(strstr(t, host));
        if (prev)
            assert_string_not_equal(prev, t);
        free(prev);
        prev = t;
    }
    /* A very long name is cut, so the temporary name stays a legal name. */
    char longname[250];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    char *t = ss_outfile_tmp_path("/x", longname);
    assert_true(strlen(strrchr(t, '/') + 1) <= 255);
    free(t), free(prev), free(pid);
}

static void age(const char *path, long seconds)
{
    struct timespec ts[2];
    clock_gettime(CLOCK_REALTIME, &ts[0]);
    ts[0].tv_sec -= seconds;
    ts[1] = ts[0];
    assert_int_equal(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), 0);
}

/* Another run's temporary file is removed only when older than the limit:
 * a live run on another host or in another PID namespace keeps its file. */
static void stale_removal_only_when_old(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *fresh = ss_xasprintf("%s/.statesheet-otherhost-1-0123456789abcdef-ND-2023.tmp", dir);
    char *oldpid = ss_xasprintf("%s/.statesheet-999999-TX-2023.tmp", dir);
    char *old = ss_xasprintf("%s/.statesheet-otherhost-1-fedcba9876543210-all.tmp", dir);
    char *oldlink = ss_xasprintf("%s/.statesheet-link.tmp", dir);
    char *keep = ss_xasprintf("%s/notes.tmp", dir);
    tu_write(fresh, "live");
    tu_write(oldpid, "live, old-style name, no such process here");
    tu_write(old, "killed");
    tu_write(keep, "not ours");
    assert_int_equal(symlink(keep, oldlink), 0);
    age(old, SS_OUTFILE_STALE_AGE + 60);
    age(keep, SS_OUTFILE_STALE_AGE + 60);
    age(oldlink, SS_OUTFILE_STALE_AGE + 60);
    assert_int_equal(ss_outfile_remove_stale(dir, time(NULL), SS_OUTFILE_STALE_AGE), 1);
    assert_int_equal(access(old, F_OK), -1);
    assert_int_equal(access(fresh, F_OK), 0);
    assert_int_equal(access(oldpid, F_OK), 0);
    assert_int_equal(access(keep, F_OK), 0);
    struct stat st;
    assert_int_equal(lstat(oldlink, &st), 0);
    free(fresh), free(oldpid), free(old), free(oldlink), free(keep);
    tu_rmrf(dir);
    free(dir);
}

/* A folder where the sheet goes: 73 (cannot create), the folder stays. */
static void folder_at_final_name_is_cantcreat(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *sub = ss_xasprintf("%s/ND-2023.pdf", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    char *inner = ss_xasprintf("%s/keep", sub);
    tu_write(inner, "x");
    ss_diag *d = ss_diag_new();
    assert_int_equal(ss_outfile_write(dir, "ND-2023.pdf", PDF, sizeof PDF - 1, d), 73);
    assert_true(has_message(d, "a folder has that name"));
    assert_int_equal(tu_count(dir, ""), 1); /* no temporary file left */
    assert_int_equal(access(inner, F_OK), 0);
    ss_diag_free(d);
    free(sub), free(inner);
    tu_rmrf(dir);
    free(dir);
}

/* A folder that cannot be synced (here: gone) is an I/O error with a
 * message, never passed over. */
static void folder_sync_failure_is_ioerr(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *gone = ss_xasprintf("%s/gone", dir);
    ss_diag *d = ss_diag_new();
    assert_int_equal(ss_outfile_sync_dir(dir, d), 0);
    assert_int_equal(ss_diag_count(d), 0);
    assert_int_equal(ss_outfile_sync_dir(gone, d), 74);
    assert_true(has_message(d, "cannot save the folder's new file names to disk"));
    ss_diag_free(d);
    free(gone);
    tu_rmrf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(symlink_at_tmp_name_is_refused),
        cmocka_unit_test(existing_file_at_tmp_name_is_kept),
        cmocka_unit_test(writes_whole_file_and_leaves_no_tmp),
        cmocka_unit_test(tmp_names_are_unique_and_not_pdf),
        cmocka_unit_test(stale_removal_only_when_old),
        cmocka_unit_test(folder_at_final_name_is_cantcreat),
        cmocka_unit_test(folder_sync_failure_is_ioerr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
