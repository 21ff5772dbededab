#!/usr/bin/env bash
# t100-server.sh - health, OpenAPI, request ids, routing errors, catalog routes, resync, gc.
. "$(dirname "$0")/lib.sh"

printf 'id,name\n1,a\n2,b\n' >"$T/a.csv"
lh ingest "$T/a.csv" --name alpha
check "setup: ingest alpha" [ "$RC" = 0 ]
start_server || exit 1

api GET /health
expect "GET /health" 200 '.status == "ok" and .datasets == 1 and (.snapshot_id >= 1)'
check "responses carry a request id" grep -qi '^x-request-id: [0-9a-f]' "$T/headers"
api GET /health -H 'X-Request-Id: test-123'
check "a sane client request id is echoed" grep -qi '^x-request-id: test-123' "$T/headers"
check "one log line per request, with the id" grep -q 'req_id=test-123.*status=200' "$T/server.log"

api GET /openapi.json
expect "GET /openapi.json is OpenAPI 3" 200 '.openapi | startswith("3.")'
for p in /health /catalog/datasets '/catalog/datasets/{name}' /catalog/resync /ingest/file /query/sql; do
    check "openapi documents $p" jqt ".paths[\"$p\"] != null"
done

api GET /nope
expect "unknown route is 404 JSON" 404 '.error.code == "not_found"'
api PUT /health
expect "wrong method is 405" 405 '.error.code == "method_not_allowed"'

api GET /catalog/datasets
expect "list datasets" 200 '.datasets | length == 1 and .[0].name == "alpha" and .[0].rows == 2'
api GET /catalog/datasets/alpha
expect "get dataset: schema, files, rows, snapshot" 200 \
    '.name == "alpha" and .rows == 2 and (.columns|length) == 2 and (.files|length) == 1 and .snapshot_id >= 1'
api GET /catalog/datasets/missing
expect "missing dataset is 404" 404 '.error.code == "not_found"'
api GET '/catalog/datasets/..%2Fetc'
expect "illegal dataset name is 400" 400 '.error.code == "invalid_input"'

api POST /catalog/resync
expect "resync" 200 '.datasets == 1 and .datasets_repaired == 0'
mkdir -p "$DATA/primary/datasets/alpha" && echo junk >"$DATA/primary/datasets/alpha/orphan.parquet"
api POST /catalog/gc
expect "gc removes the orphan" 200 '.files_removed == 1 and .files_kept == 1'

api DELETE /catalog/datasets/alpha
expect "delete dataset" 200 '.deleted == "alpha"'
api GET /catalog/datasets/alpha
expect "deleted dataset is gone" 404
api DELETE /catalog/datasets/alpha
expect "delete twice is 404" 404
sql_json "SELECT * FROM alpha"
expect "deleted dataset is gone from SQL" 400 '.error.code == "sql_error"'
done_testing
