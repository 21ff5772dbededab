/* SPDX-License-Identifier: MIT */
/* vector_hnsw.c - HNSW graph: concurrent insert, search, delete repair (Malkov & Yashunin).
 *
 * The algorithm follows the paper and hnswlib's choices (heuristic neighbour selection with
 * m links on upper levels and 2m on level 0, reverse links re-pruned with the heuristic).
 * What differs: node lists are read under a per-node seqlock (searches write nothing shared,
 * so they are safe during inserts and deletes); the visited set is an epoch-stamped array;
 * neighbour vectors are prefetched ahead of the distance loop; deleted nodes are unlinked
 * (their neighbours re-linked to each other) and their rows reused.
 */
#include "lh_common.h"
#include "vector_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#else
#define cpu_relax() ((void)0)
#endif

/* ---- per-node seqlock ---- */

static inline void node_lock(uint32_t *seq)
{
    for (;;) {
        uint32_t s = __atomic_load_n(seq, __ATOMIC_RELAXED);
        if (!(s & 1u) &&
            __atomic_compare_exchange_n(seq, &s, s + 1, false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED))
            return;
        cpu_relax();
    }
}

static inline void node_unlock(uint32_t *seq)
{
    __atomic_fetch_add(seq, 1, __ATOMIC_RELEASE);
}

size_t lh__hnsw_upper_words(const struct lh_vec *v, int levels)
{
    return levels > 0 ? 1 + (size_t)levels * v->upper_words : 0;
}

static inline uint8_t row_level(const struct lh__vec_seg *t, uint32_t id)
{
    return __atomic_load_n(&t[id >> LH__VEC_SEG_SHIFT].levels[id & LH__VEC_SEG_MASK],
                           __ATOMIC_RELAXED);
}

/* The list of id at level (>= 1), or NULL if the row has no such level. Reads a row's upper
 * pointer and level as they are: call under the node lock, or inside a seqlock read. */
static inline uint32_t *upper_list(const struct lh_vec *v, const struct lh__vec_seg *t,
                                   uint32_t id, int level)
{
    const struct lh__vec_seg *s = &t[id >> LH__VEC_SEG_SHIFT];
    uint32_t r = id & LH__VEC_SEG_MASK;
    uint32_t *up = __atomic_load_n(&s->upper[r], __ATOMIC_ACQUIRE);
    if (!up || __atomic_load_n(&s->levels[r], __ATOMIC_RELAXED) < level)
        return NULL;
    return up + 1 + (size_t)(level - 1) * v->upper_words;
}

static inline uint32_t *list_of(const struct lh_vec *v, const struct lh__vec_seg *t, uint32_t id,
                                int level)
{
    return level == 0 ? lh__vec_links0(v, t, id) + 1 : upper_list(v, t, id, level);
}

/* Copies the links of id at `level` into buf (seqlock read); returns their number. */
static uint32_t read_links(const struct lh_vec *v, const struct lh__vec_seg *t, uint32_t id,
                           int level, uint32_t *buf)
{
    uint32_t *seq = lh__vec_links0(v, t, id);
    uint32_t cap = level == 0 ? v->m0 : v->m;
    for (;;) {
        uint32_t s1 = __atomic_load_n(seq, __ATOMIC_ACQUIRE);
        if (s1 & 1u) {
            cpu_relax();
            continue;
        }
        uint32_t n = 0;
        const uint32_t *list = list_of(v, t, id, level);
        if (list) {
            n = __atomic_load_n(&list[0], __ATOMIC_RELAXED);
            if (n > cap)
                n = cap;
            for (uint32_t i = 0; i < n; i++)
                buf[i] = __atomic_load_n(&list[1 + i], __ATOMIC_RELAXED);
        }
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(seq, __ATOMIC_RELAXED) == s1)
            return n;
    }
}

/* Writes a list; the caller holds the node lock. */
static void write_list(uint32_t *list, const uint32_t *ids, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        __atomic_store_n(&list[1 + i], ids[i], __ATOMIC_RELAXED);
    __atomic_store_n(&list[0], n, __ATOMIC_RELAXED);
}

