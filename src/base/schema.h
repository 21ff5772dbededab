/* SPDX-License-Identifier: MIT */
/* schema.h - a dataset column (name + DuckDB type text), shared by catalog, sql and lake. */
#ifndef LH_SCHEMA_H
#define LH_SCHEMA_H

#include "lh_common.h"

struct lh_column {
    char *name; /* owned */
    char *type; /* owned, DuckDB type text: BIGINT, VARCHAR, STRUCT(...), VARCHAR[] */
};

/* Frees n columns and the array itself (NULL is fine). */
void lh_columns_free(struct lh_column *cols, size_t n);
/* Deep copy. */
struct lh_column *lh_columns_dup(const struct lh_column *cols, size_t n);

#endif
