/* SPDX-License-Identifier: MIT */
/* pii.c - PII classification of a column (name hints + sample votes) and free-text scanning.
 *
 * A column is decided in three steps: the name gives each kind a hint (none / weak / strong)
 * and may mark the column as an identifier ("order_id", "version", "zip"); every sample value
 * is run through the matchers of pii_match.c; then each kind applies its own rule over the
 * fraction of matching values, with a lower bar when the name agrees and no value-only
 * detection at all for kinds whose values are not distinctive (dates of birth, salaries,
 * names). See docs/internals/pii.md for the rules and the measured precision/recall. */
#include "lh_common.h"
#include "pii.h"
#include "err.h"
#include "pii_int.h"

#include <string.h>
#include <time.h>

/* ---- names of kinds and levels ---- */

static const char *const kind_names[LH_PII_KIND_MAX_] = {
    [LH_PII_NONE] = "none",
    [LH_PII_EMAIL] = "email",
    [LH_PII_PHONE] = "phone",
    [LH_PII_SSN] = "ssn",
    [LH_PII_CREDIT_CARD] = "credit_card",
    [LH_PII_IP_ADDRESS] = "ip_address",
    [LH_PII_DATE_OF_BIRTH] = "date_of_birth",
    [LH_PII_SALARY] = "salary",
    [LH_PII_STREET_ADDRESS] = "street_address",
    [LH_PII_MEDICAL] = "medical",
    [LH_PII_PERSON_NAME] = "person_name",
};

static const char *const sens_names[LH_SENS_MAX_] = {
    [LH_SENS_PUBLIC] = "public",
    [LH_SENS_INTERNAL] = "internal",
    [LH_SENS_CONFIDENTIAL] = "confidential",
    [LH_SENS_RESTRICTED] = "restricted",
};

const char *lh_pii_kind_name(enum lh_pii_kind k)
{
    return (unsigned)k < LH_PII_KIND_MAX_ ? kind_names[k] : "none";
}

int lh_pii_kind_parse(const char *s, enum lh_pii_kind *out)
{
    if (!s)
        return -LH_EINVAL;
    for (int k = 0; k < LH_PII_KIND_MAX_; k++) {
        if (strcmp(s, kind_names[k]) == 0) {
            if (out)
                *out = (enum lh_pii_kind)k;
            return 0;
        }
    }
    return -LH_EINVAL;
}

const char *lh_sensitivity_name(enum lh_sensitivity s)
{
    return (unsigned)s < LH_SENS_MAX_ ? sens_names[s] : "internal";
}

int lh_sensitivity_parse(const char *s, enum lh_sensitivity *out)
{
    if (!s)
        return -LH_EINVAL;
    for (int k = 0; k < LH_SENS_MAX_; k++) {
        if (strcmp(s, sens_names[k]) == 0) {
            if (out)
                *out = (enum lh_sensitivity)k;
            return 0;
        }
    }
    return -LH_EINVAL;
}

enum lh_sensitivity lh_pii_default_sensitivity(enum lh_pii_kind k)
{
    switch (k) {
    case LH_PII_SSN:
    case LH_PII_CREDIT_CARD:
    case LH_PII_MEDICAL:
        return LH_SENS_RESTRICTED;
    case LH_PII_EMAIL:
    case LH_PII_PHONE:
    case LH_PII_IP_ADDRESS:
    case LH_PII_DATE_OF_BIRTH:
    case LH_PII_SALARY:
    case LH_PII_STREET_ADDRESS:
    case LH_PII_PERSON_NAME:
        return LH_SENS_CONFIDENTIAL;
    default:
        return LH_SENS_INTERNAL;
    }
}

/* ---- column-name hints ---- */

enum hint { H_NONE, H_WEAK, H_STRONG };

struct hints {
    unsigned char k[LH_PII_KIND_MAX_]; /* enum hint per kind */
    bool ident;                        /* identifier-like name: "order_id", "zip", "version" */
    bool salary_neg;                   /* "bonus_points", "pay_grade", "salary_currency" */
    bool person_neg;                   /* "company_name", "product_name": a thing's name */
};

#define NAME_TOK_MAX 12
#define NAME_TOK_LEN 32

struct name_toks {
    char t[NAME_TOK_MAX][NAME_TOK_LEN]; /* lower-case, trailing digits removed */
    size_t n;
    char sq[160]; /* all tokens concatenated, lower-case, digits kept: "dateofbirth" */
};

