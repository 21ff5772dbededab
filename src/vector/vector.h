/* SPDX-License-Identifier: MIT */
/* vector.h - the lakehouse vector index: exact (fp32, int8, 4-bit) and HNSW search over
 * labelled vectors.
 *
 * One `struct lh_vec` holds vectors of a fixed dimension, each under a caller-chosen uint64
 * label. It always supports exact search; with LH_VEC_HNSW it also maintains an HNSW graph,
 * and with LH_VEC_INT8 / LH_VEC_INT4 / LH_VEC_BIN1 compact per-vector codes for fast scans:
 * exact ones (the codes bound each distance, only rows that can still make the top k are
 * re-scored in fp32) and approximate ones (the best `rerank` by code distance re-scored in
 * fp32).
 *
 * Distances (smaller is closer, results sorted ascending):
 *   LH_VEC_COSINE  vectors are L2-normalised on insert; distance = 1 - dot(a, b), in [0, 2].
 *   LH_VEC_L2      vectors stored as given; distance = squared Euclidean distance.
 *
 * Thread-safety (the contract):
 *   - lh_vec_search, lh_vec_get, lh_vec_contains, lh_vec_count and lh_vec_stats may be called
 *     from any number of threads at once, also while other threads add or delete.
 *   - lh_vec_add, lh_vec_add_batch and lh_vec_delete may be called from many threads at once
 *     and concurrently with searches (fine-grained locks: one seqlock per graph node, so a
 *     search never writes shared memory on its hot path).
 *   - lh_vec_save waits for running adds/deletes and blocks new ones while it writes; searches
 *     continue.
 *   - lh_vec_free must not race with anything.
 *   A search concurrent with a delete is linearised at the node: a label deleted while a search
 *   is running may still be returned by that search, never by one that starts after
 *   lh_vec_delete returned. The internal thread pool is shared by the callers of one index.
 *
 * Errors: functions return 0 or a negative -LH_E* code and fill `err` (may be NULL).
 * Memory: arguments are borrowed for the call; the index copies every vector it keeps.
 */
#ifndef LH_VECTOR_H
#define LH_VECTOR_H

#include "lh_common.h"
#include "err.h"

#define LH_VEC_MAX_DIMS 65536u
#define LH_VEC_MAX_M 128u
#define LH_VEC_MAX_K 100000u

struct lh_vec;

enum lh_vec_metric {
    LH_VEC_COSINE = 0,
    LH_VEC_L2 = 1,
};

enum lh_vec_flags {
    LH_VEC_HNSW = 1u << 0, /* maintain an HNSW graph (approximate search) */
    LH_VEC_INT8 = 1u << 1, /* keep int8 codes + scale and error bound per vector (+25% memory) */
    LH_VEC_INT4 = 1u << 2, /* keep 4-bit codes + scale and error bound per vector (+12.5%) */
    LH_VEC_BIN1 = 1u << 3, /* keep 1-bit sign codes (+3%; cosine only: they rank by angle) */
};

/* Creation options; fill with lh_vec_opts_init, then change fields. */
struct lh_vec_opts {
    uint32_t dims;            /* 1 .. LH_VEC_MAX_DIMS */
    enum lh_vec_metric metric;
    unsigned flags;           /* enum lh_vec_flags */
    uint32_t m;               /* HNSW links per node on upper levels (level 0: 2m); default 16 */
    uint32_t ef_construction; /* HNSW beam width while inserting; default 100 */
    uint32_t ef_search;       /* default beam width of a search (lh_vec_query.ef = 0); 64 */
    uint64_t seed;            /* level assignment: level = f(seed, label), deterministic */
    uint32_t capacity;        /* rows to reserve up front (a hint: the index grows) */
    int n_threads;            /* internal pool incl. the caller: exact scans, add_batch; 2 */
};

/* Defaults: cosine, HNSW, m 16, ef_construction 100, ef_search 64, seed 42, 2 threads. */
void lh_vec_opts_init(struct lh_vec_opts *o, uint32_t dims);

