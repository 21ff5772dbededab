/* SPDX-License-Identifier: MIT */
/* pii_int.h - module-private value matchers and word lists of src/pii (tests use them too).
 *
 * Every matcher takes a borrowed (s, n) view of one trimmed value and looks at no more than
 * n bytes (callers cap n at LH__PII_VALUE_MAX); none allocates, none keeps state, all are
 * thread-safe. Bytes >= 0x80 are never treated as digits, separators or ASCII letters, so
 * invalid UTF-8 is harmless. */
#ifndef LH_PII_INT_H
#define LH_PII_INT_H

#include "lh_common.h"

/* Bytes of one value that classification looks at; the rest of a longer value is ignored. */
#define LH__PII_VALUE_MAX 512
/* Bytes of one prose value that the free-text fallback of lh_pii_classify scans. */
#define LH__PII_TEXT_MAX 4096

static inline bool lh__pii_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static inline bool lh__pii_upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

static inline bool lh__pii_lower(unsigned char c)
{
    return c >= 'a' && c <= 'z';
}

static inline bool lh__pii_alpha(unsigned char c)
{
    return lh__pii_upper(c) || lh__pii_lower(c);
}

static inline bool lh__pii_alnum(unsigned char c)
{
    return lh__pii_alpha(c) || lh__pii_digit(c);
}

static inline bool lh__pii_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static inline unsigned char lh__pii_tolower(unsigned char c)
{
    return lh__pii_upper(c) ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Match strength of a value for kinds where a bare form needs a name hint to count. */
enum lh__pii_level {
    LH__PII_NO = 0,
    LH__PII_WEAK = 1,   /* counts only when the column name hints at the kind */
    LH__PII_STRONG = 2, /* counts on its own */
};

/* Luhn checksum over n ASCII digits (false if a byte is not a digit or n == 0). */
bool lh__pii_luhn(const char *digits, size_t n);

/* local@domain.tld, also "Name <addr>" and "mailto:addr". */
bool lh__pii_is_email(const char *s, size_t n);

/* STRONG: a formatted number (+country code; NANP (212) 555-0147 / 212-555-0147 /
 * 1-800-...; national with trunk 0 and >= 10 digits; optional extension). WEAK: 10-15 bare
 * digits, a 7-digit local 555-0147, or other 10-13 digit groupings. NO: dates, IPs, ZIP+4,
 * SSN/card shapes, decimals, anything with letters. */
enum lh__pii_level lh__pii_phone_level(const char *s, size_t n);

/* STRONG: AAA-GG-SSSS or "AAA GG SSSS" in the valid ranges (area not 000/666/9xx, group not
 * 00, serial not 0000). WEAK: 9 bare digits in the valid ranges; with allow_short also 7-8
 * digits (an integer column that lost leading zeros). */
enum lh__pii_level lh__pii_ssn_level(const char *s, size_t n, bool allow_short);
/* The range rules alone, on area/group/serial numbers. */
bool lh__pii_ssn_valid(int area, int group, int serial);

/* 13-19 digits, optionally in groups separated by one space or dash (the same separator),
 * Luhn-valid, with an issuer prefix valid for that length (Visa, Mastercard, Amex, Discover,
 * Diners, JCB, UnionPay, Maestro, Mir). */
bool lh__pii_is_card(const char *s, size_t n);
/* Issuer prefix check on a digit string of length n. */
bool lh__pii_card_iin_ok(const char *digits, size_t n);

/* Dotted quad, octets 0..255 (1-3 digits); with allow_suffix also ":port" or "/0-32". */
bool lh__pii_is_ipv4(const char *s, size_t n, bool allow_suffix);
/* RFC 4291 text forms: 8 groups, "::" compression, embedded IPv4 tail, optional %zone,
 * "/prefix", and "[addr]:port". */
bool lh__pii_is_ipv6(const char *s, size_t n);

struct lh__pii_date {
    int year, month, day;
};
enum lh__pii_date_flags {
    LH__PII_DATE_COMPACT = 1u << 0, /* also YYYYMMDD */
    LH__PII_DATE_YY = 1u << 1,      /* also MM/DD/YY: 20YY if not in the future, else 19YY */
};
/* YYYY-MM-DD (also / or .) optionally followed by a time; MM/DD/YYYY or DD/MM/YYYY (also - or
 * .); "March 5, 1984", "Mar 5 1984", "5 Mar 1984", "05-Mar-1984"; more with `flags`
 * (lh__pii_date_flags). Validates the day of the month. */
bool lh__pii_parse_date(const char *s, size_t n, unsigned flags, struct lh__pii_date *out);
/* Negative, zero or positive like strcmp. */
int lh__pii_date_cmp(const struct lh__pii_date *a, const struct lh__pii_date *b);

/* A money-like number: optional currency ($ € £ USD EUR GBP) before or after, thousands
 * commas, decimals, exponent, a trailing k/K; minus sign allowed (the value is negative). */
bool lh__pii_parse_amount(const char *s, size_t n, double *out);
/* Pay as people write it: an amount, optionally per period ("$42/hr", "85,000 per year",
 * "$90k p.a."), or a range ("$80,000 - $95,000", "80k to 95k"; *out = the low end). */
bool lh__pii_parse_pay(const char *s, size_t n, double *out);

/* House number + street name + suffix ("123 Main St", "4500 W. Elm Avenue Apt 5",
 * "221B Baker Street, London"), PO boxes, "12 rue de Rivoli", "Hauptstraße 12". */
bool lh__pii_is_street_address(const char *s, size_t n);

enum lh__pii_med_flags {
    LH__PII_MED_TERM = 1u << 0,     /* a condition / clinical word ("asthma", "diagnosed") */
    LH__PII_MED_DRUG = 1u << 1,     /* a medication name ("metformin") */
    LH__PII_MED_ALLERGEN = 1u << 2, /* an allergen ("penicillin", "shellfish") */
    LH__PII_MED_ICD = 1u << 3,      /* the value starts with an ICD-10 code */
    LH__PII_MED_ICD_DESC = 1u << 4, /* ... followed by a description */
    LH__PII_MED_ABBR = 1u << 5,     /* a clinical abbreviation ("HTN", "CHF"): hint needed */
};
/* Medical evidence in a value, as lh__pii_med_flags bits. */
unsigned lh__pii_medical_flags(const char *s, size_t n);

enum lh__pii_name_flags {
    LH__PII_NAME_SHAPE = 1u << 0,   /* 1-5 capitalised words / initials / particles */
    LH__PII_NAME_FIRST = 1u << 1,   /* its first name is a common given name */
    LH__PII_NAME_MULTI = 1u << 2,   /* at least two name words */
    LH__PII_NAME_COMPANY = 1u << 3, /* company / product evidence: Inc, LLC, digits, '&' */
    LH__PII_NAME_LOOSE = 1u << 4,   /* 1-5 alphabetic words in any case ("maria garcia") */
};
/* Person-name evidence in a value, as lh__pii_name_flags bits. */
unsigned lh__pii_name_flags(const char *s, size_t n);

/* Word lists (pii_words.c). Lookups take a lower-case ASCII word. */
bool lh__pii_word_first_name(const char *w, size_t n);
bool lh__pii_word_street_suffix(const char *w, size_t n);
bool lh__pii_word_company(const char *w, size_t n);
/* LH__PII_MED_TERM / _DRUG / _ALLERGEN / _ABBR, or 0; `w` may be a two-word phrase
 * ("heart failure"). */
unsigned lh__pii_word_medical(const char *w, size_t n);
/* True if every list is sorted and lower-case (a self-check for the unit tests). */
bool lh__pii_words_check(void);

#endif
