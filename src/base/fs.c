/* SPDX-License-Identifier: MIT */
/* fs.c - POSIX file helpers. */
#include "lh_common.h"
#include "fs.h"
#include "buf.h"
#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int lh_fs_mkdir_p(const char *dir, struct lh_error *err)
{
    char tmp[PATH_MAX];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof(tmp))
        return lh_error_set(err, LH_EINVAL, "invalid directory path");
    memcpy(tmp, dir, n + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
                return lh_error_set(err, LH_EIO, "cannot create directory %s: %s", tmp,
                                    strerror(errno));
            *p = '/';
        }
    }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
        return lh_error_set(err, LH_EIO, "cannot create directory %s: %s", tmp, strerror(errno));
    return 0;
}

int lh_fs_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -LH_EIO;
    int rc = fsync(fd) == 0 ? 0 : -LH_EIO;
    close(fd);
    return rc;
}

int lh_fs_fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -LH_EIO;
    int rc = fsync(fd) == 0 ? 0 : -LH_EIO;
    close(fd);
    return rc;
}

int lh_fs_write_atomic(const char *path, const void *data, size_t len, struct lh_error *err)
{
    char tmp[PATH_MAX];
    char hex[17];
    int fd = -1, rc = 0;
    lh_random_hex(hex, 8);
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%s", path, hex) >= sizeof(tmp))
        return lh_error_set(err, LH_EINVAL, "path too long");
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return lh_error_set(err, LH_EIO, "cannot create %s: %s", tmp, strerror(errno));
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            rc = lh_error_set(err, LH_EIO, "write %s: %s", tmp, strerror(errno));
            goto out;
        }
        p += w;
        len -= (size_t)w;
    }
    if (fsync(fd) != 0) {
        rc = lh_error_set(err, LH_EIO, "fsync %s: %s", tmp, strerror(errno));
        goto out;
    }
    close(fd);
    fd = -1;
    if (rename(tmp, path) != 0) {
        rc = lh_error_set(err, LH_EIO, "rename to %s: %s", path, strerror(errno));
        goto out;
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        lh_fs_fsync_dir(dir[0] ? dir : "/");
    } else {
        lh_fs_fsync_dir(".");
    }
out:
    if (fd >= 0)
        close(fd);
    if (rc)
        unlink(tmp);
    return rc;
}

int lh_fs_read_all(const char *path, size_t max, char **out, size_t *out_len, struct lh_error *err)
{
    struct lh_buf b;
    char chunk[65536];
    int rc = 0;
    FILE *f = fopen(path, "rb");
    *out = NULL;
    if (!f)
        return lh_error_set(err, errno == ENOENT ? LH_ENOTFOUND : LH_EIO, "cannot open %s: %s",
                            path, strerror(errno));
    lh_buf_init(&b, max);
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (lh_buf_append(&b, chunk, n)) {
            rc = lh_error_set(err, LH_ETOOBIG, "%s is larger than %zu bytes", path, max);
            break;
        }
    }
    if (!rc && ferror(f))
        rc = lh_error_set(err, LH_EIO, "read %s failed", path);
    fclose(f);
    if (rc) {
        lh_buf_release(&b);
        return rc;
    }
    if (out_len)
        *out_len = b.len;
    *out = lh_buf_detach(&b);
    return 0;
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    LH_UNUSED(sb);
    LH_UNUSED(flag);
    LH_UNUSED(ftw);
    return remove(p) == 0 || errno == ENOENT ? 0 : -1;
}

int lh_fs_rm_rf(const char *path)
{
    if (!lh_fs_exists(path))
        return 0;
    return nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -LH_EIO;
}

bool lh_fs_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

char *lh_fs_abspath(const char *p)
{
    struct lh_buf in = LH_BUF_INIT, out = LH_BUF_INIT;
    if (p[0] != '/') {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof(cwd)))
            return lh_xstrdup(p);
        lh_buf_printf(&in, "%s/%s", cwd, p);
    } else {
        lh_buf_puts(&in, p);
    }
    /* normalise: drop ".", "" components, resolve ".." lexically */
    char *save = NULL;
    size_t *stack = lh_xmalloc(sizeof(size_t) * (in.len + 1));
    size_t depth = 0;
    for (char *tok = strtok_r(in.ptr, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        if (strcmp(tok, ".") == 0)
            continue;
        if (strcmp(tok, "..") == 0) {
            if (depth > 0) {
                out.len = stack[--depth];
                out.ptr[out.len] = '\0';
            }
            continue;
        }
        stack[depth++] = out.len;
        lh_buf_printf(&out, "/%s", tok);
    }
    free(stack);
    lh_buf_release(&in);
    if (out.len == 0)
        lh_buf_puts(&out, "/");
    return lh_buf_detach(&out);
}
