/* validate.c - a dataset against a template and the fonts. */
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Keys longer than this are never compared for near misses (SS_KEY_MAX is
 * 64, so every valid key is). */
#define NEAR_KEY_MAX 64
/* A key this many edits or fewer from a used one is probably a typing
 * mistake for it. */
#define NEAR_EDITS 2
/* A template text quoted in a message is cut to this many bytes. */
#define QUOTE_TEXT_MAX 60

int ss_edit_distance(const char *a, const char *b, int limit)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > NEAR_KEY_MAX || m > NEAR_KEY_MAX)
        return limit + 1;
    if ((n > m ? n - m : m - n) > (size_t)limit)
        return limit + 1;
    /* Three rows of the optimal string alignment table. */
    int rows[3][NEAR_KEY_MAX + 1];
    int *pp = rows[0], *p = rows[1], *c = rows[2];
    for (size_t j = 0; j <= m; j++)
        p[j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        c[0] = (int)i;
        int best = c[0];
        for (size_t j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = p[j - 1] + cost;
            if (p[j] + 1 < v)
                v = p[j] + 1;
            if (c[j - 1] + 1 < v)
                v = c[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            c[j] = v;
            if (v < best)
                best = v;
        }
        if (best > limit)
            return limit + 1;
        int *t = pp;
        pp = p, p = c, c = t;
    }
    return p[m] <= limit ? p[m] : limit + 1;
}

static bool template_reads(const ss_template *t, ss_source src, const char *key)
{
    for (size_t u = 0; u < t->nuses; u++)
        if (t->uses[u].source == src && !strcmp(t->uses[u].key, key))
            return true;
    return false;
}

/* The key of 'src' the template reads that 'key' is probably a typing
 * mistake for, or NULL. */
static const char *near_key(const ss_template *t, ss_source src, const char *key)
{
    const char *best = NULL;
    int best_d = NEAR_EDITS + 1;
    if (!*key || template_reads(t, src, key))
        return NULL;
    for (size_t u = 0; u < t->nuses; u++) {
        if (t->uses[u].source != src)
            continue;
        int d = ss_edit_distance(key, t->uses[u].key, NEAR_EDITS);
        if (d < best_d) {
            best_d = d;
            best = t->uses[u].key;
        }
    }
    return best;
}

static void report_near(const ss_template *t, const ss_dataset *ds, const char *owner,
                        const char *what, ss_source src, const char *key, long line,
                        bool strict, ss_diag *diag)
{
    const char *near = near_key(t, src, key);
    if (near)
        ss_diag_add(diag, strict ? SS_ERROR : SS_WARNING, ds->path, line,
                    "%s%s '%s' is not used by the template; did you mean '%s'?", owner,
                    what, key, near);
}

static void missing_in_state(const ss_template *t, const ss_dataset *ds,
                             const ss_state *st, ss_diag *diag)
{
    for (size_t u = 0; u < t->nuses; u++) {
        const ss_use *use = &t->uses[u];
        if (use->source == SS_SRC_STATE && !ss_state_figure(st, use->key))
            ss_diag_error(diag, ds->path, st->line,
                          "state %s has no figure '%s', which the template uses; "
                          "add <figure key=\"%s\">...</figure> to the state",
                          st->code, use->key, use->key);
        else if (use->source == SS_SRC_TABLE && !ss_state_table(st, use->key))
            ss_diag_error(diag, ds->path, st->line,
                          "state %s has no table '%s', which the template uses; "
                          "add <table key=\"%s\">...</table> to the state (it "
                          "may have no rows)",
                          st->code, use->key, use->key);
    }
}

static void near_in_state(const ss_template *t, const ss_dataset *ds, const ss_state *st,
                          bool strict, ss_diag *diag)
{
    char owner[64];
    snprintf(owner, sizeof owner, "state %s: ", st->code);
    for (size_t i = 0; i < st->nfigures; i++)
        report_near(t, ds, owner, "the figure", SS_SRC_STATE, st->figures[i].key,
                    st->figures[i].line, strict, diag);
    for (size_t i = 0; i < st->ntables; i++)
        report_near(t, ds, owner, "the table", SS_SRC_TABLE, st->tables[i].key,
                    st->tables[i].line, strict, diag);
}

