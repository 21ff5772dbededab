/* SPDX-License-Identifier: MIT */
/* lake.h - the lakehouse use-cases over catalog + storage + SQL engine:
 * open a data folder, ingest files, delete datasets, gc, resync.
 *
 * The CLI and the HTTP handlers call these same functions. A struct lh_lake
 * is shared by all server threads; every function is thread-safe. */
#ifndef LH_LAKE_H
#define LH_LAKE_H

#include "lh_common.h"
#include "audit.h"
#include "auth.h"
#include "catalog.h"
#include "config.h"
#include "err.h"
#include "sql.h"
#include "storage.h"

struct lh_buf;

struct lh_lake {
    const struct lh_config *cfg; /* borrowed */
    char *data_dir;              /* absolute */
    char *tmp_dir;               /* data_dir/tmp: staging for uploads and conversions */
    struct lh_store *store;      /* bucket "primary" */
    struct lh_catalog *cat;
    struct lh_sql *sql;
    struct lh_audit *audit;      /* the access log (audit.db) */
    struct lh__lake_state *st; /* internal (lake_int.h) */
};

/* Opens (creating) the data folder named by cfg->data_dir. */
int lh_lake_open(const struct lh_config *cfg, struct lh_lake **out, struct lh_error *err);
void lh_lake_close(struct lh_lake *l);

/* A fresh staging path in tmp_dir with the given suffix (malloc'd). The name
 * carries the creating process id, so gc can tell abandoned files. */
char *lh_lake_tmp_path(struct lh_lake *l, const char *suffix);

enum lh_ingest_mode { LH_INGEST_CREATE, LH_INGEST_REPLACE, LH_INGEST_APPEND };
/* "create", "replace", "append" */
int lh_ingest_mode_parse(const char *s, enum lh_ingest_mode *out);

struct lh_ingest_req {
    const char *path;      /* local file to ingest */
    const char *name;      /* dataset name; NULL = derived from source/path */
    enum lh_ingest_mode mode;
    const char *format;    /* "csv", "json", "ndjson", "parquet" or NULL = detect */
    const char *source;    /* original file name for lineage (NULL = path) */
    const char *delimiter; /* CSV delimiter or NULL */
    int header;            /* CSV: -1 detect, 0, 1 */
    const char *description;
    const char *owner;
    const char *actor;         /* who, for the journal ("cli:alice", "api@127.0.0.1") */
    const char *source_system; /* lineage: "file" (default), "upload", "demo", ... */
    bool allow_schema_change;  /* apply unsafe schema changes (removed, renamed, narrowed) */
    void (*progress)(void *ud, double pct);
    void *progress_ud;
};

struct lh_ingest_result {
    char dataset[64];
    const char *mode;       /* "create", "replace", "append" */
    const char *format;     /* detected source format */
    int64_t rows;           /* rows added by this ingest */
    int64_t total_rows;     /* dataset rows after it */
    int64_t snapshot_id;
    int64_t bytes_in;
    bool created;           /* this ingest created the dataset */
    bool duplicate;         /* identical content already ingested: nothing changed */
    char duplicate_of[64];  /* dataset holding it */
    char sha256[65];
    size_t n_columns;
    struct lh_column *columns;
    struct lh_column_meta *col_meta; /* PII detection per column (n_columns) */
    char *schema_changes_json;       /* JSON array of schema changes ("[]" if none) */
    char job_id[37];                 /* this ingest's id (lineage) */
};
void lh_ingest_result_release(struct lh_ingest_result *r);

/* Ingests one file. Bad input (empty, binary, malformed, bad name, unsafe
 * schema change) fails with a clear message and changes nothing; *out then
 * holds nothing to release. */
int lh_lake_ingest(struct lh_lake *l, const struct lh_ingest_req *rq, struct lh_ingest_result *out,
                   struct lh_error *err);

struct lh_dir_file {
    char *path;
    bool document; /* PDF, text, Markdown or chat (else a table: CSV, JSON, Parquet) */
    bool ok;
    int64_t rows;
    char error[LH_ERRMSG_MAX];
};

