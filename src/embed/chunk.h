/* SPDX-License-Identifier: MIT */
/* chunk.h - text chunker: UTF-8 safe, paragraph- and sentence-aware, sized spans with overlap.
 *
 * lh_chunk_text cuts a text into spans (byte offset, byte length) of at most `max_chars`
 * characters, consecutive spans sharing about `overlap` characters. A "character" is one
 * well-formed UTF-8 sequence (a code point); each byte of malformed UTF-8 counts as one
 * character of its own, so any byte string is accepted and never crashes the chunker.
 *
 * Where a span ends, in order of preference, within the last part of the window (at least
 * max(max_chars / 2, overlap + 1) characters into it):
 *   1. after a paragraph break (a newline, optional blanks, another newline);
 *   2. after a sentence end: '.', '!' or '?' (optionally followed by closing quotes or
 *      brackets) followed by whitespace, or a CJK full stop / exclamation / question mark;
 *   3. after whitespace;
 *   4. a hard cut after exactly max_chars characters.
 * A span never starts or ends inside a well-formed UTF-8 sequence. The next span starts
 * `overlap` characters before the previous end, moved forward to the first sentence start
 * (else word start) inside the overlap when there is one.
 *
 * Guarantees (checked by tests/unit/u_embed.c on 10,000 random inputs): the spans are in
 * increasing order of offset and end, every byte of the input belongs to at least one span,
 * the first span starts at 0 and the last ends at len, every span is 1..max_chars characters,
 * and the loop always terminates (every span starts strictly after the previous one).
 * An empty input gives no span. Thread-safe (no shared state). */
#ifndef LH_CHUNK_H
#define LH_CHUNK_H

#include "lh_common.h"
#include "err.h"

#define LH_CHUNK_DEFAULT_SIZE 800
#define LH_CHUNK_DEFAULT_OVERLAP 100
#define LH_CHUNK_MAX_SIZE (1u << 20)

struct lh_chunk_opts {
    size_t max_chars; /* 1..LH_CHUNK_MAX_SIZE; 0 = LH_CHUNK_DEFAULT_SIZE */
    size_t overlap;   /* characters shared by consecutive spans; must be < max_chars */
};

#define LH_CHUNK_OPTS_INIT {LH_CHUNK_DEFAULT_SIZE, LH_CHUNK_DEFAULT_OVERLAP}

struct lh_chunk_span {
    size_t off; /* byte offset into the input */
    size_t len; /* bytes */
};

/* Chunks text[0..len). opts NULL = defaults (800, 100). On success *out is a malloc'd array
 * of *out_n spans (NULL when *out_n is 0), freed by the caller with free(). Errors:
 * -LH_EINVAL for overlap >= max_chars or max_chars > LH_CHUNK_MAX_SIZE (*out untouched). */
int lh_chunk_text(const char *text, size_t len, const struct lh_chunk_opts *opts,
                  struct lh_chunk_span **out, size_t *out_n, struct lh_error *err);

#endif
