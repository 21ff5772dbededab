/* SPDX-License-Identifier: MIT */
/* lake_cache.c - the hot cache: datasets pinned in DuckDB memory under an LRU byte budget.
 *
 * A pinned dataset is copied into a table of the query engine (lh_cache.<name>_<gen>). The
 * name resolver hands queries that copy while its file list still matches the catalog's;
 * when the dataset changes (here or in another process) queries go back to the files at
 * once and a background task loads a fresh copy. Pinning past the budget evicts the least
 * recently used copies; a dataset larger than the whole budget is refused. */
#include "lh_common.h"
#include "lake.h"
#include "lake_int.h"
#include "buf.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Caller holds st->mu. */
static struct lh__cache_entry *find(struct lh__lake_state *st, const char *dataset)
{
    for (size_t i = 0; i < st->n_cache; i++)
        if (strcmp(st->cache[i].dataset, dataset) == 0)
            return &st->cache[i];
    return NULL;
}

/* Removes entry i; returns its table name to drop (malloc'd) once the lock is released. */
static char *remove_at(struct lh__lake_state *st, size_t i)
{
    char *table = lh_xasprintf("%s", st->cache[i].table);
    st->cache_bytes -= st->cache[i].bytes;
    free(st->cache[i].sig);
    st->cache[i] = st->cache[--st->n_cache];
    return table;
}

char *lh__cache_lookup(struct lh_lake *l, const char *dataset, const char *sig);

struct load_job {
    char dataset[64];
};

static int load(struct lh_lake *l, const char *dataset, bool refresh, struct lh_cache_info *info,
                struct lh_error *err);

static void refresh_task(struct lh_lake *l, void *arg)
{
    struct load_job *j = arg;
    struct lh_error err;
    if (load(l, j->dataset, true, NULL, &err))
        LH_LOG(LH_LOG_WARN, "cache", "msg=\"refresh failed\" dataset=%s error=\"%s\"", j->dataset,
               err.msg);
    free(j);
}

char *lh__cache_lookup(struct lh_lake *l, const char *dataset, const char *sig)
{
    struct lh__lake_state *st = l->st;
    char *table = NULL;
    bool refresh = false;
    pthread_mutex_lock(&st->mu);
    struct lh__cache_entry *e = find(st, dataset);
    if (e && e->state == CACHE_READY && strcmp(e->sig, sig) == 0) {
        table = lh_xasprintf("lh_cache.%s", e->table);
        e->hits++;
        e->last_used_ms = now_ms();
    } else if (e && e->state == CACHE_READY) {
        e->state = CACHE_STALE; /* changed, maybe by another process */
        refresh = true;
    }
    pthread_mutex_unlock(&st->mu);
    if (refresh) {
        struct load_job *j = lh_xcalloc(1, sizeof(*j));
        snprintf(j->dataset, sizeof(j->dataset), "%s", dataset);
        if (lh__lake_spawn(l, refresh_task, j))
            free(j);
    }
    return table;
}

void lh__cache_changed(struct lh_lake *l, const char *dataset, bool deleted)
{
    struct lh__lake_state *st = l->st;
    char *drop = NULL;
    bool refresh = false;
    pthread_mutex_lock(&st->mu);
    for (size_t i = 0; i < st->n_cache; i++) {
        if (strcmp(st->cache[i].dataset, dataset) != 0)
            continue;
        if (deleted) {
            drop = remove_at(st, i);
        } else if (st->cache[i].state == CACHE_READY) {
            st->cache[i].state = CACHE_STALE;
            refresh = true;
        }
        break;
    }
    pthread_mutex_unlock(&st->mu);
    if (drop) {
        lh_sql_cache_drop(l->sql, drop);
        free(drop);
    }
    if (refresh) {
        struct load_job *j = lh_xcalloc(1, sizeof(*j));
        snprintf(j->dataset, sizeof(j->dataset), "%s", dataset);
        if (lh__lake_spawn(l, refresh_task, j))
            free(j);
    }
}

void lh__cache_release_all(struct lh_lake *l)
{
    struct lh__lake_state *st = l->st;
    for (size_t i = 0; i < st->n_cache; i++)
        free(st->cache[i].sig);
    free(st->cache);
    st->cache = NULL;
    st->n_cache = 0;
    st->cache_bytes = 0;
}

