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
#include "evolve.h"
#include "extract.h"
#include "pii.h"
#include "buf.h"
#include "fs.h"
#include "hash.h"
#include "log.h"

#include <errno.h>
#include <fnmatch.h>
#include <ftw.h>
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
    free(r->col_meta);
    free(r->schema_changes_json);
    r->columns = NULL;
    r->col_meta = NULL;
    r->schema_changes_json = NULL;
    r->n_columns = 0;
}

/* PII detection for every column of the converted file, on a repeatable sample. */
static struct lh_column_meta *detect_pii(struct lh_lake *l, const char *path,
                                         const struct lh_column *cols, size_t n)
{
    struct lh_column_meta *meta = lh_xcalloc(n ? n : 1, sizeof(*meta));
    size_t nc = 0, nr = 0;
    char **cells = NULL;
    struct lh_error e2;
    if (lh_sql_sample_text(l->sql, path, 200, &nc, &nr, &cells, &e2) != 0) {
        LH_LOG(LH_LOG_WARN, "lake", "msg=\"PII sampling failed\" error=\"%s\"", e2.msg);
        nc = nr = 0;
    }
    for (size_t i = 0; i < n; i++) {
        struct lh_pii_result pr;
        const char *const *vals = i < nc ? (const char *const *)&cells[i * nr] : NULL;
        lh_pii_classify(cols[i].name, cols[i].type, vals, vals ? nr : 0, &pr);
        snprintf(meta[i].pii_kind, sizeof(meta[i].pii_kind), "%s", lh_pii_kind_name(pr.kind));
        snprintf(meta[i].sensitivity, sizeof(meta[i].sensitivity), "%s",
                 lh_sensitivity_name(pr.sensitivity));
        meta[i].confidence = pr.confidence;
    }
    for (size_t i = 0; i < nc * nr; i++)
        free(cells[i]);
    free(cells);
    return meta;
}

/* Column metadata in the order of the dataset's columns after this ingest: detected on the
 * new file (following a rename back to the file's name), else the dataset's current values. */
static struct lh_column_meta *merge_meta(const struct lh_column *cols, size_t n,
                                         const struct lh_column *file_cols,
                                         const struct lh_column_meta *file_meta, size_t n_file,
                                         const struct lh_dataset *d)
{
    struct lh_column_meta *meta = lh_xcalloc(n ? n : 1, sizeof(*meta));
    struct lh_schema_diff diff = {0};
    if (d)
        lh_schema_diff(d->columns, d->n_columns, file_cols, n_file, &diff);
    for (size_t i = 0; i < n; i++) {
        const char *want = cols[i].name;
        const struct lh_column_meta *m = NULL;
        for (size_t k = 0; k < diff.n_changes; k++)
            if (diff.changes[k].kind == LH_CHANGE_RENAMED &&
                strcasecmp(diff.changes[k].column, want) == 0)
                want = diff.changes[k].new_column;
        for (size_t j = 0; !m && j < n_file; j++)
            if (strcasecmp(file_cols[j].name, want) == 0)
                m = &file_meta[j];
        for (size_t j = 0; !m && d && j < d->n_columns; j++)
            if (strcasecmp(d->columns[j].name, cols[i].name) == 0)
                m = &d->col_meta[j];
        if (m)
            meta[i] = *m;
        else
            snprintf(meta[i].sensitivity, sizeof(meta[i].sensitivity), "internal");
        meta[i].user_set = false; /* the catalog keeps a user's own values */
    }
    lh_schema_diff_release(&diff);
    return meta;
}

/* Applies a schema diff to an append or replace: refuses unsafe changes unless allowed;
 * renames (allowed) are applied to the new file so it keeps the dataset's names. */
