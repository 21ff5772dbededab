/* SPDX-License-Identifier: MIT */
/* http_client.c - JSON-over-HTTP client for model servers (libcurl): retries, timeouts, errors. */
#include "lh_common.h"
#include "http_client.h"
#include "buf.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#define POOL_MAX 4
#define EXCERPT_MAX 200
#define RETRY_AFTER_MAX_MS 30000
#define DEFAULT_TIMEOUT_MS 60000
#define DEFAULT_CONNECT_MS 10000
#define DEFAULT_RETRIES 3
#define DEFAULT_RETRY_BASE_MS 250
#define DEFAULT_MAX_RESPONSE ((size_t)256 << 20)

struct lh_http_client {
    char *name;
    char *api_key;      /* NULL = none */
    char *auth_header;  /* "Authorization: Bearer KEY" */
    long timeout_ms;
    long connect_timeout_ms;
    int max_retries;
    long retry_base_ms;
    size_t max_response;
    pthread_mutex_t mu; /* guards pool, n_pool, rng */
    CURL *pool[POOL_MAX];
    int n_pool;
    uint64_t rng;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- messages ---- */

/* Copies s into b with every occurrence of key replaced by "[redacted]". */
static void redact(struct lh_buf *b, const char *s, const char *key)
{
    size_t kl = key ? strlen(key) : 0;
    if (kl == 0) {
        lh_buf_puts(b, s);
        return;
    }
    const char *p = s, *hit;
    while ((hit = strstr(p, key))) {
        lh_buf_append(b, p, (size_t)(hit - p));
        lh_buf_puts(b, "[redacted]");
        p = hit + kl;
    }
    lh_buf_puts(b, p);
}

static int verror(struct lh_http_client *c, struct lh_error *err, int code, const char *fmt,
                  va_list ap)
{
    struct lh_buf raw, clean;
    lh_buf_init(&raw, 0);
    lh_buf_init(&clean, 0);
    lh_buf_printf(&raw, "%s: ", c->name);
    lh_buf_vprintf(&raw, fmt, ap);
    redact(&clean, raw.ptr, c->api_key);
    int rc = lh_error_set(err, code, "%s", clean.ptr);
    lh_buf_release(&raw);
    lh_buf_release(&clean);
    return rc;
}

int lh_http_client_error(struct lh_http_client *c, struct lh_error *err, int code,
                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = verror(c, err, code, fmt, ap);
    va_end(ap);
    return rc;
}

char *lh_http_client_display_url(const char *url)
{
    const char *p = strstr(url, "://");
    size_t end = strcspn(url, "?#");
    struct lh_buf b;
    lh_buf_init(&b, 0);
    if (p && (size_t)(p - url) < end) {
        const char *host = p + 3;
        size_t auth_end = strcspn(host, "/?#");
        const char *at = memchr(host, '@', auth_end);
        lh_buf_append(&b, url, (size_t)(host - url));
        if (at)
            host = at + 1;
        lh_buf_append(&b, host, end - (size_t)(host - url));
    } else {
        lh_buf_append(&b, url, end);
    }
    return lh_buf_detach(&b);
}

/* A short, single-line excerpt of an error answer: its JSON error message if it has one. */
static void excerpt(struct lh_buf *out, const char *body, size_t len)
{
    const char *src = body;
    size_t n = len;
    json_t *j = json_loadb(body, len, 0, NULL);
    if (j && json_is_object(j)) {
        json_t *e = json_object_get(j, "error");
        json_t *m = NULL;
        if (json_is_string(e))
            m = e;
        else if (json_is_object(e) && json_is_string(json_object_get(e, "message")))
            m = json_object_get(e, "message");
        else if (json_is_string(json_object_get(j, "message")))
            m = json_object_get(j, "message");
        else if (json_is_string(json_object_get(j, "detail")))
            m = json_object_get(j, "detail");
        if (m) {
            src = json_string_value(m);
            n = json_string_length(m);
        }
    }
    size_t o = 0;
    bool space = false;
    for (size_t i = 0; i < n && o < EXCERPT_MAX; i++) {
        unsigned char ch = (unsigned char)src[i];
        if (ch < 0x20 || ch == 0x7f) {
            space = o > 0;
            continue;
        }
        if (space) {
            lh_buf_putc(out, ' ');
            o++;
            space = false;
        }
        lh_buf_putc(out, (char)ch);
        o++;
    }
    if (o >= EXCERPT_MAX) {
        /* do not end inside a UTF-8 sequence */
        size_t l = out->len;
        while (l > 0 && ((unsigned char)out->ptr[l - 1] & 0xC0) == 0x80)
            l--;
        if (l > 0 && (unsigned char)out->ptr[l - 1] >= 0xC0)
            l--;
        out->len = l;
        out->ptr[l] = '\0';
        lh_buf_puts(out, "...");
    }
    if (o == 0)
        lh_buf_puts(out, "(empty body)");
    json_decref(j);
}

/* ---- client ---- */

int lh_http_client_new(const struct lh_http_client_opts *o, struct lh_http_client **out,
                       struct lh_error *err)
{
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK)
        return lh_error_set(err, LH_EINTERNAL, "libcurl initialisation failed: %s",
                            curl_easy_strerror(curl_init_rc));
    if (o->timeout_ms < 0 || o->connect_timeout_ms < 0 || o->retry_base_ms < 0)
        return lh_error_set(err, LH_EINVAL, "%s: timeouts must not be negative",
                            o->name ? o->name : "http");
    for (const char *k = o->api_key; k && *k; k++)
        if ((unsigned char)*k < 0x20 || *k == 0x7f) /* would split the header */
            return lh_error_set(err, LH_EINVAL, "%s: the API key contains control characters",
                                o->name ? o->name : "http");
    struct lh_http_client *c = lh_xcalloc(1, sizeof(*c));
    c->name = lh_xstrdup(o->name ? o->name : "http");
    if (o->api_key && o->api_key[0]) {
        c->api_key = lh_xstrdup(o->api_key);
        c->auth_header = lh_xasprintf("Authorization: Bearer %s", o->api_key);
    }
    c->timeout_ms = o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
    c->connect_timeout_ms = o->connect_timeout_ms ? o->connect_timeout_ms : DEFAULT_CONNECT_MS;
    c->max_retries = o->max_retries == 0 ? DEFAULT_RETRIES : o->max_retries < 0 ? 0
                                                                               : o->max_retries;
    c->retry_base_ms = o->retry_base_ms ? o->retry_base_ms : DEFAULT_RETRY_BASE_MS;
    c->max_response = o->max_response ? o->max_response : DEFAULT_MAX_RESPONSE;
    c->rng = (uint64_t)(uintptr_t)c ^ (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL;
    pthread_mutex_init(&c->mu, NULL);
    *out = c;
    return 0;
}

static void wipe_free(char *s)
{
    if (s) {
        volatile char *v = s;
        while (*v)
            *v++ = 0;
        free(s);
    }
}

void lh_http_client_free(struct lh_http_client *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n_pool; i++)
        curl_easy_cleanup(c->pool[i]);
    pthread_mutex_destroy(&c->mu);
    free(c->name);
    wipe_free(c->api_key);
    wipe_free(c->auth_header);
    free(c);
}

