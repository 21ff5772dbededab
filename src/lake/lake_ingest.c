/* SPDX-License-Identifier: MIT */
/* lake_ingest.c - ingest one file: detect, convert to Parquet, store, commit.
 *
 * Order of effects (DESIGN.md "Data layout"): the converted file is written
 * to tmp/, moved into the bucket (fsync + rename), then ONE catalog
 * transaction references it. Any failure before the commit removes the new
 * file, so bad input changes nothing. While a new object is in the bucket
 * but not yet committed we hold the data folder's lock shared, so gc (which
 * takes it exclusive) never deletes it. */
#include "lh_common.h"
#include "lake.h"
#include "lake_int.h"
#include "buf.h"
#include "fs.h"
#include "hash.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void lh_ingest_result_release(struct lh_ingest_result *r)
{
    lh_columns_free(r->columns, r->n_columns);
    r->columns = NULL;
    r->n_columns = 0;
}

static const char *mode_name(enum lh_ingest_mode m)
{
    return m == LH_INGEST_REPLACE ? "replace" : m == LH_INGEST_APPEND ? "append" : "create";
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* Decides the source format from the request, the file name and its first
 * bytes; rejects binary files that are not Parquet. */
static int detect_format(const char *path, const char *name_hint, const char *want,
                         enum lh_src_format *out, struct lh_error *err)
{
    unsigned char head[65536];
    unsigned char tail[4] = {0};
    ssize_t n;
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return lh_error_set(err, errno == ENOENT ? LH_ENOTFOUND : LH_EIO, "cannot open %s: %s",
                            name_hint, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return lh_error_set(err, LH_EINVAL, "%s is not a regular file", name_hint);
    }
    if (st.st_size == 0) {
        close(fd);
        return lh_error_set(err, LH_EINVAL, "%s is empty", name_hint);
    }
    n = pread(fd, head, sizeof(head), 0);
    if (st.st_size >= 8 && pread(fd, tail, 4, st.st_size - 4) != 4)
        memset(tail, 0, 4);
    close(fd);
    if (n <= 0)
        return lh_error_set(err, LH_EIO, "cannot read %s", name_hint);

    bool is_parquet = n >= 4 && memcmp(head, "PAR1", 4) == 0 && memcmp(tail, "PAR1", 4) == 0;
    bool has_nul = memchr(head, 0, (size_t)n) != NULL;

    if (want) {
        if (strcmp(want, "csv") == 0 || strcmp(want, "tsv") == 0)
            *out = LH_SRC_CSV;
        else if (strcmp(want, "json") == 0 || strcmp(want, "ndjson") == 0 ||
                 strcmp(want, "jsonl") == 0)
            *out = LH_SRC_JSON;
        else if (strcmp(want, "parquet") == 0)
            *out = LH_SRC_PARQUET;
        else
            return lh_error_set(err, LH_EINVAL,
                                "unknown format '%s': use csv, json, ndjson or parquet", want);
    } else if (is_parquet || ends_with(name_hint, ".parquet")) {
        *out = LH_SRC_PARQUET;
    } else {
        /* JSON if the first non-blank character (after a BOM) opens an object or array */
        ssize_t i = (n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF) ? 3 : 0;
        while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
            i++;
        if (ends_with(name_hint, ".json") || ends_with(name_hint, ".ndjson") ||
            ends_with(name_hint, ".jsonl") ||
            (!ends_with(name_hint, ".csv") && !ends_with(name_hint, ".tsv") && i < n &&
             (head[i] == '{' || head[i] == '[')))
            *out = LH_SRC_JSON;
        else
            *out = LH_SRC_CSV;
    }
    if (*out == LH_SRC_JSON && !has_nul) {
        /* DuckDB reads a truncated array ("[{...},") without complaint: check
         * that a document that opens with '[' or '{' is closed at the end. */
        unsigned char last[256];
        off_t off = st.st_size > (off_t)sizeof(last) ? st.st_size - (off_t)sizeof(last) : 0;
        int fd2 = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t m = fd2 >= 0 ? pread(fd2, last, sizeof(last), off) : -1;
        if (fd2 >= 0)
            close(fd2);
        ssize_t i = (n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF) ? 3 : 0;
        while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
            i++;
        while (m > 0 && (last[m - 1] == ' ' || last[m - 1] == '\t' || last[m - 1] == '\r' ||
                         last[m - 1] == '\n'))
            m--;
        if (i < n && m > 0 && ((head[i] == '[' && last[m - 1] != ']') ||
                               (head[i] == '{' && last[m - 1] != '}')))
            return lh_error_set(err, LH_EINVAL,
                                "invalid JSON in %s: the document ends before its closing '%c' "
                                "(truncated file?)",
                                name_hint, head[i] == '[' ? ']' : '}');
    }
    if (*out == LH_SRC_PARQUET && !is_parquet)
        return lh_error_set(err, LH_EINVAL, "%s is not a valid Parquet file (no PAR1 magic)",
                            name_hint);
    if (*out != LH_SRC_PARQUET && has_nul)
        return lh_error_set(err, LH_EINVAL,
                            "%s looks like a binary file (NUL bytes); expected CSV, JSON or Parquet",
                            name_hint);
    return 0;
}

/* Crash test hook: LH_TEST_CRASH_AT=<point> kills the process at that point
 * with SIGKILL, so tests can show a crash there leaves a consistent lake. */
static void crash_point(const char *point)
{
    const char *at = getenv("LH_TEST_CRASH_AT");
    if (at && strcmp(at, point) == 0)
        raise(SIGKILL);
}

/* Error messages name the file as the user knows it, not a staging path. */
static void replace_path(struct lh_error *err, const char *path, const char *name)
{
    char *hit;
    size_t plen = strlen(path);
    if (!err || plen == 0 || strcmp(path, name) == 0 || !(hit = strstr(err->msg, path)))
        return;
    char msg[LH_ERRMSG_MAX];
    snprintf(msg, sizeof(msg), "%.*s%s%s", (int)(hit - err->msg), err->msg, name, hit + plen);
    snprintf(err->msg, sizeof(err->msg), "%s", msg);
}

struct sha_job {
    const char *path;
    char hex[65];
    struct lh_error err;
    int rc;
};

static void *sha_main(void *arg)
{
    struct sha_job *j = arg;
    j->rc = lh_sha256_file(j->path, j->hex, &j->err);
    return NULL;
}

/* Describes how the new schema differs from the dataset's. */
static int schema_check(const struct lh_dataset *d, const struct lh_column *cols, size_t n,
                        struct lh_error *err)
{
    struct lh_buf why = LH_BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j;
        for (j = 0; j < d->n_columns; j++)
            if (strcmp(d->columns[j].name, cols[i].name) == 0)
                break;
        if (j == d->n_columns)
            lh_buf_printf(&why, "%snew column '%s'", why.len ? "; " : "", cols[i].name);
        else if (strcmp(d->columns[j].type, cols[i].type) != 0)
            lh_buf_printf(&why, "%scolumn '%s' is %s, the dataset has %s", why.len ? "; " : "",
                          cols[i].name, cols[i].type, d->columns[j].type);
    }
    for (size_t j = 0; j < d->n_columns; j++) {
        size_t i;
        for (i = 0; i < n; i++)
            if (strcmp(d->columns[j].name, cols[i].name) == 0)
                break;
        if (i == n)
            lh_buf_printf(&why, "%smissing column '%s'", why.len ? "; " : "", d->columns[j].name);
    }
    if (why.len == 0 && n == d->n_columns) {
        for (size_t i = 0; i < n; i++) {
            if (strcmp(d->columns[i].name, cols[i].name) != 0) {
                lh_buf_puts(&why, "columns are in a different order");
                break;
            }
        }
    }
    if (why.len)
        rc = lh_error_set(err, LH_ECONFLICT, "cannot append to '%s': schema differs (%s)", d->name,
                          why.ptr);
    lh_buf_release(&why);
    return rc;
}

