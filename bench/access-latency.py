#!/usr/bin/env python3
"""Reads oha's JSON report of an open-loop run and prints one line for bench/access.sh:

    p50 p90 p99 max rate        (latencies in ms with three decimals, rate in answered req/s)

    python3 access-latency.py REPORT.json RATE SECONDS [STATUS]

Fails (exit 1, reasons on stderr) when a request failed, answered other than STATUS
(default 200), or when
oha could not hold the asked rate (fewer than 95 % of RATE x SECONDS answers): then the
latencies would describe a different load. Only the standard library is used.
"""

import json
import sys


def main() -> int:
    if len(sys.argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        report = json.load(f)
    rate = float(sys.argv[2])
    seconds = float(sys.argv[3])
    expected = sys.argv[4] if len(sys.argv) == 5 else "200"

    summary = report.get("summary", {})
    percentiles = report.get("latencyPercentiles", {})
    statuses = {str(k): int(v) for k, v in (report.get("statusCodeDistribution") or {}).items()}
    errors = {str(k): int(v) for k, v in (report.get("errorDistribution") or {}).items()}

    problems = []
    answered = sum(statuses.values())
    others = {code: n for code, n in statuses.items() if code != expected}
    if others:
        problems.append(f"answers other than {expected}: {others}")
    if errors:
        problems.append(f"failed requests: {errors}")
    if answered < 0.95 * rate * seconds:
        problems.append(
            f"only {answered} answers in {seconds:g} s, expected about {rate * seconds:.0f}: "
            "the load generator did not hold the rate"
        )

    def ms(value) -> str:
        if value is None:
            return "nan"
        return f"{float(value) * 1000:.3f}"

    p50, p90, p99 = (percentiles.get(p) for p in ("p50", "p90", "p99"))
    slowest = summary.get("slowest")
    elapsed = summary.get("total") or seconds
    print(f"{ms(p50)} {ms(p90)} {ms(p99)} {ms(slowest)} {answered / float(elapsed):.0f}")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
