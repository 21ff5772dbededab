/* SPDX-License-Identifier: MIT */
/* router.c - the route table: matching, checks before dispatch, and the OpenAPI document. */
#include "lh_common.h"
#include "http.h"
#include "http_int.h"
#include "hash.h"
#include "sql.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* JSON schema of the POST /query/sql body (also used by the OpenAPI document). */
#define QUERY_BODY_DOC                                                                             \
    "{\"type\":\"object\",\"required\":[\"sql\"],\"properties\":{"                                 \
    "\"sql\":{\"type\":\"string\",\"description\":\"one read-only SELECT-type statement\"},"       \
    "\"format\":{\"type\":\"string\",\"enum\":[\"json\",\"ndjson\",\"csv\",\"parquet\"],"          \
    "\"default\":\"json\"},"                                                                       \
    "\"limit\":{\"type\":\"integer\",\"minimum\":0,"                                               \
    "\"description\":\"row cap (default query_row_limit; 0 = none)\"},"                            \
    "\"timeout_ms\":{\"type\":\"integer\",\"minimum\":0,"                                          \
    "\"description\":\"may lower the configured query_timeout_ms, never raise it\"},"            \
    "\"as_role\":{\"type\":\"string\",\"description\":\"govern permission: run as this role "   \
    "would (masks, views, firewall), for previews\"}}}"

/* The route table: dispatch, body limits and the OpenAPI document all come
 * from here. Order matters only between patterns that match the same path. */
