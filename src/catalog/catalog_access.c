/* SPDX-License-Identifier: MIT */
/* catalog_access.c - API keys, access objects (roles, views, profiles) and tombstones. */
#include "lh_common.h"
#include "catalog.h"
#include "catalog_int.h"
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- API keys ---- */

#define KEY_COLS "id, name, role, hash, profile, created_ms, created_by, revoked_ms, last_used_ms"

static struct lh_api_key *key_from_row(sqlite3_stmt *st)
{
    struct lh_api_key *k = lh_xcalloc(1, sizeof(*k));
    k->id = lh__catalog_dup(st, 0);
    k->name = lh__catalog_dup(st, 1);
    k->role = lh__catalog_dup(st, 2);
    k->hash = lh__catalog_dup(st, 3);
    k->profile = lh__catalog_dup(st, 4);
    k->created_ms = sqlite3_column_int64(st, 5);
    k->created_by = lh__catalog_dup(st, 6);
    k->revoked_ms = sqlite3_column_int64(st, 7);
    k->last_used_ms = sqlite3_column_int64(st, 8);
    return k;
}

void lh_api_key_free(struct lh_api_key *k)
{
    if (!k)
        return;
    free(k->id);
    free(k->name);
    free(k->role);
    free(k->hash);
    free(k->profile);
    free(k->created_by);
    free(k);
}

void lh_api_key_list_free(struct lh_api_key **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        lh_api_key_free(v[i]);
    free(v);
}

int lh_catalog_key_create(struct lh_catalog *c, const struct lh_api_key *k, struct lh_error *err)
{
    sqlite3 *db = lh__catalog_lock(c);
    int rc = lh__catalog_begin(c, err);
    if (rc == 0) {
        sqlite3_stmt *st = lh__catalog_prep(
            c, db, "INSERT INTO api_keys(" KEY_COLS ") VALUES (?1,?2,?3,?4,?5,?6,?7,0,0)",
            "sssssis", err, "create the key", k->id, k->name, k->role, k->hash, k->profile,
            lh__catalog_now_ms(), k->created_by);
        rc = lh__catalog_done(c, st, err, "create the key");
    }
    if (rc == 0)
        rc = lh__catalog_journal(c, k->created_by, "key_create", k->id, "role", NULL, k->role,
                                 err);
    if (rc == 0)
        rc = lh__catalog_commit(c, err);
    if (rc)
        lh__catalog_rollback(c);
    lh__catalog_unlock(c);
    return rc;
}

int lh_catalog_key_get(struct lh_catalog *c, const char *id, struct lh_api_key **out,
                       struct lh_error *err)
{
    *out = NULL;
    sqlite3 *db = lh__catalog_lock(c);
    sqlite3_stmt *st = lh__catalog_prep(c, db, "SELECT " KEY_COLS " FROM api_keys WHERE id = ?1",
                                        "s", err, "read the key", id);
    int rc = st ? 0 : -LH_EIO;
    if (st) {
        int s = sqlite3_step(st);
        if (s == SQLITE_ROW)
            *out = key_from_row(st);
        else if (s == SQLITE_DONE)
            rc = lh_error_set(err, LH_ENOTFOUND, "API key '%.16s' not found", id);
        else
            rc = lh__catalog_error(c, s, err, "read the key");
        sqlite3_finalize(st);
    }
    lh__catalog_unlock(c);
    return rc;
}

int lh_catalog_key_list(struct lh_catalog *c, struct lh_api_key ***out, size_t *out_n,
                        struct lh_error *err)
{
    struct lh_api_key **v = NULL;
    size_t n = 0;
    sqlite3 *db = lh__catalog_lock(c);
    sqlite3_stmt *st = lh__catalog_prep(
        c, db, "SELECT " KEY_COLS " FROM api_keys ORDER BY created_ms, id", "", err, "list keys");
    int rc = st ? 0 : -LH_EIO, s = SQLITE_DONE;
    while (st && (s = sqlite3_step(st)) == SQLITE_ROW) {
        v = lh_xrealloc(v, (n + 1) * sizeof(*v));
        v[n++] = key_from_row(st);
    }
    if (st && s != SQLITE_DONE)
        rc = lh__catalog_error(c, s, err, "list keys");
    sqlite3_finalize(st);
    lh__catalog_unlock(c);
    if (rc) {
        lh_api_key_list_free(v, n);
        return rc;
    }
    *out = v;
    *out_n = n;
    return 0;
}

