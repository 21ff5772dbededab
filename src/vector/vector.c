/* SPDX-License-Identifier: MIT */
/* vector.c - the vector index: row storage, label map, add/delete, exact search, dispatch.
 *
 * Locking (see vector.h for the contract): map_lock guards the label map, the free list and
 * growth; mut_lock is held shared by add/delete and exclusively by save; graph links use one
 * seqlock per node (vector_hnsw.c). Searches take map_lock only to translate a bitmap filter
 * of a few labels into rows.
 */
#include "lh_common.h"
#include "vector.h"
#include "vector_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---- small helpers ---- */

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/* Arrays of 2 MiB or more are 2 MiB aligned and asked for transparent huge pages: random row
 * accesses (graph search) miss the TLB far less, and the hardware prefetchers of a scan are
 * not stopped at every 4 KiB page boundary. */
void *lh__vec_alloc_rows(size_t bytes)
{
    size_t align = bytes >= ((size_t)2 << 20) ? ((size_t)2 << 20) : 64;
    size_t size = (bytes + align - 1) / align * align;
    void *p = aligned_alloc(align, size ? size : align);
    if (p && align > 64)
        madvise(p, size, MADV_HUGEPAGE);
    return p;
}

int lh__vec_level_for(const struct lh_vec *v, uint64_t label)
{
    uint64_t h = mix64(v->o.seed ^ mix64(label + 0x9e3779b97f4a7c15ULL));
    double u = ((double)(h >> 11) + 1.0) * 0x1p-53; /* (0, 1] */
    double l = floor(-log(u) * v->ml);
    return l > LH__VEC_MAX_LEVEL ? LH__VEC_MAX_LEVEL : (int)l;
}

bool lh__vec_filter_ok(const struct lh_vec_filter *f, uint64_t label)
{
    if (!f)
        return true;
    if (f->bits && (label >= f->n_bits || !((f->bits[label >> 6] >> (label & 63)) & 1u)))
        return false;
    if (f->allow && !f->allow(label, f->ctx))
        return false;
    return true;
}

void lh__vec_retire(struct lh_vec *v, void *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&v->retire_lock);
    if (v->n_retired == v->retired_cap) {
        size_t cap = v->retired_cap ? v->retired_cap * 2 : 16;
        void **r = realloc(v->retired, cap * sizeof(*r));
        if (!r)
            abort(); /* OOM policy: retiring cannot fail softly (readers may hold p) */
        v->retired = r;
        v->retired_cap = cap;
    }
    v->retired[v->n_retired++] = p;
    pthread_mutex_unlock(&v->retire_lock);
}

/* ---- rotation ---- */

/* In-place normalised fast Walsh-Hadamard transform of n (a power of two) values. */
static void fwht(const struct lh_vec *v, float *x, uint32_t n)
{
    v->k->fwht(x, n);
    float s = 1.0f / sqrtf((float)n);
    for (uint32_t i = 0; i < n; i++)
        x[i] *= s;
}

/* Round r works on the first block for even r, on the last for odd r: with dims not a power
 * of two the two blocks overlap and together cover every coordinate. */
static uint32_t rot_off(const struct lh_vec *v, int r)
{
    return (r & 1) ? v->dims - v->rot_block : 0;
}

void lh__vec_rotate(const struct lh_vec *v, float *x)
{
    if (!v->rotate)
        return;
    for (int r = 0; r < LH__VEC_ROT_ROUNDS; r++) {
        const float *sg = v->rot_signs + (size_t)r * v->dims;
        for (uint32_t i = 0; i < v->dims; i++)
            x[i] *= sg[i];
        fwht(v, x + rot_off(v, r), v->rot_block);
    }
}

void lh__vec_unrotate(const struct lh_vec *v, float *x)
{
    if (!v->rotate)
        return;
    for (int r = LH__VEC_ROT_ROUNDS - 1; r >= 0; r--) {
        const float *sg = v->rot_signs + (size_t)r * v->dims;
        fwht(v, x + rot_off(v, r), v->rot_block);
        for (uint32_t i = 0; i < v->dims; i++)
            x[i] *= sg[i];
    }
}

static int rot_init(struct lh_vec *v)
{
    if (v->o.metric != LH_VEC_COSINE || v->dims < LH__VEC_ROT_MIN)
        return 0;
    v->rot_signs = malloc((size_t)LH__VEC_ROT_ROUNDS * v->dims * sizeof(float));
    if (!v->rot_signs)
        return -LH_ENOMEM;
    uint64_t st = v->o.seed ^ 0x5851f42d4c957f2dULL;
    for (size_t i = 0; i < (size_t)LH__VEC_ROT_ROUNDS * v->dims; i++) {
        st += 0x9e3779b97f4a7c15ULL;
        v->rot_signs[i] = (mix64(st) >> 63) ? -1.0f : 1.0f;
    }
    v->rot_block = 1;
    while (v->rot_block * 2 <= v->dims)
        v->rot_block *= 2;
    v->rotate = true;
    v->prune_l1 = (v->dims / 6) & ~31u;
    v->prune_l2 = (v->dims / 2) & ~31u;
    return 0;
}

/* ---- label map: open addressing, linear probing ---- */

#define MAP_EMPTY LH__VEC_NONE
#define MAP_TOMB (LH__VEC_NONE - 1u)

static int map_alloc(struct lh__vec_map *m, size_t cap)
{
    m->keys = malloc(cap * sizeof(*m->keys));
    m->vals = malloc(cap * sizeof(*m->vals));
    if (!m->keys || !m->vals) {
        free(m->keys);
        free(m->vals);
        m->keys = NULL;
        m->vals = NULL;
        return -LH_ENOMEM;
    }
    memset(m->vals, 0xff, cap * sizeof(*m->vals));
    m->cap = cap;
    m->used = 0;
    m->n = 0;
    return 0;
}

static void map_release(struct lh__vec_map *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

static uint32_t map_get(const struct lh__vec_map *m, uint64_t key)
{
    if (!m->cap)
        return LH__VEC_NONE;
    size_t mask = m->cap - 1;
    for (size_t i = mix64(key) & mask;; i = (i + 1) & mask) {
        uint32_t val = m->vals[i];
        if (val == MAP_EMPTY)
            return LH__VEC_NONE;
        if (val != MAP_TOMB && m->keys[i] == key)
            return val;
    }
}

static void map_insert_new(struct lh__vec_map *m, uint64_t key, uint32_t val)
{
    size_t mask = m->cap - 1;
    size_t i = mix64(key) & mask;
    while (m->vals[i] != MAP_EMPTY && m->vals[i] != MAP_TOMB)
        i = (i + 1) & mask;
    if (m->vals[i] == MAP_EMPTY)
        m->used++;
    m->keys[i] = key;
    m->vals[i] = val;
    m->n++;
}

/* Inserts key -> val; -LH_EEXIST if present. */
static int map_put(struct lh__vec_map *m, uint64_t key, uint32_t val)
{
    if (map_get(m, key) != LH__VEC_NONE)
        return -LH_EEXIST;
    if ((m->used + 1) * 4 > m->cap * 3) {
        struct lh__vec_map nm;
        size_t cap = m->cap ? m->cap : 64;
        while ((m->n + 1) * 2 > cap)
            cap *= 2;
        if (map_alloc(&nm, cap) != 0)
            return -LH_ENOMEM;
        for (size_t i = 0; i < m->cap; i++)
            if (m->vals[i] != MAP_EMPTY && m->vals[i] != MAP_TOMB)
                map_insert_new(&nm, m->keys[i], m->vals[i]);
        map_release(m);
        *m = nm;
    }
    map_insert_new(m, key, val);
    return 0;
}

int lh__vec_map_put(struct lh_vec *v, uint64_t label, uint32_t id)
{
    return map_put(&v->map, label, id);
}

static bool map_del(struct lh__vec_map *m, uint64_t key)
{
    if (!m->cap)
        return false;
    size_t mask = m->cap - 1;
    for (size_t i = mix64(key) & mask;; i = (i + 1) & mask) {
        uint32_t val = m->vals[i];
        if (val == MAP_EMPTY)
            return false;
        if (val != MAP_TOMB && m->keys[i] == key) {
            m->vals[i] = MAP_TOMB;
            m->n--;
            return true;
        }
    }
}

/* ---- segments ---- */

static void seg_release(struct lh_vec *v, struct lh__vec_seg *s)
{
    if (!s->vecs_mapped)
        free(s->vecs);
    if (!s->codes_mapped)
        free(s->codes);
    if (!s->codes4_mapped)
        free(s->codes4);
    if (!s->bits_mapped)
        free(s->bits);
    free(s->qs);
    free(s->qs4);
    free(s->links0);
    if (s->upper) {
        for (uint32_t r = 0; r < LH__VEC_SEG_ROWS; r++)
            free(s->upper[r]);
        free(s->upper);
    }
    free(s->labels);
    free(s->levels);
    free(s->state);
    (void)v;
    memset(s, 0, sizeof(*s));
}

/* Allocates the arrays of segment s. With `no_rows` the fp32 rows and codes are left NULL
 * (the loader points them into the file). */
int lh__vec_seg_alloc(struct lh_vec *v, struct lh__vec_seg *s, bool no_rows)
{
    size_t rows = LH__VEC_SEG_ROWS;
    memset(s, 0, sizeof(*s));
    if (!no_rows) {
        s->vecs = lh__vec_alloc_rows(rows * v->dims * sizeof(float));
        if (!s->vecs)
            goto fail;
        if (v->int8 && !(s->codes = lh__vec_alloc_rows(rows * v->dims)))
            goto fail;
        if (v->int4 && !(s->codes4 = lh__vec_alloc_rows(rows * v->u4_bytes)))
            goto fail;
        if (v->bin1 && !(s->bits = lh__vec_alloc_rows(rows * v->b1_bytes)))
            goto fail;
    }
    if (v->int8 && !(s->qs = calloc(rows * LH__VEC_REC, sizeof(float))))
        goto fail;
    if (v->int4 && !(s->qs4 = calloc(rows * LH__VEC_REC, sizeof(float))))
        goto fail;
    if (v->graph) {
        s->links0 = calloc(rows * v->link0_words, sizeof(uint32_t));
        s->upper = calloc(rows, sizeof(*s->upper));
        if (!s->links0 || !s->upper)
            goto fail;
    }
    s->labels = calloc(rows, sizeof(*s->labels));
    s->levels = calloc(rows, 1);
    s->state = calloc(rows, 1);
    if (!s->labels || !s->levels || !s->state)
        goto fail;
    return 0;
fail:
    seg_release(v, s);
    return -LH_ENOMEM;
}

/* Makes sure segment `si` exists. Called with map_lock held exclusively (or single-threaded
 * while loading). */
int lh__vec_ensure_seg(struct lh_vec *v, uint32_t si, bool no_rows)
{
    while (v->n_segs <= si) {
        if (v->n_segs == v->seg_cap) {
            uint32_t cap = v->seg_cap ? v->seg_cap * 2 : 4;
            struct lh__vec_seg *t = calloc(cap, sizeof(*t));
            if (!t)
                return -LH_ENOMEM;
            if (v->segs)
                memcpy(t, v->segs, v->n_segs * sizeof(*t));
            struct lh__vec_seg *old = v->segs;
            __atomic_store_n(&v->segs, t, __ATOMIC_RELEASE);
            v->seg_cap = cap;
            lh__vec_retire(v, old);
        }
        int rc = lh__vec_seg_alloc(v, &v->segs[v->n_segs], no_rows);
        if (rc)
            return rc;
        __atomic_store_n(&v->n_segs, v->n_segs + 1, __ATOMIC_RELEASE);
    }
    return 0;
}

/* ---- search contexts ---- */

struct lh__vec_ctx *lh__vec_ctx_get(struct lh_vec *v)
{
    pthread_mutex_lock(&v->ctx_lock);
    struct lh__vec_ctx *c = v->ctx_free;
    if (c)
        v->ctx_free = c->next;
    pthread_mutex_unlock(&v->ctx_lock);
    if (!c) {
        c = calloc(1, sizeof(*c));
        size_t nb = (size_t)(v->m0 > v->m ? v->m0 : v->m) + 2;
        if (!c || !(c->nbuf = malloc(nb * sizeof(uint32_t))) ||
            !(c->nbuf2 = malloc(nb * sizeof(uint32_t))) ||
            !(c->qbuf = malloc((size_t)v->dims * sizeof(float))) ||
            !(c->qcode = calloc((size_t)v->u4_bytes * 2, 1)) ||
            !(c->qbits = malloc(v->b1_bytes)))
            abort(); /* small fixed allocations: OOM policy aborts */
    }
    c->next = NULL;
    return c;
}

void lh__vec_ctx_put(struct lh_vec *v, struct lh__vec_ctx *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&v->ctx_lock);
    c->next = v->ctx_free;
    v->ctx_free = c;
    pthread_mutex_unlock(&v->ctx_lock);
}

