/* SPDX-License-Identifier: MIT */
/* vector_kernels.c - distance kernels (scalar, AVX2/FMA, AVX-512/VNNI), CRC32C, quantisation
 * (int8, 4-bit, sign bits).
 *
 * The SIMD variants are compiled with function-level target attributes and chosen at run time
 * from __builtin_cpu_supports, so the binary runs on any x86-64 (and on other architectures,
 * where only the scalar kernels exist). AVX2 tails run scalar so no load crosses the end of
 * an array; AVX-512 tails use masked loads.
 */
#include "lh_common.h"
#include "vector_int.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#define LH_VEC_X86 1
#include <immintrin.h>
#endif

/* ---- scalar ---- */

static float dot_scalar(const float *a, const float *b, size_t n)
{
    /* Four chains so the compiler can overlap them (no -ffast-math here). */
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
    }
    for (; i < n; i++)
        s0 += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

static float l2sq_scalar(const float *a, const float *b, size_t n)
{
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        float d0 = a[i] - b[i], d1 = a[i + 1] - b[i + 1];
        float d2 = a[i + 2] - b[i + 2], d3 = a[i + 3] - b[i + 3];
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2 * d2;
        s3 += d3 * d3;
    }
    for (; i < n; i++) {
        float d = a[i] - b[i];
        s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
}

static float cosdist_scalar(const float *a, const float *b, size_t n)
{
    return 1.0f - dot_scalar(a, b, n);
}

static int32_t dot_i8_scalar(const int8_t *a, const int8_t *b, size_t n)
{
    int32_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += (int32_t)a[i] * (int32_t)b[i];
    return s;
}

static void dot_rows_scalar(const float *q, const float *rows, size_t n_rows, size_t n,
                            float *out)
{
    for (size_t r = 0; r < n_rows; r++)
        out[r] = dot_scalar(q, rows + r * n, n);
}

static void dot_i8_rows_scalar(const int8_t *q, const int8_t *rows, size_t n_rows, size_t n,
                               int32_t *out)
{
    for (size_t r = 0; r < n_rows; r++)
        out[r] = dot_i8_scalar(q, rows + r * n, n);
}

static void dot_u4_rows_scalar(const int8_t *q, const uint8_t *rows, size_t n_rows,
                               size_t row_bytes, int32_t *out)
{
    for (size_t r = 0; r < n_rows; r++) {
        const uint8_t *b = rows + r * row_bytes;
        int32_t s = 0;
        for (size_t blk = 0; blk < row_bytes; blk += 32) {
            const int8_t *qb = q + 2 * blk;
            for (size_t j = 0; j < 32; j++)
                s += (int32_t)(b[blk + j] & 15u) * qb[j] + (int32_t)(b[blk + j] >> 4) * qb[32 + j];
        }
        out[r] = s;
    }
}

/* x / s rounded to the nearest integer (ties to even) and clipped to [-7, 7]. Adding and
 * subtracting 1.5 * 2^23 rounds like rint() for |t| < 2^22 without a libm call, so the loops
 * below vectorise; the clip comes first so larger quotients cannot break it. */
static inline float quant4_code(float x, float inv)
{
    float t = x * inv;
    t = t > 7.0f ? 7.0f : t < -7.0f ? -7.0f : t;
    return (t + 12582912.0f) - 12582912.0f;
}

static void hamming_rows_scalar(const uint8_t *q, const uint8_t *rows, size_t n_rows,
                                size_t row_bytes, int32_t *out)
{
    for (size_t r = 0; r < n_rows; r++) {
        const uint8_t *b = rows + r * row_bytes;
        int32_t h = 0;
        for (size_t i = 0; i < row_bytes; i += 8) {
            uint64_t x, y;
            memcpy(&x, q + i, 8);
            memcpy(&y, b + i, 8);
            h += __builtin_popcountll(x ^ y);
        }
        out[r] = h;
    }
}

static void quant4_err_scalar(const float *x, size_t n, const float *st, float *e)
{
    float inv[8];
    for (int g = 0; g < 8; g++) {
        inv[g] = 1.0f / st[g];
        e[g] = 0;
    }
    for (size_t i = 0; i < n; i++) {
        for (int g = 0; g < 8; g++) {
            float d = x[i] - st[g] * quant4_code(x[i], inv[g]);
            e[g] += d * d;
        }
    }
}

