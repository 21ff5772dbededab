/* SPDX-License-Identifier: MIT */
/* lake.c - open/close a data folder and wire the catalog into the SQL engine. */
#include "lh_common.h"
#include "lake.h"
#include "lake_int.h"
#include "buf.h"
#include "fs.h"
#include "hash.h"
#include "log.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *lh__keys_sig(char **keys, size_t n)
{
    struct lh_buf b = LH_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        lh_buf_puts(&b, keys[i]);
        lh_buf_putc(&b, '\n');
    }
    return lh_buf_detach(&b);
}

/* Dataset name (lower case, checked) -> its files, or its hot-cache copy. */
int lh__lake_files_source(struct lh_lake *l, const char *name, struct lh_sql_source *out)
{
    char **keys = NULL;
    size_t nk = 0;
    int rc = lh_catalog_files(l->cat, name, &keys, &nk, NULL);
    if (rc)
        return rc;
    if (nk == 0) {
        lh_strv_free(keys, nk);
        return -LH_ENOTFOUND;
    }
    char *sig = lh__keys_sig(keys, nk);
    out->cached_table = lh__cache_lookup(l, name, sig);
    free(sig);
    if (!out->cached_table) {
        out->paths = lh_xcalloc(nk, sizeof(*out->paths));
        for (size_t i = 0; i < nk; i++)
            out->paths[i] = lh_store_local_path(l->store, keys[i]);
        out->n_paths = nk;
    }
    lh_strv_free(keys, nk);
    return 0;
}

/* The SQL engine's replacement scan asks here what a name reads, for whom. */
static int resolve(void *ud, const void *ctx, const char *name, struct lh_sql_source *out)
{
    return lh__lake_resolve(ud, ctx, name, out);
}

void lh__lake_retire(struct lh_lake *l, char **keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *path = lh_store_local_path(l->store, keys[i]);
        bool busy = path && lh_sql_path_in_use(l->sql, path);
        free(path);
        if (!busy) {
            struct lh_error e2;
            if (lh_store_del(l->store, keys[i], &e2) && e2.code != LH_ENOTFOUND)
                LH_LOG(LH_LOG_WARN, "lake", "msg=\"cannot remove retired file\" key=%s", keys[i]);
            continue;
        }
        pthread_mutex_lock(&l->st->mu);
        l->st->retired = lh_xrealloc(l->st->retired, (l->st->n_retired + 1) * sizeof(char *));
        l->st->retired[l->st->n_retired++] = lh_xstrdup(keys[i]);
        pthread_mutex_unlock(&l->st->mu);
        LH_LOG(LH_LOG_DEBUG, "lake", "msg=\"file retired while in use\" key=%s", keys[i]);
    }
}

void lh__lake_purge(void *lake)
{
    struct lh_lake *l = lake;
    char **todo;
    size_t n;
    /* take the list, then check outside the lock (lh_sql_path_in_use may wait for a
     * binding query, which may need this lock to resolve its names) */
    pthread_mutex_lock(&l->st->mu);
    todo = l->st->retired;
    n = l->st->n_retired;
    l->st->retired = NULL;
    l->st->n_retired = 0;
    pthread_mutex_unlock(&l->st->mu);
    if (n)
        lh__lake_retire(l, todo, n);
    lh_strv_free(todo, n);
}

struct task {
    struct lh_lake *l;
    void (*fn)(struct lh_lake *l, void *arg);
    void *arg;
};

static void *task_main(void *p)
{
    struct task *t = p;
    t->fn(t->l, t->arg);
    pthread_mutex_lock(&t->l->st->mu);
    t->l->st->tasks--;
    pthread_cond_broadcast(&t->l->st->cv);
    pthread_mutex_unlock(&t->l->st->mu);
    free(t);
    return NULL;
}

int lh__lake_spawn(struct lh_lake *l, void (*fn)(struct lh_lake *l, void *arg), void *arg)
{
    struct task *t = lh_xcalloc(1, sizeof(*t));
    pthread_t th;
    pthread_attr_t attr;
    t->l = l;
    t->fn = fn;
    t->arg = arg;
    pthread_mutex_lock(&l->st->mu);
    if (l->st->closing) {
        pthread_mutex_unlock(&l->st->mu);
        free(t);
        return -LH_ECANCELED;
    }
    l->st->tasks++;
    pthread_mutex_unlock(&l->st->mu);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&th, &attr, task_main, t);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        pthread_mutex_lock(&l->st->mu);
        l->st->tasks--;
        pthread_mutex_unlock(&l->st->mu);
        free(t);
        return -LH_EINTERNAL;
    }
    return 0;
}

