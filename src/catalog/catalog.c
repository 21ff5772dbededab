/* SPDX-License-Identifier: MIT */
/* catalog.c - the catalog in SQLite (WAL): datasets, columns, data files and snapshots.
 *
 * One connection per struct lh_catalog, serialised by a mutex; every public
 * call takes the mutex for its whole duration. Mutations run in one
 * BEGIN IMMEDIATE transaction that first inserts a snapshots row, so the
 * snapshot id is the commit counter (max + 1: ids grow by exactly one) and
 * a crash or error before COMMIT leaves no trace. Reads that need more than
 * one statement run inside a deferred read transaction so they see one
 * consistent state even while another process writes. All statements are
 * prepared once at open and reused (lh_catalog_files runs per SQL query). */
#include "lh_common.h"
#include "catalog.h"
#include "catalog_int.h"
#include "buf.h"
#include "storage.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sqlite3.h>

#define SCHEMA_VERSION "2"
#define BUSY_TIMEOUT_MS 10000
#define NAME_MAX_LEN 63

enum stmt_id {
    ST_SNAP_INSERT,
    ST_SNAP_MAX,
    ST_DS_ID,
    ST_DS_INSERT,
    ST_DS_UPDATE,
    ST_DS_TOUCH,
    ST_DS_DELETE,
    ST_DS_GET,
    ST_DS_LIST,
    ST_DS_COUNT,
    ST_COL_DELETE,
    ST_COL_INSERT,
    ST_COL_LIST,
    ST_FILE_KEYS_DS,
    ST_FILE_DELETE_DS,
    ST_FILE_INSERT,
    ST_FILE_LIST,
    ST_FILE_REPAIR,
    ST_FILES_BY_NAME,
    ST_FIND_SOURCE,
    ST_ALL_KEYS,
    ST_TAGS_CHECK,
    ST_COL_USER,
    ST_DS_ROWS,
    ST_HIST_MAX,
    ST_HIST_INSERT,
    ST_HIST_LIST,
    ST_JOURNAL_INSERT,
    ST_JOURNAL_ALL,
    ST_JOURNAL_ENTITY,
    ST_CHILDREN,
    ST_FILE_DELETE_KEY,
    ST_DS_SET_TEXT,
    ST_COL_PATCH,
    ST_COL_GET,
    ST__COUNT
};

static const char *const stmt_sql[ST__COUNT] = {
    [ST_SNAP_INSERT] = "INSERT INTO snapshots(id, created_ms, kind, dataset) "
                       "VALUES ((SELECT coalesce(max(id), 0) + 1 FROM snapshots), ?1, ?2, ?3)",
    [ST_SNAP_MAX] = "SELECT coalesce(max(id), 0) FROM snapshots",
    [ST_DS_ID] = "SELECT id FROM datasets WHERE name = ?1",
    [ST_DS_INSERT] = "INSERT INTO datasets(name, description, owner, tags_json, created_ms, "
                     "updated_ms, snapshot_id, source_system, source, ingest_job, parents_json, "
                     "last_ingest_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9, ?10, ?5)",
    [ST_DS_UPDATE] = "UPDATE datasets SET description = coalesce(?1, description), "
                     "owner = coalesce(?2, owner), tags_json = coalesce(?3, tags_json), "
                     "updated_ms = ?4, snapshot_id = ?5, "
                     "source_system = coalesce(?7, source_system), source = coalesce(?8, source), "
                     "ingest_job = coalesce(?9, ingest_job), "
                     "parents_json = coalesce(?10, parents_json), last_ingest_ms = ?4 "
                     "WHERE id = ?6",
    [ST_DS_TOUCH] = "UPDATE datasets SET updated_ms = ?1, snapshot_id = ?2 WHERE id = ?3",
    [ST_DS_DELETE] = "DELETE FROM datasets WHERE id = ?1",
    [ST_DS_GET] = "SELECT d.id, d.name, d.description, d.owner, d.tags_json, d.created_ms, "
                  "d.updated_ms, d.snapshot_id, coalesce(sum(f.rows), 0), "
                  "coalesce(sum(f.size_bytes), 0), d.sensitivity, d.source_system, d.source, "
                  "d.ingest_job, d.parents_json, d.last_ingest_ms, "
                  "(SELECT coalesce(max(h.version), 0) FROM schema_history h "
                  "WHERE h.dataset_id = d.id) FROM datasets d "
                  "LEFT JOIN files f ON f.dataset_id = d.id WHERE d.name = ?1 GROUP BY d.id",
    [ST_DS_LIST] = "SELECT d.id, d.name, d.description, d.owner, d.tags_json, d.created_ms, "
                  "d.updated_ms, d.snapshot_id, coalesce(sum(f.rows), 0), "
                  "coalesce(sum(f.size_bytes), 0), d.sensitivity, d.source_system, d.source, "
                  "d.ingest_job, d.parents_json, d.last_ingest_ms, "
                  "(SELECT coalesce(max(h.version), 0) FROM schema_history h "
                  "WHERE h.dataset_id = d.id) FROM datasets d "
                   "LEFT JOIN files f ON f.dataset_id = d.id GROUP BY d.id ORDER BY d.name",
    [ST_DS_COUNT] = "SELECT count(*) FROM datasets",
    [ST_COL_DELETE] = "DELETE FROM columns WHERE dataset_id = ?1",
    [ST_COL_INSERT] = "INSERT INTO columns(dataset_id, ordinal, name, type, pii_kind, "
                      "sensitivity, pii_confidence, pii_source) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_COL_LIST] = "SELECT name, type, pii_kind, sensitivity, pii_confidence, pii_source "
                    "FROM columns WHERE dataset_id = ?1 ORDER BY ordinal",
    [ST_FILE_KEYS_DS] = "SELECT key FROM files WHERE dataset_id = ?1 ORDER BY id",
    [ST_FILE_DELETE_DS] = "DELETE FROM files WHERE dataset_id = ?1",
    [ST_FILE_INSERT] = "INSERT INTO files(dataset_id, key, rows, size_bytes, source_sha256, "
                       "source, snapshot_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_FILE_LIST] = "SELECT id, key, rows, size_bytes, source_sha256, source, snapshot_id "
                     "FROM files WHERE dataset_id = ?1 ORDER BY id",
    [ST_FILE_REPAIR] = "UPDATE files SET rows = ?1, size_bytes = ?2 "
                       "WHERE id = ?3 AND dataset_id = ?4",
    [ST_FILES_BY_NAME] = "SELECT f.key FROM datasets d LEFT JOIN files f "
                         "ON f.dataset_id = d.id WHERE d.name = ?1 ORDER BY f.id",
    [ST_FIND_SOURCE] = "SELECT d.name FROM files f JOIN datasets d ON d.id = f.dataset_id "
                       "WHERE f.source_sha256 = ?1 ORDER BY (d.name IS ?2) DESC, f.id LIMIT 1",
    [ST_ALL_KEYS] = "SELECT key FROM files ORDER BY key",
    [ST_TAGS_CHECK] = "SELECT CASE WHEN json_valid(?1) THEN json_type(?1) = 'array' "
                      "ELSE 0 END",
    [ST_COL_USER] = "SELECT name, pii_kind, sensitivity, pii_confidence FROM columns "
                    "WHERE dataset_id = ?1 AND pii_source = 'user'",
    [ST_DS_ROWS] = "SELECT coalesce(sum(rows), 0) FROM files WHERE dataset_id = ?1",
    [ST_HIST_MAX] = "SELECT coalesce(max(version), 0) FROM schema_history WHERE dataset_id = ?1",
    [ST_HIST_INSERT] = "INSERT INTO schema_history(dataset_id, version, snapshot_id, created_ms, "
                       "actor, columns_json, changes_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_HIST_LIST] = "SELECT h.version, h.snapshot_id, h.created_ms, h.actor, h.columns_json, "
                     "h.changes_json FROM schema_history h JOIN datasets d ON d.id = h.dataset_id "
                     "WHERE d.name = ?1 ORDER BY h.version",
    [ST_JOURNAL_INSERT] = "INSERT INTO journal(ts_ms, snapshot_id, actor, action, entity, field, "
                          "old_value, new_value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_JOURNAL_ALL] = "SELECT id, ts_ms, snapshot_id, actor, action, entity, field, old_value, "
                       "new_value FROM journal WHERE (?1 <= 0 OR id < ?1) "
                       "ORDER BY id DESC LIMIT ?2",
    [ST_JOURNAL_ENTITY] = "SELECT id, ts_ms, snapshot_id, actor, action, entity, field, "
                          "old_value, new_value FROM journal WHERE (entity = ?3 OR "
                          "substr(entity, 1, length(?3) + 1) = ?3 || '.') AND (?1 <= 0 OR id < ?1) "
                          "ORDER BY id DESC LIMIT ?2",
    [ST_CHILDREN] = "SELECT DISTINCT d.name FROM datasets d, json_each(d.parents_json) p "
                    "WHERE p.value = ?1 ORDER BY d.name",
    [ST_FILE_DELETE_KEY] = "DELETE FROM files WHERE dataset_id = ?1 AND key = ?2",
    /* ?1 = field (validated by the caller against a fixed list), see patch_text() */
    [ST_DS_SET_TEXT] = "UPDATE datasets SET "
                       "description = CASE WHEN ?1 = 'description' THEN ?2 ELSE description END, "
                       "owner = CASE WHEN ?1 = 'owner' THEN ?2 ELSE owner END, "
                       "tags_json = CASE WHEN ?1 = 'tags' THEN ?2 ELSE tags_json END, "
                       "sensitivity = CASE WHEN ?1 = 'sensitivity' THEN nullif(?2, '') "
                       "ELSE sensitivity END, "
                       "parents_json = CASE WHEN ?1 = 'parents' THEN ?2 ELSE parents_json END, "
                       "updated_ms = ?3, snapshot_id = ?4 WHERE id = ?5",
    [ST_COL_PATCH] = "UPDATE columns SET pii_kind = coalesce(?1, pii_kind), "
                     "sensitivity = coalesce(?2, sensitivity), pii_source = 'user' "
                     "WHERE dataset_id = ?3 AND name = ?4 COLLATE NOCASE",
    [ST_COL_GET] = "SELECT name, pii_kind, sensitivity FROM columns "
                   "WHERE dataset_id = ?1 AND name = ?2 COLLATE NOCASE",
};

