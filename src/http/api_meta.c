/* SPDX-License-Identifier: MIT */
/* api_meta.c - handlers for dataset metadata, lineage, schema history and the journal. */
#include "lh_common.h"
#include "http_int.h"

#include <stdlib.h>
#include <string.h>

/* A string member, or NULL when absent; -LH_EINVAL when present but not a string. */
static int get_str(const json_t *o, const char *key, const char **out, struct lh_error *err)
{
    const json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v)
        return 0;
    if (!json_is_string(v))
        return lh_error_set(err, LH_EINVAL, "\"%s\" must be a string", key);
    *out = json_string_value(v);
    return 0;
}

/* An array member re-encoded as JSON text (malloc'd), or NULL when absent. */
static int get_array_text(const json_t *o, const char *key, char **out, struct lh_error *err)
{
    const json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v)
        return 0;
    if (!json_is_array(v))
        return lh_error_set(err, LH_EINVAL, "\"%s\" must be an array of strings", key);
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e))
            return lh_error_set(err, LH_EINVAL, "\"%s\" must be an array of strings", key);
    }
    *out = json_dumps(v, JSON_COMPACT);
    return 0;
}

/* PATCH /catalog/datasets/{name}/metadata
 * {"description","owner","tags":[..],"sensitivity","parents":[..],
 *  "columns":{"<column>":{"pii":"email","sensitivity":"restricted"}}} */
int lh_api_dataset_patch(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    const char *name = lh_kvs_get(&rq->params, "name");
    const json_t *j = rq->json;
    struct lh_meta_patch p = {0};
    struct lh_column_patch *cols = NULL;
    char *tags = NULL, *parents = NULL;
    int64_t snap = 0;
    int rc;

    if (!json_is_object(j)) {
        rc = lh_error_set(err, LH_EINVAL, "the body must be a JSON object");
        goto out;
    }
    static const char *const known[] = {"description", "owner", "tags", "sensitivity",
                                        "parents", "columns"};
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)j, key, val)
    {
        size_t k;
        for (k = 0; k < LH_ARRAY_LEN(known); k++)
            if (strcmp(key, known[k]) == 0)
                break;
        if (k == LH_ARRAY_LEN(known)) {
            rc = lh_error_set(err, LH_EINVAL,
                              "unknown field \"%.64s\" (use description, owner, tags, "
                              "sensitivity, parents, columns)",
                              key);
            goto out;
        }
    }
    if ((rc = get_str(j, "description", &p.description, err)) ||
        (rc = get_str(j, "owner", &p.owner, err)) ||
        (rc = get_str(j, "sensitivity", &p.sensitivity, err)) ||
        (rc = get_array_text(j, "tags", &tags, err)) ||
        (rc = get_array_text(j, "parents", &parents, err)))
        goto out;
    p.tags_json = tags;
    p.parents_json = parents;
    const json_t *jc = json_object_get(j, "columns");
    if (jc) {
        if (!json_is_object(jc)) {
            rc = lh_error_set(err, LH_EINVAL,
                              "\"columns\" must be an object: {\"col\": {\"pii\": \"email\"}}");
            goto out;
        }
        cols = lh_xcalloc(json_object_size(jc) + 1, sizeof(*cols));
        json_object_foreach((json_t *)jc, key, val)
        {
            struct lh_column_patch *c = &cols[p.n_columns++];
            c->name = key;
            if (!json_is_object(val) ||
                (rc = get_str(val, "pii", &c->pii_kind, err)) ||
                (rc = get_str(val, "sensitivity", &c->sensitivity, err))) {
                if (!rc)
                    rc = lh_error_set(err, LH_EINVAL, "column \"%.64s\" must be an object", key);
                goto out;
            }
        }
        p.columns = cols;
    }
    if ((rc = lh_lake_patch(rq->lake, name ? name : "", &p, rq->actor, &snap, err)))
        goto out;
    struct lh_dataset *d = NULL;
    if ((rc = lh_catalog_get(rq->lake->cat, name, &d, err)))
        goto out;
    struct lh_buf b = LH_BUF_INIT;
    lh_lake_dataset_json(d, false, &b);
    lh_dataset_free(d);
    lh_reply_buf(rp, 200, &b);
out:
    free(cols);
    free(tags);
    free(parents);
    return rc;
}

int lh_api_dataset_lineage(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    struct lh_buf b = LH_BUF_INIT;
    const char *name = lh_kvs_get(&rq->params, "name");
    int rc = lh_lake_lineage_json(rq->lake, name ? name : "", &b, err);
    if (rc) {
        lh_buf_release(&b);
        return rc;
    }
    return lh_reply_buf(rp, 200, &b);
}

