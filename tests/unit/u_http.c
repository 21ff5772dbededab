/* SPDX-License-Identifier: MIT */
/* u_http.c - unit tests of src/http without sockets: routing, request ids, OpenAPI, handlers. */
#include "lh_common.h"
#include "buf.h"
#include "config.h"
#include "err.h"
#include "fs.h"
#include "http.h"
#include "http_int.h"
#include "lake.h"
#include "web_assets.h"

#include <setjmp.h>
#include <sys/socket.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* ---- helpers ---- */

static int match(const char *method, const char *path, const struct lh_route **r,
                 struct lh_kvs *params, char *allow)
{
    struct lh_error err;
    lh_error_clear(&err);
    return lh_router_match(method, path, r, params, allow, 64, &err);
}

/* Runs one in-memory request through the router; returns the parsed JSON body
 * (NULL if the reply is not JSON) and the status. */
static json_t *call(struct lh_req *rq, struct lh_reply *rp, int *status)
{
    lh_reply_init(rp);
    lh_router_handle(rq, rp);
    *status = rp->status;
    if (rp->pull)
        return NULL;
    return json_loadb(rp->body.ptr, rp->body.len, 0, NULL);
}

static const char *err_code(const json_t *j)
{
    return json_string_value(json_object_get(json_object_get(j, "error"), "code"));
}

/* ---- routing ---- */

static void test_route_match(void **state)
{
    (void)state;
    const struct lh_route *r = NULL;
    struct lh_kvs p = LH_KVS_INIT;
    char allow[64];

    assert_int_equal(match("GET", "/health", &r, &p, allow), 0);
    assert_string_equal(r->pattern, "/health");
    assert_int_equal(p.n, 0);
    assert_int_equal(match("HEAD", "/health", &r, &p, allow), 0);
    assert_string_equal(r->method, "GET");

    assert_int_equal(match("GET", "/catalog/datasets", &r, &p, allow), 0);
    assert_string_equal(r->pattern, "/catalog/datasets");
    assert_int_equal(match("GET", "/catalog/datasets/sales_2024", &r, &p, allow), 0);
    assert_string_equal(r->pattern, "/catalog/datasets/{name}");
    assert_string_equal(lh_kvs_get(&p, "name"), "sales_2024");
    lh_kvs_free(&p);

    assert_int_equal(match("DELETE", "/catalog/datasets/x", &r, &p, allow), 0);
    assert_string_equal(r->method, "DELETE");
    assert_string_equal(lh_kvs_get(&p, "name"), "x");
    lh_kvs_free(&p);

    /* path parameters are percent-decoded after splitting */
    assert_int_equal(match("GET", "/catalog/datasets/a%2Fb%20c", &r, &p, allow), 0);
    assert_string_equal(lh_kvs_get(&p, "name"), "a/b c");
    lh_kvs_free(&p);

    /* 404s */
    assert_int_equal(match("GET", "/nope", &r, &p, allow), -LH_ENOTFOUND);
    assert_int_equal(match("GET", "", &r, &p, allow), -LH_ENOTFOUND);
    assert_int_equal(match("GET", "health", &r, &p, allow), -LH_ENOTFOUND);
    assert_int_equal(match("GET", "/health/", &r, &p, allow), -LH_ENOTFOUND);
    assert_int_equal(match("GET", "/catalog/datasets/", &r, &p, allow), -LH_ENOTFOUND);
    assert_int_equal(match("GET", "/catalog/datasets/a/b", &r, &p, allow), -LH_ENOTFOUND);
    assert_int_equal(match("GET", "//health", &r, &p, allow), -LH_ENOTFOUND);
    assert_int_equal(p.n, 0);

    /* 405 with the Allow list */
    assert_int_equal(match("POST", "/health", &r, &p, allow), -LH_EMETHOD);
    assert_string_equal(allow, "GET");
    assert_int_equal(match("PUT", "/catalog/datasets/x", &r, &p, allow), -LH_EMETHOD);
    assert_string_equal(allow, "GET, DELETE");
    assert_int_equal(match("GET", "/query/sql", &r, &p, allow), -LH_EMETHOD);
    assert_string_equal(allow, "POST");
    assert_int_equal(p.n, 0);

    /* bad percent-encoding in a parameter */
    assert_int_equal(match("GET", "/catalog/datasets/a%zz", &r, &p, allow), -LH_EINVAL);
    assert_int_equal(match("GET", "/catalog/datasets/%00", &r, &p, allow), -LH_EINVAL);
    assert_int_equal(match("GET", "/catalog/datasets/%4", &r, &p, allow), -LH_EINVAL);
    assert_int_equal(p.n, 0);
}

