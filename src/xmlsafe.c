/* xmlsafe.c - libxml2 on untrusted input. */
#include "xmlsafe.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "util.h"

static xmlParserInputPtr deny_loader(const char *url, const char *id,
                                     xmlParserCtxtPtr ctxt)
{
    (void)url, (void)id, (void)ctxt;
    return NULL; /* nothing outside the given bytes is ever read */
}

void ss_xml_lockdown(void)
{
    xmlSetExternalEntityLoader(deny_loader);
    /* libxml2 runs out of memory as the program does (ss_out_of_memory):
     * many of its calls answer a failed allocation with NULL, which would
     * read as an attribute missing from the user's file. */
    xmlMemSetup(free, ss_xmalloc, ss_xrealloc, ss_xstrdup);
}

/* libxml2's message, trimmed and with its first letter lowered, as a new
 * string. */
static char *xml_message(const char *msg)
{
    char *m = ss_trim_dup(msg ? msg : "unknown problem");
    if (m[0] && isupper((unsigned char)m[0]) && !isupper((unsigned char)m[1]))
        m[0] = (char)tolower((unsigned char)m[0]);
    return m;
}

/* ---- well-formedness errors in plain words ------------------------------ */

/* What a byte scan of the file says about its elements: the innermost one
 * still open at the end, and what follows the root element's end. */
typedef struct shape {
    bool has_root;
    const char *open_name; /* innermost open element at the end, or NULL */
    size_t open_len;
    long open_line;
    const char *root_name;
    size_t root_len;
    long root_end_line;    /* where the root element closed, or 0 */
    long after_line;       /* the first thing after it, or 0 */
    bool after_is_element;
    const char *after_name;
    size_t after_len;
} shape;

static size_t name_len(const char *p, const char *end)
{
    const char *q = p;
    while (q < end && !strchr(" \t\r\n/>", *q))
        q++;
    return (size_t)(q - p);
}

/* Moves *p to just past the next 'until' (or to the end), counting the
 * lines it passes in *line.  Both byte scans below use it. */
static void skip_past(const char **p, const char *end, const char *until, long *line)
{
    size_t ul = strlen(until);
    const char *q = *p;
    while (q < end && ((size_t)(end - q) < ul || memcmp(q, until, ul)))
        *line += *q++ == '\n';
    *p = q + (q < end ? ul : 0);
}

/* Moves *p over a start tag's name and attributes to the '>' or '<' that
 * ends it (outside quoted values), counting lines.  Returns how many '='
 * it passed outside quotes; *last is the last other character but space
 * ('/' for an empty element). */
static size_t scan_tag(const char **p, const char *end, long *line, char *last)
{
    size_t n = 0;
    char quote = 0;
    for (; *p < end; (*p)++) {
        char c = **p;
        if (c == '\n')
            (*line)++;
        if (quote) {
            quote = c == quote ? 0 : quote;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '>' || c == '<') {
            break;
        } else if (c == '=') {
            n++;
        }
        if (!isspace((unsigned char)c))
            *last = c;
    }
    return n;
}

