/* SPDX-License-Identifier: MIT */
/* api_vectors.c - handlers for /vectors/...: indexes, jobs, search, RAG and eval runs. */
#include "lh_common.h"
#include "http_int.h"

#include <stdlib.h>
#include <string.h>

static int opt_int(const json_t *o, const char *key, int lo, int hi, int *out,
                   struct lh_error *err)
{
    const json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return lh_error_set(err, LH_EINVAL, "\"%s\" must be an integer from %d to %d", key, lo,
                            hi);
    *out = (int)json_integer_value(v);
    return 0;
}

static int need_object(const struct lh_req *rq, struct lh_error *err)
{
    return json_is_object(rq->json) ? 0
                                    : lh_error_set(err, LH_EINVAL, "the body must be a JSON object");
}

/* POST /vectors/index */
int lh_api_vectors_index(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    struct lh_index_req ir = {0};
    char job[40];
    const json_t *j = rq->json;
    int rc;
    if ((rc = need_object(rq, err)) || (rc = lh_json_opt_str(j, "dataset", &ir.dataset, err)) ||
        (rc = lh_json_opt_str(j, "text_column", &ir.text_col, err)) ||
        (rc = lh_json_opt_str(j, "id_column", &ir.id_col, err)) || (rc = lh_json_opt_str(j, "name", &ir.name, err)) ||
        (rc = lh_json_opt_str(j, "embedder", &ir.embedder, err)) ||
        (rc = lh_json_opt_str(j, "model", &ir.model, err)) ||
        (rc = opt_int(j, "dims", 8, 65536, &ir.dims, err)) ||
        (rc = opt_int(j, "chunk_size", 50, 100000, &ir.chunk_size, err)) ||
        (rc = opt_int(j, "chunk_overlap", 0, 99999, &ir.chunk_overlap, err)) ||
        (rc = opt_int(j, "m", 4, 128, &ir.m, err)) ||
        (rc = opt_int(j, "ef_construction", 8, 2000, &ir.ef_construction, err)))
        return rc;
    ir.actor = rq->actor;
    if ((rc = lh_lake_index(rq->lake, &ir, job, err)) || (rc = lh_lake_job_start(rq->lake, job, err)))
        return rc;
    struct lh_job *jb = NULL;
    if ((rc = lh_catalog_job_get(rq->lake->cat, job, &jb, err)))
        return rc;
    struct lh_buf b = LH_BUF_INIT;
    lh_lake_job_json(rq->lake, jb, &b);
    lh_job_free(jb);
    return lh_reply_buf(rp, 202, &b);
}

int lh_api_vectors_indexes(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    struct lh_index_def **v = NULL;
    size_t n = 0;
    int rc = lh_catalog_index_list(rq->lake->cat, lh_kvs_get(&rq->query, "dataset"), &v, &n, err);
    if (rc)
        return rc;
    struct lh_buf b = LH_BUF_INIT;
    lh_buf_puts(&b, "{\"indexes\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            lh_buf_putc(&b, ',');
        lh_lake_index_json(v[i], &b);
    }
    lh_buf_puts(&b, "]}");
    lh_index_def_list_free(v, n);
    return lh_reply_buf(rp, 200, &b);
}

int lh_api_vectors_index_get(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    struct lh_index_def *d = NULL;
    int rc = lh_catalog_index_get(rq->lake->cat, lh_kvs_get(&rq->params, "name"), &d, err);
    if (rc)
        return rc;
    struct lh_buf b = LH_BUF_INIT;
    lh_lake_index_json(d, &b);
    lh_index_def_free(d);
    return lh_reply_buf(rp, 200, &b);
}

int lh_api_vectors_index_delete(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    const char *name = lh_kvs_get(&rq->params, "name");
    int rc = lh_lake_index_drop(rq->lake, name ? name : "", err);
    if (rc)
        return rc;
    json_t *o = json_object();
    json_object_set_new(o, "deleted", lh_json_str(name));
    return lh_reply_json(rp, 200, o);
}

int lh_api_vectors_jobs(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    struct lh_job **v = NULL;
    size_t n = 0;
    int rc = lh_catalog_job_list(rq->lake->cat, lh_kvs_get(&rq->query, "state"), 100, &v, &n, err);
    if (rc)
        return rc;
    struct lh_buf b = LH_BUF_INIT;
    lh_buf_puts(&b, "{\"jobs\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            lh_buf_putc(&b, ',');
        lh_lake_job_json(rq->lake, v[i], &b);
    }
    lh_buf_puts(&b, "]}");
    lh_job_list_free(v, n);
    return lh_reply_buf(rp, 200, &b);
}

int lh_api_vectors_job_get(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    struct lh_job *j = NULL;
    int rc = lh_catalog_job_get(rq->lake->cat, lh_kvs_get(&rq->params, "id"), &j, err);
    if (rc)
        return rc;
    struct lh_buf b = LH_BUF_INIT;
    lh_lake_job_json(rq->lake, j, &b);
    lh_job_free(j);
    return lh_reply_buf(rp, 200, &b);
}

int lh_api_vectors_job_cancel(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    const char *id = lh_kvs_get(&rq->params, "id");
    int rc = lh_lake_job_cancel(rq->lake, id ? id : "", err);
    if (rc)
        return rc;
    json_t *o = json_object();
    json_object_set_new(o, "canceled", lh_json_str(id));
    return lh_reply_json(rp, 202, o);
}

