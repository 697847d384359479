#!/usr/bin/env bash
# Reports over a whole institution's year (issue 8, "Speed"): the demo school plus a past school
# year of 1 000 students and 200 working days (bench/year.py), served from SQLite; each report
# opened by the director, one request at a time, for DURATION seconds.
#   statistics — GET /statistics for the whole year, and for its second term (each with the
#                previous period of the same length)
#   summary    — GET /absence-summary for March (per class and per student)
#   exports    — the term's statistics as XLSX and PDF; a class's summary journal as PDF
#   deadlines  — GET /deadlines/overview (every overdue item of the current year)
# Usage: bench/reports.sh [DURATION] — needs wrk (Debian package `wrk`) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
DURATION=${1:-8}
PORT=${PORT:-18081}
URL="http://127.0.0.1:$PORT"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

cargo build --release -p klade
dir=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT

# The demo's database, then the past year written into it while no server runs.
./target/release/klade demo --db "$dir/year.db" --listen "127.0.0.1:$PORT" >"$dir/demo.log" 2>&1 &
server=$!
wait_up "$URL"
kill $server; wait $server 2>/dev/null || true
python3 bench/year.py "$dir/year.db"
./target/release/klade serve --db "$dir/year.db" --listen "127.0.0.1:$PORT" >"$dir/server.log" 2>&1 &
server=$!
wait_up "$URL"
session=$(login "$URL" direktors "$dir")
school=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT id FROM institutions WHERE kind <> '"'"'preschool'"'"' ORDER BY id").fetchone()[0])' "$dir/year.db")
class=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT c.id FROM classes c JOIN school_years y ON y.id = c.school_year_id WHERE y.name = '"'"'2025/2026'"'"' AND c.name = '"'"'2.B'"'"'").fetchone()[0])' "$dir/year.db")

for path in \
  "/statistics?i=$school&from=2025-09-01&to=2026-07-13" \
  "/statistics?i=$school&from=2026-01-05&to=2026-06-19" \
  "/absence-summary?i=$school&month=2026-03" \
  "/statistics?i=$school&from=2026-01-05&to=2026-06-19&format=xlsx" \
  "/statistics?i=$school&from=2026-01-05&to=2026-06-19&format=pdf" \
  "/classes/$class/summary?format=pdf" \
  "/deadlines/overview?i=$school"; do
  echo "== $path: wrk -t1 -c1 -d${DURATION}s"
  curl -fs -o /dev/null -H "Cookie: klade_session=$session" "$URL$path" || { echo "failed: $path" >&2; exit 1; }
  wrk -t1 -c1 -d"${DURATION}s" --latency -H "Cookie: klade_session=$session" "$URL$path"
  echo
done
echo "server RSS: $(ps -o rss= -p $server) KiB"