const struct lh_route lh_routes[] = {
    {"GET", "/health", lh_api_health, 0, 0, "Liveness, version and catalog counters", NULL, NULL,
     "{status, version, datasets, snapshot_id, uptime_ms}",
     0, NULL},
    {"GET", "/openapi.json", lh_api_openapi, 0, 0, "This OpenAPI document", NULL, NULL,
     "the OpenAPI 3 document",
     0, NULL},
    {"GET", "/system", lh_api_system, 0, 0,
     "Health, storage use (per dataset and index, disk), request counters, hot cache and the "
     "configuration without secrets",
     NULL, NULL, "{status, version, uptime_ms, catalog, storage, http, cache, config}",
     LH_PERM_ADMIN, "read"},
    /* The web UI (LH_R_UI: not in the OpenAPI document; public, the page carries the sign-in). */
    {"GET", "/", lh_api_ui_index, LH_R_UI, 0, "The web UI", NULL, NULL, "index.html", 0, NULL},
    {"GET", "/ui/{file}", lh_api_ui_asset, LH_R_UI, 0, "A file of the web UI", NULL, NULL,
     "the file", 0, NULL},
    {"GET", "/catalog/datasets", lh_api_datasets_list, 0, 0, "List datasets with their schemas",
     NULL, NULL, "{datasets: [...]}",
     LH_PERM_READ, "read"},
    {"GET", "/catalog/datasets/{name}", lh_api_dataset_get, 0, 0,
     "One dataset with its schema and data files", NULL, NULL,
     "{name, description, owner, tags, rows, size_bytes, columns, files, ...}",
     LH_PERM_READ, "read"},
    {"DELETE", "/catalog/datasets/{name}", lh_api_dataset_delete, LH_R_WRITE, 0,
     "Delete a dataset and its data files", NULL, NULL, "{deleted}",
     LH_PERM_DELETE, "delete"},
    {"PATCH", "/catalog/datasets/{name}/metadata", lh_api_dataset_patch, LH_R_JSON | LH_R_WRITE, 0,
     "Change a dataset's description, owner, tags, sensitivity, parents, or columns' PII kind "
     "and sensitivity (journaled)",
     NULL,
     "{\"type\":\"object\",\"properties\":{\"description\":{\"type\":\"string\"},"
     "\"owner\":{\"type\":\"string\"},\"tags\":{\"type\":\"array\"},"
     "\"sensitivity\":{\"type\":\"string\"},\"parents\":{\"type\":\"array\"},"
     "\"columns\":{\"type\":\"object\"}}}",
     "the dataset",
     LH_PERM_INGEST, "metadata"},
    {"GET", "/catalog/datasets/{name}/lineage", lh_api_dataset_lineage, 0, 0,
     "Where a dataset comes from and what derives from it", NULL, NULL,
     "{dataset, source_system, source, ingest_job, parents, children, files}",
     LH_PERM_READ, "read"},
    {"GET", "/catalog/datasets/{name}/schema", lh_api_dataset_schema, 0, 0,
     "The schema history of a dataset", NULL, NULL, "{dataset, versions: [...]}",
     LH_PERM_READ, "read"},
    {"POST", "/catalog/datasets/{name}/compact", lh_api_dataset_compact, LH_R_WRITE, 0,
     "Merge a dataset's small files into one in the background (202), or with wait=true "
     "before replying",
     "wait,target_bytes", NULL,
     "{dataset, status} or {dataset, files_before, files_after, files_merged, rows, ...}",
     LH_PERM_INGEST, "compact"},
    {"GET", "/query/cache", lh_api_cache_stats, 0, 0, "Hot cache budget, use and pinned datasets",
     NULL, NULL, "{budget_bytes, used_bytes, entries: [...]}",
     LH_PERM_READ, "read"},
    {"POST", "/query/cache/pin", lh_api_cache_pin, LH_R_JSON | LH_R_WRITE, 0,
     "Pin a dataset in memory; queries use the copy until the dataset changes", NULL,
     "{\"type\":\"object\",\"required\":[\"dataset\"],"
     "\"properties\":{\"dataset\":{\"type\":\"string\"}}}",
     "{dataset, state, bytes, rows, hits, loaded_ms}",
     LH_PERM_INGEST, "cache"},
    {"POST", "/query/cache/evict", lh_api_cache_evict, LH_R_JSON | LH_R_WRITE, 0,
     "Drop a dataset's in-memory copy", NULL,
     "{\"type\":\"object\",\"required\":[\"dataset\"],"
     "\"properties\":{\"dataset\":{\"type\":\"string\"}}}",
     "{evicted}",
     LH_PERM_INGEST, "cache"},
    {"POST", "/vectors/index", lh_api_vectors_index, LH_R_JSON | LH_R_WRITE, 0,
     "Create or refresh a vector index over a dataset's text column: a background job that "
     "embeds only new or changed documents (202 with the job)",
     NULL,
     "{\"type\":\"object\",\"required\":[\"dataset\",\"text_column\",\"id_column\"],"
     "\"properties\":{\"dataset\":{\"type\":\"string\"},\"text_column\":{\"type\":"
     "\"string\"},\"id_column\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},"
     "\"embedder\":{\"type\":\"string\"},\"model\":{\"type\":\"string\"},"
     "\"dims\":{\"type\":\"integer\"},\"chunk_size\":{\"type\":\"integer\"},"
     "\"chunk_overlap\":{\"type\":\"integer\"},\"m\":{\"type\":\"integer\"},"
     "\"ef_construction\":{\"type\":\"integer\"}}}",
     "the job {id, state, done, total, rate_per_s, eta_s, ...}",
     LH_PERM_INDEX, "index"},
    {"GET", "/vectors/indexes", lh_api_vectors_indexes, 0, 0,
     "The index registry: dataset, columns, embedder, model, version, dims, generation, stats",
     "dataset", NULL, "{indexes: [...]}",
     LH_PERM_READ, "read"},
    {"GET", "/vectors/indexes/{name}", lh_api_vectors_index_get, 0, 0, "One index", NULL, NULL,
     "the index",
     LH_PERM_READ, "read"},
    {"DELETE", "/vectors/indexes/{name}", lh_api_vectors_index_delete, LH_R_WRITE, 0,
     "Drop an index, its files and its stored eval runs", NULL, NULL, "{deleted}",
     LH_PERM_INDEX, "index"},
    {"GET", "/vectors/indexes/{name}/evals", lh_api_vectors_index_evals, 0, 0,
     "The stored eval runs of an index, newest first: build, parameters, recall and latency "
     "per ef",
     "limit", NULL,
     "{index, evals: [{id, generation, queries, k, params, configs: [...], actor, created_ms}]}",
     LH_PERM_READ, "read"},
    {"GET", "/vectors/jobs", lh_api_vectors_jobs, 0, 0, "Jobs, newest first", "state", NULL,
     "{jobs: [...]}",
     LH_PERM_READ, "read"},
    {"GET", "/vectors/jobs/{id}", lh_api_vectors_job_get, 0, 0,
     "A job's progress: done/total, rate, ETA, state", NULL, NULL, "the job",
     LH_PERM_READ, "read"},
    {"POST", "/vectors/jobs/{id}/cancel", lh_api_vectors_job_cancel, LH_R_WRITE, 0,
     "Cancel a job at its next batch (finished batches are kept)", NULL, NULL, "{canceled}",
     LH_PERM_INDEX, "index"},
    {"POST", "/vectors/search", lh_api_vectors_search, LH_R_JSON, 0,
     "Semantic, keyword (BM25) or hybrid (RRF) search with an optional SQL filter", NULL,
     "{\"type\":\"object\",\"required\":[\"index\",\"query\"],\"properties\":{"
     "\"index\":{\"type\":\"string\"},\"query\":{\"type\":\"string\"},"
     "\"k\":{\"type\":\"integer\"},\"mode\":{\"type\":\"string\"},"
     "\"filter\":{\"type\":\"string\"},\"ef\":{\"type\":\"integer\"}}}",
     "{count, exact, ms, hits: [{rank, doc_id, chunk, score, text}]}",
     LH_PERM_SEARCH, "search"},
    {"POST", "/vectors/rag", lh_api_vectors_rag, LH_R_JSON, 0,
     "Answer a question from an index with numbered citations (LLM, or extractive without one)",
     NULL,
     "{\"type\":\"object\",\"required\":[\"question\"],\"properties\":{"
     "\"question\":{\"type\":\"string\"},\"index\":{\"type\":\"string\"},"
     "\"k\":{\"type\":\"integer\"},\"filter\":{\"type\":\"string\"}}}",
     "{answer, mode, model, citations: [{n, doc_id, chunk, score, text}]}",
     LH_PERM_SEARCH, "rag"},
    {"POST", "/vectors/eval", lh_api_vectors_eval, LH_R_JSON | LH_R_WRITE, 0,
     "Recall@k and latency percentiles of an index per ef, against exact search; the run is "
     "stored (GET /vectors/indexes/{name}/evals)",
     NULL,
     "{\"type\":\"object\",\"required\":[\"index\"],\"properties\":{"
     "\"index\":{\"type\":\"string\"},\"queries\":{\"type\":\"integer\"},"
     "\"k\":{\"type\":\"integer\"},\"ef\":{\"type\":\"array\"}}}",
     "{id, index, generation, queries, k, vectors, params, exact_ms_mean, "
     "configs: [{ef, recall, ms_p50, ...}], actor, created_ms}",
     LH_PERM_SEARCH, "eval"},
    {"GET", "/journal/recent", lh_api_journal_recent, 0, 0,
     "The latest mutations: entity, field, old and new value, actor, time", "limit,before",
     NULL, "{entries: [...], next_before}",
     LH_PERM_READ, "read"},
    {"GET", "/journal/history/{entity}", lh_api_journal_history, 0, 0,
     "The mutations of one dataset (or dataset.column)", "limit,before", NULL,
     "{entries: [...], next_before}",
     LH_PERM_READ, "read"},
    {"POST", "/catalog/resync", lh_api_resync, LH_R_WRITE, 0,
     "Re-read every dataset's Parquet footers and repair row counts and schemas", NULL, NULL,
     "{datasets, files_checked, datasets_repaired}",
     LH_PERM_ADMIN, "admin"},
    {"POST", "/catalog/gc", lh_api_gc, LH_R_WRITE, 0,
     "Remove storage objects no catalog entry references", NULL, NULL,
     "{files_removed, bytes_removed, files_kept}",
     LH_PERM_ADMIN, "admin"},
    {"POST", "/ingest/file", lh_api_ingest_file, LH_R_UPLOAD | LH_R_WRITE, 0,
     "Ingest an uploaded CSV, JSON or Parquet file as a dataset (multipart field \"file\" or a raw "
     "body); 201 when a dataset was created",
     "name,mode,format,delimiter,header,source,description,owner,allow_schema_change", NULL,
     "{dataset, mode, format, rows, total_rows, snapshot_id, bytes, sha256, duplicate, columns}",
     LH_PERM_INGEST, "ingest"},
    {"POST", "/query/sql", lh_api_query_sql, LH_R_JSON | LH_R_STREAM, 0,
     "Run one read-only SQL query; the result streams as JSON, NDJSON, CSV or Parquet", "format",
     QUERY_BODY_DOC, "the result in the requested format",
     LH_PERM_QUERY, "query"},
    {"GET", "/access/whoami", lh_api_whoami, 0, 0,
     "The caller: actor, role with its permissions and masks, bound profile", NULL, NULL,
     "{actor, key_id, profile, auth_required, role: {...}}", LH_PERM_READ, NULL},
    {"POST", "/access/keys", lh_api_keys_create, LH_R_JSON | LH_R_WRITE, 0,
     "Create an API key for a role (the key is shown once, only its hash is stored)", NULL,
     "{\"type\":\"object\",\"required\":[\"name\",\"role\"],\"properties\":{"
     "\"name\":{\"type\":\"string\"},\"role\":{\"type\":\"string\"},"
     "\"profile\":{\"type\":\"string\"}}}",
     "{key, note, api_key: {id, name, role, profile, created_ms, ...}}", LH_PERM_GOVERN,
     "govern"},
    {"GET", "/access/keys", lh_api_keys_list, 0, 0, "API keys (never their secret part)", NULL,
     NULL, "{keys: [...]}", LH_PERM_GOVERN, "read"},
    {"DELETE", "/access/keys/{id}", lh_api_keys_revoke, LH_R_WRITE, 0,
     "Revoke an API key (at once, for every following request)", NULL, NULL, "{revoked}",
     LH_PERM_GOVERN, "govern"},
    {"GET", "/access/roles", lh_api_roles_list, 0, 0,
     "Roles: built in (admin, analyst, agent) and custom, with permissions and column masks",
     NULL, NULL, "{roles: [...]}", LH_PERM_GOVERN, "read"},
    {"POST", "/access/roles", lh_api_roles_put, LH_R_JSON | LH_R_WRITE, 0,
     "Create or replace a custom role", NULL,
     "{\"type\":\"object\",\"required\":[\"name\"],\"properties\":{"
     "\"name\":{\"type\":\"string\"},\"permissions\":{\"type\":\"array\"},"
     "\"datasets\":{\"type\":\"array\"},\"views\":{\"type\":\"array\"},"
     "\"masks\":{\"type\":\"object\",\"description\":\"sensitivity or PII kind -> show, "
     "mask, hash, null or {action, prefix, suffix}\"}}}",
     "the role", LH_PERM_GOVERN, "govern"},
    {"DELETE", "/access/roles/{name}", lh_api_roles_delete, LH_R_WRITE, 0, "Delete a custom role",
     NULL, NULL, "{deleted}", LH_PERM_GOVERN, "govern"},
    {"GET", "/access/audit", lh_api_audit, 0, 0,
     "The audit log, newest first: who, role, what, when, rows, outcome", 
     "actor,role,action,outcome,target,since_ms,until_ms,before,limit,verify", NULL,
     "{entries: [...], next_before}", LH_PERM_ADMIN, NULL},
    {"GET", "/catalog/views", lh_api_views_list, 0, 0, "AI-safe views the caller may read", NULL,
     NULL, "{views: [...]}", LH_PERM_READ, "read"},
    {"POST", "/catalog/views", lh_api_views_put, LH_R_JSON | LH_R_WRITE, 0,
     "Create or replace an AI-safe view: a dataset's column whitelist, row filter and "
     "per-column redactions",
     NULL,
     "{\"type\":\"object\",\"required\":[\"name\",\"dataset\"],\"properties\":{"
     "\"name\":{\"type\":\"string\"},\"dataset\":{\"type\":\"string\"},"
     "\"columns\":{\"type\":\"array\"},\"filter\":{\"type\":\"string\"},"
     "\"redact\":{\"type\":\"object\"},\"description\":{\"type\":\"string\"}}}",
     "the view", LH_PERM_GOVERN, "govern"},
    {"GET", "/catalog/views/{name}", lh_api_view_get, 0, 0, "One view", NULL, NULL, "the view",
     LH_PERM_READ, "read"},
    {"DELETE", "/catalog/views/{name}", lh_api_view_delete, LH_R_WRITE, 0, "Delete a view", NULL,
     NULL, "{deleted}", LH_PERM_GOVERN, "govern"},
    {"POST", "/catalog/datasets/{name}/tombstone", lh_api_tombstone, LH_R_JSON | LH_R_WRITE, 0,
     "Delete rows by key everywhere (SQL, search, RAG, exports); durable before the reply, "
     "physically removed at the next compaction",
     NULL,
     "{\"type\":\"object\",\"required\":[\"key_column\",\"values\",\"reason\"],"
     "\"properties\":{\"key_column\":{\"type\":\"string\"},\"values\":{\"type\":"
     "\"array\"},\"reason\":{\"type\":\"string\"},\"actor\":{\"type\":\"string\"}}}",
     "{dataset, key_column, values, added, durable}", LH_PERM_DELETE, "tombstone"},
    {"GET", "/catalog/datasets/{name}/tombstones", lh_api_tombstones, 0, 0,
     "A dataset's tombstones with their audit fields", NULL, NULL, "{tombstones: [...], count}",
     LH_PERM_DELETE, "read"},
    {"GET", "/catalog/tombstones", lh_api_tombstones, 0, 0, "Every tombstone", NULL, NULL,
     "{tombstones: [...], count}", LH_PERM_DELETE, "read"},
    {"GET", "/vectors/profiles", lh_api_profiles_list, 0, 0, "Model profiles", NULL, NULL,
     "{profiles: [...]}", LH_PERM_READ, "read"},
    {"POST", "/vectors/profiles", lh_api_profiles_put, LH_R_JSON | LH_R_WRITE, 0,
     "Create or replace a model profile: an LLM/embedder bound to datasets, views, indexes",
     NULL,
     "{\"type\":\"object\",\"required\":[\"name\"],\"properties\":{"
     "\"name\":{\"type\":\"string\"},\"datasets\":{\"type\":\"array\"},"
     "\"views\":{\"type\":\"array\"},\"indexes\":{\"type\":\"array\"},"
     "\"llm\":{\"type\":\"string\"},\"llm_model\":{\"type\":\"string\"},"
     "\"embedder\":{\"type\":\"string\"},\"description\":{\"type\":\"string\"}}}",
     "the profile", LH_PERM_GOVERN, "govern"},
    {"GET", "/vectors/profiles/{id}", lh_api_profile_get, 0, 0, "One model profile", NULL, NULL,
     "the profile", LH_PERM_READ, "read"},
    {"DELETE", "/vectors/profiles/{id}", lh_api_profile_delete, LH_R_WRITE, 0,
     "Delete a model profile", NULL, NULL, "{deleted}", LH_PERM_GOVERN, "govern"},
    {"POST", "/vectors/profile/{id}/activate", lh_api_profile_activate, LH_R_WRITE, 0,
     "Warm a profile's indexes (load them into memory)", NULL, NULL,
     "{profile, indexes: [{name, loaded, ms}], activated}", LH_PERM_SEARCH, "activate"},
};
const size_t lh_n_routes = LH_ARRAY_LEN(lh_routes);

