#!/usr/bin/env bash
# kiwi benchmark: course catalog load, a module page against nginx, and quiz traffic on
# SQLite and PostgreSQL. Prints figures; it passes or fails nothing. See bench/README.md.
#
#   bash bench/courses.sh [--parts catalog,page,sqlite,postgres] [--people N]
#       [--deadline-people N] [--deadline-seconds S] [--page-seconds S] [--keep] [--help]
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
KIWI_BIN=${KIWI_BIN:-${CARGO_TARGET_DIR:-$REPO/target}/release/kiwi}

PARTS="catalog,page,sqlite,postgres"
PEOPLE=20000
DEADLINE_PEOPLE=3000
DEADLINE_SECONDS=10
DOUBLE_PEOPLE=200
PAGE_SECONDS=10
CONNECTIONS=32
KEEP=0
# An existing database on a PostgreSQL server where the benchmark may create its own.
PG_ADMIN_URL=${BENCH_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}
PG_DB=${BENCH_PG_DB:-kiwi_bench}

usage() {
    sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
    cat <<EOF

Options:
  --parts LIST            which parts to run, comma-separated (default: $PARTS)
                            catalog   load time of a generated 50-course catalog
                            page      one module page: kiwi against nginx serving the same HTML
                            sqlite    quiz traffic on SQLite
                            postgres  quiz traffic on PostgreSQL
  --people N              people with a session for the quiz runs (default: $PEOPLE)
  --deadline-people N     people starting a quiz in the deadline morning (default: $DEADLINE_PEOPLE)
  --deadline-seconds S    over how many seconds they start (default: $DEADLINE_SECONDS)
  --page-seconds S        length of each wrk run in the page comparison (default: $PAGE_SECONDS)
  --keep                  keep the temporary directory and the PostgreSQL bench database

Environment:
  KIWI_BIN                the kiwi binary (default: \${CARGO_TARGET_DIR:-<repo>/target}/release/kiwi)
  BENCH_PG_ADMIN_URL      a database on the PostgreSQL server to connect to for creating the
                          bench database (default: $PG_ADMIN_URL)
  BENCH_PG_DB             the bench database, dropped and created anew (default: $PG_DB)
EOF
}

while [ $# -gt 0 ]; do
    case "$1" in
        --parts) PARTS=$2; shift 2 ;;
        --people) PEOPLE=$2; shift 2 ;;
        --deadline-people) DEADLINE_PEOPLE=$2; shift 2 ;;
        --deadline-seconds) DEADLINE_SECONDS=$2; shift 2 ;;
        --page-seconds) PAGE_SECONDS=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done

want() { [[ ",$PARTS," == *",$1,"* ]]; }

# ----------------------------------------------------------------------------- tools

