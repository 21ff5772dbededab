/* SPDX-License-Identifier: MIT */
/* api_system.c - handlers for GET /health, GET /system and GET /openapi.json. */
#include "lh_common.h"
#include "http.h"
#include "http_int.h"
#include "catalog.h"
#include "storage.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

int lh_api_health(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    LH_UNUSED(err);
    struct lh_catalog *cat = rq->lake ? rq->lake->cat : NULL;
    int64_t up = lh_http_now_ms() - rq->server_started_ms;
    json_t *o = json_object();
    json_object_set_new(o, "status", json_string("ok"));
    json_object_set_new(o, "version", json_string(LH_VERSION));
    json_object_set_new(o, "datasets", json_integer(cat ? lh_catalog_count(cat) : 0));
    json_object_set_new(o, "snapshot_id", json_integer(cat ? lh_catalog_snapshot(cat) : 0));
    json_object_set_new(o, "uptime_ms", json_integer(up > 0 ? up : 0));
    return lh_reply_json(rp, 200, o);
}

int lh_api_openapi(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    LH_UNUSED(rq);
    LH_UNUSED(err);
    char *doc = lh_http_openapi();
    lh_reply_raw(rp, 200, "application/json", doc, strlen(doc));
    free(doc);
    return 0;
}

/* ---- GET /system ---- */

/* Object-store use, summed per top-level area: datasets/<name>/..., indexes/<name>/... */
struct usage {
    json_t *datasets; /* name -> {files, bytes} */
    json_t *indexes;  /* name -> {files, bytes} */
    int64_t objects, bytes, datasets_bytes, indexes_bytes, other_bytes;
};

static void usage_add(json_t *map, const char *name, size_t n, int64_t size)
{
    char key[128];
    if (n >= sizeof(key))
        n = sizeof(key) - 1;
    memcpy(key, name, n);
    key[n] = '\0';
    json_t *e = json_object_get(map, key);
    if (!e) {
        e = json_pack("{s:I, s:I}", "files", (json_int_t)0, "bytes", (json_int_t)0);
        json_object_set_new(map, key, e);
    }
    json_object_set_new(e, "files",
                        json_integer(json_integer_value(json_object_get(e, "files")) + 1));
    json_object_set_new(e, "bytes",
                        json_integer(json_integer_value(json_object_get(e, "bytes")) + size));
}

static int usage_cb(void *ud, const char *key, const struct lh_store_stat *st)
{
    struct usage *u = ud;
    int64_t size = st ? st->size : 0;
    u->objects++;
    u->bytes += size;
    const char *rest = NULL;
    json_t *map = NULL;
    if (strncmp(key, "datasets/", 9) == 0) {
        rest = key + 9;
        map = u->datasets;
        u->datasets_bytes += size;
    } else if (strncmp(key, "indexes/", 8) == 0) {
        rest = key + 8;
        map = u->indexes;
        u->indexes_bytes += size;
    } else {
        u->other_bytes += size;
    }
    const char *slash = rest ? strchr(rest, '/') : NULL;
    if (map && slash && slash > rest)
        usage_add(map, rest, (size_t)(slash - rest), size);
    return 0;
}

/* Size of the regular file dir/name; -1 if it is missing or not a regular file. */
static int64_t file_size(const char *dir, const char *name)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
}

/* Bytes and number of the regular files directly inside dir (staging is flat). */
static void dir_usage(const char *dir, int64_t *bytes, int64_t *files)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    *bytes = *files = 0;
    if (!d)
        return;
    while ((e = readdir(d))) {
        int64_t sz = e->d_name[0] == '.' ? -1 : file_size(dir, e->d_name);
        if (sz < 0)
            continue;
        (*files)++;
        *bytes += sz;
    }
    closedir(d);
}

/* Parses JSON text rendered by another module into a json_t (an empty object if it fails). */
static json_t *parse_or_empty(const struct lh_buf *b)
{
    json_t *j = b->len ? json_loadb(b->ptr, b->len, 0, NULL) : NULL;
    return j ? j : json_object();
}

