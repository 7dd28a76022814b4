/* records.c - the state records: libxml2 -> validated in-memory dataset.
 *
 * The file is read into memory, checked byte by byte (encoding, NUL bytes,
 * no DOCTYPE), then streamed through libxml2's xmlTextReader, which keeps
 * only the current node (a DOM of 100,000 states would cost hundreds of MB).
 * ss_dataset_stream (export, import) goes further: the file is mapped
 * instead of copied, the pages already checked are given back, and each
 * state goes to a callback and is freed, so memory stays flat; only the
 * set of state codes (for duplicates) grows, by ~70 bytes a state.
 *
 * The checks below are the only validator of the data at run time: they
 * name the state, the key and what to write instead.  The XML Schema
 * assets/schema/statedata.xsd is the same contract for other tools; it is
 * not loaded here, and tests/e2e/schema.sh keeps the two in agreement.
 */
/* madvise(MADV_DONTNEED) is not POSIX (posix_madvise's DONTNEED does
 * nothing in glibc). */
#define _DEFAULT_SOURCE 1
#include "records.h"
#include "names.h"
#include "xmlsafe.h"

#include <errno.h>
#include <stdalign.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>

#include "strset.h"
#include "util.h"
#include "workbook.h"

/* Memory pool: one root object owns every string and array of a dataset. */
#define POOL_CHUNK (64u * 1024u) /* small enough to waste little at the end */
#define POOL_BIG (16u * 1024u)   /* larger requests get a chunk of their own */
/* Longest piece of a bad value quoted back in a message: enough to
 * recognise it, short enough to keep the message on one line. */
#define QUOTE_MAX 40
typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    alignas(max_align_t) unsigned char data[];
} chunk;

/* An interned string.  The stamps let the loader find a duplicate key among
 * the figures (or tables) of one parent in O(1): a key is a duplicate when
 * its stamp already equals the current parent's number. */
typedef struct entry {
    uint32_t fig_stamp, tab_stamp;
    long fig_line, tab_line;
    long code_line; /* line of the state using this as its code, or 0 */
    size_t state;   /* 1 + the index of that state, once loaded, or 0 */
    char s[];
} entry;

typedef struct pool {
    chunk *chunks;
    ss_strset interned; /* the interned strings, numbered */
    entry **entries;    /* by number */
    size_t cap;
} pool;

static void *pool_alloc(pool *p, size_t n)
{
    size_t align = alignof(max_align_t);
    n = (n + align - 1) & ~(align - 1);
    if (n >= POOL_BIG || !p->chunks || p->chunks->cap - p->chunks->used < n) {
        size_t cap = n >= POOL_BIG ? n : POOL_CHUNK;
        chunk *c = ss_xmalloc(sizeof(chunk) + cap);
        c->used = 0;
        c->cap = cap;
        if (n >= POOL_BIG && p->chunks) {
            /* Keep the current small chunk in front: it still has room. */
            c->next = p->chunks->next;
            p->chunks->next = c;
            c->used = n;
            return c->data;
        }
        c->next = p->chunks;
        p->chunks = c;
    }
    void *r = p->chunks->data + p->chunks->used;
    p->chunks->used += n;
    return r;
}

static char *pool_strdup(pool *p, const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(pool_alloc(p, n), s, n);
}

static void *pool_memdup(pool *p, const void *src, size_t n)
{
    if (n == 0)
        return NULL;
    return memcpy(pool_alloc(p, n), src, n);
}

/* Keys, labels and codes repeat across 100,000 states: store each once. */
static entry *intern(pool *p, const char *s)
{
    size_t n = strlen(s);
    bool added;
    size_t i = ss_strset_add(&p->interned, s, n, &added);
    if (added) {
        p->entries = ss_xgrow(p->entries, sizeof *p->entries, i + 1, &p->cap);
        entry *e = pool_alloc(p, sizeof(entry) + n + 1);
        memset(e, 0, sizeof(entry));
        memcpy(e->s, s, n + 1);
        p->entries[i] = e;
    }
    return p->entries[i];
}

/* Empties a pool that holds no interned strings: one ordinary chunk is
 * kept for the next state, the others are freed. */
static void pool_reset(pool *p)
{
    chunk *keep = NULL;
    for (chunk *c = p->chunks, *next; c; c = next) {
        next = c->next;
        if (!keep && c->cap == POOL_CHUNK) {
            keep = c;
            continue;
        }
        free(c);
    }
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
    }
    p->chunks = keep;
}

static void pool_free(pool *p)
{
    if (!p)
        return;
    chunk *c = p->chunks;
    while (c) {
        chunk *next = c->next;
        free(c);
        c = next;
    }
    ss_strset_free(&p->interned);
    free(p->entries);
    free(p);
}

/* ---- a mapped data file -------------------------------------------------- */

/* A data file read for streaming is mapped read-only rather than copied,
 * and the pages the checks have passed are given back (MADV_DONTNEED: a
 * later look, for a message's line number, reads them from the page cache
 * again).  So the bytes of a big file never sit in memory all at once. */
typedef struct mapping {
    const char *base;
    size_t len;
} mapping;

static void mapping_release(const char *base, size_t len, const char *upto)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t n = (size_t)(upto - base);
    if (n > len)
        n = len;
    n &= ~(page - 1);
    if (n)
        (void)madvise((void *)(uintptr_t)base, n, MADV_DONTNEED);
}

static void release_cb(const char *upto, void *ctx)
{
    const mapping *m = ctx;
    mapping_release(m->base, m->len, upto);
}

/* ---- byte-level checks before libxml2 sees the file -------------------- */

