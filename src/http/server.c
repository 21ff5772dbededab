/* SPDX-License-Identifier: MIT */
/* server.c - the libmicrohttpd adapter: daemon, requests, uploads, streaming, signals, shutdown.
 *
 * This is the only file that includes microhttpd.h. It turns MHD's
 * access-handler calls into a struct lh_req (streaming upload bodies to a
 * temp file on the way), runs the router and writes the struct lh_reply
 * back, buffered or as a chunked stream. See docs/internals/http.md. */
#include "lh_common.h"
#include "http.h"
#include "http_int.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#define STREAM_BLOCK (64 * 1024)       /* MHD block size of streamed replies */
#define PP_BUFFER (64 * 1024)          /* post processor buffer */
#define FORM_FIELD_MAX 4096            /* one multipart text field */
#define FORM_FIELDS_MAX 32             /* number of multipart text fields */
#define MULTIPART_SLACK (1024 * 1024)  /* framing + fields on top of max_upload_bytes */
#define DISCARD_MAX (64 * 1024 * 1024) /* body bytes read after a failure before we hang up */
#define MEMORY_LIMIT (64 * 1024)       /* per-connection MHD pool: request line + headers */
#ifndef LH_HTTP_IDLE_TIMEOUT_S
#define LH_HTTP_IDLE_TIMEOUT_S 60 /* idle keep-alive / stalled client timeout */
#endif
#define LOG_FIELD_MAX 256

struct stream;

/* The root server state (one per lh_http_serve call). */
struct server {
    struct lh_lake *lake;
    const struct lh_config *cfg;
    struct MHD_Daemon *d;
    int64_t started_ms;
    bool auth_required;  /* callers must present an API key */
    atomic_int stopping; /* shutdown began: replies say Connection: close */
    atomic_int running;  /* daemon is up: MHD messages are debug noise from then on */
    pthread_mutex_t mu;
    pthread_cond_t cv;      /* signalled when in_flight drops */
    int64_t in_flight;      /* requests between first access call and completion (under mu) */
    struct stream *streams; /* live streamed replies, for cancel at grace expiry (under mu) */
    char start_msg[256];    /* last MHD message before the daemon was up */
    struct lh_http_counters counters; /* GET /system */
};

enum body_kind { BODY_DISCARD, BODY_JSON, BODY_RAW, BODY_MULTIPART };

/* Per-request state (*con_cls). */
struct conn {
    struct server *srv;
    struct lh_req rq;
    char *method;
    char *path;
    int64_t t0;
    int status;     /* status of the queued reply; 0 = none yet */
    uint64_t bytes; /* reply body bytes queued (buffered) or sent (stream) */
    bool queued;
    /* body */
    enum body_kind kind;
    int64_t body_bytes;
    int64_t body_cap;
    bool failed; /* the reply is decided (fail_code); the rest of the body is discarded */
    int fail_code;
    char fail_msg[256];
    int64_t fail_at; /* body_bytes when it failed */
    char allow[64];  /* Allow header of a deferred 405 */
    struct MHD_PostProcessor *pp;
    char *upload_path;
    int upload_fd;
    int64_t upload_bytes;
    char *filename;
    bool file_seen;
    bool file_ended;
};

/* A streamed reply (MHD content reader). */
struct stream {
    struct server *srv;
    struct conn *conn;         /* valid while MHD calls stream_read */
    struct MHD_Connection *mc; /* likewise */
    struct stream *prev, *next;
    lh_reply_pull_fn pull;
    lh_reply_cancel_fn cancel;
    lh_reply_free_fn free_fn;
    void *ud;
    struct lh_buf out;
    size_t off;
    bool done;
    bool failed;
};

/* Signal state: the handler only records the signal and writes a byte to the self-pipe. */
static volatile sig_atomic_t g_signal;
static volatile sig_atomic_t g_sig_count;
static volatile sig_atomic_t g_sig_fd = -1;

static void on_signal(int sig)
{
    int saved = errno;
    g_signal = sig;
    g_sig_count = g_sig_count + 1;
    if (g_sig_fd >= 0) {
        char b = 1;
        ssize_t r = write(g_sig_fd, &b, 1);
        LH_UNUSED(r);
    }
    errno = saved;
}

/* ---- helpers ---- */