/* Is this content already (all of) the dataset? */
static bool is_duplicate(const struct lh_dataset *d, const char *sha, enum lh_ingest_mode m)
{
    size_t same = 0;
    for (size_t i = 0; i < d->n_files; i++)
        if (d->files[i].source_sha256 && strcmp(d->files[i].source_sha256, sha) == 0)
            same++;
    if (m == LH_INGEST_REPLACE)
        return same > 0 && same == d->n_files;
    return same > 0;
}

int lh_lake_ingest(struct lh_lake *l, const struct lh_ingest_req *rq, struct lh_ingest_result *out,
                   struct lh_error *err)
{
    const char *source = rq->source ? rq->source : rq->path;
    char name[64];
    enum lh_src_format fmt;
    struct sha_job sha = {.path = rq->path};
    pthread_t sha_thread;
    bool sha_started = false;
    char *staged = NULL, *key = NULL;
    bool stored = false;
    struct lh_dataset *existing = NULL;
    struct lh_convert_result conv = {0};
    char **removed = NULL;
    size_t n_removed = 0;
    int lock_fd = -1;
    int rc;

    memset(out, 0, sizeof(*out));
    if (rq->name && rq->name[0])
        snprintf(name, sizeof(name), "%s", rq->name);
    else
        lh_lake_name_from_path(source, name);
    if (rq->name && strlen(rq->name) >= sizeof(name))
        return lh_error_set(err, LH_EINVAL, "invalid dataset name: longer than 63 characters");
    if ((rc = lh_catalog_name_check(name, err)))
        return rc;
    if ((rc = detect_format(rq->path, source, rq->format, &fmt, err)))
        return rc;

    rc = lh_catalog_get(l->cat, name, &existing, err);
    if (rc == -LH_ENOTFOUND) {
        rc = 0;
        lh_error_clear(err);
    } else if (rc) {
        return rc;
    }
    /* Hash the source while DuckDB converts it. */
    if (pthread_create(&sha_thread, NULL, sha_main, &sha) == 0)
        sha_started = true;
    else
        sha_main(&sha);

