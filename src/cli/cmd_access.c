/* SPDX-License-Identifier: MIT */
/* cmd_access.c - `keys`, `access`, `tombstone`, `audit`: governance from the command line.
 * The CLI runs as admin on the data folder; this is how the first admin key is made. */
#include "lh_common.h"
#include "cli_int.h"
#include "audit.h"
#include "fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prints b (JSON) or the error; returns the exit status. */
static int emit(struct lh_buf *b, int rc, const struct lh_error *err)
{
    if (rc == 0)
        cli_print_json(b);
    lh_buf_release(b);
    return rc ? cli_fail(err) : 0;
}

int lh_cmd_keys(struct lh_ctx *ctx, int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"json", NULL, "print JSON", NULL},
        {"name", "NAME", "create: what the key is for", NULL},
        {"profile", "P", "create: bind the key to a model profile", NULL},
        {"role", "ROLE", "create: admin, analyst, agent or a custom role", NULL},
        {0},
    };
    enum { O_JSON, O_NAME, O_PROFILE, O_ROLE };
    const char *pos[2];
    int n_pos, rc;
    struct lh_error err;
    struct lh_buf b = LH_BUF_INIT;
    if ((rc = cli_parse(ctx, "keys", "create --role R --name N | list | revoke ID", argc, argv,
                        opts, pos, 2, &n_pos, false)))
        return rc == 1 ? 0 : rc;
    const char *sub = n_pos > 0 ? pos[0] : "list";
    struct lh_lake *l = cli_lake(ctx);
    if (!l)
        return 1;
    if (strcmp(sub, "create") == 0) {
        char text[LH_KEY_TEXT_MAX];
        rc = lh_lake_key_create(l, opts[O_NAME].val ? opts[O_NAME].val : "cli",
                                opts[O_ROLE].val, opts[O_PROFILE].val, cli_actor(), text, &b,
                                &err);
        if (rc == 0 && !opts[O_JSON].val) {
            printf("%s\n", text);
            fprintf(stderr, "lakehouse: store this key now: it is not shown again\n");
            lh_buf_release(&b);
            return 0;
        }
        return emit(&b, rc, &err);
    }
    if (strcmp(sub, "list") == 0)
        return emit(&b, lh_lake_keys_json(l, &b, &err), &err);
    if (strcmp(sub, "revoke") == 0 && n_pos == 2) {
        rc = lh_lake_key_revoke(l, pos[1], cli_actor(), &err);
        if (rc == 0)
            lh_buf_printf(&b, "{\"revoked\":\"%s\"}", pos[1]);
        return emit(&b, rc, &err);
    }
    return cli_failf("keys: use create, list or revoke ID (see --help)") + 1;
}

int lh_cmd_access(struct lh_ctx *ctx, int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"def", "JSON", "put: the definition as JSON text", NULL},
        {"file", "FILE", "put: read the definition from FILE", NULL},
        {"json", NULL, "print JSON (the default)", NULL},
        {0},
    };
    enum { O_DEF, O_FILE, O_JSON };
    const char *pos[3];
    int n_pos, rc;
    struct lh_error err;
    struct lh_buf b = LH_BUF_INIT;
    if ((rc = cli_parse(ctx, "access",
                        "roles|views|profiles | show view|profile NAME | put role|view|profile "
                        "NAME --file F | delete role|view|profile NAME",
                        argc, argv, opts, pos, 3, &n_pos, false)))
        return rc == 1 ? 0 : rc;
    if (n_pos < 1)
        return cli_failf("access: say what (see --help)") + 1;
    struct lh_lake *l = cli_lake(ctx);
    if (!l)
        return 1;
    const char *sub = pos[0], *kind = n_pos > 1 ? pos[1] : "", *name = n_pos > 2 ? pos[2] : "";
    if (strcmp(sub, "roles") == 0)
        return emit(&b, lh_lake_roles_json(l, &b, &err), &err);
    if (strcmp(sub, "views") == 0)
        return emit(&b, lh_lake_views_json(l, NULL, &b, &err), &err);
    if (strcmp(sub, "profiles") == 0)
        return emit(&b, lh_lake_profiles_json(l, &b, &err), &err);
    if (n_pos != 3)
        return cli_failf("access %s: give a kind (role, view, profile) and a NAME", sub) + 1;
    if (strcmp(sub, "show") == 0) {
        if (strcmp(kind, "view") == 0)
            return emit(&b, lh_lake_view_json(l, name, &b, &err), &err);
        if (strcmp(kind, "profile") == 0)
            return emit(&b, lh_lake_profile_json(l, name, &b, &err), &err);
    } else if (strcmp(sub, "put") == 0) {
        char *def = NULL;
        if (opts[O_FILE].val) {
            size_t n = 0;
            if ((rc = lh_fs_read_all(opts[O_FILE].val, 1 << 20, &def, &n, &err)))
                return cli_fail(&err);
        } else if (opts[O_DEF].val) {
            def = lh_xstrdup(opts[O_DEF].val);
        } else {
            return cli_failf("access put: give the definition with --file or --def") + 1;
        }
        if (strcmp(kind, "role") == 0)
            rc = lh_lake_role_put(l, name, def, cli_actor(), &b, &err);
        else if (strcmp(kind, "view") == 0)
            rc = lh_lake_view_put(l, name, def, cli_actor(), &b, &err);
        else if (strcmp(kind, "profile") == 0)
            rc = lh_lake_profile_put(l, name, def, cli_actor(), &b, &err);
        else
            rc = lh_error_set(&err, LH_EINVAL, "access put: the kind is role, view or profile");
        free(def);
        return emit(&b, rc, &err);
    } else if (strcmp(sub, "delete") == 0) {
        if (strcmp(kind, "role") == 0)
            rc = lh_lake_role_delete(l, name, cli_actor(), &err);
        else if (strcmp(kind, "view") == 0)
            rc = lh_lake_view_delete(l, name, cli_actor(), &err);
        else if (strcmp(kind, "profile") == 0)
            rc = lh_lake_profile_delete(l, name, cli_actor(), &err);
        else
            rc = lh_error_set(&err, LH_EINVAL, "access delete: the kind is role, view or profile");
        if (rc == 0)
            lh_buf_printf(&b, "{\"deleted\":\"%s\"}", name);
        return emit(&b, rc, &err);
    }
    return cli_failf("access: unknown request (see --help)") + 1;
}