static void ctx_free(struct lh__vec_ctx *c)
{
    free(c->marks);
    free(c->cand);
    free(c->res);
    free(c->tmp);
    free(c->nbuf);
    free(c->nbuf2);
    free(c->qbuf);
    free(c->qcode);
    free(c->qbits);
    free(c);
}

static void *grow_array(void *p, size_t *cap, size_t need, size_t elem)
{
    if (*cap >= need)
        return p;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    void *q = realloc(p, n * elem);
    if (!q)
        abort();
    *cap = n;
    return q;
}

void lh__vec_ctx_reserve(struct lh__vec_ctx *c, size_t n)
{
    c->cand = grow_array(c->cand, &c->cand_cap, n, sizeof(*c->cand));
    c->res = grow_array(c->res, &c->res_cap, n, sizeof(*c->res));
    c->tmp = grow_array(c->tmp, &c->tmp_cap, n, sizeof(*c->tmp));
}

void lh__vec_ctx_visit_begin(struct lh_vec *v, struct lh__vec_ctx *c)
{
    size_t need = __atomic_load_n(&v->n_slots, __ATOMIC_ACQUIRE);
    if (c->marks_cap < need) {
        size_t cap = need + need / 4 + 1024;
        free(c->marks);
        c->marks = calloc(cap, sizeof(*c->marks));
        if (!c->marks)
            abort();
        c->marks_cap = cap;
        c->epoch = 0;
    }
    if (++c->epoch == 0) {
        memset(c->marks, 0, c->marks_cap * sizeof(*c->marks));
        c->epoch = 1;
    }
}

/* ---- create / free ---- */

void lh_vec_opts_init(struct lh_vec_opts *o, uint32_t dims)
{
    memset(o, 0, sizeof(*o));
    o->dims = dims;
    o->metric = LH_VEC_COSINE;
    o->flags = LH_VEC_HNSW;
    o->m = 16;
    o->ef_construction = 100;
    o->ef_search = 64;
    o->seed = 42;
    o->n_threads = 2;
}

static int check_opts(const struct lh_vec_opts *o, struct lh_error *err)
{
    if (o->dims < 1 || o->dims > LH_VEC_MAX_DIMS)
        return lh_error_set(err, LH_EINVAL, "vector dims %u out of range 1..%u", o->dims,
                            LH_VEC_MAX_DIMS);
    if (o->metric != LH_VEC_COSINE && o->metric != LH_VEC_L2)
        return lh_error_set(err, LH_EINVAL, "unknown vector metric %d", (int)o->metric);
    if (o->flags & ~(unsigned)(LH_VEC_HNSW | LH_VEC_INT8 | LH_VEC_INT4 | LH_VEC_BIN1))
        return lh_error_set(err, LH_EINVAL, "unknown vector index flags 0x%x", o->flags);
    if ((o->flags & LH_VEC_BIN1) && o->metric != LH_VEC_COSINE)
        return lh_error_set(err, LH_EINVAL, "1-bit codes rank by angle: cosine metric only");
    if ((o->flags & LH_VEC_HNSW) && (o->m < 2 || o->m > LH_VEC_MAX_M))
        return lh_error_set(err, LH_EINVAL, "HNSW m %u out of range 2..%u", o->m, LH_VEC_MAX_M);
    if ((o->flags & LH_VEC_HNSW) && (o->ef_construction < 1 || o->ef_construction > 100000))
        return lh_error_set(err, LH_EINVAL, "ef_construction %u out of range 1..100000",
                            o->ef_construction);
    if (o->ef_search > 100000)
        return lh_error_set(err, LH_EINVAL, "ef_search %u out of range", o->ef_search);
    if (o->n_threads > 64)
        return lh_error_set(err, LH_EINVAL, "n_threads %d out of range 1..64", o->n_threads);
    return 0;
}

/* Creates the index object without rows (also used by the loader). */
int lh__vec_create(const struct lh_vec_opts *o, struct lh_vec **out, struct lh_error *err)
{
    struct lh_vec *v = NULL;
    int rc = check_opts(o, err);
    *out = NULL;
    if (rc)
        return rc;
    v = calloc(1, sizeof(*v));
    if (!v)
        return lh_error_set(err, LH_ENOMEM, "out of memory creating a vector index");
    v->o = *o;
    if (v->o.n_threads <= 0)
        v->o.n_threads = 2;
    if (!v->o.ef_search)
        v->o.ef_search = 64;
    v->k = lh__vec_kernels_best();
    v->dist = o->metric == LH_VEC_L2 ? v->k->l2sq : v->k->cosdist;
    v->dims = o->dims;
    v->graph = (o->flags & LH_VEC_HNSW) != 0;
    v->int8 = (o->flags & LH_VEC_INT8) != 0;
    v->int4 = (o->flags & LH_VEC_INT4) != 0;
    v->u4_bytes = (uint32_t)lh__vec_u4_bytes(v->dims);
    v->bin1 = (o->flags & LH_VEC_BIN1) != 0;
    v->b1_bytes = (uint32_t)lh__vec_b1_bytes(v->dims);
    v->m = v->graph ? o->m : 0;
    v->m0 = 2 * v->m;
    v->link0_words = 2 + v->m0;
    v->upper_words = 1 + v->m;
    v->ml = v->graph ? 1.0 / log((double)v->m) : 0;
    v->ep = LH__VEC_EP_EMPTY;
    pthread_mutex_init(&v->retire_lock, NULL);
    pthread_rwlockattr_t wpref;
    pthread_rwlockattr_init(&wpref);
    /* Save and the end of a bulk build wait for writers' turn; with glibc's default (readers
     * first) a steady stream of adds could starve them. No path takes these twice. */
    pthread_rwlockattr_setkind_np(&wpref, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&v->map_lock, NULL);
    pthread_rwlock_init(&v->mut_lock, &wpref);
    pthread_mutex_init(&v->ep_lock, NULL);
    pthread_mutex_init(&v->ctx_lock, NULL);
    pthread_rwlock_init(&v->bc_lock, &wpref);
    pthread_rwlockattr_destroy(&wpref);
    rc = lh__vec_pool_new(v->o.n_threads, &v->pool);
    if (rc) {
        lh_error_set(err, LH_ENOMEM, "cannot start the vector index threads");
        goto out;
    }
    if (rot_init(v) != 0 || map_alloc(&v->map, 64) != 0) {
        rc = lh_error_set(err, LH_ENOMEM, "out of memory creating a vector index");
        goto out;
    }
out:
    if (rc) {
        lh_vec_free(v);
        return rc;
    }
    *out = v;
    return 0;
}

int lh_vec_new(const struct lh_vec_opts *o, struct lh_vec **out, struct lh_error *err)
{
    struct lh_vec *v = NULL;
    int rc = lh__vec_create(o, &v, err);
    if (rc)
        return rc;
    if (o->capacity) {
        uint32_t cap = o->capacity > LH__VEC_MAX_ROWS ? LH__VEC_MAX_ROWS : o->capacity;
        rc = lh__vec_ensure_seg(v, (cap - 1) >> LH__VEC_SEG_SHIFT, false);
        if (rc) {
            lh_error_set(err, LH_ENOMEM, "out of memory reserving %u vectors", o->capacity);
            lh_vec_free(v);
            return rc;
        }
    }
    *out = v;
    return 0;
}