missing=()
need() { # command, Debian package
    command -v "$1" >/dev/null 2>&1 || missing+=("$1 (apt-get install -y $2)")
}
need python3 python3
need curl curl
need taskset util-linux
want catalog && need hyperfine hyperfine
if want page; then need nginx nginx; need wrk wrk; fi
if want sqlite || want postgres; then need wrk wrk; fi
want postgres && need psql postgresql-client
if [ ${#missing[@]} -gt 0 ]; then
    echo "missing tools:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    exit 1
fi
if [ ! -x "$KIWI_BIN" ]; then
    echo "no kiwi binary at $KIWI_BIN: build it with 'cargo build --release' or set KIWI_BIN" >&2
    exit 1
fi
if [ "$DEADLINE_PEOPLE" -gt "$PEOPLE" ]; then
    echo "--deadline-people must not exceed --people" >&2
    exit 2
fi

# kiwi and nginx on core 0, the load generators on core 1.
if [ "$(nproc)" -ge 2 ]; then
    SERVER_CPU=(taskset -c 0)
    LOAD_CPU=(taskset -c 1)
else
    echo "note: fewer than 2 cores; server and load generator share the CPU" >&2
    SERVER_CPU=()
    LOAD_CPU=()
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kiwi-bench.XXXXXX")
chmod 755 "$WORK"

# kiwi's settings come only from here, not from files in the current directory: no usage
# policy, no tools file (the repository's names courses the generated catalogs do not
# have), little logging.
unset KIWI_DATABASE_URL KIWI_BASE_URL KIWI_TRUST_PROXY KIWI_BIND KIWI_DATA_DIR KIWI_COURSES_DIR
export KIWI_LOG=warn
export KIWI_TOOLS_FILE=$WORK/no-tools.toml
export KIWI_POLICY_DIR=$WORK/no-policies
PIDS=()
PG_CREATED=0

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
        if [ "$PG_CREATED" = 1 ]; then
            PGOPTIONS="-c client_min_messages=warning" psql -X -q -d "$PG_ADMIN_URL" \
                -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
        fi
    fi
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits (at most 60 s) until URL answers, or until process PID (if given) has ended; on
# failure shows the end of LOG (if given): wait_for URL [PID [LOG]]
wait_for() {
    local url=$1 pid=${2:-} log=${3:-} i
    for i in $(seq 1 600); do
        if curl -s -o /dev/null "$url"; then return 0; fi
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then break; fi
        sleep 0.1
    done
    echo "nothing answers at $url" >&2
    if [ -n "$log" ]; then tail -20 "$log" >&2; fi
    return 1
}

# Runs a kiwi command with the settings of one setup: kiwi_env DATA COURSES DBURL cmd...
kiwi_env() {
    local data=$1 courses=$2 url=$3
    shift 3
    if [ -n "$url" ]; then
        KIWI_DATA_DIR=$data KIWI_COURSES_DIR=$courses KIWI_DATABASE_URL=$url "$KIWI_BIN" "$@"
    else
        KIWI_DATA_DIR=$data KIWI_COURSES_DIR=$courses "$KIWI_BIN" "$@"
    fi
}

# Starts `kiwi serve` on core 0 with KIWI_LOG=warn: start_kiwi DATA COURSES DBURL PORT LOG
start_kiwi() {
    local data=$1 courses=$2 url=$3 port=$4 log=$5
    (
        export KIWI_BIND=127.0.0.1:$port KIWI_DATA_DIR=$data KIWI_COURSES_DIR=$courses
        if [ -n "$url" ]; then export KIWI_DATABASE_URL=$url; fi
        exec "${SERVER_CPU[@]}" "$KIWI_BIN" serve
    ) >"$log" 2>&1 &
    KIWI_PID=$!
    PIDS+=("$KIWI_PID")
    wait_for "http://127.0.0.1:$port/healthz" "$KIWI_PID" "$log"
}

stop_pid() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# Adds a person with a password: add_person DATA COURSES DBURL EMAIL PASSWORD
add_person() {
    local data=$1 courses=$2 url=$3 email=$4 password=$5
    kiwi_env "$data" "$courses" "$url" users add --personnel-number "P-$RANDOM$RANDOM" \
        --name "Bench Reader" --email "$email" --org-unit "Benchmark" --language en >/dev/null
    printf '%s\n' "$password" | kiwi_env "$data" "$courses" "$url" users set-password "$email" >/dev/null
}

# Signs in like a browser and prints the session cookie's value: sign_in PORT EMAIL PASSWORD
sign_in() {
    local port=$1 email=$2 password=$3 jar html csrf code
    jar=$(mktemp "$WORK/jar.XXXXXX")
    html=$(mktemp "$WORK/login.XXXXXX")
    curl -s -c "$jar" -b "$jar" -o "$html" "http://127.0.0.1:$port/login"
    csrf=$(grep -o 'name="csrf_token" value="[0-9a-f]*"' "$html" | head -1 | sed 's/.*value="\([0-9a-f]*\)"/\1/')
    if [ -z "$csrf" ]; then echo "no csrf_token on the sign-in page" >&2; return 1; fi
    code=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' \
        --data-urlencode "email=$email" --data-urlencode "password=$password" \
        --data-urlencode "csrf_token=$csrf" "http://127.0.0.1:$port/login")
    if [ "$code" != 303 ]; then echo "sign-in answered $code, expected 303" >&2; return 1; fi
    awk -F'\t' '$6 == "kiwi_session" { print $7 }' "$jar"
}

SUMMARY=()
note() { SUMMARY+=("$1"); echo "$1"; }
# The load average at the end of a part: anything well above what the benchmark itself
# puts on the machine (about 1 to 2) means other work took CPU during that part.
load_note() { note "$1: load average at the end of this part: $(cut -d' ' -f1-3 /proc/loadavg)"; }

echo "kiwi benchmark"
echo "  binary: $KIWI_BIN ($("$KIWI_BIN" --version 2>/dev/null || echo unknown version))"
echo "  repository: $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$REPO" diff --quiet 2>/dev/null || echo ' (with uncommitted changes)') (the binary may have been built from another state)"
echo "  machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
if python3 -c "import sys; sys.exit(0 if float(open('/proc/loadavg').read().split()[0]) > 0.5 else 1)"; then
    echo "  note: the machine is busy with other work; every figure below will be lower than on a quiet machine"
fi
echo

CATALOG=$WORK/catalog
make_catalog() {
    if [ ! -d "$CATALOG" ]; then
        python3 "$HERE/gen_catalog.py" catalog "$CATALOG" --courses 50 --modules 10 --words 1000 >/dev/null
    fi
}

# ----------------------------------------------------------------------------- 1. catalog

if want catalog; then
    echo "== 1. Catalog load"
    make_catalog
    files=$(find "$CATALOG" -name '*.md' | wc -l)
    words=$(cat "$CATALOG"/*/*/*.md | wc -w)
    size=$(du -sh "$CATALOG" | cut -f1)
    echo "catalog: 50 courses x 10 modules x 2 languages = $files module files ($words words with the quizzes, $size)"
    ms=()
    for i in 1 2 3 4 5; do
        out=$("$KIWI_BIN" courses check "$CATALOG")
        line=$(printf '%s\n' "$out" | tail -1)
        case "$line" in
            *"all 50 courses are valid"*) ;;
            *) echo "kiwi courses check did not accept the catalog: $line" >&2; exit 1 ;;
        esac
        ms+=("$(printf '%s\n' "$line" | sed -n 's/.*checked in \([0-9]*\) ms.*/\1/p')")
    done
    sorted=$(printf '%s\n' "${ms[@]}" | sort -n | tr '\n' ' ')
    median=$(printf '%s\n' "${ms[@]}" | sort -n | sed -n 3p)
    note "catalog load (kiwi's own figure, loaded, rendered and checked): median $median ms of 5 runs [$sorted]"
    hyperfine -N --style none --warmup 2 --runs 10 --export-json "$WORK/hyperfine.json" \
        "$KIWI_BIN courses check $CATALOG" >/dev/null
    note "$(python3 - "$WORK/hyperfine.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f"catalog load (wall time of 'kiwi courses check', process start to exit): "
      f"mean {r['mean']*1000:.0f} ms ± {r['stddev']*1000:.0f} ms, "
      f"min {r['min']*1000:.0f} ms, max {r['max']*1000:.0f} ms (10 runs)")
