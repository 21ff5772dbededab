/* SPDX-License-Identifier: MIT */
/* bench_vector.c - the vector index on synthetic embeddings: HNSW build, recall/QPS, exact scans.
 *
 * Usage: bench_vector [-n 100000] [-q 1000] [-d 768] [-c 1000] [-nu 1.5] [-seed 42]
 *                     [-ef 16,24,32,48,64] [-passes 5] [-threads 2] [-flat-q 200] [-o DIR]
 *
 * 1. data   - n base and q query vectors (see gen_rows: clustered, skewed cluster sizes, noise
 *             with a decaying spectrum along per-cluster directions, unit norm), written to
 *             DIR/base.fvecs and DIR/query.fvecs (TEXMEX format) for the peer driver.
 * 2. truth  - exact top-10 of every query with the index's fp32 exact scan (checked against a
 *             double-precision brute force on a sample), written to DIR/gt.ivecs.
 * 3. hnsw   - M 16, ef_construction 100, built with 2 threads: build time, resident memory
 *             added (RSS delta) against the raw vectors, then for each ef the recall@10 and the
 *             QPS of `threads` search threads (median of `passes` passes over all queries).
 * 4. exact  - fp32 exact search on the HNSW index, then on a flat index with int8, 4-bit and
 *             sign-bit codes, in interleaved passes: fp32 brute force, exact via the codes +
 *             error bounds (4-bit scan, int8 stage, fp32; checked identical to the brute force),
 *             int8 and 4-bit scans + fp32 re-rank of the top 100, and a 1-bit scan keeping
 *             1000 for the 4-bit codes to keep 100 for fp32. One query at a time split over the
 *             index's 2 threads: ms per query (median of 5 passes over flat-q queries),
 *             recall, rows re-scored.
 * Machine-readable lines start with "BENCH "; bench/run compares them with hnswlib.
 */
#include "lh_common.h"
#include "err.h"
#include "vector.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define K 10
#define MAX_EFS 16

