/* SPDX-License-Identifier: MIT */
/* u_firewall.c - unit tests of the SQL firewall: the attack suite (tests/data/firewall/
 * attacks.sql) must be refused, the analytics suite (allowed.sql) allowed, messages name
 * what was refused, and garbage, truncated and deeply nested input is refused cleanly.
 * LH_FW_VERBOSE=1 prints every refusal message. */
#include "lh_common.h"
#include "buf.h"
#include "fs.h"
#include "sql.h"
#include "sql_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static const char *g_argv0;

struct fx {
    char dir[64];
    char *secret; /* a dataset "secret" whose only value is 'LEAK' */
    struct lh_sql *sql;
};

static int resolve(void *ud, const void *ctx, const char *name, struct lh_sql_source *out)
{
    struct fx *f = ud;
    if (strcmp(name, "secret") != 0)
        return -LH_ENOTFOUND;
    out->paths = malloc(sizeof(char *));
    out->paths[0] = strdup(f->secret);
    out->n_paths = 1;
    return 0;
}

/* The caller of the tests may read these names and call vec_search. */
static bool table_ok(void *ud, const char *name)
{
    (void)ud;
    return strcmp(name, "customers") == 0 || strcmp(name, "orders") == 0 ||
           strcmp(name, "v_safe") == 0;
}

static bool table_fn_ok(void *ud, const char *fn)
{
    (void)ud;
    return strcmp(fn, "vec_search") == 0;
}

static bool table_fn_any(void *ud, const char *fn)
{
    (void)ud;
    (void)fn;
    return true;
}

static const struct lh_sql_fw g_fw = {table_ok, table_fn_ok, NULL};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct lh_error err;
    strcpy(f->dir, "/tmp/u_firewall.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    struct lh_sql_opts o = {f->dir, 2, "1GB"};
    assert_int_equal(lh_sql_open(&o, &f->sql, &err), 0);
    lh_sql_set_resolver(f->sql, resolve, f);
    f->secret = lh_xasprintf("%s/secret.parquet", f->dir);
    char *q = lh_xasprintf("COPY (SELECT 'LEAK' AS v) TO '%s' (FORMAT parquet)", f->secret);
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
    free(f->secret);
    free(f);
    return 0;
}

/* ---- the .sql suites ---- */

struct entry {
    char *name;
    char *sql;
};

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    struct lh_buf b = LH_BUF_INIT;
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof(tmp), fp)) > 0)
        lh_buf_append(&b, tmp, n);
    fclose(fp);
    return lh_buf_detach(&b);
}

/* Reads tests/data/firewall/<name> from the repo root or relative to the test binary. */
static char *load_suite(const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "tests/data/firewall/%s", name);
    char *buf = slurp(path);
    if (buf || !g_argv0)
        return buf;
    const char *slash = strrchr(g_argv0, '/');
    int dl = slash ? (int)(slash - g_argv0) : 1;
    snprintf(path, sizeof(path), "%.*s/../../../tests/data/firewall/%s", dl,
             slash ? g_argv0 : ".", name);
    return slurp(path);
}

/* Splits a suite: an entry starts at a line "-- @ <name>" and runs to the next one. */
static size_t parse_suite(const char *file, struct entry **out)
{
    char *buf = load_suite(file);
    if (!buf)
        fail_msg("cannot read tests/data/firewall/%s (run from the repo root)", file);
    struct entry *v = NULL;
    size_t n = 0;
    struct lh_buf sql = LH_BUF_INIT;
    char *line = buf;
    while (line && *line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (strncmp(line, "-- @ ", 5) == 0) {
            if (n)
                v[n - 1].sql = lh_xstrdup(sql.ptr ? sql.ptr : "");
            v = realloc(v, (n + 1) * sizeof(*v));
            assert_non_null(v);
            v[n].name = lh_xstrdup(line + 5);
            v[n].sql = NULL;
            n++;
            lh_buf_reset(&sql);
        } else if (n) {
            lh_buf_puts(&sql, line);
            lh_buf_putc(&sql, '\n');
        }
        line = nl ? nl + 1 : NULL;
    }
    if (n)
        v[n - 1].sql = lh_xstrdup(sql.ptr ? sql.ptr : "");
    lh_buf_release(&sql);
    free(buf);
    *out = v;
    return n;
}

