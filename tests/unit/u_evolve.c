/* SPDX-License-Identifier: MIT */
/* u_evolve.c - unit tests of src/lake/evolve.c: schema diff, type widening, renames, output. */
#include "lh_common.h"
#include "evolve.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

/* Column arrays from string literals: the diff only reads them. */
#define COL(n, t) {(char *)(n), (char *)(t)}

static const struct lh_schema_change *find_change(const struct lh_schema_diff *d,
                                                  enum lh_change_kind kind, const char *column)
{
    for (size_t k = 0; k < d->n_changes; k++)
        if (d->changes[k].kind == kind && strcmp(d->changes[k].column, column) == 0)
            return &d->changes[k];
    return NULL;
}

static void assert_merged(const struct lh_schema_diff *d, size_t i, const char *name,
                          const char *type)
{
    assert_true(i < d->n_merged);
    assert_string_equal(d->merged[i].name, name);
    assert_string_equal(d->merged[i].type, type);
}

/* Diffs a one-column schema against another and returns the single TYPE change's safety. */
static void check_type_change(const char *from, const char *to, bool safe, const char *merged)
{
    struct lh_column old[] = {COL("id", "BIGINT"), COL("v", from)};
    struct lh_column inc[] = {COL("id", "BIGINT"), COL("v", to)};
    struct lh_schema_diff d;
    lh_schema_diff(old, 2, inc, 2, &d);
    assert_int_equal(d.n_changes, 1);
    assert_int_equal(d.changes[0].kind, LH_CHANGE_TYPE);
    assert_string_equal(d.changes[0].column, "v");
    assert_null(d.changes[0].new_column);
    assert_string_equal(d.changes[0].old_type, from);
    assert_string_equal(d.changes[0].new_type, to);
    assert_true(d.changes[0].confidence == 1.0);
    assert_non_null(d.changes[0].reason);
    if (d.changes[0].safe != safe)
        fail_msg("%s -> %s: safe=%d, expected %d", from, to, d.changes[0].safe, safe);
    assert_int_equal(d.all_safe, safe);
    assert_int_equal(d.n_merged, 2);
    assert_merged(&d, 1, "v", merged);
    lh_schema_diff_release(&d);
}

/* ---- unchanged, added, removed ---- */

static void test_identical(void **state)
{
    (void)state;
    struct lh_column old[] = {COL("id", "BIGINT"), COL("Email", "VARCHAR"),
                              COL("n", "INTEGER"), COL("s", "STRUCT(a INTEGER, b VARCHAR)")};
    /* case, aliases and whitespace are not changes; neither is the case of a name */
    struct lh_column inc[] = {COL("id", "bigint"), COL("email", "TEXT"), COL("N", "INT"),
                              COL("s", "struct(a  INTEGER,b varchar)")};
    struct lh_schema_diff d;
    lh_schema_diff(old, 4, old, 4, &d);
    assert_int_equal(d.n_changes, 0);
    assert_true(d.all_safe);
    assert_int_equal(d.n_merged, 4);
    for (size_t i = 0; i < 4; i++)
        assert_merged(&d, i, old[i].name, old[i].type);
    lh_schema_diff_release(&d);

    lh_schema_diff(old, 4, inc, 4, &d);
    assert_int_equal(d.n_changes, 0);
    assert_true(d.all_safe);
    assert_int_equal(d.n_merged, 4);
    for (size_t i = 0; i < 4; i++) /* the dataset's spelling is kept */
        assert_merged(&d, i, old[i].name, old[i].type);
    char *s = lh_schema_diff_describe(&d, false);
    assert_string_equal(s, "");
    free(s);
    s = lh_schema_diff_json(&d);
    assert_string_equal(s, "[]");
    free(s);
    lh_schema_diff_release(&d);
}

