/* SPDX-License-Identifier: MIT */
/* catalog.h - the catalog: datasets, columns, Parquet files and snapshots in SQLite (WAL).
 *
 * Every mutation is one SQLite transaction that records a new snapshot id,
 * so a reader sees either the old or the new state. Data files are written
 * (to storage) BEFORE the commit; files that no commit references are
 * garbage (lh_catalog_keys lists the referenced ones for gc).
 * One struct lh_catalog may be used from many threads (calls are
 * serialised by a mutex); several processes may open the same file
 * (SQLite locking, busy timeout 10 s). */
#ifndef LH_CATALOG_H
#define LH_CATALOG_H

#include "lh_common.h"
#include "err.h"
#include "schema.h"

struct lh_catalog;

struct lh_file {
    int64_t id;          /* catalog id (0 when passed to commit) */
    char *key;           /* storage key, e.g. datasets/x/<uuid>.parquet */
    int64_t rows;
    int64_t size_bytes;
    char *source_sha256; /* SHA-256 of the ingested source content (may be NULL) */
    char *source;        /* source file name as given by the user (may be NULL) */
    int64_t snapshot_id; /* snapshot that added it */
};

struct lh_dataset {
    int64_t id;
    char *name;
    char *description; /* never NULL ("" when unset) */
    char *owner;       /* never NULL */
    char *tags_json;   /* JSON array text, never NULL ("[]") */
    int64_t created_ms;
    int64_t updated_ms;
    int64_t snapshot_id; /* snapshot of the last change */
    int64_t row_count;
    int64_t size_bytes;
    size_t n_columns;
    struct lh_column *columns;
    size_t n_files;
    struct lh_file *files; /* NULL/0 from lh_catalog_list */
};

enum lh_commit_mode { LH_COMMIT_CREATE, LH_COMMIT_REPLACE, LH_COMMIT_APPEND };

struct lh_commit {
    const char *dataset;
    enum lh_commit_mode mode;
    /* CREATE fails with -LH_EEXIST if the dataset exists.
     * REPLACE swaps all files (creating the dataset if missing).
     * APPEND adds files (creating the dataset if missing); the caller has
     * checked that the schema matches. */
    const struct lh_column *columns; /* the dataset schema after the commit */
    size_t n_columns;
    const struct lh_file *files; /* new files (key, rows, size_bytes, source_sha256, source) */
    size_t n_files;
    const char *description; /* NULL = keep (or "" for a new dataset) */
    const char *owner;       /* NULL = keep */
    const char *tags_json;   /* NULL = keep; must be a JSON array text */
};

/* Opens (creating) the catalog database at path. */
int lh_catalog_open(const char *path, struct lh_catalog **out, struct lh_error *err);
void lh_catalog_close(struct lh_catalog *c);

/* Dataset names: 1-63 chars of [a-z0-9_], starting with a letter or '_'. */
int lh_catalog_name_check(const char *name, struct lh_error *err);

/* Commits a change in one transaction. On success *out_snapshot is the new
 * snapshot id and, for REPLACE, *out_removed (malloc'd array of malloc'd
 * keys, may be NULL) lists files no longer referenced, for the caller to
 * delete from storage. On failure nothing changed.
 * Every output pointer may be NULL. The commit is validated first: name
 * (lh_catalog_name_check), at least one column with a name and a type and no
 * two names equal ignoring case, file keys (lh_store_key_check), rows and
 * size >= 0, tags_json a JSON array (all -LH_EINVAL). A file key already in
 * the catalog (or twice in the commit) is -LH_ECONFLICT. A REPLACE may list
 * a key the dataset already holds; it is then not in *out_removed. */
int lh_catalog_commit(struct lh_catalog *c, const struct lh_commit *cm, int64_t *out_snapshot,
                      char ***out_removed, size_t *out_n_removed, struct lh_error *err);

/* Deletes a dataset; its file keys are returned like lh_catalog_commit's. */
int lh_catalog_delete(struct lh_catalog *c, const char *name, int64_t *out_snapshot,
                      char ***out_removed, size_t *out_n_removed, struct lh_error *err);

/* Full dataset with columns and files; -LH_ENOTFOUND if missing. */
int lh_catalog_get(struct lh_catalog *c, const char *name, struct lh_dataset **out,
                   struct lh_error *err);
/* All datasets (with columns, without files), ordered by name. */
int lh_catalog_list(struct lh_catalog *c, struct lh_dataset ***out, size_t *out_n,
                    struct lh_error *err);
void lh_dataset_free(struct lh_dataset *d);
void lh_dataset_list_free(struct lh_dataset **list, size_t n);

/* Fast lookup for query planning: the file keys of a dataset.
 * -LH_ENOTFOUND if there is no such dataset. */
int lh_catalog_files(struct lh_catalog *c, const char *name, char ***out_keys, size_t *out_n,
                     struct lh_error *err);
void lh_strv_free(char **v, size_t n);

/* Name of a dataset holding a file ingested from content with this SHA-256,
 * preferring `prefer` if it holds one; -LH_ENOTFOUND if none. *out is malloc'd. */
int lh_catalog_find_source(struct lh_catalog *c, const char *sha256, const char *prefer,
                           char **out, struct lh_error *err);

/* Every referenced storage key (for gc). */
int lh_catalog_keys(struct lh_catalog *c, char ***out_keys, size_t *out_n, struct lh_error *err);

/* Repairs a dataset from what its files really hold: new schema and, per
 * file id, rows and size. One transaction, new snapshot. */
int lh_catalog_repair(struct lh_catalog *c, const char *name, const struct lh_column *cols,
                      size_t n_cols, const struct lh_file *files, size_t n_files,
                      int64_t *out_snapshot, struct lh_error *err);

/* Latest snapshot id (0 for an empty catalog); a negative -LH_E* code if the
 * database cannot be read. */
int64_t lh_catalog_snapshot(struct lh_catalog *c);
/* Number of datasets; a negative -LH_E* code if the database cannot be read. */
int64_t lh_catalog_count(struct lh_catalog *c);

#endif
