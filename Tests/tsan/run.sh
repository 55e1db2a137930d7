#!/usr/bin/env bash
# run.sh -- the concurrency tests under ThreadSanitizer, the library included.
#
#   Tests/tsan/run.sh            (make tsan; run from the repository root)
#
# 1. A second build of the library with the Swift side instrumented
#    (swift build -c release --product growthbook -Xswiftc -sanitize=thread),
#    in the scratch directory .build-tsan (gitignored), from a copy of
#    Package.swift and Sources/ in .build-tsan/src. The copy differs in one
#    way: Tests/tsan/PthreadMutex.swift is added to every module that imports
#    Synchronization. On Linux, Synchronization.Mutex locks with futex system
#    calls and atomics in the uninstrumented Swift runtime, which
#    ThreadSanitizer cannot see, so with it every access made under the lock
#    and every object published through it is reported as a race (hundreds of
#    false reports). The stand-in has the same API on pthread_mutex_t, which
#    ThreadSanitizer intercepts. The shipped library is never built this way.
# 2. Tests/c/test_threads.c, Tests/c/test_abi.c, Tests/c/test_setter_races.c (setters racing
#    on one handle), Tests/c/test_background_free.c (callbacks of background refreshes
#    against gb_free), Tests/c/test_remote_reentry.c (a transport calling back into the load
#    it serves), Tests/c/test_shutdown.c (gb_shutdown racing the loads that start background
#    threads) and the C++ wrapper's tests,
#    compiled with the toolchain's clang/clang++ -fsanitize=thread (the same
#    LLVM, hence the same TSan runtime, as the Swift compiler) and linked
#    against that build.
# 3. Each runs; any ThreadSanitizer report, or a failing test, fails.
set -euo pipefail

SWIFT=${SWIFT:-swift}
swift_bin=$(dirname "$(readlink -f "$(command -v "$SWIFT")")")
CLANG="$swift_bin/clang"
CLANGXX="$swift_bin/clang++"
swift_runtime="$swift_bin/../lib/swift/linux"
tsan_runtime=$(dirname "$("$CLANG" --print-file-name=libclang_rt.tsan-x86_64.so)")
root=$(pwd)
scratch=.build-tsan
out=build/tsan

# 1. the instrumented library, from a copy of the sources with the pthread Mutex
rm -rf "$scratch/src"
mkdir -p "$scratch/src/Tests" "$out"
cp Package.swift "$scratch/src/"
cp -R Sources "$scratch/src/"
cp -R Tests/*Tests "$scratch/src/Tests/" # Package.swift names the Swift test targets
for module in $(grep -l '^import Synchronization' -r Sources --include='*.swift' | xargs -n1 dirname | sort -u); do
    cp Tests/tsan/PthreadMutex.swift "$scratch/src/$module/ZZTSanPthreadMutex.swift"
    echo "tsan: $module locks with pthread_mutex_t in this build"
done
# (its log in build/tsan/swift-build.log; shown in full only if it fails)
rc=0
"$SWIFT" build -c release --product growthbook -Xswiftc -sanitize=thread \
    --package-path "$scratch/src" --scratch-path "$scratch/scratch" \
    -Xlinker --version-script="$root/bindings/c/libgrowthbook.map" >"$out/swift-build.log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
    cat "$out/swift-build.log" >&2
    echo "tsan: swift build -sanitize=thread failed" >&2
    exit 1
fi
grep -E '^Build ' "$out/swift-build.log" || true
lib_dir=$("$SWIFT" build -c release --product growthbook -Xswiftc -sanitize=thread \
    --package-path "$scratch/src" --scratch-path "$scratch/scratch" --show-bin-path)
tsan_symbols=$(nm -D --undefined-only "$lib_dir/libgrowthbook.so" | grep -c '__tsan_' || true)
[ "$tsan_symbols" -gt 0 ] || { echo "tsan: $lib_dir/libgrowthbook.so is not instrumented" >&2; exit 1; }
echo "tsan: $lib_dir/libgrowthbook.so calls $tsan_symbols ThreadSanitizer entry points"

# 2. the tests, instrumented too
# The shared TSan runtime has libdispatch interceptors: it needs the toolchain's
# libdispatch and BlocksRuntime (the Swift build of the library uses them too).
link=(-L"$lib_dir" -lgrowthbook -L"$swift_runtime" -ldispatch -lBlocksRuntime
    -Wl,-rpath,"$lib_dir" -Wl,-rpath,"$swift_runtime" -Wl,-rpath,"$tsan_runtime")
"$CLANG" -std=c11 -O1 -g -fsanitize=thread -shared-libsan -pthread -Iinclude \
    Tests/c/test_threads.c -o "$out/test_threads" "${link[@]}"
"$CLANG" -std=c11 -O1 -g -fsanitize=thread -shared-libsan -pthread -Iinclude \
    Tests/c/test_abi.c -o "$out/test_abi" "${link[@]}" -lm
"$CLANG" -std=c11 -O1 -g -fsanitize=thread -shared-libsan -pthread -Iinclude \
    Tests/c/test_setter_races.c -o "$out/test_setter_races" "${link[@]}"
"$CLANG" -std=c11 -O1 -g -fsanitize=thread -shared-libsan -pthread -Iinclude \
    Tests/c/test_background_free.c -o "$out/test_background_free" "${link[@]}"
"$CLANG" -std=c11 -O1 -g -fsanitize=thread -shared-libsan -pthread -Iinclude \
    Tests/c/test_remote_reentry.c -o "$out/test_remote_reentry" "${link[@]}"
"$CLANG" -std=c11 -O1 -g -fsanitize=thread -shared-libsan -pthread -Iinclude \
    Tests/c/test_shutdown.c -o "$out/test_shutdown" "${link[@]}"
"$CLANG" -std=c11 -O1 -g -fsanitize=thread -shared-libsan -pthread -Iinclude \
    Tests/c/test_redis_threads.c -o "$out/test_redis_threads" "${link[@]}"
"$CLANGXX" -std=c++17 -O1 -g -fsanitize=thread -shared-libsan -pthread -Iinclude -Ibindings/c \
    Tests/cpp/test_growthbook.cpp -o "$out/test_growthbook_cpp" "${link[@]}"

# 3. run; exitcode 66 marks a ThreadSanitizer report
failed=""
for t in test_threads test_abi test_setter_races test_background_free test_remote_reentry test_shutdown test_redis_threads \
    test_growthbook_cpp; do
    echo "== $out/$t (ThreadSanitizer)"
    log="$out/$t.log"
    rc=0
    TSAN_OPTIONS="exitcode=66 halt_on_error=0 second_deadlock_stack=1 ${TSAN_OPTIONS:-}" \
        timeout "${TEST_TIMEOUT:-600}" "$out/$t" >"$log" 2>&1 || rc=$?
    reports=$(grep -c '^WARNING: ThreadSanitizer' "$log" || true)
    grep -v '^FAIL' "$log" | tail -n 3
    if [ "$rc" -ne 0 ] || [ "$reports" -ne 0 ]; then
        echo "tsan: $t: exit status $rc, $reports ThreadSanitizer report(s); see $log"
        grep -A 12 '^WARNING: ThreadSanitizer' "$log" | head -n 60 || true
        grep '^SUMMARY: ThreadSanitizer' "$log" | sort | uniq -c | sort -rn | head -n 20 || true
        failed="$failed $t"
    else
        echo "tsan: $t: no ThreadSanitizer reports"
    fi
done
if [ -n "$failed" ]; then
    echo "tsan: FAILED:$failed"
    exit 1
fi
echo "tsan: all tests passed with no ThreadSanitizer reports"
