#!/usr/bin/env bash
# t400-vectors.sh - vector indexes: build jobs, incremental refresh, stale marking, search
# (vector, keyword, hybrid, filters), jobs API, RAG (extractive and through a model server
# speaking the real Ollama and OpenAI protocols), eval runs stored per index, and the bad
# inputs.
. "$(dirname "$0")/lib.sh"

{
    echo "id,team,body"
    for i in $(seq 1 300); do
        case $((i % 3)) in
        0) t="Vector search with HNSW graphs finds nearest neighbours of embeddings quickly. Document $i explains recall and ef.";;
        1) t="Parquet files store columns compressed with zstd; DuckDB reads them fast. Note $i covers row groups.";;
        2) t="Our hiring plan adds engineers in Oslo and Lima this quarter. Memo $i lists salaries and dates.";;
        esac
        echo "$i,team$((i % 4)),\"$t\""
    done
} >"$T/notes.csv"
lh ingest "$T/notes.csv" --name notes
check "setup: 300 notes" [ "$RC" = 0 ]

lh index notes --text body --id id --json
check "CLI index builds" [ "$RC" = 0 ]
check "index registry: embedder, dims, generation, state" \
    test "$(jq -c '[.embedder, .dims, .generation, .state, .stats.docs, .stats.chunks > 0]' <<<"$OUT")" = '["builtin",384,1,"ready",300,true]'
lh index notes --text body --id id --json
check "a refresh with no change embeds nothing" test "$(jq '.stats.embedded_docs' <<<"$OUT")" = 0
check "  and makes a new generation" test "$(jq '.generation' <<<"$OUT")" = 2

lh search notes_body "nearest neighbour graph" --k 5 --mode vector --json
check "vector search returns k hits" test "$(jq '.count' <<<"$OUT")" = 5
check "  the right topic ranks first" jq -e '.hits[0].text | test("HNSW")' <<<"$OUT" >/dev/null
lh search notes_body "zstd row groups" --k 3 --mode keyword --json
check "keyword (BM25) search" jq -e '[.hits[].text | test("zstd")] | all' <<<"$OUT" >/dev/null
lh search notes_body "hiring engineers" --k 10 --json
check "hybrid search" jq -e '.hits[0].text | test("hiring")' <<<"$OUT" >/dev/null
lh search notes_body "hiring engineers" --k 10 --filter "team = 'team1' AND id < 100" --json
check "filtered search: exactly k when k match" test "$(jq '.count' <<<"$OUT")" = 10
check "  every hit passes the filter" \
    jq -e '[.hits[].doc_id | tonumber | (. % 4 == 1 and . < 100)] | all' <<<"$OUT" >/dev/null
lh search notes_body "anything" --k 10 --filter "id = 7" --json
check "a very selective filter gives what matches" test "$(jq -c '[.hits[].doc_id] | unique' <<<"$OUT")" = '["7"]'
lh search notes_body "x" --filter "nosuchcol = 1"
check "a bad filter is a clear error" grep -qi "filter" <<<"$ERR"
lh search notes_body "x" --filter "1=1) UNION SELECT 'a' --"
check "a filter cannot break out of its WHERE" [ "$RC" != 0 ]
lh search nope "x"
check "searching a missing index fails" [ "$RC" != 0 ]
lh sql "SELECT s.rank, n.team FROM vec_search('notes_body', 'zstd compressed columns', k := 3, mode := 'keyword') s JOIN notes n ON n.id = CAST(s.doc_id AS BIGINT) ORDER BY s.rank" --format ndjson
check "vec_search() in SQL joins with the dataset" [ "$(wc -l <<<"$OUT")" = 3 ]
lh sql "SELECT * FROM vec_search('nope', 'x')"
check "vec_search() on a missing index is a SQL error" grep -q "vec_search" <<<"$ERR"

# incremental: change one document, add one, delete one
{ head -n 1 "$T/notes.csv"; sed -n '3,301p' "$T/notes.csv" | sed 's/^2,team2,"Our hiring/2,team2,"CHANGED: our hiring/'; echo '301,team1,"A brand new note about quantum widgets."'; } >"$T/notes2.csv"
lh ingest "$T/notes2.csv" --name notes --mode replace
lh indexes --json
check "ingest marks the index stale" test "$(jq '.indexes[0].stale' <<<"$OUT")" = true
lh index notes --text body --id id --json
check "refresh embeds only changed and new documents" \
    test "$(jq -c '[.stats.embedded_docs, .stats.removed_docs, .stats.docs, .stale]' <<<"$OUT")" = '[2,1,300,false]'