struct lh_dir_result {
    size_t n_files, n_ok, n_failed;
    struct lh_dir_file *files;
    int64_t rows;
    struct lh_ingest_result ingest; /* of the (last) commit */
};
void lh_dir_result_release(struct lh_dir_result *r);

/* Ingests every file under dir (recursively, hidden files skipped) whose name matches glob
 * (NULL = "*") into one dataset (tmpl->name, else named after the folder). Documents are
 * extracted into one set of rows and committed once; tables are ingested one by one, the
 * first with tmpl->mode and the rest appended. A bad file is reported in its entry and
 * skipped; the call fails only if no file could be ingested or documents and tables mix. */
int lh_lake_ingest_dir(struct lh_lake *l, const char *dir, const char *glob,
                       const struct lh_ingest_req *tmpl,
                       void (*progress)(void *ud, const char *file, size_t done, size_t total),
                       void *ud, struct lh_dir_result *out, struct lh_error *err);

/* Derives a dataset name from a file name: "My Data-2024.csv" -> "my_data_2024". */
void lh_lake_name_from_path(const char *path, char out[64]);

/* Deletes a dataset and its files (journaled for actor). */
int lh_lake_delete(struct lh_lake *l, const char *name, const char *actor, struct lh_error *err);

struct lh_gc_result {
    int64_t files_removed;
    int64_t bytes_removed;
    int64_t files_kept;
};
/* Removes storage objects no catalog entry references, and stale staging files. */
int lh_lake_gc(struct lh_lake *l, struct lh_gc_result *out, struct lh_error *err);

struct lh_resync_result {
    int64_t datasets;
    int64_t files_checked;
    int64_t datasets_repaired;
    int64_t files_missing; /* referenced by the catalog but absent from storage */
};
/* Re-reads every dataset's Parquet footers and repairs row counts and schemas. */
int lh_lake_resync(struct lh_lake *l, struct lh_resync_result *out, struct lh_error *err);

/* ---- hot cache ---- */

struct lh_cache_info {
    char dataset[64];
    const char *state; /* "loading", "ready", "refreshing" */
    int64_t bytes;     /* estimated memory */
    int64_t rows;
    int64_t hits;      /* queries served from the copy */
    int64_t loaded_ms;
    int64_t last_used_ms;
};
/* Copies a dataset into memory (cfg->cache_bytes budget, LRU eviction); queries then read
 * the copy until the dataset changes, when a fresh copy is loaded in the background.
 * -LH_ELIMIT if the dataset alone exceeds the budget. Dataset names are [a-z0-9_]. */
int lh_lake_cache_pin(struct lh_lake *l, const char *dataset, struct lh_cache_info *out,
                      struct lh_error *err);
/* Drops a dataset's copy; -LH_ENOTFOUND if it is not pinned. */
int lh_lake_cache_evict(struct lh_lake *l, const char *dataset, struct lh_error *err);
/* {"budget_bytes","used_bytes","entries":[{dataset,state,bytes,rows,hits,...}]} */
void lh_lake_cache_stats_json(struct lh_lake *l, struct lh_buf *b);
void lh_lake_cache_info_json(const struct lh_cache_info *ci, struct lh_buf *b);

/* ---- compaction ---- */

struct lh_compact_result {
    int64_t files_before;
    int64_t files_after;
    int64_t files_merged;
    int64_t bytes_before;
    int64_t bytes_after;
    int64_t rows;
    int64_t snapshot_id; /* 0 if nothing was compacted */
};
/* Merges the dataset's files smaller than target_bytes (0 = 128 MiB) into one, atomically
 * (one catalog swap); queries keep running, and the old files are deleted once no running
 * query reads them. Nothing to do (fewer than 2 small files) is not an error.
 * -LH_ECONFLICT if the dataset is being compacted already or changed meanwhile. */
int lh_lake_compact(struct lh_lake *l, const char *name, int64_t target_bytes, const char *actor,
                    struct lh_compact_result *out, struct lh_error *err);
