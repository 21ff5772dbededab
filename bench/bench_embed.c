/* SPDX-License-Identifier: MIT */
/* bench_embed.c - builtin embedder and chunker throughput on one core.
 *
 * Usage: bench_embed [SECONDS]   (default 3 per measurement)
 *
 * Builds 4096 deterministic ~500-character chunks of English-like text (a fixed vocabulary
 * with Zipf-like frequencies, sentences of 6-20 words) and a second set with accented Latin,
 * Cyrillic and CJK words (the utf8proc normalisation path). Embeds them in batches of 256 with
 * the builtin embedder (384 dims) on the calling thread for SECONDS each, and chunks a 4 MiB
 * text with the default chunker. Target: >= 20,000 chunks/s/core on the English set.
 * Last lines, machine-readable:
 *   BENCH name=embed_builtin chunks=.. seconds=.. chunks_per_s=.. target=20000 ok=0|1
 *   BENCH name=embed_builtin_unicode chunks=.. seconds=.. chunks_per_s=..
 *   BENCH name=chunk_text bytes=.. seconds=.. mb_per_s=..
 * Exit status 1 only if embedding fails (a missed target is reported, not fatal). */
#include "lh_common.h"
#include "buf.h"
#include "chunk.h"
#include "embed.h"
#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_CHUNKS 4096
#define CHUNK_CHARS 500
#define BATCH 256
#define TARGET 20000.0

static const char *const vocab[] = {
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be",
    "by", "on", "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have",
    "data", "table", "query", "storage", "customer", "invoice", "payment", "order", "shipment",
    "warehouse", "report", "revenue", "quarter", "analysis", "model", "vector", "search",
    "index", "column", "parquet", "file", "catalog", "snapshot", "schema", "record", "field",
    "policy", "access", "audit", "governance", "compliance", "retention", "backup", "latency",
    "throughput", "cluster", "service", "request", "response", "timeout", "retry", "error",
    "document", "paragraph", "sentence", "language", "embedding", "similarity", "relevance",
    "ranking", "question", "answer", "citation", "passage", "summary", "manager", "employee",
    "department", "budget", "forecast", "contract", "supplier", "product", "inventory",
    "pipeline", "ingestion", "transformation", "validation", "monitoring", "dashboard",
};
static const char *const uvocab[] = {
    "caf\xC3\xA9", "na\xC3\xAFve", "r\xC3\xA9sum\xC3\xA9", "Stra\xC3\x9F" "e", "\xC3\xBC" "ber",
    "\xD0\xB4\xD0\xB0\xD0\xBD\xD0\xBD\xD1\x8B\xD0\xB5", "\xD0\xBC\xD0\xB8\xD1\x80",
    "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", "\xE6\x95\xB0\xE6\x8D\xAE", "data", "the", "report",
    "Gr\xC3\xB6\xC3\x9F" "e", "\xC3\xA9t\xC3\xA9", "se\xC3\xB1or", "S\xC3\xA3o", "Paulo",
};

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t next(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1DULL;
}

/* Zipf-ish pick: small indexes much more often. */
static size_t pick(size_t n)
{
    double u = (double)(next() >> 11) / 9007199254740992.0;
    size_t i = (size_t)((double)n * u * u * u);
    return i < n ? i : n - 1;
}