/* ---- small parsers ---- */

int64_t lh_http_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int lh_http_unescape(const char *s, size_t n, char **out)
{
    char *d = lh_xmalloc(n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\0')
            goto bad;
        if (s[i] != '%') {
            d[j++] = s[i];
            continue;
        }
        if (i + 2 >= n)
            goto bad;
        int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
            goto bad;
        d[j++] = (char)(hi * 16 + lo);
        i += 2;
    }
    d[j] = '\0';
    *out = d;
    return 0;
bad:
    free(d);
    return -LH_EINVAL;
}

bool lh_http_req_id_ok(const char *s)
{
    size_t n = 0;
    if (!s)
        return false;
    for (; s[n]; n++) {
        char c = s[n];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok || n >= LH_REQ_ID_MAX)
            return false;
    }
    return n > 0;
}

void lh_http_req_id(const char *client, char out[LH_REQ_ID_MAX + 1])
{
    if (lh_http_req_id_ok(client)) {
        size_t n = strlen(client);
        memcpy(out, client, n + 1);
    } else {
        lh_random_hex(out, 8);
    }
}

int lh_http_parse_i64(const char *s, int64_t *out)
{
    if (!s || !*s)
        return -LH_EINVAL;
    const char *p = s[0] == '-' ? s + 1 : s;
    if (*p < '0' || *p > '9')
        return -LH_EINVAL;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return -LH_EINVAL;
    *out = (int64_t)v;
    return 0;
}