#define DATASETS_V2                                                                      \
    ", sensitivity TEXT, source_system TEXT NOT NULL DEFAULT '',"                         \
    " source TEXT NOT NULL DEFAULT '', ingest_job TEXT NOT NULL DEFAULT '',"              \
    " parents_json TEXT NOT NULL DEFAULT '[]', last_ingest_ms INTEGER NOT NULL DEFAULT 0"
#define COLUMNS_V2                                                                       \
    ", pii_kind TEXT NOT NULL DEFAULT 'none', sensitivity TEXT NOT NULL DEFAULT 'internal'," \
    " pii_confidence REAL NOT NULL DEFAULT 0, pii_source TEXT NOT NULL DEFAULT 'auto'"
#define TABLES_V2                                                                        \
    "CREATE TABLE IF NOT EXISTS schema_history("                                          \
    " dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,"             \
    " version INTEGER NOT NULL, snapshot_id INTEGER NOT NULL, created_ms INTEGER NOT NULL," \
    " actor TEXT NOT NULL, columns_json TEXT NOT NULL, changes_json TEXT NOT NULL,"       \
    " PRIMARY KEY(dataset_id, version));"                                                 \
    "CREATE TABLE IF NOT EXISTS journal("                                                 \
    " id INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL, snapshot_id INTEGER NOT NULL,"      \
    " actor TEXT NOT NULL, action TEXT NOT NULL, entity TEXT NOT NULL, field TEXT NOT NULL," \
    " old_value TEXT, new_value TEXT);"                                                   \
    "CREATE INDEX IF NOT EXISTS journal_entity ON journal(entity, id);"                   \
    "CREATE TABLE IF NOT EXISTS indexes("                                                 \
    " id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, dataset TEXT NOT NULL,"          \
    " text_col TEXT NOT NULL, id_col TEXT NOT NULL, embedder TEXT NOT NULL,"              \
    " model TEXT NOT NULL, version TEXT NOT NULL, dims INTEGER NOT NULL,"                 \
    " params_json TEXT NOT NULL DEFAULT '{}', generation INTEGER NOT NULL DEFAULT 0,"     \
    " state TEXT NOT NULL DEFAULT 'empty', stale INTEGER NOT NULL DEFAULT 0,"             \
    " stats_json TEXT NOT NULL DEFAULT '{}', created_ms INTEGER NOT NULL,"                \
    " updated_ms INTEGER NOT NULL);"                                                      \
    "CREATE TABLE IF NOT EXISTS index_docs("                                              \
    " index_id INTEGER NOT NULL REFERENCES indexes(id) ON DELETE CASCADE,"                \
    " doc_id TEXT NOT NULL, content_hash TEXT NOT NULL, first_label INTEGER NOT NULL,"    \
    " n_chunks INTEGER NOT NULL, batch_key TEXT NOT NULL, PRIMARY KEY(index_id, doc_id));" \
    "CREATE TABLE IF NOT EXISTS jobs("                                                    \
    " id TEXT PRIMARY KEY, kind TEXT NOT NULL, target TEXT NOT NULL, state TEXT NOT NULL,"  \
    " done INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL DEFAULT 0,"                 \
    " params_json TEXT NOT NULL DEFAULT '{}', error TEXT, actor TEXT NOT NULL DEFAULT '',"  \
    " created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"                          \
    " finished_ms INTEGER NOT NULL DEFAULT 0);"

