/* SPDX-License-Identifier: MIT */
/* bench_ingest.c - CSV ingest speed: lh_lake_ingest against a plain DuckDB COPY to zstd Parquet.
 *
 * Usage: bench_ingest [WORK_DIR]   (default: a fresh folder under $TMPDIR or /tmp)
 *
 * Generates the demo data at scale 1, takes timesheets.csv (~1.7M rows) and
 * alternates, three times each, (a) lh_lake_ingest into a fresh data folder
 * (mode create) and (b) `COPY (SELECT * FROM read_csv(...)) TO ... (FORMAT
 * parquet, COMPRESSION zstd)` on the same lake's internal DuckDB engine. The
 * best time of each is compared: ratio = direct / lakehouse (target >= 0.9).
 * The last line is machine-readable for bench/run. */
#include "lh_common.h"
#include "buf.h"
#include "config.h"
#include "demo.h"
#include "err.h"
#include "fs.h"
#include "lake.h"
#include "sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RUNS 3
#define TARGET 0.9

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int die(const char *what, const struct lh_error *err)
{
    fprintf(stderr, "bench_ingest: %s: %s\n", what,
            err->msg[0] ? err->msg : lh_strerror(err->code));
    return 1;
}

static int run_lakehouse(struct lh_lake *l, const char *csv, int64_t *rows, double *secs,
                         struct lh_error *err)
{
    struct lh_ingest_req rq = {
        .path = csv,
        .name = "timesheets",
        .mode = LH_INGEST_CREATE,
        .format = "csv",
        .source = "bench:timesheets.csv",
        .header = -1,
    };
    struct lh_ingest_result res;
    memset(&res, 0, sizeof(res));
    double t0 = now();
    int rc = lh_lake_ingest(l, &rq, &res, err);
    *secs = now() - t0;
    if (rc == 0)
        *rows = res.rows;
    lh_ingest_result_release(&res);
    return rc;
}

static int run_direct(struct lh_lake *l, const char *csv, const char *dst, double *secs,
                      struct lh_error *err)
{
    struct lh_buf q = LH_BUF_INIT;
    lh_buf_puts(&q, "COPY (SELECT * FROM read_csv(");
    lh_sql_quote(&q, csv);
    lh_buf_puts(&q, ")) TO ");
    lh_sql_quote(&q, dst);
    lh_buf_puts(&q, " (FORMAT parquet, COMPRESSION zstd)");
    double t0 = now();
    int rc = lh_sql_exec_internal(l->sql, q.ptr, err);
    *secs = now() - t0;
    lh_buf_release(&q);
    unlink(dst);
    return rc;
}

int main(int argc, char **argv)
{
    struct lh_error err = {0};
    char *root = NULL, *csv_dir = NULL, **paths = NULL;
    size_t n_paths = 0;
    double best_lake = 1e30, best_direct = 1e30;
    double t_lake[RUNS], t_direct[RUNS];
    int64_t rows = 0, want_rows;
    int status = 1;
    bool own_root = argc <= 1;

    if (argc > 1) {
        root = lh_xstrdup(argv[1]);
        if (lh_fs_mkdir_p(root, &err))
            return die("work dir", &err);
    } else {
        const char *t = getenv("TMPDIR");
        root = lh_xasprintf("%s/lh-bench-ingest-XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(root)) {
            perror("bench_ingest: mkdtemp");
            free(root);
            return 1;
        }
    }
    csv_dir = lh_xasprintf("%s/csv", root);

    double t0 = now();
    if (lh_demo_write_csv(csv_dir, 1, &paths, &n_paths, &err)) {
        die("generating demo CSVs", &err);
        goto out;
    }
    double t_gen = now() - t0;
    const char *csv = paths[n_paths - 1]; /* timesheets */
    struct stat st;
    if (stat(csv, &st) != 0) {
        perror("bench_ingest: stat");
        goto out;
    }
    want_rows = lh_demo_table_rows("timesheets", 1);
    printf("ingest_csv: demo CSVs at scale 1 generated in %.2fs; timesheets.csv %lld rows, "
           "%.1f MB\n",
           t_gen, (long long)want_rows, (double)st.st_size / 1e6);
    fflush(stdout);

    for (int i = 0; i < RUNS; i++) {
        struct lh_config cfg;
        struct lh_lake *l = NULL;
        char *data = lh_xasprintf("%s/lake%d", root, i);
        char *dst = lh_xasprintf("%s/direct.parquet", root);
        lh_config_init(&cfg);
        int rc = lh_config_set(&cfg, "data_dir", data, &err);
        if (!rc)
            rc = lh_lake_open(&cfg, &l, &err);
        /* Alternate which goes first so neither always gets the warmer caches. */
        for (int k = 0; k < 2 && !rc; k++) {
            bool lake_turn = (k == 0) == (i % 2 == 0);
            if (lake_turn) {
                int64_t got = 0;
                rc = run_lakehouse(l, csv, &got, &t_lake[i], &err);
                if (!rc && got != want_rows) {
                    fprintf(stderr, "bench_ingest: ingested %lld rows, expected %lld\n",
                            (long long)got, (long long)want_rows);
                    rc = -LH_EINTERNAL;
                }
                rows = got;
            } else {
                rc = run_direct(l, csv, dst, &t_direct[i], &err);
            }
        }
        lh_lake_close(l);
        lh_config_release(&cfg);
        lh_fs_rm_rf(data);
        free(data);
        free(dst);
        if (rc) {
            die("run", &err);
            goto out;
        }
        printf("ingest_csv: run %d: lakehouse %.3fs direct %.3fs\n", i + 1, t_lake[i],
               t_direct[i]);
        fflush(stdout);
        if (t_lake[i] < best_lake)
            best_lake = t_lake[i];
        if (t_direct[i] < best_direct)
            best_direct = t_direct[i];
    }

    double ratio = best_direct / best_lake;
    printf("ingest_csv: rows %lld; lakehouse %.0f rows/s, direct %.0f rows/s\n", (long long)rows,
           (double)rows / best_lake, (double)rows / best_direct);
    printf("ingest_csv_%.1fM: lakehouse %.2fs direct %.2fs ratio %.2f (target >= %.1f)\n",
           (double)rows / 1e6, best_lake, best_direct, ratio, TARGET);
    printf("BENCH name=ingest_csv rows=%lld lakehouse_s=%.4f direct_s=%.4f ratio=%.3f "
           "target=%.2f cmp=ge\n",
           (long long)rows, best_lake, best_direct, ratio, TARGET);
    status = 0;
out:
    if (paths) {
        for (size_t i = 0; i < n_paths; i++)
            free(paths[i]);
        free(paths);
    }
    lh_fs_rm_rf(csv_dir);
    if (own_root)
        lh_fs_rm_rf(root);
    free(csv_dir);
    free(root);
    return status;
}
