#!/usr/bin/env bash
# kiwi benchmark of the access check: the API and forward auth against a reference nginx,
# their latency under an open-loop load, and a static page behind nginx auth_request.
# Prints figures and whether each target is met; see bench/ACCESS.md.
#
#   bash bench/access.sh [--rounds N] [--seconds S] [--rate R] [--connections C]
#                        [--upstream-keepalive N] [--people N] [--sections LIST] [--keep]
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
KIWI_BIN=${KIWI_BIN:-${CARGO_TARGET_DIR:-$REPO/target}/release/kiwi}

ROUNDS=3
SECONDS_PER_RUN=10
WARMUP_SECONDS=2
RATE=5000
CONNECTIONS=32
UPSTREAM_KEEPALIVE=16
SECTIONS="1 2 3 4"
PEOPLE=20000
KEEP=0

TOOL=kreativbot
PERSON=sabine.wolf@musterstadt.example
HR_PERSON=petra.hoffmann@musterstadt.example
PASSWORD=kiwi-demo-2026

# The targets.
TARGET_RATIO_API=0.75
TARGET_RATIO_FORWARD=0.75
TARGET_P99_MS=0.5
TARGET_RATIO_AUTH_REQUEST=0.5
# The check's p99 while HR reports over the whole administration run, against its p99
# without them (in the same round).
TARGET_REPORT_P99_GROWTH=1.10

usage() {
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
    cat <<EOF

Options:
  --rounds N              how often every measurement is repeated; the median is reported
                          (default: $ROUNDS)
  --seconds S             length of each measured run, throughput and latency (default: $SECONDS_PER_RUN)
  --rate R                requests per second of the open-loop latency runs (default: $RATE)
  --connections C         connections of every load run (default: $CONNECTIONS)
  --upstream-keepalive N  idle connections nginx keeps open to kiwi (default: $UPSTREAM_KEEPALIVE,
                          as in the README's example)
  --sections LIST         which parts to run, e.g. "4" or "1 2" (default: "$SECTIONS")
  --people N              fictional people generated besides the demo city, so that the HR
                          report of section 4 covers a large administration (default: $PEOPLE;
                          0 for the demo city alone)
  --keep                  keep the temporary directory (logs, configuration, raw outputs)

Environment:
  KIWI_BIN                the kiwi binary (default: \${CARGO_TARGET_DIR:-<repo>/target}/release/kiwi)
EOF
}

positive_int() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "$1 needs a positive whole number" >&2; exit 2; }; }

while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) positive_int "$1" "${2:-}"; ROUNDS=$2; shift 2 ;;
        --seconds) positive_int "$1" "${2:-}"; SECONDS_PER_RUN=$2; shift 2 ;;
        --rate) positive_int "$1" "${2:-}"; RATE=$2; shift 2 ;;
        --connections) positive_int "$1" "${2:-}"; CONNECTIONS=$2; shift 2 ;;
        --upstream-keepalive) positive_int "$1" "${2:-}"; UPSTREAM_KEEPALIVE=$2; shift 2 ;;
        --sections) [[ "${2:-}" =~ ^[1-4]( [1-4])*$ ]] || { echo "--sections takes numbers 1 to 4, e.g. \"1 2\"" >&2; exit 2; }
            SECTIONS=$2; shift 2 ;;
        --people) [[ "${2:-}" =~ ^[0-9]+$ ]] || { echo "--people needs a whole number" >&2; exit 2; }
            PEOPLE=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done
