/* SPDX-License-Identifier: MIT */
/* auth.h - who may do what: permissions, roles, column policies, API key text.
 *
 * Pure logic (no I/O): roles come in as JSON definitions (stored by the catalog,
 * loaded by lake/lake_access.c), and the decisions made here are applied by the
 * HTTP router (permissions) and the SQL resolver (column actions). Thread-safe. */
#ifndef LH_AUTH_H
#define LH_AUTH_H

#include "lh_common.h"
#include "buf.h"
#include "err.h"
#include "pii.h"

/* Permissions a role grants; each HTTP route requires at most one. */
enum lh_perm {
    LH_PERM_READ = 1u << 0,   /* catalog, journal, indexes, jobs: read */
    LH_PERM_QUERY = 1u << 1,  /* POST /query/sql */
    LH_PERM_SEARCH = 1u << 2, /* vector search, RAG, eval */
    LH_PERM_INGEST = 1u << 3, /* ingest, compact, metadata changes, cache */
    LH_PERM_INDEX = 1u << 4,  /* build, drop indexes; cancel jobs */
    LH_PERM_DELETE = 1u << 5, /* tombstones, dataset deletion */
    LH_PERM_GOVERN = 1u << 6, /* views, profiles, roles, keys */
    LH_PERM_ADMIN = 1u << 7,  /* audit log, gc, resync, configuration */
};
#define LH_PERM_ALL 0xffu

/* "read", "query", ... -> bit; 0 if unknown. */
unsigned lh_perm_parse(const char *s);
const char *lh_perm_name(unsigned bit);

/* What a role sees of a column. Ordered from least to most strict. */
enum lh_col_action { LH_COL_SHOW, LH_COL_MASK, LH_COL_HASH, LH_COL_NULL };

struct lh_col_policy {
    enum lh_col_action action;
    int prefix, suffix; /* LH_COL_MASK: characters kept at each end */
};

/* "show", "mask", "hash", "null" or {"action":"mask","prefix":P,"suffix":S}. */
int lh_col_policy_parse_text(const char *s, struct lh_col_policy *out);
const char *lh_col_action_name(enum lh_col_action a);
/* The stricter of two policies (mask vs mask keeps fewer characters). */
struct lh_col_policy lh_col_policy_max(struct lh_col_policy a, struct lh_col_policy b);

#define LH_ROLE_NAME_MAX 64

struct lh_role {
    char name[LH_ROLE_NAME_MAX];
    bool builtin;
    bool superuser;            /* admin: no masks, no firewall, every permission */
    unsigned perms;            /* enum lh_perm bits */
    char **datasets;           /* dataset names it may read directly; "*" = all */
    size_t n_datasets;
    char **views;              /* views it may read; "*" = all */
    size_t n_views;
    /* column policy by sensitivity, and overrides by PII kind (set[] says which) */
    struct lh_col_policy by_sens[LH_SENS_MAX_];
    struct lh_col_policy by_kind[LH_PII_KIND_MAX_];
    bool kind_set[LH_PII_KIND_MAX_];
};

void lh_role_release(struct lh_role *r);
void lh_role_copy(struct lh_role *dst, const struct lh_role *src);

/* The built-in roles: admin, analyst, agent. Returns false if `name` is not one. */
bool lh_role_builtin(const char *name, struct lh_role *out);
bool lh_role_is_builtin_name(const char *name);
/* The built-in role names, NULL-terminated. */
extern const char *const lh_builtin_roles[];

/* Parses a role definition {"permissions":[...],"datasets":[...],"views":[...],
 * "masks":{"restricted":"null","email":{"action":"mask","prefix":1,"suffix":4},...}}.
 * Unknown permissions, sensitivities, kinds or actions are errors (-LH_EINVAL). */
int lh_role_from_json(const char *name, const char *json, struct lh_role *out,
                      struct lh_error *err);
/* Writes the role as a JSON object (name, builtin, permissions, datasets, views, masks). */
void lh_role_json(const struct lh_role *r, struct lh_buf *b);

bool lh_role_may_dataset(const struct lh_role *r, const char *dataset);
bool lh_role_may_view(const struct lh_role *r, const char *view);
/* The policy of a column with this sensitivity and PII kind for the role. */
struct lh_col_policy lh_role_column(const struct lh_role *r, enum lh_sensitivity sens,
                                    enum lh_pii_kind kind);

/* Appends the SQL select-list item for column `col` (type `type`) under policy p:
 * "col", or a masking expression aliased "AS col". `salt` keys the hash (hex). */
void lh_col_policy_sql(struct lh_buf *b, const char *col, const char *type,
                       struct lh_col_policy p, const char *salt);

/* Who is asking: the role of the API key used (or admin for the CLI and for unauthenticated
 * loopback access), for permissions, masks, the journal and the audit log. */
struct lh_principal {
    char actor[128];              /* "key:<id>", "api@127.0.0.1", "cli@user" */
    char key_id[16];              /* "" = no key */
    char profile[64];             /* model profile the key is bound to; "" = none */
    struct lh_role role;
};

/* ---- API keys: "lh_<id:12 hex>_<secret:40 hex>" ---- */

#define LH_KEY_ID_LEN 12
#define LH_KEY_TEXT_MAX 64

/* Makes a new key: text (shown once), its id and its SHA-256 (stored). */
void lh_key_generate(char text[LH_KEY_TEXT_MAX], char id[LH_KEY_ID_LEN + 1], char hash[65]);
/* Splits a presented key into its id; false if it does not have the key shape. */
bool lh_key_parse(const char *text, char id[LH_KEY_ID_LEN + 1]);
/* True if the presented key hashes to `hash` (constant-time compare). */
bool lh_key_verify(const char *text, const char *hash);

/* Replaces anything that looks like an API key or a URL password in s (in place) with
 * "***", so audit rows and logs never carry them. */
void lh_redact_secrets(char *s);

#endif
