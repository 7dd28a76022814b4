/* workbook_load.c - the main command's data as a spreadsheet (sheetcsv.h).
 *
 * A workbook or CSV given where a data file is expected goes through
 * import (sheetcsv.c) into memory and is loaded from there like any data
 * file, so every check and message is the same.
 */
#include "sheetcsv.h"

#include <errno.h>
#include <stdlib.h>

#include "util.h"

ss_dataset *ss_sheet_load(const ss_template *tpl, const char *path, ss_diag *diag,
                          int *io_errno, bool *valid)
{
    *valid = false;
    *io_errno = 0;
    FILE *in = fopen(path, "rb");
    if (!in) {
        *io_errno = errno;
        return NULL;
    }
    ss_csv_errors *errs = ss_csv_errors_new();
    size_t len = 0;
    char *xml = ss_import_read(tpl, in, path, 0, errs, &len);
    fclose(in);
    ss_csv_errors_print(errs, path, stderr);
    ss_csv_errors_free(errs);
    ss_dataset *ds = xml ? ss_dataset_load_memory(path, xml, len, diag) : NULL;
    free(xml);
    if (ds) {
        /* The manifest names the file given, so its own bytes' hash. */
        size_t n = 0;
        int e = 0;
        char *raw = ss_read_file(path, SS_DATA_MAX_BYTES, &n, &e);
        if (raw)
            ss_sha256_hex(raw, n, ds->sha256);
        ds->bytes = n;
        free(raw);
        *valid = true;
        /* The lines are the made XML's, not the spreadsheet's: later
         * messages (warnings) name the state without a line. */
        ds->line = ds->national_line = 0;
        for (size_t i = 0; i < ds->nnational; i++)
            ds->national[i].line = 0;
        for (size_t s = 0; s < ds->nstates; s++) {
            ss_state *st = &ds->states[s];
            st->line = 0;
            for (size_t f = 0; f < st->nfigures; f++)
                st->figures[f].line = 0;
            for (size_t t = 0; t < st->ntables; t++) {
                st->tables[t].line = 0;
                for (size_t r = 0; r < st->tables[t].nrows; r++)
                    st->tables[t].rows[r].line = 0;
            }
        }
    }
    return ds;
}
