/* SPDX-License-Identifier: MIT */
/* storage_local.c - local-folder storage backend: one file per key under a root directory.
 *
 * Writes are atomic and durable: content goes to ".<name>.tmp.<random>" in the
 * target directory, is fsynced, renamed over the key and the directory is
 * fsynced, so a reader (or a crash) sees the old object or the new one, never
 * a torn one. Deleting the last key of a directory removes the empty
 * directories above it; writers retry when a concurrent delete removed their
 * parent directory between mkdir and open. Nothing here keeps shared mutable
 * state, so every call is thread-safe. */
#include "lh_common.h"
#include "storage.h"
#include "buf.h"
#include "fs.h"
#include "hash.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_BASE_MAX 200 /* keeps ".<base>.tmp.<16 hex>" under NAME_MAX */
#define PUT_RETRIES 16   /* attempts when a concurrent delete removes our parent dir */
#define KEY_MAX 1024

struct store_local {
    struct lh_store base; /* first member: struct lh_store * casts to this */
    char *root;           /* absolute bucket directory */
};

static struct store_local *to_local(struct lh_store *s)
{
    return (struct store_local *)s;
}

static char *key_path(struct store_local *st, const char *key)
{
    return lh_xasprintf("%s/%s", st->root, key);
}

/* Maps an errno of a failed file operation on key to an error code + message. */
static int os_error(struct lh_error *err, int e, const char *op, const char *key)
{
    int code;
    switch (e) {
    case ENOENT:
        code = LH_ENOTFOUND;
        break;
    case ENAMETOOLONG:
        return lh_error_set(err, LH_EINVAL, "%s '%.200s': a path component is too long", op,
                            key);
    case ENOTDIR:
    case EISDIR:
    case EEXIST:
    case ENOTEMPTY:
        return lh_error_set(err, LH_ECONFLICT,
                            "%s '%.200s': the key collides with an existing key used as a "
                            "directory (or the other way round)",
                            op, key);
    case EACCES:
    case EPERM:
    case EROFS:
        code = LH_EPERM;
        break;
    case ENOSPC:
    case EDQUOT:
        return lh_error_set(err, LH_EIO, "%s '%.200s': no space left on device", op, key);
    default:
        code = LH_EIO;
        break;
    }
    return lh_error_set(err, code, "%s '%.200s': %s", op, key, strerror(e));
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Creates the directories of key below the root. A directory we create is made
 * durable by fsyncing its parent. A concurrent delete may remove a directory we
 * just created (ENOENT one level down): then start again from the top.
 * Returns 0 or an errno value. */
static int ensure_parents(struct store_local *st, const char *key)
{
    for (int attempt = 0;; attempt++) {
        const char *slash = key;
        int e = 0;
        while (!e && (slash = strchr(slash, '/')) != NULL) {
            char *dir = lh_xasprintf("%s/%.*s", st->root, (int)(slash - key), key);
            if (mkdir(dir, 0755) == 0) {
                char *parent = strrchr(dir, '/');
                *parent = '\0';
                lh_fs_fsync_dir(dir);
            } else if (errno != EEXIST) {
                e = errno;
            }
            free(dir);
            slash++;
        }
        if (e != ENOENT || attempt >= PUT_RETRIES)
            return e;
    }
}

/* Opens a fresh temp file next to key's final path. On success *out_tmp is the
 * malloc'd temp path and *out_fd its descriptor. */
static int tmp_open(struct store_local *st, const char *key, char **out_tmp, int *out_fd,
                    struct lh_error *err)
{
    const char *base = strrchr(key, '/');
    size_t dir_len = base ? (size_t)(base - key) : 0;
    base = base ? base + 1 : key;
    for (int attempt = 0;; attempt++) {
        char hex[17];
        int e = ensure_parents(st, key);
        if (e)
            return os_error(err, e, "cannot store", key);
        lh_random_hex(hex, 8);
        char *tmp = lh_xasprintf("%s/%.*s%s.%.*s.tmp.%s", st->root, (int)dir_len, key,
                                 dir_len ? "/" : "", TMP_BASE_MAX, base, hex);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0) {
            *out_tmp = tmp;
            *out_fd = fd;
            return 0;
        }
        e = errno;
        free(tmp);
        if ((e == ENOENT || e == EEXIST) && attempt < PUT_RETRIES)
            continue; /* parent removed by a concurrent delete, or a name clash */
        return os_error(err, e, "cannot store", key);
    }
}

