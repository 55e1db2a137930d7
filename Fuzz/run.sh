#!/usr/bin/env bash
# run.sh -- build and run the libFuzzer targets (Fuzz/README.md).
#
#   Fuzz/run.sh build              build every target (make fuzz-build)
#   Fuzz/run.sh smoke [SECONDS]    every target for SECONDS (default 5) from the seeds
#                                  (make fuzz-smoke; part of make test)
#   Fuzz/run.sh fuzz [SECONDS]     every target for SECONDS (default 60) with a corpus kept
#                                  in .build-fuzz/corpus/<target> (make fuzz; FUZZ_TIME=...)
#   FUZZ_TARGETS="fuzz_json fuzz_eval" restricts either to some targets.
#
# The build: a copy of Package.swift (with Fuzz/Package.fuzz.swift appended: one executable
# per target), Sources/ and Fuzz/Sources/ in .build-fuzz/src, built with swift build -c release
# -sanitize=fuzzer,address into .build-fuzz/scratch. Every Swift module (the library's and the
# targets') is compiled with libFuzzer's coverage and AddressSanitizer, and linked statically
# into each target, which calls the library's exported gb_* functions directly (what C callers
# call). The shipped library is never built this way.
#
# Targets run one after another (one process, one core at a time). A crash, ASan report,
# leak, timeout (-timeout, 10 s per input) or out-of-memory (-rss_limit_mb) fails the run;
# the input is saved in .build-fuzz/artifacts/<target>/. Totals go to build/fuzz/summary.txt.
set -euo pipefail

SWIFT=${SWIFT:-swift}
mode=${1:-smoke}
root=$(pwd)
scratch=.build-fuzz
out=build/fuzz
targets=${FUZZ_TARGETS:-fuzz_json fuzz_create fuzz_set_features fuzz_set_attributes fuzz_eval fuzz_condition fuzz_decrypt fuzz_regex fuzz_attributes_builder}
flags=(-c release -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address
    --package-path "$scratch/src" --scratch-path "$scratch/scratch")

build() {
    rm -rf "$scratch/src"
    mkdir -p "$scratch/src/Tests" "$scratch/src/Fuzz" "$out"
    cp -p Package.swift "$scratch/src/"
    cat Fuzz/Package.fuzz.swift >>"$scratch/src/Package.swift"
    cp -Rp Sources "$scratch/src/"
    cp -Rp Fuzz/Sources "$scratch/src/Fuzz/"
    cp -R Tests/*Tests "$scratch/src/Tests/" # Package.swift names the Swift test targets
    local rc=0
    local products=()
    for t in $targets; do products+=(--product "$t"); done
    # One swift build per product would relink the library each time; build them in turn
    # with a shared scratch (the modules compile once).
    for t in $targets; do
        "$SWIFT" build "${flags[@]}" --product "$t" >"$out/swift-build-$t.log" 2>&1 || rc=$?
        if [ "$rc" -ne 0 ]; then
            cat "$out/swift-build-$t.log" >&2
            echo "fuzz: swift build of $t failed" >&2
            exit 1
        fi
        grep -E '^Build ' "$out/swift-build-$t.log" || true
    done
}

build
bin=$("$SWIFT" build "${flags[@]}" --show-bin-path)
[ "$mode" = build ] && { echo "fuzz: built $targets in $bin"; exit 0; }

case "$mode" in
    smoke) seconds=${2:-${FUZZ_SMOKE_TIME:-5}} ;;
    fuzz)  seconds=${2:-${FUZZ_TIME:-60}} ;;
    *) echo "usage: Fuzz/run.sh build|smoke|fuzz [SECONDS]" >&2; exit 2 ;;
esac

rm -rf "$scratch/seeds"
python3 Fuzz/make_corpus.py "$scratch/seeds" | sed 's/^/fuzz: /'
summary="$out/summary-$mode.txt"
: >"$summary"
failed=""
total=0
for t in $targets; do
    art="$scratch/artifacts/$t/"
    mkdir -p "$art"
    dirs=()
    if [ "$mode" = fuzz ]; then
        # a corpus that grows across runs (new inputs are written to the first directory)
        mkdir -p "$scratch/corpus/$t"
        dirs+=("$scratch/corpus/$t")
    fi
    dirs+=("$scratch/seeds/$t" "Fuzz/corpus/$t")
    log="$out/$t-$mode.log"
    echo "== $t ($mode, ${seconds}s)"
    rc=0
    ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}" LSAN_OPTIONS="suppressions=$root/Fuzz/lsan.supp:print_suppressions=0:${LSAN_OPTIONS:-}" \
        "$bin/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
        -dict=Fuzz/gb.dict -artifact_prefix="$art" -print_final_stats=1 "${dirs[@]}" >"$log" 2>&1 || rc=$?
    runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
    runs=${runs:-$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\)/\1/p' "$log" | tail -n 1)}
    runs=${runs:-0}
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9a-zA-Z]+' "$log" | tail -n 1 || true)
    total=$((total + runs))
    if [ "$rc" -ne 0 ]; then
        echo "fuzz: $t FAILED (exit $rc) after $runs executions; see $log"
        grep -E '^==[0-9]+==|^SUMMARY|Fatal error|ERROR: libFuzzer|Test unit written' "$log" | head -n 20 || true
        failed="$failed $t"
        printf '%-22s %12s executions  FAILED (exit %s)\n' "$t" "$runs" "$rc" >>"$summary"
    else
        echo "fuzz: $t: $runs executions, no crashes ($cov)"
        printf '%-22s %12s executions  ok  %s\n' "$t" "$runs" "$cov" >>"$summary"
    fi
done
printf '%-22s %12s executions\n' total "$total" >>"$summary"
cat "$summary"
if [ -n "$failed" ]; then
    echo "fuzz: FAILED:$failed"
    exit 1
fi
echo "fuzz: all targets ran with no crashes, leaks or timeouts"
