/* SPDX-License-Identifier: MIT */
/* pii_match.c - hand-written value matchers of the PII classifier (no regex, bounded work).
 *
 * Each matcher reads at most n bytes of a trimmed value and decides in one or two passes.
 * They are deliberately strict: a value counts for a kind only in shapes that kind really
 * takes, because the column decision is a vote over the sample. */
#include "lh_common.h"
#include "pii_int.h"

#include <string.h>
#include <time.h>

/* ---- small helpers ---- */

static bool ieq_n(const char *a, const char *lit, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lh__pii_tolower((unsigned char)a[i]) != (unsigned char)lit[i])
            return false;
    return true;
}

/* (s, n) equals the lower-case literal ignoring ASCII case. */
static bool ieq(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n == l && ieq_n(s, lit, l);
}

static bool is_hex(unsigned char c)
{
    return lh__pii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!lh__pii_digit((unsigned char)s[i]))
            return false;
    return true;
}

/* Value of up to 9 digits (caller checked they are digits). */
static int num_n(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* Copies (s, n) lower-cased into buf (size cap), dropping one trailing '.'; returns length,
 * or 0 if it does not fit. */
static size_t lower_word(const char *s, size_t n, char *buf, size_t cap)
{
    if (n && s[n - 1] == '.')
        n--;
    if (n == 0 || n >= cap)
        return 0;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)lh__pii_tolower((unsigned char)s[i]);
    buf[n] = '\0';
    return n;
}

/* ---- Luhn ---- */

bool lh__pii_luhn(const char *digits, size_t n)
{
    if (n == 0)
        return false;
    unsigned sum = 0;
    bool dbl = false;
    for (size_t i = n; i-- > 0;) {
        unsigned char c = (unsigned char)digits[i];
        if (!lh__pii_digit(c))
            return false;
        unsigned v = c - '0';
        if (dbl) {
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
        dbl = !dbl;
    }
    return sum % 10 == 0;
}

/* ---- email ---- */

static bool email_local_char(unsigned char c)
{
    return lh__pii_alnum(c) || (c && strchr("!#$%&'*+/=?^_`{|}~.-", c));
}

static bool email_core(const char *s, size_t n)
{
    if (n < 6 || n > 254)
        return false;
    const char *at = memchr(s, '@', n);
    if (!at)
        return false;
    size_t ll = (size_t)(at - s), dl = n - ll - 1;
    if (ll < 1 || ll > 64 || dl < 4 || dl > 253)
        return false;
    if (s[0] == '.' || s[ll - 1] == '.')
        return false;
    for (size_t i = 0; i < ll; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!email_local_char(c) || (c == '.' && s[i + 1] == '.'))
            return false;
    }
    const char *d = at + 1;
    size_t start = 0, last = 0;
    int labels = 0;
    for (size_t i = 0; i <= dl; i++) {
        if (i == dl || d[i] == '.') {
            size_t len = i - start;
            if (len < 1 || len > 63 || d[start] == '-' || d[i - 1] == '-')
                return false;
            labels++;
            last = start;
            start = i + 1;
        } else if (!lh__pii_alnum((unsigned char)d[i]) && d[i] != '-') {
            return false;
        }
    }
    if (labels < 2)
        return false;
    const char *tld = d + last;
    size_t tl = dl - last;
    if (tl < 2)
        return false;
    if (tl > 4 && ieq_n(tld, "xn--", 4))
        return true;
    for (size_t i = 0; i < tl; i++)
        if (!lh__pii_alpha((unsigned char)tld[i]))
            return false;
    return true;
}

bool lh__pii_is_email(const char *s, size_t n)
{
    if (n > 2 && s[n - 1] == '>') {
        /* "Display Name <addr>" */
        size_t lt = n - 1;
        while (lt > 0 && s[lt - 1] != '<')
            lt--;
        if (lt == 0)
            return false;
        s += lt;
        n = n - 1 - lt;
    }
    if (n > 7 && ieq_n(s, "mailto:", 7)) {
        s += 7;
        n -= 7;
    }
    return email_core(s, n);
}

/* ---- phone ---- */

/* Drops a trailing extension ("x123", "ext. 12", "extension 9", "#45"); returns the new n. */
static size_t phone_strip_ext(const char *s, size_t n)
{
    size_t k = n;
    while (k > 0 && lh__pii_digit((unsigned char)s[k - 1]))
        k--;
    if (n - k < 1 || n - k > 6 || k == 0)
        return n;
    size_t m = k;
    while (m > 0 && (s[m - 1] == ' ' || s[m - 1] == '.' || s[m - 1] == ':'))
        m--;
    size_t mk = 0;
    if (m >= 9 && ieq_n(s + m - 9, "extension", 9))
        mk = 9;
    else if (m >= 3 && ieq_n(s + m - 3, "ext", 3))
        mk = 3;
    else if (m >= 1 && (s[m - 1] == 'x' || s[m - 1] == 'X' || s[m - 1] == '#'))
        mk = 1;
    if (!mk)
        return n;
    size_t b = m - mk;
    if (b == 0 || !(s[b - 1] == ' ' || lh__pii_digit((unsigned char)s[b - 1])))
        return n;
    while (b > 0 && s[b - 1] == ' ')
        b--;
    return b;
}

enum lh__pii_level lh__pii_phone_level(const char *s, size_t n)
{
    if (n > 4 && ieq_n(s, "tel:", 4)) { /* RFC 3966 URI */
        s += 4;
        n -= 4;
    }
    if (n < 7 || n > 40)
        return LH__PII_NO;
    n = phone_strip_ext(s, n);
    if (n < 7)
        return LH__PII_NO;

