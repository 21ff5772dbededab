/* SPDX-License-Identifier: MIT */
/* sql_duckdb.c - the SQL engine on DuckDB: sandboxed queries, streamed results, ingest conversion.
 *
 * Two in-memory DuckDB instances live in a struct lh_sql:
 *  - `qdb` runs user SQL. It is sandboxed once at open: allowed_directories =
 *    the data folder, then enable_external_access=false (which cannot be
 *    re-enabled). Dataset names resolve through a replacement scan to
 *    read_parquet([...files...]).
 *  - `idb` runs statements we build ourselves (ingest conversion, footer
 *    reads). It must read source files anywhere the CLI user points at, so it
 *    is not sandboxed, and user text never reaches it except as quoted
 *    literals.
 * Every call opens its own connection: a query on a connection silently
 * ends another streaming result on the same connection (notes/duckdb.md). */
#include "lh_common.h"
#include "sql.h"
#include "sql_int.h"
#include "buf.h"
#include "fs.h"
#include "hash.h"
#include "log.h"

#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <duckdb.h>

struct lh_sql {
    duckdb_database qdb;
    duckdb_database idb;
    char *data_dir;
    char *tmp_dir;
    lh_sql_resolve_fn resolve;
    void *resolve_ud;
    lh_sql_search_fn search; /* vec_search() */
    void *search_ud;

    /* paths in use by running queries (refcounted). resolve_lock is held for
     * reading from resolving a name until its paths are registered, and for
     * writing by lh_sql_path_in_use, so a file cannot be judged unused
     * between a query reading the catalog and registering what it read. */
    pthread_rwlock_t resolve_lock;
    pthread_mutex_t use_mu;
    struct use { char *path; int count; } *uses;
    size_t n_uses, cap_uses;
    void (*release)(void *ud);
    void *release_ud;

    /* watchdog: interrupts cursors whose deadline passed */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t watchdog;
    bool stopping;
    struct lh_sql_cursor *active; /* list of cursors with a deadline */
};

/* The paths one query (or cache load) has resolved. */
struct lh_sql_uses {
    char **paths;
    size_t n;
};

/* The query binding on this thread: the replacement scan records its paths here. */
static _Thread_local struct lh_sql_uses *tl_uses;
/* ... and on whose behalf (lh_query_opts.ctx), for the resolver. */
static _Thread_local const void *tl_ctx;

struct lh_sql_cursor {
    struct lh_sql *sql;
    duckdb_connection con;
    duckdb_prepared_statement stmt;
    duckdb_pending_result pending;
    duckdb_result result;
    bool have_result;
    duckdb_data_chunk chunk; /* current chunk, consumed from row `chunk_row` */
    idx_t chunk_row;
    enum lh_sql_format format;
    int64_t row_limit;
    int64_t rows;
    bool truncated;
    bool header_done;
    bool finished;
    bool timed_out;  /* set by the watchdog */
    bool canceled;   /* set by lh_sql_cursor_cancel */
    int64_t deadline_ms; /* 0 = none */
    int64_t timeout_ms;
    struct timespec started;
    idx_t ncols;
    duckdb_logical_type *types;
    char **names;
    /* paths this query resolved (released at close) */
    struct lh_sql_uses uses;
    /* parquet export */
    char *parquet_path;
    int parquet_fd;
    /* watchdog list */
    struct lh_sql_cursor *next;
    bool in_list;
    bool (*abandoned)(void *ud); /* polled by the watchdog while in_call */
    void *abandoned_ud;
    bool in_call; /* inside lh_sql_query / lh_sql_cursor_read (under sql->mu) */
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Appends s between q quotes, doubling any q inside (SQL literal or identifier). */
static void sql_quoted(struct lh_buf *b, const char *s, char q)
{
    lh_buf_putc(b, q);
    for (; *s; s++) {
        if (*s == q)
            lh_buf_putc(b, q);
        lh_buf_putc(b, *s);
    }
    lh_buf_putc(b, q);
}

void lh_sql_quote(struct lh_buf *b, const char *s)
{
    sql_quoted(b, s, '\'');
}

void lh_sql_ident(struct lh_buf *b, const char *s)
{
    sql_quoted(b, s, '"');
}

/* Runs a statement with no interesting result; maps DuckDB errors to code. */
static int exec(duckdb_connection con, const char *q, int code, struct lh_error *err)
{
    duckdb_result r;
    int rc = 0;
    if (duckdb_query(con, q, &r) == DuckDBError)
        rc = lh_error_set(err, code, "%s", duckdb_result_error(&r));
    duckdb_destroy_result(&r);
    return rc;
}

/* ------------------------------------------------------------------ */
/* replacement scan: dataset name -> read_parquet([files])            */

static void uses_add(struct lh_sql *s, struct lh_sql_uses *u, const char *path)
{
    pthread_mutex_lock(&s->use_mu);
    size_t i;
    for (i = 0; i < s->n_uses; i++)
        if (strcmp(s->uses[i].path, path) == 0)
            break;
    if (i == s->n_uses) {
        if (s->n_uses == s->cap_uses) {
            s->cap_uses = s->cap_uses ? s->cap_uses * 2 : 64;
            s->uses = lh_xrealloc(s->uses, s->cap_uses * sizeof(*s->uses));
        }
        s->uses[i].path = lh_xstrdup(path);
        s->uses[i].count = 0;
        s->n_uses++;
    }
    s->uses[i].count++;
    pthread_mutex_unlock(&s->use_mu);
    u->paths = lh_xrealloc(u->paths, (u->n + 1) * sizeof(*u->paths));
    u->paths[u->n++] = lh_xstrdup(path);
}

static void uses_release(struct lh_sql *s, struct lh_sql_uses *u)
{
    bool freed = false;
    pthread_mutex_lock(&s->use_mu);
    for (size_t k = 0; k < u->n; k++) {
        for (size_t i = 0; i < s->n_uses; i++) {
            if (strcmp(s->uses[i].path, u->paths[k]) != 0)
                continue;
            if (--s->uses[i].count == 0) {
                free(s->uses[i].path);
                s->uses[i] = s->uses[--s->n_uses];
                freed = true;
            }
            break;
        }
        free(u->paths[k]);
    }
    pthread_mutex_unlock(&s->use_mu);
    free(u->paths);
    u->paths = NULL;
    u->n = 0;
    if (freed && s->release)
        s->release(s->release_ud);
}

bool lh_sql_path_in_use(struct lh_sql *s, const char *path)
{
    bool found = false;
    pthread_rwlock_wrlock(&s->resolve_lock); /* wait for bindings in progress */
    pthread_mutex_lock(&s->use_mu);
    for (size_t i = 0; i < s->n_uses && !found; i++)
        found = strcmp(s->uses[i].path, path) == 0;
    pthread_mutex_unlock(&s->use_mu);
    pthread_rwlock_unlock(&s->resolve_lock);
    return found;
}

void lh_sql_set_release_hook(struct lh_sql *s, void (*fn)(void *ud), void *ud)
{
    s->release = fn;
    s->release_ud = ud;
}

/* "SELECT * FROM lh_scan([paths])", keeping the paths in use for the running query. */
static void scan_paths(struct lh_sql *s, struct lh_buf *q, char *const *paths, size_t n)
{
    lh_buf_puts(q, "SELECT * FROM lh_scan([");
    for (size_t i = 0; i < n; i++) {
        if (i)
            lh_buf_putc(q, ',');
        lh_sql_quote(q, paths[i]);
        if (tl_uses)
            uses_add(s, tl_uses, paths[i]);
    }
    lh_buf_puts(q, "])");
}

/* A governed name reads query('SELECT <projection> FROM (...) WHERE ...'): the masks and
 * filters are part of the table the user's query sees, so nothing it does can get under
 * them. */
static void governed_scan(struct lh_sql *s, duckdb_replacement_scan_info info,
                          const struct lh_sql_source *src)
{
    struct lh_buf q = LH_BUF_INIT;
    lh_buf_printf(&q, "SELECT %s FROM (", src->projection ? src->projection : "*");
    if (src->cached_table) {
        lh_buf_printf(&q, "SELECT * FROM %s", src->cached_table);
        if (src->where)
            lh_buf_printf(&q, " WHERE %s", src->where);
    } else {
        /* files compaction purged of the tombstones skip their filter */
        size_t clean = src->where ? src->n_clean : 0;
        if (clean) {
            scan_paths(s, &q, src->paths, clean);
            lh_buf_puts(&q, " UNION ALL BY NAME ");
        }
        scan_paths(s, &q, src->paths + clean, src->n_paths - clean);
        if (src->where)
            lh_buf_printf(&q, " WHERE %s", src->where);
    }
    lh_buf_puts(&q, ") AS lh_src");
    if (src->filter)
        lh_buf_printf(&q, " WHERE (\n%s\n)", src->filter);
    duckdb_value v = duckdb_create_varchar(q.ptr);
    duckdb_replacement_scan_set_function_name(info, "query");
    duckdb_replacement_scan_add_parameter(info, v);
    duckdb_destroy_value(&v);
    lh_buf_release(&q);
}

/* Dataset name -> lh_scan([files]) or lh_cached('lh_cache.t'). */
static int register_vec_search(struct lh_sql *s, duckdb_connection con, struct lh_error *err);

static void replacement_scan(duckdb_replacement_scan_info info, const char *table_name, void *data)
{
    struct lh_sql *s = data;
    struct lh_sql_source src = {0};
    pthread_rwlock_rdlock(&s->resolve_lock);
    if (!s->resolve || s->resolve(s->resolve_ud, tl_ctx, table_name, &src) != 0) {
        pthread_rwlock_unlock(&s->resolve_lock);
        return;
    }
    if (src.projection || src.where || src.filter) {
        governed_scan(s, info, &src);
    } else if (src.cached_table) {
        duckdb_value v = duckdb_create_varchar(src.cached_table);
        duckdb_replacement_scan_set_function_name(info, "query_table");
        duckdb_replacement_scan_add_parameter(info, v);
        duckdb_destroy_value(&v);
    } else if (src.n_paths > 0) {
        duckdb_value *vals = lh_xcalloc(src.n_paths, sizeof(*vals));
        for (size_t i = 0; i < src.n_paths; i++) {
            vals[i] = duckdb_create_varchar(src.paths[i]);
            if (tl_uses)
                uses_add(s, tl_uses, src.paths[i]);
        }
        duckdb_logical_type vt = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
        duckdb_value list = duckdb_create_list_value(vt, vals, src.n_paths);
        duckdb_replacement_scan_set_function_name(info, "lh_scan");
        duckdb_replacement_scan_add_parameter(info, list);
        duckdb_destroy_value(&list);
        duckdb_destroy_logical_type(&vt);
        for (size_t i = 0; i < src.n_paths; i++)
            duckdb_destroy_value(&vals[i]);
        free(vals);
    }
    pthread_rwlock_unlock(&s->resolve_lock);
    for (size_t i = 0; i < src.n_paths; i++)
        free(src.paths[i]);
    free(src.paths);
    free(src.cached_table);
    free(src.projection);
    free(src.where);
    free(src.filter);
}

/* ------------------------------------------------------------------ */
/* open / close                                                        */

static void *watchdog_main(void *arg)
{
    struct lh_sql *s = arg;
    pthread_mutex_lock(&s->mu);
    while (!s->stopping) {
        int64_t now = now_ms(), next = 0;
        bool polling = false;
        for (struct lh_sql_cursor *c = s->active; c; c = c->next) {
            if (c->deadline_ms && !c->timed_out && now >= c->deadline_ms) {
                c->timed_out = true;
                duckdb_interrupt(c->con);
            } else if (c->deadline_ms && !c->timed_out && (!next || c->deadline_ms < next)) {
                next = c->deadline_ms;
            }
            if (c->abandoned && c->in_call && !c->canceled && !c->timed_out) {
                polling = true;
                if (c->abandoned(c->abandoned_ud)) {
                    c->canceled = true;
                    duckdb_interrupt(c->con);
                }
            }
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t wait = next ? next - now : 1000;
        if (wait < 1)
            wait = 1;
        if (wait > (polling ? 100 : 1000))
            wait = polling ? 100 : 1000;
        ts.tv_sec += wait / 1000;
        ts.tv_nsec += (wait % 1000) * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&s->cv, &s->mu, &ts);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static int open_db(duckdb_database *db, const struct lh_sql_opts *o, const char *tmp_dir,
                   struct lh_error *err)
{
    duckdb_config cfg;
    char *oerr = NULL;
    char threads[32];
    if (duckdb_create_config(&cfg) == DuckDBError)
        return lh_error_set(err, LH_EINTERNAL, "cannot create DuckDB config");
    if (o->threads > 0) {
        snprintf(threads, sizeof(threads), "%d", o->threads);
        duckdb_set_config(cfg, "threads", threads);
    }
    if (o->memory_limit && o->memory_limit[0])
        duckdb_set_config(cfg, "memory_limit", o->memory_limit);
    duckdb_set_config(cfg, "temp_directory", tmp_dir);
    duckdb_set_config(cfg, "autoinstall_known_extensions", "false");
    duckdb_set_config(cfg, "autoload_known_extensions", "false");
    int rc = 0;
    if (duckdb_open_ext(NULL, db, cfg, &oerr) == DuckDBError) {
        rc = lh_error_set(err, LH_EINVAL, "cannot start DuckDB: %s", oerr ? oerr : "unknown error");
        duckdb_free(oerr);
    }
    duckdb_destroy_config(&cfg);
    return rc;
}

int lh_sql_open(const struct lh_sql_opts *o, struct lh_sql **out, struct lh_error *err)
{
    struct lh_sql *s = lh_xcalloc(1, sizeof(*s));
    duckdb_connection con = NULL;
    struct lh_buf q = LH_BUF_INIT;
    int rc;

    *out = NULL;
    s->data_dir = lh_xstrdup(o->data_dir);
    s->tmp_dir = lh_xasprintf("%s/tmp/duckdb", o->data_dir);
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->use_mu, NULL);
    pthread_rwlock_init(&s->resolve_lock, NULL);
    pthread_cond_init(&s->cv, NULL);
    if ((rc = lh_fs_mkdir_p(s->tmp_dir, err)))
        goto fail;
    if ((rc = open_db(&s->qdb, o, s->tmp_dir, err)) || (rc = open_db(&s->idb, o, s->tmp_dir, err)))
        goto fail;
    duckdb_add_replacement_scan(s->qdb, replacement_scan, s, NULL);

    /* Sandbox the query instance. Order matters: allowed_directories first,
     * then disable external access (it cannot be turned back on). */
    if (duckdb_connect(s->qdb, &con) == DuckDBError) {
        rc = lh_error_set(err, LH_EINTERNAL, "cannot connect to DuckDB");
        goto fail;
    }
    /* Datasets resolve to lh_scan([files]): union_by_name lets files written
     * before and after a schema change (added columns, widened types) be
     * read together. */
    if ((rc = exec(con,
                   "CREATE MACRO lh_scan(files) AS TABLE "
                   "SELECT * FROM read_parquet(files, union_by_name = true)",
                   LH_EINTERNAL, err)) ||
        (rc = exec(con, "ATTACH ':memory:' AS lh_cache (COMPRESS)", LH_EINTERNAL, err)) ||
        (rc = register_vec_search(s, con, err)))
        goto fail;
    lh_buf_puts(&q, "SET allowed_directories=[");
    lh_sql_quote(&q, s->data_dir);
    lh_buf_puts(&q, "]");
    if ((rc = exec(con, q.ptr, LH_EINTERNAL, err)) ||
        (rc = exec(con, "SET enable_external_access=false", LH_EINTERNAL, err)) ||
        (rc = exec(con, "SET lock_configuration=false", LH_EINTERNAL, err)))
        goto fail;
    duckdb_disconnect(&con);
    lh_buf_release(&q);

    if (pthread_create(&s->watchdog, NULL, watchdog_main, s) != 0) {
        rc = lh_error_set(err, LH_EINTERNAL, "cannot start the query watchdog");
        s->stopping = true; /* no thread to join */
        goto fail;
    }
    *out = s;
    return 0;
fail:
    if (con)
        duckdb_disconnect(&con);
    lh_buf_release(&q);
    if (s->qdb)
        duckdb_close(&s->qdb);
    if (s->idb)
        duckdb_close(&s->idb);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->use_mu);
    pthread_rwlock_destroy(&s->resolve_lock);
    pthread_cond_destroy(&s->cv);
    free(s->data_dir);
    free(s->tmp_dir);
    free(s);
    return rc;
}

void lh_sql_close(struct lh_sql *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->watchdog, NULL);
    duckdb_close(&s->qdb);
    duckdb_close(&s->idb);
    for (size_t i = 0; i < s->n_uses; i++)
        free(s->uses[i].path);
    free(s->uses);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->use_mu);
    pthread_rwlock_destroy(&s->resolve_lock);
    pthread_cond_destroy(&s->cv);
    free(s->data_dir);
    free(s->tmp_dir);
    free(s);
}

