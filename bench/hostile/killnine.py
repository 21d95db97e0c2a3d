#!/usr/bin/env python3
"""kill -9 under quiz load: no acknowledged write may be lost.

Seeds the demo city, signs in `--people` (8) demo people, and has each of them start and
submit quiz attempts of the course "prompting" in a loop, all in parallel. Every start
answered with a redirect to the attempt, and every submission answered with a redirect to its
result, is recorded as acknowledged. At a random moment of each round (seeded; 1 to 4 s into
it) kiwi gets SIGKILL, is started again on the same database, and the load goes on; after
`--rounds` (10) rounds kiwi is stopped and the database is read directly:

- every acknowledged start must be a row of quiz_attempts,
- every acknowledged submission must be a submitted row (submitted_at set).

SQLite by default (a fresh data directory). With `--database-url
postgres://postgres@127.0.0.1:5432/kiwi_hostile_killnine` the database is dropped and created
anew (only names starting with `kiwi_hostile`, so nothing else is ever dropped) through psql,
and dropped again at the end unless `--keep`.
"""

import argparse
import random
import re
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import kiwi
from kiwi import check

COURSE = "prompting"
DEMO_PEOPLE = [
    "anna.schmidt", "sabine.wolf", "petra.hoffmann", "jonas.becker",
]
QUESTION = re.compile(rb'name="(q\d+)" value="(\d+)"')
MODULE_LINK = re.compile(rb'/courses/prompting/modules/([^"/#?]+)')
PERSON_LINK = re.compile(r"([a-z]+\.[a-z]+)@musterstadt\.example")


def psql(url, sql):
    return subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", url,
                           "-c", sql], check=True, capture_output=True, text=True).stdout


def fresh_postgres(url):
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("kiwi_hostile"):
        sys.exit(f"refusing to drop and create {name!r}: the name must start with kiwi_hostile")
    admin = urlunsplit(parts._replace(path="/postgres"))
    psql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(admin, f'CREATE DATABASE "{name}"')
    return admin, name


def demo_emails(server):
    """The first demo people of the seeded database (the README names four of them)."""
    if server.env.get("KIWI_DATABASE_URL", "").startswith("postgres"):
        out = psql(server.env["KIWI_DATABASE_URL"],
                   "SELECT email FROM users WHERE password_hash IS NOT NULL ORDER BY email")
        emails = out.split()
    else:
        with sqlite3.connect(server.sqlite_path) as db:
            emails = [r[0] for r in db.execute(
                "SELECT email FROM users WHERE password_hash IS NOT NULL ORDER BY email")]
    return [e for e in emails if PERSON_LINK.fullmatch(e)] or \
        [f"{p}@musterstadt.example" for p in DEMO_PEOPLE]


def stored_attempts(server):
    """{attempt id: submitted?} read from the database."""
    sql = "SELECT id, submitted_at IS NOT NULL FROM quiz_attempts"
    if server.env.get("KIWI_DATABASE_URL", "").startswith("postgres"):
        rows = [line.split("|") for line in psql(server.env["KIWI_DATABASE_URL"],
                                                 sql).splitlines()]
        return {str(uuid.UUID(i)): s == "t" for i, s in rows}
    with sqlite3.connect(server.sqlite_path) as db:
        rows = db.execute(sql).fetchall()
    return {str(uuid.UUID(bytes=i) if isinstance(i, bytes) else uuid.UUID(i)): bool(s)
            for i, s in rows}


