/* SPDX-License-Identifier: MIT */
/* http_client.h - JSON-over-HTTP client for model servers (libcurl): retries, timeouts, errors.
 *
 * Shared by the remote embedders (src/embed) and generators (src/llm); it is the only place
 * of those modules that includes curl.h. (STYLE.md puts it in base/http_client.c; it lives
 * here until base grows a libcurl dependency.)
 *
 * A client holds its options and a small pool of curl easy handles, so keep-alive connections
 * are reused between calls; it is safe to use from several threads at once.
 *
 * Retries: a request is retried up to max_retries times when the answer is 429 or 5xx, or the
 * transfer timed out or the connection broke mid-way (not when the connection is refused or
 * the host is unknown). The waits are retry_base_ms * 2^(attempt - 1) plus up to 25% jitter,
 * or the server's Retry-After (seconds, capped at 30 s) when it sends one.
 *
 * Errors (the message starts with opts.name, e.g. "ollama: "):
 *   -LH_EUPSTREAM  non-2xx answer ("HTTP 503 from http://host:port/api/embed: <excerpt>"; the
 *                  excerpt is the server's JSON error message when it has one, else the start
 *                  of its body, at most 200 characters), connection failures, invalid JSON;
 *   -LH_ETIMEDOUT  no complete answer within timeout_ms (after the retries);
 *   -LH_ETOOBIG    answer larger than max_response.
 * The API key never appears in a message: every occurrence is replaced by "[redacted]",
 * and URLs are shown without user info or query string. */
#ifndef LH_HTTP_CLIENT_H
#define LH_HTTP_CLIENT_H

#include "lh_common.h"
#include "err.h"

#include <jansson.h>

struct lh_http_client;

struct lh_http_client_opts {
    const char *name;       /* prefix of error messages, e.g. "openai" */
    const char *api_key;    /* sent as "Authorization: Bearer KEY"; NULL/"" = none; copied */
    int timeout_ms;         /* per attempt; 0 = 60000 */
    int connect_timeout_ms; /* 0 = 10000 */
    int max_retries;        /* 0 = 3; negative = no retry */
    int retry_base_ms;      /* 0 = 250 */
    size_t max_response;    /* bytes; 0 = 256 MiB */
};

/* Creates a client (calls curl_global_init once per process). */
int lh_http_client_new(const struct lh_http_client_opts *opts, struct lh_http_client **out,
                       struct lh_error *err);
void lh_http_client_free(struct lh_http_client *c);

/* POSTs body (len bytes of JSON) to url and parses a 2xx answer into *out (owned by the
 * caller: json_decref). On error *out is untouched. */
int lh_http_client_post_json(struct lh_http_client *c, const char *url, const char *body,
                             size_t len, json_t **out, struct lh_error *err);

/* Formats an error message with the client's name prefix and the key redacted; returns
 * -code. For callers that find the answer's content wrong (missing fields, bad dims). */
int lh_http_client_error(struct lh_http_client *c, struct lh_error *err, int code,
                         const char *fmt, ...) LH_PRINTF(4, 5);

/* The URL as shown in messages: no user info, no query string (malloc'd). */
char *lh_http_client_display_url(const char *url);

/* The URL of an API route: {base}{ollama_path} for Ollama, {base}/v1{openai_path} for an
 * OpenAI-compatible server (a base that already ends in /v1 keeps it); trailing slashes of
 * base are dropped. Malloc'd. */
char *lh_http_endpoint(const char *base, bool openai, const char *ollama_path,
                       const char *openai_path);

#endif
