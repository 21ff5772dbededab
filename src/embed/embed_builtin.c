/* SPDX-License-Identifier: MIT */
/* embed_builtin.c - the builtin hashing embedder: words, bigrams and char n-grams, no model. */
#include "lh_common.h"
#include "embed.h"
#include "buf.h"
#include "embed_int.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

/* Feature scheme version: bump when any feature, seed, weight or the hash changes, because
 * vectors made by different schemes must never be compared. */
#define SCHEME "hash1"

#define SEED_WORD 0x5157a3d2c0ffee01ULL
#define SEED_BIGRAM 0x9b1e44e1d00dbee5ULL
#define SEED_CHAR 0x2c6fe96ee78b6955ULL

/* Per-class weights. A word yields one unigram, about one bigram and ~3 char n-grams per
 * character; these keep the n-grams (robust to inflection and typos) from drowning the words. */
#define W_WORD 1.0f
#define W_BIGRAM 0.7f
#define W_CHAR 0.3f
#define W_STOP 0.2f /* factor for stop words while no IDF has been fitted */

#define NGRAM_MIN 3
#define NGRAM_MAX 5

#define IDF_LOG2_BUCKETS 18
#define IDF_MAGIC "LHIDF\x01\r\n"
#define IDF_HDR_LEN 32

#define BUILTIN_MAX_BATCH 1024

struct builtin {
    struct lh_embedder base; /* first member */
    uint32_t *df;            /* document counts per bucket while fitting; NULL otherwise */
    uint64_t n_docs;
    uint8_t *idf_q;          /* quantised IDF per bucket; NULL = not fitted */
    float idf_lut[256];
    float idf_max;
};

struct feat {
    uint64_t key; /* 0 = empty slot */
    uint32_t count;
    float w;
};

/* Per-call working memory (never shared between threads). */
struct scratch {
    struct feat *tab;
    size_t cap; /* power of two */
    uint32_t *used;
    size_t n_used;
    char *norm;
    size_t norm_cap;
    unsigned char *word; /* '<' word '>' */
    size_t word_cap;
    size_t *cb; /* code point boundaries of word */
    size_t cb_cap;
};

/* ---- stop words (used only while no IDF has been fitted) ---- */

static const char *const stop_words[] = {
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been",
    "but", "by", "can", "could", "did", "do", "does", "for", "from", "had", "has", "have", "he",
    "her", "his", "how", "i", "if", "in", "into", "is", "it", "its", "may", "more", "no", "not",
    "of", "on", "or", "our", "she", "so", "some", "such", "than", "that", "the", "their",
    "them", "then", "there", "these", "they", "this", "those", "to", "up", "was", "we", "were",
    "what", "when", "which", "who", "will", "with", "would", "you", "your",
};
#define N_STOP LH_ARRAY_LEN(stop_words)
static uint64_t stop_hash[N_STOP];
static pthread_once_t stop_once = PTHREAD_ONCE_INIT;

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void stop_init(void)
{
    for (size_t i = 0; i < N_STOP; i++)
        stop_hash[i] = lh__hash64(stop_words[i], strlen(stop_words[i]), SEED_WORD);
    qsort(stop_hash, N_STOP, sizeof(stop_hash[0]), cmp_u64);
}

