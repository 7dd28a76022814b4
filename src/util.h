/* util.h - memory, strings and small helpers shared by every stage.
 *
 * Out of memory is decided here, once: the x* functions print a message and
 * abort, so no stage carries an out-of-memory branch.
 */
#ifndef SS_UTIL_H
#define SS_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The one answer to running out of memory, wherever it is found (our
 * allocations, libxml2's and libharu's): "statesheet: out of memory" on
 * stderr, this run's temporary files removed, exit 71 (EX_OSERR). */
_Noreturn void ss_out_of_memory(void);

void *ss_xmalloc(size_t n);
void *ss_xcalloc(size_t count, size_t size);
void *ss_xrealloc(void *p, size_t n);
/* Grows an array of 'elem' bytes per item so that it holds at least 'need'
 * items; *cap is updated.  Returns the (possibly moved) array. */
void *ss_xgrow_slow(void *p, size_t elem, size_t need, size_t *cap);
static inline void *ss_xgrow(void *p, size_t elem, size_t need, size_t *cap)
{
    return need <= *cap ? p : ss_xgrow_slow(p, elem, need, cap); /* inline: hot */
}
char *ss_xstrdup(const char *s);
char *ss_xstrndup(const char *s, size_t n);
/* printf into a new string; ss_xvasprintf takes a va_list (the caller
 * ends it). */
char *ss_xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
char *ss_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte buffer, always NUL-terminated. */
typedef struct ss_buf {
    char *data;
    size_t len;
    size_t cap;
} ss_buf;

void ss_buf_init(ss_buf *b);
void ss_buf_free(ss_buf *b);
void ss_buf_clear(ss_buf *b);
/* Makes room for n more bytes and the NUL. */
void ss_buf_reserve(ss_buf *b, size_t n);
/* Inline: the content stream and the subset fonts are built a few bytes
 * at a time, a million calls a batch. */
static inline void ss_buf_add(ss_buf *b, const void *p, size_t n)
{
    if (b->cap - b->len <= n)
        ss_buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}
void ss_buf_adds(ss_buf *b, const char *s);
static inline void ss_buf_addc(ss_buf *b, char c)
{
    ss_buf_add(b, &c, 1);
}
/* v in decimal (what "%llu" prints, without printf's cost). */
void ss_buf_addu(ss_buf *b, unsigned long long v);
void ss_buf_printf(ss_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Hands the data to the caller (free with free()) and empties the buffer. */
char *ss_buf_steal(ss_buf *b);

/* UTF-8.  ss_utf8_next decodes one code point at *p (advancing *p) and
 * returns it, or -1 for an ill-formed sequence (then *p moves one byte).
 * ss_utf8_valid is true when all n bytes are well-formed UTF-8. */
long ss_utf8_next(const char **p, const char *end);
bool ss_utf8_valid(const char *s, size_t n);
/* Number of code points in a valid UTF-8 string. */
size_t ss_utf8_length(const char *s);
/* Writes cp as UTF-8 into out (at least 4 bytes); returns bytes written. */
int ss_utf8_encode(long cp, char *out);

/* The first place of 'needle' in [p, end), or NULL. */
const char *ss_find(const char *p, const char *end, const char *needle);

/* Trims ASCII and XML white space from both ends, returning a new string. */
char *ss_trim_dup(const char *s);

/* Reads a whole file into memory (NUL-terminated, length in *len); "-" is
 * standard input, and pipes and FIFOs are read as streams.  Refuses
 * files larger than max_bytes.  On failure returns NULL and sets *err to
 * errno, or to EFBIG when the file is too large. */
char *ss_read_file(const char *path, size_t max_bytes, size_t *len, int *err);

/* SHA-256 of n bytes, as 32 raw bytes. */
void ss_sha256(const void *data, size_t n, uint8_t out[32]);
/* The same as 64 lowercase hex digits plus NUL. */
void ss_sha256_hex(const void *data, size_t n, char out[65]);

#endif
