/* SPDX-License-Identifier: MIT */
/* extract.c - document detection, the all-or-nothing NDJSON writer and shared text helpers. */
#include "lh_common.h"
#include "extract.h"
#include "extract_int.h"
#include "buf.h"
#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utf8proc.h>

#define DETECT_HEAD ((size_t)64 << 10)

static const char *const kind_names[] = {"pdf", "text", "markdown", "chat"};

const char *lh_doc_kind_name(enum lh_doc_kind k)
{
    if ((unsigned)k >= LH_ARRAY_LEN(kind_names))
        return "unknown";
    return kind_names[k];
}

int lh_doc_kind_parse(const char *s, enum lh_doc_kind *out)
{
    static const struct {
        const char *name;
        enum lh_doc_kind kind;
    } names[] = {
        {"pdf", LH_DOC_PDF},   {"text", LH_DOC_TEXT},         {"txt", LH_DOC_TEXT},
        {"markdown", LH_DOC_MARKDOWN}, {"md", LH_DOC_MARKDOWN}, {"chat", LH_DOC_CHAT},
    };
    if (!s)
        return -LH_EINVAL;
    for (size_t i = 0; i < LH_ARRAY_LEN(names); i++) {
        if (strcasecmp(s, names[i].name) == 0) {
            *out = names[i].kind;
            return 0;
        }
    }
    return -LH_EINVAL;
}

/* ---- UTF-8 and whitespace helpers ---- */

void lh__extract_utf8_repair(const char *s, size_t n, struct lh_buf *out, int64_t *n_invalid)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    size_t i = 0;
    int64_t bad = 0;
    lh_buf_reserve(out, n);
    while (i < n) {
        size_t run = i;
        while (run < n && p[run] < 0x80)
            run++;
        if (run > i) {
            lh_buf_append(out, p + i, run - i);
            i = run;
            continue;
        }
        utf8proc_int32_t cp;
        size_t left = n - i;
        utf8proc_ssize_t len = utf8proc_iterate(p + i, left > 4 ? 4 : (utf8proc_ssize_t)left, &cp);
        if (len <= 0) {
            lh_buf_append(out, "\xEF\xBF\xBD", 3);
            bad++;
            i++;
        } else {
            lh_buf_append(out, p + i, (size_t)len);
            i += (size_t)len;
        }
    }
    if (n_invalid)
        *n_invalid += bad;
}

int64_t lh__extract_utf8_count(const char *s, size_t n)
{
    int64_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

size_t lh__extract_utf8_prefix(const char *s, size_t n, size_t max_cp)
{
    size_t cps = 0;
    for (size_t i = 0; i < n; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (cps == max_cp)
                return i;
            cps++;
        }
    }
    return n;
}

void lh__extract_decode(const char *s, size_t n, struct lh_buf *out, int64_t *n_invalid)
{
    lh_buf_reset(out);
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3;
        n -= 3;
    }
    struct lh_buf tmp = LH_BUF_INIT;
    lh_buf_reserve(&tmp, n);
    size_t i = 0;
    while (i < n) {
        const char *cr = memchr(s + i, '\r', n - i);
        size_t end = cr ? (size_t)(cr - s) : n;
        lh_buf_append(&tmp, s + i, end - i);
        if (!cr)
            break;
        lh_buf_putc(&tmp, '\n');
        i = end + 1;
        if (i < n && s[i] == '\n')
            i++;
    }
    lh__extract_utf8_repair(tmp.ptr, tmp.len, out, n_invalid);
    lh_buf_release(&tmp);
}

/* Length of a blank character at p (0 if not blank): ASCII blanks and controls other than
 * '\n', NBSP (U+00A0), NNBSP (U+202F), U+2000..U+200A, ideographic space (U+3000). */
