/* SPDX-License-Identifier: MIT */
/* extract_text.c - plain text and Markdown files (one row each) and chat/SMS exports
 * (one row per message). */
#include "lh_common.h"
#include "extract_int.h"
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- small text helpers ---- */

static bool is_hspace(char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

static bool is_space(char c)
{
    return is_hspace(c) || c == '\n';
}

/* Trims ASCII blanks off both ends of [*s, *s + *n). */
static void trim(const char **s, size_t *n)
{
    while (*n && is_space((*s)[0])) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_space((*s)[*n - 1]))
        (*n)--;
}

/* Iterates lines of LF text: returns false at the end. */
struct lines {
    const char *s;
    size_t n, pos;
};

static bool next_line(struct lines *it, const char **line, size_t *len)
{
    if (it->pos >= it->n)
        return false;
    const char *start = it->s + it->pos;
    const char *nl = memchr(start, '\n', it->n - it->pos);
    size_t l = nl ? (size_t)(nl - start) : it->n - it->pos;
    *line = start;
    *len = l;
    it->pos += l + 1;
    return true;
}

static bool is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_hspace(s[i]))
            return false;
    return true;
}

/* ---- titles ---- */

/* Counts leading spaces (max 3 allowed for Markdown block syntax). */
static size_t indent(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] == ' ')
        i++;
    return i;
}

/* A fence line (``` or ~~~, at least 3) returns its char, else 0. */
static char fence_char(const char *s, size_t n)
{
    size_t i = indent(s, n);
    if (i > 3 || i + 3 > n)
        return 0;
    char c = s[i];
    if ((c != '`' && c != '~') || s[i + 1] != c || s[i + 2] != c)
        return 0;
    return c;
}

/* ATX heading "# Title #": sets the title span. */
static bool atx_heading(const char *s, size_t n, const char **t, size_t *tl)
{
    size_t i = indent(s, n);
    if (i > 3)
        return false;
    size_t h = 0;
    while (i + h < n && s[i + h] == '#')
        h++;
    if (h < 1 || h > 6 || (i + h < n && !is_hspace(s[i + h])))
        return false;
    const char *p = s + i + h;
    size_t l = n - i - h;
    trim(&p, &l);
    /* closing sequence: spaces then #s at the end */
    size_t e = l;
    while (e && p[e - 1] == '#')
        e--;
    if (e < l && (e == 0 || is_hspace(p[e - 1]))) {
        l = e;
        trim(&p, &l);
    }
    if (!l)
        return false;
    *t = p;
    *tl = l;
    return true;
}

/* Setext underline: only '=' or only '-' (with optional surrounding spaces). */
static bool setext_underline(const char *s, size_t n)
{
    const char *p = s;
    size_t l = n;
    trim(&p, &l);
    if (!l || indent(s, n) > 3 || (p[0] != '=' && p[0] != '-'))
        return false;
    for (size_t i = 0; i < l; i++)
        if (p[i] != p[0])
            return false;
    return true;
}

/* A line that can be a setext heading's text (not a list item, quote, heading...). */
static bool paragraph_line(const char *s, size_t n)
{
    size_t i = indent(s, n);
    if (is_blank(s, n) || i > 3)
        return false;
    char c = s[i];
    if (c == '#' || c == '>' || c == '|' || fence_char(s, n))
        return false;
    if ((c == '-' || c == '*' || c == '+') && (i + 1 == n || s[i + 1] == ' '))
        return false;
    return true;
}

/* Finds the title of decoded text: the first Markdown heading (ATX or setext, outside code
 * fences and YAML front matter) when markdown, else (or without a heading) the first
 * non-blank line. */
