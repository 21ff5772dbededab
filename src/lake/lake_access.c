/* SPDX-License-Identifier: MIT */
/* lake_access.c - governance use-cases: API keys, roles, AI-safe views, tombstones, model
 * profiles, and the name resolution that applies them to every query.
 *
 * A dataset or view name in SQL resolves (lh__lake_resolve) to its files wrapped in the
 * caller's column masks, the view's column list and row filter, and the dataset's
 * tombstones. Search and RAG go through the same resolution, so the three paths cannot
 * disagree about what a role may see. */
#include "lh_common.h"
#include "lake.h"
#include "lake_int.h"
#include "auth.h"
#include "buf.h"
#include "hash.h"
#include "log.h"
#include "pii.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define KIND_ROLE "role"
#define KIND_VIEW "view"
#define KIND_PROFILE "profile"
#define KIND_SECRET "secret"

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void lower_copy(const char *s, char out[64])
{
    size_t i = 0;
    for (; s && s[i] && i < 63; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[i] = '\0';
}

/* ---- principals ---- */

void lh_principal_admin(struct lh_principal *p, const char *actor)
{
    memset(p, 0, sizeof(*p));
    snprintf(p->actor, sizeof(p->actor), "%s", actor && actor[0] ? actor : "local");
    lh_role_builtin("admin", &p->role);
}

void lh_principal_release(struct lh_principal *p)
{
    lh_role_release(&p->role);
}

int lh_lake_role_load(struct lh_lake *l, const char *name, struct lh_role *out,
                      struct lh_error *err)
{
    if (lh_role_builtin(name, out))
        return 0;
    struct lh_access_obj *o = NULL;
    int rc = lh_catalog_access_get(l->cat, KIND_ROLE, name, &o, err);
    if (rc == 0)
        rc = lh_role_from_json(o->name, o->def_json, out, err);
    lh_access_obj_free(o);
    return rc;
}

int lh_lake_authenticate(struct lh_lake *l, const char *key, struct lh_principal *out,
                         struct lh_error *err)
{
    char id[LH_KEY_ID_LEN + 1];
    struct lh_api_key *k = NULL;
    struct lh_error e2;
    memset(out, 0, sizeof(*out));
    /* one message for every kind of bad key, so a caller cannot probe which ids exist */
    if (!lh_key_parse(key, id) || lh_catalog_key_get(l->cat, id, &k, &e2) != 0 ||
        !lh_key_verify(key, k->hash) || k->revoked_ms != 0) {
        lh_api_key_free(k);
        return lh_error_set(err, LH_EAUTH, "the API key is not valid (unknown, revoked or "
                                           "mistyped)");
    }
    int rc = lh_lake_role_load(l, k->role, &out->role, &e2);
    if (rc) {
        rc = lh_error_set(err, LH_EPERM, "the API key's role '%s' no longer exists", k->role);
        lh_api_key_free(k);
        return rc;
    }
    snprintf(out->actor, sizeof(out->actor), "key:%s", k->id);
    snprintf(out->key_id, sizeof(out->key_id), "%s", k->id);
    snprintf(out->profile, sizeof(out->profile), "%s", k->profile ? k->profile : "");
    /* last-used is informational: write it at most once a minute per key */
    if (wall_ms() - k->last_used_ms > 60000)
        lh_catalog_key_touch(l->cat, k->id, wall_ms());
    lh_api_key_free(k);
    return 0;
}

/* ---- keys ---- */

static void key_json(const struct lh_api_key *k, struct lh_buf *b)
{
    lh_buf_puts(b, "{\"id\":");
    lh__json_str(b, k->id);
    lh_buf_puts(b, ",\"name\":");
    lh__json_str(b, k->name);
    lh_buf_puts(b, ",\"role\":");
    lh__json_str(b, k->role);
    lh_buf_puts(b, ",\"profile\":");
    lh__json_str(b, k->profile);
    lh_buf_puts(b, ",\"created_by\":");
    lh__json_str(b, k->created_by);
    lh_buf_printf(b, ",\"created_ms\":%lld,\"revoked\":%s,\"revoked_ms\":%lld,\"last_used_ms\":%lld}",
                  (long long)k->created_ms, k->revoked_ms ? "true" : "false",
                  (long long)k->revoked_ms, (long long)k->last_used_ms);
}

int lh_lake_key_create(struct lh_lake *l, const char *name, const char *role, const char *profile,
                       const char *actor, char text[LH_KEY_TEXT_MAX], struct lh_buf *out,
                       struct lh_error *err)
{
    struct lh_role r;
    struct lh_access_obj *po = NULL;
    if (!name || !name[0] || strlen(name) > 100)
        return lh_error_set(err, LH_EINVAL, "a key needs a name of 1..100 characters");
    if (!role || !role[0])
        return lh_error_set(err, LH_EINVAL, "a key needs a role");
    if (lh_lake_role_load(l, role, &r, err))
        return lh_error_set(err, LH_EINVAL, "unknown role '%.63s'", role);
    lh_role_release(&r);
    if (profile && profile[0]) {
        if (lh_catalog_access_get(l->cat, KIND_PROFILE, profile, &po, err))
            return lh_error_set(err, LH_EINVAL, "unknown profile '%.63s'", profile);
        lh_access_obj_free(po);
    }
    char id[LH_KEY_ID_LEN + 1], hash[65];
    lh_key_generate(text, id, hash);
    struct lh_api_key k = {id,   (char *)name, (char *)role, hash,
                           profile && profile[0] ? (char *)profile : NULL,
                           (char *)(actor ? actor : "unknown"), 0, 0, 0};
    int rc = lh_catalog_key_create(l->cat, &k, err);
    if (rc)
        return rc;
    struct lh_api_key *got = NULL;
    if ((rc = lh_catalog_key_get(l->cat, id, &got, err)))
        return rc;
    /* the only time the key text leaves the process */
    lh_buf_puts(out, "{\"key\":");
    lh__json_str(out, text);
    lh_buf_puts(out, ",\"note\":\"store this key now: it is not shown again\",\"api_key\":");
    key_json(got, out);
    lh_buf_putc(out, '}');
    lh_api_key_free(got);
    return 0;
}

int lh_lake_keys_json(struct lh_lake *l, struct lh_buf *out, struct lh_error *err)
{
    struct lh_api_key **v = NULL;
    size_t n = 0;
    int rc = lh_catalog_key_list(l->cat, &v, &n, err);
    if (rc)
        return rc;
    lh_buf_puts(out, "{\"keys\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            lh_buf_putc(out, ',');
        key_json(v[i], out);
    }
    lh_buf_puts(out, "]}");
    lh_api_key_list_free(v, n);
    return 0;
}

int lh_lake_key_revoke(struct lh_lake *l, const char *id, const char *actor, struct lh_error *err)
{
    return lh_catalog_key_revoke(l->cat, id, actor, err);
}

/* ---- roles ---- */

int lh_lake_role_put(struct lh_lake *l, const char *name, const char *def_json, const char *actor,
                     struct lh_buf *out, struct lh_error *err)
{
    struct lh_role r;
    int rc;
    if ((rc = lh_catalog_name_check(name, err)))
        return lh_error_set(err, LH_EINVAL, "role names are 1-63 characters of [a-z0-9_]");
    if (lh_role_is_builtin_name(name))
        return lh_error_set(err, LH_ECONFLICT, "role '%s' is built in and cannot be changed",
                            name);
    if ((rc = lh_role_from_json(name, def_json, &r, err)))
        return rc;
    if (r.perms & LH_PERM_ADMIN) {
        lh_role_release(&r);
        return lh_error_set(err, LH_EINVAL,
                            "custom roles cannot hold the admin permission; use the admin role");
    }
    struct lh_buf canon = LH_BUF_INIT;
    lh_role_json(&r, &canon);
    rc = lh_catalog_access_put(l->cat, KIND_ROLE, name, canon.ptr, actor, err);
    if (rc == 0 && out)
        lh_buf_append(out, canon.ptr, canon.len);
    lh_buf_release(&canon);
    lh_role_release(&r);
    return rc;
}

int lh_lake_roles_json(struct lh_lake *l, struct lh_buf *out, struct lh_error *err)
{
    struct lh_access_obj **v = NULL;
    size_t n = 0;
    int rc = lh_catalog_access_list(l->cat, KIND_ROLE, &v, &n, err);
    if (rc)
        return rc;
    lh_buf_puts(out, "{\"roles\":[");
    for (size_t i = 0; lh_builtin_roles[i]; i++) {
        struct lh_role r;
        lh_role_builtin(lh_builtin_roles[i], &r);
        if (i)
            lh_buf_putc(out, ',');
        lh_role_json(&r, out);
        lh_role_release(&r);
    }
    for (size_t i = 0; i < n; i++) {
        struct lh_role r;
        struct lh_error e2;
        if (lh_role_from_json(v[i]->name, v[i]->def_json, &r, &e2) != 0)
            continue;
        lh_buf_putc(out, ',');
        lh_role_json(&r, out);
        lh_role_release(&r);
    }
    lh_buf_puts(out, "]}");
    lh_access_obj_list_free(v, n);
    return 0;
}

int lh_lake_role_delete(struct lh_lake *l, const char *name, const char *actor,
                        struct lh_error *err)
{
    if (lh_role_is_builtin_name(name))
        return lh_error_set(err, LH_ECONFLICT, "role '%s' is built in and cannot be deleted",
                            name);
    return lh_catalog_access_delete(l->cat, KIND_ROLE, name, actor, err);
}

/* ---- views ---- */

struct redact {
    char *col;
    struct lh_col_policy p;
};

struct view_def {
    char *name;
    char *dataset;
    char **cols; /* whitelist; n_cols == 0 = every column */
    size_t n_cols;
    char *filter; /* row filter or NULL */
    struct redact *redact;
    size_t n_redact;
    char *description;
};

static void view_release(struct view_def *v)
{
    free(v->name);
    free(v->dataset);
    for (size_t i = 0; i < v->n_cols; i++)
        free(v->cols[i]);
    free(v->cols);
    free(v->filter);
    for (size_t i = 0; i < v->n_redact; i++)
        free(v->redact[i].col);
    free(v->redact);
    free(v->description);
    memset(v, 0, sizeof(*v));
}

/* Parses a stored or submitted definition (no checks against the dataset). */
static int view_parse(const char *name, const char *json, struct view_def *v,
                      struct lh_error *err)
{
    json_error_t je;
    memset(v, 0, sizeof(*v));
    json_t *j = json_loads(json, 0, &je);
    int rc = 0;
    if (!j || !json_is_object(j)) {
        json_decref(j);
        return lh_error_set(err, LH_EINVAL, "a view definition must be a JSON object");
    }
    v->name = lh_xstrdup(name);
    const char *ds = json_string_value(json_object_get(j, "dataset"));
    if (!ds || !ds[0]) {
        rc = lh_error_set(err, LH_EINVAL, "a view needs \"dataset\": the dataset it shows");
        goto out;
    }
    char lds[64];
    lower_copy(ds, lds);
    v->dataset = lh_xstrdup(lds);
    const json_t *cols = json_object_get(j, "columns"), *x;
    size_t i;
    if (cols && !json_is_array(cols)) {
        rc = lh_error_set(err, LH_EINVAL, "\"columns\" must be an array of column names");
        goto out;
    }
    json_array_foreach(cols, i, x)
    {
        if (!json_is_string(x)) {
            rc = lh_error_set(err, LH_EINVAL, "\"columns\" must be an array of column names");
            goto out;
        }
        v->cols = lh_xrealloc(v->cols, (v->n_cols + 1) * sizeof(*v->cols));
        v->cols[v->n_cols++] = lh_xstrdup(json_string_value(x));
    }
    const json_t *f = json_object_get(j, "filter");
    if (f && !json_is_null(f)) {
        if (!json_is_string(f)) {
            rc = lh_error_set(err, LH_EINVAL, "\"filter\" must be a SQL condition (a string)");
            goto out;
        }
        if (json_string_length(f) > 0)
            v->filter = lh_xstrdup(json_string_value(f));
    }
    const json_t *red = json_object_get(j, "redact");
    if (red && !json_is_object(red)) {
        rc = lh_error_set(err, LH_EINVAL, "\"redact\" must map column names to mask, hash or "
                                          "null");
        goto out;
    }
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)red, key, val)
    {
        struct lh_col_policy p;
        const char *a = json_is_string(val) ? json_string_value(val)
                                            : json_string_value(json_object_get(val, "action"));
        if (lh_col_policy_parse_text(a, &p)) {
            rc = lh_error_set(err, LH_EINVAL, "redact.%.63s: use show, mask, hash or null", key);
            goto out;
        }
        if (json_is_object(val)) {
            const json_t *pp = json_object_get(val, "prefix"), *ss = json_object_get(val, "suffix");
            if ((pp && (!json_is_integer(pp) || json_integer_value(pp) < 0 ||
                        json_integer_value(pp) > 64)) ||
                (ss && (!json_is_integer(ss) || json_integer_value(ss) < 0 ||
                        json_integer_value(ss) > 64))) {
                rc = lh_error_set(err, LH_EINVAL, "redact.%.63s: prefix and suffix must be 0..64",
                                  key);
                goto out;
            }
            if (pp)
                p.prefix = (int)json_integer_value(pp);
            if (ss)
                p.suffix = (int)json_integer_value(ss);
        }
        v->redact = lh_xrealloc(v->redact, (v->n_redact + 1) * sizeof(*v->redact));
        v->redact[v->n_redact].col = lh_xstrdup(key);
        v->redact[v->n_redact++].p = p;
    }
    const char *d = json_string_value(json_object_get(j, "description"));
    v->description = lh_xstrdup(d ? d : "");
