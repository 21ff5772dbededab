/* SPDX-License-Identifier: MIT */
/* u_sql.c - unit tests of the DuckDB engine: sandbox, statement guard, formats, limits, timeouts, conversion. */
#include "lh_common.h"
#include "buf.h"
#include "fs.h"
#include "sql.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

struct fx {
    char dir[64];
    char *parquet; /* a 1000-row dataset file named "t" */
    struct lh_sql *sql;
};

static int resolve(void *ud, const void *ctx, const char *name, struct lh_sql_source *out)
{
    struct fx *f = ud;
    if (strcmp(name, "t") != 0)
        return -LH_ENOTFOUND;
    out->paths = malloc(sizeof(char *));
    out->paths[0] = strdup(f->parquet);
    out->n_paths = 1;
    return 0;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct lh_error err;
    strcpy(f->dir, "/tmp/u_sql.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    struct lh_sql_opts o = {f->dir, 2, "1GB"};
    assert_int_equal(lh_sql_open(&o, &f->sql, &err), 0);
    lh_sql_set_resolver(f->sql, resolve, f);
    f->parquet = lh_xasprintf("%s/t.parquet", f->dir);
    char *q = lh_xasprintf("COPY (SELECT i AS id, 'name ' || i AS name, i * 1.5 AS score, "
                           "i %% 2 = 0 AS even, DATE '2024-01-01' + (i %% 30)::INT AS day "
                           "FROM range(1000) r(i)) TO '%s' (FORMAT parquet)",
                           f->parquet);
    assert_int_equal(lh_sql_exec_internal(f->sql, q, &err), 0);
    free(q);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    lh_sql_close(f->sql);
    lh_fs_rm_rf(f->dir);
    free(f->parquet);
    free(f);
    return 0;
}

/* Runs a query to completion; returns the rc of the first failure or 0. */
static int run(struct fx *f, const char *sql, enum lh_sql_format fmt, int64_t limit,
               int64_t timeout_ms, struct lh_buf *out, struct lh_error *err)
{
    struct lh_sql_cursor *c;
    struct lh_query_opts o = {.format = fmt, .row_limit = limit, .timeout_ms = timeout_ms};
    int rc = lh_sql_query(f->sql, sql, &o, &c, err);
    if (rc)
        return rc;
    while ((rc = lh_sql_cursor_read(c, out, err)) > 0)
        ;
    lh_sql_cursor_close(c);
    return rc;
}

static void test_json_result(void **state)
{
    struct fx *f = *state;
    struct lh_buf b = LH_BUF_INIT;
    struct lh_error err;
    assert_int_equal(run(f, "SELECT id, name, score, even, day FROM t WHERE id < 3 ORDER BY id",
                         LH_FMT_JSON, 0, 0, &b, &err),
                     0);
    json_error_t je;
    json_t *j = json_loads(b.ptr, 0, &je);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "row_count")), 3);
    json_t *cols = json_object_get(j, "columns");
    assert_int_equal(json_array_size(cols), 5);
    assert_string_equal(json_string_value(json_object_get(json_array_get(cols, 0), "type")),
                        "BIGINT");
    json_t *row = json_array_get(json_object_get(j, "rows"), 2);
    assert_int_equal(json_integer_value(json_array_get(row, 0)), 2);
    assert_string_equal(json_string_value(json_array_get(row, 1)), "name 2");
    assert_true(json_real_value(json_array_get(row, 2)) == 3.0 ||
                json_integer_value(json_array_get(row, 2)) == 3);
    assert_true(json_is_true(json_array_get(row, 3)));
    assert_string_equal(json_string_value(json_array_get(row, 4)), "2024-01-03");
    assert_true(json_is_false(json_object_get(j, "truncated")));
    json_decref(j);
    lh_buf_release(&b);
}

