/* SPDX-License-Identifier: MIT */
/* schema.c - column array helpers. */
#include "lh_common.h"
#include "schema.h"
#include "buf.h"

#include <stdlib.h>

void lh_columns_free(struct lh_column *cols, size_t n)
{
    if (!cols)
        return;
    for (size_t i = 0; i < n; i++) {
        free(cols[i].name);
        free(cols[i].type);
    }
    free(cols);
}

struct lh_column *lh_columns_dup(const struct lh_column *cols, size_t n)
{
    struct lh_column *c = lh_xcalloc(n ? n : 1, sizeof(*c));
    for (size_t i = 0; i < n; i++) {
        c[i].name = lh_xstrdup(cols[i].name);
        c[i].type = lh_xstrdup(cols[i].type);
    }
    return c;
}