/* Splits "homeAddress_line1", "IPAddress", "date-of-birth" into lower-case tokens. */
static void split_name(const char *name, struct name_toks *nt)
{
    memset(nt, 0, sizeof(*nt));
    size_t sq = 0, cur = 0;
    bool in_tok = false;
    size_t len = strnlen(name, 128);
    for (size_t i = 0; i <= len; i++) {
        unsigned char c = i < len ? (unsigned char)name[i] : 0;
        bool brk = !lh__pii_alnum(c);
        if (!brk && in_tok && i > 0) {
            unsigned char p = (unsigned char)name[i - 1];
            unsigned char nx = i + 1 < len ? (unsigned char)name[i + 1] : 0;
            /* fooBar | IPAddress (split before the last capital of a run) */
            if (lh__pii_upper(c) && (lh__pii_lower(p) || (lh__pii_upper(p) && lh__pii_lower(nx))))
                brk = true;
            if (lh__pii_alpha(c) && lh__pii_digit(p))
                brk = true;
        }
        if (brk && in_tok) {
            char *t = nt->t[nt->n];
            t[cur] = '\0';
            while (cur > 0 && lh__pii_digit((unsigned char)t[cur - 1]))
                t[--cur] = '\0';
            if (cur > 0 && nt->n + 1 < NAME_TOK_MAX)
                nt->n++;
            else
                t[0] = '\0';
            cur = 0;
            in_tok = false;
        }
        if (!lh__pii_alnum(c))
            continue;
        in_tok = true;
        if (cur + 1 < NAME_TOK_LEN)
            nt->t[nt->n][cur++] = (char)lh__pii_tolower(c);
        if (sq + 1 < sizeof(nt->sq))
            nt->sq[sq++] = (char)lh__pii_tolower(c);
    }
}

static bool tok_has(const struct name_toks *nt, const char *w)
{
    for (size_t i = 0; i < nt->n; i++)
        if (strcmp(nt->t[i], w) == 0)
            return true;
    return false;
}

static bool tok_any(const struct name_toks *nt, const char *const *set, size_t count)
{
    for (size_t k = 0; k < count; k++)
        if (tok_has(nt, set[k]))
            return true;
    return false;
}

static bool sq_has(const struct name_toks *nt, const char *w)
{
    return strstr(nt->sq, w) != NULL;
}

static bool sq_any(const struct name_toks *nt, const char *const *set, size_t count)
{
    for (size_t k = 0; k < count; k++)
        if (sq_has(nt, set[k]))
            return true;
    return false;
}

#define TOK_ANY(nt, ...)                                                                           \
    tok_any((nt), (const char *const[]){__VA_ARGS__},                                              \
            sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))