static void fwht_scalar(float *x, size_t n)
{
    for (size_t h = 1; h < n; h <<= 1) {
        for (size_t i = 0; i < n; i += 2 * h) {
            for (size_t j = i; j < i + h; j++) {
                float a = x[j], b = x[j + h];
                x[j] = a + b;
                x[j + h] = a - b;
            }
        }
    }
}

/* CRC32C, reflected polynomial 0x82F63B78, slicing-by-8. */
static uint32_t crc_tab[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int j = 0; j < 8; j++)
            c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
        crc_tab[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_tab[t][i] = (crc_tab[t - 1][i] >> 8) ^ crc_tab[0][crc_tab[t - 1][i] & 0xff];
}

uint32_t lh__vec_crc32c_sw(uint32_t crc, const void *p, size_t n)
{
    const unsigned char *s = p;
    pthread_once(&crc_once, crc_init);
    crc = ~crc;
    while (n && ((uintptr_t)s & 7u)) {
        crc = (crc >> 8) ^ crc_tab[0][(crc ^ *s++) & 0xff];
        n--;
    }
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        w ^= crc; /* little-endian: the low 4 bytes meet the crc */
        crc = crc_tab[7][w & 0xff] ^ crc_tab[6][(w >> 8) & 0xff] ^
              crc_tab[5][(w >> 16) & 0xff] ^ crc_tab[4][(w >> 24) & 0xff] ^
              crc_tab[3][(w >> 32) & 0xff] ^ crc_tab[2][(w >> 40) & 0xff] ^
              crc_tab[1][(w >> 48) & 0xff] ^ crc_tab[0][w >> 56];
        s += 8;
        n -= 8;
    }
    while (n--)
        crc = (crc >> 8) ^ crc_tab[0][(crc ^ *s++) & 0xff];
    return ~crc;
}

static const struct lh__vec_kernels k_scalar = {
    "scalar",           dot_scalar,          l2sq_scalar,        cosdist_scalar,
    dot_i8_scalar,      dot_rows_scalar,     dot_i8_rows_scalar, dot_u4_rows_scalar,
    hamming_rows_scalar, quant4_err_scalar,  fwht_scalar,        lh__vec_crc32c_sw,
};

#ifdef LH_VEC_X86

/* ---- SSE4.2 CRC32C ---- */

__attribute__((target("sse4.2"))) static uint32_t crc32c_hw(uint32_t crc, const void *p,
                                                            size_t n)
{
    const unsigned char *s = p;
    uint64_t c = ~crc;
    while (n && ((uintptr_t)s & 7u)) {
        c = _mm_crc32_u8((uint32_t)c, *s++);
        n--;
    }
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        c = _mm_crc32_u64(c, w);
        s += 8;
        n -= 8;
    }
    while (n--)
        c = _mm_crc32_u8((uint32_t)c, *s++);
    return ~(uint32_t)c;
}

/* ---- AVX2 + FMA ---- */

#define AVX2_T __attribute__((target("avx2,fma")))

AVX2_T static inline float hsum256(__m256 v)
{
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
}

AVX2_T static float dot_avx2(const float *a, const float *b, size_t n)
{
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
    }
    for (; i + 8 <= n; i += 8)
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    float s = hsum256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    for (; i < n; i++)
        s += a[i] * b[i];
    return s;
}

AVX2_T static float l2sq_avx2(const float *a, const float *b, size_t n)
{
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
        __m256 d2 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16));
        __m256 d3 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24));
        s0 = _mm256_fmadd_ps(d0, d0, s0);
        s1 = _mm256_fmadd_ps(d1, d1, s1);
        s2 = _mm256_fmadd_ps(d2, d2, s2);
        s3 = _mm256_fmadd_ps(d3, d3, s3);
    }
    for (; i + 8 <= n; i += 8) {
        __m256 d = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        s0 = _mm256_fmadd_ps(d, d, s0);
    }
    float s = hsum256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    for (; i < n; i++) {
        float d = a[i] - b[i];
        s += d * d;
    }
    return s;
}

AVX2_T static float cosdist_avx2(const float *a, const float *b, size_t n)
{
    return 1.0f - dot_avx2(a, b, n);
}

/* |a| (unsigned) times b with a's sign: maddubs never saturates for inputs in [-127, 127]
 * (2 * 127 * 127 < 32767). */
