/* SPDX-License-Identifier: MIT */
/* vector_int.h - module-private parts of src/vector: kernels, pool, storage layout, graph.
 *
 * Storage: rows live in segments of LH__VEC_SEG_ROWS; row id = slot, and a slot's vector, code,
 * links, label, level and state sit at the same index of its segment's arrays. Segments never
 * move, so a reader holding an id can always reach its row; the segment table is re-allocated
 * when it fills and the old tables are kept until lh_vec_free (readers may still hold them).
 *
 * Level-0 links of a row: [seq][count][m0 ids]. `seq` is the node's seqlock: odd while a
 * writer holds it. Writers (insert, reverse links, delete repair) take it with a CAS; readers
 * copy the list and retry if seq changed, so a search writes no shared memory. Upper levels
 * of a row are one heap block per row: [capacity in levels], then (1 + m) words per level
 * ([count][m ids]), guarded by the same seqlock. A block is replaced (and the old one retired
 * until lh_vec_free) only when a reused row needs more levels than it holds.
 */
#ifndef LH_VECTOR_INT_H
#define LH_VECTOR_INT_H

#include "lh_common.h"
#include "vector.h"

#include <pthread.h>

#define LH__VEC_SEG_SHIFT 13u /* 8192 rows: a 768-d segment is 24 MiB fp32, 6 MiB int8 */
#define LH__VEC_SEG_ROWS (1u << LH__VEC_SEG_SHIFT)
#define LH__VEC_SEG_MASK (LH__VEC_SEG_ROWS - 1u)
#define LH__VEC_MAX_LEVEL 15
#define LH__VEC_MAX_ROWS 0xfffff000u /* ids are uint32; the top values are sentinels */
#define LH__VEC_NONE 0xffffffffu
#define LH__VEC_ROT_MIN 256u  /* smallest dims that get the rotation and early abandon */
#define LH__VEC_ROT_ROUNDS 3
#define LH__VEC_PRUNE_Z 3.0f  /* early-abandon margin, in standard deviations */
#define LH__VEC_BULK_MIN 1024u /* batches this large build over temporary int8 codes */

/* Row states (one byte per row). */
enum {
    LH__VEC_S_FREE = 0,    /* never used */
    LH__VEC_S_LIVE = 1,    /* returned by searches */
    LH__VEC_S_DELETED = 2, /* tombstone: on the free list, skipped in results */
    LH__VEC_S_BUSY = 3,    /* being inserted: navigable, not returned */
};

/* ---- kernels (vector_kernels.c) ---- */

struct lh__vec_kernels {
    const char *isa;
    float (*dot)(const float *a, const float *b, size_t n);
    float (*l2sq)(const float *a, const float *b, size_t n);
    float (*cosdist)(const float *a, const float *b, size_t n); /* 1 - dot */
    /* Exact sum of a[i] * b[i]; inputs must lie in [-127, 127]. */
    int32_t (*dot_i8)(const int8_t *a, const int8_t *b, size_t n);
    /* Scans: out[r] = dot(q, rows + r * n) for r < n_rows (contiguous rows of n values). */
    void (*dot_rows)(const float *q, const float *rows, size_t n_rows, size_t n, float *out);
    void (*dot_i8_rows)(const int8_t *q, const int8_t *rows, size_t n_rows, size_t n,
                        int32_t *out);
    /* 4-bit rows of row_bytes (a multiple of 32) bytes, 32 bytes per 64 dims: byte j of block
     * b holds dim 64 b + j in its low nibble and dim 64 b + 32 + j in its high nibble.
     * out[r] = sum of nibble * q over the 2 row_bytes dims (unsigned nibbles; codes stored
     * as c + 8 need 8 sum(q) subtracted). q must lie in [-127, 127]. */
    void (*dot_u4_rows)(const int8_t *q, const uint8_t *rows, size_t n_rows, size_t row_bytes,
                        int32_t *out);
    /* out[r] = number of differing bits between q and rows + r * row_bytes (row_bytes a
     * multiple of 32). */
    void (*hamming_rows)(const uint8_t *q, const uint8_t *rows, size_t n_rows, size_t row_bytes,
                         int32_t *out);
    /* 4-bit quantiser search: e[g] = squared error of coding x[n] at step st[g] (codes
     * round(x / st[g]) clipped to [-7, 7]) for the 8 steps g. */
    void (*quant4_err)(const float *x, size_t n, const float *st, float *e);
    /* In-place unnormalised Walsh-Hadamard transform of n (a power of two) values. */
    void (*fwht)(float *x, size_t n);
    uint32_t (*crc32c)(uint32_t crc, const void *p, size_t n);
};

