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
     * widened, renamed columns keep the DATASET's name), then added columns. */
    size_t n_merged;
    struct lh_column *merged;
};

/* Compares the dataset schema `old` with the incoming `inc`. A rename is proposed when a
 * removed and an added column have compatible types and names similar enough (confidence >=
 * 0.6, e.g. "zip" -> "zip_code", "e_mail" -> "email", "CustomerID" -> "customer_id").
 * Safe: ADDED (every Parquet column is nullable), TYPE when the new type widens the old
 * (TINYINT<SMALLINT<INTEGER<BIGINT<HUGEINT, unsigned likewise and into a wider signed,
 * FLOAT<DOUBLE, integers<DOUBLE, DECIMAL(p,s) to DECIMAL with no fewer integer and fractional
 * digits, DATE<TIMESTAMP, anything<VARCHAR is NOT safe). Unsafe: REMOVED, narrowing or
 * incompatible TYPE, RENAMED. */
void lh_schema_diff(const struct lh_column *old, size_t n_old, const struct lh_column *inc,
                    size_t n_inc, struct lh_schema_diff *out);
void lh_schema_diff_release(struct lh_schema_diff *d);

/* True if a value of type `from` always fits `to` without loss (the widening rules above). */
bool lh_type_widens(const char *from, const char *to);

/* One line describing the unsafe changes (or all when unsafe_only is false), e.g.
 * "column 'zip' renamed to 'zip_code'? (confidence 0.82); column 'age' removed". Malloc'd. */
char *lh_schema_diff_describe(const struct lh_schema_diff *d, bool unsafe_only);

/* JSON array of the changes: [{"kind","column","new_column","old_type","new_type",
 * "confidence","safe","reason"}] (malloc'd). */
char *lh_schema_diff_json(const struct lh_schema_diff *d);

#endif
