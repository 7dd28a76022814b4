/* xmlsafe.c - libxml2 on untrusted input. */
#include "xmlsafe.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "util.h"

/* A schema is a few KB; a bigger file in its place is a mistake. */
#define SCHEMA_MAX_BYTES (1024u * 1024u)

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

static void on_error(void *user, xmlErrorPtr e)
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

/* True when the prolog (before the root element) has a DOCTYPE. */
static bool has_doctype(const char *data, size_t len, long *line)
{
    long l = 1;
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\n')
            l++;
        if (data[i] == '<' && i + 1 < len) {
            char c = data[i + 1];
            if (c == '!' && i + 9 <= len && !memcmp(data + i, "<!DOCTYPE", 9)) {
                *line = l;
                return true;
            }
            if (c != '?' && c != '!')
                return false; /* the root element: past the prolog */
        }
    }
    return false;
}

long ss_xml_crowded_tag(const char *data, size_t len)
{
    const char *p = data, *end = data + len;
    long line = 1;
    /* Skips to just past 'until' (counting lines); false at the end. */
#define SKIP_PAST(until)                                                   \
    do {                                                                   \
        size_t ul = strlen(until);                                         \
        while (p < end && ((size_t)(end - p) < ul || memcmp(p, until, ul))) \
            line += *p++ == '\n';                                          \
        p += p < end ? ul : 0;                                             \
    } while (0)
    while (p < end) {
        char c = *p++;
        if (c == '\n') {
            line++;
            continue;
        }
        if (c != '<' || p >= end)
            continue;
        if (*p == '!' && end - p >= 3 && !memcmp(p, "!--", 3)) {
            SKIP_PAST("-->");
        } else if (*p == '!' && end - p >= 8 && !memcmp(p, "![CDATA[", 8)) {
            SKIP_PAST("]]>");
        } else if (*p == '?') {
            SKIP_PAST("?>");
        } else if (*p == '!' || *p == '/') {
            SKIP_PAST(">");
        } else {
            /* A start tag: count '=' outside quoted values. */
            long at = line;
            size_t n = 0;
            char quote = 0;
            for (; p < end; p++) {
                if (*p == '\n')
                    line++;
                if (quote) {
                    quote = *p == quote ? 0 : quote;
                } else if (*p == '"' || *p == '\'') {
                    quote = *p;
                } else if (*p == '=') {
                    if (++n > SS_XML_ATTRS_MAX)
                        return at;
                } else if (*p == '>' || *p == '<') {
                    break;
                }
            }
        }
    }
#undef SKIP_PAST
    return 0;
}

xmlDoc *ss_xml_parse_memory(const char *name, const char *data, size_t len,
                            ss_diag *diag)
{
    ss_xml_lockdown();
    long line;
    if (has_doctype(data, len, &line)) {
        ss_diag_error(diag, name, line, "the file has a <!DOCTYPE ...> declaration; "
                      "remove it: statesheet files take no DTD or entities");
        return NULL;
    }
    line = ss_xml_crowded_tag(data, len);
    if (line) {
        ss_diag_error(diag, name, line, SS_XML_CROWDED_MSG, SS_XML_ATTRS_MAX);
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

bool ss_xml_validate_doc(const char *name, xmlDoc *doc,
                         const char *schema_path, ss_diag *diag)
{
    ss_xml_lockdown();
    size_t len;
    int e;
    char *xsd = ss_read_file(schema_path, SCHEMA_MAX_BYTES, &len, &e);
    if (!xsd) {
        ss_diag_error(diag, schema_path, 0, "cannot read the schema: %s; the "
                      "installation is damaged, reinstall statesheet", strerror(e));
        return false;
    }
    bool ok = false;
    err_ctx sc = {schema_path, diag, 0, "the schema is broken: ", false};
    err_ctx vc = {name, diag, 0, "", false};
    xmlSchemaParserCtxtPtr pc = xmlSchemaNewMemParserCtxt(xsd, (int)len);
    xmlSchemaPtr schema = NULL;
    xmlSchemaValidCtxtPtr vctx = NULL;
    if (!pc)
        goto done;
    xmlSchemaSetParserStructuredErrors(pc, on_error, &sc);
    schema = xmlSchemaParse(pc);
    if (!schema)
        goto done;
    vctx = xmlSchemaNewValidCtxt(schema);
    if (!vctx)
        goto done;
    xmlSchemaSetValidStructuredErrors(vctx, on_error, &vc);
    ok = xmlSchemaValidateDoc(vctx, doc) == 0 && vc.count == 0;
done:
    if (!schema && !sc.count)
        ss_diag_error(diag, schema_path, 0, "the schema could not be compiled");
    xmlSchemaFreeValidCtxt(vctx);
    xmlSchemaFree(schema);
    xmlSchemaFreeParserCtxt(pc);
    free(xsd);
    return ok;
}
