/* SPDX-License-Identifier: MIT */
/* extract_int.h - internals shared by the files of src/extract/ (no other module includes it). */
#ifndef LH_EXTRACT_INT_H
#define LH_EXTRACT_INT_H

#include "lh_common.h"
#include "extract.h"
#include "buf.h"
#include "err.h"

/* Caps. Text/Markdown/chat files are read whole; a text or Markdown file is one row. */
#define LH__EXTRACT_MAX_TEXT_FILE ((size_t)64 << 20)   /* text / markdown file */
#define LH__EXTRACT_MAX_CHAT_FILE ((size_t)512 << 20)  /* chat export */
#define LH__EXTRACT_MAX_OUTPUT ((size_t)1 << 30)       /* NDJSON of one document */
#define LH__EXTRACT_TITLE_MAX 200                      /* code points */

/* ---- extract.c: shared helpers ---- */

/* Appends s[0..n) to out with every byte that is not part of a valid UTF-8 sequence
 * (overlong, surrogate, > U+10FFFF, truncated) replaced by U+FFFD. Adds the number of
 * replaced bytes to *n_invalid (may be NULL). */
void lh__extract_utf8_repair(const char *s, size_t n, struct lh_buf *out, int64_t *n_invalid);
/* Number of code points in s[0..n), which must be valid UTF-8. */
int64_t lh__extract_utf8_count(const char *s, size_t n);
/* Length of the longest prefix of valid UTF-8 s[0..n) with at most max_cp code points. */
size_t lh__extract_utf8_prefix(const char *s, size_t n, size_t max_cp);
/* Decodes raw file bytes into clean text: strips a UTF-8 BOM, turns CRLF and lone CR into
 * LF, repairs UTF-8 (counted in *n_invalid). out is reset first. */
void lh__extract_decode(const char *s, size_t n, struct lh_buf *out, int64_t *n_invalid);
/* Normalises extracted page text (valid UTF-8) into out (reset first): every line is trimmed
 * and its runs of blanks (space, tab, other controls, NBSP) become one space; runs of empty
 * lines become one empty line (a paragraph break); leading/trailing empty lines go. */
void lh__extract_normalize_ws(const char *s, size_t n, struct lh_buf *out);
/* Non-blank code points of valid UTF-8 text (what "has a text layer" is measured with). */
int64_t lh__extract_visible_count(const char *s, size_t n);
/* doc_id: the first 16 hex chars of the SHA-256 of the content. */
void lh__extract_doc_id(const void *p, size_t n, char out[17]);
int lh__extract_doc_id_file(const char *path, const char *display, char out[17],
                            struct lh_error *err);
/* Reads a whole file (at most max bytes, else -LH_ETOOBIG) into a malloc'd NUL-terminated
 * buffer; errors name `display`. */
int lh__extract_read_file(const char *path, const char *display, size_t max, char **out,
                          size_t *out_len, struct lh_error *err);
/* Appends `"key":"<json string>"` (with a leading comma unless first). */
int lh__extract_json_kv_str(struct lh_buf *b, bool first, const char *key, const char *s,
                            size_t n);

/* ---- extract_pdf.c (the only file that includes MuPDF headers) ---- */

/* Appends one row per page to rows; fills res->pages, ocr_pages, invalid_utf8, rows. */
int lh__extract_pdf(const char *path, const char *display, const struct lh_extract_opts *o,
                    struct lh_buf *rows, struct lh_extract_result *res, struct lh_error *err);

/* ---- extract_text.c ---- */

int lh__extract_text(const char *path, const char *display, bool markdown, struct lh_buf *rows,
                     struct lh_extract_result *res, struct lh_error *err);
int lh__extract_chat(const char *path, const char *display, struct lh_buf *rows,
                     struct lh_extract_result *res, struct lh_error *err);
/* True when most of the first ~20 non-blank lines of decoded text match one chat format. */
bool lh__extract_chat_sniff(const char *s, size_t n);

/* ---- extract_ocr.c (the only file that includes tesseract/capi.h) ---- */

struct lh__extract_ocr;

/* Creates a Tesseract handle for English ("eng"); tessdata NULL = default path.
 * Sets OMP_THREAD_LIMIT=1 (unless set) and silences Tesseract's debug output, once. */
int lh__extract_ocr_new(const char *tessdata, struct lh__extract_ocr **out, struct lh_error *err);
/* Recognises an 8-bit image (bpp bytes per pixel: 1 gray, 3 RGB, 4 RGBA) rendered at dpi
 * and appends the raw UTF-8 text to out. */
int lh__extract_ocr_image(struct lh__extract_ocr *o, const unsigned char *px, int w, int h,
                          int bpp, int stride, int dpi, struct lh_buf *out, struct lh_error *err);
void lh__extract_ocr_free(struct lh__extract_ocr *o);

#endif
