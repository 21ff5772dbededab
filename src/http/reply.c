/* SPDX-License-Identifier: MIT */
/* reply.c - the reply builder (JSON, raw, errors, streams), key/value lists and requests. */
#include "lh_common.h"
#include "http_int.h"

#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- key/value lists ---- */

void lh_kvs_add_take(struct lh_kvs *kv, const char *key, char *val)
{
    if (kv->n == kv->cap) {
        kv->cap = kv->cap ? kv->cap * 2 : 8;
        kv->v = lh_xrealloc(kv->v, kv->cap * sizeof(*kv->v));
    }
    kv->v[kv->n].key = lh_xstrdup(key);
    kv->v[kv->n].val = val ? val : lh_xstrdup("");
    kv->n++;
}

void lh_kvs_add(struct lh_kvs *kv, const char *key, const char *val)
{
    lh_kvs_add_take(kv, key, lh_xstrdup(val ? val : ""));
}

const char *lh_kvs_get(const struct lh_kvs *kv, const char *key)
{
    for (size_t i = 0; i < kv->n; i++)
        if (strcmp(kv->v[i].key, key) == 0)
            return kv->v[i].val;
    return NULL;
}

const char *lh_kvs_get_ci(const struct lh_kvs *kv, const char *key)
{
    for (size_t i = 0; i < kv->n; i++)
        if (strcasecmp(kv->v[i].key, key) == 0)
            return kv->v[i].val;
    return NULL;
}

void lh_kvs_free(struct lh_kvs *kv)
{
    for (size_t i = 0; i < kv->n; i++) {
        free(kv->v[i].key);
        free(kv->v[i].val);
    }
    free(kv->v);
    kv->v = NULL;
    kv->n = kv->cap = 0;
}

/* ---- requests ---- */

void lh_req_init(struct lh_req *rq)
{
    memset(rq, 0, sizeof(*rq));
    lh_buf_init(&rq->body, 0);
    rq->client_fd = -1;
    snprintf(rq->actor, sizeof(rq->actor), "api");
    lh_principal_admin(&rq->who, rq->actor); /* the server replaces it (lh_router_authorize) */
    rq->audit_rows = -1;
}

void lh_req_release(struct lh_req *rq)
{
    lh_kvs_free(&rq->params);
    lh_kvs_free(&rq->query);
    lh_kvs_free(&rq->headers);
    lh_kvs_free(&rq->form);
    lh_buf_release(&rq->body);
    if (rq->json) {
        json_decref(rq->json);
        rq->json = NULL;
    }
    lh_principal_release(&rq->who);
    free(rq->audit_target);
    free(rq->audit_detail);
    rq->audit_target = rq->audit_detail = NULL;
}

const char *lh_req_param(const struct lh_req *rq, const char *key)
{
    const char *v = lh_kvs_get(&rq->form, key);
    return v ? v : lh_kvs_get(&rq->query, key);
}

