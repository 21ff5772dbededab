/* SPDX-License-Identifier: MIT */
/* llm_remote.c - generators over HTTP: Ollama /api/chat and OpenAI-compatible chat completions. */
#include "lh_common.h"
#include "llm.h"
#include "buf.h"
#include "http_client.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define OLLAMA_BASE "http://127.0.0.1:11434"
#define OLLAMA_MODEL "llama3.2"
#define OPENAI_BASE "https://api.openai.com"
#define OPENAI_MODEL "gpt-4o-mini"
#define DEFAULT_TIMEOUT_MS 120000
#define MAX_TOKENS_LIMIT 1000000

struct remote_llm {
    struct lh_llm base; /* first member */
    struct lh_http_client *http;
    char *url;
    bool openai;
};

/* Appends a number in [0, 2] with three decimals without printf's locale. */
static void put_temperature(struct lh_buf *b, double t)
{
    if (t > 2.0)
        t = 2.0;
    long milli = lrint(t * 1000.0);
    lh_buf_printf(b, "%ld.%03ld", milli / 1000, milli % 1000);
}

static void put_message(struct lh_buf *b, const char *role, const char *content)
{
    lh_buf_puts(b, "{\"role\":\"");
    lh_buf_puts(b, role);
    lh_buf_puts(b, "\",\"content\":");
    lh_buf_json_str(b, content, strlen(content));
    lh_buf_putc(b, '}');
}

static void build_body(const struct remote_llm *r, const char *system, const char *prompt,
                       const struct lh_llm_gen_opts *o, struct lh_buf *b)
{
    lh_buf_puts(b, "{\"model\":");
    lh_buf_json_str(b, r->base.model, strlen(r->base.model));
    lh_buf_puts(b, ",\"messages\":[");
    if (system && system[0]) {
        put_message(b, "system", system);
        lh_buf_putc(b, ',');
    }
    put_message(b, "user", prompt);
    lh_buf_putc(b, ']');
    if (r->openai) {
        if (o->max_tokens > 0)
            lh_buf_printf(b, ",\"max_tokens\":%d", o->max_tokens);
        if (o->temperature >= 0) {
            lh_buf_puts(b, ",\"temperature\":");
            put_temperature(b, o->temperature);
        }
    } else {
        lh_buf_puts(b, ",\"stream\":false");
        if (o->max_tokens > 0 || o->temperature >= 0) {
            lh_buf_puts(b, ",\"options\":{");
            if (o->max_tokens > 0)
                lh_buf_printf(b, "\"num_predict\":%d", o->max_tokens);
            if (o->temperature >= 0) {
                lh_buf_puts(b, o->max_tokens > 0 ? ",\"temperature\":" : "\"temperature\":");
                put_temperature(b, o->temperature);
            }
            lh_buf_putc(b, '}');
        }
    }
    lh_buf_putc(b, '}');
}

static long opt_count(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? (long)json_integer_value(v) : -1;
}

static int parse_answer(struct remote_llm *r, json_t *ans, struct lh_llm_result *out,
                        struct lh_error *err)
{
    json_t *content, *reason;
    json_t *usage = NULL;
    if (r->openai) {
        json_t *choices = json_object_get(ans, "choices");
        json_t *c0 = json_is_array(choices) ? json_array_get(choices, 0) : NULL;
        if (!json_is_object(c0))
            return lh_http_client_error(r->http, err, LH_EUPSTREAM,
                                        "answer has no \"choices\"");
        content = json_object_get(json_object_get(c0, "message"), "content");
        reason = json_object_get(c0, "finish_reason");
        usage = json_object_get(ans, "usage");
    } else {
        content = json_object_get(json_object_get(ans, "message"), "content");
        reason = json_object_get(ans, "done_reason");
    }
    if (!json_is_string(content))
        return lh_http_client_error(r->http, err, LH_EUPSTREAM,
                                    "answer has no message content (model %s)", r->base.model);
    out->text = lh_xstrndup(json_string_value(content), json_string_length(content));
    if (r->openai) {
        out->prompt_tokens = opt_count(usage, "prompt_tokens");
        out->completion_tokens = opt_count(usage, "completion_tokens");
    } else {
        out->prompt_tokens = opt_count(ans, "prompt_eval_count");
        out->completion_tokens = opt_count(ans, "eval_count");
    }
    out->truncated = json_is_string(reason) && strcmp(json_string_value(reason), "length") == 0;
    return 0;
}

