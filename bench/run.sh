#!/usr/bin/env bash
# Load scenarios on loopback, each bounded to DURATION seconds:
#   login  — GET /login (anonymous; sets the pre-session CSRF cookie)
#   home   — GET / as the tutor `audzinataja` of the demo school (session lookup, grants, home queries)
#   grid   — GET /journal/<id>: the grid of Matemātika 2.B (25 students, a term of lessons) as `skolotajs`
#   save   — POST /api/v1/courses/<id>/cells: a whole lesson's attendance (25 cells and their history)
#   healthz and diary — GET /healthz, then a parent's diary week (`vecaks`), three times in turn
#   inbox  — GET /messages as the parent after the tutor has sent them 1 000 messages; and the
#            time of one message to all parents of 2.B
# Usage: bench/run.sh [DURATION] — needs wrk (Debian package `wrk`).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
DURATION=${1:-10}
PORT=${PORT:-18080}
URL="http://127.0.0.1:$PORT"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

cargo build --release -p klade
dir=$(mktemp -d)
./target/release/klade demo --db "$dir/bench.db" --listen "127.0.0.1:$PORT" >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
wait_up "$URL"
session=$(login "$URL" audzinataja "$dir")

echo "== login page: wrk -t2 -c16 -d${DURATION}s $URL/login"
wrk -t2 -c16 -d"${DURATION}s" --latency "$URL/login"
echo
echo "== home page (tutor): wrk -t2 -c16 -d${DURATION}s -H 'Cookie: klade_session=…' $URL/"
wrk -t2 -c16 -d"${DURATION}s" --latency -H "Cookie: klade_session=$session" "$URL/"
echo

# The journal: find Matemātika 2.B and its newest lesson through the API, as an app would.
token=$(curl -fs -H 'Content-Type: application/json' -d '{"username":"skolotajs","password":"demo"}' "$URL/api/v1/auth/login" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
course=$(curl -fs -H "Authorization: Bearer $token" "$URL/api/v1/courses" \
  | python3 -c 'import json,sys; print(next(c["id"] for c in json.load(sys.stdin) if c["name"]=="Matemātika" and c["class_name"]=="2.B"))')
read -r date lesson students < <(curl -fs -H "Authorization: Bearer $token" "$URL/api/v1/courses/$course/grid" | python3 -c '
import json, sys
g = json.load(sys.stdin)
ls = [c["Lesson"] for c in g["columns"] if "Lesson" in c and c["Lesson"]["id"]]
print(ls[-1]["date"], ls[-1]["lesson_no"], " ".join(str(s["id"]) for s in g["students"]))')
teacher=$(login "$URL" skolotajs "$dir")
cells=$(curl -fs -H "Authorization: Bearer $token" "$URL/api/v1/courses/$course/grid" | python3 -c '
import json, sys; g = json.load(sys.stdin); print(len(g["students"]), "students,", sum(1 for c in g["columns"] if "Lesson" in c), "lessons,", sum(1 for c in g["columns"] if "Assessment" in c), "assessments")')
echo "== grid page ($cells): wrk -t2 -c8 -d${DURATION}s $URL/journal/$course"
wrk -t2 -c8 -d"${DURATION}s" --latency -H "Cookie: klade_session=$teacher" "$URL/journal/$course"
echo
echo "== save a lesson's attendance ($date, lesson $lesson): wrk -t1 -c1 -d${DURATION}s -s bench/save_attendance.lua"
wrk -t1 -c1 -d"${DURATION}s" --latency -s bench/save_attendance.lua "$URL" -- "$course" "$date" "$lesson" "$token" $students
echo

parent=$(login "$URL" vecaks "$dir")
# The diary's goal is relative to /healthz, and two runs on a shared machine differ by a fifth; so
# the two alternate three times and each pair's ratio is printed, then their median.
ratios=()
for round in 1 2 3; do
  echo "== healthz ($round/3): wrk -t2 -c16 -d${DURATION}s $URL/healthz"
  wrk -t2 -c16 -d"${DURATION}s" --latency "$URL/healthz" | tee "$dir/healthz"
  echo
  echo "== diary week (parent, $round/3): wrk -t2 -c16 -d${DURATION}s -H 'Cookie: klade_session=…' $URL/diary"
  wrk -t2 -c16 -d"${DURATION}s" --latency -H "Cookie: klade_session=$parent" "$URL/diary" | tee "$dir/diary"
  ratio=$(awk '/Requests\/sec/ { r[FILENAME] = $2 } END { printf "%.1f", 100 * r[ARGV[2]] / r[ARGV[1]] }' "$dir/healthz" "$dir/diary")
  ratios+=("$ratio")
  echo "-- the diary is $ratio % of /healthz in this pair"
  echo
done
echo "== the diary as a share of /healthz, median of three pairs: $(printf '%s\n' "${ratios[@]}" | sort -n | sed -n 2p) % (pairs: ${ratios[*]})"
echo

# Mail: the tutor writes 1 000 messages to the demo parent (through the API, as an app would),
# then the parent opens the inbox; and one message to all parents of 2.B, timed alone.
tutor_token=$(curl -fs -H 'Content-Type: application/json' -d '{"username":"audzinataja","password":"demo"}' "$URL/api/v1/auth/login" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
python3 - "$URL" "$tutor_token" <<'PY'
import json, sys, urllib.parse, urllib.request
url, token = sys.argv[1], sys.argv[2]
def call(path, body=None):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode() if body else None,
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))
me = call("/api/v1/me")
school = next(m["institution_id"] for m in me["memberships"] if m["role"] == "tutor")
choices = call(f"/api/v1/messages/recipients?institution={school}&q=" + urllib.parse.quote("krūmiņa"))
parent = next(p["id"] for p in choices["people"] if p["name"] == "Ilze Krūmiņa")
for i in range(1000):
    call("/api/v1/messages", {"institution": school, "to": [f"person:{parent}"],
         "subject": f"Ziņa {i}", "body": "Labdien! Atgādinu par rītdienas stundām. " * 3})
PY
school=$(curl -fs -H "Authorization: Bearer $tutor_token" "$URL/api/v1/me" \
  | python3 -c 'import json,sys; print(next(m["institution_id"] for m in json.load(sys.stdin)["memberships"] if m["role"]=="tutor"))')
class_group=$(curl -fs -H "Authorization: Bearer $tutor_token" "$URL/api/v1/messages/recipients" \
  | python3 -c 'import json,sys; print(next(g["code"] for g in json.load(sys.stdin)["groups"] if g["kind"]=="class_parents"))')
echo "== one message to all parents of 2.B ($class_group), five times:"
for _ in 1 2 3 4 5; do
  curl -fs -o /dev/null -w '%{time_total} s\n' -H "Authorization: Bearer $tutor_token" -H 'Content-Type: application/json' \
    -d "{\"institution\":$school,\"to\":[\"$class_group\"],\"subject\":\"Sapulce\",\"body\":\"Vecāku sapulce ceturtdien.\"}" \
    "$URL/api/v1/messages"
done
echo
echo "== inbox of 1 000+ messages (parent): wrk -t2 -c16 -d${DURATION}s -H 'Cookie: klade_session=…' $URL/messages"
wrk -t2 -c16 -d"${DURATION}s" --latency -H "Cookie: klade_session=$parent" "$URL/messages"
echo
echo "server memory (RSS, KiB): $(ps -o rss= -p $server)"
