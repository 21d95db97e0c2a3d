#!/usr/bin/env python3
"""CPU accounting for bench/access.sh: did anything but the benchmark's servers use the
servers' core during a run? Reads /proc only; the standard library is enough.

    python3 access-cpu.py snap CORE PID...      prints a snapshot (one line) to pass back
    python3 access-cpu.py share BEFORE AFTER    prints "BUSY OURS OTHERS" in % of the run
    python3 access-cpu.py idle SECONDS CORE...  prints the busy % of each core over SECONDS

A snapshot holds the core's busy and total time and the CPU time of the given processes and
of their children (nginx's worker), all in clock ticks. OTHERS is the core's busy time the
given processes did not use: another program on the same core, which lowers the figures.
The processes may run on other cores too (kiwi's database threads), so OURS can exceed
what they used on CORE; OTHERS is then an underestimate, never an overestimate of zero.
"""

import os
import sys
import time


def core_times(core: int) -> tuple[int, int]:
    """(busy, total) ticks of one core since boot."""
    with open("/proc/stat", encoding="ascii") as f:
        for line in f:
            fields = line.split()
            if fields[0] == f"cpu{core}":
                values = [int(v) for v in fields[1:]]
                idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
                total = sum(values[:8])  # without guest time, already in user
                return total - idle, total
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
    busy, total = core_times(core)
    ours = 0
    for pid in pids:
        ours += process_ticks(pid)
        ours += sum(process_ticks(child) for child in children(pid))
    return f"{busy},{total},{ours}"


def share(before: str, after: str) -> str:
    b = [int(v) for v in before.split(",")]
    a = [int(v) for v in after.split(",")]
    total = max(a[1] - b[1], 1)
    busy = a[0] - b[0]
    ours = a[2] - b[2]
    others = max(busy - ours, 0)
    return f"{100 * busy / total:.0f} {100 * min(ours, busy) / total:.0f} {100 * others / total:.0f}"


def idle(seconds: float, cores: list[int]) -> str:
    first = [core_times(c) for c in cores]
    time.sleep(seconds)
    last = [core_times(c) for c in cores]
    return " ".join(
        f"{100 * (l[0] - f[0]) / max(l[1] - f[1], 1):.0f}" for f, l in zip(first, last)
    )


def main() -> int:
    if len(sys.argv) >= 3 and sys.argv[1] == "snap":
        print(snap(int(sys.argv[2]), [int(p) for p in sys.argv[3:]]))
    elif len(sys.argv) == 4 and sys.argv[1] == "share":
        print(share(sys.argv[2], sys.argv[3]))
    elif len(sys.argv) >= 4 and sys.argv[1] == "idle":
        print(idle(float(sys.argv[2]), [int(c) for c in sys.argv[3:]]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
