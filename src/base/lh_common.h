/* SPDX-License-Identifier: MIT */
/* lh_common.h - first include of every file: feature macros, standard headers, attributes. */
#ifndef LH_COMMON_H
#define LH_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LH_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define LH_UNUSED(x) ((void)(x))
#define LH_NODISCARD __attribute__((warn_unused_result))
#define LH_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define LH_VERSION "0.1.0"

#endif