check "  and updates the previous graph instead of building anew" test "$(jq -r .stats.graph <<<"$OUT")" = updated
lh search notes_body "CHANGED our hiring" --k 1 --mode vector --json
check "the changed document's new text is found" test "$(jq -r '.hits[0].doc_id' <<<"$OUT")" = 2
lh search notes_body "quantum widgets" --k 1 --mode keyword --json
check "the new document is searchable" test "$(jq -r '.hits[0].doc_id' <<<"$OUT")" = 301
lh search notes_body "Document 1 explains" --k 300 --mode keyword --json
check "the deleted document is gone" test "$(jq '[.hits[] | select(.doc_id == "1")] | length' <<<"$OUT")" = 0

lh ask "how do we find nearest neighbours?" --json
check "extractive answer without an LLM" test "$(jq -r .mode <<<"$OUT")" = extractive
check "  with numbered citations" jq -e '(.citations | length) >= 1 and (.answer | test("\\[1\\]"))' <<<"$OUT" >/dev/null

lh index nope --text body --id id
check "indexing a missing dataset fails" [ "$RC" != 0 ]
lh index notes --text nosuch --id id
check "indexing a missing column fails" [ "$RC" != 0 ]
lh index notes --text body --id id --chunk-size 10
check "bad chunk size is refused" [ "$RC" != 0 ]

# the model server: the real Ollama/OpenAI protocols from a local stand-in
python3 "$ROOT/tests/tools/fake_model_server.py" --port 0 --api-key sekrit-key >"$T/fake.out" 2>&1 &
FAKE=$!
for _ in $(seq 1 100); do grep -q "listening on" "$T/fake.out" && break; sleep 0.05; done
FPORT=$(sed -n 's/.*listening on \([0-9]*\).*/\1/p' "$T/fake.out")
check "setup: fake model server" [ -n "$FPORT" ]
export LH_EMBED_URL=http://127.0.0.1:$FPORT LH_EMBED_API_KEY=sekrit-key
lh index notes --text body --id id --name notes_ollama --embedder ollama --model nomic-embed-text --json
check "index with the ollama embedder" test "$(jq -c '[.embedder, .state]' <<<"$OUT")" = '["ollama","ready"]'
lh index notes --text body --id id --name notes_openai --embedder openai --model text-embedding-3-small --json
check "index with the openai embedder" test "$(jq -r .state <<<"$OUT")" = ready
LH_EMBED_API_KEY=wrong lh index notes --text body --id id --name notes_bad --embedder openai --model m
check "a wrong key fails the build" [ "$RC" != 0 ]
check "  and the key never appears in the error" bash -c "! grep -q wrong <<<\"\$0\"" "$ERR"
lh jobs --json
check "failed job is recorded" jq -e '[.jobs[] | select(.target == "notes_bad" and .state == "failed")] | length == 1' <<<"$OUT" >/dev/null
unset LH_EMBED_API_KEY

export LH_LLM=openai LH_LLM_URL=http://127.0.0.1:$FPORT LH_LLM_API_KEY=sekrit-key LH_LLM_MODEL=gpt-test
lh ask "what does the hiring plan say?" --index notes_body --json
check "RAG through an OpenAI-compatible server" test "$(jq -r '.mode + " " + .model' <<<"$OUT")" = "llm gpt-test"
check "  the answer cites passage [1]" jq -e '.citations[0].n == 1 and (.answer | test("\\[1\\]"))' <<<"$OUT" >/dev/null
LH_LLM=ollama lh ask "what does the hiring plan say?" --index notes_body --json
check "RAG through Ollama" test "$(jq -r .mode <<<"$OUT")" = llm
LH_LLM_API_KEY=nope-key-123 lh ask "what does the hiring plan say?" --index notes_body
check "LLM auth failure fails the request" [ "$RC" != 0 ]
check "  and is reported without the key" bash -c "[ -n \"\$0\" ] && ! grep -q nope-key-123 <<<\"\$0\"" "$ERR"
lh config --json
check "config never shows secrets" bash -c "! grep -q sekrit <<<\"\$0\"" "$OUT"
unset LH_LLM LH_LLM_URL LH_LLM_API_KEY LH_LLM_MODEL