static int evolve(struct lh_lake *l, const struct lh_dataset *d, const char *staged,
                  struct lh_convert_result *conv, bool append, bool allow, char **changes_json,
                  struct lh_error *err)
{
    struct lh_schema_diff diff;
    int rc = 0;
    lh_schema_diff(d->columns, d->n_columns, conv->columns, conv->n_columns, &diff);
    *changes_json = lh_schema_diff_json(&diff);
    if (diff.n_changes == 0)
        goto out;
    if (!diff.all_safe && !allow) {
        char *why = lh_schema_diff_describe(&diff, true);
        rc = lh_error_set(err, LH_ECONFLICT,
                          "schema of '%s' would change unsafely: %s; nothing was changed "
                          "(pass allow_schema_change to apply it)",
                          d->name, why);
        free(why);
        goto out;
    }
    if (!append)
        goto out; /* replace: the incoming schema becomes the dataset's */
    size_t n_ren = 0;
    const char **from = lh_xcalloc(diff.n_changes, sizeof(*from));
    const char **to = lh_xcalloc(diff.n_changes, sizeof(*to));
    for (size_t i = 0; i < diff.n_changes; i++) {
        if (diff.changes[i].kind == LH_CHANGE_RENAMED) {
            from[n_ren] = diff.changes[i].new_column;
            to[n_ren++] = diff.changes[i].column;
        }
    }
    if (n_ren)
        rc = lh_sql_rename_columns(l->sql, staged, from, to, n_ren, err);
    free(from);
    free(to);
    if (rc)
        goto out;
    /* the dataset schema after the append */
    lh_columns_free(conv->columns, conv->n_columns);
    conv->columns = lh_columns_dup(diff.merged, diff.n_merged);
    conv->n_columns = diff.n_merged;
out:
    lh_schema_diff_release(&diff);
    return rc;
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
                         enum lh_src_format *out, int *doc, struct lh_error *err)
{
    enum lh_doc_kind dk;
    *doc = -1;
    if (want ? lh_doc_kind_parse(want, &dk) == 0
             : lh_extract_detect(path, name_hint, &dk) == 0) {
        *doc = (int)dk;
        *out = LH_SRC_JSON; /* documents become NDJSON rows */
        return 0;
    }
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
                                "unknown format '%s': use csv, json, ndjson, parquet, pdf, text, "
                                "markdown or chat",
                                want);
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

static const char *format_name(enum lh_src_format fmt, int doc)
{
    if (doc >= 0)
        return lh_doc_kind_name((enum lh_doc_kind)doc);
    return fmt == LH_SRC_CSV ? "csv" : fmt == LH_SRC_JSON ? "json" : "parquet";
}

/* Extracts a document's rows into an NDJSON file at out_path. */
static int extract_rows(struct lh_lake *l, const char *path, const char *display,
                        enum lh_doc_kind kind, const char *out_path, struct lh_error *err)
{
    struct lh_extract_opts eo = {l->cfg->ocr_dpi > 0, l->cfg->ocr_dpi, 0, NULL};
    struct lh_extract_result er;
    FILE *f = fopen(out_path, "w");
    if (!f)
        return lh_error_set(err, LH_EIO, "cannot create a staging file");
    int rc = lh_extract_file(path, display, kind, &eo, f, &er, err);
    if (fclose(f) != 0 && rc == 0)
        rc = lh_error_set(err, LH_EIO, "cannot write a staging file");
    return rc;
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

/* Does a file's source list ("sha" or, after compaction, "sha1,sha2,...") hold sha? */
static bool sources_have(const char *list, const char *sha)
{
    size_t n = strlen(sha);
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && memcmp(p, sha, n) == 0)
            return true;
        p += len + (p[len] == ',');
    }
    return false;
}

