#!/usr/bin/env bash
# run.sh -- the C tests and a 1,000,000-evaluation loop under AddressSanitizer and
# LeakSanitizer, the library included (make asan; run from the repository root).
#
# 1. A second build of the library with the Swift side instrumented (swift build -c release
#    --product growthbook -Xswiftc -sanitize=address), in the scratch directory .build-asan
#    (gitignored), from a copy of Package.swift and Sources/ in .build-asan/src.
# 2. Tests/c/test_abi.c, test_typed_eval.c, test_fixtures.c, test_hostile.c, test_lifetime.c,
#    test_background_free.c, test_remote_reentry.c, test_shutdown.c, test_stale_pointers.c and
#    Tests/asan/eval_loop.c, compiled with the toolchain's clang -fsanitize=address
#    -shared-libsan (the same ASan runtime as the Swift compiler's) and linked against it.
# 3. Each runs with detect_leaks=1; any ASan or LSan report, or a failing test, fails.
#    Fuzz/lsan.supp suppresses allocations made inside the Swift toolchain's regex library
#    (libswift_StringProcessing.so; see that file for why they are not real leaks) and
#    nothing else. The number of suppressed reports is printed.
#
# ASAN_LOOP_N sets the loop's evaluations (default 1000000).
set -euo pipefail

SWIFT=${SWIFT:-swift}
swift_bin=$(dirname "$(readlink -f "$(command -v "$SWIFT")")")
CLANG="$swift_bin/clang"
asan_runtime=$(dirname "$("$CLANG" --print-file-name=libclang_rt.asan-x86_64.so)")
root=$(pwd)
scratch=.build-asan
out=build/asan
loop_n=${ASAN_LOOP_N:-1000000}

rm -rf "$scratch/src"
mkdir -p "$scratch/src/Tests" "$out"
cp -p Package.swift "$scratch/src/"
cp -Rp Sources "$scratch/src/"
cp -R Tests/*Tests "$scratch/src/Tests/" # Package.swift names the Swift test targets
rc=0
flags=(-c release --product growthbook -Xswiftc -sanitize=address
    --package-path "$scratch/src" --scratch-path "$scratch/scratch"
    -Xlinker --version-script="$root/bindings/c/libgrowthbook.map")
"$SWIFT" build "${flags[@]}" >"$out/swift-build.log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
    cat "$out/swift-build.log" >&2
    echo "asan: swift build -sanitize=address failed" >&2
    exit 1
fi
grep -E '^Build ' "$out/swift-build.log" || true
lib_dir=$("$SWIFT" build "${flags[@]}" --show-bin-path)
asan_symbols=$(nm -D --undefined-only "$lib_dir/libgrowthbook.so" | grep -c '__asan_' || true)
[ "$asan_symbols" -gt 0 ] || { echo "asan: $lib_dir/libgrowthbook.so is not instrumented" >&2; exit 1; }
echo "asan: $lib_dir/libgrowthbook.so calls $asan_symbols AddressSanitizer entry points"

link=(-L"$lib_dir" -lgrowthbook -Wl,-rpath,"$lib_dir" -Wl,-rpath,"$asan_runtime")
cc=("$CLANG" -std=c11 -O1 -g -fsanitize=address -fno-omit-frame-pointer -shared-libsan -pthread -Iinclude)
for t in test_abi test_typed_eval test_hostile test_lifetime test_background_free test_remote_reentry test_shutdown test_stale_pointers; do
    "${cc[@]}" "Tests/c/$t.c" -o "$out/$t" "${link[@]}" -lm
done
"${cc[@]}" $(pkg-config --cflags libcjson) Tests/c/test_fixtures.c -o "$out/test_fixtures" "${link[@]}" \
    $(pkg-config --libs libcjson) -lm
"${cc[@]}" Tests/asan/eval_loop.c -o "$out/eval_loop" "${link[@]}"

failed=""
for t in test_abi test_typed_eval test_fixtures test_hostile test_lifetime test_background_free test_remote_reentry test_shutdown test_stale_pointers "eval_loop $loop_n"; do
    name=${t%% *}
    echo "== $out/$t (AddressSanitizer, LeakSanitizer)"
    log="$out/$name.log"
    rc=0
    ASAN_OPTIONS="detect_leaks=1:exitcode=66:${ASAN_OPTIONS:-}" \
    LSAN_OPTIONS="suppressions=$root/Fuzz/lsan.supp:print_suppressions=1:${LSAN_OPTIONS:-}" \
        timeout "${TEST_TIMEOUT:-600}" $out/$t >"$log" 2>&1 || rc=$?
    errors=$(grep -c '^==[0-9]*==ERROR: AddressSanitizer' "$log" || true)
    leaks=$(grep -c '^==[0-9]*==ERROR: LeakSanitizer' "$log" || true)
    suppressed=$(sed -n 's/^ *\([0-9]*\) *\([0-9]*\) *libswift_StringProcessing.so$/\1 reports, \2 bytes/p' "$log" | head -n 1)
    grep -E 'passed|eval_loop:|^\[fixtures' "$log" | tail -n 3 || true
    if [ "$rc" -ne 0 ] || [ "$errors" -ne 0 ] || [ "$leaks" -ne 0 ]; then
        echo "asan: $name: exit status $rc, $errors ASan error(s), $leaks leak report(s); see $log"
        grep -A 20 -E '^==[0-9]*==ERROR' "$log" | head -n 60 || true
        failed="$failed $name"
    else
        echo "asan: $name: 0 ASan errors, 0 leaks${suppressed:+ (suppressed in the Swift regex library: $suppressed)}"
    fi
done
if [ -n "$failed" ]; then
    echo "asan: FAILED:$failed"
    exit 1
fi
echo "asan: all tests passed with no AddressSanitizer errors and no leaks"