static void scan_shape(const char *data, size_t len, shape *sh)
{
    memset(sh, 0, sizeof *sh);
    const char *p = data, *end = data + len;
    long line = 1;
    /* Open elements: (name, length, line), grown as needed. */
    struct open {
        const char *name;
        size_t len;
        long line;
    } *stack = NULL;
    size_t depth = 0, cap = 0;
    while (p < end) {
        char c = *p++;
        if (c == '\n') {
            line++;
            continue;
        }
        bool closed_root = sh->has_root && depth == 0;
        if (c != '<') {
            if (closed_root && !sh->after_line && !strchr(" \t\r", c)) {
                sh->after_line = line;
            }
            continue;
        }
        if (p >= end)
            break;
        if (*p == '!' && end - p >= 3 && !memcmp(p, "!--", 3)) {
            skip_past(&p, end, "-->", &line);
        } else if (*p == '!' && end - p >= 8 && !memcmp(p, "![CDATA[", 8)) {
            if (closed_root && !sh->after_line)
                sh->after_line = line;
            skip_past(&p, end, "]]>", &line);
        } else if (*p == '?' || *p == '!') {
            skip_past(&p, end, ">", &line);
        } else if (*p == '/') {
            if (closed_root && !sh->after_line) {
                sh->after_line = line;
                sh->after_is_element = true;
                sh->after_name = p + 1;
                sh->after_len = name_len(p + 1, end);
            }
            if (depth && --depth == 0 && !sh->root_end_line)
                sh->root_end_line = line;
            skip_past(&p, end, ">", &line);
        } else {
            const char *name = p;
            size_t nl = name_len(p, end);
            long at = line;
            char prev = 0;
            scan_tag(&p, end, &line, &prev);
            bool empty = p < end && *p == '>' && prev == '/';
            if (p < end && *p == '>')
                p++;
            if (closed_root && !sh->after_line) {
                sh->after_line = at;
                sh->after_is_element = true;
                sh->after_name = name;
                sh->after_len = nl;
            }
            if (!sh->has_root) {
                sh->has_root = true;
                sh->root_name = name;
                sh->root_len = nl;
            }
            if (empty) {
                if (depth == 0 && !sh->root_end_line)
                    sh->root_end_line = at;
            } else {
                stack = ss_xgrow(stack, sizeof *stack, depth + 1, &cap);
                stack[depth++] = (struct open){name, nl, at};
            }
        }
    }
    if (depth) {
        sh->open_name = stack[depth - 1].name;
        sh->open_len = stack[depth - 1].len;
        sh->open_line = stack[depth - 1].line;
    }
    free(stack);
}

#define NOT_WF "the XML is not well-formed: "

