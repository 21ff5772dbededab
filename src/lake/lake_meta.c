/* SPDX-License-Identifier: MIT */
/* lake_meta.c - metadata use-cases: validated patches, lineage, schema history, journal views. */
#include "lh_common.h"
#include "lake.h"
#include "lake_int.h"
#include "buf.h"
#include "pii.h"

#include <stdio.h>
#include <string.h>

int lh_lake_patch(struct lh_lake *l, const char *name, const struct lh_meta_patch *p,
                  const char *actor, int64_t *out_snapshot, struct lh_error *err)
{
    enum lh_sensitivity sv;
    enum lh_pii_kind kind;
    int rc = lh_catalog_name_check(name, err);
    if (rc)
        return rc;
    if (p->sensitivity && p->sensitivity[0] && lh_sensitivity_parse(p->sensitivity, &sv))
        return lh_error_set(err, LH_EINVAL,
                            "sensitivity '%.40s' is not public, internal, confidential or "
                            "restricted",
                            p->sensitivity);
    for (size_t i = 0; i < p->n_columns; i++) {
        const struct lh_column_patch *c = &p->columns[i];
        if (c->pii_kind && lh_pii_kind_parse(c->pii_kind, &kind))
            return lh_error_set(err, LH_EINVAL,
                                "column '%.64s': unknown PII kind '%.40s' (use none, email, "
                                "phone, ssn, credit_card, ip_address, date_of_birth, salary, "
                                "street_address, medical or person_name)",
                                c->name ? c->name : "", c->pii_kind);
        if (c->sensitivity && lh_sensitivity_parse(c->sensitivity, &sv))
            return lh_error_set(err, LH_EINVAL,
                                "column '%.64s': sensitivity '%.40s' is not public, internal, "
                                "confidential or restricted",
                                c->name ? c->name : "", c->sensitivity);
    }
    return lh_catalog_patch(l->cat, name, p, actor, out_snapshot, err);
}

int lh_lake_lineage_json(struct lh_lake *l, const char *name, struct lh_buf *b,
                         struct lh_error *err)
{
    struct lh_dataset *d = NULL;
    char **children = NULL;
    size_t n_children = 0;
    int rc;
    if ((rc = lh_catalog_name_check(name, err)) || (rc = lh_catalog_get(l->cat, name, &d, err)) ||
        (rc = lh_catalog_children(l->cat, name, &children, &n_children, err)))
        goto out;
    lh_buf_puts(b, "{\"dataset\":");
    lh__json_str(b, d->name);
    lh_buf_puts(b, ",\"source_system\":");
    lh__json_str(b, d->source_system);
    lh_buf_puts(b, ",\"source\":");
    lh__json_str(b, d->source);
    lh_buf_puts(b, ",\"ingest_job\":");
    lh__json_str(b, d->ingest_job);
    lh_buf_printf(b, ",\"last_ingest_ms\":%lld,\"snapshot_id\":%lld,\"schema_version\":%lld",
                  (long long)d->last_ingest_ms, (long long)d->snapshot_id,
                  (long long)d->schema_version);
    lh_buf_printf(b, ",\"parents\":%s,\"children\":[",
                  d->parents_json && d->parents_json[0] ? d->parents_json : "[]");
    for (size_t i = 0; i < n_children; i++) {
        if (i)
            lh_buf_putc(b, ',');
        lh__json_str(b, children[i]);
    }
    lh_buf_puts(b, "],\"files\":[");
    for (size_t i = 0; i < d->n_files; i++) {
        const struct lh_file *f = &d->files[i];
        lh_buf_puts(b, i ? ",{\"key\":" : "{\"key\":");
        lh__json_str(b, f->key);
        lh_buf_puts(b, ",\"source\":");
        lh__json_str(b, f->source);
        lh_buf_puts(b, ",\"sha256\":");
        lh__json_str(b, f->source_sha256);
        lh_buf_printf(b, ",\"rows\":%lld,\"snapshot_id\":%lld}", (long long)f->rows,
                      (long long)f->snapshot_id);
    }
    lh_buf_puts(b, "]}");
out:
    lh_strv_free(children, n_children);
    lh_dataset_free(d);
    return rc;
}

int lh_lake_history_json(struct lh_lake *l, const char *name, struct lh_buf *b,
                         struct lh_error *err)
{
    struct lh_schema_version *v = NULL;
    size_t n = 0;
    int rc;
    if ((rc = lh_catalog_name_check(name, err)) ||
        (rc = lh_catalog_schema_history(l->cat, name, &v, &n, err)))
        return rc;
    lh_buf_puts(b, "{\"dataset\":");
    lh__json_str(b, name);
    lh_buf_puts(b, ",\"versions\":[");
    for (size_t i = 0; i < n; i++) {
        lh_buf_printf(b, "%s{\"version\":%lld,\"snapshot_id\":%lld,\"created_ms\":%lld,\"actor\":",
                      i ? "," : "", (long long)v[i].version, (long long)v[i].snapshot_id,
                      (long long)v[i].created_ms);
        lh__json_str(b, v[i].actor);
        /* columns_json and changes_json are JSON texts written by us */
        lh_buf_printf(b, ",\"columns\":%s,\"changes\":%s}", v[i].columns_json, v[i].changes_json);
    }
    lh_buf_puts(b, "]}");
    lh_schema_history_free(v, n);
    return 0;
}

void lh_lake_journal_json(const struct lh_journal_entry *e, size_t n, struct lh_buf *b)
{
    lh_buf_puts(b, "{\"entries\":[");
    for (size_t i = 0; i < n; i++) {
        lh_buf_printf(b, "%s{\"id\":%lld,\"ts_ms\":%lld,\"snapshot_id\":%lld,\"actor\":",
                      i ? "," : "", (long long)e[i].id, (long long)e[i].ts_ms,
                      (long long)e[i].snapshot_id);
        lh__json_str(b, e[i].actor);
        lh_buf_puts(b, ",\"action\":");
        lh__json_str(b, e[i].action);
        lh_buf_puts(b, ",\"entity\":");
        lh__json_str(b, e[i].entity);
        lh_buf_puts(b, ",\"field\":");
        lh__json_str(b, e[i].field);
        lh_buf_puts(b, ",\"old\":");
        lh__json_str(b, e[i].old_value);
        lh_buf_puts(b, ",\"new\":");
        lh__json_str(b, e[i].new_value);
        lh_buf_putc(b, '}');
    }
    lh_buf_printf(b, "],\"next_before\":%lld}", n ? (long long)e[n - 1].id : 0LL);
}