void lh_vec_free(struct lh_vec *v)
{
    if (!v)
        return;
    lh__vec_pool_free(v->pool);
    for (uint32_t i = 0; i < v->n_segs; i++)
        seg_release(v, &v->segs[i]);
    free(v->segs);
    for (size_t i = 0; i < v->n_retired; i++)
        free(v->retired[i]);
    free(v->retired);
    while (v->ctx_free) {
        struct lh__vec_ctx *c = v->ctx_free;
        v->ctx_free = c->next;
        ctx_free(c);
    }
    free(v->free_list);
    free(v->rot_signs);
    map_release(&v->map);
    if (v->file_map)
        munmap(v->file_map, v->file_map_len);
    pthread_rwlock_destroy(&v->bc_lock);
    pthread_mutex_destroy(&v->ctx_lock);
    pthread_mutex_destroy(&v->ep_lock);
    pthread_rwlock_destroy(&v->mut_lock);
    pthread_rwlock_destroy(&v->map_lock);
    pthread_mutex_destroy(&v->retire_lock);
    free(v);
}

/* ---- codes ---- */

/* The float nearest above x: stored norms must bound the real ones. */
static float round_up(double x)
{
    float f = (float)x;
    return (double)f < x ? nextafterf(f, INFINITY) : f;
}

void lh__vec_code_record(const struct lh_vec *v, const float *x, float scale,
                         const int8_t *code8, const uint8_t *code4, float *rec)
{
    double xx = 0, rr = 0, hh = 0;
    for (uint32_t i = 0; i < v->dims; i++) {
        /* A float times a small integer is exact in double, and so is the difference. */
        double h = (double)scale * (code8 ? code8[i] : lh__vec_u4_code(code4, i));
        double e = (double)x[i] - h;
        xx += (double)x[i] * x[i];
        rr += e * e;
        hh += h * h;
    }
    rec[LH__VEC_REC_SCALE] = scale;
    rec[LH__VEC_REC_SQNORM] = (float)xx;
    rec[LH__VEC_REC_RESID] = round_up(sqrt(rr));
    rec[LH__VEC_REC_NORM] = round_up(sqrt(xx > hh ? xx : hh));
}

/* ---- add / delete ---- */

static int check_vec(const struct lh_vec *v, const float *x, uint32_t dims, const char *what,
                     struct lh_error *err)
{
    if (!x)
        return lh_error_set(err, LH_EINVAL, "%s vector is NULL", what);
    if (dims != v->dims)
        return lh_error_set(err, LH_EINVAL, "%s vector has %u dims, the index has %u", what,
                            dims, v->dims);
    for (uint32_t i = 0; i < dims; i++)
        if (!isfinite(x[i]))
            return lh_error_set(err, LH_EINVAL, "%s vector has a non-finite value at %u", what,
                                i);
    return 0;
}

/* Copies x into buf, normalising for cosine. */
static int prepare(const struct lh_vec *v, const float *x, float *buf, const char *what,
                   struct lh_error *err)
{
    memcpy(buf, x, (size_t)v->dims * sizeof(float));
    if (v->o.metric == LH_VEC_COSINE && !lh__vec_normalize(buf, v->dims))
        return lh_error_set(err, LH_EINVAL, "%s vector has zero norm (cosine metric)", what);
    lh__vec_rotate(v, buf);
    return 0;
}

/* Takes a row for label under map_lock. */
static int take_slot(struct lh_vec *v, uint64_t label, uint32_t *out, bool *reused,
                     struct lh_error *err)
{
    int rc = 0;
    uint32_t id;
    pthread_rwlock_wrlock(&v->map_lock);
    if (map_get(&v->map, label) != LH__VEC_NONE) {
        rc = lh_error_set(err, LH_EEXIST, "vector label %llu already exists",
                          (unsigned long long)label);
        goto out;
    }
    if (v->n_free) {
        id = v->free_list[v->n_free - 1];
        *reused = true;
    } else {
        id = v->n_slots;
        *reused = false;
        if (id >= LH__VEC_MAX_ROWS) {
            rc = lh_error_set(err, LH_ELIMIT, "vector index is full (%u rows)", id);
            goto out;
        }
        rc = lh__vec_ensure_seg(v, id >> LH__VEC_SEG_SHIFT, false);
        if (rc) {
            lh_error_set(err, LH_ENOMEM, "out of memory growing the vector index");
            goto out;
        }
    }
    rc = map_put(&v->map, label, id);
    if (rc) {
        lh_error_set(err, LH_ENOMEM, "out of memory growing the vector label map");
        goto out;
    }
    if (*reused)
        v->n_free--;
    else
        __atomic_store_n(&v->n_slots, id + 1, __ATOMIC_RELEASE);
    struct lh__vec_seg *s = &v->segs[id >> LH__VEC_SEG_SHIFT];
    __atomic_store_n(&s->state[id & LH__VEC_SEG_MASK], LH__VEC_S_BUSY, __ATOMIC_RELEASE);
    *out = id;
out:
    pthread_rwlock_unlock(&v->map_lock);
    return rc;
}

/* Adds one prepared (normalised) vector. */
static int add_one(struct lh_vec *v, struct lh__vec_ctx *c, uint64_t label,
                   struct lh_error *err)
{
    uint32_t id = 0;
    bool reused = false;
    int rc = take_slot(v, label, &id, &reused, err);
    if (rc)
        return rc;
    int level = v->graph ? lh__vec_level_for(v, label) : 0;
    struct lh__vec_seg *t = lh__vec_segs(v);
    struct lh__vec_seg *s = &t[id >> LH__VEC_SEG_SHIFT];
    uint32_t r = id & LH__VEC_SEG_MASK;
    if (v->graph) {
        if (reused)
            lh__hnsw_reset_row(v, id, level);
        else
            lh__hnsw_alloc_upper(v, id, level);
    }
    memcpy(s->vecs + (size_t)r * v->dims, c->qbuf, (size_t)v->dims * sizeof(float));
    if (v->int8) {
        int8_t *code = s->codes + (size_t)r * v->dims;
        float sc = lh__vec_quantize(c->qbuf, v->dims, code);
        lh__vec_code_record(v, c->qbuf, sc, code, NULL, s->qs + (size_t)r * LH__VEC_REC);
    }
    if (v->int4) {
        uint8_t *code = s->codes4 + (size_t)r * v->u4_bytes;
        float sc = lh__vec_quantize4(c->qbuf, v->dims, code, v->u4_bytes);
        lh__vec_code_record(v, c->qbuf, sc, NULL, code, s->qs4 + (size_t)r * LH__VEC_REC);
    }
    if (v->bin1)
        lh__vec_signs(c->qbuf, v->dims, s->bits + (size_t)r * v->b1_bytes, v->b1_bytes);
    __atomic_store_n(&s->labels[r], label, __ATOMIC_RELAXED);
    if (v->graph) {
        pthread_rwlock_rdlock(&v->bc_lock);
        struct lh__vec_bcodes *bc = v->bc;
        if (bc && id < bc->cap) {
            float sc = lh__vec_quantize(c->qbuf, v->dims, bc->codes + (size_t)id * v->dims);
            __atomic_store(&bc->scale[id], &sc, __ATOMIC_RELEASE);
        }
        lh__hnsw_insert(v, c, id, bc && id < bc->cap ? bc : NULL);
        pthread_rwlock_unlock(&v->bc_lock);
    }
    __atomic_store_n(&s->state[r], LH__VEC_S_LIVE, __ATOMIC_RELEASE);
    __atomic_add_fetch(&v->live, 1, __ATOMIC_RELAXED);
    return 0;
}

int lh_vec_add(struct lh_vec *v, uint64_t label, const float *vec, uint32_t dims,
               struct lh_error *err)
{
    int rc = check_vec(v, vec, dims, "inserted", err);
    if (rc)
        return rc;
    struct lh__vec_ctx *c = lh__vec_ctx_get(v);
    rc = prepare(v, vec, c->qbuf, "inserted", err);
    if (rc)
        goto out;
    pthread_rwlock_rdlock(&v->mut_lock);
    rc = add_one(v, c, label, err);
    pthread_rwlock_unlock(&v->mut_lock);
out:
    lh__vec_ctx_put(v, c);
    return rc;
}

struct batch_job {
    struct lh_vec *v;
    const uint64_t *labels;
    const float *vecs;
    size_t n;
    size_t next;  /* atomic */
    int rc;       /* atomic: first error */
    struct lh_error err;
    pthread_mutex_t err_lock;
};

static void batch_task(void *arg, size_t task)
{
    struct batch_job *j = arg;
    struct lh_vec *v = j->v;
    struct lh__vec_ctx *c = lh__vec_ctx_get(v);
    struct lh_error err = {0, ""};
    (void)task;
    for (;;) {
        if (__atomic_load_n(&j->rc, __ATOMIC_RELAXED))
            break;
        size_t i = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED);
        if (i >= j->n)
            break;
        const float *x = j->vecs + i * v->dims;
        int rc = check_vec(v, x, v->dims, "inserted", &err);
        if (!rc)
            rc = prepare(v, x, c->qbuf, "inserted", &err);
        if (!rc)
            rc = add_one(v, c, j->labels[i], &err);
        if (rc) {
            pthread_mutex_lock(&j->err_lock);
            if (!j->rc) {
                j->err = err;
                __atomic_store_n(&j->rc, rc, __ATOMIC_RELAXED);
            }
            pthread_mutex_unlock(&j->err_lock);
            break;
        }
    }
    lh__vec_ctx_put(v, c);
}

/* A batch of LH__VEC_BULK_MIN rows or more into a cosine graph index gets temporary int8
 * codes (flat, indexed by row id; existing rows are coded too) for the beam searches of its
 * inserts: a quarter of the bytes per candidate. Cosine only: the approximate distance
 * 1 - s_q s_x dot8 needs no norms. Returns the codes to free, or NULL (then plain fp32). */
