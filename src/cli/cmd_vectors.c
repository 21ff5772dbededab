/* SPDX-License-Identifier: MIT */
/* cmd_vectors.c - vector commands: index, indexes, search, ask, jobs, eval. */
#include "lh_common.h"
#include "cli_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

static int parse_int(const struct cli_opt *o, int lo, int hi, int *out)
{
    char *end;
    if (!o->val)
        return 0;
    errno = 0;
    long v = strtol(o->val, &end, 10);
    if (end == o->val || *end || errno || v < lo || v > hi)
        return cli_failf("invalid --%s '%s': expected %d..%d", o->name, o->val, lo, hi);
    *out = (int)v;
    return 0;
}

static void job_progress(void *ud, int64_t done, int64_t total)
{
    cli_progress(ud, total > 0 ? 100.0 * (double)done / (double)total : 0);
}

int lh_cmd_index(struct lh_ctx *ctx, int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"chunk-size", "N", "characters per chunk (default 800)", NULL},
        {"dims", "N", "builtin embedder dimensions (default 384)", NULL},
        {"ef-construction", "N", "HNSW build beam width (default 100)", NULL},
        {"embedder", "E", "builtin (default), ollama or openai", NULL},
        {"id", "COL", "document id column (required)", NULL},
        {"json", NULL, "print JSON", NULL},
        {"m", "N", "HNSW links per node (default 16)", NULL},
        {"model", "M", "embedding model (ollama/openai)", NULL},
        {"name", "N", "index name (default <dataset>_<text column>)", NULL},
        {"overlap", "N", "characters shared by consecutive chunks (default 100)", NULL},
        {"text", "COL", "text column to embed (required)", NULL},
        {0},
    };
    enum { O_CHUNK, O_DIMS, O_EFC, O_EMB, O_ID, O_JSON, O_M, O_MODEL, O_NAME, O_OVERLAP, O_TEXT };
    const char *pos[1];
    int n_pos, rc;
    struct lh_error err;
    struct lh_index_req rq = {0};
    char job[40];
    if ((rc = cli_parse(ctx, "index", "DATASET --text COL --id COL [--embedder E]", argc, argv,
                        opts, pos, 1, &n_pos, false)))
        return rc == 1 ? 0 : rc;
    if (n_pos != 1 || !opts[O_TEXT].val || !opts[O_ID].val)
        return cli_failf("index: DATASET, --text COL and --id COL are required") + 1;
    if ((rc = parse_int(&opts[O_CHUNK], 50, 100000, &rq.chunk_size)) ||
        (rc = parse_int(&opts[O_OVERLAP], 0, 99999, &rq.chunk_overlap)) ||
        (rc = parse_int(&opts[O_M], 4, 128, &rq.m)) ||
        (rc = parse_int(&opts[O_EFC], 8, 2000, &rq.ef_construction)) ||
        (rc = parse_int(&opts[O_DIMS], 8, 65536, &rq.dims)))
        return rc;
    rq.dataset = pos[0];
    rq.text_col = opts[O_TEXT].val;
    rq.id_col = opts[O_ID].val;
    rq.name = opts[O_NAME].val;
    rq.embedder = opts[O_EMB].val;
    rq.model = opts[O_MODEL].val;
    rq.actor = cli_actor();
    struct lh_lake *l = cli_lake(ctx);
    if (!l)
        return 1;
    if (lh_lake_index(l, &rq, job, &err))
        return cli_fail(&err);
    rc = lh_lake_job_run(l, job, isatty(STDERR_FILENO) ? job_progress : NULL, (void *)"embedding",
                         &err);
    cli_progress_done();
    if (rc)
        return cli_fail(&err);
    struct lh_index_def **v = NULL;
    size_t n = 0;
    struct lh_job *j = NULL;
    if (lh_catalog_job_get(l->cat, job, &j, &err))
        return cli_fail(&err);
    if (lh_catalog_index_list(l->cat, rq.dataset, &v, &n, &err)) {
        lh_job_free(j);
        return cli_fail(&err);
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i]->name, j->target) != 0)
            continue;
        if (opts[O_JSON].val) {
            struct lh_buf b = LH_BUF_INIT;
            lh_lake_index_json(v[i], &b);
            cli_print_json(&b);
            lh_buf_release(&b);
        } else {
            printf("index '%s' ready: generation %lld, %lld dims, %s (stats %s)\n", v[i]->name,
                   (long long)v[i]->generation, (long long)v[i]->dims, v[i]->embedder,
                   v[i]->stats_json);
        }
    }
    lh_index_def_list_free(v, n);
    lh_job_free(j);
    return 0;
}

