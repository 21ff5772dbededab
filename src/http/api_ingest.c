/* SPDX-License-Identifier: MIT */
/* api_ingest.c - handler for POST /ingest/file (the upload is already on disk). */
#include "lh_common.h"
#include "http_int.h"
#include "catalog.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>


/* NULL for a missing or empty parameter. */
static const char *param(const struct lh_req *rq, const char *key)
{
    const char *v = lh_req_param(rq, key);
    return v && *v ? v : NULL;
}

/* "true/false/1/0/yes/no" -> 1/0; absent -> -1. */
static int parse_header_flag(const char *s, int *out)
{
    if (!s) {
        *out = -1;
        return 0;
    }
    if (!strcasecmp(s, "true") || !strcmp(s, "1") || !strcasecmp(s, "yes")) {
        *out = 1;
        return 0;
    }
    if (!strcasecmp(s, "false") || !strcmp(s, "0") || !strcasecmp(s, "no")) {
        *out = 0;
        return 0;
    }
    return -LH_EINVAL;
}

/* The last path component of a client-supplied file name (either slash). */
static const char *base_name(const char *s)
{
    const char *b = s;
    for (const char *p = s; *p; p++)
        if ((*p == '/' || *p == '\\') && p[1])
            b = p + 1;
    return b;
}

int lh_api_ingest_file(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    struct lh_ingest_req in;
    struct lh_ingest_result res;
    enum lh_ingest_mode mode = LH_INGEST_CREATE;
    int rc;

    memset(&in, 0, sizeof(in));
    memset(&res, 0, sizeof(res));
    if (!rq->upload_path)
        return lh_error_set(err, LH_EINVAL, "the request carries no file");

    const char *mode_s = param(rq, "mode");
    if (mode_s && lh_ingest_mode_parse(mode_s, &mode) != 0)
        return lh_error_set(err, LH_EINVAL, "mode must be create, replace or append, not '%.32s'",
                            mode_s);
    if (parse_header_flag(param(rq, "header"), &in.header) != 0)
        return lh_error_set(err, LH_EINVAL, "header must be true or false");

    const char *source = NULL;
    if (rq->upload_filename && *rq->upload_filename)
        source = base_name(rq->upload_filename);
    if (!source || !*source)
        source = param(rq, "source");
    if (!source || !*source)
        source = "upload";

    const char *format = param(rq, "format");
    if (format && !strcasecmp(format, "auto"))
        format = NULL;

    in.path = rq->upload_path;
    in.name = param(rq, "name");
    in.mode = mode;
    in.format = format;
    in.source = source;
    in.delimiter = param(rq, "delimiter");
    in.description = lh_req_param(rq, "description");
    in.owner = lh_req_param(rq, "owner");
    in.actor = rq->actor;
    in.source_system = "upload";
    const char *allow = param(rq, "allow_schema_change");
    in.allow_schema_change = allow && (!strcmp(allow, "true") || !strcmp(allow, "1"));

    rc = lh_lake_ingest(rq->lake, &in, &res, err);
    if (rc < 0)
        goto out;

    if (!res.bytes_in)
        res.bytes_in = rq->upload_bytes;
    struct lh_buf body = LH_BUF_INIT;
    lh_lake_ingest_json(&res, &body);
    lh_reply_raw(rp, res.created ? 201 : 200, "application/json", body.ptr, body.len);
    lh_buf_release(&body);
out:
    lh_ingest_result_release(&res);
    return rc;
}
