#!/usr/bin/env bash
# What counting metrics costs the access check: two kiwi servers on the same demo database,
# one counting (KIWI_METRICS_TOKEN set, /metrics served) and one not (neither
# KIWI_METRICS_TOKEN nor KIWI_METRICS_BIND: no recorder, nothing counted), loaded in turn
# with wrk on the access-check API and on forward auth, interleaved over several rounds.
# Prints requests/s of each run, the ratio on/off, and kiwi's CPU time per request (from
# /proc/<pid>/stat), next to the target: throughput with metrics on within 5 % of off.
# Then, since throughput on a shared machine varies by more than 5 % from run to run, the
# instructions kiwi executes per request, on and off, counted by valgrind's callgrind: the
# same count whatever else the machine is doing.
#
#   bash bench/metrics.sh [--rounds N] [--seconds S] [--connections C] [--requests N]
#                         [--no-instructions] [--keep]
#
# Builds the release binary unless KIWI_BIN names one. Needs wrk, curl, python3, taskset,
# and valgrind for the instruction counts.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
ROUNDS=3
SECONDS_PER_RUN=10
WARMUP_SECONDS=2
CONNECTIONS=32
KEEP=0
INSTRUCTIONS=1
REQUESTS_COUNTED=5000
TARGET_PERCENT=5

TOOL=kreativbot
PERSON=sabine.wolf@musterstadt.example
PASSWORD=kiwi-demo-2026

positive_int() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "$1 needs a positive whole number" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) positive_int "$1" "${2:-}"; ROUNDS=$2; shift 2 ;;
        --seconds) positive_int "$1" "${2:-}"; SECONDS_PER_RUN=$2; shift 2 ;;
        --connections) positive_int "$1" "${2:-}"; CONNECTIONS=$2; shift 2 ;;
        --requests) positive_int "$1" "${2:-}"; REQUESTS_COUNTED=$2; shift 2 ;;
        --no-instructions) INSTRUCTIONS=0; shift ;;
        --keep) KEEP=1; shift ;;
        -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
[ "$SECONDS_PER_RUN" -le 600 ] && [ "$ROUNDS" -le 20 ] ||
    { echo "--seconds is at most 600 and --rounds at most 20" >&2; exit 2; }
RUN_LIMIT=$((SECONDS_PER_RUN + 60))

fail() {
    echo "error: $*" >&2
    exit 1
}

missing=()
for tool in wrk curl python3 taskset timeout; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] ||
    fail "missing: ${missing[*]} (apt-get install -y wrk curl python3 util-linux coreutils)"

cd "$REPO"
if [ -z "${KIWI_BIN:-}" ]; then
    echo "building release (cargo build --release --locked)"
    cargo build --release --locked --quiet --bin kiwi
    KIWI_BIN=${CARGO_TARGET_DIR:-$REPO/target}/release/kiwi
fi
[ -x "$KIWI_BIN" ] || fail "no kiwi binary at $KIWI_BIN"

if [ "$(nproc)" -ge 2 ]; then
    SERVER_CPU=(taskset -c 0)
    LOAD_CPU=(taskset -c 1)
    PINNING="both kiwi servers on core 0, wrk on core 1"
else
    SERVER_CPU=()
    LOAD_CPU=()
    PINNING="unpinned (fewer than 2 cores): the figures mean little"
fi

WORK=$(mktemp -d -t kiwi-metrics-bench.XXXXXX)
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ "$KEEP" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Settings only from here: the repository's content, a fresh data directory, little logging.
unset KIWI_DATABASE_URL KIWI_BASE_URL KIWI_TRUST_PROXY KIWI_BIND KIWI_METRICS_TOKEN KIWI_METRICS_BIND
export KIWI_DATA_DIR=$WORK/data
export KIWI_COURSES_DIR=$REPO/courses
export KIWI_TOOLS_FILE=$REPO/tools.toml
export KIWI_CONTACTS=$REPO/contacts.toml
export KIWI_POLICY_DIR=$REPO/policies/ai-usage
export KIWI_LOG=warn

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

echo "seeding the demo city (kiwi demo --seed-only) and a key for $TOOL"
"$KIWI_BIN" demo --seed-only >"$WORK/seed.log" 2>&1 || { cat "$WORK/seed.log" >&2; fail "kiwi demo --seed-only"; }
"$KIWI_BIN" tools key "$TOOL" >"$WORK/key.txt" 2>&1 || { cat "$WORK/key.txt" >&2; fail "kiwi tools key"; }
KEY=$(grep -o 'kiwi_[0-9a-f]*' "$WORK/key.txt" | tail -n 1)
[ -n "$KEY" ] || fail "no key in the output of kiwi tools key"
TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(16))')

