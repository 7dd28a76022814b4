/* records.h - the state records: libxml2 -> validated in-memory dataset.
 *
 * Reads the state data format, version 1 (doc/data-format.md).  The checks
 * in records.c are the format's only validator at run time and word every
 * problem for the person who edits the file; assets/schema/statedata.xsd is
 * the same contract written as an XML Schema for other tools, and a test
 * (tests/e2e/schema.sh) runs xmllint over every fixture so the two agree.
 */
#ifndef SS_RECORDS_H
#define SS_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* Limits of the format (data-format.md) and of the program. */
#define SS_FIGURE_MAX 999999999999ULL /* largest figure or row value */
#define SS_CODE_MIN 2                 /* state/@code length */
#define SS_CODE_MAX 10
#define SS_NAME_MAX 100   /* state/@name, code points after trimming */
#define SS_LABEL_MAX 200  /* row/@label, code points after trimming */
#define SS_KEY_MAX 64     /* figure/@key, table/@key */
#define SS_YEAR_MIN 1900
#define SS_YEAR_MAX 2999
/* A data file larger than this is refused before parsing: no real file
 * comes close (a state is ~1 KB), and a bigger one is a mistake or an
 * attack. */
#define SS_DATA_MAX_BYTES (256u * 1024u * 1024u)

/* A translation of a state's name or a row's label, from name-LL or
 * label-LL (lang: the two-letter code, "es").  Owned by the dataset. */
typedef struct ss_translation {
    const char *lang;
    const char *text;
} ss_translation;
#define SS_LANGS_MAX 8 /* translations of one name or label: more is a mistake */

typedef struct ss_figure {
    const char *key; /* owned by the dataset */
    uint64_t value;
    long line;
} ss_figure;

typedef struct ss_row {
    const char *label; /* trimmed; owned by the dataset */
    uint64_t value;
    long line;
    ss_translation *labels; /* label-LL translations */
    size_t nlabels;
} ss_row;

typedef struct ss_table {
    const char *key;
    ss_row *rows;
    size_t nrows;
    bool has_total;  /* @total was given (then it equals the sum) */
    uint64_t total;  /* the sum of the rows, always */
    long line;
} ss_table;

typedef struct ss_state {
    const char *code;
    const char *name; /* trimmed */
    long line;
    ss_figure *figures;
    size_t nfigures;
    ss_table *tables;
    size_t ntables;
    ss_translation *names; /* name-LL translations */
    size_t nnames;
} ss_state;

typedef struct ss_dataset {
    char *path;      /* as given on the command line, for messages */
    int year;
    bool sample;     /* statedata/@sample="true": figures are not real */
    long line;       /* line of <statedata> */
    ss_figure *national;
    size_t nnational;
    long national_line; /* 0 when there is no <national> */
    ss_state *states;
    size_t nstates;
    char sha256[65]; /* of the file's bytes (ss_dataset_load_all; else "") */
    size_t bytes;    /* its length */
    void *pool_;     /* private: string storage */
} ss_dataset;

/* Loads and validates the data file at 'path'.  Every problem goes into
 * 'diag' as "path:line: error: ...", and *valid says whether there was none.
 * Returns NULL when the file is missing or unreadable (*io_errno is set to
 * errno, or EFBIG when over SS_DATA_MAX_BYTES) or has mistakes (*io_errno
 * is 0); but the dataset of a well-formed file with mistakes is returned
 * (with *valid false), so that the checks against the template can report
 * their problems in the same run.  Never make sheets from it.  Free the
 * result with ss_dataset_free. */
ss_dataset *ss_dataset_load_all(const char *path, ss_diag *diag, int *io_errno,
                                bool *valid);

/* Loads and validates bytes already in memory ('name' is used in
 * messages): NULL when anything was wrong. */
ss_dataset *ss_dataset_load_memory(const char *name, const char *data,
                                   size_t len, ss_diag *diag);

/* Streaming: checks the data file at 'path' like ss_dataset_load_all, but
 * hands each <state> to 'each' as soon as its end tag is read, and frees it
 * when 'each' returns; memory stays flat however many states the file has
 * (the file is mapped and its pages let go as they are passed; a set of
 * the codes seen finds duplicates).  'each' sees states of a file whose
 * mistakes are found later, so it must not act on them before this
 * returns.  Returns the dataset without its states (year, sample, the
 * national figures; nstates 0, no look-up by code) and sets *nstates to
 * the number of states, or NULL when the file cannot be read (*io_errno)
 * or has any mistake. */
typedef void (*ss_state_fn)(const ss_dataset *ds, const ss_state *st, void *ctx);
ss_dataset *ss_dataset_stream(const char *path, ss_diag *diag, int *io_errno,
                              ss_state_fn each, void *ctx, size_t *nstates);

/* The same for 'len' bytes already in memory (standard input or a pipe,
 * which can be read only once); 'name' is used in messages. */
ss_dataset *ss_dataset_stream_memory(const char *name, const char *data, size_t len,
                                     ss_diag *diag, ss_state_fn each, void *ctx,
                                     size_t *nstates);

/* The same for a regular file already open at fd (read from its start;
 * the caller keeps and closes fd); 'name' is used in messages. */
ss_dataset *ss_dataset_stream_fd(const char *name, int fd, ss_diag *diag,
                                 ss_state_fn each, void *ctx, size_t *nstates);

void ss_dataset_free(ss_dataset *ds);

/* The translation of a name or label into lang (two letters), or NULL. */
const char *ss_text_in(const ss_translation *t, size_t n, const char *lang);

/* True when the n bytes at 'key' have the format's key syntax: lower-case words of a-z,
 * 0-9 and _, each starting with a letter, joined by '.' (length is checked
 * apart, against SS_KEY_MAX).  Templates use the same keys. */
bool ss_key_syntax_ok(const char *key, size_t n);

/* Look-ups; NULL when absent. */
const ss_state *ss_dataset_find_state(const ss_dataset *ds, const char *code);
const ss_figure *ss_state_figure(const ss_state *st, const char *key);
const ss_table *ss_state_table(const ss_state *st, const char *key);
const ss_figure *ss_dataset_national(const ss_dataset *ds, const char *key);

#endif
