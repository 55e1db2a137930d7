#!/usr/bin/env bash
# Instructions per evaluation, counted by valgrind's callgrind (reproducible on a busy machine,
# unlike times): for each workload, the loop in bench/c/instructions.c runs N and 2N times and
# the difference is divided by N (and by the number of features, for W4).
#
#   bash bench/instructions.sh build/bin/bench_instructions
#
# W4 reads the committed payload bench/data/features-200.json (its "features" and "benchUser"
# members), so this works from a fresh clone; GB_BENCH_PAYLOAD=FILE names another payload.
# W6 loads bench/data/features-5000.json (committed too).
set -euo pipefail
bin=${1:-build/bin/bench_instructions}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export GB_BENCH_PAYLOAD=${GB_BENCH_PAYLOAD:-$here/data/features-200.json}
command -v valgrind >/dev/null || { echo "instructions: valgrind is not installed" >&2; exit 1; }
# Counted on a copy of the library without its debug info: Debian's valgrind (3.19) gives up on
# the DWARF 5 the toolchain writes into it ("Possibly corrupted debuginfo file"), and counts do
# not need it. The program finds the copy first (LD_LIBRARY_PATH comes before its RUNPATH).
lib=$(dirname "$bin")/../lib/libgrowthbook.so
stripped=$(mktemp -d)
trap 'rm -rf "$stripped"' EXIT
objcopy --strip-debug "$lib" "$stripped/libgrowthbook.so"
count() {  # workload call iterations -> instructions
    LD_LIBRARY_PATH="$stripped${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" "$3" 2>&1 >/dev/null |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
# W4's number of features: the first number the program prints (0 iterations, no valgrind).
w4_features=$("$bin" W4 is_on 0 | cut -d' ' -f1)
[ "${w4_features:-0}" -gt 0 ] || { echo "instructions: no W4 features in $GB_BENCH_PAYLOAD" >&2; exit 1; }
printf '%-4s %-6s %14s\n' workload call instructions
for spec in "W1 is_on 20000" "W2 is_on 20000" "W3 is_on 20000" "W1 json 10000" "W2 json 10000" "W3 json 10000" \
    "W4 is_on 100" "W4 json 50" "W6 load 2" "U create 5000" "U set 5000"; do
    set -- $spec
    a=$(count "$1" "$2" "$3")
    b=$(count "$1" "$2" $(($3 * 2)))
    [ -n "$a" ] && [ -n "$b" ] || { echo "instructions: callgrind gave no count for $spec" >&2; exit 1; }
    per=$(( (b - a) / $3 ))
    [ "$1" = W4 ] && per=$(( per / w4_features ))
    printf '%-4s %-6s %14s\n' "$1" "$2" "$per"
done
echo "(W4: per evaluation, over the $w4_features features of $(basename "$GB_BENCH_PAYLOAD"); W6: per"
echo " gb_set_features_json of the 5,000 features of features-5000.json; U: gb_attributes_create +"
echo " gb_attributes_free, and gb_set_attributes_json, of the 13 attributes of its benchUser)"
