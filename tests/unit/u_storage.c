/* SPDX-License-Identifier: MIT */
/* u_storage.c - unit tests of the storage interface and the local-folder backend. */
#include "lh_common.h"
#include "storage.h"
#include "buf.h"
#include "fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

struct fx {
    char dir[64];    /* temp dir of the test */
    char *bucket;    /* dir/bucket */
    struct lh_store *s;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct lh_error err = {0};
    snprintf(f->dir, sizeof(f->dir), "/tmp/u_storage.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    f->bucket = lh_xasprintf("%s/bucket", f->dir);
    if (lh_store_local_open(f->bucket, &f->s, &err) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    lh_store_close(f->s);
    lh_fs_rm_rf(f->dir);
    free(f->bucket);
    free(f);
    return 0;
}

/* Reads key and compares it with the expected text. */
static void assert_content(struct lh_store *s, const char *key, const char *want)
{
    struct lh_error err = {0};
    char *data = NULL;
    size_t n = 0;
    assert_int_equal(lh_store_get(s, key, 0, -1, &data, &n, &err), 0);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(data, want, n);
    assert_int_equal(data[n], '\0');
    free(data);
}

/* Collects listed keys as "k1,k2,..." */
struct collect {
    struct lh_buf b;
    int n;
    int stop_after; /* 0 = never */
    int64_t total_size;
};

static int collect_fn(void *ud, const char *key, const struct lh_store_stat *st)
{
    struct collect *c = ud;
    if (c->n++)
        lh_buf_putc(&c->b, ',');
    lh_buf_puts(&c->b, key);
    c->total_size += st->size;
    return c->stop_after && c->n >= c->stop_after;
}

static char *list_keys(struct lh_store *s, const char *prefix)
{
    struct collect c = {LH_BUF_INIT, 0, 0, 0};
    struct lh_error err = {0};
    assert_int_equal(lh_store_list(s, prefix, collect_fn, &c, &err), 0);
    return lh_buf_detach(&c.b);
}

/* Number of directory entries (recursively, files + dirs) under path. */
static int count_entries(const char *path)
{
    DIR *d = opendir(path);
    int n = 0;
    struct dirent *de;
    if (!d)
        return 0;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        n++;
        if (de->d_type == DT_DIR) {
            char *sub = lh_xasprintf("%s/%s", path, de->d_name);
            n += count_entries(sub);
            free(sub);
        }
    }
    closedir(d);
    return n;
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_key_check_good(void **state)
{
    (void)state;
    static const char *good[] = {
        "a", "datasets/x/1.parquet", "a/b/c/d", "name with spaces", "utf8/\xc3\xa9t\xc3\xa9",
        ".hidden", "a/.b", "x..y", "...", "a/b.tmp.c", ".tmp", "~/x", "a:b",
    };
    for (size_t i = 0; i < LH_ARRAY_LEN(good); i++) {
        struct lh_error err = {0};
        assert_int_equal(lh_store_key_check(good[i], &err), 0);
        assert_int_equal(err.code, 0);
    }
    char key[1025];
    memset(key, 'k', 1024);
    key[1024] = '\0';
    assert_int_equal(lh_store_key_check(key, NULL), 0); /* exactly 1024 bytes */
}

static void check_bad(const char *key, const char *msg_part)
{
    struct lh_error err = {0};
    assert_int_equal(lh_store_key_check(key, &err), -LH_EINVAL);
    assert_int_equal(err.code, LH_EINVAL);
    if (!strstr(err.msg, msg_part))
        fail_msg("key error '%s' lacks '%s'", err.msg, msg_part);
}

static void test_key_check_bad(void **state)
{
    (void)state;
    char longkey[1026];
    memset(longkey, 'k', 1025);
    longkey[1025] = '\0';
    check_bad(NULL, "empty");
    check_bad("", "empty");
    check_bad(longkey, "longer than 1024");
    check_bad("/abs", "start with '/'");
    check_bad("/", "start with '/'");
    check_bad("a//b", "empty path component");
    check_bad("a/", "empty path component");
    check_bad(".", "'.' and '..'");
    check_bad("..", "'.' and '..'");
    check_bad("a/./b", "'.' and '..'");
    check_bad("a/../b", "'.' and '..'");
    check_bad("a/..", "'.' and '..'");
    check_bad("../etc/passwd", "'.' and '..'");
    check_bad("a\\b", "backslash");
    check_bad("a\nb", "control character 0x0a");
    check_bad("a\tb", "control character");
    check_bad("a\x01", "control character 0x01");
    check_bad("a\x7f", "control character 0x7f");
    check_bad("d/.x.tmp.123", "reserved for temporary files");
}

static void test_open_errors(void **state)
{
    struct fx *f = *state;
    struct lh_error err = {0};
    struct lh_store *s = NULL;
    char *file = lh_xasprintf("%s/plain", f->dir);
    write_file(file, "x");
    assert_int_equal(lh_store_local_open(file, &s, &err), -LH_EINVAL);
    assert_null(s);
    assert_non_null(strstr(err.msg, "not a directory"));
    assert_int_equal(lh_store_local_open("", &s, &err), -LH_EINVAL);
    free(file);
    assert_string_equal(f->s->ops->name, "local");
    assert_int_equal(f->s->ops->caps, LH_STORE_CAP_RANGE | LH_STORE_CAP_LOCAL_PATH);
}

static void test_put_get_stat_del(void **state)
{
    struct fx *f = *state;
    struct lh_error err = {0};
    struct lh_store_stat st = {0};
    const char *text = "hello, lakehouse";
    assert_int_equal(lh_store_put(f->s, "datasets/x/1.txt", text, strlen(text), &err), 0);
    assert_content(f->s, "datasets/x/1.txt", text);

    assert_int_equal(lh_store_stat(f->s, "datasets/x/1.txt", &st, &err), 0);
    assert_int_equal(st.size, (int64_t)strlen(text));
    struct stat sb;
    char *p = lh_store_local_path(f->s, "datasets/x/1.txt");
    assert_non_null(p);
    assert_int_equal(stat(p, &sb), 0);
    assert_int_equal(st.mtime_ms, (int64_t)sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000);
    char *want = lh_xasprintf("%s/datasets/x/1.txt", f->bucket);
    assert_string_equal(p, want);
    free(want);
    free(p);
    assert_null(lh_store_local_path(f->s, "../escape"));

    /* empty object */
    assert_int_equal(lh_store_put(f->s, "empty", "", 0, &err), 0);
    assert_content(f->s, "empty", "");
    assert_int_equal(lh_store_stat(f->s, "empty", &st, &err), 0);
    assert_int_equal(st.size, 0);

    /* delete, then everything reports not found */
    assert_int_equal(lh_store_del(f->s, "datasets/x/1.txt", &err), 0);
    char *data = (char *)"sentinel";
    size_t n = 7;
    assert_int_equal(lh_store_get(f->s, "datasets/x/1.txt", 0, -1, &data, &n, &err),
                     -LH_ENOTFOUND);
    assert_null(data);
    assert_int_equal(err.code, LH_ENOTFOUND);
    assert_non_null(strstr(err.msg, "datasets/x/1.txt"));
    assert_int_equal(lh_store_stat(f->s, "datasets/x/1.txt", &st, &err), -LH_ENOTFOUND);
    assert_int_equal(lh_store_del(f->s, "datasets/x/1.txt", &err), -LH_ENOTFOUND);
    assert_int_equal(lh_store_del(f->s, "never/was", &err), -LH_ENOTFOUND);
    /* a directory is not an object */
    assert_int_equal(lh_store_put(f->s, "d/sub/k", "v", 1, &err), 0);
    assert_int_equal(lh_store_stat(f->s, "d/sub", &st, &err), -LH_ENOTFOUND);
    assert_int_equal(lh_store_get(f->s, "d/sub", 0, -1, &data, &n, &err), -LH_ENOTFOUND);
    assert_int_equal(lh_store_del(f->s, "d/sub", &err), -LH_ENOTFOUND);
    assert_content(f->s, "d/sub/k", "v");

    /* the emptied directories were removed, the bucket root stays */
    char *dsdir = lh_xasprintf("%s/datasets", f->bucket);
    assert_false(lh_fs_exists(dsdir));
    assert_true(lh_fs_exists(f->bucket));
    free(dsdir);
}

static void test_overwrite(void **state)
{
    struct fx *f = *state;
    struct lh_error err = {0};
    assert_int_equal(lh_store_put(f->s, "k", "first version", 13, &err), 0);
    assert_int_equal(lh_store_put(f->s, "k", "v2", 2, &err), 0);
    assert_content(f->s, "k", "v2");
    assert_int_equal(count_entries(f->bucket), 1); /* no temp files left behind */
}

static void test_range(void **state)
{
    struct fx *f = *state;
    struct lh_error err = {0};
    char *d = NULL;
    size_t n = 0;
    assert_int_equal(lh_store_put(f->s, "r", "0123456789", 10, &err), 0);

    assert_int_equal(lh_store_get(f->s, "r", 2, 3, &d, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(d, "234");
    free(d);
    assert_int_equal(lh_store_get(f->s, "r", 7, -1, &d, &n, &err), 0);
    assert_string_equal(d, "789");
    assert_int_equal(n, 3);
    free(d);
    /* past the end is clamped */
    assert_int_equal(lh_store_get(f->s, "r", 8, 100, &d, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(d, "89");
    free(d);
    /* offset == size gives an empty result */
    assert_int_equal(lh_store_get(f->s, "r", 10, 5, &d, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_string_equal(d, "");
    free(d);
    /* zero length */
    assert_int_equal(lh_store_get(f->s, "r", 3, 0, &d, &n, &err), 0);
    assert_int_equal(n, 0);
    free(d);
    /* offset beyond the size or negative is invalid */
    assert_int_equal(lh_store_get(f->s, "r", 11, -1, &d, &n, &err), -LH_EINVAL);
    assert_null(d);
    assert_non_null(strstr(err.msg, "beyond the end"));
    assert_int_equal(lh_store_get(f->s, "r", -1, 2, &d, &n, &err), -LH_EINVAL);
    assert_null(d);
    /* out_len is optional */
    assert_int_equal(lh_store_get(f->s, "r", 0, 1, &d, NULL, &err), 0);
    assert_string_equal(d, "0");
    free(d);
}

static void test_put_file_copy_and_move(void **state)
{
    struct fx *f = *state;
    struct lh_error err = {0};
    char *src = lh_xasprintf("%s/src.txt", f->dir);

    /* copy keeps the source */
    write_file(src, "copied content");
    assert_int_equal(lh_store_put_file(f->s, "files/copy.txt", src, 0, &err), 0);
    assert_true(lh_fs_exists(src));
    assert_content(f->s, "files/copy.txt", "copied content");

    /* move consumes the source (same filesystem: a rename) */
    struct stat before, after;
    write_file(src, "moved content");
    assert_int_equal(stat(src, &before), 0);
    assert_int_equal(lh_store_put_file(f->s, "files/move.txt", src, LH_STORE_PUT_MOVE, &err), 0);
    assert_false(lh_fs_exists(src));
    assert_content(f->s, "files/move.txt", "moved content");
    char *p = lh_store_local_path(f->s, "files/move.txt");
    assert_int_equal(stat(p, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino); /* renamed, not copied */
    free(p);

    /* move over an existing key replaces it */
    write_file(src, "replacement");
    assert_int_equal(lh_store_put_file(f->s, "files/copy.txt", src, LH_STORE_PUT_MOVE, &err), 0);
    assert_content(f->s, "files/copy.txt", "replacement");

    /* missing source */
    assert_int_equal(lh_store_put_file(f->s, "files/x", src, 0, &err), -LH_ENOTFOUND);
    assert_int_equal(lh_store_put_file(f->s, "files/x", src, LH_STORE_PUT_MOVE, &err),
                     -LH_ENOTFOUND);
    /* a directory is not a source */
    assert_int_equal(lh_store_put_file(f->s, "files/x", f->dir, 0, &err), -LH_EINVAL);
    struct lh_store_stat st;
    assert_int_equal(lh_store_stat(f->s, "files/x", &st, &err), -LH_ENOTFOUND);
    /* a symlink source is copied (never stored as a link) even with MOVE */
    char *link = lh_xasprintf("%s/link", f->dir);
    write_file(src, "via link");
    assert_int_equal(symlink(src, link), 0);
    assert_int_equal(lh_store_put_file(f->s, "files/l", link, LH_STORE_PUT_MOVE, &err), 0);
    assert_content(f->s, "files/l", "via link");
    p = lh_store_local_path(f->s, "files/l");
    struct stat lsb;
    assert_int_equal(lstat(p, &lsb), 0);
    assert_true(S_ISREG(lsb.st_mode));
    free(p);
    assert_true(lh_fs_exists(src));
    free(link);
    free(src);
    /* 3 objects + the files/ directory */
    assert_int_equal(count_entries(f->bucket), 4);
}

/* MOVE from another filesystem falls back to a copy and still consumes the source. */
static void test_put_file_move_cross_fs(void **state)
{
    struct fx *f = *state;
    struct lh_error err = {0};
    struct stat a, b;
    char other[] = "/dev/shm/u_storage.XXXXXX";
    if (stat("/dev/shm", &a) != 0 || stat(f->bucket, &b) != 0 || a.st_dev == b.st_dev ||
        !mkdtemp(other)) {
        skip();
        return;
    }
    char *src = lh_xasprintf("%s/src", other);
    write_file(src, "across filesystems");
    assert_int_equal(lh_store_put_file(f->s, "x/cross", src, LH_STORE_PUT_MOVE, &err), 0);
    assert_false(lh_fs_exists(src));
    assert_content(f->s, "x/cross", "across filesystems");
    assert_int_equal(count_entries(f->bucket), 2); /* x/ and x/cross: no temp file left */
    free(src);
    lh_fs_rm_rf(other);
}

static void test_list_order_and_prefix(void **state)
{
    struct fx *f = *state;
    struct lh_error err = {0};
    static const char *keys[] = {
        "b", "a.txt", "a/b", "a/a", "a-", "datasets/x/2.parquet", "datasets/x/1.parquet",
        "datasets/xy/1.parquet", "datasets/y/1.parquet", "z/deep/er/k",
    };
    for (size_t i = 0; i < LH_ARRAY_LEN(keys); i++)
        assert_int_equal(lh_store_put(f->s, keys[i], keys[i], strlen(keys[i]), &err), 0);

    /* sorted by key bytes: '-' < '.' < '/' */
    char *all = list_keys(f->s, NULL);
    assert_string_equal(all, "a-,a.txt,a/a,a/b,b,datasets/x/1.parquet,datasets/x/2.parquet,"
                             "datasets/xy/1.parquet,datasets/y/1.parquet,z/deep/er/k");
    free(all);
    char *empty_prefix = list_keys(f->s, "");
    assert_string_equal(empty_prefix, "a-,a.txt,a/a,a/b,b,datasets/x/1.parquet,"
                                      "datasets/x/2.parquet,datasets/xy/1.parquet,"
                                      "datasets/y/1.parquet,z/deep/er/k");
    free(empty_prefix);

    char *x = list_keys(f->s, "datasets/x/");
    assert_string_equal(x, "datasets/x/1.parquet,datasets/x/2.parquet");
    free(x);
    char *xs = list_keys(f->s, "datasets/x");
    assert_string_equal(xs, "datasets/x/1.parquet,datasets/x/2.parquet,datasets/xy/1.parquet");
    free(xs);
    char *a = list_keys(f->s, "a");
    assert_string_equal(a, "a-,a.txt,a/a,a/b");
    free(a);
    char *exact = list_keys(f->s, "a/b");
    assert_string_equal(exact, "a/b");
    free(exact);
    char *partial = list_keys(f->s, "datasets/y/1.p");
    assert_string_equal(partial, "datasets/y/1.parquet");
    free(partial);
    char *deep = list_keys(f->s, "z/de");
    assert_string_equal(deep, "z/deep/er/k");
    free(deep);
    char *none = list_keys(f->s, "nothing/");
    assert_string_equal(none, "");
    free(none);
    char *bad = list_keys(f->s, "../");
    assert_string_equal(bad, "");
    free(bad);

    /* sizes come with the keys; stopping early */
    struct collect c = {LH_BUF_INIT, 0, 3, 0};
    assert_int_equal(lh_store_list(f->s, "", collect_fn, &c, &err), 0);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.b.ptr, "a-,a.txt,a/a");
    assert_int_equal(c.total_size, 2 + 5 + 3);
    lh_buf_release(&c.b);
}

static int delete_fn(void *ud, const char *key, const struct lh_store_stat *st)
{
    (void)st;
    return lh_store_del(ud, key, NULL) == 0 ? 0 : 1;
}

static void test_list_callback_may_delete(void **state)
{
    struct fx *f = *state;
    struct lh_error err = {0};
    for (int i = 0; i < 20; i++) {
        char key[64];
        snprintf(key, sizeof(key), "g/%d/%02d", i % 3, i);
        assert_int_equal(lh_store_put(f->s, key, "x", 1, &err), 0);
    }
    assert_int_equal(lh_store_list(f->s, "g/", delete_fn, f->s, &err), 0);
    char *left = list_keys(f->s, NULL);
    assert_string_equal(left, "");
    free(left);
    assert_int_equal(count_entries(f->bucket), 0);
}

static void test_temp_files_not_listed(void **state)
{
    struct fx *f = *state;
    struct lh_error err = {0};
    assert_int_equal(lh_store_put(f->s, "t/real", "1", 1, &err), 0);
    char *tmp1 = lh_xasprintf("%s/t/.real.tmp.0123456789abcdef", f->bucket);
    char *tmp2 = lh_xasprintf("%s/.other.tmp.ff", f->bucket);
    write_file(tmp1, "partial");
    write_file(tmp2, "partial");
    char *all = list_keys(f->s, NULL);
    assert_string_equal(all, "t/real");
    free(all);
    /* a symlink planted in the bucket is not an object either */
    char *ln = lh_xasprintf("%s/t/link", f->bucket);
    assert_int_equal(symlink("/etc/passwd", ln), 0);
    all = list_keys(f->s, "t/");
    assert_string_equal(all, "t/real");
    free(all);
    /* a plain dot file is a normal key */
    assert_int_equal(lh_store_put(f->s, "t/.keep", "", 0, &err), 0);
    all = list_keys(f->s, "t/");
    assert_string_equal(all, "t/.keep,t/real");
    free(all);
    free(ln);
    free(tmp1);
    free(tmp2);
}

static void test_bad_keys_change_nothing(void **state)
{
    struct fx *f = *state;
    struct lh_error err = {0};
    struct lh_store_stat st;
    char *d = NULL;
    size_t n = 0;
    static const char *bad[] = {"", "/abs", "a//b", "../x", "a/./b", "a\\b", "a\nb", "x/.."};
    char *src = lh_xasprintf("%s/src", f->dir);
    write_file(src, "data");
    assert_int_equal(lh_store_put(f->s, "keep", "k", 1, &err), 0);
    for (size_t i = 0; i < LH_ARRAY_LEN(bad); i++) {
        lh_error_clear(&err);
        assert_int_equal(lh_store_put(f->s, bad[i], "x", 1, &err), -LH_EINVAL);
        assert_int_equal(err.code, LH_EINVAL);
        assert_int_equal(lh_store_put_file(f->s, bad[i], src, 0, &err), -LH_EINVAL);
        assert_int_equal(lh_store_put_file(f->s, bad[i], src, LH_STORE_PUT_MOVE, &err),
                         -LH_EINVAL);
        assert_int_equal(lh_store_get(f->s, bad[i], 0, -1, &d, &n, &err), -LH_EINVAL);
        assert_null(d);
        assert_int_equal(lh_store_stat(f->s, bad[i], &st, &err), -LH_EINVAL);
        assert_int_equal(lh_store_del(f->s, bad[i], &err), -LH_EINVAL);
        assert_null(lh_store_local_path(f->s, bad[i]));
    }
    assert_int_equal(lh_store_put(f->s, NULL, "x", 1, &err), -LH_EINVAL);
    /* source untouched, bucket holds exactly the one good key, nothing outside it */
    assert_true(lh_fs_exists(src));
    assert_int_equal(count_entries(f->bucket), 1);
    assert_int_equal(count_entries(f->dir), 3); /* src, bucket/, bucket/keep */
    /* deleting the bucket's own parent via ".." is impossible */
    assert_int_equal(lh_store_del(f->s, "..", &err), -LH_EINVAL);
    assert_true(lh_fs_exists(f->bucket));
    free(src);
}

static void test_key_conflicts(void **state)
{
    struct fx *f = *state;
    struct lh_error err = {0};
    /* "a" is an object, so "a/b" cannot exist, and the other way round */
    assert_int_equal(lh_store_put(f->s, "a", "1", 1, &err), 0);
    assert_int_equal(lh_store_put(f->s, "a/b", "2", 1, &err), -LH_ECONFLICT);
    assert_int_equal(lh_store_put(f->s, "c/d", "3", 1, &err), 0);
    assert_int_equal(lh_store_put(f->s, "c", "4", 1, &err), -LH_ECONFLICT);
    assert_content(f->s, "a", "1");
    assert_content(f->s, "c/d", "3");
    char *all = list_keys(f->s, NULL);
    assert_string_equal(all, "a,c/d");
    free(all);
}

struct churn {
    struct lh_store *s;
    int id;
    int failures;
    char last_error[LH_ERRMSG_MAX];
};

/* Puts and deletes keys whose parent directories other threads keep emptying
 * (and so removing): every call must still succeed. */
static void *churn_main(void *arg)
{
    struct churn *c = arg;
    for (int i = 0; i < 200; i++) {
        char key[64], val[32];
        struct lh_error err = {0};
        snprintf(key, sizeof(key), "c/shared/%d/%d", i % 2, c->id);
        snprintf(val, sizeof(val), "%d-%d", c->id, i);
        if (lh_store_put(c->s, key, val, strlen(val), &err) != 0)
            c->failures++;
        char *d = NULL;
        size_t n = 0;
        if (lh_store_get(c->s, key, 0, -1, &d, &n, &err) != 0 || strcmp(d, val) != 0)
            c->failures++;
        free(d);
        if (lh_store_del(c->s, key, &err) != 0)
            c->failures++;
        if (c->failures && !c->last_error[0])
            snprintf(c->last_error, sizeof(c->last_error), "%s", err.msg);
    }
    return NULL;
}

static void test_concurrent_put_del(void **state)
{
    struct fx *f = *state;
    pthread_t th[4];
    struct churn c[4];
    for (int i = 0; i < 4; i++) {
        c[i] = (struct churn){f->s, i, 0, ""};
        assert_int_equal(pthread_create(&th[i], NULL, churn_main, &c[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        if (c[i].failures)
            fail_msg("thread %d: %d failures, first: %s", i, c[i].failures, c[i].last_error);
    }
    assert_int_equal(count_entries(f->bucket), 0);
}

static void test_reopen_sees_objects(void **state)
{
    struct fx *f = *state;
    struct lh_error err = {0};
    struct lh_store *s2 = NULL;
    assert_int_equal(lh_store_put(f->s, "persist/me", "yes", 3, &err), 0);
    /* trailing slash in the directory is fine */
    char *dir = lh_xasprintf("%s/", f->bucket);
    assert_int_equal(lh_store_local_open(dir, &s2, &err), 0);
    assert_content(s2, "persist/me", "yes");
    char *p = lh_store_local_path(s2, "persist/me");
    char *want = lh_xasprintf("%s/persist/me", f->bucket);
    assert_string_equal(p, want);
    free(p);
    free(want);
    free(dir);
    lh_store_close(s2);
    lh_store_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_check_good),
        cmocka_unit_test(test_key_check_bad),
        cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_get_stat_del, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overwrite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_file_copy_and_move, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_file_move_cross_fs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_order_and_prefix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_callback_may_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_temp_files_not_listed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_keys_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_conflicts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_put_del, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_sees_objects, setup, teardown),
    };
    return cmocka_run_group_tests_name("storage", tests, NULL, NULL);
}
