#!/usr/bin/env bash
# t230-documents.sh - PDFs (text layer and OCR), text, Markdown and chat exports; folder ingest
# past bad files; document upload over HTTP.
. "$(dirname "$0")/lib.sh"
command -v gs >/dev/null || { echo "not ok - ghostscript (gs) is required"; exit 1; }

D=$T/docs; mkdir -p "$D/pdf" "$D/notes"
gsq() { gs -q -dNOPAUSE -dBATCH -dSAFER "$@" >/dev/null 2>&1; }
cat >"$T/text.ps" <<'PS'
/Helvetica findfont 14 scalefont setfont
72 720 moveto (Quarterly report: revenue grew in Oslo.) show
72 700 moveto (Contact ann@example.com for details.) show
showpage
72 720 moveto (Second page: hiring plan for engineers.) show
showpage
PS
cat >"$T/scan.ps" <<'PS'
/Helvetica-Bold findfont 48 scalefont setfont
72 600 moveto (LAKEHOUSE 12345) show
showpage
PS
gsq -sDEVICE=pdfwrite -sOutputFile="$D/pdf/report.pdf" "$T/text.ps"
gsq -sDEVICE=pdfimage8 -r150 -sOutputFile="$D/pdf/scan.pdf" "$T/scan.ps"
gsq -sDEVICE=pdfwrite -sOwnerPassword=o -sUserPassword=secret -sOutputFile="$D/pdf/locked.pdf" "$T/text.ps"
head -c 700 "$D/pdf/report.pdf" >"$D/pdf/truncated.pdf"
check "setup: four PDFs" [ "$(ls "$D/pdf" | wc -l)" = 4 ]

lh ingest "$D/pdf" --glob '*.pdf' --name reports --json
check "folder ingest succeeds past bad files" [ "$RC" = 0 ]
check "summary: 4 files, 2 ingested, 2 failed" test "$(jq -c '[.files, .ok, .failed]' <<<"$OUT")" = '[4,2,2]'
check "  encrypted: clear per-file error" \
    test "$(jq -r '.results[] | select(.file | endswith("locked.pdf")) | .error' <<<"$OUT" | grep -ci 'encrypted\|password')" -ge 1
check "  truncated: clear per-file error" \
    test "$(jq -r '.results[] | select(.file | endswith("truncated.pdf")) | .ok' <<<"$OUT")" = false
lh sql "SELECT file, page, ocr, char_count > 10 AS has_text FROM reports ORDER BY file, page" --format ndjson
check "one row per page, with page numbers" [ "$(wc -l <<<"$OUT")" = 3 ]
check "text-layer pages are not OCR" \
    grep -q '{"file":"report.pdf","page":2,"ocr":false,"has_text":true}' <<<"$OUT"
lh sql "SELECT ocr, upper(text) AS t FROM reports WHERE file = 'scan.pdf'" --format ndjson
check "a page without a text layer goes through OCR" grep -q '"ocr":true' <<<"$OUT"
check "  and the OCR text is right" grep -q 'LAKEHOUSE' <<<"$OUT"
check "  including the digits" grep -q '12345' <<<"$OUT"
lh show reports --json
check "document datasets get the pdf row schema" \
    test "$(jq -c '[.columns[].name]' <<<"$OUT")" = '["doc_id","file","page","text","char_count","ocr"]'

printf '# Hiring plan\n\nWe hire **three** engineers in Q3.\n' >"$D/notes/plan.md"
printf 'caf\xc3\xa9 ok, broken \xff\xfe bytes here\nsecond line\n' >"$D/notes/raw.txt"
cat >"$D/notes/chat.txt" <<'EOF2'
12/31/23, 9:15 PM - Alice: are we still on for tomorrow?
12/31/23, 9:16 PM - Bob: yes, 10am
see you there
12/31/23, 9:17 PM - Alice: great
EOF2
lh ingest "$D/notes" --name notes --json
check "a folder of text, Markdown and chat" test "$(jq -c '[.files, .ok]' <<<"$OUT")" = '[3,3]'
lh sql "SELECT title FROM notes WHERE file = 'plan.md'" --format csv
check "Markdown title is the first heading" grep -q 'Hiring plan' <<<"$OUT"
lh sql "SELECT invalid_utf8 FROM notes WHERE file = 'raw.txt'" --format csv
check "invalid UTF-8 bytes are replaced and counted" test "$(tail -n1 <<<"$OUT" | tr -d '\r')" = 2
lh sql "SELECT message_no, sender, text FROM notes WHERE file = 'chat.txt' ORDER BY message_no" --format ndjson
check "chat: one message per row" [ "$(wc -l <<<"$OUT")" = 3 ]
check "chat: sender and continuation lines" \
    grep -q '{"message_no":2,"sender":"Bob","text":"yes, 10am\\nsee you there"}' <<<"$OUT"
printf 'a,b\n1,2\n' >"$D/t.csv"
lh ingest "$D" --name mixed
check "a folder mixing documents and tables is refused" [ "$RC" != 0 ]
check "  with a clear message" grep -q "glob" <<<"$ERR"
lh show mixed
check "  and nothing was created" [ "$RC" != 0 ]
lh ingest "$T/nope" --glob '*.pdf'
check "missing folder fails" [ "$RC" != 0 ]
lh ingest "$D/pdf" --glob '*.docx'
check "no matching file fails" grep -q "no file" <<<"$ERR"

start_server || exit 1
api POST /ingest/file -F "file=@$D/pdf/report.pdf"
expect "upload a PDF" 201 '.format == "pdf" and .rows == 2 and .dataset == "report"'
api POST /ingest/file -F "file=@$D/pdf/locked.pdf" -F name=locked
expect "upload an encrypted PDF: 400" 400 '.error.message | test("encrypted|password")'
api POST /ingest/file -F "file=@$D/pdf/truncated.pdf" -F name=trunc
expect "upload a truncated PDF: 400" 400
api POST '/ingest/file?name=chat&format=chat' --data-binary "@$D/notes/chat.txt"
expect "upload a chat export" 201 '.format == "chat" and .rows == 3'
done_testing
