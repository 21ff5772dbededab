#!/usr/bin/env bash
# t220-compact-cache.sh - compaction while queries run, and the hot cache (pin, refresh, evict, budget).
. "$(dirname "$0")/lib.sh"

for i in 1 2 3 4 5 6; do
    lh sql "SELECT i + $((i * 100000)) AS id, 'r$i' AS tag, i * 0.5 AS x FROM range(100000) t(i)" \
        --format csv --limit 0 --output "$T/part$i.csv"
    lh ingest "$T/part$i.csv" --name events --mode append
done
lh show events --json
check "setup: 6 files, 600k rows" test "$(jq -c '[(.files|length), .rows]' <<<"$OUT")" = '[6,600000]'
start_server --cache-bytes 30MiB || exit 1

# queries keep running during a compaction and see every row
sql_json "SELECT count(*), sum(id) FROM events"
want=$(jq -c '.rows[0]' <<<"$BODY")
pids=()
for i in $(seq 1 8); do
    ( for k in 1 2 3; do curl -s -X POST "$URL/query/sql" -d '{"sql":"SELECT count(*), sum(id) FROM events"}' | jq -c '.rows[0]'; done ) >"$T/q.$i" &
    pids+=($!)
done
api POST '/catalog/datasets/events/compact?wait=true'
expect "compaction merges the small files" 200 '.files_merged == 6 and .files_after == 1 and .rows == 600000'
wait "${pids[@]}"
check "every query during compaction saw all rows" [ "$(cat "$T"/q.* | sort -u)" = "$want" ]
api GET /catalog/datasets/events
expect "one file after compaction" 200 '(.files | length) == 1 and .rows == 600000'
sleep 0.3
check "old files are deleted once no query reads them" \
    [ "$(find "$DATA/primary/datasets/events" -name '*.parquet' | wc -l)" = 1 ]
api GET /journal/history/events
check "compaction is journaled" jqt '[.entries[] | select(.action == "compact" and .old == "6" and .new == "1")] | length == 1'
lh ingest "$T/part1.csv" --name events --mode append --json
check "dedup still knows content merged by compaction" test "$(jq .duplicate <<<"$OUT")" = true
api POST '/catalog/datasets/events/compact?wait=true'
expect "nothing to compact is fine" 200 '.files_merged == 0'
api POST /catalog/datasets/events/compact
expect "background compaction answers 202" 202 '.status == "started"'
api POST /catalog/datasets/nope/compact
expect "compacting a missing dataset is 404" 404

# hot cache
api POST /query/cache/pin --data '{"dataset":"events"}'
expect "pin a dataset" 200 '.dataset == "events" and .state == "ready" and .rows == 600000 and .bytes > 0'
sql_json "SELECT count(*), sum(id) FROM events"
expect "queries on a pinned dataset give the same answer" 200 ".rows[0] == $want"
api GET /query/cache
expect "stats show the hit" 200 '.budget_bytes == 31457280 and .entries[0].hits >= 1 and .used_bytes > 0'
printf 'id,tag,x\n9999999,new,1.0\n' >"$T/one.csv"
api POST '/ingest/file?name=events&mode=append' --data-binary "@$T/one.csv"
sql_json "SELECT count(*) FROM events"
expect "a change is visible at once (the stale copy is not used)" 200 '.rows[0][0] == 600001'
for _ in $(seq 1 100); do
    api GET /query/cache; jqt '.entries[0].state == "ready" and .entries[0].rows == 600001' && break; sleep 0.1
done
expect "the copy is refreshed in the background" 200 '.entries[0].rows == 600001'
api GET /query/cache; events_bytes=$(jq '.entries[0].bytes' <<<"$BODY")
lh sql "SELECT i AS id FROM range(3000000) t(i)" --format csv --limit 0 --output "$T/big.csv"
lh ingest "$T/big.csv" --name big
api POST /query/cache/pin --data '{"dataset":"big"}'
expect "pin a second dataset" 200 '.state == "ready" and .bytes > 20000000'
big_bytes=$(jq .bytes <<<"$BODY")
api GET /query/cache
check "setup: the two copies do not fit together ($events_bytes + $big_bytes)" \
    [ $((events_bytes + big_bytes)) -gt 31457280 ]
expect "over the budget, the least recently used copy is evicted" 200 '[.entries[].dataset] == ["big"]'
check "used bytes stay within the budget" jqt '.used_bytes <= .budget_bytes'
lh sql "SELECT i AS id, i * 2 AS j FROM range(6000000) t(i)" --format csv --limit 0 --output "$T/huge.csv"
lh ingest "$T/huge.csv" --name huge
api POST /query/cache/pin --data '{"dataset":"huge"}'
expect "a dataset larger than the whole budget is refused" 429 '.error.message | test("cache_bytes")'
api POST /query/cache/evict --data '{"dataset":"big"}'
expect "evict big" 200 '.evicted == "big"'
api POST /query/cache/pin --data '{"dataset":"events"}'
api POST /query/cache/pin --data '{"dataset":"nope"}'
expect "pinning a missing dataset is 404" 404
api POST /query/cache/pin --data '{"table":"x"}'
expect "bad pin body is 400" 400
api POST /query/cache/evict --data '{"dataset":"events"}'
expect "evict" 200 '.evicted == "events"'
api GET /query/cache
expect "nothing pinned after evict" 200 '.entries == [] and .used_bytes == 0'
api POST /query/cache/evict --data '{"dataset":"events"}'
expect "evicting twice is 404" 404
done_testing
