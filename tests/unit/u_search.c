/* SPDX-License-Identifier: MIT */
/* u_search.c - unit tests of BM25 keyword search and reciprocal rank fusion. */
#include "lh_common.h"
#include "bm25.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static const char *docs[] = {
    "The quick brown fox jumps over the lazy dog",
    "Postgres and MySQL tables ingested into Parquet",
    "Vector search with HNSW and hybrid keyword ranking",
    "A lazy afternoon: the dog sleeps, the fox waits",
    "Keyword search with BM25 scores term frequency and rarity",
};

static struct lh_bm25 *build(void)
{
    struct lh_bm25 *ix = lh_bm25_new();
    for (size_t i = 0; i < LH_ARRAY_LEN(docs); i++)
        lh_bm25_add(ix, 100 + i, docs[i], strlen(docs[i]));
    return ix;
}

static void test_ranking(void **state)
{
    LH_UNUSED(state);
    struct lh_bm25 *ix = build();
    struct lh_hit h[5];
    size_t n = lh_bm25_search(ix, "HNSW search", 11, 5, NULL, NULL, h);
    assert_int_equal(n, 2); /* docs 2 and 4 mention search; only 2 mentions HNSW */
    assert_int_equal(h[0].id, 102);
    assert_int_equal(h[1].id, 104);
    assert_true(h[0].score > h[1].score);
    /* case-insensitive, punctuation ignored */
    n = lh_bm25_search(ix, "FOX!", 4, 5, NULL, NULL, h);
    assert_int_equal(n, 2);
    /* unknown words: nothing */
    assert_int_equal(lh_bm25_search(ix, "zebra", 5, 5, NULL, NULL, h), 0);
    assert_int_equal(lh_bm25_search(ix, "", 0, 5, NULL, NULL, h), 0);
    /* k caps the result */
    assert_int_equal(lh_bm25_search(ix, "the fox dog lazy", 16, 1, NULL, NULL, h), 1);
    lh_bm25_free(ix);
}

static bool only_even(void *ud, uint64_t id)
{
    LH_UNUSED(ud);
    return id % 2 == 0;
}

static void test_filter_and_delete(void **state)
{
    LH_UNUSED(state);
    struct lh_bm25 *ix = build();
    struct lh_hit h[5];
    size_t n = lh_bm25_search(ix, "fox", 3, 5, only_even, NULL, h);
    assert_int_equal(n, 1);
    assert_int_equal(h[0].id, 100);
    lh_bm25_delete(ix, 100);
    assert_int_equal(lh_bm25_count(ix), 4);
    n = lh_bm25_search(ix, "fox", 3, 5, NULL, NULL, h);
    assert_int_equal(n, 1);
    assert_int_equal(h[0].id, 103);
    lh_bm25_free(ix);
}

static void test_rrf(void **state)
{
    LH_UNUSED(state);
    struct lh_hit a[] = {{1, 0.9f}, {2, 0.8f}, {3, 0.1f}};
    struct lh_hit b[] = {{4, 9.0f}, {2, 5.0f}, {3, 1.0f}};
    struct lh_hit out[4];
    size_t n = lh_rrf_fuse(a, 3, b, 3, 4, out);
    assert_int_equal(n, 4);
    /* 2 is 2nd in both lists (2/62) and beats 3, 3rd in both (2/63); 1 and 4 are 1st in one
     * list only (1/61) and tie, broken by id */
    assert_int_equal(out[0].id, 2);
    assert_int_equal(out[1].id, 3);
    assert_int_equal(out[2].id, 1);
    assert_int_equal(out[3].id, 4);
    assert_int_equal(lh_rrf_fuse(a, 3, NULL, 0, 2, out), 2);
    assert_int_equal(out[0].id, 1);
}

static void test_many_docs(void **state)
{
    LH_UNUSED(state);
    struct lh_bm25 *ix = lh_bm25_new();
    char buf[64];
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(buf, sizeof(buf), "doc number %d common word%d", i, i % 50);
        lh_bm25_add(ix, (uint64_t)i, buf, (size_t)n);
    }
    struct lh_hit h[10];
    size_t n = lh_bm25_search(ix, "word7", 5, 10, NULL, NULL, h);
    assert_int_equal(n, 10);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(h[i].id % 50, 7);
    n = lh_bm25_search(ix, "4321", 4, 10, NULL, NULL, h);
    assert_int_equal(n, 1);
    assert_int_equal(h[0].id, 4321);
    lh_bm25_free(ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranking),
        cmocka_unit_test(test_filter_and_delete),
        cmocka_unit_test(test_rrf),
        cmocka_unit_test(test_many_docs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
