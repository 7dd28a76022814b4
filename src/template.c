/* template.c - loading and checking the template file.
 *
 * The checks here are the template language's only validator at run time,
 * in the words of the person who edits the template; assets/schema/
 * template.xsd is the same contract for other tools, kept in agreement by
 * tests/e2e/schema.sh.
 */
#include "template.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "util.h"
#include "xmlsafe.h"

typedef struct loader {
    const char *path;
    ss_diag *diag;
    ss_template *t;
    int errors;
} loader;

static void err(loader *L, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void err(loader *L, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ss_diag_vadd(L->diag, SS_ERROR, L->path, line, fmt, ap);
    va_end(ap);
    L->errors++;
}

static long line_of(xmlNode *n)
{
    return xmlGetLineNo(n);
}

/* An element in a namespace is never one of the language's. */
static bool is(xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && !n->ns &&
           !strcmp((const char *)n->name, name);
}

static char *attr(xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
    if (!v)
        return NULL;
    char *s = ss_xstrdup((const char *)v);
    xmlFree(v);
    return s;
}

/* "prefix:name" for a name in a namespace, else the name (for messages). */
static const char *qname(const xmlNs *ns, const xmlChar *name, char *buf, size_t size)
{
    if (!ns || !ns->prefix)
        return (const char *)name;
    snprintf(buf, size, "%s:%s", ns->prefix, name);
    return buf;
}

/* The attributes of an element that takes none. */
static const char *const NONE[] = {NULL};

/* Every attribute of n must be one of 'allowed' (NULL-terminated). */
static void check_attrs(loader *L, xmlNode *n, const char *const *allowed)
{
    for (xmlAttr *a = n->properties; a; a = a->next) {
        bool ok = false;
        for (const char *const *p = allowed; *p && !a->ns; p++)
            ok |= !strcmp((const char *)a->name, *p);
        char q[128];
        if (!ok)
            err(L, line_of(n), "<%s> has an attribute '%s' that templates do "
                "not allow; remove it", n->name, qname(a->ns, a->name, q, sizeof q));
    }
}

static bool parse_source(loader *L, xmlNode *n, ss_source *src, bool table_ok)
{
    char *of = attr(n, "of");
    bool ok = true;
    if (!of) {
        err(L, line_of(n), "<%s> needs of=\"state\", of=\"national\"%s", n->name,
            table_ok ? " or of=\"table\"" : "");
        return false;
    }
    if (!strcmp(of, "state"))
        *src = SS_SRC_STATE;
    else if (!strcmp(of, "national"))
        *src = SS_SRC_NATIONAL;
    else if (!strcmp(of, "table") && table_ok)
        *src = SS_SRC_TABLE;
    else {
        err(L, line_of(n), "<%s of=\"%s\">: write of=\"state\", of=\"national\"%s",
            n->name, of, table_ok ? " or of=\"table\"" : "");
        ok = false;
    }
    free(of);
    return ok;
}

static const char *source_name(ss_source s)
{
    switch (s) {
    case SS_SRC_STATE:
        return "state figure";
    case SS_SRC_NATIONAL:
        return "national figure";
    case SS_SRC_TABLE:
        break;
    }
    return "table";
}

/* The key must be declared in <uses> with the same source. */
static char *parse_key(loader *L, xmlNode *n, ss_source src)
{
    char *key = attr(n, "key");
    if (!key || !*key) {
        err(L, line_of(n), "<%s> needs a key attribute, e.g. key=\"cybertipline.reports\"",
            n->name);
        free(key);
        return NULL;
    }
    for (size_t i = 0; i < L->t->nuses; i++)
        if (L->t->uses[i].source == src && !strcmp(L->t->uses[i].key, key))
            return key;
    err(L, line_of(n), "<%s> reads the %s '%s', which the template does not "
        "declare; add <%s key=\"%s\"/> to <uses>", n->name, source_name(src), key,
        src == SS_SRC_STATE ? "figure" : src == SS_SRC_NATIONAL ? "national" : "table",
        key);
    return key;
}

static ss_tnode *node_new(ss_tkind kind, long line)
{
    ss_tnode *t = ss_xcalloc(1, sizeof *t);
    t->kind = kind;
    t->line = line;
    return t;
}

static void nodes_free(ss_tnode *t)
{
    while (t) {
        ss_tnode *next = t->next;
        free(t->text);
        free(t->key);
        nodes_free(t->children);
        nodes_free(t->zero);
        nodes_free(t->one);
        free(t);
        t = next;
    }
}

/* Template text must be printable by the sheet's font: checked against the
 * font in run.c, where the font is known.  Here: no control characters. */
static void check_text(loader *L, xmlNode *n, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r') {
            err(L, line_of(n), "the text has the control character U+%04X; remove it", *p);
            return;
        }
}