static void free_suite(struct entry *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].sql);
    }
    free(v);
}

static bool verbose(void)
{
    const char *e = getenv("LH_FW_VERBOSE");
    return e && *e && strcmp(e, "0") != 0;
}

static void test_table_sorted(void **state)
{
    (void)state;
    const char *bad = lh__sql_fw_table_check();
    if (bad)
        fail_msg("firewall allow-list is not sorted/unique/lower-case at '%s'", bad);
}

static void test_attacks_refused(void **state)
{
    struct fx *f = *state;
    struct entry *v;
    size_t n = parse_suite("attacks.sql", &v);
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        struct lh_error err = {0};
        int rc = lh_sql_firewall(f->sql, v[i].sql, &g_fw, &err);
        bool syntax = strncmp(v[i].name, "syntax:", 7) == 0;
        bool ok = rc == -LH_EPERM || (syntax && rc == -LH_ESQL);
        if (ok && err.msg[0] == '\0')
            ok = false;
        if (!ok) {
            failures++;
            printf("ATTACK NOT REFUSED: [%s] rc=%d (%s)\n%s\n", v[i].name, rc, err.msg,
                   v[i].sql);
        } else if (verbose()) {
            printf("refused  %-55s %s\n", v[i].name, err.msg);
        }
    }
    printf("%zu attacks, %d not refused\n", n, failures);
    free_suite(v, n);
    assert_true(n >= 60);
    assert_int_equal(failures, 0);
}

static void test_allowed_pass(void **state)
{
    struct fx *f = *state;
    struct entry *v;
    size_t n = parse_suite("allowed.sql", &v);
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        struct lh_error err = {0};
        int rc = lh_sql_firewall(f->sql, v[i].sql, &g_fw, &err);
        if (rc != 0) {
            failures++;
            printf("ALLOWED QUERY REFUSED: [%s] rc=%d (%s)\n%s\n", v[i].name, rc, err.msg,
                   v[i].sql);
        }
    }
    printf("%zu allowed queries, %d refused\n", n, failures);
    free_suite(v, n);
    assert_true(n >= 30);
    assert_int_equal(failures, 0);
}

/* rc and a message fragment for one query. */
static void expect(struct fx *f, const struct lh_sql_fw *fw, const char *sql, int want_rc,
                   const char *want_msg)
{
    struct lh_error err = {0};
    int rc = lh_sql_firewall(f->sql, sql, fw, &err);
    if (rc != want_rc || (want_msg && !strstr(err.msg, want_msg)))
        fail_msg("%s\n  got rc=%d msg='%s'\n  want rc=%d msg~'%s'", sql, rc, err.msg, want_rc,
                 want_msg ? want_msg : "");
}