/* Is this content already (all of) the dataset? */
static bool is_duplicate(const struct lh_dataset *d, const char *sha, enum lh_ingest_mode m)
{
    size_t same = 0;
    for (size_t i = 0; i < d->n_files; i++) {
        const char *list = d->files[i].source_sha256;
        if (m == LH_INGEST_REPLACE ? list && strcmp(list, sha) == 0 : sources_have(list, sha))
            same++;
    }
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
    struct lh_column *file_cols = NULL;
    size_t n_file_cols = 0;
    struct lh_column_meta *file_meta = NULL, *meta = NULL;
    char *rows_path = NULL;
    int doc = -1;
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
    if ((rc = detect_format(rq->path, source, rq->format, &fmt, &doc, err)))
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
    const char *conv_path = rq->path;
    if (doc >= 0) {
        /* documents: rows of text as NDJSON first, then the normal JSON path */
        rows_path = lh_lake_tmp_path(l, ".ndjson");
        rc = extract_rows(l, rq->path, source, (enum lh_doc_kind)doc, rows_path, err);
        conv_path = rows_path;
    }
    struct lh_convert_opts co = {fmt, rq->delimiter, rq->header, rq->progress, rq->progress_ud};
    if (rc == 0)
        rc = lh_sql_convert(l->sql, conv_path, &co, staged, &conv, err);
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
        out->format = format_name(fmt, doc);
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
    /* PII on the file's own columns, before any rename or merge */
    file_cols = lh_columns_dup(conv.columns, conv.n_columns);
    n_file_cols = conv.n_columns;
    file_meta = detect_pii(l, staged, file_cols, n_file_cols);
    if (existing && (rc = evolve(l, existing, staged, &conv, rq->mode == LH_INGEST_APPEND,
                                 rq->allow_schema_change, &out->schema_changes_json, err)))
        goto out;
    if (!out->schema_changes_json)
        out->schema_changes_json = lh_xstrdup("[]");
    meta = merge_meta(conv.columns, conv.n_columns, file_cols, file_meta, n_file_cols, existing);
    lh_uuid4(out->job_id);

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
        .col_meta = meta,
        .actor = rq->actor,
        .source_system = rq->source_system ? rq->source_system : "file",
        .source = source,
        .ingest_job = out->job_id,
        .schema_changes_json = out->schema_changes_json,
    };
    if ((rc = lh_catalog_commit(l->cat, &cm, &out->snapshot_id, &removed, &n_removed, err)))
        goto out;
    stored = false; /* committed: the file belongs to the catalog now */
    lh__lake_unlock(&lock_fd);

    lh__lake_retire(l, removed, n_removed);
    lh__cache_changed(l, name, false);
    lh_catalog_mark_stale(l->cat, name, NULL); /* its vector indexes need a refresh */

    snprintf(out->dataset, sizeof(out->dataset), "%s", name);
    out->created = existing == NULL;
    out->mode = mode_name(rq->mode);
    out->format = format_name(fmt, doc);
    out->rows = conv.rows;
    out->total_rows = conv.rows + (existing && rq->mode == LH_INGEST_APPEND ? existing->row_count : 0);
    out->bytes_in = 0;
    out->n_columns = conv.n_columns;
    out->columns = conv.columns;
    out->col_meta = meta;
    meta = NULL;
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
    if (rows_path) {
        unlink(rows_path);
        free(rows_path);
    }
    free(key);
    lh_strv_free(removed, n_removed);
    lh_convert_result_release(&conv);
    lh_columns_free(file_cols, n_file_cols);
    free(file_meta);
    free(meta);
    lh_dataset_free(existing);
    if (rc)
        lh_ingest_result_release(out); /* a failed ingest leaves nothing to free */
    return rc;
}

/* ---- folder ingest ---- */

struct walk {
    const char *glob;
    char **paths;
    size_t n, cap;
};

static __thread struct walk *tl_walk; /* nftw has no user pointer */

static int walk_cb(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
    const char *base = p + ftw->base;
    LH_UNUSED(sb);
    if (ftw->level > 0 && base[0] == '.')
        return type == FTW_D ? FTW_SKIP_SUBTREE : FTW_CONTINUE;
    if (type != FTW_F || fnmatch(tl_walk->glob, base, 0) != 0)
        return FTW_CONTINUE;
    struct walk *w = tl_walk;
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 64;
        w->paths = lh_xrealloc(w->paths, w->cap * sizeof(*w->paths));
    }
    w->paths[w->n++] = lh_xstrdup(p);
    return FTW_CONTINUE;
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void lh_dir_result_release(struct lh_dir_result *r)
{
    for (size_t i = 0; i < r->n_files; i++)
        free(r->files[i].path);
    free(r->files);
    lh_ingest_result_release(&r->ingest);
    memset(r, 0, sizeof(*r));
}

