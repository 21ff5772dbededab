/* SPDX-License-Identifier: MIT */
/* catalog_index.c - the vector index registry, the documents each index holds, stored eval
 * runs, and jobs. */
#include "lh_common.h"
#include "catalog.h"
#include "catalog_int.h"
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- indexes ---- */

#define INDEX_COLS                                                                               \
    "name, dataset, text_col, id_col, embedder, model, version, dims, params_json, generation, " \
    "state, stale, stats_json, created_ms, updated_ms"

static struct lh_index_def *index_from_row(sqlite3_stmt *st)
{
    struct lh_index_def *d = lh_xcalloc(1, sizeof(*d));
    d->name = lh__catalog_dup(st, 0);
    d->dataset = lh__catalog_dup(st, 1);
    d->text_col = lh__catalog_dup(st, 2);
    d->id_col = lh__catalog_dup(st, 3);
    d->embedder = lh__catalog_dup(st, 4);
    d->model = lh__catalog_dup(st, 5);
    d->version = lh__catalog_dup(st, 6);
    d->dims = sqlite3_column_int64(st, 7);
    d->params_json = lh__catalog_dup(st, 8);
    d->generation = sqlite3_column_int64(st, 9);
    d->state = lh__catalog_dup(st, 10);
    d->stale = sqlite3_column_int64(st, 11) != 0;
    d->stats_json = lh__catalog_dup(st, 12);
    d->created_ms = sqlite3_column_int64(st, 13);
    d->updated_ms = sqlite3_column_int64(st, 14);
    return d;
}

void lh_index_def_free(struct lh_index_def *d)
{
    if (!d)
        return;
    free(d->name);
    free(d->dataset);
    free(d->text_col);
    free(d->id_col);
    free(d->embedder);
    free(d->model);
    free(d->version);
    free(d->params_json);
    free(d->state);
    free(d->stats_json);
    free(d);
}

void lh_index_def_list_free(struct lh_index_def **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        lh_index_def_free(v[i]);
    free(v);
}

int lh_catalog_index_create(struct lh_catalog *c, const struct lh_index_def *d,
                            struct lh_error *err)
{
    if (lh_catalog_name_check(d->name, NULL))
        return lh_error_set(err, LH_EINVAL,
                            "invalid index name '%.63s': use 1-63 lowercase letters, digits or "
                            "'_', starting with a letter or '_'",
                            d->name ? d->name : "");
    sqlite3 *db = lh__catalog_lock(c);
    int64_t now = lh__catalog_now_ms();
    sqlite3_stmt *st = lh__catalog_prep(c, db,
                            "INSERT OR IGNORE INTO indexes(" INDEX_COLS ") VALUES "
                            "(?1,?2,?3,?4,?5,?6,?7,?8,?9,0,'empty',0,'{}',?10,?10)",
                            "sssssssisi", err, "create the index", d->name, d->dataset,
                            d->text_col, d->id_col, d->embedder, d->model,
                            d->version ? d->version : "1", (int64_t)d->dims,
                            d->params_json ? d->params_json : "{}", now);
    int rc = lh__catalog_done(c, st, err, "create the index");
    if (rc == 0 && sqlite3_changes(db) == 0)
        rc = lh_error_set(err, LH_EEXIST, "index '%s' already exists", d->name);
    lh__catalog_unlock(c);
    return rc;
}

int lh_catalog_index_get(struct lh_catalog *c, const char *name, struct lh_index_def **out,
                         struct lh_error *err)
{
    *out = NULL;
    if (lh_catalog_name_check(name, NULL))
        return lh_error_set(err, LH_ENOTFOUND, "index '%.63s' not found", name ? name : "");
    sqlite3 *db = lh__catalog_lock(c);
    sqlite3_stmt *st = lh__catalog_prep(c, db, "SELECT " INDEX_COLS " FROM indexes WHERE name = ?1", "s", err,
                            "read the index", name);
    int rc = st ? 0 : (err ? -err->code : -LH_EIO);
    if (st) {
        int s = sqlite3_step(st);
        if (s == SQLITE_ROW)
            *out = index_from_row(st);
        else if (s == SQLITE_DONE)
            rc = lh_error_set(err, LH_ENOTFOUND, "index '%s' not found", name);
        else
            rc = lh__catalog_error(c, s, err, "read the index");
        sqlite3_finalize(st);
    }
    lh__catalog_unlock(c);
    return rc;
}

