/* contacts.c - the contacts file, CSV or a workbook (.xlsx, .ods; see contacts.h), read through the same row source as import (workbook.h).
 *
 * The address check is ours: no Debian C library checks an RFC 5322
 * addr-spec on its own (libcurl passes addresses through as given).
 */
#include "contacts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"
#include "workbook.h"

enum { COL_CODE, COL_EMAIL, COL_NAME, COL_CC, NCOLS };
static const char *const COLUMN[NCOLS] = {"code", "email", "name", "cc"};

typedef struct reader {
    const char *const *codes;
    size_t ncodes;
    ss_csv_errors *errs;
    long col[NCOLS]; /* 1-based column of each, 0: absent */
    bool header_done, header_ok;
    ss_contacts *out;
    size_t cap;
} reader;

static bool atext(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* A dot-atom: atoms of atext joined by single dots. */
static bool dot_atom(const char *p, const char *end)
{
    if (p == end || *p == '.' || end[-1] == '.')
        return false;
    for (; p < end; p++)
        if (!(atext((unsigned char)*p) || (*p == '.' && p[1] != '.')))
            return false;
    return true;
}

const char *ss_addr_check(const char *s)
{
    size_t n = strlen(s);
    if (n == 0)
        return "the address is empty";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 0x80)
            return "the address has a letter outside ASCII; mail servers take such "
                   "addresses only with an extension most do not have; write the "
                   "address the recipient's server gives in ASCII";
        if (*p < 0x20 || *p == 0x7f)
            return "the address has a control character";
    }
    const char *at = strrchr(s, '@');
    if (!at)
        return "an address needs an @ (name@example.org)";
    if (strchr(s, '<') || strchr(s, ','))
        return "write the bare address only (name@example.org), without <>, a name or "
               "a second address; put the name in the name column and each address "
               "on a row of its own";
    if (n > SS_ADDR_MAX)
        return "the address is longer than 254 characters, more than mail servers take";
    if ((size_t)(at - s) > SS_ADDR_LOCAL_MAX)
        return "the part before the @ is longer than 64 characters, more than mail "
               "servers take";
    /* Local part: a dot-atom or a quoted string. */
    if (s[0] == '"') {
        const char *p = s + 1;
        while (p < at && *p != '"')
            p += (*p == '\\' && p + 1 < at) ? 2 : 1;
        if (p + 1 != at)
            return "the quoted part before the @ is not closed right before the @";
    } else if (!dot_atom(s, at)) {
        return "the part before the @ may hold letters, digits and !#$%&'*+-/=?^_`{|}~, "
               "with single dots between them (not first or last); no spaces";
    }
    const char *dom = at + 1, *end = s + n;
    if (*dom == '[') {
        if (end[-1] != ']' || end - dom < 3)
            return "a domain in brackets must end with ]";
        for (const char *p = dom + 1; p < end - 1; p++)
            if (*p == '[' || *p == ']' || *p == '\\' || *p == ' ')
                return "the domain in brackets holds a character it may not";
        return NULL;
    }
    if (!dot_atom(dom, end))
        return "the part after the @ must be a domain such as example.org: letters, "
               "digits and hyphens, with single dots between them";
    return NULL;
}