#define SQ_ANY(nt, ...)                                                                            \
    sq_any((nt), (const char *const[]){__VA_ARGS__},                                               \
           sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

/* People a "<x>_name" column (or a bare "<x>" column, weakly) names. */
static const char *const person_roles[] = {
    "agent",       "applicant", "approver",   "artist",    "assignee",  "attendee",  "author",
    "beneficiary", "candidate", "cardholder", "contact",   "cust",      "customer",  "doctor",
    "driver",      "emp",       "employee",   "guardian",  "guest",     "holder",    "insured",
    "instructor",  "manager",   "member",     "nurse",     "owner",     "parent",    "participant",
    "passenger",   "patient",   "person",     "physician", "recipient", "recruiter", "rep",
    "reporter",    "requester", "reviewer",   "sender",    "signer",    "spouse",    "student",
    "subscriber",  "teacher",   "volunteer",  "witness"};

/* Things a "<x>_name" column names that are not people. */
static const char *const thing_words[] = {
    "account",      "album",        "app",        "application", "attr",       "attribute",
    "bank",         "book",         "branch",     "brand",       "browser",    "bucket",
    "building",     "business",     "campaign",   "carrier",     "category",   "channel",
    "city",         "class",        "club",       "cluster",     "college",    "collection",
    "color",        "column",       "company",    "condition",   "container",  "country",
    "course",       "currency",     "database",   "dataset",     "db",         "degree",
    "department",   "dept",         "device",     "diagnosis",   "dir",        "directory",
    "disease",      "dish",         "doc",        "document",    "domain",     "drug",
    "env",          "event",        "facility",   "feature",     "field",      "file",
    "film",         "folder",       "font",       "function",    "game",       "group",
    "host",         "hotel",        "image",      "index",       "industry",   "item",
    "job",          "key",          "label",      "language",    "league",     "locale",
    "location",     "login",        "medication", "menu",        "merchant",   "method",
    "metric",       "model",        "module",     "movie",       "node",       "org",
    "organisation", "organization", "os",         "package",     "param",      "parameter",
    "partner",      "path",         "payer",      "pipeline",    "place",      "plan",
    "platform",     "playlist",     "pod",        "policy",      "procedure",  "product",
    "project",      "property",     "provider",   "queue",       "recipe",     "region",
    "release",      "repo",         "report",     "restaurant",  "role",       "rule",
    "schema",       "school",       "screen",     "server",      "service",    "sheet",
    "shop",         "site",         "size",       "skill",       "sku",        "song",
    "source",       "species",      "stage",      "state",       "store",      "stream",
    "street",       "subject",      "supplier",   "tab",         "table",      "tag",
    "task",         "team",         "template",   "test",        "title",      "token",
    "topic",        "track",        "type",       "unit",        "university", "user",
    "variable",     "variant",      "vendor",     "venue",       "version",    "warehouse",
    "workflow",     "workspace",    "zone"};

/* Tokens of identifier-like columns: a value shape alone must not make these PII. */
static const char *const ident_words[] = {
    "account",  "batch", "build",     "checksum", "code",     "ean",         "gtin", "guid",
    "hash",     "iban",  "id",        "ids",      "imei",     "invoice",     "isbn", "key",
    "lot",      "md",    "model",     "oid",      "order",    "part",        "po",   "postal",
    "postcode", "ref",   "reference", "release",  "routing",  "section",     "seq",  "sequence",
    "serial",   "sha",   "sku",       "ticket",   "tracking", "transaction", "txn",  "upc",
    "uuid",     "ver",   "version",   "zip",      "zipcode"};

static void name_hints(const char *name, struct hints *h)
{
    memset(h, 0, sizeof(*h));
    struct name_toks nt;
    split_name(name ? name : "", &nt);
    if (nt.n == 0)
        return;

    if (sq_has(&nt, "email"))
        h->k[LH_PII_EMAIL] = H_STRONG;
    else if (tok_has(&nt, "mail"))
        h->k[LH_PII_EMAIL] = H_WEAK;

    if (SQ_ANY(&nt, "phone", "telefon", "contactnumber", "contactno", "msisdn") ||
        TOK_ANY(&nt, "tel", "mobile", "cell", "fax", "whatsapp", "mob"))
        h->k[LH_PII_PHONE] = H_STRONG;

    if (tok_has(&nt, "ssn") || SQ_ANY(&nt, "socialsecurity", "socialsec"))
        h->k[LH_PII_SSN] = H_STRONG;
    else if (TOK_ANY(&nt, "tin", "itin") ||
             SQ_ANY(&nt, "taxid", "taxpayer", "nationalid", "govid", "governmentid"))
        h->k[LH_PII_SSN] = H_WEAK;

    if (SQ_ANY(&nt, "creditcard", "debitcard", "cardnumber", "cardno", "cardnum", "ccnum",
               "paymentcard", "cardonfile") ||
        tok_has(&nt, "pan"))
        h->k[LH_PII_CREDIT_CARD] = H_STRONG;
    else if (TOK_ANY(&nt, "cc", "card"))
        h->k[LH_PII_CREDIT_CARD] = H_WEAK;

    if (TOK_ANY(&nt, "ip", "ipv", "ipaddr", "ipaddress", "xff") ||
        SQ_ANY(&nt, "ipaddress", "remoteaddr", "forwardedfor"))
        h->k[LH_PII_IP_ADDRESS] = H_STRONG;
    else if (TOK_ANY(&nt, "host", "peer"))
        h->k[LH_PII_IP_ADDRESS] = H_WEAK;

    if (TOK_ANY(&nt, "dob", "born", "bday") || sq_has(&nt, "birth"))
        h->k[LH_PII_DATE_OF_BIRTH] = H_STRONG;

    if (SQ_ANY(&nt, "salar", "wage", "payrate", "compensation", "income", "bonus", "remuneration",
               "stipend", "annualpay", "basepay", "hourlyrate", "payroll", "basecomp", "totalcomp",
               "annualcomp", "cashcomp", "targetcomp") ||
        TOK_ANY(&nt, "pay", "earnings"))
        h->k[LH_PII_SALARY] = H_STRONG;
    h->salary_neg =
        TOK_ANY(&nt, "points", "pts", "pct", "percent", "percentage", "eligible", "flag", "grade",
                "band", "level", "step", "tier", "id", "type", "code", "currency", "date", "period",
                "frequency", "method", "count", "ratio", "rank");

    if (TOK_ANY(&nt, "address", "addr", "street", "addressline", "residence") &&
        !TOK_ANY(&nt, "email", "mail", "ip", "ipv", "mac", "web", "url", "wallet", "memory", "mem",
                 "server", "host", "remote", "bitcoin", "btc", "eth", "contract", "hw", "ethernet",
                 "wifi", "bluetooth", "network", "net", "socket", "proxy", "ipaddr", "ipaddress"))
        h->k[LH_PII_STREET_ADDRESS] = H_STRONG;

    if (TOK_ANY(&nt, "diagnosis", "diagnoses", "dx", "condition", "conditions", "medication",
                "medications", "meds", "drug", "drugs", "prescription", "prescriptions", "rx",
                "allergy", "allergies", "symptom", "symptoms", "medical", "clinical", "disease",
                "diseases", "illness", "injury", "injuries", "comorbidity", "comorbidities",
                "diagnostic") ||
        SQ_ANY(&nt, "chiefcomplaint", "healthcondition") || strncmp(nt.sq, "icd", 3) == 0 ||
        tok_has(&nt, "icd"))
        h->k[LH_PII_MEDICAL] = H_STRONG;
    else if (TOK_ANY(&nt, "treatment", "health", "complaint", "med", "therapy"))
        h->k[LH_PII_MEDICAL] = H_WEAK;

    bool has_name = TOK_ANY(&nt, "name", "names", "nom", "nombre");
    bool role = tok_any(&nt, person_roles, LH_ARRAY_LEN(person_roles));
    if (SQ_ANY(&nt, "firstname", "lastname", "fullname", "givenname", "familyname", "middlename",
               "maidenname", "surname", "forename") ||
        TOK_ANY(&nt, "fname", "lname", "mname") || (has_name && role))
        h->k[LH_PII_PERSON_NAME] = H_STRONG;
    else if (has_name && tok_any(&nt, thing_words, LH_ARRAY_LEN(thing_words)))
        h->person_neg = true;
    else if (has_name)
        h->k[LH_PII_PERSON_NAME] = H_WEAK;
    else if (!has_name && role)
        h->k[LH_PII_PERSON_NAME] = H_WEAK;

    h->ident = tok_any(&nt, ident_words, LH_ARRAY_LEN(ident_words));
}

/* ---- column types ---- */

enum tclass { T_TEXT, T_NUMERIC, T_DATE, T_OTHER };

static bool type_is(const char *t, const char *word)
{
    size_t l = strlen(word);
    for (size_t i = 0; i < l; i++)
        if (!t[i] || (t[i] & ~0x20) != word[i])
            return false;
    return !lh__pii_alpha((unsigned char)t[l]);
}

/* Case-insensitive: type starts with the upper-case `word` ("TIMESTAMP_NS", "timestamptz"). */
static bool type_prefix(const char *t, const char *word)
{
    for (size_t i = 0; word[i]; i++)
        if (!t[i] || (t[i] & ~0x20) != word[i])
            return false;
    return true;
}

static enum tclass type_class(const char *type)
{
    if (!type || !*type)
        return T_TEXT;
    static const char *const numeric[] = {
        "TINYINT", "SMALLINT", "INTEGER",   "INT",      "INT2",    "INT4",     "INT8",  "BIGINT",
        "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "FLOAT4",
        "FLOAT8",  "REAL",     "DOUBLE",    "DECIMAL",  "NUMERIC", "LONG",     "SHORT", "SIGNED"};
    static const char *const other[] = {"BOOLEAN",   "BOOL",   "LOGICAL",   "UUID",     "BLOB",
                                        "BYTEA",     "BINARY", "VARBINARY", "INTERVAL", "BIT",
                                        "BITSTRING", "TIME",   "TIMETZ"};
    if (type_is(type, "DATE") || type_is(type, "DATETIME") || type_prefix(type, "TIMESTAMP"))
        return T_DATE;
    for (size_t k = 0; k < LH_ARRAY_LEN(numeric); k++)
        if (type_is(type, numeric[k]))
            return T_NUMERIC;
    for (size_t k = 0; k < LH_ARRAY_LEN(other); k++)
        if (type_is(type, other[k]))
            return T_OTHER;
    return T_TEXT;
}

/* ---- sample votes ---- */

/* "null", "N/A", "none", "-", ...: filler values that say nothing about the column. */
static bool placeholder(const char *s, size_t n)
{
    static const char *const fill[] = {
        "-",    "--",        "?",      "\\n",  "(null)",         "n/a",
        "na",   "nan",       "nil",    "none", "not applicable", "not available",
        "null", "undefined", "unknown"};
    if (n == 0)
        return true;
    if (n > 14)
        return false;
    for (size_t k = 0; k < LH_ARRAY_LEN(fill); k++) {
        size_t l = strlen(fill[k]);
        if (l != n)
            continue;
        size_t i = 0;
        while (i < n && lh__pii_tolower((unsigned char)s[i]) == (unsigned char)fill[k][i])
            i++;
        if (i == n)
            return true;
    }
    return false;
}

struct votes {
    int sampled;
    int email;
    int phone_strong, phone_weak;
    int ssn_strong, ssn_weak;
    int card;
    int ip;
    int dob_date, dob_year;
    int amount, amount_big;
    int address;
    int med_any, med_strong;
    int name_ok, name_loose, name_multi_first, name_company;
    int prose;
    int text_hits[LH_PII_KIND_MAX_];
};

/* Today minus 13 years (UTC): the latest plausible date of birth. */
static struct lh__pii_date dob_cutoff(void)
{
    time_t now = time(NULL);
    struct tm tm;
    struct lh__pii_date d = {2013, 1, 1};
    if (gmtime_r(&now, &tm)) {
        d.year = tm.tm_year + 1900 - 13;
        d.month = tm.tm_mon + 1;
        d.day = tm.tm_mday;
        if (d.month == 2 && d.day == 29)
            d.day = 28;
    }
    return d;
}

static bool is_prose(const char *s, size_t n)
{
    if (n < 30)
        return false;
    int spaces = 0;
    for (size_t i = 0; i < n && spaces < 5; i++)
        spaces += s[i] == ' ';
    return spaces >= 5;
}

/* One email, or a list separated by ',' or ';' ("a@example.com; b@example.org"). */
static bool email_list(const char *s, size_t n)
{
    size_t i = 0;
    int parts = 0;
    while (i <= n && parts < 16) {
        size_t e = i;
        while (e < n && s[e] != ',' && s[e] != ';')
            e++;
        size_t b = i, z = e;
        while (b < z && s[b] == ' ')
            b++;
        while (z > b && s[z - 1] == ' ')
            z--;
        if (!lh__pii_is_email(s + b, z - b))
            return false;
        parts++;
        if (e == n)
            return true;
        i = e + 1;
    }
    return false;
}

/* One address, or a comma-separated list of them (X-Forwarded-For: "203.0.113.5, 10.0.0.1"). */
static bool ip_list(const char *s, size_t n)
{
    size_t i = 0;
    int parts = 0;
    while (i <= n && parts < 16) {
        size_t e = i;
        while (e < n && s[e] != ',')
            e++;
        size_t b = i, z = e;
        while (b < z && s[b] == ' ')
            b++;
        while (z > b && s[z - 1] == ' ')
            z--;
        if (!lh__pii_is_ipv4(s + b, z - b, true) && !lh__pii_is_ipv6(s + b, z - b))
            return false;
        parts++;
        if (e == n)
            return true;
        i = e + 1;
    }
    return false;
}

static void vote(const char *v, enum tclass tc, const struct lh__pii_date *cutoff, struct votes *vo)
{
    size_t full = strnlen(v, LH__PII_TEXT_MAX);
    size_t n = full < LH__PII_VALUE_MAX ? full : LH__PII_VALUE_MAX;
    const char *s = v;
    while (n > 0 && lh__pii_space((unsigned char)*s)) {
        s++;
        n--;
        full--;
    }
    while (n > 0 && lh__pii_space((unsigned char)s[n - 1]))
        n--;
    if (placeholder(s, n))
        return;
    vo->sampled++;

    enum lh__pii_level lv = lh__pii_phone_level(s, n);
    vo->phone_strong += lv == LH__PII_STRONG;
    vo->phone_weak += lv == LH__PII_WEAK;
    lv = lh__pii_ssn_level(s, n, tc == T_NUMERIC);
    vo->ssn_strong += lv == LH__PII_STRONG;
    vo->ssn_weak += lv == LH__PII_WEAK;
    vo->card += lh__pii_is_card(s, n);

    struct lh__pii_date d;
    static const struct lh__pii_date oldest = {1900, 1, 1};
    if (lh__pii_parse_date(s, n, LH__PII_DATE_COMPACT | LH__PII_DATE_YY, &d)) {
        if (lh__pii_date_cmp(&d, &oldest) >= 0 && lh__pii_date_cmp(&d, cutoff) <= 0)
            vo->dob_date++;
    } else if (n == 4 && tc != T_DATE) {
        int y = 0;
        size_t i = 0;
        while (i < 4 && lh__pii_digit((unsigned char)s[i]))
            y = y * 10 + (s[i++] - '0');
        vo->dob_year += i == 4 && y >= 1900 && y <= cutoff->year;
    }

    double amt;
    if (lh__pii_parse_pay(s, n, &amt) && amt >= 0 && amt <= 1e7) {
        vo->amount++;
        vo->amount_big += amt >= 5;
    }
    if (tc == T_NUMERIC)
        return;

    vo->email += email_list(s, n);
    vo->ip += ip_list(s, n);
    vo->address += lh__pii_is_street_address(s, n);

    unsigned mf = lh__pii_medical_flags(s, n);
    vo->med_any += (mf & (LH__PII_MED_TERM | LH__PII_MED_DRUG | LH__PII_MED_ALLERGEN |
                          LH__PII_MED_ICD | LH__PII_MED_ICD_DESC | LH__PII_MED_ABBR)) != 0;
    vo->med_strong += (mf & (LH__PII_MED_TERM | LH__PII_MED_ICD_DESC)) != 0;

    unsigned nf = lh__pii_name_flags(s, n);
    bool ok = (nf & LH__PII_NAME_SHAPE) && !(nf & LH__PII_NAME_COMPANY);
    vo->name_ok += ok;
    vo->name_loose += (nf & LH__PII_NAME_LOOSE) && !(nf & LH__PII_NAME_COMPANY);
    vo->name_multi_first += ok && (nf & LH__PII_NAME_FIRST) && (nf & LH__PII_NAME_MULTI);
    vo->name_company += (nf & LH__PII_NAME_COMPANY) != 0;

    if (is_prose(s, full)) {
        vo->prose++;
        unsigned bits = lh_pii_scan_text(s, full);
        for (int k = 0; k < LH_PII_KIND_MAX_; k++)
            vo->text_hits[k] += (bits >> k) & 1u;
    }
}

/* ---- decision ---- */

struct cand {
    bool hit;
    int matched;
    double f;
};

static double hint_weight(unsigned char h)
{
    return h == H_STRONG ? 1.0 : h == H_WEAK ? 0.7 : 0.4;
}

/* Order used to break ties and for name-only decisions: most sensitive / most specific first. */
static const enum lh_pii_kind priority[] = {
    LH_PII_SSN,        LH_PII_CREDIT_CARD, LH_PII_EMAIL,
    LH_PII_PHONE,      LH_PII_IP_ADDRESS,  LH_PII_DATE_OF_BIRTH,
    LH_PII_SALARY,     LH_PII_MEDICAL,     LH_PII_STREET_ADDRESS,
    LH_PII_PERSON_NAME};

static void decide(const struct votes *vo, const struct hints *h, enum tclass tc,
                   struct cand c[LH_PII_KIND_MAX_])
{
    const double n = vo->sampled;
    const unsigned char *k = h->k;
#define SET(kind, m, cond)                                                                         \
    do {                                                                                           \
        c[kind].matched = (m);                                                                     \
        c[kind].f = (m) / n;                                                                       \
        c[kind].hit = (cond);                                                                      \
    } while (0)

    if (tc == T_OTHER)
        return;
    if (tc == T_DATE) {
        int m = vo->dob_date;
        SET(LH_PII_DATE_OF_BIRTH, m, k[LH_PII_DATE_OF_BIRTH] == H_STRONG && m / n >= 0.7);
        return;
    }

    int m = vo->email;
    SET(LH_PII_EMAIL, m, m / n >= (k[LH_PII_EMAIL] ? 0.3 : 0.5));

    if (k[LH_PII_PHONE]) {
        m = vo->phone_strong + vo->phone_weak;
        SET(LH_PII_PHONE, m, m / n >= 0.5);
    } else {
        m = vo->phone_strong;
        SET(LH_PII_PHONE, m, !h->ident && m / n >= 0.7);
    }

    if (k[LH_PII_SSN]) {
        m = vo->ssn_strong + vo->ssn_weak;
        SET(LH_PII_SSN, m, m / n >= (k[LH_PII_SSN] == H_STRONG ? 0.5 : 0.6));
    } else {
        m = vo->ssn_strong;
        SET(LH_PII_SSN, m, !h->ident && m / n >= 0.7);
    }

    m = vo->card;
    SET(LH_PII_CREDIT_CARD, m, k[LH_PII_CREDIT_CARD] ? m / n >= 0.5 : !h->ident && m / n >= 0.8);

    m = vo->ip;
    SET(LH_PII_IP_ADDRESS, m, k[LH_PII_IP_ADDRESS] ? m / n >= 0.5 : !h->ident && m / n >= 0.7);

    m = vo->dob_date + vo->dob_year;
    SET(LH_PII_DATE_OF_BIRTH, m, k[LH_PII_DATE_OF_BIRTH] == H_STRONG && m / n >= 0.7);

    m = vo->amount;
    SET(LH_PII_SALARY, m,
        k[LH_PII_SALARY] == H_STRONG && !h->salary_neg && m / n >= 0.8 &&
            vo->amount_big / n >= 0.5);

    m = vo->address;
    SET(LH_PII_STREET_ADDRESS, m,
        k[LH_PII_STREET_ADDRESS] ? m / n >= 0.4 : !h->ident && m / n >= 0.6);

    if (k[LH_PII_MEDICAL]) {
        m = vo->med_any;
        SET(LH_PII_MEDICAL, m, m / n >= 0.3);
    } else {
        m = vo->med_strong;
        SET(LH_PII_MEDICAL, m, m / n >= 0.5);
    }

    m = vo->name_ok;
    if (k[LH_PII_PERSON_NAME] == H_STRONG) {
        /* the name says "first_name": lower-case entries count too */
        m = vo->name_loose;
        SET(LH_PII_PERSON_NAME, m, m / n >= 0.7);
    } else if (k[LH_PII_PERSON_NAME] == H_WEAK) {
        /* a bare "name": people have given + family names; "Paris", "Charlotte" are cities */
        SET(LH_PII_PERSON_NAME, m,
            m / n >= 0.7 && vo->name_multi_first / n >= 0.3 && vo->name_company / n < 0.1);
    } else {
        SET(LH_PII_PERSON_NAME, m,
            !h->person_neg && m / n >= 0.8 && vo->name_multi_first / n >= 0.6 &&
                vo->name_company / n < 0.05);
    }
#undef SET
}

void lh_pii_classify(const char *column_name, const char *type, const char *const *values,
                     size_t n_values, struct lh_pii_result *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof(*out));
    out->kind = LH_PII_NONE;
    out->sensitivity = LH_SENS_INTERNAL;

    struct hints h;
    name_hints(column_name, &h);
    enum tclass tc = type_class(type);
    struct lh__pii_date cutoff = dob_cutoff();

    struct votes vo;
    memset(&vo, 0, sizeof(vo));
    for (size_t i = 0; values && i < n_values; i++)
        if (values[i])
            vote(values[i], tc, &cutoff, &vo);
    out->sampled = vo.sampled;

    if (vo.sampled == 0) {
        /* Nothing to contradict the name: a strong hint decides, with low confidence. */
        out->confidence = 0.5;
        if (tc == T_OTHER)
            return;
        for (size_t i = 0; i < LH_ARRAY_LEN(priority); i++) {
            enum lh_pii_kind kd = priority[i];
            if (h.k[kd] != H_STRONG)
                continue;
            if ((tc == T_DATE) != (kd == LH_PII_DATE_OF_BIRTH))
                continue;
            if (tc == T_NUMERIC &&
                (kd == LH_PII_EMAIL || kd == LH_PII_STREET_ADDRESS || kd == LH_PII_MEDICAL ||
                 kd == LH_PII_PERSON_NAME || kd == LH_PII_IP_ADDRESS))
                continue;
            if (kd == LH_PII_SALARY && h.salary_neg)
                continue;
            out->kind = kd;
            out->sensitivity = lh_pii_default_sensitivity(kd);
            out->confidence = 0.35;
            return;
        }
        return;
    }

    struct cand c[LH_PII_KIND_MAX_];
    memset(c, 0, sizeof(c));
    decide(&vo, &h, tc, c);

    enum lh_pii_kind best = LH_PII_NONE;
    double best_conf = 0.0, best_partial = 0.0;
    for (size_t i = 0; i < LH_ARRAY_LEN(priority); i++) {
        enum lh_pii_kind kd = priority[i];
        if (c[kd].f > best_partial)
            best_partial = c[kd].f;
        if (!c[kd].hit)
            continue;
        double conf = 0.6 * c[kd].f + 0.4 * hint_weight(h.k[kd]);
        if (conf > best_conf) {
            best_conf = conf;
            best = kd;
        }
    }

    /* Prose: PII inside running text ("call me at 212-555-0147"). */
    if (best == LH_PII_NONE && tc == T_TEXT && vo.prose * 2 >= vo.sampled) {
        static const enum lh_pii_kind text_kinds[] = {LH_PII_SSN, LH_PII_CREDIT_CARD, LH_PII_EMAIL,
                                                      LH_PII_PHONE, LH_PII_IP_ADDRESS};
        for (size_t i = 0; i < LH_ARRAY_LEN(text_kinds); i++) {
            enum lh_pii_kind kd = text_kinds[i];
            double f = vo.text_hits[kd] / (double)vo.sampled;
            if (f < 0.25)
                continue;
            double conf = 0.3 + 0.4 * f + (h.k[kd] ? 0.2 : 0.0);
            if (conf > best_conf) {
                best_conf = conf;
                best = kd;
                c[kd].matched = vo.text_hits[kd];
            }
        }
    }

    if (best == LH_PII_NONE) {
        double conf = 0.95 - 0.5 * best_partial;
        out->confidence = conf < 0.4 ? 0.4 : conf;
        return;
    }
    out->kind = best;
    out->sensitivity = lh_pii_default_sensitivity(best);
    out->matched = c[best].matched;
    out->confidence = best_conf > 0.99 ? 0.99 : best_conf;
}

