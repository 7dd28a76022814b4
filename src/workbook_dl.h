/* workbook_dl.h - libraries opened with dlopen when first needed, not
 * linked: libzip and libxlsxwriter (workbooks read and written) and
 * libcurl (mail --send).
 *
 * Linked, they and what they bring (libcrypto, minizip, bz2; OpenSSL,
 * Kerberos, LDAP for libcurl) would be loaded and relocated by every run,
 * about 1.4 ms of CPU a process for the two workbook libraries, though
 * only runs that touch a workbook use them.  A module lists the functions
 * it calls once, and gets from that list both a table of pointers typed by
 * the library's own header (a prototype that differs fails the build) and
 * the names to look up, in the same order:
 *
 *     #define ZIP_FUNCTIONS(F) F(, zip_fread) F(, zip_fclose)
 *     static struct { ZIP_FUNCTIONS(SS_DL_FIELD) } libzip;
 *     static const char *const libzip_names[] = {ZIP_FUNCTIONS(SS_DL_NAME)};
 *
 * F(PREFIX, NAME) names the function PREFIX##NAME and its field NAME
 * (curl.h defines curl_easy_setopt as a macro too, so libcurl's fields
 * drop the curl_ prefix).  The tables are filled from the main thread,
 * before any worker starts, and only read after that. */
#ifndef SS_WORKBOOK_DL_H
#define SS_WORKBOOK_DL_H

#include <stdbool.h>
#include <stddef.h>

#define SS_DL_FIELD(prefix, name) __typeof__(prefix##name) *name;
#define SS_DL_NAME(prefix, name) #prefix #name,

/* A library the program opens: its soname (the one it was built against,
 * "libzip.so.4"), the Debian package that has it ("libzip4"), and the
 * names of its functions in the order of the caller's table. */
typedef struct ss_dl_library {
    const char *soname;
    const char *package;
    const char *const *names;
    size_t count;
} ss_dl_library;

/* Fills table (a struct of lib->count function pointers made with
 * SS_DL_FIELD, in the order of lib->names) from the library, opening it the
 * first time; the library stays open until the program ends.  Returns
 * false when the library or one of its functions cannot be found (the
 * table is then left empty). */
bool ss_dl_open(const ss_dl_library *lib, void *table);

/* The user's words for a library that cannot be opened: "NEED needs
 * SONAME, which is not installed; install it with 'sudo apt-get install
 * PACKAGE'". */
void ss_dl_missing(const ss_dl_library *lib, const char *need, char *buf, size_t len);

/* ss_dl_open for a library the package depends on: when it cannot be
 * opened the installation is damaged, and the program ends at once with
 * the message above and status 70, removing this run's temporary files
 * (as when memory runs out), wherever in a run that happens. */
void ss_dl_require(const ss_dl_library *lib, void *table, const char *need);

#endif
