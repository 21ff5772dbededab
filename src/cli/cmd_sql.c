/* SPDX-License-Identifier: MIT */
/* cmd_sql.c - `lakehouse sql "SELECT ..."`: run a read-only query and stream the result. */
#include "lh_common.h"
#include "cli_int.h"
#include "sql.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Parses an optional non-negative integer option into *out. */
static int parse_count(const struct cli_opt *o, int64_t *out)
{
    char *end;
    if (!o->val)
        return 0;
    errno = 0;
    long long v = strtoll(o->val, &end, 10);
    if (end == o->val || *end || errno || v < 0)
        return cli_failf("invalid --%s '%s': expected a number >= 0", o->name, o->val);
    *out = v;
    return 0;
}

int lh_cmd_sql(struct lh_ctx *ctx, int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"format", "F", "csv (default), json, ndjson or parquet", NULL},
        {"json", NULL, "same as --format json", NULL},
        {"limit", "N", "row limit (default: query_row_limit setting; 0 = none)", NULL},
        {"output", "FILE", "write the result to FILE instead of stdout", NULL},
        {"timeout-ms", "MS", "query timeout (default: query_timeout_ms setting)", NULL},
        {0},
    };
    enum { O_FORMAT, O_JSON, O_LIMIT, O_OUTPUT, O_TIMEOUT };
    const char *pos[1];
    int n_pos, rc;
    struct lh_error err;
    struct lh_query_opts qo = {.format = LH_FMT_CSV,
                               .row_limit = ctx->cfg.query_row_limit,
                               .timeout_ms = ctx->cfg.query_timeout_ms};
    struct lh_sql_cursor *cur = NULL;
    struct lh_buf b = LH_BUF_INIT;
    FILE *out = stdout;

    if ((rc = cli_parse(ctx, "sql", "\"SELECT ...\" [--format csv|json|ndjson|parquet]", argc,
                        argv, opts, pos, 1, &n_pos, false)))
        return rc == 1 ? 0 : rc;
    if (n_pos != 1)
        return cli_failf("sql: a query is required (see --help)") + 1;
    if (opts[O_JSON].val)
        qo.format = LH_FMT_JSON;
    if (opts[O_FORMAT].val && lh_sql_format_parse(opts[O_FORMAT].val, &qo.format))
        return cli_failf("invalid format '%s': use csv, json, ndjson or parquet",
                         opts[O_FORMAT].val);
    if ((rc = parse_count(&opts[O_LIMIT], &qo.row_limit)) ||
        (rc = parse_count(&opts[O_TIMEOUT], &qo.timeout_ms)))
        return rc;
    if (qo.format == LH_FMT_PARQUET && !opts[O_OUTPUT].val && isatty(STDOUT_FILENO))
        return cli_failf("refusing to write Parquet to a terminal; use --output FILE");

    struct lh_lake *l = cli_lake(ctx);
    if (!l)
        return 1;
    if (lh_sql_query(l->sql, pos[0], &qo, &cur, &err))
        return cli_fail(&err);
    if (opts[O_OUTPUT].val && !(out = fopen(opts[O_OUTPUT].val, "wb"))) {
        lh_sql_cursor_close(cur);
        return cli_failf("cannot write %s: %s", opts[O_OUTPUT].val, strerror(errno));
    }
    for (;;) {
        rc = lh_sql_cursor_read(cur, &b, &err);
        if (b.len && fwrite(b.ptr, 1, b.len, out) != b.len) {
            rc = lh_error_set(&err, LH_EIO, "write failed: %s", strerror(errno));
            break;
        }
        lh_buf_reset(&b);
        if (rc <= 0)
            break;
    }
    bool truncated = lh_sql_cursor_truncated(cur);
    lh_sql_cursor_close(cur);
    lh_buf_release(&b);
    if (out != stdout && fclose(out) != 0 && rc == 0)
        rc = lh_error_set(&err, LH_EIO, "write failed: %s", strerror(errno));
    fflush(stdout);
    if (rc < 0)
        return cli_fail(&err);
    if (truncated && qo.format != LH_FMT_JSON)
        fprintf(stderr, "lakehouse: result truncated at %lld rows (use --limit 0 for all)\n",
                (long long)qo.row_limit);
    return 0;
}
