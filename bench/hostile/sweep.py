#!/usr/bin/env python3
"""A malformed-request sweep against a fresh kiwi (SQLite, demo city).

Sends `--requests` (20000) requests, bounded by `--seconds` (100), from `--threads` (4)
threads, each over a raw socket so that anything can be sent: random methods; every route
pattern of src/routes.rs with its segments replaced by junk (invalid UTF-8, bad percent
escapes, traversal, very long); junk query strings; random, missing, duplicated and huge
headers (up to 64 KiB); good, bad and huge cookies; sessions of the four demo roles with and
without their CSRF token; form, multipart and binary bodies with bad encodings.
The random generator is seeded (`--seed`), one generator per thread.

Checks: no 5xx answer, no "panicked" in kiwi's log, kiwi still up and answering afterwards.
Requests kiwi closed without an answer, or that timed out, are counted apart (a server may
refuse to read a request it cannot parse).
"""

import argparse
import os
import random
import re
import socket
import threading
import time
from urllib.parse import quote

import kiwi
from kiwi import check

METHODS = ["GET"] * 8 + ["POST"] * 8 + ["HEAD", "PUT", "DELETE", "PATCH", "OPTIONS",
                                        "TRACE", "CONNECT", "get", "FOO", "GET GET", "P\x00ST",
                                        "", "ÜBER"]
FIELD_NAMES = ["email", "password", "next", "language", "name", "course", "module", "unit",
               "status", "from", "to", "due", "reason", "serial", "mark_missing", "q0", "q1",
               "q2", "q3", "q4", "q99", "q-1", "new_password", "current_password",
               "confirm", "csrf_token", "format", "delimiter", "people", "person", "roles"]
QUERY_NAMES = ["next", "unit", "course", "status", "from", "to", "format", "language", "page",
               "q", "signed_out", "password_set", "tool", "email", "delimiter", "sort"]
WORDS = ["prompting", "datenschutz", "ki-governance", "01-was-ki-ist", "02-gute-prompts",
         "KIWI-2026-7K3M-9QXD", "00000000-0000-0000-0000-000000000000", "0", "-1",
         "99999999999999999999", "admin", "..", ".", "%2e%2e", "..%2f..%2f..%2fetc%2fpasswd",
         "%2F", "%00", "%ff%fe", "%", "%zz", "%c3", "%ed%a0%80", "ä", "😀", "a" * 3000, "",
         "null", "true", "<script>", "'; DROP TABLE users; --", "${jndi:x}", "\\", "~root",
         "de/../../../../../etc/passwd", "img.png", "de", "en"]
JUNK_HEADER_NAMES = ["Accept-Language", "Accept", "Accept-Encoding", "Range", "If-None-Match",
                     "If-Modified-Since", "X-Forwarded-For", "Forwarded", "X-Real-IP",
                     "Referer", "User-Agent", "Authorization", "Content-Encoding", "Expect",
                     "Upgrade", "Connection", "X-Forwarded-Proto", "X-Forwarded-Host"]


def route_paths():
    """Every path pattern of src/routes.rs, with the prefixes of the scopes it sits in."""
    with open(os.path.join(kiwi.REPO, "src", "routes.rs")) as f:
        text = f.read()
    token = re.compile(r'web::scope\("([^"]*)"\)|(?:\.route|web::resource)\(\s*"([^"]*)"|[()]')
    depth, scopes, paths = 0, [], set()
    for match in token.finditer(text):
        if match.group(0) == "(":
            depth += 1
        elif match.group(0) == ")":
            depth -= 1
            while scopes and depth < scopes[-1][1]:
                scopes.pop()
        elif match.group(1) is not None:
            scopes.append((match.group(1), depth))
            paths.add("".join(prefix for prefix, _ in scopes))
        else:
            depth += 1  # the "(" of .route( or web::resource(
            paths.add("".join(prefix for prefix, _ in scopes) + match.group(2))
    return sorted(p for p in paths if p)