AVX2_T static int32_t dot_i8_avx2(const int8_t *a, const int8_t *b, size_t n)
{
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i s0 = _mm256_setzero_si256(), s1 = s0;
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m256i x0 = _mm256_loadu_si256((const __m256i *)(a + i));
        __m256i y0 = _mm256_loadu_si256((const __m256i *)(b + i));
        __m256i x1 = _mm256_loadu_si256((const __m256i *)(a + i + 32));
        __m256i y1 = _mm256_loadu_si256((const __m256i *)(b + i + 32));
        __m256i p0 = _mm256_maddubs_epi16(_mm256_sign_epi8(x0, x0), _mm256_sign_epi8(y0, x0));
        __m256i p1 = _mm256_maddubs_epi16(_mm256_sign_epi8(x1, x1), _mm256_sign_epi8(y1, x1));
        s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(p0, ones));
        s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(p1, ones));
    }
    for (; i + 32 <= n; i += 32) {
        __m256i x0 = _mm256_loadu_si256((const __m256i *)(a + i));
        __m256i y0 = _mm256_loadu_si256((const __m256i *)(b + i));
        __m256i p0 = _mm256_maddubs_epi16(_mm256_sign_epi8(x0, x0), _mm256_sign_epi8(y0, x0));
        s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(p0, ones));
    }
    s0 = _mm256_add_epi32(s0, s1);
    __m128i h = _mm_add_epi32(_mm256_castsi256_si128(s0), _mm256_extracti128_si256(s0, 1));
    h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0x4e));
    h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0xb1));
    int32_t s = _mm_cvtsi128_si32(h);
    for (; i < n; i++)
        s += (int32_t)a[i] * (int32_t)b[i];
    return s;
}

/* Row scans are bandwidth-bound: interleaving 2-4 rows measured no faster than one row at a
 * time with the single-row kernels (which keep 4 / 2 accumulators busy). */
AVX2_T static void dot_rows_avx2(const float *q, const float *rows, size_t n_rows, size_t n,
                                 float *out)
{
    for (size_t r = 0; r < n_rows; r++)
        out[r] = dot_avx2(q, rows + r * n, n);
}

/* int8 rows are short (one row per ~50 ns): prefetching 16 rows ahead measured ~10% faster. */
AVX2_T static void dot_i8_rows_avx2(const int8_t *q, const int8_t *rows, size_t n_rows, size_t n,
                                    int32_t *out)
{
    for (size_t r = 0; r < n_rows; r++) {
        if (r + 16 < n_rows) {
            const char *p = (const char *)(rows + (r + 16) * n);
            for (size_t o = 0; o < n; o += 64)
                __builtin_prefetch(p + o, 0, 0);
        }
        out[r] = dot_i8_avx2(q, rows + r * n, n);
    }
}

/* 4-bit rows: split each byte into its two nibbles (unsigned 0..15) and multiply with the
 * signed query bytes by maddubs. A 16-bit lane then holds at most 2 * 15 * 127 = 3810 per
 * maddubs, so 8 of them (4 blocks of 64 dims) are summed in 16 bits before widening. */
AVX2_T static int32_t dot_u4_avx2(const int8_t *q, const uint8_t *b, size_t row_bytes)
{
    const __m256i ones = _mm256_set1_epi16(1), low = _mm256_set1_epi8(15);
    __m256i acc = _mm256_setzero_si256();
    for (size_t g = 0; g < row_bytes; g += 128) {
        size_t end = g + 128 < row_bytes ? g + 128 : row_bytes;
        __m256i a16 = _mm256_setzero_si256();
        for (size_t j = g; j < end; j += 32) {
            __m256i c = _mm256_loadu_si256((const __m256i *)(b + j));
            __m256i lo = _mm256_and_si256(c, low);
            __m256i hi = _mm256_and_si256(_mm256_srli_epi16(c, 4), low);
            __m256i q0 = _mm256_loadu_si256((const __m256i *)(q + 2 * j));
            __m256i q1 = _mm256_loadu_si256((const __m256i *)(q + 2 * j + 32));
            a16 = _mm256_add_epi16(a16, _mm256_add_epi16(_mm256_maddubs_epi16(lo, q0),
                                                         _mm256_maddubs_epi16(hi, q1)));
        }
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(a16, ones));
    }
    __m128i h = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
    h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0x4e));
    h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0xb1));
    return _mm_cvtsi128_si32(h);
}