/* Governance: added tables need no version bump (schema_sql runs at every open). */
#define TABLES_ACCESS                                                                     \
    "CREATE TABLE IF NOT EXISTS api_keys("                                                \
    " id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, hash TEXT NOT NULL,"   \
    " profile TEXT, created_ms INTEGER NOT NULL, created_by TEXT NOT NULL,"               \
    " revoked_ms INTEGER NOT NULL DEFAULT 0, last_used_ms INTEGER NOT NULL DEFAULT 0);"   \
    "CREATE TABLE IF NOT EXISTS access_objects("                                          \
    " kind TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, def_json TEXT NOT NULL,"     \
    " actor TEXT NOT NULL, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"     \
    " PRIMARY KEY(kind, name));"                                                          \
    "CREATE TABLE IF NOT EXISTS tombstones("                                              \
    " id INTEGER PRIMARY KEY, dataset TEXT NOT NULL, key_col TEXT NOT NULL,"              \
    " value TEXT NOT NULL, actor TEXT NOT NULL, reason TEXT NOT NULL,"                    \
    " created_ms INTEGER NOT NULL, purged_ms INTEGER NOT NULL DEFAULT 0,"                 \
    " UNIQUE(dataset, key_col, value));"                                                  \
    "CREATE TABLE IF NOT EXISTS file_purges("                                             \
    " key TEXT PRIMARY KEY, tombstones_upto INTEGER NOT NULL);"

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS snapshots("
    " id INTEGER PRIMARY KEY, created_ms INTEGER NOT NULL, kind TEXT NOT NULL, dataset TEXT);"
    "CREATE TABLE IF NOT EXISTS datasets("
    " id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,"
    " description TEXT NOT NULL DEFAULT '', owner TEXT NOT NULL DEFAULT '',"
    " tags_json TEXT NOT NULL DEFAULT '[]', created_ms INTEGER NOT NULL,"
    " updated_ms INTEGER NOT NULL, snapshot_id INTEGER NOT NULL REFERENCES snapshots(id)"
    DATASETS_V2 ");"
    "CREATE TABLE IF NOT EXISTS columns("
    " dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,"
    " ordinal INTEGER NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL" COLUMNS_V2 ","
    " PRIMARY KEY(dataset_id, ordinal));"
    "CREATE TABLE IF NOT EXISTS files("
    " id INTEGER PRIMARY KEY,"
    " dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,"
    " key TEXT UNIQUE NOT NULL, rows INTEGER NOT NULL, size_bytes INTEGER NOT NULL,"
    " source_sha256 TEXT, source TEXT,"
    " snapshot_id INTEGER NOT NULL REFERENCES snapshots(id));"
    "CREATE INDEX IF NOT EXISTS files_source_sha256 ON files(source_sha256);"
    "CREATE INDEX IF NOT EXISTS files_dataset_id ON files(dataset_id);"
    TABLES_V2
    TABLES_ACCESS
    "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', '" SCHEMA_VERSION "');"
    /* Tables added after version 2: this text runs at every open, so they need no version bump
     * (older builds ignore them). */
    "CREATE TABLE IF NOT EXISTS index_evals("
    " id INTEGER PRIMARY KEY,"
    " index_id INTEGER NOT NULL REFERENCES indexes(id) ON DELETE CASCADE,"
    " generation INTEGER NOT NULL, k INTEGER NOT NULL, queries INTEGER NOT NULL,"
    " vectors INTEGER NOT NULL, m INTEGER NOT NULL, ef_construction INTEGER NOT NULL,"
    " embedder TEXT NOT NULL, model TEXT NOT NULL, dims INTEGER NOT NULL,"
    " exact_ms_mean REAL NOT NULL, results_json TEXT NOT NULL, actor TEXT NOT NULL,"
    " created_ms INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS index_evals_index ON index_evals(index_id, id);";

/* Version 1 -> 2: governance, lineage, schema history, journal. */
static const char migrate_v2_sql[] =
    "ALTER TABLE datasets ADD COLUMN sensitivity TEXT;"
    "ALTER TABLE datasets ADD COLUMN source_system TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE datasets ADD COLUMN source TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE datasets ADD COLUMN ingest_job TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE datasets ADD COLUMN parents_json TEXT NOT NULL DEFAULT '[]';"
    "ALTER TABLE datasets ADD COLUMN last_ingest_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE columns ADD COLUMN pii_kind TEXT NOT NULL DEFAULT 'none';"
    "ALTER TABLE columns ADD COLUMN sensitivity TEXT NOT NULL DEFAULT 'internal';"
    "ALTER TABLE columns ADD COLUMN pii_confidence REAL NOT NULL DEFAULT 0;"
    "ALTER TABLE columns ADD COLUMN pii_source TEXT NOT NULL DEFAULT 'auto';"
    TABLES_V2
    /* every existing dataset starts its history at version 1 */
    "INSERT OR IGNORE INTO schema_history(dataset_id, version, snapshot_id, created_ms, actor,"
    " columns_json, changes_json) SELECT d.id, 1, d.snapshot_id, d.created_ms, 'migration',"
    " (SELECT json_group_array(json_object('name', c.name, 'type', c.type)) FROM"
    "  (SELECT name, type FROM columns WHERE dataset_id = d.id ORDER BY ordinal) c), '[]'"
    " FROM datasets d;"
    "UPDATE meta SET value = '2' WHERE key = 'schema_version';";

struct lh_catalog {
    sqlite3 *db;
    pthread_mutex_t mu;
    sqlite3_stmt *st[ST__COUNT];
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Copies a user-given name for an error message: at most 64 bytes, with
 * control characters and quotes replaced, so messages stay one clean line. */
static const char *msg_name(const char *s, char out[80])
{
    size_t i = 0;
    if (!s)
        s = "(null)";
    for (; s[i] && i < 64; i++) {
        unsigned char ch = (unsigned char)s[i];
        out[i] = (ch < 0x20 || ch == 0x7f || ch == '\'') ? '?' : (char)ch;
    }
    if (s[i])
        memcpy(out + i, "...", 4);
    else
        out[i] = '\0';
    return out;
}

sqlite3 *lh__catalog_lock(struct lh_catalog *c)
{
    pthread_mutex_lock(&c->mu);
    return c->db;
}

void lh__catalog_unlock(struct lh_catalog *c)
{
    pthread_mutex_unlock(&c->mu);
}

static int db_error(struct lh_catalog *c, int rc, struct lh_error *err, const char *what);

int lh__catalog_error(struct lh_catalog *c, int rc, struct lh_error *err, const char *what)
{
    return db_error(c, rc, err, what);
}

/* Maps a failed SQLite call to an lh error. Call before resetting the statement. */
static int db_error(struct lh_catalog *c, int rc, struct lh_error *err, const char *what)
{
    int code;
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return lh_error_set(err, LH_ETIMEDOUT,
                            "catalog: cannot %s: the catalog database is locked by another "
                            "writer (waited %d s)",
                            what, BUSY_TIMEOUT_MS / 1000);
    case SQLITE_FULL:
        return lh_error_set(err, LH_EIO, "catalog: cannot %s: disk full", what);
    case SQLITE_CONSTRAINT:
        code = LH_ECONFLICT;
        break;
    case SQLITE_NOMEM:
        code = LH_ENOMEM;
        break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
        code = LH_EPERM;
        break;
    default:
        code = LH_EIO;
        break;
    }
    return lh_error_set(err, code, "catalog: cannot %s: %s", what, sqlite3_errmsg(c->db));
}

static sqlite3_stmt *stmt(struct lh_catalog *c, enum stmt_id id)
{
    return c->st[id];
}

static void finish(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* Runs a statement to completion (ignoring rows); always resets it. */
static int run(struct lh_catalog *c, sqlite3_stmt *st, struct lh_error *err, const char *what)
{
    int rc = sqlite3_step(st), ret = 0;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        ret = db_error(c, rc, err, what);
    finish(st);
    return ret;
}

/* Runs a single-value query; *found tells whether a row came back. */
static int query_i64(struct lh_catalog *c, sqlite3_stmt *st, int64_t *out, bool *found,
                     struct lh_error *err, const char *what)
{
    int rc = sqlite3_step(st), ret = 0;
    *out = 0;
    if (found)
        *found = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_DONE)
        ret = db_error(c, rc, err, what);
    finish(st);
    return ret;
}

static int exec_sql(struct lh_catalog *c, const char *sql, struct lh_error *err, const char *what)
{
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : db_error(c, rc, err, what);
}

static int tx_begin(struct lh_catalog *c, bool write, struct lh_error *err)
{
    return exec_sql(c, write ? "BEGIN IMMEDIATE" : "BEGIN", err, "start a transaction");
}

static void tx_rollback(struct lh_catalog *c)
{
    if (!sqlite3_get_autocommit(c->db))
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

static int tx_commit(struct lh_catalog *c, struct lh_error *err)
{
    return exec_sql(c, "COMMIT", err, "commit");
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static char *col_dup(sqlite3_stmt *st, int i, const char *dflt)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    if (!s)
        return dflt ? lh_xstrdup(dflt) : NULL;
    return lh_xstrdup(s);
}

void lh_strv_free(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void strv_push(char ***v, size_t *n, size_t *alloc, char *s)
{
    if (*n == *alloc) {
        *alloc = *alloc ? *alloc * 2 : 16;
        *v = lh_xrealloc(*v, *alloc * sizeof(**v));
    }
    (*v)[(*n)++] = s;
}

/* Collects the first column (text) of every row of st; NULLs are skipped. */
static int query_strv(struct lh_catalog *c, sqlite3_stmt *st, char ***out, size_t *out_n,
                      size_t *rows, struct lh_error *err, const char *what)
{
    char **v = NULL;
    size_t n = 0, alloc = 0, nrows = 0;
    int rc, ret = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        nrows++;
        const char *s = (const char *)sqlite3_column_text(st, 0);
        if (s)
            strv_push(&v, &n, &alloc, lh_xstrdup(s));
    }
    if (rc != SQLITE_DONE) {
        ret = db_error(c, rc, err, what);
        lh_strv_free(v, n);
        v = NULL;
        n = 0;
    }
    finish(st);
    *out = v;
    *out_n = n;
    if (rows)
        *rows = nrows;
    return ret;
}

int lh_catalog_name_check(const char *name, struct lh_error *err)
{
    char m[80];
    size_t n = name ? strnlen(name, NAME_MAX_LEN + 1) : 0;
    bool ok = n >= 1 && n <= NAME_MAX_LEN &&
              ((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_');
    for (size_t i = 0; ok && i < n; i++) {
        char ch = name[i];
        ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
    }
    if (!ok)
        return lh_error_set(err, LH_EINVAL,
                            "invalid dataset name '%s': use 1-63 lowercase letters, digits or "
                            "'_', starting with a letter or '_'",
                            msg_name(name, m));
    return 0;
}

static int check_columns(const struct lh_column *cols, size_t n, struct lh_error *err)
{
    char m[80];
    if (n == 0 || !cols)
        return lh_error_set(err, LH_EINVAL, "a dataset needs at least one column");
    for (size_t i = 0; i < n; i++) {
        if (!cols[i].name || !cols[i].name[0])
            return lh_error_set(err, LH_EINVAL, "column %zu has an empty name", i + 1);
        if (!cols[i].type || !cols[i].type[0])
            return lh_error_set(err, LH_EINVAL, "column '%s' has no type",
                                msg_name(cols[i].name, m));
        /* DuckDB identifiers are case-insensitive, so "A" and "a" clash. */
        for (size_t j = 0; j < i; j++)
            if (strcasecmp(cols[i].name, cols[j].name) == 0)
                return lh_error_set(err, LH_EINVAL, "duplicate column name '%s'",
                                    msg_name(cols[i].name, m));
    }
    return 0;
}

static int check_files(const struct lh_file *files, size_t n, struct lh_error *err)
{
    if (n && !files)
        return lh_error_set(err, LH_EINVAL, "file list is missing");
    for (size_t i = 0; i < n; i++) {
        int rc = lh_store_key_check(files[i].key, err);
        if (rc)
            return rc;
        if (files[i].rows < 0 || files[i].size_bytes < 0)
            return lh_error_set(err, LH_EINVAL, "file '%.200s': negative rows or size",
                                files[i].key);
    }
    return 0;
}

/* Caller holds the mutex. */
static int check_tags(struct lh_catalog *c, const char *tags, struct lh_error *err)
{
    sqlite3_stmt *st = stmt(c, ST_TAGS_CHECK);
    int64_t ok = 0;
    bind_text(st, 1, tags);
    int rc = query_i64(c, st, &ok, NULL, err, "check tags");
    if (rc)
        return rc;
    if (!ok)
        return lh_error_set(err, LH_EINVAL, "tags must be a JSON array, e.g. [\"pii\",\"sales\"]");
    return 0;
}

/* Dataset id by name, 0 if missing. */
static int dataset_id(struct lh_catalog *c, const char *name, int64_t *out, struct lh_error *err)
{
    sqlite3_stmt *st = stmt(c, ST_DS_ID);
    bind_text(st, 1, name);
    return query_i64(c, st, out, NULL, err, "look up the dataset");
}

static int snapshot_new(struct lh_catalog *c, const char *kind, const char *dataset,
                        int64_t now, int64_t *out, struct lh_error *err)
{
    sqlite3_stmt *st = stmt(c, ST_SNAP_INSERT);
    sqlite3_bind_int64(st, 1, now);
    bind_text(st, 2, kind);
    bind_text(st, 3, dataset);
    int rc = run(c, st, err, "record a snapshot");
    if (rc == 0)
        *out = sqlite3_last_insert_rowid(c->db);
    return rc;
}

/* Column metadata a user set, by column name (kept across re-ingests). */
struct user_meta {
    char *name;
    struct lh_column_meta m;
};

static int user_meta_load(struct lh_catalog *c, int64_t ds, struct user_meta **out, size_t *n,
                          struct lh_error *err)
{
    sqlite3_stmt *st = stmt(c, ST_COL_USER);
    size_t alloc = 0;
    int rc, ret = 0;
    *out = NULL;
    *n = 0;
    sqlite3_bind_int64(st, 1, ds);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == alloc) {
            alloc = alloc ? alloc * 2 : 8;
            *out = lh_xrealloc(*out, alloc * sizeof(**out));
        }
        struct user_meta *u = &(*out)[(*n)++];
        memset(u, 0, sizeof(*u));
        u->name = col_dup(st, 0, "");
        snprintf(u->m.pii_kind, sizeof(u->m.pii_kind), "%s",
                 (const char *)sqlite3_column_text(st, 1) ?: "none");
        snprintf(u->m.sensitivity, sizeof(u->m.sensitivity), "%s",
                 (const char *)sqlite3_column_text(st, 2) ?: "internal");
        u->m.confidence = sqlite3_column_double(st, 3);
        u->m.user_set = true;
    }
    if (rc != SQLITE_DONE)
        ret = db_error(c, rc, err, "read column metadata");
    finish(st);
    return ret;
}

static void user_meta_free(struct user_meta *u, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(u[i].name);
    free(u);
}

/* Replaces a dataset's columns. Metadata: a user's correction (by name) wins, then the
 * caller's automatic metadata, then the defaults. */
static int set_columns(struct lh_catalog *c, int64_t ds, const struct lh_column *cols, size_t n,
                       const struct lh_column_meta *meta, struct lh_error *err)
{
    struct user_meta *um = NULL;
    size_t n_um = 0;
    int rc = user_meta_load(c, ds, &um, &n_um, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = stmt(c, ST_COL_DELETE);
    sqlite3_bind_int64(st, 1, ds);
    rc = run(c, st, err, "replace columns");
    st = stmt(c, ST_COL_INSERT);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const struct lh_column_meta *m = meta ? &meta[i] : NULL;
        for (size_t j = 0; j < n_um; j++)
            if (strcasecmp(um[j].name, cols[i].name) == 0)
                m = &um[j].m;
        sqlite3_bind_int64(st, 1, ds);
        sqlite3_bind_int64(st, 2, (int64_t)i);
        bind_text(st, 3, cols[i].name);
        bind_text(st, 4, cols[i].type);
        bind_text(st, 5, m && m->pii_kind[0] ? m->pii_kind : "none");
        bind_text(st, 6, m && m->sensitivity[0] ? m->sensitivity : "internal");
        sqlite3_bind_double(st, 7, m ? m->confidence : 0);
        bind_text(st, 8, m && m->user_set ? "user" : "auto");
        rc = run(c, st, err, "record a column");
    }
    user_meta_free(um, n_um);
    return rc;
}

/* [{"name","type"}] of a column list (malloc'd). */
static char *columns_json(const struct lh_column *cols, size_t n)
{
    struct lh_buf b = LH_BUF_INIT;
    lh_buf_putc(&b, '[');
    for (size_t i = 0; i < n; i++) {
        lh_buf_puts(&b, i ? ",{\"name\":" : "{\"name\":");
        lh_buf_json_str(&b, cols[i].name, strlen(cols[i].name));
        lh_buf_puts(&b, ",\"type\":");
        lh_buf_json_str(&b, cols[i].type, strlen(cols[i].type));
        lh_buf_putc(&b, '}');
    }
    lh_buf_putc(&b, ']');
    return lh_buf_detach(&b);
}

static bool same_columns(const struct lh_column *a, size_t na, const struct lh_column *b,
                         size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i].name, b[i].name) != 0 || strcmp(a[i].type, b[i].type) != 0)
            return false;
    return true;
}