class Junk:
    """One thread's generator of hostile requests."""

    def __init__(self, seed, port, sessions, anonymous):
        self.rng = random.Random(seed)
        self.port = port
        self.sessions = sessions
        self.anonymous = anonymous
        self.paths = route_paths()

    def word(self):
        r = self.rng
        roll = r.random()
        if roll < 0.5:
            return r.choice(WORDS)
        if roll < 0.7:
            return quote(self.text(r.randrange(1, 40)), safe="")
        if roll < 0.85:
            return self.raw_bytes(r.randrange(1, 20)).decode("latin-1")
        return "/".join(r.choice(WORDS) for _ in range(r.randrange(1, 6)))

    def text(self, n):
        r = self.rng
        pool = "aZ09-_./\\%?#&=+ \t\n\r\x00\x7fäöüß€😀\u2028\ufeff\"'<>;,"
        return "".join(r.choice(pool) for _ in range(n))

    def raw_bytes(self, n):
        return bytes(self.rng.randrange(256) for _ in range(n))

    def path(self):
        r = self.rng
        pattern = r.choice(self.paths) if r.random() < 0.9 else "/" + self.word()
        # Mostly escaped as a client would (keeping the junk's own escapes such as %ff or
        # %zz), so the request reaches kiwi's routes; sometimes raw bytes in the request line.
        raw = r.random() < 0.05
        seg = (lambda: self.word()) if raw else (lambda: quote(self.word(), safe="%/"))
        path = re.sub(r"\{[^}]*\}", lambda _: seg(), pattern)
        if r.random() < 0.1:
            path += "/" + seg()
        if r.random() < 0.4:
            params = []
            for _ in range(r.randrange(1, 5)):
                name = r.choice(QUERY_NAMES) if r.random() < 0.8 else seg()
                params.append(f"{name}={quote(self.word(), safe='%') if not raw else self.word()}")
            path += "?" + "&".join(params)
        elif r.random() < 0.05:
            path += "?" + r.choice(["%", "&&&", "=", "a=%zz", "a=%ff", "a[]=1&a[]=2", ";"])
        if r.random() < 0.03:
            path = r.choice(["*", "", "http://evil.example/", "//", "/" * 50, "/./../"]) + path
        return path

    def cookie(self):
        r = self.rng
        roll = r.random()
        if roll < 0.35 and self.sessions:
            return r.choice(self.sessions), True
        if roll < 0.5:
            return self.anonymous[0], False
        if roll < 0.75:
            name = r.choice(["kiwi_session", "kiwi_csrf", "kiwi_lang", "x"])
            return f"{name}={self.word()}", False
        if roll < 0.8:
            return "kiwi_session=" + "a" * r.choice([64, 4000, 60000]), False
        if roll < 0.85:
            return self.raw_bytes(r.randrange(1, 50)).decode("latin-1"), False
        return None, False

    def body(self, csrf):
        """Returns (content type or None, body bytes)."""
        r = self.rng
        roll = r.random()
        fields = [(r.choice(FIELD_NAMES) if r.random() < 0.8 else self.word(), self.word())
                  for _ in range(r.randrange(0, 8))]
        if csrf and r.random() < 0.7:
            fields.append(("csrf_token", csrf))
        form = "&".join(f"{quote(k, safe='%')}={quote(v, safe='%')}" for k, v in fields)
        if roll < 0.45:
            return "application/x-www-form-urlencoded", form.encode("utf-8", "surrogateescape")
        if roll < 0.55:
            return ("application/x-www-form-urlencoded",
                    form.encode() + b"&" + self.raw_bytes(r.randrange(1, 40)))
        if roll < 0.65:
            boundary = r.choice(["kiwi", "", "x" * 200, self.word()])
            parts = [f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                     for k, v in fields]
            parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                         f"filename=\"{self.word()}.csv\"\r\nContent-Type: text/csv\r\n\r\n"
                         "personnel_number,name,email,org_unit,roles\r\n"
                         f"{self.word()},{self.word()},{self.word()},{self.word()},admin\r\n")
            if r.random() < 0.7:
                parts.append(f"--{boundary}--\r\n")
            return (f"multipart/form-data; boundary={boundary}",
                    "".join(parts).encode("utf-8", "surrogateescape"))
        if roll < 0.75:
            return r.choice([None, "application/json", "text/plain", self.word()]), \
                self.raw_bytes(r.randrange(0, 2000))
        if roll < 0.77:
            return "application/x-www-form-urlencoded", b"a=" + b"x" * r.choice(
                [300_000, 2_000_000])
        if roll < 0.85:
            return r.choice([None, "application/x-www-form-urlencoded"]), b""
        return r.choice(["application/x-www-form-urlencoded", "multipart/form-data",
                         "application/x-www-form-urlencoded; charset=latin1", ";;;",
                         self.word()]), form.encode("utf-8", "surrogateescape")

    def request(self):
        """The bytes of one request."""
        r = self.rng
        method = r.choice(METHODS)
        cookie, signed_in = self.cookie()
        csrf = None
        if signed_in:
            csrf = self.sessions_csrf[self.sessions.index(cookie)]
        elif cookie == self.anonymous[0]:
            csrf = self.anonymous[1]
        path = self.path()
        if csrf and method == "POST" and path.startswith("/logout"):
            csrf = None  # keep the sessions alive for the rest of the sweep
        headers = [("Host", r.choice([f"127.0.0.1:{self.port}"] * 19 + [self.word(), ""]))]
        if cookie is not None:
            headers.append(("Cookie", cookie))
        if r.random() < 0.2:
            headers.append(("Origin", r.choice([f"http://127.0.0.1:{self.port}",
                                                "https://evil.example", "null",
                                                self.word()])))
        for _ in range(r.randrange(0, 4)):
            headers.append((r.choice(JUNK_HEADER_NAMES), self.word()))
        if r.random() < 0.02:
            headers.append(("X-Huge", "h" * r.choice([8_000, 20_000, 64_000])))
        if r.random() < 0.02:
            headers += [(f"X-Many-{i}", "1") for i in range(r.choice([100, 500]))]
        if r.random() < 0.02:
            headers.append((self.raw_bytes(8).decode("latin-1"), "x"))
        body = b""
        if method not in ("GET", "HEAD") or r.random() < 0.05:
            content_type, body = self.body(csrf)
            if content_type is not None:
                headers.append(("Content-Type", content_type))
        length = len(body)
        roll = r.random()
        if roll < 0.03:
            headers.append(("Transfer-Encoding", "chunked"))
            body = r.choice([b"zz\r\n" + body + b"\r\n0\r\n\r\n",
                             f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n",
                             b"ffffffffffffffffff\r\n"])
        elif roll < 0.05:
            headers.append(("Content-Length", r.choice(["-1", "abc", "1e3", "0x10", " 5",
                                                        "99999999999999999999"])))
        elif roll < 0.07:
            headers.append(("Content-Length", str(max(0, length - r.randrange(1, 10)))))
        elif body or method == "POST":
            headers.append(("Content-Length", str(length)))
        headers.append(("Connection", "close"))
        version = r.choice(["HTTP/1.1"] * 20 + ["HTTP/1.0", "HTTP/2.0", "HTTP/9", "http/1.1"])
        if r.random() < 0.95:  # mostly header values a parser accepts (no control characters)
            headers = [(k, "".join(c for c in v if c >= " " and c != "\x7f"))
                       for k, v in headers]
        head = f"{method} {path} {version}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
        return head.encode("latin-1", "replace") + b"\r\n" + body, method, path


