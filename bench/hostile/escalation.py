#!/usr/bin/env python3
"""HR may not make anyone an administrator, nor take over an administrator's account,
through the staff import on the HR page (SQLite, demo city, signed in as the HR demo person).

Each import is a file of existing people as the database holds them (so nothing else
changes), with one row altered:

1. HR's own row with roles `hr;admin`;
2. a new person with roles `admin`;
3. the administrator's row with HR's email address in place of theirs (the first step of
   "change the email, then ask for a new password").

Each must be refused (nothing written, an answer below 500), and the database must show no
new administrator and the administrator's email unchanged.
"""

import argparse
import secrets
import sqlite3

import kiwi
from kiwi import check
from mail_lf import multipart

HEADER = "personnel_number,name,email,org_unit,roles\n"


def row_of(db, email):
    """The import row for a person, read from the database."""
    number, name, address, path, manager, hr, admin = db.execute(
        "SELECT u.personnel_number, u.name, u.email, o.path, u.is_manager, u.is_hr, u.is_admin"
        " FROM users u JOIN org_units o ON o.id = u.org_unit_id WHERE u.email = ?",
        (email,)).fetchone()
    roles = ";".join(r for r, on in (("manager", manager), ("hr", hr), ("admin", admin)) if on)
    return [number, name, address, path, roles]


def csv_line(fields):
    return ",".join('"' + str(f).replace('"', '""') + '"' for f in fields) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    with kiwi.Kiwi(keep=args.keep) as server:
        server.seed_demo()
        server.start()
        hr = kiwi.Session(server.port, kiwi.HR)

        def state():
            with sqlite3.connect(server.sqlite_path, timeout=30) as db:
                admins = sorted(r[0] for r in db.execute(
                    "SELECT email FROM users WHERE is_admin"))
                admin_email = db.execute("SELECT email FROM users WHERE personnel_number = ?",
                                         (admin_row[0],)).fetchone()[0]
            return admins, admin_email

        with sqlite3.connect(server.sqlite_path) as db:
            hr_row = row_of(db, kiwi.HR)
            admin_row = row_of(db, kiwi.ADMIN)
        before = state()

        def attempt(name, rows):
            content_type, body = multipart({"csrf_token": hr.csrf},
                                           (HEADER + "".join(map(csv_line, rows))).encode())
            status, _, _ = kiwi.request(server.port, "POST", "/hr/import", headers={
                "Cookie": hr.cookie, "Content-Type": content_type}, body=body)
            after = state()
            check(f"escalation: {name}", status < 500 and after == before,
                  f"answer {status}; administrators {after[0]}, administrator's email "
                  f"{after[1]}")

        attempt("HR grants itself admin", [hr_row[:4] + ["hr;admin"]])
        number = "X" + secrets.token_hex(4)
        attempt("HR creates an administrator",
                [[number, "Neue Admin", f"{number.lower()}@hostile.example", hr_row[3], "admin"]])
        attempt("HR changes an administrator's email",
                [admin_row[:2] + ["petra.hoffmann+admin@musterstadt.example"] + admin_row[3:]])
    kiwi.finish()


if __name__ == "__main__":
    main()
