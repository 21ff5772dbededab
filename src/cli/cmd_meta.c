/* SPDX-License-Identifier: MIT */
/* cmd_meta.c - metadata commands: meta (show/patch), lineage, history, journal. */
#include "lh_common.h"
#include "cli_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* "a,b,c" -> ["a","b","c"] (malloc'd JSON text). */
static char *csv_to_json_array(const char *s)
{
    struct lh_buf b = LH_BUF_INIT;
    lh_buf_putc(&b, '[');
    int n = 0;
    while (*s) {
        size_t len = strcspn(s, ",");
        while (len && *s == ' ')
            s++, len--;
        size_t l2 = len;
        while (l2 && s[l2 - 1] == ' ')
            l2--;
        if (l2) {
            if (n++)
                lh_buf_putc(&b, ',');
            lh_buf_json_str(&b, s, l2);
        }
        s += len;
        if (*s == ',')
            s++;
    }
    lh_buf_putc(&b, ']');
    return lh_buf_detach(&b);
}

/* Adds "col=value" settings to the column patch list. */
static int add_col_settings(const char *spec, bool kind, struct lh_column_patch **cols,
                            size_t *n, char ***owned, size_t *n_owned)
{
    char *copy = lh_xstrdup(spec);
    *owned = lh_xrealloc(*owned, (*n_owned + 1) * sizeof(**owned));
    (*owned)[(*n_owned)++] = copy;
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq || eq == tok || !eq[1])
            return cli_failf("expected COLUMN=VALUE, got '%s'", tok);
        *eq = '\0';
        size_t i;
        for (i = 0; i < *n; i++)
            if (strcmp((*cols)[i].name, tok) == 0)
                break;
        if (i == *n) {
            *cols = lh_xrealloc(*cols, (*n + 1) * sizeof(**cols));
            memset(&(*cols)[i], 0, sizeof(**cols));
            (*cols)[i].name = tok;
            (*n)++;
        }
        if (kind)
            (*cols)[i].pii_kind = eq + 1;
        else
            (*cols)[i].sensitivity = eq + 1;
    }
    return 0;
}

int lh_cmd_meta(struct lh_ctx *ctx, int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"column-sensitivity", "COL=LEVEL,...", "set columns' sensitivity", NULL},
        {"description", "TEXT", "set the description", NULL},
        {"json", NULL, "print JSON", NULL},
        {"owner", "WHO", "set the owner", NULL},
        {"parents", "A,B", "set the parent datasets (lineage)", NULL},
        {"pii", "COL=KIND,...", "set columns' PII kind (none, email, phone, ...)", NULL},
        {"sensitivity", "LEVEL", "dataset sensitivity (public, internal, confidential, "
                                 "restricted; \"\" = from the columns)", NULL},
        {"tags", "A,B", "set the tags", NULL},
        {0},
    };
    enum { O_CSENS, O_DESC, O_JSON, O_OWNER, O_PARENTS, O_PII, O_SENS, O_TAGS };
    const char *pos[1];
    int n_pos, rc;
    struct lh_error err;
    struct lh_meta_patch p = {0};
    struct lh_column_patch *cols = NULL;
    char **owned = NULL, *tags = NULL, *parents = NULL;
    size_t n_owned = 0;
    if ((rc = cli_parse(ctx, "meta", "NAME [--description T] [--tags a,b] [--pii col=kind]", argc,
                        argv, opts, pos, 1, &n_pos, false)))
        return rc == 1 ? 0 : rc;
    if (n_pos != 1)
        return cli_failf("meta: a dataset NAME is required (see --help)") + 1;
    p.description = opts[O_DESC].val;
    p.owner = opts[O_OWNER].val;
    p.sensitivity = opts[O_SENS].val;
    if (opts[O_TAGS].val)
        p.tags_json = tags = csv_to_json_array(opts[O_TAGS].val);
    if (opts[O_PARENTS].val)
        p.parents_json = parents = csv_to_json_array(opts[O_PARENTS].val);
    if ((opts[O_PII].val &&
         (rc = add_col_settings(opts[O_PII].val, true, &cols, &p.n_columns, &owned, &n_owned))) ||
        (opts[O_CSENS].val && (rc = add_col_settings(opts[O_CSENS].val, false, &cols,
                                                     &p.n_columns, &owned, &n_owned))))
        goto out;
    p.columns = cols;
    struct lh_lake *l = cli_lake(ctx);
    if (!l) {
        rc = 1;
        goto out;
    }
    if ((rc = lh_lake_patch(l, pos[0], &p, cli_actor(), NULL, &err))) {
        rc = cli_fail(&err);
        goto out;
    }
    struct lh_dataset *d = NULL;
    if (lh_catalog_get(l->cat, pos[0], &d, &err)) {
        rc = cli_fail(&err);
        goto out;
    }
    if (opts[O_JSON].val) {
        struct lh_buf b = LH_BUF_INIT;
        lh_lake_dataset_json(d, false, &b);
        cli_print_json(&b);
        lh_buf_release(&b);
    } else {
        printf("dataset     %s\ndescription %s\nowner       %s\ntags        %s\n"
               "sensitivity %s\nparents     %s\n\n%-30s %-16s %-13s %s\n",
               d->name, d->description, d->owner, d->tags_json, lh_lake_sensitivity(d),
               d->parents_json, "COLUMN", "PII", "SENSITIVITY", "SET BY");
        for (size_t i = 0; i < d->n_columns; i++)
            printf("%-30s %-16s %-13s %s\n", d->columns[i].name, d->col_meta[i].pii_kind,
                   d->col_meta[i].sensitivity, d->col_meta[i].user_set ? "user" : "auto");
    }
    lh_dataset_free(d);