static void test_nested_and_special_values(void **state)
{
    struct fx *f = *state;
    struct lh_buf b = LH_BUF_INIT;
    struct lh_error err;
    assert_int_equal(run(f,
                         "SELECT [1,2,NULL] AS l, {'a': 1, 'b': 'x\"y'} AS s, NULL AS n, "
                         "'tab\there' AS t, 123.45::DECIMAL(10,2) AS d, 'inf'::DOUBLE AS inf, "
                         "MAP {'k': 1} AS m, TIMESTAMP '2024-05-06 07:08:09.5' AS ts",
                         LH_FMT_JSON, 0, 0, &b, &err),
                     0);
    json_t *j = json_loads(b.ptr, 0, NULL);
    assert_non_null(j);
    json_t *row = json_array_get(json_object_get(j, "rows"), 0);
    json_t *l = json_array_get(row, 0);
    assert_int_equal(json_array_size(l), 3);
    assert_true(json_is_null(json_array_get(l, 2)));
    assert_string_equal(json_string_value(json_object_get(json_array_get(row, 1), "b")), "x\"y");
    assert_true(json_is_null(json_array_get(row, 2)));
    assert_string_equal(json_string_value(json_array_get(row, 3)), "tab\there");
    assert_true(json_number_value(json_array_get(row, 4)) == 123.45);
    assert_true(json_is_null(json_array_get(row, 5))); /* inf is not JSON */
    assert_int_equal(json_integer_value(json_object_get(json_array_get(row, 6), "k")), 1);
    assert_string_equal(json_string_value(json_array_get(row, 7)), "2024-05-06 07:08:09.500000");
    json_decref(j);
    lh_buf_release(&b);
}

static void test_csv_ndjson_parquet(void **state)
{
    struct fx *f = *state;
    struct lh_buf b = LH_BUF_INIT;
    struct lh_error err;
    assert_int_equal(run(f, "SELECT id, 'a,b' AS s FROM t WHERE id < 2 ORDER BY id", LH_FMT_CSV,
                         0, 0, &b, &err),
                     0);
    assert_string_equal(b.ptr, "id,s\r\n0,\"a,b\"\r\n1,\"a,b\"\r\n");
    lh_buf_reset(&b);
    assert_int_equal(run(f, "SELECT id FROM t WHERE id < 2 ORDER BY id", LH_FMT_NDJSON, 0, 0, &b,
                         &err),
                     0);
    assert_string_equal(b.ptr, "{\"id\":0}\n{\"id\":1}\n");
    lh_buf_reset(&b);
    assert_int_equal(run(f, "SELECT * FROM t", LH_FMT_PARQUET, 0, 0, &b, &err), 0);
    assert_true(b.len > 100);
    assert_memory_equal(b.ptr, "PAR1", 4);
    assert_memory_equal(b.ptr + b.len - 4, "PAR1", 4);
    lh_buf_release(&b);
}

static void test_row_limit(void **state)
{
    struct fx *f = *state;
    struct lh_buf b = LH_BUF_INIT;
    struct lh_error err;
    struct lh_sql_cursor *c;
    struct lh_query_opts o = {.format = LH_FMT_NDJSON, .row_limit = 10};
    assert_int_equal(lh_sql_query(f->sql, "SELECT * FROM t", &o, &c, &err), 0);
    while (lh_sql_cursor_read(c, &b, &err) > 0)
        ;
    assert_int_equal(lh_sql_cursor_rows(c), 10);
    assert_true(lh_sql_cursor_truncated(c));
    lh_sql_cursor_close(c);
    /* exactly at the limit: not truncated */
    o.row_limit = 1000;
    assert_int_equal(lh_sql_query(f->sql, "SELECT * FROM t", &o, &c, &err), 0);
    while (lh_sql_cursor_read(c, &b, &err) > 0)
        ;
    assert_int_equal(lh_sql_cursor_rows(c), 1000);
    assert_false(lh_sql_cursor_truncated(c));
    lh_sql_cursor_close(c);
    /* large result streams across several reads */
    lh_buf_reset(&b);
    o.row_limit = 0;
    o.format = LH_FMT_CSV;
    assert_int_equal(lh_sql_query(f->sql, "SELECT range AS i FROM range(300000)", &o, &c, &err), 0);
    int reads = 0, rc;
    while ((rc = lh_sql_cursor_read(c, &b, &err)) > 0)
        reads++;
    assert_int_equal(rc, 0);
    assert_true(reads > 1);
    assert_int_equal(lh_sql_cursor_rows(c), 300000);
    lh_sql_cursor_close(c);
    lh_buf_release(&b);
}

