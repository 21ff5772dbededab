/* SPDX-License-Identifier: MIT */
/* catalog_int.h - catalog internals shared between its files. */
#ifndef LH_CATALOG_INT_H
#define LH_CATALOG_INT_H

#include "lh_common.h"
#include "catalog.h"

#include <sqlite3.h>

/* The connection, with the catalog's mutex held between lock and unlock. */
sqlite3 *lh__catalog_lock(struct lh_catalog *c);
void lh__catalog_unlock(struct lh_catalog *c);
/* Maps a failed SQLite call to an lh error (call before resetting the statement). */
int lh__catalog_error(struct lh_catalog *c, int rc, struct lh_error *err, const char *what);

#endif