/* A copy of s safe for a key=value log field: printable ASCII except '"' and spaces, capped. */
static void log_field(char *out, size_t cap, const char *s)
{
    size_t i = 0;
    for (; s && s[i] && i + 1 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = (c > 0x20 && c < 0x7f && c != '"') ? (char)c : '?';
    }
    out[i] = '\0';
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void conn_fail(struct conn *c, int code, const char *fmt, ...) LH_PRINTF(3, 4);
static void conn_fail(struct conn *c, int code, const char *fmt, ...)
{
    if (c->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->fail_msg, sizeof(c->fail_msg), fmt, ap);
    va_end(ap);
    c->failed = true;
    c->fail_code = code;
    c->fail_at = c->body_bytes;
}

/* Closes and removes the temp upload file (idempotent). */
static void upload_discard(struct conn *c)
{
    if (c->upload_fd >= 0) {
        close(c->upload_fd);
        c->upload_fd = -1;
    }
    if (c->upload_path) {
        if (unlink(c->upload_path) != 0 && errno != ENOENT)
            LH_LOG(LH_LOG_WARN, "http", "msg=upload_unlink_failed req_id=%s errno=%d", c->rq.id,
                   errno);
        free(c->upload_path);
        c->upload_path = NULL;
    }
}

static int upload_open(struct conn *c)
{
    c->upload_path = lh_lake_tmp_path(c->srv->lake, ".upload");
    if (!c->upload_path) {
        conn_fail(c, LH_EIO, "cannot store the upload: no staging directory");
        return -LH_EIO;
    }
    c->upload_fd = open(c->upload_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (c->upload_fd < 0) {
        int e = errno;
        LH_LOG(LH_LOG_ERROR, "http", "msg=upload_open_failed req_id=%s errno=%d", c->rq.id, e);
        free(c->upload_path);
        c->upload_path = NULL;
        conn_fail(c, LH_EIO, "cannot store the upload: %s", strerror(e));
        return -LH_EIO;
    }
    return 0;
}

static int upload_write(struct conn *c, const char *data, size_t n)
{
    int64_t max = c->srv->cfg->max_upload_bytes;
    if ((int64_t)n > max - c->upload_bytes) {
        conn_fail(c, LH_ETOOBIG, "the upload is larger than the limit of %lld bytes",
                  (long long)max);
        return -LH_ETOOBIG;
    }
    int rc = write_all(c->upload_fd, data, n);
    if (rc < 0) {
        conn_fail(c, LH_EIO, "cannot store the upload: %s", strerror(-rc));
        return -LH_EIO;
    }
    c->upload_bytes += (int64_t)n;
    return 0;
}

/* ---- multipart ---- */

static enum MHD_Result on_post_data(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *filename, const char *content_type,
                                    const char *transfer_encoding, const char *data, uint64_t off,
                                    size_t size)
{
    struct conn *c = cls;
    LH_UNUSED(kind);
    LH_UNUSED(content_type);
    LH_UNUSED(transfer_encoding);

    if (c->failed || !key)
        return c->failed ? MHD_NO : MHD_YES;
    if (strcmp(key, "file") == 0) {
        if (off == 0 && c->file_seen && (c->file_ended || c->upload_bytes > 0)) {
            conn_fail(c, LH_EINVAL, "send exactly one \"file\" field per upload");
            return MHD_NO;
        }
        if (!c->file_seen) {
            c->file_seen = true;
            if (filename && !c->filename)
                c->filename = lh_xstrndup(filename, strnlen(filename, 1024));
            if (upload_open(c) < 0)
                return MHD_NO;
        }
        if (size > 0 && upload_write(c, data, size) < 0)
            return MHD_NO;
        return MHD_YES;
    }
    if (c->file_seen)
        c->file_ended = true;
    if (filename)
        return MHD_YES; /* some other file part: ignored */

    struct lh_kvs *form = &c->rq.form;
    struct lh_kv *last = form->n ? &form->v[form->n - 1] : NULL;
    if (off > 0 && last && strcmp(last->key, key) == 0) { /* next piece of the same field */
        size_t have = strlen(last->val);
        if (have + size > FORM_FIELD_MAX) {
            conn_fail(c, LH_EINVAL, "form field '%.64s' is longer than %d bytes", key,
                      FORM_FIELD_MAX);
            return MHD_NO;
        }
        last->val = lh_xrealloc(last->val, have + size + 1);
        memcpy(last->val + have, data, size);
        last->val[have + size] = '\0';
        return MHD_YES;
    }
    if (form->n >= FORM_FIELDS_MAX) {
        conn_fail(c, LH_EINVAL, "too many form fields (at most %d)", FORM_FIELDS_MAX);
        return MHD_NO;
    }
    if (size > FORM_FIELD_MAX || memchr(data, '\0', size)) {
        conn_fail(c, LH_EINVAL, "form field '%.64s' is too long or contains NUL", key);
        return MHD_NO;
    }
    lh_kvs_add_take(form, key, lh_xstrndup(data, size));
    return MHD_YES;
}

/* ---- replies ---- */

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct stream *s = cls;
    LH_UNUSED(pos);
    while (s->off >= s->out.len) {
        if (s->done)
            return s->failed ? MHD_CONTENT_READER_END_WITH_ERROR : MHD_CONTENT_READER_END_OF_STREAM;
        lh_buf_reset(&s->out);
        s->off = 0;
        int rc = s->pull(s->ud, &s->out);
        if (rc <= 0) {
            s->done = true;
            s->failed = rc < 0;
        }
        /* MHD measures idleness from the last socket activity, so a pull
         * that blocked in DuckDB longer than the idle timeout would get the
         * connection closed right after it returns. Going through 0 restarts
         * the clock (MHD resets last_activity when enabling a timeout). */
        MHD_set_connection_option(s->mc, MHD_CONNECTION_OPTION_TIMEOUT, 0u);
        MHD_set_connection_option(s->mc, MHD_CONNECTION_OPTION_TIMEOUT,
                                  (unsigned int)LH_HTTP_IDLE_TIMEOUT_S);
    }
    size_t n = s->out.len - s->off;
    if (n > max)
        n = max;
    memcpy(buf, s->out.ptr + s->off, n);
    s->off += n;
    s->conn->bytes += n;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    struct stream *s = cls;
    struct server *srv = s->srv;
    pthread_mutex_lock(&srv->mu);
    if (s->prev)
        s->prev->next = s->next;
    else
        srv->streams = s->next;
    if (s->next)
        s->next->prev = s->prev;
    pthread_mutex_unlock(&srv->mu);
    if (s->free_fn)
        s->free_fn(s->ud);
    lh_buf_release(&s->out);
    free(s);
}

/* Asks every live stream to stop (grace period over). */
static void streams_cancel_all(struct server *srv)
{
    pthread_mutex_lock(&srv->mu);
    for (struct stream *s = srv->streams; s; s = s->next)
        if (s->cancel)
            s->cancel(s->ud);
    pthread_mutex_unlock(&srv->mu);
}

static enum MHD_Result send_reply(struct conn *c, struct MHD_Connection *mc, struct lh_reply *rp)
{
    struct server *srv = c->srv;
    struct MHD_Response *resp = NULL;
    uint64_t n = 0;

    if (rp->pull) {
        struct stream *s = lh_xcalloc(1, sizeof(*s));
        s->srv = srv;
        s->conn = c;
        s->mc = mc;
        s->pull = rp->pull;
        s->cancel = rp->cancel;
        s->free_fn = rp->free_fn;
        s->ud = rp->ud;
        lh_buf_init(&s->out, 0);
        lh_reply_stream_detach(rp);
        pthread_mutex_lock(&srv->mu);
        s->next = srv->streams;
        if (s->next)
            s->next->prev = s;
        srv->streams = s;
        pthread_mutex_unlock(&srv->mu);
        resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK, stream_read, s,
                                                 stream_free);
        if (!resp) {
            stream_free(s);
            return MHD_NO;
        }
    } else {
        n = rp->body.len;
        char *p = lh_buf_detach(&rp->body);
        resp = MHD_create_response_from_buffer((size_t)n, p, MHD_RESPMEM_MUST_FREE);
        if (!resp) {
            free(p);
            return MHD_NO;
        }
    }
    if (rp->content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, rp->content_type);
    MHD_add_response_header(resp, "X-Request-Id", c->rq.id);
    /* API replies are never cached; UI assets bring their own policy (ETag + revalidate). */
    if (!lh_kvs_get_ci(&rp->headers, MHD_HTTP_HEADER_CACHE_CONTROL))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    for (size_t i = 0; i < rp->headers.n; i++)
        MHD_add_response_header(resp, rp->headers.v[i].key, rp->headers.v[i].val);
    if (atomic_load(&srv->stopping))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(mc, (unsigned int)rp->status, resp);
    MHD_destroy_response(resp);
    if (ret == MHD_YES) {
        c->queued = true;
        c->status = rp->status;
        c->bytes = n;
    }
    return ret;
}

