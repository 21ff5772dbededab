/* SPDX-License-Identifier: MIT */
/* sql.h - the SQL engine (DuckDB): sandboxed read-only queries with streamed
 * results, and file conversion to zstd Parquet for ingest.
 *
 * One struct lh_sql per process; every call opens its own DuckDB connection,
 * so all functions are thread-safe. Only sql_duckdb.c includes duckdb.h. */
#ifndef LH_SQL_H
#define LH_SQL_H

#include "lh_common.h"
#include "buf.h"
#include "err.h"
#include "schema.h"

struct lh_sql;
struct lh_sql_cursor;

struct lh_sql_opts {
    const char *data_dir;     /* absolute; the only folder SQL may read or write */
    int threads;              /* 0 = cores */
    const char *memory_limit; /* "75%", "4GB"; NULL = DuckDB default */
};

/* What a dataset name in SQL reads: its Parquet files, or a table of the hot cache. */
struct lh_sql_source {
    char **paths;       /* malloc'd array of malloc'd absolute paths */
    size_t n_paths;
    char *cached_table; /* malloc'd name of an lh_sql_cache_load table, or NULL */
    /* Governance (all malloc'd, NULL = none): the name then reads
     *   SELECT <projection> FROM (SELECT * FROM <files> WHERE <where>) WHERE (<filter>)
     * where projection masks columns, where drops tombstoned rows and filter is a view's
     * row filter (checked to be one plain expression when the view was defined). */
    char *projection;
    char *where;
    char *filter;
    size_t n_clean; /* the first n_clean paths need no `where` (compaction purged them) */
};

/* Resolves a table name used in SQL on behalf of ctx (the lh_query_opts.ctx of the query
 * being bound; NULL for the engine's own internal queries). Returns 0 and fills *out
 * (paths, n_paths >= 1, or cached_table), or -LH_ENOTFOUND if `name` is not a dataset.
 * Called while a query binds. */
typedef int (*lh_sql_resolve_fn)(void *ud, const void *ctx, const char *name,
                                 struct lh_sql_source *out);

int lh_sql_open(const struct lh_sql_opts *o, struct lh_sql **out, struct lh_error *err);
void lh_sql_close(struct lh_sql *s);
/* vec_search(index, query [, k := 10] [, mode := 'hybrid']) in SQL calls this searcher:
 * it fills a malloc'd array of hits (doc_id, text malloc'd) or returns non-zero with a
 * message in errbuf. */
struct lh_sql_hit {
    char *doc_id;
    int chunk;
    double score;
    char *text;
};
typedef int (*lh_sql_search_fn)(void *ud, const char *index, const char *query, int k,
                                const char *mode, struct lh_sql_hit **out, size_t *out_n,
                                char *errbuf, size_t errlen);
void lh_sql_set_searcher(struct lh_sql *s, lh_sql_search_fn fn, void *ud);

/* Installs the dataset resolver (before the first query). */
void lh_sql_set_resolver(struct lh_sql *s, lh_sql_resolve_fn fn, void *ud);

/* Files in use: every path a running query (or cache load) resolved stays "in use" until
 * that query's cursor is closed, so files replaced meanwhile can be deleted only after.
 * The release hook is called (outside any engine lock) whenever a path stops being used. */
bool lh_sql_path_in_use(struct lh_sql *s, const char *path);
void lh_sql_set_release_hook(struct lh_sql *s, void (*fn)(void *ud), void *ud);

/* ---- hot cache: datasets copied into DuckDB memory ---- */

/* Estimated bytes in memory of the data in these Parquet files (uncompressed size). */
int lh_sql_estimate_bytes(struct lh_sql *s, char *const *paths, size_t n, int64_t *out_bytes,
                          int64_t *out_rows, struct lh_error *err);
/* Creates (or replaces) cache table `table` ([a-z0-9_]+) with the rows of the files. */
int lh_sql_cache_load(struct lh_sql *s, const char *table, char *const *paths, size_t n,
                      struct lh_error *err);
/* Drops a cache table (queries that already bound it finish normally). */
void lh_sql_cache_drop(struct lh_sql *s, const char *table);

enum lh_sql_format { LH_FMT_JSON, LH_FMT_NDJSON, LH_FMT_CSV, LH_FMT_PARQUET };
/* "json", "ndjson", "csv", "parquet" -> format; -LH_EINVAL otherwise. */
int lh_sql_format_parse(const char *s, enum lh_sql_format *out);
const char *lh_sql_format_mime(enum lh_sql_format f);

