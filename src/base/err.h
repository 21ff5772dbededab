/* SPDX-License-Identifier: MIT */
/* err.h - error codes (one X-macro list) and the error detail carried out of every module. */
#ifndef LH_ERR_H
#define LH_ERR_H

#include "lh_common.h"

/* XX(name, snake_case code, HTTP status, default message) */
#define LH_ERR_MAP(XX)                                                          \
    XX(EINVAL, "invalid_input", 400, "invalid input")                          \
    XX(ENOTFOUND, "not_found", 404, "not found")                               \
    XX(EEXIST, "already_exists", 409, "already exists")                        \
    XX(EPERM, "forbidden", 403, "forbidden")                                   \
    XX(EAUTH, "unauthorized", 401, "authentication required")                  \
    XX(ECONFLICT, "conflict", 409, "conflict")                                 \
    XX(ETOOBIG, "too_large", 413, "too large")                                 \
    XX(ELIMIT, "limit_exceeded", 429, "limit exceeded")                        \
    XX(ETIMEDOUT, "timeout", 408, "timed out")                                 \
    XX(ECANCELED, "canceled", 499, "canceled")                                 \
    XX(EIO, "io_error", 500, "I/O error")                                      \
    XX(EUPSTREAM, "upstream_error", 502, "upstream error")                     \
    XX(ENOMEM, "out_of_memory", 503, "out of memory")                          \
    XX(EINTERNAL, "internal_error", 500, "internal error")                     \
    XX(ESQL, "sql_error", 400, "SQL error")                                    \
    XX(ENOTALLOWED, "not_allowed", 403, "statement not allowed")              \
    XX(EMETHOD, "method_not_allowed", 405, "method not allowed")

enum lh_err {
    LH_OK = 0,
#define XX(name, code, status, msg) LH_##name,
    LH_ERR_MAP(XX)
#undef XX
    LH_ERR_MAX_
};
/* Functions return 0 or the negated code: return -LH_EINVAL. */

#define LH_ERRMSG_MAX 1024

/* Detail of a failure. Modules fill it; only http/ and cli/ render it. */
struct lh_error {
    int code;                   /* enum lh_err, positive; 0 = none */
    char msg[LH_ERRMSG_MAX];    /* human sentence, never contains secrets */
};

/* Sets err (may be NULL) and returns -code, so callers can write
 * `return lh_error_set(err, LH_EINVAL, "bad name '%s'", n);`. */
int lh_error_set(struct lh_error *err, int code, const char *fmt, ...) LH_PRINTF(3, 4);
void lh_error_clear(struct lh_error *err);

const char *lh_err_name(int code);      /* "invalid_input"; accepts negative codes */
const char *lh_strerror(int code);      /* default message */
int lh_err_http_status(int code);       /* 400, 404, ... */

#endif
