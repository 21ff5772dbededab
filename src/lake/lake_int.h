/* SPDX-License-Identifier: MIT */
/* lake_int.h - lake module internals shared between its files. */
#ifndef LH_LAKE_INT_H
#define LH_LAKE_INT_H

#include "lh_common.h"
#include "lake.h"

/* The data folder lock (flock on <data>/lake.lock), across processes:
 * shared while an uncommitted object sits in the bucket (ingest), exclusive
 * while gc decides what is garbage. *fd receives the lock's descriptor. */
int lh__lake_lock(struct lh_lake *l, bool exclusive, int *fd, struct lh_error *err);
/* Releases a lock taken by lh__lake_lock; *fd < 0 is a no-op. */
void lh__lake_unlock(int *fd);

#endif