int lh_catalog_index_list(struct lh_catalog *c, const char *dataset, struct lh_index_def ***out,
                          size_t *out_n, struct lh_error *err)
{
    struct lh_index_def **v = NULL;
    size_t n = 0;
    *out = NULL;
    *out_n = 0;
    sqlite3 *db = lh__catalog_lock(c);
    sqlite3_stmt *st = lh__catalog_prep(c, db,
                            "SELECT " INDEX_COLS " FROM indexes WHERE ?1 IS NULL OR dataset = ?1 "
                            "ORDER BY name",
                            "s", err, "list indexes", dataset);
    int rc = st ? 0 : (err ? -err->code : -LH_EIO), s = SQLITE_DONE;
    while (st && (s = sqlite3_step(st)) == SQLITE_ROW) {
        v = lh_xrealloc(v, (n + 1) * sizeof(*v));
        v[n++] = index_from_row(st);
    }
    if (st && s != SQLITE_DONE)
        rc = lh__catalog_error(c, s, err, "list indexes");
    sqlite3_finalize(st);
    lh__catalog_unlock(c);
    if (rc) {
        lh_index_def_list_free(v, n);
        return rc;
    }
    *out = v;
    *out_n = n;
    return 0;
}

int lh_catalog_index_update(struct lh_catalog *c, const char *name, const char *state,
                            int64_t generation, const char *stats_json, int stale,
                            struct lh_error *err)
{
    sqlite3 *db = lh__catalog_lock(c);
    sqlite3_stmt *st = lh__catalog_prep(c, db,
                            "UPDATE indexes SET state = coalesce(?2, state), "
                            "generation = CASE WHEN ?3 >= 0 THEN ?3 ELSE generation END, "
                            "stats_json = coalesce(?4, stats_json), "
                            "stale = CASE WHEN ?5 >= 0 THEN ?5 ELSE stale END, updated_ms = ?6 "
                            "WHERE name = ?1",
                            "ssisii", err, "update the index", name, state, generation,
                            stats_json, (int64_t)stale, lh__catalog_now_ms());
    int rc = lh__catalog_done(c, st, err, "update the index");
    if (rc == 0 && sqlite3_changes(db) == 0)
        rc = lh_error_set(err, LH_ENOTFOUND, "index '%.63s' not found", name);
    lh__catalog_unlock(c);
    return rc;
}

int lh_catalog_index_delete(struct lh_catalog *c, const char *name, struct lh_error *err)
{
    sqlite3 *db = lh__catalog_lock(c);
    sqlite3_stmt *st = lh__catalog_prep(c, db, "DELETE FROM indexes WHERE name = ?1", "s", err,
                            "delete the index", name);
    int rc = lh__catalog_done(c, st, err, "delete the index");
    if (rc == 0 && sqlite3_changes(db) == 0)
        rc = lh_error_set(err, LH_ENOTFOUND, "index '%.63s' not found", name);
    lh__catalog_unlock(c);
    return rc;
}

int lh_catalog_mark_stale(struct lh_catalog *c, const char *dataset, struct lh_error *err)
{
    sqlite3 *db = lh__catalog_lock(c);
    sqlite3_stmt *st = lh__catalog_prep(c, db,
                            "UPDATE indexes SET stale = 1 WHERE dataset = ?1 AND generation > 0",
                            "s", err, "mark indexes stale", dataset);
    int rc = lh__catalog_done(c, st, err, "mark indexes stale");
    lh__catalog_unlock(c);
    return rc;
}

/* ---- index documents ---- */

void lh_index_docs_free(struct lh_index_doc *d, size_t n)
{
    for (size_t i = 0; d && i < n; i++) {
        free(d[i].doc_id);
        free(d[i].content_hash);
        free(d[i].batch_key);
    }
    free(d);
}