void lh__hnsw_alloc_upper(struct lh_vec *v, uint32_t id, int level)
{
    struct lh__vec_seg *t = lh__vec_segs(v);
    struct lh__vec_seg *s = &t[id >> LH__VEC_SEG_SHIFT];
    uint32_t r = id & LH__VEC_SEG_MASK;
    if (level > 0) {
        uint32_t *up = calloc(lh__hnsw_upper_words(v, level), sizeof(uint32_t));
        if (!up)
            abort();
        up[0] = (uint32_t)level;
        __atomic_store_n(&s->upper[r], up, __ATOMIC_RELEASE);
    }
    __atomic_store_n(&s->levels[r], (uint8_t)level, __ATOMIC_RELAXED);
}

void lh__hnsw_reset_row(struct lh_vec *v, uint32_t id, int level)
{
    struct lh__vec_seg *t = lh__vec_segs(v);
    struct lh__vec_seg *s = &t[id >> LH__VEC_SEG_SHIFT];
    uint32_t r = id & LH__VEC_SEG_MASK;
    uint32_t *b0 = lh__vec_links0(v, t, id);
    node_lock(b0);
    __atomic_store_n(&b0[1], 0, __ATOMIC_RELAXED);
    uint32_t *up = s->upper[r];
    if (up) {
        for (uint32_t l = 1; l <= up[0]; l++)
            __atomic_store_n(&up[1 + (size_t)(l - 1) * v->upper_words], 0, __ATOMIC_RELAXED);
    }
    if (level > 0 && (!up || up[0] < (uint32_t)level)) {
        uint32_t *nu = calloc(lh__hnsw_upper_words(v, level), sizeof(uint32_t));
        if (!nu)
            abort();
        nu[0] = (uint32_t)level;
        __atomic_store_n(&s->upper[r], nu, __ATOMIC_RELEASE);
        lh__vec_retire(v, up); /* a reader inside its seqlock section may still read it */
    }
    __atomic_store_n(&s->levels[r], (uint8_t)level, __ATOMIC_RELAXED);
    node_unlock(b0);
}

/* ---- heaps ---- */

/* Min-heap (closest on top) for candidates. */
static inline void minh_push(struct lh__vec_ctx *c, size_t *n, float d, uint32_t id)
{
    if (*n == c->cand_cap) {
        size_t cap = c->cand_cap ? c->cand_cap * 2 : 256;
        struct lh__vec_cand *p = realloc(c->cand, cap * sizeof(*p));
        if (!p)
            abort();
        c->cand = p;
        c->cand_cap = cap;
    }
    struct lh__vec_cand *h = c->cand;
    size_t i = (*n)++;
    while (i > 0) {
        size_t p = (i - 1) >> 1;
        if (h[p].d <= d)
            break;
        h[i] = h[p];
        i = p;
    }
    h[i].d = d;
    h[i].id = id;
}

static inline void minh_pop(struct lh__vec_cand *h, size_t *n)
{
    struct lh__vec_cand last = h[--(*n)];
    size_t i = 0, m = *n;
    for (;;) {
        size_t l = 2 * i + 1;
        if (l >= m)
            break;
        if (l + 1 < m && h[l + 1].d < h[l].d)
            l++;
        if (h[l].d >= last.d)
            break;
        h[i] = h[l];
        i = l;
    }
    h[i] = last;
}

/* Max-heap (farthest on top) of results, at most cap entries (cap + 1 slots). */
static inline void maxh_push(struct lh__vec_cand *h, size_t *n, float d, uint32_t id)
{
    size_t i = (*n)++;
    while (i > 0) {
        size_t p = (i - 1) >> 1;
        if (h[p].d >= d)
            break;
        h[i] = h[p];
        i = p;
    }
    h[i].d = d;
    h[i].id = id;
}

