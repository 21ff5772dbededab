/* SPDX-License-Identifier: MIT */
/* u_embed.c - unit tests of src/embed: chunker (with a 10,000-input fuzz), builtin and remote
 * embedders (against tests/tools/fake_model_server.py). */
#include "lh_common.h"
#include "buf.h"
#include "chunk.h"
#include "embed.h"
#include "err.h"

#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../tools/fake_server.h"

/* ---- helpers ---- */

static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static size_t rnd(uint64_t *s, size_t n)
{
    return n ? (size_t)(rng_next(s) % n) : 0;
}

/* Independent strict UTF-8 check of one sequence: its length, or 0 if malformed. */
static size_t t_utf8_len(const unsigned char *s, size_t n)
{
    static const struct {
        unsigned char lo, hi;
        int len;
    } lead[] = {{0x00, 0x7F, 1}, {0xC2, 0xDF, 2}, {0xE0, 0xEF, 3}, {0xF0, 0xF4, 4}};
    int len = 0;
    for (size_t k = 0; k < 4; k++)
        if (s[0] >= lead[k].lo && s[0] <= lead[k].hi)
            len = lead[k].len;
    if (len == 0 || (size_t)len > n)
        return 0;
    for (int i = 1; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    if (len == 3 && s[0] == 0xE0 && s[1] < 0xA0)
        return 0; /* overlong */
    if (len == 3 && s[0] == 0xED && s[1] > 0x9F)
        return 0; /* surrogate */
    if (len == 4 && s[0] == 0xF0 && s[1] < 0x90)
        return 0; /* overlong */
    if (len == 4 && s[0] == 0xF4 && s[1] > 0x8F)
        return 0; /* > U+10FFFF */
    return (size_t)len;
}

static size_t t_chars(const unsigned char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; c++) {
        size_t l = t_utf8_len(s + i, n - i);
        i += l ? l : 1;
    }
    return c;
}

static bool t_valid(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t l = t_utf8_len(s + i, n - i);
        if (!l)
            return false;
        i += l;
    }
    return true;
}