static bool find_title(const char *s, size_t n, bool markdown, const char **t, size_t *tl)
{
    struct lines it = {s, n, 0};
    const char *line, *prev = NULL, *first = NULL;
    size_t len, prev_len = 0, first_len = 0;
    char fence = 0;
    bool in_front = false;
    int lineno = 0;
    while (next_line(&it, &line, &len)) {
        lineno++;
        if (markdown && lineno == 1 && len == 3 && memcmp(line, "---", 3) == 0) {
            in_front = true;
            continue;
        }
        if (in_front) {
            if ((len == 3 && memcmp(line, "---", 3) == 0) ||
                (len == 3 && memcmp(line, "...", 3) == 0))
                in_front = false;
            continue;
        }
        if (!first && !is_blank(line, len)) {
            first = line;
            first_len = len;
        }
        if (!markdown)
            break;
        char fc = fence_char(line, len);
        if (fence) {
            if (fc == fence)
                fence = 0;
            prev = NULL;
            continue;
        }
        if (fc) {
            fence = fc;
            prev = NULL;
            continue;
        }
        if (atx_heading(line, len, t, tl))
            return true;
        if (prev && setext_underline(line, len)) {
            *t = prev;
            *tl = prev_len;
            trim(t, tl);
            return true;
        }
        bool para = paragraph_line(line, len);
        prev = para ? line : NULL;
        prev_len = para ? len : 0;
    }
    if (!first) {
        /* unterminated front matter: fall back to its first line */
        it.pos = 0;
        while (next_line(&it, &line, &len)) {
            if (!is_blank(line, len)) {
                first = line;
                first_len = len;
                break;
            }
        }
    }
    if (!first)
        return false;
    *t = first;
    *tl = first_len;
    trim(t, tl);
    return true;
}

/* Appends `row` to rows (capped): -LH_ETOOBIG with a message if the cap is hit. */
static int add_row(struct lh_buf *rows, const struct lh_buf *row, const char *display,
                   struct lh_error *err)
{
    if (lh_buf_append(rows, row->ptr, row->len) != 0)
        return lh_error_set(err, LH_ETOOBIG, "%s produces more than %zu bytes of rows", display,
                            LH__EXTRACT_MAX_OUTPUT);
    return 0;
}

int lh__extract_text(const char *path, const char *display, bool markdown, struct lh_buf *rows,
                     struct lh_extract_result *res, struct lh_error *err)
{
    int rc;
    char *data = NULL;
    size_t n = 0;
    char id[17];
    struct lh_buf txt = LH_BUF_INIT, row = LH_BUF_INIT;
    if ((rc = lh__extract_read_file(path, display, LH__EXTRACT_MAX_TEXT_FILE, &data, &n, err)))
        goto out;
    if (n == 0) {
        rc = lh_error_set(err, LH_EINVAL, "%s is empty", display);
        goto out;
    }
    if (memchr(data, '\0', n)) {
        rc = lh_error_set(err, LH_EINVAL, "%s is not a text file (it contains NUL bytes)",
                          display);
        goto out;
    }
    lh__extract_doc_id(data, n, id);
    lh__extract_decode(data, n, &txt, &res->invalid_utf8);
    /* drop leading blank lines and trailing blanks */
    const char *s = txt.ptr;
    size_t len = txt.len;
    size_t lead = 0;
    for (size_t i = 0; i < len && is_space(s[i]); i++)
        if (s[i] == '\n')
            lead = i + 1;
    s += lead;
    len -= lead;
    while (len && is_space(s[len - 1]))
        len--;
    if (lh__extract_visible_count(s, len) == 0) {
        rc = lh_error_set(err, LH_EINVAL, "%s contains no text", display);
        goto out;
    }
    const char *title = NULL;
    size_t title_len = 0;
    if (find_title(s, len, markdown, &title, &title_len))
        title_len = lh__extract_utf8_prefix(title, title_len, LH__EXTRACT_TITLE_MAX);
    lh_buf_putc(&row, '{');
    lh__extract_json_kv_str(&row, true, "doc_id", id, 16);
    lh__extract_json_kv_str(&row, false, "file", display, strlen(display));
    lh__extract_json_kv_str(&row, false, "kind", markdown ? "markdown" : "text",
                            markdown ? 8 : 4);
    lh__extract_json_kv_str(&row, false, "title", title, title_len);
    lh__extract_json_kv_str(&row, false, "text", s, len);
    lh_buf_printf(&row, ",\"char_count\":%lld,\"invalid_utf8\":%lld}\n",
                  (long long)lh__extract_utf8_count(s, len), (long long)res->invalid_utf8);
    if ((rc = add_row(rows, &row, display, err)))
        goto out;
    res->rows = 1;
out:
    free(data);
    lh_buf_release(&txt);
    lh_buf_release(&row);
    return rc;
}

