/* SPDX-License-Identifier: MIT */
/* cli.c - command table, global options, config loading and shared CLI helpers. */
#include "lh_common.h"
#include "cli.h"
#include "cli_int.h"
#include "log.h"

#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cmd {
    const char *name;
    int (*fn)(struct lh_ctx *ctx, int argc, char **argv);
    const char *summary;
};

static const struct cmd commands[] = {
    {"serve", lh_cmd_serve, "start the HTTP API server"},
    {"ingest", lh_cmd_ingest, "ingest a CSV, JSON/NDJSON or Parquet file into a dataset"},
    {"sql", lh_cmd_sql, "run a read-only SQL query over the datasets"},
    {"datasets", lh_cmd_datasets, "list datasets"},
    {"show", lh_cmd_show, "show a dataset: schema, files, rows, snapshot"},
    {"delete", lh_cmd_delete, "delete a dataset and its files"},
    {"meta", lh_cmd_meta, "show or change a dataset's metadata and columns' PII"},
    {"lineage", lh_cmd_lineage, "where a dataset comes from and what derives from it"},
    {"history", lh_cmd_history, "a dataset's schema history"},
    {"journal", lh_cmd_journal, "the journal of mutations (all, or of one dataset)"},
    {"index", lh_cmd_index, "embed a dataset's text column into a vector index"},
    {"indexes", lh_cmd_indexes, "list vector indexes"},
    {"search", lh_cmd_search, "semantic, keyword or hybrid search of an index"},
    {"ask", lh_cmd_ask, "answer a question from the indexes, with citations (RAG)"},
    {"eval", lh_cmd_eval, "recall@k and latency of an index against exact search (stored)"},
    {"jobs", lh_cmd_jobs, "list or cancel background jobs"},
    {"demo", lh_cmd_demo, "generate and ingest the staffing demo data"},
    {"compact", lh_cmd_compact, "merge a dataset's small files into one"},
    {"gc", lh_cmd_gc, "remove files no catalog entry references"},
    {"resync", lh_cmd_resync, "repair row counts and schemas from Parquet footers"},
    {"config", lh_cmd_config, "print the effective configuration"},
    {"keys", lh_cmd_keys, "create, list or revoke API keys"},
    {"access", lh_cmd_access, "roles, views and model profiles (show, put from JSON, delete)"},
    {"tombstone", lh_cmd_tombstone, "delete rows by key everywhere; list tombstones"},
    {"audit", lh_cmd_audit, "read or verify the audit log"},
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: lakehouse [--data DIR] [--config FILE] [--log-level L] COMMAND [args]\n\n"
            "Commands:\n");
    for (size_t i = 0; i < LH_ARRAY_LEN(commands); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nEvery command takes --help; most take --json for machine-readable output.\n"
               "The configuration comes from lakehouse.conf (or --config / LH_CONFIG), then\n"
               "LH_* environment variables, then flags; see `lakehouse serve --help`.\n");
}

int cli_failf(const char *fmt, ...)
{
    char msg[LH_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cli_progress_done();
    fprintf(stderr, "lakehouse: %s\n", msg);
    return 1;
}

int cli_fail(const struct lh_error *err)
{
    return cli_failf("%s", err->msg[0] ? err->msg : lh_strerror(err->code));
}

const char *cli_actor(void)
{
    static char actor[80];
    if (!actor[0]) {
        const struct passwd *pw = getpwuid(geteuid());
        const char *user = getenv("USER");
        snprintf(actor, sizeof(actor), "cli:%s", user && user[0] ? user : pw ? pw->pw_name : "?");
    }
    return actor;
}

void cli_print_json(const struct lh_buf *b)
{
    fwrite(b->ptr, 1, b->len, stdout);
    fputc('\n', stdout);
}

const char *cli_num(int64_t v, char buf[32])
{
    char tmp[32];
    int n = snprintf(tmp, sizeof(tmp), "%lld", (long long)(v < 0 ? -v : v));
    int j = 0;
    if (v < 0)
        buf[j++] = '-';
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            buf[j++] = ',';
        buf[j++] = tmp[i];
    }
    buf[j] = '\0';
    return buf;
}

