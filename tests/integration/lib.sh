# lib.sh - helpers for integration tests: a real server on a free loopback port, curl + jq checks.
# Source it from a tNNN-*.sh script; the script exits non-zero if any check failed.
#   LH_BIN           binary under test (default build/lakehouse)
#   LH_TEST_LEAVE=1  keep the temp dir
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LH_BIN=${LH_BIN:-$ROOT/build/lakehouse}
case "$LH_BIN" in /*) ;; *) LH_BIN=$ROOT/$LH_BIN ;; esac
T=$(mktemp -d /tmp/lhtest.XXXXXX)
DATA=$T/data
N_OK=0
N_FAIL=0
SERVER_PID=
URL=
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=98}

cleanup() {
    stop_server
    if [ "${LH_TEST_LEAVE:-0}" = 1 ]; then echo "# left $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

ok() { N_OK=$((N_OK + 1)); echo "ok - $*"; }
fail() { N_FAIL=$((N_FAIL + 1)); echo "not ok - $*"; }
check() { # check DESCRIPTION COMMAND...
    local d=$1; shift
    if "$@"; then ok "$d"; else fail "$d"; fi
}

# lh ARGS...: run the CLI on the test data dir; sets RC, OUT, ERR
lh() {
    OUT=$("$LH_BIN" --data "$DATA" "$@" 2>"$T/stderr") && RC=0 || RC=$?
    ERR=$(cat "$T/stderr")
}

start_server() { # extra serve flags...
    : >"$T/server.log"
    "$LH_BIN" --data "$DATA" serve --port 0 "$@" 2>"$T/server.log" &
    SERVER_PID=$!
    for _ in $(seq 1 600); do
        URL=$(sed -n 's/.*msg=listening url=\(http:[^ ]*\).*/\1/p' "$T/server.log" | head -1)
        [ -n "$URL" ] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "# server did not start:"; sed 's/^/#   /' "$T/server.log"
    SERVER_PID=
    return 1
}

stop_server() { # stops with SIGTERM and checks the exit status (sanitizer reports fail it)
    [ -n "$SERVER_PID" ] || return 0
    kill -TERM "$SERVER_PID" 2>/dev/null
    local rc=0
    wait "$SERVER_PID" || rc=$?
    SERVER_PID=
    if [ $rc -ne 0 ]; then
        fail "server exited with status $rc"
        grep -E "ERROR|runtime error|Sanitizer" "$T/server.log" | head -20 | sed 's/^/#   /'
    fi
    return 0
}

# api METHOD PATH [curl args...]: sets STATUS and BODY (and HEADERS in $T/headers)
api() {
    local m=$1 p=$2; shift 2
    STATUS=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' -X "$m" "$URL$p" "$@") || STATUS=000
    BODY=$(cat "$T/body")
}
# jqt EXPR: true if jq EXPR on BODY is true
jqt() { printf '%s' "$BODY" | jq -e "$1" >/dev/null 2>&1; }
expect() { # expect DESCRIPTION STATUS [JQ-EXPR]
    local d=$1 s=$2 e=${3:-}
    if [ "$STATUS" != "$s" ]; then fail "$d (status $STATUS, want $s): $(printf '%s' "$BODY" | head -c 300)"; return; fi
    if [ -n "$e" ] && ! jqt "$e"; then fail "$d ($e is false): $(printf '%s' "$BODY" | head -c 300)"; return; fi
    ok "$d"
}
sql_json() { # sql_json SQL -> BODY of POST /query/sql
    api POST /query/sql -H 'Content-Type: application/json' --data "$(jq -cn --arg s "$1" '{sql:$s}')"
}
done_testing() {
    echo "# $N_OK passed, $N_FAIL failed"
    [ "$N_FAIL" -eq 0 ]
}
