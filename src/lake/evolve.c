/* SPDX-License-Identifier: MIT */
/* evolve.c - schema diff: DuckDB type widening, rename detection by name similarity, merge. */
#include "lh_common.h"
#include "evolve.h"
#include "buf.h"

#include <stdlib.h>
#include <string.h>

/* Rename scoring looks at the first NAME_SCORED bytes of a name, split into at most
 * NAME_TOKENS tokens, and gives up when there are more removed x added pairs than
 * RENAME_MAX_PAIRS: this keeps the diff of two wide, unrelated schemas fast. */
#define NAME_SCORED 64
#define NAME_TOKENS 16
#define RENAME_MAX_PAIRS 16384
#define RENAME_MIN_PCT 60

static const char *nz(const char *s)
{
    return s ? s : "";
}

static char up(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static char low(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* ASCII-only: the locale must not change what a column or type name means. */
static bool eq_ci(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (low(*a) != low(*b))
            return false;
    return *a == *b;
}

/* ---- type texts ---- */

static bool type_word_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '_'
           || c == '"' || (unsigned char)c >= 0x80;
}

/* Upper-cases ASCII and drops whitespace, except one blank between two word characters
 * ("TIMESTAMP WITH TIME ZONE", "STRUCT(A INTEGER,B VARCHAR)"); quoted names keep theirs. */
static char *type_norm(const char *t)
{
    struct lh_buf b = LH_BUF_INIT;
    bool blank = false, quoted = false;
    for (const char *p = nz(t); *p; p++) {
        char c = *p;
        if (quoted) {
            lh_buf_putc(&b, up(c));
            quoted = c != '"';
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            blank = b.len > 0;
            continue;
        }
        if (blank && type_word_char(b.ptr[b.len - 1]) && type_word_char(c))
            lh_buf_putc(&b, ' ');
        blank = false;
        quoted = c == '"';
        lh_buf_putc(&b, up(c));
    }
    return lh_buf_detach(&b);
}

struct type_alias {
    const char *alias;
    const char *name;
};

static const struct type_alias type_aliases[] = {
    {"BOOL", "BOOLEAN"},          {"LOGICAL", "BOOLEAN"},
    {"INT1", "TINYINT"},          {"INT2", "SMALLINT"},
    {"SHORT", "SMALLINT"},        {"INT", "INTEGER"},
    {"INT4", "INTEGER"},          {"SIGNED", "INTEGER"},
    {"INT8", "BIGINT"},           {"LONG", "BIGINT"},
    {"INT128", "HUGEINT"},        {"UINT8", "UTINYINT"},
    {"UINT16", "USMALLINT"},      {"UINT32", "UINTEGER"},
    {"UINT64", "UBIGINT"},        {"UINT128", "UHUGEINT"},
    {"REAL", "FLOAT"},            {"FLOAT4", "FLOAT"},
    {"FLOAT8", "DOUBLE"},         {"DOUBLE PRECISION", "DOUBLE"},
    {"STRING", "VARCHAR"},        {"TEXT", "VARCHAR"},
    {"CHAR", "VARCHAR"},          {"BPCHAR", "VARCHAR"},
    {"NVARCHAR", "VARCHAR"},      {"BYTEA", "BLOB"},
    {"BINARY", "BLOB"},           {"VARBINARY", "BLOB"},
    {"DATETIME", "TIMESTAMP"},    {"TIMESTAMP_US", "TIMESTAMP"},
    {"TIMESTAMP WITHOUT TIME ZONE", "TIMESTAMP"},
    {"TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE"},
    {"TIME WITHOUT TIME ZONE", "TIME"},
    {"TIMETZ", "TIME WITH TIME ZONE"},
};

/* Parses "(<digits>)" or "(<digits>,<digits>)" at p (the whole rest of the text). Returns the
 * number of values read (1 or 2), 0 if the text has another shape. */
static int parse_params(const char *p, long *a, long *b)
{
    if (*p++ != '(' || !is_digit(*p))
        return 0;
    char *end;
    *a = strtol(p, &end, 10);
    if (*end == ')' && end[1] == '\0')
        return 1;
    if (*end != ',' || !is_digit(end[1]))
        return 0;
    *b = strtol(end + 1, &end, 10);
    return *end == ')' && end[1] == '\0' ? 2 : 0;
}

/* Canonical form of a normalised scalar (non-list) type: aliases resolved, DECIMAL always
 * with (p,s), lengths of VARCHAR(n) dropped (DuckDB ignores them). */
static char *canon_scalar(const char *n)
{
    size_t len = strlen(n);
    for (size_t i = 0; i < LH_ARRAY_LEN(type_aliases); i++)
        if (strcmp(n, type_aliases[i].alias) == 0)
            return lh_xstrdup(type_aliases[i].name);
    const char *paren = strchr(n, '(');
    if (!paren)
        return lh_xstrdup(strcmp(n, "DECIMAL") == 0 || strcmp(n, "NUMERIC") == 0
                              ? "DECIMAL(18,3)" : n);
    size_t head = (size_t)(paren - n);
    long a = 0, b = 0;
    int np = parse_params(paren, &a, &b);
    if (np && head == 7 && (memcmp(n, "DECIMAL", 7) == 0 || memcmp(n, "NUMERIC", 7) == 0)) {
        if (np == 1)
            b = 0;
        if (a >= 1 && a <= 38 && b >= 0 && b <= a)
            return lh_xasprintf("DECIMAL(%ld,%ld)", a, b);
    }
    if (np == 1) {
        static const char *const strings[] = {"VARCHAR", "CHAR", "BPCHAR", "TEXT", "STRING",
                                              "NVARCHAR"};
        for (size_t i = 0; i < LH_ARRAY_LEN(strings); i++)
            if (strlen(strings[i]) == head && memcmp(n, strings[i], head) == 0)
                return lh_xstrdup("VARCHAR");
    }
    if (head == 4 && memcmp(n, "LIST", 4) == 0 && n[len - 1] == ')') {
        /* LIST(T) is the long spelling of T[] */
        int depth = 0;
        for (size_t i = head; i < len; i++) {
            depth += n[i] == '(' ? 1 : n[i] == ')' ? -1 : 0;
            if (depth == 0 && i + 1 < len)
                return lh_xstrdup(n); /* "LIST(A)(B)": not ours to interpret */
        }
        return lh_xasprintf("%.*s[]", (int)(len - head - 2), n + head + 1);
    }
    return lh_xstrdup(n);
}

/* Length of a trailing list suffix "[]" / "[3]" of a normalised type, 0 if none. */
static size_t list_suffix(const char *n, size_t len)
{
    if (len < 3 || n[len - 1] != ']')
        return 0;
    size_t i = len - 1;
    while (i > 0 && is_digit(n[i - 1]))
        i--;
    if (i == 0 || n[i - 1] != '[' || i - 1 == 0)
        return 0;
    return len - (i - 1);
}

static char *canon_norm(const char *n)
{
    size_t len = strlen(n);
    size_t suf = list_suffix(n, len);
    if (suf) {
        char *elem = lh_xstrndup(n, len - suf);
        char *ce = canon_norm(elem);
        char *out = lh_xasprintf("%s%s", ce, n + len - suf);
        free(elem);
        free(ce);
        return out;
    }
    char *c = canon_scalar(n);
    if (strcmp(c, n) != 0 && list_suffix(c, strlen(c))) {
        char *again = canon_norm(c); /* LIST(INT) -> INT[] -> INTEGER[] */
        free(c);
        return again;
    }
    return c;
}

static char *type_canon(const char *t)
{
    char *n = type_norm(t);
    char *c = canon_norm(n);
    free(n);
    return c;
}

enum ty_kind {
    TY_OTHER,
    TY_INT,
    TY_FLOAT,
    TY_DOUBLE,
    TY_DECIMAL,
    TY_DATE,
    TY_TIMESTAMP,
};

struct ty {
    enum ty_kind kind;
    int bytes;        /* TY_INT */
    bool is_unsigned; /* TY_INT */
    int digits;       /* TY_INT: decimal digits of its largest magnitude */
    long prec, scale; /* TY_DECIMAL */
    int unit;         /* TY_TIMESTAMP: 0 s, 1 ms, 2 us, 3 ns */
};

struct int_type {
    const char *name;
    int bytes;
    bool is_unsigned;
    int digits;
};

static const struct int_type int_types[] = {
    {"TINYINT", 1, false, 3},   {"SMALLINT", 2, false, 5},  {"INTEGER", 4, false, 10},
    {"BIGINT", 8, false, 19},   {"HUGEINT", 16, false, 39}, {"UTINYINT", 1, true, 3},
    {"USMALLINT", 2, true, 5},  {"UINTEGER", 4, true, 10},  {"UBIGINT", 8, true, 20},
    {"UHUGEINT", 16, true, 39},
};

static struct ty ty_parse(const char *c)
{
    struct ty t = {0};
    for (size_t i = 0; i < LH_ARRAY_LEN(int_types); i++) {
        if (strcmp(c, int_types[i].name) == 0) {
            t.kind = TY_INT;
            t.bytes = int_types[i].bytes;
            t.is_unsigned = int_types[i].is_unsigned;
            t.digits = int_types[i].digits;
            return t;
        }
    }
    static const char *const stamps[] = {"TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP",
                                         "TIMESTAMP_NS"};
    for (size_t i = 0; i < LH_ARRAY_LEN(stamps); i++) {
        if (strcmp(c, stamps[i]) == 0) {
            t.kind = TY_TIMESTAMP;
            t.unit = (int)i;
            return t;
        }
    }
    long a = 0, b = 0;
    if (strcmp(c, "FLOAT") == 0)
        t.kind = TY_FLOAT;
    else if (strcmp(c, "DOUBLE") == 0)
        t.kind = TY_DOUBLE;
    else if (strcmp(c, "DATE") == 0)
        t.kind = TY_DATE;
    else if (strncmp(c, "DECIMAL(", 8) == 0 && parse_params(c + 7, &a, &b) == 2) {
        t.kind = TY_DECIMAL;
        t.prec = a;
        t.scale = b;
    }
    return t;
}

/* The widening rules, on canonical texts. */
static bool widens_canon(const char *from, const char *to)
{
    if (strcmp(from, to) == 0)
        return true;
    size_t fl = strlen(from), tl = strlen(to);
    size_t fs = list_suffix(from, fl), ts = list_suffix(to, tl);
    if (fs || ts) {
        /* a list widens when its element does; fixed-size arrays keep their size */
        if (fs != ts || strcmp(from + fl - fs, to + tl - ts) != 0)
            return false;
        char *fe = lh_xstrndup(from, fl - fs), *te = lh_xstrndup(to, tl - ts);
        bool w = widens_canon(fe, te);
        free(fe);
        free(te);
        return w;
    }
    struct ty f = ty_parse(from), t = ty_parse(to);
    switch (f.kind) {
    case TY_INT:
        if (t.kind == TY_INT)
            return t.is_unsigned ? f.is_unsigned && t.bytes >= f.bytes
                                 : t.bytes > f.bytes || (!f.is_unsigned && t.bytes == f.bytes);
        if (t.kind == TY_FLOAT)
            return f.bytes <= 2; /* 24-bit mantissa */
        if (t.kind == TY_DOUBLE)
            return f.bytes <= 4; /* 53-bit mantissa: BIGINT does not fit */
        if (t.kind == TY_DECIMAL)
            return t.prec - t.scale >= f.digits;
        return false;
    case TY_FLOAT:
        return t.kind == TY_DOUBLE;
    case TY_DECIMAL:
        return t.kind == TY_DECIMAL && t.prec - t.scale >= f.prec - f.scale
               && t.scale >= f.scale;
    case TY_DATE:
        return t.kind == TY_TIMESTAMP && t.unit <= 2; /* TIMESTAMP_NS ends in 2262 */
    case TY_TIMESTAMP:
        return t.kind == TY_TIMESTAMP && t.unit > f.unit && t.unit <= 2;
    case TY_DOUBLE:
    case TY_OTHER:
        break;
    }
    return false;
}

bool lh_type_widens(const char *from, const char *to)
{
    if (!from || !to)
        return false;
    char *f = type_canon(from), *t = type_canon(to);
    bool w = widens_canon(f, t);
    free(f);
    free(t);
    return w;
}

bool lh_type_equal(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    char *ca = type_canon(a), *cb = type_canon(b);
    bool eq = strcmp(ca, cb) == 0;
    free(ca);
    free(cb);
    return eq;
}

enum type_rel {
    REL_EQUAL,
    REL_WIDENS,
    REL_NARROWS,
    REL_INCOMPATIBLE,
};

static enum type_rel canon_relation(const char *o, const char *n)
{
    return strcmp(o, n) == 0   ? REL_EQUAL
           : widens_canon(o, n) ? REL_WIDENS
           : widens_canon(n, o) ? REL_NARROWS
                                : REL_INCOMPATIBLE;
}

static enum type_rel type_relation(const char *old_type, const char *new_type)
{
    char *o = type_canon(old_type), *n = type_canon(new_type);
    enum type_rel r = canon_relation(o, n);
    free(o);
    free(n);
    return r;
}

/* ---- name similarity ---- */

struct name_toks {
    char joined[NAME_SCORED + 1]; /* lowercase alphanumerics of the name */
    size_t len;
    size_t n_tok;
    unsigned char off[NAME_TOKENS];
    unsigned char tlen[NAME_TOKENS];
};

enum { CH_SEP, CH_LOWER, CH_UPPER, CH_DIGIT };

static int char_class(char c)
{
    if (c >= 'a' && c <= 'z')
        return CH_LOWER;
    if (c >= 'A' && c <= 'Z')
        return CH_UPPER;
    if (is_digit(c))
        return CH_DIGIT;
    return (unsigned char)c >= 0x80 ? CH_LOWER : CH_SEP; /* UTF-8 bytes are letters */
}

/* Splits on non-alphanumerics, camelCase ("custEmail", "XMLFile" -> xml file) and
 * letter/digit boundaries ("address2"). */
static void name_tokenize(const char *name, struct name_toks *t)
{
    memset(t, 0, sizeof(*t));
    const char *s = nz(name);
    int prev = CH_SEP;
    for (size_t i = 0; s[i] && t->len < NAME_SCORED; i++) {
        int k = char_class(s[i]);
        if (k == CH_SEP) {
            prev = k;
            continue;
        }
        int next = char_class(s[i + 1]);
        bool cut = prev == CH_SEP || (prev == CH_LOWER && k == CH_UPPER)
                   || (prev == CH_UPPER && k == CH_UPPER && next == CH_LOWER)
                   || ((prev == CH_DIGIT) != (k == CH_DIGIT));
        if (cut && t->n_tok < NAME_TOKENS) {
            t->off[t->n_tok] = (unsigned char)t->len;
            t->n_tok++;
        }
        t->tlen[t->n_tok - 1]++;
        t->joined[t->len++] = low(s[i]);
        prev = k;
    }
}

static double jaro_winkler(const char *a, size_t la, const char *b, size_t lb)
{
    if (la == 0 || lb == 0)
        return la == lb ? 1.0 : 0.0;
    bool ma[NAME_SCORED] = {false}, mb[NAME_SCORED] = {false};
    size_t window = (la > lb ? la : lb) / 2;
    window = window > 0 ? window - 1 : 0;
    size_t m = 0;
    for (size_t i = 0; i < la; i++) {
        size_t lo = i > window ? i - window : 0, hi = i + window + 1 < lb ? i + window + 1 : lb;
        for (size_t j = lo; j < hi; j++) {
            if (!mb[j] && a[i] == b[j]) {
                ma[i] = mb[j] = true;
                m++;
                break;
            }
        }
    }
    if (m == 0)
        return 0.0;
    size_t trans = 0;
    for (size_t i = 0, j = 0; i < la; i++) {
        if (!ma[i])
            continue;
        while (!mb[j])
            j++;
        trans += a[i] != b[j];
        j++;
    }
    double md = (double)m;
    double jaro = (md / (double)la + md / (double)lb + (md - (double)trans / 2.0) / md) / 3.0;
    size_t prefix = 0;
    while (prefix < 4 && prefix < la && prefix < lb && a[prefix] == b[prefix])
        prefix++;
    return jaro + (double)prefix * 0.1 * (1.0 - jaro);
}

static double levenshtein_sim(const char *a, size_t la, const char *b, size_t lb)
{
    if (la == 0 && lb == 0)
        return 1.0;
    size_t row[NAME_SCORED + 1];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up_cost = row[j] + 1, left = row[j - 1] + 1;
            size_t sub = diag + (a[i - 1] != b[j - 1]);
            diag = row[j];
            row[j] = up_cost < left ? up_cost : left;
            if (sub < row[j])
                row[j] = sub;
        }
    }
    return 1.0 - (double)row[lb] / (double)(la > lb ? la : lb);
}