static void test_added(void **state)
{
    (void)state;
    struct lh_column old[] = {COL("id", "BIGINT"), COL("name", "VARCHAR")};
    struct lh_column inc[] = {COL("signup", "DATE"), COL("id", "BIGINT"), COL("name", "VARCHAR"),
                              COL("score", "DOUBLE")};
    struct lh_schema_diff d;
    lh_schema_diff(old, 2, inc, 4, &d);
    assert_int_equal(d.n_changes, 2);
    assert_true(d.all_safe);
    assert_int_equal(d.changes[0].kind, LH_CHANGE_ADDED);
    assert_string_equal(d.changes[0].column, "signup");
    assert_null(d.changes[0].new_column);
    assert_null(d.changes[0].old_type);
    assert_string_equal(d.changes[0].new_type, "DATE");
    assert_true(d.changes[0].safe);
    assert_true(d.changes[0].confidence == 1.0);
    assert_non_null(strstr(d.changes[0].reason, "signup"));
    assert_int_equal(d.changes[1].kind, LH_CHANGE_ADDED);
    assert_string_equal(d.changes[1].column, "score");
    /* existing columns in their order, then the added ones in incoming order */
    assert_int_equal(d.n_merged, 4);
    assert_merged(&d, 0, "id", "BIGINT");
    assert_merged(&d, 1, "name", "VARCHAR");
    assert_merged(&d, 2, "signup", "DATE");
    assert_merged(&d, 3, "score", "DOUBLE");
    lh_schema_diff_release(&d);
}

static void test_removed(void **state)
{
    (void)state;
    struct lh_column old[] = {COL("id", "BIGINT"), COL("age", "INTEGER"),
                              COL("name", "VARCHAR")};
    struct lh_column inc[] = {COL("id", "BIGINT"), COL("name", "VARCHAR")};
    struct lh_schema_diff d;
    lh_schema_diff(old, 3, inc, 2, &d);
    assert_int_equal(d.n_changes, 1);
    assert_false(d.all_safe);
    const struct lh_schema_change *c = &d.changes[0];
    assert_int_equal(c->kind, LH_CHANGE_REMOVED);
    assert_string_equal(c->column, "age");
    assert_string_equal(c->old_type, "INTEGER");
    assert_null(c->new_type);
    assert_null(c->new_column);
    assert_false(c->safe);
    assert_non_null(strstr(c->reason, "age"));
    /* the dataset keeps the column */
    assert_int_equal(d.n_merged, 3);
    assert_merged(&d, 1, "age", "INTEGER");
    lh_schema_diff_release(&d);
}

/* ---- types ---- */

static void test_widening(void **state)
{
    (void)state;
    check_type_change("INTEGER", "BIGINT", true, "BIGINT");
    check_type_change("FLOAT", "DOUBLE", true, "DOUBLE");
    check_type_change("INTEGER", "DOUBLE", true, "DOUBLE");
    check_type_change("DECIMAL(10,2)", "DECIMAL(12,2)", true, "DECIMAL(12,2)");
    check_type_change("DECIMAL(10,2)", "DECIMAL(12, 4)", true, "DECIMAL(12, 4)");
    check_type_change("TINYINT", "SMALLINT", true, "SMALLINT");
    check_type_change("UINTEGER", "BIGINT", true, "BIGINT");
    check_type_change("DATE", "TIMESTAMP", true, "TIMESTAMP");
    check_type_change("INTEGER", "DECIMAL(12,2)", true, "DECIMAL(12,2)");
}

static void test_narrowing(void **state)
{
    (void)state;
    /* narrowing keeps the dataset's wider type; incompatible takes the incoming one */
    check_type_change("BIGINT", "INTEGER", false, "BIGINT");
    check_type_change("DOUBLE", "INTEGER", false, "DOUBLE");
    check_type_change("DECIMAL(10,2)", "DECIMAL(10,1)", false, "DECIMAL(10,1)");
    check_type_change("DECIMAL(12,2)", "DECIMAL(10,2)", false, "DECIMAL(12,2)");
    check_type_change("VARCHAR", "BIGINT", false, "BIGINT");
    check_type_change("BIGINT", "VARCHAR", false, "VARCHAR");
    check_type_change("BIGINT", "DOUBLE", false, "DOUBLE");
    check_type_change("INTEGER", "UINTEGER", false, "UINTEGER");
    check_type_change("DECIMAL(10,2)", "DECIMAL(11,1)", false, "DECIMAL(11,1)");
    check_type_change("STRUCT(a INTEGER)", "STRUCT(a BIGINT)", false, "STRUCT(a BIGINT)");
    check_type_change("TIMESTAMP", "TIMESTAMP WITH TIME ZONE", false,
                      "TIMESTAMP WITH TIME ZONE");
}

