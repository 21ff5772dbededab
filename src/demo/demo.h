/* SPDX-License-Identifier: MIT */
/* demo.h - deterministic staffing demo data, ingested through the normal path.
 *
 * Tables (rows at scale 1): recruiters (200), clients (5,000), candidates
 * (100,000, with names, emails, phones, city, skills, years of experience and
 * a few paragraphs of resume text), job_orders (40,000), placements
 * (150,000) and timesheets (~1.7M): about 2M rows. Rows scale linearly with
 * `scale`. The same scale always gives byte-identical data. */
#ifndef LH_DEMO_H
#define LH_DEMO_H

#include "lh_common.h"
#include "err.h"
#include "lake.h"

struct lh_demo_table {
    char name[32];
    int64_t rows;
};

struct lh_demo_result {
    size_t n_tables;
    struct lh_demo_table tables[8];
    int64_t total_rows;
    double seconds;
};

/* Largest accepted scale; scales outside 1..LH_DEMO_MAX_SCALE are -LH_EINVAL. */
#define LH_DEMO_MAX_SCALE 1000

/* Number of data rows `table` ("recruiters", "clients", "candidates",
 * "job_orders", "placements", "timesheets") has at `scale`; exact (timesheets
 * are counted by replaying the generator, ~15 ms per unit of scale).
 * Returns -1 for an unknown table or a scale out of range. */
int64_t lh_demo_table_rows(const char *table, int scale);

/* Writes each table as RFC 4180 CSV with a header row into `dir` (created)
 * and returns the file paths in table order (malloc'd array of malloc'd
 * strings; the caller frees both). On error, files written so far are
 * removed and *out_paths is NULL. */
int lh_demo_write_csv(const char *dir, int scale, char ***out_paths, size_t *out_n,
                      struct lh_error *err);

/* Generates the demo data into a staging folder under l->tmp_dir and ingests
 * every table (mode replace, source "demo:<table>.csv") into l. The CSVs are
 * always deleted, also on error. Stops at the first failing table; err names
 * it, and out holds the tables loaded before it. progress(ud, table, done,
 * total) is called before each table is ingested, with done = tables already
 * loaded (0..total-1); it may be NULL. */
int lh_demo_load(struct lh_lake *l, int scale,
                 void (*progress)(void *ud, const char *table, int done, int total), void *ud,
                 struct lh_demo_result *out, struct lh_error *err);

#endif
