/* SPDX-License-Identifier: MIT */
/* config.c - settings table, INI/env/flag loading and validation. */
#include "lh_common.h"
#include "config.h"
#include "buf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

enum cfg_type { CFG_STR, CFG_INT, CFG_I64, CFG_SIZE, CFG_SECRET /* a string never shown */ };

struct cfg_def {
    const char *section;
    const char *name;
    enum cfg_type type;
    size_t offset;
    const char *def;
    int64_t min, max;
    const char *help;
};

#define OFF(f) offsetof(struct lh_config, f)
static const struct cfg_def defs[] = {
    {"storage", "data_dir", CFG_STR, OFF(data_dir), "./data", 0, 0,
     "data folder: catalog.db and the 'primary' bucket"},
    {"server", "listen", CFG_STR, OFF(listen), "127.0.0.1", 0, 0, "address to bind"},
    {"server", "port", CFG_INT, OFF(port), "3100", 0, 65535, "TCP port (0 = pick a free one)"},
    {"server", "http_threads", CFG_INT, OFF(http_threads), "8", 1, 256,
     "HTTP worker threads (concurrent requests)"},
    {"server", "max_upload_bytes", CFG_SIZE, OFF(max_upload_bytes), "4GiB", 1, INT64_MAX,
     "largest accepted upload (POST /ingest/file)"},
    {"server", "max_body_bytes", CFG_SIZE, OFF(max_body_bytes), "1MiB", 1, INT64_MAX,
     "largest accepted JSON request body"},
    {"server", "shutdown_grace_ms", CFG_I64, OFF(shutdown_grace_ms), "30000", 0, INT64_MAX,
     "on SIGTERM, how long in-flight requests may finish"},
    {"server", "log_level", CFG_STR, OFF(log_level), "info", 0, 0, "debug, info, warn or error"},
    {"server", "auth", CFG_STR, OFF(auth), "auto", 0, 0,
     "API keys required: on, off, or auto (on unless listening on a loopback address)"},
    {"server", "demo_scale", CFG_INT, OFF(demo_scale), "0", 0, 1000,
     "serve: load demo data at this scale when the catalog is empty (0 = off)"},
    {"vectors", "embed_url", CFG_STR, OFF(embed_url), "-", 0, 0,
     "base URL of the ollama/openai embedding server (- = the embedder's default)"},
    {"vectors", "embed_api_key", CFG_SECRET, OFF(embed_api_key), "", 0, 0,
     "API key for the embedding server (secret: never logged or shown)"},
    {"vectors", "llm", CFG_STR, OFF(llm), "none", 0, 0,
     "RAG generator: none (extractive answers), ollama or openai"},
    {"vectors", "llm_url", CFG_STR, OFF(llm_url), "-", 0, 0,
     "base URL of the LLM server (- = the provider's default)"},
    {"vectors", "llm_model", CFG_STR, OFF(llm_model), "llama3.2", 0, 0, "LLM model name"},
    {"vectors", "llm_api_key", CFG_SECRET, OFF(llm_api_key), "", 0, 0,
     "API key for the LLM server (secret: never logged or shown)"},
    {"vectors", "llm_timeout_ms", CFG_INT, OFF(llm_timeout_ms), "120000", 1, 3600000,
     "LLM request timeout"},
    {"ingest", "ocr_dpi", CFG_INT, OFF(ocr_dpi), "300", 0, 1200,
     "render PDF pages without a text layer at this resolution for OCR (0 = no OCR)"},
    {"query", "duckdb_threads", CFG_INT, OFF(duckdb_threads), "0", 0, 1024,
     "DuckDB worker threads (0 = number of cores)"},
    {"query", "duckdb_memory_limit", CFG_STR, OFF(duckdb_memory_limit), "75%", 0, 0,
     "DuckDB memory limit, e.g. 4GB or 75%"},
    {"query", "query_timeout_ms", CFG_I64, OFF(query_timeout_ms), "60000", 0, INT64_MAX,
     "per-query timeout; the query is interrupted (0 = none)"},
    {"query", "cache_bytes", CFG_SIZE, OFF(cache_bytes), "1GiB", 0, INT64_MAX,
     "hot cache budget: memory for datasets pinned with POST /query/cache/pin"},
    {"query", "query_row_limit", CFG_I64, OFF(query_row_limit), "10000", 0, INT64_MAX,
     "default row limit of a result; a request may lift it with \"limit\": 0"},
};
#undef OFF