static void test_type_widens_table(void **state)
{
    (void)state;
    static const struct {
        const char *from, *to;
        bool widens;
    } cases[] = {
        {"INTEGER", "INTEGER", true},
        {"integer", "INTEGER", true},
        {"INT", "INTEGER", true},
        {"TINYINT", "HUGEINT", true},
        {"SMALLINT", "INTEGER", true},
        {"BIGINT", "HUGEINT", true},
        {"HUGEINT", "BIGINT", false},
        {"UTINYINT", "USMALLINT", true},
        {"UTINYINT", "SMALLINT", true},
        {"UTINYINT", "TINYINT", false},
        {"UBIGINT", "HUGEINT", true},
        {"UBIGINT", "UHUGEINT", true},
        {"UHUGEINT", "HUGEINT", false},
        {"TINYINT", "UTINYINT", false},
        {"SMALLINT", "FLOAT", true},
        {"INTEGER", "FLOAT", false},
        {"UINTEGER", "DOUBLE", true},
        {"BIGINT", "DOUBLE", false},
        {"FLOAT", "DOUBLE", true},
        {"DOUBLE", "FLOAT", false},
        {"REAL", "DOUBLE", true},
        {"DOUBLE", "DECIMAL(38,10)", false},
        {"DECIMAL(18,3)", "DOUBLE", false},
        {"BIGINT", "DECIMAL(19,0)", true},
        {"BIGINT", "DECIMAL(18,0)", false},
        {"UBIGINT", "DECIMAL(20,0)", true},
        {"HUGEINT", "DECIMAL(38,0)", false},
        {"DECIMAL(10,2)", "DECIMAL(12,2)", true},
        {"DECIMAL(10, 2)", "decimal(12,2)", true},
        {"DECIMAL(10,2)", "DECIMAL(10,1)", false},
        {"DECIMAL(10,2)", "DECIMAL(10,3)", false},
        {"DECIMAL", "DECIMAL(18,3)", true},
        {"NUMERIC(9)", "DECIMAL(9,0)", true},
        {"DECIMAL(5,2)", "DECIMAL", true},
        {"DATE", "TIMESTAMP", true},
        {"DATE", "TIMESTAMP_NS", false},
        {"TIMESTAMP", "DATE", false},
        {"TIMESTAMP_S", "TIMESTAMP_MS", true},
        {"TIMESTAMP_MS", "TIMESTAMP", true},
        {"TIMESTAMP", "TIMESTAMP_NS", false},
        {"TIMESTAMP_NS", "TIMESTAMP", false},
        {"TIMESTAMP", "TIMESTAMP WITH TIME ZONE", false},
        {"timestamp   with time zone", "TIMESTAMPTZ", true},
        {"TIME", "TIMESTAMP", false},
        {"INTEGER", "VARCHAR", false},
        {"VARCHAR", "JSON", false},
        {"JSON", "VARCHAR", false},
        {"VARCHAR(20)", "VARCHAR", true},
        {"UUID", "VARCHAR", false},
        {"BLOB", "VARCHAR", false},
        {"BOOLEAN", "BOOL", true},
        {"BOOLEAN", "INTEGER", false},
        {"INTERVAL", "INTERVAL", true},
        {"VARCHAR[]", "VARCHAR[]", true},
        {"INTEGER[]", "BIGINT[]", true},
        {"BIGINT[]", "INTEGER[]", false},
        {"INTEGER[][]", "BIGINT[][]", true},
        {"INTEGER[]", "BIGINT[][]", false},
        {"INTEGER[]", "BIGINT", false},
        {"INTEGER", "BIGINT[]", false},
        {"FLOAT[3]", "DOUBLE[3]", true},
        {"FLOAT[3]", "DOUBLE[4]", false},
        {"LIST(INT)", "BIGINT[]", true},
        {"STRUCT(a INTEGER, b VARCHAR)", "struct(A integer,B  VARCHAR)", true},
        {"STRUCT(a INTEGER, b VARCHAR)", "STRUCT(a BIGINT, b VARCHAR)", false},
        {"STRUCT(a INTEGER)[]", "STRUCT(a INTEGER)[]", true},
        {"MAP(VARCHAR, INTEGER)", "MAP(VARCHAR, BIGINT)", false},
        {"", "", true},
        {"", "INTEGER", false},
    };
    for (size_t i = 0; i < LH_ARRAY_LEN(cases); i++)
        if (lh_type_widens(cases[i].from, cases[i].to) != cases[i].widens)
            fail_msg("lh_type_widens(\"%s\", \"%s\") != %d", cases[i].from, cases[i].to,
                     cases[i].widens);
    assert_false(lh_type_widens(NULL, "INTEGER"));
    assert_false(lh_type_widens("INTEGER", NULL));
    assert_true(lh_type_equal("int", "INTEGER"));
    assert_true(lh_type_equal("decimal", "DECIMAL(18,3)"));
    assert_true(lh_type_equal("STRUCT(a INT)[]", "struct( a int )[]"));
    assert_false(lh_type_equal("INTEGER", "BIGINT"));
    assert_true(lh_type_equal(NULL, NULL));
    assert_false(lh_type_equal(NULL, "INTEGER"));
}