/* POST /vectors/search {"index","query","k","mode","filter","ef"} */
int lh_api_vectors_search(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    struct lh_search_req sr = {0};
    struct lh_search_result r;
    const char *mode = NULL;
    const json_t *j = rq->json;
    int rc;
    if ((rc = need_object(rq, err)) || (rc = lh_json_opt_str(j, "index", &sr.index, err)) ||
        (rc = lh_json_opt_str(j, "query", &sr.query, err)) || (rc = lh_json_opt_str(j, "mode", &mode, err)) ||
        (rc = lh_json_opt_str(j, "filter", &sr.filter, err)) ||
        (rc = opt_int(j, "k", 1, 1000, &sr.k, err)) ||
        (rc = opt_int(j, "ef", 1, 100000, &sr.ef, err)))
        return rc;
    if ((rc = lh_json_opt_str(j, "profile", &sr.profile, err)))
        return rc;
    if (lh_search_mode_parse(mode, &sr.mode))
        return lh_error_set(err, LH_EINVAL, "mode must be vector, keyword or hybrid");
    sr.who = &rq->who;
    rq->audit_target = sr.index ? lh_xstrdup(sr.index) : NULL;
    rq->audit_detail = sr.query ? lh_xstrdup(sr.query) : NULL;
    if ((rc = lh_lake_search(rq->lake, &sr, &r, err)))
        return rc;
    rq->audit_rows = (int64_t)r.n;
    struct lh_buf b = LH_BUF_INIT;
    lh_lake_search_json(&r, &b);
    lh_search_result_release(&r);
    return lh_reply_buf(rp, 200, &b);
}

/* POST /vectors/rag {"question","index","k","filter"} */
int lh_api_vectors_rag(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    struct lh_rag_req rr = {0};
    const json_t *j = rq->json;
    int rc;
    if ((rc = need_object(rq, err)) || (rc = lh_json_opt_str(j, "question", &rr.question, err)) ||
        (rc = lh_json_opt_str(j, "index", &rr.index, err)) || (rc = lh_json_opt_str(j, "filter", &rr.filter, err)) ||
        (rc = opt_int(j, "k", 1, 50, &rr.k, err)) ||
        (rc = lh_json_opt_str(j, "profile", &rr.profile, err)))
        return rc;
    rr.who = &rq->who;
    rq->audit_target = rr.index ? lh_xstrdup(rr.index) : NULL;
    rq->audit_detail = rr.question ? lh_xstrdup(rr.question) : NULL;
    struct lh_buf b = LH_BUF_INIT;
    if ((rc = lh_lake_rag(rq->lake, &rr, &b, err))) {
        lh_buf_release(&b);
        return rc;
    }
    return lh_reply_buf(rp, 200, &b);
}

/* POST /vectors/eval {"index","queries","k","ef":[16,32,64]}: runs and stores an eval. */
int lh_api_vectors_eval(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    const char *index = NULL;
    int nq = 200, k = 10, efs[16] = {16, 32, 64, 128};
    size_t n_efs = 4;
    const json_t *j = rq->json;
    int rc;
    if ((rc = need_object(rq, err)) || (rc = lh_json_opt_str(j, "index", &index, err)) ||
        (rc = opt_int(j, "queries", 1, 10000, &nq, err)) ||
        (rc = opt_int(j, "k", 1, 1000, &k, err)))
        return rc;
    const json_t *je = json_object_get(j, "ef");
    if (je) {
        if (!json_is_array(je) || json_array_size(je) == 0 || json_array_size(je) > 16)
            return lh_error_set(err, LH_EINVAL, "\"ef\" must be a list of 1 to 16 integers");
        n_efs = 0;
        size_t i;
        json_t *v;
        json_array_foreach(je, i, v)
        {
            if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 100000)
                return lh_error_set(err, LH_EINVAL, "\"ef\" values must be 1..100000");
            efs[n_efs++] = (int)json_integer_value(v);
        }
    }
    if (!index)
        return lh_error_set(err, LH_EINVAL, "an \"index\" is required");
    struct lh_buf b = LH_BUF_INIT;
    if ((rc = lh_lake_eval(rq->lake, index, nq, k, efs, n_efs, rq->actor, &b, err))) {
        lh_buf_release(&b);
        return rc;
    }
    return lh_reply_buf(rp, 200, &b);
}

/* GET /vectors/indexes/{name}/evals?limit=N: the stored eval runs, newest first. */
int lh_api_vectors_index_evals(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    const char *name = lh_kvs_get(&rq->params, "name"), *ls = lh_kvs_get(&rq->query, "limit");
    int limit = 100;
    if (ls) {
        char *end;
        long v = strtol(ls, &end, 10);
        if (end == ls || *end || v < 1 || v > 1000)
            return lh_error_set(err, LH_EINVAL, "limit must be an integer from 1 to 1000");
        limit = (int)v;
    }
    struct lh_buf b = LH_BUF_INIT;
    int rc = lh_lake_eval_history(rq->lake, name ? name : "", limit, &b, err);
    if (rc) {
        lh_buf_release(&b);
        return rc;
    }
    return lh_reply_buf(rp, 200, &b);
}
