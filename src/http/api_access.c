/* SPDX-License-Identifier: MIT */
/* api_access.c - handlers for /access/... (keys, roles, audit), AI-safe views, tombstones
 * and model profiles. Validation and storage live in lake/lake_access.c. */
#include "lh_common.h"
#include "http_int.h"
#include "audit.h"

#include <stdlib.h>
#include <string.h>

/* Replies with the buffer, or releases it and passes the error on. */
static int finish(struct lh_reply *rp, int status, struct lh_buf *b, int rc)
{
    if (rc) {
        lh_buf_release(b);
        return rc;
    }
    return lh_reply_buf(rp, status, b);
}

static const char *param(const struct lh_req *rq, const char *key)
{
    const char *v = lh_kvs_get(&rq->params, key);
    return v ? v : "";
}

/* The body without "name", as the stored definition. */
static char *definition(const json_t *body)
{
    json_t *copy = json_deep_copy(body);
    json_object_del(copy, "name");
    char *s = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(copy);
    return s;
}

static void set_target(struct lh_req *rq, const char *t)
{
    free(rq->audit_target);
    rq->audit_target = t ? lh_xstrdup(t) : NULL;
}

static int deleted(struct lh_reply *rp, const char *key, const char *name)
{
    json_t *o = json_object();
    json_object_set_new(o, key, lh_json_str(name));
    return lh_reply_json(rp, 200, o);
}

/* ---- whoami ---- */

int lh_api_whoami(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    LH_UNUSED(err);
    struct lh_buf b = LH_BUF_INIT;
    lh_buf_puts(&b, "{\"actor\":");
    lh_buf_json_str(&b, rq->who.actor, strlen(rq->who.actor));
    lh_buf_puts(&b, ",\"key_id\":");
    if (rq->who.key_id[0])
        lh_buf_json_str(&b, rq->who.key_id, strlen(rq->who.key_id));
    else
        lh_buf_puts(&b, "null");
    lh_buf_puts(&b, ",\"profile\":");
    if (rq->who.profile[0])
        lh_buf_json_str(&b, rq->who.profile, strlen(rq->who.profile));
    else
        lh_buf_puts(&b, "null");
    lh_buf_printf(&b, ",\"auth_required\":%s,\"role\":",
                  rq->cfg && lh_http_auth_required(rq->cfg) ? "true" : "false");
    lh_role_json(&rq->who.role, &b);
    lh_buf_putc(&b, '}');
    return lh_reply_buf(rp, 200, &b);
}

/* ---- keys ---- */

int lh_api_keys_create(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    const char *name, *role, *profile;
    char text[LH_KEY_TEXT_MAX];
    int rc;
    if ((rc = lh_json_opt_str(rq->json, "name", &name, err)) || (rc = lh_json_opt_str(rq->json, "role", &role, err)) ||
        (rc = lh_json_opt_str(rq->json, "profile", &profile, err)))
        return rc;
    struct lh_buf b = LH_BUF_INIT;
    rc = lh_lake_key_create(rq->lake, name, role, profile, rq->who.actor, text, &b, err);
    if (rc == 0)
        set_target(rq, role);
    memset(text, 0, sizeof(text));
    return finish(rp, 201, &b, rc);
}

int lh_api_keys_list(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    struct lh_buf b = LH_BUF_INIT;
    return finish(rp, 200, &b, lh_lake_keys_json(rq->lake, &b, err));
}

int lh_api_keys_revoke(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    const char *id = param(rq, "id");
    set_target(rq, id);
    int rc = lh_lake_key_revoke(rq->lake, id, rq->who.actor, err);
    return rc ? rc : deleted(rp, "revoked", id);
}

/* ---- roles ---- */

int lh_api_roles_list(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    struct lh_buf b = LH_BUF_INIT;
    return finish(rp, 200, &b, lh_lake_roles_json(rq->lake, &b, err));
}

int lh_api_roles_put(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    const char *name;
    int rc = lh_json_opt_str(rq->json, "name", &name, err);
    if (rc)
        return rc;
    if (!name)
        return lh_error_set(err, LH_EINVAL, "a role needs a \"name\"");
    set_target(rq, name);
    char *def = definition(rq->json);
    struct lh_buf b = LH_BUF_INIT;
    rc = lh_lake_role_put(rq->lake, name, def, rq->who.actor, &b, err);
    free(def);
    return finish(rp, 200, &b, rc);
}

int lh_api_roles_delete(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    const char *name = param(rq, "name");
    set_target(rq, name);
    int rc = lh_lake_role_delete(rq->lake, name, rq->who.actor, err);
    return rc ? rc : deleted(rp, "deleted", name);
}

/* ---- audit ---- */

static int q_i64(const struct lh_req *rq, const char *key, int64_t *out, struct lh_error *err)
{
    const char *v = lh_kvs_get(&rq->query, key);
    if (!v)
        return 0;
    if (lh_http_parse_i64(v, out) != 0 || *out < 0)
        return lh_error_set(err, LH_EINVAL, "%s must be a non-negative integer", key);
    return 0;
}