/* Common abbreviations that the prefix and subsequence rules below do not catch. */
static const char *const abbrevs[][2] = {
    {"no", "number"},    {"nr", "number"},       {"num", "number"},    {"nbr", "number"},
    {"tel", "phone"},    {"ph", "phone"},        {"qty", "quantity"},  {"amt", "amount"},
    {"addr", "address"}, {"desc", "description"}, {"id", "identifier"}, {"dt", "date"},
    {"ts", "timestamp"}, {"pct", "percent"},     {"cnt", "count"},     {"msg", "message"},
    {"img", "image"},    {"src", "source"},      {"dst", "destination"}, {"pwd", "password"},
    {"org", "organization"}, {"dept", "department"}, {"mgr", "manager"}, {"acct", "account"},
    {"cust", "customer"}, {"prod", "product"},   {"cat", "category"},  {"lat", "latitude"},
    {"lon", "longitude"}, {"lng", "longitude"},  {"ctry", "country"},  {"yr", "year"},
    {"avg", "average"},  {"temp", "temperature"}, {"ref", "reference"}, {"seq", "sequence"},
    {"idx", "index"},    {"val", "value"},       {"cfg", "config"},    {"fname", "firstname"},
    {"lname", "lastname"}, {"zip", "postcode"}, {"zip", "postal"},   {"phone", "telephone"},
};

