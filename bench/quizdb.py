#!/usr/bin/env python3
"""Database side of the quiz benchmark, for SQLite and PostgreSQL.

Subcommands (DB is `sqlite:PATH` or a `postgres://…` URL):

  people N CSV                      write N people in kiwi's HR import format
  sample DB TOKEN                   show the session row kiwi wrote for cookie TOKEN
  sessions DB N SAMPLE_TOKEN OUT    insert a session for people 1..N, written like the
                                    sample row; OUT gets personnel number, token, csrf
  refresh DB SAMPLE_TOKEN           set last_seen_at of the bench sessions to now
  starts SESSIONS COURSE MODULE OUT [COUNT [SKIP]]
                                    request list: start one attempt per person (COUNT
                                    people after the first SKIP; default all)
  submits DB SESSIONS KEY MODULE OUT EXPECTED
                                    request list: submit each open attempt once, with
                                    answers chosen from the stored draw; EXPECTED gets
                                    the score kiwi must store for each attempt
  check DB KEY MODULE STARTS SUBMITS [EXPECTED]
                                    integrity: attempts = STARTS (people who started),
                                    no duplicates, submitted = SUBMITS (submissions
                                    made), stored scores as expected

Request lists have one request per line: PATH <tab> COOKIE <tab> BODY.
PostgreSQL is reached through the psql client, SQLite through Python's sqlite3.
"""

import hashlib
import json
import random
import re
import secrets
import sqlite3
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

PERSON_PREFIX = "BQ"
SEP = "\x1f"


def person_number(i):
    return f"{PERSON_PREFIX}{i:06d}"


class Db:
    def __init__(self, url):
        self.url = url
        if url.startswith("sqlite:"):
            path = url[len("sqlite:"):]
            if path.startswith("//"):
                path = path[2:]
            path = path.split("?", 1)[0]
            self.kind = "sqlite"
            self.conn = sqlite3.connect(path, timeout=30)
        elif url.startswith(("postgres://", "postgresql://")):
            self.kind = "postgres"
        else:
            sys.exit(f"unknown database URL {url}")

    def rows(self, sql):
        """Rows as lists of strings (SQLite blobs as bytes)."""
        if self.kind == "sqlite":
            return [list(r) for r in self.conn.execute(sql).fetchall()]
        out = subprocess.run(
            ["psql", "-X", "-q", "-At", "-F", SEP, "-v", "ON_ERROR_STOP=1", "-d", self.url,
             "-c", sql],
            check=True, capture_output=True, text=True,
        ).stdout
        return [line.split(SEP) for line in out.splitlines() if line]

    def script(self, sql):
        if self.kind == "sqlite":
            self.conn.executescript(sql)
            self.conn.commit()
            return
        subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url, "-f", "-"],
            input=sql, check=True, capture_output=True, text=True,
        )


def as_uuid(value):
    """A UUID column as kiwi's URLs show it, whether stored as blob or text."""
    if isinstance(value, (bytes, bytearray)):
        return str(uuid.UUID(bytes=bytes(value)))
    return str(uuid.UUID(str(value)))


def as_bool(value):
    return str(value).lower() in ("1", "t", "true")


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


# --------------------------------------------------------------------------- people

FIRST = ["Anna", "Jürgen", "Petra", "Mehmet", "Sabine", "Lukas", "Fatma", "Jonas", "Marie",
         "Tobias", "Olga", "Stefan", "Leonie", "Ahmet", "Katrin", "Felix", "Ines", "Paul"]
LAST = ["Beck", "Groß", "Hoffmann", "Yılmaz", "Wolf", "Schmidt", "Kaya", "Becker", "Neumann",
        "Krüger", "Wagner", "Schulz", "Özdemir", "Richter", "Klein", "Lange", "Brandt"]


def cmd_people(count, path):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("personnel_number,name,email,org_unit,roles\n")
        for i in range(1, count + 1):
            first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
            unit = f"Dezernat {'I II III IV V'.split()[i % 5]} / Fachbereich {10 + i % 20}"
            f.write(f"{person_number(i)},{first} {last},person{i}@bench.example,{unit},\n")


# --------------------------------------------------------------------------- sessions

def sample_row(db, token):
    h = hash_token(token)
    if db.kind == "sqlite":
        rows = db.rows(
            "SELECT created_at, last_seen_at, expires_at, typeof(created_at), typeof(user_id) "
            f"FROM sessions WHERE id_hash = '{h}'")
    else:
        rows = db.rows(
            "SELECT created_at::text, last_seen_at::text, expires_at::text, "
            "pg_typeof(created_at)::text, pg_typeof(user_id)::text "
            f"FROM sessions WHERE id_hash = '{h}'")
    if not rows:
        sys.exit("the session kiwi wrote at sign-in is not in the sessions table")
    return rows[0]


TS = re.compile(r"(\d{4}-\d{2}-\d{2})([T ])(\d{2}:\d{2}:\d{2})(?:\.(\d+))?(.*)")


