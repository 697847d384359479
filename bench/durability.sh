#!/usr/bin/env bash
# Durability: the server is killed with SIGKILL in the middle of a write load, ROUNDS times (50 by
# default), each round on a fresh demo database; after each kill it restarts, every save it had
# acknowledged must be there whole (a save is a mark and a grade in one transaction: both or
# neither), and `klade verify` must find the journal's history chain intact. On SQLite, and on
# PostgreSQL too when KLADE_TEST_PG_URL is set (e.g. postgres://postgres@127.0.0.1:5432/test).
#
#   bash bench/durability.sh [ROUNDS]
#
# Each round prints how many saves were sent, acknowledged and found after the kill.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-50}"
KLADE_KILL_ROUNDS="$rounds" cargo test -p klade --test durability -- --ignored --nocapture kill_rounds 2>&1 \
  | grep -E '^round |rounds:|acknowledged and lost|test result|panicked'