int lh_api_dataset_schema(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    struct lh_buf b = LH_BUF_INIT;
    const char *name = lh_kvs_get(&rq->params, "name");
    int rc = lh_lake_history_json(rq->lake, name ? name : "", &b, err);
    if (rc) {
        lh_buf_release(&b);
        return rc;
    }
    return lh_reply_buf(rp, 200, &b);
}

/* ?limit=N (1..10000, default 100) &before=ID */
static int journal(struct lh_req *rq, struct lh_reply *rp, const char *entity,
                   struct lh_error *err)
{
    int64_t limit = 100, before = 0;
    const char *ls = lh_kvs_get(&rq->query, "limit"), *bs = lh_kvs_get(&rq->query, "before");
    if (ls && (lh_http_parse_i64(ls, &limit) || limit < 1 || limit > 10000))
        return lh_error_set(err, LH_EINVAL, "limit must be an integer from 1 to 10000");
    if (bs && (lh_http_parse_i64(bs, &before) || before < 0))
        return lh_error_set(err, LH_EINVAL, "before must be a journal id");
    struct lh_journal_entry *e = NULL;
    size_t n = 0;
    int rc = lh_catalog_journal(rq->lake->cat, entity, before, (int)limit, &e, &n, err);
    if (rc)
        return rc;
    struct lh_buf b = LH_BUF_INIT;
    lh_lake_journal_json(e, n, &b);
    lh_journal_free(e, n);
    return lh_reply_buf(rp, 200, &b);
}

int lh_api_journal_recent(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    return journal(rq, rp, NULL, err);
}

int lh_api_journal_history(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    const char *entity = lh_kvs_get(&rq->params, "entity");
    if (!entity || !entity[0] || strlen(entity) > 200)
        return lh_error_set(err, LH_EINVAL, "an entity (dataset or dataset.column) is required");
    return journal(rq, rp, entity, err);
}

/* POST /catalog/datasets/{name}/compact[?wait=true&target_bytes=N] */
int lh_api_dataset_compact(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    const char *name = lh_kvs_get(&rq->params, "name");
    const char *ws = lh_kvs_get(&rq->query, "wait"), *ts = lh_kvs_get(&rq->query, "target_bytes");
    int64_t target = 0;
    int rc;
    if (ts && (lh_http_parse_i64(ts, &target) || target < 1))
        return lh_error_set(err, LH_EINVAL, "target_bytes must be a positive integer");
    if (ws && (!strcmp(ws, "true") || !strcmp(ws, "1"))) {
        struct lh_compact_result r;
        if ((rc = lh_lake_compact(rq->lake, name ? name : "", target, rq->actor, &r, err)))
            return rc;
        struct lh_buf b = LH_BUF_INIT;
        lh_lake_compact_json(name, &r, &b);
        return lh_reply_buf(rp, 200, &b);
    }
    if ((rc = lh_lake_compact_async(rq->lake, name ? name : "", target, rq->actor, err)))
        return rc;
    json_t *o = json_object();
    json_object_set_new(o, "dataset", lh_json_str(name));
    json_object_set_new(o, "status", json_string("started"));
    return lh_reply_json(rp, 202, o);
}

/* {"dataset": "name"} */
static int body_dataset(const struct lh_req *rq, const char **out, struct lh_error *err)
{
    const json_t *v = json_is_object(rq->json) ? json_object_get(rq->json, "dataset") : NULL;
    if (!json_is_string(v))
        return lh_error_set(err, LH_EINVAL, "the body must be {\"dataset\": \"<name>\"}");
    *out = json_string_value(v);
    return 0;
}

int lh_api_cache_pin(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    const char *name;
    struct lh_cache_info ci;
    int rc = body_dataset(rq, &name, err);
    if (rc || (rc = lh_lake_cache_pin(rq->lake, name, &ci, err)))
        return rc;
    struct lh_buf b = LH_BUF_INIT;
    lh_lake_cache_info_json(&ci, &b);
    return lh_reply_buf(rp, 200, &b);
}

int lh_api_cache_evict(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    const char *name;
    int rc = body_dataset(rq, &name, err);
    if (rc || (rc = lh_catalog_name_check(name, err)) ||
        (rc = lh_lake_cache_evict(rq->lake, name, err)))
        return rc;
    json_t *o = json_object();
    json_object_set_new(o, "evicted", lh_json_str(name));
    return lh_reply_json(rp, 200, o);
}

int lh_api_cache_stats(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    LH_UNUSED(err);
    struct lh_buf b = LH_BUF_INIT;
    lh_lake_cache_stats_json(rq->lake, &b);
    return lh_reply_buf(rp, 200, &b);
}