/* Creates an empty index. -LH_EINVAL for out-of-range options. Free with lh_vec_free. */
int lh_vec_new(const struct lh_vec_opts *o, struct lh_vec **out, struct lh_error *err);
/* Frees the index (NULL is fine), its pool threads and its file mapping, if any. */
void lh_vec_free(struct lh_vec *v);

/* Adds one vector of `dims` floats (must equal the index's dims, else -LH_EINVAL) under
 * `label`. -LH_EEXIST if the label is live, -LH_EINVAL for a non-finite value or (cosine) a
 * zero vector. A slot freed by lh_vec_delete is reused before the index grows. */
int lh_vec_add(struct lh_vec *v, uint64_t label, const float *vec, uint32_t dims,
               struct lh_error *err);
/* Adds n vectors (row i = vecs + i * dims) with the internal pool. On the first error the
 * remaining rows are skipped; rows added before it stay in the index. A batch of 1024 rows or
 * more into a cosine HNSW index builds over temporary int8 copies of the rows (about twice as
 * fast; +1 byte per dim and row of memory until the call returns). */
int lh_vec_add_batch(struct lh_vec *v, const uint64_t *labels, const float *vecs, size_t n,
                     uint32_t dims, struct lh_error *err);
/* Deletes a label: it is never returned again, its graph neighbours are re-linked to each
 * other, and its slot goes on a free list for the next add. -LH_ENOTFOUND if not live. */
int lh_vec_delete(struct lh_vec *v, uint64_t label, struct lh_error *err);

/* Copies the stored vector (normalised for cosine) into out[dims]. -LH_ENOTFOUND unless the
 * label is live. Cosine rows of 256+ dims are stored rotated and rotated back here, so values
 * can differ from the normalised input by float rounding (~1e-7). */
int lh_vec_get(struct lh_vec *v, uint64_t label, float *out, uint32_t dims, struct lh_error *err);
bool lh_vec_contains(struct lh_vec *v, uint64_t label); /* also true while it is being added */
size_t lh_vec_count(const struct lh_vec *v); /* live vectors */
uint32_t lh_vec_dims(const struct lh_vec *v);

/* Which labels a search may return. Both parts may be set: a label must pass both.
 * The callback is called from search threads (the caller's and the pool's), concurrently,
 * and must be thread-safe and cheap; it must not call back into the index. */
struct lh_vec_filter {
    const uint64_t *bits; /* label L allowed iff L < n_bits && (bits[L / 64] >> (L % 64)) & 1 */
    uint64_t n_bits;
    bool (*allow)(uint64_t label, void *ctx);
    void *ctx;
};

enum lh_vec_mode {
    LH_VEC_AUTO = 0,  /* graph if the index has one, else bin1, int4, int8, else exact */
    LH_VEC_GRAPH = 1, /* HNSW (-LH_EINVAL without LH_VEC_HNSW) */
    /* Exactly the results of LH_VEC_EXACT_FP32 (same labels, order and distances). With codes
     * the scan reads them instead, bounds every distance and re-scores in fp32 only the rows
     * whose bound can still beat the k-th best (docs/internals/vector.md has the proof):
     * 4-bit codes if present (their candidates narrowed by int8 bounds when the index has
     * both: the fastest), else int8. Without codes it is the fp32 scan. */
    LH_VEC_EXACT = 2,
    LH_VEC_EXACT_INT8 = 3, /* approximate: int8 scan, top `rerank` re-scored in fp32 */
    LH_VEC_EXACT_INT4 = 4, /* approximate: 4-bit scan, top `rerank` re-scored in fp32 */
    LH_VEC_EXACT_FP32 = 5, /* brute force over every fp32 row, even when codes exist */
    /* approximate: 1-bit scan (Hamming) keeps 10 `rerank` rows, the 4-bit (else int8) codes
     * of those keep `rerank`, re-scored in fp32 (without such codes all 10 `rerank` are) */
    LH_VEC_EXACT_BIN1 = 6,
};