def sqlite_formatter(sample):
    """Formats datetimes the way kiwi's sample row stores them on SQLite."""
    m = TS.fullmatch(sample)
    if not m:
        sys.exit(f"cannot read kiwi's timestamp format from {sample!r}")
    sep, frac, suffix = m.group(2), m.group(4), m.group(5)
    if suffix not in ("", "Z", "+00:00", " +00:00", " UTC", "+0000"):
        sys.exit(f"kiwi's timestamps are not in UTC: {sample!r}")
    digits = len(frac) if frac else 0

    def fmt(dt):
        text = dt.strftime("%Y-%m-%d") + sep + dt.strftime("%H:%M:%S")
        if digits:
            text += "." + (f"{dt.microsecond:06d}" + "000")[:digits]
        return text + suffix

    return fmt


def cmd_sample(db, token):
    row = sample_row(db, token)
    print(f"created_at={row[0]} last_seen_at={row[1]} expires_at={row[2]} "
          f"(stored as {row[3]}; user_id as {row[4]})")


def cmd_sessions(db, count, sample_token, out):
    sample = sample_row(db, sample_token)
    rows = []
    for i in range(1, count + 1):
        token, csrf = secrets.token_hex(32), secrets.token_hex(32)
        rows.append((person_number(i), token, csrf))
    if db.kind == "sqlite":
        fmt = sqlite_formatter(sample[0])
        now = datetime.now(timezone.utc)
        created, expires = fmt(now), fmt(now + timedelta(hours=12))
        db.conn.executemany(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, "
            "expires_at) SELECT ?, id, ?, ?, ?, ? FROM users WHERE personnel_number = ?",
            [(hash_token(t), c, created, created, expires, pn) for pn, t, c in rows],
        )
        db.conn.commit()
    else:
        values = ",\n".join(f"('{pn}', '{hash_token(t)}', '{c}')" for pn, t, c in rows)
        db.script(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, "
            "expires_at)\nSELECT v.h, u.id, v.c, now(), now(), now() + interval '12 hours'\n"
            f"FROM (VALUES {values}) AS v(pn, h, c) JOIN users u ON u.personnel_number = v.pn;\n"
        )
    inserted = int(db.rows(
        "SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id "
        f"WHERE u.personnel_number LIKE '{PERSON_PREFIX}%'")[0][0])
    if inserted != count:
        sys.exit(f"inserted {inserted} sessions, expected {count}")
    with open(out, "w") as f:
        for pn, t, c in rows:
            f.write(f"{pn}\t{t}\t{c}\n")
    print(f"{count} sessions inserted")


def cmd_refresh(db, sample_token):
    """Marks every bench session as seen just now, so the run measures requests of people
    who were active within the last minute (kiwi then does not write last_seen_at)."""
    where = ("user_id IN (SELECT id FROM users WHERE personnel_number "
             f"LIKE '{PERSON_PREFIX}%')")
    if db.kind == "sqlite":
        fmt = sqlite_formatter(sample_row(db, sample_token)[0])
        db.script(f"UPDATE sessions SET last_seen_at = '{fmt(datetime.now(timezone.utc))}' "
                  f"WHERE {where};")
    else:
        db.script(f"UPDATE sessions SET last_seen_at = now() WHERE {where};")


def read_sessions(path):
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


# --------------------------------------------------------------------------- request lists

def cmd_starts(sessions_path, course, module, out, count=None, skip=0):
    sessions = read_sessions(sessions_path)[skip:]
    if count is not None:
        sessions = sessions[:count]
    with open(out, "w") as f:
        for pn, token, csrf in sessions:
            body = urlencode({"csrf_token": csrf})
            f.write(f"/courses/{course}/modules/{module}/attempts\tkiwi_session={token}\t{body}\n")
    print(f"{len(sessions)} start requests in {out}")


def attempts_of(db, course, module):
    return db.rows(
        "SELECT a.id, u.personnel_number, a.draw, a.submitted_at IS NOT NULL, "
        "a.score_percent, a.passed "
        "FROM quiz_attempts a JOIN users u ON u.id = a.user_id "
        f"WHERE a.course_id = '{course}' AND a.module_id = '{module}' "
        f"AND u.personnel_number LIKE '{PERSON_PREFIX}%'")