out:
    json_decref(j);
    if (rc)
        view_release(v);
    return rc;
}

static void view_json(const struct view_def *v, const struct lh_access_obj *o, struct lh_buf *b)
{
    lh_buf_puts(b, "{\"name\":");
    lh__json_str(b, v->name);
    lh_buf_puts(b, ",\"dataset\":");
    lh__json_str(b, v->dataset);
    lh_buf_puts(b, ",\"columns\":[");
    for (size_t i = 0; i < v->n_cols; i++) {
        if (i)
            lh_buf_putc(b, ',');
        lh__json_str(b, v->cols[i]);
    }
    lh_buf_puts(b, "],\"filter\":");
    lh__json_str(b, v->filter);
    lh_buf_puts(b, ",\"redact\":{");
    for (size_t i = 0; i < v->n_redact; i++) {
        if (i)
            lh_buf_putc(b, ',');
        lh__json_str(b, v->redact[i].col);
        if (v->redact[i].p.action == LH_COL_MASK)
            lh_buf_printf(b, ":{\"action\":\"mask\",\"prefix\":%d,\"suffix\":%d}",
                          v->redact[i].p.prefix, v->redact[i].p.suffix);
        else
            lh_buf_printf(b, ":\"%s\"", lh_col_action_name(v->redact[i].p.action));
    }
    lh_buf_puts(b, "},\"description\":");
    lh__json_str(b, v->description);
    if (o) {
        lh_buf_puts(b, ",\"created_by\":");
        lh__json_str(b, o->actor);
        lh_buf_printf(b, ",\"created_ms\":%lld,\"updated_ms\":%lld", (long long)o->created_ms,
                      (long long)o->updated_ms);
    }
    lh_buf_putc(b, '}');
}