static int journal_add(struct lh_catalog *c, int64_t ts, int64_t snap, const char *actor,
                       const char *action, const char *entity, const char *field,
                       const char *old_value, const char *new_value, struct lh_error *err)
{
    sqlite3_stmt *st = stmt(c, ST_JOURNAL_INSERT);
    sqlite3_bind_int64(st, 1, ts);
    sqlite3_bind_int64(st, 2, snap);
    bind_text(st, 3, actor && actor[0] ? actor : "unknown");
    bind_text(st, 4, action);
    bind_text(st, 5, entity);
    bind_text(st, 6, field);
    bind_text(st, 7, old_value);
    bind_text(st, 8, new_value);
    return run(c, st, err, "write the journal");
}

int lh__catalog_journal(struct lh_catalog *c, const char *actor, const char *action,
                        const char *entity, const char *field, const char *old_value,
                        const char *new_value, struct lh_error *err)
{
    int64_t now = now_ms(), snap = 0;
    int rc = snapshot_new(c, action, NULL, now, &snap, err);
    return rc ? rc
              : journal_add(c, now, snap, actor, action, entity, field, old_value, new_value, err);
}

int64_t lh__catalog_now_ms(void)
{
    return now_ms();
}

char *lh__catalog_dup(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s ? lh_xstrdup(s) : NULL;
}

sqlite3_stmt *lh__catalog_prep(struct lh_catalog *c, sqlite3 *db, const char *sql,
                               const char *spec, struct lh_error *err, const char *what, ...)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        lh__catalog_error(c, rc, err, what);
        sqlite3_finalize(st);
        return NULL;
    }
    va_list ap;
    va_start(ap, what);
    for (int i = 0; spec[i]; i++) {
        if (spec[i] == 's') {
            const char *v = va_arg(ap, const char *);
            if (v)
                sqlite3_bind_text(st, i + 1, v, -1, SQLITE_TRANSIENT);
            else
                sqlite3_bind_null(st, i + 1);
        } else if (spec[i] == 'd') {
            sqlite3_bind_double(st, i + 1, va_arg(ap, double));
        } else {
            sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
        }
    }
    va_end(ap);
    return st;
}

int lh__catalog_done(struct lh_catalog *c, sqlite3_stmt *st, struct lh_error *err,
                     const char *what)
{
    if (!st)
        return err ? -err->code : -LH_EIO;
    int rc = sqlite3_step(st);
    int ret = (rc == SQLITE_DONE || rc == SQLITE_ROW) ? 0 : lh__catalog_error(c, rc, err, what);
    sqlite3_finalize(st);
    return ret;
}

int lh__catalog_begin(struct lh_catalog *c, struct lh_error *err)
{
    return tx_begin(c, true, err);
}

int lh__catalog_commit(struct lh_catalog *c, struct lh_error *err)
{
    return tx_commit(c, err);
}

void lh__catalog_rollback(struct lh_catalog *c)
{
    tx_rollback(c);
}

static int journal_rows(struct lh_catalog *c, int64_t ts, int64_t snap, const char *actor,
                        const char *action, const char *entity, int64_t old_rows, bool had_old,
                        int64_t new_rows, bool has_new, struct lh_error *err)
{
    char o[32], n[32];
    snprintf(o, sizeof(o), "%lld", (long long)old_rows);
    snprintf(n, sizeof(n), "%lld", (long long)new_rows);
    return journal_add(c, ts, snap, actor, action, entity, "rows", had_old ? o : NULL,
                       has_new ? n : NULL, err);
}

static int dataset_rows(struct lh_catalog *c, int64_t ds, int64_t *out, struct lh_error *err)
{
    sqlite3_stmt *st = stmt(c, ST_DS_ROWS);
    sqlite3_bind_int64(st, 1, ds);
    return query_i64(c, st, out, NULL, err, "count the dataset's rows");
}

/* Loads the current columns of dataset id ds into d (a scratch lh_dataset). */
static int load_columns(struct lh_catalog *c, struct lh_dataset *d, struct lh_error *err);

/* Records a new schema version (and journals it) when the columns changed. */
static int schema_record(struct lh_catalog *c, int64_t ds, const char *entity, int64_t snap,
                         int64_t now, const char *actor, const char *action,
                         const struct lh_column *cols, size_t n, const char *changes_json,
                         struct lh_error *err)
{
    struct lh_dataset old = {.id = ds};
    char *old_json = NULL, *new_json = NULL;
    int64_t version = 0;
    int rc;
    if ((rc = load_columns(c, &old, err)))
        goto out;
    if (old.n_columns && same_columns(old.columns, old.n_columns, cols, n))
        goto out;
    sqlite3_stmt *st = stmt(c, ST_HIST_MAX);
    sqlite3_bind_int64(st, 1, ds);
    if ((rc = query_i64(c, st, &version, NULL, err, "read the schema history")))
        goto out;
    new_json = columns_json(cols, n);
    st = stmt(c, ST_HIST_INSERT);
    sqlite3_bind_int64(st, 1, ds);
    sqlite3_bind_int64(st, 2, version + 1);
    sqlite3_bind_int64(st, 3, snap);
    sqlite3_bind_int64(st, 4, now);
    bind_text(st, 5, actor && actor[0] ? actor : "unknown");
    bind_text(st, 6, new_json);
    bind_text(st, 7, changes_json && version ? changes_json : "[]");
    if ((rc = run(c, st, err, "record the schema version")))
        goto out;
    if (old.n_columns) {
        old_json = columns_json(old.columns, old.n_columns);
        rc = journal_add(c, now, snap, actor, action, entity, "schema", old_json, new_json, err);
    }
out:
    free(old_json);
    free(new_json);
    lh_columns_free(old.columns, old.n_columns);
    free(old.col_meta);
    return rc;
}

static int insert_files(struct lh_catalog *c, int64_t ds, const struct lh_file *files, size_t n,
                        int64_t snap, struct lh_error *err)
{
    sqlite3_stmt *st = stmt(c, ST_FILE_INSERT);
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_int64(st, 1, ds);
        bind_text(st, 2, files[i].key);
        sqlite3_bind_int64(st, 3, files[i].rows);
        sqlite3_bind_int64(st, 4, files[i].size_bytes);
        bind_text(st, 5, files[i].source_sha256);
        bind_text(st, 6, files[i].source);
        sqlite3_bind_int64(st, 7, snap);
        int rc = sqlite3_step(st);
        if (rc != SQLITE_DONE) {
            int ret = (rc & 0xff) == SQLITE_CONSTRAINT
                          ? lh_error_set(err, LH_ECONFLICT,
                                         "file key '%.200s' is already in the catalog",
                                         files[i].key)
                          : db_error(c, rc, err, "record a file");
            finish(st);
            return ret;
        }
        finish(st);
    }
    return 0;
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Moves the keys of `old` that no new file reuses into *out (old is consumed). */
static void removed_keys(char **old, size_t n_old, const struct lh_file *files, size_t n_files,
                         char ***out, size_t *out_n)
{
    const char **keep = lh_xcalloc(n_files ? n_files : 1, sizeof(*keep));
    char **v = NULL;
    size_t n = 0, alloc = 0;
    for (size_t i = 0; i < n_files; i++)
        keep[i] = files[i].key;
    qsort(keep, n_files, sizeof(*keep), key_cmp);
    for (size_t i = 0; i < n_old; i++) {
        if (n_files && bsearch(&old[i], keep, n_files, sizeof(*keep), key_cmp))
            free(old[i]);
        else
            strv_push(&v, &n, &alloc, old[i]);
    }
    free(keep);
    free(old);
    *out = v;
    *out_n = n;
}