static void test_list_widening(void **state)
{
    (void)state;
    check_type_change("INTEGER[]", "BIGINT[]", true, "BIGINT[]");
    check_type_change("FLOAT[]", "DOUBLE[]", true, "DOUBLE[]");
    check_type_change("BIGINT[]", "INTEGER[]", false, "BIGINT[]");
    check_type_change("VARCHAR[]", "BIGINT[]", false, "BIGINT[]");
    check_type_change("INTEGER[]", "INTEGER", false, "INTEGER");
}

/* ---- renames ---- */

static void expect_rename(const char *from, const char *to, const char *from_type,
                          const char *to_type)
{
    struct lh_column old[] = {COL("id", "BIGINT"), COL(from, from_type), COL("ts", "TIMESTAMP")};
    struct lh_column inc[] = {COL("id", "BIGINT"), COL(to, to_type), COL("ts", "TIMESTAMP")};
    struct lh_schema_diff d;
    lh_schema_diff(old, 3, inc, 3, &d);
    if (d.n_changes != 1 || d.changes[0].kind != LH_CHANGE_RENAMED)
        fail_msg("%s -> %s: not found as a rename (%zu changes)", from, to, d.n_changes);
    const struct lh_schema_change *c = &d.changes[0];
    assert_string_equal(c->column, from);
    assert_string_equal(c->new_column, to);
    assert_string_equal(c->old_type, from_type);
    assert_string_equal(c->new_type, to_type);
    if (c->confidence < 0.6 || c->confidence > 1.0)
        fail_msg("%s -> %s: confidence %.2f", from, to, c->confidence);
    assert_false(c->safe);
    assert_false(d.all_safe);
    assert_non_null(c->reason);
    /* the renamed column keeps the dataset's name and place */
    assert_int_equal(d.n_merged, 3);
    assert_merged(&d, 1, from, lh_type_widens(from_type, to_type) ? to_type : from_type);
    lh_schema_diff_release(&d);
}

static void expect_no_rename(const char *from, const char *to, const char *from_type,
                             const char *to_type)
{
    struct lh_column old[] = {COL("id", "BIGINT"), COL(from, from_type)};
    struct lh_column inc[] = {COL("id", "BIGINT"), COL(to, to_type)};
    struct lh_schema_diff d;
    lh_schema_diff(old, 2, inc, 2, &d);
    assert_int_equal(d.n_changes, 2);
    const struct lh_schema_change *rm = find_change(&d, LH_CHANGE_REMOVED, from);
    const struct lh_schema_change *add = find_change(&d, LH_CHANGE_ADDED, to);
    if (!rm || !add)
        fail_msg("%s -> %s: expected removed + added", from, to);
    assert_int_equal(d.n_merged, 3);
    assert_merged(&d, 1, from, from_type);
    assert_merged(&d, 2, to, to_type);
    lh_schema_diff_release(&d);
}