char *ss_xml_wf_words(const char *data, size_t len, const xmlError *e,
                      const char *root_example, long *cut)
{
    const char *m = e->message ? e->message : "";
    const char *s1 = e->str1;
    *cut = e->line;
    switch (e->code) {
    case XML_ERR_TAG_NAME_MISMATCH:
        if (s1 && e->str2) {
            *cut = e->int1 ? e->int1 : e->line;
            return ss_xasprintf(NOT_WF "<%s> (line %d) is closed by </%s>; every <%s> "
                                "needs its own </%s>", s1, e->int1, e->str2, s1, s1);
        }
        break;
    case XML_ERR_DOCUMENT_END:
    case XML_ERR_TAG_NOT_FINISHED:
    case XML_ERR_LTSLASH_REQUIRED:
    case XML_ERR_DOCUMENT_EMPTY: {
        shape sh;
        scan_shape(data, len, &sh);
        char *r;
        if (!sh.has_root)
            r = ss_xasprintf("the file holds no XML element (it may be empty, or not "
                             "the right file)%s%s", root_example ? "; it should start "
                             "with " : "", root_example ? root_example : "");
        else if (sh.root_end_line && sh.after_line && sh.after_is_element) {
            r = ss_xasprintf(NOT_WF "there is more after the end of <%.*s> (line %ld): "
                             "<%.*s> on line %ld; everything must be inside the one "
                             "<%.*s>, so move it in or remove it", (int)sh.root_len,
                             sh.root_name, sh.root_end_line, (int)sh.after_len,
                             sh.after_name, sh.after_line, (int)sh.root_len, sh.root_name);
            *cut = sh.after_line;
        } else if (sh.root_end_line && sh.after_line) {
            r = ss_xasprintf(NOT_WF "there is text after the end of <%.*s> (line %ld), "
                             "on line %ld; the file must end with </%.*s>",
                             (int)sh.root_len, sh.root_name, sh.root_end_line,
                             sh.after_line, (int)sh.root_len, sh.root_name);
            *cut = sh.after_line;
        } else if (sh.open_name) {
            r = ss_xasprintf(NOT_WF "the file ends before <%.*s> (line %ld) is closed; "
                             "add </%.*s>", (int)sh.open_len, sh.open_name, sh.open_line,
                             (int)sh.open_len, sh.open_name);
        } else {
            r = ss_xstrdup(NOT_WF "the elements are not closed in the order they were "
                           "opened; check the tags before this line");
        }
        return r;
    }
    case XML_ERR_ATTRIBUTE_NOT_STARTED:
        return ss_xstrdup(NOT_WF "an attribute's value must be written in quotes, "
                          "e.g. key=\"value\"");
    case XML_ERR_ATTRIBUTE_NOT_FINISHED:
    case XML_ERR_STRING_NOT_CLOSED:
        return ss_xstrdup(NOT_WF "an attribute's value is not closed: its closing "
                          "quote is missing");
    case XML_ERR_ATTRIBUTE_WITHOUT_VALUE:
        return ss_xasprintf(NOT_WF "the attribute %s%s%shas no value; write it as "
                            "name=\"value\"", s1 ? "'" : "", s1 ? s1 : "", s1 ? "' " : "");
    case XML_ERR_ATTRIBUTE_REDEFINED:
        return ss_xasprintf(NOT_WF "the attribute %s%s%sis written twice in one tag; "
                            "keep one", s1 ? "'" : "", s1 ? s1 : "", s1 ? "' " : "");
    case XML_ERR_LT_IN_ATTRIBUTE:
        return ss_xstrdup(NOT_WF "an attribute's value holds '<'; write it as &lt;");
    case XML_ERR_NAME_REQUIRED:
    case XML_ERR_ENTITYREF_SEMICOL_MISSING:
        if (strstr(m, "EntityRef") || e->code == XML_ERR_ENTITYREF_SEMICOL_MISSING)
            return ss_xstrdup(NOT_WF "a '&' must be written as &amp;");
        if (strstr(m, "StartTag") || strstr(m, "invalid element name"))
            return ss_xstrdup(NOT_WF "a '<' that does not start a tag must be written "
                              "as &lt;");
        break;
    case XML_ERR_UNDECLARED_ENTITY:
    case XML_WAR_UNDECLARED_ENTITY:
        return ss_xasprintf(NOT_WF "the code &%s; is not known; write the character "
                            "itself (XML knows only &amp; &lt; &gt; &quot; &apos; and "
                            "numbers such as &#233;)", s1 ? s1 : "...");
    case XML_ERR_INVALID_CHAR:
    case XML_ERR_INVALID_CHARREF:
        return ss_xstrdup(NOT_WF "the line holds a character XML does not allow (a "
                          "control character such as U+0001); remove it");
    case XML_ERR_COMMENT_NOT_FINISHED:
        return ss_xstrdup(NOT_WF "a comment (<!--) is not closed with -->");
    case XML_ERR_HYPHEN_IN_COMMENT:
        return ss_xstrdup(NOT_WF "a comment holds '--', which a comment may not");
    case XML_ERR_CDATA_NOT_FINISHED:
        return ss_xstrdup(NOT_WF "a <![CDATA[ section is not closed with ]]>");
    case XML_ERR_GT_REQUIRED:
        return ss_xstrdup(NOT_WF "a tag is not closed with '>'");
    case XML_ERR_SPACE_REQUIRED:
        return ss_xstrdup(NOT_WF "attributes must be separated by a space");
    case XML_ERR_RESERVED_XML_NAME:
        return ss_xstrdup(NOT_WF "the <?xml ...?> declaration must be the very first "
                          "thing in the file");
    default:
        break;
    }
    if (strstr(m, "Excessive depth") || strstr(m, "XML_PARSE_HUGE"))
        return ss_xstrdup(NOT_WF "elements are nested more than 256 deep here; no "
                          "statesheet file nests them more than a few deep: a closing "
                          "tag is probably missing");
    if (strstr(m, "Couldn't find end of Start Tag") || strstr(m, "attributes construct"))
        return ss_xstrdup(NOT_WF "a tag is not finished: check its attributes' quotes "
                          "and its closing '>'");
    return ss_xstrdup(NOT_WF "check the tags on this line: every <tag> needs its "
                      "</tag>, values go in quotes, '&' is written &amp; and '<' &lt;");
}

typedef struct err_ctx {
    const char *name;
    const char *data; /* the document, for ss_xml_wf_words; NULL: schemas */
    size_t len;
    const char *root_example;
    ss_diag *diag;
    int count;
    const char *prefix;
    bool fatal_only_first;
} err_ctx;

static void on_error(void *user, ss_xml_error e)
{
    err_ctx *c = user;
    /* libxml2 out of memory: not a mistake in the user's file. */
    if (e->code == XML_ERR_NO_MEMORY)
        ss_out_of_memory();
    if (e->level == XML_ERR_WARNING)
        return;
    /* After the first well-formedness error libxml2's further complaints
     * are echoes of it: report the first only. */
    if (c->fatal_only_first && c->count > 0)
        return;
    if (c->data) {
        long cut;
        char *w = ss_xml_wf_words(c->data, c->len, e, c->root_example, &cut);
        ss_diag_error(c->diag, c->name, e->line, "%s", w);
        free(w);
        c->count++;
        return;
    }
    char *m = xml_message(e->message);
    ss_diag_error(c->diag, c->name, e->line, "%s%s", c->prefix, m);
    free(m);
    c->count++;
}

