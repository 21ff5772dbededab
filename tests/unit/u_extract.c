/* SPDX-License-Identifier: MIT */
/* u_extract.c - unit tests of document extraction: real PDFs made with ghostscript (text,
 * image-only for OCR, encrypted, truncated, corrupt), text, Markdown, chat exports, detection. */
#include "lh_common.h"
#include "extract.h"
#include "buf.h"
#include "fs.h"
#include "hash.h"

#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

extern char **environ;

/* The fixtures live for the whole group: making PDFs costs a few gs runs. */
static char g_dir[64];

static char *fx_path(const char *name)
{
    return lh_xasprintf("%s/%s", g_dir, name);
}

static void write_file(const char *name, const void *data, size_t n)
{
    char *p = fx_path(name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    free(p);
}

static void write_str(const char *name, const char *s)
{
    write_file(name, s, strlen(s));
}

/* Runs gs with the given arguments (NULL-terminated) in g_dir, quietly. */
static int run_gs(const char *const *args)
{
    const char *argv[32];
    int n = 0;
    argv[n++] = "gs";
    argv[n++] = "-q";
    argv[n++] = "-dNOPAUSE";
    argv[n++] = "-dBATCH";
    argv[n++] = "-dSAFER";
    for (; *args && n < 30; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int rc = posix_spawnp(&pid, "gs", &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return -1;
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return -1;
    return 0;
}

/* A 2-page text PDF: spaced words, a paragraph break, Latin-1 accents. */
static const char text_ps[] =
    "%!PS\n"
    "/Helvetica findfont dup length dict begin\n"
    "  { 1 index /FID ne { def } { pop pop } ifelse } forall\n"
    "  /Encoding ISOLatin1Encoding def currentdict end\n"
    "/HelvL1 exch definefont pop\n"
    "/HelvL1 findfont 14 scalefont setfont\n"
    "72 700 moveto (Hello Lakehouse page one) show\n"
    "72 680 moveto (Second     line   12345) show\n"
    "72 600 moveto (A new paragraph here.) show\n"
    "showpage\n"
    "/HelvL1 findfont 14 scalefont setfont\n"
    "72 700 moveto (Page two: caf\\351 cr\\350me) show\n"
    "showpage\n";

/* A small page with large words; rendered to an image-only PDF (no text layer). */
static const char image_ps[] =
    "%!PS\n"
    "<< /PageSize [360 144] >> setpagedevice\n"
    "/Helvetica-Bold findfont 36 scalefont setfont\n"
    "20 84 moveto (LAKEHOUSE) show\n"
    "20 30 moveto (12345 OCR) show\n"
    "showpage\n";

static void fill_random(unsigned char *p, size_t n, unsigned *seed, bool no_nul)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (unsigned char)(rand_r(seed) >> 7);
        if (no_nul && p[i] == 0)
            p[i] = 0xFF;
    }
}

static int group_setup(void **state)
{
    LH_UNUSED(state);
    snprintf(g_dir, sizeof(g_dir), "/tmp/u_extract.XXXXXX");
    if (!mkdtemp(g_dir))
        return -1;
    if (chdir(g_dir) != 0)
        return -1;
    write_str("text.ps", text_ps);
    write_str("image.ps", image_ps);
    const char *a1[] = {"-sDEVICE=pdfwrite", "-sOutputFile=text.pdf", "text.ps", NULL};
    const char *a2[] = {"-sDEVICE=pdfimage8", "-r150", "-sOutputFile=image.pdf", "image.ps",
                        NULL};
    const char *a3[] = {"-sDEVICE=pdfwrite", "-sOwnerPassword=owner", "-sUserPassword=secret",
                        "-dEncryptionR=3", "-dKeyLength=128", "-sOutputFile=enc.pdf", "text.ps",
                        NULL};
    if (run_gs(a1) || run_gs(a2) || run_gs(a3)) {
        fprintf(stderr, "u_extract: ghostscript failed to make the test PDFs\n");
        return -1;
    }
    /* truncated: the first half of text.pdf */
    char *data = NULL;
    size_t n = 0;
    char *p = fx_path("text.pdf");
    if (lh_fs_read_all(p, 1 << 20, &data, &n, NULL) != 0)
        return -1;
    free(p);
    write_file("trunc.pdf", data, n / 2);
    free(data);
    /* corrupt: random bytes after a header, with and without an %%EOF trailer */
    unsigned seed = 42;
    unsigned char junk[4096];
    memcpy(junk, "%PDF-1.7\n", 9);
    fill_random(junk + 9, sizeof(junk) - 9, &seed, false);
    write_file("corrupt.pdf", junk, sizeof(junk) - 16);
    memcpy(junk + sizeof(junk) - 7, "\n%%EOF\n", 7);
    write_file("corrupt_eof.pdf", junk, sizeof(junk));
    return 0;
}

static int group_teardown(void **state)
{
    LH_UNUSED(state);
    if (chdir("/") != 0)
        return -1;
    lh_fs_rm_rf(g_dir);
    return 0;
}

/* ---- running an extraction into a temp FILE ---- */

struct run {
    int rc;
    struct lh_error err;
    struct lh_extract_result res;
    char *out;        /* what was appended after the prefix */
    json_t *rows;     /* array of parsed rows */
};

static const char prefix[] = "{\"existing\":1}\n";

static void run_free(struct run *r)
{
    free(r->out);
    json_decref(r->rows);
    memset(r, 0, sizeof(*r));
}

/* Extracts `name` (in g_dir) into a temp file that already holds a row; checks that an
 * error leaves the file untouched and that every appended line is one JSON object. */
static void run_extract(const char *name, enum lh_doc_kind kind, const struct lh_extract_opts *o,
                        struct run *r)
{
    memset(r, 0, sizeof(*r));
    char *path = fx_path(name);
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fputs(prefix, f) >= 0, 1);
    long before = ftell(f);
    r->rc = lh_extract_file(path, name, kind, o, f, &r->res, &r->err);
    long after = ftell(f);
    if (r->rc != 0) {
        assert_int_equal(before, after);
        assert_true(r->err.code > 0);
        assert_non_null(strstr(r->err.msg, name)); /* the message names the file */
    }
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    assert_int_equal(size, after);
    r->out = lh_xcalloc(1, (size_t)(size - before) + 1);
    assert_int_equal(fseek(f, 0, SEEK_SET), 0);
    char head[sizeof(prefix)];
    assert_int_equal(fread(head, 1, sizeof(prefix) - 1, f), sizeof(prefix) - 1);
    assert_memory_equal(head, prefix, sizeof(prefix) - 1);
    assert_int_equal(fread(r->out, 1, (size_t)(size - before), f), (size_t)(size - before));
    fclose(f);
    free(path);
    r->rows = json_array();
    char *line = r->out;
    while (*line) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl); /* every row ends with a newline */
        json_error_t je;
        json_t *row = json_loadb(line, (size_t)(nl - line), 0, &je);
        if (!row)
            fail_msg("bad row JSON: %s in %.*s", je.text, (int)(nl - line), line);
        assert_true(json_is_object(row));
        json_array_append_new(r->rows, row);
        line = nl + 1;
    }
    if (r->rc == 0)
        assert_int_equal(json_array_size(r->rows), r->res.rows);
    else
        assert_int_equal(json_array_size(r->rows), 0);
}