    size_t i = 0;
    bool plus = false;
    if (s[0] == '+') {
        plus = true;
        i = 1;
    }
    if (i >= n || !(lh__pii_digit((unsigned char)s[i]) || s[i] == '('))
        return LH__PII_NO;
    if (!lh__pii_digit((unsigned char)s[n - 1]))
        return LH__PII_NO;

    int groups[16];
    int ng = 0, nd = 0, paren_group = -1, run = 0, run_punct = 0;
    bool paren_open = false, prev_digit = false;
    unsigned seps = 0; /* 1 space, 2 dash, 4 dot, 8 slash */
    char d[16];
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (lh__pii_digit(c)) {
            if (!prev_digit) {
                if (ng == (int)LH_ARRAY_LEN(groups))
                    return LH__PII_NO;
                groups[ng++] = 0;
            }
            if (nd == 15)
                return LH__PII_NO;
            d[nd++] = (char)c;
            groups[ng - 1]++;
            prev_digit = true;
            run = run_punct = 0;
            continue;
        }
        prev_digit = false;
        if (c == '(') {
            if (paren_open || paren_group >= 0)
                return LH__PII_NO;
            paren_open = true;
            paren_group = ng;
        } else if (c == ')') {
            if (!paren_open || ng != paren_group + 1)
                return LH__PII_NO;
            paren_open = false;
        } else if (c == ' ') {
            seps |= 1;
        } else if (c == '-') {
            seps |= 2;
            run_punct++;
        } else if (c == '.') {
            seps |= 4;
            run_punct++;
        } else if (c == '/') {
            seps |= 8;
            run_punct++;
        } else {
            return LH__PII_NO;
        }
        /* ") ", " - " are fine; "--" or "-." are not */
        if (++run > 3 || run_punct > 1)
            return LH__PII_NO;
    }
    if (paren_open || nd < 7)
        return LH__PII_NO;

    int maxg = 0;
    for (int g = 0; g < ng; g++)
        if (groups[g] > maxg)
            maxg = groups[g];

    if (ng == 1) {
        if (plus)
            return nd >= 8 ? LH__PII_STRONG : LH__PII_NO;
        return nd >= 10 ? LH__PII_WEAK : LH__PII_NO;
    }
    /* Decimals, dates and dotted quads are never phone numbers. */
    if (ng == 2 && seps == 4)
        return LH__PII_NO;
    if (ng == 3 && paren_group < 0) {
        int a = groups[0], b = groups[1], c = groups[2];
        if ((a == 4 && b <= 2 && c <= 2) || (a <= 2 && b <= 2 && c == 4))
            return LH__PII_NO;
    }
    if (ng == 4 && seps == 4 && maxg <= 3)
        return LH__PII_NO;
    if (plus)
        return nd >= 8 ? LH__PII_STRONG : LH__PII_NO;
    /* "00" is the ITU international prefix: 0044 20 7946 0958 == +44 20 7946 0958 */
    if (d[0] == '0' && d[1] == '0' && d[2] != '0' && nd - 2 >= 8)
        return LH__PII_STRONG;

    /* NANP: [1] NPA NXX XXXX */
    const int *g = groups;
    int gn = ng, off = 0;
    if (gn == 4 && g[0] == 1 && d[0] == '1') {
        g++;
        gn--;
        off = 1;
    }
    if (gn == 3 && g[0] == 3 && g[1] == 3 && g[2] == 4)
        return d[off] >= '2' && d[off + 3] >= '2' ? LH__PII_STRONG : LH__PII_WEAK;
    /* National format with trunk prefix 0 (UK, FR, DE, AU ...); ZIP+4 05123-4567 is not. */
    if (d[0] == '0' && nd >= 10 && nd <= 12 && groups[0] <= 5)
        return LH__PII_STRONG;
    if (nd == 7 && ng == 2 && groups[0] == 3 && groups[1] == 4)
        return LH__PII_WEAK;
    if (nd >= 10 && nd <= 13 && maxg <= 5)
        return LH__PII_WEAK;
    return LH__PII_NO;
}

/* ---- SSN ---- */

bool lh__pii_ssn_valid(int area, int group, int serial)
{
    return area > 0 && area != 666 && area < 900 && group > 0 && group <= 99 && serial > 0 &&
           serial <= 9999;
}

enum lh__pii_level lh__pii_ssn_level(const char *s, size_t n, bool allow_short)
{
    if (n == 11 && (s[3] == '-' || s[3] == ' ') && s[6] == s[3]) {
        if (!all_digits(s, 3) || !all_digits(s + 4, 2) || !all_digits(s + 7, 4))
            return LH__PII_NO;
        return lh__pii_ssn_valid(num_n(s, 3), num_n(s + 4, 2), num_n(s + 7, 4)) ? LH__PII_STRONG
                                                                                : LH__PII_NO;
    }
    if ((n == 9 || (allow_short && (n == 7 || n == 8))) && all_digits(s, n)) {
        int v = num_n(s, n);
        return lh__pii_ssn_valid(v / 1000000, v / 10000 % 100, v % 10000) ? LH__PII_WEAK
                                                                          : LH__PII_NO;
    }
    return LH__PII_NO;
}

/* ---- payment cards ---- */