static void fill_info(const struct lh__cache_entry *e, struct lh_cache_info *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->dataset, sizeof(out->dataset), "%s", e->dataset);
    out->bytes = e->bytes;
    out->rows = e->rows;
    out->hits = e->hits;
    out->loaded_ms = e->loaded_ms;
    out->last_used_ms = e->last_used_ms;
    out->state = e->state == CACHE_READY ? "ready" : e->state == CACHE_STALE ? "refreshing"
                                                                          : "loading";
}

/* Loads (or reloads) a dataset's copy. `refresh` only reloads an entry that is still pinned. */
static int load(struct lh_lake *l, const char *dataset, bool refresh, struct lh_cache_info *info,
                struct lh_error *err)
{
    struct lh__lake_state *st = l->st;
    int64_t budget = l->cfg->cache_bytes, bytes = 0, rows = 0;
    char **keys = NULL, **paths = NULL, **evict = NULL;
    size_t nk = 0, n_evict = 0;
    char *sig = NULL;
    char table[96];
    int rc;

    if ((rc = lh_catalog_name_check(dataset, err)) ||
        (rc = lh_catalog_files(l->cat, dataset, &keys, &nk, err)))
        return rc;
    if (nk == 0) {
        rc = lh_error_set(err, LH_ENOTFOUND, "dataset '%s' has no data", dataset);
        goto out;
    }
    sig = lh__keys_sig(keys, nk);
    paths = lh_xcalloc(nk, sizeof(*paths));
    for (size_t i = 0; i < nk; i++)
        paths[i] = lh_store_local_path(l->store, keys[i]);
    if ((rc = lh_sql_estimate_bytes(l->sql, paths, nk, &bytes, &rows, err)))
        goto out;
    if (bytes > budget) {
        rc = lh_error_set(err, LH_ELIMIT,
                          "dataset '%s' needs about %lld bytes in memory; the cache budget "
                          "(cache_bytes) is %lld",
                          dataset, (long long)bytes, (long long)budget);
        goto out;
    }

    /* reserve: evict least recently used copies until this one fits */
    pthread_mutex_lock(&st->mu);
    struct lh__cache_entry *e = find(st, dataset);
    if (refresh && !e) { /* unpinned meanwhile */
        pthread_mutex_unlock(&st->mu);
        goto out;
    }
    if (e && e->state == CACHE_READY && strcmp(e->sig, sig) == 0) {
        if (info)
            fill_info(e, info);
        pthread_mutex_unlock(&st->mu);
        goto out; /* already current */
    }
    int64_t mine = e ? e->bytes : 0;
    while (st->cache_bytes - mine + bytes > budget) {
        size_t victim = SIZE_MAX;
        for (size_t i = 0; i < st->n_cache; i++) {
            if (strcmp(st->cache[i].dataset, dataset) == 0)
                continue;
            if (victim == SIZE_MAX || st->cache[i].last_used_ms < st->cache[victim].last_used_ms)
                victim = i;
        }
        if (victim == SIZE_MAX)
            break;
        LH_LOG(LH_LOG_INFO, "cache", "msg=evicted dataset=%s bytes=%lld",
               st->cache[victim].dataset, (long long)st->cache[victim].bytes);
        evict = lh_xrealloc(evict, (n_evict + 1) * sizeof(*evict));
        evict[n_evict++] = remove_at(st, victim);
        e = find(st, dataset); /* remove_at moves entries */
    }
    if (!e) {
        st->cache = lh_xrealloc(st->cache, (st->n_cache + 1) * sizeof(*st->cache));
        e = &st->cache[st->n_cache++];
        memset(e, 0, sizeof(*e));
        snprintf(e->dataset, sizeof(e->dataset), "%s", dataset);
        e->sig = lh_xstrdup("");
        e->state = CACHE_LOADING;
    }
    st->cache_bytes += bytes - e->bytes;
    e->bytes = bytes; /* reserved while loading */
    uint64_t gen = ++st->cache_gen;
    snprintf(table, sizeof(table), "%s_%llu", dataset, (unsigned long long)gen);
    pthread_mutex_unlock(&st->mu);