if [ "$SECONDS_PER_RUN" -gt 600 ] || [ "$ROUNDS" -gt 20 ]; then
    echo "--seconds is at most 600 and --rounds at most 20" >&2
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
DEMO_ARGS=()
if [ "$PEOPLE" -gt 0 ]; then DEMO_ARGS=(--people "$PEOPLE"); fi
echo "starting kiwi demo (and $PEOPLE generated people) on 127.0.0.1:$KIWI_PORT ($PINNING)"
(
    export KIWI_BIND=127.0.0.1:$KIWI_PORT
    exec "${SERVER_CPU[@]}" "$KIWI_BIN" demo "${DEMO_ARGS[@]}"
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
sign_in() { # EMAIL JAR
    local csrf code
    curl -s -c "$2" -b "$2" -o "$WORK/login.html" --max-time 10 "$KIWI/login"
    csrf=$(grep -o 'name="csrf_token" value="[^"]*"' "$WORK/login.html" | head -n 1 |
        sed 's/.*value="\([^"]*\)"/\1/')
    [ -n "$csrf" ] || fail "no csrf_token on the sign-in page"
    code=$(curl -s -c "$2" -b "$2" -o /dev/null -w '%{http_code}' --max-time 30 \
        --data-urlencode "csrf_token=$csrf" --data-urlencode "email=$1" \
        --data-urlencode "password=$PASSWORD" "$KIWI/login")
    [ "$code" = 303 ] || fail "sign-in of $1 answered $code, expected 303"
    awk -F'\t' '$6 == "kiwi_session" { found = 1 } END { exit !found }' "$2" ||
        fail "the sign-in of $1 set no kiwi_session cookie"
}
JAR=$WORK/cookies.txt
sign_in "$PERSON" "$JAR"
HR_JAR=$WORK/hr-cookies.txt
sign_in "$HR_PERSON" "$HR_JAR"

# The way into the tool, as a browser takes it: kiwi hands a one-time code to the tool's
# host, whose /.kiwi/callback (kiwi, asked with that Host) sets kiwi's cookie there.
OPEN=$(curl -s -b "$JAR" -o /dev/null -w '%{redirect_url}' --max-time 10 "$KIWI/tools/$TOOL/open")
case "$OPEN" in
    */.kiwi/callback\?code=*) ;;
    *) fail "the way into $TOOL led to '$OPEN', not to the tool's host" ;;
