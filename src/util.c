/* util.c - memory, strings, UTF-8, files and SHA-256 (nettle). */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "outfile.h"

_Noreturn void ss_out_of_memory(void)
{
    ss_outfile_abandon(EX_OSERR, "statesheet: out of memory\n");
}


void *ss_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        ss_out_of_memory();
    return p;
}

void *ss_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        ss_out_of_memory();
    return p;
}

void *ss_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        ss_out_of_memory();
    return q;
}

void *ss_xgrow_slow(void *p, size_t elem, size_t need, size_t *cap)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : 8;
    while (c < need) {
        if (c > SIZE_MAX / 2 / elem)
            ss_out_of_memory();
        c *= 2;
    }
    *cap = c;
    return ss_xrealloc(p, c * elem);
}

char *ss_xstrdup(const char *s)
{
    return ss_xstrndup(s, strlen(s));
}

char *ss_xstrndup(const char *s, size_t n)
{
    char *p = ss_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *ss_xvasprintf(const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        n = 0;
    char *p = ss_xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *ss_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = ss_xvasprintf(fmt, ap);
    va_end(ap);
    return p;
}

void ss_buf_init(ss_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void ss_buf_free(ss_buf *b)
{
    free(b->data);
    ss_buf_init(b);
}

void ss_buf_clear(ss_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void ss_buf_reserve(ss_buf *b, size_t n)
{
    if (n > SIZE_MAX - 1 - b->len)
        ss_out_of_memory();
    b->data = ss_xgrow(b->data, 1, b->len + n + 1, &b->cap);
}

void ss_buf_adds(ss_buf *b, const char *s)
{
    ss_buf_add(b, s, strlen(s));
}

void ss_buf_addu(ss_buf *b, unsigned long long v)
{
    char d[20];
    size_t n = sizeof d;
    do
        d[--n] = (char)('0' + v % 10);
    while ((v /= 10) > 0);
    ss_buf_add(b, d + n, sizeof d - n);
}

void ss_buf_printf(ss_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = ss_xvasprintf(fmt, ap);
    va_end(ap);
    ss_buf_adds(b, s);
    free(s);
}

char *ss_buf_steal(ss_buf *b)
{
    char *p = b->data ? b->data : ss_xstrdup("");
    ss_buf_init(b);
    return p;
}

long ss_utf8_next(const char **pp, const char *end)
{
    const unsigned char *p = (const unsigned char *)*pp;
    const unsigned char *e = (const unsigned char *)end;
    if (p >= e)
        return -1;
    unsigned c = *p;
    int n;
    long cp, min;
    if (c < 0x80) {
        *pp += 1;
        return c;
    } else if (c >= 0xC2 && c <= 0xDF) {
        n = 1, cp = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 2, cp = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 3, cp = c & 0x07, min = 0x10000;
    } else {
        *pp += 1;
        return -1;
    }
    if (e - p <= n) {
        *pp += 1;
        return -1;
    }
    for (int i = 1; i <= n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *pp += 1;
            return -1;
        }
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        *pp += 1;
        return -1;
    }
    *pp += n + 1;
    return cp;
}

bool ss_utf8_valid(const char *s, size_t n)
{
    const char *p = s, *e = s + n;
    while (p < e)
        if (ss_utf8_next(&p, e) < 0)
            return false;
    return true;
}

size_t ss_utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

int ss_utf8_encode(long cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    } else if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    } else if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

static bool is_xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

const char *ss_find(const char *p, const char *end, const char *needle)
{
    size_t n = strlen(needle);
    for (; p + n <= end; p++)
        if (memcmp(p, needle, n) == 0)
            return p;
    return NULL;
}

char *ss_trim_dup(const char *s)
{
    while (is_xml_space(*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && is_xml_space(s[n - 1]))
        n--;
    return ss_xstrndup(s, n);
}

char *ss_read_file(const char *path, size_t max_bytes, size_t *len, int *err)
{
    *err = 0;
    int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC)
                               : fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
        *err = errno;
        return NULL;
    }
    char *buf = NULL;
    size_t n = 0, cap;
    struct stat st;
    if (fstat(fd, &st) != 0)
        *err = errno;
    else if (S_ISDIR(st.st_mode))
        *err = EISDIR;
    else if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max_bytes)
        *err = EFBIG;
    if (*err)
        goto done;
    /* Read in chunks so that pipes and special files work and a file that
     * grows while we read is still refused at the limit. */
    cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536;
    buf = ss_xmalloc(cap);
    while (!*err) {
        if (n + 1 >= cap && cap > max_bytes) {
            *err = EFBIG;
            break;
        }
        if (n + 1 >= cap) {
            cap *= 2;
            buf = ss_xrealloc(buf, cap);
        }
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0 && errno != EINTR)
            *err = errno;
        if (r == 0)
            break;
        n += r > 0 ? (size_t)r : 0;
        if (n > max_bytes)
            *err = EFBIG;
    }
done:
    close(fd);
    if (*err) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* SHA-256, used to check assets and derive file IDs, from nettle: Debian's
 * build is "fat" and picks the x86 SHA extensions at run time when the CPU
 * has them (_nettle_sha256_compress_sha_ni), a portable path otherwise. */
void ss_sha256(const void *data, size_t n, uint8_t out[32])
{
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, n, data);
    sha256_digest(&c, SHA256_DIGEST_SIZE, out);
}

void ss_sha256_hex(const void *data, size_t n, char out[65])
{
    uint8_t d[32];
    ss_sha256(data, n, d);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}
