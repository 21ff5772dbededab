/* SPDX-License-Identifier: MIT */
/* auth.c - permissions, roles and their column policies, API key text. */
#include "lh_common.h"
#include "auth.h"
#include "hash.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const perm_names[] = {"read",   "query",  "search", "ingest",
                                         "index",  "delete", "govern", "admin"};

unsigned lh_perm_parse(const char *s)
{
    for (size_t i = 0; i < LH_ARRAY_LEN(perm_names); i++)
        if (s && strcmp(s, perm_names[i]) == 0)
            return 1u << i;
    return 0;
}

const char *lh_perm_name(unsigned bit)
{
    for (size_t i = 0; i < LH_ARRAY_LEN(perm_names); i++)
        if (bit == 1u << i)
            return perm_names[i];
    return "?";
}

static const char *const action_names[] = {"show", "mask", "hash", "null"};

const char *lh_col_action_name(enum lh_col_action a)
{
    return (unsigned)a < LH_ARRAY_LEN(action_names) ? action_names[a] : "?";
}

int lh_col_policy_parse_text(const char *s, struct lh_col_policy *out)
{
    for (size_t i = 0; i < LH_ARRAY_LEN(action_names); i++) {
        if (s && strcmp(s, action_names[i]) == 0) {
            out->action = (enum lh_col_action)i;
            out->prefix = 1;
            out->suffix = 2;
            return 0;
        }
    }
    return -LH_EINVAL;
}

struct lh_col_policy lh_col_policy_max(struct lh_col_policy a, struct lh_col_policy b)
{
    if (a.action != b.action)
        return a.action > b.action ? a : b;
    if (a.action == LH_COL_MASK) {
        a.prefix = a.prefix < b.prefix ? a.prefix : b.prefix;
        a.suffix = a.suffix < b.suffix ? a.suffix : b.suffix;
    }
    return a;
}

/* A policy from JSON: "mask" or {"action":"mask","prefix":1,"suffix":4}. */
static int policy_from_json(const json_t *v, const char *what, struct lh_col_policy *out,
                            struct lh_error *err)
{
    const char *a = json_is_string(v) ? json_string_value(v)
                                      : json_string_value(json_object_get(v, "action"));
    if (lh_col_policy_parse_text(a, out))
        return lh_error_set(err, LH_EINVAL,
                            "%s: the action must be show, mask, hash or null", what);
    if (json_is_object(v)) {
        const json_t *p = json_object_get(v, "prefix"), *s = json_object_get(v, "suffix");
        if ((p && (!json_is_integer(p) || json_integer_value(p) < 0 ||
                   json_integer_value(p) > 64)) ||
            (s && (!json_is_integer(s) || json_integer_value(s) < 0 ||
                   json_integer_value(s) > 64)))
            return lh_error_set(err, LH_EINVAL, "%s: prefix and suffix must be 0..64", what);
        if (p)
            out->prefix = (int)json_integer_value(p);
        if (s)
            out->suffix = (int)json_integer_value(s);
    }
    return 0;
}

/* ---- roles ---- */

const char *const lh_builtin_roles[] = {"admin", "analyst", "agent", NULL};

bool lh_role_is_builtin_name(const char *name)
{
    for (size_t i = 0; lh_builtin_roles[i]; i++)
        if (strcmp(name, lh_builtin_roles[i]) == 0)
            return true;
    return false;
}

void lh_role_release(struct lh_role *r)
{
    for (size_t i = 0; i < r->n_datasets; i++)
        free(r->datasets[i]);
    for (size_t i = 0; i < r->n_views; i++)
        free(r->views[i]);
    free(r->datasets);
    free(r->views);
    memset(r, 0, sizeof(*r));
}

static char **strv_dup(char *const *v, size_t n)
{
    char **o = lh_xcalloc(n ? n : 1, sizeof(*o));
    for (size_t i = 0; i < n; i++)
        o[i] = lh_xstrdup(v[i]);
    return o;
}

void lh_role_copy(struct lh_role *dst, const struct lh_role *src)
{
    *dst = *src;
    dst->datasets = strv_dup(src->datasets, src->n_datasets);
    dst->views = strv_dup(src->views, src->n_views);
}

static void role_base(struct lh_role *r, const char *name)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->name, sizeof(r->name), "%s", name);
    for (int i = 0; i < LH_SENS_MAX_; i++)
        r->by_sens[i] = (struct lh_col_policy){LH_COL_SHOW, 1, 2};
}

