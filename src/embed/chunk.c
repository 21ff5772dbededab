/* SPDX-License-Identifier: MIT */
/* chunk.c - text chunker: UTF-8 safe, paragraph- and sentence-aware spans with overlap. */
#include "lh_common.h"
#include "chunk.h"
#include "buf.h"
#include "embed_int.h"

#include <stdlib.h>
#include <string.h>

/* How far back a break test looks over blanks and closing punctuation; bounds the work per
 * candidate so pathological whitespace runs stay linear. */
#define LOOKBACK 64

static bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_closer(unsigned char c)
{
    return c == '"' || c == '\'' || c == ')' || c == ']' || c == '}';
}

/* Is p (lo < p) just after a blank line: "\n", blanks, "\n"? */
static bool para_break(const unsigned char *t, size_t lo, size_t p)
{
    if (t[p - 1] != '\n')
        return false;
    size_t q = p - 1, stop = q > lo + LOOKBACK ? q - LOOKBACK : lo;
    while (q > stop) {
        q--;
        if (t[q] == '\n')
            return true;
        if (t[q] != ' ' && t[q] != '\t' && t[q] != '\r')
            return false;
    }
    return false;
}

/* Is p (lo < p) just after the end of a sentence: [.!?] closers* whitespace+, or a CJK
 * sentence mark (U+3002, U+FF01, U+FF1F), which needs no space after it? */
static bool sentence_break(const unsigned char *t, size_t lo, size_t p)
{
    if (p - lo >= 3 && ((t[p - 3] == 0xE3 && t[p - 2] == 0x80 && t[p - 1] == 0x82) ||
                        (t[p - 3] == 0xEF && t[p - 2] == 0xBC &&
                         (t[p - 1] == 0x81 || t[p - 1] == 0x9F))))
        return true;
    if (!is_ws(t[p - 1]))
        return false;
    size_t q = p - 1, stop = q > lo + LOOKBACK ? q - LOOKBACK : lo;
    while (q > stop && is_ws(t[q - 1]))
        q--;
    while (q > stop && is_closer(t[q - 1]))
        q--;
    return q > stop && (t[q - 1] == '.' || t[q - 1] == '!' || t[q - 1] == '?');
}

static void push_span(struct lh_chunk_span **v, size_t *n, size_t *cap, size_t off, size_t len)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *v = lh_xrealloc(*v, *cap * sizeof(**v));
    }
    (*v)[*n].off = off;
    (*v)[*n].len = len;
    (*n)++;
}

int lh_chunk_text(const char *text, size_t len, const struct lh_chunk_opts *opts,
                  struct lh_chunk_span **out, size_t *out_n, struct lh_error *err)
{
    const unsigned char *t = (const unsigned char *)text;
    size_t size = opts ? opts->max_chars : LH_CHUNK_DEFAULT_SIZE;
    size_t overlap = opts ? opts->overlap : LH_CHUNK_DEFAULT_OVERLAP;
    struct lh_chunk_span *spans = NULL;
    size_t n_spans = 0, cap = 0;
    size_t *bd = NULL; /* bd[j] = byte offset of the j-th character boundary of the window */
    int rc = 0;

    if (size == 0)
        size = LH_CHUNK_DEFAULT_SIZE;
    if (size > LH_CHUNK_MAX_SIZE) {
        rc = lh_error_set(err, LH_EINVAL, "chunk size %zu is over the limit of %u characters",
                          size, LH_CHUNK_MAX_SIZE);
        goto out;
    }
    if (overlap >= size) {
        rc = lh_error_set(err, LH_EINVAL,
                          "chunk overlap (%zu) must be smaller than the chunk size (%zu)",
                          overlap, size);
        goto out;
    }
    if (len == 0 || !text)
        goto done;

    /* A soft break must leave the span long enough that the next span, starting `overlap`
     * characters before its end, still starts after this span's start. */
    size_t min_soft = size / 2 > overlap + 1 ? size / 2 : overlap + 1;
    bd = lh_xmalloc(((size < len ? size : len) + 1) * sizeof(*bd));

    size_t pos = 0;
    while (pos < len) {
        size_t k = 0, i = pos;
        bd[0] = pos;
        while (k < size && i < len) {
            size_t l = lh__utf8_len(t + i, len - i);
            i += l ? l : 1;
            bd[++k] = i;
        }
        if (i >= len) {
            push_span(&spans, &n_spans, &cap, pos, len - pos);
            break;
        }
        /* Window full (k == size) and text left: pick the end. */
        size_t j_para = 0, j_sent = 0, j_ws = 0;
        for (size_t j = k; j >= min_soft && j > 0; j--) {
            size_t p = bd[j];
            if (para_break(t, pos, p)) {
                j_para = j;
                break;
            }
            if (!j_sent && sentence_break(t, pos, p))
                j_sent = j;
            if (!j_ws && is_ws(t[p - 1]))
                j_ws = j;
        }
        size_t je = j_para ? j_para : j_sent ? j_sent : j_ws ? j_ws : k;
        push_span(&spans, &n_spans, &cap, pos, bd[je] - pos);
        if (overlap == 0) {
            pos = bd[je];
            continue;
        }
        /* Next start: `overlap` characters back, snapped forward to a sentence start, else a
         * word start, inside the overlap. je >= min_soft > overlap, so jb >= 1. */
        size_t jb = je - overlap, j_start = 0, j_word = 0;
        for (size_t j = jb; j < je; j++) {
            size_t p = bd[j];
            if (is_ws(t[p]))
                continue;
            if (para_break(t, pos, p) || sentence_break(t, pos, p)) {
                j_start = j;
                break;
            }
            if (!j_word && is_ws(t[p - 1]))
                j_word = j;
        }
        pos = bd[j_start ? j_start : j_word ? j_word : jb];
    }

done:
    *out = spans;
    *out_n = n_spans;
    spans = NULL;
out:
    free(spans);
    free(bd);
    return rc;
}
