/* xmlsafe.h - libxml2 on untrusted input, the one safe way.
 *
 * No DTD, no entity expansion, no network, no file but the one given; every
 * libxml2 complaint becomes a diagnostic with the file and line.  See
 * shared/notes/libraries.md for the traps this avoids.
 */
#ifndef SS_XMLSAFE_H
#define SS_XMLSAFE_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "diag.h"

/* Makes libxml2 refuse every external entity and DTD it is asked to load.
 * Idempotent; called by the functions below. */
void ss_xml_lockdown(void);

/* Parses a small document from memory into a tree.  Refuses a DOCTYPE.
 * Returns NULL (with diagnostics naming 'name') when the XML is not
 * well-formed.  Free with xmlFreeDoc. */
xmlDoc *ss_xml_parse_memory(const char *name, const char *data, size_t len,
                            ss_diag *diag);

/* Validates a tree against the XML Schema at schema_path (read from memory,
 * no imports).  Problems go to diag under 'name'.  True when valid. */
bool ss_xml_validate_doc(const char *name, xmlDoc *doc,
                         const char *schema_path, ss_diag *diag);

/* A start tag holds at most this many attributes.  libxml2 2.9 compares
 * each attribute of a tag with all those before it, so 200,000 attributes
 * on one tag take minutes; none of our formats has more than three. */
#define SS_XML_ATTRS_MAX 64
#define SS_XML_CROWDED_MSG \
    "an element here has more than %d attributes; an element of a "      \
    "statesheet file has at most three (see the README's tables): remove " \
    "the ones that are not listed there"

/* The line of the first start tag with more than SS_XML_ATTRS_MAX
 * attributes, or 0 when there is none.  A byte scan, before parsing. */
long ss_xml_crowded_tag(const char *data, size_t len);

/* A well-formedness error of libxml2's in plain words, starting "the XML
 * is not well-formed: " (a new string); data is the document, scanned to
 * name what is open or what follows the root element.  *cut is the line
 * from which the program's own checks of the file saw only consequences
 * of this error (the element left open, or the error's line).
 * root_example (may be NULL) shows how such a file starts. */
char *ss_xml_wf_words(const char *data, size_t len, const xmlError *e,
                      const char *root_example, long *cut);

/* libxml2's message, trimmed and with its first letter lowered, as a new
 * string. */
char *ss_xml_message(const char *msg);

#endif