static void role_add(char ***v, size_t *n, const char *s)
{
    *v = lh_xrealloc(*v, (*n + 1) * sizeof(**v));
    (*v)[(*n)++] = lh_xstrdup(s);
}

bool lh_role_builtin(const char *name, struct lh_role *out)
{
    if (!lh_role_is_builtin_name(name))
        return false;
    role_base(out, name);
    out->builtin = true;
    if (strcmp(name, "admin") == 0) {
        out->superuser = true;
        out->perms = LH_PERM_ALL;
        role_add(&out->datasets, &out->n_datasets, "*");
        role_add(&out->views, &out->n_views, "*");
    } else if (strcmp(name, "analyst") == 0) {
        /* reads everything, but identifying values come masked or hashed */
        out->perms = LH_PERM_READ | LH_PERM_QUERY | LH_PERM_SEARCH | LH_PERM_INGEST |
                     LH_PERM_INDEX;
        role_add(&out->datasets, &out->n_datasets, "*");
        role_add(&out->views, &out->n_views, "*");
        out->by_sens[LH_SENS_CONFIDENTIAL] = (struct lh_col_policy){LH_COL_MASK, 1, 2};
        out->by_sens[LH_SENS_RESTRICTED] = (struct lh_col_policy){LH_COL_HASH, 0, 0};
    } else { /* agent: only views, never a restricted value */
        out->perms = LH_PERM_READ | LH_PERM_QUERY | LH_PERM_SEARCH;
        role_add(&out->views, &out->n_views, "*");
        out->by_sens[LH_SENS_CONFIDENTIAL] = (struct lh_col_policy){LH_COL_MASK, 1, 2};
        out->by_sens[LH_SENS_RESTRICTED] = (struct lh_col_policy){LH_COL_NULL, 0, 0};
    }
    return true;
}

static int names_from_json(const json_t *a, const char *what, char ***v, size_t *n,
                           struct lh_error *err)
{
    size_t i;
    const json_t *x;
    if (!a)
        return 0;
    if (!json_is_array(a))
        return lh_error_set(err, LH_EINVAL, "\"%s\" must be an array of names", what);
    json_array_foreach(a, i, x)
    {
        const char *s = json_string_value(x);
        if (!s || !s[0] || strlen(s) > 63)
            return lh_error_set(err, LH_EINVAL, "\"%s\" must hold names of 1..63 characters",
                                what);
        role_add(v, n, s);
    }
    return 0;
}

int lh_role_from_json(const char *name, const char *json, struct lh_role *out,
                      struct lh_error *err)
{
    json_error_t je;
    json_t *j = json_loads(json ? json : "{}", 0, &je);
    int rc = 0;
    role_base(out, name);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        return lh_error_set(err, LH_EINVAL, "a role definition must be a JSON object");
    }
    const json_t *perms = json_object_get(j, "permissions");
    size_t i;
    const json_t *x;
    if (perms && !json_is_array(perms)) {
        rc = lh_error_set(err, LH_EINVAL, "\"permissions\" must be an array");
        goto out;
    }
    json_array_foreach(perms, i, x)
    {
        unsigned p = lh_perm_parse(json_string_value(x));
        if (!p) {
            rc = lh_error_set(err, LH_EINVAL,
                              "unknown permission '%.40s' (read, query, search, ingest, index, "
                              "delete, govern, admin)",
                              json_string_value(x) ? json_string_value(x) : "?");
            goto out;
        }
        out->perms |= p;
    }
    if ((rc = names_from_json(json_object_get(j, "datasets"), "datasets", &out->datasets,
                              &out->n_datasets, err)) ||
        (rc = names_from_json(json_object_get(j, "views"), "views", &out->views, &out->n_views,
                              err)))
        goto out;
    const json_t *masks = json_object_get(j, "masks");
    if (masks && !json_is_object(masks)) {
        rc = lh_error_set(err, LH_EINVAL, "\"masks\" must be an object");
        goto out;
    }
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)masks, key, val)
    {
        enum lh_sensitivity s;
        enum lh_pii_kind k;
        char what[96];
        snprintf(what, sizeof(what), "masks.%.40s", key);
        struct lh_col_policy p;
        if ((rc = policy_from_json(val, what, &p, err)))
            goto out;
        if (lh_sensitivity_parse(key, &s) == 0) {
            out->by_sens[s] = p;
        } else if (lh_pii_kind_parse(key, &k) == 0 && k != LH_PII_NONE) {
            out->by_kind[k] = p;
            out->kind_set[k] = true;
        } else {
            rc = lh_error_set(err, LH_EINVAL,
                              "masks: '%.40s' is neither a sensitivity level nor a PII kind", key);
            goto out;
        }
    }
