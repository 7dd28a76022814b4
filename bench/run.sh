#!/usr/bin/env bash
# bench/run.sh - how fast statesheet makes sheets, and how that compares with
# the least any libharu generator must do (bench/floor.c).
#
#   bench/run.sh            full run: 1, 56, 1,000 and 10,000 jurisdictions
#                           (about 10 minutes on a 2-core machine)
#   bench/run.sh --quick    fewer runs, no 10,000 (about a minute)
#
# Run it from anywhere; it works in the repository root.  It installs
# nothing: a missing tool is reported with the apt-get line that adds it.
# It builds a Release binary into build-bench/ (and build-bench/floor),
# makes FICTIONAL sample data with tools/make-sample.py into a temporary
# folder (removed at the end; --keep leaves it), times every case with
# hyperfine, runs the 56-sheet batch and the floor alternately for the
# batch's target (bench/pair.c), and prints one table.  See bench/README.md
# for the columns.
# It is not part of the test suite.
set -euo pipefail

usage() {
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    echo
    echo "options: --quick   fewer runs, skip 10,000 jurisdictions"
    echo "         --keep    keep the temporary folder (data, PDFs, hyperfine JSON)"
    echo "         --help    this text"
}

quick=0
keep=0
for a in "$@"; do
    case "$a" in
    --quick) quick=1 ;;
    --keep) keep=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "bench/run.sh: unknown option '$a' (try --help)" >&2; exit 2 ;;
    esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PY=/usr/bin/python3

# ---- tools ------------------------------------------------------------------
missing=() pkgs=()
need() { # need COMMAND PACKAGE
    if ! command -v "$1" >/dev/null 2>&1; then
        missing+=("$1")
        pkgs+=("$2")
    fi
}
need cmake cmake
need cc gcc
need make make
need pkg-config pkg-config
need hyperfine hyperfine
need /usr/bin/time time
need "$PY" python3
if ! echo '#include <hpdf.h>' | cc -E -x c - >/dev/null 2>&1; then
    missing+=("hpdf.h"); pkgs+=(libhpdf-dev)
fi
if ! echo '#include <hyphen.h>' | cc -E -x c - >/dev/null 2>&1; then
    missing+=("hyphen.h"); pkgs+=(libhyphen-dev hyphen-en-us)
fi
if ! pkg-config --exists libxml-2.0 2>/dev/null; then
    missing+=("libxml-2.0"); pkgs+=(libxml2-dev)