/* The same on a background task; the outcome is journaled and logged. */
int lh_lake_compact_async(struct lh_lake *l, const char *name, int64_t target_bytes,
                          const char *actor, struct lh_error *err);
void lh_lake_compact_json(const char *name, const struct lh_compact_result *r, struct lh_buf *b);

/* ---- jobs ---- */

/* Runs a recorded job in the calling thread (the CLI's foreground jobs). */
int lh_lake_job_run(struct lh_lake *l, const char *id,
                    void (*progress)(void *ud, int64_t done, int64_t total), void *ud,
                    struct lh_error *err);
/* Runs a recorded job on a background task. */
int lh_lake_job_start(struct lh_lake *l, const char *id, struct lh_error *err);
/* Asks a job to stop at its next batch boundary (finished work is kept). */
int lh_lake_job_cancel(struct lh_lake *l, const char *id, struct lh_error *err);
/* Restarts queued and running jobs left by a stopped process (server start). */
int lh_lake_jobs_resume(struct lh_lake *l, int *out_n);
/* {"id","kind","target","state","done","total","rate_per_s","eta_s","error",...} */
void lh_lake_job_json(struct lh_lake *l, const struct lh_job *j, struct lh_buf *b);

/* ---- vector indexes, search and RAG ---- */

struct lh_index_req {
    const char *name;     /* NULL = "<dataset>_<text column>" */
    const char *dataset;
    const char *text_col;
    const char *id_col;
    const char *embedder; /* "builtin" (default), "ollama", "openai" */
    const char *model;    /* remote embedders */
    int dims;             /* builtin: 0 = 384 */
    int chunk_size;       /* characters, 0 = 800 */
    int chunk_overlap;    /* 0 = 100 */
    int m;                /* HNSW M, 0 = 16 */
    int ef_construction;  /* 0 = 100 */
    const char *actor;
};
/* Registers the index (or reuses an existing one with the same definition) and records a
 * build job; *job_id receives its id. Builds embed only new or changed documents. */
int lh_lake_index(struct lh_lake *l, const struct lh_index_req *rq, char job_id[40],
                  struct lh_error *err);
int lh_lake_index_drop(struct lh_lake *l, const char *name, struct lh_error *err);
void lh_lake_index_json(const struct lh_index_def *d, struct lh_buf *b);

enum lh_search_mode { LH_SEARCH_VECTOR, LH_SEARCH_KEYWORD, LH_SEARCH_HYBRID };
int lh_search_mode_parse(const char *s, enum lh_search_mode *out);

struct lh_search_req {
    const char *index;
    const char *query;
    int k;                 /* 1..1000, 0 = 10 */
    enum lh_search_mode mode;
    const char *filter;    /* SQL condition over the dataset's columns, or NULL */
    int ef;                /* HNSW ef_search, 0 = max(64, 2k) */
    const struct lh_principal *who; /* NULL = unrestricted (still without tombstoned rows) */
    const char *profile;   /* model profile to stay inside, or NULL */
};

struct lh_search_hit {
    uint64_t label;
    char *doc_id;
    int chunk_no;
    char *text;
    float score;
};

struct lh_search_result {
    size_t n;
    struct lh_search_hit *hits;
    bool exact;      /* a filter made the search exact */
    double ms;
};
void lh_search_result_release(struct lh_search_result *r);
int lh_lake_search(struct lh_lake *l, const struct lh_search_req *rq,
                   struct lh_search_result *out, struct lh_error *err);
void lh_lake_search_json(const struct lh_search_result *r, struct lh_buf *b);

struct lh_rag_req {
    const char *question;
    const char *index;  /* NULL = the only (or first ready) index */
    int k;              /* passages, 0 = 5 */
    const char *filter;
    const struct lh_principal *who;
    const char *profile;
};
/* Retrieves passages (hybrid search) and answers with numbered citations: with the
 * configured LLM, or extractively (the best passages) when none is configured. Writes the
 * JSON answer {"answer","mode","model","citations":[{n,doc_id,chunk_no,score,text}]}. */