out:
    json_decref(j);
    if (rc)
        lh_role_release(out);
    return rc;
}

static void policy_json(struct lh_buf *b, struct lh_col_policy p)
{
    if (p.action == LH_COL_MASK)
        lh_buf_printf(b, "{\"action\":\"mask\",\"prefix\":%d,\"suffix\":%d}", p.prefix,
                      p.suffix);
    else
        lh_buf_printf(b, "\"%s\"", lh_col_action_name(p.action));
}

static void names_json(struct lh_buf *b, char *const *v, size_t n)
{
    lh_buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            lh_buf_putc(b, ',');
        lh_buf_json_str(b, v[i], strlen(v[i]));
    }
    lh_buf_putc(b, ']');
}

void lh_role_json(const struct lh_role *r, struct lh_buf *b)
{
    lh_buf_puts(b, "{\"name\":");
    lh_buf_json_str(b, r->name, strlen(r->name));
    lh_buf_printf(b, ",\"builtin\":%s,\"superuser\":%s,\"permissions\":[",
                  r->builtin ? "true" : "false", r->superuser ? "true" : "false");
    bool first = true;
    for (unsigned bit = 1; bit <= LH_PERM_ADMIN; bit <<= 1) {
        if (!(r->perms & bit))
            continue;
        lh_buf_printf(b, "%s\"%s\"", first ? "" : ",", lh_perm_name(bit));
        first = false;
    }
    lh_buf_puts(b, "],\"datasets\":");
    names_json(b, r->datasets, r->n_datasets);
    lh_buf_puts(b, ",\"views\":");
    names_json(b, r->views, r->n_views);
    lh_buf_puts(b, ",\"masks\":{");
    for (int s = 0; s < LH_SENS_MAX_; s++) {
        lh_buf_printf(b, "%s\"%s\":", s ? "," : "", lh_sensitivity_name((enum lh_sensitivity)s));
        policy_json(b, r->superuser ? (struct lh_col_policy){LH_COL_SHOW, 0, 0} : r->by_sens[s]);
    }
    for (int k = 0; k < LH_PII_KIND_MAX_; k++) {
        if (!r->kind_set[k])
            continue;
        lh_buf_printf(b, ",\"%s\":", lh_pii_kind_name((enum lh_pii_kind)k));
        policy_json(b, r->by_kind[k]);
    }
    lh_buf_puts(b, "}}");
}

static bool name_in(char *const *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], "*") == 0 || strcasecmp(v[i], name) == 0)
            return true;
    return false;
}

bool lh_role_may_dataset(const struct lh_role *r, const char *dataset)
{
    return r->superuser || name_in(r->datasets, r->n_datasets, dataset);
}

bool lh_role_may_view(const struct lh_role *r, const char *view)
{
    return r->superuser || name_in(r->views, r->n_views, view);
}

struct lh_col_policy lh_role_column(const struct lh_role *r, enum lh_sensitivity sens,
                                    enum lh_pii_kind kind)
{
    if (r->superuser)
        return (struct lh_col_policy){LH_COL_SHOW, 0, 0};
    if ((unsigned)kind < LH_PII_KIND_MAX_ && r->kind_set[kind])
        return r->by_kind[kind];
    if ((unsigned)sens >= LH_SENS_MAX_)
        sens = LH_SENS_RESTRICTED; /* unknown levels are treated as the strictest */
    return r->by_sens[sens];
}

/* Appends "col" double-quoted. */
static void ident(struct lh_buf *b, const char *s)
{
    lh_buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            lh_buf_putc(b, '"');
        lh_buf_putc(b, *s);
    }
    lh_buf_putc(b, '"');
}

/* A type text we can paste into CAST(NULL AS ...): plain words, digits, spaces, commas,
 * parentheses (DECIMAL(18,3)); anything else (struct field names) falls back to VARCHAR. */
static bool type_ok(const char *t)
{
    if (!t || !*t || strlen(t) > 64)
        return false;
    for (; *t; t++)
        if (!isalnum((unsigned char)*t) && !strchr(" ,()[]_", *t))
            return false;
    return true;
}

