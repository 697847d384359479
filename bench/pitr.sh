#!/usr/bin/env bash
# Backup and restore to a point in time, for Klade over PostgreSQL 15, with PostgreSQL's own tools:
# a cluster that archives its WAL, a base backup with pg_basebackup taken while Klade serves, a
# batch of good saves (A), a named restore point, a batch of wrong ones (B: grades overwritten),
# then the cluster lost and rebuilt from the base backup and the archive up to the restore point.
# Batch A must be there, batch B not, `klade verify` clean, and Klade must serve the result.
#
#   BIN=target/release/klade bash bench/pitr.sh   # the drill, from scratch (idempotent)
#   bash bench/pitr.sh stop                       # stop what a run left (KEEP=1) running
#   bash bench/pitr.sh clean                      # stop, and remove the scratch dir
#
# TARGET=time recovers to the restore point's time (recovery_target_time) instead of its name.
# SEED=school (or county) adds `klade seed`'s institutions to the demo, for a larger database.
# FORMAT=plain takes the base backup as a copy of the data directory (-Fp) instead of compressed
# tar files (-Ft -z).
#
# Each run starts afresh: it stops what an earlier run left and empties the scratch dir. At the
# end it stops Klade and the restored cluster; KEEP=1 leaves both running to look at.
#
# Needs PostgreSQL 15's programs ($PGBIN: initdb, pg_ctl, pg_basebackup, pg_verifybackup,
# pg_waldump, psql), root (the cluster runs as the `postgres` user), python3, curl. Ports:
# PostgreSQL 5440 ($PG_PORT), Klade 18490 ($KLADE_PORT); a PostgreSQL on 5432 is left alone.
# Scratch files in $KLADE_PITR_DIR (${TMPDIR:-/tmp}/klade-pitr): data (the cluster), base (the
# base backup), archive (the WAL archive), lost (the cluster as it was when lost), *.log.
set -euo pipefail
cd "$(dirname "$0")/.."
PITR=${KLADE_PITR_DIR:-${TMPDIR:-/tmp}/klade-pitr}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PG_PORT=${PG_PORT:-5440}
KLADE_PORT=${KLADE_PORT:-18490}
TARGET=${TARGET:-name}
FORMAT=${FORMAT:-tar}
export KLADE_NOW=${KLADE_NOW:-2026-11-25T10:00}
DATA=$PITR/data
BASE=$PITR/base
ARCHIVE=$PITR/archive
DB_URL=postgres://postgres@127.0.0.1:$PG_PORT/klade
ADMIN_URL=postgres://postgres@127.0.0.1:$PG_PORT/postgres
KLADE=http://127.0.0.1:$KLADE_PORT

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1" 2>/dev/null)" 2>/dev/null; }
log() { echo "[$(date +%T)] $*" >&2; }
sql() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 "${2:-$ADMIN_URL}" -c "$1"; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
mb() { du -sb "$@" | awk '{ s += $1 } END { printf "%.1f MB", s / 1048576 }'; }

stop_klade() {
  if alive "$PITR/klade.pid"; then
    kill "$(cat "$PITR/klade.pid")"
    for _ in $(seq 1 50); do alive "$PITR/klade.pid" || break; sleep 0.1; done
  fi
  rm -f "$PITR/klade.pid"
}

stop() {
  stop_klade
  for d in "$DATA" "$PITR/lost"; do
    if [ -f "$d/postmaster.pid" ]; then as_pg "$PGBIN/pg_ctl" -D "$d" -m fast -w stop >/dev/null 2>&1 || true; fi
  done
}

start_klade() {
  KLADE_LOG=${KLADE_LOG:-warn} "$BIN" serve --db "$DB_URL" --listen "127.0.0.1:$KLADE_PORT" >>"$PITR/klade.log" 2>&1 &
  echo $! >"$PITR/klade.pid"
  for _ in $(seq 1 300); do curl -fs -m 1 "$KLADE/healthz" >/dev/null && return 0; sleep 0.2; done
  log "klade serve did not start (see $PITR/klade.log)"; return 1
}

case "${1:-}" in
  stop) stop; exit 0 ;;
  clean) stop; rm -rf "$PITR"; exit 0 ;;
  "") ;;
  *) echo "usage: bash bench/pitr.sh [stop|clean]" >&2; exit 2 ;;
esac

if [ -z "${BIN:-}" ]; then
  cargo build --release -p klade
  BIN=./target/release/klade
fi

# 0. A clean start: whatever an earlier run left is stopped and removed.
stop
rm -rf "$PITR"
for p in "$PG_PORT" "$KLADE_PORT"; do
  if ss -Hltn "sport = :$p" | grep -q .; then log "port $p is taken by something else"; exit 1; fi
