#!/usr/bin/env bash
# t240-pii.sh - PII detection at ingest, shown in the catalog, corrected by PATCH.
. "$(dirname "$0")/lib.sh"

{
    echo "customer_id,full_name,email,phone,ssn,card,ip,birth_date,salary,street,diagnosis,order_total,created_at"
    for i in $(seq 1 60); do
        printf '%d,Person %s Smith,user%d@example.com,+1 (555) 01%02d-%04d,%03d-%02d-%04d,4111 1111 1111 1111,10.0.%d.%d,19%02d-0%d-1%d,%d,%d Main Street,type 2 diabetes,%d.%02d,2024-01-%02d\n' \
            $i "$(printf '\x41' | tr A-Z A-Z)" $i $((i % 100)) $((i * 7 % 10000)) $((100 + i)) $((10 + i % 80)) $((1000 + i)) \
            $((i % 255)) $((i * 3 % 255)) $((50 + i % 40)) $((1 + i % 9)) $((i % 9)) $((40000 + i * 100)) $((100 + i)) \
            $((i * 3)) $((i % 100)) $((1 + i % 28))
    done
} >"$T/customers.csv"
lh ingest "$T/customers.csv" --json
check "ingest a table full of PII" [ "$RC" = 0 ]
pii() { jq -r ".columns[] | select(.name == \"$1\") | .pii" <<<"$OUT"; }
for pair in email:email phone:phone ssn:ssn card:credit_card ip:ip_address birth_date:date_of_birth \
            salary:salary street:street_address diagnosis:medical; do
    col=${pair%%:*}; kind=${pair#*:}
    check "column $col is detected as $kind" test "$(pii "$col")" = "$kind"
done
check "order_total is not PII" test "$(pii order_total)" = none
check "created_at is not a birth date" test "$(pii created_at)" = none
check "the ingest reports the PII found" test "$(jq '.pii_found | length' <<<"$OUT")" -ge 9
lh show customers --json
check "the catalog shows kinds and sensitivity" \
    test "$(jq -r '.columns[] | select(.name == "ssn") | .pii + "/" + .sensitivity' <<<"$OUT")" = "ssn/restricted"
check "the dataset's sensitivity is its columns' highest" test "$(jq -r .sensitivity <<<"$OUT")" = restricted
lh meta customers --pii order_total=salary --column-sensitivity order_total=confidential --json
check "a user corrects a column" \
    test "$(jq -r '.columns[] | select(.name == "order_total") | .pii + "/" + .sensitivity + "/" + .pii_source' <<<"$OUT")" = "salary/confidential/user"
lh meta customers --pii order_total=bogus
check "an unknown kind is refused" [ "$RC" != 0 ]

lh demo --json
lh show candidates --json
check "demo candidates: email" test "$(pii email)" = email
check "demo candidates: phone" test "$(pii phone)" = phone
check "demo candidates: names" test "$(pii last_name)" = person_name
check "demo candidates: desired salary" test "$(pii desired_salary)" = salary
check "demo candidates: skills are not PII" test "$(pii skills)" = none
done_testing
