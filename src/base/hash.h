/* SPDX-License-Identifier: MIT */
/* hash.h - SHA-256 (streaming), random ids, UUIDs. */
#ifndef LH_HASH_H
#define LH_HASH_H

#include "lh_common.h"
#include "err.h"

struct lh_sha256 {
    void *ctx; /* EVP_MD_CTX */
};

void lh_sha256_init(struct lh_sha256 *h);
void lh_sha256_update(struct lh_sha256 *h, const void *p, size_t n);
/* Writes 64 hex chars + NUL into hex and frees the context. */
void lh_sha256_final_hex(struct lh_sha256 *h, char hex[65]);
/* SHA-256 of a whole file as hex. */
int lh_sha256_file(const char *path, char hex[65], struct lh_error *err);
/* SHA-256 of a memory buffer as hex. */
void lh_sha256_hex(const void *p, size_t n, char hex[65]);

/* Fills out with 2*nbytes random hex chars + NUL (getrandom). */
void lh_random_hex(char *out, size_t nbytes);
/* Random version-4 UUID text (36 chars + NUL). */
void lh_uuid4(char out[37]);

#endif
