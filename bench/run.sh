#!/usr/bin/env bash
# Load scenarios on loopback, each bounded to DURATION seconds:
#   login  — GET /login (anonymous; sets the pre-session CSRF cookie)
#   home   — GET / as the tutor `audzinataja` of the demo school (session lookup, grants, home queries)
# Usage: bench/run.sh [DURATION] — needs wrk (Debian package `wrk`).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
PORT=${PORT:-18080}
URL="http://127.0.0.1:$PORT"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

cargo build --release -p klade
dir=$(mktemp -d)
./target/release/klade demo --db "$dir/bench.db" --listen "127.0.0.1:$PORT" >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do curl -fs "$URL/healthz" >/dev/null && break; sleep 0.1; done

jar="$dir/jar"
curl -fs -c "$jar" -b "$jar" "$URL/login" >/dev/null
csrf=$(awk '$6 == "klade_csrf" { print $7 }' "$jar")
curl -fs -c "$jar" -b "$jar" -o /dev/null \
  --data-urlencode "csrf=$csrf" --data-urlencode "username=audzinataja" --data-urlencode "password=demo" "$URL/login"
session=$(awk '$6 == "klade_session" { print $7 }' "$jar")
[ -n "$session" ] || { echo "login failed" >&2; exit 1; }

echo "== login page: wrk -t2 -c16 -d${DURATION}s $URL/login"
wrk -t2 -c16 -d"${DURATION}s" --latency "$URL/login"
echo
echo "== home page (tutor): wrk -t2 -c16 -d${DURATION}s -H 'Cookie: klade_session=…' $URL/"
wrk -t2 -c16 -d"${DURATION}s" --latency -H "Cookie: klade_session=$session" "$URL/"
echo
echo "server memory (RSS, KiB): $(ps -o rss= -p $server)"
