/* SPDX-License-Identifier: MIT */
/* u_access.c - unit tests of src/auth (roles, column policies, keys, redaction) and
 * src/audit (append-only, filters, hash chain). */
#include "lh_common.h"
#include "audit.h"
#include "auth.h"
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
#include <sqlite3.h>

/* ---- roles ---- */

static void test_builtin_roles(void **state)
{
    struct lh_role r;
    assert_true(lh_role_builtin("admin", &r));
    assert_true(r.superuser);
    assert_int_equal(r.perms, LH_PERM_ALL);
    assert_int_equal(lh_role_column(&r, LH_SENS_RESTRICTED, LH_PII_SSN).action, LH_COL_SHOW);
    lh_role_release(&r);

    assert_true(lh_role_builtin("analyst", &r));
    assert_false(r.superuser);
    assert_true(r.perms & LH_PERM_QUERY);
    assert_false(r.perms & LH_PERM_ADMIN);
    assert_true(lh_role_may_dataset(&r, "anything"));
    assert_int_equal(lh_role_column(&r, LH_SENS_INTERNAL, LH_PII_NONE).action, LH_COL_SHOW);
    assert_int_equal(lh_role_column(&r, LH_SENS_CONFIDENTIAL, LH_PII_EMAIL).action, LH_COL_MASK);
    assert_int_equal(lh_role_column(&r, LH_SENS_RESTRICTED, LH_PII_SSN).action, LH_COL_HASH);
    lh_role_release(&r);

    assert_true(lh_role_builtin("agent", &r));
    assert_false(lh_role_may_dataset(&r, "people"));
    assert_true(lh_role_may_view(&r, "people_de"));
    assert_false(r.perms & LH_PERM_INGEST);
    assert_int_equal(lh_role_column(&r, LH_SENS_RESTRICTED, LH_PII_NONE).action, LH_COL_NULL);
    /* unknown sensitivity levels are treated as the strictest */
    assert_int_equal(lh_role_column(&r, (enum lh_sensitivity)99, LH_PII_NONE).action, LH_COL_NULL);
    lh_role_release(&r);

    assert_false(lh_role_builtin("support", &r));
}

static void test_role_json(void **state)
{
    struct lh_role r;
    struct lh_error err;
    assert_int_equal(lh_role_from_json("support",
                                       "{\"permissions\":[\"read\",\"query\"],"
                                       "\"datasets\":[\"People\"],\"views\":[\"v1\"],"
                                       "\"masks\":{\"restricted\":\"null\",\"email\":"
                                       "{\"action\":\"mask\",\"prefix\":0,\"suffix\":4}}}",
                                       &r, &err),
                     0);
    assert_int_equal(r.perms, LH_PERM_READ | LH_PERM_QUERY);
    assert_true(lh_role_may_dataset(&r, "people")); /* names are case-insensitive */
    assert_false(lh_role_may_dataset(&r, "orders"));
    assert_true(lh_role_may_view(&r, "v1"));
    struct lh_col_policy p = lh_role_column(&r, LH_SENS_CONFIDENTIAL, LH_PII_EMAIL);
    assert_int_equal(p.action, LH_COL_MASK); /* the kind override wins */
    assert_int_equal(p.prefix, 0);
    assert_int_equal(p.suffix, 4);
    assert_int_equal(lh_role_column(&r, LH_SENS_RESTRICTED, LH_PII_SSN).action, LH_COL_NULL);
    struct lh_buf b = LH_BUF_INIT;
    lh_role_json(&r, &b);
    assert_non_null(strstr(b.ptr, "\"permissions\":[\"read\",\"query\"]"));
    assert_non_null(strstr(b.ptr, "\"email\":{\"action\":\"mask\",\"prefix\":0,\"suffix\":4}"));
    /* the rendering parses back to the same role */
    struct lh_role r2;
    assert_int_equal(lh_role_from_json("support", b.ptr, &r2, &err), 0);
    assert_int_equal(r2.perms, r.perms);
    assert_int_equal(lh_role_column(&r2, LH_SENS_CONFIDENTIAL, LH_PII_EMAIL).suffix, 4);
    lh_buf_release(&b);
    lh_role_release(&r2);
    lh_role_release(&r);

    static const char *const bad[] = {
        "[]",
        "{\"permissions\":[\"fly\"]}",
        "{\"permissions\":\"read\"}",
        "{\"datasets\":[1]}",
        "{\"masks\":{\"secretish\":\"null\"}}",
        "{\"masks\":{\"email\":\"scramble\"}}",
        "{\"masks\":{\"email\":{\"action\":\"mask\",\"prefix\":-1}}}",
        "{\"masks\":{\"email\":{\"action\":\"mask\",\"prefix\":1000}}}",
        "not json",
    };
    for (size_t i = 0; i < LH_ARRAY_LEN(bad); i++) {
        if (lh_role_from_json("x", bad[i], &r, &err) != -LH_EINVAL)
            fail_msg("accepted: %s", bad[i]);
    }
}

