/* strset.c - a set of strings (open addressing over FNV-1a hashes). */
#include "strset.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Slots of a new set: room for 32 strings before it grows. */
#define MIN_SLOTS 64

uint64_t ss_hash(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211u;
    return h;
}

void ss_strset_free(ss_strset *s)
{
    free(s->slot);
    free(s->key);
    free(s->text);
    memset(s, 0, sizeof *s);
}

/* The slot of the string (its own, or the free one where it goes). */
static uint32_t *slot_of(const ss_strset *s, uint64_t h, const char *str, size_t n)
{
    /* The top bits of a Fibonacci product: FNV-1a's low bits hardly
     * depend on the last byte. */
    for (size_t i = (size_t)((h * 0x9E3779B97F4A7C15u) >> 32) & s->mask;;
         i = (i + 1) & s->mask) {
        uint32_t *e = &s->slot[i];
        if (!*e)
            return e;
        const struct ss_strkey *k = &s->key[*e - 1u];
        if (k->hash == h && k->len == n && !memcmp(s->text + k->at, str, n))
            return e;
    }
}

size_t ss_strset_find(const ss_strset *s, const char *str, size_t n)
{
    if (!s->slot)
        return SS_STRSET_NONE;
    uint32_t *e = slot_of(s, ss_hash(SS_HASH_START, str, n), str, n);
    return *e ? *e - 1u : SS_STRSET_NONE;
}

static void grow(ss_strset *s)
{
    size_t slots = s->slot ? (s->mask + 1) * 2 : MIN_SLOTS;
    free(s->slot);
    s->slot = ss_xcalloc(slots, sizeof *s->slot);
    s->mask = slots - 1;
    for (size_t k = 0; k < s->count; k++)
        *slot_of(s, s->key[k].hash, s->text + s->key[k].at, s->key[k].len) = (uint32_t)(k + 1);
}

size_t ss_strset_add(ss_strset *s, const char *str, size_t n, bool *added)
{
    if (!s->slot || (s->count + 1) * 2 > s->mask + 1)
        grow(s);
    uint64_t h = ss_hash(SS_HASH_START, str, n);
    uint32_t *e = slot_of(s, h, str, n);
    if (added)
        *added = !*e;
    if (*e)
        return *e - 1u;
    s->key = ss_xgrow(s->key, sizeof *s->key, s->count + 1, &s->cap);
    s->text = ss_xgrow(s->text, 1, s->text_len + n + 1, &s->text_cap);
    memcpy(s->text + s->text_len, str, n);
    s->text[s->text_len + n] = '\0';
    s->key[s->count] = (struct ss_strkey){h, s->text_len, n};
    s->text_len += n + 1;
    *e = (uint32_t)(++s->count);
    return s->count - 1;
}

const char *ss_strset_get(const ss_strset *s, size_t i)
{
    return s->text + s->key[i].at;
}
