/* SPDX-License-Identifier: MIT */
/* extract_pdf.c - PDF pages to rows with MuPDF (the only file that includes MuPDF headers);
 * pages without a text layer are rendered and OCRed (extract_ocr.c). */
#include "lh_common.h"
#include "extract_int.h"
#include "buf.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mupdf/fitz.h>

#define PDF_DEFAULT_MAX_PAGES 10000
#define PDF_DEFAULT_DPI 300
#define PDF_MIN_VISIBLE 3                /* fewer visible chars = no text layer */
#define PDF_MAX_OCR_PIXELS (64.0 * 1024 * 1024) /* render budget of one page */

/* MuPDF reports warnings and caught errors through these; library code never prints. */
static void fz_quiet(void *user, const char *message)
{
    LH_UNUSED(user);
    LH_LOG(LH_LOG_DEBUG, "extract", "mupdf: %s", message);
}

static bool pdf_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\0';
}

/* Cheap structural checks before MuPDF: a %PDF- header in the first 1 KiB and, because
 * MuPDF silently "repairs" truncated files, a %%EOF marker at the very end (trailing
 * whitespace allowed). */
static int check_file(const char *path, const char *display, struct lh_error *err)
{
    int rc = 0;
    char buf[1024];
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
    ssize_t n = pread(fd, buf, sizeof(buf), 0);
    if (n < 0) {
        rc = lh_error_set(err, LH_EIO, "cannot read %s: %s", display, strerror(errno));
        goto out;
    }
    if (!memmem(buf, (size_t)n, "%PDF-", 5)) {
        rc = lh_error_set(err, LH_EINVAL, "%s is not a PDF (no %%PDF- header)", display);
        goto out;
    }
    off_t off = st.st_size > (off_t)sizeof(buf) ? st.st_size - (off_t)sizeof(buf) : 0;
    n = pread(fd, buf, sizeof(buf), off);
    if (n < 0) {
        rc = lh_error_set(err, LH_EIO, "cannot read %s: %s", display, strerror(errno));
        goto out;
    }
    while (n > 0 && pdf_blank(buf[n - 1]))
        n--;
    if (n < 5 || memcmp(buf + n - 5, "%%EOF", 5) != 0)
        rc = lh_error_set(err, LH_EINVAL,
                          "%s is truncated or corrupt (the PDF does not end with %%%%EOF)",
                          display);
out:
    close(fd);
    return rc;
}

/* Opens the document (by content, whatever the file name) and reads what the caller needs
 * before touching pages. Returns 0, or -1 with MuPDF's message in msg. */
static int open_doc(fz_context *ctx, const char *path, fz_document **out, int *needs_pw,
                    int *n_pages, char *msg, size_t msg_size)
{
    fz_stream *stm = NULL;
    fz_document *doc = NULL;
    volatile int rc = 0; /* set in fz_catch, read after it */
    fz_var(stm);
    fz_var(doc);
    *n_pages = 0;
    fz_try(ctx)
    {
        fz_register_document_handlers(ctx);
        stm = fz_open_file(ctx, path);
        doc = fz_open_document_with_stream(ctx, "application/pdf", stm);
        *needs_pw = fz_needs_password(ctx, doc);
        if (!*needs_pw)
            *n_pages = fz_count_pages(ctx, doc);
    }
    fz_always(ctx)
    {
        fz_drop_stream(ctx, stm);
    }
    fz_catch(ctx)
    {
        snprintf(msg, msg_size, "%s", fz_caught_message(ctx));
        rc = -1;
    }
    if (rc) {
        fz_drop_document(ctx, doc);
        doc = NULL;
    }
    *out = doc;
    return rc;
}

/* Appends the text of page i (MuPDF's structured text, lines and blocks as LF) to out and
 * reports the page size in points. */