static ss_tnode *parse_inline_list(loader *L, xmlNode *first, int depth,
                                   const char *context);
static bool skippable(xmlNode *n);

static ss_tnode *parse_inline(loader *L, xmlNode *n, int depth,
                              const char *context)
{
    static const char *const numattrs[] = {"of", "key", "format", NULL};
    static const char *const refattrs[] = {"of", "key", NULL};
    long line = line_of(n);
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
        ss_tnode *t = node_new(SS_T_TEXT, line);
        t->text = ss_xstrdup((const char *)n->content);
        check_text(L, n, t->text);
        return t;
    }
    if (n->type != XML_ELEMENT_NODE)
        return NULL; /* comments, processing instructions */
    if (depth > SS_TEMPLATE_MAX_DEPTH) {
        err(L, line, "the template nests more than %d levels deep here; "
            "simplify it", SS_TEMPLATE_MAX_DEPTH);
        return NULL;
    }
    ss_tnode *t = NULL;
    if (is(n, "year") || is(n, "name") || is(n, "code")) {
        t = node_new(is(n, "year") ? SS_T_YEAR : is(n, "name") ? SS_T_NAME : SS_T_CODE, line);
        check_attrs(L, n, NONE);
        if (n->children)
            err(L, line, "<%s/> stands alone: write <%s/> with nothing inside", n->name, n->name);
    } else if (is(n, "num")) {
        t = node_new(SS_T_NUM, line);
        check_attrs(L, n, numattrs);
        if (parse_source(L, n, &t->source, true))
            t->key = parse_key(L, n, t->source);
        char *f = attr(n, "format");
        if (!f || !strcmp(f, "grouped"))
            t->format = SS_FMT_GROUPED;
        else if (!strcmp(f, "compact"))
            t->format = SS_FMT_COMPACT;
        else if (!strcmp(f, "percent"))
            t->format = SS_FMT_PERCENT;
        else
            err(L, line, "<num format=\"%s\">: write format=\"grouped\" (1,333), "
                "\"compact\" (36.2 million) or \"percent\" (19%%)", f);
        free(f);
        if (n->children)
            err(L, line, "<num/> stands alone: write <num of=\"...\" key=\"...\"/> with nothing inside");
    } else if (is(n, "b")) {
        t = node_new(SS_T_BOLD, line);
        check_attrs(L, n, NONE);
        t->children = parse_inline_list(L, n->children, depth + 1, context);
    } else if (is(n, "when")) {
        t = node_new(SS_T_WHEN, line);
        check_attrs(L, n, refattrs);
        if (parse_source(L, n, &t->source, true))
            t->key = parse_key(L, n, t->source);
        t->children = parse_inline_list(L, n->children, depth + 1, context);
    } else if (is(n, "plural")) {
        t = node_new(SS_T_PLURAL, line);
        check_attrs(L, n, refattrs);
        if (parse_source(L, n, &t->source, true))
            t->key = parse_key(L, n, t->source);
        bool other = false;
        for (xmlNode *c = n->children; c; c = c->next) {
            if (skippable(c))
                continue;
            if ((is(c, "zero") && (t->has_one || other)) ||
                (is(c, "one") && other)) {
                err(L, line_of(c), "<%s> comes after <%s>; write the forms in the "
                    "order <zero>, <one>, <other>", c->name, other ? "other" : "one");
                continue;
            }
            if (is(c, "zero") && !t->has_zero) {
                check_attrs(L, c, NONE);
                t->has_zero = true;
                t->zero = parse_inline_list(L, c->children, depth + 2, context);
            } else if (is(c, "one") && !t->has_one) {
                check_attrs(L, c, NONE);
                t->has_one = true;
                t->one = parse_inline_list(L, c->children, depth + 2, context);
            } else if (is(c, "other") && !other) {
                check_attrs(L, c, NONE);
                other = true;
                t->children = parse_inline_list(L, c->children, depth + 2, context);
            } else {
                err(L, line_of(c), "<plural> holds only <zero>, <one> and <other>, "
                    "each at most once; move or remove this %s%s%s",
                    c->type == XML_ELEMENT_NODE ? "<" : "text",
                    c->type == XML_ELEMENT_NODE ? (const char *)c->name : "",
                    c->type == XML_ELEMENT_NODE ? ">" : "");
            }
        }
        if (!other)
            err(L, line, "<plural> needs an <other> form (used for every value "
                "without its own <zero> or <one>)");
    } else {
        char q[128];
        err(L, line, "unknown element <%s> inside <%s>; allowed here: text, <b>, "
            "<year/>, <name/>, <code/>, <num/>, <plural>, <when>",
            qname(n->ns, n->name, q, sizeof q), context);
    }
    return t;
}