struct lh_query_opts {
    enum lh_sql_format format;
    int64_t row_limit;  /* 0 = no limit; more rows are cut and "truncated" is reported */
    int64_t timeout_ms; /* 0 = none; on expiry the query is interrupted (-LH_ETIMEDOUT) */
    const void *ctx;    /* who runs it: handed to the resolver while the query binds */
    /* May be NULL. Polled from the engine's watchdog thread about every 100 ms while
     * lh_sql_query or lh_sql_cursor_read runs (never between calls, never after close);
     * returning true cancels the query as lh_sql_cursor_cancel does (-LH_ECANCELED).
     * The HTTP server uses it to stop the work of a client that went away. */
    bool (*abandoned)(void *ud);
    void *abandoned_ud;
};

/* Starts a read-only query. Exactly one SELECT-type statement is accepted
 * (else -LH_ENOTALLOWED); DuckDB errors come back as -LH_ESQL with DuckDB's
 * message. Runs until the first rows are ready, so most errors surface here.
 * The cursor must be closed with lh_sql_cursor_close. */
int lh_sql_query(struct lh_sql *s, const char *sql, const struct lh_query_opts *o,
                 struct lh_sql_cursor **out, struct lh_error *err);

/* Appends the next part of the formatted result to out (header first,
 * footer last). Returns 1 if more follows, 0 when the result is complete,
 * or a negative error; after an error in JSON format the output is still
 * a valid document with an "error" member, in CSV/NDJSON the stream is cut. */
int lh_sql_cursor_read(struct lh_sql_cursor *c, struct lh_buf *out, struct lh_error *err);
/* Rows written so far, and whether row_limit cut the result. */
int64_t lh_sql_cursor_rows(const struct lh_sql_cursor *c);
bool lh_sql_cursor_truncated(const struct lh_sql_cursor *c);
/* Interrupts the running query from any thread (e.g. client went away). */
void lh_sql_cursor_cancel(struct lh_sql_cursor *c);
void lh_sql_cursor_close(struct lh_sql_cursor *c);

/* ---- SQL firewall (queries of non-admin roles) ---- */

/* What a query may read. Everything not allowed here is refused (deny by default). */
struct lh_sql_fw {
    /* May the query read dataset/view `name`? Called with an unqualified table name exactly
     * as written in the query (case kept), never with a CTE name, a qualified name or a
     * name holding / \ . * ? [ ] { } : ~ (those are refused before). NULL = no name. */
    bool (*table_ok)(void *ud, const char *name);
    /* May the query call table function `fn_name` (ASCII lower-cased, unqualified), e.g.
     * vec_search? range, generate_series and unnest are always allowed; file readers,
     * metadata and internal functions (read_*, parquet_*, *_scan, *_metadata, glob, query,
     * query_table, duckdb_*, pragma_*, lh_*, ...) never are, whatever this says.
     * NULL = no other table function. */
    bool (*table_fn_ok)(void *ud, const char *fn_name);
    void *ud;
};

/* Checks DuckDB's serialized AST of a query (the output of json_serialize_sql) against fw:
 * exactly one SELECT; every table reference is a name table_ok allows, a CTE in scope, or a
 * subquery, join, VALUES list, PIVOT or allowed table function over such; every function,
 * operator and window function is on the firewall's allow-list (docs/internals/sql.md).
 * Anything the walker does not know is refused, never skipped. fw may be NULL (= nothing).
 * Returns 0 if the query is allowed, else a negative code with a message naming what was
 * refused: -LH_EPERM (refused), -LH_ESQL (the text did not parse), -LH_EINVAL (no
 * statement). Pure: no DuckDB, thread-safe; callbacks run on the calling thread. */
int lh_sql_firewall_check_ast(const char *ast_json, const struct lh_sql_fw *fw,
                              struct lh_error *err);

/* Parses sql with json_serialize_sql (on the internal instance, the text bound as a
 * parameter, nothing executed) and checks it with lh_sql_firewall_check_ast. Returns 0 if
 * sql may run for the caller described by fw; any negative code means refused. */
int lh_sql_firewall(struct lh_sql *s, const char *sql, const struct lh_sql_fw *fw,
                    struct lh_error *err);

/* ---- ingest support ---- */

enum lh_src_format { LH_SRC_CSV, LH_SRC_JSON, LH_SRC_PARQUET };