static void test_unescape(void **state)
{
    (void)state;
    char *s = NULL;
    assert_int_equal(lh_http_unescape("a%20b%2fc+d", 11, &s), 0);
    assert_string_equal(s, "a b/c+d");
    free(s);
    assert_int_equal(lh_http_unescape("", 0, &s), 0);
    assert_string_equal(s, "");
    free(s);
    assert_int_equal(lh_http_unescape("%C3%A9", 6, &s), 0);
    assert_string_equal(s, "\xc3\xa9");
    free(s);
    s = NULL;
    assert_int_equal(lh_http_unescape("%", 1, &s), -LH_EINVAL);
    assert_int_equal(lh_http_unescape("ab%4", 4, &s), -LH_EINVAL);
    assert_int_equal(lh_http_unescape("%g0", 3, &s), -LH_EINVAL);
    assert_int_equal(lh_http_unescape("x%00y", 5, &s), -LH_EINVAL);
    assert_null(s);
    /* only n bytes are read */
    assert_int_equal(lh_http_unescape("ab%zz", 2, &s), 0);
    assert_string_equal(s, "ab");
    free(s);
}

static void test_request_id(void **state)
{
    (void)state;
    char id[LH_REQ_ID_MAX + 1];
    char long_ok[65], too_long[66];
    memset(long_ok, 'a', 64);
    long_ok[64] = '\0';
    memset(too_long, 'a', 65);
    too_long[65] = '\0';

    assert_true(lh_http_req_id_ok("abc-DEF_1.2"));
    assert_true(lh_http_req_id_ok("x"));
    assert_true(lh_http_req_id_ok(long_ok));
    assert_false(lh_http_req_id_ok(too_long));
    assert_false(lh_http_req_id_ok(""));
    assert_false(lh_http_req_id_ok(NULL));
    assert_false(lh_http_req_id_ok("a b"));
    assert_false(lh_http_req_id_ok("a\nb"));
    assert_false(lh_http_req_id_ok("a\"b"));
    assert_false(lh_http_req_id_ok("caf\xc3\xa9"));
    assert_false(lh_http_req_id_ok("a/b"));

    lh_http_req_id("client-7", id);
    assert_string_equal(id, "client-7");
    lh_http_req_id(long_ok, id);
    assert_string_equal(id, long_ok);
    const char *bad[] = {NULL, "", "bad id", too_long, "x=y"};
    for (size_t i = 0; i < LH_ARRAY_LEN(bad); i++) {
        lh_http_req_id(bad[i], id);
        assert_int_equal(strlen(id), 16);
        for (size_t k = 0; k < 16; k++)
            assert_non_null(strchr("0123456789abcdef", id[k]));
    }
    char id2[LH_REQ_ID_MAX + 1];
    lh_http_req_id(NULL, id2);
    assert_string_not_equal(id, id2);
}