esac
TOOL_HOST=${OPEN#*://}
TOOL_HOST=${TOOL_HOST%%/*}
curl -s -o /dev/null -D "$WORK/callback.headers" --max-time 10 -H "Host: $TOOL_HOST" \
    "$KIWI/.kiwi/callback?code=${OPEN##*code=}"
TOOL_COOKIE=$(grep -io '^set-cookie: [^;]*kiwi_tool=[^;]*' "$WORK/callback.headers" | head -n 1 |
    sed 's/^[Ss]et-[Cc]ookie: //')
[ -n "$TOOL_COOKIE" ] || { cat "$WORK/callback.headers" >&2; fail "the tool's host got no kiwi cookie"; }

API_URL="$KIWI/api/v1/access?tool=$TOOL&user=$PERSON"
API_HEADER="Authorization: Bearer $KEY"
FORWARD_URL="$KIWI/auth/verify?tool=$TOOL"
# kiwi without an access check: the same route for a tool that does not exist (404).
FLOOR_URL="$KIWI/auth/verify?tool=bench-no-such-tool"
COOKIE_HEADER="Cookie: $TOOL_COOKIE"

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
#   same file behind auth_request to "stub". Then the tool as the README has it, an
#   application behind proxy_pass, without auth and behind auth_request to kiwi;
# - "stub": an auth service that answers 200 at once, the best any auth service on this
#   core could do. It shows what auth_request itself costs here. The same nginx serves the
#   proxied tool (the static file).
REF_PORT=$(free_port)
STATIC_PORT=$(free_port)
GUARDED_PORT=$(free_port)
STUBBED_PORT=$(free_port)
STUB_PORT=$(free_port)
TOOL_PORT=$(free_port)
PROXIED_PORT=$(free_port)
PROXIED_GUARDED_PORT=$(free_port)
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

# How the front serves the dummy tool: as a static file, or from the tool's upstream.
STATIC_TOOL="root $WORK/nginx/tool; try_files /index.html =404;"
PROXIED_TOOL='proxy_pass http://tool; proxy_http_version 1.1; proxy_set_header Connection "";'

# A server with the dummy tool behind auth_request to UPSTREAM: guarded PORT UPSTREAM TOOL
guarded() {
    cat <<CONF
    server {
        listen 127.0.0.1:$1;
        location / {
            auth_request /_auth;
            auth_request_set \$kiwi_user \$upstream_http_x_kiwi_user;
            add_header X-Tool-User \$kiwi_user always;
            $3
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
    upstream tool { server 127.0.0.1:$TOOL_PORT; keepalive $UPSTREAM_KEEPALIVE; }
    server {
        listen 127.0.0.1:$REF_PORT;
        location / { return 204; }
    }
    server {
        listen 127.0.0.1:$STATIC_PORT;
        location / { $STATIC_TOOL }
    }
    server {
        listen 127.0.0.1:$PROXIED_PORT;
        location / { $PROXIED_TOOL }
    }
CONF
    guarded "$GUARDED_PORT" kiwi "$STATIC_TOOL"
    guarded "$STUBBED_PORT" stub "$STATIC_TOOL"
    guarded "$PROXIED_GUARDED_PORT" kiwi "$PROXIED_TOOL"
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
    server {
        listen 127.0.0.1:$TOOL_PORT;
        location / { $STATIC_TOOL }
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
PROXIED_URL="http://127.0.0.1:$PROXIED_PORT/chat"
PROXIED_GUARDED_URL="http://127.0.0.1:$PROXIED_GUARDED_PORT/chat"
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
expect 200 "$PROXIED_URL"
expect 200 "$PROXIED_GUARDED_URL" "$COOKIE_HEADER"
expect 401 "$PROXIED_GUARDED_URL"
expect 404 "$FLOOR_URL"
echo "nginx: reference 204, static page 200; behind auth_request to kiwi 200 with the session, 401 without"

# ----------------------------------------------------------------------------- load

SERVER_PIDS=("$KIWI_PID" "$NGINX_PID" "$STUB_PID")
WARNINGS=()
# CPU time per request of kiwi and of both nginx (µs) in each throughput run, by name.
declare -A CPU_KIWI=() CPU_NGINX=()
# "kiwi X µs, nginx Y µs per request" of a throughput run (medians of the rounds).
cpu_per_request() { # NAME
    printf '; CPU per request: kiwi %s µs, nginx %s µs' \
        "$(median "${CPU_KIWI[$1]}" 1)" "$(median "${CPU_NGINX[$1]}" 1)"
}

# CPU accounting of the runs on the servers' core (only when pinned): the largest share of
# core 0 that other programs, and the hypervisor (steal time), took in any round of a run.
declare -A OTHERS_MAX=() STEAL_MAX=()
cpu_start() {
    CPU_BEFORE=""
    if [ ${#SERVER_CPU[@]} -gt 0 ]; then
        CPU_BEFORE=$(python3 "$HERE/access-cpu.py" snap 0 "${SERVER_PIDS[@]}")
    fi
}
cpu_end() { # NAME
    [ -n "$CPU_BEFORE" ] || return 0
    local after busy ours others steal
    after=$(python3 "$HERE/access-cpu.py" snap 0 "${SERVER_PIDS[@]}")
    read -r busy ours others steal <<<"$(python3 "$HERE/access-cpu.py" share "$CPU_BEFORE" "$after")"
    if [ "$others" -gt "${OTHERS_MAX[$1]:-0}" ]; then OTHERS_MAX[$1]=$others; fi
    if [ "$steal" -gt "${STEAL_MAX[$1]:-0}" ]; then STEAL_MAX[$1]=$steal; fi
}
# A remark for the line of NAME when its runs were disturbed, which lowers its figures.
OTHERS_LIMIT=5
STEAL_LIMIT=10
cpu_note() { # NAME
    if [ "${OTHERS_MAX[$1]:-0}" -ge "$OTHERS_LIMIT" ]; then
        printf ' [other programs took up to %s%% of core 0]' "${OTHERS_MAX[$1]}"
    fi
    if [ "${STEAL_MAX[$1]:-0}" -ge "$STEAL_LIMIT" ]; then
        printf ' [the hypervisor took up to %s%% of core 0]' "${STEAL_MAX[$1]}"
    fi
}

# Throughput of one URL with wrk on core 1: wrk_run NAME URL [HEADER]
# In the first round a short warm-up comes first. Sets RPS. Socket errors stop the
# benchmark, and so do answers other than 2xx unless ALLOW_NON_2XX=1.
wrk_run() {
    local name=$1 url=$2 out=$WORK/wrk-$1-$ROUND.txt
    local header=()
    if [ $# -ge 3 ]; then header=(-H "$3"); fi
    if [ "$ROUND" = 1 ]; then
        timeout "$RUN_LIMIT" "${LOAD_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP_SECONDS}s" \
            "${header[@]}" "$url" >/dev/null
    fi
    cpu_start
    local ticks_before
    ticks_before=$(python3 "$HERE/access-cpu.py" ticks "${SERVER_PIDS[@]}")
    timeout "$RUN_LIMIT" "${LOAD_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" \
        "${header[@]}" "$url" >"$out"
    cpu_end "$name"
    # Each side's CPU time per answered request: kiwi, and both nginx together.
    local requests kiwi_us nginx_us stub_us
    requests=$(sed -n 's/^ *\([0-9][0-9]*\) requests in.*/\1/p' "$out")
    read -r kiwi_us nginx_us stub_us <<<"$(python3 "$HERE/access-cpu.py" per-request \
        "$ticks_before" "$(python3 "$HERE/access-cpu.py" ticks "${SERVER_PIDS[@]}")" "${requests:-0}")"
    CPU_KIWI[$name]+=" $kiwi_us"
    CPU_NGINX[$name]+=" $(py 'print(f"{a[0][0] + a[1][0]:.1f}")' "$nginx_us" "$stub_us")"
    if grep -q 'Socket errors' "$out" ||
        { [ "${ALLOW_NON_2XX:-0}" != 1 ] && grep -q 'Non-2xx' "$out"; }; then
        cat "$out" >&2
        fail "wrk against $name reported errors or answers other than 2xx"
    fi
    RPS=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$out")
    [ -n "$RPS" ] || { cat "$out" >&2; fail "no rate in the output of wrk against $name"; }
    RPS=$(int "$RPS")
}

# Latency at a fixed rate with oha on core 1: oha_run NAME URL [HEADER]
# In the first round a short warm-up comes first. Sets P50 P90 P99 MAX (ms) and ANSWERED
# (req/s). Requests are timed from when they were due, not from when they could be sent (no
# coordinated omission). Every answer must have the status EXPECT (default 200).
oha_run() {
    local name=$1 url=$2 out=$WORK/oha-$1-$ROUND.json stats
    local header=()
    if [ $# -ge 3 ]; then header=(-H "$3"); fi
    if [ "$ROUND" = 1 ]; then
        timeout "$RUN_LIMIT" "${LOAD_CPU[@]}" oha --no-tui --latency-correction -w \
            -c "$CONNECTIONS" -q "$RATE" -z "${WARMUP_SECONDS}s" "${header[@]}" "$url" \
            --output-format json >/dev/null
    fi
    cpu_start
    timeout "$RUN_LIMIT" "${LOAD_CPU[@]}" oha --no-tui --latency-correction -w \
        -c "$CONNECTIONS" -q "$RATE" -z "${SECONDS_PER_RUN}s" "${header[@]}" "$url" \
        --output-format json >"$out"
    cpu_end "$name"
    stats=$(python3 "$HERE/access-latency.py" "$out" "$RATE" "$SECONDS_PER_RUN" "${EXPECT:-200}") ||
        fail "the latency run against $name was not clean (see above)"
    read -r P50 P90 P99 MAX ANSWERED <<<"$stats"
}

# Small arithmetic on lists of figures (one per round, separated by spaces).
py() { python3 -c "import statistics, sys; a = [[float(x) for x in v.split()] for v in sys.argv[1:]]; $1" "${@:2}"; }
median() { py 'print(f"{statistics.median(a[0]):.{int(a[1][0])}f}")' "$1" "$2"; }   # LIST DECIMALS
largest() { py 'print(f"{max(a[0]):.3f}")' "$1"; }
ratios() { py 'print(" ".join(f"{x / y:.2f}" for x, y in zip(a[0], a[1])))' "$1" "$2"; }  # LIST LIST
at_least() { py 'sys.exit(0 if a[0][0] >= a[1][0] else 1)' "$1" "$2"; }
below() { py 'sys.exit(0 if a[0][0] < a[1][0] else 1)' "$1" "$2"; }
verdict() { if "$@"; then echo met; else echo MISSED; fi; }
int() { printf '%.0f' "$1"; }
line() { printf '   %-36s %s\n' "$1" "$2"; }   # LABEL FIGURES
# The rounds' figures after the median, when there is more than one round.
rounds() { if [ "$ROUNDS" -gt 1 ]; then printf ' [%s]' "${1# }"; fi; }

RESULTS=()
result() { RESULTS+=("$1"); }
wanted() { [[ " $SECTIONS " == *" $1 "* ]]; }

# Is the machine quiet? Other programs on these cores lower every figure. kiwi's own
# start-up work (the first mail-scheduler run over everyone) is waited for, up to 2 minutes.
if [ ${#SERVER_CPU[@]} -gt 0 ]; then
    waited=0
    while [ "$waited" -lt 120 ]; do
        read -r busy0 busy1 <<<"$(python3 "$HERE/access-cpu.py" idle 1 0 1)"
        if [ "$busy0" -lt 10 ] && [ "$busy1" -lt 10 ]; then break; fi
        waited=$((waited + 1))
    done
    [ "$waited" -eq 0 ] || echo "waited ${waited} s for the start-up work to end"
    read -r busy0 busy1 <<<"$(python3 "$HERE/access-cpu.py" idle 2 0 1)"
    echo "before the load: core 0 ${busy0}% busy, core 1 ${busy1}% busy (should be near 0)"
    if [ "$busy0" -ge 10 ] || [ "$busy1" -ge 10 ]; then
        WARNINGS+=("the machine was not quiet before the load: core 0 ${busy0}%, core 1 ${busy1}% busy")
    fi
fi
if [ "$ROUNDS" -gt 1 ]; then
    echo "each figure is the median of $ROUNDS rounds (the rounds' figures in brackets); ratios are taken within each round"
fi

# ----------------------------------------------------------------------------- 1. throughput
if wanted 1; then

echo
echo "1. throughput: wrk -t1 -c$CONNECTIONS -d${SECONDS_PER_RUN}s"
ref_list="" api_list="" fwd_list="" floor_list=""
for ROUND in $(seq 1 "$ROUNDS"); do
    wrk_run reference "$REF_URL"; ref_list+=" $RPS"
    wrk_run api "$API_URL" "$API_HEADER"; api_list+=" $RPS"
    wrk_run forward "$FORWARD_URL" "$COOKIE_HEADER"; fwd_list+=" $RPS"
    ALLOW_NON_2XX=1 wrk_run floor "$FLOOR_URL"; floor_list+=" $RPS"
done
api_ratios=$(ratios "$api_list" "$ref_list")
fwd_ratios=$(ratios "$fwd_list" "$ref_list")
floor_ratios=$(ratios "$floor_list" "$ref_list")
ref_rps=$(median "$ref_list" 0)
api_rps=$(median "$api_list" 0)
fwd_rps=$(median "$fwd_list" 0)
floor_rps=$(median "$floor_list" 0)
api_ratio=$(median "$api_ratios" 2)
fwd_ratio=$(median "$fwd_ratios" 2)
floor_ratio=$(median "$floor_ratios" 2)
api_ok=$(verdict at_least "$api_ratio" "$TARGET_RATIO_API")
fwd_ok=$(verdict at_least "$fwd_ratio" "$TARGET_RATIO_FORWARD")
line "nginx return 204 (reference)" "$ref_rps req/s$(rounds "$ref_list")$(cpu_per_request reference)$(cpu_note reference)"
line "kiwi API" "$api_rps req/s$(rounds "$api_list") = ${api_ratio}x the reference$(rounds "$api_ratios") (target >= ${TARGET_RATIO_API}x: $api_ok)$(cpu_per_request api)$(cpu_note api)"
line "kiwi forward auth" "$fwd_rps req/s$(rounds "$fwd_list") = ${fwd_ratio}x the reference$(rounds "$fwd_ratios") (target >= ${TARGET_RATIO_FORWARD}x: $fwd_ok)$(cpu_per_request forward)$(cpu_note forward)"
line "kiwi, no check (unknown tool, 404)" "$floor_rps req/s$(rounds "$floor_list") = ${floor_ratio}x the reference$(rounds "$floor_ratios") (no target: what any request costs in kiwi)$(cpu_per_request floor)$(cpu_note floor)"
result "1. API throughput: $api_rps req/s = ${api_ratio}x nginx's $ref_rps (>= ${TARGET_RATIO_API}x): $api_ok; CPU per request: kiwi $(median "${CPU_KIWI[api]}" 1) µs, nginx $(median "${CPU_NGINX[reference]}" 1) µs"
result "1. forward-auth throughput: $fwd_rps req/s = ${fwd_ratio}x nginx's $ref_rps (>= ${TARGET_RATIO_FORWARD}x): $fwd_ok; CPU per request: kiwi $(median "${CPU_KIWI[forward]}" 1) µs"
result "1. (kiwi answering without any check: ${floor_ratio}x nginx)"

fi

# ----------------------------------------------------------------------------- 2. latency
if wanted 2; then

echo
echo "2. latency: oha -c$CONNECTIONS -q$RATE -z${SECONDS_PER_RUN}s, open loop (ms)"
declare -A L50=() L90=() L99=() LMAX=() LRATE=()
for ROUND in $(seq 1 "$ROUNDS"); do
    for which in reference api forward; do
        case $which in
            reference) EXPECT=204 oha_run reference-latency "$REF_URL" ;;
            api) oha_run api-latency "$API_URL" "$API_HEADER" ;;
            forward) oha_run forward-latency "$FORWARD_URL" "$COOKIE_HEADER" ;;
        esac
        L50[$which]+=" $P50"; L90[$which]+=" $P90"; L99[$which]+=" $P99"
        LMAX[$which]+=" $MAX"; LRATE[$which]+=" $ANSWERED"
    done
done
ref_p99=$(median "${L99[reference]}" 3)
floor_note=""
if ! below "$ref_p99" "$TARGET_P99_MS"; then
    floor_note=", as does the reference"
fi
for which in reference api forward; do
    p50=$(median "${L50[$which]}" 3)
    p90=$(median "${L90[$which]}" 3)
    p99=$(median "${L99[$which]}" 3)
    max=$(largest "${LMAX[$which]}")
    answered=$(median "${LRATE[$which]}" 0)
    figures="p50 $p50  p90 $p90  p99 $p99$(rounds "${L99[$which]}")  max $max  ($answered req/s"
    case $which in
        reference)
            line "nginx return 204 (reference)" "$figures)$(cpu_note reference-latency)"
            continue ;;
        api) label="API" ;;
        forward) label="forward auth" ;;
    esac
    ok=$(verdict below "$p99" "$TARGET_P99_MS")
    note=""
    [ "$ok" = met ] || note=$floor_note
    line "kiwi $label" "$figures; target p99 < $TARGET_P99_MS ms: $ok$note)$(cpu_note "$which-latency")"
    result "2. $label latency at $RATE req/s: p50 $p50, p90 $p90, p99 $p99, max $max ms (p99 < $TARGET_P99_MS ms): $ok$note"
