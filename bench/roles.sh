#!/bin/sh
# Rounds over WebSocket through one gateway + one `croupier writer` (MODE=gateway), or
# through one all-in-one `croupier serve` (MODE=all-in-one), both on a fresh PostgreSQL
# database and NATS (the machine's own services at 5432 and 4222), with `croupier loadtest`.
# usage: bench/roles.sh gateway|all-in-one [PLAYERS] [SECONDS]   (docs/benchmarks.md)
set -e
MODE=$1; PLAYERS=${2:-50}; SECONDS_=${3:-10}
BIN=${BIN:-.venv/bin}
. "$(dirname "$0")/lib.sh"
DB=croupier_bench_$$
psql -qh 127.0.0.1 -U postgres test -c "CREATE DATABASE $DB"
CLEANUP="psql -qh 127.0.0.1 -U postgres test -c \"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname='$DB'\" >/dev/null; psql -qh 127.0.0.1 -U postgres test -c 'DROP DATABASE $DB'"
CLEANUP="$CLEANUP; $BIN/python bench/drop_stream.py BENCH_$$"
HEALTH=$(free_port); HTTP=$(free_port)
export CROUPIER_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/$DB
export CROUPIER_STREAM_URL="nats://127.0.0.1:4222?stream=BENCH_$$&prefix=bench-$$"
export CROUPIER_LEDGER_SECRET=${CROUPIER_LEDGER_SECRET:-$(python3 -c 'import secrets; print(secrets.token_hex(32))')}
export CROUPIER_REGISTRATIONS_PER_IP_PER_MINUTE=100000
export CROUPIER_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE=10000
# The load comes from loopback: located at CROUPIER_GEO_HOME, not refused (docs/compliance.md).
export CROUPIER_GEO_ALLOW_PRIVATE=1
if [ "$MODE" = gateway ]; then
  $BIN/croupier writer --health-port $HEALTH 2>${TMPDIR:-/tmp}/croupier-roles-writer.log & PIDS="$PIDS $!"
  wait_ready http://127.0.0.1:$HEALTH/readyz
  $BIN/croupier serve --role gateway --port $HTTP >${TMPDIR:-/tmp}/croupier-roles-gw.log 2>&1 & PIDS="$PIDS $!"
else
  $BIN/croupier serve --port $HTTP >${TMPDIR:-/tmp}/croupier-roles-gw.log 2>&1 & PIDS="$PIDS $!"
fi
wait_ready http://127.0.0.1:$HTTP/readyz
$BIN/croupier loadtest --url http://127.0.0.1:$HTTP --players $PLAYERS --seconds $SECONDS_ 2>&1 | tail -12