/* Figures and tables the template reads that the data lacks. */
static void report_missing_national(const ss_template *t, const ss_dataset *ds,
                                    ss_diag *diag)
{
    for (size_t u = 0; u < t->nuses; u++) {
        const ss_use *use = &t->uses[u];
        if (use->source == SS_SRC_NATIONAL && !ss_dataset_national(ds, use->key))
            ss_diag_error(diag, ds->path, ds->national_line ? ds->national_line : ds->line,
                          "the national figures have no '%s', which the template "
                          "uses; add <figure key=\"%s\">...</figure> to <national>",
                          use->key, use->key);
    }
}

/* National figures whose key is near one the template uses. */
static void near_national(const ss_template *t, const ss_dataset *ds, bool strict,
                          ss_diag *diag)
{
    for (size_t i = 0; i < ds->nnational; i++)
        report_near(t, ds, "", "the national figure", SS_SRC_NATIONAL,
                    ds->national[i].key, ds->national[i].line, strict, diag);
}

bool ss_validate_state_keys(const ss_template *t, const ss_dataset *ds, const ss_state *st,
                            bool strict, ss_diag *diag)
{
    size_t before = ss_diag_error_count(diag);
    missing_in_state(t, ds, st, diag);
    near_in_state(t, ds, st, strict, diag);
    return ss_diag_error_count(diag) == before;
}

bool ss_validate_national_keys(const ss_template *t, const ss_dataset *ds, bool strict,
                               ss_diag *diag)
{
    size_t before = ss_diag_error_count(diag);
    report_missing_national(t, ds, diag);
    near_national(t, ds, strict, diag);
    return ss_diag_error_count(diag) == before;
}

bool ss_validate_keys(const ss_template *t, const ss_dataset *ds, bool strict,
                      ss_diag *diag)
{
    bool ok = ss_validate_national_keys(t, ds, strict, diag);
    for (size_t s = 0; s < ds->nstates; s++)
        ok = ss_validate_state_keys(t, ds, &ds->states[s], strict, diag) && ok;
    return ok;
}

/* ---- characters the fonts cannot print ---------------------------------- */

static void report_glyph(ss_diag *diag, const char *file, long line, const char *what,
                         const char *text, long cp)
{
    char ch[8] = "";
    if (cp >= 0x20 && cp != 0xFFFD) {
        int n = ss_utf8_encode(cp, ch);
        ch[n] = '\0';
    }
    if (cp == 0xFFFD)
        ss_diag_error(diag, file, line, "%s has the character U+FFFD, the replacement "
                      "character, which stands for text that was damaged when the file "
                      "was converted; write the letters that were meant", what);
    else
        ss_diag_error(diag, file, line, "%s '%s' has the character U+%04lX%s%s%s, which "
                      "the sheet's font cannot print; write it without that character "
                      "(the font covers Latin, Greek and Cyrillic letters and common "
                      "punctuation)", what, text, cp, *ch ? " '" : "", ch, *ch ? "'" : "");
}

/* The first character of s that bold or regular cannot print, or 0. */
static long missing_in_both(const ss_fonts *fonts, const char *s)
{
    long cp = ss_fonts_first_missing(fonts, SS_BOLD, s);
    return cp ? cp : ss_fonts_first_missing(fonts, SS_REGULAR, s);
}

static void check_nodes(const ss_tnode *n, const ss_fonts *fonts, const char *file,
                        ss_diag *diag)
{
    for (; n; n = n->next) {
        long cp = n->kind == SS_T_TEXT ? missing_in_both(fonts, n->text) : 0;
        if (cp) {
            char *t = ss_trim_dup(n->text);
            if (strlen(t) > QUOTE_TEXT_MAX)
                strcpy(t + QUOTE_TEXT_MAX - 3, "...");
            report_glyph(diag, file, n->line, "the text", t, cp);
            free(t);
        }
        check_nodes(n->children, fonts, file, diag);
        check_nodes(n->zero, fonts, file, diag);
        check_nodes(n->one, fonts, file, diag);
    }
}

