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

/* CLOCK_REALTIME in milliseconds. */
int64_t lh__catalog_now_ms(void);
/* A malloc'd copy of a text column, or NULL for SQL NULL. */
char *lh__catalog_dup(sqlite3_stmt *st, int i);
/* Prepares sql and binds arguments described by spec: 's' text (NULL = SQL NULL), 'i'
 * int64, 'd' double. Returns NULL after setting err. Call with the catalog locked. */
sqlite3_stmt *lh__catalog_prep(struct lh_catalog *c, sqlite3 *db, const char *sql,
                               const char *spec, struct lh_error *err, const char *what, ...);
/* Steps a statement that returns no rows; finalizes it. */
int lh__catalog_done(struct lh_catalog *c, sqlite3_stmt *st, struct lh_error *err,
                     const char *what);
/* Transactions and the journal, for the other catalog files (catalog locked). */
int lh__catalog_begin(struct lh_catalog *c, struct lh_error *err);
int lh__catalog_commit(struct lh_catalog *c, struct lh_error *err);
void lh__catalog_rollback(struct lh_catalog *c);
/* Records a change under a new snapshot (inside a transaction). */
int lh__catalog_journal(struct lh_catalog *c, const char *actor, const char *action,
                        const char *entity, const char *field, const char *old_value,
                        const char *new_value, struct lh_error *err);

#endif