static ss_tnode *parse_inline_list(loader *L, xmlNode *first, int depth,
                                   const char *context)
{
    ss_tnode *head = NULL, **tail = &head;
    for (xmlNode *n = first; n; n = n->next) {
        ss_tnode *t = parse_inline(L, n, depth, context);
        if (t) {
            *tail = t;
            tail = &t->next;
        }
    }
    return head;
}

static ss_tnode *parse_blocks(loader *L, xmlNode *first, int depth);

static ss_tnode *parse_block(loader *L, xmlNode *n, int depth)
{
    static const char *const tableattrs[] = {"key", NULL};
    static const char *const refattrs[] = {"of", "key", NULL};
    long line = line_of(n);
    ss_tnode *t = NULL;
    if (depth > SS_TEMPLATE_MAX_DEPTH) {
        err(L, line, "the template nests more than %d levels deep here; "
            "simplify it", SS_TEMPLATE_MAX_DEPTH);
        return NULL;
    }
    if (is(n, "heading") || is(n, "p")) {
        t = node_new(is(n, "p") ? SS_T_PARA : SS_T_HEADING, line);
        check_attrs(L, n, NONE);
        t->children = parse_inline_list(L, n->children, depth + 1, (const char *)n->name);
    } else if (is(n, "table")) {
        t = node_new(SS_T_TABLE, line);
        check_attrs(L, n, tableattrs);
        t->source = SS_SRC_TABLE;
        t->key = parse_key(L, n, SS_SRC_TABLE);
        if (n->children)
            err(L, line, "<table/> stands alone: write <table key=\"...\"/> with nothing inside");
    } else if (is(n, "when")) {
        t = node_new(SS_T_WHEN, line);
        check_attrs(L, n, refattrs);
        if (parse_source(L, n, &t->source, true))
            t->key = parse_key(L, n, t->source);
        t->children = parse_blocks(L, n->children, depth + 1);
    } else {
        char q[128];
        err(L, line, "unknown element <%s> among the blocks; allowed here: "
            "<heading>, <p>, <table/>, <when>, <footer>", qname(n->ns, n->name, q, sizeof q));
    }
    return t;
}

static bool skippable(xmlNode *n)
{
    return n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE ||
           (n->type == XML_TEXT_NODE && xmlIsBlankNode(n));
}

