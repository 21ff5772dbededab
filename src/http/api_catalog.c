/* SPDX-License-Identifier: MIT */
/* api_catalog.c - handlers for /catalog/...: list, show and delete datasets, resync, gc. */
#include "lh_common.h"
#include "http_int.h"
#include "catalog.h"

#include <stdlib.h>
#include <string.h>

int lh_api_datasets_list(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    struct lh_dataset **list = NULL;
    size_t n = 0;
    int rc = lh_catalog_list(rq->lake->cat, &list, &n, err);
    if (rc < 0)
        return rc;
    /* a role sees the datasets it may read (views are listed under /catalog/views) */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (lh_role_may_dataset(&rq->who.role, list[i]->name))
            list[k++] = list[i];
        else
            lh_dataset_free(list[i]);
    }
    n = k;
    struct lh_buf b = LH_BUF_INIT;
    lh_lake_datasets_json(list, n, &b);
    lh_dataset_list_free(list, n);
    return lh_reply_buf(rp, 200, &b);
}

int lh_api_dataset_get(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    struct lh_dataset *d = NULL;
    const char *name = lh_kvs_get(&rq->params, "name");
    int rc = lh_catalog_name_check(name ? name : "", err);
    if (rc == 0 && !lh_role_may_dataset(&rq->who.role, name))
        return lh_error_set(err, LH_ENOTFOUND, "dataset '%s' not found", name);
    if (rc < 0 || (rc = lh_catalog_get(rq->lake->cat, name, &d, err)) < 0)
        return rc;
    struct lh_buf b = LH_BUF_INIT;
    lh_lake_dataset_json(d, true, &b);
    lh_dataset_free(d);
    return lh_reply_buf(rp, 200, &b);
}

int lh_api_dataset_delete(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    const char *name = lh_kvs_get(&rq->params, "name");
    int rc = lh_lake_delete(rq->lake, name ? name : "", rq->actor, err);
    if (rc < 0)
        return rc;
    json_t *o = json_object();
    json_object_set_new(o, "deleted", lh_json_str(name));
    return lh_reply_json(rp, 200, o);
}

int lh_api_resync(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    struct lh_resync_result r;
    memset(&r, 0, sizeof(r));
    int rc = lh_lake_resync(rq->lake, &r, err);
    if (rc < 0)
        return rc;
    struct lh_buf b = LH_BUF_INIT;
    lh_lake_resync_json(&r, &b);
    return lh_reply_buf(rp, 200, &b);
}

int lh_api_gc(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    struct lh_gc_result r;
    memset(&r, 0, sizeof(r));
    int rc = lh_lake_gc(rq->lake, &r, err);
    if (rc < 0)
        return rc;
    struct lh_buf b = LH_BUF_INIT;
    lh_lake_gc_json(&r, &b);
    return lh_reply_buf(rp, 200, &b);
}
