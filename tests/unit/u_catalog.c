/* SPDX-License-Identifier: MIT */
/* u_catalog.c - unit tests of the SQLite catalog: commits, reads, snapshots, concurrency. */
#include "lh_common.h"
#include "catalog.h"
#include "buf.h"
#include "fs.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sqlite3.h>

struct fx {
    char dir[64];
    char *path; /* dir/catalog.db */
    struct lh_catalog *c;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct lh_error err = {0};
    snprintf(f->dir, sizeof(f->dir), "/tmp/u_catalog.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    f->path = lh_xasprintf("%s/catalog.db", f->dir);
    if (lh_catalog_open(f->path, &f->c, &err) != 0) {
        fprintf(stderr, "open: %s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    lh_catalog_close(f->c);
    lh_fs_rm_rf(f->dir);
    free(f->path);
    free(f);
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const struct lh_column cols2[] = {
    {(char *)"id", (char *)"BIGINT"},
    {(char *)"name", (char *)"VARCHAR"},
};
static const struct lh_column cols3[] = {
    {(char *)"id", (char *)"BIGINT"},
    {(char *)"name", (char *)"VARCHAR"},
    {(char *)"tags", (char *)"VARCHAR[]"},
};

static struct lh_file mkfile(const char *key, int64_t rows, int64_t size, const char *sha,
                             const char *source)
{
    struct lh_file f = {0};
    f.key = (char *)key;
    f.rows = rows;
    f.size_bytes = size;
    f.source_sha256 = (char *)sha;
    f.source = (char *)source;
    return f;
}

/* Commits and asserts success; returns the snapshot id. Removed keys are
 * joined with ',' into *removed (may be NULL). */
static int64_t commit_ok(struct lh_catalog *c, const char *name, enum lh_commit_mode mode,
                         const struct lh_column *cols, size_t n_cols, const struct lh_file *files,
                         size_t n_files, char **removed)
{
    struct lh_commit cm = {
        .dataset = name,
        .mode = mode,
        .columns = cols,
        .n_columns = n_cols,
        .files = files,
        .n_files = n_files,
    };
    struct lh_error err = {0};
    int64_t snap = -1;
    char **rm = NULL;
    size_t n_rm = 99;
    int rc = lh_catalog_commit(c, &cm, &snap, &rm, &n_rm, &err);
    if (rc != 0)
        fail_msg("commit %s: %s", name, err.msg);
    assert_true(snap > 0);
    struct lh_buf b = LH_BUF_INIT;
    for (size_t i = 0; i < n_rm; i++)
        lh_buf_printf(&b, "%s%s", i ? "," : "", rm[i]);
    if (n_rm == 0)
        assert_null(rm);
    lh_strv_free(rm, n_rm);
    if (removed)
        *removed = lh_buf_detach(&b);
    else
        lh_buf_release(&b);
    return snap;
}

static char *join_keys(char **v, size_t n)
{
    struct lh_buf b = LH_BUF_INIT;
    for (size_t i = 0; i < n; i++)
        lh_buf_printf(&b, "%s%s", i ? "," : "", v[i]);
    return lh_buf_detach(&b);
}

/* "k1,k2" of a dataset's files from lh_catalog_files. */
static char *files_of(struct lh_catalog *c, const char *name)
{
    struct lh_error err = {0};
    char **v = NULL;
    size_t n = 0;
    int rc = lh_catalog_files(c, name, &v, &n, &err);
    if (rc != 0)
        fail_msg("files %s: %s", name, err.msg);
    char *s = join_keys(v, n);
    lh_strv_free(v, n);
    return s;
}

static char *all_keys(struct lh_catalog *c)
{
    struct lh_error err = {0};
    char **v = NULL;
    size_t n = 0;
    assert_int_equal(lh_catalog_keys(c, &v, &n, &err), 0);
    char *s = join_keys(v, n);
    lh_strv_free(v, n);
    return s;
}

static struct lh_dataset *get_ok(struct lh_catalog *c, const char *name)
{
    struct lh_error err = {0};
    struct lh_dataset *d = NULL;
    if (lh_catalog_get(c, name, &d, &err) != 0)
        fail_msg("get %s: %s", name, err.msg);
    return d;
}

static void test_empty_catalog(void **state)
{
    struct fx *f = *state;
    struct lh_error err = {0};
    struct lh_dataset **list = NULL;
    struct lh_dataset *d = NULL;
    size_t n = 9;
    char **keys = NULL;
    assert_int_equal(lh_catalog_snapshot(f->c), 0);
    assert_int_equal(lh_catalog_count(f->c), 0);
    assert_int_equal(lh_catalog_list(f->c, &list, &n, &err), 0);
    assert_int_equal(n, 0);
    lh_dataset_list_free(list, n);
    assert_int_equal(lh_catalog_get(f->c, "nope", &d, &err), -LH_ENOTFOUND);
    assert_null(d);
    assert_string_equal(err.msg, "dataset 'nope' not found");
    assert_int_equal(lh_catalog_files(f->c, "nope", &keys, &n, &err), -LH_ENOTFOUND);
    assert_null(keys);
    assert_int_equal(n, 0);
    char *k = all_keys(f->c);
    assert_string_equal(k, "");
    free(k);
    lh_dataset_free(NULL);
    lh_dataset_list_free(NULL, 0);
    lh_strv_free(NULL, 0);
}

static void test_create_get_list(void **state)
{
    struct fx *f = *state;
    struct lh_error err = {0};
    int64_t t0 = now_ms();
    struct lh_file files[] = {
        mkfile("datasets/sales/1.parquet", 10, 100, "aaaa", "sales.csv"),
        mkfile("datasets/sales/2.parquet", 20, 200, NULL, NULL),
    };
    struct lh_commit cm = {
        .dataset = "sales",
        .mode = LH_COMMIT_CREATE,
        .columns = cols2,
        .n_columns = 2,
        .files = files,
        .n_files = 2,
        .description = "Monthly sales",
        .owner = "ana",
        .tags_json = "[\"finance\", \"pii\"]",
    };
    int64_t snap = 0;
    char **rm = (char **)&err;
    size_t n_rm = 7;
    assert_int_equal(lh_catalog_commit(f->c, &cm, &snap, &rm, &n_rm, &err), 0);
    assert_int_equal(snap, 1);
    assert_null(rm);
    assert_int_equal(n_rm, 0);

    struct lh_dataset *d = get_ok(f->c, "sales");
    assert_true(d->id > 0);
    assert_string_equal(d->name, "sales");
    assert_string_equal(d->description, "Monthly sales");
    assert_string_equal(d->owner, "ana");
    assert_string_equal(d->tags_json, "[\"finance\", \"pii\"]");
    assert_true(d->created_ms >= t0 && d->created_ms <= now_ms());
    assert_int_equal(d->updated_ms, d->created_ms);
    assert_int_equal(d->snapshot_id, 1);
    assert_int_equal(d->row_count, 30);
    assert_int_equal(d->size_bytes, 300);
    assert_int_equal(d->n_columns, 2);
    assert_string_equal(d->columns[0].name, "id");
    assert_string_equal(d->columns[0].type, "BIGINT");
    assert_string_equal(d->columns[1].name, "name");
    assert_string_equal(d->columns[1].type, "VARCHAR");
    assert_int_equal(d->n_files, 2);
    assert_true(d->files[0].id > 0 && d->files[1].id > d->files[0].id);
    assert_string_equal(d->files[0].key, "datasets/sales/1.parquet");
    assert_int_equal(d->files[0].rows, 10);
    assert_int_equal(d->files[0].size_bytes, 100);
    assert_string_equal(d->files[0].source_sha256, "aaaa");
    assert_string_equal(d->files[0].source, "sales.csv");
    assert_int_equal(d->files[0].snapshot_id, 1);
    assert_string_equal(d->files[1].key, "datasets/sales/2.parquet");
    assert_null(d->files[1].source_sha256);
    assert_null(d->files[1].source);
    lh_dataset_free(d);

    /* defaults for a dataset created without metadata, and no files */
    assert_int_equal(commit_ok(f->c, "alpha", LH_COMMIT_CREATE, cols3, 3, NULL, 0, NULL), 2);
    d = get_ok(f->c, "alpha");
    assert_string_equal(d->description, "");
    assert_string_equal(d->owner, "");
    assert_string_equal(d->tags_json, "[]");
    assert_int_equal(d->row_count, 0);
    assert_int_equal(d->size_bytes, 0);
    assert_int_equal(d->n_files, 0);
    assert_int_equal(d->n_columns, 3);
    lh_dataset_free(d);
    char *k = files_of(f->c, "alpha");
    assert_string_equal(k, "");
    free(k);
    k = files_of(f->c, "sales");
    assert_string_equal(k, "datasets/sales/1.parquet,datasets/sales/2.parquet");
    free(k);

    struct lh_dataset **list = NULL;
    size_t n = 0;
    assert_int_equal(lh_catalog_list(f->c, &list, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(list[0]->name, "alpha");
    assert_string_equal(list[1]->name, "sales");
    assert_int_equal(list[1]->row_count, 30);
    assert_int_equal(list[1]->size_bytes, 300);
    assert_int_equal(list[1]->n_columns, 2);
    assert_string_equal(list[1]->columns[1].name, "name");
    assert_int_equal(list[0]->n_columns, 3);
    assert_string_equal(list[0]->columns[2].type, "VARCHAR[]");
    assert_null(list[1]->files);
    assert_int_equal(list[1]->n_files, 0);
    assert_string_equal(list[1]->owner, "ana");
    lh_dataset_list_free(list, n);
    assert_int_equal(lh_catalog_count(f->c), 2);
    assert_int_equal(lh_catalog_snapshot(f->c), 2);
}

static void test_create_twice(void **state)
{
    struct fx *f = *state;
    struct lh_error err = {0};
    struct lh_file a = mkfile("datasets/t/a.parquet", 5, 50, NULL, NULL);
    struct lh_file b = mkfile("datasets/t/b.parquet", 7, 70, NULL, NULL);
    commit_ok(f->c, "t", LH_COMMIT_CREATE, cols2, 2, &a, 1, NULL);
    struct lh_commit cm = {
        .dataset = "t",
        .mode = LH_COMMIT_CREATE,
        .columns = cols3,
        .n_columns = 3,
        .files = &b,
        .n_files = 1,
        .description = "changed",
    };
    int64_t snap = -1;
    assert_int_equal(lh_catalog_commit(f->c, &cm, &snap, NULL, NULL, &err), -LH_EEXIST);
    assert_int_equal(err.code, LH_EEXIST);
    assert_string_equal(err.msg, "dataset 't' already exists");
    assert_int_equal(snap, 0);
    assert_int_equal(lh_catalog_snapshot(f->c), 1);
    struct lh_dataset *d = get_ok(f->c, "t");
    assert_int_equal(d->n_columns, 2);
    assert_int_equal(d->n_files, 1);
    assert_int_equal(d->row_count, 5);
    assert_string_equal(d->description, "");
    assert_int_equal(d->snapshot_id, 1);
    lh_dataset_free(d);
    char *k = all_keys(f->c);
    assert_string_equal(k, "datasets/t/a.parquet");
    free(k);
}

static void test_append(void **state)
{
    struct fx *f = *state;
    struct lh_file f1 = mkfile("d/ev/1", 100, 1000, "s1", "a.csv");
    struct lh_file f23[] = {mkfile("d/ev/2", 5, 50, "s2", "b.csv"),
                            mkfile("d/ev/3", 1, 10, NULL, NULL)};
    struct lh_commit cm = {
        .dataset = "events", .mode = LH_COMMIT_CREATE, .columns = cols2, .n_columns = 2,
        .files = &f1, .n_files = 1, .description = "desc", .owner = "bob",
    };
    struct lh_error err = {0};
    int64_t s1 = 0;
    assert_int_equal(lh_catalog_commit(f->c, &cm, &s1, NULL, NULL, &err), 0);
    struct lh_dataset *d = get_ok(f->c, "events");
    int64_t created = d->created_ms;
    lh_dataset_free(d);

    char *removed = NULL;
    int64_t s2 = commit_ok(f->c, "events", LH_COMMIT_APPEND, cols3, 3, f23, 2, &removed);
    assert_int_equal(s2, s1 + 1);
    assert_string_equal(removed, "");
    free(removed);
    d = get_ok(f->c, "events");
    assert_int_equal(d->row_count, 106);
    assert_int_equal(d->size_bytes, 1060);
    assert_int_equal(d->n_files, 3);
    assert_int_equal(d->n_columns, 3); /* columns set by the append */
    assert_string_equal(d->columns[2].name, "tags");
    assert_string_equal(d->description, "desc"); /* NULL keeps */
    assert_string_equal(d->owner, "bob");
    assert_int_equal(d->created_ms, created);
    assert_true(d->updated_ms >= created);
    assert_int_equal(d->snapshot_id, s2);
    assert_int_equal(d->files[0].snapshot_id, s1);
    assert_int_equal(d->files[1].snapshot_id, s2);
    assert_int_equal(d->files[2].snapshot_id, s2);
    lh_dataset_free(d);

    /* append to a missing dataset creates it */
    struct lh_file g = mkfile("d/new/1", 3, 30, NULL, NULL);
    commit_ok(f->c, "fresh", LH_COMMIT_APPEND, cols2, 2, &g, 1, NULL);
    d = get_ok(f->c, "fresh");
    assert_int_equal(d->row_count, 3);
    assert_string_equal(d->description, "");
    lh_dataset_free(d);
    assert_int_equal(lh_catalog_count(f->c), 2);
}

static void test_replace(void **state)
{
    struct fx *f = *state;
    struct lh_file old[] = {mkfile("r/a", 1, 10, NULL, NULL), mkfile("r/b", 2, 20, NULL, NULL),
                            mkfile("r/c", 3, 30, NULL, NULL)};
    struct lh_file neu[] = {mkfile("r/b", 20, 200, "x", NULL),
                            mkfile("r/d", 40, 400, NULL, NULL)};
    commit_ok(f->c, "rep", LH_COMMIT_CREATE, cols2, 2, old, 3, NULL);
    char *removed = NULL;
    struct lh_commit cm = {
        .dataset = "rep", .mode = LH_COMMIT_REPLACE, .columns = cols3, .n_columns = 3,
        .files = neu, .n_files = 2, .description = "v2", .tags_json = "[]",
    };
    struct lh_error err = {0};
    int64_t snap = 0;
    char **rm = NULL;
    size_t n_rm = 0;
    assert_int_equal(lh_catalog_commit(f->c, &cm, &snap, &rm, &n_rm, &err), 0);
    assert_int_equal(snap, 2);
    /* r/b is reused by the new file list, so only a and c are garbage */
    removed = join_keys(rm, n_rm);
    assert_string_equal(removed, "r/a,r/c");
    free(removed);
    lh_strv_free(rm, n_rm);

    struct lh_dataset *d = get_ok(f->c, "rep");
    assert_int_equal(d->n_files, 2);
    assert_string_equal(d->files[0].key, "r/b");
    assert_int_equal(d->files[0].rows, 20);
    assert_string_equal(d->files[1].key, "r/d");
    assert_int_equal(d->row_count, 60);
    assert_int_equal(d->size_bytes, 600);
    assert_int_equal(d->n_columns, 3);
    assert_string_equal(d->description, "v2");
    lh_dataset_free(d);

    /* replace with no files empties the dataset */
    commit_ok(f->c, "rep", LH_COMMIT_REPLACE, cols2, 2, NULL, 0, &removed);
    assert_string_equal(removed, "r/b,r/d");
    free(removed);
    d = get_ok(f->c, "rep");
    assert_int_equal(d->row_count, 0);
    assert_int_equal(d->n_files, 0);
    lh_dataset_free(d);

    /* replace of a missing dataset creates it and removes nothing */
    struct lh_file z = mkfile("r/z", 9, 90, NULL, NULL);
    commit_ok(f->c, "other", LH_COMMIT_REPLACE, cols2, 2, &z, 1, &removed);
    assert_string_equal(removed, "");
    free(removed);
    d = get_ok(f->c, "other");
    assert_int_equal(d->row_count, 9);
    lh_dataset_free(d);
    char *k = all_keys(f->c);
    assert_string_equal(k, "r/z");
    free(k);
}

static void test_delete(void **state)
{
    struct fx *f = *state;
    struct lh_error err = {0};
    struct lh_file fs[] = {mkfile("x/1", 1, 1, NULL, NULL), mkfile("x/2", 1, 1, NULL, NULL)};
    struct lh_file keep = mkfile("y/1", 1, 1, NULL, NULL);
    commit_ok(f->c, "x", LH_COMMIT_CREATE, cols2, 2, fs, 2, NULL);
    commit_ok(f->c, "y", LH_COMMIT_CREATE, cols2, 2, &keep, 1, NULL);
    int64_t snap = 0;
    char **rm = NULL;
    size_t n_rm = 0;
    assert_int_equal(lh_catalog_delete(f->c, "x", "test", &snap, &rm, &n_rm, &err), 0);
    assert_int_equal(snap, 3);
    char *s = join_keys(rm, n_rm);
    assert_string_equal(s, "x/1,x/2");
    free(s);
    lh_strv_free(rm, n_rm);
    struct lh_dataset *d = NULL;
    assert_int_equal(lh_catalog_get(f->c, "x", &d, &err), -LH_ENOTFOUND);
    char **v = NULL;
    size_t n = 0;
    assert_int_equal(lh_catalog_files(f->c, "x", &v, &n, &err), -LH_ENOTFOUND);
    assert_int_equal(lh_catalog_count(f->c), 1);
    s = all_keys(f->c);
    assert_string_equal(s, "y/1");
    free(s);

    /* deleting again, or a bad name, changes nothing */
    rm = (char **)&err;
    assert_int_equal(lh_catalog_delete(f->c, "x", "test", &snap, &rm, &n_rm, &err), -LH_ENOTFOUND);
    assert_int_equal(snap, 0);
    assert_null(rm);
    assert_string_equal(err.msg, "dataset 'x' not found");
    assert_int_equal(lh_catalog_delete(f->c, "../x", "test", NULL, NULL, NULL, &err), -LH_ENOTFOUND);
    assert_int_equal(lh_catalog_snapshot(f->c), 3);

    /* the name can be reused; output pointers are optional */
    commit_ok(f->c, "x", LH_COMMIT_CREATE, cols2, 2, fs, 1, NULL);
    assert_int_equal(lh_catalog_delete(f->c, "x", "test", NULL, NULL, NULL, &err), 0);
    assert_int_equal(lh_catalog_snapshot(f->c), 5);
}

static void test_snapshot_ids(void **state)
{
    struct fx *f = *state;
    struct lh_error err = {0};
    int64_t prev = lh_catalog_snapshot(f->c);
    assert_int_equal(prev, 0);
    for (int i = 0; i < 10; i++) {
        char key[32];
        snprintf(key, sizeof(key), "s/%d", i);
        struct lh_file fl = mkfile(key, i, i, NULL, NULL);
        enum lh_commit_mode mode = i == 0 ? LH_COMMIT_CREATE
                                   : i % 3 ? LH_COMMIT_APPEND : LH_COMMIT_REPLACE;
        int64_t s = commit_ok(f->c, "snap", mode, cols2, 2, &fl, 1, NULL);
        assert_int_equal(s, prev + 1);
        assert_int_equal(lh_catalog_snapshot(f->c), s);
        prev = s;
        /* a failing commit in between consumes no id */
        struct lh_commit bad = {.dataset = "snap", .mode = LH_COMMIT_CREATE, .columns = cols2,
                                .n_columns = 2};
        assert_int_equal(lh_catalog_commit(f->c, &bad, NULL, NULL, NULL, &err), -LH_EEXIST);
    }
    struct lh_dataset *d = get_ok(f->c, "snap");
    struct lh_file fix = {.id = d->files[0].id, .rows = 1, .size_bytes = 1};
    int64_t s = 0;
    assert_int_equal(lh_catalog_repair(f->c, "snap", cols2, 2, &fix, 1, &s, &err), 0);
    assert_int_equal(s, prev + 1);
    lh_dataset_free(d);
    assert_int_equal(lh_catalog_delete(f->c, "snap", "test", &s, NULL, NULL, &err), 0);
    assert_int_equal(s, prev + 2);
    assert_int_equal(lh_catalog_snapshot(f->c), prev + 2);
}

static void test_find_source(void **state)
{
    struct fx *f = *state;
    struct lh_error err = {0};
    struct lh_file a = mkfile("fa/1", 1, 1, "feed", "x.csv");
    struct lh_file b[] = {mkfile("fb/1", 1, 1, "beef", NULL), mkfile("fb/2", 1, 1, "feed", NULL)};
    commit_ok(f->c, "a", LH_COMMIT_CREATE, cols2, 2, &a, 1, NULL);
    commit_ok(f->c, "b", LH_COMMIT_CREATE, cols2, 2, b, 2, NULL);
    char *name = NULL;
    assert_int_equal(lh_catalog_find_source(f->c, "feed", "b", &name, &err), 0);
    assert_string_equal(name, "b");
    free(name);
    assert_int_equal(lh_catalog_find_source(f->c, "feed", "a", &name, &err), 0);
    assert_string_equal(name, "a");
    free(name);
    /* no preference, or one that holds no such file: the oldest file wins */
    assert_int_equal(lh_catalog_find_source(f->c, "feed", NULL, &name, &err), 0);
    assert_string_equal(name, "a");
    free(name);
    assert_int_equal(lh_catalog_find_source(f->c, "feed", "zzz", &name, &err), 0);
    assert_string_equal(name, "a");
    free(name);
    assert_int_equal(lh_catalog_find_source(f->c, "beef", "a", &name, &err), 0);
    assert_string_equal(name, "b");
    free(name);
    assert_int_equal(lh_catalog_find_source(f->c, "cafe", NULL, &name, &err), -LH_ENOTFOUND);
    assert_null(name);
    assert_int_equal(lh_catalog_find_source(f->c, "", NULL, &name, &err), -LH_EINVAL);
    assert_int_equal(lh_catalog_delete(f->c, "a", "test", NULL, NULL, NULL, &err), 0);
    assert_int_equal(lh_catalog_find_source(f->c, "feed", NULL, &name, &err), 0);
    assert_string_equal(name, "b");
    free(name);
}

static void test_keys(void **state)
{
    struct fx *f = *state;
    struct lh_file a[] = {mkfile("k/z", 1, 1, NULL, NULL), mkfile("k/a", 1, 1, NULL, NULL)};
    struct lh_file b = mkfile("j/m", 1, 1, NULL, NULL);
    commit_ok(f->c, "a", LH_COMMIT_CREATE, cols2, 2, a, 2, NULL);
    commit_ok(f->c, "b", LH_COMMIT_CREATE, cols2, 2, &b, 1, NULL);
    char *k = all_keys(f->c);
    assert_string_equal(k, "j/m,k/a,k/z");
    free(k);
    k = files_of(f->c, "a"); /* per dataset: in commit order */
    assert_string_equal(k, "k/z,k/a");
    free(k);
}

static void test_repair(void **state)
{
    struct fx *f = *state;
    struct lh_error err = {0};
    struct lh_file a[] = {mkfile("p/1", 1, 1, NULL, NULL), mkfile("p/2", 2, 2, NULL, NULL)};
    struct lh_file o = mkfile("q/1", 5, 5, NULL, NULL);
    commit_ok(f->c, "p", LH_COMMIT_CREATE, cols2, 2, a, 2, NULL);
    commit_ok(f->c, "q", LH_COMMIT_CREATE, cols2, 2, &o, 1, NULL);
    struct lh_dataset *d = get_ok(f->c, "p");
    struct lh_dataset *q = get_ok(f->c, "q");
    struct lh_file fix[] = {{.id = d->files[0].id, .rows = 1000, .size_bytes = 4096},
                            {.id = d->files[1].id, .rows = 24, .size_bytes = 512}};
    int64_t snap = 0;
    assert_int_equal(lh_catalog_repair(f->c, "p", cols3, 3, fix, 2, &snap, &err), 0);
    assert_int_equal(snap, 3);
    struct lh_dataset *r = get_ok(f->c, "p");
    assert_int_equal(r->row_count, 1024);
    assert_int_equal(r->size_bytes, 4608);
    assert_int_equal(r->n_columns, 3);
    assert_string_equal(r->columns[2].name, "tags");
    assert_int_equal(r->snapshot_id, 3);
    assert_int_equal(r->files[0].rows, 1000);
    assert_int_equal(r->files[0].snapshot_id, 1); /* files keep the snapshot that added them */
    lh_dataset_free(r);

    /* a file id of another dataset: refused, nothing changes (not even the first file) */
    struct lh_file bad[] = {{.id = d->files[0].id, .rows = 1, .size_bytes = 1},
                            {.id = q->files[0].id, .rows = 1, .size_bytes = 1}};
    assert_int_equal(lh_catalog_repair(f->c, "p", cols2, 2, bad, 2, &snap, &err), -LH_ENOTFOUND);
    assert_int_equal(snap, 0);
    assert_non_null(strstr(err.msg, "does not belong to dataset 'p'"));
    r = get_ok(f->c, "p");
    assert_int_equal(r->row_count, 1024);
    assert_int_equal(r->n_columns, 3);
    lh_dataset_free(r);
    r = get_ok(f->c, "q");
    assert_int_equal(r->row_count, 5);
    lh_dataset_free(r);
    assert_int_equal(lh_catalog_repair(f->c, "missing", cols2, 2, NULL, 0, &snap, &err),
                     -LH_ENOTFOUND);
    assert_int_equal(lh_catalog_repair(f->c, "p", cols2, 0, NULL, 0, &snap, &err), -LH_EINVAL);
    assert_int_equal(lh_catalog_snapshot(f->c), 3);
    lh_dataset_free(d);
    lh_dataset_free(q);
}

static void test_name_check(void **state)
{
    (void)state;
    struct lh_error err = {0};
    char max[64], over[65];
    memset(max, 'a', 63);
    max[63] = '\0';
    memset(over, 'a', 64);
    over[64] = '\0';
    static const char *good[] = {"a", "_", "_x1", "abc_123", "z9", "sales_2024"};
    for (size_t i = 0; i < LH_ARRAY_LEN(good); i++)
        assert_int_equal(lh_catalog_name_check(good[i], &err), 0);
    assert_int_equal(lh_catalog_name_check(max, &err), 0);
    static const char *bad[] = {"", "A", "Sales", "1abc", "9", "a-b", "a b", "a.b", "\xc3\xa4",
                                "a/b", "x\n", "ab;drop table datasets"};
    for (size_t i = 0; i < LH_ARRAY_LEN(bad); i++) {
        lh_error_clear(&err);
        assert_int_equal(lh_catalog_name_check(bad[i], &err), -LH_EINVAL);
        assert_int_equal(err.code, LH_EINVAL);
    }
    assert_int_equal(lh_catalog_name_check(over, &err), -LH_EINVAL);
    assert_int_equal(lh_catalog_name_check(NULL, &err), -LH_EINVAL);
    assert_int_equal(lh_catalog_name_check("My-Data", &err), -LH_EINVAL);
    assert_string_equal(err.msg, "invalid dataset name 'My-Data': use 1-63 lowercase letters, "
                                 "digits or '_', starting with a letter or '_'");
    /* control characters never reach the message */
    assert_int_equal(lh_catalog_name_check("a\nb", &err), -LH_EINVAL);
    assert_non_null(strstr(err.msg, "'a?b'"));
}

static void test_bad_commits_change_nothing(void **state)
{
    struct fx *f = *state;
    struct lh_error err = {0};
    struct lh_file ok = mkfile("b/1", 1, 1, NULL, NULL);
    commit_ok(f->c, "base", LH_COMMIT_CREATE, cols2, 2, &ok, 1, NULL);
    struct lh_column dup[] = {{(char *)"a", (char *)"INT"}, {(char *)"A", (char *)"INT"}};
    struct lh_column notype[] = {{(char *)"a", (char *)""}};
    struct lh_column noname[] = {{NULL, (char *)"INT"}};
    struct lh_file badkey = mkfile("../escape", 1, 1, NULL, NULL);
    struct lh_file negrows = mkfile("b/neg", -1, 1, NULL, NULL);
    struct {
        struct lh_commit cm;
        int rc;
        const char *msg;
    } cases[] = {
        {{.dataset = "Bad", .mode = LH_COMMIT_CREATE, .columns = cols2, .n_columns = 2},
         -LH_EINVAL, "invalid dataset name 'Bad'"},
        {{.dataset = NULL, .mode = LH_COMMIT_CREATE, .columns = cols2, .n_columns = 2},
         -LH_EINVAL, "invalid dataset name"},
        {{.dataset = "n", .mode = (enum lh_commit_mode)42, .columns = cols2, .n_columns = 2},
         -LH_EINVAL, "unknown commit mode"},
        {{.dataset = "n", .mode = LH_COMMIT_CREATE, .columns = cols2, .n_columns = 0},
         -LH_EINVAL, "at least one column"},
        {{.dataset = "n", .mode = LH_COMMIT_CREATE, .columns = dup, .n_columns = 2},
         -LH_EINVAL, "duplicate column name 'A'"},
        {{.dataset = "n", .mode = LH_COMMIT_CREATE, .columns = notype, .n_columns = 1},
         -LH_EINVAL, "has no type"},
        {{.dataset = "n", .mode = LH_COMMIT_CREATE, .columns = noname, .n_columns = 1},
         -LH_EINVAL, "empty name"},
        {{.dataset = "n", .mode = LH_COMMIT_CREATE, .columns = cols2, .n_columns = 2,
          .files = &badkey, .n_files = 1},
         -LH_EINVAL, "invalid key"},
        {{.dataset = "n", .mode = LH_COMMIT_CREATE, .columns = cols2, .n_columns = 2,
          .files = &negrows, .n_files = 1},
         -LH_EINVAL, "negative"},
        {{.dataset = "base", .mode = LH_COMMIT_APPEND, .columns = cols2, .n_columns = 2,
          .tags_json = "{\"a\":1}"},
         -LH_EINVAL, "JSON array"},
        {{.dataset = "base", .mode = LH_COMMIT_REPLACE, .columns = cols2, .n_columns = 2,
          .tags_json = "[unclosed"},
         -LH_EINVAL, "JSON array"},
    };
    for (size_t i = 0; i < LH_ARRAY_LEN(cases); i++) {
        int64_t snap = -1;
        lh_error_clear(&err);
        int rc = lh_catalog_commit(f->c, &cases[i].cm, &snap, NULL, NULL, &err);
        if (rc != cases[i].rc || !strstr(err.msg, cases[i].msg))
            fail_msg("case %zu: rc %d msg '%s'", i, rc, err.msg);
        assert_int_equal(snap, 0);
    }
    assert_int_equal(lh_catalog_commit(f->c, NULL, NULL, NULL, NULL, &err), -LH_EINVAL);
    assert_int_equal(lh_catalog_snapshot(f->c), 1);
    assert_int_equal(lh_catalog_count(f->c), 1);
    char *k = all_keys(f->c);
    assert_string_equal(k, "b/1");
    free(k);
    struct lh_dataset *d = get_ok(f->c, "base");
    assert_string_equal(d->tags_json, "[]");
    lh_dataset_free(d);
}

static void test_failed_commit_rolls_back(void **state)
{
    struct fx *f = *state;
    struct lh_error err = {0};
    struct lh_file a[] = {mkfile("a/1", 10, 10, NULL, NULL), mkfile("a/2", 20, 20, NULL, NULL)};
    commit_ok(f->c, "a", LH_COMMIT_CREATE, cols2, 2, a, 2, NULL);

    /* new dataset whose second file collides with a/1: no dataset b afterwards */
    struct lh_file b[] = {mkfile("b/1", 1, 1, NULL, NULL), mkfile("a/1", 1, 1, NULL, NULL)};
    struct lh_commit cm = {.dataset = "b", .mode = LH_COMMIT_APPEND, .columns = cols2,
                           .n_columns = 2, .files = b, .n_files = 2};
    int64_t snap = -1;
    assert_int_equal(lh_catalog_commit(f->c, &cm, &snap, NULL, NULL, &err), -LH_ECONFLICT);
    assert_string_equal(err.msg, "file key 'a/1' is already in the catalog");
    assert_int_equal(snap, 0);
    struct lh_dataset *d = NULL;
    assert_int_equal(lh_catalog_get(f->c, "b", &d, &err), -LH_ENOTFOUND);

    /* duplicate key inside one commit */
    struct lh_file dup[] = {mkfile("c/1", 1, 1, NULL, NULL), mkfile("c/1", 1, 1, NULL, NULL)};
    cm = (struct lh_commit){.dataset = "c", .mode = LH_COMMIT_CREATE, .columns = cols2,
                            .n_columns = 2, .files = dup, .n_files = 2};
    assert_int_equal(lh_catalog_commit(f->c, &cm, NULL, NULL, NULL, &err), -LH_ECONFLICT);

    /* replace of a whose new files collide: a keeps its old files, columns and metadata */
    struct lh_file other = mkfile("z/1", 1, 1, NULL, NULL);
    commit_ok(f->c, "z", LH_COMMIT_CREATE, cols2, 2, &other, 1, NULL);
    struct lh_file neu[] = {mkfile("a/3", 1, 1, NULL, NULL), mkfile("z/1", 1, 1, NULL, NULL)};
    char **rm = NULL;
    size_t n_rm = 0;
    cm = (struct lh_commit){.dataset = "a", .mode = LH_COMMIT_REPLACE, .columns = cols3,
                            .n_columns = 3, .files = neu, .n_files = 2, .description = "new"};
    assert_int_equal(lh_catalog_commit(f->c, &cm, &snap, &rm, &n_rm, &err), -LH_ECONFLICT);
    assert_null(rm);
    assert_int_equal(n_rm, 0);
    d = get_ok(f->c, "a");
    assert_int_equal(d->n_files, 2);
    assert_int_equal(d->row_count, 30);
    assert_int_equal(d->n_columns, 2);
    assert_string_equal(d->description, "");
    assert_int_equal(d->snapshot_id, 1);
    lh_dataset_free(d);
    assert_int_equal(lh_catalog_snapshot(f->c), 2);
    assert_int_equal(lh_catalog_count(f->c), 2);
    char *k = all_keys(f->c);
    assert_string_equal(k, "a/1,a/2,z/1");
    free(k);
}

static void test_reopen(void **state)
{
    struct fx *f = *state;
    struct lh_error err = {0};
    struct lh_file a = mkfile("re/1", 42, 4200, "abc", "in.csv");
    struct lh_commit cm = {.dataset = "persist", .mode = LH_COMMIT_CREATE, .columns = cols3,
                           .n_columns = 3, .files = &a, .n_files = 1, .owner = "o",
                           .tags_json = "[\"t\"]"};
    assert_int_equal(lh_catalog_commit(f->c, &cm, NULL, NULL, NULL, &err), 0);
    commit_ok(f->c, "gone", LH_COMMIT_CREATE, cols2, 2, NULL, 0, NULL);
    assert_int_equal(lh_catalog_delete(f->c, "gone", "test", NULL, NULL, NULL, &err), 0);
    struct lh_dataset *before = get_ok(f->c, "persist");
    lh_catalog_close(f->c);
    f->c = NULL;

    assert_int_equal(lh_catalog_open(f->path, &f->c, &err), 0);
    assert_int_equal(lh_catalog_snapshot(f->c), 3);
    assert_int_equal(lh_catalog_count(f->c), 1);
    struct lh_dataset *after = get_ok(f->c, "persist");
    assert_int_equal(after->id, before->id);
    assert_int_equal(after->created_ms, before->created_ms);
    assert_int_equal(after->updated_ms, before->updated_ms);
    assert_int_equal(after->snapshot_id, 1);
    assert_int_equal(after->row_count, 42);
    assert_int_equal(after->size_bytes, 4200);
    assert_string_equal(after->owner, "o");
    assert_string_equal(after->tags_json, "[\"t\"]");
    assert_int_equal(after->n_columns, 3);
    assert_string_equal(after->columns[2].type, "VARCHAR[]");
    assert_int_equal(after->n_files, 1);
    assert_int_equal(after->files[0].id, before->files[0].id);
    assert_string_equal(after->files[0].source_sha256, "abc");
    assert_string_equal(after->files[0].source, "in.csv");
    lh_dataset_free(before);
    lh_dataset_free(after);

    /* the file on disk: WAL mode, schema version 1, the documented tables */
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT (SELECT value FROM meta WHERE key = "
                                        "'schema_version'), (SELECT group_concat(name, ',') FROM "
                                        "(SELECT name FROM sqlite_master WHERE type IN "
                                        "('table', 'index') AND name NOT LIKE 'sqlite_%' "
                                        "ORDER BY name)), (SELECT group_concat(kind, ',') FROM "
                                        "(SELECT kind FROM snapshots ORDER BY id))",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "2");
    assert_string_equal((const char *)sqlite3_column_text(st, 1),
                        "columns,datasets,files,files_dataset_id,files_source_sha256,journal,"
                        "journal_entity,meta,schema_history,snapshots");
    assert_string_equal((const char *)sqlite3_column_text(st, 2), "create,create,delete");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void test_open_errors(void **state)
{
    struct fx *f = *state;
    struct lh_error err = {0};
    struct lh_catalog *c = NULL;
    char *p = lh_xasprintf("%s/no/such/dir/c.db", f->dir);
    assert_true(lh_catalog_open(p, &c, &err) < 0);
    assert_null(c);
    assert_non_null(strstr(err.msg, "cannot open catalog"));
    free(p);
    p = lh_xasprintf("%s/garbage.db", f->dir);
    assert_int_equal(lh_fs_write_atomic(p, "this is not a database, just some text that is long "
                                           "enough to fill a header............................"
                                           "...............................................",
                                        150, &err),
                     0);
    assert_true(lh_catalog_open(p, &c, &err) < 0);
    assert_null(c);
    free(p);
    assert_int_equal(lh_catalog_open("", &c, &err), -LH_EINVAL);

    /* a catalog written by a newer build is refused, not modified */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE meta SET value = '3' WHERE key = 'schema_version'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(lh_catalog_open(f->path, &c, &err), -LH_EINVAL);
    assert_non_null(strstr(err.msg, "schema version 3"));
    assert_null(c);
}

struct worker {
    struct lh_catalog *c;
    int id;
    int n;
    int failures;
    char last_error[LH_ERRMSG_MAX];
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < w->n; i++) {
        char key[64];
        struct lh_error err = {0};
        snprintf(key, sizeof(key), "conc/%d/%d", w->id, i);
        struct lh_file fl = mkfile(key, 1, 10, NULL, NULL);
        struct lh_commit cm = {.dataset = "shared", .mode = LH_COMMIT_APPEND, .columns = cols2,
                               .n_columns = 2, .files = &fl, .n_files = 1};
        if (lh_catalog_commit(w->c, &cm, NULL, NULL, NULL, &err) != 0) {
            w->failures++;
            snprintf(w->last_error, sizeof(w->last_error), "%s", err.msg);
        }
        /* readers run concurrently with the writers */
        char **v = NULL;
        size_t n = 0;
        if (lh_catalog_files(w->c, "shared", &v, &n, &err) != 0 || n == 0)
            w->failures++;
        lh_strv_free(v, n);
    }
    return NULL;
}

static void test_concurrent_commits(void **state)
{
    struct fx *f = *state;
    struct lh_error err = {0};
    struct lh_catalog *c2 = NULL;
    /* two connections to the same file (like two processes), two threads each */
    assert_int_equal(lh_catalog_open(f->path, &c2, &err), 0);
    enum { THREADS = 4, PER = 25 };
    pthread_t th[THREADS];
    struct worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){i < 2 ? f->c : c2, i, PER, 0, ""};
        assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        if (w[i].failures)
            fail_msg("worker %d: %d failures, last: %s", i, w[i].failures, w[i].last_error);
    }
    assert_int_equal(lh_catalog_snapshot(f->c), THREADS * PER);
    assert_int_equal(lh_catalog_snapshot(c2), THREADS * PER);
    struct lh_dataset *d = get_ok(f->c, "shared");
    assert_int_equal(d->n_files, THREADS * PER);
    assert_int_equal(d->row_count, THREADS * PER);
    assert_int_equal(d->size_bytes, THREADS * PER * 10);
    assert_int_equal(d->snapshot_id, THREADS * PER);
    /* every snapshot id 1..100 was used by exactly one file */
    int seen[THREADS * PER + 1] = {0};
    for (size_t i = 0; i < d->n_files; i++) {
        assert_true(d->files[i].snapshot_id >= 1 && d->files[i].snapshot_id <= THREADS * PER);
        seen[d->files[i].snapshot_id]++;
    }
    for (int i = 1; i <= THREADS * PER; i++)
        assert_int_equal(seen[i], 1);
    lh_dataset_free(d);
    lh_catalog_close(c2);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_empty_catalog),
        T(test_create_get_list),
        T(test_create_twice),
        T(test_append),
        T(test_replace),
        T(test_delete),
        T(test_snapshot_ids),
        T(test_find_source),
        T(test_keys),
        T(test_repair),
        cmocka_unit_test(test_name_check),
        T(test_bad_commits_change_nothing),
        T(test_failed_commit_rolls_back),
        T(test_reopen),
        T(test_open_errors),
        T(test_concurrent_commits),
    };
#undef T
    return cmocka_run_group_tests_name("catalog", tests, NULL, NULL);
}