static ss_tnode *parse_blocks(loader *L, xmlNode *first, int depth)
{
    ss_tnode *head = NULL, **tail = &head;
    for (xmlNode *n = first; n; n = n->next) {
        if (skippable(n))
            continue;
        if (n->type != XML_ELEMENT_NODE) {
            err(L, line_of(n), "text outside a paragraph; put it inside <p>...</p>");
            continue;
        }
        ss_tnode *t = parse_block(L, n, depth);
        if (t) {
            *tail = t;
            tail = &t->next;
        }
    }
    return head;
}

static void parse_uses(loader *L, xmlNode *uses)
{
    static const char *const keyattr[] = {"key", "description", NULL};
    size_t cap = 0;
    for (xmlNode *n = uses->children; n; n = n->next) {
        if (skippable(n))
            continue;
        ss_source src;
        if (is(n, "figure"))
            src = SS_SRC_STATE;
        else if (is(n, "national"))
            src = SS_SRC_NATIONAL;
        else if (is(n, "table"))
            src = SS_SRC_TABLE;
        else {
            err(L, line_of(n), "<uses> holds only <figure key=\"...\"/>, "
                "<national key=\"...\"/> and <table key=\"...\"/>");
            continue;
        }
        check_attrs(L, n, keyattr);
        if (n->children)
            err(L, line_of(n), "<%s> in <uses> stands alone: write <%s key=\"...\"/> "
                "with nothing inside", n->name, n->name);
        char *key = attr(n, "key");
        if (!key || !*key) {
            err(L, line_of(n), "<%s> in <uses> needs a key attribute", n->name);
            free(key);
            continue;
        }
        if (strlen(key) > SS_KEY_MAX)
            err(L, line_of(n), "the key '%.40s...' is %zu characters long; the most "
                "allowed is %d", key, strlen(key), SS_KEY_MAX);
        else if (!ss_key_syntax_ok(key, strlen(key)))
            err(L, line_of(n), "the key '%s' is not valid; write lowercase words of "
                "a-z, 0-9 and _ (each starting with a letter) joined by dots, e.g. "
                "key=\"cybertipline.reports\"", key);
        bool dup = false;
        for (size_t i = 0; i < L->t->nuses; i++)
            dup |= L->t->uses[i].source == src && !strcmp(L->t->uses[i].key, key);
        if (dup) {
            err(L, line_of(n), "the %s '%s' is declared twice in <uses>; remove one",
                source_name(src), key);
            free(key);
            continue;
        }
        L->t->uses = ss_xgrow(L->t->uses, sizeof *L->t->uses, L->t->nuses + 1, &cap);
        L->t->uses[L->t->nuses++] = (ss_use){src, key, line_of(n), attr(n, "description")};
    }
}

static void parse_footer(loader *L, xmlNode *footer)
{
    check_attrs(L, footer, NONE);
    for (xmlNode *n = footer->children; n; n = n->next) {
        if (skippable(n))
            continue;
        if (is(n, "left") && L->t->footer_right) {
            err(L, line_of(n), "<left> comes after <right>; write <left> first");
        } else if (is(n, "left") && !L->t->footer_left) {
            check_attrs(L, n, NONE);
            L->t->footer_left = parse_inline_list(L, n->children, 2, "left");
        } else if (is(n, "right") && !L->t->footer_right) {
            check_attrs(L, n, NONE);
            L->t->footer_right = parse_inline_list(L, n->children, 2, "right");
        } else {
            err(L, line_of(n), "<footer> holds one <left> and one <right>");
        }
    }
}

/* The parts of <sheet> in their order: <uses> and the settings (<numbers>,
 * <sample>), <title>, <subtitle>, the blocks, <footer>. */
static int sheet_rank(xmlNode *n)
{
    return is(n, "uses") ? 0 : is(n, "numbers") ? 1 : is(n, "sample") ? 2
         : is(n, "title") ? 3 : is(n, "subtitle") ? 4
         : is(n, "footer") ? 6 : is(n, "mail") ? 7 : 5;
}

/* The template's own words for figures and the sample notice.  Absent
 * ones keep the US English defaults set in ss_template_load_memory. */
