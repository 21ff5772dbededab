#!/usr/bin/env bash
# t210-evolve-meta.sh - schema evolution, metadata PATCH, lineage, schema history, journal.
. "$(dirname "$0")/lib.sh"
start_server || exit 1

printf 'id,name,zip,age,seen\n1,ann,1000,30,2024-01-01\n2,bob,2000,40,2024-02-01\n' >"$T/v1.csv"
api POST '/ingest/file?name=people' --data-binary "@$T/v1.csv"
expect "create people" 201 '.rows == 2'

# safe: a new column and a widened type (DATE -> TIMESTAMP)
printf 'id,name,zip,age,seen,email\n3,cy,3000,50,2024-03-01 10:30:00,cy@example.com\n' >"$T/v2.csv"
api POST '/ingest/file?name=people&mode=append' --data-binary "@$T/v2.csv"
expect "append with an added column and DATE->TIMESTAMP is safe" 200 \
    '(.schema_changes | map(.kind) | sort) == ["added","type"] and all(.schema_changes[]; .safe)'
sql_json "SELECT id, email, seen FROM people ORDER BY id"
expect "old rows read NULL for the new column, dates widened" 200 \
    '.rows == [[1,null,"2024-01-01 00:00:00"],[2,null,"2024-02-01 00:00:00"],[3,"cy@example.com","2024-03-01 10:30:00"]]'
printf 'id,name,zip,age,seen,email\n4,dee,4000,4.5,2024-01-01,d@example.com\n' >"$T/v2b.csv"
api POST '/ingest/file?name=people&mode=append' --data-binary "@$T/v2b.csv"
expect "BIGINT -> DOUBLE may lose precision: refused" 409 '.error.message | test("age")'

# unsafe: a removed column is refused, and changes nothing
printf 'id,name,zip,age,email\n4,dee,4000,1,x@example.com\n' >"$T/v3.csv"
api GET /catalog/datasets/people; before=$(jq -c '[.snapshot_id,.rows]' <<<"$BODY")
api POST '/ingest/file?name=people&mode=append' --data-binary "@$T/v3.csv"
expect "a removed column is refused with an explanation" 409 \
    '.error.message | test("removed") and test("allow_schema_change")'
api GET /catalog/datasets/people
check "refused append changed nothing" [ "$(jq -c '[.snapshot_id,.rows]' <<<"$BODY")" = "$before" ]

# a rename is detected with a confidence, applied only when allowed
printf 'id,name,zip_code,age,seen,email\n5,eve,5000,20,2024-05-01 00:00:00,eve@example.com\n' >"$T/v4.csv"
api POST '/ingest/file?name=people&mode=append' --data-binary "@$T/v4.csv"
expect "a likely rename is refused by default" 409 '.error.message | test("zip")'
api POST '/ingest/file?name=people&mode=append&allow_schema_change=true' --data-binary "@$T/v4.csv"
expect "the rename is applied when allowed" 200 \
    '.schema_changes[0].kind == "renamed" and .schema_changes[0].column == "zip" and .schema_changes[0].new_column == "zip_code" and .schema_changes[0].confidence >= 0.6'
sql_json "SELECT zip FROM people WHERE id = 5"
expect "renamed column lands in the dataset's column" 200 '.rows == [[5000]]'

api GET /catalog/datasets/people/schema
expect "schema history has both versions with their changes" 200 \
    '(.versions | length) == 2 and .versions[0].version == 1 and (.versions[1].changes | length) == 2'

# metadata
api PATCH /catalog/datasets/people/metadata -H 'Content-Type: application/json' \
    --data '{"description":"People we know","owner":"hr","tags":["hr","pii"],"parents":["crm_export"],"columns":{"age":{"pii":"date_of_birth","sensitivity":"restricted"}}}'
expect "PATCH metadata" 200 \
    '.description == "People we know" and .owner == "hr" and .tags == ["hr","pii"] and .sensitivity == "restricted"'
check "column correction is marked as the user's" \
    jqt '.columns[] | select(.name == "age") | .pii == "date_of_birth" and .pii_source == "user"'
api PATCH /catalog/datasets/people/metadata --data '{"columns":{"age":{"pii":"nonsense"}}}'
expect "unknown PII kind is refused" 400 '.error.message | test("nonsense")'
api PATCH /catalog/datasets/people/metadata --data '{"columns":{"nope":{"pii":"email"}}}'
expect "unknown column is 404" 404
api PATCH /catalog/datasets/people/metadata --data '{"colour":"red"}'
expect "unknown field is refused" 400
api PATCH /catalog/datasets/people/metadata --data '{"tags":"notalist"}'
expect "tags must be a list" 400
printf 'id,name,zip,age,seen,email\n6,fay,6000,33,2024-06-01 00:00:00,fay@example.com\n' >"$T/v5.csv"
api POST '/ingest/file?name=people&mode=append' --data-binary "@$T/v5.csv"
api GET /catalog/datasets/people
check "a re-ingest keeps the user's column correction" \
    jqt '.columns[] | select(.name == "age") | .pii == "date_of_birth" and .sensitivity == "restricted"'

api GET /catalog/datasets/people/lineage
expect "lineage: source system, source, job, parents, files" 200 \
    '.source_system == "upload" and .parents == ["crm_export"] and (.ingest_job | length) == 36 and (.files | length) == 4'
lh ingest "$T/v1.csv" --name derived
api PATCH /catalog/datasets/derived/metadata --data '{"parents":["people"]}'
api GET /catalog/datasets/people/lineage
expect "lineage shows children" 200 '.children == ["derived"]'
api GET /catalog/datasets/derived
expect "CLI ingest records its source system" 200 '.lineage.source_system == "file"'

api GET '/journal/history/people?limit=100'
expect "journal of people: creates, appends, metadata" 200 \
    '([.entries[].action] | index("create") != null and index("append") != null and index("metadata") != null)'
check "journal records old and new values with the actor" \
    jqt '.entries[] | select(.field == "description") | .old == null and .new == "People we know" and (.actor | startswith("api"))'
check "journal records column changes as dataset.column" \
    jqt '[.entries[] | select(.entity == "people.age" and .field == "pii_kind")] | length == 1'
check "journal records the schema change" jqt '[.entries[] | select(.field == "schema")] | length == 1'
api DELETE /catalog/datasets/derived
api GET '/journal/recent?limit=1'
expect "journal/recent is newest first and records deletes" 200 \
    '.entries[0].action == "delete" and .entries[0].entity == "derived" and .entries[0].new == null'
api GET '/journal/recent?limit=0'
expect "bad limit is 400" 400
lh journal people --json
check "CLI journal" [ "$RC" = 0 ] && check "CLI journal has entries" test "$(jq '.entries | length' <<<"$OUT")" -ge 5
lh meta people --owner finance --json
check "CLI meta sets the owner" test "$(jq -r .owner <<<"$OUT")" = finance
lh history people
check "CLI history" test "$(jq '.versions | length' <<<"$OUT")" = 2
lh lineage people
check "CLI lineage" test "$(jq -r .dataset <<<"$OUT")" = people
done_testing