EOF
)"
    load_note catalog
    echo
fi

# ----------------------------------------------------------------------------- 2. page

wrk_rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$1"; }

if want page; then
    echo "== 2. Module page: kiwi against nginx serving the same HTML"
    make_catalog
    data=$WORK/page-data
    port=$(free_port)
    add_person "$data" "$CATALOG" "" reader@bench.example "bench-password-2026"
    start_kiwi "$data" "$CATALOG" "" "$port" "$WORK/kiwi-page.log"
    token=$(sign_in "$port" reader@bench.example "bench-password-2026")
    page_path=/courses/prompting-grundlagen/modules/modul-05
    mkdir -p "$WORK/nginx/html" "$WORK/nginx/logs" "$WORK/nginx/tmp"
    code=$(curl -s -o "$WORK/nginx/html/module.html" -w '%{http_code}' \
        -H "Cookie: kiwi_session=$token" "http://127.0.0.1:$port$page_path")
    if [ "$code" != 200 ]; then echo "the module page answered $code" >&2; exit 1; fi
    bytes=$(wc -c <"$WORK/nginx/html/module.html")
    chmod -R a+rX "$WORK/nginx"
    ngport=$(free_port)
    cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    default_type text/html;
    client_body_temp_path $WORK/nginx/tmp/body;
    proxy_temp_path $WORK/nginx/tmp/proxy;
    fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
    scgi_temp_path $WORK/nginx/tmp/scgi;
    server {
        listen 127.0.0.1:$ngport;
        root $WORK/nginx/html;
        location = /module { try_files /module.html =404; }
    }
}
EOF
    "${SERVER_CPU[@]}" nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>"$WORK/nginx/logs/start.log" &
    NGINX_PID=$!
    PIDS+=("$NGINX_PID")
    wait_for "http://127.0.0.1:$ngport/module" "$NGINX_PID" "$WORK/nginx/logs/start.log"
    if ! curl -s "http://127.0.0.1:$ngport/module" | cmp -s - "$WORK/nginx/html/module.html"; then
        echo "nginx does not serve the saved page" >&2; exit 1
    fi
    echo "page: GET $page_path, $bytes bytes of HTML, signed in (session cookie)"
    # Warm both up, then measure each for the same time with the same load generator.
    "${LOAD_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d2s "http://127.0.0.1:$ngport/module" >/dev/null
    "${LOAD_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d2s -H "Cookie: kiwi_session=$token" \
        "http://127.0.0.1:$port$page_path" >/dev/null
    "${LOAD_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d"${PAGE_SECONDS}s" --latency \
        "http://127.0.0.1:$ngport/module" >"$WORK/wrk-nginx.txt"
    "${LOAD_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d"${PAGE_SECONDS}s" --latency \
        -H "Cookie: kiwi_session=$token" "http://127.0.0.1:$port$page_path" >"$WORK/wrk-kiwi.txt"
    # The session must still be valid: a 303 to the sign-in page would count as success.
    code=$(curl -s -o "$WORK/after.html" -w '%{http_code}' -H "Cookie: kiwi_session=$token" \
        "http://127.0.0.1:$port$page_path")
    if [ "$code" != 200 ]; then echo "after the run the module page answered $code" >&2; exit 1; fi
    for who in nginx kiwi; do
        if grep -q -e 'Non-2xx' -e 'Socket errors' "$WORK/wrk-$who.txt"; then
            echo "wrk against $who reported errors:" >&2
            grep -e 'Non-2xx' -e 'Socket errors' "$WORK/wrk-$who.txt" >&2
        fi
    done
    ng_rps=$(wrk_rps "$WORK/wrk-nginx.txt")
    kiwi_rps=$(wrk_rps "$WORK/wrk-kiwi.txt")
    read -r ng_p50 ng_p99 <<<"$(awk '$1=="50%"{a=$2} $1=="99%"{b=$2} END{print a, b}' "$WORK/wrk-nginx.txt")"
    read -r kiwi_p50 kiwi_p99 <<<"$(awk '$1=="50%"{a=$2} $1=="99%"{b=$2} END{print a, b}' "$WORK/wrk-kiwi.txt")"
    note "module page, nginx (static file, 1 worker, core 0): $ng_rps requests/s (latency p50 $ng_p50, p99 $ng_p99)"
    note "module page, kiwi (session, progress, page; core 0): $kiwi_rps requests/s (latency p50 $kiwi_p50, p99 $kiwi_p99)"
    note "module page, ratio kiwi/nginx: $(python3 -c "print(f'{$kiwi_rps / $ng_rps:.2f}')") (target at least 0.5)"
    stop_pid "$NGINX_PID"
    stop_pid "$KIWI_PID"
    load_note page
    echo