    staged = lh_lake_tmp_path(l, ".parquet");
    crash_point("convert");
    struct lh_convert_opts co = {fmt, rq->delimiter, rq->header, rq->progress, rq->progress_ud};
    rc = lh_sql_convert(l->sql, rq->path, &co, staged, &conv, err);
    if (sha_started)
        pthread_join(sha_thread, NULL);
    if (rc) {
        replace_path(err, rq->path, source);
        goto out;
    }
    if (sha.rc) {
        rc = lh_error_set(err, -sha.rc, "%s", sha.err.msg);
        goto out;
    }
    snprintf(out->sha256, sizeof(out->sha256), "%s", sha.hex);

    if (existing && is_duplicate(existing, sha.hex, rq->mode)) {
        out->duplicate = true;
        snprintf(out->duplicate_of, sizeof(out->duplicate_of), "%s", existing->name);
        snprintf(out->dataset, sizeof(out->dataset), "%s", existing->name);
        out->mode = mode_name(rq->mode);
        out->format = fmt == LH_SRC_CSV ? "csv" : fmt == LH_SRC_JSON ? "json" : "parquet";
        out->total_rows = existing->row_count;
        out->snapshot_id = existing->snapshot_id;
        out->n_columns = existing->n_columns;
        out->columns = lh_columns_dup(existing->columns, existing->n_columns);
        goto out;
    }
    if (existing && rq->mode == LH_INGEST_CREATE) {
        rc = lh_error_set(err, LH_EEXIST,
                          "dataset '%s' already exists; use mode replace or append", name);
        goto out;
    }
    if (conv.rows == 0) {
        rc = lh_error_set(err, LH_EINVAL, "%s has no data rows", source);
        goto out;
    }
    if (existing && rq->mode == LH_INGEST_APPEND &&
        (rc = schema_check(existing, conv.columns, conv.n_columns, err)))
        goto out;

    struct stat st;
    if (stat(staged, &st) != 0) {
        rc = lh_error_set(err, LH_EIO, "converted file vanished");
        goto out;
    }
    char uuid[37];
    lh_uuid4(uuid);
    key = lh_xasprintf("datasets/%s/%s.parquet", name, uuid);

    if ((rc = lh__lake_lock(l, false, &lock_fd, err)))
        goto out;
    if ((rc = lh_store_put_file(l->store, key, staged, LH_STORE_PUT_MOVE, err)))
        goto out;
    stored = true;
    crash_point("stored"); /* tests: die between storing the file and committing it */

    struct lh_file file = {0, key, conv.rows, (int64_t)st.st_size, sha.hex, (char *)source, 0};
    struct lh_commit cm = {
        .dataset = name,
        .mode = rq->mode == LH_INGEST_REPLACE  ? LH_COMMIT_REPLACE
                : rq->mode == LH_INGEST_APPEND ? LH_COMMIT_APPEND
                                               : LH_COMMIT_CREATE,
        .columns = conv.columns,
        .n_columns = conv.n_columns,
        .files = &file,
        .n_files = 1,
        .description = rq->description,
        .owner = rq->owner,
    };
    if ((rc = lh_catalog_commit(l->cat, &cm, &out->snapshot_id, &removed, &n_removed, err)))
        goto out;
    stored = false; /* committed: the file belongs to the catalog now */
    lh__lake_unlock(&lock_fd);

    for (size_t i = 0; i < n_removed; i++) {
        struct lh_error e2;
        if (lh_store_del(l->store, removed[i], &e2))
            LH_LOG(LH_LOG_WARN, "lake", "msg=\"cannot remove replaced file\" key=%s", removed[i]);
    }

    snprintf(out->dataset, sizeof(out->dataset), "%s", name);
    out->created = existing == NULL;
    out->mode = mode_name(rq->mode);
    out->format = fmt == LH_SRC_CSV ? "csv" : fmt == LH_SRC_JSON ? "json" : "parquet";
    out->rows = conv.rows;
    out->total_rows = conv.rows + (existing && rq->mode == LH_INGEST_APPEND ? existing->row_count : 0);
    out->bytes_in = 0;
    out->n_columns = conv.n_columns;
    out->columns = conv.columns;
    conv.columns = NULL;
    conv.n_columns = 0;
    LH_LOG(LH_LOG_INFO, "lake", "msg=ingested dataset=%s mode=%s rows=%lld snapshot=%lld",
           name, out->mode, (long long)out->rows, (long long)out->snapshot_id);
out:
    {
        struct stat sst;
        if (stat(rq->path, &sst) == 0)
            out->bytes_in = sst.st_size;
    }
    if (stored) {
        struct lh_error e2;
        lh_store_del(l->store, key, &e2);
    }
    lh__lake_unlock(&lock_fd);
    if (staged) {
        unlink(staged);
        free(staged);
    }
    free(key);
    lh_strv_free(removed, n_removed);
    lh_convert_result_release(&conv);
    lh_dataset_free(existing);
    return rc;
}
