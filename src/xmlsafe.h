/* xmlsafe.h - libxml2 on untrusted input, the one safe way.
 *
 * No DTD, no entity expansion, no network, no file but the one given; every
 * libxml2 complaint becomes a diagnostic with the file and line.  The
 * traps this avoids (libxml2 2.9.14): with XML_PARSE_NOENT a DOCTYPE's
 * entity really reads file:///etc/passwd, and XML_PARSE_NONET does not stop
 * it; a deny-all external entity loader also blocks loading the main file
 * by name, so files are read into memory first.  Refusing any DOCTYPE is
 * the simplest rule, and the one kept here.
 */
#ifndef SS_XMLSAFE_H
#define SS_XMLSAFE_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>

#include "diag.h"

/* What a structured-error callback receives: libxml2 2.12 (LIBXML_VERSION
 * 21200) made it a const xmlError *, and gcc 14 and clang 16 reject the
 * old xmlError * there.  Callbacks take an ss_xml_error and never write
 * through it, so the sources build against both. */
#if LIBXML_VERSION >= 21200
typedef const xmlError *ss_xml_error;
#else
typedef xmlError *ss_xml_error;
#endif

/* Makes libxml2 refuse every external entity and DTD it is asked to load,
 * and end the program as ss_out_of_memory does when it runs out of memory.
 * Idempotent; called by the functions below. */
void ss_xml_lockdown(void);

/* Parses a small document from memory into a tree.  Refuses a DOCTYPE.
 * Returns NULL (with diagnostics naming 'name') when the XML is not
 * well-formed.  Free with xmlFreeDoc. */
xmlDoc *ss_xml_parse_memory(const char *name, const char *data, size_t len,
                            ss_diag *diag);

/* The line of a <!DOCTYPE ...> in the prolog of the bytes (after an
 * optional UTF-8 byte-order mark), or 0 when there is none. */
long ss_xml_doctype_line(const char *data, size_t len);

/* A start tag holds at most this many attributes.  libxml2 2.9 compares
 * each attribute of a tag with all those before it, so 200,000 attributes
 * on one tag take minutes; none of our formats has more than three. */
#define SS_XML_ATTRS_MAX 64
#define SS_XML_CROWDED_MSG \
    "an element here has more than %d attributes; an element of a "      \
    "statesheet file has at most three (see the README's tables): remove " \
    "the ones that are not listed there"

/* The line of the first start tag with more than SS_XML_ATTRS_MAX
 * attributes, or 0 when there is none.  A byte scan, before parsing; it
 * calls passed(p, ctx) (unless NULL) about every SS_XML_SCAN_STEP bytes
 * with the point the scan has passed (it never looks back before it), so
 * that a caller reading a mapped file can let those pages go. */
#define SS_XML_SCAN_STEP (1u << 20)
long ss_xml_crowded_tag(const char *data, size_t len,
                        void (*passed)(const char *upto, void *ctx), void *ctx);

/* A well-formedness error of libxml2's in plain words, starting "the XML
 * is not well-formed: " (a new string); data is the document, scanned to
 * name what is open or what follows the root element.  *cut is the line
 * from which the program's own checks of the file saw only consequences
 * of this error (the element left open, or the error's line).
 * root_example (may be NULL) shows how such a file starts. */
char *ss_xml_wf_words(const char *data, size_t len, const xmlError *e,
                      const char *root_example, long *cut);

#endif