static long line_at(const char *data, size_t off)
{
    long line = 1;
    for (size_t i = 0; i < off; i++)
        line += data[i] == '\n';
    return line;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The encoding named in an XML declaration at p (a new string), or NULL. */
static char *declared_encoding(const char *p, const char *end)
{
    if (end - p < 6 || memcmp(p, "<?xml", 5) != 0 || !is_space(p[5]))
        return NULL;
    const char *close = ss_find(p, end, "?>");
    if (!close)
        return NULL;
    const char *e = ss_find(p, close, "encoding");
    if (!e)
        return NULL;
    e += 8;
    while (e < close && (is_space(*e) || *e == '='))
        e++;
    if (e >= close || (*e != '"' && *e != '\''))
        return NULL;
    char q = *e++;
    const char *v = e;
    while (e < close && *e != q)
        e++;
    return ss_xstrndup(v, (size_t)(e - v));
}

static bool ascii_caseeq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'a' && *a <= 'z' ? (char)(*a - 32) : *a;
        char y = *b >= 'a' && *b <= 'z' ? (char)(*b - 32) : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

static const char DOCTYPE_MSG[] =
    "the file has a <!DOCTYPE ...> declaration; remove it: statesheet data "
    "files take no DTD";

/* Encoding, NUL bytes and DOCTYPE.  Reports the problem and returns false
 * when libxml2 should not see the file at all. */
static bool precheck(const char *name, const char *data, size_t len,
                     ss_diag *diag, bool mapped)
{
    mapping m = {data, len};
    const char *p = data, *end = data + len;
    if (len >= 2 && ((unsigned char)p[0] == 0xFF || (unsigned char)p[0] == 0xFE) &&
        ((unsigned char)p[1] == 0xFE || (unsigned char)p[1] == 0xFF) &&
        p[0] != p[1]) {
        ss_diag_error(diag, name, 1,
                      "the file is saved as UTF-16; save it as UTF-8 and "
                      "write encoding=\"UTF-8\" in its first line");
        return false;
    }
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3; /* a UTF-8 byte-order mark is harmless */
    char *enc = declared_encoding(p, end);
    if (enc && !ascii_caseeq(enc, "UTF-8")) {
        ss_diag_error(diag, name, 1,
                      "the file says encoding=\"%.*s\", but statesheet reads "
                      "only UTF-8: save the file as UTF-8 and write "
                      "encoding=\"UTF-8\"",
                      QUOTE_MAX, enc);
        free(enc);
        return false;
    }
    free(enc);
    const char *nul = NULL;
    for (size_t at = 0; at < len && !nul; at += SS_XML_SCAN_STEP) {
        size_t n = len - at < SS_XML_SCAN_STEP ? len - at : SS_XML_SCAN_STEP;
        nul = memchr(data + at, '\0', n);
        if (mapped)
            mapping_release(data, len, data + at);
    }
    if (nul) {
        ss_diag_error(diag, name, line_at(data, (size_t)(nul - data)),
                      "the file contains a zero byte (NUL), which a text "
                      "file cannot hold; it may be damaged or not the data "
                      "file: save it again as UTF-8 text");
        return false;
    }
    for (const char *q = data, *told = data; q < end;) {
        const char *at = q;
        if (mapped && (size_t)(q - told) >= SS_XML_SCAN_STEP) {
            mapping_release(data, len, q);
            told = q;
        }
        if (ss_utf8_next(&q, end) < 0) {
            ss_diag_error(diag, name, line_at(data, (size_t)(at - data)),
                          "the file is not valid UTF-8 here (byte 0x%02X); "
                          "it was probably saved in another encoding: save "
                          "it as UTF-8",
                          (unsigned char)*at);
            return false;
        }
    }
    long dt = ss_xml_doctype_line(data, len);
    if (dt) {
        ss_diag_error(diag, name, dt, DOCTYPE_MSG);
        return false;
    }
    long crowded = ss_xml_crowded_tag(data, len, mapped ? release_cb : NULL, &m);
    if (mapped)
        mapping_release(data, len, end);
    if (crowded) {
        ss_diag_error(diag, name, crowded, SS_XML_CROWDED_MSG, SS_XML_ATTRS_MAX);
        return false;
    }
    return true;
}

/* ---- the loader -------------------------------------------------------- */

typedef enum ctx {
    CTX_DOC,
    CTX_STATEDATA,
    CTX_NATIONAL,
    CTX_STATE,
    CTX_FIGURE,
    CTX_TABLE,
    CTX_ROW,
    CTX_OTHER /* unknown or misplaced: its content is not checked again */
} ctx;

/* An open element: what it is and its two lines. */
typedef struct frame {
    ctx c;
    long line;
} frame;

/* Finds the line of each start tag in the raw bytes.  libxml2's own line
 * numbers are the end of the start tag, and above line 65,535 an element's
 * number is borrowed from its first child and can be one too high.  Every
 * '<' in a well-formed document opens a tag, comment, CDATA section or
 * processing instruction, and the reader reports start tags in document
 * order, so walking the '<'s alongside the reader dates each one exactly. */
typedef struct lexer {
    const char *p, *end;
    long line;
} lexer;

static void lex_skip_to(lexer *lx, const char *q)
{
    if (!q)
        q = lx->end;
    for (const char *n; (n = memchr(lx->p, '\n', (size_t)(q - lx->p)));) {
        lx->line++;
        lx->p = n + 1;
    }
    lx->p = q;
}

/* The line of the next start tag. */
static long lex_next_start(lexer *lx)
{
    for (;;) {
        lex_skip_to(lx, memchr(lx->p, '<', (size_t)(lx->end - lx->p)));
        if (lx->p >= lx->end)
            return lx->line;
        const char *p = lx->p, *e = lx->end;
        const char *close;
        if (e - p >= 4 && memcmp(p, "<!--", 4) == 0)
            close = ss_find(p + 4, e, "-->");
        else if (e - p >= 9 && memcmp(p, "<![CDATA[", 9) == 0)
            close = ss_find(p + 9, e, "]]>");
        else if (e - p >= 2 && p[1] == '?')
            close = ss_find(p + 2, e, "?>");
        else if (e - p >= 2 && (p[1] == '/' || p[1] == '!'))
            close = memchr(p, '>', (size_t)(e - p));
        else {
            lx->p++;
            return lx->line;
        }
        lex_skip_to(lx, close ? close + 1 : NULL);
    }
}

typedef struct loader {
    const char *name;
    ss_diag *diag;
    ss_dataset *ds;
    pool *pool;
    pool *spool; /* a state's name and arrays: pool, or scratch when streaming */
    ss_state_fn each; /* streaming: each state goes here, then is freed */
    void *each_ctx;
    size_t streamed;
    xmlTextReaderPtr reader;
    const char *data;
    size_t len;
    bool mapped; /* data is a read-only file mapping: pages can be dropped */
    bool parse_failed;
    char *wf_msg; /* the first well-formedness error, reported first */
    long wf_line, wf_cut;

    frame *stack;
    size_t depth, stack_cap;
    lexer lex;

    bool seen_root, seen_state, seen_national;
    long first_state_line;
    uint32_t parent_stamp; /* numbers each <national> and <state> */
    size_t states_cap;

    /* The parent being read: its figures and tables, and the open table's
     * rows, collect here and move to the pool when the element ends. */
    bool in_national;
    char *state_desc; /* "state ND", or "national" */
    ss_state cur;
    ss_figure *figs;
    size_t nfigs, figs_cap;
    ss_table *tabs;
    size_t ntabs, tabs_cap;
    ss_row *rows;
    size_t nrows, rows_cap;

    /* The open <figure> or <row>: its description and text. */
    char *item_desc;
    long item_line;
    const char *item_key; /* interned, for figures */
    const char *item_label;
    ss_translation *item_labels; /* its label-LL translations */
    size_t item_nlabels;
    bool item_has_child;
    ss_buf text;

    /* The open <table>. */
    char *table_desc;
    const char *table_key;
    long table_line;
    bool total_given, total_ok, rows_ok;
    uint64_t total_value;
} loader;

static void error_at(loader *ld, long line, const char *elem, const char *fmt,
                     ...) __attribute__((format(printf, 4, 5)));

static void error_at(loader *ld, long line, const char *elem, const char *fmt,
                     ...)
{
    va_list ap;
    va_start(ap, fmt);
    (void)elem; /* names the element at the call site */
    ss_diag_vadd(ld->diag, SS_ERROR, ld->name, line, fmt, ap);
    va_end(ap);
}

/* A piece of the user's text for a message: at most QUOTE_MAX code points,
 * cut on a character boundary.  A new string. */
static char *quote(const char *s)
{
    size_t n = 0, cps = 0;
    while (s[n] && cps < QUOTE_MAX) {
        n++;
        while (((unsigned char)s[n] & 0xC0) == 0x80)
            n++;
        cps++;
    }
    if (!s[n])
        return ss_xstrdup(s);
    return ss_xasprintf("%.*s...", (int)n, s);
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static bool only_chars(const char *s, const char *set)
{
    for (; *s; s++)
        if (!strchr(set, *s))
            return false;
    return true;
}

/* Parses a figure or row value (or a total): a whole number 0 to
 * SS_FIGURE_MAX, digits only, white space around it allowed.  On a bad
 * value reports "SUBJECT: ..." and returns false. */
static bool check_value(loader *ld, long line, const char *elem,
                        const char *subject, const char *raw, uint64_t *out)
{
    char *t = ss_trim_dup(raw);
    char *q = quote(t);
    bool ok = false;
    if (!*t) {
        error_at(ld, line, elem,
                 "%s: the value is empty; write a whole number, e.g. 0",
                 subject);
    } else if (all_digits(t)) {
        const char *d = t;
        while (d[0] == '0' && d[1])
            d++; /* leading zeros do not change the number */
        uint64_t v = 0;
        bool big = strlen(d) > 12;
        for (; !big && *d; d++)
            v = v * 10 + (uint64_t)(*d - '0');
        if (big || v > SS_FIGURE_MAX) {
            error_at(ld, line, elem,
                     "%s: '%s' is too large; the largest number allowed is "
                     "999999999999",
                     subject, q);
        } else {
            *out = v;
            ok = true;
        }
    } else if (t[0] == '-' && only_chars(t + 1, "0123456789.,")) {
        error_at(ld, line, elem,
                 "%s: '%s' is negative; write a whole number from 0 up",
                 subject, q);
    } else if (t[0] == '+' && only_chars(t + 1, "0123456789")) {
        error_at(ld, line, elem,
                 "%s: '%s' has a plus sign; write digits only, without '+'",
                 subject, q);
    } else if (strchr(t, ',') && only_chars(t, "0123456789,. ")) {
        error_at(ld, line, elem,
                 "%s: '%s' is not a whole number; write digits only, "
                 "without commas",
                 subject, q);
    } else if (strchr(t, '.') && only_chars(t, "0123456789.")) {
        error_at(ld, line, elem,
                 "%s: '%s' has a decimal point; write a whole number with "
                 "digits only (no decimals, no separators)",
                 subject, q);
    } else if ((strchr(t, 'e') || strchr(t, 'E')) &&
               only_chars(t, "0123456789.eE+-")) {
        error_at(ld, line, elem,
                 "%s: '%s' is written with an exponent; write the number "
                 "out in full, digits only",
                 subject, q);
    } else if (only_chars(t, "0123456789 \t\r\n")) {
        error_at(ld, line, elem,
                 "%s: '%s' is not a whole number; write digits only, "
                 "without spaces",
                 subject, q);
    } else {
        error_at(ld, line, elem,
                 "%s: '%s' is not a whole number; write digits only, "
                 "e.g. 1333",
                 subject, q);
    }
    free(q);
    free(t);
    return ok;
}

/* The key syntax: [a-z][a-z0-9_]* segments joined by '.'. */
bool ss_key_syntax_ok(const char *k, size_t n)
{
    bool seg_start = true;
    for (size_t i = 0; i < n; i++) {
        char c = k[i];
        if (seg_start) {
            if (c < 'a' || c > 'z')
                return false;
            seg_start = false;
        } else if (c == '.') {
            seg_start = true;
        } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '_')) {
            return false;
        }
    }
    return !seg_start;
}

