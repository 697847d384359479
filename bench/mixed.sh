#!/usr/bin/env bash
# An evening's mixed load (issue 21, point 3): parents' diary 45 %, grades 15 %, home pages 10 %,
# teachers' grids 10 %, attendance saves 8 %, grade saves 5 %, mail 5 %, logins 2 %; the people
# spread over institutions, half of them from the five largest (the hot ones). Reports wrk's
# throughput and latency, the servers' CPU per request and their resident memory.
#
#   DB=path.db|postgres://… BIN=target/release/klade [SERVERS=1|2] bash bench/mixed.sh [SECONDS] [CONNECTIONS]
#
# EACH=1 then measures every kind alone, for SECONDS/4 each, after the mix.
# DB is a seeded database (`klade seed --scale …`); the clock is KLADE_NOW (by default the day
# after the seed's last lessons: set it to the seed's). SERVERS=2 runs two `klade serve` on the
# database behind HAProxy (Debian's package), round robin. Needs wrk, curl, python3, and sqlite3
# or psql for the database.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
DURATION=${1:-30}
CONNECTIONS=${2:-32}
SERVERS=${SERVERS:-1}
PORT=${PORT:-18300}
URL="http://127.0.0.1:$PORT"
: "${DB:?DB: a seeded database}"
: "${BIN:=target/release/klade}"
export KLADE_NOW=${KLADE_NOW:-2026-12-07T10:00}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
dir=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

q() { # q SQL: rows as a|b|c
  if [[ "$DB" == postgres* ]]; then psql "$DB" -At -F'|' -c "$1"; else sqlite3 "$DB" "$1"; fi
}

if [ "$SERVERS" = 1 ]; then
  "$BIN" serve --db "$DB" --listen "127.0.0.1:$PORT" >"$dir/server1.log" 2>&1 &
  pids+=($!)
else
  command -v haproxy >/dev/null || { echo "haproxy is needed: apt-get install haproxy" >&2; exit 1; }
  backends=""
  for n in $(seq 1 "$SERVERS"); do
    "$BIN" serve --db "$DB" --listen "127.0.0.1:$((PORT + n))" >"$dir/server$n.log" 2>&1 &
    pids+=($!)
    backends+="    server k$n 127.0.0.1:$((PORT + n)) check"$'\n'
  done
  cat >"$dir/haproxy.cfg" <<CFG
global
    maxconn 4096
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
frontend klade
    bind 127.0.0.1:$PORT
    default_backend servers
backend servers
    balance roundrobin
    http-reuse always
$backends
CFG
  haproxy -f "$dir/haproxy.cfg" >"$dir/haproxy.log" 2>&1 &
  pids+=($!)
fi
servers=("${pids[@]:0:$SERVERS}")
wait_up "$URL" || { cat "$dir"/server*.log >&2; exit 1; }
for n in $(seq 1 "$SERVERS"); do wait_up "http://127.0.0.1:$((SERVERS == 1 ? PORT : PORT + n))"; done

# Who: the five largest institutions' people, and as many again spread over all of them.
hot=$(q "SELECT institution_id FROM enrolments GROUP BY institution_id ORDER BY COUNT(*) DESC, institution_id LIMIT 5" | paste -sd, -)
spread() { echo "($1) * 7919 % 10007"; } # a fixed, well-mixed order
parents=$( {
  q "SELECT a.username, g.child_id FROM guardianships g JOIN accounts a ON a.person_id = g.parent_id
     JOIN enrolments e ON e.student_id = g.child_id JOIN institutions i ON i.id = e.institution_id
     WHERE i.kind <> 'preschool' AND e.institution_id IN ($hot) ORDER BY $(spread g.parent_id) LIMIT 100"
  q "SELECT a.username, g.child_id FROM guardianships g JOIN accounts a ON a.person_id = g.parent_id
     JOIN enrolments e ON e.student_id = g.child_id JOIN institutions i ON i.id = e.institution_id
     WHERE i.kind <> 'preschool' AND e.institution_id NOT IN ($hot) ORDER BY $(spread g.parent_id) LIMIT 100"
} )
teachers=$( {
  q "SELECT a.username, MIN(ct.course_id) FROM course_teachers ct JOIN accounts a ON a.person_id = ct.person_id
     WHERE ct.institution_id IN ($hot) GROUP BY a.username, ct.person_id ORDER BY $(spread ct.person_id) LIMIT 30"
  q "SELECT a.username, MIN(ct.course_id) FROM course_teachers ct JOIN accounts a ON a.person_id = ct.person_id
     WHERE ct.institution_id NOT IN ($hot) GROUP BY a.username, ct.person_id ORDER BY $(spread ct.person_id) LIMIT 30"
} )
work="$dir/work.tsv"
: >"$work"
echo "signing in $(echo "$parents" | wc -l) parents and $(echo "$teachers" | wc -l) teachers…"
while IFS='|' read -r user child; do
  s=$(login "$URL" "$user" "$dir")
  c="klade_session=$s"
  printf 'diary\tGET\t/diary\tCookie\t%s\t\n' "$c" >>"$work"
  printf 'grades\tGET\t/students/%s/grades\tCookie\t%s\t\n' "$child" "$c" >>"$work"
  printf 'home\tGET\t/\tCookie\t%s\t\n' "$c" >>"$work"
  printf 'mail\tGET\t/messages\tCookie\t%s\t\n' "$c" >>"$work"
