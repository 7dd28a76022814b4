"""The fault sweep (tests/fault/README.md): a 56-sheet --combined run into a
folder holding an earlier run's output, with the Nth call of one kind
failed by tests/fault/shim.c, for N spread evenly over the calls a clean
run makes.  After each run:

  - exit 0 only when every requested file was written (this run's bytes);
  - every PDF in the folder is this run's clean bytes or the earlier run's;
  - no temporary file is left;
  - every manifest in the folder describes the files as they are;
  - a non-zero exit says why on stderr;
  - no signal, and no status outside the documented table.

usage: faults.py BINARY SHIM SAMPLE-56.xml WORKDIR
Environment: SS_FAULT_PER_KIND (runs per kind, default 32; malloc gets
twice as many), SS_FAULT_KINDS (a comma-separated subset), SS_FAULT_ASAN
(set when the binary is built with AddressSanitizer).
"""
import csv
import hashlib
import os
import shutil
import subprocess
import sys

BIN, SHIM, DATA, WORK = sys.argv[1:5]
TABLE = {0, 64, 65, 66, 70, 71, 73, 74, 75, 129, 130, 143}
# kind name -> (shim kind, path pattern or None); malloc_check runs
# --check instead (reading the data and the template: libxml2's allocations)
KINDS = {
    "open": ("open", None),
    "write": ("write", None),
    "fsync_file": ("fsync_file", None),
    "fsync_dir": ("fsync_dir", None),
    "rename": ("rename", None),
    "close": ("close", None),
    "mkdir": ("mkdir", None),
    "read": ("read", None),
    "read_hyphenation": ("read", "hyph_"),
    "read_data": ("read", "sample-56"),
    "malloc": ("malloc", None),
    "malloc_check": ("malloc", None),
}
# A run syncs and renames only its files: a failed call of these kinds can
# never end in success.  (A failed write can: the lock file's note of who
# holds it is a courtesy; a failed write to a file that matters shows in
# its bytes.)
MUST_FAIL = {"fsync_file", "fsync_dir", "rename"}
PER_KIND = int(os.environ.get("SS_FAULT_PER_KIND", "32"))
ASAN = bool(os.environ.get("SS_FAULT_ASAN"))
wanted = os.environ.get("SS_FAULT_KINDS")
if wanted:
    KINDS = {k: v for k, v in KINDS.items() if k in wanted.split(",")}

base_env = dict(os.environ)
base_env.pop("LD_PRELOAD", None)


def sheets_cmd(out, check=False):
    if check:
        return [BIN, "-q", "-j", "2", "--check", DATA]
    return [BIN, "-q", "-j", "2", "-o", out, "--combined", os.path.join(out, "all.pdf"), DATA]


def run(out, epoch, kind=None, n=0, match=None, count_file=None, check=False, cmd=None):
    env = dict(base_env, SOURCE_DATE_EPOCH=str(epoch))
    if kind:
        env.update(LD_PRELOAD=SHIM, SS_FAULT_KIND=kind, SS_FAULT_N=str(n))
        if match:
            env["SS_FAULT_MATCH"] = match
        if count_file:
            env["SS_FAULT_COUNT"] = count_file
    p = subprocess.run((cmd or sheets_cmd)(out, check),
                       env=env, capture_output=True, text=True, errors="replace",
                       timeout=300)
    return p.returncode, p.stderr


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


OUTPUTS = (".pdf",)  # the files compared with the clean and earlier runs'


def files(folder):
    return {name: digest(os.path.join(folder, name)) for name in os.listdir(folder)
            if name.endswith(OUTPUTS)}


earlier_dir = os.path.join(WORK, "earlier")
clean_dir = os.path.join(WORK, "clean")
for d, epoch in ((earlier_dir, 1600000000), (clean_dir, 1700000000)):
    status, err = run(d, epoch)
    if status != 0:
        sys.exit(f"FAIL - a clean run exits {status}: {err}")
earlier, clean = files(earlier_dir), files(clean_dir)
assert len(clean) == 57 and set(clean) == set(earlier), "56 sheets and the combined file"
assert all(clean[k] != earlier[k] for k in clean), "the two runs' bytes differ"


OOM_LINE = "statesheet: out of memory\n"