static void test_statement_guard(void **state)
{
    struct fx *f = *state;
    struct lh_buf b = LH_BUF_INIT;
    struct lh_error err;
    static const char *denied[] = {
        "SELECT 1; SELECT 2",
        "CREATE TABLE x AS SELECT 1",
        "INSERT INTO t VALUES (1)",
        "COPY (SELECT 1) TO '/tmp/x.csv'",
        "ATTACH '/tmp/x.db'",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access=true",
        "DROP TABLE t",
        "CALL pragma_version()",
    };
    for (size_t i = 0; i < LH_ARRAY_LEN(denied); i++) {
        int rc = run(f, denied[i], LH_FMT_JSON, 0, 0, &b, &err);
        assert_true(rc == -LH_ENOTALLOWED || rc == -LH_ESQL);
        if (i == 0)
            assert_int_equal(rc, -LH_ENOTALLOWED);
    }
    /* sandbox: files outside the data folder are unreadable */
    int rc = run(f, "SELECT * FROM read_csv('/etc/passwd')", LH_FMT_JSON, 0, 0, &b, &err);
    assert_int_equal(rc, -LH_ESQL);
    assert_non_null(strstr(err.msg, "ermission"));
    rc = run(f, "SELECT * FROM read_text('/etc/hostname')", LH_FMT_JSON, 0, 0, &b, &err);
    assert_int_equal(rc, -LH_ESQL);
    /* errors pass DuckDB's message on */
    rc = run(f, "SELECT nope FROM t", LH_FMT_JSON, 0, 0, &b, &err);
    assert_int_equal(rc, -LH_ESQL);
    assert_non_null(strstr(err.msg, "nope"));
    rc = run(f, "", LH_FMT_JSON, 0, 0, &b, &err);
    assert_true(rc < 0);
    lh_buf_release(&b);
}

static void test_timeout(void **state)
{
    struct fx *f = *state;
    struct lh_buf b = LH_BUF_INIT;
    struct lh_error err;
    int rc = run(f, "SELECT count(*) FROM range(100000000000) a", LH_FMT_JSON, 0, 200, &b, &err);
    assert_int_equal(rc, -LH_ETIMEDOUT);
    assert_non_null(strstr(err.msg, "timed out"));
    /* the engine still works afterwards */
    lh_buf_reset(&b);
    assert_int_equal(run(f, "SELECT 42 AS x", LH_FMT_NDJSON, 0, 200, &b, &err), 0);
    assert_string_equal(b.ptr, "{\"x\":42}\n");
    lh_buf_release(&b);
}

/* An abandoned() callback that says "gone" from its n-th poll on. */
struct gone_after {
    int polls;
    int n;
};
static bool gone_after(void *ud)
{
    struct gone_after *g = ud;
    return ++g->polls >= g->n;
}

static void test_abandoned(void **state)
{
    struct fx *f = *state;
    struct lh_error err;
    struct lh_sql_cursor *c = NULL;
    struct gone_after g = {0, 3};
    struct lh_query_opts o = {.format = LH_FMT_JSON, .abandoned = gone_after, .abandoned_ud = &g};
    /* A client that goes away while the query runs stops it (no timeout set). */
    int rc = lh_sql_query(f->sql, "SELECT count(*) FROM range(100000000000) a", &o, &c, &err);
    assert_int_equal(rc, -LH_ECANCELED);
    assert_null(c);
    assert_true(g.polls >= 3);

    /* Between calls the callback is never polled: a finished first chunk, then a pause. */
    struct gone_after never = {0, 1000000};
    o.abandoned_ud = &never;
    assert_int_equal(lh_sql_query(f->sql, "SELECT id FROM t ORDER BY id", &o, &c, &err), 0);
    int polls = never.polls;
    usleep(350 * 1000);
    assert_int_equal(never.polls, polls);
    struct lh_buf b = LH_BUF_INIT;
    while ((rc = lh_sql_cursor_read(c, &b, &err)) > 0)
        ;
    assert_int_equal(rc, 0);
    assert_non_null(strstr(b.ptr, "\"row_count\":1000"));
    lh_sql_cursor_close(c);
    lh_buf_release(&b);
}

static char *write_file(struct fx *f, const char *name, const char *content)
{
    char *p = lh_xasprintf("%s/%s", f->dir, name);
    struct lh_error err;
    assert_int_equal(lh_fs_write_atomic(p, content, strlen(content), &err), 0);
    return p;
}