static void test_renames_found(void **state)
{
    (void)state;
    expect_rename("zip", "zip_code", "VARCHAR", "VARCHAR");
    expect_rename("custEmail", "customer_email", "VARCHAR", "VARCHAR");
    expect_rename("qty", "quantity", "INTEGER", "INTEGER");
    expect_rename("e_mail", "email", "VARCHAR", "VARCHAR");
    expect_rename("CustomerID", "customer_id", "BIGINT", "BIGINT");
    expect_rename("phone_no", "phone_number", "VARCHAR", "VARCHAR");
    expect_rename("addr", "address", "VARCHAR", "VARCHAR");
    expect_rename("dob", "date_of_birth", "DATE", "DATE");
    expect_rename("order_dt", "order_date", "DATE", "TIMESTAMP");
    /* a widening type still allows the rename, a narrowing one too (compatible) */
    expect_rename("qty", "quantity", "INTEGER", "BIGINT");
    expect_rename("qty", "quantity", "BIGINT", "INTEGER");

    assert_true(lh_name_similarity("e_mail", "email") == 1.0);
    assert_true(lh_name_similarity("CustomerID", "customer_id") == 1.0);
    assert_true(lh_name_similarity("zip", "zip_code") > lh_name_similarity("zip", "quantity"));
    assert_true(lh_name_similarity("", "x") == 0.0);
    assert_true(lh_name_similarity(NULL, NULL) == 0.0);
}

static void test_renames_not_found(void **state)
{
    (void)state;
    expect_no_rename("city", "salary", "VARCHAR", "VARCHAR");
    expect_no_rename("a", "b", "INTEGER", "INTEGER");
    expect_no_rename("notes", "amount", "VARCHAR", "DECIMAL(10,2)");
    /* similar names but incompatible types */
    expect_no_rename("qty", "quantity", "VARCHAR", "INTEGER");
    /* one token swapped for another: another column */
    expect_no_rename("first_name", "last_name", "VARCHAR", "VARCHAR");
    expect_no_rename("created_at", "updated_at", "TIMESTAMP", "TIMESTAMP");
    expect_no_rename("col1", "col2", "INTEGER", "INTEGER");
    expect_no_rename("city", "capacity", "INTEGER", "INTEGER");
    expect_no_rename("total", "subtotal", "DOUBLE", "DOUBLE");

    /* id -> name among other columns */
    struct lh_column old[] = {COL("id", "VARCHAR"), COL("x", "INTEGER")};
    struct lh_column inc[] = {COL("name", "VARCHAR"), COL("x", "INTEGER")};
    struct lh_schema_diff d;
    lh_schema_diff(old, 2, inc, 2, &d);
    assert_int_equal(d.n_changes, 2);
    assert_non_null(find_change(&d, LH_CHANGE_REMOVED, "id"));
    assert_non_null(find_change(&d, LH_CHANGE_ADDED, "name"));
    lh_schema_diff_release(&d);
}

static void test_two_renames(void **state)
{
    (void)state;
    /* incoming order swapped so position does not give the answer away */
    struct lh_column old[] = {COL("id", "BIGINT"), COL("zip", "VARCHAR"), COL("qty", "INTEGER"),
                              COL("custEmail", "VARCHAR")};
    struct lh_column inc[] = {COL("id", "BIGINT"), COL("customer_email", "VARCHAR"),
                              COL("quantity", "BIGINT"), COL("zip_code", "VARCHAR")};
    struct lh_schema_diff d;
    lh_schema_diff(old, 4, inc, 4, &d);
    assert_int_equal(d.n_changes, 3);
    const struct lh_schema_change *c = find_change(&d, LH_CHANGE_RENAMED, "zip");
    assert_non_null(c);
    assert_string_equal(c->new_column, "zip_code");
    c = find_change(&d, LH_CHANGE_RENAMED, "qty");
    assert_non_null(c);
    assert_string_equal(c->new_column, "quantity");
    assert_string_equal(c->new_type, "BIGINT");
    c = find_change(&d, LH_CHANGE_RENAMED, "custEmail");
    assert_non_null(c);
    assert_string_equal(c->new_column, "customer_email");
    /* dataset order */
    assert_string_equal(d.changes[0].column, "zip");
    assert_string_equal(d.changes[1].column, "qty");
    assert_string_equal(d.changes[2].column, "custEmail");
    assert_int_equal(d.n_merged, 4);
    assert_merged(&d, 0, "id", "BIGINT");
    assert_merged(&d, 1, "zip", "VARCHAR");
    assert_merged(&d, 2, "qty", "BIGINT");
    assert_merged(&d, 3, "custEmail", "VARCHAR");
    lh_schema_diff_release(&d);

    /* each column is used once: the better candidate wins, the other is added */
    struct lh_column old2[] = {COL("zip", "VARCHAR")};
    struct lh_column inc2[] = {COL("zip_code_ext", "VARCHAR"), COL("zipcode", "VARCHAR")};
    lh_schema_diff(old2, 1, inc2, 2, &d);
    assert_int_equal(d.n_changes, 2);
    c = find_change(&d, LH_CHANGE_RENAMED, "zip");
    assert_non_null(c);
    assert_string_equal(c->new_column, "zipcode");
    assert_non_null(find_change(&d, LH_CHANGE_ADDED, "zip_code_ext"));
    lh_schema_diff_release(&d);
}

