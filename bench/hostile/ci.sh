#!/usr/bin/env bash
# What CI runs of the hostile suite: every cargo-fuzz target for FUZZ_SECONDS (60) each,
# then the malformed-request sweep (bounded). Prints per fuzz target the executions and
# crashes, and the sweep's figures; exits 1 on a crash, a 5xx or a panic.
#
#   bash bench/hostile/ci.sh
#
# variables: FUZZ_SECONDS (60), FUZZ_TARGETS (all four), SWEEP_REQUESTS (20000),
# SWEEP_SECONDS (100), FUZZ_TARGET_DIR (the fuzz build, apart from kiwi's own:
# <repo>/fuzz/target), KIWI_BIN (the kiwi binary the sweep starts; without it kiwi is built
# with `cargo build` into CARGO_TARGET_DIR or <repo>/target).
#
# cargo-fuzz needs nightly features; on a stable toolchain RUSTC_BOOTSTRAP=1 allows them.
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
SECONDS_EACH=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-return_path csv_import markdown course_module}
export RUSTC_BOOTSTRAP=1
FUZZ_TARGET_DIR=${FUZZ_TARGET_DIR:-$REPO/fuzz/target}

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz"
    cargo install cargo-fuzz --locked || exit 2
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
status=0
results=()
cd "$REPO" || exit 2
for target in $TARGETS; do
    echo "== fuzz $target for $SECONDS_EACH s"
    corpus="$WORK/corpus-$target"
    mkdir -p "$corpus" "$REPO/fuzz/artifacts/$target"
    # New inputs go to the temporary corpus; the seeds in the repository are only read.
    CARGO_TARGET_DIR=$FUZZ_TARGET_DIR cargo fuzz run "$target" "$corpus" \
        "$REPO/fuzz/seeds/$target" -- -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
        >"$WORK/$target.log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$WORK/$target.log" | tail -1)
    [ -n "$runs" ] || runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$WORK/$target.log" | tail -1)
    if [ "$rc" = 0 ]; then
        crashes=0
    else
        crashes=1
        status=1
        tail -40 "$WORK/$target.log"
        grep -h "Test unit written to" "$WORK/$target.log" | tail -1
    fi
    results+=("$(printf '%-14s %12s %8s' "$target" "${runs:-?}" "$crashes")")
done

echo "== sweep"
if [ -z "${KIWI_BIN:-}" ]; then
    cargo build --bin kiwi || exit 2
    export KIWI_BIN=${CARGO_TARGET_DIR:-$REPO/target}/debug/kiwi
fi
python3 "$REPO/bench/hostile/sweep.py" --requests "${SWEEP_REQUESTS:-20000}" \
    --seconds "${SWEEP_SECONDS:-100}" | tee "$WORK/sweep.txt"
[ "${PIPESTATUS[0]}" = 0 ] || status=1

echo
printf '%-14s %12s %8s\n' "fuzz target" "executions" "crashes"
printf '%s\n' "${results[@]}"
grep -E '^(held|broken) ' "$WORK/sweep.txt"
exit $status