static json_t *row_at(struct run *r, size_t i)
{
    json_t *row = json_array_get(r->rows, i);
    assert_non_null(row);
    return row;
}

static const char *row_str(json_t *row, const char *key)
{
    json_t *v = json_object_get(row, key);
    assert_non_null(v);
    return json_is_null(v) ? NULL : json_string_value(v);
}

static json_int_t row_int(json_t *row, const char *key)
{
    json_t *v = json_object_get(row, key);
    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

/* Checks the keys of a row, in order ("a,b,c"). */
static void assert_keys(json_t *row, const char *keys)
{
    struct lh_buf b = LH_BUF_INIT;
    const char *k;
    json_t *v;
    json_object_foreach(row, k, v)
    {
        if (b.len)
            lh_buf_putc(&b, ',');
        lh_buf_puts(&b, k);
    }
    assert_string_equal(b.ptr, keys);
    lh_buf_release(&b);
}

static int64_t utf8_chars(const char *s)
{
    int64_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static bool contains_ci(const char *hay, const char *needle)
{
    return hay && strcasestr(hay, needle) != NULL;
}

/* ---- PDF ---- */

static void test_kind_names(void **state)
{
    LH_UNUSED(state);
    enum lh_doc_kind k;
    for (int i = LH_DOC_PDF; i <= LH_DOC_CHAT; i++) {
        assert_int_equal(lh_doc_kind_parse(lh_doc_kind_name((enum lh_doc_kind)i), &k), 0);
        assert_int_equal(k, i);
    }
    assert_string_equal(lh_doc_kind_name(LH_DOC_MARKDOWN), "markdown");
    assert_int_equal(lh_doc_kind_parse("md", &k), 0);
    assert_int_equal(k, LH_DOC_MARKDOWN);
    assert_int_equal(lh_doc_kind_parse("txt", &k), 0);
    assert_int_equal(k, LH_DOC_TEXT);
    assert_int_equal(lh_doc_kind_parse("csv", &k), -LH_EINVAL);
    assert_int_equal(lh_doc_kind_parse("", &k), -LH_EINVAL);
    assert_int_equal(lh_doc_kind_parse(NULL, &k), -LH_EINVAL);
}

static void test_pdf_text(void **state)
{
    LH_UNUSED(state);
    struct run r;
    struct lh_extract_opts o = {.ocr = true, .ocr_dpi = 150};
    run_extract("text.pdf", LH_DOC_PDF, &o, &r);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.res.kind, LH_DOC_PDF);
    assert_int_equal(r.res.rows, 2);
    assert_int_equal(r.res.pages, 2);
    assert_int_equal(r.res.ocr_pages, 0);
    assert_int_equal(r.res.invalid_utf8, 0);
    json_t *p1 = row_at(&r, 0), *p2 = row_at(&r, 1);
    assert_keys(p1, "doc_id,file,page,text,char_count,ocr");
    assert_int_equal(row_int(p1, "page"), 1);
    assert_int_equal(row_int(p2, "page"), 2);
    assert_string_equal(row_str(p1, "file"), "text.pdf");
    const char *t1 = row_str(p1, "text"), *t2 = row_str(p2, "text");
    assert_non_null(strstr(t1, "Hello Lakehouse page one"));
    assert_non_null(strstr(t1, "Second line 12345")); /* runs of spaces collapsed */
    assert_non_null(strstr(t1, "\n\nA new paragraph here.")); /* paragraph break kept */
    assert_null(strstr(t1, "\n\n\n"));
    assert_true(t1[0] != ' ' && t1[0] != '\n' && t1[strlen(t1) - 1] != '\n');
    assert_non_null(strstr(t2, "caf\xC3\xA9 cr\xC3\xA8me"));
    assert_int_equal(row_int(p1, "char_count"), utf8_chars(t1));
    assert_int_equal(row_int(p2, "char_count"), utf8_chars(t2));
    assert_true(row_int(p2, "char_count") < (json_int_t)strlen(t2)); /* code points */
    assert_true(json_is_false(json_object_get(p1, "ocr")));
    /* doc_id: 16 hex chars of the file's SHA-256, the same on every page and every run */
    char hex[65];
    char *path = fx_path("text.pdf");
    assert_int_equal(lh_sha256_file(path, hex, NULL), 0);
    free(path);
    hex[16] = '\0';
    assert_string_equal(row_str(p1, "doc_id"), hex);
    assert_string_equal(row_str(p2, "doc_id"), hex);
    char *first = lh_xstrdup(r.out);
    run_free(&r);
    run_extract("text.pdf", LH_DOC_PDF, NULL, &r);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, first);
    free(first);
    run_free(&r);
}

