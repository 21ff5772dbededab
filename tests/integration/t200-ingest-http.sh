#!/usr/bin/env bash
# t200-ingest-http.sh - POST /ingest/file: multipart and raw uploads, dedup, every kind of bad input.
. "$(dirname "$0")/lib.sh"
start_server --max-upload-bytes 200000 || exit 1

printf 'id,name,score\n1,ann,1.5\n2,bob,2.5\n' >"$T/people.csv"
printf 'id,name,score\n3,cy,3.5\n' >"$T/more.csv"

api POST /ingest/file -F "file=@$T/people.csv"
expect "multipart upload creates a dataset named after the file" 201 \
    '.dataset == "people" and .rows == 2 and .mode == "create" and .format == "csv" and (.columns|length) == 3'
api POST /ingest/file -F "file=@$T/people.csv" -F name=people -F mode=append
expect "the same content again is a duplicate" 200 '.duplicate == true and .duplicate_of == "people"'
api POST '/ingest/file?name=people&mode=append' --data-binary "@$T/more.csv" -H 'Content-Type: text/csv'
expect "raw-body append" 200 '.rows == 1 and .total_rows == 3'
api POST '/ingest/file?name=events&format=ndjson' --data-binary $'{"a":1,"b":{"c":"x"}}\n{"a":2,"b":{"c":"y"}}\n'
expect "raw NDJSON with nested object" 201 '.rows == 2 and ([.columns[].name] == ["a","b_c"])'
sql_json "SELECT sum(score) AS s FROM people"
expect "ingested data is queryable" 200 '.rows[0][0] == 7.5'

api GET /catalog/datasets
before=$(jq -c '[.datasets[] | [.name, .snapshot_id, .rows]]' <<<"$BODY")
n_files_before=$(find "$DATA/primary" -type f | wc -l)

api POST '/ingest/file?name=e' --data-binary ''
expect "empty upload is 400" 400 '.error.code == "invalid_input"'
printf '\x00\x01PK\x03\x04binary\x00\x00' >"$T/bin.dat"
api POST '/ingest/file?name=b' --data-binary "@$T/bin.dat"
expect "binary upload is 400" 400 '.error.message | test("binary")'
printf 'a,b\n1,2\n3\n4,5\n6,7,8\n' >"$T/bad.csv"
api POST /ingest/file -F "file=@$T/bad.csv" -F name=bad
expect "malformed CSV is 400 with line numbers" 400 '.error.message | test("line 3") and test("line 5")'
api POST '/ingest/file?name=j&format=json' --data-binary '[{"a":1},{"a":'
expect "invalid JSON is 400" 400 '.error.message | test("JSON")'
api POST '/ingest/file?name=Bad%20Name' --data-binary "@$T/people.csv"
expect "illegal dataset name is 400" 400 '.error.message | test("invalid dataset name")'
printf 'id,name,score\n9,zed,9.5\n' >"$T/new.csv"
api POST '/ingest/file?name=people' --data-binary "@$T/new.csv"
expect "create over an existing dataset is 409" 409 '.error.code == "already_exists"'
printf 'x,y\n1,2\n' >"$T/other.csv"
api POST '/ingest/file?name=people&mode=append' --data-binary "@$T/other.csv"
expect "append with another schema is 409" 409 '.error.message | test("schema")'
api POST '/ingest/file?name=m&mode=merge' --data-binary "@$T/people.csv"
expect "unknown mode is 400" 400
head -c 300000 /dev/zero | tr '\0' 'a' >"$T/big.csv"
api POST '/ingest/file?name=big' --data-binary "@$T/big.csv"
expect "upload over the size limit is 413" 413 '.error.code == "too_large"'
api POST /ingest/file -F "file=@$T/big.csv" -F name=big2
expect "multipart upload over the size limit is 413" 413
api POST '/ingest/file?name=chunked' -H 'Transfer-Encoding: chunked' --data-binary "@$T/big.csv"
expect "chunked upload over the size limit is 413" 413

api GET /catalog/datasets
after=$(jq -c '[.datasets[] | [.name, .snapshot_id, .rows]]' <<<"$BODY")
check "bad uploads changed nothing in the catalog" [ "$before" = "$after" ]
check "bad uploads left no data files" [ "$(find "$DATA/primary" -type f | wc -l)" = "$n_files_before" ]
check "no staging files are left behind" [ -z "$(find "$DATA/tmp" -maxdepth 1 -type f)" ]
done_testing