/* ---- chat exports ---- */

enum chat_fmt {
    CHAT_WA_ANDROID, /* 12/31/23, 9:15 PM - Alice: hi      (also 31.12.23, 21:15 - ...) */
    CHAT_WA_IOS,     /* [31/12/2023, 21:15:02] Alice: hi    (also [12/31/23, 9:15:02 PM]) */
    CHAT_ISO,        /* 2023-12-31 21:15:02 Alice: hi, [2023-12-31 21:15] <Alice> hi */
    CHAT_SMS,        /* 2023-12-31T21:15:02Z,+15551234567,in,hello */
    CHAT_NFMT
};

struct chat_line {
    int d1, d2, y;   /* WhatsApp: the two ambiguous date fields; ISO: month, day */
    int h, mi, s;
    int ampm;        /* 0 none, 1 AM, 2 PM */
    int tz_min;      /* SMS: offset east of UTC in minutes */
    const char *sender;
    size_t sender_len;
    bool sms_out;
    const char *text;
    size_t text_len;
};

struct cur {
    const unsigned char *p;
    size_t i, n;
};

static bool c_eof(const struct cur *c)
{
    return c->i >= c->n;
}

static bool c_is_digit(const struct cur *c)
{
    return c->i < c->n && c->p[c->i] >= '0' && c->p[c->i] <= '9';
}

/* min..max digits, not followed by another digit. */
static bool c_num(struct cur *c, int min, int max, int *out)
{
    int v = 0, k = 0;
    while (k < max && c_is_digit(c)) {
        v = v * 10 + (c->p[c->i] - '0');
        c->i++;
        k++;
    }
    if (k < min || c_is_digit(c))
        return false;
    *out = v;
    return true;
}

static bool c_char(struct cur *c, char ch)
{
    if (c->i < c->n && c->p[c->i] == (unsigned char)ch) {
        c->i++;
        return true;
    }
    return false;
}

/* Skips spaces, tabs, NBSP and NNBSP (WhatsApp puts U+202F before AM/PM); returns count. */
static int c_space(struct cur *c)
{
    int k = 0;
    for (;;) {
        const unsigned char *p = c->p + c->i;
        size_t left = c->n - c->i;
        if (left >= 1 && (p[0] == ' ' || p[0] == '\t')) {
            c->i++;
        } else if (left >= 2 && p[0] == 0xC2 && p[1] == 0xA0) {
            c->i += 2;
        } else if (left >= 3 && p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0xAF) {
            c->i += 3;
        } else {
            return k;
        }
        k++;
    }
}

static bool c_word_ci(struct cur *c, const char *w)
{
    size_t l = strlen(w);
    if (c->n - c->i < l || strncasecmp((const char *)c->p + c->i, w, l) != 0)
        return false;
    c->i += l;
    return true;
}

/* H:MM[:SS][ AM|PM|a.m.|p.m.] */
static bool c_time(struct cur *c, struct chat_line *l, bool allow_ampm)
{
    if (!c_num(c, 1, 2, &l->h) || !c_char(c, ':') || !c_num(c, 2, 2, &l->mi))
        return false;
    l->s = 0;
    size_t save = c->i;
    if (c_char(c, ':') && !c_num(c, 2, 2, &l->s))
        c->i = save;
    l->ampm = 0;
    if (!allow_ampm)
        return true;
    save = c->i;
    c_space(c);
    if (c_word_ci(c, "am") || c_word_ci(c, "a.m.") || c_word_ci(c, "a. m."))
        l->ampm = 1;
    else if (c_word_ci(c, "pm") || c_word_ci(c, "p.m.") || c_word_ci(c, "p. m."))
        l->ampm = 2;
    else
        c->i = save;
    return true;
}

