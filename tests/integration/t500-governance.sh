#!/usr/bin/env bash
# t500-governance.sh - API keys and roles, column masks, AI-safe views, tombstones, model
# profiles and the audit log, over SQL, search and RAG: per-role matrices that show masked
# values never leak and tombstoned rows never appear.
. "$(dirname "$0")/lib.sh"

# people: identifying columns next to harmless ones; notes are the searchable text
{
    echo "id,full_name,email,ssn,city,country,notes"
    for i in $(seq 1 40); do
        c=DE; [ $((i % 2)) = 0 ] && c=FR
        printf '%d,Person%d Smith,user%d@example.com,%03d-%02d-%04d,City%d,%s,note %d about topic%d and the zebra%d project\n' \
            "$i" "$i" "$i" $((100 + i)) $((10 + i)) $((1000 + i)) "$i" "$c" "$i" "$i" "$i"
    done
} >"$T/people.csv"
lh ingest "$T/people.csv" --json
check "ingest people" [ "$RC" = 0 ]
col() { jq -r ".columns[] | select(.name == \"$1\") | .pii + \"/\" + .sensitivity" <<<"$OUT"; }
check "email is confidential PII" test "$(col email)" = "email/confidential"
check "ssn is restricted PII" test "$(col ssn)" = "ssn/restricted"
printf 'id,body\n1,unrelated text\n' >"$T/other.csv"
lh ingest "$T/other.csv" --json

# keys from the CLI (how the first admin key is made)
mkkey() { lh keys create --role "$1" --name "$2" --json; jq -r .key <<<"$OUT"; }
ADMIN=$(mkkey admin ops)
check "admin key created" [ "$RC" = 0 ]
check "the key text has the documented shape" grep -Eq '^lh_[0-9a-f]{12}_[0-9a-f]{40}$' <<<"$ADMIN"
ANALYST=$(mkkey analyst bi)
AGENT=$(mkkey agent bot)
lh keys create --role nosuchrole --name x
check "a key for an unknown role is refused" [ "$RC" != 0 ]
lh keys list --json
check "keys list never shows key text or hashes" \
    bash -c "! grep -q '${ADMIN:20}' <<<'$OUT' && ! grep -q hash <<<'$OUT'"

start_server || exit 1
A=(-H "X-API-Key: $ADMIN")
N=(-H "X-API-Key: $ANALYST")
G=(-H "Authorization: Bearer $AGENT")
J=(-H 'Content-Type: application/json')
q() { # q KEYARRAY SQL [format]
    local -n k=$1
    api POST /query/sql "${k[@]}" "${J[@]}" --data "$(jq -cn --arg s "$2" --arg f "${3:-json}" '{sql:$s,format:$f}')"
}

# ---- authentication and permissions ----
api GET /access/whoami "${N[@]}"
expect "whoami: the analyst key maps to the analyst role" 200 '.role.name == "analyst" and (.actor | startswith("key:"))'
api GET /access/whoami -H "X-API-Key: lh_000000000000_0000000000000000000000000000000000000000"
expect "an unknown key is refused even on loopback" 401 '.error.code == "unauthorized"'
api GET /access/whoami -H "X-API-Key: garbage"
expect "a malformed key is refused" 401
api POST /ingest/file?name=x "${G[@]}" --data-binary @"$T/other.csv"
expect "agent may not ingest" 403 '.error.message | contains("ingest")'
api GET /access/audit "${N[@]}"
expect "analyst may not read the audit log" 403
api POST /catalog/views "${N[@]}" "${J[@]}" --data '{"name":"v","dataset":"people"}'
expect "analyst may not define views" 403
api GET /catalog/datasets "${G[@]}"
expect "agent sees no dataset directly" 200 '.datasets | length == 0'
api GET /catalog/datasets "${N[@]}"
expect "analyst sees the datasets" 200 '[.datasets[].name] | index("people") != null'