static bool is_stop(uint64_t hw)
{
    size_t lo = 0, hi = N_STOP;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (stop_hash[mid] == hw)
            return true;
        if (stop_hash[mid] < hw)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* ---- scratch and the feature table ---- */

static void scratch_init(struct scratch *s)
{
    memset(s, 0, sizeof(*s));
    s->cap = 2048;
    s->tab = lh_xcalloc(s->cap, sizeof(*s->tab));
    s->used = lh_xmalloc(s->cap / 2 * sizeof(*s->used));
}

static void scratch_release(struct scratch *s)
{
    free(s->tab);
    free(s->used);
    free(s->norm);
    free(s->word);
    free(s->cb);
}

static size_t slot_of(uint64_t key, size_t mask)
{
    return (size_t)(key ^ (key >> 29)) & mask;
}

static void tab_grow(struct scratch *s)
{
    size_t ncap = s->cap * 2, mask = ncap - 1;
    struct feat *nt = lh_xcalloc(ncap, sizeof(*nt));
    uint32_t *nu = lh_xmalloc(ncap / 2 * sizeof(*nu));
    for (size_t i = 0; i < s->n_used; i++) {
        const struct feat *f = &s->tab[s->used[i]];
        size_t j = slot_of(f->key, mask);
        while (nt[j].key)
            j = (j + 1) & mask;
        nt[j] = *f;
        nu[i] = (uint32_t)j;
    }
    free(s->tab);
    free(s->used);
    s->tab = nt;
    s->used = nu;
    s->cap = ncap;
}

static inline void add_feat(struct scratch *s, uint64_t key, float w)
{
    key |= !key; /* 0 marks empty slots */
    size_t mask = s->cap - 1, j = slot_of(key, mask);
    while (s->tab[j].key) {
        if (s->tab[j].key == key) {
            s->tab[j].count++;
            return;
        }
        j = (j + 1) & mask;
    }
    s->tab[j].key = key;
    s->tab[j].count = 1;
    s->tab[j].w = w;
    s->used[s->n_used++] = (uint32_t)j;
    if (s->n_used * 2 >= s->cap)
        tab_grow(s);
}

static void tab_clear(struct scratch *s)
{
    for (size_t i = 0; i < s->n_used; i++)
        s->tab[s->used[i]].key = 0;
    s->n_used = 0;
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t ncap = *cap ? *cap : 256;
    while (ncap < need)
        ncap *= 2;
    *cap = ncap;
    return lh_xrealloc(p, ncap * elem);
}

/* ---- normalisation and tokenisation ---- */

/* Lowercases + NFKC_Casefold. Returns the normalised text: s->norm, or a malloc'd string in
 * *owned (to free) when utf8proc produced it. Invalid UTF-8 bytes become spaces first. */
static const char *normalise(struct scratch *s, const char *t, size_t n, size_t *out_len,
                             char **owned)
{
    const unsigned char *u = (const unsigned char *)t;
    bool ascii = true;
    for (size_t i = 0; i < n; i++) {
        if (u[i] >= 0x80) {
            ascii = false;
            break;
        }
    }
    s->norm = grow(s->norm, &s->norm_cap, n + 1, 1);
    *owned = NULL;
    if (ascii) {
        for (size_t i = 0; i < n; i++)
            s->norm[i] = (char)(u[i] >= 'A' && u[i] <= 'Z' ? u[i] + 32 : u[i]);
        *out_len = n;
        return s->norm;
    }
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t l = lh__utf8_len(u + i, n - i);
        if (l == 0) {
            s->norm[o++] = ' ';
            i++;
        } else {
            memcpy(s->norm + o, u + i, l);
            o += l;
            i += l;
        }
    }
    utf8proc_uint8_t *dst = NULL;
    utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)s->norm, (utf8proc_ssize_t)o, &dst,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                                          UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);
    if (r < 0) { /* only on OOM: keep the sanitised, unnormalised text */
        free(dst);
        *out_len = o;
        return s->norm;
    }
    *owned = (char *)dst;
    *out_len = (size_t)r;
    return (const char *)dst;
}

/* ASCII word characters: letters and digits. */
static const bool ascii_word[128] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
    ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1,
    ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1,
    ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
    ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1,
    ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
};

/* Non-ASCII word characters: letters, marks and numbers. */
static bool word_cp(uint32_t cp)
{
    if (cp < 0x80)
        return ascii_word[cp];
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_NO; /* letters, marks, numbers */
}

struct tok_state {
    uint64_t prev;
    float prev_sf;
    bool have_prev;
    bool use_stop;
};

