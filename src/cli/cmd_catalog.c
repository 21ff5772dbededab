/* SPDX-License-Identifier: MIT */
/* cmd_catalog.c - catalog commands: datasets, show, delete, gc, resync, config. */
#include "lh_common.h"
#include "cli_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int parse_simple(struct lh_ctx *ctx, const char *cmd, const char *use, int argc,
                        char **argv, struct cli_opt *opts, const char **pos, int n_pos_max,
                        int n_pos_want)
{
    int n_pos;
    int rc = cli_parse(ctx, cmd, use, argc, argv, opts, pos, n_pos_max, &n_pos, false);
    if (rc)
        return rc;
    if (n_pos != n_pos_want)
        return cli_failf("%s: expected %s (see --help)", cmd, use) + 1;
    return 0;
}

static const char *fmt_time(int64_t ms, char buf[32])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%d %H:%M:%SZ", &tm);
    return buf;
}

int lh_cmd_datasets(struct lh_ctx *ctx, int argc, char **argv)
{
    struct cli_opt opts[] = {{"json", NULL, "print JSON", NULL}, {0}};
    const char *pos[1];
    struct lh_error err;
    struct lh_dataset **list = NULL;
    size_t n = 0;
    int rc = parse_simple(ctx, "datasets", "[--json]", argc, argv, opts, pos, 0, 0);
    if (rc)
        return rc == 1 ? 0 : rc;
    struct lh_lake *l = cli_lake(ctx);
    if (!l)
        return 1;
    if (lh_catalog_list(l->cat, &list, &n, &err))
        return cli_fail(&err);
    if (opts[0].val) {
        struct lh_buf b = LH_BUF_INIT;
        lh_lake_datasets_json(list, n, &b);
        cli_print_json(&b);
        lh_buf_release(&b);
    } else {
        printf("%-32s %14s %10s %8s  %s\n", "NAME", "ROWS", "SIZE", "COLUMNS", "UPDATED");
        for (size_t i = 0; i < n; i++) {
            char a[32], b2[32], c[32];
            printf("%-32s %14s %10s %8zu  %s\n", list[i]->name, cli_num(list[i]->row_count, a),
                   cli_bytes(list[i]->size_bytes, b2), list[i]->n_columns,
                   fmt_time(list[i]->updated_ms, c));
        }
    }
    lh_dataset_list_free(list, n);
    return 0;
}

int lh_cmd_show(struct lh_ctx *ctx, int argc, char **argv)
{
    struct cli_opt opts[] = {{"json", NULL, "print JSON", NULL}, {0}};
    const char *pos[1];
    struct lh_error err;
    struct lh_dataset *d = NULL;
    int rc = parse_simple(ctx, "show", "NAME [--json]", argc, argv, opts, pos, 1, 1);
    if (rc)
        return rc == 1 ? 0 : rc;
    struct lh_lake *l = cli_lake(ctx);
    if (!l)
        return 1;
    if (lh_catalog_name_check(pos[0], &err) || lh_catalog_get(l->cat, pos[0], &d, &err))
        return cli_fail(&err);
    if (opts[0].val) {
        struct lh_buf b = LH_BUF_INIT;
        lh_lake_dataset_json(d, true, &b);
        cli_print_json(&b);
        lh_buf_release(&b);
    } else {
        char a[32], b2[32], c[32];
        printf("dataset   %s\n", d->name);
        if (d->description[0])
            printf("about     %s\n", d->description);
        if (d->owner[0])
            printf("owner     %s\n", d->owner);
        printf("rows      %s\nsize      %s\nsnapshot  %lld\nupdated   %s\nsensitivity %s\n"
               "source    %s (%s)\n\ncolumns (name, type, PII, sensitivity):\n",
               cli_num(d->row_count, a), cli_bytes(d->size_bytes, b2), (long long)d->snapshot_id,
               fmt_time(d->updated_ms, c), lh_lake_sensitivity(d), d->source, d->source_system);
        for (size_t i = 0; i < d->n_columns; i++)
            printf("  %-30s %-20s %-15s %s\n", d->columns[i].name, d->columns[i].type,
                   d->col_meta[i].pii_kind, d->col_meta[i].sensitivity);
        printf("\nfiles:\n");
        for (size_t i = 0; i < d->n_files; i++)
            printf("  %s  %s rows  %s  (from %s)\n", d->files[i].key, cli_num(d->files[i].rows, a),
                   cli_bytes(d->files[i].size_bytes, b2),
                   d->files[i].source ? d->files[i].source : "?");
    }
    lh_dataset_free(d);
    return 0;
}