done
mkdir -p "$PITR" "$ARCHIVE"
[ "$(id -u)" = 0 ] && chown -R postgres: "$PITR"
chmod 700 "$PITR"
finish() {
  local rc=$?
  if [ "${KEEP:-0}" = 1 ] && [ "$rc" = 0 ]; then
    log "left running (KEEP=1): PostgreSQL on $PG_PORT, Klade on $KLADE; bash bench/pitr.sh stop"
  else
    stop
  fi
  exit "$rc"
}
trap finish EXIT

# 1. The cluster, archiving every finished WAL segment into $ARCHIVE (never over a file there).
log "initdb in $DATA"
as_pg "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
  --data-checksums >"$PITR/initdb.log"
as_pg tee -a "$DATA/postgresql.conf" >/dev/null <<EOF

# bench/pitr.sh
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PITR'
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $ARCHIVE/%f && cp %p $ARCHIVE/%f'
EOF
as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$PITR/postgres.log" -w start >/dev/null
sql "create database klade"

# The demo, made once: `klade demo` creates it and serves; it is stopped as soon as it serves.
log "making the demo in $DB_URL"
t0=$(now)
KLADE_LOG=error "$BIN" demo --db "$DB_URL" --listen "127.0.0.1:$KLADE_PORT" >"$PITR/demo.log" 2>&1 &
demo=$!
served=0
for _ in $(seq 1 600); do curl -fs -m 1 "$KLADE/healthz" >/dev/null && { served=1; break; }; sleep 0.5; done
kill "$demo"; wait "$demo" 2>/dev/null || true
[ "$served" = 1 ] || { log "klade demo did not serve (see $PITR/demo.log)"; exit 1; }
curl -fs -m 1 "$KLADE/healthz" >/dev/null 2>&1 && { log "the demo server did not stop"; exit 1; }
# SEED=school (or county) adds `klade seed`'s invented institutions, for a database of a size
# nearer a real one's; the drill's saves are still the demo teacher's.
if [ -n "${SEED:-}" ]; then
  KLADE_LOG=error "$BIN" seed --db "$DB_URL" --scale "$SEED" --force >"$PITR/seed.log" 2>&1 \
    || { log "klade seed failed (see $PITR/seed.log)"; exit 1; }
fi
t_demo=$(secs "$t0" "$(now)")
db_size=$(sql "select pg_size_pretty(pg_database_size('klade'))")
log "demo${SEED:+ and seed --scale $SEED} made in $t_demo s; the database is $db_size"
start_klade

# 2. The base backup, while Klade serves: the data directory and the WAL written during the copy
# (-X stream), as two compressed tar files (or, FORMAT=plain, a directory), and a manifest of
# every file's checksum.
log "base backup into $BASE"
if [ "$FORMAT" = plain ]; then format=(-Fp); else format=(-Ft -z); fi
t0=$(now)
as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U postgres -D "$BASE" "${format[@]}" -X stream \
  -c fast -l "klade $(date +%F)"
t_base=$(secs "$t0" "$(now)")
curl -fs -m 5 "$KLADE/healthz" >/dev/null || { log "Klade stopped answering during the base backup"; exit 1; }
size_base=$(mb "$BASE")
log "base backup: $t_base s, $size_base (pg_basebackup ${format[*]} -X stream)"

# 3. Batch A, the restore point, batch B (the mistake), and a WAL switch so all of it is archived.
python3 bench/pitr.py --base "$KLADE" batch-a --out "$PITR/a.json"
history_at_point=$(sql "select count(*) from journal_history" "$DB_URL")
IFS='|' read -r point point_time <<<"$(sql "select pg_create_restore_point('before_mistake'), now()")"
log "restore point before_mistake at $point ($point_time), $history_at_point history rows"
python3 bench/pitr.py --base "$KLADE" mistake --a "$PITR/a.json" --out "$PITR/b.json"
python3 bench/pitr.py --base "$KLADE" check --a "$PITR/a.json" --b "$PITR/b.json" --expect mistake
history_lost=$(sql "select count(*) from journal_history" "$DB_URL")
segment=$(sql "select pg_walfile_name(pg_switch_wal())")
for _ in $(seq 1 100); do [ -f "$ARCHIVE/$segment" ] && break; sleep 0.2; done
[ -f "$ARCHIVE/$segment" ] || { log "$segment was not archived (see $PITR/postgres.log)"; exit 1; }
failed=$(sql "select failed_count from pg_stat_archiver")
wal_files=$(ls "$ARCHIVE" | grep -c '^[0-9A-F]\{24\}$')
size_wal=$(mb "$ARCHIVE")
# The segments a restore from this base backup needs: from the one the backup began in (named by
# the .backup file archived when it ended) to the last; and what they would take compressed.
first=$(cd "$ARCHIVE" && ls *.backup | head -1 | cut -c1-24)
needed=$(cd "$ARCHIVE" && ls | grep '^[0-9A-F]\{24\}$' | awk -v a="$first" -v b="$segment" '$0 >= a && $0 <= b')
needed_n=$(echo "$needed" | wc -l)
needed_gz=$(cd "$ARCHIVE" && for f in $needed; do gzip -c "$f" | wc -c; done \
  | awk '{ s += $1 } END { printf "%.1f MB", s / 1048576 }')