static void test_pdf_ocr(void **state)
{
    LH_UNUSED(state);
    struct run r;
    struct lh_extract_opts o = {.ocr = true, .ocr_dpi = 150};
    run_extract("image.pdf", LH_DOC_PDF, &o, &r);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.res.pages, 1);
    assert_int_equal(r.res.ocr_pages, 1);
    json_t *p1 = row_at(&r, 0);
    assert_true(json_is_true(json_object_get(p1, "ocr")));
    const char *t = row_str(p1, "text");
    if (!contains_ci(t, "LAKEHOUSE") || !contains_ci(t, "12345"))
        fail_msg("OCR text is '%s'", t);
    assert_int_equal(row_int(p1, "char_count"), utf8_chars(t));
    run_free(&r);
    /* without OCR the page is a row with no text */
    o.ocr = false;
    run_extract("image.pdf", LH_DOC_PDF, &o, &r);
    assert_int_equal(r.rc, 0);
    p1 = row_at(&r, 0);
    assert_string_equal(row_str(p1, "text"), "");
    assert_int_equal(row_int(p1, "char_count"), 0);
    assert_true(json_is_false(json_object_get(p1, "ocr")));
    assert_int_equal(r.res.ocr_pages, 0);
    run_free(&r);
    /* a missing language data directory is a clear error, output untouched */
    o.ocr = true;
    o.tessdata = "/nonexistent/tessdata";
    run_extract("image.pdf", LH_DOC_PDF, &o, &r);
    assert_int_equal(r.rc, -LH_EINTERNAL);
    assert_non_null(strstr(r.err.msg, "OCR"));
    run_free(&r);
}

static void test_pdf_encrypted(void **state)
{
    LH_UNUSED(state);
    struct run r;
    run_extract("enc.pdf", LH_DOC_PDF, NULL, &r);
    assert_int_equal(r.rc, -LH_EINVAL);
    assert_non_null(strstr(r.err.msg, "enc.pdf is encrypted (password protected)"));
    run_free(&r);
}

static void test_pdf_truncated_and_corrupt(void **state)
{
    LH_UNUSED(state);
    static const char *const names[] = {"trunc.pdf", "corrupt.pdf", "corrupt_eof.pdf"};
    struct run r;
    for (size_t i = 0; i < LH_ARRAY_LEN(names); i++) {
        run_extract(names[i], LH_DOC_PDF, NULL, &r);
        assert_int_equal(r.rc, -LH_EINVAL);
        if (!strstr(r.err.msg, "corrupt") && !strstr(r.err.msg, "truncated"))
            fail_msg("%s: unclear message '%s'", names[i], r.err.msg);
        run_free(&r);
    }
    /* not a PDF at all, and tiny files */
    write_str("notpdf.pdf", "just some text\n");
    write_str("one.pdf", "%");
    write_str("zero.pdf", "");
    write_str("header.pdf", "%PDF-1.4\n%%EOF\n");
    static const char *const bad[] = {"notpdf.pdf", "one.pdf", "zero.pdf", "header.pdf"};
    for (size_t i = 0; i < LH_ARRAY_LEN(bad); i++) {
        run_extract(bad[i], LH_DOC_PDF, NULL, &r);
        assert_int_equal(r.rc, -LH_EINVAL);
        run_free(&r);
    }
    run_extract("missing.pdf", LH_DOC_PDF, NULL, &r);
    assert_int_equal(r.rc, -LH_ENOTFOUND);
    run_free(&r);
}