static struct lh__vec_bcodes *bulk_begin(struct lh_vec *v, size_t n)
{
    if (!v->graph || v->o.metric != LH_VEC_COSINE || v->dims < 64 ||
        n < LH__VEC_BULK_MIN)
        return NULL;
    struct lh__vec_bcodes *bc = calloc(1, sizeof(*bc));
    uint32_t have = __atomic_load_n(&v->n_slots, __ATOMIC_ACQUIRE);
    if (!bc)
        return NULL;
    bc->cap = (size_t)have + n;
    bc->codes = lh__vec_alloc_rows(bc->cap * v->dims);
    bc->scale = calloc(bc->cap, sizeof(float));
    if (!bc->codes || !bc->scale) { /* the build just runs in fp32 */
        free(bc->codes);
        free(bc->scale);
        free(bc);
        return NULL;
    }
    struct lh__vec_seg *t = lh__vec_segs(v);
    for (uint32_t i = 0; i < have; i++)
        bc->scale[i] = lh__vec_quantize(lh__vec_row(t, i, v->dims), v->dims,
                                        bc->codes + (size_t)i * v->dims);
    pthread_rwlock_wrlock(&v->bc_lock);
    if (v->bc) { /* another batch runs one already */
        pthread_rwlock_unlock(&v->bc_lock);
        free(bc->codes);
        free(bc->scale);
        free(bc);
        return NULL;
    }
    v->bc = bc;
    pthread_rwlock_unlock(&v->bc_lock);
    return bc;
}

static void bulk_end(struct lh_vec *v, struct lh__vec_bcodes *bc)
{
    if (!bc)
        return;
    pthread_rwlock_wrlock(&v->bc_lock); /* waits for inserts still using it */
    v->bc = NULL;
    pthread_rwlock_unlock(&v->bc_lock);
    free(bc->codes);
    free(bc->scale);
    free(bc);
}

int lh_vec_add_batch(struct lh_vec *v, const uint64_t *labels, const float *vecs, size_t n,
                     uint32_t dims, struct lh_error *err)
{
    if (dims != v->dims)
        return lh_error_set(err, LH_EINVAL, "inserted vectors have %u dims, the index has %u",
                            dims, v->dims);
    if (n && (!labels || !vecs))
        return lh_error_set(err, LH_EINVAL, "add_batch: NULL labels or vectors");
    struct batch_job j;
    memset(&j, 0, sizeof(j));
    j.v = v;
    j.labels = labels;
    j.vecs = vecs;
    j.n = n;
    pthread_mutex_init(&j.err_lock, NULL);
    pthread_rwlock_rdlock(&v->mut_lock);
    struct lh__vec_bcodes *bc = bulk_begin(v, n);
    size_t tasks = (size_t)lh__vec_pool_threads(v->pool);
    lh__vec_pool_run(v->pool, tasks < n ? tasks : n, batch_task, &j);
    bulk_end(v, bc);
    pthread_rwlock_unlock(&v->mut_lock);
    pthread_mutex_destroy(&j.err_lock);
    if (j.rc) {
        if (err)
            *err = j.err;
        return j.rc;
    }
    return 0;
}

int lh_vec_delete(struct lh_vec *v, uint64_t label, struct lh_error *err)
{
    int rc = 0;
    uint32_t id;
    pthread_rwlock_rdlock(&v->mut_lock);
    pthread_rwlock_wrlock(&v->map_lock);
    id = map_get(&v->map, label);
    if (id == LH__VEC_NONE) {
        pthread_rwlock_unlock(&v->map_lock);
        rc = lh_error_set(err, LH_ENOTFOUND, "vector label %llu not found",
                          (unsigned long long)label);
        goto out;
    }
    map_del(&v->map, label);
    struct lh__vec_seg *s = &v->segs[id >> LH__VEC_SEG_SHIFT];
    __atomic_store_n(&s->state[id & LH__VEC_SEG_MASK], LH__VEC_S_DELETED, __ATOMIC_RELEASE);
    __atomic_sub_fetch(&v->live, 1, __ATOMIC_RELAXED);
    pthread_rwlock_unlock(&v->map_lock);

    if (v->graph) {
        struct lh__vec_ctx *c = lh__vec_ctx_get(v);
        lh__hnsw_unlink(v, c, id);
        lh__vec_ctx_put(v, c);
    }

    pthread_rwlock_wrlock(&v->map_lock);
    if (v->n_free == v->free_cap) {
        size_t cap = v->free_cap ? v->free_cap * 2 : 64;
        uint32_t *fl = realloc(v->free_list, cap * sizeof(*fl));
        if (!fl)
            abort(); /* the row is unlinked already; losing it silently would leak it */
        v->free_list = fl;
        v->free_cap = cap;
    }
    v->free_list[v->n_free++] = id;
    pthread_rwlock_unlock(&v->map_lock);
out:
    pthread_rwlock_unlock(&v->mut_lock);
    return rc;
}

/* ---- lookups ---- */

int lh_vec_get(struct lh_vec *v, uint64_t label, float *out, uint32_t dims, struct lh_error *err)
{
    if (dims != v->dims)
        return lh_error_set(err, LH_EINVAL, "output has %u dims, the index has %u", dims,
                            v->dims);
    int rc = 0;
    pthread_rwlock_rdlock(&v->map_lock);
    uint32_t id = map_get(&v->map, label);
    if (id == LH__VEC_NONE || lh__vec_state(v->segs, id) != LH__VEC_S_LIVE)
        rc = lh_error_set(err, LH_ENOTFOUND, "vector label %llu not found",
                          (unsigned long long)label);
    else
        memcpy(out, lh__vec_row(v->segs, id, v->dims), (size_t)dims * sizeof(float));
    pthread_rwlock_unlock(&v->map_lock);
    if (!rc)
        lh__vec_unrotate(v, out);
    return rc;
}

bool lh_vec_contains(struct lh_vec *v, uint64_t label)
{
    pthread_rwlock_rdlock(&v->map_lock);
    bool found = map_get(&v->map, label) != LH__VEC_NONE;
    pthread_rwlock_unlock(&v->map_lock);
    return found;
}

size_t lh_vec_count(const struct lh_vec *v)
{
    return __atomic_load_n(&v->live, __ATOMIC_RELAXED);
}

uint32_t lh_vec_dims(const struct lh_vec *v)
{
    return v->dims;
}

void lh_vec_stats(struct lh_vec *v, struct lh_vec_stats *out)
{
    memset(out, 0, sizeof(*out));
    pthread_rwlock_rdlock(&v->map_lock);
    size_t rows = (size_t)v->n_segs * LH__VEC_SEG_ROWS;
    out->live = lh_vec_count(v);
    out->slots = v->n_slots;
    out->free_slots = v->n_free;
    out->capacity = rows;
    out->bytes_vectors = rows * v->dims * sizeof(float);
    if (v->int8)
        out->bytes_codes = rows * (v->dims + LH__VEC_REC * sizeof(float));
    if (v->int4)
        out->bytes_codes += rows * (v->u4_bytes + LH__VEC_REC * sizeof(float));
    if (v->bin1)
        out->bytes_codes += rows * v->b1_bytes;
    if (v->graph) {
        out->bytes_graph = rows * (v->link0_words * sizeof(uint32_t) + sizeof(uint32_t *));
        for (uint32_t i = 0; i < v->n_slots; i++) {
            const struct lh__vec_seg *s = &v->segs[i >> LH__VEC_SEG_SHIFT];
            uint32_t r = i & LH__VEC_SEG_MASK;
            if (s->upper[r])
                out->bytes_graph += lh__hnsw_upper_words(v, (int)s->upper[r][0]) *
                                    sizeof(uint32_t);
        }
    }
    out->bytes_other = rows * (sizeof(uint64_t) + 2) +
                       v->map.cap * (sizeof(uint64_t) + sizeof(uint32_t)) +
                       v->free_cap * sizeof(uint32_t);
    uint64_t ep = __atomic_load_n(&v->ep, __ATOMIC_ACQUIRE);
    out->max_level = (!v->graph || ep == LH__VEC_EP_EMPTY) ? -1 : (int)(ep >> 32);
    out->isa = v->k->isa;
    pthread_rwlock_unlock(&v->map_lock);
}

/* ---- exact search ---- */

/* Max-heap on (d, id) of at most cap entries: h[0] is the worst kept. */
static inline bool cand_worse(const struct lh__vec_cand *a, const struct lh__vec_cand *b)
{
    return a->d > b->d || (a->d == b->d && a->id > b->id);
}