int lh_catalog_index_docs(struct lh_catalog *c, const char *name, struct lh_index_doc **out,
                          size_t *out_n, struct lh_error *err)
{
    struct lh_index_doc *v = NULL;
    size_t n = 0, cap = 0;
    *out = NULL;
    *out_n = 0;
    sqlite3 *db = lh__catalog_lock(c);
    sqlite3_stmt *st = lh__catalog_prep(c, db,
                            "SELECT d.doc_id, d.content_hash, d.first_label, d.n_chunks, "
                            "d.batch_key FROM index_docs d JOIN indexes i ON i.id = d.index_id "
                            "WHERE i.name = ?1 ORDER BY d.first_label",
                            "s", err, "read the index documents", name);
    int rc = st ? 0 : (err ? -err->code : -LH_EIO), s = SQLITE_DONE;
    while (st && (s = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            v = lh_xrealloc(v, cap * sizeof(*v));
        }
        v[n].doc_id = lh__catalog_dup(st, 0);
        v[n].content_hash = lh__catalog_dup(st, 1);
        v[n].first_label = sqlite3_column_int64(st, 2);
        v[n].n_chunks = sqlite3_column_int64(st, 3);
        v[n].batch_key = lh__catalog_dup(st, 4);
        n++;
    }
    if (st && s != SQLITE_DONE)
        rc = lh__catalog_error(c, s, err, "read the index documents");
    sqlite3_finalize(st);
    lh__catalog_unlock(c);
    if (rc) {
        lh_index_docs_free(v, n);
        return rc;
    }
    *out = v;
    *out_n = n;
    return 0;
}

int lh_catalog_index_docs_put(struct lh_catalog *c, const char *name,
                              const struct lh_index_doc *docs, size_t n, char *const *removed,
                              size_t n_removed, const char *job_id, int64_t job_done,
                              struct lh_error *err)
{
    sqlite3 *db = lh__catalog_lock(c);
    int rc = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        rc = lh__catalog_error(c, sqlite3_errcode(db), err, "start a transaction");
        goto out;
    }
    for (size_t i = 0; rc == 0 && i < n_removed; i++) {
        st = lh__catalog_prep(c, db,
                  "DELETE FROM index_docs WHERE index_id = (SELECT id FROM indexes WHERE "
                  "name = ?1) AND doc_id = ?2",
                  "ss", err, "forget a document", name, removed[i]);
        rc = lh__catalog_done(c, st, err, "forget a document");
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        st = lh__catalog_prep(c, db,
                  "INSERT OR REPLACE INTO index_docs(index_id, doc_id, content_hash, first_label, "
                  "n_chunks, batch_key) SELECT id, ?2, ?3, ?4, ?5, ?6 FROM indexes WHERE "
                  "name = ?1",
                  "sssiis", err, "record a document", name, docs[i].doc_id,
                  docs[i].content_hash, docs[i].first_label, docs[i].n_chunks,
                  docs[i].batch_key);
        rc = lh__catalog_done(c, st, err, "record a document");
    }
    if (rc == 0 && job_id) {
        st = lh__catalog_prep(c, db, "UPDATE jobs SET done = ?2, updated_ms = ?3 WHERE id = ?1", "sii", err,
                  "record job progress", job_id, job_done, lh__catalog_now_ms());
        rc = lh__catalog_done(c, st, err, "record job progress");
    }
    if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = lh__catalog_error(c, sqlite3_errcode(db), err, "commit");
    if (rc)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
out:
    lh__catalog_unlock(c);
    return rc;
}

/* ---- eval runs ---- */

#define EVAL_COLS                                                                             \
    "e.id, i.name, e.generation, e.k, e.queries, e.vectors, e.m, e.ef_construction, "         \
    "e.embedder, e.model, e.dims, e.exact_ms_mean, e.results_json, e.actor, e.created_ms"

void lh_index_evals_free(struct lh_index_eval *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].index);
        free(v[i].embedder);
        free(v[i].model);
        free(v[i].results_json);
        free(v[i].actor);
    }
    free(v);
}

static void eval_from_row(sqlite3_stmt *st, struct lh_index_eval *e)
{
    e->id = sqlite3_column_int64(st, 0);
    e->index = lh__catalog_dup(st, 1);
    e->generation = sqlite3_column_int64(st, 2);
    e->k = sqlite3_column_int64(st, 3);
    e->queries = sqlite3_column_int64(st, 4);
    e->vectors = sqlite3_column_int64(st, 5);
    e->m = sqlite3_column_int64(st, 6);
    e->ef_construction = sqlite3_column_int64(st, 7);
    e->embedder = lh__catalog_dup(st, 8);
    e->model = lh__catalog_dup(st, 9);
    e->dims = sqlite3_column_int64(st, 10);
    e->exact_ms_mean = sqlite3_column_double(st, 11);
    e->results_json = lh__catalog_dup(st, 12);
    e->actor = lh__catalog_dup(st, 13);
    e->created_ms = sqlite3_column_int64(st, 14);
}