static size_t blank_len(const unsigned char *p, size_t n)
{
    if (p[0] < 0x20 && p[0] != '\n')
        return 1;
    if (p[0] == ' ' || p[0] == 0x7F)
        return 1;
    if (n >= 2 && p[0] == 0xC2 && p[1] == 0xA0)
        return 2;
    if (n >= 3 && p[0] == 0xE2 && p[1] == 0x80 && (p[2] <= 0x8A || p[2] == 0xAF))
        return 3;
    if (n >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
        return 3;
    return 0;
}

/* Length of an invisible format character at p (0 if not): ZWSP, ZWNJ, ZWJ (U+200B..D),
 * word joiner (U+2060), BOM/ZWNBSP (U+FEFF). They are dropped from page text and never
 * count as visible. */
static size_t invisible_len(const unsigned char *p, size_t n)
{
    if (n >= 3 && p[0] == 0xE2 && p[1] == 0x80 && p[2] >= 0x8B && p[2] <= 0x8D)
        return 3;
    if (n >= 3 && p[0] == 0xE2 && p[1] == 0x81 && p[2] == 0xA0)
        return 3;
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        return 3;
    return 0;
}

void lh__extract_normalize_ws(const char *s, size_t n, struct lh_buf *out)
{
    const unsigned char *p = (const unsigned char *)s;
    lh_buf_reset(out);
    size_t i = 0;
    int blank_lines = 0; /* empty lines since the last line with a word */
    while (i < n) {
        size_t eol = i;
        while (eol < n && p[eol] != '\n')
            eol++;
        bool line_has_word = false;
        bool pending_space = false;
        size_t j = i;
        while (j < eol) {
            size_t bl = blank_len(p + j, eol - j);
            if (bl) {
                pending_space = line_has_word;
                j += bl;
                continue;
            }
            size_t il = invisible_len(p + j, eol - j);
            if (il) {
                j += il;
                continue;
            }
            if (!line_has_word) {
                if (out->len)
                    lh_buf_append(out, "\n\n", blank_lines ? 2 : 1);
                line_has_word = true;
            } else if (pending_space) {
                lh_buf_putc(out, ' ');
            }
            pending_space = false;
            size_t k = j + 1;
            while (k < eol && (p[k] & 0xC0) == 0x80)
                k++;
            lh_buf_append(out, p + j, k - j);
            j = k;
        }
        blank_lines = line_has_word ? 0 : blank_lines + 1;
        i = eol + 1;
    }
}

int64_t lh__extract_visible_count(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    int64_t c = 0;
    size_t i = 0;
    while (i < n) {
        size_t bl = p[i] == '\n' ? 1 : blank_len(p + i, n - i);
        if (!bl)
            bl = invisible_len(p + i, n - i);
        if (bl) {
            i += bl;
            continue;
        }
        c++;
        i++;
        while (i < n && (p[i] & 0xC0) == 0x80)
            i++;
    }
    return c;
}

void lh__extract_doc_id(const void *p, size_t n, char out[17])
{
    char hex[65];
    lh_sha256_hex(p, n, hex);
    memcpy(out, hex, 16);
    out[16] = '\0';
}

int lh__extract_doc_id_file(const char *path, const char *display, char out[17],
                            struct lh_error *err)
{
    char hex[65];
    struct lh_error e2 = {0};
    if (lh_sha256_file(path, hex, &e2) != 0)
        return lh_error_set(err, e2.code ? e2.code : LH_EIO, "cannot read %s: %s", display,
                            e2.msg);
    memcpy(out, hex, 16);
    out[16] = '\0';
    return 0;
}

int lh__extract_read_file(const char *path, const char *display, size_t max, char **out,
                          size_t *out_len, struct lh_error *err)
{
    int rc = 0;
    char *data = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        return lh_error_set(err, e == ENOENT ? LH_ENOTFOUND : LH_EIO, "cannot open %s: %s",
                            display, strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = lh_error_set(err, LH_EINVAL, "%s is not a regular file", display);
        goto out;
    }
    if ((uint64_t)st.st_size > max) {
        rc = lh_error_set(err, LH_ETOOBIG, "%s is too large (%lld bytes; the limit is %zu)",
                          display, (long long)st.st_size, max);
        goto out;
    }
    size_t cap = (size_t)st.st_size;
    data = lh_xmalloc(cap + 1);
    size_t len = 0;
    for (;;) {
        if (len == cap) {
            /* the file grew since fstat: accept up to max */
            if (cap >= max) {
                char c;
                ssize_t r = read(fd, &c, 1);
                if (r == 0)
                    break;
                rc = lh_error_set(err, LH_ETOOBIG, "%s is too large (the limit is %zu bytes)",
                                  display, max);
                goto out;
            }
            cap = cap * 2 + 4096 > max ? max : cap * 2 + 4096;
            data = lh_xrealloc(data, cap + 1);
        }
        ssize_t r = read(fd, data + len, cap - len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            rc = lh_error_set(err, LH_EIO, "cannot read %s: %s", display, strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    data[len] = '\0';
    *out = data;
    *out_len = len;
    data = NULL;
out:
    free(data);
    close(fd);
    return rc;
}

int lh__extract_json_kv_str(struct lh_buf *b, bool first, const char *key, const char *s,
                            size_t n)
{
    int rc = lh_buf_printf(b, "%s\"%s\":", first ? "" : ",", key);
    if (rc == 0)
        rc = s ? lh_buf_json_str(b, s, n) : lh_buf_puts(b, "null");
    return rc;
}

/* ---- detection ---- */

/* Lower-case extension of name without the dot ("" if none), into ext[16]. */
static void name_ext(const char *name, char ext[16])
{
    ext[0] = '\0';
    if (!name)
        return;
    const char *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base || strlen(dot + 1) >= 16)
        return;
    size_t i = 0;
    for (const char *p = dot + 1; *p; p++)
        ext[i++] = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
    ext[i] = '\0';
}

static bool ext_in(const char *ext, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(ext, *list) == 0)
            return true;
    return false;
}

/* Bytes that do not belong in text: invalid UTF-8 and C0 controls other than tab, LF, CR,
 * FF, ESC. The last incomplete sequence of a cut head is not counted. */
static size_t binary_bytes(const unsigned char *p, size_t n, bool cut)
{
    size_t bad = 0, i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c < 0x80) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1B)
                bad++;
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        size_t left = n - i;
        utf8proc_ssize_t len = utf8proc_iterate(p + i, left > 4 ? 4 : (utf8proc_ssize_t)left, &cp);
        if (len <= 0) {
            if (cut && left < 4)
                break;
            bad++;
            i++;
        } else {
            i += (size_t)len;
        }
    }
    return bad;
}

