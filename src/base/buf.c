/* SPDX-License-Identifier: MIT */
/* buf.c - growable capped buffer and aborting allocators. */
#include "lh_common.h"
#include "buf.h"
#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
    fprintf(stderr, "lakehouse: out of memory allocating %zu bytes\n", n);
    abort();
}

void *lh_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *lh_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *lh_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *lh_xstrdup(const char *s)
{
    return lh_xstrndup(s, strlen(s));
}

char *lh_xstrndup(const char *s, size_t n)
{
    char *p = lh_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *lh_xasprintf(const char *fmt, ...)
{
    struct lh_buf b = LH_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    lh_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    return lh_buf_detach(&b);
}

void lh_buf_init(struct lh_buf *b, size_t cap_max)
{
    b->ptr = (char *)"";
    b->len = 0;
    b->alloc = 0;
    b->cap_max = cap_max;
}

void lh_buf_release(struct lh_buf *b)
{
    size_t cap = b->cap_max;
    if (b->alloc)
        free(b->ptr);
    lh_buf_init(b, cap);
}

void lh_buf_reset(struct lh_buf *b)
{
    b->len = 0;
    if (b->alloc)
        b->ptr[0] = '\0';
}

int lh_buf_reserve(struct lh_buf *b, size_t extra)
{
    size_t max = b->cap_max ? b->cap_max : SIZE_MAX - 1;
    if (extra > max - b->len)
        return -LH_ETOOBIG;
    size_t need = b->len + extra + 1;
    if (need <= b->alloc)
        return 0;
    size_t n = b->alloc ? b->alloc : 64;
    while (n < need)
        n = n > SIZE_MAX / 2 ? need : n * 2;
    if (b->alloc) {
        b->ptr = lh_xrealloc(b->ptr, n);
    } else {
        b->ptr = lh_xmalloc(n);
        b->ptr[0] = '\0';
    }
    b->alloc = n;
    return 0;
}

int lh_buf_append(struct lh_buf *b, const void *p, size_t n)
{
    int rc = lh_buf_reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->ptr + b->len, p, n);
    b->len += n;
    b->ptr[b->len] = '\0';
    return 0;
}

int lh_buf_puts(struct lh_buf *b, const char *s)
{
    return lh_buf_append(b, s, strlen(s));
}

int lh_buf_putc(struct lh_buf *b, char c)
{
    return lh_buf_append(b, &c, 1);
}

int lh_buf_vprintf(struct lh_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return -LH_EINVAL;
    int rc = lh_buf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int lh_buf_printf(struct lh_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = lh_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

/* Length of a valid UTF-8 sequence at s (max n bytes), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    unsigned cp = c & (0xFF >> (len + 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

static int json_str(struct lh_buf *b, const char *s, size_t n);

/* All or nothing: on -LH_ETOOBIG the buffer is as it was. */
int lh_buf_json_str(struct lh_buf *b, const char *s, size_t n)
{
    size_t len = b->len;
    int rc = json_str(b, s, n);
    if (rc) {
        b->len = len;
        if (b->alloc)
            b->ptr[len] = '\0';
    }
    return rc;
}

static int json_str(struct lh_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    int rc = lh_buf_reserve(b, n + 2);
    if (rc)
        return rc;
    b->ptr[b->len++] = '"';
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        /* fast path: plain ASCII without escapes */
        while (run < n && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
            run++;
        if (run > i) {
            if ((rc = lh_buf_append(b, p + i, run - i)))
                return rc;
            i = run;
            continue;
        }
        unsigned char c = p[i];
        char esc[8];
        size_t elen = 0;
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            elen = 2;
        } else if (c == '\n') {
            memcpy(esc, "\\n", 2);
            elen = 2;
        } else if (c == '\r') {
            memcpy(esc, "\\r", 2);
            elen = 2;
        } else if (c == '\t') {
            memcpy(esc, "\\t", 2);
            elen = 2;
        } else if (c < 0x20) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            elen = 6;
        }
        if (elen) {
            if ((rc = lh_buf_append(b, esc, elen)))
                return rc;
            i++;
            continue;
        }
        size_t ul = utf8_len(p + i, n - i);
        if (ul == 0) {
            if ((rc = lh_buf_append(b, "\xEF\xBF\xBD", 3)))
                return rc;
            i++;
        } else {
            if ((rc = lh_buf_append(b, p + i, ul)))
                return rc;
            i += ul;
        }
    }
    return lh_buf_putc(b, '"');
}

char *lh_buf_detach(struct lh_buf *b)
{
    char *p = b->alloc ? b->ptr : lh_xstrdup("");
    lh_buf_init(b, b->cap_max);
    return p;
}
