/* SPDX-License-Identifier: MIT */
/* bench_cache.c - the hot cache speed-up, measured in one process.
 *
 * Usage: bench_cache [DATA_DIR]   (default: a fresh temporary folder, removed at the end)
 *
 * Builds `big` (5M rows: id, k = id % 1000, amount DECIMAL(10,2), item = 'item' || id % 5000)
 * with DuckDB as a zstd Parquet file, ingests it with lh_lake_ingest, then times a few
 * representative queries through lh_sql_query + lh_sql_cursor_read (JSON, drained into one
 * buffer), best of RUNS each, in three phases:
 *
 *   1. files    - the dataset is read from its Parquet files (not pinned);
 *   2. pinned   - after lh_lake_cache_pin (the dataset copied into memory);
 *   3. files    - after lh_lake_cache_evict, to confirm the ratio is stable.
 *
 * Every run's JSON output, up to (not including) the "elapsed_ms" member, must equal the
 * first run's (rows, row_count and truncated included), else the exit status is 1. amount is
 * a DECIMAL so that sums and averages are exact whatever the scan order (DOUBLE sums vary in
 * their last digits between runs, pinned or not). The pinned runs must all have been served
 * from the copy (its hit count). speedup is files / pinned (phase 1 over phase 2), speedup2
 * the same after the evict (phase 3 over phase 2); the last line is the machine summary:
 *   BENCH name=cache_summary rows=.. queries=.. pin_s=.. bytes=.. files_total_s=..
 *         pinned_total_s=.. geomean=.. geomean2=.. mismatches=..
 * (files_total_s / pinned_total_s: sums of the per-query bests; geomean2: after the evict).
 */
#include "lh_common.h"
#include "buf.h"
#include "config.h"
#include "err.h"
#include "fs.h"
#include "lake.h"
#include "sql.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RUNS 5
#define ROWS 5000000LL
#define PHASES 3

struct bench_q {
    const char *name;
    const char *sql;
};

static const struct bench_q queries[] = {
    {"group_by", "SELECT k, count(*) AS n, sum(amount) AS total, avg(amount) AS mean "
                 "FROM big GROUP BY k ORDER BY k"},
    {"filter_count", "SELECT count(*) AS n, sum(id) AS ids FROM big "
                     "WHERE item = 'item42' AND amount > 500"},
    {"topk", "SELECT id, k, amount, item FROM big ORDER BY amount DESC, id LIMIT 100"},
    {"group_by_text", "SELECT item, count(*) AS n, sum(amount) AS total FROM big "
                      "GROUP BY item ORDER BY item"},
};
#define NQ (sizeof(queries) / sizeof(queries[0]))

static const char *const phase_names[PHASES] = {"files", "pinned", "files again"};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs sql once, draining the JSON result into out. */
static int query_once(struct lh_lake *l, const char *sql, struct lh_buf *out, int64_t *rows,
                      struct lh_error *err)
{
    struct lh_query_opts o = {.format = LH_FMT_JSON};
    struct lh_sql_cursor *c = NULL;
    int rc = lh_sql_query(l->sql, sql, &o, &c, err);
    if (rc)
        return rc;
    while ((rc = lh_sql_cursor_read(c, out, err)) > 0)
        ;
    *rows = lh_sql_cursor_rows(c);
    lh_sql_cursor_close(c);
    return rc;
}

/* Length of the comparable part of a JSON result: everything before ,"elapsed_ms": (the
 * only member that varies between runs). 0 if the member is missing. */
static size_t comparable_len(const struct lh_buf *b)
{
    static const char key[] = ",\"elapsed_ms\":";
    const char *last = NULL;
    for (const char *p = b->ptr; p && (p = strstr(p, key)) != NULL; p++)
        last = p;
    return last ? (size_t)(last - b->ptr) : 0;
}