void lh_sql_set_resolver(struct lh_sql *s, lh_sql_resolve_fn fn, void *ud)
{
    s->resolve = fn;
    s->resolve_ud = ud;
}

int lh_sql_format_parse(const char *str, enum lh_sql_format *out)
{
    static const char *names[] = {"json", "ndjson", "csv", "parquet"};
    for (int i = 0; i < 4; i++) {
        if (strcmp(str, names[i]) == 0) {
            *out = (enum lh_sql_format)i;
            return 0;
        }
    }
    return -LH_EINVAL;
}

const char *lh_sql_format_mime(enum lh_sql_format f)
{
    switch (f) {
    case LH_FMT_NDJSON:
        return "application/x-ndjson";
    case LH_FMT_CSV:
        return "text/csv; charset=utf-8";
    case LH_FMT_PARQUET:
        return "application/vnd.apache.parquet";
    default:
        return "application/json";
    }
}

/* ------------------------------------------------------------------ */
/* type names and value formatting                                     */

static void type_name(struct lh_buf *b, duckdb_logical_type t)
{
    duckdb_type id = duckdb_get_type_id(t);
    const char *n = NULL;
    switch (id) {
    case DUCKDB_TYPE_BOOLEAN: n = "BOOLEAN"; break;
    case DUCKDB_TYPE_TINYINT: n = "TINYINT"; break;
    case DUCKDB_TYPE_SMALLINT: n = "SMALLINT"; break;
    case DUCKDB_TYPE_INTEGER: n = "INTEGER"; break;
    case DUCKDB_TYPE_BIGINT: n = "BIGINT"; break;
    case DUCKDB_TYPE_UTINYINT: n = "UTINYINT"; break;
    case DUCKDB_TYPE_USMALLINT: n = "USMALLINT"; break;
    case DUCKDB_TYPE_UINTEGER: n = "UINTEGER"; break;
    case DUCKDB_TYPE_UBIGINT: n = "UBIGINT"; break;
    case DUCKDB_TYPE_HUGEINT: n = "HUGEINT"; break;
    case DUCKDB_TYPE_UHUGEINT: n = "UHUGEINT"; break;
    case DUCKDB_TYPE_FLOAT: n = "FLOAT"; break;
    case DUCKDB_TYPE_DOUBLE: n = "DOUBLE"; break;
    case DUCKDB_TYPE_VARCHAR: n = "VARCHAR"; break;
    case DUCKDB_TYPE_BLOB: n = "BLOB"; break;
    case DUCKDB_TYPE_DATE: n = "DATE"; break;
    case DUCKDB_TYPE_TIME: n = "TIME"; break;
    case DUCKDB_TYPE_TIME_TZ: n = "TIME WITH TIME ZONE"; break;
    case DUCKDB_TYPE_TIMESTAMP: n = "TIMESTAMP"; break;
    case DUCKDB_TYPE_TIMESTAMP_S: n = "TIMESTAMP_S"; break;
    case DUCKDB_TYPE_TIMESTAMP_MS: n = "TIMESTAMP_MS"; break;
    case DUCKDB_TYPE_TIMESTAMP_NS: n = "TIMESTAMP_NS"; break;
    case DUCKDB_TYPE_TIMESTAMP_TZ: n = "TIMESTAMP WITH TIME ZONE"; break;
    case DUCKDB_TYPE_INTERVAL: n = "INTERVAL"; break;
    case DUCKDB_TYPE_UUID: n = "UUID"; break;
    case DUCKDB_TYPE_ENUM: n = "ENUM"; break;
    case DUCKDB_TYPE_BIT: n = "BIT"; break;
    case DUCKDB_TYPE_SQLNULL: n = "\"NULL\""; break;
    case DUCKDB_TYPE_DECIMAL:
        lh_buf_printf(b, "DECIMAL(%u,%u)", duckdb_decimal_width(t), duckdb_decimal_scale(t));
        return;
    case DUCKDB_TYPE_LIST: {
        duckdb_logical_type c = duckdb_list_type_child_type(t);
        type_name(b, c);
        duckdb_destroy_logical_type(&c);
        lh_buf_puts(b, "[]");
        return;
    }
    case DUCKDB_TYPE_ARRAY: {
        duckdb_logical_type c = duckdb_array_type_child_type(t);
        type_name(b, c);
        duckdb_destroy_logical_type(&c);
        lh_buf_printf(b, "[%llu]", (unsigned long long)duckdb_array_type_array_size(t));
        return;
    }
    case DUCKDB_TYPE_MAP: {
        duckdb_logical_type k = duckdb_map_type_key_type(t), v = duckdb_map_type_value_type(t);
        lh_buf_puts(b, "MAP(");
        type_name(b, k);
        lh_buf_puts(b, ", ");
        type_name(b, v);
        lh_buf_putc(b, ')');
        duckdb_destroy_logical_type(&k);
        duckdb_destroy_logical_type(&v);
        return;
    }
    case DUCKDB_TYPE_STRUCT: {
        idx_t n_child = duckdb_struct_type_child_count(t);
        lh_buf_puts(b, "STRUCT(");
        for (idx_t i = 0; i < n_child; i++) {
            char *cn = duckdb_struct_type_child_name(t, i);
            duckdb_logical_type ct = duckdb_struct_type_child_type(t, i);
            if (i)
                lh_buf_puts(b, ", ");
            lh_sql_ident(b, cn);
            lh_buf_putc(b, ' ');
            type_name(b, ct);
            duckdb_free(cn);
            duckdb_destroy_logical_type(&ct);
        }
        lh_buf_putc(b, ')');
        return;
    }
    case DUCKDB_TYPE_UNION: n = "UNION"; break;
    default: n = "UNKNOWN"; break;
    }
    lh_buf_puts(b, n);
}

