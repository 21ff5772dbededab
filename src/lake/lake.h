/* SPDX-License-Identifier: MIT */
/* lake.h - the lakehouse use-cases over catalog + storage + SQL engine:
 * open a data folder, ingest files, delete datasets, gc, resync.
 *
 * The CLI and the HTTP handlers call these same functions. A struct lh_lake
 * is shared by all server threads; every function is thread-safe. */
#ifndef LH_LAKE_H
#define LH_LAKE_H

#include "lh_common.h"
#include "catalog.h"
#include "config.h"
#include "err.h"
#include "sql.h"
#include "storage.h"

struct lh_lake {
    const struct lh_config *cfg; /* borrowed */
    char *data_dir;              /* absolute */
    char *tmp_dir;               /* data_dir/tmp: staging for uploads and conversions */
    struct lh_store *store;      /* bucket "primary" */
    struct lh_catalog *cat;
    struct lh_sql *sql;
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
};
void lh_ingest_result_release(struct lh_ingest_result *r);

/* Ingests one file. Bad input (empty, binary, malformed, bad name, schema
 * mismatch on append) fails with a clear message and changes nothing. */
int lh_lake_ingest(struct lh_lake *l, const struct lh_ingest_req *rq, struct lh_ingest_result *out,
                   struct lh_error *err);

/* Derives a dataset name from a file name: "My Data-2024.csv" -> "my_data_2024". */
void lh_lake_name_from_path(const char *path, char out[64]);

/* Deletes a dataset and its files. */
int lh_lake_delete(struct lh_lake *l, const char *name, struct lh_error *err);

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

/* JSON renderings shared by the HTTP API and the CLI's --json output
 * (appended to b). A dataset: name, description, owner, tags, rows,
 * size_bytes, n_files, snapshot_id, created_ms, updated_ms, n_columns,
 * columns[{name,type}] and, with_files, files[{key,rows,size_bytes,
 * snapshot_id,source,sha256}]. */
struct lh_buf;
void lh_lake_columns_json(const struct lh_column *cols, size_t n, struct lh_buf *b);
void lh_lake_dataset_json(const struct lh_dataset *d, bool with_files, struct lh_buf *b);
void lh_lake_ingest_json(const struct lh_ingest_result *r, struct lh_buf *b);
void lh_lake_gc_json(const struct lh_gc_result *r, struct lh_buf *b);
void lh_lake_resync_json(const struct lh_resync_result *r, struct lh_buf *b);

#endif