static int view_load(struct lh_lake *l, const char *name, struct view_def *v,
                     struct lh_error *err)
{
    struct lh_access_obj *o = NULL;
    int rc = lh_catalog_access_get(l->cat, KIND_VIEW, name, &o, err);
    if (rc == 0)
        rc = view_parse(o->name, o->def_json, v, err);
    lh_access_obj_free(o);
    return rc;
}

static ssize_t col_index(const struct lh_dataset *d, const char *name)
{
    for (size_t i = 0; i < d->n_columns; i++)
        if (strcasecmp(d->columns[i].name, name) == 0)
            return (ssize_t)i;
    return -1;
}

/* A row filter is pasted into SQL inside parentheses; it must not be able to leave them:
 * no comments, no statement separators, no dollar quoting, parentheses balanced outside
 * string literals and quoted identifiers. The SQL engine then checks it parses as one
 * condition over the view's dataset. */
static int filter_shape_ok(const char *f, struct lh_error *err)
{
    int depth = 0;
    char quote = 0;
    for (const char *p = f; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
            continue;
        }
        if (*p == '\'' || *p == '"')
            quote = *p;
        else if (*p == ';' || *p == '$' || (p[0] == '-' && p[1] == '-') ||
                 (p[0] == '/' && p[1] == '*'))
            return lh_error_set(err, LH_EINVAL,
                                "the row filter must be one condition: no ';', '$', or comments");
        else if (*p == '(')
            depth++;
        else if (*p == ')' && --depth < 0)
            break;
    }
    if (quote || depth != 0)
        return lh_error_set(err, LH_EINVAL,
                            "the row filter has unbalanced parentheses or an unclosed quote");
    return 0;
}

static bool name_is_dataset(struct lh_lake *l, const char *name)
{
    struct lh_dataset *d = NULL;
    struct lh_error e2;
    bool found = lh_catalog_get(l->cat, name, &d, &e2) == 0;
    lh_dataset_free(d);
    return found;
}

int lh_lake_view_put(struct lh_lake *l, const char *name, const char *def_json, const char *actor,
                     struct lh_buf *out, struct lh_error *err)
{
    struct view_def v;
    struct lh_dataset *d = NULL;
    struct lh_buf canon = LH_BUF_INIT, q = LH_BUF_INIT;
    int rc;
    if (lh_catalog_name_check(name, NULL))
        return lh_error_set(err, LH_EINVAL, "view names are 1-63 characters of [a-z0-9_]");
    if (name_is_dataset(l, name))
        return lh_error_set(err, LH_ECONFLICT, "'%s' is a dataset; a view needs another name",
                            name);
    if ((rc = view_parse(name, def_json, &v, err)))
        return rc;
    if ((rc = lh_catalog_get(l->cat, v.dataset, &d, err)))
        goto out;
    for (size_t i = 0; i < v.n_cols; i++) {
        if (col_index(d, v.cols[i]) < 0) {
            rc = lh_error_set(err, LH_EINVAL, "column '%.63s' is not in dataset '%s'", v.cols[i],
                              v.dataset);
            goto out;
        }
    }
    for (size_t i = 0; i < v.n_redact; i++) {
        if (col_index(d, v.redact[i].col) < 0) {
            rc = lh_error_set(err, LH_EINVAL, "redact: column '%.63s' is not in dataset '%s'",
                              v.redact[i].col, v.dataset);
            goto out;
        }
    }
    if (v.filter) {
        if ((rc = filter_shape_ok(v.filter, err)))
            goto out;
        /* it must compile against the dataset, and use nothing the firewall refuses */
        lh_buf_puts(&q, "SELECT count(*) FROM ");
        lh_sql_ident(&q, v.dataset);
        lh_buf_puts(&q, " WHERE (\n");
        lh_buf_puts(&q, v.filter);
        lh_buf_puts(&q, "\n)");
        if ((rc = lh__lake_filter_check(l, v.dataset, q.ptr, err)))
            goto out;
    }
    view_json(&v, NULL, &canon);
    if ((rc = lh_catalog_access_put(l->cat, KIND_VIEW, name, canon.ptr, actor, err)))
        goto out;
    lh__lake_indexes_stale(l, v.dataset);
    if (out)
        rc = lh_lake_view_json(l, name, out, err);
out:
    lh_buf_release(&q);
    lh_buf_release(&canon);
    lh_dataset_free(d);
    view_release(&v);
    return rc;
}

int lh_lake_view_json(struct lh_lake *l, const char *name, struct lh_buf *out,
                      struct lh_error *err)
{
    struct lh_access_obj *o = NULL;
    struct view_def v;
    int rc = lh_catalog_access_get(l->cat, KIND_VIEW, name, &o, err);
    if (rc == 0 && (rc = view_parse(o->name, o->def_json, &v, err)) == 0) {
        view_json(&v, o, out);
        view_release(&v);
    }
    lh_access_obj_free(o);
    return rc;
}