/* Best kernels this CPU runs (chosen once). */
const struct lh__vec_kernels *lh__vec_kernels_best(void);
/* Kernels for "scalar", "avx2" or "avx512"; NULL if unknown or this CPU lacks them. */
const struct lh__vec_kernels *lh__vec_kernels_isa(const char *isa);
/* CRC32C (Castagnoli), software slicing-by-8; crc = 0 to start, chain by passing the result. */
uint32_t lh__vec_crc32c_sw(uint32_t crc, const void *p, size_t n);
/* Symmetric per-vector quantisation: out[i] = round(x[i] / s), s = max|x| / 127 (0 for a zero
 * vector, codes then 0). Returns s. */
float lh__vec_quantize(const float *x, size_t n, int8_t *out);
/* 4-bit quantisation into the dot_u4_rows layout (row_bytes = lh__vec_u4_bytes(n); padding
 * nibbles hold code 0): out nibble = round(x[i] / s) + 8 with codes in [-7, 7]. The clipping
 * level s * 7 is picked from a few fractions of max|x| to minimise the squared error. Returns
 * s (0, all codes 0, when max|x| is below 1e-30). */
float lh__vec_quantize4(const float *x, size_t n, uint8_t *out, size_t row_bytes);
/* Bytes of a 4-bit row of n dims: n rounded up to 64, halved. */
static inline size_t lh__vec_u4_bytes(size_t n)
{
    return (n + 63) / 64 * 32;
}
/* Code value of dim i of a 4-bit row (nibble - 8). */
static inline int lh__vec_u4_code(const uint8_t *row, size_t i)
{
    uint8_t b = row[i / 64 * 32 + (i & 31)];
    return (int)((i & 32) ? b >> 4 : b & 15u) - 8;
}
/* Bytes of a 1-bit row of n dims: n bits rounded up to 256. */
static inline size_t lh__vec_b1_bytes(size_t n)
{
    return (n + 255) / 256 * 32;
}
/* Sign bits of x into out[row_bytes]: bit i (byte i / 8, bit i % 8) set iff x[i] > 0;
 * padding bits 0. */
void lh__vec_signs(const float *x, size_t n, uint8_t *out, size_t row_bytes);
/* Scales x to unit L2 norm; returns false for a zero or non-finite vector. */
bool lh__vec_normalize(float *x, size_t n);

/* ---- thread pool (vector_pool.c) ---- */

struct lh__vec_pool;
typedef void (*lh__vec_task_fn)(void *arg, size_t task);
/* n_threads counts the caller: n_threads - 1 workers are started. */
int lh__vec_pool_new(int n_threads, struct lh__vec_pool **out);
void lh__vec_pool_free(struct lh__vec_pool *p);
int lh__vec_pool_threads(const struct lh__vec_pool *p);
/* Runs fn(arg, 0 .. n_tasks - 1) on the caller and the idle workers; returns when all are
 * done. Safe from many threads at once (jobs queue up; each caller also works on its own). */
void lh__vec_pool_run(struct lh__vec_pool *p, size_t n_tasks, lh__vec_task_fn fn, void *arg);

/* ---- index ---- */

/* Per-row record of a code (LH__VEC_REC floats): what a scan needs to turn an integer dot
 * product into a distance and to bound its error (vector.c, "exact search"). Norms are
 * rounded up so they bound the real values. */
enum {
    LH__VEC_REC_SCALE = 0,  /* decoded dim i = scale * code[i] */
    LH__VEC_REC_SQNORM = 1, /* ||x||^2 (L2 distances) */
    LH__VEC_REC_RESID = 2,  /* ||x - decoded||, rounded up */
    LH__VEC_REC_NORM = 3,   /* max(||x||, ||decoded||), rounded up */
    LH__VEC_REC = 4,
};

struct lh__vec_seg {
    float *vecs;       /* SEG_ROWS * dims */
    int8_t *codes;     /* SEG_ROWS * dims, or NULL */
    float *qs;         /* LH__VEC_REC per row (int8 only) */
    uint8_t *codes4;   /* SEG_ROWS * u4_bytes, or NULL */
    float *qs4;        /* LH__VEC_REC per row (4-bit only) */
    uint8_t *bits;     /* SEG_ROWS * b1_bytes sign codes, or NULL */
    uint32_t *links0;  /* SEG_ROWS * link0_words (graph only) */
    uint32_t **upper;  /* per row: upper-level block or NULL (graph only) */
    uint64_t *labels;
    uint8_t *levels;
    uint8_t *state;
    bool vecs_mapped;  /* vecs / codes / codes4 point into the loaded file */
    bool codes_mapped;
    bool codes4_mapped;
    bool bits_mapped;
};

