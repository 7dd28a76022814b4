/* fuzz_workbook.c - the .xlsx/.ods reader on arbitrary bytes.
 *
 * ss_workbook_read as import runs it (workbook.h).  Besides the sanitizers
 * it checks the contract: rows come in increasing order, each cell is
 * valid UTF-8 with a known kind, and false comes back exactly when a
 * problem was reported (the callback never stops early here).  A broken
 * promise is reported with __builtin_trap().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_io.h"
#include "util.h"
#include "workbook.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static bool on_row(void *ctx, long row, char **cells, const unsigned char *kinds, size_t n)
{
    long *last = ctx;
    if (row <= *last || row > SS_WORKBOOK_MAX_ROWS || n == 0 || n > SS_WORKBOOK_MAX_COLS)
        __builtin_trap();
    *last = row;
    for (size_t i = 0; i < n; i++) {
        if (kinds[i] > SS_CELL_NOVALUE || !ss_utf8_valid(cells[i], strlen(cells[i])))
            __builtin_trap();
        uint64_t v;
        (void)ss_workbook_count(cells[i], kinds[i], &v);
        (void)ss_text_damage(cells[i]);
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ss_csv_errors *errs = ss_csv_errors_new();
    long last = 0;
    bool ok = ss_workbook_read(data, size, on_row, &last, errs);
    if (ok != (ss_csv_error_count(errs) == 0))
        __builtin_trap();
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        ss_csv_errors_print(errs, "fuzz.xlsx", null);
        fclose(null);
    }
    ss_csv_errors_free(errs);
    return 0;
}
