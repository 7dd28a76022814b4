/* workbook_rows.c - import's rows from any spreadsheet file (workbook.h).
 *
 * Import is given a file, not a form: CSV, an .xlsx or .ods workbook, or
 * by mistake an XML data file or an old .xls.  The form is told by the
 * first bytes (never the name) and each is read by its own reader; the
 * rows come out the same way, with what each workbook cell held.
 */
#include "workbook.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "util.h"

/* How many bytes tell a workbook, an old .xls or an XML file from CSV. */
#define PEEK_BYTES 64

/* Where the rows go: fn, with kinds NULL for a CSV row. */
typedef struct rows {
    ss_workbook_row_fn fn;
    void *ctx;
    bool past_title;
} rows;

static bool on_csv_row(void *ctx, long row, char **cells, size_t n)
{
    rows *r = ctx;
    return r->fn(r->ctx, row, cells, NULL, n);
}

static bool on_workbook_row(void *ctx, long row, char **cells, const unsigned char *kinds,
                            size_t n)
{
    rows *r = ctx;
    if (!r->past_title) {
        /* A title above the table (one cell, often merged across the
         * header) is for people: the header is the first row with more. */
        size_t filled = 0;
        for (size_t i = 0; i < n; i++)
            filled += *cells[i] != '\0';
        if (filled == 1 && strcasecmp(cells[0], "code"))
            return true;
        r->past_title = true;
    }
    return r->fn(r->ctx, row, cells, kinds, n);
}

bool ss_sheet_rows(FILE *from, char delim, ss_workbook_row_fn fn, void *ctx,
                   ss_csv_errors *errs, char *used, bool *workbook)
{
    unsigned char head[PEEK_BYTES];
    off_t at = ftello(from);
    size_t nh = fread(head, 1, sizeof head, from);
    char *all = NULL, *rest = NULL;
    size_t len = 0, rlen = 0;
    FILE *mem = NULL;
    bool ok = false;
    rows r = {fn, ctx, false};
    if (at < 0 || fseeko(from, at, SEEK_SET) != 0) {
        /* A pipe: what was peeked is read again from memory. */
        rest = ss_workbook_slurp(from, SS_CSV_MAX_BYTES - nh, &rlen);
        if (!rest) {
            ss_csv_error(errs, 0, 0, "%s", errno == EFBIG ? "the file is larger than "
                         "256 MB, the most statesheet reads" : strerror(errno));
            return false;
        }
        all = ss_xmalloc(nh + rlen + 1);
        memcpy(all, head, nh);
        memcpy(all + nh, rest, rlen);
        len = nh + rlen;
        free(rest);
    }
    switch (ss_form_of(head, nh)) {
    case SS_FORM_XML:
        ss_csv_error(errs, 0, 0, "this is an XML data file, not a spreadsheet; make "
                     "sheets from it as it is (statesheet FILE), or turn it into a "
                     "spreadsheet with statesheet export FILE -o FILE.xlsx");
        break;
    case SS_FORM_OLE2:
        if (!all)
            all = ss_workbook_slurp(from, SS_WORKBOOK_MAX_BYTES, &len);
        ss_csv_error(errs, 0, 0, "%s", all ? ss_workbook_ole2_words(all, len)
                                           : ss_workbook_ole2_words(head, nh));
        break;
    case SS_FORM_ZIP:
        if (!all && !(all = ss_workbook_slurp(from, SS_WORKBOOK_MAX_BYTES, &len))) {
            ss_csv_error(errs, 0, 0, "%s", errno == EFBIG ? "the workbook is larger "
                         "than 64 MB, the most statesheet reads" : strerror(errno));
            break;
        }
        *workbook = true;
        *used = ',';
        ok = ss_workbook_read(all, len, on_workbook_row, &r, errs);
        break;
    case SS_FORM_TEXT:
    default:
        if (all && len && !(mem = fmemopen(all, len, "rb"))) {
            ss_csv_error(errs, 0, 0, "%s", strerror(errno));
            break;
        }
        /* The separator is known (given or detected) before the first row. */
        ok = ss_csv_read(mem ? mem : from, delim, on_csv_row, &r, errs, used);
        break;
    }
    if (mem)
        fclose(mem);
    free(all);
    return ok;
}