static char *make_chunk(const char *const *words, size_t n_words)
{
    struct lh_buf b;
    lh_buf_init(&b, 0);
    size_t in_sentence = 0, sentence_len = 6 + next() % 15;
    while (b.len < CHUNK_CHARS) {
        const char *w = words[pick(n_words)];
        if (in_sentence == 0) {
            lh_buf_putc(&b, (char)(w[0] >= 'a' && w[0] <= 'z' ? w[0] - 32 : w[0]));
            lh_buf_puts(&b, w + 1);
        } else {
            lh_buf_puts(&b, w);
        }
        if (++in_sentence == sentence_len) {
            lh_buf_puts(&b, ". ");
            in_sentence = 0;
            sentence_len = 6 + next() % 15;
        } else {
            lh_buf_putc(&b, next() % 12 == 0 ? ',' : ' ');
            if (b.ptr[b.len - 1] == ',')
                lh_buf_putc(&b, ' ');
        }
    }
    return lh_buf_detach(&b);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Embeds the set repeatedly for `secs`; returns chunks/s or -1. */
static double run(struct lh_embedder *e, char **chunks, double secs, long *out_n, double *out_s)
{
    struct lh_error err = {0};
    long done = 0;
    double t0 = now(), t;
    do {
        for (size_t i = 0; i < N_CHUNKS; i += BATCH) {
            float *v = NULL;
            if (lh_embed(e, (const char *const *)chunks + i, NULL, BATCH, &v, &err) != 0) {
                fprintf(stderr, "bench_embed: %s\n", err.msg);
                return -1;
            }
            free(v);
            done += BATCH;
        }
        t = now() - t0;
    } while (t < secs);
    *out_n = done;
    *out_s = t;
    return (double)done / t;
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 3.0;
    if (secs <= 0)
        secs = 3.0;
    char **en = malloc(N_CHUNKS * sizeof(*en)), **uni = malloc(N_CHUNKS * sizeof(*uni));
    size_t total = 0;
    for (size_t i = 0; i < N_CHUNKS; i++) {
        en[i] = make_chunk(vocab, LH_ARRAY_LEN(vocab));
        uni[i] = make_chunk(uvocab, LH_ARRAY_LEN(uvocab));
        total += strlen(en[i]);
    }
    struct lh_embedder *e = NULL;
    struct lh_error err = {0};
    if (lh_embed_builtin_new(0, &e, &err) != 0) {
        fprintf(stderr, "bench_embed: %s\n", err.msg);
        return 1;
    }
    printf("bench_embed: %d chunks, %.0f chars on average, dims %d, batch %d, one thread\n",
           N_CHUNKS, (double)total / N_CHUNKS, e->dims, BATCH);

    long n_en = 0, n_uni = 0;
    double s_en = 0, s_uni = 0;
    double r_en = run(e, en, secs, &n_en, &s_en);
    double r_uni = r_en < 0 ? -1 : run(e, uni, secs, &n_uni, &s_uni);
    int status = r_en < 0 || r_uni < 0;

    /* chunker: 4 MiB of the English chunks joined by paragraph breaks */
    struct lh_buf big;
    lh_buf_init(&big, 0);
    for (size_t i = 0; big.len < (4u << 20); i = (i + 1) % N_CHUNKS) {
        lh_buf_puts(&big, en[i]);
        lh_buf_puts(&big, i % 3 == 0 ? "\n\n" : " ");
    }
    double t0 = now(), tc;
    long passes = 0;
    size_t n_spans = 0;
    do {
        struct lh_chunk_span *sp = NULL;
        if (lh_chunk_text(big.ptr, big.len, NULL, &sp, &n_spans, &err) != 0) {
            fprintf(stderr, "bench_embed: %s\n", err.msg);
            status = 1;
            break;
        }
        free(sp);
        passes++;
        tc = now() - t0;
    } while (tc < secs / 3);

    if (!status) {
        printf("builtin english: %.0f chunks/s (%ld chunks in %.2f s)\n", r_en, n_en, s_en);
        printf("builtin unicode: %.0f chunks/s (%ld chunks in %.2f s)\n", r_uni, n_uni, s_uni);
        printf("chunker: %.1f MB/s (%zu spans per %zu-byte pass)\n",
               (double)big.len * passes / tc / 1e6, n_spans, big.len);
        printf("BENCH name=embed_builtin chunks=%ld seconds=%.3f chunks_per_s=%.0f target=%.0f "
               "ok=%d\n",
               n_en, s_en, r_en, TARGET, r_en >= TARGET);
        printf("BENCH name=embed_builtin_unicode chunks=%ld seconds=%.3f chunks_per_s=%.0f\n",
               n_uni, s_uni, r_uni);
        printf("BENCH name=chunk_text bytes=%zu seconds=%.3f mb_per_s=%.1f\n",
               big.len * (size_t)passes, tc, (double)big.len * passes / tc / 1e6);
    }
    lh_buf_release(&big);
    for (size_t i = 0; i < N_CHUNKS; i++) {
        free(en[i]);
        free(uni[i]);
    }
    free(en);
    free(uni);
    lh_embedder_close(e);
    return status;
}