/* Shortest text that reads back as the same double. */
static void put_double(struct lh_buf *b, double v, bool json)
{
    char tmp[40];
    if (isnan(v) || isinf(v)) {
        if (json)
            lh_buf_puts(b, "null");
        else
            lh_buf_puts(b, isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"));
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    lh_buf_puts(b, tmp);
}

static void put_float(struct lh_buf *b, float v, bool json)
{
    char tmp[40];
    if (isnan(v) || isinf(v)) {
        put_double(b, v, json);
        return;
    }
    for (int prec = 6; prec <= 9; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*g", prec, (double)v);
        if (strtof(tmp, NULL) == v)
            break;
    }
    lh_buf_puts(b, tmp);
}

static void put_u128(struct lh_buf *b, unsigned __int128 v)
{
    char tmp[48];
    int i = (int)sizeof(tmp) - 1;
    tmp[i] = '\0';
    do {
        tmp[--i] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    lh_buf_puts(b, tmp + i);
}

static void put_i128(struct lh_buf *b, __int128 v)
{
    if (v < 0) {
        lh_buf_putc(b, '-');
        put_u128(b, (unsigned __int128)0 - (unsigned __int128)v);
    } else {
        put_u128(b, (unsigned __int128)v);
    }
}

static void put_decimal(struct lh_buf *b, __int128 v, unsigned scale)
{
    if (scale == 0) {
        put_i128(b, v);
        return;
    }
    bool neg = v < 0;
    unsigned __int128 u = neg ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
    unsigned __int128 p = 1;
    for (unsigned i = 0; i < scale; i++)
        p *= 10;
    if (neg)
        lh_buf_putc(b, '-');
    put_u128(b, u / p);
    lh_buf_putc(b, '.');
    char frac[48];
    unsigned __int128 f = u % p;
    for (int i = (int)scale - 1; i >= 0; i--) {
        frac[i] = (char)('0' + (int)(f % 10));
        f /= 10;
    }
    lh_buf_append(b, frac, scale);
}

static void put_date(struct lh_buf *b, int32_t days)
{
    duckdb_date d = {days};
    duckdb_date_struct ds = duckdb_from_date(d);
    if (ds.year < 0 || ds.year > 9999)
        lh_buf_printf(b, "%d-%02d-%02d", ds.year, ds.month, ds.day);
    else
        lh_buf_printf(b, "%04d-%02d-%02d", ds.year, ds.month, ds.day);
}

static void put_time_micros(struct lh_buf *b, int64_t micros)
{
    duckdb_time t = {micros};
    duckdb_time_struct ts = duckdb_from_time(t);
    lh_buf_printf(b, "%02d:%02d:%02d", ts.hour, ts.min, ts.sec);
    if (ts.micros)
        lh_buf_printf(b, ".%06d", ts.micros);
}

static void put_timestamp_micros(struct lh_buf *b, int64_t micros, bool tz)
{
    int64_t days = micros / 86400000000LL, rem = micros % 86400000000LL;
    if (rem < 0) {
        rem += 86400000000LL;
        days--;
    }
    put_date(b, (int32_t)days);
    lh_buf_putc(b, ' ');
    put_time_micros(b, rem);
    if (tz)
        lh_buf_puts(b, "+00");
}

static void put_hex_blob(struct lh_buf *b, const unsigned char *p, uint32_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (uint32_t i = 0; i < n; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\' && p[i] != '"') {
            lh_buf_putc(b, (char)p[i]);
        } else {
            char e[4] = {'\\', 'x', hex[p[i] >> 4], hex[p[i] & 15]};
            lh_buf_append(b, e, 4);
        }
    }
}

/* Text form of a string in the current output mode. */
enum mode { M_JSON, M_CSV };

static void put_text(struct lh_buf *b, const char *p, size_t n, enum mode m)
{
    if (m == M_JSON) {
        lh_buf_json_str(b, p, n);
        return;
    }
    bool quote = n == 0;
    for (size_t i = 0; i < n && !quote; i++)
        quote = p[i] == ',' || p[i] == '"' || p[i] == '\n' || p[i] == '\r';
    if (!quote) {
        lh_buf_append(b, p, n);
        return;
    }
    lh_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"')
            lh_buf_putc(b, '"');
        lh_buf_putc(b, p[i]);
    }
    lh_buf_putc(b, '"');
}

/* Writes the value of vector v at row as JSON (m == M_JSON) or CSV text.
 * `nested` is true inside LIST/STRUCT, where CSV mode also writes JSON. */
static void put_value(struct lh_buf *b, duckdb_vector v, duckdb_logical_type t, idx_t row,
                      enum mode m)
{
    uint64_t *valid = duckdb_vector_get_validity(v);
    if (valid && !duckdb_validity_row_is_valid(valid, row)) {
        if (m == M_JSON)
            lh_buf_puts(b, "null");
        return;
    }
    void *data = duckdb_vector_get_data(v);
    duckdb_type id = duckdb_get_type_id(t);
    struct lh_buf tmp = LH_BUF_INIT;
    switch (id) {
    case DUCKDB_TYPE_BOOLEAN:
        lh_buf_puts(b, ((bool *)data)[row] ? "true" : "false");
        return;
    case DUCKDB_TYPE_TINYINT:
        lh_buf_printf(b, "%d", ((int8_t *)data)[row]);
        return;
    case DUCKDB_TYPE_SMALLINT:
        lh_buf_printf(b, "%d", ((int16_t *)data)[row]);
        return;
    case DUCKDB_TYPE_INTEGER:
        lh_buf_printf(b, "%d", ((int32_t *)data)[row]);
        return;
    case DUCKDB_TYPE_BIGINT:
        lh_buf_printf(b, "%lld", (long long)((int64_t *)data)[row]);
        return;
    case DUCKDB_TYPE_UTINYINT:
        lh_buf_printf(b, "%u", ((uint8_t *)data)[row]);
        return;
    case DUCKDB_TYPE_USMALLINT:
        lh_buf_printf(b, "%u", ((uint16_t *)data)[row]);
        return;
    case DUCKDB_TYPE_UINTEGER:
        lh_buf_printf(b, "%u", ((uint32_t *)data)[row]);
        return;
    case DUCKDB_TYPE_UBIGINT:
        lh_buf_printf(b, "%llu", (unsigned long long)((uint64_t *)data)[row]);
        return;
    case DUCKDB_TYPE_HUGEINT: {
        duckdb_hugeint h = ((duckdb_hugeint *)data)[row];
        put_i128(b, (__int128)(((unsigned __int128)(uint64_t)h.upper << 64) | h.lower));
        return;
    }
    case DUCKDB_TYPE_UHUGEINT: {
        duckdb_uhugeint h = ((duckdb_uhugeint *)data)[row];
        put_u128(b, ((unsigned __int128)h.upper << 64) | h.lower);
        return;
    }
    case DUCKDB_TYPE_FLOAT:
        put_float(b, ((float *)data)[row], m == M_JSON);
        return;
    case DUCKDB_TYPE_DOUBLE:
        put_double(b, ((double *)data)[row], m == M_JSON);
        return;
    case DUCKDB_TYPE_DECIMAL: {
        unsigned scale = duckdb_decimal_scale(t);
        __int128 x;
        switch (duckdb_decimal_internal_type(t)) {
        case DUCKDB_TYPE_SMALLINT: x = ((int16_t *)data)[row]; break;
        case DUCKDB_TYPE_INTEGER: x = ((int32_t *)data)[row]; break;
        case DUCKDB_TYPE_BIGINT: x = ((int64_t *)data)[row]; break;
        default: {
            duckdb_hugeint h = ((duckdb_hugeint *)data)[row];
            x = (__int128)(((unsigned __int128)(uint64_t)h.upper << 64) | h.lower);
        }
        }
        put_decimal(b, x, scale);
        return;
    }
    case DUCKDB_TYPE_VARCHAR: {
        duckdb_string_t *st = &((duckdb_string_t *)data)[row];
        put_text(b, duckdb_string_t_data(st), duckdb_string_t_length(*st), m);
        return;
    }
    case DUCKDB_TYPE_BLOB: {
        duckdb_string_t *st = &((duckdb_string_t *)data)[row];
        put_hex_blob(&tmp, (const unsigned char *)duckdb_string_t_data(st),
                     duckdb_string_t_length(*st));
        break;
    }
    case DUCKDB_TYPE_DATE:
        put_date(&tmp, ((int32_t *)data)[row]);
        break;
    case DUCKDB_TYPE_TIME:
        put_time_micros(&tmp, ((int64_t *)data)[row]);
        break;
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
        put_timestamp_micros(&tmp, ((int64_t *)data)[row], id == DUCKDB_TYPE_TIMESTAMP_TZ);
        break;
    case DUCKDB_TYPE_TIMESTAMP_S:
        put_timestamp_micros(&tmp, ((int64_t *)data)[row] * 1000000, false);
        break;
    case DUCKDB_TYPE_TIMESTAMP_MS:
        put_timestamp_micros(&tmp, ((int64_t *)data)[row] * 1000, false);
        break;
    case DUCKDB_TYPE_TIMESTAMP_NS:
        put_timestamp_micros(&tmp, ((int64_t *)data)[row] / 1000, false);
        break;
    case DUCKDB_TYPE_INTERVAL: {
        duckdb_interval iv = ((duckdb_interval *)data)[row];
        lh_buf_printf(&tmp, "%d months %d days ", iv.months, iv.days);
        put_time_micros(&tmp, iv.micros < 0 ? -iv.micros : iv.micros);
        break;
    }
    case DUCKDB_TYPE_UUID: {
        duckdb_hugeint h = ((duckdb_hugeint *)data)[row];
        uint64_t hi = (uint64_t)h.upper ^ (1ULL << 63), lo = h.lower;
        lh_buf_printf(&tmp, "%08llx-%04llx-%04llx-%04llx-%012llx",
                      (unsigned long long)(hi >> 32), (unsigned long long)((hi >> 16) & 0xffff),
                      (unsigned long long)(hi & 0xffff), (unsigned long long)(lo >> 48),
                      (unsigned long long)(lo & 0xffffffffffffULL));
        break;
    }
    case DUCKDB_TYPE_ENUM: {
        idx_t idx;
        switch (duckdb_enum_internal_type(t)) {
        case DUCKDB_TYPE_UTINYINT: idx = ((uint8_t *)data)[row]; break;
        case DUCKDB_TYPE_USMALLINT: idx = ((uint16_t *)data)[row]; break;
        default: idx = ((uint32_t *)data)[row]; break;
        }
        char *s = duckdb_enum_dictionary_value(t, idx);
        lh_buf_puts(&tmp, s ? s : "");
        duckdb_free(s);
        break;
    }
    case DUCKDB_TYPE_LIST:
    case DUCKDB_TYPE_ARRAY:
    case DUCKDB_TYPE_MAP: {
        duckdb_vector child;
        duckdb_logical_type ct;
        idx_t off, len;
        if (id == DUCKDB_TYPE_ARRAY) {
            len = duckdb_array_type_array_size(t);
            off = row * len;
            child = duckdb_array_vector_get_child(v);
            ct = duckdb_array_type_child_type(t);
        } else {
            duckdb_list_entry e = ((duckdb_list_entry *)data)[row];
            off = e.offset;
            len = e.length;
            child = duckdb_list_vector_get_child(v);
            ct = duckdb_list_type_child_type(t);
        }
        if (id == DUCKDB_TYPE_MAP) {
            /* child is STRUCT(key, value): write as a JSON object */
            duckdb_vector kv = duckdb_struct_vector_get_child(child, 0);
            duckdb_vector vv = duckdb_struct_vector_get_child(child, 1);
            duckdb_logical_type kt = duckdb_struct_type_child_type(ct, 0);
            duckdb_logical_type vt = duckdb_struct_type_child_type(ct, 1);
            lh_buf_putc(&tmp, '{');
            for (idx_t i = 0; i < len; i++) {
                struct lh_buf key = LH_BUF_INIT;
                if (i)
                    lh_buf_putc(&tmp, ',');
                put_value(&key, kv, kt, off + i, M_CSV);
                lh_buf_json_str(&tmp, key.ptr, key.len);
                lh_buf_release(&key);
                lh_buf_putc(&tmp, ':');
                put_value(&tmp, vv, vt, off + i, M_JSON);
            }
            lh_buf_putc(&tmp, '}');
            duckdb_destroy_logical_type(&kt);
            duckdb_destroy_logical_type(&vt);
        } else {
            lh_buf_putc(&tmp, '[');
            for (idx_t i = 0; i < len; i++) {
                if (i)
                    lh_buf_putc(&tmp, ',');
                put_value(&tmp, child, ct, off + i, M_JSON);
            }
            lh_buf_putc(&tmp, ']');
        }
        duckdb_destroy_logical_type(&ct);
        goto raw_json;
    }
    case DUCKDB_TYPE_STRUCT: {
        idx_t n = duckdb_struct_type_child_count(t);
        lh_buf_putc(&tmp, '{');
        for (idx_t i = 0; i < n; i++) {
            char *cn = duckdb_struct_type_child_name(t, i);
            duckdb_logical_type ct = duckdb_struct_type_child_type(t, i);
            if (i)
                lh_buf_putc(&tmp, ',');
            lh_buf_json_str(&tmp, cn, strlen(cn));
            lh_buf_putc(&tmp, ':');
            put_value(&tmp, duckdb_struct_vector_get_child(v, i), ct, row, M_JSON);
            duckdb_free(cn);
            duckdb_destroy_logical_type(&ct);
        }
        lh_buf_putc(&tmp, '}');
        goto raw_json;
    }
    default:
        lh_buf_puts(&tmp, "<unsupported type>");
        break;
    }
    /* scalar rendered as text into tmp */
    put_text(b, tmp.ptr, tmp.len, m);
    lh_buf_release(&tmp);
    return;
raw_json:
    /* nested value rendered as JSON into tmp: raw in JSON, quoted text in CSV */
    if (m == M_JSON)
        lh_buf_append(b, tmp.ptr, tmp.len);
    else
        put_text(b, tmp.ptr, tmp.len, M_CSV);
    lh_buf_release(&tmp);
}

/* ------------------------------------------------------------------ */
/* queries                                                              */

static void watch(struct lh_sql_cursor *c)
{
    struct lh_sql *s = c->sql;
    pthread_mutex_lock(&s->mu);
    c->next = s->active;
    s->active = c;
    c->in_list = true;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* Marks the cursor as inside a call (the abandoned() callback may be polled). */
static void set_in_call(struct lh_sql_cursor *c, bool on)
{
    if (!c->abandoned)
        return;
    pthread_mutex_lock(&c->sql->mu);
    c->in_call = on;
    if (on)
        pthread_cond_signal(&c->sql->cv); /* poll at the short interval from now on */
    pthread_mutex_unlock(&c->sql->mu);
}

static void unwatch(struct lh_sql_cursor *c)
{
    struct lh_sql *s = c->sql;
    pthread_mutex_lock(&s->mu);
    if (c->in_list) {
        for (struct lh_sql_cursor **pp = &s->active; *pp; pp = &(*pp)->next) {
            if (*pp == c) {
                *pp = c->next;
                break;
            }
        }
        c->in_list = false;
    }
    pthread_mutex_unlock(&s->mu);
}

/* Error for an interrupted/failed query: timeout and cancel win over DuckDB's text. */
static int query_error(struct lh_sql_cursor *c, const char *duck_msg, struct lh_error *err)
{
    if (c->timed_out)
        return lh_error_set(err, LH_ETIMEDOUT, "query timed out after %lld ms",
                            (long long)c->timeout_ms);
    if (c->canceled)
        return lh_error_set(err, LH_ECANCELED, "query canceled");
    return lh_error_set(err, LH_ESQL, "%s", duck_msg ? duck_msg : "query failed");
}

static bool statement_allowed(duckdb_statement_type t)
{
    return t == DUCKDB_STATEMENT_TYPE_SELECT || t == DUCKDB_STATEMENT_TYPE_EXPLAIN;
}

static const char *statement_name(duckdb_statement_type t)
{
    switch (t) {
    case DUCKDB_STATEMENT_TYPE_INSERT: return "INSERT";
    case DUCKDB_STATEMENT_TYPE_UPDATE: return "UPDATE";
    case DUCKDB_STATEMENT_TYPE_DELETE: return "DELETE";
    case DUCKDB_STATEMENT_TYPE_CREATE: return "CREATE";
    case DUCKDB_STATEMENT_TYPE_ALTER: return "ALTER";
    case DUCKDB_STATEMENT_TYPE_DROP: return "DROP";
    case DUCKDB_STATEMENT_TYPE_COPY: return "COPY";
    case DUCKDB_STATEMENT_TYPE_ATTACH: return "ATTACH";
    case DUCKDB_STATEMENT_TYPE_DETACH: return "DETACH";
    case DUCKDB_STATEMENT_TYPE_LOAD: return "LOAD/INSTALL";
    case DUCKDB_STATEMENT_TYPE_SET: return "SET";
    case DUCKDB_STATEMENT_TYPE_VARIABLE_SET: return "SET VARIABLE";
    case DUCKDB_STATEMENT_TYPE_PRAGMA: return "PRAGMA";
    case DUCKDB_STATEMENT_TYPE_CALL: return "CALL";
    case DUCKDB_STATEMENT_TYPE_EXPORT: return "EXPORT";
    case DUCKDB_STATEMENT_TYPE_TRANSACTION: return "transaction";
    case DUCKDB_STATEMENT_TYPE_PREPARE: return "PREPARE";
    case DUCKDB_STATEMENT_TYPE_EXECUTE: return "EXECUTE";
    case DUCKDB_STATEMENT_TYPE_VACUUM: return "VACUUM";
    case DUCKDB_STATEMENT_TYPE_ANALYZE: return "ANALYZE";
    case DUCKDB_STATEMENT_TYPE_CREATE_FUNC: return "CREATE FUNCTION";
    default: return "this";
    }
}

/* The leading keyword of a statement if it names a non-read statement
 * (after blanks, comments and parentheses), else NULL. Only used to word
 * the error of a statement DuckDB could not even bind. */
static const char *write_verb(const char *sql)
{
    static const char *verbs[] = {"INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER",
                                  "COPY", "ATTACH", "DETACH", "INSTALL", "LOAD", "SET", "RESET",
                                  "PRAGMA", "CALL", "EXPORT", "IMPORT", "VACUUM", "CHECKPOINT",
                                  "BEGIN", "COMMIT", "ROLLBACK", "USE", "TRUNCATE", "MERGE",
                                  "UPSERT", "ANALYZE", "PREPARE", "EXECUTE", "DEALLOCATE"};
    const char *p = sql;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '(')
            p++;
        if (p[0] == '-' && p[1] == '-') {
            p += strcspn(p, "\n");
        } else if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            p = e ? e + 2 : p + strlen(p);
        } else {
            break;
        }
    }
    size_t n = 0;
    while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z'))
        n++;
    for (size_t i = 0; i < LH_ARRAY_LEN(verbs); i++)
        if (strlen(verbs[i]) == n && strncasecmp(p, verbs[i], n) == 0)
            return verbs[i];
    return NULL;
}

