#!/usr/bin/env bash
# Klade through PgBouncer (Debian's, 1.18) in front of a PostgreSQL server: PgBouncer on
# 127.0.0.1:6432 with trust authentication, pooling into database klade_bouncer on the server at
# PGHOST:PGPORT (127.0.0.1:5432). Then the check: `klade demo` makes the demo through PgBouncer,
# `klade serve` serves it through PgBouncer, and a teacher signs in, loads pages and saves
# attendance (through the page's form, and from 8 API clients at once). Each pool mode given
# (both by default) is checked with each Klade URL in URLS, on a fresh database each time.
#
#   BIN=target/debug/klade bash bench/pgbouncer.sh [transaction] [session]   # set up, check, stop
#   bash bench/pgbouncer.sh stop                                             # stop PgBouncer
#
# POOL_SIZE (20) is PgBouncer's default_pool_size: in session mode every connection of Klade's
# pool holds a server connection for as long as it lives, so it must be at least the sum of the
# `max_connections` (16 by default) of every Klade server behind this PgBouncer; a connection over
# it waits for a server that never comes free.
#
# Needs Debian's pgbouncer (apt-get install pgbouncer), root (PgBouncer runs as `postgres`),
# psql, curl and python3. Scratch files in $KLADE_BOUNCER_DIR (${TMPDIR:-/tmp}/klade-bouncer).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
DIR=${KLADE_BOUNCER_DIR:-${TMPDIR:-/tmp}/klade-bouncer}
MODES=${*:-transaction session}
POOL_SIZE=${POOL_SIZE:-20}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
DB=klade_bouncer
KLADE_PORT=${KLADE_PORT:-18490}
export KLADE_NOW=${KLADE_NOW:-2026-11-25T10:00}
# The URLs tried: as it is, and with sqlx's statement cache off.
URLS=${URLS:-"postgres://postgres@127.0.0.1:6432/$DB postgres://postgres@127.0.0.1:6432/$DB?statement-cache-capacity=0"}

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1" 2>/dev/null)" 2>/dev/null; }

stop_bouncer() {
  if alive "$DIR/pgbouncer.pid"; then
    kill "$(cat "$DIR/pgbouncer.pid")"
    for _ in $(seq 1 50); do alive "$DIR/pgbouncer.pid" || break; sleep 0.1; done
  fi
}

start_bouncer() {
  mkdir -p "$DIR"
  chown postgres: "$DIR" 2>/dev/null || true
  stop_bouncer
  # trust: no password is asked, but the user must be listed in auth_file.
  echo '"postgres" ""' | as_pg tee "$DIR/userlist.txt" >/dev/null
  as_pg tee "$DIR/pgbouncer.ini" >/dev/null <<EOF
[databases]
$DB = host=$PGHOST port=$PGPORT dbname=$DB

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = 6432
unix_socket_dir = $DIR
auth_type = trust
auth_file = $DIR/userlist.txt
admin_users = postgres
pool_mode = $MODE
max_client_conn = 200
default_pool_size = $POOL_SIZE
; sqlx sends extra_float_digits at startup; PgBouncer 1.18 refuses a startup parameter it does
; not know unless told to ignore it.
ignore_startup_parameters = extra_float_digits
logfile = $DIR/pgbouncer.log
pidfile = $DIR/pgbouncer.pid
EOF
  as_pg pgbouncer -d "$DIR/pgbouncer.ini"
  for _ in $(seq 1 50); do alive "$DIR/pgbouncer.pid" && break; sleep 0.1; done
}

if [ "${1:-}" = stop ]; then stop_bouncer; exit 0; fi
if [ -z "${BIN:-}" ]; then
  cargo build -p klade
  BIN=./target/debug/klade
fi

trap 'stop_bouncer' EXIT

