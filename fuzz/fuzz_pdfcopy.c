/* fuzz_pdfcopy.c - the combined file's object copier on arbitrary bytes.
 *
 * Input: a PDF (max 64 KB; the seeds are libharu's own files, which is all
 * the program ever gives it).  ss_pdfin_open reads it or refuses it; if
 * read, the catalog (/Root) is copied with everything it refers to into a
 * new file in memory, and a few paths are looked up.  The promises
 * checked: no memory error, leak or undefined behaviour; a copy that
 * succeeds ends in a file (ss_pdfout_finish) that ss_pdfin_open reads
 * again, whose /Root is the copy and whose length and SHA-256 are the
 * bytes written.  Anything else is reported with __builtin_trap().
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pdfcopy.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static bool to_buf(void *ctx, const void *bytes, size_t len)
{
    ss_buf_add(ctx, bytes, len);
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    /* A copy of its own, so reading past the end is caught. */
    char *bytes = ss_xmalloc(size ? size : 1);
    memcpy(bytes, data, size);
    ss_pdfin *in = ss_pdfin_open(bytes, size);
    if (!in) {
        free(bytes);
        return 0;
    }
    long root = ss_pdfin_trailer(in, "Root");
    long pages = ss_pdfin_ref(in, root, "Pages");
    long page = ss_pdfin_ref(in, pages, "Kids#0");
    (void)ss_pdfin_ref(in, page, "Resources/Font/F0");
    (void)ss_pdfin_ref(in, ss_pdfin_ref(in, root, "StructTreeRoot"), "ParentTree/Nums#1#0");
    ss_buf out;
    ss_buf_init(&out);
    ss_pdfout *w = ss_pdfout_new(to_buf, &out);
    long copy = root && ss_pdfout_header(w, in) ? ss_pdfout_copy(w, in, root, 0, "\n/X 1") : 0;
    char sha[65];
    size_t len = 0;
    if (copy && ss_pdfout_finish(w, copy, copy, sha, &len)) {
        char hex[65];
        ss_sha256_hex(out.data, out.len, hex);
        if (len != out.len || strcmp(hex, sha))
            __builtin_trap();
        ss_pdfin *back = ss_pdfin_open(out.data, out.len);
        if (!back || ss_pdfin_trailer(back, "Root") != copy)
            __builtin_trap();
        ss_pdfin_free(back);
    }
    ss_pdfout_free(w);
    ss_buf_free(&out);
    ss_pdfin_free(in);
    free(bytes);
    return 0;
}