static bool tok_is(const char *s, size_t n, const char *word)
{
    return s[0] == word[0] && strncmp(s, word, n) == 0 && word[n] == '\0';
}

static bool is_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/* short is a subsequence of long starting with the same letter ("qty" in "quantity"). */
static bool subsequence(const char *s, size_t ls, const char *l, size_t ll)
{
    if (ls == 0 || ls > ll || s[0] != l[0])
        return false;
    size_t i = 1;
    for (size_t j = 1; j < ll && i < ls; j++)
        if (s[i] == l[j])
            i++;
    return i == ls;
}

/* Similarity of two tokens: 1 equal, 0.9 known abbreviation or prefix of 3+ letters
 * ("addr"/"address"), 0.85 a consonant abbreviation ("qty"/"quantity", "amt"/"amount"; vowels
 * would let "city" abbreviate "capacity"), near-typos by Jaro-Winkler ("adress"). */
static double token_sim(const char *a, size_t la, const char *b, size_t lb)
{
    if (la == lb && memcmp(a, b, la) == 0)
        return 1.0;
    const char *s = la <= lb ? a : b, *l = la <= lb ? b : a;
    size_t ls = la <= lb ? la : lb, ll = la <= lb ? lb : la;
    if (ls <= 5) /* every short form in the table has at most 5 letters, fewer than its long */
        for (size_t i = 0; i < LH_ARRAY_LEN(abbrevs); i++)
            if (abbrevs[i][0][0] == s[0] && tok_is(s, ls, abbrevs[i][0])
                && tok_is(l, ll, abbrevs[i][1]))
                return 0.9;
    if (is_digit(s[0]) || is_digit(l[0]))
        return 0.0; /* "1" vs "2" or "10": different columns of a series */
    if (ls >= 3 && memcmp(s, l, ls) == 0)
        return 0.9;
    if (ls >= 3 && subsequence(s, ls, l, ll)) {
        bool consonants = true;
        for (size_t i = 1; i < ls; i++)
            consonants = consonants && !is_vowel(s[i]);
        if (consonants)
            return s[ls - 1] == l[ll - 1] ? 0.85 : 0.75;
    }
    if (ls >= 4 && ll - ls <= 2 && (s[0] == l[0] || s[1] == l[1])) {
        double jw = jaro_winkler(a, la, b, lb);
        if (jw >= 0.9)
            return jw * 0.9;
    }
    return 0.0;
}

