#!/usr/bin/env bash
# t900-ui.sh - the web UI: assets served from the binary (content types, ETag and 304,
# CSP, no inline script), GET /system, then every tab driven in headless Chromium
# (tests/ui/ui.test.mjs) against a real server with the demo data. Screenshots go to
# tests/artifacts/ui/<release|asan>/.
. "$(dirname "$0")/lib.sh"

cfg=release
[[ $LH_BIN == *asan* ]] && cfg=asan
ART=$ROOT/tests/artifacts/ui/$cfg
CHROMIUM=${LH_CHROMIUM:-}
for c in /usr/lib/chromium/chromium /usr/bin/chromium; do
    [ -z "$CHROMIUM" ] && [ -x "$c" ] && CHROMIUM=$c
done
if ! command -v node >/dev/null || [ ! -f "$ROOT/node_modules/playwright-core/package.json" ] || [ -z "$CHROMIUM" ]; then
    fail "browser tests need node, node_modules/playwright-core and Debian chromium: run scripts/setup"
    done_testing
    exit 1
fi

# A secret in the configuration must never reach the UI (GET /system).
export LH_LLM_API_KEY=ui-secret-value-123
lh keys create --role admin --name ui-test
KEY=$OUT
check "setup: an admin key for the sign-in" [ "$RC" = 0 ]
lh keys create --role analyst --name ui-analyst
ANALYST_KEY=$OUT
check "setup: an analyst key (the Governance tab as a role without govern)" [ "$RC" = 0 ]
start_server --demo-scale 1 --llm-url 'http://bob:hunter2@127.0.0.1:9/v1' || exit 1

# ---- assets ----
api GET /
check "GET / serves index.html" [ "$STATUS" = 200 ]
check "  as text/html" grep -qi '^content-type: text/html; charset=utf-8' "$T/headers"
check "  with a strict CSP (scripts and styles from 'self' only)" \
    grep -qi "^content-security-policy: default-src 'none'; script-src 'self'; style-src 'self';" "$T/headers"
check "  and no 'unsafe-inline' anywhere" bash -c "! grep -qi 'unsafe-inline' '$T/headers'"
check "  revalidated by ETag (Cache-Control: no-cache)" grep -qi '^cache-control: no-cache' "$T/headers"
check "  framing denied" grep -qi '^x-frame-options: DENY' "$T/headers"
check "index.html has no inline script or style" \
    bash -c "! grep -Eiq '<script>|<script [^>]*>[^<]|<style| style=| on[a-z]+=' '$T/body'"
etag=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *\(".*"\).*/\1/p' "$T/headers" | tr -d '\r')
check "strong ETag" grep -Eq '^"[0-9a-f]{32}"$' <<<"$etag"
: >"$T/body" # curl leaves the file alone when the body is empty
api GET / -H "If-None-Match: $etag"
check "If-None-Match with the ETag: 304, empty body" [ "$STATUS" = 304 -a -z "$BODY" ]
api GET / -H "If-None-Match: \"x\", W/$etag"
check "  also in a list, weak form" [ "$STATUS" = 304 ]
api GET / -H 'If-None-Match: "0000"'
check "  another ETag: 200" [ "$STATUS" = 200 ]
for f in app.js:text/javascript app.css:text/css favicon.svg:image/svg+xml sql.js:text/javascript; do
    api GET "/ui/${f%%:*}"
    check "GET /ui/${f%%:*} is ${f#*:}" grep -qi "^content-type: ${f#*:}" "$T/headers"
done
check "  with the same CSP" grep -qi "^content-security-policy: default-src 'none'" "$T/headers"
api GET /ui/nope.js
expect "unknown asset is 404" 404 '.error.code == "not_found"'
api GET '/ui/..%2Fcatalog.db'
expect "no path tricks" 404
api POST /
expect "POST / is 405" 405
code=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' -I "$URL/")
check "HEAD / answers without a body" [ "$code" = "200 0" ]
api GET /health
check "JSON API replies stay no-store" grep -qi '^cache-control: no-store' "$T/headers"
api GET /openapi.json
expect "OpenAPI lists /system but not the UI" 200 '(.paths | has("/system")) and (.paths | has("/ui/{file}") | not) and (.paths | has("/") | not)'

# ---- GET /system ----
api GET /system
expect "GET /system: health, catalog, storage, counters" 200 \
    '.status == "ok" and .catalog.datasets == 6 and .catalog.rows > 2000000 and (.storage.datasets | length) == 6
     and .storage.datasets_bytes > 0 and .storage.disk_free_bytes > 0 and .http.requests > 0 and .uptime_ms >= 0'
expect "  per-dataset bytes match the catalog" 200 \
    '(.storage.datasets[] | select(.name == "timesheets") | .bytes == .stored_bytes and .files == 1 and .rows > 1000000)'
expect "  secrets are only flagged as set" 200 '.config.llm_api_key == "(set)" and .config.embed_api_key == ""'
check "  and never shown" bash -c "! grep -q 'ui-secret-value-123' '$T/body'"
expect "  credentials in URLs are cut" 200 '.config.llm_url == "http://(redacted)@127.0.0.1:9/v1"'
check "  (the password is not in the reply)" bash -c "! grep -q hunter2 '$T/body'"

# Lineage for the dataset pages: placements derive from candidates and job_orders.
api PATCH /catalog/datasets/placements/metadata -H 'Content-Type: application/json' \
    --data '{"parents":["candidates","job_orders"],"tags":["demo","hr"]}'
expect "setup: placements' parents" 200

# ---- the browser ----
rm -rf "$ART"
mkdir -p "$ART"
timeout -k 5 170 node "$ROOT/tests/ui/ui.test.mjs" --url "$URL" --chromium "$CHROMIUM" \
    --artifacts "$ART" --tmp "$T" --key "$KEY" --analyst-key "$ANALYST_KEY" >"$T/ui.log" 2>&1
rc=$?
sed 's/^/    /' "$T/ui.log"
if [ $rc = 124 ] || [ $rc = 137 ]; then
    fail "browser tests timed out"
else
    check "browser tests (tests/ui/ui.test.mjs) pass" [ $rc = 0 ]
fi
check "screenshots saved (every tab, each Governance section)" test "$(ls "$ART"/*.png 2>/dev/null | wc -l)" -ge 18

# The UI's Cancel aborted its fetch; the server noticed and stopped DuckDB (499, not 408/200).
check "the canceled query was stopped on the server" grep -q 'path=/query/sql status=499' "$T/server.log"
api GET /health
expect "server healthy after the browser session" 200
done_testing
