/* SPDX-License-Identifier: MIT */
/* lake_compact.c - compaction: merge a dataset's small files into one, swapped in atomically. */
#include "lh_common.h"
#include "lake.h"
#include "lake_int.h"
#include "buf.h"
#include "hash.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_TARGET (128LL << 20)

/* Marks the dataset as being compacted; false if it already is. */
static bool claim(struct lh_lake *l, const char *name)
{
    struct lh__lake_state *st = l->st;
    bool ok = true;
    pthread_mutex_lock(&st->mu);
    for (size_t i = 0; i < st->n_compacting && ok; i++)
        ok = strcmp(st->compacting[i], name) != 0;
    if (ok) {
        st->compacting = lh_xrealloc(st->compacting, (st->n_compacting + 1) * sizeof(char *));
        st->compacting[st->n_compacting++] = lh_xstrdup(name);
    }
    pthread_mutex_unlock(&st->mu);
    return ok;
}

static void unclaim(struct lh_lake *l, const char *name)
{
    struct lh__lake_state *st = l->st;
    pthread_mutex_lock(&st->mu);
    for (size_t i = 0; i < st->n_compacting; i++) {
        if (strcmp(st->compacting[i], name) == 0) {
            free(st->compacting[i]);
            st->compacting[i] = st->compacting[--st->n_compacting];
            break;
        }
    }
    pthread_mutex_unlock(&st->mu);
}

/* The merged file keeps every source checksum ("a,b,c"), so dedup still recognises
 * content that was ingested before compaction. */
static char *join_sources(const struct lh_file *f, const size_t *idx, size_t n)
{
    struct lh_buf b = LH_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        const char *s = f[idx[i]].source_sha256;
        if (!s || !s[0])
            continue;
        if (b.len)
            lh_buf_putc(&b, ',');
        lh_buf_puts(&b, s);
    }
    return b.len ? lh_buf_detach(&b) : (lh_buf_release(&b), NULL);
}

int lh_lake_compact(struct lh_lake *l, const char *name, int64_t target_bytes, const char *actor,
                    struct lh_compact_result *out, struct lh_error *err)
{
    struct lh_dataset *d = NULL;
    size_t *pick = NULL, n_pick = 0;
    char **paths = NULL, **old_keys = NULL, *staged = NULL, *key = NULL, *sources = NULL;
    char *tomb = NULL;
    int64_t tomb_max = 0, rows_before = 0;
    bool stored = false;
    int lock_fd = -1;
    int rc;

    memset(out, 0, sizeof(*out));
    if (target_bytes <= 0)
        target_bytes = DEFAULT_TARGET;
    if ((rc = lh_catalog_name_check(name, err)))
        return rc;
    if (!claim(l, name))
        return lh_error_set(err, LH_ECONFLICT, "dataset '%s' is being compacted already", name);
    if ((rc = lh_catalog_get(l->cat, name, &d, err)))
        goto out;
    out->files_before = (int64_t)d->n_files;
    out->files_after = (int64_t)d->n_files;
    pick = lh_xcalloc(d->n_files ? d->n_files : 1, sizeof(*pick));
    /* tombstoned rows are dropped physically: then every file is rewritten */
    tomb = lh__lake_tombstone_where(l, name, &tomb_max);
    for (size_t i = 0; i < d->n_files; i++)
        if (tomb || d->files[i].size_bytes < target_bytes)
            pick[n_pick++] = i;
    if (n_pick < (tomb ? 1u : 2u))
        goto out; /* nothing to merge */

    paths = lh_xcalloc(n_pick, sizeof(*paths));
    old_keys = lh_xcalloc(n_pick, sizeof(*old_keys));
    for (size_t i = 0; i < n_pick; i++) {
        const struct lh_file *f = &d->files[pick[i]];
        paths[i] = lh_store_local_path(l->store, f->key);
        old_keys[i] = lh_xstrdup(f->key);
        out->bytes_before += f->size_bytes;
        rows_before += f->rows;
    }
    staged = lh_lake_tmp_path(l, ".parquet");
    if ((rc = lh_sql_merge_files(l->sql, paths, n_pick, tomb, staged, &out->rows, err)))
        goto out;
    struct stat st;
    if (stat(staged, &st) != 0) {
        rc = lh_error_set(err, LH_EIO, "merged file vanished");
        goto out;
    }
    out->bytes_after = st.st_size;
    char uuid[37];
    lh_uuid4(uuid);
    key = lh_xasprintf("datasets/%s/%s.parquet", name, uuid);
    sources = join_sources(d->files, pick, n_pick);
    char label[64];
    snprintf(label, sizeof(label), "compaction of %zu files", n_pick);
    struct lh_file merged = {0, key, out->rows, st.st_size, sources, label, 0};