static void test_pdf_max_pages(void **state)
{
    LH_UNUSED(state);
    struct run r;
    struct lh_extract_opts o = {.ocr = false, .max_pages = 1};
    run_extract("text.pdf", LH_DOC_PDF, &o, &r);
    assert_int_equal(r.rc, -LH_ETOOBIG);
    assert_non_null(strstr(r.err.msg, "2 pages"));
    run_free(&r);
    o.max_pages = 2;
    run_extract("text.pdf", LH_DOC_PDF, &o, &r);
    assert_int_equal(r.rc, 0);
    run_free(&r);
}

static void *pdf_thread(void *arg)
{
    const char *want = arg;
    for (int i = 0; i < 3; i++) {
        char *path = fx_path("text.pdf");
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        struct lh_error err = {0};
        int rc = lh_extract_file(path, "text.pdf", LH_DOC_PDF, NULL, f, NULL, &err);
        fclose(f);
        bool ok = rc == 0 && strcmp(buf, want) == 0;
        free(buf);
        free(path);
        if (!ok)
            return (void *)1;
    }
    return NULL;
}

/* Two OCR jobs at once, each with its own Tesseract handle. */
static void *ocr_thread(void *arg)
{
    LH_UNUSED(arg);
    char *path = fx_path("image.pdf");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct lh_error err = {0};
    struct lh_extract_opts o = {.ocr = true, .ocr_dpi = 150};
    struct lh_extract_result res;
    int rc = lh_extract_file(path, "image.pdf", LH_DOC_PDF, &o, f, &res, &err);
    fclose(f);
    bool ok = rc == 0 && res.ocr_pages == 1 && strcasestr(buf, "lakehouse") != NULL;
    free(buf);
    free(path);
    return ok ? NULL : (void *)1;
}

static void test_pdf_threads(void **state)
{
    LH_UNUSED(state);
    struct run r;
    run_extract("text.pdf", LH_DOC_PDF, NULL, &r);
    assert_int_equal(r.rc, 0);
    pthread_t th[6];
    for (int i = 0; i < 6; i++)
        assert_int_equal(pthread_create(&th[i], NULL, i < 4 ? pdf_thread : ocr_thread, r.out),
                         0);
    for (int i = 0; i < 6; i++) {
        void *ret;
        assert_int_equal(pthread_join(th[i], &ret), 0);
        assert_null(ret);
    }
    run_free(&r);
}

/* A failed write (read-only stream) is an error and leaves nothing behind. */
static void test_write_error(void **state)
{
    LH_UNUSED(state);
    write_str("w.txt", "hello\n");
    write_str("ro.ndjson", "");
    char *path = fx_path("w.txt"), *out = fx_path("ro.ndjson");
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    struct lh_error err = {0};
    assert_int_equal(lh_extract_file(path, "w.txt", LH_DOC_TEXT, NULL, f, NULL, &err), -LH_EIO);
    assert_non_null(strstr(err.msg, "w.txt"));
    fclose(f);
    struct stat st;
    assert_int_equal(stat(out, &st), 0);
    assert_int_equal(st.st_size, 0);
    free(path);
    free(out);
}

/* ---- text and Markdown ---- */

static void test_text_basic(void **state)
{
    LH_UNUSED(state);
    /* BOM, CRLF, blank first lines, and invalid UTF-8: a stray 0xFF, a truncated 3-byte
     * sequence (2 bytes), an overlong '/' (2 bytes), a surrogate (3 bytes) = 8 bytes */
    static const char body[] = "\xEF\xBB\xBF\r\n  \r\n  First line title  \r\n"
                               "caf\xC3\xA9 \xFF x \xE2\x82 y \xC0\xAF z \xED\xA0\x80.\r\n"
                               "last\rline\r\n\r\n";
    write_file("basic.txt", body, sizeof(body) - 1);
    struct run r;
    run_extract("basic.txt", LH_DOC_TEXT, NULL, &r);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.res.rows, 1);
    assert_int_equal(r.res.invalid_utf8, 8);
    json_t *row = row_at(&r, 0);
    assert_keys(row, "doc_id,file,kind,title,text,char_count,invalid_utf8");
    assert_string_equal(row_str(row, "kind"), "text");
    assert_string_equal(row_str(row, "title"), "First line title");
    const char *t = row_str(row, "text");
    assert_string_equal(t, "  First line title  \n"
                           "caf\xC3\xA9 \xEF\xBF\xBD x \xEF\xBF\xBD\xEF\xBF\xBD y "
                           "\xEF\xBF\xBD\xEF\xBF\xBD z \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD.\n"
                           "last\nline");
    assert_int_equal(row_int(row, "char_count"), utf8_chars(t));
    assert_int_equal(row_int(row, "invalid_utf8"), 8);
    char id[17];
    char hex[65];
    lh_sha256_hex(body, sizeof(body) - 1, hex);
    memcpy(id, hex, 16);
    id[16] = '\0';
    assert_string_equal(row_str(row, "doc_id"), id);
    run_free(&r);
}