static void test_parse_i64(void **state)
{
    (void)state;
    int64_t v = 0;
    assert_int_equal(lh_http_parse_i64("0", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(lh_http_parse_i64("9223372036854775807", &v), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(lh_http_parse_i64("-5", &v), 0);
    assert_int_equal(v, -5);
    const char *bad[] = {"", " 1", "+1", "1 ", "1x", "0x10", "99999999999999999999", "-", NULL};
    for (size_t i = 0; i < LH_ARRAY_LEN(bad); i++)
        assert_int_equal(lh_http_parse_i64(bad[i], &v), -LH_EINVAL);
}

/* ---- OpenAPI ---- */

static void test_openapi(void **state)
{
    (void)state;
    char *doc = lh_http_openapi();
    json_error_t je;
    json_t *j = json_loads(doc, 0, &je);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "openapi")), "3.0.3");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "info"), "version")),
                        LH_VERSION);
    json_t *paths = json_object_get(j, "paths");
    assert_true(json_is_object(paths));
    size_t n_ops = 0, n_api = 0;
    for (size_t i = 0; i < lh_n_routes; i++) {
        const struct lh_route *r = &lh_routes[i];
        if (r->flags & LH_R_UI) {
            /* the web UI is not part of the JSON API's document */
            assert_null(json_object_get(paths, r->pattern));
            continue;
        }
        n_api++;
        char m[16];
        size_t k;
        for (k = 0; r->method[k] && k < sizeof(m) - 1; k++)
            m[k] = (char)(r->method[k] + ('a' - 'A'));
        m[k] = '\0';
        json_t *op = json_object_get(json_object_get(paths, r->pattern), m);
        assert_non_null(op);
        assert_string_equal(json_string_value(json_object_get(op, "summary")), r->summary);
        assert_non_null(json_object_get(json_object_get(op, "responses"), "default"));
        if (r->flags & (LH_R_JSON | LH_R_UPLOAD))
            assert_non_null(json_object_get(op, "requestBody"));
        if (strchr(r->pattern, '{'))
            assert_true(json_array_size(json_object_get(op, "parameters")) >= 1);
    }
    const char *path;
    json_t *item;
    json_object_foreach(paths, path, item) n_ops += json_object_size(item);
    assert_int_equal(n_ops, n_api);
    assert_non_null(json_object_get(paths, "/system"));
    assert_non_null(
        json_object_get(json_object_get(json_object_get(j, "components"), "schemas"), "Error"));
    json_t *q = json_object_get(json_object_get(paths, "/query/sql"), "post");
    json_t *schema = json_object_get(
        json_object_get(json_object_get(json_object_get(q, "requestBody"), "content"),
                        "application/json"),
        "schema");
    assert_non_null(json_object_get(json_object_get(schema, "properties"), "sql"));
    json_decref(j);
    free(doc);
}

/* ---- reply builder ---- */

static void test_reply_helpers(void **state)
{
    (void)state;
    struct lh_reply rp;
    lh_reply_init(&rp);
    assert_int_equal(lh_reply_error(&rp, -LH_ETOOBIG, "over %d", 5), -LH_ETOOBIG);
    assert_int_equal(rp.status, 413);
    json_t *j = json_loadb(rp.body.ptr, rp.body.len, 0, NULL);
    assert_non_null(j);
    assert_string_equal(err_code(j), "too_large");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "message")),
                        "over 5");
    json_decref(j);

    struct lh_error e;
    lh_error_clear(&e);
    lh_error_set(&e, LH_ETIMEDOUT, "slow");
    lh_reply_error_from(&rp, -LH_EINTERNAL, &e);
    assert_int_equal(rp.status, 408);
    lh_error_clear(&e);
    lh_reply_error_from(&rp, -LH_ENOTALLOWED, &e);
    assert_int_equal(rp.status, 403);
    assert_non_null(strstr(rp.body.ptr, "statement not allowed"));
    lh_reply_release(&rp);

    /* invalid UTF-8 never drops a field */
    json_t *s = lh_json_str("bad \xff\xfe end");
    assert_non_null(s);
    assert_non_null(strstr(json_string_value(s), "end"));
    json_decref(s);
    s = lh_json_str(NULL);
    assert_string_equal(json_string_value(s), "");
    json_decref(s);
}

/* ---- router without a lake ---- */