    if ((rc = lh__lake_lock(l, false, &lock_fd, err)) ||
        (rc = lh_store_put_file(l->store, key, staged, LH_STORE_PUT_MOVE, err)))
        goto out;
    stored = true;
    if ((rc = lh_catalog_swap_files(l->cat, name, old_keys, n_pick, &merged, 1,
                                    rows_before - out->rows, actor, &out->snapshot_id, err)))
        goto out;
    stored = false;
    lh__lake_unlock(&lock_fd);
    out->files_merged = (int64_t)n_pick;
    out->files_after = out->files_before - (int64_t)n_pick + 1;
    lh__lake_retire(l, old_keys, n_pick);
    lh__cache_changed(l, name, false);
    if (tomb) {
        struct lh_error e2;
        if (lh_catalog_tombstones_purged(l->cat, name, tomb_max, key, &e2))
            LH_LOG(LH_LOG_WARN, "lake", "msg=\"cannot mark tombstones purged\" dataset=%s", name);
    }
    LH_LOG(LH_LOG_INFO, "lake", "msg=compacted dataset=%s files=%zu->1 rows=%lld snapshot=%lld",
           name, n_pick, (long long)out->rows, (long long)out->snapshot_id);
out:
    if (stored) {
        struct lh_error e2;
        lh_store_del(l->store, key, &e2);
    }
    lh__lake_unlock(&lock_fd);
    if (staged) {
        unlink(staged);
        free(staged);
    }
    lh_strv_free(paths, n_pick);
    lh_strv_free(old_keys, old_keys ? n_pick : 0);
    free(pick);
    free(key);
    free(sources);
    free(tomb);
    lh_dataset_free(d);
    unclaim(l, name);
    return rc;
}

struct compact_job {
    char name[64];
    char actor[80];
    int64_t target;
};

static void compact_task(struct lh_lake *l, void *arg)
{
    struct compact_job *j = arg;
    struct lh_compact_result r;
    struct lh_error err;
    if (lh_lake_compact(l, j->name, j->target, j->actor, &r, &err))
        LH_LOG(LH_LOG_WARN, "lake", "msg=\"compaction failed\" dataset=%s error=\"%s\"", j->name,
               err.msg);
    free(j);
}

int lh_lake_compact_async(struct lh_lake *l, const char *name, int64_t target_bytes,
                          const char *actor, struct lh_error *err)
{
    struct lh_dataset *d = NULL;
    int rc;
    if ((rc = lh_catalog_name_check(name, err)) || (rc = lh_catalog_get(l->cat, name, &d, err)))
        return rc;
    lh_dataset_free(d);
    struct compact_job *j = lh_xcalloc(1, sizeof(*j));
    snprintf(j->name, sizeof(j->name), "%s", name);
    snprintf(j->actor, sizeof(j->actor), "%s", actor ? actor : "");
    j->target = target_bytes;
    if ((rc = lh__lake_spawn(l, compact_task, j))) {
        free(j);
        return lh_error_set(err, -rc, "cannot start the compaction task");
    }
    return 0;
}

void lh_lake_compact_json(const char *name, const struct lh_compact_result *r, struct lh_buf *b)
{
    lh_buf_printf(b,
                  "{\"dataset\":\"%s\",\"files_before\":%lld,\"files_after\":%lld,"
                  "\"files_merged\":%lld,\"bytes_before\":%lld,\"bytes_after\":%lld,"
                  "\"rows\":%lld,\"snapshot_id\":%lld}",
                  name, (long long)r->files_before, (long long)r->files_after,
                  (long long)r->files_merged, (long long)r->bytes_before,
                  (long long)r->bytes_after, (long long)r->rows, (long long)r->snapshot_id);
}
