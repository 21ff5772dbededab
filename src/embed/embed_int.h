/* SPDX-License-Identifier: MIT */
/* embed_int.h - module-private helpers of src/embed: UTF-8 stepping and the 64-bit feature hash. */
#ifndef LH_EMBED_INT_H
#define LH_EMBED_INT_H

#include "lh_common.h"

#include <string.h>

/* Length (1..4) of the well-formed UTF-8 sequence starting at s (n bytes available), or 0
 * if the bytes there are not one (stray continuation byte, truncated sequence, overlong
 * form, surrogate, beyond U+10FFFF). ASCII is the one-line fast path. */
static inline size_t lh__utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    uint32_t cp, min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* Decodes the code point of a sequence lh__utf8_len accepted (len bytes). */
static inline uint32_t lh__utf8_decode(const unsigned char *s, size_t len)
{
    static const unsigned char lead_mask[5] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    uint32_t cp = s[0] & lead_mask[len];
    for (size_t i = 1; i < len; i++)
        cp = (cp << 6) | (s[i] & 0x3F);
    return cp;
}

/* ---- 64-bit hash: a wyhash-style multiply-fold construction (own implementation). ---- */

#define LH__H_P0 0xa0761d6478bd642fULL
#define LH__H_P1 0xe7037ed1a0b428dbULL
#define LH__H_P2 0x8ebc6af09c88c6e3ULL
#define LH__H_P3 0x589965cc75374cc3ULL

/* 64x64 -> 128-bit multiply, folded by xor of the halves. */
static inline uint64_t lh__mix(uint64_t a, uint64_t b)
{
    __uint128_t r = (__uint128_t)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t lh__rd64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t lh__rd32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Hash of n bytes with a seed. Little-endian reads, so values are stable on x86-64 and
 * arm64 (what we build for); the builtin embedder's vectors depend on them. */
static inline uint64_t lh__hash64(const void *key, size_t n, uint64_t seed)
{
    const unsigned char *p = key;
    uint64_t a, b;
    seed ^= lh__mix(seed ^ LH__H_P0, LH__H_P1);
    if (n <= 16) {
        if (n >= 4) {
            a = (lh__rd32(p) << 32) | lh__rd32(p + ((n >> 3) << 2));
            b = (lh__rd32(p + n - 4) << 32) | lh__rd32(p + n - 4 - ((n >> 3) << 2));
        } else if (n > 0) {
            a = ((uint64_t)p[0] << 16) | ((uint64_t)p[n >> 1] << 8) | p[n - 1];
            b = 0;
        } else {
            a = b = 0;
        }
    } else {
        size_t i = n;
        while (i > 16) {
            seed = lh__mix(lh__rd64(p) ^ LH__H_P1, lh__rd64(p + 8) ^ seed);
            p += 16;
            i -= 16;
        }
        a = lh__rd64(p + i - 16);
        b = lh__rd64(p + i - 8);
    }
    a ^= LH__H_P1;
    b ^= seed;
    __uint128_t r = (__uint128_t)a * b;
    a = (uint64_t)r;
    b = (uint64_t)(r >> 64);
    return lh__mix(a ^ LH__H_P0 ^ n, b ^ LH__H_P1);
}

/* Combines two hashes (order matters): used for word bigrams. */
static inline uint64_t lh__hash_pair(uint64_t h1, uint64_t h2, uint64_t seed)
{
    return lh__mix(h1 ^ seed ^ LH__H_P2, h2 ^ LH__H_P3);
}

/* Remote embedders (embed_remote.c): openai = false is Ollama's /api/embed. */
struct lh_embed_opts;
struct lh_embedder;
struct lh_error;
int lh__embed_remote_new(const struct lh_embed_opts *o, bool openai, struct lh_embedder **out,
                         struct lh_error *err);

#endif