/* Rows are streamed in order: the hardware prefetcher keeps up (explicit prefetching measured
 * no faster here, unlike the int8 rows). */
AVX2_T static void dot_u4_rows_avx2(const int8_t *q, const uint8_t *rows, size_t n_rows,
                                    size_t row_bytes, int32_t *out)
{
    for (size_t r = 0; r < n_rows; r++)
        out[r] = dot_u4_avx2(q, rows + r * row_bytes, row_bytes);
}

/* Popcount of each byte by two 16-entry lookups (pshufb). The byte counts (at most 8 per block
 * of 32 bytes) are summed for 16 blocks (<= 128: no overflow), then widened by psadbw. */
AVX2_T static void hamming_rows_avx2(const uint8_t *q, const uint8_t *rows, size_t n_rows,
                                     size_t row_bytes, int32_t *out)
{
    const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1,
                                         2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i low = _mm256_set1_epi8(15), zero = _mm256_setzero_si256();
    for (size_t r = 0; r < n_rows; r++) {
        const uint8_t *b = rows + r * row_bytes;
        __m256i acc = zero;
        for (size_t g = 0; g < row_bytes; g += 16 * 32) {
            size_t end = g + 16 * 32 < row_bytes ? g + 16 * 32 : row_bytes;
            __m256i c8 = zero;
            for (size_t j = g; j < end; j += 32) {
                __m256i x = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(q + j)),
                                             _mm256_loadu_si256((const __m256i *)(b + j)));
                __m256i lo = _mm256_shuffle_epi8(lut, _mm256_and_si256(x, low));
                __m256i x4 = _mm256_and_si256(_mm256_srli_epi16(x, 4), low);
                __m256i hi = _mm256_shuffle_epi8(lut, x4);
                c8 = _mm256_add_epi8(c8, _mm256_add_epi8(lo, hi));
            }
            acc = _mm256_add_epi64(acc, _mm256_sad_epu8(c8, zero));
        }
        __m128i h = _mm_add_epi64(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
        h = _mm_add_epi64(h, _mm_unpackhi_epi64(h, h));
        out[r] = (int32_t)_mm_cvtsi128_si64(h);
    }
}

/* The 8 candidate steps are the 8 lanes: one pass over x. */
AVX2_T static void quant4_err_avx2(const float *x, size_t n, const float *st, float *e)
{
    __m256 s = _mm256_loadu_ps(st), inv = _mm256_div_ps(_mm256_set1_ps(1.0f), s);
    __m256 hi = _mm256_set1_ps(7.0f), lo = _mm256_set1_ps(-7.0f), acc = _mm256_setzero_ps();
    for (size_t i = 0; i < n; i++) {
        __m256 xv = _mm256_set1_ps(x[i]);
        __m256 t = _mm256_max_ps(_mm256_min_ps(_mm256_mul_ps(xv, inv), hi), lo);
        t = _mm256_round_ps(t, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        __m256 d = _mm256_sub_ps(xv, _mm256_mul_ps(s, t));
        acc = _mm256_add_ps(acc, _mm256_mul_ps(d, d));
    }
    _mm256_storeu_ps(e, acc);
}

AVX2_T static void fwht_avx2(float *x, size_t n)
{
    if (n < 16) {
        fwht_scalar(x, n);
        return;
    }
    /* h = 1, 2, 4 inside each 8-float vector, then butterflies across vectors. */
    for (size_t i = 0; i < n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        __m256 s1 = _mm256_permute_ps(v, 0xb1); /* neighbours swapped */
        v = _mm256_blend_ps(_mm256_add_ps(v, s1), _mm256_sub_ps(s1, v), 0xaa);
        __m256 s2 = _mm256_permute_ps(v, 0x4e); /* pairs swapped within 128-bit halves */
        v = _mm256_blend_ps(_mm256_add_ps(v, s2), _mm256_sub_ps(s2, v), 0xcc);
        __m256 s4 = _mm256_permute2f128_ps(v, v, 0x01);
        v = _mm256_blend_ps(_mm256_add_ps(v, s4), _mm256_sub_ps(s4, v), 0xf0);
        _mm256_storeu_ps(x + i, v);
    }
    for (size_t h = 8; h < n; h <<= 1) {
        for (size_t i = 0; i < n; i += 2 * h) {
            for (size_t j = i; j < i + h; j += 8) {
                __m256 a = _mm256_loadu_ps(x + j), b = _mm256_loadu_ps(x + j + h);
                _mm256_storeu_ps(x + j, _mm256_add_ps(a, b));
                _mm256_storeu_ps(x + j + h, _mm256_sub_ps(a, b));
            }
        }
    }
}

static const struct lh__vec_kernels k_avx2 = {
    "avx2",            dot_avx2,        l2sq_avx2,        cosdist_avx2,
    dot_i8_avx2,       dot_rows_avx2,   dot_i8_rows_avx2, dot_u4_rows_avx2,
    hamming_rows_avx2, quant4_err_avx2, fwht_avx2,        crc32c_hw,
};

/* ---- AVX-512 (F + BW + VNNI) ---- */

#define AVX512_T __attribute__((target("avx512f,avx512bw,avx512vnni,avx512vl")))

AVX512_T static float dot_avx512(const float *a, const float *b, size_t n)
{
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
        s2 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32), s2);
        s3 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48), s3);
    }
    for (; i + 16 <= n; i += 16)
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        s1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i), s1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