/* ---- matching ---- */

/* Matches one pattern against a raw path. Returns 1 on a match (decoded
 * parameters appended to params), 0 if it does not match, or -LH_EINVAL
 * if it matches but a parameter is badly percent-encoded. */
static int match_pattern(const char *pat, const char *path, struct lh_kvs *params)
{
    struct lh_kvs tmp = LH_KVS_INIT;
    int rc = 0;
    const char *p = pat, *s = path;

    if (*s != '/')
        goto out;
    while (*p == '/' && *s == '/') {
        p++;
        s++;
        const char *pe = strchr(p, '/'), *se = strchr(s, '/');
        size_t pn = pe ? (size_t)(pe - p) : strlen(p);
        size_t sn = se ? (size_t)(se - s) : strlen(s);
        if (pn >= 2 && p[0] == '{' && p[pn - 1] == '}') {
            char name[32], *val;
            if (sn == 0 || pn - 2 >= sizeof(name))
                goto out;
            memcpy(name, p + 1, pn - 2);
            name[pn - 2] = '\0';
            if (lh_http_unescape(s, sn, &val) != 0) {
                /* Remember the failure but only report it if the rest matches. */
                rc = -LH_EINVAL;
                val = NULL;
            }
            lh_kvs_add_take(&tmp, name, val ? val : lh_xstrdup(""));
        } else if (pn != sn || memcmp(p, s, pn) != 0) {
            rc = 0;
            goto out;
        }
        p += pn;
        s += sn;
    }
    if (*p != '\0' || *s != '\0') {
        rc = 0;
        goto out;
    }
    if (rc == 0) {
        for (size_t i = 0; params && i < tmp.n; i++) {
            lh_kvs_add_take(params, tmp.v[i].key, tmp.v[i].val);
            tmp.v[i].val = NULL;
        }
        rc = 1;
    }
out:
    lh_kvs_free(&tmp);
    return rc;
}