void lh_col_policy_sql(struct lh_buf *b, const char *col, const char *type,
                       struct lh_col_policy p, const char *salt)
{
    struct lh_buf v = LH_BUF_INIT;
    lh_buf_puts(&v, "CAST(");
    ident(&v, col);
    lh_buf_puts(&v, " AS VARCHAR)");
    switch (p.action) {
    case LH_COL_SHOW:
        ident(b, col);
        lh_buf_release(&v);
        return;
    case LH_COL_MASK:
        /* keep `prefix` and `suffix` characters; values too short become all stars */
        lh_buf_printf(b,
                      "CASE WHEN %s IS NULL THEN NULL WHEN length(%s) <= %d THEN "
                      "repeat('*', length(%s)) ELSE concat(left(%s, %d), "
                      "repeat('*', length(%s) - %d), right(%s, %d)) END",
                      v.ptr, v.ptr, p.prefix + p.suffix, v.ptr, v.ptr, p.prefix, v.ptr,
                      p.prefix + p.suffix, v.ptr, p.suffix);
        break;
    case LH_COL_HASH:
        /* salted so that dictionaries of common values do not reverse it; stable so that
         * hashed columns still join and group */
        lh_buf_printf(b,
                      "CASE WHEN %s IS NULL THEN NULL ELSE concat('h_', "
                      "left(sha256(concat('%s', %s)), 16)) END",
                      v.ptr, salt ? salt : "", v.ptr);
        break;
    case LH_COL_NULL:
        lh_buf_printf(b, "CAST(NULL AS %s)", type_ok(type) ? type : "VARCHAR");
        break;
    }
    lh_buf_puts(b, " AS ");
    ident(b, col);
    lh_buf_release(&v);
}

/* ---- API keys ---- */

void lh_key_generate(char text[LH_KEY_TEXT_MAX], char id[LH_KEY_ID_LEN + 1], char hash[65])
{
    char secret[41];
    lh_random_hex(id, LH_KEY_ID_LEN / 2);
    lh_random_hex(secret, 20);
    snprintf(text, LH_KEY_TEXT_MAX, "lh_%s_%s", id, secret);
    lh_sha256_hex(text, strlen(text), hash);
}

static bool all_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
            return false;
    return true;
}

bool lh_key_parse(const char *text, char id[LH_KEY_ID_LEN + 1])
{
    /* lh_ + 12 hex + _ + 40 hex */
    if (!text || strlen(text) != 3 + LH_KEY_ID_LEN + 1 + 40 || strncmp(text, "lh_", 3) != 0 ||
        text[3 + LH_KEY_ID_LEN] != '_' || !all_hex(text + 3, LH_KEY_ID_LEN) ||
        !all_hex(text + 4 + LH_KEY_ID_LEN, 40))
        return false;
    memcpy(id, text + 3, LH_KEY_ID_LEN);
    id[LH_KEY_ID_LEN] = '\0';
    return true;
}

bool lh_key_verify(const char *text, const char *hash)
{
    char h[65];
    if (!text || !hash || strlen(hash) != 64)
        return false;
    lh_sha256_hex(text, strlen(text), h);
    unsigned char diff = 0;
    for (int i = 0; i < 64; i++)
        diff |= (unsigned char)(h[i] ^ hash[i]);
    return diff == 0;
}

void lh_redact_secrets(char *s)
{
    for (char *p = s; p && *p; p++) {
        /* an API key: lh_ + 12 hex + _ + hex... */
        if (strncmp(p, "lh_", 3) == 0 && all_hex(p + 3, LH_KEY_ID_LEN) &&
            p[3 + LH_KEY_ID_LEN] == '_') {
            char *q = p + 4 + LH_KEY_ID_LEN;
            while (isxdigit((unsigned char)*q))
                *q++ = '*';
        }
        /* scheme://user:password@host */
        if (strncmp(p, "://", 3) == 0) {
            char *at = p + 3, *colon = NULL;
            while (*at && *at != '@' && *at != '/' && *at != ' ' && *at != '\'' && *at != '"') {
                if (*at == ':' && !colon)
                    colon = at;
                at++;
            }
            if (*at == '@' && colon)
                for (char *q = colon + 1; q < at; q++)
                    *q = '*';
        }
        /* password=..., api_key=..., secret=... (DSNs, query strings) */
        static const char *const words[] = {"password=", "api_key=", "apikey=", "secret=",
                                            "token="};
        for (size_t i = 0; i < LH_ARRAY_LEN(words); i++) {
            size_t n = strlen(words[i]);
            if (strncasecmp(p, words[i], n) == 0) {
                char *q = p + n;
                while (*q && *q != ' ' && *q != '&' && *q != ';' && *q != '\'' && *q != '"')
                    *q++ = '*';
            }
        }
    }
}