static const char *mode_name(enum lh_commit_mode m)
{
    switch (m) {
    case LH_COMMIT_CREATE:
        return "create";
    case LH_COMMIT_REPLACE:
        return "replace";
    case LH_COMMIT_APPEND:
        return "append";
    }
    return NULL;
}

static void out_init(int64_t *out_snapshot, char ***out_removed, size_t *out_n_removed)
{
    if (out_snapshot)
        *out_snapshot = 0;
    if (out_removed)
        *out_removed = NULL;
    if (out_n_removed)
        *out_n_removed = 0;
}

static void out_removed_set(char **keys, size_t n, char ***out_removed, size_t *out_n_removed)
{
    if (out_removed) {
        *out_removed = keys;
        if (out_n_removed)
            *out_n_removed = n;
    } else {
        lh_strv_free(keys, n);
    }
}

int lh_catalog_commit(struct lh_catalog *c, const struct lh_commit *cm, int64_t *out_snapshot,
                      char ***out_removed, size_t *out_n_removed, struct lh_error *err)
{
    char m[80];
    char **old = NULL;
    size_t n_old = 0;
    int64_t ds = 0, snap = 0, now = now_ms();
    bool locked = false, in_tx = false;
    int rc;
    out_init(out_snapshot, out_removed, out_n_removed);
    if (!cm)
        return lh_error_set(err, LH_EINVAL, "no commit given");
    const char *kind = mode_name(cm->mode);
    if (!kind)
        return lh_error_set(err, LH_EINVAL, "unknown commit mode %d", (int)cm->mode);
    if ((rc = lh_catalog_name_check(cm->dataset, err)) ||
        (rc = check_columns(cm->columns, cm->n_columns, err)) ||
        (rc = check_files(cm->files, cm->n_files, err)))
        return rc;

    pthread_mutex_lock(&c->mu);
    locked = true;
    if (cm->tags_json && (rc = check_tags(c, cm->tags_json, err)))
        goto out;
    if (cm->parents_json && check_tags(c, cm->parents_json, NULL)) {
        rc = lh_error_set(err, LH_EINVAL, "parents must be a JSON array of dataset names");
        goto out;
    }
    if ((rc = tx_begin(c, true, err)))
        goto out;
    in_tx = true;
    if ((rc = dataset_id(c, cm->dataset, &ds, err)))
        goto out;
    if (ds && cm->mode == LH_COMMIT_CREATE) {
        rc = lh_error_set(err, LH_EEXIST, "dataset '%s' already exists",
                          msg_name(cm->dataset, m));
        goto out;
    }
    if ((rc = snapshot_new(c, kind, cm->dataset, now, &snap, err)))
        goto out;
    bool existed = ds != 0;
    int64_t old_rows = 0, new_rows = 0;
    if (existed && (rc = dataset_rows(c, ds, &old_rows, err)))
        goto out;
    if (!ds) {
        sqlite3_stmt *st = stmt(c, ST_DS_INSERT);
        bind_text(st, 1, cm->dataset);
        bind_text(st, 2, cm->description ? cm->description : "");
        bind_text(st, 3, cm->owner ? cm->owner : "");
        bind_text(st, 4, cm->tags_json ? cm->tags_json : "[]");
        sqlite3_bind_int64(st, 5, now);
        sqlite3_bind_int64(st, 6, snap);
        bind_text(st, 7, cm->source_system ? cm->source_system : "");
        bind_text(st, 8, cm->source ? cm->source : "");
        bind_text(st, 9, cm->ingest_job ? cm->ingest_job : "");
        bind_text(st, 10, cm->parents_json ? cm->parents_json : "[]");
        if ((rc = run(c, st, err, "create the dataset")))
            goto out;
        ds = sqlite3_last_insert_rowid(c->db);
    } else {
        sqlite3_stmt *st = stmt(c, ST_DS_UPDATE);
        bind_text(st, 1, cm->description);
        bind_text(st, 2, cm->owner);
        bind_text(st, 3, cm->tags_json);
        sqlite3_bind_int64(st, 4, now);
        sqlite3_bind_int64(st, 5, snap);
        sqlite3_bind_int64(st, 6, ds);
        bind_text(st, 7, cm->source_system);
        bind_text(st, 8, cm->source);
        bind_text(st, 9, cm->ingest_job);
        bind_text(st, 10, cm->parents_json);
        if ((rc = run(c, st, err, "update the dataset")))
            goto out;
        if (cm->mode == LH_COMMIT_REPLACE) {
            st = stmt(c, ST_FILE_KEYS_DS);
            sqlite3_bind_int64(st, 1, ds);
            if ((rc = query_strv(c, st, &old, &n_old, NULL, err, "list the dataset's files")))
                goto out;
            st = stmt(c, ST_FILE_DELETE_DS);
            sqlite3_bind_int64(st, 1, ds);
            if ((rc = run(c, st, err, "remove the dataset's files")))
                goto out;
        }
    }
    if ((rc = schema_record(c, ds, cm->dataset, snap, now, cm->actor, kind, cm->columns,
                            cm->n_columns, cm->schema_changes_json, err)) ||
        (rc = set_columns(c, ds, cm->columns, cm->n_columns, cm->col_meta, err)) ||
        (rc = insert_files(c, ds, cm->files, cm->n_files, snap, err)) ||
        (rc = dataset_rows(c, ds, &new_rows, err)) ||
        (rc = journal_rows(c, now, snap, cm->actor, kind, cm->dataset, old_rows, existed,
                           new_rows, true, err)))
        goto out;
    if ((rc = tx_commit(c, err)))
        goto out;
    in_tx = false;
out:
    if (in_tx)
        tx_rollback(c);
    if (locked)
        pthread_mutex_unlock(&c->mu);
    if (rc == 0) {
        char **removed = NULL;
        size_t n_removed = 0;
        removed_keys(old, n_old, cm->files, cm->n_files, &removed, &n_removed);
        old = NULL;
        out_removed_set(removed, n_removed, out_removed, out_n_removed);
        if (out_snapshot)
            *out_snapshot = snap;
    }
    lh_strv_free(old, n_old);
    return rc;
}

int lh_catalog_delete(struct lh_catalog *c, const char *name, const char *actor,
                      int64_t *out_snapshot, char ***out_removed, size_t *out_n_removed,
                      struct lh_error *err)
{
    char m[80];
    char **keys = NULL;
    size_t n_keys = 0;
    int64_t ds = 0, snap = 0;
    bool in_tx = false;
    int rc;
    out_init(out_snapshot, out_removed, out_n_removed);
    if (lh_catalog_name_check(name, NULL))
        return lh_error_set(err, LH_ENOTFOUND, "dataset '%s' not found", msg_name(name, m));
    pthread_mutex_lock(&c->mu);
    if ((rc = tx_begin(c, true, err)))
        goto out;
    in_tx = true;
    if ((rc = dataset_id(c, name, &ds, err)))
        goto out;
    if (!ds) {
        rc = lh_error_set(err, LH_ENOTFOUND, "dataset '%s' not found", msg_name(name, m));
        goto out;
    }
    sqlite3_stmt *st = stmt(c, ST_FILE_KEYS_DS);
    sqlite3_bind_int64(st, 1, ds);
    if ((rc = query_strv(c, st, &keys, &n_keys, NULL, err, "list the dataset's files")))
        goto out;
    int64_t now = now_ms(), old_rows = 0;
    if ((rc = dataset_rows(c, ds, &old_rows, err)) ||
        (rc = snapshot_new(c, "delete", name, now, &snap, err)) ||
        (rc = journal_rows(c, now, snap, actor, "delete", name, old_rows, true, 0, false, err)))
        goto out;
    st = stmt(c, ST_FILE_DELETE_DS);
    sqlite3_bind_int64(st, 1, ds);
    if ((rc = run(c, st, err, "remove the dataset's files")))
        goto out;
    st = stmt(c, ST_COL_DELETE);
    sqlite3_bind_int64(st, 1, ds);
    if ((rc = run(c, st, err, "remove the dataset's columns")))
        goto out;
    st = stmt(c, ST_DS_DELETE);
    sqlite3_bind_int64(st, 1, ds);
    if ((rc = run(c, st, err, "remove the dataset")))
        goto out;
    if ((rc = tx_commit(c, err)))
        goto out;
    in_tx = false;
out:
    if (in_tx)
        tx_rollback(c);
    pthread_mutex_unlock(&c->mu);
    if (rc == 0) {
        out_removed_set(keys, n_keys, out_removed, out_n_removed);
        keys = NULL;
        if (out_snapshot)
            *out_snapshot = snap;
    }
    lh_strv_free(keys, n_keys);
    return rc;
}

void lh_dataset_free(struct lh_dataset *d)
{
    if (!d)
        return;
    free(d->name);
    free(d->description);
    free(d->owner);
    free(d->tags_json);
    free(d->sensitivity);
    free(d->source_system);
    free(d->source);
    free(d->ingest_job);
    free(d->parents_json);
    free(d->col_meta);
    lh_columns_free(d->columns, d->n_columns);
    for (size_t i = 0; i < d->n_files; i++) {
        free(d->files[i].key);
        free(d->files[i].source_sha256);
        free(d->files[i].source);
    }
    free(d->files);
    free(d);
}

void lh_dataset_list_free(struct lh_dataset **list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++)
        lh_dataset_free(list[i]);
    free(list);
}

