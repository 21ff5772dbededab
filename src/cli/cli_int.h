/* SPDX-License-Identifier: MIT */
/* cli_int.h - shared by the CLI commands: context, option parsing, output helpers. */
#ifndef LH_CLI_INT_H
#define LH_CLI_INT_H

#include "lh_common.h"
#include "buf.h"
#include "config.h"
#include "err.h"
#include "lake.h"

struct lh_ctx {
    struct lh_config cfg;
    struct lh_lake *lake; /* opened by cli_lake() on first use */
    const char *prog;
};

/* One command-line option of a command. `val` is filled by cli_parse. */
struct cli_opt {
    const char *name;  /* long name without dashes */
    const char *arg;   /* argument name for help, NULL for a flag */
    const char *help;
    const char *val;   /* parsed value ("1" for flags), NULL if absent */
};

/* Parses argv (after the command name) against opts; positional args are
 * collected into pos (max n_pos_max). Unknown options are errors unless
 * `settings` is true, in which case config settings are accepted and
 * applied to ctx->cfg. Returns 0, or 2 after printing an error, or 1 when
 * --help was printed (the caller exits 0). */
int cli_parse(struct lh_ctx *ctx, const char *cmd, const char *usage, int argc, char **argv,
              struct cli_opt *opts, const char **pos, int n_pos_max, int *n_pos, bool settings);

/* Opens the data folder (once). Prints the error and returns NULL on failure. */
struct lh_lake *cli_lake(struct lh_ctx *ctx);

/* Prints "lakehouse: <message>" on stderr and returns exit status 1. */
int cli_fail(const struct lh_error *err);
int cli_failf(const char *fmt, ...) LH_PRINTF(1, 2);

/* Who runs this command, for the journal: "cli:<user>". */
const char *cli_actor(void);

/* Writes a buffer to stdout followed by a newline. */
void cli_print_json(const struct lh_buf *b);
/* Human numbers: 1234567 -> "1,234,567". */
const char *cli_num(int64_t v, char buf[32]);
const char *cli_bytes(int64_t v, char buf[32]);

/* Progress bar on stderr when it is a terminal (ud is the label). */
void cli_progress(void *ud, double pct);
void cli_progress_done(void);

int lh_cmd_serve(struct lh_ctx *ctx, int argc, char **argv);
int lh_cmd_ingest(struct lh_ctx *ctx, int argc, char **argv);
int lh_cmd_sql(struct lh_ctx *ctx, int argc, char **argv);
int lh_cmd_datasets(struct lh_ctx *ctx, int argc, char **argv);
int lh_cmd_show(struct lh_ctx *ctx, int argc, char **argv);
int lh_cmd_delete(struct lh_ctx *ctx, int argc, char **argv);
int lh_cmd_gc(struct lh_ctx *ctx, int argc, char **argv);
int lh_cmd_resync(struct lh_ctx *ctx, int argc, char **argv);
int lh_cmd_demo(struct lh_ctx *ctx, int argc, char **argv);
int lh_cmd_config(struct lh_ctx *ctx, int argc, char **argv);
int lh_cmd_meta(struct lh_ctx *ctx, int argc, char **argv);
int lh_cmd_lineage(struct lh_ctx *ctx, int argc, char **argv);
int lh_cmd_history(struct lh_ctx *ctx, int argc, char **argv);
int lh_cmd_journal(struct lh_ctx *ctx, int argc, char **argv);
int lh_cmd_compact(struct lh_ctx *ctx, int argc, char **argv);
int lh_cmd_index(struct lh_ctx *ctx, int argc, char **argv);
int lh_cmd_indexes(struct lh_ctx *ctx, int argc, char **argv);
int lh_cmd_search(struct lh_ctx *ctx, int argc, char **argv);
int lh_cmd_ask(struct lh_ctx *ctx, int argc, char **argv);
int lh_cmd_jobs(struct lh_ctx *ctx, int argc, char **argv);
int lh_cmd_eval(struct lh_ctx *ctx, int argc, char **argv);
int lh_cmd_keys(struct lh_ctx *ctx, int argc, char **argv);
int lh_cmd_access(struct lh_ctx *ctx, int argc, char **argv);
int lh_cmd_tombstone(struct lh_ctx *ctx, int argc, char **argv);
int lh_cmd_audit(struct lh_ctx *ctx, int argc, char **argv);

#endif