static inline void maxh_pop(struct lh__vec_cand *h, size_t *n)
{
    struct lh__vec_cand last = h[--(*n)];
    size_t i = 0, m = *n;
    for (;;) {
        size_t l = 2 * i + 1;
        if (l >= m)
            break;
        if (l + 1 < m && h[l + 1].d > h[l].d)
            l++;
        if (h[l].d <= last.d)
            break;
        h[i] = h[l];
        i = l;
    }
    h[i] = last;
}

static int cand_cmp(const void *a, const void *b)
{
    const struct lh__vec_cand *x = a, *y = b;
    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* ---- search ---- */

#define PF_AHEAD 4u

/* Prefetches the first `bytes` of a row (rounded up to cache lines). */
static inline void prefetch_row(const float *p, size_t bytes)
{
    const char *c = (const char *)p;
    for (size_t o = 0; o < bytes; o += 64)
        __builtin_prefetch(c + o, 0, 3);
}

enum { ACCEPT_BUILD, ACCEPT_QUERY };

/* Early abandon (rotated cosine rows only): a neighbour is dropped when its partial dot
 * product over the first l coordinates, scaled by the query's energy there, stays more than
 * LH__VEC_PRUNE_Z / sqrt(l) below the dot product it would need to enter the results. */
struct prune {
    bool on;
    uint32_t l1, l2;
    float inv1, inv2; /* 1 / |q[0, l)|^2 */
    float m1, m2;     /* margins */
};

static void prune_init(const struct lh_vec *v, const float *q, struct prune *p)
{
    memset(p, 0, sizeof(*p));
    if (!v->rotate || !v->prune_l1)
        return;
    float e1 = v->k->dot(q, q, v->prune_l1), e2 = v->k->dot(q, q, v->prune_l2);
    if (!(e1 > 0) || !(e2 > 0))
        return;
    p->on = true;
    p->l1 = v->prune_l1;
    p->l2 = v->prune_l2;
    p->inv1 = 1.0f / e1;
    p->inv2 = 1.0f / e2;
    p->m1 = LH__VEC_PRUNE_Z / sqrtf((float)p->l1);
    p->m2 = LH__VEC_PRUNE_Z / sqrtf((float)p->l2);
}

/* Cosine distance of x to q, or +inf when x cannot beat `lower`. */
static inline float dist_or_prune(const struct lh_vec *v, const struct prune *p, const float *q,
                                  const float *x, float lower)
{
    float need = 1.0f - lower; /* the dot product x must exceed */
    float dot = v->k->dot(q, x, p->l1);
    if (dot * p->inv1 < need - p->m1)
        return __builtin_inff();
    dot += v->k->dot(q + p->l1, x + p->l1, p->l2 - p->l1);
    if (dot * p->inv2 < need - p->m2)
        return __builtin_inff();
    dot += v->k->dot(q + p->l2, x + p->l2, v->dims - p->l2);
    return 1.0f - dot;
}

/* Beam search on one level from entry (ep, ep_d). Leaves up to ef results in c->res as a
 * max-heap and returns their number. Build mode accepts live and in-flight rows except
 * `self`; query mode accepts live rows passing f. */
static size_t search_layer(struct lh_vec *v, struct lh__vec_ctx *c, const float *q, uint32_t ep,
                           float ep_d, size_t ef, int level, int mode, uint32_t self,
                           const struct lh_vec_filter *f, const struct lh__vec_bcodes *bc)
{
    const uint32_t dims = v->dims;
    const size_t row_bytes = (size_t)dims * sizeof(float);
    /* The first 512 bytes of the next rows: enough for the early-abandon test; the hardware
     * streams the rest of a row once it is read. */
    const size_t pf_bytes = row_bytes < 512 ? row_bytes : 512;
    float (*dist)(const float *, const float *, size_t) = v->dist;
    struct lh__vec_cand *res = c->res;
    uint32_t *nb = c->nbuf, *todo = c->nbuf2;
    size_t n_res = 0, n_cand = 0;
    float lower = __builtin_inff();
    struct prune pr;
    const int8_t *qc = NULL;
    float qsc = 0;

    prune_init(v, q, &pr);
    if (bc) { /* bulk build: the row being inserted has its code at its own id */
        qc = bc->codes + (size_t)self * dims;
        __atomic_load(&bc->scale[self], &qsc, __ATOMIC_ACQUIRE);
        pr.on = false;
    }
    lh__vec_ctx_visit_begin(v, c);
    uint16_t *marks = c->marks;
    const size_t marks_cap = c->marks_cap;
    const uint16_t epoch = c->epoch;
    struct lh__vec_seg *t = lh__vec_segs(v);

    marks[ep] = epoch;
    minh_push(c, &n_cand, ep_d, ep);
    {
        uint8_t st = lh__vec_state(t, ep);
        bool ok = mode == ACCEPT_BUILD
                      ? (ep != self && (st == LH__VEC_S_LIVE || st == LH__VEC_S_BUSY))
                      : (st == LH__VEC_S_LIVE &&
                         (!f || lh__vec_filter_ok(f, lh__vec_label(t, ep))));
        if (ok) {
            maxh_push(res, &n_res, ep_d, ep);
            lower = ep_d;
        }
    }
    while (n_cand) {
        struct lh__vec_cand cur = c->cand[0];
        if (cur.d > lower && n_res >= ef)
            break;
        minh_pop(c->cand, &n_cand);
        if (n_cand) /* the next node to expand, probably: fetch its links early */
            prefetch_row((const float *)(const void *)lh__vec_links0(v, t, c->cand[0].id),
                         v->link0_words * sizeof(uint32_t));
        uint32_t n = read_links(v, t, cur.id, level, nb);
        t = lh__vec_segs(v);
        uint32_t n_todo = 0;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t id = nb[i];
            if (id >= marks_cap || marks[id] == epoch)
                continue;
            marks[id] = epoch;
            todo[n_todo++] = id;
        }
        if (bc) {
            for (uint32_t i = 0; i < n_todo; i++) /* int8 rows are short: fetch them all */
                if (todo[i] < bc->cap)
                    prefetch_row((const float *)(const void *)(bc->codes +
                                                               (size_t)todo[i] * dims),
                                 dims);
        } else {
            for (uint32_t i = 0; i < n_todo && i < PF_AHEAD; i++)
                prefetch_row(lh__vec_row(t, todo[i], dims), pf_bytes);
        }
        for (uint32_t i = 0; i < n_todo; i++) {
            uint32_t id = todo[i];
            float d;
            const float *x = lh__vec_row(t, id, dims);
            float xs = 0;
            if (bc && id < bc->cap)
                __atomic_load(&bc->scale[id], &xs, __ATOMIC_ACQUIRE);
            if (xs != 0) {
                d = 1.0f - qsc * xs * (float)v->k->dot_i8(qc, bc->codes + (size_t)id * dims,
                                                          dims);
            } else {
                if (!bc && i + PF_AHEAD < n_todo)
                    prefetch_row(lh__vec_row(t, todo[i + PF_AHEAD], dims), pf_bytes);
                d = (pr.on && n_res >= ef) ? dist_or_prune(v, &pr, q, x, lower)
                                           : dist(q, x, dims);
            }
            if (n_res < ef || d < lower) {
                minh_push(c, &n_cand, d, id);
                uint8_t st = lh__vec_state(t, id);
                bool ok;
                if (mode == ACCEPT_BUILD)
                    ok = id != self && (st == LH__VEC_S_LIVE || st == LH__VEC_S_BUSY);
                else
                    ok = st == LH__VEC_S_LIVE &&
                         (!f || lh__vec_filter_ok(f, lh__vec_label(t, id)));
                if (ok) {
                    maxh_push(res, &n_res, d, id);
                    if (n_res > ef)
                        maxh_pop(res, &n_res);
                    lower = res[0].d;
                }
            }
        }
    }
    return n_res;
}

