/* SPDX-License-Identifier: MIT */
/* config.h - the effective configuration: one declarative table of settings.
 *
 * Sources apply in order: built-in defaults < INI file (lakehouse.conf) <
 * environment (LH_<KEY>, upper case) < command-line flags (--key value or
 * --key=value, with '_' written as '-'). Every value is validated. */
#ifndef LH_CONFIG_H
#define LH_CONFIG_H

#include "lh_common.h"
#include "err.h"

struct lh_config {
    char *data_dir;            /* data folder: catalog.db + buckets */
    char *listen;              /* bind address */
    int port;
    int http_threads;
    int duckdb_threads;        /* 0 = number of cores */
    char *duckdb_memory_limit; /* DuckDB syntax, e.g. "4GB" or "75%" */
    int64_t max_upload_bytes;
    int64_t max_body_bytes;
    int64_t query_timeout_ms;
    int64_t query_row_limit;   /* default row cap for results; 0 = none */
    int64_t cache_bytes;       /* hot cache budget (pinned datasets in memory) */
    int64_t shutdown_grace_ms;
    char *log_level;
    char *auth;                /* "auto", "on", "off": whether API keys are required */
    char *embed_url;           /* base URL for ollama/openai embedders ("" = their default) */
    char *embed_api_key;       /* secret */
    char *llm;                 /* "none", "ollama" or "openai" */
    char *llm_url;
    char *llm_model;
    char *llm_api_key;         /* secret */
    int llm_timeout_ms;
    int ocr_dpi;               /* OCR resolution for PDF pages without text; 0 = no OCR */
    int demo_scale;            /* `serve`: load demo data at this scale on first start; 0 = off */
};

/* Sets defaults. Release with lh_config_release. */
void lh_config_init(struct lh_config *c);
void lh_config_release(struct lh_config *c);

/* Loads an INI file. Unknown keys and bad values are errors (with the line). */
int lh_config_load_file(struct lh_config *c, const char *path, struct lh_error *err);
/* Applies LH_* environment overrides. */
int lh_config_load_env(struct lh_config *c, struct lh_error *err);
/* Sets one setting by name ("port", "max-upload-bytes" or "max_upload_bytes"). */
int lh_config_set(struct lh_config *c, const char *key, const char *value, struct lh_error *err);
/* True if `name` (with dashes or underscores) is a known setting. */
bool lh_config_has(const char *name);
/* Writes the help text of every setting (name, env, default, meaning). */
void lh_config_print_help(void *file /* FILE* */);
/* Writes the effective config as a JSON object into out (struct lh_buf *). */
void lh_config_to_json(const struct lh_config *c, void *out);

/* Parses sizes like "100", "10KB", "5MiB", "2G". */
int lh_parse_size(const char *s, int64_t *out);

#endif
