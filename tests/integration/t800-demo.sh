#!/usr/bin/env bash
# t800-demo.sh - `lakehouse demo` and `serve --demo-scale`: deterministic staffing data through the normal ingest path.
. "$(dirname "$0")/lib.sh"

lh demo --json
check "demo at scale 1" [ "$RC" = 0 ]
check "demo: six tables" test "$(jq -c '[.tables[].name]' <<<"$OUT")" = \
    '["recruiters","clients","candidates","job_orders","placements","timesheets"]'
total=$(jq .total_rows <<<"$OUT")
check "demo: about 2M rows ($total)" [ "$total" -ge 1900000 -a "$total" -le 2200000 ]
lh sql "SELECT count(*) FROM placements p LEFT JOIN candidates c USING (candidate_id) WHERE c.candidate_id IS NULL"
check "demo: every placement's candidate exists" test "$(tail -n1 <<<"$OUT" | tr -d '\r')" = 0
lh sql "SELECT count(*) FROM candidates WHERE email LIKE '%@%' AND length(resume_text) > 300"
check "demo: candidates have emails and resume text" test "$(tail -n1 <<<"$OUT" | tr -d '\r')" = 100000
lh demo --json
check "demo again: same content is reported, nothing duplicated" \
    test "$(jq .total_rows <<<"$OUT")" = "$total"
lh sql "SELECT (SELECT count(*) FROM timesheets) + (SELECT count(*) FROM candidates) + (SELECT count(*) FROM clients) + (SELECT count(*) FROM recruiters) + (SELECT count(*) FROM job_orders) + (SELECT count(*) FROM placements)"
check "demo again: no row doubled" test "$(tail -n1 <<<"$OUT" | tr -d '\r')" = "$total"
lh demo --scale 0
check "demo: scale 0 is refused" [ "$RC" != 0 ]
lh demo --scale abc
check "demo: a non-number scale is refused" [ "$RC" != 0 ]

# serve --demo-scale loads the demo only into an empty catalog
DATA=$T/data2
start_server --demo-scale 1 || exit 1
api GET /catalog/datasets
expect "serve --demo-scale 1 loaded the demo on first start" 200 '.datasets | length == 6'
api GET /health
snap=$(jq .snapshot_id <<<"$BODY")
stop_server
start_server --demo-scale 1 || exit 1
api GET /health
expect "a second start does not load it again" 200 ".snapshot_id == $snap"
done_testing