struct cfg {
    size_t n, nq, d, clusters, flat_q;
    double nu;
    uint64_t seed;
    int efs[MAX_EFS], n_efs;
    int passes, threads;
    const char *dir;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double rss_mb(void)
{
    long pages = 0, res = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    if (fscanf(f, "%ld %ld", &pages, &res) != 2)
        res = 0;
    fclose(f);
    return (double)res * (double)sysconf(_SC_PAGESIZE) / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* ---- data generator ----
 * Our own model of text-chunk embeddings: centres are random unit vectors; cluster c gets a
 * share ~ (c + 1)^-0.5 of the rows. A row is centre + nu * noise, normalised. The noise is
 * spread over 96 directions picked per cluster from a shared pool of 1024 random unit
 * directions, with variances falling like 1 / (j + 1) (a few strong directions, a long tail),
 * plus a 10% isotropic part. Every row has its own random stream, so the output does not
 * depend on the thread count. */

#define POOL 1024
#define RANK 96

struct rng {
    uint64_t s;
    double spare;
    bool has_spare;
};

static uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double rng_unif(struct rng *r) /* [0, 1) */
{
    return (double)(rng_next(r) >> 11) * 0x1p-53;
}

static double rng_gauss(struct rng *r) /* Marsaglia polar method */
{
    if (r->has_spare) {
        r->has_spare = false;
        return r->spare;
    }
    double u, v, s;
    do {
        u = 2 * rng_unif(r) - 1;
        v = 2 * rng_unif(r) - 1;
        s = u * u + v * v;
    } while (s >= 1 || s == 0);
    double f = sqrt(-2 * log(s) / s);
    r->spare = v * f;
    r->has_spare = true;
    return u * f;
}

static void rng_seed(struct rng *r, uint64_t a, uint64_t b)
{
    r->s = a * 0x2545f4914f6cdd1dULL ^ (b + 0x632be59bd9b4e019ULL);
    r->has_spare = false;
    rng_next(r);
}

struct model {
    size_t d, clusters;
    double nu;
    float *centres; /* clusters x d */
    float *pool;    /* POOL x d */
    uint16_t *dirs; /* clusters x RANK pool indices */
    double *cdf;    /* clusters */
    double sig[RANK];
};

static void model_init(struct model *m, const struct cfg *c)
{
    struct rng r;
    rng_seed(&r, c->seed, 1);
    m->d = c->d;
    m->clusters = c->clusters;
    m->nu = c->nu;
    m->centres = malloc(c->clusters * c->d * sizeof(float));
    m->pool = malloc((size_t)POOL * c->d * sizeof(float));
    m->dirs = malloc(c->clusters * RANK * sizeof(uint16_t));
    m->cdf = malloc(c->clusters * sizeof(double));
    if (!m->centres || !m->pool || !m->dirs || !m->cdf)
        abort();
    for (size_t i = 0; i < c->clusters + POOL; i++) {
        float *x = i < c->clusters ? m->centres + i * c->d : m->pool + (i - c->clusters) * c->d;
        double s = 0;
        for (size_t t = 0; t < c->d; t++) {
            x[t] = (float)rng_gauss(&r);
            s += (double)x[t] * x[t];
        }
        float inv = (float)(1 / sqrt(s));
        for (size_t t = 0; t < c->d; t++)
            x[t] *= inv;
    }
    for (size_t k = 0; k < c->clusters; k++)
        for (int j = 0; j < RANK; j++)
            m->dirs[k * RANK + j] = (uint16_t)(rng_next(&r) % POOL);
    double tot = 0;
    for (size_t k = 0; k < c->clusters; k++) {
        tot += pow((double)(k + 1), -0.5);
        m->cdf[k] = tot;
    }
    for (size_t k = 0; k < c->clusters; k++)
        m->cdf[k] /= tot;
    tot = 0;
    for (int j = 0; j < RANK; j++) {
        m->sig[j] = 1.0 / (j + 1);
        tot += m->sig[j];
    }
    for (int j = 0; j < RANK; j++)
        m->sig[j] = sqrt(0.9 * m->sig[j] / tot);
}

static void model_free(struct model *m)
{
    free(m->centres);
    free(m->pool);
    free(m->dirs);
    free(m->cdf);
}

static void gen_row(const struct model *m, uint64_t stream, size_t i, float *restrict x)
{
    struct rng r;
    rng_seed(&r, stream, i);
    double u = rng_unif(&r);
    size_t lo = 0, hi = m->clusters - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m->cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    const float *ctr = m->centres + lo * m->d;
    float iso = (float)(m->nu * sqrt(0.1 / (double)m->d));
    for (size_t t = 0; t < m->d; t++)
        x[t] = ctr[t] + iso * (float)rng_gauss(&r);
    for (int j = 0; j < RANK; j++) {
        float g = (float)(m->nu * m->sig[j] * rng_gauss(&r));
        const float *restrict dir = m->pool + (size_t)m->dirs[lo * RANK + j] * m->d;
        for (size_t t = 0; t < m->d; t++)
            x[t] += g * dir[t];
    }
    double s = 0;
    for (size_t t = 0; t < m->d; t++)
        s += (double)x[t] * x[t];
    float inv = (float)(1 / sqrt(s));
    for (size_t t = 0; t < m->d; t++)
        x[t] *= inv;
}

struct gen_job {
    const struct model *m;
    float *out;
    size_t n;
    uint64_t stream;
    int part, parts;
};

static void *gen_thread(void *arg)
{
    struct gen_job *j = arg;
    size_t lo = j->n * (size_t)j->part / (size_t)j->parts;
    size_t hi = j->n * (size_t)(j->part + 1) / (size_t)j->parts;
    for (size_t i = lo; i < hi; i++)
        gen_row(j->m, j->stream, i, j->out + i * j->m->d);
    return NULL;
}

static float *gen_rows(const struct model *m, size_t n, uint64_t stream, int threads)
{
    float *x = malloc(n * m->d * sizeof(float));
    pthread_t th[16];
    struct gen_job jobs[16];
    if (!x)
        abort();
    for (int t = 0; t < threads; t++) {
        jobs[t] = (struct gen_job){m, x, n, stream, t, threads};
        pthread_create(&th[t], NULL, gen_thread, &jobs[t]);
    }
    for (int t = 0; t < threads; t++)
        pthread_join(th[t], NULL);
    return x;
}

static int write_vecs(const char *path, const void *data, size_t n, size_t d, size_t elem)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int32_t dd = (int32_t)d;
    for (size_t i = 0; i < n; i++) {
        if (fwrite(&dd, 4, 1, f) != 1 ||
            fwrite((const char *)data + i * d * elem, elem, d, f) != d) {
            fclose(f);
            return -1;
        }
    }
    return fclose(f);
}

/* ---- searching from several threads ---- */

struct search_job {
    struct lh_vec *v;
    const float *queries;
    size_t nq, d;
    struct lh_vec_query q;
    uint64_t *res; /* nq x K */
    size_t next;   /* atomic */
    int failed;
};

static void *search_thread(void *arg)
{
    struct search_job *j = arg;
    struct lh_vec_hit hits[K];
    for (;;) {
        size_t i = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED);
        if (i >= j->nq)
            break;
        size_t n = 0;
        struct lh_error err = {0, ""};
        if (lh_vec_search(j->v, j->queries + i * j->d, (uint32_t)j->d, &j->q, hits, &n, &err)) {
            fprintf(stderr, "search failed: %s\n", err.msg);
            j->failed = 1;
            break;
        }
        for (size_t t = 0; t < K; t++)
            j->res[i * K + t] = t < n ? hits[t].label : UINT64_MAX;
    }
    return NULL;
}