static void test_text_title_limits(void **state)
{
    LH_UNUSED(state);
    struct lh_buf b = LH_BUF_INIT;
    for (int i = 0; i < 300; i++)
        lh_buf_puts(&b, "\xC3\xA9"); /* é, 2 bytes */
    lh_buf_puts(&b, "\nbody\n");
    write_file("long.txt", b.ptr, b.len);
    struct run r;
    run_extract("long.txt", LH_DOC_TEXT, NULL, &r);
    assert_int_equal(r.rc, 0);
    const char *title = row_str(row_at(&r, 0), "title");
    assert_int_equal(utf8_chars(title), 200);
    assert_int_equal(strlen(title), 400);
    run_free(&r);
    lh_buf_release(&b);
}

static void test_markdown_title(void **state)
{
    LH_UNUSED(state);
    struct run r;
    write_str("a.md", "---\ntitle: front\n---\nIntro paragraph.\n\n```\n# not a heading\n```\n"
                      "## The *Real* Title ##\n\nText.\n");
    run_extract("a.md", LH_DOC_MARKDOWN, NULL, &r);
    assert_int_equal(r.rc, 0);
    json_t *row = row_at(&r, 0);
    assert_string_equal(row_str(row, "kind"), "markdown");
    assert_string_equal(row_str(row, "title"), "The *Real* Title");
    assert_non_null(strstr(row_str(row, "text"), "# not a heading"));
    run_free(&r);
    write_str("b.md", "\nSetext Title\n============\n\nbody #notatitle\n");
    run_extract("b.md", LH_DOC_MARKDOWN, NULL, &r);
    assert_int_equal(r.rc, 0);
    assert_string_equal(row_str(row_at(&r, 0), "title"), "Setext Title");
    run_free(&r);
    write_str("c.md", "no heading here\n- item\n#hashtag is not a heading\n");
    run_extract("c.md", LH_DOC_MARKDOWN, NULL, &r);
    assert_int_equal(r.rc, 0);
    assert_string_equal(row_str(row_at(&r, 0), "title"), "no heading here");
    run_free(&r);
    /* the same file as plain text: the first line, '#' kept */
    write_str("d.txt", "# Heading\ntext\n");
    run_extract("d.txt", LH_DOC_TEXT, NULL, &r);
    assert_int_equal(r.rc, 0);
    assert_string_equal(row_str(row_at(&r, 0), "title"), "# Heading");
    run_free(&r);
}

static void test_text_errors(void **state)
{
    LH_UNUSED(state);
    struct run r;
    write_str("empty.txt", "");
    write_str("blank.txt", " \n\t\r\n\xEF\xBB\xBF");
    write_file("nul.txt", "ab\0cd", 5);
    static const char *const names[] = {"empty.txt", "blank.txt", "nul.txt"};
    for (size_t i = 0; i < LH_ARRAY_LEN(names); i++) {
        for (int k = LH_DOC_TEXT; k <= LH_DOC_CHAT; k++) {
            run_extract(names[i], (enum lh_doc_kind)k, NULL, &r);
            assert_int_equal(r.rc, -LH_EINVAL);
            run_free(&r);
        }
    }
    run_extract("missing.txt", LH_DOC_TEXT, NULL, &r);
    assert_int_equal(r.rc, -LH_ENOTFOUND);
    run_free(&r);
    write_str("prose.txt", "This is not a chat.\nNo timestamps here.\n");
    run_extract("prose.txt", LH_DOC_CHAT, NULL, &r);
    assert_int_equal(r.rc, -LH_EINVAL);
    assert_non_null(strstr(r.err.msg, "chat"));
    run_free(&r);
    run_extract("prose.txt", (enum lh_doc_kind)42, NULL, &r);
    assert_int_equal(r.rc, -LH_EINVAL);
    run_free(&r);
}

/* Random bytes, truncated and overlong sequences, tiny files: never a crash; either a clean
 * error or valid rows (run_extract parses every row). */