static void test_rename_confidence(void **state)
{
    (void)state;
    /* equal types score higher than a widening; a matching position adds a little */
    struct lh_column old[] = {COL("qty", "INTEGER")};
    struct lh_column same[] = {COL("quantity", "INTEGER")};
    struct lh_column wider[] = {COL("quantity", "BIGINT")};
    struct lh_column moved[] = {COL("other", "VARCHAR"), COL("quantity", "INTEGER")};
    struct lh_schema_diff d1, d2, d3;
    lh_schema_diff(old, 1, same, 1, &d1);
    lh_schema_diff(old, 1, wider, 1, &d2);
    lh_schema_diff(old, 1, moved, 2, &d3);
    assert_int_equal(d1.changes[0].kind, LH_CHANGE_RENAMED);
    assert_int_equal(d2.changes[0].kind, LH_CHANGE_RENAMED);
    assert_int_equal(d3.changes[0].kind, LH_CHANGE_RENAMED);
    assert_true(d1.changes[0].confidence > d2.changes[0].confidence);
    assert_true(d1.changes[0].confidence > d3.changes[0].confidence);
    lh_schema_diff_release(&d1);
    lh_schema_diff_release(&d2);
    lh_schema_diff_release(&d3);

    /* names equal but for separators: confidence 1 */
    struct lh_column o4[] = {COL("e_mail", "VARCHAR")};
    struct lh_column i4[] = {COL("email", "VARCHAR")};
    lh_schema_diff(o4, 1, i4, 1, &d1);
    assert_int_equal(d1.changes[0].kind, LH_CHANGE_RENAMED);
    assert_true(d1.changes[0].confidence == 1.0);
    lh_schema_diff_release(&d1);
}

static void test_rename_and_add(void **state)
{
    (void)state;
    struct lh_column old[] = {COL("id", "BIGINT"), COL("e_mail", "VARCHAR"),
                              COL("age", "INTEGER")};
    struct lh_column inc[] = {COL("id", "BIGINT"), COL("email", "VARCHAR"), COL("age", "BIGINT"),
                              COL("signup_date", "DATE")};
    struct lh_schema_diff d;
    lh_schema_diff(old, 3, inc, 4, &d);
    assert_int_equal(d.n_changes, 3);
    assert_int_equal(d.changes[0].kind, LH_CHANGE_RENAMED);
    assert_string_equal(d.changes[0].column, "e_mail");
    assert_string_equal(d.changes[0].new_column, "email");
    assert_int_equal(d.changes[1].kind, LH_CHANGE_TYPE);
    assert_string_equal(d.changes[1].column, "age");
    assert_true(d.changes[1].safe);
    assert_int_equal(d.changes[2].kind, LH_CHANGE_ADDED);
    assert_string_equal(d.changes[2].column, "signup_date");
    assert_true(d.changes[2].safe);
    assert_false(d.all_safe);
    assert_int_equal(d.n_merged, 4);
    assert_merged(&d, 0, "id", "BIGINT");
    assert_merged(&d, 1, "e_mail", "VARCHAR");
    assert_merged(&d, 2, "age", "BIGINT");
    assert_merged(&d, 3, "signup_date", "DATE");
    lh_schema_diff_release(&d);
}

/* ---- renderings ---- */

