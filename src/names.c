/* names.c - the text of state names and row labels, made safe to print. */
#include "names.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "util.h"

/* (ASCII is answered without utf8proc's tables: most names are ASCII.) */
static bool is_space(utf8proc_int32_t c)
{
    if (c < 0x80)
        return c == '\t' || c == '\n' || c == '\r' || c == ' ';
    return utf8proc_category(c) == UTF8PROC_CATEGORY_ZS;
}

static bool is_mark(utf8proc_category_t k)
{
    return k == UTF8PROC_CATEGORY_MN || k == UTF8PROC_CATEGORY_MC ||
           k == UTF8PROC_CATEGORY_ME;
}

static ss_name_problem problem_of(utf8proc_int32_t c)
{
    if (c >= 0 && c < 0x80)
        return c < 0x20 || c == 0x7F ? SS_NAME_CONTROL : SS_NAME_OK;
    utf8proc_category_t k = utf8proc_category(c);
    switch (k) {
    case UTF8PROC_CATEGORY_CC:
        return SS_NAME_CONTROL;
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
        return SS_NAME_SEPARATOR;
    case UTF8PROC_CATEGORY_CF: {
        if (c == 0xAD)
            return SS_NAME_SOFT_HYPHEN;
        int b = utf8proc_get_property(c)->bidi_class;
        /* The marks (LRM, RLM, ALM) are class L, R, AL: name them too. */
        if (c == 0x200E || c == 0x200F || c == 0x061C ||
            b == UTF8PROC_BIDI_CLASS_LRE || b == UTF8PROC_BIDI_CLASS_LRO ||
            b == UTF8PROC_BIDI_CLASS_RLE || b == UTF8PROC_BIDI_CLASS_RLO ||
            b == UTF8PROC_BIDI_CLASS_PDF || b == UTF8PROC_BIDI_CLASS_LRI ||
            b == UTF8PROC_BIDI_CLASS_RLI || b == UTF8PROC_BIDI_CLASS_FSI ||
            b == UTF8PROC_BIDI_CLASS_PDI)
            return SS_NAME_BIDI;
        return SS_NAME_INVISIBLE;
    }
    default:
        break;
    }
    return c == 0xFFFD ? SS_NAME_REPLACEMENT : SS_NAME_OK;
}

char *ss_name_clean(const char *s, ss_name_problem *problem, long *cp)
{
    *problem = SS_NAME_OK;
    *cp = 0;
    /* Refused characters are found before normalising, so the one named
     * is the one the file holds. */
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    for (utf8proc_ssize_t n; *p; p += n) {
        utf8proc_int32_t c;
        n = utf8proc_iterate(p, -1, &c);
        if (n <= 0) {
            *problem = SS_NAME_REPLACEMENT;
            *cp = 0xFFFD;
            return NULL;
        }
        if (is_space(c))
            continue;
        ss_name_problem pr = problem_of(c);
        if (pr != SS_NAME_OK) {
            *problem = pr;
            *cp = c;
            return NULL;
        }
    }
    /* ASCII text is its own NFC: most names skip utf8proc's normalising,
     * which decomposes and recomposes through two allocations (five
     * sixths of loading a name). */
    bool ascii = true;
    for (const unsigned char *a = (const unsigned char *)s; *a && ascii; a++)
        ascii = *a < 0x80;
    utf8proc_uint8_t *nfc = ascii ? NULL : utf8proc_NFC((const utf8proc_uint8_t *)s);
    if (!nfc) /* ASCII; or out of memory, or not UTF-8: the caller checked that */
        nfc = (utf8proc_uint8_t *)ss_xstrdup(s);
    ss_buf out;
    ss_buf_init(&out);
    bool after_space = true; /* the start counts as after a space */
    size_t run = 0;          /* white space characters pending */
    utf8proc_int32_t first_space = 0;
    for (const utf8proc_uint8_t *q = nfc; *q;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate(q, -1, &c);
        if (n <= 0)
            break;
        if (is_space(c)) {
            if (!run++)
                first_space = c;
            after_space = true;
        } else {
            if (after_space && c >= 0x80 && is_mark(utf8proc_category(c))) {
                *problem = SS_NAME_LONE_MARK;
                *cp = c;
                free(nfc);
                ss_buf_free(&out);
                return NULL;
            }
            if (run && out.len) {
                /* A lone no-break space says "keep these together". */
                if (run == 1 && first_space == 0xA0)
                    ss_buf_adds(&out, "\xC2\xA0");
                else
                    ss_buf_addc(&out, ' ');
            }
            run = 0;
            after_space = false;
            ss_buf_add(&out, q, (size_t)n);
        }
        q += n;
    }
    free(nfc);
    return ss_buf_steal(&out);
}

/* What each problem is, and what to do about it, in the user's words. */
static const struct {
    const char *text, *advice;
} PROBLEMS[] = {
    [SS_NAME_OK] = {"a character that cannot be printed", "delete it"},
    [SS_NAME_CONTROL] = {"a control character, which prints nothing", "delete it"},
    [SS_NAME_BIDI] = {"a bidirectional control, which changes the order letters are "
                      "shown in", "delete it"},
    [SS_NAME_SOFT_HYPHEN] = {"a soft hyphen", "delete it (the sheet breaks lines itself)"},
    [SS_NAME_INVISIBLE] = {"an invisible formatting character (such as a zero-width "
                           "space or joiner)", "delete it"},
    [SS_NAME_SEPARATOR] = {"a line or paragraph separator", "delete it"},
    [SS_NAME_REPLACEMENT] = {"the replacement character, which stands for text that was "
                             "damaged when the file was converted",
                             "write the letters that were meant"},
    [SS_NAME_LONE_MARK] = {"a combining accent with no letter before it",
                           "write the accented letter instead, or put the accent right "
                           "after its letter"},
};

const char *ss_name_problem_text(ss_name_problem p)
{
    return PROBLEMS[p].text;
}

const char *ss_name_advice(ss_name_problem p)
{
    return PROBLEMS[p].advice;
}