# ---- column masks in SQL ----
q A "SELECT email, ssn FROM people WHERE id = 1"
expect "admin reads raw values" 200 '.rows[0][0] == "user1@example.com" and .rows[0][1] == "101-11-1001"'
q N "SELECT email, ssn, city FROM people WHERE id = 1"
expect "analyst: confidential masked, restricted hashed, internal shown" 200 \
    '(.rows[0][0] | test("^u\\*+om$")) and (.rows[0][1] | startswith("h_")) and .rows[0][2] == "City1"'
H1=$(jq -r '.rows[0][1]' <<<"$BODY")
q N "SELECT ssn FROM people WHERE id = 1"
check "hashing is stable (joins and GROUP BY still work)" test "$(jq -r '.rows[0][0]' <<<"$BODY")" = "$H1"
q N "SELECT count(*) FROM people WHERE email = 'user1@example.com' OR ssn = '101-11-1001'"
expect "filters see only masked values" 200 '.rows[0][0] == 0'
q N "SELECT * FROM people" csv
check "analyst: no raw email or ssn anywhere in a full export" \
    bash -c "! grep -Eq 'user[0-9]+@example.com|[0-9]{3}-[0-9]{2}-[0-9]{4}' '$T/body'"
q G "SELECT * FROM people"
expect "agent cannot read the dataset itself" 403

# ---- AI-safe views ----
api POST /catalog/views "${A[@]}" "${J[@]}" --data '{"name":"people_de","dataset":"people",
  "columns":["id","full_name","email","ssn","city","notes"],"filter":"country = '"'DE'"'",
  "redact":{"full_name":{"action":"mask","prefix":2,"suffix":0}},"description":"German customers"}'
expect "admin defines a view" 200 '.name == "people_de" and .filter == "country = '"'DE'"'"'
api POST /catalog/views "${A[@]}" "${J[@]}" --data '{"name":"bad1","dataset":"people","columns":["nope"]}'
expect "a view over an unknown column is refused" 400
api POST /catalog/views "${A[@]}" "${J[@]}" --data '{"name":"bad2","dataset":"nosuch"}'
expect "a view over an unknown dataset is refused" 404
api POST /catalog/views "${A[@]}" "${J[@]}" --data '{"name":"bad3","dataset":"people","filter":"true) OR (1=1"}'
expect "a filter that escapes its parentheses is refused" 400
api POST /catalog/views "${A[@]}" "${J[@]}" --data '{"name":"bad4","dataset":"people","filter":"no_such_col = 1"}'
expect "a filter that does not compile is refused" 400
api POST /catalog/views "${A[@]}" "${J[@]}" --data '{"name":"people","dataset":"people"}'
expect "a view cannot take a dataset's name" 409
api GET /catalog/views "${G[@]}"
expect "agent lists its views" 200 '[.views[].name] == ["people_de"]'
q G "SELECT count(*), count(DISTINCT city) FROM people_de"
expect "agent: only the view's rows" 200 '.rows[0][0] == 20'
q G "SELECT * FROM people_de ORDER BY id LIMIT 1"
expect "agent: whitelisted columns only, masks applied" 200 \
    '([.columns[].name] == ["id","full_name","email","ssn","city","notes"]) and (.rows[0][1] | test("^Pe\\*+$")) and (.rows[0][2] | test("^u\\*+om$")) and .rows[0][3] == null'
q G "SELECT country FROM people_de"
expect "agent: a column outside the whitelist does not exist" 400
q G "SELECT * FROM people_de" csv
check "agent: no raw email, ssn or name in a full export of the view" \
    bash -c "! grep -Eq 'user[0-9]+@example.com|[0-9]{3}-[0-9]{2}-[0-9]{4}|Person[0-9]+ Smith' '$T/body'"
q A "SELECT full_name FROM people_de WHERE id = 1"
expect "the view's own redactions apply to admin too" 200 '.rows[0][0] | test("^Pe\\*+$")'

asq() { api POST /query/sql "${A[@]}" "${J[@]}" --data "$(jq -cn --arg s "$1" --arg r "$2" '{sql:$s,as_role:$r}')"; }
asq "SELECT email FROM people_de ORDER BY id LIMIT 1" agent
expect "preview as a role: admin sees what the agent sees" 200 '.rows[0][0] | test("^u\\*+om$")'
asq "SELECT * FROM people" agent
expect "preview as a role: the firewall applies too" 403
asq "SELECT 1" nosuchrole
expect "preview as an unknown role" 400
api POST /query/sql "${N[@]}" "${J[@]}" --data '{"sql":"SELECT 1","as_role":"admin"}'
expect "only governors may preview as another role" 403

