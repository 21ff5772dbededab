/* SPDX-License-Identifier: MIT */
/* lake.c - open/close a data folder and wire the catalog into the SQL engine. */
#include "lh_common.h"
#include "lake.h"
#include "buf.h"
#include "fs.h"
#include "hash.h"
#include "log.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Dataset name -> absolute Parquet paths, for the SQL engine's replacement scan. */
static int resolve(void *ud, const char *name, char ***out_paths, size_t *out_n)
{
    struct lh_lake *l = ud;
    char lower[64];
    size_t n = strlen(name);
    if (n == 0 || n >= sizeof(lower))
        return -LH_ENOTFOUND;
    for (size_t i = 0; i <= n; i++)
        lower[i] = (char)tolower((unsigned char)name[i]);
    if (lh_catalog_name_check(lower, NULL))
        return -LH_ENOTFOUND;
    char **keys = NULL;
    size_t nk = 0;
    int rc = lh_catalog_files(l->cat, lower, &keys, &nk, NULL);
    if (rc)
        return rc;
    if (nk == 0) {
        lh_strv_free(keys, nk);
        return -LH_ENOTFOUND;
    }
    char **paths = lh_xcalloc(nk, sizeof(*paths));
    for (size_t i = 0; i < nk; i++)
        paths[i] = lh_store_local_path(l->store, keys[i]);
    lh_strv_free(keys, nk);
    *out_paths = paths;
    *out_n = nk;
    return 0;
}

int lh_lake_open(const struct lh_config *cfg, struct lh_lake **out, struct lh_error *err)
{
    struct lh_lake *l = lh_xcalloc(1, sizeof(*l));
    char *bucket = NULL, *catpath = NULL;
    int rc;

    *out = NULL;
    l->cfg = cfg;
    l->data_dir = lh_fs_abspath(cfg->data_dir);
    l->tmp_dir = lh_xasprintf("%s/tmp", l->data_dir);
    bucket = lh_xasprintf("%s/primary", l->data_dir);
    catpath = lh_xasprintf("%s/catalog.db", l->data_dir);
    if ((rc = lh_fs_mkdir_p(l->data_dir, err)) || (rc = lh_fs_mkdir_p(l->tmp_dir, err)))
        goto fail;
    if ((rc = lh_store_local_open(bucket, &l->store, err)))
        goto fail;
    if ((rc = lh_catalog_open(catpath, &l->cat, err)))
        goto fail;
    struct lh_sql_opts so = {l->data_dir, cfg->duckdb_threads, cfg->duckdb_memory_limit};
    if ((rc = lh_sql_open(&so, &l->sql, err)))
        goto fail;
    lh_sql_set_resolver(l->sql, resolve, l);
    free(bucket);
    free(catpath);
    *out = l;
    return 0;
fail:
    free(bucket);
    free(catpath);
    lh_lake_close(l);
    return rc;
}

void lh_lake_close(struct lh_lake *l)
{
    if (!l)
        return;
    lh_sql_close(l->sql);
    lh_catalog_close(l->cat);
    lh_store_close(l->store);
    free(l->data_dir);
    free(l->tmp_dir);
    free(l);
}

char *lh_lake_tmp_path(struct lh_lake *l, const char *suffix)
{
    char id[25];
    lh_random_hex(id, 12);
    return lh_xasprintf("%s/%ld-%s%s", l->tmp_dir, (long)getpid(), id, suffix ? suffix : "");
}

int lh_ingest_mode_parse(const char *s, enum lh_ingest_mode *out)
{
    if (!s || strcmp(s, "create") == 0)
        *out = LH_INGEST_CREATE;
    else if (strcmp(s, "replace") == 0)
        *out = LH_INGEST_REPLACE;
    else if (strcmp(s, "append") == 0)
        *out = LH_INGEST_APPEND;
    else
        return -LH_EINVAL;
    return 0;
}

void lh_lake_name_from_path(const char *path, char out[64])
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    size_t j = 0;
    for (size_t i = 0; i < n && j < 63; i++) {
        unsigned char c = (unsigned char)base[i];
        if (isalnum(c) && c < 0x80) {
            if (j == 0 && isdigit(c))
                out[j++] = '_';
            if (j < 63)
                out[j++] = (char)tolower(c);
        } else if (j > 0 && out[j - 1] != '_') {
            out[j++] = '_';
        }
    }
    while (j > 1 && out[j - 1] == '_')
        j--;
    if (j == 0 || (j == 1 && out[0] == '_'))
        j = (size_t)snprintf(out, 64, "dataset");
    out[j] = '\0';
}