static void add_contact(reader *r, char **cells, size_t n, long row)
{
    const char *code = r->col[COL_CODE] <= (long)n ? cells[r->col[COL_CODE] - 1] : "";
    const char *email = r->col[COL_EMAIL] <= (long)n ? cells[r->col[COL_EMAIL] - 1] : "";
    const char *name = r->col[COL_NAME] && r->col[COL_NAME] <= (long)n
                           ? cells[r->col[COL_NAME] - 1] : "";
    const char *cc = r->col[COL_CC] && r->col[COL_CC] <= (long)n
                         ? cells[r->col[COL_CC] - 1] : "";
    bool ok = true;
    bool known = false;
    for (size_t i = 0; i < r->ncodes && !known; i++)
        known = !strcmp(r->codes[i], code);
    if (!*code) {
        ss_csv_error(r->errs, row, r->col[COL_CODE], "the code is empty; write the state's "
                     "code, as in the sheet's name (ND for ND-2023.pdf)");
        ok = false;
    } else if (!known) {
        bool other_case = false;
        for (size_t i = 0; i < r->ncodes && !other_case; i++)
            other_case = !strcasecmp(r->codes[i], code);
        ss_csv_error(r->errs, row, r->col[COL_CODE],
                     "'%.40s' is not the code of a sheet in the folder; %s", code,
                     other_case ? "write it in capitals" :
                     "check the code, or remove the row");
        ok = false;
    }
    const char *why = ss_addr_check(email);
    if (why) {
        ss_csv_error(r->errs, row, r->col[COL_EMAIL], "'%.80s' is not an email address: %s",
                     email, why);
        ok = false;
    }
    bool is_cc = false;
    if (!*cc || !strcasecmp(cc, "no") || !strcasecmp(cc, "false")) {
        is_cc = false;
    } else if (!strcasecmp(cc, "yes") || !strcasecmp(cc, "x") || !strcasecmp(cc, "true")) {
        is_cc = true;
    } else {
        ss_csv_error(r->errs, row, r->col[COL_CC], "cc '%.40s': write yes (a copy) or "
                     "leave it empty (the address goes on To)", cc);
        ok = false;
    }
    if (ss_utf8_length(name) > SS_CONTACT_NAME_MAX) {
        ss_csv_error(r->errs, row, r->col[COL_NAME], "the name is longer than %d "
                     "characters; shorten it", SS_CONTACT_NAME_MAX);
        ok = false;
    }
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7f) {
            ss_csv_error(r->errs, row, r->col[COL_NAME], "the name holds a line break or "
                         "a control character; write it on one line");
            ok = false;
            break;
        }
    if (!ok)
        return;
    /* The same address twice for one state: one of the rows is a slip. */
    for (size_t i = 0; i < r->out->n; i++) {
        ss_contact *c = &r->out->items[i];
        if (!strcmp(c->code, code) && !strcasecmp(c->email, email)) {
            ss_csv_error(r->errs, row, r->col[COL_EMAIL], "%s %s is already on row %ld; "
                         "remove one of the two rows", code, email, c->row);
            return;
        }
    }
    r->out->items = ss_xgrow(r->out->items, sizeof *r->out->items, r->out->n + 1, &r->cap);
    ss_contact *c = &r->out->items[r->out->n++];
    c->code = ss_xstrdup(code);
    c->email = ss_xstrdup(email);
    c->name = ss_xstrdup(name);
    c->cc = is_cc;
    c->row = row;
}

static bool on_row(void *ctx, long row, char **cells, size_t n)
{
    reader *r = ctx;
    if (n == 0)
        return true;
    bool blank = true;
    for (size_t i = 0; i < n && blank; i++)
        blank = !cells[i][0];
    if (!r->header_done) {
        r->header_done = true;
        for (size_t i = 0; i < n; i++)
            for (int k = 0; k < NCOLS; k++)
                if (!strcasecmp(cells[i], COLUMN[k])) {
                    if (r->col[k])
                        ss_csv_error(r->errs, row, (long)i + 1, "the column %s is also "
                                     "column %ld; keep one", COLUMN[k], r->col[k]);
                    else
                        r->col[k] = (long)i + 1;
                }
        r->header_ok = r->col[COL_CODE] && r->col[COL_EMAIL];
        if (!r->header_ok)
            ss_csv_error(r->errs, row, 0, "row 1 must name the columns, at least code and "
                         "email (and optionally name and cc): code,name,email,cc");
        return r->header_ok;
    }
    if (!blank)
        add_contact(r, cells, n, row);
    return true;
}

/* A row of a CSV file or of a workbook: the cells are text either way. */
static bool on_cells(void *ctx, long row, char **cells, const unsigned char *kinds, size_t n)
{
    (void)kinds;
    return on_row(ctx, row, cells, n);
}

ss_contacts *ss_contacts_load(const char *path, const char *const *codes, size_t ncodes,
                              ss_csv_errors *errs, int *io_errno)
{
    *io_errno = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        *io_errno = errno;
        return NULL;
    }
    ss_contacts *out = ss_xcalloc(1, sizeof *out);
    reader r = {.codes = codes, .ncodes = ncodes, .errs = errs, .out = out};
    char delim = 0;
    bool workbook = false;
    ss_sheet_rows(f, 0, on_cells, &r, errs, &delim, &workbook);
    fclose(f);
    if (!r.header_done)
        ss_csv_error(errs, 1, 0, "the file is empty; row 1 must name the columns: "
                     "code,name,email,cc");
    return out;
}

void ss_contacts_free(ss_contacts *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->items[i].code);
        free(c->items[i].email);
        free(c->items[i].name);
    }
    free(c->items);
    free(c);
}