done <<<"$parents"
while IFS='|' read -r user course; do
  s=$(login "$URL" "$user" "$dir")
  c="klade_session=$s"
  token=$(curl -fs -H 'Content-Type: application/json' -d "{\"username\":\"$user\",\"password\":\"demo\"}" "$URL/api/v1/auth/login" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  printf 'grid\tGET\t/journal/%s\tCookie\t%s\t\n' "$course" "$c" >>"$work"
  printf 'home\tGET\t/\tCookie\t%s\t\n' "$c" >>"$work"
  IFS='|' read -r date no < <(q "SELECT date, lesson_no FROM lessons WHERE course_id = $course ORDER BY date DESC, lesson_no DESC LIMIT 1")
  students=$(q "SELECT student_id FROM course_students WHERE course_id = $course ORDER BY student_id")
  IFS='|' read -r assessment scale < <(q "SELECT id, scale FROM assessments WHERE course_id = $course ORDER BY date DESC, id DESC LIMIT 1")
  for value in n ""; do
    cells=$(for s in $students; do printf '{"key":"a:%s:%s:%s","value":"%s"},' "$date" "$no" "$s" "$value"; done)
    printf 'attendance\tPOST\t/api/v1/courses/%s/cells\tAuthorization\tBearer %s\t{"reason":"bench","cells":[%s]}\n' \
      "$course" "$token" "${cells%,}" >>"$work"
  done
  case "$scale" in ten) marks="6 7" ;; percent) marks="60 70" ;; *) marks="T A" ;; esac
  first=$(echo "$students" | head -1)
  for mark in $marks; do
    printf 'grade\tPOST\t/api/v1/courses/%s/cells\tAuthorization\tBearer %s\t{"reason":"bench","cells":[{"key":"g:%s:%s","value":"%s"}]}\n' \
      "$course" "$token" "$assessment" "$first" "$mark" >>"$work"
  done
done <<<"$teachers"
# Logins: the form as a browser sends it, with the pre-session cookie and its token.
while IFS='|' read -r user _; do
  jar="$dir/login.jar"
  curl -fs -c "$jar" "$URL/login" >/dev/null
  csrf=$(awk '$6 == "klade_csrf" { print $7 }' "$jar")
  printf 'login\tPOST\t/login\tCookie\tklade_csrf=%s\tcsrf=%s&username=%s&password=demo\n' "$csrf" "$csrf" "$user" >>"$work"
done < <(echo "$parents" | head -20)

cpu() { # the servers' CPU seconds so far
  local t=0
  for p in "${servers[@]}"; do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done
  echo "$t"
}
before=$(cpu)
echo "== the mix from $CONNECTIONS connections for ${DURATION}s against $SERVERS server(s) on ${DB%%\?*}: wrk -t2 -c$CONNECTIONS -d${DURATION}s"
out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/mixed.lua "$URL" -- "$work")
after=$(cpu)
echo "$out" | grep -E "Requests/sec|Latency  |50%|90%|99%|requests in|Non-2xx|Socket errors"
requests=$(echo "$out" | awk '/requests in/ { print $1 }')
ticks=$(getconf CLK_TCK)
python3 -c "print(f'servers\' CPU per request: {($after - $before) / $ticks / $requests * 1e6:.0f} µs')"
if [ -n "${EACH:-}" ]; then
  for kind in diary grades home grid attendance grade mail login; do
    r=$(wrk -t2 -c"$CONNECTIONS" -d"$((DURATION / 4))s" --latency -s bench/mixed.lua "$URL" -- "$work" "$kind")
    printf '%-11s %10s req/s  p50 %9s  p99 %9s %s\n' "$kind" "$(echo "$r" | awk '/Requests\/sec/ { print $2 }')" \
      "$(echo "$r" | awk '$1 == "50%" { print $2 }')" "$(echo "$r" | awk '$1 == "99%" { print $2 }')" \
      "$(echo "$r" | grep -o 'Non-2xx or 3xx responses: [0-9]*' || true)"
  done
fi
for p in "${servers[@]}"; do
  grep -E 'VmRSS|VmHWM' "/proc/$p/status" | tr -s ' \t' ' ' | paste -sd' ' - | sed "s/^/server $p: /"
done