static void set_word(loader *L, xmlNode *n, const char *name, char **slot, size_t max)
{
    char *v = attr(n, name);
    if (!v)
        return;
    if (strlen(v) > max || strchr(v, '<')) {
        err(L, line_of(n), "<numbers %s=\"%.40s\"> is too long; write at most %zu "
            "characters", name, v, max);
        free(v);
        return;
    }
    free(*slot);
    *slot = v;
}

static void parse_numbers(loader *L, xmlNode *n)
{
    static const char *const attrs[] = {"group", "decimal", "million", "millions",
                                        "billion", "billions", "trillion", "trillions",
                                        NULL};
    check_attrs(L, n, attrs);
    for (xmlNode *c = n->children; c; c = c->next)
        if (!skippable(c)) {
            err(L, line_of(n), "<numbers> holds nothing; write its words as attributes, "
                "<numbers million=\"...\"/>");
            break;
        }
    ss_numwords *w = &L->t->num;
    set_word(L, n, "group", &w->group, 4);
    set_word(L, n, "decimal", &w->decimal, 4);
    for (int i = 0; i < 3; i++) {
        set_word(L, n, attrs[2 + 2 * i], &w->scale[i][0], 40);
        set_word(L, n, attrs[3 + 2 * i], &w->scale[i][1], 40);
    }
    if (!w->decimal[0])
        err(L, line_of(n), "<numbers decimal=\"\"> is empty; write the decimal mark, "
            "e.g. decimal=\".\"");
}