def check(folder, status, err, kind=None, writes=True):
    """The promises, as a list of broken ones."""
    bad = []
    if kind in MUST_FAIL and status == 0:
        bad.append(f"a failed {kind} passed as success (exit 0)")
    # GLib (which HarfBuzz links) aborts with SIGTRAP by design when its own
    # g_malloc fails (trixie's GLib allocates at the first call after main):
    # the README's exit table names it beside libhyphen's exit 1.
    glib_abort = status == -5 and "GLib-ERROR" in err and "failed to allocate" in err
    if kind == "malloc" and status not in (0, 1, 71, 73, 74) and not glib_abort:
        bad.append(f"out of memory reported as exit {status}, not 71")
    if status == 71 and err != OOM_LINE:
        bad.append("exit 71 without exactly the one line 'statesheet: out of memory'")
    if status < 0:
        if not glib_abort:
            bad.append(f"killed by signal {-status}")
    elif status not in TABLE and not (status == 1 and "can't allocate" in err):
        bad.append(f"exit status {status} is not in the table")
    if status != 0 and not err.strip():
        bad.append("a non-zero exit with nothing on stderr")
    if "Sanitizer" in err:
        bad.append("a sanitizer report: " + err[err.find("Sanitizer") - 10:][:300])
    now = files(folder)
    odd = sorted(n for n, d in now.items() if d not in (clean.get(n), earlier.get(n)))
    if odd:
        bad.append(f"{len(odd)} files (e.g. {odd[0]}) are neither this run's clean bytes "
                   "nor the earlier run's")
    if status == 0:
        want = clean if writes else earlier  # --check writes nothing
        stale = [n for n in want if now.get(n) != want[n]]
        if stale:
            bad.append(f"exit 0 but {len(stale)} files are not this run's, e.g. {stale[0]}")
    left = [n for n in os.listdir(folder) if n.startswith(".statesheet-") and
            n.endswith(".tmp")]
    if left:
        bad.append(f"temporary file left: {left[0]}")
    for name in os.listdir(folder):
        if not (name.startswith("manifest-") and name.endswith(".csv")):
            continue
        with open(os.path.join(folder, name), newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row["kind"] not in ("sheet", "combined"):
                    continue
                path = os.path.join(folder, os.path.basename(row["file"]))
                if not os.path.exists(path):
                    bad.append(f"{name} lists {row['file']}, which is not there")
                elif digest(path) != row["sha256"]:
                    bad.append(f"{name} does not describe {row['file']} as it is")
                    break
    return bad


def fresh():
    w = os.path.join(WORK, "w")
    shutil.rmtree(w, ignore_errors=True)
    shutil.copytree(earlier_dir, w)
    return w


total_runs = total_bad = 0
summary = []


def sweep(label, kinds, cmd=None):
    """Fails each kind's calls in turn in the runs 'cmd' makes."""
    global total_runs, total_bad
    for name, (kind, match) in kinds.items():
        w = fresh()
        count_file = os.path.join(WORK, "count")
        only_check = name == "malloc_check"
        status, err = run(w, 1700000000, kind, 0, match, count_file, only_check, cmd)
        bad = check(w, status, err, None, not only_check)
        with open(count_file) as f:
            calls = int(f.read())
        if bad or status != 0:
            sys.exit(f"FAIL - the counting run ({label}{name}) is not clean: {status} {bad} "
                     f"{err}")
        if kind == "malloc" and (ASAN or calls == 0):
            summary.append((label + name, calls, 0, 0, "skipped: AddressSanitizer's malloc "
                            "is linked into the program and comes before LD_PRELOAD"))
            continue
        if calls == 0:
            summary.append((label + name, 0, 0, 0, "no calls"))
            continue
        runs = PER_KIND * (2 if kind == "malloc" else 1)
        ns = sorted({1 + (i * (calls - 1)) // max(runs - 1, 1) for i in range(runs)})
        violations = 0
        for n in ns:
            w = fresh()
            status, err = run(w, 1700000000, kind, n, match, None, only_check, cmd)
            bad = check(w, status, err, kind, not only_check)
            if bad:
                violations += 1
                first = err.strip().splitlines()[:2]
                print(f"FAIL - {label}{name} #{n}/{calls}: exit {status}: {'; '.join(bad)}"
                      f" | stderr: {' / '.join(first)}")
        total_runs += len(ns)
        total_bad += violations
        summary.append((label + name, calls, len(ns), violations, ""))


sweep("", KINDS)

# export -o and import -o: the same promises for the one file each writes,
# into a folder holding an earlier version of it.  (stdio writes them, so
# the shim sees their syncs and renames but not their writes.)
OUTPUTS = (".csv", ".xml")
CSV_KINDS = {k: v for k, v in KINDS.items() if k in
             ("open", "fsync_file", "fsync_dir", "rename", "close", "read", "malloc")}
csv_in = os.path.join(WORK, "in.csv")
subprocess.run([BIN, "export", "-q", DATA, "-o", csv_in], check=True, env=base_env)
for label, cmd, earlier_cmd in (
        ("export ", lambda out, check: [BIN, "export", "-q", DATA, "-o",
                                        os.path.join(out, "x.csv")],
         lambda out: [BIN, "export", "-q", "--blank", DATA, "-o", os.path.join(out, "x.csv")]),
        ("import ", lambda out, check: [BIN, "import", "-q", csv_in, "-o",
                                        os.path.join(out, "y.xml")],
         lambda out: ["cp", DATA, os.path.join(out, "y.xml")])):
    earlier_dir = os.path.join(WORK, label.strip() + "-earlier")
    clean_dir = os.path.join(WORK, label.strip() + "-clean")
    for d in (earlier_dir, clean_dir):
        os.makedirs(d)
    subprocess.run(earlier_cmd(earlier_dir), check=True, env=base_env)
    subprocess.run(cmd(clean_dir, False), check=True, env=base_env)
    earlier, clean = files(earlier_dir), files(clean_dir)
    assert len(clean) == 1 and clean != earlier
    sweep(label, CSV_KINDS, cmd)

print(f"{'kind':18} {'calls':>7} {'runs':>5} {'violations':>10}")
for name, calls, runs, bad, note in summary:
    print(f"{name:18} {calls:7} {runs:5} {bad:10} {note}")
print(f"total: {total_runs} runs, {total_bad} with violations")
sys.exit(1 if total_bad else 0)