AVX512_T static float l2sq_avx512(const float *a, const float *b, size_t n)
{
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        __m512 d1 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));
        __m512 d2 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32));
        __m512 d3 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48));
        s0 = _mm512_fmadd_ps(d0, d0, s0);
        s1 = _mm512_fmadd_ps(d1, d1, s1);
        s2 = _mm512_fmadd_ps(d2, d2, s2);
        s3 = _mm512_fmadd_ps(d3, d3, s3);
    }
    for (; i + 16 <= n; i += 16) {
        __m512 d = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        s0 = _mm512_fmadd_ps(d, d, s0);
    }
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        __m512 d = _mm512_sub_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i));
        s1 = _mm512_fmadd_ps(d, d, s1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

AVX512_T static float cosdist_avx512(const float *a, const float *b, size_t n)
{
    return 1.0f - dot_avx512(a, b, n);
}

/* vpdpbusd multiplies unsigned by signed bytes: feed a + 128 (a ^ 0x80) as the unsigned side
 * and subtract 128 * sum(b), accumulated the same way. Exact for every int8 input. */
AVX512_T static int32_t dot_i8_avx512(const int8_t *a, const int8_t *b, size_t n)
{
    const __m512i bias = _mm512_set1_epi8((char)0x80);
    __m512i s = _mm512_setzero_si512(), c = s;
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m512i x = _mm512_xor_si512(_mm512_loadu_si512(a + i), bias);
        __m512i y = _mm512_loadu_si512(b + i);
        s = _mm512_dpbusd_epi32(s, x, y);
        c = _mm512_dpbusd_epi32(c, bias, y);
    }
    if (i < n) {
        __mmask64 m = (n - i == 64) ? ~(__mmask64)0 : (((__mmask64)1 << (n - i)) - 1);
        __m512i x = _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, a + i), bias);
        __m512i y = _mm512_maskz_loadu_epi8(m, b + i);
        s = _mm512_dpbusd_epi32(s, x, y); /* masked-out lanes: y = 0 adds nothing */
        c = _mm512_dpbusd_epi32(c, bias, y);
    }
    return _mm512_reduce_add_epi32(_mm512_sub_epi32(s, c));
}

AVX512_T static void dot_rows_avx512(const float *q, const float *rows, size_t n_rows, size_t n,
                                     float *out)
{
    for (size_t r = 0; r < n_rows; r++)
        out[r] = dot_avx512(q, rows + r * n, n);
}

AVX512_T static void dot_i8_rows_avx512(const int8_t *q, const int8_t *rows, size_t n_rows,
                                        size_t n, int32_t *out)
{
    for (size_t r = 0; r < n_rows; r++) {
        if (r + 16 < n_rows) {
            const char *p = (const char *)(rows + (r + 16) * n);
            for (size_t o = 0; o < n; o += 64)
                __builtin_prefetch(p + o, 0, 0);
        }
        out[r] = dot_i8_avx512(q, rows + r * n, n);
    }
}

/* The 4-bit and 1-bit kernels are memory-bound (or per-insert) at AVX2 width already: shared
 * with the AVX2 set. */
static const struct lh__vec_kernels k_avx512 = {
    "avx512",          dot_avx512,      l2sq_avx512,        cosdist_avx512,
    dot_i8_avx512,     dot_rows_avx512, dot_i8_rows_avx512, dot_u4_rows_avx2,
    hamming_rows_avx2, quant4_err_avx2, fwht_avx2,          crc32c_hw,
};