static int remote_generate(struct lh_llm *l, const char *system, const char *prompt,
                           const struct lh_llm_gen_opts *opts, struct lh_llm_result *out,
                           struct lh_error *err)
{
    struct remote_llm *r = (struct remote_llm *)l;
    static const struct lh_llm_gen_opts defaults = LH_LLM_GEN_OPTS_INIT;
    const struct lh_llm_gen_opts *o = opts ? opts : &defaults;
    struct lh_buf body;
    json_t *ans = NULL;
    int rc = 0;

    lh_buf_init(&body, 0);
    memset(out, 0, sizeof(*out));
    out->prompt_tokens = out->completion_tokens = -1;
    if (!prompt) {
        rc = lh_error_set(err, LH_EINVAL, "%s: no prompt given", l->ops->name);
        goto out;
    }
    if (o->max_tokens < 0 || o->max_tokens > MAX_TOKENS_LIMIT || isnan(o->temperature)) {
        rc = lh_error_set(err, LH_EINVAL, "%s: max_tokens must be 0..%d and temperature a number",
                          l->ops->name, MAX_TOKENS_LIMIT);
        goto out;
    }
    build_body(r, system, prompt, o, &body);
    rc = lh_http_client_post_json(r->http, r->url, body.ptr, body.len, &ans, err);
    if (rc)
        goto out;
    rc = parse_answer(r, ans, out, err);
out:
    json_decref(ans);
    lh_buf_release(&body);
    return rc;
}

static void remote_close(struct lh_llm *l)
{
    struct remote_llm *r = (struct remote_llm *)l;
    lh_http_client_free(r->http);
    free(r->url);
    free(l->model);
    free(r);
}

static const struct lh_llm_ops ollama_ops = {
    .name = "ollama",
    .generate = remote_generate,
    .close = remote_close,
};

static const struct lh_llm_ops openai_ops = {
    .name = "openai",
    .generate = remote_generate,
    .close = remote_close,
};

int lh_llm_open(const struct lh_llm_opts *o, struct lh_llm **out, struct lh_error *err)
{
    const char *kind = o && o->kind ? o->kind : "";
    bool openai;
    if (strcmp(kind, "ollama") == 0)
        openai = false;
    else if (strcmp(kind, "openai") == 0)
        openai = true;
    else
        return lh_error_set(err, LH_EINVAL,
                            "unknown generator kind '%.64s' (expected ollama or openai)", kind);
    const char *base = o->base_url && o->base_url[0] ? o->base_url
                                                     : openai ? OPENAI_BASE : OLLAMA_BASE;
    const char *model = o->model && o->model[0] ? o->model : openai ? OPENAI_MODEL : OLLAMA_MODEL;
    if (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0)
        return lh_error_set(err, LH_EINVAL, "%s: base URL must start with http:// or https://",
                            kind);
    struct lh_http_client_opts ho = {
        .name = kind,
        .api_key = o->api_key,
        .timeout_ms = o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS,
        .connect_timeout_ms = o->connect_timeout_ms,
        .max_retries = o->max_retries,
        .retry_base_ms = o->retry_base_ms,
    };
    struct lh_http_client *http = NULL;
    int rc = lh_http_client_new(&ho, &http, err);
    if (rc)
        return rc;
    struct remote_llm *r = lh_xcalloc(1, sizeof(*r));
    r->base.ops = openai ? &openai_ops : &ollama_ops;
    r->base.model = lh_xstrdup(model);
    r->http = http;
    r->url = lh_http_endpoint(base, openai, "/api/chat", "/chat/completions");
    r->openai = openai;
    *out = &r->base;
    return 0;
}

void lh_llm_result_release(struct lh_llm_result *r)
{
    if (!r)
        return;
    free(r->text);
    r->text = NULL;
    r->prompt_tokens = r->completion_tokens = -1;
    r->truncated = false;
}