static const struct cfg_def *find_def(const char *name)
{
    char norm[64];
    size_t n = strlen(name);
    if (n >= sizeof(norm))
        return NULL;
    for (size_t i = 0; i <= n; i++)
        norm[i] = name[i] == '-' ? '_' : (char)tolower((unsigned char)name[i]);
    for (size_t i = 0; i < LH_ARRAY_LEN(defs); i++)
        if (strcmp(defs[i].name, norm) == 0)
            return &defs[i];
    return NULL;
}

bool lh_config_has(const char *name)
{
    return find_def(name) != NULL;
}

int lh_parse_size(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || v < 0)
        return -LH_EINVAL;
    while (*end == ' ')
        end++;
    double mul = 1;
    if (*end) {
        char u = (char)toupper((unsigned char)*end);
        const char *units = "BKMGT";
        const char *p = strchr(units, u);
        if (!p)
            return -LH_EINVAL;
        for (long i = 0; i < p - units; i++)
            mul *= 1024;
        end++;
        if (*end == 'i' || *end == 'I')
            end++;
        if ((*end == 'B' || *end == 'b') && u != 'B')
            end++;
        if (*end)
            return -LH_EINVAL;
    }
    v *= mul;
    if (v > 9.2e18)
        return -LH_EINVAL;
    *out = (int64_t)v;
    return 0;
}

static int set_def(struct lh_config *c, const struct cfg_def *d, const char *value,
                   struct lh_error *err)
{
    char *field = (char *)c + d->offset;
    int64_t v = 0;
    char *end;
    switch (d->type) {
    case CFG_SECRET:
        free(*(char **)field);
        *(char **)field = lh_xstrdup(value);
        return 0;
    case CFG_STR:
        if (strcmp(d->name, "llm") == 0 && strcmp(value, "none") && strcmp(value, "ollama") &&
            strcmp(value, "openai"))
            return lh_error_set(err, LH_EINVAL, "setting llm: '%s' is not none, ollama or openai",
                                value);
        if (value[0] == '\0')
            return lh_error_set(err, LH_EINVAL, "setting %s must not be empty", d->name);
        if (strcmp(d->name, "auth") == 0 && strcmp(value, "auto") && strcmp(value, "on") &&
            strcmp(value, "off"))
            return lh_error_set(err, LH_EINVAL, "setting auth: '%s' is not auto, on or off",
                                value);
        if (strcmp(d->name, "log_level") == 0 && strcmp(value, "debug") && strcmp(value, "info") &&
            strcmp(value, "warn") && strcmp(value, "error"))
            return lh_error_set(err, LH_EINVAL, "setting log_level: '%s' is not debug, info, warn or error",
                                value);
        free(*(char **)field);
        *(char **)field = lh_xstrdup(value);
        return 0;
    case CFG_INT:
    case CFG_I64:
        errno = 0;
        v = strtoll(value, &end, 10);
        if (end == value || *end || errno)
            return lh_error_set(err, LH_EINVAL, "setting %s: '%s' is not an integer", d->name,
                                value);
        break;
    case CFG_SIZE:
        if (lh_parse_size(value, &v))
            return lh_error_set(err, LH_EINVAL, "setting %s: '%s' is not a size (e.g. 512MiB)",
                                d->name, value);
        break;
    }
    if (v < d->min || v > d->max)
        return lh_error_set(err, LH_EINVAL, "setting %s: %lld is out of range [%lld, %lld]",
                            d->name, (long long)v, (long long)d->min, (long long)d->max);
    if (d->type == CFG_INT)
        *(int *)field = (int)v;
    else
        *(int64_t *)field = v;
    return 0;
}

void lh_config_init(struct lh_config *c)
{
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < LH_ARRAY_LEN(defs); i++)
        if (set_def(c, &defs[i], defs[i].def, NULL))
            abort();
}

void lh_config_release(struct lh_config *c)
{
    for (size_t i = 0; i < LH_ARRAY_LEN(defs); i++)
        if (defs[i].type == CFG_STR || defs[i].type == CFG_SECRET)
            free(*(char **)((char *)c + defs[i].offset));
    memset(c, 0, sizeof(*c));
}

