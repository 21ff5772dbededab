/* SPDX-License-Identifier: MIT */
/* lake_maint.c - maintenance use-cases: delete a dataset, gc, resync from Parquet footers. */
#include "lh_common.h"
#include "lake.h"
#include "lake_int.h"
#include "buf.h"
#include "fs.h"
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int lh__lake_lock(struct lh_lake *l, bool exclusive, int *fd, struct lh_error *err)
{
    char *path = lh_xasprintf("%s/lake.lock", l->data_dir);
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    free(path);
    if (*fd < 0)
        return lh_error_set(err, LH_EIO, "cannot open the data folder lock: %s", strerror(errno));
    while (flock(*fd, exclusive ? LOCK_EX : LOCK_SH) != 0) {
        if (errno != EINTR) {
            int e = errno;
            close(*fd);
            *fd = -1;
            return lh_error_set(err, LH_EIO, "cannot lock the data folder: %s", strerror(e));
        }
    }
    return 0;
}

void lh__lake_unlock(int *fd)
{
    if (*fd >= 0) {
        flock(*fd, LOCK_UN);
        close(*fd);
        *fd = -1;
    }
}

int lh_lake_delete(struct lh_lake *l, const char *name, const char *actor, struct lh_error *err)
{
    char **removed = NULL;
    size_t n = 0;
    int64_t snap;
    int rc = lh_catalog_name_check(name, err);
    if (rc)
        return rc;
    if ((rc = lh_catalog_delete(l->cat, name, actor, &snap, &removed, &n, err)))
        return rc;
    lh__lake_retire(l, removed, n);
    lh_strv_free(removed, n);
    lh__cache_changed(l, name, true);
    LH_LOG(LH_LOG_INFO, "lake", "msg=deleted dataset=%s snapshot=%lld", name, (long long)snap);
    return 0;
}

/* ---- gc ---- */

struct gc_walk {
    struct lh_lake *l;
    char **keep;
    size_t n_keep;
    struct lh_gc_result *res;
    char **doomed;
    size_t n_doomed, cap;
    int64_t *sizes;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int gc_visit(void *ud, const char *key, const struct lh_store_stat *st)
{
    struct gc_walk *w = ud;
    const char *k = key;
    if (w->n_keep && bsearch(&k, w->keep, w->n_keep, sizeof(char *), cmp_str)) {
        w->res->files_kept++;
        return 0;
    }
    if (w->n_doomed == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 64;
        w->doomed = lh_xrealloc(w->doomed, w->cap * sizeof(char *));
        w->sizes = lh_xrealloc(w->sizes, w->cap * sizeof(int64_t));
    }
    w->sizes[w->n_doomed] = st->size;
    w->doomed[w->n_doomed++] = lh_xstrdup(key);
    return 0;
}

/* Staging files are named <pid>-<random>.<ext>; a file whose process is gone is abandoned. */
static void gc_tmp(struct lh_lake *l, struct lh_gc_result *res)
{
    DIR *d = opendir(l->tmp_dir);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (end == e->d_name || *end != '-' || pid <= 0)
            continue;
        if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char *p = lh_xasprintf("%s/%s", l->tmp_dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) && unlink(p) == 0) {
            res->files_removed++;
            res->bytes_removed += st.st_size;
        }
        free(p);
    }
    closedir(d);
}