/* ---- attributes -------------------------------------------------------- */

#define ATTRS_MAX 3 /* the most attributes any element of the format has */

typedef struct attrs {
    const char *names[ATTRS_MAX]; /* allowed names, NULL-terminated */
    char *values[ATTRS_MAX];      /* given values (new strings) or NULL */
    const char *base;             /* "name": name-LL translations allowed */
    char *tr_lang[SS_LANGS_MAX], *tr_value[SS_LANGS_MAX];
    int ntr;
} attrs;

/* ISO 639-1's two-letter language codes (the schema lists the same). */
static const char ISO_639_1[] =
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr "
    "cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu "
    "gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk "
    "kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms "
    "mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro "
    "ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl "
    "tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu";

/* The language of a translation attribute, base-LL, or NULL. */
static const char *translation_of(const char *base, const char *n)
{
    size_t k = base ? strlen(base) : 0;
    if (!k || strncmp(n, base, k) || n[k] != '-')
        return NULL;
    const char *l = n + k + 1;
    if (!(l[0] >= 'a' && l[0] <= 'z' && l[1] >= 'a' && l[1] <= 'z' && !l[2]))
        return NULL;
    for (const char *c = ISO_639_1; *c; c += c[2] ? 3 : 2)
        if (c[0] == l[0] && c[1] == l[1])
            return l;
    return NULL;
}

/* Reads the attributes of the current element into a; reports any the
 * format does not allow. */
static void read_attrs(loader *ld, const char *elem, long line, attrs *a)
{
    xmlTextReaderPtr r = ld->reader;
    for (int i = 0; i < ATTRS_MAX; i++)
        a->values[i] = NULL;
    if (xmlTextReaderMoveToFirstAttribute(r) != 1)
        return;
    do {
        if (xmlTextReaderIsNamespaceDecl(r) == 1)
            continue;
        const char *n = (const char *)xmlTextReaderConstName(r);
        const char *v = (const char *)xmlTextReaderConstValue(r);
        int i = 0;
        if (!xmlTextReaderConstNamespaceUri(r))
            while (i < ATTRS_MAX && a->names[i] && strcmp(a->names[i], n) != 0)
                i++;
        const char *lang = xmlTextReaderConstNamespaceUri(r) ? NULL
                           : translation_of(a->base, n);
        if (i < ATTRS_MAX && a->names[i] && !xmlTextReaderConstNamespaceUri(r)) {
            if (!a->values[i])
                a->values[i] = ss_xstrdup(v ? v : "");
        } else if (lang && a->ntr < SS_LANGS_MAX) {
            a->tr_lang[a->ntr] = ss_xstrdup(lang);
            a->tr_value[a->ntr++] = ss_xstrdup(v ? v : "");
        } else if (lang) {
            error_at(ld, line, elem, "<%s> has more than %d translations; keep those "
                     "the templates use", elem, SS_LANGS_MAX);
        } else if (a->base && !strncmp(n, a->base, strlen(a->base)) &&
                   n[strlen(a->base)] == '-') {
            char *qn = quote(n);
            error_at(ld, line, elem, "<%s> has an attribute '%s'; a translation is "
                     "written %s-LL with a two-letter lower-case ISO 639-1 language code, "
                     "e.g. %s-es", elem, qn, a->base, a->base);
            free(qn);
        } else {
            char *qn = quote(n ? n : "");
            error_at(ld, line, elem,
                     "<%s> has an attribute '%s' that the format does not "
                     "allow; remove it",
                     elem, qn);
            free(qn);
        }
    } while (xmlTextReaderMoveToNextAttribute(r) == 1);
    xmlTextReaderMoveToElement(r);
}

static void attrs_free(attrs *a)
{
    for (int i = 0; i < ATTRS_MAX; i++)
        free(a->values[i]);
    for (int i = 0; i < a->ntr; i++)
        free(a->tr_lang[i]), free(a->tr_value[i]);
}