int lh_lake_views_json(struct lh_lake *l, const struct lh_principal *who, struct lh_buf *out,
                       struct lh_error *err)
{
    struct lh_access_obj **v = NULL;
    size_t n = 0, k = 0;
    int rc = lh_catalog_access_list(l->cat, KIND_VIEW, &v, &n, err);
    if (rc)
        return rc;
    lh_buf_puts(out, "{\"views\":[");
    for (size_t i = 0; i < n; i++) {
        struct view_def vd;
        struct lh_error e2;
        if ((who && !lh_role_may_view(&who->role, v[i]->name)) ||
            view_parse(v[i]->name, v[i]->def_json, &vd, &e2) != 0)
            continue;
        if (k++)
            lh_buf_putc(out, ',');
        view_json(&vd, v[i], out);
        view_release(&vd);
    }
    lh_buf_puts(out, "]}");
    lh_access_obj_list_free(v, n);
    return 0;
}

int lh_lake_view_delete(struct lh_lake *l, const char *name, const char *actor,
                        struct lh_error *err)
{
    return lh_catalog_access_delete(l->cat, KIND_VIEW, name, actor, err);
}

/* ---- name resolution ---- */

/* The per-lake salt of hashed columns, created on first use. */
static char *hash_salt(struct lh_lake *l)
{
    struct lh_access_obj *o = NULL;
    struct lh_error e2;
    if (lh_catalog_access_get(l->cat, KIND_SECRET, "hash_salt", &o, &e2) == 0) {
        char *s = lh_xstrdup(o->def_json);
        lh_access_obj_free(o);
        return s;
    }
    char salt[33];
    lh_random_hex(salt, 16);
    lh_catalog_access_put(l->cat, KIND_SECRET, "hash_salt", salt, "system", &e2);
    /* another process may have won the race: read back what is stored */
    if (lh_catalog_access_get(l->cat, KIND_SECRET, "hash_salt", &o, &e2) == 0) {
        char *s = lh_xstrdup(o->def_json);
        lh_access_obj_free(o);
        return s;
    }
    return lh_xstrdup(salt);
}

/* "(k IS NULL OR CAST(k AS VARCHAR) NOT IN (SELECT v FROM (VALUES ('a'),('b')) lh_t(v)))
 * AND ..." for a dataset's tombstones
 * on columns it still has; NULL when there are none. */
static char *tombstone_where(struct lh_lake *l, const struct lh_dataset *d, int64_t *out_max)
{
    struct lh_tombstone *t = NULL;
    size_t n = 0;
    struct lh_error e2;
    if (out_max)
        *out_max = 0;
    if (lh_catalog_tombstones(l->cat, d->name, false, &t, &n, &e2) != 0 || n == 0) {
        lh_tombstones_free(t, n);
        return NULL;
    }
    struct lh_buf b = LH_BUF_INIT;
    for (size_t i = 0; out_max && i < n; i++)
        if (t[i].id > *out_max)
            *out_max = t[i].id;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && strcmp(t[j].key_col, t[i].key_col) == 0)
            j++;
        ssize_t ci = col_index(d, t[i].key_col);
        if (ci >= 0) {
            const char *col = d->columns[ci].name;
            if (b.len)
                lh_buf_puts(&b, " AND ");
            lh_buf_putc(&b, '(');
            lh_sql_ident(&b, col);
            lh_buf_puts(&b, " IS NULL OR CAST(");
            lh_sql_ident(&b, col);
            /* an IN subquery over VALUES becomes a hash anti-join; a literal IN list is
             * compared value by value (65x slower on 10M rows with 1,000 tombstones) */
            lh_buf_puts(&b, " AS VARCHAR) NOT IN (SELECT v FROM (VALUES ");
            for (size_t k = i; k < j; k++) {
                lh_buf_puts(&b, k > i ? ",(" : "(");
                lh_sql_quote(&b, t[k].value);
                lh_buf_putc(&b, ')');
            }
            lh_buf_puts(&b, ") lh_t(v)))");
        }
        i = j;
    }
    lh_tombstones_free(t, n);
    if (!b.len) {
        lh_buf_release(&b);
        return NULL;
    }
    return lh_buf_detach(&b);
}

static enum lh_sensitivity meta_sens(const struct lh_column_meta *m)
{
    enum lh_sensitivity s = LH_SENS_RESTRICTED;
    if (m && lh_sensitivity_parse(m->sensitivity, &s) != 0)
        s = LH_SENS_RESTRICTED;
    return s;
}

static enum lh_pii_kind meta_kind(const struct lh_column_meta *m)
{
    enum lh_pii_kind k = LH_PII_NONE;
    if (m)
        lh_pii_kind_parse(m->pii_kind, &k);
    return k;
}

/* The policy of column i of d for `role` (NULL = no role masks) within view v (or NULL). */
static struct lh_col_policy column_policy(const struct lh_dataset *d, size_t i,
                                          const struct lh_role *role, const struct view_def *v)
{
    struct lh_col_policy p = {LH_COL_SHOW, 0, 0};
    if (role)
        p = lh_role_column(role, meta_sens(d->col_meta ? &d->col_meta[i] : NULL),
                           meta_kind(d->col_meta ? &d->col_meta[i] : NULL));
    for (size_t k = 0; v && k < v->n_redact; k++)
        if (strcasecmp(v->redact[k].col, d->columns[i].name) == 0)
            p = lh_col_policy_max(p, v->redact[k].p);
    return p;
}

static bool view_has_col(const struct view_def *v, const char *col)
{
    if (!v || v->n_cols == 0)
        return true;
    for (size_t k = 0; k < v->n_cols; k++)
        if (strcasecmp(v->cols[k], col) == 0)
            return true;
    return false;
}

/* Fills out->projection for dataset d seen by role (NULL = unmasked) through view v. Leaves
 * it NULL when nothing is hidden or masked. */
static void projection(struct lh_lake *l, const struct lh_dataset *d, const struct lh_role *role,
                       const struct view_def *v, struct lh_sql_source *out)
{
    struct lh_buf b = LH_BUF_INIT;
    bool changed = false;
    char *salt = NULL;
    for (size_t i = 0; i < d->n_columns; i++) {
        const struct lh_column *c = &d->columns[i];
        if (!view_has_col(v, c->name)) {
            changed = true;
            continue;
        }
        struct lh_col_policy p = column_policy(d, i, role, v);
        if (p.action != LH_COL_SHOW)
            changed = true;
        if (p.action == LH_COL_HASH && !salt)
            salt = hash_salt(l);
        if (b.len)
            lh_buf_puts(&b, ", ");
        lh_col_policy_sql(&b, c->name, c->type, p, salt);
    }
    free(salt);
    if (changed && b.len == 0)
        lh_buf_puts(&b, "NULL AS no_columns");
    if (changed)
        out->projection = lh_buf_detach(&b);
    lh_buf_release(&b);
}

