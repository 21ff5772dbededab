/* SPDX-License-Identifier: MIT */
/* sql_firewall.c - SQL firewall for non-admin roles: walks DuckDB's serialized AST
 * (json_serialize_sql) and allows only permitted table names, CTEs in scope and an
 * allow-list of functions. Deny by default.
 *
 * The walker knows, for every node type DuckDB 1.4 emits for a SELECT, every field the node
 * has and what it holds (expression, list of expressions, table reference, query node, plain
 * data). A node type, expression class, operator or field it does not know is refused, so a
 * DuckDB upgrade that adds syntax makes queries fail closed until this file learns it
 * (the unit tests catch that at once). See docs/internals/sql.md, "Firewall". */
#include "lh_common.h"
#include "sql.h"
#include "sql_int.h"
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* JSON nesting the walker follows before refusing: a legitimate query stays far below (one
 * level of expression nesting is about three JSON levels), and the limit bounds recursion
 * whatever the caller's stack size. */
#define FW_MAX_DEPTH 1000
/* Longest function name looked up; longer names are simply not on the list. */
#define FW_NAME_MAX 64

/* ------------------------------------------------------------------ */
/* the allow-list                                                       */

enum {
    FN_S = 1u << 0, /* scalar, aggregate or window function (or operator) in an expression */
    FN_T = 1u << 1, /* table function in FROM */
    FN_M = 1u << 2, /* DuckDB's parser itself emits it with schema "main" (e.g. [1,2] ->
                     * main.list_value), so that schema is accepted for it */
};

struct fw_fn {
    const char *name; /* lower case; the table is sorted by strcmp */
    unsigned flags;
};

/* Keep sorted (strcmp, i.e. byte order: operators first, '|' and '~' after letters);
 * lh__sql_fw_table_check verifies it in the unit tests. Only functions that compute over
 * their arguments belong here: nothing that reads files, settings, the environment or the
 * catalog, and nothing that runs SQL text. */
