/* SPDX-License-Identifier: MIT */
/* lake_json.c - JSON renderings of catalog and ingest results, shared by the API and the CLI. */
#include "lh_common.h"
#include "lake.h"
#include "lake_int.h"
#include "buf.h"
#include "pii.h"

#include <string.h>

void lh__json_str(struct lh_buf *b, const char *s)
{
    if (s)
        lh_buf_json_str(b, s, strlen(s));
    else
        lh_buf_puts(b, "null");
}

void lh_lake_columns_json(const struct lh_column *cols, const struct lh_column_meta *meta,
                          size_t n, struct lh_buf *b)
{
    lh_buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        lh_buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
        lh__json_str(b, cols[i].name);
        lh_buf_puts(b, ",\"type\":");
        lh__json_str(b, cols[i].type);
        if (meta) {
            lh_buf_puts(b, ",\"pii\":");
            lh__json_str(b, meta[i].pii_kind);
            lh_buf_puts(b, ",\"sensitivity\":");
            lh__json_str(b, meta[i].sensitivity);
            lh_buf_printf(b, ",\"pii_confidence\":%.2f,\"pii_source\":\"%s\"",
                          meta[i].confidence, meta[i].user_set ? "user" : "auto");
        }
        lh_buf_putc(b, '}');
    }
    lh_buf_putc(b, ']');
}

const char *lh_lake_sensitivity(const struct lh_dataset *d)
{
    if (d->sensitivity && d->sensitivity[0])
        return d->sensitivity;
    enum lh_sensitivity max = LH_SENS_PUBLIC, s;
    for (size_t i = 0; i < d->n_columns; i++)
        if (d->col_meta && lh_sensitivity_parse(d->col_meta[i].sensitivity, &s) == 0 && s > max)
            max = s;
    if (max < LH_SENS_INTERNAL)
        max = LH_SENS_INTERNAL;
    return lh_sensitivity_name(max);
}

void lh_lake_dataset_json(const struct lh_dataset *d, bool with_files, struct lh_buf *b)
{
    lh_buf_puts(b, "{\"name\":");
    lh__json_str(b, d->name);
    lh_buf_puts(b, ",\"description\":");
    lh__json_str(b, d->description);
    lh_buf_puts(b, ",\"owner\":");
    lh__json_str(b, d->owner);
    /* tags_json is a JSON array text written by the catalog */
    lh_buf_printf(b, ",\"tags\":%s", d->tags_json && d->tags_json[0] ? d->tags_json : "[]");
    lh_buf_puts(b, ",\"sensitivity\":");
    lh__json_str(b, lh_lake_sensitivity(d));
    lh_buf_printf(b, ",\"sensitivity_source\":\"%s\"",
                  d->sensitivity && d->sensitivity[0] ? "user" : "columns");
    lh_buf_printf(b,
                  ",\"rows\":%lld,\"size_bytes\":%lld,\"n_files\":%zu,\"snapshot_id\":%lld,"
                  "\"created_ms\":%lld,\"updated_ms\":%lld,\"schema_version\":%lld,"
                  "\"freshness\":{\"last_ingest_ms\":%lld,\"source\":",
                  (long long)d->row_count, (long long)d->size_bytes, d->n_files,
                  (long long)d->snapshot_id, (long long)d->created_ms, (long long)d->updated_ms,
                  (long long)d->schema_version, (long long)d->last_ingest_ms);
    lh__json_str(b, d->source);
    lh_buf_puts(b, "},\"lineage\":{\"source_system\":");
    lh__json_str(b, d->source_system);
    lh_buf_puts(b, ",\"source\":");
    lh__json_str(b, d->source);
    lh_buf_puts(b, ",\"ingest_job\":");
    lh__json_str(b, d->ingest_job);
    lh_buf_printf(b, ",\"parents\":%s}", d->parents_json && d->parents_json[0] ? d->parents_json : "[]");
    lh_buf_printf(b, ",\"n_columns\":%zu,\"columns\":", d->n_columns);
    lh_lake_columns_json(d->columns, d->col_meta, d->n_columns, b);
    if (with_files) {
        lh_buf_puts(b, ",\"files\":[");
        for (size_t i = 0; i < d->n_files; i++) {
            const struct lh_file *f = &d->files[i];
            lh_buf_puts(b, i ? ",{\"key\":" : "{\"key\":");
            lh__json_str(b, f->key);
            lh_buf_printf(b, ",\"rows\":%lld,\"size_bytes\":%lld,\"snapshot_id\":%lld,\"source\":",
                          (long long)f->rows, (long long)f->size_bytes, (long long)f->snapshot_id);
            lh__json_str(b, f->source);
            lh_buf_puts(b, ",\"sha256\":");
            lh__json_str(b, f->source_sha256);
            lh_buf_putc(b, '}');
        }
        lh_buf_putc(b, ']');
    }
    lh_buf_putc(b, '}');
}

