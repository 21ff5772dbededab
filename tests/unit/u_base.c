/* SPDX-License-Identifier: MIT */
/* u_base.c - unit tests of src/base: buffers, errors, sizes, config, files, hashing. */
#include "lh_common.h"
#include "buf.h"
#include "config.h"
#include "err.h"
#include "fs.h"
#include "hash.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* ---- lh_buf ---- */

static void test_buf_append_printf(void **state)
{
    (void)state;
    struct lh_buf b;
    lh_buf_init(&b, 0);
    assert_non_null(b.ptr);
    assert_string_equal(b.ptr, "");
    assert_int_equal(b.len, 0);
    assert_int_equal(lh_buf_append(&b, "abc", 3), 0);
    assert_int_equal(lh_buf_printf(&b, "%d-%s", 42, "x"), 0);
    assert_int_equal(lh_buf_putc(&b, '!'), 0);
    assert_int_equal(lh_buf_puts(&b, "end"), 0);
    assert_int_equal(lh_buf_append(&b, "zzz", 0), 0);
    assert_string_equal(b.ptr, "abc42-x!end");
    assert_int_equal(b.len, 11);
    assert_int_equal(b.ptr[b.len], '\0');

    /* growth over many reallocations keeps content and the NUL */
    for (int i = 0; i < 10000; i++)
        assert_int_equal(lh_buf_printf(&b, "%04d", i % 10000), 0);
    assert_int_equal(b.len, 11 + 40000);
    assert_memory_equal(b.ptr + 11, "000000010002", 12);
    assert_memory_equal(b.ptr + b.len - 4, "9999", 4);
    assert_int_equal(b.ptr[b.len], '\0');

    lh_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.ptr, "");
    assert_int_equal(lh_buf_puts(&b, "again"), 0);
    char *s = lh_buf_detach(&b);
    assert_string_equal(s, "again");
    free(s);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.ptr, "");
    assert_int_equal(b.alloc, 0);

    /* detaching an empty buffer still gives a heap string */
    s = lh_buf_detach(&b);
    assert_string_equal(s, "");
    free(s);

    /* embedded NUL bytes are kept by append */
    assert_int_equal(lh_buf_append(&b, "a\0b", 3), 0);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.ptr, "a\0b", 4);
    lh_buf_release(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.ptr, "");
    lh_buf_release(&b); /* releasing twice is fine */

    struct lh_buf st = LH_BUF_INIT;
    assert_int_equal(lh_buf_puts(&st, "static init"), 0);
    assert_string_equal(st.ptr, "static init");
    lh_buf_release(&st);

    char *p = lh_xasprintf("%s=%d", "k", 7);
    assert_string_equal(p, "k=7");
    free(p);
    p = lh_xstrndup("abcdef", 3);
    assert_string_equal(p, "abc");
    free(p);
}

static void test_buf_cap(void **state)
{
    (void)state;
    struct lh_buf b;
    lh_buf_init(&b, 10);
    assert_int_equal(lh_buf_append(&b, "12345678", 8), 0);
    /* each over-cap call fails and leaves the buffer exactly as it was */
    assert_int_equal(lh_buf_append(&b, "abc", 3), -LH_ETOOBIG);
    assert_string_equal(b.ptr, "12345678");
    assert_int_equal(b.len, 8);
    assert_int_equal(lh_buf_printf(&b, "%s", "xyz"), -LH_ETOOBIG);
    assert_string_equal(b.ptr, "12345678");
    assert_int_equal(lh_buf_puts(&b, "long string"), -LH_ETOOBIG);
    assert_int_equal(b.len, 8);
    assert_int_equal(lh_buf_reserve(&b, 3), -LH_ETOOBIG);
    assert_int_equal(lh_buf_json_str(&b, "ab", 2), -LH_ETOOBIG); /* needs 4 bytes */
    assert_string_equal(b.ptr, "12345678");
    {
        /* escaping that hits the cap half way leaves the buffer unchanged too */
        struct lh_buf c;
        lh_buf_init(&c, 10);
        assert_int_equal(lh_buf_puts(&c, "ab"), 0);
        assert_int_equal(lh_buf_json_str(&c, "\x01\x01", 2), -LH_ETOOBIG);
        assert_string_equal(c.ptr, "ab");
        assert_int_equal(c.len, 2);
        lh_buf_release(&c);
    }
    /* filling exactly to the cap works; one more byte does not */
    assert_int_equal(lh_buf_append(&b, "9A", 2), 0);
    assert_int_equal(b.len, 10);
    assert_int_equal(lh_buf_putc(&b, 'x'), -LH_ETOOBIG);
    assert_string_equal(b.ptr, "123456789A");
    /* reset frees room again and the cap survives release */
    lh_buf_reset(&b);
    assert_int_equal(lh_buf_puts(&b, "0123456789"), 0);
    lh_buf_release(&b);
    assert_int_equal(b.cap_max, 10);
    assert_int_equal(lh_buf_puts(&b, "0123456789x"), -LH_ETOOBIG);
    assert_string_equal(b.ptr, "");
    lh_buf_release(&b);
}

