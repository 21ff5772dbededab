/* SPDX-License-Identifier: MIT */
/* lake_int.h - lake module internals shared between its files. */
#ifndef LH_LAKE_INT_H
#define LH_LAKE_INT_H

#include "lh_common.h"
#include "lake.h"
#include "auth.h"

#include <pthread.h>

enum cache_state { CACHE_LOADING, CACHE_READY, CACHE_STALE };

/* One pinned dataset of the hot cache. */
struct lh__cache_entry {
    char dataset[64];
    char table[96];       /* lh_cache.<table> in the query engine */
    char *sig;            /* the file keys it was loaded from, joined */
    enum cache_state state;
    int64_t bytes;
    int64_t rows;
    int64_t hits;
    int64_t loaded_ms;
    int64_t last_used_ms;
    uint64_t gen;         /* bumps on every (re)load, names the table */
};

/* Mutable state of an open lake, guarded by mu. */
struct lh__job_run;
struct lh_buf;
struct lh__loaded_index;

struct lh__lake_state {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int tasks;            /* background tasks running (compaction, cache loads) */
    bool closing;
    char **retired;       /* storage keys no longer referenced, waiting for queries to finish */
    size_t n_retired;
    struct lh__cache_entry *cache;
    size_t n_cache;
    int64_t cache_bytes;  /* sum of entries' bytes */
    uint64_t cache_gen;
    char **compacting;    /* datasets being compacted */
    size_t n_compacting;
    struct lh__job_run *jobs;       /* jobs running in this process */
    struct lh__loaded_index *loaded; /* vector indexes loaded for search */
};

/* The data folder lock (flock on <data>/lake.lock), across processes:
 * shared while an uncommitted object sits in the bucket (ingest), exclusive
 * while gc decides what is garbage. *fd receives the lock's descriptor. */
int lh__lake_lock(struct lh_lake *l, bool exclusive, int *fd, struct lh_error *err);
/* Releases a lock taken by lh__lake_lock; *fd < 0 is a no-op. */
void lh__lake_unlock(int *fd);

/* Deletes storage keys that the catalog no longer references, now if no running query
 * reads them, else as soon as the last one finishes. */
void lh__lake_retire(struct lh_lake *l, char **keys, size_t n);
/* Tries the retired keys again (called when queries finish). */
void lh__lake_purge(void *lake);

/* Background tasks: run fn(arg) on a detached thread; lh_lake_close waits for them. */
int lh__lake_spawn(struct lh_lake *l, void (*fn)(struct lh_lake *l, void *arg), void *arg);

/* Hot cache hooks: the name resolver asks for a ready copy (returns a malloc'd table name
 * or NULL; a stale copy is refreshed in the background), and writers say a dataset
 * changed or went away. */
char *lh__cache_lookup(struct lh_lake *l, const char *dataset, const char *sig);
void lh__cache_changed(struct lh_lake *l, const char *dataset, bool deleted);
void lh__cache_release_all(struct lh_lake *l);

/* Jobs: whether a running job was asked to stop; the index build behind "index" jobs. */
bool lh__job_canceled(struct lh_lake *l, const char *id);
int lh__index_build(struct lh_lake *l, const struct lh_job *j,
                    void (*progress)(void *ud, int64_t done, int64_t total), void *ud,
                    struct lh_error *err);
void lh__index_unload_all(struct lh_lake *l);
int lh__vec_searcher(void *ud, const char *index, const char *query, int k, const char *mode,
                     struct lh_sql_hit **out, size_t *out_n, char *errbuf, size_t errlen);

/* Appends s as a JSON string, or null when s is NULL. */
void lh__json_str(struct lh_buf *b, const char *s);

/* "key1\nkey2..." of a file list (malloc'd): a dataset version's identity. */
char *lh__keys_sig(char **keys, size_t n);

/* Governance (lake_access.c): what `name` reads for `who` (NULL = unrestricted), with
 * masks, view filters and tombstones; and the plain files of a dataset. */
int lh__lake_resolve(struct lh_lake *l, const struct lh_principal *who, const char *name,
                     struct lh_sql_source *out);
int lh__lake_files_source(struct lh_lake *l, const char *name, struct lh_sql_source *out);
/* Checks a SELECT built around a user-given condition over `dataset`: it must compile and
 * read nothing but that dataset. */
int lh__lake_filter_check(struct lh_lake *l, const char *dataset, const char *sql,
                          struct lh_error *err);
/* Marks the dataset's vector indexes stale (best effort). */
void lh__lake_indexes_stale(struct lh_lake *l, const char *dataset);
/* The tombstone condition of a dataset (malloc'd, NULL = none) and the newest tombstone id
 * it covers, for compaction. */
char *lh__lake_tombstone_where(struct lh_lake *l, const char *dataset, int64_t *out_max_id);

/* Search governance: the table (dataset or view) whose rows `who` may find through index
 * d, and whether they are fewer than the index holds (view filter, tombstones); -LH_EPERM
 * outside the role or the model profile. *out_scope is malloc'd. */
int lh__lake_search_scope(struct lh_lake *l, const struct lh_principal *who,
                          const char *requested_profile, const struct lh_index_def *d,
                          char **out_scope, bool *out_restricted, struct lh_error *err);
/* Loads an index for search (profile activation). */
int lh__index_warm(struct lh_lake *l, const char *name, struct lh_error *err);

#endif