# a custom role: reads people with emails hashed, nothing else
api POST /access/roles "${A[@]}" "${J[@]}" --data '{"name":"support","permissions":["read","query"],"datasets":["people"],"masks":{"email":"hash","restricted":"null"}}'
expect "admin defines a custom role" 200 '.name == "support" and .masks.email == "hash"'
api POST /access/roles "${A[@]}" "${J[@]}" --data '{"name":"bad","permissions":["fly"]}'
expect "an unknown permission is refused" 400
api POST /access/roles "${A[@]}" "${J[@]}" --data '{"name":"analyst"}'
expect "built-in roles cannot be redefined" 409
api POST /access/keys "${A[@]}" "${J[@]}" --data '{"name":"helpdesk","role":"support"}'
expect "admin creates a key over the API (shown once)" 201 '.key | startswith("lh_")'
SUP=(-H "X-API-Key: $(jq -r .key <<<"$BODY")")
SUP_ID=$(jq -r .api_key.id <<<"$BODY")
q SUP "SELECT email, ssn, full_name FROM people WHERE id = 3"
expect "support: email hashed, ssn nulled, name (confidential) shown by its role" 200 \
    '(.rows[0][0] | startswith("h_")) and .rows[0][1] == null and .rows[0][2] == "Person3 Smith"'
q SUP "SELECT * FROM other"
expect "support cannot read another dataset" 403
api POST /vectors/search "${SUP[@]}" "${J[@]}" --data '{"index":"x","query":"y"}'
expect "support has no search permission" 403

# ---- search and RAG under the same rules ----
api POST /vectors/index "${A[@]}" "${J[@]}" --data '{"dataset":"people","text_column":"notes","id_column":"id","name":"people_notes"}'
expect "index the notes" 202
JOB=$(jq -r .id <<<"$BODY")
for _ in $(seq 1 200); do
    api GET "/vectors/jobs/$JOB" "${A[@]}"; jqt '.state == "done" or .state == "failed"' && break; sleep 0.1
done
expect "the index is built" 200 '.state == "done"'
srch() { local -n k=$1; api POST /vectors/search "${k[@]}" "${J[@]}" --data "$2"; }
srch A '{"index":"people_notes","query":"zebra4 project","k":40,"mode":"keyword"}'
expect "admin finds every note" 200 '([.hits[].doc_id] | index("4")) != null and .count == 40'
srch G '{"index":"people_notes","query":"zebra4 project","k":40,"mode":"keyword"}'
expect "agent searches through its view: only DE rows" 200 \
    '.count == 20 and ([.hits[].doc_id | tonumber % 2] | all(. == 1))'
srch G '{"index":"people_notes","query":"zebra3","k":5,"filter":"email LIKE '"'user3@%'"'"}'
expect "agent's filter sees masked values only" 200 '.count == 0'
api POST /vectors/index "${A[@]}" "${J[@]}" --data '{"dataset":"people","text_column":"email","id_column":"id","name":"people_names"}'
JOB=$(jq -r .id <<<"$BODY")
for _ in $(seq 1 200); do
    api GET "/vectors/jobs/$JOB" "${A[@]}"; jqt '.state == "done" or .state == "failed"' && break; sleep 0.1
done
srch N '{"index":"people_names","query":"user5"}'
expect "analyst cannot search an index whose text is masked for it" 403 '.error.message | contains("masked")'
api POST /vectors/rag "${N[@]}" "${J[@]}" --data '{"question":"Person5?","index":"people_names"}'
expect "nor ask it (masked text never enters a prompt)" 403
api POST /vectors/rag "${G[@]}" "${J[@]}" --data '{"question":"what about the zebra3 project?","index":"people_notes"}'
expect "agent asks through its view" 200 '[.citations[].doc_id | tonumber % 2] | all(. == 1)'

