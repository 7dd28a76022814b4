"""The schemas and the C checks agree (run by schema.sh).

For each file, xmllint --schema gives the schema's verdict and
$SS_VERDICT (tests/verdict.c) the program's.  They must be equal, except
where the program refuses a file for a rule that XML Schema 1.0 cannot
state (or that the schema leaves out on purpose, see the comment at the top
of statedata.xsd); then every one of the program's messages for that file
must be of such a rule.  A file the schema refuses and the program accepts
is always a failure.
"""
import copy
import os
import random
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SRC = os.environ.get("SS_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
VERDICT = os.environ["SS_VERDICT"]
SEED = 2023
MUTANTS = 250  # per valid base file

# Rules only the program checks, recognised by its messages.
C_ONLY = {
    "data": [
        r"is used twice",                  # unique codes and keys (statedata.xsd says why)
        r"the total is \d+ but the rows",  # total = sum of the rows
        r"<!DOCTYPE",                      # no DTD: a schema sees the parsed tree
        r"but statesheet reads only UTF-8",  # the encoding of the bytes
        r"saved as UTF-16",
    ],
    "template": [
        r"which the template does not declare",  # keys read must be in <uses>
        r"is declared twice in <uses>",
        r"<!DOCTYPE",
        r"nests more than \d+ levels",
    ],
}

VOCAB = {
    "data": ["statedata", "national", "state", "figure", "table", "row", "note"],
    "template": ["sheet", "uses", "figure", "national", "table", "title", "subtitle",
                 "heading", "p", "when", "b", "year", "name", "code", "num", "plural",
                 "zero", "one", "other", "footer", "left", "right", "span"],
}
ATTRS = {
    "data": ["year", "sample", "code", "name", "key", "label", "total", "lang"],
    "template": ["version", "key", "of", "format", "lang", "style"],
}
TOKENS = ["", " ", "0", "1", " 7 ", "12", "2023", "1899", "3000", "1,333", "-1", "+5",
          "1.5", "1e3", "999999999999", "1000000000000", "ND", "nd", "A", "ABCDEFGHIJK",
          "N-D2", "a.b", "A.b", "a..b", "a_1.b2", "1a", ".a", "a.", "cvip.submissions",
          "missing.cases", "true", "false", "True", "state", "national", "table",
          "grouped", "compact", "percent", "x", "k" * 65, "a" * 64, " North Dakota ",
          "Ł" * 101, "L" * 200, "L" * 201, "\u02bbokina"]


def mutate(root, kind, rng):
    els = list(root.iter())
    parent = {c: p for p in root.iter() for c in p}
    e = rng.choice(els)
    op = rng.randrange(9)
    if op == 0 and e.attrib:
        del e.attrib[rng.choice(sorted(e.attrib))]
    elif op == 1 and e.attrib:
        e.set(rng.choice(sorted(e.attrib)), rng.choice(TOKENS))
    elif op == 2:
        e.set(rng.choice(ATTRS[kind]), rng.choice(TOKENS))
    elif op == 3:
        e.tag = rng.choice(VOCAB[kind])
    elif op == 4 and e in parent:
        parent[e].remove(e)
    elif op == 5 and e in parent:
        p = parent[e]
        p.insert(list(p).index(e), copy.deepcopy(e))
    elif op == 6 and e in parent:
        p = parent[e]
        i = list(p).index(e)
        if i > 0:
            p.remove(e)
            p.insert(i - 1, e)
    elif op == 7:
        e.text = rng.choice(TOKENS)
    else:
        e.tail = (e.tail or "") + rng.choice(["x", " ", "1"])


def mutants(base, kind, outdir, rng):
    tree = ET.parse(base)
    text = ET.tostring(tree.getroot(), encoding="unicode")
    out = []
    for i in range(MUTANTS):
        root = ET.fromstring(text)
        for _ in range(rng.choice([1, 1, 2, 3])):
            mutate(root, kind, rng)
        path = os.path.join(outdir, f"{kind}-{os.path.basename(base)[:-4]}-{i:03d}.xml")
        with open(path, "w", encoding="utf-8") as f:
            f.write('<?xml version="1.0" encoding="UTF-8"?>\n')
            f.write(ET.tostring(root, encoding="unicode"))
        out.append(path)
    return out


def schema_verdicts(xsd, files):
    r = subprocess.run(["xmllint", "--noout", "--nonet", "--schema", xsd] + files,
                       capture_output=True, text=True, errors="replace")
    valid = set()
    for line in r.stderr.splitlines():
        m = re.match(r"^(.*) validates$", line)
        if m:
            valid.add(m.group(1))
    return {f: f in valid for f in files}


def program_verdicts(kind, files):
    r = subprocess.run([VERDICT, kind] + files, capture_output=True, text=True, errors="replace")
    if r.returncode != 0:
        sys.exit(f"verdict failed: {r.stderr}")
    out = {}
    for line in r.stdout.splitlines():
        parts = line.split("\t")
        out[parts[0]] = (parts[1] == "valid", parts[2].split(" | ") if len(parts) > 2 else [])
    return out


def listing(d):
    return sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".xml"))


def main():
    rng = random.Random(SEED)
    failures = []
    counts = {}
    with tempfile.TemporaryDirectory() as tmp:
        sets = {
            "data": (os.path.join(SRC, "assets/schema/statedata.xsd"),
                     listing(os.path.join(SRC, "tests/fixtures/records"))
                     + listing(os.path.join(SRC, "data"))
                     + listing(os.path.join(SRC, "data/samples"))
                     + listing(os.path.join(SRC, "fuzz/seeds/records"))),
            "template": (os.path.join(SRC, "assets/schema/template.xsd"),
                         listing(os.path.join(SRC, "tests/fixtures/templates"))
                         + listing(os.path.join(SRC, "assets/templates"))
                         + listing(os.path.join(SRC, "fuzz/seeds/template"))),
        }
        for kind, (xsd, files) in sets.items():
            prog = program_verdicts(kind, files)
            bases = [f for f in files if prog[f][0]]
            for b in bases[:2] if kind == "template" else bases[:3]:
                files = files + mutants(b, kind, tmp, rng)
            prog = program_verdicts(kind, files)
            sch = schema_verdicts(xsd, files)
            c_only = [re.compile(p) for p in C_ONLY[kind]]
            n = {"agree": 0, "c-only rule": 0}
            for f in files:
                s_ok, (p_ok, msgs) = sch[f], prog[f]
                name = os.path.relpath(f, SRC) if f.startswith(SRC) else os.path.basename(f)
                if s_ok == p_ok:
                    n["agree"] += 1
                elif s_ok and all(any(c.search(m) for c in c_only) for m in msgs):
                    n["c-only rule"] += 1
                else:
                    body = open(f, encoding="utf-8", errors="replace").read()
                    failures.append(f"{name}: schema says {'valid' if s_ok else 'invalid'}, "
                                    f"the program says {'valid' if p_ok else 'invalid'}"
                                    f"{': ' + ' | '.join(msgs) if msgs else ''}\n{body[:2000]}")
            counts[kind] = (len(files), n)
    for kind, (total, n) in counts.items():
        print(f"{kind}: {total} files, {n['agree']} same verdict, "
              f"{n['c-only rule']} refused by the program for a rule the schema cannot state")
    if failures:
        print(f"\n{len(failures)} disagreement(s):")
        for f in failures[:20]:
            print("\n" + f)
        sys.exit(1)


main()
