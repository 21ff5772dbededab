/* SPDX-License-Identifier: MIT */
/* cmd_ingest.c - `lakehouse ingest FILE`: the same ingest path as POST /ingest/file. */
#include "lh_common.h"
#include "cli_int.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void dir_progress(void *ud, const char *file, size_t done, size_t total)
{
    LH_UNUSED(ud);
    const char *base = strrchr(file, '/');
    cli_progress((void *)(base ? base + 1 : file), 100.0 * (double)done / (double)(total ? total : 1));
}

static int ingest_dir(struct lh_lake *l, const char *dir, const char *glob,
                      struct lh_ingest_req *rq, bool json)
{
    struct lh_dir_result r;
    struct lh_error err;
    rq->progress = NULL; /* per-file progress instead */
    int rc = lh_lake_ingest_dir(l, dir, glob, rq, isatty(STDERR_FILENO) ? dir_progress : NULL,
                                NULL, &r, &err);
    cli_progress_done();
    if (json && r.n_files) {
        struct lh_buf b = LH_BUF_INIT;
        lh_buf_printf(&b, "{\"files\":%zu,\"ok\":%zu,\"failed\":%zu,\"rows\":%lld,\"results\":[",
                      r.n_files, r.n_ok, r.n_failed, (long long)r.rows);
        for (size_t i = 0; i < r.n_files; i++) {
            lh_buf_puts(&b, i ? ",{\"file\":" : "{\"file\":");
            lh_buf_json_str(&b, r.files[i].path, strlen(r.files[i].path));
            lh_buf_printf(&b, ",\"ok\":%s,\"rows\":%lld", r.files[i].ok ? "true" : "false",
                          (long long)r.files[i].rows);
            if (!r.files[i].ok) {
                lh_buf_puts(&b, ",\"error\":");
                lh_buf_json_str(&b, r.files[i].error, strlen(r.files[i].error));
            }
            lh_buf_putc(&b, '}');
        }
        lh_buf_puts(&b, "]");
        if (rc == 0) {
            lh_buf_puts(&b, ",\"ingest\":");
            lh_lake_ingest_json(&r.ingest, &b);
        }
        lh_buf_putc(&b, '}');
        cli_print_json(&b);
        lh_buf_release(&b);
    } else if (r.n_files) {
        char a[32];
        for (size_t i = 0; i < r.n_files; i++)
            if (!r.files[i].ok)
                fprintf(stderr, "lakehouse: skipped %s: %s\n", r.files[i].path, r.files[i].error);
        if (rc == 0)
            printf("ingested %zu of %zu files, %s rows into '%s' (%zu failed, snapshot %lld)\n",
                   r.n_ok, r.n_files, cli_num(r.rows, a), r.ingest.dataset, r.n_failed,
                   (long long)r.ingest.snapshot_id);
    }
    lh_dir_result_release(&r);
    if (rc)
        return cli_fail(&err);
    return 0;
}

int lh_cmd_ingest(struct lh_ctx *ctx, int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"allow-schema-change", NULL, "apply unsafe schema changes (removed, renamed, narrowed)",
         NULL},
        {"delimiter", "C", "CSV delimiter (default: detected)", NULL},
        {"description", "TEXT", "dataset description", NULL},
        {"format", "F", "csv, json, ndjson, parquet, pdf, text, markdown or chat (default: "
                        "detected)", NULL},
        {"glob", "PATTERN", "folder ingest: only files whose name matches (e.g. '*.pdf')", NULL},
        {"header", "BOOL", "CSV has a header row: true or false (default: detected)", NULL},
        {"json", NULL, "print the result as JSON", NULL},
        {"mode", "M", "create (default), replace or append", NULL},
        {"name", "N", "dataset name (default: from the file name)", NULL},
        {"owner", "WHO", "dataset owner", NULL},
        {0},
    };
    enum { O_ALLOW, O_DELIM, O_DESC, O_FORMAT, O_GLOB, O_HEADER, O_JSON, O_MODE, O_NAME, O_OWNER };
    const char *pos[1];
    int n_pos, rc;
    struct lh_error err;
    struct lh_ingest_req rq = {0};
    struct lh_ingest_result res;

    if ((rc = cli_parse(ctx, "ingest", "FILE|DIR [--name N] [--mode create|replace|append] [--glob P]", argc,
                        argv, opts, pos, 1, &n_pos, false)))
        return rc == 1 ? 0 : rc;
    if (n_pos != 1)
        return cli_failf("ingest: a FILE is required (see --help)") + 1;
    struct stat st;
    if (stat(pos[0], &st) != 0)
        return cli_failf("cannot open %s: no such file", pos[0]);
    bool is_dir = S_ISDIR(st.st_mode);
    if (!is_dir && opts[O_GLOB].val)
        return cli_failf("--glob is for folders; %s is a file", pos[0]);
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
    rq.actor = cli_actor();
    rq.source_system = "file";
    rq.allow_schema_change = opts[O_ALLOW].val != NULL;
    if (isatty(STDERR_FILENO)) {
        rq.progress = cli_progress;
        rq.progress_ud = (void *)pos[0];
    }

    struct lh_lake *l = cli_lake(ctx);
    if (!l)
        return 1;
    if (is_dir)
        return ingest_dir(l, pos[0], opts[O_GLOB].val, &rq, opts[O_JSON].val != NULL);
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