/* Greedy walk on an upper level: moves (cur, d) to the closest node reachable. */
static void greedy(struct lh_vec *v, struct lh__vec_ctx *c, const float *q, int level,
                   uint32_t *cur, float *d)
{
    bool changed = true;
    while (changed) {
        changed = false;
        struct lh__vec_seg *t = lh__vec_segs(v);
        uint32_t n = read_links(v, t, *cur, level, c->nbuf);
        t = lh__vec_segs(v);
        for (uint32_t i = 0; i < n; i++) {
            uint32_t id = c->nbuf[i];
            if (i + 1 < n)
                prefetch_row(lh__vec_row(t, c->nbuf[i + 1], v->dims), 256);
            float dd = v->dist(q, lh__vec_row(t, id, v->dims), v->dims);
            if (dd < *d) {
                *d = dd;
                *cur = id;
                changed = true;
            }
        }
    }
}

/* Heuristic selection: from cand[0..n) sorted by distance to the base, keeps a candidate
 * unless it is closer to an already kept one than to the base. Writes ids to out. */
static uint32_t select_heuristic(struct lh_vec *v, const struct lh__vec_cand *cand, size_t n,
                                 uint32_t mmax, uint32_t *out)
{
    struct lh__vec_seg *t = lh__vec_segs(v);
    uint32_t k = 0;
    if (n <= mmax) {
        for (size_t i = 0; i < n; i++)
            out[k++] = cand[i].id;
        return k;
    }
    for (size_t i = 0; i < n && k < mmax; i++) {
        const float *e = lh__vec_row(t, cand[i].id, v->dims);
        bool good = true;
        for (uint32_t j = 0; j < k; j++) {
            if (v->dist(e, lh__vec_row(t, out[j], v->dims), v->dims) < cand[i].d) {
                good = false;
                break;
            }
        }
        if (good)
            out[k++] = cand[i].id;
    }
    return k;
}

