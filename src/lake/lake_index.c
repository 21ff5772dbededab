/* SPDX-License-Identifier: MIT */
/* lake_index.c - vector indexes over datasets: build jobs (chunk, embed, store as Parquet,
 * insert into HNSW), loading for search, vector/keyword/hybrid search with filters, RAG.
 *
 * Layout in the bucket: indexes/<name>/emb/<uuid>.parquet holds embedded chunks (label,
 * doc_id, chunk_no, text, vector); indexes/<name>/g<generation>/index.lhvx is the HNSW graph
 * of one build. The catalog's index_docs says which chunks (labels) each source document
 * has and their content hash, so a rebuild embeds only new or changed documents, and a
 * resumed job skips the batches it committed before. */
#include "lh_common.h"
#include "lake.h"
#include "lake_int.h"
#include "bm25.h"
#include "buf.h"
#include "chunk.h"
#include "embed.h"
#include "fs.h"
#include "hash.h"
#include "llm.h"
#include "log.h"
#include "vector.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BATCH_DOCS 256

/* The index engine (src/vector) under the names this file uses. */
#define vx lh_vec

static int vx_new(int dims, int m, int ef_construction, size_t capacity, struct vx **out,
                  struct lh_error *err)
{
    struct lh_vec_opts o;
    lh_vec_opts_init(&o, (uint32_t)dims);
    o.m = (uint32_t)m;
    o.ef_construction = (uint32_t)ef_construction;
    o.capacity = (uint32_t)(capacity < UINT32_MAX ? capacity : UINT32_MAX);
    return lh_vec_new(&o, out, err);
}

static int64_t vx_memory(struct vx *ix)
{
    struct lh_vec_stats st;
    lh_vec_stats(ix, &st);
    return (int64_t)(st.bytes_vectors + st.bytes_codes + st.bytes_graph + st.bytes_other);
}

struct vx_allow {
    bool (*fn)(void *ud, uint64_t label);
    void *ud;
};

static bool vx_allow_cb(uint64_t label, void *ctx)
{
    struct vx_allow *a = ctx;
    return a->fn(a->ud, label);
}

/* k nearest chunks as hits scored by cosine similarity (1 - distance), best first. */
static int vx_search(struct vx *ix, const float *q, size_t k, int ef,
                     bool (*allow)(void *ud, uint64_t label), void *ud, struct lh_hit *out,
                     size_t *out_n, struct lh_error *err)
{
    struct vx_allow a = {allow, ud};
    struct lh_vec_filter f = {NULL, 0, vx_allow_cb, &a};
    struct lh_vec_query qo = {0};
    qo.k = k;
    qo.ef = (uint32_t)ef;
    qo.filter = allow ? &f : NULL;
    struct lh_vec_hit *h = lh_xcalloc(k ? k : 1, sizeof(*h));
    int rc = lh_vec_search(ix, q, lh_vec_dims(ix), &qo, h, out_n, err);
    for (size_t i = 0; rc == 0 && i < *out_n; i++) {
        out[i].id = h[i].label;
        out[i].score = 1.0f - h[i].distance;
    }
    free(h);
    return rc;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- parameters ---- */

struct iparams {
    int chunk_size, chunk_overlap, m, ef_construction;
};

static void params_parse(const char *json, struct iparams *p)
{
    p->chunk_size = 800;
    p->chunk_overlap = 100;
    p->m = 16;
    p->ef_construction = 100;
    if (!json)
        return;
    const char *k;
    if ((k = strstr(json, "\"chunk_size\":")))
        p->chunk_size = atoi(k + 13);
    if ((k = strstr(json, "\"chunk_overlap\":")))
        p->chunk_overlap = atoi(k + 16);
    if ((k = strstr(json, "\"m\":")))
        p->m = atoi(k + 4);
    if ((k = strstr(json, "\"ef_construction\":")))
        p->ef_construction = atoi(k + 18);
}

static int open_embedder(struct lh_lake *l, const struct lh_index_def *d, struct lh_embedder **out,
                         struct lh_error *err)
{
    const struct lh_config *cfg = l->cfg;
    struct lh_embed_opts o = {0};
    o.kind = d->embedder;
    o.model = strcmp(d->embedder, "builtin") ? d->model : NULL;
    o.dims = (int)d->dims;
    if (strcmp(d->embedder, "builtin") != 0) {
        o.base_url = strcmp(cfg->embed_url, "-") ? cfg->embed_url : NULL;
        o.api_key = cfg->embed_api_key[0] ? cfg->embed_api_key : NULL;
        if (d->dims == 0)
            o.dims = 0;
    }
    return lh_embedder_open(&o, out, err);
}

/* ---- the registry ---- */

int lh_lake_index(struct lh_lake *l, const struct lh_index_req *rq, char job_id[40],
                  struct lh_error *err)
{
    char name[64];
    struct lh_dataset *ds = NULL;
    struct lh_index_def *have = NULL;
    struct lh_embedder *emb = NULL;
    struct lh_buf params = LH_BUF_INIT;
    int rc;

    if (!rq->dataset || !rq->text_col || !rq->id_col)
        return lh_error_set(err, LH_EINVAL, "an index needs a dataset, a text column and an id "
                                            "column");
    if ((rc = lh_catalog_name_check(rq->dataset, err)) ||
        (rc = lh_catalog_get(l->cat, rq->dataset, &ds, err)))
        return rc;
    bool has_text = false, has_id = false;
    for (size_t i = 0; i < ds->n_columns; i++) {
        has_text |= strcasecmp(ds->columns[i].name, rq->text_col) == 0;
        has_id |= strcasecmp(ds->columns[i].name, rq->id_col) == 0;
    }
    if (!has_text || !has_id) {
        rc = lh_error_set(err, LH_EINVAL, "dataset '%s' has no column '%.64s'", rq->dataset,
                          !has_text ? rq->text_col : rq->id_col);
        goto out;
    }
    if (rq->name && rq->name[0])
        snprintf(name, sizeof(name), "%s", rq->name);
    else
        snprintf(name, sizeof(name), "%.40s_%.22s", rq->dataset, rq->text_col);
    for (char *p = name; *p; p++)
        *p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
    if (lh_catalog_name_check(name, NULL)) {
        rc = lh_error_set(err, LH_EINVAL,
                          "invalid index name '%s': use lowercase letters, digits or '_'", name);
        goto out;
    }
    struct iparams p = {rq->chunk_size ? rq->chunk_size : 800,
                        rq->chunk_overlap ? rq->chunk_overlap : 100, rq->m ? rq->m : 16,
                        rq->ef_construction ? rq->ef_construction : 100};
    if (p.chunk_size < 50 || p.chunk_size > 100000 || p.chunk_overlap < 0 ||
        p.chunk_overlap >= p.chunk_size || p.m < 4 || p.m > 128 || p.ef_construction < 8 ||
        p.ef_construction > 2000) {
        rc = lh_error_set(err, LH_EINVAL,
                          "index parameters out of range (chunk_size 50..100000, overlap below "
                          "chunk_size, m 4..128, ef_construction 8..2000)");
        goto out;
    }
    lh_buf_printf(&params,
                  "{\"chunk_size\":%d,\"chunk_overlap\":%d,\"m\":%d,\"ef_construction\":%d}",
                  p.chunk_size, p.chunk_overlap, p.m, p.ef_construction);
    struct lh_index_def d = {0};
    d.name = name;
    d.dataset = (char *)rq->dataset;
    d.text_col = (char *)rq->text_col;
    d.id_col = (char *)rq->id_col;
    d.embedder = (char *)(rq->embedder ? rq->embedder : "builtin");
    d.model = (char *)(rq->model ? rq->model : "");
    d.dims = rq->dims;
    d.params_json = params.ptr;
    /* the embedder decides model, version and dims (remote ones learn dims at first use) */
    if ((rc = open_embedder(l, &d, &emb, err)))
        goto out;
    d.model = emb->model;
    d.version = emb->version;
    d.dims = emb->dims;

    rc = lh_catalog_index_get(l->cat, name, &have, NULL);
    if (rc == 0) {
        if (strcmp(have->dataset, d.dataset) || strcasecmp(have->text_col, d.text_col) ||
            strcasecmp(have->id_col, d.id_col) || strcmp(have->embedder, d.embedder) ||
            strcmp(have->model, d.model) || strcmp(have->params_json, d.params_json)) {
            rc = lh_error_set(err, LH_EEXIST,
                              "index '%s' exists with another definition; drop it first", name);
            goto out;
        }
    } else if ((rc = lh_catalog_index_create(l->cat, &d, err))) {
        goto out;
    }
    char uuid[37];
    lh_uuid4(uuid);
    snprintf(job_id, 40, "%s", uuid);
    rc = lh_catalog_job_create(l->cat, job_id, "index", name, NULL, rq->actor, err);
out:
    lh_buf_release(&params);
    lh_embedder_close(emb);
    lh_index_def_free(have);
    lh_dataset_free(ds);
    return rc;
}

/* ---- building ---- */

struct src_doc {
    char *id;
    char *text;
    size_t len;
    char hash[17];
};

struct collect {
    struct src_doc *docs;
    size_t n, cap;
};

static int collect_row(void *ud, size_t ncols, const char *const *vals, const size_t *lens)
{
    struct collect *c = ud;
    if (ncols < 2 || !vals[0])
        return 0; /* rows without an id are skipped */
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->docs = lh_xrealloc(c->docs, c->cap * sizeof(*c->docs));
    }
    struct src_doc *d = &c->docs[c->n++];
    d->id = lh_xstrndup(vals[0], lens[0]);
    d->text = lh_xstrndup(vals[1] ? vals[1] : "", vals[1] ? lens[1] : 0);
    d->len = vals[1] ? lens[1] : 0;
    char hex[65];
    lh_sha256_hex(d->text, d->len, hex);
    memcpy(d->hash, hex, 16);
    d->hash[16] = '\0';
    return 0;
}

