/* SPDX-License-Identifier: MIT */
/* api_query.c - handler for POST /query/sql: validate, start the query, stream the result. */
#include "lh_common.h"
#include "http_int.h"
#include "log.h"
#include "sql.h"

#include <stdlib.h>
#include <string.h>

/* Stream state; owned by the server once the reply is queued. */
struct qstream {
    struct lh_sql_cursor *cur;
    int64_t *rows_out; /* the request's audit row count (valid while the stream is pulled) */
    enum lh_sql_format fmt;
    bool done; /* the cursor reported the end (or an error) */
    char req_id[LH_REQ_ID_MAX + 1];
};

static int q_pull(void *ud, struct lh_buf *out)
{
    struct qstream *q = ud;
    struct lh_error err;
    lh_error_clear(&err);
    int rc = lh_sql_cursor_read(q->cur, out, &err);
    *q->rows_out = lh_sql_cursor_rows(q->cur);
    if (rc >= 0) {
        if (rc == 0)
            q->done = true;
        return rc;
    }
    q->done = true;
    LH_LOG(LH_LOG_WARN, "http", "msg=query_stream_failed req_id=%s code=%s rows=%lld", q->req_id,
           lh_err_name(rc), (long long)lh_sql_cursor_rows(q->cur));
    /* The JSON writer closes the document with an "error" member, so the
     * body is complete; CSV/NDJSON have no way to say so: cut the stream. */
    return q->fmt == LH_FMT_JSON ? 0 : rc;
}

static void q_cancel(void *ud)
{
    struct qstream *q = ud;
    lh_sql_cursor_cancel(q->cur);
}

static void q_free(void *ud)
{
    struct qstream *q = ud;
    if (!q->done)
        lh_sql_cursor_cancel(q->cur); /* client went away mid-stream */
    lh_sql_cursor_close(q->cur);
    free(q);
}

/* The sql engine polls this while the query runs: a client that went away (the
 * browser's Cancel aborts its fetch) must not keep DuckDB busy until the timeout. */
static bool q_abandoned(void *ud)
{
    return lh_req_client_gone(ud);
}

/* An optional non-negative integer member; -LH_EINVAL if present but not one. */
static int get_count(const json_t *obj, const char *key, int64_t *out, struct lh_error *err)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return lh_error_set(err, LH_EINVAL, "\"%s\" must be a non-negative integer", key);
    *out = json_integer_value(v);
    return 0;
}

int lh_api_query_sql(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    const struct lh_config *cfg = rq->cfg;
    struct lh_query_opts o;
    struct lh_sql_cursor *cur = NULL;
    enum lh_sql_format fmt = LH_FMT_JSON;
    int64_t limit = cfg ? cfg->query_row_limit : 0;
    int64_t cfg_timeout = cfg ? cfg->query_timeout_ms : 0;
    int64_t timeout = 0;
    int rc;

    const json_t *jsql = json_object_get(rq->json, "sql");
    if (!json_is_string(jsql) || json_string_length(jsql) == 0)
        return lh_error_set(err, LH_EINVAL, "\"sql\" must be a non-empty string");
    if (strlen(json_string_value(jsql)) != json_string_length(jsql))
        return lh_error_set(err, LH_EINVAL, "\"sql\" must not contain NUL characters");

    const json_t *jfmt = json_object_get(rq->json, "format");
    const char *fmt_s = NULL;
    if (jfmt && !json_is_null(jfmt)) {
        if (!json_is_string(jfmt))
            return lh_error_set(err, LH_EINVAL, "\"format\" must be a string");
        fmt_s = json_string_value(jfmt);
    } else {
        fmt_s = lh_kvs_get(&rq->query, "format");
    }
    if (fmt_s && *fmt_s && lh_sql_format_parse(fmt_s, &fmt) != 0)
        return lh_error_set(err, LH_EINVAL, "format must be json, ndjson, csv or parquet");

    if ((rc = get_count(rq->json, "limit", &limit, err)) < 0)
        return rc;
    if ((rc = get_count(rq->json, "timeout_ms", &timeout, err)) < 0)
        return rc;
    /* A request may lower the configured timeout but never raise or disable it. */
    if (cfg_timeout > 0 && (timeout == 0 || timeout > cfg_timeout))
        timeout = cfg_timeout;

    memset(&o, 0, sizeof(o));
    o.format = fmt;
    o.row_limit = limit;
    o.timeout_ms = timeout;
    /* "as_role": governors preview what a role would see (masks, views, firewall) */
    struct lh_principal as;
    const struct lh_principal *who = &rq->who;
    const json_t *jrole = json_object_get(rq->json, "as_role");
    bool impersonate = jrole && !json_is_null(jrole);
    if (impersonate) {
        if (!json_is_string(jrole))
            return lh_error_set(err, LH_EINVAL, "\"as_role\" must be a role name");
        if (!(rq->who.role.perms & LH_PERM_GOVERN))
            return lh_error_set(err, LH_EPERM, "\"as_role\" needs the govern permission");
        memset(&as, 0, sizeof(as));
        if ((rc = lh_lake_role_load(rq->lake, json_string_value(jrole), &as.role, err)) < 0)
            return rc == -LH_ENOTFOUND ? lh_error_set(err, LH_EINVAL, "unknown role '%.63s'",
                                                      json_string_value(jrole))
                                       : rc;
        snprintf(as.actor, sizeof(as.actor), "%.80s as %.40s", rq->who.actor, as.role.name);
        who = &as;
        rq->audit_target = lh_xasprintf("as_role:%s", as.role.name);
    }
    /* rq outlives every call the engine polls during: lh_lake_query below, and the
     * cursor reads of the stream, which the server makes while the connection lives. */
    o.abandoned = q_abandoned;
    o.abandoned_ud = rq;
    rq->audit_detail = lh_xstrdup(json_string_value(jsql));
    rc = lh_lake_query(rq->lake, who, json_string_value(jsql), &o, &cur, err);
    if (impersonate)
        lh_principal_release(&as);
    if (rc < 0)
        return rc;

    struct qstream *q = lh_xcalloc(1, sizeof(*q));
    q->cur = cur;
    q->rows_out = &rq->audit_rows;
    rq->audit_rows = lh_sql_cursor_rows(cur);
    q->fmt = fmt;
    memcpy(q->req_id, rq->id, sizeof(q->req_id));
    lh_reply_stream(rp, 200, lh_sql_format_mime(fmt), q_pull, q_cancel, q_free, q);
    if (fmt == LH_FMT_PARQUET)
        lh_reply_header(rp, "Content-Disposition", "attachment; filename=\"result.parquet\"");
    return 0;
}