static void parse_sample(loader *L, xmlNode *n)
{
    check_attrs(L, n, NONE);
    for (xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            err(L, line_of(c), "<sample> holds plain text only; remove <%s>", c->name);
    xmlChar *text = xmlNodeGetContent(n);
    /* Collapse white space: the notice is one line. */
    ss_buf b;
    ss_buf_init(&b);
    bool space = false;
    for (const xmlChar *q = text; q && *q; q++) {
        if (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') {
            space = b.len > 0;
            continue;
        }
        if (space)
            ss_buf_addc(&b, ' ');
        space = false;
        ss_buf_addc(&b, (char)*q);
    }
    xmlFree(text);
    if (b.len == 0 || b.len > 80) {
        err(L, line_of(n), "<sample> must hold the notice printed on sample sheets, "
            "1 to 80 characters");
        ss_buf_free(&b);
        return;
    }
    free(L->t->sample_notice);
    L->t->sample_notice = ss_buf_steal(&b);
}

/* Mail text holds words, <name/>, <year/> and <code/> only: a message
 * carries no figures (they are on the sheet it attaches). */
static void check_mail_text(loader *L, const ss_tnode *t, const char *context)
{
    for (; t; t = t->next)
        if (t->kind != SS_T_TEXT && t->kind != SS_T_NAME && t->kind != SS_T_YEAR &&
            t->kind != SS_T_CODE)
            err(L, t->line, "<%s> in <mail> holds only text, <name/>, <year/> and "
                "<code/>: a message has no bold and no figures (they are on the sheet)",
                context);
}

/* <mail from="..."><subject>..</subject><body><p>..</p>..</body></mail>:
 * the message statesheet mail writes around each sheet. */
static void parse_mail(loader *L, xmlNode *mail)
{
    static const char *const fromattr[] = {"from", NULL};
    check_attrs(L, mail, fromattr);
    L->t->mail_from = attr(mail, "from");
    ss_tnode **tail = &L->t->mail_body;
    for (xmlNode *c = mail->children; c; c = c->next) {
        if (skippable(c))
            continue;
        if (is(c, "subject") && !L->t->mail_subject && !L->t->mail_body) {
            check_attrs(L, c, NONE);
            L->t->mail_subject = parse_inline_list(L, c->children, 2, "subject");
            check_mail_text(L, L->t->mail_subject, "subject");
            if (!L->t->mail_subject)
                err(L, line_of(c), "<subject> is empty; write the message's subject");
            continue;
        }
        if (!is(c, "body") || L->t->mail_body) {
            err(L, line_of(c), "<mail> holds one <subject>, then one <body>; move or "
                "remove this");
            continue;
        }
        check_attrs(L, c, NONE);
        for (xmlNode *p = c->children; p; p = p->next) {
            if (skippable(p))
                continue;
            if (!is(p, "p")) {
                err(L, line_of(p), "<body> holds paragraphs, <p>...</p>");
                continue;
            }
            check_attrs(L, p, NONE);
            ss_tnode *t = node_new(SS_T_PARA, line_of(p));
            t->children = parse_inline_list(L, p->children, 3, "p");
            check_mail_text(L, t->children, "p");
            *tail = t;
            tail = &t->next;
        }
    }
    if (!L->t->mail_subject || !L->t->mail_body)
        err(L, line_of(mail), "<mail> needs a <subject> and a <body> with at least "
            "one <p>");
}

/* Marks n's kind (*seen) as met; false, with a message, when it already
 * was: a part of the template that may appear once. */
static bool first_of(loader *L, xmlNode *n, bool *seen)
{
    if (*seen)
        err(L, line_of(n), "<%s> appears twice; keep one", n->name);
    bool first = !*seen;
    *seen = true;
    return first;
}

static void parse_sheet(loader *L, xmlNode *root)
{
    static const char *const sheetattrs[] = {"version", "lang", NULL};
    if (!is(root, "sheet")) {
        err(L, line_of(root), "a template starts with <sheet version=\"1\">, not <%s>",
            root->name);
        return;
    }
    check_attrs(L, root, sheetattrs);
    char *v = attr(root, "version");
    if (!v || strcmp(v, "1"))
        err(L, line_of(root), "<sheet> needs version=\"1\" (the only template "
            "version this program reads)");
    free(v);
    /* The language: a tag such as en-US or es-US (letters, digits and
     * hyphens); it picks the hyphenation patterns. */
    char *lang = attr(root, "lang");
    bool lang_ok = lang && lang[0] && strlen(lang) <= SS_LANG_MAX;
    for (const char *c = lang; lang_ok && *c; c++)
        lang_ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                  (*c >= '0' && *c <= '9') || (*c == '-' && c > lang);
    if (lang && !lang_ok)
        err(L, line_of(root), "<sheet lang=\"%.40s\"> is not a language tag; write "
            "one such as lang=\"en-US\" or lang=\"es-US\"", lang);
    free(L->t->lang);
    L->t->lang = ss_xstrdup(lang && lang_ok ? lang : "en-US");
    free(lang);
    /* <uses> first: the rest is checked against it. */
    for (xmlNode *n = root->children; n; n = n->next)
        if (is(n, "uses")) {
            check_attrs(L, n, NONE);
            parse_uses(L, n);
        }
    ss_tnode **tail = &L->t->blocks;
    bool seen_title = false, seen_sub = false, seen_footer = false, seen_uses = false;
    bool seen_numbers = false, seen_sample = false, seen_mail = false;
    int last = 0;
    for (xmlNode *n = root->children; n; n = n->next) {
        if (skippable(n))
            continue;
        int rank = sheet_rank(n);
        if (n->type == XML_ELEMENT_NODE && rank < last)
            err(L, line_of(n), "<%s> is out of order; a template holds <uses>, then "
                "<numbers> and <sample> (if any), <title>, <subtitle>, the blocks, "
                "then <footer> and <mail>, in that order",
                n->name);
        if (rank > last)
            last = rank;
        if (is(n, "uses")) {
            if (seen_uses)
                err(L, line_of(n), "<uses> appears twice; merge them into one");
            seen_uses = true;
        } else if (is(n, "numbers") || is(n, "sample")) {
            if (!first_of(L, n, is(n, "numbers") ? &seen_numbers : &seen_sample))
                continue;
            if (is(n, "numbers"))
                parse_numbers(L, n);
            else
                parse_sample(L, n);
        } else if (is(n, "title") || is(n, "subtitle")) {
            if (!first_of(L, n, is(n, "title") ? &seen_title : &seen_sub))
                continue;
            check_attrs(L, n, NONE);
            ss_tnode *t = parse_inline_list(L, n->children, 1, (const char *)n->name);
            if (is(n, "title"))
                L->t->title = t;
            else
                L->t->subtitle = t;
        } else if (is(n, "footer")) {
            if (first_of(L, n, &seen_footer))
                parse_footer(L, n);
        } else if (is(n, "mail")) {
            if (first_of(L, n, &seen_mail))
                parse_mail(L, n);
        } else if (n->type == XML_ELEMENT_NODE) {
            ss_tnode *t = parse_block(L, n, 1);
            if (t) {
                *tail = t;
                tail = &t->next;
            }
        } else {
            err(L, line_of(n), "text outside a paragraph; put it inside <p>...</p>");
        }
    }
    if (!seen_uses)
        err(L, line_of(root), "the template has no <uses>; add one first, listing "
            "every figure and table the template reads (<uses/> when it reads none)");
    if (!seen_title)
        err(L, line_of(root), "the template has no <title>; add one (the "
            "organisation's name, printed in the header band)");
    if (!seen_sub)
        err(L, line_of(root), "the template has no <subtitle>; add one, e.g. "
            "<subtitle><name/> Data</subtitle>");
}

ss_template *ss_template_load_memory(const char *name, const char *data,
                                     size_t len, ss_diag *diag)
{
    loader L = {name, diag, NULL, 0};
    L.t = ss_xcalloc(1, sizeof *L.t);
    L.t->path = ss_xstrdup(name);
    L.t->lang = ss_xstrdup("en-US");
    {
        /* US English unless the template says otherwise (<numbers>,
         * <sample>): a template written before these existed still reads. */
        static const char *const words[3][2] = {
            {"million", "million"}, {"billion", "billion"}, {"trillion", "trillion"}};
        L.t->num.group = ss_xstrdup(",");
        L.t->num.decimal = ss_xstrdup(".");
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 2; j++)
                L.t->num.scale[i][j] = ss_xstrdup(words[i][j]);
        L.t->sample_notice = ss_xstrdup("SAMPLE DATA \xE2\x80\x94 NOT REAL FIGURES");
    }
    L.t->sha256 = ss_xmalloc(65);
    ss_sha256_hex(data, len, L.t->sha256);
    L.t->bytes = len;
    if (!ss_utf8_valid(data, len) || memchr(data, '\0', len)) {
        err(&L, 0, "the template is not UTF-8 text; save it as UTF-8");
        goto done;
    }
    xmlDoc *doc = ss_xml_parse_memory(name, data, len, diag);
    if (!doc) {
        L.errors++;
        goto done;
    }
    parse_sheet(&L, xmlDocGetRootElement(doc));
    xmlFreeDoc(doc);
done:
    if (L.errors) {
        ss_template_free(L.t);
        return NULL;
    }
    return L.t;
}

ss_template *ss_template_load(const char *path, ss_diag *diag, int *io_errno)
{
    size_t len = 0;
    char *data = ss_read_file(path, SS_TEMPLATE_MAX_BYTES, &len, io_errno);
    if (!data)
        return NULL;
    ss_template *t = ss_template_load_memory(path, data, len, diag);
    free(data);
    return t;
}

void ss_template_free(ss_template *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nuses; i++) {
        free(t->uses[i].key);
        free(t->uses[i].description);
    }
    free(t->uses);
    nodes_free(t->title);
    nodes_free(t->subtitle);
    nodes_free(t->blocks);
    nodes_free(t->footer_left);
    nodes_free(t->footer_right);
    nodes_free(t->mail_subject);
    nodes_free(t->mail_body);
    free(t->mail_from);
    free(t->sha256);
    free(t->lang);
    free(t->num.group);
    free(t->num.decimal);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 2; j++)
            free(t->num.scale[i][j]);
    free(t->sample_notice);
    free(t->path);
    free(t);
}
