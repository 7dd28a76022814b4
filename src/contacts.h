/* contacts.h - who gets each state's sheet: a contacts CSV file.
 *
 * Row 1 is the header; it names at least the columns code and email, and
 * may name name and cc (any order, any case; other columns, such as notes,
 * are ignored).  Each further row is one recipient of one state:
 *
 *     code,name,email,cc
 *     ND,Jane Roe,jane.roe@nd.example.gov,
 *     ND,Records Desk,records@nd.example.gov,yes
 *
 * cc: empty or no puts the address on To, yes (or x, true) on Cc.
 */
#ifndef SS_CONTACTS_H
#define SS_CONTACTS_H

#include <stdbool.h>
#include <stddef.h>

#include "csv_io.h"

/* RFC 5321's limits on what a server takes: the part before the @ and the
 * whole address. */
#define SS_ADDR_LOCAL_MAX 64
#define SS_ADDR_MAX 254
/* A display name longer than this is not a name. */
#define SS_CONTACT_NAME_MAX 200

typedef struct ss_contact {
    char *code;
    char *email; /* an RFC 5322 addr-spec, ASCII */
    char *name;  /* display name (UTF-8), or "" */
    bool cc;
    long row;
} ss_contact;

typedef struct ss_contacts {
    ss_contact *items;
    size_t n;
} ss_contacts;

/* Reads the contacts file at path.  codes[0..ncodes) are the codes a row
 * may name (mail.c: the states with a sheet and the known jurisdictions);
 * another code is an error.  Problems (a missing column, an address
 * that is not one, an unknown code, a row given twice) go to errs at their
 * row and column.  Returns the list (possibly with errors in errs), or NULL
 * when the file cannot be read (*io_errno set).  Free with
 * ss_contacts_free. */
ss_contacts *ss_contacts_load(const char *path, const char *const *codes, size_t ncodes,
                              ss_csv_errors *errs, int *io_errno);
void ss_contacts_free(ss_contacts *c);

/* NULL when s is an RFC 5322 addr-spec (dot-atom or quoted local part,
 * dot-atom or [literal] domain, ASCII, within the limits above), else a
 * message saying what is wrong (a static string). */
const char *ss_addr_check(const char *s);

#endif