const char *cli_bytes(int64_t v, char buf[32])
{
    const char *u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double d = (double)v;
    int i = 0;
    while (d >= 1024 && i < 4) {
        d /= 1024;
        i++;
    }
    snprintf(buf, 32, i ? "%.1f %s" : "%.0f %s", d, u[i]);
    return buf;
}

static bool progress_shown;

void cli_progress(void *ud, double pct)
{
    if (!isatty(STDERR_FILENO))
        return;
    int w = 30, fill = (int)(pct / 100.0 * w);
    if (fill > w)
        fill = w;
    fprintf(stderr, "\r%-24.24s [", ud ? (const char *)ud : "");
    for (int i = 0; i < w; i++)
        fputc(i < fill ? '#' : ' ', stderr);
    fprintf(stderr, "] %5.1f%%", pct);
    fflush(stderr);
    progress_shown = true;
}

void cli_progress_done(void)
{
    if (progress_shown) {
        fprintf(stderr, "\r%*s\r", 66, "");
        progress_shown = false;
    }
}

static void print_cmd_help(const char *cmd, const char *use, const struct cli_opt *opts, bool settings)
{
    printf("usage: lakehouse [--data DIR] %s %s\n", cmd, use);
    bool any = false;
    for (const struct cli_opt *o = opts; o && o->name; o++) {
        if (!any)
            printf("\nOptions:\n");
        any = true;
        char left[64];
        snprintf(left, sizeof(left), "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        printf("  %-24s %s\n", left, o->help);
    }
    if (settings) {
        printf("\n");
        lh_config_print_help(stdout);
    }
}

int cli_parse(struct lh_ctx *ctx, const char *cmd, const char *use, int argc, char **argv,
              struct cli_opt *opts, const char **pos, int n_pos_max, int *n_pos, bool settings)
{
    struct lh_error err;
    *n_pos = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_cmd_help(cmd, use, opts, settings);
            return 1;
        }
        if (strcmp(a, "--") == 0) {
            for (i++; i < argc; i++) {
                if (*n_pos >= n_pos_max)
                    return cli_failf("%s: too many arguments", cmd) + 1;
                pos[(*n_pos)++] = argv[i];
            }
            break;
        }
        if (a[0] != '-' || a[1] != '-' || a[2] == '\0') {
            if (*n_pos >= n_pos_max)
                return cli_failf("%s: unexpected argument '%s' (see --help)", cmd, a) + 1;
            pos[(*n_pos)++] = a;
            continue;
        }
        char name[64];
        const char *eq = strchr(a + 2, '=');
        size_t nlen = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
        if (nlen >= sizeof(name))
            return cli_failf("%s: unknown option '%s'", cmd, a) + 1;
        memcpy(name, a + 2, nlen);
        name[nlen] = '\0';
        struct cli_opt *o = NULL;
        for (struct cli_opt *p = opts; p && p->name; p++)
            if (strcmp(p->name, name) == 0)
                o = p;
        bool is_setting = !o && settings && lh_config_has(name);
        if (!o && !is_setting)
            return cli_failf("%s: unknown option '--%s' (see --help)", cmd, name) + 1;
        const char *val = "1";
        if (is_setting || o->arg) {
            if (eq)
                val = eq + 1;
            else if (i + 1 < argc)
                val = argv[++i];
            else
                return cli_failf("%s: option --%s needs a value", cmd, name) + 1;
        } else if (eq) {
            return cli_failf("%s: option --%s takes no value", cmd, name) + 1;
        }
        if (is_setting) {
            if (lh_config_set(&ctx->cfg, name, val, &err))
                return cli_fail(&err) + 1;
        } else {
            o->val = val;
        }
    }
    return 0;
}

struct lh_lake *cli_lake(struct lh_ctx *ctx)
{
    struct lh_error err;
    if (!ctx->lake && lh_lake_open(&ctx->cfg, &ctx->lake, &err)) {
        cli_fail(&err);
        return NULL;
    }
    return ctx->lake;
}