void lh_lake_datasets_json(struct lh_dataset *const *list, size_t n, struct lh_buf *b)
{
    lh_buf_puts(b, "{\"datasets\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            lh_buf_putc(b, ',');
        lh_lake_dataset_json(list[i], false, b);
    }
    lh_buf_puts(b, "]}");
}

void lh_lake_ingest_json(const struct lh_ingest_result *r, struct lh_buf *b)
{
    lh_buf_puts(b, "{\"dataset\":");
    lh__json_str(b, r->dataset);
    lh_buf_puts(b, ",\"mode\":");
    lh__json_str(b, r->mode);
    lh_buf_puts(b, ",\"format\":");
    lh__json_str(b, r->format);
    lh_buf_printf(b, ",\"rows\":%lld,\"total_rows\":%lld,\"snapshot_id\":%lld,\"bytes\":%lld",
                  (long long)r->rows, (long long)r->total_rows, (long long)r->snapshot_id,
                  (long long)r->bytes_in);
    lh_buf_puts(b, ",\"sha256\":");
    lh__json_str(b, r->sha256);
    lh_buf_printf(b, ",\"duplicate\":%s", r->duplicate ? "true" : "false");
    if (r->duplicate) {
        lh_buf_puts(b, ",\"duplicate_of\":");
        lh__json_str(b, r->duplicate_of);
    }
    if (r->job_id[0]) {
        lh_buf_puts(b, ",\"job_id\":");
        lh__json_str(b, r->job_id);
    }
    lh_buf_printf(b, ",\"schema_changes\":%s",
                  r->schema_changes_json ? r->schema_changes_json : "[]");
    lh_buf_puts(b, ",\"columns\":");
    lh_lake_columns_json(r->columns, r->col_meta, r->n_columns, b);
    lh_buf_puts(b, ",\"pii_found\":[");
    for (size_t i = 0, k = 0; r->col_meta && i < r->n_columns; i++) {
        if (strcmp(r->col_meta[i].pii_kind, "none") == 0 || !r->col_meta[i].pii_kind[0])
            continue;
        lh_buf_puts(b, k++ ? ",{\"column\":" : "{\"column\":");
        lh__json_str(b, r->columns[i].name);
        lh_buf_puts(b, ",\"kind\":");
        lh__json_str(b, r->col_meta[i].pii_kind);
        lh_buf_puts(b, ",\"sensitivity\":");
        lh__json_str(b, r->col_meta[i].sensitivity);
        lh_buf_putc(b, '}');
    }
    lh_buf_puts(b, "]}");
}

void lh_lake_gc_json(const struct lh_gc_result *r, struct lh_buf *b)
{
    lh_buf_printf(b, "{\"files_removed\":%lld,\"bytes_removed\":%lld,\"files_kept\":%lld}",
                  (long long)r->files_removed, (long long)r->bytes_removed,
                  (long long)r->files_kept);
}

void lh_lake_resync_json(const struct lh_resync_result *r, struct lh_buf *b)
{
    lh_buf_printf(b,
                  "{\"datasets\":%lld,\"files_checked\":%lld,\"datasets_repaired\":%lld,"
                  "\"files_missing\":%lld}",
                  (long long)r->datasets, (long long)r->files_checked,
                  (long long)r->datasets_repaired, (long long)r->files_missing);
}