static const struct fw_fn fw_fns[] = {
    {"!~~", FN_S},       /* NOT LIKE */
    {"!~~*", FN_S},      /* NOT ILIKE */
    {"%", FN_S},
    {"&", FN_S},
    {"&&", FN_S},        /* list overlap */
    {"*", FN_S},
    {"**", FN_S},
    {"+", FN_S},
    {"-", FN_S},
    {"->", FN_S},        /* JSON extract */
    {"->>", FN_S},
    {"/", FN_S},
    {"//", FN_S},
    {"<<", FN_S},
    {"<@", FN_S},
    {">>", FN_S},
    {"@", FN_S},         /* abs */
    {"@>", FN_S},
    {"^", FN_S},
    {"^@", FN_S},        /* starts_with */
    {"abs", FN_S},
    {"acos", FN_S},
    {"age", FN_S},
    {"any_value", FN_S},
    {"approx_count_distinct", FN_S},
    {"approx_quantile", FN_S},
    {"arg_max", FN_S},
    {"arg_min", FN_S},
    {"argmax", FN_S},
    {"argmin", FN_S},
    {"array_agg", FN_S},
    {"array_contains", FN_S},
    {"array_cosine_distance", FN_S},
    {"array_cosine_similarity", FN_S},
    {"array_distance", FN_S},
    {"array_extract", FN_S},
    {"array_filter", FN_S},
    {"array_inner_product", FN_S},
    {"array_length", FN_S},
    {"array_slice", FN_S},
    {"array_sort", FN_S},
    {"array_transform", FN_S},
    {"array_value", FN_S},
    {"ascii", FN_S},
    {"asin", FN_S},
    {"atan", FN_S},
    {"atan2", FN_S},
    {"avg", FN_S},
    {"bit_and", FN_S},
    {"bit_or", FN_S},
    {"bit_xor", FN_S},
    {"bool_and", FN_S},
    {"bool_or", FN_S},
    {"cardinality", FN_S},
    {"cbrt", FN_S},
    {"ceil", FN_S},
    {"ceiling", FN_S},
    {"chr", FN_S},
    {"concat", FN_S},
    {"concat_ws", FN_S},
    {"contains", FN_S},
    {"corr", FN_S},
    {"cos", FN_S},
    {"count", FN_S},
    {"count_star", FN_S}, /* count(*) */
    {"covar_pop", FN_S},
    {"covar_samp", FN_S},
    {"cume_dist", FN_S},
    {"current_date", FN_S},
    {"date_add", FN_S},
    {"date_diff", FN_S},
    {"date_part", FN_S | FN_M}, /* EXTRACT(x FROM d) -> main.date_part */
    {"date_sub", FN_S},
    {"date_trunc", FN_S},
    {"datediff", FN_S},
    {"datepart", FN_S},
    {"datesub", FN_S},
    {"datetrunc", FN_S},
    {"day", FN_S},
    {"dayname", FN_S},
    {"dayofmonth", FN_S},
    {"dayofweek", FN_S},
    {"dayofyear", FN_S},
    {"degrees", FN_S},
    {"dense_rank", FN_S},
    {"element_at", FN_S},
    {"ends_with", FN_S},
    {"entropy", FN_S},
    {"epoch", FN_S},
    {"epoch_ms", FN_S},
    {"exp", FN_S},
    {"first", FN_S},
    {"first_value", FN_S},
    {"flatten", FN_S},
    {"floor", FN_S},
    {"format", FN_S},
    {"generate_series", FN_S | FN_T},
    {"get_current_timestamp", FN_S},
    {"greatest", FN_S},
    {"hash", FN_S},
    {"histogram", FN_S},
    {"hour", FN_S},
    {"if", FN_S},
    {"ifnull", FN_S},
    {"ilike_escape", FN_S | FN_M}, /* ILIKE ... ESCAPE */
    {"instr", FN_S},
    {"isfinite", FN_S},
    {"isinf", FN_S},
    {"isnan", FN_S},
    {"jaro_winkler_similarity", FN_S},
    {"json_extract", FN_S},
    {"json_extract_string", FN_S},
    {"kurtosis", FN_S},
    {"lag", FN_S},
    {"last", FN_S},
    {"last_day", FN_S},
    {"last_value", FN_S},
    {"lcase", FN_S},
    {"lead", FN_S},
    {"least", FN_S},
    {"left", FN_S},
    {"len", FN_S},
    {"length", FN_S},
    {"levenshtein", FN_S},
    {"like_escape", FN_S | FN_M}, /* LIKE ... ESCAPE */
    {"list", FN_S},
    {"list_aggr", FN_S},
    {"list_aggregate", FN_S},
    {"list_apply", FN_S | FN_M}, /* list comprehension */
    {"list_concat", FN_S},
    {"list_contains", FN_S},
    {"list_cosine_distance", FN_S},
    {"list_cosine_similarity", FN_S},
    {"list_distance", FN_S},
    {"list_distinct", FN_S},
    {"list_element", FN_S},
    {"list_extract", FN_S},
    {"list_filter", FN_S | FN_M}, /* list comprehension ... IF */
    {"list_has", FN_S},
    {"list_inner_product", FN_S},
    {"list_position", FN_S},
    {"list_reduce", FN_S},
    {"list_reverse", FN_S},
    {"list_slice", FN_S},
    {"list_sort", FN_S},
    {"list_transform", FN_S},
    {"list_unique", FN_S},
    {"list_value", FN_S | FN_M}, /* [a, b] */
    {"list_zip", FN_S},
    {"ln", FN_S},
    {"log", FN_S},
    {"log10", FN_S},
    {"log2", FN_S},
    {"lower", FN_S},
    {"lpad", FN_S},
    {"ltrim", FN_S | FN_M}, /* TRIM(LEADING ...) */
    {"make_date", FN_S},
    {"make_time", FN_S},
    {"make_timestamp", FN_S},
    {"map", FN_S | FN_M}, /* MAP {...} */
    {"map_extract", FN_S},
    {"map_from_entries", FN_S},
    {"map_keys", FN_S},
    {"map_values", FN_S},
    {"max", FN_S},
    {"max_by", FN_S},
    {"md5", FN_S},
    {"mean", FN_S},
    {"median", FN_S},
    {"millisecond", FN_S},
    {"min", FN_S},
    {"min_by", FN_S},
    {"minute", FN_S},
    {"mode", FN_S},
    {"month", FN_S},
    {"monthname", FN_S},
    {"now", FN_S},
    {"nth_value", FN_S},
    {"ntile", FN_S},
    {"nullif", FN_S},
    {"overlay", FN_S | FN_M}, /* OVERLAY(... PLACING ...) */
    {"percent_rank", FN_S},
    {"pi", FN_S},
    {"position", FN_S | FN_M}, /* POSITION(a IN b) */
    {"pow", FN_S},
    {"power", FN_S},
    {"prefix", FN_S},
    {"product", FN_S},
    {"quantile", FN_S},
    {"quantile_cont", FN_S},
    {"quantile_disc", FN_S},
    {"quarter", FN_S},
    {"radians", FN_S},
    {"random", FN_S},
    {"range", FN_S | FN_T},
    {"rank", FN_S},
    {"regexp_extract", FN_S},
    {"regexp_extract_all", FN_S},
    {"regexp_full_match", FN_S}, /* SIMILAR TO */
    {"regexp_matches", FN_S},
    {"regexp_replace", FN_S},
    {"regexp_split_to_array", FN_S},
    {"repeat", FN_S},
    {"replace", FN_S},
    {"reverse", FN_S},
    {"right", FN_S},
    {"round", FN_S},
    {"row", FN_S | FN_M}, /* ROW(a, b), (a, b) */
    {"row_number", FN_S},
    {"rpad", FN_S},
    {"rtrim", FN_S | FN_M}, /* TRIM(TRAILING ...) */
    {"second", FN_S},
    {"sha1", FN_S},
    {"sha256", FN_S},
    {"sign", FN_S},
    {"sin", FN_S},
    {"skewness", FN_S},
    {"split", FN_S},
    {"split_part", FN_S},
    {"sqrt", FN_S},
    {"starts_with", FN_S},
    {"stddev", FN_S},
    {"stddev_pop", FN_S},
    {"stddev_samp", FN_S},
    {"str_split", FN_S},
    {"strftime", FN_S},
    {"string_agg", FN_S},
    {"string_split", FN_S},
    {"strip_accents", FN_S},
    {"strlen", FN_S},
    {"strpos", FN_S},
    {"strptime", FN_S},
    {"struct_extract", FN_S},
    {"struct_pack", FN_S | FN_M}, /* {'a': 1} */
    {"substr", FN_S},
    {"substring", FN_S | FN_M}, /* SUBSTRING(x FROM a FOR b) */
    {"suffix", FN_S},
    {"sum", FN_S},
    {"tan", FN_S},
    {"time_bucket", FN_S},
    {"to_days", FN_S}, /* INTERVAL n DAY */
    {"to_hours", FN_S},
    {"to_microseconds", FN_S},
    {"to_milliseconds", FN_S},
    {"to_minutes", FN_S},
    {"to_months", FN_S},
    {"to_seconds", FN_S},
    {"to_timestamp", FN_S},
    {"to_weeks", FN_S},
    {"to_years", FN_S},
    {"today", FN_S},
    {"trim", FN_S | FN_M}, /* TRIM(BOTH ...) */
    {"trunc", FN_S},       /* INTERVAL n unit */
    {"try_strptime", FN_S},
    {"ucase", FN_S},
    {"unnest", FN_S | FN_T},
    {"upper", FN_S},
    {"var_pop", FN_S},
    {"var_samp", FN_S},
    {"variance", FN_S},
    {"week", FN_S},
    {"weekday", FN_S},
    {"weekofyear", FN_S},
    {"year", FN_S},
    {"|", FN_S},
    {"||", FN_S},
    {"~", FN_S},
    {"~~", FN_S},   /* LIKE */
    {"~~*", FN_S},  /* ILIKE */
    {"~~~", FN_S},  /* GLOB (string matching, not files) */
};