int lh_router_match(const char *method, const char *path, const struct lh_route **out,
                    struct lh_kvs *params, char *allow, size_t allow_len, struct lh_error *err)
{
    const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;
    bool path_known = false, bad_escape = false;
    size_t alen = 0;

    if (allow && allow_len)
        allow[0] = '\0';
    for (size_t i = 0; i < lh_n_routes; i++) {
        const struct lh_route *r = &lh_routes[i];
        bool same = strcmp(r->method, m) == 0;
        int rc = match_pattern(r->pattern, path, same ? params : NULL);
        if (rc == 0)
            continue;
        if (rc < 0) {
            bad_escape = true;
            continue;
        }
        if (same) {
            *out = r;
            return 0;
        }
        path_known = true;
        if (allow && !strstr(allow, r->method)) {
            int w = snprintf(allow + alen, allow_len - alen, "%s%s", alen ? ", " : "", r->method);
            if (w > 0 && (size_t)w < allow_len - alen)
                alen += (size_t)w;
        }
    }
    if (bad_escape)
        return lh_error_set(err, LH_EINVAL, "the path has a malformed percent-encoding");
    if (path_known)
        return lh_error_set(err, LH_EMETHOD, "method %.32s is not allowed here (allowed: %s)",
                            method, allow ? allow : "");
    return lh_error_set(err, LH_ENOTFOUND, "there is no route for this path");
}