/* A name or label as it will print (names.h), or NULL after reporting the
 * character that cannot be in it. */
static char *clean_text(loader *ld, long line, const char *elem, const char *desc,
                        const char *what, const char *raw)
{
    ss_name_problem pr;
    long cp;
    char *t = ss_name_clean(raw, &pr, &cp);
    if (!t)
        error_at(ld, line, elem, "%s: %s has the character U+%04lX, %s; %s",
                 desc, what, cp, ss_name_problem_text(pr), ss_name_advice(pr));
    return t;
}

/* The translations in a, checked like the name or label they translate
 * (max: its length limit), in the state's pool. */
static ss_translation *translations(loader *ld, long line, const char *elem, const char *desc,
                                    size_t max, const attrs *a, size_t *n)
{
    ss_translation tr[SS_LANGS_MAX];
    *n = 0;
    for (int i = 0; i < a->ntr; i++) {
        char *w = ss_xasprintf("%s-%s", a->base, a->tr_lang[i]);
        char *t = clean_text(ld, line, elem, desc, w, a->tr_value[i]);
        size_t len = t ? ss_utf8_length(t) : 0;
        if (t && len == 0)
            error_at(ld, line, elem, "%s: %s is empty; write it, or remove the attribute",
                     desc, w);
        else if (t && len > max)
            error_at(ld, line, elem, "%s: %s is %zu characters long; the most allowed is "
                     "%zu", desc, w, len, max);
        else if (t)
            tr[(*n)++] = (ss_translation){pool_strdup(ld->spool, a->tr_lang[i]),
                                   pool_strdup(ld->spool, t)};
        free(t);
        free(w);
    }
    return pool_memdup(ld->spool, tr, *n * sizeof *tr);
}

const char *ss_text_in(const ss_translation *t, size_t n, const char *lang)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(t[i].lang, lang))
            return t[i].text;
    return NULL;
}

/* ---- elements ---------------------------------------------------------- */

static void start_statedata(loader *ld, long line)
{
    attrs a = {{"year", "sample", NULL}, {NULL}, NULL, {NULL}, {NULL}, 0};
    read_attrs(ld, "statedata", line, &a);
    ld->ds->line = line;
    const char *year = a.values[0], *sample = a.values[1];
    if (!year) {
        error_at(ld, line, "statedata",
                 "<statedata> needs a year attribute, e.g. year=\"2023\"");
    } else if (strlen(year) != 4 || !all_digits(year)) {
        char *q = quote(year);
        error_at(ld, line, "statedata",
                 "year '%s' is not a year; write four digits, e.g. "
                 "year=\"2023\"",
                 q);
        free(q);
    } else {
        int y = atoi(year);
        if (y < SS_YEAR_MIN || y > SS_YEAR_MAX)
            error_at(ld, line, "statedata",
                     "year %s is out of range; write a year from %d to %d",
                     year, SS_YEAR_MIN, SS_YEAR_MAX);
        ld->ds->year = y;
    }
    if (sample) {
        if (strcmp(sample, "true") == 0) {
            ld->ds->sample = true;
        } else if (strcmp(sample, "false") != 0) {
            char *q = quote(sample);
            error_at(ld, line, "statedata",
                     "sample=\"%s\" is not allowed; write sample=\"true\" "
                     "(the figures are not real) or sample=\"false\"",
                     q);
            free(q);
        }
    }
    attrs_free(&a);
}

static void begin_parent(loader *ld)
{
    ld->parent_stamp++;
    ld->nfigs = 0;
    ld->ntabs = 0;
    memset(&ld->cur, 0, sizeof(ld->cur));
    free(ld->state_desc);
    ld->state_desc = NULL;
}

static void start_national(loader *ld, long line)
{
    attrs a = {{NULL}, {NULL}, NULL, {NULL}, {NULL}, 0};
    read_attrs(ld, "national", line, &a);
    attrs_free(&a);
    if (ld->seen_national)
        error_at(ld, line, "national",
                 "there is a second <national> (the first is at line %ld); "
                 "put all national figures in one <national>",
                 ld->ds->national_line);
    else if (ld->seen_state)
        error_at(ld, line, "national",
                 "<national> comes after a <state>; move it above the first "
                 "<state> (line %ld)",
                 ld->first_state_line);
    if (!ld->seen_national)
        ld->ds->national_line = line;
    ld->seen_national = true;
    begin_parent(ld);
    ld->in_national = true;
    ld->state_desc = ss_xstrdup("national");
}

static void end_national(loader *ld)
{
    if (!ld->ds->national) {
        ld->ds->national = pool_memdup(ld->pool, ld->figs,
                                       ld->nfigs * sizeof(ss_figure));
        ld->ds->nnational = ld->nfigs;
    }
    ld->in_national = false;
}