/* Prepares exactly one statement of an allowed type (SELECT-like, or COPY
 * when `want_copy`, used for our own Parquet export wrapper). */
static int prepare_one(duckdb_connection con, const char *sql, bool want_copy,
                       duckdb_prepared_statement *out, struct lh_error *err)
{
    duckdb_extracted_statements ex = NULL;
    int rc = 0;
    *out = NULL;
    idx_t n = duckdb_extract_statements(con, sql, &ex);
    if (n == 0) {
        const char *e = ex ? duckdb_extract_statements_error(ex) : NULL;
        rc = e ? lh_error_set(err, LH_ESQL, "%s", e)
               : lh_error_set(err, LH_EINVAL, "no SQL statement given");
        goto out;
    }
    if (n > 1) {
        rc = lh_error_set(err, LH_ENOTALLOWED,
                          "exactly one statement is allowed per request, got %llu",
                          (unsigned long long)n);
        goto out;
    }
    if (duckdb_prepare_extracted_statement(con, ex, 0, out) == DuckDBError) {
        /* duckdb_prepared_statement_type on a failed prepare aborts: don't.
         * A write that fails to bind is still a write: say so. */
        const char *verb = !want_copy ? write_verb(sql) : NULL;
        if (verb)
            rc = lh_error_set(err, LH_ENOTALLOWED,
                              "only read-only SELECT queries are allowed; %s statements are not",
                              verb);
        else
            rc = lh_error_set(err, LH_ESQL, "%s", duckdb_prepare_error(*out));
        goto out;
    }
    duckdb_statement_type t = duckdb_prepared_statement_type(*out);
    if (want_copy ? t != DUCKDB_STATEMENT_TYPE_COPY : !statement_allowed(t)) {
        rc = lh_error_set(err, LH_ENOTALLOWED,
                          "only read-only SELECT queries are allowed; %s statements are not",
                          statement_name(t));
        goto out;
    }
out:
    if (rc && *out)
        duckdb_destroy_prepare(out);
    if (ex)
        duckdb_destroy_extracted(&ex);
    return rc;
}

/* Executes the prepared statement (streaming) and fetches the first chunk. */
static int start(struct lh_sql_cursor *c, bool streaming, struct lh_error *err)
{
    duckdb_state st = streaming ? duckdb_pending_prepared_streaming(c->stmt, &c->pending)
                                : duckdb_pending_prepared(c->stmt, &c->pending);
    if (st == DuckDBError)
        return query_error(c, duckdb_pending_error(c->pending), err);
    if (duckdb_execute_pending(c->pending, &c->result) == DuckDBError) {
        int rc = query_error(c, duckdb_result_error(&c->result), err);
        duckdb_destroy_result(&c->result);
        return rc;
    }
    c->have_result = true;
    return 0;
}

static int fetch(struct lh_sql_cursor *c, struct lh_error *err)
{
    if (c->chunk)
        duckdb_destroy_data_chunk(&c->chunk);
    c->chunk = duckdb_fetch_chunk(c->result);
    c->chunk_row = 0;
    if (!c->chunk || duckdb_data_chunk_get_size(c->chunk) == 0) {
        if (c->chunk)
            duckdb_destroy_data_chunk(&c->chunk);
        c->chunk = NULL;
        const char *e = duckdb_result_error(&c->result);
        if (e || c->timed_out || c->canceled)
            return query_error(c, e, err);
    }
    return 0;
}

int lh_sql_query(struct lh_sql *s, const char *sql, const struct lh_query_opts *o,
                 struct lh_sql_cursor **out, struct lh_error *err)
{
    struct lh_sql_cursor *c = lh_xcalloc(1, sizeof(*c));
    struct lh_buf wrapped = LH_BUF_INIT;
    int rc;

    *out = NULL;
    c->sql = s;
    c->format = o->format;
    c->row_limit = o->row_limit;
    c->parquet_fd = -1;
    clock_gettime(CLOCK_MONOTONIC, &c->started);
    c->timeout_ms = o->timeout_ms;
    if (o->timeout_ms > 0)
        c->deadline_ms = now_ms() + o->timeout_ms;
    c->abandoned = o->abandoned;
    c->abandoned_ud = o->abandoned_ud;
    c->in_call = o->abandoned != NULL; /* not in the watchdog's list yet: no lock needed */
    if (duckdb_connect(s->qdb, &c->con) == DuckDBError) {
        rc = lh_error_set(err, LH_EINTERNAL, "cannot connect to DuckDB");
        goto fail;
    }
    /* Validate the user's statement on its own first. Binding resolves the
     * datasets; the paths are recorded in c->uses until the cursor closes. */
    tl_uses = &c->uses;
    tl_ctx = o->ctx;
    rc = prepare_one(c->con, sql, false, &c->stmt, err);
    tl_uses = NULL;
    tl_ctx = NULL;
    if (rc)
        goto fail;
    if (c->format == LH_FMT_PARQUET) {
        char id[33];
        duckdb_destroy_prepare(&c->stmt);
        lh_random_hex(id, 16);
        c->parquet_path = lh_xasprintf("%s/export-%s.parquet", s->tmp_dir, id);
        lh_buf_puts(&wrapped, "COPY (SELECT * FROM (\n");
        lh_buf_puts(&wrapped, sql);
        lh_buf_puts(&wrapped, "\n) AS lh_q");
        if (c->row_limit > 0)
            lh_buf_printf(&wrapped, " LIMIT %lld", (long long)c->row_limit);
        lh_buf_puts(&wrapped, ") TO ");
        lh_sql_quote(&wrapped, c->parquet_path);
        lh_buf_puts(&wrapped, " (FORMAT parquet, COMPRESSION zstd)");
        tl_uses = &c->uses;
        tl_ctx = o->ctx;
        rc = prepare_one(c->con, wrapped.ptr, true, &c->stmt, err);
        tl_uses = NULL;
        tl_ctx = NULL;
        if (rc)
            goto fail;
    }
    watch(c);
    /* a statement may be re-bound when it runs: the same names must resolve the same way */
    tl_uses = &c->uses;
    tl_ctx = o->ctx;
    rc = start(c, c->format != LH_FMT_PARQUET, err);
    tl_uses = NULL;
    tl_ctx = NULL;
    if (rc)
        goto fail;
    if (c->format == LH_FMT_PARQUET) {
        c->rows = duckdb_value_int64(&c->result, 0, 0);
        c->parquet_fd = open(c->parquet_path, O_RDONLY | O_CLOEXEC);
        if (c->parquet_fd < 0) {
            rc = lh_error_set(err, LH_EIO, "cannot read the exported Parquet file");
            goto fail;
        }
    } else {
        c->ncols = duckdb_column_count(&c->result);
        c->types = lh_xcalloc(c->ncols ? c->ncols : 1, sizeof(*c->types));
        c->names = lh_xcalloc(c->ncols ? c->ncols : 1, sizeof(*c->names));
        for (idx_t i = 0; i < c->ncols; i++) {
            c->types[i] = duckdb_column_logical_type(&c->result, i);
            c->names[i] = lh_xstrdup(duckdb_column_name(&c->result, i));
        }
        if ((rc = fetch(c, err)))
            goto fail;
    }
    lh_buf_release(&wrapped);
    set_in_call(c, false);
    *out = c;
    return 0;
fail:
    lh_buf_release(&wrapped);
    lh_sql_cursor_close(c);
    return rc;
}