static void collect_free(struct collect *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->docs[i].id);
        free(c->docs[i].text);
    }
    free(c->docs);
}

static int cmp_doc_id(const void *a, const void *b)
{
    return strcmp(((const struct lh_index_doc *)a)->doc_id, ((const struct lh_index_doc *)b)->doc_id);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct lh_index_doc *find_doc(struct lh_index_doc *v, size_t n, const char *id)
{
    struct lh_index_doc key = {.doc_id = (char *)id};
    return n ? bsearch(&key, v, n, sizeof(*v), cmp_doc_id) : NULL;
}

/* Embeds one batch of documents and stores their chunks as one Parquet file. */
static int embed_batch(struct lh_lake *l, const char *index, struct lh_embedder *emb,
                       const struct iparams *p, struct src_doc **docs, size_t n,
                       int64_t *next_label, struct lh_index_doc *out_docs, struct lh_error *err)
{
    char **texts = NULL, **doc_ids = NULL, *staged = NULL, *key = NULL;
    int32_t *chunk_nos = NULL;
    uint64_t *labels = NULL;
    size_t *lens = NULL, n_chunks = 0, cap = 0;
    float *vecs = NULL;
    int rc = 0;

    for (size_t i = 0; i < n; i++) {
        struct lh_chunk_span *spans = NULL;
        struct lh_chunk_opts co = {(size_t)p->chunk_size, (size_t)p->chunk_overlap};
        size_t ns = 0;
        if ((rc = lh_chunk_text(docs[i]->text, docs[i]->len, &co, &spans, &ns, err)))
            goto out;
        out_docs[i].doc_id = docs[i]->id;
        out_docs[i].content_hash = docs[i]->hash;
        out_docs[i].first_label = *next_label;
        out_docs[i].n_chunks = (int64_t)ns;
        for (size_t s = 0; s < ns; s++) {
            if (n_chunks == cap) {
                cap = cap ? cap * 2 : 512;
                texts = lh_xrealloc(texts, cap * sizeof(*texts));
                doc_ids = lh_xrealloc(doc_ids, cap * sizeof(*doc_ids));
                chunk_nos = lh_xrealloc(chunk_nos, cap * sizeof(*chunk_nos));
                labels = lh_xrealloc(labels, cap * sizeof(*labels));
                lens = lh_xrealloc(lens, cap * sizeof(*lens));
            }
            texts[n_chunks] = lh_xstrndup(docs[i]->text + spans[s].off, spans[s].len);
            lens[n_chunks] = spans[s].len;
            doc_ids[n_chunks] = docs[i]->id;
            chunk_nos[n_chunks] = (int32_t)s;
            labels[n_chunks] = (uint64_t)(*next_label)++;
            n_chunks++;
        }
        free(spans);
    }
    if (n_chunks == 0)
        goto out;
    for (size_t off = 0; off < n_chunks; off += emb->max_batch ? emb->max_batch : 256) {
        size_t m = n_chunks - off;
        if (emb->max_batch && m > emb->max_batch)
            m = emb->max_batch;
        float *part = NULL;
        if ((rc = lh_embed(emb, (const char *const *)texts + off, lens + off, m, &part, err)))
            goto out;
        if (!vecs)
            vecs = lh_xmalloc(n_chunks * (size_t)emb->dims * sizeof(float));
        memcpy(vecs + off * (size_t)emb->dims, part, m * (size_t)emb->dims * sizeof(float));
        free(part);
    }
    char uuid[37];
    lh_uuid4(uuid);
    key = lh_xasprintf("indexes/%s/emb/%s.parquet", index, uuid);
    staged = lh_lake_tmp_path(l, ".parquet");
    if ((rc = lh_sql_write_vectors(l->sql, staged, n_chunks, (size_t)emb->dims, labels, doc_ids,
                                   chunk_nos, texts, vecs, err)) ||
        (rc = lh_store_put_file(l->store, key, staged, LH_STORE_PUT_MOVE, err)))
        goto out;
    for (size_t i = 0; i < n; i++)
        out_docs[i].batch_key = lh_xstrdup(key);
out:
    for (size_t i = 0; i < n_chunks; i++)
        free(texts[i]);
    free(texts);
    free(doc_ids);
    free(chunk_nos);
    free(labels);
    free(lens);
    free(vecs);
    if (staged) {
        unlink(staged);
        free(staged);
    }
    free(key);
    return rc;
}

/* ---- the HNSW graph of a build ---- */

struct vec_load {
    const uint64_t *live; /* sorted live labels */
    size_t n_live;
    size_t dims;
    uint64_t *labels; /* collected live chunks */
    float *vecs;
    size_t n, cap;
    struct lh_vec *have; /* chunks already in this graph are skipped */
};

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static bool is_live(const uint64_t *live, size_t n, uint64_t label)
{
    return n && bsearch(&label, live, n, sizeof(*live), cmp_u64);
}

static int add_vec(void *ud, uint64_t label, const char *doc_id, size_t doc_len, int32_t chunk_no,
                   const char *text, size_t text_len, const float *vec)
{
    struct vec_load *v = ud;
    LH_UNUSED(doc_id);
    LH_UNUSED(doc_len);
    LH_UNUSED(chunk_no);
    LH_UNUSED(text);
    LH_UNUSED(text_len);
    if (!is_live(v->live, v->n_live, label) || lh_vec_contains(v->have, label))
        return 0;
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 4096;
        v->labels = lh_xrealloc(v->labels, v->cap * sizeof(*v->labels));
        v->vecs = lh_xrealloc(v->vecs, v->cap * v->dims * sizeof(*v->vecs));
    }
    v->labels[v->n] = label;
    memcpy(v->vecs + v->n * v->dims, vec, v->dims * sizeof(float));
    v->n++;
    return 0;
}

