#!/usr/bin/env bash
# kiwi benchmark of the access check: the API and forward auth against a reference nginx,
# their latency under an open-loop load, and a static page behind nginx auth_request.
# Prints figures and whether each target is met; see bench/ACCESS.md.
#
#   bash bench/access.sh [--seconds S] [--rate R] [--connections C]
#                        [--upstream-keepalive N] [--keep]
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
KIWI_BIN=${KIWI_BIN:-${CARGO_TARGET_DIR:-$REPO/target}/release/kiwi}

SECONDS_PER_RUN=10
WARMUP_SECONDS=2
RATE=5000
CONNECTIONS=32
UPSTREAM_KEEPALIVE=16
KEEP=0

TOOL=kreativbot
PERSON=sabine.wolf@musterstadt.example
PASSWORD=kiwi-demo-2026

# The targets.
TARGET_RATIO_API=0.75
TARGET_RATIO_FORWARD=0.75
TARGET_P99_MS=0.5
TARGET_RATIO_AUTH_REQUEST=0.5

usage() {
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
    cat <<EOF

Options:
  --seconds S             length of each measured run, throughput and latency (default: $SECONDS_PER_RUN)
  --rate R                requests per second of the open-loop latency runs (default: $RATE)
  --connections C         connections of every load run (default: $CONNECTIONS)
  --upstream-keepalive N  idle connections nginx keeps open to kiwi (default: $UPSTREAM_KEEPALIVE,
                          as in the README's example)
  --keep                  keep the temporary directory (logs, configuration, raw outputs)

Environment:
  KIWI_BIN                the kiwi binary (default: \${CARGO_TARGET_DIR:-<repo>/target}/release/kiwi)
EOF
}

positive_int() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "$1 needs a positive whole number" >&2; exit 2; }; }

while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) positive_int "$1" "${2:-}"; SECONDS_PER_RUN=$2; shift 2 ;;
        --rate) positive_int "$1" "${2:-}"; RATE=$2; shift 2 ;;
        --connections) positive_int "$1" "${2:-}"; CONNECTIONS=$2; shift 2 ;;
        --upstream-keepalive) positive_int "$1" "${2:-}"; UPSTREAM_KEEPALIVE=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done
if [ "$SECONDS_PER_RUN" -gt 600 ]; then
    echo "--seconds is at most 600" >&2
    exit 2
fi
# Every load run is bounded twice: by its own duration and by this hard limit.
RUN_LIMIT=$((SECONDS_PER_RUN + 60))

# ----------------------------------------------------------------------------- tools

missing=()
need() { # command, how to install it
    command -v "$1" >/dev/null 2>&1 || missing+=("$1: $2")
}
need python3 "apt-get install -y python3"
need curl "apt-get install -y curl"
need taskset "apt-get install -y util-linux"
need timeout "apt-get install -y coreutils"
need wrk "apt-get install -y wrk"
need oha "cargo install oha --locked (or a release binary from github.com/hatoo/oha)"
NGINX_BIN=$(command -v nginx || true)
for candidate in /usr/sbin/nginx /usr/bin/nginx; do
    if [ -z "$NGINX_BIN" ] && [ -x "$candidate" ]; then NGINX_BIN=$candidate; fi