static void test_messages(void **state)
{
    struct fx *f = *state;
    expect(f, &g_fw, "SELECT * FROM read_parquet('x.parquet')", -LH_EPERM,
           "table function read_parquet is not allowed");
    expect(f, &g_fw, "SELECT * FROM READ_CSV('x.csv')", -LH_EPERM,
           "table function read_csv is not allowed");
    expect(f, &g_fw, "SELECT getenv('HOME')", -LH_EPERM, "function getenv is not allowed");
    expect(f, &g_fw, "SELECT * FROM main.x", -LH_EPERM,
           "table main.x: qualified names are not allowed");
    expect(f, &g_fw, "SELECT * FROM lh_cache.main.x", -LH_EPERM,
           "table lh_cache.main.x: qualified names are not allowed");
    expect(f, &g_fw, "SELECT 1; SELECT 2", -LH_EPERM,
           "only one SELECT statement is allowed, got 2");
    expect(f, &g_fw, "INSERT INTO customers VALUES (1)", -LH_EPERM,
           "only one SELECT statement is allowed");
    expect(f, &g_fw, "SELECT * FROM secret", -LH_EPERM, "table secret is not allowed");
    expect(f, &g_fw, "SELECT * FROM 'x.parquet'", -LH_EPERM,
           "table 'x.parquet': file paths, URLs and globs are not allowed");
    expect(f, &g_fw, "DESCRIBE customers", -LH_EPERM, "DESCRIBE, SHOW and SUMMARIZE");
    expect(f, &g_fw, "SELECT main.lower(name) FROM customers", -LH_EPERM,
           "function main.lower: qualified names are not allowed");
    /* method-call syntax looks like a schema-qualified call: refused, with a hint */
    expect(f, &g_fw, "SELECT name.upper() FROM customers", -LH_EPERM, "write upper(x)");
    expect(f, &g_fw, "SELECT * FROM customers AT (VERSION => 1)", -LH_EPERM, "AT (time travel)");
    expect(f, &g_fw, "SELECT * FROM orders PIVOT (sum(amount) FOR status IN e)", -LH_EPERM,
           "enum");
    expect(f, &g_fw, "SELECT * FROM query_table('secret')", -LH_EPERM,
           "table function query_table is not allowed");
    expect(f, &g_fw, "SELEC 1", -LH_ESQL, "syntax error");
    expect(f, &g_fw, "", -LH_EINVAL, "no SQL statement");
    expect(f, &g_fw, NULL, -LH_EINVAL, "no SQL statement");
    expect(f, &g_fw, "  -- only a comment\n", -LH_EINVAL, "no SQL statement");
    /* A CTE named like a forbidden table hides it only where DuckDB binds the CTE. */
    expect(f, &g_fw, "WITH secret AS (SELECT 1 AS id) SELECT * FROM secret", 0, NULL);
    expect(f, &g_fw, "WITH secret AS (SELECT * FROM secret) SELECT * FROM secret", -LH_EPERM,
           "table secret is not allowed");
    expect(f, &g_fw, "WITH \"Secret\" AS (SELECT 1 AS id) SELECT * FROM secret", 0, NULL);
    /* table_ok sees the name as written */
    expect(f, &g_fw, "SELECT * FROM CUSTOMERS", -LH_EPERM, "table CUSTOMERS is not allowed");
    expect(f, &g_fw, "SELECT * FROM vec_search('idx', 'refund policy', k := 5)", 0, NULL);
}

static void test_no_callbacks(void **state)
{
    struct fx *f = *state;
    static const struct lh_sql_fw none = {NULL, NULL, NULL};
    const struct lh_sql_fw *fws[] = {NULL, &none};
    for (size_t i = 0; i < LH_ARRAY_LEN(fws); i++) {
        expect(f, fws[i], "SELECT 1 + 2 AS x", 0, NULL);
        expect(f, fws[i], "SELECT * FROM range(3) r(i) WHERE i > 0", 0, NULL);
        expect(f, fws[i], "WITH a AS (SELECT 1 AS x) SELECT * FROM a", 0, NULL);
        expect(f, fws[i], "SELECT * FROM (VALUES (1), (2)) v(x)", 0, NULL);
        expect(f, fws[i], "SELECT * FROM customers", -LH_EPERM, "table customers is not allowed");
        expect(f, fws[i], "SELECT * FROM vec_search('i', 'q')", -LH_EPERM,
               "table function vec_search is not allowed");
    }
}

/* Even a caller that allows every table function cannot reach the readers. */
static void test_table_fn_never(void **state)
{
    struct fx *f = *state;
    const struct lh_sql_fw any = {table_ok, table_fn_any, NULL};
    static const char *never[] = {
        "SELECT * FROM read_parquet('x')",      "SELECT * FROM read_text('x')",
        "SELECT * FROM parquet_scan('x')",      "SELECT * FROM parquet_metadata('x')",
        "SELECT * FROM glob('*')",              "SELECT * FROM query('SELECT 1')",
        "SELECT * FROM query_table('t')",       "SELECT * FROM duckdb_tables()",
        "SELECT * FROM pragma_table_info('t')", "SELECT * FROM sniff_csv('x')",
        "SELECT * FROM lh_scan(['x'])",         "SELECT * FROM iceberg_scan('x')",
        "SELECT * FROM json_execute_serialized_sql('x')",
    };
    for (size_t i = 0; i < LH_ARRAY_LEN(never); i++)
        expect(f, &any, never[i], -LH_EPERM, "is not allowed");
    expect(f, &any, "SELECT * FROM my_search('q')", 0, NULL);
}