int lh_catalog_key_revoke(struct lh_catalog *c, const char *id, const char *actor,
                          struct lh_error *err)
{
    sqlite3 *db = lh__catalog_lock(c);
    int rc = lh__catalog_begin(c, err);
    if (rc == 0) {
        sqlite3_stmt *st = lh__catalog_prep(
            c, db, "UPDATE api_keys SET revoked_ms = ?1 WHERE id = ?2 AND revoked_ms = 0", "is",
            err, "revoke the key", lh__catalog_now_ms(), id);
        rc = lh__catalog_done(c, st, err, "revoke the key");
    }
    if (rc == 0 && sqlite3_changes(db) == 0)
        rc = lh_error_set(err, LH_ENOTFOUND, "API key '%.16s' not found or already revoked", id);
    if (rc == 0)
        rc = lh__catalog_journal(c, actor, "key_revoke", id, "revoked", NULL, "true", err);
    if (rc == 0)
        rc = lh__catalog_commit(c, err);
    if (rc)
        lh__catalog_rollback(c);
    lh__catalog_unlock(c);
    return rc;
}

void lh_catalog_key_touch(struct lh_catalog *c, const char *id, int64_t ms)
{
    sqlite3 *db = lh__catalog_lock(c);
    sqlite3_stmt *st = lh__catalog_prep(c, db, "UPDATE api_keys SET last_used_ms = ?1 WHERE id = ?2",
                                        "is", NULL, "touch the key", ms, id);
    lh__catalog_done(c, st, NULL, "touch the key");
    lh__catalog_unlock(c);
}

/* ---- access objects ---- */

static struct lh_access_obj *obj_from_row(sqlite3_stmt *st)
{
    struct lh_access_obj *o = lh_xcalloc(1, sizeof(*o));
    o->kind = lh__catalog_dup(st, 0);
    o->name = lh__catalog_dup(st, 1);
    o->def_json = lh__catalog_dup(st, 2);
    o->actor = lh__catalog_dup(st, 3);
    o->created_ms = sqlite3_column_int64(st, 4);
    o->updated_ms = sqlite3_column_int64(st, 5);
    return o;
}

void lh_access_obj_free(struct lh_access_obj *o)
{
    if (!o)
        return;
    free(o->kind);
    free(o->name);
    free(o->def_json);
    free(o->actor);
    free(o);
}

void lh_access_obj_list_free(struct lh_access_obj **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        lh_access_obj_free(v[i]);
    free(v);
}

int lh_catalog_access_put(struct lh_catalog *c, const char *kind, const char *name,
                          const char *def_json, const char *actor, struct lh_error *err)
{
    sqlite3 *db = lh__catalog_lock(c);
    char *old = NULL;
    int rc = lh__catalog_begin(c, err);
    if (rc == 0) {
        sqlite3_stmt *st = lh__catalog_prep(
            c, db, "SELECT def_json FROM access_objects WHERE kind = ?1 AND name = ?2", "ss", err,
            "read the definition", kind, name);
        rc = st ? 0 : -LH_EIO;
        if (st && sqlite3_step(st) == SQLITE_ROW)
            old = lh__catalog_dup(st, 0);
        sqlite3_finalize(st);
    }
    if (rc == 0) {
        int64_t now = lh__catalog_now_ms();
        sqlite3_stmt *st = lh__catalog_prep(
            c, db,
            "INSERT INTO access_objects(kind, name, def_json, actor, created_ms, updated_ms) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT(kind, name) DO UPDATE SET "
            "def_json = excluded.def_json, actor = excluded.actor, updated_ms = excluded.updated_ms",
            "ssssi", err, "store the definition", kind, name, def_json, actor, now);
        rc = lh__catalog_done(c, st, err, "store the definition");
    }
    char action[48];
    snprintf(action, sizeof(action), "%s_put", kind);
    if (rc == 0)
        rc = lh__catalog_journal(c, actor, action, name, "definition", old, def_json, err);
    if (rc == 0)
        rc = lh__catalog_commit(c, err);
    if (rc)
        lh__catalog_rollback(c);
    lh__catalog_unlock(c);
    free(old);
    return rc;
}