int lh_cmd_indexes(struct lh_ctx *ctx, int argc, char **argv)
{
    struct cli_opt opts[] = {{"json", NULL, "print JSON", NULL}, {0}};
    const char *pos[1];
    int n_pos, rc;
    struct lh_error err;
    if ((rc = cli_parse(ctx, "indexes", "[--json]", argc, argv, opts, pos, 0, &n_pos, false)))
        return rc == 1 ? 0 : rc;
    struct lh_lake *l = cli_lake(ctx);
    if (!l)
        return 1;
    struct lh_index_def **v = NULL;
    size_t n = 0;
    if (lh_catalog_index_list(l->cat, NULL, &v, &n, &err))
        return cli_fail(&err);
    struct lh_buf b = LH_BUF_INIT;
    if (opts[0].val)
        lh_buf_puts(&b, "{\"indexes\":[");
    for (size_t i = 0; i < n; i++) {
        if (opts[0].val) {
            if (i)
                lh_buf_putc(&b, ',');
            lh_lake_index_json(v[i], &b);
        } else {
            printf("%-30s %-20s %-10s %5lld dims  gen %-4lld %s%s\n", v[i]->name, v[i]->dataset,
                   v[i]->embedder, (long long)v[i]->dims, (long long)v[i]->generation,
                   v[i]->state, v[i]->stale ? " (stale)" : "");
        }
    }
    if (opts[0].val) {
        lh_buf_puts(&b, "]}");
        cli_print_json(&b);
    }
    lh_buf_release(&b);
    lh_index_def_list_free(v, n);
    return 0;
}

int lh_cmd_search(struct lh_ctx *ctx, int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"ef", "N", "HNSW search beam width", NULL},
        {"filter", "SQL", "SQL condition over the dataset's columns", NULL},
        {"json", NULL, "print JSON", NULL},
        {"k", "N", "results (default 10)", NULL},
        {"mode", "M", "vector, keyword or hybrid (default)", NULL},
        {"profile", "P", "stay inside this model profile", NULL},
        {0},
    };
    const char *pos[2];
    int n_pos, rc;
    struct lh_error err;
    struct lh_search_req rq = {0};
    struct lh_search_result r;
    if ((rc = cli_parse(ctx, "search", "INDEX \"text\" [--k N] [--mode M] [--filter SQL]", argc,
                        argv, opts, pos, 2, &n_pos, false)))
        return rc == 1 ? 0 : rc;
    if (n_pos != 2)
        return cli_failf("search: INDEX and a query text are required") + 1;
    if ((rc = parse_int(&opts[0], 1, 100000, &rq.ef)) || (rc = parse_int(&opts[3], 1, 1000, &rq.k)))
        return rc;
    if (lh_search_mode_parse(opts[4].val, &rq.mode))
        return cli_failf("invalid --mode '%s': use vector, keyword or hybrid", opts[4].val);
    rq.index = pos[0];
    rq.query = pos[1];
    rq.filter = opts[1].val;
    rq.profile = opts[5].val;
    struct lh_lake *l = cli_lake(ctx);
    if (!l)
        return 1;
    if (lh_lake_search(l, &rq, &r, &err))
        return cli_fail(&err);
    if (opts[2].val) {
        struct lh_buf b = LH_BUF_INIT;
        lh_lake_search_json(&r, &b);
        cli_print_json(&b);
        lh_buf_release(&b);
    } else {
        for (size_t i = 0; i < r.n; i++)
            printf("%2zu. [%s #%d] %.4f  %.120s\n", i + 1, r.hits[i].doc_id, r.hits[i].chunk_no,
                   (double)r.hits[i].score, r.hits[i].text);
    }
    lh_search_result_release(&r);
    return 0;
}

