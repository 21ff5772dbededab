/* SPDX-License-Identifier: MIT */
/* embed.h - embedders: text -> float vectors behind one interface (builtin, ollama, openai).
 *
 * An embedder is a `struct lh_embedder` whose `ops` table is filled by a backend; callers use
 * only lh_embed() and lh_embedder_close(). Every index records the embedder's model, version
 * and dims and must be queried with an embedder reporting the same three.
 *
 *   builtin  no model: hashed word unigrams + bigrams and character 3..5-grams (per word, with
 *            boundary marks) folded into `dims` (default 384) with signed hashing, sublinear tf
 *            times an IDF weight, after Unicode NFKC_Casefold; L2-normalised, deterministic,
 *            local, thread-safe for lh_embed. The IDF is a constant (with a few English stop
 *            words weighted down) until lh_embed_builtin_fit() learns document frequencies
 *            from a corpus; the learned table serialises to bytes for the index to keep.
 *   ollama   POST {base}/api/embed {"model","input":[...]} -> {"embeddings":[[...],...]}.
 *   openai   POST {base}/v1/embeddings {"model","input":[...]} -> {"data":[{"embedding",
 *            "index"}]}, with "Authorization: Bearer KEY" when a key is configured.
 *
 * Remote embedders send at most max_batch texts per request, retry 429/5xx/timeouts with
 * exponential backoff, and check that every vector has the same dims (the configured dims,
 * or those of the first answer when dims was 0). Their errors are -LH_EUPSTREAM (status and
 * a short excerpt of the server's message), -LH_ETIMEDOUT, or -LH_EINVAL (bad options);
 * messages never contain the API key. An embedder is safe to use from several threads at
 * once, except that lh_embed_builtin_fit/_idf_load must not run concurrently with anything
 * else on the same embedder. */
#ifndef LH_EMBED_H
#define LH_EMBED_H

#include "lh_common.h"
#include "err.h"

#define LH_EMBED_BUILTIN_DIMS 384
#define LH_EMBED_MAX_DIMS 65536

enum lh_embed_caps {
    LH_EMBED_CAP_BATCH = 1u << 0,  /* embeds many texts per call efficiently */
    LH_EMBED_CAP_LOCAL = 1u << 1,  /* no network, no model files */
    LH_EMBED_CAP_FIT = 1u << 2,    /* lh_embed_builtin_fit and the IDF table calls apply */
};

struct lh_embedder;

struct lh_embed_ops {
    const char *name; /* "builtin", "ollama", "openai" */
    unsigned caps;    /* enum lh_embed_caps */
    /* Embeds texts[0..n) (lens[i] bytes each; lens NULL = NUL-terminated strings). On success
     * *out is a malloc'd array of n * e->dims floats, row i for texts[i], freed by the caller
     * with free(). n == 0 succeeds with *out = NULL. On error *out is untouched and nothing
     * else changes (a remote embedder that learned its dims keeps them). */
    int (*embed)(struct lh_embedder *e, const char *const *texts, const size_t *lens, size_t n,
                 float **out, struct lh_error *err);
    void (*close)(struct lh_embedder *e);
};

struct lh_embedder {
    const struct lh_embed_ops *ops;
    int dims;         /* vector length; 0 for a remote embedder until its first answer */
    char *model;      /* owned; "builtin" or the remote model name */
    char *version;    /* owned; builtin: "hash1" or "hash1+idf-<16 hex>"; remote: "" */
    size_t max_batch; /* texts per request (remote) or per internal step (builtin) */
};

/* Options of lh_embedder_open. Zero / NULL fields take the defaults in brackets. */
struct lh_embed_opts {
    const char *kind;       /* "builtin" | "ollama" | "openai" ["builtin"] */
    const char *base_url;   /* [ollama http://127.0.0.1:11434, openai https://api.openai.com];
                             * an openai base ending in "/v1" is accepted as well */
    const char *model;      /* [ollama nomic-embed-text, openai text-embedding-3-small] */
    const char *api_key;    /* Bearer token; borrowed only during open (copied) */
    int dims;               /* builtin [384]; remote: expected dims [0 = learn from answer] */
    int timeout_ms;         /* per request attempt [60000] */
    int connect_timeout_ms; /* [10000] */
    int max_batch;          /* texts per request [builtin 1024, ollama 64, openai 256] */
    int max_retries;        /* retries after the first attempt [3]; negative = none */
    int retry_base_ms;      /* first backoff, doubled each retry [250] */
};

/* Creates an embedder from options (borrowed; strings are copied). *out is freed with
 * lh_embedder_close. -LH_EINVAL for an unknown kind or out-of-range values. No network
 * traffic happens before the first lh_embed. */
int lh_embedder_open(const struct lh_embed_opts *opts, struct lh_embedder **out,
                     struct lh_error *err);

/* The builtin embedder with `dims` dimensions (0 = 384; 8..LH_EMBED_MAX_DIMS). */
int lh_embed_builtin_new(int dims, struct lh_embedder **out, struct lh_error *err);

/* Adds texts[0..n) as documents to the builtin embedder's document-frequency table (a
 * feature counts once per document) and switches it to the learned IDF,
 * idf = ln((N + 1) / (df + 1)) + 1, kept per hashed-feature bucket, quantised to one byte.
 * Calls accumulate; the version string changes with the table, so vectors made before and
 * after a fit are never mixed silently. -LH_EINVAL if e is not a builtin embedder. A fit
 * after lh_embed_builtin_idf_load starts a new table (the loaded counts are not kept). */
int lh_embed_builtin_fit(struct lh_embedder *e, const char *const *texts, const size_t *lens,
                         size_t n, struct lh_error *err);

/* Serialises the learned IDF table (about 256 KiB) to a malloc'd buffer (*out, *out_len),
 * freed with free(). -LH_ENOTFOUND if the embedder has not been fitted or loaded. */
int lh_embed_builtin_idf_save(const struct lh_embedder *e, char **out, size_t *out_len,
                              struct lh_error *err);

/* Replaces the embedder's IDF with a table from lh_embed_builtin_idf_save; the version
 * becomes the one the saving embedder had. -LH_EINVAL for bytes that are not such a table
 * (the embedder is then unchanged). */
int lh_embed_builtin_idf_load(struct lh_embedder *e, const void *data, size_t len,
                              struct lh_error *err);

static inline int lh_embed(struct lh_embedder *e, const char *const *texts, const size_t *lens,
                           size_t n, float **out, struct lh_error *err)
{
    return e->ops->embed(e, texts, lens, n, out, err);
}

/* Frees the embedder; NULL is fine. */
static inline void lh_embedder_close(struct lh_embedder *e)
{
    if (e)
        e->ops->close(e);
}

#endif