static void test_router_errors(void **state)
{
    (void)state;
    struct lh_req rq;
    struct lh_reply rp;
    int status;
    json_t *j;

    lh_req_init(&rq);
    rq.method = "GET";
    rq.path = "/nope";
    j = call(&rq, &rp, &status);
    assert_int_equal(status, 404);
    assert_string_equal(err_code(j), "not_found");
    json_decref(j);
    lh_reply_release(&rp);
    lh_req_release(&rq);

    lh_req_init(&rq);
    rq.method = "DELETE";
    rq.path = "/health";
    j = call(&rq, &rp, &status);
    assert_int_equal(status, 405);
    assert_string_equal(err_code(j), "method_not_allowed");
    assert_string_equal(lh_kvs_get_ci(&rp.headers, "allow"), "GET");
    json_decref(j);
    lh_reply_release(&rp);
    lh_req_release(&rq);

    lh_req_init(&rq);
    rq.method = "GET";
    rq.path = "/openapi.json";
    j = call(&rq, &rp, &status);
    assert_int_equal(status, 200);
    assert_non_null(json_object_get(j, "paths"));
    json_decref(j);
    lh_reply_release(&rp);
    lh_req_release(&rq);

    /* JSON bodies are checked before the handler runs (no lake needed) */
    const char *bodies[] = {"", "{\"sql\":", "[1,2]", "{\"a\":1,\"a\":2}", "\"x\""};
    for (size_t i = 0; i < LH_ARRAY_LEN(bodies); i++) {
        lh_req_init(&rq);
        rq.method = "POST";
        rq.path = "/query/sql";
        lh_buf_puts(&rq.body, bodies[i]);
        j = call(&rq, &rp, &status);
        assert_int_equal(status, 400);
        assert_string_equal(err_code(j), "invalid_input");
        json_decref(j);
        lh_reply_release(&rp);
        lh_req_release(&rq);
    }
    lh_req_init(&rq);
    rq.method = "POST";
    rq.path = "/query/sql";
    lh_buf_puts(&rq.body, "{\n  \"sql\": tru");
    j = call(&rq, &rp, &status);
    const char *msg = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
    assert_non_null(strstr(msg, "line 2"));
    assert_non_null(strstr(msg, "column"));
    json_decref(j);
    lh_reply_release(&rp);
    lh_req_release(&rq);
}

/* ---- the web UI's assets ---- */

/* GET path with an optional If-None-Match; returns the status, rp filled. */
static int ui_get(struct lh_reply *rp, const char *path, const char *inm)
{
    struct lh_req rq;
    lh_req_init(&rq);
    rq.method = "GET";
    rq.path = path;
    if (inm)
        lh_kvs_add(&rq.headers, "If-None-Match", inm);
    lh_reply_init(rp);
    lh_router_handle(&rq, rp);
    lh_req_release(&rq);
    return rp->status;
}

static void test_ui_assets(void **state)
{
    (void)state;
    struct lh_reply rp;
    const struct lh_web_asset *index = NULL;

    assert_true(lh_web_n_assets >= 5);
    for (size_t i = 0; i < lh_web_n_assets; i++) {
        const struct lh_web_asset *a = &lh_web_assets[i];
        if (i)
            assert_true(strcmp(lh_web_assets[i - 1].name, a->name) < 0); /* sorted, unique */
        if (!strcmp(a->name, "index.html"))
            index = a;
        /* strong ETag: quoted 32 hex digits */
        assert_int_equal(strlen(a->etag), 34);
        assert_true(a->etag[0] == '"' && a->etag[33] == '"');
        char path[128];
        snprintf(path, sizeof(path), "/ui/%s", a->name);
        assert_int_equal(ui_get(&rp, path, NULL), 200);
        assert_string_equal(rp.content_type, a->content_type);
        assert_int_equal(rp.body.len, a->size);
        assert_memory_equal(rp.body.ptr, a->data, a->size);
        assert_string_equal(lh_kvs_get_ci(&rp.headers, "ETag"), a->etag);
        lh_reply_release(&rp);
    }
    assert_non_null(index);

    assert_int_equal(ui_get(&rp, "/", NULL), 200);
    assert_string_equal(rp.content_type, "text/html; charset=utf-8");
    assert_int_equal(rp.body.len, index->size);
    const char *csp = lh_kvs_get_ci(&rp.headers, "Content-Security-Policy");
    assert_non_null(csp);
    assert_non_null(strstr(csp, "script-src 'self';"));
    assert_null(strstr(csp, "unsafe"));
    assert_string_equal(lh_kvs_get_ci(&rp.headers, "Cache-Control"), "no-cache");
    assert_string_equal(lh_kvs_get_ci(&rp.headers, "X-Frame-Options"), "DENY");
    lh_reply_release(&rp);

    /* revalidation: the exact tag, in a list, weak form, or "*" */
    char list[128];
    snprintf(list, sizeof(list), "\"abc\", W/%s", index->etag);
    const char *hit[] = {index->etag, list, "*"};
    for (size_t i = 0; i < LH_ARRAY_LEN(hit); i++) {
        assert_int_equal(ui_get(&rp, "/", hit[i]), 304);
        assert_int_equal(rp.body.len, 0);
        assert_null(rp.content_type);
        assert_string_equal(lh_kvs_get_ci(&rp.headers, "ETag"), index->etag);
        lh_reply_release(&rp);
    }
    const char *miss[] = {"\"abc\"", "", "W/\"0\", \"1\"", "\""};
    for (size_t i = 0; i < LH_ARRAY_LEN(miss); i++) {
        assert_int_equal(ui_get(&rp, "/", miss[i]), 200);
        lh_reply_release(&rp);
    }

    assert_int_equal(ui_get(&rp, "/ui/nope.js", NULL), 404);
    assert_null(lh_kvs_get_ci(&rp.headers, "ETag"));
    lh_reply_release(&rp);
    assert_int_equal(ui_get(&rp, "/ui/..%2Findex.html", NULL), 404);
    lh_reply_release(&rp);
    assert_int_equal(ui_get(&rp, "/ui/", NULL), 404);
    lh_reply_release(&rp);
    assert_int_equal(ui_get(&rp, "/index.html", NULL), 404);
    lh_reply_release(&rp);
}

