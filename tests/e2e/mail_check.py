#!/usr/bin/env python3
"""Checks messages statesheet mail wrote or sent, with Python's own email
parser (policy=default), against the run's manifest and the contacts file.

    mail_check.py DIR CONTACTS.csv KIND FILE...

KIND is 'draft' (X-Unsent: 1), 'sent' (as the server took it: no
X-Unsent) or 'delivered' (the same from a Maildir, where the local delivery
wrote LF line ends: they are put back to CRLF first).  Each FILE is one message.  Prints one line per problem
and exits 1 when there is any; prints 'checked N' otherwise.
"""
import csv
import email
import email.policy
import glob
import hashlib
import os
import sys


def main():
    folder, contacts_path, kind, files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    sheets = {}
    for m in glob.glob(os.path.join(folder, "manifest-*.csv")):
        with open(m, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row["kind"] == "sheet":
                    sheets[row["file"]] = row
    to, cc = {}, {}
    with open(contacts_path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            side = cc if row.get("cc", "").strip().lower() in ("yes", "x", "true") else to
            side.setdefault(row["code"], []).append(row["email"])
    problems = []

    def bad(msg):
        problems.append(msg)

    for path in files:
        raw = open(path, "rb").read()
        if kind == "delivered":
            raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        name = os.path.basename(path)
        m = email.message_from_bytes(raw, policy=email.policy.default)
        defects = list(m.defects)
        for part in m.walk():
            defects += part.defects
        if defects:
            bad(f"{name}: defects {defects}")
        # Lines: CRLF only, at most 78 characters (RFC 5322's SHOULD).
        if b"\n" in raw.replace(b"\r\n", b"") or b"\r" in raw.replace(b"\r\n", b""):
            bad(f"{name}: a bare CR or LF")
        longest = max(len(line) for line in raw.split(b"\r\n"))
        if longest > 78:
            bad(f"{name}: a line of {longest} characters")
        for h in ("From", "To", "Date", "Message-ID", "MIME-Version", "Subject"):
            if m[h] is None:
                bad(f"{name}: no {h} header")
        if kind == "draft" and m["X-Unsent"] != "1":
            bad(f"{name}: a draft without X-Unsent: 1")
        if kind != "draft" and m["X-Unsent"] is not None:
            bad(f"{name}: a sent message with X-Unsent")
        atts = list(m.iter_attachments())
        if len(atts) != 1:
            bad(f"{name}: {len(atts)} attachments, not 1")
            continue
        att = atts[0]
        sheet = sheets.get(att.get_filename())
        if sheet is None:
            bad(f"{name}: attachment {att.get_filename()} is not in the manifest")
            continue
        if att.get_content_type() != "application/pdf":
            bad(f"{name}: attachment type {att.get_content_type()}")
        if hashlib.sha256(att.get_content()).hexdigest() != sheet["sha256"]:
            bad(f"{name}: attachment SHA-256 differs from the manifest's")
        code = sheet["code"]
        got_to = sorted(a.addr_spec for a in m["To"].addresses)
        got_cc = sorted(a.addr_spec for a in m["Cc"].addresses) if m["Cc"] else []
        want_to, want_cc = sorted(to.get(code, [])), sorted(cc.get(code, []))
        if not want_to and want_cc:  # only Cc rows: the first goes on To
            want_to, want_cc = [cc[code][0]], sorted(cc[code][1:])
        if got_to != want_to or got_cc != want_cc:
            bad(f"{name}: To {got_to} Cc {got_cc}, want To {want_to} Cc {want_cc}")
        subject = str(m["Subject"])
        if sheet["name"] not in subject or sheet["year"] not in subject:
            bad(f"{name}: subject {subject!r} does not name {sheet['name']!r} {sheet['year']}")
        body = m.get_body(("plain",))
        if body is None or sheet["name"] not in " ".join(body.get_content().split()):
            bad(f"{name}: the text does not name the state")
        mid = m["Message-ID"]
        if not (mid.startswith("<") and mid.endswith(">") and sheet["sha256"][:16] in mid):
            bad(f"{name}: Message-ID {mid} does not carry the sheet's SHA-256")
    for p in problems:
        print("FAIL -", p)
    if not problems:
        print(f"checked {len(files)}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
