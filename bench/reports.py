#!/usr/bin/env python3
"""kiwi benchmark: team report, whole-administration report and the streaming export.

Seeds `kiwi demo --people N`, serves it, and prints figures next to their targets:
  - the team report of a Fachbereich (about 1,000 people at 50,000) at 4 concurrent requests
    (p50, p95) and how many SQL statements one report runs (PostgreSQL statement log);
  - the whole-administration HR report;
  - on PostgreSQL, the CSV export of every record against psql's COPY of the same SELECT
    (throughput, first byte, server memory growth at a small and the full export, and how
    soon a client that aborts frees its query), and how long the export's one row in the
    transparency log takes to write.
It passes or fails nothing. Usage: see bench/README.md or `bench/reports.py --help`.
"""

import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "kiwi-demo-2026"
HR = "petra.hoffmann@musterstadt.example"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One signed-in person over a kept-alive connection."""

    def __init__(self, port, email):
        self.port = port
        self.cookies = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        status, body = self.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)
        form = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": PASSWORD})
        status, _ = self.request("POST", "/login", form, {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"http://127.0.0.1:{port}",
        })
        if status != 303:
            raise SystemExit(f"sign-in of {email} failed: {status}")

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        return response.status, response.read().decode("utf-8", "replace")

    def get(self, path):
        return self.request("GET", path)


def start(binary, env, port, log):
    process = subprocess.Popen([binary, "serve"], env=env, stdout=log, stderr=log)
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    raise SystemExit("kiwi did not start")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(pid, limit=120):
    """Waits until the server's start-up work (the first mail-scheduler run over everyone,
    the mails it sends) is done: less than 5 % of a core over half a second."""
    t = time.perf_counter()
    while time.perf_counter() - t < limit:
        before = cpu_seconds(pid)
        time.sleep(0.5)
        if cpu_seconds(pid) - before < 0.025:
            return time.perf_counter() - t
    return None


def team_report(port, email, requests, concurrency):
    clients = [Client(port, email) for _ in range(concurrency)]
    for c in clients:  # warm up
        c.get("/team")
    times = []
    lock = threading.Lock()
    per_client = requests // concurrency

    def work(client):
        for _ in range(per_client):
            t = time.perf_counter()
            status, _ = client.get("/team")
            elapsed = time.perf_counter() - t
            if status != 200:
                raise SystemExit(f"/team answered {status}")
            with lock:
                times.append(elapsed)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times.sort()
    return times[len(times) // 2] * 1000, times[int(len(times) * 0.95) - 1] * 1000


def timed(client, path, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        status, _ = client.get(path)
        times.append(time.perf_counter() - t)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
    return statistics.median(times) * 1000, max(times) * 1000


def export(port, cookies, path, pid, abort_after=None):
    """Streams an export; returns (seconds, first byte ms, bytes, rows, peak RSS growth KiB)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    base = rss_kib(pid)
    peak = [base]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kib(pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    t = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookies})
    response = conn.getresponse()
    first = None
    size = 0
    lines = 0
    while True:
        chunk = response.read1(65536)
        if not chunk:
            break
        if first is None:
            first = time.perf_counter() - t
        size += len(chunk)
        lines += chunk.count(b"\n")
        if abort_after is not None and size >= abort_after:
            conn.sock.shutdown(socket.SHUT_RDWR)
            conn.close()
            break
    elapsed = time.perf_counter() - t
    done.set()
    sampler.join()
    return elapsed, (first or elapsed) * 1000, size, lines - 1, peak[0] - base


def pg(url, sql):
    return subprocess.run(["psql", url, "-Atqc", sql], check=True, capture_output=True,
                          text=True).stdout.strip()


def line(label, figure, target=""):
    print(f"  {label:<58} {figure:>16}   {target}")


def run_backend(args, backend, tmp, people, parts):
    binary = args.kiwi
    data = os.path.join(tmp, f"{backend}-{people}")
    os.makedirs(data, exist_ok=True)
    port = free_port()
    # HR signs in with a password alone here (no second factor), as in `kiwi demo`.
    env = dict(os.environ, KIWI_DATA_DIR=data, KIWI_BIND=f"127.0.0.1:{port}",
               KIWI_LOG="warn", KIWI_MFA="off")
    db_url = None
    if backend == "postgres":
        admin = args.pg_admin_url
        pg(admin, f"DROP DATABASE IF EXISTS {args.pg_db}")
        pg(admin, f"CREATE DATABASE {args.pg_db}")
        db_url = admin.rsplit("/", 1)[0] + "/" + args.pg_db
        env["KIWI_DATABASE_URL"] = db_url
    print(f"\n{backend}: seeding {people} generated people …", flush=True)
    t = time.perf_counter()
    out = subprocess.run([binary, "demo", "--people", str(people), "--seed-only"], env=env,
                         check=True, capture_output=True, text=True).stdout
    print(f"  seeded in {time.perf_counter() - t:.1f} s")
    head = re.search(r"^\s+(person\.\d+@musterstadt\.example)\s+(.*)$", out, re.M)
    head_email, head_unit = head.group(1), head.group(2)

    log_path = os.path.join(data, "kiwi.log")
    if "reports" in parts:
        reports(args, backend, env, port, binary, log_path, head_email, head_unit, people)
    if backend == "postgres" and "statements" in parts:
        statements(env, port, binary, data, head_email)
    if backend == "postgres" and "export" in parts:
        export_part(args, env, port, binary, log_path, db_url)
    if backend == "postgres" and not args.keep:
        pg(args.pg_admin_url, f"DROP DATABASE IF EXISTS {args.pg_db}")


