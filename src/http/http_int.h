/* SPDX-License-Identifier: MIT */
/* http_int.h - internals of the HTTP module: request, reply, route table, router.
 *
 * Layering inside src/http/: server.c (the only file that includes
 * microhttpd.h) turns a connection into a struct lh_req, asks the router for
 * a struct lh_reply and writes that back. Handlers (api_*.c) see only the
 * structs below and never touch microhttpd, so they can be driven from a
 * unit test with an in-memory request (lh_router_handle).
 *
 * Nothing outside src/http/ includes this header. */
#ifndef LH_HTTP_INT_H
#define LH_HTTP_INT_H

#include "lh_common.h"
#include "buf.h"
#include "config.h"
#include "err.h"
#include "auth.h"
#include "lake.h"

#include <jansson.h>
#include <stdatomic.h>

/* ---- key/value lists (path params, query params, headers, form fields) ---- */

struct lh_kv {
    char *key; /* owned */
    char *val; /* owned, never NULL ("" for `?flag`) */
};

struct lh_kvs {
    struct lh_kv *v;
    size_t n;
    size_t cap;
};

#define LH_KVS_INIT {NULL, 0, 0}

/* Appends a copy of key/val (val NULL is stored as ""). */
void lh_kvs_add(struct lh_kvs *kv, const char *key, const char *val);
/* Appends a copy of key and takes ownership of the malloc'd val. */
void lh_kvs_add_take(struct lh_kvs *kv, const char *key, char *val);
/* First value stored under key (exact match), or NULL. */
const char *lh_kvs_get(const struct lh_kvs *kv, const char *key);
/* Same with an ASCII case-insensitive key match (HTTP header names). */
const char *lh_kvs_get_ci(const struct lh_kvs *kv, const char *key);
void lh_kvs_free(struct lh_kvs *kv);

/* ---- server counters (GET /system) ---- */

/* Kept by server.c for the whole life of the server; handlers only read them. */
struct lh_http_counters {
    atomic_llong requests;  /* completed requests (any status, any end) */
    atomic_llong in_flight; /* requests between their first byte and completion */
    atomic_llong status[6]; /* by status class: [2] = 2xx ... [5] = 5xx ([0] none sent) */
    atomic_llong aborted;   /* ended by the client, a timeout or shutdown */
    atomic_llong bytes_out; /* reply body bytes queued or streamed */
};

/* ---- request ---- */

#define LH_REQ_ID_MAX 64

/* One HTTP request as the handlers see it. Everything is borrowed from the
 * server for the duration of the handler call; handlers must not keep
 * pointers into it after they return (a streaming reply copies what it needs). */
struct lh_req {
    struct lh_lake *lake;             /* shared, thread-safe */
    const struct lh_config *cfg;
    int64_t server_started_ms;        /* CLOCK_MONOTONIC ms when the server started */
    const struct lh_route *route;     /* set by the router */
    const struct lh_http_counters *counters; /* server counters (NULL in unit tests) */
    int client_fd;                    /* the client's socket while the handler runs, or -1 */
    const char *method;               /* "GET", ... */
    const char *path;                 /* raw path without the query string */
    char id[LH_REQ_ID_MAX + 1];       /* request id (echoed in X-Request-Id) */
    char actor[128];                  /* who, for the journal: "api@<peer>" or "key:<id>" */
    struct lh_kvs params;             /* path parameters, percent-decoded */
    struct lh_kvs query;              /* query parameters, percent-decoded */
    struct lh_kvs headers;            /* request headers as sent (use lh_kvs_get_ci) */
    struct lh_buf body;               /* body of LH_R_JSON routes (capped) */
    json_t *json;                     /* the parsed body of LH_R_JSON routes (router-owned) */
    const char *upload_path;          /* LH_R_UPLOAD: temp file holding the uploaded bytes */
    int64_t upload_bytes;             /* bytes in upload_path */
    const char *upload_filename;      /* multipart: filename of the "file" part (may be NULL) */
    bool upload_multipart;            /* true if the body was multipart/form-data */
    struct lh_kvs form;               /* multipart text fields */
    /* who is asking (set before the body is read; admin when auth is off and no key given) */
    struct lh_principal who;
    /* what the audit row says besides the route: filled by handlers (all optional) */
    int64_t audit_rows;               /* rows or hits returned; -1 = not applicable */
    char *audit_target;               /* malloc'd: dataset, index, view... */
    char *audit_detail;               /* malloc'd: SQL text, question, ... */
};