static void add_word(struct scratch *s, struct tok_state *ts, const char *w, size_t wl, bool ascii)
{
    uint64_t hw = lh__hash64(w, wl, SEED_WORD);
    float sf = ts->use_stop && wl <= 5 && is_stop(hw) ? W_STOP : 1.0f;
    add_feat(s, hw, W_WORD * sf);
    if (ts->have_prev)
        add_feat(s, lh__hash_pair(ts->prev, hw, SEED_BIGRAM), W_BIGRAM * sqrtf(sf * ts->prev_sf));
    ts->prev = hw;
    ts->prev_sf = sf;
    ts->have_prev = true;

    /* character n-grams of "<word>" */
    s->word = grow(s->word, &s->word_cap, wl + 2, 1);
    s->word[0] = '<';
    memcpy(s->word + 1, w, wl);
    s->word[wl + 1] = '>';
    size_t nb = wl + 2, ncp;
    const unsigned char *mw = s->word;
    float wc = W_CHAR * sf;
    if (ascii) {
        ncp = nb;
        for (int g = NGRAM_MIN; g <= NGRAM_MAX; g++)
            for (size_t st = 0; st + (size_t)g <= ncp; st++)
                add_feat(s, lh__hash64(mw + st, (size_t)g, SEED_CHAR), wc);
        return;
    }
    s->cb = grow(s->cb, &s->cb_cap, nb + 1, sizeof(*s->cb));
    ncp = 0;
    for (size_t i = 0; i < nb;) {
        s->cb[ncp++] = i;
        size_t l = lh__utf8_len(mw + i, nb - i);
        i += l ? l : 1;
    }
    s->cb[ncp] = nb;
    for (int g = NGRAM_MIN; g <= NGRAM_MAX; g++)
        for (size_t st = 0; st + (size_t)g <= ncp; st++)
            add_feat(s, lh__hash64(mw + s->cb[st], s->cb[st + (size_t)g] - s->cb[st], SEED_CHAR),
                     wc);
}

/* Fills s's feature table with the features of one text. */
static void extract(struct scratch *s, const char *text, size_t len, bool use_stop)
{
    char *owned = NULL;
    size_t n;
    const char *t = normalise(s, text, len, &n, &owned);
    const unsigned char *u = (const unsigned char *)t;
    struct tok_state ts = {0, 1.0f, false, use_stop};
    size_t i = 0, ws = 0;
    bool in_word = false, ascii = true;
    while (i < n) {
        size_t l = 1;
        bool wc;
        if (u[i] < 0x80) {
            wc = ascii_word[u[i]];
        } else {
            l = lh__utf8_len(u + i, n - i);
            wc = l && word_cp(lh__utf8_decode(u + i, l));
            l += !l;
        }
        if (wc) {
            if (!in_word) {
                in_word = true;
                ascii = true;
                ws = i;
            }
            ascii = ascii && l == 1;
        } else if (in_word) {
            add_word(s, &ts, t + ws, i - ws, ascii);
            in_word = false;
        }
        i += l;
    }
    if (in_word)
        add_word(s, &ts, t + ws, n - ws, ascii);
    free(owned);
}

/* ---- embedding ---- */

static float idf_of(const struct builtin *b, uint64_t key)
{
    if (!b->idf_q)
        return 1.0f;
    return b->idf_lut[b->idf_q[(key >> 32) & ((1u << IDF_LOG2_BUCKETS) - 1)]];
}

static void vectorise(const struct builtin *b, struct scratch *s, float *vec)
{
    size_t dims = (size_t)b->base.dims;
    memset(vec, 0, dims * sizeof(*vec));
    for (size_t i = 0; i < s->n_used; i++) {
        const struct feat *f = &s->tab[s->used[i]];
        float tf = f->count == 1 ? 1.0f : 1.0f + logf((float)f->count);
        float v = tf * f->w * idf_of(b, f->key);
        size_t idx = (size_t)(((f->key & 0xFFFFFFFFu) * (uint64_t)dims) >> 32);
        vec[idx] += (f->key >> 63) ? -v : v;
    }
    double sum = 0;
    for (size_t d = 0; d < dims; d++)
        sum += (double)vec[d] * vec[d];
    if (sum > 0) {
        float inv = (float)(1.0 / sqrt(sum));
        for (size_t d = 0; d < dims; d++)
            vec[d] *= inv;
    }
}