int lh_cmd_tombstone(struct lh_ctx *ctx, int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"json", NULL, "print JSON (the default)", NULL},
        {"key", "COL", "the key column", NULL},
        {"list", NULL, "list tombstones (of DATASET, or all)", NULL},
        {"reason", "TEXT", "why (kept for audit)", NULL},
        {"values", "A,B,...", "key values of the rows to delete", NULL},
        {0},
    };
    enum { O_JSON, O_KEY, O_LIST, O_REASON, O_VALUES };
    const char *pos[1];
    int n_pos, rc;
    struct lh_error err;
    struct lh_buf b = LH_BUF_INIT;
    if ((rc = cli_parse(ctx, "tombstone", "DATASET --key COL --values A,B --reason TEXT | --list",
                        argc, argv, opts, pos, 1, &n_pos, false)))
        return rc == 1 ? 0 : rc;
    struct lh_lake *l = cli_lake(ctx);
    if (!l)
        return 1;
    if (opts[O_LIST].val)
        return emit(&b, lh_lake_tombstones_json(l, n_pos ? pos[0] : NULL, &b, &err), &err);
    if (n_pos != 1 || !opts[O_VALUES].val)
        return cli_failf("tombstone: a DATASET, --key, --values and --reason are required") + 1;
    /* split the comma list */
    char *copy = lh_xstrdup(opts[O_VALUES].val), *save = NULL;
    const char **vals = NULL;
    size_t n = 0;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        vals = lh_xrealloc(vals, (n + 1) * sizeof(*vals));
        vals[n++] = t;
    }
    rc = lh_lake_tombstone(l, pos[0], opts[O_KEY].val, vals, n, cli_actor(), opts[O_REASON].val,
                           &b, &err);
    free(vals);
    free(copy);
    return emit(&b, rc, &err);
}

int lh_cmd_audit(struct lh_ctx *ctx, int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"action", "A", "only this action (query, search, rag, ingest, ...)", NULL},
        {"actor", "WHO", "only this actor (key:<id>, cli:<user>, api@<addr>)", NULL},
        {"json", NULL, "print JSON (the default)", NULL},
        {"limit", "N", "rows (1..1000, default 100)", NULL},
        {"outcome", "O", "ok, denied or error", NULL},
        {"verify", NULL, "check the hash chain of the whole log", NULL},
        {0},
    };
    enum { O_ACTION, O_ACTOR, O_JSON, O_LIMIT, O_OUTCOME, O_VERIFY };
    int n_pos, rc;
    struct lh_error err;
    struct lh_buf b = LH_BUF_INIT;
    if ((rc = cli_parse(ctx, "audit", "[--actor A] [--action X] [--limit N] [--verify]", argc,
                        argv, opts, NULL, 0, &n_pos, false)))
        return rc == 1 ? 0 : rc;
    struct lh_lake *l = cli_lake(ctx);
    if (!l)
        return 1;
    if (opts[O_VERIFY].val) {
        int64_t n = 0;
        rc = lh_audit_verify(l->audit, &n, &err);
        if (rc == 0)
            lh_buf_printf(&b, "{\"verified\":true,\"rows\":%lld}", (long long)n);
        return emit(&b, rc, &err);
    }
    struct lh_audit_filter f = {0};
    f.actor = opts[O_ACTOR].val;
    f.action = opts[O_ACTION].val;
    f.outcome = opts[O_OUTCOME].val;
    f.limit = opts[O_LIMIT].val ? atoi(opts[O_LIMIT].val) : 0;
    if (opts[O_LIMIT].val && (f.limit < 1 || f.limit > 1000))
        return cli_failf("audit: --limit must be 1..1000") + 1;
    return emit(&b, lh_audit_query_json(l->audit, &f, &b, &err), &err);
}
