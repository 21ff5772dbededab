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
static int query_once(struct lh_lake *l, const struct lh_principal *who, const char *sql,
                      struct lh_buf *out, int64_t *rows, struct lh_error *err)
{
    struct lh_query_opts o = {.format = LH_FMT_JSON};
    struct lh_sql_cursor *c = NULL;
    int rc = who ? lh_lake_query(l, who, sql, &o, &c, err) : lh_sql_query(l->sql, sql, &o, &c, err);
    if (rc)
        return rc;
    while ((rc = lh_sql_cursor_read(c, out, err)) > 0)
        ;
    *rows = lh_sql_cursor_rows(c);
    lh_sql_cursor_close(c);
    return rc;
}

/* The statement writing the data to dst. */
static void gen_sql(struct lh_buf *q, const char *dst)
{
    lh_buf_printf(q,
                  "COPY (SELECT i AS id, i %% 1000 AS k, (i * 7919) %% 100000 / 100.0 AS amount "
                  "FROM range(%lld) t(i)) TO ",
                  BIG_ROWS);
    lh_sql_quote(q, dst);
    lh_buf_puts(q, " (FORMAT parquet, COMPRESSION zstd)");
}

/* Best of RUNS runs of sql by who (NULL = the engine directly); -1 on error. */
static double best_of(struct lh_lake *l, const struct lh_principal *who, const char *sql,
                      const char *label, struct lh_buf *out, int64_t *rows, struct lh_error *err)
{
    double best = 1e30;
    for (int i = 0; i < RUNS; i++) {
        lh_buf_reset(out);
        double t0 = now();
        if (query_once(l, who, sql, out, rows, err))
            return -1;
        double t = now() - t0;
        printf("query: %s run %d: %.4fs\n", label, i + 1, t);
        if (t < best)
            best = t;
    }
    return best;
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
    gen_sql(&q, staged);
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

    int64_t rows = 0;
    size_t bytes = 0;
    what = "query";
    double best = best_of(l, NULL, sql, "capi", &out, &rows, &err);
    if (best < 0) {
        rc = -LH_EINTERNAL;
        goto out;
    }
    bytes = out.len;
    printf("query_capi: %lld rows, %zu bytes JSON, best of %d %.4fs\n", (long long)rows, bytes,
           RUNS, best);
    printf("BENCH name=query_capi rows=%lld bytes=%zu seconds=%.6f\n", (long long)rows, bytes,
           best);

    /* Governance costs: the same query by an analyst (firewall + per-caller resolution),
     * and over a copy of the data with 1,000 tombstoned ids (the NOT IN filter). */
    struct lh_principal analyst;
    memset(&analyst, 0, sizeof(analyst));
    snprintf(analyst.actor, sizeof(analyst.actor), "bench");
    lh_role_builtin("analyst", &analyst.role);
    double gov = best_of(l, &analyst, sql, "analyst", &out, &rows, &err);
    lh_principal_release(&analyst);
    if (gov < 0) {
        rc = -LH_EINTERNAL;
        goto out;
    }
    printf("BENCH name=query_analyst seconds=%.6f admin=%.6f\n", gov, best);
    what = "tombstones";
    lh_buf_reset(&q);
    gen_sql(&q, staged);
    struct lh_ingest_result r2;
    memset(&r2, 0, sizeof(r2));
    rq.name = "big_t";
    if ((rc = lh_sql_exec_internal(l->sql, q.ptr, &err)) ||
        (rc = lh_lake_ingest(l, &rq, &r2, &err)))
        goto out;
    lh_ingest_result_release(&r2);
    char **ids = lh_xcalloc(1000, sizeof(*ids));
    for (int i = 0; i < 1000; i++)
        ids[i] = lh_xasprintf("%lld", (long long)i * 9973);
    struct lh_buf tr = LH_BUF_INIT;
    rc = lh_lake_tombstone(l, "big_t", "id", (const char *const *)ids, 1000, "bench", "bench",
                           &tr, &err);
    lh_buf_release(&tr);
    for (int i = 0; i < 1000; i++)
        free(ids[i]);
    free(ids);
    if (rc)
        goto out;
    lh_buf_reset(&q);
    /* the same query text over the tombstoned copy */
    const char *from = strstr(sql, "FROM big");
    if (!from) {
        printf("query: the tombstone run needs a query over \"FROM big\"; skipped\n");
        goto out;
    }
    lh_buf_append(&q, sql, (size_t)(from - sql));
    lh_buf_puts(&q, "FROM big_t");
    lh_buf_puts(&q, from + strlen("FROM big"));
    double tomb = best_of(l, NULL, q.ptr, "tombstoned", &out, &rows, &err);
    if (tomb < 0) {
        rc = -LH_EINTERNAL;
        goto out;
    }
    printf("BENCH name=query_tombstones seconds=%.6f plain=%.6f tombstones=1000\n", tomb, best);
    /* compaction removes the rows; the purged file then needs no filter */
    struct lh_compact_result cr;
    what = "compaction";
    if ((rc = lh_lake_compact(l, "big_t", 0, "bench", &cr, &err)))
        goto out;
    double after = best_of(l, NULL, q.ptr, "compacted", &out, &rows, &err);
    if (after < 0) {
        rc = -LH_EINTERNAL;
        goto out;
    }
    printf("BENCH name=query_tombstones_compacted seconds=%.6f plain=%.6f\n", after, best);
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