struct lh_convert_opts {
    enum lh_src_format format;
    const char *delimiter; /* CSV: NULL = sniff */
    int header;            /* CSV: -1 sniff, 0 no, 1 yes */
    /* Called with 0..100 while converting (from the calling thread). */
    void (*progress)(void *ud, double pct);
    void *progress_ud;
};

struct lh_convert_result {
    int64_t rows;
    size_t n_columns;
    struct lh_column *columns;
};
void lh_convert_result_release(struct lh_convert_result *r);

/* Converts src (CSV, JSON array/NDJSON, Parquet) into one zstd Parquet file
 * at dst (absolute, inside data_dir). JSON objects are flattened to
 * parent_child columns, arrays kept as lists. Malformed CSV rows fail the
 * whole conversion with their line numbers. On error dst does not exist. */
int lh_sql_convert(struct lh_sql *s, const char *src, const struct lh_convert_opts *o,
                   const char *dst, struct lh_convert_result *out, struct lh_error *err);

/* Reads a Parquet file's footer: row count and schema. */
int lh_sql_parquet_info(struct lh_sql *s, const char *path, int64_t *out_rows,
                        struct lh_column **out_cols, size_t *out_n, struct lh_error *err);

/* A repeatable sample of up to n rows of a Parquet file, every value as text:
 * cells[c * rows + r] (NULL for SQL NULL); the caller frees each cell and the array. */
int lh_sql_sample_text(struct lh_sql *s, const char *path, int n, size_t *out_cols,
                       size_t *out_rows, char ***out_cells, struct lh_error *err);
/* Renames columns of a Parquet file in place (rewrites it; atomic rename). */
int lh_sql_rename_columns(struct lh_sql *s, const char *path, const char *const *from,
                          const char *const *to, size_t n, struct lh_error *err);

/* Writes the rows of several Parquet files (schemas unioned by name, order kept) into one
 * zstd Parquet file dst, keeping only rows matching `where` (a condition, NULL = all); the
 * sources stay "in use" meanwhile. */
int lh_sql_merge_files(struct lh_sql *s, char *const *paths, size_t n, const char *where,
                       const char *dst, int64_t *out_rows, struct lh_error *err);

/* Checks that sql is exactly one read-only SELECT that binds (like lh_sql_query's guard)
 * without running it. */
int lh_sql_check_select(struct lh_sql *s, const char *sql, struct lh_error *err);

/* ---- rows and vectors for the vector index ---- */

/* Runs an internally built query over the datasets (names resolve like user SQL, no
 * sandbox checks beyond the engine's) and calls cb for every row with each value as text
 * (the query must return VARCHAR columns; NULL values are NULL). A non-zero return from cb
 * stops and is returned. */
int lh_sql_each_row(struct lh_sql *s, const void *ctx, const char *sql,
                    int (*cb)(void *ud, size_t ncols, const char *const *vals,
                              const size_t *lens),
                    void *ud, struct lh_error *err);
/* Writes n embedded chunks as a zstd Parquet file (label UBIGINT, doc_id VARCHAR, chunk_no
 * INTEGER, text VARCHAR, vector FLOAT[]); vecs holds n * dims floats. */
int lh_sql_write_vectors(struct lh_sql *s, const char *dst, size_t n, size_t dims,
                         const uint64_t *labels, char *const *doc_ids, const int32_t *chunk_nos,
                         char *const *texts, const float *vecs, struct lh_error *err);
/* Reads files written by lh_sql_write_vectors, calling cb per chunk (strings are not
 * NUL-terminated; pointers are valid during the call only). */
int lh_sql_read_vectors(struct lh_sql *s, char *const *paths, size_t n_paths, size_t dims,
                        int (*cb)(void *ud, uint64_t label, const char *doc_id, size_t doc_len,
                                  int32_t chunk_no, const char *text, size_t text_len,
                                  const float *vec),
                        void *ud, struct lh_error *err);

/* Appends s as a single-quoted SQL string literal ('' for each '). */
void lh_sql_quote(struct lh_buf *b, const char *s);
/* Appends s as a double-quoted SQL identifier ("" for each "). */
void lh_sql_ident(struct lh_buf *b, const char *s);

/* Runs a statement with no result on an unsandboxed internal connection
 * (benchmarks and tests only). */
int lh_sql_exec_internal(struct lh_sql *s, const char *sql, struct lh_error *err);

#endif