/* ---- differential check of CTE scoping against DuckDB itself ---- */

static int saw_leak(void *ud, size_t ncols, const char *const *vals, const size_t *lens)
{
    bool *leak = ud;
    for (size_t i = 0; i < ncols; i++)
        if (vals[i] && lens[i] == 4 && memcmp(vals[i], "LEAK", 4) == 0)
            *leak = true;
    return 0;
}

/* Runs q (one column v) on the query engine, where "secret" is a real dataset; returns
 * whether a row read it (or -1 if DuckDB refused the query). */
static int leaks(struct fx *f, const char *q)
{
    struct lh_error err;
    bool leak = false;
    char *wrapped = lh_xasprintf("SELECT CAST(v AS VARCHAR) FROM (%s) q", q);
    int rc = lh_sql_each_row(f->sql, NULL, wrapped, saw_leak, &leak, &err);
    free(wrapped);
    return rc ? -1 : leak;
}

/* Where a name means the CTE and where the table is DuckDB's business: the walker's scope
 * rules must match it. Every query the firewall allows must not read "secret"; the refused
 * ones marked `real` do read it when run unchecked, so they are refused for a reason. */
static void test_cte_scoping_matches_duckdb(void **state)
{
    struct fx *f = *state;
    static const struct {
        bool allowed, real;
        const char *sql;
    } cases[] = {
        {true, false, "WITH secret AS (SELECT 'cte' AS v) SELECT v FROM secret"},
        {true, false, "WITH \"SECRET\" AS (SELECT 'cte' AS v) SELECT v FROM secret"},
        {false, true, "WITH secret AS (SELECT * FROM secret) SELECT v FROM secret"},
        {false, true, "WITH x AS (SELECT * FROM secret), secret AS (SELECT 'cte' AS v) "
                      "SELECT v FROM x"},
        {true, false, "WITH secret AS (SELECT 'outer' AS v) SELECT v FROM "
                      "(WITH secret AS (SELECT * FROM secret) SELECT * FROM secret)"},
        {true, false, "WITH secret AS (SELECT 'outer' AS v) SELECT v FROM "
                      "(WITH x AS (SELECT * FROM secret) SELECT * FROM x)"},
        {true, false, "WITH secret AS (SELECT 'outer' AS v), y AS (WITH secret AS "
                      "(SELECT * FROM secret) SELECT * FROM secret) SELECT v FROM y"},
        {true, false, "WITH secret AS (SELECT 'outer' AS v) SELECT (WITH secret AS "
                      "(SELECT * FROM secret) SELECT v FROM secret) AS v"},
        {false, true, "SELECT v FROM (WITH secret AS (SELECT 'cte' AS v) SELECT * FROM secret) "
                      "UNION ALL SELECT v FROM secret"},
        {false, true, "WITH a AS (WITH secret AS (SELECT 'cte' AS v) SELECT * FROM secret) "
                      "SELECT v FROM secret"},
        {false, true, "WITH RECURSIVE secret AS (SELECT v FROM secret UNION ALL "
                      "SELECT v FROM secret WHERE false) SELECT v FROM secret"},
        {true, false, "WITH RECURSIVE secret(v) AS (SELECT 'cte' UNION ALL "
                      "SELECT v FROM secret WHERE false) SELECT v FROM secret"},
        {false, true, "WITH RECURSIVE r(v, n) AS (SELECT 'a', 0 UNION ALL "
                      "SELECT (SELECT max(v) FROM secret), n + 1 FROM r WHERE n < 1) "
                      "SELECT v FROM r"},
        {true, false, "WITH a AS MATERIALIZED (SELECT 'cte' AS v), secret AS MATERIALIZED "
                      "(SELECT * FROM a) SELECT v FROM secret"},
        {false, false, "WITH secret AS MATERIALIZED (SELECT * FROM secret) SELECT v FROM secret"},
    };
    for (size_t i = 0; i < LH_ARRAY_LEN(cases); i++) {
        struct lh_error err = {0};
        int rc = lh_sql_firewall(f->sql, cases[i].sql, &g_fw, &err);
        if ((rc == 0) != cases[i].allowed)
            fail_msg("case %zu: firewall rc=%d (%s), want %s: %s", i, rc, err.msg,
                     cases[i].allowed ? "allowed" : "refused", cases[i].sql);
        int l = leaks(f, cases[i].sql);
        if (cases[i].allowed && l != 0)
            fail_msg("case %zu: allowed query %s: %s", i, l < 0 ? "fails" : "READ SECRET",
                     cases[i].sql);
        if (cases[i].real && l != 1)
            fail_msg("case %zu: refused query does not read secret unchecked (%d): %s", i, l,
                     cases[i].sql);
    }
}