fi

# ----------------------------------------------------------------------------- 3. quiz

# Sends every request of LIST once with wrk on core 1: walk PORT LIST OUT
walk() {
    local port=$1 list=$2 out=$3
    "${LOAD_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d300s --timeout 30s -s "$HERE/walk.lua" \
        "http://127.0.0.1:$port" -- "$list" >"$out" 2>&1 || true
}
kv() { sed -n "s/^$1=//p" "$2" | tail -1; }

quiz() {
    local kind=$1
    local dir=$WORK/quiz-$kind url dburl
    echo "== 3. Quiz traffic on $kind"
    mkdir -p "$dir"
    python3 "$HERE/gen_catalog.py" quiz "$dir/courses" "$dir/key.json" >/dev/null
    if [ "$kind" = sqlite ]; then
        url=""
        dburl="sqlite:$dir/data/kiwi.sqlite"
    else
        PGOPTIONS="-c client_min_messages=warning" psql -X -q -d "$PG_ADMIN_URL" \
            -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
        psql -X -q -d "$PG_ADMIN_URL" -c "CREATE DATABASE $PG_DB" >/dev/null
        PG_CREATED=1
        url=$(python3 -c "
import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path='/' + sys.argv[2])))" \
            "$PG_ADMIN_URL" "$PG_DB")
        dburl=$url
    fi
    kiwi_env "$dir/data" "$dir/courses" "$url" migrate >/dev/null
    python3 "$HERE/quizdb.py" people "$PEOPLE" "$dir/people.csv"
    local t0 t1
    t0=$(date +%s.%N)
    kiwi_env "$dir/data" "$dir/courses" "$url" users import "$dir/people.csv" >/dev/null
    t1=$(date +%s.%N)
    echo "setup: imported $PEOPLE people in $(python3 -c "print(f'{$t1 - $t0:.1f}')") s (kiwi users import)"
    add_person "$dir/data" "$dir/courses" "$url" reader@bench.example "bench-password-2026"
    local port
    port=$(free_port)
    start_kiwi "$dir/data" "$dir/courses" "$url" "$port" "$dir/kiwi.log"
    local sample
    sample=$(sign_in "$port" reader@bench.example "bench-password-2026")
    echo "setup: session row kiwi wrote at sign-in: $(python3 "$HERE/quizdb.py" sample "$dburl" "$sample")"
    python3 "$HERE/quizdb.py" sessions "$dburl" "$PEOPLE" "$sample" "$dir/sessions.tsv" >/dev/null
    echo "setup: $PEOPLE sessions inserted in the same format"

    # A session of the inserted ones must be accepted (200, not a redirect to sign in).
    local first_token code
    first_token=$(head -1 "$dir/sessions.tsv" | cut -f2)
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: kiwi_session=$first_token" \
        "http://127.0.0.1:$port/courses/quiz-bench")
    if [ "$code" != 200 ]; then echo "an inserted session is not accepted ($code)" >&2; exit 1; fi

    # Starts: one attempt per person.
    python3 "$HERE/quizdb.py" starts "$dir/sessions.tsv" quiz-bench modul-01 "$dir/starts.list" >/dev/null
    python3 "$HERE/quizdb.py" refresh "$dburl" "$sample"
    walk "$port" "$dir/starts.list" "$dir/wrk-starts.txt"
    if [ "$(kv walk_complete "$dir/wrk-starts.txt")" != true ]; then
        echo "the start run did not finish:" >&2; cat "$dir/wrk-starts.txt" >&2
    fi
    note "$kind: quiz starts: $(kv walk_rate "$dir/wrk-starts.txt") starts/s ($(kv walk_answered "$dir/wrk-starts.txt") in $(kv walk_elapsed_s "$dir/wrk-starts.txt") s, statuses $(kv walk_statuses "$dir/wrk-starts.txt"); latency p50 $(kv wrk_latency_p50_ms "$dir/wrk-starts.txt") ms, p99 $(kv wrk_latency_p99_ms "$dir/wrk-starts.txt") ms)"

    # Submissions: each attempt once.
    python3 "$HERE/quizdb.py" submits "$dburl" "$dir/sessions.tsv" "$dir/key.json" modul-01 \
        "$dir/submits.list" "$dir/expected.json" >/dev/null
    python3 "$HERE/quizdb.py" refresh "$dburl" "$sample"
    walk "$port" "$dir/submits.list" "$dir/wrk-submits.txt"
    if [ "$(kv walk_complete "$dir/wrk-submits.txt")" != true ]; then
        echo "the submission run did not finish:" >&2; cat "$dir/wrk-submits.txt" >&2
    fi
    local target=""
    if [ "$kind" = sqlite ]; then target=" (target at least 1000/s)"; fi
    note "$kind: graded submissions: $(kv walk_rate "$dir/wrk-submits.txt") submissions/s ($(kv walk_answered "$dir/wrk-submits.txt") in $(kv walk_elapsed_s "$dir/wrk-submits.txt") s, statuses $(kv walk_statuses "$dir/wrk-submits.txt"); latency p50 $(kv wrk_latency_p50_ms "$dir/wrk-submits.txt") ms, p99 $(kv wrk_latency_p99_ms "$dir/wrk-submits.txt") ms)$target"
    note "$kind: $(python3 "$HERE/quizdb.py" check "$dburl" "$dir/key.json" modul-01 \
        "$(wc -l <"$dir/starts.list")" "$(wc -l <"$dir/submits.list")" "$dir/expected.json" \
        | tr '\n' ' ' | sed 's/  */ /g')"

    # Deadline morning: DEADLINE_PEOPLE people start the second module's quiz, open loop.
    python3 "$HERE/quizdb.py" starts "$dir/sessions.tsv" quiz-bench modul-02 "$dir/deadline.list" \
        "$DEADLINE_PEOPLE" >/dev/null
    python3 "$HERE/quizdb.py" refresh "$dburl" "$sample"
    "${LOAD_CPU[@]}" python3 "$HERE/deadline.py" open-loop 127.0.0.1 "$port" "$dir/deadline.list" \
        "$DEADLINE_SECONDS" "$dir/deadline.json"
    note "$kind: deadline morning: $(python3 - "$dir/deadline.json" "$DEADLINE_SECONDS" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"{r['requests']} people starting a quiz over {sys.argv[2]} s: {r['successes']} succeeded "
      f"(statuses {r['statuses']}); latency p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, "
      f"p99 {r['p99_ms']:.1f} ms, max {r['max_ms']:.1f} ms "
      f"(generator lag at most {r['max_generator_lag_ms']:.1f} ms) (target: all succeed, p99 under 100 ms)")
