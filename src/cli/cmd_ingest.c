/* SPDX-License-Identifier: MIT */
/* cmd_ingest.c - `lakehouse ingest FILE`: the same ingest path as POST /ingest/file. */
#include "lh_common.h"
#include "cli_int.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int lh_cmd_ingest(struct lh_ctx *ctx, int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"delimiter", "C", "CSV delimiter (default: detected)", NULL},
        {"description", "TEXT", "dataset description", NULL},
        {"format", "F", "csv, json, ndjson or parquet (default: detected)", NULL},
        {"header", "BOOL", "CSV has a header row: true or false (default: detected)", NULL},
        {"json", NULL, "print the result as JSON", NULL},
        {"mode", "M", "create (default), replace or append", NULL},
        {"name", "N", "dataset name (default: from the file name)", NULL},
        {"owner", "WHO", "dataset owner", NULL},
        {0},
    };
    enum { O_DELIM, O_DESC, O_FORMAT, O_HEADER, O_JSON, O_MODE, O_NAME, O_OWNER };
    const char *pos[1];
    int n_pos, rc;
    struct lh_error err;
    struct lh_ingest_req rq = {0};
    struct lh_ingest_result res;

    if ((rc = cli_parse(ctx, "ingest", "FILE [--name N] [--mode create|replace|append]", argc,
                        argv, opts, pos, 1, &n_pos, false)))
        return rc == 1 ? 0 : rc;
    if (n_pos != 1)
        return cli_failf("ingest: a FILE is required (see --help)") + 1;
    struct stat st;
    if (stat(pos[0], &st) != 0)
        return cli_failf("cannot open %s: no such file", pos[0]);
    if (S_ISDIR(st.st_mode))
        return cli_failf("%s is a directory; give a file", pos[0]);
    if (lh_ingest_mode_parse(opts[O_MODE].val, &rq.mode))
        return cli_failf("invalid mode '%s': use create, replace or append", opts[O_MODE].val);
    rq.header = -1;
    if (opts[O_HEADER].val) {
        const char *h = opts[O_HEADER].val;
        if (!strcmp(h, "true") || !strcmp(h, "1"))
            rq.header = 1;
        else if (!strcmp(h, "false") || !strcmp(h, "0"))
            rq.header = 0;
        else
            return cli_failf("invalid --header '%s': use true or false", h);
    }
    rq.path = pos[0];
    rq.name = opts[O_NAME].val;
    rq.format = opts[O_FORMAT].val;
    rq.delimiter = opts[O_DELIM].val;
    rq.description = opts[O_DESC].val;
    rq.owner = opts[O_OWNER].val;
    if (isatty(STDERR_FILENO)) {
        rq.progress = cli_progress;
        rq.progress_ud = (void *)pos[0];
    }

    struct lh_lake *l = cli_lake(ctx);
    if (!l)
        return 1;
    rc = lh_lake_ingest(l, &rq, &res, &err);
    cli_progress_done();
    if (rc)
        return cli_fail(&err);
    if (opts[O_JSON].val) {
        struct lh_buf b = LH_BUF_INIT;
        lh_lake_ingest_json(&res, &b);
        cli_print_json(&b);
        lh_buf_release(&b);
    } else if (res.duplicate) {
        printf("duplicate: this content is already in dataset '%s'; nothing changed\n",
               res.duplicate_of);
    } else {
        char a[32], b2[32];
        printf("ingested %s rows into '%s' (%s, %s, %zu columns, %s rows in total, snapshot %lld)\n",
               cli_num(res.rows, a), res.dataset, res.mode, res.format, res.n_columns,
               cli_num(res.total_rows, b2), (long long)res.snapshot_id);
    }
    lh_ingest_result_release(&res);
    return 0;
}