static size_t put_cp(unsigned char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

static uint32_t random_cp(uint64_t *s)
{
    for (;;) {
        uint32_t cp;
        switch (rnd(s, 4)) {
        case 0: cp = 0x20 + (uint32_t)rnd(s, 0x5F); break;
        case 1: cp = 0x80 + (uint32_t)rnd(s, 0x800 - 0x80); break;
        case 2: cp = 0x800 + (uint32_t)rnd(s, 0x10000 - 0x800); break;
        default: cp = 0x10000 + (uint32_t)rnd(s, 0x110000 - 0x10000); break;
        }
        if (cp < 0xD800 || cp > 0xDFFF)
            return cp;
    }
}

/* Fills buf (cap >= 8192) with one random input; *valid = the generator made valid UTF-8. */
static size_t gen_input(uint64_t *s, unsigned char *buf, size_t cap, bool *valid)
{
    static const char *const seps[] = {" ", " ", " ", "\n", "\n\n", ". ", "! ", "? ", ".\n",
                                       "\t", "\xE3\x80\x82", ", ", "  \n \n", "?\" "};
    static const char *const words[] = {
        "the", "lakehouse", "caf\xC3\xA9", "\xE6\x97\xA5\xE6\x9C\xAC", "\xF0\x9F\x98\x80",
        "na\xC3\xAFve", "\xD0\xBC\xD0\xB8\xD1\x80", "x", "data", "Stra\xC3\x9F" "e",
    };
    size_t target = rnd(s, rnd(s, 8) == 0 ? 6000 : 1500);
    size_t n = 0;
    int kind = (int)rnd(s, 5);
    *valid = true;
    switch (kind) {
    case 0: /* random bytes */
        for (; n < target; n++)
            buf[n] = (unsigned char)rng_next(s);
        *valid = t_valid(buf, n);
        break;
    case 1: /* text-like valid UTF-8 */
    case 4: /* the same with stray invalid bytes */
        while (n + 64 < target) {
            if (rnd(s, 3) == 0) {
                for (size_t k = 1 + rnd(s, 12); k > 0; k--)
                    n += put_cp(buf + n, rnd(s, 2) ? (uint32_t)('a' + rnd(s, 26)) : random_cp(s));
            } else {
                const char *w = words[rnd(s, LH_ARRAY_LEN(words))];
                memcpy(buf + n, w, strlen(w));
                n += strlen(w);
            }
            const char *sep = seps[rnd(s, LH_ARRAY_LEN(seps))];
            memcpy(buf + n, sep, strlen(sep));
            n += strlen(sep);
            if (kind == 4 && rnd(s, 8) == 0)
                buf[n++] = (unsigned char)(0x80 + rnd(s, 0x80));
        }
        if (kind == 4)
            *valid = t_valid(buf, n);
        break;
    case 2: { /* a long run without spaces */
        uint32_t cp = rnd(s, 2) ? 'x' : random_cp(s);
        bool mixed = rnd(s, 2);
        while (n + 4 < target && n + 4 < cap) {
            uint32_t c = mixed ? random_cp(s) : cp;
            if (c == ' ' || c == '.' || c == '!' || c == '?')
                c = 'y';
            n += put_cp(buf + n, c);
        }
        break;
    }
    default: { /* whitespace and punctuation heavy */
        static const char set[] = " \n\t.a\r!?\"";
        for (; n < target; n++)
            buf[n] = (unsigned char)set[rnd(s, sizeof(set) - 1)];
        break;
    }
    }
    assert_true(n <= cap);
    return n;
}

/* Checks every guarantee of chunk.h for one input. */
static void check_spans(const unsigned char *t, size_t len, bool valid, size_t size,
                        const struct lh_chunk_span *sp, size_t n)
{
    if (len == 0) {
        assert_int_equal(n, 0);
        return;
    }
    assert_true(n >= 1);
    assert_true(n <= len);
    assert_int_equal(sp[0].off, 0);
    assert_int_equal(sp[n - 1].off + sp[n - 1].len, len);
    for (size_t i = 0; i < n; i++) {
        size_t off = sp[i].off, end = off + sp[i].len;
        assert_true(sp[i].len >= 1);
        assert_true(end <= len);
        size_t chars = t_chars(t + off, sp[i].len);
        if (chars > size)
            fail_msg("span %zu has %zu chars > size %zu", i, chars, size);
        if (valid) {
            assert_false((t[off] & 0xC0) == 0x80);
            assert_true(end == len || (t[end] & 0xC0) != 0x80);
        }
        if (i > 0) {
            size_t poff = sp[i - 1].off, pend = poff + sp[i - 1].len;
            assert_true(off > poff);  /* progress and order */
            assert_true(end > pend);  /* order */
            assert_true(off <= pend); /* coverage: no gap */
        }
    }
}

/* ---- chunker ---- */

static void test_chunk_empty_and_opts(void **state)
{
    (void)state;
    struct lh_chunk_span *sp = (void *)1;
    size_t n = 99;
    struct lh_error err = {0};
    assert_int_equal(lh_chunk_text("", 0, NULL, &sp, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_null(sp);

    struct lh_chunk_opts bad = {10, 10};
    assert_int_equal(lh_chunk_text("abc", 3, &bad, &sp, &n, &err), -LH_EINVAL);
    assert_non_null(strstr(err.msg, "overlap"));
    bad.overlap = 11;
    assert_int_equal(lh_chunk_text("abc", 3, &bad, &sp, &n, &err), -LH_EINVAL);
    bad.max_chars = LH_CHUNK_MAX_SIZE + 1;
    bad.overlap = 0;
    assert_int_equal(lh_chunk_text("abc", 3, &bad, &sp, &n, &err), -LH_EINVAL);

    /* defaults: a short text is one chunk */
    assert_int_equal(lh_chunk_text("hello world", 11, NULL, &sp, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(sp[0].off, 0);
    assert_int_equal(sp[0].len, 11);
    free(sp);

    /* size 1, overlap 0: one chunk per character */
    struct lh_chunk_opts one = {1, 0};
    const char *s = "a\xC3\xA9\xE6\x97\xA5";
    assert_int_equal(lh_chunk_text(s, strlen(s), &one, &sp, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(sp[1].off, 1);
    assert_int_equal(sp[1].len, 2);
    assert_int_equal(sp[2].len, 3);
    free(sp);
}

static void test_chunk_prefers_paragraphs(void **state)
{
    (void)state;
    struct lh_buf b;
    lh_buf_init(&b, 0);
    /* paragraph 1: ~300 chars of sentences; paragraph 2 the same */
    for (int i = 0; i < 10; i++)
        lh_buf_puts(&b, "First part sentence here. ");
    lh_buf_puts(&b, "\n\n");
    size_t para2 = b.len;
    for (int i = 0; i < 10; i++)
        lh_buf_puts(&b, "Second part goes on here. ");
    struct lh_chunk_opts o = {400, 50};
    struct lh_chunk_span *sp;
    size_t n;
    assert_int_equal(lh_chunk_text(b.ptr, b.len, &o, &sp, &n, NULL), 0);
    assert_true(n >= 2);
    assert_int_equal(sp[0].off + sp[0].len, para2); /* ends right after the blank line */
    /* the next chunk starts at a sentence start inside the overlap */
    assert_true(sp[1].off < para2);
    assert_memory_equal(b.ptr + sp[1].off, "First", 5);
    free(sp);
    lh_buf_release(&b);
}

static void test_chunk_prefers_sentences(void **state)
{
    (void)state;
    struct lh_buf b;
    lh_buf_init(&b, 0);
    for (int i = 0; i < 40; i++)
        lh_buf_printf(&b, "Sentence number %d is right here! ", i);
    struct lh_chunk_opts o = {200, 60}; /* the overlap holds a whole sentence */
    struct lh_chunk_span *sp;
    size_t n;
    assert_int_equal(lh_chunk_text(b.ptr, b.len, &o, &sp, &n, NULL), 0);
    assert_true(n >= 5);
    for (size_t i = 0; i + 1 < n; i++) {
        const char *end = b.ptr + sp[i].off + sp[i].len;
        assert_memory_equal(end - 2, "! ", 2);            /* ends after a sentence */
        assert_memory_equal(b.ptr + sp[i + 1].off, "Sentence", 8); /* starts at one */
        assert_true(sp[i + 1].off < sp[i].off + sp[i].len);        /* with overlap */
    }
    check_spans((const unsigned char *)b.ptr, b.len, true, 200, sp, n);
    free(sp);

    /* no sentence end: break at whitespace, chunks start at word starts */
    lh_buf_reset(&b);
    for (int i = 0; i < 100; i++)
        lh_buf_puts(&b, "word ");
    assert_int_equal(lh_chunk_text(b.ptr, b.len, &o, &sp, &n, NULL), 0);
    for (size_t i = 0; i + 1 < n; i++) {
        assert_int_equal(b.ptr[sp[i].off + sp[i].len - 1], ' ');
        assert_memory_equal(b.ptr + sp[i + 1].off, "word", 4);
    }
    free(sp);
    lh_buf_release(&b);
}

static void test_chunk_hard_cut_utf8(void **state)
{
    (void)state;
    /* 1000 x U+65E5 (3 bytes), no spaces: hard cuts every 100 chars, never mid-character */
    struct lh_buf b;
    lh_buf_init(&b, 0);
    for (int i = 0; i < 1000; i++)
        lh_buf_puts(&b, "\xE6\x97\xA5");
    struct lh_chunk_opts o = {100, 10};
    struct lh_chunk_span *sp;
    size_t n;
    assert_int_equal(lh_chunk_text(b.ptr, b.len, &o, &sp, &n, NULL), 0);
    for (size_t i = 0; i + 1 < n; i++) {
        assert_int_equal(sp[i].len, 300);
        assert_int_equal(sp[i + 1].off, sp[i].off + 270);
    }
    check_spans((const unsigned char *)b.ptr, b.len, true, 100, sp, n);
    free(sp);

    /* CJK full stops count as sentence ends */
    lh_buf_reset(&b);
    for (int i = 0; i < 60; i++)
        lh_buf_puts(&b, "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x80\x82"); /* 日本語。 */
    assert_int_equal(lh_chunk_text(b.ptr, b.len, &o, &sp, &n, NULL), 0);
    for (size_t i = 0; i + 1 < n; i++)
        assert_memory_equal(b.ptr + sp[i].off + sp[i].len - 3, "\xE3\x80\x82", 3);
    free(sp);
    lh_buf_release(&b);
}

static void test_chunk_fuzz(void **state)
{
    (void)state;
    uint64_t seed = 0x1234567887654321ULL;
    const char *env = getenv("LH_FUZZ_SEED");
    if (env && env[0])
        seed = strtoull(env, NULL, 0) | 1;
    uint64_t s = seed;
    unsigned char *buf = malloc(16384);
    size_t n_chunks = 0, n_valid = 0;
    for (int iter = 0; iter < 10000; iter++) {
        bool valid;
        size_t len = gen_input(&s, buf, 16384, &valid);
        size_t size = 1 + rnd(&s, rnd(&s, 4) == 0 ? 1500 : 120);
        size_t overlap = rnd(&s, 3) == 0 ? 0 : rnd(&s, size);
        struct lh_chunk_opts o = {size, overlap};
        const struct lh_chunk_opts *op = &o;
        if (rnd(&s, 50) == 0) {
            op = NULL;
            size = LH_CHUNK_DEFAULT_SIZE;
        }
        struct lh_chunk_span *sp = NULL;
        size_t n = 0;
        struct lh_error err = {0};
        int rc = lh_chunk_text((const char *)buf, len, op, &sp, &n, &err);
        if (rc)
            fail_msg("iter %d (seed %llu): rc %d %s", iter, (unsigned long long)seed, rc, err.msg);
        check_spans(buf, len, valid, size, sp, n);
        n_chunks += n;
        n_valid += valid;
        free(sp);
    }
    free(buf);
    print_message("chunk fuzz: 10000 inputs (%zu valid UTF-8), %zu chunks, seed %llu\n", n_valid,
                  n_chunks, (unsigned long long)seed);
}

/* ---- builtin embedder ---- */

static float dot(const float *a, const float *b, int d)
{
    double s = 0;
    for (int i = 0; i < d; i++)
        s += (double)a[i] * b[i];
    return (float)s;
}

static float *embed1(struct lh_embedder *e, const char *t)
{
    float *v = NULL;
    struct lh_error err = {0};
    int rc = lh_embed(e, &t, NULL, 1, &v, &err);
    if (rc)
        fail_msg("embed: %s", err.msg);
    return v;
}

static void test_builtin_basics(void **state)
{
    (void)state;
    struct lh_embedder *e = NULL;
    struct lh_error err = {0};
    assert_int_equal(lh_embed_builtin_new(0, &e, &err), 0);
    assert_int_equal(e->dims, 384);
    assert_string_equal(e->ops->name, "builtin");
    assert_string_equal(e->model, "builtin");
    assert_string_equal(e->version, "hash1");
    assert_true(e->ops->caps & LH_EMBED_CAP_LOCAL);

    const char *texts[] = {
        "The quick brown fox jumps over the lazy dog.",
        "Caf\xC3\xA9 na\xC3\xAFve r\xC3\xA9sum\xC3\xA9 "
        "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E \xF0\x9F\x98\x80",
        "broken \xFF\xFE utf8 \xC3 here",
        "x",
        "supercalifragilisticexpialidocious-and-a-very-long-run-of-characters-without-spaces",
    };
    size_t n = LH_ARRAY_LEN(texts);
    float *v1 = NULL, *v2 = NULL;
    assert_int_equal(lh_embed(e, texts, NULL, n, &v1, &err), 0);
    assert_int_equal(lh_embed(e, texts, NULL, n, &v2, &err), 0);
    assert_memory_equal(v1, v2, n * 384 * sizeof(float)); /* deterministic */
    for (size_t i = 0; i < n; i++) {
        float nn = dot(v1 + i * 384, v1 + i * 384, 384);
        assert_true(fabsf(nn - 1.0f) < 1e-5f);
        /* the same text alone gives the same vector as in a batch */
        float *one = embed1(e, texts[i]);
        assert_memory_equal(one, v1 + i * 384, 384 * sizeof(float));
        free(one);
    }
    free(v2);

    /* explicit lengths: a prefix of a text */
    size_t lens[1] = {9};
    assert_int_equal(lh_embed(e, texts, lens, 1, &v2, &err), 0);
    float *pre = embed1(e, "The quick");
    assert_memory_equal(pre, v2, 384 * sizeof(float));
    free(pre);
    free(v2);
    free(v1);

    /* empty and feature-less texts: zero vectors, no error */
    const char *empty[] = {"", "  !!! ... ", NULL};
    assert_int_equal(lh_embed(e, empty, NULL, 3, &v1, &err), 0);
    for (size_t i = 0; i < 3 * 384; i++)
        assert_true(v1[i] == 0.0f);
    free(v1);

    /* n == 0 */
    v1 = (float *)1;
    assert_int_equal(lh_embed(e, NULL, NULL, 0, &v1, &err), 0);
    assert_null(v1);
    lh_embedder_close(e);

    /* dims option, bad dims, bad kind */
    struct lh_embed_opts o = {.kind = "builtin", .dims = 64};
    assert_int_equal(lh_embedder_open(&o, &e, &err), 0);
    assert_int_equal(e->dims, 64);
    v1 = embed1(e, "hello world");
    assert_true(fabsf(dot(v1, v1, 64) - 1.0f) < 1e-5f);
    free(v1);
    lh_embedder_close(e);
    assert_int_equal(lh_embed_builtin_new(4, &e, &err), -LH_EINVAL);
    o.kind = "word2vec";
    assert_int_equal(lh_embedder_open(&o, &e, &err), -LH_EINVAL);
    assert_non_null(strstr(err.msg, "word2vec"));
    assert_int_equal(lh_embedder_open(NULL, &e, &err), 0); /* NULL = builtin defaults */
    assert_int_equal(e->dims, 384);
    lh_embedder_close(e);
    lh_embedder_close(NULL);
}

static void test_builtin_normalisation(void **state)
{
    (void)state;
    struct lh_embedder *e = NULL;
    assert_int_equal(lh_embed_builtin_new(0, &e, NULL), 0);
    /* pairs that NFKC_Casefold makes identical */
    const char *pairs[][2] = {
        {"Stra\xC3\x9F" "e", "STRASSE"},
        {"\xEF\xAC\x81le system", "FILE SYSTEM"},        /* U+FB01 ligature */
        {"Cafe\xCC\x81", "caf\xC3\xA9"},                 /* decomposed vs composed */
        {"\xEF\xBC\xA1\xEF\xBC\xA2\xEF\xBC\xA3", "abc"}, /* fullwidth */
        {"Hello World", "hello world"},
    };
    for (size_t i = 0; i < LH_ARRAY_LEN(pairs); i++) {
        float *a = embed1(e, pairs[i][0]), *b = embed1(e, pairs[i][1]);
        if (memcmp(a, b, 384 * sizeof(float)) != 0)
            fail_msg("pair %zu differs: cos %f", i, dot(a, b, 384));
        free(a);
        free(b);
    }
    lh_embedder_close(e);
}

static void test_builtin_similarity(void **state)
{
    (void)state;
    struct lh_embedder *e = NULL;
    assert_int_equal(lh_embed_builtin_new(0, &e, NULL), 0);
    /* {anchor, similar, unrelated} */
    const char *triples[][3] = {
        {"The cat sat on the mat.", "A cat was sitting on the mat.",
         "Quarterly revenue grew by twelve percent."},
        {"How do I reset my password?", "Password reset instructions for your account",
         "The river flooded the valley in spring."},
        {"Parquet files store columnar data efficiently.",
         "Columnar storage in Parquet files is efficient for analytics.",
         "My grandmother bakes apple pie on Sundays."},
        {"invoice payment overdue reminder", "reminder: your invoice payment is overdue",
         "hiking trails in the mountains"},
        {"embedding vectors for semantic search", "semantic search uses vector embeddings",
         "the orchestra played a symphony"},
    };
    for (size_t i = 0; i < LH_ARRAY_LEN(triples); i++) {
        float *a = embed1(e, triples[i][0]), *b = embed1(e, triples[i][1]);
        float *c = embed1(e, triples[i][2]);
        float sim = dot(a, b, 384), unrel = dot(a, c, 384);
        print_message("similarity %zu: similar %.3f unrelated %.3f\n", i, sim, unrel);
        if (!(sim > unrel + 0.1f))
            fail_msg("triple %zu: similar %.3f not above unrelated %.3f", i, sim, unrel);
        free(a);
        free(b);
        free(c);
    }
    /* typo robustness through char n-grams */
    float *a = embed1(e, "configuration"), *b = embed1(e, "configuraton");
    float *c = embed1(e, "banana");
    assert_true(dot(a, b, 384) > 0.3f);
    assert_true(dot(a, b, 384) > dot(a, c, 384) + 0.2f);
    free(a);
    free(b);
    free(c);
    lh_embedder_close(e);
}

static void test_builtin_fit_roundtrip(void **state)
{
    (void)state;
    struct lh_embedder *e = NULL, *e2 = NULL, *plain = NULL;
    struct lh_error err = {0};
    char *bytes = NULL;
    size_t blen = 0;
    assert_int_equal(lh_embed_builtin_new(0, &e, &err), 0);
    assert_int_equal(lh_embed_builtin_new(0, &plain, &err), 0);
    assert_int_equal(lh_embed_builtin_idf_save(e, &bytes, &blen, &err), -LH_ENOTFOUND);

    const char *corpus[] = {
        "the invoice was paid in march",         "the invoice is overdue",
        "the shipment arrived late",             "the customer asked for a refund",
        "the warehouse ships orders on monday",  "the refund was approved by finance",
        "quarterly revenue and the cost report", "the report lists every late shipment",
    };
    size_t nc = LH_ARRAY_LEN(corpus);
    assert_int_equal(lh_embed_builtin_fit(e, corpus, NULL, 4, &err), 0);
    char *v_half = lh_xstrdup(e->version);
    assert_int_equal(lh_embed_builtin_fit(e, corpus + 4, NULL, nc - 4, &err), 0);
    assert_true(strncmp(e->version, "hash1+idf-", 10) == 0);
    assert_string_not_equal(e->version, v_half); /* the version follows the table */
    free(v_half);

    assert_int_equal(lh_embed_builtin_idf_save(e, &bytes, &blen, &err), 0);
    assert_true(blen > 1000 && blen < 1024 * 1024);

    assert_int_equal(lh_embed_builtin_new(0, &e2, &err), 0);
    assert_int_equal(lh_embed_builtin_idf_load(e2, bytes, blen, &err), 0);
    assert_string_equal(e2->version, e->version);
    float *a = NULL, *b = NULL;
    assert_int_equal(lh_embed(e, corpus, NULL, nc, &a, &err), 0);
    assert_int_equal(lh_embed(e2, corpus, NULL, nc, &b, &err), 0);
    assert_memory_equal(a, b, nc * 384 * sizeof(float));
    for (size_t i = 0; i < nc; i++)
        assert_true(fabsf(dot(a + i * 384, a + i * 384, 384) - 1.0f) < 1e-5f);
    free(b);

    /* the IDF changes the vectors, and the common word "the" matters less */
    assert_int_equal(lh_embed(plain, corpus, NULL, nc, &b, &err), 0);
    assert_memory_not_equal(a, b, 384 * sizeof(float));
    free(a);
    free(b);
    float *q = embed1(e, "the refund"), *d1 = embed1(e, "refund approved"),
          *d2 = embed1(e, "the shipment");
    assert_true(dot(q, d1, 384) > dot(q, d2, 384));
    free(q);
    free(d1);
    free(d2);

    /* saving the loaded table gives the same bytes */
    char *bytes2 = NULL;
    size_t blen2 = 0;
    assert_int_equal(lh_embed_builtin_idf_save(e2, &bytes2, &blen2, &err), 0);
    assert_int_equal(blen2, blen);
    assert_memory_equal(bytes2, bytes, blen);
    free(bytes2);

    /* corrupt or foreign bytes are refused and leave the embedder as it was */
    char *v_before = lh_xstrdup(plain->version);
    bytes[blen / 2] ^= 0x55;
    assert_int_equal(lh_embed_builtin_idf_load(plain, bytes, blen, &err), -LH_EINVAL);
    assert_non_null(strstr(err.msg, "corrupt"));
    assert_int_equal(lh_embed_builtin_idf_load(plain, bytes, 10, &err), -LH_EINVAL);
    assert_int_equal(lh_embed_builtin_idf_load(plain, "garbage!garbage!garbage!garbage!", 32,
                                               &err),
                     -LH_EINVAL);
    assert_string_equal(plain->version, v_before);
    free(v_before);
    free(bytes);

    /* a fit after a load starts a new table */
    assert_int_equal(lh_embed_builtin_fit(e2, corpus, NULL, 2, &err), 0);
    assert_string_not_equal(e2->version, e->version);

    lh_embedder_close(e);
    lh_embedder_close(e2);
    lh_embedder_close(plain);
}

/* ---- remote embedders against the fake server ---- */

static struct fake_server srv;     /* no API key */
static struct fake_server srv_key; /* --api-key */
#define SECRET_KEY "sk-test-SECRET-0123456789"

static int group_setup(void **state)
{
    (void)state;
    static const char *const key_args[] = {"--api-key", SECRET_KEY, NULL};
    if (fake_server_start(&srv, NULL) != 0)
        return -1;
    if (fake_server_start(&srv_key, key_args) != 0)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    fake_server_stop(&srv);
    fake_server_stop(&srv_key);
    return 0;
}

static struct lh_embedder *open_remote(const char *kind, const char *base, int max_batch,
                                       int dims, const char *key)
{
    struct lh_embed_opts o = {
        .kind = kind,
        .base_url = base,
        .model = "fake-embed",
        .api_key = key,
        .dims = dims,
        .timeout_ms = 5000,
        .max_batch = max_batch,
        .retry_base_ms = 5,
    };
    struct lh_embedder *e = NULL;
    struct lh_error err = {0};
    if (lh_embedder_open(&o, &e, &err) != 0)
        fail_msg("open %s: %s", kind, err.msg);
    return e;
}

static void texts_n(char buf[][48], const char **ptrs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        snprintf(buf[i], 48, "text number %zu", i);
        ptrs[i] = buf[i];
    }
}

static void test_remote_ollama_openai(void **state)
{
    (void)state;
    json_decref(fake_server_stats(&srv, 1));
    struct lh_embedder *ol = open_remote("ollama", srv.base, 0, 0, NULL);
    struct lh_embedder *oa = open_remote("openai", srv.base, 0, 0, NULL);
    assert_string_equal(ol->ops->name, "ollama");
    assert_string_equal(oa->ops->name, "openai");
    assert_int_equal(ol->max_batch, 64);
    assert_int_equal(ol->dims, 0);
    const char *texts[] = {"alpha", "beta", "", "gamma \xFF invalid", "alpha"};
    float *a = NULL, *b = NULL;
    struct lh_error err = {0};
    assert_int_equal(lh_embed(ol, texts, NULL, 5, &a, &err), 0);
    assert_int_equal(ol->dims, 16); /* learned from the answer */
    assert_int_equal(lh_embed(oa, texts, NULL, 5, &b, &err), 0);
    assert_int_equal(oa->dims, 16);
    /* same fake vectors through both protocols (openai answers in reverse order + index) */
    assert_memory_equal(a, b, 5 * 16 * sizeof(float));
    assert_memory_equal(a, a + 4 * 16, 16 * sizeof(float)); /* same text, same vector */
    for (int i = 0; i < 16; i++)
        assert_true(a[2 * 16 + i] == 0.0f); /* the empty text is a zero vector, not sent */
    assert_true(fabsf(dot(a, a, 16) - 1.0f) < 1e-4f);
    assert_true(fabsf(dot(a + 16, a, 16)) < 0.99f);
    free(a);
    free(b);

    json_t *st = fake_server_stats(&srv, 1);
    assert_int_equal(json_integer_value(json_object_get(st, "requests")), 2);
    json_t *batches = json_object_get(st, "embed_batches");
    assert_int_equal(json_integer_value(json_array_get(batches, 0)), 4);
    json_decref(st);

    /* a base ending in /v1 works for openai */
    char base[128];
    snprintf(base, sizeof(base), "%s/v1/", srv.base);
    lh_embedder_close(oa);
    oa = open_remote("openai", base, 0, 16, NULL);
    assert_int_equal(lh_embed(oa, texts, NULL, 2, &b, &err), 0);
    free(b);
    lh_embedder_close(oa);
    lh_embedder_close(ol);

    /* option checks */
    struct lh_embed_opts o = {.kind = "ollama", .base_url = "ftp://x"};
    struct lh_embedder *e = NULL;
    assert_int_equal(lh_embedder_open(&o, &e, &err), -LH_EINVAL);
    o.base_url = srv.base;
    o.max_batch = -2;
    assert_int_equal(lh_embedder_open(&o, &e, &err), -LH_EINVAL);
    o.max_batch = 0;
    o.dims = -1;
    assert_int_equal(lh_embedder_open(&o, &e, &err), -LH_EINVAL);
    o.dims = 0;
    o.api_key = "sk-abc\r\nX-Injected: 1";
    assert_int_equal(lh_embedder_open(&o, &e, &err), -LH_EINVAL);
    assert_null(strstr(err.msg, "sk-abc"));
}

static void test_remote_batching(void **state)
{
    (void)state;
    const char *kinds[] = {"ollama", "openai"};
    for (int k = 0; k < 2; k++) {
        json_decref(fake_server_stats(&srv, 1));
        struct lh_embedder *e = open_remote(kinds[k], srv.base, 16, 16, NULL);
        char buf[50][48];
        const char *texts[50];
        texts_n(buf, texts, 50);
        float *v = NULL;
        struct lh_error err = {0};
        assert_int_equal(lh_embed(e, texts, NULL, 50, &v, &err), 0);
        json_t *st = fake_server_stats(&srv, 1);
        assert_int_equal(json_integer_value(json_object_get(st, "requests")), 4);
        json_t *b = json_object_get(st, "embed_batches");
        assert_int_equal(json_array_size(b), 4);
        assert_int_equal(json_integer_value(json_array_get(b, 0)), 16);
        assert_int_equal(json_integer_value(json_array_get(b, 1)), 16);
        assert_int_equal(json_integer_value(json_array_get(b, 2)), 16);
        assert_int_equal(json_integer_value(json_array_get(b, 3)), 2);
        json_decref(st);
        /* vectors land in input order across batches */
        for (size_t i = 0; i < 50; i += 7) {
            float *one = NULL;
            assert_int_equal(lh_embed(e, &texts[i], NULL, 1, &one, &err), 0);
            assert_memory_equal(one, v + i * 16, 16 * sizeof(float));
            free(one);
        }
        free(v);
        lh_embedder_close(e);
    }
}

static void test_remote_retries(void **state)
{
    (void)state;
    struct lh_error err = {0};
    char base[160];
    float *v = NULL;
    const char *texts[] = {"retry me"};

    /* two injected 503s, then success: 3 requests */
    json_decref(fake_server_stats(&srv, 1));
    snprintf(base, sizeof(base), "%s/_/fail=2", srv.base);
    struct lh_embedder *e = open_remote("ollama", base, 0, 0, NULL);
    assert_int_equal(lh_embed(e, texts, NULL, 1, &v, &err), 0);
    free(v);
    assert_int_equal(fake_server_stat(&srv, "requests", 1), 3);
    lh_embedder_close(e);

    /* 429 with Retry-After: 0 is retried too (openai) */
    snprintf(base, sizeof(base), "%s/_/fail=3,status=429,retryafter=0", srv.base);
    e = open_remote("openai", base, 0, 0, NULL);
    assert_int_equal(lh_embed(e, texts, NULL, 1, &v, &err), 0);
    free(v);
    assert_int_equal(fake_server_stat(&srv, "requests", 1), 4);
    lh_embedder_close(e);

    /* more failures than retries: the 503 and the server's message are reported */
    snprintf(base, sizeof(base), "%s/_/fail=10", srv.base);
    e = open_remote("ollama", base, 0, 0, NULL);
    assert_int_equal(lh_embed(e, texts, NULL, 1, &v, &err), -LH_EUPSTREAM);
    print_message("error: %s\n", err.msg);
    assert_non_null(strstr(err.msg, "ollama: HTTP 503"));
    assert_non_null(strstr(err.msg, "injected failure"));
    assert_non_null(strstr(err.msg, "after 4 attempts"));
    assert_int_equal(fake_server_stat(&srv, "requests", 1), 4);
    lh_embedder_close(e);

    /* a 400 is not retried */
    snprintf(base, sizeof(base), "%s/_/fail=1,status=400", srv.base);
    e = open_remote("ollama", base, 0, 0, NULL);
    assert_int_equal(lh_embed(e, texts, NULL, 1, &v, &err), -LH_EUPSTREAM);
    assert_non_null(strstr(err.msg, "HTTP 400"));
    assert_int_equal(fake_server_stat(&srv, "requests", 1), 1);
    lh_embedder_close(e);

    /* max_retries < 0: no retry */
    struct lh_embed_opts o = {.kind = "ollama", .max_retries = -1, .retry_base_ms = 5};
    snprintf(base, sizeof(base), "%s/_/fail=1,status=503", srv.base);
    o.base_url = base;
    assert_int_equal(lh_embedder_open(&o, &e, &err), 0);
    assert_int_equal(lh_embed(e, texts, NULL, 1, &v, &err), -LH_EUPSTREAM);
    assert_int_equal(fake_server_stat(&srv, "requests", 1), 1);
    lh_embedder_close(e);
}

static void test_remote_timeout_and_connect(void **state)
{
    (void)state;
    struct lh_error err = {0};
    char base[160];
    float *v = NULL;
    const char *texts[] = {"slow"};
    snprintf(base, sizeof(base), "%s/_/slow=3000", srv.base);
    struct lh_embed_opts o = {
        .kind = "ollama", .base_url = base, .timeout_ms = 200, .max_retries = 1,
        .retry_base_ms = 5,
    };
    struct lh_embedder *e = NULL;
    assert_int_equal(lh_embedder_open(&o, &e, &err), 0);
    double t0 = fake_now();
    assert_int_equal(lh_embed(e, texts, NULL, 1, &v, &err), -LH_ETIMEDOUT);
    double dt = fake_now() - t0;
    print_message("timeout error after %.2f s: %s\n", dt, err.msg);
    assert_true(dt < 2.5);
    assert_non_null(strstr(err.msg, "200 ms"));
    lh_embedder_close(e);

    /* nothing listening: connection refused, reported at once (no retries) */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof(a);
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
    close(s); /* the port is now (very likely) closed */
    snprintf(base, sizeof(base), "http://user:pw@127.0.0.1:%d", ntohs(a.sin_port));
    o.base_url = base;
    o.timeout_ms = 2000;
    assert_int_equal(lh_embedder_open(&o, &e, &err), 0);
    assert_int_equal(lh_embed(e, texts, NULL, 1, &v, &err), -LH_EUPSTREAM);
    print_message("connect error: %s\n", err.msg);
    assert_null(strstr(err.msg, "pw@")); /* user info is not shown */
    lh_embedder_close(e);
}

static void test_remote_auth(void **state)
{
    (void)state;
    struct lh_error err = {0};
    float *v = NULL;
    const char *texts[] = {"secret stuff"};
    const char *kinds[] = {"ollama", "openai"};
    for (int k = 0; k < 2; k++) {
        /* no key: 401 */
        struct lh_embedder *e = open_remote(kinds[k], srv_key.base, 0, 0, NULL);
        assert_int_equal(lh_embed(e, texts, NULL, 1, &v, &err), -LH_EUPSTREAM);
        assert_non_null(strstr(err.msg, "HTTP 401"));
        lh_embedder_close(e);

        /* wrong key: 401, and the server echoes the key, which must not reach the message */
        e = open_remote(kinds[k], srv_key.base, 0, 0, "sk-wrong-KEY-do-not-leak");
        assert_int_equal(lh_embed(e, texts, NULL, 1, &v, &err), -LH_EUPSTREAM);
        print_message("401 error: %s\n", err.msg);
        assert_non_null(strstr(err.msg, "HTTP 401"));
        assert_null(strstr(err.msg, "sk-wrong-KEY-do-not-leak"));
        assert_null(strstr(err.msg, "do-not-leak"));
        assert_non_null(strstr(err.msg, "[redacted]"));
        lh_embedder_close(e);

        /* right key: fine; and errors of a keyed embedder never show the key either */
        e = open_remote(kinds[k], srv_key.base, 0, 0, SECRET_KEY);
        assert_int_equal(lh_embed(e, texts, NULL, 1, &v, &err), 0);
        free(v);
        lh_embedder_close(e);
        char base[160];
        snprintf(base, sizeof(base), "%s/_/fail=9,status=500", srv_key.base);
        struct lh_embed_opts o = {.kind = kinds[k], .base_url = base, .api_key = SECRET_KEY,
                                  .max_retries = -1};
        assert_int_equal(lh_embedder_open(&o, &e, &err), 0);
        assert_int_equal(lh_embed(e, texts, NULL, 1, &v, &err), -LH_EUPSTREAM);
        assert_null(strstr(err.msg, SECRET_KEY));
        lh_embedder_close(e);
    }
}

static void test_remote_bad_answers(void **state)
{
    (void)state;
    struct lh_error err = {0};
    char base[160];
    float *v = NULL;
    const char *texts[] = {"one", "two", "three", "four"};

    /* invalid JSON: clear error, not retried */
    json_decref(fake_server_stats(&srv, 1));
    snprintf(base, sizeof(base), "%s/_/badjson=1", srv.base);
    struct lh_embedder *e = open_remote("ollama", base, 0, 0, NULL);
    assert_int_equal(lh_embed(e, texts, NULL, 2, &v, &err), -LH_EUPSTREAM);
    print_message("bad JSON error: %s\n", err.msg);
    assert_non_null(strstr(err.msg, "invalid JSON"));
    assert_int_equal(fake_server_stat(&srv, "requests", 1), 1);
    lh_embedder_close(e);

    /* configured dims differ from the model's */
    e = open_remote("openai", srv.base, 0, 8, NULL);
    assert_int_equal(lh_embed(e, texts, NULL, 2, &v, &err), -LH_EUPSTREAM);
    print_message("dims error: %s\n", err.msg);
    assert_non_null(strstr(err.msg, "16 dims"));
    assert_non_null(strstr(err.msg, "expected 8"));
    lh_embedder_close(e);

    /* dims change between batches of one call */
    snprintf(base, sizeof(base), "%s/_/dimsvary=1", srv.base);
    e = open_remote("ollama", base, 2, 0, NULL);
    assert_int_equal(lh_embed(e, texts, NULL, 4, &v, &err), -LH_EUPSTREAM);
    assert_non_null(strstr(err.msg, "expected 16"));
    assert_int_equal(e->dims, 0); /* a failed call teaches nothing */
    lh_embedder_close(e);

    /* dims change between calls */
    snprintf(base, sizeof(base), "%s/_/dimsvary=1,x=2", srv.base);
    e = open_remote("ollama", base, 0, 0, NULL);
    assert_int_equal(lh_embed(e, texts, NULL, 1, &v, &err), 0);
    free(v);
    assert_int_equal(e->dims, 16);
    assert_int_equal(lh_embed(e, texts, NULL, 1, &v, &err), -LH_EUPSTREAM);
    assert_non_null(strstr(err.msg, "17 dims"));
    assert_int_equal(e->dims, 16);
    lh_embedder_close(e);

    /* fewer vectors than texts */
    snprintf(base, sizeof(base), "%s/_/short=1", srv.base);
    const char *kinds[] = {"ollama", "openai"};
    for (int k = 0; k < 2; k++) {
        e = open_remote(kinds[k], base, 0, 0, NULL);
        assert_int_equal(lh_embed(e, texts, NULL, 3, &v, &err), -LH_EUPSTREAM);
        assert_non_null(strstr(err.msg, "2 embeddings for 3 texts"));
        lh_embedder_close(e);
    }

    /* only empty texts before the dims are known */
    e = open_remote("openai", srv.base, 0, 0, NULL);
    const char *empties[] = {"", ""};
    assert_int_equal(lh_embed(e, empties, NULL, 2, &v, &err), -LH_EINVAL);
    lh_embedder_close(e);
    e = open_remote("openai", srv.base, 0, 16, NULL);
    assert_int_equal(lh_embed(e, empties, NULL, 2, &v, &err), 0);
    for (int i = 0; i < 32; i++)
        assert_true(v[i] == 0.0f);
    free(v);
    lh_embedder_close(e);
}

struct thread_job {
    struct lh_embedder *e;
    const float *want; /* 20 x dims, from a single-threaded run */
    int failures;
};

static void *thread_main(void *arg)
{
    struct thread_job *j = arg;
    char buf[20][48];
    const char *texts[20];
    texts_n(buf, texts, 20);
    for (int round = 0; round < 5; round++) {
        float *v = NULL;
        struct lh_error err = {0};
        if (lh_embed(j->e, texts, NULL, 20, &v, &err) != 0 ||
            memcmp(v, j->want, 20 * (size_t)j->e->dims * sizeof(float)) != 0)
            j->failures++;
        free(v);
    }
    return NULL;
}

/* One embedder shared by 4 threads (the handle pool for remote ones) gives the same vectors. */
static void test_threads(void **state)
{
    (void)state;
    struct lh_embedder *es[2] = {open_remote("openai", srv.base, 8, 0, NULL), NULL};
    assert_int_equal(lh_embed_builtin_new(0, &es[1], NULL), 0);
    for (int k = 0; k < 2; k++) {
        char buf[20][48];
        const char *texts[20];
        texts_n(buf, texts, 20);
        float *want = NULL;
        assert_int_equal(lh_embed(es[k], texts, NULL, 20, &want, NULL), 0);
        pthread_t th[4];
        struct thread_job jobs[4];
        for (int i = 0; i < 4; i++) {
            jobs[i] = (struct thread_job){es[k], want, 0};
            assert_int_equal(pthread_create(&th[i], NULL, thread_main, &jobs[i]), 0);
        }
        for (int i = 0; i < 4; i++) {
            pthread_join(th[i], NULL);
            assert_int_equal(jobs[i].failures, 0);
        }
        free(want);
        lh_embedder_close(es[k]);
    }
}

int main(void)
{
    const struct CMUnitTest local[] = {
        cmocka_unit_test(test_chunk_empty_and_opts),
        cmocka_unit_test(test_chunk_prefers_paragraphs),
        cmocka_unit_test(test_chunk_prefers_sentences),
        cmocka_unit_test(test_chunk_hard_cut_utf8),
        cmocka_unit_test(test_chunk_fuzz),
        cmocka_unit_test(test_builtin_basics),
        cmocka_unit_test(test_builtin_normalisation),
        cmocka_unit_test(test_builtin_similarity),
        cmocka_unit_test(test_builtin_fit_roundtrip),
    };
    const struct CMUnitTest remote[] = {
        cmocka_unit_test(test_remote_ollama_openai),
        cmocka_unit_test(test_remote_batching),
        cmocka_unit_test(test_remote_retries),
        cmocka_unit_test(test_remote_timeout_and_connect),
        cmocka_unit_test(test_remote_auth),
        cmocka_unit_test(test_remote_bad_answers),
        cmocka_unit_test(test_threads),
    };
    int failed = cmocka_run_group_tests_name("embed_local", local, NULL, NULL);
    failed += cmocka_run_group_tests_name("embed_remote", remote, group_setup, group_teardown);
    return failed ? 1 : 0;
}
