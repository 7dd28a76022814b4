/* pdfcopy.h - one PDF written object by object, from the objects of others.
 *
 * The combined print file can be 10,000 pages, and libharu writes a
 * document only whole, when it is saved.  So each page is made as a
 * finished file of its own (render_pdf.c), its objects are copied into the
 * combined file at once, renumbered, and only the numbers the end needs
 * stay in memory (combine.c).
 *
 * Hand-made, because no Debian-packaged C library copies objects between
 * PDF files as a stream: qpdf (C++) and MuPDF hold the whole output until
 * it is written, and libharu cannot read a PDF at all.  It is kept small
 * and strict: the reader takes what libharu 2.3.0 writes and nothing more
 * (a classic cross-reference table, uncompressed objects of generation 0,
 * no object or cross-reference streams, no comments inside objects) and
 * refuses anything else rather than guess.
 */
#ifndef SS_PDFCOPY_H
#define SS_PDFCOPY_H

#include <stdbool.h>
#include <stddef.h>

/* ---- reading a finished file -------------------------------------------- */

typedef struct ss_pdfin ss_pdfin;

/* Reads the cross-reference table of the len bytes at data (borrowed: they
 * must outlive the result).  NULL when they are not a file of the shape
 * above.  Free with ss_pdfin_free. */
ss_pdfin *ss_pdfin_open(const char *data, size_t len);
void ss_pdfin_free(ss_pdfin *in);

/* The object the trailer's entry 'key' ("Root", "Info") refers to, or 0. */
long ss_pdfin_trailer(const ss_pdfin *in, const char *key);

/* The object that an entry of object obj refers to, or 0.  'path' names
 * dictionary keys through direct values, separated by '/', e.g.
 * "Resources/Font/F0"; a part "#N" takes the N-th element (from 0) of an
 * array: "Kids#0", "ParentTree/Nums#1". */
long ss_pdfin_ref(const ss_pdfin *in, long obj, const char *path);

/* From now on, object src of 'in' stands for object dst of the output:
 * references to it are written as references to dst, and it is never
 * copied. */
void ss_pdfin_map(ss_pdfin *in, long src, long dst);

/* ---- writing one file ------------------------------------------------------ */

/* Where the bytes go; false stops the writing. */
typedef bool (*ss_pdfout_sink)(void *ctx, const void *data, size_t len);

typedef struct ss_pdfout ss_pdfout;

ss_pdfout *ss_pdfout_new(ss_pdfout_sink sink, void *ctx);
void ss_pdfout_free(ss_pdfout *out);

/* Writes the header: the same as in's (its version and binary comment). */
bool ss_pdfout_header(ss_pdfout *out, const ss_pdfin *in);

/* A new object number, to be written later (ss_pdfout_put or _copy). */
long ss_pdfout_reserve(ss_pdfout *out);

/* Writes object num (reserved) holding the text 'body' (one PDF value). */
bool ss_pdfout_put(ss_pdfout *out, long num, const char *body, size_t len);

/* Copies object src of 'in' as object dst (reserved; 0: a new number),
 * with 'extra' (dictionary entries, may be NULL) added to its dictionary,
 * and with it every object it refers to, directly or not, that is neither
 * mapped (ss_pdfin_map) nor copied yet, each under a new number.  Returns
 * the object's number, 0 when 'in' is damaged or a write failed. */
long ss_pdfout_copy(ss_pdfout *out, ss_pdfin *in, long src, long dst, const char *extra);

/* Writes the direct value at 'path' of object obj (see ss_pdfin_ref) as an
 * object of its own, copying what it refers to like ss_pdfout_copy.
 * Returns its number, or 0. */
long ss_pdfout_copy_value(ss_pdfout *out, ss_pdfin *in, long obj, const char *path);

/* Ends the file: the cross-reference table and the trailer, with root and
 * info and an /ID made from the SHA-256 of every byte before it (the same
 * content, the same ID).  False when an object reserved was never written
 * or a write failed.  sha256 gets the whole file's SHA-256 in hex, *len its
 * length. */
bool ss_pdfout_finish(ss_pdfout *out, long root, long info, char sha256[65], size_t *len);

#endif