/* Builds a dataset from the current row of ST_DS_GET / ST_DS_LIST. */
static struct lh_dataset *dataset_from_row(sqlite3_stmt *st)
{
    struct lh_dataset *d = lh_xcalloc(1, sizeof(*d));
    d->id = sqlite3_column_int64(st, 0);
    d->name = col_dup(st, 1, "");
    d->description = col_dup(st, 2, "");
    d->owner = col_dup(st, 3, "");
    d->tags_json = col_dup(st, 4, "[]");
    d->created_ms = sqlite3_column_int64(st, 5);
    d->updated_ms = sqlite3_column_int64(st, 6);
    d->snapshot_id = sqlite3_column_int64(st, 7);
    d->row_count = sqlite3_column_int64(st, 8);
    d->size_bytes = sqlite3_column_int64(st, 9);
    d->sensitivity = col_dup(st, 10, NULL);
    d->source_system = col_dup(st, 11, "");
    d->source = col_dup(st, 12, "");
    d->ingest_job = col_dup(st, 13, "");
    d->parents_json = col_dup(st, 14, "[]");
    d->last_ingest_ms = sqlite3_column_int64(st, 15);
    d->schema_version = sqlite3_column_int64(st, 16);
    return d;
}

static int load_columns(struct lh_catalog *c, struct lh_dataset *d, struct lh_error *err)
{
    sqlite3_stmt *st = stmt(c, ST_COL_LIST);
    size_t alloc = 0;
    int rc, ret = 0;
    sqlite3_bind_int64(st, 1, d->id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (d->n_columns == alloc) {
            alloc = alloc ? alloc * 2 : 8;
            d->columns = lh_xrealloc(d->columns, alloc * sizeof(*d->columns));
            d->col_meta = lh_xrealloc(d->col_meta, alloc * sizeof(*d->col_meta));
        }
        struct lh_column_meta *cm = &d->col_meta[d->n_columns];
        struct lh_column *col = &d->columns[d->n_columns++];
        col->name = col_dup(st, 0, "");
        col->type = col_dup(st, 1, "");
        memset(cm, 0, sizeof(*cm));
        snprintf(cm->pii_kind, sizeof(cm->pii_kind), "%s",
                 (const char *)sqlite3_column_text(st, 2) ?: "none");
        snprintf(cm->sensitivity, sizeof(cm->sensitivity), "%s",
                 (const char *)sqlite3_column_text(st, 3) ?: "internal");
        cm->confidence = sqlite3_column_double(st, 4);
        const char *src = (const char *)sqlite3_column_text(st, 5);
        cm->user_set = src && strcmp(src, "user") == 0;
    }
    if (rc != SQLITE_DONE)
        ret = db_error(c, rc, err, "read columns");
    finish(st);
    return ret;
}

static int load_files(struct lh_catalog *c, struct lh_dataset *d, struct lh_error *err)
{
    sqlite3_stmt *st = stmt(c, ST_FILE_LIST);
    size_t alloc = 0;
    int rc, ret = 0;
    sqlite3_bind_int64(st, 1, d->id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (d->n_files == alloc) {
            alloc = alloc ? alloc * 2 : 8;
            d->files = lh_xrealloc(d->files, alloc * sizeof(*d->files));
        }
        struct lh_file *f = &d->files[d->n_files++];
        f->id = sqlite3_column_int64(st, 0);
        f->key = col_dup(st, 1, "");
        f->rows = sqlite3_column_int64(st, 2);
        f->size_bytes = sqlite3_column_int64(st, 3);
        f->source_sha256 = col_dup(st, 4, NULL);
        f->source = col_dup(st, 5, NULL);
        f->snapshot_id = sqlite3_column_int64(st, 6);
    }
    if (rc != SQLITE_DONE)
        ret = db_error(c, rc, err, "read files");
    finish(st);
    return ret;
}

int lh_catalog_get(struct lh_catalog *c, const char *name, struct lh_dataset **out,
                   struct lh_error *err)
{
    char m[80];
    struct lh_dataset *d = NULL;
    bool in_tx = false;
    int rc;
    *out = NULL;
    if (lh_catalog_name_check(name, NULL))
        return lh_error_set(err, LH_ENOTFOUND, "dataset '%s' not found", msg_name(name, m));
    pthread_mutex_lock(&c->mu);
    if ((rc = tx_begin(c, false, err)))
        goto out;
    in_tx = true;
    sqlite3_stmt *st = stmt(c, ST_DS_GET);
    bind_text(st, 1, name);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        d = dataset_from_row(st);
    else if (s == SQLITE_DONE)
        rc = lh_error_set(err, LH_ENOTFOUND, "dataset '%s' not found", msg_name(name, m));
    else
        rc = db_error(c, s, err, "read the dataset");
    finish(st);
    if (rc || (rc = load_columns(c, d, err)) || (rc = load_files(c, d, err)))
        goto out;
    if ((rc = tx_commit(c, err)))
        goto out;
    in_tx = false;
    *out = d;
    d = NULL;
out:
    if (in_tx)
        tx_rollback(c);
    pthread_mutex_unlock(&c->mu);
    lh_dataset_free(d);
    return rc;
}

int lh_catalog_list(struct lh_catalog *c, struct lh_dataset ***out, size_t *out_n,
                    struct lh_error *err)
{
    struct lh_dataset **v = NULL;
    size_t n = 0, alloc = 0;
    bool in_tx = false;
    int rc, s;
    *out = NULL;
    *out_n = 0;
    pthread_mutex_lock(&c->mu);
    if ((rc = tx_begin(c, false, err)))
        goto out;
    in_tx = true;
    sqlite3_stmt *st = stmt(c, ST_DS_LIST);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 16;
            v = lh_xrealloc(v, alloc * sizeof(*v));
        }
        v[n++] = dataset_from_row(st);
    }
    if (s != SQLITE_DONE)
        rc = db_error(c, s, err, "list datasets");
    finish(st);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = load_columns(c, v[i], err);
    if (rc || (rc = tx_commit(c, err)))
        goto out;
    in_tx = false;
    *out = v;
    *out_n = n;
    v = NULL;
out:
    if (in_tx)
        tx_rollback(c);
    pthread_mutex_unlock(&c->mu);
    lh_dataset_list_free(v, n);
    return rc;
}

int lh_catalog_files(struct lh_catalog *c, const char *name, char ***out_keys, size_t *out_n,
                     struct lh_error *err)
{
    char m[80];
    size_t rows = 0;
    *out_keys = NULL;
    *out_n = 0;
    if (lh_catalog_name_check(name, NULL))
        return lh_error_set(err, LH_ENOTFOUND, "dataset '%s' not found", msg_name(name, m));
    pthread_mutex_lock(&c->mu);
    sqlite3_stmt *st = stmt(c, ST_FILES_BY_NAME);
    bind_text(st, 1, name);
    /* One statement: the LEFT JOIN yields one NULL-key row for a dataset
     * without files and no row at all for a missing dataset. */
    int rc = query_strv(c, st, out_keys, out_n, &rows, err, "list the dataset's files");
    pthread_mutex_unlock(&c->mu);
    if (rc == 0 && rows == 0)
        rc = lh_error_set(err, LH_ENOTFOUND, "dataset '%s' not found", msg_name(name, m));
    return rc;
}

