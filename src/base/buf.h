/* SPDX-License-Identifier: MIT */
/* buf.h - growable, capped, always NUL-terminated byte buffer.
 *
 * Invariants: `ptr` is never NULL after lh_buf_init (an empty buffer points
 * at a static ""), `ptr[len] == '\0'`, and len never exceeds `cap_max`.
 * Appends abort on OOM (lh_xmalloc policy); going past cap_max returns
 * -LH_ETOOBIG and leaves the buffer unchanged. Not thread-safe. */
#ifndef LH_BUF_H
#define LH_BUF_H

#include "lh_common.h"

#include <stdarg.h>

struct lh_buf {
    char *ptr;
    size_t len;
    size_t alloc;   /* 0 while ptr is the static "" */
    size_t cap_max; /* 0 = SIZE_MAX */
};

#define LH_BUF_INIT {(char *)"", 0, 0, 0}

void lh_buf_init(struct lh_buf *b, size_t cap_max);
void lh_buf_release(struct lh_buf *b);          /* frees contents; b is re-initialised */
void lh_buf_reset(struct lh_buf *b);            /* len = 0, keeps memory */
int lh_buf_reserve(struct lh_buf *b, size_t extra);
int lh_buf_append(struct lh_buf *b, const void *p, size_t n);
int lh_buf_puts(struct lh_buf *b, const char *s);
int lh_buf_putc(struct lh_buf *b, char c);
int lh_buf_printf(struct lh_buf *b, const char *fmt, ...) LH_PRINTF(2, 3);
int lh_buf_vprintf(struct lh_buf *b, const char *fmt, va_list ap);
/* Appends s as a JSON string literal with quotes (escapes control chars, '"', '\\';
 * invalid UTF-8 bytes become U+FFFD). */
int lh_buf_json_str(struct lh_buf *b, const char *s, size_t n);
/* Hands the heap string to the caller (free with free()); b is re-initialised. */
char *lh_buf_detach(struct lh_buf *b);

/* Allocation that aborts on OOM (never returns NULL). */
void *lh_xmalloc(size_t n);
void *lh_xcalloc(size_t n, size_t size);
void *lh_xrealloc(void *p, size_t n);
char *lh_xstrdup(const char *s);
char *lh_xstrndup(const char *s, size_t n);
char *lh_xasprintf(const char *fmt, ...) LH_PRINTF(1, 2);

#endif