done
result "2. (the reference nginx at $RATE req/s: p99 $ref_p99 ms)"

fi

# ----------------------------------------------------------------------------- 3. auth_request
if wanted 3; then

echo
echo "3. nginx auth_request: wrk -t1 -c$CONNECTIONS -d${SECONDS_PER_RUN}s, a static page, upstream keepalive $UPSTREAM_KEEPALIVE"
static_list="" stubbed_list="" guarded_list=""
for ROUND in $(seq 1 "$ROUNDS"); do
    wrk_run static "$STATIC_URL"; static_list+=" $RPS"
    wrk_run stubbed "$STUBBED_URL" "$COOKIE_HEADER"; stubbed_list+=" $RPS"
    wrk_run guarded "$GUARDED_URL" "$COOKIE_HEADER"; guarded_list+=" $RPS"
done
stubbed_ratios=$(ratios "$stubbed_list" "$static_list")
guarded_ratios=$(ratios "$guarded_list" "$static_list")
share_ratios=$(ratios "$guarded_list" "$stubbed_list")
static_rps=$(median "$static_list" 0)
stubbed_rps=$(median "$stubbed_list" 0)
guarded_rps=$(median "$guarded_list" 0)
stubbed_ratio=$(median "$stubbed_ratios" 2)
guarded_ratio=$(median "$guarded_ratios" 2)
stub_share=$(median "$share_ratios" 2)
guarded_ok=$(verdict at_least "$guarded_ratio" "$TARGET_RATIO_AUTH_REQUEST")
line "without auth" "$static_rps req/s$(rounds "$static_list")$(cpu_per_request static)$(cpu_note static)"
line "auth_request to a stub (nginx 200)" "$stubbed_rps req/s$(rounds "$stubbed_list") = ${stubbed_ratio}x without$(rounds "$stubbed_ratios") (no target: the best any auth service on core 0 can do)$(cpu_note stubbed)"
line "auth_request to kiwi" "$guarded_rps req/s$(rounds "$guarded_list") = ${guarded_ratio}x without$(rounds "$guarded_ratios") (target >= ${TARGET_RATIO_AUTH_REQUEST}x: $guarded_ok), ${stub_share}x the stub$(cpu_per_request guarded)$(cpu_note guarded)"
result "3. auth_request: $guarded_rps req/s = ${guarded_ratio}x the unguarded $static_rps (>= ${TARGET_RATIO_AUTH_REQUEST}x): $guarded_ok"
result "3. (auth_request to a stub that answers at once: ${stubbed_ratio}x; kiwi reaches ${stub_share}x the stub)"