out:
    for (size_t i = 0; i < n_owned; i++)
        free(owned[i]);
    free(owned);
    free(cols);
    free(tags);
    free(parents);
    return rc;
}

static int print_json_of(struct lh_ctx *ctx, const char *cmd, int argc, char **argv,
                         int (*fn)(struct lh_lake *, const char *, struct lh_buf *,
                                   struct lh_error *))
{
    struct cli_opt opts[] = {{"json", NULL, "print JSON (the default)", NULL}, {0}};
    const char *pos[1];
    int n_pos, rc;
    struct lh_error err;
    if ((rc = cli_parse(ctx, cmd, "NAME", argc, argv, opts, pos, 1, &n_pos, false)))
        return rc == 1 ? 0 : rc;
    if (n_pos != 1)
        return cli_failf("%s: a dataset NAME is required", cmd) + 1;
    struct lh_lake *l = cli_lake(ctx);
    if (!l)
        return 1;
    struct lh_buf b = LH_BUF_INIT;
    if (fn(l, pos[0], &b, &err)) {
        lh_buf_release(&b);
        return cli_fail(&err);
    }
    cli_print_json(&b);
    lh_buf_release(&b);
    return 0;
}

int lh_cmd_lineage(struct lh_ctx *ctx, int argc, char **argv)
{
    return print_json_of(ctx, "lineage", argc, argv, lh_lake_lineage_json);
}

int lh_cmd_history(struct lh_ctx *ctx, int argc, char **argv)
{
    return print_json_of(ctx, "history", argc, argv, lh_lake_history_json);
}

int lh_cmd_journal(struct lh_ctx *ctx, int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"before", "ID", "entries older than this id", NULL},
        {"json", NULL, "print JSON", NULL},
        {"limit", "N", "how many (default 50)", NULL},
        {0},
    };
    const char *pos[1];
    int n_pos, rc;
    struct lh_error err;
    long limit = 50, before = 0;
    if ((rc = cli_parse(ctx, "journal", "[ENTITY] [--limit N]", argc, argv, opts, pos, 1, &n_pos,
                        false)))
        return rc == 1 ? 0 : rc;
    for (int i = 0; i < 3; i += 2) {
        if (!opts[i].val)
            continue;
        char *end;
        errno = 0;
        long v = strtol(opts[i].val, &end, 10);
        if (end == opts[i].val || *end || errno || v < (i ? 1 : 0) || v > 10000)
            return cli_failf("invalid --%s '%s'", opts[i].name, opts[i].val);
        *(i ? &limit : &before) = v;
    }
    struct lh_lake *l = cli_lake(ctx);
    if (!l)
        return 1;
    struct lh_journal_entry *e = NULL;
    size_t n = 0;
    if (lh_catalog_journal(l->cat, n_pos ? pos[0] : NULL, before, (int)limit, &e, &n, &err))
        return cli_fail(&err);
    if (opts[1].val) {
        struct lh_buf b = LH_BUF_INIT;
        lh_lake_journal_json(e, n, &b);
        cli_print_json(&b);
        lh_buf_release(&b);
    } else {
        for (size_t i = 0; i < n; i++) {
            char ts[32];
            time_t t = (time_t)(e[i].ts_ms / 1000);
            struct tm tm;
            gmtime_r(&t, &tm);
            strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%SZ", &tm);
            printf("%6lld %s %-16s %-9s %-24s %-12s %.40s -> %.40s\n", (long long)e[i].id, ts,
                   e[i].actor, e[i].action, e[i].entity, e[i].field,
                   e[i].old_value ? e[i].old_value : "-", e[i].new_value ? e[i].new_value : "-");
        }
    }
    lh_journal_free(e, n);
    return 0;
}