int lh_cmd_ask(struct lh_ctx *ctx, int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"filter", "SQL", "SQL condition over the dataset's columns", NULL},
        {"index", "I", "index to search (default: the only or first ready one)", NULL},
        {"json", NULL, "print JSON", NULL},
        {"k", "N", "passages (default 5)", NULL},
        {"profile", "P", "stay inside this model profile (and use its LLM)", NULL},
        {0},
    };
    const char *pos[1];
    int n_pos, rc;
    struct lh_error err;
    struct lh_rag_req rq = {0};
    if ((rc = cli_parse(ctx, "ask", "\"question\" [--index I] [--k N]", argc, argv, opts, pos, 1,
                        &n_pos, false)))
        return rc == 1 ? 0 : rc;
    if (n_pos != 1)
        return cli_failf("ask: a question is required") + 1;
    if ((rc = parse_int(&opts[3], 1, 50, &rq.k)))
        return rc;
    rq.question = pos[0];
    rq.index = opts[1].val;
    rq.filter = opts[0].val;
    rq.profile = opts[4].val;
    struct lh_lake *l = cli_lake(ctx);
    if (!l)
        return 1;
    struct lh_buf b = LH_BUF_INIT;
    if (lh_lake_rag(l, &rq, &b, &err)) {
        lh_buf_release(&b);
        return cli_fail(&err);
    }
    if (opts[2].val) {
        cli_print_json(&b);
    } else {
        /* the answer, then the citations */
        json_t *j = json_loads(b.ptr, 0, NULL);
        printf("%s\n", json_string_value(json_object_get(j, "answer")));
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(j, "citations"), i, c)
        {
            printf("  [%lld] %s: %.160s\n", (long long)json_integer_value(json_object_get(c, "n")),
                   json_string_value(json_object_get(c, "doc_id")),
                   json_string_value(json_object_get(c, "text")));
        }
        json_decref(j);
    }
    lh_buf_release(&b);
    return 0;
}

int lh_cmd_jobs(struct lh_ctx *ctx, int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"cancel", "ID", "cancel a job", NULL},
        {"json", NULL, "print JSON", NULL},
        {0},
    };
    const char *pos[1];
    int n_pos, rc;
    struct lh_error err;
    if ((rc = cli_parse(ctx, "jobs", "[--cancel ID] [--json]", argc, argv, opts, pos, 0, &n_pos,
                        false)))
        return rc == 1 ? 0 : rc;
    struct lh_lake *l = cli_lake(ctx);
    if (!l)
        return 1;
    if (opts[0].val) {
        if (lh_lake_job_cancel(l, opts[0].val, &err))
            return cli_fail(&err);
        printf("canceled job %s\n", opts[0].val);
        return 0;
    }
    struct lh_job **v = NULL;
    size_t n = 0;
    if (lh_catalog_job_list(l->cat, NULL, 100, &v, &n, &err))
        return cli_fail(&err);
    struct lh_buf b = LH_BUF_INIT;
    lh_buf_puts(&b, "{\"jobs\":[");
    for (size_t i = 0; i < n; i++) {
        if (opts[1].val) {
            if (i)
                lh_buf_putc(&b, ',');
            lh_lake_job_json(l, v[i], &b);
        } else {
            printf("%s %-6s %-24s %-9s %lld/%lld%s%s\n", v[i]->id, v[i]->kind, v[i]->target,
                   v[i]->state, (long long)v[i]->done, (long long)v[i]->total,
                   v[i]->error ? "  " : "", v[i]->error ? v[i]->error : "");
        }
    }
    lh_buf_puts(&b, "]}");
    if (opts[1].val)
        cli_print_json(&b);
    lh_buf_release(&b);
    lh_job_list_free(v, n);
    return 0;
}

