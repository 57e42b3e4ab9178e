#!/bin/sh
# Hands per second at N live cash tables (issue 17): one fresh `croupier serve` (all in one)
# on SQLite (a file under $TMPDIR) or on a fresh database of the machine's PostgreSQL (5432),
# opening enough tables (CROUPIER_POKER_TABLES_PER_GAME per holdem-* table file, 3 shipped),
# then `croupier loadtest --mode poker` at each table count in turn, RUNS times each.
# A first short run registers the bots (argon2, not a hand's cost). Each measured run prints
# one JSON line: the load average before it (the machine is shared), then the report's
# figures. The bots leave at the end of each run; `croupier ledger verify` closes it.
# usage: bench/poker_tables.sh sqlite|postgres [SECONDS] [RUNS] [TABLES...]
#   e.g. bench/poker_tables.sh sqlite 30 2 10 100
set -e
BACKEND=${1:-sqlite}; SECONDS_=${2:-30}; RUNS=${3:-2}
shift 3 2>/dev/null || shift $#
TABLES=${*:-10 100}
SEATS=${SEATS:-4}
BIN=${BIN:-.venv/bin}
. "$(dirname "$0")/lib.sh"
MOST=0; for n in $TABLES; do [ "$n" -gt "$MOST" ] && MOST=$n; done
TMP=${TMPDIR:-/tmp}/croupier-poker-$$
mkdir -p "$TMP"
CLEANUP="rm -rf $TMP"
if [ "$BACKEND" = postgres ]; then
  DB=croupier_poker_$$
  PSQL="psql -qAtX -h 127.0.0.1 -U postgres"
  $PSQL test -c "CREATE DATABASE $DB"
  CLEANUP="$CLEANUP; $PSQL test -c \"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname='$DB'\" >/dev/null; $PSQL test -c 'DROP DATABASE $DB'"
  export CROUPIER_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/$DB
  # a throwaway database: throwaway keys for its vaults (docs/security.md)
  export CROUPIER_KEK=${CROUPIER_KEK:-$(python3 -c 'import secrets; print(secrets.token_hex(32))')}
  export CROUPIER_CARD_KEK=${CROUPIER_CARD_KEK:-$(python3 -c 'import secrets; print(secrets.token_hex(32))')}
else
  export CROUPIER_DATABASE_URL=sqlite:///$TMP/ledger.db
fi
# Enough tables (3 table files ship), bots registered at once, and one address holding
# every bot's connection (the load comes from loopback).
export CROUPIER_POKER_TABLES_PER_GAME=$(( (MOST + 2) / 3 ))
export CROUPIER_REGISTRATIONS_PER_IP_PER_MINUTE=100000
export CROUPIER_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE=10000
export CROUPIER_WS_CONNECTIONS_PER_ADDRESS_MAX=$(( MOST * SEATS + 100 ))
# The load comes from loopback: located at CROUPIER_GEO_HOME, not refused (docs/compliance.md).
export CROUPIER_GEO_ALLOW_PRIVATE=1
HTTP=$(free_port); ADMIN=$(free_port)
$BIN/croupier serve --port "$HTTP" --admin-port "$ADMIN" >"$TMP/server.log" 2>&1 & SERVER=$!
PIDS="$PIDS $SERVER"
wait_ready "http://127.0.0.1:$HTTP/readyz" 120
STATE="$TMP/state.json"
run() {
  $BIN/croupier loadtest --url "http://127.0.0.1:$HTTP" --mode poker --tables "$1" --seats "$SEATS" \
    --seconds "$2" --server-pid "$SERVER" --state-file "$STATE" --json
}
run "$MOST" 2 >/dev/null
for n in $TABLES; do
  i=0
  while [ "$i" -lt "$RUNS" ]; do
    LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
    run "$n" "$SECONDS_" | jq -c --arg load "$LOAD" --arg backend "$BACKEND" '{
      backend: $backend, load_average: $load, tables, seats_per_table, hands, hands_per_s,
      actions_per_s, p50_ms, p99_ms, answer_p99_ms: .answer.p99_ms, errors_total, turns_missed,
      server_cpu_pct, server_cpu_ms_per_hand, client_cpu_pct}'
    i=$((i + 1))
  done
done
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
PIDS=""
$BIN/croupier ledger verify >/dev/null && echo '{"ledger_verify": "ok"}'
