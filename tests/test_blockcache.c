/* test_blockcache.c - the allocator given to libharu (blockcache.c): every
 * block is aligned for any type and holds what was written to it while it
 * lives; a freed small block is what the next allocation of its size class
 * on that thread gets back; blocks freed on another thread, and that
 * thread's ending, lose nothing; a real libharu document made with it is
 * the same file as one made with malloc. */
#include "testutil.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>

#include "blockcache.h"

#define N 600

static void blocks_are_aligned_and_keep_their_bytes(void **state)
{
    (void)state;
    unsigned char *b[N];
    for (unsigned i = 0; i < N; i++) {
        unsigned size = i % 300 + 1;
        b[i] = ss_block_alloc(size);
        assert_non_null(b[i]);
        assert_int_equal((uintptr_t)b[i] % 16, 0);
        memset(b[i], (int)(i & 0xFF), size);
    }
    for (unsigned i = 0; i < N; i++) {
        unsigned size = i % 300 + 1;
        for (unsigned k = 0; k < size; k++)
            assert_int_equal(b[i][k], i & 0xFF);
    }
    for (unsigned i = 0; i < N; i++)
        ss_block_free(b[i]);
    ss_block_free(NULL);
}

static void a_freed_block_is_reused_on_its_thread(void **state)
{
    (void)state;
    void *a = ss_block_alloc(40); /* the 48-byte class: a 64-byte malloc */
    ss_block_free(a);
    /* Had the block gone back to malloc, this would take it. */
    void *m = malloc(64);
    assert_non_null(m);
    void *b = ss_block_alloc(33);
    if (SS_BLOCK_CACHE)
        assert_ptr_equal(a, b);
    free(m);
    void *c = ss_block_alloc(300); /* too large to keep: malloc's own */
    assert_non_null(c);
    ss_block_free(c);
    ss_block_free(b);
}

static void *free_all(void *arg)
{
    void **blocks = arg;
    for (unsigned i = 0; i < N; i++)
        ss_block_free(blocks[i]);
    /* and some of this thread's own, kept on its lists at its end */
    for (unsigned i = 0; i < 50; i++)
        ss_block_free(ss_block_alloc(i + 1));
    return NULL;
}

static void blocks_may_be_freed_on_another_thread(void **state)
{
    (void)state;
    void *blocks[N];
    for (unsigned i = 0; i < N; i++)
        blocks[i] = ss_block_alloc(i % 256 + 1);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, free_all, blocks), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
}

static void ignore_error(HPDF_STATUS e, HPDF_STATUS detail, void *user)
{
    (void)e, (void)detail, (void)user;
}

static size_t save(HPDF_Doc doc, unsigned char *buf, size_t cap)
{
    assert_int_equal(HPDF_SaveToStream(doc), HPDF_OK);
    HPDF_UINT32 size = HPDF_GetStreamSize(doc);
    assert_true(size <= cap);
    HPDF_UINT32 got = size;
    HPDF_ReadFromStream(doc, buf, &got);
    assert_int_equal(got, size);
    return size;
}

static size_t make_doc(bool ours, unsigned char *buf, size_t cap)
{
    HPDF_Doc doc = ours ? HPDF_NewEx(ignore_error, ss_block_alloc, ss_block_free, 0, NULL)
                        : HPDF_New(ignore_error, NULL);
    assert_non_null(doc);
    HPDF_SetInfoAttr(doc, HPDF_INFO_TITLE, "block cache");
    for (int i = 0; i < 20; i++) {
        HPDF_Page page = HPDF_AddPage(doc);
        assert_non_null(page);
        HPDF_Page_Rectangle(page, 10 + i, 10, 100, 50.5);
        HPDF_Page_Fill(page);
    }
    size_t n = save(doc, buf, cap);
    HPDF_Free(doc);
    return n;
}

static void a_document_is_the_same_with_either_allocator(void **state)
{
    (void)state;
    static unsigned char a[1 << 16], b[1 << 16];
    size_t na = make_doc(false, a, sizeof a);
    for (int round = 0; round < 3; round++) { /* the second and third reuse blocks */
        size_t nb = make_doc(true, b, sizeof b);
        assert_int_equal(na, nb);
        assert_memory_equal(a, b, na);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(blocks_are_aligned_and_keep_their_bytes),
        cmocka_unit_test(a_freed_block_is_reused_on_its_thread),
        cmocka_unit_test(blocks_may_be_freed_on_another_thread),
        cmocka_unit_test(a_document_is_the_same_with_either_allocator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