# ---- tombstones ----
api POST /catalog/datasets/people/tombstone "${A[@]}" "${J[@]}" --data '{"key_column":"id","values":[3,5],"reason":"GDPR erasure request #12","actor":"dpo@example.com"}'
expect "tombstone two people (durable before the reply)" 200 '.added == 2 and .durable == true'
api POST /catalog/datasets/people/tombstone "${A[@]}" "${J[@]}" --data '{"key_column":"nope","values":[1],"reason":"x"}'
expect "unknown key column refused" 400
api POST /catalog/datasets/people/tombstone "${A[@]}" "${J[@]}" --data '{"key_column":"id","values":[],"reason":"x"}'
expect "empty values refused" 400
api POST /catalog/datasets/people/tombstone "${A[@]}" "${J[@]}" --data '{"key_column":"id","values":[1]}'
expect "a tombstone without a reason is refused" 400
api POST /catalog/datasets/nosuch/tombstone "${A[@]}" "${J[@]}" --data '{"key_column":"id","values":[1],"reason":"x"}'
expect "unknown dataset" 404
api POST /catalog/datasets/people/tombstone "${N[@]}" "${J[@]}" --data '{"key_column":"id","values":[1],"reason":"x"}'
expect "analyst may not tombstone" 403
for who in A N; do
    q $who "SELECT count(*), count(*) FILTER (WHERE id IN (3, 5)) FROM people"
    expect "SQL ($who): tombstoned rows are gone" 200 '.rows[0][0] == 38 and .rows[0][1] == 0'
done
q G "SELECT count(*) FROM people_de WHERE id IN (3, 5)"
expect "SQL through a view: gone" 200 '.rows[0][0] == 0'
q A "SELECT * FROM people WHERE id IN (3, 5)" csv
check "CSV export: gone" test "$(wc -l <"$T/body")" = 1
q A "SELECT id FROM people" parquet 2>/dev/null
check "Parquet export: gone" bash -c "! grep -q zebra3 '$T/body'"
for mode in vector keyword hybrid; do
    srch A "{\"index\":\"people_notes\",\"query\":\"note 3 about topic3 and the zebra3 project\",\"k\":40,\"mode\":\"$mode\"}"
    expect "search ($mode): tombstoned docs are gone" 200 '([.hits[].doc_id] | index("3") == null and index("5") == null) and .count == 38'
done
api POST /vectors/rag "${A[@]}" "${J[@]}" --data '{"question":"zebra3 project","index":"people_notes","k":10}'
expect "RAG context: gone" 200 '([.citations[].doc_id] | index("3") == null) and (.answer | contains("zebra3 ") | not)'
api GET /catalog/datasets/people/tombstones "${A[@]}"
expect "tombstones are listed with their audit fields" 200 \
    '.count == 2 and (.tombstones[0].reason == "GDPR erasure request #12") and (.tombstones[0].actor | contains("dpo@example.com")) and (.tombstones[0].purged == false)'
RAW="$DATA/primary/datasets/people"
q A "SELECT count(*) FROM read_parquet('$RAW/*.parquet') WHERE id = 3"
expect "before compaction the row is still in the files" 200 '.rows[0][0] == 1'
api POST "/catalog/datasets/people/compact?wait=true" "${A[@]}"
expect "compaction" 200
q A "SELECT count(*) FROM read_parquet('$RAW/*.parquet') WHERE id IN (3, 5)"
expect "compaction physically removed the rows" 200 '.rows[0][0] == 0'
q A "SELECT count(*) FROM people"
expect "and nothing else" 200 '.rows[0][0] == 38'
api GET /catalog/datasets/people/tombstones "${A[@]}"
expect "tombstones are marked purged" 200 '[.tombstones[].purged] | all'
printf 'id,full_name,email,ssn,city,country,notes\n3,Person3 Again,again3@example.com,103-13-1003,City3,DE,note again zebra3\n41,Person41 Smith,user41@example.com,141-51-1041,City41,DE,note 41\n' >"$T/more.csv"
lh ingest "$T/more.csv" --name people --mode append --json
check "append after the compaction" [ "$RC" = 0 ]
q A "SELECT count(*), count(*) FILTER (WHERE id = 3), count(*) FILTER (WHERE id = 41) FROM people"
expect "a tombstoned key ingested again stays hidden; purged and new files mix" 200 '.rows[0] == [39, 0, 1]'

