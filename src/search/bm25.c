/* SPDX-License-Identifier: MIT */
/* bm25.c - BM25 keyword index (hash map of terms to postings) and reciprocal rank fusion. */
#include "lh_common.h"
#include "bm25.h"
#include "buf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define K1 1.2f
#define B 0.75f

struct posting {
    uint32_t doc; /* index into docs[] */
    uint32_t tf;
};

struct term {
    char *text;
    uint64_t hash;
    struct posting *p;
    uint32_t n, cap;
};

struct doc {
    uint64_t id;
    uint32_t len; /* tokens */
    bool deleted;
};

struct lh_bm25 {
    struct term *terms; /* open addressing, power of two */
    size_t n_terms, cap_terms;
    struct doc *docs;
    size_t n_docs, cap_docs, n_live;
    uint64_t total_len;
};

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a, then a final mix */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

struct lh_bm25 *lh_bm25_new(void)
{
    struct lh_bm25 *ix = lh_xcalloc(1, sizeof(*ix));
    ix->cap_terms = 1024;
    ix->terms = lh_xcalloc(ix->cap_terms, sizeof(*ix->terms));
    return ix;
}

void lh_bm25_free(struct lh_bm25 *ix)
{
    if (!ix)
        return;
    for (size_t i = 0; i < ix->cap_terms; i++) {
        free(ix->terms[i].text);
        free(ix->terms[i].p);
    }
    free(ix->terms);
    free(ix->docs);
    free(ix);
}

size_t lh_bm25_count(const struct lh_bm25 *ix)
{
    return ix->n_live;
}

static struct term *find(const struct lh_bm25 *ix, const char *t, size_t n, uint64_t h)
{
    size_t mask = ix->cap_terms - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct term *e = &ix->terms[i];
        if (!e->text)
            return e;
        if (e->hash == h && strlen(e->text) == n && memcmp(e->text, t, n) == 0)
            return e;
    }
}

static void grow(struct lh_bm25 *ix)
{
    struct term *old = ix->terms;
    size_t old_cap = ix->cap_terms;
    ix->cap_terms *= 2;
    ix->terms = lh_xcalloc(ix->cap_terms, sizeof(*ix->terms));
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i].text)
            continue;
        size_t mask = ix->cap_terms - 1, j = old[i].hash & mask;
        while (ix->terms[j].text)
            j = (j + 1) & mask;
        ix->terms[j] = old[i];
    }
    free(old);
}

/* Calls fn for every token of s: lower-cased ASCII alphanumerics, and any byte >= 0x80
 * (UTF-8 letters) kept as is. Tokens are capped at 64 bytes. */
static void tokens(const char *s, size_t n, void (*fn)(void *ud, const char *t, size_t len),
                   void *ud)
{
    char tok[64];
    size_t len = 0;
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = i < n ? (unsigned char)s[i] : ' ';
        bool word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80 ||
                    (c >= 'A' && c <= 'Z');
        if (word) {
            if (len < sizeof(tok))
                tok[len++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : (char)c;
            continue;
        }
        if (len)
            fn(ud, tok, len);
        len = 0;
    }
}

struct add_ctx {
    struct lh_bm25 *ix;
    uint32_t doc;
    uint32_t len;
};

static void add_token(void *ud, const char *t, size_t n)
{
    struct add_ctx *a = ud;
    struct lh_bm25 *ix = a->ix;
    if ((ix->n_terms + 1) * 2 > ix->cap_terms)
        grow(ix);
    uint64_t h = hash_bytes(t, n);
    struct term *e = find(ix, t, n, h);
    if (!e->text) {
        e->text = lh_xstrndup(t, n);
        e->hash = h;
        ix->n_terms++;
    }
    a->len++;
    if (e->n && e->p[e->n - 1].doc == a->doc) {
        e->p[e->n - 1].tf++;
        return;
    }
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 4;
        e->p = lh_xrealloc(e->p, e->cap * sizeof(*e->p));
    }
    e->p[e->n].doc = a->doc;
    e->p[e->n].tf = 1;
    e->n++;
}

