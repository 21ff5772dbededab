#!/usr/bin/env bash
# t700-lifecycle.sh - graceful shutdown with a request in flight, and SIGKILL in the middle of
# ingests: the restarted server finds a consistent catalog and every committed row.
. "$(dirname "$0")/lib.sh"

# --- SIGTERM finishes in-flight requests ---
start_server || exit 1
curl -s -o "$T/slow.json" -w '%{http_code}' -X POST "$URL/query/sql" \
    --data '{"sql":"SELECT count(*) AS n FROM range(3000000000) a","timeout_ms":60000}' >"$T/slow.code" &
cpid=$!
sleep 0.7
kill -TERM "$SERVER_PID"
wait "$cpid"
rc=0; wait "$SERVER_PID" || rc=$?
SERVER_PID=
check "SIGTERM: the in-flight query still got its answer" \
    [ "$(cat "$T/slow.code")" = 200 -a "$(jq '.rows[0][0]' "$T/slow.json" 2>/dev/null)" = 3000000000 ]
check "SIGTERM: clean exit" [ "$rc" = 0 ]
check "SIGTERM: logged the stop" grep -q 'msg=stopped' "$T/server.log"

# --- SIGKILL in the middle of ingests ---
lh sql "SELECT i AS id, md5(i::VARCHAR) AS h, i * 0.5 AS x FROM range(3000000) t(i)" \
    --format csv --limit 0 --output "$T/big.csv"
printf 'id,v\n1,one\n2,two\n' >"$T/small.csv"
lh ingest "$T/small.csv" --name keep
check "setup: committed dataset" [ "$RC" = 0 ]
lh ingest "$T/big.csv" --name big
check "setup: committed big dataset" [ "$RC" = 0 ]
committed_big=3000000

# each append gets its own content (one extra row), or dedup would make it a no-op
n=0
for delay in 0.2 0.5 0.9 1.4; do
    n=$((n + 1))
    cp "$T/big.csv" "$T/big_$n.csv" && echo "$((3000000 + n)),extra,0.5" >>"$T/big_$n.csv"
    "$LH_BIN" --data "$DATA" ingest "$T/big_$n.csv" --name big --mode append >/dev/null 2>&1 &
    p=$!
    sleep "$delay"
    if kill -KILL "$p" 2>/dev/null; then
        wait "$p" 2>/dev/null
    else
        # the ingest finished before the kill: it is committed
        wait "$p" && committed_big=$((committed_big + 3000001))
    fi
done
# deterministic crash points: before converting, and between storing the file and the commit
for point in convert stored; do
    LH_TEST_CRASH_AT=$point "$LH_BIN" --data "$DATA" ingest "$T/small.csv" --name crashed_$point >/dev/null 2>&1
    check "crash at '$point' killed the ingest" [ $? = 137 ]
    lh show crashed_$point
    check "crash at '$point': the dataset does not exist" [ "$RC" != 0 ]
done
check "crash after storing left an unreferenced file" \
    [ -n "$(find "$DATA/primary/datasets/crashed_stored" -name '*.parquet' 2>/dev/null)" ]
# also kill a server in the middle of an upload + ingest
start_server || exit 1
echo "3000099,extra,0.5" >>"$T/big.csv"
curl -s -o /dev/null -X POST "$URL/ingest/file?name=big&mode=append" --data-binary "@$T/big.csv" &
cpid=$!
sleep 0.6
kill -KILL "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=
wait "$cpid" 2>/dev/null

start_server || exit 1
api GET /catalog/datasets/big
cat_rows=$(jq .rows <<<"$BODY")
sql_json "SELECT count(*) FROM big"
sql_rows=$(jq '.rows[0][0]' <<<"$BODY")
check "after kill -9: catalog rows match the data ($cat_rows = $sql_rows)" [ "$cat_rows" = "$sql_rows" ]
check "after kill -9: committed rows of big are all there" [ "$sql_rows" -ge "$committed_big" ]
check "after kill -9: catalog rows are whole ingests" [ $(((sql_rows - 3000000) % 3000001)) = 0 ]
sql_json "SELECT string_agg(v, ',' ORDER BY id) FROM keep"
expect "after kill -9: the other dataset is intact" 200 '.rows[0][0] == "one,two"'
api POST /catalog/resync
expect "after kill -9: every referenced file exists and matches" 200 '.files_missing == 0 and .datasets_repaired == 0'
api POST /catalog/gc
expect "gc cleans what the killed ingests left" 200 '.files_kept >= 2 and .files_removed >= 1'
check "gc removed the file the crashed ingest stored" \
    [ -z "$(find "$DATA/primary/datasets/crashed_stored" -name '*.parquet' 2>/dev/null)" ]
leftover=$(find "$DATA/tmp" -maxdepth 1 -type f | wc -l)
check "no abandoned staging files after gc" [ "$leftover" = 0 ]
sql_json "SELECT count(*) FROM big"
check "gc removed nothing committed" [ "$(jq '.rows[0][0]' <<<"$BODY")" = "$sql_rows" ]
done_testing
