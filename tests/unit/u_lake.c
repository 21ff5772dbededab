/* SPDX-License-Identifier: MIT */
/* u_lake.c - unit tests of the lake use-cases: ingest modes, dedup, bad input, delete, gc, resync. */
#include "lh_common.h"
#include "buf.h"
#include "config.h"
#include "fs.h"
#include "lake.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

struct fx {
    char dir[64];
    struct lh_config cfg;
    struct lh_lake *l;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct lh_error err;
    strcpy(f->dir, "/tmp/u_lake.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    lh_config_init(&f->cfg);
    char *data = lh_xasprintf("%s/data", f->dir);
    assert_int_equal(lh_config_set(&f->cfg, "data_dir", data, &err), 0);
    assert_int_equal(lh_config_set(&f->cfg, "duckdb_threads", "2", &err), 0);
    free(data);
    assert_int_equal(lh_lake_open(&f->cfg, &f->l, &err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    lh_lake_close(f->l);
    lh_config_release(&f->cfg);
    lh_fs_rm_rf(f->dir);
    free(f);
    return 0;
}

static char *file(struct fx *f, const char *name, const void *content, size_t n)
{
    char *p = lh_xasprintf("%s/%s", f->dir, name);
    struct lh_error err;
    assert_int_equal(lh_fs_write_atomic(p, content, n, &err), 0);
    return p;
}
#define FILE_S(f, name, s) file(f, name, s, strlen(s))

static int ingest(struct fx *f, const char *path, const char *name, enum lh_ingest_mode m,
                  struct lh_ingest_result *r, struct lh_error *err)
{
    struct lh_ingest_req rq = {.path = path, .name = name, .mode = m, .header = -1};
    int rc = lh_lake_ingest(f->l, &rq, r, err);
    return rc;
}

static int64_t count(struct fx *f, const char *sql)
{
    struct lh_sql_cursor *c;
    struct lh_error err;
    struct lh_buf b = LH_BUF_INIT;
    struct lh_query_opts o = {.format = LH_FMT_CSV};
    if (lh_sql_query(f->l->sql, sql, &o, &c, &err))
        return -1;
    while (lh_sql_cursor_read(c, &b, &err) > 0)
        ;
    lh_sql_cursor_close(c);
    /* "count_star()\r\nN\r\n" */
    char *nl = strchr(b.ptr, '\n');
    int64_t v = nl ? strtoll(nl + 1, NULL, 10) : -1;
    lh_buf_release(&b);
    return v;
}

/* Number of objects in the bucket under datasets/. */
static int n_objects_cb(void *ud, const char *key, const struct lh_store_stat *st)
{
    LH_UNUSED(key);
    LH_UNUSED(st);
    (*(int *)ud)++;
    return 0;
}
static int n_objects(struct fx *f)
{
    int n = 0;
    struct lh_error err;
    assert_int_equal(lh_store_list(f->l->store, "datasets/", n_objects_cb, &n, &err), 0);
    return n;
}

static void test_modes_and_dedup(void **state)
{
    struct fx *f = *state;
    struct lh_error err;
    struct lh_ingest_result r;
    char *a = FILE_S(f, "people.csv", "id,name\n1,ann\n2,bob\n");
    char *b = FILE_S(f, "more.csv", "id,name\n3,cy\n");

    assert_int_equal(ingest(f, a, NULL, LH_INGEST_CREATE, &r, &err), 0);
    assert_string_equal(r.dataset, "people"); /* derived from the file name */
    assert_int_equal(r.rows, 2);
    assert_false(r.duplicate);
    int64_t snap1 = r.snapshot_id;
    lh_ingest_result_release(&r);
    assert_int_equal(count(f, "SELECT count(*) FROM people"), 2);
    assert_int_equal(count(f, "SELECT count(*) FROM PEOPLE"), 2);

    /* the same content again: reported, nothing changes */
    assert_int_equal(ingest(f, a, "people", LH_INGEST_APPEND, &r, &err), 0);
    assert_true(r.duplicate);
    assert_string_equal(r.duplicate_of, "people");
    assert_int_equal(r.snapshot_id, snap1);
    lh_ingest_result_release(&r);
    assert_int_equal(count(f, "SELECT count(*) FROM people"), 2);

    /* create over an existing dataset with other content is refused */
    assert_int_equal(ingest(f, b, "people", LH_INGEST_CREATE, &r, &err), -LH_EEXIST);
    assert_int_equal(count(f, "SELECT count(*) FROM people"), 2);

    assert_int_equal(ingest(f, b, "people", LH_INGEST_APPEND, &r, &err), 0);
    assert_int_equal(r.rows, 1);
    assert_int_equal(r.total_rows, 3);
    assert_true(r.snapshot_id > snap1);
    lh_ingest_result_release(&r);
    assert_int_equal(count(f, "SELECT count(*) FROM people"), 3);
    assert_int_equal(n_objects(f), 2); /* append adds a file, never rewrites */

    assert_int_equal(ingest(f, b, "people", LH_INGEST_REPLACE, &r, &err), 0);
    lh_ingest_result_release(&r);
    assert_int_equal(count(f, "SELECT count(*) FROM people"), 1);
    assert_int_equal(n_objects(f), 1); /* replaced files are removed */
    free(a);
    free(b);
}

static void test_bad_input_changes_nothing(void **state)
{
    struct fx *f = *state;
    struct lh_error err;
    struct lh_ingest_result r;
    char *good = FILE_S(f, "t.csv", "a,b\n1,2\n");
    assert_int_equal(ingest(f, good, "t", LH_INGEST_CREATE, &r, &err), 0);
    lh_ingest_result_release(&r);
    int64_t snap = lh_catalog_snapshot(f->l->cat);

    char *empty = file(f, "empty.csv", "", 0);
    assert_int_equal(ingest(f, empty, "t", LH_INGEST_APPEND, &r, &err), -LH_EINVAL);
    assert_non_null(strstr(err.msg, "empty"));

    static const unsigned char bin[] = {0x7f, 'E', 'L', 'F', 0, 1, 2, 3, 0, 0, 9};
    char *binary = file(f, "prog.csv", bin, sizeof(bin));
    assert_int_equal(ingest(f, binary, "t2", LH_INGEST_CREATE, &r, &err), -LH_EINVAL);
    assert_non_null(strstr(err.msg, "binary"));

    assert_int_equal(ingest(f, good, "Bad Name!", LH_INGEST_CREATE, &r, &err), -LH_EINVAL);
    assert_non_null(strstr(err.msg, "invalid dataset name"));
    assert_int_equal(ingest(f, good, "../etc", LH_INGEST_CREATE, &r, &err), -LH_EINVAL);

    char *other = FILE_S(f, "o.csv", "x,y,z\n1,2,3\n");
    assert_int_equal(ingest(f, other, "t", LH_INGEST_APPEND, &r, &err), -LH_ECONFLICT);
    assert_non_null(strstr(err.msg, "change unsafely"));

    char *malformed = FILE_S(f, "m.csv", "a,b\n1,2\n3\n4,5\n");
    assert_int_equal(ingest(f, malformed, "t", LH_INGEST_APPEND, &r, &err), -LH_EINVAL);
    assert_non_null(strstr(err.msg, "line 3"));

    char *badjson = FILE_S(f, "x.json", "{\"a\": [1, 2");
    assert_int_equal(ingest(f, badjson, "t3", LH_INGEST_CREATE, &r, &err), -LH_EINVAL);

    char *fakepq = FILE_S(f, "x.parquet", "not parquet at all");
    assert_int_equal(ingest(f, fakepq, "t4", LH_INGEST_CREATE, &r, &err), -LH_EINVAL);

    char *header_only = FILE_S(f, "h.csv", "a,b\n");
    assert_int_equal(ingest(f, header_only, "t5", LH_INGEST_CREATE, &r, &err), -LH_EINVAL);

    assert_int_equal(lh_catalog_snapshot(f->l->cat), snap);
    assert_int_equal(lh_catalog_count(f->l->cat), 1);
    assert_int_equal(n_objects(f), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM t"), 1);
    free(good);
    free(empty);
    free(binary);
    free(other);
    free(malformed);
    free(badjson);
    free(fakepq);
    free(header_only);
}

static void test_delete_gc_resync(void **state)
{
    struct fx *f = *state;
    struct lh_error err;
    struct lh_ingest_result r;
    char *a = FILE_S(f, "d.csv", "k,v\n1,x\n2,y\n3,z\n");
    assert_int_equal(ingest(f, a, "d", LH_INGEST_CREATE, &r, &err), 0);
    lh_ingest_result_release(&r);

    /* an orphan, as a crash between storing and committing would leave */
    assert_int_equal(lh_store_put(f->l->store, "datasets/d/orphan.parquet", "x", 1, &err), 0);
    struct lh_gc_result g;
    assert_int_equal(lh_lake_gc(f->l, &g, &err), 0);
    assert_int_equal(g.files_removed, 1);
    assert_int_equal(g.files_kept, 1);
    assert_int_equal(n_objects(f), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM d"), 3);

    /* resync repairs a wrong row count from the footer */
    struct lh_dataset *d;
    assert_int_equal(lh_catalog_get(f->l->cat, "d", &d, &err), 0);
    d->files[0].rows = 99;
    int64_t snap;
    assert_int_equal(lh_catalog_repair(f->l->cat, "d", d->columns, d->n_columns, d->files,
                                       d->n_files, &snap, &err),
                     0);
    lh_dataset_free(d);
    struct lh_resync_result rs;
    assert_int_equal(lh_lake_resync(f->l, &rs, &err), 0);
    assert_int_equal(rs.datasets_repaired, 1);
    assert_int_equal(lh_catalog_get(f->l->cat, "d", &d, &err), 0);
    assert_int_equal(d->row_count, 3);
    lh_dataset_free(d);
    assert_int_equal(lh_lake_resync(f->l, &rs, &err), 0);
    assert_int_equal(rs.datasets_repaired, 0);

    assert_int_equal(lh_lake_delete(f->l, "d", "test", &err), 0);
    assert_int_equal(lh_lake_delete(f->l, "d", "test", &err), -LH_ENOTFOUND);
    assert_int_equal(n_objects(f), 0);
    assert_true(count(f, "SELECT count(*) FROM d") < 0);
    free(a);
}

static void test_name_from_path(void **state)
{
    LH_UNUSED(state);
    char n[64];
    lh_lake_name_from_path("/x/My Data-2024.csv", n);
    assert_string_equal(n, "my_data_2024");
    lh_lake_name_from_path("2024.csv", n);
    assert_string_equal(n, "_2024");
    lh_lake_name_from_path("!!!.csv", n);
    assert_string_equal(n, "dataset");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_modes_and_dedup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_gc_resync, setup, teardown),
        cmocka_unit_test(test_name_from_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