void lh_bm25_add(struct lh_bm25 *ix, uint64_t id, const char *text, size_t len)
{
    if (ix->n_docs == ix->cap_docs) {
        ix->cap_docs = ix->cap_docs ? ix->cap_docs * 2 : 1024;
        ix->docs = lh_xrealloc(ix->docs, ix->cap_docs * sizeof(*ix->docs));
    }
    struct add_ctx a = {ix, (uint32_t)ix->n_docs, 0};
    tokens(text, len, add_token, &a);
    ix->docs[ix->n_docs].id = id;
    ix->docs[ix->n_docs].len = a.len;
    ix->docs[ix->n_docs].deleted = false;
    ix->n_docs++;
    ix->n_live++;
    ix->total_len += a.len;
}

void lh_bm25_delete(struct lh_bm25 *ix, uint64_t id)
{
    for (size_t i = 0; i < ix->n_docs; i++) {
        if (ix->docs[i].id == id && !ix->docs[i].deleted) {
            ix->docs[i].deleted = true;
            ix->n_live--;
        }
    }
}

struct q_ctx {
    const struct lh_bm25 *ix;
    const struct term **terms;
    size_t n, cap;
};

static void query_token(void *ud, const char *t, size_t n)
{
    struct q_ctx *q = ud;
    const struct term *e = find(q->ix, t, n, hash_bytes(t, n));
    if (!e->text)
        return;
    for (size_t i = 0; i < q->n; i++)
        if (q->terms[i] == e)
            return; /* each query term counts once */
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 8;
        q->terms = lh_xrealloc(q->terms, q->cap * sizeof(*q->terms));
    }
    q->terms[q->n++] = e;
}

static int hit_cmp(const void *a, const void *b)
{
    const struct lh_hit *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return x->id < y->id ? -1 : x->id > y->id;
}

size_t lh_bm25_search(const struct lh_bm25 *ix, const char *query, size_t len, size_t k,
                      bool (*allow)(void *ud, uint64_t id), void *ud, struct lh_hit *out)
{
    struct q_ctx q = {ix, NULL, 0, 0};
    if (k == 0 || ix->n_docs == 0)
        return 0;
    tokens(query, len, query_token, &q);
    if (q.n == 0) {
        free(q.terms);
        return 0;
    }
    float *score = lh_xcalloc(ix->n_docs, sizeof(*score));
    float avg = ix->n_docs ? (float)ix->total_len / (float)ix->n_docs : 1.0f;
    float N = (float)ix->n_docs;
    for (size_t t = 0; t < q.n; t++) {
        const struct term *e = q.terms[t];
        float idf = logf(1.0f + (N - (float)e->n + 0.5f) / ((float)e->n + 0.5f));
        for (uint32_t i = 0; i < e->n; i++) {
            const struct doc *d = &ix->docs[e->p[i].doc];
            float tf = (float)e->p[i].tf;
            score[e->p[i].doc] +=
                idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * (float)d->len / (avg > 0 ? avg : 1)));
        }
    }
    /* collect positive scores, then partial sort */
    struct lh_hit *all = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < ix->n_docs; i++) {
        if (score[i] <= 0 || ix->docs[i].deleted || (allow && !allow(ud, ix->docs[i].id)))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            all = lh_xrealloc(all, cap * sizeof(*all));
        }
        all[n].id = ix->docs[i].id;
        all[n].score = score[i];
        n++;
    }
    if (n)
        qsort(all, n, sizeof(*all), hit_cmp);
    size_t m = n < k ? n : k;
    if (m)
        memcpy(out, all, m * sizeof(*out));
    free(all);
    free(score);
    free(q.terms);
    return m;
}

size_t lh_rrf_fuse(const struct lh_hit *a, size_t na, const struct lh_hit *b, size_t nb, size_t k,
                   struct lh_hit *out)
{
    const float k0 = 60.0f;
    struct lh_hit *all = lh_xcalloc(na + nb + 1, sizeof(*all));
    size_t n = 0;
    for (size_t i = 0; i < na; i++) {
        all[n].id = a[i].id;
        all[n++].score = 1.0f / (k0 + (float)i + 1);
    }
    for (size_t i = 0; i < nb; i++) {
        size_t j;
        for (j = 0; j < n; j++)
            if (all[j].id == b[i].id)
                break;
        if (j == n) {
            all[n].id = b[i].id;
            all[n++].score = 0;
        }
        all[j].score += 1.0f / (k0 + (float)i + 1);
    }
    qsort(all, n, sizeof(*all), hit_cmp);
    size_t m = n < k ? n : k;
    if (m)
        memcpy(out, all, m * sizeof(*out));
    free(all);
    return m;
}
