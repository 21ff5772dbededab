/* SPDX-License-Identifier: MIT */
/* evolve.h - schema evolution: what changed between a dataset's schema and an incoming one,
 * which changes are safe, and the schema after applying them. Pure functions; thread-safe. */
#ifndef LH_EVOLVE_H
#define LH_EVOLVE_H

#include "lh_common.h"
#include "schema.h"

enum lh_change_kind {
    LH_CHANGE_ADDED,     /* column only in the incoming schema */
    LH_CHANGE_REMOVED,   /* column only in the dataset */
    LH_CHANGE_TYPE,      /* same name, other type */
    LH_CHANGE_RENAMED,   /* a removed + added pair judged to be the same column */
};

struct lh_schema_change {
    enum lh_change_kind kind;
    char *column;      /* dataset-side name (ADDED: the new name) */
    char *new_column;  /* RENAMED: the incoming name; else NULL */
    char *old_type;    /* NULL for ADDED */
    char *new_type;    /* NULL for REMOVED */
    double confidence; /* RENAMED: 0..1 (name similarity, type match, position); else 1 */
    bool safe;         /* applies without being allowed explicitly */
    char *reason;      /* one human sentence, e.g. "type INTEGER widens to BIGINT" */
};

struct lh_schema_diff {
    size_t n_changes;
    struct lh_schema_change *changes;
    bool all_safe;
    /* The dataset schema after applying every change: existing columns in order (types
     * widened, renamed columns keep the DATASET's name), then added columns. A REMOVED
     * column stays (the dataset's older rows still hold it; newer ones read it as NULL).
     * A column's type: the incoming one when it widens the dataset's, the dataset's when
     * they are equal or the incoming one narrows it (incoming values fit), else (types
     * incompatible) the incoming one. */
    size_t n_merged;
    struct lh_column *merged;
};

/* Compares the dataset schema `old` with the incoming `inc`. Columns whose names are equal
 * ignoring ASCII case are the same column (no change; the dataset's spelling is kept). A
 * rename is proposed when a removed and an added column have compatible types (equal, or one
 * widens the other) and names similar enough (confidence >= 0.6, e.g. "zip" -> "zip_code",
 * "e_mail" -> "email", "CustomerID" -> "customer_id"); pairs are taken best first, each
 * column at most once. Safe: ADDED (every Parquet column is nullable), TYPE when the new type
 * widens the old (TINYINT<SMALLINT<INTEGER<BIGINT<HUGEINT, unsigned likewise and into a wider
 * signed, FLOAT<DOUBLE, integers of up to 32 bits<DOUBLE and of up to 16 bits<FLOAT (BIGINT
 * does not fit a double's 53-bit mantissa), integers to a DECIMAL with enough integer digits,
 * DECIMAL(p,s) to DECIMAL with no fewer integer and fractional digits, DATE<TIMESTAMP,
 * TIMESTAMP_S<TIMESTAMP_MS<TIMESTAMP, a list when its element widens; anything<VARCHAR is NOT
 * safe). Unsafe: REMOVED, narrowing or incompatible TYPE, RENAMED. Type texts compare
 * ignoring case, whitespace and DuckDB aliases (INT = INTEGER, NUMERIC = DECIMAL(18,3)).
 * Changes come in dataset order (TYPE, REMOVED, RENAMED), then ADDED in incoming order.
 * NULL arrays count as empty, NULL names and types as "". `*out` is overwritten (not
 * released first); free it with lh_schema_diff_release. Allocation failure aborts. */
void lh_schema_diff(const struct lh_column *old, size_t n_old, const struct lh_column *inc,
                    size_t n_inc, struct lh_schema_diff *out);
/* Frees the contents and leaves an empty diff (all_safe true); NULL and released are fine. */
void lh_schema_diff_release(struct lh_schema_diff *d);

/* True if a value of type `from` always fits `to` without loss (the widening rules above);
 * true for equal types, false if either is NULL. */
bool lh_type_widens(const char *from, const char *to);

/* True if two DuckDB type texts name the same type (case, whitespace and aliases aside). */
bool lh_type_equal(const char *a, const char *b);

/* Name similarity 0..1 used for rename detection (before the type and position terms):
 * 1 when the names differ only in case and separators ("e_mail"/"email"). */
double lh_name_similarity(const char *a, const char *b);

/* One line describing the unsafe changes (or all when unsafe_only is false), e.g.
 * "column 'zip' renamed to 'zip_code'? (confidence 0.82); column 'age' removed". Malloc'd;
 * "" when there is nothing to describe (d NULL too). Control characters in names become '?'. */
char *lh_schema_diff_describe(const struct lh_schema_diff *d, bool unsafe_only);

/* JSON array of the changes: [{"kind","column","new_column","old_type","new_type",
 * "confidence","safe","reason"}] (malloc'd). kind is "added", "removed", "type" or "renamed";
 * absent strings are null; "[]" for an empty or NULL diff. */
char *lh_schema_diff_json(const struct lh_schema_diff *d);

#endif