static void start_state(loader *ld, long line)
{
    attrs a = {{"code", "name", NULL}, {NULL}, "name", {NULL}, {NULL}, 0};
    read_attrs(ld, "state", line, &a);
    begin_parent(ld);
    if (!ld->seen_state)
        ld->first_state_line = line;
    ld->seen_state = true;
    ld->cur.line = line;
    const char *code = a.values[0], *name = a.values[1];
    if (!code) {
        error_at(ld, line, "state",
                 "<state> needs a code attribute, e.g. code=\"ND\"");
        ld->state_desc = ss_xasprintf("the state at line %ld", line);
        ld->cur.code = "";
    } else {
        char *q = quote(code);
        ld->state_desc = ss_xasprintf("state %s", q);
        size_t n = strlen(code);
        if (n == 0)
            error_at(ld, line, "state",
                     "the state code is empty; write 2 to 10 capital "
                     "letters, digits or '-', e.g. code=\"ND\"");
        else if (!only_chars(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"))
            error_at(ld, line, "state",
                     "state code '%s' has characters that are not allowed; "
                     "use only capital letters A-Z, digits 0-9 and '-', "
                     "e.g. code=\"ND\"",
                     q);
        else if (n < SS_CODE_MIN)
            error_at(ld, line, "state",
                     "state code '%s' is too short; a code has %d to %d "
                     "characters, e.g. code=\"ND\"",
                     q, SS_CODE_MIN, SS_CODE_MAX);
        else if (n > SS_CODE_MAX)
            error_at(ld, line, "state",
                     "state code '%s' is too long (%zu characters); a code "
                     "has %d to %d characters",
                     q, n, SS_CODE_MIN, SS_CODE_MAX);
        entry *e = intern(ld->pool, code);
        if (e->code_line)
            error_at(ld, line, "state",
                     "state code '%s' is used twice (first at line %ld); "
                     "each state needs its own code",
                     q, e->code_line);
        else
            e->code_line = line;
        ld->cur.code = e->s;
        free(q);
    }
    if (!name) {
        error_at(ld, line, "state",
                 "<state> needs a name attribute, e.g. name=\"North "
                 "Dakota\"");
        ld->cur.name = "";
    } else {
        char *t = clean_text(ld, line, "state", ld->state_desc, "the name", name);
        size_t n = t ? ss_utf8_length(t) : 1;
        if (!t)
            t = ss_trim_dup(name);
        else if (n == 0)
            error_at(ld, line, "state",
                     "%s: the name is empty; write the state's name, e.g. "
                     "name=\"North Dakota\"",
                     ld->state_desc);
        else if (n > SS_NAME_MAX)
            error_at(ld, line, "state",
                     "%s: the name is %zu characters long; the most allowed "
                     "is %d",
                     ld->state_desc, n, SS_NAME_MAX);
        ld->cur.name = pool_strdup(ld->spool, t);
        free(t);
    }
    ld->cur.names = translations(ld, line, "state", ld->state_desc, SS_NAME_MAX,
                                 &a, &ld->cur.nnames);
    attrs_free(&a);
}

static void end_state(loader *ld)
{
    ss_state st = ld->cur;
    st.figures = pool_memdup(ld->spool, ld->figs, ld->nfigs * sizeof(ss_figure));
    st.nfigures = ld->nfigs;
    st.tables = pool_memdup(ld->spool, ld->tabs, ld->ntabs * sizeof(ss_table));
    st.ntables = ld->ntabs;
    ss_dataset *ds = ld->ds;
    if (ld->each) {
        /* Streaming: the state lives until the callback returns. */
        ld->each(ds, &st, ld->each_ctx);
        ld->streamed++;
        pool_reset(ld->spool);
        return;
    }
    ds->states = ss_xgrow(ds->states, sizeof(ss_state), ds->nstates + 1,
                          &ld->states_cap);
    ds->states[ds->nstates++] = st;
}

/* "state ND: the figure" / "the national figure" */
static char *owner_of(loader *ld, const char *what)
{
    if (ld->in_national)
        return ss_xasprintf("the national %s", what);
    return ss_xasprintf("%s: the %s", ld->state_desc, what);
}

/* Checks a figure or table key; returns its interned entry (even when
 * bad, so that the rest of the element can still be checked). */
static entry *check_key(loader *ld, long line, const char *elem,
                        const char *key, bool table)
{
    char *owner = owner_of(ld, elem);
    char *q = quote(key);
    size_t n = strlen(key);
    if (n > SS_KEY_MAX)
        error_at(ld, line, elem,
                 "%s key '%s' is %zu characters long; the most allowed is %d",
                 owner, q, n, SS_KEY_MAX);
    else if (!ss_key_syntax_ok(key, strlen(key)))
        error_at(ld, line, elem,
                 "%s key '%s' is not valid; write lowercase words of a-z, "
                 "0-9 and _ (each starting with a letter) joined by dots, "
                 "e.g. key=\"%s\"",
                 owner, q, table ? "missing.cases" : "cybertipline.reports");
    entry *e = intern(ld->pool, key);
    uint32_t *stamp = table ? &e->tab_stamp : &e->fig_stamp;
    long *first = table ? &e->tab_line : &e->fig_line;
    if (*stamp == ld->parent_stamp) {
        error_at(ld, line, elem,
                 "%s key '%s' is used twice (first at line %ld); each %s "
                 "needs its own key",
                 owner, q, *first,
                 table ? "table of a state"
                       : ld->in_national ? "national figure"
                                         : "figure of a state");
    } else {
        *stamp = ld->parent_stamp;
        *first = line;
    }
    free(q);
    free(owner);
    return e;
}

static void start_figure(loader *ld, long line)
{
    attrs a = {{"key", NULL}, {NULL}, NULL, {NULL}, {NULL}, 0};
    read_attrs(ld, "figure", line, &a);
    ld->item_line = line;
    ld->item_key = NULL;
    ld->item_has_child = false;
    ss_buf_clear(&ld->text);
    free(ld->item_desc);
    if (!a.values[0]) {
        error_at(ld, line, "figure",
                 "<figure> needs a key attribute, e.g. "
                 "key=\"cybertipline.reports\"");
        ld->item_desc = ld->in_national
                            ? ss_xstrdup("a national figure without a key")
                            : ss_xasprintf("%s, a figure without a key",
                                           ld->state_desc);
    } else {
        entry *e = check_key(ld, line, "figure", a.values[0], false);
        ld->item_key = e->s;
        char *q = quote(e->s);
        ld->item_desc = ld->in_national
                            ? ss_xasprintf("national figure '%s'", q)
                            : ss_xasprintf("%s, figure '%s'", ld->state_desc, q);
        free(q);
    }
    attrs_free(&a);
}

static void end_figure(loader *ld)
{
    uint64_t v = 0;
    if (!ld->item_has_child)
        check_value(ld, ld->item_line, "figure", ld->item_desc,
                    ld->text.data ? ld->text.data : "", &v);
    ld->figs = ss_xgrow(ld->figs, sizeof(ss_figure), ld->nfigs + 1,
                        &ld->figs_cap);
    ld->figs[ld->nfigs++] =
        (ss_figure){ld->item_key ? ld->item_key : "", v, ld->item_line};
}

static void start_table(loader *ld, long line)
{
    attrs a = {{"key", "total", NULL}, {NULL}, NULL, {NULL}, {NULL}, 0};
    read_attrs(ld, "table", line, &a);
    ld->table_line = line;
    ld->table_key = "";
    ld->nrows = 0;
    ld->rows_ok = true;
    ld->total_given = a.values[1] != NULL;
    ld->total_ok = false;
    free(ld->table_desc);
    if (!a.values[0]) {
        error_at(ld, line, "table",
                 "<table> needs a key attribute, e.g. key=\"missing.cases\"");
        ld->table_desc = ss_xasprintf("%s, a table without a key",
                                      ld->state_desc);
    } else {
        entry *e = check_key(ld, line, "table", a.values[0], true);
        ld->table_key = e->s;
        char *q = quote(e->s);
        ld->table_desc = ss_xasprintf("%s, table '%s'", ld->state_desc, q);
        free(q);
    }
    if (ld->total_given) {
        char *subject = ss_xasprintf("%s, total", ld->table_desc);
        ld->total_ok = check_value(ld, line, "table", subject, a.values[1],
                                   &ld->total_value);
        free(subject);
    }
    attrs_free(&a);
}

static void end_table(loader *ld)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < ld->nrows; i++)
        sum += ld->rows[i].value; /* cannot wrap: each row < 2^40 */
    if (ld->total_given && ld->total_ok && ld->rows_ok &&
        sum != ld->total_value)
        error_at(ld, ld->table_line, "table",
                 "%s: the total is %llu but the rows add up to %llu; correct "
                 "the total or the rows",
                 ld->table_desc, (unsigned long long)ld->total_value,
                 (unsigned long long)sum);
    ss_table t = {ld->table_key,
                  pool_memdup(ld->spool, ld->rows, ld->nrows * sizeof(ss_row)),
                  ld->nrows, ld->total_given, sum, ld->table_line};
    ld->tabs = ss_xgrow(ld->tabs, sizeof(ss_table), ld->ntabs + 1,
                        &ld->tabs_cap);
    ld->tabs[ld->ntabs++] = t;
}

