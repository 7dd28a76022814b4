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

/* Validates a tree against the XML Schema at schema_path (read from memory,
 * no imports).  Problems go to diag under 'name'.  True when valid. */
bool ss_xml_validate_doc(const char *name, xmlDoc *doc,
                         const char *schema_path, ss_diag *diag);

/* libxml2's message, trimmed and with its first letter lowered, as a new
 * string. */
char *ss_xml_message(const char *msg);

#endif