/* ---- robustness ---- */

static uint64_t g_rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return (uint32_t)(g_rng % n);
}

/* Any outcome is fine except a crash, a leak (ASan) or a refusal without a message. */
static void check_clean(struct fx *f, const char *sql)
{
    struct lh_error err = {0};
    int rc = lh_sql_firewall(f->sql, sql, &g_fw, &err);
    if (rc > 0 || (rc < 0 && err.msg[0] == '\0'))
        fail_msg("bad result %d for: %s", rc, sql);
}

static void test_garbage(void **state)
{
    struct fx *f = *state;
    static const char *tok[] = {
        "SELECT", "FROM",   "WHERE", "(",          ")",         ",",        "customers",
        "secret", "orders", "*",     "read_csv",   "'x.csv'",   "1",        "+",
        "JOIN",   "ON",     "WITH",  "AS",         "UNION ALL", ".",        ";",
        "lower",  "x",      "->",    "[",          "]",         "{",        "}",
        ":",      "'",      "\"",    "OVER",       "()",        "GROUP BY", "ORDER BY",
        "LIMIT",  "PIVOT",  "FOR",   "IN",         "EXISTS",    "CASE",     "WHEN",
        "THEN",   "END",    "NOT",   "main",       "=",         "--",       "/*",
        "*/",     "$1",     "?",     "COLUMNS",    "lambda",    "QUALIFY",  "RECURSIVE",
    };
    struct lh_buf b = LH_BUF_INIT;
    for (int i = 0; i < 400; i++) {
        lh_buf_reset(&b);
        int n = 1 + (int)rnd(24);
        for (int k = 0; k < n; k++) {
            lh_buf_puts(&b, tok[rnd(LH_ARRAY_LEN(tok))]);
            lh_buf_putc(&b, ' ');
        }
        check_clean(f, b.ptr);
    }
    /* raw bytes, including invalid UTF-8 */
    for (int i = 0; i < 100; i++) {
        char raw[64];
        int n = 1 + (int)rnd(sizeof(raw) - 1);
        for (int k = 0; k < n; k++)
            raw[k] = (char)(1 + rnd(255));
        raw[n] = '\0';
        check_clean(f, raw);
    }
    check_clean(f, "SELECT '\xff\xfe' FROM customers");
    lh_buf_release(&b);
}

static void test_truncated(void **state)
{
    struct fx *f = *state;
    const char *files[] = {"attacks.sql", "allowed.sql"};
    for (size_t fi = 0; fi < LH_ARRAY_LEN(files); fi++) {
        struct entry *v;
        size_t n = parse_suite(files[fi], &v);
        for (size_t i = 0; i < n; i++) {
            size_t len = strlen(v[i].sql);
            for (int k = 1; k <= 3; k++) {
                char *cut = lh_xstrndup(v[i].sql, len * (size_t)k / 4);
                check_clean(f, cut);
                free(cut);
            }
        }
        free_suite(v, n);
    }
}