static enum MHD_Result send_error(struct conn *c, struct MHD_Connection *mc, int code,
                                  const char *msg, const char *allow)
{
    struct lh_reply rp;
    lh_reply_init(&rp);
    lh_reply_error(&rp, code, "%s", msg);
    if (allow)
        lh_reply_header(&rp, "Allow", allow);
    enum MHD_Result ret = send_reply(c, mc, &rp);
    lh_reply_release(&rp);
    return ret;
}

/* Rejects the request before its body is read. With no body coming the
 * reply waits for the final access call so the connection can be kept
 * alive; with a body it goes out now and MHD closes the connection
 * instead of reading bytes nobody wants. */
static enum MHD_Result conn_reject(struct conn *c, struct MHD_Connection *mc, int64_t clen,
                                   int code, const char *msg, const char *allow)
{
    bool has_body = clen > 0 || lh_kvs_get_ci(&c->rq.headers, "Transfer-Encoding");
    if (has_body)
        return send_error(c, mc, code, msg, allow);
    c->failed = false;
    conn_fail(c, code, "%s", msg);
    if (allow)
        snprintf(c->allow, sizeof(c->allow), "%s", allow);
    return MHD_YES;
}

/* ---- request phases ---- */

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    LH_UNUSED(kind);
    lh_kvs_add(cls, key, value);
    return MHD_YES;
}

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    struct conn *c = cls;
    char *k = NULL, *v = NULL;
    LH_UNUSED(kind);
    if (lh_http_unescape(key, strlen(key), &k) != 0 ||
        (value && lh_http_unescape(value, strlen(value), &v) != 0)) {
        conn_fail(c, LH_EINVAL, "a query parameter has a malformed percent-encoding");
        free(k);
        return MHD_NO;
    }
    lh_kvs_add_take(&c->rq.query, k, v);
    free(k);
    return MHD_YES;
}