/* Loads the previous generation's graph and deletes every chunk that is no longer live
 * (documents changed or gone, also those a crashed run re-embedded). Labels are allocated
 * upwards, so [0, next_label) covers all. Non-zero: build a new graph instead. */
static int update_previous(struct lh_lake *l, const struct lh_index_def *d, const uint64_t *live,
                           size_t n_live, int64_t next_label, struct lh_vec **out)
{
    struct lh_error e2;
    char *key = lh_xasprintf("indexes/%s/g%lld/index.lhvx", d->name, (long long)d->generation);
    char *path = lh_store_local_path(l->store, key);
    struct lh_vec *ix = NULL;
    int rc = path ? lh_vec_load_ex(path, 2, LH_VEC_LOAD_COPY, &ix, &e2) : -LH_ENOTFOUND;
    free(key);
    free(path);
    if (rc) {
        LH_LOG(LH_LOG_INFO, "vectors", "msg=\"previous graph unusable, building anew\" index=%s",
               d->name);
        return rc;
    }
    for (int64_t label = 0; label < next_label; label++)
        if (!is_live(live, n_live, (uint64_t)label) && lh_vec_contains(ix, (uint64_t)label))
            lh_vec_delete(ix, (uint64_t)label, NULL);
    *out = ix;
    return 0;
}

/* Labels of every chunk of the documents (sorted), and the distinct batch keys. */
static void live_labels(const struct lh_index_doc *docs, size_t n, uint64_t **labels,
                        size_t *n_labels, char ***keys, size_t *n_keys)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += (size_t)docs[i].n_chunks;
    *labels = lh_xcalloc(total ? total : 1, sizeof(**labels));
    *n_labels = 0;
    *keys = lh_xcalloc(n ? n : 1, sizeof(**keys));
    *n_keys = 0;
    for (size_t i = 0; i < n; i++) {
        for (int64_t c = 0; c < docs[i].n_chunks; c++)
            (*labels)[(*n_labels)++] = (uint64_t)(docs[i].first_label + c);
        bool seen = false;
        for (size_t k = 0; k < *n_keys && !seen; k++)
            seen = strcmp((*keys)[k], docs[i].batch_key) == 0;
        if (!seen)
            (*keys)[(*n_keys)++] = lh_xstrdup(docs[i].batch_key);
    }
    qsort(*labels, *n_labels, sizeof(**labels), cmp_u64);
}

int lh__index_build(struct lh_lake *l, const struct lh_job *j,
                    void (*progress)(void *ud, int64_t done, int64_t total), void *ud,
                    struct lh_error *err)
{
    struct lh_index_def *d = NULL;
    struct lh_embedder *emb = NULL;
    struct collect src = {0};
    struct lh_index_doc *have = NULL, *now_docs = NULL;
    size_t n_have = 0, n_now = 0;
    struct src_doc **todo = NULL;
    size_t n_todo = 0;
    char **removed = NULL, **keys = NULL, **paths = NULL;
    size_t n_removed = 0, n_keys = 0;
    uint64_t *live = NULL;
    size_t n_live = 0;
    struct vx *ix = NULL;
    char *staged = NULL, *key = NULL, *old_key = NULL;
    struct lh_buf q = LH_BUF_INIT, stats = LH_BUF_INIT;
    struct iparams p;
    int64_t t0 = now_ms(), t_embed = 0, done = j->done, next_label = 0;
    bool incremental = false;
    int rc;

    if ((rc = lh_catalog_index_get(l->cat, j->target, &d, err)))
        return rc;
    params_parse(d->params_json, &p);
    lh_catalog_index_update(l->cat, d->name, "building", -1, NULL, -1, NULL);
    if ((rc = open_embedder(l, d, &emb, err)))
        goto out;
    if (strcmp(emb->model, d->model) || strcmp(emb->version, d->version) ||
        (d->dims && emb->dims && emb->dims != d->dims)) {
        rc = lh_error_set(err, LH_ECONFLICT,
                          "index '%s' was built with %s/%s (%lld dims); the embedder now is "
                          "%s/%s (%d dims)",
                          d->name, d->model, d->version, (long long)d->dims, emb->model,
                          emb->version, emb->dims);
        goto out;
    }

    /* the documents, and what the index already holds */
    lh_buf_puts(&q, "SELECT CAST(");
    lh_sql_ident(&q, d->id_col);
    lh_buf_puts(&q, " AS VARCHAR), CAST(");
    lh_sql_ident(&q, d->text_col);
    lh_buf_puts(&q, " AS VARCHAR) FROM ");
    lh_sql_ident(&q, d->dataset);
    if ((rc = lh_sql_each_row(l->sql, NULL, q.ptr, collect_row, &src, err)) ||
        (rc = lh_catalog_index_docs(l->cat, d->name, &have, &n_have, err)))
        goto out;
    if (n_have)
        qsort(have, n_have, sizeof(*have), cmp_doc_id);
    for (size_t i = 0; i < n_have; i++)
        if (have[i].first_label + have[i].n_chunks > next_label)
            next_label = have[i].first_label + have[i].n_chunks;
    todo = lh_xcalloc(src.n ? src.n : 1, sizeof(*todo));
    for (size_t i = 0; i < src.n; i++) {
        struct lh_index_doc *h = find_doc(have, n_have, src.docs[i].id);
        if (!h || strcmp(h->content_hash, src.docs[i].hash) != 0)
            todo[n_todo++] = &src.docs[i];
    }
    /* documents gone from the dataset */
    const char **ids = lh_xcalloc(src.n ? src.n : 1, sizeof(*ids));
    for (size_t i = 0; i < src.n; i++)
        ids[i] = src.docs[i].id;
    qsort(ids, src.n, sizeof(*ids), cmp_str);
    for (size_t i = 0; i < n_have; i++) {
        const char *want = have[i].doc_id;
        bool present = src.n && bsearch(&want, ids, src.n, sizeof(*ids), cmp_str);
        if (!present) {
            removed = lh_xrealloc(removed, (n_removed + 1) * sizeof(*removed));
            removed[n_removed++] = lh_xstrdup(have[i].doc_id);
        }
    }
    free(ids);
    int64_t total = done + (int64_t)n_todo;
    lh_catalog_job_update(l->cat, j->id, NULL, done, total, NULL, NULL);
    if (progress)
        progress(ud, done, total);