static void write_header(struct lh_sql_cursor *c, struct lh_buf *b)
{
    if (c->format == LH_FMT_JSON) {
        lh_buf_puts(b, "{\"columns\":[");
        for (idx_t i = 0; i < c->ncols; i++) {
            struct lh_buf tn = LH_BUF_INIT;
            type_name(&tn, c->types[i]);
            lh_buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
            lh_buf_json_str(b, c->names[i], strlen(c->names[i]));
            lh_buf_puts(b, ",\"type\":");
            lh_buf_json_str(b, tn.ptr, tn.len);
            lh_buf_putc(b, '}');
            lh_buf_release(&tn);
        }
        lh_buf_puts(b, "],\"rows\":[");
    } else if (c->format == LH_FMT_CSV) {
        for (idx_t i = 0; i < c->ncols; i++) {
            if (i)
                lh_buf_putc(b, ',');
            put_text(b, c->names[i], strlen(c->names[i]), M_CSV);
        }
        lh_buf_puts(b, "\r\n");
    }
}

static void write_footer(struct lh_sql_cursor *c, struct lh_buf *b, const struct lh_error *e)
{
    if (c->format != LH_FMT_JSON)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double ms = (double)(now.tv_sec - c->started.tv_sec) * 1e3 +
                (double)(now.tv_nsec - c->started.tv_nsec) / 1e6;
    lh_buf_printf(b, "],\"row_count\":%lld,\"truncated\":%s,\"elapsed_ms\":%.1f",
                  (long long)c->rows, c->truncated ? "true" : "false", ms);
    if (e) {
        lh_buf_puts(b, ",\"error\":{\"code\":");
        lh_buf_json_str(b, lh_err_name(e->code), strlen(lh_err_name(e->code)));
        lh_buf_puts(b, ",\"message\":");
        lh_buf_json_str(b, e->msg, strlen(e->msg));
        lh_buf_putc(b, '}');
    }
    lh_buf_puts(b, "}\n");
}

#define READ_TARGET (256 * 1024)

static int cursor_read(struct lh_sql_cursor *c, struct lh_buf *b, struct lh_error *err);

int lh_sql_cursor_read(struct lh_sql_cursor *c, struct lh_buf *b, struct lh_error *err)
{
    if (c->finished)
        return 0;
    set_in_call(c, true);
    int rc = cursor_read(c, b, err);
    set_in_call(c, false);
    return rc;
}

static int cursor_read(struct lh_sql_cursor *c, struct lh_buf *b, struct lh_error *err)
{
    if (c->finished)
        return 0;
    if (c->format == LH_FMT_PARQUET) {
        if (lh_buf_reserve(b, READ_TARGET))
            return lh_error_set(err, LH_ETOOBIG, "output buffer full");
        ssize_t r = read(c->parquet_fd, b->ptr + b->len, READ_TARGET);
        if (r < 0)
            return lh_error_set(err, LH_EIO, "reading the exported Parquet file failed");
        b->len += (size_t)r;
        b->ptr[b->len] = '\0';
        if (r == 0)
            c->finished = true;
        return r == 0 ? 0 : 1;
    }
    if (!c->header_done) {
        write_header(c, b);
        c->header_done = true;
    }
    size_t start_len = b->len;
    while (b->len - start_len < READ_TARGET) {
        if (!c->chunk) {
            c->finished = true;
            write_footer(c, b, NULL);
            return 0;
        }
        idx_t n = duckdb_data_chunk_get_size(c->chunk);
        duckdb_vector vecs[256];
        duckdb_vector *vv = c->ncols <= 256 ? vecs : lh_xcalloc(c->ncols, sizeof(*vv));
        for (idx_t j = 0; j < c->ncols; j++)
            vv[j] = duckdb_data_chunk_get_vector(c->chunk, j);
        for (; c->chunk_row < n; c->chunk_row++) {
            if (c->row_limit > 0 && c->rows >= c->row_limit) {
                c->truncated = true;
                break;
            }
            idx_t r = c->chunk_row;
            switch (c->format) {
            case LH_FMT_JSON:
                lh_buf_puts(b, c->rows ? ",[" : "[");
                for (idx_t j = 0; j < c->ncols; j++) {
                    if (j)
                        lh_buf_putc(b, ',');
                    put_value(b, vv[j], c->types[j], r, M_JSON);
                }
                lh_buf_putc(b, ']');
                break;
            case LH_FMT_NDJSON:
                lh_buf_putc(b, '{');
                for (idx_t j = 0; j < c->ncols; j++) {
                    if (j)
                        lh_buf_putc(b, ',');
                    lh_buf_json_str(b, c->names[j], strlen(c->names[j]));
                    lh_buf_putc(b, ':');
                    put_value(b, vv[j], c->types[j], r, M_JSON);
                }
                lh_buf_puts(b, "}\n");
                break;
            default:
                for (idx_t j = 0; j < c->ncols; j++) {
                    if (j)
                        lh_buf_putc(b, ',');
                    put_value(b, vv[j], c->types[j], r, M_CSV);
                }
                lh_buf_puts(b, "\r\n");
                break;
            }
            c->rows++;
        }
        if (vv != vecs)
            free(vv);
        if (c->truncated) {
            duckdb_destroy_data_chunk(&c->chunk);
            c->chunk = NULL;
            continue;
        }
        if (c->row_limit > 0 && c->rows >= c->row_limit) {
            /* Limit reached exactly at a chunk end: is there more? */
            int rc = fetch(c, err);
            if (rc == 0 && c->chunk)
                c->truncated = true;
            if (c->chunk)
                duckdb_destroy_data_chunk(&c->chunk);
            c->chunk = NULL;
            if (rc)
                goto failed;
            continue;
        }
        int rc = fetch(c, err);
        if (rc)
            goto failed;
    }
    return 1;
failed:
    c->finished = true;
    write_footer(c, b, err);
    return err ? -err->code : -LH_ESQL;
}

int64_t lh_sql_cursor_rows(const struct lh_sql_cursor *c)
{
    return c->rows;
}

bool lh_sql_cursor_truncated(const struct lh_sql_cursor *c)
{
    return c->truncated;
}

void lh_sql_cursor_cancel(struct lh_sql_cursor *c)
{
    c->canceled = true;
    if (c->con)
        duckdb_interrupt(c->con);
}

void lh_sql_cursor_close(struct lh_sql_cursor *c)
{
    if (!c)
        return;
    unwatch(c);
    if (c->chunk)
        duckdb_destroy_data_chunk(&c->chunk);
    if (c->have_result)
        duckdb_destroy_result(&c->result);
    if (c->pending)
        duckdb_destroy_pending(&c->pending);
    if (c->stmt)
        duckdb_destroy_prepare(&c->stmt);
    if (c->con)
        duckdb_disconnect(&c->con);
    for (idx_t i = 0; i < c->ncols; i++) {
        if (c->types)
            duckdb_destroy_logical_type(&c->types[i]);
        if (c->names)
            free(c->names[i]);
    }
    free(c->types);
    free(c->names);
    if (c->parquet_fd >= 0)
        close(c->parquet_fd);
    if (c->parquet_path) {
        unlink(c->parquet_path);
        free(c->parquet_path);
    }
    uses_release(c->sql, &c->uses);
    free(c);
}

/* ------------------------------------------------------------------ */
/* ingest conversion                                                   */

void lh_convert_result_release(struct lh_convert_result *r)
{
    lh_columns_free(r->columns, r->n_columns);
    memset(r, 0, sizeof(*r));
}

/* DuckDB appends the failing SQL ("\n\nLINE 1: ...") to parser/binder
 * errors; for conversions that SQL is ours, not the user's: drop it. */
static void trim_duck_msg(struct lh_error *err)
{
    if (!err)
        return;
    char *cut = strstr(err->msg, "\n\nLINE ");
    if (cut)
        *cut = '\0';
    size_t n = strlen(err->msg);
    while (n > 0 && (err->msg[n - 1] == ' ' || err->msg[n - 1] == '\n'))
        err->msg[--n] = '\0';
}

/* Runs q on con; with a progress callback, through the pending API so the
 * callback can be called while DuckDB works. Returns the result (caller
 * destroys it) or an error. */
static int run_with_progress(duckdb_connection con, const char *q, const struct lh_convert_opts *o,
                             duckdb_result *res, struct lh_error *err)
{
    if (!o->progress) {
        if (duckdb_query(con, q, res) == DuckDBError) {
            int rc = lh_error_set(err, LH_EINVAL, "%s", duckdb_result_error(res));
            duckdb_destroy_result(res);
            return rc;
        }
        return 0;
    }
    duckdb_prepared_statement ps = NULL;
    duckdb_pending_result pend = NULL;
    int rc = 0;
    /* progress is only tracked with the bar on; its printing must stay off */
    if ((rc = exec(con, "SET enable_progress_bar=true", LH_EINTERNAL, err)) ||
        (rc = exec(con, "SET enable_progress_bar_print=false", LH_EINTERNAL, err)))
        return rc;
    if (duckdb_prepare(con, q, &ps) == DuckDBError) {
        rc = lh_error_set(err, LH_EINVAL, "%s", duckdb_prepare_error(ps));
        goto out;
    }
    if (duckdb_pending_prepared(ps, &pend) == DuckDBError) {
        rc = lh_error_set(err, LH_EINVAL, "%s", duckdb_pending_error(pend));
        goto out;
    }
    int64_t last = 0;
    for (;;) {
        duckdb_pending_state st = duckdb_pending_execute_task(pend);
        if (st == DUCKDB_PENDING_RESULT_READY)
            break;
        if (st == DUCKDB_PENDING_ERROR) {
            rc = lh_error_set(err, LH_EINVAL, "%s", duckdb_pending_error(pend));
            goto out;
        }
        int64_t t = now_ms();
        if (t - last >= 100) {
            duckdb_query_progress_type p = duckdb_query_progress(con);
            if (p.percentage >= 0)
                o->progress(o->progress_ud, p.percentage);
            last = t;
        }
        if (st == DUCKDB_PENDING_NO_TASKS_AVAILABLE)
            usleep(1000);
    }
    if (duckdb_execute_pending(pend, res) == DuckDBError) {
        rc = lh_error_set(err, LH_EINVAL, "%s", duckdb_result_error(res));
        duckdb_destroy_result(res);
        goto out;
    }
    o->progress(o->progress_ud, 100.0);
out:
    if (pend)
        duckdb_destroy_pending(&pend);
    if (ps)
        duckdb_destroy_prepare(&ps);
    return rc;
}

/* Builds the flattened select list for a JSON source: nested STRUCT fields
 * become parent_child columns; lists stay lists. */
struct flat {
    struct lh_buf sel;
    char **names;
    size_t n, cap;
};

static bool flat_has(struct flat *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->names[i], name) == 0)
            return true;
    return false;
}

static void flat_add(struct flat *f, const char *expr, const char *name)
{
    char *unique = lh_xstrdup(name);
    for (int k = 2; flat_has(f, unique); k++) {
        free(unique);
        unique = lh_xasprintf("%s_%d", name, k);
    }
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16;
        f->names = lh_xrealloc(f->names, f->cap * sizeof(*f->names));
    }
    f->names[f->n++] = unique;
    if (f->sel.len)
        lh_buf_puts(&f->sel, ", ");
    lh_buf_puts(&f->sel, expr);
    lh_buf_puts(&f->sel, " AS ");
    lh_sql_ident(&f->sel, unique);
}

static void flatten(struct flat *f, duckdb_logical_type t, const char *expr, const char *name,
                    int depth)
{
    if (duckdb_get_type_id(t) != DUCKDB_TYPE_STRUCT || depth > 16) {
        flat_add(f, expr, name);
        return;
    }
    idx_t n = duckdb_struct_type_child_count(t);
    if (n == 0) {
        flat_add(f, expr, name);
        return;
    }
    for (idx_t i = 0; i < n; i++) {
        char *cn = duckdb_struct_type_child_name(t, i);
        duckdb_logical_type ct = duckdb_struct_type_child_type(t, i);
        struct lh_buf e = LH_BUF_INIT;
        lh_buf_printf(&e, "%s.", expr);
        lh_sql_ident(&e, cn);
        char *child_name = lh_xasprintf("%s_%s", name, cn);
        flatten(f, ct, e.ptr, child_name, depth + 1);
        free(child_name);
        lh_buf_release(&e);
        duckdb_free(cn);
        duckdb_destroy_logical_type(&ct);
    }
}

