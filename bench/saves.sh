#!/usr/bin/env bash
# Saving a lesson's attendance (25 cells and their history) from many connections at once, as a
# school's teachers do at the end of the day: throughput and latency (p50, p99) from wrk, with
# the server on the demo's SQLite database, or on PostgreSQL when DB is a postgres:// URL.
# Usage: BIN=path bench/saves.sh [DURATION] [CONNECTIONS] — needs wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
DURATION=${1:-10}
CONNECTIONS=${2:-32}
PORT=${PORT:-18082}
URL="http://127.0.0.1:$PORT"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
if [ -z "${BIN:-}" ]; then
  cargo build --release -p klade
  BIN=./target/release/klade
fi
dir=$(mktemp -d)
"$BIN" demo --db "${DB:-$dir/bench.db}" --listen "127.0.0.1:$PORT" >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
wait_up "$URL"
token=$(curl -fs -H 'Content-Type: application/json' -d '{"username":"skolotajs","password":"demo"}' "$URL/api/v1/auth/login" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
course=$(curl -fs -H "Authorization: Bearer $token" "$URL/api/v1/courses" \
  | python3 -c 'import json,sys; print(next(c["id"] for c in json.load(sys.stdin) if c["name"]=="Matemātika" and c["class_name"]=="2.B"))')
read -r date lesson students < <(curl -fs -H "Authorization: Bearer $token" "$URL/api/v1/courses/$course/grid" | python3 -c '
import json, sys
g = json.load(sys.stdin)
ls = [c["Lesson"] for c in g["columns"] if "Lesson" in c and c["Lesson"]["id"]]
print(ls[-1]["date"], ls[-1]["lesson_no"], " ".join(str(s["id"]) for s in g["students"]))')
echo "== save a lesson's attendance ($date, lesson $lesson) from $CONNECTIONS connections: wrk -t2 -c$CONNECTIONS -d${DURATION}s"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/save_attendance.lua "$URL" -- "$course" "$date" "$lesson" "$token" $students \
  | grep -E "Requests/sec|Latency|50%|90%|99%|requests in|Non-2xx"