static void start_row(loader *ld, long line)
{
    attrs a = {{"label", NULL}, {NULL}, "label", {NULL}, {NULL}, 0};
    read_attrs(ld, "row", line, &a);
    ld->item_line = line;
    ld->item_label = "";
    ld->item_has_child = false;
    ss_buf_clear(&ld->text);
    free(ld->item_desc);
    ld->item_desc = NULL;
    if (!a.values[0]) {
        error_at(ld, line, "row",
                 "<row> needs a label attribute, e.g. label=\"Other Missing "
                 "Children Cases\"");
    } else {
        char *t = clean_text(ld, line, "row", ld->table_desc, "a row label", a.values[0]);
        size_t n = t ? ss_utf8_length(t) : 1;
        if (!t)
            t = ss_trim_dup(a.values[0]);
        else if (n == 0)
            error_at(ld, line, "row",
                     "%s: a row label is empty; write the text the sheet "
                     "shows for this row",
                     ld->table_desc);
        else if (n > SS_LABEL_MAX)
            error_at(ld, line, "row",
                     "%s: a row label is %zu characters long; the most "
                     "allowed is %d",
                     ld->table_desc, n, SS_LABEL_MAX);
        else {
            char *q = quote(t);
            ld->item_desc = ss_xasprintf("%s, row '%s'", ld->table_desc, q);
            free(q);
        }
        ld->item_label = intern(ld->pool, t)->s;
        free(t);
    }
    if (!ld->item_desc)
        ld->item_desc = ss_xasprintf("%s, row at line %ld", ld->table_desc,
                                     line);
    ld->item_labels = translations(ld, line, "row", ld->item_desc, SS_LABEL_MAX, &a,
                                   &ld->item_nlabels);
    attrs_free(&a);
}

static void end_row(loader *ld)
{
    uint64_t v = 0;
    if (ld->item_has_child ||
        !check_value(ld, ld->item_line, "row", ld->item_desc,
                     ld->text.data ? ld->text.data : "", &v))
        ld->rows_ok = false;
    ld->rows = ss_xgrow(ld->rows, sizeof(ss_row), ld->nrows + 1, &ld->rows_cap);
    ld->rows[ld->nrows++] = (ss_row){ld->item_label, v, ld->item_line, ld->item_labels,
                                     ld->item_nlabels};
}

static void push_ctx(loader *ld, ctx c, long line)
{
    ld->stack = ss_xgrow(ld->stack, sizeof(frame), ld->depth + 1,
                         &ld->stack_cap);
    ld->stack[ld->depth++] = (frame){c, line};
}

static ctx top(const loader *ld)
{
    return ld->depth ? ld->stack[ld->depth - 1].c : CTX_DOC;
}

/* The element names of the contexts, and what each allows inside it. */
static const char *const CTX_NAME[] = {
    [CTX_DOC] = "?", [CTX_STATEDATA] = "statedata", [CTX_NATIONAL] = "national",
    [CTX_STATE] = "state", [CTX_FIGURE] = "figure", [CTX_TABLE] = "table",
    [CTX_ROW] = "row", [CTX_OTHER] = "?",
};
static const char *const CTX_ALLOWED[] = {
    [CTX_STATEDATA] = "<national>, <state>", [CTX_NATIONAL] = "<figure>",
    [CTX_STATE] = "<figure>, <table>", [CTX_TABLE] = "<row>",
};

/* Which element may stand inside which, and what starts it. */
static const struct {
    ctx parent;
    const char *name;
    ctx c;
    void (*start)(loader *ld, long line);
} CHILDREN[] = {
    {CTX_DOC, "statedata", CTX_STATEDATA, start_statedata},
    {CTX_STATEDATA, "national", CTX_NATIONAL, start_national},
    {CTX_STATEDATA, "state", CTX_STATE, start_state},
    {CTX_NATIONAL, "figure", CTX_FIGURE, start_figure},
    {CTX_STATE, "figure", CTX_FIGURE, start_figure},
    {CTX_STATE, "table", CTX_TABLE, start_table},
    {CTX_TABLE, "row", CTX_ROW, start_row},
};

/* Reports element 'name' where the format has no place for it. */
static void misplaced(loader *ld, long line, const char *name, ctx parent)
{
    char *q = quote(name);
    if (parent == CTX_DOC) {
        error_at(ld, line, "?",
                 "the file starts with <%s>, but a statesheet data file "
                 "starts with <statedata year=\"...\">",
                 q);
    } else if (parent == CTX_FIGURE || parent == CTX_ROW) {
        ld->item_has_child = true; /* then its value is not checked too */
        error_at(ld, line, "?",
                 "unexpected element <%s> inside <%s>; a <%s> holds only a "
                 "number",
                 q, CTX_NAME[parent], CTX_NAME[parent]);
    } else {
        error_at(ld, line, "?", "unexpected element <%s> inside <%s>; allowed here: %s",
                 q, CTX_NAME[parent], CTX_ALLOWED[parent]);
    }
    free(q);
}

static void on_start(loader *ld, long line)
{
    xmlTextReaderPtr r = ld->reader;
    const char *name = (const char *)xmlTextReaderConstName(r);
    const char *local = (const char *)xmlTextReaderConstLocalName(r);
    if (!name || !local)
        name = local = "?";
    /* An element in some namespace is not one of ours, whatever its name. */
    if (xmlTextReaderConstNamespaceUri(r))
        local = "";
    ctx parent = top(ld);
    ctx c = CTX_OTHER;
    for (size_t i = 0; i < sizeof CHILDREN / sizeof *CHILDREN && c == CTX_OTHER; i++)
        if (CHILDREN[i].parent == parent && strcmp(local, CHILDREN[i].name) == 0) {
            c = CHILDREN[i].c;
            CHILDREN[i].start(ld, line);
        }
    if (c == CTX_STATEDATA)
        ld->seen_root = true;
    else if (c == CTX_OTHER && parent != CTX_OTHER)
        misplaced(ld, line, name, parent);
    push_ctx(ld, c, line);
}

static void on_end(loader *ld)
{
    if (!ld->depth)
        return;
    frame f = ld->stack[--ld->depth];
    switch (f.c) {
    case CTX_STATEDATA:
        if (!ld->seen_state)
            error_at(ld, ld->ds->line, "statedata",
                     "the file has no <state>; add at least one <state "
                     "code=\"...\" name=\"...\"> with its figures");
        break;
    case CTX_NATIONAL:
        end_national(ld);
        break;
    case CTX_STATE:
        end_state(ld);
        break;
    case CTX_FIGURE:
        end_figure(ld);
        break;
    case CTX_TABLE:
        end_table(ld);
        break;
    case CTX_ROW:
        end_row(ld);
        break;
    case CTX_DOC:
    case CTX_OTHER:
        break;
    }
}

static void on_text(loader *ld, long line, const char *text)
{
    ctx c = top(ld);
    if (c == CTX_FIGURE || c == CTX_ROW) {
        ss_buf_adds(&ld->text, text);
        return;
    }
    if (c == CTX_OTHER || c == CTX_DOC)
        return;
    char *t = ss_trim_dup(text);
    if (*t) {
        char *q = quote(t);
        error_at(ld, line, CTX_NAME[c],
                 "there is text '%s' directly inside <%s>; numbers belong "
                 "inside <figure> or <row>: remove it or put it in a comment",
                 q, CTX_NAME[c]);
        free(q);
    }
    free(t);
}

/* ---- libxml2's messages ------------------------------------------------ */