static void test_convert_csv(void **state)
{
    struct fx *f = *state;
    struct lh_error err;
    struct lh_convert_result r;
    char *src = write_file(f, "a.csv", "id,name,amount\n1,ann,2.5\n2,bob,3.5\n3,\"c, d\",4\n");
    char *dst = lh_xasprintf("%s/a.parquet", f->dir);
    struct lh_convert_opts o = {LH_SRC_CSV, NULL, -1, NULL, NULL};
    assert_int_equal(lh_sql_convert(f->sql, src, &o, dst, &r, &err), 0);
    assert_int_equal(r.rows, 3);
    assert_int_equal(r.n_columns, 3);
    assert_string_equal(r.columns[0].name, "id");
    assert_string_equal(r.columns[0].type, "BIGINT");
    assert_string_equal(r.columns[2].type, "DOUBLE");
    lh_convert_result_release(&r);
    int64_t rows;
    struct lh_column *cols;
    size_t n;
    assert_int_equal(lh_sql_parquet_info(f->sql, dst, &rows, &cols, &n, &err), 0);
    assert_int_equal(rows, 3);
    assert_int_equal(n, 3);
    lh_columns_free(cols, n);
    unlink(dst);

    /* malformed rows: the whole conversion fails, naming the lines */
    char *bad = write_file(f, "bad.csv",
                           "id,name,amount\n1,ann,2.5\n2,bob\n3,cy,1.0\n4,dee,5,extra\n5,eve,1\n"
                           "6,fay,2\n7,gus,3\n8,hal,4\n");
    assert_int_equal(lh_sql_convert(f->sql, bad, &o, dst, &r, &err), -LH_EINVAL);
    assert_non_null(strstr(err.msg, "line 3"));
    assert_non_null(strstr(err.msg, "line 5"));
    assert_false(lh_fs_exists(dst));
    free(bad);
    free(src);
    free(dst);
}

static void test_convert_json(void **state)
{
    struct fx *f = *state;
    struct lh_error err;
    struct lh_convert_result r;
    char *src = write_file(f, "a.json",
                           "[{\"id\":1,\"user\":{\"name\":\"a\",\"geo\":{\"city\":\"x\"}},"
                           "\"tags\":[\"p\",\"q\"]},"
                           "{\"id\":2,\"user\":{\"name\":\"b\",\"geo\":{\"city\":\"y\"}},"
                           "\"tags\":[]}]");
    char *dst = lh_xasprintf("%s/j.parquet", f->dir);
    struct lh_convert_opts o = {LH_SRC_JSON, NULL, -1, NULL, NULL};
    int crc = lh_sql_convert(f->sql, src, &o, dst, &r, &err);
    if (crc)
        fail_msg("convert: %s", err.msg);
    assert_int_equal(r.rows, 2);
    assert_int_equal(r.n_columns, 4);
    assert_string_equal(r.columns[1].name, "user_name");
    assert_string_equal(r.columns[2].name, "user_geo_city");
    assert_string_equal(r.columns[3].name, "tags");
    assert_string_equal(r.columns[3].type, "VARCHAR[]");
    lh_convert_result_release(&r);
    unlink(dst);
    free(src);

    src = write_file(f, "b.ndjson", "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n");
    assert_int_equal(lh_sql_convert(f->sql, src, &o, dst, &r, &err), 0);
    assert_int_equal(r.rows, 3);
    lh_convert_result_release(&r);
    unlink(dst);
    free(src);

    src = write_file(f, "c.json", "[{\"a\":1},{\"a\":2,]");
    assert_int_equal(lh_sql_convert(f->sql, src, &o, dst, &r, &err), -LH_EINVAL);
    assert_non_null(strstr(err.msg, "invalid JSON"));
    assert_false(lh_fs_exists(dst));
    free(src);
    free(dst);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_result),
        cmocka_unit_test(test_nested_and_special_values),
        cmocka_unit_test(test_csv_ndjson_parquet),
        cmocka_unit_test(test_row_limit),
        cmocka_unit_test(test_statement_guard),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_abandoned),
        cmocka_unit_test(test_convert_csv),
        cmocka_unit_test(test_convert_json),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