/* ---- dispatch ---- */

/* ---- who may call what ---- */

bool lh_http_auth_required(const struct lh_config *cfg)
{
    if (strcmp(cfg->auth, "on") == 0)
        return true;
    if (strcmp(cfg->auth, "off") == 0)
        return false;
    /* auto: keys are required as soon as anything beyond this machine can connect */
    const char *h = cfg->listen;
    return !(strcmp(h, "localhost") == 0 || strncmp(h, "127.", 4) == 0 || strcmp(h, "::1") == 0);
}

/* The key from X-API-Key or "Authorization: Bearer <key>", or NULL. */
static const char *presented_key(const struct lh_req *rq)
{
    const char *k = lh_kvs_get_ci(&rq->headers, "X-API-Key");
    if (k && *k)
        return k;
    const char *a = lh_kvs_get_ci(&rq->headers, "Authorization");
    if (a && strncasecmp(a, "Bearer ", 7) == 0) {
        a += 7;
        while (*a == ' ')
            a++;
        return *a ? a : NULL;
    }
    return NULL;
}

int lh_router_authorize(struct lh_req *rq, bool auth_required, struct lh_error *err)
{
    const struct lh_route *r = rq->route;
    const char *key = presented_key(rq);
    if (key) {
        struct lh_principal p;
        int rc = lh_lake_authenticate(rq->lake, key, &p, err);
        if (rc)
            return rc;
        lh_principal_release(&rq->who);
        rq->who = p;
        snprintf(rq->actor, sizeof(rq->actor), "%s", p.actor);
    } else if (auth_required && r && r->perm) {
        return lh_error_set(err, LH_EAUTH,
                            "an API key is required: send it as X-API-Key or "
                            "Authorization: Bearer");
    } else {
        lh_principal_release(&rq->who);
        lh_principal_admin(&rq->who, rq->actor);
    }
    if (r && r->perm && !(rq->who.role.perms & r->perm))
        return lh_error_set(err, LH_EPERM, "role '%s' lacks the '%s' permission needed for %s %s",
                            rq->who.role.name, lh_perm_name(r->perm), r->method, r->pattern);
    return 0;
}

void lh_router_audit(struct lh_req *rq, int status, int64_t ms)
{
    const struct lh_route *r = rq->route;
    if (!rq->lake || (r && !r->audit))
        return;
    char target[256];
    const char *t = rq->audit_target;
    if (!t) {
        const char *n = lh_kvs_get(&rq->params, "name");
        if (!n)
            n = lh_kvs_get(&rq->params, "id");
        t = n;
    }
    char route[320];
    snprintf(target, sizeof(target), "%s", t ? t : (r ? r->pattern : rq->path));
    snprintf(route, sizeof(route), "%s %s", rq->method, rq->path);
    struct lh_audit_entry e = {0};
    e.request_id = rq->id;
    e.actor = rq->who.actor;
    e.role = rq->who.role.name;
    e.action = r ? r->audit : "unrouted";
    e.target = target;
    e.detail = rq->audit_detail ? rq->audit_detail : route;
    e.outcome = status < 400 ? "ok" : (status == 401 || status == 403) ? "denied" : "error";
    e.status = status;
    e.rows = rq->audit_rows;
    e.ms = ms;
    lh_audit_write(rq->lake->audit, &e);
}