static void on_xml_error(void *ctxp, ss_xml_error err)
{
    loader *ld = ctxp;
    /* libxml2 out of memory: not a mistake in the user's file. */
    if (err && err->code == XML_ERR_NO_MEMORY)
        ss_out_of_memory();
    if (!err || err->level < XML_ERR_ERROR || !err->message)
        return;
    ld->parse_failed = true;
    /* The first is the cause; the reader's later complaints echo it. */
    if (!ld->wf_msg) {
        ld->wf_msg = ss_xml_wf_words(ld->data, ld->len, err, "<statedata year=\"...\">",
                                     &ld->wf_cut);
        ld->wf_line = err->line;
    }
}

static void loader_free(loader *ld)
{
    free(ld->wf_msg);
    free(ld->stack);
    free(ld->figs);
    free(ld->tabs);
    free(ld->rows);
    free(ld->state_desc);
    free(ld->item_desc);
    free(ld->table_desc);
    ss_buf_free(&ld->text);
}

/* Each state's code's entry learns its index (the first state of a code,
 * if a mistaken file has two), for ss_dataset_find_state. */
static void build_index(ss_dataset *ds)
{
    pool *p = ds->pool_;
    for (size_t i = 0; i < ds->nstates; i++) {
        const char *code = ds->states[i].code;
        size_t k = ss_strset_find(&p->interned, code, strlen(code));
        if (k != SS_STRSET_NONE && !p->entries[k]->state)
            p->entries[k]->state = i + 1;
    }
}

/* A new dataset for 'name', and the loader that fills it from data. */
static ss_dataset *loader_init(loader *ld, const char *name, const char *data, size_t len,
                               ss_diag *diag, bool mapped, ss_state_fn each,
                               void *each_ctx)
{
    ss_dataset *ds = ss_xcalloc(1, sizeof(*ds));
    ds->path = ss_xstrdup(name);
    ds->pool_ = ss_xcalloc(1, sizeof(pool));
    ld->name = name;
    ld->diag = diag;
    ld->ds = ds;
    ld->pool = ds->pool_;
    ld->spool = each ? ss_xcalloc(1, sizeof(pool)) : ld->pool;
    ld->each = each;
    ld->each_ctx = each_ctx;
    ld->mapped = mapped;
    ss_buf_init(&ld->text);
    ld->lex = (lexer){data, data + len, 1};
    ld->data = data;
    ld->len = len;
    return ds;
}

/* Hands every node libxml2's reader reads to the loader's handlers.
 * Returns the reader's last result (1 never; 0 at the end, -1 when it
 * stopped on broken XML), or -2 when the file has a DOCTYPE. */
static int read_nodes(loader *ld)
{
    const char *released = ld->data;
    int ret;
    while ((ret = xmlTextReaderRead(ld->reader)) == 1) {
        xmlTextReaderPtr r = ld->reader;
        int type = xmlTextReaderNodeType(r);
        long line = xmlGetLineNo(xmlTextReaderCurrentNode(r));
        switch (type) {
        case XML_READER_TYPE_ELEMENT:
            on_start(ld, lex_next_start(&ld->lex));
            if (ld->mapped && (size_t)(ld->lex.p - released) >= SS_XML_SCAN_STEP) {
                mapping_release(ld->data, ld->len, ld->lex.p);
                released = ld->lex.p;
            }
            if (xmlTextReaderIsEmptyElement(r) == 1)
                on_end(ld);
            break;
        case XML_READER_TYPE_END_ELEMENT:
            on_end(ld);
            break;
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA:
        case XML_READER_TYPE_WHITESPACE:
        case XML_READER_TYPE_SIGNIFICANT_WHITESPACE: {
            const char *v = (const char *)xmlTextReaderConstValue(r);
            on_text(ld, line, v ? v : "");
            break;
        }
        case XML_READER_TYPE_DOCUMENT_TYPE:
            /* precheck() refuses these; never read one's entities. */
            ss_diag_error(ld->diag, ld->name, line, DOCTYPE_MSG);
            ld->parse_failed = true;
            return -2;
        case XML_READER_TYPE_ENTITY_REFERENCE:
            ss_diag_error(ld->diag, ld->name, line,
                          "the file uses an entity reference; write the "
                          "text itself instead");
            break;
        default:
            break;
        }
    }
    return ret;
}

/* What is wrong with the file as a whole, once read (ret: read_nodes'),
 * with the messages since diag_before put in order: the cause first. */
static void report_file(loader *ld, int ret, size_t errors_before, size_t diag_before)
{
    ss_diag *diag = ld->diag;
    if (ret < 0 && !ld->parse_failed && ss_diag_error_count(diag) == errors_before)
        ss_diag_error(diag, ld->name, 0, "the XML could not be read");
    if (!ld->parse_failed && !ld->seen_root &&
        ss_diag_error_count(diag) == errors_before)
        ss_diag_error(diag, ld->name, 1,
                      "the file holds no <statedata> element; a data "
                      "file starts with <statedata year=\"...\">");
    if (ld->wf_msg) {
        /* The reader parses ahead of our checks: what they found from the
         * broken spot on are its consequences.  The cause comes first. */
        ss_diag_cause(diag, diag_before, ld->name, ld->wf_cut, ld->wf_line, ld->wf_msg);
    }
}

/* Loads from memory.  With 'keep', the dataset of a well-formed file with
 * mistakes is returned too, and *valid says whether it had none. */
static ss_dataset *load(const char *name, const char *data, size_t len,
                        ss_diag *diag, bool keep, bool *valid,
                        bool mapped, ss_state_fn each, void *each_ctx,
                        size_t *nstreamed)
{
    ss_dataset *ds = NULL;
    loader ld;
    memset(&ld, 0, sizeof(ld));
    size_t errors_before = ss_diag_error_count(diag);
    /* Errors libxml2 raises outside any context would go to stderr. */
    xmlStructuredErrorFunc old_err = xmlStructuredError;
    void *old_err_ctx = xmlStructuredErrorContext;

    if (len > SS_DATA_MAX_BYTES) {
        ss_diag_error(diag, name, 0,
                      "the file is larger than %u MB; a data file this big is "
                      "a mistake",
                      SS_DATA_MAX_BYTES / (1024u * 1024u));
    } else if (precheck(name, data, len, diag, mapped)) {
        xmlInitParser();
        /* No DTD, external entity, schema import or network resource is
         * ever loaded: every request for one fails (xmlsafe.c). */
        ss_xml_lockdown();
        xmlSetStructuredErrorFunc(&ld, on_xml_error);
        ds = loader_init(&ld, name, data, len, diag, mapped, each, each_ctx);
        size_t diag_before = ss_diag_count(diag);
        ld.reader = xmlReaderForMemory(data, (int)len, NULL, NULL,
                                       XML_PARSE_NONET | XML_PARSE_BIG_LINES);
        if (!ld.reader) {
            ss_diag_error(diag, name, 0, "the XML parser could not start");
        } else {
            xmlTextReaderSetStructuredErrorHandler(ld.reader, on_xml_error, &ld);
            int ret = read_nodes(&ld);
            if (ret != -2)
                report_file(&ld, ret, errors_before, diag_before);
            xmlFreeTextReader(ld.reader);
        }
        xmlSetStructuredErrorFunc(old_err_ctx, old_err);
    }
    bool ok = ss_diag_error_count(diag) == errors_before;
    *valid = ok;
    /* A file with mistakes is kept for the template's checks only when it
     * is a data file at all: under another root element every "missing"
     * figure would be a consequence of the one cause. */
    if (!ok && !(keep && ds && !ld.parse_failed && ld.seen_root)) {
        ss_dataset_free(ds);
        ds = NULL;
    }
    if (ld.spool && ld.spool != ld.pool)
        pool_free(ld.spool);
    if (nstreamed)
        *nstreamed = ld.streamed;
    loader_free(&ld);
    if (ds && !each)
        build_index(ds);
    return ds;
}

