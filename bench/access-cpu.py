#!/usr/bin/env python3
"""CPU accounting for bench/access.sh: did anything but the benchmark's servers use the
servers' core during a run? Reads /proc only; the standard library is enough.

    python3 access-cpu.py snap CORE PID...      prints a snapshot (one line) to pass back
    python3 access-cpu.py share BEFORE AFTER    prints "BUSY OURS OTHERS STEAL", % of the run
    python3 access-cpu.py idle SECONDS CORE...  prints the busy % of each core over SECONDS
    python3 access-cpu.py ticks PID...          prints the CPU time of each process (ticks)
    python3 access-cpu.py per-request BEFORE AFTER REQUESTS
                                                prints each process's CPU time per request (µs)

A snapshot holds the core's time (busy in user and system mode, stolen by the hypervisor,
total) and the CPU time of the given processes and of their children (nginx's worker), all
in clock ticks. OTHERS is the core's busy time the given processes did not use: another
program on the same core, which lowers the figures. Interrupt time is left out of both (the
kernel may or may not charge it to the process it interrupted). The processes are meant to be
pinned to CORE; if they also run elsewhere, OTHERS is an underestimate.
"""

import os
import sys
import time


def core_times(core: int) -> tuple[int, int, int]:
    """(busy, steal, total) ticks of one core since boot; busy is user + nice + system."""
    with open("/proc/stat", encoding="ascii") as f:
        for line in f:
            fields = line.split()
            if fields[0] == f"cpu{core}":
                # user nice system idle iowait irq softirq steal (guest time is within user)
                values = ([int(v) for v in fields[1:9]] + [0] * 8)[:8]
                return sum(values[:3]), values[7], sum(values)
    raise SystemExit(f"no cpu{core} in /proc/stat")


def process_ticks(pid: int) -> int:
    """utime + stime of a process (all its threads), 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            data = f.read()
    except OSError:
        return 0
    fields = data.rsplit(")", 1)[1].split()
    # After the command: state is field 3, utime field 14, stime field 15 (1-based).
    return int(fields[11]) + int(fields[12])


def children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as f:
                    found += [int(c) for c in f.read().split()]
            except OSError:
                pass
    except OSError:
        pass
    return found


def snap(core: int, pids: list[int]) -> str:
    busy, steal, total = core_times(core)
    ours = 0
    for pid in pids:
        ours += process_ticks(pid)
        ours += sum(process_ticks(child) for child in children(pid))
    return f"{busy},{steal},{total},{ours}"


def share(before: str, after: str) -> str:
    b = [int(v) for v in before.split(",")]
    a = [int(v) for v in after.split(",")]
    busy, steal, total, ours = (a[i] - b[i] for i in range(4))
    total = max(total, 1)
    others = max(busy - ours, 0)
    percent = [100 * v / total for v in (busy, min(ours, busy), others, steal)]
    return " ".join(f"{p:.0f}" for p in percent)


def idle(seconds: float, cores: list[int]) -> str:
    first = [core_times(c) for c in cores]
    time.sleep(seconds)
    last = [core_times(c) for c in cores]
    return " ".join(
        f"{100 * (l[0] - f[0]) / max(l[2] - f[2], 1):.0f}" for f, l in zip(first, last)
    )


def ticks(pids: list[int]) -> str:
    """The CPU time of each process with its children (nginx's worker), comma-separated."""
    return ",".join(
        str(process_ticks(pid) + sum(process_ticks(child) for child in children(pid)))
        for pid in pids
    )


def per_request(before: str, after: str, requests: int) -> str:
    """Each process's CPU time between two `ticks` readings per request, in microseconds."""
    hertz = os.sysconf("SC_CLK_TCK")
    spent = [int(a) - int(b) for b, a in zip(before.split(","), after.split(","))]
    return " ".join(f"{1e6 * t / hertz / max(requests, 1):.1f}" for t in spent)


def main() -> int:
    if len(sys.argv) >= 3 and sys.argv[1] == "snap":
        print(snap(int(sys.argv[2]), [int(p) for p in sys.argv[3:]]))
    elif len(sys.argv) == 4 and sys.argv[1] == "share":
        print(share(sys.argv[2], sys.argv[3]))
    elif len(sys.argv) >= 4 and sys.argv[1] == "idle":
        print(idle(float(sys.argv[2]), [int(c) for c in sys.argv[3:]]))
    elif len(sys.argv) >= 3 and sys.argv[1] == "ticks":
        print(ticks([int(p) for p in sys.argv[2:]]))
    elif len(sys.argv) == 5 and sys.argv[1] == "per-request":
        print(per_request(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