/* MHD must leave the URL and arguments escaped: the router splits the path
 * before decoding, so "%2F" inside a dataset name stays inside it. */
static size_t keep_escaped(void *cls, struct MHD_Connection *mc, char *s)
{
    LH_UNUSED(cls);
    LH_UNUSED(mc);
    return strlen(s);
}

static int64_t add_sat(int64_t a, int64_t b)
{
    return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/* First access-handler call: headers are in, no body yet. */
static enum MHD_Result conn_begin(struct conn *c, struct MHD_Connection *mc)
{
    struct server *srv = c->srv;
    const struct lh_config *cfg = srv->cfg;
    struct lh_error err;
    char allow[64];
    const struct lh_route *r = NULL;
    int64_t clen = -1;
    lh_error_clear(&err);

    MHD_get_connection_values(mc, MHD_HEADER_KIND, collect_header, &c->rq.headers);
    const char *cl = lh_kvs_get_ci(&c->rq.headers, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && (lh_http_parse_i64(cl, &clen) != 0 || clen < 0))
        return send_error(c, mc, LH_EINVAL, "malformed Content-Length", NULL);

    int rc = lh_router_match(c->method, c->path, &r, &c->rq.params, allow, sizeof(allow), &err);
    if (rc < 0)
        return conn_reject(c, mc, clen, rc, err.msg, rc == -LH_EMETHOD ? allow : NULL);
    c->rq.route = r;

    MHD_get_connection_values(mc, MHD_GET_ARGUMENT_KIND, collect_query, c);
    if (c->failed) {
        char msg[sizeof(c->fail_msg)];
        memcpy(msg, c->fail_msg, sizeof(msg));
        return conn_reject(c, mc, clen, c->fail_code, msg, NULL);
    }
    /* who is calling, before a byte of the body is accepted */
    if ((rc = lh_router_authorize(&c->rq, srv->auth_required, &err)) < 0)
        return conn_reject(c, mc, clen, rc, err.msg, NULL);

    if (r->flags & LH_R_UPLOAD) {
        const char *ct = lh_kvs_get_ci(&c->rq.headers, MHD_HTTP_HEADER_CONTENT_TYPE);
        bool multipart = ct && strncasecmp(ct, "multipart/form-data", 19) == 0;
        c->body_cap =
            multipart ? add_sat(cfg->max_upload_bytes, MULTIPART_SLACK) : cfg->max_upload_bytes;
        if (clen > c->body_cap)
            return send_error(c, mc, LH_ETOOBIG, "the upload is larger than the limit", NULL);
        if (multipart) {
            c->kind = BODY_MULTIPART;
            c->rq.upload_multipart = true;
            c->pp = MHD_create_post_processor(mc, PP_BUFFER, on_post_data, c);
            if (!c->pp)
                return send_error(c, mc, LH_EINVAL,
                                  "malformed multipart/form-data request (missing boundary?)",
                                  NULL);
        } else {
            c->kind = BODY_RAW;
            if (upload_open(c) < 0)
                return send_error(c, mc, c->fail_code, c->fail_msg, NULL);
        }
    } else {
        c->kind = (r->flags & LH_R_JSON) ? BODY_JSON : BODY_DISCARD;
        c->body_cap = r->max_body > 0 ? r->max_body : cfg->max_body_bytes;
        if (clen > c->body_cap)
            return send_error(c, mc, LH_ETOOBIG, "the request body is larger than the limit", NULL);
        lh_buf_init(&c->rq.body, (size_t)c->body_cap);
    }
    return MHD_YES;
}

/* Some body failure is decided: drop the upload and answer right away if MHD lets us. */
static enum MHD_Result conn_fail_now(struct conn *c, struct MHD_Connection *mc)
{
    upload_discard(c);
    /* MHD 0.9.75 refuses a reply while the body is still arriving (newer
     * versions accept it); then it goes out at the final call and the rest
     * of the body is read and dropped, up to DISCARD_MAX. */
    send_error(c, mc, c->fail_code, c->fail_msg, NULL);
    return MHD_YES;
}

static enum MHD_Result conn_body(struct conn *c, struct MHD_Connection *mc, const char *data,
                                 size_t n)
{
    c->body_bytes += (int64_t)n;
    if (c->failed)
        return c->body_bytes - c->fail_at > DISCARD_MAX ? MHD_NO : MHD_YES;
    if (c->body_bytes > c->body_cap) {
        conn_fail(
            c, LH_ETOOBIG, "the %s is larger than the limit of %lld bytes",
            c->kind == BODY_RAW || c->kind == BODY_MULTIPART ? "upload" : "request body",
            (long long)(c->kind == BODY_MULTIPART ? c->srv->cfg->max_upload_bytes : c->body_cap));
        return conn_fail_now(c, mc);
    }
    switch (c->kind) {
    case BODY_JSON:
        if (lh_buf_append(&c->rq.body, data, n) != 0) {
            conn_fail(c, LH_ETOOBIG, "the request body is larger than the limit");
            return conn_fail_now(c, mc);
        }
        break;
    case BODY_RAW:
        if (upload_write(c, data, n) < 0)
            return conn_fail_now(c, mc);
        break;
    case BODY_MULTIPART:
        if (MHD_post_process(c->pp, data, n) != MHD_YES) {
            conn_fail(c, LH_EINVAL, "malformed multipart/form-data body");
            return conn_fail_now(c, mc);
        }
        break;
    case BODY_DISCARD:
        break;
    }
    return MHD_YES;
}

/* Last access-handler call: the whole body is in. */
static enum MHD_Result conn_finish(struct conn *c, struct MHD_Connection *mc)
{
    struct lh_reply rp;
    enum MHD_Result ret;

    if (c->pp) {
        bool ok = MHD_destroy_post_processor(c->pp) == MHD_YES;
        c->pp = NULL;
        if (!ok)
            conn_fail(c, LH_EINVAL, "the multipart/form-data body is malformed or truncated");
        else if (!c->file_seen)
            conn_fail(c, LH_EINVAL,
                      "the multipart/form-data body has no (non-empty) \"file\" field");
    }
    if (c->upload_fd >= 0) {
        if (close(c->upload_fd) != 0)
            conn_fail(c, LH_EIO, "cannot store the upload: %s", strerror(errno));
        c->upload_fd = -1;
    }
    if (c->failed) {
        upload_discard(c);
        return send_error(c, mc, c->fail_code, c->fail_msg, c->allow[0] ? c->allow : NULL);
    }

    c->rq.upload_path = c->upload_path;
    c->rq.upload_bytes = c->upload_bytes;
    c->rq.upload_filename = c->filename;
    lh_reply_init(&rp);
    /* A handler may block for long (DuckDB, ingest): no idle timeout meanwhile. */
    MHD_set_connection_option(mc, MHD_CONNECTION_OPTION_TIMEOUT, 0u);
    lh_router_dispatch(&c->rq, &rp);
    /* Re-arming from 0 restarts the idle clock, so the reply is not cut at once. */
    MHD_set_connection_option(mc, MHD_CONNECTION_OPTION_TIMEOUT,
                              (unsigned int)LH_HTTP_IDLE_TIMEOUT_S);
    upload_discard(c); /* the temp upload never outlives its handler */
    c->rq.upload_path = NULL;
    ret = send_reply(c, mc, &rp);
    lh_reply_release(&rp);
    return ret;
}

/* Who is calling, for the journal: "api@<peer address>" (API keys come with auth). */
static void peer_actor(struct MHD_Connection *mc, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char host[INET6_ADDRSTRLEN] = "";
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, host,
                      sizeof(host));
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                      host, sizeof(host));
    }
    snprintf(out, n, host[0] ? "api@%s" : "api", host);
}

