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
}

char *ss_xml_message(const char *msg)
{
    char *m = ss_trim_dup(msg ? msg : "unknown problem");
    if (m[0] && isupper((unsigned char)m[0]) && !isupper((unsigned char)m[1]))
        m[0] = (char)tolower((unsigned char)m[0]);
    return m;
}

typedef struct err_ctx {
    const char *name;
    ss_diag *diag;
    int count;
    const char *prefix;
    bool fatal_only_first;
} err_ctx;

static void on_error(void *user, ss_xml_error e)
{
    err_ctx *c = user;
    if (e->level == XML_ERR_WARNING)
        return;
    /* After the first well-formedness error libxml2's further complaints
     * are echoes of it: report the first only. */
    if (c->fatal_only_first && c->count > 0)
        return;
    if (e->code == XML_ERR_TAG_NAME_MISMATCH && e->str1 && e->str2) {
        ss_diag_error(c->diag, c->name, e->line, "%s<%s> opened on line %d is closed by "
                      "</%s>; close it with </%s> first", c->prefix, e->str1, e->int1,
                      e->str2, e->str1);
        c->count++;
        return;
    }
    char *m = ss_xml_message(e->message);
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
    if (len > (size_t)INT32_MAX) {
        ss_diag_error(diag, name, 0, "the file is too large to be read");
        return NULL;
    }
    err_ctx c = {name, diag, 0, "the XML is not well-formed: ", true};
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        ss_diag_error(diag, name, 0, "out of memory while reading the file");
        return NULL;
    }
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