    /* embed new and changed documents, one committed batch at a time */
    for (size_t off = 0; off < n_todo; off += BATCH_DOCS) {
        if (lh__job_canceled(l, j->id)) {
            rc = lh_error_set(err, LH_ECANCELED, "canceled");
            goto out;
        }
        size_t m = n_todo - off < BATCH_DOCS ? n_todo - off : BATCH_DOCS;
        struct lh_index_doc *batch = lh_xcalloc(m, sizeof(*batch));
        int64_t te = now_ms();
        rc = embed_batch(l, d->name, emb, &p, todo + off, m, &next_label, batch, err);
        t_embed += now_ms() - te;
        if (rc == 0) {
            done += (int64_t)m;
            rc = lh_catalog_index_docs_put(l->cat, d->name, batch, m, NULL, 0, j->id, done, err);
        }
        for (size_t i = 0; i < m; i++)
            free(batch[i].batch_key);
        free(batch);
        if (rc)
            goto out;
        const char *crash = getenv("LH_TEST_CRASH_AT"); /* crash tests: die after a batch */
        if (crash && strcmp(crash, "index_batch") == 0)
            raise(SIGKILL);
        if (progress)
            progress(ud, done, total);
    }
    if (n_removed &&
        (rc = lh_catalog_index_docs_put(l->cat, d->name, NULL, 0, removed, n_removed, NULL, 0,
                                        err)))
        goto out;

    /* the graph: the previous generation updated in place (its changed and removed
     * documents' chunks deleted, new chunks added), or a new one from every live chunk */
    if ((rc = lh_catalog_index_docs(l->cat, d->name, &now_docs, &n_now, err)))
        goto out;
    live_labels(now_docs, n_now, &live, &n_live, &keys, &n_keys);
    if (d->generation > 0 && update_previous(l, d, live, n_live, next_label, &ix) == 0) {
        incremental = true;
    } else {
        struct iparams *pp = &p;
        if ((rc = vx_new(emb->dims, pp->m, pp->ef_construction, n_live, &ix, err)))
            goto out;
    }
    paths = lh_xcalloc(n_keys ? n_keys : 1, sizeof(*paths));
    for (size_t i = 0; i < n_keys; i++)
        paths[i] = lh_store_local_path(l->store, keys[i]);
    struct vec_load vl = {live, n_live, (size_t)emb->dims, NULL, NULL, 0, 0, ix};
    rc = lh_sql_read_vectors(l->sql, paths, n_keys, (size_t)emb->dims, add_vec, &vl, err);
    if (rc == 0 && vl.n)
        rc = lh_vec_add_batch(ix, vl.labels, vl.vecs, vl.n, (uint32_t)emb->dims, err);
    free(vl.labels);
    free(vl.vecs);
    if (rc)
        goto out;
    int64_t gen = d->generation + 1;
    key = lh_xasprintf("indexes/%s/g%lld/index.lhvx", d->name, (long long)gen);
    staged = lh_lake_tmp_path(l, ".lhvx");
    if ((rc = lh_vec_save(ix, staged, err)) ||
        (rc = lh_store_put_file(l->store, key, staged, LH_STORE_PUT_MOVE, err)))
        goto out;
    int64_t secs_ms = now_ms() - t0;
    lh_buf_printf(&stats,
                  "{\"docs\":%zu,\"chunks\":%zu,\"dims\":%d,\"embedded_docs\":%zu,"
                  "\"removed_docs\":%zu,\"graph\":\"%s\",\"build_ms\":%lld,\"embed_ms\":%lld,"
                  "\"index_bytes\":%lld}",
                  n_now, n_live, emb->dims, n_todo, n_removed,
                  incremental ? "updated" : "built", (long long)secs_ms, (long long)t_embed,
                  (long long)vx_memory(ix));
    if ((rc = lh_catalog_index_update(l->cat, d->name, "ready", gen, stats.ptr, 0, err)))
        goto out;
    if (d->generation > 0) {
        old_key = lh_xasprintf("indexes/%s/g%lld/index.lhvx", d->name, (long long)d->generation);
        lh__lake_retire(l, &old_key, 1);
    }
    LH_LOG(LH_LOG_INFO, "vectors", "msg=built index=%s generation=%lld docs=%zu chunks=%zu ms=%lld",
           d->name, (long long)gen, n_now, n_live, (long long)secs_ms);
out:
    if (rc && rc != -LH_ECANCELED && d)
        lh_catalog_index_update(l->cat, d->name, d->generation ? "ready" : "failed", -1, NULL,
                                -1, NULL);
    else if (rc == -LH_ECANCELED && d)
        lh_catalog_index_update(l->cat, d->name, d->generation ? "ready" : "empty", -1, NULL,
                                -1, NULL);
    lh_vec_free(ix);
    if (staged) {
        unlink(staged);
        free(staged);
    }
    free(key);
    free(old_key);
    lh_strv_free(paths, n_keys);
    lh_strv_free(keys, n_keys);
    lh_strv_free(removed, n_removed);
    free(live);
    free(todo);
    lh_index_docs_free(have, n_have);
    lh_index_docs_free(now_docs, n_now);
    collect_free(&src);
    lh_embedder_close(emb);
    lh_index_def_free(d);
    lh_buf_release(&q);
    lh_buf_release(&stats);
    return rc;
}

/* ---- loading for search ---- */

struct chunk_meta {
    uint64_t label;
    char *doc_id;
    int32_t chunk_no;
    char *text;
};

struct lh__loaded_index {
    char name[64];
    int64_t generation;
    int refs;
    struct lh_index_def *def;
    struct vx *ix;
    struct lh_embedder *emb;
    struct lh_bm25 *bm25;
    struct chunk_meta *meta; /* sorted by label */
    size_t n_meta, cap_meta;
    const uint64_t *live;
    size_t n_live;
    struct lh__loaded_index *next;
};

static int add_meta(void *ud, uint64_t label, const char *doc_id, size_t doc_len, int32_t chunk_no,
                    const char *text, size_t text_len, const float *vec)
{
    struct lh__loaded_index *li = ud;
    LH_UNUSED(vec);
    if (!is_live(li->live, li->n_live, label))
        return 0;
    if (li->n_meta == li->cap_meta) {
        li->cap_meta = li->cap_meta ? li->cap_meta * 2 : 1024;
        li->meta = lh_xrealloc(li->meta, li->cap_meta * sizeof(*li->meta));
    }
    struct chunk_meta *m = &li->meta[li->n_meta++];
    m->label = label;
    m->doc_id = lh_xstrndup(doc_id, doc_len);
    m->chunk_no = chunk_no;
    m->text = lh_xstrndup(text, text_len);
    lh_bm25_add(li->bm25, label, text, text_len);
    return 0;
}

static int cmp_meta(const void *a, const void *b)
{
    uint64_t x = ((const struct chunk_meta *)a)->label, y = ((const struct chunk_meta *)b)->label;
    return x < y ? -1 : x > y;
}

static const struct chunk_meta *meta_of(const struct lh__loaded_index *li, uint64_t label)
{
    struct chunk_meta key = {.label = label};
    return li->n_meta ? bsearch(&key, li->meta, li->n_meta, sizeof(key), cmp_meta) : NULL;
}

static void loaded_free(struct lh__loaded_index *li)
{
    if (!li)
        return;
    for (size_t i = 0; i < li->n_meta; i++) {
        free(li->meta[i].doc_id);
        free(li->meta[i].text);
    }
    free(li->meta);
    lh_bm25_free(li->bm25);
    lh_vec_free(li->ix);
    lh_embedder_close(li->emb);
    lh_index_def_free(li->def);
    free(li);
}

void lh__index_unload_all(struct lh_lake *l)
{
    struct lh__loaded_index *li = l->st->loaded;
    while (li) {
        struct lh__loaded_index *next = li->next;
        loaded_free(li);
        li = next;
    }
    l->st->loaded = NULL;
}