static bool cpu_has(const char *isa)
{
    __builtin_cpu_init();
    if (!strcmp(isa, "avx2"))
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
               __builtin_cpu_supports("sse4.2");
    if (!strcmp(isa, "avx512"))
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("sse4.2");
    return false;
}

#endif /* LH_VEC_X86 */

const struct lh__vec_kernels *lh__vec_kernels_isa(const char *isa)
{
    if (!isa)
        return NULL;
    if (!strcmp(isa, "scalar"))
        return &k_scalar;
#ifdef LH_VEC_X86
    if (!strcmp(isa, "avx2") && cpu_has("avx2"))
        return &k_avx2;
    if (!strcmp(isa, "avx512") && cpu_has("avx512"))
        return &k_avx512;
#endif
    return NULL;
}

static const struct lh__vec_kernels *best;
static pthread_once_t best_once = PTHREAD_ONCE_INIT;

static void pick_best(void)
{
    /* LH_VEC_ISA=scalar|avx2|avx512 forces a (supported) variant, for tests and comparisons. */
    const char *force = getenv("LH_VEC_ISA");
    const struct lh__vec_kernels *k = force ? lh__vec_kernels_isa(force) : NULL;
    if (!k)
        k = lh__vec_kernels_isa("avx512");
    if (!k)
        k = lh__vec_kernels_isa("avx2");
    best = k ? k : &k_scalar;
}

const struct lh__vec_kernels *lh__vec_kernels_best(void)
{
    pthread_once(&best_once, pick_best);
    return best;
}

float lh__vec_quantize(const float *x, size_t n, int8_t *out)
{
    float mx = 0;
    for (size_t i = 0; i < n; i++) {
        float a = fabsf(x[i]);
        if (a > mx)
            mx = a;
    }
    if (mx == 0) {
        memset(out, 0, n);
        return 0;
    }
    float inv = 127.0f / mx;
    for (size_t i = 0; i < n; i++) {
        long q = lrintf(x[i] * inv);
        out[i] = (int8_t)(q > 127 ? 127 : q < -127 ? -127 : q);
    }
    return mx / 127.0f;
}

float lh__vec_quantize4(const float *x, size_t n, uint8_t *out, size_t row_bytes)
{
    float mx = 0;
    memset(out, 0x88, row_bytes); /* code 0 in every nibble, padding included */
    for (size_t i = 0; i < n; i++) {
        float a = fabsf(x[i]);
        if (a > mx)
            mx = a;
    }
    /* Below this 7 / s would overflow; such a vector is coded as zeros (its residual bound
     * then is its norm, which stays correct). */
    if (!(mx > 1e-30f))
        return 0;
    /* With 15 levels, spending them on the rare largest coordinates costs more error on all
     * the others than clipping those few: try 8 clipping levels from max|x| down to half, in
     * one pass, and keep the one with the least squared error. */
    float st[8], e[8];
    for (int g = 0; g < 8; g++)
        st[g] = mx * (1.0f - 0.07f * (float)g) / 7.0f;
    lh__vec_kernels_best()->quant4_err(x, n, st, e);
    int pick = 0;
    for (int g = 1; g < 8; g++)
        if (e[g] < e[pick])
            pick = g;
    float best_s = st[pick], inv = 1.0f / best_s;
    for (size_t i = 0; i < n; i++) {
        uint8_t nib = (uint8_t)((int)quant4_code(x[i], inv) + 8);
        uint8_t *b = out + i / 64 * 32 + (i & 31);
        *b = (i & 32) ? (uint8_t)((*b & 15u) | (nib << 4)) : (uint8_t)((*b & 0xf0u) | nib);
    }
    return best_s;
}

void lh__vec_signs(const float *x, size_t n, uint8_t *out, size_t row_bytes)
{
    memset(out, 0, row_bytes);
    for (size_t i = 0; i < n; i++)
        if (x[i] > 0)
            out[i / 8] |= (uint8_t)(1u << (i % 8));
}

bool lh__vec_normalize(float *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (double)x[i] * x[i];
    if (!(s > 0) || !isfinite(s))
        return false;
    float inv = (float)(1.0 / sqrt(s));
    for (size_t i = 0; i < n; i++)
        x[i] *= inv;
    return true;
}