static void test_deep_nesting(void **state)
{
    struct fx *f = *state;
    struct lh_buf b = LH_BUF_INIT;
    struct lh_error err;
    /* 2000 nested parentheses around operators: DuckDB's parser refuses the depth */
    lh_buf_puts(&b, "SELECT ");
    for (int i = 0; i < 2000; i++)
        lh_buf_puts(&b, "1 + (");
    lh_buf_puts(&b, "1");
    for (int i = 0; i < 2000; i++)
        lh_buf_putc(&b, ')');
    assert_true(lh_sql_firewall(f->sql, b.ptr, &g_fw, &err) < 0);
    /* 900 levels parse, and the AST is too deep for the firewall */
    lh_buf_reset(&b);
    lh_buf_puts(&b, "SELECT ");
    for (int i = 0; i < 900; i++)
        lh_buf_puts(&b, "1 + (");
    lh_buf_puts(&b, "(SELECT count(*) FROM secret)");
    for (int i = 0; i < 900; i++)
        lh_buf_putc(&b, ')');
    assert_int_equal(lh_sql_firewall(f->sql, b.ptr, &g_fw, &err), -LH_EPERM);
    assert_non_null(strstr(err.msg, "nested too deeply"));
    /* nested scalar subqueries */
    lh_buf_reset(&b);
    for (int i = 0; i < 400; i++)
        lh_buf_puts(&b, "SELECT (");
    lh_buf_puts(&b, "SELECT 1");
    for (int i = 0; i < 400; i++)
        lh_buf_putc(&b, ')');
    assert_true(lh_sql_firewall(f->sql, b.ptr, &g_fw, &err) < 0);
    /* 2000 nested parentheses that fold away are fine */
    lh_buf_reset(&b);
    lh_buf_puts(&b, "SELECT ");
    for (int i = 0; i < 2000; i++)
        lh_buf_putc(&b, '(');
    lh_buf_puts(&b, "1");
    for (int i = 0; i < 2000; i++)
        lh_buf_putc(&b, ')');
    assert_int_equal(lh_sql_firewall(f->sql, b.ptr, &g_fw, &err), 0);

    /* the walker's own limit, on a hand-made AST that jansson still reads */
    lh_buf_reset(&b);
    lh_buf_puts(&b, "{\"error\":false,\"statements\":[{\"node\":{\"type\":\"SELECT_NODE\","
                    "\"modifiers\":[],\"cte_map\":{\"map\":[]},\"select_list\":[");
    for (int i = 0; i < 700; i++)
        lh_buf_puts(&b, "{\"class\":\"OPERATOR\",\"type\":\"OPERATOR_NOT\",\"alias\":\"\","
                        "\"children\":[");
    lh_buf_puts(&b, "{\"class\":\"COLUMN_REF\",\"type\":\"COLUMN_REF\",\"alias\":\"\","
                    "\"column_names\":[\"x\"]}");
    for (int i = 0; i < 700; i++)
        lh_buf_puts(&b, "]}");
    lh_buf_puts(&b, "],\"from_table\":{\"type\":\"EMPTY\",\"alias\":\"\",\"sample\":null}}"
                    ",\"named_param_map\":[]}]}");
    assert_int_equal(lh_sql_firewall_check_ast(b.ptr, &g_fw, &err), -LH_EPERM);
    assert_non_null(strstr(err.msg, "nested too deeply"));
    lh_buf_release(&b);
}