/* Adds `id` (vector q) to the list of nb at level, pruning with the heuristic when full. */
static void add_reverse(struct lh_vec *v, struct lh__vec_ctx *c, uint32_t nb, uint32_t id,
                        const float *q, int level)
{
    struct lh__vec_seg *t = lh__vec_segs(v);
    uint32_t *seq = lh__vec_links0(v, t, nb);
    uint32_t mmax = level == 0 ? v->m0 : v->m;
    node_lock(seq);
    uint32_t *list = list_of(v, t, nb, level);
    if (!list)
        goto out; /* nb was reused with fewer levels meanwhile */
    uint32_t n = list[0];
    for (uint32_t i = 0; i < n; i++)
        if (list[1 + i] == id)
            goto out;
    if (n < mmax) {
        __atomic_store_n(&list[1 + n], id, __ATOMIC_RELAXED);
        __atomic_store_n(&list[0], n + 1, __ATOMIC_RELAXED);
        goto out;
    }
    {
        const float *base = lh__vec_row(t, nb, v->dims);
        struct lh__vec_cand *cd = c->tmp;
        cd[0].d = v->dist(base, q, v->dims);
        cd[0].id = id;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t e = list[1 + i];
            cd[1 + i].d = v->dist(base, lh__vec_row(t, e, v->dims), v->dims);
            cd[1 + i].id = e;
        }
        qsort(cd, n + 1, sizeof(*cd), cand_cmp);
        uint32_t k = select_heuristic(v, cd, n + 1, mmax, c->nbuf2);
        write_list(list, c->nbuf2, k);
    }
out:
    node_unlock(seq);
}

