/* SPDX-License-Identifier: MIT */
/* extract.h - documents to rows: PDF (MuPDF; Tesseract OCR for pages without a text layer),
 * plain text, Markdown and chat/SMS exports, written as NDJSON for the normal ingest path.
 *
 * Row shapes (one JSON object per line, keys in this order):
 *   pdf:       doc_id, file, page (1-based), text, char_count, ocr (bool)
 *   text, markdown: doc_id, file, kind ("text"|"markdown"), title (first heading / first
 *              line, may be null), text, char_count, invalid_utf8 (bytes replaced)
 *   chat:      doc_id, file, message_no (1-based), ts (ISO 8601 "YYYY-MM-DD HH:MM:SS"),
 *              sender, text
 * doc_id is the first 16 hex chars of the SHA-256 of the file content. char_count counts
 * Unicode code points. Text is always valid UTF-8: invalid bytes become U+FFFD and are counted.
 * Thread-safe: each call has its own MuPDF context and Tesseract handle. */
#ifndef LH_EXTRACT_H
#define LH_EXTRACT_H

#include "lh_common.h"
#include "err.h"

#include <stdio.h>

enum lh_doc_kind { LH_DOC_PDF, LH_DOC_TEXT, LH_DOC_MARKDOWN, LH_DOC_CHAT };

/* "pdf", "text", "markdown", "chat" */
const char *lh_doc_kind_name(enum lh_doc_kind k);
/* Parses a kind name ("txt" and "md" are accepted too); -LH_EINVAL otherwise. */
int lh_doc_kind_parse(const char *s, enum lh_doc_kind *out);

/* Decides whether a file is a document and which kind: PDF by its %PDF- magic; .md/.markdown
 * as Markdown; .txt/.text/.log and other UTF-8-ish text without NUL bytes as text, or as chat
 * when most non-blank lines of its start match a recognised chat/SMS export line format
 * (e.g. WhatsApp "12/31/23, 9:15 PM - Name: text", "[2023-12-31 21:15:02] Name: text",
 * "2023-12-31 21:15:02 Name: text", iMessage/SMS CSV-less exports you choose to support).
 * Returns 0 and sets *out, or -LH_ENOTFOUND if it is not a document (e.g. CSV, JSON, Parquet,
 * binary). `name_hint` is the file name the user knows (extension checks use it). */
int lh_extract_detect(const char *path, const char *name_hint, enum lh_doc_kind *out);

struct lh_extract_opts {
    bool ocr;          /* OCR pages that have no text layer (default true) */
    int ocr_dpi;       /* render resolution for OCR (default 300 when 0) */
    int max_pages;     /* refuse PDFs with more pages (0 = 10000) */
    const char *tessdata; /* NULL = Tesseract's default data path */
};

struct lh_extract_result {
    enum lh_doc_kind kind;
    int64_t rows;
    int64_t pages;         /* pdf */
    int64_t ocr_pages;     /* pdf */
    int64_t invalid_utf8;  /* bytes replaced by U+FFFD */
};

/* Extracts one document of the given kind and appends its rows to `out` as NDJSON.
 * All-or-nothing: on error nothing is appended and err says why in one sentence that names
 * `display_name` (encrypted PDF, corrupt or truncated PDF, too many pages, unreadable file...).
 * A document with no rows (e.g. an empty text file) is an error too. */
int lh_extract_file(const char *path, const char *display_name, enum lh_doc_kind kind,
                    const struct lh_extract_opts *o, FILE *out, struct lh_extract_result *res,
                    struct lh_error *err);

#endif
