/* paths.c - finding the assets folder. */
#include "paths.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "version.h"

/* Every assets folder holds this file; it tells a real one from a stray
 * folder of the same name. */
#define MARKER "schema/statedata.xsd"

char *ss_path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    return ss_xasprintf("%.*s/%s", (int)n, dir, name);
}

static bool has_marker(const char *dir)
{
    char *p = ss_path_join(dir, MARKER);
    struct stat st;
    bool ok = stat(p, &st) == 0 && S_ISREG(st.st_mode);
    free(p);
    return ok;
}

static char *exe_relative(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    return ss_xasprintf("%s/../%s", exe, SS_ASSETS_INSTALL_SUBDIR);
}

char *ss_assets_dir(const char *override)
{
    if (override && *override)
        return ss_xstrdup(override); /* the user's word: checked by loaders */
    const char *env = getenv("STATESHEET_ASSETS");
    if (env && *env)
        return ss_xstrdup(env);
    char *rel = exe_relative();
    if (rel && has_marker(rel))
        return rel;
    free(rel);
    if (has_marker(SS_ASSETS_SOURCE_DIR))
        return ss_xstrdup(SS_ASSETS_SOURCE_DIR);
    return NULL;
}