class Learner(threading.Thread):
    """One person taking quizzes until told to stop; records what kiwi acknowledged."""

    def __init__(self, server, person, modules, seed, acked, lock):
        super().__init__(daemon=True)
        self.server, self.person, self.modules = server, person, modules
        self.rng = random.Random(seed)
        self.acked, self.lock = acked, lock
        self.running = threading.Event()
        self.done = False
        self.errors = 0

    def run(self):
        while not self.done:
            if not self.running.wait(timeout=0.5):
                continue
            try:
                self.one_attempt()
            except (OSError, ValueError):
                self.errors += 1  # kiwi was killed mid-request: nothing acknowledged
                time.sleep(0.05)

    def one_attempt(self):
        module = self.rng.choice(self.modules)
        status, headers, _ = self.person.post(f"/courses/{COURSE}/modules/{module}/attempts",
                                              {}, timeout=10)
        location = headers.get("location", "")
        if status != 303 or not location.startswith("/attempts/"):
            raise ValueError(f"start answered {status}")
        attempt = location.split("/")[2].split("#")[0]
        with self.lock:
            self.acked["starts"].add(attempt)
        status, _, body = self.person.get(location, timeout=10)
        choices = {}
        for field, value in QUESTION.findall(body):
            choices.setdefault(field.decode(), []).append(value.decode())
        if status != 200 or not choices:
            return  # already submitted (a start after a restart may return it): fine
        answers = {field: self.rng.choice(values) for field, values in choices.items()}
        status, headers, _ = self.person.post(location, answers, timeout=10)
        if status == 303 and headers.get("location", "").startswith(f"/attempts/{attempt}"):
            with self.lock:
                self.acked["submits"].add(attempt)
        elif status < 500:
            raise ValueError(f"submit answered {status}")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--people", type=int, default=8)
    parser.add_argument("--database-url", help="postgres://…/kiwi_hostile_… (fresh per run)")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    backend = "PostgreSQL" if args.database_url else "SQLite"
    admin = None
    if args.database_url:
        admin, name = fresh_postgres(args.database_url)

    server = kiwi.Kiwi(database_url=args.database_url, keep=args.keep)
    try:
        server.seed_demo()
        server.start()
        people = [kiwi.Session(server.port, email)
                  for email in demo_emails(server)[:args.people]]
        _, _, body = people[0].get(f"/courses/{COURSE}")
        modules = sorted({m.decode() for m in MODULE_LINK.findall(body)})
        if not modules:
            sys.exit(f"no modules of {COURSE} on its page")
        acked = {"starts": set(), "submits": set()}
        lock = threading.Lock()
        learners = [Learner(server, p, modules, args.seed * 100 + i, acked, lock)
                    for i, p in enumerate(people)]
        for learner in learners:
            learner.start()
        for round_no in range(1, args.rounds + 1):
            for learner in learners:
                learner.running.set()
            time.sleep(rng.uniform(1, 4))
            server.kill9()
            for learner in learners:
                learner.running.clear()
            time.sleep(0.3)  # let the workers see the refused connections
            server.start()
            with lock:
                print(f"        round {round_no}: killed; acknowledged so far "
                      f"{len(acked['starts'])} starts, {len(acked['submits'])} submissions",
                      flush=True)
        for learner in learners:
            learner.running.set()
        time.sleep(1)
        for learner in learners:
            learner.done = True
            learner.running.clear()
        for learner in learners:
            learner.join(timeout=15)
        server.stop()

        stored = stored_attempts(server)
        lost_starts = [a for a in acked["starts"] if a not in stored]
        lost_submits = [a for a in acked["submits"] if not stored.get(a)]
        check(f"kill -9 ({backend}): acknowledged starts kept", not lost_starts,
              f"{len(lost_starts)} lost of {len(acked['starts'])} over {args.rounds} rounds")
        check(f"kill -9 ({backend}): acknowledged submissions kept", not lost_submits,
              f"{len(lost_submits)} lost of {len(acked['submits'])} over {args.rounds} rounds")
        check(f"kill -9 ({backend}): the load ran", len(acked["submits"]) >= args.rounds,
              f"{len(acked['submits'])} submissions acknowledged (at least one per round)")
        check(f"kill -9 ({backend}): no panics", server.panics() == 0,
              f"{server.panics()} in the log")
    finally:
        server.close()
        if admin and not args.keep:
            psql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    kiwi.finish()


if __name__ == "__main__":
    main()