static void loaded_unref(struct lh_lake *l, struct lh__loaded_index *li)
{
    pthread_mutex_lock(&l->st->mu);
    bool gone = --li->refs == 0;
    pthread_mutex_unlock(&l->st->mu);
    if (gone)
        loaded_free(li);
}

/* The loaded index `name` at its current generation (loading it if needed), referenced. */
static int loaded_get(struct lh_lake *l, const char *name, struct lh__loaded_index **out,
                      struct lh_error *err)
{
    struct lh_index_def *d = NULL;
    struct lh__loaded_index *li = NULL;
    struct lh_index_doc *docs = NULL;
    size_t n_docs = 0, n_keys = 0;
    char **keys = NULL, **paths = NULL, *key = NULL, *path = NULL;
    uint64_t *live = NULL;
    int rc;
    *out = NULL;
    if ((rc = lh_catalog_index_get(l->cat, name, &d, err)))
        return rc;
    if (d->generation == 0) {
        rc = lh_error_set(err, LH_ECONFLICT, "index '%s' is not built yet (state %s)", name,
                          d->state);
        lh_index_def_free(d);
        return rc;
    }
    pthread_mutex_lock(&l->st->mu);
    for (struct lh__loaded_index **pp = &l->st->loaded; *pp; pp = &(*pp)->next) {
        if (strcmp((*pp)->name, name) != 0)
            continue;
        if ((*pp)->generation == d->generation) {
            li = *pp;
            li->refs++;
        } else { /* an older build: unlist it; it is freed when its last user is done */
            struct lh__loaded_index *old = *pp;
            *pp = old->next;
            if (--old->refs == 0)
                loaded_free(old);
        }
        break;
    }
    pthread_mutex_unlock(&l->st->mu);
    if (li) {
        lh_index_def_free(d);
        *out = li;
        return 0;
    }

    li = lh_xcalloc(1, sizeof(*li));
    snprintf(li->name, sizeof(li->name), "%s", name);
    li->generation = d->generation;
    li->def = d;
    li->refs = 1;
    li->bm25 = lh_bm25_new();
    if ((rc = open_embedder(l, d, &li->emb, err)))
        goto out;
    key = lh_xasprintf("indexes/%s/g%lld/index.lhvx", name, (long long)d->generation);
    path = lh_store_local_path(l->store, key);
    if ((rc = lh_vec_load(path, 2, &li->ix, err)) ||
        (rc = lh_catalog_index_docs(l->cat, name, &docs, &n_docs, err)))
        goto out;
    live_labels(docs, n_docs, &live, &li->n_live, &keys, &n_keys);
    li->live = live;
    paths = lh_xcalloc(n_keys ? n_keys : 1, sizeof(*paths));
    for (size_t i = 0; i < n_keys; i++)
        paths[i] = lh_store_local_path(l->store, keys[i]);
    if ((rc = lh_sql_read_vectors(l->sql, paths, n_keys, (size_t)d->dims, add_meta, li, err)))
        goto out;
    if (li->n_meta)
        qsort(li->meta, li->n_meta, sizeof(*li->meta), cmp_meta);
    li->live = NULL;
    pthread_mutex_lock(&l->st->mu);
    li->refs++; /* the list's reference */
    li->next = l->st->loaded;
    l->st->loaded = li;
    pthread_mutex_unlock(&l->st->mu);
    *out = li;
    li = NULL;
out:
    loaded_free(li);
    free(live);
    free(key);
    free(path);
    lh_strv_free(paths, n_keys);
    lh_strv_free(keys, n_keys);
    lh_index_docs_free(docs, n_docs);
    return rc;
}

/* ---- search ---- */

int lh_search_mode_parse(const char *s, enum lh_search_mode *out)
{
    if (!s || !strcmp(s, "hybrid"))
        *out = LH_SEARCH_HYBRID;
    else if (!strcmp(s, "vector"))
        *out = LH_SEARCH_VECTOR;
    else if (!strcmp(s, "keyword"))
        *out = LH_SEARCH_KEYWORD;
    else
        return -LH_EINVAL;
    return 0;
}

void lh_search_result_release(struct lh_search_result *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->hits[i].doc_id);
        free(r->hits[i].text);
    }
    free(r->hits);
    memset(r, 0, sizeof(*r));
}

/* Allowed labels of a filtered search: the chunks of the documents the filter selects. */
struct allow_set {
    const struct lh__loaded_index *li;
    char **ids; /* sorted doc ids */
    size_t n, cap;
};

static int allow_row(void *ud, size_t ncols, const char *const *vals, const size_t *lens)
{
    struct allow_set *a = ud;
    LH_UNUSED(ncols);
    if (!vals[0])
        return 0;
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 256;
        a->ids = lh_xrealloc(a->ids, a->cap * sizeof(*a->ids));
    }
    a->ids[a->n++] = lh_xstrndup(vals[0], lens[0]);
    return 0;
}

static bool allow_label(void *ud, uint64_t label)
{
    struct allow_set *a = ud;
    const struct chunk_meta *m = meta_of(a->li, label);
    if (!m)
        return false;
    const char *id = m->doc_id;
    return a->n && bsearch(&id, a->ids, a->n, sizeof(*a->ids), cmp_str);
}

int lh_lake_search(struct lh_lake *l, const struct lh_search_req *rq,
                   struct lh_search_result *out, struct lh_error *err)
{
    struct lh__loaded_index *li = NULL;
    struct allow_set allow = {0};
    char *scope = NULL;
    bool restricted = false;
    struct lh_hit *vh = NULL, *kh = NULL, *fused = NULL;
    size_t nv = 0, nk = 0, nf = 0;
    float *qv = NULL;
    struct lh_buf q = LH_BUF_INIT;
    int64_t t0 = now_ms();
    int rc = 0;

