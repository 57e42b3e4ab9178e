#!/bin/sh
# PostgreSQL's durable commit rate on this machine: pgbench inserting one row per transaction
# (synchronous_commit as the server has it) with 1, 8 and 32 clients, on a scratch database
# of the machine's PostgreSQL (5432). One client is the bound for a writer that commits one
# batch at a time (docs/operations.md, "Capacity").
# usage: bench/commit_rate.sh [SECONDS]
set -e
SECONDS_=${1:-10}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
DB=croupier_commit_$$
PSQL="psql -qAtX -h 127.0.0.1 -U postgres"
SCRIPT=${TMPDIR:-/tmp}/croupier-commit-$$.sql
echo 'INSERT INTO commit_rate VALUES (1);' >"$SCRIPT"
$PSQL test -c "CREATE DATABASE $DB"
$PSQL "$DB" -c "CREATE TABLE commit_rate (x int)"
echo "synchronous_commit=$($PSQL test -c 'SHOW synchronous_commit') fsync=$($PSQL test -c 'SHOW fsync')"
for clients in 1 8 32; do
  printf 'clients %s: ' "$clients"
  "$PGBIN/pgbench" -h 127.0.0.1 -U postgres -n -c "$clients" -j 1 -T "$SECONDS_" -f "$SCRIPT" "$DB" 2>&1 \
    | sed -n 's/^tps = \([0-9.]*\).*/\1 commits\/s/p'
done
rm -f "$SCRIPT"
$PSQL test -c "DROP DATABASE $DB"