/* WhatsApp date D1/D2/YY(YY) with '/', '.' or '-' as separator. */
static bool c_wa_date(struct cur *c, struct chat_line *l)
{
    if (!c_num(c, 1, 2, &l->d1) || c_eof(c))
        return false;
    char sep = (char)c->p[c->i];
    if (sep != '/' && sep != '.' && sep != '-')
        return false;
    c->i++;
    if (!c_num(c, 1, 2, &l->d2) || !c_char(c, sep))
        return false;
    size_t start = c->i;
    if (!c_num(c, 2, 4, &l->y) || c->i - start == 3)
        return false;
    if (c->i - start == 2)
        l->y += 2000;
    c_char(c, '.'); /* "31.12.23." in some locales */
    return l->d1 >= 1 && l->d1 <= 31 && l->d2 >= 1 && l->d2 <= 31 &&
           (l->d1 <= 12 || l->d2 <= 12);
}

static bool ci_word_eq(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

/* "Sender: text" -> sender/text, or a system line (sender NULL). strict: ISO lines must have
 * a plausible sender (not a log level such as "INFO: ..."). */
static bool split_sender(const char *s, size_t n, struct chat_line *l, bool strict)
{
    static const char *const levels[] = {"info",   "warn",     "warning", "error", "err",
                                         "debug",  "trace",    "fatal",   "critical", "notice",
                                         "severe", "alert",    "emerg",   "crit",  "verbose",
                                         NULL};
    l->sender = NULL;
    l->sender_len = 0;
    l->text = s;
    l->text_len = n;
    size_t i = 0;
    while (i < n && i <= 100 && !(s[i] == ':' && (i + 1 == n || s[i + 1] == ' ')))
        i++;
    if (i >= n || i > 100 || i == 0)
        return !strict;
    const char *snd = s;
    size_t sl = i;
    trim(&snd, &sl);
    if (!sl)
        return !strict;
    if (strict) {
        for (size_t k = 0; k < sl; k++)
            if (strchr("[]{}=|\\<>", snd[k]))
                return false;
        size_t w = 0;
        while (w < sl && snd[w] != ' ')
            w++;
        for (const char *const *lv = levels; *lv; lv++)
            if (ci_word_eq(snd, w, *lv))
                return false;
    }
    l->sender = snd;
    l->sender_len = sl;
    i++;
    if (i < n && s[i] == ' ')
        i++;
    l->text = s + i;
    l->text_len = n - i;
    return true;
}

/* Skips a leading LRM/RLM/ZWNBSP (WhatsApp iOS marks attachment lines with U+200E). */
static void skip_marks(const char **s, size_t *n)
{
    while (*n >= 3) {
        const unsigned char *p = (const unsigned char *)*s;
        bool mark = (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0x8E || p[2] == 0x8F)) ||
                    (p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF);
        if (!mark)
            return;
        *s += 3;
        *n -= 3;
    }
}

/* 12/31/23, 9:15 PM - Alice: hi */
static bool parse_wa_android(struct cur *c, struct chat_line *l)
{
    if (!c_wa_date(c, l))
        return false;
    c_char(c, ',');
    if (!c_space(c) || !c_time(c, l, true))
        return false;
    c_space(c);
    /* "-" or an en dash */
    if (!c_char(c, '-') && !c_word_ci(c, "\xE2\x80\x93"))
        return false;
    if (!c_space(c))
        return false;
    return split_sender((const char *)c->p + c->i, c->n - c->i, l, false);
}

/* [31/12/2023, 21:15:02] Alice: hi */
static bool parse_wa_ios(struct cur *c, struct chat_line *l)
{
    if (!c_char(c, '[') || !c_wa_date(c, l))
        return false;
    c_char(c, ',');
    if (!c_space(c) || !c_time(c, l, true) || !c_char(c, ']'))
        return false;
    c_space(c);
    return split_sender((const char *)c->p + c->i, c->n - c->i, l, true);
}