/* Initialises rq (all empty); release with lh_req_release. */
void lh_req_init(struct lh_req *rq);
/* Frees params, query, headers, body, form and json (not the borrowed strings). */
void lh_req_release(struct lh_req *rq);
/* A request parameter: the multipart field, else the query parameter, else NULL. */
const char *lh_req_param(const struct lh_req *rq, const char *key);
/* True if the client has closed its side of the connection (the browser aborted a
 * fetch, curl timed out): polls rq->client_fd without reading. False when unknown
 * (no socket, e.g. in unit tests). Safe from any thread while the handler runs or
 * a streamed reply is being pulled, since the socket stays open until then. */
bool lh_req_client_gone(const struct lh_req *rq);

/* ---- reply ---- */

/* Pulls the next part of a streamed body into out (appending).
 * Returns 1 if more follows, 0 when the body is complete, or a negative
 * LH_E* code to cut the stream (the client sees a truncated transfer). */
typedef int (*lh_reply_pull_fn)(void *ud, struct lh_buf *out);
/* Asks a running stream to stop soon (called from another thread, at most
 * while the stream is alive). May be NULL. */
typedef void (*lh_reply_cancel_fn)(void *ud);
/* Releases the stream state; called exactly once, whether or not the body
 * was sent completely (the client may have gone away). */
typedef void (*lh_reply_free_fn)(void *ud);

struct lh_reply {
    int status;               /* HTTP status; 0 = not set yet */
    const char *content_type; /* static string */
    struct lh_buf body;       /* buffered body (when pull is NULL) */
    struct lh_kvs headers;    /* extra response headers (Allow, Content-Disposition) */
    lh_reply_pull_fn pull;    /* non-NULL: streamed body */
    lh_reply_cancel_fn cancel;
    lh_reply_free_fn free_fn;
    void *ud;
};

void lh_reply_init(struct lh_reply *rp);
/* Frees the body and headers and, if a stream is still owned by rp, calls
 * its free_fn. rp is re-initialised. */
void lh_reply_release(struct lh_reply *rp);
/* Hands a stream over to the server: rp no longer owns it. */
void lh_reply_stream_detach(struct lh_reply *rp);
/* Adds a response header (copied). */
void lh_reply_header(struct lh_reply *rp, const char *key, const char *val);
/* Replies with obj serialised compactly (application/json). Steals the
 * reference to obj (like json_object_set_new). Returns 0. */
int lh_reply_json(struct lh_reply *rp, int status, json_t *obj);
/* Replies with the JSON text in b (application/json) and releases b. Returns 0. */
int lh_reply_buf(struct lh_reply *rp, int status, struct lh_buf *b);
/* Replies with raw bytes. */
int lh_reply_raw(struct lh_reply *rp, int status, const char *content_type, const void *p,
                 size_t n);
/* Replies {"error":{"code","message"}} with status lh_err_http_status(code);
 * code may be negative. Returns -code (negative) for convenient returns. */
int lh_reply_error(struct lh_reply *rp, int code, const char *fmt, ...) LH_PRINTF(3, 4);
/* Same from an error detail (falls back to code's default message). */
int lh_reply_error_from(struct lh_reply *rp, int code, const struct lh_error *err);
/* Replaces the current reply with a streamed one (status 200 usually). */
void lh_reply_stream(struct lh_reply *rp, int status, const char *content_type,
                     lh_reply_pull_fn pull, lh_reply_cancel_fn cancel, lh_reply_free_fn free_fn,
                     void *ud);

/* ---- JSON helpers (jansson) ---- */

/* A JSON string from s, replacing invalid UTF-8 with U+FFFD (NULL -> ""). Never NULL. */
json_t *lh_json_str(const char *s);
/* An optional string member: *out = its value, or NULL when absent or null; -LH_EINVAL
 * (naming the key) when present but not a string. */
int lh_json_opt_str(const json_t *o, const char *key, const char **out, struct lh_error *err);
/* Serialises obj compactly into out (appending, with a trailing newline). */
int lh_json_dump(const json_t *obj, struct lh_buf *out);

/* ---- route table ---- */

/* Handlers fill rp and return 0, or return a negative LH_E* code with err
 * filled; the router then renders the error reply (rp is reset first). */
typedef int (*lh_handler_fn)(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);

enum lh_route_flags {
    LH_R_JSON = 1u << 0,   /* body is a JSON object, capped by max_body (0 = cfg->max_body_bytes) */
    LH_R_UPLOAD = 1u << 1, /* body streams to a temp file (multipart or raw), max_upload_bytes */
    LH_R_WRITE = 1u << 2,  /* changes the lake (for auth and audit later) */
    LH_R_STREAM = 1u << 3, /* the reply may be streamed */
    LH_R_UI = 1u << 4,     /* a web UI page or asset: not JSON, left out of the OpenAPI
                              document, never behind authentication (it is the sign-in) */
};

