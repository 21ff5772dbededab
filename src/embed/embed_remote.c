/* SPDX-License-Identifier: MIT */
/* embed_remote.c - remote embedders: Ollama /api/embed and OpenAI-compatible /v1/embeddings. */
#include "lh_common.h"
#include "embed.h"
#include "buf.h"
#include "embed_int.h"
#include "http_client.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define OLLAMA_BASE "http://127.0.0.1:11434"
#define OLLAMA_MODEL "nomic-embed-text"
#define OLLAMA_BATCH 64
#define OPENAI_BASE "https://api.openai.com"
#define OPENAI_MODEL "text-embedding-3-small"
#define OPENAI_BATCH 256
#define MAX_BATCH_LIMIT 4096

struct remote {
    struct lh_embedder base; /* first member */
    struct lh_http_client *http;
    char *url;
    bool openai;
    pthread_mutex_t mu; /* guards base.dims once learned from an answer */
};

static int get_dims(struct remote *r)
{
    pthread_mutex_lock(&r->mu);
    int d = r->base.dims;
    pthread_mutex_unlock(&r->mu);
    return d;
}

/* Copies one JSON array of numbers into dst (dims floats). */
static int read_vector(struct remote *r, json_t *arr, size_t text, int dims, float *dst,
                       struct lh_error *err)
{
    if (!json_is_array(arr))
        return lh_http_client_error(r->http, err, LH_EUPSTREAM,
                                    "answer has no embedding array for text %zu", text);
    size_t n = json_array_size(arr);
    if (n != (size_t)dims)
        return lh_http_client_error(r->http, err, LH_EUPSTREAM,
                                    "model %s returned %zu dims for text %zu, expected %d "
                                    "(dims must not change between calls)",
                                    r->base.model, n, text, dims);
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(arr, i);
        if (!json_is_number(v))
            return lh_http_client_error(r->http, err, LH_EUPSTREAM,
                                        "embedding %zu has a non-number at position %zu", text,
                                        i);
        dst[i] = (float)json_number_value(v);
    }
    return 0;
}

/* The embedding arrays of an answer in input order: vecs[k] for the k-th text sent. */
static int answer_vectors(struct remote *r, json_t *ans, size_t n_sent, json_t **vecs,
                          struct lh_error *err)
{
    if (!r->openai) {
        json_t *a = json_object_get(ans, "embeddings");
        if (!json_is_array(a))
            return lh_http_client_error(r->http, err, LH_EUPSTREAM,
                                        "answer has no \"embeddings\" array");
        if (json_array_size(a) != n_sent)
            return lh_http_client_error(r->http, err, LH_EUPSTREAM,
                                        "answer has %zu embeddings for %zu texts",
                                        json_array_size(a), n_sent);
        for (size_t k = 0; k < n_sent; k++)
            vecs[k] = json_array_get(a, k);
        return 0;
    }
    json_t *d = json_object_get(ans, "data");
    if (!json_is_array(d))
        return lh_http_client_error(r->http, err, LH_EUPSTREAM, "answer has no \"data\" array");
    if (json_array_size(d) != n_sent)
        return lh_http_client_error(r->http, err, LH_EUPSTREAM,
                                    "answer has %zu embeddings for %zu texts",
                                    json_array_size(d), n_sent);
    for (size_t k = 0; k < n_sent; k++)
        vecs[k] = NULL;
    for (size_t k = 0; k < n_sent; k++) {
        json_t *item = json_array_get(d, k);
        json_t *idx = json_object_get(item, "index");
        json_int_t i = idx ? (json_is_integer(idx) ? json_integer_value(idx) : -1)
                           : (json_int_t)k;
        if (i < 0 || (size_t)i >= n_sent || vecs[i])
            return lh_http_client_error(r->http, err, LH_EUPSTREAM,
                                        "answer item %zu has a bad or repeated \"index\"", k);
        vecs[i] = json_object_get(item, "embedding");
        if (!vecs[i])
            return lh_http_client_error(r->http, err, LH_EUPSTREAM,
                                        "answer item %zu has no \"embedding\"", k);
    }
    return 0;
}