static void audit_command(struct lh_ctx *ctx, int argc, char **argv, int rc, int64_t ms)
{
    struct lh_buf d = LH_BUF_INIT;
    for (int k = 0; k < argc; k++) {
        if (k)
            lh_buf_putc(&d, ' ');
        lh_buf_puts(&d, argv[k]);
    }
    struct lh_audit_entry e = {0};
    e.actor = cli_actor();
    e.role = "admin";
    e.action = argv[0];
    e.target = argc > 1 && argv[1][0] != '-' ? argv[1] : NULL;
    e.detail = d.ptr; /* redacted by the audit log */
    e.outcome = rc == 0 ? "ok" : "error";
    e.rows = -1;
    e.ms = ms;
    lh_audit_write(ctx->lake->audit, &e);
    lh_buf_release(&d);
}

int lh_cli_main(int argc, char **argv)
{
    struct lh_ctx ctx = {.prog = argv[0]};
    struct lh_error err;
    const char *data = NULL, *config = NULL, *level = NULL;
    int i, rc;

    lh_config_init(&ctx.cfg);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = NULL;
        size_t n = 0;
        if (strncmp(a, "--data", 6) == 0 && (a[6] == '\0' || a[6] == '='))
            dst = &data, n = 6;
        else if (strncmp(a, "--config", 8) == 0 && (a[8] == '\0' || a[8] == '='))
            dst = &config, n = 8;
        else if (strncmp(a, "--log-level", 11) == 0 && (a[11] == '\0' || a[11] == '='))
            dst = &level, n = 11;
        else if (strcmp(a, "--version") == 0) {
            printf("lakehouse %s\n", LH_VERSION);
            rc = 0;
            goto out;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0 || strcmp(a, "help") == 0) {
            usage(stdout);
            rc = 0;
            goto out;
        } else if (a[0] == '-') {
            rc = cli_failf("unknown global option '%s' (see --help)", a) + 1;
            goto out;
        } else {
            break;
        }
        if (a[n] == '=') {
            *dst = a + n + 1;
        } else if (i + 1 < argc) {
            *dst = argv[++i];
        } else {
            rc = cli_failf("option %s needs a value", a) + 1;
            goto out;
        }
    }
    if (i >= argc) {
        usage(stderr);
        rc = 2;
        goto out;
    }

    /* defaults < file < env < flags */
    if (!config)
        config = getenv("LH_CONFIG");
    if (!config && access("lakehouse.conf", R_OK) == 0)
        config = "lakehouse.conf";
    if (config && lh_config_load_file(&ctx.cfg, config, &err)) {
        rc = cli_fail(&err);
        goto out;
    }
    if (lh_config_load_env(&ctx.cfg, &err)) {
        rc = cli_fail(&err);
        goto out;
    }
    if (data && lh_config_set(&ctx.cfg, "data_dir", data, &err)) {
        rc = cli_fail(&err);
        goto out;
    }
    if (level && lh_config_set(&ctx.cfg, "log_level", level, &err)) {
        rc = cli_fail(&err);
        goto out;
    }
    lh_log_set_level(ctx.cfg.log_level);
    /* Commands other than serve are quiet unless asked. */
    if (!level && !getenv("LH_LOG_LEVEL") && strcmp(argv[i], "serve") != 0)
        lh_log_min_level = LH_LOG_WARN;

    for (size_t c = 0; c < LH_ARRAY_LEN(commands); c++) {
        if (strcmp(commands[c].name, argv[i]) == 0) {
            struct timespec t0, t1;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            rc = commands[c].fn(&ctx, argc - i - 1, argv + i + 1);
            clock_gettime(CLOCK_MONOTONIC, &t1);
            /* the CLI works on the data folder directly, as admin: audit it like the API */
            if (ctx.lake && strcmp(argv[i], "serve") != 0)
                audit_command(&ctx, argc - i, argv + i, rc,
                              (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
            goto out;
        }
    }
    rc = cli_failf("unknown command '%s' (see lakehouse --help)", argv[i]) + 1;
out:
    lh_lake_close(ctx.lake);
    lh_config_release(&ctx.cfg);
    return rc;
}