static void test_fuzzish(void **state)
{
    LH_UNUSED(state);
    static const char *const samples[] = {
        "a", "\xC3", "\xE2\x82", "\xF0\x9F\x98", "\xC0\x80", "\xE0\x80\xAF", "\xF8\x88\x80\x80\x80",
        "\xFF\xFE", "12/31/23, 9:15 PM - ", "[31/12/2023, 21:15:02] \xFF: \xC3",
        "2023-12-31T21:15:02+14:00,\xFF,in,\"", "# \xE2\x82\n", "---\n", "```\n# x",
        "2023-02-29 10:00:00 A: leap?\n2024-02-29 10:00:00 B: leap\n",
        "99/99/99, 99:99 PM - x: y\n12/31/23, 9:15 PM - a: b\n"};
    struct run r;
    for (size_t i = 0; i < LH_ARRAY_LEN(samples); i++) {
        write_str("s.txt", samples[i]);
        for (int k = LH_DOC_PDF; k <= LH_DOC_CHAT; k++) {
            run_extract("s.txt", (enum lh_doc_kind)k, NULL, &r);
            assert_true(r.rc == 0 || r.rc == -LH_EINVAL);
            run_free(&r);
        }
        enum lh_doc_kind kind;
        char *p = fx_path("s.txt");
        int rc = lh_extract_detect(p, "s.txt", &kind);
        assert_true(rc == 0 || rc == -LH_ENOTFOUND);
        free(p);
    }
    unsigned seed = 7;
    unsigned char buf[3000];
    for (int i = 0; i < 60; i++) {
        size_t n = 64 + (size_t)(rand_r(&seed) % (sizeof(buf) - 64));
        fill_random(buf, n, &seed, i % 2 == 0);
        write_file("rnd.txt", buf, n);
        for (int k = LH_DOC_PDF; k <= LH_DOC_CHAT; k++) {
            run_extract("rnd.txt", (enum lh_doc_kind)k, NULL, &r);
            assert_true(r.rc == 0 || r.rc == -LH_EINVAL);
            if (r.rc == 0 && k != LH_DOC_CHAT)
                assert_true(r.res.invalid_utf8 > 0);
            run_free(&r);
        }
        enum lh_doc_kind kind;
        char *p = fx_path("rnd.txt");
        assert_int_equal(lh_extract_detect(p, "rnd", &kind), -LH_ENOTFOUND);
        free(p);
    }
}

/* ---- chat ---- */

/* Checks message i: ts, sender (NULL = JSON null), text. */
static void assert_msg(struct run *r, size_t i, const char *ts, const char *sender,
                       const char *text)
{
    json_t *row = row_at(r, i);
    assert_int_equal(row_int(row, "message_no"), (json_int_t)i + 1);
    const char *got_ts = row_str(row, "ts"), *got_sender = row_str(row, "sender");
    if (ts)
        assert_string_equal(got_ts, ts);
    else
        assert_null(got_ts);
    if (sender)
        assert_string_equal(got_sender, sender);
    else
        assert_null(got_sender);
    assert_string_equal(row_str(row, "text"), text);
}

static void assert_detect(const char *name, const char *hint, int want_rc,
                          enum lh_doc_kind want)
{
    enum lh_doc_kind kind = (enum lh_doc_kind)99;
    char *p = fx_path(name);
    int rc = lh_extract_detect(p, hint, &kind);
    free(p);
    if (rc != want_rc || (rc == 0 && kind != want))
        fail_msg("detect %s (hint %s): rc %d kind %d, want rc %d kind %d", name,
                 hint ? hint : "NULL", rc, (int)kind, want_rc, (int)want);
}

static void test_chat_whatsapp_android(void **state)
{
    LH_UNUSED(state);
    write_str("wa.txt",
              "12/31/23, 9:15 PM - Messages and calls are end-to-end encrypted.\n"
              "12/31/23, 9:15 PM - Alice: Happy new year!\n"
              "12/31/23, 9:16\xE2\x80\xAFPM - Bob Smith: Thanks: you too\n"
              "second line of Bob\n"
              "\n"
              "third after a blank\n"
              "1/1/24, 12:05 AM - Alice: midnight\n"
              "1/1/24, 12:30 PM - Alice: noon\n");
    assert_detect("wa.txt", "chat.txt", 0, LH_DOC_CHAT);
    struct run r;
    run_extract("wa.txt", LH_DOC_CHAT, NULL, &r);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.res.rows, 5);
    assert_keys(row_at(&r, 0), "doc_id,file,message_no,ts,sender,text");
    assert_msg(&r, 0, "2023-12-31 21:15:00", NULL, "Messages and calls are end-to-end encrypted.");
    assert_msg(&r, 1, "2023-12-31 21:15:00", "Alice", "Happy new year!");
    assert_msg(&r, 2, "2023-12-31 21:16:00", "Bob Smith",
               "Thanks: you too\nsecond line of Bob\n\nthird after a blank");
    assert_msg(&r, 3, "2024-01-01 00:05:00", "Alice", "midnight");
    assert_msg(&r, 4, "2024-01-01 12:30:00", "Alice", "noon");
    run_free(&r);
    /* 24-hour clock, day first (settled by a day > 12), dotted dates */
    write_str("wa24.txt", "05.01.2024, 21:15 - Alice: hi\n"
                          "31.01.2024, 07:02 - Bob: hey\n");
    run_extract("wa24.txt", LH_DOC_CHAT, NULL, &r);
    assert_int_equal(r.rc, 0);
    assert_msg(&r, 0, "2024-01-05 21:15:00", "Alice", "hi");
    assert_msg(&r, 1, "2024-01-31 07:02:00", "Bob", "hey");
    run_free(&r);
}