/* A DOCTYPE can only stand before the root element, so walking the prolog
 * (white space, comments, processing instructions) finds every one libxml2
 * would read. */
long ss_xml_doctype_line(const char *data, size_t len)
{
    const char *p = data, *end = data + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    for (;;) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
            p++;
        if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
            p = ss_find(p + 4, end, "-->");
            if (!p)
                return 0;
            p += 3;
        } else if (end - p >= 2 && memcmp(p, "<?", 2) == 0) {
            p = ss_find(p + 2, end, "?>");
            if (!p)
                return 0;
            p += 2;
        } else if (end - p >= 9 && memcmp(p, "<!DOCTYPE", 9) == 0) {
            long line = 1;
            for (const char *q = data; q < p; q++)
                line += *q == '\n';
            return line;
        } else {
            return 0;
        }
    }
}

long ss_xml_crowded_tag(const char *data, size_t len,
                        void (*passed)(const char *upto, void *ctx), void *ctx)
{
    const char *p = data, *end = data + len, *told = data;
    long line = 1;
    while (p < end) {
        if (passed && (size_t)(p - told) >= SS_XML_SCAN_STEP) {
            passed(p, ctx);
            told = p;
        }
        char c = *p++;
        if (c == '\n') {
            line++;
            continue;
        }
        if (c != '<' || p >= end)
            continue;
        if (*p == '!' && end - p >= 3 && !memcmp(p, "!--", 3)) {
            skip_past(&p, end, "-->", &line);
        } else if (*p == '!' && end - p >= 8 && !memcmp(p, "![CDATA[", 8)) {
            skip_past(&p, end, "]]>", &line);
        } else if (*p == '?') {
            skip_past(&p, end, "?>", &line);
        } else if (*p == '!' || *p == '/') {
            skip_past(&p, end, ">", &line);
        } else {
            /* A start tag: count '=' outside quoted values. */
            long at = line;
            char prev;
            if (scan_tag(&p, end, &line, &prev) > SS_XML_ATTRS_MAX)
                return at;
        }
    }
    return 0;
}

xmlDoc *ss_xml_parse_memory(const char *name, const char *data, size_t len,
                            ss_diag *diag)
{
    ss_xml_lockdown();
    long line = ss_xml_doctype_line(data, len);
    if (line) {
        ss_diag_error(diag, name, line, "the file has a <!DOCTYPE ...> declaration; "
                      "remove it: statesheet files take no DTD or entities");
        return NULL;
    }
    line = ss_xml_crowded_tag(data, len, NULL, NULL);
    if (line) {
        ss_diag_error(diag, name, line, SS_XML_CROWDED_MSG, SS_XML_ATTRS_MAX);
        return NULL;
    }
    if (len > (size_t)INT32_MAX) {
        ss_diag_error(diag, name, 0, "the file is too large to be read");
        return NULL;
    }
    err_ctx c = {name, data, len, "<sheet version=\"1\">", diag, 0, "", true};
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt)
        ss_out_of_memory();
    xmlSetStructuredErrorFunc(&c, on_error);
    xmlDoc *doc = xmlCtxtReadMemory(ctxt, data, (int)len, name, "UTF-8",
                                    XML_PARSE_NONET | XML_PARSE_BIG_LINES |
                                        XML_PARSE_NOCDATA);
    xmlSetStructuredErrorFunc(NULL, NULL);
    xmlFreeParserCtxt(ctxt);
    if (doc && c.count) {
        xmlFreeDoc(doc);
        doc = NULL;
    }
    if (!doc && !c.count)
        ss_diag_error(diag, name, 0, "the file could not be read as XML");
    if (doc && !xmlDocGetRootElement(doc)) {
        ss_diag_error(diag, name, 0, "the file holds no XML element");
        xmlFreeDoc(doc);
        doc = NULL;
    }
    return doc;
}