/* Table functions that are refused even if table_fn_ok says yes: they read files, the
 * catalog or settings, or run SQL text. A safety net under the caller's callback. */
static bool table_fn_never(const char *n)
{
    static const char *const prefix[] = {"read_", "parquet_", "duckdb_", "pragma_", "lh_",
                                         "iceberg_", "delta_", "json_execute", "sqlite_",
                                         "postgres_", "mysql_"};
    static const char *const exact[] = {"glob", "query", "query_table", "sniff_csv",
                                        "which_secret", "checkpoint", "force_checkpoint"};
    size_t len = strlen(n);
    for (size_t i = 0; i < LH_ARRAY_LEN(prefix); i++)
        if (strncmp(n, prefix[i], strlen(prefix[i])) == 0)
            return true;
    for (size_t i = 0; i < LH_ARRAY_LEN(exact); i++)
        if (strcmp(n, exact[i]) == 0)
            return true;
    return (len >= 5 && strcmp(n + len - 5, "_scan") == 0) ||
           (len >= 9 && strcmp(n + len - 9, "_metadata") == 0);
}

const char *lh__sql_fw_table_check(void)
{
    for (size_t i = 0; i < LH_ARRAY_LEN(fw_fns); i++) {
        const char *n = fw_fns[i].name;
        if (strlen(n) >= FW_NAME_MAX)
            return n;
        for (const char *p = n; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                return n;
        if (i > 0 && strcmp(fw_fns[i - 1].name, n) >= 0)
            return n;
    }
    return NULL;
}

static int fn_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct fw_fn *)elem)->name);
}

/* ASCII lower-cases name into buf (DuckDB looks functions up case-insensitively); false if
 * it does not fit, i.e. cannot be on the list. */