static struct conn *conn_new(struct server *srv, struct MHD_Connection *mc, const char *url,
                             const char *method)
{
    struct conn *c = lh_xcalloc(1, sizeof(*c));
    c->srv = srv;
    c->t0 = lh_http_now_ms();
    c->upload_fd = -1;
    c->method = lh_xstrdup(method ? method : "");
    c->path = lh_xstrdup(url ? url : "");
    lh_req_init(&c->rq);
    c->rq.lake = srv->lake;
    c->rq.cfg = srv->cfg;
    c->rq.server_started_ms = srv->started_ms;
    c->rq.counters = &srv->counters;
    const union MHD_ConnectionInfo *fdi =
        MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
    c->rq.client_fd = fdi ? (int)fdi->connect_fd : -1;
    c->rq.method = c->method;
    c->rq.path = c->path;
    lh_http_req_id(MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "X-Request-Id"), c->rq.id);
    peer_actor(mc, c->rq.actor, sizeof(c->rq.actor));
    pthread_mutex_lock(&srv->mu);
    srv->in_flight++;
    pthread_mutex_unlock(&srv->mu);
    atomic_fetch_add(&srv->counters.in_flight, 1);
    return c;
}

static void conn_free(struct conn *c)
{
    struct server *srv = c->srv;
    if (c->pp)
        MHD_destroy_post_processor(c->pp);
    upload_discard(c);
    lh_req_release(&c->rq);
    free(c->filename);
    free(c->method);
    free(c->path);
    free(c);
    atomic_fetch_sub(&srv->counters.in_flight, 1);
    pthread_mutex_lock(&srv->mu);
    srv->in_flight--;
    pthread_cond_broadcast(&srv->cv);
    pthread_mutex_unlock(&srv->mu);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *mc, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    struct server *srv = cls;
    struct conn *c = *con_cls;
    LH_UNUSED(version);

    if (!c) {
        c = conn_new(srv, mc, url, method);
        *con_cls = c;
        return conn_begin(c, mc);
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (c->queued)
            return MHD_YES;
        return conn_body(c, mc, upload_data, n);
    }
    if (c->queued)
        return MHD_YES;
    return conn_finish(c, mc);
}