# ---- model profiles ----
api POST /vectors/profiles "${A[@]}" "${J[@]}" --data '{"name":"hr","datasets":["people"],"llm":"none","description":"HR assistant"}'
expect "create profile hr" 200 '.name == "hr"'
api POST /vectors/profiles "${A[@]}" "${J[@]}" --data '{"name":"sales","datasets":["other"]}'
expect "create profile sales" 200
api POST /vectors/profiles "${A[@]}" "${J[@]}" --data '{"name":"bad","datasets":["nosuch"]}'
expect "a profile over an unknown dataset is refused" 400
api POST /vectors/profile/hr/activate "${A[@]}"
expect "activate warms the profile's indexes" 200 '[.indexes[] | select(.loaded)] | length == 2'
srch A '{"index":"people_notes","query":"zebra7","profile":"hr"}'
expect "search inside the profile" 200 '.count > 0'
srch A '{"index":"people_notes","query":"zebra7","profile":"sales"}'
expect "search outside the profile: 403" 403 '.error.message | contains("outside profile")'
api POST /vectors/rag "${A[@]}" "${J[@]}" --data '{"question":"zebra7","index":"people_notes","profile":"sales"}'
expect "RAG outside the profile: 403" 403
api POST /access/keys "${A[@]}" "${J[@]}" --data '{"name":"sales-bot","role":"analyst","profile":"sales"}'
expect "a key bound to a profile" 201 '.api_key.profile == "sales"'
SB=(-H "X-API-Key: $(jq -r .key <<<"$BODY")")
srch SB '{"index":"people_notes","query":"zebra7"}'
expect "a profile-bound key cannot search outside its profile" 403
srch SB '{"index":"people_notes","query":"zebra7","profile":"hr"}'
expect "nor pick another profile" 403 '.error.message | contains("bound to profile")'
api POST /vectors/profile/hr/activate "${SB[@]}"
expect "nor activate another profile" 403
api POST /vectors/rag "${SB[@]}" "${J[@]}" --data '{"question":"zebra7"}'
expect "RAG without an index picks none outside the profile" 404 '.error.message | contains("may search")'
lh search people_notes zebra7 --profile sales
check "CLI: search outside a profile fails" [ "$RC" != 0 ]
lh ask zebra7 --profile hr --json
check "CLI: ask inside a profile" bash -c "[ $RC = 0 ] && jq -e '.citations | length > 0' <<<'$OUT' >/dev/null"

# ---- the SQL firewall's attack suite, end to end as the agent and the analyst ----
python3 - "$(dirname "$0")/../data/firewall/attacks.sql" >"$T/attacks.ndjson" <<'EOF'
import json, sys
name, lines = None, []
def flush():
    if name is not None and "".join(lines).strip():
        print(json.dumps({"name": name, "sql": "".join(lines)}))
for line in open(sys.argv[1], encoding="utf-8"):
    if line.startswith("-- @ "):
        flush(); name, lines = line[5:].strip(), []
    elif name is not None:
        lines.append(line)
flush()
EOF
N_ATT=$(wc -l <"$T/attacks.ndjson")
check "the attack suite has at least 50 attacks" [ "$N_ATT" -ge 50 ]
for who in G N; do
    refused=0 leaked=()
    while IFS= read -r line; do
        name=$(jq -r .name <<<"$line")
        q $who "$(jq -r .sql <<<"$line")"
        if [ "$STATUS" = 403 ] || { [[ $name == syntax:* ]] && [ "$STATUS" = 400 ]; }; then
            refused=$((refused + 1))
        else
            leaked+=("$name ($STATUS)")
        fi
    done <"$T/attacks.ndjson"
    check "all $N_ATT attacks are refused for role $who (${leaked[*]:-none got through})" \
        [ "$refused" = "$N_ATT" ]
