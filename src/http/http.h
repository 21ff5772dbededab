/* SPDX-License-Identifier: MIT */
/* http.h - the HTTP JSON API server (libmicrohttpd thread pool). */
#ifndef LH_HTTP_H
#define LH_HTTP_H

#include "lh_common.h"
#include "config.h"
#include "err.h"
#include "lake.h"

/* Serves the API on cfg->listen:cfg->port until SIGTERM or SIGINT, then stops
 * accepting, lets in-flight requests finish (up to cfg->shutdown_grace_ms)
 * and returns 0. Logs `msg=listening url=http://HOST:PORT` once bound (the
 * real port when cfg->port is 0). */
int lh_http_serve(struct lh_lake *l, const struct lh_config *cfg, struct lh_error *err);

/* The OpenAPI 3 document describing every route (malloc'd JSON text). */
char *lh_http_openapi(void);

#endif