    memset(out, 0, sizeof(*out));
    int k = rq->k > 0 ? rq->k : 10;
    if (k > 1000)
        return lh_error_set(err, LH_EINVAL, "k must be 1..1000");
    if (!rq->query || !rq->query[0])
        return lh_error_set(err, LH_EINVAL, "a query text is required");
    if (!rq->index || (rc = loaded_get(l, rq->index, &li, err)))
        return rq->index ? rc : lh_error_set(err, LH_EINVAL, "an index name is required");
    /* governance: the rows this caller may see (a view's rows, none tombstoned) */
    if ((rc = lh__lake_search_scope(l, rq->who, rq->profile, li->def, &scope, &restricted, err)))
        goto out;
    bool has_filter = rq->filter && rq->filter[0];
    if (has_filter || restricted) {
        allow.li = li;
        lh_buf_puts(&q, "SELECT CAST(");
        lh_sql_ident(&q, li->def->id_col);
        lh_buf_puts(&q, " AS VARCHAR) FROM ");
        lh_sql_ident(&q, scope);
        if (has_filter) {
            lh_buf_puts(&q, " WHERE (\n");
            lh_buf_puts(&q, rq->filter);
            lh_buf_puts(&q, "\n)");
        }
        if ((has_filter && ((rc = lh_lake_firewall(l, rq->who, q.ptr, err)) ||
                            (rc = lh_sql_check_select(l->sql, q.ptr, err)))) ||
            (rc = lh_sql_each_row(l->sql, rq->who, q.ptr, allow_row, &allow, err))) {
            if (rc == -LH_EPERM)
                goto out;
            if (rc == -LH_ESQL || rc == -LH_ENOTALLOWED) {
                char m[LH_ERRMSG_MAX];
                snprintf(m, sizeof(m), "%s", err->msg);
                rc = lh_error_set(err, LH_EINVAL, "invalid filter: %s", m);
            }
            goto out;
        }
        if (allow.n)
            qsort(allow.ids, allow.n, sizeof(*allow.ids), cmp_str);
        out->exact = true;
    }
    size_t want = (size_t)k * (rq->mode == LH_SEARCH_HYBRID ? 4 : 1);
    if (rq->mode != LH_SEARCH_KEYWORD) {
        size_t qlen = strlen(rq->query);
        const char *texts[1] = {rq->query};
        if ((rc = lh_embed(li->emb, texts, &qlen, 1, &qv, err)))
            goto out;
        vh = lh_xcalloc(want, sizeof(*vh));
        int ef = rq->ef > 0 ? rq->ef : (k * 2 > 64 ? k * 2 : 64);
        if ((size_t)ef < want)
            ef = (int)want;
        if ((rc = vx_search(li->ix, qv, want, ef, allow.li ? allow_label : NULL, &allow, vh, &nv,
                            err)))
            goto out;
    }
    if (rq->mode != LH_SEARCH_VECTOR) {
        kh = lh_xcalloc(want, sizeof(*kh));
        nk = lh_bm25_search(li->bm25, rq->query, strlen(rq->query), want,
                            allow.li ? allow_label : NULL, &allow, kh);
    }
    fused = lh_xcalloc((size_t)k, sizeof(*fused));
    if (rq->mode == LH_SEARCH_HYBRID)
        nf = lh_rrf_fuse(vh, nv, kh, nk, (size_t)k, fused);
    else {
        const struct lh_hit *src = rq->mode == LH_SEARCH_VECTOR ? vh : kh;
        nf = (rq->mode == LH_SEARCH_VECTOR ? nv : nk);
        if (nf > (size_t)k)
            nf = (size_t)k;
        if (nf)
            memcpy(fused, src, nf * sizeof(*fused));
    }
    out->hits = lh_xcalloc(nf ? nf : 1, sizeof(*out->hits));
    for (size_t i = 0; i < nf; i++) {
        const struct chunk_meta *m = meta_of(li, fused[i].id);
        if (!m)
            continue;
        struct lh_search_hit *h = &out->hits[out->n++];
        h->label = m->label;
        h->doc_id = lh_xstrdup(m->doc_id);
        h->chunk_no = m->chunk_no;
        h->text = lh_xstrdup(m->text);
        h->score = fused[i].score;
    }
    out->ms = (double)(now_ms() - t0);
out:
    lh_strv_free(allow.ids, allow.n);
    free(vh);
    free(kh);
    free(fused);
    free(qv);
    free(scope);
    lh_buf_release(&q);
    if (li)
        loaded_unref(l, li);
    if (rc)
        lh_search_result_release(out);
    return rc;
}

int lh__index_warm(struct lh_lake *l, const char *name, struct lh_error *err)
{
    struct lh__loaded_index *li = NULL;
    int rc = loaded_get(l, name, &li, err);
    if (rc == 0)
        loaded_unref(l, li);
    return rc;
}

void lh_lake_search_json(const struct lh_search_result *r, struct lh_buf *b)
{
    lh_buf_printf(b, "{\"count\":%zu,\"exact\":%s,\"ms\":%.1f,\"hits\":[", r->n,
                  r->exact ? "true" : "false", r->ms);
    for (size_t i = 0; i < r->n; i++) {
        const struct lh_search_hit *h = &r->hits[i];
        lh_buf_printf(b, "%s{\"rank\":%zu,\"doc_id\":", i ? "," : "", i + 1);
        lh_buf_json_str(b, h->doc_id, strlen(h->doc_id));
        lh_buf_printf(b, ",\"chunk\":%d,\"score\":%.6g,\"text\":", h->chunk_no, (double)h->score);
        lh_buf_json_str(b, h->text, strlen(h->text));
        lh_buf_putc(b, '}');
    }
    lh_buf_puts(b, "]}");
}

/* ---- registry views ---- */

struct key_list {
    char **v;
    size_t n;
};

static int list_key(void *ud, const char *key, const struct lh_store_stat *st)
{
    struct key_list *kl = ud;
    LH_UNUSED(st);
    kl->v = lh_xrealloc(kl->v, (kl->n + 1) * sizeof(*kl->v));
    kl->v[kl->n++] = lh_xstrdup(key);
    return 0;
}

int lh_lake_index_drop(struct lh_lake *l, const char *name, struct lh_error *err)
{
    struct lh_index_def *d = NULL;
    int rc = lh_catalog_index_get(l->cat, name, &d, err);
    if (rc)
        return rc;
    lh_index_def_free(d);
    if ((rc = lh_catalog_index_delete(l->cat, name, err)))
        return rc;
    pthread_mutex_lock(&l->st->mu);
    for (struct lh__loaded_index **pp = &l->st->loaded; *pp; pp = &(*pp)->next) {
        if (strcmp((*pp)->name, name) == 0) {
            struct lh__loaded_index *old = *pp;
            *pp = old->next;
            if (--old->refs == 0)
                loaded_free(old);
            break;
        }
    }
    pthread_mutex_unlock(&l->st->mu);
    /* its files: retired like a dataset's */
    char *prefix = lh_xasprintf("indexes/%s/", name);
    struct key_list kl = {0};
    struct lh_error e2;
    if (lh_store_list(l->store, prefix, list_key, &kl, &e2) == 0)
        lh__lake_retire(l, kl.v, kl.n);
    lh_strv_free(kl.v, kl.n);
    free(prefix);
    return 0;
}

void lh_lake_index_json(const struct lh_index_def *d, struct lh_buf *b)
{
    lh_buf_puts(b, "{\"name\":");
    lh_buf_json_str(b, d->name, strlen(d->name));
    lh_buf_puts(b, ",\"dataset\":");
    lh_buf_json_str(b, d->dataset, strlen(d->dataset));
    lh_buf_puts(b, ",\"text_column\":");
    lh_buf_json_str(b, d->text_col, strlen(d->text_col));
    lh_buf_puts(b, ",\"id_column\":");
    lh_buf_json_str(b, d->id_col, strlen(d->id_col));
    lh_buf_puts(b, ",\"embedder\":");
    lh_buf_json_str(b, d->embedder, strlen(d->embedder));
    lh_buf_puts(b, ",\"model\":");
    lh_buf_json_str(b, d->model, strlen(d->model));
    lh_buf_puts(b, ",\"version\":");
    lh_buf_json_str(b, d->version, strlen(d->version));
    lh_buf_printf(b, ",\"dims\":%lld,\"generation\":%lld,\"state\":", (long long)d->dims,
                  (long long)d->generation);
    lh_buf_json_str(b, d->state, strlen(d->state));
    lh_buf_printf(b, ",\"stale\":%s,\"params\":%s,\"stats\":%s,\"created_ms\":%lld,"
                     "\"updated_ms\":%lld}",
                  d->stale ? "true" : "false", d->params_json, d->stats_json,
                  (long long)d->created_ms, (long long)d->updated_ms);
}

/* ---- RAG ---- */

/* The index to answer from: the one asked for, else the only (or first ready) index. */
/* The index to answer from: the one asked for, else the first ready one the caller may
 * search (within its role and profile). */