done
[ -n "$NGINX_BIN" ] || missing+=("nginx: apt-get install -y nginx")
if [ ${#missing[@]} -gt 0 ]; then
    echo "missing tools:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    exit 1
fi
if [ ! -x "$KIWI_BIN" ]; then
    echo "no kiwi binary at $KIWI_BIN: build it with 'cargo build --release' or set KIWI_BIN" >&2
    exit 1
fi
if ! oha --help 2>/dev/null | grep -q -- '--latency-correction'; then
    echo "this oha has no --latency-correction: install a newer one (cargo install oha --locked)" >&2
    exit 1
fi

# The servers (kiwi, nginx) on core 0, the load generators on core 1.
if [ "$(nproc)" -ge 2 ]; then
    SERVER_CPU=(taskset -c 0)
    LOAD_CPU=(taskset -c 1)
    PINNING="servers on core 0, load generators on core 1"
else
    echo "note: fewer than 2 cores; servers and load generators share the CPU" >&2
    SERVER_CPU=()
    LOAD_CPU=()
    PINNING="unpinned (fewer than 2 cores): the figures mean little"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kiwi-access-bench.XXXXXX")
chmod 755 "$WORK"
PIDS=()

cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [ "$KEEP" = 1 ]; then
        echo "kept $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# kiwi's settings come only from here: the repository's courses, tools and usage policy, a
# fresh data directory, little logging.
unset KIWI_DATABASE_URL KIWI_BASE_URL KIWI_TRUST_PROXY KIWI_BIND
export KIWI_DATA_DIR=$WORK/data
export KIWI_COURSES_DIR=$REPO/courses
export KIWI_TOOLS_FILE=$REPO/tools.toml
export KIWI_POLICY_DIR=$REPO/policies/ai-usage
export KIWI_LOG=warn
cd "$REPO"

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits (at most 120 s) until URL answers at all.
wait_for() {
    local url=$1 i
    for i in $(seq 1 1200); do
        if curl -s -o /dev/null --max-time 2 "$url"; then return 0; fi
        sleep 0.1
    done
    echo "nothing answers at $url" >&2
    return 1
}

fail() {
    echo "error: $*" >&2
    exit 1
}

# ----------------------------------------------------------------------------- kiwi

KIWI_PORT=$(free_port)
echo "starting kiwi demo on 127.0.0.1:$KIWI_PORT ($PINNING)"
(
    export KIWI_BIND=127.0.0.1:$KIWI_PORT
    exec "${SERVER_CPU[@]}" "$KIWI_BIN" demo
) >"$WORK/kiwi.log" 2>&1 &
KIWI_PID=$!
PIDS+=("$KIWI_PID")
wait_for "http://127.0.0.1:$KIWI_PORT/healthz" || { cat "$WORK/kiwi.log" >&2; exit 1; }
KIWI="http://127.0.0.1:$KIWI_PORT"

# An API key for the tool, made by the command line against the same database.
KIWI_BIND=127.0.0.1:$KIWI_PORT "$KIWI_BIN" tools key "$TOOL" >"$WORK/key.txt" 2>&1 ||
    { cat "$WORK/key.txt" >&2; fail "kiwi tools key $TOOL failed"; }
KEY=$(grep -o 'kiwi_[0-9a-f]*' "$WORK/key.txt" | tail -n 1)
[ -n "$KEY" ] || { cat "$WORK/key.txt" >&2; fail "no key in the output of kiwi tools key"; }
# What answered above must be this kiwi, not another program on the same port.
kill -0 "$KIWI_PID" 2>/dev/null || { cat "$WORK/kiwi.log" >&2; fail "kiwi did not keep running"; }

# Sign in like a browser: the sign-in form sets the CSRF cookie and carries the token.
JAR=$WORK/cookies.txt
curl -s -c "$JAR" -b "$JAR" -o "$WORK/login.html" --max-time 10 "$KIWI/login"
CSRF=$(grep -o 'name="csrf_token" value="[^"]*"' "$WORK/login.html" | head -n 1 |
    sed 's/.*value="\([^"]*\)"/\1/')
[ -n "$CSRF" ] || fail "no csrf_token on the sign-in page"
code=$(curl -s -c "$JAR" -b "$JAR" -o /dev/null -w '%{http_code}' --max-time 30 \
    --data-urlencode "csrf_token=$CSRF" --data-urlencode "email=$PERSON" \
    --data-urlencode "password=$PASSWORD" "$KIWI/login")
[ "$code" = 303 ] || fail "sign-in answered $code, expected 303"
SESSION=$(awk -F'\t' '$6 == "kiwi_session" { print $7 }' "$JAR")
[ -n "$SESSION" ] || fail "the sign-in set no kiwi_session cookie"

API_URL="$KIWI/api/v1/access?tool=$TOOL&user=$PERSON"
API_HEADER="Authorization: Bearer $KEY"
FORWARD_URL="$KIWI/auth/verify?tool=$TOOL"
# kiwi without an access check: the same route for a tool that does not exist (404).
FLOOR_URL="$KIWI/auth/verify?tool=bench-no-such-tool"
COOKIE_HEADER="Cookie: kiwi_session=$SESSION"

# The new key reaches the cache through the change feed (every 0.2 s): wait up to 10 s.
for i in $(seq 1 100); do
    code=$(curl -s -o "$WORK/api.json" -w '%{http_code}' --max-time 5 -H "$API_HEADER" "$API_URL")
    [ "$code" = 200 ] && break
    sleep 0.1
done
[ "$code" = 200 ] || { cat "$WORK/api.json" >&2; fail "the API answered $code, expected 200"; }
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if d.get("allowed") is True else 1)' \
    "$WORK/api.json" || { cat "$WORK/api.json" >&2; echo >&2; fail "the API does not say allowed=true for $PERSON"; }
echo "API: $(cat "$WORK/api.json")"
code=$(curl -s -o /dev/null -D "$WORK/forward.headers" -w '%{http_code}' --max-time 5 \
    -H "$COOKIE_HEADER" "$FORWARD_URL")
[ "$code" = 200 ] || { cat "$WORK/forward.headers" >&2; fail "forward auth answered $code, expected 200"; }
echo "forward auth: $code, $(grep -i '^x-kiwi-user:' "$WORK/forward.headers" | tr -d '\r')"

# ----------------------------------------------------------------------------- nginx

# Two nginx, each with one worker on core 0, nothing logged per request:
# - "front": the reference (return 204); the dummy tool as a static file without auth; the
#   same file behind auth_request to kiwi (configured like the README's example); and the
#   same file behind auth_request to "stub";
# - "stub": an auth service that answers 200 at once, the best any auth service on this
#   core could do. It shows what auth_request itself costs here.
REF_PORT=$(free_port)
STATIC_PORT=$(free_port)
GUARDED_PORT=$(free_port)
STUBBED_PORT=$(free_port)
STUB_PORT=$(free_port)
mkdir -p "$WORK/nginx/tool" "$WORK/stub"
printf 'dummy tool\n' >"$WORK/nginx/tool/index.html"

# The start of an nginx configuration in DIR, up to and including "http {".
nginx_head() { # DIR
    cat <<CONF
worker_processes 1;
daemon off;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $1/body;
    proxy_temp_path $1/proxy;
    fastcgi_temp_path $1/fastcgi;
    uwsgi_temp_path $1/uwsgi;
    scgi_temp_path $1/scgi;
    # Clients keep their connection for the whole run, as they do with kiwi.
    keepalive_requests 1000000;
CONF
}

# A server with the dummy tool behind auth_request to UPSTREAM: guarded PORT UPSTREAM
guarded() {
    cat <<CONF
    server {
        listen 127.0.0.1:$1;
        location / {
            auth_request /_auth;
            auth_request_set \$kiwi_user \$upstream_http_x_kiwi_user;
            add_header X-Tool-User \$kiwi_user always;
            root $WORK/nginx/tool;
            try_files /index.html =404;
        }
        location = /_auth {
            internal;
            proxy_pass http://$2/auth/verify?tool=$TOOL;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header X-Kiwi-User "";
        }
    }
CONF
}

{
    nginx_head "$WORK/nginx"
    cat <<CONF
    upstream kiwi { server 127.0.0.1:$KIWI_PORT; keepalive $UPSTREAM_KEEPALIVE; }
    upstream stub { server 127.0.0.1:$STUB_PORT; keepalive $UPSTREAM_KEEPALIVE; }
    server {
        listen 127.0.0.1:$REF_PORT;
        location / { return 204; }
    }
    server {
        listen 127.0.0.1:$STATIC_PORT;
        location / {
            root $WORK/nginx/tool;
            try_files /index.html =404;
        }
    }
CONF
    guarded "$GUARDED_PORT" kiwi
    guarded "$STUBBED_PORT" stub
    echo "}"
} >"$WORK/nginx/nginx.conf"
{
    nginx_head "$WORK/stub"
    cat <<CONF
    server {
        listen 127.0.0.1:$STUB_PORT;
        location / {
            add_header X-Kiwi-User $PERSON;
            return 200;
        }
    }
}
CONF
} >"$WORK/stub/nginx.conf"