static int remote_embed(struct lh_embedder *e, const char *const *texts, const size_t *lens,
                        size_t n, float **out, struct lh_error *err)
{
    struct remote *r = (struct remote *)e;
    size_t *todo = NULL; /* indexes of the non-empty texts, in order */
    size_t n_todo = 0;
    json_t **vecs = NULL;
    float *res = NULL;
    int dims = get_dims(r), rc = 0;
    struct lh_buf body;

    lh_buf_init(&body, 0);
    if (n == 0) {
        *out = NULL;
        return 0;
    }
    if (!texts)
        return lh_error_set(err, LH_EINVAL, "%s: no texts given", e->ops->name);
    todo = lh_xmalloc(n * sizeof(*todo));
    for (size_t i = 0; i < n; i++) {
        size_t len = texts[i] ? (lens ? lens[i] : strlen(texts[i])) : 0;
        if (len > 0)
            todo[n_todo++] = i;
    }
    if (n_todo == 0 && dims == 0) {
        rc = lh_error_set(err, LH_EINVAL,
                          "%s: only empty texts and the model's dims are not known yet "
                          "(configure dims or embed a non-empty text first)",
                          e->ops->name);
        goto out;
    }
    if (dims > 0)
        res = lh_xcalloc(n * (size_t)dims, sizeof(float));
    vecs = lh_xmalloc((e->max_batch < n_todo ? e->max_batch : n_todo + 1) * sizeof(*vecs));

    for (size_t start = 0; start < n_todo; start += e->max_batch) {
        size_t cnt = n_todo - start < e->max_batch ? n_todo - start : e->max_batch;
        lh_buf_reset(&body);
        lh_buf_puts(&body, "{\"model\":");
        lh_buf_json_str(&body, e->model, strlen(e->model));
        lh_buf_puts(&body, ",\"input\":[");
        for (size_t k = 0; k < cnt; k++) {
            size_t i = todo[start + k];
            if (k)
                lh_buf_putc(&body, ',');
            lh_buf_json_str(&body, texts[i], lens ? lens[i] : strlen(texts[i]));
        }
        lh_buf_puts(&body, "]}");

        json_t *ans = NULL;
        rc = lh_http_client_post_json(r->http, r->url, body.ptr, body.len, &ans, err);
        if (rc)
            goto out;
        rc = answer_vectors(r, ans, cnt, vecs, err);
        if (!rc && dims == 0) {
            json_t *first = vecs[0];
            size_t d = json_is_array(first) ? json_array_size(first) : 0;
            if (d == 0 || d > LH_EMBED_MAX_DIMS) {
                rc = lh_http_client_error(r->http, err, LH_EUPSTREAM,
                                          "model %s returned a vector of %zu dims", e->model, d);
            } else {
                dims = (int)d;
                res = lh_xcalloc(n * (size_t)dims, sizeof(float));
            }
        }
        for (size_t k = 0; !rc && k < cnt; k++) {
            size_t i = todo[start + k];
            rc = read_vector(r, vecs[k], i, dims, res + i * (size_t)dims, err);
        }
        json_decref(ans);
        if (rc)
            goto out;
    }

    pthread_mutex_lock(&r->mu);
    if (r->base.dims == 0)
        r->base.dims = dims;
    else if (r->base.dims != dims)
        rc = lh_http_client_error(r->http, err, LH_EUPSTREAM,
                                  "model %s returned %d dims, expected %d", e->model, dims,
                                  r->base.dims);
    pthread_mutex_unlock(&r->mu);
    if (rc)
        goto out;
    *out = res;
    res = NULL;
out:
    lh_buf_release(&body);
    free(todo);
    free(vecs);
    free(res);
    return rc;
}

static void remote_close(struct lh_embedder *e)
{
    struct remote *r = (struct remote *)e;
    lh_http_client_free(r->http);
    pthread_mutex_destroy(&r->mu);
    free(r->url);
    free(e->model);
    free(e->version);
    free(r);
}

static const struct lh_embed_ops ollama_ops = {
    .name = "ollama",
    .caps = LH_EMBED_CAP_BATCH,
    .embed = remote_embed,
    .close = remote_close,
};

static const struct lh_embed_ops openai_ops = {
    .name = "openai",
    .caps = LH_EMBED_CAP_BATCH,
    .embed = remote_embed,
    .close = remote_close,
};

int lh__embed_remote_new(const struct lh_embed_opts *o, bool openai, struct lh_embedder **out,
                         struct lh_error *err)
{
    const char *name = openai ? "openai" : "ollama";
    const char *base = o->base_url && o->base_url[0] ? o->base_url
                                                     : openai ? OPENAI_BASE : OLLAMA_BASE;
    const char *model = o->model && o->model[0] ? o->model : openai ? OPENAI_MODEL : OLLAMA_MODEL;
    int max_batch = o->max_batch ? o->max_batch : openai ? OPENAI_BATCH : OLLAMA_BATCH;

    if (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0)
        return lh_error_set(err, LH_EINVAL, "%s: base URL must start with http:// or https://",
                            name);
    if (o->dims < 0 || o->dims > LH_EMBED_MAX_DIMS)
        return lh_error_set(err, LH_EINVAL, "%s: dims must be 0..%d, not %d", name,
                            LH_EMBED_MAX_DIMS, o->dims);
    if (max_batch < 1 || max_batch > MAX_BATCH_LIMIT)
        return lh_error_set(err, LH_EINVAL, "%s: max_batch must be 1..%d, not %d", name,
                            MAX_BATCH_LIMIT, max_batch);
    struct lh_http_client_opts ho = {
        .name = name,
        .api_key = o->api_key,
        .timeout_ms = o->timeout_ms,
        .connect_timeout_ms = o->connect_timeout_ms,
        .max_retries = o->max_retries,
        .retry_base_ms = o->retry_base_ms,
    };
    struct lh_http_client *http = NULL;
    int rc = lh_http_client_new(&ho, &http, err);
    if (rc)
        return rc;
    struct remote *r = lh_xcalloc(1, sizeof(*r));
    r->base.ops = openai ? &openai_ops : &ollama_ops;
    r->base.dims = o->dims;
    r->base.model = lh_xstrdup(model);
    r->base.version = lh_xstrdup("");
    r->base.max_batch = (size_t)max_batch;
    r->http = http;
    r->url = lh_http_endpoint(base, openai, "/api/embed", "/embeddings");
    r->openai = openai;
    pthread_mutex_init(&r->mu, NULL);
    *out = &r->base;
    return 0;
}