/* YYYY-MM-DD[T ]HH:MM[:SS[.fff]] */
static bool c_iso(struct cur *c, struct chat_line *l)
{
    if (!c_num(c, 4, 4, &l->y) || !c_char(c, '-') || !c_num(c, 2, 2, &l->d1) ||
        !c_char(c, '-') || !c_num(c, 2, 2, &l->d2))
        return false;
    if (!c_char(c, 'T') && !c_char(c, ' '))
        return false;
    if (!c_num(c, 2, 2, &l->h) || !c_char(c, ':') || !c_num(c, 2, 2, &l->mi))
        return false;
    l->s = 0;
    l->ampm = 0;
    if (c_char(c, ':')) {
        if (!c_num(c, 2, 2, &l->s))
            return false;
        if (c_char(c, '.') || c_char(c, ',')) {
            int frac;
            if (!c_num(c, 1, 9, &frac))
                return false;
        }
    }
    return true;
}

/* 2023-12-31 21:15:02 Alice: hi | [2023-12-31 21:15] <Alice> hi | ... - Alice: hi */
static bool parse_iso(struct cur *c, struct chat_line *l)
{
    bool bracket = c_char(c, '[');
    if (!c_iso(c, l))
        return false;
    if (bracket && !c_char(c, ']'))
        return false;
    if (!c_space(c))
        return false;
    size_t save = c->i;
    if (c_char(c, '-') && c_space(c))
        save = c->i;
    c->i = save;
    const char *s = (const char *)c->p + c->i;
    size_t n = c->n - c->i;
    if (n && s[0] == '<') {
        const char *gt = memchr(s, '>', n);
        if (!gt || gt == s + 1 || gt - s > 65 || memchr(s + 1, ' ', (size_t)(gt - s - 1)))
            return false;
        l->sender = s + 1;
        l->sender_len = (size_t)(gt - s - 1);
        size_t off = (size_t)(gt - s) + 1;
        if (off < n && s[off] == ' ')
            off++;
        l->text = s + off;
        l->text_len = n - off;
        return true;
    }
    return split_sender(s, n, l, true);
}

/* 2023-12-31T21:15:02Z,+15551234567,in,hello */
static bool parse_sms(struct cur *c, struct chat_line *l)
{
    if (!c_iso(c, l))
        return false;
    l->tz_min = 0;
    if (!c_char(c, 'Z') && !c_eof(c) && (c->p[c->i] == '+' || c->p[c->i] == '-')) {
        int sign = c->p[c->i] == '-' ? -1 : 1, th, tm = 0;
        c->i++;
        if (!c_num(c, 2, 2, &th))
            return false;
        c_char(c, ':');
        if (c_is_digit(c) && !c_num(c, 2, 2, &tm))
            return false;
        if (th > 14 || tm > 59)
            return false;
        l->tz_min = sign * (th * 60 + tm);
    }
    if (!c_char(c, ','))
        return false;
    const char *s = (const char *)c->p + c->i;
    size_t n = c->n - c->i;
    const char *comma = memchr(s, ',', n);
    if (!comma || comma == s || comma - s > 64)
        return false;
    l->sender = s;
    l->sender_len = (size_t)(comma - s);
    c->i += l->sender_len + 1;
    if (c_word_ci(c, "in,") || c_word_ci(c, "received,") || c_word_ci(c, "inbox,"))
        l->sms_out = false;
    else if (c_word_ci(c, "out,") || c_word_ci(c, "sent,"))
        l->sms_out = true;
    else
        return false;
    if (l->sms_out) {
        l->sender = "me";
        l->sender_len = 2;
    }
    l->text = (const char *)c->p + c->i;
    l->text_len = c->n - c->i;
    return true;
}

static bool parse_line(enum chat_fmt f, const char *s, size_t n, struct chat_line *l)
{
    memset(l, 0, sizeof(*l));
    skip_marks(&s, &n);
    struct cur c = {(const unsigned char *)s, 0, n};
    switch (f) {
    case CHAT_WA_ANDROID:
        return parse_wa_android(&c, l);
    case CHAT_WA_IOS:
        return parse_wa_ios(&c, l);
    case CHAT_ISO:
        return parse_iso(&c, l);
    case CHAT_SMS:
        return parse_sms(&c, l);
    default:
        return false;
    }
}