static double name_similarity(const struct name_toks *a, const struct name_toks *b)
{
    if (a->len == 0 || b->len == 0)
        return 0.0;
    if (a->len == b->len && memcmp(a->joined, b->joined, a->len) == 0)
        return 1.0; /* differs in case and separators only: "e_mail", "CustomerID" */

    /* align tokens greedily, best pair first, each token used once */
    double sim[NAME_TOKENS][NAME_TOKENS];
    for (size_t i = 0; i < a->n_tok; i++)
        for (size_t j = 0; j < b->n_tok; j++)
            sim[i][j] = token_sim(a->joined + a->off[i], a->tlen[i], b->joined + b->off[j],
                                  b->tlen[j]);
    bool used_a[NAME_TOKENS] = {false}, used_b[NAME_TOKENS] = {false};
    double sum = 0.0;
    for (;;) {
        double best = 0.0;
        size_t bi = 0, bj = 0;
        for (size_t i = 0; i < a->n_tok; i++)
            for (size_t j = 0; j < b->n_tok; j++)
                if (!used_a[i] && !used_b[j] && sim[i][j] > best) {
                    best = sim[i][j];
                    bi = i;
                    bj = j;
                }
        if (best <= 0.0)
            break;
        used_a[bi] = used_b[bj] = true;
        sum += best;
    }
    size_t left_a = 0, left_b = 0;
    for (size_t i = 0; i < a->n_tok; i++)
        left_a += !used_a[i];
    for (size_t j = 0; j < b->n_tok; j++)
        left_b += !used_b[j];
    double n_short = (double)(a->n_tok < b->n_tok ? a->n_tok : b->n_tok);
    double n_long = (double)(a->n_tok > b->n_tok ? a->n_tok : b->n_tok);
    /* A name fully explained by the other ("zip" in "zip_code") counts more than the
     * extra tokens of the longer one. A token swapped for another ("first_name" vs
     * "last_name", "billing_address" vs "shipping_address") usually means another column. */
    double tok = 0.65 * (sum / n_short) + 0.35 * (sum / n_long);
    if (left_a && left_b)
        tok *= 0.75;

    /* an acronym of 3+ tokens: "dob" = "date_of_birth" */
    const struct name_toks *one = a->n_tok == 1 ? a : b, *many = a->n_tok == 1 ? b : a;
    if (one->n_tok == 1 && many->n_tok >= 3 && one->len == many->n_tok) {
        bool acronym = true;
        for (size_t i = 0; i < many->n_tok; i++)
            acronym = acronym && one->joined[i] == many->joined[many->off[i]];
        if (acronym && tok < 0.85)
            tok = 0.85;
    }

    /* the whole names: "custemail" abbreviates "customeremail" */
    const char *s = a->len <= b->len ? a->joined : b->joined;
    const char *l = a->len <= b->len ? b->joined : a->joined;
    size_t ls = a->len <= b->len ? a->len : b->len, ll = a->len <= b->len ? b->len : a->len;
    double ratio = (double)ls / (double)ll;
    if (ls >= 3 && ratio >= 0.6 && subsequence(s, ls, l, ll) && s[ls - 1] == l[ll - 1]) {
        double whole = 0.6 + 0.35 * ratio;
        if (whole > tok)
            tok = whole;
    }

    double chars = 0.5 * jaro_winkler(a->joined, a->len, b->joined, b->len)
                   + 0.5 * levenshtein_sim(a->joined, a->len, b->joined, b->len);
    return 0.9 * tok + 0.1 * chars;
}