static void test_describe_and_json(void **state)
{
    (void)state;
    struct lh_column old[] = {COL("id", "BIGINT"), COL("zip", "VARCHAR"), COL("age", "INTEGER"),
                              COL("n", "INTEGER"), COL("big", "BIGINT")};
    struct lh_column inc[] = {COL("id", "BIGINT"), COL("zip_code", "VARCHAR"),
                              COL("n", "BIGINT"), COL("big", "INTEGER"),
                              COL("note \"x\"\n", "VARCHAR")};
    struct lh_schema_diff d;
    lh_schema_diff(old, 5, inc, 5, &d);
    assert_int_equal(d.n_changes, 5);
    assert_false(d.all_safe);

    char *s = lh_schema_diff_describe(&d, true);
    assert_non_null(strstr(s, "column 'zip' renamed to 'zip_code'? (confidence 0."));
    assert_non_null(strstr(s, "column 'age' removed"));
    assert_non_null(strstr(s, "column 'big' type BIGINT -> INTEGER (narrows)"));
    assert_null(strstr(s, "added"));
    assert_null(strstr(s, "column 'n'"));
    assert_null(strchr(s, '\n'));
    free(s);
    s = lh_schema_diff_describe(&d, false);
    assert_non_null(strstr(s, "column 'n' type INTEGER -> BIGINT (widens)"));
    assert_non_null(strstr(s, "column 'note \"x\"?' added (VARCHAR)"));
    assert_non_null(strstr(s, "; "));
    assert_null(strchr(s, '\n'));
    free(s);

    s = lh_schema_diff_json(&d);
    json_error_t jerr;
    json_t *root = json_loads(s, 0, &jerr);
    if (!root)
        fail_msg("bad JSON (%s): %s", jerr.text, s);
    free(s);
    assert_true(json_is_array(root));
    assert_int_equal(json_array_size(root), 5);
    int seen = 0;
    for (size_t k = 0; k < json_array_size(root); k++) {
        json_t *o = json_array_get(root, k);
        const char *kind = json_string_value(json_object_get(o, "kind"));
        const char *col = json_string_value(json_object_get(o, "column"));
        assert_non_null(kind);
        assert_non_null(col);
        assert_true(json_is_number(json_object_get(o, "confidence")));
        assert_true(json_is_boolean(json_object_get(o, "safe")));
        assert_true(json_is_string(json_object_get(o, "reason")));
        if (strcmp(kind, "renamed") == 0) {
            assert_string_equal(col, "zip");
            assert_string_equal(json_string_value(json_object_get(o, "new_column")), "zip_code");
            assert_string_equal(json_string_value(json_object_get(o, "old_type")), "VARCHAR");
            assert_string_equal(json_string_value(json_object_get(o, "new_type")), "VARCHAR");
            double conf = json_number_value(json_object_get(o, "confidence"));
            assert_true(conf >= 0.6 && conf <= 1.0);
            assert_true(json_is_false(json_object_get(o, "safe")));
            seen |= 1;
        } else if (strcmp(kind, "removed") == 0) {
            assert_string_equal(col, "age");
            assert_true(json_is_null(json_object_get(o, "new_column")));
            assert_true(json_is_null(json_object_get(o, "new_type")));
            assert_string_equal(json_string_value(json_object_get(o, "old_type")), "INTEGER");
            seen |= 2;
        } else if (strcmp(kind, "type") == 0) {
            bool safe = json_is_true(json_object_get(o, "safe"));
            assert_int_equal(safe, strcmp(col, "n") == 0);
            assert_true(json_number_value(json_object_get(o, "confidence")) == 1.0);
            seen |= strcmp(col, "n") == 0 ? 4 : 8;
        } else if (strcmp(kind, "added") == 0) {
            assert_string_equal(col, "note \"x\"\n"); /* escaped, and back */
            assert_true(json_is_null(json_object_get(o, "old_type")));
            assert_true(json_is_true(json_object_get(o, "safe")));
            seen |= 16;
        } else {
            fail_msg("unexpected kind %s", kind);
        }
    }
    assert_int_equal(seen, 31);
    json_decref(root);
    lh_schema_diff_release(&d);
}

/* ---- edges ---- */

