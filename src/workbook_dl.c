/* workbook_dl.c - libraries opened when first needed (workbook_dl.h). */
#include "workbook_dl.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "outfile.h"
#include "status.h"

/* A function pointer of any type: the table's entries are all this size. */
typedef void (*any_fn)(void);

/* The longest message: a sentence and two names. */
#define MISSING_MAX 512

bool ss_dl_open(const ss_dl_library *lib, void *table)
{
    any_fn first;
    memcpy(&first, table, sizeof first);
    if (first)
        return true;
    void *so = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
    if (!so)
        return false;
    for (size_t i = 0; i < lib->count; i++) {
        void *p = dlsym(so, lib->names[i]);
        if (!p) {
            memset(table, 0, lib->count * sizeof(any_fn));
            dlclose(so);
            return false;
        }
        /* POSIX's way from an object pointer to a function's. */
        memcpy((char *)table + i * sizeof(any_fn), &p, sizeof p);
    }
    return true;
}

void ss_dl_missing(const ss_dl_library *lib, const char *need, char *buf, size_t len)
{
    snprintf(buf, len, "%s needs %s, which is not installed; install it with 'sudo apt-get "
             "install %s'", need, lib->soname, lib->package);
}

void ss_dl_require(const ss_dl_library *lib, void *table, const char *need)
{
    if (ss_dl_open(lib, table))
        return;
    char words[MISSING_MAX], line[MISSING_MAX + 32];
    ss_dl_missing(lib, need, words, sizeof words);
    snprintf(line, sizeof line, "statesheet: error: %s\n", words);
    ss_outfile_abandon(SS_EXIT_SOFTWARE, line);
}