def cmd_submits(db, sessions_path, key_path, module, out, expected_path):
    key = json.load(open(key_path))
    course, pass_percent = key["course"], key["pass_percent"]
    correct_of = key["modules"][module]
    by_person = {pn: (token, csrf) for pn, token, csrf in read_sessions(sessions_path)}
    expected = {}
    lines = []
    for attempt_id, pn, draw, submitted, _, _ in attempts_of(db, course, module):
        if as_bool(submitted):
            continue
        attempt_id = as_uuid(attempt_id)
        token, csrf = by_person[pn]
        draw = json.loads(draw)
        rng = random.Random(attempt_id)
        form = [("csrf_token", csrf)]
        right = 0
        for n, drawn in enumerate(draw):
            correct = set(correct_of[drawn["question"]])
            shown = drawn["options"]  # shown position -> original option
            if rng.random() < 0.8:
                chosen = [p for p, original in enumerate(shown) if original in correct]
                right += 1
            elif len(correct) > 1:
                # One of two right options only: wrong.
                chosen = [p for p, original in enumerate(shown) if original in correct][:1]
            else:
                chosen = [p for p, original in enumerate(shown) if original not in correct][:1]
            form += [(f"q{n}", str(p)) for p in chosen]
        score = right * 100 // max(len(draw), 1)
        expected[attempt_id] = {"score": score, "passed": score >= pass_percent}
        lines.append(f"/attempts/{attempt_id}\tkiwi_session={token}\t{urlencode(form)}\n")
    random.Random(7).shuffle(lines)
    with open(out, "w") as f:
        f.writelines(lines)
    with open(expected_path, "w") as f:
        json.dump(expected, f)
    print(f"{len(lines)} submissions in {out}")


# --------------------------------------------------------------------------- integrity

def cmd_check(db, key_path, module, starts_made, submits_made, expected_path=None):
    key = json.load(open(key_path))
    course = key["course"]
    rows = attempts_of(db, course, module)
    problems = []
    per_person = {}
    open_per_person = {}
    for attempt_id, pn, _, submitted, _, _ in rows:
        per_person[pn] = per_person.get(pn, 0) + 1
        if not as_bool(submitted):
            open_per_person[pn] = open_per_person.get(pn, 0) + 1
    if len(rows) != starts_made:
        problems.append(f"{len(rows)} attempts in the table, expected {starts_made} "
                        "(one per person who started)")
    duplicates = {pn: n for pn, n in per_person.items() if n > 1}
    if duplicates:
        problems.append(f"{len(duplicates)} people have more than one attempt, e.g. "
                        + ", ".join(f"{pn}: {n}" for pn, n in list(duplicates.items())[:5]))
    many_open = {pn: n for pn, n in open_per_person.items() if n > 1}
    if many_open:
        problems.append(f"{len(many_open)} people have more than one open attempt")
    submitted = [r for r in rows if as_bool(r[3])]
    if len(submitted) != submits_made:
        problems.append(f"{len(submitted)} attempts submitted, {submits_made} submissions made")
    if expected_path:
        expected = json.load(open(expected_path))
        wrong = []
        passed_ids = set()
        for attempt_id, pn, _, is_submitted, score, passed in submitted:
            attempt_id = as_uuid(attempt_id)
            want = expected.get(attempt_id)
            if want is None:
                wrong.append(f"{attempt_id}: submitted but never sent")
                continue
            if score in (None, "") or int(score) != want["score"] or as_bool(passed) != want["passed"]:
                wrong.append(f"{attempt_id}: stored {score}%/{passed}, "
                             f"expected {want['score']}%/{want['passed']}")
            if want["passed"]:
                passed_ids.add(attempt_id)
        if wrong:
            problems.append(f"{len(wrong)} stored scores differ from the answers sent, e.g. "
                            + "; ".join(wrong[:5]))
        completions = db.rows(
            "SELECT c.attempt_id FROM module_completions c JOIN users u ON u.id = c.user_id "
            f"WHERE c.course_id = '{course}' AND c.module_id = '{module}' "
            f"AND u.personnel_number LIKE '{PERSON_PREFIX}%'")
        completion_ids = [as_uuid(c[0]) for c in completions if c[0] not in (None, "")]
        if sorted(completion_ids) != sorted(passed_ids):
            problems.append(f"{len(completion_ids)} module completions for "
                            f"{len(passed_ids)} passed attempts")
    scores = {}
    for r in submitted:
        scores[int(r[4])] = scores.get(int(r[4]), 0) + 1
    summary = (f"{len(rows)} attempts, {len(submitted)} submitted"
               + (f", scores {dict(sorted(scores.items()))}" if scores else ""))
    if problems:
        print(f"integrity: MISMATCH ({summary})")
        for p in problems:
            print(f"  - {p}")
        return 1
    print(f"integrity: OK ({summary})")
    return 0


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    cmd, rest = args[0], args[1:]
    if cmd == "people":
        cmd_people(int(rest[0]), rest[1])
    elif cmd == "sample":
        cmd_sample(Db(rest[0]), rest[1])
    elif cmd == "sessions":
        cmd_sessions(Db(rest[0]), int(rest[1]), rest[2], rest[3])
    elif cmd == "refresh":
        cmd_refresh(Db(rest[0]), rest[1])
    elif cmd == "starts":
        cmd_starts(rest[0], rest[1], rest[2], rest[3], int(rest[4]) if len(rest) > 4 else None,
                   int(rest[5]) if len(rest) > 5 else 0)
    elif cmd == "submits":
        cmd_submits(Db(rest[0]), *rest[1:6])
    elif cmd == "check":
        sys.exit(cmd_check(Db(rest[0]), rest[1], rest[2], int(rest[3]), int(rest[4]),
                           rest[5] if len(rest) > 5 else None))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
