/* SPDX-License-Identifier: MIT */
/* cmd_serve.c - `lakehouse serve`: start the HTTP API (loading demo data on first start if asked). */
#include "lh_common.h"
#include "cli_int.h"
#include "demo.h"
#include "http.h"
#include "log.h"

#include <stdio.h>

static void demo_progress(void *ud, const char *table, int done, int total)
{
    LH_UNUSED(ud);
    LH_LOG(LH_LOG_INFO, "demo", "msg=\"loading demo data\" table=%s step=%d/%d", table, done + 1,
           total);
}

int lh_cmd_serve(struct lh_ctx *ctx, int argc, char **argv)
{
    struct cli_opt opts[] = {{0}};
    const char *pos[1];
    int n_pos, rc;
    struct lh_error err;

    if ((rc = cli_parse(ctx, "serve", "[--SETTING VALUE ...]", argc, argv, opts, pos, 0, &n_pos,
                        true)))
        return rc == 1 ? 0 : rc;
    lh_log_set_level(ctx->cfg.log_level);
    struct lh_lake *l = cli_lake(ctx);
    if (!l)
        return 1;
    if (ctx->cfg.demo_scale > 0 && lh_catalog_count(l->cat) == 0) {
        struct lh_demo_result dr;
        if (lh_demo_load(l, ctx->cfg.demo_scale, demo_progress, NULL, &dr, &err))
            return cli_fail(&err);
        LH_LOG(LH_LOG_INFO, "demo", "msg=\"demo data loaded\" tables=%zu rows=%lld seconds=%.1f",
               dr.n_tables, (long long)dr.total_rows, dr.seconds);
    }
    int resumed = 0;
    lh_lake_jobs_resume(l, &resumed);
    if (resumed)
        LH_LOG(LH_LOG_INFO, "jobs", "msg=\"resumed jobs\" count=%d", resumed);
    if (lh_http_serve(l, &ctx->cfg, &err))
        return cli_fail(&err);
    return 0;
}