int lh_catalog_access_get(struct lh_catalog *c, const char *kind, const char *name,
                          struct lh_access_obj **out, struct lh_error *err)
{
    *out = NULL;
    sqlite3 *db = lh__catalog_lock(c);
    sqlite3_stmt *st = lh__catalog_prep(
        c, db,
        "SELECT kind, name, def_json, actor, created_ms, updated_ms FROM access_objects "
        "WHERE kind = ?1 AND name = ?2",
        "ss", err, "read the definition", kind, name);
    int rc = st ? 0 : -LH_EIO;
    if (st) {
        int s = sqlite3_step(st);
        if (s == SQLITE_ROW)
            *out = obj_from_row(st);
        else if (s == SQLITE_DONE)
            rc = lh_error_set(err, LH_ENOTFOUND, "%s '%.63s' not found", kind, name);
        else
            rc = lh__catalog_error(c, s, err, "read the definition");
        sqlite3_finalize(st);
    }
    lh__catalog_unlock(c);
    return rc;
}

int lh_catalog_access_list(struct lh_catalog *c, const char *kind, struct lh_access_obj ***out,
                           size_t *out_n, struct lh_error *err)
{
    struct lh_access_obj **v = NULL;
    size_t n = 0;
    sqlite3 *db = lh__catalog_lock(c);
    sqlite3_stmt *st = lh__catalog_prep(
        c, db,
        "SELECT kind, name, def_json, actor, created_ms, updated_ms FROM access_objects "
        "WHERE kind = ?1 ORDER BY name",
        "s", err, "list definitions", kind);
    int rc = st ? 0 : -LH_EIO, s = SQLITE_DONE;
    while (st && (s = sqlite3_step(st)) == SQLITE_ROW) {
        v = lh_xrealloc(v, (n + 1) * sizeof(*v));
        v[n++] = obj_from_row(st);
    }
    if (st && s != SQLITE_DONE)
        rc = lh__catalog_error(c, s, err, "list definitions");
    sqlite3_finalize(st);
    lh__catalog_unlock(c);
    if (rc) {
        lh_access_obj_list_free(v, n);
        return rc;
    }
    *out = v;
    *out_n = n;
    return 0;
}

int lh_catalog_access_delete(struct lh_catalog *c, const char *kind, const char *name,
                             const char *actor, struct lh_error *err)
{
    sqlite3 *db = lh__catalog_lock(c);
    int rc = lh__catalog_begin(c, err);
    if (rc == 0) {
        sqlite3_stmt *st = lh__catalog_prep(
            c, db, "DELETE FROM access_objects WHERE kind = ?1 AND name = ?2", "ss", err,
            "delete the definition", kind, name);
        rc = lh__catalog_done(c, st, err, "delete the definition");
    }
    if (rc == 0 && sqlite3_changes(db) == 0)
        rc = lh_error_set(err, LH_ENOTFOUND, "%s '%.63s' not found", kind, name);
    char action[48];
    snprintf(action, sizeof(action), "%s_delete", kind);
    if (rc == 0)
        rc = lh__catalog_journal(c, actor, action, name, "definition", NULL, NULL, err);
    if (rc == 0)
        rc = lh__catalog_commit(c, err);
    if (rc)
        lh__catalog_rollback(c);
    lh__catalog_unlock(c);
    return rc;
}

/* ---- tombstones ---- */

void lh_tombstones_free(struct lh_tombstone *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(t[i].dataset);
        free(t[i].key_col);
        free(t[i].value);
        free(t[i].actor);
        free(t[i].reason);
    }
    free(t);
}

