#!/usr/bin/env python3
"""Open-loop load: sends each request of a list at its own scheduled time, evenly spread
over a number of seconds, whether or not earlier requests have been answered.

    deadline.py HOST PORT LIST SECONDS RESULT.json

LIST has one request per line: PATH <tab> COOKIE <tab> BODY (a url-encoded POST). Every
request uses its own connection, as different people's browsers would. A request's
latency runs from its scheduled time to the end of its response, so a generator that
falls behind does not hide a slow server. Standard library only.
"""

import asyncio
import json
import math
import sys
import time

TIMEOUT_S = 30.0


async def one(host, port, path, cookie, body, scheduled, results, index):
    await asyncio.sleep(max(0.0, scheduled - time.monotonic()))
    sent = time.monotonic()
    status, error = None, None
    writer = None
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port), TIMEOUT_S)
        data = body.encode()
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {cookie}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode() + data)
        await writer.drain()
        response = await asyncio.wait_for(reader.read(), TIMEOUT_S - (time.monotonic() - sent))
        line = response.split(b"\r\n", 1)[0].split()
        status = int(line[1]) if len(line) > 1 else None
        if status is None:
            error = "no status line"
    except Exception as e:  # any failure counts as a failed request
        error = f"{type(e).__name__}: {e}"
    finally:
        if writer is not None:
            writer.close()
    done = time.monotonic()
    results[index] = {
        "status": status,
        "error": error,
        "latency_ms": (done - scheduled) * 1000,
        "lag_ms": (sent - scheduled) * 1000,
    }


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, math.ceil(p / 100 * len(sorted_values)) - 1))
    return sorted_values[k]


async def run(host, port, lines, seconds):
    results = [None] * len(lines)
    start = time.monotonic() + 0.5
    step = seconds / len(lines)
    tasks = [
        asyncio.create_task(one(host, port, path, cookie, body, start + i * step, results, i))
        for i, (path, cookie, body) in enumerate(lines)
    ]
    await asyncio.wait(tasks, timeout=seconds + TIMEOUT_S + 5)
    return [r or {"status": None, "error": "not finished", "latency_ms": float("nan"),
                  "lag_ms": 0.0} for r in results]


def main():
    host, port, list_path, seconds, out = sys.argv[1:6]
    with open(list_path) as f:
        lines = [line.rstrip("\n").split("\t", 2) for line in f if line.strip()]
    results = asyncio.run(run(host, int(port), lines, float(seconds)))
    ok = [r for r in results if r["status"] == 303]
    latencies = sorted(r["latency_ms"] for r in results if r["status"] is not None)
    statuses = {}
    for r in results:
        key = str(r["status"]) if r["status"] is not None else (r["error"] or "none")[:60]
        statuses[key] = statuses.get(key, 0) + 1
    summary = {
        "requests": len(results),
        "successes": len(ok),
        "statuses": statuses,
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "p99_ms": percentile(latencies, 99),
        "max_ms": latencies[-1] if latencies else float("nan"),
        "max_generator_lag_ms": max(r["lag_ms"] for r in results),
    }
    with open(out, "w") as f:
        json.dump(summary, f)
    print(f"requests {summary['requests']}, successes {summary['successes']} "
          f"(statuses {statuses})")
    print(f"latency p50 {summary['p50_ms']:.1f} ms, p95 {summary['p95_ms']:.1f} ms, "
          f"p99 {summary['p99_ms']:.1f} ms, max {summary['max_ms']:.1f} ms "
          f"(generator lag at most {summary['max_generator_lag_ms']:.1f} ms)")


if __name__ == "__main__":
    main()