static int pick_index(struct lh_lake *l, const struct lh_rag_req *rq, char out[64],
                      struct lh_error *err)
{
    if (rq->index && rq->index[0]) {
        snprintf(out, 64, "%s", rq->index);
        return 0;
    }
    struct lh_index_def **v = NULL;
    size_t n = 0;
    int rc = lh_catalog_index_list(l->cat, NULL, &v, &n, err);
    if (rc)
        return rc;
    out[0] = '\0';
    for (size_t i = 0; i < n && !out[0]; i++) {
        char *scope = NULL;
        bool restricted;
        struct lh_error e2;
        if (v[i]->generation > 0 &&
            lh__lake_search_scope(l, rq->who, rq->profile, v[i], &scope, &restricted, &e2) == 0)
            snprintf(out, 64, "%s", v[i]->name);
        free(scope);
    }
    lh_index_def_list_free(v, n);
    if (!out[0])
        return lh_error_set(err, LH_ENOTFOUND,
                            "no vector index is ready (that you may search); build one with "
                            "`lakehouse index` or POST /vectors/index");
    return 0;
}

/* An extractive answer: the best passage's opening sentences, cited. */
static void extractive(const struct lh_search_result *r, struct lh_buf *b)
{
    if (r->n == 0) {
        lh_buf_puts(b, "No passage in the index answers this question.");
        return;
    }
    for (size_t i = 0; i < r->n && i < 3; i++) {
        const char *t = r->hits[i].text;
        size_t len = strlen(t), cut = len < 300 ? len : 300;
        /* end at a sentence if one ends within the first 300 bytes */
        for (size_t j = cut; j > 60; j--) {
            if (t[j - 1] == '.' || t[j - 1] == '!' || t[j - 1] == '?') {
                cut = j;
                break;
            }
        }
        while (cut < len && ((unsigned char)t[cut] & 0xC0) == 0x80)
            cut++; /* never split a UTF-8 character */
        if (i)
            lh_buf_putc(b, ' ');
        lh_buf_append(b, t, cut);
        if (cut < len)
            lh_buf_puts(b, "...");
        lh_buf_printf(b, " [%zu]", i + 1);
    }
}

int lh_lake_rag(struct lh_lake *l, const struct lh_rag_req *rq, struct lh_buf *out,
                struct lh_error *err)
{
    char index[64];
    struct lh_search_result r = {0};
    struct lh_llm *llm = NULL;
    struct lh_llm_result gen = {0};
    struct lh_rag_passage *ps = NULL;
    char *prompt = NULL;
    size_t *cited = NULL, n_cited = 0;
    struct lh_buf answer = LH_BUF_INIT;
    char *p_llm = NULL, *p_model = NULL;
    int rc;

    if (!rq->question || !rq->question[0])
        return lh_error_set(err, LH_EINVAL, "a question is required");
    if ((rc = pick_index(l, rq, index, err)))
        return rc;
    struct lh_search_req sr = {index,     rq->question, rq->k > 0 ? rq->k : 5,
                               LH_SEARCH_HYBRID, rq->filter, 0, rq->who, rq->profile};
    if ((rc = lh_lake_search(l, &sr, &r, err)))
        goto out;
    const struct lh_config *cfg = l->cfg;
    /* a model profile may choose another generator or model than the server default */
    if ((rc = lh_lake_profile_llm(l, rq->who, rq->profile, &p_llm, &p_model, err)))
        goto out;
    const char *llm_kind = p_llm ? p_llm : cfg->llm;
    bool use_llm = strcmp(llm_kind, "none") != 0 && r.n > 0;
    if (use_llm) {
        struct lh_llm_opts o = {0};
        o.kind = llm_kind;
        o.base_url = strcmp(cfg->llm_url, "-") ? cfg->llm_url : NULL;
        o.model = p_model ? p_model : cfg->llm_model;
        o.api_key = cfg->llm_api_key[0] ? cfg->llm_api_key : NULL;
        o.timeout_ms = cfg->llm_timeout_ms;
        ps = lh_xcalloc(r.n, sizeof(*ps));
        for (size_t i = 0; i < r.n; i++) {
            ps[i].doc_id = r.hits[i].doc_id;
            ps[i].text = r.hits[i].text;
        }
        struct lh_llm_gen_opts go = LH_LLM_GEN_OPTS_INIT;
        go.max_tokens = 512;
        go.temperature = 0.1;
        if ((rc = lh_llm_open(&o, &llm, err)) ||
            (rc = lh_rag_build_prompt(rq->question, ps, r.n, &prompt, err)) ||
            (rc = lh_llm_generate(llm, lh_rag_system_prompt(), prompt, &go, &gen, err)))
            goto out;
        lh_buf_puts(&answer, gen.text ? gen.text : "");
        lh_rag_parse_citations(gen.text, r.n, &cited, &n_cited);
    } else {
        extractive(&r, &answer);
        n_cited = r.n < 3 ? r.n : 3;
        cited = lh_xcalloc(n_cited ? n_cited : 1, sizeof(*cited));
        for (size_t i = 0; i < n_cited; i++)
            cited[i] = i;
    }
    lh_buf_puts(out, "{\"answer\":");
    lh_buf_json_str(out, answer.ptr, answer.len);
    lh_buf_printf(out, ",\"mode\":\"%s\",\"model\":", use_llm ? "llm" : "extractive");
    if (use_llm)
        lh_buf_json_str(out, llm->model, strlen(llm->model));
    else
        lh_buf_puts(out, "null");
    lh_buf_puts(out, ",\"index\":");
    lh_buf_json_str(out, index, strlen(index));
    lh_buf_puts(out, ",\"citations\":[");
    for (size_t i = 0; i < n_cited; i++) {
        const struct lh_search_hit *h = &r.hits[cited[i]];
        lh_buf_printf(out, "%s{\"n\":%zu,\"doc_id\":", i ? "," : "", cited[i] + 1);
        lh_buf_json_str(out, h->doc_id, strlen(h->doc_id));
        lh_buf_printf(out, ",\"chunk\":%d,\"score\":%.6g,\"text\":", h->chunk_no,
                      (double)h->score);
        lh_buf_json_str(out, h->text, strlen(h->text));
        lh_buf_putc(out, '}');
    }
    lh_buf_printf(out, "],\"passages\":%zu}", r.n);
out:
    free(p_llm);
    free(p_model);
    free(cited);
    free(prompt);
    free(ps);
    lh_llm_result_release(&gen);
    lh_llm_close(llm);
    lh_search_result_release(&r);
    lh_buf_release(&answer);
    return rc;
}

/* vec_search() in SQL. */
int lh__vec_searcher(void *ud, const char *index, const char *query, int k, const char *mode,
                     struct lh_sql_hit **out, size_t *out_n, char *errbuf, size_t errlen)
{
    struct lh_lake *l = ud;
    struct lh_search_req rq = {index, query, k, LH_SEARCH_HYBRID, NULL, 0, NULL, NULL};
    struct lh_search_result r;
    struct lh_error err;
    if (lh_search_mode_parse(mode, &rq.mode)) {
        snprintf(errbuf, errlen, "vec_search: mode must be vector, keyword or hybrid");
        return -LH_EINVAL;
    }
    int rc = lh_lake_search(l, &rq, &r, &err);
    if (rc) {
        snprintf(errbuf, errlen, "vec_search: %s", err.msg);
        return rc;
    }
    *out = lh_xcalloc(r.n ? r.n : 1, sizeof(**out));
    for (size_t i = 0; i < r.n; i++) {
        (*out)[i].doc_id = r.hits[i].doc_id;
        (*out)[i].text = r.hits[i].text;
        (*out)[i].chunk = r.hits[i].chunk_no;
        (*out)[i].score = r.hits[i].score;
        r.hits[i].doc_id = r.hits[i].text = NULL;
    }
    *out_n = r.n;
    lh_search_result_release(&r);
    return 0;
}