/* ---- free text ---- */

static bool email_char(unsigned char c)
{
    return lh__pii_alnum(c) || (c && strchr("!#$%&'*+/=?^_`{|}~.-", c));
}

/* An email around the '@' at s[at]; sets *end past it. */
static bool scan_email(const char *s, size_t n, size_t at, size_t *end)
{
    size_t b = at;
    while (b > 0 && at - b < 64 && email_char((unsigned char)s[b - 1]))
        b--;
    while (b < at && (s[b] == '.' || s[b] == '\''))
        b++;
    size_t e = at + 1;
    while (e < n && e - at <= 253 &&
           (lh__pii_alnum((unsigned char)s[e]) || s[e] == '.' || s[e] == '-'))
        e++;
    while (e > at + 1 && (s[e - 1] == '.' || s[e - 1] == '-'))
        e--;
    *end = e > at + 1 ? e : at + 1;
    /* glued to a non-ASCII byte on either side: part of a word we cannot validate */
    if (b == at || (e < n && (unsigned char)s[e] >= 0x80) ||
        (b > 0 && (unsigned char)s[b - 1] >= 0x80))
        return false;
    return lh__pii_is_email(s + b, e - b);
}

static bool num_start_ok(const char *s, size_t i)
{
    if (i == 0)
        return true;
    unsigned char p = (unsigned char)s[i - 1];
    return !(lh__pii_alnum(p) || p >= 0x80 || (p && strchr("._-/@+#$%", p)));
}