/* Files compaction already purged of every tombstone need no filter: moves them to the front
 * of out->paths and counts them in out->n_clean (when all are, the filter goes). */
static void skip_purged_files(struct lh_lake *l, const char *dataset, int64_t tmax,
                              struct lh_sql_source *out)
{
    char **keys = NULL;
    size_t nk = 0;
    struct lh_error e2;
    if (!out->n_paths || lh_catalog_files(l->cat, dataset, &keys, &nk, &e2) != 0 ||
        nk != out->n_paths) {
        lh_strv_free(keys, nk);
        return;
    }
    int64_t *upto = lh_xcalloc(nk, sizeof(*upto));
    if (lh_catalog_file_purges(l->cat, keys, nk, upto, &e2) == 0) {
        size_t clean = 0;
        for (size_t i = 0; i < nk; i++) {
            if (upto[i] < tmax)
                continue;
            char *p = out->paths[i]; /* keys and paths are in the same order */
            out->paths[i] = out->paths[clean];
            out->paths[clean++] = p;
        }
        out->n_clean = clean;
        if (clean == nk) {
            free(out->where);
            out->where = NULL;
            out->n_clean = 0;
        }
    }
    free(upto);
    lh_strv_free(keys, nk);
}

static void source_release(struct lh_sql_source *src)
{
    for (size_t i = 0; i < src->n_paths; i++)
        free(src->paths[i]);
    free(src->paths);
    free(src->cached_table);
    free(src->projection);
    free(src->where);
    free(src->filter);
    memset(src, 0, sizeof(*src));
}

int lh__lake_resolve(struct lh_lake *l, const struct lh_principal *who, const char *name,
                     struct lh_sql_source *out)
{
    char lower[64];
    if (strlen(name) >= sizeof(lower))
        return -LH_ENOTFOUND;
    lower_copy(name, lower);
    if (lh_catalog_name_check(lower, NULL))
        return -LH_ENOTFOUND;
    const struct lh_role *role = who && !who->role.superuser ? &who->role : NULL;
    struct view_def v;
    bool is_view = false;
    struct lh_error e2;
    const char *ds_name = lower;

    int rc = -LH_ENOTFOUND;
    if (!role || lh_role_may_dataset(role, lower))
        rc = lh__lake_files_source(l, lower, out);
    if (rc == -LH_ENOTFOUND) {
        /* not a dataset (this role reads): it can only be a view */
        if ((role && !lh_role_may_view(role, lower)) || view_load(l, lower, &v, &e2) != 0)
            return -LH_ENOTFOUND;
        is_view = true;
        ds_name = v.dataset;
        rc = lh__lake_files_source(l, ds_name, out);
    }
    /* the plain files, unless something is masked, hidden or tombstoned (the common case
     * costs one catalog read more than an ungoverned lake) */
    bool governed = rc == 0 && (role || is_view);
    if (rc == 0 && !governed) {
        struct lh_tombstone *t = NULL;
        size_t nt = 0;
        if (lh_catalog_tombstones(l->cat, ds_name, false, &t, &nt, &e2) == 0)
            governed = nt > 0;
        lh_tombstones_free(t, nt);
    }
    if (governed) {
        struct lh_dataset *d = NULL;
        if (lh_catalog_get(l->cat, ds_name, &d, &e2) == 0) {
            projection(l, d, role, is_view ? &v : NULL, out);
            int64_t tmax = 0;
            out->where = tombstone_where(l, d, &tmax);
            if (out->where)
                skip_purged_files(l, ds_name, tmax, out);
            if (is_view && v.filter)
                out->filter = lh_xstrdup(v.filter);
        } else {
            rc = -LH_ENOTFOUND;
            source_release(out);
        }
        lh_dataset_free(d);
    }
    if (is_view)
        view_release(&v);
    return rc;
}

/* ---- tombstones ---- */

int lh_lake_tombstone(struct lh_lake *l, const char *dataset, const char *key_col,
                      const char *const *values, size_t n, const char *actor, const char *reason,
                      struct lh_buf *out, struct lh_error *err)
{
    struct lh_dataset *d = NULL;
    int64_t added = 0;
    int rc = lh_catalog_get(l->cat, dataset, &d, err);
    if (rc)
        return rc;
    ssize_t ci = key_col ? col_index(d, key_col) : -1;
    if (ci < 0) {
        rc = lh_error_set(err, LH_EINVAL, "key column '%.63s' is not in dataset '%s'",
                          key_col ? key_col : "", d->name);
        goto out;
    }
    if (n == 0 || n > 100000) {
        rc = lh_error_set(err, LH_EINVAL, "give 1..100000 key values");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (!values[i] || strlen(values[i]) > 1000) {
            rc = lh_error_set(err, LH_EINVAL, "key values must be strings of at most 1000 bytes");
            goto out;
        }
    }
    if (!reason || !reason[0]) {
        rc = lh_error_set(err, LH_EINVAL, "a tombstone needs a reason (it is kept for audit)");
        goto out;
    }
    if ((rc = lh_catalog_tombstone_add(l->cat, d->name, d->columns[ci].name, values, n, actor,
                                       reason, &added, err)))
        goto out;
    /* cached copies and indexes still hold the rows: refresh/rebuild them */
    lh__cache_changed(l, d->name, false);
    lh__lake_indexes_stale(l, d->name);
    lh_buf_puts(out, "{\"dataset\":");
    lh__json_str(out, d->name);
    lh_buf_puts(out, ",\"key_column\":");
    lh__json_str(out, d->columns[ci].name);
    lh_buf_printf(out, ",\"values\":%zu,\"added\":%lld,\"durable\":true}", n, (long long)added);
out:
    lh_dataset_free(d);
    return rc;
}