ss_dataset *ss_dataset_load_memory(const char *name, const char *data,
                                   size_t len, ss_diag *diag)
{
    bool valid;
    return load(name, data, len, diag, false, &valid, false, NULL, NULL, NULL);
}

ss_dataset *ss_dataset_load_all(const char *path, ss_diag *diag, int *io_errno,
                                bool *valid)
{
    size_t len;
    int err = 0;
    char *data = ss_read_file(path, SS_DATA_MAX_BYTES, &len, &err);
    *io_errno = err;
    *valid = false;
    if (!data)
        return NULL;
    /* A spreadsheet is told from XML by its first bytes, which only a file
     * can be read for twice (run.c); from a pipe it is refused at once. */
    struct stat st;
    bool stream = !strcmp(path, "-") || (stat(path, &st) == 0 && !S_ISREG(st.st_mode));
    if (stream && len && ss_form_of((const unsigned char *)data, len) != SS_FORM_XML) {
        ss_diag_error(diag, path, 0, "this is not an XML data file; a spreadsheet (CSV, "
                      ".xlsx, .ods) is read only from a file: save it and give its name");
        free(data);
        return NULL;
    }
    ss_dataset *ds = load(path, data, len, diag, true, valid, false, NULL, NULL, NULL);
    if (ds) {
        ss_sha256_hex(data, len, ds->sha256);
        ds->bytes = len;
    }
    free(data);
    return ds;
}

/* Maps the regular file open at fd read-only; NULL (with *err 0) when it
 * is not one that can be mapped, so the caller reads it instead. */
static const char *map_fd(int fd, size_t *len, int *err)
{
    struct stat st;
    *err = 0;
    if (fstat(fd, &st) != 0) {
        *err = errno;
    } else if (S_ISDIR(st.st_mode)) {
        *err = EISDIR;
    } else if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > SS_DATA_MAX_BYTES) {
        *err = EFBIG;
    } else if (S_ISREG(st.st_mode) && st.st_size > 0) {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m != MAP_FAILED) {
            *len = (size_t)st.st_size;
            return m;
        }
    }
    return NULL;
}

/* A mapped file that another program cuts short while we read it (an
 * editor saving in place) turns our next look past its new end into
 * SIGBUS.  That is caught and said in words instead of a crash; what the
 * interrupted parse had allocated is left (the command ends right after). */
static sigjmp_buf bus_jump;
static volatile sig_atomic_t bus_armed;

static void on_bus(int sig)
{
    if (bus_armed)
        siglongjmp(bus_jump, 1);
    signal(sig, SIG_DFL);
    raise(sig);
}

static ss_dataset *stream_mapped(const char *name, const char *map, size_t len,
                                 ss_diag *diag, ss_state_fn each, void *each_ctx,
                                 size_t *nstates)
{
    bool valid = false;
    ss_dataset *volatile ds = NULL;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_bus;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, &old);
    if (sigsetjmp(bus_jump, 1) == 0) {
        bus_armed = 1;
        ds = load(name, map, len, diag, false, &valid, true, each, each_ctx, nstates);
    } else {
        xmlSetStructuredErrorFunc(NULL, NULL);
        ss_diag_error(diag, name, 0, "the file got shorter while statesheet read it (was "
                      "it being saved?); run the command again once it is saved");
    }
    bus_armed = 0;
    sigaction(SIGBUS, &old, NULL);
    munmap((void *)(uintptr_t)map, len);
    return ds;
}

ss_dataset *ss_dataset_stream(const char *path, ss_diag *diag, int *io_errno,
                              ss_state_fn each, void *each_ctx, size_t *nstates)
{
    size_t len = 0;
    bool valid = false;
    *nstates = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *io_errno = errno;
        return NULL;
    }
    const char *map = map_fd(fd, &len, io_errno);
    close(fd);
    if (map)
        return stream_mapped(path, map, len, diag, each, each_ctx, nstates);
    if (*io_errno)
        return NULL;
    /* Not a regular file (a pipe, /dev/stdin) or an empty one: read it. */
    char *data = ss_read_file(path, SS_DATA_MAX_BYTES, &len, io_errno);
    if (!data)
        return NULL;
    ss_dataset *ds = load(path, data, len, diag, false, &valid, false, each, each_ctx,
                          nstates);
    free(data);
    return ds;
}

ss_dataset *ss_dataset_stream_memory(const char *name, const char *data, size_t len,
                                     ss_diag *diag, ss_state_fn each, void *each_ctx,
                                     size_t *nstates)
{
    bool valid = false;
    *nstates = 0;
    return load(name, data, len, diag, false, &valid, false, each, each_ctx, nstates);
}

ss_dataset *ss_dataset_stream_fd(const char *name, int fd, ss_diag *diag,
                                 ss_state_fn each, void *each_ctx, size_t *nstates)
{
    size_t len = 0;
    int err = 0;
    *nstates = 0;
    const char *map = map_fd(fd, &len, &err);
    if (map)
        return stream_mapped(name, map, len, diag, each, each_ctx, nstates);
    ss_diag_error(diag, name, 0, "the file could not be read: %s",
                  strerror(err ? err : EINVAL));
    return NULL;
}

void ss_dataset_free(ss_dataset *ds)
{
    if (!ds)
        return;
    free(ds->states);
    free(ds->path);
    pool_free(ds->pool_);
    free(ds);
}

const ss_state *ss_dataset_find_state(const ss_dataset *ds, const char *code)
{
    const pool *p = ds->pool_;
    if (!p || !code)
        return NULL;
    size_t k = ss_strset_find(&p->interned, code, strlen(code));
    if (k == SS_STRSET_NONE || !p->entries[k]->state)
        return NULL;
    return &ds->states[p->entries[k]->state - 1];
}

const ss_figure *ss_state_figure(const ss_state *st, const char *key)
{
    for (size_t i = 0; i < st->nfigures; i++)
        if (strcmp(st->figures[i].key, key) == 0)
            return &st->figures[i];
    return NULL;
}

const ss_table *ss_state_table(const ss_state *st, const char *key)
{
    for (size_t i = 0; i < st->ntables; i++)
        if (strcmp(st->tables[i].key, key) == 0)
            return &st->tables[i];
    return NULL;
}

const ss_figure *ss_dataset_national(const ss_dataset *ds, const char *key)
{
    for (size_t i = 0; i < ds->nnational; i++)
        if (strcmp(ds->national[i].key, key) == 0)
            return &ds->national[i];
    return NULL;
}