static const char *term_name(enum MHD_RequestTerminationCode toe)
{
    switch (toe) {
    case MHD_REQUEST_TERMINATED_COMPLETED_OK:
        return "ok";
    case MHD_REQUEST_TERMINATED_WITH_ERROR:
        return "error";
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
        return "timeout";
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
        return "shutdown";
    case MHD_REQUEST_TERMINATED_READ_ERROR:
        return "read_error";
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
        return "client_abort";
    }
    return "other";
}

static void on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct conn *c = *con_cls;
    struct server *srv = cls;
    char method[32], path[LOG_FIELD_MAX];
    LH_UNUSED(mc);
    if (!c)
        return;
    *con_cls = NULL;
    atomic_fetch_add(&srv->counters.requests, 1);
    atomic_fetch_add(&srv->counters.status[c->status >= 200 && c->status < 600 ? c->status / 100 : 0],
                     1);
    atomic_fetch_add(&srv->counters.bytes_out, (long long)c->bytes);
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
        atomic_fetch_add(&srv->counters.aborted, 1);
    log_field(method, sizeof(method), c->method);
    log_field(path, sizeof(path), c->path);
    lh_router_audit(&c->rq, c->status ? c->status : 499, lh_http_now_ms() - c->t0);
    if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
        LH_LOG(LH_LOG_INFO, "http",
               "msg=request req_id=%s method=%s path=%s status=%d bytes=%llu ms=%lld", c->rq.id,
               method, path, c->status, (unsigned long long)c->bytes,
               (long long)(lh_http_now_ms() - c->t0));
    else
        LH_LOG(LH_LOG_INFO, "http",
               "msg=request req_id=%s method=%s path=%s status=%d bytes=%llu ms=%lld end=%s",
               c->rq.id, method, path, c->status ? c->status : 499, (unsigned long long)c->bytes,
               (long long)(lh_http_now_ms() - c->t0), term_name(toe));
    conn_free(c);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap) LH_PRINTF(2, 0);
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    struct server *srv = cls;
    char msg[256];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '"')
            *p = (*p == '"') ? '\'' : ' ';
    for (size_t n = strlen(msg); n > 0 && msg[n - 1] == ' '; n--)
        msg[n - 1] = '\0';
    if (atomic_load(&srv->running)) {
        LH_LOG(LH_LOG_DEBUG, "http", "msg=mhd detail=\"%s\"", msg);
    } else {
        snprintf(srv->start_msg, sizeof(srv->start_msg), "%s", msg);
        LH_LOG(LH_LOG_WARN, "http", "msg=mhd detail=\"%s\"", msg);
    }
}

