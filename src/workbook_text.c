/* workbook_text.c - text a spreadsheet damaged on the way (workbook.h).
 *
 * Our own code: no library names the three ways a spreadsheet program
 * spoils a name (a '?' for a character its code page lacks, U+FFFD for a
 * byte it could not read, UTF-8 read as Windows-1252), and the test is a
 * small table.  (U+FFFD itself the loader refuses, records.c.)
 */
#include "workbook.h"

#include <string.h>

#include <utf8proc.h>

#include "util.h"

/* Windows-1252's characters for the bytes 0x80-0x9F (0: unassigned). */
static const long CP1252_HIGH[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0};

/* The byte Windows-1252 shows as cp, or -1. */
static int cp1252_byte(long cp)
{
    if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF))
        return (int)cp;
    for (int i = 0; i < 32; i++)
        if (CP1252_HIGH[i] == cp)
            return 0x80 + i;
    return -1;
}

static bool is_letter(long cp)
{
    if (cp < 0)
        return false;
    utf8proc_category_t k = utf8proc_category((utf8proc_int32_t)cp);
    return k == UTF8PROC_CATEGORY_LU || k == UTF8PROC_CATEGORY_LL ||
           k == UTF8PROC_CATEGORY_LT || k == UTF8PROC_CATEGORY_LM ||
           k == UTF8PROC_CATEGORY_LO;
}

/* The longest run we look at: a UTF-8 sequence is at most 4 bytes. */
#define SEQ_MAX 4

const char *ss_text_damage(const char *s)
{
    const char *end = s + strlen(s);
    long prev = -1;
    for (const char *p = s; p < end;) {

        long cp = ss_utf8_next(&p, end);
        if (cp == '?' && is_letter(prev) && p < end) {
            const char *q = p;
            if (is_letter(ss_utf8_next(&q, end)))
                return "it has '?' where a letter should be: Excel's plain 'CSV' format "
                       "writes '?' for the characters it cannot hold (such as \xCA\xBB in "
                       "Hawai\xCA\xBBi); type the name again and save as 'CSV UTF-8 (Comma "
                       "delimited)', or give the .xlsx itself";
        }
        /* UTF-8 read as Windows-1252: a lead byte's character followed by
         * its continuation bytes' characters (C3 A9 'é' shows as 'Ã©'). */
        int b0 = cp1252_byte(cp);
        int need = b0 >= 0xC2 && b0 <= 0xDF ? 1 : b0 >= 0xE0 && b0 <= 0xEF ? 2
                   : b0 >= 0xF0 && b0 <= 0xF4 ? 3 : 0;
        const char *q = p;
        int got = 0;
        while (need && got < need && q < end) {
            int b = cp1252_byte(ss_utf8_next(&q, end));
            if (b < 0x80 || b > 0xBF)
                break;
            got++;
        }
        if (need && got == need)
            return "it has characters such as '\xC3\x83\xC2\xA9' or '\xC3\x8A\xC2\xBB' where "
                   "one should be: the file was saved as UTF-8 and then opened as Windows "
                   "text (opening a CSV by double-click in Excel does this) and saved "
                   "again; type the name again, or open the CSV with Data > From Text/CSV "
                   "choosing 'Unicode (UTF-8)', and save as 'CSV UTF-8', or give the .xlsx "
                   "itself";
        prev = cp;
    }
    return NULL;
}