static int page_text(fz_context *ctx, fz_document *doc, int i, struct lh_buf *out,
                     fz_rect *bounds, char *msg, size_t msg_size)
{
    fz_page *page = NULL;
    fz_stext_page *st = NULL;
    fz_buffer *buf = NULL;
    volatile int rc = 0; /* set in fz_catch, read after it */
    fz_var(page);
    fz_var(st);
    fz_var(buf);
    fz_try(ctx)
    {
        page = fz_load_page(ctx, doc, i);
        *bounds = fz_bound_page(ctx, page);
        st = fz_new_stext_page_from_page(ctx, page, NULL);
        buf = fz_new_buffer_from_stext_page(ctx, st);
        unsigned char *data = NULL;
        size_t len = fz_buffer_storage(ctx, buf, &data);
        lh_buf_append(out, data, len);
    }
    fz_always(ctx)
    {
        fz_drop_buffer(ctx, buf);
        fz_drop_stext_page(ctx, st);
        fz_drop_page(ctx, page);
    }
    fz_catch(ctx)
    {
        snprintf(msg, msg_size, "%s", fz_caught_message(ctx));
        rc = -1;
    }
    return rc;
}

/* Renders page i in grey at dpi. */
static int page_render(fz_context *ctx, fz_document *doc, int i, int dpi, fz_pixmap **out,
                       char *msg, size_t msg_size)
{
    fz_pixmap *pix = NULL;
    volatile int rc = 0; /* set in fz_catch, read after it */
    fz_var(pix);
    fz_try(ctx)
    {
        float z = (float)dpi / 72.0f;
        pix = fz_new_pixmap_from_page_number(ctx, doc, i, fz_scale(z, z), fz_device_gray(ctx), 0);
    }
    fz_catch(ctx)
    {
        snprintf(msg, msg_size, "%s", fz_caught_message(ctx));
        rc = -1;
    }
    *out = pix;
    return rc;
}

/* Prefixes err's message with "cannot OCR <display>: " so that it names the file. */
static int ocr_error(struct lh_error *err, int rc, const char *display)
{
    if (!err)
        return rc;
    char msg[LH_ERRMSG_MAX];
    snprintf(msg, sizeof(msg), "%s", err->msg);
    return lh_error_set(err, err->code ? err->code : -rc, "cannot OCR %s: %s", display, msg);
}

/* OCRs page i into out (raw Tesseract text). The resolution is lowered for huge pages so
 * that one render stays within PDF_MAX_OCR_PIXELS. */
static int page_ocr(fz_context *ctx, fz_document *doc, int i, int dpi, fz_rect bounds,
                    struct lh__extract_ocr *ocr, const char *display, struct lh_buf *out,
                    struct lh_error *err)
{
    char msg[256];
    fz_pixmap *pix = NULL;
    double w_in = (bounds.x1 - bounds.x0) / 72.0, h_in = (bounds.y1 - bounds.y0) / 72.0;
    if (w_in > 0 && h_in > 0 && w_in * h_in * dpi * dpi > PDF_MAX_OCR_PIXELS) {
        dpi = (int)(sqrt(PDF_MAX_OCR_PIXELS / (w_in * h_in)));
        if (dpi < 1)
            dpi = 1;
    }
    if (page_render(ctx, doc, i, dpi, &pix, msg, sizeof(msg)) != 0)
        return lh_error_set(err, LH_EINVAL, "%s is corrupt: page %d cannot be rendered for OCR "
                            "(%s)", display, i + 1, msg);
    int rc = lh__extract_ocr_image(ocr, fz_pixmap_samples(ctx, pix), fz_pixmap_width(ctx, pix),
                                   fz_pixmap_height(ctx, pix), fz_pixmap_components(ctx, pix),
                                   (int)fz_pixmap_stride(ctx, pix), dpi, out, err);
    fz_drop_pixmap(ctx, pix);
    return rc ? ocr_error(err, rc, display) : 0;
}

int lh__extract_pdf(const char *path, const char *display, const struct lh_extract_opts *o,
                    struct lh_buf *rows, struct lh_extract_result *res, struct lh_error *err)
{
    int rc;
    char id[17];
    char msg[256];
    fz_context *ctx = NULL;
    fz_document *doc = NULL;
    struct lh__extract_ocr *ocr = NULL;
    struct lh_buf raw = LH_BUF_INIT, clean = LH_BUF_INIT, norm = LH_BUF_INIT;
    struct lh_buf row = LH_BUF_INIT;
    int max_pages = o->max_pages > 0 ? o->max_pages : PDF_DEFAULT_MAX_PAGES;
    int dpi = o->ocr_dpi > 0 ? o->ocr_dpi : PDF_DEFAULT_DPI;
    if (dpi < 50)
        dpi = 50;
    if (dpi > 1200)
        dpi = 1200;

