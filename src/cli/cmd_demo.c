/* SPDX-License-Identifier: MIT */
/* cmd_demo.c - `lakehouse demo [--scale N]`: generate and ingest the staffing demo data. */
#include "lh_common.h"
#include "cli_int.h"
#include "demo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void progress(void *ud, const char *table, int done, int total)
{
    LH_UNUSED(ud);
    cli_progress((void *)table, 100.0 * done / (total ? total : 1));
}

int lh_cmd_demo(struct lh_ctx *ctx, int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"json", NULL, "print JSON", NULL},
        {"scale", "N", "size multiplier, 1..1000 (default 1: about 2M rows)", NULL},
        {0},
    };
    const char *pos[1];
    int n_pos, rc, scale = 1;
    struct lh_error err;
    struct lh_demo_result r;
    if ((rc = cli_parse(ctx, "demo", "[--scale N]", argc, argv, opts, pos, 0, &n_pos, false)))
        return rc == 1 ? 0 : rc;
    if (opts[1].val) {
        char *end;
        errno = 0;
        long v = strtol(opts[1].val, &end, 10);
        if (end == opts[1].val || *end || errno || v < 1 || v > 1000)
            return cli_failf("invalid --scale '%s': expected 1..1000", opts[1].val);
        scale = (int)v;
    }
    struct lh_lake *l = cli_lake(ctx);
    if (!l)
        return 1;
    rc = lh_demo_load(l, scale, progress, NULL, &r, &err);
    cli_progress_done();
    if (rc)
        return cli_fail(&err);
    if (opts[0].val) {
        printf("{\"tables\":[");
        for (size_t i = 0; i < r.n_tables; i++)
            printf("%s{\"name\":\"%s\",\"rows\":%lld}", i ? "," : "", r.tables[i].name,
                   (long long)r.tables[i].rows);
        printf("],\"total_rows\":%lld,\"seconds\":%.2f}\n", (long long)r.total_rows, r.seconds);
    } else {
        char a[32];
        for (size_t i = 0; i < r.n_tables; i++)
            printf("  %-12s %12s rows\n", r.tables[i].name, cli_num(r.tables[i].rows, a));
        printf("demo: %s rows in %zu datasets in %.1f s\n", cli_num(r.total_rows, a), r.n_tables,
               r.seconds);
    }
    return 0;
}