bool lh__pii_card_iin_ok(const char *d, size_t n)
{
    if (n < 12 || n > 19 || !all_digits(d, n))
        return false;
    int p1 = num_n(d, 1), p2 = num_n(d, 2), p3 = num_n(d, 3), p4 = num_n(d, 4);
    if (p1 == 4) /* Visa */
        return n == 13 || n == 16 || n == 19;
    if (p2 == 34 || p2 == 37) /* American Express */
        return n == 15;
    if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) /* Mastercard */
        return n == 16;
    if (p4 >= 2200 && p4 <= 2204) /* Mir */
        return n >= 16;
    if (p4 == 6011 || (p3 >= 644 && p3 <= 649) || p2 == 65) /* Discover */
        return n >= 16;
    if ((p3 >= 300 && p3 <= 305) || p4 == 3095 || p2 == 36 || p2 == 38 || p2 == 39) /* Diners */
        return n >= 14;
    if (p4 >= 3528 && p4 <= 3589) /* JCB */
        return n >= 16;
    if (p2 == 62) /* UnionPay */
        return n >= 16;
    if (p4 == 5018 || p4 == 5020 || p4 == 5038 || p4 == 5893 || p4 == 6304 || p4 == 6759 ||
        (p4 >= 6761 && p4 <= 6763)) /* Maestro */
        return n >= 12;
    return false;
}

bool lh__pii_is_card(const char *s, size_t n)
{
    if (n < 13 || n > 23)
        return false;
    char d[19];
    size_t nd = 0, glen = 0;
    char sep = 0;
    bool fours = true; /* every group so far has 4 digits */
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (lh__pii_digit((unsigned char)c)) {
            if (nd == sizeof(d))
                return false;
            d[nd++] = c;
            glen++;
            continue;
        }
        if ((c != ' ' && c != '-') || (sep && c != sep) || glen < 3 || glen > 6)
            return false;
        fours = fours && glen == 4;
        sep = c;
        glen = 0;
    }
    /* groups of 3-6 digits (4-4-4-4, 4-6-5); a short last group only after fours: 4-4-4-1 */
    if (glen == 0 || (sep && glen < 3 && !fours) || nd < 13)
        return false;
    return lh__pii_card_iin_ok(d, nd) && lh__pii_luhn(d, nd);
}

/* ---- IP addresses ---- */

/* Bytes of a dotted quad at the start of s, or 0. */
static size_t ipv4_prefix(const char *s, size_t n)
{
    size_t i = 0;
    for (int oct = 0; oct < 4; oct++) {
        if (oct) {
            if (i >= n || s[i] != '.')
                return 0;
            i++;
        }
        size_t st = i;
        int v = 0;
        while (i < n && lh__pii_digit((unsigned char)s[i]) && i - st < 3)
            v = v * 10 + (s[i++] - '0');
        if (i == st || v > 255 || (i < n && lh__pii_digit((unsigned char)s[i])))
            return 0;
    }
    return i;
}

static bool digits_max(const char *s, size_t n, size_t max_len, int max_val)
{
    return n >= 1 && n <= max_len && all_digits(s, n) && num_n(s, n) <= max_val;
}

bool lh__pii_is_ipv4(const char *s, size_t n, bool allow_suffix)
{
    size_t k = ipv4_prefix(s, n);
    if (!k)
        return false;
    if (k == n)
        return true;
    if (!allow_suffix)
        return false;
    if (s[k] == ':')
        return digits_max(s + k + 1, n - k - 1, 5, 65535);
    if (s[k] == '/')
        return digits_max(s + k + 1, n - k - 1, 2, 32);
    return false;
}

static bool ipv6_core(const char *s, size_t n)
{
    if (n < 2)
        return false;
    int groups = 0;
    bool dbl = false;
    size_t i = 0;
    if (s[0] == ':') {
        if (s[1] != ':')
            return false;
        dbl = true;
        i = 2;
    }
    while (i < n) {
        size_t st = i;
        while (i < n && is_hex((unsigned char)s[i]) && i - st < 5)
            i++;
        size_t gl = i - st;
        if (gl == 0)
            return false;
        if (i < n && s[i] == '.') {
            /* embedded IPv4 tail: last 32 bits */
            if (!lh__pii_is_ipv4(s + st, n - st, false))
                return false;
            groups += 2;
            break;
        }
        if (gl > 4)
            return false;
        groups++;
        if (i == n)
            break;
        if (s[i] != ':')
            return false;
        i++;
        if (i < n && s[i] == ':') {
            if (dbl)
                return false;
            dbl = true;
            i++;
        } else if (i == n) {
            return false;
        }
    }
    return dbl ? groups <= 7 : groups == 8;
}

bool lh__pii_is_ipv6(const char *s, size_t n)
{
    if (n < 2 || n > 64)
        return false;
    if (s[0] == '[') {
        const char *rb = memchr(s, ']', n);
        if (!rb)
            return false;
        size_t k = (size_t)(rb - s);
        if (k + 1 < n && !(s[k + 1] == ':' && digits_max(s + k + 2, n - k - 2, 5, 65535)))
            return false;
        s++;
        n = k - 1;
    }
    const char *sl = memchr(s, '/', n);
    if (sl) {
        size_t k = (size_t)(sl - s);
        if (!digits_max(sl + 1, n - k - 1, 3, 128))
            return false;
        n = k;
    }
    const char *pc = memchr(s, '%', n);
    if (pc) {
        size_t k = (size_t)(pc - s);
        if (k + 1 >= n)
            return false;
        for (size_t i = k + 1; i < n; i++)
            if (!lh__pii_alnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.')
                return false;
        n = k;
    }
    return ipv6_core(s, n);
}

/* ---- dates ---- */

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool ymd_ok(int y, int m, int d)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
        return false;
    return d <= dim[m - 1] + (m == 2 && leap(y));
}

