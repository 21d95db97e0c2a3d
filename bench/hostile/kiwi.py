"""What every hostile script shares: finding the binary, starting kiwi on a fresh data
directory and a free port, signing in, plain HTTP without redirects, and the verdict lines.

Python's standard library only. Each check prints one line:

    held    <check>: <figure>
    broken  <check>: <figure>

and `finish()` exits 1 when any check is broken.
"""

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from urllib.parse import urlencode

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEMO_PASSWORD = "kiwi-demo-2026"
ADMIN = "jonas.becker@musterstadt.example"
HR = "petra.hoffmann@musterstadt.example"
MANAGER = "sabine.wolf@musterstadt.example"
EMPLOYEE = "anna.schmidt@musterstadt.example"

_broken = []


def check(name, ok, figure):
    """Prints one verdict line and remembers a broken one."""
    word = "held" if ok else "broken"
    print(f"{word:7} {name}: {figure}", flush=True)
    if not ok:
        _broken.append(name)


def finish():
    sys.exit(1 if _broken else 0)


def binary():
    """KIWI_BIN, else the release build, else the debug build of this checkout."""
    if os.environ.get("KIWI_BIN"):
        return os.environ["KIWI_BIN"]
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    for profile in ("release", "debug"):
        path = os.path.join(target, profile, "kiwi")
        if os.access(path, os.X_OK):
            return path
    sys.exit("no kiwi binary: run 'cargo build' or set KIWI_BIN")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Kiwi:
    """One kiwi instance on a data directory of its own (SQLite unless a URL is given)."""

    def __init__(self, database_url=None, env=None, courses_dir=None, keep=False):
        self.dir = tempfile.mkdtemp(prefix="kiwi-hostile-")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.keep = keep
        self.proc = None
        self.log_path = os.path.join(self.dir, "kiwi.log")
        self.env = dict(os.environ)
        for key in list(self.env):
            if key.startswith("KIWI_") and key != "KIWI_BIN":
                del self.env[key]
        self.env.update({
            "KIWI_BIND": f"127.0.0.1:{self.port}",
            "KIWI_DATA_DIR": self.data,
            "KIWI_COURSES_DIR": courses_dir or os.path.join(REPO, "courses"),
            "KIWI_TOOLS_FILE": os.path.join(REPO, "tools.toml"),
            "KIWI_POLICY_DIR": os.path.join(REPO, "policies", "ai-usage"),
            "KIWI_LOG": "warn",
            # The demo people's passwords are public and they have no second factor; these
            # runs attack other things (the second factor has tests of its own).
            "KIWI_MFA": "off",
        })
        if database_url:
            self.env["KIWI_DATABASE_URL"] = database_url
        self.env.update(env or {})
        self.bin = binary()

    @property
    def sqlite_path(self):
        return os.path.join(self.data, "kiwi.sqlite")

    def run(self, *args, stdin=None, check=True):
        """Runs a kiwi subcommand on this instance's settings; returns the finished process."""
        done = subprocess.run([self.bin, *args], env=self.env, input=stdin,
                              capture_output=True, text=True, timeout=120)
        if check and done.returncode != 0:
            sys.exit(f"kiwi {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done

    def seed_demo(self):
        self.run("demo", "--seed-only")

    def start(self, timeout=60):
        """Starts `kiwi serve` and waits for /healthz."""
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen([self.bin, "serve"], env=self.env, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"kiwi exited at start:\n{self.log()[-3000:]}")
            try:
                if request(self.port, "GET", "/healthz", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        sys.exit(f"kiwi did not answer /healthz within {timeout} s:\n{self.log()[-3000:]}")

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill9()

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def panics(self):
        return self.log().count("panicked")

    def close(self):
        self.stop()
        if self.keep:
            print(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def request(port, method, path, headers=None, body=None, timeout=30, source="127.0.0.1"):
    """One request on its own connection, redirects not followed.
    Returns (status, headers as a lower-cased dict, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                      source_address=(source, 0))
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        all_headers = {"Host": f"127.0.0.1:{port}"}
        all_headers.update(headers or {})
        if body is not None:
            all_headers.setdefault("Content-Length", str(len(body)))
        for key, value in all_headers.items():
            conn.putheader(key, value)
        conn.endheaders(body)
        response = conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        conn.close()


CSRF_FIELD = re.compile(rb'name="csrf_token" value="([0-9a-f]+)"')


def cookies_of(headers):
    """name=value pairs of Set-Cookie (http.client joins several with ', ')."""
    raw = headers.get("set-cookie", "")
    return dict(re.findall(r"(?:^|, )(kiwi_[a-z]+)=([^;]*)", raw))


def sign_in_form(port, source="127.0.0.1"):
    """GET /login: returns (cookie header, csrf token) for posting the form."""
    status, headers, body = request(port, "GET", "/login", source=source)
    match = CSRF_FIELD.search(body)
    if status != 200 or not match:
        sys.exit(f"GET /login answered {status} without a CSRF token")
    cookie = "; ".join(f"{k}={v}" for k, v in cookies_of(headers).items())
    return cookie, match.group(1).decode()


def post_sign_in(port, cookie, csrf, email, password, next_path=None, extra=None,
                 source="127.0.0.1", timeout=60):
    fields = {"email": email, "password": password, "csrf_token": csrf}
    if next_path is not None:
        fields["next"] = next_path
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    headers.update(extra or {})
    return request(port, "POST", "/login", headers=headers,
                   body=urlencode(fields).encode(), source=source, timeout=timeout)


class Session:
    """A signed-in person: their cookie and CSRF token."""

    def __init__(self, port, email, password=DEMO_PASSWORD, source="127.0.0.1"):
        cookie, csrf = sign_in_form(port, source)
        status, headers, _ = post_sign_in(port, cookie, csrf, email, password, source=source)
        token = cookies_of(headers).get("kiwi_session")
        if status != 303 or not token:
            sys.exit(f"signing in as {email} answered {status}")
        self.port = port
        self.email = email
        self.cookie = f"kiwi_session={token}"
        status, _, body = request(port, "GET", "/profile", headers={"Cookie": self.cookie})
        match = CSRF_FIELD.search(body)
        if not match:
            sys.exit(f"no CSRF token on /profile for {email} ({status})")
        self.csrf = match.group(1).decode()

    def get(self, path, timeout=30):
        return request(self.port, "GET", path, headers={"Cookie": self.cookie}, timeout=timeout)

    def post(self, path, fields, timeout=30):
        body = urlencode(list(fields.items()) + [("csrf_token", self.csrf)], doseq=True)
        headers = {"Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded"}
        return request(self.port, "POST", path, headers=headers, body=body.encode(),
                       timeout=timeout)


class MemorySampler(threading.Thread):
    """Samples a process's VmRSS every 20 ms; `peak_mib` is the highest of VmRSS and VmHWM.
    Kills the process (SIGKILL) when it passes `ceiling_mib`, so a broken build cannot take
    the machine down."""

    def __init__(self, pid, ceiling_mib):
        super().__init__(daemon=True)
        self.pid = pid
        self.ceiling = ceiling_mib
        self.peak_mib = 0.0
        self.killed = False
        self.stopped = threading.Event()

    def read(self):
        values = {}
        try:
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith(("VmRSS:", "VmHWM:")):
                        key, kib = line.split()[:2]
                        values[key[:-1]] = int(kib) / 1024
        except OSError:
            pass
        return values

    def rss_mib(self):
        return self.read().get("VmRSS", 0.0)

    def run(self):
        while not self.stopped.is_set():
            values = self.read()
            if not values:
                return
            self.peak_mib = max(self.peak_mib, *values.values())
            if self.peak_mib > self.ceiling and not self.killed:
                self.killed = True
                os.kill(self.pid, signal.SIGKILL)
                return
            time.sleep(0.02)

    def stop(self):
        self.stopped.set()
        self.join(timeout=2)
