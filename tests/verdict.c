/* verdict.c - the program's verdict on data and template files, for
 * tests/e2e/schema.sh (which compares it with xmllint's verdict against
 * the published XML Schemas).
 *
 *     verdict data FILE...        verdict template FILE...
 *
 * Prints one line per file: "FILE<TAB>valid", or "FILE<TAB>invalid<TAB>"
 * followed by every message, separated by " | ".  Exits 0 when every file
 * could be read, 66 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "records.h"
#include "template.h"

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[1], "data") && strcmp(argv[1], "template"))) {
        fprintf(stderr, "usage: verdict data|template FILE...\n");
        return 64;
    }
    bool data = !strcmp(argv[1], "data");
    int status = 0;
    for (int i = 2; i < argc; i++) {
        ss_diag *d = ss_diag_new();
        int e = 0;
        bool ok;
        if (data) {
            ss_dataset *ds = ss_dataset_load_all(argv[i], d, &e, &ok);
            ss_dataset_free(ds);
        } else {
            ss_template *t = ss_template_load(argv[i], d, &e);
            ok = t != NULL;
            ss_template_free(t);
        }
        if (e) {
            fprintf(stderr, "verdict: %s: cannot read\n", argv[i]);
            status = 66;
        } else if (ok) {
            printf("%s\tvalid\n", argv[i]);
        } else {
            printf("%s\tinvalid\t", argv[i]);
            for (size_t k = 0; k < ss_diag_count(d); k++)
                printf("%s%s", k ? " | " : "", ss_diag_at(d, k)->message);
            printf("\n");
        }
        ss_diag_free(d);
    }
    return status;
}