echo
echo "3b. nginx auth_request as in the README: the tool behind proxy_pass (an upstream with keepalive $UPSTREAM_KEEPALIVE)"
proxied_list="" proxied_guarded_list=""
for ROUND in $(seq 1 "$ROUNDS"); do
    wrk_run proxied "$PROXIED_URL"; proxied_list+=" $RPS"
    wrk_run proxied-guarded "$PROXIED_GUARDED_URL" "$COOKIE_HEADER"; proxied_guarded_list+=" $RPS"
done
proxied_ratios=$(ratios "$proxied_guarded_list" "$proxied_list")
proxied_rps=$(median "$proxied_list" 0)
proxied_guarded_rps=$(median "$proxied_guarded_list" 0)
proxied_ratio=$(median "$proxied_ratios" 2)
proxied_ok=$(verdict at_least "$proxied_ratio" "$TARGET_RATIO_AUTH_REQUEST")
line "without auth" "$proxied_rps req/s$(rounds "$proxied_list")$(cpu_note proxied)"
line "auth_request to kiwi" "$proxied_guarded_rps req/s$(rounds "$proxied_guarded_list") = ${proxied_ratio}x without$(rounds "$proxied_ratios") (target >= ${TARGET_RATIO_AUTH_REQUEST}x: $proxied_ok)$(cpu_note proxied-guarded)"
result "3b. auth_request, tool behind proxy_pass: $proxied_guarded_rps req/s = ${proxied_ratio}x the unguarded $proxied_rps (>= ${TARGET_RATIO_AUTH_REQUEST}x): $proxied_ok"