/* JSON text or NDJSON: '{' first, or '[' followed by a value start. */
static bool looks_json(const char *s, size_t n)
{
    size_t i = n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    while (i < n && strchr(" \t\r\n", s[i]))
        i++;
    if (i == n)
        return false;
    if (s[i] == '{')
        return true;
    if (s[i] != '[')
        return false;
    i++;
    while (i < n && strchr(" \t\r\n", s[i]))
        i++;
    return i < n && strchr("{[\"]", s[i]) != NULL;
}

/* Delimited data: the first line has a delimiter, and >= 80% of the first 20 lines carry
 * the same number of it. */
static bool looks_csv(const char *s, size_t n)
{
    static const char delims[] = ",;\t|";
    for (const char *d = delims; *d; d++) {
        int first = -1, lines = 0, same = 0;
        size_t i = 0;
        while (i < n && lines < 20) {
            const char *nl = memchr(s + i, '\n', n - i);
            size_t end = nl ? (size_t)(nl - s) : n;
            int c = 0;
            for (size_t k = i; k < end; k++)
                c += s[k] == *d;
            if (end > i) {
                if (first < 0)
                    first = c;
                lines++;
                same += c == first;
            }
            i = end + 1;
        }
        if (first > 0 && lines >= 2 && same * 10 >= lines * 8)
            return true;
    }
    return false;
}