start_server || exit 1
api POST /vectors/index --data '{"dataset":"notes","text_column":"body","id_column":"id","name":"api_idx"}'
expect "POST /vectors/index answers 202 with a job" 202 '.kind == "index" and .target == "api_idx"'
job=$(jq -r .id <<<"$BODY")
for _ in $(seq 1 200); do api GET /vectors/jobs/$job; jqt '.state == "done"' && break; sleep 0.05; done
expect "the job finishes with progress done == total" 200 '.state == "done" and .done == .total'
api GET /vectors/indexes/api_idx
expect "the index is ready" 200 '.state == "ready" and .generation == 1'
api POST /vectors/search --data '{"index":"api_idx","query":"parquet zstd","k":3}'
expect "POST /vectors/search" 200 '.count == 3 and (.hits[0].text | test("arquet"))'
api POST /vectors/search --data '{"index":"api_idx","query":"parquet","k":0}'
expect "k out of range is 400" 400
api POST /vectors/search --data '{"index":"api_idx","query":"x","mode":"fuzzy"}'
expect "unknown mode is 400" 400
api POST /vectors/rag --data '{"question":"what is in the hiring memo?","index":"api_idx"}'
expect "POST /vectors/rag" 200 '.mode == "extractive" and (.citations | length) >= 1'
api POST /vectors/rag --data '{}'
expect "RAG without a question is 400" 400
# eval needs texts that are not near-duplicates: random word salads from a fixed seed
words=(lake river graph vector parquet column zstd hiring engineer oslo lima salary query index search chunk token model answer cite memo plan budget quarter report cloud storage bucket schema catalog journal audit mask view role agent)
seed=7
{ echo "id,body"; for i in $(seq 1 400); do line=""; for w in 1 2 3 4 5 6 7 8 9 10 11 12; do seed=$(( (seed * 1103515245 + 12345) % 2147483648 )); line="$line ${words[$((seed % ${#words[@]}))]}"; done; echo "$i,\"$line\""; done; } >"$T/salad.csv"
lh ingest "$T/salad.csv" --name salad && lh index salad --text body --id id --name salad_idx
api POST /vectors/eval --data '{"index":"salad_idx","queries":50,"k":5,"ef":[8,64]}'
expect "eval: recall against exact search per ef, with latency percentiles" 200 \
    '.queries == 50 and (.configs | length) == 2 and .configs[1].recall >= 0.95 and .configs[1].ms_p99 >= .configs[1].ms_p50'