static bool set_date(struct lh__pii_date *out, int y, int m, int d)
{
    if (!ymd_ok(y, m, d))
        return false;
    out->year = y;
    out->month = m;
    out->day = d;
    return true;
}

int lh__pii_date_cmp(const struct lh__pii_date *a, const struct lh__pii_date *b)
{
    if (a->year != b->year)
        return a->year < b->year ? -1 : 1;
    if (a->month != b->month)
        return a->month < b->month ? -1 : 1;
    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    return 0;
}

/* 20YY unless that is in the future, else 19YY. */
static int two_digit_year(int yy)
{
    time_t now = time(NULL);
    struct tm tm;
    int cur = gmtime_r(&now, &tm) ? tm.tm_year + 1900 : 2000;
    return 2000 + yy <= cur ? 2000 + yy : 1900 + yy;
}

/* 1..12 for an English month name or its 3-4 letter abbreviation, else 0. */
static int month_of(const char *w, size_t n)
{
    static const char *const names[12] = {"january",   "february", "march",    "april",
                                          "may",       "june",     "july",     "august",
                                          "september", "october",  "november", "december"};
    if (n && w[n - 1] == '.')
        n--;
    if (n < 3)
        return 0;
    for (int m = 0; m < 12; m++) {
        size_t l = strlen(names[m]);
        if (n > l)
            continue;
        if (ieq_n(w, names[m], n) && (n == 3 || n == l || (m == 8 && n == 4)))
            return m + 1;
    }
    return 0;
}

/* Digit run at s[*i], at most max digits; returns its length and value. */
static size_t take_digits(const char *s, size_t n, size_t *i, size_t max, int *val)
{
    size_t st = *i;
    int v = 0;
    while (*i < n && lh__pii_digit((unsigned char)s[*i]) && *i - st < max)
        v = v * 10 + (s[(*i)++] - '0');
    if (*i < n && lh__pii_digit((unsigned char)s[*i]))
        return 0;
    *val = v;
    return *i - st;
}

static bool date_words(const char *s, size_t n, struct lh__pii_date *out)
{
    /* up to 4 tokens split on space, comma, dash, slash */
    const char *tp[4];
    size_t tl[4];
    int nt = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == ',' || s[i] == '-' || s[i] == '/'))
            i++;
        if (i == n)
            break;
        if (nt == 4)
            return false;
        size_t st = i;
        while (i < n && s[i] != ' ' && s[i] != ',' && s[i] != '-' && s[i] != '/')
            i++;
        tp[nt] = s + st;
        tl[nt++] = i - st;
    }
    if (nt != 3)
        return false;
    int y = 0, d = 0, m;
    if (!(tl[2] == 4 && all_digits(tp[2], 4)))
        return false;
    y = num_n(tp[2], 4);
    size_t dl;
    if ((m = month_of(tp[0], tl[0])) != 0) { /* March 5, 1984 */
        dl = tl[1];
        if (dl > 2 && (ieq_n(tp[1] + dl - 2, "st", 2) || ieq_n(tp[1] + dl - 2, "nd", 2) ||
                       ieq_n(tp[1] + dl - 2, "rd", 2) || ieq_n(tp[1] + dl - 2, "th", 2)))
            dl -= 2;
        if (dl < 1 || dl > 2 || !all_digits(tp[1], dl))
            return false;
        d = num_n(tp[1], dl);
    } else if ((m = month_of(tp[1], tl[1])) != 0) { /* 5 March 1984 */
        dl = tl[0];
        if (dl < 1 || dl > 2 || !all_digits(tp[0], dl))
            return false;
        d = num_n(tp[0], dl);
    } else {
        return false;
    }
    return set_date(out, y, m, d);
}

bool lh__pii_parse_date(const char *s, size_t n, unsigned flags, struct lh__pii_date *out)
{
    if (n < 6 || n > 40)
        return false;
    size_t i = 0;
    int a, b, c;
    if (n >= 8 && all_digits(s, 4) && (s[4] == '-' || s[4] == '/' || s[4] == '.')) {
        char sep = s[4];
        i = 0;
        take_digits(s, n, &i, 4, &a);
        i++;
        if (!take_digits(s, n, &i, 2, &b) || i >= n || s[i] != sep)
            return false;
        i++;
        if (!take_digits(s, n, &i, 2, &c))
            return false;
        if (i < n && s[i] != 'T' && s[i] != ' ')
            return false;
        return set_date(out, a, b, c);
    }
    if (lh__pii_digit((unsigned char)s[0])) {
        size_t l1 = take_digits(s, n, &i, 2, &a);
        if (l1 && i < n && (s[i] == '/' || s[i] == '-' || s[i] == '.')) {
            char sep = s[i++];
            if (i < n && lh__pii_digit((unsigned char)s[i])) {
                if (!take_digits(s, n, &i, 2, &b) || i >= n || s[i] != sep)
                    return false;
                i++;
                size_t yl = take_digits(s, n, &i, 4, &c);
                if (yl == 2 && (flags & LH__PII_DATE_YY))
                    c = two_digit_year(c);
                else if (yl != 4)
                    return false;
                if (i < n && s[i] != ' ' && s[i] != 'T')
                    return false;
                /* US order for '/', day first otherwise; fall back to the other order */
                if (sep == '/')
                    return set_date(out, c, a, b) || set_date(out, c, b, a);
                return set_date(out, c, b, a) || set_date(out, c, a, b);
            }
        }
        if ((flags & LH__PII_DATE_COMPACT) && n == 8 && all_digits(s, 8))
            return set_date(out, num_n(s, 4), num_n(s + 4, 2), num_n(s + 6, 2));
    }
    return date_words(s, n, out);
}