int lh_lake_gc(struct lh_lake *l, struct lh_gc_result *out, struct lh_error *err)
{
    struct gc_walk w = {0};
    int lock_fd = -1;
    int rc;
    memset(out, 0, sizeof(*out));
    w.l = l;
    w.res = out;
    if ((rc = lh__lake_lock(l, true, &lock_fd, err)))
        return rc;
    if ((rc = lh_catalog_keys(l->cat, &w.keep, &w.n_keep, err)))
        goto out;
    if (w.n_keep)
        qsort(w.keep, w.n_keep, sizeof(char *), cmp_str);
    if ((rc = lh_store_list(l->store, "datasets/", gc_visit, &w, err)))
        goto out;
    for (size_t i = 0; i < w.n_doomed; i++) {
        struct lh_error e2;
        char *path = lh_store_local_path(l->store, w.doomed[i]);
        bool busy = path && lh_sql_path_in_use(l->sql, path); /* retired, still read */
        free(path);
        if (busy) {
            out->files_kept++;
            continue;
        }
        if (lh_store_del(l->store, w.doomed[i], &e2) == 0) {
            out->files_removed++;
            out->bytes_removed += w.sizes[i];
            LH_LOG(LH_LOG_INFO, "lake", "msg=\"gc removed unreferenced file\" key=%s", w.doomed[i]);
        }
    }
    gc_tmp(l, out);
out:
    lh__lake_unlock(&lock_fd);
    lh_strv_free(w.keep, w.n_keep);
    lh_strv_free(w.doomed, w.n_doomed);
    free(w.sizes);
    return rc;
}

/* ---- resync ---- */

static bool same_columns(const struct lh_column *a, size_t na, const struct lh_column *b,
                         size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i].name, b[i].name) || strcmp(a[i].type, b[i].type))
            return false;
    return true;
}

int lh_lake_resync(struct lh_lake *l, struct lh_resync_result *out, struct lh_error *err)
{
    struct lh_dataset **list = NULL;
    size_t n = 0;
    int rc;
    memset(out, 0, sizeof(*out));
    if ((rc = lh_catalog_list(l->cat, &list, &n, err)))
        return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        struct lh_dataset *d = NULL;
        struct lh_column *cols = NULL;
        size_t n_cols = 0;
        bool changed = false;
        out->datasets++;
        if ((rc = lh_catalog_get(l->cat, list[i]->name, &d, err))) {
            if (rc == -LH_ENOTFOUND) { /* deleted meanwhile */
                rc = 0;
                lh_error_clear(err);
            }
            continue;
        }
        struct lh_file *files = lh_xcalloc(d->n_files ? d->n_files : 1, sizeof(*files));
        size_t n_files = 0;
        for (size_t j = 0; j < d->n_files; j++) {
            char *path = lh_store_local_path(l->store, d->files[j].key);
            int64_t rows = 0;
            struct lh_column *fc = NULL;
            size_t nfc = 0;
            struct stat st;
            struct lh_error e2;
            out->files_checked++;
            if (!path || stat(path, &st) != 0) {
                out->files_missing++;
                LH_LOG(LH_LOG_WARN, "lake", "msg=\"resync: file missing\" dataset=%s key=%s",
                       d->name, d->files[j].key);
                free(path);
                continue;
            }
            if (lh_sql_parquet_info(l->sql, path, &rows, &fc, &nfc, &e2) == 0) {
                files[n_files] = d->files[j];
                files[n_files].rows = rows;
                files[n_files].size_bytes = st.st_size;
                if (rows != d->files[j].rows || st.st_size != d->files[j].size_bytes)
                    changed = true;
                n_files++;
                if (!cols) {
                    cols = fc;
                    n_cols = nfc;
                    fc = NULL;
                }
            } else {
                LH_LOG(LH_LOG_WARN, "lake", "msg=\"resync: unreadable file\" dataset=%s key=%s",
                       d->name, d->files[j].key);
            }
            lh_columns_free(fc, nfc);
            free(path);
        }
        if (cols && !same_columns(cols, n_cols, d->columns, d->n_columns))
            changed = true;
        if (changed) {
            int64_t snap;
            rc = lh_catalog_repair(l->cat, d->name, cols ? cols : d->columns,
                                   cols ? n_cols : d->n_columns, files, n_files, &snap, err);
            if (!rc) {
                out->datasets_repaired++;
                LH_LOG(LH_LOG_INFO, "lake", "msg=\"resync repaired dataset\" dataset=%s", d->name);
            }
        }
        free(files); /* entries borrow from d */
        lh_columns_free(cols, n_cols);
        lh_dataset_free(d);
    }
    lh_dataset_list_free(list, n);
    return rc;
}