/* ---- evaluation: recall and latency against exact search ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int lh_lake_eval(struct lh_lake *l, const char *name, int n_queries, int k, const int *efs,
                 size_t n_efs, const char *actor, struct lh_buf *out, struct lh_error *err)
{
    struct lh__loaded_index *li = NULL;
    float *queries = NULL;
    uint64_t *truth = NULL;
    struct lh_vec_hit *hits = NULL;
    double *lat = NULL;
    struct lh_buf cfg = LH_BUF_INIT;
    int rc;
    if (n_queries <= 0)
        n_queries = 200;
    if (k <= 0)
        k = 10;
    if (n_queries > 10000 || k > 1000)
        return lh_error_set(err, LH_EINVAL, "queries must be 1..10000 and k 1..1000");
    if ((rc = loaded_get(l, name, &li, err)))
        return rc;
    size_t n = li->n_meta, dims = (size_t)li->def->dims;
    if (n == 0) {
        rc = lh_error_set(err, LH_EINVAL, "index '%s' is empty", name);
        goto out;
    }
    if ((size_t)n_queries > n)
        n_queries = (int)n;
    if ((size_t)k > n)
        k = (int)n;
    /* queries: stored chunk vectors spread evenly over the index (deterministic) */
    queries = lh_xmalloc((size_t)n_queries * dims * sizeof(float));
    for (int i = 0; i < n_queries; i++) {
        uint64_t label = li->meta[(size_t)i * n / (size_t)n_queries].label;
        if ((rc = lh_vec_get(li->ix, label, queries + (size_t)i * dims, (uint32_t)dims, err)))
            goto out;
    }
    truth = lh_xcalloc((size_t)n_queries * (size_t)k, sizeof(*truth));
    hits = lh_xcalloc((size_t)k, sizeof(*hits));
    lat = lh_xcalloc((size_t)n_queries, sizeof(*lat));
    struct lh_vec_query qo = {0};
    qo.k = (size_t)k;
    qo.mode = LH_VEC_EXACT;
    double exact_us = 0;
    for (int i = 0; i < n_queries; i++) {
        size_t got = 0;
        double t0 = now_us();
        if ((rc = lh_vec_search(li->ix, queries + (size_t)i * dims, (uint32_t)dims, &qo, hits, &got,
                                err)))
            goto out;
        exact_us += now_us() - t0;
        for (size_t j = 0; j < got; j++)
            truth[(size_t)i * (size_t)k + j] = hits[j].label;
    }
    lh_buf_putc(&cfg, '[');
    for (size_t e = 0; e < n_efs; e++) {
        qo.mode = LH_VEC_GRAPH;
        qo.ef = (uint32_t)efs[e];
        size_t found = 0;
        for (int i = 0; i < n_queries; i++) {
            size_t got = 0;
            double t0 = now_us();
            if ((rc = lh_vec_search(li->ix, queries + (size_t)i * dims, (uint32_t)dims, &qo, hits,
                                    &got, err)))
                goto out;
            lat[i] = now_us() - t0;
            for (size_t j = 0; j < got; j++)
                for (int t = 0; t < k; t++)
                    if (hits[j].label == truth[(size_t)i * (size_t)k + (size_t)t]) {
                        found++;
                        break;
                    }
        }
        qsort(lat, (size_t)n_queries, sizeof(*lat), cmp_double);
        double sum = 0;
        for (int i = 0; i < n_queries; i++)
            sum += lat[i];
        lh_buf_printf(&cfg,
                      "%s{\"ef\":%d,\"recall\":%.4f,\"ms_mean\":%.4f,\"ms_p50\":%.4f,"
                      "\"ms_p95\":%.4f,\"ms_p99\":%.4f,\"qps\":%.0f}",
                      e ? "," : "", efs[e], (double)found / ((double)n_queries * k),
                      sum / n_queries / 1000.0, lat[n_queries / 2] / 1000.0,
                      lat[(size_t)((n_queries - 1) * 0.95)] / 1000.0,
                      lat[(size_t)((n_queries - 1) * 0.99)] / 1000.0,
                      sum > 0 ? n_queries / (sum / 1e6) : 0.0);
    }
    /* Every run is kept with the build and parameters it measured (GET .../evals). */
    struct iparams p;
    params_parse(li->def->params_json, &p);
    lh_buf_putc(&cfg, ']');
    struct lh_index_eval ev = {0};
    ev.index = (char *)name;
    ev.generation = li->generation;
    ev.k = k;
    ev.queries = n_queries;
    ev.vectors = (int64_t)n;
    ev.m = p.m;
    ev.ef_construction = p.ef_construction;
    ev.embedder = li->def->embedder;
    ev.model = li->def->model;
    ev.dims = li->def->dims;
    ev.exact_ms_mean = exact_us / n_queries / 1000.0;
    ev.results_json = cfg.ptr;
    ev.actor = (char *)(actor ? actor : "");
    ev.created_ms = now_ms();
    if ((rc = lh_catalog_eval_add(l->cat, &ev, &ev.id, err)))
        goto out;
    lh_lake_eval_json(&ev, out);
out:
    lh_buf_release(&cfg);
    free(queries);
    free(truth);
    free(hits);
    free(lat);
    if (li)
        loaded_unref(l, li);
    return rc;
}

void lh_lake_eval_json(const struct lh_index_eval *e, struct lh_buf *b)
{
    lh_buf_printf(b, "{\"id\":%lld,\"index\":", (long long)e->id);
    lh_buf_json_str(b, e->index, strlen(e->index));
    lh_buf_printf(b,
                  ",\"generation\":%lld,\"queries\":%lld,\"k\":%lld,\"vectors\":%lld,"
                  "\"params\":{\"m\":%lld,\"ef_construction\":%lld,\"embedder\":",
                  (long long)e->generation, (long long)e->queries, (long long)e->k,
                  (long long)e->vectors, (long long)e->m, (long long)e->ef_construction);
    lh_buf_json_str(b, e->embedder, strlen(e->embedder));
    lh_buf_puts(b, ",\"model\":");
    lh_buf_json_str(b, e->model, strlen(e->model));
    lh_buf_printf(b, ",\"dims\":%lld},\"exact_ms_mean\":%.3f,\"configs\":%s,\"actor\":",
                  (long long)e->dims, e->exact_ms_mean, e->results_json);
    lh_buf_json_str(b, e->actor, strlen(e->actor));
    lh_buf_printf(b, ",\"created_ms\":%lld}", (long long)e->created_ms);
}

int lh_lake_eval_history(struct lh_lake *l, const char *name, int limit, struct lh_buf *out,
                         struct lh_error *err)
{
    struct lh_index_eval *v = NULL;
    size_t n = 0;
    int rc = lh_catalog_eval_list(l->cat, name, limit, &v, &n, err);
    if (rc)
        return rc;
    lh_buf_puts(out, "{\"index\":");
    lh_buf_json_str(out, name, strlen(name));
    lh_buf_puts(out, ",\"evals\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            lh_buf_putc(out, ',');
        lh_lake_eval_json(&v[i], out);
    }
    lh_buf_puts(out, "]}");
    lh_index_evals_free(v, n);
    return 0;
}
