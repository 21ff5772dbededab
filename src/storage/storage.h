/* SPDX-License-Identifier: MIT */
/* storage.h - object store interface: a bucket of keyed blobs.
 *
 * Backends implement struct lh_store_ops; callers use only the inline
 * wrappers below. Keys are relative paths like "datasets/x/1.parquet":
 * 1..1024 bytes, no leading '/', no "." or ".." component, no empty
 * component, no NUL or control characters, no backslash. A component that
 * starts with '.' and contains ".tmp." is reserved for temporary files.
 * A key cannot also be the directory of another key ("a" and "a/b"):
 * such a put fails with -LH_ECONFLICT.
 * All functions are thread-safe. On error, nothing is changed. */
#ifndef LH_STORAGE_H
#define LH_STORAGE_H

#include "lh_common.h"
#include "err.h"

#include <stdio.h>

enum lh_store_caps {
    LH_STORE_CAP_RANGE = 1u << 0,      /* ranged get */
    LH_STORE_CAP_LOCAL_PATH = 1u << 1, /* objects are plain local files (lh_store_local_path) */
};

struct lh_store_stat {
    int64_t size;
    int64_t mtime_ms;
};

/* Called once per key by list; return non-zero to stop early. */
typedef int (*lh_store_list_fn)(void *ud, const char *key, const struct lh_store_stat *st);

struct lh_store;

struct lh_store_ops {
    const char *name;
    unsigned caps;
    /* Atomically stores the content of local file `src_path` under key.
     * If LH_STORE_PUT_MOVE is set and the backend can, src is renamed (consumed).
     * local: with MOVE, src is gone after success (renamed, or copied then
     * removed when it lives on another filesystem); without MOVE it is copied. */
    int (*put_file)(struct lh_store *s, const char *key, const char *src_path, unsigned flags,
                    struct lh_error *err);
    int (*put)(struct lh_store *s, const char *key, const void *data, size_t len,
               struct lh_error *err);
    /* Reads [off, off+len) (len < 0 = to the end) into a malloc'd buffer
     * (NUL-terminated for convenience; *out_len excludes the NUL). A range
     * past the end is clamped; off > size is -LH_EINVAL. Missing key:
     * -LH_ENOTFOUND. */
    int (*get)(struct lh_store *s, const char *key, int64_t off, int64_t len, char **out,
               size_t *out_len, struct lh_error *err);
    int (*del)(struct lh_store *s, const char *key, struct lh_error *err);
    int (*stat)(struct lh_store *s, const char *key, struct lh_store_stat *out,
                struct lh_error *err);
    /* Calls fn for every key starting with the plain string `prefix` (NULL or
     * "" = all), in ascending byte order of the keys. fn may delete the key it
     * is given. Stopping early (fn returns non-zero) is not an error. */
    int (*list)(struct lh_store *s, const char *prefix, lh_store_list_fn fn, void *ud,
                struct lh_error *err);
    /* Local path of key (malloc'd) for LH_STORE_CAP_LOCAL_PATH backends;
     * NULL if key is invalid. */
    char *(*local_path)(struct lh_store *s, const char *key);
    void (*close)(struct lh_store *s);
};

struct lh_store {
    const struct lh_store_ops *ops;
};

enum { LH_STORE_PUT_MOVE = 1u << 0 };

/* Returns 0 if key is acceptable, else -LH_EINVAL with the reason in err. */
int lh_store_key_check(const char *key, struct lh_error *err);

/* Opens a local-folder bucket rooted at dir (created if missing). */
int lh_store_local_open(const char *dir, struct lh_store **out, struct lh_error *err);

static inline int lh_store_put_file(struct lh_store *s, const char *key, const char *src,
                                    unsigned flags, struct lh_error *err)
{
    return s->ops->put_file(s, key, src, flags, err);
}
static inline int lh_store_put(struct lh_store *s, const char *key, const void *d, size_t n,
                               struct lh_error *err)
{
    return s->ops->put(s, key, d, n, err);
}
static inline int lh_store_get(struct lh_store *s, const char *key, int64_t off, int64_t len,
                               char **out, size_t *out_len, struct lh_error *err)
{
    return s->ops->get(s, key, off, len, out, out_len, err);
}
static inline int lh_store_del(struct lh_store *s, const char *key, struct lh_error *err)
{
    return s->ops->del(s, key, err);
}
static inline int lh_store_stat(struct lh_store *s, const char *key, struct lh_store_stat *out,
                                struct lh_error *err)
{
    return s->ops->stat(s, key, out, err);
}
static inline int lh_store_list(struct lh_store *s, const char *prefix, lh_store_list_fn fn,
                                void *ud, struct lh_error *err)
{
    return s->ops->list(s, prefix, fn, ud, err);
}
static inline char *lh_store_local_path(struct lh_store *s, const char *key)
{
    return s->ops->local_path ? s->ops->local_path(s, key) : NULL;
}
static inline void lh_store_close(struct lh_store *s)
{
    if (s)
        s->ops->close(s);
}

#endif
