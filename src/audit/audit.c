/* SPDX-License-Identifier: MIT */
/* audit.c - the append-only, hash-chained access log in SQLite. */
#include "lh_common.h"
#include "audit.h"
#include "auth.h"
#include "hash.h"
#include "log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#define DETAIL_MAX 2000

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS audit("
    " id INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL, request_id TEXT, actor TEXT NOT NULL,"
    " role TEXT NOT NULL, action TEXT NOT NULL, target TEXT, detail TEXT,"
    " outcome TEXT NOT NULL, status INTEGER NOT NULL, rows INTEGER NOT NULL,"
    " ms INTEGER NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS audit_ts ON audit(ts_ms);"
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit "
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit "
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;";

#define COLS "id, ts_ms, request_id, actor, role, action, target, detail, outcome, status, rows, ms"

struct lh_audit {
    sqlite3 *db;
    pthread_mutex_t mu;
    sqlite3_stmt *ins;
    char last_hash[65]; /* hash of the newest row ("" for none) */
    atomic_llong failures;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int db_fail(sqlite3 *db, struct lh_error *err, const char *what)
{
    return lh_error_set(err, LH_EIO, "audit log: cannot %s: %s", what, sqlite3_errmsg(db));
}

/* The chained hash of one row: SHA-256 over the previous hash and every field. */
static void row_hash(const char *prev, int64_t id, int64_t ts, const char *const f[7], int status,
                     int64_t rows, int64_t ms, char out[65])
{
    struct lh_sha256 h;
    char num[96];
    lh_sha256_init(&h);
    lh_sha256_update(&h, prev, strlen(prev));
    snprintf(num, sizeof(num), "|%lld|%lld|%d|%lld|%lld", (long long)id, (long long)ts, status,
             (long long)rows, (long long)ms);
    lh_sha256_update(&h, num, strlen(num));
    for (int i = 0; i < 7; i++) {
        const char *s = f[i] ? f[i] : "";
        lh_sha256_update(&h, "|", 1);
        lh_sha256_update(&h, s, strlen(s));
    }
    lh_sha256_final_hex(&h, out);
}

int lh_audit_open(const char *path, struct lh_audit **out, struct lh_error *err)
{
    struct lh_audit *a = lh_xcalloc(1, sizeof(*a));
    pthread_mutex_init(&a->mu, NULL);
    int rc = 0;
    if (sqlite3_open_v2(path, &a->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                          SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = lh_error_set(err, LH_EIO, "cannot open the audit log %s: %s", path,
                          a->db ? sqlite3_errmsg(a->db) : "out of memory");
        goto out;
    }
    sqlite3_busy_timeout(a->db, 5000);
    /* NORMAL in WAL mode: a power cut may lose the newest rows, never corrupt the log; an
     * fsync per request would cost more than the request. */
    if (sqlite3_exec(a->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL", NULL, NULL,
                     NULL) != SQLITE_OK ||
        sqlite3_exec(a->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK) {
        rc = db_fail(a->db, err, "create its tables");
        goto out;
    }
    if (sqlite3_prepare_v3(a->db,
                           "INSERT INTO audit(" COLS ", prev_hash, hash) VALUES "
                           "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
                           -1, SQLITE_PREPARE_PERSISTENT, &a->ins, NULL) != SQLITE_OK) {
        rc = db_fail(a->db, err, "prepare");
        goto out;
    }
    *out = a;
    return 0;
out:
    lh_audit_close(a);
    return rc;
}

void lh_audit_close(struct lh_audit *a)
{
    if (!a)
        return;
    sqlite3_finalize(a->ins);
    sqlite3_close(a->db);
    pthread_mutex_destroy(&a->mu);
    free(a);
}

int64_t lh_audit_failures(struct lh_audit *a)
{
    return a ? atomic_load(&a->failures) : 0;
}

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

/* Newest id and hash, read inside the write transaction (another process may append). */
static int tail(struct lh_audit *a, int64_t *id, char hash[65])
{
    sqlite3_stmt *st = NULL;
    *id = 0;
    hash[0] = '\0';
    if (sqlite3_prepare_v2(a->db, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", -1, &st,
                           NULL) != SQLITE_OK)
        return -1;
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        snprintf(hash, 65, "%s", (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    return s == SQLITE_ROW || s == SQLITE_DONE ? 0 : -1;
}

void lh_audit_write(struct lh_audit *a, const struct lh_audit_entry *e)
{
    if (!a)
        return;
    char *detail = NULL;
    if (e->detail) {
        size_t n = strlen(e->detail);
        detail = lh_xmalloc((n > DETAIL_MAX ? DETAIL_MAX : n) + 4);
        memcpy(detail, e->detail, n > DETAIL_MAX ? DETAIL_MAX : n);
        strcpy(detail + (n > DETAIL_MAX ? DETAIL_MAX : n), n > DETAIL_MAX ? "..." : "");
        lh_redact_secrets(detail);
    }
    const char *f[7] = {e->request_id, e->actor ? e->actor : "unknown", e->role ? e->role : "",
                        e->action ? e->action : "", e->target, detail,
                        e->outcome ? e->outcome : ""};
    int64_t ts = now_ms(), id = 0;
    char prev[65], hash[65];
    bool ok = false;

    pthread_mutex_lock(&a->mu);
    if (sqlite3_exec(a->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK) {
        if (tail(a, &id, prev) == 0) {
            id++;
            row_hash(prev, id, ts, f, e->status, e->rows, e->ms, hash);
            sqlite3_stmt *st = a->ins;
            sqlite3_bind_int64(st, 1, id);
            sqlite3_bind_int64(st, 2, ts);
            for (int i = 0; i < 7; i++)
                bind_opt(st, 3 + i, f[i]);
            sqlite3_bind_int(st, 10, e->status);
            sqlite3_bind_int64(st, 11, e->rows);
            sqlite3_bind_int64(st, 12, e->ms);
            sqlite3_bind_text(st, 13, prev, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 14, hash, -1, SQLITE_STATIC);
            ok = sqlite3_step(st) == SQLITE_DONE;
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
        }
        if (!ok || sqlite3_exec(a->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            ok = false;
            sqlite3_exec(a->db, "ROLLBACK", NULL, NULL, NULL);
        }
    }
    if (!ok) {
        atomic_fetch_add(&a->failures, 1);
        LH_LOG(LH_LOG_ERROR, "audit", "msg=\"cannot write the audit log\" detail=\"%s\"",
               sqlite3_errmsg(a->db));
    }
    pthread_mutex_unlock(&a->mu);
    free(detail);
}

static void json_text(struct lh_buf *b, const char *key, sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    lh_buf_printf(b, ",\"%s\":", key);
    if (s)
        lh_buf_json_str(b, s, strlen(s));
    else
        lh_buf_puts(b, "null");
}

int lh_audit_query_json(struct lh_audit *a, const struct lh_audit_filter *f, struct lh_buf *out,
                        struct lh_error *err)
{
    int limit = f->limit > 0 ? f->limit : 100;
    if (limit > 1000)
        return lh_error_set(err, LH_EINVAL, "limit must be 1..1000");
    sqlite3_stmt *st = NULL;
    pthread_mutex_lock(&a->mu);
    int rc = 0;
    if (sqlite3_prepare_v2(a->db,
                           "SELECT " COLS " FROM audit WHERE (?1 IS NULL OR actor = ?1) AND "
                           "(?2 IS NULL OR role = ?2) AND (?3 IS NULL OR action = ?3) AND "
                           "(?4 IS NULL OR outcome = ?4) AND (?5 IS NULL OR target = ?5) AND "
                           "(?6 = 0 OR ts_ms >= ?6) AND (?7 = 0 OR ts_ms <= ?7) AND "
                           "(?8 = 0 OR id < ?8) ORDER BY id DESC LIMIT ?9",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = db_fail(a->db, err, "query");
        goto out;
    }
    bind_opt(st, 1, f->actor);
    bind_opt(st, 2, f->role);
    bind_opt(st, 3, f->action);
    bind_opt(st, 4, f->outcome);
    bind_opt(st, 5, f->target);
    sqlite3_bind_int64(st, 6, f->since_ms);
    sqlite3_bind_int64(st, 7, f->until_ms);
    sqlite3_bind_int64(st, 8, f->before_id);
    sqlite3_bind_int(st, 9, limit);
    lh_buf_puts(out, "{\"entries\":[");
    int n = 0, s;
    int64_t last = 0;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        last = sqlite3_column_int64(st, 0);
        lh_buf_printf(out, "%s{\"id\":%lld,\"ts_ms\":%lld", n++ ? "," : "", (long long)last,
                      (long long)sqlite3_column_int64(st, 1));
        json_text(out, "request_id", st, 2);
        json_text(out, "actor", st, 3);
        json_text(out, "role", st, 4);
        json_text(out, "action", st, 5);
        json_text(out, "target", st, 6);
        json_text(out, "detail", st, 7);
        json_text(out, "outcome", st, 8);
        lh_buf_printf(out, ",\"status\":%d", sqlite3_column_int(st, 9));
        if (sqlite3_column_int64(st, 10) >= 0)
            lh_buf_printf(out, ",\"rows\":%lld", (long long)sqlite3_column_int64(st, 10));
        else
            lh_buf_puts(out, ",\"rows\":null");
        lh_buf_printf(out, ",\"ms\":%lld}", (long long)sqlite3_column_int64(st, 11));
    }
    if (s != SQLITE_DONE) {
        rc = db_fail(a->db, err, "query");
        goto out;
    }
    if (n == limit)
        lh_buf_printf(out, "],\"next_before\":%lld}", (long long)last);
    else
        lh_buf_puts(out, "],\"next_before\":null}");
out:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&a->mu);
    return rc;
}

int lh_audit_verify(struct lh_audit *a, int64_t *out_rows, struct lh_error *err)
{
    sqlite3_stmt *st = NULL;
    char prev[65] = "", h[65];
    int64_t n = 0, expect = 1;
    int rc = 0;
    pthread_mutex_lock(&a->mu);
    if (sqlite3_prepare_v2(a->db, "SELECT " COLS ", prev_hash, hash FROM audit ORDER BY id", -1,
                           &st, NULL) != SQLITE_OK) {
        rc = db_fail(a->db, err, "read");
        goto out;
    }
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        const char *f[7];
        for (int i = 0; i < 7; i++)
            f[i] = (const char *)sqlite3_column_text(st, 2 + i);
        row_hash(prev, id, sqlite3_column_int64(st, 1), f, sqlite3_column_int(st, 9),
                 sqlite3_column_int64(st, 10), sqlite3_column_int64(st, 11), h);
        const char *stored_prev = (const char *)sqlite3_column_text(st, 12);
        const char *stored = (const char *)sqlite3_column_text(st, 13);
        if (id != expect || !stored_prev || strcmp(stored_prev, prev) != 0 || !stored ||
            strcmp(stored, h) != 0) {
            rc = lh_error_set(err, LH_ECONFLICT,
                              "audit log chain broken at row %lld (expected row %lld): rows "
                              "were changed, removed or inserted",
                              (long long)id, (long long)expect);
            goto out;
        }
        memcpy(prev, h, sizeof(prev));
        expect = id + 1;
        n++;
    }
    if (s != SQLITE_DONE)
        rc = db_fail(a->db, err, "read");
out:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&a->mu);
    if (rc == 0 && out_rows)
        *out_rows = n;
    return rc;
}