/* ---- amounts ---- */

/* Skips a currency marker at s[*i] (and spaces after it). */
static void skip_currency(const char *s, size_t n, size_t *i)
{
    static const char *const marks[] = {"$",   "\xe2\x82\xac", "\xc2\xa3", "usd", "eur",
                                        "gbp", "us$",          "cad",      "aud"};
    for (size_t k = 0; k < LH_ARRAY_LEN(marks); k++) {
        size_t l = strlen(marks[k]);
        if (*i + l <= n && ieq_n(s + *i, marks[k], l)) {
            *i += l;
            while (*i < n && s[*i] == ' ')
                (*i)++;
            return;
        }
    }
}

/* "52.000,00" / "1.234.567" -> "52,000.00" / "1,234,567" when the dots can only be thousands
 * separators (groups of 3) and a comma, if any, ends with 1-2 decimals. Returns the new length,
 * or 0 if (s, n) is not in that format. */
static size_t euro_number(const char *s, size_t n, char *buf, size_t cap)
{
    size_t dots = 0, commas = 0, last_comma = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.')
            dots++;
        else if (s[i] == ',') {
            commas++;
            last_comma = i;
        }
    }
    if (n >= cap || commas > 1 || (dots == 0 && commas == 0))
        return 0;
    if (commas == 1) {
        /* the comma must be the decimal mark: 1-2 digits after it, nothing else */
        size_t after = n - last_comma - 1, k = last_comma + 1;
        if (after < 1 || after > 2)
            return 0;
        while (k < n && lh__pii_digit((unsigned char)s[k]))
            k++;
        if (k != n)
            return 0;
    } else if (dots < 2) {
        return 0; /* "52.000" alone is a decimal point, not a thousands group */
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.') {
            /* exactly three digits follow, then a separator or the end of the digits */
            size_t k = i + 1;
            while (k < n && lh__pii_digit((unsigned char)s[k]))
                k++;
            if (k - i - 1 != 3 || (k < n && s[k] != '.' && s[k] != ',' && s[k] != ' '))
                return 0;
        }
        buf[i] = s[i] == '.' ? ',' : s[i] == ',' ? '.' : s[i];
    }
    return n;
}

static bool parse_amount_us(const char *s, size_t n, double *out);

bool lh__pii_parse_amount(const char *s, size_t n, double *out)
{
    if (parse_amount_us(s, n, out))
        return true;
    char buf[64];
    size_t m = euro_number(s, n, buf, sizeof(buf));
    return m && parse_amount_us(buf, m, out);
}

static bool parse_amount_us(const char *s, size_t n, double *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && s[i] == '-') {
        neg = true;
        i++;
    }
    skip_currency(s, n, &i);
    if (!neg && i < n && s[i] == '-') {
        neg = true;
        i++;
    }
    /* trailing currency code or symbol */
    size_t e = n;
    while (e > i && s[e - 1] == ' ')
        e--;
    static const char *const tails[] = {"usd", "eur", "gbp", "\xe2\x82\xac", "$"};
    for (size_t k = 0; k < LH_ARRAY_LEN(tails); k++) {
        size_t l = strlen(tails[k]);
        if (e >= i + l && ieq_n(s + e - l, tails[k], l)) {
            e -= l;
            while (e > i && s[e - 1] == ' ')
                e--;
            break;
        }
    }
    double mult = 1.0;
    if (e > i && (s[e - 1] == 'k' || s[e - 1] == 'K')) {
        mult = 1000.0;
        e--;
    }
    if (i >= e || !lh__pii_digit((unsigned char)s[i]))
        return false;

    double v = 0.0;
    size_t intd = 0, grp = 0;
    bool commas = false;
    while (i < e && (lh__pii_digit((unsigned char)s[i]) || s[i] == ',')) {
        if (s[i] == ',') {
            /* thousands separator: 1-3 digits before the first, exactly 3 between */
            if ((!commas && (grp < 1 || grp > 3)) || (commas && grp != 3))
                return false;
            commas = true;
            grp = 0;
        } else {
            if (++intd > 18)
                return false;
            v = v * 10.0 + (s[i] - '0');
            grp++;
        }
        i++;
    }
    if (commas && grp != 3)
        return false;
    if (i < e && s[i] == '.') {
        i++;
        double scale = 0.1;
        size_t fd = 0;
        while (i < e && lh__pii_digit((unsigned char)s[i])) {
            if (++fd > 12)
                return false;
            v += (s[i] - '0') * scale;
            scale /= 10.0;
            i++;
        }
    }
    if (i < e && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < e && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        int ex = 0;
        size_t st = i;
        while (i < e && lh__pii_digit((unsigned char)s[i]) && i - st < 3)
            ex = ex * 10 + (s[i++] - '0');
        if (i == st)
            return false;
        for (int k = 0; k < ex; k++)
            v = eneg ? v / 10.0 : v * 10.0;
    }
    if (i != e)
        return false;
    *out = (neg ? -v : v) * mult;
    return true;
}