int lh_lake_rag(struct lh_lake *l, const struct lh_rag_req *rq, struct lh_buf *out,
                struct lh_error *err);

/* Evaluates an index: n_queries stored vectors as queries, exact (brute-force) top-k as the
 * ground truth, then for each ef the HNSW recall@k and latency (mean, p50, p95, p99, QPS on
 * one thread). The run is stored in the catalog (index_evals, for `actor`) and written as
 * lh_lake_eval_json does, with its id. -LH_ENOTFOUND for an unknown index. */
int lh_lake_eval(struct lh_lake *l, const char *name, int n_queries, int k, const int *efs,
                 size_t n_efs, const char *actor, struct lh_buf *out, struct lh_error *err);
/* One stored run as {"id","index","generation","queries","k","vectors","params":{"m",
 * "ef_construction","embedder","model","dims"},"exact_ms_mean","configs":[{"ef","recall",
 * "ms_mean","ms_p50","ms_p95","ms_p99","qps"}],"actor","created_ms"}. */
void lh_lake_eval_json(const struct lh_index_eval *e, struct lh_buf *b);
/* The stored runs of an index, newest first (limit as lh_catalog_eval_list), as
 * {"index","evals":[...]}. -LH_ENOTFOUND for an unknown index. */
int lh_lake_eval_history(struct lh_lake *l, const char *name, int limit, struct lh_buf *out,
                         struct lh_error *err);

/* Validates (PII kinds, sensitivity levels) and applies a metadata patch (journaled). */
int lh_lake_patch(struct lh_lake *l, const char *name, const struct lh_meta_patch *p,
                  const char *actor, int64_t *out_snapshot, struct lh_error *err);
/* Lineage of a dataset as JSON: source system, source, ingest job, parents, children,
 * files with their sources. */
int lh_lake_lineage_json(struct lh_lake *l, const char *name, struct lh_buf *b,
                         struct lh_error *err);
/* Schema history as JSON: {"dataset","versions":[{version,snapshot_id,created_ms,actor,
 * columns,changes}]}. */
int lh_lake_history_json(struct lh_lake *l, const char *name, struct lh_buf *b,
                         struct lh_error *err);
/* Journal entries as JSON: {"entries":[{id,ts_ms,snapshot_id,actor,action,entity,field,old,
 * new}],"next_before":id}. */
void lh_lake_journal_json(const struct lh_journal_entry *e, size_t n, struct lh_buf *b);

/* JSON renderings shared by the HTTP API and the CLI's --json output
 * (appended to b). A dataset: name, description, owner, tags, rows,
 * size_bytes, n_files, snapshot_id, created_ms, updated_ms, n_columns,
 * columns[{name,type}] and, with_files, files[{key,rows,size_bytes,
 * snapshot_id,source,sha256}]. */
void lh_lake_columns_json(const struct lh_column *cols, const struct lh_column_meta *meta,
                          size_t n, struct lh_buf *b);
/* The dataset's sensitivity: set by a user, else the highest of its columns' (at least
 * "internal"). */
const char *lh_lake_sensitivity(const struct lh_dataset *d);
void lh_lake_dataset_json(const struct lh_dataset *d, bool with_files, struct lh_buf *b);
void lh_lake_ingest_json(const struct lh_ingest_result *r, struct lh_buf *b);
/* {"datasets":[...]} of a list (without files). */
void lh_lake_datasets_json(struct lh_dataset *const *list, size_t n, struct lh_buf *b);
void lh_lake_gc_json(const struct lh_gc_result *r, struct lh_buf *b);
void lh_lake_resync_json(const struct lh_resync_result *r, struct lh_buf *b);

/* ---- governance (lake_access.c) ---- */