static void heap_sift_down(struct lh__vec_cand *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, w = i;
        if (l < n && cand_worse(&h[l], &h[w]))
            w = l;
        if (l + 1 < n && cand_worse(&h[l + 1], &h[w]))
            w = l + 1;
        if (w == i)
            return;
        struct lh__vec_cand t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

static inline void topk_push(struct lh__vec_cand *h, size_t *n, size_t cap, float d, uint32_t id)
{
    struct lh__vec_cand c = {d, id};
    if (*n < cap) {
        size_t i = (*n)++;
        while (i > 0) {
            size_t p = (i - 1) / 2;
            if (!cand_worse(&c, &h[p]))
                break;
            h[i] = h[p];
            i = p;
        }
        h[i] = c;
    } else if (cand_worse(&h[0], &c)) {
        h[0] = c;
        heap_sift_down(h, *n, 0);
    }
}

static int float_cmp(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

static int cand_cmp(const void *a, const void *b)
{
    const struct lh__vec_cand *x = a, *y = b;
    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

#define SCAN_CHUNK 256u

/* What a scan computes per row. The code kinds turn an integer dot product with the quantised
 * query into an approximate distance; the bound kinds also bound its error (see bound_margin)
 * and keep every row that can still make the top k, to be re-scored in fp32. */
enum scan_kind {
    SCAN_FP32,   /* the fp32 distance (brute force) */
    SCAN_INT8,   /* approximate, from the int8 codes: the best `keep` are re-scored */
    SCAN_INT4,   /* approximate, from the 4-bit codes */
    SCAN_BOUND8, /* int8 codes + error bounds: exact after the re-rank */
    SCAN_BOUND4, /* 4-bit codes + error bounds */
    SCAN_BIN1,   /* Hamming distance of the sign bits: the best `keep` go to a code stage */
};

static bool kind_bound(enum scan_kind k)
{
    return k == SCAN_BOUND8 || k == SCAN_BOUND4;
}

static bool kind_int4(enum scan_kind k)
{
    return k == SCAN_INT4 || k == SCAN_BOUND4;
}

struct scan_part {
    /* Best `keep` rows by distance; for the bound kinds, by upper bound (its top is the
     * part's threshold: `keep` allowed rows are surely at most that far). */
    struct lh__vec_cand *heap;
    size_t n;
    struct lh__vec_cand *cands; /* bound kinds: (lower bound, id) of rows under the threshold */
    size_t n_cands, cap_cands;
    bool oom;
};

struct scan_job {
    struct lh_vec *v;
    struct lh__vec_seg *t;
    enum scan_kind kind;
    const float *q;
    const int8_t *qc;    /* quantised query, zero-padded for the 4-bit rows */
    const uint8_t *qb;   /* query sign bits (SCAN_BIN1) */
    float qscale, qnorm; /* its scale; ||q||^2 */
    int32_t qsum8;       /* 8 sum(qc): 4-bit codes are stored as c + 8 */
    float qn, qerr;      /* bound kinds: ||q|| and ||q - qscale qc||, rounded up */
    float slack;         /* bound kinds: float rounding allowance (bound_margin) */
    const struct lh_vec_filter *f;
    const uint32_t *ids; /* rows to score, or NULL for rows 0 .. n_rows - 1 */
    size_t n_rows;
    size_t keep;
    size_t n_parts;
    struct scan_part *parts;
};

/* The record of row r of segment s for the job's codes. */
static inline const float *code_rec(const struct scan_job *j, const struct lh__vec_seg *s,
                                    uint32_t r)
{
    return (kind_int4(j->kind) ? s->qs4 : s->qs) + (size_t)r * LH__VEC_REC;
}

/* Approximate distance from the integer dot product of the codes. */
static inline float code_dist(const struct scan_job *j, const float *rec, int32_t dot)
{
    float ip = j->qscale * rec[LH__VEC_REC_SCALE] * (float)dot;
    if (j->v->o.metric == LH_VEC_L2)
        return j->qnorm + rec[LH__VEC_REC_SQNORM] - 2.0f * ip;
    return 1.0f - ip;
}

/* How far code_dist can be from the distance the fp32 kernels compute for this row.
 * In real numbers, with x^ the decoded row and q^ the decoded query,
 *   q.x - q^.x^ = q.(x - x^) + (q - q^).x^,  so  |q.x - q^.x^| <= |q| r + |q - q^| |x^|
 * (Cauchy-Schwarz, r = |x - x^|); a cosine distance moves by that much, an L2 one by twice.
 * `slack` covers float rounding: the fp32 kernels' error (at most dims u |q| |x| for a dot
 * product, dims u |q - x|^2 for L2, u = 2^-24), the few roundings of code_dist and of this
 * sum, and the double-precision norms, each bounded by a small multiple of u times the
 * magnitudes below. docs/internals/vector.md has the whole argument. */
static inline float bound_margin(const struct scan_job *j, const float *rec)
{
    float e = j->qn * rec[LH__VEC_REC_RESID] + j->qerr * rec[LH__VEC_REC_NORM];
    if (j->v->o.metric == LH_VEC_L2) {
        float m = j->qn + rec[LH__VEC_REC_NORM];
        return 2.0f * e + j->slack * m * m;
    }
    return e + j->slack * (1.0f + j->qn * rec[LH__VEC_REC_NORM]);
}

/* Scores m consecutive rows r.. of segment s (all LIVE) into d[] and, for the bound kinds,
 * the margins into mg[]. The fp32 distances are exactly those lh_vec's dist() gives. */
static void score_rows(const struct scan_job *j, const struct lh__vec_seg *s, uint32_t r,
                       size_t m, float *d, float *mg)
{
    const struct lh_vec *v = j->v;
    uint32_t dims = v->dims;
    int32_t dot[SCAN_CHUNK];
    if (j->kind == SCAN_FP32) {
        if (v->o.metric == LH_VEC_COSINE) {
            v->k->dot_rows(j->q, s->vecs + (size_t)r * dims, m, dims, d);
            for (size_t t = 0; t < m; t++)
                d[t] = 1.0f - d[t];
        } else {
            for (size_t t = 0; t < m; t++)
                d[t] = v->dist(j->q, s->vecs + (size_t)(r + t) * dims, dims);
        }
        return;
    }
    if (j->kind == SCAN_BIN1) {
        v->k->hamming_rows(j->qb, s->bits + (size_t)r * v->b1_bytes, m, v->b1_bytes, dot);
        for (size_t t = 0; t < m; t++)
            d[t] = (float)dot[t];
        return;
    }
    if (kind_int4(j->kind)) {
        v->k->dot_u4_rows(j->qc, s->codes4 + (size_t)r * v->u4_bytes, m, v->u4_bytes, dot);
        for (size_t t = 0; t < m; t++)
            dot[t] -= j->qsum8;
    } else {
        v->k->dot_i8_rows(j->qc, s->codes + (size_t)r * dims, m, dims, dot);
    }
    /* code_dist for each row, with the metric test out of the loop (it runs once per row of
     * the index: the compiler then keeps it branch-free). */
    const float *rec = code_rec(j, s, r);
    float qs = j->qscale, qn2 = j->qnorm;
    if (v->o.metric == LH_VEC_L2)
        for (size_t t = 0; t < m; t++)
            d[t] = qn2 + rec[t * LH__VEC_REC + LH__VEC_REC_SQNORM] -
                   2.0f * (qs * rec[t * LH__VEC_REC + LH__VEC_REC_SCALE] * (float)dot[t]);
    else
        for (size_t t = 0; t < m; t++)
            d[t] = 1.0f - qs * rec[t * LH__VEC_REC + LH__VEC_REC_SCALE] * (float)dot[t];
    if (mg)
        for (size_t t = 0; t < m; t++)
            mg[t] = bound_margin(j, rec + t * LH__VEC_REC);
}

/* Row id (LIVE when checked) scored d: keep it if it passes the filter and the heap. */
static inline void scan_consider(struct scan_job *j, struct scan_part *p,
                                 const struct lh__vec_seg *s, uint32_t r, uint32_t id, float d)
{
    if (j->f && !lh__vec_filter_ok(j->f, __atomic_load_n(&s->labels[r], __ATOMIC_RELAXED)))
        return;
    if (p->n < j->keep || d < p->heap[0].d || (d == p->heap[0].d && id < p->heap[0].id))
        topk_push(p->heap, &p->n, j->keep, d, id);
}

/* Drops the candidates the part's threshold has passed; grows the list if that freed less
 * than half of it. False (and p->oom) when out of memory. */
static bool cands_make_room(const struct scan_job *j, struct scan_part *p)
{
    if (p->n == j->keep) {
        size_t w = 0;
        for (size_t i = 0; i < p->n_cands; i++)
            if (p->cands[i].d <= p->heap[0].d)
                p->cands[w++] = p->cands[i];
        p->n_cands = w;
    }
    if (p->n_cands * 2 <= p->cap_cands)
        return true;
    size_t cap = p->cap_cands * 2;
    struct lh__vec_cand *c = realloc(p->cands, cap * sizeof(*c));
    if (!c) {
        p->oom = true;
        return false;
    }
    p->cands = c;
    p->cap_cands = cap;
    return true;
}

/* Bound kinds: the row's distance lies in [d - mg, d + mg]. Once `keep` allowed rows have an
 * upper bound at most T (the heap top), a row whose lower bound exceeds T cannot be among the
 * `keep` nearest; every other allowed row becomes a candidate. */
static inline void bound_consider(struct scan_job *j, struct scan_part *p,
                                  const struct lh__vec_seg *s, uint32_t r, uint32_t id, float d,
                                  float mg)
{
    float lo = d - mg, hi = d + mg;
    if (isnan(lo) || isnan(hi)) { /* overflow (L2 norms near FLT_MAX): bound nothing */
        lo = -INFINITY;
        hi = INFINITY;
    }
    if (p->n == j->keep && lo > p->heap[0].d)
        return;
    if (j->f && !lh__vec_filter_ok(j->f, __atomic_load_n(&s->labels[r], __ATOMIC_RELAXED)))
        return;
    if (p->n < j->keep || hi < p->heap[0].d || (hi == p->heap[0].d && id < p->heap[0].id))
        topk_push(p->heap, &p->n, j->keep, hi, id);
    if (p->n_cands == p->cap_cands && !cands_make_room(j, p))
        return;
    p->cands[p->n_cands].d = lo;
    p->cands[p->n_cands].id = id;
    p->n_cands++;
}

static inline void consider(struct scan_job *j, struct scan_part *p, const struct lh__vec_seg *s,
                            uint32_t r, uint32_t id, float d, float mg)
{
    if (kind_bound(j->kind))
        bound_consider(j, p, s, r, id, d, mg);
    else
        scan_consider(j, p, s, r, id, d);
}

/* The part's current cut-off: rows scoring above it (lower bound above it, for the bound
 * kinds) cannot be kept. Most rows fail this one compare, so the loop tests it first. */
static inline float part_cutoff(const struct scan_job *j, const struct scan_part *p)
{
    return p->n == j->keep ? p->heap[0].d : INFINITY;
}

static void scan_task(void *arg, size_t part)
{
    struct scan_job *j = arg;
    struct scan_part *p = &j->parts[part];
    size_t lo = j->n_rows * part / j->n_parts, hi = j->n_rows * (part + 1) / j->n_parts;
    float fd[SCAN_CHUNK], mg[SCAN_CHUNK] = {0};
    float *pmg = kind_bound(j->kind) ? mg : NULL;
    if (j->ids) { /* a few chosen rows */
        for (size_t i = lo; i < hi && !p->oom; i++) {
            uint32_t id = j->ids[i];
            const struct lh__vec_seg *s = &j->t[id >> LH__VEC_SEG_SHIFT];
            uint32_t r = id & LH__VEC_SEG_MASK;
            if (__atomic_load_n(&s->state[r], __ATOMIC_ACQUIRE) != LH__VEC_S_LIVE)
                continue;
            score_rows(j, s, r, 1, fd, pmg);
            consider(j, p, s, r, id, fd[0], mg[0]);
        }
        return;
    }
    /* Contiguous rows: check the states of a chunk first (a row is read only once it is LIVE,
     * so its vector is complete), score it with the row kernels, then filter and keep. */
    uint8_t live[SCAN_CHUNK];
    for (size_t i = lo; i < hi && !p->oom;) {
        const struct lh__vec_seg *s = &j->t[i >> LH__VEC_SEG_SHIFT];
        uint32_t r = (uint32_t)(i & LH__VEC_SEG_MASK);
        size_t m = hi - i, n_live = 0;
        if (m > LH__VEC_SEG_ROWS - r)
            m = LH__VEC_SEG_ROWS - r;
        if (m > SCAN_CHUNK)
            m = SCAN_CHUNK;
        for (size_t t = 0; t < m; t++) {
            live[t] = __atomic_load_n(&s->state[r + t], __ATOMIC_ACQUIRE) == LH__VEC_S_LIVE;
            n_live += live[t];
        }
        if (n_live < m) { /* some rows are free, deleted or being written: one by one */
            for (size_t t = 0; t < m; t++) {
                if (!live[t])
                    continue;
                uint32_t rr = r + (uint32_t)t;
                score_rows(j, s, rr, 1, fd, pmg);
                consider(j, p, s, rr, (uint32_t)(i + t), fd[0], mg[0]);
            }
            i += m;
            continue;
        }
        score_rows(j, s, r, m, fd, pmg);
        float cut = part_cutoff(j, p);
        for (size_t t = 0; t < m; t++) {
            if ((pmg ? fd[t] - mg[t] : fd[t]) > cut)
                continue;
            consider(j, p, s, r + (uint32_t)t, (uint32_t)(i + t), fd[t], mg[t]);
            cut = part_cutoff(j, p);
        }
        i += m;
    }
}

/* Bound kinds: the candidates of every part whose lower bound is at most the k-th smallest
 * upper bound over all parts (+inf when fewer than k rows are allowed), into *out. */
static int bound_collect(struct scan_job *j, struct lh__vec_cand **out, size_t *out_n)
{
    size_t n_ub = 0, n_c = 0;
    for (size_t i = 0; i < j->n_parts; i++) {
        n_ub += j->parts[i].n;
        n_c += j->parts[i].n_cands;
    }
    float thr = INFINITY;
    if (n_ub >= j->keep) {
        float *ub = malloc(n_ub * sizeof(*ub));
        if (!ub)
            return -LH_ENOMEM;
        n_ub = 0;
        for (size_t i = 0; i < j->n_parts; i++)
            for (size_t t = 0; t < j->parts[i].n; t++)
                ub[n_ub++] = j->parts[i].heap[t].d;
        qsort(ub, n_ub, sizeof(*ub), float_cmp);
        thr = ub[j->keep - 1];
        free(ub);
    }
    struct lh__vec_cand *c = malloc((n_c ? n_c : 1) * sizeof(*c));
    if (!c)
        return -LH_ENOMEM;
    n_c = 0;
    for (size_t i = 0; i < j->n_parts; i++)
        for (size_t t = 0; t < j->parts[i].n_cands; t++)
            if (j->parts[i].cands[t].d <= thr)
                c[n_c++] = j->parts[i].cands[t];
    *out = c;
    *out_n = n_c;
    return 0;
}

/* 1-bit scans: Hamming distances are small integers, so instead of a heap of `keep` (which
 * cost ~10 sift levels for each of the ~keep ln(n / keep) pushes: measured as much time as
 * the scan itself) each part records every row's distance and a histogram; the `keep`
 * nearest are then found by counting. */
#define BIN1_NONE UINT32_MAX

struct bin1_job {
    struct scan_job *sj;
    uint32_t *hd;   /* n_rows distances, BIN1_NONE: not live or not allowed */
    uint32_t *hist; /* n_parts x n_bins */
    size_t n_bins;  /* b1_bytes * 8 + 1: every possible distance */
};

/* Row id of segment s, row r, checked LIVE: its distance h, if it passes the filter. */
static inline void bin1_keep(struct bin1_job *b, uint32_t *hist, const struct lh__vec_seg *s,
                             uint32_t r, size_t i, int32_t h)
{
    const struct scan_job *j = b->sj;
    if (j->f && !lh__vec_filter_ok(j->f, __atomic_load_n(&s->labels[r], __ATOMIC_RELAXED)))
        return;
    b->hd[i] = (uint32_t)h;
    hist[h]++;
}

static void bin1_task(void *arg, size_t part)
{
    struct bin1_job *b = arg;
    const struct scan_job *j = b->sj;
    const struct lh_vec *v = j->v;
    uint32_t *hist = b->hist + part * b->n_bins;
    size_t lo = j->n_rows * part / j->n_parts, hi = j->n_rows * (part + 1) / j->n_parts;
    int32_t h[SCAN_CHUNK];
    uint8_t live[SCAN_CHUNK];
    for (size_t i = lo; i < hi; i++)
        b->hd[i] = BIN1_NONE;
    if (j->ids) { /* a few chosen rows */
        for (size_t i = lo; i < hi; i++) {
            const struct lh__vec_seg *s = &j->t[j->ids[i] >> LH__VEC_SEG_SHIFT];
            uint32_t r = j->ids[i] & LH__VEC_SEG_MASK;
            if (__atomic_load_n(&s->state[r], __ATOMIC_ACQUIRE) != LH__VEC_S_LIVE)
                continue;
            v->k->hamming_rows(j->qb, s->bits + (size_t)r * v->b1_bytes, 1, v->b1_bytes, h);
            bin1_keep(b, hist, s, r, i, h[0]);
        }
        return;
    }
    /* As in scan_task: states first, so a row is read only once it is LIVE. */
    for (size_t i = lo; i < hi;) {
        const struct lh__vec_seg *s = &j->t[i >> LH__VEC_SEG_SHIFT];
        uint32_t r = (uint32_t)(i & LH__VEC_SEG_MASK);
        size_t m = hi - i, n_live = 0;
        m = m < LH__VEC_SEG_ROWS - r ? m : LH__VEC_SEG_ROWS - r;
        m = m < SCAN_CHUNK ? m : SCAN_CHUNK;
        for (size_t t = 0; t < m; t++) {
            live[t] = __atomic_load_n(&s->state[r + t], __ATOMIC_ACQUIRE) == LH__VEC_S_LIVE;
            n_live += live[t];
        }
        if (n_live == m)
            v->k->hamming_rows(j->qb, s->bits + (size_t)r * v->b1_bytes, m, v->b1_bytes, h);
        for (size_t t = 0; t < m; t++) {
            if (!live[t])
                continue;
            if (n_live < m)
                v->k->hamming_rows(j->qb, s->bits + (size_t)(r + t) * v->b1_bytes, 1,
                                   v->b1_bytes, h + t);
            bin1_keep(b, hist, s, r + (uint32_t)t, i + t, h[t]);
        }
        i += m;
    }
}

/* The `keep` rows of smallest Hamming distance (ties: lower row first, as everywhere). */
static int scan_bin1(struct lh_vec *v, struct scan_job *j, struct lh__vec_cand **out,
                     size_t *out_n)
{
    struct bin1_job b = {j, NULL, NULL, (size_t)v->b1_bytes * 8 + 1};
    struct lh__vec_cand *c = NULL;
    int rc = -LH_ENOMEM;
    b.hd = malloc((j->n_rows ? j->n_rows : 1) * sizeof(*b.hd));
    b.hist = calloc(j->n_parts * b.n_bins, sizeof(*b.hist));
    c = malloc((j->keep ? j->keep : 1) * sizeof(*c));
    if (!b.hd || !b.hist || !c)
        goto out;
    lh__vec_pool_run(v->pool, j->n_parts, bin1_task, &b);
    /* Threshold T: the fewest distances 0..T holding `keep` rows; rows at T fill what is left
     * of `keep` in row order. */
    size_t below = 0, thr = b.n_bins, at_thr = 0;
    for (size_t d = 0; d < b.n_bins && thr == b.n_bins; d++) {
        size_t cnt = 0;
        for (size_t p = 0; p < j->n_parts; p++)
            cnt += b.hist[p * b.n_bins + d];
        if (below + cnt >= j->keep) {
            thr = d;
            at_thr = j->keep - below;
        } else {
            below += cnt;
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < j->n_rows; i++) {
        uint32_t h = b.hd[i];
        if (h == BIN1_NONE || h > thr || (h == thr && at_thr == 0))
            continue;
        if (h == thr)
            at_thr--;
        c[n].d = (float)h;
        c[n].id = j->ids ? j->ids[i] : (uint32_t)i;
        n++;
    }
    *out = c;
    *out_n = n;
    c = NULL;
    rc = 0;
out:
    free(b.hd);
    free(b.hist);
    free(c);
    return rc;
}

/* Scores rows (all, or ids[]). Leaves in *out (malloc'd) the best `keep` sorted or, for the
 * bound kinds, the candidates for the exact re-rank (unsorted; also for SCAN_BIN1). */
static int scan(struct lh_vec *v, struct scan_job *j, int threads, struct lh__vec_cand **out,
                size_t *out_n)
{
    int rc = 0;
    struct lh__vec_cand *all = NULL;
    size_t n_all = 0;
    int pool_n = lh__vec_pool_threads(v->pool);
    if (threads <= 0 || threads > pool_n)
        threads = pool_n;
    /* Small scans are not worth waking a worker. */
    if (j->n_rows < 4096)
        threads = 1;
    j->n_parts = (size_t)threads;
    if (j->kind == SCAN_BIN1)
        return scan_bin1(v, j, out, out_n);
    j->parts = calloc(j->n_parts, sizeof(*j->parts));
    if (!j->parts)
        return -LH_ENOMEM;
    for (size_t i = 0; i < j->n_parts; i++) {
        struct scan_part *p = &j->parts[i];
        p->heap = malloc(j->keep * sizeof(struct lh__vec_cand));
        if (kind_bound(j->kind)) {
            p->cap_cands = j->keep * 4 > 1024 ? j->keep * 4 : 1024;
            p->cands = malloc(p->cap_cands * sizeof(*p->cands));
        }
        if (!p->heap || (kind_bound(j->kind) && !p->cands)) {
            rc = -LH_ENOMEM;
            goto out;
        }
    }
    lh__vec_pool_run(v->pool, j->n_parts, scan_task, j);
    for (size_t i = 0; i < j->n_parts; i++) {
        if (j->parts[i].oom) {
            rc = -LH_ENOMEM;
            goto out;
        }
        n_all += j->parts[i].n;
    }
    if (kind_bound(j->kind)) {
        rc = bound_collect(j, out, out_n);
        goto out;
    }
    all = malloc((n_all ? n_all : 1) * sizeof(*all));
    if (!all) {
        rc = -LH_ENOMEM;
        goto out;
    }
    n_all = 0;
    for (size_t i = 0; i < j->n_parts; i++) {
        memcpy(all + n_all, j->parts[i].heap, j->parts[i].n * sizeof(*all));
        n_all += j->parts[i].n;
    }
    qsort(all, n_all, sizeof(*all), cand_cmp);
    if (n_all > j->keep)
        n_all = j->keep;
    *out = all;
    *out_n = n_all;
    all = NULL;
out:
    for (size_t i = 0; i < j->n_parts; i++) {
        free(j->parts[i].heap);
        free(j->parts[i].cands);
    }
    free(j->parts);
    j->parts = NULL;
    free(all);
    return rc;
}

/* The int8 stage of a 4-bit bound scan: the candidates' int8 codes give bounds ~16x tighter,
 * so few rows are left for fp32. Candidate ids ascend (scan order), so the code reads are
 * nearly sequential; slices of a long list go to the pool. */
struct refine_job {
    const struct scan_job *sj;
    struct lh__vec_cand *c; /* in: 4-bit lower bounds; out: int8 lower bounds */
    float *hi;              /* out: int8 upper bounds */
    size_t n, n_parts;
};

static void refine_task(void *arg, size_t part)
{
    struct refine_job *j = arg;
    const struct scan_job *sj = j->sj;
    const struct lh_vec *v = sj->v;
    size_t lo = j->n * part / j->n_parts, hi = j->n * (part + 1) / j->n_parts;
    for (size_t i = lo; i < hi; i++) {
        uint32_t id = j->c[i].id;
        const struct lh__vec_seg *s = &sj->t[id >> LH__VEC_SEG_SHIFT];
        uint32_t r = id & LH__VEC_SEG_MASK;
        if (i + 4 < hi) {
            uint32_t nx = j->c[i + 4].id;
            const char *p = (const char *)(sj->t[nx >> LH__VEC_SEG_SHIFT].codes +
                                           (size_t)(nx & LH__VEC_SEG_MASK) * v->dims);
            for (uint32_t o = 0; o < v->dims; o += 64)
                __builtin_prefetch(p + o, 0, 0);
        }
        const float *rec = s->qs + (size_t)r * LH__VEC_REC;
        float d = code_dist(sj, rec, v->k->dot_i8(sj->qc, s->codes + (size_t)r * v->dims,
                                                  v->dims));
        float mg = bound_margin(sj, rec);
        j->c[i].d = d - mg;
        j->hi[i] = d + mg;
        if (isnan(j->c[i].d) || isnan(j->hi[i])) {
            j->c[i].d = -INFINITY;
            j->hi[i] = INFINITY;
        }
    }
}

/* Narrows the candidates c[*n] of a 4-bit bound scan with their int8 bounds: keeps those whose
 * int8 lower bound is at most the k-th smallest int8 upper bound among them (the same argument
 * as the scan's, over a set that already holds the top k). */
static int refine8(const struct scan_job *sj, struct lh__vec_cand *c, size_t *n, size_t k,
                   int threads)
{
    struct refine_job j = {sj, c, NULL, *n, 1};
    struct lh__vec_cand *heap = NULL;
    size_t nh = 0;
    if (*n <= k) /* all of them go to fp32 anyway */
        return 0;
    j.hi = malloc(*n * sizeof(*j.hi));
    heap = malloc(k * sizeof(*heap));
    if (!j.hi || !heap) {
        free(j.hi);
        free(heap);
        return -LH_ENOMEM;
    }
    int pool_n = lh__vec_pool_threads(sj->v->pool);
    if (threads <= 0 || threads > pool_n)
        threads = pool_n;
    if (*n >= 4096)
        j.n_parts = (size_t)threads;
    lh__vec_pool_run(sj->v->pool, j.n_parts, refine_task, &j);
    for (size_t i = 0; i < *n; i++)
        topk_push(heap, &nh, k, j.hi[i], (uint32_t)i);
    float thr = heap[0].d;
    size_t w = 0;
    for (size_t i = 0; i < *n; i++)
        if (c[i].d <= thr)
            c[w++] = c[i];
    *n = w;
    free(j.hi);
    free(heap);
    return 0;
}

/* The code stage after a 1-bit scan: the candidates' 4-bit (else int8) code distances, the
 * best `keep` of them kept, sorted. Candidate ids ascend, so the reads are nearly in order. */
static void code_stage(const struct scan_job *sj, struct lh__vec_cand *c, size_t *n, size_t keep)
{
    const struct lh_vec *v = sj->v;
    bool four = v->int4;
    for (size_t i = 0; i < *n; i++) {
        uint32_t id = c[i].id;
        const struct lh__vec_seg *s = &sj->t[id >> LH__VEC_SEG_SHIFT];
        uint32_t r = id & LH__VEC_SEG_MASK;
        int32_t dot;
        if (four) {
            v->k->dot_u4_rows(sj->qc, s->codes4 + (size_t)r * v->u4_bytes, 1, v->u4_bytes, &dot);
            dot -= sj->qsum8;
        } else {
            dot = v->k->dot_i8(sj->qc, s->codes + (size_t)r * v->dims, v->dims);
        }
        c[i].d = code_dist(sj, (four ? s->qs4 : s->qs) + (size_t)r * LH__VEC_REC, dot);
    }
    qsort(c, *n, sizeof(*c), cand_cmp);
    if (*n > keep)
        *n = keep;
}

/* Re-scoring candidates in fp32: slices of the list, on the pool when it is long. */
struct rescore_job {
    struct lh_vec *v;
    const struct lh__vec_seg *t;
    const float *q;
    struct lh__vec_cand *c;
    size_t n, n_parts;
};

static void rescore_task(void *arg, size_t part)
{
    struct rescore_job *j = arg;
    const struct lh_vec *v = j->v;
    size_t lo = j->n * part / j->n_parts, hi = j->n * (part + 1) / j->n_parts;
    for (size_t i = lo; i < hi; i++) {
        struct lh__vec_cand *c = &j->c[i];
        if (i + 2 < hi) /* the next rows are random reads: start them early */
            for (uint32_t o = 0; o < v->dims; o += 16)
                __builtin_prefetch(lh__vec_row(j->t, j->c[i + 2].id, v->dims) + o, 0, 0);
        /* A row deleted since the scan is dropped (its slot may already hold another row). */
        if (lh__vec_state(j->t, c->id) != LH__VEC_S_LIVE)
            c->id = LH__VEC_NONE;
        else
            c->d = v->dist(j->q, lh__vec_row(j->t, c->id, v->dims), v->dims);
    }
}

/* Replaces the distances of c[n] by fp32 ones, sorts, and keeps the best k in *n. */
static void rescore(struct lh_vec *v, const struct lh__vec_seg *t, const float *q,
                    struct lh__vec_cand *c, size_t *n, size_t k, int threads)
{
    struct rescore_job j = {v, t, q, c, *n, 1};
    int pool_n = lh__vec_pool_threads(v->pool);
    if (threads <= 0 || threads > pool_n)
        threads = pool_n;
    if (*n >= 256) /* ~0.1 ms of random row reads and more: worth waking a worker */
        j.n_parts = (size_t)threads;
    lh__vec_pool_run(v->pool, j.n_parts, rescore_task, &j);
    size_t w = 0;
    for (size_t i = 0; i < *n; i++)
        if (c[i].id != LH__VEC_NONE)
            c[w++] = c[i];
    qsort(c, w, sizeof(*c), cand_cmp);
    *n = w < k ? w : k;
}

static size_t bitmap_popcount(const struct lh_vec_filter *f)
{
    size_t n = 0, words = (size_t)((f->n_bits + 63) / 64);
    for (size_t i = 0; i < words; i++) {
        uint64_t w = f->bits[i];
        if (i == words - 1 && (f->n_bits & 63))
            w &= (1ULL << (f->n_bits & 63)) - 1;
        n += (size_t)__builtin_popcountll(w);
    }
    return n;
}

/* Rows of the labels set in a (small) bitmap that are live: malloc'd ids. */
static int bitmap_rows(struct lh_vec *v, const struct lh_vec_filter *f, uint32_t **out,
                       size_t *out_n)
{
    size_t cap = bitmap_popcount(f), n = 0;
    uint32_t *ids = malloc((cap ? cap : 1) * sizeof(*ids));
    if (!ids)
        return -LH_ENOMEM;
    size_t words = (size_t)((f->n_bits + 63) / 64);
    pthread_rwlock_rdlock(&v->map_lock);
    for (size_t w = 0; w < words && n < cap; w++) {
        uint64_t bits = f->bits[w];
        while (bits && n < cap) {
            uint64_t label = (uint64_t)w * 64 + (uint64_t)__builtin_ctzll(bits);
            bits &= bits - 1;
            if (label >= f->n_bits)
                break;
            uint32_t id = map_get(&v->map, label);
            if (id != LH__VEC_NONE)
                ids[n++] = id;
        }
    }
    pthread_rwlock_unlock(&v->map_lock);
    *out = ids;
    *out_n = n;
    return 0;
}

/* Estimated number of live rows passing f. */
static size_t estimate_allowed(struct lh_vec *v, const struct lh_vec_filter *f)
{
    size_t live = lh_vec_count(v);
    if (f->bits && !f->allow) {
        size_t c = bitmap_popcount(f);
        return c < live ? c : live;
    }
    /* A callback: sample up to 512 rows spread over the index. */
    uint32_t n = __atomic_load_n(&v->n_slots, __ATOMIC_ACQUIRE);
    struct lh__vec_seg *t = lh__vec_segs(v);
    size_t seen = 0, ok = 0, samples = n < 512 ? n : 512;
    for (size_t i = 0; i < samples; i++) {
        uint32_t id = (uint32_t)((uint64_t)i * n / samples);
        if (lh__vec_state(t, id) != LH__VEC_S_LIVE)
            continue;
        seen++;
        ok += lh__vec_filter_ok(f, lh__vec_label(t, id));
    }
    if (!seen)
        return live;
    return (size_t)((double)live * (double)ok / (double)seen + 0.5);
}

static int to_hits(struct lh_vec *v, const struct lh__vec_cand *c, size_t n,
                   struct lh_vec_hit *out)
{
    struct lh__vec_seg *t = lh__vec_segs(v);
    for (size_t i = 0; i < n; i++) {
        out[i].label = lh__vec_label(t, c[i].id);
        out[i].distance = c[i].d;
    }
    return 0;
}

/* Quantises the prepared query q for the code kinds (and its bounds for the bound kinds). */
static void prepare_codes(struct lh_vec *v, struct lh__vec_ctx *c, const float *q,
                          struct scan_job *j)
{
    double n2 = 0, e2 = 0;
    int32_t sum = 0;
    j->qscale = lh__vec_quantize(q, v->dims, c->qcode);
    j->qc = c->qcode; /* its padding past dims stays zero */
    for (uint32_t i = 0; i < v->dims; i++) {
        double e = (double)q[i] - (double)j->qscale * c->qcode[i];
        n2 += (double)q[i] * q[i];
        e2 += e * e;
        sum += c->qcode[i];
    }
    j->qnorm = (float)n2;
    j->qsum8 = 8 * sum;
    j->qn = round_up(sqrt(n2));
    j->qerr = round_up(sqrt(e2));
    /* 4 (dims + 16) u, u = 2^-24: four times the fp32 kernels' worst rounding error plus 64 u
     * for the roundings of code_dist and bound_margin (docs/internals/vector.md). */
    j->slack = (float)(((double)v->dims + 16.0) * 0x1p-22);
}

/* Exact search; q is prepared (normalised). fp32 brute force, a bound scan + fp32 re-rank
 * of the candidates (identical results), or an approximate code scan + fp32 re-rank. */
static int search_exact(struct lh_vec *v, struct lh__vec_ctx *c, const float *q,
                        const struct lh_vec_query *qo, enum scan_kind kind,
                        struct lh_vec_hit *out, size_t *out_n, struct lh_error *err)
{
    struct scan_job j;
    struct lh__vec_cand *best = NULL;
    uint32_t *ids = NULL;
    size_t n_best = 0, n_ids = 0;
    int rc = 0;
    memset(&j, 0, sizeof(j));
    j.v = v;
    j.q = q;
    j.f = qo->filter;
    j.kind = kind;
    j.keep = qo->k;
    size_t rr = qo->rerank ? qo->rerank : (qo->k * 10 > 100 ? qo->k * 10 : 100);
    rr = rr > qo->k ? rr : qo->k;
    bool code_stage_after = kind == SCAN_BIN1 && (v->int4 || v->int8);
    if (kind == SCAN_INT8 || kind == SCAN_INT4)
        j.keep = rr;
    if (kind == SCAN_BIN1) {
        /* Sign bits alone rank coarsely: oversample 10x for the code stage. */
        j.keep = rr * 10;
        lh__vec_signs(q, v->dims, c->qbits, v->b1_bytes);
        j.qb = c->qbits;
    }
    if (kind != SCAN_FP32 && (kind != SCAN_BIN1 || code_stage_after))
        prepare_codes(v, c, q, &j);
    /* A bitmap that selects few labels: visit just those rows. */
    if (j.f && j.f->bits) {
        size_t pc = bitmap_popcount(j.f);
        if (pc < lh_vec_count(v) / 8) {
            rc = bitmap_rows(v, j.f, &ids, &n_ids);
            if (rc)
                goto out;
            j.ids = ids;
            j.n_rows = n_ids;
        }
    }
    if (!j.ids)
        j.n_rows = __atomic_load_n(&v->n_slots, __ATOMIC_ACQUIRE);
    if (!kind_bound(kind) && j.keep > j.n_rows) /* a large rerank: no heap beyond the rows */
        j.keep = j.n_rows > qo->k ? j.n_rows : qo->k;
    j.t = lh__vec_segs(v);
    rc = scan(v, &j, qo->threads, &best, &n_best);
    if (!rc && kind == SCAN_BOUND4 && v->int8)
        rc = refine8(&j, best, &n_best, qo->k, qo->threads);
    if (rc)
        goto out;
    if (code_stage_after)
        code_stage(&j, best, &n_best, rr);
    if (kind != SCAN_FP32) {
        if (qo->out_rescored)
            *qo->out_rescored = n_best;
        rescore(v, j.t, q, best, &n_best, qo->k, qo->threads);
    }
    to_hits(v, best, n_best, out);
    *out_n = n_best;
out:
    if (rc)
        lh_error_set(err, LH_ENOMEM, "out of memory in exact vector search");
    free(best);
    free(ids);
    return rc;
}

/* The scan an exact mode runs on this index. */
static enum scan_kind exact_kind(const struct lh_vec *v, enum lh_vec_mode mode)
{
    switch (mode) {
    case LH_VEC_EXACT_INT8:
        return SCAN_INT8;
    case LH_VEC_EXACT_INT4:
        return SCAN_INT4;
    case LH_VEC_EXACT_BIN1:
        return SCAN_BIN1;
    case LH_VEC_EXACT:
        /* 4-bit codes are half the bytes to scan; with int8 codes too, the 4-bit candidates
         * are narrowed by their int8 bounds (refine8) before fp32. */
        return v->int4 ? SCAN_BOUND4 : v->int8 ? SCAN_BOUND8 : SCAN_FP32;
    default:
        return SCAN_FP32;
    }
}

static enum lh_vec_path kind_path(enum scan_kind k)
{
    switch (k) {
    case SCAN_INT8:
        return LH_VEC_PATH_EXACT_INT8;
    case SCAN_INT4:
        return LH_VEC_PATH_EXACT_INT4;
    case SCAN_BIN1:
        return LH_VEC_PATH_EXACT_BIN1;
    case SCAN_BOUND8:
    case SCAN_BOUND4:
        return LH_VEC_PATH_EXACT_BOUNDED;
    default:
        return LH_VEC_PATH_EXACT;
    }
}

int lh_vec_search(struct lh_vec *v, const float *q, uint32_t dims, const struct lh_vec_query *qo,
                  struct lh_vec_hit *out, size_t *out_n, struct lh_error *err)
{
    struct lh__vec_ctx *c = NULL;
    enum lh_vec_path path = LH_VEC_PATH_EXACT;
    int rc;
    *out_n = 0;
    if (!qo || !out)
        return lh_error_set(err, LH_EINVAL, "vector search: NULL query options or output");
    if (qo->k < 1 || qo->k > LH_VEC_MAX_K)
        return lh_error_set(err, LH_EINVAL, "vector search: k %zu out of range 1..%u", qo->k,
                            LH_VEC_MAX_K);
    enum lh_vec_mode mode = qo->mode;
    if (mode < LH_VEC_AUTO || mode > LH_VEC_EXACT_BIN1)
        return lh_error_set(err, LH_EINVAL, "vector search: unknown mode %d", (int)mode);
    if (mode == LH_VEC_AUTO)
        mode = v->graph  ? LH_VEC_GRAPH
               : v->bin1 ? LH_VEC_EXACT_BIN1
               : v->int4 ? LH_VEC_EXACT_INT4
               : v->int8 ? LH_VEC_EXACT_INT8
                         : LH_VEC_EXACT;
    if (mode == LH_VEC_GRAPH && !v->graph)
        return lh_error_set(err, LH_EINVAL, "vector search: the index has no HNSW graph");
    if (mode == LH_VEC_EXACT_INT8 && !v->int8)
        return lh_error_set(err, LH_EINVAL, "vector search: the index keeps no int8 codes");
    if (mode == LH_VEC_EXACT_INT4 && !v->int4)
        return lh_error_set(err, LH_EINVAL, "vector search: the index keeps no 4-bit codes");
    if (mode == LH_VEC_EXACT_BIN1 && !v->bin1)
        return lh_error_set(err, LH_EINVAL, "vector search: the index keeps no 1-bit codes");
    if (qo->filter && qo->filter->bits == NULL && qo->filter->n_bits)
        return lh_error_set(err, LH_EINVAL, "vector search: filter n_bits without bits");
    rc = check_vec(v, q, dims, "query", err);
    if (rc)
        return rc;
    if (qo->out_rescored)
        *qo->out_rescored = 0;
    c = lh__vec_ctx_get(v);
    rc = prepare(v, q, c->qbuf, "query", err);
    if (rc)
        goto out;
    if (mode == LH_VEC_GRAPH) {
        size_t ef = qo->ef ? qo->ef : v->o.ef_search;
        size_t live = lh_vec_count(v);
        if (ef < qo->k)
            ef = qo->k;
        bool exact = false;
        if (qo->filter) {
            /* Very selective: a graph walk would visit ~ef/p nodes to find ef allowed ones, an
             * exact scan scores just the allowed rows. Go exact when allowed^2 <= 8 ef live. */
            double a = (double)estimate_allowed(v, qo->filter);
            exact = a * a <= 8.0 * (double)ef * (double)live;
        }
        if (!exact) {
            size_t n = lh__hnsw_search(v, c, c->qbuf, qo->k, ef, qo->filter, out);
            path = LH_VEC_PATH_GRAPH;
            if (n >= qo->k || n >= live) {
                *out_n = n;
                goto out;
            }
        }
        enum scan_kind kind = exact_kind(v, LH_VEC_EXACT);
        path = exact ? kind_path(kind) : LH_VEC_PATH_GRAPH_THEN_EXACT;
        rc = search_exact(v, c, c->qbuf, qo, kind, out, out_n, err);
        goto out;
    }
    enum scan_kind kind = exact_kind(v, mode);
    path = kind_path(kind);
    rc = search_exact(v, c, c->qbuf, qo, kind, out, out_n, err);
out:
    if (!rc && qo->out_path)
        *qo->out_path = path;
    lh__vec_ctx_put(v, c);
    return rc;
}
