/* fuzz_csv.c - statesheet import on arbitrary bytes.
 *
 * ss_import_read with the default template, as
 * `statesheet import` runs it, the separator detected.  Besides the
 * sanitizers it checks the contract: a data file comes back exactly when
 * no problem was reported, and the data file it returns loads cleanly.
 * A broken promise is reported with __builtin_trap().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_io.h"
#include "diag.h"
#include "paths.h"
#include "records.h"
#include "sheetcsv.h"
#include "template.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ss_template *tpl;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char *assets = ss_assets_dir(NULL);
    if (!assets) {
        fprintf(stderr, "fuzz_csv: cannot find the assets (set STATESHEET_ASSETS)\n");
        abort();
    }
    char *tpath = ss_path_join(assets, "templates/state-data.xml");
    ss_diag *d = ss_diag_new();
    int e = 0;
    tpl = ss_template_load(tpath, d, &e);
    if (!tpl)
        abort();
    ss_diag_free(d);
    free(tpath), free(assets);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *in = fmemopen(size ? (void *)data : (void *)"", size ? size : 1, "rb");
    if (!in)
        return 0;
    ss_csv_errors *errs = ss_csv_errors_new();
    size_t len = 0;
    char *xml = ss_import_read(tpl, in, "fuzz.csv", 0, errs, &len);
    fclose(in);
    if (!xml != (ss_csv_error_count(errs) > 0))
        __builtin_trap(); /* a result exactly when nothing was reported */
    if (xml) {
        ss_diag *d = ss_diag_new();
        ss_dataset *ds = ss_dataset_load_memory("back.xml", xml, len, d);
        if (!ds)
            __builtin_trap(); /* import promised a valid data file */
        ss_dataset_free(ds);
        ss_diag_free(d);
        free(xml);
    }
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        ss_csv_errors_print(errs, "fuzz.csv", null);
        fclose(null);
    }
    ss_csv_errors_free(errs);
    return 0;
}
