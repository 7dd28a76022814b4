/* paths.h - where the program's own files (assets) are.
 *
 * Looked up in this order: the --assets option, the STATESHEET_ASSETS
 * environment variable, the installed location relative to the binary
 * (<prefix>/bin/statesheet -> <prefix>/share/statesheet), and last the
 * source tree the binary was built from.  The first folder that holds
 * the schema wins.
 */
#ifndef SS_PATHS_H
#define SS_PATHS_H

/* Returns the assets folder (a new string, free with free()), or NULL when
 * none of the places holds them.  'override' may be NULL. */
char *ss_assets_dir(const char *override);

/* Joins dir and a relative name with one '/' (a new string). */
char *ss_path_join(const char *dir, const char *name);

#endif