/* ---- serve ---- */

static int resolve_listen(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len,
                          struct lh_error *err)
{
    struct addrinfo hints, *res = NULL;
    char service[16];
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    snprintf(service, sizeof(service), "%d", port);
    int g = getaddrinfo(host, service, &hints, &res);
    if (g != 0 || !res)
        return lh_error_set(err, LH_EINVAL, "cannot resolve listen address '%s': %s", host,
                            gai_strerror(g));
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

/* Waits until no request is in flight, the grace period passes or a second
 * signal arrives; then asks live streams to stop. */
static void drain(struct server *srv, int64_t grace_ms)
{
    int64_t deadline = lh_http_now_ms() + grace_ms;
    int first = g_sig_count;
    bool forced = false;

    pthread_mutex_lock(&srv->mu);
    while (srv->in_flight > 0) {
        int64_t t = lh_http_now_ms();
        if (t >= deadline)
            break;
        if (g_sig_count != first) {
            forced = true;
            break;
        }
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        int64_t slice = deadline - t < 100 ? deadline - t : 100;
        int64_t ns = now.tv_nsec + slice * 1000000;
        struct timespec until = {now.tv_sec + (time_t)(ns / 1000000000), (long)(ns % 1000000000)};
        pthread_cond_timedwait(&srv->cv, &srv->mu, &until);
    }
    int64_t left = srv->in_flight;
    pthread_mutex_unlock(&srv->mu);
    if (left > 0) {
        LH_LOG(LH_LOG_WARN, "http", "msg=%s in_flight=%lld",
               forced ? "second_signal" : "grace_expired", (long long)left);
        streams_cancel_all(srv);
    }
}

int lh_http_serve(struct lh_lake *l, const struct lh_config *cfg, struct lh_error *err)
{
    struct server srv;
    struct sigaction sa, old_term, old_int, ign;
    struct sockaddr_storage ss;
    socklen_t sslen = 0;
    sigset_t block, oldmask;
    pthread_condattr_t ca;
    int pfd[2] = {-1, -1};
    bool handlers = false;
    int rc = 0;
    const char *host = cfg->listen && *cfg->listen ? cfg->listen : "127.0.0.1";

    memset(&srv, 0, sizeof(srv));
    srv.lake = l;
    srv.cfg = cfg;
    srv.started_ms = lh_http_now_ms();
    srv.auth_required = lh_http_auth_required(cfg);
    atomic_init(&srv.stopping, 0);
    atomic_init(&srv.running, 0);
    atomic_init(&srv.counters.requests, 0);
    atomic_init(&srv.counters.in_flight, 0);
    for (size_t i = 0; i < LH_ARRAY_LEN(srv.counters.status); i++)
        atomic_init(&srv.counters.status[i], 0);
    atomic_init(&srv.counters.aborted, 0);
    atomic_init(&srv.counters.bytes_out, 0);
    pthread_mutex_init(&srv.mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&srv.cv, &ca);
    pthread_condattr_destroy(&ca);

    /* A client that goes away must never kill the server. */
    memset(&ign, 0, sizeof(ign));
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, NULL);

