#!/usr/bin/env bash
# kiwi start-up and memory with a large administration: seeds `kiwi demo --people N
# --seed-only` into a fresh data directory, starts `kiwi serve`, and prints how long the
# first access check takes to answer and how much memory the server holds after it.
#
#   bash bench/memory.sh [N ...]        (default: 50000 166000)
#
# Targets: the first answer within 1.5 s of starting, at most 120 MiB resident.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
KIWI_BIN=${KIWI_BIN:-${CARGO_TARGET_DIR:-$REPO/target}/release/kiwi}
PORT=${PORT:-18089}
TOOL=kreativbot
PERSON=anna.schmidt@musterstadt.example

[ $# -gt 0 ] || set -- 50000 166000
cd "$REPO"
# rss/anon: one second after the first answer; settled: once the start-up work is done;
# peak: the most the process held at any time (VmHWM).
printf '%-8s %12s %12s %12s %12s %12s %12s\n' people first_answer rss_mib anon_mib \
    settled_rss settled_anon peak_rss
for people in "$@"; do
    data=$(mktemp -d)
    "$KIWI_BIN" demo --people "$people" --seed-only --data-dir "$data" >/dev/null 2>&1
    key=$("$KIWI_BIN" tools key "$TOOL" --data-dir "$data" 2>/dev/null | grep -o 'kiwi_[A-Za-z0-9_]*' | head -1)
    start=$(date +%s.%N)
    KIWI_LOG=warn "$KIWI_BIN" serve --bind "127.0.0.1:$PORT" --data-dir "$data" >/dev/null 2>&1 &
    pid=$!
    until curl -fs -H "Authorization: Bearer $key" \
        "http://127.0.0.1:$PORT/api/v1/access?tool=$TOOL&user=$PERSON" >/dev/null 2>&1; do
        sleep 0.01
    done
    answered=$(date +%s.%N)
    sleep 1
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
    anon=$(awk '/^RssAnon/ {print $2}' "/proc/$pid/status")
    # Then once the start-up work is done (the first mail-scheduler run over everyone and
    # the mails it queued): less than 5 % of a core over half a second.
    ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
    for _ in $(seq 240); do
        before=$(ticks); sleep 0.5
        [ $(( $(ticks) - before )) -le 2 ] && break
    done
    settled_rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
    settled_anon=$(awk '/^RssAnon/ {print $2}' "/proc/$pid/status")
    peak=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    rm -rf "$data"
    mib() { echo "$1 / 1024" | bc -l; }
    printf '%-8s %11.2fs %12.1f %12.1f %12.1f %12.1f %12.1f\n' "$people" \
        "$(echo "$answered - $start" | bc)" "$(mib "$rss")" "$(mib "$anon")" \
        "$(mib "$settled_rss")" "$(mib "$settled_anon")" "$(mib "$peak")"
done