int lh_catalog_eval_add(struct lh_catalog *c, const struct lh_index_eval *e, int64_t *out_id,
                        struct lh_error *err)
{
    sqlite3 *db = lh__catalog_lock(c);
    /* The index row is looked up in the same statement: no row inserted means no index. */
    sqlite3_stmt *st = lh__catalog_prep(c, db,
                            "INSERT INTO index_evals(index_id, generation, k, queries, vectors, m,"
                            " ef_construction, embedder, model, dims, exact_ms_mean, results_json,"
                            " actor, created_ms) SELECT id, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
                            " ?11, ?12, ?13, ?14 FROM indexes WHERE name = ?1",
                            "siiiiiissidssi", err, "record the eval run", e->index, e->generation,
                            e->k, e->queries, e->vectors, e->m, e->ef_construction,
                            e->embedder ? e->embedder : "", e->model ? e->model : "", e->dims,
                            e->exact_ms_mean, e->results_json ? e->results_json : "[]",
                            e->actor ? e->actor : "", e->created_ms ? e->created_ms : lh__catalog_now_ms());
    int rc = lh__catalog_done(c, st, err, "record the eval run");
    if (rc == 0 && sqlite3_changes(db) == 0)
        rc = lh_error_set(err, LH_ENOTFOUND, "index '%.63s' not found", e->index);
    if (rc == 0 && out_id)
        *out_id = sqlite3_last_insert_rowid(db);
    lh__catalog_unlock(c);
    return rc;
}

int lh_catalog_eval_list(struct lh_catalog *c, const char *index, int limit,
                         struct lh_index_eval **out, size_t *out_n, struct lh_error *err)
{
    struct lh_index_eval *v = NULL;
    size_t n = 0;
    *out = NULL;
    *out_n = 0;
    if (limit <= 0)
        limit = 100;
    if (limit > 1000)
        limit = 1000;
    struct lh_index_def *d = NULL;
    int rc = lh_catalog_index_get(c, index, &d, err); /* -LH_ENOTFOUND for an unknown index */
    lh_index_def_free(d);
    if (rc)
        return rc;
    sqlite3 *db = lh__catalog_lock(c);
    sqlite3_stmt *st = lh__catalog_prep(c, db,
                            "SELECT " EVAL_COLS " FROM index_evals e JOIN indexes i ON "
                            "i.id = e.index_id WHERE i.name = ?1 ORDER BY e.id DESC LIMIT ?2",
                            "si", err, "list eval runs", index, (int64_t)limit);
    rc = st ? 0 : (err ? -err->code : -LH_EIO);
    int s = SQLITE_DONE;
    while (st && (s = sqlite3_step(st)) == SQLITE_ROW) {
        v = lh_xrealloc(v, (n + 1) * sizeof(*v));
        memset(&v[n], 0, sizeof(v[n]));
        eval_from_row(st, &v[n++]);
    }
    if (st && s != SQLITE_DONE)
        rc = lh__catalog_error(c, s, err, "list eval runs");
    sqlite3_finalize(st);
    lh__catalog_unlock(c);
    if (rc) {
        lh_index_evals_free(v, n);
        return rc;
    }
    *out = v;
    *out_n = n;
    return 0;
}

/* ---- jobs ---- */

#define JOB_COLS                                                                                \
    "id, kind, target, state, done, total, params_json, error, actor, created_ms, updated_ms, " \
    "finished_ms"

void lh_job_free(struct lh_job *j)
{
    if (!j)
        return;
    free(j->kind);
    free(j->target);
    free(j->state);
    free(j->params_json);
    free(j->error);
    free(j->actor);
    free(j);
}

void lh_job_list_free(struct lh_job **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        lh_job_free(v[i]);
    free(v);
}

static struct lh_job *job_from_row(sqlite3_stmt *st)
{
    struct lh_job *j = lh_xcalloc(1, sizeof(*j));
    snprintf(j->id, sizeof(j->id), "%s", (const char *)sqlite3_column_text(st, 0) ?: "");
    j->kind = lh__catalog_dup(st, 1);
    j->target = lh__catalog_dup(st, 2);
    j->state = lh__catalog_dup(st, 3);
    j->done = sqlite3_column_int64(st, 4);
    j->total = sqlite3_column_int64(st, 5);
    j->params_json = lh__catalog_dup(st, 6);
    j->error = lh__catalog_dup(st, 7);
    j->actor = lh__catalog_dup(st, 8);
    j->created_ms = sqlite3_column_int64(st, 9);
    j->updated_ms = sqlite3_column_int64(st, 10);
    j->finished_ms = sqlite3_column_int64(st, 11);
    return j;
}