    for (size_t i = 0; i < n_evict; i++)
        lh_sql_cache_drop(l->sql, evict[i]);

    int64_t t0 = now_ms();
    rc = lh_sql_cache_load(l->sql, table, paths, nk, err);

    char *old_table = NULL;
    pthread_mutex_lock(&st->mu);
    e = find(st, dataset);
    if (rc) {
        if (e && e->state == CACHE_LOADING) /* never loaded: forget it */
            free(remove_at(st, (size_t)(e - st->cache)));
    } else if (!e) {
        old_table = lh_xasprintf("%s", table); /* unpinned while loading */
    } else {
        if (e->table[0])
            old_table = lh_xasprintf("%s", e->table);
        snprintf(e->table, sizeof(e->table), "%s", table);
        free(e->sig);
        e->sig = lh_xstrdup(sig);
        e->state = CACHE_READY;
        e->rows = rows;
        e->gen = gen;
        e->loaded_ms = now_ms();
        if (!e->last_used_ms)
            e->last_used_ms = e->loaded_ms;
        if (info)
            fill_info(e, info);
    }
    pthread_mutex_unlock(&st->mu);
    if (old_table) {
        lh_sql_cache_drop(l->sql, old_table);
        free(old_table);
    }
    if (!rc)
        LH_LOG(LH_LOG_INFO, "cache", "msg=loaded dataset=%s rows=%lld bytes=%lld ms=%lld",
               dataset, (long long)rows, (long long)bytes, (long long)(now_ms() - t0));
out:
    lh_strv_free(evict, n_evict);
    lh_strv_free(paths, nk);
    lh_strv_free(keys, nk);
    free(sig);
    return rc;
}

int lh_lake_cache_pin(struct lh_lake *l, const char *dataset, struct lh_cache_info *out,
                      struct lh_error *err)
{
    return load(l, dataset, false, out, err);
}

int lh_lake_cache_evict(struct lh_lake *l, const char *dataset, struct lh_error *err)
{
    struct lh__lake_state *st = l->st;
    char *drop = NULL;
    pthread_mutex_lock(&st->mu);
    struct lh__cache_entry *e = find(st, dataset);
    if (e)
        drop = remove_at(st, (size_t)(e - st->cache));
    pthread_mutex_unlock(&st->mu);
    if (!drop)
        return lh_error_set(err, LH_ENOTFOUND, "dataset '%.63s' is not pinned", dataset);
    lh_sql_cache_drop(l->sql, drop);
    free(drop);
    return 0;
}

void lh_lake_cache_stats_json(struct lh_lake *l, struct lh_buf *b)
{
    struct lh__lake_state *st = l->st;
    pthread_mutex_lock(&st->mu);
    lh_buf_printf(b, "{\"budget_bytes\":%lld,\"used_bytes\":%lld,\"entries\":[",
                  (long long)l->cfg->cache_bytes, (long long)st->cache_bytes);
    for (size_t i = 0; i < st->n_cache; i++) {
        struct lh_cache_info ci;
        fill_info(&st->cache[i], &ci);
        lh_buf_printf(b,
                      "%s{\"dataset\":\"%s\",\"state\":\"%s\",\"bytes\":%lld,\"rows\":%lld,"
                      "\"hits\":%lld,\"loaded_ms\":%lld,\"last_used_ms\":%lld}",
                      i ? "," : "", ci.dataset, ci.state, (long long)ci.bytes, (long long)ci.rows,
                      (long long)ci.hits, (long long)ci.loaded_ms, (long long)ci.last_used_ms);
    }
    lh_buf_puts(b, "]}");
    pthread_mutex_unlock(&st->mu);
}

void lh_lake_cache_info_json(const struct lh_cache_info *ci, struct lh_buf *b)
{
    lh_buf_printf(b,
                  "{\"dataset\":\"%s\",\"state\":\"%s\",\"bytes\":%lld,\"rows\":%lld,"
                  "\"hits\":%lld,\"loaded_ms\":%lld}",
                  ci->dataset, ci->state, (long long)ci->bytes, (long long)ci->rows,
                  (long long)ci->hits, (long long)ci->loaded_ms);
}
