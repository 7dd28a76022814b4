/* testutil.c - helpers shared by the cmocka test programs. */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

char *tu_fixture(const char *rel)
{
    return ss_xasprintf("%s/%s", env_or("SS_FIXTURES", "tests/fixtures"), rel);
}

char *tu_source(const char *rel)
{
    return ss_xasprintf("%s/%s", env_or("SS_SOURCE_DIR", "."), rel);
}

char *tu_read(const char *path)
{
    size_t len;
    int err;
    return ss_read_file(path, 1u << 30, &len, &err);
}

void tu_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

char *tu_tmpdir(void)
{
    char *t = ss_xasprintf("%s/sstest.XXXXXX", env_or("TMPDIR", "/tmp"));
    assert_non_null(mkdtemp(t));
    return t;
}

void tu_rmrf(const char *dir)
{
    char *cmd = ss_xasprintf("chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", dir, dir);
    int rc = system(cmd);
    (void)rc;
    free(cmd);
}

int tu_count(const char *dir, const char *suffix)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    size_t sl = strlen(suffix);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        size_t l = strlen(e->d_name);
        if (l >= sl && !strcmp(e->d_name + l - sl, suffix))
            n++;
    }
    closedir(d);
    return n;
}

int tu_sh(const char *cmd, char **out, char **err)
{
    char *dir = tu_tmpdir();
    char *o = ss_xasprintf("%s/out", dir), *e = ss_xasprintf("%s/err", dir);
    char *full = ss_xasprintf("cd '%s' && ( %s ) >'%s' 2>'%s' </dev/null",
                              env_or("SS_SOURCE_DIR", "."), cmd, o, e);
    int st = system(full);
    int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (out)
        *out = tu_read(o);
    if (err)
        *err = tu_read(e);
    tu_rmrf(dir);
    free(dir), free(o), free(e), free(full);
    return rc;
}

int tu_run(const char *args, char **out, char **err)
{
    char *cmd = ss_xasprintf("'%s' %s", env_or("SS_BINARY", "build/statesheet"), args);
    int rc = tu_sh(cmd, out, err);
    free(cmd);
    return rc;
}

const char TU_SAMPLE_HEAD[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<statedata year=\"2023\" sample=\"true\">\n"
    "  <national>\n"
    "    <figure key=\"cybertipline.reports\">36200000</figure>\n"
    "    <figure key=\"cybertipline.content\">105000000</figure>\n"
    "    <figure key=\"cvip.children_identified\">27130</figure>\n"
    "    <figure key=\"missing.cases\">28886</figure>\n"
    "    <figure key=\"missing.runaways_from_care\">22442</figure>\n"
    "    <figure key=\"missing.trafficking_percent\">19</figure>\n"
    "    <figure key=\"trafficking.reports\">18400</figure>\n"
    "    <figure key=\"teamhope.supported\">5759</figure>\n"
    "    <figure key=\"teamadam.incidents\">57</figure>\n"
    "    <figure key=\"teamadam.long_term_cases\">146</figure>\n"
    "    <figure key=\"connect.users\">18000</figure>\n"
    "  </national>\n";

char *tu_diag_text(ss_diag *d)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    ss_diag_sort(d);
    ss_diag_print(d, f);
    fclose(f);
    return out;
}

void tu_assert_nothing_written(const char *dir)
{
    int n = tu_count(dir, "");
    if (n > 0) {
        char *o = NULL, *cmd = ss_xasprintf("ls -la '%s'", dir);
        tu_sh(cmd, &o, NULL);
        print_error("expected nothing in %s, found:\n%s", dir, o ? o : "");
        free(o), free(cmd);
    }
    assert_true(n <= 0);
}

bool tu_file_starts_with(const char *path, const char *prefix)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    char buf[16] = {0};
    size_t len = strlen(prefix) < sizeof buf ? strlen(prefix) : sizeof buf - 1;
    size_t n = fread(buf, 1, len, f);
    fclose(f);
    return n == len && !memcmp(buf, prefix, n);
}

ss_dataset *tu_dataset_load(const char *path, ss_diag *d, int *io_errno)
{
    bool valid;
    ss_dataset *ds = ss_dataset_load_all(path, d, io_errno, &valid);
    if (!valid) {
        ss_dataset_free(ds);
        return NULL;
    }
    return ds;
}
