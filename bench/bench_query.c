/* SPDX-License-Identifier: MIT */
/* bench_query.c - prepares a 10M-row dataset and times an aggregate through the C API.
 *
 * Usage: bench_query DATA_DIR [SQL]
 *
 * Builds `big` (id, k = id % 1000, amount) with DuckDB, ingests it as a
 * Parquet file with lh_lake_ingest (mode replace) into DATA_DIR, then runs
 * SQL (default: a GROUP BY k aggregate) five times through lh_sql_query +
 * lh_sql_cursor_read (JSON, drained into one buffer) and reports the best.
 * bench/run then serves DATA_DIR and times the same SQL over HTTP; the two
 * together give the http/capi ratio. The last line is machine-readable. */
#include "lh_common.h"
#include "buf.h"
#include "config.h"
#include "err.h"
#include "fs.h"
#include "lake.h"
#include "sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RUNS 5
#define BIG_ROWS 10000000LL

static const char default_sql[] =
    "SELECT k, count(*), sum(amount), avg(amount) FROM big GROUP BY k ORDER BY k";

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

int main(int argc, char **argv)
{
    struct lh_config cfg;
    struct lh_lake *l = NULL;
    struct lh_error err = {0};
    struct lh_buf q = LH_BUF_INIT, out = LH_BUF_INIT;
    struct lh_ingest_result res;
    char *staged = NULL;
    const char *what = "";
    int rc;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: bench_query DATA_DIR [SQL]\n");
        return 2;
    }
    const char *sql = argc > 2 ? argv[2] : default_sql;
    memset(&res, 0, sizeof(res));
    lh_config_init(&cfg);
    what = "opening the lake";
    if ((rc = lh_config_set(&cfg, "data_dir", argv[1], &err)) ||
        (rc = lh_lake_open(&cfg, &l, &err)))
        goto out;

    /* The data: 10M rows written by DuckDB as Parquet, then the normal ingest path. */
    staged = lh_lake_tmp_path(l, ".parquet");
    lh_buf_printf(&q,
                  "COPY (SELECT i AS id, i %% 1000 AS k, (i * 7919) %% 100000 / 100.0 AS amount "
                  "FROM range(%lld) t(i)) TO ",
                  BIG_ROWS);
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
    printf("query: dataset big: %lld rows (generated in %.2fs, ingested in %.2fs)\n",
           (long long)res.total_rows, t_gen, now() - t0);
    unlink(staged);

    double best = 1e30;
    int64_t rows = 0;
    size_t bytes = 0;
    what = "query";
    for (int i = 0; i < RUNS; i++) {
        lh_buf_reset(&out);
        t0 = now();
        if ((rc = query_once(l, sql, &out, &rows, &err)))
            goto out;
        double t = now() - t0;
        bytes = out.len;
        printf("query: capi run %d: %.4fs\n", i + 1, t);
        if (t < best)
            best = t;
    }
    printf("query_capi: %lld rows, %zu bytes JSON, best of %d %.4fs\n", (long long)rows, bytes,
           RUNS, best);
    printf("BENCH name=query_capi rows=%lld bytes=%zu seconds=%.6f\n", (long long)rows, bytes,
           best);
out:
    if (rc)
        fprintf(stderr, "bench_query: %s: %s\n", what,
                err.msg[0] ? err.msg : lh_strerror(rc));
    if (staged)
        unlink(staged);
    free(staged);
    lh_ingest_result_release(&res);
    lh_buf_release(&q);
    lh_buf_release(&out);
    lh_lake_close(l);
    lh_config_release(&cfg);
    return rc ? 1 : 0;
}
