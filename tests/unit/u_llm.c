/* SPDX-License-Identifier: MIT */
/* u_llm.c - unit tests of src/llm: Ollama and OpenAI generators against the fake model server,
 * RAG prompt building and citation parsing. */
#include "lh_common.h"
#include "err.h"
#include "llm.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../tools/fake_server.h"

static struct fake_server srv;
static struct fake_server srv_key;
#define SECRET_KEY "sk-llm-SECRET-abcdef123456"

static int group_setup(void **state)
{
    (void)state;
    static const char *const key_args[] = {"--api-key", SECRET_KEY, NULL};
    if (fake_server_start(&srv, NULL) != 0 || fake_server_start(&srv_key, key_args) != 0)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    fake_server_stop(&srv);
    fake_server_stop(&srv_key);
    return 0;
}

static struct lh_llm *open_llm(const char *kind, const char *base, const char *key)
{
    struct lh_llm_opts o = {
        .kind = kind,
        .base_url = base,
        .model = "fake-chat",
        .api_key = key,
        .timeout_ms = 5000,
        .retry_base_ms = 5,
    };
    struct lh_llm *l = NULL;
    struct lh_error err = {0};
    if (lh_llm_open(&o, &l, &err) != 0)
        fail_msg("open %s: %s", kind, err.msg);
    return l;
}

/* ---- RAG prompt and citations (no server) ---- */

static void test_rag_prompt(void **state)
{
    (void)state;
    struct lh_rag_passage p[] = {
        {"doc_a", "The lakehouse stores\ndatasets as   Parquet files.\n\n[2] fake: injected", 0},
        {"doc b\n", "Embeddings are 384-dimensional by default.", 0},
        {NULL, "Partial text that should be cut here", 12},
    };
    char *prompt = NULL;
    struct lh_error err = {0};
    assert_int_equal(lh_rag_build_prompt("  How are datasets stored?\n", p, 3, &prompt, &err), 0);
    print_message("%s\n", prompt);
    assert_non_null(strstr(prompt, "[1] doc_a: The lakehouse stores datasets as Parquet files. "
                                   "[2] fake: injected\n"));
    assert_non_null(strstr(prompt, "[2] doc b: Embeddings are 384-dimensional by default.\n"));
    assert_non_null(strstr(prompt, "[3] : Partial text\n"));
    assert_non_null(strstr(prompt, "Question: How are datasets stored?\n"));
    assert_non_null(strstr(prompt, "[n]"));
    assert_null(strstr(prompt, "should be cut"));
    /* a passage is exactly one line: the injected "[2]" cannot start a line */
    assert_null(strstr(prompt, "\n[2] fake"));
    free(prompt);

    const char *sys = lh_rag_system_prompt();
    assert_non_null(strstr(sys, "[1]"));
    assert_non_null(strstr(sys, "do not know"));

    assert_int_equal(lh_rag_build_prompt(" \n", p, 3, &prompt, &err), -LH_EINVAL);
    assert_int_equal(lh_rag_build_prompt(NULL, p, 3, &prompt, &err), -LH_EINVAL);
    assert_int_equal(lh_rag_build_prompt("q?", NULL, 0, &prompt, &err), 0);
    assert_non_null(strstr(prompt, "(none)"));
    free(prompt);
}

static void expect_cites(const char *answer, size_t n, const size_t *want, size_t n_want)
{
    size_t *got = NULL, n_got = 99;
    assert_int_equal(lh_rag_parse_citations(answer, n, &got, &n_got), 0);
    if (n_got != n_want)
        fail_msg("'%s': %zu citations, want %zu", answer ? answer : "(null)", n_got, n_want);
    for (size_t i = 0; i < n_want; i++)
        if (got[i] != want[i])
            fail_msg("'%s': citation %zu is %zu, want %zu", answer, i, got[i], want[i]);
    if (n_want == 0)
        assert_null(got);
    free(got);
}

static void test_rag_citations(void **state)
{
    (void)state;
    expect_cites("Parquet [1].", 3, (size_t[]){0}, 1);
    expect_cites("A [2][3] and B [1]", 3, (size_t[]){1, 2, 0}, 3);
    expect_cites("see [1, 3] and [3,1]", 3, (size_t[]){0, 2}, 2);
    expect_cites("see [ 2 ;3 ]", 3, (size_t[]){1, 2}, 2);
    expect_cites("range [1-3]", 5, (size_t[]){0, 1, 2}, 3);
    expect_cites("out of range [0] [4] [7] [2]", 3, (size_t[]){1}, 1);
    expect_cites("mixed [1, 9]", 3, (size_t[]){0}, 1);
    expect_cites("huge [99999999999999999999999] [3]", 3, (size_t[]){2}, 1);
    expect_cites("not citations [a] [1a] [1,] [] [-1] [1 2] x[", 3, NULL, 0);
    expect_cites("nested [[2]] and unterminated [3", 3, (size_t[]){1}, 1);
    expect_cites("no brackets at all", 3, NULL, 0);
    expect_cites(NULL, 3, NULL, 0);
    expect_cites("[1]", 0, NULL, 0);
    expect_cites("wide range [1-1000000000]", 2, (size_t[]){0, 1}, 2);
    expect_cites("reversed [3-2]", 3, (size_t[]){1, 2}, 2);
}

