/* strset.h - a set of strings, each numbered in the order it was added.
 *
 * The program's one hash table: callers keep what belongs to a string in
 * an array indexed by its number (a map), or only ask whether it is there
 * (a set).  Strings are copied in; they may hold any bytes, NULs too.
 */
#ifndef SS_STRSET_H
#define SS_STRSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What ss_strset_find returns for a string not in the set. */
#define SS_STRSET_NONE ((size_t)-1)

typedef struct ss_strset {
    uint32_t *slot;    /* 0: free, else 1 + the string's number */
    size_t mask;       /* slots - 1 (a power of two, at most half full) */
    struct ss_strkey {
        uint64_t hash;
        size_t at, len; /* where in text, how long */
    } *key;             /* per string */
    size_t count, cap;
    char *text;        /* the strings, each followed by a NUL */
    size_t text_len, text_cap;
} ss_strset;

/* An empty set is all zeros: ss_strset s = {0}.  Free with ss_strset_free. */
void ss_strset_free(ss_strset *s);

/* The number of the n bytes at str, added when new (*added says which;
 * added may be NULL). */
size_t ss_strset_add(ss_strset *s, const char *str, size_t n, bool *added);
/* Its number, or SS_STRSET_NONE. */
size_t ss_strset_find(const ss_strset *s, const char *str, size_t n);
/* String number i (NUL-terminated; valid until the next add). */
const char *ss_strset_get(const ss_strset *s, size_t i);

/* FNV-1a (64 bits) of n bytes, continuing from h (SS_HASH_START for a
 * new hash): short keys, no attacker (our own files' words and keys). */
#define SS_HASH_START 14695981039346656037u
uint64_t ss_hash(uint64_t h, const void *data, size_t n);

#endif
