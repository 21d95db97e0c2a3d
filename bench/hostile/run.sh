#!/usr/bin/env bash
# Runs every hostile check in sequence against a fresh kiwi each (SQLite), and the kill -9
# loop on PostgreSQL too with --postgres. Prints each script's lines, then a summary table.
# Exits 1 when any check is broken.
#
#   bash bench/hostile/run.sh [--postgres] [--pg-url postgres://postgres@127.0.0.1:5432/kiwi_hostile_killnine]
#
# KIWI_BIN chooses the binary (default: the release build, else the debug build).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
POSTGRES=0
PG_URL=${HOSTILE_PG_URL:-postgres://postgres@127.0.0.1:5432/kiwi_hostile_killnine}
while [ $# -gt 0 ]; do
    case $1 in
        --postgres) POSTGRES=1 ;;
        --pg-url) PG_URL=$2; POSTGRES=1; shift ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
runs=(
    "signin_burst.py"
    "signin_burst.py --trust-proxy"
    "redirects.py"
    "escalation.py"
    "mail_lf.py"
    "sweep.py"
    "killnine.py"
)
if [ "$POSTGRES" = 1 ]; then
    runs+=("killnine.py --database-url $PG_URL")
fi

status=0
for run in "${runs[@]}"; do
    echo "== $run"
    started=$(date +%s)
    # shellcheck disable=SC2086 # the options are meant to split
    timeout 300 python3 "$HERE"/$run | tee -a "$OUT/lines"
    rc=${PIPESTATUS[0]}
    echo "   (exit $rc, $(( $(date +%s) - started )) s)"
    if [ "$rc" != 0 ]; then status=1; fi
    if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
        echo "broken  $run: the script itself failed (exit $rc)" | tee -a "$OUT/lines"
    fi
done

echo
echo "== summary"
printf '%-7s  %s\n' "result" "check: figure"
grep -E '^(held|broken) ' "$OUT/lines" | sed -E 's/^(held|broken) +/\1\t/' |
    awk -F'\t' '{ printf "%-7s  %s\n", $1, $2 }'
echo
echo "held: $(grep -c '^held ' "$OUT/lines"), broken: $(grep -c '^broken ' "$OUT/lines")"
exit $status
