#!/usr/bin/env bash
# t600-cli.sh - every CLI command on a data folder, good and bad input.
. "$(dirname "$0")/lib.sh"

printf 'id,name,city\n1,Ann,Oslo\n2,Bob,Rome\n3,"Cy, Jr",Lima\n' >"$T/people.csv"
printf 'id,name,city\n4,Dee,Kyiv\n' >"$T/more.csv"
printf '[{"id":1,"user":{"name":"a","geo":{"lat":1.5}},"tags":["x","y"]},{"id":2,"user":{"name":"b","geo":{"lat":2.5}},"tags":[]}]' >"$T/nested.json"
printf '{"a":1,"b":"x"}\n{"a":2,"b":"y"}\n' >"$T/lines.ndjson"

lh --version
check "--version prints the version" [ "$RC" = 0 ]
lh nosuchcommand
check "unknown command fails with a message" [ "$RC" != 0 -a -n "$ERR" ]

lh ingest "$T/people.csv" --json
check "ingest CSV" [ "$RC" = 0 ]
check "ingest CSV derives the name and counts rows" \
    test "$(jq -r '.dataset + " " + (.rows|tostring)' <<<"$OUT")" = "people 3"
lh ingest "$T/people.csv" --name people --mode append --json
check "same file again is reported as a duplicate" test "$(jq -r .duplicate <<<"$OUT")" = true
lh ingest "$T/more.csv" --name people --mode append
check "append" [ "$RC" = 0 ]
lh sql "SELECT count(*) AS n FROM people"
check "sql sees appended rows (csv)" test "$OUT" = "$(printf 'n\r\n4\r')"
printf 'id,name,city\n9,Eve,Oslo\n' >"$T/other.csv"
lh ingest "$T/other.csv" --name people
check "create over an existing dataset fails" [ "$RC" != 0 ]
check "  with one clear line" [ "$(printf '%s\n' "$ERR" | wc -l)" = 1 ]

lh ingest "$T/nested.json" --json
check "ingest nested JSON" [ "$RC" = 0 ]
check "nested objects are flattened, arrays kept" \
    test "$(jq -c '[.columns[].name]' <<<"$OUT")" = '["id","user_name","user_geo_lat","tags"]'
lh ingest "$T/lines.ndjson" --name lines --json
check "ingest NDJSON" test "$(jq .rows <<<"$OUT")" = 2

lh sql "SELECT * FROM people ORDER BY id" --format parquet --output "$T/p.parquet"
check "export Parquet" [ "$RC" = 0 -a "$(head -c 4 "$T/p.parquet")" = PAR1 ]
lh ingest "$T/p.parquet" --name people_copy --json
check "ingest Parquet" test "$(jq .rows <<<"$OUT")" = 4
lh sql "SELECT name FROM people_copy WHERE id = 3" --format ndjson
check "Parquet roundtrip keeps values" test "$OUT" = '{"name":"Cy, Jr"}'
lh sql "SELECT * FROM people" --json --limit 2
check "row limit and truncated flag" test "$(jq -c '[.row_count, .truncated]' <<<"$OUT")" = '[2,true]'

lh datasets --json
check "datasets lists all" test "$(jq -c '[.datasets[].name]' <<<"$OUT")" = '["lines","nested","people","people_copy"]'
lh show people --json
check "show: rows, files, schema" test "$(jq -c '[.rows, (.files|length), (.columns|length)]' <<<"$OUT")" = '[4,2,3]'
lh show nope
check "show of a missing dataset fails" [ "$RC" != 0 ]

# bad input: each fails with one line and changes nothing
snap_before=$("$LH_BIN" --data "$DATA" datasets --json | jq -c '[.datasets[] | [.name, .snapshot_id]]')
: >"$T/empty.csv"
lh ingest "$T/empty.csv" --name e; check "empty file is refused" [ "$RC" != 0 ]
printf '\x00\x01\x02binary\x00' >"$T/bin.csv"
lh ingest "$T/bin.csv" --name b; check "binary file is refused" [ "$RC" != 0 ]
printf 'a,b\n1,2\n3\n4,5,6\n' >"$T/bad.csv"
lh ingest "$T/bad.csv" --name bad
check "malformed CSV is refused" [ "$RC" != 0 ]
check "  naming the lines" grep -q "line 3" <<<"$ERR"
printf '[{"a":1},' >"$T/bad.json"
lh ingest "$T/bad.json" --name badj; check "invalid JSON is refused" [ "$RC" != 0 ]
lh ingest "$T/people.csv" --name "Robert'); DROP"; check "illegal name is refused" [ "$RC" != 0 ]
lh ingest "$T/nope.csv"; check "missing file is refused" [ "$RC" != 0 ]
lh ingest "$T/people.csv" --mode upsert --name x; check "bad mode is refused" [ "$RC" != 0 ]
lh sql "DROP TABLE people"; check "non-SELECT SQL is refused" [ "$RC" != 0 ]
lh sql "SELECT 1; SELECT 2"; check "two statements are refused" [ "$RC" != 0 ]
lh sql "SELECT * FROM read_csv('/etc/passwd')"; check "files outside the lake are unreadable" [ "$RC" != 0 ]
lh sql "SELECT nosuchcol FROM people"; check "DuckDB's error is passed on" grep -q nosuchcol <<<"$ERR"
snap_after=$("$LH_BIN" --data "$DATA" datasets --json | jq -c '[.datasets[] | [.name, .snapshot_id]]')
check "bad input changed nothing" [ "$snap_before" = "$snap_after" ]

# gc and resync
mkdir -p "$DATA/primary/datasets/people" && echo junk >"$DATA/primary/datasets/people/orphan.parquet"
lh gc --json
check "gc removes the unreferenced file" test "$(jq .files_removed <<<"$OUT")" = 1
check "  and keeps the referenced ones" test "$(jq .files_kept <<<"$OUT")" = 5
lh resync --json
check "resync on a healthy lake repairs nothing" test "$(jq -c '[.datasets_repaired, .files_missing]' <<<"$OUT")" = '[0,0]'

lh delete people_copy
check "delete" [ "$RC" = 0 ]
lh sql "SELECT * FROM people_copy"; check "deleted dataset is gone from SQL" [ "$RC" != 0 ]
lh delete people_copy; check "deleting twice fails" [ "$RC" != 0 ]

lh config --json --port 4000
check "config shows the effective settings" test "$(jq .port <<<"$OUT")" = 4000
LH_QUERY_ROW_LIMIT=1 lh sql "SELECT * FROM people" --json
check "environment overrides the config" test "$(jq .row_count <<<"$OUT")" = 1
printf '[query]\nquery_row_limit = 2\n' >"$T/lh.conf"
OUT=$("$LH_BIN" --data "$DATA" --config "$T/lh.conf" sql "SELECT * FROM people" --json)
check "config file is read" test "$(jq .row_count <<<"$OUT")" = 2
printf '[query]\nno_such_setting = 2\n' >"$T/bad.conf"
lh --config "$T/bad.conf" datasets; check "unknown config key is an error" grep -q no_such_setting <<<"$ERR"
lh serve --help
check "serve --help documents every setting" grep -q max-upload-bytes <<<"$OUT"
done_testing
