/* template.h - the sheet's wording: an XML template file -> a tree.
 *
 * The template language (documented in README.md, "The template"; the
 * same contract as an XML Schema for other tools: assets/schema/
 * template.xsd, not loaded at run time):
 *
 *   <sheet version="1" lang="en-US">   lang: optional, default en-US
 *     <uses>                          every figure and table it reads
 *       <national key="K"/> <figure key="K"/> <table key="K"/>
 *     </uses>
 *     <numbers group="," decimal="." million="million" millions="million"
 *              billion=".." billions=".." trillion=".." trillions=".."/>
 *                                     optional: how figures are written
 *     <sample>SAMPLE DATA ...</sample> optional: the notice on sample sheets
 *     <title>...</title> <subtitle>...</subtitle>
 *     blocks: <heading>...</heading> <p>...</p>
 *             <table key="K"/>        a state table; left out when empty
 *             <when of="state" key="K">blocks</when>   only when K > 0
 *     <footer><left>...</left><right>...</right></footer>
 *     <mail from="Name &lt;address&gt;">   optional: for statesheet mail
 *       <subject>..</subject> <body><p>..</p>..</body>   text, <name/>,
 *     </mail>                                  <year/>, <code/> only
 *   </sheet>
 *
 * Inline, inside title, subtitle, heading, p, left, right:
 *   text, <b>...</b>, <year/>, <name/>, <code/>,
 *   <num of="state|national|table" key="K" format="grouped|compact|percent"/>
 *   <plural of=".." key="K"><zero>..</zero><one>..</one><other>..</other></plural>
 *   <when of=".." key="K">...</when>
 */
#ifndef SS_TEMPLATE_H
#define SS_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "records.h"

/* A template larger than this is not a template. */
#define SS_TEMPLATE_MAX_BYTES (1024u * 1024u)
/* Deeper nesting than this is refused (a real template nests 4 deep). */
#define SS_TEMPLATE_MAX_DEPTH 32
/* A language tag longer than this is not one (BCP 47 allows 35). */
#define SS_LANG_MAX 35

typedef enum ss_tkind {
    SS_T_TEXT,    /* literal text */
    SS_T_YEAR,
    SS_T_NAME,
    SS_T_CODE,
    SS_T_NUM,     /* a figure, formatted */
    SS_T_BOLD,    /* children in bold */
    SS_T_PLURAL,  /* zero / one / other by a figure's value */
    SS_T_WHEN,    /* children only when a figure is not 0 */
    SS_T_HEADING, /* block */
    SS_T_PARA,    /* block */
    SS_T_TABLE    /* block */
} ss_tkind;

typedef enum ss_source {
    SS_SRC_STATE,    /* a state figure */
    SS_SRC_NATIONAL, /* a national figure */
    SS_SRC_TABLE     /* a state table; as a number, its total */
} ss_source;

typedef enum ss_numfmt {
    SS_FMT_GROUPED, /* 1,333 */
    SS_FMT_COMPACT, /* 36.2 million */
    SS_FMT_PERCENT  /* 19% */
} ss_numfmt;

/* How the template's language writes figures: digit grouping, decimal
 * mark, and the words of compact numbers, one and many ("1 millón",
 * "36.2 millones").  Every string is owned by the template. */
typedef struct ss_numwords {
    char *group;   /* "," */
    char *decimal; /* "." */
    char *scale[3][2]; /* million, billion, trillion x {one, many} */
} ss_numwords;

typedef struct ss_tnode ss_tnode;
struct ss_tnode {
    ss_tkind kind;
    long line;
    char *text;         /* SS_T_TEXT */
    ss_source source;   /* NUM, PLURAL, WHEN, TABLE (TABLE: always table) */
    char *key;
    ss_numfmt format;   /* NUM */
    ss_tnode *children; /* BOLD, WHEN, HEADING, PARA; PLURAL: 'other' */
    ss_tnode *zero;     /* PLURAL, may be NULL: falls back to 'other' */
    ss_tnode *one;      /* PLURAL, may be NULL: falls back to 'other' */
    bool has_zero, has_one;
    ss_tnode *next;
};

typedef struct ss_use {
    ss_source source;
    char *key;
    long line;
    char *description; /* <uses> entry's optional description, or NULL */
} ss_use;

typedef struct ss_template {
    char *path;
    ss_use *uses;
    size_t nuses;
    ss_tnode *title, *subtitle;
    ss_tnode *blocks;
    ss_tnode *footer_left, *footer_right;
    char *sha256; /* of the file's bytes: part of every sheet's file ID */
    size_t bytes; /* the file's length */
    char *lang;   /* <sheet lang="...">, default "en-US" */
    ss_numwords num; /* <numbers>; US English when the template has none */
    char *sample_notice; /* <sample>; the English notice when absent */
    char *mail_from;          /* <mail from="...">, or NULL */
    ss_tnode *mail_subject;   /* <mail><subject>: inline, or NULL without <mail> */
    ss_tnode *mail_body;      /* <mail><body>: SS_T_PARA nodes */
} ss_template;

/* Loads and checks a template.  Problems go to diag as "path:line: error:".
 * Returns NULL on any error (*io_errno set when the file could not be read,
 * else 0).  Free with ss_template_free. */
ss_template *ss_template_load(const char *path, ss_diag *diag, int *io_errno);
/* The same from bytes in memory; 'name' is used in messages. */
ss_template *ss_template_load_memory(const char *name, const char *data,
                                     size_t len, ss_diag *diag);
void ss_template_free(ss_template *t);

#endif
