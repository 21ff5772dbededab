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

/* Governance metadata of a column (parallel to lh_dataset.columns). */
struct lh_column_meta {
    char pii_kind[24];    /* "none", "email", ... (pii.h names) */
    char sensitivity[16]; /* "public", "internal", "confidential", "restricted" */
    double confidence;    /* of the automatic detection, 0..1 */
    bool user_set;        /* corrected by a user: automatic detection no longer overwrites it */
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
    struct lh_column_meta *col_meta; /* n_columns entries */
    size_t n_files;
    struct lh_file *files; /* NULL/0 from lh_catalog_list */
    /* governance and lineage */
    char *sensitivity;    /* set by a user, or NULL: derived from the columns */
    char *source_system;  /* "file", "upload", "demo", "postgres", ... (never NULL, may be "") */
    char *source;         /* last source: file name or DSN with the password redacted */
    char *ingest_job;     /* id of the last ingest job */
    char *parents_json;   /* JSON array of parent dataset names */
    int64_t last_ingest_ms;
    int64_t schema_version; /* 1 after create, +1 per schema change */
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
    /* Automatic column metadata (n_columns entries, may be NULL). Columns a user has
     * corrected keep the user's values. */
    const struct lh_column_meta *col_meta;
    const char *actor;          /* who, for the journal ("cli:alice", "api") */
    const char *source_system;  /* lineage; NULL = keep */
    const char *source;         /* file name or redacted DSN; NULL = keep */
    const char *ingest_job;     /* NULL = keep */
    const char *parents_json;   /* JSON array; NULL = keep */
    /* JSON array describing the schema changes (from evolve.h) when the columns differ
     * from the dataset's; recorded in the schema history. NULL = "[]". */
    const char *schema_changes_json;
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

/* Deletes a dataset (journaled for `actor`); its file keys are returned like
 * lh_catalog_commit's. */
int lh_catalog_delete(struct lh_catalog *c, const char *name, const char *actor,
                      int64_t *out_snapshot, char ***out_removed, size_t *out_n_removed,
                      struct lh_error *err);

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

/* ---- metadata, history, journal ---- */

struct lh_column_patch {
    const char *name;        /* existing column (case-insensitive) */
    const char *pii_kind;    /* NULL = keep */
    const char *sensitivity; /* NULL = keep */
};

struct lh_meta_patch {
    const char *description; /* NULL = keep */
    const char *owner;
    const char *tags_json;   /* JSON array */
    const char *sensitivity; /* "" = derive from the columns again */
    const char *parents_json;
    size_t n_columns;
    const struct lh_column_patch *columns;
};

/* Changes metadata in one transaction, journaling each changed field (unchanged values are
 * not journaled; a patch that changes nothing records no snapshot). Column patches mark the
 * column user_set (a patch repeating the detected values confirms them). Values are not
 * validated here beyond JSON shape: callers check kinds and levels. */
int lh_catalog_patch(struct lh_catalog *c, const char *name, const struct lh_meta_patch *p,
                     const char *actor, int64_t *out_snapshot, struct lh_error *err);

struct lh_schema_version {
    int64_t version;
    int64_t snapshot_id;
    int64_t created_ms;
    char *actor;
    char *columns_json; /* [{"name","type"}] */
    char *changes_json; /* [] for the first version */
};
/* Every schema version of a dataset, oldest first. */
int lh_catalog_schema_history(struct lh_catalog *c, const char *name,
                              struct lh_schema_version **out, size_t *out_n,
                              struct lh_error *err);
void lh_schema_history_free(struct lh_schema_version *v, size_t n);

struct lh_journal_entry {
    int64_t id;
    int64_t ts_ms;
    int64_t snapshot_id;
    char *actor;
    char *action;    /* create, replace, append, delete, metadata, repair, compact */
    char *entity;    /* dataset name, or "dataset.column" for column metadata */
    char *field;     /* rows, schema, description, pii_kind, ... */
    char *old_value; /* may be NULL */
    char *new_value; /* may be NULL */
};
/* Journal entries, newest first: all (entity NULL) or those of one entity (a dataset name
 * also matches its columns' "dataset.column" entries); before_id > 0 pages backwards;
 * limit 1..10000 (0 = 100). */
int lh_catalog_journal(struct lh_catalog *c, const char *entity, int64_t before_id, int limit,
                       struct lh_journal_entry **out, size_t *out_n, struct lh_error *err);
void lh_journal_free(struct lh_journal_entry *e, size_t n);

/* Datasets that list `name` among their parents. */
int lh_catalog_children(struct lh_catalog *c, const char *name, char ***out, size_t *out_n,
                        struct lh_error *err);

/* Replaces exactly the files `old_keys` of a dataset by `files` (compaction), in one
 * transaction. -LH_ECONFLICT if any old key no longer belongs to the dataset (it changed
 * meanwhile) or the row count would change by other than `rows_dropped` (tombstoned rows
 * compaction removed); nothing is changed then. */
int lh_catalog_swap_files(struct lh_catalog *c, const char *name, char *const *old_keys,
                          size_t n_old, const struct lh_file *files, size_t n_files,
                          int64_t rows_dropped, const char *actor, int64_t *out_snapshot,
                          struct lh_error *err);

/* ---- vector index registry, index documents, jobs ---- */

struct lh_index_def {
    char *name;       /* index name ([a-z0-9_], like datasets) */
    char *dataset;
    char *text_col;
    char *id_col;
    char *embedder;   /* "builtin", "ollama", "openai" */
    char *model;
    char *version;
    int64_t dims;
    char *params_json; /* chunking and HNSW parameters */
    int64_t generation; /* 0 = never built */
    char *state;       /* empty, building, ready, failed */
    bool stale;        /* the dataset changed since the last build */
    char *stats_json;  /* build stats */
    int64_t created_ms;
    int64_t updated_ms;
};
void lh_index_def_free(struct lh_index_def *d);
void lh_index_def_list_free(struct lh_index_def **v, size_t n);
/* -LH_EEXIST if the name is taken. */
int lh_catalog_index_create(struct lh_catalog *c, const struct lh_index_def *d,
                            struct lh_error *err);
int lh_catalog_index_get(struct lh_catalog *c, const char *name, struct lh_index_def **out,
                         struct lh_error *err);
/* All indexes, or those of one dataset. */
int lh_catalog_index_list(struct lh_catalog *c, const char *dataset, struct lh_index_def ***out,
                          size_t *out_n, struct lh_error *err);
/* NULL / negative arguments keep the current value. */
int lh_catalog_index_update(struct lh_catalog *c, const char *name, const char *state,
                            int64_t generation, const char *stats_json, int stale,
                            struct lh_error *err);
int lh_catalog_index_delete(struct lh_catalog *c, const char *name, struct lh_error *err);
/* Marks every built index of a dataset stale (ingest calls this). */
int lh_catalog_mark_stale(struct lh_catalog *c, const char *dataset, struct lh_error *err);

/* A source document of an index: its content hash decides whether it must be re-embedded;
 * its chunks are labels first_label .. first_label + n_chunks - 1 in the Parquet batch_key. */
struct lh_index_doc {
    char *doc_id;
    char *content_hash;
    int64_t first_label;
    int64_t n_chunks;
    char *batch_key;
};
void lh_index_docs_free(struct lh_index_doc *d, size_t n);
int lh_catalog_index_docs(struct lh_catalog *c, const char *name, struct lh_index_doc **out,
                          size_t *out_n, struct lh_error *err);
/* In one transaction: forget `removed` documents, record `docs`, and (job_id) set the job's
 * done count, so a resumed job never redoes a finished batch. */
int lh_catalog_index_docs_put(struct lh_catalog *c, const char *name,
                              const struct lh_index_doc *docs, size_t n, char *const *removed,
                              size_t n_removed, const char *job_id, int64_t job_done,
                              struct lh_error *err);

/* One stored evaluation run of an index (lh_lake_eval): what was measured and on which build
 * and parameters. Rows go with their index (ON DELETE CASCADE). */
struct lh_index_eval {
    int64_t id;
    char *index;        /* index name */
    int64_t generation; /* the build evaluated */
    int64_t k, queries, vectors;
    int64_t m, ef_construction; /* HNSW parameters of the index */
    char *embedder, *model;
    int64_t dims;
    double exact_ms_mean;  /* mean latency of the exact search giving the ground truth */
    char *results_json;    /* [{ef, recall, ms_mean, ms_p50, ms_p95, ms_p99, qps}] */
    char *actor;
    int64_t created_ms;    /* 0 when adding: now */
};
void lh_index_evals_free(struct lh_index_eval *v, size_t n);
/* Records an eval run of index e->index (id ignored); *out_id (may be NULL) gets its id.
 * -LH_ENOTFOUND if there is no such index. */
int lh_catalog_eval_add(struct lh_catalog *c, const struct lh_index_eval *e, int64_t *out_id,
                        struct lh_error *err);
/* The stored runs of an index, newest first, at most limit (0 = 100, capped at 1000).
 * -LH_ENOTFOUND if there is no such index. */
int lh_catalog_eval_list(struct lh_catalog *c, const char *index, int limit,
                         struct lh_index_eval **out, size_t *out_n, struct lh_error *err);

struct lh_job {
    char id[40];
    char *kind;   /* "index" */
    char *target; /* index name */
    char *state;  /* queued, running, done, failed, canceled */
    int64_t done, total;
    char *params_json;
    char *error;
    char *actor;
    int64_t created_ms, updated_ms, finished_ms;
};
void lh_job_free(struct lh_job *j);
void lh_job_list_free(struct lh_job **v, size_t n);
int lh_catalog_job_create(struct lh_catalog *c, const char *id, const char *kind,
                          const char *target, const char *params_json, const char *actor,
                          struct lh_error *err);
/* NULL / negative arguments keep the current value; a final state sets finished_ms. */
int lh_catalog_job_update(struct lh_catalog *c, const char *id, const char *state, int64_t done,
                          int64_t total, const char *error, struct lh_error *err);
int lh_catalog_job_get(struct lh_catalog *c, const char *id, struct lh_job **out,
                       struct lh_error *err);
/* Newest first; state NULL = all. */
int lh_catalog_job_list(struct lh_catalog *c, const char *state, int limit, struct lh_job ***out,
                        size_t *out_n, struct lh_error *err);

/* Latest snapshot id (0 for an empty catalog); a negative -LH_E* code if the
 * database cannot be read. */
int64_t lh_catalog_snapshot(struct lh_catalog *c);
/* Number of datasets; a negative -LH_E* code if the database cannot be read. */
int64_t lh_catalog_count(struct lh_catalog *c);

/* ---- access control (catalog_access.c) ---- */

/* An API key as stored: only the SHA-256 of the key text, never the key. */
struct lh_api_key {
    char *id;          /* public part of the key ("lh_<id>_...") */
    char *name;
    char *role;
    char *hash;        /* hex SHA-256 of the whole key text */
    char *profile;     /* model profile the key is bound to, or NULL */
    char *created_by;
    int64_t created_ms;
    int64_t revoked_ms;   /* 0 = active */
    int64_t last_used_ms;
};
void lh_api_key_free(struct lh_api_key *k);
void lh_api_key_list_free(struct lh_api_key **v, size_t n);
int lh_catalog_key_create(struct lh_catalog *c, const struct lh_api_key *k, struct lh_error *err);
int lh_catalog_key_get(struct lh_catalog *c, const char *id, struct lh_api_key **out,
                       struct lh_error *err);
int lh_catalog_key_list(struct lh_catalog *c, struct lh_api_key ***out, size_t *out_n,
                        struct lh_error *err);
int lh_catalog_key_revoke(struct lh_catalog *c, const char *id, const char *actor,
                          struct lh_error *err);
/* Best effort: records when a key was last used. */
void lh_catalog_key_touch(struct lh_catalog *c, const char *id, int64_t ms);

/* Roles, views and model profiles: named JSON definitions ("role", "view", "profile"),
 * journaled on every change. */
struct lh_access_obj {
    char *kind;
    char *name;
    char *def_json;
    char *actor;
    int64_t created_ms;
    int64_t updated_ms;
};
void lh_access_obj_free(struct lh_access_obj *o);
void lh_access_obj_list_free(struct lh_access_obj **v, size_t n);
/* Creates or replaces. */
int lh_catalog_access_put(struct lh_catalog *c, const char *kind, const char *name,
                          const char *def_json, const char *actor, struct lh_error *err);
int lh_catalog_access_get(struct lh_catalog *c, const char *kind, const char *name,
                          struct lh_access_obj **out, struct lh_error *err);
int lh_catalog_access_list(struct lh_catalog *c, const char *kind, struct lh_access_obj ***out,
                           size_t *out_n, struct lh_error *err);
int lh_catalog_access_delete(struct lh_catalog *c, const char *kind, const char *name,
                             const char *actor, struct lh_error *err);

/* Tombstones: rows (by key column value) deleted everywhere; durable once recorded. */
struct lh_tombstone {
    int64_t id;
    char *dataset;
    char *key_col;
    char *value;
    char *actor;
    char *reason;
    int64_t created_ms;
    int64_t purged_ms; /* when compaction physically removed the rows; 0 = not yet */
};
void lh_tombstones_free(struct lh_tombstone *t, size_t n);
/* Records values (already present ones are skipped; *out_added counts new ones) in one
 * transaction, fsynced before returning. */
int lh_catalog_tombstone_add(struct lh_catalog *c, const char *dataset, const char *key_col,
                             const char *const *values, size_t n, const char *actor,
                             const char *reason, int64_t *out_added, struct lh_error *err);
/* dataset NULL = all; active_only = not yet purged by compaction. */
int lh_catalog_tombstones(struct lh_catalog *c, const char *dataset, bool active_only,
                          struct lh_tombstone **out, size_t *out_n, struct lh_error *err);
/* Marks a dataset's tombstones up to max_id as physically purged, and records that file
 * `key` (the compacted file, or NULL) holds no row of tombstones up to max_id. */
int lh_catalog_tombstones_purged(struct lh_catalog *c, const char *dataset, int64_t max_id,
                                 const char *key, struct lh_error *err);
/* For each of n storage keys, the newest tombstone id its rows were purged of (0 = none). */
int lh_catalog_file_purges(struct lh_catalog *c, char *const *keys, size_t n, int64_t *out_upto,
                           struct lh_error *err);

#endif