int lh_api_audit(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    struct lh_audit_filter f = {0};
    int64_t limit = 0;
    int rc;
    f.actor = lh_kvs_get(&rq->query, "actor");
    f.role = lh_kvs_get(&rq->query, "role");
    f.action = lh_kvs_get(&rq->query, "action");
    f.outcome = lh_kvs_get(&rq->query, "outcome");
    f.target = lh_kvs_get(&rq->query, "target");
    if ((rc = q_i64(rq, "since_ms", &f.since_ms, err)) ||
        (rc = q_i64(rq, "until_ms", &f.until_ms, err)) ||
        (rc = q_i64(rq, "before", &f.before_id, err)) || (rc = q_i64(rq, "limit", &limit, err)))
        return rc;
    if (limit > 1000)
        return lh_error_set(err, LH_EINVAL, "limit must be 1..1000");
    f.limit = (int)limit;
    struct lh_buf b = LH_BUF_INIT;
    if (lh_kvs_get(&rq->query, "verify")) {
        int64_t n = 0;
        if ((rc = lh_audit_verify(rq->lake->audit, &n, err)))
            return rc;
        lh_buf_printf(&b, "{\"verified\":true,\"rows\":%lld}", (long long)n);
        return lh_reply_buf(rp, 200, &b);
    }
    return finish(rp, 200, &b, lh_audit_query_json(rq->lake->audit, &f, &b, err));
}

/* ---- views ---- */

int lh_api_views_list(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    struct lh_buf b = LH_BUF_INIT;
    return finish(rp, 200, &b, lh_lake_views_json(rq->lake, &rq->who, &b, err));
}

int lh_api_views_put(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    const char *name;
    int rc = lh_json_opt_str(rq->json, "name", &name, err);
    if (rc)
        return rc;
    if (!name)
        return lh_error_set(err, LH_EINVAL, "a view needs a \"name\"");
    set_target(rq, name);
    char *def = definition(rq->json);
    struct lh_buf b = LH_BUF_INIT;
    rc = lh_lake_view_put(rq->lake, name, def, rq->who.actor, &b, err);
    free(def);
    return finish(rp, 200, &b, rc);
}

int lh_api_view_get(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    const char *name = param(rq, "name");
    if (!lh_role_may_view(&rq->who.role, name))
        return lh_error_set(err, LH_ENOTFOUND, "view '%.63s' not found", name);
    struct lh_buf b = LH_BUF_INIT;
    return finish(rp, 200, &b, lh_lake_view_json(rq->lake, name, &b, err));
}

int lh_api_view_delete(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    const char *name = param(rq, "name");
    set_target(rq, name);
    int rc = lh_lake_view_delete(rq->lake, name, rq->who.actor, err);
    return rc ? rc : deleted(rp, "deleted", name);
}

/* ---- tombstones ---- */

int lh_api_tombstone(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    const char *key, *reason, *actor;
    const char *name = param(rq, "name");
    int rc;
    set_target(rq, name);
    if ((rc = lh_json_opt_str(rq->json, "key_column", &key, err)) ||
        (rc = lh_json_opt_str(rq->json, "reason", &reason, err)) ||
        (rc = lh_json_opt_str(rq->json, "actor", &actor, err)))
        return rc;
    const json_t *vals = json_object_get(rq->json, "values");
    if (!json_is_array(vals) || json_array_size(vals) == 0)
        return lh_error_set(err, LH_EINVAL, "\"values\" must be a non-empty array of key values");
    size_t n = json_array_size(vals);
    char **v = lh_xcalloc(n, sizeof(*v));
    for (size_t i = 0; i < n && rc == 0; i++) {
        const json_t *x = json_array_get(vals, i);
        if (json_is_string(x))
            v[i] = lh_xstrdup(json_string_value(x));
        else if (json_is_integer(x))
            v[i] = lh_xasprintf("%lld", (long long)json_integer_value(x));
        else
            rc = lh_error_set(err, LH_EINVAL, "\"values\" must hold strings or integers");
    }
    /* the authenticated caller is the actor; a given "actor" (on whose behalf) is kept too */
    char who[256];
    if (actor && actor[0])
        snprintf(who, sizeof(who), "%s (for %.100s)", rq->who.actor, actor);
    else
        snprintf(who, sizeof(who), "%s", rq->who.actor);
    struct lh_buf b = LH_BUF_INIT;
    if (rc == 0)
        rc = lh_lake_tombstone(rq->lake, name, key, (const char *const *)v, n, who, reason, &b,
                               err);
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
    return finish(rp, 200, &b, rc);
}

int lh_api_tombstones(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    const char *name = lh_kvs_get(&rq->params, "name");
    struct lh_buf b = LH_BUF_INIT;
    return finish(rp, 200, &b, lh_lake_tombstones_json(rq->lake, name, &b, err));
}

/* ---- model profiles ---- */

int lh_api_profiles_list(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    struct lh_buf b = LH_BUF_INIT;
    return finish(rp, 200, &b, lh_lake_profiles_json(rq->lake, &b, err));
}

int lh_api_profiles_put(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    const char *name;
    int rc = lh_json_opt_str(rq->json, "name", &name, err);
    if (rc)
        return rc;
    if (!name)
        return lh_error_set(err, LH_EINVAL, "a profile needs a \"name\"");
    set_target(rq, name);
    char *def = definition(rq->json);
    struct lh_buf b = LH_BUF_INIT;
    rc = lh_lake_profile_put(rq->lake, name, def, rq->who.actor, &b, err);
    free(def);
    return finish(rp, 200, &b, rc);
}

int lh_api_profile_get(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    struct lh_buf b = LH_BUF_INIT;
    return finish(rp, 200, &b, lh_lake_profile_json(rq->lake, param(rq, "id"), &b, err));
}

int lh_api_profile_delete(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    const char *name = param(rq, "id");
    set_target(rq, name);
    int rc = lh_lake_profile_delete(rq->lake, name, rq->who.actor, err);
    return rc ? rc : deleted(rp, "deleted", name);
}

int lh_api_profile_activate(struct lh_req *rq, struct lh_reply *rp, struct lh_error *err)
{
    const char *name = param(rq, "id");
    set_target(rq, name);
    struct lh_buf b = LH_BUF_INIT;
    return finish(rp, 200, &b, lh_lake_profile_activate(rq->lake, &rq->who, name, &b, err));
}