void lh__hnsw_insert(struct lh_vec *v, struct lh__vec_ctx *c, uint32_t id,
                     const struct lh__vec_bcodes *bc)
{
    struct lh__vec_seg *t = lh__vec_segs(v);
    const float *q = lh__vec_row(t, id, v->dims);
    int level = row_level(t, id);
    bool held = false;
    size_t efc = v->o.ef_construction;
    size_t need = (efc > v->m0 ? efc : v->m0) * 2 + 2;

    lh__vec_ctx_reserve(c, need);
    uint64_t ep = __atomic_load_n(&v->ep, __ATOMIC_ACQUIRE);
    if (ep == LH__VEC_EP_EMPTY || (int)(ep >> 32) < level) {
        pthread_mutex_lock(&v->ep_lock);
        held = true;
        ep = __atomic_load_n(&v->ep, __ATOMIC_ACQUIRE);
        if (ep == LH__VEC_EP_EMPTY) {
            __atomic_store_n(&v->ep, ((uint64_t)level << 32) | id, __ATOMIC_RELEASE);
            goto out;
        }
        if ((int)(ep >> 32) >= level) {
            pthread_mutex_unlock(&v->ep_lock);
            held = false;
        }
    }
    {
        int maxl = (int)(ep >> 32);
        uint32_t cur = (uint32_t)ep;
        float d = v->dist(q, lh__vec_row(lh__vec_segs(v), cur, v->dims), v->dims);
        for (int l = maxl; l > level; l--)
            greedy(v, c, q, l, &cur, &d);
        for (int l = level < maxl ? level : maxl; l >= 0; l--) {
            size_t n = search_layer(v, c, q, cur, d, efc, l, ACCEPT_BUILD, id, NULL, bc);
            if (!n)
                continue;
            memcpy(c->tmp, c->res, n * sizeof(*c->tmp));
            if (bc) { /* the beam ran on int8 codes: choose neighbours on fp32 distances */
                struct lh__vec_seg *tt = lh__vec_segs(v);
                for (size_t i = 0; i < n; i++) {
                    if (i + 2 < n)
                        prefetch_row(lh__vec_row(tt, c->tmp[i + 2].id, v->dims), 1024);
                    c->tmp[i].d = v->dist(q, lh__vec_row(tt, c->tmp[i].id, v->dims), v->dims);
                }
            }
            qsort(c->tmp, n, sizeof(*c->tmp), cand_cmp);
            uint32_t sel[LH_VEC_MAX_M];
            uint32_t k = select_heuristic(v, c->tmp, n, v->m, sel);
            cur = c->tmp[0].id;
            d = c->tmp[0].d;
            t = lh__vec_segs(v);
            uint32_t *seq = lh__vec_links0(v, t, id);
            node_lock(seq);
            uint32_t *own = list_of(v, t, id, l);
            if (own)
                write_list(own, sel, k);
            node_unlock(seq);
            for (uint32_t i = 0; i < k; i++)
                add_reverse(v, c, sel[i], id, q, l);
        }
    }
    if (held) {
        ep = __atomic_load_n(&v->ep, __ATOMIC_ACQUIRE);
        if (ep == LH__VEC_EP_EMPTY || (int)(ep >> 32) < level)
            __atomic_store_n(&v->ep, ((uint64_t)level << 32) | id, __ATOMIC_RELEASE);
    }
out:
    if (held)
        pthread_mutex_unlock(&v->ep_lock);
}

size_t lh__hnsw_search(struct lh_vec *v, struct lh__vec_ctx *c, const float *q, size_t k,
                       size_t ef, const struct lh_vec_filter *f, struct lh_vec_hit *out)
{
    uint64_t ep = __atomic_load_n(&v->ep, __ATOMIC_ACQUIRE);
    if (ep == LH__VEC_EP_EMPTY)
        return 0;
    uint32_t cur = (uint32_t)ep;
    int maxl = (int)(ep >> 32);
    float d = v->dist(q, lh__vec_row(lh__vec_segs(v), cur, v->dims), v->dims);
    for (int l = maxl; l > 0; l--)
        greedy(v, c, q, l, &cur, &d);
    lh__vec_ctx_reserve(c, ef + 2);
    size_t n = search_layer(v, c, q, cur, d, ef, 0, ACCEPT_QUERY, LH__VEC_NONE, f, NULL);
    memcpy(c->tmp, c->res, n * sizeof(*c->tmp));
    qsort(c->tmp, n, sizeof(*c->tmp), cand_cmp);
    if (n > k)
        n = k;
    struct lh__vec_seg *t = lh__vec_segs(v);
    for (size_t i = 0; i < n; i++) {
        out[i].label = lh__vec_label(t, c->tmp[i].id);
        out[i].distance = c->tmp[i].d;
    }
    return n;
}

