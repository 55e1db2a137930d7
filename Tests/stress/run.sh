#!/usr/bin/env bash
# run.sh -- make stress / make stress-short: Tests/stress/stress.c against the loopback server
# of Tests/stress/stress_server.py (run in a process of its own, so the figures stress prints
# are the library's alone).
#
#   Tests/stress/run.sh <stress binary> <seconds>
set -euo pipefail
bin=$1
seconds=${2:-60}
dir=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null || true; wait "${server_pid:-}" 2>/dev/null || true; rm -rf "$dir"' EXIT
mkfifo "$dir/in"
python3 Tests/stress/stress_server.py --seconds $((${seconds%.*} + 120)) <"$dir/in" >"$dir/url" &
server_pid=$!
exec 3>"$dir/in" # the server runs until this closes
for _ in $(seq 100); do [ -s "$dir/url" ] && break; sleep 0.1; done
url=$(head -n 1 "$dir/url")
[ -n "$url" ] || { echo "stress: the loopback server did not start" >&2; exit 1; }
echo "stress: loopback server at $url"
rc=0
timeout $((${seconds%.*} + 120)) "$bin" "$url" "$seconds" || rc=$?
exec 3>&-
wait "$server_pid" || true
exit $rc
