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

/* Makes libxml2 refuse every external entity and DTD it is asked to load.
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

/* libxml2's message, trimmed and with its first letter lowered, as a new
 * string. */
char *ss_xml_message(const char *msg);

#endif