struct lh_route {
    const char *method;     /* "GET", "POST", "DELETE" */
    const char *pattern;    /* "/catalog/datasets/{name}": literal segments and {param} */
    lh_handler_fn handler;
    unsigned flags;         /* enum lh_route_flags */
    int64_t max_body;       /* JSON body cap; 0 = cfg->max_body_bytes */
    const char *summary;    /* one line for the OpenAPI document */
    const char *query;      /* OpenAPI: comma-separated query parameter names (or NULL) */
    const char *body_doc;   /* OpenAPI: JSON schema text of the JSON body (or NULL) */
    const char *reply_doc;  /* OpenAPI: description of the success reply */
    unsigned perm;          /* enum lh_perm the caller's role needs; 0 = public */
    const char *audit;      /* action name in the audit log; NULL = not audited */
};

extern const struct lh_route lh_routes[];
extern const size_t lh_n_routes;

/* Finds the route for method + path (raw, percent-encoded).
 * Returns 0 and *out with the decoded path parameters appended to params;
 * -LH_ENOTFOUND if no pattern matches the path; -LH_EMETHOD if patterns
 * match but not with this method, with allow filled ("GET, DELETE");
 * -LH_EINVAL for bad percent-encoding. err gets a human message. HEAD is
 * matched like GET. */
int lh_router_match(const char *method, const char *path, const struct lh_route **out,
                    struct lh_kvs *params, char *allow, size_t allow_len, struct lh_error *err);

/* Whether callers must present an API key (setting auth, auto = not on loopback). */
bool lh_http_auth_required(const struct lh_config *cfg);
/* Who is calling: checks the API key (X-API-Key or Authorization: Bearer) and the route's
 * permission. Without a key the caller is admin unless the server requires keys
 * (`auth_required`). Returns 0, or -LH_EAUTH / -LH_EPERM with err filled. */
int lh_router_authorize(struct lh_req *rq, bool auth_required, struct lh_error *err);
/* Writes the audit row of a finished request (status = the reply's HTTP status). */
void lh_router_audit(struct lh_req *rq, int status, int64_t ms);

/* Runs rq->route: parses the JSON body of LH_R_JSON routes (400 with
 * jansson's line/column on bad JSON), calls the handler and renders an
 * error reply if it fails. rp always holds a reply afterwards. */
void lh_router_dispatch(struct lh_req *rq, struct lh_reply *rp);

/* Match + dispatch for an in-memory request (tests): 404/405/400 replies
 * when no route fits. rq->method and rq->path must be set. */
void lh_router_handle(struct lh_req *rq, struct lh_reply *rp);

/* Percent-decodes s[0..n) into a malloc'd string. Returns 0, or -LH_EINVAL
 * on a malformed escape or an encoded NUL (*out untouched). '+' is kept. */
int lh_http_unescape(const char *s, size_t n, char **out);

/* True if s is a client request id we echo: [A-Za-z0-9._-]{1,64}. */
bool lh_http_req_id_ok(const char *s);
/* Sets out to the client's id if sane, else to 16 random hex chars. */
void lh_http_req_id(const char *client, char out[LH_REQ_ID_MAX + 1]);

/* Parses a decimal int64 ("123"); -LH_EINVAL on anything else. */
int lh_http_parse_i64(const char *s, int64_t *out);

/* Monotonic milliseconds. */
int64_t lh_http_now_ms(void);

/* ---- handlers (api_*.c) ---- */

int lh_api_health(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_openapi(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_system(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_ui_index(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_ui_asset(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_datasets_list(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_dataset_get(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_dataset_delete(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_resync(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_gc(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_ingest_file(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_query_sql(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_dataset_patch(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_dataset_lineage(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_dataset_schema(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_journal_recent(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_journal_history(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_dataset_compact(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_cache_pin(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_cache_evict(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_cache_stats(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_vectors_index(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_vectors_indexes(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_vectors_index_get(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_vectors_index_delete(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_vectors_jobs(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_vectors_job_get(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_vectors_job_cancel(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_vectors_search(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_vectors_rag(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_vectors_eval(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_vectors_index_evals(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);

/* api_access.c */
int lh_api_whoami(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_keys_create(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_keys_list(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_keys_revoke(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_roles_list(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_roles_put(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_roles_delete(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_audit(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_views_list(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_views_put(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_view_get(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_view_delete(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_tombstone(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_tombstones(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_profiles_list(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_profiles_put(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_profile_get(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_profile_delete(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);
int lh_api_profile_activate(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err);

#endif