double lh_name_similarity(const char *a, const char *b)
{
    struct name_toks ta, tb;
    name_tokenize(a, &ta);
    name_tokenize(b, &tb);
    return name_similarity(&ta, &tb);
}

/* ---- the diff ---- */

struct rename_cand {
    double score;
    size_t old_i, inc_j;
};

static int cand_cmp(const void *pa, const void *pb)
{
    const struct rename_cand *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->old_i != b->old_i)
        return a->old_i < b->old_i ? -1 : 1;
    return a->inc_j < b->inc_j ? -1 : a->inc_j > b->inc_j;
}

/* A score in hundredths, clamped to 0..100: the value tested against the threshold is the
 * one shown ("confidence 0.60"). */
static long to_pct(double x)
{
    if (x < 0.0)
        x = 0.0;
    if (x > 1.0)
        x = 1.0;
    return (long)(x * 100.0 + 0.5);
}

/* Pairs unmatched dataset columns with unmatched incoming ones. old_match[i] receives the
 * incoming index, confidence[i] its score. */
static void find_renames(const struct lh_column *old, size_t n_old, const struct lh_column *inc,
                         size_t n_inc, size_t *old_match, size_t *inc_match, double *confidence)
{
    size_t n_rm = 0, n_add = 0;
    for (size_t i = 0; i < n_old; i++)
        n_rm += old_match[i] == SIZE_MAX;
    for (size_t j = 0; j < n_inc; j++)
        n_add += inc_match[j] == SIZE_MAX;
    if (n_rm == 0 || n_add == 0 || n_rm * n_add > RENAME_MAX_PAIRS)
        return;

    struct name_toks *to = lh_xcalloc(n_old, sizeof(*to));
    struct name_toks *ti = lh_xcalloc(n_inc, sizeof(*ti));
    char **co = lh_xcalloc(n_old, sizeof(*co)), **ci = lh_xcalloc(n_inc, sizeof(*ci));
    for (size_t i = 0; i < n_old; i++) {
        if (old_match[i] == SIZE_MAX) {
            name_tokenize(old[i].name, &to[i]);
            co[i] = type_canon(old[i].type);
        }
    }
    for (size_t j = 0; j < n_inc; j++) {
        if (inc_match[j] == SIZE_MAX) {
            name_tokenize(inc[j].name, &ti[j]);
            ci[j] = type_canon(inc[j].type);
        }
    }

    struct rename_cand *cand = NULL;
    size_t n_cand = 0, cap = 0;
    for (size_t i = 0; i < n_old; i++) {
        if (old_match[i] != SIZE_MAX)
            continue;
        for (size_t j = 0; j < n_inc; j++) {
            if (inc_match[j] != SIZE_MAX)
                continue;
            enum type_rel rel = canon_relation(co[i], ci[j]);
            if (rel == REL_INCOMPATIBLE)
                continue;
            double score = name_similarity(&to[i], &ti[j]) * (rel == REL_EQUAL ? 1.0 : 0.9);
            if (i == j)
                score += 0.04;
            if (to_pct(score) < RENAME_MIN_PCT)
                continue;
            if (n_cand == cap) {
                cap = cap ? cap * 2 : 16;
                cand = lh_xrealloc(cand, cap * sizeof(*cand));
            }
            cand[n_cand++] = (struct rename_cand){score, i, j};
        }
    }
    if (n_cand)
        qsort(cand, n_cand, sizeof(*cand), cand_cmp);
    for (size_t k = 0; k < n_cand; k++) {
        struct rename_cand *c = &cand[k];
        if (old_match[c->old_i] != SIZE_MAX || inc_match[c->inc_j] != SIZE_MAX)
            continue;
        old_match[c->old_i] = c->inc_j;
        inc_match[c->inc_j] = c->old_i;
        confidence[c->old_i] = (double)to_pct(c->score) / 100.0;
    }
    free(cand);
    free(to);
    free(ti);
    for (size_t i = 0; i < n_old; i++)
        free(co[i]);
    for (size_t j = 0; j < n_inc; j++)
        free(ci[j]);
    free(co);
    free(ci);
}

