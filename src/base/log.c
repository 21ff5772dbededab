/* SPDX-License-Identifier: MIT */
/* log.c - diagnostic log lines on stderr. */
#include "lh_common.h"
#include "log.h"
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int lh_log_min_level = LH_LOG_INFO;

static const char *level_names[] = {"debug", "info", "warn", "error", "off"};

int lh_log_set_level(const char *name)
{
    for (int i = 0; i <= LH_LOG_OFF; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            lh_log_min_level = i;
            return 0;
        }
    }
    return -LH_EINVAL;
}

void lh_log_write(int level, const char *module, const char *fmt, ...)
{
    char line[4096];
    struct timespec ts;
    struct tm tm;
    size_t n;
    va_list ap;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = strftime(line, sizeof(line), "ts=%Y-%m-%dT%H:%M:%S", &tm);
    n += (size_t)snprintf(line + n, sizeof(line) - n, ".%03ldZ level=%s module=%s ",
                          ts.tv_nsec / 1000000, level_names[level < 0 || level > 3 ? 3 : level],
                          module);
    va_start(ap, fmt);
    int w = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
    va_end(ap);
    n = (w < 0) ? n : (n + (size_t)w >= sizeof(line) - 1 ? sizeof(line) - 2 : n + (size_t)w);
    line[n++] = '\n';
    ssize_t r = write(STDERR_FILENO, line, n);
    LH_UNUSED(r);
}