/* Length of (s, n) without a trailing pay period ("/hr", " per year", " p.a.", " annually"). */
static size_t strip_pay_period(const char *s, size_t n)
{
    static const char *const tails[] = {"/hr",      "/hour",    "/h",        "/yr",       "/year",
                                        "/y",       "/mo",      "/month",    "/wk",       "/week",
                                        "per hour", "per year", "per annum", "per month", "an hour",
                                        "a year",   "hourly",   "annually",  "annual",    "p.a.",
                                        "pa",       "yearly",   "monthly",   "per hr",    "per yr"};
    for (size_t k = 0; k < LH_ARRAY_LEN(tails); k++) {
        size_t l = strlen(tails[k]);
        if (n > l && ieq_n(s + n - l, tails[k], l)) {
            bool word = tails[k][0] != '/';
            /* a word tail must be separated by a space ("85000 pa", not "85000pa") */
            if (word && s[n - l - 1] != ' ')
                continue;
            n -= l;
            while (n > 0 && s[n - 1] == ' ')
                n--;
            return n;
        }
    }
    return n;
}

bool lh__pii_parse_pay(const char *s, size_t n, double *out)
{
    n = strip_pay_period(s, n);
    if (lh__pii_parse_amount(s, n, out))
        return true;
    /* a range: "a - b", "a-b", "a to b", "a – b" (en dash) */
    static const char *const seps[] = {" - ", " to ", " \xe2\x80\x93 ", "\xe2\x80\x93", "-"};
    for (size_t k = 0; k < LH_ARRAY_LEN(seps); k++) {
        size_t l = strlen(seps[k]);
        for (size_t i = 1; i + l < n; i++) {
            if (memcmp(s + i, seps[k], l) != 0)
                continue;
            double lo, hi;
            if (lh__pii_parse_amount(s, i, &lo) &&
                lh__pii_parse_amount(s + i + l, n - i - l, &hi) && lo >= 0 && hi >= lo) {
                *out = lo;
                return true;
            }
            break;
        }
    }
    return false;
}

/* ---- street addresses ---- */

struct tok {
    const char *p;
    size_t n;
    bool comma_after;
};

/* Splits on spaces and commas; returns the token count (at most max). */
static size_t tokenize(const char *s, size_t n, struct tok *t, size_t max)
{
    size_t nt = 0, i = 0;
    while (i < n && nt < max) {
        while (i < n && (lh__pii_space((unsigned char)s[i]) || s[i] == ','))
            i++;
        if (i == n)
            break;
        size_t st = i;
        while (i < n && !lh__pii_space((unsigned char)s[i]) && s[i] != ',')
            i++;
        t[nt].p = s + st;
        t[nt].n = i - st;
        size_t j = i;
        while (j < n && lh__pii_space((unsigned char)s[j]))
            j++;
        t[nt].comma_after = j < n && s[j] == ',';
        nt++;
    }
    return nt;
}

/* 1-6 digits, optionally one letter (221B) or a range (1600-1602). */
static bool house_number(const struct tok *t)
{
    size_t k = 0;
    while (k < t->n && lh__pii_digit((unsigned char)t->p[k]))
        k++;
    if (k == 0 || k > 6)
        return false;
    if (k == t->n)
        return true;
    if (k + 1 == t->n && lh__pii_alpha((unsigned char)t->p[k]))
        return true;
    if (t->p[k] == '-' && k + 1 < t->n)
        return all_digits(t->p + k + 1, t->n - k - 1) && t->n - k - 1 <= 6;
    return false;
}

static bool in_set(const char *w, size_t n, const char *const *set, size_t count)
{
    for (size_t k = 0; k < count; k++)
        if (strlen(set[k]) == n && memcmp(set[k], w, n) == 0)
            return true;
    return false;
}

static const char *const addr_stop[] = {
    "a",  "an", "and", "are", "as",  "at",  "by",  "for",  "from", "her", "his",  "in", "is",  "it",
    "my", "of", "on",  "or",  "our", "per", "the", "this", "to",   "was", "with", "x",  "your"};
/* Street types written before the name: "12 rue de Rivoli", "Calle Mayor 5". */
static const char *const street_prefix_types[] = {
    "allee", "avenida", "avenue", "boulevard", "calle", "carrer", "chemin", "corso", "impasse",
    "paseo", "piazza",  "place",  "plaza",     "quai",  "rua",    "rue",    "via",   "viale"};

/* A word that can be part of a street name: letters (any UTF-8), '.', '\'', '-', or an
 * ordinal like 5th / 42nd. */
static bool street_word(const struct tok *t, const char *lw, size_t lwn)
{
    if (lwn && in_set(lw, lwn, addr_stop, LH_ARRAY_LEN(addr_stop)))
        return false;
    size_t k = 0;
    while (k < t->n && lh__pii_digit((unsigned char)t->p[k]))
        k++;
    if (k > 0) {
        return k <= 4 && t->n == k + 2 &&
               (ieq_n(t->p + k, "st", 2) || ieq_n(t->p + k, "nd", 2) || ieq_n(t->p + k, "rd", 2) ||
                ieq_n(t->p + k, "th", 2));
    }
    for (size_t i = 0; i < t->n; i++) {
        unsigned char c = (unsigned char)t->p[i];
        if (!(lh__pii_alpha(c) || c >= 0x80 || c == '.' || c == '\'' || c == '-'))
            return false;
    }
    return t->n > 0 && (lh__pii_alpha((unsigned char)t->p[0]) || (unsigned char)t->p[0] >= 0x80);
}

static bool ends_with_ci(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n > l && ieq_n(s + n - l, lit, l);
}

