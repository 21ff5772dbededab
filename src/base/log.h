/* SPDX-License-Identifier: MIT */
/* log.h - diagnostic log: one key=value line per event on stderr. */
#ifndef LH_LOG_H
#define LH_LOG_H

#include "lh_common.h"

enum lh_log_level { LH_LOG_DEBUG, LH_LOG_INFO, LH_LOG_WARN, LH_LOG_ERROR, LH_LOG_OFF };

extern int lh_log_min_level;

/* Parses "debug|info|warn|error|off"; returns -LH_EINVAL on anything else. */
int lh_log_set_level(const char *name);

/* Writes `ts=... level=... module=... <msg>` as one line (thread-safe, one write(2)). */
void lh_log_write(int level, const char *module, const char *fmt, ...) LH_PRINTF(3, 4);

#define LH_LOG(level, module, ...)                                \
    do {                                                          \
        if ((level) >= lh_log_min_level)                          \
            lh_log_write((level), (module), __VA_ARGS__);         \
    } while (0)

#endif
