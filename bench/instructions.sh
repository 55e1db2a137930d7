#!/usr/bin/env bash
# Instructions per evaluation, counted by valgrind's callgrind (reproducible on a busy machine,
# unlike times): for each workload, the loop in bench/c/instructions.c runs N and 2N times and
# the difference is divided by N (and by the number of features, for W4).
#
#   bash bench/instructions.sh build/bin/bench_instructions
set -euo pipefail
bin=${1:-build/bin/bench_instructions}
command -v valgrind >/dev/null || { echo "instructions: valgrind is not installed" >&2; exit 1; }
count() {  # workload call iterations -> instructions
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" "$3" 2>&1 >/dev/null |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
printf '%-4s %-6s %14s\n' workload call instructions
for spec in "W1 is_on 20000" "W2 is_on 20000" "W3 is_on 20000" "W1 json 10000" "W2 json 10000" "W3 json 10000" \
    "W4 is_on 100" "W4 json 50"; do
    set -- $spec
    a=$(count "$1" "$2" "$3")
    b=$(count "$1" "$2" $(($3 * 2)))
    per=$(( (b - a) / $3 ))
    [ "$1" = W4 ] && per=$(( per / 200 ))
    printf '%-4s %-6s %14s\n' "$1" "$2" "$per"
done