fi

# ----------------------------------------------------------------------------- 4. during HR reports
if wanted 4; then

# The forward-auth check at the fixed rate, once alone and once while HR asks for the report
# over the whole administration again and again (one at a time, from core 1): a report works
# on its own snapshot of the index, so the check should not wait for it.
REPORT_URL="$KIWI/hr/report"
code=$(curl -s -b "$HR_JAR" -o "$WORK/report.html" -w '%{http_code}' --max-time 60 "$REPORT_URL")
[ "$code" = 200 ] || fail "the HR report answered $code, expected 200"
report_loop() { # runs until killed; counts the reports in $WORK/reports-$ROUND
    local n=0
    while :; do
        "${LOAD_CPU[@]}" curl -s -b "$HR_JAR" -o /dev/null --max-time 60 "$REPORT_URL" || true
        n=$((n + 1))
        echo "$n" >"$WORK/reports-$ROUND"
    done
}
echo
echo "4. forward auth at $RATE req/s while HR reports over the whole administration run back to back ($PEOPLE generated people besides the demo city)"
quiet_list="" busy_list="" growth_list="" report_list=""
for ROUND in $(seq 1 "$ROUNDS"); do
    oha_run forward-quiet "$FORWARD_URL" "$COOKIE_HEADER"; quiet_list+=" $P99"
    report_loop &
    REPORT_PID=$!
    PIDS+=("$REPORT_PID")
    sleep 1
    oha_run forward-reports "$FORWARD_URL" "$COOKIE_HEADER"; busy_list+=" $P99"
    kill "$REPORT_PID" 2>/dev/null || true
    wait "$REPORT_PID" 2>/dev/null || true
    report_list+=" $(cat "$WORK/reports-$ROUND" 2>/dev/null || echo 0)"