static void test_policy_max(void **state)
{
    struct lh_col_policy show = {LH_COL_SHOW, 0, 0}, m13 = {LH_COL_MASK, 1, 3},
                         m22 = {LH_COL_MASK, 2, 2}, hash = {LH_COL_HASH, 0, 0},
                         null = {LH_COL_NULL, 0, 0};
    assert_int_equal(lh_col_policy_max(show, m13).action, LH_COL_MASK);
    struct lh_col_policy m = lh_col_policy_max(m13, m22);
    assert_int_equal(m.prefix, 1); /* the stricter mask keeps fewer characters */
    assert_int_equal(m.suffix, 2);
    assert_int_equal(lh_col_policy_max(hash, m13).action, LH_COL_HASH);
    assert_int_equal(lh_col_policy_max(hash, null).action, LH_COL_NULL);
}

/* The SQL of each policy, run by DuckDB: the values a role would see. */
static void test_policy_sql(void **state)
{
    char dir[] = "/tmp/u_access.XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct lh_sql *s;
    struct lh_error err;
    struct lh_sql_opts o = {dir, 1, "256MB"};
    assert_int_equal(lh_sql_open(&o, &s, &err), 0);
    struct lh_buf q = LH_BUF_INIT;
    lh_buf_puts(&q, "SELECT ");
    lh_col_policy_sql(&q, "e", "VARCHAR", (struct lh_col_policy){LH_COL_MASK, 1, 2}, NULL);
    lh_buf_puts(&q, ", ");
    lh_col_policy_sql(&q, "e", "VARCHAR", (struct lh_col_policy){LH_COL_HASH, 0, 0}, "salt");
    lh_buf_puts(&q, ", ");
    lh_col_policy_sql(&q, "n", "BIGINT", (struct lh_col_policy){LH_COL_NULL, 0, 0}, NULL);
    lh_buf_puts(&q, ", ");
    lh_col_policy_sql(&q, "short", "VARCHAR", (struct lh_col_policy){LH_COL_MASK, 2, 2}, NULL);
    lh_buf_puts(&q, ", ");
    lh_col_policy_sql(&q, "n", "BIGINT", (struct lh_col_policy){LH_COL_SHOW, 0, 0}, NULL);
    lh_buf_puts(&q, " FROM (SELECT 'ann@example.com' AS e, 42::BIGINT AS n, 'abc' AS short "
                    "UNION ALL SELECT NULL, NULL, NULL)");
    struct lh_query_opts qo = {.format = LH_FMT_CSV};
    struct lh_sql_cursor *c;
    assert_int_equal(lh_sql_query(s, q.ptr, &qo, &c, &err), 0);
    struct lh_buf out = LH_BUF_INIT;
    while (lh_sql_cursor_read(c, &out, &err) > 0) {
    }
    lh_sql_cursor_close(c);
    /* header, then masked row, then the NULL row stays NULL everywhere */
    char *line2 = strchr(out.ptr, '\n') + 1;
    assert_memory_equal(line2, "a************om,h_", 18);
    assert_non_null(strstr(line2, ",,***,42\r\n"));
    assert_non_null(strstr(line2, "\n,,,,\r\n"));
    assert_null(strstr(out.ptr, "ann@"));
    lh_buf_release(&out);
    lh_buf_release(&q);
    lh_sql_close(s);
    lh_fs_rm_rf(dir);
}

/* ---- keys and redaction ---- */

static void test_keys(void **state)
{
    char text[LH_KEY_TEXT_MAX], id[LH_KEY_ID_LEN + 1], hash[65], id2[LH_KEY_ID_LEN + 1];
    lh_key_generate(text, id, hash);
    assert_int_equal(strlen(text), 3 + 12 + 1 + 40);
    assert_true(lh_key_parse(text, id2));
    assert_string_equal(id, id2);
    assert_true(lh_key_verify(text, hash));
    text[20] = text[20] == 'a' ? 'b' : 'a';
    assert_false(lh_key_verify(text, hash));
    assert_false(lh_key_parse("lh_short_x", id2));
    assert_false(lh_key_parse("", id2));
    assert_false(lh_key_parse(NULL, id2));
    assert_false(lh_key_parse("lh_0123456789AB_0000000000000000000000000000000000000000", id2));
    assert_false(lh_key_verify("x", "short"));
}

