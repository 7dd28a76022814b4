/* fuzz_records.c - the record loader and validator on arbitrary bytes.
 *
 * ss_dataset_load_memory, exactly as `statesheet` loads a data file after reading it.  Besides the
 * sanitizers (memory errors, leaks, undefined behaviour) it checks the
 * loader's contract: NULL exactly when an error was reported, and a dataset
 * it returns keeps the format's promises (records.h, data-format.md).
 * A broken promise is reported with __builtin_trap().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "paths.h"
#include "records.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Code points in valid UTF-8 (the loader only keeps valid UTF-8). */
static size_t code_points(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void check_figures(const ss_figure *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!f[i].key || !*f[i].key || strlen(f[i].key) > SS_KEY_MAX)
            __builtin_trap();
        if (f[i].value > SS_FIGURE_MAX)
            __builtin_trap();
    }
}

static void check_dataset(const ss_dataset *ds)
{
    if (ds->year < SS_YEAR_MIN || ds->year > SS_YEAR_MAX)
        __builtin_trap();
    if (ds->nstates == 0 || !ds->states)
        __builtin_trap();
    check_figures(ds->national, ds->nnational);
    for (size_t i = 0; i < ds->nnational; i++)
        if (ss_dataset_national(ds, ds->national[i].key) == NULL)
            __builtin_trap();
    for (size_t s = 0; s < ds->nstates; s++) {
        const ss_state *st = &ds->states[s];
        size_t cl = st->code ? strlen(st->code) : 0;
        if (cl < SS_CODE_MIN || cl > SS_CODE_MAX)
            __builtin_trap();
        if (!st->name || !*st->name || code_points(st->name) > SS_NAME_MAX)
            __builtin_trap();
        if (ss_dataset_find_state(ds, st->code) != st) /* codes are unique */
            __builtin_trap();
        check_figures(st->figures, st->nfigures);
        for (size_t i = 0; i < st->nfigures; i++)
            if (ss_state_figure(st, st->figures[i].key) == NULL)
                __builtin_trap();
        for (size_t t = 0; t < st->ntables; t++) {
            const ss_table *tb = &st->tables[t];
            if (!tb->key || !*tb->key || strlen(tb->key) > SS_KEY_MAX)
                __builtin_trap();
            if (ss_state_table(st, tb->key) == NULL)
                __builtin_trap();
            uint64_t sum = 0;
            for (size_t r = 0; r < tb->nrows; r++) {
                const ss_row *row = &tb->rows[r];
                if (!row->label || !*row->label || code_points(row->label) > SS_LABEL_MAX)
                    __builtin_trap();
                if (row->value > SS_FIGURE_MAX)
                    __builtin_trap();
                sum += row->value; /* at most 2^64 / 10^12 rows: no wrap here */
            }
            if (sum != tb->total)
                __builtin_trap();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ss_diag *diag = ss_diag_new();
    ss_dataset *ds = ss_dataset_load_memory("fuzz.xml", (const char *)data, size,
                                            diag);
    size_t errors = ss_diag_error_count(diag);
    if (!ds && errors == 0) /* refused without telling the user why */
        __builtin_trap();
    if (ds && errors != 0)  /* accepted although an error was reported */
        __builtin_trap();
    for (size_t i = 0; i < ss_diag_count(diag); i++) {
        const ss_diag_entry *e = ss_diag_at(diag, i);
        if (!e->message || !*e->message)
            __builtin_trap();
    }
    if (ds)
        check_dataset(ds);
    ss_dataset_free(ds);
    ss_diag_free(diag);
    return 0;
}