static struct lh_schema_change *push_change(struct lh_schema_diff *d, enum lh_change_kind kind,
                                            const char *column, const char *old_type,
                                            const char *new_type)
{
    struct lh_schema_change *c = &d->changes[d->n_changes++];
    c->kind = kind;
    c->column = lh_xstrdup(nz(column));
    c->old_type = old_type ? lh_xstrdup(old_type) : NULL;
    c->new_type = new_type ? lh_xstrdup(new_type) : NULL;
    c->confidence = 1.0;
    return c;
}

static const char *rel_verb(enum type_rel rel)
{
    switch (rel) {
    case REL_EQUAL:
        return "stays";
    case REL_WIDENS:
        return "widens to";
    case REL_NARROWS:
        return "narrows to";
    case REL_INCOMPATIBLE:
        break;
    }
    return "changes incompatibly to";
}

/* The merged type: the wider of the two when one widens the other, else the incoming one. */
static char *merged_type(const char *old_type, const char *new_type, enum type_rel rel)
{
    return lh_xstrdup(rel == REL_EQUAL || rel == REL_NARROWS ? old_type : new_type);
}

void lh_schema_diff(const struct lh_column *old, size_t n_old, const struct lh_column *inc,
                    size_t n_inc, struct lh_schema_diff *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof(*out));
    out->all_safe = true;
    if (!old)
        n_old = 0;
    if (!inc)
        n_inc = 0;

    size_t *old_match = lh_xmalloc((n_old ? n_old : 1) * sizeof(size_t));
    size_t *inc_match = lh_xmalloc((n_inc ? n_inc : 1) * sizeof(size_t));
    double *confidence = lh_xcalloc(n_old ? n_old : 1, sizeof(double));
    bool *renamed = lh_xcalloc(n_old ? n_old : 1, sizeof(bool));
    for (size_t i = 0; i < n_old; i++)
        old_match[i] = SIZE_MAX;
    for (size_t j = 0; j < n_inc; j++)
        inc_match[j] = SIZE_MAX;

    /* same column: exact name first, then ignoring ASCII case ("Email" is "email") */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t j = 0; j < n_inc; j++) {
            if (inc_match[j] != SIZE_MAX)
                continue;
            for (size_t i = 0; i < n_old; i++) {
                if (old_match[i] != SIZE_MAX)
                    continue;
                const char *a = nz(old[i].name), *b = nz(inc[j].name);
                if (pass == 0 ? strcmp(a, b) == 0 : eq_ci(a, b)) {
                    old_match[i] = j;
                    inc_match[j] = i;
                    break;
                }
            }
        }
    }
    for (size_t i = 0; i < n_old; i++)
        renamed[i] = old_match[i] == SIZE_MAX; /* candidates until find_renames decides */
    find_renames(old, n_old, inc, n_inc, old_match, inc_match, confidence);
    for (size_t i = 0; i < n_old; i++)
        renamed[i] = renamed[i] && old_match[i] != SIZE_MAX;

    out->changes = lh_xcalloc(n_old + n_inc ? n_old + n_inc : 1, sizeof(*out->changes));
    out->merged = lh_xcalloc(n_old + n_inc ? n_old + n_inc : 1, sizeof(*out->merged));
    for (size_t i = 0; i < n_old; i++) {
        const char *name = nz(old[i].name), *otype = nz(old[i].type);
        struct lh_column *m = &out->merged[out->n_merged++];
        m->name = lh_xstrdup(name);
        if (old_match[i] == SIZE_MAX) {
            m->type = lh_xstrdup(otype);
            struct lh_schema_change *c = push_change(out, LH_CHANGE_REMOVED, name, otype, NULL);
            c->reason = lh_xasprintf("column '%s' (%s) is not in the incoming schema", name,
                                     otype);
            continue;
        }
        const struct lh_column *n = &inc[old_match[i]];
        const char *ntype = nz(n->type);
        enum type_rel rel = type_relation(otype, ntype);
        m->type = merged_type(otype, ntype, rel);
        if (renamed[i]) {
            struct lh_schema_change *c = push_change(out, LH_CHANGE_RENAMED, name, otype, ntype);
            c->new_column = lh_xstrdup(nz(n->name));
            c->confidence = confidence[i];
            if (rel == REL_EQUAL)
                c->reason = lh_xasprintf("column '%s' looks renamed to '%s' (similar name, same "
                                         "type %s)", name, c->new_column, otype);
            else
                c->reason = lh_xasprintf("column '%s' looks renamed to '%s' (similar name, "
                                         "type %s %s %s)", name, c->new_column, otype,
                                         rel_verb(rel), ntype);
        } else if (rel != REL_EQUAL) {
            struct lh_schema_change *c = push_change(out, LH_CHANGE_TYPE, name, otype, ntype);
            c->safe = rel == REL_WIDENS;
            c->reason = lh_xasprintf("type %s %s %s", otype, rel_verb(rel), ntype);
        }
    }
    for (size_t j = 0; j < n_inc; j++) {
        if (inc_match[j] != SIZE_MAX)
            continue;
        const char *name = nz(inc[j].name), *ntype = nz(inc[j].type);
        struct lh_column *m = &out->merged[out->n_merged++];
        m->name = lh_xstrdup(name);
        m->type = lh_xstrdup(ntype);
        struct lh_schema_change *c = push_change(out, LH_CHANGE_ADDED, name, NULL, ntype);
        c->safe = true;
        c->reason = lh_xasprintf("column '%s' (%s) is new; existing rows read it as NULL", name,
                                 ntype);
    }
    for (size_t k = 0; k < out->n_changes; k++)
        out->all_safe = out->all_safe && out->changes[k].safe;
    if (out->n_changes == 0) {
        free(out->changes);
        out->changes = NULL;
    }
    if (out->n_merged == 0) {
        free(out->merged);
        out->merged = NULL;
    }
    free(old_match);
    free(inc_match);
    free(confidence);
    free(renamed);
}

