/* SPDX-License-Identifier: MIT */
/* err.c - error code table and the error detail setter. */
#include "lh_common.h"
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int norm(int code)
{
    code = abs(code);
    return (code > 0 && code < LH_ERR_MAX_) ? code : LH_EINTERNAL;
}

int lh_error_set(struct lh_error *err, int code, const char *fmt, ...)
{
    code = norm(code);
    if (err) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return -code;
}

void lh_error_clear(struct lh_error *err)
{
    if (err) {
        err->code = 0;
        err->msg[0] = '\0';
    }
}

const char *lh_err_name(int code)
{
    static const char *names[] = {
        "ok",
#define XX(name, c, status, msg) c,
        LH_ERR_MAP(XX)
#undef XX
    };
    return code == 0 ? names[0] : names[norm(code)];
}

const char *lh_strerror(int code)
{
    static const char *msgs[] = {
        "ok",
#define XX(name, c, status, msg) msg,
        LH_ERR_MAP(XX)
#undef XX
    };
    return code == 0 ? msgs[0] : msgs[norm(code)];
}

int lh_err_http_status(int code)
{
    static const int st[] = {
        200,
#define XX(name, c, status, msg) status,
        LH_ERR_MAP(XX)
#undef XX
    };
    return code == 0 ? 200 : st[norm(code)];
}