def send(port, data, timeout):
    """Sends raw bytes; returns the status code, or None when kiwi closed or timed out."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except OSError:
            pass  # kiwi may answer and close before reading a large body
        answer = b""
        try:
            while b"\r\n" not in answer and len(answer) < 4096:
                chunk = s.recv(4096)
                if not chunk:
                    break
                answer += chunk
        except OSError:
            pass
    match = re.match(rb"HTTP/\d(?:\.\d)? (\d{3})", answer)
    return int(match.group(1)) if match else None


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--seconds", type=float, default=100)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--timeout", type=float, default=5, help="per request, seconds")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    with kiwi.Kiwi(keep=args.keep) as server:
        server.seed_demo()
        server.start()
        port = server.port
        people = [kiwi.Session(port, email) for email in
                  (kiwi.ADMIN, kiwi.HR, kiwi.MANAGER, kiwi.EMPLOYEE)]
        anonymous = kiwi.sign_in_form(port)
        deadline = time.time() + args.seconds
        lock = threading.Lock()
        tally = {"sent": 0, "5xx": 0, "no answer": 0}
        statuses = {}
        examples = []
        sent_so_far = [0]

        def worker(n):
            junk = Junk(args.seed * 1000 + n, port, [p.cookie for p in people], anonymous)
            junk.sessions_csrf = [p.csrf for p in people]
            while time.time() < deadline:
                with lock:
                    if sent_so_far[0] >= args.requests:
                        return
                    sent_so_far[0] += 1
                data, method, path = junk.request()
                try:
                    status = send(port, data, args.timeout)
                except OSError:
                    status = None
                with lock:
                    tally["sent"] += 1
                    statuses[status] = statuses.get(status, 0) + 1
                    if status is None:
                        tally["no answer"] += 1
                    elif status >= 500:
                        tally["5xx"] += 1
                        if len(examples) < 5:
                            examples.append(f"{status} {method} {path[:120]!r}")

        started = time.time()
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.time() - started
        alive = server.proc.poll() is None
        try:
            healthy = kiwi.request(port, "GET", "/healthz", timeout=5)[0] == 200
        except OSError:
            healthy = False
        common = ", ".join(f"{statuses[s]}×{s}" for s in
                           sorted(statuses, key=lambda s: -statuses[s])[:8])
        print(f"        sweep: {tally['sent']} requests in {seconds:.0f} s; answers {common}")
        check("sweep: no 5xx", tally["5xx"] == 0,
              f"{tally['5xx']} of {tally['sent']} requests"
              + (f", e.g. {'; '.join(examples)}" if examples else ""))
        check("sweep: no panics", server.panics() == 0, f"{server.panics()} in the log")
        check("sweep: kiwi still up", alive and healthy,
              f"process {'running' if alive else 'gone'}, /healthz "
              f"{'ok' if healthy else 'not answering'}; {tally['no answer']} requests "
              f"closed or timed out without an answer")
    kiwi.finish()


if __name__ == "__main__":
    main()