/* One pass over the queries with `threads` threads; returns seconds. */
static double search_pass(struct search_job *j, int threads)
{
    pthread_t th[16];
    j->next = 0;
    double t0 = now();
    for (int t = 0; t < threads; t++)
        pthread_create(&th[t], NULL, search_thread, j);
    for (int t = 0; t < threads; t++)
        pthread_join(th[t], NULL);
    return now() - t0;
}

static double recall(const uint64_t *res, const int32_t *gt, size_t nq, size_t n_eval)
{
    size_t hit = 0;
    (void)nq;
    for (size_t i = 0; i < n_eval; i++)
        for (int a = 0; a < K; a++)
            for (int b = 0; b < K; b++)
                if (res[i * K + a] == (uint64_t)gt[i * K + b]) {
                    hit++;
                    break;
                }
    return (double)hit / (double)(n_eval * K);
}

static int parse_efs(struct cfg *c, const char *s)
{
    c->n_efs = 0;
    while (*s && c->n_efs < MAX_EFS) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || v < 1)
            return -1;
        c->efs[c->n_efs++] = (int)v;
        s = *end == ',' ? end + 1 : end;
    }
    return c->n_efs ? 0 : -1;
}

/* Exact single-query timings of one or more modes on one index: median ms over `passes`
 * passes of flat_q queries (the modes take turns within each pass, so load changes on a
 * shared machine hit them alike), recall, and rows re-scored in fp32 (mean, max). */
struct exact_mode {
    enum lh_vec_mode mode;
    double ms, recall, rescored_mean;
    size_t rescored_max;
    uint64_t *res; /* flat_q x K labels of the last pass */
    float *dist;   /* their distances */
};

static int time_exact(struct lh_vec *v, const struct cfg *c, const float *queries,
                      const int32_t *gt, struct exact_mode *m, size_t n_modes, int passes)
{
    struct lh_vec_hit hits[K];
    double times[8][16]; /* n_modes <= 8, passes <= 16 */
    int rc = -1;
    for (size_t e = 0; e < n_modes; e++) {
        m[e].res = calloc(c->flat_q * K, sizeof(uint64_t));
        m[e].dist = calloc(c->flat_q * K, sizeof(float));
        if (!m[e].res || !m[e].dist)
            goto out;
    }
    for (int p = 0; p < passes; p++) {
        for (size_t e = 0; e < n_modes; e++) {
            size_t sum = 0, mx = 0;
            double t0 = now();
            for (size_t i = 0; i < c->flat_q; i++) {
                size_t n = 0, rs = 0;
                struct lh_error err = {0, ""};
                struct lh_vec_query q = {K, 0, m[e].mode, 0, NULL, 0, NULL, &rs};
                if (lh_vec_search(v, queries + i * c->d, (uint32_t)c->d, &q, hits, &n, &err)) {
                    fprintf(stderr, "exact search failed: %s\n", err.msg);
                    goto out;
                }
                sum += rs;
                mx = rs > mx ? rs : mx;
                for (size_t t = 0; t < K; t++) {
                    m[e].res[i * K + t] = t < n ? hits[t].label : UINT64_MAX;
                    m[e].dist[i * K + t] = t < n ? hits[t].distance : NAN;
                }
            }
            times[e][p] = (now() - t0) * 1e3 / (double)c->flat_q;
            m[e].rescored_mean = (double)sum / (double)c->flat_q;
            m[e].rescored_max = mx;
        }
    }
    for (size_t e = 0; e < n_modes; e++) {
        qsort(times[e], (size_t)passes, sizeof(double), cmp_double);
        m[e].ms = times[e][passes / 2];
        m[e].recall = recall(m[e].res, gt, c->nq, c->flat_q);
    }
    rc = 0;
out:
    if (rc)
        for (size_t e = 0; e < n_modes; e++) {
            free(m[e].res);
            free(m[e].dist);
            m[e].res = NULL;
            m[e].dist = NULL;
        }
    return rc;
}

