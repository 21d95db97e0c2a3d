#!/usr/bin/env python3
"""Return addresses (`next`) that try to leave the site, against a fresh kiwi (demo city).

Every value is sent, percent-encoded as a browser would, to:
- GET /login?next=… while signed in (answered by a redirect),
- GET /login?next=… while not signed in (the form carries `next` in a hidden field),
- POST /login with the right password and next=… (answered by a redirect),
- POST /language with next=… (answered by a redirect).

A check is broken when a `Location` (or the hidden field) would take a browser to another
site, holds whitespace or a control character (browsers drop tabs and line breaks, which
turns `/\t/evil.example` into `//evil.example`), or when kiwi answers 5xx.
A harmless path (`/courses`) must survive all four.
"""

import argparse
import html
import re
from urllib.parse import quote, unquote, urlsplit

import kiwi
from kiwi import check

HOSTILE = [
    "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example",
    "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "\t//evil.example",
    " //evil.example", "/ /evil.example", "/\x0b/evil.example", "/\x0c/evil.example",
    "/\x00", "/a\x00b", "/\x1b[31m", "/\x7f", "/\u2028/evil.example", "/\u3000/evil.example",
    "/%09/evil.example", "/%0a/evil.example", "/%0d%0aLocation:%20//evil.example",
    "/%2F/evil.example", "/%2f%2fevil.example", "%2F%2Fevil.example", "/%5Cevil.example",
    "/%5C%5Cevil.example", "/%00", "/%7F", "/%E2%80%A8/evil.example", "/%2509/evil.example",
    "https://evil.example", "http:evil.example", "http:/evil.example",
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
    "evil.example", "", "/" + "a" * 5000, "/\ufffd/evil.example",
]
HARMLESS = "/courses"
NEXT_FIELD = re.compile(rb'name="next" value="([^"]*)"')


def leaves_site(location, port):
    """Whether a browser following this Location (or link) could end up elsewhere, or the
    value holds characters a browser would silently drop or misread."""
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7f for c in location):
        return True
    for value in (location, unquote(location)):
        value = value.replace("\\", "/")
        parts = urlsplit(value)
        if value.startswith("//"):
            return True
        if parts.scheme and parts.netloc not in (f"127.0.0.1:{port}", ""):
            return True
        if parts.scheme and parts.scheme not in ("http", "https"):
            return True
        if not value.startswith("/") and not parts.scheme:
            return True
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    with kiwi.Kiwi(keep=args.keep) as server:
        server.seed_demo()
        server.start()
        port = server.port
        person = kiwi.Session(port, kiwi.EMPLOYEE)
        anonymous_cookie, anonymous_csrf = kiwi.sign_in_form(port)
        bad = {"redirect while signed in": [], "hidden field of the form": [],
               "redirect after signing in": [], "redirect after choosing a language": []}
        server_errors = []
        harmless = {}

        def judge(kind, value, status, location):
            if status >= 500:
                server_errors.append(f"{kind} {value!r}: {status}")
            elif location is not None and value != HARMLESS and leaves_site(location, port):
                bad[kind].append(f"{value!r} → {location!r}")
            if value == HARMLESS:
                harmless[kind] = location

        for value in HOSTILE + [HARMLESS]:
            query = "/login?next=" + quote(value, safe="")
            status, headers, _ = person.get(query)
            judge("redirect while signed in", value, status, headers.get("location"))

            # The sign-in form's field, and the language switch's (the page's own URL).
            status, _, body = kiwi.request(port, "GET", query,
                                           headers={"Cookie": anonymous_cookie})
            fields = [html.unescape(f.decode()) for f in NEXT_FIELD.findall(body)]
            for field in fields or [None]:
                judge("hidden field of the form", value, status, field)
            if value == HARMLESS and HARMLESS in fields:
                harmless["hidden field of the form"] = HARMLESS

            status, headers, _ = kiwi.post_sign_in(port, anonymous_cookie, anonymous_csrf,
                                                   kiwi.EMPLOYEE, kiwi.DEMO_PASSWORD,
                                                   next_path=value)
            judge("redirect after signing in", value, status, headers.get("location"))

            status, headers, _ = person.post("/language", {"language": "de", "next": value})
            judge("redirect after choosing a language", value, status,
                  headers.get("location"))

        for kind, found in bad.items():
            check(f"next: {kind}", not found,
                  f"{len(found)} of {len(HOSTILE)} values lead off the site"
                  + (f", e.g. {'; '.join(found[:3])}" if found else ""))
        check("next: no 5xx", not server_errors,
              f"{len(server_errors)} of {4 * (len(HOSTILE) + 1)} requests"
              + (f", e.g. {'; '.join(server_errors[:3])}" if server_errors else ""))
        kept = [kind for kind, location in harmless.items() if location != HARMLESS]
        check("next: a path on the site is kept", not kept,
              "kept by all four" if not kept else f"lost by {', '.join(kept)}: {harmless}")
        check("next: no panics", server.panics() == 0, f"{server.panics()} in the log")
    kiwi.finish()


if __name__ == "__main__":
    main()
