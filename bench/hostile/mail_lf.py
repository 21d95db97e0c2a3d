#!/usr/bin/env python3
"""A line break in a name must not stop kiwi's mail (SQLite, demo city, mails as files).

1. An HR import whose name cell holds a bare LF inside quotes (Alt+Enter in Excel) is
   refused with a row error naming row 3, through `kiwi users import` and through the HR
   page; nobody is created.
2. `kiwi users add --name` with a line break is refused.
3. A mail that cannot be built (a queued mail whose recipient name holds a line break, as
   an older version could have stored) is marked failed with its reason within
   `--wait` seconds (15), rather than left "sending".
4. After it, an invitation still goes out: a person imported next gets their mail (an
   `.eml` file in the data directory's outbox-mail/ folder, kiwi's mail backend without
   SMTP) within `--wait` seconds. The good people are imported on the HR page, so the
   server's own outbox worker must send their mail (the command line sends mail itself).
"""

import argparse
import glob
import os
import re
import secrets
import sqlite3
import time

import kiwi
from kiwi import check

HEADER = "personnel_number,name,email,org_unit,roles\n"
BROKEN_NAME = '7002,"Lena\nUmbruch",lena.umbruch@hostile.example,Dezernat I,\n'
LF_FILE = HEADER + "7001,Eva Neu,eva.neu@hostile.example,Dezernat I,\n" + BROKEN_NAME


def write(server, name, text):
    path = os.path.join(server.dir, name)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    return path


def people_with(server, email):
    with sqlite3.connect(server.sqlite_path) as db:
        return db.execute("SELECT count(*) FROM users WHERE lower(email) = ?",
                          (email,)).fetchone()[0]


def mail_files_to(server, address):
    found = []
    for path in glob.glob(os.path.join(server.data, "outbox-mail", "*.eml")):
        with open(path, errors="replace") as f:
            if address in f.read():
                found.append(path)
    return found


def wait_for(seconds, condition):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    return condition()


def multipart(fields, file_bytes):
    boundary = "kiwi" + secrets.token_hex(8)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
             .encode() for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                 f'filename="staff.csv"\r\nContent-Type: text/csv\r\n\r\n'.encode()
                 + file_bytes + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wait", type=float, default=15)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    with kiwi.Kiwi(keep=args.keep) as server:
        server.seed_demo()

        # 1. the import, from the command line
        lf_file = write(server, "lf.csv", LF_FILE)
        done = server.run("users", "import", lf_file, check=False)
        said = (done.stdout + done.stderr).strip().replace("\n", " ")
        check("LF name: refused by the command-line import",
              done.returncode != 0 and ":3:" in said
              and people_with(server, "lena.umbruch@hostile.example") == 0,
              f"exit {done.returncode}, {said[:160]!r}")

        # 2. one person from the command line
        done = server.run("users", "add", "--personnel-number", "7003", "--name",
                          "Max\nMuster", "--email", "max.muster@hostile.example",
                          "--org-unit", "Dezernat I", "--invite", check=False)
        said = (done.stdout + done.stderr).strip().replace("\n", " ")
        check("LF name: refused by kiwi users add",
              done.returncode != 0 and people_with(server, "max.muster@hostile.example") == 0,
              f"exit {done.returncode}, {said[:160]!r}")

        # 1b. the import, on the HR page
        server.start()
        hr = kiwi.Session(server.port, kiwi.HR)

        def import_on_page(text):
            content_type, body = multipart({"csrf_token": hr.csrf}, text.encode())
            return kiwi.request(server.port, "POST", "/hr/import", headers={
                "Cookie": hr.cookie, "Content-Type": content_type}, body=body)

        status, _, page = import_on_page(LF_FILE)
        shows_row = bool(re.search(rb"(Zeile|Row) (\xe2\x81\xa8)?3\b", page))
        check("LF name: refused by the HR page's import",
              status < 500 and shows_row
              and people_with(server, "lena.umbruch@hostile.example") == 0,
              f"answer {status}, row 3 {'named' if shows_row else 'not named'} on the page, "
              f"{people_with(server, 'lena.umbruch@hostile.example')} people created")

        # 3. a mail that cannot be built, next to a good one
        # (on the HR page: the command line sends queued mail itself, the server must)
        import_on_page(HEADER + "7001,Eva Neu,eva.neu@hostile.example,Dezernat I,\n")
        sent = wait_for(args.wait, lambda: mail_files_to(server, "eva.neu@hostile.example"))
        check("mail: an invitation goes out before", bool(sent),
              f"{len(sent)} mail file(s) to eva.neu within {args.wait:.0f} s")
        with sqlite3.connect(server.sqlite_path, timeout=30) as db:
            kind = db.execute("SELECT typeof(id) FROM outbox_mails LIMIT 1").fetchone()[0]
            new_id = "randomblob(16)" if kind == "blob" else "lower(hex(randomblob(16)))"
            db.execute(
                f"INSERT INTO outbox_mails (id, dedupe_key, user_id, recipient_name, recipient,"
                f" language, kind, subject, text_body, html_body, status, tries, next_try_at,"
                f" last_error, claimed_by, claimed_until, created_at, sent_at)"
                f" SELECT {new_id}, NULL, user_id, 'Lena' || char(10) || 'Umbruch',"
                f" 'lena.umbruch@hostile.example', language, kind, subject, text_body,"
                f" html_body, 'queued', 0, next_try_at, NULL, NULL, NULL, created_at, NULL"
                f" FROM outbox_mails WHERE recipient = 'eva.neu@hostile.example' LIMIT 1")
        if kind != "blob":
            print("        note: outbox ids are stored as text here; the copy's id may not parse")

        def poisoned_state():
            with sqlite3.connect(server.sqlite_path, timeout=30) as db:
                row = db.execute("SELECT status, last_error FROM outbox_mails WHERE recipient"
                                 " = 'lena.umbruch@hostile.example'").fetchone()
            return row if row and row[0] in ("failed", "gave_up") and row[1] else None

        state = wait_for(args.wait, poisoned_state)
        if not state:
            with sqlite3.connect(server.sqlite_path) as db:
                state = db.execute("SELECT status, last_error FROM outbox_mails WHERE "
                                   "recipient = 'lena.umbruch@hostile.example'").fetchone()
        check("mail: one that cannot be built is marked failed with its reason",
              bool(state) and state[0] in ("failed", "gave_up") and bool(state[1]),
              f"status {state[0] if state else None!r}, error "
              f"{(state[1] or '')[:100] if state else None!r} after {args.wait:.0f} s")

        # 4. and mail keeps flowing
        import_on_page(HEADER + "7004,Otto Später,otto.spaeter@hostile.example,Dezernat I,\n")
        sent = wait_for(args.wait, lambda: mail_files_to(server, "otto.spaeter@hostile.example"))
        check("mail: an invitation still goes out after it", bool(sent),
              f"{len(sent)} mail file(s) to otto.spaeter within {args.wait:.0f} s")
        print(f"        panics in kiwi's log: {server.panics()}")
    kiwi.finish()


if __name__ == "__main__":
    main()