int lh_catalog_find_source(struct lh_catalog *c, const char *sha256, const char *prefer,
                           char **out, struct lh_error *err)
{
    int rc = 0;
    *out = NULL;
    if (!sha256 || !sha256[0])
        return lh_error_set(err, LH_EINVAL, "no source checksum given");
    pthread_mutex_lock(&c->mu);
    sqlite3_stmt *st = stmt(c, ST_FIND_SOURCE);
    bind_text(st, 1, sha256);
    bind_text(st, 2, prefer);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        *out = col_dup(st, 0, "");
    else if (s == SQLITE_DONE)
        rc = lh_error_set(err, LH_ENOTFOUND, "no dataset holds content with this checksum");
    else
        rc = db_error(c, s, err, "look up the source checksum");
    finish(st);
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int lh_catalog_keys(struct lh_catalog *c, char ***out_keys, size_t *out_n, struct lh_error *err)
{
    pthread_mutex_lock(&c->mu);
    int rc = query_strv(c, stmt(c, ST_ALL_KEYS), out_keys, out_n, NULL, err, "list file keys");
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int lh_catalog_repair(struct lh_catalog *c, const char *name, const struct lh_column *cols,
                      size_t n_cols, const struct lh_file *files, size_t n_files,
                      int64_t *out_snapshot, struct lh_error *err)
{
    char m[80];
    int64_t ds = 0, snap = 0, now = now_ms();
    bool in_tx = false;
    int rc;
    if (out_snapshot)
        *out_snapshot = 0;
    if (lh_catalog_name_check(name, NULL))
        return lh_error_set(err, LH_ENOTFOUND, "dataset '%s' not found", msg_name(name, m));
    if ((rc = check_columns(cols, n_cols, err)))
        return rc;
    if (n_files && !files)
        return lh_error_set(err, LH_EINVAL, "file list is missing");
    for (size_t i = 0; i < n_files; i++)
        if (files[i].rows < 0 || files[i].size_bytes < 0)
            return lh_error_set(err, LH_EINVAL, "file id %lld: negative rows or size",
                                (long long)files[i].id);
    pthread_mutex_lock(&c->mu);
    if ((rc = tx_begin(c, true, err)))
        goto out;
    in_tx = true;
    if ((rc = dataset_id(c, name, &ds, err)))
        goto out;
    if (!ds) {
        rc = lh_error_set(err, LH_ENOTFOUND, "dataset '%s' not found", msg_name(name, m));
        goto out;
    }
    if ((rc = snapshot_new(c, "repair", name, now, &snap, err)))
        goto out;
    sqlite3_stmt *st = stmt(c, ST_DS_TOUCH);
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, snap);
    sqlite3_bind_int64(st, 3, ds);
    int64_t old_rows = 0, new_rows = 0;
    if ((rc = run(c, st, err, "update the dataset")) ||
        (rc = dataset_rows(c, ds, &old_rows, err)) ||
        (rc = schema_record(c, ds, name, snap, now, "resync", "repair", cols, n_cols, NULL,
                            err)) ||
        (rc = set_columns(c, ds, cols, n_cols, NULL, err)))
        goto out;
    st = stmt(c, ST_FILE_REPAIR);
    for (size_t i = 0; i < n_files; i++) {
        sqlite3_bind_int64(st, 1, files[i].rows);
        sqlite3_bind_int64(st, 2, files[i].size_bytes);
        sqlite3_bind_int64(st, 3, files[i].id);
        sqlite3_bind_int64(st, 4, ds);
        if ((rc = run(c, st, err, "update a file")))
            goto out;
        if (sqlite3_changes(c->db) != 1) {
            rc = lh_error_set(err, LH_ENOTFOUND, "file id %lld does not belong to dataset '%s'",
                              (long long)files[i].id, msg_name(name, m));
            goto out;
        }
    }
    if ((rc = dataset_rows(c, ds, &new_rows, err)))
        goto out;
    if (new_rows != old_rows &&
        (rc = journal_rows(c, now, snap, "resync", "repair", name, old_rows, true, new_rows,
                           true, err)))
        goto out;
    if ((rc = tx_commit(c, err)))
        goto out;
    in_tx = false;
    if (out_snapshot)
        *out_snapshot = snap;
out:
    if (in_tx)
        tx_rollback(c);
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int64_t lh_catalog_snapshot(struct lh_catalog *c)
{
    int64_t v = 0;
    pthread_mutex_lock(&c->mu);
    int rc = query_i64(c, stmt(c, ST_SNAP_MAX), &v, NULL, NULL, "read the snapshot id");
    pthread_mutex_unlock(&c->mu);
    return rc ? rc : v;
}

int64_t lh_catalog_count(struct lh_catalog *c)
{
    int64_t v = 0;
    pthread_mutex_lock(&c->mu);
    int rc = query_i64(c, stmt(c, ST_DS_COUNT), &v, NULL, NULL, "count datasets");
    pthread_mutex_unlock(&c->mu);
    return rc ? rc : v;
}

/* Collects the single text value of PRAGMA journal_mode. */
static int pragma_cb(void *ud, int n, char **vals, char **names)
{
    LH_UNUSED(names);
    char *out = ud;
    if (n > 0 && vals[0])
        snprintf(out, 16, "%s", vals[0]);
    return 0;
}

void lh_catalog_close(struct lh_catalog *c)
{
    if (!c)
        return;
    for (int i = 0; i < ST__COUNT; i++)
        sqlite3_finalize(c->st[i]);
    sqlite3_close(c->db);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

int lh_catalog_open(const char *path, struct lh_catalog **out, struct lh_error *err)
{
    char mode[16] = "";
    sqlite3_stmt *ver = NULL;
    int rc = 0, s;
    *out = NULL;
    if (!path || !path[0])
        return lh_error_set(err, LH_EINVAL, "catalog path must not be empty");
    struct lh_catalog *c = lh_xcalloc(1, sizeof(*c));
    pthread_mutex_init(&c->mu, NULL);
    s = sqlite3_open_v2(path, &c->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (s != SQLITE_OK) {
        rc = lh_error_set(err, s == SQLITE_NOMEM ? LH_ENOMEM : LH_EIO,
                          "cannot open catalog %s: %s", path,
                          c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(s));
        goto out;
    }
    sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
    s = sqlite3_exec(c->db, "PRAGMA journal_mode=WAL", pragma_cb, mode, NULL);
    if (s != SQLITE_OK) {
        rc = lh_error_set(err, (s & 0xff) == SQLITE_BUSY ? LH_ETIMEDOUT : LH_EIO,
                          "cannot open catalog %s: %s", path, sqlite3_errmsg(c->db));
        goto out;
    }
    if (strcmp(mode, "wal") != 0) {
        rc = lh_error_set(err, LH_EIO, "cannot open catalog %s: WAL mode unavailable (got '%s')",
                          path, mode);
        goto out;
    }
    /* FULL: the WAL is fsynced at every COMMIT, so a commit survives power loss. */
    if ((rc = exec_sql(c, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", err,
                       "configure the connection")))
        goto out;
    if ((rc = tx_begin(c, true, err)))
        goto out;
    if ((rc = exec_sql(c, schema_sql, err, "create the catalog schema")) ||
        (rc = tx_commit(c, err))) {
        tx_rollback(c);
        goto out;
    }
    s = sqlite3_prepare_v2(c->db, "SELECT value FROM meta WHERE key = 'schema_version'", -1,
                           &ver, NULL);
    if (s != SQLITE_OK) {
        rc = db_error(c, s, err, "read the schema version");
        goto out;
    }
    s = sqlite3_step(ver);
    const char *v = s == SQLITE_ROW ? (const char *)sqlite3_column_text(ver, 0) : NULL;
    if (v && strcmp(v, "1") == 0) {
        sqlite3_reset(ver);
        if ((rc = tx_begin(c, true, err)))
            goto out;
        /* another process may have migrated it while we waited for the write lock */
        s = sqlite3_step(ver);
        v = s == SQLITE_ROW ? (const char *)sqlite3_column_text(ver, 0) : NULL;
        bool still_v1 = v && strcmp(v, "1") == 0;
        sqlite3_reset(ver);
        if ((still_v1 &&
             (rc = exec_sql(c, migrate_v2_sql, err, "upgrade the catalog to schema version 2"))) ||
            (rc = tx_commit(c, err))) {
            tx_rollback(c);
            goto out;
        }
        s = sqlite3_step(ver);
        v = s == SQLITE_ROW ? (const char *)sqlite3_column_text(ver, 0) : NULL;
    }
    if (!v || strcmp(v, SCHEMA_VERSION) != 0) {
        rc = lh_error_set(err, LH_EINVAL,
                          "catalog %s has schema version %s; this build supports version "
                          SCHEMA_VERSION,
                          path, v ? v : "(none)");
        goto out;
    }
    for (int i = 0; i < ST__COUNT; i++) {
        s = sqlite3_prepare_v3(c->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &c->st[i],
                               NULL);
        if (s != SQLITE_OK) {
            rc = db_error(c, s, err, "prepare a statement");
            goto out;
        }
    }
out:
    sqlite3_finalize(ver);
    if (rc) {
        lh_catalog_close(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* ---- metadata, history, journal ---- */

static const char *const patch_fields[] = {"description", "owner", "tags", "sensitivity",
                                           "parents"};

int lh_catalog_patch(struct lh_catalog *c, const char *name, const struct lh_meta_patch *p,
                     const char *actor, int64_t *out_snapshot, struct lh_error *err)
{
    char m[80];
    struct lh_dataset *d = NULL;
    int64_t snap = 0, now = now_ms();
    bool in_tx = false;
    int rc, changes = 0;
    if (out_snapshot)
        *out_snapshot = 0;
    if (lh_catalog_name_check(name, NULL))
        return lh_error_set(err, LH_ENOTFOUND, "dataset '%s' not found", msg_name(name, m));
    pthread_mutex_lock(&c->mu);
    if (p->tags_json && (rc = check_tags(c, p->tags_json, err))) {
        pthread_mutex_unlock(&c->mu);
        return rc;
    }
    if (p->parents_json && check_tags(c, p->parents_json, NULL)) {
        pthread_mutex_unlock(&c->mu);
        return lh_error_set(err, LH_EINVAL, "parents must be a JSON array of dataset names");
    }
    if ((rc = tx_begin(c, true, err)))
        goto out;
    in_tx = true;
    sqlite3_stmt *st = stmt(c, ST_DS_GET);
    bind_text(st, 1, name);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        d = dataset_from_row(st);
    else if (s == SQLITE_DONE)
        rc = lh_error_set(err, LH_ENOTFOUND, "dataset '%s' not found", msg_name(name, m));
    else
        rc = db_error(c, s, err, "read the dataset");
    finish(st);
    if (rc || (rc = load_columns(c, d, err)))
        goto out;
    /* the snapshot is recorded lazily, at the first real change */
    const char *news[] = {p->description, p->owner, p->tags_json, p->sensitivity,
                          p->parents_json};
    const char *olds[] = {d->description, d->owner, d->tags_json,
                          d->sensitivity ? d->sensitivity : "", d->parents_json};
    for (size_t i = 0; i < LH_ARRAY_LEN(patch_fields); i++) {
        if (!news[i] || strcmp(news[i], olds[i]) == 0)
            continue;
        if (!snap && (rc = snapshot_new(c, "metadata", name, now, &snap, err)))
            goto out;
        st = stmt(c, ST_DS_SET_TEXT);
        bind_text(st, 1, patch_fields[i]);
        bind_text(st, 2, news[i]);
        sqlite3_bind_int64(st, 3, now);
        sqlite3_bind_int64(st, 4, snap);
        sqlite3_bind_int64(st, 5, d->id);
        if ((rc = run(c, st, err, "update metadata")) ||
            (rc = journal_add(c, now, snap, actor, "metadata", name, patch_fields[i],
                              olds[i][0] ? olds[i] : NULL, news[i][0] ? news[i] : NULL, err)))
            goto out;
        changes++;
    }
    for (size_t i = 0; i < p->n_columns; i++) {
        const struct lh_column_patch *cp = &p->columns[i];
        size_t j;
        for (j = 0; j < d->n_columns; j++)
            if (cp->name && strcasecmp(cp->name, d->columns[j].name) == 0)
                break;
        if (j == d->n_columns) {
            char mc[80];
            rc = lh_error_set(err, LH_ENOTFOUND, "dataset '%s' has no column '%s'",
                              msg_name(name, m), msg_name(cp->name, mc));
            goto out;
        }
        const char *cn = d->columns[j].name;
        const struct lh_column_meta *old = &d->col_meta[j];
        bool kind_change = cp->pii_kind && strcmp(cp->pii_kind, old->pii_kind) != 0;
        bool sens_change = cp->sensitivity && strcmp(cp->sensitivity, old->sensitivity) != 0;
        if (!kind_change && !sens_change && old->user_set)
            continue;
        if (!snap && (rc = snapshot_new(c, "metadata", name, now, &snap, err)))
            goto out;
        st = stmt(c, ST_COL_PATCH);
        bind_text(st, 1, cp->pii_kind);
        bind_text(st, 2, cp->sensitivity);
        sqlite3_bind_int64(st, 3, d->id);
        bind_text(st, 4, cn);
        if ((rc = run(c, st, err, "update column metadata")))
            goto out;
        char *entity = lh_xasprintf("%s.%s", name, cn);
        if (kind_change)
            rc = journal_add(c, now, snap, actor, "metadata", entity, "pii_kind", old->pii_kind,
                             cp->pii_kind, err);
        if (!rc && sens_change)
            rc = journal_add(c, now, snap, actor, "metadata", entity, "sensitivity",
                             old->sensitivity, cp->sensitivity, err);
        if (!rc && !kind_change && !sens_change) /* confirmation of the detected values */
            rc = journal_add(c, now, snap, actor, "metadata", entity, "pii_confirmed", NULL,
                             old->pii_kind, err);
        free(entity);
        if (rc)
            goto out;
        changes++;
    }
    if (changes) {
        st = stmt(c, ST_DS_TOUCH);
        sqlite3_bind_int64(st, 1, now);
        sqlite3_bind_int64(st, 2, snap);
        sqlite3_bind_int64(st, 3, d->id);
        if ((rc = run(c, st, err, "update the dataset")))
            goto out;
    }
    if ((rc = tx_commit(c, err)))
        goto out;
    in_tx = false;
    if (out_snapshot)
        *out_snapshot = snap;
out:
    if (in_tx)
        tx_rollback(c);
    pthread_mutex_unlock(&c->mu);
    lh_dataset_free(d);
    return rc;
}

int lh_catalog_schema_history(struct lh_catalog *c, const char *name,
                              struct lh_schema_version **out, size_t *out_n,
                              struct lh_error *err)
{
    char m[80];
    struct lh_schema_version *v = NULL;
    size_t n = 0, alloc = 0;
    int64_t ds = 0;
    int rc, s;
    *out = NULL;
    *out_n = 0;
    if (lh_catalog_name_check(name, NULL))
        return lh_error_set(err, LH_ENOTFOUND, "dataset '%s' not found", msg_name(name, m));
    pthread_mutex_lock(&c->mu);
    if ((rc = dataset_id(c, name, &ds, err)))
        goto out;
    if (!ds) {
        rc = lh_error_set(err, LH_ENOTFOUND, "dataset '%s' not found", msg_name(name, m));
        goto out;
    }
    sqlite3_stmt *st = stmt(c, ST_HIST_LIST);
    bind_text(st, 1, name);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 8;
            v = lh_xrealloc(v, alloc * sizeof(*v));
        }
        struct lh_schema_version *h = &v[n++];
        h->version = sqlite3_column_int64(st, 0);
        h->snapshot_id = sqlite3_column_int64(st, 1);
        h->created_ms = sqlite3_column_int64(st, 2);
        h->actor = col_dup(st, 3, "");
        h->columns_json = col_dup(st, 4, "[]");
        h->changes_json = col_dup(st, 5, "[]");
    }
    if (s != SQLITE_DONE)
        rc = db_error(c, s, err, "read the schema history");
    finish(st);
out:
    pthread_mutex_unlock(&c->mu);
    if (rc) {
        lh_schema_history_free(v, n);
        return rc;
    }
    *out = v;
    *out_n = n;
    return 0;
}

void lh_schema_history_free(struct lh_schema_version *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].actor);
        free(v[i].columns_json);
        free(v[i].changes_json);
    }
    free(v);
}

int lh_catalog_journal(struct lh_catalog *c, const char *entity, int64_t before_id, int limit,
                       struct lh_journal_entry **out, size_t *out_n, struct lh_error *err)
{
    struct lh_journal_entry *v = NULL;
    size_t n = 0, alloc = 0;
    int rc = 0, s;
    *out = NULL;
    *out_n = 0;
    if (limit <= 0 || limit > 10000)
        limit = limit <= 0 ? 100 : 10000;
    pthread_mutex_lock(&c->mu);
    sqlite3_stmt *st = stmt(c, entity ? ST_JOURNAL_ENTITY : ST_JOURNAL_ALL);
    sqlite3_bind_int64(st, 1, before_id);
    sqlite3_bind_int64(st, 2, limit);
    if (entity)
        bind_text(st, 3, entity);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 16;
            v = lh_xrealloc(v, alloc * sizeof(*v));
        }
        struct lh_journal_entry *e = &v[n++];
        e->id = sqlite3_column_int64(st, 0);
        e->ts_ms = sqlite3_column_int64(st, 1);
        e->snapshot_id = sqlite3_column_int64(st, 2);
        e->actor = col_dup(st, 3, "");
        e->action = col_dup(st, 4, "");
        e->entity = col_dup(st, 5, "");
        e->field = col_dup(st, 6, "");
        e->old_value = col_dup(st, 7, NULL);
        e->new_value = col_dup(st, 8, NULL);
    }
    if (s != SQLITE_DONE)
        rc = db_error(c, s, err, "read the journal");
    finish(st);
    pthread_mutex_unlock(&c->mu);
    if (rc) {
        lh_journal_free(v, n);
        return rc;
    }
    *out = v;
    *out_n = n;
    return 0;
}

