#!/usr/bin/env bash
# High availability from proven parts: Klade over two PostgreSQL 15 nodes managed by Patroni
# (etcd as its store, synchronous replication, so an acknowledged commit is on both nodes) behind
# HAProxy, which routes port 5000 to whichever node Patroni's REST API calls the primary. In
# ROUNDS rounds (10 by default) four writers save journal data through `klade serve`, the
# primary is killed, Patroni promotes the standby and the old primary comes back as the new
# standby; the writers keep going until saves succeed again. After each round every acknowledged
# save must be in the database and `klade verify` must be clean.
#
#   BIN=target/debug/klade bash bench/failover.sh [ROUNDS]   # set up (idempotently) and run
#   bash bench/failover.sh setup                             # only set up the cluster
#   bash bench/failover.sh status                            # Patroni's view of the cluster
#   bash bench/failover.sh stop                              # stop everything it started
#   bash bench/failover.sh clean                             # stop, and remove the scratch dir
#
# STRICT=1 turns on Patroni's synchronous_mode_strict: with two nodes, no write is acknowledged
# while only one is up, so none can be lost with the second failure; the price is a longer gap.
#
# KILL=postgres (the default) kills the primary's postmaster with SIGKILL; Patroni fails over at
# once (primary_start_timeout 0). KILL=node kills the primary's Patroni and postmaster together
# with SIGKILL, as if the machine died: the standby takes over when the leader key expires (ttl),
# and the killed node's Patroni is started again, as a machine coming back would.
#
# Needs Debian's patroni, etcd-server and haproxy and PostgreSQL 15 (apt-get install patroni
# etcd-server haproxy postgresql-15), root (the cluster runs as the `postgres` user), python3.
# Ports: etcd 2379/2380, PostgreSQL 5433/5434, Patroni's REST API 8008/8009, HAProxy 5000 (and
# its statistics on 7000), Klade 18480. Scratch files in $KLADE_HA_DIR (${TMPDIR:-/tmp}/klade-ha).
set -euo pipefail
cd "$(dirname "$0")/.."
HA=${KLADE_HA_DIR:-${TMPDIR:-/tmp}/klade-ha}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
KLADE_PORT=${KLADE_PORT:-18480}
KILL=${KILL:-postgres}
DB_URL=${DB_URL:-postgres://postgres@127.0.0.1:5000/klade}
export KLADE_NOW=${KLADE_NOW:-2026-11-25T10:00}
NODES="pg1 pg2"
declare -A PG_PORT=([pg1]=5433 [pg2]=5434) API_PORT=([pg1]=8008 [pg2]=8009)

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
# spawn PIDFILE LOGFILE COMMAND...: runs COMMAND as postgres in a session of its own, in the
# background, and writes its own pid (not runuser's) to PIDFILE, so it can be signalled itself.
spawn() {
  local pidfile=$1 logfile=$2
  shift 2
  as_pg sh -c 'p=$1 l=$2; shift 2; setsid "$@" >>"$l" 2>&1 </dev/null & echo $! >"$p"' sh "$pidfile" "$logfile" "$@"
}
alive() { [ -f "$1" ] && kill -0 "$(cat "$1" 2>/dev/null)" 2>/dev/null; }
log() { echo "[$(date +%T)] $*" >&2; }

# role NODE: what Patroni's REST API says the node is (primary, replica, ...), or "down".
role() {
  curl -fs -m 1 "http://127.0.0.1:${API_PORT[$1]}/patroni" 2>/dev/null \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("role","?")+"/"+d.get("state","?"))' 2>/dev/null \
    || echo down
}
# leader: the node whose /primary answers 200, or nothing.
leader() {
  for n in $NODES; do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' -m 1 "http://127.0.0.1:${API_PORT[$n]}/primary")" = 200 ]; then
      echo "$n"; return 0
    fi
  done
}
# healthy: a primary and a synchronous standby that is streaming.
healthy() {
  local l s
  l=$(leader) || true
  [ -n "$l" ] || return 1
  for s in $NODES; do
    [ "$s" = "$l" ] && continue
    [ "$(curl -s -o /dev/null -w '%{http_code}' -m 1 "http://127.0.0.1:${API_PORT[$s]}/sync")" = 200 ] || return 1
  done
}
wait_healthy() {
  local deadline=$(( $(date +%s) + ${1:-120} ))
  until healthy; do
    [ "$(date +%s)" -lt "$deadline" ] || { log "the cluster did not become healthy"; status >&2; return 1; }
    sleep 0.5
  done
}

start_etcd() {
  alive "$HA/etcd.pid" && return 0
  as_pg mkdir -p "$HA/etcd"
  spawn "$HA/etcd.pid" "$HA/etcd.log" etcd --name klade-ha --data-dir "$HA/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster klade-ha=http://127.0.0.1:2380 --initial-cluster-state new
  for _ in $(seq 1 100); do curl -fs -m 1 http://127.0.0.1:2379/health >/dev/null && return 0; sleep 0.2; done
  log "etcd did not start (see $HA/etcd.log)"; return 1
}

# The Patroni configuration of one node. ttl 10, loop_wait 2, retry_timeout 4 (Patroni's
# defaults are 30, 10, 10): a dead leader's key expires within 10 s, and every member looks at the
# cluster every 2 s. primary_start_timeout 0: a crashed primary fails over instead of restarting
# in place. synchronous_mode: a commit returns once the standby has it on disk.
write_patroni_config() {
  local n=$1
  as_pg tee "$HA/$n.yml" >/dev/null <<EOF
scope: klade
namespace: /klade-ha/
name: $n
log:
  level: INFO
restapi:
  listen: 127.0.0.1:${API_PORT[$n]}
  connect_address: 127.0.0.1:${API_PORT[$n]}
etcd3:
  hosts: 127.0.0.1:2379
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 2
    retry_timeout: 4
    primary_start_timeout: 0
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
        max_wal_senders: 10
        max_replication_slots: 10
        wal_keep_size: 256MB
        synchronous_commit: "on"
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
    - data-checksums
  pg_hba:
    - local all all trust
    - host replication replicator 127.0.0.1/32 trust
    - host all all 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:${PG_PORT[$n]}
  connect_address: 127.0.0.1:${PG_PORT[$n]}
  data_dir: $HA/$n
  bin_dir: $PGBIN
  pgpass: $HA/$n.pgpass
  authentication:
    superuser:
      username: postgres
    replication:
      username: replicator
    rewind:
      username: postgres
  parameters:
    unix_socket_directories: $HA
    max_connections: 100
    shared_buffers: 64MB
tags:
  nofailover: false
  noloadbalance: false
EOF
}

start_patroni() {
  local n=$1
  alive "$HA/$n.patroni.pid" && return 0
  [ -f "$HA/$n.yml" ] || write_patroni_config "$n"
  spawn "$HA/$n.patroni.pid" "$HA/$n.log" patroni "$HA/$n.yml"
}

start_haproxy() {
  alive "$HA/haproxy.pid" && return 0
  as_pg tee "$HA/haproxy.cfg" >/dev/null <<EOF
global
    maxconn 400
defaults
    mode tcp
    retries 2
    timeout connect 2s
    timeout client 30m
    timeout server 30m
    timeout check 2s
listen stats
    mode http
    bind 127.0.0.1:7000
    stats enable
    stats uri /
listen primary
    bind 127.0.0.1:5000
    option httpchk GET /primary
    http-check expect status 200
    default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions
    server pg1 127.0.0.1:${PG_PORT[pg1]} maxconn 100 check port ${API_PORT[pg1]}
    server pg2 127.0.0.1:${PG_PORT[pg2]} maxconn 100 check port ${API_PORT[pg2]}
EOF
  as_pg haproxy -f "$HA/haproxy.cfg" -D -p "$HA/haproxy.pid"
}

setup() {
  if ! alive "$HA/etcd.pid" && ! alive "$HA/haproxy.pid" && ! alive "$HA/pg1.patroni.pid" && ! alive "$HA/pg2.patroni.pid"; then
    for p in 2379 2380 5000 5433 5434 7000 8008 8009; do
      if ss -Hltn "sport = :$p" | grep -q .; then log "port $p is taken by something else"; return 1; fi
    done
  fi
  mkdir -p "$HA"
  [ "$(id -u)" = 0 ] && chown -R postgres: "$HA"
  chmod 700 "$HA"
  start_etcd
  for n in $NODES; do start_patroni "$n"; done
  start_haproxy
  log "waiting for a primary and a synchronous standby"
  wait_healthy 180
  # STRICT=1: synchronous_mode_strict, no commit without a synchronous standby (a lone primary
  # refuses writes until the other node is back). Patroni's dynamic setting, kept in etcd.
  local strict=false
  [ "${STRICT:-0}" = 1 ] && strict=true
  as_pg patronictl -c "$HA/pg1.yml" edit-config --force -s "synchronous_mode_strict=$strict" >/dev/null
  # Klade's database, created once through HAProxy (so on the primary).
  for _ in $(seq 1 30); do psql -X -q "postgres://postgres@127.0.0.1:5000/postgres" -c 'select 1' >/dev/null 2>&1 && break; sleep 1; done
  if ! psql -X -At "postgres://postgres@127.0.0.1:5000/postgres" -c "select 1 from pg_database where datname = 'klade'" | grep -q 1; then
    psql -X -q "postgres://postgres@127.0.0.1:5000/postgres" -c 'create database klade'
  fi
  status
}

status() {
  for n in $NODES; do echo "$n: $(role "$n")"; done
  as_pg patronictl -c "$HA/pg1.yml" list 2>/dev/null || true
}

stop_klade() {
  if alive "$HA/klade.pid"; then kill "$(cat "$HA/klade.pid")"; sleep 1; fi
  rm -f "$HA/klade.pid"
}

stop() {
  stop_klade
  if alive "$HA/haproxy.pid"; then kill "$(cat "$HA/haproxy.pid")"; fi
  for n in $NODES; do
    if alive "$HA/$n.patroni.pid"; then kill -TERM "$(cat "$HA/$n.patroni.pid")"; fi
  done
  for n in $NODES; do
    for _ in $(seq 1 60); do alive "$HA/$n.patroni.pid" || break; sleep 0.5; done
    # A postmaster left behind by a Patroni killed with SIGKILL.
    if [ -f "$HA/$n/postmaster.pid" ]; then
      as_pg "$PGBIN/pg_ctl" -D "$HA/$n" -m fast stop >/dev/null 2>&1 || true
    fi
  done
  if alive "$HA/etcd.pid"; then kill "$(cat "$HA/etcd.pid")"; fi
  sleep 1
  rm -f "$HA"/*.pid
}

# kill_primary: kills the current primary as KILL says; prints the node it killed.
kill_primary() {
  local l pm
  l=$(leader)
  [ -n "$l" ] || { log "no primary to kill"; return 1; }
  pm=$(head -1 "$HA/$l/postmaster.pid")
  if [ "$KILL" = node ]; then
    kill -KILL "$(cat "$HA/$l.patroni.pid")" "$pm"
  else
    kill -KILL "$pm"
  fi
  echo "$l"
}

# after_kill NODE: with KILL=node, the killed node's Patroni is started again (a machine back).
after_kill() {
  [ "$KILL" = node ] || return 0
  rm -f "$HA/$1.patroni.pid"
  start_patroni "$1"
}

case "${1:-}" in
  setup) setup; exit 0 ;;
  status) status; exit 0 ;;
  stop) stop; exit 0 ;;
  clean) stop; rm -rf "$HA"; exit 0 ;;
  leader) leader; exit 0 ;;
  healthy) healthy; exit $? ;;
  kill-primary) kill_primary; exit $? ;;
  after-kill) after_kill "$2"; exit $? ;;
esac

ROUNDS=${1:-10}
if [ -z "${BIN:-}" ]; then
  cargo build -p klade
  BIN=./target/debug/klade
fi
setup
stop_klade
# The demo, made once: `klade demo` creates it and serves; it is stopped as soon as it serves.
if ! psql -X -At "$DB_URL" -c "select count(*) from institutions" 2>/dev/null | grep -q '^[1-9]'; then
  log "making the demo in $DB_URL"
  KLADE_LOG=error "$BIN" demo --db "$DB_URL" --listen "127.0.0.1:$KLADE_PORT" >"$HA/demo.log" 2>&1 &
  demo=$!
  for _ in $(seq 1 600); do curl -fs -m 1 "http://127.0.0.1:$KLADE_PORT/healthz" >/dev/null && break; sleep 0.5; done
  kill "$demo"; wait "$demo" 2>/dev/null || true
fi
KLADE_LOG=${KLADE_LOG:-warn} "$BIN" serve --db "$DB_URL" --listen "127.0.0.1:$KLADE_PORT" >>"$HA/klade.log" 2>&1 &
echo $! >"$HA/klade.pid"
for _ in $(seq 1 100); do curl -fs -m 1 "http://127.0.0.1:$KLADE_PORT/healthz" >/dev/null && break; sleep 0.2; done
trap 'stop_klade' EXIT

log "$ROUNDS rounds, KILL=$KILL"
python3 bench/failover.py --base "http://127.0.0.1:$KLADE_PORT" --rounds "$ROUNDS" \
  --ctl "bash bench/failover.sh" --verify "$BIN verify --db $DB_URL" --out "$HA/rounds.json"