/* Stored eval runs as lines: one per run, then one per ef. */
static void print_history(const struct lh_buf *b)
{
    json_t *j = json_loads(b->ptr, 0, NULL);
    size_t i, t;
    json_t *e, *c;
    json_array_foreach(json_object_get(j, "evals"), i, e)
    {
        json_t *p = json_object_get(e, "params");
        time_t ts = (time_t)(json_integer_value(json_object_get(e, "created_ms")) / 1000);
        char when[32];
        struct tm tm;
        strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime_r(&ts, &tm));
        printf("#%lld  %s  gen %lld  k %lld  queries %lld  vectors %lld  m %lld  efC %lld  "
               "%s %s %lld dims  exact %.3f ms  by %s\n",
               (long long)json_integer_value(json_object_get(e, "id")), when,
               (long long)json_integer_value(json_object_get(e, "generation")),
               (long long)json_integer_value(json_object_get(e, "k")),
               (long long)json_integer_value(json_object_get(e, "queries")),
               (long long)json_integer_value(json_object_get(e, "vectors")),
               (long long)json_integer_value(json_object_get(p, "m")),
               (long long)json_integer_value(json_object_get(p, "ef_construction")),
               json_string_value(json_object_get(p, "embedder")),
               json_string_value(json_object_get(p, "model")),
               (long long)json_integer_value(json_object_get(p, "dims")),
               json_number_value(json_object_get(e, "exact_ms_mean")),
               json_string_value(json_object_get(e, "actor")));
        json_array_foreach(json_object_get(e, "configs"), t, c)
        {
            printf("    ef %-5lld recall %.4f  p50 %.3f ms  p95 %.3f ms  p99 %.3f ms  %.0f QPS\n",
                   (long long)json_integer_value(json_object_get(c, "ef")),
                   json_number_value(json_object_get(c, "recall")),
                   json_number_value(json_object_get(c, "ms_p50")),
                   json_number_value(json_object_get(c, "ms_p95")),
                   json_number_value(json_object_get(c, "ms_p99")),
                   json_number_value(json_object_get(c, "qps")));
        }
    }
    json_decref(j);
}

int lh_cmd_eval(struct lh_ctx *ctx, int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"ef", "A,B,...", "ef_search values to try (default 16,32,64,128)", NULL},
        {"history", NULL, "list the stored runs of INDEX (newest first) instead of running one",
         NULL},
        {"json", NULL, "with --history: print JSON (a run always prints JSON)", NULL},
        {"k", "N", "recall@k (default 10)", NULL},
        {"limit", "N", "with --history: runs to list (default 100)", NULL},
        {"queries", "N", "queries (default 200)", NULL},
        {0},
    };
    enum { O_EF, O_HISTORY, O_JSON, O_K, O_LIMIT, O_QUERIES };
    const char *pos[1];
    int n_pos, rc, k = 10, nq = 200, limit = 100;
    int efs[16] = {16, 32, 64, 128};
    size_t n_efs = 4;
    struct lh_error err;
    if ((rc = cli_parse(ctx, "eval",
                        "INDEX [--queries N] [--k N] [--ef 16,32,64] | INDEX --history", argc,
                        argv, opts, pos, 1, &n_pos, false)))
        return rc == 1 ? 0 : rc;
    if (n_pos != 1)
        return cli_failf("eval: an INDEX is required") + 1;
    if ((rc = parse_int(&opts[O_K], 1, 1000, &k)) ||
        (rc = parse_int(&opts[O_QUERIES], 1, 10000, &nq)) ||
        (rc = parse_int(&opts[O_LIMIT], 1, 1000, &limit)))
        return rc;
    if (opts[O_EF].val) {
        n_efs = 0;
        for (const char *p = opts[O_EF].val; *p && n_efs < LH_ARRAY_LEN(efs);) {
            char *end;
            long v = strtol(p, &end, 10);
            if (end == p || v < 1 || v > 100000)
                return cli_failf("invalid --ef '%s': a comma-separated list of numbers",
                                 opts[O_EF].val);
            efs[n_efs++] = (int)v;
            p = *end == ',' ? end + 1 : end;
            if (*end && *end != ',')
                return cli_failf("invalid --ef '%s'", opts[O_EF].val);
        }
    }
    struct lh_lake *l = cli_lake(ctx);
    if (!l)
        return 1;
    struct lh_buf b = LH_BUF_INIT;
    rc = opts[O_HISTORY].val ? lh_lake_eval_history(l, pos[0], limit, &b, &err)
                             : lh_lake_eval(l, pos[0], nq, k, efs, n_efs, cli_actor(), &b, &err);
    if (rc) {
        lh_buf_release(&b);
        return cli_fail(&err);
    }
    if (opts[O_HISTORY].val && !opts[O_JSON].val)
        print_history(&b);
    else
        cli_print_json(&b);
    lh_buf_release(&b);
    return 0;
}
