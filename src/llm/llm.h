/* SPDX-License-Identifier: MIT */
/* llm.h - text generators (Ollama, OpenAI-compatible) behind one interface, and RAG prompts.
 *
 * A generator is a `struct lh_llm` whose `ops` table is filled by a backend; callers use only
 * lh_llm_generate() and lh_llm_close().
 *
 *   ollama  POST {base}/api/chat {"model","messages":[...],"stream":false,
 *           "options":{"num_predict","temperature"}} -> {"message":{"content"},
 *           "prompt_eval_count","eval_count","done_reason"}
 *   openai  POST {base}/v1/chat/completions {"model","messages":[...],"max_tokens",
 *           "temperature"} -> {"choices":[{"message":{"content"},"finish_reason"}],"usage"}
 *           with "Authorization: Bearer KEY" when a key is configured.
 *
 * Requests are retried on 429/5xx/timeouts with exponential backoff (see http_client.h);
 * errors are -LH_EUPSTREAM (status + a short excerpt of the server's message), -LH_ETIMEDOUT
 * or -LH_EINVAL, and their messages never contain the API key. A generator may be used from
 * several threads at once.
 *
 * The RAG helpers build a prompt of numbered passages ("[1] doc_id: text") that asks the model
 * to cite them as [n], and map the citations of an answer back to passage indexes. */
#ifndef LH_LLM_H
#define LH_LLM_H

#include "lh_common.h"
#include "err.h"

struct lh_llm;

/* Per-call generation options. */
struct lh_llm_gen_opts {
    int max_tokens;     /* upper bound on generated tokens; 0 = the server's default */
    double temperature; /* 0..2; negative = the server's default */
};

#define LH_LLM_GEN_OPTS_INIT {0, -1.0}

/* Result of lh_llm_generate; release with lh_llm_result_release. */
struct lh_llm_result {
    char *text;             /* owned, NUL-terminated answer */
    long prompt_tokens;     /* as counted by the server; -1 = not reported */
    long completion_tokens; /* -1 = not reported */
    bool truncated;         /* the server stopped at max_tokens */
};

struct lh_llm_ops {
    const char *name; /* "ollama", "openai" */
    /* Sends an optional system message (NULL or "" = none) and the user prompt. On success
     * fills *out (previous contents are not freed); on error *out is left empty (text NULL). */
    int (*generate)(struct lh_llm *l, const char *system, const char *prompt,
                    const struct lh_llm_gen_opts *opts, struct lh_llm_result *out,
                    struct lh_error *err);
    void (*close)(struct lh_llm *l);
};

struct lh_llm {
    const struct lh_llm_ops *ops;
    char *model; /* owned */
};

/* Options of lh_llm_open. Zero / NULL fields take the defaults in brackets. */
struct lh_llm_opts {
    const char *kind;       /* "ollama" | "openai" (required) */
    const char *base_url;   /* [ollama http://127.0.0.1:11434, openai https://api.openai.com];
                             * an openai base ending in "/v1" is accepted as well */
    const char *model;      /* [ollama llama3.2, openai gpt-4o-mini] */
    const char *api_key;    /* Bearer token; copied */
    int timeout_ms;         /* per request attempt [120000] */
    int connect_timeout_ms; /* [10000] */
    int max_retries;        /* [3]; negative = none */
    int retry_base_ms;      /* [250] */
};

/* Creates a generator (options borrowed, strings copied); free with lh_llm_close.
 * -LH_EINVAL for a missing/unknown kind or a bad base URL. No traffic before generate. */
int lh_llm_open(const struct lh_llm_opts *opts, struct lh_llm **out, struct lh_error *err);

/* Frees r->text and resets r; NULL is fine. */
void lh_llm_result_release(struct lh_llm_result *r);

static inline int lh_llm_generate(struct lh_llm *l, const char *system, const char *prompt,
                                  const struct lh_llm_gen_opts *opts, struct lh_llm_result *out,
                                  struct lh_error *err)
{
    return l->ops->generate(l, system, prompt, opts, out, err);
}

/* Frees the generator; NULL is fine. */
static inline void lh_llm_close(struct lh_llm *l)
{
    if (l)
        l->ops->close(l);
}

/* ---- RAG prompt helpers (rag_prompt.c) ---- */

struct lh_rag_passage {
    const char *doc_id; /* shown before the text; NULL = "" */
    const char *text;   /* NULL = "" */
    size_t text_len;    /* bytes; 0 = strlen(text) */
};

/* The system message that goes with lh_rag_build_prompt (static string). */
const char *lh_rag_system_prompt(void);

/* Builds the user prompt: the passages numbered from 1 as "[n] doc_id: text" lines (every
 * run of whitespace, newlines included, becomes one space, so a passage is one line and
 * cannot fake another's number), then the question and an instruction to cite as [n].
 * *out is malloc'd (free()). -LH_EINVAL without a question (empty or NULL). */
int lh_rag_build_prompt(const char *question, const struct lh_rag_passage *passages, size_t n,
                        char **out, struct lh_error *err);

/* Finds the citations of an answer: "[1]", "[2][3]", "[1, 3]", "[1-3]" (ranges). Returns
 * the cited passages as 0-based indexes ([1] -> 0), each once, in order of first citation;
 * numbers outside 1..n_passages and brackets holding anything else are ignored. *out is
 * malloc'd (NULL when *out_n is 0; free()). answer NULL = no citation. Always returns 0. */
int lh_rag_parse_citations(const char *answer, size_t n_passages, size_t **out, size_t *out_n);

#endif