    if ((rc = resolve_listen(host, cfg->port, &ss, &sslen, err)) < 0)
        goto out;
    if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK) != 0) {
        rc = lh_error_set(err, LH_EIO, "pipe: %s", strerror(errno));
        goto out;
    }
    g_signal = 0;
    g_sig_count = 0;
    g_sig_fd = pfd[1];
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaddset(&sa.sa_mask, SIGINT);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGINT, &sa, &old_int);
    handlers = true;

    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                         MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    int threads = cfg->http_threads > 0 ? cfg->http_threads : 8;
    unsigned int limit = (unsigned int)(threads * 64);
    if (limit > 1024)
        limit = 1024;

    /* MHD's threads inherit a mask with TERM/INT blocked, so the signals land
     * on the main thread (or a thread that existed before); either way the
     * handler only writes the self-pipe. */
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    pthread_sigmask(SIG_BLOCK, &block, &oldmask);
    /* The logger goes first so MHD never prints on its own. */
    srv.d = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_access, &srv, MHD_OPTION_EXTERNAL_LOGGER,
        on_mhd_log, &srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT,
        limit, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)LH_HTTP_IDLE_TIMEOUT_S,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)MEMORY_LIMIT, MHD_OPTION_LISTEN_BACKLOG_SIZE,
        (unsigned int)256, MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv,
        MHD_OPTION_UNESCAPE_CALLBACK, keep_escaped, NULL, MHD_OPTION_END);
    pthread_sigmask(SIG_SETMASK, &oldmask, NULL);
    if (!srv.d) {
        rc = lh_error_set(err, LH_EIO, "cannot listen on %s:%d%s%s", host, cfg->port,
                          srv.start_msg[0] ? ": " : "", srv.start_msg);
        goto out;
    }
    atomic_store(&srv.running, 1);

    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv.d, MHD_DAEMON_INFO_BIND_PORT);
    int port = info && info->port ? (int)info->port : cfg->port;
    bool v6 = strchr(host, ':') != NULL;
    LH_LOG(LH_LOG_INFO, "http", "msg=listening url=http://%s%s%s:%d", v6 ? "[" : "", host,
           v6 ? "]" : "", port);
    LH_LOG(LH_LOG_DEBUG, "http", "msg=threads model=per_connection max_connections=%u", limit);
    LH_LOG(LH_LOG_INFO, "http", "msg=auth required=%s%s", srv.auth_required ? "yes" : "no",
           srv.auth_required ? " hint=\"create keys with: lakehouse keys create --role admin\""
                             : "");

    while (g_signal == 0) {
        struct pollfd p = {pfd[0], POLLIN, 0};
        int n = poll(&p, 1, -1);
        if (n < 0 && errno != EINTR) {
            LH_LOG(LH_LOG_ERROR, "http", "msg=poll_failed errno=%d", errno);
            break;
        }
    }
    char drainbuf[64];
    while (read(pfd[0], drainbuf, sizeof(drainbuf)) > 0) {
    }

    pthread_mutex_lock(&srv.mu);
    int64_t inflight = srv.in_flight;
    pthread_mutex_unlock(&srv.mu);
    LH_LOG(LH_LOG_INFO, "http", "msg=shutting_down signal=%s in_flight=%lld grace_ms=%lld",
           g_signal == SIGINT    ? "INT"
           : g_signal == SIGTERM ? "TERM"
                                 : "none",
           (long long)inflight, (long long)cfg->shutdown_grace_ms);
    atomic_store(&srv.stopping, 1);
    MHD_socket lsock = MHD_quiesce_daemon(srv.d);
    drain(&srv, cfg->shutdown_grace_ms);
    MHD_stop_daemon(srv.d);
    srv.d = NULL;
    if (lsock != MHD_INVALID_SOCKET)
        close(lsock);
    LH_LOG(LH_LOG_INFO, "http", "msg=stopped");

out:
    if (handlers) {
        sigaction(SIGTERM, &old_term, NULL);
        sigaction(SIGINT, &old_int, NULL);
    }
    g_sig_fd = -1;
    if (pfd[0] >= 0)
        close(pfd[0]);
    if (pfd[1] >= 0)
        close(pfd[1]);
    pthread_cond_destroy(&srv.cv);
    pthread_mutex_destroy(&srv.mu);
    return rc;
}