void lh_router_dispatch(struct lh_req *rq, struct lh_reply *rp)
{
    const struct lh_route *r = rq->route;
    struct lh_error err;
    lh_error_clear(&err);

    if (r->flags & LH_R_JSON) {
        json_error_t je;
        if (rq->body.len == 0) {
            lh_reply_error(rp, LH_EINVAL, "the request body must be a JSON object");
            return;
        }
        json_t *j = json_loadb(rq->body.ptr, rq->body.len, JSON_REJECT_DUPLICATES, &je);
        if (!j) {
            lh_reply_error(rp, LH_EINVAL, "invalid JSON at line %d, column %d: %s", je.line,
                           je.column, je.text);
            return;
        }
        if (!json_is_object(j)) {
            json_decref(j);
            lh_reply_error(rp, LH_EINVAL, "the request body must be a JSON object");
            return;
        }
        rq->json = j;
    }
    int rc = r->handler(rq, rp, &err);
    if (rc < 0)
        lh_reply_error_from(rp, rc, &err);
    else if (rp->status == 0)
        lh_reply_error(rp, LH_EINTERNAL, "the handler produced no reply");
}

void lh_router_handle(struct lh_req *rq, struct lh_reply *rp)
{
    char allow[64];
    struct lh_error err;
    const struct lh_route *r = NULL;
    lh_error_clear(&err);

    int rc = lh_router_match(rq->method, rq->path, &r, &rq->params, allow, sizeof(allow), &err);
    if (rc < 0) {
        lh_reply_error_from(rp, rc, &err);
        if (rc == -LH_EMETHOD)
            lh_reply_header(rp, "Allow", allow);
        return;
    }
    rq->route = r;
    lh_router_dispatch(rq, rp);
}

/* ---- OpenAPI ---- */

static json_t *error_response(void)
{
    json_t *ref = json_pack("{s:s}", "$ref", "#/components/schemas/Error");
    return json_pack("{s:s, s:{s:{s:o}}}", "description", "error", "content", "application/json",
                     "schema", ref);
}

static json_t *json_content(const char *desc)
{
    return json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", desc, "content", "application/json",
                     "schema", "type", "object");
}