/* ---- delete ---- */

/* Picks a new entry point when `id` (being deleted) is the current one. */
static void replace_entry(struct lh_vec *v, uint32_t id)
{
    pthread_mutex_lock(&v->ep_lock);
    uint64_t ep = __atomic_load_n(&v->ep, __ATOMIC_ACQUIRE);
    if (ep != LH__VEC_EP_EMPTY && (uint32_t)ep == id) {
        struct lh__vec_seg *t = lh__vec_segs(v);
        uint32_t n = __atomic_load_n(&v->n_slots, __ATOMIC_ACQUIRE);
        uint32_t best = LH__VEC_NONE;
        int best_l = -1;
        for (uint32_t i = 0; i < n; i++) {
            uint8_t st = lh__vec_state(t, i);
            if (i == id || (st != LH__VEC_S_LIVE && st != LH__VEC_S_BUSY))
                continue;
            int l = row_level(t, i);
            if (l > best_l) {
                best_l = l;
                best = i;
            }
        }
        ep = best == LH__VEC_NONE ? LH__VEC_EP_EMPTY : ((uint64_t)best_l << 32) | best;
        __atomic_store_n(&v->ep, ep, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&v->ep_lock);
}

void lh__hnsw_unlink(struct lh_vec *v, struct lh__vec_ctx *c, uint32_t id)
{
    struct lh__vec_seg *t = lh__vec_segs(v);
    int level = row_level(t, id);
    uint32_t dl[2 * LH_VEC_MAX_M + 2];
    lh__vec_ctx_reserve(c, 4 * (size_t)v->m0 + 4);
    for (int l = level; l >= 0; l--) {
        uint32_t mmax = l == 0 ? v->m0 : v->m;
        uint32_t nd = read_links(v, t, id, l, dl);
        for (uint32_t i = 0; i < nd; i++) {
            uint32_t nb = dl[i];
            if (nb == id)
                continue;
            uint8_t st = lh__vec_state(t, nb);
            if (st != LH__VEC_S_LIVE && st != LH__VEC_S_BUSY)
                continue;
            uint32_t *seq = lh__vec_links0(v, t, nb);
            node_lock(seq);
            uint32_t *list = list_of(v, t, nb, l);
            uint32_t n = list ? list[0] : 0, pos = n;
            for (uint32_t j = 0; j < n; j++)
                if (list[1 + j] == id)
                    pos = j;
            if (pos == n) {
                node_unlock(seq);
                continue;
            }
            /* Candidates: nb's other links, then the deleted node's other links. */
            lh__vec_ctx_visit_begin(v, c);
            const float *base = lh__vec_row(t, nb, v->dims);
            struct lh__vec_cand *cd = c->tmp;
            size_t nc = 0;
            c->marks[nb] = c->marks[id] = c->epoch;
            for (uint32_t j = 0; j < n + nd; j++) {
                uint32_t e = j < n ? list[1 + j] : dl[j - n];
                if (e >= c->marks_cap || c->marks[e] == c->epoch)
                    continue;
                c->marks[e] = c->epoch;
                uint8_t se = lh__vec_state(t, e);
                if (se != LH__VEC_S_LIVE && se != LH__VEC_S_BUSY)
                    continue;
                cd[nc].d = v->dist(base, lh__vec_row(t, e, v->dims), v->dims);
                cd[nc].id = e;
                nc++;
            }
            qsort(cd, nc, sizeof(*cd), cand_cmp);
            uint32_t k = select_heuristic(v, cd, nc, mmax, c->nbuf2);
            write_list(list, c->nbuf2, k);
            node_unlock(seq);
        }
    }
    uint64_t ep = __atomic_load_n(&v->ep, __ATOMIC_ACQUIRE);
    if (ep != LH__VEC_EP_EMPTY && (uint32_t)ep == id)
        replace_entry(v, id);
}