static int describe(duckdb_connection con, const char *from, struct lh_column **out_cols,
                    size_t *out_n, struct lh_error *err)
{
    struct lh_buf q = LH_BUF_INIT;
    duckdb_result r;
    int rc = 0;
    lh_buf_printf(&q, "DESCRIBE SELECT * FROM %s", from);
    if (duckdb_query(con, q.ptr, &r) == DuckDBError) {
        rc = lh_error_set(err, LH_EINVAL, "%s", duckdb_result_error(&r));
        duckdb_destroy_result(&r);
        lh_buf_release(&q);
        return rc;
    }
    idx_t n = duckdb_row_count(&r);
    struct lh_column *cols = lh_xcalloc(n ? n : 1, sizeof(*cols));
    for (idx_t i = 0; i < n; i++) {
        char *name = duckdb_value_varchar(&r, 0, i);
        char *type = duckdb_value_varchar(&r, 1, i);
        cols[i].name = lh_xstrdup(name ? name : "");
        cols[i].type = lh_xstrdup(type ? type : "");
        duckdb_free(name);
        duckdb_free(type);
    }
    duckdb_destroy_result(&r);
    lh_buf_release(&q);
    *out_cols = cols;
    *out_n = n;
    return 0;
}

/* CSV rejects: one line per bad row (up to 10), from the rejects tables. */
static int csv_rejects(duckdb_connection con, const char *table, struct lh_error *err)
{
    struct lh_buf q = LH_BUF_INIT, msg = LH_BUF_INIT;
    duckdb_result r;
    int rc = 0;
    lh_buf_printf(&q,
                  "SELECT line, error_type::VARCHAR, error_message, count(*) OVER () "
                  "FROM %s ORDER BY line LIMIT 10",
                  table);
    if (duckdb_query(con, q.ptr, &r) == DuckDBError) {
        duckdb_destroy_result(&r);
        lh_buf_release(&q);
        return 0; /* no rejects table: nothing was rejected */
    }
    idx_t n = duckdb_row_count(&r);
    if (n > 0) {
        int64_t total = duckdb_value_int64(&r, 3, 0);
        lh_buf_printf(&msg, "malformed CSV: %lld bad row%s", (long long)total,
                      total == 1 ? "" : "s");
        for (idx_t i = 0; i < n; i++) {
            char *type = duckdb_value_varchar(&r, 1, i);
            char *em = duckdb_value_varchar(&r, 2, i);
            /* first sentence of DuckDB's message, which is long */
            size_t elen = em ? strcspn(em, "\n") : 0;
            lh_buf_printf(&msg, "; line %lld: %s (%.*s)", (long long)duckdb_value_int64(&r, 0, i),
                          type ? type : "error", (int)(elen > 160 ? 160 : elen), em ? em : "");
            duckdb_free(type);
            duckdb_free(em);
        }
        if (total > (int64_t)n)
            lh_buf_printf(&msg, "; ... and %lld more", (long long)(total - (int64_t)n));
        rc = lh_error_set(err, LH_EINVAL, "%s", msg.ptr);
    }
    duckdb_destroy_result(&r);
    lh_buf_release(&q);
    lh_buf_release(&msg);
    return rc;
}

int lh_sql_convert(struct lh_sql *s, const char *src, const struct lh_convert_opts *o,
                   const char *dst, struct lh_convert_result *out, struct lh_error *err)
{
    duckdb_connection con = NULL;
    struct lh_buf from = LH_BUF_INIT, q = LH_BUF_INIT;
    struct flat f = {LH_BUF_INIT, NULL, 0, 0};
    duckdb_result r;
    char id[17];
    int rc = 0;

    memset(out, 0, sizeof(*out));
    lh_random_hex(id, 8);
    if (duckdb_connect(s->idb, &con) == DuckDBError)
        return lh_error_set(err, LH_EINTERNAL, "cannot connect to DuckDB");

    switch (o->format) {
    case LH_SRC_CSV:
        lh_buf_puts(&from, "read_csv(");
        lh_sql_quote(&from, src);
        lh_buf_printf(&from, ", store_rejects=true, rejects_table='lh_rej_%s', "
                             "rejects_scan='lh_rejscan_%s'", id, id);
        if (o->delimiter) {
            lh_buf_puts(&from, ", delim=");
            lh_sql_quote(&from, o->delimiter);
        }
        if (o->header >= 0)
            lh_buf_printf(&from, ", header=%s", o->header ? "true" : "false");
        lh_buf_putc(&from, ')');
        lh_buf_puts(&f.sel, "*");
        break;
    case LH_SRC_JSON: {
        lh_buf_puts(&from, "read_json(");
        lh_sql_quote(&from, src);
        /* A document's text can be one large JSON value: raise DuckDB's 16 MB limit to
         * fit the file. DuckDB allocates twice the limit up front, so size it to the file. */
        struct stat sst;
        int64_t maxobj = 16LL << 20;
        if (stat(src, &sst) == 0 && (int64_t)sst.st_size + (1 << 20) > maxobj)
            maxobj = (int64_t)sst.st_size + (1 << 20);
        lh_buf_printf(&from, ", format='auto', maximum_object_size=%lld)", (long long)maxobj);
        lh_buf_printf(&q, "SELECT * FROM %s LIMIT 0", from.ptr);
        if (duckdb_query(con, q.ptr, &r) == DuckDBError) {
            rc = lh_error_set(err, LH_EINVAL, "invalid JSON: %s", duckdb_result_error(&r));
            duckdb_destroy_result(&r);
            goto out;
        }
        for (idx_t i = 0; i < duckdb_column_count(&r); i++) {
            duckdb_logical_type t = duckdb_column_logical_type(&r, i);
            struct lh_buf e = LH_BUF_INIT;
            lh_sql_ident(&e, duckdb_column_name(&r, i));
            flatten(&f, t, e.ptr, duckdb_column_name(&r, i), 0);
            lh_buf_release(&e);
            duckdb_destroy_logical_type(&t);
        }
        duckdb_destroy_result(&r);
        lh_buf_reset(&q);
        break;
    }
    case LH_SRC_PARQUET:
        lh_buf_puts(&from, "read_parquet(");
        lh_sql_quote(&from, src);
        lh_buf_putc(&from, ')');
        lh_buf_puts(&f.sel, "*");
        break;
    }

    lh_buf_printf(&q, "COPY (SELECT %s FROM %s) TO ", f.sel.ptr, from.ptr);
    lh_sql_quote(&q, dst);
    lh_buf_puts(&q, " (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)");
    if ((rc = run_with_progress(con, q.ptr, o, &r, err))) {
        if (o->format == LH_SRC_JSON && strncmp(err->msg, "invalid JSON", 12) != 0) {
            char m[LH_ERRMSG_MAX];
            snprintf(m, sizeof(m), "%s", err->msg);
            rc = lh_error_set(err, LH_EINVAL, "invalid JSON: %s", m);
        }
        goto out;
    }
    out->rows = duckdb_value_int64(&r, 0, 0);
    duckdb_destroy_result(&r);

    if (o->format == LH_SRC_CSV) {
        char table[40];
        snprintf(table, sizeof(table), "lh_rej_%s", id);
        if ((rc = csv_rejects(con, table, err)))
            goto out;
    }
    lh_buf_reset(&from);
    lh_buf_puts(&from, "read_parquet(");
    lh_sql_quote(&from, dst);
    lh_buf_putc(&from, ')');
    rc = describe(con, from.ptr, &out->columns, &out->n_columns, err);
out:
    if (rc) {
        trim_duck_msg(err);
        unlink(dst);
        lh_convert_result_release(out);
    }
    for (size_t i = 0; i < f.n; i++)
        free(f.names[i]);
    free(f.names);
    lh_buf_release(&f.sel);
    lh_buf_release(&from);
    lh_buf_release(&q);
    duckdb_disconnect(&con);
    return rc;
}

int lh_sql_parquet_info(struct lh_sql *s, const char *path, int64_t *out_rows,
                        struct lh_column **out_cols, size_t *out_n, struct lh_error *err)
{
    duckdb_connection con = NULL;
    struct lh_buf q = LH_BUF_INIT, from = LH_BUF_INIT;
    duckdb_result r;
    int rc = 0;
    *out_cols = NULL;
    *out_n = 0;
    if (duckdb_connect(s->idb, &con) == DuckDBError)
        return lh_error_set(err, LH_EINTERNAL, "cannot connect to DuckDB");
    lh_buf_puts(&q, "SELECT num_rows FROM parquet_file_metadata(");
    lh_sql_quote(&q, path);
    lh_buf_putc(&q, ')');
    if (duckdb_query(con, q.ptr, &r) == DuckDBError) {
        rc = lh_error_set(err, LH_EIO, "%s", duckdb_result_error(&r));
        duckdb_destroy_result(&r);
        goto out;
    }
    *out_rows = duckdb_value_int64(&r, 0, 0);
    duckdb_destroy_result(&r);
    lh_buf_puts(&from, "read_parquet(");
    lh_sql_quote(&from, path);
    lh_buf_putc(&from, ')');
    rc = describe(con, from.ptr, out_cols, out_n, err);
out:
    lh_buf_release(&q);
    lh_buf_release(&from);
    duckdb_disconnect(&con);
    return rc;
}

int lh_sql_exec_internal(struct lh_sql *s, const char *sql, struct lh_error *err)
{
    duckdb_connection con;
    if (duckdb_connect(s->idb, &con) == DuckDBError)
        return lh_error_set(err, LH_EINTERNAL, "cannot connect to DuckDB");
    int rc = exec(con, sql, LH_ESQL, err);
    duckdb_disconnect(&con);
    return rc;
}

int lh_sql_sample_text(struct lh_sql *s, const char *path, int n, size_t *out_cols,
                       size_t *out_rows, char ***out_cells, struct lh_error *err)
{
    duckdb_connection con = NULL;
    struct lh_buf q = LH_BUF_INIT;
    duckdb_result r;
    int rc = 0;
    *out_cols = *out_rows = 0;
    *out_cells = NULL;
    if (duckdb_connect(s->idb, &con) == DuckDBError)
        return lh_error_set(err, LH_EINTERNAL, "cannot connect to DuckDB");
    /* a fixed seed keeps detection repeatable for the same data */
    lh_buf_puts(&q, "SELECT COLUMNS(*)::VARCHAR FROM read_parquet(");
    lh_sql_quote(&q, path);
    lh_buf_printf(&q, ") USING SAMPLE reservoir(%d ROWS) REPEATABLE (42)", n > 0 ? n : 200);
    if (duckdb_query(con, q.ptr, &r) == DuckDBError) {
        rc = lh_error_set(err, LH_EIO, "%s", duckdb_result_error(&r));
        duckdb_destroy_result(&r);
        goto out;
    }
    size_t nc = duckdb_column_count(&r), nr = duckdb_row_count(&r);
    char **cells = lh_xcalloc(nc * nr > 0 ? nc * nr : 1, sizeof(*cells));
    for (size_t c = 0; c < nc; c++) {
        for (size_t i = 0; i < nr; i++) {
            char *v = duckdb_value_is_null(&r, c, i) ? NULL : duckdb_value_varchar(&r, c, i);
            cells[c * nr + i] = v ? lh_xstrdup(v) : NULL;
            duckdb_free(v);
        }
    }
    duckdb_destroy_result(&r);
    *out_cols = nc;
    *out_rows = nr;
    *out_cells = cells;
out:
    lh_buf_release(&q);
    duckdb_disconnect(&con);
    return rc;
}