static void test_chat_whatsapp_ios(void **state)
{
    LH_UNUSED(state);
    write_str("ios.txt",
              "\xEF\xBB\xBF[31/12/2023, 21:15:02] Family: \xE2\x80\x8EMessages are encrypted.\r\n"
              "[31/12/2023, 21:15:09] Alice: hi all\r\n"
              "\xE2\x80\x8E[01/01/2024, 00:00:01] Bob: \xE2\x80\x8Eimage omitted\r\n"
              "a caption line\r\n");
    assert_detect("ios.txt", "_chat.txt", 0, LH_DOC_CHAT);
    struct run r;
    run_extract("ios.txt", LH_DOC_CHAT, NULL, &r);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.res.rows, 3);
    assert_msg(&r, 0, "2023-12-31 21:15:02", "Family", "\xE2\x80\x8EMessages are encrypted.");
    assert_msg(&r, 1, "2023-12-31 21:15:09", "Alice", "hi all");
    assert_msg(&r, 2, "2024-01-01 00:00:01", "Bob", "\xE2\x80\x8Eimage omitted\na caption line");
    run_free(&r);
    /* US iOS export: [12/31/23, 9:15:02 PM] */
    write_str("ios12.txt", "[12/31/23, 9:15:02 PM] Alice: one\n[1/2/24, 10:00:00 AM] Bob: two\n");
    run_extract("ios12.txt", LH_DOC_CHAT, NULL, &r);
    assert_int_equal(r.rc, 0);
    assert_msg(&r, 0, "2023-12-31 21:15:02", "Alice", "one");
    assert_msg(&r, 1, "2024-01-02 10:00:00", "Bob", "two");
    run_free(&r);
}

static void test_chat_iso_and_irc(void **state)
{
    LH_UNUSED(state);
    write_str("irc.log", "Log opened\n"
                         "[2023-12-31 21:15] <alice> hello #channel\n"
                         "[2023-12-31 21:16] <bob> hi: there\n"
                         "  indented continuation\n"
                         "[2023-12-31 21:17:05] <alice> bye\n");
    assert_detect("irc.log", "irc.log", 0, LH_DOC_CHAT);
    struct run r;
    run_extract("irc.log", LH_DOC_CHAT, NULL, &r);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.res.rows, 4);
    assert_msg(&r, 0, NULL, NULL, "Log opened"); /* preamble kept, without ts/sender */
    assert_msg(&r, 1, "2023-12-31 21:15:00", "alice", "hello #channel");
    assert_msg(&r, 2, "2023-12-31 21:16:00", "bob", "hi: there\n  indented continuation");
    assert_msg(&r, 3, "2023-12-31 21:17:05", "alice", "bye");
    run_free(&r);
    write_str("gen.txt", "2023-12-31 21:15:02 Alice: hi\n"
                         "2023-12-31T21:15:09.123 Bob Jones: yo\n"
                         "2023-12-31 21:16:00 - Alice: dash form\n");
    assert_detect("gen.txt", NULL, 0, LH_DOC_CHAT);
    run_extract("gen.txt", LH_DOC_CHAT, NULL, &r);
    assert_int_equal(r.rc, 0);
    assert_msg(&r, 0, "2023-12-31 21:15:02", "Alice", "hi");
    assert_msg(&r, 1, "2023-12-31 21:15:09", "Bob Jones", "yo");
    assert_msg(&r, 2, "2023-12-31 21:16:00", "Alice", "dash form");
    run_free(&r);
    /* a log file with levels is text, not chat */
    write_str("app.log", "2023-12-31 21:15:02 INFO: starting\n"
                         "2023-12-31 21:15:03 WARN: slow disk\n"
                         "2023-12-31 21:15:04 [main] ERROR x: boom\n");
    assert_detect("app.log", "app.log", 0, LH_DOC_TEXT);
}

static void test_chat_sms(void **state)
{
    LH_UNUSED(state);
    write_str("sms.txt", "2023-12-31T21:15:02Z,+15551234567,in,hello, world\n"
                         "2023-12-31T23:30:00+02:00,+15551234567,out,\"quoted, \"\"text\"\"\"\n"
                         "2024-01-01T00:10:00-05:00,+4912345,received,\"two\n"
                         "lines\"\n");
    assert_detect("sms.txt", "sms.txt", 0, LH_DOC_CHAT);
    struct run r;
    run_extract("sms.txt", LH_DOC_CHAT, NULL, &r);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.res.rows, 3);
    assert_msg(&r, 0, "2023-12-31 21:15:02", "+15551234567", "hello, world");
    assert_msg(&r, 1, "2023-12-31 21:30:00", "me", "quoted, \"text\"");
    assert_msg(&r, 2, "2024-01-01 05:10:00", "+4912345", "two\nlines");
    run_free(&r);
}

