/* SPDX-License-Identifier: MIT */
/* audit.h - the append-only access log: who did what, when, with what outcome.
 *
 * Its own SQLite file (audit.db next to the catalog), so auditing every request never
 * contends with catalog writes. Rows cannot be changed or deleted (triggers refuse it) and
 * each row carries the SHA-256 of its content and of the previous row, so removing or
 * editing rows behind SQLite's back is detected by lh_audit_verify. Secrets are redacted
 * before a row is written. Thread-safe. */
#ifndef LH_AUDIT_H
#define LH_AUDIT_H

#include "lh_common.h"
#include "buf.h"
#include "err.h"

struct lh_audit;

struct lh_audit_entry {
    const char *request_id; /* may be NULL */
    const char *actor;      /* "key:<id>(<name>)", "api@127.0.0.1", "cli@user" */
    const char *role;
    const char *action;     /* "query", "search", "rag", "ingest", "admin", ... */
    const char *target;     /* dataset, index, route; may be NULL */
    const char *detail;     /* SQL text, question, ...: redacted and capped; may be NULL */
    const char *outcome;    /* "ok", "denied", "error" */
    int status;             /* HTTP status (0 for the CLI) */
    int64_t rows;           /* rows or hits returned; -1 = not applicable */
    int64_t ms;             /* duration */
};

int lh_audit_open(const char *path, struct lh_audit **out, struct lh_error *err);
void lh_audit_close(struct lh_audit *a);
/* Appends one row; failures are logged, never returned (auditing must not break a request
 * that already ran), but counted in lh_audit_failures. */
void lh_audit_write(struct lh_audit *a, const struct lh_audit_entry *e);
int64_t lh_audit_failures(struct lh_audit *a);

struct lh_audit_filter {
    const char *actor, *role, *action, *outcome, *target; /* exact matches, NULL = any */
    int64_t since_ms, until_ms;                           /* 0 = open */
    int64_t before_id;                                    /* paging: rows with id < this */
    int limit;                                            /* 1..1000, 0 = 100 */
};
/* Writes {"entries":[...],"next_before":id|null}, newest first. */
int lh_audit_query_json(struct lh_audit *a, const struct lh_audit_filter *f, struct lh_buf *out,
                        struct lh_error *err);
/* Re-computes the hash chain: *out_rows checked; -LH_ECONFLICT naming the first bad row. */
int lh_audit_verify(struct lh_audit *a, int64_t *out_rows, struct lh_error *err);

#endif