static void test_client_gone(void **state)
{
    (void)state;
    struct lh_req rq;
    int sv[2];
    lh_req_init(&rq);
    assert_int_equal(rq.client_fd, -1);
    assert_false(lh_req_client_gone(&rq)); /* unknown: not gone */
    assert_false(lh_req_client_gone(NULL));
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    rq.client_fd = sv[0];
    assert_false(lh_req_client_gone(&rq));
    assert_int_equal(write(sv[1], "GET", 3), 3); /* a pipelined request is not a hang-up */
    assert_false(lh_req_client_gone(&rq));
    close(sv[1]);
    assert_true(lh_req_client_gone(&rq));
    close(sv[0]);
    lh_req_release(&rq);
}

/* ---- handlers over a real lake (h2o-style loopback: no sockets) ---- */

struct fx {
    char dir[64];
    struct lh_config cfg;
    struct lh_lake *l;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct lh_error err;
    strcpy(f->dir, "/tmp/u_http.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    lh_config_init(&f->cfg);
    char *data = lh_xasprintf("%s/data", f->dir);
    assert_int_equal(lh_config_set(&f->cfg, "data_dir", data, &err), 0);
    assert_int_equal(lh_config_set(&f->cfg, "duckdb_threads", "2", &err), 0);
    free(data);
    assert_int_equal(lh_lake_open(&f->cfg, &f->l, &err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    lh_lake_close(f->l);
    lh_config_release(&f->cfg);
    lh_fs_rm_rf(f->dir);
    free(f);
    return 0;
}

static void req_for(struct lh_req *rq, struct fx *f, const char *method, const char *path)
{
    lh_req_init(rq);
    rq->lake = f->l;
    rq->cfg = &f->cfg;
    rq->method = method;
    rq->path = path;
    strcpy(rq->id, "test");
}

/* Pulls a streamed reply to the end (like the server does). */
static int drain_stream(struct lh_reply *rp, struct lh_buf *out)
{
    int rc;
    while ((rc = rp->pull(rp->ud, out)) > 0) {
    }
    return rc;
}

static void test_handlers(void **state)
{
    struct fx *f = *state;
    struct lh_req rq;
    struct lh_reply rp;
    int status;
    json_t *j;

    req_for(&rq, f, "GET", "/health");
    j = call(&rq, &rp, &status);
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "ok");
    assert_int_equal(json_integer_value(json_object_get(j, "datasets")), 0);
    assert_int_equal(json_integer_value(json_object_get(j, "datasets_repaired")), 0);
    json_decref(j);
    lh_reply_release(&rp);
    lh_req_release(&rq);

    /* ingest a raw upload (the server would have streamed it to this file) */
    char *up = lh_lake_tmp_path(f->l, ".upload");
    FILE *fp = fopen(up, "w");
    assert_non_null(fp);
    fputs("id,name\n1,a\n2,b\n3,c\n", fp);
    fclose(fp);
    req_for(&rq, f, "POST", "/ingest/file");
    rq.upload_path = up;
    rq.upload_bytes = 20;
    lh_kvs_add(&rq.query, "name", "people");
    lh_kvs_add(&rq.query, "header", "true");
    j = call(&rq, &rp, &status);
    assert_int_equal(status, 201);
    assert_string_equal(json_string_value(json_object_get(j, "dataset")), "people");
    assert_int_equal(json_integer_value(json_object_get(j, "rows")), 3);
    assert_false(json_is_true(json_object_get(j, "duplicate")));
    assert_null(json_object_get(j, "duplicate_of"));
    assert_int_equal(json_array_size(json_object_get(j, "columns")), 2);
    json_decref(j);
    lh_reply_release(&rp);
    lh_req_release(&rq);

    /* the same content again: a duplicate, 200 */
    req_for(&rq, f, "POST", "/ingest/file");
    rq.upload_path = up;
    lh_kvs_add(&rq.form, "name", "people");
    lh_kvs_add(&rq.form, "mode", "append");
    j = call(&rq, &rp, &status);
    assert_int_equal(status, 200);
    assert_true(json_is_true(json_object_get(j, "duplicate")));
    assert_string_equal(json_string_value(json_object_get(j, "duplicate_of")), "people");
    json_decref(j);
    lh_reply_release(&rp);
    lh_req_release(&rq);

    /* bad parameters */
    const char *bad[][2] = {{"mode", "upsert"}, {"header", "maybe"}, {"name", "Bad Name"}};
    for (size_t i = 0; i < LH_ARRAY_LEN(bad); i++) {
        req_for(&rq, f, "POST", "/ingest/file");
        rq.upload_path = up;
        lh_kvs_add(&rq.query, bad[i][0], bad[i][1]);
        j = call(&rq, &rp, &status);
        assert_int_equal(status, 400);
        assert_string_equal(err_code(j), "invalid_input");
        json_decref(j);
        lh_reply_release(&rp);
        lh_req_release(&rq);
    }
    unlink(up);
    free(up);

    req_for(&rq, f, "GET", "/catalog/datasets");
    j = call(&rq, &rp, &status);
    assert_int_equal(status, 200);
    json_t *ds = json_array_get(json_object_get(j, "datasets"), 0);
    assert_string_equal(json_string_value(json_object_get(ds, "name")), "people");
    assert_int_equal(json_integer_value(json_object_get(ds, "rows")), 3);
    assert_true(json_is_array(json_object_get(ds, "tags")));
    assert_null(json_object_get(ds, "files"));
    json_decref(j);
    lh_reply_release(&rp);
    lh_req_release(&rq);

    req_for(&rq, f, "GET", "/catalog/datasets/people");
    j = call(&rq, &rp, &status);
    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(json_object_get(j, "files")), 1);
    json_decref(j);
    lh_reply_release(&rp);
    lh_req_release(&rq);

    req_for(&rq, f, "GET", "/catalog/datasets/missing");
    j = call(&rq, &rp, &status);
    assert_int_equal(status, 404);
    json_decref(j);
    lh_reply_release(&rp);
    lh_req_release(&rq);

    /* a streamed query, read to the end */
    req_for(&rq, f, "POST", "/query/sql");
    lh_buf_puts(&rq.body, "{\"sql\":\"SELECT id FROM people ORDER BY id\",\"format\":\"csv\"}");
    call(&rq, &rp, &status);
    assert_int_equal(status, 200);
    assert_non_null(rp.pull);
    struct lh_buf out = LH_BUF_INIT;
    assert_int_equal(drain_stream(&rp, &out), 0);
    assert_non_null(strstr(out.ptr, "1\r\n2\r\n3")); /* RFC 4180 line ends */
    lh_buf_release(&out);
    lh_reply_release(&rp); /* calls the free callback */
    lh_req_release(&rq);

    /* a stream abandoned after one part (client gone): free must cancel and close */
    req_for(&rq, f, "POST", "/query/sql");
    lh_buf_puts(&rq.body, "{\"sql\":\"SELECT * FROM range(1000000)\",\"limit\":0}");
    lh_kvs_add(&rq.query, "format", "ndjson");
    call(&rq, &rp, &status);
    assert_int_equal(status, 200);
    assert_non_null(rp.pull);
    assert_int_equal(rp.pull(rp.ud, &out), 1);
    lh_buf_release(&out);
    lh_reply_release(&rp);
    lh_req_release(&rq);

    /* query errors come back before streaming */
    static const struct {
        const char *body, *code;
        int status;
    } qbad[] = {{"{\"sql\":\"SELECT * FROM nope\"}", "sql_error", 400},
                {"{\"sql\":\"SELECT 1; SELECT 2\"}", "not_allowed", 403},
                {"{\"sql\":\"SELECT 1\",\"limit\":-1}", "invalid_input", 400},
                {"{\"sql\":\"SELECT 1\",\"timeout_ms\":\"x\"}", "invalid_input", 400},
                {"{\"sql\":\"SELECT 1\",\"format\":\"xml\"}", "invalid_input", 400},
                {"{\"sql\":\"\"}", "invalid_input", 400},
                {"{\"query\":\"SELECT 1\"}", "invalid_input", 400}};
    for (size_t i = 0; i < LH_ARRAY_LEN(qbad); i++) {
        req_for(&rq, f, "POST", "/query/sql");
        lh_buf_puts(&rq.body, qbad[i].body);
        j = call(&rq, &rp, &status);
        assert_null(rp.pull);
        assert_non_null(j);
        assert_string_equal(err_code(j), qbad[i].code);
        assert_int_equal(status, qbad[i].status);
        json_decref(j);
        lh_reply_release(&rp);
        lh_req_release(&rq);
    }

    req_for(&rq, f, "POST", "/catalog/gc");
    j = call(&rq, &rp, &status);
    assert_int_equal(status, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "files_kept")), 1);
    json_decref(j);
    lh_reply_release(&rp);
    lh_req_release(&rq);

    req_for(&rq, f, "DELETE", "/catalog/datasets/people");
    j = call(&rq, &rp, &status);
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(j, "deleted")), "people");
    json_decref(j);
    lh_reply_release(&rp);
    lh_req_release(&rq);

    /* GET /system: storage, counters, and the configuration without its secrets */
    struct lh_error cerr;
    assert_int_equal(lh_config_set(&f->cfg, "llm_api_key", "s3cret-value", &cerr), 0);
    assert_int_equal(lh_config_set(&f->cfg, "embed_url", "https://u:pw123@example.com/v1", &cerr), 0);
    req_for(&rq, f, "GET", "/system");
    j = call(&rq, &rp, &status);
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "ok");
    assert_string_equal(json_string_value(json_object_get(j, "version")), LH_VERSION);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "catalog"), "datasets")), 0);
    json_t *st = json_object_get(j, "storage");
    assert_string_equal(json_string_value(json_object_get(st, "backend")), "local");
    assert_true(json_is_true(json_object_get(st, "listed")));
    assert_true(json_integer_value(json_object_get(st, "catalog_bytes")) > 0);
    assert_true(json_integer_value(json_object_get(st, "disk_total_bytes")) > 0);
    assert_true(json_is_array(json_object_get(st, "datasets")));
    assert_null(json_object_get(j, "http")); /* no server, no counters */
    json_t *cfg = json_object_get(j, "config");
    assert_string_equal(json_string_value(json_object_get(cfg, "llm_api_key")), "(set)");
    assert_string_equal(json_string_value(json_object_get(cfg, "embed_api_key")), "");
    assert_string_equal(json_string_value(json_object_get(cfg, "embed_url")),
                        "https://(redacted)@example.com/v1");
    assert_null(strstr(rp.body.ptr, "s3cret"));
    assert_null(strstr(rp.body.ptr, "pw123"));
    json_decref(j);
    lh_reply_release(&rp);
    lh_req_release(&rq);

    req_for(&rq, f, "POST", "/catalog/resync");
    j = call(&rq, &rp, &status);
    assert_int_equal(status, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "datasets")), 0);
    assert_int_equal(json_integer_value(json_object_get(j, "datasets_repaired")), 0);
    json_decref(j);
    lh_reply_release(&rp);
    lh_req_release(&rq);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_route_match),
        cmocka_unit_test(test_unescape),
        cmocka_unit_test(test_request_id),
        cmocka_unit_test(test_parse_i64),
        cmocka_unit_test(test_openapi),
        cmocka_unit_test(test_reply_helpers),
        cmocka_unit_test(test_router_errors),
        cmocka_unit_test(test_ui_assets),
        cmocka_unit_test(test_client_gone),
        cmocka_unit_test_setup_teardown(test_handlers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