int lh_catalog_tombstone_add(struct lh_catalog *c, const char *dataset, const char *key_col,
                             const char *const *values, size_t n, const char *actor,
                             const char *reason, int64_t *out_added, struct lh_error *err)
{
    sqlite3 *db = lh__catalog_lock(c);
    int64_t added = 0, now = lh__catalog_now_ms();
    int rc = lh__catalog_begin(c, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        sqlite3_stmt *st = lh__catalog_prep(
            c, db,
            "INSERT OR IGNORE INTO tombstones(dataset, key_col, value, actor, reason, created_ms)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            "sssssi", err, "record the tombstone", dataset, key_col, values[i], actor, reason, now);
        rc = lh__catalog_done(c, st, err, "record the tombstone");
        if (rc == 0)
            added += sqlite3_changes(db);
    }
    /* the journal gets the count, never the values (they are often personal data) */
    char cnt[32];
    snprintf(cnt, sizeof(cnt), "%lld", (long long)added);
    if (rc == 0)
        rc = lh__catalog_journal(c, actor, "tombstone", dataset, key_col, NULL, cnt, err);
    if (rc == 0)
        rc = lh__catalog_commit(c, err); /* synchronous=FULL: durable when this returns */
    if (rc)
        lh__catalog_rollback(c);
    lh__catalog_unlock(c);
    if (rc == 0 && out_added)
        *out_added = added;
    return rc;
}

int lh_catalog_tombstones(struct lh_catalog *c, const char *dataset, bool active_only,
                          struct lh_tombstone **out, size_t *out_n, struct lh_error *err)
{
    struct lh_tombstone *v = NULL;
    size_t n = 0;
    *out = NULL;
    *out_n = 0;
    sqlite3 *db = lh__catalog_lock(c);
    sqlite3_stmt *st = lh__catalog_prep(
        c, db,
        "SELECT id, dataset, key_col, value, actor, reason, created_ms, purged_ms FROM tombstones"
        " WHERE (?1 IS NULL OR dataset = ?1 COLLATE NOCASE) AND (?2 = 0 OR purged_ms = 0)"
        " ORDER BY dataset, key_col, id",
        "si", err, "read tombstones", dataset, (int64_t)active_only);
    int rc = st ? 0 : -LH_EIO, s = SQLITE_DONE;
    while (st && (s = sqlite3_step(st)) == SQLITE_ROW) {
        v = lh_xrealloc(v, (n + 1) * sizeof(*v));
        struct lh_tombstone *t = &v[n++];
        t->id = sqlite3_column_int64(st, 0);
        t->dataset = lh__catalog_dup(st, 1);
        t->key_col = lh__catalog_dup(st, 2);
        t->value = lh__catalog_dup(st, 3);
        t->actor = lh__catalog_dup(st, 4);
        t->reason = lh__catalog_dup(st, 5);
        t->created_ms = sqlite3_column_int64(st, 6);
        t->purged_ms = sqlite3_column_int64(st, 7);
    }
    if (st && s != SQLITE_DONE)
        rc = lh__catalog_error(c, s, err, "read tombstones");
    sqlite3_finalize(st);
    lh__catalog_unlock(c);
    if (rc) {
        lh_tombstones_free(v, n);
        return rc;
    }
    *out = v;
    *out_n = n;
    return 0;
}

int lh_catalog_tombstones_purged(struct lh_catalog *c, const char *dataset, int64_t max_id,
                                 const char *key, struct lh_error *err)
{
    sqlite3 *db = lh__catalog_lock(c);
    int rc = lh__catalog_begin(c, err);
    if (rc == 0) {
        sqlite3_stmt *st = lh__catalog_prep(
            c, db,
            "UPDATE tombstones SET purged_ms = ?1 WHERE dataset = ?2 COLLATE NOCASE AND id <= ?3 "
            "AND purged_ms = 0",
            "isi", err, "mark tombstones purged", lh__catalog_now_ms(), dataset, max_id);
        rc = lh__catalog_done(c, st, err, "mark tombstones purged");
    }
    if (rc == 0 && key) {
        sqlite3_stmt *st = lh__catalog_prep(
            c, db, "INSERT OR REPLACE INTO file_purges(key, tombstones_upto) VALUES (?1, ?2)",
            "si", err, "record a purged file", key, max_id);
        rc = lh__catalog_done(c, st, err, "record a purged file");
    }
    if (rc == 0)
        rc = lh__catalog_commit(c, err);
    if (rc)
        lh__catalog_rollback(c);
    lh__catalog_unlock(c);
    return rc;
}

int lh_catalog_file_purges(struct lh_catalog *c, char *const *keys, size_t n, int64_t *out_upto,
                           struct lh_error *err)
{
    sqlite3 *db = lh__catalog_lock(c);
    sqlite3_stmt *st = lh__catalog_prep(
        c, db, "SELECT tombstones_upto FROM file_purges WHERE key = ?1", "s", err,
        "read purged files", "");
    int rc = st ? 0 : -LH_EIO;
    for (size_t i = 0; st && i < n && rc == 0; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, keys[i], -1, SQLITE_STATIC);
        int s = sqlite3_step(st);
        out_upto[i] = s == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        if (s != SQLITE_ROW && s != SQLITE_DONE)
            rc = lh__catalog_error(c, s, err, "read purged files");
    }
    sqlite3_finalize(st);
    lh__catalog_unlock(c);
    return rc;
}