EOF
)"
    note "$kind: deadline $(python3 "$HERE/quizdb.py" check "$dburl" "$dir/key.json" modul-02 \
        "$(wc -l <"$dir/deadline.list")" 0 | tr '\n' ' ' | sed 's/  */ /g')"

    # Double click: people who have not started module 2 yet each send the start twice at
    # the same moment. Each must end up with one open attempt.
    local probe=$((PEOPLE - DEADLINE_PEOPLE))
    if [ "$probe" -gt "$DOUBLE_PEOPLE" ]; then probe=$DOUBLE_PEOPLE; fi
    if [ "$probe" -gt 0 ]; then
        python3 "$HERE/quizdb.py" starts "$dir/sessions.tsv" quiz-bench modul-02 "$dir/double.list" \
            "$probe" "$DEADLINE_PEOPLE" >/dev/null
        python3 "$HERE/quizdb.py" refresh "$dburl" "$sample"
        "${LOAD_CPU[@]}" python3 "$HERE/deadline.py" double 127.0.0.1 "$port" "$dir/double.list" \
            "$dir/double.json"
        note "$kind: double click: $(python3 - "$dir/double.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"{r['people']} people each sent 'start quiz' twice at once: both answered for "
      f"{r['both_answered']}, sent to two different attempts for {r['two_attempts']} (should be 0)")
EOF
)"
        note "$kind: double click $(python3 "$HERE/quizdb.py" check "$dburl" "$dir/key.json" modul-02 \
            "$((DEADLINE_PEOPLE + probe))" 0 | tr '\n' ' ' | sed 's/  */ /g')"
    fi
    stop_pid "$KIWI_PID"
    load_note "$kind"
    echo
}

want sqlite && quiz sqlite
want postgres && quiz postgres

echo "== Summary"
printf '%s\n' "${SUMMARY[@]}"