static void test_redact(void **state)
{
    char s[] = "key lh_0123456789ab_0123456789abcdef0123456789abcdef01234567 and "
               "postgres://bob:hunter2@db:5432/x?password=s3cret&x=1 token=abc";
    lh_redact_secrets(s);
    assert_null(strstr(s, "0123456789abcdef0123"));
    assert_null(strstr(s, "hunter2"));
    assert_null(strstr(s, "s3cret"));
    assert_null(strstr(s, "token=abc"));
    assert_non_null(strstr(s, "lh_0123456789ab_")); /* the id stays: it names the key */
    assert_non_null(strstr(s, "postgres://bob:"));
}

/* ---- audit ---- */

static void test_audit(void **state)
{
    char dir[] = "/tmp/u_audit.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = lh_xasprintf("%s/audit.db", dir);
    struct lh_audit *a;
    struct lh_error err;
    assert_int_equal(lh_audit_open(path, &a, &err), 0);
    for (int i = 0; i < 30; i++) {
        struct lh_audit_entry e = {0};
        e.actor = i % 3 ? "key:aaaa" : "key:bbbb";
        e.role = i % 3 ? "agent" : "admin";
        e.action = i % 2 ? "query" : "search";
        e.target = "people";
        e.detail = "SELECT 1 -- lh_0123456789ab_0123456789abcdef0123456789abcdef01234567";
        e.outcome = i == 7 ? "denied" : "ok";
        e.status = i == 7 ? 403 : 200;
        e.rows = i;
        lh_audit_write(a, &e);
    }
    assert_int_equal(lh_audit_failures(a), 0);
    struct lh_buf b = LH_BUF_INIT;
    struct lh_audit_filter f = {0};
    f.actor = "key:bbbb";
    assert_int_equal(lh_audit_query_json(a, &f, &b, &err), 0);
    assert_null(strstr(b.ptr, "key:aaaa"));
    assert_null(strstr(b.ptr, "0123456789abcdef0123")); /* keys never stored */
    assert_non_null(strstr(b.ptr, "\"next_before\":null"));
    lh_buf_reset(&b);
    memset(&f, 0, sizeof(f));
    f.outcome = "denied";
    assert_int_equal(lh_audit_query_json(a, &f, &b, &err), 0);
    assert_non_null(strstr(b.ptr, "\"rows\":7"));
    assert_non_null(strstr(b.ptr, "\"status\":403"));
    lh_buf_reset(&b);
    memset(&f, 0, sizeof(f));
    f.limit = 10; /* paging: newest first, then older */
    assert_int_equal(lh_audit_query_json(a, &f, &b, &err), 0);
    assert_non_null(strstr(b.ptr, "\"id\":30,"));
    assert_non_null(strstr(b.ptr, "\"next_before\":21"));
    lh_buf_reset(&b);
    f.before_id = 21;
    assert_int_equal(lh_audit_query_json(a, &f, &b, &err), 0);
    assert_non_null(strstr(b.ptr, "\"id\":20,"));
    assert_null(strstr(b.ptr, "\"id\":21,"));
    f.limit = 5000;
    assert_int_equal(lh_audit_query_json(a, &f, &b, &err), -LH_EINVAL);
    int64_t n = 0;
    assert_int_equal(lh_audit_verify(a, &n, &err), 0);
    assert_int_equal(n, 30);
    lh_audit_close(a);

    /* append-only for SQLite clients; editing around the triggers breaks the chain */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM audit WHERE id = 5", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE audit SET rows = 1", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = 5",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(lh_audit_open(path, &a, &err), 0);
    assert_int_equal(lh_audit_verify(a, &n, &err), -LH_ECONFLICT);
    assert_non_null(strstr(err.msg, "row 6"));
    lh_audit_close(a);
    lh_buf_release(&b);
    free(path);
    lh_fs_rm_rf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_roles), cmocka_unit_test(test_role_json),
        cmocka_unit_test(test_policy_max),    cmocka_unit_test(test_policy_sql),
        cmocka_unit_test(test_keys),          cmocka_unit_test(test_redact),
        cmocka_unit_test(test_audit),
    };
    return cmocka_run_group_tests_name("access", tests, NULL, NULL);
}