bool lh__pii_is_street_address(const char *s, size_t n)
{
    struct tok t[16];
    size_t nt = tokenize(s, n, t, LH_ARRAY_LEN(t));
    if (nt < 2)
        return false;
    char lw[32];
    size_t lwn;

    /* PO Box 123 / P.O. Box 123 / Post Office Box 123 */
    {
        size_t k = 0;
        if (ieq(t[0].p, t[0].n, "po") || ieq(t[0].p, t[0].n, "p.o.") || ieq(t[0].p, t[0].n, "p.o"))
            k = 1;
        else if (nt > 2 && ieq(t[0].p, t[0].n, "post") && ieq(t[1].p, t[1].n, "office"))
            k = 2;
        else if (nt > 2 && ieq(t[0].p, t[0].n, "p.") && ieq(t[1].p, t[1].n, "o."))
            k = 2;
        if (k && k + 1 < nt && ieq(t[k].p, t[k].n, "box") && house_number(&t[k + 1]))
            return true;
    }

    /* The number may follow a unit: "Apt 4B, 123 Main St", "Flat 3, 12 High Street". */
    for (size_t h0 = 0; h0 < nt && h0 < 4; h0++) {
        if (!house_number(&t[h0]) || (h0 > 0 && !t[h0 - 1].comma_after))
            continue;
        size_t name_words = 0;
        for (size_t j = h0 + 1; j < nt && j <= h0 + 7; j++) {
            lwn = lower_word(t[j].p, t[j].n, lw, sizeof(lw));
            if (lwn && name_words >= 1 && lh__pii_word_street_suffix(lw, lwn))
                return true;
            if (j == h0 + 1 && lwn) {
                if (ieq(lw, lwn, "broadway"))
                    return true;
                if (nt >= j + 2 &&
                    in_set(lw, lwn, street_prefix_types, LH_ARRAY_LEN(street_prefix_types)))
                    return true;
                if ((ieq(lw, lwn, "highway") || ieq(lw, lwn, "hwy") || ieq(lw, lwn, "route") ||
                     ieq(lw, lwn, "rte")) &&
                    j + 1 < nt && house_number(&t[j + 1]))
                    return true;
            }
            if (!street_word(&t[j], lw, lwn))
                break;
            name_words++;
            if (t[j].comma_after)
                break;
        }
    }

    /* Hauptstraße 12, Lindenweg 3a */
    for (size_t j = 0; j + 1 < nt && j < 4; j++) {
        if ((ends_with_ci(t[j].p, t[j].n,
                          "stra\xc3\x9f"
                          "e") ||
             ends_with_ci(t[j].p, t[j].n, "strasse") || ends_with_ci(t[j].p, t[j].n, "str.") ||
             ends_with_ci(t[j].p, t[j].n, "gasse") || ends_with_ci(t[j].p, t[j].n, "weg") ||
             ends_with_ci(t[j].p, t[j].n, "allee") || ends_with_ci(t[j].p, t[j].n, "platz")) &&
            house_number(&t[j + 1]))
            return true;
    }

    /* Calle Mayor 5, Via Roma 10 */
    lwn = lower_word(t[0].p, t[0].n, lw, sizeof(lw));
    if (nt >= 3 && lwn && in_set(lw, lwn, street_prefix_types, LH_ARRAY_LEN(street_prefix_types))) {
        for (size_t j = 2; j < nt && j < 8; j++) {
            if (house_number(&t[j]))
                return true;
            if (t[j].comma_after)
                break;
        }
    }
    return false;
}

/* ---- medical ---- */

/* Length of an ICD-10-CM code at the start of s ("E11.9", "I10", "J45.909"), or 0. */
static size_t icd10_prefix(const char *s, size_t n)
{
    if (n < 3)
        return 0;
    unsigned char c0 = (unsigned char)s[0];
    if (!lh__pii_upper(c0) || c0 == 'U' || !lh__pii_digit((unsigned char)s[1]) ||
        !(lh__pii_digit((unsigned char)s[2]) || lh__pii_upper((unsigned char)s[2])))
        return 0;
    size_t i = 3;
    if (i < n && s[i] == '.') {
        size_t st = ++i;
        while (i < n && i - st < 4 &&
               (lh__pii_digit((unsigned char)s[i]) || lh__pii_upper((unsigned char)s[i])))
            i++;
        if (i == st)
            return 0;
    }
    if (i < n && (lh__pii_alnum((unsigned char)s[i]) || s[i] == '.'))
        return 0;
    return i;
}

/* Greek-derived clinical word endings: procedures (-ectomy, -oscopy, -plasty, ...) and
 * inflammations (-itis). Long enough stems only, so everyday words do not qualify; "-otomy"
 * is left out ("dichotomy", and "phlebotomy" is a skill on a resume). */
static unsigned medical_suffix(const char *w, size_t n)
{
    static const char *const ends[] = {"ectomy", "ostomy", "oscopy", "plasty", "itis"};
    for (size_t k = 0; k < LH_ARRAY_LEN(ends); k++) {
        size_t l = strlen(ends[k]);
        if (n >= l + 3 && memcmp(w + n - l, ends[k], l) == 0)
            return LH__PII_MED_TERM;
    }
    return 0;
}