static void test_empty_and_null(void **state)
{
    (void)state;
    struct lh_schema_diff d;
    lh_schema_diff(NULL, 0, NULL, 0, &d);
    assert_int_equal(d.n_changes, 0);
    assert_null(d.changes);
    assert_int_equal(d.n_merged, 0);
    assert_null(d.merged);
    assert_true(d.all_safe);
    char *s = lh_schema_diff_describe(&d, true);
    assert_string_equal(s, "");
    free(s);
    s = lh_schema_diff_json(&d);
    assert_string_equal(s, "[]");
    free(s);
    lh_schema_diff_release(&d);
    lh_schema_diff_release(&d); /* twice is fine */
    assert_true(d.all_safe);
    lh_schema_diff_release(NULL);
    s = lh_schema_diff_describe(NULL, false);
    assert_string_equal(s, "");
    free(s);
    s = lh_schema_diff_json(NULL);
    assert_string_equal(s, "[]");
    free(s);
    lh_schema_diff(NULL, 0, NULL, 0, NULL); /* no crash */

    /* NULL array with a count counts as empty: everything added / removed */
    struct lh_column cols[] = {COL("id", "BIGINT"), COL("name", "VARCHAR")};
    lh_schema_diff(NULL, 7, cols, 2, &d);
    assert_int_equal(d.n_changes, 2);
    assert_true(d.all_safe);
    assert_int_equal(d.n_merged, 2);
    lh_schema_diff_release(&d);
    lh_schema_diff(cols, 2, NULL, 3, &d);
    assert_int_equal(d.n_changes, 2);
    assert_false(d.all_safe);
    assert_int_equal(d.changes[0].kind, LH_CHANGE_REMOVED);
    assert_int_equal(d.n_merged, 2);
    lh_schema_diff_release(&d);

    /* NULL names and types inside arrays read as "" */
    struct lh_column odd[] = {{NULL, NULL}, COL("x", NULL)};
    struct lh_column odd2[] = {{NULL, (char *)"INTEGER"}, COL("y", "VARCHAR")};
    lh_schema_diff(odd, 2, odd2, 2, &d);
    for (size_t k = 0; k < d.n_changes; k++)
        assert_non_null(d.changes[k].column);
    for (size_t i = 0; i < d.n_merged; i++) {
        assert_non_null(d.merged[i].name);
        assert_non_null(d.merged[i].type);
    }
    s = lh_schema_diff_json(&d);
    json_t *root = json_loads(s, 0, NULL);
    assert_non_null(root);
    json_decref(root);
    free(s);
    s = lh_schema_diff_describe(&d, false);
    free(s);
    lh_schema_diff_release(&d);
}

static void test_wide_schemas(void **state)
{
    (void)state;
    /* many unrelated columns: completes, and identical schemas stay change-free */
    enum { N = 400 };
    struct lh_column *a = calloc(N, sizeof(*a)), *b = calloc(N, sizeof(*b));
    assert_non_null(a);
    assert_non_null(b);
    for (int i = 0; i < N; i++) {
        char name[32];
        snprintf(name, sizeof(name), "old_column_%d", i);
        a[i].name = strdup(name);
        a[i].type = strdup("VARCHAR");
        snprintf(name, sizeof(name), "new_field_%d", i);
        b[i].name = strdup(name);
        b[i].type = strdup("VARCHAR");
    }
    struct lh_schema_diff d;
    lh_schema_diff(a, N, b, N, &d);
    assert_int_equal(d.n_changes, 2 * N); /* too many pairs to score: removed + added */
    assert_int_equal(d.n_merged, 2 * N);
    lh_schema_diff_release(&d);
    lh_schema_diff(a, N, a, N, &d);
    assert_int_equal(d.n_changes, 0);
    lh_schema_diff_release(&d);
    lh_columns_free(a, N);
    lh_columns_free(b, N);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical),
        cmocka_unit_test(test_added),
        cmocka_unit_test(test_removed),
        cmocka_unit_test(test_widening),
        cmocka_unit_test(test_narrowing),
        cmocka_unit_test(test_type_widens_table),
        cmocka_unit_test(test_list_widening),
        cmocka_unit_test(test_renames_found),
        cmocka_unit_test(test_renames_not_found),
        cmocka_unit_test(test_two_renames),
        cmocka_unit_test(test_rename_confidence),
        cmocka_unit_test(test_rename_and_add),
        cmocka_unit_test(test_describe_and_json),
        cmocka_unit_test(test_empty_and_null),
        cmocka_unit_test(test_wide_schemas),
    };
    return cmocka_run_group_tests_name("evolve", tests, NULL, NULL);
}
