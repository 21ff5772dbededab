/* SPDX-License-Identifier: MIT */
/* bm25.h - an in-memory BM25 keyword index over text chunks, and reciprocal rank fusion.
 *
 * Documents are added with a caller's id (uint64); tokens are lower-cased runs of letters
 * and digits (UTF-8 letters included, ASCII case-folded). Scoring is Okapi BM25 (k1 1.2,
 * b 0.75). Not thread-safe while adding; searches may run concurrently once built. */
#ifndef LH_BM25_H
#define LH_BM25_H

#include "lh_common.h"

struct lh_bm25;

struct lh_bm25 *lh_bm25_new(void);
void lh_bm25_free(struct lh_bm25 *ix);
/* Adds a document (text is copied into the postings, not kept). */
void lh_bm25_add(struct lh_bm25 *ix, uint64_t id, const char *text, size_t len);
/* Marks a document deleted: it is never returned again. */
void lh_bm25_delete(struct lh_bm25 *ix, uint64_t id);
size_t lh_bm25_count(const struct lh_bm25 *ix);

struct lh_hit {
    uint64_t id;
    float score;
};
/* Top-k documents for the query, best first; allow (may be NULL) filters ids. Returns the
 * number of hits written to out (<= k). */
size_t lh_bm25_search(const struct lh_bm25 *ix, const char *query, size_t len, size_t k,
                      bool (*allow)(void *ud, uint64_t id), void *ud, struct lh_hit *out);

/* Reciprocal rank fusion of two ranked lists (k0 = 60): score = sum 1/(k0 + rank). Writes up
 * to k fused hits to out, best first; returns their number. */
size_t lh_rrf_fuse(const struct lh_hit *a, size_t na, const struct lh_hit *b, size_t nb, size_t k,
                   struct lh_hit *out);

#endif
