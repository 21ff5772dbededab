/* SPDX-License-Identifier: MIT */
/* api_ui.c - serves the web UI: GET / (index.html) and GET /ui/{file}, from the assets
 * embedded at build time (web_assets.h), with ETag revalidation and a strict CSP. */
#include "lh_common.h"
#include "http_int.h"
#include "web_assets.h"

#include <string.h>

/* No inline script or style, nothing from elsewhere: the UI is only its own files
 * and the API on the same origin. Downloads are blob: URLs made by the UI. */
#define UI_CSP                                                                                    \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "      \
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; "                \
    "form-action 'none'; frame-ancestors 'none'"

static const struct lh_web_asset *find_asset(const char *name)
{
    for (size_t i = 0; name && i < lh_web_n_assets; i++)
        if (strcmp(lh_web_assets[i].name, name) == 0)
            return &lh_web_assets[i];
    return NULL;
}

/* True if the If-None-Match header value lists etag (or is "*"). The comparison is
 * the weak one RFC 9110 prescribes for If-None-Match: a W/ prefix is ignored. */
static bool etag_listed(const char *inm, const char *etag)
{
    size_t elen = strlen(etag);
    const char *p = inm;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            break;
        if (*p == '*')
            return true;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        const char *e = p;
        if (*e == '"') {
            e = strchr(e + 1, '"');
            e = e ? e + 1 : p + strlen(p);
        } else {
            while (*e && *e != ',')
                e++;
        }
        if ((size_t)(e - p) == elen && memcmp(p, etag, elen) == 0)
            return true;
        p = e;
    }
    return false;
}

static int serve(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err, const char *name)
{
    const struct lh_web_asset *a = find_asset(name);
    if (!a)
        return lh_error_set(err, LH_ENOTFOUND, "the web UI has no file '%.100s'", name);
    /* Revalidate every time (the names are not versioned): a 304 costs a round trip
     * on the same origin and an upgrade of the binary is never served stale. */
    lh_reply_header(rp, "Cache-Control", "no-cache");
    lh_reply_header(rp, "ETag", a->etag);
    lh_reply_header(rp, "Content-Security-Policy", UI_CSP);
    lh_reply_header(rp, "X-Frame-Options", "DENY");
    lh_reply_header(rp, "Referrer-Policy", "no-referrer");
    const char *inm = lh_kvs_get_ci(&rq->headers, "If-None-Match");
    if (inm && etag_listed(inm, a->etag)) {
        lh_reply_raw(rp, 304, NULL, "", 0);
        return 0;
    }
    return lh_reply_raw(rp, 200, a->content_type, a->data, a->size);
}

int lh_api_ui_index(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    return serve(rq, rp, err, "index.html");
}

int lh_api_ui_asset(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    return serve(rq, rp, err, lh_kvs_get(&rq->params, "file"));
}