int main(int argc, char **argv)
{
    struct lh_config cfg;
    struct lh_lake *l = NULL;
    struct lh_error err = {0};
    struct lh_buf q = LH_BUF_INIT, out = LH_BUF_INIT;
    struct lh_buf ref[NQ];
    struct lh_ingest_result res;
    struct lh_cache_info info;
    double best[PHASES][NQ];
    char *staged = NULL, *tmp_dir = NULL;
    const char *what = "";
    int rc = 0, mismatches = 0;

    if (argc > 2) {
        fprintf(stderr, "usage: bench_cache [DATA_DIR]\n");
        return 2;
    }
    for (size_t i = 0; i < NQ; i++)
        ref[i] = (struct lh_buf)LH_BUF_INIT;
    memset(&res, 0, sizeof(res));
    lh_config_init(&cfg);

    const char *data_dir = argc > 1 ? argv[1] : NULL;
    if (!data_dir) {
        const char *t = getenv("TMPDIR");
        tmp_dir = lh_xasprintf("%s/lh-bench-cache-XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(tmp_dir)) {
            perror("bench_cache: mkdtemp");
            free(tmp_dir);
            lh_config_release(&cfg);
            return 1;
        }
        data_dir = tmp_dir;
    }

    what = "opening the lake";
    if ((rc = lh_config_set(&cfg, "data_dir", data_dir, &err)) ||
        (rc = lh_config_set(&cfg, "cache_bytes", "4GiB", &err)) ||
        (rc = lh_lake_open(&cfg, &l, &err)))
        goto out;

    /* The data: 5M rows written by DuckDB as Parquet, then the normal ingest path. */
    staged = lh_lake_tmp_path(l, ".parquet");
    lh_buf_printf(&q,
                  "COPY (SELECT i AS id, i %% 1000 AS k, "
                  "CAST((i * 7919) %% 100000 / 100.0 AS DECIMAL(10,2)) AS amount, "
                  "'item' || (i %% 5000) AS item FROM range(%lld) t(i)) TO ",
                  ROWS);
    lh_sql_quote(&q, staged);
    lh_buf_puts(&q, " (FORMAT parquet, COMPRESSION zstd)");
    double t0 = now();
    what = "generating the data";
    if ((rc = lh_sql_exec_internal(l->sql, q.ptr, &err)))
        goto out;
    double t_gen = now() - t0;
    struct lh_ingest_req rq = {
        .path = staged,
        .name = "big",
        .mode = LH_INGEST_REPLACE,
        .format = "parquet",
        .source = "bench:big.parquet",
        .header = -1,
    };
    t0 = now();
    what = "ingesting big";
    if ((rc = lh_lake_ingest(l, &rq, &res, &err)))
        goto out;
    printf("cache: dataset big: %lld rows (generated in %.2fs, ingested in %.2fs)\n",
           (long long)res.total_rows, t_gen, now() - t0);
    unlink(staged);

    double pin_s = 0, repin_s = 0;
    int64_t pin_bytes = 0, hits_before = 0;
    for (int ph = 0; ph < PHASES; ph++) {
        if (ph == 1) {
            what = "pinning big";
            t0 = now();
            if ((rc = lh_lake_cache_pin(l, "big", &info, &err)))
                goto out;
            pin_s = now() - t0;
            pin_bytes = info.bytes;
            hits_before = info.hits;
            printf("cache: pinned big in %.2fs: state %s, %lld rows, estimated %lld bytes "
                   "(%.1f MiB)\n",
                   pin_s, info.state, (long long)info.rows, (long long)info.bytes,
                   (double)info.bytes / (1024.0 * 1024.0));
            if (strcmp(info.state, "ready") != 0) {
                rc = lh_error_set(&err, LH_EINVAL, "the copy is '%s', not ready", info.state);
                goto out;
            }
        } else if (ph == 2) {
            /* the pinned runs must have been served from the copy */
            what = "checking the cache hits";
            t0 = now();
            if ((rc = lh_lake_cache_pin(l, "big", &info, &err)))
                goto out;
            repin_s = now() - t0;
            int64_t hits = info.hits - hits_before;
            printf("cache: %lld queries served from the copy (re-pin of a current copy: "
                   "%.4fs)\n",
                   (long long)hits, repin_s);
            if (hits < (int64_t)(NQ * RUNS)) {
                rc = lh_error_set(&err, LH_EINVAL,
                                  "only %lld of %d pinned queries read the copy",
                                  (long long)hits, (int)(NQ * RUNS));
                goto out;
            }
            what = "evicting big";
            if ((rc = lh_lake_cache_evict(l, "big", &err)))
                goto out;
            printf("cache: evicted big\n");
        }
        for (size_t qi = 0; qi < NQ; qi++) {
            best[ph][qi] = 1e30;
            bool differs = false;
            for (int r = 0; r < RUNS; r++) {
                int64_t rows = 0;
                lh_buf_reset(&out);
                what = queries[qi].name;
                t0 = now();
                if ((rc = query_once(l, queries[qi].sql, &out, &rows, &err)))
                    goto out;
                double t = now() - t0;
                if (t < best[ph][qi])
                    best[ph][qi] = t;
                size_t n = comparable_len(&out);
                if (n == 0) {
                    rc = lh_error_set(&err, LH_EINVAL, "no elapsed_ms member in the result");
                    goto out;
                }
                if (ph == 0 && r == 0) {
                    lh_buf_append(&ref[qi], out.ptr, n);
                    printf("cache: %s: %lld rows, %zu bytes JSON\n", queries[qi].name,
                           (long long)rows, out.len);
                } else if (n != ref[qi].len || memcmp(out.ptr, ref[qi].ptr, n) != 0) {
                    if (!differs) { /* show the first difference once per query and phase */
                        size_t at = 0;
                        while (at < n && at < ref[qi].len && out.ptr[at] == ref[qi].ptr[at])
                            at++;
                        size_t from = at > 60 ? at - 60 : 0;
                        fprintf(stderr,
                                "bench_cache: %s: the %s result (run %d) differs from the "
                                "first files result at byte %zu:\n  first: ...%.120s\n"
                                "  now:   ...%.120s\n",
                                queries[qi].name, phase_names[ph], r + 1, at,
                                ref[qi].ptr + (from < ref[qi].len ? from : ref[qi].len),
                                out.ptr + from);
                    }
                    differs = true;
                    mismatches++;
                }
            }
            printf("cache: %-13s %-11s best of %d %.4fs\n", queries[qi].name, phase_names[ph],
                   RUNS, best[ph][qi]);
        }
    }

    double log_sum = 0, log_sum2 = 0, files_total = 0, pinned_total = 0;
    for (size_t qi = 0; qi < NQ; qi++) {
        files_total += best[0][qi];
        pinned_total += best[1][qi];
        double sp = best[0][qi] / best[1][qi], sp2 = best[2][qi] / best[1][qi];
        log_sum += log(sp);
        log_sum2 += log(sp2);
        printf("cache_%s: files %.4fs pinned %.4fs speedup %.2fx (files again %.4fs, %.2fx)\n",
               queries[qi].name, best[0][qi], best[1][qi], sp, best[2][qi], sp2);
        printf("BENCH name=cache_%s files_s=%.6f pinned_s=%.6f speedup=%.3f files2_s=%.6f "
               "speedup2=%.3f\n",
               queries[qi].name, best[0][qi], best[1][qi], sp, best[2][qi], sp2);
    }
    double gm = exp(log_sum / (double)NQ), gm2 = exp(log_sum2 / (double)NQ);
    printf("cache: pin load %.2fs, estimated %lld bytes; geometric-mean speedup %.2fx "
           "(after evict %.2fx); results %s\n",
           pin_s, (long long)pin_bytes, gm, gm2, mismatches ? "DIFFER" : "identical");
    printf("BENCH name=cache_summary rows=%lld queries=%d pin_s=%.6f bytes=%lld files_total_s=%.6f "
           "pinned_total_s=%.6f geomean=%.3f geomean2=%.3f mismatches=%d\n",
           (long long)res.total_rows, (int)NQ, pin_s, (long long)pin_bytes, files_total,
           pinned_total, gm, gm2, mismatches);
    if (mismatches) {
        what = "comparing results";
        rc = lh_error_set(&err, LH_EINVAL, "%d pinned/unpinned results differ", mismatches);
    }
out:
    if (rc)
        fprintf(stderr, "bench_cache: %s: %s\n", what, err.msg[0] ? err.msg : lh_strerror(rc));
    if (staged)
        unlink(staged);
    free(staged);
    lh_ingest_result_release(&res);
    for (size_t i = 0; i < NQ; i++)
        lh_buf_release(&ref[i]);
    lh_buf_release(&q);
    lh_buf_release(&out);
    lh_lake_close(l);
    lh_config_release(&cfg);
    if (tmp_dir) {
        lh_fs_rm_rf(tmp_dir);
        free(tmp_dir);
    }
    return rc ? 1 : 0;
}