static void json_is(const char *in, size_t n, const char *want)
{
    struct lh_buf b = LH_BUF_INIT;
    assert_int_equal(lh_buf_json_str(&b, in, n), 0);
    if (strcmp(b.ptr, want) != 0)
        fail_msg("json of %zu bytes: got %s want %s", n, b.ptr, want);
    assert_int_equal(b.len, strlen(want));
    lh_buf_release(&b);
}

#define FFFD "\xEF\xBF\xBD"

static void test_buf_json_str(void **state)
{
    (void)state;
    json_is("", 0, "\"\"");
    json_is("plain text", 10, "\"plain text\"");
    json_is("q\"b\\s/", 6, "\"q\\\"b\\\\s/\"");
    json_is("\n\r\t", 3, "\"\\n\\r\\t\"");
    json_is("\x01\x08\x0c\x1f", 4, "\"\\u0001\\u0008\\u000c\\u001f\"");
    json_is("a\0b", 3, "\"a\\u0000b\"");
    json_is("\x7f", 1, "\"\x7f\"");
    /* valid UTF-8 passes through: 2, 3 and 4 byte sequences */
    json_is("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9, "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
    /* invalid UTF-8 becomes U+FFFD, one per bad byte */
    json_is("a\xff" "b", 3, "\"a" FFFD "b\"");
    json_is("\x80", 1, "\"" FFFD "\"");
    json_is("\xc3", 1, "\"" FFFD "\"");                          /* truncated */
    json_is("\xe2\x82", 2, "\"" FFFD FFFD "\"");                 /* truncated */
    json_is("\xc0\xaf", 2, "\"" FFFD FFFD "\"");                 /* overlong '/' */
    json_is("\xe0\x80\xaf", 3, "\"" FFFD FFFD FFFD "\"");        /* overlong 3-byte */
    json_is("\xed\xa0\x80", 3, "\"" FFFD FFFD FFFD "\"");        /* UTF-16 surrogate */
    json_is("\xf4\x90\x80\x80", 4, "\"" FFFD FFFD FFFD FFFD "\""); /* > U+10FFFF */
    json_is("\xc3\x28", 2, "\"" FFFD "(\"");                     /* bad continuation */
    /* n bounds the input: bytes after it are ignored */
    json_is("abcdef", 3, "\"abc\"");
    /* appends to existing content */
    struct lh_buf b = LH_BUF_INIT;
    lh_buf_puts(&b, "{\"k\":");
    assert_int_equal(lh_buf_json_str(&b, "v\n", 2), 0);
    lh_buf_putc(&b, '}');
    assert_string_equal(b.ptr, "{\"k\":\"v\\n\"}");
    lh_buf_release(&b);
}

/* ---- errors ---- */

static void test_errors(void **state)
{
    (void)state;
    struct lh_error err = {0};
    assert_int_equal(lh_error_set(&err, LH_EINVAL, "bad name '%s' (%d)", "x", 3), -LH_EINVAL);
    assert_int_equal(err.code, LH_EINVAL);
    assert_string_equal(err.msg, "bad name 'x' (3)");
    /* a negative code is accepted the same way */
    assert_int_equal(lh_error_set(&err, -LH_ENOTFOUND, "gone"), -LH_ENOTFOUND);
    assert_int_equal(err.code, LH_ENOTFOUND);
    /* out-of-range codes become internal errors */
    assert_int_equal(lh_error_set(&err, 9999, "weird"), -LH_EINTERNAL);
    assert_int_equal(err.code, LH_EINTERNAL);
    /* NULL err is fine */
    assert_int_equal(lh_error_set(NULL, LH_EIO, "nobody listens"), -LH_EIO);
    /* long messages are truncated, never overflow */
    char big[3000];
    memset(big, 'm', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    lh_error_set(&err, LH_EIO, "%s", big);
    assert_int_equal(strlen(err.msg), LH_ERRMSG_MAX - 1);
    lh_error_clear(&err);
    assert_int_equal(err.code, 0);
    assert_string_equal(err.msg, "");
    lh_error_clear(NULL);

    assert_string_equal(lh_err_name(0), "ok");
    assert_string_equal(lh_err_name(LH_EINVAL), "invalid_input");
    assert_string_equal(lh_err_name(-LH_EINVAL), "invalid_input");
    assert_string_equal(lh_err_name(-LH_ENOTFOUND), "not_found");
    assert_string_equal(lh_err_name(LH_EEXIST), "already_exists");
    assert_string_equal(lh_err_name(-LH_ETOOBIG), "too_large");
    assert_string_equal(lh_err_name(LH_EMETHOD), "method_not_allowed");
    assert_string_equal(lh_err_name(12345), "internal_error");
    assert_string_equal(lh_strerror(-LH_ETIMEDOUT), "timed out");
    assert_string_equal(lh_strerror(0), "ok");

    static const struct {
        int code, status;
    } st[] = {
        {0, 200},          {LH_EINVAL, 400},   {-LH_EINVAL, 400},   {LH_ENOTFOUND, 404},
        {LH_EEXIST, 409},  {LH_EPERM, 403},    {LH_EAUTH, 401},     {LH_ECONFLICT, 409},
        {LH_ETOOBIG, 413}, {LH_ELIMIT, 429},   {-LH_ETIMEDOUT, 408}, {LH_ECANCELED, 499},
        {LH_EIO, 500},     {LH_EUPSTREAM, 502}, {LH_ENOMEM, 503},   {LH_EINTERNAL, 500},
        {LH_ESQL, 400},    {LH_ENOTALLOWED, 403}, {LH_EMETHOD, 405}, {777, 500},
    };
    for (size_t i = 0; i < LH_ARRAY_LEN(st); i++)
        assert_int_equal(lh_err_http_status(st[i].code), st[i].status);
    /* every code has a distinct snake_case name */
    for (int i = 1; i < LH_ERR_MAX_; i++) {
        const char *n = lh_err_name(i);
        for (const char *p = n; *p; p++)
            assert_true(islower((unsigned char)*p) || *p == '_');
        for (int j = 1; j < i; j++)
            assert_string_not_equal(n, lh_err_name(j));
    }
}

/* ---- sizes and config ---- */

static void test_parse_size(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int64_t v;
    } good[] = {
        {"0", 0},
        {"100", 100},
        {"512B", 512},
        {"10KB", 10240},
        {"10kb", 10240},
        {"10K", 10240},
        {"1.5K", 1536},
        {"5MiB", 5 * 1048576LL},
        {"10 MB", 10 * 1048576LL},
        {"2G", 2LL << 30},
        {"4GiB", 4LL << 30},
        {"1T", 1LL << 40},
    };
    for (size_t i = 0; i < LH_ARRAY_LEN(good); i++) {
        int64_t v = -1;
        if (lh_parse_size(good[i].s, &v) != 0)
            fail_msg("'%s' rejected", good[i].s);
        assert_int_equal(v, good[i].v);
    }
    static const char *bad[] = {"", "abc", "-1", "10X", "10KBs", "5MiBB", "1e30", "K", "1P"};
    for (size_t i = 0; i < LH_ARRAY_LEN(bad); i++) {
        int64_t v = 77;
        if (lh_parse_size(bad[i], &v) != -LH_EINVAL)
            fail_msg("'%s' accepted", bad[i]);
        assert_int_equal(v, 77); /* untouched on error */
    }
}

static void test_config_defaults_and_set(void **state)
{
    (void)state;
    struct lh_config c;
    struct lh_error err = {0};
    lh_config_init(&c);
    assert_string_equal(c.data_dir, "./data");
    assert_string_equal(c.listen, "127.0.0.1");
    assert_int_equal(c.port, 3100);
    assert_int_equal(c.http_threads, 8);
    assert_int_equal(c.duckdb_threads, 0);
    assert_string_equal(c.duckdb_memory_limit, "75%");
    assert_int_equal(c.max_upload_bytes, 4LL << 30);
    assert_int_equal(c.max_body_bytes, 1 << 20);
    assert_int_equal(c.query_timeout_ms, 60000);
    assert_int_equal(c.query_row_limit, 10000);
    assert_int_equal(c.shutdown_grace_ms, 30000);
    assert_string_equal(c.log_level, "info");
    assert_int_equal(c.demo_scale, 0);

    assert_int_equal(lh_config_set(&c, "port", "8080", &err), 0);
    assert_int_equal(c.port, 8080);
    assert_int_equal(lh_config_set(&c, "max-upload-bytes", "10MB", &err), 0);
    assert_int_equal(c.max_upload_bytes, 10 * 1048576LL);
    assert_int_equal(lh_config_set(&c, "max_body_bytes", "2KiB", &err), 0);
    assert_int_equal(c.max_body_bytes, 2048);
    assert_int_equal(lh_config_set(&c, "data-dir", "/srv/lake", &err), 0);
    assert_string_equal(c.data_dir, "/srv/lake");
    assert_int_equal(lh_config_set(&c, "log_level", "debug", &err), 0);
    assert_string_equal(c.log_level, "debug");
    assert_int_equal(lh_config_set(&c, "port", "0", &err), 0);
    assert_int_equal(c.port, 0);

    /* bad values: rejected with a message naming the setting; value unchanged */
    static const struct {
        const char *key, *val, *msg;
    } bad[] = {
        {"port", "abc", "setting port: 'abc' is not an integer"},
        {"port", "12x", "is not an integer"},
        {"port", "", "is not an integer"},
        {"port", "70000", "setting port: 70000 is out of range [0, 65535]"},
        {"port", "-1", "out of range"},
        {"http_threads", "0", "out of range [1, 256]"},
        {"max_upload_bytes", "lots", "is not a size"},
        {"max_upload_bytes", "0", "out of range"},
        {"log_level", "loud", "'loud' is not debug, info, warn or error"},
        {"data_dir", "", "setting data_dir must not be empty"},
        {"nope", "1", "unknown setting 'nope'"},
    };
    for (size_t i = 0; i < LH_ARRAY_LEN(bad); i++) {
        lh_error_clear(&err);
        assert_int_equal(lh_config_set(&c, bad[i].key, bad[i].val, &err), -LH_EINVAL);
        assert_int_equal(err.code, LH_EINVAL);
        if (!strstr(err.msg, bad[i].msg))
            fail_msg("%s=%s: message '%s' lacks '%s'", bad[i].key, bad[i].val, err.msg,
                     bad[i].msg);
    }
    assert_int_equal(c.port, 0);
    assert_int_equal(c.http_threads, 8);
    assert_int_equal(c.max_upload_bytes, 10 * 1048576LL);
    assert_string_equal(c.log_level, "debug");
    assert_string_equal(c.data_dir, "/srv/lake");

    assert_true(lh_config_has("port"));
    assert_true(lh_config_has("max-body-bytes"));
    assert_true(lh_config_has("MAX_BODY_BYTES"));
    assert_false(lh_config_has("bogus"));
    assert_false(lh_config_has(""));

    struct lh_buf j = LH_BUF_INIT;
    lh_config_to_json(&c, &j);
    assert_non_null(strstr(j.ptr, "\"port\":0"));
    assert_non_null(strstr(j.ptr, "\"data_dir\":\"/srv/lake\""));
    assert_non_null(strstr(j.ptr, "\"max_body_bytes\":2048"));
    assert_int_equal(j.ptr[0], '{');
    assert_int_equal(j.ptr[j.len - 1], '}');
    lh_buf_release(&j);
    lh_config_release(&c);
}

struct tmpdir {
    char path[64];
};

static void tmpdir_make(struct tmpdir *t, const char *tag)
{
    snprintf(t->path, sizeof(t->path), "/tmp/u_base_%s.XXXXXX", tag);
    assert_non_null(mkdtemp(t->path));
}

static char *write_tmp(struct tmpdir *t, const char *name, const char *text)
{
    struct lh_error err = {0};
    char *p = lh_xasprintf("%s/%s", t->path, name);
    assert_int_equal(lh_fs_write_atomic(p, text, strlen(text), &err), 0);
    return p;
}

static void test_config_file(void **state)
{
    (void)state;
    struct tmpdir t;
    struct lh_config c;
    struct lh_error err = {0};
    tmpdir_make(&t, "cfg");
    lh_config_init(&c);

    char *good = write_tmp(&t, "good.conf",
                           "; comment\n[server]\nport = 8181\nlog_level = warn\n"
                           "max_body_bytes = 64KiB\n\n[storage]\ndata_dir = /var/lake\n"
                           "[query]\nquery_row_limit = 0\n");
    assert_int_equal(lh_config_load_file(&c, good, &err), 0);
    assert_int_equal(c.port, 8181);
    assert_string_equal(c.log_level, "warn");
    assert_int_equal(c.max_body_bytes, 65536);
    assert_string_equal(c.data_dir, "/var/lake");
    assert_int_equal(c.query_row_limit, 0);
    assert_int_equal(c.http_threads, 8); /* untouched settings keep defaults */

    char *unknown = write_tmp(&t, "unknown.conf", "[server]\nport = 1\nbogus = 2\n");
    assert_int_equal(lh_config_load_file(&c, unknown, &err), -LH_EINVAL);
    assert_non_null(strstr(err.msg, "line 3"));
    assert_non_null(strstr(err.msg, "unknown setting 'server.bogus'"));

    char *section = write_tmp(&t, "section.conf", "[storage]\nport = 1\n");
    assert_int_equal(lh_config_load_file(&c, section, &err), -LH_EINVAL);
    assert_non_null(strstr(err.msg, "unknown setting 'storage.port'"));

    char *badval = write_tmp(&t, "badval.conf", "[server]\nhttp_threads = many\n");
    assert_int_equal(lh_config_load_file(&c, badval, &err), -LH_EINVAL);
    assert_non_null(strstr(err.msg, "line 2"));
    assert_non_null(strstr(err.msg, "'many' is not an integer"));
    assert_int_equal(c.http_threads, 8);

    char *syntax = write_tmp(&t, "syntax.conf", "[server\nport = 2\n");
    assert_int_equal(lh_config_load_file(&c, syntax, &err), -LH_EINVAL);
    assert_non_null(strstr(err.msg, "line 1"));

    char *missing = lh_xasprintf("%s/missing.conf", t.path);
    assert_int_equal(lh_config_load_file(&c, missing, &err), -LH_ENOTFOUND);
    assert_non_null(strstr(err.msg, "missing.conf"));

    free(good);
    free(unknown);
    free(section);
    free(badval);
    free(syntax);
    free(missing);
    lh_config_release(&c);
    lh_fs_rm_rf(t.path);
}

static void test_config_env(void **state)
{
    (void)state;
    struct lh_config c;
    struct lh_error err = {0};
    lh_config_init(&c);
    setenv("LH_PORT", "4242", 1);
    setenv("LH_MAX_BODY_BYTES", "2KiB", 1);
    setenv("LH_DATA_DIR", "/env/data", 1);
    assert_int_equal(lh_config_load_env(&c, &err), 0);
    assert_int_equal(c.port, 4242);
    assert_int_equal(c.max_body_bytes, 2048);
    assert_string_equal(c.data_dir, "/env/data");
    unsetenv("LH_MAX_BODY_BYTES");
    unsetenv("LH_DATA_DIR");

    setenv("LH_PORT", "not-a-port", 1);
    assert_int_equal(lh_config_load_env(&c, &err), -LH_EINVAL);
    assert_non_null(strstr(err.msg, "setting port"));
    assert_int_equal(c.port, 4242);
    unsetenv("LH_PORT");

    /* without LH_* variables nothing changes */
    assert_int_equal(lh_config_load_env(&c, &err), 0);
    assert_int_equal(c.port, 4242);
    lh_config_release(&c);
}

/* ---- files ---- */

static int count_dir(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *de;
    int n = 0;
    assert_non_null(d);
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static void test_fs_write_read(void **state)
{
    (void)state;
    struct tmpdir t;
    struct lh_error err = {0};
    char *data = NULL;
    size_t n = 0;
    tmpdir_make(&t, "fs");
    char *p = lh_xasprintf("%s/file.bin", t.path);

    assert_int_equal(lh_fs_write_atomic(p, "hello\0world", 11, &err), 0);
    assert_int_equal(lh_fs_read_all(p, 1024, &data, &n, &err), 0);
    assert_int_equal(n, 11);
    assert_memory_equal(data, "hello\0world", 12); /* NUL-terminated as well */
    free(data);

    /* overwrite replaces the content and leaves no temp file */
    assert_int_equal(lh_fs_write_atomic(p, "v2", 2, &err), 0);
    assert_int_equal(lh_fs_read_all(p, 1024, &data, NULL, &err), 0);
    assert_string_equal(data, "v2");
    free(data);
    assert_int_equal(count_dir(t.path), 1);

    /* empty file */
    assert_int_equal(lh_fs_write_atomic(p, "", 0, &err), 0);
    assert_int_equal(lh_fs_read_all(p, 1024, &data, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_string_equal(data, "");
    free(data);

    /* size cap */
    assert_int_equal(lh_fs_write_atomic(p, "0123456789", 10, &err), 0);
    data = (char *)"sentinel";
    assert_int_equal(lh_fs_read_all(p, 5, &data, &n, &err), -LH_ETOOBIG);
    assert_null(data);
    assert_int_equal(err.code, LH_ETOOBIG);
    assert_int_equal(lh_fs_read_all(p, 10, &data, &n, &err), 0);
    assert_int_equal(n, 10);
    free(data);

    /* missing file, missing directory */
    char *missing = lh_xasprintf("%s/nope", t.path);
    assert_int_equal(lh_fs_read_all(missing, 10, &data, &n, &err), -LH_ENOTFOUND);
    assert_null(data);
    char *nodir = lh_xasprintf("%s/no/such/file", t.path);
    assert_int_equal(lh_fs_write_atomic(nodir, "x", 1, &err), -LH_EIO);
    assert_false(lh_fs_exists(nodir));
    assert_int_equal(count_dir(t.path), 1);

    /* mkdir -p, exists, rm -rf */
    char *deep = lh_xasprintf("%s/a/b/c", t.path);
    assert_int_equal(lh_fs_mkdir_p(deep, &err), 0);
    assert_int_equal(lh_fs_mkdir_p(deep, &err), 0); /* existing is fine */
    assert_true(lh_fs_exists(deep));
    char *top = lh_xasprintf("%s/a", t.path);
    assert_int_equal(lh_fs_rm_rf(top), 0);
    assert_false(lh_fs_exists(top));
    assert_int_equal(lh_fs_rm_rf(top), 0); /* missing is fine */
    assert_int_equal(lh_fs_fsync_dir(t.path), 0);
    assert_int_equal(lh_fs_fsync_path(p), 0);
    assert_int_equal(lh_fs_fsync_path(missing), -LH_EIO);

    free(p);
    free(missing);
    free(nodir);
    free(deep);
    free(top);
    assert_int_equal(lh_fs_rm_rf(t.path), 0);
    assert_false(lh_fs_exists(t.path));
}

static void abspath_is(const char *in, const char *want)
{
    char *p = lh_fs_abspath(in);
    if (strcmp(p, want) != 0)
        fail_msg("abspath(%s) = %s, want %s", in, p, want);
    free(p);
}

static void test_fs_abspath(void **state)
{
    (void)state;
    abspath_is("/", "/");
    abspath_is("/a/b", "/a/b");
    abspath_is("/a/./b/../c", "/a/c");
    abspath_is("//x//y/", "/x/y");
    abspath_is("/..", "/");
    abspath_is("/../x", "/x");
    abspath_is("/a/../../b", "/b");
    abspath_is("/a/b/..", "/a");
    char cwd[PATH_MAX];
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    char *want = lh_xasprintf("%s/rel/x", strcmp(cwd, "/") ? cwd : "");
    abspath_is("rel/x", want);
    abspath_is("./rel/./x", want);
    free(want);
    abspath_is(".", cwd);
}

/* ---- hashing and ids ---- */

static void test_sha256(void **state)
{
    (void)state;
    char hex[65];
    lh_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    lh_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    /* streaming in pieces gives the same digest */
    struct lh_sha256 h;
    char hex2[65];
    const char *msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    lh_sha256_init(&h);
    for (size_t off = 0, len = strlen(msg); off < len; off += 5)
        lh_sha256_update(&h, msg + off, len - off < 5 ? len - off : 5);
    lh_sha256_final_hex(&h, hex2);
    assert_string_equal(hex2, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    assert_null(h.ctx);

    struct tmpdir t;
    struct lh_error err = {0};
    tmpdir_make(&t, "sha");
    char *p = write_tmp(&t, "abc.txt", "abc");
    assert_int_equal(lh_sha256_file(p, hex, &err), 0);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    char *missing = lh_xasprintf("%s/none", t.path);
    assert_int_equal(lh_sha256_file(missing, hex, &err), -LH_ENOTFOUND);
    free(p);
    free(missing);
    lh_fs_rm_rf(t.path);
}

static void test_uuid_and_random(void **state)
{
    (void)state;
    char a[37], b[37];
    for (int k = 0; k < 100; k++) {
        lh_uuid4(a);
        assert_int_equal(strlen(a), 36);
        for (int i = 0; i < 36; i++) {
            if (i == 8 || i == 13 || i == 18 || i == 23)
                assert_int_equal(a[i], '-');
            else
                assert_true(isxdigit((unsigned char)a[i]) && !isupper((unsigned char)a[i]));
        }
        assert_int_equal(a[14], '4');                 /* version 4 */
        assert_non_null(strchr("89ab", a[19]));       /* RFC 4122 variant */
    }
    lh_uuid4(b);
    assert_string_not_equal(a, b);

    char r1[17], r2[17];
    lh_random_hex(r1, 8);
    lh_random_hex(r2, 8);
    assert_int_equal(strlen(r1), 16);
    for (int i = 0; i < 16; i++)
        assert_true(isxdigit((unsigned char)r1[i]) && !isupper((unsigned char)r1[i]));
    assert_string_not_equal(r1, r2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_append_printf),
        cmocka_unit_test(test_buf_cap),
        cmocka_unit_test(test_buf_json_str),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_parse_size),
        cmocka_unit_test(test_config_defaults_and_set),
        cmocka_unit_test(test_config_file),
        cmocka_unit_test(test_config_env),
        cmocka_unit_test(test_fs_write_read),
        cmocka_unit_test(test_fs_abspath),
        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_uuid_and_random),
    };
    return cmocka_run_group_tests_name("base", tests, NULL, NULL);
}
