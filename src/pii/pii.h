/* SPDX-License-Identifier: MIT */
/* pii.h - PII detection per column from its name and a sample of its values. libc only.
 *
 * A column gets a PII kind and a sensitivity level. Detection combines name hints
 * ("email", "ssn", "dob", "salary", ...) with value checks on the sample (formats, Luhn for
 * card numbers, valid IPv4/IPv6, plausible birth dates, street-address shapes, medical
 * vocabulary), so that neither a name nor a value pattern alone decides when the other
 * contradicts it. Pure functions; thread-safe. */
#ifndef LH_PII_H
#define LH_PII_H

#include "lh_common.h"

enum lh_pii_kind {
    LH_PII_NONE,
    LH_PII_EMAIL,
    LH_PII_PHONE,
    LH_PII_SSN,
    LH_PII_CREDIT_CARD,
    LH_PII_IP_ADDRESS,
    LH_PII_DATE_OF_BIRTH,
    LH_PII_SALARY,
    LH_PII_STREET_ADDRESS,
    LH_PII_MEDICAL,
    LH_PII_PERSON_NAME,
    LH_PII_KIND_MAX_
};

enum lh_sensitivity {
    LH_SENS_PUBLIC,
    LH_SENS_INTERNAL,
    LH_SENS_CONFIDENTIAL,
    LH_SENS_RESTRICTED,
    LH_SENS_MAX_
};

/* "none", "email", "phone", "ssn", "credit_card", "ip_address", "date_of_birth", "salary",
 * "street_address", "medical", "person_name" */
const char *lh_pii_kind_name(enum lh_pii_kind k);
int lh_pii_kind_parse(const char *s, enum lh_pii_kind *out); /* -LH_EINVAL if unknown */
/* "public", "internal", "confidential", "restricted" */
const char *lh_sensitivity_name(enum lh_sensitivity s);
int lh_sensitivity_parse(const char *s, enum lh_sensitivity *out);
/* The default sensitivity of a kind (e.g. ssn/credit_card/medical -> restricted,
 * email/phone/dob/salary/address/name/ip -> confidential, none -> internal). */
enum lh_sensitivity lh_pii_default_sensitivity(enum lh_pii_kind k);

struct lh_pii_result {
    enum lh_pii_kind kind;
    enum lh_sensitivity sensitivity;
    double confidence; /* 0..1 */
    int matched;       /* sample values that matched the kind's value check */
    int sampled;       /* non-empty sample values looked at */
};

/* Classifies one column. `type` is the DuckDB type text (e.g. "VARCHAR", "BIGINT", "DATE");
 * values are the sample rendered as text (NULL entries = SQL NULL, skipped). */
void lh_pii_classify(const char *column_name, const char *type, const char *const *values,
                     size_t n_values, struct lh_pii_result *out);

/* Free-text scan (e.g. a PDF page or resume text): which kinds occur in s, as a bit set
 * (1u << kind). Used for document columns whose values are prose. */
unsigned lh_pii_scan_text(const char *s, size_t n);

#endif
