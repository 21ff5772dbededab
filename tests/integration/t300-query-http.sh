#!/usr/bin/env bash
# t300-query-http.sh - POST /query/sql: formats, limits, errors, sandbox, timeouts, parallel clients, disconnects.
. "$(dirname "$0")/lib.sh"

lh sql "SELECT i AS id, 'user' || i AS name, i % 7 AS grp FROM range(50000) t(i)" --format csv --limit 0 --output "$T/big.csv"
lh ingest "$T/big.csv" --name big
check "setup: 50k-row dataset" [ "$RC" = 0 ]
start_server --query-row-limit 1000 --query-timeout-ms 20000 || exit 1

sql_json "SELECT grp, count(*) AS n FROM big GROUP BY grp ORDER BY grp"
expect "JSON result with columns and types" 200 \
    '.columns == [{"name":"grp","type":"BIGINT"},{"name":"n","type":"BIGINT"}] and .row_count == 7 and .rows[0] == [0, 7143]'
sql_json "SELECT * FROM big"
expect "default row limit applies" 200 '.row_count == 1000 and .truncated == true'
api POST /query/sql --data '{"sql":"SELECT * FROM big","limit":0}'
expect "limit 0 opts out" 200 '.row_count == 50000 and .truncated == false'
api POST /query/sql --data '{"sql":"SELECT id FROM big ORDER BY id LIMIT 3","format":"ndjson"}'
check "NDJSON" [ "$STATUS" = 200 -a "$BODY" = $'{"id":0}\n{"id":1}\n{"id":2}' ]
check "NDJSON content type" grep -qi '^content-type: application/x-ndjson' "$T/headers"
api POST '/query/sql?format=csv' --data '{"sql":"SELECT id, name FROM big ORDER BY id LIMIT 2"}'
check "CSV" [ "$STATUS" = 200 -a "$(tr -d '\r' <<<"$BODY")" = $'id,name\n0,user0\n1,user1' ]
curl -s -o "$T/out.parquet" -X POST "$URL/query/sql" --data '{"sql":"SELECT * FROM big","format":"parquet","limit":0}'
check "Parquet" [ "$(head -c 4 "$T/out.parquet")" = PAR1 ]
lh ingest "$T/out.parquet" --name roundtrip --json
check "exported Parquet ingests back with every row" test "$(jq .rows <<<"$OUT")" = 50000
check "streamed responses are chunked" grep -qi '^transfer-encoding: chunked' "$T/headers"

sql_json "SELECT nope FROM big"
expect "DuckDB error is passed on" 400 '.error.code == "sql_error" and (.error.message | test("nope"))'
sql_json "DELETE FROM big"
expect "non-SELECT is refused" 403 '.error.code == "not_allowed"'
sql_json "SELECT 1; SELECT 2"
expect "two statements are refused" 403 '.error.code == "not_allowed"'
for q in "SELECT * FROM read_csv('/etc/passwd')" "SELECT * FROM read_text('/etc/hostname')" \
         "SELECT * FROM glob('/etc/*')" "COPY big TO '/tmp/x.csv'" "ATTACH '/tmp/x.db' AS x" \
         "INSTALL httpfs" "LOAD httpfs" "SET enable_external_access = true" "PRAGMA memory_limit='1MB'"; do
    sql_json "$q"
    check "sandbox refuses: $q" [ "$STATUS" = 400 -o "$STATUS" = 403 ]
done
api POST /query/sql --data '{"sql": 42}'
expect "sql must be a string" 400 '.error.code == "invalid_input"'
api POST /query/sql --data '{"sql": "SELECT 1"'
expect "invalid JSON body is 400" 400 '.error.code == "invalid_input"'
api POST /query/sql --data '{}'
expect "missing sql is 400" 400
api POST /query/sql --data '{"sql":"SELECT 1","format":"xml"}'
expect "unknown format is 400" 400
api POST /query/sql --data '{"sql":"SELECT count(*) FROM range(100000000000)","timeout_ms":300}'
expect "timeout interrupts the query" 408 '.error.code == "timeout"'

# many clients in parallel
pids=()
for i in $(seq 1 24); do
    curl -s -o "$T/par.$i" -w '%{http_code}' -X POST "$URL/query/sql" \
        --data "{\"sql\":\"SELECT count(*) AS n FROM big WHERE grp = $((i % 7))\"}" >"$T/par.$i.code" &
    pids+=($!)
done
wait "${pids[@]}"
good=0
for i in $(seq 1 24); do
    want=$(( (50000 - (i % 7)) / 7 + ((50000 - (i % 7)) % 7 > 0 ? 1 : 0) ))
    [ "$(cat "$T/par.$i.code")" = 200 ] && [ "$(jq '.rows[0][0]' "$T/par.$i")" = "$want" ] && good=$((good + 1))
done
check "24 parallel queries all answered correctly" [ "$good" = 24 ]

# a client that gives up while DuckDB still works (no row sent yet, e.g. the UI's Cancel):
# the server notices the closed socket and interrupts the query instead of waiting for the timeout
curl -s -o /dev/null --max-time 0.5 -X POST "$URL/query/sql" \
    --data '{"sql":"SELECT count(*) FROM range(100000000000) a"}' || true
for _ in $(seq 1 50); do grep -q 'path=/query/sql status=499' "$T/server.log" && break; sleep 0.1; done
ms=$(sed -n 's/.*path=\/query\/sql status=499 .*ms=\([0-9]*\).*/\1/p' "$T/server.log" | head -1)
check "a query whose client went away is canceled at once (499 after ${ms:-?} ms, timeout 20 s)" \
    [ "${ms:-99999}" -lt 5000 ]

# a client that goes away mid-stream does not hurt the server
curl -s -o /dev/null --max-time 0.3 -X POST "$URL/query/sql" \
    --data '{"sql":"SELECT * FROM range(50000000) a","limit":0,"format":"csv"}' || true
sleep 0.3
api GET /health
expect "server healthy after a client disconnect" 200
done_testing
