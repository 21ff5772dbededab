/* SPDX-License-Identifier: MIT */
/* u_pii.c - unit tests of src/pii: value matchers, column classification, text scan, and the
 * precision/recall measurement over the labelled set tests/data/pii/columns.tsv. */
#include "lh_common.h"
#include "err.h"
#include "pii.h"
#include "pii_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

static const char *g_argv0;

#define S(lit) (lit), (sizeof(lit) - 1)

/* ---- helpers ---- */

static struct lh_pii_result classify_v(const char *name, const char *type, const char *const *v,
                                       size_t n)
{
    struct lh_pii_result r;
    lh_pii_classify(name, type, v, n, &r);
    return r;
}

#define CLASSIFY(name, type, ...)                                                                  \
    classify_v((name), (type), (const char *const[]){__VA_ARGS__},                                 \
               sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static bool is_email(const char *s)
{
    return lh__pii_is_email(s, strlen(s));
}

static enum lh__pii_level phone(const char *s)
{
    return lh__pii_phone_level(s, strlen(s));
}

static enum lh__pii_level ssn(const char *s)
{
    return lh__pii_ssn_level(s, strlen(s), false);
}

static bool card(const char *s)
{
    return lh__pii_is_card(s, strlen(s));
}

static bool ip4(const char *s)
{
    return lh__pii_is_ipv4(s, strlen(s), true);
}

static bool ip6(const char *s)
{
    return lh__pii_is_ipv6(s, strlen(s));
}

static bool addr(const char *s)
{
    return lh__pii_is_street_address(s, strlen(s));
}

static unsigned med(const char *s)
{
    return lh__pii_medical_flags(s, strlen(s));
}

static unsigned namef(const char *s)
{
    return lh__pii_name_flags(s, strlen(s));
}

static unsigned scan(const char *s)
{
    return lh_pii_scan_text(s, strlen(s));
}

#define BIT(k) (1u << (k))

/* ---- Luhn and cards ---- */

static void test_luhn(void **state)
{
    (void)state;
    assert_true(lh__pii_luhn(S("79927398713")));
    assert_false(lh__pii_luhn(S("79927398710")));
    assert_true(lh__pii_luhn(S("4111111111111111")));
    assert_false(lh__pii_luhn(S("4111111111111112")));
    assert_true(lh__pii_luhn(S("0")));
    assert_false(lh__pii_luhn("", 0));
    assert_false(lh__pii_luhn(S("4111-1111")));
    assert_true(lh__pii_luhn(S("378282246310005")));
}

static void test_cards(void **state)
{
    (void)state;
    /* well-known test numbers of each network */
    assert_true(card("4111111111111111"));  /* Visa */
    assert_true(card("4222222222222"));     /* Visa 13 */
    assert_true(card("5555555555554444"));  /* Mastercard */
    assert_true(card("2223003122003222"));  /* Mastercard 2-series */
    assert_true(card("378282246310005"));   /* Amex */
    assert_true(card("3782 822463 10005")); /* Amex grouping */
    assert_true(card("6011111111111117"));  /* Discover */
    assert_true(card("3530111333300000"));  /* JCB */
    assert_true(card("30569309025904"));    /* Diners 14 */
    assert_true(card("6200000000000005"));  /* UnionPay */
    assert_true(card("4111 1111 1111 1111"));
    assert_true(card("4111-1111-1111-1111"));
    assert_true(card("4222 2222 2222 2")); /* 13 digits chunked by four */
    assert_false(card("422 222 222 222 2"));
    /* separators must be single and consistent */
    assert_false(card("4111 1111-1111 1111"));
    assert_false(card("4111  1111 1111 1111"));
    assert_false(card("4111 1111 1111 1111 "));
    assert_false(card("41 11 11 11 11 11 11 11"));
    /* Luhn failure, unknown issuer, wrong length for issuer */
    assert_false(card("4111111111111112"));
    assert_false(card("9111111111111111"));
    assert_false(card("1234567812345670"));     /* Luhn-valid, no issuer */
    assert_false(card("37828224631000"));       /* Amex must be 15 */
    assert_false(card("356938035643809"));      /* Luhn-valid 15-digit IMEI starting 35 */
    assert_false(card("411111111111"));         /* too short */
    assert_false(card("41111111111111111111")); /* too long */
    assert_false(card("**** **** **** 1111"));
    assert_true(lh__pii_card_iin_ok(S("5105105105105100")));
    assert_false(lh__pii_card_iin_ok(S("5605105105105100")));
}

/* ---- email ---- */

static void test_email(void **state)
{
    (void)state;
    assert_true(is_email("john.smith@example.com"));
    assert_true(is_email("J.Smith+news@mail.example.co.uk"));
    assert_true(is_email("a_b-c%d@sub-domain.example.org"));
    assert_true(is_email("John Smith <john@example.com>"));
    assert_true(is_email("mailto:ops@example.net"));
    assert_true(is_email("x@xn--bcher-kva.example"));
    assert_false(is_email("john.smith@example")); /* one label */
    assert_false(is_email("john..smith@example.com"));
    assert_false(is_email(".john@example.com"));
    assert_false(is_email("john.@example.com"));
    assert_false(is_email("john@-example.com"));
    assert_false(is_email("john@example-.com"));
    assert_false(is_email("john@example.c0m"));
    assert_false(is_email("john@example.c"));
    assert_false(is_email("john@@example.com"));
    assert_false(is_email("@jsmith42"));
    assert_false(is_email("john smith@example.com"));
    assert_false(is_email("example.com"));
    assert_false(is_email("John <john@example.com"));
    assert_false(is_email(""));
}

/* ---- phone ---- */

static void test_phone(void **state)
{
    (void)state;
    const char *strong[] = {
        "212-555-0147",         "(212) 555-0147",     "212.555.0147",      "212 555 0147",
        "+1 212 555 0147",      "+1-212-555-0147",    "1-800-555-0199",    "+12125550147",
        "+1 (212) 555-0147",    "+44 20 7946 0958",   "+44 7700 900123",   "+49 30 1234567",
        "+33 1 23 45 67 89",    "+81 3-1234-5678",    "+91 98765 43210",   "020 7946 0958",
        "0161 496 0000",        "01 23 45 67 89",     "(02) 9876 5432",    "212-555-0147 x123",
        "212-555-0147 ext. 12", "(212) 555-0147#9",   "+55 11 91234-5678", "0044 20 7946 0958",
        "0049 30 1234567",      "tel:+1-212-555-0147"};
    for (size_t i = 0; i < LH_ARRAY_LEN(strong); i++) {
        if (phone(strong[i]) != LH__PII_STRONG)
            fail_msg("expected strong phone: %s", strong[i]);
    }
    const char *weak[] = {"2125550147", "447700900123", "555-0147", "123-456-7890"};
    for (size_t i = 0; i < LH_ARRAY_LEN(weak); i++) {
        if (phone(weak[i]) != LH__PII_WEAK)
            fail_msg("expected weak phone: %s", weak[i]);
    }
    /* never a phone, not even with a name hint */
    const char *no[] = {"2024-01-15",
                        "01/15/2024",
                        "15.01.2024",
                        "2024/01/15",
                        "192.168.1.10",
                        "1.2.3",
                        "123456",
                        "12345-6789",
                        "02134-1234",
                        "123-45-6789",
                        "4111 1111 1111 1111",
                        "3782 822463 10005",
                        "1234567.89",
                        "0.1234567891",
                        "-74.0060",
                        "INV-2024-00123",
                        "2024-000123",
                        "12:30:45",
                        "+1 2",
                        "(212 555-0147",
                        "212) 555-0147",
                        "212-555-0147-",
                        "phone",
                        "212--555---0147",
                        ""};
    for (size_t i = 0; i < LH_ARRAY_LEN(no); i++)
        if (phone(no[i]) != LH__PII_NO)
            fail_msg("not a phone: %s (level %d)", no[i], (int)phone(no[i]));
    /* bare digit strings (ids, ISBNs, epoch ms) only count under a phone name hint */
    const char *not_strong[] = {"9781234567897", "978-0-123-45678-9", "1699999999999"};
    for (size_t i = 0; i < LH_ARRAY_LEN(not_strong); i++)
        if (phone(not_strong[i]) == LH__PII_STRONG)
            fail_msg("not a strong phone: %s", not_strong[i]);
}

/* ---- SSN ---- */

static void test_ssn(void **state)
{
    (void)state;
    assert_int_equal(ssn("078-05-1120"), LH__PII_STRONG);
    assert_int_equal(ssn("123 45 6789"), LH__PII_STRONG);
    assert_int_equal(ssn("899-99-9999"), LH__PII_STRONG);
    assert_int_equal(ssn("001-01-0001"), LH__PII_STRONG);
    /* invalid areas, group, serial */
    assert_int_equal(ssn("000-12-3456"), LH__PII_NO);
    assert_int_equal(ssn("666-12-3456"), LH__PII_NO);
    assert_int_equal(ssn("900-12-3456"), LH__PII_NO);
    assert_int_equal(ssn("999-12-3456"), LH__PII_NO);
    assert_int_equal(ssn("123-00-4567"), LH__PII_NO);
    assert_int_equal(ssn("123-45-0000"), LH__PII_NO);
    /* shapes */
    assert_int_equal(ssn("123-45 6789"), LH__PII_NO);
    assert_int_equal(ssn("12-345-6789"), LH__PII_NO);
    assert_int_equal(ssn("123-45-678"), LH__PII_NO);
    assert_int_equal(ssn("12a-45-6789"), LH__PII_NO);
    assert_int_equal(ssn("123456789"), LH__PII_WEAK);
    assert_int_equal(ssn("666456789"), LH__PII_NO);
    assert_int_equal(ssn("12345678"), LH__PII_NO);
    assert_int_equal(lh__pii_ssn_level(S("78051120"), true), LH__PII_WEAK); /* 078-05-1120 */
    assert_int_equal(lh__pii_ssn_level(S("5120"), true), LH__PII_NO);
    assert_true(lh__pii_ssn_valid(1, 1, 1));
    assert_false(lh__pii_ssn_valid(666, 1, 1));
    assert_false(lh__pii_ssn_valid(950, 1, 1));

    /* columns: bare digits need a strong name hint */
    struct lh_pii_result r;
    r = CLASSIFY("ssn", "VARCHAR", "123456789", "234567890", "345678901", "456789012");
    assert_int_equal(r.kind, LH_PII_SSN);
    assert_int_equal(r.sensitivity, LH_SENS_RESTRICTED);
    r = CLASSIFY("account", "VARCHAR", "123456789", "234567890", "345678901", "456789012");
    assert_int_equal(r.kind, LH_PII_NONE);
    r = CLASSIFY("col7", "VARCHAR", "123-45-6789", "234-56-7890", "345-67-8901", "456-78-9012");
    assert_int_equal(r.kind, LH_PII_SSN);
    r = CLASSIFY("ssn", "VARCHAR", "000-12-3456", "666-01-2345", "912-34-5678", "123-00-4567");
    assert_int_equal(r.kind, LH_PII_NONE);
    r = CLASSIFY("part_number", "VARCHAR", "123-45-6789", "234-56-7890", "345-67-8901");
    assert_int_equal(r.kind, LH_PII_NONE);
}

/* ---- IP addresses ---- */

static void test_ipv4(void **state)
{
    (void)state;
    assert_true(ip4("192.168.1.1"));
    assert_true(ip4("0.0.0.0"));
    assert_true(ip4("255.255.255.255"));
    assert_true(ip4("010.001.002.003"));
    assert_true(ip4("10.0.0.1:8080"));
    assert_true(ip4("10.0.0.0/24"));
    assert_false(ip4("256.1.1.1"));
    assert_false(ip4("1.2.3"));
    assert_false(ip4("1.2.3.4.5"));
    assert_false(ip4("1.2.3.1000"));
    assert_false(ip4("1..2.3"));
    assert_false(ip4("1.2.3.4:70000"));
    assert_false(ip4("1.2.3.4/33"));
    assert_false(ip4("v1.2.3.4"));
    assert_false(ip4("1.2.3.4 "));
    assert_false(lh__pii_is_ipv4(S("10.0.0.1:80"), false));
}

static void test_ipv6(void **state)
{
    (void)state;
    const char *yes[] = {"2001:0db8:85a3:0000:0000:8a2e:0370:7334",
                         "2001:db8:85a3::8a2e:370:7334",
                         "::1",
                         "::",
                         "fe80::1%eth0",
                         "::ffff:192.0.2.128",
                         "2001:db8::",
                         "1::",
                         "[2001:db8::1]:443",
                         "2001:db8::/32",
                         "64:ff9b::192.0.2.33",
                         "FE80::0202:B3FF:FE1E:8329",
                         "1:2:3:4:5:6:7::",
                         "::2:3:4:5:6:7:8"};
    for (size_t i = 0; i < LH_ARRAY_LEN(yes); i++)
        if (!ip6(yes[i]))
            fail_msg("expected IPv6: %s", yes[i]);
    const char *no[] = {"00:1A:2B:3C:4D:5E",
                        "12:30:45",
                        "12:30",
                        "1:2:3:4:5:6:7:8:9",
                        "2001:db8::85a3::7334",
                        ":::",
                        "2001:db8:85a3:0:0:8a2e:370g:7334",
                        "12345::1",
                        "1:2:3:4:5:6:7",
                        ":1:2:3:4:5:6:7",
                        "1:2:3:4:5:6:7:",
                        "2001:db8::/129",
                        "[::1",
                        "fe80::1%",
                        "1.2.3.4",
                        "::ffff:1.2.3",
                        "1:2:3:4:5:6:7:8::",
                        "d41d8cd98f00b204e9800998ecf8427e",
                        ""};
    for (size_t i = 0; i < LH_ARRAY_LEN(no); i++)
        if (ip6(no[i]))
            fail_msg("not IPv6: %s", no[i]);
}

/* ---- dates of birth ---- */

static void test_dates(void **state)
{
    (void)state;
    struct lh__pii_date d;
    assert_true(lh__pii_parse_date(S("1985-03-12"), 0, &d));
    assert_int_equal(d.year, 1985);
    assert_int_equal(d.month, 3);
    assert_int_equal(d.day, 12);
    assert_true(lh__pii_parse_date(S("1985-03-12 00:00:00"), 0, &d));
    assert_true(lh__pii_parse_date(S("1985-03-12T08:00:00Z"), 0, &d));
    assert_true(lh__pii_parse_date(S("03/12/1985"), 0, &d));
    assert_int_equal(d.month, 3);
    assert_true(lh__pii_parse_date(S("25/12/1985"), 0, &d)); /* day first fallback */
    assert_int_equal(d.month, 12);
    assert_true(lh__pii_parse_date(S("12.03.1985"), 0, &d));
    assert_int_equal(d.month, 3);
    assert_true(lh__pii_parse_date(S("March 5, 1984"), 0, &d));
    assert_int_equal(d.day, 5);
    assert_true(lh__pii_parse_date(S("5 Mar 1984"), 0, &d));
    assert_true(lh__pii_parse_date(S("05-Mar-1984"), 0, &d));
    assert_true(lh__pii_parse_date(S("Sept 21st 1990"), 0, &d));
    assert_true(lh__pii_parse_date(S("2000-02-29"), 0, &d));
    assert_false(lh__pii_parse_date(S("1900-02-29"), 0, &d));
    assert_false(lh__pii_parse_date(S("1985-13-01"), 0, &d));
    assert_false(lh__pii_parse_date(S("1985-04-31"), 0, &d));
    assert_false(lh__pii_parse_date(S("19850312"), 0, &d));
    assert_true(lh__pii_parse_date(S("19850312"), LH__PII_DATE_COMPACT, &d));
    assert_false(lh__pii_parse_date(S("1.2.3"), LH__PII_DATE_COMPACT | LH__PII_DATE_YY, &d));
    assert_false(lh__pii_parse_date(S("Marchy 5, 1984"), 0, &d));
    /* two-digit years only when asked, pivoting on the current year */
    assert_false(lh__pii_parse_date(S("03/12/85"), 0, &d));
    assert_true(lh__pii_parse_date(S("03/12/85"), LH__PII_DATE_YY, &d));
    assert_int_equal(d.year, 1985);
    assert_true(lh__pii_parse_date(S("03/12/05"), LH__PII_DATE_YY, &d));
    assert_int_equal(d.year, 2005);
    assert_false(lh__pii_parse_date(S("03/12/5"), LH__PII_DATE_YY, &d));

    /* a birth column needs both the name and plausible values */
    struct lh_pii_result r;
    r = CLASSIFY("birth_date", "DATE", "1985-03-12", "1990-07-01", "1972-11-30", "2001-01-09");
    assert_int_equal(r.kind, LH_PII_DATE_OF_BIRTH);
    assert_int_equal(r.matched, 4);
    r = CLASSIFY("dob", "timestamp with time zone", "1985-03-12 00:00:00+00",
                 "1990-07-01 00:00:00+00");
    assert_int_equal(r.kind, LH_PII_DATE_OF_BIRTH);
    r = CLASSIFY("dob", "TIME", "10:30:00", "11:45:00");
    assert_int_equal(r.kind, LH_PII_NONE);
    r = CLASSIFY("created_at", "DATE", "1985-03-12", "1990-07-01", "1972-11-30", "2001-01-09");
    assert_int_equal(r.kind, LH_PII_NONE);
    r = CLASSIFY("start_date", "VARCHAR", "1985-03-12", "1990-07-01", "1972-11-30");
    assert_int_equal(r.kind, LH_PII_NONE);
    /* born less than 13 years ago (or in the future) is not a plausible DOB of a person here */
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char recent[3][32];
    for (int i = 0; i < 3; i++)
        snprintf(recent[i], sizeof(recent[i]), "%04d-0%d-15", tm.tm_year + 1900 - 2 - i, i + 1);
    r = CLASSIFY("dob", "DATE", recent[0], recent[1], recent[2]);
    assert_int_equal(r.kind, LH_PII_NONE);
    r = CLASSIFY("dob", "DATE", "1899-12-31", "1850-01-01", "1700-05-05");
    assert_int_equal(r.kind, LH_PII_NONE);
}

/* ---- salary ---- */

static void test_amounts_salary(void **state)
{
    (void)state;
    double v;
    assert_true(lh__pii_parse_amount(S("85000"), &v));
    assert_true(v == 85000.0);
    assert_true(lh__pii_parse_amount(S("$85,000.50"), &v));
    assert_true(v > 85000.49 && v < 85000.51);
    assert_true(lh__pii_parse_amount(S("USD 120,000"), &v));
    assert_true(lh__pii_parse_amount(S("85k"), &v));
    assert_true(v == 85000.0);
    assert_true(lh__pii_parse_amount(S("\xe2\x82\xac"
                                       "42.50"),
                                     &v));
    assert_true(lh__pii_parse_amount(S("1.2e5"), &v));
    assert_true(v > 119999.0 && v < 120001.0);
    assert_true(lh__pii_parse_amount(S("-5"), &v));
    assert_true(v == -5.0);
    assert_false(lh__pii_parse_amount(S("85,0000"), &v));
    assert_false(lh__pii_parse_amount(S("1,2345"), &v));
    assert_false(lh__pii_parse_amount(S("G7"), &v));
    assert_false(lh__pii_parse_amount(S("50k-75k"), &v));
    assert_false(lh__pii_parse_amount(S("$"), &v));
    /* European separators when unambiguous */
    assert_true(lh__pii_parse_amount(S("\xe2\x82\xac"
                                       "52.000,00"),
                                     &v));
    assert_true(v == 52000.0);
    assert_true(lh__pii_parse_amount(S("1.234.567"), &v));
    assert_true(v == 1234567.0);
    assert_true(lh__pii_parse_amount(S("85,00"), &v));
    assert_true(v == 85.0);
    assert_true(lh__pii_parse_amount(S("52.000"), &v)); /* a decimal point */
    assert_true(v == 52.0);
    assert_false(lh__pii_parse_amount(S("1.23.456"), &v));
    assert_false(lh__pii_parse_amount(S("1.234,567"), &v));
    assert_false(lh__pii_parse_amount(S("1,234,56"), &v));
    /* pay: periods and ranges */
    assert_true(lh__pii_parse_pay(S("$42/hr"), &v));
    assert_true(v == 42.0);
    assert_true(lh__pii_parse_pay(S("$85,000/yr"), &v));
    assert_true(lh__pii_parse_pay(S("85000 per year"), &v));
    assert_true(lh__pii_parse_pay(S("$90k p.a."), &v));
    assert_true(v == 90000.0);
    assert_true(lh__pii_parse_pay(S("$80,000 - $95,000"), &v));
    assert_true(v == 80000.0);
    assert_true(lh__pii_parse_pay(S("80k-95k"), &v));
    assert_true(lh__pii_parse_pay(S("80k to 95k"), &v));
    assert_false(lh__pii_parse_pay(S("95k - 80k"), &v));
    assert_false(lh__pii_parse_pay(S("85000pa"), &v));
    assert_false(lh__pii_parse_pay(S("-"), &v));
    assert_false(lh__pii_parse_pay(S("DOE"), &v));

    struct lh_pii_result r;
    r = CLASSIFY("desired_salary", "BIGINT", "85000", "62000", "120000", "97000");
    assert_int_equal(r.kind, LH_PII_SALARY);
    assert_int_equal(r.sensitivity, LH_SENS_CONFIDENTIAL);
    r = CLASSIFY("pay_rate", "DOUBLE", "22.5", "31.75", "18.0", "45.25");
    assert_int_equal(r.kind, LH_PII_SALARY);
    r = CLASSIFY("price", "DOUBLE", "85000", "62000", "120000", "97000");
    assert_int_equal(r.kind, LH_PII_NONE);
    r = CLASSIFY("amount", "DOUBLE", "85000", "62000", "120000", "97000");
    assert_int_equal(r.kind, LH_PII_NONE);
    r = CLASSIFY("bonus_points", "INTEGER", "850", "620", "1200", "970");
    assert_int_equal(r.kind, LH_PII_NONE);
    r = CLASSIFY("salary", "VARCHAR", "competitive", "DOE", "negotiable", "TBD");
    assert_int_equal(r.kind, LH_PII_NONE);
    r = CLASSIFY("salary", "VARCHAR", "-5000", "-200", "-1", "-7");
    assert_int_equal(r.kind, LH_PII_NONE);
}

/* ---- street addresses ---- */

static void test_address(void **state)
{
    (void)state;
    const char *yes[] = {"123 Main St",
                         "4500 W. Elm Avenue Apt 5",
                         "221B Baker Street",
                         "1600 Pennsylvania Ave NW, Washington, DC 20500",
                         "10 Downing St.",
                         "500 Martin Luther King Jr Blvd",
                         "77 Massachusetts Avenue",
                         "350 5th Ave, New York, NY 10118",
                         "PO Box 1234",
                         "P.O. Box 77",
                         "12 rue de Rivoli",
                         "Hauptstra\xc3\x9f"
                         "e 12",
                         "1 Broadway",
                         "9 W 57th St Ste 4200",
                         "1234 Highway 101",
                         "Calle Mayor 5",
                         "742 evergreen terrace",
                         "Apt 4B, 123 Main St",
                         "Flat 3, 12 High Street, London"};
    for (size_t i = 0; i < LH_ARRAY_LEN(yes); i++)
        if (!addr(yes[i]))
            fail_msg("expected address: %s", yes[i]);
    const char *no[] = {"Main Street",
                        "123",
                        "3 Pack Socks",
                        "12 Way Splitter",
                        "5 minutes in the drive thru",
                        "St. Louis",
                        "Suite 200",
                        "2 Large Pizzas",
                        "1234567 Main St",
                        "Route 66",
                        "lorem ipsum dolor",
                        "",
                        "12 the Street",
                        "Apt 4B 123 Main St",
                        "Suite 5, Floor 2"};
    for (size_t i = 0; i < LH_ARRAY_LEN(no); i++)
        if (addr(no[i]))
            fail_msg("not an address: %s", no[i]);

    struct lh_pii_result r;
    r = CLASSIFY("address_type", "VARCHAR", "home", "work", "billing", "home");
    assert_int_equal(r.kind, LH_PII_NONE);
    r = CLASSIFY("mac_address", "VARCHAR", "00:1A:2B:3C:4D:5E", "00:1A:2B:3C:4D:5F");
    assert_int_equal(r.kind, LH_PII_NONE);
    r = CLASSIFY("email_address", "VARCHAR", "a@example.com", "b@example.org");
    assert_int_equal(r.kind, LH_PII_EMAIL);
    r = CLASSIFY("ship_to", "VARCHAR", "123 Main St", "4 Oak Ave", "77 Pine Road", "9 Elm Ct");
    assert_int_equal(r.kind, LH_PII_STREET_ADDRESS);
}

/* ---- medical ---- */

static void test_medical(void **state)
{
    (void)state;
    assert_true(med("Type 2 diabetes mellitus") & LH__PII_MED_TERM);
    assert_true(med("Hypertension") & LH__PII_MED_TERM);
    assert_true(med("Crohn's disease") & LH__PII_MED_TERM);
    assert_true(med("congestive heart failure") & LH__PII_MED_TERM);
    assert_true(med("Metformin 500mg daily") & LH__PII_MED_DRUG);
    assert_true(med("Penicillin") & LH__PII_MED_ALLERGEN);
    assert_int_equal(med("E11.9"), LH__PII_MED_ICD);
    assert_int_equal(med("I10"), LH__PII_MED_ICD);
    assert_true(med("J45.909 - Asthma") & LH__PII_MED_ICD_DESC);
    assert_int_equal(med("U07.1"), 0);     /* U codes are reserved */
    assert_int_equal(med("E11.95555"), 0); /* too long */
    assert_int_equal(med("C123-45"), 0);
    assert_int_equal(med("cold calling; CRM; negotiation"), 0);
    assert_int_equal(med("Healthcare and Pharmaceuticals"), 0);
    assert_int_equal(med("patient care"), 0);
    assert_int_equal(med("Lorem ipsum dolor sit amet"), 0);
    assert_int_equal(med("HTN, DM2"), LH__PII_MED_ABBR);
    assert_int_equal(med("laparoscopic appendectomy"), LH__PII_MED_TERM);
    assert_int_equal(med("tendinitis"), LH__PII_MED_TERM);
    assert_int_equal(med("itis"), 0);
    assert_int_equal(med("phlebotomy; a false dichotomy"), 0);
    assert_int_equal(med("CAD drawings for MI office"), LH__PII_MED_ABBR);

    struct lh_pii_result r;
    r = CLASSIFY("icd10", "VARCHAR", "E11.9", "I10", "J45.909", "M17.11");
    assert_int_equal(r.kind, LH_PII_MEDICAL);
    assert_int_equal(r.sensitivity, LH_SENS_RESTRICTED);
    r = CLASSIFY("code", "VARCHAR", "A12.3", "B07.1", "C33.2", "D10.4");
    assert_int_equal(r.kind, LH_PII_NONE);
    r = CLASSIFY("remarks", "VARCHAR", "History of asthma.", "Diagnosed with hypertension",
                 "chronic migraine", "no complaints");
    assert_int_equal(r.kind, LH_PII_MEDICAL);
    r = CLASSIFY("condition", "VARCHAR", "New", "Used", "Refurbished", "Open Box");
    assert_int_equal(r.kind, LH_PII_NONE);
    r = CLASSIFY("product", "VARCHAR", "Ibuprofen 200mg", "Metformin 500mg", "Lisinopril 10mg");
    assert_int_equal(r.kind, LH_PII_NONE); /* medications alone need a medical name hint */
    r = CLASSIFY("dx", "VARCHAR", "HTN", "DM2, HLD", "CHF", "COPD");
    assert_int_equal(r.kind, LH_PII_MEDICAL);
    r = CLASSIFY("tags", "VARCHAR", "CAD", "MI", "RA", "OA"); /* abbreviations need the hint */
    assert_int_equal(r.kind, LH_PII_NONE);
}

/* ---- person names ---- */

static void test_names(void **state)
{
    (void)state;
    assert_true(namef("John Smith") & LH__PII_NAME_SHAPE);
    assert_true(namef("John Smith") & LH__PII_NAME_FIRST);
    assert_true(namef("John Smith") & LH__PII_NAME_MULTI);
    assert_true(namef("Smith, John") & LH__PII_NAME_FIRST);
    assert_true(namef("JOHN SMITH") & LH__PII_NAME_FIRST);
    assert_true(namef("Mary-Kate O'Brien") & LH__PII_NAME_SHAPE);
    assert_true(namef("Ludwig van Beethoven") & LH__PII_NAME_SHAPE);
    assert_true(namef("Dr. Priya Patel") & LH__PII_NAME_FIRST);
    assert_true(namef("James T. Kirk Jr.") & LH__PII_NAME_SHAPE);
    assert_true(namef("Zo\xc3\xab Saldana") & LH__PII_NAME_SHAPE);
    assert_false(namef("Smith") & LH__PII_NAME_MULTI);
    assert_true(namef("Acme Widgets Inc.") & LH__PII_NAME_COMPANY);
    assert_true(namef("Northwind Logistics, LLC") & LH__PII_NAME_COMPANY);
    assert_true(namef("Widget 3000") & LH__PII_NAME_COMPANY);
    assert_true(namef("Smith & Sons") & LH__PII_NAME_COMPANY);
    assert_false(namef("john smith") & LH__PII_NAME_SHAPE);
    assert_true(namef("john smith") & LH__PII_NAME_LOOSE);
    assert_false(namef("john smith2") & LH__PII_NAME_LOOSE);
    assert_false(namef("The Silent River") & LH__PII_NAME_SHAPE);
    assert_false(namef("jsmith42") & LH__PII_NAME_SHAPE);
    assert_false(namef("A B C D E F G") & LH__PII_NAME_SHAPE);

    struct lh_pii_result r;
    r = CLASSIFY("name", "VARCHAR", "John Smith", "Maria Garcia", "Wei Chen", "Aisha Okafor");
    assert_int_equal(r.kind, LH_PII_PERSON_NAME);
    assert_int_equal(r.sensitivity, LH_SENS_CONFIDENTIAL);
    r = CLASSIFY("name", "VARCHAR", "Acme Corp", "Globex LLC", "Initech Inc.", "Umbrella Ltd");
    assert_int_equal(r.kind, LH_PII_NONE);
    r = CLASSIFY("name", "VARCHAR", "Widget 3000", "Gadget Pro 2", "Chair 12", "Lamp 7");
    assert_int_equal(r.kind, LH_PII_NONE);
    r = CLASSIFY("name", "VARCHAR", "Standing Desk", "Yoga Mat", "Travel Mug", "Desk Lamp");
    assert_int_equal(r.kind, LH_PII_NONE);
    r = CLASSIFY("last_name", "VARCHAR", "Smith", "Garcia", "Nguyen", "O'Brien");
    assert_int_equal(r.kind, LH_PII_PERSON_NAME);
    r = CLASSIFY("company_name", "VARCHAR", "John Smith", "Maria Garcia", "Wei Chen");
    assert_int_equal(r.kind, LH_PII_NONE);
    r = CLASSIFY("city", "VARCHAR", "New York", "San Francisco", "Boston", "Austin");
    assert_int_equal(r.kind, LH_PII_NONE);
    r = CLASSIFY("username", "VARCHAR", "jsmith", "mgarcia2", "wchen", "aokafor");
    assert_int_equal(r.kind, LH_PII_NONE);
    /* lower-case entries count under a strong hint only */
    r = CLASSIFY("first_name", "VARCHAR", "john", "maria", "wei", "aisha");
    assert_int_equal(r.kind, LH_PII_PERSON_NAME);
    r = CLASSIFY("name", "VARCHAR", "john", "maria", "wei", "aisha");
    assert_int_equal(r.kind, LH_PII_NONE);
    /* a bare "name" of single words that happen to be given names: cities, not people */
    r = CLASSIFY("name", "VARCHAR", "Paris", "Sydney", "Charlotte", "Austin", "Madison");
    assert_int_equal(r.kind, LH_PII_NONE);
}

/* ---- whole columns of the other kinds ---- */

static void test_columns_misc(void **state)
{
    (void)state;
    struct lh_pii_result r;
    r = CLASSIFY("email", "VARCHAR", "a@example.com", "b@example.org", NULL, "", "c@example.net");
    assert_int_equal(r.kind, LH_PII_EMAIL);
    assert_int_equal(r.sampled, 3);
    assert_int_equal(r.matched, 3);
    assert_true(r.confidence > 0.9 && r.confidence <= 1.0);
    r = CLASSIFY("cc_list", "VARCHAR", "a@example.com; b@example.org",
                 "c@example.net, d@example.com");
    assert_int_equal(r.kind, LH_PII_EMAIL);
    r = CLASSIFY("login", "VARCHAR", "a@example.com", "b@example.org", "c@example.net");
    assert_int_equal(r.kind, LH_PII_EMAIL);
    assert_true(r.confidence < 0.9); /* no name hint: lower confidence */

    r = CLASSIFY("phone", "VARCHAR", "212-555-0147", "(415) 555-0100", "+44 20 7946 0958");
    assert_int_equal(r.kind, LH_PII_PHONE);
    r = CLASSIFY("invoice_number", "VARCHAR", "212-555-0147", "415-555-0100", "312-555-0199");
    assert_int_equal(r.kind, LH_PII_NONE);
    r = CLASSIFY("contact_number", "BIGINT", "2125550147", "4155550100", "3125550199");
    assert_int_equal(r.kind, LH_PII_PHONE);
    r = CLASSIFY("order_id", "BIGINT", "2125550147", "4155550100", "3125550199");
    assert_int_equal(r.kind, LH_PII_NONE);
    r = CLASSIFY("created_at", "VARCHAR", "2024-01-15", "2023-12-01", "2024-03-09");
    assert_int_equal(r.kind, LH_PII_NONE);

    r = CLASSIFY("card_number", "VARCHAR", "4111 1111 1111 1111", "5555 5555 5555 4444");
    assert_int_equal(r.kind, LH_PII_CREDIT_CARD);
    r = CLASSIFY("txn_ref", "VARCHAR", "4111111111111111", "1234567812345678", "9876543210987654",
                 "1111222233334444", "5555666677778888");
    assert_int_equal(r.kind, LH_PII_NONE);

    r = CLASSIFY("client_ip", "VARCHAR", "203.0.113.5", "2001:db8::1", "198.51.100.7");
    assert_int_equal(r.kind, LH_PII_IP_ADDRESS);
    r = CLASSIFY("version", "VARCHAR", "1.2.3.4", "2.0.1.9", "10.4.0.1");
    assert_int_equal(r.kind, LH_PII_NONE);
    r = CLASSIFY("release", "VARCHAR", "1.2.3", "2.0.1", "10.4.0");
    assert_int_equal(r.kind, LH_PII_NONE);
    r = CLASSIFY("xff", "VARCHAR", "203.0.113.5, 10.0.0.1", "198.51.100.7,2001:db8::1");
    assert_int_equal(r.kind, LH_PII_IP_ADDRESS);
    r = CLASSIFY("hops", "VARCHAR", "203.0.113.5, 1.2.3", "198.51.100.7,", ",");
    assert_int_equal(r.kind, LH_PII_NONE);

    /* a boolean or UUID column is never PII, whatever it is called */
    r = CLASSIFY("ssn_verified", "BOOLEAN", "true", "false", "true");
    assert_int_equal(r.kind, LH_PII_NONE);
    assert_int_equal(r.sensitivity, LH_SENS_INTERNAL);

    /* PII inside prose */
    r = CLASSIFY("ticket_text", "VARCHAR",
                 "Customer asked us to call back on 212-555-0147 after lunch today please.",
                 "Left a voicemail, the number on file is (415) 555-0100 for this account.",
                 "Please update the phone to +44 20 7946 0958 and confirm by letter, thanks.",
                 "Nothing to add here, the customer was happy with the fix we shipped.");
    assert_int_equal(r.kind, LH_PII_PHONE);
}

/* ---- NULL, empty, long and non-UTF-8 input ---- */

static void test_null_empty(void **state)
{
    (void)state;
    struct lh_pii_result r;
    lh_pii_classify(NULL, NULL, NULL, 0, &r);
    assert_int_equal(r.kind, LH_PII_NONE);
    assert_int_equal(r.sensitivity, LH_SENS_INTERNAL);
    assert_int_equal(r.sampled, 0);
    assert_int_equal(r.matched, 0);
    lh_pii_classify("email", "VARCHAR", NULL, 5, &r); /* NULL array */
    assert_int_equal(r.sampled, 0);
    lh_pii_classify("x", "VARCHAR", (const char *const[]){"a"}, 1, NULL); /* no crash */

    r = CLASSIFY("notes", "VARCHAR", NULL, NULL, "", "   ", "N/A", "null");
    assert_int_equal(r.kind, LH_PII_NONE);
    assert_int_equal(r.sampled, 0);
    /* name only: a strong hint decides with low confidence when no value contradicts it */
    r = CLASSIFY("ssn", "VARCHAR", NULL, "", NULL);
    assert_int_equal(r.kind, LH_PII_SSN);
    assert_true(r.confidence < 0.5);
    r = CLASSIFY("display_name", "VARCHAR", NULL);
    assert_int_equal(r.kind, LH_PII_NONE);
    r = CLASSIFY("", "", "hello");
    assert_int_equal(r.kind, LH_PII_NONE);
    assert_int_equal(r.sampled, 1);

    assert_int_equal(lh_pii_scan_text(NULL, 10), 0);
    assert_int_equal(lh_pii_scan_text("", 0), 0);
    assert_int_equal(lh_pii_scan_text("a@b.com", 0), 0);
}

static void test_long_values(void **state)
{
    (void)state;
    size_t big = 1u << 20;
    char *v = malloc(big + 1);
    assert_non_null(v);
    /* a 1 MiB value of digits: no matcher may read past its cap or overflow */
    memset(v, '4', big);
    v[big] = '\0';
    struct lh_pii_result r = CLASSIFY("card_number", "VARCHAR", v, v, v);
    assert_int_equal(r.kind, LH_PII_NONE);
    assert_int_equal(r.sampled, 3);
    /* an email followed by 1 MiB of spaces is still the email (trimmed within the cap) */
    memset(v, ' ', big);
    memcpy(v, "john@example.com", 16);
    r = CLASSIFY("email", "VARCHAR", v, "a@example.org");
    assert_int_equal(r.kind, LH_PII_EMAIL);
    assert_int_equal(r.matched, 2);
    /* long prose: the scan finds PII anywhere in it, the classifier within its cap */
    memset(v, 'a', big);
    for (size_t i = 5; i < big; i += 6)
        v[i] = ' ';
    memcpy(v + big - 100, " 123-45-6789 ", 13);
    assert_true(lh_pii_scan_text(v, big) & BIT(LH_PII_SSN));
    memcpy(v + 100, " 212-555-0147 ", 14);
    r = CLASSIFY("body", "VARCHAR", v, v);
    assert_int_equal(r.kind, LH_PII_PHONE);
    /* every matcher on a long run of each interesting byte */
    static const char bytes[] = {'@', '.', ':', '-', ' ', '1', 'a', 'A', '(', '/', (char)0xff};
    for (size_t b = 0; b < sizeof(bytes); b++) {
        memset(v, bytes[b], 4096);
        v[4096] = '\0';
        r = CLASSIFY("col", "VARCHAR", v);
        assert_int_equal(r.sampled, b == 4 ? 0 : 1);
        (void)lh_pii_scan_text(v, 4096);
        size_t n = 4096;
        struct lh__pii_date d;
        double x;
        (void)lh__pii_is_email(v, n);
        (void)lh__pii_phone_level(v, n);
        (void)lh__pii_ssn_level(v, n, true);
        (void)lh__pii_is_card(v, n);
        (void)lh__pii_is_ipv4(v, n, true);
        (void)lh__pii_is_ipv6(v, n);
        (void)lh__pii_parse_date(v, n, LH__PII_DATE_COMPACT | LH__PII_DATE_YY, &d);
        (void)lh__pii_parse_pay(v, n, &x);
        (void)lh__pii_parse_amount(v, n, &x);
        (void)lh__pii_is_street_address(v, n);
        (void)lh__pii_medical_flags(v, n);
        (void)lh__pii_name_flags(v, n);
    }
    free(v);
}

static void test_non_utf8(void **state)
{
    (void)state;
    struct lh_pii_result r;
    r = CLASSIFY("first_name", "VARCHAR", "Jos\xe9",
                 "Ren\xe9"
                 "e",
                 "\xff\xfe", "Zo\xc3\xab", "\xc3\x28", "M\x80ller");
    assert_true(r.sampled == 6);
    r = CLASSIFY("email", "VARCHAR", "j\xf6rg@example.com", "\xe2\x82@example.com",
                 "a@ex\xffmple.com");
    assert_int_equal(r.kind, LH_PII_NONE);
    assert_false(is_email("j\xf6rg@example.com"));
    assert_false(card("4111\xa0"
                      "1111\xa0"
                      "1111\xa0"
                      "1111"));
    assert_int_equal(phone("212\xe2\x80\x91"
                           "555\xe2\x80\x91"
                           "0147"),
                     LH__PII_NO);
    assert_int_equal(med("diabetes\xff"), 0);
    unsigned bits = scan("\xff\xfe call 212-555-0147 \xc3\x28 mail x@example.com\x80");
    assert_true(bits & BIT(LH_PII_PHONE));
    assert_false(bits & BIT(LH_PII_EMAIL)); /* glued to a stray byte */
    assert_int_equal(scan("write to j\xf6rg@example.com"), 0);
    assert_int_equal(scan("write to jorg@example.com"), BIT(LH_PII_EMAIL));
}

/* ---- free text ---- */

static void test_scan_text(void **state)
{
    (void)state;
    const char *para =
        "Hi team, please reach Jane Doe at jane.doe@example.com or on (212) 555-0147 "
        "(mobile +44 7700 900123). Her SSN is 078-05-1120 and the card on file is "
        "4111 1111 1111 1111. She logged in from 203.0.113.9 yesterday at 10:30.";
    unsigned bits = scan(para);
    assert_int_equal(bits, BIT(LH_PII_EMAIL) | BIT(LH_PII_PHONE) | BIT(LH_PII_SSN) |
                               BIT(LH_PII_CREDIT_CARD) | BIT(LH_PII_IP_ADDRESS));
    assert_int_equal(scan("Call 212-555-0147."), BIT(LH_PII_PHONE));
    assert_int_equal(scan("ssn:123-45-6789;"), BIT(LH_PII_SSN));
    assert_int_equal(scan("mail me: bob@example.org."), BIT(LH_PII_EMAIL));
    assert_int_equal(scan("card 5555555555554444 expired"), BIT(LH_PII_CREDIT_CARD));
    assert_int_equal(scan("server 10.0.0.1:8080 is down"), BIT(LH_PII_IP_ADDRESS));
    /* things that are not PII in prose */
    assert_int_equal(scan("Invoice 2024-000123 was charged twice on 2024-01-15."), 0);
    assert_int_equal(scan("Order 555-0199 arrived damaged; SKU-12345-AB."), 0);
    assert_int_equal(scan("Upgrade to v1.2.3.4 or 2.0.1, see section 4.2.1."), 0);
    assert_int_equal(scan("Card 4111 1111 1111 1112 failed Luhn."), 0);
    assert_int_equal(scan("Bad SSN 000-12-3456 and 666-12-3456."), 0);
    assert_int_equal(scan("Total: $1,234,567.89 at 12:30:45 on 01/15/2024."), 0);
    assert_int_equal(scan("Part 123-45-6789-0 and ref INV-555-123-4567."), 0);
    assert_int_equal(scan("Lorem ipsum dolor sit amet, consectetur adipiscing elit."), 0);
    assert_int_equal(scan("user@localhost and @handle"), 0);
}

/* ---- names of kinds and levels ---- */

static void test_names_round_trip(void **state)
{
    (void)state;
    for (int k = 0; k < LH_PII_KIND_MAX_; k++) {
        enum lh_pii_kind back = LH_PII_KIND_MAX_;
        const char *n = lh_pii_kind_name((enum lh_pii_kind)k);
        assert_non_null(n);
        assert_int_equal(lh_pii_kind_parse(n, &back), 0);
        assert_int_equal(back, k);
    }
    assert_string_equal(lh_pii_kind_name(LH_PII_CREDIT_CARD), "credit_card");
    assert_string_equal(lh_pii_kind_name(LH_PII_DATE_OF_BIRTH), "date_of_birth");
    assert_string_equal(lh_pii_kind_name(LH_PII_STREET_ADDRESS), "street_address");
    assert_string_equal(lh_pii_kind_name((enum lh_pii_kind)99), "none");
    enum lh_pii_kind k = LH_PII_EMAIL;
    assert_int_equal(lh_pii_kind_parse("bogus", &k), -LH_EINVAL);
    assert_int_equal(k, LH_PII_EMAIL); /* unchanged on failure */
    assert_int_equal(lh_pii_kind_parse("Email", &k), -LH_EINVAL);
    assert_int_equal(lh_pii_kind_parse(NULL, &k), -LH_EINVAL);

    for (int s = 0; s < LH_SENS_MAX_; s++) {
        enum lh_sensitivity back = LH_SENS_MAX_;
        assert_int_equal(lh_sensitivity_parse(lh_sensitivity_name((enum lh_sensitivity)s), &back),
                         0);
        assert_int_equal(back, s);
    }
    assert_string_equal(lh_sensitivity_name(LH_SENS_RESTRICTED), "restricted");
    enum lh_sensitivity sv;
    assert_int_equal(lh_sensitivity_parse("secret", &sv), -LH_EINVAL);
    assert_int_equal(lh_sensitivity_parse(NULL, &sv), -LH_EINVAL);

    assert_int_equal(lh_pii_default_sensitivity(LH_PII_NONE), LH_SENS_INTERNAL);
    assert_int_equal(lh_pii_default_sensitivity(LH_PII_SSN), LH_SENS_RESTRICTED);
    assert_int_equal(lh_pii_default_sensitivity(LH_PII_CREDIT_CARD), LH_SENS_RESTRICTED);
    assert_int_equal(lh_pii_default_sensitivity(LH_PII_MEDICAL), LH_SENS_RESTRICTED);
    static const enum lh_pii_kind conf[] = {
        LH_PII_EMAIL,  LH_PII_PHONE,          LH_PII_IP_ADDRESS, LH_PII_DATE_OF_BIRTH,
        LH_PII_SALARY, LH_PII_STREET_ADDRESS, LH_PII_PERSON_NAME};
    for (size_t i = 0; i < LH_ARRAY_LEN(conf); i++)
        assert_int_equal(lh_pii_default_sensitivity(conf[i]), LH_SENS_CONFIDENTIAL);
    assert_true(lh__pii_words_check());
}

/* ---- the labelled evaluation set ---- */

struct eval_col {
    enum lh_pii_kind label;
    const char *name;
    const char *type;
    const char **values;
    size_t n_values;
};

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (cap - len < 65536) {
            cap = cap ? cap * 2 : 262144;
            buf = realloc(buf, cap + 1);
            assert_non_null(buf);
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

/* Finds columns.tsv from the repo root, or relative to the test binary (build/<cfg>/tests/). */
static char *load_eval_file(void)
{
    const char *env = getenv("LH_PII_EVAL");
    if (env)
        return slurp(env);
    char *buf = slurp("tests/data/pii/columns.tsv");
    if (buf || !g_argv0)
        return buf;
    char path[4096];
    const char *slash = strrchr(g_argv0, '/');
    int dl = slash ? (int)(slash - g_argv0) : 1;
    snprintf(path, sizeof(path), "%.*s/../../../tests/data/pii/columns.tsv", dl,
             slash ? g_argv0 : ".");
    return slurp(path);
}

/* Parses the TSV in place; returns the column count. */
static size_t parse_eval(char *buf, struct eval_col **out)
{
    size_t n = 0, cap = 0;
    struct eval_col *cols = NULL;
    char *line = buf;
    while (line && *line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (*line && *line != '#') {
            char *fields[512];
            size_t nf = 0;
            char *p = line;
            for (;;) {
                assert_true(nf < LH_ARRAY_LEN(fields));
                fields[nf++] = p;
                char *tab = strchr(p, '\t');
                if (!tab)
                    break;
                *tab = '\0';
                p = tab + 1;
            }
            assert_true(nf >= 3);
            if (n == cap) {
                cap = cap ? cap * 2 : 256;
                cols = realloc(cols, cap * sizeof(*cols));
                assert_non_null(cols);
            }
            struct eval_col *c = &cols[n++];
            if (lh_pii_kind_parse(fields[0], &c->label) != 0)
                fail_msg("bad label '%s'", fields[0]);
            c->name = fields[1];
            c->type = fields[2];
            c->n_values = nf - 3;
            c->values = calloc(c->n_values ? c->n_values : 1, sizeof(char *));
            assert_non_null(c->values);
            for (size_t i = 0; i < c->n_values; i++)
                c->values[i] = strcmp(fields[3 + i], "\\N") == 0 ? NULL : fields[3 + i];
        }
        line = nl ? nl + 1 : NULL;
    }
    *out = cols;
    return n;
}

static double ratio(int a, int b)
{
    return b ? (double)a / b : 1.0;
}

static void test_eval_precision_recall(void **state)
{
    (void)state;
    char *buf = load_eval_file();
    if (!buf)
        fail_msg("cannot read tests/data/pii/columns.tsv (run from the repo root or set "
                 "LH_PII_EVAL)");
    struct eval_col *cols = NULL;
    size_t n = parse_eval(buf, &cols);
    assert_true(n >= 150);

    int tp[LH_PII_KIND_MAX_] = {0}, fp[LH_PII_KIND_MAX_] = {0}, fn[LH_PII_KIND_MAX_] = {0};
    int positives = 0, negatives = 0, true_neg = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    size_t total_values = 0;
    for (size_t i = 0; i < n; i++) {
        const struct eval_col *c = &cols[i];
        assert_true(c->n_values >= 20 && c->n_values <= 200);
        total_values += c->n_values;
        struct lh_pii_result r;
        lh_pii_classify(c->name, c->type, c->values, c->n_values, &r);
        assert_true(r.confidence >= 0.0 && r.confidence <= 1.0);
        assert_true(r.matched <= r.sampled);
        assert_int_equal(r.sensitivity, lh_pii_default_sensitivity(r.kind));
        if (c->label == LH_PII_NONE)
            negatives++;
        else
            positives++;
        if (r.kind == c->label) {
            if (c->label != LH_PII_NONE)
                tp[c->label]++;
            else
                true_neg++;
            continue;
        }
        if (r.kind != LH_PII_NONE)
            fp[r.kind]++;
        if (c->label != LH_PII_NONE)
            fn[c->label]++;
        printf("# miss: %-24s %-14s label=%-14s got=%-14s conf=%.2f matched=%d/%d\n", c->name,
               c->type, lh_pii_kind_name(c->label), lh_pii_kind_name(r.kind), r.confidence,
               r.matched, r.sampled);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;

    printf("# PII eval: %zu columns (%d PII, %d hard negatives), %zu values, %.1f ms\n", n,
           positives, negatives, total_values, ms);
    printf("# %-15s %4s %4s %4s %9s %7s\n", "kind", "TP", "FP", "FN", "precision", "recall");
    int stp = 0, sfp = 0, sfn = 0;
    for (int k = 1; k < LH_PII_KIND_MAX_; k++) {
        printf("# %-15s %4d %4d %4d %9.3f %7.3f\n", lh_pii_kind_name((enum lh_pii_kind)k), tp[k],
               fp[k], fn[k], ratio(tp[k], tp[k] + fp[k]), ratio(tp[k], tp[k] + fn[k]));
        stp += tp[k];
        sfp += fp[k];
        sfn += fn[k];
    }
    double p = ratio(stp, stp + sfp), rc = ratio(stp, stp + sfn);
    printf("# %-15s %4d %4d %4d %9.3f %7.3f\n", "micro-average", stp, sfp, sfn, p, rc);
    printf("# hard negatives kept as none: %d/%d\n", true_neg, negatives);
    fflush(stdout);

    assert_true(p >= 0.95);
    assert_true(rc >= 0.90);
    for (int k = 1; k < LH_PII_KIND_MAX_; k++) {
        if (ratio(tp[k], tp[k] + fn[k]) < 0.8)
            fail_msg("recall of %s is %.3f < 0.8", lh_pii_kind_name((enum lh_pii_kind)k),
                     ratio(tp[k], tp[k] + fn[k]));
    }

    for (size_t i = 0; i < n; i++)
        free(cols[i].values);
    free(cols);
    free(buf);
}

int main(int argc, char **argv)
{
    (void)argc;
    g_argv0 = argv[0];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_luhn),
        cmocka_unit_test(test_cards),
        cmocka_unit_test(test_email),
        cmocka_unit_test(test_phone),
        cmocka_unit_test(test_ssn),
        cmocka_unit_test(test_ipv4),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_amounts_salary),
        cmocka_unit_test(test_address),
        cmocka_unit_test(test_medical),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_columns_misc),
        cmocka_unit_test(test_null_empty),
        cmocka_unit_test(test_long_values),
        cmocka_unit_test(test_non_utf8),
        cmocka_unit_test(test_scan_text),
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_eval_precision_recall),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