int lh_config_set(struct lh_config *c, const char *key, const char *value, struct lh_error *err)
{
    const struct cfg_def *d = find_def(key);
    if (!d)
        return lh_error_set(err, LH_EINVAL, "unknown setting '%s'", key);
    return set_def(c, d, value, err);
}

struct ini_ctx {
    struct lh_config *c;
    struct lh_error *err;
    int rc;
};

static int ini_cb(void *user, const char *section, const char *name, const char *value)
{
    struct ini_ctx *x = user;
    const struct cfg_def *d = find_def(name);
    if (x->rc)
        return 0;
    if (!d || (section[0] && strcmp(section, d->section) != 0)) {
        x->rc = lh_error_set(x->err, LH_EINVAL, "unknown setting '%s%s%s'", section,
                             section[0] ? "." : "", name);
        return 0;
    }
    x->rc = set_def(x->c, d, value, x->err);
    return x->rc ? 0 : 1;
}

int lh_config_load_file(struct lh_config *c, const char *path, struct lh_error *err)
{
    struct ini_ctx x = {c, err, 0};
    FILE *f = fopen(path, "r");
    if (!f)
        return lh_error_set(err, LH_ENOTFOUND, "cannot open config file %s", path);
    int line = ini_parse_file(f, ini_cb, &x);
    fclose(f);
    if (x.rc) {
        char msg[LH_ERRMSG_MAX];
        snprintf(msg, sizeof(msg), "%s", err ? err->msg : "");
        return lh_error_set(err, LH_EINVAL, "%s line %d: %s", path, line, msg);
    }
    if (line != 0)
        return lh_error_set(err, LH_EINVAL, "%s line %d: syntax error", path, line);
    return 0;
}

int lh_config_load_env(struct lh_config *c, struct lh_error *err)
{
    for (size_t i = 0; i < LH_ARRAY_LEN(defs); i++) {
        char env[80] = "LH_";
        size_t n = 3;
        for (const char *p = defs[i].name; *p && n < sizeof(env) - 1; p++)
            env[n++] = (char)toupper((unsigned char)*p);
        env[n] = '\0';
        const char *v = getenv(env);
        if (v) {
            int rc = set_def(c, &defs[i], v, err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

void lh_config_print_help(void *file)
{
    FILE *f = file;
    fprintf(f, "Settings (file section.key < env LH_KEY < flag --key):\n");
    for (size_t i = 0; i < LH_ARRAY_LEN(defs); i++) {
        char flag[64], env[80] = "LH_";
        size_t n = 3, j;
        for (j = 0; defs[i].name[j] && j < sizeof(flag) - 1; j++)
            flag[j] = defs[i].name[j] == '_' ? '-' : defs[i].name[j];
        flag[j] = '\0';
        for (const char *p = defs[i].name; *p && n < sizeof(env) - 1; p++)
            env[n++] = (char)toupper((unsigned char)*p);
        env[n] = '\0';
        fprintf(f, "  --%-22s [%s] %s (env %s, default %s)\n", flag, defs[i].section,
                defs[i].help, env, defs[i].def[0] ? defs[i].def : "none");
    }
}

void lh_config_to_json(const struct lh_config *c, void *out)
{
    struct lh_buf *b = out;
    lh_buf_putc(b, '{');
    for (size_t i = 0; i < LH_ARRAY_LEN(defs); i++) {
        const char *field = (const char *)c + defs[i].offset;
        if (i)
            lh_buf_putc(b, ',');
        lh_buf_json_str(b, defs[i].name, strlen(defs[i].name));
        lh_buf_putc(b, ':');
        switch (defs[i].type) {
        case CFG_STR: {
            const char *s = *(char *const *)field;
            lh_buf_json_str(b, s, strlen(s));
            break;
        }
        case CFG_SECRET: /* never shown: only whether one is set */
            lh_buf_puts(b, (*(char *const *)field)[0] ? "\"(set)\"" : "\"\"");
            break;
        case CFG_INT:
            lh_buf_printf(b, "%d", *(const int *)field);
            break;
        default:
            lh_buf_printf(b, "%lld", (long long)*(const int64_t *)field);
            break;
        }
    }
    lh_buf_putc(b, '}');
}