fi
if ((${#missing[@]})); then
    echo "bench/run.sh: missing: ${missing[*]}" >&2
    echo "install with:  apt-get install -y ${pkgs[*]}" >&2
    exit 1
fi
gen=tools/make-sample.py
if [[ ! -f $gen ]]; then
    echo "bench/run.sh: $gen is missing (it makes the sample data)" >&2
    exit 1
fi

# ---- build --------------------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/statesheet-bench.XXXXXX")
cleanup() {
    if ((keep)); then echo "kept: $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

log() { printf '%s\n' "$*" >&2; }

log "building Release binary into build-bench/ ..."
if ! { cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DSTATESHEET_TESTS=OFF &&
       cmake --build build-bench -j "$(nproc)"; } >"$tmp/build.log" 2>&1; then
    cat "$tmp/build.log" >&2
    echo "bench/run.sh: the build failed" >&2
    exit 1
fi
if ! cc -O2 -Wall -o build-bench/floor bench/floor.c -lhpdf 2>"$tmp/floor.log"; then
    cat "$tmp/floor.log" >&2
    echo "bench/run.sh: bench/floor.c did not build" >&2
    exit 1
fi
ss=build-bench/statesheet
floor=build-bench/floor

# Same creation date every run: the output is byte-identical, so runs and
# thread counts can be compared.
export SOURCE_DATE_EPOCH=1700000000
cores=$(nproc)

if ((quick)); then
    sizes=(1 56 1000)
    runs_small=3 runs_big=2 runs_one=10
else
    sizes=(1 56 1000 10000)
    runs_small=5 runs_big=3 runs_one=20
fi

log "making sample data (${sizes[*]} jurisdictions) in $tmp ..."
for n in "${sizes[@]}"; do
    "$PY" "$gen" --count "$n" --seed 2023 >"$tmp/s$n.xml"
done

results="$tmp/results.tsv" # kind n threads json rss_kb bytes_per_sheet
: >"$results"

# time_case KIND N THREADS RUNS WARMUP OUTDIR CMD...
#   Times CMD with hyperfine (no shell, output dir removed before each run),
#   then measures peak RSS.  For long runs (>= 1,000 sheets) the RSS comes
#   from /usr/bin/time wrapped round every timed run (its cost is nothing
#   next to seconds); for short ones from one extra run, so the timed runs
#   carry no extra process.
time_case() {
    local kind=$1 n=$2 threads=$3 runs=$4 warmup=$5 out=$6
    shift 6
    local json="$tmp/$kind-$n-j$threads.json" rssf="$tmp/$kind-$n-j$threads.rss"
    : >"$rssf"
    log "timing $kind, $n sheet(s), $threads thread(s): $runs runs ..."
    if ((n >= 1000)); then
        hyperfine -N --style none --warmup "$warmup" --runs "$runs" \
            --prepare "rm -rf $out" --export-json "$json" \
            "/usr/bin/time -a -o $rssf -f %M $*" >/dev/null
    else
        hyperfine -N --style none --warmup "$warmup" --runs "$runs" \
            --prepare "rm -rf $out" --export-json "$json" "$*" >/dev/null
        rm -rf "$out"
        /usr/bin/time -a -o "$rssf" -f %M "$@" >/dev/null
    fi
    local rss bytes
    rss=$(sort -n "$rssf" | tail -1)
    bytes=$("$PY" - "$out" <<'EOF'
import os, sys
d = sys.argv[1]
sizes = [os.path.getsize(os.path.join(d, f)) for f in os.listdir(d) if f.endswith(".pdf")]
print(sum(sizes) / len(sizes) if sizes else 0)
EOF
)
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$n" "$threads" "$json" "$rss" "$bytes" >>"$results"
}

threads=(1)
if ((cores > 1)); then threads+=("$cores"); fi
for n in "${sizes[@]}"; do
    for t in "${threads[@]}"; do
        if ((n >= 10000)); then r=$runs_big w=0
        elif ((n >= 1000)); then r=$runs_big w=1
        else r=$runs_small w=1; fi
        out="$tmp/out-$n-j$t"
        time_case statesheet "$n" "$t" "$r" "$w" "$out" \
            $ss -q -j "$t" -o "$out" "$tmp/s$n.xml"
    done
done

# One real sheet, as a user runs it: a whole process, default threads.
time_case nd 1 "$cores" "$runs_one" 2 "$tmp/out-nd" \
    $ss -q -s ND -o "$tmp/out-nd" data/ncmec-2023.xml
# The floor: a bare libharu program, 1 and 56 sheets, one thread.
time_case floor 1 1 "$runs_one" 2 "$tmp/out-floor1" \
    $floor "$tmp/out-floor1" 1
time_case floor 56 1 "$runs_small" 1 "$tmp/out-floor56" \
    $floor "$tmp/out-floor56" 56

# The 56-sheet target as a paired ratio: statesheet (56 sheets, all cores)
# and the floor (56 sheets) run alternately, each a whole process, and the
# median of the per-pair ratios is the verdict (bench/pair.c; the same
# measure as bench/batch-pair.sh).  The table's two medians are taken
# minutes apart, and on a shared machine the floor alone moves by a fifth
# in that time (bench/README.md, "Noise"); a pair shares the machine's state
# of the moment.  Both write into the same folder every run (replacing the
# last run's files).
pairs=40
((quick)) && pairs=20
if ! cc -O2 -Wall -o build-bench/pair bench/pair.c 2>"$tmp/pair.log"; then
    cat "$tmp/pair.log" >&2
    echo "bench/run.sh: bench/pair.c did not build" >&2
    exit 1
fi
log "pairing statesheet (56 sheets, $cores threads) with the floor (56 sheets): $pairs pairs ..."
mkdir -p "$tmp/pair-a" "$tmp/pair-b"
paired=$(build-bench/pair "$pairs" -- $ss -q -j "$cores" -o "$tmp/pair-a" "$tmp/s56.xml" \
    -- $floor "$tmp/pair-b" 56 | sed -n 's/^wall *A \([0-9.]*\) ms *B \([0-9.]*\) ms .*paired median \([0-9.]*\)$/\3 \1 \2/p')

identical=skipped
if [[ -d $tmp/out-56-j1 && -d $tmp/out-56-j$cores && $cores != 1 ]]; then
    if diff -rq "$tmp/out-56-j1" "$tmp/out-56-j$cores" >/dev/null; then
        identical=yes
    else
        identical=NO
    fi
fi

# ---- the table ------------------------------------------------------------------
"$PY" - "$results" "$cores" "$identical" "$quick" "$pairs" $paired <<'EOF'
import json, statistics, sys, platform, subprocess

rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
cores, identical, quick = int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1"
npairs = int(sys.argv[5])
paired = [float(v) for v in sys.argv[6:9]] if len(sys.argv) >= 9 else None

def stats(path):
    times = json.load(open(path))["results"][0]["times"]
    med = statistics.median(times)
    return med, min(times), max(times), len(times)

def load():
    out = {}
    for kind, n, t, js, rss, b in rows:
        med, lo, hi, k = stats(js)
        out[(kind, int(n), int(t))] = dict(med=med, lo=lo, hi=hi, runs=k,
                                           rss=int(rss or 0), bytes=float(b))
    return out

r = load()
cpu = "?"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
load_avg = open("/proc/loadavg").read().split()[:3]
print()
print(f"statesheet benchmark ({'quick' if quick else 'full'} run); {cores} cores, {cpu}; "
      f"load average before the table {' '.join(load_avg)}")
print("median of N runs (hyperfine, whole process); spread = (max - min) / median")
print()
hdr = ("jurisdictions", "threads", "runs", "median s", "spread", "sheets/s",
       "ms/sheet", "bytes/sheet", "peak RSS MB")
fmt = "{:>13} {:>7} {:>4} {:>9} {:>7} {:>9} {:>8} {:>11} {:>11}"
print(fmt.format(*hdr))
print(fmt.format(*("-" * len(h) for h in hdr)))

def line(label, n, t, v):
    print(fmt.format(label, t, v["runs"], f"{v['med']:.3f}",
                     f"{100 * (v['hi'] - v['lo']) / v['med']:.0f}%",
                     f"{n / v['med']:.0f}", f"{1000 * v['med'] / n:.2f}",
                     f"{v['bytes']:.0f}", f"{v['rss'] / 1024:.1f}"))

for (kind, n, t), v in sorted(r.items(), key=lambda kv: (kv[0][0] != "statesheet", kv[0][1], kv[0][2])):
    if kind == "statesheet":
        line(f"{n:,}", n, t, v)
print()
for (kind, n, t), v in r.items():
    if kind == "nd":
        line("ND (real)", 1, t, v)
for (kind, n, t), v in sorted(r.items()):
    if kind == "floor":
        line(f"floor {n}", n, t, v)

print()
print(f"-j 1 and -j {cores} give identical bytes (56 sheets): {identical}")
print()
print("targets (issue 6)                                    measured     target   verdict")
def verdict(ok):
    return "met" if ok else "NOT met"
s56 = r.get(("statesheet", 56, cores))
f56 = r.get(("floor", 56, 1))
nd = r.get(("nd", 1, cores))
f1 = r.get(("floor", 1, 1))
if paired:
    x, a, b = paired
    print(f"56 sheets, {cores} threads / floor 56 sheets, paired     {x:8.3f}x   <= 0.10x   {verdict(x <= 0.10)}"
          f"   (median of {npairs} pairs; {a:.0f} ms vs {b:.0f} ms)")
if s56 and f56:
    x = s56["med"] / f56["med"]
    print(f"  the same from the table's medians                 {x:8.3f}x              "
          f"(minutes apart: {s56['med']*1000:.0f} ms vs {f56['med']*1000:.0f} ms)")
if nd and f1:
    x = nd["med"] / f1["med"]
    print(f"one sheet (-s ND, whole process) / floor 1 sheet    {x:8.3f}x   <= 0.25x   {verdict(x <= 0.25)}"
          f"   ({nd['med']*1000:.1f} ms vs {f1['med']*1000:.1f} ms)")
big = r.get(("statesheet", 10000, cores))
if big:
    ms = 1000 * big["med"] / 10000
    print(f"10,000 sheets, {cores} threads: ms per sheet            {ms:8.2f}    <= 3 ms    {verdict(ms <= 3)}")
    mb = big["rss"] / 1024
    print(f"10,000 sheets, {cores} threads: peak RSS                {mb:8.1f} MB  < 100 MB   {verdict(mb < 100)}")
    small = r.get(("statesheet", 1000, cores))
    if small:
        print(f"RSS 10,000 / RSS 1,000 (flat is ~1)                 {big['rss'] / small['rss']:8.2f}x")
else:
    print("10,000 sheets: not run (--quick)")
print()
print("Wall-clock times are noisy on a shared machine; compare instruction counts "
      "from bench/profile.sh.")
EOF