int lh_cmd_delete(struct lh_ctx *ctx, int argc, char **argv)
{
    struct cli_opt opts[] = {{"json", NULL, "print JSON", NULL}, {0}};
    const char *pos[1];
    struct lh_error err;
    int rc = parse_simple(ctx, "delete", "NAME", argc, argv, opts, pos, 1, 1);
    if (rc)
        return rc == 1 ? 0 : rc;
    struct lh_lake *l = cli_lake(ctx);
    if (!l)
        return 1;
    if (lh_lake_delete(l, pos[0], cli_actor(), &err))
        return cli_fail(&err);
    if (opts[0].val)
        printf("{\"deleted\":\"%s\"}\n", pos[0]); /* name is validated: plain [a-z0-9_] */
    else
        printf("deleted dataset '%s'\n", pos[0]);
    return 0;
}

int lh_cmd_gc(struct lh_ctx *ctx, int argc, char **argv)
{
    struct cli_opt opts[] = {{"json", NULL, "print JSON", NULL}, {0}};
    const char *pos[1];
    struct lh_error err;
    struct lh_gc_result r;
    int rc = parse_simple(ctx, "gc", "[--json]", argc, argv, opts, pos, 0, 0);
    if (rc)
        return rc == 1 ? 0 : rc;
    struct lh_lake *l = cli_lake(ctx);
    if (!l)
        return 1;
    if (lh_lake_gc(l, &r, &err))
        return cli_fail(&err);
    if (opts[0].val) {
        struct lh_buf b = LH_BUF_INIT;
        lh_lake_gc_json(&r, &b);
        cli_print_json(&b);
        lh_buf_release(&b);
    } else {
        char a[32];
        printf("gc: removed %lld unreferenced file%s (%s), kept %lld\n", (long long)r.files_removed,
               r.files_removed == 1 ? "" : "s", cli_bytes(r.bytes_removed, a),
               (long long)r.files_kept);
    }
    return 0;
}

int lh_cmd_resync(struct lh_ctx *ctx, int argc, char **argv)
{
    struct cli_opt opts[] = {{"json", NULL, "print JSON", NULL}, {0}};
    const char *pos[1];
    struct lh_error err;
    struct lh_resync_result r;
    int rc = parse_simple(ctx, "resync", "[--json]", argc, argv, opts, pos, 0, 0);
    if (rc)
        return rc == 1 ? 0 : rc;
    struct lh_lake *l = cli_lake(ctx);
    if (!l)
        return 1;
    if (lh_lake_resync(l, &r, &err))
        return cli_fail(&err);
    if (opts[0].val) {
        struct lh_buf b = LH_BUF_INIT;
        lh_lake_resync_json(&r, &b);
        cli_print_json(&b);
        lh_buf_release(&b);
    } else {
        printf("resync: %lld datasets, %lld files checked, %lld datasets repaired, %lld files "
               "missing\n",
               (long long)r.datasets, (long long)r.files_checked, (long long)r.datasets_repaired,
               (long long)r.files_missing);
    }
    return r.files_missing ? 1 : 0;
}

int lh_cmd_config(struct lh_ctx *ctx, int argc, char **argv)
{
    struct cli_opt opts[] = {{"json", NULL, "print JSON (the default)", NULL}, {0}};
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(ctx, "config", "[--SETTING VALUE ...]", argc, argv, opts, pos, 0, &n_pos,
                       true);
    if (rc)
        return rc == 1 ? 0 : rc;
    struct lh_buf b = LH_BUF_INIT;
    lh_config_to_json(&ctx->cfg, &b);
    cli_print_json(&b);
    lh_buf_release(&b);
    return 0;
}

int lh_cmd_compact(struct lh_ctx *ctx, int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"json", NULL, "print JSON", NULL},
        {"target-bytes", "N", "merge files smaller than this (default 128MiB)", NULL},
        {0},
    };
    const char *pos[1];
    struct lh_error err;
    struct lh_compact_result r;
    int64_t target = 0;
    int rc = parse_simple(ctx, "compact", "NAME [--target-bytes N]", argc, argv, opts, pos, 1, 1);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (opts[1].val && (lh_parse_size(opts[1].val, &target) || target < 1))
        return cli_failf("invalid --target-bytes '%s'", opts[1].val);
    struct lh_lake *l = cli_lake(ctx);
    if (!l)
        return 1;
    if (lh_lake_compact(l, pos[0], target, cli_actor(), &r, &err))
        return cli_fail(&err);
    if (opts[0].val) {
        struct lh_buf b = LH_BUF_INIT;
        lh_lake_compact_json(pos[0], &r, &b);
        cli_print_json(&b);
        lh_buf_release(&b);
    } else if (r.files_merged == 0) {
        printf("compact: '%s' has nothing to merge (%lld files)\n", pos[0],
               (long long)r.files_before);
    } else {
        char a[32], b2[32];
        printf("compact: '%s' merged %lld files into 1 (%lld -> %lld files, %s -> %s)\n", pos[0],
               (long long)r.files_merged, (long long)r.files_before, (long long)r.files_after,
               cli_bytes(r.bytes_before, a), cli_bytes(r.bytes_after, b2));
    }
    return 0;
}