void lh_journal_free(struct lh_journal_entry *e, size_t n)
{
    for (size_t i = 0; e && i < n; i++) {
        free(e[i].actor);
        free(e[i].action);
        free(e[i].entity);
        free(e[i].field);
        free(e[i].old_value);
        free(e[i].new_value);
    }
    free(e);
}

int lh_catalog_children(struct lh_catalog *c, const char *name, char ***out, size_t *out_n,
                        struct lh_error *err)
{
    pthread_mutex_lock(&c->mu);
    sqlite3_stmt *st = stmt(c, ST_CHILDREN);
    bind_text(st, 1, name);
    int rc = query_strv(c, st, out, out_n, NULL, err, "list child datasets");
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int lh_catalog_swap_files(struct lh_catalog *c, const char *name, char *const *old_keys,
                          size_t n_old, const struct lh_file *files, size_t n_files,
                          int64_t rows_dropped, const char *actor, int64_t *out_snapshot,
                          struct lh_error *err)
{
    char m[80], o[32], nw[32];
    int64_t ds = 0, snap = 0, now = now_ms(), rows_before = 0, rows_after = 0;
    bool in_tx = false;
    int rc;
    if (out_snapshot)
        *out_snapshot = 0;
    if (lh_catalog_name_check(name, NULL))
        return lh_error_set(err, LH_ENOTFOUND, "dataset '%s' not found", msg_name(name, m));
    if ((rc = check_files(files, n_files, err)))
        return rc;
    pthread_mutex_lock(&c->mu);
    if ((rc = tx_begin(c, true, err)))
        goto out;
    in_tx = true;
    if ((rc = dataset_id(c, name, &ds, err)))
        goto out;
    if (!ds) {
        rc = lh_error_set(err, LH_ENOTFOUND, "dataset '%s' not found", msg_name(name, m));
        goto out;
    }
    if ((rc = dataset_rows(c, ds, &rows_before, err)) ||
        (rc = snapshot_new(c, "compact", name, now, &snap, err)))
        goto out;
    sqlite3_stmt *st = stmt(c, ST_FILE_DELETE_KEY);
    for (size_t i = 0; i < n_old; i++) {
        sqlite3_bind_int64(st, 1, ds);
        bind_text(st, 2, old_keys[i]);
        if ((rc = run(c, st, err, "remove a compacted file")))
            goto out;
        if (sqlite3_changes(c->db) != 1) {
            rc = lh_error_set(err, LH_ECONFLICT,
                              "dataset '%s' changed while it was compacted; nothing was swapped",
                              msg_name(name, m));
            goto out;
        }
    }
    if ((rc = insert_files(c, ds, files, n_files, snap, err)) ||
        (rc = dataset_rows(c, ds, &rows_after, err)))
        goto out;
    if (rows_after != rows_before - rows_dropped) {
        rc = lh_error_set(err, LH_ECONFLICT,
                          "compaction of '%s' would change its row count (%lld -> %lld)",
                          msg_name(name, m), (long long)rows_before, (long long)rows_after);
        goto out;
    }
    st = stmt(c, ST_DS_TOUCH);
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, snap);
    sqlite3_bind_int64(st, 3, ds);
    snprintf(o, sizeof(o), "%zu", n_old);
    snprintf(nw, sizeof(nw), "%zu", n_files);
    if ((rc = run(c, st, err, "update the dataset")) ||
        (rc = journal_add(c, now, snap, actor, "compact", name, "files", o, nw, err)) ||
        (rc = tx_commit(c, err)))
        goto out;
    in_tx = false;
    if (out_snapshot)
        *out_snapshot = snap;
out:
    if (in_tx)
        tx_rollback(c);
    pthread_mutex_unlock(&c->mu);
    return rc;
}