int lh_lake_open(const struct lh_config *cfg, struct lh_lake **out, struct lh_error *err)
{
    struct lh_lake *l = lh_xcalloc(1, sizeof(*l));
    char *bucket = NULL, *catpath = NULL, *auditpath = NULL;
    int rc;

    *out = NULL;
    l->cfg = cfg;
    l->st = lh_xcalloc(1, sizeof(*l->st));
    pthread_mutex_init(&l->st->mu, NULL);
    pthread_cond_init(&l->st->cv, NULL);
    l->data_dir = lh_fs_abspath(cfg->data_dir);
    l->tmp_dir = lh_xasprintf("%s/tmp", l->data_dir);
    bucket = lh_xasprintf("%s/primary", l->data_dir);
    catpath = lh_xasprintf("%s/catalog.db", l->data_dir);
    auditpath = lh_xasprintf("%s/audit.db", l->data_dir);
    if ((rc = lh_fs_mkdir_p(l->data_dir, err)) || (rc = lh_fs_mkdir_p(l->tmp_dir, err)))
        goto fail;
    if ((rc = lh_store_local_open(bucket, &l->store, err)))
        goto fail;
    if ((rc = lh_catalog_open(catpath, &l->cat, err)) ||
        (rc = lh_audit_open(auditpath, &l->audit, err)))
        goto fail;
    struct lh_sql_opts so = {l->data_dir, cfg->duckdb_threads, cfg->duckdb_memory_limit};
    if ((rc = lh_sql_open(&so, &l->sql, err)))
        goto fail;
    lh_sql_set_resolver(l->sql, resolve, l);
    lh_sql_set_release_hook(l->sql, lh__lake_purge, l);
    lh_sql_set_searcher(l->sql, lh__vec_searcher, l);
    free(bucket);
    free(catpath);
    free(auditpath);
    *out = l;
    return 0;
fail:
    free(bucket);
    free(catpath);
    free(auditpath);
    lh_lake_close(l);
    return rc;
}

void lh_lake_close(struct lh_lake *l)
{
    if (!l)
        return;
    /* let background tasks (compaction, cache loads) finish */
    pthread_mutex_lock(&l->st->mu);
    l->st->closing = true;
    while (l->st->tasks > 0)
        pthread_cond_wait(&l->st->cv, &l->st->mu);
    pthread_mutex_unlock(&l->st->mu);
    if (l->sql)
        lh__lake_purge(l);
    lh__cache_release_all(l);
    lh__index_unload_all(l);
    lh_sql_close(l->sql);
    lh_catalog_close(l->cat);
    lh_audit_close(l->audit);
    lh_store_close(l->store);
    free(l->data_dir);
    free(l->tmp_dir);
    lh_strv_free(l->st->retired, l->st->n_retired);
    lh_strv_free(l->st->compacting, l->st->n_compacting);
    pthread_mutex_destroy(&l->st->mu);
    pthread_cond_destroy(&l->st->cv);
    free(l->st);
    free(l);
}

char *lh_lake_tmp_path(struct lh_lake *l, const char *suffix)
{
    char id[25];
    lh_random_hex(id, 12);
    return lh_xasprintf("%s/%ld-%s%s", l->tmp_dir, (long)getpid(), id, suffix ? suffix : "");
}

int lh_ingest_mode_parse(const char *s, enum lh_ingest_mode *out)
{
    if (!s || strcmp(s, "create") == 0)
        *out = LH_INGEST_CREATE;
    else if (strcmp(s, "replace") == 0)
        *out = LH_INGEST_REPLACE;
    else if (strcmp(s, "append") == 0)
        *out = LH_INGEST_APPEND;
    else
        return -LH_EINVAL;
    return 0;
}

void lh_lake_name_from_path(const char *path, char out[64])
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    size_t j = 0;
    for (size_t i = 0; i < n && j < 63; i++) {
        unsigned char c = (unsigned char)base[i];
        if (isalnum(c) && c < 0x80) {
            if (j == 0 && isdigit(c))
                out[j++] = '_';
            if (j < 63)
                out[j++] = (char)tolower(c);
        } else if (j > 0 && out[j - 1] != '_') {
            out[j++] = '_';
        }
    }
    while (j > 1 && out[j - 1] == '_')
        j--;
    if (j == 0 || (j == 1 && out[0] == '_'))
        j = (size_t)snprintf(out, 64, "dataset");
    out[j] = '\0';
}
