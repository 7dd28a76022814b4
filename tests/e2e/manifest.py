"""manifest.py MANIFEST OUTDIR DATA TEMPLATE NSHEETS

Checks a run's manifest against the files: each sheet row's bytes and
SHA-256 against the PDF in OUTDIR, its pages against pdfinfo, the combined
row against the combined file, the data and template rows against the
inputs, the program row against `statesheet --version`."""
import csv
import hashlib
import os
import subprocess
import sys

path, outdir, data, template, nsheets = sys.argv[1:6]
errors = []


def sha(p):
    with open(p, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


with open(path, newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
want_cols = ["kind", "code", "name", "year", "file", "pages", "bytes", "sha256", "sample"]
with open(path, newline="", encoding="utf-8") as f:
    header = next(csv.reader(f))
if header != want_cols:
    errors.append("header %r" % header)
kinds = [r["kind"] for r in rows]
if kinds.count("sheet") != int(nsheets):
    errors.append("%d sheet rows, want %s" % (kinds.count("sheet"), nsheets))
for k in ("combined", "data", "template", "program"):
    if kinds.count(k) != 1:
        errors.append("%d %s rows, want 1" % (kinds.count(k), k))
for r in rows:
    if r["year"] != "2023" or r["sample"] != "true":
        errors.append("row %r: year/sample" % r)
    if r["kind"] == "sheet":
        p = os.path.join(outdir, r["file"])
        if r["file"] != "%s-2023-SAMPLE.pdf" % r["code"] or not r["name"]:
            errors.append("sheet row %r" % r)
        elif int(r["bytes"]) != os.path.getsize(p) or r["sha256"] != sha(p):
            errors.append("sheet %s: bytes or SHA-256 wrong" % r["file"])
        elif r["pages"] != "1":
            errors.append("sheet %s: pages %s" % (r["file"], r["pages"]))
    elif r["kind"] == "combined":
        p = r["file"]
        info = subprocess.run(["pdfinfo", p], capture_output=True, text=True).stdout
        pages = [l.split()[-1] for l in info.splitlines() if l.startswith("Pages:")]
        if r["sha256"] != sha(p) or pages != [r["pages"]] or r["pages"] != nsheets:
            errors.append("combined row %r (pdfinfo pages %r)" % (r, pages))
    elif r["kind"] in ("data", "template"):
        p = data if r["kind"] == "data" else template
        if os.path.realpath(r["file"]) != os.path.realpath(p) or r["sha256"] != sha(p):
            errors.append("%s row %r" % (r["kind"], r))
    elif r["kind"] == "program":
        v = subprocess.run([os.environ["SS_BINARY"], "--version"], capture_output=True,
                           text=True).stdout.split()[1]
        if r["name"] != "statesheet " + v:
            errors.append("program row %r, version %s" % (r, v))
for e in errors[:5]:
    print("       " + e)
sys.exit(1 if errors else 0)