expect "  the run is stored: it has an id" 200 '(.id | type) == "number" and .generation == 1'
eval1=$(jq .id <<<"$BODY")
api GET /vectors/indexes/salad_idx/evals
expect "GET /vectors/indexes/{name}/evals: the stored run with its build and parameters" 200 \
    "(.evals | length) == 1 and .evals[0].id == $eval1 and .index == \"salad_idx\" and
     (.evals[0] | .generation == 1 and .k == 5 and .queries == 50 and .vectors == 400 and
      .params == {m: 16, ef_construction: 100, embedder: \"builtin\", model: .params.model, dims: 384} and
      ([.configs[].ef] == [8, 64]) and (.configs[1] | .recall >= 0.95 and .ms_p50 > 0 and
      .ms_p95 >= .ms_p50 and .ms_p99 >= .ms_p95 and .qps > 0) and (.actor | startswith(\"api\")) and
      .created_ms > 0)"
api POST /vectors/eval --data '{"index":"salad_idx","queries":20,"k":3,"ef":[16]}'
expect "a second eval run" 200 '.k == 3'
eval2=$(jq .id <<<"$BODY")
api GET /vectors/indexes/salad_idx/evals
expect "  runs are listed newest first" 200 "[.evals[].id] == [$eval2, $eval1] and .evals[0].configs[0].ef == 16"
api GET '/vectors/indexes/salad_idx/evals?limit=1'
expect "  limit" 200 "[.evals[].id] == [$eval2]"
api GET '/vectors/indexes/salad_idx/evals?limit=zero'
expect "  a bad limit is 400" 400
api POST /vectors/eval --data '{"index":"api_idx","ef":"fast"}'
expect "bad eval parameters are 400" 400
api POST /vectors/eval --data '{"index":"nope","queries":5}'
expect "eval of an unknown index is 404" 404 '.error.code != null'
api GET /vectors/indexes/nope/evals
expect "evals of an unknown index are 404" 404
api GET /openapi.json
expect "the evals route is documented" 200 '.paths["/vectors/indexes/{name}/evals"].get.summary | test("eval")'
lh eval notes_body --queries 20 --k 5 --ef 32
check "CLI eval" test "$(jq '.configs[0].ef' <<<"$OUT")" = 32
cli_eval=$(jq .id <<<"$OUT")
lh eval notes_body --history --json
check "CLI eval --history lists the stored run" \
    test "$(jq -c "[.evals[0].id == $cli_eval, (.evals[0].actor | startswith(\"cli:\")), .evals[0].configs[0].ef]" <<<"$OUT")" = '[true,true,32]'
lh eval notes_body --history
check "  and prints it as text" grep -q "ef 32 .*recall" <<<"$OUT"
lh eval nope --history
check "CLI eval --history of an unknown index fails" [ "$RC" != 0 ]
api POST /vectors/eval --data '{"index":"api_idx","queries":10,"k":3,"ef":[16]}'
expect "an eval run of the index about to be dropped" 200
api GET /vectors/jobs
expect "GET /vectors/jobs" 200 '(.jobs | length) >= 5'
api POST /vectors/jobs/$job/cancel
expect "cancelling a finished job is 409" 409
api DELETE /vectors/indexes/api_idx
expect "drop an index" 200
api POST /vectors/search --data '{"index":"api_idx","query":"x"}'
expect "a dropped index is gone" 404
api GET /vectors/indexes/api_idx/evals
expect "  and so are its evals" 404
api POST /vectors/index --data '{"dataset":"notes","text_column":"body","id_column":"id","name":"api_idx"}'
job2=$(jq -r .id <<<"$BODY")
for _ in $(seq 1 200); do api GET /vectors/jobs/$job2; jqt '.state == "done"' && break; sleep 0.05; done
api GET /vectors/indexes/api_idx/evals
expect "  a new index of the same name starts with no eval runs (they were deleted)" 200 '.evals == []'

# cancel a slow build: the model server answers each request after 300 ms
stop_server
LH_EMBED_URL="http://127.0.0.1:$FPORT/_/slow=300" LH_EMBED_API_KEY=sekrit-key start_server || exit 1
api POST /vectors/index --data '{"dataset":"notes","text_column":"body","id_column":"id","name":"slow_idx","embedder":"ollama","model":"m"}'
expect "a slow build starts" 202
job=$(jq -r .id <<<"$BODY")
sleep 0.3
api POST /vectors/jobs/$job/cancel
expect "cancel a running job" 202
for _ in $(seq 1 200); do api GET /vectors/jobs/$job; jqt '.state == "canceled"' && break; sleep 0.05; done
expect "the job stops at a batch boundary" 200 '.state == "canceled" and .done < .total'
stop_server

{ echo "id,body"; for i in $(seq 1 600); do echo "$i,\"resumable note number $i about lakes and rivers\""; done; } >"$T/many.csv"
lh ingest "$T/many.csv" --name many
LH_TEST_CRASH_AT=index_batch "$LH_BIN" --data "$DATA" index many --text body --id id >/dev/null 2>&1
check "setup: the build was killed after its first batch" [ $? = 137 ]
lh jobs --json
check "the killed job is left running" \
    jq -e '[.jobs[] | select(.target == "many_body" and .state == "running" and .done == 256)] | length == 1' <<<"$OUT" >/dev/null
start_server || exit 1
for _ in $(seq 1 200); do api GET /vectors/indexes/many_body; jqt '.state == "ready"' && break; sleep 0.05; done
expect "the server resumed the job and finished the index" 200 \
    '.state == "ready" and .stats.docs == 600 and .stats.embedded_docs == 344'
grep -q 'msg=resuming job=' "$T/server.log"
check "the resume is logged" [ $? = 0 ]
kill $FAKE 2>/dev/null
done_testing