start_nginx() { # DIR; sets STARTED_PID
    "$NGINX_BIN" -t -q -e "$1/error.log" -p "$1" -c "$1/nginx.conf" 2>"$1/test.log" ||
        { cat "$1/test.log" >&2; fail "the nginx configuration $1/nginx.conf is invalid"; }
    "${SERVER_CPU[@]}" "$NGINX_BIN" -e "$1/error.log" -p "$1" -c "$1/nginx.conf" \
        >"$1/stdout.log" 2>&1 &
    STARTED_PID=$!
    PIDS+=("$STARTED_PID")
}
start_nginx "$WORK/stub"
STUB_PID=$STARTED_PID
start_nginx "$WORK/nginx"
NGINX_PID=$STARTED_PID
REF_URL="http://127.0.0.1:$REF_PORT/"
STATIC_URL="http://127.0.0.1:$STATIC_PORT/chat"
GUARDED_URL="http://127.0.0.1:$GUARDED_PORT/chat"
STUBBED_URL="http://127.0.0.1:$STUBBED_PORT/chat"
wait_for "http://127.0.0.1:$STUB_PORT/" || { cat "$WORK/stub/error.log" >&2; exit 1; }
wait_for "$REF_URL" || { cat "$WORK/nginx/error.log" >&2; exit 1; }
{ kill -0 "$STUB_PID" && kill -0 "$NGINX_PID"; } 2>/dev/null ||
    fail "nginx did not keep running (was a port taken meanwhile?)"