bool ss_validate_template_glyphs(const ss_template *t, const ss_fonts *fonts,
                                 ss_diag *diag)
{
    size_t before = ss_diag_error_count(diag);
    const ss_tnode *parts[] = {t->title, t->subtitle, t->blocks, t->footer_left,
                               t->footer_right};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        check_nodes(parts[i], fonts, t->path, diag);
    return ss_diag_error_count(diag) == before;
}

bool ss_validate_state_glyphs(const ss_dataset *ds, const ss_state *st,
                              const ss_fonts *fonts, ss_diag *diag)
{
    size_t before = ss_diag_error_count(diag);
    long cp = missing_in_both(fonts, st->name);
    if (cp) {
        char what[64];
        snprintf(what, sizeof what, "state %s: the name", st->code);
        report_glyph(diag, ds->path, st->line, what, st->name, cp);
    }
    for (size_t t = 0; t < st->ntables; t++)
        for (size_t r = 0; r < st->tables[t].nrows; r++) {
            const ss_row *row = &st->tables[t].rows[r];
            cp = ss_fonts_first_missing(fonts, SS_REGULAR, row->label);
            if (cp) {
                char what[160];
                snprintf(what, sizeof what, "state %s, table '%s': the row label",
                         st->code, st->tables[t].key);
                report_glyph(diag, ds->path, row->line, what, row->label, cp);
            }
        }
    return ss_diag_error_count(diag) == before;
}

/* The language names a warning can say in words; others by their code. */
static const char *language_name(const char *ll)
{
    static const char *const names[][2] = {{"es", "Spanish"}, {"fr", "French"},
                                           {"de", "German"},  {"pt", "Portuguese"},
                                           {"zh", "Chinese"}, {"vi", "Vietnamese"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(names[i][0], ll))
            return names[i][1];
    return ll;
}

bool ss_validate_language(const ss_template *t, ss_dataset *ds, bool sheet, bool strict,
                          ss_diag *diag)
{
    char ll[3] = {0};
    for (int i = 0; i < 2 && t->lang[i]; i++)
        ll[i] = (char)(t->lang[i] | 0x20); /* "es-US" -> "es" */
    if (!strcmp(ll, "en") || strlen(ll) != 2)
        return true; /* name and label are the English ones */
    bool ok = true;
    for (size_t s = 0; s < ds->nstates; s++) {
        ss_state *st = &ds->states[s];
        const char *name = ss_text_in(st->names, st->nnames, ll);
        size_t missing = 0;
        for (size_t k = 0; k < st->ntables; k++)
            for (size_t r = 0; r < st->tables[k].nrows; r++) {
                ss_row *row = &st->tables[k].rows[r];
                const char *label = ss_text_in(row->labels, row->nlabels, ll);
                if (label)
                    row->label = label;
                else
                    missing++;
            }
        if (!name || missing) {
            char *what = !name && missing ? ss_xasprintf("no name-%s, and %zu row%s no "
                                                         "label-%s", ll, missing,
                                                         missing == 1 ? " has" : "s have", ll)
                         : !name ? ss_xasprintf("no name-%s", ll)
                                 : ss_xasprintf("%zu row%s no label-%s", missing,
                                                missing == 1 ? " has" : "s have", ll);
            char *add = sheet ? ss_xasprintf("%s%s%s", name ? "" : "a name-", name ? "" : ll,
                                             !name && missing ? " column, and "
                                             : !name ? " column"
                                                     : "")
                              : NULL;
            if (sheet && missing) {
                char *more = ss_xasprintf("%s' [%s: ...]' after each row label in the "
                                          "header", add, ll);
                free(add);
                add = more;
            } else if (!sheet) {
                add = !name && missing
                          ? ss_xasprintf("name-%s=\"...\" to the <state> and label-%s=\"...\" "
                                         "to each <row>", ll, ll)
                      : !name ? ss_xasprintf("name-%s=\"...\" to the <state>", ll)
                              : ss_xasprintf("label-%s=\"...\" to each <row>", ll);
            }
            ss_diag_add(diag, strict ? SS_ERROR : SS_WARNING, ds->path, st->line,
                        "state %s: the template is in %s, but the state has %s; the sheet "
                        "shows %s in English: add %s", st->code, language_name(ll), what,
                        !name && missing ? "them" : "it", add);
            free(add);
            free(what);
            ok = ok && !strict;
        }
        if (name)
            st->name = name;
    }
    return ok;
}