/* Temporary int8 codes of a bulk build (see lh_vec_add_batch): row id -> code, scale. A scale
 * of 0 means "no code yet": use the fp32 row. */
struct lh__vec_bcodes {
    int8_t *codes; /* cap * dims */
    float *scale;  /* cap, atomic */
    size_t cap;
};

struct lh__vec_map {
    uint64_t *keys;
    uint32_t *vals; /* LH__VEC_NONE = empty, LH__VEC_NONE - 1 = tombstone */
    size_t cap;     /* power of two */
    size_t used;    /* live + tombstones */
    size_t n;       /* live */
};

/* A candidate: distance and row. */
struct lh__vec_cand {
    float d;
    uint32_t id;
};

/* Per-search scratch, pooled in the index (one per concurrently running search). */
struct lh__vec_ctx {
    struct lh__vec_ctx *next;
    uint16_t *marks; /* visited: marks[id] == epoch */
    size_t marks_cap;
    uint16_t epoch;
    struct lh__vec_cand *cand; /* min-heap of candidates */
    size_t cand_cap;
    struct lh__vec_cand *res;  /* max-heap of results */
    size_t res_cap;
    struct lh__vec_cand *tmp;  /* selection scratch */
    size_t tmp_cap;
    uint32_t *nbuf; /* neighbour list copy */
    uint32_t *nbuf2;
    float *qbuf;    /* normalised query / vector being inserted */
    int8_t *qcode;  /* quantised query, zero-padded to lh__vec_u4_bytes(dims) * 2 */
    uint8_t *qbits; /* query sign bits, lh__vec_b1_bytes(dims) */
};

struct lh_vec {
    struct lh_vec_opts o;
    const struct lh__vec_kernels *k;
    float (*dist)(const float *a, const float *b, size_t n);
    uint32_t dims;
    uint32_t m, m0;
    uint32_t link0_words;  /* 2 + m0 */
    uint32_t upper_words;  /* 1 + m, per level */
    double ml;             /* level multiplier 1 / ln(m) */
    bool graph, int8, int4, bin1;
    uint32_t u4_bytes;     /* bytes of a 4-bit row */
    uint32_t b1_bytes;     /* bytes of a 1-bit row */
    /* Cosine with dims >= LH__VEC_ROT_MIN: rows are stored after a fixed random rotation
     * (seeded sign flips + normalised Walsh-Hadamard blocks) so that every coordinate carries
     * a similar share of a vector's energy; graph searches then drop a neighbour after its
     * first prune_l1 / prune_l2 coordinates when the partial dot product shows it cannot
     * enter the results (ADSampling-style early abandon). Distances are unchanged (the
     * rotation is orthogonal); lh_vec_get rotates back. */
    bool rotate;
    uint32_t rot_block;    /* power-of-two block size */
    float *rot_signs;      /* LH__VEC_ROT_ROUNDS x dims of +1 / -1 */
    uint32_t prune_l1, prune_l2;

    struct lh__vec_seg *segs; /* atomic pointer; table of seg_cap entries */
    uint32_t n_segs;          /* atomic */
    uint32_t seg_cap;
    void **retired;           /* old segment tables and upper blocks, freed in lh_vec_free */
    size_t n_retired, retired_cap;
    pthread_mutex_t retire_lock;

    uint32_t n_slots;  /* atomic: rows ever handed out */
    size_t live;       /* atomic */
    uint32_t *free_list;
    size_t n_free, free_cap;
    struct lh__vec_map map;
    pthread_rwlock_t map_lock; /* label map, free list, slot and segment growth */
    pthread_rwlock_t mut_lock; /* add/delete hold it shared, save exclusive */
    pthread_mutex_t ep_lock;   /* entry point changes */
    uint64_t ep;               /* atomic: (level << 32) | id, or UINT64_MAX when empty */

    pthread_mutex_t ctx_lock;
    struct lh__vec_ctx *ctx_free;
    struct lh__vec_pool *pool;

    /* Bulk build: the beam search of each insert runs over int8 codes (4x fewer bytes per
     * candidate) and the beam is re-scored in fp32 before neighbours are chosen. Set for the
     * duration of one lh_vec_add_batch; inserts hold bc_lock shared while they use it. */
    struct lh__vec_bcodes *bc;
    pthread_rwlock_t bc_lock;

    void *file_map; /* lh_vec_load: the private mapping of the file */
    size_t file_map_len;
};

#define LH__VEC_EP_EMPTY UINT64_MAX

