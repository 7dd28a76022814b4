/* pdfcopy.c - one PDF written object by object, from the objects of others
 * (see pdfcopy.h for why it is hand-made and what it reads). */
#include "pdfcopy.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "util.h"

/* The most objects a file read may have: a page of ours has about 50. */
#define IN_OBJECTS_MAX 1000000
/* Nesting of arrays and dictionaries in one value: ours go 3 deep. */
#define DEPTH_MAX 32
/* A cross-reference entry: "oooooooooo ggggg n" and a two-byte end of line. */
#define XREF_ENTRY 20
/* An offset must fit the entry's ten digits. */
#define OFFSET_MAX 9999999999ULL

/* ---- tokens ------------------------------------------------------------------ */

typedef enum {
    T_END, T_BAD, T_INT, T_REAL, T_NAME, T_STRING, T_DICT, T_DICT_END, T_ARRAY, T_ARRAY_END,
    T_WORD /* true, false, null, R, obj, endobj, stream, endstream */
} tok_type;

typedef struct tok {
    tok_type type;
    const char *s, *e;
} tok;

static bool is_space(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0';
}

static bool is_delim(char c)
{
    return strchr("()<>[]{}/%", c) != NULL && c != '\0';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The next token from *p (moved past it). */
static tok next_tok(const char **p, const char *end)
{
    const char *q = *p;
    while (q < end && is_space(*q))
        q++;
    tok t = {T_END, q, q};
    if (q == end)
        return t;
    char c = *q;
    if (c == '<' && q + 1 < end && q[1] == '<') {
        t.type = T_DICT, q += 2;
    } else if (c == '>' && q + 1 < end && q[1] == '>') {
        t.type = T_DICT_END, q += 2;
    } else if (c == '[') {
        t.type = T_ARRAY, q++;
    } else if (c == ']') {
        t.type = T_ARRAY_END, q++;
    } else if (c == '<') {
        for (q++; q < end && (is_hex(*q) || is_space(*q)); q++)
            ;
        t.type = q < end && *q == '>' ? T_STRING : T_BAD;
        if (q < end)
            q++;
    } else if (c == '(') {
        int depth = 1;
        for (q++; q < end && depth > 0; q++) {
            if (*q == '\\') {
                if (q + 1 == end)
                    break;
                q++;
            } else if (*q == '(') {
                depth++;
            } else if (*q == ')') {
                depth--;
            }
        }
        t.type = depth == 0 ? T_STRING : T_BAD;
    } else if (c == '/') {
        for (q++; q < end && !is_space(*q) && !is_delim(*q); q++)
            ;
        t.type = T_NAME;
    } else if (is_digit(c) || c == '+' || c == '-' || c == '.') {
        bool dot = false, digits = false;
        for (q = t.s + (c == '+' || c == '-'); q < end; q++) {
            if (is_digit(*q))
                digits = true;
            else if (*q == '.' && !dot)
                dot = true;
            else
                break;
        }
        t.type = !digits || (q < end && !is_space(*q) && !is_delim(*q)) ? T_BAD
                 : dot                                                  ? T_REAL
                                                                        : T_INT;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        for (q++; q < end && !is_space(*q) && !is_delim(*q); q++)
            ;
        t.type = T_WORD;
    } else {
        t.type = T_BAD, q++; /* a comment, a brace, a stray byte */
    }
    t.e = q;
    *p = q;
    return t;
}

static bool is_word(tok t, const char *w)
{
    size_t n = strlen(w);
    return t.type == T_WORD && (size_t)(t.e - t.s) == n && !memcmp(t.s, w, n);
}

/* A non-negative integer token's value, or -1. */
static long tok_long(tok t)
{
    if (t.type != T_INT || *t.s == '-' || t.e - t.s > 12)
        return -1;
    long v = 0;
    for (const char *c = t.s; c < t.e; c++)
        if (is_digit(*c))
            v = v * 10 + (*c - '0');
    return v;
}

/* Skips one value from *p (a reference "N 0 R" counts as one); its
 * first token in *first.  False when there is none or it is malformed. */
static bool skip_value(const char **p, const char *end, tok *first, int depth)
{
    tok t = next_tok(p, end);
    *first = t;
    if (depth > DEPTH_MAX)
        return false;
    switch (t.type) {
    case T_DICT:
        for (;;) {
            tok k = next_tok(p, end), v;
            if (k.type == T_DICT_END)
                return true;
            if (k.type != T_NAME || !skip_value(p, end, &v, depth + 1))
                return false;
        }
    case T_ARRAY:
        for (;;) {
            const char *save = *p;
            tok v = next_tok(p, end);
            if (v.type == T_ARRAY_END)
                return true;
            *p = save;
            if (!skip_value(p, end, &v, depth + 1))
                return false;
        }
    case T_INT: {
        /* "N G R"? */
        const char *save = *p;
        tok g = next_tok(p, end), r = next_tok(p, end);
        if (!(g.type == T_INT && is_word(r, "R")))
            *p = save;
        return true;
    }
    case T_REAL:
    case T_NAME:
    case T_STRING:
        return true;
    case T_WORD:
        return is_word(t, "true") || is_word(t, "false") || is_word(t, "null");
    default:
        return false;
    }
}

/* Finds key's value in the dictionary that starts at p: [*vs, *ve). */
static bool dict_get(const char *p, const char *end, const char *key, const char **vs,
                     const char **ve)
{
    tok t = next_tok(&p, end);
    if (t.type != T_DICT)
        return false;
    size_t n = strlen(key);
    for (;;) {
        tok k = next_tok(&p, end), v;
        if (k.type != T_NAME)
            return false; /* the end, or damage */
        const char *at = p;
        if (!skip_value(&p, end, &v, 1))
            return false;
        if ((size_t)(k.e - k.s) == n + 1 && !memcmp(k.s + 1, key, n)) {
            *vs = at;
            *ve = p;
            return true;
        }
    }
}

/* The i-th element of the array that starts at p. */
static bool array_get(const char *p, const char *end, long i, const char **vs,
                      const char **ve)
{
    tok t = next_tok(&p, end);
    if (t.type != T_ARRAY || i < 0)
        return false;
    for (long k = 0;; k++) {
        const char *at = p, *save = p;
        tok v = next_tok(&save, end);
        if (v.type == T_ARRAY_END || v.type == T_END)
            return false;
        if (!skip_value(&p, end, &v, 1))
            return false;
        if (k == i) {
            *vs = at;
            *ve = p;
            return true;
        }
    }
}

/* The object number of a reference "N 0 R" spanning [s, e), or 0. */
static long ref_of(const char *s, const char *e)
{
    tok n = next_tok(&s, e), g = next_tok(&s, e), r = next_tok(&s, e), z = next_tok(&s, e);
    return n.type == T_INT && tok_long(g) == 0 && is_word(r, "R") && z.type == T_END
               ? tok_long(n)
               : 0;
}

/* ---- reading ------------------------------------------------------------------- */

struct ss_pdfin {
    const char *data;
    size_t len;
    size_t header;    /* bytes before the first object */
    long n;           /* objects, 0 included */
    size_t *off;      /* per object: its offset, or 0 when free */
    long *map;        /* per object: its number in the output, or 0 */
    const char *trailer, *trailer_end;
};

void ss_pdfin_free(ss_pdfin *in)
{
    if (!in)
        return;
    free(in->off);
    free(in->map);
    free(in);
}

/* A run of decimal digits at *p (moved past them), or -1. */
static long long digits(const char **p, const char *end, int max)
{
    long long v = 0;
    int n = 0;
    while (*p < end && is_digit(**p) && n < max)
        v = v * 10 + (*(*p)++ - '0'), n++;
    return n ? v : -1;
}

static bool eol(const char **p, const char *end)
{
    if (*p < end && **p == '\r')
        (*p)++;
    if (*p < end && **p == '\n') {
        (*p)++;
        return true;
    }
    return (*p)[-1] == '\r';
}

ss_pdfin *ss_pdfin_open(const char *data, size_t len)
{
    if (len < 32 || memcmp(data, "%PDF-1.", 7))
        return NULL;
    /* "startxref\nOFFSET\n%%EOF" ends the file. */
    const char *end = data + len, *sx = NULL;
    for (const char *q = end - 9; q >= data && q >= end - 64; q--)
        if (!memcmp(q, "startxref", 9)) {
            sx = q;
            break;
        }
    if (!sx)
        return NULL;
    const char *p = sx + 9;
    if (!eol(&p, end))
        return NULL;
    long long xref = digits(&p, end, 10);
    if (xref < 0 || (size_t)xref >= len || !eol(&p, end) || end - p < 5 ||
        memcmp(p, "%%EOF", 5))
        return NULL;
    p = data + xref;
    if (end - p < 4 || memcmp(p, "xref", 4))
        return NULL;
    p += 4;
    if (!eol(&p, end))
        return NULL;
    ss_pdfin *in = ss_xcalloc(1, sizeof *in);
    in->data = data;
    in->len = len;
    in->header = len;
    /* Subsections "FIRST COUNT" and their entries, up to "trailer". */
    while (end - p >= 7 && memcmp(p, "trailer", 7)) {
        long long first = digits(&p, end, 7);
        if (first < 0 || p >= end || *p++ != ' ')
            goto bad;
        long long count = digits(&p, end, 7);
        if (count < 0 || !eol(&p, end) || first + count > IN_OBJECTS_MAX ||
            (size_t)(end - p) / XREF_ENTRY < (size_t)count)
            goto bad;
        if (first + count > in->n) {
            in->off = ss_xrealloc(in->off, (size_t)(first + count) * sizeof *in->off);
            memset(in->off + in->n, 0, (size_t)(first + count - in->n) * sizeof *in->off);
            in->n = (long)(first + count);
        }
        for (long long i = first; i < first + count; i++, p += XREF_ENTRY) {
            const char *q = p;
            long long off = digits(&q, end, 10);
            const char *g = p + 11;
            long long gen = digits(&g, end, 5);
            bool used = p[17] == 'n';
            if (q != p + 10 || p[10] != ' ' || g != p + 16 || p[16] != ' ' ||
                (!used && p[17] != 'f') || !is_space(p[18]) || !is_space(p[19]))
                goto bad;
            if (used) {
                if (gen != 0 || off <= 0 || off >= xref)
                    goto bad;
                in->off[i] = (size_t)off;
                if ((size_t)off < in->header)
                    in->header = (size_t)off;
            }
        }
    }
    if (end - p < 7 || in->n < 2)
        goto bad;
    p += 7;
    const char *ts = p, *te;
    tok first;
    if (!skip_value(&p, end, &first, 0) || first.type != T_DICT)
        goto bad;
    te = p;
    in->trailer = ts;
    in->trailer_end = te;
    in->map = ss_xcalloc((size_t)in->n, sizeof *in->map);
    return in;
bad:
    ss_pdfin_free(in);
    return NULL;
}

/* The value of object obj: "obj 0 obj" checked, [*vs, *ve) the value, *after
 * what follows it (endobj or stream). */
static bool object_value(const ss_pdfin *in, long obj, const char **vs, const char **ve,
                         const char **after)
{
    if (obj <= 0 || obj >= in->n || !in->off[obj])
        return false;
    const char *p = in->data + in->off[obj], *end = in->data + in->len;
    tok n = next_tok(&p, end), g = next_tok(&p, end), o = next_tok(&p, end);
    if (tok_long(n) != obj || tok_long(g) != 0 || !is_word(o, "obj"))
        return false;
    *vs = p;
    tok first;
    if (!skip_value(&p, end, &first, 0))
        return false;
    *ve = p;
    *after = p;
    return true;
}

long ss_pdfin_trailer(const ss_pdfin *in, const char *key)
{
    const char *vs, *ve;
    return dict_get(in->trailer, in->trailer_end, key, &vs, &ve) ? ref_of(vs, ve) : 0;
}

/* The direct value at path in object obj. */
static bool value_at(const ss_pdfin *in, long obj, const char *path, const char **vs,
                     const char **ve)
{
    const char *after;
    if (!object_value(in, obj, vs, ve, &after))
        return false;
    char part[64];
    while (*path) {
        size_t n = strcspn(path, "/#");
        if (*path == '#') {
            char *stop;
            long i = strtol(path + 1, &stop, 10);
            if (stop == path + 1 || !array_get(*vs, *ve, i, vs, ve))
                return false;
            path = stop;
        } else {
            if (n == 0 || n >= sizeof part)
                return false;
            memcpy(part, path, n);
            part[n] = '\0';
            if (!dict_get(*vs, *ve, part, vs, ve))
                return false;
            path += n;
        }
        if (*path == '/')
            path++;
    }
    return true;
}

long ss_pdfin_ref(const ss_pdfin *in, long obj, const char *path)
{
    const char *vs, *ve;
    long r = value_at(in, obj, path, &vs, &ve) ? ref_of(vs, ve) : 0;
    return r > 0 && r < in->n && in->off[r] ? r : 0;
}

void ss_pdfin_map(ss_pdfin *in, long src, long dst)
{
    if (src > 0 && src < in->n)
        in->map[src] = dst;
}

/* ---- writing ------------------------------------------------------------------- */

struct ss_pdfout {
    ss_pdfout_sink sink;
    void *ctx;
    bool failed;
    size_t at;                /* bytes written */
    size_t *off;              /* per object: its offset, 0 until written */
    long n;                   /* numbers given, 0 included */
    size_t cap;
    struct sha256_ctx sha;
    long *queue;              /* objects of the file being copied, to write */
    size_t nqueue, qcap;
    ss_buf obj;               /* the object being written */
};

ss_pdfout *ss_pdfout_new(ss_pdfout_sink sink, void *ctx)
{
    ss_pdfout *out = ss_xcalloc(1, sizeof *out);
    out->sink = sink;
    out->ctx = ctx;
    out->n = 1; /* object 0 is the free list's head */
    sha256_init(&out->sha);
    ss_buf_init(&out->obj);
    return out;
}

void ss_pdfout_free(ss_pdfout *out)
{
    if (!out)
        return;
    free(out->off);
    free(out->queue);
    ss_buf_free(&out->obj);
    free(out);
}

static bool emit(ss_pdfout *out, const void *data, size_t len)
{
    if (out->failed || !out->sink(out->ctx, data, len)) {
        out->failed = true;
        return false;
    }
    sha256_update(&out->sha, len, data);
    out->at += len;
    return true;
}

bool ss_pdfout_header(ss_pdfout *out, const ss_pdfin *in)
{
    return out->at == 0 && in->header < in->len && emit(out, in->data, in->header);
}

long ss_pdfout_reserve(ss_pdfout *out)
{
    out->off = ss_xgrow(out->off, sizeof *out->off, (size_t)out->n + 1, &out->cap);
    out->off[out->n] = 0;
    return out->n++;
}

/* Writes out->obj as object num. */
static bool put_obj(ss_pdfout *out, long num, const char *body, size_t len,
                    const char *stream, size_t slen)
{
    if (num <= 0 || num >= out->n || out->off[num] || out->at == 0)
        return false; /* not reserved, written twice, or no header yet */
    out->off[num] = out->at;
    char head[32];
    int h = snprintf(head, sizeof head, "%ld 0 obj\n", num);
    bool ok = emit(out, head, (size_t)h) && emit(out, body, len);
    if (stream)
        ok = ok && emit(out, "\nstream\r\n", 9) && emit(out, stream, slen) &&
             emit(out, "\r\nendstream", 11);
    return ok && emit(out, "\nendobj\n", 8);
}

bool ss_pdfout_put(ss_pdfout *out, long num, const char *body, size_t len)
{
    return put_obj(out, num, body, len, NULL, 0);
}

/* The output number of object r of in, giving it one (and queueing it to
 * be copied) when it has none. */
static long number_for(ss_pdfout *out, ss_pdfin *in, long r)
{
    if (!in->map[r]) {
        in->map[r] = ss_pdfout_reserve(out);
        out->queue = ss_xgrow(out->queue, sizeof *out->queue, out->nqueue + 1, &out->qcap);
        out->queue[out->nqueue++] = r;
    }
    return in->map[r];
}

/* Appends the value [s, e) to out->obj with every reference renumbered. */
static bool rewrite(ss_pdfout *out, ss_pdfin *in, const char *s, const char *e)
{
    const char *flushed = s, *p = s;
    tok t0 = {T_END, s, s}, t1 = t0;
    for (;;) {
        tok t = next_tok(&p, e);
        if (t.type == T_END)
            break;
        if (t.type == T_BAD)
            return false;
        if (is_word(t, "R")) {
            long r = tok_long(t0);
            if (t1.type != T_INT || tok_long(t1) != 0 || r <= 0 || r >= in->n ||
                !in->off[r] || t0.s < flushed)
                return false; /* a reference to nothing, or generation not 0 */
            ss_buf_add(&out->obj, flushed, (size_t)(t0.s - flushed));
            ss_buf_printf(&out->obj, "%ld 0 R", number_for(out, in, r));
            flushed = t.e;
        }
        t0 = t1;
        t1 = t;
    }
    ss_buf_add(&out->obj, flushed, (size_t)(e - flushed));
    return true;
}

/* The length of the stream of object obj whose dictionary is [vs, ve):
 * a direct integer or a reference to an object holding one.  -1: none. */
static long long stream_length(const ss_pdfin *in, const char *vs, const char *ve)
{
    const char *ls, *le;
    if (!dict_get(vs, ve, "Length", &ls, &le))
        return -1;
    long r = ref_of(ls, le);
    if (r) {
        const char *after;
        if (!object_value(in, r, &ls, &le, &after))
            return -1;
    }
    tok t = next_tok(&ls, le), z = next_tok(&ls, le);
    return z.type == T_END ? tok_long(t) : -1;
}

/* Copies object src of in (numbered already) into out. */
static bool copy_one(ss_pdfout *out, ss_pdfin *in, long src, const char *extra)
{
    const char *vs, *ve, *after;
    if (!object_value(in, src, &vs, &ve, &after))
        return false;
    const char *end = in->data + in->len, *p = after;
    tok k = next_tok(&p, end);
    const char *stream = NULL;
    size_t slen = 0;
    if (is_word(k, "stream")) {
        long long n = stream_length(in, vs, ve);
        if (p < end && *p == '\r')
            p++;
        if (n < 0 || p >= end || *p++ != '\n' || (size_t)(end - p) < (size_t)n)
            return false;
        stream = p;
        slen = (size_t)n;
        p += n;
        k = next_tok(&p, end);
        if (!is_word(k, "endstream"))
            return false;
        k = next_tok(&p, end);
    }
    if (!is_word(k, "endobj"))
        return false;
    ss_buf_clear(&out->obj);
    /* Extra entries go before the dictionary's closing ">>". */
    const char *body_end = ve;
    if (extra) {
        const char *q = vs;
        tok first = next_tok(&q, ve);
        while (body_end > vs && is_space(body_end[-1]))
            body_end--;
        if (first.type != T_DICT || body_end - vs < 4 || memcmp(body_end - 2, ">>", 2))
            return false;
        body_end -= 2;
        while (body_end > vs && is_space(body_end[-1]))
            body_end--;
    }
    if (!rewrite(out, in, vs, body_end))
        return false;
    if (extra) {
        ss_buf_adds(&out->obj, extra);
        ss_buf_adds(&out->obj, "\n>>");
    }
    /* The value as written, without the space around it. */
    const char *b = out->obj.data;
    size_t blen = out->obj.len;
    while (blen && is_space(*b))
        b++, blen--;
    while (blen && is_space(b[blen - 1]))
        blen--;
    return put_obj(out, in->map[src], b, blen, stream, slen);
}

/* Writes every queued object, and those they bring. */
static bool drain(ss_pdfout *out, ss_pdfin *in, size_t from, const char *extra)
{
    for (size_t i = from; i < out->nqueue; i++)
        if (!copy_one(out, in, out->queue[i], i == from ? extra : NULL))
            return false;
    out->nqueue = 0;
    return true;
}

long ss_pdfout_copy(ss_pdfout *out, ss_pdfin *in, long src, long dst, const char *extra)
{
    if (src <= 0 || src >= in->n || !in->off[src] || in->map[src] || out->failed)
        return 0;
    if (dst <= 0)
        dst = ss_pdfout_reserve(out);
    in->map[src] = dst;
    out->nqueue = 0;
    out->queue = ss_xgrow(out->queue, sizeof *out->queue, 1, &out->qcap);
    out->queue[out->nqueue++] = src;
    return drain(out, in, 0, extra) ? dst : 0;
}

long ss_pdfout_copy_value(ss_pdfout *out, ss_pdfin *in, long obj, const char *path)
{
    const char *vs, *ve;
    if (out->failed || !value_at(in, obj, path, &vs, &ve))
        return 0;
    out->nqueue = 0;
    ss_buf_clear(&out->obj);
    if (!rewrite(out, in, vs, ve))
        return 0;
    /* out->obj is reused by the objects the value brings: keep it. */
    char *body = ss_buf_steal(&out->obj);
    ss_buf_init(&out->obj);
    const char *b = body;
    while (is_space(*b))
        b++;
    size_t blen = strlen(b);
    while (blen && is_space(b[blen - 1]))
        blen--;
    long num = ss_pdfout_reserve(out);
    bool ok = put_obj(out, num, b, blen, NULL, 0) && drain(out, in, 0, NULL);
    free(body);
    return ok ? num : 0;
}

bool ss_pdfout_finish(ss_pdfout *out, long root, long info, char sha256[65], size_t *len)
{
    if (out->failed || root <= 0 || root >= out->n || info <= 0 || info >= out->n)
        return false;
    for (long i = 1; i < out->n; i++)
        if (!out->off[i])
            return false;
    if (out->at > OFFSET_MAX)
        return false;
    /* The ID: the content so far, which decides everything after it. */
    struct sha256_ctx c = out->sha;
    uint8_t id[SHA256_DIGEST_SIZE];
    sha256_digest(&c, sizeof id, id);
    size_t xref = out->at;
    ss_buf b;
    ss_buf_init(&b);
    ss_buf_printf(&b, "xref\n0 %ld\n0000000000 65535 f\r\n", out->n);
    bool ok = true;
    for (long i = 1; i < out->n && ok; i++) {
        ss_buf_printf(&b, "%010zu 00000 n\r\n", out->off[i]);
        if (b.len > 65536) {
            ok = emit(out, b.data, b.len);
            ss_buf_clear(&b);
        }
    }
    ss_buf_adds(&b, "trailer\n<<\n/ID [ <");
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < 16; i++)
            ss_buf_printf(&b, "%02X", id[i]);
        ss_buf_adds(&b, k ? ">" : "> <");
    }
    ss_buf_printf(&b, " ]\n/Root %ld 0 R\n/Info %ld 0 R\n/Size %ld\n>>\nstartxref\n%zu\n%%%%EOF\n",
                  root, info, out->n, xref);
    ok = ok && emit(out, b.data, b.len);
    ss_buf_free(&b);
    if (!ok)
        return false;
    sha256_digest(&out->sha, sizeof id, id);
    for (int i = 0; i < 32; i++)
        snprintf(sha256 + 2 * i, 3, "%02x", id[i]);
    *len = out->at;
    return true;
}
