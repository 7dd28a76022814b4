#!/bin/sh
# run.sh - build and run statesheet's fuzz targets (see fuzz/README.md).
#
#   fuzz/run.sh SECONDS [TARGET...]     fuzz each target (default: all) for
#                                       SECONDS, one after the other
#   fuzz/run.sh replay TARGET [FILE|DIR...]
#                                       run inputs once through replay_TARGET
#                                       (default: fuzz/regressions/TARGET)
#   fuzz/run.sh minimize TARGET CRASH   shrink a crashing input
#
# Environment: FUZZ_BUILD (build folder, default build-fuzz), CC (default
# clang), FUZZ_FLAGS (extra libFuzzer flags).
# Exit status: 0 when every target ran clean, 1 on a finding (the input is
# left in $FUZZ_BUILD/artifacts/TARGET/), 2 on a usage or build error.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${FUZZ_BUILD:-$root/build-fuzz}
all_targets="records template layout csv workbook"

usage() {
    echo "usage: fuzz/run.sh SECONDS [TARGET...] | replay TARGET [FILE...] | minimize TARGET CRASH" >&2
    echo "targets: $all_targets" >&2
    exit 2
}

max_len() {
    case $1 in
    records) echo 65536 ;;
    template) echo 16384 ;;
    layout) echo 2048 ;;
    csv) echo 16384 ;;
    workbook) echo 65536 ;;
    *) echo "fuzz/run.sh: unknown target '$1' (targets: $all_targets)" >&2; exit 2 ;;
    esac
}

build() {
    if [ ! -f "$build/CMakeCache.txt" ]; then
        CC=${CC:-clang} cmake -S "$root" -B "$build" -DSTATESHEET_FUZZ=ON \
            -DSTATESHEET_TESTS=OFF -DSTATESHEET_SANITIZE=ON >/dev/null || exit 2
    fi
    cmake --build "$build" -j2 --target "$@" >/dev/null || {
        echo "fuzz/run.sh: build failed; run: cmake --build $build" >&2
        exit 2
    }
}

# Don't let one target's ASan options be changed by the caller's shell by
# accident, but let them be added to.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"

[ $# -ge 1 ] || usage
case $1 in
replay)
    [ $# -ge 2 ] || usage
    t=$2
    max_len "$t" >/dev/null
    shift 2
    build "replay_$t"
    if [ $# -eq 0 ]; then
        set -- "$here/regressions/$t"
    fi
    exec "$build/fuzz/replay_$t" "$@"
    ;;
minimize)
    [ $# -eq 3 ] || usage
    t=$2
    max_len "$t" >/dev/null
    build "fuzz_$t"
    mkdir -p "$build/artifacts/$t"
    exec "$build/fuzz/fuzz_$t" -minimize_crash=1 -max_total_time=60 -timeout=10 \
        -rss_limit_mb=512 -exact_artifact_path="$build/artifacts/$t/minimized" "$3"
    ;;
esac

secs=$1
case $secs in '' | *[!0-9]*) usage ;; esac
shift
[ $# -ge 1 ] || set -- $all_targets
for t in "$@"; do max_len "$t" >/dev/null; done
build $(for t in "$@"; do printf 'fuzz_%s ' "$t"; done)

status=0
for t in "$@"; do
    corpus=$here/corpus-$t
    art=$build/artifacts/$t
    log=$build/logs/$t.log
    mkdir -p "$corpus" "$art" "$build/logs"
    echo "== $t: ${secs}s (log: $log)"
    set +e
    # One process, one worker: the machine is shared.  New inputs go to the
    # first folder (the git-ignored corpus); the seeds are only read.
    "$build/fuzz/fuzz_$t" -max_total_time="$secs" -max_len="$(max_len "$t")" \
        -timeout=10 -rss_limit_mb=512 -print_final_stats=1 \
        -artifact_prefix="$art/" ${FUZZ_FLAGS:-} \
        "$corpus" "$here/seeds/$t" >"$log" 2>&1
    rc=$?
    set -e
    final=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -n 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | head -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | head -n 1)
    cov=$(printf '%s\n' "$final" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(printf '%s\n' "$final" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    corp=$(printf '%s\n' "$final" | sed -n 's/.* corp: \([^ ]*\).*/\1/p')
    echo "$t: ${execs:-?} execs, ${rate:-?} execs/s, cov: ${cov:-?} ft: ${ft:-?} corpus: ${corp:-?}"
    if [ "$rc" -ne 0 ]; then
        status=1
        echo "$t: FINDING (exit $rc):"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|artifact_prefix|Test unit written|    #[0-9]+ )' "$log" | head -n 30
        echo "replay: fuzz/run.sh replay $t FILE; minimise: fuzz/run.sh minimize $t FILE"
    fi
done
exit $status