/* The unrestricted principal of the CLI and of unauthenticated loopback access. */
void lh_principal_admin(struct lh_principal *p, const char *actor);
void lh_principal_release(struct lh_principal *p);
/* Checks an API key: -LH_EAUTH if unknown, revoked or malformed; fills *out with its role. */
int lh_lake_authenticate(struct lh_lake *l, const char *key, struct lh_principal *out,
                         struct lh_error *err);
/* A built-in or custom role by name. */
int lh_lake_role_load(struct lh_lake *l, const char *name, struct lh_role *out,
                      struct lh_error *err);

/* Keys: the key text is written to `text` and into out once, at creation. */
int lh_lake_key_create(struct lh_lake *l, const char *name, const char *role, const char *profile,
                       const char *actor, char text[LH_KEY_TEXT_MAX], struct lh_buf *out,
                       struct lh_error *err);
int lh_lake_keys_json(struct lh_lake *l, struct lh_buf *out, struct lh_error *err);
int lh_lake_key_revoke(struct lh_lake *l, const char *id, const char *actor, struct lh_error *err);

int lh_lake_role_put(struct lh_lake *l, const char *name, const char *def_json, const char *actor,
                     struct lh_buf *out, struct lh_error *err);
int lh_lake_roles_json(struct lh_lake *l, struct lh_buf *out, struct lh_error *err);
int lh_lake_role_delete(struct lh_lake *l, const char *name, const char *actor,
                        struct lh_error *err);

/* AI-safe views: {"dataset","columns":[...],"filter":"SQL condition","redact":{col:action}}. */
int lh_lake_view_put(struct lh_lake *l, const char *name, const char *def_json, const char *actor,
                     struct lh_buf *out, struct lh_error *err);
int lh_lake_view_json(struct lh_lake *l, const char *name, struct lh_buf *out,
                      struct lh_error *err);
/* Views `who` may read (NULL = all). */
int lh_lake_views_json(struct lh_lake *l, const struct lh_principal *who, struct lh_buf *out,
                       struct lh_error *err);
int lh_lake_view_delete(struct lh_lake *l, const char *name, const char *actor,
                        struct lh_error *err);

/* Tombstones: rows whose key column holds one of `values` disappear from SQL, search, RAG
 * and exports at once (durable on return) and from the files at the next compaction. */
int lh_lake_tombstone(struct lh_lake *l, const char *dataset, const char *key_col,
                      const char *const *values, size_t n, const char *actor, const char *reason,
                      struct lh_buf *out, struct lh_error *err);
int lh_lake_tombstones_json(struct lh_lake *l, const char *dataset, struct lh_buf *out,
                            struct lh_error *err);

/* Model profiles: {"datasets","views","indexes","llm","llm_model","embedder"}. */
int lh_lake_profile_put(struct lh_lake *l, const char *name, const char *def_json,
                        const char *actor, struct lh_buf *out, struct lh_error *err);
int lh_lake_profile_json(struct lh_lake *l, const char *name, struct lh_buf *out,
                         struct lh_error *err);
int lh_lake_profiles_json(struct lh_lake *l, struct lh_buf *out, struct lh_error *err);
int lh_lake_profile_delete(struct lh_lake *l, const char *name, const char *actor,
                           struct lh_error *err);
/* Loads the profile's indexes into memory; writes {"profile","indexes":[{name,loaded,ms}]}. */
int lh_lake_profile_activate(struct lh_lake *l, const struct lh_principal *who, const char *name,
                             struct lh_buf *out, struct lh_error *err);
/* The generator and model of the profile in effect (malloc'd, NULL = server default). */
int lh_lake_profile_llm(struct lh_lake *l, const struct lh_principal *who, const char *requested,
                        char **out_llm, char **out_model, struct lh_error *err);

/* The SQL firewall for `who` (no-op for admin); then a query on who's behalf. */
int lh_lake_firewall(struct lh_lake *l, const struct lh_principal *who, const char *sql,
                     struct lh_error *err);
int lh_lake_query(struct lh_lake *l, const struct lh_principal *who, const char *sql,
                  struct lh_query_opts *o, struct lh_sql_cursor **out, struct lh_error *err);

#endif