static inline struct lh__vec_seg *lh__vec_segs(const struct lh_vec *v)
{
    return __atomic_load_n(&((struct lh_vec *)v)->segs, __ATOMIC_ACQUIRE);
}
static inline const float *lh__vec_row(const struct lh__vec_seg *t, uint32_t id, uint32_t dims)
{
    return t[id >> LH__VEC_SEG_SHIFT].vecs + (size_t)(id & LH__VEC_SEG_MASK) * dims;
}
static inline uint32_t *lh__vec_links0(const struct lh_vec *v, const struct lh__vec_seg *t,
                                       uint32_t id)
{
    return t[id >> LH__VEC_SEG_SHIFT].links0 + (size_t)(id & LH__VEC_SEG_MASK) * v->link0_words;
}
static inline uint8_t lh__vec_state(const struct lh__vec_seg *t, uint32_t id)
{
    return __atomic_load_n(&t[id >> LH__VEC_SEG_SHIFT].state[id & LH__VEC_SEG_MASK],
                           __ATOMIC_ACQUIRE);
}
static inline uint64_t lh__vec_label(const struct lh__vec_seg *t, uint32_t id)
{
    return __atomic_load_n(&t[id >> LH__VEC_SEG_SHIFT].labels[id & LH__VEC_SEG_MASK],
                           __ATOMIC_RELAXED);
}

/* vector.c */
/* Creates an index object with no rows (lh_vec_new and the loader). */
int lh__vec_create(const struct lh_vec_opts *o, struct lh_vec **out, struct lh_error *err);
/* Allocates segment s's arrays; with no_rows the fp32 / int8 rows stay NULL (loader). */
int lh__vec_seg_alloc(struct lh_vec *v, struct lh__vec_seg *s, bool no_rows);
/* Makes segments 0 .. si exist (map_lock held exclusively, or single-threaded). */
int lh__vec_ensure_seg(struct lh_vec *v, uint32_t si, bool no_rows);
/* The index's rotation applied to / undone on x[dims] in place (no-op without rotation). */
void lh__vec_rotate(const struct lh_vec *v, float *x);
void lh__vec_unrotate(const struct lh_vec *v, float *x);
/* Row memory: 64-byte aligned; 2 MiB aligned and MADV_HUGEPAGE from 2 MiB on. free() it. */
void *lh__vec_alloc_rows(size_t bytes);
/* Fills a code record (LH__VEC_REC floats) of row x for its int8 code or (code8 NULL) its
 * 4-bit code, with the code's scale. */
void lh__vec_code_record(const struct lh_vec *v, const float *x, float scale,
                         const int8_t *code8, const uint8_t *code4, float *rec);
/* Maps label -> row (loader; single-threaded). -LH_EEXIST, -LH_ENOMEM. */
int lh__vec_map_put(struct lh_vec *v, uint64_t label, uint32_t id);
struct lh__vec_ctx *lh__vec_ctx_get(struct lh_vec *v);
void lh__vec_ctx_put(struct lh_vec *v, struct lh__vec_ctx *c);
/* Makes sure c->cand / res / tmp hold at least n entries. */
void lh__vec_ctx_reserve(struct lh__vec_ctx *c, size_t n);
/* Starts a new visited set (bumps the epoch; sizes marks to the rows handed out so far). */
void lh__vec_ctx_visit_begin(struct lh_vec *v, struct lh__vec_ctx *c);
void lh__vec_retire(struct lh_vec *v, void *p);
bool lh__vec_filter_ok(const struct lh_vec_filter *f, uint64_t label);
/* Level of a label for this index's seed and m. */
int lh__vec_level_for(const struct lh_vec *v, uint64_t label);

/* vector_hnsw.c */
/* Links row id (vector, label and level already written; state BUSY) into the graph. */
void lh__hnsw_insert(struct lh_vec *v, struct lh__vec_ctx *c, uint32_t id,
                     const struct lh__vec_bcodes *bc);
/* Prepares a reused row for a new level: clears its links, sizes its upper block. */
void lh__hnsw_reset_row(struct lh_vec *v, uint32_t id, int level);
/* Allocates the upper block of a fresh row (level > 0). */
void lh__hnsw_alloc_upper(struct lh_vec *v, uint32_t id, int level);
/* Unlinks a deleted row: its neighbours get linked to its other neighbours; moves the entry
 * point if needed. The row keeps its own lists until it is reused. */
void lh__hnsw_unlink(struct lh_vec *v, struct lh__vec_ctx *c, uint32_t id);
/* Graph search; writes up to k hits sorted by distance. Returns the number written. */
size_t lh__hnsw_search(struct lh_vec *v, struct lh__vec_ctx *c, const float *q, size_t k,
                       size_t ef, const struct lh_vec_filter *f, struct lh_vec_hit *out);
/* Words of an upper-level block for `levels` levels: [levels][per level: count, m ids]. */
size_t lh__hnsw_upper_words(const struct lh_vec *v, int levels);

/* vector_io.c is self-contained over these structures. */

#endif