    if ((rc = check_file(path, display, err)))
        goto out;
    if ((rc = lh__extract_doc_id_file(path, display, id, err)))
        goto out;
    ctx = fz_new_context(NULL, NULL, FZ_STORE_DEFAULT);
    if (!ctx) {
        rc = lh_error_set(err, LH_ENOMEM, "cannot create a MuPDF context for %s", display);
        goto out;
    }
    fz_set_warning_callback(ctx, fz_quiet, NULL);
    fz_set_error_callback(ctx, fz_quiet, NULL);
    int needs_pw = 0, n_pages = 0;
    if (open_doc(ctx, path, &doc, &needs_pw, &n_pages, msg, sizeof(msg)) != 0) {
        rc = lh_error_set(err, LH_EINVAL, "%s is not a readable PDF (corrupt or truncated): %s",
                          display, msg);
        goto out;
    }
    if (needs_pw) {
        rc = lh_error_set(err, LH_EINVAL, "%s is encrypted (password protected)", display);
        goto out;
    }
    if (n_pages <= 0) {
        rc = lh_error_set(err, LH_EINVAL, "%s has no pages (corrupt or truncated PDF)", display);
        goto out;
    }
    if (n_pages > max_pages) {
        rc = lh_error_set(err, LH_ETOOBIG, "%s has %d pages; the limit is %d", display, n_pages,
                          max_pages);
        goto out;
    }
    for (int i = 0; i < n_pages; i++) {
        fz_rect bounds = fz_empty_rect;
        lh_buf_reset(&raw);
        if (page_text(ctx, doc, i, &raw, &bounds, msg, sizeof(msg)) != 0) {
            rc = lh_error_set(err, LH_EINVAL, "%s is corrupt: page %d cannot be read (%s)",
                              display, i + 1, msg);
            goto out;
        }
        lh_buf_reset(&clean);
        lh__extract_utf8_repair(raw.ptr, raw.len, &clean, &res->invalid_utf8);
        lh__extract_normalize_ws(clean.ptr, clean.len, &norm);
        bool did_ocr = false;
        int64_t visible = lh__extract_visible_count(norm.ptr, norm.len);
        if (o->ocr && visible < PDF_MIN_VISIBLE) {
            if (!ocr && (rc = lh__extract_ocr_new(o->tessdata, &ocr, err))) {
                rc = ocr_error(err, rc, display);
                goto out;
            }
            lh_buf_reset(&raw);
            if ((rc = page_ocr(ctx, doc, i, dpi, bounds, ocr, display, &raw, err)))
                goto out;
            lh_buf_reset(&clean);
            lh__extract_utf8_repair(raw.ptr, raw.len, &clean, &res->invalid_utf8);
            lh__extract_normalize_ws(clean.ptr, clean.len, &raw);
            /* keep the few characters of a near-empty text layer if OCR finds less */
            if (lh__extract_visible_count(raw.ptr, raw.len) >= visible) {
                lh_buf_reset(&norm);
                lh_buf_append(&norm, raw.ptr, raw.len);
            }
            did_ocr = true;
            res->ocr_pages++;
        }
        lh_buf_reset(&row);
        lh_buf_putc(&row, '{');
        lh__extract_json_kv_str(&row, true, "doc_id", id, 16);
        lh__extract_json_kv_str(&row, false, "file", display, strlen(display));
        lh_buf_printf(&row, ",\"page\":%d", i + 1);
        lh__extract_json_kv_str(&row, false, "text", norm.ptr, norm.len);
        lh_buf_printf(&row, ",\"char_count\":%lld,\"ocr\":%s}\n",
                      (long long)lh__extract_utf8_count(norm.ptr, norm.len),
                      did_ocr ? "true" : "false");
        if (lh_buf_append(rows, row.ptr, row.len) != 0) {
            rc = lh_error_set(err, LH_ETOOBIG, "%s produces more than %zu bytes of rows",
                              display, LH__EXTRACT_MAX_OUTPUT);
            goto out;
        }
        res->rows++;
    }
    res->pages = n_pages;
out:
    lh__extract_ocr_free(ocr);
    if (ctx) {
        fz_drop_document(ctx, doc);
        fz_drop_context(ctx);
    }
    lh_buf_release(&raw);
    lh_buf_release(&clean);
    lh_buf_release(&norm);
    lh_buf_release(&row);
    return rc;
}