done
growth_list=$(ratios "$busy_list" "$quiet_list")
quiet_p99=$(median "$quiet_list" 3)
busy_p99=$(median "$busy_list" 3)
growth=$(median "$growth_list" 2)
reports=$(median "$report_list" 0)
report_ok=$(verdict py 'sys.exit(0 if a[0][0] <= a[1][0] else 1)' "$growth" "$TARGET_REPORT_P99_GROWTH")
line "forward auth alone" "p99 $quiet_p99 ms$(rounds "$quiet_list")"
line "forward auth during HR reports" "p99 $busy_p99 ms$(rounds "$busy_list") = ${growth}x alone$(rounds "$growth_list") (target <= ${TARGET_REPORT_P99_GROWTH}x: $report_ok); $reports reports per run$(cpu_note forward-reports)"
result "4. forward auth during HR reports: p99 $busy_p99 ms = ${growth}x its $quiet_p99 ms alone (<= ${TARGET_REPORT_P99_GROWTH}x): $report_ok ($reports whole-administration reports per ${SECONDS_PER_RUN}s run)"

fi

# ----------------------------------------------------------------------------- summary

for name in "${!OTHERS_MAX[@]}"; do
    if [ "${OTHERS_MAX[$name]}" -ge "$OTHERS_LIMIT" ]; then
        WARNINGS+=("$name: other programs took up to ${OTHERS_MAX[$name]}% of core 0 in a run")
    fi
done
for name in "${!STEAL_MAX[@]}"; do
    if [ "${STEAL_MAX[$name]}" -ge "$STEAL_LIMIT" ]; then
        WARNINGS+=("$name: the hypervisor took up to ${STEAL_MAX[$name]}% of core 0 (steal time) in a run")
    fi
done
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
    echo "warnings (the figures of these runs are lower than on a quiet machine):"
    printf '  %s\n' "${WARNINGS[@]}"
    { grep -i -e ' ERROR ' -e 'panicked' "$WORK/kiwi.log" || true; } | head -n 5 | sed 's/^/    kiwi: /'
    cat "$WORK/nginx/error.log" "$WORK/stub/error.log" 2>/dev/null | head -n 5 | sed 's/^/    nginx: /'
fi
