/* SPDX-License-Identifier: MIT */
/* storage.c - backend-independent storage helpers: object key validation. */
#include "lh_common.h"
#include "storage.h"

#include <string.h>

#define KEY_MAX 1024

/* A component that looks like a local backend temp file (".<name>.tmp.<rand>").
 * Such keys are refused so that every stored key is visible to list(). */
static bool is_temp_name(const char *p, size_t n)
{
    if (n < 6 || p[0] != '.')
        return false;
    for (size_t i = 1; i + 5 <= n; i++)
        if (memcmp(p + i, ".tmp.", 5) == 0)
            return true;
    return false;
}

int lh_store_key_check(const char *key, struct lh_error *err)
{
    if (!key || !key[0])
        return lh_error_set(err, LH_EINVAL, "invalid key: it is empty");
    size_t n = strnlen(key, KEY_MAX + 1);
    if (n > KEY_MAX)
        return lh_error_set(err, LH_EINVAL, "invalid key: longer than %d bytes", KEY_MAX);
    /* Control characters first: the key must be safe to echo in later messages. */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)key[i];
        if (c < 0x20 || c == 0x7f)
            return lh_error_set(err, LH_EINVAL,
                                "invalid key: control character 0x%02x at byte %zu", c, i);
    }
    if (key[0] == '/')
        return lh_error_set(err, LH_EINVAL, "invalid key '%.200s': must not start with '/'", key);
    if (strchr(key, '\\'))
        return lh_error_set(err, LH_EINVAL, "invalid key '%.200s': backslash is not allowed",
                            key);
    const char *p = key;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (len == 0)
            return lh_error_set(err, LH_EINVAL, "invalid key '%.200s': empty path component",
                                key);
        if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
            return lh_error_set(err, LH_EINVAL,
                                "invalid key '%.200s': '.' and '..' components are not allowed",
                                key);
        if (is_temp_name(p, len))
            return lh_error_set(err, LH_EINVAL,
                                "invalid key '%.200s': names starting with '.' and containing "
                                "'.tmp.' are reserved for temporary files",
                                key);
        if (!slash)
            break;
        p = slash + 1;
    }
    return 0;
}