log "WAL switched; $wal_files segments archived, up to $segment ($size_wal; $failed failed attempts); $needed_n of them since the base backup, $needed_gz if compressed with gzip"

# 4. The loss: Klade and PostgreSQL stop at once (immediate: no shutdown checkpoint, as in a
# crash) and the data directory is put aside. Then a new one from the base backup, recovering
# from the archive up to the restore point and promoted there.
stop_klade
as_pg "$PGBIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null
mv "$DATA" "$PITR/lost"
log "cluster lost; restoring from $BASE and $ARCHIVE to $( [ "$TARGET" = time ] && echo "$point_time" || echo before_mistake)"
if [ "$TARGET" = time ]; then
  target="recovery_target_time = '$point_time'"
  stopped='recovery stopping before commit of transaction'
else
  target="recovery_target_name = 'before_mistake'"
  stopped='recovery stopping at restore point "before_mistake"'
fi
t0=$(now)
as_pg mkdir -m 700 "$DATA"
if [ "$FORMAT" = plain ]; then
  as_pg cp -a "$BASE/." "$DATA/"
else
  as_pg tar -xzf "$BASE/base.tar.gz" -C "$DATA"
  as_pg tar -xzf "$BASE/pg_wal.tar.gz" -C "$DATA/pg_wal"
fi
# Every file against the backup's checksums, and the WAL the backup needs read through.
as_pg "$PGBIN/pg_verifybackup" -q -m "$BASE/backup_manifest" "$DATA"
t_unpacked=$(now)
as_pg tee -a "$DATA/postgresql.conf" >/dev/null <<EOF

# bench/pitr.sh: recovery to the restore point
restore_command = 'cp $ARCHIVE/%f %p'
$target
recovery_target_action = 'promote'
EOF
as_pg touch "$DATA/recovery.signal"
as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$PITR/restored.log" -w -t 600 start >/dev/null
until [ "$(sql "select pg_is_in_recovery()")" = f ]; do
  [ "$(secs "$t0" "$(now)" | cut -d. -f1)" -lt 600 ] || { log "not promoted within 600 s (see $PITR/restored.log)"; exit 1; }
  sleep 0.1
done
t_end=$(now)
t_restore=$(secs "$t0" "$t_end")
t_unpack=$(secs "$t0" "$t_unpacked")
t_recover=$(secs "$t_unpacked" "$t_end")
replayed=$(grep -c 'restored log file' "$PITR/restored.log" || true)
grep -qF "$stopped" "$PITR/restored.log" \
  || { log "recovery did not stop where asked: no '$stopped' in $PITR/restored.log"; exit 1; }
timeline=$(( 16#$(sql "select substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)") ))
log "restored and promoted in $t_restore s (copying or unpacking and checking the backup $t_unpack s, recovery $t_recover s; $replayed segments from the archive; timeline $timeline)"

# 5. The checks: the history as it was at the restore point, the journal verified, Klade serving
# it with batch A and without batch B.
history_now=$(sql "select count(*) from journal_history" "$DB_URL")
[ "$history_now" = "$history_at_point" ] \
  || { log "history rows: $history_now, at the restore point $history_at_point"; exit 1; }
log "history rows: $history_now (as at the restore point; $history_lost before the loss)"
t0=$(now)
KLADE_LOG=error "$BIN" verify --db "$DB_URL"
t_verify=$(secs "$t0" "$(now)")
start_klade
python3 bench/pitr.py --base "$KLADE" check --a "$PITR/a.json" --b "$PITR/b.json" --expect restored

cat <<EOF
restore drill passed
  database                 $db_size (the demo${SEED:+ and seed --scale $SEED}), made in $t_demo s
  base backup              $t_base s, $size_base (${format[*]} -X stream)
  WAL archived             $wal_files segments of 16 MB, $size_wal in all; since the base backup $needed_n, $needed_gz if compressed with gzip
  restore                  $t_restore s: copying or unpacking and pg_verifybackup $t_unpack s, recovery (to the restore point's $TARGET) and promotion $t_recover s
  klade verify             $t_verify s, clean
  batch A                  there; batch B not; history rows $history_now of $history_lost
EOF