bool lh_req_client_gone(const struct lh_req *rq)
{
    if (!rq || rq->client_fd < 0)
        return false;
    /* POLLRDHUP: the peer sent FIN; POLLHUP/POLLERR: reset or fully closed. Nothing is
     * read, so a pipelined next request is left alone (and does not count as gone). */
    struct pollfd p = {rq->client_fd, POLLRDHUP, 0};
    int n = poll(&p, 1, 0);
    return n > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

/* ---- JSON helpers ---- */

json_t *lh_json_str(const char *s)
{
    if (!s)
        return json_string("");
    json_t *j = json_string(s);
    if (j)
        return j;
    /* Invalid UTF-8: lh_buf_json_str replaces bad bytes with U+FFFD. */
    struct lh_buf b = LH_BUF_INIT;
    lh_buf_json_str(&b, s, strlen(s));
    j = json_loadb(b.ptr, b.len, JSON_DECODE_ANY, NULL);
    lh_buf_release(&b);
    return j ? j : json_string("");
}

static int dump_cb(const char *p, size_t n, void *ud)
{
    return lh_buf_append(ud, p, n) ? -1 : 0;
}

int lh_json_dump(const json_t *obj, struct lh_buf *out)
{
    if (json_dump_callback(obj, dump_cb, out, JSON_COMPACT | JSON_ENCODE_ANY) != 0)
        return -LH_EINTERNAL;
    return lh_buf_putc(out, '\n');
}

/* ---- replies ---- */

void lh_reply_init(struct lh_reply *rp)
{
    memset(rp, 0, sizeof(*rp));
    lh_buf_init(&rp->body, 0);
}

void lh_reply_release(struct lh_reply *rp)
{
    if (rp->pull && rp->free_fn)
        rp->free_fn(rp->ud);
    lh_buf_release(&rp->body);
    lh_kvs_free(&rp->headers);
    lh_reply_init(rp);
}

void lh_reply_stream_detach(struct lh_reply *rp)
{
    rp->pull = NULL;
    rp->cancel = NULL;
    rp->free_fn = NULL;
    rp->ud = NULL;
}

void lh_reply_header(struct lh_reply *rp, const char *key, const char *val)
{
    lh_kvs_add(&rp->headers, key, val);
}

/* Drops any previous body or stream but keeps extra headers. */
static void reply_reset_body(struct lh_reply *rp)
{
    if (rp->pull && rp->free_fn)
        rp->free_fn(rp->ud);
    lh_reply_stream_detach(rp);
    lh_buf_reset(&rp->body);
}

int lh_reply_json(struct lh_reply *rp, int status, json_t *obj)
{
    reply_reset_body(rp);
    rp->status = status;
    rp->content_type = "application/json";
    if (!obj || lh_json_dump(obj, &rp->body) != 0) {
        lh_buf_reset(&rp->body);
        rp->status = 500;
        lh_buf_puts(&rp->body, "{\"error\":{\"code\":\"internal_error\","
                               "\"message\":\"could not encode the reply\"}}\n");
    }
    if (obj)
        json_decref(obj);
    return 0;
}

int lh_reply_raw(struct lh_reply *rp, int status, const char *content_type, const void *p, size_t n)
{
    reply_reset_body(rp);
    rp->status = status;
    rp->content_type = content_type;
    lh_buf_append(&rp->body, p, n);
    return 0;
}

static void reply_error_msg(struct lh_reply *rp, int code, const char *msg)
{
    if (code < 0)
        code = -code;
    if (code == 0)
        code = LH_EINTERNAL;
    json_t *e = json_object();
    json_object_set_new(e, "code", json_string(lh_err_name(code)));
    json_object_set_new(e, "message", lh_json_str(msg && *msg ? msg : lh_strerror(code)));
    json_t *o = json_object();
    json_object_set_new(o, "error", e);
    lh_reply_json(rp, lh_err_http_status(code), o);
}

int lh_reply_error(struct lh_reply *rp, int code, const char *fmt, ...)
{
    char msg[LH_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    reply_error_msg(rp, code, msg);
    return code > 0 ? -code : (code == 0 ? -LH_EINTERNAL : code);
}

int lh_reply_error_from(struct lh_reply *rp, int code, const struct lh_error *err)
{
    if (err && err->code)
        code = err->code;
    reply_error_msg(rp, code, err ? err->msg : NULL);
    return code > 0 ? -code : (code == 0 ? -LH_EINTERNAL : code);
}

void lh_reply_stream(struct lh_reply *rp, int status, const char *content_type,
                     lh_reply_pull_fn pull, lh_reply_cancel_fn cancel, lh_reply_free_fn free_fn,
                     void *ud)
{
    reply_reset_body(rp);
    rp->status = status;
    rp->content_type = content_type;
    rp->pull = pull;
    rp->cancel = cancel;
    rp->free_fn = free_fn;
    rp->ud = ud;
}

int lh_reply_buf(struct lh_reply *rp, int status, struct lh_buf *b)
{
    lh_reply_raw(rp, status, "application/json", b->ptr, b->len);
    lh_buf_release(b);
    return 0;
}

int lh_json_opt_str(const json_t *o, const char *key, const char **out, struct lh_error *err)
{
    const json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return lh_error_set(err, LH_EINVAL, "\"%s\" must be a string", key);
    *out = json_string_value(v);
    return 0;
}