int main(int argc, char **argv)
{
    struct cfg c = {100000, 1000, 768, 1000, 200, 1.5, 42, {16, 24, 32, 48, 64}, 5, 5, 2, NULL};
    struct lh_error err = {0, ""};
    struct lh_vec *v = NULL, *v8 = NULL;
    float *base = NULL, *queries = NULL;
    int32_t *gt = NULL;
    uint64_t *labels = NULL, *res = NULL;
    char path[4096];
    int rc = 1;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!val) {
            fprintf(stderr, "bench_vector: %s needs a value\n", a);
            return 2;
        }
        i++;
        if (!strcmp(a, "-n"))
            c.n = strtoull(val, NULL, 10);
        else if (!strcmp(a, "-q"))
            c.nq = strtoull(val, NULL, 10);
        else if (!strcmp(a, "-d"))
            c.d = strtoull(val, NULL, 10);
        else if (!strcmp(a, "-c"))
            c.clusters = strtoull(val, NULL, 10);
        else if (!strcmp(a, "-nu"))
            c.nu = atof(val);
        else if (!strcmp(a, "-seed"))
            c.seed = strtoull(val, NULL, 10);
        else if (!strcmp(a, "-passes"))
            c.passes = atoi(val);
        else if (!strcmp(a, "-threads"))
            c.threads = atoi(val);
        else if (!strcmp(a, "-flat-q"))
            c.flat_q = strtoull(val, NULL, 10);
        else if (!strcmp(a, "-o"))
            c.dir = val;
        else if (!strcmp(a, "-ef")) {
            if (parse_efs(&c, val)) {
                fprintf(stderr, "bench_vector: bad -ef list\n");
                return 2;
            }
        } else {
            fprintf(stderr, "bench_vector: unknown option %s\n", a);
            return 2;
        }
    }
    if (c.n < K || c.nq < 1 || c.d < 1 || c.clusters < 1 || c.passes < 1 || c.threads < 1 ||
        c.threads > 16) {
        fprintf(stderr, "bench_vector: bad sizes\n");
        return 2;
    }
    if (c.flat_q > c.nq)
        c.flat_q = c.nq;

    /* 1. data */
    double t0 = now();
    struct model m;
    model_init(&m, &c);
    base = gen_rows(&m, c.n, c.seed * 1000 + 1, 2);
    queries = gen_rows(&m, c.nq, c.seed * 1000 + 2, 2);
    model_free(&m);
    printf("vector: generated %zu + %zu rows x %zu dims (%zu clusters, nu %.2f) in %.1f s\n",
           c.n, c.nq, c.d, c.clusters, c.nu, now() - t0);
    if (c.dir) {
        mkdir(c.dir, 0755);
        snprintf(path, sizeof(path), "%s/base.fvecs", c.dir);
        int w = write_vecs(path, base, c.n, c.d, sizeof(float));
        snprintf(path, sizeof(path), "%s/query.fvecs", c.dir);
        w |= write_vecs(path, queries, c.nq, c.d, sizeof(float));
        if (w) {
            fprintf(stderr, "bench_vector: cannot write the data files in %s\n", c.dir);
            goto out;
        }
    }
    labels = malloc(c.n * sizeof(uint64_t));
    res = malloc(c.nq * K * sizeof(uint64_t));
    gt = malloc(c.nq * K * sizeof(int32_t));
    if (!labels || !res || !gt)
        goto out;
    for (size_t i = 0; i < c.n; i++)
        labels[i] = i;

    /* 3 (first, so RSS is measured before anything else is allocated). */
    struct lh_vec_opts o;
    lh_vec_opts_init(&o, (uint32_t)c.d);
    o.flags = LH_VEC_HNSW;
    o.m = 16;
    o.ef_construction = 100;
    o.n_threads = 2;
    double rss0 = rss_mb();
    t0 = now();
    if (lh_vec_new(&o, &v, &err) ||
        lh_vec_add_batch(v, labels, base, c.n, (uint32_t)c.d, &err)) {
        fprintf(stderr, "bench_vector: build failed: %s\n", err.msg);
        goto out;
    }
    double build_s = now() - t0;
    double mem_mb = rss_mb() - rss0;
    double raw_mb = (double)c.n * (double)c.d * 4 / 1e6;
    struct lh_vec_stats st;
    lh_vec_stats(v, &st);
    printf("vector: HNSW M16 efC100 built in %.2f s (2 threads, %s kernels), max level %d, "
           "RSS +%.1f MB = %.3fx the raw vectors (%.1f MB)\n",
           build_s, st.isa, st.max_level, mem_mb, mem_mb / raw_mb, raw_mb);
    printf("BENCH name=vector_build n=%zu d=%zu build_s=%.3f mem_mb=%.1f raw_mb=%.1f "
           "mem_ratio=%.4f isa=%s\n",
           c.n, c.d, build_s, mem_mb, raw_mb, mem_mb / raw_mb, st.isa);
    fflush(stdout);

    /* 2. ground truth with the fp32 exact scan, spot-checked in double precision. */
    t0 = now();
    {
        struct lh_vec_query q = {K, 0, LH_VEC_EXACT, 0, NULL, 0, NULL, NULL};
        struct lh_vec_hit hits[K];
        for (size_t i = 0; i < c.nq; i++) {
            size_t n = 0;
            if (lh_vec_search(v, queries + i * c.d, (uint32_t)c.d, &q, hits, &n, &err) ||
                n != K) {
                fprintf(stderr, "bench_vector: exact search failed: %s\n", err.msg);
                goto out;
            }
            for (int t = 0; t < K; t++)
                gt[i * K + t] = (int32_t)hits[t].label;
        }
        /* The 10th neighbour of a few queries, recomputed in double precision. */
        for (size_t i = 0; i < c.nq && i < 5; i++) {
            const float *qq = queries + i * c.d;
            double qn = 0, best[K];
            for (size_t t = 0; t < c.d; t++)
                qn += (double)qq[t] * qq[t];
            for (int t = 0; t < K; t++)
                best[t] = -2;
            for (size_t r = 0; r < c.n; r++) {
                double s = 0;
                for (size_t t = 0; t < c.d; t++)
                    s += (double)qq[t] * base[r * c.d + t];
                s /= sqrt(qn);
                if (s > best[K - 1]) {
                    int p = K - 1;
                    while (p > 0 && best[p - 1] < s) {
                        best[p] = best[p - 1];
                        p--;
                    }
                    best[p] = s;
                }
            }
            float *got = malloc(c.d * sizeof(float));
            if (!got || lh_vec_get(v, (uint64_t)gt[i * K + K - 1], got, (uint32_t)c.d, &err)) {
                free(got);
                goto out;
            }
            double s = 0;
            for (size_t t = 0; t < c.d; t++)
                s += (double)qq[t] * got[t];
            s /= sqrt(qn);
            free(got);
            if (fabs(s - best[K - 1]) > 1e-4) {
                fprintf(stderr, "bench_vector: exact scan disagrees with brute force (query %zu:"
                                " %.6f vs %.6f)\n", i, s, best[K - 1]);
                goto out;
            }
        }
    }
    printf("vector: exact top-%d of %zu queries in %.1f s\n", K, c.nq, now() - t0);
    if (c.dir) {
        snprintf(path, sizeof(path), "%s/gt.ivecs", c.dir);
        if (write_vecs(path, gt, c.nq, K, sizeof(int32_t))) {
            fprintf(stderr, "bench_vector: cannot write %s\n", path);
            goto out;
        }
    }
    fflush(stdout);

    /* 3b. recall / QPS per ef. */
    for (int e = 0; e < c.n_efs; e++) {
        struct search_job j;
        memset(&j, 0, sizeof(j));
        j.v = v;
        j.queries = queries;
        j.nq = c.nq;
        j.d = c.d;
        j.q = (struct lh_vec_query){K, (uint32_t)c.efs[e], LH_VEC_GRAPH, 0, NULL, 1, NULL, NULL};
        j.res = res;
        double times[64];
        int passes = c.passes < 64 ? c.passes : 64;
        search_pass(&j, c.threads); /* warm-up */
        for (int p = 0; p < passes; p++)
            times[p] = search_pass(&j, c.threads);
        if (j.failed)
            goto out;
        qsort(times, (size_t)passes, sizeof(double), cmp_double);
        double qps = (double)c.nq / times[passes / 2], best = (double)c.nq / times[0];
        double r = recall(res, gt, c.nq, c.nq);
        printf("vector: hnsw ef=%-3d recall@10 %.4f  QPS %.0f (median of %d, best %.0f, "
               "%d threads)\n", c.efs[e], r, qps, passes, best, c.threads);
        printf("BENCH name=vector_hnsw ef=%d recall=%.4f qps=%.0f qps_best=%.0f threads=%d\n",
               c.efs[e], r, qps, best, c.threads);
        fflush(stdout);
    }

    /* 4. exact scans: fp32 on the same index, the code scans on a flat index of its own. */
    {
        struct exact_mode f32 = {.mode = LH_VEC_EXACT};
        if (time_exact(v, &c, queries, gt, &f32, 1, 3))
            goto out;
        printf("vector: exact fp32 %.2f ms/query, recall@10 %.4f (%zu queries, 2 threads)\n",
               f32.ms, f32.recall, c.flat_q);
        printf("BENCH name=vector_flat_fp32 ms=%.3f recall=%.4f\n", f32.ms, f32.recall);
        free(f32.res);
        free(f32.dist);
        lh_vec_free(v);
        v = NULL;
        o.flags = LH_VEC_INT8 | LH_VEC_INT4 | LH_VEC_BIN1;
        double rss1 = rss_mb();
        t0 = now();
        if (lh_vec_new(&o, &v8, &err) ||
            lh_vec_add_batch(v8, labels, base, c.n, (uint32_t)c.d, &err)) {
            fprintf(stderr, "bench_vector: coded index failed: %s\n", err.msg);
            goto out;
        }
        double load_s = now() - t0, mem8 = rss_mb() - rss1;
        lh_vec_stats(v8, &st);
        struct exact_mode em[5] = {{.mode = LH_VEC_EXACT_FP32}, {.mode = LH_VEC_EXACT},
                                   {.mode = LH_VEC_EXACT_INT8}, {.mode = LH_VEC_EXACT_INT4},
                                   {.mode = LH_VEC_EXACT_BIN1}};
        if (time_exact(v8, &c, queries, gt, em, 5, 5))
            goto out;
        /* The bounded scan must give exactly the brute force's labels and distances. */
        size_t differ = 0;
        for (size_t i = 0; i < c.flat_q * K; i++)
            differ += em[1].res[i] != em[0].res[i] || em[1].dist[i] != em[0].dist[i];
        printf("vector: flat index with int8 + 4-bit + sign-bit codes filled in %.2f s, RSS "
               "+%.1f MB (codes and bounds %.1f MB)\n",
               load_s, mem8, (double)st.bytes_codes / 1e6);
        printf("vector:   fp32 brute force (same index):       %.2f ms/query, recall@10 %.4f\n",
               em[0].ms, em[0].recall);
        printf("vector:   exact via 4-bit + int8 error bounds:  %.2f ms/query, recall@10 %.4f, "
               "%.1f rows re-scored (max %zu), %zu of %zu results differ from fp32\n",
               em[1].ms, em[1].recall, em[1].rescored_mean, em[1].rescored_max, differ,
               c.flat_q * K);
        printf("vector:   int8 + fp32 re-rank of the top 100:   %.2f ms/query, recall@10 %.4f\n",
               em[2].ms, em[2].recall);
        printf("vector:   4-bit + fp32 re-rank of the top 100:  %.2f ms/query, recall@10 %.4f\n",
               em[3].ms, em[3].recall);
        printf("vector:   1-bit top 1000 > 4-bit top 100 > fp32:  %.2f ms/query, recall@10 %.4f\n",
               em[4].ms, em[4].recall);
        printf("BENCH name=vector_flat_fp32_peer ms=%.3f recall=%.4f\n", em[0].ms, em[0].recall);
        printf("BENCH name=vector_flat_bounded ms=%.3f recall=%.4f rescored=%.1f rescored_max=%zu "
               "differ=%zu\n",
               em[1].ms, em[1].recall, em[1].rescored_mean, em[1].rescored_max, differ);
        printf("BENCH name=vector_flat_int8 ms=%.3f recall=%.4f mem_mb=%.1f\n", em[2].ms,
               em[2].recall, mem8);
        printf("BENCH name=vector_flat_int4 ms=%.3f recall=%.4f\n", em[3].ms, em[3].recall);
        printf("BENCH name=vector_flat_bin1 ms=%.3f recall=%.4f\n", em[4].ms, em[4].recall);
        for (int e = 0; e < 5; e++) {
            free(em[e].res);
            free(em[e].dist);
        }
        if (differ) {
            fprintf(stderr, "bench_vector: the bounded exact scan differs from fp32\n");
            goto out;
        }
    }
    rc = 0;
out:
    lh_vec_free(v);
    lh_vec_free(v8);
    free(base);
    free(queries);
    free(gt);
    free(labels);
    free(res);
    return rc;
}