/* fsyncs and closes fd, renames tmp over key's path and fsyncs the directory.
 * Always consumes fd and tmp; on failure the temp file is removed. */
static int tmp_commit(struct store_local *st, const char *key, int fd, char *tmp,
                      struct lh_error *err)
{
    int rc = 0;
    char *path = key_path(st, key);
    if (fsync(fd) != 0) {
        rc = os_error(err, errno, "cannot sync", key);
        close(fd);
        goto out;
    }
    if (close(fd) != 0) {
        rc = os_error(err, errno, "cannot write", key);
        goto out;
    }
    if (rename(tmp, path) != 0) {
        rc = os_error(err, errno, "cannot store", key);
        goto out;
    }
    *strrchr(path, '/') = '\0';
    if (lh_fs_fsync_dir(path) != 0)
        rc = lh_error_set(err, LH_EIO, "cannot sync the directory of '%.200s'", key);
out:
    if (rc)
        unlink(tmp);
    free(tmp);
    free(path);
    return rc;
}

static int local_put(struct lh_store *s, const char *key, const void *data, size_t len,
                     struct lh_error *err)
{
    struct store_local *st = to_local(s);
    char *tmp = NULL;
    int fd = -1;
    int rc = lh_store_key_check(key, err);
    if (rc)
        return rc;
    if ((rc = tmp_open(st, key, &tmp, &fd, err)))
        return rc;
    int e = write_all(fd, data, len);
    if (e) {
        rc = os_error(err, e, "cannot write", key);
        close(fd);
        unlink(tmp);
        free(tmp);
        return rc;
    }
    return tmp_commit(st, key, fd, tmp, err);
}