static bool num_span_char(unsigned char c)
{
    return lh__pii_digit(c) || c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/';
}

/* The kind of a number-like token starting at s[i] (longest match first), or NONE. */
static enum lh_pii_kind scan_number(const char *s, size_t n, size_t i, size_t *end)
{
    size_t lim = n - i > 40 ? i + 40 : n;
    size_t j = i + (s[i] == '+');
    while (j < lim && num_span_char((unsigned char)s[j]) && !(s[j] == ' ' && s[j - 1] == ' '))
        j++;
    for (size_t e = j; e > i; e--) {
        if (!lh__pii_digit((unsigned char)s[e - 1]))
            continue;
        if (e < n) {
            unsigned char a = (unsigned char)s[e];
            if (lh__pii_alnum(a) || a >= 0x80)
                continue;
            /* part of a longer token: "123-45-6789-0", "10.0.0.1.5" */
            if ((a == '-' || a == '.' || a == '/') && e + 1 < n &&
                lh__pii_digit((unsigned char)s[e + 1]))
                continue;
        }
        const char *p = s + i;
        size_t len = e - i;
        enum lh_pii_kind k = LH_PII_NONE;
        if (lh__pii_ssn_level(p, len, false) == LH__PII_STRONG)
            k = LH_PII_SSN;
        else if (lh__pii_is_card(p, len))
            k = LH_PII_CREDIT_CARD;
        else if (lh__pii_is_ipv4(p, len, false))
            k = LH_PII_IP_ADDRESS;
        else if (lh__pii_phone_level(p, len) == LH__PII_STRONG)
            k = LH_PII_PHONE;
        if (k != LH_PII_NONE) {
            *end = e;
            return k;
        }
    }
    return LH_PII_NONE;
}

unsigned lh_pii_scan_text(const char *s, size_t n)
{
    unsigned bits = 0;
    if (!s)
        return 0;
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c == '@') {
            size_t end;
            if (scan_email(s, n, i, &end))
                bits |= 1u << LH_PII_EMAIL;
            i = end;
            continue;
        }
        if ((lh__pii_digit(c) || c == '+' || c == '(') && num_start_ok(s, i)) {
            size_t end;
            enum lh_pii_kind k = scan_number(s, n, i, &end);
            if (k != LH_PII_NONE) {
                bits |= 1u << k;
                i = end;
                continue;
            }
            /* skip this digit group; the next one may start a number */
            i++;
            while (i < n && lh__pii_digit((unsigned char)s[i]))
                i++;
            continue;
        }
        i++;
    }
    return bits;
}
