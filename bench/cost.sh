#!/usr/bin/env bash
# What one request costs the server, less noisy than throughput on a shared machine: while wrk
# loads /healthz and then a parent's diary week (`vecaks`), `perf stat` counts the server's CPU
# time and thread switches; each is divided by the requests served.
# Usage: bench/cost.sh [DURATION] — needs wrk and perf (Debian packages `wrk`, `linux-perf`).
# BIN=path runs that binary instead of building this checkout's.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
DURATION=${1:-5}
PORT=${PORT:-18081}
URL="http://127.0.0.1:$PORT"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
command -v perf >/dev/null || { echo "perf is needed: apt-get install linux-perf" >&2; exit 1; }

if [ -z "${BIN:-}" ]; then
  cargo build --release -p klade
  BIN=./target/release/klade
fi
dir=$(mktemp -d)
"$BIN" demo --db "$dir/bench.db" --listen "127.0.0.1:$PORT" >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
wait_up "$URL"
parent=$(login "$URL" vecaks "$dir")

for path in /healthz /diary; do
  perf stat -x, -e task-clock,context-switches -p "$server" -o "$dir/stat" -- sleep "$DURATION" &
  counting=$!
  wrk -t2 -c16 -d"${DURATION}s" -H "Cookie: klade_session=$parent" "$URL$path" >"$dir/wrk"
  wait "$counting"
  requests=$(awk '/requests in/ { print $1 }' "$dir/wrk")
  awk -F, -v path="$path" -v n="$requests" '
    $3 == "task-clock" { cpu = $1 }
    $3 == "context-switches" { cs = $1 }
    END { printf "%-8s %8d requests  %6.1f µs of CPU and %4.1f thread switches per request\n", path, n, cpu * 1000 / n, cs / n }' "$dir/stat"
done
