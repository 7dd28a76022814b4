/* floor.c - the least any libharu generator must do for our sheets.
 *
 * For each of N sheets: a new document, the two TrueType fonts of
 * assets/fonts/ loaded with embedding in libharu's UTF-8 mode (CID fonts:
 * our sheets need it for characters outside CP1252, such as the okina in
 * "Hawaiʻi"), every stream compressed, the North Dakota sheet's text
 * (tests/fixtures/reference/north-dakota-2023.txt, wrapped to 49 lines) drawn
 * at fixed positions with HPDF_Page_TextOut, and the file saved.  No
 * layout, no measuring, no PDF/A, no font subsetting: a naive generator.
 * bench/run.sh times statesheet as a ratio to this program.
 *
 *   cc -O2 -o floor bench/floor.c -lhpdf
 *   floor OUTDIR N [FONTDIR]      (FONTDIR defaults to assets/fonts)
 *
 * Writes OUTDIR/floor-0001.pdf ... OUTDIR/floor-NNNN.pdf (creating OUTDIR,
 * one level, as statesheet does); exits 1 on any error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <hpdf.h>

static const struct {
    int bold;
    const char *text;
} LINES[] = {
    {1, "The National Center for Missing and Exploited Children"},
    {1, "North Dakota Data"},
    {0, "The National Center for Missing and Exploited Children (NCMEC) serves as the congressionally"},
    {0, "designated clearinghouse and resource center on issues relating to missing and exploited children."},
    {0, "NCMEC supports families, law enforcement, child welfare, and members of the public to help find"},
    {0, "missing children, combat child sexual exploitation, and reduce child victimization."},
    {0, "Listed below are North Dakota specific statistics relating to NCMEC's work. For nationwide"},
    {0, "information on all of NCMEC's programs, please visit: missingkids.org/ourwork/impact."},
    {1, "NCMEC's Work to Combat Child Sexual Exploitation"},
    {0, "NCMEC operates the CyberTipline, the national mechanism for members of the public and online"},
    {0, "platforms to report suspected child sexual exploitation. In 2023, the CyberTipline received 36.2"},
    {0, "million reports related to child sexual exploitation, containing more than 105 million pieces of"},
    {0, "reported content. In 2023, 1,333 CyberTipline reports were made available to law enforcement in"},
    {0, "North Dakota."},
    {0, "NCMEC also operates the Child Victim Identification Program (CVIP) that helps identify children"},
    {0, "depicted in imagery seized by law enforcement during investigations. NCMEC has supported law"},
    {0, "enforcement's identification of 27,130 children. In 2023, NCMEC reviewed 28 submissions of child"},
    {0, "sexual exploitation material from North Dakota law enforcement."},
    {1, "NCMEC's Work to Help Locate and Recover Missing Children"},
    {0, "In 2023, NCMEC assisted law enforcement, families, and social service agencies on 28,886 missing"},
    {0, "child cases, 22,442 of which involved children who had run away from a social services facility."},
    {0, "These children are uniquely vulnerable to homelessness, gang involvement, and sex trafficking. Based"},
    {0, "on NCMEC's analysis, 19% of these children were likely victims of child sex trafficking."},
    {0, "In 2023, NCMEC handled 68 cases of missing children from North Carolina as follows:"},
    {0, "Children Missing From Social Services Facility    61"},
    {0, "Other Missing Children Cases    6"},
    {0, "Children Reported Missing by Office of Refugee Resettlement (HHS-ORR) :    1"},
    {1, "NCMEC's Work to Combat Child Sex Trafficking"},
    {0, "In 2023, NCMEC received more than 18,400 reports relating to child sex trafficking. NCMEC leverages"},
    {0, "open-source data and technology tools to support law enforcement's work on reports of child sex"},
    {0, "trafficking. NCMEC also provides recovery services to assist on child sex trafficking cases,"},
    {0, "including: (1) case-based assistance to develop trauma-informed, victim-centered recovery plans; (2)"},
    {0, "resources and"},
    {0, "support to develop effective strategies for youth engagement, trauma responses, and to address"},
    {0, "running behavior; and (3) developing multidisciplinary efforts to prevent re-victimization."},
    {1, "NCMEC's Work to Support Survivors/Families Impacted by a Missing or Exploited Child Case"},
    {0, "NCMEC's Team HOPE is a peer support network of individuals who were missing or exploited as children"},
    {0, "or have experienced having a missing or exploited child. In 2023, Team HOPE supported 5,759"},
    {0, "survivors and families with peer support, including 8 survivors/families in North Dakota. NCMEC also"},
    {0, "facilitates the Family Advocacy Outreach Network, a network of experienced mental health"},
    {0, "professionals who provide free or low-cost therapeutic services to survivors/families. In 2023,"},
    {0, "NCMEC connected 7 survivors/families to mental health services in North Dakota."},
    {0, "In 2023, at the request of law enforcement, Team Adam was activated on 57 incidents involving"},
    {0, "critically missing children and provided assistance to 146 long-term missing children cases."},
    {0, "NCMEC's Education Resources for Law Enforcement and Child-Serving Professionals"},
    {0, "NCMEC is committed to providing educational opportunities and resources to law enforcement and"},
    {0, "child-serving professionals through in-person education sessions across the country and online"},
    {0, "through NCMEC CONNECT. In 2023, NCMEC CONNECT had more than 18,000 registered users, including 30"},
    {0, "new law enforcement and child-serving professionals in North Dakota."},
};

static void on_error(HPDF_STATUS e, HPDF_STATUS detail, void *user)
{
    (void)user;
    fprintf(stderr, "floor: libharu error 0x%04X, detail %u\n", (unsigned)e,
            (unsigned)detail);
    exit(1);
}

static void die(const char *what)
{
    fprintf(stderr, "floor: %s failed\n", what);
    exit(1);
}

static void one_sheet(const char *path, const char *regular, const char *bold)
{
    HPDF_Doc pdf = HPDF_New(on_error, NULL);
    if (!pdf)
        die("HPDF_New");
    if (HPDF_UseUTFEncodings(pdf) != HPDF_OK ||
        HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL) != HPDF_OK)
        die("setting up the document");
    const char *rn = HPDF_LoadTTFontFromFile(pdf, regular, HPDF_TRUE);
    const char *bn = HPDF_LoadTTFontFromFile(pdf, bold, HPDF_TRUE);
    if (!rn || !bn)
        die("loading a font");
    HPDF_Font font[2] = {HPDF_GetFont(pdf, rn, "UTF-8"), HPDF_GetFont(pdf, bn, "UTF-8")};
    if (!font[0] || !font[1])
        die("HPDF_GetFont");
    HPDF_Page page = HPDF_AddPage(pdf);
    if (!page)
        die("HPDF_AddPage");
    HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_LETTER, HPDF_PAGE_PORTRAIT);
    HPDF_Page_BeginText(page);
    HPDF_REAL y = 750;
    for (size_t i = 0; i < sizeof LINES / sizeof *LINES; i++) {
        HPDF_Page_SetFontAndSize(page, font[LINES[i].bold], LINES[i].bold ? 11 : 9.5f);
        HPDF_Page_TextOut(page, 54, y, LINES[i].text);
        y -= 14;
    }
    HPDF_Page_EndText(page);
    if (HPDF_SaveToFile(pdf, path) != HPDF_OK)
        die("HPDF_SaveToFile");
    HPDF_Free(pdf);
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: floor OUTDIR N [FONTDIR]\n");
        return 2;
    }
    const char *dir = argv[1];
    long n = strtol(argv[2], NULL, 10);
    const char *fonts = argc > 3 ? argv[3] : "assets/fonts";
    if (n < 1) {
        fprintf(stderr, "floor: N must be a whole number >= 1\n");
        return 2;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        perror(dir);
        return 1;
    }
    char regular[4096], bold[4096], path[4096];
    snprintf(regular, sizeof regular, "%s/StatesheetSans-Regular.ttf", fonts);
    snprintf(bold, sizeof bold, "%s/StatesheetSans-Bold.ttf", fonts);
    for (long i = 1; i <= n; i++) {
        snprintf(path, sizeof path, "%s/floor-%04ld.pdf", dir, i);
        one_sheet(path, regular, bold);
    }
    return 0;
}