/* ---- detection ---- */

static void test_detect(void **state)
{
    LH_UNUSED(state);
    assert_detect("text.pdf", NULL, 0, LH_DOC_PDF);
    assert_detect("image.pdf", "upload.bin", 0, LH_DOC_PDF);  /* magic wins over the name */
    assert_detect("corrupt.pdf", "x", 0, LH_DOC_PDF);
    write_str("noext", "Just some prose.\nAnother line, with a comma.\n");
    assert_detect("noext", NULL, 0, LH_DOC_TEXT);
    assert_detect("noext", "notes.txt", 0, LH_DOC_TEXT);
    assert_detect("noext", "README.md", 0, LH_DOC_MARKDOWN);
    assert_detect("noext", "report.pdf", 0, LH_DOC_PDF); /* extraction explains */
    assert_detect("noext", "data.csv", -LH_ENOTFOUND, 0);
    write_str("csvdata", "id,name,score\n1,alice,3.5\n2,bob,4\n3,carol,5\n");
    assert_detect("csvdata", NULL, -LH_ENOTFOUND, 0);
    assert_detect("csvdata", "data.csv", -LH_ENOTFOUND, 0);
    write_str("tsvdata", "id\tname\n1\talice\n2\tbob\n");
    assert_detect("tsvdata", "upload", -LH_ENOTFOUND, 0);
    write_str("jsondata", "  {\"a\": 1, \"b\": [1,2]}\n");
    assert_detect("jsondata", NULL, -LH_ENOTFOUND, 0);
    assert_detect("jsondata", "x.json", -LH_ENOTFOUND, 0);
    write_str("ndjson", "{\"a\":1}\n{\"a\":2}\n");
    assert_detect("ndjson", "rows", -LH_ENOTFOUND, 0);
    write_str("jarr", "[{\"a\":1}]");
    assert_detect("jarr", NULL, -LH_ENOTFOUND, 0);
    write_file("parquet", "PAR1\x15\x00\x15\x1c", 8);
    assert_detect("parquet", "t.parquet", -LH_ENOTFOUND, 0);
    assert_detect("parquet", NULL, -LH_ENOTFOUND, 0);
    write_file("bin", "\x7f" "ELF\x02\x01\x01\x00", 8);
    assert_detect("bin", NULL, -LH_ENOTFOUND, 0);
    write_file("ctrl", "\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f text", 15);
    assert_detect("ctrl", "x.txt", -LH_ENOTFOUND, 0);
    write_str("empty", "");
    assert_detect("empty", NULL, -LH_ENOTFOUND, 0);
    assert_detect("empty", "e.txt", 0, LH_DOC_TEXT); /* extraction then says "empty" */
    write_str("one", "a");
    assert_detect("one", NULL, 0, LH_DOC_TEXT);
    write_str("latin1.txt",
              "caf\xE9 cr\xE8" "me br\xFBl\xE9" "e, a Latin-1 file with a few bytes\n");
    assert_detect("latin1.txt", "latin1.txt", 0, LH_DOC_TEXT);
    write_str("bracket", "[1] A numbered note, not JSON.\n");
    assert_detect("bracket", NULL, 0, LH_DOC_TEXT);
    assert_detect("does-not-exist", NULL, -LH_ENOTFOUND, 0);
    assert_detect(".", NULL, -LH_ENOTFOUND, 0);
    /* chat detection needs most lines to match */
    write_str("mostly.txt", "2023-12-31 21:15:02 Alice: hi\nplain\nplain\nplain\n"
                            "2023-12-31 21:15:03 Bob: yo\n");
    assert_detect("mostly.txt", "mostly.txt", 0, LH_DOC_TEXT);
    write_str("single.txt", "2023-12-31 21:15:02 Alice: a lone message\n");
    assert_detect("single.txt", "single.txt", 0, LH_DOC_TEXT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kind_names),
        cmocka_unit_test(test_pdf_text),
        cmocka_unit_test(test_pdf_ocr),
        cmocka_unit_test(test_pdf_encrypted),
        cmocka_unit_test(test_pdf_truncated_and_corrupt),
        cmocka_unit_test(test_pdf_max_pages),
        cmocka_unit_test(test_pdf_threads),
        cmocka_unit_test(test_write_error),
        cmocka_unit_test(test_text_basic),
        cmocka_unit_test(test_text_title_limits),
        cmocka_unit_test(test_markdown_title),
        cmocka_unit_test(test_text_errors),
        cmocka_unit_test(test_fuzzish),
        cmocka_unit_test(test_chat_whatsapp_android),
        cmocka_unit_test(test_chat_whatsapp_ios),
        cmocka_unit_test(test_chat_iso_and_irc),
        cmocka_unit_test(test_chat_sms),
        cmocka_unit_test(test_detect),
    };
    return cmocka_run_group_tests_name("extract", tests, group_setup, group_teardown);
}
