/* blockcache.h - the allocator given to libharu for a sheet's documents
 * (HPDF_NewEx): small blocks reused per thread instead of a malloc and a
 * free for each of a document's objects.  See blockcache.c. */
#ifndef SS_BLOCKCACHE_H
#define SS_BLOCKCACHE_H

/* 1 when blocks are cached; 0 under AddressSanitizer, where every block
 * is a plain malloc so that use after free in libharu's objects is still
 * caught. */
#if defined(__SANITIZE_ADDRESS__)
#define SS_BLOCK_CACHE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SS_BLOCK_CACHE 0
#endif
#endif
#ifndef SS_BLOCK_CACHE
#define SS_BLOCK_CACHE 1
#endif

/* As malloc and free (HPDF_Alloc_Func and HPDF_Free_Func).  A block from
 * ss_block_alloc must be freed with ss_block_free, on any thread. */
void *ss_block_alloc(unsigned size);
void ss_block_free(void *ptr);

#endif
