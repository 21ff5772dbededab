/* SPDX-License-Identifier: MIT */
/* fs.h - small POSIX file helpers: mkdir -p, durable writes, whole-file reads. */
#ifndef LH_FS_H
#define LH_FS_H

#include "lh_common.h"
#include "err.h"

/* Creates dir and its parents (mode 0755). Existing dirs are fine. */
int lh_fs_mkdir_p(const char *dir, struct lh_error *err);
/* fsyncs a directory so a rename/unlink inside it is durable. */
int lh_fs_fsync_dir(const char *dir);
/* fsyncs a file by path. */
int lh_fs_fsync_path(const char *path);
/* Writes data to path atomically: path.tmp.<rand>, fsync, rename, fsync dir. */
int lh_fs_write_atomic(const char *path, const void *data, size_t len, struct lh_error *err);
/* Reads a whole file (up to max bytes) into a malloc'd NUL-terminated buffer. */
int lh_fs_read_all(const char *path, size_t max, char **out, size_t *out_len, struct lh_error *err);
/* Removes a directory tree (like rm -rf). Missing is fine. */
int lh_fs_rm_rf(const char *path);
/* Returns true if path exists (any type). */
bool lh_fs_exists(const char *path);
/* Makes an absolute, normalised path from p (relative to cwd). Caller frees. */
char *lh_fs_abspath(const char *p);

#endif
