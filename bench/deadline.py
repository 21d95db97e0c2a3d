#!/usr/bin/env python3
"""Quiz starts as people send them. Standard library only.

    deadline.py open-loop HOST PORT LIST SECONDS RESULT.json
    deadline.py double HOST PORT LIST RESULT.json

LIST has one request per line: PATH <tab> COOKIE <tab> BODY (a url-encoded POST).

open-loop: sends each request at its own scheduled time, evenly spread over SECONDS,
whether or not earlier requests have been answered. Every request uses its own connection,
as different people's browsers would. A request's latency runs from its scheduled time to
the end of its response, so a generator that falls behind does not hide a slow server.

double: sends every request twice at the same moment on two connections, one person after
the other (a double click on "start quiz"), and records where each answer points.
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
    status, error, location = None, None, None
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
        for header in response.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
            name, _, value = header.partition(b":")
            if name.strip().lower() == b"location":
                location = value.strip().decode()
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
        "location": location,
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


def open_loop(host, port, lines, seconds, out):
    results = asyncio.run(run(host, port, lines, seconds))
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


async def pairs(host, port, lines):
    outcomes = []
    for path, cookie, body in lines:
        results = [None, None]
        now = time.monotonic()
        await asyncio.wait_for(asyncio.gather(
            one(host, port, path, cookie, body, now, results, 0),
            one(host, port, path, cookie, body, now, results, 1),
        ), TIMEOUT_S * 2)
        outcomes.append(results)
    return outcomes


def double(host, port, lines, out):
    outcomes = asyncio.run(pairs(host, port, lines))
    answered = sum(1 for pair in outcomes if all(r["status"] == 303 for r in pair))
    split = sum(1 for pair in outcomes
                if all(r["status"] == 303 for r in pair) and pair[0]["location"] != pair[1]["location"])
    summary = {"people": len(outcomes), "both_answered": answered, "two_attempts": split}
    with open(out, "w") as f:
        json.dump(summary, f)


def main():
    mode, host, port, list_path = sys.argv[1:5]
    with open(list_path) as f:
        lines = [line.rstrip("\n").split("\t", 2) for line in f if line.strip()]
    if mode == "open-loop":
        open_loop(host, int(port), lines, float(sys.argv[5]), sys.argv[6])
    elif mode == "double":
        double(host, int(port), lines, sys.argv[5])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