static bool lower_name(const char *name, char *buf, size_t n)
{
    size_t i = 0;
    for (; name[i]; i++) {
        if (i + 1 >= n)
            return false;
        char c = name[i];
        buf[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    buf[i] = '\0';
    return true;
}

static const struct fw_fn *fn_lookup(const char *lname)
{
    return bsearch(lname, fw_fns, LH_ARRAY_LEN(fw_fns), sizeof(fw_fns[0]), fn_cmp);
}

/* Expression types of class OPERATOR that are plain operators on values. */
static bool operator_ok(const char *type)
{
    static const char *const ok[] = {
        "ARRAY_CONSTRUCTOR", /* ARRAY[a, b] */
        "ARRAY_EXTRACT",     /* x[i], m['k'] */
        "ARRAY_SLICE",       /* x[a:b] */
        "COMPARE_IN",        /* x IN (a, b) */
        "COMPARE_NOT_IN",
        "GROUPING_FUNCTION", /* grouping(a, b) */
        "OPERATOR_COALESCE",
        "OPERATOR_IS_NOT_NULL",
        "OPERATOR_IS_NULL",
        "OPERATOR_NOT",
        "OPERATOR_TRY",      /* TRY(x) */
        "OPERATOR_UNPACK",   /* *COLUMNS(...) */
        "STRUCT_EXTRACT",    /* (s).a */
    };
    for (size_t i = 0; i < LH_ARRAY_LEN(ok); i++)
        if (strcmp(type, ok[i]) == 0)
            return true;
    return false;
}

/* ------------------------------------------------------------------ */
/* the walker                                                           */

struct fw {
    const struct lh_sql_fw *cfg;
    struct lh_error *err;
    int depth;
};

/* CTE names visible at a point of the query: a chain of frames on the C stack or in a
 * node's frame array, innermost first. */
struct fw_scope {
    const char *name;
    const struct fw_scope *up;
};

/* What a field of a node holds. */
enum fw_kind {
    K_SKIP,          /* checked by the node's own handler */
    K_DATA,          /* names, flags, constants, types: no expressions inside */
    K_EXPR,          /* expression or null */
    K_EXPRS,         /* list of expressions */
    K_EXPR_ROWS,     /* list of lists of expressions (VALUES) */
    K_ORDER,         /* {type, null_order, expression} */
    K_ORDERS,        /* list of K_ORDER */
    K_MODIFIER,      /* ORDER BY / LIMIT / DISTINCT ON modifier */
    K_MODIFIERS,     /* list of K_MODIFIER */
    K_SELECT,        /* a select statement {node, named_param_map} */
    K_QNODE,         /* query node */
    K_QNODES,        /* list of query nodes */
    K_REF,           /* table reference */
    K_CASE,          /* {when_expr, then_expr} */
    K_CASES,         /* list of K_CASE */
    K_REPLACE,       /* {key, value: expression} of * REPLACE */
    K_REPLACES,      /* list of K_REPLACE */
    K_PIVOT,         /* one PIVOT ... FOR column */
    K_PIVOTS,        /* list of K_PIVOT */
    K_PIVOT_ENTRY,   /* {values, star_expr, alias} */
    K_PIVOT_ENTRIES, /* list of K_PIVOT_ENTRY */
};

struct fw_field {
    const char *key;
    enum fw_kind kind;
};

#define END {NULL, K_SKIP}

/* --- expressions (ParsedExpression) --- */
static const struct fw_field f_expr_base[] = {
    {"class", K_SKIP}, {"type", K_SKIP}, {"alias", K_DATA}, {"query_location", K_DATA}, END};
static const struct fw_field f_function[] = {
    {"function_name", K_SKIP}, {"schema", K_SKIP},        {"catalog", K_SKIP},
    {"children", K_EXPRS},     {"filter", K_EXPR},        {"order_bys", K_MODIFIER},
    {"distinct", K_DATA},      {"is_operator", K_DATA},   {"export_state", K_DATA},
    END};
static const struct fw_field f_window[] = {
    {"function_name", K_SKIP}, {"schema", K_SKIP},       {"catalog", K_SKIP},
    {"children", K_EXPRS},     {"partitions", K_EXPRS},  {"orders", K_ORDERS},
    {"start", K_DATA},         {"end", K_DATA},          {"start_expr", K_EXPR},
    {"end_expr", K_EXPR},      {"offset_expr", K_EXPR},  {"default_expr", K_EXPR},
    {"ignore_nulls", K_DATA},  {"filter_expr", K_EXPR},  {"exclude_clause", K_DATA},
    {"distinct", K_DATA},      {"arg_orders", K_ORDERS}, END};
static const struct fw_field f_column_ref[] = {{"column_names", K_DATA}, END};
static const struct fw_field f_constant[] = {{"value", K_DATA}, END};
static const struct fw_field f_comparison[] = {{"left", K_EXPR}, {"right", K_EXPR}, END};
static const struct fw_field f_children[] = {{"children", K_EXPRS}, END};
static const struct fw_field f_case[] = {{"case_checks", K_CASES}, {"else_expr", K_EXPR}, END};
static const struct fw_field f_cast[] = {
    {"child", K_EXPR}, {"cast_type", K_DATA}, {"try_cast", K_DATA}, END};
static const struct fw_field f_between[] = {
    {"input", K_EXPR}, {"lower", K_EXPR}, {"upper", K_EXPR}, END};
static const struct fw_field f_subquery[] = {{"subquery_type", K_DATA},
                                             {"subquery", K_SELECT},
                                             {"child", K_EXPR},
                                             {"comparison_type", K_DATA},
                                             END};
static const struct fw_field f_star[] = {
    {"relation_name", K_DATA}, {"exclude_list", K_DATA}, {"replace_list", K_REPLACES},
    {"columns", K_DATA},       {"expr", K_EXPR},         {"qualified_exclude_list", K_DATA},
    {"rename_list", K_DATA},   END};
static const struct fw_field f_lambda[] = {{"lhs", K_EXPR}, {"expr", K_EXPR}, END};
static const struct fw_field f_collate[] = {{"child", K_EXPR}, {"collation", K_DATA}, END};
static const struct fw_field f_parameter[] = {{"identifier", K_DATA}, END};
static const struct fw_field f_positional[] = {{"index", K_DATA}, END};
static const struct fw_field f_case_check[] = {
    {"when_expr", K_EXPR}, {"then_expr", K_EXPR}, END};
static const struct fw_field f_replace[] = {{"key", K_DATA}, {"value", K_EXPR}, END};
static const struct fw_field f_order_by[] = {
    {"type", K_DATA}, {"null_order", K_DATA}, {"expression", K_EXPR}, END};

/* --- result modifiers --- */
static const struct fw_field f_mod_base[] = {{"type", K_SKIP}, END};
static const struct fw_field f_mod_order[] = {{"orders", K_ORDERS}, END};
static const struct fw_field f_mod_limit[] = {{"limit", K_EXPR}, {"offset", K_EXPR}, END};
static const struct fw_field f_mod_distinct[] = {{"distinct_on_targets", K_EXPRS}, END};

/* --- table references --- */
static const struct fw_field f_ref_base[] = {
    {"type", K_SKIP}, {"alias", K_DATA}, {"sample", K_DATA}, {"query_location", K_DATA}, END};
static const struct fw_field f_base_table[] = {
    {"schema_name", K_SKIP},       {"table_name", K_SKIP}, {"catalog_name", K_SKIP},
    {"column_name_alias", K_DATA}, {"at_clause", K_SKIP},  END};
static const struct fw_field f_join[] = {
    {"left", K_REF},          {"right", K_REF},          {"condition", K_EXPR},
    {"join_type", K_DATA},    {"ref_type", K_DATA},      {"using_columns", K_DATA},
    {"delim_flipped", K_DATA}, {"duplicate_eliminated_columns", K_EXPRS}, END};
static const struct fw_field f_subquery_ref[] = {
    {"subquery", K_SELECT}, {"column_name_alias", K_DATA}, END};
static const struct fw_field f_table_function[] = {
    {"function", K_SKIP}, {"column_name_alias", K_DATA}, {"with_ordinality", K_DATA}, END};
static const struct fw_field f_empty[] = {END};
static const struct fw_field f_expression_list[] = {
    {"expected_names", K_DATA}, {"expected_types", K_DATA}, {"values", K_EXPR_ROWS}, END};
static const struct fw_field f_pivot_ref[] = {
    {"source", K_REF},    {"aggregates", K_EXPRS},       {"unpivot_names", K_DATA},
    {"pivots", K_PIVOTS}, {"groups", K_DATA},            {"column_name_alias", K_DATA},
    {"include_nulls", K_DATA}, END};
static const struct fw_field f_pivot[] = {{"pivot_expressions", K_EXPRS},
                                          {"unpivot_names", K_DATA},
                                          {"entries", K_PIVOT_ENTRIES},
                                          {"pivot_enum", K_SKIP},
                                          END};
static const struct fw_field f_pivot_entry[] = {
    {"values", K_DATA}, {"star_expr", K_EXPR}, {"alias", K_DATA}, END};

/* --- query nodes and statements --- */
static const struct fw_field f_qnode_base[] = {
    {"type", K_SKIP}, {"modifiers", K_MODIFIERS}, {"cte_map", K_SKIP}, END};
static const struct fw_field f_select_node[] = {
    {"select_list", K_EXPRS},      {"from_table", K_REF},          {"where_clause", K_EXPR},
    {"group_expressions", K_EXPRS}, {"group_sets", K_DATA},        {"aggregate_handling", K_DATA},
    {"having", K_EXPR},            {"sample", K_DATA},             {"qualify", K_EXPR},
    END};
static const struct fw_field f_setop_node[] = {
    {"setop_type", K_DATA}, {"left", K_QNODE},    {"right", K_QNODE},
    {"setop_all", K_DATA},  {"children", K_QNODES}, END};
static const struct fw_field f_recursive_node[] = {
    {"cte_name", K_SKIP}, {"union_all", K_DATA}, {"left", K_QNODE},
    {"right", K_SKIP},    {"aliases", K_DATA},   {"key_targets", K_EXPRS}, END};
static const struct fw_field f_cte_node[] = {
    {"cte_name", K_SKIP}, {"query", K_SKIP}, {"child", K_SKIP}, {"aliases", K_DATA}, END};
static const struct fw_field f_cte_info[] = {
    {"aliases", K_DATA}, {"query", K_SELECT}, {"materialized", K_DATA},
    {"key_targets", K_EXPRS}, END};
static const struct fw_field f_statement[] = {
    {"node", K_QNODE}, {"named_param_map", K_DATA}, END};

/* Refuses with -LH_EPERM and a message (user-written names are cut at 100 bytes). */
static int deny(struct fw *w, const char *fmt, ...) LH_PRINTF(2, 3);
static int deny(struct fw *w, const char *fmt, ...)
{
    char msg[LH_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return lh_error_set(w->err, LH_EPERM, "query refused: %s", msg);
}

/* A refusal because the AST holds something this walker does not know. */
static int unknown(struct fw *w, const char *what, const char *name)
{
    return deny(w, "the firewall does not know %s '%.100s' (DuckDB AST); not allowed", what,
                name ? name : "?");
}

/* Kept out of walk_fields so its buffer is not on the stack of every recursion level. */
static __attribute__((noinline)) int unknown_field(struct fw *w, const char *node,
                                                   const char *key)
{
    char tmp[160];
    snprintf(tmp, sizeof(tmp), "%.60s.%.60s", node, key);
    return unknown(w, "field", tmp);
}

static const char *member_str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* A string member; absent or null reads as "" (DuckDB's default), NULL if not a string. */
static const char *member_str_or_empty(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return "";
    return json_string_value(v);
}

/* ASCII case-insensitive equality, as DuckDB matches CTE names (verified on 1.4: a CTE
 * "A" answers FROM a, while "É" does not answer "é"). */
static bool name_eq(const char *a, const char *b)
{
    for (;; a++, b++) {
        char x = *a, y = *b;
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return false;
        if (!x)
            return true;
    }
}

static bool in_scope(const struct fw_scope *sc, const char *name)
{
    for (; sc; sc = sc->up)
        if (name_eq(sc->name, name))
            return true;
    return false;
}

static int walk(struct fw *w, json_t *v, enum fw_kind k, const struct fw_scope *sc);

/* Walks the fields of node o (named `what` in messages): every key must be listed in base
 * or spec; K_SKIP fields are left to the caller. */
static int walk_fields(struct fw *w, json_t *o, const char *what, const struct fw_field *base,
                       const struct fw_field *spec, const struct fw_scope *sc)
{
    const char *key;
    json_t *v;
    if (!json_is_object(o))
        return unknown(w, "node shape of", what);
    json_object_foreach(o, key, v) {
        const struct fw_field *f = NULL;
        for (const struct fw_field *p = base; p && p->key && !f; p++)
            if (strcmp(p->key, key) == 0)
                f = p;
        for (const struct fw_field *p = spec; p && p->key && !f; p++)
            if (strcmp(p->key, key) == 0)
                f = p;
        if (!f)
            return unknown_field(w, what, key);
        int rc = walk(w, v, f->kind, sc);
        if (rc)
            return rc;
    }
    return 0;
}

/* Plain data must not hide an expression (defence in depth: the field lists already say
 * which fields hold data). */
static int check_data(struct fw *w, json_t *v)
{
    const char *key;
    json_t *x;
    size_t i;
    int rc = 0;
    if (++w->depth > FW_MAX_DEPTH) {
        rc = deny(w, "query is nested too deeply (more than %d levels)", FW_MAX_DEPTH);
    } else if (json_is_object(v)) {
        if (json_object_get(v, "class") || json_object_get(v, "function_name"))
            rc = unknown(w, "expression inside a data field", member_str(v, "class"));
        json_object_foreach(v, key, x) {
            if (rc)
                break;
            rc = check_data(w, x);
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, x) {
            if (rc)
                break;
            rc = check_data(w, x);
        }
    }
    w->depth--;
    return rc;
}

/* Function name, schema and catalog of a FUNCTION/WINDOW expression or table function.
 * Returns 0 and the allow-list entry (or NULL if not listed) with the lower-cased name. */
static int fn_name(struct fw *w, json_t *o, const char *what, char *lname, size_t n,
                   const struct fw_fn **out)
{
    const char *name = member_str(o, "function_name");
    const char *schema = member_str_or_empty(o, "schema");
    const char *catalog = member_str_or_empty(o, "catalog");
    *out = NULL;
    if (!name || !name[0] || !schema || !catalog)
        return unknown(w, "function shape of", what);
    if (!lower_name(name, lname, n)) {
        lname[0] = '\0';
        return 0;
    }
    *out = fn_lookup(lname);
    if (catalog[0] || (schema[0] && !(strcmp(schema, "main") == 0 && *out &&
                                      ((*out)->flags & FN_M) && !catalog[0])))
        return deny(w,
                    "%s %.100s%s%.100s%s%.100s: qualified names are not allowed (write %.100s(x), "
                    "not schema.%.100s(x) or x.%.100s())",
                    what, catalog, catalog[0] ? "." : "", schema, schema[0] ? "." : "", name,
                    name, name, name);
    return 0;
}

static int walk_expr(struct fw *w, json_t *o, const struct fw_scope *sc)
{
    if (!json_is_object(o))
        return unknown(w, "expression shape", "");
    const char *cls = member_str(o, "class");
    const char *type = member_str(o, "type");
    if (!cls || !type)
        return unknown(w, "expression shape", cls ? cls : "");
    const struct fw_field *spec = NULL;
    if (strcmp(cls, "FUNCTION") == 0 || strcmp(cls, "WINDOW") == 0) {
        bool win = cls[0] == 'W';
        char lname[FW_NAME_MAX];
        const struct fw_fn *f;
        int rc = fn_name(w, o, win ? "window function" : "function", lname, sizeof(lname), &f);
        if (rc)
            return rc;
        if (!f || !(f->flags & FN_S))
            return deny(w, "%s %.100s is not allowed", win ? "window function" : "function",
                        member_str(o, "function_name"));
        spec = win ? f_window : f_function;
    } else if (strcmp(cls, "COLUMN_REF") == 0) {
        spec = f_column_ref;
    } else if (strcmp(cls, "CONSTANT") == 0) {
        spec = f_constant;
    } else if (strcmp(cls, "COMPARISON") == 0) {
        spec = f_comparison;
    } else if (strcmp(cls, "CONJUNCTION") == 0) {
        spec = f_children;
    } else if (strcmp(cls, "OPERATOR") == 0) {
        if (!operator_ok(type))
            return deny(w, "operator %.100s is not allowed", type);
        spec = f_children;
    } else if (strcmp(cls, "CASE") == 0) {
        spec = f_case;
    } else if (strcmp(cls, "CAST") == 0) {
        spec = f_cast;
    } else if (strcmp(cls, "BETWEEN") == 0) {
        spec = f_between;
    } else if (strcmp(cls, "SUBQUERY") == 0) {
        spec = f_subquery;
    } else if (strcmp(cls, "STAR") == 0) {
        spec = f_star;
    } else if (strcmp(cls, "LAMBDA") == 0) {
        spec = f_lambda;
    } else if (strcmp(cls, "COLLATE") == 0) {
        spec = f_collate;
    } else if (strcmp(cls, "PARAMETER") == 0) {
        spec = f_parameter;
    } else if (strcmp(cls, "POSITIONAL_REFERENCE") == 0) {
        spec = f_positional;
    } else {
        return unknown(w, "expression class", cls);
    }
    return walk_fields(w, o, cls, f_expr_base, spec, sc);
}

static int walk_modifier(struct fw *w, json_t *o, const struct fw_scope *sc)
{
    const char *type = member_str(o, "type");
    const struct fw_field *spec;
    if (!type)
        return unknown(w, "result modifier", "");
    if (strcmp(type, "ORDER_MODIFIER") == 0)
        spec = f_mod_order;
    else if (strcmp(type, "LIMIT_MODIFIER") == 0 || strcmp(type, "LIMIT_PERCENT_MODIFIER") == 0)
        spec = f_mod_limit;
    else if (strcmp(type, "DISTINCT_MODIFIER") == 0)
        spec = f_mod_distinct;
    else
        return unknown(w, "result modifier", type);
    return walk_fields(w, o, type, f_mod_base, spec, sc);
}

/* A table name in FROM: a CTE in scope, or a name the caller allows. */
static int check_base_table(struct fw *w, json_t *o, const struct fw_scope *sc)
{
    const char *name = member_str(o, "table_name");
    const char *schema = member_str_or_empty(o, "schema_name");
    const char *catalog = member_str_or_empty(o, "catalog_name");
    json_t *at = json_object_get(o, "at_clause");
    if (!name || !schema || !catalog)
        return unknown(w, "table reference shape", "BASE_TABLE");
    if (catalog[0] || schema[0])
        return deny(w, "table %.100s%s%.100s%s%.100s: qualified names are not allowed", catalog,
                    catalog[0] ? "." : "", schema, schema[0] ? "." : "", name);
    if (!name[0])
        return deny(w, "empty table name");
    /* `FROM 'x.parquet'`, `FROM "lake/part_1.csv"` or a glob are base tables whose name
     * DuckDB's replacement scans turn into file reads: no allowed name looks like a path. */
    for (const char *p = name; *p; p++)
        if (strchr("/\\.*?[]{}:~", *p) || (unsigned char)*p < 0x20)
            return deny(w, "table '%.100s': file paths, URLs and globs are not allowed", name);
    if (at && !json_is_null(at))
        return deny(w, "table %.100s: AT (time travel) clauses are not allowed", name);
    if (in_scope(sc, name))
        return 0;
    if (!w->cfg || !w->cfg->table_ok || !w->cfg->table_ok(w->cfg->ud, name))
        return deny(w, "table %.100s is not allowed", name);
    return 0;
}

static int check_table_function(struct fw *w, json_t *fn, const struct fw_scope *sc)
{
    char lname[FW_NAME_MAX];
    const struct fw_fn *f;
    if (!json_is_object(fn) || !member_str(fn, "class") ||
        strcmp(member_str(fn, "class"), "FUNCTION") != 0)
        return unknown(w, "table function shape", member_str(fn, "class"));
    int rc = fn_name(w, fn, "table function", lname, sizeof(lname), &f);
    if (rc)
        return rc;
    const char *name = member_str(fn, "function_name");
    if (!lname[0] || (!(f && (f->flags & FN_T)) &&
                      (table_fn_never(lname) || !w->cfg || !w->cfg->table_fn_ok ||
                       !w->cfg->table_fn_ok(w->cfg->ud, lname))))
        return deny(w, "table function %.100s is not allowed", name);
    /* Schema "main" passed fn_name only for FN_M functions, none of which is a table
     * function; refuse it here anyway so main.range() cannot dodge the check. */
    if (member_str_or_empty(fn, "schema")[0])
        return deny(w, "table function %.100s: qualified names are not allowed", name);
    /* Its arguments are ordinary expressions (a subquery there is walked too). */
    return walk_fields(w, fn, "FUNCTION", f_expr_base, f_function, sc);
}

static int walk_ref(struct fw *w, json_t *o, const struct fw_scope *sc)
{
    const char *type = json_is_object(o) ? member_str(o, "type") : NULL;
    const struct fw_field *spec;
    int rc;
    if (!type)
        return unknown(w, "table reference shape", "");
    if (strcmp(type, "BASE_TABLE") == 0) {
        if ((rc = check_base_table(w, o, sc)))
            return rc;
        spec = f_base_table;
    } else if (strcmp(type, "TABLE_FUNCTION") == 0) {
        if ((rc = check_table_function(w, json_object_get(o, "function"), sc)))
            return rc;
        spec = f_table_function;
    } else if (strcmp(type, "JOIN") == 0) {
        spec = f_join;
    } else if (strcmp(type, "SUBQUERY") == 0) {
        spec = f_subquery_ref;
    } else if (strcmp(type, "EMPTY") == 0) {
        spec = f_empty;
    } else if (strcmp(type, "EXPRESSION_LIST") == 0) {
        spec = f_expression_list;
    } else if (strcmp(type, "PIVOT") == 0) {
        spec = f_pivot_ref;
    } else if (strcmp(type, "SHOW_REF") == 0) {
        return deny(w, "DESCRIBE, SHOW and SUMMARIZE are not allowed");
    } else {
        return unknown(w, "table reference type", type);
    }
    return walk_fields(w, o, type, f_ref_base, spec, sc);
}

static int walk_pivot(struct fw *w, json_t *o, const struct fw_scope *sc)
{
    const char *e = json_is_object(o) ? member_str_or_empty(o, "pivot_enum") : "";
    if (!e || e[0])
        return deny(w, "PIVOT ... IN <enum type> is not allowed; list the values");
    return walk_fields(w, o, "PIVOT column", NULL, f_pivot, sc);
}

/* A query node: its CTE map first (each body sees only the CTEs before it: DuckDB binds a
 * self or forward reference to the table of that name, not to the CTE), then its fields
 * with all its CTEs in scope. */
static int walk_qnode(struct fw *w, json_t *o, const struct fw_scope *sc)
{
    const char *type = json_is_object(o) ? member_str(o, "type") : NULL;
    json_t *cte_map = json_is_object(o) ? json_object_get(o, "cte_map") : NULL;
    json_t *map = NULL;
    struct fw_scope *frames = NULL;
    const struct fw_scope *full = sc;
    size_t n = 0;
    int rc = 0;
    if (!type)
        return unknown(w, "query node shape", "");
    if (cte_map && !json_is_null(cte_map)) {
        const char *key;
        json_t *v;
        json_object_foreach(cte_map, key, v) {
            if (strcmp(key, "map") != 0)
                return unknown(w, "field", "cte_map");
        }
        map = json_object_get(cte_map, "map");
        if (!json_is_array(map))
            return unknown(w, "CTE map shape", type);
        n = json_array_size(map);
    }
    if (n)
        frames = lh_xcalloc(n, sizeof(*frames));
    for (size_t i = 0; i < n && rc == 0; i++) {
        json_t *e = json_array_get(map, i);
        const char *name = json_is_object(e) ? member_str(e, "key") : NULL;
        if (!name || json_object_size(e) != 2 || !json_is_object(json_object_get(e, "value"))) {
            rc = unknown(w, "CTE map entry", type);
            break;
        }
        rc = walk_fields(w, json_object_get(e, "value"), "CTE", NULL, f_cte_info, full);
        frames[i].name = name;
        frames[i].up = full;
        full = &frames[i];
    }
    if (rc)
        goto out;

    if (strcmp(type, "SELECT_NODE") == 0) {
        rc = walk_fields(w, o, type, f_qnode_base, f_select_node, full);
    } else if (strcmp(type, "SET_OPERATION_NODE") == 0) {
        rc = walk_fields(w, o, type, f_qnode_base, f_setop_node, full);
    } else if (strcmp(type, "RECURSIVE_CTE_NODE") == 0) {
        /* Only the recursive part (right) sees the CTE itself; in the anchor (left) the
         * name is the table of that name. */
        const char *name = member_str(o, "cte_name");
        if (!name) {
            rc = unknown(w, "recursive CTE shape", type);
            goto out;
        }
        struct fw_scope self = {name, full};
        if (!(rc = walk_fields(w, o, type, f_qnode_base, f_recursive_node, full)))
            rc = walk(w, json_object_get(o, "right"), K_QNODE, &self);
    } else if (strcmp(type, "CTE_NODE") == 0) {
        /* A materialized CTE: `query` is the body of cte_name, `child` the rest of the
         * query, which carries the CTE map again. Neither gets this node's map in scope
         * beyond what DuckDB allows: the body sees the CTEs before it, the child only what
         * its own map declares. */
        const char *name = member_str(o, "cte_name");
        const struct fw_scope *before = sc;
        if (!name) {
            rc = unknown(w, "CTE node shape", type);
            goto out;
        }
        for (size_t i = 0; i < n; i++) {
            if (name_eq(frames[i].name, name))
                break;
            before = &frames[i];
        }
        if (!(rc = walk_fields(w, o, type, f_qnode_base, f_cte_node, sc)) &&
            !(rc = walk(w, json_object_get(o, "query"), K_QNODE, before)))
            rc = walk(w, json_object_get(o, "child"), K_QNODE, sc);
    } else {
        rc = unknown(w, "query node type", type);
    }
out:
    free(frames);
    return rc;
}

static int walk_list(struct fw *w, json_t *v, enum fw_kind elem, const struct fw_scope *sc)
{
    size_t i;
    json_t *x;
    if (!json_is_array(v))
        return unknown(w, "list shape", "");
    json_array_foreach(v, i, x) {
        int rc = walk(w, x, elem, sc);
        if (rc)
            return rc;
    }
    return 0;
}

static int walk(struct fw *w, json_t *v, enum fw_kind k, const struct fw_scope *sc)
{
    int rc;
    if (!v || json_is_null(v) || k == K_SKIP)
        return 0;
    if (k == K_DATA)
        return check_data(w, v);
    if (++w->depth > FW_MAX_DEPTH) {
        w->depth--;
        return deny(w, "query is nested too deeply (more than %d levels)", FW_MAX_DEPTH);
    }
    switch (k) {
    case K_EXPR: rc = walk_expr(w, v, sc); break;
    case K_EXPRS: rc = walk_list(w, v, K_EXPR, sc); break;
    case K_EXPR_ROWS: rc = walk_list(w, v, K_EXPRS, sc); break;
    case K_ORDER: rc = walk_fields(w, v, "ORDER BY", NULL, f_order_by, sc); break;
    case K_ORDERS: rc = walk_list(w, v, K_ORDER, sc); break;
    case K_MODIFIER: rc = walk_modifier(w, v, sc); break;
    case K_MODIFIERS: rc = walk_list(w, v, K_MODIFIER, sc); break;
    case K_SELECT: rc = walk_fields(w, v, "statement", NULL, f_statement, sc); break;
    case K_QNODE: rc = walk_qnode(w, v, sc); break;
    case K_QNODES: rc = walk_list(w, v, K_QNODE, sc); break;
    case K_REF: rc = walk_ref(w, v, sc); break;
    case K_CASE: rc = walk_fields(w, v, "CASE", NULL, f_case_check, sc); break;
    case K_CASES: rc = walk_list(w, v, K_CASE, sc); break;
    case K_REPLACE: rc = walk_fields(w, v, "REPLACE", NULL, f_replace, sc); break;
    case K_REPLACES: rc = walk_list(w, v, K_REPLACE, sc); break;
    case K_PIVOT: rc = walk_pivot(w, v, sc); break;
    case K_PIVOTS: rc = walk_list(w, v, K_PIVOT, sc); break;
    case K_PIVOT_ENTRY: rc = walk_fields(w, v, "PIVOT entry", NULL, f_pivot_entry, sc); break;
    case K_PIVOT_ENTRIES: rc = walk_list(w, v, K_PIVOT_ENTRY, sc); break;
    default: rc = unknown(w, "field kind", ""); break;
    }
    w->depth--;
    return rc;
}

/* ------------------------------------------------------------------ */
/* entry points                                                         */

int lh_sql_firewall_check_ast(const char *ast_json, const struct lh_sql_fw *fw,
                              struct lh_error *err)
{
    struct fw w = {fw, err, 0};
    json_error_t je;
    int rc = 0;
    /* Integers as reals: DuckDB writes query_location as 2^64-1 when unknown, too big for
     * json_int_t. Duplicate keys would make "which one counts" ambiguous: refuse them. */
    json_t *root = ast_json ? json_loads(ast_json, JSON_DECODE_INT_AS_REAL | JSON_REJECT_DUPLICATES,
                                         &je)
                            : NULL;
    if (!root) {
        if (ast_json && strstr(je.text, "depth"))
            return deny(&w, "query is nested too deeply");
        return deny(&w, "the firewall cannot read the query's AST (%.200s)",
                    ast_json ? je.text : "none");
    }
    json_t *error = json_object_get(root, "error");
    json_t *stmts = json_object_get(root, "statements");
    if (json_is_true(error)) {
        const char *type = member_str(root, "error_type");
        const char *msg = member_str(root, "error_message");
        if (type && strcmp(type, "parser") == 0)
            rc = lh_error_set(err, LH_ESQL, "%s", msg ? msg : "syntax error");
        else if (msg && strstr(msg, "Only SELECT statements"))
            rc = deny(&w, "only one SELECT statement is allowed; the query holds another kind "
                          "of statement");
        else
            rc = deny(&w, "the query cannot be checked (%.200s)", msg ? msg : "unknown error");
        goto out;
    }
    if (!json_is_false(error) || !json_is_array(stmts) || json_object_size(root) != 2) {
        rc = deny(&w, "the firewall cannot read the query's AST (unexpected shape)");
        goto out;
    }
    if (json_array_size(stmts) == 0) {
        rc = lh_error_set(err, LH_EINVAL, "no SQL statement given");
        goto out;
    }
    if (json_array_size(stmts) > 1) {
        rc = deny(&w, "only one SELECT statement is allowed, got %zu", json_array_size(stmts));
        goto out;
    }
    rc = walk(&w, json_array_get(stmts, 0), K_SELECT, NULL);
out:
    json_decref(root);
    return rc;
}

int lh_sql_firewall(struct lh_sql *s, const char *sql, const struct lh_sql_fw *fw,
                    struct lh_error *err)
{
    char *ast = NULL;
    if (!sql)
        return lh_error_set(err, LH_EINVAL, "no SQL statement given");
    int rc = lh__sql_serialize(s, sql, &ast, err);
    if (rc == 0)
        rc = lh_sql_firewall_check_ast(ast, fw, err);
    free(ast);
    return rc;
}