static int builtin_embed(struct lh_embedder *e, const char *const *texts, const size_t *lens,
                         size_t n, float **out, struct lh_error *err)
{
    struct builtin *b = (struct builtin *)e;
    if (n == 0) {
        *out = NULL;
        return 0;
    }
    if (!texts)
        return lh_error_set(err, LH_EINVAL, "builtin embedder: no texts given");
    size_t dims = (size_t)e->dims;
    if (n > SIZE_MAX / sizeof(float) / dims)
        return lh_error_set(err, LH_ETOOBIG, "builtin embedder: batch of %zu texts is too big", n);
    float *vecs = lh_xmalloc(n * dims * sizeof(float));
    struct scratch s;
    scratch_init(&s);
    for (size_t i = 0; i < n; i++) {
        const char *t = texts[i] ? texts[i] : "";
        size_t len = lens ? lens[i] : strlen(t);
        extract(&s, t, len, !b->idf_q);
        vectorise(b, &s, vecs + i * dims);
        tab_clear(&s);
    }
    scratch_release(&s);
    *out = vecs;
    return 0;
}

static void builtin_close(struct lh_embedder *e)
{
    struct builtin *b = (struct builtin *)e;
    free(b->df);
    free(b->idf_q);
    free(e->model);
    free(e->version);
    free(b);
}

static const struct lh_embed_ops builtin_ops = {
    .name = "builtin",
    .caps = LH_EMBED_CAP_BATCH | LH_EMBED_CAP_LOCAL | LH_EMBED_CAP_FIT,
    .embed = builtin_embed,
    .close = builtin_close,
};

int lh_embed_builtin_new(int dims, struct lh_embedder **out, struct lh_error *err)
{
    if (dims == 0)
        dims = LH_EMBED_BUILTIN_DIMS;
    if (dims < 8 || dims > LH_EMBED_MAX_DIMS)
        return lh_error_set(err, LH_EINVAL, "builtin embedder: dims must be 8..%d, not %d",
                            LH_EMBED_MAX_DIMS, dims);
    pthread_once(&stop_once, stop_init);
    struct builtin *b = lh_xcalloc(1, sizeof(*b));
    b->base.ops = &builtin_ops;
    b->base.dims = dims;
    b->base.model = lh_xstrdup("builtin");
    b->base.version = lh_xstrdup(SCHEME);
    b->base.max_batch = BUILTIN_MAX_BATCH;
    *out = &b->base;
    return 0;
}

/* ---- IDF: fit, quantise, save, load ---- */

static struct builtin *as_builtin(const struct lh_embedder *e)
{
    return e && e->ops == &builtin_ops ? (struct builtin *)e : NULL;
}

static void set_lut(struct builtin *b)
{
    for (int q = 0; q < 256; q++)
        b->idf_lut[q] = 1.0f + (b->idf_max - 1.0f) * (float)q / 255.0f;
}

static void set_version(struct builtin *b)
{
    size_t nb = (size_t)1 << IDF_LOG2_BUCKETS;
    uint64_t h = lh__hash64(b->idf_q, nb, b->n_docs);
    free(b->base.version);
    b->base.version = lh_xasprintf(SCHEME "+idf-%016llx", (unsigned long long)h);
}

/* Recomputes the quantised table from the counts. */
static void quantise(struct builtin *b)
{
    size_t nb = (size_t)1 << IDF_LOG2_BUCKETS;
    double n = (double)b->n_docs;
    double max = log(n + 1.0) + 1.0;
    if (!b->idf_q)
        b->idf_q = lh_xmalloc(nb);
    b->idf_max = (float)max;
    /* df -> q is monotonic; cache the last value since most buckets repeat small counts */
    uint32_t last_df = UINT32_MAX;
    uint8_t last_q = 0;
    for (size_t i = 0; i < nb; i++) {
        uint32_t df = b->df[i];
        if (df != last_df) {
            double d = df > n ? n : df;
            double idf = log((n + 1.0) / (d + 1.0)) + 1.0;
            double q = max > 1.0 ? (idf - 1.0) / (max - 1.0) * 255.0 : 0.0;
            last_q = (uint8_t)lrint(q < 0 ? 0 : q > 255 ? 255 : q);
            last_df = df;
        }
        b->idf_q[i] = last_q;
    }
    set_lut(b);
    set_version(b);
}