int lh_lake_tombstones_json(struct lh_lake *l, const char *dataset, struct lh_buf *out,
                            struct lh_error *err)
{
    struct lh_tombstone *t = NULL;
    size_t n = 0;
    if (dataset) {
        struct lh_dataset *d = NULL;
        int rc = lh_catalog_get(l->cat, dataset, &d, err);
        lh_dataset_free(d);
        if (rc)
            return rc;
    }
    int rc = lh_catalog_tombstones(l->cat, dataset, false, &t, &n, err);
    if (rc)
        return rc;
    lh_buf_puts(out, "{\"tombstones\":[");
    for (size_t i = 0; i < n; i++) {
        lh_buf_printf(out, "%s{\"id\":%lld,\"dataset\":", i ? "," : "", (long long)t[i].id);
        lh__json_str(out, t[i].dataset);
        lh_buf_puts(out, ",\"key_column\":");
        lh__json_str(out, t[i].key_col);
        lh_buf_puts(out, ",\"value\":");
        lh__json_str(out, t[i].value);
        lh_buf_puts(out, ",\"actor\":");
        lh__json_str(out, t[i].actor);
        lh_buf_puts(out, ",\"reason\":");
        lh__json_str(out, t[i].reason);
        lh_buf_printf(out, ",\"created_ms\":%lld,\"purged\":%s,\"purged_ms\":%lld}",
                      (long long)t[i].created_ms, t[i].purged_ms ? "true" : "false",
                      (long long)t[i].purged_ms);
    }
    lh_buf_printf(out, "],\"count\":%zu}", n);
    lh_tombstones_free(t, n);
    return 0;
}

char *lh__lake_tombstone_where(struct lh_lake *l, const char *dataset, int64_t *out_max_id)
{
    struct lh_dataset *d = NULL;
    struct lh_error e2;
    char *w = NULL;
    *out_max_id = 0;
    if (lh_catalog_get(l->cat, dataset, &d, &e2) == 0) {
        struct lh_tombstone *t = NULL;
        size_t n = 0;
        /* only when some tombstone still has rows in the files */
        if (lh_catalog_tombstones(l->cat, d->name, true, &t, &n, &e2) == 0)
            for (size_t i = 0; i < n; i++)
                if (t[i].id > *out_max_id)
                    *out_max_id = t[i].id;
        lh_tombstones_free(t, n);
        if (*out_max_id > 0)
            w = tombstone_where(l, d, NULL);
    }
    lh_dataset_free(d);
    return w;
}

void lh__lake_indexes_stale(struct lh_lake *l, const char *dataset)
{
    lh_catalog_mark_stale(l->cat, dataset, NULL);
}

/* ---- queries ---- */

struct fw_ctx {
    struct lh_lake *l;
    const struct lh_principal *who;
    const char *only; /* filter checks: the one dataset allowed */
};

/* Firewall: a table name is allowed if it resolves for this principal. */
static bool fw_table_ok(void *ud, const char *name)
{
    struct fw_ctx *f = ud;
    char lower[64];
    if (strlen(name) >= sizeof(lower))
        return false;
    lower_copy(name, lower);
    /* DuckDB binds these to its own catalog views before any replacement scan, so a dataset
     * of that name would never be what the statement reads */
    if (strncmp(lower, "pg_", 3) == 0 || strncmp(lower, "duckdb_", 7) == 0 ||
        strncmp(lower, "sqlite_", 7) == 0)
        return false;
    if (f->only)
        return strcmp(lower, f->only) == 0;
    struct lh_sql_source src = {0};
    bool ok = lh__lake_resolve(f->l, f->who, lower, &src) == 0;
    source_release(&src);
    return ok;
}

int lh__lake_filter_check(struct lh_lake *l, const char *dataset, const char *sql,
                          struct lh_error *err)
{
    struct fw_ctx f = {l, NULL, dataset};
    struct lh_sql_fw fw = {fw_table_ok, NULL, &f};
    int rc = lh_sql_firewall(l->sql, sql, &fw, err);
    if (rc == 0)
        rc = lh_sql_check_select(l->sql, sql, err);
    if (rc) {
        char m[LH_ERRMSG_MAX];
        snprintf(m, sizeof(m), "%s", err->msg);
        rc = lh_error_set(err, LH_EINVAL, "invalid filter: %s", m);
    }
    return rc;
}

int lh_lake_firewall(struct lh_lake *l, const struct lh_principal *who, const char *sql,
                     struct lh_error *err)
{
    if (!who || who->role.superuser)
        return 0;
    struct fw_ctx f = {l, who, NULL};
    struct lh_sql_fw fw = {fw_table_ok, NULL, &f};
    return lh_sql_firewall(l->sql, sql, &fw, err);
}

int lh_lake_query(struct lh_lake *l, const struct lh_principal *who, const char *sql,
                  struct lh_query_opts *o, struct lh_sql_cursor **out, struct lh_error *err)
{
    int rc;
    if (who && !(who->role.perms & LH_PERM_QUERY))
        return lh_error_set(err, LH_EPERM, "role '%s' may not run SQL queries", who->role.name);
    if ((rc = lh_lake_firewall(l, who, sql, err)))
        return rc;
    o->ctx = who;
    return lh_sql_query(l->sql, sql, o, out, err);
}

/* ---- model profiles ---- */

struct profile_def {
    char *name;
    char **datasets, **views, **indexes;
    size_t n_datasets, n_views, n_indexes;
    char *llm;       /* "none", "ollama", "openai"; NULL = the server's */
    char *llm_model; /* NULL = the server's */
    char *embedder;  /* indexes must use it; NULL = any */
    char *description;
};

static void profile_release(struct profile_def *p)
{
    lh_strv_free(p->datasets, p->n_datasets);
    lh_strv_free(p->views, p->n_views);
    lh_strv_free(p->indexes, p->n_indexes);
    free(p->name);
    free(p->llm);
    free(p->llm_model);
    free(p->embedder);
    free(p->description);
    memset(p, 0, sizeof(*p));
}

static int str_list(const json_t *a, const char *what, char ***v, size_t *n, struct lh_error *err)
{
    size_t i;
    const json_t *x;
    if (!a)
        return 0;
    if (!json_is_array(a))
        return lh_error_set(err, LH_EINVAL, "\"%s\" must be an array of names", what);
    json_array_foreach(a, i, x)
    {
        char low[64];
        if (!json_is_string(x) || lh_catalog_name_check(json_string_value(x), NULL))
            return lh_error_set(err, LH_EINVAL, "\"%s\" must hold names of [a-z0-9_]", what);
        lower_copy(json_string_value(x), low);
        *v = lh_xrealloc(*v, (*n + 1) * sizeof(**v));
        (*v)[(*n)++] = lh_xstrdup(low);
    }
    return 0;
}

static char *opt_str(const json_t *j, const char *key)
{
    const char *s = json_string_value(json_object_get(j, key));
    return s && s[0] ? lh_xstrdup(s) : NULL;
}