/* Counts, per format, the lines of the first `max_lines` non-blank lines (0 = all) that
 * match; returns the best format and sets *best / *nonblank. */
static enum chat_fmt best_format(const char *s, size_t n, int max_lines, int *best,
                                 int *nonblank)
{
    int counts[CHAT_NFMT] = {0};
    struct lines it = {s, n, 0};
    const char *line;
    size_t len;
    int nb = 0;
    while (next_line(&it, &line, &len) && (max_lines == 0 || nb < max_lines)) {
        if (is_blank(line, len))
            continue;
        nb++;
        struct chat_line l;
        for (int f = 0; f < CHAT_NFMT; f++)
            counts[f] += parse_line((enum chat_fmt)f, line, len, &l);
    }
    enum chat_fmt bf = CHAT_WA_ANDROID;
    for (int f = 1; f < CHAT_NFMT; f++)
        if (counts[f] > counts[bf])
            bf = (enum chat_fmt)f;
    *best = counts[bf];
    *nonblank = nb;
    return bf;
}

bool lh__extract_chat_sniff(const char *s, size_t n)
{
    int best, nonblank;
    best_format(s, n, 20, &best, &nonblank);
    return best >= 2 && best * 10 >= nonblank * 6;
}

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

/* Builds the normalised "YYYY-MM-DD HH:MM:SS" of a parsed line; false if invalid.
 * day_first decides the WhatsApp field order. */
static bool line_ts(enum chat_fmt f, const struct chat_line *l, bool day_first, char ts[20])
{
    int y = l->y, m, d, h = l->h, mi = l->mi, s = l->s;
    if (f == CHAT_WA_ANDROID || f == CHAT_WA_IOS) {
        d = day_first ? l->d1 : l->d2;
        m = day_first ? l->d2 : l->d1;
    } else {
        m = l->d1;
        d = l->d2;
    }
    if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return false;
    if (l->ampm) {
        if (h < 1 || h > 12)
            return false;
        h = h % 12 + (l->ampm == 2 ? 12 : 0);
    }
    if (h > 23 || mi > 59 || s > 60)
        return false;
    if (s == 60)
        s = 59;
    if (l->tz_min) {
        int64_t t = days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + s -
                    (int64_t)l->tz_min * 60;
        int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
        int64_t rem = t - days * 86400;
        civil_from_days(days, &y, &m, &d);
        h = (int)(rem / 3600);
        mi = (int)(rem / 60 % 60);
        s = (int)(rem % 60);
        if (y < 1970 || y > 9999)
            return false;
    }
    char tmp[64]; /* all fields are range-checked: always 19 chars */
    snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, h, mi, s);
    memcpy(ts, tmp, 19);
    ts[19] = '\0';
    return true;
}

/* Decides D/M vs M/D for WhatsApp dates: a field > 12 settles it; else a 12-hour clock
 * suggests the US order (M/D), a 24-hour clock D/M. */
static bool wa_day_first(enum chat_fmt f, const char *s, size_t n)
{
    struct lines it = {s, n, 0};
    const char *line;
    size_t len;
    bool any = false, ampm = false;
    while (next_line(&it, &line, &len)) {
        struct chat_line l;
        if (!parse_line(f, line, len, &l))
            continue;
        if (l.d1 > 12)
            return true;
        if (l.d2 > 12)
            return false;
        if (!any) {
            ampm = l.ampm != 0;
            any = true;
        }
    }
    return !ampm;
}

struct chat_msg {
    bool open;
    bool has_ts;
    char ts[20];
    const char *sender;
    size_t sender_len;
    struct lh_buf text;
};