done
lh ingest "$T/other.csv" --name pg_class --json
q N "SELECT * FROM pg_class"
expect "a dataset named like a DuckDB catalog view is refused (DuckDB would read its own view)" 403
q G "SELECT * FROM read_parquet('$RAW/*.parquet')"
expect "a direct file read is refused by name" 403 '.error.message | contains("read_parquet")'

# ---- revocation ----
api DELETE "/access/keys/$SUP_ID" "${A[@]}"
expect "revoke a key" 200
q SUP "SELECT 1"
expect "a revoked key is refused at once" 401

# ---- audit ----
AGENT_ID=key:$(cut -d_ -f2 <<<"$AGENT")
api GET "/access/audit?actor=$AGENT_ID&action=query&limit=1000" "${A[@]}"
expect "the agent's queries are audited with role and rows" 200 \
    '(.entries | length) >= 5 and all(.entries[]; .role == "agent") and any(.entries[]; .outcome == "denied") and any(.entries[]; .rows == 20)'
api GET "/access/audit?action=search&limit=1000" "${A[@]}"
expect "searches are audited" 200 '(.entries | length) >= 8 and any(.entries[]; .outcome == "denied")'
api GET "/access/audit?action=rag" "${A[@]}"
expect "RAG calls are audited" 200 '(.entries | length) >= 3'
api GET "/access/audit?action=tombstone&outcome=ok" "${A[@]}"
expect "admin actions are audited" 200 '.entries[0].target == "people"'
api GET "/access/audit?action=ingest" "${A[@]}"
expect "ingest attempts are audited (the API's, denied, and the CLI's)" 200 \
    'any(.entries[]; .outcome == "denied" and .role == "agent") and any(.entries[]; .actor | startswith("cli:"))'
api GET "/access/audit?limit=1000" "${A[@]}"
check "the audit log never holds a key" \
    bash -c "! grep -Eq '${ADMIN:16}|${ANALYST:16}|${AGENT:16}' '$T/body'"
api GET "/access/audit?limit=5000" "${A[@]}"
expect "bad audit limit" 400
api GET "/access/audit?verify=1" "${A[@]}"
expect "the hash chain verifies" 200 '.verified == true and .rows > 50'
stop_server

lh audit --action keys --json
check "CLI commands are audited too" test "$(jq '[.entries[] | select(.actor | startswith("cli:"))] | length' <<<"$OUT")" -ge 3
python3 - "$DATA/audit.db" <<'EOF' && ok "the audit table refuses UPDATE and DELETE" || fail "audit rows could be changed"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for stmt in ("UPDATE audit SET outcome = 'ok'", "DELETE FROM audit"):
    try:
        db.execute(stmt); db.commit(); sys.exit(1)
    except sqlite3.DatabaseError as e:
        assert "append-only" in str(e), e
EOF
python3 - "$DATA/audit.db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("DROP TRIGGER audit_no_update")
db.execute("UPDATE audit SET rows = 999 WHERE id = 3")
db.commit()
EOF
lh audit --verify
check "tampering behind SQLite's back breaks the chain" bash -c "[ $RC != 0 ] && grep -q 'row 3' <<<'$ERR'"

# ---- auth on by default off loopback, and on when asked ----
start_server --auth on || exit 1
api GET /catalog/datasets
expect "auth on: a request without a key gets 401" 401 '.error.message | contains("X-API-Key")'
api GET /health
expect "auth on: /health stays open" 200
api GET /catalog/datasets "${N[@]}"
expect "auth on: a valid key works" 200
stop_server
"$LH_BIN" --data "$DATA" serve --port 0 --listen 0.0.0.0 2>"$T/server.log" &
PID=$!
for _ in $(seq 1 200); do grep -q "msg=auth" "$T/server.log" && break; sleep 0.05; done
kill -TERM $PID; wait $PID
check "listening beyond loopback turns auth on" grep -q "msg=auth required=yes" "$T/server.log"
lh serve --auth maybe
check "a bad auth setting is refused" [ "$RC" != 0 ]

done_testing