def reports(args, backend, env, port, binary, log_path, head_email, head_unit, people):
    with open(log_path, "ab") as log:
        server = start(binary, env, port, log)
        try:
            team_people = subprocess.run(
                [binary, "export", "--unit", head_unit, "--course",
                 "prompting"], env=env, check=True, capture_output=True).stdout.count(b"\n") - 1
            p50, p95 = team_report(port, head_email, args.team_requests, 4)
            target = "p95 < 50 ms" if backend == "sqlite" else "p95 < 80 ms"
            print(f"{backend}: team report of \"{head_unit}\" ({team_people} people, "
                  f"{args.team_requests} requests, 4 at a time)")
            line("median", f"{p50:.1f} ms")
            line("95th percentile", f"{p95:.1f} ms", target)

            hr = Client(port, HR)
            median, worst = timed(hr, "/hr/report", 5)
            print(f"{backend}: whole-administration report ({people + 40} people, 5 runs)")
            line("median / slowest", f"{median:.0f} / {worst:.0f} ms",
                 "< 1 s at 50,000 people")
        finally:
            server.terminate()
            server.wait()


def statements(env, port, binary, data, head_email):
    """The SQL statements of one team report request, from kiwi's statement log."""
    env_log = dict(env, KIWI_LOG="info,sqlx::query=debug")
    sql_log = os.path.join(data, "statements.log")
    with open(sql_log, "wb") as log:
        server = start(binary, env_log, port, log)
        try:
            client = Client(port, head_email)
            marker = os.path.getsize(sql_log)
            client.get("/team")
            time.sleep(0.3)
        finally:
            server.terminate()
            server.wait()
    with open(sql_log, "rb") as f:
        f.seek(marker)
        text = f.read().decode("utf-8", "replace")
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    statements = [l for l in text.splitlines() if "sqlx::query" in l and "http.target=/team" in l]
    # Signing the request in is not the report's work: the session and its person, and the
    # change feed that the first page after the sign-in form reads.
    session = [l for l in statements
               if '\\"sessions\\"' in l or 'FROM \\"users\\" WHERE \\"users\\".\\"id\\"' in l
               or '\\"access_changes\\"' in l]
    for statement in statements:
        summary = re.search(r'summary="((?:[^"\\]|\\.)*)"', statement)
        text = (summary.group(1) if summary else statement).replace('\\"', '"')
        kind = "session" if statement in session else "report"
        print(f"    {kind:<8} {text[:84]}")
    line("SQL statements of one team report (besides the session)",
         f"{len(statements) - len(session)}", "at most 3")


def last_figure(log_path, message, field):
    """The last value of `field` that kiwi logged with `message`, or None."""
    with open(log_path, "rb") as f:
        text = re.sub(r"\x1b\[[0-9;]*m", "", f.read().decode("utf-8", "replace"))
    found = [l for l in text.splitlines() if message in l]
    value = re.search(rf"{field}=([0-9.]+)", found[-1]) if found else None
    return float(value.group(1)) if value else None