/* Settings that hold URLs may carry credentials ("http://user:secret@host"): cut them. */
static void redact_urls(json_t *cfg)
{
    const char *key;
    json_t *v;
    json_object_foreach(cfg, key, v)
    {
        size_t kl = strlen(key);
        if (!json_is_string(v) || kl < 4 || strcmp(key + kl - 4, "_url") != 0)
            continue;
        const char *s = json_string_value(v);
        const char *scheme = strstr(s, "://");
        const char *host = scheme ? scheme + 3 : s;
        const char *at = strchr(host, '@');
        const char *slash = strchr(host, '/');
        if (!at || (slash && slash < at))
            continue;
        struct lh_buf b = LH_BUF_INIT;
        lh_buf_append(&b, s, (size_t)(host - s));
        lh_buf_puts(&b, "(redacted)@");
        lh_buf_puts(&b, at + 1);
        json_object_set_new(cfg, key, lh_json_str(b.ptr));
        lh_buf_release(&b);
    }
}

int lh_api_system(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    struct lh_lake *l = rq->lake;
    struct lh_dataset **list = NULL;
    struct lh_index_def **idx = NULL;
    size_t n = 0, n_idx = 0;
    struct usage u;
    int rc;

    memset(&u, 0, sizeof(u));
    if ((rc = lh_catalog_list(l->cat, &list, &n, err)) < 0)
        return rc;
    if ((rc = lh_catalog_index_list(l->cat, NULL, &idx, &n_idx, err)) < 0) {
        lh_dataset_list_free(list, n);
        return rc;
    }
    u.datasets = json_object();
    u.indexes = json_object();
    struct lh_error lerr;
    lh_error_clear(&lerr);
    bool listed = lh_store_list(l->store, "", usage_cb, &u, &lerr) == 0;

    json_t *o = json_object();
    int64_t up = lh_http_now_ms() - rq->server_started_ms;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    json_object_set_new(o, "status", json_string("ok"));
    json_object_set_new(o, "version", json_string(LH_VERSION));
    json_object_set_new(o, "uptime_ms", json_integer(up > 0 ? up : 0));
    json_object_set_new(o, "started_ms", json_integer(now_ms - (up > 0 ? up : 0)));
    json_object_set_new(o, "pid", json_integer((json_int_t)getpid()));

    /* catalog */
    int64_t rows = 0, live_bytes = 0;
    json_t *ds = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *use = json_object_get(u.datasets, list[i]->name);
        rows += list[i]->row_count;
        live_bytes += list[i]->size_bytes;
        json_array_append_new(
            ds, json_pack("{s:o, s:I, s:I, s:I, s:I}", "name", lh_json_str(list[i]->name), "rows",
                          (json_int_t)list[i]->row_count, "bytes",
                          (json_int_t)list[i]->size_bytes, "stored_bytes",
                          (json_int_t)json_integer_value(json_object_get(use, "bytes")),
                          "files", (json_int_t)json_integer_value(json_object_get(use, "files"))));
    }
    json_t *ix = json_array();
    for (size_t i = 0; i < n_idx; i++) {
        json_t *use = json_object_get(u.indexes, idx[i]->name);
        json_array_append_new(
            ix, json_pack("{s:o, s:o, s:o, s:I, s:I}", "name", lh_json_str(idx[i]->name),
                          "dataset", lh_json_str(idx[i]->dataset), "state",
                          lh_json_str(idx[i]->state), "bytes",
                          (json_int_t)json_integer_value(json_object_get(use, "bytes")),
                          "files", (json_int_t)json_integer_value(json_object_get(use, "files"))));
    }
    json_t *jobs = json_object();
    static const char *const states[] = {"queued", "running"};
    for (size_t i = 0; i < LH_ARRAY_LEN(states); i++) {
        struct lh_job **jv = NULL;
        size_t jn = 0;
        if (lh_catalog_job_list(l->cat, states[i], 1000, &jv, &jn, NULL) == 0)
            lh_job_list_free(jv, jn);
        json_object_set_new(jobs, states[i], json_integer((json_int_t)jn));
    }
    json_object_set_new(o, "catalog",
                        json_pack("{s:I, s:I, s:I, s:I, s:o}", "datasets", (json_int_t)n,
                                  "snapshot_id", (json_int_t)lh_catalog_snapshot(l->cat), "rows",
                                  (json_int_t)rows, "indexes", (json_int_t)n_idx, "jobs", jobs));

    /* storage */
    int64_t tmp_bytes = 0, tmp_files = 0;
    dir_usage(l->tmp_dir, &tmp_bytes, &tmp_files);
    int64_t cat_bytes = 0;
    static const char *const cat_files[] = {"catalog.db", "catalog.db-wal", "catalog.db-shm"};
    for (size_t i = 0; i < LH_ARRAY_LEN(cat_files); i++) {
        int64_t sz = file_size(l->data_dir, cat_files[i]);
        cat_bytes += sz > 0 ? sz : 0;
    }
    json_t *st = json_pack(
        "{s:s, s:o, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "backend",
        l->store->ops->name, "data_dir", lh_json_str(l->data_dir), "listed", listed, "objects",
        (json_int_t)u.objects, "bytes", (json_int_t)u.bytes, "live_dataset_bytes",
        (json_int_t)live_bytes, "datasets_bytes", (json_int_t)u.datasets_bytes, "indexes_bytes",
        (json_int_t)u.indexes_bytes, "other_bytes", (json_int_t)u.other_bytes, "catalog_bytes",
        (json_int_t)cat_bytes, "staging_bytes", (json_int_t)tmp_bytes, "staging_files",
        (json_int_t)tmp_files);
    struct statvfs vfs;
    if (statvfs(l->data_dir, &vfs) == 0) {
        json_object_set_new(st, "disk_total_bytes",
                            json_integer((json_int_t)vfs.f_blocks * (json_int_t)vfs.f_frsize));
        json_object_set_new(st, "disk_free_bytes",
                            json_integer((json_int_t)vfs.f_bavail * (json_int_t)vfs.f_frsize));
    }
    json_object_set_new(st, "datasets", ds);
    json_object_set_new(st, "indexes", ix);
    json_object_set_new(o, "storage", st);

    /* HTTP counters (this request is in flight and not yet counted as completed) */
    const struct lh_http_counters *c = rq->counters;
    if (c) {
        json_object_set_new(
            o, "http",
            json_pack("{s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I}}", "requests",
                      (json_int_t)atomic_load(&c->requests), "in_flight",
                      (json_int_t)atomic_load(&c->in_flight), "aborted",
                      (json_int_t)atomic_load(&c->aborted), "bytes_out",
                      (json_int_t)atomic_load(&c->bytes_out), "status", "2xx",
                      (json_int_t)atomic_load(&c->status[2]), "3xx",
                      (json_int_t)atomic_load(&c->status[3]), "4xx",
                      (json_int_t)atomic_load(&c->status[4]), "5xx",
                      (json_int_t)atomic_load(&c->status[5])));
    }

    struct lh_buf b = LH_BUF_INIT;
    lh_lake_cache_stats_json(l, &b);
    json_object_set_new(o, "cache", parse_or_empty(&b));
    lh_buf_reset(&b);
    if (rq->cfg) {
        lh_config_to_json(rq->cfg, &b); /* CFG_SECRET settings come out as "(set)" or "" */
        json_t *cfg = parse_or_empty(&b);
        redact_urls(cfg);
        json_object_set_new(o, "config", cfg);
    }
    lh_buf_release(&b);

    json_decref(u.datasets);
    json_decref(u.indexes);
    lh_dataset_list_free(list, n);
    lh_index_def_list_free(idx, n_idx);
    return lh_reply_json(rp, 200, o);
}