/* Copies src_path into key through a temp file. */
static int put_copy(struct store_local *st, const char *key, const char *src_path,
                    struct lh_error *err)
{
    char *tmp = NULL;
    int fd = -1, in = -1, rc = 0;
    char *chunk = NULL;
    in = open(src_path, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return lh_error_set(err, errno == ENOENT ? LH_ENOTFOUND : LH_EIO,
                            "cannot open source file %s: %s", src_path, strerror(errno));
    if ((rc = tmp_open(st, key, &tmp, &fd, err)))
        goto out;
    chunk = lh_xmalloc(1 << 16);
    for (;;) {
        ssize_t r = read(in, chunk, 1 << 16);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = lh_error_set(err, LH_EIO, "cannot read source file %s: %s", src_path,
                              strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        int e = write_all(fd, chunk, (size_t)r);
        if (e) {
            rc = os_error(err, e, "cannot write", key);
            goto out;
        }
    }
    rc = tmp_commit(st, key, fd, tmp, err);
    fd = -1;
    tmp = NULL;
out:
    if (fd >= 0)
        close(fd);
    if (tmp) {
        unlink(tmp);
        free(tmp);
    }
    free(chunk);
    close(in);
    return rc;
}

/* Renames src_path to key. Returns 1 if the rename is impossible (another
 * filesystem) and the caller should copy instead. */
static int put_move(struct store_local *st, const char *key, const char *src_path,
                    struct lh_error *err)
{
    int rc = 0;
    char *path = key_path(st, key);
    /* The content must be durable before its name appears under the key. */
    if (lh_fs_fsync_path(src_path) != 0) {
        rc = lh_error_set(err, LH_EIO, "cannot sync source file %s", src_path);
        goto out;
    }
    for (int attempt = 0;; attempt++) {
        int e = ensure_parents(st, key);
        if (e) {
            rc = os_error(err, e, "cannot store", key);
            goto out;
        }
        if (rename(src_path, path) == 0)
            break;
        e = errno;
        if (e == EXDEV) {
            rc = 1;
            goto out;
        }
        if (e == ENOENT && lh_fs_exists(src_path) && attempt < PUT_RETRIES)
            continue; /* our parent dir was removed by a concurrent delete */
        if (e == ENOENT)
            rc = lh_error_set(err, LH_ENOTFOUND, "source file %s not found", src_path);
        else
            rc = os_error(err, e, "cannot store", key);
        goto out;
    }
    *strrchr(path, '/') = '\0';
    if (lh_fs_fsync_dir(path) != 0)
        rc = lh_error_set(err, LH_EIO, "cannot sync the directory of '%.200s'", key);
out:
    free(path);
    return rc;
}

static int local_put_file(struct lh_store *s, const char *key, const char *src_path,
                          unsigned flags, struct lh_error *err)
{
    struct store_local *st = to_local(s);
    struct stat sb;
    int rc = lh_store_key_check(key, err);
    if (rc)
        return rc;
    if (!src_path || lstat(src_path, &sb) != 0)
        return lh_error_set(err, LH_ENOTFOUND, "source file %s not found",
                            src_path ? src_path : "(null)");
    /* A symlink is followed and copied, never moved into the bucket as a link. */
    bool is_link = S_ISLNK(sb.st_mode);
    if (is_link && stat(src_path, &sb) != 0)
        return lh_error_set(err, LH_ENOTFOUND, "source file %s not found", src_path);
    if (!S_ISREG(sb.st_mode))
        return lh_error_set(err, LH_EINVAL, "source %s is not a regular file", src_path);
    if ((flags & LH_STORE_PUT_MOVE) && !is_link) {
        rc = put_move(st, key, src_path, err);
        if (rc <= 0)
            return rc;
    }
    rc = put_copy(st, key, src_path, err);
    if (rc == 0 && (flags & LH_STORE_PUT_MOVE))
        unlink(src_path); /* MOVE consumes the source even when it had to copy */
    return rc;
}

static int local_get(struct lh_store *s, const char *key, int64_t off, int64_t len, char **out,
                     size_t *out_len, struct lh_error *err)
{
    struct store_local *st = to_local(s);
    struct stat sb;
    char *path = NULL, *data = NULL;
    int fd = -1;
    *out = NULL;
    if (out_len)
        *out_len = 0;
    int rc = lh_store_key_check(key, err);
    if (rc)
        return rc;
    if (off < 0)
        return lh_error_set(err, LH_EINVAL, "invalid range offset %lld for '%.200s'",
                            (long long)off, key);
    path = key_path(st, key);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT || e == ENOTDIR)
            rc = lh_error_set(err, LH_ENOTFOUND, "object '%.200s' not found", key);
        else
            rc = os_error(err, e, "cannot read", key);
        goto out;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        rc = lh_error_set(err, LH_ENOTFOUND, "object '%.200s' not found", key);
        goto out;
    }
    int64_t size = sb.st_size;
    if (off > size) {
        rc = lh_error_set(err, LH_EINVAL,
                          "range offset %lld is beyond the end of '%.200s' (%lld bytes)",
                          (long long)off, key, (long long)size);
        goto out;
    }
    int64_t n = size - off;
    if (len >= 0 && len < n)
        n = len;
    if ((uint64_t)n >= SIZE_MAX || !(data = malloc((size_t)n + 1))) {
        rc = lh_error_set(err, LH_ENOMEM, "object '%.200s' is too large to read (%lld bytes)",
                          key, (long long)n);
        goto out;
    }
    size_t got = 0;
    while (got < (size_t)n) {
        ssize_t r = pread(fd, data + got, (size_t)n - got, (off_t)(off + (int64_t)got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = os_error(err, errno, "cannot read", key);
            goto out;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    data[got] = '\0';
    *out = data;
    data = NULL;
    if (out_len)
        *out_len = got;
out:
    if (fd >= 0)
        close(fd);
    free(data);
    free(path);
    return rc;
}

static int local_del(struct lh_store *s, const char *key, struct lh_error *err)
{
    struct store_local *st = to_local(s);
    int rc = lh_store_key_check(key, err);
    if (rc)
        return rc;
    char *path = key_path(st, key);
    if (unlink(path) != 0) {
        int e = errno;
        if (e == ENOENT || e == ENOTDIR || e == EISDIR)
            rc = lh_error_set(err, LH_ENOTFOUND, "object '%.200s' not found", key);
        else
            rc = os_error(err, e, "cannot delete", key);
        goto out;
    }
    char *slash = strrchr(path, '/');
    *slash = '\0';
    lh_fs_fsync_dir(path);
    /* Remove directories left empty, up to (not including) the root. Losing a
     * race with a concurrent put is fine: rmdir of a non-empty dir fails. */
    size_t root_len = strlen(st->root);
    while ((slash = strrchr(path, '/')) != NULL && strlen(path) > root_len) {
        if (rmdir(path) != 0)
            break;
        *slash = '\0';
    }
out:
    free(path);
    return rc;
}

static int local_stat(struct lh_store *s, const char *key, struct lh_store_stat *out,
                      struct lh_error *err)
{
    struct store_local *st = to_local(s);
    struct stat sb;
    int rc = lh_store_key_check(key, err);
    if (rc)
        return rc;
    char *path = key_path(st, key);
    if (stat(path, &sb) != 0) {
        int e = errno;
        if (e == ENOENT || e == ENOTDIR)
            rc = lh_error_set(err, LH_ENOTFOUND, "object '%.200s' not found", key);
        else
            rc = os_error(err, e, "cannot stat", key);
    } else if (!S_ISREG(sb.st_mode)) {
        rc = lh_error_set(err, LH_ENOTFOUND, "object '%.200s' not found", key);
    } else {
        out->size = sb.st_size;
        out->mtime_ms = (int64_t)sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000;
    }
    free(path);
    return rc;
}

/* A directory entry during list: name gets a trailing '/' for directories so
 * that sorting names sorts the resulting keys ("a.txt" < "a/b"). */
struct ent {
    char *name;
    bool is_dir;
};

static int ent_cmp(const void *a, const void *b)
{
    return strcmp(((const struct ent *)a)->name, ((const struct ent *)b)->name);
}

static bool component_ok(const char *name)
{
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '\\')
            return false;
    return true;
}

struct walk {
    const char *prefix;
    size_t prefix_len;
    lh_store_list_fn fn;
    void *ud;
    bool stop;
};

/* Lists one directory (dir = absolute path, key = key prefix of its entries,
 * "" or ending in '/'). The directory is read completely and closed before
 * any callback runs, so callbacks may delete the keys they are given. */
static int walk_dir(struct walk *w, struct lh_buf *dir, struct lh_buf *key, struct lh_error *err)
{
    struct ent *ents = NULL;
    size_t n = 0, alloc = 0;
    int rc = 0;
    DIR *d = opendir(dir->ptr);
    if (!d) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0; /* removed meanwhile, or the prefix names no directory */
        return lh_error_set(err, LH_EIO, "cannot list '%.200s': %s", key->len ? key->ptr : "/",
                            strerror(errno));
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            continue;
        if (name[0] == '.' && strstr(name, ".tmp."))
            continue; /* in-flight or abandoned temp file */
        if (!component_ok(name))
            continue;
        bool is_dir;
        if (de->d_type == DT_DIR) {
            is_dir = true;
        } else if (de->d_type == DT_REG) {
            is_dir = false;
        } else if (de->d_type == DT_UNKNOWN) {
            struct stat sb;
            if (fstatat(dirfd(d), name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
                continue;
            if (!S_ISDIR(sb.st_mode) && !S_ISREG(sb.st_mode))
                continue;
            is_dir = S_ISDIR(sb.st_mode);
        } else {
            continue; /* symlinks, devices, sockets are not objects */
        }
        /* Prune by prefix: the entry's key (or key prefix) must agree with it. */
        size_t nl = strlen(name);
        size_t cand_len = key->len + nl + (is_dir ? 1 : 0);
        size_t cmp_len = cand_len < w->prefix_len ? cand_len : w->prefix_len;
        if (cmp_len > key->len) {
            size_t m = cmp_len - key->len; /* bytes of name (+ '/') to compare */
            const char *pp = w->prefix + key->len;
            size_t from_name = m < nl ? m : nl;
            if (memcmp(name, pp, from_name) != 0)
                continue;
            if (m > nl && pp[nl] != '/')
                continue;
        }
        if (!is_dir && cand_len < w->prefix_len)
            continue;
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 32;
            ents = lh_xrealloc(ents, alloc * sizeof(*ents));
        }
        ents[n].name = lh_xasprintf("%s%s", name, is_dir ? "/" : "");
        ents[n].is_dir = is_dir;
        n++;
    }
    closedir(d);
    if (n > 1)
        qsort(ents, n, sizeof(*ents), ent_cmp);

    size_t dir_len = dir->len, key_len = key->len;
    for (size_t i = 0; i < n && !w->stop && rc == 0; i++) {
        lh_buf_printf(dir, "/%s", ents[i].name);
        lh_buf_puts(key, ents[i].name);
        if (ents[i].is_dir) {
            dir->ptr[--dir->len] = '\0'; /* drop the sort '/' from the path */
            if (key->len < KEY_MAX)
                rc = walk_dir(w, dir, key, err);
        } else if (lh_store_key_check(key->ptr, NULL) == 0) {
            struct stat sb;
            if (stat(dir->ptr, &sb) == 0 && S_ISREG(sb.st_mode)) {
                struct lh_store_stat ss = {
                    .size = sb.st_size,
                    .mtime_ms = (int64_t)sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000,
                };
                if (w->fn(w->ud, key->ptr, &ss) != 0)
                    w->stop = true;
            }
        }
        dir->len = dir_len;
        dir->ptr[dir_len] = '\0';
        key->len = key_len;
        key->ptr[key_len] = '\0';
    }
    for (size_t i = 0; i < n; i++)
        free(ents[i].name);
    free(ents);
    return rc;
}

static int local_list(struct lh_store *s, const char *prefix, lh_store_list_fn fn, void *ud,
                      struct lh_error *err)
{
    struct store_local *st = to_local(s);
    struct lh_buf dir = LH_BUF_INIT, key = LH_BUF_INIT;
    struct walk w = {prefix ? prefix : "", 0, fn, ud, false};
    int rc = 0;
    w.prefix_len = strlen(w.prefix);
    lh_buf_puts(&dir, st->root);
    /* Start at the deepest directory the prefix names ("datasets/x/" -> datasets/x). */
    const char *last = strrchr(w.prefix, '/');
    if (last && last > w.prefix) {
        char *sub = lh_xstrndup(w.prefix, (size_t)(last - w.prefix));
        bool ok = lh_store_key_check(sub, NULL) == 0;
        if (ok) {
            lh_buf_printf(&dir, "/%s", sub);
            lh_buf_printf(&key, "%s/", sub);
        }
        free(sub);
        if (!ok)
            goto out; /* no valid key can start with this prefix */
    }
    rc = walk_dir(&w, &dir, &key, err);
out:
    lh_buf_release(&dir);
    lh_buf_release(&key);
    return rc;
}

static char *local_local_path(struct lh_store *s, const char *key)
{
    if (lh_store_key_check(key, NULL) != 0)
        return NULL;
    return key_path(to_local(s), key);
}

static void local_close(struct lh_store *s)
{
    struct store_local *st = to_local(s);
    free(st->root);
    free(st);
}

static const struct lh_store_ops local_ops = {
    .name = "local",
    .caps = LH_STORE_CAP_RANGE | LH_STORE_CAP_LOCAL_PATH,
    .put_file = local_put_file,
    .put = local_put,
    .get = local_get,
    .del = local_del,
    .stat = local_stat,
    .list = local_list,
    .local_path = local_local_path,
    .close = local_close,
};

int lh_store_local_open(const char *dir, struct lh_store **out, struct lh_error *err)
{
    struct stat sb;
    *out = NULL;
    if (!dir || !dir[0])
        return lh_error_set(err, LH_EINVAL, "storage directory must not be empty");
    int rc = lh_fs_mkdir_p(dir, err);
    if (rc)
        return rc;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return lh_error_set(err, LH_EINVAL, "storage path %s is not a directory", dir);
    if (access(dir, R_OK | W_OK | X_OK) != 0)
        return lh_error_set(err, LH_EPERM, "storage directory %s is not writable", dir);
    struct store_local *st = lh_xcalloc(1, sizeof(*st));
    st->base.ops = &local_ops;
    st->root = lh_fs_abspath(dir);
    /* Strip a trailing '/' (only "/" itself keeps it) so paths join cleanly. */
    size_t n = strlen(st->root);
    if (n > 1 && st->root[n - 1] == '/')
        st->root[n - 1] = '\0';
    else if (n == 1)
        st->root[0] = '\0'; /* root "/" joins as "/key" */
    *out = &st->base;
    return 0;
}