/* Emits the open message as a row. */
static int flush_msg(struct chat_msg *m, enum chat_fmt f, const char *id, const char *display,
                     struct lh_buf *rows, struct lh_buf *row, struct lh_extract_result *res,
                     struct lh_error *err)
{
    if (!m->open)
        return 0;
    m->open = false;
    const char *t = m->text.ptr;
    size_t tl = m->text.len;
    while (tl && is_space(t[tl - 1]))
        tl--;
    struct lh_buf unq = LH_BUF_INIT;
    if (f == CHAT_SMS && tl >= 2 && t[0] == '"' && t[tl - 1] == '"') {
        for (size_t i = 1; i + 1 < tl; i++) {
            lh_buf_putc(&unq, t[i]);
            if (t[i] == '"' && t[i + 1] == '"')
                i++;
        }
        t = unq.ptr;
        tl = unq.len;
    }
    lh_buf_reset(row);
    lh_buf_putc(row, '{');
    lh__extract_json_kv_str(row, true, "doc_id", id, 16);
    lh__extract_json_kv_str(row, false, "file", display, strlen(display));
    lh_buf_printf(row, ",\"message_no\":%lld", (long long)res->rows + 1);
    lh__extract_json_kv_str(row, false, "ts", m->has_ts ? m->ts : NULL, 19);
    lh__extract_json_kv_str(row, false, "sender", m->sender, m->sender_len);
    lh__extract_json_kv_str(row, false, "text", t, tl);
    lh_buf_puts(row, "}\n");
    lh_buf_release(&unq);
    lh_buf_reset(&m->text);
    int rc = add_row(rows, row, display, err);
    if (rc == 0)
        res->rows++;
    return rc;
}

int lh__extract_chat(const char *path, const char *display, struct lh_buf *rows,
                     struct lh_extract_result *res, struct lh_error *err)
{
    int rc;
    char *data = NULL;
    size_t n = 0;
    char id[17];
    struct lh_buf txt = LH_BUF_INIT, row = LH_BUF_INIT;
    struct chat_msg m = {.text = LH_BUF_INIT};
    if ((rc = lh__extract_read_file(path, display, LH__EXTRACT_MAX_CHAT_FILE, &data, &n, err)))
        goto out;
    if (n == 0) {
        rc = lh_error_set(err, LH_EINVAL, "%s is empty", display);
        goto out;
    }
    if (memchr(data, '\0', n)) {
        rc = lh_error_set(err, LH_EINVAL, "%s is not a text file (it contains NUL bytes)",
                          display);
        goto out;
    }
    lh__extract_doc_id(data, n, id);
    lh__extract_decode(data, n, &txt, &res->invalid_utf8);
    int best, nonblank;
    enum chat_fmt f = best_format(txt.ptr, txt.len, 0, &best, &nonblank);
    if (best == 0) {
        rc = lh_error_set(err, LH_EINVAL,
                          "%s is not a recognised chat export (no line looks like a "
                          "WhatsApp, IRC-style or SMS message)",
                          display);
        goto out;
    }
    bool day_first = (f == CHAT_WA_ANDROID || f == CHAT_WA_IOS) &&
                     wa_day_first(f, txt.ptr, txt.len);
    struct lines it = {txt.ptr, txt.len, 0};
    const char *line;
    size_t len;
    while (next_line(&it, &line, &len)) {
        struct chat_line l;
        char ts[20];
        if (parse_line(f, line, len, &l) && line_ts(f, &l, day_first, ts)) {
            if ((rc = flush_msg(&m, f, id, display, rows, &row, res, err)))
                goto out;
            m.open = true;
            m.has_ts = true;
            memcpy(m.ts, ts, sizeof(ts));
            m.sender = l.sender;
            m.sender_len = l.sender_len;
            lh_buf_append(&m.text, l.text, l.text_len);
            continue;
        }
        if (!m.open) {
            /* lines before the first message are kept as a message without ts/sender */
            if (is_blank(line, len))
                continue;
            m.open = true;
            m.has_ts = false;
            m.sender = NULL;
            m.sender_len = 0;
        } else {
            lh_buf_putc(&m.text, '\n');
        }
        lh_buf_append(&m.text, line, len);
    }
    rc = flush_msg(&m, f, id, display, rows, &row, res, err);
out:
    free(data);
    lh_buf_release(&txt);
    lh_buf_release(&row);
    lh_buf_release(&m.text);
    return rc;
}