expect() { # CODE URL [HEADER]: fails unless URL answers CODE; its headers go to $WORK/last.headers
    local want=$1 url=$2 code
    local header=()
    if [ $# -ge 3 ]; then header=(-H "$3"); fi
    code=$(curl -s -o /dev/null -D "$WORK/last.headers" -w '%{http_code}' --max-time 5 \
        "${header[@]}" "$url")
    [ "$code" = "$want" ] || fail "$url answered $code, expected $want"
}
expect 204 "$REF_URL"
expect 200 "$STATIC_URL"
expect 200 "$GUARDED_URL" "$COOKIE_HEADER"
grep -qi "^x-tool-user: $PERSON" "$WORK/last.headers" ||
    fail "the page behind auth_request did not learn the person from kiwi"
expect 401 "$GUARDED_URL"
expect 200 "$STUBBED_URL" "$COOKIE_HEADER"
expect 404 "$FLOOR_URL"
echo "nginx: reference 204, static page 200; behind auth_request to kiwi 200 with the session, 401 without"

# ----------------------------------------------------------------------------- load

SERVER_PIDS=("$KIWI_PID" "$NGINX_PID" "$STUB_PID")
WARNINGS=()

# Starts the CPU accounting of a run on the servers' core (only when pinned).
cpu_start() {
    CPU_BEFORE=""
    if [ ${#SERVER_CPU[@]} -gt 0 ]; then
        CPU_BEFORE=$(python3 "$HERE/access-cpu.py" snap 0 "${SERVER_PIDS[@]}")
    fi
}

# Ends it: sets CPU_NOTE to a remark when other programs, or the hypervisor (steal time),
# took a share of the servers' core, which lowers the figure of this run.
cpu_end() { # NAME
    CPU_NOTE=""
    [ -n "$CPU_BEFORE" ] || return 0
    local after busy ours others steal
    after=$(python3 "$HERE/access-cpu.py" snap 0 "${SERVER_PIDS[@]}")
    read -r busy ours others steal <<<"$(python3 "$HERE/access-cpu.py" share "$CPU_BEFORE" "$after")"
    if [ "$others" -ge 5 ]; then
        CPU_NOTE+=" [other programs used ${others}% of core 0]"
        WARNINGS+=("$1: other programs used ${others}% of core 0 during the run (the servers ${ours}%)")
    fi
    if [ "$steal" -ge 10 ]; then
        CPU_NOTE+=" [the hypervisor took ${steal}% of core 0]"
        WARNINGS+=("$1: the hypervisor took ${steal}% of core 0 (steal time) during the run")
    fi
}

# Throughput of one URL with wrk on core 1, after a short warm-up: wrk_run NAME URL [HEADER]
# Sets RPS. Socket errors stop the benchmark, and so do answers other than 2xx unless
# ALLOW_NON_2XX=1.
wrk_run() {
    local name=$1 url=$2 out=$WORK/wrk-$1.txt
    local header=()
    if [ $# -ge 3 ]; then header=(-H "$3"); fi
    timeout "$RUN_LIMIT" "${LOAD_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP_SECONDS}s" \
        "${header[@]}" "$url" >/dev/null
    cpu_start
    timeout "$RUN_LIMIT" "${LOAD_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" \
        "${header[@]}" "$url" >"$out"
    cpu_end "$name"
    if grep -q 'Socket errors' "$out" ||
        { [ "${ALLOW_NON_2XX:-0}" != 1 ] && grep -q 'Non-2xx' "$out"; }; then
        cat "$out" >&2
        fail "wrk against $name reported errors or answers other than 2xx"
    fi
    RPS=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$out")
    [ -n "$RPS" ] || { cat "$out" >&2; fail "no rate in the output of wrk against $name"; }
}

# Latency at a fixed rate with oha on core 1, after a short warm-up: oha_run NAME URL [HEADER]
# Sets P50 P90 P99 MAX (ms) and ANSWERED (req/s). Requests are timed from when they were
# due, not from when they could be sent (no coordinated omission). Every answer must have
# the status EXPECT (default 200).
oha_run() {
    local name=$1 url=$2 out=$WORK/oha-$1.json stats
    local header=()
    if [ $# -ge 3 ]; then header=(-H "$3"); fi
    timeout "$RUN_LIMIT" "${LOAD_CPU[@]}" oha --no-tui --latency-correction -w \
        -c "$CONNECTIONS" -q "$RATE" -z "${WARMUP_SECONDS}s" "${header[@]}" "$url" \
        --output-format json >/dev/null
    cpu_start
    timeout "$RUN_LIMIT" "${LOAD_CPU[@]}" oha --no-tui --latency-correction -w \
        -c "$CONNECTIONS" -q "$RATE" -z "${SECONDS_PER_RUN}s" "${header[@]}" "$url" \
        --output-format json >"$out"
    cpu_end "$name latency"
    stats=$(python3 "$HERE/access-latency.py" "$out" "$RATE" "$SECONDS_PER_RUN" "${EXPECT:-200}") ||
        fail "the latency run against $name was not clean (see above)"
    read -r P50 P90 P99 MAX ANSWERED <<<"$stats"
}

ratio() { python3 -c 'import sys; print(f"{float(sys.argv[1]) / float(sys.argv[2]):.2f}")' "$1" "$2"; }
at_least() { python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) else 1)' "$1" "$2"; }
below() { python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)' "$1" "$2"; }
verdict() { if "$@"; then echo met; else echo MISSED; fi; }
int() { printf '%.0f' "$1"; }
line() { printf '   %-36s %s\n' "$1" "$2"; }   # LABEL FIGURES
rate() { printf '%6s req/s' "$(int "$1")"; }

RESULTS=()
result() { RESULTS+=("$1"); }

# Is the machine quiet? Other programs on these cores lower every figure.
if [ ${#SERVER_CPU[@]} -gt 0 ]; then
    read -r busy0 busy1 <<<"$(python3 "$HERE/access-cpu.py" idle 2 0 1)"
    echo "before the load: core 0 ${busy0}% busy, core 1 ${busy1}% busy (should be near 0)"
    if [ "$busy0" -ge 10 ] || [ "$busy1" -ge 10 ]; then
        WARNINGS+=("the machine was not quiet before the load: core 0 ${busy0}%, core 1 ${busy1}% busy")
    fi
fi

echo
echo "1. throughput: wrk -t1 -c$CONNECTIONS -d${SECONDS_PER_RUN}s, each after ${WARMUP_SECONDS} s of warm-up"
wrk_run reference "$REF_URL"
ref_rps=$RPS
line "nginx return 204 (reference)" "$(rate "$ref_rps")$CPU_NOTE"
wrk_run api "$API_URL" "$API_HEADER"
api_rps=$RPS
api_ratio=$(ratio "$api_rps" "$ref_rps")
api_ok=$(verdict at_least "$api_ratio" "$TARGET_RATIO_API")
line "kiwi API" "$(rate "$api_rps") = ${api_ratio}x the reference (target >= ${TARGET_RATIO_API}x: $api_ok)$CPU_NOTE"
wrk_run forward "$FORWARD_URL" "$COOKIE_HEADER"
fwd_rps=$RPS
fwd_ratio=$(ratio "$fwd_rps" "$ref_rps")
fwd_ok=$(verdict at_least "$fwd_ratio" "$TARGET_RATIO_FORWARD")
line "kiwi forward auth" "$(rate "$fwd_rps") = ${fwd_ratio}x the reference (target >= ${TARGET_RATIO_FORWARD}x: $fwd_ok)$CPU_NOTE"
ALLOW_NON_2XX=1 wrk_run floor "$FLOOR_URL"
floor_rps=$RPS
floor_ratio=$(ratio "$floor_rps" "$ref_rps")
line "kiwi, no check (unknown tool, 404)" "$(rate "$floor_rps") = ${floor_ratio}x the reference (no target: kiwi's cost of any request)$CPU_NOTE"
result "1. API throughput: $(int "$api_rps") req/s = ${api_ratio}x nginx's $(int "$ref_rps") (>= ${TARGET_RATIO_API}x): $api_ok"
result "1. forward-auth throughput: $(int "$fwd_rps") req/s = ${fwd_ratio}x nginx's $(int "$ref_rps") (>= ${TARGET_RATIO_FORWARD}x): $fwd_ok"
result "1. (kiwi answering without a check: ${floor_ratio}x nginx)"

echo
echo "2. latency: oha -c$CONNECTIONS -q$RATE -z${SECONDS_PER_RUN}s, open loop, each after ${WARMUP_SECONDS} s of warm-up"
EXPECT=204 oha_run reference "$REF_URL"
ref_p99=$P99
line "nginx return 204 (reference)" "p50 $P50  p90 $P90  p99 $P99  max $MAX ms  ($ANSWERED req/s)$CPU_NOTE"
floor_note=""
if ! below "$ref_p99" "$TARGET_P99_MS"; then
    floor_note=", as does the reference"
fi
for which in api forward; do
    if [ "$which" = api ]; then
        label="API"; oha_run api "$API_URL" "$API_HEADER"
    else
        label="forward auth"; oha_run forward "$FORWARD_URL" "$COOKIE_HEADER"
    fi
    ok=$(verdict below "$P99" "$TARGET_P99_MS")
    note=""
    [ "$ok" = met ] || note=$floor_note
    line "kiwi $label" "p50 $P50  p90 $P90  p99 $P99  max $MAX ms  ($ANSWERED req/s; target p99 < $TARGET_P99_MS ms: $ok$note)$CPU_NOTE"
    result "2. $label latency at $RATE req/s: p50 $P50, p90 $P90, p99 $P99, max $MAX ms (p99 < $TARGET_P99_MS ms): $ok$note"
done
result "2. (the reference nginx at $RATE req/s: p99 $ref_p99 ms)"

echo
echo "3. nginx auth_request: wrk -t1 -c$CONNECTIONS -d${SECONDS_PER_RUN}s, a static page, upstream keepalive $UPSTREAM_KEEPALIVE"
wrk_run static "$STATIC_URL"
static_rps=$RPS
line "without auth" "$(rate "$static_rps")$CPU_NOTE"
wrk_run stubbed "$STUBBED_URL" "$COOKIE_HEADER"
stubbed_rps=$RPS
stubbed_ratio=$(ratio "$stubbed_rps" "$static_rps")
line "auth_request to a stub (nginx 200)" "$(rate "$stubbed_rps") = ${stubbed_ratio}x without (no target: the best any auth service on core 0 can do)$CPU_NOTE"
wrk_run guarded "$GUARDED_URL" "$COOKIE_HEADER"
guarded_rps=$RPS
guarded_ratio=$(ratio "$guarded_rps" "$static_rps")
guarded_ok=$(verdict at_least "$guarded_ratio" "$TARGET_RATIO_AUTH_REQUEST")
stub_share=$(ratio "$guarded_rps" "$stubbed_rps")
line "auth_request to kiwi" "$(rate "$guarded_rps") = ${guarded_ratio}x without (target >= ${TARGET_RATIO_AUTH_REQUEST}x: $guarded_ok), ${stub_share}x the stub$CPU_NOTE"
result "3. auth_request: $(int "$guarded_rps") req/s = ${guarded_ratio}x the unguarded $(int "$static_rps") (>= ${TARGET_RATIO_AUTH_REQUEST}x): $guarded_ok"
result "3. (auth_request to a stub that answers at once: ${stubbed_ratio}x; kiwi reaches ${stub_share}x the stub)"

if grep -qi -e ' ERROR ' -e 'panicked' "$WORK/kiwi.log"; then
    WARNINGS+=("kiwi logged errors during the run (first lines below)")
fi
if [ -s "$WORK/nginx/error.log" ] || [ -s "$WORK/stub/error.log" ]; then
    WARNINGS+=("nginx logged warnings or errors during the run (first lines below)")
fi

echo
echo "summary ($PINNING):"
printf '  %s\n' "${RESULTS[@]}"
if [ ${#WARNINGS[@]} -gt 0 ]; then
    echo "warnings (these runs' figures are lower than on a quiet machine):"
    printf '  %s\n' "${WARNINGS[@]}"
    { grep -i -e ' ERROR ' -e 'panicked' "$WORK/kiwi.log" || true; } | head -n 5 | sed 's/^/    kiwi: /'
    cat "$WORK/nginx/error.log" "$WORK/stub/error.log" 2>/dev/null | head -n 5 | sed 's/^/    nginx: /'
fi
