/* SPDX-License-Identifier: MIT */
/* api_system.c - handlers for GET /health and GET /openapi.json. */
#include "lh_common.h"
#include "http.h"
#include "http_int.h"
#include "catalog.h"

#include <stdlib.h>
#include <string.h>

int lh_api_health(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    LH_UNUSED(err);
    struct lh_catalog *cat = rq->lake ? rq->lake->cat : NULL;
    int64_t up = lh_http_now_ms() - rq->server_started_ms;
    json_t *o = json_object();
    json_object_set_new(o, "status", json_string("ok"));
    json_object_set_new(o, "version", json_string(LH_VERSION));
    json_object_set_new(o, "datasets", json_integer(cat ? lh_catalog_count(cat) : 0));
    json_object_set_new(o, "snapshot_id", json_integer(cat ? lh_catalog_snapshot(cat) : 0));
    json_object_set_new(o, "uptime_ms", json_integer(up > 0 ? up : 0));
    return lh_reply_json(rp, 200, o);
}

int lh_api_openapi(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    LH_UNUSED(rq);
    LH_UNUSED(err);
    char *doc = lh_http_openapi();
    lh_reply_raw(rp, 200, "application/json", doc, strlen(doc));
    free(doc);
    return 0;
}