/* The walker on hand-made and mutated ASTs: whatever it does not know, it refuses. */
static void test_ast_unknown_refused(void **state)
{
    (void)state;
    struct lh_error err;
    static const char *bad[] = {
        NULL,
        "",
        "not json",
        "[]",
        "{\"error\":false}",
        "{\"error\":false,\"statements\":{}}",
        "{\"error\":false,\"statements\":[],\"extra\":1}",
        /* unknown node type */
        "{\"error\":false,\"statements\":[{\"node\":{\"type\":\"UPDATE_NODE\"},"
        "\"named_param_map\":[]}]}",
        /* unknown field in a known node */
        "{\"error\":false,\"statements\":[{\"node\":{\"type\":\"SELECT_NODE\",\"modifiers\":[],"
        "\"cte_map\":{\"map\":[]},\"select_list\":[],\"from_table\":{\"type\":\"EMPTY\","
        "\"alias\":\"\",\"sample\":null},\"secret_sauce\":1},\"named_param_map\":[]}]}",
        /* unknown expression class */
        "{\"error\":false,\"statements\":[{\"node\":{\"type\":\"SELECT_NODE\",\"modifiers\":[],"
        "\"cte_map\":{\"map\":[]},\"select_list\":[{\"class\":\"DEFAULT\",\"type\":\"VALUE_"
        "DEFAULT\",\"alias\":\"\"}]},\"named_param_map\":[]}]}",
        /* unknown table reference type */
        "{\"error\":false,\"statements\":[{\"node\":{\"type\":\"SELECT_NODE\",\"modifiers\":[],"
        "\"cte_map\":{\"map\":[]},\"select_list\":[],\"from_table\":{\"type\":\"COLUMN_DATA\","
        "\"alias\":\"\",\"sample\":null}},\"named_param_map\":[]}]}",
        /* an expression hidden in a data field */
        "{\"error\":false,\"statements\":[{\"node\":{\"type\":\"SELECT_NODE\",\"modifiers\":[],"
        "\"cte_map\":{\"map\":[]},\"select_list\":[{\"class\":\"CONSTANT\",\"type\":\"VALUE_"
        "CONSTANT\",\"alias\":\"\",\"value\":{\"class\":\"FUNCTION\",\"function_name\":"
        "\"read_text\"}}]},\"named_param_map\":[]}]}",
        /* duplicate keys */
        "{\"error\":false,\"error\":false,\"statements\":[]}",
        /* an unknown DuckDB error */
        "{\"error\":true,\"error_type\":\"INTERNAL\",\"error_message\":\"boom\"}",
    };
    for (size_t i = 0; i < LH_ARRAY_LEN(bad); i++) {
        err.msg[0] = '\0';
        int rc = lh_sql_firewall_check_ast(bad[i], &g_fw, &err);
        if (rc != -LH_EPERM)
            fail_msg("case %zu: rc=%d (%s)", i, rc, err.msg);
        assert_true(err.msg[0] != '\0');
    }
}

/* Random single-byte mutations of a real AST must never crash the walker. */
static void test_ast_mutations(void **state)
{
    struct fx *f = *state;
    struct lh_error err;
    char *ast = NULL;
    assert_int_equal(
        lh__sql_serialize(f->sql,
                          "WITH a AS (SELECT id, lower(name) n FROM customers) SELECT n, "
                          "count(*) OVER (PARTITION BY n) FROM a JOIN orders o ON o.id = a.id "
                          "WHERE EXISTS (SELECT 1 FROM v_safe) ORDER BY 1 LIMIT 3",
                          &ast, &err),
        0);
    assert_int_equal(lh_sql_firewall_check_ast(ast, &g_fw, &err), 0);
    size_t len = strlen(ast);
    char *m = lh_xstrdup(ast);
    static const char subst[] = "{}[]\":,0aZ_ ";
    for (int i = 0; i < 3000; i++) {
        size_t at = rnd((uint32_t)len);
        char old = m[at];
        m[at] = subst[rnd(sizeof(subst) - 1)];
        int rc = lh_sql_firewall_check_ast(m, &g_fw, &err);
        assert_true(rc == 0 || rc == -LH_EPERM || rc == -LH_ESQL || rc == -LH_EINVAL);
        m[at] = old;
    }
    free(m);
    free(ast);
}

int main(int argc, char **argv)
{
    (void)argc;
    g_argv0 = argv[0];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_sorted),
        cmocka_unit_test(test_attacks_refused),
        cmocka_unit_test(test_allowed_pass),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_no_callbacks),
        cmocka_unit_test(test_table_fn_never),
        cmocka_unit_test(test_cte_scoping_matches_duckdb),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_ast_unknown_refused),
        cmocka_unit_test(test_ast_mutations),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
