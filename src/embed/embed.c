/* SPDX-License-Identifier: MIT */
/* embed.c - embedder construction from options: picks the backend by kind. */
#include "lh_common.h"
#include "embed.h"
#include "embed_int.h"

#include <string.h>

int lh_embedder_open(const struct lh_embed_opts *opts, struct lh_embedder **out,
                     struct lh_error *err)
{
    static const struct lh_embed_opts defaults = {0};
    const struct lh_embed_opts *o = opts ? opts : &defaults;
    const char *kind = o->kind && o->kind[0] ? o->kind : "builtin";

    if (strcmp(kind, "builtin") == 0) {
        struct lh_embedder *e = NULL;
        int rc = lh_embed_builtin_new(o->dims, &e, err);
        if (rc)
            return rc;
        if (o->max_batch > 0)
            e->max_batch = (size_t)o->max_batch;
        *out = e;
        return 0;
    }
    if (strcmp(kind, "ollama") == 0)
        return lh__embed_remote_new(o, false, out, err);
    if (strcmp(kind, "openai") == 0)
        return lh__embed_remote_new(o, true, out, err);
    return lh_error_set(err, LH_EINVAL,
                        "unknown embedder kind '%.64s' (expected builtin, ollama or openai)",
                        kind);
}