static CURL *take_handle(struct lh_http_client *c)
{
    CURL *h = NULL;
    pthread_mutex_lock(&c->mu);
    if (c->n_pool > 0)
        h = c->pool[--c->n_pool];
    pthread_mutex_unlock(&c->mu);
    return h ? h : curl_easy_init();
}

static void give_handle(struct lh_http_client *c, CURL *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&c->mu);
    if (c->n_pool < POOL_MAX) {
        c->pool[c->n_pool++] = h;
        h = NULL;
    }
    pthread_mutex_unlock(&c->mu);
    if (h)
        curl_easy_cleanup(h);
}

struct resp {
    struct lh_buf body;
    long retry_after_ms; /* -1 = none */
    bool too_big;
};

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud)
{
    struct resp *r = ud;
    size_t n = size * nmemb;
    if (lh_buf_append(&r->body, p, n)) {
        r->too_big = true;
        return 0;
    }
    return n;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
    struct resp *r = ud;
    size_t n = size * nmemb;
    static const char name[] = "retry-after:";
    if (n > sizeof(name) - 1 && strncasecmp(p, name, sizeof(name) - 1) == 0) {
        long v = 0;
        size_t i = sizeof(name) - 1;
        while (i < n && (p[i] == ' ' || p[i] == '\t'))
            i++;
        size_t d0 = i;
        while (i < n && p[i] >= '0' && p[i] <= '9' && v < RETRY_AFTER_MAX_MS)
            v = v * 10 + (p[i++] - '0');
        if (i > d0) {
            v *= 1000;
            r->retry_after_ms = v > RETRY_AFTER_MAX_MS ? RETRY_AFTER_MAX_MS : v;
        }
    }
    return n;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static long backoff_ms(struct lh_http_client *c, int retry)
{
    long ms = c->retry_base_ms << (retry < 16 ? retry : 16);
    pthread_mutex_lock(&c->mu);
    c->rng ^= c->rng << 13;
    c->rng ^= c->rng >> 7;
    c->rng ^= c->rng << 17;
    uint64_t r = c->rng;
    pthread_mutex_unlock(&c->mu);
    return ms + (long)(r % (uint64_t)(ms / 4 + 1));
}

static bool retryable_curl(CURLcode cc)
{
    return cc == CURLE_OPERATION_TIMEDOUT || cc == CURLE_GOT_NOTHING || cc == CURLE_RECV_ERROR ||
           cc == CURLE_SEND_ERROR || cc == CURLE_PARTIAL_FILE;
}

static void setup(struct lh_http_client *c, CURL *h, const char *url, const char *body, size_t len,
                  struct curl_slist *hdrs, struct resp *r, char *errbuf)
{
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "lakehouse/" LH_VERSION);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
}