int lh_sql_rename_columns(struct lh_sql *s, const char *path, const char *const *from,
                          const char *const *to, size_t n, struct lh_error *err)
{
    duckdb_connection con = NULL;
    struct lh_buf q = LH_BUF_INIT;
    char *tmp = lh_xasprintf("%s.renamed", path);
    int rc = 0;
    if (duckdb_connect(s->idb, &con) == DuckDBError) {
        free(tmp);
        return lh_error_set(err, LH_EINTERNAL, "cannot connect to DuckDB");
    }
    lh_buf_puts(&q, "COPY (SELECT * RENAME (");
    for (size_t i = 0; i < n; i++) {
        if (i)
            lh_buf_puts(&q, ", ");
        lh_sql_ident(&q, from[i]);
        lh_buf_puts(&q, " AS ");
        lh_sql_ident(&q, to[i]);
    }
    lh_buf_puts(&q, ") FROM read_parquet(");
    lh_sql_quote(&q, path);
    lh_buf_puts(&q, ")) TO ");
    lh_sql_quote(&q, tmp);
    lh_buf_puts(&q, " (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)");
    if ((rc = exec(con, q.ptr, LH_EIO, err)) == 0 && rename(tmp, path) != 0)
        rc = lh_error_set(err, LH_EIO, "cannot replace %s", path);
    if (rc)
        unlink(tmp);
    lh_buf_release(&q);
    free(tmp);
    duckdb_disconnect(&con);
    return rc;
}

/* ---- hot cache ---- */

static void paths_list(struct lh_buf *q, char *const *paths, size_t n)
{
    lh_buf_putc(q, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            lh_buf_putc(q, ',');
        lh_sql_quote(q, paths[i]);
    }
    lh_buf_putc(q, ']');
}

int lh_sql_estimate_bytes(struct lh_sql *s, char *const *paths, size_t n, int64_t *out_bytes,
                          int64_t *out_rows, struct lh_error *err)
{
    duckdb_connection con = NULL;
    struct lh_buf q = LH_BUF_INIT;
    duckdb_result r;
    int rc = 0;
    if (duckdb_connect(s->idb, &con) == DuckDBError)
        return lh_error_set(err, LH_EINTERNAL, "cannot connect to DuckDB");
    lh_buf_puts(&q, "SELECT (SELECT coalesce(sum(total_uncompressed_size), 0) FROM "
                    "parquet_metadata(");
    paths_list(&q, paths, n);
    lh_buf_puts(&q, ")), (SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata(");
    paths_list(&q, paths, n);
    lh_buf_puts(&q, "))");
    if (duckdb_query(con, q.ptr, &r) == DuckDBError) {
        rc = lh_error_set(err, LH_EIO, "%s", duckdb_result_error(&r));
    } else {
        *out_bytes = duckdb_value_int64(&r, 0, 0);
        if (out_rows)
            *out_rows = duckdb_value_int64(&r, 1, 0);
    }
    duckdb_destroy_result(&r);
    lh_buf_release(&q);
    duckdb_disconnect(&con);
    return rc;
}

static bool table_name_ok(const char *t)
{
    if (!t[0] || strlen(t) > 120)
        return false;
    for (; *t; t++)
        if (!((*t >= 'a' && *t <= 'z') || (*t >= '0' && *t <= '9') || *t == '_'))
            return false;
    return true;
}

int lh_sql_cache_load(struct lh_sql *s, const char *table, char *const *paths, size_t n,
                      struct lh_error *err)
{
    duckdb_connection con = NULL;
    struct lh_buf q = LH_BUF_INIT;
    struct lh_sql_uses uses = {0};
    int rc;
    if (!table_name_ok(table))
        return lh_error_set(err, LH_EINVAL, "invalid cache table name");
    if (duckdb_connect(s->qdb, &con) == DuckDBError)
        return lh_error_set(err, LH_EINTERNAL, "cannot connect to DuckDB");
    for (size_t i = 0; i < n; i++)
        uses_add(s, &uses, paths[i]); /* the files must outlive the copy */
    lh_buf_printf(&q, "CREATE OR REPLACE TABLE lh_cache.%s AS SELECT * FROM lh_scan(", table);
    paths_list(&q, paths, n);
    lh_buf_putc(&q, ')');
    rc = exec(con, q.ptr, LH_EIO, err);
    uses_release(s, &uses);
    lh_buf_release(&q);
    duckdb_disconnect(&con);
    return rc;
}

void lh_sql_cache_drop(struct lh_sql *s, const char *table)
{
    duckdb_connection con = NULL;
    if (!table_name_ok(table) || duckdb_connect(s->qdb, &con) == DuckDBError)
        return;
    char *q = lh_xasprintf("DROP TABLE IF EXISTS lh_cache.%s", table);
    exec(con, q, LH_EIO, NULL);
    free(q);
    duckdb_disconnect(&con);
}

int lh_sql_merge_files(struct lh_sql *s, char *const *paths, size_t n, const char *where,
                       const char *dst, int64_t *out_rows, struct lh_error *err)
{
    duckdb_connection con = NULL;
    struct lh_buf q = LH_BUF_INIT;
    struct lh_sql_uses uses = {0};
    duckdb_result r;
    int rc = 0;
    if (duckdb_connect(s->idb, &con) == DuckDBError)
        return lh_error_set(err, LH_EINTERNAL, "cannot connect to DuckDB");
    for (size_t i = 0; i < n; i++)
        uses_add(s, &uses, paths[i]);
    lh_buf_puts(&q, "COPY (SELECT * FROM read_parquet(");
    paths_list(&q, paths, n);
    lh_buf_puts(&q, ", union_by_name = true)");
    if (where)
        lh_buf_printf(&q, " WHERE %s", where);
    lh_buf_puts(&q, ") TO ");
    lh_sql_quote(&q, dst);
    lh_buf_puts(&q, " (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)");
    if (duckdb_query(con, q.ptr, &r) == DuckDBError) {
        rc = lh_error_set(err, LH_EIO, "%s", duckdb_result_error(&r));
        unlink(dst);
    } else {
        *out_rows = duckdb_value_int64(&r, 0, 0);
    }
    duckdb_destroy_result(&r);
    uses_release(s, &uses);
    lh_buf_release(&q);
    duckdb_disconnect(&con);
    return rc;
}

/* ---- rows and vectors for the vector index ---- */

int lh_sql_each_row(struct lh_sql *s, const void *ctx, const char *sql,
                    int (*cb)(void *ud, size_t ncols, const char *const *vals,
                              const size_t *lens),
                    void *ud, struct lh_error *err)
{
    duckdb_connection con = NULL;
    duckdb_prepared_statement ps = NULL;
    duckdb_pending_result pend = NULL;
    duckdb_result r;
    bool have = false;
    struct lh_sql_uses uses = {0};
    int rc = 0;
    if (duckdb_connect(s->qdb, &con) == DuckDBError)
        return lh_error_set(err, LH_EINTERNAL, "cannot connect to DuckDB");
    /* may run inside another query's binding (vec_search): restore its state after */
    struct lh_sql_uses *outer_uses = tl_uses;
    const void *outer_ctx = tl_ctx;
    tl_uses = &uses; /* the files read stay in use until we are done */
    tl_ctx = ctx;
    duckdb_state st = duckdb_prepare(con, sql, &ps);
    tl_uses = outer_uses;
    tl_ctx = outer_ctx;
    if (st == DuckDBError) {
        rc = lh_error_set(err, LH_ESQL, "%s", duckdb_prepare_error(ps));
        goto out;
    }
    tl_uses = &uses;
    tl_ctx = ctx;
    bool failed = duckdb_pending_prepared_streaming(ps, &pend) == DuckDBError ||
                  duckdb_execute_pending(pend, &r) == DuckDBError;
    tl_uses = outer_uses;
    tl_ctx = outer_ctx;
    if (failed) {
        rc = lh_error_set(err, LH_ESQL, "%s",
                          pend ? duckdb_pending_error(pend) : "query failed");
        if (pend && duckdb_pending_error(pend) == NULL) {
            rc = lh_error_set(err, LH_ESQL, "%s", duckdb_result_error(&r));
            duckdb_destroy_result(&r);
        }
        goto out;
    }
    have = true;
    size_t nc = duckdb_column_count(&r);
    const char **vals = lh_xcalloc(nc ? nc : 1, sizeof(*vals));
    size_t *lens = lh_xcalloc(nc ? nc : 1, sizeof(*lens));
    duckdb_data_chunk chunk;
    while (rc == 0 && (chunk = duckdb_fetch_chunk(r)) != NULL) {
        idx_t n = duckdb_data_chunk_get_size(chunk);
        if (n == 0) {
            duckdb_destroy_data_chunk(&chunk);
            break;
        }
        for (idx_t row = 0; row < n && rc == 0; row++) {
            for (size_t c = 0; c < nc; c++) {
                duckdb_vector v = duckdb_data_chunk_get_vector(chunk, c);
                uint64_t *valid = duckdb_vector_get_validity(v);
                if (valid && !duckdb_validity_row_is_valid(valid, row)) {
                    vals[c] = NULL;
                    lens[c] = 0;
                    continue;
                }
                duckdb_string_t *str = &((duckdb_string_t *)duckdb_vector_get_data(v))[row];
                vals[c] = duckdb_string_t_data(str);
                lens[c] = duckdb_string_t_length(*str);
            }
            rc = cb(ud, nc, vals, lens);
        }
        duckdb_destroy_data_chunk(&chunk);
    }
    if (rc == 0 && duckdb_result_error(&r))
        rc = lh_error_set(err, LH_ESQL, "%s", duckdb_result_error(&r));
    free(vals);
    free(lens);
out:
    if (have)
        duckdb_destroy_result(&r);
    if (pend)
        duckdb_destroy_pending(&pend);
    if (ps)
        duckdb_destroy_prepare(&ps);
    duckdb_disconnect(&con);
    uses_release(s, &uses);
    return rc;
}

int lh_sql_write_vectors(struct lh_sql *s, const char *dst, size_t n, size_t dims,
                         const uint64_t *labels, char *const *doc_ids, const int32_t *chunk_nos,
                         char *const *texts, const float *vecs, struct lh_error *err)
{
    duckdb_connection con = NULL;
    duckdb_appender app = NULL;
    struct lh_buf q = LH_BUF_INIT;
    char table[40], id[17];
    int rc = 0;
    lh_random_hex(id, 8);
    snprintf(table, sizeof(table), "lh_vec_%s", id);
    if (duckdb_connect(s->idb, &con) == DuckDBError)
        return lh_error_set(err, LH_EINTERNAL, "cannot connect to DuckDB");
    lh_buf_printf(&q, "CREATE TEMP TABLE %s(label UBIGINT, doc_id VARCHAR, chunk_no INTEGER, "
                      "text VARCHAR, vector FLOAT[])", table);
    if ((rc = exec(con, q.ptr, LH_EIO, err)))
        goto out;
    if (duckdb_appender_create(con, NULL, table, &app) == DuckDBError) {
        rc = lh_error_set(err, LH_EIO, "cannot append embeddings");
        goto out;
    }
    duckdb_logical_type types[5];
    types[0] = duckdb_create_logical_type(DUCKDB_TYPE_UBIGINT);
    types[1] = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
    types[2] = duckdb_create_logical_type(DUCKDB_TYPE_INTEGER);
    types[3] = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
    duckdb_logical_type ft = duckdb_create_logical_type(DUCKDB_TYPE_FLOAT);
    types[4] = duckdb_create_list_type(ft);
    duckdb_destroy_logical_type(&ft);
    size_t cap = duckdb_vector_size();
    for (size_t off = 0; off < n && rc == 0; off += cap) {
        size_t m = n - off < cap ? n - off : cap;
        duckdb_data_chunk ch = duckdb_create_data_chunk(types, 5);
        duckdb_vector vl = duckdb_data_chunk_get_vector(ch, 0);
        duckdb_vector vd = duckdb_data_chunk_get_vector(ch, 1);
        duckdb_vector vc = duckdb_data_chunk_get_vector(ch, 2);
        duckdb_vector vt = duckdb_data_chunk_get_vector(ch, 3);
        duckdb_vector vv = duckdb_data_chunk_get_vector(ch, 4);
        uint64_t *pl = duckdb_vector_get_data(vl);
        int32_t *pc = duckdb_vector_get_data(vc);
        duckdb_list_vector_reserve(vv, m * dims);
        duckdb_list_vector_set_size(vv, m * dims);
        duckdb_list_entry *le = duckdb_vector_get_data(vv);
        float *pf = duckdb_vector_get_data(duckdb_list_vector_get_child(vv));
        for (size_t i = 0; i < m; i++) {
            size_t k = off + i;
            pl[i] = labels[k];
            pc[i] = chunk_nos[k];
            duckdb_vector_assign_string_element(vd, i, doc_ids[k]);
            duckdb_vector_assign_string_element(vt, i, texts[k]);
            le[i].offset = i * dims;
            le[i].length = dims;
            memcpy(pf + i * dims, vecs + k * dims, dims * sizeof(float));
        }
        duckdb_data_chunk_set_size(ch, m);
        if (duckdb_append_data_chunk(app, ch) == DuckDBError)
            rc = lh_error_set(err, LH_EIO, "cannot append embeddings: %s",
                              duckdb_appender_error(app));
        duckdb_destroy_data_chunk(&ch);
    }
    for (int i = 0; i < 5; i++)
        duckdb_destroy_logical_type(&types[i]);
    if (rc == 0 && duckdb_appender_close(app) == DuckDBError)
        rc = lh_error_set(err, LH_EIO, "cannot append embeddings: %s", duckdb_appender_error(app));
    duckdb_appender_destroy(&app);
    app = NULL;
    if (rc)
        goto out;
    lh_buf_reset(&q);
    lh_buf_printf(&q, "COPY %s TO ", table);
    lh_sql_quote(&q, dst);
    lh_buf_puts(&q, " (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 16384)");
    rc = exec(con, q.ptr, LH_EIO, err);
out:
    if (app)
        duckdb_appender_destroy(&app);
    lh_buf_reset(&q);
    lh_buf_printf(&q, "DROP TABLE IF EXISTS %s", table);
    exec(con, q.ptr, LH_EIO, NULL);
    lh_buf_release(&q);
    duckdb_disconnect(&con);
    if (rc)
        unlink(dst);
    return rc;
}

