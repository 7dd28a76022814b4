/* blockcache.h - the allocator given to libharu for a sheet's documents
 * (HPDF_NewEx): small blocks reused per thread instead of a malloc and a
 * free for each of a document's objects.  See blockcache.c. */
#ifndef SS_BLOCKCACHE_H
#define SS_BLOCKCACHE_H

/* As malloc and free (HPDF_Alloc_Func and HPDF_Free_Func).  A block from
 * ss_block_alloc must be freed with ss_block_free, on any thread. */
void *ss_block_alloc(unsigned size);
void ss_block_free(void *ptr);

#endif
