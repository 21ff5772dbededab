/* SPDX-License-Identifier: MIT */
/* fuzz_chunk.c - libFuzzer target for the chunker (src/embed/chunk.c); not built by make test.
 *
 * Build, for example:
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/base -Isrc/embed \
 *       fuzz/fuzz_chunk.c src/embed/chunk.c src/base/buf.c src/base/err.c -o build/fuzz_chunk
 *   build/fuzz_chunk -max_len=8192
 * The first two bytes pick the size (1..1024) and the overlap; the rest is the text. Every
 * guarantee of chunk.h is checked and a violation aborts. */
#include "lh_common.h"
#include "chunk.h"
#include "err.h"

#include <stdlib.h>

static bool is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    struct lh_chunk_opts o;
    o.max_chars = 1 + (((size_t)data[0] << 2) | (data[1] & 3));
    o.overlap = data[1] % o.max_chars;
    const unsigned char *t = data + 2;
    size_t len = size - 2;
    struct lh_chunk_span *sp = NULL;
    size_t n = 0;
    if (lh_chunk_text((const char *)t, len, &o, &sp, &n, NULL) != 0)
        abort();
    if (len == 0) {
        if (n != 0)
            abort();
        return 0;
    }
    if (n == 0 || sp[0].off != 0 || sp[n - 1].off + sp[n - 1].len != len)
        abort();
    for (size_t i = 0; i < n; i++) {
        size_t off = sp[i].off, end = off + sp[i].len;
        if (sp[i].len == 0 || end > len || sp[i].len > 4 * o.max_chars)
            abort();
        /* non-continuation bytes: a lower bound of the chunker's character count (stray
         * continuation bytes count as characters there too) */
        size_t chars = 0;
        for (size_t k = off; k < end; k++)
            chars += !is_cont(t[k]);
        if (chars > o.max_chars)
            abort();
        if (i > 0) {
            size_t poff = sp[i - 1].off, pend = poff + sp[i - 1].len;
            if (off <= poff || end <= pend || off > pend)
                abort();
        }
    }
    free(sp);
    return 0;
}