int lh_sql_read_vectors(struct lh_sql *s, char *const *paths, size_t n_paths, size_t dims,
                        int (*cb)(void *ud, uint64_t label, const char *doc_id, size_t doc_len,
                                  int32_t chunk_no, const char *text, size_t text_len,
                                  const float *vec),
                        void *ud, struct lh_error *err)
{
    duckdb_connection con = NULL;
    struct lh_buf q = LH_BUF_INIT;
    duckdb_result r;
    int rc = 0;
    if (n_paths == 0)
        return 0;
    if (duckdb_connect(s->idb, &con) == DuckDBError)
        return lh_error_set(err, LH_EINTERNAL, "cannot connect to DuckDB");
    lh_buf_puts(&q, "SELECT label, doc_id, chunk_no, text, vector FROM read_parquet(");
    paths_list(&q, paths, n_paths);
    lh_buf_puts(&q, ")");
    if (duckdb_query(con, q.ptr, &r) == DuckDBError) {
        rc = lh_error_set(err, LH_EIO, "%s", duckdb_result_error(&r));
        duckdb_destroy_result(&r);
        goto out;
    }
    duckdb_data_chunk ch;
    while (rc == 0 && (ch = duckdb_fetch_chunk(r)) != NULL) {
        idx_t m = duckdb_data_chunk_get_size(ch);
        if (m == 0) {
            duckdb_destroy_data_chunk(&ch);
            break;
        }
        uint64_t *pl = duckdb_vector_get_data(duckdb_data_chunk_get_vector(ch, 0));
        duckdb_string_t *pd = duckdb_vector_get_data(duckdb_data_chunk_get_vector(ch, 1));
        int32_t *pc = duckdb_vector_get_data(duckdb_data_chunk_get_vector(ch, 2));
        duckdb_string_t *pt = duckdb_vector_get_data(duckdb_data_chunk_get_vector(ch, 3));
        duckdb_vector vv = duckdb_data_chunk_get_vector(ch, 4);
        duckdb_list_entry *le = duckdb_vector_get_data(vv);
        float *pf = duckdb_vector_get_data(duckdb_list_vector_get_child(vv));
        for (idx_t i = 0; i < m && rc == 0; i++) {
            if (le[i].length != dims) {
                rc = lh_error_set(err, LH_EIO, "embedding file has %llu dims, expected %zu",
                                  (unsigned long long)le[i].length, dims);
                break;
            }
            rc = cb(ud, pl[i], duckdb_string_t_data(&pd[i]), duckdb_string_t_length(pd[i]),
                    pc[i], duckdb_string_t_data(&pt[i]), duckdb_string_t_length(pt[i]),
                    pf + le[i].offset);
        }
        duckdb_destroy_data_chunk(&ch);
    }
    duckdb_destroy_result(&r);
out:
    lh_buf_release(&q);
    duckdb_disconnect(&con);
    return rc;
}

/* ---- the firewall's parser (sql_firewall.c walks the result) ---- */

int lh__sql_serialize(struct lh_sql *s, const char *sql, char **out_json, struct lh_error *err)
{
    duckdb_connection con = NULL;
    duckdb_prepared_statement ps = NULL;
    duckdb_result r;
    int rc = 0;
    *out_json = NULL;
    /* idb, not qdb: parsing needs no sandbox, and a user's text never runs here -- it is a
     * bound parameter of a statement that only parses it. */
    if (duckdb_connect(s->idb, &con) == DuckDBError)
        return lh_error_set(err, LH_EINTERNAL, "cannot connect to DuckDB");
    if (duckdb_prepare(con, "SELECT json_serialize_sql(?::VARCHAR)", &ps) == DuckDBError) {
        rc = lh_error_set(err, LH_EINTERNAL, "cannot prepare json_serialize_sql: %s",
                          duckdb_prepare_error(ps));
        goto out;
    }
    if (duckdb_bind_varchar(ps, 1, sql) == DuckDBError) {
        rc = lh_error_set(err, LH_EINVAL, "the SQL text is not valid UTF-8");
        goto out;
    }
    if (duckdb_execute_prepared(ps, &r) == DuckDBError) {
        rc = lh_error_set(err, LH_EINTERNAL, "json_serialize_sql failed: %s",
                          duckdb_result_error(&r));
        duckdb_destroy_result(&r);
        goto out;
    }
    char *v = duckdb_row_count(&r) == 1 ? duckdb_value_varchar(&r, 0, 0) : NULL;
    if (v)
        *out_json = lh_xstrdup(v);
    else
        rc = lh_error_set(err, LH_EINTERNAL, "json_serialize_sql returned nothing");
    duckdb_free(v);
    duckdb_destroy_result(&r);
out:
    if (ps)
        duckdb_destroy_prepare(&ps);
    duckdb_disconnect(&con);
    return rc;
}

int lh_sql_check_select(struct lh_sql *s, const char *sql, struct lh_error *err)
{
    duckdb_connection con = NULL;
    duckdb_prepared_statement ps = NULL;
    if (duckdb_connect(s->qdb, &con) == DuckDBError)
        return lh_error_set(err, LH_EINTERNAL, "cannot connect to DuckDB");
    int rc = prepare_one(con, sql, false, &ps, err);
    if (ps)
        duckdb_destroy_prepare(&ps);
    duckdb_disconnect(&con);
    return rc;
}

/* ---- vec_search(index, query [, k := 10] [, mode := 'hybrid']) ---- */

struct vs_bind {
    struct lh_sql_hit *hits;
    size_t n;
};

struct vs_init {
    size_t pos;
};

static void vs_bind_free(void *p)
{
    struct vs_bind *b = p;
    for (size_t i = 0; i < b->n; i++) {
        free(b->hits[i].doc_id);
        free(b->hits[i].text);
    }
    free(b->hits);
    free(b);
}

static void vs_bind(duckdb_bind_info info)
{
    struct lh_sql *s = duckdb_bind_get_extra_info(info);
    duckdb_value vi = duckdb_bind_get_parameter(info, 0);
    duckdb_value vq = duckdb_bind_get_parameter(info, 1);
    duckdb_value vk = duckdb_bind_get_named_parameter(info, "k");
    duckdb_value vm = duckdb_bind_get_named_parameter(info, "mode");
    char *index = vi ? duckdb_get_varchar(vi) : NULL;
    char *query = vq ? duckdb_get_varchar(vq) : NULL;
    char *mode = vm ? duckdb_get_varchar(vm) : NULL;
    int k = vk ? duckdb_get_int32(vk) : 10;
    struct vs_bind *b = lh_xcalloc(1, sizeof(*b));
    char errbuf[LH_ERRMSG_MAX] = "";
    if (!s->search) {
        duckdb_bind_set_error(info, "vec_search is not available here");
    } else if (!index || !query) {
        duckdb_bind_set_error(info, "vec_search(index, query): both must be strings");
    } else if (s->search(s->search_ud, index, query, k, mode, &b->hits, &b->n, errbuf,
                         sizeof(errbuf)) != 0) {
        duckdb_bind_set_error(info, errbuf[0] ? errbuf : "vec_search failed");
    } else {
        duckdb_logical_type tv = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
        duckdb_logical_type ti = duckdb_create_logical_type(DUCKDB_TYPE_INTEGER);
        duckdb_logical_type td = duckdb_create_logical_type(DUCKDB_TYPE_DOUBLE);
        duckdb_bind_add_result_column(info, "rank", ti);
        duckdb_bind_add_result_column(info, "doc_id", tv);
        duckdb_bind_add_result_column(info, "chunk", ti);
        duckdb_bind_add_result_column(info, "score", td);
        duckdb_bind_add_result_column(info, "text", tv);
        duckdb_destroy_logical_type(&tv);
        duckdb_destroy_logical_type(&ti);
        duckdb_destroy_logical_type(&td);
        duckdb_bind_set_cardinality(info, b->n, true);
    }
    duckdb_bind_set_bind_data(info, b, vs_bind_free);
    duckdb_free(index);
    duckdb_free(query);
    duckdb_free(mode);
    duckdb_destroy_value(&vi);
    duckdb_destroy_value(&vq);
    if (vk)
        duckdb_destroy_value(&vk);
    if (vm)
        duckdb_destroy_value(&vm);
}

static void vs_init(duckdb_init_info info)
{
    duckdb_init_set_init_data(info, lh_xcalloc(1, sizeof(struct vs_init)), free);
}

static void vs_func(duckdb_function_info info, duckdb_data_chunk out)
{
    struct vs_bind *b = duckdb_function_get_bind_data(info);
    struct vs_init *st = duckdb_function_get_init_data(info);
    idx_t cap = duckdb_vector_size(), n = 0;
    int32_t *rank = duckdb_vector_get_data(duckdb_data_chunk_get_vector(out, 0));
    duckdb_vector vdoc = duckdb_data_chunk_get_vector(out, 1);
    int32_t *chunk = duckdb_vector_get_data(duckdb_data_chunk_get_vector(out, 2));
    double *score = duckdb_vector_get_data(duckdb_data_chunk_get_vector(out, 3));
    duckdb_vector vtext = duckdb_data_chunk_get_vector(out, 4);
    for (; st->pos < b->n && n < cap; st->pos++, n++) {
        const struct lh_sql_hit *h = &b->hits[st->pos];
        rank[n] = (int32_t)st->pos + 1;
        duckdb_vector_assign_string_element(vdoc, n, h->doc_id);
        chunk[n] = h->chunk;
        score[n] = h->score;
        duckdb_vector_assign_string_element(vtext, n, h->text);
    }
    duckdb_data_chunk_set_size(out, n);
}

static int register_vec_search(struct lh_sql *s, duckdb_connection con, struct lh_error *err)
{
    duckdb_table_function f = duckdb_create_table_function();
    duckdb_logical_type tv = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
    duckdb_logical_type ti = duckdb_create_logical_type(DUCKDB_TYPE_INTEGER);
    duckdb_table_function_set_name(f, "vec_search");
    duckdb_table_function_add_parameter(f, tv);
    duckdb_table_function_add_parameter(f, tv);
    duckdb_table_function_add_named_parameter(f, "k", ti);
    duckdb_table_function_add_named_parameter(f, "mode", tv);
    duckdb_table_function_set_extra_info(f, s, NULL);
    duckdb_table_function_set_bind(f, vs_bind);
    duckdb_table_function_set_init(f, vs_init);
    duckdb_table_function_set_function(f, vs_func);
    int rc = duckdb_register_table_function(con, f) == DuckDBError
                 ? lh_error_set(err, LH_EINTERNAL, "cannot register vec_search")
                 : 0;
    duckdb_destroy_logical_type(&tv);
    duckdb_destroy_logical_type(&ti);
    duckdb_destroy_table_function(&f);
    return rc;
}

void lh_sql_set_searcher(struct lh_sql *s, lh_sql_search_fn fn, void *ud)
{
    s->search = fn;
    s->search_ud = ud;
}