int lh_catalog_job_create(struct lh_catalog *c, const char *id, const char *kind,
                          const char *target, const char *params_json, const char *actor,
                          struct lh_error *err)
{
    sqlite3 *db = lh__catalog_lock(c);
    int64_t now = lh__catalog_now_ms();
    sqlite3_stmt *st = lh__catalog_prep(c, db,
                            "INSERT INTO jobs(id, kind, target, state, params_json, actor, "
                            "created_ms, updated_ms) VALUES (?1, ?2, ?3, 'queued', ?4, ?5, ?6, ?6)",
                            "sssssi", err, "create the job", id, kind, target,
                            params_json ? params_json : "{}", actor ? actor : "", now);
    int rc = lh__catalog_done(c, st, err, "create the job");
    lh__catalog_unlock(c);
    return rc;
}

int lh_catalog_job_update(struct lh_catalog *c, const char *id, const char *state, int64_t done_n,
                          int64_t total, const char *error, struct lh_error *err)
{
    sqlite3 *db = lh__catalog_lock(c);
    int64_t now = lh__catalog_now_ms();
    bool final = state && (!strcmp(state, "done") || !strcmp(state, "failed") ||
                           !strcmp(state, "canceled"));
    sqlite3_stmt *st = lh__catalog_prep(c, db,
                            "UPDATE jobs SET state = coalesce(?2, state), "
                            "done = CASE WHEN ?3 >= 0 THEN ?3 ELSE done END, "
                            "total = CASE WHEN ?4 >= 0 THEN ?4 ELSE total END, "
                            "error = coalesce(?5, error), updated_ms = ?6, "
                            "finished_ms = CASE WHEN ?7 THEN ?6 ELSE finished_ms END WHERE id = ?1",
                            "ssiisii", err, "update the job", id, state, done_n, total, error, now,
                            (int64_t)final);
    int rc = lh__catalog_done(c, st, err, "update the job");
    if (rc == 0 && sqlite3_changes(db) == 0)
        rc = lh_error_set(err, LH_ENOTFOUND, "job '%.40s' not found", id);
    lh__catalog_unlock(c);
    return rc;
}

int lh_catalog_job_get(struct lh_catalog *c, const char *id, struct lh_job **out,
                       struct lh_error *err)
{
    *out = NULL;
    sqlite3 *db = lh__catalog_lock(c);
    sqlite3_stmt *st = lh__catalog_prep(c, db, "SELECT " JOB_COLS " FROM jobs WHERE id = ?1", "s", err,
                            "read the job", id);
    int rc = st ? 0 : (err ? -err->code : -LH_EIO);
    if (st) {
        int s = sqlite3_step(st);
        if (s == SQLITE_ROW)
            *out = job_from_row(st);
        else if (s == SQLITE_DONE)
            rc = lh_error_set(err, LH_ENOTFOUND, "job '%.40s' not found", id);
        else
            rc = lh__catalog_error(c, s, err, "read the job");
        sqlite3_finalize(st);
    }
    lh__catalog_unlock(c);
    return rc;
}

int lh_catalog_job_list(struct lh_catalog *c, const char *state, int limit, struct lh_job ***out,
                        size_t *out_n, struct lh_error *err)
{
    struct lh_job **v = NULL;
    size_t n = 0;
    *out = NULL;
    *out_n = 0;
    sqlite3 *db = lh__catalog_lock(c);
    sqlite3_stmt *st = lh__catalog_prep(c, db,
                            "SELECT " JOB_COLS " FROM jobs WHERE ?1 IS NULL OR state = ?1 "
                            "ORDER BY created_ms DESC, id LIMIT ?2",
                            "si", err, "list jobs", state, (int64_t)(limit > 0 ? limit : 100));
    int rc = st ? 0 : (err ? -err->code : -LH_EIO), s = SQLITE_DONE;
    while (st && (s = sqlite3_step(st)) == SQLITE_ROW) {
        v = lh_xrealloc(v, (n + 1) * sizeof(*v));
        v[n++] = job_from_row(st);
    }
    if (st && s != SQLITE_DONE)
        rc = lh__catalog_error(c, s, err, "list jobs");
    sqlite3_finalize(st);
    lh__catalog_unlock(c);
    if (rc) {
        lh_job_list_free(v, n);
        return rc;
    }
    *out = v;
    *out_n = n;
    return 0;
}