void lh_schema_diff_release(struct lh_schema_diff *d)
{
    if (!d)
        return;
    for (size_t k = 0; k < d->n_changes; k++) {
        struct lh_schema_change *c = &d->changes[k];
        free(c->column);
        free(c->new_column);
        free(c->old_type);
        free(c->new_type);
        free(c->reason);
    }
    free(d->changes);
    lh_columns_free(d->merged, d->n_merged);
    memset(d, 0, sizeof(*d));
    d->all_safe = true;
}

/* ---- renderings ---- */

/* A name inside '...' on one line: control characters become '?'. */
static void put_name(struct lh_buf *b, const char *s)
{
    lh_buf_putc(b, '\'');
    for (const char *p = nz(s); *p; p++)
        lh_buf_putc(b, (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p);
    lh_buf_putc(b, '\'');
}

static void put_type(struct lh_buf *b, const char *s)
{
    for (const char *p = nz(s); *p; p++)
        lh_buf_putc(b, (unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p);
}

static void describe_one(struct lh_buf *b, const struct lh_schema_change *c)
{
    lh_buf_puts(b, "column ");
    put_name(b, c->column);
    switch (c->kind) {
    case LH_CHANGE_ADDED:
        lh_buf_puts(b, " added (");
        put_type(b, c->new_type);
        lh_buf_putc(b, ')');
        return;
    case LH_CHANGE_REMOVED:
        lh_buf_puts(b, " removed");
        return;
    case LH_CHANGE_TYPE:
    case LH_CHANGE_RENAMED:
        break;
    }
    enum type_rel rel = type_relation(c->old_type, c->new_type);
    if (c->kind == LH_CHANGE_RENAMED) {
        lh_buf_puts(b, " renamed to ");
        put_name(b, c->new_column);
        lh_buf_printf(b, "? (confidence %.2f)", c->confidence);
        if (rel == REL_EQUAL)
            return;
        lh_buf_puts(b, ", type ");
    } else {
        lh_buf_puts(b, " type ");
    }
    put_type(b, c->old_type);
    lh_buf_puts(b, " -> ");
    put_type(b, c->new_type);
    lh_buf_puts(b, rel == REL_WIDENS    ? " (widens)"
                   : rel == REL_NARROWS ? " (narrows)"
                                        : " (incompatible)");
}

char *lh_schema_diff_describe(const struct lh_schema_diff *d, bool unsafe_only)
{
    struct lh_buf b = LH_BUF_INIT;
    for (size_t k = 0; d && k < d->n_changes; k++) {
        if (unsafe_only && d->changes[k].safe)
            continue;
        if (b.len)
            lh_buf_puts(&b, "; ");
        describe_one(&b, &d->changes[k]);
    }
    return lh_buf_detach(&b);
}

static void json_str_or_null(struct lh_buf *b, const char *s)
{
    if (s)
        lh_buf_json_str(b, s, strlen(s));
    else
        lh_buf_puts(b, "null");
}

static const char *kind_name(enum lh_change_kind k)
{
    switch (k) {
    case LH_CHANGE_ADDED:
        return "added";
    case LH_CHANGE_REMOVED:
        return "removed";
    case LH_CHANGE_TYPE:
        return "type";
    case LH_CHANGE_RENAMED:
        break;
    }
    return "renamed";
}

char *lh_schema_diff_json(const struct lh_schema_diff *d)
{
    struct lh_buf b = LH_BUF_INIT;
    lh_buf_putc(&b, '[');
    for (size_t k = 0; d && k < d->n_changes; k++) {
        const struct lh_schema_change *c = &d->changes[k];
        lh_buf_printf(&b, "%s{\"kind\":\"%s\",\"column\":", k ? "," : "", kind_name(c->kind));
        json_str_or_null(&b, c->column);
        lh_buf_puts(&b, ",\"new_column\":");
        json_str_or_null(&b, c->new_column);
        lh_buf_puts(&b, ",\"old_type\":");
        json_str_or_null(&b, c->old_type);
        lh_buf_puts(&b, ",\"new_type\":");
        json_str_or_null(&b, c->new_type);
        lh_buf_printf(&b, ",\"confidence\":%.2f,\"safe\":%s,\"reason\":", c->confidence,
                      c->safe ? "true" : "false");
        json_str_or_null(&b, c->reason);
        lh_buf_putc(&b, '}');
    }
    lh_buf_putc(&b, ']');
    return lh_buf_detach(&b);
}