unsigned lh__pii_medical_flags(const char *s, size_t n)
{
    unsigned f = 0;
    size_t k = icd10_prefix(s, n);
    if (k) {
        f |= LH__PII_MED_ICD;
        for (size_t i = k; i < n; i++)
            if (lh__pii_alpha((unsigned char)s[i])) {
                f |= LH__PII_MED_ICD_DESC;
                break;
            }
    }
    char prev[32], cur[32], pair[64];
    size_t prev_n = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && !lh__pii_alpha((unsigned char)s[i]))
            i++;
        if (i == n)
            break;
        size_t cn = 0;
        bool too_long = false;
        while (i < n && (lh__pii_alpha((unsigned char)s[i]) ||
                         (s[i] == '\'' && i + 1 < n && lh__pii_alpha((unsigned char)s[i + 1])))) {
            if (s[i] != '\'') {
                if (cn + 1 < sizeof(cur))
                    cur[cn++] = (char)lh__pii_tolower((unsigned char)s[i]);
                else
                    too_long = true;
            }
            i++;
        }
        /* a word glued to non-ASCII bytes is not an English word */
        if (too_long || (i < n && (unsigned char)s[i] >= 0x80)) {
            prev_n = 0;
            continue;
        }
        f |= lh__pii_word_medical(cur, cn);
        f |= medical_suffix(cur, cn);
        if (prev_n) {
            memcpy(pair, prev, prev_n);
            pair[prev_n] = ' ';
            memcpy(pair + prev_n + 1, cur, cn);
            f |= lh__pii_word_medical(pair, prev_n + 1 + cn);
        }
        memcpy(prev, cur, cn);
        prev_n = cn;
    }
    return f;
}

/* ---- person names ---- */

static const char *const name_particles[] = {
    "al", "bin", "da",  "das", "de", "del", "della", "den", "der", "di",  "dos",
    "du", "el",  "ibn", "la",  "le", "st",  "ten",   "ter", "van", "von", "y"};
static const char *const name_titles[] = {"dr", "miss", "mr", "mrs", "ms", "mx", "prof"};
static const char *const name_suffixes[] = {"esq", "ii", "iii", "iv", "jr", "md", "phd", "sr"};
static const char *const name_stop[] = {"and", "for", "from", "of", "the", "with"};

unsigned lh__pii_name_flags(const char *s, size_t n)
{
    if (n == 0 || n > 80)
        return 0;
    unsigned f = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (lh__pii_digit(c) || c == '&' || c == '@' || c == '/' || c == '(' || c == '+')
            f |= LH__PII_NAME_COMPANY;
    }
    struct tok t[8];
    size_t nt = tokenize(s, n, t, LH_ARRAY_LEN(t));
    if (nt == 0 || nt == LH_ARRAY_LEN(t))
        return f;
    int commas = 0, words = 0;
    bool shape = true, loose = true;
    const struct tok *first = NULL, *after_comma = NULL;
    char lw[40];
    for (size_t j = 0; j < nt; j++) {
        size_t lwn = lower_word(t[j].p, t[j].n, lw, sizeof(lw));
        bool last_had_comma = j > 0 && t[j - 1].comma_after;
        if (last_had_comma)
            commas++;
        if (!lwn) {
            shape = loose = false;
            continue;
        }
        if (lh__pii_word_company(lw, lwn))
            f |= LH__PII_NAME_COMPANY;
        if (in_set(lw, lwn, name_particles, LH_ARRAY_LEN(name_particles)) && words > 0)
            continue;
        if (in_set(lw, lwn, name_titles, LH_ARRAY_LEN(name_titles)) && words == 0)
            continue;
        if (in_set(lw, lwn, name_suffixes, LH_ARRAY_LEN(name_suffixes)) && words > 0)
            continue;
        if (in_set(lw, lwn, name_stop, LH_ARRAY_LEN(name_stop))) {
            shape = loose = false;
            continue;
        }
        unsigned char c0 = (unsigned char)t[j].p[0];
        /* an initial: "J." or "J" */
        if (lh__pii_upper(c0) && (t[j].n == 1 || (t[j].n == 2 && t[j].p[1] == '.'))) {
            words++;
            continue;
        }
        if (!(lh__pii_alpha(c0) || c0 >= 0xc0) || t[j].n > 30)
            loose = false;
        if (!(lh__pii_upper(c0) || c0 >= 0xc0) || t[j].n < 2 || t[j].n > 30)
            shape = false;
        for (size_t i = 1; i < t[j].n; i++) {
            unsigned char c = (unsigned char)t[j].p[i];
            bool inner = c == '\'' || c == '-';
            bool bad =
                (inner && (i + 1 == t[j].n || t[j].p[i + 1] == '\'' || t[j].p[i + 1] == '-')) ||
                (c == '.' && i + 1 != t[j].n) ||
                !(lh__pii_alpha(c) || c >= 0x80 || inner || c == '.');
            if (bad)
                shape = loose = false;
        }
        words++;
        if (!first)
            first = &t[j];
        if (last_had_comma && !after_comma)
            after_comma = &t[j];
    }
    if (words == 0 || words > 5 || commas > 1)
        shape = loose = false;
    if (shape)
        f |= LH__PII_NAME_SHAPE;
    if (loose || shape)
        f |= LH__PII_NAME_LOOSE;
    if (words >= 2)
        f |= LH__PII_NAME_MULTI;
    const struct tok *given = commas == 1 && after_comma ? after_comma : first;
    if (given) {
        /* "Ana-María" -> "ana": the part before a hyphen */
        size_t gl = 0;
        while (gl < given->n && given->p[gl] != '-')
            gl++;
        size_t lwn = lower_word(given->p, gl, lw, sizeof(lw));
        if (lwn && lh__pii_word_first_name(lw, lwn))
            f |= LH__PII_NAME_FIRST;
    }
    return f;
}