static json_t *route_operation(const struct lh_route *r)
{
    json_t *op = json_object();
    json_t *params = json_array();
    json_t *resp = json_object();
    char opid[128];
    size_t k = 0;

    /* operationId: method + path words, e.g. get_catalog_datasets_name */
    for (const char *m = r->method; *m && k < sizeof(opid) - 1; m++)
        opid[k++] = (char)(*m >= 'A' && *m <= 'Z' ? *m + 32 : *m);
    for (const char *p = r->pattern; *p && k < sizeof(opid) - 1; p++) {
        char c = *p;
        if (c == '{' || c == '}')
            continue;
        opid[k++] = (c == '/' || c == '.') ? '_' : c;
    }
    opid[k] = '\0';
    json_object_set_new(op, "operationId", json_string(opid));
    if (r->perm)
        json_object_set_new(op, "x-permission", json_string(lh_perm_name(r->perm)));
    else
        json_object_set_new(op, "security", json_array()); /* public */
    json_object_set_new(op, "summary", json_string(r->summary));

    for (const char *p = strchr(r->pattern, '{'); p; p = strchr(p + 1, '{')) {
        const char *e = strchr(p, '}');
        if (!e)
            break;
        json_array_append_new(params, json_pack("{s:s%, s:s, s:b, s:{s:s}}", "name", p + 1,
                                                (size_t)(e - p - 1), "in", "path", "required", 1,
                                                "schema", "type", "string"));
    }
    for (const char *q = r->query; q && *q;) {
        const char *e = strchr(q, ',');
        size_t n = e ? (size_t)(e - q) : strlen(q);
        json_array_append_new(params,
                              json_pack("{s:s%, s:s, s:b, s:{s:s}}", "name", q, n, "in", "query",
                                        "required", 0, "schema", "type", "string"));
        q += n + (e ? 1 : 0);
    }
    if (json_array_size(params))
        json_object_set_new(op, "parameters", params);
    else
        json_decref(params);

    if (r->flags & LH_R_JSON) {
        json_t *schema = r->body_doc ? json_loads(r->body_doc, 0, NULL) : NULL;
        if (!schema)
            schema = json_pack("{s:s}", "type", "object");
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:{s:o}}}", "required", 1, "content",
                                      "application/json", "schema", schema));
    } else if (r->flags & LH_R_UPLOAD) {
        json_t *props = json_pack("{s:{s:s, s:s}}", "file", "type", "string", "format", "binary");
        for (const char *q = r->query; q && *q;) {
            const char *e = strchr(q, ',');
            size_t n = e ? (size_t)(e - q) : strlen(q);
            char name[32];
            if (n < sizeof(name) && !(n == 6 && memcmp(q, "source", 6) == 0)) {
                memcpy(name, q, n);
                name[n] = '\0';
                json_object_set_new(props, name, json_pack("{s:s}", "type", "string"));
            }
            q += n + (e ? 1 : 0);
        }
        json_t *content =
            json_pack("{s:{s:{s:s, s:[s], s:o}}, s:{s:{s:s, s:s}}}", "multipart/form-data",
                      "schema", "type", "object", "required", "file", "properties", props,
                      "application/octet-stream", "schema", "type", "string", "format", "binary");
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:o}", "required", 1, "content", content));
    }

    if (r->flags & LH_R_STREAM) {
        json_t *content = json_object();
        static const enum lh_sql_format fmts[] = {LH_FMT_JSON, LH_FMT_NDJSON, LH_FMT_CSV,
                                                  LH_FMT_PARQUET};
        for (size_t i = 0; i < LH_ARRAY_LEN(fmts); i++) {
            const char *mime = lh_sql_format_mime(fmts[i]);
            if (mime && !json_object_get(content, mime))
                json_object_set_new(content, mime, json_object());
        }
        json_object_set_new(
            resp, "200", json_pack("{s:s, s:o}", "description", r->reply_doc, "content", content));
    } else {
        json_object_set_new(resp, "200", json_content(r->reply_doc));
        if (r->flags & LH_R_UPLOAD)
            json_object_set_new(resp, "201", json_content("a new dataset was created"));
    }
    json_object_set_new(resp, "default", error_response());
    json_object_set_new(op, "responses", resp);
    return op;
}

char *lh_http_openapi(void)
{
    json_t *paths = json_object();
    for (size_t i = 0; i < lh_n_routes; i++) {
        const struct lh_route *r = &lh_routes[i];
        if (r->flags & LH_R_UI)
            continue; /* the document describes the JSON API */
        json_t *item = json_object_get(paths, r->pattern);
        if (!item) {
            item = json_object();
            json_object_set_new(paths, r->pattern, item);
        }
        char m[16];
        size_t k = 0;
        for (const char *p = r->method; *p && k < sizeof(m) - 1; p++)
            m[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        m[k] = '\0';
        json_object_set_new(item, m, route_operation(r));
    }
    json_t *error_schema =
        json_pack("{s:s, s:[s], s:{s:{s:s, s:[s,s], s:{s:{s:s, s:s}, s:{s:s}}}}}", "type", "object",
                  "required", "error", "properties", "error", "type", "object", "required", "code",
                  "message", "properties", "code", "type", "string", "description",
                  "snake_case error code, e.g. not_found", "message", "type", "string");
    json_t *doc = json_pack(
        "{s:s, s:{s:s, s:s, s:s}, s:o, s:{s:{s:o}}}", "openapi", "3.0.3", "info", "title",
        "lakehouse", "version", LH_VERSION, "description",
        "An AI-native data lakehouse: ingest files as governed Parquet datasets and query them "
        "with SQL. Errors are {\"error\":{\"code\",\"message\"}}; every reply carries "
        "X-Request-Id.",
        "paths", paths, "components", "schemas", "Error", error_schema);
    /* API keys: either header works; which permission a route needs is its x-permission */
    json_t *comp = json_object_get(doc, "components");
    json_object_set_new(comp, "securitySchemes",
                        json_pack("{s:{s:s, s:s, s:s}, s:{s:s, s:s}}", "apiKey", "type", "apiKey",
                                  "in", "header", "name", "X-API-Key", "bearer", "type", "http",
                                  "scheme", "bearer"));
    json_object_set_new(doc, "security",
                        json_pack("[{s:[]}, {s:[]}, {}]", "apiKey", "bearer"));
    char *s = NULL;
    if (doc) {
        char *t = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (t) {
            s = lh_xstrdup(t);
            free(t);
        }
        json_decref(doc);
    }
    return s ? s : lh_xstrdup("{}");
}