# check URL: a fresh database, the demo made through PgBouncer, then served through it and used.
check() {
  local url=$1 out server base token course errors
  out=$(mktemp -d)
  psql -X -q -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
  # PgBouncer's idle server connections to the old database are gone with it.
  psql -X -q -h 127.0.0.1 -p 6432 -U postgres pgbouncer -c "RECONNECT $DB" >/dev/null 2>&1 || true
  echo "-- $url"
  KLADE_LOG=warn timeout 600 "$BIN" demo --db "$url" --listen "127.0.0.1:$KLADE_PORT" >"$out/demo.log" 2>&1 &
  server=$!
  base="http://127.0.0.1:$KLADE_PORT"
  if ! wait_up_long "$base" "$server"; then
    echo "   klade demo: FAILED"; sed 's/^/   | /' "$out/demo.log" | grep -v '^   | *$' | tail -8
    kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true
    rm -rf "$out"; return 1
  fi
  echo "   klade demo: made the demo and served it"
  kill "$server"; wait "$server" 2>/dev/null || true
  KLADE_LOG=warn "$BIN" serve --db "$url" --listen "127.0.0.1:$KLADE_PORT" >"$out/serve.log" 2>&1 &
  server=$!
  if ! wait_up_long "$base" "$server"; then
    echo "   klade serve: FAILED"; tail -5 "$out/serve.log" | sed 's/^/   | /'
    rm -rf "$out"; return 1
  fi
  python3 - "$base" <<'EOF' || true
import json, sys, threading, urllib.request, urllib.error, http.cookiejar, re, collections
base = sys.argv[1]
answers = collections.Counter()
examples = {}
def call(opener, method, path, body=None, token=None, form=None):
    data, headers = None, {}
    if body is not None:
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if token:
        headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with opener.open(req, timeout=30) as r:
            s, b = r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        s, b = e.code, e.read().decode("utf-8", "replace")
    except Exception as e:
        s, b = type(e).__name__, str(e)
    answers[(method, re.sub(r"/\d+", "/N", path.split("?")[0]), s)] += 1
    if s != 200 and s not in examples:
        examples[s] = b[:300]
    return s, b
import urllib.parse
# The login form, as a browser signs in: the CSRF cookie and field, then the session cookie.
jar = http.cookiejar.CookieJar()
browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
s, _ = call(browser, "GET", "/login")
csrf = next((c.value for c in jar if c.name == "klade_csrf"), "")
s, _ = call(browser, "POST", "/login", form={"csrf": csrf, "username": "skolotajs", "password": "demo"})
signed = any(c.name == "klade_session" for c in jar)
print("   sign in through the form: %s (%s)" % ("yes" if signed else "NO", s))
for page in ["/", "/journal", "/deadlines", "/account"]:
    s, _ = call(browser, "GET", page)
    print("   page %s: %s" % (page, s))
# The API: sign in, the courses, a grid, then attendance saved from 8 threads at once.
s, b = call(urllib.request.build_opener(), "POST", "/api/v1/auth/login", body={"username": "skolotajs", "password": "demo"})
if s != 200:
    print("   API sign-in: %s %s" % (s, b[:200])); sys.exit(1)
token = json.loads(b)["token"]
api = urllib.request.build_opener()
s, b = call(api, "GET", "/api/v1/courses", token=token)
course = next(c["id"] for c in json.loads(b) if c["name"] == "Matemātika" and c["class_name"] == "2.B")
s, page = call(browser, "GET", "/journal/%d" % course)
print("   page /journal/N (the grid): %s" % s)
s, b = call(api, "GET", "/api/v1/courses/%d/grid" % course, token=token)
g = json.loads(b)
have = {c["key"] for c in g["cells"]}
cells = ["a:%s:%s:%s" % (l["date"], l["lesson_no"], st["id"]) for col in g["columns"] if (l := col.get("Lesson"))
         for st in g["students"]]
cells = [k for k in cells if k not in have][:401]
# One cell through the grid page's form, as a teacher saves it (the page's CSRF field).
import html
m = re.search(r'name="csrf" value="([^"]+)"', page)
action = re.search(r'<form[^>]*action="(/journal/%d(?:\?[^"]*)?)"' % course, page)
action = html.unescape(action.group(1)) if action else "/journal/%d" % course
form = cells.pop()
s, _ = call(browser, "POST", action, form={"csrf": m.group(1) if m else "", form: "n"})
print("   attendance saved through the page's form: %s" % s)
acked = []
def save(mine):
    for k in mine:
        s, _ = call(api, "POST", "/api/v1/courses/%d/cells" % course, body={"cells": [{"key": k, "value": "n"}]}, token=token)
        if s == 200:
            acked.append(k)
        s, _ = call(api, "GET", "/api/v1/courses/%d/grid" % course, token=token)
threads = [threading.Thread(target=save, args=(cells[i::8],)) for i in range(8)]
for t in threads: t.start()
for t in threads: t.join()
s, b = call(api, "GET", "/api/v1/courses/%d/grid" % course, token=token)
now = {c["key"] for c in json.loads(b)["cells"]} if s == 200 else set()
print("   the form's cell in the database: %s" % ("yes" if form in now else "NO"))
print("   attendance saved from 8 API clients at once: %d sent, %d acknowledged, %d acknowledged and missing"
      % (len(cells), len(acked), len([k for k in acked if k not in now])))
bad = {k: v for k, v in answers.items() if k[2] != 200}
print("   answers not 200: %s" % (dict(bad) or "none"))
for s, b in examples.items():
    print("   example %s: %s" % (s, b.replace("\n", " ")[:200]))
EOF
  kill "$server"; wait "$server" 2>/dev/null || true
  echo "   errors in the server's log:"
  grep -oE '(prepared statement|unnamed prepared statement)[^"\\]*|bind message[^"\\]*|unsupported startup parameter[^"\\]*' \
    "$out/demo.log" "$out/serve.log" | sed 's/^[^:]*://' | sort | uniq -c | sort -rn | head -6 | sed 's/^/   | /'
  rm -rf "$out"
}

# wait_up_long URL PID: until /healthz answers (the demo takes a while), or the process ends.
wait_up_long() {
  for _ in $(seq 1 1200); do
    curl -fs -m 2 "$1/healthz" >/dev/null && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}

for MODE in $MODES; do
  start_bouncer
  echo "== PgBouncer $(pgbouncer --version | head -1 | awk '{print $2}'), pool_mode = $MODE, default_pool_size = $POOL_SIZE, on 127.0.0.1:6432 -> $PGHOST:$PGPORT/$DB"
  for url in $URLS; do check "$url" || true; done
  if [ "$MODE" = transaction ]; then
    echo "-- why, message by message (bench/pgbouncer_protocol.py: two clients as sqlx speaks):"
    python3 bench/pgbouncer_protocol.py 127.0.0.1 6432 "$DB" postgres | sed 's/^/   /'
  fi
  stop_bouncer
done