int lh_http_client_post_json(struct lh_http_client *c, const char *url, const char *body,
                             size_t len, json_t **out, struct lh_error *err)
{
    struct curl_slist *hdrs = NULL;
    struct resp r;
    char errbuf[CURL_ERROR_SIZE];
    char *shown = lh_http_client_display_url(url);
    CURL *h = take_handle(c);
    int rc = 0;

    lh_buf_init(&r.body, c->max_response);
    if (!h) {
        rc = lh_http_client_error(c, err, LH_ENOMEM, "cannot create a libcurl handle");
        goto out;
    }
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    hdrs = curl_slist_append(hdrs, "Accept: application/json");
    hdrs = curl_slist_append(hdrs, "Expect:");
    if (c->auth_header)
        hdrs = curl_slist_append(hdrs, c->auth_header);

    for (int attempt = 0;; attempt++) {
        errbuf[0] = '\0';
        lh_buf_reset(&r.body);
        r.retry_after_ms = -1;
        r.too_big = false;
        setup(c, h, url, body, len, hdrs, &r, errbuf);
        CURLcode cc = curl_easy_perform(h);
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        const char *after = attempt ? " after " : "";
        char tries[32] = "";
        if (attempt)
            snprintf(tries, sizeof(tries), "%d attempts", attempt + 1);

        if (cc == CURLE_OK && status >= 200 && status < 300) {
            json_error_t jerr;
            json_t *j = json_loadb(r.body.ptr, r.body.len, 0, &jerr);
            if (!j) {
                rc = lh_http_client_error(c, err, LH_EUPSTREAM,
                                          "invalid JSON in the answer from %s: %s", shown,
                                          jerr.text);
                goto out;
            }
            *out = j;
            goto out;
        }
        bool retry = cc == CURLE_OK ? (status == 429 || status >= 500) : retryable_curl(cc);
        if (r.too_big) {
            rc = lh_http_client_error(c, err, LH_ETOOBIG,
                                      "the answer from %s is larger than %zu bytes", shown,
                                      c->max_response);
            goto out;
        }
        if (retry && attempt < c->max_retries) {
            long wait = r.retry_after_ms >= 0 ? r.retry_after_ms : backoff_ms(c, attempt);
            sleep_ms(wait);
            continue;
        }
        if (cc == CURLE_OPERATION_TIMEDOUT) {
            rc = lh_http_client_error(c, err, LH_ETIMEDOUT, "no answer from %s within %ld ms%s%s",
                                      shown, c->timeout_ms, after, tries);
        } else if (cc != CURLE_OK) {
            rc = lh_http_client_error(c, err, LH_EUPSTREAM, "request to %s failed: %s%s%s",
                                      shown, errbuf[0] ? errbuf : curl_easy_strerror(cc),
                                      after, tries);
        } else {
            struct lh_buf ex;
            lh_buf_init(&ex, 0);
            excerpt(&ex, r.body.ptr, r.body.len);
            rc = lh_http_client_error(c, err, LH_EUPSTREAM, "HTTP %ld from %s%s%s: %s", status,
                                      shown, after, tries, ex.ptr);
            lh_buf_release(&ex);
        }
        goto out;
    }

out:
    curl_slist_free_all(hdrs);
    give_handle(c, h);
    lh_buf_release(&r.body);
    free(shown);
    return rc;
}

char *lh_http_endpoint(const char *base, bool openai, const char *ollama_path,
                       const char *openai_path)
{
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/')
        bl--;
    if (!openai)
        return lh_xasprintf("%.*s%s", (int)bl, base, ollama_path);
    if (bl >= 3 && memcmp(base + bl - 3, "/v1", 3) == 0)
        return lh_xasprintf("%.*s%s", (int)bl, base, openai_path);
    return lh_xasprintf("%.*s/v1%s", (int)bl, base, openai_path);
}