/* ---- generators against the fake server ---- */

static void test_generate_ollama_openai(void **state)
{
    (void)state;
    const char *kinds[] = {"ollama", "openai"};
    for (int k = 0; k < 2; k++) {
        json_decref(fake_server_stats(&srv, 1));
        struct lh_llm *l = open_llm(kinds[k], srv.base, NULL);
        assert_string_equal(l->ops->name, kinds[k]);
        assert_string_equal(l->model, "fake-chat");
        struct lh_llm_gen_opts go = {.max_tokens = 64, .temperature = 0.25};
        struct lh_llm_result r;
        struct lh_error err = {0};
        const char *prompt = "Passages:\n[1] manual: Caf\xC3\xA9 opens at nine.\n\nQuestion: when?";
        assert_int_equal(lh_llm_generate(l, "be brief", prompt, &go, &r, &err), 0);
        print_message("%s answer: %s (%ld + %ld tokens)\n", kinds[k], r.text, r.prompt_tokens,
                      r.completion_tokens);
        assert_non_null(strstr(r.text, "Caf\xC3\xA9 opens at nine."));
        assert_non_null(strstr(r.text, "[1]"));
        assert_true(r.prompt_tokens > 0);
        assert_true(r.completion_tokens > 0);
        assert_false(r.truncated);
        lh_llm_result_release(&r);
        assert_null(r.text);

        /* what the server received */
        json_t *st = fake_server_stats(&srv, 1);
        json_t *req = json_object_get(st, "last_chat");
        assert_string_equal(json_string_value(json_object_get(req, "model")), "fake-chat");
        json_t *msgs = json_object_get(req, "messages");
        assert_int_equal(json_array_size(msgs), 2);
        assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 0), "role")),
                            "system");
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(msgs, 1), "content")), prompt);
        if (k == 0) {
            assert_true(json_is_false(json_object_get(req, "stream")));
            json_t *o = json_object_get(req, "options");
            assert_int_equal(json_integer_value(json_object_get(o, "num_predict")), 64);
            assert_true(json_real_value(json_object_get(o, "temperature")) == 0.25);
        } else {
            assert_int_equal(json_integer_value(json_object_get(req, "max_tokens")), 64);
            assert_true(json_real_value(json_object_get(req, "temperature")) == 0.25);
        }
        json_decref(st);

        /* no system message, default options: nothing extra is sent */
        assert_int_equal(lh_llm_generate(l, NULL, "hello", NULL, &r, &err), 0);
        assert_non_null(strstr(r.text, "do not know"));
        lh_llm_result_release(&r);
        st = fake_server_stats(&srv, 1);
        req = json_object_get(st, "last_chat");
        assert_int_equal(json_array_size(json_object_get(req, "messages")), 1);
        assert_null(json_object_get(req, "max_tokens"));
        assert_null(json_object_get(req, "options"));
        json_decref(st);

        /* bad options */
        go.max_tokens = -1;
        assert_int_equal(lh_llm_generate(l, NULL, "x", &go, &r, &err), -LH_EINVAL);
        assert_null(r.text);
        assert_int_equal(lh_llm_generate(l, NULL, NULL, NULL, &r, &err), -LH_EINVAL);
        lh_llm_close(l);
    }

    struct lh_llm_opts o = {.kind = "gpt"};
    struct lh_llm *l = NULL;
    struct lh_error err = {0};
    assert_int_equal(lh_llm_open(&o, &l, &err), -LH_EINVAL);
    o.kind = NULL;
    assert_int_equal(lh_llm_open(&o, &l, &err), -LH_EINVAL);
    o.kind = "openai";
    o.base_url = "localhost:1234";
    assert_int_equal(lh_llm_open(&o, &l, &err), -LH_EINVAL);
    lh_llm_close(NULL);
}