/* How a search was answered (optional output). */
enum lh_vec_path {
    LH_VEC_PATH_GRAPH = 1,
    LH_VEC_PATH_EXACT = 2, /* fp32 scan */
    LH_VEC_PATH_EXACT_INT8 = 3,
    LH_VEC_PATH_GRAPH_THEN_EXACT = 4, /* graph found < k, exact over the allowed set */
    LH_VEC_PATH_EXACT_BOUNDED = 5,    /* exact: code scan with error bounds + fp32 re-rank */
    LH_VEC_PATH_EXACT_INT4 = 6,
    LH_VEC_PATH_EXACT_BIN1 = 7,
};

struct lh_vec_query {
    size_t k;                            /* 1 .. LH_VEC_MAX_K */
    uint32_t ef;                         /* graph beam width; 0 = opts.ef_search; raised to k */
    enum lh_vec_mode mode;
    uint32_t rerank;                     /* code scans: rows re-scored; 0 = max(10 k, 100) */
    const struct lh_vec_filter *filter;  /* NULL = every live label */
    int threads;                         /* exact scans: 0 = pool size, 1 = caller only */
    enum lh_vec_path *out_path;          /* optional */
    size_t *out_rescored;                /* optional: rows re-scored in fp32 after a code scan */
};

struct lh_vec_hit {
    uint64_t label;
    float distance;
};

/* k nearest live labels to q (dims floats; normalised internally for cosine) into out[k],
 * closest first; *out_n = number written. Fewer than k only when fewer than k live labels
 * pass the filter: if the graph finds fewer (selective filter, deletions), the search falls
 * back to an exact scan of the allowed labels; a very selective filter goes exact directly.
 * Safe from many threads at once. */
int lh_vec_search(struct lh_vec *v, const float *q, uint32_t dims, const struct lh_vec_query *qo,
                  struct lh_vec_hit *out, size_t *out_n, struct lh_error *err);

struct lh_vec_stats {
    size_t live;          /* labels that can be returned */
    size_t slots;         /* rows ever used (live + free) */
    size_t free_slots;    /* deleted rows waiting for reuse */
    size_t capacity;      /* rows allocated */
    size_t bytes_vectors; /* fp32 rows (allocated or mapped) */
    size_t bytes_codes;   /* int8 / 4-bit rows + scales and bounds */
    size_t bytes_graph;   /* level-0 and upper links */
    size_t bytes_other;   /* labels, levels, states, label map */
    int max_level;        /* -1 without a graph */
    const char *isa;      /* kernels in use: "avx512", "avx2" or "scalar" */
};
void lh_vec_stats(struct lh_vec *v, struct lh_vec_stats *out);

/* Writes the index to path atomically (path.tmp.*, fsync, rename, fsync dir) in the LHVX
 * format (docs/internals/vector.md): versioned (2; files of version 1 still load), every
 * section CRC32C-checked. */
int lh_vec_save(struct lh_vec *v, const char *path, struct lh_error *err);
enum lh_vec_load_flags {
    /* Copy the rows into anonymous huge-page memory instead of mapping the file: slower to
     * load and private memory, but graph searches run ~15% faster (fewer TLB misses). */
    LH_VEC_LOAD_COPY = 1u << 0,
};

/* Opens a saved index. By default the fp32 rows and codes are served from a private
 * copy-on-write mapping of the file (pages come from the page cache; an add that reuses a slot
 * copies only the page it writes). Graph, labels, scales and free list are always copied into
 * heap memory, so the loaded index accepts adds and deletes. The file must not be truncated
 * while the index is open (replacing it by rename is fine). Every section's CRC32C is checked
 * first. n_threads <= 0 means 2. A truncated, corrupt or foreign
 * file gives -LH_EINVAL (-LH_EIO for read errors, -LH_ENOTFOUND if missing), never a crash. */
int lh_vec_load(const char *path, int n_threads, struct lh_vec **out, struct lh_error *err);
/* lh_vec_load with flags (enum lh_vec_load_flags). */
int lh_vec_load_ex(const char *path, int n_threads, unsigned flags, struct lh_vec **out,
                   struct lh_error *err);

#endif