static int profile_parse(const char *name, const char *json, struct profile_def *p,
                         struct lh_error *err)
{
    json_error_t je;
    memset(p, 0, sizeof(*p));
    json_t *j = json_loads(json, 0, &je);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        return lh_error_set(err, LH_EINVAL, "a profile definition must be a JSON object");
    }
    p->name = lh_xstrdup(name);
    int rc = 0;
    if ((rc = str_list(json_object_get(j, "datasets"), "datasets", &p->datasets, &p->n_datasets,
                       err)) ||
        (rc = str_list(json_object_get(j, "views"), "views", &p->views, &p->n_views, err)) ||
        (rc = str_list(json_object_get(j, "indexes"), "indexes", &p->indexes, &p->n_indexes,
                       err)))
        goto out;
    p->llm = opt_str(j, "llm");
    p->llm_model = opt_str(j, "llm_model");
    p->embedder = opt_str(j, "embedder");
    p->description = opt_str(j, "description");
    if (p->llm && strcmp(p->llm, "none") && strcmp(p->llm, "ollama") && strcmp(p->llm, "openai"))
        rc = lh_error_set(err, LH_EINVAL, "\"llm\" must be none, ollama or openai");
    else if (p->embedder && strcmp(p->embedder, "builtin") && strcmp(p->embedder, "ollama") &&
             strcmp(p->embedder, "openai"))
        rc = lh_error_set(err, LH_EINVAL, "\"embedder\" must be builtin, ollama or openai");
    else if (p->n_datasets + p->n_views + p->n_indexes == 0)
        rc = lh_error_set(err, LH_EINVAL,
                          "a profile needs at least one of \"datasets\", \"views\", \"indexes\"");
out:
    json_decref(j);
    if (rc)
        profile_release(p);
    return rc;
}

static void names_out(struct lh_buf *b, const char *key, char *const *v, size_t n)
{
    lh_buf_printf(b, ",\"%s\":[", key);
    for (size_t i = 0; i < n; i++) {
        if (i)
            lh_buf_putc(b, ',');
        lh__json_str(b, v[i]);
    }
    lh_buf_putc(b, ']');
}

static void opt_out(struct lh_buf *b, const char *key, const char *v)
{
    lh_buf_printf(b, ",\"%s\":", key);
    lh__json_str(b, v);
}

static void profile_json(const struct profile_def *p, struct lh_buf *b)
{
    lh_buf_puts(b, "{\"name\":");
    lh__json_str(b, p->name);
    names_out(b, "datasets", p->datasets, p->n_datasets);
    names_out(b, "views", p->views, p->n_views);
    names_out(b, "indexes", p->indexes, p->n_indexes);
    opt_out(b, "llm", p->llm);
    opt_out(b, "llm_model", p->llm_model);
    opt_out(b, "embedder", p->embedder);
    opt_out(b, "description", p->description);
    lh_buf_putc(b, '}');
}

static int profile_load(struct lh_lake *l, const char *name, struct profile_def *p,
                        struct lh_error *err)
{
    struct lh_access_obj *o = NULL;
    int rc = lh_catalog_access_get(l->cat, KIND_PROFILE, name, &o, err);
    if (rc == 0)
        rc = profile_parse(o->name, o->def_json, p, err);
    lh_access_obj_free(o);
    return rc;
}

int lh_lake_profile_put(struct lh_lake *l, const char *name, const char *def_json,
                        const char *actor, struct lh_buf *out, struct lh_error *err)
{
    struct profile_def p;
    struct lh_buf canon = LH_BUF_INIT;
    int rc;
    if (lh_catalog_name_check(name, NULL))
        return lh_error_set(err, LH_EINVAL, "profile names are 1-63 characters of [a-z0-9_]");
    if ((rc = profile_parse(name, def_json, &p, err)))
        return rc;
    for (size_t i = 0; i < p.n_datasets && rc == 0; i++)
        if (!name_is_dataset(l, p.datasets[i]))
            rc = lh_error_set(err, LH_EINVAL, "dataset '%s' not found", p.datasets[i]);
    for (size_t i = 0; i < p.n_views && rc == 0; i++) {
        struct view_def v;
        if (view_load(l, p.views[i], &v, err))
            rc = lh_error_set(err, LH_EINVAL, "view '%s' not found", p.views[i]);
        else
            view_release(&v);
    }
    for (size_t i = 0; i < p.n_indexes && rc == 0; i++) {
        struct lh_index_def *d = NULL;
        if (lh_catalog_index_get(l->cat, p.indexes[i], &d, err))
            rc = lh_error_set(err, LH_EINVAL, "index '%s' not found", p.indexes[i]);
        lh_index_def_free(d);
    }
    if (rc == 0) {
        profile_json(&p, &canon);
        rc = lh_catalog_access_put(l->cat, KIND_PROFILE, name, canon.ptr, actor, err);
    }
    if (rc == 0 && out)
        lh_buf_append(out, canon.ptr, canon.len);
    lh_buf_release(&canon);
    profile_release(&p);
    return rc;
}

int lh_lake_profiles_json(struct lh_lake *l, struct lh_buf *out, struct lh_error *err)
{
    struct lh_access_obj **v = NULL;
    size_t n = 0, k = 0;
    int rc = lh_catalog_access_list(l->cat, KIND_PROFILE, &v, &n, err);
    if (rc)
        return rc;
    lh_buf_puts(out, "{\"profiles\":[");
    for (size_t i = 0; i < n; i++) {
        struct profile_def p;
        struct lh_error e2;
        if (profile_parse(v[i]->name, v[i]->def_json, &p, &e2) != 0)
            continue;
        if (k++)
            lh_buf_putc(out, ',');
        profile_json(&p, out);
        profile_release(&p);
    }
    lh_buf_puts(out, "]}");
    lh_access_obj_list_free(v, n);
    return 0;
}

int lh_lake_profile_json(struct lh_lake *l, const char *name, struct lh_buf *out,
                         struct lh_error *err)
{
    struct profile_def p;
    int rc = profile_load(l, name, &p, err);
    if (rc == 0) {
        profile_json(&p, out);
        profile_release(&p);
    }
    return rc;
}

int lh_lake_profile_delete(struct lh_lake *l, const char *name, const char *actor,
                           struct lh_error *err)
{
    return lh_catalog_access_delete(l->cat, KIND_PROFILE, name, actor, err);
}

static bool in_list(char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(v[i], s) == 0)
            return true;
    return false;
}

/* Whether index d is inside profile p; *view receives the profile view it is reached
 * through (malloc'd) when it is reached only through a view. */
static bool profile_covers(struct lh_lake *l, const struct profile_def *p,
                           const struct lh_index_def *d, char **view)
{
    *view = NULL;
    if (p->embedder && strcmp(p->embedder, d->embedder) != 0)
        return false;
    if (in_list(p->indexes, p->n_indexes, d->name) ||
        in_list(p->datasets, p->n_datasets, d->dataset))
        return true;
    for (size_t i = 0; i < p->n_views; i++) {
        struct view_def v;
        struct lh_error e2;
        if (view_load(l, p->views[i], &v, &e2) != 0)
            continue;
        bool hit = strcasecmp(v.dataset, d->dataset) == 0;
        view_release(&v);
        if (hit) {
            *view = lh_xstrdup(p->views[i]);
            return true;
        }
    }
    return false;
}