int lh_lake_ingest_dir(struct lh_lake *l, const char *dir, const char *glob,
                       const struct lh_ingest_req *tmpl,
                       void (*progress)(void *ud, const char *file, size_t done, size_t total),
                       void *ud, struct lh_dir_result *out, struct lh_error *err)
{
    struct walk w = {glob && glob[0] ? glob : "*", NULL, 0, 0};
    char name[64], *rows_path = NULL;
    FILE *rows = NULL;
    size_t n_docs = 0;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    tl_walk = &w;
    int wr = nftw(dir, walk_cb, 16, FTW_PHYS | FTW_ACTIONRETVAL);
    tl_walk = NULL;
    if (wr != 0) {
        rc = lh_error_set(err, LH_ENOTFOUND, "cannot read folder %s", dir);
        goto out;
    }
    if (w.n == 0) {
        rc = lh_error_set(err, LH_ENOTFOUND, "no file in %s matches '%s'", dir, w.glob);
        goto out;
    }
    qsort(w.paths, w.n, sizeof(*w.paths), cmp_path);
    out->files = lh_xcalloc(w.n, sizeof(*out->files));
    out->n_files = w.n;
    for (size_t i = 0; i < w.n; i++) {
        enum lh_doc_kind k;
        out->files[i].path = w.paths[i];
        w.paths[i] = NULL;
        out->files[i].document = lh_extract_detect(out->files[i].path, out->files[i].path, &k) == 0;
        n_docs += out->files[i].document;
    }
    if (n_docs && n_docs != w.n) {
        rc = lh_error_set(err, LH_EINVAL,
                          "%s holds both documents (%zu) and tables (%zu); pick one kind with a "
                          "glob such as '*.pdf' or '*.csv'",
                          dir, n_docs, w.n - n_docs);
        goto out;
    }
    if (tmpl->name && tmpl->name[0])
        snprintf(name, sizeof(name), "%s", tmpl->name);
    else
        lh_lake_name_from_path(dir[strlen(dir) - 1] == '/' ? "folder" : dir, name);

    if (n_docs) {
        /* every document's rows into one NDJSON file, then one ingest: one commit */
        rows_path = lh_lake_tmp_path(l, ".ndjson");
        if (!(rows = fopen(rows_path, "w"))) {
            rc = lh_error_set(err, LH_EIO, "cannot create a staging file");
            goto out;
        }
        struct lh_extract_opts eo = {l->cfg->ocr_dpi > 0, l->cfg->ocr_dpi, 0, NULL};
        for (size_t i = 0; i < out->n_files; i++) {
            struct lh_dir_file *f = &out->files[i];
            struct lh_extract_result er;
            struct lh_error fe;
            enum lh_doc_kind k;
            if (progress)
                progress(ud, f->path, i, out->n_files);
            lh_extract_detect(f->path, f->path, &k);
            const char *display = f->path + strlen(dir) + (f->path[strlen(dir)] == '/');
            if (lh_extract_file(f->path, display, k, &eo, rows, &er, &fe) == 0) {
                f->ok = true;
                f->rows = er.rows;
                out->n_ok++;
            } else {
                snprintf(f->error, sizeof(f->error), "%s", fe.msg);
                out->n_failed++;
            }
        }
        if (fclose(rows) != 0) {
            rows = NULL;
            rc = lh_error_set(err, LH_EIO, "cannot write a staging file");
            goto out;
        }
        rows = NULL;
        if (out->n_ok == 0) {
            rc = lh_error_set(err, LH_EINVAL, "no document in %s could be read (%zu failed)",
                              dir, out->n_failed);
            goto out;
        }
        struct lh_ingest_req rq = *tmpl;
        rq.path = rows_path;
        rq.name = name;
        rq.format = "ndjson";
        rq.source = dir;
        rc = lh_lake_ingest(l, &rq, &out->ingest, err);
        out->rows = out->ingest.rows;
    } else {
        /* tables: the first file with the requested mode, the others appended */
        for (size_t i = 0; i < out->n_files; i++) {
            struct lh_dir_file *f = &out->files[i];
            struct lh_ingest_req rq = *tmpl;
            struct lh_ingest_result r;
            struct lh_error fe;
            if (progress)
                progress(ud, f->path, i, out->n_files);
            rq.path = f->path;
            rq.name = name;
            rq.source = f->path;
            rq.format = NULL;
            if (out->n_ok > 0)
                rq.mode = LH_INGEST_APPEND;
            if (lh_lake_ingest(l, &rq, &r, &fe) == 0) {
                f->ok = true;
                f->rows = r.rows;
                out->rows += r.rows;
                out->n_ok++;
                lh_ingest_result_release(&out->ingest);
                out->ingest = r;
            } else {
                snprintf(f->error, sizeof(f->error), "%s", fe.msg);
                out->n_failed++;
            }
        }
        if (out->n_ok == 0)
            rc = lh_error_set(err, LH_EINVAL, "no file in %s could be ingested (%zu failed)", dir,
                              out->n_failed);
    }
    if (progress && rc == 0)
        progress(ud, "", out->n_files, out->n_files);
out:
    if (rows)
        fclose(rows);
    if (rows_path) {
        unlink(rows_path);
        free(rows_path);
    }
    lh_strv_free(w.paths, w.n);
    return rc;
}