declare -A PORT PID
start_kiwi() { # MODE: on or off
    local mode=$1 port
    port=$(free_port)
    (
        export KIWI_BIND=127.0.0.1:$port
        if [ "$mode" = on ]; then export KIWI_METRICS_TOKEN=$TOKEN; fi
        exec "${SERVER_CPU[@]}" "$KIWI_BIN" serve
    ) >"$WORK/kiwi-$mode.log" 2>&1 &
    PID[$mode]=$!
    PIDS+=("$!")
    PORT[$mode]=$port
    for _ in $(seq 1 300); do
        if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/healthz"; then return 0; fi
        kill -0 "${PID[$mode]}" 2>/dev/null || break
        sleep 0.1
    done
    cat "$WORK/kiwi-$mode.log" >&2
    fail "kiwi (metrics $mode) did not start"
}
start_kiwi off
start_kiwi on
echo "kiwi with metrics off: pid ${PID[off]}, port ${PORT[off]}; on: pid ${PID[on]}, port ${PORT[on]} ($PINNING)"

# A session for forward auth, signed in like a browser (sessions live in the database, so
# both servers know it).
BASE_OFF="http://127.0.0.1:${PORT[off]}"
JAR=$WORK/cookies.txt
curl -s -c "$JAR" -b "$JAR" -o "$WORK/login.html" --max-time 10 "$BASE_OFF/login"
CSRF=$(grep -o 'name="csrf_token" value="[^"]*"' "$WORK/login.html" | head -n 1 | sed 's/.*value="\([^"]*\)"/\1/')
[ -n "$CSRF" ] || fail "no csrf_token on the sign-in page"
code=$(curl -s -c "$JAR" -b "$JAR" -o /dev/null -w '%{http_code}' --max-time 30 \
    --data-urlencode "csrf_token=$CSRF" --data-urlencode "email=$PERSON" \
    --data-urlencode "password=$PASSWORD" "$BASE_OFF/login")
[ "$code" = 303 ] || fail "sign-in answered $code, expected 303"
SESSION=$(awk -F'\t' '$6 == "kiwi_session" { print $7 }' "$JAR")
[ -n "$SESSION" ] || fail "the sign-in set no kiwi_session cookie"

API_HEADER="Authorization: Bearer $KEY"
COOKIE_HEADER="Cookie: kiwi_session=$SESSION"
url_of() { # MODE ENDPOINT
    case $2 in
        api) echo "http://127.0.0.1:${PORT[$1]}/api/v1/access?tool=$TOOL&user=$PERSON" ;;
        forward) echo "http://127.0.0.1:${PORT[$1]}/auth/verify?tool=$TOOL" ;;
    esac
}
header_of() { case $1 in api) echo "$API_HEADER" ;; forward) echo "$COOKIE_HEADER" ;; esac; }

# Both servers answer both endpoints with 200 (the key and the session reach each one's
# cache through the change feed within a poll or two).
for mode in off on; do
    for endpoint in api forward; do
        for _ in $(seq 1 100); do
            code=$(curl -s -o "$WORK/probe.txt" -w '%{http_code}' --max-time 5 \
                -H "$(header_of "$endpoint")" "$(url_of "$mode" "$endpoint")")
            [ "$code" = 200 ] && break
            sleep 0.1
        done
        [ "$code" = 200 ] || { cat "$WORK/probe.txt" >&2; fail "$endpoint on the metrics-$mode server answered $code"; }
    done
done
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE_OFF/metrics")
[ "$code" = 404 ] || fail "/metrics of the metrics-off server answered $code, expected 404"

# The access checks the metrics-on server has counted (all tools and results).
counted() {
    curl -s --max-time 10 -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:${PORT[on]}/metrics" |
        awk '/^kiwi_access_checks_total\{/ { sum += $NF } END { printf "%d\n", sum }'
}
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
CLK_TCK=$(getconf CLK_TCK)

# One measured run: wrk on core 1 against MODE's server. Sets RPS, REQUESTS, US_PER_REQUEST.
run() { # MODE ENDPOINT
    local mode=$1 endpoint=$2 out=$WORK/wrk-$1-$2-$ROUND.txt before after url header
    url=$(url_of "$mode" "$endpoint")
    header=$(header_of "$endpoint")
    timeout "$RUN_LIMIT" "${LOAD_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP_SECONDS}s" \
        -H "$header" "$url" >/dev/null
    before=$(ticks "${PID[$mode]}")
    timeout "$RUN_LIMIT" "${LOAD_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" \
        -H "$header" "$url" >"$out"
    after=$(ticks "${PID[$mode]}")
    if grep -q -e 'Socket errors' -e 'Non-2xx' "$out"; then
        cat "$out" >&2
        fail "wrk against $endpoint (metrics $mode) reported errors or answers other than 2xx"
    fi
    RPS=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$out")
    REQUESTS=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$out")
    [ -n "$RPS" ] && [ -n "$REQUESTS" ] || { cat "$out" >&2; fail "no figures in the output of wrk"; }
    US_PER_REQUEST=$(python3 -c "print(f'{($after - $before) / $CLK_TCK / $REQUESTS * 1e6:.2f}')")
}

LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
echo
echo "wrk -t1 -c$CONNECTIONS -d${SECONDS_PER_RUN}s after a ${WARMUP_SECONDS}s warm-up, $ROUNDS rounds, on and off interleaved"
if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > 1.0 else 1)" "$LOAD_BEFORE"; then
    echo "note: the load average is $LOAD_BEFORE before the runs: other work shares the cores, and the"
    echo "      throughput of single runs varies by more than the 5 % to be shown (see the instruction counts below)"
fi
echo "(the order alternates: odd rounds off then on, even rounds on then off)"
printf '%-8s %-6s %-4s %12s %14s\n' endpoint round mode 'req/s' 'CPU us/req'
declare -A LIST_RPS LIST_CPU
counted_before=$(counted)
measured_on=0
for ROUND in $(seq 1 "$ROUNDS"); do
    if [ $((ROUND % 2)) = 1 ]; then order=(off on); else order=(on off); fi
    for endpoint in api forward; do
        for mode in "${order[@]}"; do
            run "$mode" "$endpoint"
            LIST_RPS[$endpoint-$mode]+=" $RPS"
            LIST_CPU[$endpoint-$mode]+=" $US_PER_REQUEST"
            if [ "$mode" = on ]; then measured_on=$((measured_on + REQUESTS)); fi
            printf '%-8s %-6s %-4s %12.0f %14s\n' "$endpoint" "$ROUND" "$mode" "$RPS" "$US_PER_REQUEST"
        done
    done
done
counted_after=$(counted)

# The metrics-on server really counted: at least every measured request (warm-ups add more).
counted_delta=$((counted_after - counted_before))
[ "$counted_delta" -ge "$measured_on" ] ||
    fail "the metrics-on server counted $counted_delta access checks, fewer than the $measured_on measured"

echo
echo "summary (median of $ROUNDS rounds; the ratio is on/off within each round, then the median):"
python3 - "$TARGET_PERCENT" "${LIST_RPS[api-off]}" "${LIST_RPS[api-on]}" "${LIST_CPU[api-off]}" "${LIST_CPU[api-on]}" \
    "${LIST_RPS[forward-off]}" "${LIST_RPS[forward-on]}" "${LIST_CPU[forward-off]}" "${LIST_CPU[forward-on]}" <<'PY'
import statistics, sys
target = float(sys.argv[1])
lists = [[float(x) for x in v.split()] for v in sys.argv[2:]]
missed = False
for name, (rps_off, rps_on, cpu_off, cpu_on) in (("API", lists[0:4]), ("forward auth", lists[4:8])):
    ratios = [on / off for on, off in zip(rps_on, rps_off)]
    cpu_ratios = [on / off for on, off in zip(cpu_on, cpu_off)]
    ratio = statistics.median(ratios)
    difference = (1 - ratio) * 100
    ok = difference <= target
    missed |= not ok
    print(f"  {name}: off {statistics.median(rps_off):.0f} req/s, on {statistics.median(rps_on):.0f} req/s, "
          f"on/off {ratio:.3f} [{' '.join(f'{r:.3f}' for r in ratios)}]: "
          f"{abs(difference):.1f} % {'slower' if difference > 0 else 'faster'} with metrics on "
          f"(target: at most {target:.0f} % slower: {'met' if ok else 'MISSED'})")
    print(f"  {name}: CPU per request off {statistics.median(cpu_off):.2f} us, on {statistics.median(cpu_on):.2f} us, "
          f"on/off {statistics.median(cpu_ratios):.3f} [{' '.join(f'{r:.3f}' for r in cpu_ratios)}]")
PY
echo "  the metrics-on server counted $counted_delta access checks during the runs (>= the $measured_on measured); the off server serves no /metrics"
echo "  ($PINNING; load average now: $(cut -d' ' -f1-3 /proc/loadavg))"

# ----------------------------------------------------------------------------- instructions

echo
if [ "$INSTRUCTIONS" = 0 ]; then
    echo "instructions per request: skipped (--no-instructions)"
    exit 0