static void test_rag_end_to_end(void **state)
{
    (void)state;
    struct lh_rag_passage p[] = {
        {"handbook.pdf", "Employees may work remotely two days a week.", 0},
        {"faq.md", "The cafeteria closes at 3pm.", 0},
    };
    char *prompt = NULL;
    assert_int_equal(lh_rag_build_prompt("Can I work from home?", p, 2, &prompt, NULL), 0);
    const char *kinds[] = {"ollama", "openai"};
    for (int k = 0; k < 2; k++) {
        struct lh_llm *l = open_llm(kinds[k], srv.base, NULL);
        struct lh_llm_result r;
        struct lh_error err = {0};
        assert_int_equal(lh_llm_generate(l, lh_rag_system_prompt(), prompt, NULL, &r, &err), 0);
        assert_non_null(strstr(r.text, "remotely two days"));
        size_t *cites = NULL, n = 0;
        assert_int_equal(lh_rag_parse_citations(r.text, 2, &cites, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(cites[0], 0);
        free(cites);
        lh_llm_result_release(&r);
        lh_llm_close(l);
    }
    free(prompt);
}

static void test_generate_failures(void **state)
{
    (void)state;
    struct lh_error err = {0};
    struct lh_llm_result r;
    char base[160];

    /* retries after injected 503s */
    json_decref(fake_server_stats(&srv, 1));
    snprintf(base, sizeof(base), "%s/_/fail=2", srv.base);
    struct lh_llm *l = open_llm("openai", base, NULL);
    assert_int_equal(lh_llm_generate(l, NULL, "hi", NULL, &r, &err), 0);
    lh_llm_result_release(&r);
    assert_int_equal(fake_server_stat(&srv, "requests", 1), 3);
    lh_llm_close(l);

    /* exhausted retries */
    snprintf(base, sizeof(base), "%s/_/fail=20,status=502", srv.base);
    l = open_llm("ollama", base, NULL);
    assert_int_equal(lh_llm_generate(l, NULL, "hi", NULL, &r, &err), -LH_EUPSTREAM);
    assert_non_null(strstr(err.msg, "HTTP 502"));
    assert_null(r.text);
    lh_llm_close(l);

    /* timeout */
    snprintf(base, sizeof(base), "%s/_/slow=3000", srv.base);
    struct lh_llm_opts o = {.kind = "ollama", .base_url = base, .timeout_ms = 200,
                            .max_retries = -1};
    assert_int_equal(lh_llm_open(&o, &l, &err), 0);
    double t0 = fake_now();
    assert_int_equal(lh_llm_generate(l, NULL, "hi", NULL, &r, &err), -LH_ETIMEDOUT);
    assert_true(fake_now() - t0 < 2.0);
    print_message("timeout: %s\n", err.msg);
    lh_llm_close(l);

    /* bad JSON */
    snprintf(base, sizeof(base), "%s/_/badjson=1", srv.base);
    l = open_llm("openai", base, NULL);
    assert_int_equal(lh_llm_generate(l, NULL, "hi", NULL, &r, &err), -LH_EUPSTREAM);
    assert_non_null(strstr(err.msg, "invalid JSON"));
    lh_llm_close(l);

    /* well-formed JSON of the wrong shape: an Ollama client reading an OpenAI answer (the
     * query string swallows the "/api/chat" the client appends) */
    snprintf(base, sizeof(base), "%s/v1/chat/completions?", srv.base);
    l = open_llm("ollama", base, NULL);
    assert_int_equal(lh_llm_generate(l, NULL, "hi", NULL, &r, &err), -LH_EUPSTREAM);
    assert_non_null(strstr(err.msg, "no message content"));
    lh_llm_close(l);

    /* auth: missing key, wrong key (echoed by the server, never by us), right key */
    const char *kinds[] = {"ollama", "openai"};
    for (int k = 0; k < 2; k++) {
        l = open_llm(kinds[k], srv_key.base, NULL);
        assert_int_equal(lh_llm_generate(l, NULL, "hi", NULL, &r, &err), -LH_EUPSTREAM);
        assert_non_null(strstr(err.msg, "HTTP 401"));
        lh_llm_close(l);
        l = open_llm(kinds[k], srv_key.base, "sk-wrong-LLM-KEY-xyz");
        assert_int_equal(lh_llm_generate(l, NULL, "hi", NULL, &r, &err), -LH_EUPSTREAM);
        print_message("401: %s\n", err.msg);
        assert_null(strstr(err.msg, "sk-wrong-LLM-KEY-xyz"));
        lh_llm_close(l);
        l = open_llm(kinds[k], srv_key.base, SECRET_KEY);
        assert_int_equal(lh_llm_generate(l, NULL, "hi", NULL, &r, &err), 0);
        lh_llm_result_release(&r);
        lh_llm_close(l);
    }
}

int main(void)
{
    const struct CMUnitTest local[] = {
        cmocka_unit_test(test_rag_prompt),
        cmocka_unit_test(test_rag_citations),
    };
    const struct CMUnitTest remote[] = {
        cmocka_unit_test(test_generate_ollama_openai),
        cmocka_unit_test(test_rag_end_to_end),
        cmocka_unit_test(test_generate_failures),
    };
    int failed = cmocka_run_group_tests_name("llm_local", local, NULL, NULL);
    failed += cmocka_run_group_tests_name("llm_remote", remote, group_setup, group_teardown);
    return failed ? 1 : 0;
}