int lh_embed_builtin_fit(struct lh_embedder *e, const char *const *texts, const size_t *lens,
                         size_t n, struct lh_error *err)
{
    struct builtin *b = as_builtin(e);
    if (!b)
        return lh_error_set(err, LH_EINVAL, "IDF fitting needs the builtin embedder");
    if (n && !texts)
        return lh_error_set(err, LH_EINVAL, "builtin embedder: no texts given");
    size_t nb = (size_t)1 << IDF_LOG2_BUCKETS;
    if (!b->df) {
        b->df = lh_xcalloc(nb, sizeof(*b->df));
        b->n_docs = 0;
    }
    struct scratch s;
    scratch_init(&s);
    for (size_t i = 0; i < n; i++) {
        const char *t = texts[i] ? texts[i] : "";
        extract(&s, t, lens ? lens[i] : strlen(t), false);
        for (size_t k = 0; k < s.n_used; k++) {
            uint32_t *c = &b->df[(s.tab[s.used[k]].key >> 32) & (nb - 1)];
            if (*c < UINT32_MAX)
                (*c)++;
        }
        tab_clear(&s);
        b->n_docs++;
    }
    scratch_release(&s);
    quantise(b);
    return 0;
}

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Layout (little-endian): magic[8] "LHIDF\1\r\n", u32 log2 buckets, u32 reserved (0),
 * u64 documents, u64 hash of the body, then one byte per bucket. The maximum IDF is
 * ln(documents + 1) + 1, so it needs no field of its own. */
int lh_embed_builtin_idf_save(const struct lh_embedder *e, char **out, size_t *out_len,
                              struct lh_error *err)
{
    const struct builtin *b = as_builtin(e);
    if (!b)
        return lh_error_set(err, LH_EINVAL, "IDF tables belong to the builtin embedder");
    if (!b->idf_q)
        return lh_error_set(err, LH_ENOTFOUND,
                            "the builtin embedder has no IDF table (not fitted)");
    size_t nb = (size_t)1 << IDF_LOG2_BUCKETS;
    unsigned char *p = lh_xmalloc(IDF_HDR_LEN + nb);
    memcpy(p, IDF_MAGIC, 8);
    put_u32(p + 8, IDF_LOG2_BUCKETS);
    put_u32(p + 12, 0);
    put_u64(p + 16, b->n_docs);
    put_u64(p + 24, lh__hash64(b->idf_q, nb, b->n_docs));
    memcpy(p + IDF_HDR_LEN, b->idf_q, nb);
    *out = (char *)p;
    *out_len = IDF_HDR_LEN + nb;
    return 0;
}

int lh_embed_builtin_idf_load(struct lh_embedder *e, const void *data, size_t len,
                              struct lh_error *err)
{
    struct builtin *b = as_builtin(e);
    const unsigned char *p = data;
    size_t nb = (size_t)1 << IDF_LOG2_BUCKETS;
    if (!b)
        return lh_error_set(err, LH_EINVAL, "IDF tables belong to the builtin embedder");
    if (!p || len < IDF_HDR_LEN || memcmp(p, IDF_MAGIC, 8) != 0)
        return lh_error_set(err, LH_EINVAL, "not a builtin embedder IDF table");
    if (get_u32(p + 8) != IDF_LOG2_BUCKETS || len != IDF_HDR_LEN + nb)
        return lh_error_set(err, LH_EINVAL, "builtin embedder IDF table has an unsupported size");
    uint64_t docs = get_u64(p + 16);
    if (get_u64(p + 24) != lh__hash64(p + IDF_HDR_LEN, nb, docs))
        return lh_error_set(err, LH_EINVAL, "builtin embedder IDF table is corrupt (checksum)");
    if (!b->idf_q)
        b->idf_q = lh_xmalloc(nb);
    memcpy(b->idf_q, p + IDF_HDR_LEN, nb);
    free(b->df);
    b->df = NULL;
    b->n_docs = docs;
    b->idf_max = (float)(log((double)docs + 1.0) + 1.0);
    set_lut(b);
    set_version(b);
    return 0;
}
