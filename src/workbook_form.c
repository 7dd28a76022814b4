/* workbook_form.c - the jurisdictions a blank form lists (workbook.h).
 *
 * assets/jurisdictions.csv: code, English name and Spanish name of the 56
 * jurisdictions NCMEC reports on (public reference data, not figures),
 * read with the CSV reader import uses.
 */
#include "workbook.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "paths.h"
#include "util.h"

/* The list is 56 rows; more is a damaged installation. */
#define PLACES_MAX 200

typedef struct reader {
    ss_places *p;
    long col[3]; /* code, name, name-es: 0-based column, or -1 */
    bool header, bad;
    size_t cap;
} reader;

static bool on_row(void *ctx, long row, char **cells, size_t n)
{
    reader *r = ctx;
    (void)row;
    if (!r->header) {
        static const char *const want[3] = {"code", "name", "name-es"};
        for (int k = 0; k < 3; k++) {
            r->col[k] = -1;
            for (size_t i = 0; i < n; i++)
                if (!strcasecmp(cells[i], want[k]))
                    r->col[k] = (long)i;
        }
        r->header = true;
        r->bad = r->col[0] < 0 || r->col[1] < 0;
        return !r->bad;
    }
    if (n == 0)
        return true;
    if (r->p->n >= PLACES_MAX || (size_t)r->col[0] >= n || (size_t)r->col[1] >= n ||
        !*cells[r->col[0]] || !*cells[r->col[1]]) {
        r->bad = true;
        return false;
    }
    r->p->v = ss_xgrow(r->p->v, sizeof *r->p->v, r->p->n + 1, &r->cap);
    ss_place *pl = &r->p->v[r->p->n++];
    pl->code = ss_xstrdup(cells[r->col[0]]);
    pl->name = ss_xstrdup(cells[r->col[1]]);
    pl->name_es = r->col[2] >= 0 && (size_t)r->col[2] < n && *cells[r->col[2]]
                      ? ss_xstrdup(cells[r->col[2]])
                      : NULL;
    return true;
}

bool ss_places_load(const char *path, ss_places *p)
{
    memset(p, 0, sizeof *p);
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    reader r;
    memset(&r, 0, sizeof r);
    r.p = p;
    ss_csv_errors *errs = ss_csv_errors_new();
    char used;
    bool ok = ss_csv_read(f, ',', on_row, &r, errs, &used) && !r.bad && p->n > 0;
    ss_csv_errors_free(errs);
    fclose(f);
    if (!ok)
        ss_places_free(p);
    return ok;
}

const ss_place *ss_places_find(const ss_places *p, const char *code)
{
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->v[i].code, code))
            return &p->v[i];
    return NULL;
}

void ss_places_free(ss_places *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].code);
        free(p->v[i].name);
        free(p->v[i].name_es);
    }
    free(p->v);
    memset(p, 0, sizeof *p);
}

bool ss_places_load_assets(const char *assets_dir, ss_diag *diag, ss_places *p)
{
    char *assets = ss_assets_dir(assets_dir);
    char *path = assets ? ss_path_join(assets, SS_JURISDICTIONS_FILE) : NULL;
    bool ok = path && ss_places_load(path, p);
    if (!ok)
        ss_diag_error(diag, path, 0, "cannot read the list of jurisdictions for the "
                      "blank form; reinstall statesheet, or name its assets with "
                      "--assets DIR");
    free(path);
    free(assets);
    return ok;
}

bool ss_places_rename(ss_places *p, const ss_state *st)
{
    ss_place *pl = (ss_place *)ss_places_find(p, st->code);
    if (!pl)
        return false;
    const char *es = ss_text_in(st->names, st->nnames, "es");
    free(pl->name);
    pl->name = ss_xstrdup(st->name);
    if (es) {
        free(pl->name_es);
        pl->name_es = ss_xstrdup(es);
    }
    return true;
}