fi
if ! command -v valgrind >/dev/null || ! command -v callgrind_control >/dev/null; then
    echo "instructions per request: skipped, valgrind is not installed (apt-get install -y valgrind)"
    exit 0
fi
# Stop the two servers above; the counted ones run under callgrind, one at a time.
for mode in off on; do kill "${PID[$mode]}" 2>/dev/null || true; wait "${PID[$mode]}" 2>/dev/null || true; done
cat >"$WORK/client.py" <<'PY'
# N requests, one after another on one kept-alive connection; every answer must be 200.
# Prints how long they took, in seconds.
import http.client, sys, time
port, path, header, n = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
started = time.monotonic()
name, value = header.split(": ", 1)
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
for _ in range(n):
    connection.request("GET", path, headers={name: value})
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        sys.exit(f"{path} answered {response.status}")
print(f"{time.monotonic() - started:.3f}")
PY
path_of() { case $1 in api) echo "/api/v1/access?tool=$TOOL&user=$PERSON" ;; forward) echo "/auth/verify?tool=$TOOL" ;; esac; }
echo "instructions per request: valgrind --tool=callgrind, $REQUESTS_COUNTED requests on one connection after 500 unmeasured"
echo "(kiwi's background work, such as the change-feed poll, is counted for 3 s of idling and"
echo " subtracted in proportion to how long the requests took)"
# Instructions counted since callgrind_control -z: callgrind_control -d, then the dump's total.
counted_since_zero() { # PID MODE
    callgrind_control -d "$1" >/dev/null 2>&1 || fail "callgrind_control -d $1"
    local dump
    dump=$(ls -t "$WORK/callgrind-$2.out".* | head -n 1)
    sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$dump" | grep . || fail "no totals in $dump"
}
declare -A IR
for mode in off on; do
    port=$(free_port)
    (
        export KIWI_BIND=127.0.0.1:$port
        if [ "$mode" = on ]; then export KIWI_METRICS_TOKEN=$TOKEN; fi
        exec valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind-$mode.out" "$KIWI_BIN" serve
    ) >"$WORK/callgrind-$mode.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    for _ in $(seq 1 1200); do
        curl -s -o /dev/null --max-time 2 -H "$API_HEADER" "http://127.0.0.1:$port$(path_of api)" && break
        kill -0 "$pid" 2>/dev/null || { cat "$WORK/callgrind-$mode.log" >&2; fail "kiwi under callgrind ended"; }
        sleep 0.1
    done
    # The background's rate: instructions per second while nothing is asked.
    sleep 1
    callgrind_control -z "$pid" >/dev/null 2>&1 || fail "callgrind_control -z $pid"
    idle_started=$(date +%s.%N)
    sleep 3
    idle=$(counted_since_zero "$pid" "$mode")
    idle_rate=$(python3 -c "import sys; print($idle / ($(date +%s.%N) - $idle_started))")
    for endpoint in api forward; do
        timeout 600 python3 "$WORK/client.py" "$port" "$(path_of "$endpoint")" "$(header_of "$endpoint")" 500 >/dev/null ||
            fail "the warm-up of $endpoint (metrics $mode) under callgrind failed"
        callgrind_control -z "$pid" >/dev/null 2>&1 || fail "callgrind_control -z $pid"
        took=$(timeout 600 python3 "$WORK/client.py" "$port" "$(path_of "$endpoint")" "$(header_of "$endpoint")" "$REQUESTS_COUNTED") ||
            fail "the counted requests to $endpoint (metrics $mode) failed"
        total=$(counted_since_zero "$pid" "$mode")
        IR[$endpoint-$mode]=$(python3 -c "print(round(($total - $idle_rate * $took) / $REQUESTS_COUNTED))")
        printf '  %-8s metrics %-3s %d instructions in %.1f s, background %.0f/s: %d per request\n' \
            "$endpoint" "$mode" "$total" "$took" "$idle_rate" "${IR[$endpoint-$mode]}"
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
done
for endpoint in api forward; do
    python3 - "$endpoint" "${IR[$endpoint-off]}" "${IR[$endpoint-on]}" "$TARGET_PERCENT" <<'PY'
import sys
name = {"api": "API", "forward": "forward auth"}[sys.argv[1]]
off, on, target = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
more = (on / off - 1) * 100
print(f"  {name}: off {off} instructions/request, on {on}, on/off {on / off:.3f}: "
      f"{abs(more):.1f} % {'more' if more > 0 else 'fewer'} with metrics on "
      f"(target: at most {target:.0f} % more: {'met' if more <= target else 'MISSED'})")
PY
done