def export_part(args, env, port, binary, log_path, db_url):
    """The CSV export of every record against psql's COPY of the same SELECT."""
    # The time each export's transparency log entry takes to write is logged at debug level.
    env = dict(env, KIWI_LOG="warn,kiwi::services::record_views=debug,"
               "kiwi::services::exports=debug")
    with open(log_path, "ab") as log:
        server = start(binary, env, port, log)
        try:
            settled = wait_idle(server.pid)
            print("  start-up work done after "
                  + ("more than 120 s" if settled is None else f"{settled:.1f} s"))
            hr = Client(port, HR)
            cookies = "; ".join(f"{k}={v}" for k, v in hr.cookies.items())
            select = subprocess.run([binary, "export", "--sql"], env=env, check=True,
                                    capture_output=True, text=True).stdout.strip()
            t = time.perf_counter()
            copied = subprocess.run(["psql", db_url, "-Atqc",
                                     f"COPY ({select}) TO STDOUT WITH CSV"],
                                    check=True, capture_output=True).stdout
            copy_seconds = time.perf_counter() - t
            copy_rows = copied.count(b"\n")
            del copied
            # A warm-up, so the memory figure is growth during an export, not the first use.
            export(port, cookies, "/hr/export.csv?course=prompting", server.pid, 1 << 20)
            d1 = pg(db_url, "SELECT id FROM org_units WHERE path = 'Dezernat 1'")
            small = export(port, cookies, f"/hr/export.csv?unit={d1}&course=prompting",
                           server.pid)
            full = export(port, cookies, "/hr/export.csv", server.pid)
            print(f"postgres: CSV export of every record ({full[3]} rows, {full[2] >> 20} MiB)")
            line("psql COPY (same SELECT) TO STDOUT WITH CSV",
                 f"{copy_rows / copy_seconds:,.0f} rows/s", f"{copy_seconds:.2f} s")
            line("kiwi /hr/export.csv", f"{full[3] / full[0]:,.0f} rows/s", f"{full[0]:.2f} s")
            line("kiwi against COPY", f"{(full[3] / full[0]) / (copy_rows / copy_seconds):.2f}x",
                 "at least 0.4x")
            # Naming whom it includes (from the access index) and writing the entry.
            named = last_figure(log_path, "people of an export named", "elapsed_ms")
            written = last_figure(log_path, "transparency log written", "elapsed_ms")
            included = pg(db_url, "SELECT people_count FROM record_views "
                          "WHERE kind = 'hr_export' ORDER BY at DESC LIMIT 1")
            line(f"transparency log entry of it (one row, {int(included or 0):,} people)",
                 "n/a" if written is None else f"{written + (named or 0):.1f} ms",
                 "under 50 ms")
            if named is not None:
                line("  of which naming them from the access index", f"{named:.1f} ms")
            line("first byte", f"{full[1]:.0f} ms", "within 150 ms")
            line(f"server memory growth, {small[3]} rows", f"{small[4] / 1024:.1f} MiB",
                 "under 16 MiB")
            line(f"server memory growth, {full[3]} rows", f"{full[4] / 1024:.1f} MiB",
                 "under 16 MiB, the same")
            xlsx = export(port, cookies, "/hr/export.xlsx", server.pid)
            line("kiwi /hr/export.xlsx, every record", f"{xlsx[0]:.2f} s",
                 f"{xlsx[2] >> 20} MiB, memory +{xlsx[4] / 1024:.1f} MiB")
            # A client that aborts: how soon PostgreSQL has no query of the export left.
            export(port, cookies, "/hr/export.csv", server.pid, abort_after=1 << 20)
            t = time.perf_counter()
            while True:
                running = pg(db_url, "SELECT count(*) FROM pg_stat_activity WHERE "
                             f"datname = '{args.pg_db}' AND state <> 'idle' AND "
                             "pid <> pg_backend_pid() AND query LIKE '%FETCH%records%'")
                if running == "0" or time.perf_counter() - t > 10:
                    break
                time.sleep(0.02)
            line("query freed after the client aborted", f"{(time.perf_counter() - t) * 1000:.0f} ms",
                 "within 1 s")
        finally:
            server.terminate()
            server.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--people", type=int, default=50_000,
                        help="generated people for the reports (default 50,000)")
    parser.add_argument("--pg-people", type=int, default=166_667,
                        help="generated people for the PostgreSQL export: x3 courses = 500,000 records")
    parser.add_argument("--team-requests", type=int, default=200)
    parser.add_argument("--parts", default="reports,statements,export",
                        help="which parts to run (default: all of reports,statements,export)")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--kiwi", default=os.path.join(
        os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target")), "release", "kiwi"))
    parser.add_argument("--pg-admin-url", default=os.environ.get(
        "BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--pg-db", default=os.environ.get("BENCH_PG_DB", "kiwi_bench_reports"))
    args = parser.parse_args()
    if not os.access(args.kiwi, os.X_OK):
        raise SystemExit(f"no kiwi binary at {args.kiwi}: run cargo build --release first")
    tmp = tempfile.mkdtemp(prefix="kiwi-bench-reports-")
    try:
        parts = set(args.parts.split(","))
        for backend in args.backends.split(","):
            if backend == "sqlite":
                if "reports" in parts:
                    run_backend(args, "sqlite", tmp, args.people, {"reports"})
            else:
                if parts & {"reports", "statements"}:
                    run_backend(args, "postgres", tmp, args.people, parts - {"export"})
                if "export" in parts:
                    run_backend(args, "postgres", tmp, args.pg_people, {"export"})
    finally:
        if args.keep:
            print(f"\nkept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