int lh_extract_detect(const char *path, const char *name_hint, enum lh_doc_kind *out)
{
    static const char *const data_exts[] = {
        "csv", "tsv", "json", "ndjson", "jsonl", "parquet", "xlsx", "xls", "zip", "gz", "zst",
        "bz2", "xz", "tar", "db", "sqlite", "arrow", "feather", "avro", "orc", NULL};
    static const char *const md_exts[] = {"md", "markdown", "mdown", "mkd", NULL};
    static const char *const txt_exts[] = {"txt", "text", "log", NULL};
    int rc = 0;
    char ext[16];
    struct lh_buf txt = LH_BUF_INIT;
    char *head = lh_xmalloc(DETECT_HEAD);
    size_t n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        rc = errno == ENOENT ? -LH_ENOTFOUND : -LH_EIO;
        goto out;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = -LH_ENOTFOUND;
        goto out;
    }
    while (n < DETECT_HEAD) {
        ssize_t r = read(fd, head + n, DETECT_HEAD - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = -LH_EIO;
            goto out;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    name_ext(name_hint ? name_hint : path, ext);
    if (n >= 5 && memcmp(head, "%PDF-", 5) == 0) {
        *out = LH_DOC_PDF;
        goto out;
    }
    if (strcmp(ext, "pdf") == 0) {
        *out = LH_DOC_PDF; /* extraction then says why it is not a valid PDF */
        goto out;
    }
    if (ext_in(ext, data_exts) || memchr(head, '\0', n)) {
        rc = -LH_ENOTFOUND;
        goto out;
    }
    bool cut = (off_t)n < st.st_size;
    if (binary_bytes((const unsigned char *)head, n, cut) * 10 > n) {
        rc = -LH_ENOTFOUND;
        goto out;
    }
    if (cut) {
        /* judge whole lines only */
        const char *nl = memrchr(head, '\n', n);
        if (nl)
            n = (size_t)(nl - head) + 1;
    }
    if (ext_in(ext, md_exts)) {
        *out = LH_DOC_MARKDOWN;
        goto out;
    }
    lh__extract_decode(head, n, &txt, NULL);
    if (lh__extract_chat_sniff(txt.ptr, txt.len)) {
        *out = LH_DOC_CHAT;
        goto out;
    }
    if (ext_in(ext, txt_exts)) {
        *out = LH_DOC_TEXT;
        goto out;
    }
    if (lh__extract_visible_count(txt.ptr, txt.len) == 0 || looks_json(head, n) ||
        looks_csv(head, n)) {
        rc = -LH_ENOTFOUND;
        goto out;
    }
    *out = LH_DOC_TEXT;
out:
    if (fd >= 0)
        close(fd);
    free(head);
    lh_buf_release(&txt);
    return rc;
}

/* ---- extraction entry point ---- */

/* Writes all rows or nothing; on a failed write the file is cut back to where it was. */
static int write_rows(FILE *out, const struct lh_buf *rows, const char *display,
                      struct lh_error *err)
{
    long before = ftell(out);
    errno = 0;
    size_t w = fwrite(rows->ptr, 1, rows->len, out);
    if (w == rows->len && fflush(out) == 0)
        return 0;
    int e = errno;
    if (before >= 0) {
        /* best effort: drop the partial rows */
        fflush(out);
        if (ftruncate(fileno(out), before) == 0)
            fseek(out, before, SEEK_SET);
    }
    clearerr(out);
    return lh_error_set(err, LH_EIO, "cannot write the rows of %s: %s", display,
                        e ? strerror(e) : "short write");
}

int lh_extract_file(const char *path, const char *display_name, enum lh_doc_kind kind,
                    const struct lh_extract_opts *o, FILE *out, struct lh_extract_result *res,
                    struct lh_error *err)
{
    static const struct lh_extract_opts defaults = {.ocr = true};
    struct lh_extract_result r = {.kind = kind};
    struct lh_buf rows;
    const char *display = display_name ? display_name : path;
    int rc;
    lh_buf_init(&rows, LH__EXTRACT_MAX_OUTPUT);
    if (!o)
        o = &defaults;
    switch (kind) {
    case LH_DOC_PDF:
        rc = lh__extract_pdf(path, display, o, &rows, &r, err);
        break;
    case LH_DOC_TEXT:
    case LH_DOC_MARKDOWN:
        rc = lh__extract_text(path, display, kind == LH_DOC_MARKDOWN, &rows, &r, err);
        break;
    case LH_DOC_CHAT:
        rc = lh__extract_chat(path, display, &rows, &r, err);
        break;
    default:
        rc = lh_error_set(err, LH_EINVAL, "unknown document kind %d for %s", (int)kind, display);
        break;
    }
    if (rc == 0 && r.rows == 0)
        rc = lh_error_set(err, LH_EINVAL, "%s contains no text", display);
    if (rc == 0)
        rc = write_rows(out, &rows, display, err);
    if (rc == 0 && res)
        *res = r;
    lh_buf_release(&rows);
    return rc;
}
