#!/bin/sh
# The capacity model's inputs (docs/operations.md, "Capacity"): rounds over WebSocket through
# one `croupier serve --role gateway` and one `croupier writer`, on a fresh database of the
# machine's PostgreSQL (5432) and NATS (4222), and the CPU each process spent on them.
# A first short run registers the players (argon2, not a round's cost); the second is measured:
# CPU seconds of the gateway, the writer and the database's backends over it (from /proc),
# the database's transactions (pg_stat_database: reads too), the ledger's batches (its
# commits), the WAL written (LSN difference: the whole server's, so an upper bound when others
# use it) and the bytes the JetStream stream grew by (one replica's).
# usage: bench/capacity.sh [PLAYERS] [SECONDS]   → one JSON object on stdout
set -e
PLAYERS=${1:-50}; SECONDS_=${2:-15}
BIN=${BIN:-.venv/bin}
. "$(dirname "$0")/lib.sh"
DB=croupier_capacity_$$
PSQL="psql -qAtX -h 127.0.0.1 -U postgres"
$PSQL test -c "CREATE DATABASE $DB"
STATE=${TMPDIR:-/tmp}/croupier-capacity-$$.json
CLEANUP="rm -f $STATE $STATE.out; $PSQL test -c \"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname='$DB'\" >/dev/null; $PSQL test -c 'DROP DATABASE $DB'; $BIN/python bench/drop_stream.py CAPACITY_$$"
HEALTH=$(free_port); HTTP=$(free_port)
export CROUPIER_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/$DB
export CROUPIER_STREAM_URL="nats://127.0.0.1:4222?stream=CAPACITY_$$&prefix=capacity-$$"
export CROUPIER_LEDGER_SECRET=${CROUPIER_LEDGER_SECRET:-$(python3 -c 'import secrets; print(secrets.token_hex(32))')}
export CROUPIER_REGISTRATIONS_PER_IP_PER_MINUTE=100000
export CROUPIER_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE=10000
# The load comes from loopback: located at CROUPIER_GEO_HOME, not refused (docs/compliance.md).
export CROUPIER_GEO_ALLOW_PRIVATE=1
$BIN/croupier writer --health-port $HEALTH 2>${TMPDIR:-/tmp}/croupier-capacity-writer.log & WRITER=$!
PIDS="$PIDS $WRITER"
wait_ready http://127.0.0.1:$HEALTH/readyz
$BIN/croupier serve --role gateway --port $HTTP >${TMPDIR:-/tmp}/croupier-capacity-gw.log 2>&1 & GATEWAY=$!
PIDS="$PIDS $GATEWAY"
wait_ready http://127.0.0.1:$HTTP/readyz

ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
backends() { $PSQL test -c "SELECT pid FROM pg_stat_activity WHERE datname = '$DB'"; }
backend_ticks() { t=0; for p in $(backends); do t=$((t + $(ticks "$p"))); done; echo $t; }
commits() { $PSQL test -c "SELECT xact_commit FROM pg_stat_database WHERE datname = '$DB'"; }
batches() { $PSQL "$DB" -c "SELECT coalesce(max(seq), 0) FROM batches"; }
stream_bytes() { $BIN/python -c "import asyncio, nats
async def info():
    c = await nats.connect('nats://127.0.0.1:4222')
    print((await c.jetstream().stream_info('CAPACITY_$$')).state.bytes); await c.close()
asyncio.run(info())"; }
lsn() { $PSQL test -c "SELECT pg_current_wal_lsn() - '0/0'"; }

$BIN/croupier loadtest --url http://127.0.0.1:$HTTP --players "$PLAYERS" --seconds 2 \
  --state-file "$STATE" >/dev/null 2>&1
G0=$(ticks $GATEWAY); W0=$(ticks $WRITER); P0=$(backend_ticks); C0=$(commits); B0=$(batches); L0=$(lsn); S0=$(stream_bytes)
$BIN/croupier loadtest --url http://127.0.0.1:$HTTP --players "$PLAYERS" --seconds "$SECONDS_" \
  --state-file "$STATE" --json >"$STATE.out" 2>/dev/null
G1=$(ticks $GATEWAY); W1=$(ticks $WRITER); P1=$(backend_ticks); C1=$(commits); B1=$(batches); L1=$(lsn); S1=$(stream_bytes)
HZ=$(getconf CLK_TCK)
jq -c --argjson hz "$HZ" --argjson g $((G1 - G0)) --argjson w $((W1 - W0)) \
  --argjson p $((P1 - P0)) --argjson c $((C1 - C0)) --argjson b $((B1 - B0)) --argjson l $((L1 - L0)) \
  --argjson s $((S1 - S0)) '{
    rounds, elapsed_s, rounds_per_s, p50_ms, p99_ms,
    gateway_cpu_s: ($g / $hz), writer_cpu_s: ($w / $hz), postgres_cpu_s: ($p / $hz),
    rounds_per_gateway_cpu_s: (.rounds / ($g / $hz)), rounds_per_writer_cpu_s: (.rounds / ($w / $hz)),
    rounds_per_postgres_cpu_s: (.rounds / ($p / $hz)),
    transactions_per_s: ($c / .elapsed_s), batches_per_s: ($b / .elapsed_s),
    rounds_per_batch: (.rounds / $b),
    wal_bytes_per_round_at_most: ($l / .rounds), stream_bytes_per_round: ($s / .rounds)
  }' "$STATE.out"