/* The profile in effect: the key's own, else the requested one; a key bound to a profile
 * cannot step outside it. */
static int effective_profile(const struct lh_principal *who, const char *requested,
                             const char **out, struct lh_error *err)
{
    const char *bound = who && who->profile[0] ? who->profile : NULL;
    if (bound && requested && requested[0] && strcasecmp(bound, requested) != 0)
        return lh_error_set(err, LH_EPERM, "this API key is bound to profile '%s'", bound);
    *out = bound ? bound : (requested && requested[0] ? requested : NULL);
    return 0;
}

int lh_lake_profile_llm(struct lh_lake *l, const struct lh_principal *who, const char *requested,
                        char **out_llm, char **out_model, struct lh_error *err)
{
    const char *name = NULL;
    struct profile_def p;
    *out_llm = *out_model = NULL;
    int rc = effective_profile(who, requested, &name, err);
    if (rc || !name)
        return rc;
    if ((rc = profile_load(l, name, &p, err)))
        return rc;
    *out_llm = p.llm ? lh_xstrdup(p.llm) : NULL;
    *out_model = p.llm_model ? lh_xstrdup(p.llm_model) : NULL;
    profile_release(&p);
    return 0;
}

int lh__lake_search_scope(struct lh_lake *l, const struct lh_principal *who,
                          const char *requested_profile, const struct lh_index_def *d,
                          char **out_scope, bool *out_restricted, struct lh_error *err)
{
    const char *pname = NULL;
    char *via = NULL;
    int rc;
    *out_scope = NULL;
    *out_restricted = false;
    if (who && !(who->role.perms & LH_PERM_SEARCH))
        return lh_error_set(err, LH_EPERM, "role '%s' may not search", who->role.name);
    if ((rc = effective_profile(who, requested_profile, &pname, err)))
        return rc;
    if (pname) {
        struct profile_def p;
        if ((rc = profile_load(l, pname, &p, err)))
            return rc == -LH_ENOTFOUND ? lh_error_set(err, LH_EPERM, "profile '%.63s' not found",
                                                      pname)
                                       : rc;
        bool ok = profile_covers(l, &p, d, &via);
        profile_release(&p);
        if (!ok)
            return lh_error_set(err, LH_EPERM, "index '%s' is outside profile '%s'", d->name,
                                pname);
    }
    const struct lh_role *role = who && !who->role.superuser ? &who->role : NULL;
    char *scope = via;
    if (!scope && role && !lh_role_may_dataset(role, d->dataset)) {
        /* reach the dataset through one of the role's views */
        struct lh_access_obj **vs = NULL;
        size_t nv = 0;
        if (lh_catalog_access_list(l->cat, KIND_VIEW, &vs, &nv, err) == 0) {
            for (size_t i = 0; i < nv && !scope; i++) {
                struct view_def v;
                struct lh_error e2;
                if (!lh_role_may_view(role, vs[i]->name) ||
                    view_parse(vs[i]->name, vs[i]->def_json, &v, &e2) != 0)
                    continue;
                if (strcasecmp(v.dataset, d->dataset) == 0)
                    scope = lh_xstrdup(v.name);
                view_release(&v);
            }
            lh_access_obj_list_free(vs, nv);
        }
        if (!scope)
            return lh_error_set(err, LH_EPERM, "role '%s' may not read dataset '%s' of index '%s'",
                                who->role.name, d->dataset, d->name);
    }
    if (role && scope && !lh_role_may_view(role, scope)) {
        rc = lh_error_set(err, LH_EPERM, "role '%s' may not read view '%s'", who->role.name,
                          scope);
        free(scope);
        return rc;
    }
    /* the text and id columns must come through unmasked: a masked text must not reach a
     * result or a prompt, and masked ids cannot be matched back to the index */
    struct lh_dataset *ds = NULL;
    struct view_def v;
    bool have_view = false;
    if ((rc = lh_catalog_get(l->cat, d->dataset, &ds, err)))
        goto fail;
    if (scope) {
        if ((rc = view_load(l, scope, &v, err)))
            goto fail;
        have_view = true;
    }
    const char *cols[2] = {d->text_col, d->id_col};
    for (int c = 0; c < 2; c++) {
        ssize_t ci = col_index(ds, cols[c]);
        if (ci < 0)
            continue; /* a document index's own columns */
        if (!view_has_col(have_view ? &v : NULL, cols[c]) ||
            column_policy(ds, (size_t)ci, role, have_view ? &v : NULL).action != LH_COL_SHOW) {
            rc = lh_error_set(err, LH_EPERM,
                              "column '%s' of index '%s' is masked or hidden for role '%s'",
                              cols[c], d->name, who ? who->role.name : "admin");
            goto fail;
        }
    }
    char *tw = tombstone_where(l, ds, NULL);
    *out_restricted = tw != NULL || (have_view && (v.filter != NULL));
    free(tw);
    *out_scope = scope ? scope : lh_xstrdup(ds->name);
    scope = NULL;
fail:
    if (have_view)
        view_release(&v);
    lh_dataset_free(ds);
    free(scope);
    return rc;
}

int lh_lake_profile_activate(struct lh_lake *l, const struct lh_principal *who, const char *name,
                             struct lh_buf *out, struct lh_error *err)
{
    struct profile_def p;
    struct lh_index_def **ix = NULL;
    size_t n = 0, k = 0;
    int rc;
    if (who && who->profile[0] && strcasecmp(who->profile, name) != 0)
        return lh_error_set(err, LH_EPERM, "this API key is bound to profile '%s'", who->profile);
    if ((rc = profile_load(l, name, &p, err)))
        return rc;
    if ((rc = lh_catalog_index_list(l->cat, NULL, &ix, &n, err)))
        goto out;
    lh_buf_puts(out, "{\"profile\":");
    lh__json_str(out, p.name);
    lh_buf_puts(out, ",\"indexes\":[");
    for (size_t i = 0; i < n; i++) {
        char *via = NULL;
        if (!profile_covers(l, &p, ix[i], &via))
            continue;
        free(via);
        struct lh_error e2;
        int64_t t0 = wall_ms();
        int wrc = lh__index_warm(l, ix[i]->name, &e2);
        lh_buf_printf(out, "%s{\"name\":", k++ ? "," : "");
        lh__json_str(out, ix[i]->name);
        lh_buf_printf(out, ",\"loaded\":%s,\"ms\":%lld", wrc == 0 ? "true" : "false",
                      (long long)(wall_ms() - t0));
        if (wrc) {
            lh_buf_puts(out, ",\"error\":");
            lh__json_str(out, e2.msg);
        }
        lh_buf_putc(out, '}');
    }
    lh_buf_printf(out, "],\"activated\":true}");
out:
    lh_index_def_list_free(ix, n);
    profile_release(&p);
    return rc;
}
